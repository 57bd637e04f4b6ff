//! One reader for every tasks.md: generated, spec-kit's own (current and older
//! templates), another agent's or a person's.
//!
//! The Markdown structure (headings, list items, task checkboxes, code fences,
//! HTML comments) comes from one pulldown-cmark pass; this module only reads
//! the text of the lines that pass gives it. Reading never fails: what is not
//! understood is skipped or reported as a [`Diagnostic`] naming its line. Every
//! task keeps the byte range of its checkbox mark so that edits touch one byte
//! and leave the rest of the file (detail lines included) as it was.

use super::model::{Task, TaskId};
use super::prose::{self, Context, Mode, Resolver};
use crate::diagnostic::{Diagnostic, Edit};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TasksDoc {
    /// Every task in file order, repeated IDs included.
    pub tasks: Vec<TaskEntry>,
    /// Headings that group tasks, in file order; `phases[0]` is the
    /// unnamed phase before the first heading.
    pub phases: Vec<Phase>,
    /// Every dependency statement, in file order.
    pub dependencies: Vec<Dependency>,
    pub problems: Vec<Diagnostic>,
    /// The line saying that user stories can proceed in parallel, if one
    /// does: then story phases run side by side.
    pub stories_in_parallel: Option<usize>,
    /// The first entry of each ID.
    index: HashMap<TaskId, usize>,
    /// For each ID, the statements (indices into `dependencies`) it waits in.
    waits_in: HashMap<TaskId, Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEntry {
    pub task: Task,
    /// 1-based line number of the task line.
    pub line: usize,
    /// Byte range of the character between `[` and `]`.
    pub checkbox: Range<usize>,
    /// Index into [`TasksDoc::phases`].
    pub phase: usize,
    /// The story label (`US1`) when the task carries one.
    pub story: Option<String>,
    /// Other bracket tags as written (`TDD`, `GIT`), without brackets.
    pub tags: Vec<String>,
    /// Whether the task states its own dependencies (inline, in a tag or a
    /// detail line, `none` included): then its place in the file does not
    /// order it after the task before it.
    pub states_dependencies: bool,
    /// The task whose list item holds this one (a nested sub-task).
    pub parent: Option<usize>,
    /// The bytes of a plain `[P]` marker with the space beside it, which
    /// `check --fix` removes from a task that cannot run in parallel.
    pub parallel_marker: Option<Range<usize>>,
    /// The heading under its phase heading, if any (`Tests for User Story 1`).
    pub section: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    /// The heading text, e.g. `Phase 3.1: Setup`; empty before any heading.
    pub title: String,
    pub line: usize,
}

/// Every task of `after` waits for every task of `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub before: Vec<TaskId>,
    pub after: Vec<TaskId>,
    pub line: usize,
}

impl TasksDoc {
    /// The first task with this ID.
    pub fn get(&self, id: TaskId) -> Option<&TaskEntry> {
        self.index.get(&id).map(|&at| &self.tasks[at])
    }

    /// Position of the first task with this ID in [`TasksDoc::tasks`].
    pub fn position(&self, id: TaskId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// Every entry with this ID (more than one when the file repeats it).
    pub fn all_with(&self, id: TaskId) -> Vec<&TaskEntry> {
        self.tasks.iter().filter(|e| e.task.id == id).collect()
    }

    pub fn task_list(&self) -> Vec<Task> {
        self.tasks.iter().map(|entry| entry.task.clone()).collect()
    }

    /// The tasks `id` directly waits for, from every statement naming it.
    pub fn stated_dependencies(&self, id: TaskId) -> Vec<TaskId> {
        let mut before: Vec<TaskId> = Vec::new();
        for dependency in self.statements_before(id) {
            for &b in &dependency.before {
                if b != id && !before.contains(&b) {
                    before.push(b);
                }
            }
        }
        before
    }

    /// The statements in which `id` is on the waiting side.
    pub fn statements_before(&self, id: TaskId) -> impl Iterator<Item = &Dependency> {
        self.waits_in
            .get(&id)
            .into_iter()
            .flatten()
            .map(|&at| &self.dependencies[at])
    }
}

/// Reads a tasks.md. Offsets are bytes into `text` as given (BOM included).
pub fn parse(text: &str) -> TasksDoc {
    let mut scan = Scan::new(text);
    scan.run();
    scan.finish()
}

/// A line of text outside code and HTML, with what it belongs to.
struct ProseLine {
    line: usize,
    /// The task whose item holds the line (not its first line).
    owner: Option<usize>,
    phase: usize,
    in_dependency_section: bool,
    /// Under a `Within Each User Story` heading of a Dependencies section.
    within_each: bool,
    /// A line of a code block in a Dependencies section.
    drawing: bool,
}

struct OpenItem {
    task: Option<usize>,
}

struct Scan<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    doc: TasksDoc,
    items: Vec<OpenItem>,
    heading: Option<(u8, String)>,
    /// The level of the Dependencies heading whose section we are in.
    dependency_section: Option<u8>,
    /// The heading below the phase heading that tasks sit under.
    section: String,
    within_each: bool,
    /// The last task read since the last heading.
    last_task: Option<usize>,
    prose: Vec<ProseLine>,
    /// Each task's texts that may state dependencies.
    pending_inline: Vec<(usize, Vec<String>)>,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Scan<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Scan {
            text,
            line_starts,
            doc: TasksDoc {
                phases: vec![Phase {
                    title: String::new(),
                    line: 0,
                }],
                ..TasksDoc::default()
            },
            items: Vec::new(),
            heading: None,
            dependency_section: None,
            section: String::new(),
            within_each: false,
            last_task: None,
            prose: Vec::new(),
            pending_inline: Vec::new(),
        }
    }

    /// 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// The source line holding `offset`, from `offset` to its end (no `\r`).
    fn rest_of_line(&self, offset: usize) -> &'a str {
        let rest = self.text.get(offset..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("");
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// The whole source line `number` (1-based), without its line ending.
    fn source_line(&self, number: usize) -> &'a str {
        match self.line_starts.get(number - 1) {
            Some(&start) => self.rest_of_line(start),
            None => "",
        }
    }

    fn run(&mut self) {
        let options = Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES;
        // Markdown starts after a byte order mark; offsets stay the file's.
        let base = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        let parser = Parser::new_ext(&self.text[base..], options)
            .into_offset_iter()
            .map(|(event, range)| (event, range.start + base..range.end + base));
        let mut code_depth = 0usize;
        let mut last_prose_line = 0;
        for (event, range) in parser {
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    self.heading = Some((level as u8, String::new()));
                }
                Event::End(TagEnd::Heading(_)) => {
                    let line = self.line_of(range.start);
                    self.end_heading(line);
                }
                Event::Start(Tag::CodeBlock(_)) => code_depth += 1,
                Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
                Event::Start(Tag::Item) => self.items.push(OpenItem { task: None }),
                Event::End(TagEnd::Item) => {
                    self.items.pop();
                }
                Event::TaskListMarker(done) => self.task_marker(range, done),
                Event::Text(text) | Event::Code(text) if code_depth == 0 => {
                    if let Some((_, heading)) = &mut self.heading {
                        heading.push_str(&text);
                        continue;
                    }
                    let line = self.line_of(range.start);
                    if line != last_prose_line {
                        last_prose_line = line;
                        self.prose_line(line, false);
                    }
                }
                // A drawing in a Dependencies section (`Setup (T001-T003) →
                // Foundational (T004-T009)`): each line is read as a chain.
                Event::Text(text) if self.dependency_section.is_some() => {
                    let first = self.line_of(range.start);
                    for (offset, _) in text.lines().enumerate() {
                        self.prose_line(first + offset, true);
                    }
                    last_prose_line = 0;
                }
                _ => {}
            }
        }
    }

    fn end_heading(&mut self, line: usize) {
        let Some((level, title)) = self.heading.take() else {
            return;
        };
        self.last_task = None;
        let title = title.trim().to_string();
        let lower = title.to_lowercase();
        if self.dependency_section.is_some_and(|l| level <= l) {
            self.dependency_section = None;
        }
        self.within_each = self.dependency_section.is_some() && lower.starts_with("within each");
        if prose::is_dependency_heading(&lower) {
            // A Dependencies heading nested in another keeps the outer section.
            self.dependency_section.get_or_insert(level);
            return;
        }
        if level <= 2 || lower.starts_with("phase") {
            self.doc.phases.push(Phase { title, line });
            self.section.clear();
        } else {
            self.section = lower;
        }
    }

    fn current_phase(&self) -> usize {
        self.doc.phases.len() - 1
    }

    fn prose_line(&mut self, line: usize, drawing: bool) {
        // An indented line right under a task that Markdown does not nest in
        // it (`  - Depends on: T004` under `1. [ ] T005`, which needs three
        // spaces) is still read as that task's detail line.
        let indented = self.source_line(line).starts_with([' ', '\t']);
        let owner = self
            .items
            .iter()
            .rev()
            .find_map(|item| item.task)
            .or(self.last_task.filter(|_| indented && !drawing));
        if owner.is_some_and(|task| self.doc.tasks[task].line == line) {
            return;
        }
        if self.dependency_section.is_none() {
            self.report_not_a_task(line);
        }
        self.prose.push(ProseLine {
            line,
            owner,
            phase: self.current_phase(),
            in_dependency_section: self.dependency_section.is_some(),
            within_each: self.within_each,
            drawing,
        });
    }

    /// Reports a line that starts like a task but is not one, with the edit
    /// that makes it one.
    fn report_not_a_task(&mut self, line: usize) {
        let mut start = self.line_starts[line - 1];
        let mut text = self.source_line(line);
        if let Some(after_bom) = text.strip_prefix('\u{feff}') {
            start += 3;
            text = after_bom;
        }
        let problem = match not_a_task(text) {
            None => return,
            Some(NotATask::NoCheckbox { id, at, insert }) => Diagnostic::warning(
                line,
                format!("{id} has no checkbox, so it is not read as a task; `- [ ] {id} ...` makes it one"),
            )
            .with_fix(vec![Edit {
                range: start + at..start + at,
                text: insert.to_string(),
            }]),
            Some(NotATask::Malformed { id, range, mark }) => Diagnostic::error(
                line,
                format!(
                    "{id}'s checkbox `{}` is not one Markdown reads, so it is not read as a task; write `[ ]`, or `[x]` when it is done",
                    text[range.clone()].trim_end()
                ),
            )
            .with_fix(
                mark.map(|mark| Edit {
                    range: start + range.start..start + range.end,
                    text: format!("[{mark}] "),
                })
                .into_iter()
                .collect(),
            ),
        };
        self.doc.problems.push(problem);
    }

    fn task_marker(&mut self, marker: Range<usize>, done: bool) {
        let line = self.line_of(marker.start);
        let rest = self.rest_of_line(marker.end);
        let parsed = match task_text(rest) {
            None => return,
            Some(Err(message)) => {
                self.doc.problems.push(Diagnostic::error(line, message));
                return;
            }
            Some(Ok(parsed)) => parsed,
        };
        let at = self.doc.tasks.len();
        self.doc.index.entry(parsed.id).or_insert(at);
        let parent = self.items.iter().rev().skip(1).find_map(|item| item.task);
        self.last_task = Some(at);
        if let Some(item) = self.items.last_mut() {
            item.task = Some(at);
        }
        let phase = self.current_phase();
        self.doc.tasks.push(TaskEntry {
            task: Task {
                id: parsed.id,
                phase: self.doc.phases[phase].title.clone(),
                parallel: parsed.parallel,
                paths: paths_in(&parsed.description),
                description: parsed.description,
                depends_on: Vec::new(),
                done,
            },
            line,
            checkbox: marker.start + 1..marker.end - 1,
            phase,
            story: parsed.story,
            tags: parsed.tags,
            states_dependencies: false,
            parent,
            section: self.section.clone(),
            parallel_marker: parsed
                .marker
                .and_then(|at| marker_range(rest, at))
                .map(|range| marker.end + range.start..marker.end + range.end),
        });
        self.pending_inline.push((at, parsed.relations));
    }

    fn finish(mut self) -> TasksDoc {
        let resolver = Resolver::new(&self.doc);
        let mut found: Vec<(Option<usize>, prose::Found)> = Vec::new();
        for (task, relations) in std::mem::take(&mut self.pending_inline) {
            let line = self.doc.tasks[task].line;
            let context = Context::Task(self.doc.tasks[task].task.id);
            for text in relations {
                found.push((
                    Some(task),
                    resolver.read(&text, line, &context, Mode::Inline),
                ));
            }
        }
        for prose_line in &self.prose {
            let source = self.source_line(prose_line.line);
            if prose_line.owner.is_none() && prose::says_stories_run_in_parallel(source) {
                self.doc.stories_in_parallel.get_or_insert(prose_line.line);
            }
            let (context, mode) = match prose_line.owner {
                Some(task) => (Context::Task(self.doc.tasks[task].task.id), Mode::Detail),
                None if prose_line.drawing => (Context::None, Mode::Drawing),
                None if prose_line.in_dependency_section => (Context::None, Mode::Section),
                None => (Context::Phase(prose_line.phase), Mode::Detail),
            };
            let result = if prose_line.within_each && prose_line.owner.is_none() {
                resolver.within_each(source, prose_line.line)
            } else {
                resolver.read(source, prose_line.line, &context, mode)
            };
            if let (Some(task), Some(paths)) = (prose_line.owner, prose::detail_paths(source)) {
                let task = &mut self.doc.tasks[task].task;
                for path in paths_in(paths) {
                    if !task.paths.contains(&path) {
                        task.paths.push(path);
                    }
                }
            }
            found.push((prose_line.owner, result));
        }
        for (owner, result) in found {
            if let (Some(task), true) = (owner, result.states_dependencies) {
                self.doc.tasks[task].states_dependencies = true;
            }
            self.doc.dependencies.extend(result.dependencies);
            self.doc.problems.extend(result.problems);
        }
        self.doc.problems.sort_by_key(|p| p.line);
        for (at, dependency) in self.doc.dependencies.iter().enumerate() {
            for &id in &dependency.after {
                let list = self.doc.waits_in.entry(id).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
        }
        self.doc
    }
}

/// A line that starts like a task but is not one. Offsets are into the line.
#[derive(Debug, PartialEq, Eq)]
enum NotATask {
    /// `- T012 Do it`, `T012: Do it`: an ID without a checkbox; inserting
    /// `insert` at `at` makes it a task.
    NoCheckbox {
        id: TaskId,
        at: usize,
        insert: &'static str,
    },
    /// `- [] T012`, `- [ x] T012`, `- [x]T012`: a box Markdown does not read;
    /// `range` runs from `[` to the ID, `mark` is the box's state when clear.
    Malformed {
        id: TaskId,
        range: Range<usize>,
        mark: Option<char>,
    },
}

/// Words that, right after an ID, make a line a statement about the task
/// (`T004 depends on T002`, `T001 must finish first`) rather than a task.
const CONNECTIVES: [&str; 40] = [
    "blocks", "block", "blocked", "before", "after", "depends", "depend", "precedes", "precede",
    "requires", "require", "needs", "need", "must", "can", "could", "should", "and", "or", "then",
    "is", "are", "was", "were", "waits", "wait", "unblocks", "enables", "follows", "through", "to",
    "→", "->", "=>", "&", "+", "with", "has", "have", "will",
];

fn not_a_task(line: &str) -> Option<NotATask> {
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let rest = &line[indent..];
    let Some(marker) = list_marker(rest) else {
        return starts_with_id(rest).map(|id| NotATask::NoCheckbox {
            id,
            at: indent,
            insert: "- [ ] ",
        });
    };
    let at = indent + marker;
    let item = &line[at..];
    if !item.starts_with('[') {
        return starts_with_id(item).map(|id| NotATask::NoCheckbox {
            id,
            at,
            insert: "[ ] ",
        });
    }
    let close = item[1..].find(']')? + 1;
    let inside = &item[1..close];
    let after = &item[close + 1..];
    let gap = after.len() - after.trim_start().len();
    let id = starts_with_id(&after[gap..])?;
    let mark = match inside.trim() {
        "" => Some(' '),
        "x" => Some('x'),
        "X" => Some('X'),
        _ => None,
    };
    (inside.chars().count() <= 3).then(|| NotATask::Malformed {
        id,
        range: at..at + close + 1 + gap,
        mark,
    })
}

/// `- `, `* `, `+ `, `3. `, `3) `: the marker's length with the spaces after it.
fn list_marker(text: &str) -> Option<usize> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match (digits, text.as_bytes().get(digits)?) {
        (0, b'-' | b'*' | b'+') => 1,
        (1..=9, b'.' | b')') => digits + 1,
        _ => return None,
    };
    let after = &text[marker..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    (spaces > 0).then_some(marker + spaces)
}

/// The ID a line's text starts with (plain or bold), unless what follows it
/// makes the line a statement about the task.
fn starts_with_id(text: &str) -> Option<TaskId> {
    let text = text.strip_prefix("**").unwrap_or(text);
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(text.len());
    let id = TaskId::parse(&text[..end])?;
    let after = &text[end..];
    if !(after.is_empty() || after.starts_with([' ', '\t', ':', '*'])) {
        return None;
    }
    let next = after
        .trim_start_matches([' ', '\t', ':', '*', '-', '—', '–'])
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    let statement = CONNECTIVES.contains(&next.as_str()) || starts_with_any_id(&next);
    (!statement).then_some(id)
}

/// `t002`, `t003-t005,`: a word that starts with an ID (lower-cased).
fn starts_with_any_id(word: &str) -> bool {
    let word = word.to_uppercase();
    let end = word
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(word.len());
    TaskId::parse(&word[..end]).is_some()
}

/// What the text after a task's checkbox says.
struct ParsedTask {
    id: TaskId,
    parallel: bool,
    /// Where a plain `[P]` marker stands.
    marker: Option<Marker>,
    story: Option<String>,
    tags: Vec<String>,
    description: String,
    /// Texts that may state dependencies: the description and `[D:…]`-style tags.
    relations: Vec<String>,
}

/// `T004 [P] Description`, `**T001 [P]** Description`, `T007a: Description`,
/// `**T002**: [US1] Description`. `None` when the text does not start with an
/// ID-like word (a plain checklist item); an error for a word that looks like
/// an ID but is not one.
fn task_text(rest: &str) -> Option<Result<ParsedTask, String>> {
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim_start();
    let (bold, text) = match text.strip_prefix("**") {
        Some(inner) => (true, inner),
        None => (false, text),
    };
    let length = text
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-'))
        .map_or(text.len(), |(at, _)| at);
    let word = text[..length].trim_end_matches('-');
    let mut chars = word.chars();
    let looks_like_id =
        matches!(chars.next(), Some('T' | 'C')) && chars.next().is_some_and(|c| c.is_ascii_digit());
    if !looks_like_id {
        return None;
    }
    let Some(id) = TaskId::parse(word) else {
        return Some(Err(format!(
            "`{word}` is not a task ID (`T` or `C`, three or more digits, an optional suffix such as `a` or `-TEST`)"
        )));
    };
    let mut rest = text[word.len()..].to_string();
    if bold {
        // `**T001 [P]** text` or `**T001: Title** text`: the bold ends somewhere.
        rest = rest.replacen("**", "", 1);
    }
    let mut parsed = ParsedTask {
        id,
        parallel: false,
        marker: None,
        story: None,
        tags: Vec::new(),
        description: String::new(),
        relations: Vec::new(),
    };
    let mut rest = rest.as_str();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ':', '-', '—', '–', '.']);
        let Some(inner) = rest.strip_prefix('[') else {
            break;
        };
        let Some(end) = inner.find(']') else {
            break;
        };
        read_tag(&inner[..end], &mut parsed);
        rest = &inner[end + 1..];
    }
    let mut description = rest.trim().trim_start_matches("**").trim();
    if let Some(before) = description.strip_suffix("[P]") {
        parsed.parallel = true;
        parsed.marker.get_or_insert(Marker::Trailing);
        description = before.trim_end();
    }
    parsed.description = description.to_string();
    parsed.relations.push(description.to_string());
    Some(Ok(parsed))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// Among the tags before the description (`T004 [P] ...`, `**T004 [P]**`).
    Leading,
    /// At the end of the line (`T004 Description [P]`).
    Trailing,
}

/// The `[P]` marker in the text after a checkbox, with the space before it
/// (or after it, at the start of the text).
fn marker_range(rest: &str, at: Marker) -> Option<Range<usize>> {
    let lower = rest.to_ascii_lowercase();
    let found = match at {
        Marker::Leading => lower.find("[p]"),
        Marker::Trailing => lower.rfind("[p]"),
    }?;
    let end = found + "[p]".len();
    Some(if rest[..found].ends_with(' ') {
        found - 1..end
    } else if rest[end..].starts_with(' ') {
        found..end + 1
    } else {
        found..end
    })
}

/// `P`, `P after T005a`, `US1`, `Story 2`, `D:T001,T002`, `B:T005`, `TDD`.
fn read_tag(tag: &str, parsed: &mut ParsedTask) {
    let tag = tag.trim();
    let upper = tag.to_ascii_uppercase();
    if upper == "P" {
        parsed.parallel = true;
        parsed.marker.get_or_insert(Marker::Leading);
    } else if upper.starts_with("P ") || upper.starts_with("P,") {
        parsed.parallel = true;
        parsed.relations.push(tag[1..].to_string());
    } else if let Some(ids) = upper.strip_prefix("D:") {
        parsed.relations.push(format!("depends on {ids}"));
    } else if let Some(ids) = upper.strip_prefix("B:") {
        parsed.relations.push(format!("blocks {ids}"));
    } else if is_story(&upper) {
        parsed.story = Some(tag.to_string());
    } else {
        parsed.tags.push(tag.to_string());
    }
}

/// `US1`, `US-2`, `US12`.
fn is_story(tag: &str) -> bool {
    tag.strip_prefix("US")
        .map(|n| n.trim_start_matches('-'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Workspace paths named in a description: words with a `/` or a file
/// extension, backticks and punctuation around them removed; directories keep
/// their trailing `/`. An absolute file-system path (`/etc/passwd`, `C:\x`)
/// is kept as written, so that `check` and `done` can refuse it; a URL path
/// such as `/healthz` is not a path.
pub fn paths_in(description: &str) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    // A code span of several words is a command (`curl -o /dev/null ...`),
    // not a path.
    let mut in_command = false;
    for word in description.split_whitespace() {
        let ticks_odd = word.matches('`').count() % 2 == 1;
        if in_command || ticks_odd {
            in_command ^= ticks_odd;
            continue;
        }
        let word = word
            .trim_start_matches(['(', '[', '"', '\'', '`', '*'])
            .trim_end_matches([')', ']', '"', '\'', '`', ',', ';', ':', '.', '!', '?', '*']);
        if looks_like_path(word) || is_absolute_path(word) {
            let path = word.strip_prefix("./").unwrap_or(word);
            if !paths.iter().any(|p| p == path) {
                paths.push(path.to_string());
            }
        }
    }
    paths
}

/// `/etc/passwd`, `/home/x/.ssh/config`, `C:\Users\x`, `D:\`, `~/x`: paths
/// outside any workspace.
pub fn is_absolute_path(word: &str) -> bool {
    const ROOTS: [&str; 14] = [
        "etc", "usr", "var", "home", "tmp", "opt", "root", "bin", "sbin", "dev", "proc", "sys",
        "srv", "Users",
    ];
    let drive = word.len() >= 3
        && word.as_bytes()[0].is_ascii_alphabetic()
        && (word[1..].starts_with(":\\") || word[1..].starts_with(":/"));
    let home = word.starts_with("~/");
    let root = word
        .strip_prefix('/')
        .and_then(|rest| rest.split('/').next())
        .is_some_and(|first| ROOTS.contains(&first));
    drive || home || (root && word[1..].contains('/'))
}

fn looks_like_path(word: &str) -> bool {
    let path_chars = word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'@' | b'+'));
    // `/healthz` or `/specs/...` are URL paths or absolute: not workspace paths
    // (and a URL's `:` is no path character).
    if word.is_empty() || !path_chars || word.starts_with('/') || TaskId::parse(word).is_some() {
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
    let extension_ok = extension.len() <= 16
        && extension.bytes().all(|b| b.is_ascii_alphanumeric())
        && extension.bytes().any(|b| b.is_ascii_alphabetic());
    extension_ok && !(stem.len() == 1 && extension.len() == 1)
}

/// A task as `status` and `next --format json` show it: everything an agent
/// needs to work on it without reading the markdown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskView<'a> {
    pub id: TaskId,
    pub description: &'a str,
    pub phase: &'a str,
    pub story: Option<&'a str>,
    pub tags: &'a [String],
    pub parallel: bool,
    pub done: bool,
    pub paths: &'a [String],
    /// The tasks it is stated to depend on, from statements naming up to
    /// [`GROUP`] tasks before it.
    pub depends_on: Vec<TaskId>,
    /// Larger statements it waits in (`T0001-T5000 before ...`), by line and
    /// extent, so that the output stays linear in the file.
    pub depends_on_groups: Vec<GroupView>,
    pub line: usize,
}

/// Statements naming more tasks than this before a task are shown as groups.
pub const GROUP: usize = 20;

#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupView {
    pub line: usize,
    pub first: TaskId,
    pub last: TaskId,
    pub count: usize,
}

impl TaskEntry {
    pub fn view<'a>(&'a self, doc: &TasksDoc) -> TaskView<'a> {
        TaskView {
            id: self.task.id,
            description: &self.task.description,
            phase: &self.task.phase,
            story: self.story.as_deref(),
            tags: &self.tags,
            parallel: self.task.parallel,
            done: self.task.done,
            paths: &self.task.paths,
            depends_on: {
                let mut ids: Vec<TaskId> = Vec::new();
                for statement in doc.statements_before(self.task.id) {
                    if statement.before.len() <= GROUP {
                        for &b in &statement.before {
                            if b != self.task.id && !ids.contains(&b) {
                                ids.push(b);
                            }
                        }
                    }
                }
                ids
            },
            depends_on_groups: doc
                .statements_before(self.task.id)
                .filter(|s| s.before.len() > GROUP)
                .map(|s| GroupView {
                    line: s.line,
                    first: s.before[0],
                    last: s.before[s.before.len() - 1],
                    count: s.before.len(),
                })
                .collect(),
            line: self.line,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn id(text: &str) -> TaskId {
        TaskId::parse(text).unwrap()
    }

    fn ids(doc: &TasksDoc) -> Vec<String> {
        doc.tasks.iter().map(|e| e.task.id.to_string()).collect()
    }

    /// Every problem as `line: Severity: message`.
    fn problems(doc: &TasksDoc) -> Vec<String> {
        doc.problems
            .iter()
            .map(|p| format!("{}: {:?}: {}", p.line, p.severity, p.message))
            .collect()
    }

    /// Every stated edge as `before>after@line`, in file order.
    pub(crate) fn edges(doc: &TasksDoc) -> Vec<String> {
        let mut out = Vec::new();
        for d in &doc.dependencies {
            for b in &d.before {
                for a in &d.after {
                    out.push(format!("{b}>{a}@{}", d.line));
                }
            }
        }
        out
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
        assert_eq!(ids(&doc), ["T001", "T002", "T004", "T005", "T010"]);
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
    fn reads_the_seed_dependency_forms() {
        let doc = parse(TEMPLATE);
        assert_eq!(
            edges(&doc),
            [
                "T001>T005@14",
                "T002>T005@14",
                "T004>T010@20",
                "T005>T010@20",
                "T001>T004@21",
                "T001>T004@22",
                "T001>T005@22",
                "T002>T004@22",
                "T002>T005@22",
            ]
        );
        assert_eq!(
            doc.stated_dependencies(id("T010")),
            [id("T004"), id("T005")]
        );
        // T001 is stated before T004 twice and named once.
        assert_eq!(
            doc.stated_dependencies(id("T004")),
            [id("T001"), id("T002")]
        );
        let view = doc.get(id("T004")).unwrap().view(&doc);
        assert_eq!(view.depends_on, [id("T001"), id("T002")]);
    }

    #[test]
    fn suffixed_bold_numbered_and_nested_tasks() {
        let text = "## Phase 1\n\
- [ ] T007 plain in a.rs\n\
- [ ] T007a suffixed in b.rs\n\
- [x] T011K upper suffix\n\
* [X] T053-TEST dashed suffix\n\
- [ ] **T060 [P]** bold with marker in c.rs\n\
- [ ] **T061**: bold then colon [US2] in d.rs\n\
- [ ] **T062** [P] [US1] [TDD] bold then tags in e.rs\n\
1. [ ] T070 numbered in f.rs\n\
2. [x] T071 numbered done\n\
- [ ] T080 parent in g.rs\n\
  - [ ] T080a child in h.rs\n\
- [ ] T090 — dashed description. [P]\n\
- [ ] Ship it\n";
        let doc = parse(text);
        assert_eq!(
            ids(&doc),
            [
                "T007",
                "T007a",
                "T011K",
                "T053-TEST",
                "T060",
                "T061",
                "T062",
                "T070",
                "T071",
                "T080",
                "T080a",
                "T090"
            ]
        );
        let done: Vec<String> = doc
            .tasks
            .iter()
            .filter(|e| e.task.done)
            .map(|e| e.task.id.to_string())
            .collect();
        assert_eq!(done, ["T011K", "T053-TEST", "T071"]);
        let t060 = doc.get(id("T060")).unwrap();
        assert!(t060.task.parallel);
        assert_eq!(t060.task.description, "bold with marker in c.rs");
        let t061 = doc.get(id("T061")).unwrap();
        assert_eq!(t061.story, None);
        assert_eq!(t061.task.description, "bold then colon [US2] in d.rs");
        let t062 = doc.get(id("T062")).unwrap();
        assert!(t062.task.parallel);
        assert_eq!(t062.story.as_deref(), Some("US1"));
        assert_eq!(t062.tags, ["TDD"]);
        assert_eq!(t062.task.description, "bold then tags in e.rs");
        assert_eq!(doc.get(id("T080a")).unwrap().line, 12);
        let t090 = doc.get(id("T090")).unwrap();
        assert!(t090.task.parallel);
        assert_eq!(t090.task.description, "dashed description.");
        for entry in &doc.tasks {
            let mark = &text[entry.checkbox.clone()];
            assert_eq!(
                mark == "x" || mark == "X",
                entry.task.done,
                "{}",
                entry.task.id
            );
        }
    }

    #[test]
    fn a_story_tag_after_the_description_starts_is_text() {
        // Tags are read only where the description starts.
        let doc = parse("- [ ] T001 [US1] [P] a in a.rs\n");
        let entry = &doc.tasks[0];
        assert_eq!(entry.story.as_deref(), Some("US1"));
        assert!(entry.task.parallel);
        assert_eq!(entry.task.description, "a in a.rs");
    }

    #[test]
    fn detail_lines_give_dependencies_and_paths() {
        let text = "## Phase 1\n\
- [ ] T001 First\n  - Depends on: none\n  - File: `src/first.rs`\n\
- [ ] T002 Second\n  - **Dependencies**: T001\n  - Blocker for: T004, T005\n\
- [ ] T003 Third (blocked until T002 approved)\n\
- [ ] T004 [D:T001,T003] Fourth\n\
- [ ] T005 [P after T004] Fifth\n\
- [ ] T006 Sixth\n  - Acceptance: runs after the deploy\n\
- [ ] T007 Seventh\n  - Blocks: T008\n- [ ] T008 Eighth\n";
        let doc = parse(text);
        assert_eq!(
            edges(&doc),
            [
                "T002>T003@8",
                "T001>T004@9",
                "T003>T004@9",
                "T004>T005@10",
                "T001>T002@6",
                "T002>T004@7",
                "T002>T005@7",
                "T007>T008@14",
            ]
        );
        let stated: Vec<bool> = doc.tasks.iter().map(|e| e.states_dependencies).collect();
        // What a task blocks is no statement of what it waits for.
        assert_eq!(stated, [true, true, true, true, true, false, false, false]);
        assert_eq!(doc.get(id("T001")).unwrap().task.paths, ["src/first.rs"]);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn numbered_detail_lines_are_read_like_bulleted_ones() {
        let doc = parse(
            "## Phase 1\n- [ ] T001 a\n- [ ] T002 b\n  1. File: `src/b.rs`\n  2) Path: src/c.rs\n",
        );
        assert_eq!(doc.tasks[1].task.paths, ["src/b.rs", "src/c.rs"]);
    }

    #[test]
    fn a_detail_line_markdown_does_not_nest_still_belongs_to_its_task() {
        let doc = parse("## Phase 1\n1. [ ] T001 a in a.rs\n2. [ ] T002 b in b.rs\n  - Depends on: none\n  - File: `c.rs`\n- [ ] T003 c\n\n**Dependencies**: T001\n");
        assert!(doc.tasks[1].states_dependencies);
        assert_eq!(doc.tasks[1].task.paths, ["b.rs", "c.rs"]);
        assert_eq!(edges(&doc), ["T001>T001@8", "T001>T002@8", "T001>T003@8"]);
    }

    #[test]
    fn phase_paragraphs_and_sections_name_phases_and_stories() {
        let text = "## Phase 1: Setup\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs\n\
## Phase 2: Foundational\n- [ ] T003 c in c.rs\n- [ ] T004 d in d.rs\n\n\
**Dependencies**: T001 must be complete. T003-T004 can run in parallel\n\
## Phase 3: User Story 1\n- [ ] T005 [US1] e in e.rs\n\
## Phase 4: User Story 2\n- [ ] T006 [US2] f in f.rs\n\
## Dependencies & Execution Order\n\
- **Foundational (Phase 2)**: Depends on Setup completion - BLOCKS all user stories\n\
- US2 can start in parallel after US1\n\
- Setup → Foundational → US1\n\
- Tests MUST fail before implementation\n\
- T005 and T006 share the API\n";
        let doc = parse(text);
        assert_eq!(
            edges(&doc),
            [
                "T001>T003@8",
                "T001>T004@8",
                "T003>T005@14",
                "T003>T006@14",
                "T004>T005@14",
                "T004>T006@14",
                "T001>T003@14",
                "T001>T004@14",
                "T002>T003@14",
                "T002>T004@14",
                "T005>T006@15",
                "T001>T003@16",
                "T001>T004@16",
                "T002>T003@16",
                "T002>T004@16",
                "T003>T005@16",
                "T004>T005@16",
            ]
        );
        assert_eq!(
            problems(&doc),
            [
                "17: Warning: cannot tell which tasks `Tests MUST fail before implementation` orders; no dependency read from it",
                "18: Warning: names tasks but no order between them: `T005 and T006 share the API`",
            ]
        );
    }

    #[test]
    fn over_reading_is_avoided() {
        let text = "## Phase 1\n- [ ] T001 a in a.rs\n- [ ] T002 b in b.rs\n- [ ] T003 c in c.rs\n- [ ] T004 d in d.rs\n\
- [ ] T005 e in e.rs\n## Dependencies\n- T004 depends on T002 and T003 → run after both\n";
        let doc = parse(text);
        assert_eq!(edges(&doc), ["T002>T004@8", "T003>T004@8"]);
    }

    #[test]
    fn ranges_follow_the_files_ids_suffixes_and_direction() {
        let text = "- [ ] T007 a\n- [ ] T007a b\n- [ ] T008 c\n- [ ] T009 d\n- [ ] T010 e\n\
## Dependencies\n- T007-T008 before T010\n- T009..T007a before T010\n- T001-C002 before T010\n\
- T006-T007a before T010\n";
        let doc = parse(text);
        assert_eq!(
            edges(&doc),
            [
                "T007>T010@7",
                "T007a>T010@7",
                "T008>T010@7",
                "T007a>T010@8",
                "T008>T010@8",
                "T009>T010@8",
                "T001>T010@9",
                "C002>T010@9",
                "T007>T010@10",
                "T007a>T010@10",
                "T006>T010@10",
            ]
        );
    }

    #[test]
    fn ordering_and_blockers_headings_open_dependency_sections() {
        let text = "## Phase 1\n- [ ] T001 a\n- [ ] T002 b\n## Ordering\n- T001 blocks T002\n\
## Phase 2\n- [ ] T003 c\n## Blockers\n- T002 blocks T003\n\
## Phase 3\n- [ ] T004 d\n## Order of work\n- T003 blocks T004\n\
## Phase 4\n- [ ] T005 e\n## Execution order\n- T004 blocks T005\n";
        let doc = parse(text);
        assert_eq!(
            edges(&doc),
            ["T001>T002@5", "T002>T003@9", "T003>T004@13", "T004>T005@17"]
        );
        let titles: Vec<&str> = doc.phases.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["", "Phase 1", "Phase 2", "Phase 3", "Phase 4"]);
    }

    #[test]
    fn a_phase_and_every_later_one_wait_for_what_they_name() {
        let text = "## Phase 1: Setup\n- [ ] T001 a\n## Phase 2: Core\n- [ ] T002 b\n\
## Phase 3: Tests\n- [ ] T003 c\n## Phase 4: Polish\n- [ ] T004 d\n\
## Dependencies\n- Phase 3+ depends on Phase 2\n";
        let doc = parse(text);
        assert_eq!(edges(&doc), ["T002>T003@10", "T002>T004@10"]);
    }

    #[test]
    fn dependency_like_lines_outside_dependency_sections_are_not_read() {
        let doc =
            parse("## Phase 1\n- [ ] T001 a\n- [ ] T002 b\n\nT001 blocks T002 in this sentence.\n");
        assert!(doc.dependencies.is_empty());
    }

    #[test]
    fn checkbox_range_points_at_the_mark_with_crlf_and_bom() {
        let text =
            "\u{feff}- [ ] T001 First in a/b.rs\r\n## Phase 1\r\n  * [x] **C002** Second\r\n";
        let doc = parse(text);
        assert_eq!(doc.tasks.len(), 2);
        let first = &doc.tasks[0];
        assert_eq!(first.checkbox, 6..7);
        assert_eq!(&text[first.checkbox.clone()], " ");
        assert_eq!(first.line, 1);
        assert_eq!(first.task.description, "First in a/b.rs");
        let second = &doc.tasks[1];
        assert_eq!(second.task.id.to_string(), "C002");
        assert_eq!(&text[second.checkbox.clone()], "x");
        assert_eq!(second.task.description, "Second");
        assert_eq!(second.task.phase, "Phase 1");
        assert!(second.task.done);
    }

    #[test]
    fn repeated_ids_are_all_kept_and_get_finds_the_first() {
        let doc = parse("- [ ] T001 a\n- [ ] T002 b\n- [x] T001 c\n");
        assert_eq!(ids(&doc), ["T001", "T002", "T001"]);
        assert_eq!(doc.get(id("T001")).unwrap().line, 1);
        assert_eq!(doc.all_with(id("T001")).len(), 2);
    }

    #[test]
    fn short_ids_are_problems_and_plain_checklists_are_ignored() {
        let doc = parse("- [ ] T4 too short\n- [ ] Ship it\n");
        assert!(doc.tasks.is_empty());
        assert_eq!(
            doc.problems,
            [Diagnostic::error(
                1,
                "`T4` is not a task ID (`T` or `C`, three or more digits, an optional suffix such as `a` or `-TEST`)"
            )]
        );
    }

    #[test]
    fn id_lines_without_a_readable_checkbox_are_problems_with_their_fix() {
        let text = "\u{feff}- T001 No box in a.rs\n## Phase 1\n- [ ] T002 Real in b.rs\n  - T002a Sub-step without a box\n\
T003: Paragraph task in c.rs\n3. **T004** [P] Numbered, bold\n- [] T005 Empty box\n- [ x] T006 Spaced mark\n\
- [X]T007 Glued\n- [?] T008 Unclear box\n- T009 depends on T002\n- T010, T011 and T012 can run together\n\
T013 must finish first\n- T014 - T016 in parallel\n```\n- T017 in a fence\n```\n## Dependencies\n- T018 Setup goes first\n";
        let doc = parse(text);
        assert_eq!(ids(&doc), ["T002"]);
        assert_eq!(
            problems(&doc),
            [
                "1: Warning: T001 has no checkbox, so it is not read as a task; `- [ ] T001 ...` makes it one",
                "4: Warning: T002a has no checkbox, so it is not read as a task; `- [ ] T002a ...` makes it one",
                "5: Warning: T003 has no checkbox, so it is not read as a task; `- [ ] T003 ...` makes it one",
                "6: Warning: T004 has no checkbox, so it is not read as a task; `- [ ] T004 ...` makes it one",
                "7: Error: T005's checkbox `[]` is not one Markdown reads, so it is not read as a task; write `[ ]`, or `[x]` when it is done",
                "8: Error: T006's checkbox `[ x]` is not one Markdown reads, so it is not read as a task; write `[ ]`, or `[x]` when it is done",
                "9: Error: T007's checkbox `[X]` is not one Markdown reads, so it is not read as a task; write `[ ]`, or `[x]` when it is done",
                "10: Error: T008's checkbox `[?]` is not one Markdown reads, so it is not read as a task; write `[ ]`, or `[x]` when it is done",
                "19: Warning: names tasks but no order between them: `T018 Setup goes first`",
            ]
        );
        let mut fixed = text.to_string();
        for edit in doc.problems.iter().rev().flat_map(|p| p.fix.iter().rev()) {
            fixed.replace_range(edit.range.clone(), &edit.text);
        }
        let expected = text
            .replacen("- T001", "- [ ] T001", 1)
            .replacen("  - T002a", "  - [ ] T002a", 1)
            .replacen("\nT003:", "\n- [ ] T003:", 1)
            .replacen("3. **T004**", "3. [ ] **T004**", 1)
            .replacen("- [] T005", "- [ ] T005", 1)
            .replacen("- [ x] T006", "- [x] T006", 1)
            .replacen("- [X]T007", "- [X] T007", 1);
        assert_eq!(fixed, expected);
        assert_eq!(
            ids(&parse(&fixed)),
            ["T001", "T002", "T002a", "T003", "T004", "T005", "T006", "T007"]
        );
    }

    #[test]
    fn paths_exclude_ids_urls_numbers_and_abbreviations_but_keep_absolute_ones() {
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
        assert_eq!(
            paths_in("Read /etc/passwd and ~/x/y.txt but not /api/v1/items"),
            ["/etc/passwd", "~/x/y.txt"]
        );
        assert_eq!(
            paths_in("Copy C:\\Users\\x\\app.toml to D:/data, then wipe E:\\ and F:/"),
            ["C:\\Users\\x\\app.toml", "D:/data", "E:\\", "F:/"]
        );
        assert_eq!(
            paths_in("Validate (run `curl -o /dev/null x.sh`) in `docs/q.md` and a.md"),
            ["docs/q.md", "a.md"]
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
            "- [ ] **",
            "```",
            "<!--",
            "# ",
            "- [x]T001",
            "ü- [ ] T001 ü/ö.rs",
            "- [ ] T001 ü (depends on ü→T002)\n## Dependencies\n- ü → ö\n- T001 →\n→ T001\n",
            "> - [ ] T001 quoted\n",
        ] {
            let _ = parse(text);
        }
        assert!(parse("- [x]T001 glued").tasks.is_empty());
    }

    #[test]
    fn a_drawing_in_a_dependencies_section_is_read_line_by_line() {
        let text = "## Phase 1: Setup\n- [ ] T001 a\n- [ ] T002 b\n## Phase 2: Core\n- [ ] T003 c\n- [ ] T004 d\n\
## Dependencies\n```text\nSetup (T001-T002)\n   |\nT001 → T003\nT002 → T004\n```\n";
        let doc = parse(text);
        assert_eq!(edges(&doc), ["T001>T003@11", "T002>T004@12"]);
        // A box naming tasks without an arrow is part of the drawing.
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn a_heading_as_high_as_the_dependencies_heading_ends_its_section() {
        let text = "## Phase 1\n- [ ] T001 a\n- [ ] T002 b\n## Dependencies\n- T001 blocks T002\n\
### Notes\n- T002 blocks T001\n## Notes\n- Tests must fail before implementation\n";
        let doc = parse(text);
        assert_eq!(edges(&doc), ["T001>T002@5", "T002>T001@7"]);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let titles: Vec<&str> = doc.phases.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["", "Phase 1", "Notes"]);
    }

    #[test]
    fn a_phase_dependencies_heading_is_part_of_the_section_not_a_phase() {
        let text = "## Phase 1: Setup\n- [ ] T001 a\n## Phase 2: Core\n- [ ] T002 b\n\
## Dependencies & Execution Order\n### Phase Dependencies\n- Setup before Core\n";
        let doc = parse(text);
        let titles: Vec<&str> = doc.phases.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["", "Phase 1: Setup", "Phase 2: Core"]);
        assert_eq!(edges(&doc), ["T001>T002@7"]);
    }

    #[test]
    fn phases_are_top_headings_and_phase_headings_at_any_level() {
        let text = "# Tasks: Search\n## Setup\n- [ ] T001 a\n### Phase 2: Core\n- [ ] T002 b\n\
#### Tests for the parser\n- [ ] T003 c\n";
        let doc = parse(text);
        let titles: Vec<&str> = doc.phases.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["", "Tasks: Search", "Setup", "Phase 2: Core"]);
        let placed: Vec<(&str, &str)> = doc
            .tasks
            .iter()
            .map(|e| (e.task.phase.as_str(), e.section.as_str()))
            .collect();
        assert_eq!(
            placed,
            [
                ("Setup", ""),
                ("Phase 2: Core", ""),
                ("Phase 2: Core", "tests for the parser")
            ]
        );
    }

    #[test]
    fn a_sub_task_belongs_to_the_task_whose_item_holds_it() {
        let doc = parse("- [ ] T010 parent\n  - [ ] T010a child\n    - [ ] T010b grandchild\n- [ ] T011 sibling\n");
        let parents: Vec<Option<usize>> = doc.tasks.iter().map(|e| e.parent).collect();
        assert_eq!(parents, [None, Some(0), Some(1), None]);
    }

    #[test]
    fn an_id_after_a_bold_or_wide_list_marker_still_gets_its_checkbox_fix() {
        let text =
            "## Phase 1\n- [ ] T001 a in a.rs\n\n**T002** Write the guide in docs/guide.md\n\n\
-  T003 Two spaces after the dash\n\n1234567890. T004 Ten digits make no list marker\n";
        let doc = parse(text);
        assert_eq!(
            problems(&doc),
            [
                "4: Warning: T002 has no checkbox, so it is not read as a task; `- [ ] T002 ...` makes it one",
                "6: Warning: T003 has no checkbox, so it is not read as a task; `- [ ] T003 ...` makes it one",
            ]
        );
        let mut fixed = text.to_string();
        for edit in doc.problems.iter().rev().flat_map(|p| p.fix.iter().rev()) {
            fixed.replace_range(edit.range.clone(), &edit.text);
        }
        assert_eq!(
            fixed,
            text.replacen("**T002**", "- [ ] **T002**", 1)
                .replacen("-  T003", "-  [ ] T003", 1)
        );
    }

    #[test]
    fn checklist_items_starting_with_t_or_c_words_are_not_tasks() {
        let doc = parse("## Release checklist\n- [ ] Tests pass on CI\n- [ ] Code reviewed\n");
        assert!(doc.tasks.is_empty());
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn a_us_tag_without_a_number_is_a_plain_tag() {
        let doc = parse("- [ ] T010 [P] [USB] Enumerate the device in src/usb.rs\n- [ ] T011 [US-3] Pairing in src/pair.rs\n");
        assert_eq!(doc.tasks[0].story, None);
        assert_eq!(doc.tasks[0].tags, ["USB"]);
        assert_eq!(doc.tasks[1].story.as_deref(), Some("US-3"));
        assert!(doc.tasks[1].tags.is_empty());
    }

    #[test]
    fn a_parallel_marker_after_a_tab_takes_the_space_after_it() {
        let text = "- [ ] T004\t[P] Wire the handler in src/handler.rs\n";
        let doc = parse(text);
        let marker = doc.tasks[0].parallel_marker.clone().unwrap();
        assert_eq!(&text[marker.clone()], "[P] ");
        let mut fixed = text.to_string();
        fixed.replace_range(marker, "");
        assert_eq!(fixed, "- [ ] T004\tWire the handler in src/handler.rs\n");
    }

    #[test]
    fn globs_variables_versions_and_dotted_names_are_not_paths() {
        assert_eq!(
            paths_in(
                "Quote each `*` in scripts/ci.sh, format src/*.rs, write $OUT_DIR/report.json"
            ),
            ["scripts/ci.sh"]
        );
        assert_eq!(
            paths_in("Bump the client to v2.0-beta and register com.example.OrderServiceImplementation in app.yaml"),
            ["app.yaml"]
        );
    }

    #[test]
    fn statements_of_more_than_twenty_tasks_are_shown_as_groups() {
        let mut text = String::from("## Phase 1\n");
        for n in 1..=23 {
            text.push_str(&format!("- [ ] T{n:03} task {n}\n"));
        }
        text.push_str("## Dependencies\n- T001-T021 before T022\n- T001-T020 before T023\n");
        let doc = parse(&text);
        let wide = doc.get(id("T022")).unwrap().view(&doc);
        assert!(wide.depends_on.is_empty());
        let groups: Vec<(usize, String, String, usize)> = wide
            .depends_on_groups
            .iter()
            .map(|g| (g.line, g.first.to_string(), g.last.to_string(), g.count))
            .collect();
        assert_eq!(groups, [(26, "T001".into(), "T021".into(), 21)]);
        let narrow = doc.get(id("T023")).unwrap().view(&doc);
        assert_eq!(narrow.depends_on.len(), GROUP);
        assert_eq!(narrow.depends_on[GROUP - 1], id("T020"));
        assert!(narrow.depends_on_groups.is_empty());
    }
}
