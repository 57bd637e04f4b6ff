//! One reader for every tasks.md: generated, hand-written or AI-written.
//!
//! Reading never fails: what is not understood is skipped or reported as a
//! [`Problem`]. Every task keeps the byte range of its checkbox mark so that
//! edits touch one byte and leave the rest of the file as it was.

use super::model::{Task, TaskId};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TasksDoc {
    pub tasks: Vec<TaskEntry>,
    /// Every dependency statement, in file order (also folded into
    /// `Task::depends_on`).
    pub dependencies: Vec<Dependency>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEntry {
    pub task: Task,
    /// 1-based line number.
    pub line: usize,
    /// Byte range of the character between `[` and `]`.
    pub checkbox: Range<usize>,
}

/// `after` cannot start before `before` is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dependency {
    pub before: TaskId,
    pub after: TaskId,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl TasksDoc {
    pub fn get(&self, id: TaskId) -> Option<&TaskEntry> {
        self.tasks.iter().find(|entry| entry.task.id == id)
    }

    pub fn task_list(&self) -> Vec<Task> {
        self.tasks.iter().map(|entry| entry.task.clone()).collect()
    }
}

/// Reads a tasks.md. Offsets are bytes into `text` as given (BOM included).
pub fn parse(text: &str) -> TasksDoc {
    let mut doc = TasksDoc::default();
    let mut blocks = BlockState::default();
    let mut phase = String::new();
    let mut phases: Vec<(String, Vec<TaskId>)> = Vec::new();
    let mut in_dependencies = false;
    let mut dependency_lines: Vec<(usize, &str)> = Vec::new();

    for (index, (start, line)) in lines(text).enumerate() {
        let number = index + 1;
        if !blocks.visible(line) {
            continue;
        }
        if let Some((level, title)) = heading(line) {
            in_dependencies = title.to_ascii_lowercase().starts_with("dependencies");
            if title.to_ascii_lowercase().starts_with("phase") || level <= 2 {
                phase = title.to_string();
            }
            continue;
        }
        match task_line(line, start) {
            Some(Ok((mut task, checkbox))) => {
                task.phase = phase.clone();
                for before in inline_dependencies(&task.description) {
                    doc.dependencies.push(Dependency {
                        before,
                        after: task.id,
                        line: number,
                    });
                }
                match phases.last_mut() {
                    Some((name, ids)) if *name == phase => ids.push(task.id),
                    _ => phases.push((phase.clone(), vec![task.id])),
                }
                doc.tasks.push(TaskEntry {
                    task,
                    line: number,
                    checkbox,
                });
            }
            Some(Err(message)) => doc.problems.push(Problem {
                line: number,
                message,
            }),
            None if in_dependencies => dependency_lines.push((number, line)),
            None => {}
        }
    }
    for (number, line) in dependency_lines {
        doc.dependencies
            .extend(
                dependency_statement(line, &phases)
                    .into_iter()
                    .map(|(before, after)| Dependency {
                        before,
                        after,
                        line: number,
                    }),
            );
    }
    fold_dependencies(&mut doc);
    doc
}

fn fold_dependencies(doc: &mut TasksDoc) {
    for entry in &mut doc.tasks {
        let id = entry.task.id;
        for dependency in doc.dependencies.iter().filter(|d| d.after == id) {
            if !entry.task.depends_on.contains(&dependency.before) {
                entry.task.depends_on.push(dependency.before);
            }
        }
    }
}

/// Lines with the byte offset where each starts, without `\n` or `\r\n`
/// (and without the byte order mark).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let line_start = start;
        start += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        match line.strip_prefix('\u{feff}').filter(|_| line_start == 0) {
            Some(after_bom) => (line_start + '\u{feff}'.len_utf8(), after_bom),
            None => (line_start, line),
        }
    })
}

/// Tracks fenced code blocks and HTML comments across lines.
#[derive(Default)]
struct BlockState {
    /// The fence that opened the current code block (`` ` `` or `~`, length).
    fence: Option<(char, usize)>,
    in_comment: bool,
}

impl BlockState {
    /// Whether `line` is ordinary markdown (not inside a fence or comment);
    /// updates the state for the lines that follow.
    fn visible(&mut self, line: &str) -> bool {
        if let Some((fence_char, length)) = self.fence {
            if fence_marker(line).is_some_and(|(c, n, rest)| {
                c == fence_char && n >= length && rest.trim().is_empty()
            }) {
                self.fence = None;
            }
            return false;
        }
        let starts_in_comment = self.in_comment;
        self.in_comment = comment_open_after(line, self.in_comment);
        if starts_in_comment {
            return false;
        }
        if let Some((c, n, _)) = fence_marker(line) {
            self.fence = Some((c, n));
            return false;
        }
        true
    }
}

/// A fence line: up to three spaces, then three or more backticks or tildes.
fn fence_marker(line: &str) -> Option<(char, usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let fence_char = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let length = trimmed.chars().take_while(|&c| c == fence_char).count();
    (length >= 3).then(|| (fence_char, length, &trimmed[length..]))
}

/// Whether an HTML comment is still open at the end of `line`.
fn comment_open_after(line: &str, mut open: bool) -> bool {
    let mut rest = line;
    loop {
        let marker = if open { "-->" } else { "<!--" };
        match rest.find(marker) {
            Some(at) => {
                rest = &rest[at + marker.len()..];
                open = !open;
            }
            None => return open,
        }
    }
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let level = trimmed.bytes().take_while(|&b| b == b'#').count();
    let rest = &trimmed[level..];
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

type TaskLine = Result<(Task, Range<usize>), String>;

/// `- [ ] T004 [P] Description`, `* [x] **C001** Description`, ...
/// `None` when the line is not a checkbox item that starts with an ID-like word.
fn task_line(line: &str, line_start: usize) -> Option<TaskLine> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let rest = rest
        .strip_prefix(['-', '*', '+'])
        .filter(|r| r.starts_with([' ', '\t']))?;
    let item = rest.trim_start();
    let bytes = item.as_bytes();
    if bytes.len() < 3 || bytes[0] != b'[' || bytes[2] != b']' {
        return None;
    }
    let done = match bytes[1] {
        b' ' => false,
        b'x' | b'X' => true,
        _ => return None,
    };
    let mark_at = line_start + (line.len() - item.len()) + 1;
    let after_box = &item[3..];
    if !after_box.is_empty() && !after_box.starts_with([' ', '\t']) {
        return None;
    }
    let (id_text, description) = split_id(after_box.trim_start())?;
    let Some(id) = TaskId::parse(id_text) else {
        return Some(Err(format!(
            "`{id_text}` is not a task ID (`T` or `C` and three or more digits)"
        )));
    };
    let description = description.trim_start_matches(':').trim();
    let (parallel, description) = match description.strip_prefix("[P]") {
        Some(rest) => (true, rest.trim()),
        None => (false, description),
    };
    let task = Task {
        id,
        phase: String::new(),
        parallel,
        description: description.to_string(),
        paths: paths_in(description),
        depends_on: Vec::new(),
        done,
    };
    Some(Ok((task, mark_at..mark_at + 1)))
}

/// Splits `T004 rest` or `**T004** rest` into the ID word and the rest, when the
/// word looks like an ID (`T` or `C` followed by a digit).
fn split_id(text: &str) -> Option<(&str, &str)> {
    let (bold, text) = match text.strip_prefix("**") {
        Some(inner) => (true, inner),
        None => (false, text),
    };
    let length = text
        .char_indices()
        .find(|&(_, c)| !c.is_ascii_alphanumeric())
        .map_or(text.len(), |(at, _)| at);
    let word = &text[..length];
    let mut chars = word.chars();
    let looks_like_id =
        matches!(chars.next(), Some('T' | 'C')) && chars.next().is_some_and(|c| c.is_ascii_digit());
    if !looks_like_id {
        return None;
    }
    let rest = &text[length..];
    let rest = if bold { rest.strip_prefix("**")? } else { rest };
    Some((word, rest))
}

/// Workspace paths named in a description: words with a `/` or a file
/// extension, backticks and punctuation around them removed; directories keep
/// their trailing `/`.
pub fn paths_in(description: &str) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for word in description.split_whitespace() {
        let word = word
            .trim_start_matches(['(', '[', '"', '\'', '`'])
            .trim_end_matches([')', ']', '"', '\'', '`', ',', ';', ':', '.', '!', '?']);
        if looks_like_path(word) {
            let path = word.strip_prefix("./").unwrap_or(word);
            if !paths.iter().any(|p| p == path) {
                paths.push(path.to_string());
            }
        }
    }
    paths
}

fn looks_like_path(word: &str) -> bool {
    let path_chars = word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'@' | b'+'));
    // `/healthz` or `/specs/...` are URL paths or absolute: not workspace paths.
    if word.is_empty()
        || !path_chars
        || word.starts_with('/')
        || word.contains("://")
        || TaskId::parse(word).is_some()
    {
        return false;
    }
    if !word.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    word.contains('/') || has_extension(word)
}

/// `Cargo.toml`, `.dockerignore`, `x.rs`: an extension with a letter in it,
/// not an abbreviation such as `e.g` nor a version such as `v1.2`.
fn has_extension(word: &str) -> bool {
    let Some((stem, extension)) = word.rsplit_once('.') else {
        return false;
    };
    let extension_ok = !extension.is_empty()
        && extension.len() <= 16
        && extension.bytes().all(|b| b.is_ascii_alphanumeric())
        && extension.bytes().any(|b| b.is_ascii_alphabetic());
    extension_ok && !(stem.len() == 1 && extension.len() == 1)
}

/// `(depends on T004, T005)` or `depends on: T004` inside a task description.
fn inline_dependencies(description: &str) -> Vec<TaskId> {
    let lower = description.to_ascii_lowercase();
    let Some(at) = lower.find("depends on") else {
        return Vec::new();
    };
    let after = &description[at + "depends on".len()..];
    let clause = after.split(')').next().unwrap_or(after);
    ids_in(clause)
}

/// Every ID in `text`, ranges (`T004-T009`, `T004–T009`, `T004..T009`) expanded.
pub fn ids_in(text: &str) -> Vec<TaskId> {
    let mut ids = Vec::new();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '–' | '.')))
        .filter(|w| !w.is_empty())
        .collect();
    for word in words {
        let word = word.trim_matches('.');
        let range = word
            .split_once("..")
            .or_else(|| word.split_once('–'))
            .or_else(|| word.split_once('-'));
        match range.and_then(|(a, b)| Some((TaskId::parse(a)?, TaskId::parse(b)?))) {
            Some((first, last)) => ids.extend(expand(first, last)),
            None => ids.extend(TaskId::parse(word)),
        }
    }
    ids
}

/// The IDs from `first` to `last` with `first`'s prefix and width; at most
/// 10,000 of them, so a typo cannot exhaust memory.
fn expand(first: TaskId, last: TaskId) -> Vec<TaskId> {
    if first.prefix() != last.prefix() || last.number() < first.number() {
        return vec![first, last];
    }
    let width = first.to_string().len() - 1;
    (first.number()..=last.number())
        .take(10_000)
        .filter_map(|n| TaskId::parse(&format!("{}{:0width$}", first.prefix(), n)))
        .collect()
}

/// A line of the Dependencies section, as (before, after) pairs:
/// `T004 blocks T014, T015`, `T004-T009 before T010-T013`,
/// `Implementation (T004-T009) before tests (T010-T013)`,
/// `T014 depends on T004`, `Implementation before polish (T019-T023)`.
fn dependency_statement(line: &str, phases: &[(String, Vec<TaskId>)]) -> Vec<(TaskId, TaskId)> {
    const FORWARD: [&str; 4] = [" blocks ", " before ", " → ", " -> "];
    const BACKWARD: [&str; 5] = [
        " depends on ",
        " blocked by ",
        " requires ",
        " after ",
        " needs ",
    ];
    let text = line.trim_start().trim_start_matches(['-', '*', '+']).trim();
    let lower = text.to_ascii_lowercase();
    let split = |words: &[&str]| {
        words
            .iter()
            .filter_map(|w| lower.find(w).map(|at| (at, w.len())))
            .min()
    };
    let (before_side, after_side) = if let Some((at, len)) = split(&FORWARD) {
        (&text[..at], &text[at + len..])
    } else if let Some((at, len)) = split(&BACKWARD) {
        (&text[at + len..], &text[..at])
    } else {
        return Vec::new();
    };
    let befores = side_ids(before_side, phases);
    let afters = side_ids(after_side, phases);
    befores
        .iter()
        .flat_map(|&b| afters.iter().map(move |&a| (b, a)))
        .filter(|(b, a)| b != a)
        .collect()
}

/// The IDs a side names, or else the tasks of the one phase its words name.
fn side_ids(side: &str, phases: &[(String, Vec<TaskId>)]) -> Vec<TaskId> {
    let ids = ids_in(side);
    if !ids.is_empty() {
        return ids;
    }
    let words: Vec<String> = side
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect();
    let matching: Vec<&(String, Vec<TaskId>)> = phases
        .iter()
        .filter(|(name, _)| {
            let name = name.to_lowercase();
            words.iter().any(|w| name.contains(w.trim_end_matches('s')))
        })
        .collect();
    match matching.as_slice() {
        [(_, ids)] => ids.clone(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> TaskId {
        TaskId::parse(text).unwrap()
    }

    const TEMPLATE: &str = "# Tasks\n\n## Execution Flow (main)\n```\n- [ ] T900 not a task\n```\n\n\
## Phase 3.1: Setup\n- [ ] T001 Create structure\n- [x] T002 [P] Dockerfile in docker/Dockerfile\n\n\
## Phase 3.2: Core Implementation\n- [ ] T004 [P] Setup scripts in docker/setup.sh and `docker/setup/scripts/`\n\
- [X] T005 Entrypoint in docker/entrypoint.sh (depends on T001, T002)\n\n\
## Phase 3.3: Tests\n- [ ] T010 [P] Build test in docker/test/build_test.sh\n\n\
## Dependencies\n- Implementation (T004-T005) before tests (T010)\n- T001 blocks T004\n\
- Setup before implementation\n\n\
## Parallel Example\n```\n# Launch T004-T006 together:\nTask: \"Dockerfile creation in docker/Dockerfile\"\n- [ ] T901 nope\n```\n\
<!--\n- [ ] T902 commented out\n-->\n## Validation Checklist\n- [ ] All container specs have tests\n";

    #[test]
    fn reads_tasks_outside_fences_and_comments() {
        let doc = parse(TEMPLATE);
        let ids: Vec<String> = doc.tasks.iter().map(|e| e.task.id.to_string()).collect();
        assert_eq!(ids, ["T001", "T002", "T004", "T005", "T010"]);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn reads_phase_parallel_done_and_paths() {
        let doc = parse(TEMPLATE);
        let t004 = &doc.get(id("T004")).unwrap().task;
        assert_eq!(t004.phase, "Phase 3.2: Core Implementation");
        assert!(t004.parallel);
        assert!(!t004.done);
        assert_eq!(
            t004.description,
            "Setup scripts in docker/setup.sh and `docker/setup/scripts/`"
        );
        assert_eq!(t004.paths, ["docker/setup.sh", "docker/setup/scripts/"]);
        assert!(doc.get(id("T002")).unwrap().task.done);
        assert!(doc.get(id("T005")).unwrap().task.done);
        assert!(doc.get(id("T001")).unwrap().task.paths.is_empty());
    }

    #[test]
    fn reads_every_dependency_form() {
        let doc = parse(TEMPLATE);
        let deps = |t: &str| doc.get(id(t)).unwrap().task.depends_on.clone();
        assert_eq!(deps("T010"), [id("T004"), id("T005")]);
        assert_eq!(deps("T005"), [id("T001"), id("T002")]);
        assert_eq!(deps("T004"), [id("T001"), id("T002")]);
        assert!(deps("T001").is_empty());
    }

    #[test]
    fn checkbox_range_points_at_the_mark_with_crlf_and_bom() {
        let text =
            "\u{feff}## Phase 1\r\n- [ ] T001 First in a/b.rs\r\n  * [x] **C002** Second\r\n";
        let doc = parse(text);
        assert_eq!(doc.tasks.len(), 2);
        let first = &doc.tasks[0];
        assert_eq!(&text[first.checkbox.clone()], " ");
        assert_eq!(first.line, 2);
        assert_eq!(first.task.description, "First in a/b.rs");
        assert_eq!(first.task.phase, "Phase 1");
        let second = &doc.tasks[1];
        assert_eq!(second.task.id.to_string(), "C002");
        assert_eq!(&text[second.checkbox.clone()], "x");
        assert_eq!(second.task.description, "Second");
        assert!(second.task.done);
    }

    #[test]
    fn short_ids_are_problems_and_plain_checklists_are_ignored() {
        let doc = parse("- [ ] T4 too short\n- [ ] Ship it\n- [?] T001 odd box\n");
        assert!(doc.tasks.is_empty());
        assert_eq!(
            doc.problems,
            [Problem {
                line: 1,
                message: "`T4` is not a task ID (`T` or `C` and three or more digits)".into()
            }]
        );
    }

    #[test]
    fn paths_exclude_ids_urls_numbers_and_abbreviations() {
        assert_eq!(
            paths_in(
                "Check T004, https://x.io/a, GET /healthz, v1.2, e.g. <30s in .dockerignore and Cargo.toml."
            ),
            [".dockerignore", "Cargo.toml"]
        );
        assert_eq!(
            paths_in("Write ./docker/test/ (see docker/README.md)"),
            ["docker/test/", "docker/README.md"]
        );
    }

    #[test]
    fn ranges_expand_with_their_width() {
        assert_eq!(
            ids_in("T008..T010, C01"),
            [id("T008"), id("T009"), id("T010")]
        );
        assert_eq!(ids_in("T0009–T0010"), [id("T0009"), id("T0010")]);
    }

    #[test]
    fn backward_statements_and_unmatched_prose() {
        let doc = parse("## Phase 1\n- [ ] T001 a\n- [ ] T002 b\n## Dependencies\n- T002 depends on T001\n- Everything before lunch\n");
        assert_eq!(
            doc.dependencies,
            [Dependency {
                before: id("T001"),
                after: id("T002"),
                line: 5
            }]
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "-",
            "- [",
            "- [ ]",
            "- [ ] **T001",
            "```",
            "<!--",
            "# ",
            "- [x]T001",
            "ü- [ ] T001 ü/ö.rs",
        ] {
            let _ = parse(text);
        }
        assert!(parse("- [x]T001 glued").tasks.is_empty());
    }
}
