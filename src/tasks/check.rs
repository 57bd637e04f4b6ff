//! Validation of a tasks.md on its own: what would make `done`, `next` or a
//! parallel run go wrong.

use super::graph::Graph;
use super::model::paths_overlap;
use super::read::{Problem, TasksDoc};
use std::collections::HashMap;

/// Every problem, sorted by line: the reader's own, duplicate IDs, unknown
/// dependencies, a dependency cycle, `[P]` tasks of one phase sharing a path,
/// and tasks that name no path.
pub fn check(doc: &TasksDoc) -> Vec<Problem> {
    let mut problems = doc.problems.clone();
    duplicate_ids(doc, &mut problems);
    unknown_dependencies(doc, &mut problems);
    cycle(doc, &mut problems);
    shared_parallel_paths(doc, &mut problems);
    for entry in doc.tasks.iter().filter(|e| e.task.paths.is_empty()) {
        problems.push(Problem {
            line: entry.line,
            message: format!("{} names no file or directory path", entry.task.id),
        });
    }
    problems.sort_by_key(|p| p.line);
    problems
}

fn duplicate_ids(doc: &TasksDoc, problems: &mut Vec<Problem>) {
    let mut first_line = HashMap::new();
    for entry in &doc.tasks {
        let first = *first_line.entry(entry.task.id).or_insert(entry.line);
        if first != entry.line {
            problems.push(Problem {
                line: entry.line,
                message: format!(
                    "duplicate task ID {} (first on line {first})",
                    entry.task.id
                ),
            });
        }
    }
}

fn unknown_dependencies(doc: &TasksDoc, problems: &mut Vec<Problem>) {
    for dependency in &doc.dependencies {
        for id in [dependency.before, dependency.after] {
            if doc.get(id).is_none() {
                problems.push(Problem {
                    line: dependency.line,
                    message: format!("dependency names unknown task {id}"),
                });
            }
        }
    }
}

fn cycle(doc: &TasksDoc, problems: &mut Vec<Problem>) {
    let tasks = doc.task_list();
    if let Some(cycle) = Graph::new(&tasks).cycle() {
        let line = cycle
            .first()
            .and_then(|&id| doc.get(id))
            .map_or(0, |entry| entry.line);
        let path: Vec<String> = cycle.iter().map(ToString::to_string).collect();
        problems.push(Problem {
            line,
            message: format!("dependency cycle: {}", path.join(" → ")),
        });
    }
}

fn shared_parallel_paths(doc: &TasksDoc, problems: &mut Vec<Problem>) {
    let parallel: Vec<_> = doc.tasks.iter().filter(|e| e.task.parallel).collect();
    for (at, entry) in parallel.iter().enumerate() {
        let earlier = parallel[..at].iter().find_map(|other| {
            let shared = entry
                .task
                .paths
                .iter()
                .find(|p| other.task.paths.iter().any(|o| paths_overlap(p, o)))?;
            (other.task.phase == entry.task.phase && other.task.id != entry.task.id)
                .then_some((other, shared))
        });
        if let Some((other, path)) = earlier {
            problems.push(Problem {
                line: entry.line,
                message: format!(
                    "[P] task {} shares {path} with [P] task {} (line {}) in the same phase",
                    entry.task.id, other.task.id, other.line
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::read::parse;

    fn messages(text: &str) -> Vec<String> {
        check(&parse(text))
            .iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect()
    }

    #[test]
    fn a_clean_file_has_no_problems() {
        let text =
            "## Phase 1\n- [ ] T001 [P] a in src/a.rs\n- [ ] T002 [P] b in src/b.rs\n## Phase 2\n\
- [ ] T003 [P] again in src/a.rs\n## Dependencies\n- T001 blocks T003\n";
        assert!(messages(text).is_empty(), "{:?}", messages(text));
    }

    #[test]
    fn reports_each_kind_with_its_line() {
        let text = "## Phase 1\n- [ ] T001 [P] a in src/a.rs\n- [ ] T002 [P] b in src/a.rs\n- [ ] T001 again in x.rs\n\
- [ ] T003 nothing named (depends on T009)\n- [ ] T4 short\n## Dependencies\n- T002 blocks T001\n- T001 blocks T002\n";
        assert_eq!(
            messages(text),
            [
                "2: dependency cycle: T001 → T002 → T001",
                "3: [P] task T002 shares src/a.rs with [P] task T001 (line 2) in the same phase",
                "4: duplicate task ID T001 (first on line 2)",
                "5: dependency names unknown task T009",
                "5: T003 names no file or directory path",
                "6: `T4` is not a task ID (`T` or `C` and three or more digits)",
            ]
        );
    }

    #[test]
    fn a_directory_overlaps_the_files_under_it() {
        let text = "## Phase 1\n- [ ] T001 [P] scripts in docker/setup/scripts/\n- [ ] T002 [P] one in docker/setup/scripts/20-packages.sh\n";
        assert_eq!(
            messages(text),
            ["3: [P] task T002 shares docker/setup/scripts/20-packages.sh with [P] task T001 (line 2) in the same phase"]
        );
    }
}
