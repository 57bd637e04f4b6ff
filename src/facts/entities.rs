//! data-model.md entities: headings (`### Service`, `### 1. User`, `### Entity:
//! User`, `## Container Entity: X`, `### Job (queued work)`), nested under a
//! grouping heading or not; tables with an Entity column; bullets after an
//! "Entities" heading or line. Headings about the model as a whole (overview,
//! relationships, validation rules, state transitions, performance,
//! conclusion, user stories, …) are not entities, nor is anything below them.

use super::collect::Collector;
use super::{Fact, Source};
use crate::spec::markdown::{heading_key, Block, Document, Paragraph, Style, Table};

/// Headings that group entities: their children are entities.
fn groups_entities(key: &str) -> bool {
    key.contains("entities")
        || key.ends_with("models")
        || matches!(
            key,
            "data model" | "domain model" | "entity definitions" | "core model" | "schema"
        )
}

/// Words of headings about the model as a whole.
fn describes_the_model(key: &str) -> bool {
    const WORDS: [&str; 36] = [
        "overview",
        "relationship",
        "relationships",
        "validation",
        "state",
        "transitions",
        "lifecycle",
        "note",
        "notes",
        "constraint",
        "constraints",
        "invariant",
        "invariants",
        "index",
        "indexes",
        "summary",
        "assumption",
        "assumptions",
        "question",
        "questions",
        "migration",
        "migrations",
        "performance",
        "conclusion",
        "story",
        "stories",
        "diagram",
        "erd",
        "example",
        "examples",
        "glossary",
        "references",
        "introduction",
        "purpose",
        "scenario",
        "characteristics",
    ];
    let words: Vec<&str> = key
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| WORDS.contains(w))
        || key.starts_with("data flow")
        || key.starts_with("storage")
        || key.starts_with("persistence")
}

pub fn read(file: &str, doc: &Document, out: &mut Collector) {
    let title = doc.headings().next().filter(|heading| heading.level == 1);
    let mut entity_lines: Vec<usize> = Vec::new();
    let mut entities_line: Option<usize> = None;
    let push = |name: String, line: usize, out: &mut Collector| {
        if !name.is_empty() {
            out.entities.push(Fact {
                value: name,
                source: Source::new(file, line),
            });
        }
    };
    for (enclosing, block) in doc.walk() {
        let inside_entity = enclosing.iter().any(|h| entity_lines.contains(&h.line));
        let inside_description = enclosing
            .iter()
            .any(|h| describes_the_model(&heading_key(&h.text)));
        match block {
            Block::Heading(heading) => {
                entities_line = None;
                if title.is_some_and(|t| std::ptr::eq(t, heading)) {
                    continue;
                }
                let key = heading_key(&heading.text);
                if inside_entity
                    || inside_description
                    || groups_entities(&key)
                    || describes_the_model(&key)
                {
                    continue;
                }
                if let Some(name) = entity_name(&heading.text) {
                    entity_lines.push(heading.line);
                    push(name, heading.line, out);
                }
            }
            Block::Table(table) if !inside_entity => {
                let grouped = enclosing
                    .last()
                    .is_some_and(|h| groups_entities(&heading_key(&h.text)));
                for (name, line) in entity_rows(table, grouped && !inside_description) {
                    push(name, line, out);
                }
            }
            Block::Paragraph(paragraph) if !inside_entity && !inside_description => {
                if introduces_entities(paragraph) {
                    entities_line = Some(paragraph.line());
                    continue;
                }
                let grouped = entities_line.is_some()
                    || enclosing
                        .last()
                        .is_some_and(|h| groups_entities(&heading_key(&h.text)));
                if grouped
                    && paragraph
                        .list
                        .is_some_and(|p| p.depth == 1 && p.starts_item)
                {
                    if let Some(name) = bullet_entity(paragraph) {
                        push(name, paragraph.line(), out);
                    }
                } else if paragraph.list.is_none() {
                    entities_line = None;
                }
            }
            _ => {}
        }
    }
}

/// "Entities:", "**Entities**:", "Key entities:" on a line of its own.
fn introduces_entities(paragraph: &Paragraph) -> bool {
    paragraph.list.is_none() && {
        let key = heading_key(&paragraph.text());
        key == "entities" || key == "key entities" || key == "core entities"
    }
}

/// The entity a heading names, without numbering, `Entity:` prefixes and
/// parenthesised remarks; `None` for headings that read as sentences.
pub fn entity_name(text: &str) -> Option<String> {
    let mut name = text.trim();
    // "1. User", "2) Order", "E1: Job", "Entity 3: Queue"
    let numbered = name
        .split_once([' ', '\t'])
        .filter(|(first, _)| {
            let first = first.trim_end_matches(['.', ')', ':']);
            !first.is_empty()
                && (first.chars().all(|c| c.is_ascii_digit())
                    || (first.len() <= 3
                        && first.starts_with(['E', 'e'])
                        && first[1..].chars().all(|c| c.is_ascii_digit())))
        })
        .map(|(_, rest)| rest.trim());
    if let Some(rest) = numbered {
        name = rest;
    }
    if let Some((before, after)) = name.split_once(':') {
        let before = before.to_ascii_lowercase();
        if before.contains("entity") || before.contains("model") || before.contains("table") {
            name = after.trim();
        }
    }
    if let Some(at) = name.find(['(', '—']) {
        name = name[..at].trim();
    }
    let name = name
        .trim_matches(['`', '*', '"'])
        .trim_end_matches(" entity")
        .trim_end_matches(" Entity")
        .trim();
    let words = name.split_whitespace().count();
    let sentence = words == 0 || words > 4 || name.ends_with(['?', '.', ':']);
    (!sentence).then(|| name.to_string())
}

/// Rows of a table with an Entity column (or a Name first column under an
/// entities heading).
fn entity_rows(table: &Table, grouped: bool) -> Vec<(String, usize)> {
    let column = table
        .column(|h| matches!(h, "entity" | "entity name" | "entities"))
        .or_else(|| {
            let first = table.header.first()?.to_lowercase();
            (grouped && matches!(first.as_str(), "name" | "model")).then_some(0)
        });
    let Some(column) = column else {
        return Vec::new();
    };
    table
        .rows
        .iter()
        .filter_map(|row| Some((entity_name(row.cell(column))?, row.line)))
        .collect()
}

/// `- **User**: a person`, `- stripes: id, name`, `- Queue — holds jobs`.
fn bullet_entity(paragraph: &Paragraph) -> Option<String> {
    let line = paragraph.lines.first()?;
    let first = line.spans.iter().find(|s| !s.text.trim().is_empty())?;
    let text = if matches!(first.style, Style::Strong | Style::Code) {
        first.text.clone()
    } else {
        let text = line.text();
        let end = text
            .find([':', '—', '(', ','])
            .or_else(|| text.find(" - "))
            .unwrap_or(text.len());
        text[..end].to_string()
    };
    entity_name(text.trim().trim_end_matches(':'))
}
