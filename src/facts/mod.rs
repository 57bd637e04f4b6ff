//! The fact model: what a feature's design documents say, read once and used by
//! generate, scaffold and explain. Every fact keeps its source (file and line).
//!
//! Readers recognise forms (a bold field, a table, a bullet, a code block);
//! each reader asks every form for its kind of fact and hands candidates to a
//! `Collector`. `Collector::finish` applies the one precedence (see
//! `PRECEDENCE`): where candidates for the same fact disagree, the one from the
//! earlier document wins (a definition beats a bare mention of a variable) and a
//! warning names both places. What was looked for and not found is kept.

mod alternatives;
mod code;
mod collect;
mod decisions;
mod entities;
mod env;
mod plan;
mod scenarios;
#[cfg(test)]
mod tests;
pub mod values;

pub use decisions::topic_of;

use crate::spec::Documents;
use crate::Diagnostic;
use collect::Collector;
use serde::Serialize;
use std::fmt;

/// Where a fact was read: a file relative to the feature directory, 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Source {
    pub file: String,
    pub line: usize,
}

impl Source {
    pub fn new(file: &str, line: usize) -> Source {
        Source {
            file: file.to_string(),
            line,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A single value with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact<T> {
    pub value: T,
    pub source: Source,
}

/// Documents in precedence order: when two disagree, the earlier one wins.
/// contracts/ stands for every file below it.
pub const PRECEDENCE: [&str; 8] = [
    "plan.md",
    "configuration.md",
    "research.md",
    "dockerfile-design.md",
    "contracts/",
    "data-model.md",
    "spec.md",
    "quickstart.md",
];

/// The rank of `file` in `PRECEDENCE` (unknown files last).
pub fn rank(file: &str) -> usize {
    PRECEDENCE
        .iter()
        .position(|doc| match doc.strip_suffix('/') {
            Some(dir) => file.starts_with(&format!("{dir}/")),
            None => file == *doc,
        })
        .unwrap_or(PRECEDENCE.len())
}

/// An environment variable one of the feature's containers reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub default: Option<String>,
    /// The validation text as written ("integer 1-65535", "one of a, b").
    pub constraint: Option<String>,
    pub required: bool,
    /// Never defaulted or echoed; always required.
    pub secret: bool,
    /// Services (or binaries) that read it; empty means every service.
    pub services: Vec<String>,
    pub source: Source,
}

/// A port a container of the feature listens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Port {
    pub port: u16,
    /// The service it belongs to; `None` means every service that listens.
    pub service: Option<String>,
    pub source: Source,
}

/// An HTTP health endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub port: Option<u16>,
    pub service: Option<String>,
    pub source: Source,
}

/// The decided base images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Images {
    pub builder: Option<Fact<String>>,
    pub runtime: Option<Fact<String>>,
}

/// The runtime user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub name: Option<String>,
    pub source: Source,
}

/// Size, startup and memory goals, and the goal texts as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Goals {
    pub image_size_mb: Option<Fact<u64>>,
    pub startup_seconds: Option<Fact<u64>>,
    pub memory_mb: Option<Fact<u64>>,
    /// "Startup Performance: <10s" and the like, for the performance task.
    pub stated: Vec<Fact<String>>,
}

/// A service the feature runs beside its own (a database, a cache).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backing {
    pub name: String,
    pub image: String,
    pub ports: Vec<u16>,
    /// Its own variables (`POSTGRES_USER=shop`): the value, or `None` for a
    /// secret or a value taken from the shell (`${VAR}`), which is never kept.
    pub settings: Vec<(String, Option<String>)>,
    pub source: Source,
}

/// What a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Dockerfile,
    Entrypoint,
    Healthcheck,
    Setup,
    /// Not about the container (an auth library, a UI framework): no Dockerfile task.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub text: String,
    pub topic: Topic,
    pub source: Source,
}

/// A runnable quickstart step: its title, its commands and what it expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub title: String,
    pub commands: Vec<String>,
    pub expected: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Needs a token or credentials the test cannot supply.
    pub auth: bool,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contract {
    pub path: String,
    pub requests: Vec<Request>,
}

/// Something looked for and not found, and where it was looked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub kind: &'static str,
    pub looked_for: &'static str,
}

/// Everything the documents of one feature say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub env: Vec<EnvVar>,
    pub ports: Vec<Port>,
    pub health: Vec<Health>,
    pub images: Images,
    pub user: Option<User>,
    pub packages: Vec<Fact<String>>,
    pub goals: Goals,
    pub backing: Vec<Backing>,
    pub entities: Vec<Fact<String>>,
    pub decisions: Vec<Decision>,
    pub scenarios: Vec<Scenario>,
    pub contracts: Vec<Contract>,
    pub stages: Vec<Fact<String>>,
    pub missing: Vec<Missing>,
    /// Disagreements between documents and values that cannot be used:
    /// something to resolve in the documents (an error under `--strict`).
    pub warnings: Vec<Diagnostic>,
    /// Documents that yielded nothing of what they are read for: an
    /// observation, never an error.
    pub notes: Vec<Diagnostic>,
}

/// What each kind of fact is looked for in, for "looked for, not found".
pub const LOOKED_FOR: [(&str, &str); 8] = [
    ("env", "tables with a Variable/Name column, `- **VAR**:` and `` - `VAR`: `` bullets, `-e VAR=x`/`--env`, `ENV`/`environment:` in snippets, `${VAR:-x}`, plan.md Configuration Method"),
    ("ports", "`-p H:C`, `EXPOSE`, compose `ports:`, \"listens on port N\", a PORT default, plan.md Network Requirements, an OpenAPI `servers` URL"),
    ("health", "/health, /healthz, /livez, /readyz in contracts/, a research decision naming the endpoint, `curl …/health` in quickstart.md, plan.md Health Monitoring"),
    ("images", "plan.md Base Image Strategy, research decisions, `FROM` lines in snippets, requirements in spec.md"),
    ("entities", "data-model.md headings, entity tables and Entities bullets"),
    ("decisions", "research.md `**Decision**:`, `Decision:`, `### Decision: X`, `### Decision 2: X`, `## Decision` sections, `**Chosen**:`, `**Choice**:`, `**Selected Approach**:`"),
    ("scenarios", "quickstart.md shell code blocks and numbered steps with a command"),
    ("user", "plan.md Security Profile (UID, user name), a research decision naming a UID"),
];

impl Facts {
    /// Reads every document of the feature once. Warnings name files
    /// relative to the feature directory.
    /// `services` names the containers (service and binary names) so that
    /// text naming one of them applies to it alone.
    pub fn build(docs: &Documents, services: &[String]) -> Facts {
        use crate::spec::{CONFIGURATION, DATA_MODEL, DOCKERFILE_DESIGN, QUICKSTART, RESEARCH};
        let mut collector = Collector::default();
        plan::read(&docs.plan, services, &mut collector);
        for contract in &docs.contracts {
            collector.contract(contract);
        }
        for text in &docs.texts {
            let file = text.name.as_str();
            let doc = crate::spec::markdown::Document::parse(&text.text);
            let doc = alternatives::without_alternatives(doc);
            env::read(file, &doc, &mut collector);
            code::read(file, &doc, &mut collector);
            code::read_prose(file, &doc, &mut collector);
            decisions::read(file, &doc, &mut collector);
            match file {
                DATA_MODEL => entities::read(file, &doc, &mut collector),
                QUICKSTART => scenarios::read(file, &doc, &mut collector),
                DOCKERFILE_DESIGN => stages(file, &text.text, &mut collector),
                crate::spec::SPEC => images_in_requirements(file, &doc, &mut collector),
                _ => {}
            }
        }
        let yielded = |collector: &Collector, file: &str| match file {
            RESEARCH => collector.decisions.iter().any(|d| d.source.file == file),
            DATA_MODEL => collector.entities.iter().any(|e| e.source.file == file),
            QUICKSTART => collector.scenarios.iter().any(|s| s.source.file == file),
            CONFIGURATION => collector.env.iter().any(|v| v.source.file == file),
            DOCKERFILE_DESIGN => !collector.stages.is_empty(),
            _ => true,
        };
        let mut notes = Vec::new();
        for text in &docs.texts {
            if !yielded(&collector, &text.name) {
                let what = match text.name.as_str() {
                    RESEARCH => "no decisions found",
                    DATA_MODEL => "no entities found",
                    QUICKSTART => "no runnable scenarios found",
                    CONFIGURATION => "no environment variables found",
                    _ => "no build stages found",
                };
                notes.push(collect::warning(
                    &Source::new(&text.name, 1),
                    what.to_string(),
                ));
            }
        }
        Facts {
            notes,
            ..collector.finish()
        }
    }

    /// Whether any fact says the feature is about containers.
    pub fn about_containers(&self) -> bool {
        !(self.env.is_empty()
            && self.ports.is_empty()
            && self.health.is_empty()
            && self.images.builder.is_none()
            && self.images.runtime.is_none()
            && self.backing.is_empty()
            && self.user.is_none()
            && self.stages.is_empty())
    }

    /// The environment variables `service` (by service or binary name) reads.
    pub fn env_for<'a>(&'a self, names: &'a [&'a str]) -> impl Iterator<Item = &'a EnvVar> {
        self.env
            .iter()
            .filter(move |var| applies(&var.services, names))
    }

    /// The ports of the service called any of `names`, or of every service.
    pub fn ports_for(&self, names: &[&str]) -> Vec<u16> {
        let mut ports = Vec::new();
        for port in &self.ports {
            let owners: Vec<String> = port.service.iter().cloned().collect();
            if applies(&owners, names) && !ports.contains(&port.port) {
                ports.push(port.port);
            }
        }
        ports
    }

    /// The health endpoint of the service called any of `names`.
    pub fn health_for(&self, names: &[&str]) -> Option<&Health> {
        let owned = |h: &&Health| {
            h.service
                .as_deref()
                .is_some_and(|s| names.iter().any(|n| named(s, n)))
        };
        self.health
            .iter()
            .find(owned)
            .or_else(|| self.health.iter().find(|h| h.service.is_none()))
    }
}

/// Whether a fact owned by `owners` (empty: everyone) applies to a service
/// called any of `names`.
pub fn applies(owners: &[String], names: &[&str]) -> bool {
    owners.is_empty()
        || owners
            .iter()
            .any(|owner| names.iter().any(|name| named(owner, name)))
}

/// `api` names `greeter-api` (and the reverse), case-insensitively.
fn named(word: &str, name: &str) -> bool {
    let (word, name) = (word.trim().to_ascii_lowercase(), name.to_ascii_lowercase());
    values::names_match(&word, &name) || values::names_match(&name, &word)
}

/// spec.md requirements naming a base image (`- **FR-3**: The runtime image
/// MUST be \`debian:bookworm-slim\``).
fn images_in_requirements(file: &str, doc: &crate::spec::markdown::Document, out: &mut Collector) {
    use crate::spec::markdown::Block;
    for block in &doc.blocks {
        let Block::Paragraph(paragraph) = block else {
            continue;
        };
        let text = paragraph.text();
        if !text.to_ascii_lowercase().contains("image") {
            continue;
        }
        let (builder, runtime) = values::base_images(&text);
        let fact = |value: String| Fact {
            value,
            source: Source::new(file, paragraph.line()),
        };
        out.builder.extend(builder.map(fact));
        out.runtime.extend(runtime.map(fact));
    }
}

fn stages(file: &str, text: &str, collector: &mut Collector) {
    for item in crate::spec::dockerfile_design::parse_dockerfile_design(text) {
        collector.stages.push(Fact {
            value: item.text,
            source: Source::new(file, item.line),
        });
    }
}
