//! The tasks model: what a tasks.md says, independent of how it is written.

use serde::Serialize;
use std::fmt;

/// A task identifier such as `T004` or `C012` (spec-kit's container templates
/// number with `C`). The digits keep the width they were written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    prefix: char,
    number: u32,
    width: u8,
}

impl TaskId {
    pub fn new(prefix: char, number: u32) -> Self {
        TaskId {
            prefix,
            number,
            width: 3,
        }
    }

    /// Parses `T004`, `C12345`: an upper-case `T` or `C` and three or more digits.
    pub fn parse(text: &str) -> Option<TaskId> {
        let mut chars = text.chars();
        let prefix = chars.next().filter(|c| matches!(c, 'T' | 'C'))?;
        let digits = chars.as_str();
        if digits.len() < 3 || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(TaskId {
            prefix,
            number: digits.parse().ok()?,
            width: digits.len() as u8,
        })
    }

    pub fn prefix(self) -> char {
        self.prefix
    }

    pub fn number(self) -> u32 {
        self.number
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{:0width$}",
            self.prefix,
            self.number,
            width = self.width as usize
        )
    }
}

impl Serialize for TaskId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One task, as generated or as read back from a tasks.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: TaskId,
    /// The phase heading without `## `, e.g. `Phase 3.1: Setup`.
    pub phase: String,
    pub parallel: bool,
    /// The text after the ID and `[P]` marker, as written.
    pub description: String,
    /// Workspace-relative file or directory paths the task names.
    pub paths: Vec<String>,
    pub depends_on: Vec<TaskId>,
    pub done: bool,
}

/// Whether two task paths touch the same file: equal, or one is a directory
/// (`docker/setup/scripts/`) holding the other.
pub fn paths_overlap(a: &str, b: &str) -> bool {
    let dir_holds = |dir: &str, path: &str| dir.ends_with('/') && path.starts_with(dir);
    a.trim_end_matches('/') == b.trim_end_matches('/') || dir_holds(a, b) || dir_holds(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_keep_their_width() {
        assert_eq!(
            TaskId::parse("T004").map(|id| id.to_string()),
            Some("T004".into())
        );
        assert_eq!(
            TaskId::parse("C12345").map(|id| id.to_string()),
            Some("C12345".into())
        );
        assert_eq!(TaskId::parse("T04"), None);
        assert_eq!(TaskId::parse("t004"), None);
        assert_eq!(TaskId::parse("X004"), None);
        assert_eq!(TaskId::parse("T00a"), None);
    }

    #[test]
    fn directories_overlap_the_files_inside_them() {
        assert!(paths_overlap("docker/Dockerfile", "docker/Dockerfile"));
        assert!(paths_overlap(
            "docker/setup/scripts/",
            "docker/setup/scripts/20-packages.sh"
        ));
        assert!(paths_overlap("docker/test/", "docker/test"));
        assert!(!paths_overlap("docker/setup.sh", "docker/setup/scripts/"));
        assert!(!paths_overlap(
            "docker/api/Dockerfile",
            "docker/worker/Dockerfile"
        ));
    }
}
