//! The shared Markdown reader: one pulldown-cmark pass turned into a flat list
//! of blocks (headings, text lines, tables, code blocks) carrying 1-based line
//! numbers. Structure only ever comes from real Markdown syntax: the content of
//! code blocks, HTML blocks and inline HTML comments never yields a heading, a
//! field, a table or a list item.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::ops::Range;

/// A `**Name**: value` (or `**Name:** value`) line, markdown stripped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub line: usize,
}

/// How a run of inline text was marked up (the outermost mark wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Strong,
    Code,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub style: Style,
    pub text: String,
}

/// One source line of running text: a paragraph or list item is split at its
/// soft and hard line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLine {
    pub spans: Vec<Span>,
    pub line: usize,
}

/// Where a paragraph sits when it belongs to a list item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListPlace {
    /// 1 for an item of a top-level list, 2 for an item of a list nested in it, ...
    pub depth: usize,
    pub ordered: bool,
    /// True for the item's first paragraph (or its text, in a tight list).
    pub starts_item: bool,
}

/// A paragraph, or the text of a tight list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub lines: Vec<TextLine>,
    pub list: Option<ListPlace>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLine {
    pub text: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The first word of a fence's info string (`text` in ```` ```text ````), empty otherwise.
    pub info: String,
    pub fenced: bool,
    pub lines: Vec<CodeLine>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(Heading),
    Paragraph(Paragraph),
    Table(Table),
    Code(CodeBlock),
}

/// A parsed Markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
}

/// A heading and the blocks under it, up to the next heading of the same or a higher level.
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    pub heading: &'a Heading,
    pub blocks: &'a [Block],
}

impl Span {
    fn new(style: Style, text: &str) -> Span {
        Span {
            style,
            text: text.to_owned(),
        }
    }
}

impl TextLine {
    /// The line's text without markup, whitespace runs collapsed.
    pub fn text(&self) -> String {
        collapse_whitespace(
            &self
                .spans
                .iter()
                .map(|s| s.text.as_str())
                .collect::<String>(),
        )
    }

    /// The line as a field when it starts with strong text followed by a colon.
    pub fn field(&self) -> Option<Field> {
        let (first, rest) = self.spans.split_first()?;
        if first.style != Style::Strong {
            return None;
        }
        let rest: String = rest.iter().map(|s| s.text.as_str()).collect();
        let name = first.text.trim();
        let (name, value) = match name.strip_suffix(':') {
            Some(name) => (name, rest.as_str()),
            None => (name, rest.trim_start().strip_prefix(':')?),
        };
        let name = collapse_whitespace(name);
        if name.is_empty() {
            return None;
        }
        Some(Field {
            name,
            value: collapse_whitespace(value),
            line: self.line,
        })
    }
}

impl Paragraph {
    /// All lines joined with single spaces.
    pub fn text(&self) -> String {
        let lines: Vec<String> = self.lines.iter().map(TextLine::text).collect();
        collapse_whitespace(&lines.join(" "))
    }

    pub fn line(&self) -> usize {
        self.lines.first().map_or(0, |l| l.line)
    }
}

impl Table {
    /// The index of the first header cell accepted by `matches` (given lower-cased text).
    pub fn column(&self, matches: impl Fn(&str) -> bool) -> Option<usize> {
        self.header
            .iter()
            .position(|cell| matches(&cell.to_lowercase()))
    }
}

impl Row {
    /// A cell's text, or "" for a cell the row does not have.
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

impl Document {
    pub fn parse(text: &str) -> Document {
        let mut builder = Builder::new(text);
        let mut options = Options::empty();
        options.insert(Options::ENABLE_TABLES);
        options.insert(Options::ENABLE_STRIKETHROUGH);
        for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
            builder.event(event, range);
        }
        Document {
            blocks: builder.blocks,
        }
    }

    pub fn headings(&self) -> impl Iterator<Item = &Heading> {
        self.blocks.iter().filter_map(|block| match block {
            Block::Heading(heading) => Some(heading),
            _ => None,
        })
    }

    /// The first level-1 heading.
    pub fn title(&self) -> Option<&Heading> {
        self.headings().find(|h| h.level == 1)
    }

    /// The section of the first heading accepted by `matches`.
    pub fn section(&self, matches: impl Fn(&Heading) -> bool) -> Option<Section<'_>> {
        let start = self
            .blocks
            .iter()
            .position(|block| matches!(block, Block::Heading(h) if matches(h)))?;
        let Some(Block::Heading(heading)) = self.blocks.get(start) else {
            return None;
        };
        let rest = self.blocks.get(start + 1..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|block| matches!(block, Block::Heading(h) if h.level <= heading.level))
            .unwrap_or(rest.len());
        Some(Section {
            heading,
            blocks: rest.get(..len).unwrap_or_default(),
        })
    }

    /// Every block with the headings enclosing it, outermost first (a heading's
    /// own list holds its ancestors, not itself).
    pub fn walk(&self) -> impl Iterator<Item = (Vec<&Heading>, &Block)> {
        let mut open: Vec<&Heading> = Vec::new();
        self.blocks.iter().map(move |block| {
            let enclosing = match block {
                Block::Heading(heading) => {
                    while open.last().is_some_and(|top| top.level >= heading.level) {
                        open.pop();
                    }
                    let ancestors = open.clone();
                    open.push(heading);
                    ancestors
                }
                _ => open.clone(),
            };
            (enclosing, block)
        })
    }
}

/// Every field of the paragraphs among `blocks`, in order. A field's value runs
/// on over the following lines of its paragraph up to the next field.
pub fn fields(blocks: &[Block]) -> Vec<Field> {
    let mut fields = Vec::new();
    for block in blocks {
        let Block::Paragraph(paragraph) = block else {
            continue;
        };
        let mut current: Option<Field> = None;
        for line in &paragraph.lines {
            match (line.field(), &mut current) {
                (Some(field), _) => fields.extend(current.replace(field)),
                (None, Some(field)) => {
                    field.value = collapse_whitespace(&format!("{} {}", field.value, line.text()));
                }
                (None, None) => {}
            }
        }
        fields.extend(current);
    }
    fields
}

/// Heading text normalised for comparison: lower case, no trailing colon.
pub fn heading_key(text: &str) -> String {
    text.trim().trim_end_matches(':').trim_end().to_lowercase()
}

pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Maps byte offsets to 1-based line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let breaks = text.match_indices('\n').map(|(at, _)| at + 1);
        LineIndex {
            starts: std::iter::once(0).chain(breaks).collect(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(index) => index + 1,
            Err(index) => index,
        }
    }
}

/// Inline text being collected for a paragraph, heading or table cell.
#[derive(Default)]
struct Inline {
    lines: Vec<TextLine>,
    strong: usize,
}

impl Inline {
    fn push(&mut self, style: Style, text: &str, line: usize) {
        let style = if self.strong > 0 {
            Style::Strong
        } else {
            style
        };
        if self.lines.is_empty() {
            self.break_line();
        }
        let Some(current) = self.lines.last_mut() else {
            return;
        };
        if current.spans.is_empty() {
            current.line = line;
        }
        match current.spans.last_mut() {
            Some(last) if last.style == style => last.text.push_str(text),
            _ => current.spans.push(Span::new(style, text)),
        }
    }

    fn break_line(&mut self) {
        self.lines.push(TextLine {
            spans: Vec::new(),
            line: 0,
        });
    }

    fn into_lines(self) -> Vec<TextLine> {
        self.lines
            .into_iter()
            .filter(|line| !line.spans.is_empty())
            .collect()
    }

    fn into_text(self) -> String {
        let lines: Vec<String> = self.into_lines().iter().map(TextLine::text).collect();
        collapse_whitespace(&lines.join(" "))
    }
}

enum Sink {
    None,
    Paragraph(Inline, Option<ListPlace>),
    Heading(Inline, u8, usize),
    Cell(Inline),
    Code(CodeBlock),
    Html,
}

struct OpenItem {
    ordered: bool,
    has_text: bool,
}

struct OpenTable {
    table: Table,
    row: Vec<String>,
    row_line: usize,
}

struct Builder {
    lines: LineIndex,
    blocks: Vec<Block>,
    sink: Sink,
    lists: Vec<bool>,
    items: Vec<OpenItem>,
    table: Option<OpenTable>,
}

impl Builder {
    fn new(text: &str) -> Builder {
        Builder {
            lines: LineIndex::new(text),
            blocks: Vec::new(),
            sink: Sink::None,
            lists: Vec::new(),
            items: Vec::new(),
            table: None,
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        let line = self.lines.line(range.start);
        match event {
            Event::Start(tag) => self.start(tag, line),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, line),
            Event::Code(code) => self.inline(Style::Code, &code, line),
            Event::InlineHtml(html) if !html.starts_with("<!--") => {
                self.inline(Style::Plain, &html, line)
            }
            Event::SoftBreak | Event::HardBreak => self.line_break(),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, line: usize) {
        match tag {
            Tag::Strong => {
                self.open_item_text();
                self.with_inline(|inline| inline.strong += 1);
            }
            Tag::Emphasis | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. } => {}
            Tag::Paragraph => {
                self.close_paragraph();
                let place = self.list_place();
                self.sink = Sink::Paragraph(Inline::default(), place);
            }
            Tag::Heading { level, .. } => {
                self.close_paragraph();
                self.sink = Sink::Heading(Inline::default(), level as u8, line);
            }
            Tag::CodeBlock(kind) => {
                self.close_paragraph();
                let (info, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (first_word(&info), true),
                    CodeBlockKind::Indented => (String::new(), false),
                };
                self.sink = Sink::Code(CodeBlock {
                    info,
                    fenced,
                    lines: Vec::new(),
                    line,
                });
            }
            Tag::HtmlBlock => {
                self.close_paragraph();
                self.sink = Sink::Html;
            }
            Tag::List(first_number) => {
                self.close_paragraph();
                self.lists.push(first_number.is_some());
            }
            Tag::Item => {
                self.close_paragraph();
                let ordered = self.lists.last().copied().unwrap_or(false);
                self.items.push(OpenItem {
                    ordered,
                    has_text: false,
                });
            }
            Tag::Table(_) => {
                self.close_paragraph();
                self.table = Some(OpenTable {
                    table: Table {
                        header: Vec::new(),
                        rows: Vec::new(),
                        line,
                    },
                    row: Vec::new(),
                    row_line: line,
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(open) = &mut self.table {
                    open.row.clear();
                    open.row_line = line;
                }
            }
            Tag::TableCell => self.sink = Sink::Cell(Inline::default()),
            _ => self.close_paragraph(),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Strong => {
                self.with_inline(|inline| inline.strong = inline.strong.saturating_sub(1))
            }
            TagEnd::Emphasis | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image => {}
            TagEnd::Heading(_) => {
                if let Sink::Heading(inline, level, line) =
                    std::mem::replace(&mut self.sink, Sink::None)
                {
                    let text = inline.into_text();
                    self.blocks
                        .push(Block::Heading(Heading { level, text, line }));
                }
            }
            TagEnd::CodeBlock => {
                if let Sink::Code(code) = std::mem::replace(&mut self.sink, Sink::None) {
                    self.blocks.push(Block::Code(code));
                }
            }
            TagEnd::HtmlBlock => self.sink = Sink::None,
            TagEnd::List(_) => {
                self.close_paragraph();
                self.lists.pop();
            }
            TagEnd::Item => {
                self.close_paragraph();
                self.items.pop();
            }
            TagEnd::TableCell => {
                if let Sink::Cell(inline) = std::mem::replace(&mut self.sink, Sink::None) {
                    if let Some(open) = &mut self.table {
                        open.row.push(inline.into_text());
                    }
                }
            }
            TagEnd::TableHead => {
                if let Some(open) = &mut self.table {
                    open.table.header = std::mem::take(&mut open.row);
                }
            }
            TagEnd::TableRow => {
                if let Some(open) = &mut self.table {
                    let cells = std::mem::take(&mut open.row);
                    let line = open.row_line;
                    open.table.rows.push(Row { cells, line });
                }
            }
            TagEnd::Table => {
                if let Some(open) = self.table.take() {
                    self.blocks.push(Block::Table(open.table));
                }
            }
            _ => self.close_paragraph(),
        }
    }

    fn text(&mut self, text: &str, line: usize) {
        if let Sink::Code(code) = &mut self.sink {
            let pieces = text.split_inclusive('\n');
            for (offset, piece) in pieces.enumerate() {
                code.lines.push(CodeLine {
                    text: piece.trim_end_matches('\n').to_owned(),
                    line: line + offset,
                });
            }
        } else {
            self.inline(Style::Plain, text, line);
        }
    }

    fn inline(&mut self, style: Style, text: &str, line: usize) {
        self.open_item_text();
        self.with_inline(|inline| inline.push(style, text, line));
    }

    /// A tight list item's text comes without a paragraph: open one.
    fn open_item_text(&mut self) {
        if matches!(self.sink, Sink::None) && !self.items.is_empty() {
            let place = self.list_place();
            self.sink = Sink::Paragraph(Inline::default(), place);
        }
    }

    fn line_break(&mut self) {
        self.with_inline(Inline::break_line);
    }

    fn with_inline(&mut self, apply: impl FnOnce(&mut Inline)) {
        match &mut self.sink {
            Sink::Paragraph(inline, _) | Sink::Heading(inline, _, _) | Sink::Cell(inline) => {
                apply(inline)
            }
            Sink::None | Sink::Code(_) | Sink::Html => {}
        }
    }

    /// The list place of a paragraph starting now; marks the current item as having text.
    fn list_place(&mut self) -> Option<ListPlace> {
        let depth = self.items.len();
        let item = self.items.last_mut()?;
        let starts_item = !item.has_text;
        item.has_text = true;
        Some(ListPlace {
            depth,
            ordered: item.ordered,
            starts_item,
        })
    }

    fn close_paragraph(&mut self) {
        if !matches!(self.sink, Sink::Paragraph(..)) {
            return;
        }
        if let Sink::Paragraph(inline, list) = std::mem::replace(&mut self.sink, Sink::None) {
            let lines = inline.into_lines();
            if !lines.is_empty() {
                self.blocks
                    .push(Block::Paragraph(Paragraph { lines, list }));
            }
        }
    }
}

fn first_word(info: &str) -> String {
    info.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(text: &str) -> Vec<(String, String, usize)> {
        let doc = Document::parse(text);
        fields(&doc.blocks)
            .into_iter()
            .map(|f| (f.name, f.value, f.line))
            .collect()
    }

    fn field(name: &str, value: &str, line: usize) -> (String, String, usize) {
        (name.to_owned(), value.to_owned(), line)
    }

    #[test]
    fn fields_on_soft_broken_lines() {
        let text = "**A**: one\n**B**: two `x`\n";
        assert_eq!(
            fields_of(text),
            vec![field("A", "one", 1), field("B", "two x", 2)]
        );
    }

    #[test]
    fn fields_on_hard_broken_lines_and_blank_line_separated() {
        let text = "**A**: one  \n**B:** two\n\n**C** : three\n";
        assert_eq!(
            fields_of(text),
            vec![
                field("A", "one", 1),
                field("B", "two", 2),
                field("C", "three", 4)
            ]
        );
    }

    #[test]
    fn a_value_runs_on_to_the_next_field_or_the_paragraph_end() {
        let text = "intro line\n**A**: one\ncontinued `here`\n**B**: two\n\nnot part of B\n";
        assert_eq!(
            fields_of(text),
            vec![field("A", "one continued here", 2), field("B", "two", 4)]
        );
    }

    #[test]
    fn strong_text_without_colon_is_not_a_field() {
        assert!(fields_of("**Bold** words\n\nplain: text\n\n**:** nothing\n").is_empty());
    }

    #[test]
    fn fields_in_list_items_tight_and_loose() {
        let text = "- **A**: one\n- **B**: two\n\n* **C**: three\n\n  **D**: four\n";
        assert_eq!(
            fields_of(text),
            vec![
                field("A", "one", 1),
                field("B", "two", 2),
                field("C", "three", 4),
                field("D", "four", 6)
            ]
        );
    }

    #[test]
    fn fences_and_html_comments_yield_no_structure() {
        let text = "```\n## Fake\n**F**: fake\n| a | b |\n|---|---|\n| 1 | 2 |\n```\n\
                    <!--\n## Hidden\n**H**: hidden\n-->\n\
                    **R**: real <!-- **X**: inline\n**Y**: comment --> tail\n\n    ## indented code\n";
        let doc = Document::parse(text);
        assert_eq!(doc.headings().count(), 0);
        assert!(!doc.blocks.iter().any(|b| matches!(b, Block::Table(_))));
        assert_eq!(fields_of(text), vec![field("R", "real tail", 12)]);
    }

    #[test]
    fn headings_with_levels_lines_and_plain_text() {
        let doc = Document::parse("# The `title`\n\ntext\n\nSetext\n------\n### *Third*\n");
        let headings: Vec<_> = doc
            .headings()
            .map(|h| (h.level, h.text.as_str(), h.line))
            .collect();
        assert_eq!(
            headings,
            vec![(1, "The title", 1), (2, "Setext", 5), (3, "Third", 7)]
        );
        assert_eq!(doc.title().map(|h| h.text.as_str()), Some("The title"));
    }

    #[test]
    fn code_block_lines_keep_their_line_numbers() {
        let doc = Document::parse(
            "intro\n\n```text\na/\n├── b  # note\n\n```\n\n- item\n\n  ```\n  x\n  ```\n",
        );
        let codes: Vec<_> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Code(code) => Some(code),
                _ => None,
            })
            .collect();
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[0].info, "text");
        assert!(codes[0].fenced);
        assert_eq!(codes[0].line, 3);
        let lines: Vec<_> = codes[0]
            .lines
            .iter()
            .map(|l| (l.text.as_str(), l.line))
            .collect();
        assert_eq!(lines, vec![("a/", 4), ("├── b  # note", 5), ("", 6)]);
        assert_eq!(
            codes[1].lines,
            vec![CodeLine {
                text: "x".into(),
                line: 12
            }]
        );
    }

    #[test]
    fn tables_with_missing_and_extra_cells() {
        let doc = Document::parse("| Name | `Default` |\n|---|---|\n| `X` |\n| Y | 1 | extra |\n");
        let Some(Block::Table(table)) = doc.blocks.first() else {
            panic!("expected a table, got {:?}", doc.blocks);
        };
        assert_eq!(table.header, vec!["Name", "Default"]);
        assert_eq!(table.line, 1);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(
            (
                table.rows[0].cell(0),
                table.rows[0].cell(1),
                table.rows[0].line
            ),
            ("X", "", 3)
        );
        assert_eq!(
            (
                table.rows[1].cell(0),
                table.rows[1].cell(1),
                table.rows[1].cell(7)
            ),
            ("Y", "1", "")
        );
        assert_eq!(table.column(|h| h == "default"), Some(1));
        assert_eq!(table.column(|h| h == "stage"), None);
    }

    #[test]
    fn a_table_without_delimiter_row_is_a_paragraph() {
        let doc = Document::parse("| Name | Default |\n| X | 1 |\n");
        assert!(matches!(doc.blocks.as_slice(), [Block::Paragraph(_)]));
    }

    #[test]
    fn list_places_mark_depth_order_and_item_start() {
        let doc = Document::parse("1. first\n   more\n   - nested\n2. second\n\n   second para\n");
        let places: Vec<_> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some((p.text(), p.list)),
                _ => None,
            })
            .collect();
        let place = |depth, ordered, starts_item| {
            Some(ListPlace {
                depth,
                ordered,
                starts_item,
            })
        };
        assert_eq!(
            places,
            vec![
                ("first more".to_owned(), place(1, true, true)),
                ("nested".to_owned(), place(2, false, true)),
                ("second".to_owned(), place(1, true, true)),
                ("second para".to_owned(), place(1, true, false)),
            ]
        );
    }

    #[test]
    fn sections_end_at_the_next_heading_of_same_or_higher_level() {
        let doc = Document::parse("# T\n## A\n**X**: 1\n### A.1\n**Y**: 2\n## B\n**Z**: 3\n");
        let section = doc.section(|h| h.text == "A").expect("section A");
        assert_eq!(section.heading.line, 2);
        let names: Vec<_> = fields(section.blocks).into_iter().map(|f| f.name).collect();
        assert_eq!(names, vec!["X", "Y"]);
        assert!(doc.section(|h| h.text == "C").is_none());
    }

    #[test]
    fn walk_gives_enclosing_headings() {
        let doc = Document::parse("# T\n## A\n### A.1\npara\n## B\npara\n");
        let contexts: Vec<Vec<String>> = doc
            .walk()
            .filter(|(_, block)| matches!(block, Block::Paragraph(_)))
            .map(|(headings, _)| headings.iter().map(|h| h.text.clone()).collect())
            .collect();
        assert_eq!(contexts, vec![vec!["T", "A", "A.1"], vec!["T", "B"]]);
    }

    #[test]
    fn heading_keys_ignore_case_and_trailing_colons() {
        assert_eq!(heading_key("  Technical Context: "), "technical context");
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let inputs = [
            "",
            "\n\n\n",
            "**",
            "**:**",
            "```",
            "<!--",
            "| a |\n|---|\n|",
            "- \n-\n  -",
            "#\n##\n###### x",
            "\u{0}\u{feff}**\u{0}**: \u{0}",
        ];
        for input in inputs {
            let doc = Document::parse(input);
            let _ = fields(&doc.blocks).len();
            let _ = doc.walk().count();
        }
    }
}
