//! Command-line interface: global options, one module per verb. Each verb's
//! `Args` struct owns its `run`.

pub mod check;
pub mod done;
pub mod generate;
pub mod graph;
pub mod list;
pub mod next;
pub mod scaffold;
pub mod status;
pub mod undo;

use crate::ops::shell::{Color, Shell, Verbosity};
use crate::workspace::{MetadataOptions, Workspace};
use crate::Result;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-tasks",
    bin_name = "cargo tasks",
    version,
    about = "Generate and track spec-kit tasks.md for containerising cargo workspaces",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to Cargo.toml
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Coloring
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
    /// Do not print cargo-style status messages
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print notes about what is being done
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Run `cargo metadata` without accessing the network
    #[arg(long, global = true)]
    pub offline: bool,
    /// Require Cargo.lock to be up to date
    #[arg(long, global = true)]
    pub locked: bool,
    /// Require Cargo.lock and cache to be up to date
    #[arg(long, global = true)]
    pub frozen: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a numbered, dependency-ordered tasks.md for a feature
    Generate(generate::GenerateArgs),
    /// Write the docker/ tree the feature's tasks name, with container tests
    Scaffold(scaffold::ScaffoldArgs),
    /// Mark tasks done and make one git commit per task
    Done(done::DoneArgs),
    /// Uncheck a task that was marked done
    Undo(undo::UndoArgs),
    /// Show progress per phase and the tasks that are ready
    Status(status::StatusArgs),
    /// Show the tasks whose dependencies are done, grouped for parallel work
    Next(next::NextArgs),
    /// Draw the dependency graph (mermaid, dot or svg)
    Graph(graph::GraphArgs),
    /// Validate a tasks.md: IDs, dependencies, cycles, [P] conflicts, paths
    Check(check::CheckArgs),
    /// List the features of the workspace with their documents and progress
    List(list::ListArgs),
}

/// What every verb gets: the shell to print through and the global options.
pub struct Context {
    pub shell: Shell,
    pub global: GlobalArgs,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Self {
        let verbosity = if global.quiet {
            Verbosity::Quiet
        } else if global.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        Context {
            shell: Shell::new(global.color, verbosity),
            global,
        }
    }

    /// The workspace with its packages, from `cargo metadata`.
    pub fn workspace(&self) -> Result<Workspace> {
        Workspace::load(&self.metadata_options())
    }

    /// The workspace root and configuration only, without running cargo:
    /// for the verbs that read tasks.md and need no package data.
    pub fn workspace_root(&self) -> Result<Workspace> {
        Workspace::locate(&self.metadata_options())
    }

    fn metadata_options(&self) -> MetadataOptions {
        MetadataOptions {
            manifest_path: self.global.manifest_path.clone(),
            offline: self.global.offline,
            locked: self.global.locked,
            frozen: self.global.frozen,
        }
    }
}

impl Command {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        match self {
            Command::Generate(args) => args.run(cx),
            Command::Scaffold(args) => args.run(cx),
            Command::Done(args) => args.run(cx),
            Command::Undo(args) => args.run(cx),
            Command::Status(args) => args.run(cx),
            Command::Next(args) => args.run(cx),
            Command::Graph(args) => args.run(cx),
            Command::Check(args) => args.run(cx),
            Command::List(args) => args.run(cx),
        }
    }
}

/// Arguments as cargo passes them (`cargo-tasks tasks <verb> ...`) or as
/// typed directly (`cargo-tasks <verb> ...`).
pub fn normalize_args(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).is_some_and(|a| a == "tasks") {
        args.remove(1);
    }
    args
}

/// Options of the verbs that render templates.
#[derive(Debug, Clone, Args)]
pub struct TemplateArgs {
    /// Directory of template overrides (per file, over the embedded ones)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Print the JSON context the templates receive and write nothing
    #[arg(long)]
    pub print_context: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Pretty JSON with a trailing newline, for `--format json`.
pub fn to_json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| crate::Error::new(format!("cannot encode JSON: {e}")))
}
