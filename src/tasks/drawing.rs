//! Drawings of the stated dependencies: Mermaid, DOT and an SVG laid out
//! here (no Graphviz). Phases are clusters (a Mermaid `subgraph`, a DOT
//! `cluster_*`, a titled box); edges are drawn after transitive reduction.
//!
//! The SVG layout is layered: every node sits below everything it waits for
//! and each phase below the phases before it (one empty row between phases
//! holds the boxes apart); an edge longer than one row passes through a
//! bend point on each row it crosses; a few barycenter sweeps order each row
//! to reduce crossings (the order with the fewest is kept, the file order
//! included); each row's positions are then pulled towards their neighbours'
//! without overlapping.

use super::dependencies::transitive_reduction;
use super::model::TaskId;
use std::fmt::Write;

/// What is drawn: tasks and the junction points of group statements, the
/// stated edges between them, and the phases the tasks belong to.
pub struct Scene {
    pub nodes: Vec<Node>,
    /// (before, after) as indices into `nodes`, as stated.
    pub edges: Vec<(usize, usize)>,
    /// Phase titles; an empty title (tasks before any heading) is no cluster.
    pub phases: Vec<String>,
}

pub struct Node {
    /// `None` for a junction point.
    pub task: Option<TaskLabel>,
    /// Index into `Scene::phases` (tasks only).
    pub phase: Option<usize>,
}

pub struct TaskLabel {
    pub id: TaskId,
    pub description: String,
    pub done: bool,
}

/// Above this many nodes, the edges are drawn as stated and rows keep the
/// file order: the reduction's closure and the bend points grow with the
/// square of the graph, and no one reads a drawing that large.
const REFINED_UP_TO: usize = 1_500;
const BOX_W: f64 = 220.0;
const BOX_H: f64 = 52.0;
const POINT_W: f64 = 10.0;
const JOIN_RADIUS: f64 = 5.0;
const ROW_GAP: f64 = 56.0;
const COLUMN_GAP: f64 = 24.0;
const MARGIN: f64 = 24.0;
const CLUSTER_PAD: f64 = 10.0;
const CLUSTER_TITLE: f64 = 18.0;
const SWEEPS: usize = 8;

impl Scene {
    /// The edges to draw: the transitive reduction of the stated ones.
    fn drawn_edges(&self) -> Vec<(usize, usize)> {
        let mut edges = self.edges.clone();
        edges.sort_unstable();
        edges.dedup();
        if self.nodes.len() > REFINED_UP_TO {
            return edges;
        }
        transitive_reduction(self.nodes.len(), &edges).unwrap_or(edges)
    }

    /// Each node's cluster: a task's phase (when titled); a junction point
    /// joins the phase all its neighbours share, if they share one.
    fn clusters(&self, edges: &[(usize, usize)]) -> Vec<Option<usize>> {
        let titled = |node: &Node| node.phase.filter(|&p| !self.phases[p].is_empty());
        let mut cluster: Vec<Option<usize>> = self.nodes.iter().map(titled).collect();
        let mut shared: Vec<Option<Option<usize>>> = vec![None; self.nodes.len()];
        for &(a, b) in edges {
            for (point, other) in [(a, b), (b, a)] {
                if self.nodes[point].task.is_none() {
                    let phase = titled(&self.nodes[other]);
                    shared[point] = match shared[point] {
                        None => Some(phase),
                        Some(seen) if seen == phase => Some(seen),
                        Some(_) => Some(None),
                    };
                }
            }
        }
        for (node, phase) in shared.into_iter().enumerate() {
            if self.nodes[node].task.is_none() {
                cluster[node] = phase.flatten();
            }
        }
        cluster
    }

    /// A node's name in Mermaid and DOT: the ID (`-` as `_`, which both read
    /// as part of a name), or `J<n>` for a junction point.
    fn name(&self, node: usize) -> String {
        match &self.nodes[node].task {
            Some(task) => task.id.to_string().replace('-', "_"),
            None => format!("J{node}"),
        }
    }

    /// Nodes per titled cluster, in phase order, then the nodes of none.
    fn grouped(&self, clusters: &[Option<usize>]) -> (Vec<(usize, Vec<usize>)>, Vec<usize>) {
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut loose = Vec::new();
        for (node, cluster) in clusters.iter().enumerate() {
            match cluster {
                Some(phase) => match groups.iter_mut().find(|(p, _)| p == phase) {
                    Some((_, members)) => members.push(node),
                    None => groups.push((*phase, vec![node])),
                },
                None => loose.push(node),
            }
        }
        groups.sort_by_key(|(phase, _)| *phase);
        (groups, loose)
    }

    /// Each titled cluster as `open`, its nodes and `close`, then the nodes of
    /// no cluster, then the edges: the text Mermaid and DOT share.
    fn clustered_text(
        &self,
        open: impl Fn(usize, &str) -> String,
        close: &str,
        node: impl Fn(usize) -> String,
        edge: impl Fn(&str, &str) -> String,
    ) -> String {
        let edges = self.drawn_edges();
        let (groups, loose) = self.grouped(&self.clusters(&edges));
        let mut out = String::new();
        for (phase, members) in &groups {
            out.push_str(&open(*phase, &self.phases[*phase]));
            for &member in members {
                let _ = write!(out, "    {}", node(member));
            }
            out.push_str(close);
        }
        for &member in &loose {
            out.push_str(&node(member));
        }
        for &(before, after) in &edges {
            out.push_str(&edge(&self.name(before), &self.name(after)));
        }
        out
    }

    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        out.push_str(&self.clustered_text(
            |phase, title| format!("    subgraph phase{phase} [\"{}\"]\n", quoted(title, '#')),
            "    end\n",
            |node| match &self.nodes[node].task {
                Some(task) => format!(
                    "    {}[\"{}: {}\"]\n",
                    self.name(node),
                    task.id,
                    label(&task.description, '#')
                ),
                None => format!("    {}(( ))\n", self.name(node)),
            },
            |before, after| format!("    {before} --> {after}\n"),
        ));
        out.push_str("    classDef done fill:#d4edda,stroke:#28a745,color:#155724\n");
        let done: Vec<String> = (0..self.nodes.len())
            .filter(|&n| self.nodes[n].task.as_ref().is_some_and(|t| t.done))
            .map(|n| self.name(n))
            .collect();
        if !done.is_empty() {
            let _ = writeln!(out, "    class {} done", done.join(","));
        }
        out
    }

    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph tasks {\n    rankdir=TB;\n    node [shape=box];\n");
        out.push_str(&self.clustered_text(
            |phase, title| {
                format!(
                    "    subgraph cluster_{phase} {{\n        label=\"{}\";\n        style=rounded;\n",
                    quoted(title, '\\')
                )
            },
            "    }\n",
            |node| match &self.nodes[node].task {
                Some(task) => {
                    let style = if task.done {
                        ", style=filled, fillcolor=\"#d4edda\", color=\"#28a745\""
                    } else {
                        ""
                    };
                    format!(
                        "    \"{}\" [label=\"{}: {}\"{style}];\n",
                        self.name(node),
                        task.id,
                        label(&task.description, '\\')
                    )
                }
                None => format!("    \"{}\" [shape=point, width=0.08];\n", self.name(node)),
            },
            |before, after| format!("    \"{before}\" -> \"{after}\";\n"),
        ));
        out.push_str("}\n");
        out
    }

    pub fn to_svg(&self) -> String {
        let layout = Layout::new(self);
        let (width, height) = layout.size();
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#666\"/></marker></defs>\n\
             <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        );
        let boxes = layout.cluster_boxes(self);
        for &(phase, (x0, y0, x1, y1)) in &boxes {
            let _ = writeln!(
                out,
                "<g class=\"phase\"><title>{}</title><rect x=\"{x0:.0}\" y=\"{y0:.0}\" width=\"{:.0}\" height=\"{:.0}\" rx=\"8\" fill=\"#f4f6fa\" stroke=\"#9aa5b8\"/></g>",
                xml_escape(&self.phases[phase]),
                x1 - x0,
                y1 - y0,
            );
        }
        for route in &layout.routes {
            let _ = writeln!(
                out,
                "<path class=\"edge\" d=\"{}\" fill=\"none\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>",
                curve(route)
            );
        }
        for (node, shape) in self.nodes.iter().enumerate() {
            let (x, y) = (layout.x[node], layout.row_top(layout.layer[node]));
            let Some(task) = &shape.task else {
                let _ = writeln!(
                    out,
                    "<circle class=\"join\" cx=\"{x:.0}\" cy=\"{:.0}\" r=\"{JOIN_RADIUS:.0}\" fill=\"#666\"/>",
                    y + BOX_H / 2.0
                );
                continue;
            };
            let (fill, stroke, class) = if task.done {
                ("#d4edda", "#28a745", "task done")
            } else {
                ("#ffffff", "#333333", "task")
            };
            let left = x - BOX_W / 2.0;
            let lines = wrap(&task.description, 34, 2);
            let _ = write!(
                out,
                "<g class=\"{class}\"><title>{}: {}</title><rect x=\"{left:.0}\" y=\"{y:.0}\" width=\"{BOX_W:.0}\" height=\"{BOX_H:.0}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
                 <text x=\"{:.0}\" y=\"{:.0}\" font-weight=\"bold\">{}{}</text>",
                task.id,
                xml_escape(&task.description),
                left + 8.0,
                y + 16.0,
                task.id,
                if task.done { " ✓" } else { "" },
            );
            for (at, line) in lines.iter().enumerate() {
                let _ = write!(
                    out,
                    "<text x=\"{:.0}\" y=\"{:.0}\" font-size=\"11\">{}</text>",
                    left + 8.0,
                    y + 31.0 + 13.0 * at as f64,
                    xml_escape(line)
                );
            }
            out.push_str("</g>\n");
        }
        // Phase titles last, on a halo of the box's colour: edges pass under them.
        for &(phase, (x0, y0, _, _)) in &boxes {
            let _ = writeln!(
                out,
                "<text class=\"phase-title\" x=\"{:.0}\" y=\"{:.0}\" font-weight=\"bold\" fill=\"#44506a\" stroke=\"#f4f6fa\" stroke-width=\"5\" paint-order=\"stroke\">{}</text>",
                x0 + 8.0,
                y0 + 15.0,
                xml_escape(&self.phases[phase])
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Where everything goes in the SVG.
struct Layout {
    /// Row of each node.
    layer: Vec<usize>,
    /// Horizontal centre of each node.
    x: Vec<f64>,
    /// One polyline per drawn edge.
    routes: Vec<Vec<(f64, f64)>>,
    rows: usize,
    /// Each node's cluster (phase), if any.
    cluster: Vec<Option<usize>>,
}

/// A node or a bend point of a long edge, as placed in a row.
#[derive(Clone, Copy)]
struct Item {
    width: f64,
    /// For a bend point, the index of its edge's chain.
    bend_of: Option<usize>,
}

impl Layout {
    fn new(scene: &Scene) -> Layout {
        let edges = scene.drawn_edges();
        let cluster = out_of_phase_order(scene.clusters(&edges), &edges);
        let refined = scene.nodes.len() <= REFINED_UP_TO;
        let layer = layers(scene, &edges, &cluster);
        let rows = layer.iter().max().map_or(0, |&l| l + 1);
        // Items: the nodes, then each long edge's bend points.
        let mut items: Vec<Item> = scene
            .nodes
            .iter()
            .map(|n| Item {
                width: if n.task.is_some() { BOX_W } else { POINT_W },
                bend_of: None,
            })
            .collect();
        let mut item_layer = layer.clone();
        let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
        for &(before, after) in &edges {
            let mut chain = vec![before];
            if refined && layer[after] > layer[before] {
                for row in layer[before] + 1..layer[after] {
                    items.push(Item {
                        width: POINT_W,
                        bend_of: Some(chains.len()),
                    });
                    item_layer.push(row);
                    chain.push(items.len() - 1);
                }
            }
            chain.push(after);
            chains.push(chain);
        }
        let mut order: Vec<Vec<usize>> = vec![Vec::new(); rows];
        for (item, &row) in item_layer.iter().enumerate() {
            order[row].push(item);
        }
        let segments: Vec<(usize, usize)> = chains
            .iter()
            .flat_map(|chain| chain.windows(2).map(|w| (w[0], w[1])))
            .filter(|&(a, b)| item_layer[b] == item_layer[a] + 1)
            .collect();
        if refined {
            order = reduce_crossings(order, &segments, items.len());
        }
        let x = place(&order, &items, &segments, &chains);
        let mut layout = Layout {
            layer,
            x: Vec::new(),
            routes: Vec::new(),
            rows,
            cluster,
        };
        layout.routes = chains
            .iter()
            .map(|chain| layout.route(chain, &x, &item_layer, scene))
            .collect();
        layout.x = x[..scene.nodes.len()].to_vec();
        layout
    }

    fn row_top(&self, row: usize) -> f64 {
        MARGIN + CLUSTER_TITLE + row as f64 * (BOX_H + ROW_GAP)
    }

    /// The edge's polyline: out of the bottom of the first node, straight
    /// down through each bend point's row, into the top of the last.
    fn route(&self, chain: &[usize], x: &[f64], rows: &[usize], scene: &Scene) -> Vec<(f64, f64)> {
        let is_task = |item: usize| scene.nodes.get(item).is_some_and(|n| n.task.is_some());
        let (first, last) = (chain[0], chain[chain.len() - 1]);
        let bottom = |item: usize| {
            let top = self.row_top(rows[item]);
            if is_task(item) {
                top + BOX_H
            } else {
                top + BOX_H / 2.0 + JOIN_RADIUS
            }
        };
        let top = |item: usize| {
            let top = self.row_top(rows[item]);
            if is_task(item) {
                top
            } else {
                top + BOX_H / 2.0 - JOIN_RADIUS
            }
        };
        let mut points = vec![(x[first], bottom(first))];
        for &bend in &chain[1..chain.len() - 1] {
            points.push((x[bend], self.row_top(rows[bend])));
            points.push((x[bend], self.row_top(rows[bend]) + BOX_H));
        }
        points.push((x[last], top(last)));
        points
    }

    fn size(&self) -> (f64, f64) {
        let right = self
            .x
            .iter()
            .map(|x| x + BOX_W / 2.0)
            .chain(self.routes.iter().flatten().map(|p| p.0))
            .fold(0.0, f64::max);
        (
            right + MARGIN + CLUSTER_PAD,
            self.row_top(self.rows) + MARGIN - ROW_GAP + CLUSTER_PAD,
        )
    }

    /// Each titled cluster's box around its nodes: (phase, x0, y0, x1, y1).
    fn cluster_boxes(&self, scene: &Scene) -> Vec<(usize, (f64, f64, f64, f64))> {
        let mut boxes: Vec<(usize, (f64, f64, f64, f64))> = Vec::new();
        for (node, cluster) in self.cluster.iter().enumerate() {
            let Some(phase) = *cluster else { continue };
            let width = if scene.nodes[node].task.is_some() {
                BOX_W
            } else {
                POINT_W
            };
            let half = width / 2.0;
            let top = self.row_top(self.layer[node]);
            let bounds = (
                self.x[node] - half - CLUSTER_PAD,
                top - CLUSTER_PAD - CLUSTER_TITLE,
                self.x[node] + half + CLUSTER_PAD,
                top + BOX_H + CLUSTER_PAD,
            );
            match boxes.iter_mut().find(|(p, _)| *p == phase) {
                Some((_, b)) => {
                    *b = (
                        b.0.min(bounds.0),
                        b.1.min(bounds.1),
                        b.2.max(bounds.2),
                        b.3.max(bounds.3),
                    )
                }
                None => boxes.push((phase, bounds)),
            }
        }
        boxes.sort_by_key(|(phase, _)| *phase);
        boxes
    }
}

/// A smooth path through the points: each step a cubic curve that leaves
/// and arrives vertically (a straight line when the step is vertical).
fn curve(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (at, &(x, y)) in points.iter().enumerate() {
        if at == 0 {
            let _ = write!(d, "M{x:.0},{y:.0}");
            continue;
        }
        let (px, py) = points[at - 1];
        let middle = (py + y) / 2.0;
        let _ = write!(d, " C{px:.0},{middle:.0} {x:.0},{middle:.0} {x:.0},{y:.0}");
    }
    d
}

/// The clusters with every node taken out of its own that waits (through
/// any path) for a node of a later phase: a stated order wins over the
/// phases' (as for `next`), and such a task is drawn below what it waits for,
/// outside the phase boxes. Unchanged when the stated edges form a cycle.
fn out_of_phase_order(
    mut cluster: Vec<Option<usize>>,
    edges: &[(usize, usize)],
) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = Vec::with_capacity(cluster.len());
    let mut waiting = vec![0usize; cluster.len()];
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); cluster.len()];
    for &(a, b) in edges {
        next[a].push(b);
        waiting[b] += 1;
    }
    let mut ready: Vec<usize> = (0..cluster.len()).filter(|&n| waiting[n] == 0).collect();
    while let Some(node) = ready.pop() {
        order.push(node);
        for &b in &next[node] {
            waiting[b] -= 1;
            if waiting[b] == 0 {
                ready.push(b);
            }
        }
    }
    if order.len() < cluster.len() {
        return cluster;
    }
    // The latest phase among each node's ancestors and itself.
    let mut latest: Vec<Option<usize>> = cluster.clone();
    for node in order {
        for &b in &next[node] {
            latest[b] = latest[b].max(latest[node]);
        }
    }
    for (own, latest) in cluster.iter_mut().zip(latest) {
        if own.is_some() && latest > *own {
            *own = None;
        }
    }
    cluster
}

/// Each node's row: below everything it waits for, and each cluster below
/// the clusters before it with an empty row between (a boundary that every
/// node of the one before leads to and every node of the next waits for).
/// Longest path by Kahn's algorithm; nodes on a cycle stay where it was
/// entered.
fn layers(scene: &Scene, edges: &[(usize, usize)], cluster: &[Option<usize>]) -> Vec<usize> {
    let count = scene.nodes.len();
    let mut phases: Vec<usize> = cluster.iter().flatten().copied().collect();
    phases.sort_unstable();
    phases.dedup();
    // Nodes `count..` are the boundaries after each phase but the last.
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); count + phases.len().saturating_sub(1)];
    for &(a, b) in edges {
        next[a].push(b);
    }
    for (node, phase) in cluster.iter().enumerate() {
        let Some(at) = phase.and_then(|p| phases.binary_search(&p).ok()) else {
            continue;
        };
        if at + 1 < phases.len() {
            next[node].push(count + at);
        }
        if at > 0 {
            next[count + at - 1].push(node);
        }
    }
    let mut waiting = vec![0usize; next.len()];
    for targets in &next {
        for &t in targets {
            waiting[t] += 1;
        }
    }
    let mut layer = vec![0usize; next.len()];
    let mut ready: Vec<usize> = (0..next.len()).filter(|&n| waiting[n] == 0).collect();
    while let Some(node) = ready.pop() {
        for &t in &next[node] {
            layer[t] = layer[t].max(layer[node] + 1);
            waiting[t] -= 1;
            if waiting[t] == 0 {
                ready.push(t);
            }
        }
    }
    layer.truncate(count);
    // A junction point with more tasks after it than before it moves down to
    // the row above the first of them: fewer long edges.
    for node in (0..count).filter(|&n| scene.nodes[n].task.is_none()) {
        let before = edges.iter().filter(|e| e.1 == node).count();
        let after: Vec<usize> = edges
            .iter()
            .filter(|e| e.0 == node)
            .map(|e| layer[e.1])
            .collect();
        if after.len() > before {
            if let Some(first) = after.iter().min() {
                layer[node] = layer[node].max(first.saturating_sub(1));
            }
        }
    }
    layer
}

/// Barycenter sweeps, down then up, keeping the order with the fewest
/// crossings (the given order included).
fn reduce_crossings(
    mut order: Vec<Vec<usize>>,
    segments: &[(usize, usize)],
    items: usize,
) -> Vec<Vec<usize>> {
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); items];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); items];
    for &(a, b) in segments {
        down[a].push(b);
        up[b].push(a);
    }
    let mut best = order.clone();
    let mut fewest = crossings(&order, segments, items);
    for sweep in 0..SWEEPS {
        let downward = sweep % 2 == 0;
        let rows: Vec<usize> = if downward {
            (1..order.len()).collect()
        } else {
            (0..order.len().saturating_sub(1)).rev().collect()
        };
        for row in rows {
            let reference = if downward { row - 1 } else { row + 1 };
            let neighbours = if downward { &up } else { &down };
            let position = positions(&order[reference], items);
            let current = positions(&order[row], items);
            let key = |item: usize| -> f64 {
                let placed: Vec<f64> = neighbours[item]
                    .iter()
                    .filter_map(|&n| position[n])
                    .map(|p| p as f64)
                    .collect();
                if placed.is_empty() {
                    current[item].unwrap_or(0) as f64
                } else {
                    placed.iter().sum::<f64>() / placed.len() as f64
                }
            };
            order[row].sort_by(|&a, &b| key(a).total_cmp(&key(b)));
        }
        let count = crossings(&order, segments, items);
        if count < fewest {
            fewest = count;
            best = order.clone();
        }
    }
    best
}

fn positions(row: &[usize], items: usize) -> Vec<Option<usize>> {
    let mut position = vec![None; items];
    for (at, &item) in row.iter().enumerate() {
        position[item] = Some(at);
    }
    position
}

/// Pairs of segments between two adjacent rows that cross, summed over the
/// rows: inversions of the lower ends, the segments sorted by upper end.
fn crossings(order: &[Vec<usize>], segments: &[(usize, usize)], items: usize) -> usize {
    let mut position = vec![0usize; items];
    let mut row_of = vec![0usize; items];
    for (row, members) in order.iter().enumerate() {
        for (at, &item) in members.iter().enumerate() {
            position[item] = at;
            row_of[item] = row;
        }
    }
    let mut by_row: Vec<Vec<(usize, usize)>> = vec![Vec::new(); order.len()];
    for &(a, b) in segments {
        by_row[row_of[a]].push((position[a], position[b]));
    }
    by_row
        .iter_mut()
        .map(|pairs| {
            pairs.sort_unstable();
            let mut lower: Vec<usize> = pairs.iter().map(|&(_, b)| b).collect();
            inversions(&mut lower)
        })
        .sum()
}

/// Pairs i < j with values[i] > values[j] (merge sort; sorts `values`).
fn inversions(values: &mut [usize]) -> usize {
    if values.len() < 2 {
        return 0;
    }
    let middle = values.len() / 2;
    let mut count = inversions(&mut values[..middle]) + inversions(&mut values[middle..]);
    let mut merged = Vec::with_capacity(values.len());
    let (mut i, mut j) = (0, middle);
    while i < middle && j < values.len() {
        if values[j] < values[i] {
            count += middle - i;
            merged.push(values[j]);
            j += 1;
        } else {
            merged.push(values[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&values[i..middle]);
    merged.extend_from_slice(&values[j..]);
    values.copy_from_slice(&merged);
    count
}

/// Horizontal centres: rows packed in order, then pulled towards the mean of
/// their neighbours in the row above, then below, a few times, never
/// overlapping (isotonic regression keeps each row's order and gaps).
fn place(
    order: &[Vec<usize>],
    items: &[Item],
    segments: &[(usize, usize)],
    chains: &[Vec<usize>],
) -> Vec<f64> {
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for &(a, b) in segments {
        down[a].push(b);
        up[b].push(a);
    }
    let mut x = vec![0.0; items.len()];
    for row in order {
        let desired = vec![0.0; row.len()];
        fit(row, items, &desired, &mut x);
    }
    for pass in 0..8 {
        let downward = pass % 2 == 0;
        let rows: Vec<&Vec<usize>> = if downward {
            order.iter().collect()
        } else {
            order.iter().rev().collect()
        };
        for row in rows {
            let desired: Vec<f64> = row
                .iter()
                .map(|&item| {
                    // A bend point follows its whole edge, so that long edges
                    // run straight down.
                    let near: Vec<usize> = match (items[item].bend_of, downward) {
                        (Some(chain), _) => chains[chain].clone(),
                        (None, true) => up[item].clone(),
                        (None, false) => down[item].clone(),
                    };
                    match near.as_slice() {
                        [] => x[item],
                        near => near.iter().map(|&n| x[n]).sum::<f64>() / near.len() as f64,
                    }
                })
                .collect();
            fit(row, items, &desired, &mut x);
        }
    }
    let left = order
        .iter()
        .filter_map(|row| row.first())
        .map(|&item| x[item] - items[item].width / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = MARGIN + CLUSTER_PAD - if left.is_finite() { left } else { 0.0 };
    x.iter().map(|v| v + shift).collect()
}

/// Centres for one row as close as possible (least squares) to `desired`,
/// in row order with a gap between neighbours: pool adjacent violators on
/// the centres less each item's minimal offset from the first.
fn fit(row: &[usize], items: &[Item], desired: &[f64], x: &mut [f64]) {
    let mut offset = Vec::with_capacity(row.len());
    let mut at = 0.0;
    for (i, &item) in row.iter().enumerate() {
        if i > 0 {
            at += (items[row[i - 1]].width + items[item].width) / 2.0 + COLUMN_GAP;
        }
        offset.push(at);
    }
    // Blocks of (weighted sum, weight, items), each block's mean not below
    // the one before. Bend points weigh more: boxes make way for long edges,
    // which then run straight.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for (i, d) in desired.iter().enumerate() {
        let weight = if items[row[i]].bend_of.is_some() {
            8.0
        } else {
            1.0
        };
        blocks.push(((d - offset[i]) * weight, weight, 1));
        while blocks.len() > 1 {
            let (s2, w2, n2) = blocks[blocks.len() - 1];
            let (s1, w1, n1) = blocks[blocks.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (s1 + s2, w1 + w2, n1 + n2);
        }
    }
    let mut i = 0;
    for (sum, weight, count) in blocks {
        for _ in 0..count {
            x[row[i]] = sum / weight + offset[i];
            i += 1;
        }
    }
}

/// The description, shortened, with quotes made safe for the target syntax.
fn label(description: &str, quote_escape: char) -> String {
    quoted(&truncate(description, 40), quote_escape)
}

fn quoted(text: &str, quote_escape: char) -> String {
    match quote_escape {
        '#' => text.replace('"', "#quot;"),
        _ => text.replace('\\', "\\\\").replace('"', "\\\""),
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// Up to `lines` lines of at most `width` characters, broken at spaces
/// where possible; the last ends with `…` when text is left over.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() && out.len() < lines {
        if out.len() + 1 == lines || rest.chars().count() <= width {
            out.push(truncate(rest, width));
            break;
        }
        let cut = rest
            .char_indices()
            .take(width + 1)
            .filter(|(_, c)| *c == ' ')
            .map(|(at, _)| at)
            .last()
            .unwrap_or_else(|| {
                rest.char_indices()
                    .nth(width)
                    .map_or(rest.len(), |(at, _)| at)
            });
        out.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    out
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::graph::Graph;
    use crate::tasks::read::parse;

    /// T001 → T002-T004 (a group) → T005 → T006, and `T001 blocks T005`,
    /// which the longer path implies.
    const TASKS: &str = "## Phase 1: Setup\n- [x] T001 Setup in Cargo.toml\n\
## Phase 2: Core\n- [ ] T002 [P] A in src/a.rs\n- [ ] T003 [P] B in src/b.rs\n- [ ] T004 [P] C \"q\" in src/c.rs\n\
- [ ] T005 Wire in src/main.rs\n## Phase 3: Tests\n- [ ] T006 [P] Test in tests/a.rs\n\
## Dependencies\n- T001 blocks T002, T003, T004\n- T002-T004 before T005, T006\n- T005 before T006\n- T001 blocks T005\n";

    fn scene(text: &str) -> Scene {
        Graph::new(&parse(text)).scene()
    }

    #[test]
    fn mermaid_draws_phases_as_subgraphs_and_only_reduced_edges() {
        assert_eq!(
            scene(TASKS).to_mermaid(),
            "flowchart TD\n\
             \x20   subgraph phase1 [\"Phase 1: Setup\"]\n\
             \x20       T001[\"T001: Setup in Cargo.toml\"]\n\
             \x20   end\n\
             \x20   subgraph phase2 [\"Phase 2: Core\"]\n\
             \x20       T002[\"T002: A in src/a.rs\"]\n\
             \x20       T003[\"T003: B in src/b.rs\"]\n\
             \x20       T004[\"T004: C #quot;q#quot; in src/c.rs\"]\n\
             \x20       T005[\"T005: Wire in src/main.rs\"]\n\
             \x20       J6(( ))\n\
             \x20   end\n\
             \x20   subgraph phase3 [\"Phase 3: Tests\"]\n\
             \x20       T006[\"T006: Test in tests/a.rs\"]\n\
             \x20   end\n\
             \x20   T001 --> T002\n    T001 --> T003\n    T001 --> T004\n\
             \x20   T002 --> J6\n    T003 --> J6\n    T004 --> J6\n\
             \x20   T005 --> T006\n    J6 --> T005\n\
             \x20   classDef done fill:#d4edda,stroke:#28a745,color:#155724\n\
             \x20   class T001 done\n"
        );
    }

    #[test]
    fn dot_draws_phases_as_clusters() {
        let dot = scene(TASKS).to_dot();
        assert!(dot.starts_with("digraph tasks {\n    rankdir=TB;\n    node [shape=box];\n"));
        assert!(dot.contains(
            "    subgraph cluster_2 {\n        label=\"Phase 2: Core\";\n        style=rounded;\n\
             \x20       \"T002\" [label=\"T002: A in src/a.rs\"];\n        \"T003\" [label=\"T003: B in src/b.rs\"];\n\
             \x20       \"T004\" [label=\"T004: C \\\"q\\\" in src/c.rs\"];\n        \"T005\" [label=\"T005: Wire in src/main.rs\"];\n\
             \x20       \"J6\" [shape=point, width=0.08];\n    }\n"
        ), "{dot}");
        assert!(dot.contains("\"T001\" [label=\"T001: Setup in Cargo.toml\", style=filled"));
        assert!(dot.contains("    \"J6\" -> \"T005\";\n"));
        assert!(
            !dot.contains("\"T001\" -> \"T005\""),
            "implied edge drawn: {dot}"
        );
        assert!(
            !dot.contains("\"J6\" -> \"T006\""),
            "implied edge drawn: {dot}"
        );
        assert_eq!(dot.matches(" -> ").count(), 8);
    }

    #[test]
    fn layers_point_down_and_phases_are_stacked_with_a_row_between() {
        let scene = scene(TASKS);
        let layout = Layout::new(&scene);
        // T001; boundary; T002-T004; the join; T005; boundary; T006.
        assert_eq!(layout.layer, [0, 2, 2, 2, 4, 6, 3]);
        for (before, after) in scene.drawn_edges() {
            assert!(layout.layer[after] > layout.layer[before]);
        }
        assert_eq!(
            layout.cluster,
            [
                Some(1),
                Some(2),
                Some(2),
                Some(2),
                Some(2),
                Some(3),
                Some(2)
            ]
        );
    }

    #[test]
    fn a_junction_with_more_after_than_before_sits_above_the_first_of_them() {
        let text = "## A\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs\n## B\n- [ ] T003 c in c.rs\n\
## C\n- [ ] T004 d in d.rs\n- [ ] T005 e in e.rs\n- [ ] T006 f in f.rs\n\
## Dependencies\n- T001 blocks T003\n- T003 blocks T004\n- T001, T002 before T004-T006\n";
        let scene = scene(text);
        let layout = Layout::new(&scene);
        // A in row 0, B in row 2, C in row 4: the join is in row 3, not 1.
        assert_eq!(layout.layer, [0, 0, 2, 4, 4, 4, 3]);
    }

    #[test]
    fn a_junction_inside_a_phase_before_another_moves_down_within_it() {
        // The join (T001, T002 before T003-T005) has all its tasks in phase
        // A, which a boundary row separates from B.
        let text = "## A\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs\n- [ ] T006 x in x.rs\n\
- [ ] T007 y in y.rs\n- [ ] T003 c in c.rs\n- [ ] T004 d in d.rs\n- [ ] T005 e in e.rs\n\
## B\n- [ ] T008 f in f.rs\n\
## Dependencies\n- T001 blocks T006\n- T006 blocks T007\n- T007 blocks T003, T004, T005\n\
- T001, T002 before T003-T005\n";
        let scene = scene(text);
        let layout = Layout::new(&scene);
        assert_eq!(layout.layer, [0, 0, 1, 2, 3, 3, 3, 5, 2]);
        assert_eq!(layout.cluster[8], Some(1));
    }

    #[test]
    fn a_task_waiting_for_a_later_phase_leaves_its_box_and_sits_below() {
        let text = "## A\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs (depends on T004)\n\
- [ ] T003 c in c.rs (depends on T002)\n## B\n- [ ] T004 d in d.rs\n- [ ] T005 e in e.rs\n\
## Dependencies\n- T001 blocks T004\n";
        let scene = scene(text);
        let layout = Layout::new(&scene);
        assert_eq!(layout.cluster, [Some(1), None, None, Some(2), Some(2)]);
        assert_eq!(layout.layer, [0, 3, 4, 2, 2]);
        // The text formats keep every task in its phase.
        assert!(scene
            .to_mermaid()
            .contains("subgraph phase1 [\"A\"]\n        T001[\"T001: a in a.rs\"]\n        T002"));
    }

    #[test]
    fn with_a_cycle_anywhere_every_task_stays_in_its_phase_box() {
        // T001 waits for T003 of a later phase, but T004 and T005 wait for
        // each other: there is no order to judge by, so nothing leaves.
        let text = "## A\n- [ ] T001 a in a.rs (depends on T003)\n## B\n- [ ] T003 c in c.rs\n\
- [ ] T004 d in d.rs (depends on T005)\n- [ ] T005 e in e.rs (depends on T004)\n";
        let layout = Layout::new(&scene(text));
        assert_eq!(layout.cluster, [Some(1), Some(2), Some(2), Some(2)]);
    }

    #[test]
    fn crossing_reduction_untangles_what_file_order_crosses() {
        // File order puts T003 under T002 and T004 under T001, crossing.
        let text = "## A\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs\n## B\n- [ ] T003 c in c.rs\n- [ ] T004 d in d.rs\n\
## Dependencies\n- T001 blocks T004\n- T002 blocks T003\n";
        let scene = scene(text);
        let layout = Layout::new(&scene);
        let (t001, t002, t003, t004) = (layout.x[0], layout.x[1], layout.x[2], layout.x[3]);
        assert_eq!(t001 < t002, t004 < t003, "{:?}", layout.x);
        let order = vec![vec![0, 1], vec![4, 5], vec![2, 3]];
        let segments = [(0, 4), (4, 3), (1, 5), (5, 2)];
        assert_eq!(crossings(&order, &segments, 6), 1);
        let untangled = reduce_crossings(order, &segments, 6);
        assert_eq!(crossings(&untangled, &segments, 6), 0);
        // The first sweep goes down: the top row keeps the file order and
        // the rows below follow it.
        assert_eq!(untangled, [vec![0, 1], vec![4, 5], vec![3, 2]]);
    }

    #[test]
    fn sweeps_alternate_down_and_up_each_row_sorted_by_its_neighbours_mean_place() {
        let order = vec![vec![0, 1, 2], vec![3, 4, 5]];
        let segments = [(0, 4), (0, 5), (1, 3), (1, 4), (2, 5)];
        assert_eq!(crossings(&order, &segments, 6), 3);
        // Down: 4 (under 0 and 1, mean place 0.5) goes before 3 (under 1),
        // 2 crossings left. Up: 1 (over 3 and 4, mean 0.5) goes before 0
        // (over 4 and 5, mean 1), 1 left. Down again: 3, 4, 5, none left.
        let untangled = reduce_crossings(order, &segments, 6);
        assert_eq!(untangled, [vec![1, 0, 2], vec![3, 4, 5]]);
        assert_eq!(crossings(&untangled, &segments, 6), 0);
    }

    #[test]
    fn an_order_without_crossings_is_kept() {
        // A sweep would move 4 (under 0) before 3, crossing nothing either.
        let order = vec![vec![0, 1], vec![2, 3, 4]];
        assert_eq!(reduce_crossings(order.clone(), &[(0, 4)], 5), order);
    }

    #[test]
    fn crossings_are_inversions_between_adjacent_rows() {
        assert_eq!(inversions(&mut [3, 1, 2]), 2);
        assert_eq!(inversions(&mut [1, 1, 2]), 0);
        assert_eq!(inversions(&mut [4, 3, 2, 1]), 6);
        // 1 is below both of 2 and 4, 3 below 4 only.
        assert_eq!(inversions(&mut [2, 4, 1, 3]), 3);
        let order = vec![vec![0, 1, 2], vec![3, 4]];
        // 0→4 crosses 1→3 and 2→3; 1→3 and 2→3 share an end.
        assert_eq!(crossings(&order, &[(0, 4), (1, 3), (2, 3)], 5), 2);
    }

    #[test]
    fn rows_keep_their_order_and_gaps_as_close_as_possible_to_the_wish() {
        let items = [
            Item {
                width: 100.0,
                bend_of: None,
            },
            Item {
                width: 10.0,
                bend_of: None,
            },
            Item {
                width: 100.0,
                bend_of: None,
            },
        ];
        let mut x = [0.0; 3];
        fit(&[0, 1, 2], &items, &[50.0, 50.0, 400.0], &mut x);
        // 0 and 1 want the same place: they share it, 79 apart (55 + 24).
        assert_eq!(x, [10.5, 89.5, 400.0]);
    }

    fn boxes(count: usize) -> Vec<Item> {
        vec![
            Item {
                width: BOX_W,
                bend_of: None,
            };
            count
        ]
    }

    /// Centres to the hundredth.
    fn rounded(x: &[f64]) -> Vec<f64> {
        x.iter().map(|v| (v * 100.0).round() / 100.0).collect()
    }

    #[test]
    fn a_node_settles_under_the_mean_of_its_parents() {
        // 3 under 0 and 1, 4 under 2; boxes 244 apart (220 + 24), the
        // leftmost edge at 34 (margin and cluster padding).
        let order = [vec![0, 1, 2], vec![3, 4]];
        let x = place(&order, &boxes(5), &[(0, 3), (1, 3), (2, 4)], &[]);
        assert_eq!(rounded(&x), [144.0, 388.0, 632.0, 266.0, 632.0]);
    }

    #[test]
    fn the_passes_alternate_down_first_and_up_last() {
        // 4 under 1, 5 under 1 and 3, 2 under 0. A downward pass puts 4 and
        // 5 at 144 and 388, under their parents' mean; the last, upward,
        // pass then pulls row 1 towards them, which leaves them 40.67 to the
        // right of it (the passes have not settled here).
        let order = [vec![0], vec![1, 2, 3], vec![4, 5]];
        let x = place(&order, &boxes(6), &[(0, 2), (1, 4), (1, 5), (3, 5)], &[]);
        assert_eq!(rounded(&x), [388.0, 144.0, 388.0, 632.0, 184.67, 428.67]);
    }

    #[test]
    fn a_bend_point_gives_way_eight_times_less_than_a_box() {
        let items = [
            Item {
                width: 100.0,
                bend_of: None,
            },
            Item {
                width: 10.0,
                bend_of: Some(0),
            },
        ];
        // (row, wished centres in row order), either item first.
        for (row, desired) in [
            ([0, 1], [0.0, 0.0]),
            ([0, 1], [10.0, 81.0]),
            ([1, 0], [-1.0, 77.0]),
        ] {
            let mut x = [0.0; 2];
            fit(&row, &items, &desired, &mut x);
            let wish = |item: usize| desired[row.iter().position(|&r| r == item).unwrap()];
            // 79 apart (50 + 5 + 24), not the 0, 71 or 78 wished: the box
            // moves eight times as far as the bend point (least squares,
            // weights 1 and 8).
            let (left, right) = (x[row[0]], x[row[1]]);
            assert!((right - left - 79.0).abs() < 1e-9, "{x:?}");
            let pull = (x[0] - wish(0)) + 8.0 * (x[1] - wish(1));
            assert!(pull.abs() < 1e-9, "{x:?}");
        }
    }

    #[test]
    fn a_junction_with_as_many_after_as_before_stays_under_those_before() {
        let text = "## A\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs\n## B\n- [ ] T005 x in x.rs\n\
## C\n- [ ] T003 c in c.rs\n- [ ] T004 d in d.rs\n\
## Dependencies\n- T001, T002 before T003, T004\n";
        let scene = scene(text);
        let layout = Layout::new(&scene);
        // A in row 0, B in row 2, C in row 4; the join right under A.
        assert_eq!(layout.layer, [0, 0, 2, 4, 4, 1]);
    }

    #[test]
    fn svg_boxes_labels_clusters_and_edges() {
        let svg = scene(TASKS).to_svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<g class=\"task").count(), 6);
        assert_eq!(svg.matches("<g class=\"task done\">").count(), 1);
        assert_eq!(svg.matches("<path class=\"edge\"").count(), 8);
        assert_eq!(svg.matches("<circle class=\"join\"").count(), 1);
        assert_eq!(svg.matches("<g class=\"phase\">").count(), 3);
        assert!(svg.contains("<g class=\"phase\"><title>Phase 2: Core</title><rect "));
        assert!(svg.contains("paint-order=\"stroke\">Phase 2: Core</text>\n"));
        assert!(svg.ends_with("paint-order=\"stroke\">Phase 3: Tests</text>\n</svg>\n"));
        assert!(svg.contains("<title>T004: C &quot;q&quot; in src/c.rs</title>"));
        assert!(svg.contains("font-weight=\"bold\">T001 ✓</text>"));
        assert!(svg.contains("font-size=\"11\">C &quot;q&quot; in src/c.rs</text>"));
    }

    #[test]
    fn labels_wrap_at_spaces_and_end_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(label("say \"hi\"", '#'), "say #quot;hi#quot;");
        assert_eq!(label("a\\b \"c\"", '\\'), "a\\\\b \\\"c\\\"");
        assert_eq!(wrap("one two three four", 9, 2), ["one two", "three fo…"]);
        assert_eq!(wrap("short", 9, 2), ["short"]);
        assert_eq!(wrap("abcdefghijkl mn", 5, 3), ["abcde", "fghij", "kl mn"]);
        assert_eq!(wrap("  ", 9, 2), Vec::<String>::new());
        assert_eq!(wrap("one two", 9, 0), Vec::<String>::new());
    }

    #[test]
    fn a_word_that_ends_exactly_at_the_width_stays_on_its_line() {
        assert_eq!(wrap("one two three", 7, 2), ["one two", "three"]);
        assert_eq!(wrap("one two three", 6, 2), ["one", "two t…"]);
    }

    /// Two phases of one task each, the first done, one edge: every
    /// coordinate follows from the constants (box 220×52, margin 24, cluster
    /// padding 10 and title 18, rows 52 + 56 apart, T002 in row 2 below the
    /// boundary row).
    #[test]
    fn a_tiny_graph_is_drawn_at_exact_coordinates() {
        let svg = scene(
            "## A\n- [x] T001 Set up in a.rs\n## B\n\
- [ ] T002 Use the configured thing from phase one in every command of src/b.rs\n\
## Dependencies\n- T001 blocks T002\n",
        )
        .to_svg();
        let body: Vec<&str> = svg.lines().collect();
        assert_eq!(
            body[0],
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"288\" height=\"344\" viewBox=\"0 0 288 344\" font-family=\"sans-serif\" font-size=\"12\">"
        );
        let phase = |title: &str, y: u32| {
            format!("<g class=\"phase\"><title>{title}</title><rect x=\"24\" y=\"{y}\" width=\"240\" height=\"90\" rx=\"8\" fill=\"#f4f6fa\" stroke=\"#9aa5b8\"/></g>")
        };
        assert_eq!(body[3], phase("A", 14));
        assert_eq!(body[4], phase("B", 230));
        // Straight down from T001's bottom (42 + 52) through the boundary
        // row (150 to 202) to T002's top (42 + 2 × 108), each step a curve
        // bending halfway down.
        assert_eq!(
            body[5],
            "<path class=\"edge\" d=\"M144,94 C144,122 144,122 144,150 C144,176 144,176 144,202 C144,230 144,230 144,258\" fill=\"none\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>"
        );
        assert_eq!(
            body[6],
            "<g class=\"task done\"><title>T001: Set up in a.rs</title>\
<rect x=\"34\" y=\"42\" width=\"220\" height=\"52\" rx=\"6\" fill=\"#d4edda\" stroke=\"#28a745\"/>\
<text x=\"42\" y=\"58\" font-weight=\"bold\">T001 ✓</text>\
<text x=\"42\" y=\"73\" font-size=\"11\">Set up in a.rs</text></g>"
        );
        // Two lines, the second cut with an ellipsis; the title keeps it all.
        assert_eq!(
            body[7],
            "<g class=\"task\"><title>T002: Use the configured thing from phase one in every command of src/b.rs</title>\
<rect x=\"34\" y=\"258\" width=\"220\" height=\"52\" rx=\"6\" fill=\"#ffffff\" stroke=\"#333333\"/>\
<text x=\"42\" y=\"274\" font-weight=\"bold\">T002</text>\
<text x=\"42\" y=\"289\" font-size=\"11\">Use the configured thing from</text>\
<text x=\"42\" y=\"302\" font-size=\"11\">phase one in every command of src…</text></g>"
        );
        let title = |title: &str, y: u32| {
            format!("<text class=\"phase-title\" x=\"32\" y=\"{y}\" font-weight=\"bold\" fill=\"#44506a\" stroke=\"#f4f6fa\" stroke-width=\"5\" paint-order=\"stroke\">{title}</text>")
        };
        assert_eq!(body[8], title("A", 29));
        assert_eq!(body[9], title("B", 245));
        assert_eq!(body[10..], ["</svg>"]);
    }

    /// The numbers of an SVG attribute, in order (for a path's `d`, x and y
    /// alternating).
    fn numbers(element: &str, name: &str) -> Vec<f64> {
        let start = element.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        let end = start + element[start..].find('"').unwrap();
        element[start..end]
            .split([' ', ',', 'M', 'C'])
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().expect("a number"))
            .collect()
    }

    #[test]
    fn svg_edges_leave_the_bottom_of_one_node_and_enter_the_top_of_the_next() {
        let scene = scene(TASKS);
        let svg = scene.to_svg();
        // Each node's (centre x, top, bottom), in node order: a task's box, a
        // junction's circle.
        let nodes: Vec<(f64, f64, f64)> = svg
            .lines()
            .filter(|l| l.starts_with("<g class=\"task") || l.starts_with("<circle"))
            .map(|l| match l.strip_prefix("<circle") {
                Some(circle) => {
                    let (cy, r) = (numbers(circle, "cy")[0], numbers(circle, "r")[0]);
                    (numbers(circle, "cx")[0], cy - r, cy + r)
                }
                None => {
                    let rect = &l[l.find("<rect ").unwrap()..];
                    let (x, y) = (numbers(rect, "x")[0], numbers(rect, "y")[0]);
                    let (w, h) = (numbers(rect, "width")[0], numbers(rect, "height")[0]);
                    (x + w / 2.0, y, y + h)
                }
            })
            .collect();
        assert_eq!(nodes.len(), scene.nodes.len());
        let paths: Vec<Vec<f64>> = svg
            .lines()
            .filter(|l| l.starts_with("<path class=\"edge\""))
            .map(|l| numbers(l, "d"))
            .collect();
        let edges = scene.drawn_edges();
        assert_eq!(paths.len(), edges.len());
        let near = |a: f64, b: f64| (a - b).abs() <= 1.0;
        for (&(before, after), d) in edges.iter().zip(&paths) {
            let (x0, _, bottom) = nodes[before];
            let (x1, top, _) = nodes[after];
            assert!(near(d[0], x0) && d[1] == bottom, "{before}: {d:?}");
            let end = (d[d.len() - 2], d[d.len() - 1]);
            assert!(near(end.0, x1) && end.1 == top, "{after}: {d:?}");
            // Each step a curve from (px, py) to (x, y) through (px, m) and
            // (x, m), m halfway down.
            let mut from = (d[0], d[1]);
            for step in d[2..].chunks(6) {
                let middle = (from.1 + step[5]) / 2.0;
                assert!(from.1 < step[5], "{d:?}");
                assert_eq!([step[0], step[2]], [from.0, step[4]], "{d:?}");
                assert!(near(step[1], middle) && step[1] == step[3], "{d:?}");
                from = (step[4], step[5]);
            }
        }
    }

    #[test]
    fn a_graph_of_exactly_the_refined_size_is_still_reduced() {
        let mut text = String::new();
        for n in 1..=REFINED_UP_TO {
            text.push_str(&format!("- [ ] T{n:05} t in f{n}.rs\n"));
        }
        text.push_str("## Dependencies\n- T00001 blocks T00002\n- T00002 blocks T00003\n- T00001 blocks T00003\n");
        assert_eq!(scene(&text).drawn_edges(), [(0, 1), (1, 2)]);
    }

    #[test]
    fn a_cycle_still_draws_every_node_in_a_finite_layer() {
        let scene = scene("- [ ] T001 a (depends on T002)\n- [ ] T002 b (depends on T001)\n");
        let layout = Layout::new(&scene);
        assert_eq!(layout.layer.len(), 2);
        assert_eq!(scene.drawn_edges().len(), 2);
        assert_eq!(scene.to_svg().matches("<g class=\"task\">").count(), 2);
    }

    #[test]
    fn a_graph_too_large_to_refine_is_drawn_as_stated() {
        let mut text = String::new();
        for n in 1..=REFINED_UP_TO + 1 {
            text.push_str(&format!("- [ ] T{n:05} t in f{n}.rs\n"));
        }
        text.push_str("## Dependencies\n- T00001 blocks T00002\n- T00002 blocks T00003\n- T00001 blocks T00003\n");
        let scene = scene(&text);
        assert_eq!(scene.drawn_edges().len(), 3);
        let layout = Layout::new(&scene);
        assert!(layout.routes.iter().all(|route| route.len() == 2));
    }
}
