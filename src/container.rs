//! The scaffold template context (see the contract in the README): the
//! layout's services with what the plan's free-text fields say about them
//! (images, ports, user, health probe, goals, runtime packages,
//! environment-variable checks), the workspace's manifests and sources, and
//! the contracts' requests. Pure: values in, values out.

use crate::backing;
use crate::docker::Runtime;
use crate::facts::values::{first_code_span, is_digits};
use crate::facts::{Fact, Facts, Source};
use crate::layout::{Layout, ServiceLayout};
use crate::spec::{self, contracts, Documents, Plan};
use crate::tasks::rules::contract_stem;
use crate::workspace::{Package, TargetKind, Workspace};
use crate::Diagnostic;
use serde::Serialize;

/// Template defaults when the plan names no goal.
pub const DEFAULT_IMAGE_SIZE_MB: u64 = 500;
pub const DEFAULT_STARTUP_SECONDS: u64 = 30;
pub const DEFAULT_UID: u32 = 10001;
pub const DEFAULT_RUNTIME_IMAGE: &str = "debian:bookworm-slim";
const DEFAULT_DEBIAN_RELEASE: &str = "bookworm";
const DEBIAN_RELEASES: [&str; 4] = ["bullseye", "bookworm", "trixie", "forky"];

/// Everything the context is built from; `contract_texts` holds the text of
/// each of `docs.contracts`, in order.
pub struct Inputs<'a> {
    pub feature: &'a str,
    pub docs: &'a Documents,
    pub facts: &'a Facts,
    pub layout: &'a Layout,
    pub workspace: &'a Workspace,
    /// `rustc --version` output, the fallback builder version.
    pub rustc_version: Option<&'a str>,
    pub contract_texts: &'a [String],
    /// Root-level `.cargo` and `vendor` when they exist: an offline,
    /// vendored build needs them before the first cargo call.
    pub extra: &'a [String],
}

/// What every template receives.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub generator: String,
    pub feature: String,
    pub multi: bool,
    pub docker_dir: String,
    pub test_dir: String,
    pub shared_dir: Option<String>,
    /// The workspace root seen from `docker_dir` (`..`, `../..`): compose's build context.
    pub root_from_docker_dir: String,
    /// The workspace root seen from `test_dir`: the test scripts' build context.
    pub root_from_test_dir: String,
    pub builder_image: String,
    pub runtime_image: String,
    pub uid: u32,
    pub gid: u32,
    pub user: String,
    pub goals: Goals,
    pub workspace: WorkspaceFiles,
    pub services: Vec<Service>,
    /// Services the feature runs beside its own (compose lists them).
    pub backing: Vec<backing::Service>,
    /// Whether compose.yaml (and its test) is rendered: several containers,
    /// or one beside backing services.
    pub compose: bool,
    pub compose_vars: Vec<ComposeVar>,
    /// The connection URLs compose.yaml writes a password into.
    pub url_passwords: Vec<UrlPassword>,
    pub contracts: Vec<ContractCheck>,
}

/// A wired connection URL (`DATABASE_URL`) and the password variable
/// compose substitutes into it (`POSTGRES_PASSWORD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrlPassword {
    pub url: String,
    pub password: String,
}

/// A variable compose.yaml requires (`${NAME:?…}`), with the value the
/// generated tests give it: `None` for a secret, which gets a random value
/// each run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComposeVar {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goals {
    pub image_size_mb: u64,
    pub startup_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkspaceFiles {
    /// Root manifest first, then every member's, relative.
    pub manifests: Vec<String>,
    pub stubs: Vec<Stub>,
    /// Member directories (or a root package's top-level source paths).
    pub sources: Vec<String>,
    /// Copied before the dependency build (`.cargo`, `vendor`).
    pub extra: Vec<String>,
}

/// A target source file replaced by a stub for the dependency-only build:
/// kind "lib" (empty file) or "bin" (`fn main() {}`: bins, build scripts,
/// tests, examples, benches).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stub {
    pub path: String,
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub name: String,
    pub dir: String,
    /// Local image tag the test scripts use.
    pub image: String,
    pub binary: String,
    pub package: PackageInfo,
    pub ports: Vec<u16>,
    pub port_env: Option<String>,
    pub health: Health,
    pub env: Vec<Env>,
    pub packages: Vec<String>,
    pub config_files: Vec<String>,
    /// Services this one waits for, healthy, in compose.yaml: a service
    /// without ports waits for every service that has some.
    pub depends_on: Vec<String>,
}

/// Cargo metadata for OCI labels; missing values are "".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    pub license: String,
    pub repository: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Env {
    pub name: String,
    pub default: Option<String>,
    pub required: bool,
    /// Never defaulted and never echoed.
    pub secret: bool,
    pub check: Check,
    pub valid: String,
    pub invalid: Option<String>,
    /// The value compose.yaml gives a connection variable of a backing
    /// service (`DATABASE_URL` → `postgres://app:${POSTGRES_PASSWORD}@postgres:5432/app`).
    pub wired: Option<backing::Parts>,
}

/// A contract file, its requests and what its generated test does with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractCheck {
    pub path: String,
    pub stem: String,
    pub requests: Vec<contracts::Request>,
    pub steps: Vec<contracts::Step>,
    /// What the test cannot check, one line each.
    pub skipped: Vec<String>,
    /// Why the contract could not be read: `contracts/api.yaml:3: invalid YAML: …`.
    pub problem: Option<String>,
    pub service: Service,
    /// The port the test sends to: the service's first, else one the contract's servers name.
    pub port: Option<u16>,
}

/// The context with one service set, for per-service templates.
#[derive(Serialize)]
pub struct ServiceView<'a> {
    #[serde(flatten)]
    pub context: &'a Context,
    pub service: &'a Service,
}

/// The context with one contract set, for per-contract templates.
#[derive(Serialize)]
pub struct ContractView<'a> {
    #[serde(flatten)]
    pub context: &'a Context,
    pub contract: &'a ContractCheck,
}

/// Builds the context, with warnings (a default that fails its own
/// validation, a root UID) whose files are relative to the feature directory.
pub fn context(inputs: &Inputs) -> (Context, Vec<Diagnostic>) {
    let facts = inputs.facts;
    let mut warnings = Vec::new();
    let runtime_image = runtime_image(facts);
    let builder_image = facts.images.builder.as_ref().map_or_else(
        || default_builder(inputs.rustc_version, &runtime_image),
        |f| f.value.clone(),
    );
    let user = facts.user.as_ref();
    let default_uid = default_uid(&runtime_image);
    let (uid, gid) = match user.map(|u| (u.uid, u.gid.or(u.uid))) {
        Some((Some(0), _) | (_, Some(0))) => {
            let source = user
                .map(|u| u.source.clone())
                .unwrap_or(Source::new(spec::PLAN, 1));
            warnings.push(
                Diagnostic::warning(
                    source.line,
                    format!("Security Profile names UID/GID 0 (root); using {default_uid} instead"),
                )
                .in_file(&source.file),
            );
            (default_uid, default_uid)
        }
        Some((uid, gid)) => (uid.unwrap_or(default_uid), gid.unwrap_or(default_uid)),
        None => (default_uid, default_uid),
    };
    let mut services: Vec<Service> = inputs
        .layout
        .services
        .iter()
        .map(|slot| service(inputs, slot, &mut warnings))
        .collect();
    let listeners: Vec<String> = services
        .iter()
        .filter(|s| !s.ports.is_empty())
        .map(|s| s.name.clone())
        .collect();
    let own: Vec<String> = services.iter().map(|s| s.name.clone()).collect();
    let backing = backing::services(&facts.backing, &facts.env, &own);
    for service in services.iter_mut() {
        if service.ports.is_empty() {
            service.depends_on = listeners.clone();
        }
        wire(service, facts, &backing);
    }
    let compose = backing::compose(inputs.layout.multi, facts);
    let compose_vars = compose_vars(&services, &backing);
    let url_passwords = url_passwords(&services);
    let contracts = contract_checks(inputs, &services);
    let goal = |fact: &Option<crate::facts::Fact<u64>>, default| {
        fact.as_ref().map_or(default, |f| f.value)
    };
    let context = Context {
        generator: format!("cargo-tasks {}", env!("CARGO_PKG_VERSION")),
        feature: inputs.feature.to_string(),
        multi: inputs.layout.multi,
        docker_dir: inputs.layout.docker_dir.clone(),
        test_dir: inputs.layout.test_dir.clone(),
        shared_dir: inputs.layout.shared_dir.clone(),
        root_from_docker_dir: crate::layout::up_to_root(&inputs.layout.docker_dir),
        root_from_test_dir: crate::layout::up_to_root(&inputs.layout.test_dir),
        builder_image,
        runtime_image,
        uid,
        gid,
        user: user
            .and_then(|u| u.name.clone())
            .unwrap_or_else(|| "app".to_string()),
        goals: Goals {
            image_size_mb: goal(&facts.goals.image_size_mb, DEFAULT_IMAGE_SIZE_MB),
            startup_seconds: goal(&facts.goals.startup_seconds, DEFAULT_STARTUP_SECONDS),
        },
        workspace: WorkspaceFiles {
            extra: inputs.extra.to_vec(),
            ..workspace_files(inputs.workspace)
        },
        services,
        backing,
        compose,
        compose_vars,
        url_passwords,
        contracts,
    };
    (context, warnings)
}

/// Gives the service's connection variables their compose values.
fn wire(service: &mut Service, facts: &Facts, backing: &[backing::Service]) {
    let reads: Vec<String> = service.env.iter().map(|env| env.name.clone()).collect();
    for env in service.env.iter_mut() {
        if let Some(var) = facts.env.iter().find(|var| var.name == env.name) {
            env.wired = backing::wire(var, backing, &reads);
        }
    }
}

/// The connection URLs compose.yaml writes a password into, once each by
/// name: compose substitutes it as it is, so its value must be URL-safe.
fn url_passwords(services: &[Service]) -> Vec<UrlPassword> {
    let mut found: Vec<UrlPassword> = Vec::new();
    for env in services.iter().flat_map(|s| &s.env) {
        let Some(parts) = &env.wired else { continue };
        let text = parts.iter().filter(|p| p.text.is_some()).count();
        for password in parts.iter().filter_map(|p| p.var.as_ref()) {
            let entry = UrlPassword {
                url: env.name.clone(),
                password: password.clone(),
            };
            // A URL has text around the variable; a password wired to itself has none.
            if text > 0 && !found.contains(&entry) {
                found.push(entry);
            }
        }
    }
    found
}

/// Every variable compose.yaml requires, once: the services' required
/// variables that are not wired, and the variables wired values and
/// backing services take from the shell (passwords).
fn compose_vars(services: &[Service], backing: &[backing::Service]) -> Vec<ComposeVar> {
    let mut vars: Vec<ComposeVar> = Vec::new();
    let mut add = |name: &str, value: Option<String>| {
        if !vars.iter().any(|v| v.name == name) {
            vars.push(ComposeVar {
                name: name.to_string(),
                value,
            });
        }
    };
    let from_shell = |parts: &backing::Parts| -> Vec<String> {
        parts.iter().filter_map(|p| p.var.clone()).collect()
    };
    for env in services.iter().flat_map(|s| &s.env) {
        match &env.wired {
            Some(parts) => from_shell(parts).iter().for_each(|v| add(v, None)),
            None if env.required => add(&env.name, Some(env.valid.clone()).filter(|_| !env.secret)),
            None => {}
        }
    }
    for setting in backing.iter().flat_map(|b| &b.environment) {
        from_shell(&setting.value).iter().for_each(|v| add(v, None));
    }
    vars
}

fn service(inputs: &Inputs, slot: &ServiceLayout, warnings: &mut Vec<Diagnostic>) -> Service {
    let facts = inputs.facts;
    let names = [slot.name.as_str(), slot.binary.as_str()];
    // A single container gets every fact; several get only what applies to each.
    let all: [&str; 0] = [];
    let owners: &[&str] = if inputs.layout.multi { &names } else { &all };
    let env: Vec<Env> = facts
        .env
        .iter()
        .filter(|var| owners.is_empty() || crate::facts::applies(&var.services, owners))
        .map(|var| env(var, warnings))
        .collect();
    let port_env = env
        .iter()
        .find(|var| var.name == "PORT" || var.name.ends_with("_PORT"))
        .map(|var| var.name.clone());
    let mut ports: Vec<u16> = if owners.is_empty() {
        let mut ports: Vec<u16> = Vec::new();
        for port in &facts.ports {
            if !ports.contains(&port.port) {
                ports.push(port.port);
            }
        }
        ports
    } else {
        facts.ports_for(owners)
    };
    if ports.is_empty() {
        let default_port = env
            .iter()
            .find(|var| Some(&var.name) == port_env.as_ref())
            .and_then(|var| var.default.as_deref()?.parse::<u16>().ok())
            .filter(|port| *port > 0);
        ports.extend(default_port);
    }
    let endpoint = if owners.is_empty() {
        facts.health.first()
    } else {
        facts.health_for(owners)
    };
    let health = match (endpoint, ports.first()) {
        (Some(endpoint), Some(first)) => Health::Http {
            path: endpoint.path.clone(),
            port: endpoint.port.unwrap_or(*first),
            status: endpoint.status,
        },
        _ => Health::Process,
    };
    let package = inputs
        .workspace
        .packages
        .iter()
        .find(|p| p.name == slot.package);
    Service {
        name: slot.name.clone(),
        dir: slot.dir.clone(),
        image: image_tag(&slot.binary),
        binary: slot.binary.clone(),
        package: package_info(package, &slot.package),
        ports,
        port_env,
        health,
        env,
        packages: runtime_packages(facts, inputs.workspace),
        config_files: config_files(&inputs.docs.plan, &slot.dir),
        depends_on: Vec::new(),
    }
}

fn env(var: &crate::facts::EnvVar, warnings: &mut Vec<Diagnostic>) -> Env {
    let check = var
        .constraint
        .as_deref()
        .map(Check::parse)
        .unwrap_or(Check::Any);
    let warning = var
        .default
        .as_deref()
        .filter(|d| !check.accepts(d))
        .map(|default| {
            Diagnostic::warning(
                var.source.line,
                format!(
                    "the default `{default}` of {} fails its own validation",
                    var.name
                ),
            )
            .in_file(&var.source.file)
        });
    if let Some(warning) = warning {
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
    Env {
        name: var.name.clone(),
        default: var.default.clone(),
        required: var.required,
        secret: var.secret,
        valid: check.valid_sample(var.default.as_deref()),
        invalid: check.invalid_sample(),
        check,
        wired: None,
    }
}

/// The decided runtime image, else [`DEFAULT_RUNTIME_IMAGE`].
pub fn runtime_image(facts: &Facts) -> String {
    facts
        .images
        .runtime
        .as_ref()
        .map_or_else(|| DEFAULT_RUNTIME_IMAGE.to_string(), |f| f.value.clone())
}

/// Debian packages for the runtime stage: a container plan's "Primary
/// Dependencies", else `ca-certificates` (the compiled entrypoint is the
/// init, so no `tini`).
fn runtime_packages(facts: &Facts, ws: &Workspace) -> Vec<String> {
    let mut packages: Vec<String> = asked_packages(facts, ws)
        .iter()
        .map(|p| p.value.clone())
        .collect();
    if packages.is_empty() {
        packages.push("ca-certificates".to_string());
    }
    packages
}

/// The runtime packages the documents ask for; the workspace's own package
/// names are crates, not Debian packages.
pub fn asked_packages<'f>(facts: &'f Facts, ws: &Workspace) -> Vec<&'f Fact<String>> {
    facts
        .packages
        .iter()
        .filter(|fact| !ws.packages.iter().any(|p| p.name == fact.value))
        .collect()
}

/// A warning per line asking for runtime packages when `runtime_image` has no shell and so
/// no package manager: the Dockerfile cannot install them, and dropping them silently would
/// ship an image without them. Files are relative to the feature directory.
pub fn uninstallable_packages(
    facts: &Facts,
    ws: &Workspace,
    runtime_image: &str,
) -> Vec<Diagnostic> {
    if Runtime::of(runtime_image).has_shell() {
        return Vec::new();
    }
    let asked = asked_packages(facts, ws);
    let mut sources: Vec<&Source> = asked.iter().map(|p| &p.source).collect();
    sources.sort();
    sources.dedup();
    sources
        .into_iter()
        .map(|source| {
            let names: Vec<&str> = asked
                .iter()
                .filter(|p| &p.source == source)
                .map(|p| p.value.as_str())
                .collect();
            Diagnostic::warning(
                source.line,
                format!(
                    "runtime packages {} cannot be installed: the runtime image `{runtime_image}` has no shell or package manager; copy them from the builder stage in the Dockerfile or choose a runtime image with a package manager",
                    names.join(", ")
                ),
            )
            .in_file(&source.file)
        })
        .collect()
}

/// Files the plan's tree draws under `<dir>/config/`, relative to it.
fn config_files(plan: &Plan, dir: &str) -> Vec<String> {
    let prefix = format!("{dir}/config/");
    plan.tree
        .iter()
        .filter(|entry| !entry.is_dir)
        .filter_map(|entry| entry.path.strip_prefix(&prefix))
        .filter(|rest| !rest.is_empty())
        .map(str::to_string)
        .collect()
}

/// A valid local image tag from a binary name.
fn image_tag(binary: &str) -> String {
    binary
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect()
}

fn package_info(package: Option<&Package>, name: &str) -> PackageInfo {
    let text = |value: Option<&String>| value.cloned().unwrap_or_default();
    PackageInfo {
        name: name.to_string(),
        version: package.map(|p| p.version.clone()).unwrap_or_default(),
        description: text(package.and_then(|p| p.description.as_ref())),
        license: text(package.and_then(|p| p.license.as_ref())),
        repository: text(package.and_then(|p| p.repository.as_ref())),
    }
}

fn workspace_files(ws: &Workspace) -> WorkspaceFiles {
    let mut manifests = vec!["Cargo.toml".to_string()];
    let mut stubs: Vec<Stub> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for package in &ws.packages {
        let manifest = ws.relative(&package.manifest_path);
        let dir = manifest
            .rsplit_once('/')
            .map_or(String::new(), |(dir, _)| dir.to_string());
        if !manifests.contains(&manifest) {
            manifests.push(manifest);
        }
        for target in &package.targets {
            let path = ws.relative(&target.src_path);
            if path.starts_with('/') {
                continue;
            }
            if dir.is_empty() {
                let top = path.split('/').next().unwrap_or(&path).to_string();
                if !sources.contains(&top) {
                    sources.push(top);
                }
            }
            let kind = if target.kind == TargetKind::Lib {
                "lib"
            } else {
                "bin"
            };
            if !stubs.iter().any(|s| s.path == path) {
                stubs.push(Stub { path, kind });
            }
        }
        if !dir.is_empty() && !sources.contains(&dir) {
            sources.push(dir);
        }
    }
    manifests[1..].sort();
    stubs.sort_by(|a, b| a.path.cmp(&b.path));
    sources.sort();
    WorkspaceFiles {
        manifests,
        stubs,
        sources,
        extra: Vec::new(),
    }
}

fn contract_checks(inputs: &Inputs, services: &[Service]) -> Vec<ContractCheck> {
    inputs
        .docs
        .contracts
        .iter()
        .enumerate()
        .filter_map(|(i, contract)| {
            let text = inputs.contract_texts.get(i).map_or("", String::as_str);
            let named: Vec<u16> = contract.servers.iter().filter_map(|s| s.port).collect();
            let service = contract_service(text, &named, services)?;
            let plan = contracts::steps(contract);
            let port = service
                .ports
                .iter()
                .find(|p| named.contains(p))
                .or(service.ports.first())
                .or(named.first())
                .copied();
            Some(ContractCheck {
                path: contract.path.clone(),
                stem: contract_stem(&contract.path),
                requests: contract.requests.clone(),
                steps: plan.steps,
                skipped: plan.skipped,
                problem: contract
                    .problem
                    .as_ref()
                    .map(|p| format!("{}:{}: {}", contract.path, p.line, p.message)),
                service: service.clone(),
                port,
            })
        })
        .collect()
}

/// The service named in the contract text, else the one listening on a port
/// the contract's servers name, else the first with ports, else the first.
fn contract_service<'s>(text: &str, ports: &[u16], services: &'s [Service]) -> Option<&'s Service> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .collect();
    services
        .iter()
        .find(|s| words.iter().any(|w| *w == s.name || *w == s.binary))
        .or_else(|| {
            services
                .iter()
                .find(|s| s.ports.iter().any(|p| ports.contains(p)))
        })
        .or_else(|| services.iter().find(|s| !s.ports.is_empty()))
        .or_else(|| services.first())
}

/// Template name prefixes: rendered once per service, once per feature, once per contract.
pub const SERVICE_TEMPLATES: &str = "docker/service/";
pub const FEATURE_TEMPLATES: &str = "docker/feature/";
pub const CONTRACT_TEMPLATES: &str = "docker/contract/";

/// What one template is rendered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Feature,
    Service(usize),
    Contract(usize),
}

/// One file to write: the template, the workspace-relative path, the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub template: String,
    pub path: String,
    pub scope: Scope,
}

impl Output {
    /// Shell scripts are written executable.
    pub fn executable(&self) -> bool {
        self.path.ends_with(".sh")
    }
}

/// Every file the templates produce for `context`, sorted by path:
/// `docker/service/<p>.hbs` → `<service.dir>/<p>` per service, where the
/// runtime image uses `<p>` (see [`Runtime::uses`]: no shell script for an
/// image without a shell);
/// `docker/feature/<p>.hbs` → `<p>` (unless `left_out`:
/// compose files, `docker/shared/`); `docker/contract/contract_<p>.hbs` →
/// `<test_dir>/contracts/<stem>_<p>` per contract. Other names are ignored.
pub fn outputs(template_names: &[String], context: &Context) -> Vec<Output> {
    let mut outputs = Vec::new();
    let runtime = Runtime::of(&context.runtime_image);
    for template in template_names {
        let Some(rel) = template
            .strip_suffix(".hbs")
            .filter(|_| is_scaffold_template(template))
        else {
            continue;
        };
        let output = |path: String, scope| Output {
            template: template.clone(),
            path,
            scope,
        };
        if let Some(rel) = rel.strip_prefix(SERVICE_TEMPLATES) {
            if !runtime.uses(rel) {
                continue;
            }
            for (i, service) in context.services.iter().enumerate() {
                outputs.push(output(format!("{}/{rel}", service.dir), Scope::Service(i)));
            }
        } else if let Some(rel) = rel.strip_prefix(CONTRACT_TEMPLATES) {
            let rel = rel.strip_prefix("contract_").unwrap_or(rel);
            for (i, contract) in context.contracts.iter().enumerate() {
                let path = format!("{}/contracts/{}_{rel}", context.test_dir, contract.stem);
                outputs.push(output(path, Scope::Contract(i)));
            }
        } else if let Some(rel) = rel.strip_prefix(FEATURE_TEMPLATES) {
            let path = placed(rel, context);
            if !left_out(&path, context) {
                outputs.push(output(path, Scope::Feature));
            }
        }
    }
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    outputs
}

/// Whether `name` is a template `outputs` renders.
pub fn is_scaffold_template(name: &str) -> bool {
    name.ends_with(".hbs")
        && [SERVICE_TEMPLATES, FEATURE_TEMPLATES, CONTRACT_TEMPLATES]
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

/// A feature template's path with `docker/` and `docker/test/` where the
/// layout puts them.
fn placed(rel: &str, context: &Context) -> String {
    if let Some(rest) = rel.strip_prefix("docker/test/") {
        format!("{}/{rest}", context.test_dir)
    } else if let Some(rest) = rel.strip_prefix("docker/") {
        format!("{}/{rest}", context.docker_dir)
    } else {
        rel.to_string()
    }
}

/// The shared directory exists only for several containers; compose.yaml
/// and its test for several, or for one beside backing services.
fn left_out(path: &str, context: &Context) -> bool {
    let shared = path.starts_with(&format!("{}/shared/", context.docker_dir));
    let compose = [
        format!("{}/compose.yaml", context.docker_dir),
        format!("{}/compose_test.sh", context.test_dir),
    ]
    .contains(&path.to_string());
    (shared && !context.multi) || (compose && !context.compose)
}

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
    Http {
        path: String,
        port: u16,
        status: u16,
    },
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

    /// The clause of prose (a Description cell, the text of a variable's
    /// bullet) that states a check plainly enough to enforce: "one of a, b",
    /// a number range ("TCP port, 1-65535"), "must start with `x`". Prose
    /// mentions ports and prefixes without constraining anything, so a lone
    /// "port" or "prefix" there is not a check (a Validation cell's is).
    pub fn stated_in(text: &str) -> Option<&str> {
        text.split(';')
            .flat_map(|part| part.split(". "))
            .map(|clause| clause.trim().trim_end_matches('.'))
            .find(|clause| {
                let lower = clause.to_ascii_lowercase();
                match Check::parse(clause) {
                    Check::OneOf { .. } => lower.contains("one of"),
                    Check::IntRange { .. } => has_number_range(&lower),
                    Check::Prefix { .. } => {
                        ["start with", "starts with", "begin with", "begins with"]
                            .iter()
                            .any(|words| lower.contains(words))
                    }
                    Check::Any => false,
                }
            })
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

/// The builder image when the plan names none: `rust:<M.m>-slim-<release>`
/// with the version of the local `rustc --version` (the toolchain the
/// workspace is known to build with) and the Debian release of the runtime.
pub fn default_builder(rustc: Option<&str>, runtime_image: &str) -> String {
    let version = rustc
        .and_then(minor_version)
        .unwrap_or_else(|| "1".to_string());
    let release = DEBIAN_RELEASES
        .iter()
        .find(|release| runtime_image.contains(*release))
        .unwrap_or(&DEFAULT_DEBIAN_RELEASE);
    format!("rust:{version}-slim-{release}")
}

/// The UID (and GID) of the runtime user when no document names one:
/// distroless's `nonroot` tags (`:nonroot`, `:debug-nonroot`) run as their
/// own nonroot user, 65532; any other image as [`DEFAULT_UID`].
pub fn default_uid(runtime_image: &str) -> u32 {
    const DISTROLESS_NONROOT: u32 = 65532;
    let name = runtime_image.split('@').next().unwrap_or_default();
    let name = name.rsplit('/').next().unwrap_or_default();
    let tag = name.split_once(':').map_or("", |(_, tag)| tag);
    if tag.split('-').any(|part| part == "nonroot") {
        DISTROLESS_NONROOT
    } else {
        DEFAULT_UID
    }
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

fn first_word(text: &str) -> Option<String> {
    text.split_whitespace()
        .next()
        .map(|w| w.trim_matches(|c: char| c == '"' || c == '\'' || c == '.' || c == ','))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
}

/// "1-65535", "1 – 100", "1 to 10": two numbers joined by a dash or "to".
fn has_number_range(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let number = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let dashed = |w: &str| {
        w.split_once(['-', '–'])
            .is_some_and(|(low, high)| number(low) && number(high))
    };
    words.iter().any(|w| dashed(w))
        || words.windows(3).any(|three| {
            number(three[0]) && ["-", "–", "to"].contains(&three[1]) && number(three[2])
        })
}

/// Non-negative integers in order ("1-65535" → [1, 65535]).
fn integers(text: &str) -> Vec<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect()
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
    fn checks_stated_in_prose() {
        for (prose, clause) in [
            ("TCP port, 1-65535", "TCP port, 1-65535"),
            (
                ": listening port, default `7070`; must be an integer 1-65535.",
                "must be an integer 1-65535",
            ),
            (
                "language, default `en`; one of `en`, `fr`, `de`.",
                "one of `en`, `fr`, `de`",
            ),
            (
                "Queue URL. Must start with `redis://`",
                "Must start with `redis://`",
            ),
            ("number of workers, 1 to 16", "number of workers, 1 to 16"),
        ] {
            assert_eq!(Check::stated_in(prose), Some(clause), "{prose}");
        }
        for prose in [
            "port the server binds",
            "important: port 8080 by default",
            "prefix of every log line",
            "signs session tokens",
            "a boolean flag",
            "",
        ] {
            assert_eq!(Check::stated_in(prose), None, "{prose}");
        }
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
    fn nonroot_tags_run_as_their_own_user() {
        for image in [
            "gcr.io/distroless/cc-debian12:nonroot",
            "gcr.io/distroless/static-debian12:debug-nonroot",
            "registry.local:5000/distroless/cc:nonroot-amd64",
        ] {
            assert_eq!(default_uid(image), 65532, "{image}");
        }
        for image in [
            "gcr.io/distroless/cc-debian12",
            "debian:bookworm-slim",
            "registry.local:5000/nonroot/app:1.0",
            "gcr.io/distroless/cc@sha256:0123",
        ] {
            assert_eq!(default_uid(image), DEFAULT_UID, "{image}");
        }
    }

    #[test]
    fn default_builder_follows_rustc_and_the_runtime_release() {
        let rustc = Some("rustc 1.91.1 (ed61e7d7e 2025-11-07)");
        assert_eq!(
            default_builder(rustc, DEFAULT_RUNTIME_IMAGE),
            "rust:1.91-slim-bookworm"
        );
        assert_eq!(
            default_builder(rustc, "debian:trixie-slim"),
            "rust:1.91-slim-trixie"
        );
        assert_eq!(default_builder(None, "x"), "rust:1-slim-bookworm");
    }

    mod context {
        use super::super::*;
        use crate::config::Config;
        use crate::spec::plan::parse_plan;
        use crate::workspace::Target;
        use std::path::PathBuf;

        const PLAN: &str = "# Container Implementation Plan: greeter

## Container Technical Context
**Container Type**: web-service
**Base Image Strategy**: rust:1.95-slim-bookworm (build), debian:bookworm-slim (runtime)
**Primary Dependencies**: greeter-core, greeter-api (workspace crates); ca-certificates, tini, libssl3
**Configuration Method**: env vars (GREETER_PORT, GREETER_LOG_LEVEL, GREETER_QUEUE_URL, GREETER_EXTRA)
**Network Requirements**: api exposes 8080/tcp; worker internal only
**Security Profile**: non-root user `svc` (UID 20001)
**Health Monitoring**: HTTP GET /healthz on the api; process liveness for the worker
**Image Size Goals**: <100MB
**Startup Performance**: <10s to healthy

## Container Project Structure
### Container Source Structure (repository root)
```
docker/
├── api/
│   ├── Dockerfile
│   └── config/
│       └── app.toml
├── worker/
│   └── Dockerfile
└── test/
```

**Structure Decision**: Multi-container: one directory per service under `docker/`.
";

        const CONFIGURATION: &str = "| Variable | Default | Validation | Used by |
|----------|---------|------------|---------|
| `GREETER_PORT` | `8080` | integer 1-65535 | api |
| `GREETER_LOG_LEVEL` | `info` | one of error, warn, info, debug | api, worker |
| `GREETER_QUEUE_URL` | (none) | must start with `redis://` | worker |
";

        fn package(name: &str, dir: &str, targets: &[(&str, TargetKind, &str)]) -> Package {
            let root = PathBuf::from("/ws");
            Package {
                name: name.into(),
                version: "0.3.0".into(),
                description: Some(format!("{name} crate")),
                license: Some("MIT".into()),
                repository: None,
                rust_version: None,
                manifest_path: root.join(dir).join("Cargo.toml"),
                targets: targets
                    .iter()
                    .map(|(n, kind, path)| Target {
                        name: n.to_string(),
                        kind: *kind,
                        src_path: root.join(dir).join(path),
                    })
                    .collect(),
            }
        }

        fn workspace() -> Workspace {
            Workspace {
                root: PathBuf::from("/ws"),
                packages: vec![
                    package(
                        "greeter-api",
                        "crates/greeter-api",
                        &[("greeter-api", TargetKind::Bin, "src/main.rs")],
                    ),
                    package(
                        "greeter-core",
                        "crates/greeter-core",
                        &[
                            ("greeter_core", TargetKind::Lib, "src/lib.rs"),
                            ("build-script-build", TargetKind::Other, "build.rs"),
                        ],
                    ),
                    package(
                        "greeter-worker",
                        "crates/greeter-worker",
                        &[("greeter-worker", TargetKind::Bin, "src/main.rs")],
                    ),
                ],
                config: Config::default(),
            }
        }

        fn documents(plan: &str, configuration: &str, contracts: &[&str]) -> Documents {
            let plan = parse_plan(plan).unwrap();
            let mut docs = Documents::new(plan).with_text("configuration.md", configuration);
            docs.contracts = contracts
                .iter()
                .map(|p| crate::spec::contracts::parse_contract(p, "md", ""))
                .collect();
            docs
        }

        fn build(docs: &Documents, ws: &Workspace, texts: &[String]) -> (Context, Vec<Diagnostic>) {
            let layout = crate::layout::layout(&docs.plan, ws).unwrap();
            let facts = Facts::build(docs, &layout.names());
            context(&Inputs {
                feature: "001-greeter",
                docs,
                facts: &facts,
                layout: &layout,
                workspace: ws,
                rustc_version: Some("rustc 1.91.0 (x 2025-10-01)"),
                contract_texts: texts,
                extra: &[],
            })
        }

        #[test]
        fn greeter_multi_container_context() {
            let ws = workspace();
            let docs = documents(PLAN, CONFIGURATION, &[]);
            let (cx, warnings) = build(&docs, &ws, &[]);
            assert!(warnings.is_empty(), "{warnings:?}");
            assert!(cx.multi);
            assert_eq!(cx.shared_dir.as_deref(), Some("docker/shared"));
            assert_eq!(cx.builder_image, "rust:1.95-slim-bookworm");
            assert_eq!(cx.runtime_image, "debian:bookworm-slim");
            assert_eq!((cx.uid, cx.gid, cx.user.as_str()), (20001, 20001, "svc"));
            assert_eq!(
                cx.goals,
                Goals {
                    image_size_mb: 100,
                    startup_seconds: 10
                }
            );
            let [api, worker] = cx.services.as_slice() else {
                panic!("{:?}", cx.services)
            };
            assert_eq!(
                (api.name.as_str(), api.dir.as_str(), api.binary.as_str()),
                ("api", "docker/api", "greeter-api")
            );
            assert_eq!(api.image, "greeter-api");
            assert_eq!(api.ports, [8080]);
            assert_eq!(api.port_env.as_deref(), Some("GREETER_PORT"));
            assert_eq!(
                api.health,
                Health::Http {
                    path: "/healthz".into(),
                    port: 8080,
                    status: 200
                }
            );
            assert_eq!(api.config_files, ["app.toml"]);
            assert_eq!(api.packages, ["ca-certificates", "tini", "libssl3"]);
            assert_eq!(api.package.description, "greeter-api crate");
            assert_eq!(api.package.repository, "");
            let names = |s: &Service| s.env.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
            assert_eq!(
                names(api),
                ["GREETER_PORT", "GREETER_LOG_LEVEL", "GREETER_EXTRA"]
            );
            assert_eq!(
                names(worker),
                ["GREETER_LOG_LEVEL", "GREETER_QUEUE_URL", "GREETER_EXTRA"]
            );
            assert!(worker.ports.is_empty());
            assert_eq!(worker.health, Health::Process);
            assert!(api.depends_on.is_empty());
            assert_eq!(worker.depends_on, ["api"]);
            assert_eq!(worker.port_env, None);
            let queue = &worker.env[1];
            assert!(queue.required);
            assert_eq!(queue.valid, "redis://example");
            assert_eq!(queue.invalid.as_deref(), Some("not-a-number"));
            let extra = &worker.env[2];
            assert!(!extra.required);
            assert_eq!(
                (extra.check.clone(), extra.invalid.clone()),
                (Check::Any, None)
            );
            assert_eq!(
                cx.workspace.manifests,
                [
                    "Cargo.toml",
                    "crates/greeter-api/Cargo.toml",
                    "crates/greeter-core/Cargo.toml",
                    "crates/greeter-worker/Cargo.toml"
                ]
            );
            assert_eq!(
                cx.workspace.sources,
                [
                    "crates/greeter-api",
                    "crates/greeter-core",
                    "crates/greeter-worker"
                ]
            );
            let stubs: Vec<(&str, &str)> = cx
                .workspace
                .stubs
                .iter()
                .map(|s| (s.path.as_str(), s.kind))
                .collect();
            assert_eq!(
                stubs,
                [
                    ("crates/greeter-api/src/main.rs", "bin"),
                    ("crates/greeter-core/build.rs", "bin"),
                    ("crates/greeter-core/src/lib.rs", "lib"),
                    ("crates/greeter-worker/src/main.rs", "bin"),
                ]
            );
        }

        #[test]
        fn single_container_defaults_and_root_package_sources() {
            let plan = "# Plan: hello\n\n## Technical Context\n**Language/Version**: Rust 1.95\n**Primary Dependencies**: axum, tokio\n";
            let configuration = "| Variable | Default | Validation |\n|---|---|---|\n| `HELLO_PORT` | `3000` | port |\n| `HELLO_MODE` | `fast` | one of slow, quick |\n";
            let ws = Workspace {
                root: PathBuf::from("/ws"),
                packages: vec![package(
                    "hello",
                    "",
                    &[
                        ("hello", TargetKind::Bin, "src/main.rs"),
                        ("build-script-build", TargetKind::Other, "build.rs"),
                    ],
                )],
                config: Config::default(),
            };
            let docs = documents(plan, configuration, &[]);
            let (cx, warnings) = build(&docs, &ws, &[]);
            let [warning] = warnings.as_slice() else {
                panic!("{warnings:?}")
            };
            assert_eq!(
                warning.file.as_deref(),
                Some(std::path::Path::new("configuration.md"))
            );
            assert_eq!(warning.line, 4);
            assert_eq!(
                warning.message,
                "the default `fast` of HELLO_MODE fails its own validation"
            );
            assert!(!cx.multi);
            assert_eq!(cx.shared_dir, None);
            assert_eq!(cx.builder_image, "rust:1.91-slim-bookworm");
            assert_eq!(
                (cx.uid, cx.gid, cx.user.as_str()),
                (DEFAULT_UID, DEFAULT_UID, "app")
            );
            assert_eq!(
                cx.goals,
                Goals {
                    image_size_mb: 500,
                    startup_seconds: 30
                }
            );
            let [hello] = cx.services.as_slice() else {
                panic!()
            };
            assert_eq!(
                (hello.name.as_str(), hello.dir.as_str()),
                ("hello", "docker")
            );
            assert_eq!(hello.ports, [3000], "the port variable's default");
            assert_eq!(hello.health, Health::Process);
            assert_eq!(
                hello.packages,
                ["ca-certificates"],
                "crates are not Debian packages"
            );
            assert_eq!(hello.env[1].valid, "slow");
            assert_eq!(cx.workspace.manifests, ["Cargo.toml"]);
            assert_eq!(cx.workspace.sources, ["build.rs", "src"]);
        }

        #[test]
        fn contracts_get_requests_steps_and_a_service() {
            let ws = workspace();
            let mut docs = documents(PLAN, CONFIGURATION, &[]);
            let texts = [
                "# Health\n\n`GET /healthz` returns 200 with `ok`.\n- `POST /greet` → 201 Created\n".to_string(),
                "The greeter-worker reads jobs from the queue.\n".to_string(),
            ];
            docs.contracts = ["contracts/health-endpoint.md", "contracts/queue.md"]
                .iter()
                .zip(&texts)
                .map(|(p, t)| crate::spec::contracts::parse_contract(p, "md", t))
                .collect();
            let (cx, _) = build(&docs, &ws, &texts);
            let [health, queue] = cx.contracts.as_slice() else {
                panic!()
            };
            assert_eq!(health.stem, "health-endpoint");
            assert_eq!(health.service.name, "api", "first service with ports");
            assert_eq!(health.port, Some(8080));
            let sent: Vec<(&str, &str, &str)> = health
                .steps
                .iter()
                .map(|s| (s.method.as_str(), s.target.as_str(), s.expect.as_str()))
                .collect();
            assert_eq!(
                sent,
                [("GET", "/healthz", "200"), ("POST", "/greet", "201")]
            );
            assert_eq!(queue.service.name, "worker", "named by its binary");
            let mut listening = cx.services.clone();
            listening[1].ports = vec![9090, 9091];
            let by_port = contract_service("", &[9091], &listening).unwrap();
            assert_eq!(
                by_port.name, "worker",
                "the one listening on the servers' port"
            );
            assert_eq!(contract_service("", &[1], &listening).unwrap().name, "api");
            assert!(queue.steps.is_empty() && queue.problem.is_none());
            assert_eq!(
                queue.skipped,
                ["contracts/queue.md defines no HTTP request (no `METHOD /path` in it); check it by hand"]
            );
        }

        #[test]
        fn views_serialize_the_context_with_one_service_or_contract() {
            let ws = workspace();
            let docs = documents(PLAN, CONFIGURATION, &[]);
            let (cx, _) = build(&docs, &ws, &[]);
            let view = serde_json::to_value(ServiceView {
                context: &cx,
                service: &cx.services[0],
            })
            .unwrap();
            assert_eq!(
                view["service"]["health"],
                serde_json::json!({"kind": "http", "path": "/healthz", "port": 8080, "status": 200})
            );
            assert_eq!(
                view["services"][1]["env"][0]["check"],
                serde_json::json!({"kind": "one_of", "values": ["error", "warn", "info", "debug"]})
            );
            assert_eq!(view["feature"], "001-greeter");
            assert!(view["shared_dir"].is_string());
        }

        #[test]
        fn a_root_uid_is_refused_with_a_warning() {
            let plan = PLAN.replace("UID 20001", "UID 0");
            let ws = workspace();
            let docs = documents(&plan, CONFIGURATION, &[]);
            let (cx, warnings) = build(&docs, &ws, &[]);
            assert_eq!((cx.uid, cx.gid), (DEFAULT_UID, DEFAULT_UID));
            assert_eq!(warnings.len(), 1);
            assert_eq!(
                (warnings[0].file.as_deref(), warnings[0].line),
                (Some(std::path::Path::new("plan.md")), 9)
            );
        }

        #[test]
        fn one_container_beside_a_database_gets_compose_with_wired_variables() {
            let plan = "# Plan: hello\n\n## Technical Context\n**Storage**: PostgreSQL\n";
            let configuration = "| Variable | Default | Validation |\n|---|---|---|\n| `DATABASE_URL` | | must start with `postgres://` |\n| `HELLO_API_TOKEN` | | |\n| `HELLO_MODE` | | one of a, b |\n";
            let quickstart = "# Quickstart\n\n```bash\ndocker run -d -e POSTGRES_PASSWORD=pw -e POSTGRES_DB=hello postgres:15\n```\n";
            let ws = Workspace {
                packages: workspace().packages[..1].to_vec(),
                ..workspace()
            };
            let docs = documents(plan, configuration, &[]).with_text("quickstart.md", quickstart);
            let (cx, _) = build(&docs, &ws, &[]);
            assert!(!cx.multi && cx.compose);
            let [db] = cx.backing.as_slice() else {
                panic!("{:?}", cx.backing)
            };
            assert_eq!(
                (db.name.as_str(), db.image.as_str()),
                ("postgres", "postgres:15")
            );
            let spelled = |parts: &backing::Parts| -> String {
                parts
                    .iter()
                    .map(|p| match (&p.text, &p.var) {
                        (Some(text), _) => text.clone(),
                        (_, var) => format!("${{{}}}", var.as_deref().unwrap_or("")),
                    })
                    .collect()
            };
            let env = &cx.services[0].env;
            assert_eq!(
                env[0].wired.as_ref().map(spelled).as_deref(),
                Some("postgres://app:${POSTGRES_PASSWORD}@postgres:5432/hello")
            );
            assert!(env[1].secret && env[1].wired.is_none());
            assert_eq!(
                cx.compose_vars,
                [
                    ComposeVar {
                        name: "POSTGRES_PASSWORD".into(),
                        value: None
                    },
                    ComposeVar {
                        name: "HELLO_API_TOKEN".into(),
                        value: None
                    },
                    ComposeVar {
                        name: "HELLO_MODE".into(),
                        value: Some("a".into())
                    },
                ],
                "secrets get no value, the others their valid sample"
            );
            let names = [
                "docker/feature/docker/compose.yaml.hbs",
                "docker/feature/docker/test/compose_test.sh.hbs",
                "docker/feature/docker/shared/lib.sh.hbs",
            ]
            .map(String::from);
            let paths: Vec<String> = outputs(&names, &cx).into_iter().map(|o| o.path).collect();
            assert_eq!(
                paths,
                ["docker/compose.yaml", "docker/test/compose_test.sh"]
            );
            let without = Context {
                backing: Vec::new(),
                compose: false,
                ..cx
            };
            assert!(outputs(&names, &without).is_empty());
        }

        #[test]
        fn outputs_per_service_feature_and_contract() {
            let ws = workspace();
            let docs = documents(PLAN, CONFIGURATION, &["contracts/health-endpoint.md"]);
            let (multi, _) = build(&docs, &ws, &[String::new()]);
            let names: Vec<String> = [
                "docker/service/Dockerfile.hbs",
                "docker/service/setup/scripts/10-user.sh.hbs",
                "docker/feature/.dockerignore.hbs",
                "docker/feature/docker/compose.yaml.hbs",
                "docker/feature/docker/shared/lib.sh.hbs",
                "docker/contract/contract_test.sh.hbs",
                "tasks.md.hbs",
                "docker/service/notes.txt",
            ]
            .map(String::from)
            .to_vec();
            let listed = |cx: &Context| -> Vec<(String, Scope, bool)> {
                outputs(&names, cx)
                    .into_iter()
                    .map(|o| (o.path.clone(), o.scope, o.executable()))
                    .collect()
            };
            let own = |p: &str, scope, x| (p.to_string(), scope, x);
            assert_eq!(
                listed(&multi),
                [
                    own(".dockerignore", Scope::Feature, false),
                    own("docker/api/Dockerfile", Scope::Service(0), false),
                    own(
                        "docker/api/setup/scripts/10-user.sh",
                        Scope::Service(0),
                        true
                    ),
                    own("docker/compose.yaml", Scope::Feature, false),
                    own("docker/shared/lib.sh", Scope::Feature, true),
                    own(
                        "docker/test/contracts/health-endpoint_test.sh",
                        Scope::Contract(0),
                        true
                    ),
                    own("docker/worker/Dockerfile", Scope::Service(1), false),
                    own(
                        "docker/worker/setup/scripts/10-user.sh",
                        Scope::Service(1),
                        true
                    ),
                ]
            );
            let single_plan = PLAN
                .replace("Multi-container: one directory per service under `docker/`.", "Single container.")
                .replace("├── api/\n│   ├── Dockerfile\n│   └── config/\n│       └── app.toml\n├── worker/\n│   └── Dockerfile\n", "");
            let single_ws = Workspace {
                packages: ws.packages[..2].to_vec(),
                ..workspace()
            };
            let (single, _) = build(
                &documents(&single_plan, CONFIGURATION, &[]),
                &single_ws,
                &[],
            );
            assert_eq!(
                listed(&single),
                [
                    own(".dockerignore", Scope::Feature, false),
                    own("docker/Dockerfile", Scope::Service(0), false),
                    own("docker/setup/scripts/10-user.sh", Scope::Service(0), true),
                ]
            );
            // An image without a shell never runs the setup scripts: none is written.
            let shellless = Context {
                runtime_image: "gcr.io/distroless/static-debian12".into(),
                ..single
            };
            assert_eq!(
                listed(&shellless),
                [
                    own(".dockerignore", Scope::Feature, false),
                    own("docker/Dockerfile", Scope::Service(0), false),
                ]
            );
        }
    }
}
