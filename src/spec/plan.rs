//! plan.md: the title, the technical-context fields (spec-kit or container
//! style), the source tree and the structure decision.

use super::markdown::{self, heading_key, Block, CodeBlock, CodeLine, Document, Field, Heading};
use super::tree::{parse_tree, Tree, TreePath};
use crate::{Error, Result};
use serde::Serialize;

/// Which plan template the document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PlanStyle {
    /// `## Technical Context` (spec-kit's plan template).
    SpecKit,
    /// `## Container Technical Context` (the container plan template).
    Container,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The first level-1 heading's text, empty when there is none.
    pub title: String,
    pub style: PlanStyle,
    /// The technical-context fields, in file order.
    pub fields: Vec<Field>,
    /// Every path of the fenced trees under source/structure headings (not
    /// the documentation tree); of the template's alternative layouts
    /// ("Option 1: …"), only the one the Structure Decision chooses.
    pub tree: Vec<TreePath>,
    /// Entries of those trees drawn outside the workspace (absolute, `..`).
    pub outside: Vec<TreePath>,
    pub structure_decision: Option<Field>,
    /// What the reader could not settle, by line (an option chosen by default).
    pub notes: Vec<(usize, String)>,
}

impl Plan {
    /// The first technical-context field called `name` (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// The fields (technical context and structure decision) still marked `NEEDS CLARIFICATION`.
    pub fn needs_clarification(&self) -> Vec<&Field> {
        let decision = self
            .structure_decision
            .iter()
            .filter(|decision| !self.fields.contains(decision));
        self.fields
            .iter()
            .chain(decision)
            .filter(|field| field.value.contains("NEEDS CLARIFICATION"))
            .collect()
    }
}

const SPEC_KIT_HEADING: &str = "Technical Context";
const CONTAINER_HEADING: &str = "Container Technical Context";

/// Parses plan.md's text. Errors carry a line but no file; the caller adds it.
pub fn parse_plan(text: &str) -> Result<Plan> {
    if text.trim().is_empty() {
        return Err(Error::new("plan.md is empty").with_help("run /plan first"));
    }
    let doc = Document::parse(text);
    let (style, context) = doc
        .section(|heading| plan_style(heading).is_some())
        .and_then(|section| Some((plan_style(section.heading)?, section)))
        .ok_or_else(|| {
            Error::new(format!(
                "plan.md has no \"## {SPEC_KIT_HEADING}\" or \"## {CONTAINER_HEADING}\" section"
            ))
            .at_line(1)
            .with_help(
                "the plan templates put the stack and build fields under one of these headings",
            )
        })?;
    let structure_decision = markdown::fields(&doc.blocks)
        .into_iter()
        .find(|field| field.name.eq_ignore_ascii_case("Structure Decision"));
    let (tree, notes) = source_tree(&doc, structure_decision.as_ref());
    Ok(Plan {
        title: doc.title().map(|h| h.text.clone()).unwrap_or_default(),
        style,
        fields: context_fields(context.blocks),
        tree: tree.paths,
        outside: tree.outside,
        structure_decision,
        notes,
    })
}

/// The technical-context fields; a field with no value on its line takes the
/// items of the list right below it ("**Primary Dependencies**:" then
/// "- axum", "- tokio" reads as "axum, tokio").
fn context_fields(blocks: &[Block]) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    let mut open: Option<usize> = None;
    for block in blocks {
        let Block::Paragraph(paragraph) = block else {
            open = None;
            continue;
        };
        let found = markdown::fields(std::slice::from_ref(block));
        match (paragraph.list, open) {
            (Some(place), Some(index))
                if found.is_empty() && place.depth == 1 && place.starts_item =>
            {
                let field = &mut fields[index];
                let item = paragraph.text();
                if field.value.is_empty() {
                    field.value = item;
                } else {
                    field.value = format!("{}, {item}", field.value);
                }
                continue;
            }
            (Some(_), Some(_)) if found.is_empty() => continue,
            _ => {}
        }
        open = found
            .last()
            .filter(|f| f.value.is_empty())
            .map(|_| fields.len() + found.len() - 1);
        fields.extend(found);
    }
    fields
}

fn plan_style(heading: &Heading) -> Option<PlanStyle> {
    let key = heading_key(&heading.text);
    if key == SPEC_KIT_HEADING.to_lowercase() {
        Some(PlanStyle::SpecKit)
    } else if key == CONTAINER_HEADING.to_lowercase() {
        Some(PlanStyle::Container)
    } else {
        None
    }
}

/// One of the template's alternative layouts ("Option 2: Web application"):
/// its label and the lines it spans.
struct TreeOption {
    label: String,
    lines: std::ops::Range<usize>,
}

/// The paths of every tree-like fence whose nearest heading names the source or
/// container structure (`### Source Code (repository root)`,
/// `### Container Source Structure (repository root)`), never the
/// documentation tree. Where the tree draws alternative layouts (a
/// `# Option 1: …` comment line, or an `Option 1: …` heading above the fence),
/// only the chosen one's paths are kept, with a note when none was chosen.
fn source_tree(doc: &Document, decision: Option<&Field>) -> (Tree, Vec<(usize, String)>) {
    let mut lines = Vec::new();
    let mut options: Vec<TreeOption> = Vec::new();
    for (headings, block) in doc.walk() {
        let Block::Code(code) = block else {
            continue;
        };
        let option_heading = headings.last().filter(|h| option_label(&h.text).is_some());
        let under_source = match option_heading {
            Some(_) => headings.iter().rev().skip(1).any(|h| names_source(h)),
            None => headings.last().is_some_and(|h| names_source(h)),
        };
        if !is_tree_fence(code) || !under_source {
            continue;
        }
        let end = code.lines.last().map_or(code.line, |l| l.line) + 1;
        if let Some(heading) = option_heading {
            options.push(TreeOption {
                label: heading.text.clone(),
                lines: code.line..end,
            });
        }
        // A blank line keeps one fence's tree (or option) from continuing into the next.
        let blank = |line| CodeLine {
            text: String::new(),
            line,
        };
        lines.push(blank(code.line));
        for code_line in &code.lines {
            let comment = code_line.text.trim_start().strip_prefix('#');
            if let Some(label) = comment.and_then(option_label) {
                if let Some(open) = options.last_mut().filter(|o| o.lines.end == end) {
                    open.lines.end = code_line.line;
                }
                options.push(TreeOption {
                    label,
                    lines: code_line.line..end,
                });
                lines.push(blank(code_line.line));
            } else {
                lines.push(code_line.clone());
            }
        }
    }
    if options.is_empty() {
        return (parse_tree(&lines), Vec::new());
    }
    let (chosen, notes) = choose_option(&options, decision);
    for code_line in &mut lines {
        let option = options
            .iter()
            .position(|o| o.lines.contains(&code_line.line));
        if option.is_some_and(|at| at != chosen) {
            code_line.text.clear();
        }
    }
    (parse_tree(&lines), notes)
}

/// `Option 2: Web application` (after `[REMOVE IF UNUSED]` and the like).
fn option_label(text: &str) -> Option<String> {
    let text = text.trim().trim_start_matches('#').trim();
    let text = match text.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(text, |(_, after)| after.trim()),
        None => text,
    };
    let lower = text.to_ascii_lowercase();
    let rest = lower.strip_prefix("option ")?;
    let token = rest.split([' ', ':', '.', ')']).next().unwrap_or_default();
    let numbered = token.chars().all(|c| c.is_ascii_digit()) || token.len() == 1;
    (!token.is_empty() && numbered).then(|| text.to_string())
}

/// The option the Structure Decision chooses: by number ("Option 2"), else
/// the one whose label shares the most words with it; without a choice, the
/// option labelled DEFAULT, else the first, with a note.
fn choose_option(
    options: &[TreeOption],
    decision: Option<&Field>,
) -> (usize, Vec<(usize, String)>) {
    let said = decision
        .filter(|d| !d.value.trim_start().starts_with('['))
        .map_or(Vec::new(), |d| label_words(&d.value));
    let numbered = said
        .windows(2)
        .find(|pair| pair[0] == "option")
        .and_then(|pair| {
            options
                .iter()
                .position(|o| label_words(&o.label).get(1) == Some(&pair[1]))
        });
    let overlap = |option: &TreeOption| {
        label_words(&option.label)
            .iter()
            .filter(|w| w.as_str() != "option" && said.contains(w))
            .count()
    };
    let best = options.iter().map(overlap).max().unwrap_or(0);
    let by_words = options.iter().position(|o| overlap(o) == best);
    let unique = options.iter().filter(|o| overlap(o) == best).count() == 1;
    match numbered.or(by_words.filter(|_| best > 0 && unique)) {
        Some(chosen) => (chosen, Vec::new()),
        None => {
            let fallback = options
                .iter()
                .position(|o| o.label.to_ascii_lowercase().contains("default"))
                .unwrap_or(0);
            let note = format!(
                "the source tree draws {} layout options and no Structure Decision chooses one; using \"{}\"",
                options.len(),
                options[fallback].label
            );
            (fallback, vec![(options[fallback].lines.start, note)])
        }
    }
}

/// Lower-case words, plurals folded (`containers` → `container`), without
/// the words every option label shares.
fn label_words(text: &str) -> Vec<String> {
    const COMMON: [&str; 9] = [
        "default", "when", "detected", "and", "or", "the", "a", "with", "per",
    ];
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !COMMON.contains(w))
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.len() > 3 => stem.to_string(),
            _ => w.to_string(),
        })
        .collect()
}

fn is_tree_fence(code: &CodeBlock) -> bool {
    code.fenced
        && matches!(
            code.info.to_lowercase().as_str(),
            "" | "text" | "txt" | "plain" | "plaintext" | "tree"
        )
}

fn names_source(heading: &Heading) -> bool {
    let key = heading_key(&heading.text);
    !key.contains("documentation")
        && ["source", "structure", "layout"]
            .iter()
            .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTAINER_PLAN: &str = "\
# Container Implementation Plan: greeter

**Branch**: `001-containerize-greeter` | **Date**: 2026-11-21 | **Spec**: specs/001-containerize-greeter/spec.md
**Input**: Container specification from `/specs/001-containerize-greeter/spec.md`

## Summary
Build one image per service.

## Container Technical Context
**Container Type**: web-service
**Base Image Strategy**: rust:1.95-slim-bookworm (build), debian:bookworm-slim (runtime)
**Configuration Method**: env vars (GREETER_PORT, GREETER_LOG_LEVEL, GREETER_QUEUE_URL)
**Image Size Goals**: <100MB
**Startup Performance**: <10s to healthy

## Container Constitution Check
**Multi-stage Build Efficiency**: Yes, builder and runtime stages.

## Container Project Structure

### Documentation (this container)
```
specs/001-containerize-greeter/
├── plan.md
└── contracts/
```

### Container Source Structure (repository root)
```
docker/
├── api/
│   ├── Dockerfile
│   ├── setup/scripts/
│   └── entrypoint.d/scripts/
├── shared/
│   └── scripts/
└── test/
```

**Structure Decision**: Multi-container: one directory per service under `docker/`.
";

    const SPEC_KIT_PLAN: &str = "\
# Implementation Plan: Worker metrics endpoint

**Branch**: `002-worker-metrics` | **Date**: 2026-11-22 | **Spec**: [spec.md](./spec.md)

## Technical Context

**Language/Version**: Rust 1.95 (edition 2021)

**Primary Dependencies**: std only; no new crates

**Storage**: N/A

**Project Type**: web-service

## Project Structure

### Documentation (this feature)

```text
specs/002-worker-metrics/
├── plan.md
└── tasks.md
```

### Source Code (repository root)

```text
crates/greeter-worker/src/
├── main.rs
└── metrics.rs

docker/
└── worker/
    └── Dockerfile
```

**Structure Decision**: Single container change: the worker image under `docker/worker/`.
";

    fn names(plan: &Plan) -> Vec<&str> {
        plan.fields.iter().map(|f| f.name.as_str()).collect()
    }

    fn tree(plan: &Plan) -> Vec<(&str, bool)> {
        plan.tree
            .iter()
            .map(|p| (p.path.as_str(), p.is_dir))
            .collect()
    }

    #[test]
    fn container_plan() {
        let plan = parse_plan(CONTAINER_PLAN).expect("plan parses");
        assert_eq!(plan.title, "Container Implementation Plan: greeter");
        assert_eq!(plan.style, PlanStyle::Container);
        assert_eq!(
            names(&plan),
            vec![
                "Container Type",
                "Base Image Strategy",
                "Configuration Method",
                "Image Size Goals",
                "Startup Performance"
            ]
        );
        let size = plan.field("image size goals").expect("field");
        assert_eq!((size.value.as_str(), size.line), ("<100MB", 13));
        assert_eq!(
            tree(&plan),
            vec![
                ("docker/", true),
                ("docker/api/", true),
                ("docker/api/Dockerfile", false),
                ("docker/api/setup/scripts/", true),
                ("docker/api/entrypoint.d/scripts/", true),
                ("docker/shared/", true),
                ("docker/shared/scripts/", true),
                ("docker/test/", true),
            ]
        );
        assert_eq!(plan.tree.first().map(|p| p.line), Some(30));
        let decision = plan
            .structure_decision
            .as_ref()
            .expect("structure decision");
        assert_eq!(
            (decision.value.as_str(), decision.line),
            (
                "Multi-container: one directory per service under docker/.",
                40
            )
        );
        assert!(plan.needs_clarification().is_empty());
    }

    #[test]
    fn spec_kit_plan_with_blank_line_separated_fields() {
        let plan = parse_plan(SPEC_KIT_PLAN).expect("plan parses");
        assert_eq!(plan.style, PlanStyle::SpecKit);
        assert_eq!(
            names(&plan),
            vec![
                "Language/Version",
                "Primary Dependencies",
                "Storage",
                "Project Type"
            ]
        );
        assert_eq!(
            plan.field("Storage").map(|f| (f.value.as_str(), f.line)),
            Some(("N/A", 11))
        );
        assert!(
            plan.field("Branch").is_none(),
            "header fields are not context fields"
        );
        assert_eq!(
            tree(&plan),
            vec![
                ("crates/greeter-worker/src/", true),
                ("crates/greeter-worker/src/main.rs", false),
                ("crates/greeter-worker/src/metrics.rs", false),
                ("docker/", true),
                ("docker/worker/", true),
                ("docker/worker/Dockerfile", false),
            ]
        );
        assert!(plan.structure_decision.is_some());
    }

    #[test]
    fn crlf_and_bom_are_read_text_s_job_but_parsing_their_output_works() {
        let raw = format!("\u{feff}{}", SPEC_KIT_PLAN.replace('\n', "\r\n"));
        let text = crate::spec::normalize_text(raw.as_bytes()).expect("valid text");
        assert_eq!(parse_plan(&text), parse_plan(SPEC_KIT_PLAN));
    }

    #[test]
    fn fenced_and_commented_fake_contexts_are_ignored() {
        let text = "# Plan\n\n```markdown\n## Technical Context\n**Language/Version**: fake\n```\n\n<!--\n## Container Technical Context\n**Container Type**: fake\n-->\n\n## Technical Context\n**Language/Version**: Rust <!-- **Storage**: fake --> 1.95\n";
        let plan = parse_plan(text).expect("plan parses");
        assert_eq!(plan.style, PlanStyle::SpecKit);
        assert_eq!(
            plan.fields,
            vec![Field {
                name: "Language/Version".into(),
                value: "Rust 1.95".into(),
                line: 14
            }]
        );
    }

    #[test]
    fn fields_stop_at_the_next_section_and_tolerate_colon_inside_bold() {
        let text = "# P\n## Technical Context\n**Language/Version:** Rust\n- **Testing**: cargo test\n### Details\n**Storage**: none\n## Constitution Check\n**Simplicity**: PASS\n";
        let plan = parse_plan(text).expect("plan parses");
        assert_eq!(names(&plan), vec!["Language/Version", "Testing", "Storage"]);
    }

    #[test]
    fn a_field_without_a_value_takes_the_list_below_it() {
        let text = "# P\n## Technical Context\n**Primary Dependencies**:\n- `axum` 0.7 or [actix-web](https://actix.rs)\n- tokio\n  - nested detail\n\n**Storage**: none\n- **Testing**: cargo test\n";
        let plan = parse_plan(text).expect("plan parses");
        let values: Vec<(&str, &str)> = plan
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                ("Primary Dependencies", "axum 0.7 or actix-web, tokio"),
                ("Storage", "none"),
                ("Testing", "cargo test")
            ]
        );
    }

    #[test]
    fn needs_clarification_fields() {
        let text = "# P\n## Technical Context\n**Language/Version**: Rust\n**Storage**: [NEEDS CLARIFICATION: which volume?]\n\n**Structure Decision**: NEEDS CLARIFICATION\n";
        let plan = parse_plan(text).expect("plan parses");
        let unclear: Vec<_> = plan
            .needs_clarification()
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str(), f.line))
            .collect();
        assert_eq!(
            unclear,
            vec![
                ("Storage", "[NEEDS CLARIFICATION: which volume?]", 4),
                ("Structure Decision", "NEEDS CLARIFICATION", 6)
            ]
        );
    }

    #[test]
    fn empty_plan_is_an_error() {
        for text in ["", " \n\t\n"] {
            let err = parse_plan(text).expect_err("empty plan");
            assert_eq!(err.message(), "plan.md is empty");
        }
    }

    #[test]
    fn plan_without_context_names_the_expected_headings() {
        let err =
            parse_plan("# Plan\n\n## Technical Contexts\n**A**: b\n").expect_err("no context");
        assert_eq!(err.line(), Some(1));
        assert_eq!(
            err.message(),
            "plan.md has no \"## Technical Context\" or \"## Container Technical Context\" section"
        );
    }

    #[test]
    fn first_context_heading_wins_and_title_may_be_missing() {
        let plan = parse_plan(
            "## Container Technical Context:\n**A**: 1\n## Technical Context\n**B**: 2\n",
        )
        .expect("plan parses");
        assert_eq!(
            (plan.style, plan.title.as_str()),
            (PlanStyle::Container, "")
        );
        assert_eq!(names(&plan), vec!["A"]);
    }

    #[test]
    fn only_tree_fences_under_source_headings_count() {
        let text = "# P\n## Technical Context\n**A**: b\n## Project Structure\n```text\nsrc/\n└── lib.rs\n```\n### Source Code\n```bash\ncargo build\n```\n```\ntests/\n```\n## Execution Flow\n```\nnot/\n```\n";
        let plan = parse_plan(text).expect("plan parses");
        assert_eq!(
            tree(&plan),
            vec![("src/", true), ("src/lib.rs", false), ("tests/", true)]
        );
    }

    fn options_plan(decision: &str) -> Plan {
        parse_plan(&format!("# P\n## Technical Context\n**A**: b\n## Project Structure\n### Source Code (repository root)\n```text\n# [REMOVE IF UNUSED] Option 1: Single project (DEFAULT)\nsrc/\n└── lib.rs\n\n# [REMOVE IF UNUSED] Option 2: Web application (frontend + backend)\nbackend/\n└── Dockerfile\nfrontend/\n# a comment about options for later\n\n# Option 3: Mobile + API\napi/\n```\n\n{decision}\n")).expect("plan parses")
    }

    fn paths(plan: &Plan) -> Vec<&str> {
        plan.tree.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn the_structure_decision_chooses_one_of_the_trees_options() {
        let by_number = options_plan("**Structure Decision**: option 2, as drawn.");
        assert_eq!(
            paths(&by_number),
            ["backend/", "backend/Dockerfile", "frontend/"]
        );
        assert!(by_number.notes.is_empty());
        let by_words = options_plan("**Structure Decision**: a mobile client and its API.");
        assert_eq!(paths(&by_words), ["api/"]);
        let by_default = options_plan("**Structure Decision**: [Document the selected structure]");
        assert_eq!(paths(&by_default), ["src/", "src/lib.rs"]);
        assert_eq!(
            by_default.notes,
            [(7, "the source tree draws 3 layout options and no Structure Decision chooses one; using \"Option 1: Single project (DEFAULT)\"".to_string())]
        );
    }

    #[test]
    fn option_headings_above_fences_are_options_too() {
        let text = "# P\n## Technical Context\n**A**: b\n## Source Code\n### Option 1: Single container\n```\ndocker/\n└── Dockerfile\n```\n### Option 2: Multi-container\n```\ndocker/\n├── api/\n└── worker/\n```\n\n**Structure Decision**: Multi-container, one directory per service.\n";
        let plan = parse_plan(text).expect("plan parses");
        assert_eq!(paths(&plan), ["docker/", "docker/api/", "docker/worker/"]);
    }
}
