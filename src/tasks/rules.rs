//! The tasks template's generation rules: design documents and the container
//! layout in, an ordered list of drafted tasks with dependencies out. Pure:
//! no disk, no numbering (see `merge` for IDs).

use super::cite::{self, Cited};
use crate::docker::Runtime;
use crate::facts::{Facts, Source, Topic};
use crate::layout::{Layout, ServiceLayout};
use crate::spec::tree::TreePath;
use crate::spec::Documents;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PhaseKind {
    Setup,
    Core,
    Tests,
    Integration,
    Polish,
}

impl PhaseKind {
    /// Phases in execution order.
    pub fn order(tdd: bool) -> [PhaseKind; 5] {
        use PhaseKind::*;
        if tdd {
            [Setup, Tests, Core, Integration, Polish]
        } else {
            [Setup, Core, Tests, Integration, Polish]
        }
    }

    pub fn title(self, tdd: bool) -> String {
        let position = Self::order(tdd)
            .iter()
            .position(|p| *p == self)
            .unwrap_or(0)
            + 1;
        let name = match (self, tdd) {
            (PhaseKind::Setup, _) => "Setup",
            (PhaseKind::Core, _) => "Core Implementation",
            (PhaseKind::Tests, false) => "Tests",
            (PhaseKind::Tests, true) => "Tests First (TDD)",
            (PhaseKind::Integration, _) => "Integration",
            (PhaseKind::Polish, _) => "Polish",
        };
        format!("Phase 3.{position}: {name}")
    }
}

/// A task before it has an ID: `after` holds indices into the draft list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub phase: PhaseKind,
    pub description: String,
    pub paths: Vec<String>,
    pub after: Vec<usize>,
    /// The facts the task was drafted from; empty for a template task.
    pub sources: Vec<Cited>,
}

/// Template defaults when the plan states no goals.
pub const DEFAULT_GOALS: &str = "<30s startup, <500MB image";

pub struct Input<'a> {
    pub feature_rel: &'a str,
    pub docs: &'a Documents,
    pub facts: &'a Facts,
    pub layout: &'a Layout,
    /// The runtime image's kind: a task names only files it uses
    /// ([`Runtime::uses`]); the work of the others goes where it happens.
    pub runtime: Runtime,
    /// The runtime packages the documents ask for (not the workspace's crates).
    pub packages: &'a [String],
    pub tdd: bool,
}

/// Drafts every task in execution order (phases in `PhaseKind::order`).
pub fn draft(input: &Input) -> Vec<Draft> {
    let mut plan = Planner::default();
    plan.build(input);
    let mut drafts = plan.drafts;
    if input.tdd {
        reverse_core_test_edges(&mut drafts);
    }
    order_by_phase(drafts, input.tdd)
}

#[derive(Default)]
struct Planner {
    drafts: Vec<Draft>,
}

/// The indices of tasks per service, for wiring dependencies.
struct ServiceTasks {
    dockerfile: usize,
    entrypoint: usize,
    /// The task creating the file the build-time setup is written in: the
    /// setup scripts, else the Dockerfile.
    setup: usize,
}

impl Planner {
    fn add(&mut self, phase: PhaseKind, what: &str, paths: Vec<String>, after: &[usize]) -> usize {
        self.drafts.push(Draft {
            phase,
            description: format!("{what} in {}", join_paths(&paths)),
            paths,
            after: after.to_vec(),
            sources: Vec::new(),
        });
        self.drafts.len() - 1
    }

    /// Records the facts task `index` was drafted from.
    fn cite(&mut self, index: usize, sources: impl IntoIterator<Item = Cited>) {
        self.drafts[index].sources.extend(sources);
    }

    fn build(&mut self, input: &Input) {
        use PhaseKind::*;
        let layout = input.layout;
        let docs = input.docs;
        let facts = input.facts;
        let runtime = input.runtime;
        let each = |file: &str| per_service(layout, file);
        let test = |file: &str| format!("{}/{file}", layout.test_dir);

        let mut dirs: Vec<String> = layout
            .services
            .iter()
            .map(|s| format!("{}/", s.dir))
            .collect();
        dirs.extend(layout.shared_dir.iter().map(|d| format!("{d}/")));
        dirs.push(format!("{}/", layout.test_dir));
        dirs.dedup();
        let structure = self.add(
            Setup,
            "Create container directory structure per implementation plan",
            dirs,
            &[],
        );
        self.cite(structure, cite::structure(docs));
        let base = self.add(
            Setup,
            &format!(
                "Select and validate base image compatibility ({})",
                images(facts)
            ),
            each("Dockerfile"),
            &[structure],
        );
        self.cite(base, cite::images(facts));
        let packages = self.add(
            Setup,
            &packages_task(runtime, input.packages, docs),
            each(setup_file(runtime, "setup/scripts/20-packages.sh")),
            &[structure],
        );
        self.cite(packages, cite::packages(docs, facts));
        for decision in facts.decisions.iter().filter(|d| d.topic != Topic::Other) {
            let paths = topic_paths(layout, runtime, decision.topic, &decision.text);
            let task = self.add(
                Setup,
                &format!("Apply research decision {}", quote_decision(&decision.text)),
                paths,
                &[structure],
            );
            let fact = format!("decision {}", decision.text);
            self.cite(task, [Cited::new(&decision.source, fact)]);
        }

        let mut services = Vec::new();
        for service in &layout.services {
            let names = [service.name.as_str(), service.binary.as_str()];
            let ports = if layout.multi {
                facts.ports_for(&names)
            } else {
                facts.ports.iter().map(|p| p.port).collect()
            };
            let exposing = match ports.as_slice() {
                [] => String::new(),
                ports => format!(
                    " (EXPOSE {})",
                    ports
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            };
            let dockerfile = self.add(
                Core,
                &format!(
                    "Dockerfile creation for the {} binary{exposing}",
                    service.binary
                ),
                vec![format!("{}/Dockerfile", service.dir)],
                &[base],
            );
            self.cite(dockerfile, cite::ports(facts, layout, &names));
            for stage in &facts.stages {
                let task = self.add(
                    Core,
                    &format!("Build stage \"{}\"", stage.value),
                    vec![format!("{}/Dockerfile", service.dir)],
                    &[dockerfile],
                );
                let fact = format!("stage {}", stage.value);
                self.cite(task, [Cited::new(&stage.source, fact)]);
            }
            let entrypoint = self.add(
                Core,
                "Entrypoint program",
                vec![format!("{}/entrypoint.rs", service.dir)],
                &[structure],
            );
            let scripts = used(
                runtime,
                std::slice::from_ref(service),
                &["setup.sh", "setup/scripts/"],
            );
            let setup = match scripts.is_empty() {
                true => dockerfile,
                false => self.add(Core, "Setup scripts", scripts, &[packages]),
            };
            services.push(ServiceTasks {
                dockerfile,
                entrypoint,
                setup,
            });
        }
        let entrypoints: Vec<usize> = services.iter().map(|s| s.entrypoint).collect();
        for entity in &facts.entities {
            let paths = entity_paths(layout, runtime, &entity.value, docs);
            let task = self.add(
                Core,
                &format!("Model for entity {}", entity.value),
                paths,
                &entrypoints,
            );
            let fact = format!("entity {}", entity.value);
            self.cite(task, [Cited::new(&entity.source, fact)]);
        }
        let scripts = used(runtime, &layout.services, &["entrypoint.d/scripts/"]);
        let logging_after = match scripts.is_empty() {
            true => entrypoints.clone(),
            false => vec![self.add(Core, "Runtime scripts", scripts, &entrypoints)],
        };
        let logging = self.add(
            Core,
            "Logging and monitoring setup (logs to stdout/stderr)",
            each("entrypoint.rs"),
            &logging_after,
        );

        let dockerfiles: Vec<usize> = services.iter().map(|s| s.dockerfile).collect();
        let setups: Vec<usize> = services.iter().map(|s| s.setup).collect();
        let image = [dockerfiles.clone(), entrypoints.clone()].concat();
        let build_test = self.add(
            Tests,
            "Container build test",
            vec![test("build_test.sh")],
            &dockerfiles,
        );
        let entry_test = self.add(
            Tests,
            "Entrypoint functionality test",
            vec![test("entrypoint_test.sh")],
            &[entrypoints.clone(), vec![logging]].concat(),
        );
        let health_test = self.add(
            Tests,
            "Health check validation test",
            vec![test("health_test.sh")],
            &image,
        );
        let security_test = self.add(
            Tests,
            "Security scan test",
            vec![test("security_test.sh")],
            &[dockerfiles.clone(), setups.clone()].concat(),
        );
        let mut tests = vec![build_test, entry_test, health_test, security_test];
        for contract in &docs.contracts {
            let stem = contract_stem(&contract.path);
            let task = self.add(
                Tests,
                &format!("Contract test for {}", contract.path),
                vec![test(&format!("contracts/{stem}_test.sh"))],
                &image,
            );
            self.cite(task, cite::requests(facts, &contract.path));
            tests.push(task);
        }

        let compose = crate::backing::compose(layout.multi, facts);
        if compose {
            tests.push(self.add(
                Tests,
                "Compose stack test (up --wait, every service healthy, down -v)",
                vec![test("compose_test.sh")],
                &image,
            ));
        }

        let multistage = self.add(
            Integration,
            "Multi-stage build optimization",
            each("Dockerfile"),
            &dockerfiles,
        );
        let caching = self.add(
            Integration,
            "Layer caching configuration",
            each("Dockerfile"),
            &[multistage],
        );
        let hardening = self.add(
            Integration,
            "Security hardening (non-root user, permissions)",
            each(setup_file(runtime, "setup/scripts/")),
            &[entrypoints.clone(), setups].concat(),
        );
        self.cite(hardening, cite::user(facts));
        let mut integration = vec![multistage, caching, hardening];
        let health_check = self.add(
            Integration,
            &format!("Health check implementation ({})", health(facts)),
            each("entrypoint.rs"),
            &image,
        );
        self.cite(health_check, cite::health(facts));
        integration.push(health_check);
        if facts.env.is_empty() {
            integration.push(self.add(
                Integration,
                "Environment variable handling",
                each("entrypoint.rs"),
                &entrypoints,
            ));
        }
        for var in &facts.env {
            let paths = env_paths(layout, &var.services);
            let mut what = format!("Environment variable {}", var.name);
            let known: Vec<String> = [
                var.secret.then(|| "secret, required".to_string()),
                (var.required && !var.secret).then(|| "required".to_string()),
                var.default.as_ref().map(|d| format!("default {d}")),
                var.constraint.clone(),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !known.is_empty() {
                what = format!("{what} ({})", known.join("; "));
            }
            let task = self.add(
                Integration,
                &format!("{what} handling"),
                paths,
                &entrypoints,
            );
            self.cite(task, [Cited::new(&var.source, format!("env {}", var.name))]);
            integration.push(task);
        }
        if compose {
            let stack = self.add(
                Integration,
                &orchestration(facts),
                vec![format!("{}/compose.yaml", layout.docker_dir)],
                &dockerfiles,
            );
            self.cite(stack, cite::backing(facts));
            integration.push(stack);
        }

        let goals = goals(facts);
        let performance = self.add(
            Polish,
            &format!("Performance validation ({goals})"),
            vec![test("performance_test.sh")],
            &integration,
        );
        let stated = facts.goals.stated.iter();
        self.cite(
            performance,
            stated.map(|g| Cited::new(&g.source, format!("goal {}", g.value))),
        );
        self.add(
            Polish,
            "Update container documentation",
            vec![format!("{}/README.md", layout.docker_dir)],
            &image,
        );
        self.add(
            Polish,
            "Build context optimization",
            vec![".dockerignore".to_string()],
            &dockerfiles,
        );
        let quickstart = format!("{}/quickstart.md", input.feature_rel);
        let mut validations = Vec::new();
        for (n, scenario) in facts.scenarios.iter().enumerate() {
            let command = match scenario.commands.as_slice() {
                [] => String::new(),
                [one] => format!(" (run {})", quote_command(one)),
                [first, rest @ ..] => {
                    format!(" (run {} and {} more)", quote_command(first), rest.len())
                }
            };
            let task = self.add(
                Polish,
                &format!(
                    "Validate quickstart scenario {}: {}{command}",
                    n + 1,
                    scenario.title
                ),
                vec![quickstart.clone()],
                &tests,
            );
            let fact = format!("scenario {}", scenario.title);
            self.cite(task, [Cited::new(&scenario.source, fact)]);
            validations.push(task);
        }
        let run = self.add(
            Polish,
            "Run integration tests",
            vec![test("run_all.sh")],
            &[tests, integration, validations].concat(),
        );
        self.add(
            Polish,
            "Final security audit",
            vec![test("security_test.sh")],
            &[run],
        );
        for entry in new_in_tree(docs) {
            let what = match entry.is_dir {
                true => "New directory the plan's source tree marks",
                false => "New file the plan's source tree marks",
            };
            if !self.drafts.iter().any(|d| d.paths.contains(&entry.path)) {
                let task = self.add(Core, what, vec![entry.path.clone()], &[structure]);
                let at = Source::new(crate::spec::PLAN, entry.line);
                self.cite(task, [Cited::new(&at, format!("new {}", entry.path))]);
            }
        }
    }
}

/// The files of `files` the runtime image uses, in each of `services`: none
/// (and so no task) for the shell scripts an image without a shell never runs.
fn used(runtime: Runtime, services: &[ServiceLayout], files: &[&str]) -> Vec<String> {
    services
        .iter()
        .flat_map(|s| {
            files
                .iter()
                .filter(|file| runtime.uses(file))
                .map(move |file| format!("{}/{file}", s.dir))
        })
        .collect()
}

fn per_service(layout: &Layout, file: &str) -> Vec<String> {
    layout
        .services
        .iter()
        .map(|s| format!("{}/{file}", s.dir))
        .collect()
}

/// The decided images, else the template's defaults.
fn images(facts: &Facts) -> String {
    let builder = facts
        .images
        .builder
        .as_ref()
        .map_or("the official Rust image", |f| f.value.as_str());
    let runtime = facts
        .images
        .runtime
        .as_ref()
        .map_or("debian:bookworm-slim", |f| f.value.as_str());
    format!("builder {builder}, runtime {runtime}")
}

/// The decided health endpoints, else process liveness.
/// The compose task, naming the backing services it runs beside the feature's own.
fn orchestration(facts: &Facts) -> String {
    let task = "Service orchestration with health-gated startup";
    let backing: Vec<String> = facts
        .backing
        .iter()
        .map(|b| format!("{} ({})", b.name, b.image))
        .collect();
    match backing.is_empty() {
        true => task.to_string(),
        false => format!("{task} beside backing services {}", backing.join(", ")),
    }
}

fn health(facts: &Facts) -> String {
    let endpoints: Vec<String> = facts
        .health
        .iter()
        .map(|h| {
            let owner = h
                .service
                .as_ref()
                .map_or(String::new(), |s| format!(" on {s}"));
            format!("{} {} → {}{owner}", h.method, h.path, h.status)
        })
        .collect();
    if endpoints.is_empty() {
        "process liveness".to_string()
    } else {
        endpoints.join("; ")
    }
}

/// A decision inside a task's text: a single token that reads as code (an
/// image reference, a path) as a code span, anything else as a clause between
/// em-dashes; its closing period dropped (the task's text goes on).
fn quote_decision(text: &str) -> String {
    let text = text.trim().trim_end_matches('.').trim_end();
    let code_like = !text.contains(char::is_whitespace)
        && !text.contains('`')
        && text.contains([':', '/', '=', '@']);
    if code_like {
        format!("`{text}`")
    } else {
        format!("— {text} —")
    }
}

/// A command in a task description: in a code span, shortened.
fn quote_command(command: &str) -> String {
    const MAX: usize = 60;
    let command = command.replace('`', "'");
    let short: String = command.chars().take(MAX).collect();
    if short.len() < command.len() {
        format!("`{}…`", short.trim_end())
    } else {
        format!("`{command}`")
    }
}

/// Where build-time setup (the user, runtime packages) meant for the setup
/// script `script` is written: the script, where the runtime image runs it,
/// else the Dockerfile itself (`USER`, files copied from the builder stage).
fn setup_file(runtime: Runtime, script: &'static str) -> &'static str {
    match runtime.uses(script) {
        true => script,
        false => "Dockerfile",
    }
}

/// The system dependencies task: installed by the setup scripts, else, on
/// an image without a package manager, copied from the builder stage (and
/// packages the documents ask for named, with the way out).
fn packages_task(runtime: Runtime, packages: &[String], docs: &Documents) -> String {
    let named = dependencies(docs);
    if runtime.uses("setup/scripts/20-packages.sh") {
        return format!("Install system dependencies and packages ({named})");
    }
    match packages {
        [] => format!(
            "Provide system dependencies without a package manager: copy what the runtime image lacks from the builder stage ({named})"
        ),
        packages => format!(
            "Copy runtime packages {} from the builder stage or choose a runtime image with a package manager: this one cannot install them ({named})",
            packages.join(", ")
        ),
    }
}

fn dependencies(docs: &Documents) -> String {
    let named: Vec<String> = ["Primary Dependencies", "Build Requirements"]
        .into_iter()
        .filter_map(|name| docs.plan.field(name))
        .map(|f| format!("{}: {}", f.name, f.value.trim()))
        .collect();
    if named.is_empty() {
        "runtime libraries of the binaries".to_string()
    } else {
        named.join("; ")
    }
}

/// The plan's own goals for the performance task, else the template's.
pub fn goals(facts: &Facts) -> String {
    if facts.goals.stated.is_empty() {
        DEFAULT_GOALS.to_string()
    } else {
        let stated: Vec<&str> = facts
            .goals
            .stated
            .iter()
            .map(|g| g.value.as_str())
            .collect();
        stated.join(", ")
    }
}

/// The container file of a topic, per service the text names (else all).
fn topic_paths(layout: &Layout, runtime: Runtime, topic: Topic, text: &str) -> Vec<String> {
    let file = match topic {
        // The compiled entrypoint is also the health probe.
        Topic::Healthcheck | Topic::Entrypoint => "entrypoint.rs",
        Topic::Setup => setup_file(runtime, "setup/scripts/"),
        Topic::Dockerfile | Topic::Other => "Dockerfile",
    };
    let services = mentioned_services(layout, text);
    services
        .iter()
        .map(|s| format!("{}/{file}", s.dir))
        .collect()
}

/// Entities go to the plan's own source file that best matches their name
/// (spec-kit plans), else to the container file of their topic.
fn entity_paths(layout: &Layout, runtime: Runtime, entity: &str, docs: &Documents) -> Vec<String> {
    let sources: Vec<&str> = docs
        .plan
        .tree
        .iter()
        .filter(|p| !p.is_dir && !layout.places(&p.path) && !p.path.starts_with("specs/"))
        .map(|p| p.path.as_str())
        .collect();
    let entity_words = words(entity);
    let best = sources
        .iter()
        .map(|path| {
            let stem = path.rsplit('/').next().unwrap_or(path);
            let overlap = words(stem)
                .iter()
                .filter(|w| entity_words.contains(w))
                .count();
            (overlap, *path)
        })
        .filter(|(overlap, _)| *overlap > 0)
        .max_by_key(|(overlap, _)| *overlap);
    let not_an_entry_point = sources
        .iter()
        .find(|p| !p.ends_with("/main.rs") && !p.ends_with("/lib.rs"))
        .copied();
    match (best, not_an_entry_point) {
        (Some((_, path)), _) | (None, Some(path)) => vec![path.to_string()],
        (None, None) => topic_paths(layout, runtime, crate::facts::topic_of(entity), entity),
    }
}

/// The tree's entries marked new, but for feature documents and directories
/// holding a new entry (the entry's task creates them).
fn new_in_tree(docs: &Documents) -> Vec<&TreePath> {
    let new: Vec<&TreePath> = docs.plan.tree.iter().filter(|p| p.new).collect();
    new.iter()
        .filter(|entry| !entry.path.starts_with("specs/"))
        .filter(|entry| {
            !entry.is_dir
                || !new.iter().any(|other| {
                    other.path.len() > entry.path.len() && other.path.starts_with(&entry.path)
                })
        })
        .copied()
        .collect()
}

/// The services a text names (by service or binary name), else all of them.
fn mentioned_services<'a>(layout: &'a Layout, text: &str) -> Vec<&'a ServiceLayout> {
    let words = words(text);
    let named: Vec<&ServiceLayout> = layout
        .services
        .iter()
        .filter(|s| words.contains(&s.name.to_lowercase()) || text.contains(&s.binary))
        .collect();
    if named.is_empty() {
        layout.services.iter().collect()
    } else {
        named
    }
}

fn env_paths(layout: &Layout, used_by: &[String]) -> Vec<String> {
    let users: Vec<&ServiceLayout> = layout
        .services
        .iter()
        .filter(|s| used_by.is_empty() || used_by.iter().any(|u| u == &s.name || u == &s.binary))
        .collect();
    let users = if users.is_empty() {
        layout.services.iter().collect()
    } else {
        users
    };
    users
        .iter()
        .map(|s| format!("{}/entrypoint.rs", s.dir))
        .collect()
}

/// Lower-case words of a text, splitting camel case: `JobCounters` → job, counters.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    words.push(current);
    words.retain(|w| !w.is_empty());
    words
}

/// `contracts/health-endpoint.md` → `health-endpoint`.
pub fn contract_stem(path: &str) -> String {
    let name = path.strip_prefix("contracts/").unwrap_or(path);
    let name = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    name.replace('/', "-")
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_paths(paths: &[String]) -> String {
    match paths {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Under TDD, tests come first: an implementation task that a test waited
/// for now waits for that test instead.
fn reverse_core_test_edges(drafts: &mut [Draft]) {
    let phases: Vec<PhaseKind> = drafts.iter().map(|d| d.phase).collect();
    let mut reversed: Vec<(usize, usize)> = Vec::new();
    for (test, draft) in drafts.iter_mut().enumerate() {
        if draft.phase != PhaseKind::Tests {
            continue;
        }
        draft.after.retain(|&dep| {
            let is_core = phases[dep] == PhaseKind::Core;
            if is_core {
                reversed.push((dep, test));
            }
            !is_core
        });
    }
    for (core, test) in reversed {
        if !drafts[core].after.contains(&test) {
            drafts[core].after.push(test);
        }
    }
}

/// Stable sort into phase order, remapping the dependency indices.
fn order_by_phase(drafts: Vec<Draft>, tdd: bool) -> Vec<Draft> {
    let order = PhaseKind::order(tdd);
    let rank = |p: PhaseKind| order.iter().position(|o| *o == p).unwrap_or(0);
    let mut indices: Vec<usize> = (0..drafts.len()).collect();
    indices.sort_by_key(|&i| rank(drafts[i].phase));
    let mut new_index = vec![0; drafts.len()];
    for (new, &old) in indices.iter().enumerate() {
        new_index[old] = new;
    }
    indices
        .iter()
        .map(|&old| {
            let mut draft = drafts[old].clone();
            draft.after = draft.after.iter().map(|&d| new_index[d]).collect();
            draft.after.sort_unstable();
            draft.after.dedup();
            draft
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::ServiceLayout;
    use crate::spec::plan::parse_plan;

    fn layout() -> Layout {
        Layout {
            multi: false,
            docker_dir: "docker".into(),
            shared_dir: None,
            test_dir: "docker/test".into(),
            services: vec![ServiceLayout {
                name: "svc".into(),
                dir: "docker".into(),
                binary: "svc".into(),
                package: "svc".into(),
            }],
        }
    }

    fn docs(fields: &str) -> Documents {
        let plan = format!("# Plan\n## Container Technical Context\n{fields}\n");
        Documents::new(parse_plan(&plan).unwrap()).with_text(
            "research.md",
            "# Research\n\n**Decision**: healthcheck.sh uses /dev/tcp\n",
        )
    }

    /// A plan whose Project Structure draws `tree`.
    fn docs_with_tree(tree: &str) -> Documents {
        let plan = format!(
            "# Plan\n## Technical Context\n**Language/Version**: Rust\n\
             ## Project Structure\n### Source Code (repository root)\n```\n{tree}\n```\n"
        );
        Documents::new(parse_plan(&plan).unwrap())
    }

    /// The tasks drafted from `docs` for one container at `docker/`.
    fn draft_for(docs: &Documents, runtime: Runtime, packages: &[String], tdd: bool) -> Vec<Draft> {
        let facts = Facts::build(docs, &[]);
        draft(&Input {
            feature_rel: "specs/001-x",
            docs,
            facts: &facts,
            layout: &layout(),
            runtime,
            packages,
            tdd,
        })
    }

    fn find<'a>(drafts: &'a [Draft], start: &str) -> (usize, &'a Draft) {
        drafts
            .iter()
            .enumerate()
            .find(|(_, d)| d.description.starts_with(start))
            .unwrap_or_else(|| panic!("no task starting with {start}"))
    }

    /// Each variable's task says what the documents know of it: a secret is
    /// required by nature, a required variable says so, a default is quoted.
    #[test]
    fn each_variable_task_says_whether_it_is_required_secret_or_defaulted() {
        let docs = docs("").with_text(
            "configuration.md",
            "| Variable | Default | Required |\n|---|---|---|\n\
             | APP_TOKEN | | yes |\n| APP_REGION | | yes |\n| APP_PORT | 8080 | no |\n",
        );
        let drafts = draft_for(&docs, Runtime::Debian, &[], false);
        let variables: Vec<&str> = drafts
            .iter()
            .map(|d| d.description.as_str())
            .filter(|d| d.starts_with("Environment variable"))
            .collect();
        assert_eq!(
            variables,
            [
                "Environment variable APP_TOKEN (secret, required) handling in docker/entrypoint.rs",
                "Environment variable APP_REGION (required) handling in docker/entrypoint.rs",
                "Environment variable APP_PORT (default 8080) handling in docker/entrypoint.rs",
            ]
        );
    }

    #[test]
    fn phases_are_in_template_order_and_dependencies_point_backwards() {
        let drafts = draft_for(&docs(""), Runtime::Debian, &[], false);
        let phases: Vec<PhaseKind> = drafts.iter().map(|d| d.phase).collect();
        assert!(phases.windows(2).all(|w| w[0] <= w[1]), "{phases:?}");
        for (i, d) in drafts.iter().enumerate() {
            assert!(
                d.after.iter().all(|&a| a < i),
                "{} waits for a later task",
                d.description
            );
        }
        let (_, research) = find(&drafts, "Apply research decision");
        assert_eq!(research.paths, ["docker/entrypoint.rs"]);
    }

    #[test]
    fn an_entity_lives_in_the_source_file_its_name_shares_a_word_with() {
        // Directories, the container's own files and feature documents are
        // never an entity's home, whatever their names.
        let tree = [
            "src/",
            "├── main.rs",
            "├── order/",
            "├── config.rs",
            "├── catalog_entry.rs",
            "└── lib.rs",
            "docker/order.sh",
            "specs/001-x/order.md",
        ]
        .join("\n");
        let docs = docs_with_tree(&tree);
        let paths = |entity| entity_paths(&layout(), Runtime::Debian, entity, &docs);
        assert_eq!(paths("Catalog Entry"), ["src/catalog_entry.rs"]);
        // No name shares a word: the first source file that is no entry point.
        assert_eq!(paths("Order"), ["src/config.rs"]);
    }

    /// Two services: `api` (binary `api-server`) and `worker`.
    fn two_services() -> Layout {
        let service = |name: &str, binary: &str| ServiceLayout {
            name: name.into(),
            dir: format!("docker/{name}"),
            binary: binary.into(),
            package: name.into(),
        };
        Layout {
            multi: true,
            services: vec![service("api", "api-server"), service("worker", "worker")],
            ..layout()
        }
    }

    #[test]
    fn a_topic_goes_to_the_files_of_the_services_the_text_names() {
        let layout = two_services();
        let paths = |text| topic_paths(&layout, Runtime::Debian, Topic::Healthcheck, text);
        assert_eq!(
            paths("The Worker answers probes"),
            ["docker/worker/entrypoint.rs"]
        );
        assert_eq!(
            paths("api-server probes /healthz"),
            ["docker/api/entrypoint.rs"]
        );
        let all = ["docker/api/entrypoint.rs", "docker/worker/entrypoint.rs"];
        assert_eq!(paths("Probes answer within 1 s"), all);
        assert_eq!(paths("api and worker answer probes"), all);
    }

    #[test]
    fn a_variable_goes_to_the_entrypoints_of_the_services_that_use_it() {
        let layout = two_services();
        let paths = |used_by: &[&str]| {
            let used_by: Vec<String> = used_by.iter().map(|u| u.to_string()).collect();
            env_paths(&layout, &used_by)
        };
        assert_eq!(paths(&["api-server"]), ["docker/api/entrypoint.rs"]);
        assert_eq!(paths(&["worker"]), ["docker/worker/entrypoint.rs"]);
        let all = ["docker/api/entrypoint.rs", "docker/worker/entrypoint.rs"];
        assert_eq!(paths(&[]), all);
        assert_eq!(paths(&["billing"]), all);
    }

    #[test]
    fn a_scenario_command_is_quoted_whole_up_to_sixty_characters() {
        let sixty = "x".repeat(60);
        assert_eq!(quote_command(&sixty), format!("`{sixty}`"));
        assert_eq!(quote_command(&format!("{sixty}y")), format!("`{sixty}…`"));
        assert_eq!(quote_command("echo `id`"), "`echo 'id'`");
    }

    #[test]
    fn a_new_directory_gets_a_task_only_when_nothing_new_is_drawn_in_it() {
        let tree = [
            "docker/                 # NEW",
            "├── Dockerfile",
            "├── probe.sh            # NEW",
            "└── sidecar/            # NEW",
            "    └── run.sh",
            "ops/                    # NEW",
            "specs/001-x/notes.md    # NEW",
        ]
        .join("\n");
        let docs = docs_with_tree(&tree);
        let new: Vec<&str> = new_in_tree(&docs).iter().map(|p| p.path.as_str()).collect();
        assert_eq!(new, ["docker/probe.sh", "docker/sidecar/", "ops/"]);
        let drafts = draft_for(&docs, Runtime::Debian, &[], false);
        let marked: Vec<&[String]> = drafts
            .iter()
            .filter(|d| d.description.contains("the plan's source tree marks"))
            .map(|d| d.paths.as_slice())
            .collect();
        assert_eq!(marked, [["docker/probe.sh"], ["docker/sidecar/"], ["ops/"]]);
    }

    #[test]
    fn tdd_puts_tests_first_and_makes_implementation_wait_for_them() {
        let drafts = draft_for(&docs(""), Runtime::Debian, &[], true);
        let (build_test, test) = find(&drafts, "Container build test");
        let (dockerfile, core) = find(&drafts, "Dockerfile creation");
        assert!(build_test < dockerfile);
        assert!(core.after.contains(&build_test));
        assert!(!test
            .after
            .iter()
            .any(|&a| drafts[a].phase == PhaseKind::Core));
        assert_eq!(PhaseKind::Tests.title(true), "Phase 3.2: Tests First (TDD)");
    }

    #[test]
    fn a_single_container_beside_backing_services_gets_compose_tasks() {
        let with_redis = docs("").with_text(
            "quickstart.md",
            "# Quickstart\n\n```bash\ndocker run -d redis:7\n```\n",
        );
        let drafts = draft_for(&with_redis, Runtime::Debian, &[], false);
        let (_, test) = find(&drafts, "Compose stack test");
        assert_eq!(test.paths, ["docker/test/compose_test.sh"]);
        let (_, compose) = find(&drafts, "Service orchestration");
        assert_eq!(
            compose.description,
            "Service orchestration with health-gated startup beside backing services redis (redis:7) in docker/compose.yaml"
        );
        assert_eq!(compose.paths, ["docker/compose.yaml"]);
        let drafts = draft_for(&docs(""), Runtime::Debian, &[], false);
        assert!(!drafts
            .iter()
            .any(|d| d.paths.iter().any(|p| p.contains("compose"))));
    }

    /// The tasks for one container on `runtime`, from a plan asking for
    /// `tzdata` and a research decision naming the UID.
    fn drafted(runtime: Runtime, packages: &[String]) -> Vec<Draft> {
        let docs = Documents::new(
            parse_plan(
                "# Plan\n## Container Technical Context\n**Primary Dependencies**: tzdata\n",
            )
            .unwrap(),
        )
        .with_text(
            "research.md",
            "# Research\n\n**Decision**: run as the nonroot account, UID 65532\n",
        );
        draft_for(&docs, runtime, packages, false)
    }

    #[test]
    fn an_image_without_a_shell_gets_no_script_tasks_and_its_setup_in_the_dockerfile() {
        let paths = |drafts: &[Draft], start: &str| find(drafts, start).1.paths.clone();
        let tzdata = ["tzdata".to_string()];
        let debian = drafted(Runtime::Debian, &tzdata);
        assert_eq!(
            paths(&debian, "Setup scripts"),
            ["docker/setup.sh", "docker/setup/scripts/"]
        );
        assert_eq!(
            paths(&debian, "Runtime scripts"),
            ["docker/entrypoint.d/scripts/"]
        );
        assert_eq!(
            paths(&debian, "Apply research decision"),
            ["docker/setup/scripts/"]
        );
        assert_eq!(
            find(&debian, "Install system dependencies").1.paths,
            ["docker/setup/scripts/20-packages.sh"]
        );
        for runtime in [
            Runtime::DistrolessCc,
            Runtime::DistrolessStatic,
            Runtime::Scratch,
        ] {
            let drafts = drafted(runtime, &tzdata);
            assert_eq!(drafts.len(), debian.len() - 2, "{runtime:?}");
            for draft in &drafts {
                assert!(
                    draft
                        .paths
                        .iter()
                        .all(|p| !p.contains("setup") && !p.contains("entrypoint.d")),
                    "{runtime:?}: {}",
                    draft.description
                );
                assert!(
                    !draft.description.contains(" scripts"),
                    "{}",
                    draft.description
                );
            }
            let (_, packages) = find(&drafts, "Copy runtime packages");
            assert_eq!(
                packages.description,
                "Copy runtime packages tzdata from the builder stage or choose a runtime image with a package manager: this one cannot install them (Primary Dependencies: tzdata) in docker/Dockerfile"
            );
            assert_eq!(
                paths(&drafts, "Apply research decision"),
                ["docker/Dockerfile"]
            );
            assert_eq!(paths(&drafts, "Security hardening"), ["docker/Dockerfile"]);
            let (entrypoint, _) = find(&drafts, "Entrypoint program");
            assert_eq!(
                find(&drafts, "Logging and monitoring").1.after,
                [entrypoint]
            );
        }
        let scratch = drafted(Runtime::Scratch, &[]);
        let (_, without) = find(&scratch, "Provide system dependencies");
        assert_eq!(
            without.description,
            "Provide system dependencies without a package manager: copy what the runtime image lacks from the builder stage (Primary Dependencies: tzdata) in docker/Dockerfile"
        );
    }

    #[test]
    fn performance_task_uses_the_plans_goals_else_the_templates() {
        let stated = docs("**Image Size Goals**: <100MB\n**Startup Performance**: <2s");
        let goals_of = |docs: &Documents| goals(&Facts::build(docs, &[]));
        assert_eq!(goals_of(&stated), "<2s, <100MB");
        assert_eq!(goals_of(&docs("")), DEFAULT_GOALS);
        let unclear = docs("**Startup Performance**: NEEDS CLARIFICATION");
        assert_eq!(goals_of(&unclear), DEFAULT_GOALS);
    }

    #[test]
    fn decisions_are_a_clause_or_code_without_nested_quotes() {
        assert_eq!(
            quote_decision("tini as PID 1, entrypoint.sh ends with exec \"$@\"."),
            "— tini as PID 1, entrypoint.sh ends with exec \"$@\" —"
        );
        assert_eq!(
            quote_decision("debian:bookworm-slim"),
            "`debian:bookworm-slim`"
        );
        assert_eq!(
            quote_decision("gcr.io/distroless/cc."),
            "`gcr.io/distroless/cc`"
        );
        assert_eq!(quote_decision("Alpine"), "— Alpine —");
        assert_eq!(quote_decision("use`x`:y"), "— use`x`:y —");
    }

    #[test]
    fn paths_are_joined_as_prose_and_contract_stems_are_flat() {
        let paths = |p: &[&str]| join_paths(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(paths(&["a"]), "a");
        assert_eq!(paths(&["a", "b", "c"]), "a, b and c");
        assert_eq!(contract_stem("contracts/http/health.md"), "http-health");
        assert_eq!(
            words("JobCounters metrics.rs"),
            ["job", "counters", "metrics", "rs"]
        );
    }
}
