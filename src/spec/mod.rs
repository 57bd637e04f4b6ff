//! Spec documents: plan.md and the optional design documents of a feature
//! directory, read into plain models. The parsers are pure (text in, value
//! out); only `read_text`, `load` and the contracts walk touch the disk.

pub mod configuration;
pub mod contracts;
pub mod data_model;
pub mod dockerfile_design;
pub mod markdown;
pub mod plan;
pub mod quickstart;
pub mod research;
pub mod tree;

pub use configuration::EnvVar;
pub use contracts::Contract;
pub use markdown::Field;
pub use plan::{Plan, PlanStyle};
pub use tree::TreePath;

use crate::{Error, Result};
use serde::Serialize;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// A decision, entity, scenario or build stage: plain text (markdown stripped) and its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub text: String,
    pub line: usize,
}

/// Something a pure parser could not read, without the file it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub line: usize,
    pub message: String,
}

/// A problem that does not stop loading (an error under `--strict`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Documents {
    pub plan: Plan,
    pub research: Vec<Item>,
    pub entities: Vec<Item>,
    pub contracts: Vec<Contract>,
    pub scenarios: Vec<Item>,
    pub env: Vec<EnvVar>,
    pub stages: Vec<Item>,
    /// The optional documents that exist, in the order of `OPTIONAL_DOCUMENTS`.
    pub present: Vec<String>,
}

impl Documents {
    /// A feature with only its plan (no optional document).
    pub fn new(plan: Plan) -> Documents {
        Documents {
            plan,
            research: Vec::new(),
            entities: Vec::new(),
            contracts: Vec::new(),
            scenarios: Vec::new(),
            env: Vec::new(),
            stages: Vec::new(),
            present: Vec::new(),
        }
    }

    /// Whether the optional document `name` (e.g. "data-model.md", "contracts/") exists.
    pub fn has(&self, name: &str) -> bool {
        self.present.iter().any(|present| present == name)
    }
}

pub const PLAN: &str = "plan.md";
pub const RESEARCH: &str = "research.md";
pub const DATA_MODEL: &str = "data-model.md";
pub const CONTRACTS: &str = "contracts/";
pub const QUICKSTART: &str = "quickstart.md";
pub const CONFIGURATION: &str = "configuration.md";
pub const DOCKERFILE_DESIGN: &str = "dockerfile-design.md";
pub const OPTIONAL_DOCUMENTS: [&str; 6] = [
    RESEARCH,
    DATA_MODEL,
    CONTRACTS,
    QUICKSTART,
    CONFIGURATION,
    DOCKERFILE_DESIGN,
];

/// Reads a text file: strips a UTF-8 byte order mark and turns CRLF and CR into LF.
/// Only regular files of bounded size are read (`ops::fs::read_bounded`).
pub fn read_text(path: &Path) -> Result<String> {
    read_optional(path)?.ok_or_else(|| {
        let missing = std::io::Error::from(ErrorKind::NotFound);
        Error::io("read", path, &missing)
    })
}

/// `read_text`, or `None` when the file does not exist.
fn read_optional(path: &Path) -> Result<Option<String>> {
    match crate::ops::fs::read_bounded(path)? {
        Some(bytes) => normalize_text(&bytes)
            .map(Some)
            .map_err(|err| err.in_file(path)),
        None => Ok(None),
    }
}

/// The text of `bytes` without BOM and with LF line ends; invalid UTF-8 is an
/// error at the line of the first bad byte.
pub fn normalize_text(bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let valid = bytes.get(..err.valid_up_to()).unwrap_or_default();
        Error::new("is not valid UTF-8")
            .at_line(line_breaks(valid) + 1)
            .with_help("save the file as UTF-8")
    })?;
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Line breaks in `bytes`, counting CRLF once and a lone CR as a break.
fn line_breaks(bytes: &[u8]) -> usize {
    let lone_crs = bytes
        .iter()
        .enumerate()
        .filter(|&(at, &byte)| byte == b'\r' && bytes.get(at + 1) != Some(&b'\n'))
        .count();
    bytes.iter().filter(|&&byte| byte == b'\n').count() + lone_crs
}

/// Reads plan.md and every optional document of `feature_dir`. Errors name the
/// file (and line); warnings report what a strict run should refuse.
pub fn load(feature_dir: &Path) -> Result<(Documents, Vec<Warning>)> {
    let mut loader = Loader {
        dir: feature_dir,
        present: Vec::new(),
        warnings: Vec::new(),
    };
    let plan = loader.plan()?;
    let research = loader.items(
        RESEARCH,
        research::parse_research,
        "no **Decision**: entries found",
    )?;
    let entities = loader.items(
        DATA_MODEL,
        data_model::parse_data_model,
        "no entities found",
    )?;
    let contracts = loader.contracts()?;
    let scenarios = loader.items(
        QUICKSTART,
        quickstart::parse_quickstart,
        "no scenarios found",
    )?;
    let env = configuration::with_plan_env_vars(loader.configuration()?, &plan);
    let stages = loader.items(
        DOCKERFILE_DESIGN,
        dockerfile_design::parse_dockerfile_design,
        "no build stages found",
    )?;
    let docs = Documents {
        plan,
        research,
        entities,
        contracts,
        scenarios,
        env,
        stages,
        present: loader.present,
    };
    Ok((docs, loader.warnings))
}

/// Reads a feature's documents, noting which exist and what to warn about.
struct Loader<'a> {
    dir: &'a Path,
    present: Vec<String>,
    warnings: Vec<Warning>,
}

impl Loader<'_> {
    fn warn(&mut self, name: &str, line: usize, message: String) {
        self.warnings.push(Warning {
            file: self.dir.join(name.trim_end_matches('/')),
            line,
            message,
        });
    }

    /// The text of the optional document `name`, recording that it exists.
    fn read(&mut self, name: &str) -> Result<Option<String>> {
        let text = read_optional(&self.dir.join(name))?;
        if text.is_some() {
            self.present.push(name.to_owned());
        }
        Ok(text)
    }

    /// The items of an optional document; a document that yields none is a warning.
    fn items(
        &mut self,
        name: &str,
        parse: fn(&str) -> Vec<Item>,
        when_empty: &str,
    ) -> Result<Vec<Item>> {
        let Some(text) = self.read(name)? else {
            return Ok(Vec::new());
        };
        let items = parse(&text);
        if items.is_empty() {
            self.warn(name, 1, when_empty.to_owned());
        }
        Ok(items)
    }

    fn contracts(&mut self) -> Result<Vec<Contract>> {
        let Some((contracts, warnings)) = contracts::load_contracts(self.dir)? else {
            return Ok(Vec::new());
        };
        self.present.push(CONTRACTS.to_owned());
        self.warnings.extend(warnings);
        if contracts.is_empty() {
            self.warn(CONTRACTS, 1, "no contract files found".to_owned());
        }
        Ok(contracts)
    }

    fn configuration(&mut self) -> Result<Vec<EnvVar>> {
        let Some(text) = self.read(CONFIGURATION)? else {
            return Ok(Vec::new());
        };
        let (env, issues) = configuration::parse_configuration(&text);
        for issue in issues {
            self.warn(CONFIGURATION, issue.line, issue.message);
        }
        if env.is_empty() {
            self.warn(
                CONFIGURATION,
                1,
                "no environment variables found".to_owned(),
            );
        }
        Ok(env)
    }

    fn plan(&mut self) -> Result<Plan> {
        let path = self.dir.join(PLAN);
        let Some(text) = read_optional(&path)? else {
            return Err(Error::new("No implementation plan found")
                .in_file(path)
                .with_help("run /plan first"));
        };
        let plan = plan::parse_plan(&text).map_err(|err| err.in_file(&path))?;
        for field in plan.needs_clarification() {
            let message = format!("{} needs clarification: {}", field.name, field.value);
            self.warn(PLAN, field.line, message);
        }
        Ok(plan)
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::{Path, PathBuf};

    /// A scratch directory removed on drop.
    pub struct TempDir(PathBuf);

    impl TempDir {
        pub fn new(label: &str) -> TempDir {
            let path = std::env::temp_dir()
                .join(format!("cargo-tasks-spec-{label}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).expect("create temp dir");
            TempDir(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }

        pub fn write(&self, relative: &str, contents: &str) {
            self.write_bytes(relative, contents.as_bytes());
        }

        pub fn write_bytes(&self, relative: &str, contents: &[u8]) {
            let path = self.0.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create parent");
            }
            std::fs::write(path, contents).expect("write file");
        }

        pub fn mkdir(&self, relative: &str) {
            std::fs::create_dir_all(self.0.join(relative)).expect("create dir");
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::TempDir;
    use super::*;

    const PLAN_TEXT: &str = "# Container Implementation Plan: greeter\n\n## Container Technical Context\n**Container Type**: web-service\n**Configuration Method**: env vars (GREETER_PORT, GREETER_LOG_LEVEL, GREETER_QUEUE_URL)\n\n### Container Source Structure (repository root)\n```\ndocker/\n└── api/\n    └── Dockerfile\n```\n";

    #[test]
    fn normalize_strips_bom_and_line_ends() {
        let text = normalize_text(b"\xEF\xBB\xBFa\r\nb\rc\n").expect("valid");
        assert_eq!(text, "a\nb\nc\n");
    }

    #[test]
    fn invalid_utf8_names_the_line_of_the_first_bad_byte() {
        let err = normalize_text(b"one\r\ntwo\rthree\nfo\xFFur\n\xFE").expect_err("invalid");
        assert_eq!((err.message(), err.line()), ("is not valid UTF-8", Some(4)));
    }

    #[test]
    fn read_text_names_the_file() {
        let dir = TempDir::new("read-text");
        dir.write_bytes("bad.md", b"ok\n\xC3(");
        let err = read_text(&dir.path().join("bad.md")).expect_err("invalid");
        assert_eq!(err.file(), Some(dir.path().join("bad.md").as_path()));
        assert_eq!(err.line(), Some(2));
        let missing = read_text(&dir.path().join("missing.md")).expect_err("missing");
        assert!(missing.message().starts_with("cannot read: "), "{missing}");
    }

    #[test]
    fn missing_plan_uses_the_template_s_words() {
        let dir = TempDir::new("no-plan");
        let err = load(dir.path()).expect_err("no plan");
        assert_eq!(err.message(), "No implementation plan found");
        assert_eq!(err.file(), Some(dir.path().join("plan.md").as_path()));
        assert_eq!(err.help(), ["run /plan first"]);
    }

    #[test]
    fn plan_errors_name_the_file() {
        let dir = TempDir::new("bad-plan");
        dir.write("plan.md", "\u{feff} \r\n");
        let err = load(dir.path()).expect_err("empty plan");
        assert_eq!(err.message(), "plan.md is empty");
        assert_eq!(err.file(), Some(dir.path().join("plan.md").as_path()));
        dir.write("plan.md", "# Plan\n## Summary\n");
        let err = load(dir.path()).expect_err("no context");
        assert_eq!(
            err.to_string(),
            format!(
                "{}:1: {}",
                dir.path().join("plan.md").display(),
                err.message()
            )
        );
    }

    #[test]
    fn plan_only_feature() {
        let dir = TempDir::new("plan-only");
        dir.write("plan.md", &PLAN_TEXT.replace('\n', "\r\n"));
        let (docs, warnings) = load(dir.path()).expect("loads");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(docs.plan.style, PlanStyle::Container);
        assert!(docs.present.is_empty());
        let env: Vec<_> = docs.env.iter().map(|v| (v.name.as_str(), v.line)).collect();
        assert_eq!(
            env,
            vec![
                ("GREETER_PORT", 5),
                ("GREETER_LOG_LEVEL", 5),
                ("GREETER_QUEUE_URL", 5)
            ]
        );
        let tree: Vec<_> = docs.plan.tree.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            tree,
            vec!["docker/", "docker/api/", "docker/api/Dockerfile"]
        );
    }

    #[test]
    fn every_document() {
        let dir = TempDir::new("every-document");
        dir.write("plan.md", PLAN_TEXT);
        dir.write("research.md", "# R\n**Decision**: debian:bookworm-slim\n");
        dir.write(
            "data-model.md",
            "# Data Model\n## Entities\n### Service\n## Relationships\n",
        );
        dir.write("contracts/health-endpoint.md", "# health\n");
        dir.write("contracts/entrypoint.md", "# entrypoint\n");
        dir.write("quickstart.md", "# Q\n1. Build: `docker build .`\n");
        dir.write(
            "configuration.md",
            "| Variable | Default | Used by |\n|---|---|---|\n| `GREETER_PORT` | `8080` | api |\n| `BAD NAME` | | |\n",
        );
        dir.write(
            "dockerfile-design.md",
            "# D\n## Stage 1: builder\n## Stage 2: runtime\n",
        );
        let (docs, warnings) = load(dir.path()).expect("loads");
        assert_eq!(docs.present, OPTIONAL_DOCUMENTS.map(str::to_owned).to_vec());
        assert!(docs.has("contracts/") && !docs.has("spec.md"));
        assert_eq!(
            docs.research,
            vec![Item {
                text: "debian:bookworm-slim".into(),
                line: 2
            }]
        );
        assert_eq!(
            docs.entities,
            vec![Item {
                text: "Service".into(),
                line: 3
            }]
        );
        let contracts: Vec<_> = docs.contracts.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            contracts,
            vec!["contracts/entrypoint.md", "contracts/health-endpoint.md"]
        );
        assert_eq!(
            docs.scenarios,
            vec![Item {
                text: "Build: docker build .".into(),
                line: 2
            }]
        );
        let env: Vec<_> = docs
            .env
            .iter()
            .map(|v| (v.name.as_str(), v.default.as_deref(), v.line))
            .collect();
        assert_eq!(
            env,
            vec![
                ("GREETER_PORT", Some("8080"), 3),
                ("GREETER_LOG_LEVEL", None, 5),
                ("GREETER_QUEUE_URL", None, 5)
            ]
        );
        let stages: Vec<_> = docs.stages.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(stages, vec!["Stage 1: builder", "Stage 2: runtime"]);
        assert_eq!(
            warnings,
            vec![Warning {
                file: dir.path().join("configuration.md"),
                line: 4,
                message: "`BAD NAME` is not an environment variable name".into()
            }]
        );
    }

    #[test]
    fn warnings_for_unclear_fields_and_documents_that_yield_nothing() {
        let dir = TempDir::new("warnings");
        dir.write(
            "plan.md",
            "# P\n## Technical Context\n**Storage**: [NEEDS CLARIFICATION: which volume?]\n",
        );
        dir.write("research.md", "# R\nnothing decided\n");
        dir.write("quickstart.md", "");
        dir.mkdir("contracts");
        let (_, warnings) = load(dir.path()).expect("loads");
        let read: Vec<_> = warnings
            .iter()
            .map(|w| {
                (
                    w.file
                        .strip_prefix(dir.path())
                        .unwrap_or(&w.file)
                        .to_path_buf(),
                    w.line,
                    w.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            read,
            vec![
                (
                    PathBuf::from("plan.md"),
                    3,
                    "Storage needs clarification: [NEEDS CLARIFICATION: which volume?]"
                ),
                (
                    PathBuf::from("research.md"),
                    1,
                    "no **Decision**: entries found"
                ),
                (PathBuf::from("contracts"), 1, "no contract files found"),
                (PathBuf::from("quickstart.md"), 1, "no scenarios found"),
            ]
        );
    }

    #[test]
    fn unreadable_optional_document_is_an_error() {
        let dir = TempDir::new("unreadable-doc");
        dir.write("plan.md", PLAN_TEXT);
        dir.mkdir("research.md");
        let err = load(dir.path()).expect_err("a directory is not a document");
        assert_eq!(err.file(), Some(dir.path().join("research.md").as_path()));
        dir.write_bytes("data-model.md", b"# \xFF");
        std::fs::remove_dir(dir.path().join("research.md")).expect("rmdir");
        let err = load(dir.path()).expect_err("invalid UTF-8");
        assert_eq!(
            (err.file(), err.line()),
            (Some(dir.path().join("data-model.md").as_path()), Some(1))
        );
    }

    #[test]
    fn every_parser_survives_random_markdown_soup() {
        const PIECES: [&str; 27] = [
            "# ",
            "## ",
            "### ",
            "**",
            "`",
            "```",
            "\n",
            "\n\n",
            "| ",
            "|---",
            "- ",
            "1. ",
            "  ",
            "<!--",
            "-->",
            "├── ",
            "│   ",
            "└── ",
            "Decision",
            "Technical Context",
            ": ",
            "Stage",
            "é",
            "Source Code",
            "src/",
            "../",
            "\t",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..80 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(PIECES[(seed >> 33) as usize % PIECES.len()]);
            }
            let _ = plan::parse_plan(&text);
            let _ = research::parse_research(&text);
            let _ = data_model::parse_data_model(&text);
            let _ = quickstart::parse_quickstart(&text);
            let _ = configuration::parse_configuration(&text);
            let _ = dockerfile_design::parse_dockerfile_design(&text);
        }
    }
}
