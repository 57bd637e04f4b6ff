//! Command-line interface: global options, one module per verb. Each verb's
//! `Args` struct owns its `run`.

pub mod check;
pub mod completions;
pub mod done;
pub mod explain;
pub mod generate;
pub mod graph;
pub mod list;
pub mod man;
pub mod next;
pub mod scaffold;
pub mod status;
pub mod undo;

use crate::ops::shell::{Color, Shell, Verbosity};
use crate::workspace::{MetadataOptions, Workspace};
use crate::Result;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

/// The command line as cargo passes it to a subcommand: `cargo-tasks tasks
/// <verb> ...` for `cargo tasks <verb> ...`, help styled like cargo's.
#[derive(Debug, Parser)]
#[command(
    name = "cargo",
    bin_name = "cargo",
    styles = crate::ops::shell::HELP_STYLES,
    disable_help_subcommand = true
)]
pub enum CargoCli {
    Tasks(Cli),
}

#[derive(Debug, Args)]
#[command(
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
    #[arg(
        long,
        global = true,
        value_enum,
        env = "CARGO_TERM_COLOR",
        default_value_t = Color::Auto,
        value_name = "WHEN"
    )]
    pub color: Color,
    /// Do not print cargo-style status messages
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print notes about what is being done (may be repeated, as with cargo)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
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
    /// Print what was read from the design documents, with file and line
    Explain(explain::ExplainArgs),
    /// Print a shell completion script for `cargo tasks`
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff) of `cargo tasks` or of one of its verbs
    Man(man::ManArgs),
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
        } else if global.verbose > 0 {
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
            Command::Explain(args) => args.run(cx),
            Command::Completions(args) => args.run(cx),
            Command::Man(args) => args.run(cx),
        }
    }
}

/// Parses the command line as cargo passes it. Help and usage errors are
/// coloured as `CARGO_TERM_COLOR` asks, like the rest of the output.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    let mut command = CargoCli::command().color(term_color());
    let matches = command.try_get_matches_from_mut(args)?;
    let CargoCli::Tasks(cli) =
        CargoCli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))?;
    Ok(cli)
}

/// The `tasks` command tree as cargo users see it: `cargo tasks`.
pub fn tasks_command() -> clap::Command {
    let mut command = CargoCli::command();
    command.build();
    command
        .find_subcommand("tasks")
        .cloned()
        .unwrap_or_else(CargoCli::command)
}

fn term_color() -> clap::ColorChoice {
    let value = std::env::var("CARGO_TERM_COLOR").unwrap_or_default();
    match Color::from_str(&value, true) {
        Ok(Color::Always) => clap::ColorChoice::Always,
        Ok(Color::Never) => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn the_command_tree_is_consistent() {
        CargoCli::command().debug_assert();
    }

    #[test]
    fn cargo_passes_the_subcommand_name_first() {
        let cli = parse(args("cargo-tasks tasks status --quiet")).unwrap();
        assert!(matches!(cli.command, Command::Status(_)));
        assert!(cli.global.quiet);
    }

    #[test]
    fn a_verb_without_the_subcommand_name_is_a_usage_error() {
        let err = parse(args("cargo-tasks status")).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidSubcommand);
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn verbose_can_be_repeated() {
        let cli = parse(args("cargo-tasks tasks -vv status")).unwrap();
        assert_eq!(cli.global.verbose, 2);
        let cx = Context::new(cli.global);
        assert_eq!(cx.shell.verbosity(), Verbosity::Verbose);
    }

    #[test]
    fn quiet_and_verbose_conflict() {
        let err = parse(args("cargo-tasks tasks -q -v status")).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn tasks_command_is_named_as_cargo_users_type_it() {
        let command = tasks_command();
        assert_eq!(command.get_name(), "tasks");
        assert_eq!(command.get_bin_name(), Some("cargo tasks"));
        assert_eq!(command.get_display_name(), Some("cargo-tasks"));
        assert!(command.find_subcommand("generate").is_some());
    }
}
