//! Readers of single field values: images, ports, user, sizes, durations,
//! package lists. Pure text in, value out; shared by every fact reader.

/// Builder and runtime images named in a text, e.g. "rust:1.95-slim-bookworm
/// (build), debian:bookworm-slim (runtime)" or "`rust:1.75-slim` to build and
/// `gcr.io/distroless/cc` at runtime". The text is cut into parts at `,`, `;`,
/// `+`, "and", "with", "then"; a part is the builder when it says so ("build",
/// "compile") or is a toolchain image (`rust`, `golang`), else the runtime.
pub fn base_images(text: &str) -> (Option<String>, Option<String>) {
    let mut builder = None;
    let mut runtime = None;
    for part in image_parts(text) {
        // A database or cache image named beside is a backing service, not a base.
        let base = |word: &&str| looks_like_image(word) && !super::code::is_backing_image(word);
        let Some(image) = words(&part).find(base) else {
            continue;
        };
        let slot = if is_builder_part(&part, image) {
            &mut builder
        } else {
            &mut runtime
        };
        slot.get_or_insert_with(|| image.to_string());
    }
    (builder, runtime)
}

fn image_parts(text: &str) -> Vec<String> {
    let mut text = format!(" {} ", text.replace('\n', " "));
    for joint in [" and ", " with ", " then ", " plus ", " on top of "] {
        text = text.replace(joint, ",");
    }
    text.split([',', ';', '+']).map(str::to_string).collect()
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || "`()[]\"'*".contains(c))
        .map(|w| w.trim_end_matches(['.', ':', ',']))
        .filter(|w| !w.is_empty())
}

/// Whether an image named in `part` is for the build stage.
pub fn is_builder_part(part: &str, image: &str) -> bool {
    let lower = part.to_ascii_lowercase();
    if lower.contains("runtime") || lower.contains("final") || lower.contains("run stage") {
        return false;
    }
    lower.contains("build") || lower.contains("compile") || is_toolchain_image(image)
}

/// Toolchain images that only a build stage uses.
pub fn is_toolchain_image(image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    [
        "rust",
        "golang",
        "maven",
        "gradle",
        "clux/muslrust",
        "messense/rust-musl-cross",
    ]
    .iter()
    .any(|tool| {
        name.strip_prefix(tool)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '@']))
    })
}

/// An image reference: `name:tag`, `name@sha256:…`, or a registry path
/// (`gcr.io/distroless/cc`); never a URL.
pub fn looks_like_image(word: &str) -> bool {
    let valid = |c: char| c.is_ascii_alphanumeric() || "._-/:@".contains(c);
    let registry = word
        .split_once('/')
        .is_some_and(|(host, rest)| host.contains('.') && !rest.is_empty() && !host.contains(':'));
    let tagged = word.split_once(':').is_some_and(|(name, tag)| {
        let host_and_port =
            name == "localhost" || (name.contains('.') && !name.contains('/') && is_digits(tag));
        !name.is_empty() && !tag.is_empty() && !host_and_port
    });
    (tagged || registry || word == "scratch")
        && !word.contains("://")
        && !word.ends_with(".md")
        && word.chars().all(valid)
        && word.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// The path of an HTTP health check in a clause (`HTTP GET /healthz`), `/`
/// when it says HTTP without a path, `None` for any other probe.
pub fn health_path(clause: &str) -> Option<String> {
    let path = clause
        .split(|c: char| c.is_whitespace() || c == '`')
        .find_map(|w| {
            let w = w.trim_end_matches([',', '.', ';', ')']);
            let path = match w.find("://") {
                Some(at) => w[at + 3..].find('/').map(|p| &w[at + 3 + p..])?,
                None => w,
            };
            (path.starts_with('/') && path.len() > 1 && !is_file_path(path))
                .then(|| path.to_string())
        });
    let http = path.is_some() || clause.to_ascii_lowercase().contains("http");
    http.then(|| path.unwrap_or_else(|| "/".to_string()))
}

/// Paths of the container's file system (`/dev/tcp`, `/usr/local/bin/x`), not URLs.
fn is_file_path(path: &str) -> bool {
    const ROOTS: [&str; 12] = [
        "dev", "usr", "bin", "sbin", "etc", "proc", "sys", "tmp", "var", "opt", "lib", "home",
    ];
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    ROOTS.contains(&first) || path.ends_with(".sh")
}

/// Megabytes of memory in "<512MB RAM", "1 GiB memory limit".
pub fn memory_mb(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    clauses(&lower.replace(',', ";"))
        .find(|clause| ["ram", "memory", "mem "].iter().any(|w| clause.contains(w)))
        .and_then(size_mb)
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

/// The user name in "Security Profile": a code span (`app`), else the word
/// after "user"/"username" when it is a valid name ("non-root user svc").
pub fn user_name(text: &str) -> Option<String> {
    let valid = |name: &str| {
        const NOT_NAMES: [&str; 7] = ["with", "and", "only", "account", "id", "uid", "namespace"];
        name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && !NOT_NAMES.contains(&name)
    };
    if let Some(span) = first_code_span(text) {
        return valid(&span).then_some(span);
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).find_map(|pair| {
        let [keyword, name] = pair else { return None };
        let keyword = keyword.to_ascii_lowercase();
        let is_keyword = keyword == "user" || keyword == "username";
        (is_keyword && valid(name)).then(|| name.to_string())
    })
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

pub(crate) fn first_code_span(text: &str) -> Option<String> {
    let start = text.find('`')? + 1;
    let len = text.get(start..)?.find('`')?;
    let span = text.get(start..start + len)?.trim();
    (!span.is_empty()).then(|| span.to_string())
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
pub(crate) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            base_images("PostgreSQL 15 from the official `postgres:15` image"),
            (None, None),
            "a backing service's image is no base image"
        );
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
        assert_eq!(user_name("non-root user svc (UID 1)"), Some("svc".into()));
        assert_eq!(user_name("non-root user (UID 10001)"), None);
        assert_eq!(user_name("user with UID 5"), None);
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
