//! dockerfile-design.md: the build stages, named by headings ("Stage 1:
//! builder", "## runtime stage", or any heading directly under a "Stages"
//! heading) or by the rows of a table with a Stage column.

use super::markdown::{heading_key, Block, Document, Heading, Table};
use super::Item;

/// The stages in file order.
pub fn parse_dockerfile_design(text: &str) -> Vec<Item> {
    let doc = Document::parse(text);
    let mut stages = Vec::new();
    for (enclosing, block) in doc.walk() {
        match block {
            Block::Heading(heading) if names_a_stage(heading, enclosing.last().copied()) => {
                stages.push(Item {
                    text: heading.text.clone(),
                    line: heading.line,
                });
            }
            Block::Table(table) => stages.extend(stage_rows(table)),
            _ => {}
        }
    }
    stages
}

fn names_a_stage(heading: &Heading, parent: Option<&Heading>) -> bool {
    let under_stages = parent.is_some_and(|p| has_word(&heading_key(&p.text), "stages"));
    has_word(&heading_key(&heading.text), "stage") || under_stages
}

/// `word` appears delimited by non-alphanumerics; `multi-stage` does not count as `stage`.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(at + word.len()..).and_then(|s| s.chars().next());
        !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
            && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Rows of a table with a Stage column; a numeric stage is joined with a Name column.
fn stage_rows(table: &Table) -> Vec<Item> {
    let Some(stage) = table.column(|h| h == "stage" || h == "stage name") else {
        return Vec::new();
    };
    let name = table.column(|h| h == "name");
    table
        .rows
        .iter()
        .filter_map(|row| {
            let stage = row.cell(stage).trim();
            let name = name.map(|index| row.cell(index).trim()).unwrap_or("");
            let numbered = !stage.is_empty() && stage.chars().all(|c| c.is_ascii_digit());
            let text = match (numbered, name.is_empty()) {
                (true, false) => format!("Stage {stage}: {name}"),
                _ => stage.to_owned(),
            };
            (!text.is_empty()).then_some(Item {
                text,
                line: row.line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages(text: &str) -> Vec<(String, usize)> {
        parse_dockerfile_design(text)
            .into_iter()
            .map(|item| (item.text, item.line))
            .collect()
    }

    #[test]
    fn stage_headings() {
        let text = "# Dockerfile Design\n## Multi-stage build\n### Stage 1: builder\n### Stage 2: `runtime`\n## Build stages\n### deps\n### test\n## Stages overview\n## builder stage\n## Staged rollout\n";
        assert_eq!(
            stages(text),
            vec![
                ("Stage 1: builder".into(), 3),
                ("Stage 2: runtime".into(), 4),
                ("deps".into(), 6),
                ("test".into(), 7),
                ("builder stage".into(), 9),
            ]
        );
    }

    #[test]
    fn stage_tables() {
        let text = "# Design\n\n| Stage | Base image | Purpose |\n|---|---|---|\n| `builder` | rust:1.95 | compile |\n| runtime | debian | run |\n| | x | y |\n\n| Stage | Name |\n|---|---|\n| 1 | builder |\n\n| Layer | Purpose |\n|---|---|\n| deps | cache |\n";
        assert_eq!(
            stages(text),
            vec![
                ("builder".into(), 5),
                ("runtime".into(), 6),
                ("Stage 1: builder".into(), 11)
            ]
        );
    }

    #[test]
    fn fenced_dockerfiles_are_not_stages() {
        let text = "# Design\n```dockerfile\nFROM rust AS builder\n# Stage 1: builder\n```\n<!-- ## Stage 9: hidden -->\n";
        assert!(stages(text).is_empty());
    }

    #[test]
    fn word_matching() {
        assert!(has_word("stage 1", "stage"));
        assert!(has_word("the runtime stage", "stage"));
        assert!(!has_word("multi-stage build", "stage"));
        assert!(!has_word("stages", "stage"));
        assert!(!has_word("backstage", "stage"));
    }
}
