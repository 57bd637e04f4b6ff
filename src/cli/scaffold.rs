//! `cargo tasks scaffold`: renders every `docker/` template for the feature's
//! containers and writes the result through the one safe writer. Files that
//! differ from what would be written are kept unless `--force`; a kept file
//! is a warning, not a failure (it is usually a deliberate hand edit).

use crate::cli::generate::{understand, warn_located, Understood};
use crate::cli::{to_json, Context, TemplateArgs};
use crate::container::{
    self, Context as Scaffold, ContractView, Inputs, Output, Scope, ServiceView,
};
use crate::docker::{Build, Builder, Runtime, SHELL_FILES};
use crate::feature::{Feature, FeatureArgs};
use crate::layout::Layout;
use crate::ops::fs::{unified_diff, Outcome, Planned, Writer};
use crate::render::Renderer;
use crate::spec;
use crate::tasks::read;
use crate::workspace::Workspace;
use crate::{Error, Result};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct ScaffoldArgs {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Print a diff of every file that would change and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite files that differ from what the templates produce
    #[arg(long)]
    pub force: bool,
    /// Write Dockerfiles for this builder [default: `docker-builder` of the
    /// metadata table, else buildkit]
    #[arg(long, value_enum)]
    pub builder: Option<Builder>,
    /// Runtime image of the final stage, over the decision of the plan (e.g.
    /// `debian:trixie-slim`, `gcr.io/distroless/cc-debian12`, `scratch`)
    #[arg(long, value_name = "IMAGE")]
    pub runtime_image: Option<String>,
    #[command(flatten)]
    pub template: TemplateArgs,
}

/// One rendered file waiting to be written.
struct Rendered {
    path: String,
    text: String,
    executable: bool,
}

#[derive(Default)]
struct Tally {
    created: usize,
    unchanged: usize,
    kept: usize,
    overwritten: usize,
}

impl ScaffoldArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace()?;
        let feature = self.feature.resolve(&ws)?;
        let read = understand(&ws, &feature)?;
        read.warn_all(cx, &ws);
        let mut context = build_context(cx, &ws, &feature, &read)?;
        if let Some(image) = &self.runtime_image {
            // understand() warned for the plan's runtime image, not for this one.
            if Runtime::of(&container::runtime_image(&read.facts)).has_shell() {
                for warning in container::uninstallable_packages(&read.facts, &ws, image) {
                    warn_located(cx, &ws, &warning.in_dir(&feature.dir));
                }
            }
            context.runtime_image = image.clone();
        }
        let build = Build::new(
            self.builder.unwrap_or(ws.config.docker_builder),
            &workspace_name(&ws),
            &context.runtime_image,
            context.goals.startup_seconds,
        );
        if self.template.print_context {
            cx.shell.out(&to_json(&With {
                view: &context,
                build: &build,
            })?);
            return Ok(());
        }
        let renderer = Renderer::new(&ws, self.template.templates.as_deref())?;
        let names = renderer.names_under("docker/");
        for name in names.iter().filter(|n| !container::is_scaffold_template(n)) {
            cx.shell.warn(format!(
                "template `{name}` is ignored: scaffold renders `docker/service/`, `docker/feature/` and `docker/contract/` templates"
            ));
        }
        let outputs = container::outputs(&names, &context);
        let mut files = render_all(&renderer, &context, &build, &outputs)?;
        files.extend(config_placeholders(&context, &ws, &files));
        let writer = Writer::new(&ws.root, self.dry_run, self.force);
        let current = files
            .iter()
            .map(|file| writer.current(&file.path))
            .collect::<Result<Vec<_>>>()?;
        // All or nothing: a refused path or a failed write leaves the tree as it was.
        let planned: Vec<Planned> = files
            .iter()
            .map(|file| Planned {
                rel: &file.path,
                contents: &file.text,
                executable: file.executable,
            })
            .collect();
        let outcomes = writer.write_all(&planned)?;
        let mut tally = Tally::default();
        for ((file, before), outcome) in files.iter().zip(current).zip(outcomes) {
            self.report(cx, file, outcome, before.as_deref(), &mut tally);
        }
        self.summarize(cx, &feature, &tally);
        if !self.dry_run {
            report_unused(cx, &ws, &context);
        }
        let planned: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        check_task_paths(
            cx,
            &ws,
            &feature,
            &read.layout,
            self.dry_run.then_some(planned.as_slice()),
        )
    }

    fn report(
        &self,
        cx: &mut Context,
        file: &Rendered,
        outcome: Outcome,
        before: Option<&str>,
        tally: &mut Tally,
    ) {
        match outcome {
            Outcome::Created => tally.created += 1,
            Outcome::Unchanged => tally.unchanged += 1,
            Outcome::Kept => tally.kept += 1,
            Outcome::Overwritten => tally.overwritten += 1,
        }
        match outcome {
            Outcome::Kept => cx.shell.status_warn(
                outcome.verb(),
                format!("{} (differs; use --force to overwrite)", file.path),
            ),
            _ => cx.shell.status(outcome.verb(), &file.path),
        }
        if self.dry_run && outcome != Outcome::Unchanged {
            cx.shell
                .out(&unified_diff(&file.path, before.unwrap_or(""), &file.text));
        }
    }

    fn summarize(&self, cx: &mut Context, feature: &Feature, tally: &Tally) {
        let counts = format!(
            "{}: {} created, {} unchanged, {} kept, {} overwritten",
            feature.name, tally.created, tally.unchanged, tally.kept, tally.overwritten
        );
        if self.dry_run {
            cx.shell
                .status("Finished", format!("{counts} (dry run: nothing written)"));
        } else {
            cx.shell.status("Scaffolded", counts);
        }
        if tally.kept > 0 {
            cx.shell.warn(format!(
                "{} file(s) differ from the templates and were kept; review them with --dry-run, overwrite them with --force",
                tally.kept
            ));
        }
    }
}

fn build_context(
    cx: &mut Context,
    ws: &Workspace,
    feature: &Feature,
    read: &Understood,
) -> Result<Scaffold> {
    let contract_texts = read
        .docs
        .contracts
        .iter()
        .map(|c| spec::contracts::contract_text(&feature.dir, c))
        .collect::<Result<Vec<_>>>()?;
    let rustc = rustc_version();
    let (context, warnings) = container::context(&Inputs {
        feature: &feature.name,
        docs: &read.docs,
        facts: &read.facts,
        layout: &read.layout,
        workspace: ws,
        rustc_version: rustc.as_deref(),
        contract_texts: &contract_texts,
        extra: &vendored_build_files(&ws.root),
    });
    for warning in warnings {
        warn_located(cx, ws, &warning.in_dir(&feature.dir));
    }
    Ok(context)
}

/// A template's data: the context (or a view of it) and the build choices.
#[derive(Serialize)]
struct With<'a, T: Serialize> {
    #[serde(flatten)]
    view: T,
    build: &'a Build,
}

/// Renders every output before anything is written, so that a template
/// error leaves the tree untouched.
fn render_all(
    renderer: &Renderer,
    context: &Scaffold,
    build: &Build,
    outputs: &[Output],
) -> Result<Vec<Rendered>> {
    let mut seen: Vec<&str> = Vec::new();
    outputs
        .iter()
        .map(|output| {
            if seen.contains(&output.path.as_str()) {
                return Err(Error::new(format!("two templates write `{}`", output.path))
                    .with_help("rename one of the template overrides"));
            }
            seen.push(&output.path);
            let missing = || Error::new(format!("no data for template `{}`", output.template));
            let text = match output.scope {
                Scope::Feature => renderer.render(
                    &output.template,
                    &With {
                        view: context,
                        build,
                    },
                ),
                Scope::Service(i) => {
                    let service = context.services.get(i).ok_or_else(missing)?;
                    let view = ServiceView { context, service };
                    renderer.render(&output.template, &With { view, build })
                }
                Scope::Contract(i) => {
                    let contract = context.contracts.get(i).ok_or_else(missing)?;
                    let view = ContractView { context, contract };
                    renderer.render(&output.template, &With { view, build })
                }
            }?;
            Ok(Rendered {
                path: output.path.clone(),
                text,
                executable: output.executable(),
            })
        })
        .collect()
}

/// Names the shell scripts an earlier scaffold (or the user) left in a
/// service directory that the runtime image never runs: kept, never deleted.
fn report_unused(cx: &mut Context, ws: &Workspace, context: &Scaffold) {
    let runtime = Runtime::of(&context.runtime_image);
    for service in &context.services {
        for file in SHELL_FILES.iter().filter(|file| !runtime.uses(file)) {
            let path = format!("{}/{file}", service.dir);
            let on_disk = ws.root.join(path.trim_end_matches('/'));
            if on_disk.symlink_metadata().is_ok() {
                cx.shell.status(
                    "Unused",
                    format!(
                        "{path} (kept: the runtime image `{}` has no shell to run it)",
                        context.runtime_image
                    ),
                );
            }
        }
    }
}

/// Empty files for the configuration files the plan draws under
/// `<service>/config/`, only where none exists yet: their content is the
/// user's, never the generator's.
fn config_placeholders(context: &Scaffold, ws: &Workspace, rendered: &[Rendered]) -> Vec<Rendered> {
    context
        .services
        .iter()
        .flat_map(|s| {
            s.config_files
                .iter()
                .map(move |f| format!("{}/config/{f}", s.dir))
        })
        .filter(|path| !rendered.iter().any(|r| &r.path == path))
        .filter(|path| !ws.root.join(path).exists())
        .map(|path| Rendered {
            executable: path.ends_with(".sh"),
            path,
            text: String::new(),
        })
        .collect()
}

/// Warns about every container path (under the layout's directories, or
/// `.dockerignore`) the feature's tasks.md names that does not exist; in a
/// dry run, paths about to be written count as existing. Other paths
/// (crates, specs) are not scaffold's to create.
fn check_task_paths(
    cx: &mut Context,
    ws: &Workspace,
    feature: &Feature,
    layout: &Layout,
    planned: Option<&[&str]>,
) -> Result<()> {
    let tasks_path = feature.tasks_path();
    if !tasks_path.exists() {
        return Ok(());
    }
    let text = spec::read_text(&tasks_path)?;
    let tasks_rel = ws.relative(&tasks_path);
    let doc = read::parse(&text);
    let will_exist = |path: &str| {
        planned.is_some_and(|files| {
            files
                .iter()
                .any(|f| *f == path || f.starts_with(&format!("{}/", path.trim_end_matches('/'))))
        })
    };
    for entry in &doc.tasks {
        for path in entry.task.paths.iter().filter(|p| layout.places(p)) {
            if !will_exist(path) && !ws.root.join(path).exists() {
                cx.shell.warn(format!(
                    "{tasks_rel}:{}: {} names `{path}`, which does not exist",
                    entry.line, entry.task.id
                ));
            }
        }
    }
    Ok(())
}

/// `rustc --version` (of `$RUSTC` when set, as cargo does), if it runs.
fn rustc_version() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The workspace root's directory name (the BuildKit cache ids' suffix).
fn workspace_name(ws: &Workspace) -> String {
    ws.root
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The root-level files an offline, vendored build needs first.
fn vendored_build_files(root: &std::path::Path) -> Vec<String> {
    [".cargo", "vendor"]
        .into_iter()
        .filter(|name| root.join(name).is_dir())
        .map(str::to_string)
        .collect()
}
