//! The rules about a tasks.md, in one place: `check` reports them with
//! severities and lines, and generate's gates (`gates.rs`) fail on the same
//! rules before writing.
//!
//! Errors break the workflow (a cycle, a repeated ID, a dependency on an
//! unknown ID, two `[P]` tasks of one phase writing the same file, a malformed
//! task line, a file without tasks); warnings are the seed's style (a task
//! without a path, a `[P]` task sharing a path with a task of its phase that
//! is not `[P]` or through a directory, a dependency line that cannot be read,
//! an absolute path).

use super::graph::Graph;
use super::model::Task;
use super::model::TaskId;
use super::read::{is_absolute_path, TasksDoc};
use crate::diagnostic::{Diagnostic, Edit, Severity};
use std::collections::{HashMap, HashSet};

/// One finding of a rule over a task list: the task (index) it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub task: usize,
    pub severity: Severity,
    pub message: String,
    /// The other task of a shared path.
    pub other: Option<usize>,
}

/// Every problem, sorted by line (errors first on a line).
pub fn check(doc: &TasksDoc) -> Vec<Diagnostic> {
    let mut problems = doc.problems.clone();
    if doc.tasks.is_empty() {
        problems.push(Diagnostic::error(
            1,
            "no task lines found (a task is a checkbox item such as `- [ ] T001 Description in path/to/file`)",
        ));
    }
    duplicate_ids(doc, &mut problems);
    unknown_dependencies(doc, &mut problems);
    cycle(doc, &mut problems);
    let tasks = doc.task_list();
    let findings = parallel_conflicts(&tasks, |a, b| stated_between(doc, a, b))
        .into_iter()
        .chain(absolute_paths(&tasks))
        .chain(tasks_without_paths(&tasks));
    for finding in findings {
        let fix = match finding.other {
            Some(other) => drop_parallel_markers(doc, &[finding.task, other]),
            None => Vec::new(),
        };
        problems.push(
            Diagnostic::new(
                doc.tasks[finding.task].line,
                finding.severity,
                finding.message,
            )
            .with_fix(fix),
        );
    }
    problems.sort_by_key(|p| (p.line, p.severity));
    problems
}

/// A `[P]` task that shares a path with another task of its phase is not
/// one that can run in parallel (the seed's definition): its marker goes.
/// Only the plain `[P]` marker is removed (`[P after T005]` takes a person).
fn drop_parallel_markers(doc: &TasksDoc, tasks: &[usize]) -> Vec<Edit> {
    tasks
        .iter()
        .filter(|&&at| doc.tasks[at].task.parallel)
        .filter_map(|&at| doc.tasks[at].parallel_marker.clone())
        .map(|range| Edit {
            range,
            text: String::new(),
        })
        .collect()
}

/// `text` with every mechanical fix applied, and how many problems they
/// fixed. Fixing one problem can make another fixable (a line given its
/// checkbox becomes a task whose `[P]` conflicts), so this runs until
/// nothing is left to fix; a second run changes nothing.
pub fn fix(text: &str) -> (String, usize) {
    const PASSES: usize = 8;
    let mut text = text.to_string();
    let mut fixed = 0;
    for _ in 0..PASSES {
        let problems = check(&super::read::parse(&text));
        let (next, count) = apply(&text, &problems);
        if count == 0 {
            break;
        }
        text = next;
        fixed += count;
    }
    (text, fixed)
}

/// Applies the problems' fixes that do not overlap one another (the ones
/// left out are found again by the next pass); the count of problems fixed.
fn apply(text: &str, problems: &[Diagnostic]) -> (String, usize) {
    let mut edits: Vec<&Edit> = Vec::new();
    let mut fixed = 0;
    for problem in problems.iter().filter(|p| !p.fix.is_empty()) {
        let fits = problem.fix.iter().all(|edit| {
            edits
                .iter()
                .all(|e| *e == edit || !overlap(&e.range, &edit.range))
        });
        if fits {
            fixed += 1;
            for edit in &problem.fix {
                if !edits.contains(&edit) {
                    edits.push(edit);
                }
            }
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.text);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    (out, fixed)
}

/// Whether two edits touch the same bytes (two insertions at one point do).
fn overlap(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end && b.start < a.end || a.start == b.start
}

/// Whether stated dependencies, through any chain of them, put the tasks at
/// `a` and `b` in one order (a cycle through both is no order).
fn stated_between(doc: &TasksDoc, a: usize, b: usize) -> bool {
    let (a, b) = (doc.tasks[a].task.id, doc.tasks[b].task.id);
    waits_through_statements(doc, a, b) != waits_through_statements(doc, b, a)
}

fn waits_through_statements(doc: &TasksDoc, from: TaskId, target: TaskId) -> bool {
    let mut seen = HashSet::from([from]);
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        for statement in doc.statements_before(id) {
            for &before in &statement.before {
                if before == target {
                    return true;
                }
                if seen.insert(before) {
                    stack.push(before);
                }
            }
        }
    }
    false
}

fn duplicate_ids(doc: &TasksDoc, problems: &mut Vec<Diagnostic>) {
    let mut lines: HashMap<_, Vec<usize>> = HashMap::new();
    for entry in &doc.tasks {
        lines.entry(entry.task.id).or_default().push(entry.line);
    }
    for entry in &doc.tasks {
        let all = &lines[&entry.task.id];
        if all.len() > 1 && all[0] == entry.line {
            let others: Vec<String> = all[1..].iter().map(ToString::to_string).collect();
            problems.push(Diagnostic::error(
                entry.line,
                format!(
                    "duplicate task ID {} (also on line {})",
                    entry.task.id,
                    others.join(", ")
                ),
            ));
        }
    }
}

fn unknown_dependencies(doc: &TasksDoc, problems: &mut Vec<Diagnostic>) {
    for dependency in &doc.dependencies {
        let mut reported = Vec::new();
        for &id in dependency.before.iter().chain(&dependency.after) {
            if doc.get(id).is_none() && !reported.contains(&id) {
                reported.push(id);
                problems.push(Diagnostic::error(
                    dependency.line,
                    format!("dependency names unknown task {id}"),
                ));
            }
        }
    }
}

fn cycle(doc: &TasksDoc, problems: &mut Vec<Diagnostic>) {
    if let Some(cycle) = Graph::new(doc).cycle() {
        let line = cycle
            .first()
            .and_then(|&id| doc.get(id))
            .map_or(0, |entry| entry.line);
        let path: Vec<String> = cycle.iter().map(ToString::to_string).collect();
        problems.push(Diagnostic::error(
            line,
            format!("dependency cycle: {}", path.join(" → ")),
        ));
    }
}

/// A `[P]` task sharing a path with another task of its phase: an error when
/// both are `[P]` and name the same path, a warning when the other is not
/// `[P]` or the two meet through a directory (named as the directory). A pair
/// that `ordered` says a stated dependency already orders is no conflict.
/// Linear: one map per phase.
pub fn parallel_conflicts(tasks: &[Task], ordered: impl Fn(usize, usize) -> bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut exact: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut directories: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (at, task) in tasks.iter().enumerate() {
        for path in &task.paths {
            let trimmed = path.trim_end_matches('/');
            exact.entry((&task.phase, trimmed)).or_default().push(at);
            if path.ends_with('/') {
                directories
                    .entry((&task.phase, trimmed))
                    .or_default()
                    .push(at);
            }
        }
    }
    for (at, task) in tasks.iter().enumerate() {
        let phase = task.phase.as_str();
        let conflicting =
            |other: usize| (task.parallel || tasks[other].parallel) && !ordered(at, other);
        let found = task.paths.iter().find_map(|path| {
            let trimmed = path.trim_end_matches('/');
            // The same path is reported once, on the later task.
            let same = exact[&(phase, trimmed)]
                .iter()
                .copied()
                .find(|&other| other < at && conflicting(other));
            let holder = || {
                trimmed.match_indices('/').find_map(|(end, _)| {
                    let directory = &trimmed[..end];
                    let other = directories
                        .get(&(phase, directory))?
                        .iter()
                        .copied()
                        .find(|&other| other != at && conflicting(other))?;
                    Some((other, directory))
                })
            };
            match same {
                Some(other) => Some((other, same_path(tasks, other, at, path))),
                None => holder()
                    .map(|(other, directory)| (other, inside(tasks, other, directory, at, path))),
            }
        });
        if let Some((other, (severity, message))) = found {
            findings.push(Finding {
                task: at,
                severity,
                message,
                other: Some(other),
            });
        }
    }
    findings
}

/// `first` and `second` (later) both name `path`.
fn same_path(tasks: &[Task], first: usize, second: usize, path: &str) -> (Severity, String) {
    let (severity, what) = if tasks[first].parallel && tasks[second].parallel {
        (Severity::Error, "both are [P] and would run together")
    } else {
        (Severity::Warning, "one of them is [P]")
    };
    let message = format!(
        "{} and {} share {path} in one phase, and {what}",
        tasks[first].id, tasks[second].id
    );
    (severity, message)
}

/// `holder` names `directory`, which holds `path` of task `inner`.
fn inside(
    tasks: &[Task],
    holder: usize,
    directory: &str,
    inner: usize,
    path: &str,
) -> (Severity, String) {
    let message = format!(
        "{} and {} overlap in one phase: {directory}/ ({}) holds {path} ({}), and one of them is [P]",
        tasks[holder.min(inner)].id,
        tasks[holder.max(inner)].id,
        tasks[holder].id,
        tasks[inner].id
    );
    (Severity::Warning, message)
}

pub fn tasks_without_paths(tasks: &[Task]) -> Vec<Finding> {
    tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.paths.is_empty())
        .map(|(at, t)| Finding {
            task: at,
            severity: Severity::Warning,
            message: format!("{} names no file or directory path", t.id),
            other: None,
        })
        .collect()
}

/// `/etc/passwd`, `~/x`, `C:\x`: a task path outside every workspace (a
/// warning: the task may only read it; `done` refuses to commit it).
pub fn absolute_paths(tasks: &[Task]) -> Vec<Finding> {
    tasks
        .iter()
        .enumerate()
        .flat_map(|(at, t)| {
            t.paths
                .iter()
                .filter(|p| is_absolute_path(p))
                .map(move |p| Finding {
                    task: at,
                    severity: Severity::Warning,
                    message: format!(
                        "{} names {p}, an absolute path; task paths are relative to the workspace root",
                        t.id
                    ),
                    other: None,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::read::parse;

    fn messages(text: &str) -> Vec<String> {
        check(&parse(text))
            .iter()
            .map(|p| format!("{}: {:?}: {}", p.line, p.severity, p.message))
            .collect()
    }

    #[test]
    fn edits_overlap_when_they_share_bytes_or_insert_at_one_point() {
        for (a, b) in [(0..5, 3..8), (2..6, 3..4), (3..3, 3..3), (3..3, 3..5)] {
            assert!(overlap(&a, &b) && overlap(&b, &a), "{a:?} {b:?}");
        }
        for (a, b) in [(0..3, 3..6), (0..3, 3..3), (0..2, 4..4)] {
            assert!(!overlap(&a, &b) && !overlap(&b, &a), "{a:?} {b:?}");
        }
    }

    #[test]
    fn a_clean_file_has_no_problems() {
        let text =
            "## Phase 1\n- [ ] T001 [P] a in src/a.rs\n- [ ] T002 [P] b in src/b.rs\n## Phase 2\n\
- [ ] T003 [P] again in src/a.rs\n## Dependencies\n- T001 blocks T003\n";
        assert!(messages(text).is_empty(), "{:?}", messages(text));
    }

    #[test]
    fn reports_each_kind_with_its_line_and_severity() {
        let text = "## Phase 1\n- [ ] T001 [P] a in src/a.rs\n- [ ] T002 [P] b in src/a.rs\n- [ ] T001 again in x.rs\n\
- [ ] T003 nothing named (depends on T009)\n- [ ] T4 short\n- [ ] T005 Read /etc/passwd\n## Dependencies\n- T002 blocks T001\n- T001 blocks T002\n";
        assert_eq!(
            messages(text),
            [
                "2: Error: duplicate task ID T001 (also on line 4)",
                "2: Error: dependency cycle: T001 → T002 → T001",
                "3: Error: T001 and T002 share src/a.rs in one phase, and both are [P] and would run together",
                "5: Error: dependency names unknown task T009",
                "5: Warning: T003 names no file or directory path",
                "6: Error: `T4` is not a task ID (`T` or `C`, three or more digits, an optional suffix such as `a` or `-TEST`)",
                "7: Warning: T005 names /etc/passwd, an absolute path; task paths are relative to the workspace root",
            ]
        );
    }

    #[test]
    fn a_directory_or_a_sequential_task_is_a_warning() {
        let text = "## Phase 1\n- [ ] T001 [P] scripts in docker/setup/scripts/\n- [ ] T002 [P] one in docker/setup/scripts/20-packages.sh\n\
- [ ] T003 Edit src/a.rs\n- [ ] T004 [P] Edit src/a.rs again\n";
        assert_eq!(
            messages(text),
            [
                "3: Warning: T001 and T002 overlap in one phase: docker/setup/scripts/ (T001) holds docker/setup/scripts/20-packages.sh (T002), and one of them is [P]",
                "5: Warning: T003 and T004 share src/a.rs in one phase, and one of them is [P]",
            ]
        );
    }

    #[test]
    fn an_overlap_names_the_directory_a_task_names() {
        let text = "## Phase 1\n- [ ] T001 Lay out docker/\n- [ ] T002 [P] Base image in docker/Dockerfile\n";
        assert_eq!(
            messages(text),
            ["3: Warning: T001 and T002 overlap in one phase: docker/ (T001) holds docker/Dockerfile (T002), and one of them is [P]"]
        );
    }

    #[test]
    fn a_stated_dependency_orders_a_pair_that_shares_a_path() {
        let text = "## Phase 1\n- [ ] T001 Lay out docker/\n- [ ] T002 [P] Base image in docker/Dockerfile\n\
- [ ] T003 [P] Build stage in docker/Dockerfile (after T002)\n- [ ] T004 [P] Entrypoint in docker/entrypoint.sh\n\
## Dependencies\n- T001 blocks T002, T004\n";
        assert!(messages(text).is_empty(), "{:?}", messages(text));
        let unordered = text.replace(" (after T002)", "");
        assert_eq!(
            messages(&unordered),
            ["4: Error: T002 and T003 share docker/Dockerfile in one phase, and both are [P] and would run together"]
        );
    }

    #[test]
    fn fix_applies_the_mechanical_fixes_and_nothing_else() {
        let text = "# Tasks\r\n## Phase 1\r\n- [ ] T001 [P] Build stage in docker/Dockerfile\r\n\
- [ ] **T002 [P]** Health check in docker/Dockerfile  \r\n- T003 Lay out docker/ and scripts/\r\n\
- [] T004 [P] Entrypoint in docker/entrypoint.sh\r\n- [ ] T005 [P after T001] Labels in docker/Dockerfile\r\n\
- [ ] T006 Notes in notes.md [P]\r\n- [ ] T006 Notes again in notes.md\r\n";
        let (fixed, count) = fix(text);
        let expected = "# Tasks\r\n## Phase 1\r\n- [ ] T001 Build stage in docker/Dockerfile\r\n\
- [ ] **T002** Health check in docker/Dockerfile  \r\n- [ ] T003 Lay out docker/ and scripts/\r\n\
- [ ] T004 Entrypoint in docker/entrypoint.sh\r\n- [ ] T005 [P after T001] Labels in docker/Dockerfile\r\n\
- [ ] T006 Notes in notes.md\r\n- [ ] T006 Notes again in notes.md\r\n";
        assert_eq!(fixed, expected);
        assert_eq!(count, 6);
        assert_eq!(fix(&fixed), (fixed.clone(), 0));
        assert_eq!(
            messages(&fixed),
            [
                // T005 states it comes after T001; T002 lost its marker.
                "7: Warning: T002 and T005 share docker/Dockerfile in one phase, and one of them is [P]",
                "8: Error: duplicate task ID T006 (also on line 9)",
            ]
        );
    }

    #[test]
    fn a_clean_file_is_left_as_it_is() {
        let text = "## Phase 1\n- [x] T001 [P] a in src/a.rs\n- [X] T002 [P] b in src/b.rs\n";
        assert_eq!(fix(text), (text.to_string(), 0));
    }

    #[test]
    fn a_file_without_tasks_is_an_error() {
        assert_eq!(
            messages("# Tasks\n- **T001** no checkbox in a.rs\n"),
            [
                "1: Error: no task lines found (a task is a checkbox item such as `- [ ] T001 Description in path/to/file`)",
                "2: Warning: T001 has no checkbox, so it is not read as a task; `- [ ] T001 ...` makes it one",
            ]
        );
    }

    #[test]
    fn tasks_sharing_a_path_without_p_are_fine() {
        let text = "## Phase 1\n- [ ] T001 Edit src/a.rs\n- [ ] T002 Edit src/a.rs again\n";
        assert!(messages(text).is_empty());
    }
}
