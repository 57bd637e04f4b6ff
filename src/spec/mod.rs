//! Spec documents: plan.md and the optional design documents of a feature
//! directory, read into plain models. The parsers are pure (text in, value
//! out); only `read_text`, `load` and the contracts walk touch the disk.

pub mod contracts;
pub mod dockerfile_design;
pub mod markdown;
pub mod plan;
pub mod tree;

pub use contracts::Contract;
pub use markdown::Field;
pub use plan::{Plan, PlanStyle};
pub use tree::TreePath;

use crate::{Diagnostic, Error, Result};
use serde::Serialize;
use std::io::ErrorKind;
use std::path::Path;

/// A decision, entity, scenario or build stage: plain text (markdown stripped) and its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub text: String,
    pub line: usize,
}

/// The text of one document, named relative to the feature directory
/// (`research.md`, `contracts/api.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    pub name: String,
    pub text: String,
}

/// A feature's documents: the parsed plan, the contracts, and the text of
/// every other document (the facts layer reads their meaning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Documents {
    pub plan: Plan,
    pub contracts: Vec<Contract>,
    #[serde(skip)]
    pub texts: Vec<Text>,
    /// The optional documents that exist, in the order of `OPTIONAL_DOCUMENTS`.
    pub present: Vec<String>,
}

impl Documents {
    /// A feature with only its plan (no optional document).
    pub fn new(plan: Plan) -> Documents {
        Documents {
            plan,
            contracts: Vec::new(),
            texts: Vec::new(),
            present: Vec::new(),
        }
    }

    /// Adds a document's text (for tests and callers that read it themselves).
    pub fn with_text(mut self, name: &str, text: &str) -> Documents {
        self.texts.push(Text {
            name: name.to_string(),
            text: text.to_string(),
        });
        self
    }

    /// The text of `name`, if read.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.text.as_str())
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
/// The feature specification: read for facts, not listed as a prerequisite.
pub const SPEC: &str = "spec.md";
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

/// Reads plan.md, every optional document and spec.md of `feature_dir`
/// (contracts are parsed by `contracts`, their texts are not kept). Errors
/// name the file (and line); warnings report what a strict run should refuse.
pub fn load(feature_dir: &Path) -> Result<(Documents, Vec<Diagnostic>)> {
    let mut loader = Loader {
        dir: feature_dir,
        present: Vec::new(),
        texts: Vec::new(),
        warnings: Vec::new(),
    };
    let plan = loader.plan()?;
    for name in OPTIONAL_DOCUMENTS {
        if name == CONTRACTS {
            continue;
        }
        loader.read(name)?;
    }
    if let Some(text) = read_optional(&feature_dir.join(SPEC))? {
        loader.texts.push(Text {
            name: SPEC.to_string(),
            text,
        });
    }
    let contracts = loader.contracts()?;
    loader.present.sort_by_key(|name| {
        OPTIONAL_DOCUMENTS
            .iter()
            .position(|doc| doc == name)
            .unwrap_or(usize::MAX)
    });
    let docs = Documents {
        plan,
        contracts,
        texts: loader.texts,
        present: loader.present,
    };
    Ok((docs, loader.warnings))
}

/// Reads a feature's documents, noting which exist and what to warn about.
struct Loader<'a> {
    dir: &'a Path,
    present: Vec<String>,
    texts: Vec<Text>,
    warnings: Vec<Diagnostic>,
}

impl Loader<'_> {
    fn warn(&mut self, name: &str, line: usize, message: String) {
        self.warnings.push(
            Diagnostic::warning(line, message).in_file(self.dir.join(name.trim_end_matches('/'))),
        );
    }

    /// Reads the optional document `name`, recording that it exists.
    fn read(&mut self, name: &str) -> Result<()> {
        if let Some(text) = read_optional(&self.dir.join(name))? {
            self.present.push(name.to_owned());
            self.texts.push(Text {
                name: name.to_owned(),
                text,
            });
        }
        Ok(())
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
        for (line, note) in &plan.notes {
            self.warn(PLAN, *line, note.clone());
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
        assert!(docs.present.is_empty() && docs.texts.is_empty());
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
        dir.write("data-model.md", "# Data Model\n## Entities\n### Service\n");
        dir.write("contracts/health-endpoint.md", "# health\n");
        dir.write("contracts/entrypoint.md", "# entrypoint\n");
        dir.write("quickstart.md", "# Q\n");
        dir.write("configuration.md", "| Variable |\n|---|\n| `A_B` |\n");
        dir.write("dockerfile-design.md", "# D\n");
        dir.write("spec.md", "# Spec\n");
        let (docs, warnings) = load(dir.path()).expect("loads");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(docs.present, OPTIONAL_DOCUMENTS.map(str::to_owned).to_vec());
        assert!(docs.has("contracts/") && !docs.has("spec.md"));
        let contracts: Vec<_> = docs.contracts.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            contracts,
            vec!["contracts/entrypoint.md", "contracts/health-endpoint.md"]
        );
        let names: Vec<&str> = docs.texts.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "research.md",
                "data-model.md",
                "quickstart.md",
                "configuration.md",
                "dockerfile-design.md",
                "spec.md"
            ]
        );
        assert_eq!(docs.text("spec.md"), Some("# Spec\n"));
    }

    #[test]
    fn warnings_for_unclear_fields_and_empty_contracts() {
        let dir = TempDir::new("warnings");
        dir.write(
            "plan.md",
            "# P\n## Technical Context\n**Storage**: [NEEDS CLARIFICATION: which volume?]\n",
        );
        dir.mkdir("contracts");
        let (_, warnings) = load(dir.path()).expect("loads");
        let read: Vec<_> = warnings
            .iter()
            .map(|w| w.clone().relative_to(dir.path()).to_string())
            .collect();
        assert_eq!(
            read,
            [
                "warning: plan.md:3: Storage needs clarification: [NEEDS CLARIFICATION: which volume?]",
                "warning: contracts:1: no contract files found",
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
}
