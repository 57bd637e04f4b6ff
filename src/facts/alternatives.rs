//! What a document considered and rejected is not a fact: an alternative
//! base image, port or endpoint must never win. Removed before any reader
//! runs: sections headed "Alternatives…" / "Rejected…" / "Options
//! considered", and `**Alternatives considered**:` / `**Options**:` fields
//! with the list (and its code blocks) below them.

use crate::spec::markdown::{heading_key, Block, Document, Paragraph, TextLine};

/// `doc` without the alternatives it lists.
pub fn without_alternatives(doc: Document) -> Document {
    let mut blocks = Vec::with_capacity(doc.blocks.len());
    let mut skipping: Option<Skip> = None;
    for block in doc.blocks {
        if let Some(skip) = skipping {
            if !skip.ends_at(&block) {
                continue;
            }
            skipping = None;
        }
        match block {
            Block::Heading(heading) if is_alternatives(&heading_key(&heading.text)) => {
                skipping = Some(Skip::Section(heading.level));
            }
            Block::Paragraph(paragraph) => {
                let (kept, skip) = drop_alternative_lines(paragraph);
                skipping = skip;
                blocks.extend(kept.map(Block::Paragraph));
            }
            block => blocks.push(block),
        }
    }
    Document { blocks }
}

/// What is being skipped, and so where skipping ends.
#[derive(Clone, Copy)]
enum Skip {
    /// A section: up to the next heading of this level or higher.
    Section(u8),
    /// The list below an alternatives field of a paragraph at list `depth`
    /// (0: not in a list): up to the next heading or paragraph at that depth
    /// or shallower. `blocks`: its code blocks and tables too (the field
    /// announced the list); else they end the skip.
    List { depth: usize, blocks: bool },
}

impl Skip {
    fn ends_at(self, block: &Block) -> bool {
        match (self, block) {
            (Skip::Section(level), Block::Heading(heading)) => heading.level <= level,
            (Skip::Section(_), _) => false,
            (Skip::List { .. }, Block::Heading(_)) => true,
            (Skip::List { depth, .. }, Block::Paragraph(paragraph)) => paragraph
                .list
                .is_none_or(|place| place.depth <= depth && place.starts_item),
            (Skip::List { blocks, .. }, _) => !blocks,
        }
    }
}

fn is_alternatives(key: &str) -> bool {
    let key = key.trim_start_matches(|c: char| !c.is_alphabetic());
    [
        "alternative",
        "rejected",
        "options considered",
        "other options",
        "considered options",
    ]
    .iter()
    .any(|start| key.starts_with(start))
        || key == "options"
}

/// The paragraph without its alternatives field lines (and the lines that
/// continue them up to the next field); a skip when the field's list
/// follows the paragraph (the field has no value of its own, or the
/// paragraph is nothing but the field).
fn drop_alternative_lines(paragraph: Paragraph) -> (Option<Paragraph>, Option<Skip>) {
    let depth = paragraph.list.map_or(0, |place| place.depth);
    let mut lines: Vec<TextLine> = Vec::new();
    let mut in_alternatives = false;
    let mut list_follows = false;
    for line in paragraph.lines {
        if let Some(field) = line.field() {
            in_alternatives = is_alternatives(&field.name.to_lowercase());
            list_follows |= in_alternatives && field.value.is_empty();
        }
        if !in_alternatives {
            lines.push(line);
        }
    }
    let skip = Skip::List {
        depth,
        blocks: list_follows,
    };
    match lines.is_empty() {
        true => (None, Some(skip)),
        false => (
            Some(Paragraph { lines, ..paragraph }),
            list_follows.then_some(skip),
        ),
    }
}
