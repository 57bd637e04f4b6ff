use crate::cli::{to_json, Context, Format, TemplateArgs};
use crate::container;
use crate::docker::Runtime;
use crate::facts::Facts;
use crate::feature::{self, Feature, FeatureArgs};
use crate::layout::{self, Layout};
use crate::ops::fs::{unified_diff, Outcome, Writer};
use crate::render::Renderer;
use crate::spec::{self, Documents};
use crate::tasks::cite::Cited;
use crate::tasks::dependencies;
use crate::tasks::gates::{self, Gate};
use crate::tasks::merge::{self, Merged, Previous};
use crate::tasks::rules::{self, Input};
use crate::tasks::Task;
use crate::workspace::Workspace;
use crate::{Diagnostic, Error, Result};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Generate tasks.md for every feature of the workspace
    #[arg(long, conflicts_with = "feature")]
    pub all: bool,
    /// Put tests before implementation (TDD)
    #[arg(long)]
    pub tdd: bool,
    /// Treat warnings (NEEDS CLARIFICATION) as errors
    #[arg(long)]
    pub strict: bool,
    /// Print a diff of what would change and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write nothing; exit 1 when tasks.md is out of date
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
    /// Write even though lines written by hand would be dropped or a validation gate fails
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub template: TemplateArgs,
    /// Output format of the generated tasks on stdout
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What `tasks.md.hbs` receives (`--print-context` shows it).
#[derive(Debug, Serialize)]
pub struct TemplateContext {
    feature: FeatureInfo,
    prerequisites: String,
    tdd: bool,
    phases: Vec<PhaseView>,
    /// Dependency statements (`Tests (T018-T023) before T035-T039`).
    dependencies: Vec<String>,
    parallel_groups: Vec<ParallelGroup>,
    checklist: Vec<Gate>,
}

#[derive(Debug, Serialize)]
struct FeatureInfo {
    name: String,
    rel: String,
    title: String,
}

#[derive(Debug, Serialize)]
struct PhaseView {
    title: String,
    tasks: Vec<TaskView>,
}

#[derive(Debug, Serialize)]
struct TaskView {
    #[serde(flatten)]
    task: Task,
    mark: char,
    kept: bool,
    original: String,
}

#[derive(Debug, Serialize)]
struct ParallelGroup {
    label: String,
    tasks: Vec<Task>,
}

/// One feature's result, before anything is written.
struct Generated {
    feature: Feature,
    context: TemplateContext,
    text: String,
    tasks: Vec<Task>,
    /// The facts each of `tasks` was drafted from (none for kept tasks).
    sources: Vec<Vec<Cited>>,
    /// Tasks of the previous file that generation no longer produces.
    kept: Vec<String>,
}

impl GenerateArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace()?;
        let renderer = Renderer::new(&ws, self.template.templates.as_deref())?;
        let features = if self.all {
            feature::list(&ws)?
        } else {
            vec![self.feature.resolve(&ws)?]
        };
        let mut failed = 0;
        let mut json = Vec::new();
        for feature in features {
            match self.generate(cx, &ws, &renderer, feature) {
                Ok(Some(generated)) if self.format == Format::Json => json.push(FeatureTasks {
                    feature: generated.feature.name,
                    path: generated.feature.rel,
                    tasks: generated
                        .tasks
                        .into_iter()
                        .zip(generated.sources)
                        .map(|(task, sources)| SourcedTask { task, sources })
                        .collect(),
                }),
                Ok(_) => {}
                Err(err) if self.all => {
                    cx.shell.error(&err);
                    failed += 1;
                }
                Err(err) => return Err(err),
            }
        }
        if self.format == Format::Json && !self.template.print_context {
            let text = match json.as_slice() {
                [one] if !self.all => to_json(one)?,
                all => to_json(&all)?,
            };
            cx.shell.out(&text);
        }
        match failed {
            0 => Ok(()),
            n => Err(Error::new(format!("{n} feature(s) failed to generate"))),
        }
    }

    /// Generates, checks and writes one feature; `None` when nothing was written
    /// or compared because the context was printed instead.
    fn generate(
        &self,
        cx: &mut Context,
        ws: &Workspace,
        renderer: &Renderer,
        feature: Feature,
    ) -> Result<Option<Generated>> {
        let read = understand(ws, &feature)?;
        for warning in &read.warnings {
            if self.strict {
                return Err(Error::from(warning.clone())
                    .with_help("resolve it in the plan, or run without --strict"));
            }
            warn_located(cx, ws, warning);
        }
        for note in &read.notes {
            warn_located(cx, ws, note);
        }
        let tasks_path = feature.tasks_path();
        let tasks_rel = ws.relative(&tasks_path);
        let previous = match tasks_path.exists() {
            true => Some(spec::read_text(&tasks_path)?),
            false => None,
        };
        let parsed = previous.as_deref().map(Previous::parse);
        let generated = self.render(ws, renderer, feature, &read, parsed.as_ref())?;
        if self.template.print_context {
            cx.shell.out(&to_json(&generated.context)?);
            return Ok(None);
        }
        if let Some(parsed) = &parsed {
            let lost = merge::hand_written_lines(parsed, &generated.text);
            if !lost.is_empty() && !self.force {
                return Err(hand_written_error(&tasks_path, &lost));
            }
        }
        let failed: Vec<&Gate> = generated
            .context
            .checklist
            .iter()
            .filter(|g| !g.ok)
            .collect();
        if !failed.is_empty() && !self.force {
            return Err(gates_error(&tasks_path, &failed));
        }
        for gate in &failed {
            for failure in &gate.failures {
                cx.shell.warn(format!(
                    "{tasks_rel}: written with --force although a gate failed: {}: {failure}",
                    gate.text
                ));
            }
        }
        if !generated.kept.is_empty() {
            cx.shell.status_warn(
                "Kept",
                format!(
                    "{} in {tasks_rel}: not generated from the design documents",
                    generated.kept.join(", ")
                ),
            );
        }
        let unchanged = previous.as_deref() == Some(generated.text.as_str());
        if self.check {
            if !unchanged {
                return Err(
                    Error::new("is out of date; run `cargo tasks generate`").in_file(tasks_rel)
                );
            }
            cx.shell.status("Fresh", &tasks_rel);
        } else if self.dry_run {
            cx.shell.out(&unified_diff(
                &tasks_rel,
                previous.as_deref().unwrap_or(""),
                &generated.text,
            ));
        } else {
            let outcome =
                Writer::new(&ws.root, false, true).write(&tasks_rel, &generated.text, false)?;
            let verb = match outcome {
                Outcome::Created => "Generated",
                Outcome::Unchanged => "Unchanged",
                Outcome::Kept | Outcome::Overwritten => "Updated",
            };
            cx.shell.status(
                verb,
                format!("{tasks_rel} ({} tasks)", generated.tasks.len()),
            );
        }
        Ok(Some(generated))
    }

    fn render(
        &self,
        ws: &Workspace,
        renderer: &Renderer,
        feature: Feature,
        read: &Understood,
        previous: Option<&Previous>,
    ) -> Result<Generated> {
        let tdd = self.tdd || ws.config.tdd;
        let (docs, layout, facts) = (&read.docs, &read.layout, &read.facts);
        let packages: Vec<String> = container::asked_packages(facts, ws)
            .into_iter()
            .map(|p| p.value.clone())
            .collect();
        let drafts = rules::draft(&Input {
            feature_rel: &feature.rel,
            docs,
            facts,
            layout,
            runtime: Runtime::of(&container::runtime_image(facts)),
            packages: &packages,
            tdd,
        });
        let merged = merge::merge(&drafts, tdd, previous);
        let tasks: Vec<Task> = merged
            .tasks
            .iter()
            .cloned()
            .chain(merged.kept.iter().map(|k| k.task.clone()))
            .collect();
        let phases = phase_views(&merged, tdd);
        let context = TemplateContext {
            feature: FeatureInfo {
                name: feature.name.clone(),
                rel: feature.rel.clone(),
                title: feature_title(&docs.plan.title, &feature.name),
            },
            prerequisites: prerequisites(docs),
            tdd,
            dependencies: dependency_statements(&phases),
            phases,
            parallel_groups: parallel_groups(&merged.tasks),
            checklist: gates::evaluate(&tasks, docs, tdd),
        };
        let text = renderer.render("tasks.md.hbs", &context)?;
        let kept = merged.kept.iter().map(|k| k.task.id.to_string()).collect();
        let sources = drafts
            .into_iter()
            .map(|d| d.sources)
            .chain(merged.kept.iter().map(|_| Vec::new()))
            .collect();
        Ok(Generated {
            feature,
            context,
            text,
            tasks,
            sources,
            kept,
        })
    }
}

#[derive(Debug, Serialize)]
struct FeatureTasks {
    feature: String,
    path: String,
    tasks: Vec<SourcedTask>,
}

/// A task with the facts it was drafted from, for `--format json`.
#[derive(Debug, Serialize)]
struct SourcedTask {
    #[serde(flatten)]
    task: Task,
    sources: Vec<Cited>,
}

/// `Container Implementation Plan: greeter` → `greeter`.
fn feature_title(plan_title: &str, fallback: &str) -> String {
    let title = plan_title
        .rsplit_once(':')
        .map_or(plan_title, |(_, rest)| rest)
        .trim();
    if title.is_empty() {
        fallback.to_string()
    } else {
        title.to_string()
    }
}

fn prerequisites(docs: &Documents) -> String {
    std::iter::once("plan.md (required)".to_string())
        .chain(docs.present.iter().cloned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn phase_views(merged: &Merged, tdd: bool) -> Vec<PhaseView> {
    let titles = merge::phase_titles(tdd);
    let last = titles.len() - 1;
    let mut phases: Vec<PhaseView> = titles
        .iter()
        .map(|title| PhaseView {
            title: title.clone(),
            tasks: Vec::new(),
        })
        .collect();
    for (task, mark) in merged.tasks.iter().zip(&merged.marks) {
        let at = titles.iter().position(|t| *t == task.phase).unwrap_or(last);
        phases[at].tasks.push(TaskView {
            task: task.clone(),
            mark: *mark,
            kept: false,
            original: String::new(),
        });
    }
    for kept in &merged.kept {
        let at = titles
            .iter()
            .position(|t| *t == kept.task.phase)
            .unwrap_or(last);
        phases[at].tasks.push(TaskView {
            task: kept.task.clone(),
            mark: ' ',
            kept: true,
            original: kept.raw.clone(),
        });
    }
    phases
}

/// The Dependencies section's lines for the tasks as they are written.
fn dependency_statements(phases: &[PhaseView]) -> Vec<String> {
    let tasks: Vec<&Task> = phases
        .iter()
        .flat_map(|p| p.tasks.iter().map(|t| &t.task))
        .collect();
    let written: Vec<dependencies::Phase> = phases
        .iter()
        .map(|p| dependencies::Phase {
            title: &p.title,
            ids: p.tasks.iter().map(|t| t.task.id).collect(),
        })
        .collect();
    dependencies::statements(&tasks, &written)
}

/// The [P] tasks of each phase that has two or more of them.
fn parallel_groups(tasks: &[Task]) -> Vec<ParallelGroup> {
    let mut groups: Vec<ParallelGroup> = Vec::new();
    let mut phases: Vec<&str> = tasks.iter().map(|t| t.phase.as_str()).collect();
    phases.dedup();
    for phase in phases {
        let group: Vec<Task> = tasks
            .iter()
            .filter(|t| t.phase == phase && t.parallel)
            .cloned()
            .collect();
        if group.len() < 2 {
            continue;
        }
        let ids: Vec<String> = group.iter().map(|t| t.id.to_string()).collect();
        groups.push(ParallelGroup {
            label: ids.join(", "),
            tasks: group,
        });
    }
    groups
}

fn hand_written_error(path: &std::path::Path, lost: &[(usize, String)]) -> Error {
    let mut error = Error::new(format!(
        "{} line(s) written by hand would be lost by regenerating",
        lost.len()
    ))
    .in_file(path)
    .at_line(lost[0].0);
    for (line, text) in lost {
        error = error.with_help(format!("line {line}: {text}"));
    }
    error.with_help("turn them into task lines (`- [ ] T100 ... in path`), which are kept, or pass --force to drop them")
}

fn gates_error(path: &std::path::Path, failed: &[&Gate]) -> Error {
    let mut error = Error::new(format!(
        "{} validation gate(s) failed; nothing written",
        failed.len()
    ))
    .in_file(path);
    for gate in failed {
        for failure in &gate.failures {
            error = error.with_help(format!("{}: {failure}", gate.text));
        }
    }
    error.with_help("pass --force to write it anyway")
}

/// A feature's documents read and understood: the one path from files to
/// facts that generate, scaffold and explain share.
pub struct Understood {
    pub docs: Documents,
    pub layout: Layout,
    pub facts: Facts,
    /// Loading warnings and the facts' own, with absolute file paths:
    /// something to resolve in the documents (errors under `--strict`).
    pub warnings: Vec<Diagnostic>,
    /// What was looked for and not found (a document that yielded nothing, a
    /// feature without container facts): printed as warnings, never errors.
    pub notes: Vec<Diagnostic>,
}

pub fn understand(ws: &Workspace, feature: &Feature) -> Result<Understood> {
    let (docs, mut warnings) = spec::load(&feature.dir)?;
    let layout = layout::layout(&docs.plan, ws).map_err(|e| e.in_file(feature.plan_path()))?;
    let facts = Facts::build(&docs, &layout.names());
    let located = |list: &[Diagnostic]| -> Vec<Diagnostic> {
        list.iter()
            .map(|w| w.clone().in_dir(&feature.dir))
            .collect()
    };
    warnings.extend(located(&facts.warnings));
    let runtime_image = container::runtime_image(&facts);
    warnings.extend(located(&container::uninstallable_packages(
        &facts,
        ws,
        &runtime_image,
    )));
    let mut notes = located(&facts.notes);
    notes.extend(not_about_containers(feature, &facts));
    Ok(Understood {
        docs,
        layout,
        facts,
        warnings,
        notes,
    })
}

impl Understood {
    /// Prints every warning and note (generate instead stops at a warning under `--strict`).
    pub fn warn_all(&self, cx: &mut Context, ws: &Workspace) {
        for warning in self.warnings.iter().chain(&self.notes) {
            warn_located(cx, ws, warning);
        }
    }
}

/// Prints one warning as `warning: file:line: message`, the file relative to the workspace.
pub fn warn_located(cx: &mut Context, ws: &Workspace, warning: &Diagnostic) {
    cx.shell.diagnostic(&warning.clone().relative_to(&ws.root));
}

/// A warning naming what was looked for when nothing says the feature is
/// about containers.
fn not_about_containers(feature: &Feature, facts: &Facts) -> Option<Diagnostic> {
    (!facts.about_containers()).then(|| {
        Diagnostic::warning(1, "no container facts found: no port (EXPOSE, -p, Network Requirements), health endpoint (/health…, Health Monitoring), base image (FROM, Base Image Strategy), environment variable (configuration tables, -e, ENV), runtime user, backing service or build stage in the documents; the container tasks use the template's defaults").in_file(feature.plan_path())
    })
}
