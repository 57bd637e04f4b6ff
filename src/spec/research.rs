//! research.md: one item per `**Decision**: ...` field, in bullets or paragraphs.

use super::markdown::{self, Document};
use super::Item;

/// Each non-empty `**Decision**:` value with its line.
pub fn parse_research(text: &str) -> Vec<Item> {
    let doc = Document::parse(text);
    markdown::fields(&doc.blocks)
        .into_iter()
        .filter(|field| field.name.eq_ignore_ascii_case("Decision") && !field.value.is_empty())
        .map(|field| Item {
            text: field.value,
            line: field.line,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decisions(text: &str) -> Vec<(String, usize)> {
        parse_research(text)
            .into_iter()
            .map(|item| (item.text, item.line))
            .collect()
    }

    #[test]
    fn decisions_in_paragraphs() {
        let text = "# Research\n\n## R-1: Runtime base image\n**Decision**: debian:bookworm-slim\n**Rationale**: glibc matches the builder.\n\n## R-2: Signal handling\n**Decision**: tini as PID 1, `entrypoint.sh` ends with `exec \"$@\"`.\n";
        assert_eq!(
            decisions(text),
            vec![
                ("debian:bookworm-slim".into(), 4),
                (
                    "tini as PID 1, entrypoint.sh ends with exec \"$@\".".into(),
                    8
                )
            ]
        );
    }

    #[test]
    fn decisions_in_loose_and_tight_bullets() {
        let text = "# Research\n\n- **Decision**: Hand-written exposition over `std::net::TcpListener`.\n  **Rationale**: Two counters.\n\n- **Decision:** Expose port 9100.\n  **Alternatives considered**: a sidecar.\n* **decision**: tight one\n";
        assert_eq!(
            decisions(text),
            vec![
                (
                    "Hand-written exposition over std::net::TcpListener.".into(),
                    3
                ),
                ("Expose port 9100.".into(), 6),
                ("tight one".into(), 8)
            ]
        );
    }

    #[test]
    fn fenced_commented_and_empty_decisions_are_skipped() {
        let text = "```\n**Decision**: fake\n```\n<!-- **Decision**: hidden -->\n\n**Decision**:\n\nThe **Decision**: mid-line is prose.\n";
        assert!(decisions(text).is_empty());
    }
}
