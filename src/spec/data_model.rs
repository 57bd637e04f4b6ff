//! data-model.md: one item per entity, written either as a heading below the
//! document title or as a row of an entity table under an Entities heading.

use super::markdown::{heading_key, Block, Document, Heading, Table};
use super::Item;
use std::collections::HashSet;

/// Headings that group entities (their children are entities).
fn groups_entities(key: &str) -> bool {
    key.contains("entities")
        || key.contains("models")
        || matches!(key, "data model" | "domain model" | "entity definitions")
}

/// Headings about the model as a whole: neither they nor their children are entities.
fn describes_the_model(key: &str) -> bool {
    const PREFIXES: [&str; 14] = [
        "overview",
        "relationship",
        "validation",
        "state transition",
        "state machine",
        "lifecycle",
        "note",
        "constraint",
        "invariant",
        "index",
        "summary",
        "assumption",
        "open question",
        "migration",
    ];
    PREFIXES.iter().any(|prefix| key.starts_with(prefix))
}

/// The entities in file order, each named once.
pub fn parse_data_model(text: &str) -> Vec<Item> {
    let doc = Document::parse(text);
    let title = doc.headings().next().filter(|heading| heading.level == 1);
    let mut entities: Vec<Item> = Vec::new();
    let mut names = HashSet::new();
    let mut entity_lines = HashSet::new();
    for (enclosing, block) in doc.walk() {
        let found = match block {
            Block::Heading(heading) if !title.is_some_and(|t| std::ptr::eq(t, heading)) => {
                let is_entity = is_entity_heading(heading, &enclosing, &entity_lines);
                if is_entity {
                    entity_lines.insert(heading.line);
                }
                is_entity.then(|| {
                    vec![Item {
                        text: entity_name(&heading.text),
                        line: heading.line,
                    }]
                })
            }
            Block::Table(table)
                if enclosing
                    .last()
                    .is_some_and(|h| heading_key(&h.text).contains("entit")) =>
            {
                Some(entity_rows(table))
            }
            _ => None,
        };
        for item in found.into_iter().flatten() {
            if !item.text.is_empty() && names.insert(item.text.to_lowercase()) {
                entities.push(item);
            }
        }
    }
    entities
}

/// `entity_lines` holds the lines of the entity headings seen so far.
fn is_entity_heading(
    heading: &Heading,
    enclosing: &[&Heading],
    entity_lines: &HashSet<usize>,
) -> bool {
    let key = heading_key(&heading.text);
    let inside_entity = enclosing.iter().any(|h| entity_lines.contains(&h.line));
    let inside_description = enclosing
        .iter()
        .any(|h| describes_the_model(&heading_key(&h.text)));
    !groups_entities(&key) && !describes_the_model(&key) && !inside_entity && !inside_description
}

/// `Entity: User` and `User` both name `User`.
fn entity_name(text: &str) -> String {
    let lower = text.to_lowercase();
    for prefix in ["entity:", "entity -", "model:"] {
        if lower.starts_with(prefix) {
            return text
                .get(prefix.len()..)
                .unwrap_or_default()
                .trim()
                .to_owned();
        }
    }
    text.trim().to_owned()
}

/// The rows of a table whose first column is Entity or Name.
fn entity_rows(table: &Table) -> Vec<Item> {
    let first = table.header.first().map(|h| h.to_lowercase());
    if !matches!(first.as_deref(), Some("entity" | "name" | "entity name")) {
        return Vec::new();
    }
    table
        .rows
        .iter()
        .map(|row| Item {
            text: row.cell(0).trim().to_owned(),
            line: row.line,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entities(text: &str) -> Vec<(String, usize)> {
        parse_data_model(text)
            .into_iter()
            .map(|item| (item.text, item.line))
            .collect()
    }

    fn names(text: &str) -> Vec<String> {
        entities(text).into_iter().map(|(name, _)| name).collect()
    }

    #[test]
    fn container_style_entities_under_an_entities_heading() {
        let text = "# Data Model: Containerize the greeter services\n\n## Entities\n\n### Service\nA workspace binary.\n\n| Field | Type | Notes |\n|-------|------|-------|\n| name | string | `api` |\n\n### RuntimeConfig\n| Field | Type |\n|---|---|\n| GREETER_PORT | integer |\n\n### HealthProbe\n\n## Relationships\n- Service 1 → 1 RuntimeConfig\n";
        assert_eq!(
            entities(text),
            vec![
                ("Service".into(), 5),
                ("RuntimeConfig".into(), 12),
                ("HealthProbe".into(), 17)
            ]
        );
    }

    #[test]
    fn spec_kit_style_entities_are_second_level_headings() {
        let text = "# Data Model: Worker metrics\n\n## JobCounters\n- `processed: u64` — incremented\n\n## MetricsConfig\n- `port: u16`\n";
        assert_eq!(
            entities(text),
            vec![("JobCounters".into(), 3), ("MetricsConfig".into(), 6)]
        );
    }

    #[test]
    fn details_under_entities_and_descriptive_sections_are_not_entities() {
        let text = "# Data Model\n## Overview\n### Not an entity\n## Core Entities\n### Entity: User\n#### Fields\n#### Validation Rules\n### Order\n## Validation Rules\n### User rules\n## State Transitions\n## Relationships\n";
        assert_eq!(names(text), vec!["User", "Order"]);
    }

    #[test]
    fn entity_table_rows_under_an_entities_heading() {
        let text = "# Data Model\n\n## Entities\n\n| Entity | Description |\n|--------|-------------|\n| `Job` | a unit of work |\n| Queue | holds jobs |\n| | empty |\n\n### Job\n| Name | Type |\n|---|---|\n| id | u64 |\n";
        assert_eq!(entities(text), vec![("Job".into(), 7), ("Queue".into(), 8)]);
    }

    #[test]
    fn tables_with_other_first_columns_or_outside_entities_are_ignored() {
        let text = "# Data Model\n\n| Name | Type |\n|---|---|\n| id | u64 |\n\n## Entities\n\n| Field | Type |\n|---|---|\n| id | u64 |\n";
        assert!(entities(text).is_empty());
    }

    #[test]
    fn fenced_and_commented_headings_are_ignored() {
        let text = "# Data Model\n```\n## Fake\n```\n<!--\n## Hidden\n-->\n## Real\n";
        assert_eq!(names(text), vec!["Real"]);
    }

    #[test]
    fn no_title_means_every_heading_is_a_candidate() {
        assert_eq!(names("## A\n## B\n### B detail\n"), vec!["A", "B"]);
    }
}
