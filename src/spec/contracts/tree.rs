//! YAML and JSON documents as a small tree whose every node knows its line,
//! built from the events of `saphyr-parser` (a maintained YAML 1.2 parser;
//! JSON is read through it too, after `serde_json` has vouched for it, so
//! both get the same lines). Bounded: nesting depth and alias expansion are
//! capped, so no input exhausts the stack or memory.

use crate::Diagnostic;
use saphyr_parser::{Event, Parser, ScalarStyle};

/// Deeper nesting than any real contract has is refused before it is built.
pub const MAX_DEPTH: usize = 64;
/// Nodes an alias may copy, over the whole document.
const ALIAS_BUDGET: usize = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line where the node starts.
    pub line: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar's text; `quoted` when it was written in quotes (so `"1"` stays a string).
    Scalar {
        text: String,
        quoted: bool,
    },
    Sequence(Vec<Node>),
    /// Entries in document order.
    Mapping(Vec<Entry>),
}

/// A mapping entry: the key's text (a collection used as a key reads as "")
/// and the line of the key.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub line: usize,
    pub node: Node,
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.node)
    }

    /// A mapping's entries (empty for anything else).
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Mapping(entries) => entries,
            _ => &[],
        }
    }

    /// A sequence's items (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Sequence(items) => items,
            _ => &[],
        }
    }

    /// A scalar's text.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// `true` or `false` written as a plain scalar.
    pub fn flag(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The node as JSON text (plain scalars that read as numbers, booleans
    /// or null keep their type), for request bodies.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Scalar { text, quoted: true } => serde_json::Value::String(text.clone()),
            Value::Scalar {
                text,
                quoted: false,
            } => plain_json(text),
            Value::Sequence(items) => items.iter().map(Node::to_json).collect(),
            Value::Mapping(entries) => entries
                .iter()
                .map(|entry| (entry.key.clone(), entry.node.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

fn plain_json(text: &str) -> serde_json::Value {
    match text {
        "null" | "Null" | "NULL" | "~" | "" => serde_json::Value::Null,
        "true" | "True" | "TRUE" => true.into(),
        "false" | "False" | "FALSE" => false.into(),
        _ => {
            if let Ok(int) = text.parse::<i64>() {
                return int.into();
            }
            match text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(number)
                    if text
                        .chars()
                        .all(|c| c.is_ascii_digit() || ".eE+-".contains(c)) =>
                {
                    number.into()
                }
                _ => text.into(),
            }
        }
    }
}

/// The first document of a YAML text, or the line and reason it cannot be read.
pub fn parse_yaml(text: &str) -> Result<Option<Node>, Diagnostic> {
    Builder::default().run(text)
}

/// A JSON text: checked by `serde_json` (whose messages and lines JSON
/// writers know), then built like YAML. Tabs may only stand between tokens
/// in valid JSON, so they become spaces (YAML refuses some of them).
pub fn parse_json(text: &str) -> Result<Option<Node>, Diagnostic> {
    if let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(Diagnostic::warning(
            err.line().max(1),
            format!("invalid JSON: {}", json_reason(&err)),
        ));
    }
    parse_yaml(&text.replace('\t', " "))
}

/// serde_json's message without its own " at line L column C" suffix.
fn json_reason(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

/// Collections being built, innermost last.
enum Open {
    Sequence(usize, Vec<Node>),
    Mapping(usize, Vec<Entry>, Option<(String, usize)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Open, usize)>,
    anchors: Vec<(usize, Node)>,
    alias_budget_used: usize,
    root: Option<Node>,
}

impl Builder {
    fn run(mut self, text: &str) -> Result<Option<Node>, Diagnostic> {
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|err| {
                Diagnostic::warning(
                    err.marker().line().max(1),
                    format!("invalid YAML: {}", err.info()),
                )
            })?;
            let line = span.start.line().max(1);
            match event {
                Event::DocumentEnd if self.root.is_some() => break,
                Event::Scalar(text, style, anchor, _) => {
                    let quoted = !matches!(style, ScalarStyle::Plain);
                    let node = Node {
                        line,
                        value: Value::Scalar {
                            text: text.into_owned(),
                            quoted,
                        },
                    };
                    self.add(node, anchor)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(Open::Sequence(line, Vec::new()), anchor)?
                }
                Event::MappingStart(anchor, _) => {
                    self.open(Open::Mapping(line, Vec::new(), None), anchor)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(line)?,
                Event::Alias(id) => self.alias(id, line)?,
                _ => {}
            }
        }
        Ok(self.root)
    }

    fn open(&mut self, open: Open, anchor: usize) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            let line = match &open {
                Open::Sequence(line, _) | Open::Mapping(line, _, _) => *line,
            };
            return Err(Diagnostic::warning(
                line,
                format!("nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push((open, anchor));
        Ok(())
    }

    fn close(&mut self, line: usize) -> Result<(), Diagnostic> {
        let Some((open, anchor)) = self.stack.pop() else {
            return Err(Diagnostic::warning(
                line,
                "invalid YAML: unbalanced collection",
            ));
        };
        let node = match open {
            Open::Sequence(line, items) => Node {
                line,
                value: Value::Sequence(items),
            },
            Open::Mapping(line, entries, _) => Node {
                line,
                value: Value::Mapping(entries),
            },
        };
        self.add(node, anchor)
    }

    fn alias(&mut self, id: usize, line: usize) -> Result<(), Diagnostic> {
        let Some(node) = self
            .anchors
            .iter()
            .rev()
            .find(|(a, _)| *a == id)
            .map(|(_, n)| n.clone())
        else {
            return Err(Diagnostic::warning(
                line,
                "invalid YAML: alias to an unknown anchor",
            ));
        };
        self.alias_budget_used += size(&node);
        if self.alias_budget_used > ALIAS_BUDGET {
            return Err(Diagnostic::warning(
                line,
                format!("aliases expand to more than {ALIAS_BUDGET} nodes"),
            ));
        }
        self.add(node, 0)
    }

    /// Puts a finished node into the innermost open collection (or makes it the root).
    fn add(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some((Open::Sequence(_, items), _)) => items.push(node),
            Some((Open::Mapping(_, entries, key), _)) => match key.take() {
                Some((key, line)) => entries.push(Entry { key, line, node }),
                None => *key = Some((key_text(&node), node.line)),
            },
        }
        Ok(())
    }
}

/// A mapping key as text; a collection used as a key (rare, legal YAML) reads as "".
fn key_text(node: &Node) -> String {
    node.text().unwrap_or_default().to_string()
}

fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar { .. } => 0,
        Value::Sequence(items) => items.iter().map(size).sum(),
        Value::Mapping(entries) => entries.iter().map(|entry| size(&entry.node)).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(node: &Node) -> (&str, usize) {
        (node.text().unwrap(), node.line)
    }

    #[test]
    fn mappings_sequences_and_lines() {
        let root = parse_yaml("a: 1\nb:\n  - x\n  - 'y'\nc: {d: true}\n")
            .unwrap()
            .unwrap();
        assert_eq!(scalar(root.get("a").unwrap()), ("1", 1));
        let b = root.get("b").unwrap();
        assert_eq!(b.line, 3);
        assert_eq!(
            b.items().iter().map(scalar).collect::<Vec<_>>(),
            [("x", 3), ("y", 4)]
        );
        assert_eq!(root.get("c").unwrap().get("d").unwrap().flag(), Some(true));
        assert_eq!(
            root.to_json(),
            serde_json::json!({"a": 1, "b": ["x", "y"], "c": {"d": true}})
        );
    }

    #[test]
    fn integer_keys_read_as_their_text() {
        let root = parse_yaml("responses:\n  200:\n    description: ok\n")
            .unwrap()
            .unwrap();
        let responses = root.get("responses").unwrap();
        assert_eq!(responses.entries()[0].key, "200");
        assert_eq!(responses.entries()[0].line, 2);
    }

    #[test]
    fn json_with_tabs_and_lines() {
        let root = parse_json("{\n\t\"paths\": {\n\t\t\"/health\": {\"get\": {}}\n\t}\n}\n")
            .unwrap()
            .unwrap();
        let paths = root.get("paths").unwrap();
        assert_eq!(paths.entries()[0].key, "/health");
        assert_eq!(paths.entries()[0].line, 3);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse_yaml("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML: "), "{err:?}");
        assert!(err.line >= 2, "{err:?}");
        let err = parse_json("{\n  \"a\": 1,\n  \"b\": \n}\n").unwrap_err();
        assert_eq!(err.line, 4, "{err:?}");
        assert!(err.message.starts_with("invalid JSON: "), "{err:?}");
    }

    #[test]
    fn aliases_resolve_within_a_budget() {
        let root = parse_yaml("a: &x {b: 1}\nc: *x\n").unwrap().unwrap();
        assert_eq!(root.get("c").unwrap().get("b").unwrap().text(), Some("1"));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let p = i - 1;
            bomb.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let err = parse_yaml(&bomb).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let err = parse_yaml(&"[".repeat(100_000)).unwrap_err();
        assert!(err.message.starts_with("invalid YAML: "), "{err:?}");
        let mut deep = String::new();
        for level in 0..(MAX_DEPTH + 1) {
            deep.push_str(&format!("{}k:\n", " ".repeat(level)));
        }
        let err = parse_yaml(&deep).unwrap_err();
        assert_eq!(
            err.message,
            format!("nested deeper than {MAX_DEPTH} levels")
        );
        assert_eq!(err.line, MAX_DEPTH + 1);
        assert!(parse_yaml(&"- ".repeat(100_000)).is_err());
        let deep_json = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_json(&deep_json).is_err());
    }

    #[test]
    fn empty_text_has_no_root() {
        assert_eq!(parse_yaml("").unwrap(), None);
        assert_eq!(parse_yaml("# only a comment\n").unwrap(), None);
    }
}
