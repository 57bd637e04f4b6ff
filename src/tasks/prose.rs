//! Dependencies stated in words: inline (`(depends on T012)`), in tags
//! (`[D:T002]`), in detail lines (`- Depends on: T002`, `- Blocker for:
//! T014`), in a phase's `**Dependencies**:` paragraph and in a Dependencies
//! section (`T004 blocks T014, T015`, `Tests (T004-T008) before
//! implementation (T009-T018)`, `Setup → Foundational → US1`).
//!
//! A side of a statement is read as IDs (ranges expanded over the tasks the
//! file has, in their order), else as the phases or stories its words name,
//! else as the task or phase the line belongs to when the side says nothing
//! more. What still cannot be resolved is never guessed: it is a warning
//! naming the line.

use super::model::TaskId;
use super::read::{Dependency, TasksDoc};
use crate::Diagnostic;
use std::collections::BTreeMap;

/// What a line is about when one side of its statement names nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Task(TaskId),
    /// Index into the document's phases.
    Phase(usize),
    /// A line of a Dependencies section: about nothing in particular.
    None,
}

/// How much a line is trusted to state dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A task's own text: only relation phrases followed by IDs count.
    Inline,
    /// A detail line of a task, or a `**Dependencies**:` line of a phase.
    Detail,
    /// The value of a dependency label (`Depends on: ...`): what cannot be
    /// read is a warning.
    Labelled,
    /// A line of a Dependencies section: every statement is read, and what
    /// cannot be read is a warning.
    Section,
    /// A line of a drawing in a Dependencies section: chains and statements
    /// are read; a box naming tasks without an arrow is no warning.
    Drawing,
}

#[derive(Debug, Default)]
pub struct Found {
    pub dependencies: Vec<Dependency>,
    pub problems: Vec<Diagnostic>,
    /// The line states the task's dependencies (`none` included).
    pub states_dependencies: bool,
}

const FORWARD: [&str; 9] = [
    " blocks ",
    " block ",
    " before ",
    " precedes ",
    " precede ",
    " unblocks ",
    " enables ",
    " → ",
    " -> ",
];
const BACKWARD: [&str; 15] = [
    " depends on ",
    " depend on ",
    " depending on ",
    " blocked by ",
    " blocked until ",
    " requires ",
    " require ",
    " after ",
    " needs ",
    " need ",
    " waits for ",
    " wait for ",
    " waiting on ",
    " follows ",
    " builds on ",
];
const BEFORE_LABELS: [&str; 10] = [
    "dependencies",
    "dependency",
    "depends on",
    "depend on",
    "blocked by",
    "requires",
    "after",
    "needs",
    "waits for",
    "deps",
];
const AFTER_LABELS: [&str; 5] = ["blocker for", "blocks", "unblocks", "blocking", "enables"];
const PATH_LABELS: [&str; 5] = ["file", "files", "path", "paths", "location"];
const STOPWORDS: [&str; 74] = [
    "phase",
    "phases",
    "task",
    "tasks",
    "must",
    "complete",
    "completion",
    "completed",
    "before",
    "after",
    "all",
    "the",
    "and",
    "with",
    "can",
    "start",
    "starting",
    "started",
    "depends",
    "depend",
    "done",
    "finish",
    "finished",
    "user",
    "story",
    "stories",
    "this",
    "that",
    "then",
    "each",
    "any",
    "every",
    "other",
    "from",
    "into",
    "only",
    "when",
    "once",
    "run",
    "runs",
    "being",
    "are",
    "will",
    "should",
    "until",
    "work",
    "items",
    "item",
    "first",
    "last",
    "next",
    "previous",
    "ready",
    "begin",
    "begins",
    "need",
    "needs",
    "blocks",
    "block",
    "required",
    "requires",
    "these",
    "those",
    "them",
    "their",
    "both",
    "also",
    "none",
    "prior",
    "within",
    "have",
    "has",
    "been",
    "immediately",
];

/// Whether a heading opens a section of dependency statements.
pub fn is_dependency_heading(lower: &str) -> bool {
    if lower.starts_with("phase") && !lower.contains("dependenc") {
        return false;
    }
    lower == "order"
        || lower.starts_with("order ")
        || lower.starts_with("order:")
        || lower.contains("dependenc")
        || lower.contains("execution order")
        || lower.contains("task order")
        || lower.contains("ordering")
        || lower.contains("blockers")
}

/// The value of a `File:` / `Files:` / `Path:` detail line.
pub fn detail_paths(line: &str) -> Option<&str> {
    let (label, value) = label(line)?;
    PATH_LABELS.contains(&label.as_str()).then_some(value)
}

/// `- **Depends on**: T001` → (`depends on`, `T001`), markup removed.
fn label(line: &str) -> Option<(String, &str)> {
    let text = strip_marker(line);
    let colon = text.find(':')?;
    let name: String = text[..colon]
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect::<String>()
        .trim()
        .to_lowercase();
    if name.is_empty() || name.len() > 40 {
        return None;
    }
    let value = text[colon + 1..].trim_start_matches(['*', '_']).trim();
    Some((name, value))
}

/// A line without its list marker, quote marker and leading spaces.
fn strip_marker(line: &str) -> &str {
    let mut text = line.trim_start();
    loop {
        let before = text;
        text = text.trim_start_matches('>').trim_start();
        for marker in ["- ", "* ", "+ "] {
            text = text.strip_prefix(marker).unwrap_or(text);
        }
        // An ordered list marker: one to nine digits, then `. ` or `) `.
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        if (1..10).contains(&digits) {
            let after = &text[digits..];
            if after.starts_with(". ") || after.starts_with(") ") {
                text = &after[2..];
            }
        }
        for checkbox in ["[ ] ", "[x] ", "[X] "] {
            text = text.strip_prefix(checkbox).unwrap_or(text);
        }
        text = text.trim_start();
        if text == before {
            return text;
        }
    }
}

/// Resolves the words of statements to task IDs.
pub struct Resolver {
    /// Every known ID, sorted, with its file position (for ranges).
    sorted: Vec<TaskId>,
    /// Lower-cased phase titles and their tasks.
    phases: Vec<(String, Vec<TaskId>)>,
    stories: BTreeMap<String, Vec<TaskId>>,
    /// Per phase: each task with the words of its section heading and of its
    /// description, for `Within each user story: tests before implementation`.
    words: Vec<Vec<TaskWords>>,
}

/// A task with the significant words of its section heading and description.
#[derive(Clone)]
struct TaskWords {
    id: TaskId,
    section: Vec<String>,
    description: Vec<String>,
}

impl Resolver {
    pub fn new(doc: &TasksDoc) -> Resolver {
        let mut sorted: Vec<TaskId> = doc.tasks.iter().map(|e| e.task.id).collect();
        sorted.sort();
        sorted.dedup();
        let mut phases: Vec<(String, Vec<TaskId>)> = doc
            .phases
            .iter()
            .map(|p| (p.title.to_lowercase(), Vec::new()))
            .collect();
        let mut stories: BTreeMap<String, Vec<TaskId>> = BTreeMap::new();
        let mut words = vec![Vec::new(); doc.phases.len()];
        for entry in &doc.tasks {
            phases[entry.phase].1.push(entry.task.id);
            words[entry.phase].push(TaskWords {
                id: entry.task.id,
                section: significant_words(&entry.section),
                description: significant_words(&entry.task.description.to_lowercase()),
            });
            if let Some(story) = &entry.story {
                stories
                    .entry(story_key(story))
                    .or_default()
                    .push(entry.task.id);
            }
        }
        Resolver {
            sorted,
            phases,
            stories,
            words,
        }
    }

    /// The dependencies one line (or one task's text) states.
    pub fn read(&self, text: &str, line: usize, context: &Context, mode: Mode) -> Found {
        let mut found = Found::default();
        let text = without_priority_order(strip_marker(text));
        let text = text.as_ref();
        if mode != Mode::Inline {
            if let Some((name, value)) = label(text) {
                let before = BEFORE_LABELS.contains(&name.as_str());
                if before || AFTER_LABELS.contains(&name.as_str()) {
                    self.labelled(value, before, line, context, &mut found);
                    return found;
                }
            }
            if mode == Mode::Detail && matches!(context, Context::Phase(_)) {
                return found;
            }
        }
        let text = self.without_title(text);
        for sentence in sentences(text) {
            self.sentence(sentence, line, context, mode, &mut found);
        }
        found
    }

    /// `**The base template comes first**: T004 blocks T005`: a title that
    /// names no task before a statement that does is left out.
    fn without_title<'t>(&self, text: &'t str) -> &'t str {
        match label(text) {
            Some((name, value))
                if self.ids_in(&name).is_empty()
                    && !self.ids_in(value).is_empty()
                    && relation(&lowered(value)).is_some() =>
            {
                value
            }
            _ => text,
        }
    }

    /// A line under `Within Each User Story`: `Tests before implementation`
    /// holds in every phase, its sides read as the section headings (else
    /// the words of the descriptions) of that phase's tasks.
    pub fn within_each(&self, text: &str, line: usize) -> Found {
        let mut found = Found::default();
        for sentence in sentences(strip_marker(text)) {
            let lower = lowered(sentence);
            let Some((at, len, forward)) = relation(&lower) else {
                continue;
            };
            let (Some(left), Some(right)) = (
                sentence.get(..at.saturating_sub(1).min(sentence.len())),
                sentence.get((at + len).saturating_sub(1).min(sentence.len())..),
            ) else {
                continue;
            };
            let (left, right) = (
                significant_words(&left.to_lowercase()),
                significant_words(&right.to_lowercase()),
            );
            let before_found = found.dependencies.len();
            for tasks in &self.words {
                let (l, r) = (pick(tasks, &left), pick(tasks, &right));
                let (before, after) = if forward { (l, r) } else { (r, l) };
                if !before.iter().any(|b| after.contains(b)) {
                    push(&mut found, before, after, line);
                }
            }
            if found.dependencies.len() == before_found {
                found.problems.push(unresolved(line, sentence));
            }
        }
        found
    }

    /// `Depends on: T001, T002`, `Blocker for: T014`, `Dependencies: none`,
    /// `Dependencies: T025 must be complete. Can run in parallel with T026`.
    fn labelled(
        &self,
        value: &str,
        before: bool,
        line: usize,
        context: &Context,
        found: &mut Found,
    ) {
        if matches!(context, Context::Task(_)) && before {
            found.states_dependencies = true;
        }
        for sentence in sentences(value) {
            let lower = lowered(sentence);
            if is_none(&lower) {
                continue;
            }
            if relation(&lower).is_some() {
                self.sentence(sentence, line, context, Mode::Labelled, found);
                continue;
            }
            if lower.contains("parallel") {
                continue;
            }
            let Some(named) = self.side(sentence).or_else(|| self.names(sentence)) else {
                found.problems.push(unresolved(line, sentence));
                continue;
            };
            let here = self.context_ids(context);
            let (b, a) = if before { (named, here) } else { (here, named) };
            push(found, b, a, line);
        }
    }

    fn sentence(
        &self,
        sentence: &str,
        line: usize,
        context: &Context,
        mode: Mode,
        found: &mut Found,
    ) {
        let lower = lowered(sentence);
        let Some((at, len, forward)) = relation(&lower) else {
            self.without_relation(sentence, &lower, line, context, mode, found);
            return;
        };
        // Offsets in `lower` are one byte ahead of `sentence` (the leading
        // space added by `lowered`): the relation's own leading space is
        // `sentence[at - 1]`, so the left side ends at `at`.
        let (Some(left), Some(right)) = (sentence.get(..at), sentence.get(at + len - 1..)) else {
            return;
        };
        let arrow = lower[at..at + len].contains('→') || lower[at..at + len].contains("->");
        if arrow && mode != Mode::Inline {
            self.chain(sentence, line, context, found);
            return;
        }
        let rest = right;
        let right = first_clause(rest);
        // `X depends on Y - BLOCKS Z`, `(blocked until A, depends on B)`: the
        // subject goes on with the next relation.
        let more = &rest[right.len()..];
        if relation(&lowered(more)).is_some() {
            let next = format!(
                "{left} {}",
                more.trim_start_matches([',', ';', '-', '—', ' '])
            );
            self.sentence(&next, line, context, mode, found);
        }
        let (left_ids, right_ids) = if mode == Mode::Inline {
            let Some(ids) = self.side(right) else {
                return;
            };
            (self.context_ids(context), ids)
        } else {
            let left_ids = self.side_or_context(left, context);
            let right_ids = self.side_or_context(right, context);
            match (left_ids, right_ids) {
                (Some(l), Some(r)) => (l, r),
                _ => {
                    if matches!(mode, Mode::Section | Mode::Labelled | Mode::Drawing) {
                        found.problems.push(unresolved(line, sentence));
                    }
                    return;
                }
            }
        };
        if !forward && matches!(context, Context::Task(_)) {
            found.states_dependencies = true;
        }
        let (before, after) = if forward {
            (left_ids, right_ids)
        } else {
            (right_ids, left_ids)
        };
        push(found, before, after, line);
    }

    /// `T025 must be complete` in a phase's or task's dependency line; IDs
    /// with no order in a Dependencies section are a warning.
    fn without_relation(
        &self,
        sentence: &str,
        lower: &str,
        line: usize,
        context: &Context,
        mode: Mode,
        found: &mut Found,
    ) {
        if mode == Mode::Inline || lower.contains("parallel") {
            return;
        }
        let Some(ids) = self.side(sentence) else {
            return;
        };
        let completes = ["complete", "done", "finished", "first"]
            .iter()
            .any(|w| lower.contains(w));
        if completes && matches!(mode, Mode::Detail | Mode::Labelled) {
            push(found, ids, self.context_ids(context), line);
        } else if mode == Mode::Section {
            found.problems.push(Diagnostic::warning(
                line,
                format!(
                    "names tasks but no order between them: `{}`",
                    sentence.trim()
                ),
            ));
        }
    }

    /// `Setup → Foundational → US1 → Polish`: each part before the next.
    fn chain(&self, sentence: &str, line: usize, context: &Context, found: &mut Found) {
        let parts: Vec<&str> = sentence.split('→').flat_map(|p| p.split("->")).collect();
        let mut resolved = Vec::new();
        for part in &parts {
            match self.side_or_context(part, context) {
                Some(ids) => resolved.push(ids),
                None => {
                    found.problems.push(unresolved(line, sentence));
                    return;
                }
            }
        }
        for pair in resolved.windows(2) {
            push(found, pair[0].clone(), pair[1].clone(), line);
        }
    }

    fn context_ids(&self, context: &Context) -> Vec<TaskId> {
        match *context {
            Context::Task(id) => vec![id],
            Context::Phase(phase) => self
                .phases
                .get(phase)
                .map(|p| p.1.clone())
                .unwrap_or_default(),
            Context::None => Vec::new(),
        }
    }

    /// IDs, else named phases or stories, else the context when the side
    /// says nothing more than filler words.
    fn side_or_context(&self, side: &str, context: &Context) -> Option<Vec<TaskId>> {
        self.side(side)
            .or_else(|| self.names(side))
            .or_else(|| is_filler(side).then(|| self.context_ids(context)))
            .filter(|ids| !ids.is_empty())
    }

    /// The IDs a side names, ranges expanded; `None` when it names none.
    fn side(&self, side: &str) -> Option<Vec<TaskId>> {
        let ids = self.ids_in(side);
        (!ids.is_empty()).then_some(ids)
    }

    /// Every ID in `text`, ranges (`T004-T009`, `T004–T009`, `T004..T009`,
    /// `T007a-T009`) expanded over the file's tasks.
    pub fn ids_in(&self, text: &str) -> Vec<TaskId> {
        let mut ids: Vec<TaskId> = Vec::new();
        let words = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '–' | '.')))
            .filter(|w| !w.is_empty());
        for word in words {
            let word = word.trim_matches(['.', '-', '–']);
            let range = word
                .split_once("..")
                .or_else(|| word.split_once('–'))
                .or_else(|| split_range(word));
            let found = match range.and_then(|(a, b)| Some((TaskId::parse(a)?, TaskId::parse(b)?)))
            {
                Some((first, last)) => self.expand(first, last),
                None => TaskId::parse(word).into_iter().collect(),
            };
            for id in found {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }

    /// The file's tasks from `first` to `last` in ID order; a backwards range
    /// reads forwards; the two ends alone when the file has nothing between
    /// them (so that `check` can report them).
    fn expand(&self, first: TaskId, last: TaskId) -> Vec<TaskId> {
        let (low, high) = (first.min(last), first.max(last));
        if low.prefix() != high.prefix() {
            return vec![first, last];
        }
        let start = self.sorted.partition_point(|id| *id < low);
        let end = self.sorted.partition_point(|id| *id <= high);
        let between = &self.sorted[start..end.max(start)];
        let mut ids: Vec<TaskId> = between.to_vec();
        for end in [low, high] {
            if !ids.contains(&end) {
                ids.push(end);
            }
        }
        ids
    }

    /// The tasks of the phases or stories a side's words name: `Phase 2`,
    /// `US1`, `User Story 3`, `Setup`, `Foundational`. `None` when it names
    /// none or a word fits more than one phase.
    fn names(&self, side: &str) -> Option<Vec<TaskId>> {
        let lower = side.to_lowercase();
        let mut matched: Vec<usize> = Vec::new();
        let mut ids: Vec<TaskId> = Vec::new();
        if lower.contains("stories") {
            for (p, (title, _)) in self.phases.iter().enumerate() {
                if title.contains("user story") || title.contains("story ") {
                    matched.push(p);
                }
            }
            for tasks in self.stories.values() {
                ids.extend(tasks);
            }
            return self.unique(ids, &matched);
        }
        if let Some(from) = phases_from(&lower) {
            for (p, (title, _)) in self.phases.iter().enumerate() {
                let number = phase_number(title).and_then(|n| {
                    n.split('.')
                        .next()
                        .and_then(|major| major.parse::<u32>().ok())
                });
                if number.is_some_and(|n| n >= from) {
                    matched.push(p);
                }
            }
            return self.unique(ids, &matched);
        }
        let numbered = numbered_phases(&lower);
        for number in &numbered {
            let hits: Vec<usize> = (0..self.phases.len())
                .filter(|&p| phase_number(&self.phases[p].0).as_deref() == Some(number.as_str()))
                .collect();
            if hits.is_empty() {
                return None;
            }
            matched.extend(hits);
        }
        for story in story_refs(&lower) {
            let mut any = false;
            if let Some(tasks) = self.stories.get(&story) {
                ids.extend(tasks);
                any = true;
            }
            for (p, (title, _)) in self.phases.iter().enumerate() {
                if story_refs(title).contains(&story) {
                    matched.push(p);
                    any = true;
                }
            }
            if !any {
                return None;
            }
        }
        if numbered.is_empty() && ids.is_empty() && matched.is_empty() {
            for word in significant_words(&lower) {
                let hits: Vec<usize> = (0..self.phases.len())
                    .filter(|&p| !self.phases[p].1.is_empty())
                    .filter(|&p| significant_words(&self.phases[p].0).contains(&word))
                    .collect();
                match hits.as_slice() {
                    [] => {}
                    [one] => matched.push(*one),
                    _ => return None,
                }
            }
        }
        self.unique(ids, &matched)
    }

    /// `ids` and the tasks of the `matched` phases, each once, in order.
    fn unique(&self, mut ids: Vec<TaskId>, matched: &[usize]) -> Option<Vec<TaskId>> {
        for &p in matched {
            ids.extend(&self.phases[p].1);
        }
        let mut unique = Vec::with_capacity(ids.len());
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            if seen.insert(id) {
                unique.push(id);
            }
        }
        (!unique.is_empty()).then_some(unique)
    }
}

/// The tasks of one phase whose section heading has one of `words`, else
/// those whose description has one.
fn pick(tasks: &[TaskWords], words: &[String]) -> Vec<TaskId> {
    if words.is_empty() {
        return Vec::new();
    }
    let by = |field: fn(&TaskWords) -> &Vec<String>| -> Vec<TaskId> {
        tasks
            .iter()
            .filter(|t| field(t).iter().any(|w| words.contains(w)))
            .map(|t| t.id)
            .collect()
    };
    let in_sections = by(|t| &t.section);
    if in_sections.is_empty() {
        by(|t| &t.description)
    } else {
        in_sections
    }
}

/// `T003-T005` → (`T003`, `T005`); `T053-TEST` is an ID, not a range.
fn split_range(word: &str) -> Option<(&str, &str)> {
    let (a, b) = word.split_once('-')?;
    if TaskId::parse(word).is_some() {
        return None;
    }
    match b.split_once('-') {
        // `T053-TEST-T060-TEST`: split at the dash before the second ID.
        Some(_) => word
            .match_indices('-')
            .map(|(at, _)| (&word[..at], &word[at + 1..]))
            .find(|(x, y)| TaskId::parse(x).is_some() && TaskId::parse(y).is_some()),
        None => Some((a, b)),
    }
}

fn push(found: &mut Found, before: Vec<TaskId>, after: Vec<TaskId>, line: usize) {
    if before.is_empty() || after.is_empty() {
        return;
    }
    found.dependencies.push(Dependency {
        before,
        after,
        line,
    });
}

fn unresolved(line: usize, sentence: &str) -> Diagnostic {
    Diagnostic::warning(
        line,
        format!(
            "cannot tell which tasks `{}` orders; no dependency read from it",
            sentence.trim()
        ),
    )
}

/// ` text ` lower-cased (ASCII only, so byte offsets stay those of `text`
/// plus one) with brackets and punctuation as spaces, so that relation
/// words match after `(` or before `,`.
fn lowered(text: &str) -> String {
    let mut lower = String::with_capacity(text.len() + 2);
    lower.push(' ');
    for c in text.chars() {
        match c {
            '(' | ')' | '[' | ']' | ',' | ':' | '*' | '_' | '`' => lower.push(' '),
            c => lower.push(c.to_ascii_lowercase()),
        }
    }
    lower.push(' ');
    lower
}

/// The earliest relation word: (offset, length, forward).
fn relation(lower: &str) -> Option<(usize, usize, bool)> {
    let forward = FORWARD.iter().map(|w| (w, true));
    let backward = BACKWARD.iter().map(|w| (w, false));
    forward
        .chain(backward)
        .filter_map(|(w, f)| lower.find(*w).map(|at| (at, w.len(), f)))
        .min_by_key(|&(at, len, _)| (at, std::cmp::Reverse(len)))
}

/// A side up to the next relation word, `;` or closing parenthesis.
fn first_clause(side: &str) -> &str {
    let lower = lowered(side);
    let mut end = side.len();
    if let Some((at, _, _)) = relation(&lower) {
        end = end.min(at.saturating_sub(1));
    }
    for stop in [')', ';'] {
        if let Some(at) = side.find(stop) {
            end = end.min(at);
        }
    }
    side.get(..end).unwrap_or(side)
}

/// Sentences: split at `. `, `; ` and line ends.
fn sentences(text: &str) -> Vec<&str> {
    text.split(['\n', ';'])
        .flat_map(|part| part.split(". "))
        .map(|s| s.trim().trim_end_matches('.'))
        .filter(|s| !s.is_empty())
        .collect()
}

fn is_none(lower: &str) -> bool {
    let word = lower.trim().trim_matches(['*', '_', '(', ')', '.']);
    word.is_empty()
        || matches!(word, "—" | "-" | "–" | "n/a" | "na" | "nothing")
        || word.starts_with("none")
        || word.starts_with("no dependencies")
}

/// A side that says nothing but filler (`starting`, `this phase`, `all`).
fn is_filler(side: &str) -> bool {
    significant_words(&side.to_lowercase()).is_empty()
}

fn significant_words(lower: &str) -> Vec<String> {
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && !w.bytes().all(|b| b.is_ascii_digit()))
        .filter(|w| !STOPWORDS.contains(w))
        .map(|w| {
            if let Some(stem) = w.strip_suffix("ies") {
                format!("{stem}y")
            } else {
                w.trim_end_matches('s').to_string()
            }
        })
        .collect()
}

/// `phase 2`, `phase 3.1` in lower-cased text (not `phase 3+`).
fn numbered_phases(lower: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    for (at, _) in lower.match_indices("phase ") {
        let rest = &lower[at + "phase ".len()..];
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let number = number.trim_end_matches('.').to_string();
        let next = rest[number.len()..].chars().next();
        if !number.is_empty() && !matches!(next, Some('+' | '-' | '–')) {
            numbers.push(number);
        }
    }
    numbers
}

/// `phase 3+` → 3: that phase and every later one.
fn phases_from(lower: &str) -> Option<u32> {
    lower.match_indices("phase ").find_map(|(at, _)| {
        let rest = &lower[at + "phase ".len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        rest[digits.len()..]
            .starts_with('+')
            .then(|| digits.parse().ok())
            .flatten()
    })
}

/// The number of a phase title (`phase 3.1: setup` → `3.1`).
fn phase_number(title: &str) -> Option<String> {
    let rest = title.strip_prefix("phase ")?;
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let number = number.trim_end_matches('.');
    (!number.is_empty()).then(|| number.to_string())
}

/// `User stories can then proceed in parallel (if staffed)`, `all user
/// stories can start in parallel`, `Different user stories can be worked on
/// in parallel`, `The stories are independent of each other`: story phases
/// may run side by side. Not when it is denied (`cannot`, `only if`,
/// `strictly`) or said of some stories only (`P1 user stories ...`).
pub fn says_stories_run_in_parallel(line: &str) -> bool {
    let lower = line.to_lowercase();
    let Some(at) = lower.find("stories") else {
        return false;
    };
    let (subject, rest) = lower.split_at(at);
    let claims = rest.contains(" in parallel")
        || rest.contains("are independent ")
        || rest
            .trim_end_matches(['.', ' '])
            .ends_with("are independent");
    let denied = [
        " not ",
        "cannot",
        "can't",
        "only if",
        "only when",
        "only after",
        "strictly",
    ]
    .iter()
    .any(|word| lower.contains(word));
    let some_only = subject
        .split_whitespace()
        .rev()
        .find(|word| *word != "user")
        .is_some_and(|word| {
            word.trim_matches(['*', '(', ')'])
                .strip_prefix('p')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    claims && !denied && !some_only
}

/// `Or sequentially in priority order (P1 → P2 → P3)`: spec-kit's template
/// offers the priority order as one way to staff the stories, not as an
/// order they must follow, so it is left out of the line: the parenthesis
/// after `priority order`, else the rest of the sentence.
fn without_priority_order(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(at) = text.to_ascii_lowercase().find("priority order") else {
        return text.into();
    };
    let end = at + "priority order".len();
    let after = &text[end..];
    let skipped = match after.trim_start().strip_prefix('(') {
        Some(inside) => match inside.find(')') {
            Some(close) => &inside[close + 1..],
            None => "",
        },
        None => after.find(['.', ';']).map_or("", |stop| &after[stop..]),
    };
    format!("{}{skipped}", &text[..end]).into()
}

/// Whether a phase title names a user story (`Phase 3: User Story 1 - ...`, `US2`).
pub fn names_a_story(title: &str) -> bool {
    !story_refs(&title.to_lowercase()).is_empty()
}

/// `us1`, `us-2`, `user story 3`, `story 4` → `us1`, `us2`, ...
fn story_refs(lower: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let bytes = lower.as_bytes();
    for (at, _) in lower.match_indices("us") {
        let boundary = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let rest = lower[at + 2..].trim_start_matches('-');
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if boundary && !digits.is_empty() {
            refs.push(format!("us{}", digits.trim_start_matches('0')));
        }
    }
    for (at, _) in lower.match_indices("story ") {
        let digits: String = lower[at + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() {
            refs.push(format!("us{}", digits.trim_start_matches('0')));
        }
    }
    refs.sort();
    refs.dedup();
    refs
}

fn story_key(story: &str) -> String {
    story_refs(&story.to_lowercase())
        .into_iter()
        .next()
        .unwrap_or_else(|| story.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::read::parse;
    use crate::tasks::read::tests::edges;

    fn messages(doc: &TasksDoc) -> Vec<String> {
        doc.problems
            .iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect()
    }

    #[test]
    fn stories_in_parallel_in_the_words_files_use() {
        for yes in [
            "  - User stories can then proceed in parallel (if staffed)",
            "- Once Foundational phase completes, all user stories can start in parallel (if team capacity allows)",
            "- Different user stories can be worked on in parallel by different team members",
            "User stories CAN proceed in parallel (if staffed)",
            "Stories can proceed in parallel if staffed (they touch different files), or sequentially in priority order.",
            "The user stories are independent of each other.",
            "**After Foundational Phase**, all user stories can be worked on in parallel by different developers",
            "Planned user stories can proceed in parallel once the base image exists",
        ] {
            assert!(says_stories_run_in_parallel(yes), "{yes}");
        }
        for no in [
            "**Checkpoint**: All user stories are independently functional",
            "- All tests for a user story marked [P] can run in parallel",
            "- P1 user stories can proceed in parallel once Foundational is complete.",
            "- User Story 2 and User Story 3 are **strictly sequential** and cannot start in parallel with previous stories",
            "- Different user stories can be worked on in parallel ONLY if the constraints (US1 -> US2) are respected",
            "- Stories are ordered by priority",
        ] {
            assert!(!says_stories_run_in_parallel(no), "{no}");
        }
    }

    #[test]
    fn a_label_is_one_to_forty_characters_before_the_colon() {
        let forty = "a".repeat(40);
        assert_eq!(
            label(&format!("- **{forty}**: T001")),
            Some((forty.clone(), "T001"))
        );
        assert_eq!(label(&format!("{forty}b: T001")), None);
        assert_eq!(label("- **`_`**: T001"), None);
    }

    #[test]
    fn a_priority_order_is_left_out_of_the_line() {
        assert_eq!(
            without_priority_order("Or sequentially in priority order (P1 → P2 → P3)"),
            "Or sequentially in priority order"
        );
        assert_eq!(
            without_priority_order(
                "Setup → Foundational → stories in priority order (US1 → US2) → Polish"
            ),
            "Setup → Foundational → stories in priority order → Polish"
        );
        assert_eq!(
            without_priority_order("Then in priority order: US1 → US2. T001 blocks T002"),
            "Then in priority order. T001 blocks T002"
        );
        assert_eq!(
            without_priority_order("T001 blocks T002"),
            "T001 blocks T002"
        );
    }

    #[test]
    fn an_unlabelled_detail_line_states_what_its_task_waits_for() {
        let doc = parse("## Phase 1\n- [ ] T001 a\n- [ ] T002 b\n- [ ] T003 Deploy\n  - Runs after T002 is merged\n");
        assert_eq!(edges(&doc), ["T002>T003@5"]);
        assert!(doc.tasks[2].states_dependencies);
    }

    #[test]
    fn what_a_task_blocks_is_no_statement_of_what_it_waits_for() {
        let doc = parse("## Phase 1\n- [ ] T001 a\n- [ ] T002 Build the image (blocks T004)\n- [ ] T003 c\n- [ ] T004 d\n");
        assert_eq!(edges(&doc), ["T002>T004@3"]);
        assert!(!doc.tasks[1].states_dependencies);
    }

    #[test]
    fn a_bold_title_with_a_relation_word_is_left_out() {
        let doc = parse("## Phase 1\n- [ ] T004 a\n- [ ] T005 b\n## Dependencies\n- **Image before tests**: T004 blocks T005\n");
        assert_eq!(edges(&doc), ["T004>T005@5"]);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn within_each_story_reads_sections_else_descriptions_in_every_phase() {
        let doc = parse(
            "## Phase 3: User Story 1 - Search\n### Tests for User Story 1\n- [ ] T010 [US1] Contract test for search\n\
### Implementation for User Story 1\n- [ ] T011 [US1] Search model in src/models/search.rs\n\
- [ ] T012 [US1] Search service in src/services/search.rs\n\
## Phase 4: User Story 2 - Filters\n### Tests for User Story 2\n- [ ] T020 [US2] Filter test\n\
### Implementation for User Story 2\n- [ ] T021 [US2] Filter model in src/models/filter.rs\n\
- [ ] T022 [US2] Filter service in src/services/filter.rs\n\
## Dependencies\n### Within Each User Story\n- Tests before implementation\n- Models before services\n\
- Migrations before models\n",
        );
        assert_eq!(
            edges(&doc),
            [
                "T010>T011@15",
                "T010>T012@15",
                "T020>T021@15",
                "T020>T022@15",
                "T011>T012@16",
                "T021>T022@16",
            ]
        );
        assert_eq!(
            messages(&doc),
            ["17: cannot tell which tasks `Migrations before models` orders; no dependency read from it"]
        );
    }

    #[test]
    fn phases_named_story_without_user_are_stories() {
        let doc = parse("## Phase 3: Story 1 - Search\n- [ ] T003 a\n## Phase 4: Story 2 - Filters\n- [ ] T004 b\n\
## Phase 5: Polish\n- [ ] T005 c\n## Dependencies\n- Polish depends on all stories\n");
        assert_eq!(edges(&doc), ["T003>T005@8", "T004>T005@8"]);
    }

    #[test]
    fn a_story_named_by_label_is_not_widened_by_its_other_words() {
        let doc = parse(
            "## Phase 1: Setup\n- [ ] T001 a\n## Phase 2: Checkout\n- [ ] T002 [US1] Cart page\n\
- [ ] T003 Payment client\n## Phase 3: Polish\n- [ ] T004 d\n## Dependencies\n\
- Polish depends on the US1 checkout pages\n- Setup of the build tooling before Checkout\n",
        );
        assert_eq!(edges(&doc), ["T002>T004@9", "T001>T002@10", "T001>T003@10"]);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn a_range_of_dashed_suffix_ids_splits_between_them() {
        let doc = parse(
            "- [ ] T053-TEST a\n- [ ] T054-TEST b\n- [ ] T055-TEST c\n- [ ] T060 d\n\
## Dependencies\n- T053-TEST-T055-TEST before T060\n",
        );
        assert_eq!(
            edges(&doc),
            ["T053-TEST>T060@6", "T054-TEST>T060@6", "T055-TEST>T060@6"]
        );
    }

    #[test]
    fn a_side_of_filler_words_is_the_phase_it_is_said_in() {
        let doc = parse(
            "## Phase 1: Setup\n- [ ] T001 a\n## Phase 2: Core\n- [ ] T002 b\n- [ ] T003 c\n\n\
**Dependencies**: Can start after Phase 1\n",
        );
        assert_eq!(edges(&doc), ["T001>T002@7", "T001>T003@7"]);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn words_shorter_than_four_letters_name_no_phase() {
        let doc = parse("## Phase 3: User Story 1 - Sign in\n- [ ] T003 a\n## Phase 4: User Story 2 - Log in\n- [ ] T004 b\n\
## Phase 5: Polish\n- [ ] T005 c\n## Dependencies\n- Polish after Sign in\n");
        assert_eq!(edges(&doc), ["T003>T005@8"]);
    }

    #[test]
    fn a_phase_word_without_a_number_names_the_phase_by_its_title() {
        let doc = parse(
            "## Phase 3: User Story 1 - Search\n- [ ] T003 a\n## Phase 4: Polish\n- [ ] T004 b\n\
## Dependencies\n- Polish phase depends on all user stories\n",
        );
        assert_eq!(edges(&doc), ["T003>T004@6"]);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn stories_are_named_by_number_wherever_they_stand() {
        let doc = parse("## Phase 3: User Story 1 - Search\n- [ ] T003 a\n## Phase 4: User Story 2 - Filters\n- [ ] T004 b\n\
## Phase 5: User Story 3 - Export\n- [ ] T005 c\n## Phase 6: Polish\n- [ ] T006 d\n## Dependencies\n\
- User Story 3 depends on User Story 2\n- Polish depends on US1 and US2\n");
        assert_eq!(
            edges(&doc),
            ["T004>T005@10", "T003>T006@11", "T004>T006@11"]
        );
        assert!(names_a_story("Phase 3: User Story 1 - Search"));
        assert!(names_a_story("Phase 4: US2 Filters"));
        assert!(!names_a_story("Phase 2: User management"));
    }
}
