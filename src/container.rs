//! What the scaffolded container files need to know, read out of the plan's
//! free-text fields: images, ports, user, health probe, goals, runtime
//! packages and environment-variable checks. Pure: text in, values out.

use serde::Serialize;

/// Template defaults when the plan names no goal.
pub const DEFAULT_IMAGE_SIZE_MB: u64 = 500;
pub const DEFAULT_STARTUP_SECONDS: u64 = 30;
pub const DEFAULT_UID: u32 = 10001;
pub const DEFAULT_RUNTIME_IMAGE: &str = "debian:bookworm-slim";
const DEFAULT_DEBIAN_RELEASE: &str = "bookworm";
const DEBIAN_RELEASES: [&str; 4] = ["bullseye", "bookworm", "trixie", "forky"];

/// How an environment variable's value is validated by the entrypoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    IntRange { min: i64, max: i64 },
    OneOf { values: Vec<String> },
    Prefix { value: String },
    Any,
}

/// An HTTP or process health probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Health {
    Http { path: String, port: u16 },
    Process,
}

impl Check {
    /// Reads a Validation cell: "integer 1-65535", "one of error, warn",
    /// "must start with `redis://`", "true or false"; anything else is `Any`.
    pub fn parse(text: &str) -> Check {
        let lower = text.to_ascii_lowercase();
        if let Some(at) = lower.find("one of") {
            let values = list_items(&text[at + "one of".len()..]);
            if !values.is_empty() {
                return Check::OneOf { values };
            }
        }
        if lower.contains("boolean") || lower.contains("true or false") {
            return Check::OneOf {
                values: vec!["true".into(), "false".into()],
            };
        }
        for keyword in [
            "start with",
            "starts with",
            "begin with",
            "begins with",
            "prefix",
        ] {
            if let Some(at) = lower.find(keyword) {
                let rest = &text[at + keyword.len()..];
                if let Some(value) = first_code_span(rest).or_else(|| first_word(rest)) {
                    return Check::Prefix { value };
                }
            }
        }
        let numeric = ["integer", "number", "numeric", "port", "int "]
            .iter()
            .any(|word| lower.contains(word));
        if numeric {
            return match integers(&lower).as_slice() {
                [min, max, ..] => Check::IntRange {
                    min: *min,
                    max: *max,
                },
                _ if lower.contains("port") => Check::IntRange { min: 1, max: 65535 },
                _ if lower.contains("positive") => Check::IntRange {
                    min: 1,
                    max: i64::from(i32::MAX),
                },
                _ => Check::IntRange {
                    min: 0,
                    max: i64::from(i32::MAX),
                },
            };
        }
        Check::Any
    }

    pub fn accepts(&self, value: &str) -> bool {
        match self {
            Check::IntRange { min, max } => value
                .parse::<i64>()
                .is_ok_and(|n| (*min..=*max).contains(&n)),
            Check::OneOf { values } => values.iter().any(|v| v == value),
            Check::Prefix { value: prefix } => value.starts_with(prefix.as_str()),
            Check::Any => true,
        }
    }

    /// A value the check accepts: `default` when it passes, else a made-up one.
    pub fn valid_sample(&self, default: Option<&str>) -> String {
        if let Some(default) = default.filter(|d| self.accepts(d)) {
            return default.to_string();
        }
        match self {
            Check::IntRange { min, .. } => min.to_string(),
            Check::OneOf { values } => values.first().cloned().unwrap_or_default(),
            Check::Prefix { value } => format!("{value}example"),
            Check::Any => "example".to_string(),
        }
    }

    /// A value the check rejects, `None` when it accepts everything.
    pub fn invalid_sample(&self) -> Option<String> {
        let candidates = ["not-a-number", "invalid-value", "x"];
        match self {
            Check::Any => None,
            _ => candidates
                .iter()
                .find(|c| !self.accepts(c))
                .map(|c| c.to_string()),
        }
    }
}

/// Builder and runtime images named in "Base Image Strategy", e.g.
/// "rust:1.95-slim-bookworm (build), debian:bookworm-slim (runtime)".
/// A part is the builder when it says so ("build") or is a `rust` image.
pub fn base_images(text: &str) -> (Option<String>, Option<String>) {
    let mut builder = None;
    let mut runtime = None;
    for part in text.split([',', ';', '+']) {
        let Some(image) = part
            .split(|c: char| c.is_whitespace() || c == '`')
            .find(|word| looks_like_image(word))
        else {
            continue;
        };
        let lower = part.to_ascii_lowercase();
        let is_builder = if lower.contains("runtime") || lower.contains("final") {
            false
        } else {
            lower.contains("build") || image.starts_with("rust")
        };
        let slot = if is_builder {
            &mut builder
        } else {
            &mut runtime
        };
        slot.get_or_insert_with(|| image.to_string());
    }
    (builder, runtime)
}

fn looks_like_image(word: &str) -> bool {
    let valid = |c: char| c.is_ascii_alphanumeric() || "._-/:@".contains(c);
    word.contains(':')
        && !word.contains("://")
        && word.chars().all(valid)
        && word.starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// The builder image when the plan names none: `rust:<M.m>-slim-<release>`
/// with the version from "Application Runtime" ("Rust 1.95") or the local
/// `rustc --version`, and the Debian release of the runtime image.
pub fn default_builder(
    runtime_version: Option<&str>,
    rustc: Option<&str>,
    runtime_image: &str,
) -> String {
    let version = runtime_version
        .and_then(minor_version)
        .or_else(|| rustc.and_then(minor_version))
        .unwrap_or_else(|| "1".to_string());
    let release = DEBIAN_RELEASES
        .iter()
        .find(|release| runtime_image.contains(*release))
        .unwrap_or(&DEFAULT_DEBIAN_RELEASE);
    format!("rust:{version}-slim-{release}")
}

/// "1.95" out of "Rust 1.95", "rustc 1.95.0 (abc 2026-01-01)" or "1.95.0".
fn minor_version(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find_map(|word| {
            let mut parts = word.split('.');
            let major = parts.next().filter(|p| is_digits(p))?;
            let minor = parts.next().filter(|p| is_digits(p))?;
            Some(format!("{major}.{minor}"))
        })
}

/// Ports in one clause: `8080/tcp`, `9000/udp`, or a number after "port",
/// "ports", "expose(s)", "listen(s) on".
pub fn ports(clause: &str) -> Vec<u16> {
    let words: Vec<String> = clause
        .split(|c: char| c.is_whitespace() || ",()`;".contains(c))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches(['.', ':']).to_ascii_lowercase())
        .collect();
    let keywords = [
        "port", "ports", "expose", "exposes", "exposing", "on", "listens", "listen",
    ];
    let mut found = Vec::new();
    // True right after a keyword or a port, so "ports 8080, 9090 and 9091" reads all three.
    let mut in_list = false;
    for word in &words {
        let (number, protocol) = match word.split_once('/') {
            Some((n, p)) => (n, Some(p)),
            None => (word.trim_start_matches(':'), None),
        };
        let tagged = matches!(protocol, Some("tcp" | "udp"));
        let port = number.parse::<u16>().ok().filter(|p| *p > 0);
        match port {
            Some(port) if tagged || (in_list && protocol.is_none()) => {
                if !found.contains(&port) {
                    found.push(port);
                }
                in_list = true;
            }
            _ => in_list = keywords.contains(&word.as_str()) || (in_list && word == "and"),
        }
    }
    found
}

/// The probe one "Health Monitoring" clause asks for; `None` for "none".
/// An HTTP probe needs a port: the clause's own, else `default_port`; with
/// neither it degrades to a process probe.
pub fn health(clause: &str, default_port: Option<u16>) -> Option<Health> {
    let lower = clause.to_ascii_lowercase();
    if lower.trim() == "none" || lower.contains("no health") || lower.trim().is_empty() {
        return None;
    }
    let path = clause
        .split(|c: char| c.is_whitespace() || c == '`')
        .find(|w| w.starts_with('/') && w.len() > 1)
        .map(|w| w.trim_end_matches([',', '.', ';', ')']).to_string());
    let http = path.is_some() || lower.contains("http");
    let port = ports(clause).first().copied().or(default_port);
    match (http, port) {
        (true, Some(port)) => Some(Health::Http {
            path: path.unwrap_or_else(|| "/".to_string()),
            port,
        }),
        _ => Some(Health::Process),
    }
}

/// The numeric UID and GID in "Security Profile" ("non-root user (UID 10001)",
/// "uid=10001 gid=10001", "10001:10001"); GID defaults to the UID.
pub fn user_ids(text: &str) -> (Option<u32>, Option<u32>) {
    let lower = text.to_ascii_lowercase();
    let pair = lower.split_whitespace().find_map(|word| {
        let (uid, gid) = word
            .trim_matches(|c: char| !c.is_ascii_digit())
            .split_once(':')?;
        Some((uid.parse().ok()?, gid.parse().ok()?))
    });
    let uid = number_after(&lower, "uid").or(pair.map(|(u, _)| u));
    let gid = number_after(&lower, "gid").or(pair.map(|(_, g)| g)).or(uid);
    (uid, gid)
}

/// The user name written as a code span in "Security Profile" (`app`).
pub fn user_name(text: &str) -> Option<String> {
    let name = first_code_span(text)?;
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    valid.then_some(name)
}

/// Megabytes in "Image Size Goals" ("<100MB", "under 1 GB"), rounded up.
pub fn size_mb(text: &str) -> Option<u64> {
    let (number, unit) = number_and_unit(text)?;
    let factor = match unit.as_str() {
        "gb" | "g" | "gib" => 1024.0,
        "kb" | "k" | "kib" => 1.0 / 1024.0,
        _ => 1.0,
    };
    Some((number * factor).ceil().max(1.0) as u64)
}

/// Seconds in "Startup Performance" ("<10s to healthy", "500ms", "2 min"), rounded up.
pub fn seconds(text: &str) -> Option<u64> {
    let (number, unit) = number_and_unit(text)?;
    let factor = match unit.as_str() {
        "ms" | "millisecond" | "milliseconds" => 0.001,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        _ => 1.0,
    };
    Some((number * factor).ceil().max(1.0) as u64)
}

/// Debian package names in "Primary Dependencies" of a container plan:
/// comma-separated names, skipping groups about crates ("(workspace crates)"),
/// parenthesised remarks and names in `exclude` (the workspace's packages).
pub fn debian_packages(text: &str, exclude: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for group in text.split(';') {
        if group.to_ascii_lowercase().contains("crate") {
            continue;
        }
        for item in without_parentheses(group).split(',') {
            let name = item.trim().trim_matches('`');
            let debian_like = name.len() > 1
                && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
            if debian_like && !exclude.contains(&name) && !found.iter().any(|f| f == name) {
                found.push(name.to_string());
            }
        }
    }
    found
}

/// Clauses of a field value, split on `;` and line breaks.
pub fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.split([';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// Whether `word` names `full`: equal, or `full` is `word` with a `-`/`_`
/// separated prefix or suffix (`api` names `greeter-api`).
pub fn names_match(word: &str, full: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    if word == full {
        return true;
    }
    let separated = |rest: Option<&str>, at_end: bool| {
        rest.is_some_and(|r| {
            let sep = if at_end {
                r.chars().last()
            } else {
                r.chars().next()
            };
            matches!(sep, Some('-' | '_'))
        })
    };
    separated(full.strip_suffix(word), true) || separated(full.strip_prefix(word), false)
}

fn without_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .filter(|c| match c {
            '(' => {
                depth += 1;
                false
            }
            ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect()
}

/// Items of "a, b, c or d" / "a | b": code spans and quotes stripped.
fn list_items(text: &str) -> Vec<String> {
    text.replace(" or ", ",")
        .replace(" and ", ",")
        .split([',', '|', '/'])
        .map(|item| {
            item.trim()
                .trim_matches(|c: char| c == '`' || c == '"' || c == '\'' || c == '.')
                .trim()
                .to_string()
        })
        .filter(|item| !item.is_empty() && !item.contains(char::is_whitespace))
        .collect()
}

fn first_code_span(text: &str) -> Option<String> {
    let start = text.find('`')? + 1;
    let len = text.get(start..)?.find('`')?;
    let span = text.get(start..start + len)?.trim();
    (!span.is_empty()).then(|| span.to_string())
}

fn first_word(text: &str) -> Option<String> {
    text.split_whitespace()
        .next()
        .map(|w| w.trim_matches(|c: char| c == '"' || c == '\'' || c == '.' || c == ','))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
}

/// Non-negative integers in order ("1-65535" → [1, 65535]).
fn integers(text: &str) -> Vec<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect()
}

fn number_after(lower: &str, keyword: &str) -> Option<u32> {
    lower.match_indices(keyword).find_map(|(at, _)| {
        let before_ok = lower[..at]
            .chars()
            .last()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let rest = lower[at + keyword.len()..].trim_start_matches([' ', '=', ':']);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if before_ok {
            digits.parse().ok()
        } else {
            None
        }
    })
}

/// The first number in `text` and the letters right after it (lowercased).
fn number_and_unit(text: &str) -> Option<(f64, String)> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let number_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let number: f64 = rest[..number_len].parse().ok()?;
    let unit: String = rest[number_len..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    Some((number, unit.to_ascii_lowercase()))
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_from_validation_text() {
        assert_eq!(
            Check::parse("integer 1-65535"),
            Check::IntRange { min: 1, max: 65535 }
        );
        assert_eq!(
            Check::parse("port number"),
            Check::IntRange { min: 1, max: 65535 }
        );
        assert_eq!(
            Check::parse("one of error, warn, info, debug"),
            Check::OneOf {
                values: vec!["error".into(), "warn".into(), "info".into(), "debug".into()]
            }
        );
        assert_eq!(
            Check::parse("one of `json` or `text`"),
            Check::OneOf {
                values: vec!["json".into(), "text".into()]
            }
        );
        assert_eq!(
            Check::parse("must start with `redis://`"),
            Check::Prefix {
                value: "redis://".into()
            }
        );
        assert_eq!(
            Check::parse("boolean"),
            Check::OneOf {
                values: vec!["true".into(), "false".into()]
            }
        );
        assert_eq!(Check::parse("free text"), Check::Any);
        assert_eq!(Check::parse(""), Check::Any);
    }

    #[test]
    fn samples_pass_and_fail_their_check() {
        let port = Check::parse("integer 1-65535");
        assert_eq!(port.valid_sample(Some("8080")), "8080");
        assert_eq!(port.valid_sample(Some("99999")), "1");
        assert_eq!(port.invalid_sample().as_deref(), Some("not-a-number"));
        let url = Check::parse("must start with `redis://`");
        assert_eq!(url.valid_sample(None), "redis://example");
        assert_eq!(url.invalid_sample().as_deref(), Some("not-a-number"));
        let level = Check::parse("one of not-a-number, info");
        assert_eq!(level.invalid_sample().as_deref(), Some("invalid-value"));
        assert_eq!(Check::Any.invalid_sample(), None);
        assert_eq!(Check::Any.valid_sample(None), "example");
        for check in [port, url, level] {
            assert!(check.accepts(&check.valid_sample(None)));
            assert!(!check.accepts(&check.invalid_sample().unwrap()));
        }
    }

    #[test]
    fn base_images_by_role_or_name() {
        assert_eq!(
            base_images("rust:1.95-slim-bookworm (build), debian:bookworm-slim (runtime)"),
            (
                Some("rust:1.95-slim-bookworm".into()),
                Some("debian:bookworm-slim".into())
            )
        );
        assert_eq!(
            base_images("`debian:trixie-slim` for runtime"),
            (None, Some("debian:trixie-slim".into()))
        );
        assert_eq!(
            base_images("official Rust image, slim Debian runtime"),
            (None, None)
        );
    }

    #[test]
    fn default_builder_follows_runtime_version_then_rustc() {
        assert_eq!(
            default_builder(
                Some("Rust 1.95"),
                Some("rustc 1.91.1 (x)"),
                DEFAULT_RUNTIME_IMAGE
            ),
            "rust:1.95-slim-bookworm"
        );
        assert_eq!(
            default_builder(
                Some("Rust (stable)"),
                Some("rustc 1.91.1 (ed61e7d7e 2025-11-07)"),
                "debian:trixie-slim"
            ),
            "rust:1.91-slim-trixie"
        );
        assert_eq!(default_builder(None, None, "x"), "rust:1-slim-bookworm");
    }

    #[test]
    fn ports_from_network_clauses() {
        assert_eq!(ports("api exposes 8080/tcp"), [8080]);
        assert_eq!(ports("worker internal only"), Vec::<u16>::new());
        assert_eq!(ports("listens on port 3000 and 9090/udp"), [3000, 9090]);
        assert_eq!(ports("ports 8080, 9090 and 9091"), [8080, 9090, 9091]);
        assert_eq!(ports("2 replicas and 3 zones"), Vec::<u16>::new());
        assert_eq!(ports("<128MB RAM, 2 replicas"), Vec::<u16>::new());
        assert_eq!(ports("port 70000"), Vec::<u16>::new());
    }

    #[test]
    fn health_probes() {
        assert_eq!(
            health("HTTP GET /healthz on the api", Some(8080)),
            Some(Health::Http {
                path: "/healthz".into(),
                port: 8080
            })
        );
        assert_eq!(health("HTTP GET /healthz", None), Some(Health::Process));
        assert_eq!(
            health("process liveness for the worker", Some(1)),
            Some(Health::Process)
        );
        assert_eq!(health("none", Some(1)), None);
        assert_eq!(
            health("`GET /ready` on port 9000", None),
            Some(Health::Http {
                path: "/ready".into(),
                port: 9000
            })
        );
    }

    #[test]
    fn user_ids_and_name() {
        assert_eq!(
            user_ids("non-root user (UID 10001)"),
            (Some(10001), Some(10001))
        );
        assert_eq!(user_ids("uid=1000 gid=2000"), (Some(1000), Some(2000)));
        assert_eq!(user_ids("runs as 1234:5678"), (Some(1234), Some(5678)));
        assert_eq!(user_ids("non-root, no capabilities"), (None, None));
        assert_eq!(user_ids("fluid 5"), (None, None));
        assert_eq!(user_name("user `svc` (UID 10001)"), Some("svc".into()));
        assert_eq!(user_name("user `Bad Name`"), None);
        assert_eq!(user_name("non-root user"), None);
    }

    #[test]
    fn goals() {
        assert_eq!(size_mb("<100MB"), Some(100));
        assert_eq!(size_mb("under 1 GB"), Some(1024));
        assert_eq!(size_mb("small"), None);
        assert_eq!(seconds("<10s to healthy"), Some(10));
        assert_eq!(seconds("500ms"), Some(1));
        assert_eq!(seconds("2 min"), Some(120));
        assert_eq!(seconds("fast"), None);
    }

    #[test]
    fn debian_packages_skip_crates_and_remarks() {
        let text =
            "greeter-core, greeter-api, greeter-worker (workspace crates); ca-certificates, tini";
        assert_eq!(debian_packages(text, &[]), ["ca-certificates", "tini"]);
        assert_eq!(
            debian_packages(
                "ca-certificates, hello-svc (the service), libssl3",
                &["hello-svc"]
            ),
            ["ca-certificates", "libssl3"]
        );
        assert!(debian_packages("std only; no new crates", &[]).is_empty());
    }

    #[test]
    fn name_matching() {
        assert!(names_match("api", "greeter-api"));
        assert!(names_match("api", "api_server"));
        assert!(names_match("api", "api"));
        assert!(!names_match("api", "rapid"));
        assert!(!names_match("api", "greeterapi"));
        assert!(!names_match("", "x"));
    }

    #[test]
    fn clauses_split_on_semicolons() {
        let text = "HTTP GET /healthz on the api; process liveness for the worker";
        assert_eq!(
            clauses(text).collect::<Vec<_>>(),
            [
                "HTTP GET /healthz on the api",
                "process liveness for the worker"
            ]
        );
    }
}
