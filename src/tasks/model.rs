//! The tasks model: what a tasks.md says, independent of how it is written.

use serde::Serialize;
use std::fmt;

/// A task identifier such as `T004`, `C012` (spec-kit's container templates
/// number with `C`), `T007a`, `T063AB` or `T053-TEST`. The digits keep the
/// width they were written with; IDs order by prefix, number, then suffix
/// (no suffix first), which is the order files write them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    prefix: char,
    number: u32,
    suffix: Suffix,
    width: u8,
}

/// Up to eight ASCII bytes after the digits: letters (`a`, `K`, `AB`) or a
/// dash and a word (`-TEST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
struct Suffix([u8; 8]);

impl Suffix {
    fn parse(text: &str) -> Option<Suffix> {
        let bytes = text.as_bytes();
        let valid = match bytes.first() {
            None => true,
            Some(b'-') => {
                bytes.len() >= 3
                    && bytes[1].is_ascii_alphabetic()
                    && bytes[1..].iter().all(u8::is_ascii_alphanumeric)
            }
            Some(_) => bytes.iter().all(u8::is_ascii_alphabetic),
        };
        if !valid || bytes.len() > 8 {
            return None;
        }
        let mut suffix = [0u8; 8];
        suffix[..bytes.len()].copy_from_slice(bytes);
        Some(Suffix(suffix))
    }

    fn as_str(&self) -> &str {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(8);
        std::str::from_utf8(&self.0[..end]).unwrap_or_default()
    }
}

impl TaskId {
    pub fn new(prefix: char, number: u32) -> Self {
        TaskId {
            prefix,
            number,
            suffix: Suffix::default(),
            width: 3,
        }
    }

    /// Parses `T004`, `C12345`, `T007a`, `T063AB`, `T053-TEST`: an upper-case
    /// `T` or `C`, three to nine digits, and an optional suffix.
    pub fn parse(text: &str) -> Option<TaskId> {
        let mut chars = text.chars();
        let prefix = chars.next().filter(|c| matches!(c, 'T' | 'C'))?;
        let rest = chars.as_str();
        let digits_end = rest
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len());
        let (digits, suffix) = rest.split_at(digits_end);
        if !(3..=9).contains(&digits.len()) {
            return None;
        }
        // `T003-T005` is a range, not an ID with a suffix.
        if suffix.starts_with('-') && TaskId::parse(&suffix[1..]).is_some() {
            return None;
        }
        Some(TaskId {
            prefix,
            number: digits.parse().ok()?,
            suffix: Suffix::parse(suffix)?,
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
            "{}{:0width$}{}",
            self.prefix,
            self.number,
            self.suffix.as_str(),
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
        for suffixed in ["T007a", "T011K", "T063AB", "T053-TEST", "C0100b"] {
            assert_eq!(
                TaskId::parse(suffixed).map(|id| id.to_string()),
                Some(suffixed.to_string())
            );
        }
        assert_eq!(TaskId::parse("T003-T005"), None);
        assert_eq!(TaskId::parse("T003-"), None);
        assert_eq!(TaskId::parse("T003a1"), None);
        assert_eq!(TaskId::parse("T003abcdefghi"), None);
        // A dashed suffix is a word: a letter first, eight bytes at most.
        assert_eq!(TaskId::parse("T010-20"), None);
        assert_eq!(
            TaskId::parse("T090-RELEASE").map(|id| id.to_string()),
            Some("T090-RELEASE".into())
        );
        assert_eq!(TaskId::parse("T090-RELEASES"), None);
        let order = ["T007", "T007a", "T007b", "T008", "T053-TEST"];
        let mut ids: Vec<TaskId> = order
            .iter()
            .rev()
            .filter_map(|t| TaskId::parse(t))
            .collect();
        ids.sort();
        assert_eq!(
            ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
            order
        );
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
