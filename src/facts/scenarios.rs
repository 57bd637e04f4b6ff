//! quickstart.md scenarios: a scenario is a runnable step, that is a section
//! holding a shell code block or numbered steps with commands (code spans),
//! or, outside sections, one such block or numbered step; its expected result
//! ("Expected: …", "→ …", "… returns …") is kept when it states one. Prerequisites, installation, configuration reference,
//! troubleshooting, next steps, references and clean-up are not scenarios;
//! the document's own numbering ("Scenario 2:", "3.", "Step 4 —") is dropped.

use super::collect::Collector;
use super::{Scenario, Source};
use crate::spec::markdown::{heading_key, Block, CodeBlock, Document, Heading, Paragraph, Style};

/// Sections that hold no scenario (matched on the heading's start).
const ASIDES: [&str; 28] = [
    "prerequisite",
    "prereq",
    "requirements",
    "before you begin",
    "install",
    "configuration reference",
    "configuration",
    "environment variables",
    "troubleshoot",
    "common issues",
    "faq",
    "next step",
    "next",
    "reference",
    "see also",
    "further reading",
    "resources",
    "clean up",
    "cleanup",
    "teardown",
    "note",
    "overview",
    "introduction",
    "what's changing",
    "files",
    "summary",
    "expected outcome",
    "related",
];

const SHELLS: [&str; 12] = [
    "bash",
    "sh",
    "shell",
    "console",
    "zsh",
    "shell-session",
    "sh-session",
    "terminal",
    "cmd",
    "powershell",
    "pwsh",
    "ps1",
];

const COMMANDS: [&str; 16] = [
    "docker", "podman", "curl", "wget", "cargo", "make", "kubectl", "helm", "npm", "npx", "just",
    "./", "http", "grpcurl", "bash", "sh",
];

struct Section<'a> {
    heading: Option<&'a Heading>,
    aside: bool,
    blocks: Vec<&'a Block>,
}

pub fn read(file: &str, doc: &Document, out: &mut Collector) {
    let title = doc.headings().next().filter(|h| h.level == 1);
    let mut sections: Vec<Section> = vec![Section {
        heading: None,
        aside: false,
        blocks: Vec::new(),
    }];
    for (enclosing, block) in doc.walk() {
        match block {
            Block::Heading(heading) if !title.is_some_and(|t| std::ptr::eq(t, heading)) => {
                let aside = is_aside(heading) || enclosing.iter().any(|h| is_aside(h));
                sections.push(Section {
                    heading: Some(heading),
                    aside,
                    blocks: Vec::new(),
                });
            }
            Block::Heading(_) => {}
            _ => {
                if let Some(section) = sections.last_mut() {
                    section.blocks.push(block);
                }
            }
        }
    }
    for section in sections.iter().filter(|s| !s.aside) {
        match section.heading {
            Some(heading) => headed(file, heading, &section.blocks, out),
            None => headless(file, &section.blocks, out),
        }
    }
}

fn is_aside(heading: &Heading) -> bool {
    let key = heading_key(&strip_numbering(&heading.text));
    ASIDES.iter().any(|aside| key.starts_with(aside))
}

/// "Scenario 2: Build", "3. Build", "Step 4 — Build", "Test 1) Build" → "Build".
pub fn strip_numbering(text: &str) -> String {
    let mut rest = text.trim();
    let lower = rest.to_ascii_lowercase();
    for word in ["scenario", "step", "test", "example", "case"] {
        if lower.starts_with(word) {
            let after = rest[word.len()..].trim_start();
            if after.starts_with(|c: char| c.is_ascii_digit()) {
                rest = after;
            }
        }
    }
    let digits = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    if digits > 0 {
        let after = rest[digits..]
            .trim_start_matches([')', ':', '-', '—', '–'])
            .trim_start();
        if after.len() < rest.len() && !after.is_empty() {
            rest = after.trim_start_matches([':', '-', '—', '–']).trim_start();
        }
    }
    rest.to_string()
}

fn is_shell(code: &CodeBlock) -> bool {
    let info = code.info.to_ascii_lowercase();
    if SHELLS.contains(&info.as_str()) {
        return true;
    }
    info.is_empty()
        && code
            .lines
            .iter()
            .map(|l| l.text.trim())
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .is_some_and(is_command)
}

fn is_command(line: &str) -> bool {
    let line = line.strip_prefix("$ ").unwrap_or(line);
    let first = line.split_whitespace().next().unwrap_or("");
    COMMANDS
        .iter()
        .any(|c| first == *c || (c.ends_with('/') && first.starts_with(c)))
}

/// The commands of a shell block: logical lines without comments or prompts.
fn block_commands(code: &CodeBlock) -> Vec<String> {
    let mut commands: Vec<String> = Vec::new();
    let mut open = false;
    for line in &code.lines {
        let text = line.text.trim();
        let text = text.strip_prefix("$ ").unwrap_or(text);
        if !open && (text.is_empty() || text.starts_with('#')) {
            continue;
        }
        let (body, continues) = match text.strip_suffix('\\') {
            Some(body) => (body.trim_end(), true),
            None => (text, false),
        };
        match commands.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(body);
            }
            _ => commands.push(body.to_string()),
        }
        open = continues;
    }
    commands
}

fn headed(file: &str, heading: &Heading, blocks: &[&Block], out: &mut Collector) {
    let mut commands = Vec::new();
    let mut expected = None;
    for block in blocks {
        match block {
            Block::Code(code) if is_shell(code) => commands.extend(block_commands(code)),
            Block::Paragraph(paragraph) => {
                expected = expected.or_else(|| expectation(paragraph));
                if paragraph.list.is_some_and(|p| p.ordered) {
                    commands.extend(span_commands(paragraph));
                }
            }
            _ => {}
        }
    }
    if !commands.is_empty() {
        out.scenarios.push(Scenario {
            title: strip_numbering(&heading.text),
            commands,
            expected,
            source: Source::new(file, heading.line),
        });
    }
}

/// Without a heading: each shell block, titled by the paragraph before it,
/// and each numbered step with a command and an expected result.
fn headless(file: &str, blocks: &[&Block], out: &mut Collector) {
    let mut label: Option<&Paragraph> = None;
    for block in blocks {
        match block {
            Block::Code(code) if is_shell(code) => {
                let commands = block_commands(code);
                let title = label
                    .map(|p| p.text().trim_end_matches(':').to_string())
                    .or_else(|| commands.first().cloned())
                    .unwrap_or_default();
                out.scenarios.push(Scenario {
                    title: strip_numbering(&title),
                    commands,
                    expected: None,
                    source: Source::new(file, label.map_or(code.line, |p| p.line())),
                });
                label = None;
            }
            Block::Paragraph(paragraph) => {
                let step = paragraph
                    .list
                    .is_some_and(|p| p.ordered && p.starts_item && p.depth == 1);
                let commands = span_commands(paragraph);
                match expectation(paragraph) {
                    expected if step && !commands.is_empty() => {
                        out.scenarios.push(Scenario {
                            title: step_title(paragraph, &commands[0]),
                            commands,
                            expected,
                            source: Source::new(file, paragraph.line()),
                        });
                        label = None;
                    }
                    _ => label = Some(paragraph),
                }
            }
            _ => {}
        }
    }
}

/// The words of a numbered step before its first command ("Build the image
/// with `docker build …`" → "Build the image"), else the command.
fn step_title(paragraph: &Paragraph, command: &str) -> String {
    let mut title = String::new();
    for span in paragraph.lines.iter().flat_map(|line| line.spans.iter()) {
        if span.style == Style::Code && is_command(span.text.trim()) {
            break;
        }
        title.push_str(&span.text);
        title.push(' ');
    }
    let mut title = crate::spec::markdown::collapse_whitespace(&title);
    for tail in [":", " with", " using", " via", " by running", " run", ","] {
        title = title.trim_end_matches(tail).trim_end().to_string();
    }
    if title.is_empty() {
        command.to_string()
    } else {
        strip_numbering(&title)
    }
}

/// Code spans of a paragraph that read as commands.
fn span_commands(paragraph: &Paragraph) -> Vec<String> {
    paragraph
        .lines
        .iter()
        .flat_map(|line| line.spans.iter())
        .filter(|span| span.style == Style::Code && is_command(span.text.trim()))
        .map(|span| span.text.trim().to_string())
        .collect()
}

/// "Expected: x", "**Expected**: x", "→ x", "… returns x", "… prints x".
fn expectation(paragraph: &Paragraph) -> Option<String> {
    let text = paragraph.text();
    let lower = text.to_ascii_lowercase();
    for marker in [
        "expected result:",
        "expected output:",
        "expected:",
        "expect:",
        "→",
        "->",
    ] {
        if let Some(at) = lower.find(marker) {
            let value = text[at + marker.len()..].trim();
            if !value.is_empty() {
                return Some(value.to_string());
            }
        }
    }
    for verb in [
        " returns ",
        " prints ",
        " responds ",
        " shows ",
        " should ",
        " reports ",
    ] {
        if let Some(at) = lower.find(verb) {
            return Some(text[at + 1..].trim().to_string());
        }
    }
    None
}
