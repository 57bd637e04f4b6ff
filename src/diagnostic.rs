//! One type for what a reader finds wrong at a line of a document without
//! stopping: the tasks.md reader and `check`, the spec and contract readers and
//! the facts all report a [`Diagnostic`], and every verb prints it the one way
//! cargo does: `warning: specs/001-x/plan.md:12: message`.
//!
//! The pure parsers do not know the file they read; the caller names it with
//! [`Diagnostic::in_file`] before the diagnostic leaves the loader.

use crate::Error;
use serde::Serialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    pub line: usize,
    pub severity: Severity,
    pub message: String,
    /// The edits of the file's text that fix it when the fix is mechanical
    /// (`check --fix`); empty when it takes a person.
    #[serde(skip)]
    pub fix: Vec<Edit>,
}

/// Replace the bytes `range` of the file's text with `text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// By position (`Range` has no order of its own), then text.
impl Ord for Edit {
    fn cmp(&self, other: &Edit) -> std::cmp::Ordering {
        (self.range.start, self.range.end, &self.text).cmp(&(
            other.range.start,
            other.range.end,
            &other.text,
        ))
    }
}

impl PartialOrd for Edit {
    fn partial_cmp(&self, other: &Edit) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Diagnostic {
    pub fn new(line: usize, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: None,
            line,
            severity,
            message: message.into(),
            fix: Vec::new(),
        }
    }

    pub fn error(line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(line, Severity::Error, message)
    }

    pub fn warning(line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(line, Severity::Warning, message)
    }

    pub fn with_fix(mut self, fix: Vec<Edit>) -> Diagnostic {
        self.fix = fix;
        self
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    /// The same diagnostic with its file, named relative to `dir`, found in `dir`.
    pub fn in_dir(mut self, dir: &Path) -> Diagnostic {
        self.file = self.file.map(|file| dir.join(file));
        self
    }

    /// The same diagnostic with its file shown relative to `base` when inside
    /// it, with `/` between components whatever the platform.
    pub fn relative_to(mut self, base: &Path) -> Diagnostic {
        if let Some(relative) = self.file.as_deref().and_then(|f| f.strip_prefix(base).ok()) {
            let shown: Vec<_> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            self.file = Some(PathBuf::from(shown.join("/")));
        }
        self
    }

    /// `file:line` (`line N` before the file is known).
    pub fn location(&self) -> impl fmt::Display + '_ {
        Location(self)
    }
}

struct Location<'a>(&'a Diagnostic);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.file {
            Some(file) => write!(f, "{}:{}", file.display(), self.0.line),
            None => write!(f, "line {}", self.0.line),
        }
    }
}

/// `warning: file:line: message`, the line every verb prints.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.severity,
            self.location(),
            self.message
        )
    }
}

/// A diagnostic that stops the run (`generate --strict`).
impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Error {
        let error = Error::new(diagnostic.message).at_line(diagnostic.line);
        match diagnostic.file {
            Some(file) => error.in_file(file),
            None => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_prints_severity_file_line_and_message() {
        let warning = Diagnostic::warning(12, "no port found").in_file("specs/001-x/plan.md");
        assert_eq!(
            warning.to_string(),
            "warning: specs/001-x/plan.md:12: no port found"
        );
        let error = Diagnostic::error(3, "duplicate task ID T001").in_file("tasks.md");
        assert_eq!(
            error.to_string(),
            "error: tasks.md:3: duplicate task ID T001"
        );
    }

    #[test]
    fn a_diagnostic_without_its_file_names_the_line() {
        assert_eq!(
            Diagnostic::warning(7, "invalid YAML").to_string(),
            "warning: line 7: invalid YAML"
        );
    }

    #[test]
    fn relative_to_strips_the_base_and_keeps_outside_files() {
        let inside = Diagnostic::warning(1, "m").in_file("/ws/specs/001-x/plan.md");
        assert_eq!(
            inside.relative_to(Path::new("/ws")).file,
            Some(PathBuf::from("specs/001-x/plan.md"))
        );
        let outside = Diagnostic::warning(1, "m").in_file("/elsewhere/plan.md");
        assert_eq!(
            outside.relative_to(Path::new("/ws")).file,
            Some(PathBuf::from("/elsewhere/plan.md"))
        );
    }

    #[test]
    fn a_diagnostic_becomes_an_error_at_its_file_and_line() {
        let error = Error::from(Diagnostic::warning(4, "root user").in_file("plan.md"));
        assert_eq!(error.to_string(), "plan.md:4: root user");
        let unlocated = Error::from(Diagnostic::warning(4, "root user"));
        assert_eq!(unlocated.to_string(), "root user");
        assert_eq!(unlocated.line(), Some(4));
    }

    #[test]
    fn edits_sort_by_position() {
        let edit = |start, end| Edit {
            range: start..end,
            text: String::new(),
        };
        let mut edits = [edit(5, 6), edit(2, 9), edit(2, 4)];
        edits.sort();
        assert_eq!(edits.map(|e| e.range), [2..4, 2..9, 5..6]);
    }

    #[test]
    fn errors_sort_before_warnings_on_one_line() {
        let mut found = [Diagnostic::warning(2, "b"), Diagnostic::error(2, "a")];
        found.sort_by_key(|d| (d.line, d.severity));
        assert_eq!(
            found.map(|d| d.severity),
            [Severity::Error, Severity::Warning]
        );
    }
}
