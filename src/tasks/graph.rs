//! The dependency graph over task IDs: order, cycles, what is ready, what can
//! run together, and drawings of it (Mermaid, DOT, SVG).

use super::model::{paths_overlap, Task, TaskId};
use std::collections::HashMap;
use std::fmt::Write;

pub struct Graph<'a> {
    tasks: Vec<&'a Task>,
    /// For each task, the indices of the tasks it depends on (known IDs only).
    prerequisites: Vec<Vec<usize>>,
}

impl<'a> Graph<'a> {
    /// Builds the graph; a repeated ID keeps its first task, dependencies on
    /// unknown IDs are left out (`check` reports both).
    pub fn new(all: &'a [Task]) -> Graph<'a> {
        let mut index: HashMap<TaskId, usize> = HashMap::new();
        let mut tasks = Vec::new();
        for task in all {
            if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(task.id) {
                slot.insert(tasks.len());
                tasks.push(task);
            }
        }
        let prerequisites = tasks
            .iter()
            .map(|task| {
                let mut deps: Vec<usize> = task
                    .depends_on
                    .iter()
                    .filter_map(|id| index.get(id).copied())
                    .collect();
                deps.dedup();
                deps
            })
            .collect();
        Graph {
            tasks,
            prerequisites,
        }
    }

    /// A dependency cycle as the IDs along it, the first repeated at the end
    /// (`T001 → T002 → T001`), if there is one.
    pub fn cycle(&self) -> Option<Vec<TaskId>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Finished,
        }
        let mut marks = vec![Mark::New; self.tasks.len()];
        for root in 0..self.tasks.len() {
            if marks[root] != Mark::New {
                continue;
            }
            // Depth-first without recursion: (node, next prerequisite to visit).
            let mut path: Vec<(usize, usize)> = vec![(root, 0)];
            marks[root] = Mark::OnPath;
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                match self.prerequisites[node].get(*next).copied() {
                    Some(dep) => {
                        *next += 1;
                        match marks[dep] {
                            Mark::New => {
                                marks[dep] = Mark::OnPath;
                                path.push((dep, 0));
                            }
                            Mark::OnPath => {
                                let start = path.iter().position(|&(n, _)| n == dep)?;
                                // The path runs from dependent to prerequisite; print
                                // it in the order tasks must happen.
                                let mut cycle: Vec<TaskId> = path[start..]
                                    .iter()
                                    .map(|&(n, _)| self.tasks[n].id)
                                    .collect();
                                cycle.reverse();
                                cycle.insert(0, self.tasks[dep].id);
                                return Some(cycle);
                            }
                            Mark::Finished => {}
                        }
                    }
                    None => {
                        marks[node] = Mark::Finished;
                        path.pop();
                    }
                }
            }
        }
        None
    }

    /// Not done, and every known dependency done; in file order.
    pub fn ready(&self) -> Vec<&'a Task> {
        (0..self.tasks.len())
            .filter(|&i| {
                !self.tasks[i].done && self.prerequisites[i].iter().all(|&d| self.tasks[d].done)
            })
            .map(|i| self.tasks[i])
            .collect()
    }

    /// The ready tasks in batches that can run at the same time: consecutive
    /// `[P]` tasks of one phase that name no common path share a batch; every
    /// other task is a batch of its own.
    pub fn parallel_groups(&self) -> Vec<Vec<&'a Task>> {
        let mut groups: Vec<Vec<&'a Task>> = Vec::new();
        for task in self.ready() {
            let joins_last = task.parallel
                && groups.last().is_some_and(|group| {
                    group.iter().all(|other| {
                        other.parallel
                            && other.phase == task.phase
                            && !other
                                .paths
                                .iter()
                                .any(|p| task.paths.iter().any(|t| paths_overlap(p, t)))
                    })
                });
            match groups.last_mut() {
                Some(group) if joins_last => group.push(task),
                _ => groups.push(vec![task]),
            }
        }
        groups
    }

    /// Each task's layer: the length of its longest chain of prerequisites
    /// (edges that close a cycle are ignored).
    fn layers(&self) -> Vec<usize> {
        let mut layer = vec![0usize; self.tasks.len()];
        // Relaxation over at most n rounds terminates even with cycles.
        for _ in 0..self.tasks.len() {
            let mut changed = false;
            for node in 0..self.tasks.len() {
                for &dep in &self.prerequisites[node] {
                    if layer[dep] + 1 > layer[node] && layer[dep] < self.tasks.len() {
                        layer[node] = layer[dep] + 1;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        layer
    }

    fn edges(&self) -> impl Iterator<Item = (&'a Task, &'a Task)> + '_ {
        self.prerequisites
            .iter()
            .enumerate()
            .flat_map(move |(node, deps)| {
                deps.iter()
                    .map(move |&dep| (self.tasks[dep], self.tasks[node]))
            })
    }

    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        for task in &self.tasks {
            let _ = writeln!(
                out,
                "    {}[\"{}: {}\"]",
                task.id,
                task.id,
                label(task, '#')
            );
        }
        for (before, after) in self.edges() {
            let _ = writeln!(out, "    {} --> {}", before.id, after.id);
        }
        out.push_str("    classDef done fill:#d4edda,stroke:#28a745,color:#155724\n");
        let done: Vec<String> = self
            .tasks
            .iter()
            .filter(|t| t.done)
            .map(|t| t.id.to_string())
            .collect();
        if !done.is_empty() {
            let _ = writeln!(out, "    class {} done", done.join(","));
        }
        out
    }

    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph tasks {\n    rankdir=TB;\n    node [shape=box];\n");
        for task in &self.tasks {
            let style = if task.done {
                ", style=filled, fillcolor=\"#d4edda\", color=\"#28a745\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    {} [label=\"{}: {}\"{style}];",
                task.id,
                task.id,
                label(task, '\\')
            );
        }
        for (before, after) in self.edges() {
            let _ = writeln!(out, "    {} -> {};", before.id, after.id);
        }
        out.push_str("}\n");
        out
    }

    /// A layered drawing: one row per layer, tasks left to right in file
    /// order, edges as straight lines with arrowheads.
    pub fn to_svg(&self) -> String {
        const BOX_W: usize = 200;
        const BOX_H: usize = 44;
        const GAP_X: usize = 30;
        const GAP_Y: usize = 50;
        const MARGIN: usize = 20;
        let layers = self.layers();
        let mut rows: Vec<Vec<usize>> = Vec::new();
        for (node, &layer) in layers.iter().enumerate() {
            if rows.len() <= layer {
                rows.resize(layer + 1, Vec::new());
            }
            rows[layer].push(node);
        }
        let mut position = vec![(0usize, 0usize); self.tasks.len()];
        for (row, nodes) in rows.iter().enumerate() {
            for (column, &node) in nodes.iter().enumerate() {
                position[node] = (
                    MARGIN + column * (BOX_W + GAP_X),
                    MARGIN + row * (BOX_H + GAP_Y),
                );
            }
        }
        let widest = rows.iter().map(Vec::len).max().unwrap_or(0);
        let width = 2 * MARGIN + widest * (BOX_W + GAP_X);
        let height = 2 * MARGIN + rows.len() * (BOX_H + GAP_Y);
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
        );
        for (node, deps) in self.prerequisites.iter().enumerate() {
            for &dep in deps {
                let (x1, y1) = (position[dep].0 + BOX_W / 2, position[dep].1 + BOX_H);
                let (x2, y2) = (position[node].0 + BOX_W / 2, position[node].1);
                let _ = writeln!(
                    out,
                    "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>"
                );
            }
        }
        for (node, task) in self.tasks.iter().enumerate() {
            let (x, y) = position[node];
            let (fill, stroke, class) = if task.done {
                ("#d4edda", "#28a745", "task done")
            } else {
                ("#ffffff", "#333333", "task")
            };
            let _ = writeln!(
                out,
                "<g class=\"{class}\"><title>{}: {}</title><rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
                 <text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}{}</text><text x=\"{}\" y=\"{}\">{}</text></g>",
                task.id,
                xml_escape(&task.description),
                x + 8,
                y + 17,
                task.id,
                if task.done { " ✓" } else { "" },
                x + 8,
                y + 34,
                xml_escape(&truncate(&task.description, 30)),
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

/// The description, shortened, with quotes made safe for the target syntax.
fn label(task: &Task, quote_escape: char) -> String {
    let short = truncate(&task.description, 40);
    match quote_escape {
        '#' => short.replace('"', "#quot;"),
        _ => short.replace('\\', "\\\\").replace('"', "\\\""),
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

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::read::parse;

    const TASKS: &str = "## Phase 1: Setup\n- [x] T001 Setup in Cargo.toml\n\
## Phase 2: Core\n- [ ] T002 [P] A in src/a.rs\n- [ ] T003 [P] B in src/b.rs\n- [ ] T004 [P] B again in src/b.rs\n\
- [ ] T005 Wire in src/main.rs\n## Phase 3: Tests\n- [ ] T006 [P] Test \"a\" in tests/a.rs\n\
## Dependencies\n- T001 blocks T002, T003, T004\n- T002-T004 before T005\n- T005 before T006\n";

    fn ids(tasks: &[&Task]) -> Vec<String> {
        tasks.iter().map(|t| t.id.to_string()).collect()
    }

    #[test]
    fn ready_tasks_have_every_dependency_done() {
        let tasks = parse(TASKS).task_list();
        let graph = Graph::new(&tasks);
        assert_eq!(ids(&graph.ready()), ["T002", "T003", "T004"]);
    }

    #[test]
    fn parallel_groups_split_on_shared_files() {
        let tasks = parse(TASKS).task_list();
        let graph = Graph::new(&tasks);
        let groups: Vec<Vec<String>> = graph.parallel_groups().iter().map(|g| ids(g)).collect();
        assert_eq!(groups, [vec!["T002", "T003"], vec!["T004"]]);
    }

    #[test]
    fn finds_and_orders_a_cycle() {
        let text = "- [ ] T001 a\n- [ ] T002 b (depends on T001)\n- [ ] T003 c (depends on T002)\n## Dependencies\n- T003 blocks T001\n";
        let tasks = parse(text).task_list();
        let cycle: Vec<String> = Graph::new(&tasks)
            .cycle()
            .unwrap()
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(cycle, ["T001", "T002", "T003", "T001"]);
        assert!(Graph::new(&parse(TASKS).task_list()).cycle().is_none());
    }

    #[test]
    fn self_dependency_is_a_cycle() {
        let tasks = parse("- [ ] T001 a (depends on T001)\n").task_list();
        let cycle: Vec<String> = Graph::new(&tasks)
            .cycle()
            .unwrap()
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(cycle, ["T001", "T001"]);
    }

    #[test]
    fn renders_edges_and_done_style() {
        let tasks = parse(TASKS).task_list();
        let graph = Graph::new(&tasks);
        let mermaid = graph.to_mermaid();
        assert!(mermaid.starts_with("flowchart TD\n"));
        assert!(mermaid.contains("    T001 --> T002\n"));
        assert!(mermaid.contains("    T006[\"T006: Test #quot;a#quot; in tests/a.rs\"]\n"));
        assert!(mermaid.contains("    class T001 done\n"));
        let dot = graph.to_dot();
        assert!(dot.contains("    T005 -> T006;\n"));
        assert!(dot.contains("T001 [label=\"T001: Setup in Cargo.toml\", style=filled"));
        assert!(dot.contains("T006 [label=\"T006: Test \\\"a\\\" in tests/a.rs\"];"));
        let svg = graph.to_svg();
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<rect ").count(), 6);
        assert_eq!(svg.matches("<line ").count(), 3 + 3 + 1);
        assert_eq!(svg.matches("class=\"task done\"").count(), 1);
        assert!(svg.contains("Test &quot;a&quot;"));
    }

    #[test]
    fn layers_stay_finite_with_a_cycle() {
        let tasks =
            parse("- [ ] T001 a (depends on T002)\n- [ ] T002 b (depends on T001)\n").task_list();
        let svg = Graph::new(&tasks).to_svg();
        assert_eq!(svg.matches("<rect ").count(), 2);
    }
}
