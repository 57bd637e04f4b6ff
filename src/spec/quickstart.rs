//! quickstart.md: the scenarios, as `##`/`###` headings or, when there are
//! none, as the items of top-level lists.

use super::markdown::{heading_key, Block, Document, Heading};
use super::Item;
use std::collections::HashSet;

/// Headings that hold scenarios without being one.
fn is_frame(heading: &Heading) -> bool {
    const FRAMES: [&str; 8] = [
        "scenarios",
        "test scenarios",
        "steps",
        "test steps",
        "validation steps",
        "usage",
        "quickstart",
        "quick start",
    ];
    FRAMES.contains(&heading_key(&heading.text).as_str())
}

/// Headings whose content is not a scenario (prerequisites, notes, ...).
fn is_aside(heading: &Heading) -> bool {
    const ASIDES: [&str; 11] = [
        "overview",
        "introduction",
        "purpose",
        "requirements",
        "troubleshooting",
        "references",
        "see also",
        "contents",
        "table of contents",
        "prerequisite",
        "note",
    ];
    let key = heading_key(&heading.text);
    ASIDES
        .iter()
        .any(|aside| key == *aside || key.starts_with(aside))
}

/// The scenarios in file order, markdown stripped.
pub fn parse_quickstart(text: &str) -> Vec<Item> {
    let doc = Document::parse(text);
    let headings = scenario_headings(&doc);
    if !headings.is_empty() {
        return headings;
    }
    doc.walk()
        .filter_map(|(enclosing, block)| match block {
            Block::Paragraph(paragraph)
                if paragraph
                    .list
                    .is_some_and(|place| place.depth == 1 && place.starts_item)
                    && !enclosing.iter().any(|h| is_aside(h)) =>
            {
                Some(Item {
                    text: paragraph.text(),
                    line: paragraph.line(),
                })
            }
            _ => None,
        })
        .collect()
}

/// Level-2 and level-3 headings that are neither frames nor asides nor inside
/// an aside; a level-2 heading with level-3 scenarios under it is a group.
fn scenario_headings(doc: &Document) -> Vec<Item> {
    let candidates: Vec<(Option<&Heading>, &Heading)> = doc
        .walk()
        .filter_map(|(enclosing, block)| match block {
            Block::Heading(heading)
                if matches!(heading.level, 2 | 3)
                    && !is_frame(heading)
                    && !is_aside(heading)
                    && !enclosing.iter().any(|h| is_aside(h)) =>
            {
                Some((enclosing.last().copied(), heading))
            }
            _ => None,
        })
        .collect();
    let group_lines: HashSet<usize> = candidates
        .iter()
        .filter_map(|(parent, _)| parent.map(|p| p.line))
        .collect();
    candidates
        .iter()
        .filter(|(_, heading)| !group_lines.contains(&heading.line))
        .map(|(_, heading)| Item {
            text: heading.text.clone(),
            line: heading.line,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenarios(text: &str) -> Vec<(String, usize)> {
        parse_quickstart(text)
            .into_iter()
            .map(|item| (item.text, item.line))
            .collect()
    }

    fn texts(text: &str) -> Vec<String> {
        scenarios(text).into_iter().map(|(text, _)| text).collect()
    }

    #[test]
    fn numbered_steps_with_code_spans() {
        let text = "# Quickstart: greeter containers\n\n1. Build: `docker build -f docker/api/Dockerfile -t greeter-api .`\n2. Run: `docker run -d greeter-api`\n3. Health: `docker inspect -f '{{.State.Health.Status}}' greeter` prints `healthy`\n   within 10 seconds.\n   - a nested detail\n";
        assert_eq!(
            scenarios(text),
            vec![
                ("Build: docker build -f docker/api/Dockerfile -t greeter-api .".into(), 3),
                ("Run: docker run -d greeter-api".into(), 4),
                (
                    "Health: docker inspect -f '{{.State.Health.Status}}' greeter prints healthy within 10 seconds."
                        .into(),
                    5
                ),
            ]
        );
    }

    #[test]
    fn scenario_headings_win_over_list_items() {
        let text = "# Quickstart\n## Prerequisites\n- docker\n## Scenarios\n### Scenario 1: **build** the image\n1. run\n### Scenario 2: start\n## Cleanup\n## Notes\n### Not a scenario\n";
        assert_eq!(
            scenarios(text),
            vec![
                ("Scenario 1: build the image".into(), 5),
                ("Scenario 2: start".into(), 7),
                ("Cleanup".into(), 8)
            ]
        );
    }

    #[test]
    fn a_second_level_heading_with_third_level_children_is_a_group() {
        let text = "# Q\n## Build and run\n### Build\n### Run\n## Stop\n";
        assert_eq!(texts(text), vec!["Build", "Run", "Stop"]);
    }

    #[test]
    fn list_items_outside_asides_when_there_are_no_scenario_headings() {
        let text = "# Quickstart\n## Prerequisites\n- docker 24+\n## Steps\n- Build\n\n  with cache\n- Run\n";
        assert_eq!(
            scenarios(text),
            vec![("Build".into(), 5), ("Run".into(), 8)]
        );
    }

    #[test]
    fn fenced_and_commented_steps_are_ignored() {
        let text = "# Q\n```\n1. fake\n## Fake\n```\n<!--\n- hidden\n-->\n* real\n";
        assert_eq!(texts(text), vec!["real"]);
    }

    #[test]
    fn prose_only_quickstart_has_no_scenarios() {
        assert!(scenarios("# Q\n\nJust run it.\n").is_empty());
    }
}
