//! Environment variables written in Markdown: tables with a variable column,
//! `- **VAR**: text (default: x)` bullets and top-level `` - `VAR`: `` bullets.
//! (Commands and snippets are `code`'s.) Only UPPER_SNAKE names count.

use super::collect::{warning, Collector};
use super::{EnvVar, Source};
use crate::container::Check;
use crate::spec::markdown::{Block, Document, Paragraph, Row, Style, Table};
use crate::spec::CONFIGURATION;

pub fn read(file: &str, doc: &Document, out: &mut Collector) {
    if file.starts_with("contracts/") {
        return;
    }
    let mut seen: Vec<(String, usize)> = Vec::new();
    for block in &doc.blocks {
        let found = match block {
            Block::Table(table) => table_vars(file, table, out),
            Block::Paragraph(paragraph) => bullet_var(file, paragraph).into_iter().collect(),
            _ => Vec::new(),
        };
        for var in found {
            if file == CONFIGURATION {
                if let Some((_, first)) = seen.iter().find(|(name, _)| *name == var.name) {
                    let message = format!("{} is listed twice (first on line {first})", var.name);
                    out.warnings.push(warning(&var.source, message));
                    continue;
                }
            }
            seen.push((var.name.clone(), var.source.line));
            out.env.push(var);
        }
    }
}

/// An environment variable name as teams write them: UPPER_SNAKE.
pub fn is_env_name(name: &str) -> bool {
    const NOT_VARIABLES: [&str; 9] = [
        "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TODO", "NOTE",
    ];
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && name.len() > 1
        && !NOT_VARIABLES.contains(&name)
}

/// Names that hold secrets: never defaulted, never echoed, always required.
pub fn is_secret_name(name: &str) -> bool {
    const SECRET: [&str; 7] = [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "KEY",
        "CREDENTIALS",
        "PRIVATE_KEY",
    ];
    let last = name.rsplit('_').next().unwrap_or(name);
    SECRET.contains(&last) || SECRET.contains(&name)
}

/// A variable named once, with nothing else known.
pub fn named(name: &str, source: Source) -> EnvVar {
    EnvVar {
        name: name.to_string(),
        default: None,
        constraint: None,
        required: false,
        secret: is_secret_name(name),
        services: Vec::new(),
        source,
    }
}

/// UPPER_SNAKE names with an underscore in free text (a plan's
/// "Configuration Method: env vars (GREETER_PORT, GREETER_LOG_LEVEL)").
pub fn mentioned_vars(text: &str, at: &Source) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.contains('_') && is_env_name(word) && !vars.iter().any(|v| v.name == word) {
            vars.push(named(word, at.clone()));
        }
    }
    vars
}

struct Columns {
    name: usize,
    default: Option<usize>,
    constraint: Option<usize>,
    services: Option<usize>,
    required: Option<usize>,
    secret: Option<usize>,
    description: Option<usize>,
}

impl Columns {
    fn of(table: &Table) -> Option<Columns> {
        let name = table.column(|h| {
            matches!(
                h,
                "variable"
                    | "variables"
                    | "name"
                    | "env"
                    | "env var"
                    | "env variable"
                    | "environment variable"
                    | "variable name"
                    | "var"
                    | "key"
                    | "setting"
            )
        })?;
        Some(Columns {
            name,
            default: table.column(|h| h.starts_with("default")),
            constraint: table.column(|h| {
                h.starts_with("validation")
                    || h.starts_with("allowed")
                    || h.starts_with("constraint")
                    || h == "format"
                    || h == "valid values"
            }),
            services: table.column(|h| {
                matches!(
                    h,
                    "used by" | "services" | "service" | "consumers" | "container"
                )
            }),
            required: table.column(|h| h.starts_with("required")),
            secret: table.column(|h| h == "secret" || h == "sensitive"),
            description: table.column(|h| {
                h.starts_with("description") || matches!(h, "purpose" | "meaning" | "notes")
            }),
        })
    }
}

fn table_vars(file: &str, table: &Table, out: &mut Collector) -> Vec<EnvVar> {
    let Some(columns) = Columns::of(table) else {
        return Vec::new();
    };
    let mut vars = Vec::new();
    for row in &table.rows {
        let name = row.cell(columns.name).trim().trim_start_matches('$');
        if is_env_name(name) {
            vars.push(row_var(file, row, name, &columns));
        } else if file == CONFIGURATION {
            let message = if name.is_empty() {
                "the row names no variable".to_owned()
            } else {
                format!("`{name}` is not an environment variable name")
            };
            out.warnings
                .push(warning(&Source::new(file, row.line), message));
        }
    }
    vars
}

fn row_var(file: &str, row: &Row, name: &str, columns: &Columns) -> EnvVar {
    let cell = |column: Option<usize>| column.map(|index| row.cell(index).trim()).unwrap_or("");
    let yes = |text: &str| {
        let text = text.to_ascii_lowercase();
        ["yes", "true", "required", "✓", "✔", "x", "y"].contains(&text.as_str())
            || text.starts_with("yes")
    };
    let default = Some(cell(columns.default)).filter(|d| !is_empty_value(d));
    let constraint = Some(cell(columns.constraint))
        .filter(|c| !is_empty_value(c))
        .or_else(|| Check::stated_in(cell(columns.description)));
    let services: Vec<String> = cell(columns.services)
        .split([',', '/'])
        .map(str::trim)
        .filter(|user| !is_empty_value(user) && !user.eq_ignore_ascii_case("all"))
        .map(str::to_owned)
        .collect();
    let description = cell(columns.description).to_ascii_lowercase();
    let secret = is_secret_name(name)
        || yes(cell(columns.secret))
        || description.contains("secret")
        || description.contains("sensitive");
    // A row with a Required column says so; otherwise a row of a table that
    // states defaults, constraints or owners and gives no default is required.
    let required = match columns.required {
        Some(_) => yes(cell(columns.required)),
        None => {
            default.is_none()
                && (columns.constraint.is_some() || columns.services.is_some())
                && columns.default.is_some()
        }
    };
    EnvVar {
        name: name.to_owned(),
        default: default.map(str::to_owned),
        constraint: constraint.map(str::to_owned),
        required: required || secret,
        secret,
        services,
        source: Source::new(file, row.line),
    }
}

fn is_empty_value(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "" | "-" | "—" | "–" | "(none)" | "none" | "n/a" | "(required)" | "required" | "—none—"
    )
}

/// A top-level list item whose first span (strong or code) names a variable:
/// `- **LOG_LEVEL**: verbosity (default: info)`, ``- `PORT` (default `8080`)``.
fn bullet_var(file: &str, paragraph: &Paragraph) -> Option<EnvVar> {
    let place = paragraph.list?;
    if !place.starts_item || place.depth != 1 {
        return None;
    }
    let line = paragraph.lines.first()?;
    let first = line
        .spans
        .iter()
        .find(|span| !span.text.trim().is_empty())
        .filter(|span| matches!(span.style, Style::Code | Style::Strong))?;
    let name = first
        .text
        .trim()
        .trim_end_matches(':')
        .trim()
        .trim_start_matches('$');
    let name = name.trim_matches('`');
    if !is_env_name(name) {
        return None;
    }
    let rest: String = paragraph.text();
    let rest = rest
        .get(rest.find(name).map_or(0, |at| at + name.len())..)
        .unwrap_or("");
    let mut var = named(name, Source::new(file, line.line));
    var.default = default_in(line, rest);
    var.constraint = Check::stated_in(rest).map(str::to_owned);
    let lower = rest.to_ascii_lowercase();
    var.required = lower.contains("required") && !lower.contains("not required")
        || lower.contains("(required")
        || var.secret;
    var.secret |= lower.contains("secret") && !lower.contains("not secret");
    if var.secret {
        var.required = true;
        var.default = None;
    }
    if lower.contains("optional") {
        var.required = var.secret;
    }
    Some(var)
}

/// "(default: x)", "default `x`", "defaults to x", "Default: `x`".
fn default_in(line: &crate::spec::markdown::TextLine, rest: &str) -> Option<String> {
    let coded = line.spans.windows(2).find_map(|pair| match pair {
        [before, code] if code.style == Style::Code && mentions_default(&before.text) => {
            Some(code.text.trim().to_owned())
        }
        _ => None,
    });
    coded.or_else(|| {
        let lower = rest.to_ascii_lowercase();
        let at = lower.find("default")?;
        let after = rest[at + "default".len()..]
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .trim_start_matches([':', '=', ' '])
            .trim_start_matches("to ")
            .trim_start_matches("is ");
        let value: String = after
            .chars()
            .take_while(|c| !matches!(c, ')' | ',' | ';') && !c.is_whitespace())
            .collect();
        let value = value.trim_end_matches('.').trim_matches(['`', '"', '\'']);
        (!value.is_empty() && !is_empty_value(value)).then(|| value.to_string())
    })
}

fn mentions_default(text: &str) -> bool {
    let text = text
        .trim_end()
        .trim_end_matches([':', '=', '(', ' '])
        .trim_end()
        .to_lowercase();
    text.ends_with("default") || text.ends_with("defaults to") || text.ends_with("default is")
}
