//! Numbering drafted tasks against the tasks.md already on disk, so that
//! regenerating never loses work: tasks that still exist keep their ID and
//! checked state, tasks written by hand are kept where they were, and any
//! other hand-written line makes generation stop unless explicitly dropped.

use super::model::{paths_overlap, Task, TaskId};
use super::read;
use super::rules::{Draft, PhaseKind};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A task line of the previous file that generation no longer produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub task: Task,
    /// The line exactly as written (without its line ending).
    pub raw: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// Generated tasks in execution order, numbered, `parallel` decided.
    pub tasks: Vec<Task>,
    /// The done mark to write for each task: `X`, `x`, or ` `.
    pub marks: Vec<char>,
    pub kept: Vec<Kept>,
}

/// The tasks.md on disk, read once for the merge and the hand-written check.
pub struct Previous<'a> {
    text: &'a str,
    doc: read::TasksDoc,
}

impl<'a> Previous<'a> {
    pub fn parse(text: &'a str) -> Previous<'a> {
        Previous {
            text,
            doc: read::parse(text),
        }
    }
}

pub fn merge(drafts: &[Draft], tdd: bool, previous: Option<&Previous>) -> Merged {
    let empty = read::TasksDoc::default();
    let previous_doc = previous.map_or(&empty, |p| &p.doc);
    let previous_text = previous.map_or("", |p| p.text);
    let previous_lines: Vec<&str> = previous_text.lines().collect();
    let mut by_description: HashMap<String, Vec<&read::TaskEntry>> = HashMap::new();
    for entry in &previous_doc.tasks {
        by_description
            .entry(normalize(&entry.task.description))
            .or_default()
            .push(entry);
    }
    let mut matched: Vec<Option<&read::TaskEntry>> = drafts
        .iter()
        .map(|d| {
            let candidates = by_description.get_mut(&normalize(&d.description))?;
            (!candidates.is_empty()).then(|| candidates.remove(0))
        })
        .collect();
    // An ID can only be reused once (duplicated IDs in a hand-edited file).
    let mut seen = HashSet::new();
    for slot in &mut matched {
        if slot.is_some_and(|e| !seen.insert(e.task.id)) {
            *slot = None;
        }
    }
    // A generated task whose facts changed (the parenthesised part of its
    // description) is the same task: same words before the facts, same paths.
    for (draft, slot) in drafts.iter().zip(matched.iter_mut()) {
        if slot.is_some() {
            continue;
        }
        let same = previous_doc.tasks.iter().find(|e| {
            !seen.contains(&e.task.id)
                && draft.paths.iter().all(|p| e.task.paths.contains(p))
                && stem(&e.task.description) == stem(&draft.description)
        });
        if let Some(entry) = same {
            seen.insert(entry.task.id);
            *slot = Some(entry);
        }
    }
    let mut next = previous_doc
        .tasks
        .iter()
        .map(|e| e.task.id.number())
        .max()
        .unwrap_or(0);
    let ids: Vec<TaskId> = matched
        .iter()
        .map(|m| match m {
            Some(entry) => entry.task.id,
            None => {
                next += 1;
                TaskId::new('T', next)
            }
        })
        .collect();
    let used: HashSet<TaskId> = ids.iter().copied().collect();
    let mut tasks: Vec<Task> = drafts
        .iter()
        .zip(&ids)
        .zip(&matched)
        .map(|((draft, id), previous)| Task {
            id: *id,
            phase: draft.phase.title(tdd),
            parallel: false,
            description: draft.description.clone(),
            paths: draft.paths.clone(),
            depends_on: draft.after.iter().map(|&i| ids[i]).collect(),
            done: previous.is_some_and(|e| e.task.done),
        })
        .collect();
    let marks = matched
        .iter()
        .map(|m| m.map_or(' ', |e| previous_mark(previous_text, e)))
        .collect();
    let kept: Vec<Kept> = previous_doc
        .tasks
        .iter()
        .filter(|e| !used.contains(&e.task.id))
        .map(|e| Kept {
            task: Task {
                depends_on: previous_doc.stated_dependencies(e.task.id),
                ..e.task.clone()
            },
            raw: previous_lines.get(e.line - 1).unwrap_or(&"").to_string(),
            line: e.line,
        })
        .collect();
    mark_parallel(&mut tasks, &kept);
    Merged { tasks, marks, kept }
}

/// `[P]`: the task names paths, none shared with another task of its phase,
/// and it depends on no task of its phase.
fn mark_parallel(tasks: &mut [Task], kept: &[Kept]) {
    let all: Vec<Task> = tasks
        .iter()
        .cloned()
        .chain(kept.iter().map(|k| k.task.clone()))
        .collect();
    let phase_of: BTreeMap<TaskId, &str> = all.iter().map(|t| (t.id, t.phase.as_str())).collect();
    for task in tasks.iter_mut() {
        let shares_a_file = all.iter().any(|other| {
            other.id != task.id
                && other.phase == task.phase
                && other
                    .paths
                    .iter()
                    .any(|p| task.paths.iter().any(|q| paths_overlap(p, q)))
        });
        let waits_in_phase = task
            .depends_on
            .iter()
            .any(|dep| phase_of.get(dep) == Some(&task.phase.as_str()));
        task.parallel = !task.paths.is_empty() && !shares_a_file && !waits_in_phase;
    }
}

fn previous_mark(text: &str, entry: &read::TaskEntry) -> char {
    text.get(entry.checkbox.clone())
        .and_then(|s| s.chars().next())
        .filter(|c| matches!(c, 'x' | 'X'))
        .unwrap_or(if entry.task.done { 'X' } else { ' ' })
}

/// Descriptions compare without inline dependency notes and spacing.
/// A description without its parenthesised facts and its paths:
/// "Health check implementation (GET /healthz → 200) in x" → "health check implementation".
fn stem(description: &str) -> String {
    let text = normalize(description).to_lowercase();
    let end = [text.find(" ("), text.rfind(" in ")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(text.len());
    text[..end].to_string()
}

/// Quotes, code spans, dashes and a word's closing period do not count, so
/// that a task keeps its ID when only the way its text quotes something
/// changed (`decision "x."` → `decision — x —`).
fn normalize(description: &str) -> String {
    let text = match description.find(" (depends on") {
        Some(at) => &description[..at],
        None => description,
    };
    text.split_whitespace()
        .map(|word| word.replace(['"', '`'], ""))
        .map(|word| word.trim_end_matches('.').to_string())
        .filter(|word| !word.is_empty() && word != "—")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Phases in order, so kept tasks can be placed after the generated ones.
pub fn phase_titles(tdd: bool) -> Vec<String> {
    PhaseKind::order(tdd).iter().map(|p| p.title(tdd)).collect()
}

/// Lines of the previous file that the new file would not contain and that
/// are not generated text which changes by itself (dependency lines,
/// parallel examples, checklist items, headings): the user's own words.
pub fn hand_written_lines(previous: &Previous, rendered: &str) -> Vec<(usize, String)> {
    let task_lines: HashSet<usize> = previous.doc.tasks.iter().map(|e| e.line).collect();
    let new_lines: HashSet<&str> = rendered.lines().map(str::trim).collect();
    previous
        .text
        .trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(n, line)| {
            !line.is_empty()
                && !task_lines.contains(n)
                && !new_lines.contains(line)
                && !is_generated_shape(line)
        })
        .map(|(n, line)| (n, line.to_string()))
        .collect()
}

fn is_generated_shape(line: &str) -> bool {
    const PREFIXES: [&str; 6] = [
        "# Tasks:",
        "**Input**",
        "**Prerequisites**",
        "## Phase ",
        "Task: \"",
        "# Launch ",
    ];
    PREFIXES.iter().any(|p| line.starts_with(p))
        || is_dependency_line(line)
        || is_checklist_item(line)
}

/// `- [x] All build requirements have tasks`
fn is_checklist_item(line: &str) -> bool {
    ["- [x] ", "- [ ] "]
        .iter()
        .filter_map(|mark| line.strip_prefix(mark))
        .any(|text| super::gates::ITEMS.contains(&text))
}

/// `- T004 blocks T010, T011`, `- Tests (T018-T023) before T035-T039`
fn is_dependency_line(line: &str) -> bool {
    line.strip_prefix("- ")
        .is_some_and(super::dependencies::is_statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(phase: PhaseKind, what: &str, path: &str, after: &[usize]) -> Draft {
        Draft {
            phase,
            description: format!("{what} in {path}"),
            paths: vec![path.to_string()],
            after: after.to_vec(),
            sources: Vec::new(),
        }
    }

    fn drafts() -> Vec<Draft> {
        vec![
            draft(PhaseKind::Setup, "Create", "docker/", &[]),
            draft(PhaseKind::Core, "Dockerfile", "docker/Dockerfile", &[0]),
            draft(PhaseKind::Core, "Entrypoint", "docker/entrypoint.sh", &[0]),
            draft(PhaseKind::Core, "Stage", "docker/Dockerfile", &[1]),
        ]
    }

    #[test]
    fn first_generation_numbers_in_order_and_marks_parallel_tasks() {
        let merged = merge(&drafts(), false, None);
        let ids: Vec<String> = merged.tasks.iter().map(|t| t.id.to_string()).collect();
        assert_eq!(ids, ["T001", "T002", "T003", "T004"]);
        let parallel: Vec<bool> = merged.tasks.iter().map(|t| t.parallel).collect();
        // T002 and T004 share the Dockerfile; T004 also waits for T002.
        assert_eq!(parallel, [true, false, true, false]);
        assert_eq!(merged.tasks[3].depends_on, [TaskId::new('T', 2)]);
        assert!(merged.kept.is_empty());
    }

    #[test]
    fn a_task_whose_facts_changed_keeps_its_id_and_mark() {
        let previous = "## Phase 3.2: Core Implementation\n\
                        - [x] T005 [P] Health check (GET /dev/tcp → 200) in docker/healthcheck.sh\n\
                        - [ ] T006 Health check in docker/other.sh\n";
        let drafts = vec![draft(
            PhaseKind::Core,
            "Health check (GET /healthz → 200)",
            "docker/healthcheck.sh",
            &[],
        )];
        let merged = merge(&drafts, false, Some(&Previous::parse(previous)));
        assert_eq!(merged.tasks[0].id, TaskId::new('T', 5));
        assert_eq!(merged.marks, ['x']);
        assert_eq!(
            merged.tasks[0].description,
            "Health check (GET /healthz → 200) in docker/healthcheck.sh"
        );
        let kept: Vec<String> = merged.kept.iter().map(|k| k.task.id.to_string()).collect();
        assert_eq!(kept, ["T006"], "other paths are another task");
    }

    #[test]
    fn a_task_whose_facts_changed_is_found_by_its_words_and_paths_together() {
        // T004 names the file but says something else; T006 says the same
        // words of another file; T005 is the task.
        let previous = "## Phase 3.2: Core Implementation\n\
                        - [ ] T004 Lint the script in docker/healthcheck.sh\n\
                        - [ ] T006 Health check in docker/other.sh\n\
                        - [x] T005 Health check (GET /dev/tcp → 200) in docker/healthcheck.sh\n";
        let drafts = vec![draft(
            PhaseKind::Core,
            "Health check (GET /healthz → 200)",
            "docker/healthcheck.sh",
            &[],
        )];
        let merged = merge(&drafts, false, Some(&Previous::parse(previous)));
        assert_eq!(merged.tasks[0].id, TaskId::new('T', 5));
        let kept: Vec<String> = merged.kept.iter().map(|k| k.task.id.to_string()).collect();
        assert_eq!(kept, ["T004", "T006"]);
    }

    /// The same words find the task even when its paths are not among them
    /// (a draft's paths need not all be written in its description).
    #[test]
    fn a_task_with_the_same_words_keeps_its_id_whatever_its_paths() {
        let previous = "## Phase 3.5: Polish\n- [x] T012 Document the image\n";
        let drafts = vec![Draft {
            phase: PhaseKind::Polish,
            description: "Document the image".to_string(),
            paths: vec!["docker/README.md".to_string()],
            after: Vec::new(),
            sources: Vec::new(),
        }];
        let merged = merge(&drafts, false, Some(&Previous::parse(previous)));
        assert_eq!(merged.tasks[0].id, TaskId::new('T', 12));
        assert_eq!(merged.marks, ['x']);
        assert!(merged.kept.is_empty());
    }

    #[test]
    fn a_task_whose_quoting_changed_keeps_its_id_and_mark() {
        let previous = "## Phase 3.1: Setup\n\
                        - [x] T004 Apply research decision \"tini as PID 1, exec \"$@\".\" in docker/entrypoint.rs\n\
                        - [ ] T005 Apply research decision \"debian:bookworm-slim\" in docker/Dockerfile\n";
        let drafts = vec![
            draft(
                PhaseKind::Setup,
                "Apply research decision `debian:bookworm-slim`",
                "docker/Dockerfile",
                &[],
            ),
            draft(
                PhaseKind::Setup,
                "Apply research decision — tini as PID 1, exec \"$@\" —",
                "docker/entrypoint.rs",
                &[],
            ),
        ];
        let merged = merge(&drafts, false, Some(&Previous::parse(previous)));
        let ids: Vec<String> = merged.tasks.iter().map(|t| t.id.to_string()).collect();
        assert_eq!(ids, ["T005", "T004"]);
        assert_eq!(merged.marks, [' ', 'x']);
        assert!(merged.kept.is_empty());
    }

    #[test]
    fn regeneration_keeps_ids_marks_and_hand_written_tasks() {
        let previous = "## Phase 3.2: Core Implementation\n\
                        - [x] T007 Entrypoint in docker/entrypoint.sh\n\
                        - [ ] T009 My own task in docker/extra.sh\n";
        let merged = merge(&drafts(), false, Some(&Previous::parse(previous)));
        let ids: Vec<String> = merged.tasks.iter().map(|t| t.id.to_string()).collect();
        assert_eq!(ids, ["T010", "T011", "T007", "T012"]);
        assert!(merged.tasks[2].done);
        assert_eq!(merged.marks, [' ', ' ', 'x', ' ']);
        assert_eq!(merged.kept.len(), 1);
        assert_eq!(
            merged.kept[0].raw,
            "- [ ] T009 My own task in docker/extra.sh"
        );
    }

    #[test]
    fn a_kept_task_waits_only_for_what_the_file_states() {
        // T009 follows T007 without stating dependencies; T013 states one.
        let previous = "## Phase 3.2: Core Implementation\n\
                        - [x] T007 Entrypoint in docker/entrypoint.sh\n\
                        - [ ] T009 My own task in docker/extra.sh\n\
                        - [ ] T013 Another in docker/more.sh (depends on T009)\n";
        let merged = merge(&drafts(), false, Some(&Previous::parse(previous)));
        let kept: Vec<(String, Vec<TaskId>)> = merged
            .kept
            .iter()
            .map(|k| (k.task.id.to_string(), k.task.depends_on.clone()))
            .collect();
        assert_eq!(
            kept,
            [
                ("T009".to_string(), vec![]),
                ("T013".to_string(), vec![TaskId::new('T', 9)])
            ]
        );
    }

    #[test]
    fn phase_titles_follow_the_template_with_tests_first_under_tdd() {
        assert_eq!(
            phase_titles(false),
            [
                "Phase 3.1: Setup",
                "Phase 3.2: Core Implementation",
                "Phase 3.3: Tests",
                "Phase 3.4: Integration",
                "Phase 3.5: Polish"
            ]
        );
        assert_eq!(
            phase_titles(true),
            [
                "Phase 3.1: Setup",
                "Phase 3.2: Tests First (TDD)",
                "Phase 3.3: Core Implementation",
                "Phase 3.4: Integration",
                "Phase 3.5: Polish"
            ]
        );
    }

    #[test]
    fn hand_written_prose_is_found_but_generated_shapes_are_not() {
        let previous = "# Tasks: x\n## Phase 3.1: Setup\n- [ ] T001 Create in docker/\n\
                        - T001 blocks T002\n- Tests (T018-T023) before T035, T036\n\
                        Task: \"Create in docker/\"\n\
                        - [x] All build requirements have tasks\n\
                        - [ ] remember the registry\n\nCall ops first.\n";
        let lost = hand_written_lines(&Previous::parse(previous), "# Tasks: x\n");
        assert_eq!(
            lost,
            [
                (8, "- [ ] remember the registry".to_string()),
                (10, "Call ops first.".to_string())
            ]
        );
    }
}
