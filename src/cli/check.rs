use crate::cli::{to_json, Context, Format};
use crate::feature::FeatureArgs;
use crate::tasks::check::check;
use crate::tasks::file::TasksFile;
use crate::tasks::read::{Problem, Severity};
use crate::tasks::TaskId;
use crate::{Error, Result};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A tasks.md to check (default: the feature's)
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fail on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Deny a lint group; only `warnings` exists (clippy's `-D warnings`)
    #[arg(short = 'D', value_name = "LINT", value_parser = ["warnings"])]
    pub deny: Vec<String>,
}

#[derive(Serialize)]
struct Report<'a> {
    file: &'a str,
    tasks: usize,
    errors: usize,
    warnings: usize,
    problems: Vec<ProblemView<'a>>,
    /// Every dependency read, with the line it came from.
    edges: Vec<EdgeView>,
}

#[derive(Serialize)]
struct ProblemView<'a> {
    line: usize,
    severity: Severity,
    message: &'a str,
}

#[derive(Serialize)]
struct EdgeView {
    before: Vec<TaskId>,
    after: Vec<TaskId>,
    line: usize,
}

impl CheckArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let file = match &self.path {
            Some(path) => TasksFile::read(path.clone(), path.display().to_string())?,
            None => TasksFile::load(&cx.workspace_root()?, &self.feature)?,
        };
        let problems = check(&file.doc);
        let count = |severity| problems.iter().filter(|p| p.severity == severity).count();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        match self.format {
            Format::Json => cx
                .shell
                .out(&to_json(&report(&file, &problems, errors, warnings))?),
            Format::Text => cx.shell.out(&render_text(&file.display, &problems)),
        }
        let deny = self.deny_warnings || !self.deny.is_empty();
        let failing = errors + if deny { warnings } else { 0 };
        let summary = format!(
            "{} ({} tasks, {})",
            file.display,
            file.doc.tasks.len(),
            counts(errors, warnings)
        );
        if failing == 0 {
            cx.shell.status("Checked", summary);
            return Ok(());
        }
        let mut error = Error::new(format!("check failed: {}", counts(errors, warnings)))
            .in_file(&file.display);
        if errors == 0 {
            error = error.with_help("warnings fail the check because of --deny-warnings");
        }
        Err(error)
    }
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn render_text(display: &str, problems: &[Problem]) -> String {
    let mut out = String::new();
    for problem in problems {
        let severity = match problem.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "{display}:{}: {severity}: {}\n",
            problem.line, problem.message
        ));
    }
    out
}

fn report<'a>(
    file: &'a TasksFile,
    problems: &'a [Problem],
    errors: usize,
    warnings: usize,
) -> Report<'a> {
    Report {
        file: &file.display,
        tasks: file.doc.tasks.len(),
        errors,
        warnings,
        problems: problems
            .iter()
            .map(|p| ProblemView {
                line: p.line,
                severity: p.severity,
                message: &p.message,
            })
            .collect(),
        edges: file
            .doc
            .dependencies
            .iter()
            .map(|d| EdgeView {
                before: d.before.clone(),
                after: d.after.clone(),
                line: d.line,
            })
            .collect(),
    }
}
