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
use std::fs;
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
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = fs::read(path).map_err(|err| Error::io(path, &err))?;
    normalize_text(&bytes).map_err(|err| err.in_file(path))
}

/// `read_text`, or `None` when the file does not exist.
fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => normalize_text(&bytes)
            .map(Some)
            .map_err(|err| err.in_file(path)),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(Error::io(path, &err)),
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
    let mut warnings = Vec::new();
    let plan = load_plan(feature_dir, &mut warnings)?;
    let mut docs = Documents {
        plan,
        research: Vec::new(),
        entities: Vec::new(),
        contracts: Vec::new(),
        scenarios: Vec::new(),
        env: Vec::new(),
        stages: Vec::new(),
        present: Vec::new(),
    };
    let mut warn = |name: &str, line: usize, message: String| {
        warnings.push(Warning {
            file: feature_dir.join(name.trim_end_matches('/')),
            line,
            message,
        });
    };
    if let Some(text) = read_optional(&feature_dir.join(RESEARCH))? {
        docs.present.push(RESEARCH.to_owned());
        docs.research = research::parse_research(&text);
        if docs.research.is_empty() {
            warn(RESEARCH, 1, "no **Decision**: entries found".to_owned());
        }
    }
    if let Some(text) = read_optional(&feature_dir.join(DATA_MODEL))? {
        docs.present.push(DATA_MODEL.to_owned());
        docs.entities = data_model::parse_data_model(&text);
        if docs.entities.is_empty() {
            warn(DATA_MODEL, 1, "no entities found".to_owned());
        }
    }
    if let Some(contracts) = contracts::list_contracts(feature_dir)? {
        docs.present.push(CONTRACTS.to_owned());
        if contracts.is_empty() {
            warn(CONTRACTS, 1, "no contract files found".to_owned());
        }
        docs.contracts = contracts;
    }
    if let Some(text) = read_optional(&feature_dir.join(QUICKSTART))? {
        docs.present.push(QUICKSTART.to_owned());
        docs.scenarios = quickstart::parse_quickstart(&text);
        if docs.scenarios.is_empty() {
            warn(QUICKSTART, 1, "no scenarios found".to_owned());
        }
    }
    if let Some(text) = read_optional(&feature_dir.join(CONFIGURATION))? {
        docs.present.push(CONFIGURATION.to_owned());
        let (env, issues) = configuration::parse_configuration(&text);
        for issue in issues {
            warn(CONFIGURATION, issue.line, issue.message);
        }
        if env.is_empty() {
            warn(
                CONFIGURATION,
                1,
                "no environment variables found".to_owned(),
            );
        }
        docs.env = env;
    }
    if let Some(text) = read_optional(&feature_dir.join(DOCKERFILE_DESIGN))? {
        docs.present.push(DOCKERFILE_DESIGN.to_owned());
        docs.stages = dockerfile_design::parse_dockerfile_design(&text);
        if docs.stages.is_empty() {
            warn(DOCKERFILE_DESIGN, 1, "no build stages found".to_owned());
        }
    }
    add_plan_env_vars(&mut docs);
    Ok((docs, warnings))
}

fn load_plan(feature_dir: &Path, warnings: &mut Vec<Warning>) -> Result<Plan> {
    let path = feature_dir.join(PLAN);
    let Some(text) = read_optional(&path)? else {
        return Err(Error::new("No implementation plan found")
            .in_file(path)
            .with_help("run /plan first"));
    };
    let plan = plan::parse_plan(&text).map_err(|err| err.in_file(&path))?;
    for field in plan.needs_clarification() {
        warnings.push(Warning {
            file: path.clone(),
            line: field.line,
            message: format!("{} needs clarification: {}", field.name, field.value),
        });
    }
    Ok(plan)
}

/// Variables the plan's Configuration Method field names that configuration.md does not list.
fn add_plan_env_vars(docs: &mut Documents) {
    let Some(method) = docs.plan.field("Configuration Method") else {
        return;
    };
    for var in configuration::env_vars_named_in(method) {
        if !docs.env.iter().any(|known| known.name == var.name) {
            docs.env.push(var);
        }
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
