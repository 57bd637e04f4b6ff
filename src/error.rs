//! One error type for every user-facing failure: a message, where it happened
//! (file and line when known) and optional hints. Every error exits with code 1
//! (usage errors, which clap reports before any work starts, exit with 2).

use std::fmt;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    file: Option<PathBuf>,
    line: Option<usize>,
    help: Vec<String>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            file: None,
            line: None,
            help: Vec::new(),
        }
    }

    /// An I/O failure of `operation` on `path`, worded the way users read it:
    /// `path: cannot read: Permission denied (os error 13)`. The operation is
    /// a verb whose object is the path: "read", "write", "create", "list",
    /// "inspect" (metadata), "resolve" (canonicalize), "rename ... to"...
    pub fn io(operation: &str, path: &Path, err: &std::io::Error) -> Self {
        Error::new(format!("cannot {operation}: {err}")).in_file(path)
    }

    pub fn in_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// The same error with its file shown relative to `base` when inside it.
    pub fn relative_to(mut self, base: &Path) -> Self {
        if let Some(rel) = self.file.as_deref().and_then(|f| f.strip_prefix(base).ok()) {
            self.file = Some(rel.to_path_buf());
        }
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub fn line(&self) -> Option<usize> {
        self.line
    }

    pub fn help(&self) -> &[String] {
        &self.help
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: {}", file.display(), self.message),
            (Some(file), None) => write!(f, "{}: {}", file.display(), self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_names_the_operation_and_the_file() {
        let err = Error::io(
            "rename a temporary file to",
            Path::new("specs/001-x/tasks.md"),
            &std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(
            err.to_string(),
            "specs/001-x/tasks.md: cannot rename a temporary file to: permission denied"
        );
    }
}
