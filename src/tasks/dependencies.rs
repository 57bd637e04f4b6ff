//! The Dependencies section written the seed's way: after transitive
//! reduction, each line states that a group of tasks precedes a group
//! (`Tests (T018-T023) before T035-T039`, `T004 blocks T014, T015`), with
//! ranges wherever the file's IDs run on, and a phase's name where a side is
//! the whole phase.
//!
//! Every line states only edges of the reduction, so reading the section back
//! gives the reduction, whose reachability is the one generate computed.

use super::model::{Task, TaskId};
use petgraph::adj::UnweightedList;
use petgraph::algo::toposort;
use petgraph::algo::tred::{dag_to_toposorted_adjacency_list, dag_transitive_reduction_closure};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::IntoNeighbors;
use std::collections::{BTreeMap, BTreeSet};

/// A heading and the task IDs written under it, in file order.
pub struct Phase<'a> {
    pub title: &'a str,
    pub ids: Vec<TaskId>,
}

/// One line per group statement, without the list marker, in ID order.
pub fn statements(tasks: &[&Task], phases: &[Phase]) -> Vec<String> {
    let mut nodes: Vec<TaskId> = tasks
        .iter()
        .flat_map(|t| std::iter::once(t.id).chain(t.depends_on.iter().copied()))
        .collect();
    nodes.sort();
    nodes.dedup();
    let index = |id: &TaskId| nodes.binary_search(id).unwrap_or_default();
    let edges: Vec<(usize, usize)> = tasks
        .iter()
        .flat_map(|t| t.depends_on.iter().map(|d| (index(d), index(&t.id))))
        .filter(|(before, after)| before != after)
        .collect();
    let edges = transitive_reduction(nodes.len(), &edges).unwrap_or(edges);
    let writer = Writer::new(&nodes, phases);
    cover(&edges)
        .iter()
        .map(|(before, after)| writer.statement(before, after))
        .collect()
}

/// Whether a line (without its list marker) has the shape [`statements`]
/// writes, so that regenerating replaces it rather than losing it.
pub fn is_statement(line: &str) -> bool {
    ["blocks", "before"].iter().any(|verb| {
        line.split_once(&format!(" {verb} "))
            .is_some_and(|(before, after)| is_side(before) && is_side(after))
    })
}

/// `T001`, `T004-T009, T012`, or `Name words (T004-T009)`.
fn is_side(side: &str) -> bool {
    let listed = match side.strip_suffix(')').and_then(|s| s.split_once(" (")) {
        Some((name, listed)) if name.chars().all(|c| c.is_alphabetic() || c == ' ') => listed,
        _ => side,
    };
    listed.split(", ").all(|item| {
        let (first, last) = item.split_once('-').unwrap_or((item, item));
        TaskId::parse(item).is_some()
            || (TaskId::parse(first).is_some() && TaskId::parse(last).is_some())
    })
}

/// The edges of a DAG over nodes `0..count` that no longer path implies,
/// sorted; `None` when the edges form a cycle (`check` reports it, and every
/// edge is then written as stated).
pub fn transitive_reduction(count: usize, edges: &[(usize, usize)]) -> Option<Vec<(usize, usize)>> {
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(count, edges.len());
    for _ in 0..count {
        graph.add_node(());
    }
    for &(from, to) in edges {
        graph.update_edge(NodeIndex::new(from), NodeIndex::new(to), ());
    }
    let order = toposort(&graph, None).ok()?;
    let (sorted, _) = dag_to_toposorted_adjacency_list::<_, u32>(&graph, &order);
    let (reduction, _): (UnweightedList<u32>, _) = dag_transitive_reduction_closure(&sorted);
    // The reduction numbers nodes by their place in `order`.
    let original = |at: u32| order[at as usize].index();
    let mut reduced: Vec<(usize, usize)> = reduction
        .node_indices()
        .flat_map(|from| reduction.neighbors(from).map(move |to| (from, to)))
        .map(|(from, to)| (original(from), original(to)))
        .collect();
    reduced.sort_unstable();
    Some(reduced)
}

type Group = BTreeSet<usize>;

/// Complete bipartite groups (every node of the first before every node of
/// the second) that together state each edge, and no pair that is not an
/// edge. Greedy: the candidates are the nodes that share their exact
/// predecessors (with those predecessors) and the nodes that share their
/// exact successors (with those successors); the candidate stating the most
/// edges not yet stated goes first, trimmed to what it adds.
fn cover(edges: &[(usize, usize)]) -> Vec<(Group, Group)> {
    let mut before_of: BTreeMap<usize, Group> = BTreeMap::new();
    let mut after_of: BTreeMap<usize, Group> = BTreeMap::new();
    for &(before, after) in edges {
        before_of.entry(after).or_default().insert(before);
        after_of.entry(before).or_default().insert(after);
    }
    let mut candidates: Vec<(Group, Group)> = Vec::new();
    for (node, befores) in &before_of {
        push_into(&mut candidates, befores.clone(), *node, true);
    }
    for (node, afters) in &after_of {
        push_into(&mut candidates, afters.clone(), *node, false);
    }
    let mut open: BTreeSet<(usize, usize)> = edges.iter().copied().collect();
    let mut chosen = Vec::new();
    while !open.is_empty() {
        // The first of the candidates that state the most open edges.
        let Some((_, best)) = candidates
            .iter()
            .enumerate()
            .map(|(at, (before, after))| {
                let states = pairs(before, after).filter(|p| open.contains(p)).count();
                ((states, std::cmp::Reverse(at)), (before, after))
            })
            // Every open edge is in a candidate; the filter only rules out a loop.
            .filter(|((states, _), _)| *states > 0)
            .max_by_key(|(key, _)| *key)
        else {
            break;
        };
        let after: Group = best
            .1
            .iter()
            .copied()
            .filter(|&a| best.0.iter().any(|&b| open.contains(&(b, a))))
            .collect();
        let before: Group = best
            .0
            .iter()
            .copied()
            .filter(|&b| after.iter().any(|&a| open.contains(&(b, a))))
            .collect();
        for pair in pairs(&before, &after).collect::<Vec<_>>() {
            open.remove(&pair);
        }
        chosen.push((before, after));
    }
    chosen.sort();
    chosen
}

/// Adds `node` to the candidate whose shared side is `shared`, or a new one.
fn push_into(
    candidates: &mut Vec<(Group, Group)>,
    shared: Group,
    node: usize,
    shared_before: bool,
) {
    let found = candidates.iter_mut().find(|(before, after)| {
        if shared_before {
            *before == shared
        } else {
            *after == shared
        }
    });
    match (found, shared_before) {
        (Some((_, after)), true) => {
            after.insert(node);
        }
        (Some((before, _)), false) => {
            before.insert(node);
        }
        (None, true) => candidates.push((shared, Group::from([node]))),
        (None, false) => candidates.push((Group::from([node]), shared)),
    }
}

fn pairs<'g>(before: &'g Group, after: &'g Group) -> impl Iterator<Item = (usize, usize)> + 'g {
    before
        .iter()
        .flat_map(move |&b| after.iter().map(move |&a| (b, a)))
}

/// Writes groups of nodes as IDs and ranges over the file's tasks.
struct Writer<'a> {
    nodes: &'a [TaskId],
    /// The file's task IDs in ID order: what a range expands over.
    written: Vec<TaskId>,
    phases: &'a [Phase<'a>],
}

impl<'a> Writer<'a> {
    fn new(nodes: &'a [TaskId], phases: &'a [Phase<'a>]) -> Writer<'a> {
        let mut written: Vec<TaskId> = phases.iter().flat_map(|p| p.ids.iter().copied()).collect();
        written.sort();
        written.dedup();
        Writer {
            nodes,
            written,
            phases,
        }
    }

    fn statement(&self, before: &Group, after: &Group) -> String {
        let verb = if before.len() == 1 {
            "blocks"
        } else {
            "before"
        };
        format!(
            "{} {verb} {}",
            self.side(before, false),
            self.side(after, true)
        )
    }

    /// `T001`, `T002, T003`, `T004-T009, T012`, or a whole phase as
    /// `Tests (T018-T023)` (lower-case after the verb).
    fn side(&self, group: &Group, after_verb: bool) -> String {
        let ids: Vec<TaskId> = group.iter().map(|&n| self.nodes[n]).collect();
        let listed = self.ranges(&ids);
        match self.whole_phase(&ids) {
            Some(name) if after_verb => format!("{} ({listed})", name.to_lowercase()),
            Some(name) => format!("{name} ({listed})"),
            None => listed,
        }
    }

    /// The phase's short name (`Phase 3.3: Tests First (TDD)` → `Tests
    /// First`) when `ids` are all of a phase's tasks and more than one.
    fn whole_phase(&self, ids: &[TaskId]) -> Option<&'a str> {
        let phase = self.phases.iter().find(|p| {
            p.ids.len() > 1 && p.ids.len() == ids.len() && p.ids.iter().all(|id| ids.contains(id))
        })?;
        let name = phase.title.rsplit_once(':').map_or(phase.title, |(_, n)| n);
        let name = name.split_once(" (").map_or(name, |(n, _)| n).trim();
        // Only words, so that `is_statement` knows the line again.
        let words = !name.is_empty() && name.chars().all(|c| c.is_alphabetic() || c == ' ');
        words.then_some(name)
    }

    /// Sorted IDs with runs of three or more consecutive file IDs (same
    /// prefix) as `first-last`.
    fn ranges(&self, ids: &[TaskId]) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut run: Vec<TaskId> = Vec::new();
        let flush = |run: &mut Vec<TaskId>, parts: &mut Vec<String>| {
            match run.as_slice() {
                [first, _, .., last] => parts.push(format!("{first}-{last}")),
                short => parts.extend(short.iter().map(ToString::to_string)),
            }
            run.clear();
        };
        for &id in ids {
            let continues = run.last().is_some_and(|&last| {
                last.prefix() == id.prefix() && self.next_written(last) == Some(id)
            });
            if !continues {
                flush(&mut run, &mut parts);
            }
            run.push(id);
        }
        flush(&mut run, &mut parts);
        parts.join(", ")
    }

    /// The file's next task ID after `id`, if `id` is one of the file's.
    fn next_written(&self, id: TaskId) -> Option<TaskId> {
        let at = self.written.binary_search(&id).ok()?;
        self.written.get(at + 1).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, depends_on: &[&str]) -> Task {
        Task {
            id: TaskId::parse(id).unwrap(),
            phase: String::new(),
            parallel: false,
            description: String::new(),
            paths: Vec::new(),
            depends_on: depends_on
                .iter()
                .map(|d| TaskId::parse(d).unwrap())
                .collect(),
            done: false,
        }
    }

    fn phase<'a>(title: &'a str, ids: &[&str]) -> Phase<'a> {
        Phase {
            title,
            ids: ids.iter().map(|i| TaskId::parse(i).unwrap()).collect(),
        }
    }

    #[test]
    fn reduction_drops_edges_that_longer_paths_imply() {
        let edges = [(0, 1), (1, 2), (0, 2), (2, 3), (0, 3), (1, 3)];
        assert_eq!(
            transitive_reduction(4, &edges),
            Some(vec![(0, 1), (1, 2), (2, 3)])
        );
        assert_eq!(transitive_reduction(2, &[(0, 1), (1, 0)]), None);
    }

    #[test]
    fn whole_groups_are_ranges_and_single_edges_are_listed() {
        // T001 blocks T002-T004; each of them blocks T005-T007 (nine edges,
        // one statement); T005 alone blocks T008; T001→T008 is implied.
        let tasks = [
            task("T001", &[]),
            task("T002", &["T001"]),
            task("T003", &["T001"]),
            task("T004", &["T001"]),
            task("T005", &["T002", "T003", "T004", "T001"]),
            task("T006", &["T002", "T003", "T004"]),
            task("T007", &["T002", "T003", "T004"]),
            task("T008", &["T005", "T001"]),
        ];
        let refs: Vec<&Task> = tasks.iter().collect();
        let phases = [
            phase("Phase 3.1: Setup", &["T001"]),
            phase("Phase 3.2: Core Implementation", &["T002", "T003", "T004"]),
            phase("Phase 3.3: Tests First (TDD)", &["T005", "T006", "T007"]),
            phase("Phase 3.4: Polish", &["T008"]),
        ];
        let lines = statements(&refs, &phases);
        assert!(lines.iter().all(|line| is_statement(line)), "{lines:?}");
        assert_eq!(
            lines,
            [
                "T001 blocks core implementation (T002-T004)",
                "Core Implementation (T002-T004) before tests first (T005-T007)",
                "T005 blocks T008",
            ]
        );
    }

    #[test]
    fn a_phase_name_that_is_not_only_words_is_left_out() {
        let tasks = [
            task("T001", &[]),
            task("T002", &["T001"]),
            task("T003", &["T001"]),
        ];
        let refs: Vec<&Task> = tasks.iter().collect();
        let phases = [
            phase("Phase 1: Setup", &["T001"]),
            phase("Phase 2: Set-up v2", &["T002", "T003"]),
        ];
        let lines = statements(&refs, &phases);
        assert_eq!(lines, ["T001 blocks T002, T003"]);
        assert!(lines.iter().all(|line| is_statement(line)));
    }

    #[test]
    fn ranges_break_where_the_file_has_a_task_outside_the_group() {
        // T003a and T007 are in the file and wait for nothing; T008 is not.
        let tasks = [
            task("T001", &[]),
            task("T002", &["T001"]),
            task("T003", &["T001"]),
            task("T003a", &[]),
            task("T004", &["T001"]),
            task("T005", &["T001"]),
            task("T006", &["T001"]),
            task("C001", &["T001"]),
            task("T009", &["T001", "T404"]),
        ];
        let refs: Vec<&Task> = tasks.iter().collect();
        let ids = [
            "C001", "T001", "T002", "T003", "T003a", "T004", "T005", "T006", "T007", "T009",
        ];
        let phases = [phase("Phase 1", &ids)];
        assert_eq!(
            statements(&refs, &phases),
            [
                "T001 blocks C001, T002, T003, T004-T006, T009",
                "T404 blocks T009",
            ]
        );
        let without_t007 = [phase("Phase 1", &[&ids[..8], &ids[9..]].concat())];
        assert_eq!(
            statements(&refs, &without_t007),
            [
                "T001 blocks C001, T002, T003, T004-T009",
                "T404 blocks T009",
            ]
        );
    }

    #[test]
    fn written_shapes_are_recognised_and_prose_is_not() {
        for line in [
            "T001 blocks T002",
            "T001 blocks T002-T006, T008",
            "T007, T010 before T018, T020-T024",
            "Tests First (T018-T023) before core implementation (T024-T030, T053-TEST)",
        ] {
            assert!(is_statement(line), "{line}");
        }
        for line in [
            "T001 blocks T002 until the registry is up",
            "Models before services",
            "T001 (see notes) before T002",
            "T001 blocks T002-",
            "call T001 before T002",
            "Set-up (T001-T003) before T004",
        ] {
            assert!(!is_statement(line), "{line}");
        }
    }

    #[test]
    fn the_groups_state_exactly_the_edges() {
        // Pseudo-random DAGs over 12 nodes (a linear congruential sequence).
        let mut seed: u64 = 7;
        for _ in 0..40 {
            let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
            for before in 0..12 {
                for after in before + 1..12 {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    if seed >> 61 == 0 {
                        edges.insert((before, after));
                    }
                }
            }
            let edges: Vec<(usize, usize)> = edges.into_iter().collect();
            let stated: BTreeSet<(usize, usize)> = cover(&edges)
                .iter()
                .flat_map(|(before, after)| pairs(before, after).collect::<Vec<_>>())
                .collect();
            assert_eq!(stated, edges.iter().copied().collect(), "{edges:?}");
        }
    }

    #[test]
    fn a_cycle_is_written_as_stated() {
        let tasks = [task("T001", &["T002"]), task("T002", &["T001"])];
        let refs: Vec<&Task> = tasks.iter().collect();
        let phases = [phase("Phase 1", &["T001", "T002"])];
        assert_eq!(
            statements(&refs, &phases),
            ["T001 blocks T002", "T002 blocks T001"]
        );
    }
}
