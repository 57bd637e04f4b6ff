//! configuration.md: environment variables from tables (Variable/Name column,
//! optional Default, Validation and Used by columns) or from bullets that start
//! with a code span naming the variable. Also reads variable names out of the
//! plan's "Configuration Method" field.

use super::markdown::{Block, Document, Field, Paragraph, Row, Style, Table};
use super::{Issue, Plan};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub default: Option<String>,
    pub validation: Option<String>,
    pub used_by: Vec<String>,
    pub line: usize,
}

impl EnvVar {
    fn named(name: &str, line: usize) -> EnvVar {
        EnvVar {
            name: name.to_owned(),
            default: None,
            validation: None,
            used_by: Vec::new(),
            line,
        }
    }
}

/// The variables in file order, each once, and the rows that could not be read.
pub fn parse_configuration(text: &str) -> (Vec<EnvVar>, Vec<Issue>) {
    let doc = Document::parse(text);
    let mut vars: Vec<EnvVar> = Vec::new();
    let mut first_lines = HashMap::new();
    let mut issues = Vec::new();
    for block in &doc.blocks {
        let found = match block {
            Block::Table(table) => table_vars(table, &mut issues),
            Block::Paragraph(paragraph) => bullet_var(paragraph).into_iter().collect(),
            _ => Vec::new(),
        };
        for var in found {
            match first_lines.get(&var.name) {
                Some(first) => issues.push(Issue {
                    line: var.line,
                    message: format!("{} is listed twice (first on line {first})", var.name),
                }),
                None => {
                    first_lines.insert(var.name.clone(), var.line);
                    vars.push(var);
                }
            }
        }
    }
    (vars, issues)
}

/// `env` followed by the variables the plan's Configuration Method field names
/// that `env` does not list yet.
pub fn with_plan_env_vars(mut env: Vec<EnvVar>, plan: &Plan) -> Vec<EnvVar> {
    let Some(method) = plan.field("Configuration Method") else {
        return env;
    };
    for var in env_vars_named_in(method) {
        if !env.iter().any(|known| known.name == var.name) {
            env.push(var);
        }
    }
    env
}

/// Upper-case names with an underscore (`GREETER_PORT`) named in a plan field
/// such as `**Configuration Method**: env vars (GREETER_PORT, GREETER_LOG_LEVEL)`.
pub fn env_vars_named_in(field: &Field) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = Vec::new();
    let mut seen = HashSet::new();
    let words = field
        .value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for word in words {
        let shouty = word.contains('_')
            && is_env_name(word)
            && !word.chars().any(|c| c.is_ascii_lowercase());
        if shouty && seen.insert(word) {
            vars.push(EnvVar::named(word, field.line));
        }
    }
    vars
}

pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

struct Columns {
    name: usize,
    default: Option<usize>,
    validation: Option<usize>,
    used_by: Option<usize>,
}

impl Columns {
    fn of(table: &Table) -> Option<Columns> {
        Some(Columns {
            name: table.column(|h| {
                matches!(
                    h,
                    "variable" | "name" | "env" | "env var" | "environment variable"
                )
            })?,
            default: table.column(|h| h.starts_with("default")),
            validation: table.column(|h| h.starts_with("validation") || h.starts_with("allowed")),
            used_by: table.column(|h| matches!(h, "used by" | "services" | "consumers")),
        })
    }
}

fn table_vars(table: &Table, issues: &mut Vec<Issue>) -> Vec<EnvVar> {
    let Some(columns) = Columns::of(table) else {
        return Vec::new();
    };
    let mut vars = Vec::new();
    for row in &table.rows {
        let name = row.cell(columns.name).trim();
        if is_env_name(name) {
            vars.push(row_var(row, name, &columns));
        } else {
            let message = if name.is_empty() {
                "the row names no variable".to_owned()
            } else {
                format!("`{name}` is not an environment variable name")
            };
            issues.push(Issue {
                line: row.line,
                message,
            });
        }
    }
    vars
}

fn row_var(row: &Row, name: &str, columns: &Columns) -> EnvVar {
    let cell = |column: Option<usize>| column.map(|index| row.cell(index).trim()).unwrap_or("");
    let default = cell(columns.default);
    let validation = cell(columns.validation);
    EnvVar {
        name: name.to_owned(),
        default: (!matches!(default, "" | "-" | "—" | "–" | "(none)")).then(|| default.to_owned()),
        validation: (!validation.is_empty()).then(|| validation.to_owned()),
        used_by: cell(columns.used_by)
            .split(',')
            .map(str::trim)
            .filter(|user| !user.is_empty())
            .map(str::to_owned)
            .collect(),
        line: row.line,
    }
}

/// A list item that starts with a code span naming a variable:
/// ``- `GREETER_PORT` (default `8080`): port to listen on``.
fn bullet_var(paragraph: &Paragraph) -> Option<EnvVar> {
    if !paragraph.list?.starts_item {
        return None;
    }
    let line = paragraph.lines.first()?;
    let first = line
        .spans
        .first()
        .filter(|span| span.style == Style::Code)?;
    let name = first.text.trim();
    if !is_env_name(name) {
        return None;
    }
    let mut var = EnvVar::named(name, line.line);
    var.default = line.spans.windows(2).find_map(|pair| match pair {
        [before, code] if code.style == Style::Code && mentions_default(&before.text) => {
            Some(code.text.trim().to_owned())
        }
        _ => None,
    });
    Some(var)
}

fn mentions_default(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches([':', '='])
        .trim_end()
        .to_lowercase()
        .ends_with("default")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GREETER: &str = "# Configuration: greeter containers\n\n| Variable | Default | Validation | Used by |\n|----------|---------|------------|---------|\n| `GREETER_PORT` | `8080` | integer 1-65535 | api |\n| `GREETER_LOG_LEVEL` | `info` | one of error, warn, info, debug | api, worker |\n| `GREETER_QUEUE_URL` | (none) | must start with `redis://` | worker |\n\nVolumes: none.\n";

    #[test]
    fn greeter_table() {
        let (vars, issues) = parse_configuration(GREETER);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(
            vars,
            vec![
                EnvVar {
                    name: "GREETER_PORT".into(),
                    default: Some("8080".into()),
                    validation: Some("integer 1-65535".into()),
                    used_by: vec!["api".into()],
                    line: 5
                },
                EnvVar {
                    name: "GREETER_LOG_LEVEL".into(),
                    default: Some("info".into()),
                    validation: Some("one of error, warn, info, debug".into()),
                    used_by: vec!["api".into(), "worker".into()],
                    line: 6
                },
                EnvVar {
                    name: "GREETER_QUEUE_URL".into(),
                    default: None,
                    validation: Some("must start with redis://".into()),
                    used_by: vec!["worker".into()],
                    line: 7
                },
            ]
        );
    }

    #[test]
    fn name_column_only_and_empty_defaults() {
        let text = "| Name | Default |\n|---|---|\n| A_B | - |\n| C |  |\n| D | — |\n";
        let (vars, issues) = parse_configuration(text);
        assert!(issues.is_empty());
        let read: Vec<_> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.default.clone(), v.validation.clone()))
            .collect();
        assert_eq!(
            read,
            vec![("A_B", None, None), ("C", None, None), ("D", None, None)]
        );
    }

    #[test]
    fn malformed_rows_become_issues_and_duplicates_are_reported() {
        let text = "| Variable | Default |\n|---|---|\n| `GREETER PORT` | 1 |\n|  |\n| X | 1 |\n| X | 2 |\n";
        let (vars, issues) = parse_configuration(text);
        assert_eq!(
            vars.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
            vec!["X"]
        );
        assert_eq!(vars[0].default.as_deref(), Some("1"));
        let issues: Vec<_> = issues
            .iter()
            .map(|i| (i.line, i.message.as_str()))
            .collect();
        assert_eq!(
            issues,
            vec![
                (3, "`GREETER PORT` is not an environment variable name"),
                (4, "the row names no variable"),
                (6, "X is listed twice (first on line 5)"),
            ]
        );
    }

    #[test]
    fn tables_without_a_name_column_are_not_configuration() {
        let (vars, issues) = parse_configuration("| Port | Proto |\n|---|---|\n| 8080 | tcp |\n");
        assert!(vars.is_empty() && issues.is_empty());
    }

    #[test]
    fn bullets_starting_with_a_code_span() {
        let text = "# Config\n- `GREETER_PORT` (default `8080`): the port\n- `GREETER_MODE` — default: `fast`\n- `not a name` here\n- plain `X_Y` later\n\n```\n- `FAKE_VAR`\n```\n";
        let (vars, _) = parse_configuration(text);
        let read: Vec<_> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.default.as_deref(), v.line))
            .collect();
        assert_eq!(
            read,
            vec![
                ("GREETER_PORT", Some("8080"), 2),
                ("GREETER_MODE", Some("fast"), 3)
            ]
        );
    }

    #[test]
    fn plan_variables_are_appended_when_configuration_lacks_them() {
        let plan = crate::spec::plan::parse_plan(
            "# P\n## Technical Context\n**Configuration Method**: env vars (A_ONE, B_TWO)\n",
        )
        .expect("plan parses");
        let (env, _) = parse_configuration("| Variable | Default |\n|---|---|\n| B_TWO | 2 |\n");
        let merged = with_plan_env_vars(env, &plan);
        let read: Vec<_> = merged
            .iter()
            .map(|v| (v.name.as_str(), v.default.as_deref(), v.line))
            .collect();
        assert_eq!(read, vec![("B_TWO", Some("2"), 3), ("A_ONE", None, 3)]);
    }

    #[test]
    fn names_in_the_configuration_method_field() {
        let field = Field {
            name: "Configuration Method".into(),
            value: "env vars (GREETER_PORT, GREETER_LOG_LEVEL, GREETER_PORT), YAML file, Http_Mode"
                .into(),
            line: 12,
        };
        let vars = env_vars_named_in(&field);
        let read: Vec<_> = vars.iter().map(|v| (v.name.as_str(), v.line)).collect();
        assert_eq!(read, vec![("GREETER_PORT", 12), ("GREETER_LOG_LEVEL", 12)]);
    }
}
