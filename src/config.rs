//! `[workspace.metadata.tasks]` and `[package.metadata.tasks]` in the root
//! manifest. Package keys override workspace keys.

use crate::docker::Builder;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml_edit::{DocumentMut, Item};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitStyle {
    /// `T004: Description`
    #[default]
    Plain,
    /// `<type>(tasks): T004 Description`
    Conventional,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Directory of template overrides, absolute.
    pub templates: Option<PathBuf>,
    pub commit_style: CommitStyle,
    /// Tests before implementation (the template's default is implementation first).
    pub tdd: bool,
    /// Where feature directories live, relative to the workspace root.
    pub specs_dir: String,
    /// The builder scaffolded Dockerfiles are written for (`docker-builder`).
    pub docker_builder: Builder,
    /// `done --verify`'s commands per path pattern, in the order written.
    pub verify: Vec<VerifyRule>,
    /// How long one `done --verify` check may run (`verify-timeout`).
    pub verify_timeout: Duration,
}

/// A check that runs longer than this is stopped: long enough for a test
/// suite or a Docker test, short enough that a hanging one is noticed.
pub const DEFAULT_VERIFY_TIMEOUT: Duration = Duration::from_secs(600);

/// `"crates/**/*.rs" = "cargo test -p {crate}"`: the command (program and
/// arguments, never shell text) that checks a task naming a matching path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRule {
    pub pattern: String,
    pub command: Vec<String>,
}

/// What a verify command may name: the matched path and its package.
pub const VERIFY_PLACEHOLDERS: [&str; 2] = ["{path}", "{crate}"];

impl Default for Config {
    fn default() -> Self {
        Config {
            templates: None,
            commit_style: CommitStyle::Plain,
            tdd: false,
            specs_dir: "specs".to_string(),
            docker_builder: Builder::default(),
            verify: Vec::new(),
            verify_timeout: DEFAULT_VERIFY_TIMEOUT,
        }
    }
}

impl Config {
    pub fn load(manifest: &Path) -> Result<Config> {
        let text =
            std::fs::read_to_string(manifest).map_err(|e| Error::io("read", manifest, &e))?;
        let dir = manifest.parent().unwrap_or(Path::new("."));
        Config::parse(&text, dir).map_err(|e| e.in_file(manifest))
    }

    /// Reads the tables from manifest text; relative paths resolve against `dir`.
    pub fn parse(text: &str, dir: &Path) -> Result<Config> {
        let doc: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::new(e.to_string().trim().to_string()))?;
        let mut config = Config::default();
        for table in ["workspace", "package"] {
            if let Some(tasks) = doc
                .get(table)
                .and_then(|t| t.get("metadata"))
                .and_then(|m| m.get("tasks"))
            {
                config.apply(tasks, table, dir)?;
            }
        }
        Ok(config)
    }

    fn apply(&mut self, tasks: &Item, table: &str, dir: &Path) -> Result<()> {
        let key_error = |key: &str, expected: &str| {
            Error::new(format!("`{table}.metadata.tasks.{key}` must be {expected}"))
        };
        if let Some(item) = tasks.get("templates") {
            let path = item
                .as_str()
                .ok_or_else(|| key_error("templates", "a path string"))?;
            self.templates = Some(dir.join(path));
        }
        if let Some(item) = tasks.get("commit-style") {
            self.commit_style = match item.as_str() {
                Some("plain") => CommitStyle::Plain,
                Some("conventional") => CommitStyle::Conventional,
                _ => return Err(key_error("commit-style", "\"plain\" or \"conventional\"")),
            };
        }
        if let Some(item) = tasks.get("tdd") {
            self.tdd = item
                .as_bool()
                .ok_or_else(|| key_error("tdd", "true or false"))?;
        }
        if let Some(item) = tasks.get("specs-dir") {
            let specs = item
                .as_str()
                .ok_or_else(|| key_error("specs-dir", "a path string"))?;
            self.specs_dir = specs.trim_end_matches('/').to_string();
        }
        if let Some(item) = tasks.get("verify") {
            let table = item
                .as_table_like()
                .ok_or_else(|| key_error("verify", "a table of path patterns and commands"))?;
            self.verify = table
                .iter()
                .map(|(pattern, command)| {
                    verify_command(command)
                        .map(|command| VerifyRule {
                            pattern: pattern.to_string(),
                            command,
                        })
                        .ok_or_else(|| {
                            key_error(
                                &format!("verify.\"{pattern}\""),
                                "a command (a string or an array of strings) whose `{…}` are {path} or {crate}",
                            )
                        })
                })
                .collect::<Result<_>>()?;
        }
        if let Some(item) = tasks.get("verify-timeout") {
            let seconds = item.as_integer().and_then(|n| u64::try_from(n).ok());
            self.verify_timeout = match (seconds, item.as_str()) {
                (Some(seconds), _) if seconds > 0 => Some(Duration::from_secs(seconds)),
                (None, Some(text)) => parse_duration(text).ok(),
                _ => None,
            }
            .ok_or_else(|| {
                key_error(
                    "verify-timeout",
                    "a duration such as \"10m\", \"90s\" or \"1h\", or a number of seconds",
                )
            })?;
        }
        if let Some(item) = tasks.get("docker-builder") {
            self.docker_builder = item
                .as_str()
                .and_then(Builder::parse)
                .ok_or_else(|| key_error("docker-builder", "\"buildkit\" or \"legacy\""))?;
        }
        Ok(())
    }
}

/// `90s`, `10m`, `1h`, `500ms`, `1h30m`: a positive duration in whole
/// units (a bare number is seconds).
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let wrong = || format!("`{text}` is not a duration such as 10m, 90s or 1h");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(wrong());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().map_err(|_| wrong())?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let millis = match &rest[..unit] {
            "ms" => 1,
            "" | "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(wrong()),
        };
        rest = &rest[unit..];
        let part = number.checked_mul(millis).ok_or_else(wrong)?;
        total = total
            .checked_add(Duration::from_millis(part))
            .ok_or_else(wrong)?;
    }
    if total.is_zero() {
        return Err(format!(
            "`{text}` is no time at all: give a positive duration"
        ));
    }
    Ok(total)
}

/// A duration as `parse_duration` reads it: `10m`, `1h30m`, `90s`, `500ms`.
pub fn show_duration(duration: Duration) -> String {
    let mut millis = duration.as_millis();
    let mut shown = String::new();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if millis >= size {
            shown.push_str(&format!("{}{unit}", millis / size));
            millis %= size;
        }
    }
    if shown.is_empty() {
        shown.push_str("0s");
    }
    shown
}

/// A command as program and arguments: a string split at whitespace, or an
/// array of strings; `None` when empty, of another type, or naming a
/// placeholder that does not exist.
fn verify_command(item: &Item) -> Option<Vec<String>> {
    let words: Vec<String> = match (item.as_str(), item.as_array()) {
        (Some(text), _) => text.split_whitespace().map(str::to_string).collect(),
        (None, Some(array)) => array
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<_>>()?,
        (None, None) => return None,
    };
    let known = |word: &str| {
        let mut rest = word;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}')? + open;
            if !VERIFY_PLACEHOLDERS.contains(&&rest[open..=close]) {
                return None;
            }
            rest = &rest[close + 1..];
        }
        Some(())
    };
    (!words.is_empty() && words.iter().all(|w| known(w).is_some())).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_tables() {
        let config = Config::parse("[package]\nname = \"x\"\n", Path::new("/ws")).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn package_keys_override_workspace_keys() {
        let text =
            "[workspace.metadata.tasks]\ncommit-style = \"conventional\"\ntemplates = \"t\"\n\
                    [package.metadata.tasks]\ntemplates = \"p\"\ntdd = true\n";
        let config = Config::parse(text, Path::new("/ws")).unwrap();
        assert_eq!(config.commit_style, CommitStyle::Conventional);
        assert_eq!(config.templates, Some(PathBuf::from("/ws/p")));
        assert!(config.tdd);
    }

    #[test]
    fn wrong_types_name_the_key() {
        let err = Config::parse(
            "[workspace.metadata.tasks]\ncommit-style = 3\n",
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "`workspace.metadata.tasks.commit-style` must be \"plain\" or \"conventional\""
        );
    }

    #[test]
    fn verify_commands_per_pattern_in_order() {
        let text = "[workspace.metadata.tasks]\n\
verify = { \"crates/**/*.rs\" = \"cargo test -p {crate}\", \"tests/*.py\" = [\"python3\", \"-m\", \"pytest\", \"{path}\"] }\n";
        let config = Config::parse(text, Path::new("/")).unwrap();
        assert_eq!(
            config.verify,
            [
                VerifyRule {
                    pattern: "crates/**/*.rs".into(),
                    command: vec!["cargo".into(), "test".into(), "-p".into(), "{crate}".into()],
                },
                VerifyRule {
                    pattern: "tests/*.py".into(),
                    command: vec![
                        "python3".into(),
                        "-m".into(),
                        "pytest".into(),
                        "{path}".into()
                    ],
                },
            ]
        );
        for bad in [
            "verify = 3",
            "verify = { \"a\" = \"\" }",
            "verify = { \"a\" = [1] }",
            "verify = { \"a\" = \"run {file}\" }",
        ] {
            let err = Config::parse(
                &format!("[workspace.metadata.tasks]\n{bad}\n"),
                Path::new("/"),
            )
            .unwrap_err();
            assert!(
                err.message()
                    .starts_with("`workspace.metadata.tasks.verify"),
                "{bad}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn verify_timeout_is_a_duration_or_seconds() {
        let parse = |value: &str| {
            Config::parse(
                &format!("[workspace.metadata.tasks]\nverify-timeout = {value}\n"),
                Path::new("/"),
            )
            .map(|c| c.verify_timeout)
            .map_err(|e| e.message().to_string())
        };
        assert_eq!(Config::default().verify_timeout, Duration::from_secs(600));
        assert_eq!(parse("\"10m\""), Ok(Duration::from_secs(600)));
        assert_eq!(parse("\"1h30m\""), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("\"500ms\""), Ok(Duration::from_millis(500)));
        assert_eq!(parse("\"45\""), Ok(Duration::from_secs(45)));
        assert_eq!(parse("90"), Ok(Duration::from_secs(90)));
        for bad in [
            "0",
            "-5",
            "\"0s\"",
            "\"\"",
            "\"10 minutes\"",
            "\"m\"",
            "1.5",
            "true",
        ] {
            assert_eq!(
                parse(bad),
                Err("`workspace.metadata.tasks.verify-timeout` must be a duration such as \"10m\", \"90s\" or \"1h\", or a number of seconds".to_string()),
                "{bad}"
            );
        }
        for (duration, shown) in [
            (600_000, "10m"),
            (5_400_000, "1h30m"),
            (1_500, "1s500ms"),
            (0, "0s"),
        ] {
            assert_eq!(show_duration(Duration::from_millis(duration)), shown);
            if duration > 0 {
                assert_eq!(parse_duration(shown), Ok(Duration::from_millis(duration)));
            }
        }
        assert_eq!(
            parse_duration("99999999999999999h"),
            Err("`99999999999999999h` is not a duration such as 10m, 90s or 1h".to_string())
        );
    }

    #[test]
    fn docker_builder_key() {
        let config = Config::parse(
            "[workspace.metadata.tasks]\ndocker-builder = \"legacy\"\n",
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(config.docker_builder, Builder::Legacy);
        let err = Config::parse(
            "[workspace.metadata.tasks]\ndocker-builder = \"kaniko\"\n",
            Path::new("/"),
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "`workspace.metadata.tasks.docker-builder` must be \"buildkit\" or \"legacy\""
        );
    }
}
