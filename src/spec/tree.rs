//! Source tree drawings (`├──`, `└──`, `│`, ASCII `|--`/`` `-- `` and plain
//! indented lists) read from the lines of a fenced block into full paths,
//! with the entries the drawing marks new (`# NEW`, `(new)`, `← new`).

use super::markdown::CodeLine;
use serde::Serialize;

/// One path of a plan's source tree. Directories end in `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreePath {
    pub path: String,
    pub is_dir: bool,
    pub line: usize,
    /// The drawing marks it as a file or directory the feature creates.
    pub new: bool,
}

/// Every path of a drawing, and the entries it places outside the
/// workspace (absolute, or through `..`), which are not paths of the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub paths: Vec<TreePath>,
    pub outside: Vec<TreePath>,
}

/// An entry of the tree being read, as a parent of the lines below it.
enum Node {
    /// `paths[index]`.
    Path(usize),
    /// A `.` line: its children are top-level paths.
    Root,
    /// A line that is not a path (`[same as above]`): its children are skipped too.
    Skipped,
    /// A path outside the workspace (`../x`, `/srv`): so are its children.
    Outside(String),
}

/// Every path drawn in `lines`. A blank line ends a tree; a line holding only a
/// `# comment` is ignored; `.` and the template's `Root/` stand for the
/// repository root; a name that is not a relative path (`[same as above]`,
/// `...`, `/etc`, `../x`) or is a template placeholder (`container1/`) is
/// skipped with everything below it.
pub fn parse_tree(lines: &[CodeLine]) -> Tree {
    let mut paths: Vec<TreePath> = Vec::new();
    let mut outside: Vec<TreePath> = Vec::new();
    let mut open: Vec<(usize, Node)> = Vec::new();
    for code_line in lines {
        let Some((column, name)) = entry(&code_line.text) else {
            if code_line.text.trim().is_empty() {
                open.clear();
            }
            continue;
        };
        while open.last().is_some_and(|(top, _)| *top >= column) {
            open.pop();
        }
        let drawn = |path: String| TreePath {
            is_dir: path.ends_with('/'),
            path,
            line: code_line.line,
            new: marks_new(&code_line.text, name),
        };
        let parent = match open.last() {
            Some((_, Node::Path(index))) => mark_dir(&mut paths, *index),
            Some((_, Node::Outside(dir))) => {
                let path = format!("{}/{name}", dir.trim_end_matches('/'));
                outside.push(drawn(path.clone()));
                open.push((column, Node::Outside(path)));
                continue;
            }
            Some((_, Node::Skipped)) => None,
            Some((_, Node::Root)) | None => Some(String::new()),
        };
        let node = match parent {
            Some(_) if [".", "./", "Root/"].contains(&name) => Node::Root,
            Some(parent) if is_path_like(name) && !is_placeholder(name) => {
                paths.push(drawn(format!("{parent}{}", name.trim_start_matches("./"))));
                Node::Path(paths.len() - 1)
            }
            Some(parent) if leaves_workspace(name) => {
                let path = match name.starts_with('/') {
                    true => name.to_string(),
                    false => format!("{parent}{name}"),
                };
                outside.push(drawn(path.clone()));
                Node::Outside(path)
            }
            _ => Node::Skipped,
        };
        open.push((column, node));
    }
    Tree {
        paths: dedup(paths),
        outside,
    }
}

/// Whether the text after `name` marks the entry new: a comment, arrow or
/// parenthesis whose first word is `new` or `create` (`# NEW: …`, `(new)`,
/// `← new`, `(CREATE)`).
fn marks_new(line: &str, name: &str) -> bool {
    let Some((_, after)) = line.split_once(name) else {
        return false;
    };
    let note = after
        .trim_start()
        .trim_start_matches(|c: char| c.is_whitespace() || "#←<-–—([:*".contains(c));
    let word: String = note
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    note.len() < after.trim_start().len() && ["new", "create", "created"].contains(&word.as_str())
}

/// The plan template's placeholder directories: `container1/`, `containerN/`.
fn is_placeholder(name: &str) -> bool {
    let name = name.trim_end_matches('/');
    name.strip_prefix("container")
        .is_some_and(|n| !n.is_empty() && (n == "N" || n.chars().all(|c| c.is_ascii_digit())))
}

/// An absolute path or one through `..`: drawn, but not the workspace's.
fn leaves_workspace(name: &str) -> bool {
    let relative = name.trim_start_matches('/');
    (name.starts_with('/') || relative.split('/').any(|c| c == ".."))
        && is_path_like(&relative.replace("..", "x"))
}

/// Marks `paths[index]` as a directory and returns its path with the trailing `/`.
fn mark_dir(paths: &mut [TreePath], index: usize) -> Option<String> {
    let parent = paths.get_mut(index)?;
    if !parent.path.ends_with('/') {
        parent.path.push('/');
    }
    parent.is_dir = true;
    Some(parent.path.clone())
}

/// The column where the name starts and the name (its first word), for a line that draws an entry.
fn entry(line: &str) -> Option<(usize, &str)> {
    let without_comment = strip_comment(line);
    let mut column = 0;
    let mut rest = without_comment;
    for (at, ch) in without_comment.char_indices() {
        match ch {
            '│' | '├' | '└' | '─' | '|' | '`' | '+' | '-' | ' ' | '\u{a0}' => column += 1,
            '\t' => column += 4,
            _ => {
                rest = without_comment.get(at..).unwrap_or_default();
                break;
            }
        }
    }
    let rest = rest.strip_prefix("* ").unwrap_or(rest);
    let name = rest.split_whitespace().next()?;
    Some((column, name))
}

/// The line without a trailing `# comment` (a `#` that starts the text or follows whitespace).
fn strip_comment(line: &str) -> &str {
    let mut previous = ' ';
    for (at, ch) in line.char_indices() {
        if ch == '#' && previous.is_whitespace() {
            return line.get(..at).unwrap_or_default();
        }
        if !matches!(ch, '│' | '├' | '└' | '─') {
            previous = ch;
        } else {
            previous = ' ';
        }
    }
    line
}

/// A relative path made of path characters: no `..` component, not absolute.
fn is_path_like(name: &str) -> bool {
    name.chars().any(|c| c.is_alphanumeric() || c == '.')
        && !name.starts_with('/')
        && !name
            .split('/')
            .any(|component| component == ".." || component == "...")
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-/@+~*{},=#".contains(c))
}

/// Keeps the first entry of each path; one drawn as a directory anywhere is a directory.
fn dedup(paths: Vec<TreePath>) -> Vec<TreePath> {
    let mut unique: Vec<TreePath> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for entry in paths {
        let key = entry.path.trim_end_matches('/').to_owned();
        match seen
            .get(&key)
            .and_then(|&index: &usize| unique.get_mut(index))
        {
            Some(first) => {
                if entry.is_dir && !first.is_dir {
                    first.is_dir = true;
                    first.path.push('/');
                }
            }
            None => {
                seen.insert(key, unique.len());
                unique.push(entry);
            }
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawing(text: &str) -> Tree {
        let lines: Vec<CodeLine> = text
            .lines()
            .enumerate()
            .map(|(index, line)| CodeLine {
                text: line.to_owned(),
                line: index + 10,
            })
            .collect();
        parse_tree(&lines)
    }

    fn tree(text: &str) -> Vec<(String, bool, usize)> {
        drawing(text)
            .paths
            .into_iter()
            .map(|p| (p.path, p.is_dir, p.line))
            .collect()
    }

    fn paths(text: &str) -> Vec<String> {
        tree(text).into_iter().map(|(path, _, _)| path).collect()
    }

    #[test]
    fn box_drawing_tree_into_full_paths() {
        let text = "docker/\n├── api/\n│   ├── Dockerfile\n│   ├── setup/scripts/\n│   └── entrypoint.d/scripts/\n├── shared/\n│   └── scripts/\n└── test/\n";
        assert_eq!(
            tree(text),
            vec![
                ("docker/".into(), true, 10),
                ("docker/api/".into(), true, 11),
                ("docker/api/Dockerfile".into(), false, 12),
                ("docker/api/setup/scripts/".into(), true, 13),
                ("docker/api/entrypoint.d/scripts/".into(), true, 14),
                ("docker/shared/".into(), true, 15),
                ("docker/shared/scripts/".into(), true, 16),
                ("docker/test/".into(), true, 17),
            ]
        );
    }

    #[test]
    fn a_blank_line_starts_a_new_tree() {
        let text = "crates/greeter-worker/src/\n├── main.rs\n└── metrics.rs\n\ndocker/\n└── worker/\n    └── Dockerfile\n";
        assert_eq!(
            paths(text),
            vec![
                "crates/greeter-worker/src/",
                "crates/greeter-worker/src/main.rs",
                "crates/greeter-worker/src/metrics.rs",
                "docker/",
                "docker/worker/",
                "docker/worker/Dockerfile",
            ]
        );
    }

    #[test]
    fn an_entry_with_children_is_a_directory_even_without_slash() {
        assert_eq!(
            tree("src\n└── lib.rs\n"),
            vec![("src/".into(), true, 10), ("src/lib.rs".into(), false, 11)]
        );
    }

    #[test]
    fn trailing_and_whole_line_comments() {
        let text = "# Option 1: single project\nsrc/   # the code\n├── models/ # entities\n│   # nothing here\n└── lib.rs#not-a-comment\n";
        assert_eq!(
            paths(text),
            vec!["src/", "src/models/", "src/lib.rs#not-a-comment"]
        );
    }

    #[test]
    fn ascii_trees_plain_indentation_and_bullets() {
        assert_eq!(
            paths("app/\n|-- src/\n|   `-- main.rs\n`-- README.md\n"),
            vec!["app/", "app/src/", "app/src/main.rs", "app/README.md"]
        );
        assert_eq!(
            paths("docker/\n  api/\n    Dockerfile\n  worker/\n"),
            vec![
                "docker/",
                "docker/api/",
                "docker/api/Dockerfile",
                "docker/worker/"
            ]
        );
        assert_eq!(
            paths("- src/\n  - main.rs\n* tests/\n\tdone.rs\n"),
            vec!["src/", "src/main.rs", "tests/", "tests/done.rs"]
        );
    }

    #[test]
    fn dot_roots_placeholders_and_prose_are_skipped() {
        let text = ".\n├── ./Cargo.toml\n├── ios/ or android/\n│   └── [same as api/ structure above]\n├── ...\n└── src/\n";
        assert_eq!(paths(text), vec!["Cargo.toml", "ios/", "src/"]);
    }

    #[test]
    fn absolute_and_parent_paths_are_skipped_and_kept_apart() {
        let text =
            "docker/\n├── ../escape/\n│   └── x\n├── /etc/passwd\n├── a/../b\n└── ok..name\n";
        assert_eq!(paths(text), vec!["docker/", "docker/ok..name"]);
        let outside: Vec<(String, usize)> = drawing(text)
            .outside
            .into_iter()
            .map(|p| (p.path, p.line))
            .collect();
        assert_eq!(
            outside,
            [
                ("docker/../escape/".to_string(), 11),
                ("docker/../escape/x".to_string(), 12),
                ("/etc/passwd".to_string(), 13),
                ("docker/a/../b".to_string(), 14)
            ]
        );
    }

    #[test]
    fn entries_marked_new_in_every_style() {
        let text = "src/\n├── main.rs          # entry point\n├── health.rs        # NEW: probe handler\n├── routes.rs (new)\n├── metrics.rs ← new\n├── lib.rs   # renewed docs, not new\n└── db.rs  # (CREATE) pool\nDockerfile  # new file\n";
        let new: Vec<String> = drawing(text)
            .paths
            .into_iter()
            .filter(|p| p.new)
            .map(|p| p.path)
            .collect();
        assert_eq!(
            new,
            [
                "src/health.rs",
                "src/routes.rs",
                "src/metrics.rs",
                "src/db.rs",
                "Dockerfile"
            ]
        );
    }

    #[test]
    fn template_placeholders_are_not_paths_and_root_is_the_top() {
        let text = "Root/\n├── docker/\n│   ├── container1/\n│   │   └── Dockerfile\n│   ├── containerN/\n│   └── api/\n└── Cargo.toml\n";
        assert_eq!(paths(text), ["docker/", "docker/api/", "Cargo.toml"]);
    }

    #[test]
    fn repeated_paths_are_kept_once() {
        assert_eq!(
            tree("docker/worker\n\ndocker/\n└── worker/\n"),
            vec![
                ("docker/worker/".into(), true, 10),
                ("docker/".into(), true, 12)
            ]
        );
    }

    #[test]
    fn odd_lines_do_not_panic() {
        let _ = paths("│\n├──\n└──└──x\n\t\t\t\n#\n\u{a0}\u{a0}é/\n───────\n");
    }
}
