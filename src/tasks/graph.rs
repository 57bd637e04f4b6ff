//! The one notion of "ready" that status, next, graph and done share, and
//! drawings of the stated dependencies (Mermaid, DOT, SVG).
//!
//! A task waits for:
//! 1. every task of the phases before its own (phase order: the seed and
//!    spec-kit's templates run phases one after the other);
//! 2. the tasks it is stated to depend on, wherever the file states it;
//! 3. unless its own lines state its dependencies (`Depends on: none`
//!    included), the step before it in its phase: a step is one task, or a
//!    run of consecutive `[P]` tasks that name no common path.
//!
//! A task is ready when it is open and everything it waits for is done. The
//! graph holds, besides the tasks, one node per phase boundary, per step and
//! per group statement (`T004-T009 before T010-T013`), so that its size stays
//! linear in the file: no statement is expanded into all its pairs.

use super::drawing::{self, Scene, TaskLabel};
use super::model::TaskId;
use super::prose;
use super::read::{TaskEntry, TasksDoc};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    /// Index into `TasksDoc::tasks` (the first entry of an ID).
    Task(usize),
    /// Done when all its prerequisites are done.
    Join,
}

pub struct Graph<'a> {
    doc: &'a TasksDoc,
    nodes: Vec<Node>,
    prerequisites: Vec<Vec<usize>>,
    /// Node of each task ID.
    node_of: HashMap<TaskId, usize>,
    /// Stated edges for drawing: (before node, after node); joins of group
    /// statements are drawn as small points.
    drawn: Vec<(usize, usize)>,
}

impl<'a> Graph<'a> {
    pub fn new(doc: &'a TasksDoc) -> Graph<'a> {
        let mut graph = Graph {
            doc,
            nodes: Vec::new(),
            prerequisites: Vec::new(),
            node_of: HashMap::new(),
            drawn: Vec::new(),
        };
        for (at, entry) in doc.tasks.iter().enumerate() {
            if doc.position(entry.task.id) == Some(at) {
                let node = graph.add(Node::Task(at));
                graph.node_of.insert(entry.task.id, node);
            }
        }
        graph.phase_order();
        graph.stated();
        graph
    }

    fn add(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.prerequisites.push(Vec::new());
        self.nodes.len() - 1
    }

    fn entry(&self, node: usize) -> Option<&'a TaskEntry> {
        match self.nodes[node] {
            Node::Task(at) => Some(&self.doc.tasks[at]),
            Node::Join => None,
        }
    }

    /// Rules 1 and 3: phase boundaries and steps inside a phase. A task
    /// stated to wait for a task that this order puts later is moved to that
    /// task's phase (see [`Graph::homes`]).
    fn phase_order(&mut self) {
        let phases = self.phases_in_order();
        let levels = self.levels(&phases);
        let steps: Vec<Vec<Vec<usize>>> = phases.iter().map(|p| self.partition(p)).collect();
        let homes = self.homes(&levels, &steps);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); phases.len()];
        for (node, home) in homes.iter().enumerate() {
            if let Some((phase, _)) = *home {
                members[phase].push(node);
            }
        }
        let mut boundary: Option<usize> = None;
        let (mut entry, mut entry_level) = (None, None);
        for (at, phase_steps) in steps.iter().enumerate() {
            // Phases of one level (stories side by side) share their entry.
            if entry_level != Some(levels[at]) {
                (entry, entry_level) = (boundary, Some(levels[at]));
            }
            if let Some(entry) = entry {
                for &node in &members[at] {
                    self.prerequisites[node].push(entry);
                }
            }
            self.chain_steps(phase_steps, |node| homes[node] == Some((at, false)));
            let next = self.add(Node::Join);
            self.prerequisites[next] = std::mem::take(&mut members[at]);
            self.prerequisites[next].extend(boundary);
            boundary = Some(next);
        }
    }

    /// The task nodes of each phase that has tasks, in phase order.
    fn phases_in_order(&self) -> Vec<Vec<usize>> {
        let task_nodes: Vec<usize> = (0..self.nodes.len()).collect();
        let mut by_phase: Vec<Vec<usize>> = vec![Vec::new(); self.doc.phases.len()];
        for node in self.children_first(task_nodes) {
            if let Some(entry) = self.entry(node) {
                by_phase[entry.phase].push(node);
            }
        }
        by_phase.retain(|phase| !phase.is_empty());
        by_phase
    }

    /// Each phase's place in the order: one more than the phase before it,
    /// except that when the file says user stories can proceed in parallel,
    /// consecutive story phases share one level (they run side by side).
    fn levels(&self, phases: &[Vec<usize>]) -> Vec<usize> {
        let side_by_side = self.doc.stories_in_parallel.is_some();
        let mut levels = Vec::with_capacity(phases.len());
        let mut previous_is_story = false;
        for phase in phases {
            let story = side_by_side && self.is_story_phase(phase);
            let level = match levels.last() {
                None => 0,
                Some(&last) if story && previous_is_story => last,
                Some(&last) => last + 1,
            };
            levels.push(level);
            previous_is_story = story;
        }
        levels
    }

    /// A phase whose tasks carry story labels or whose title names a story.
    fn is_story_phase(&self, phase: &[usize]) -> bool {
        phase
            .iter()
            .filter_map(|&node| self.entry(node))
            .any(|entry| {
                entry.story.is_some() || prose::names_a_story(&self.doc.phases[entry.phase].title)
            })
    }

    /// The steps of a phase: one task, or a run of consecutive `[P]` tasks
    /// that name no common path.
    fn partition(&self, phase: &[usize]) -> Vec<Vec<usize>> {
        let mut steps: Vec<Vec<usize>> = Vec::new();
        let mut paths = PathSet::default();
        for &node in phase {
            let Some(entry) = self.entry(node) else {
                continue;
            };
            let joins = entry.task.parallel
                && steps.last().is_some_and(|step| {
                    step.iter()
                        .all(|&n| self.entry(n).is_some_and(|e| e.task.parallel))
                })
                && !entry.task.paths.iter().any(|p| paths.overlaps(p));
            match steps.last_mut() {
                Some(step) if joins => step.push(node),
                _ => {
                    steps.push(vec![node]);
                    paths = PathSet::default();
                }
            }
            for path in &entry.task.paths {
                paths.insert(path);
            }
        }
        steps
    }

    /// Each step waits for the one before it (a step is done when it and
    /// every step before it are), except tasks that state their own
    /// dependencies; tasks that do not `stay` (moved elsewhere) take no part.
    fn chain_steps(&mut self, steps: &[Vec<usize>], stay: impl Fn(usize) -> bool) {
        let mut previous: Option<usize> = None;
        for step in steps {
            let staying: Vec<usize> = step.iter().copied().filter(|&n| stay(n)).collect();
            if staying.is_empty() {
                continue;
            }
            for &node in &staying {
                let states = self.entry(node).is_some_and(|e| e.states_dependencies);
                if let (Some(previous), false) = (previous, states) {
                    self.prerequisites[node].push(previous);
                }
            }
            let join = self.add(Node::Join);
            self.prerequisites[join] = staying;
            self.prerequisites[join].extend(previous);
            previous = Some(join);
        }
    }

    /// The phase (index into `steps`) each task node is wired into, and
    /// whether it was moved there (it then takes no part in the steps). A task
    /// sits in its own phase, unless the tasks it is stated to wait for,
    /// directly or through other statements, include one that the phase
    /// order puts later (a later level, or a later step of its level): then
    /// the stated order wins for that pair and the task moves to the phase
    /// of the latest such task, so that a cycle can only be one the stated
    /// dependencies form on their own. Linear: statements are visited once,
    /// in topological order.
    fn homes(&self, levels: &[usize], steps: &[Vec<Vec<usize>>]) -> Vec<Option<(usize, bool)>> {
        // (level, step, phase) of each task node: its place, then the latest
        // place among what it waits for.
        let mut place: Vec<Option<(usize, usize, usize)>> = vec![None; self.nodes.len()];
        for (phase, phase_steps) in steps.iter().enumerate() {
            for (step, nodes) in phase_steps.iter().enumerate() {
                for &node in nodes {
                    place[node] = Some((levels[phase], step, phase));
                }
            }
        }
        let own: Vec<Option<(usize, usize, usize)>> = place.clone();
        let statements = self.stated_statements();
        let mut waiting = vec![0usize; self.nodes.len()];
        let mut feeds: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        let mut unsettled: Vec<usize> = Vec::with_capacity(statements.len());
        for (at, (before, after)) in statements.iter().enumerate() {
            unsettled.push(before.len());
            for &b in before {
                feeds[b].push(at);
            }
            for &a in after {
                waiting[a] += 1;
            }
        }
        let mut latest: Vec<Option<(usize, usize, usize)>> = vec![None; statements.len()];
        let mut ready: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| waiting[n] == 0 && place[n].is_some())
            .collect();
        while let Some(node) = ready.pop() {
            for &at in &feeds[node] {
                latest[at] = latest[at].max(place[node]);
                unsettled[at] -= 1;
                if unsettled[at] > 0 {
                    continue;
                }
                for &after in &statements[at].1 {
                    if place[after].is_none() {
                        continue;
                    }
                    place[after] = place[after].max(latest[at]);
                    waiting[after] -= 1;
                    if waiting[after] == 0 {
                        ready.push(after);
                    }
                }
            }
        }
        place
            .iter()
            .zip(&own)
            .map(|(now, own)| match (now, own) {
                (Some(now), Some(own)) if (now.0, now.1) > (own.0, own.1) => Some((now.2, true)),
                (_, own) => own.map(|own| (own.2, false)),
            })
            .collect()
    }

    /// The stated dependencies between known tasks as (before, after) node
    /// lists; a statement naming a task on both sides is split so that no
    /// task waits for itself.
    fn stated_statements(&self) -> Vec<(Vec<usize>, Vec<usize>)> {
        let mut statements = Vec::with_capacity(self.doc.dependencies.len());
        for dependency in &self.doc.dependencies {
            let before = self.known(&dependency.before);
            let after = self.known(&dependency.after);
            if before.is_empty() || after.is_empty() {
                continue;
            }
            if before.iter().any(|b| after.contains(b)) {
                for &a in &after {
                    let others: Vec<usize> = before.iter().copied().filter(|&b| b != a).collect();
                    if !others.is_empty() {
                        statements.push((others, vec![a]));
                    }
                }
            } else {
                statements.push((before, after));
            }
        }
        statements
    }

    /// The nodes of the known IDs among `ids`, each once.
    fn known(&self, ids: &[TaskId]) -> Vec<usize> {
        let mut nodes: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.node_of.get(id).copied())
            .collect();
        nodes.dedup();
        nodes
    }

    /// Task nodes in file order, except that a task with nested sub-tasks
    /// comes after them: it is done when its parts are.
    fn children_first(&self, nodes: Vec<usize>) -> Vec<usize> {
        let mut order = Vec::with_capacity(nodes.len());
        let mut open: Vec<(usize, usize)> = Vec::new();
        for node in nodes {
            let Node::Task(at) = self.nodes[node] else {
                continue;
            };
            let parent = self.doc.tasks[at].parent;
            while let Some(&(top_at, top)) = open.last() {
                if Some(top_at) == parent || self.is_ancestor(top_at, at) {
                    break;
                }
                order.push(top);
                open.pop();
            }
            open.push((at, node));
        }
        order.extend(open.into_iter().rev().map(|(_, node)| node));
        order
    }

    fn is_ancestor(&self, ancestor: usize, mut at: usize) -> bool {
        while let Some(parent) = self.doc.tasks[at].parent {
            if parent == ancestor {
                return true;
            }
            at = parent;
        }
        false
    }

    /// Rule 2: every stated dependency on known tasks.
    fn stated(&mut self) {
        for dependency in &self.doc.dependencies {
            let before = self.known(&dependency.before);
            let after = self.known(&dependency.after);
            let overlap = before.iter().any(|b| after.contains(b));
            if before.len() > 1 && after.len() > 1 && !overlap {
                let join = self.add(Node::Join);
                self.prerequisites[join].clone_from(&before);
                for &a in &after {
                    self.prerequisites[a].push(join);
                    self.drawn.push((join, a));
                }
                for &b in &before {
                    self.drawn.push((b, join));
                }
            } else {
                for &a in &after {
                    for &b in before.iter().filter(|&&b| b != a) {
                        self.prerequisites[a].push(b);
                        self.drawn.push((b, a));
                    }
                }
            }
        }
    }

    /// Whether each node is done: a task when checked, a join when all its
    /// prerequisites are done. Joins only wait for earlier joins, so one pass
    /// in node order settles them.
    fn done(&self) -> Vec<bool> {
        let mut done = vec![false; self.nodes.len()];
        for node in 0..self.nodes.len() {
            done[node] = match self.nodes[node] {
                Node::Task(at) => self.doc.tasks[at].task.done,
                Node::Join => self.prerequisites[node].iter().all(|&p| done[p]),
            };
        }
        done
    }

    /// Open tasks whose every prerequisite is done, in file order. This is
    /// the first batch of [`Graph::batches`].
    pub fn ready(&self) -> Vec<&'a TaskEntry> {
        self.batches().into_iter().next().unwrap_or_default()
    }

    /// The open tasks in the order they can be done: each batch holds the
    /// tasks that become ready once every earlier batch is done. Tasks caught
    /// in a cycle appear in no batch.
    pub fn batches(&self) -> Vec<Vec<&'a TaskEntry>> {
        let done = self.done();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        let mut waiting: Vec<usize> = vec![0; self.nodes.len()];
        for (node, prerequisites) in self.prerequisites.iter().enumerate() {
            if done[node] {
                continue;
            }
            for &p in prerequisites {
                if !done[p] {
                    dependents[p].push(node);
                    waiting[node] += 1;
                }
            }
        }
        let mut current: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| !done[n] && waiting[n] == 0 && self.entry(n).is_some())
            .collect();
        let mut batches = Vec::new();
        while !current.is_empty() {
            current.sort_unstable();
            batches.push(current.iter().filter_map(|&n| self.entry(n)).collect());
            let mut next = Vec::new();
            let mut settled = std::mem::take(&mut current);
            while let Some(node) = settled.pop() {
                for &d in &dependents[node] {
                    waiting[d] -= 1;
                    if waiting[d] == 0 {
                        match self.nodes[d] {
                            Node::Join => settled.push(d),
                            Node::Task(_) => next.push(d),
                        }
                    }
                }
            }
            current = next;
        }
        batches
    }

    /// The open tasks `id` waits for, in file order (through phase order,
    /// steps and stated dependencies).
    pub fn waits_for(&self, id: TaskId) -> Vec<TaskId> {
        let Some(&start) = self.node_of.get(&id) else {
            return Vec::new();
        };
        let done = self.done();
        let mut open: Vec<usize> = Vec::new();
        let mut seen: HashSet<usize> = HashSet::new();
        let mut stack: Vec<usize> = self.prerequisites[start].clone();
        while let Some(node) = stack.pop() {
            if done[node] || !seen.insert(node) {
                continue;
            }
            match self.nodes[node] {
                Node::Task(_) => open.push(node),
                Node::Join => stack.extend(&self.prerequisites[node]),
            }
        }
        open.sort_unstable();
        open.iter()
            .filter_map(|&n| self.entry(n))
            .map(|e| e.task.id)
            .filter(|&other| other != id)
            .collect()
    }

    /// A dependency cycle among open tasks as the IDs along it, the first
    /// repeated at the end (`T001 → T002 → T001`), if there is one.
    pub fn cycle(&self) -> Option<Vec<TaskId>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Finished,
        }
        let mut marks = vec![Mark::New; self.nodes.len()];
        for root in 0..self.nodes.len() {
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
                                    .filter_map(|&(n, _)| self.entry(n))
                                    .map(|e| e.task.id)
                                    .collect();
                                cycle.reverse();
                                if let Some(&last) = cycle.last() {
                                    cycle.insert(0, last);
                                }
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

    /// What `graph` draws: every task, the joins of group statements, and
    /// the stated edges between them.
    pub fn scene(&self) -> Scene {
        let joins: HashSet<usize> = self
            .drawn
            .iter()
            .flat_map(|&(a, b)| [a, b])
            .filter(|&n| self.nodes[n] == Node::Join)
            .collect();
        let drawn: Vec<usize> = (0..self.nodes.len())
            .filter(|n| self.entry(*n).is_some() || joins.contains(n))
            .collect();
        let at: HashMap<usize, usize> = drawn.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let nodes = drawn
            .iter()
            .map(|&n| match self.entry(n) {
                Some(entry) => drawing::Node {
                    task: Some(TaskLabel {
                        id: entry.task.id,
                        description: entry.task.description.clone(),
                        done: entry.task.done,
                    }),
                    phase: Some(entry.phase),
                },
                None => drawing::Node {
                    task: None,
                    phase: None,
                },
            })
            .collect();
        Scene {
            nodes,
            edges: self.drawn.iter().map(|(a, b)| (at[a], at[b])).collect(),
            phases: self.doc.phases.iter().map(|p| p.title.clone()).collect(),
        }
    }
}

/// Paths of one step, for a linear overlap test: equal paths, or a directory
/// (`docker/setup/`) holding another path.
#[derive(Default)]
struct PathSet {
    exact: HashSet<String>,
    directories: HashSet<String>,
    ancestors: HashSet<String>,
}

impl PathSet {
    fn insert(&mut self, path: &str) {
        let trimmed = path.trim_end_matches('/');
        self.exact.insert(trimmed.to_string());
        if path.ends_with('/') {
            self.directories.insert(trimmed.to_string());
        }
        for (at, _) in trimmed.match_indices('/') {
            self.ancestors.insert(trimmed[..at].to_string());
        }
    }

    fn overlaps(&self, path: &str) -> bool {
        let trimmed = path.trim_end_matches('/');
        self.exact.contains(trimmed)
            || trimmed
                .match_indices('/')
                .any(|(at, _)| self.directories.contains(&trimmed[..at]))
            || (path.ends_with('/') && self.ancestors.contains(trimmed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::read::parse;

    const TASKS: &str = "## Phase 1: Setup\n- [x] T001 Setup in Cargo.toml\n\
## Phase 2: Core\n- [ ] T002 [P] A in src/a.rs\n- [ ] T003 [P] B in src/b.rs\n- [ ] T004 [P] B again in src/b.rs\n\
- [ ] T005 Wire in src/main.rs\n## Phase 3: Tests\n- [ ] T006 [P] Test \"a\" in tests/a.rs\n\
## Dependencies\n- T001 blocks T002, T003, T004\n- T002-T004 before T005\n- T005 before T006\n";

    fn ids(tasks: &[&TaskEntry]) -> Vec<String> {
        tasks.iter().map(|t| t.task.id.to_string()).collect()
    }

    fn batches(text: &str) -> Vec<Vec<String>> {
        let doc = parse(text);
        Graph::new(&doc).batches().iter().map(|b| ids(b)).collect()
    }

    #[test]
    fn batches_follow_phases_steps_and_stated_edges() {
        assert_eq!(
            batches(TASKS),
            [
                vec!["T002", "T003"],
                vec!["T004"],
                vec!["T005"],
                vec!["T006"]
            ]
        );
        let doc = parse(TASKS);
        assert_eq!(ids(&Graph::new(&doc).ready()), ["T002", "T003"]);
    }

    #[test]
    fn a_later_phase_waits_for_every_earlier_task() {
        let text = "## Phase 1\n- [ ] T001 [P] a in a.rs\n- [ ] T002 [P] b in b.rs\n## Phase 2\n- [ ] T003 [P] c in c.rs\n";
        assert_eq!(batches(text), [vec!["T001", "T002"], vec!["T003"]]);
        let doc = parse(text);
        let waits: Vec<String> = Graph::new(&doc)
            .waits_for(TaskId::parse("T003").unwrap())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(waits, ["T001", "T002"]);
    }

    #[test]
    fn a_task_that_states_its_dependencies_leaves_the_file_order() {
        let text = "## Phase 1\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs\n  - Depends on: none\n- [ ] T003 c in c.rs\n  - Depends on: T001\n";
        assert_eq!(batches(text), [vec!["T001", "T002"], vec!["T003"]]);
    }

    #[test]
    fn sub_tasks_come_before_their_parent_and_steps_chain() {
        let text = "- [x] T001 a in a.rs\n- [ ] T002 b in b/\n  - [x] T002a c in b/c.rs\n  - [ ] T002b d in b/d.rs\n\
- [ ] T003 e in e.rs\n";
        assert_eq!(batches(text), [vec!["T002b"], vec!["T002"], vec!["T003"]]);
        let done_out_of_order =
            "- [ ] T001 a in a.rs\n- [x] T002 b in b.rs\n- [ ] T003 c in c.rs\n";
        assert_eq!(batches(done_out_of_order), [vec!["T001"], vec!["T003"]]);
    }

    #[test]
    fn a_sub_task_under_a_repeated_id_still_comes_before_the_task_above() {
        // The second T009 is no node of its own, so T003's nearest task
        // above it with one is T001, two levels up: T003 comes first.
        let text = "- [ ] T009 x in x.rs\n- [ ] T001 a in a/\n  - [ ] T009 again in a/x.rs\n\
\x20   - [ ] T003 c in a/c.rs\n- [ ] T004 d in d.rs\n";
        assert_eq!(
            batches(text),
            [vec!["T009"], vec!["T003"], vec!["T001"], vec!["T004"]]
        );
    }

    #[test]
    fn a_parallel_run_splits_where_a_directory_holds_a_file() {
        let text = "- [ ] T001 [P] scripts in docker/setup/\n- [ ] T002 [P] one in docker/setup/a.sh\n- [ ] T003 [P] other in docker/b.sh\n";
        assert_eq!(batches(text), [vec!["T001"], vec!["T002", "T003"]]);
    }

    /// The drawn edges, a task by its ID and a join as `+`.
    fn drawn(graph: &Graph) -> Vec<(String, String)> {
        let name = |node: usize| match graph.nodes[node] {
            Node::Task(at) => graph.doc.tasks[at].task.id.to_string(),
            Node::Join => "+".to_string(),
        };
        graph
            .drawn
            .iter()
            .map(|&(a, b)| (name(a), name(b)))
            .collect()
    }

    #[test]
    fn group_statements_are_one_join_node_not_all_pairs() {
        let tasks = "- [ ] T001 [P] a in a.rs\n- [ ] T002 [P] b in b.rs\n- [ ] T003 [P] c in c.rs\n- [ ] T004 [P] d in d.rs\n## Dependencies\n";
        let edges = |statement: &str| {
            let doc = parse(&format!("{tasks}- {statement}\n"));
            let pairs = drawn(&Graph::new(&doc));
            let pairs: Vec<String> = pairs.iter().map(|(a, b)| format!("{a}>{b}")).collect();
            pairs.join(" ")
        };
        assert_eq!(edges("T001 blocks T003, T004"), "T001>T003 T001>T004");
        assert_eq!(edges("T001, T002 block T004"), "T001>T004 T002>T004");
        assert_eq!(
            edges("T001-T002 before T003-T004"),
            "+>T003 +>T004 T001>+ T002>+"
        );
        let doc = parse(&format!("{tasks}- T001-T002 before T003-T004\n"));
        let graph = Graph::new(&doc);
        assert_eq!(
            graph.batches().iter().map(|b| ids(b)).collect::<Vec<_>>(),
            [vec!["T001", "T002"], vec!["T003", "T004"]]
        );
    }

    #[test]
    fn finds_and_orders_a_cycle() {
        let text = "- [ ] T001 [P] a\n- [ ] T002 [P] b (depends on T001)\n- [ ] T003 [P] c (depends on T002)\n## Dependencies\n- T003 blocks T001\n";
        let doc = parse(text);
        let cycle: Vec<String> = Graph::new(&doc)
            .cycle()
            .unwrap()
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(cycle, ["T001", "T002", "T003", "T001"]);
        assert!(Graph::new(&doc).batches().is_empty());
        assert!(Graph::new(&parse(TASKS)).cycle().is_none());
    }

    const BACKWARD: &str =
        "## Phase 1\n- [ ] T001 a in a.rs\n## Phase 2\n- [ ] T002 b in b.rs (depends on T004)\n\
- [ ] T003 c in c.rs\n## Phase 3\n- [ ] T004 d in d.rs\n- [ ] T005 e in e.rs\n";

    #[test]
    fn a_stated_dependency_on_a_later_phase_moves_the_task_after_it() {
        assert_eq!(
            batches(BACKWARD),
            [
                vec!["T001"],
                vec!["T003"],
                vec!["T004"],
                vec!["T002", "T005"]
            ]
        );
        let doc = parse(BACKWARD);
        let graph = Graph::new(&doc);
        assert!(graph.cycle().is_none());
        let waits: Vec<String> = graph
            .waits_for(TaskId::parse("T002").unwrap())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(waits, ["T001", "T003", "T004"]);
    }

    #[test]
    fn a_chain_of_statements_moves_every_task_on_it() {
        // T003 waits for T002, which waits for T005 in the last phase: both
        // move there, and phase 3 no longer waits for them.
        let text = "## Phase 1\n- [ ] T001 a in a.rs\n## Phase 2\n- [ ] T002 b in b.rs\n## Phase 3\n- [ ] T003 c in c.rs\n\
- [ ] T004 d in d.rs\n## Phase 4\n- [ ] T005 e in e.rs\n## Dependencies\n- T005 blocks T002\n- T002 blocks T003\n";
        assert_eq!(
            batches(text),
            [
                vec!["T001"],
                vec!["T004"],
                vec!["T005"],
                vec!["T002"],
                vec!["T003"]
            ]
        );
        assert!(Graph::new(&parse(text)).cycle().is_none());
    }

    #[test]
    fn a_later_step_of_the_same_phase_moves_the_task_too() {
        let text =
            "- [ ] T001 a in a.rs (after T003)\n- [ ] T002 b in b.rs\n- [ ] T003 c in c.rs\n";
        assert_eq!(batches(text), [vec!["T002"], vec!["T003"], vec!["T001"]]);
    }

    #[test]
    fn only_stated_dependencies_form_a_cycle() {
        let text = BACKWARD.replace(
            "e in e.rs",
            "e in e.rs\n## Dependencies\n- T002 blocks T004",
        );
        let doc = parse(&text);
        let cycle: Vec<String> = Graph::new(&doc)
            .cycle()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            cycle == ["T002", "T004", "T002"] || cycle == ["T004", "T002", "T004"],
            "{cycle:?}"
        );
    }

    const STORIES: &str = "## Phase 1: Setup\n- [x] T001 a in a.rs\n## Phase 2: Foundational\n- [ ] T002 b in b.rs\n\
## Phase 3: User Story 1 - Browse (Priority: P1)\n- [ ] T003 [US1] c in c.rs\n- [ ] T004 [US1] d in d.rs\n\
## Phase 4: User Story 2 - Search (Priority: P2)\n- [ ] T005 e in e.rs\n\
## Phase 5: User Story 3 - Share (Priority: P3)\n- [ ] T006 [US3] f in f.rs\n## Phase 6: Polish\n- [ ] T007 g in g.rs\n\
## Dependencies & Execution Order\n- User stories can then proceed in parallel (if staffed)\n\
- Or sequentially in priority order (P1 → P2 → P3)\n";

    #[test]
    fn stories_said_to_proceed_in_parallel_run_side_by_side_after_foundational() {
        assert_eq!(
            batches(STORIES),
            [
                vec!["T002"],
                vec!["T003", "T005", "T006"],
                vec!["T004"],
                vec!["T007"]
            ]
        );
        assert_eq!(parse(STORIES).stories_in_parallel, Some(15));
        let sequential = STORIES.replace("can then proceed in parallel", "are done one by one");
        assert_eq!(
            batches(&sequential),
            [
                vec!["T002"],
                vec!["T003"],
                vec!["T004"],
                vec!["T005"],
                vec!["T006"],
                vec!["T007"]
            ]
        );
        let stated = format!("{STORIES}- US3 depends on US1\n");
        assert_eq!(
            batches(&stated),
            [
                vec!["T002"],
                vec!["T003", "T005"],
                vec!["T004"],
                vec!["T006"],
                vec!["T007"]
            ]
        );
    }

    #[test]
    fn a_story_named_in_the_dependencies_is_found_by_its_task_labels_in_any_phase() {
        let text = "## Phase 1: Setup\n- [ ] T001 a in a.rs\n## Phase 2: Checkout\n\
                    - [ ] T002 [P] [US1] b in b.rs\n- [ ] T003 [P] [us-2] c in c.rs\n\
                    - [ ] T004 [P] [US3] d in d.rs\n";
        assert_eq!(batches(text), [vec!["T001"], vec!["T002", "T003", "T004"]]);
        let stated = format!("{text}## Dependencies\n- User Story 2 depends on US1\n");
        assert_eq!(
            batches(&stated),
            [vec!["T001"], vec!["T002", "T004"], vec!["T003"]]
        );
    }

    #[test]
    fn every_line_of_a_drawing_in_the_dependencies_is_a_chain() {
        let text = "## Phase 1: Core\n- [ ] T001 [P] a in a.rs\n- [ ] T002 [P] b in b.rs\n\
                    - [ ] T003 [P] c in c.rs\n- [ ] T004 [P] d in d.rs\n\
                    ## Dependencies\n\n```text\nT001 → T002\nT002 → T003\nT003 → T004\n```\n";
        assert_eq!(
            batches(text),
            [vec!["T001"], vec!["T002"], vec!["T003"], vec!["T004"]]
        );
    }

    #[test]
    fn a_range_on_both_sides_still_moves_a_task_after_its_later_phase() {
        let text = "## Phase 1: Setup\n- [ ] T004 [P] d in d.rs\n## Phase 2: Core\n\
                    - [ ] T001 [P] a in a.rs\n- [ ] T002 [P] b in b.rs\n- [ ] T003 [P] c in c.rs\n\
                    ## Dependencies\n- T001-T003 before T003-T004\n";
        let doc = parse(text);
        assert_eq!(Graph::new(&doc).cycle(), None);
        assert_eq!(
            batches(text),
            [vec!["T001", "T002"], vec!["T003"], vec!["T004"]]
        );
    }

    #[test]
    fn self_dependency_is_not_an_edge() {
        let doc = parse("- [ ] T001 a (depends on T001)\n");
        assert!(Graph::new(&doc).cycle().is_none());
    }
}
