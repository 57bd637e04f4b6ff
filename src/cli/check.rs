use crate::cli::done::lock_tasks;
use crate::cli::{to_json, Context, Format};
use crate::feature::FeatureArgs;
use crate::ops::fs::{unified_diff, write_atomic};
use crate::ops::git::Git;
use crate::tasks::check::{check, fix};
use crate::tasks::file::TasksFile;
use crate::tasks::TaskId;
use crate::{Diagnostic, Severity};
use crate::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// Apply the fixes that are mechanical (never a renumbering), then report what remains
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the change as a diff; change nothing
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    file: &'a str,
    tasks: usize,
    errors: usize,
    warnings: usize,
    /// Problems `--fix` fixed (or would fix, with `--dry-run`).
    fixed: usize,
    /// With `--fix --dry-run`: the change as a unified diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    problems: Vec<Problem<'a>>,
    /// Every dependency read, with the line it came from.
    edges: Vec<EdgeView>,
}

/// A problem as JSON: the diagnostic's fields and whether `--fix` fixes it.
#[derive(Serialize)]
struct Problem<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    /// Whether `check --fix` changes the file for it: a missing or
    /// unreadable checkbox, a plain `[P]` on a shared path.
    fixable: bool,
}

#[derive(Serialize)]
struct EdgeView {
    before: Vec<TaskId>,
    after: Vec<TaskId>,
    line: usize,
}

impl CheckArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let (path, display) = match &self.path {
            Some(path) => (path.clone(), path.display().to_string()),
            None => {
                let ws = cx.workspace_root()?;
                let path = self.feature.resolve(&ws)?.tasks_path();
                let display = ws.relative(&path);
                (path, display)
            }
        };
        let _lock = match self.fix && !self.dry_run {
            true => Some(lock_tasks(
                Git::discover(directory_of(&path)).ok().as_ref(),
                &path,
            )?),
            false => None,
        };
        let mut file = TasksFile::read(path, display)?;
        let mut outcome = Fixed::default();
        if self.fix {
            (file, outcome) = self.apply_fixes(cx, file)?;
        }
        let problems = check(&file.doc);
        let count = |severity| problems.iter().filter(|p| p.severity == severity).count();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        match self.format {
            Format::Json => cx.shell.out(&to_json(&report(
                &file, &problems, errors, warnings, outcome,
            ))?),
            Format::Text => {
                cx.shell.out(outcome.diff.as_deref().unwrap_or_default());
                cx.shell.out(&render_text(&file.display, &problems));
            }
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
        let fixable = problems.iter().filter(|p| !p.fix.is_empty()).count();
        if fixable > 0 {
            error = error.with_help(format!(
                "{fixable} of them can be fixed with `cargo tasks check --fix` (`--dry-run` shows how)"
            ));
        }
        Err(error)
    }
}

/// What `--fix` did.
#[derive(Default)]
struct Fixed {
    count: usize,
    /// With `--dry-run`: the change as a unified diff.
    diff: Option<String>,
}

impl CheckArgs {
    /// The file with its mechanical fixes applied: written atomically, or
    /// with `--dry-run` only shown as a diff.
    fn apply_fixes(&self, cx: &mut Context, file: TasksFile) -> Result<(TasksFile, Fixed)> {
        let (text, count) = fix(&file.text);
        let plural = if count == 1 { "" } else { "s" };
        if text == file.text {
            return Ok((file, Fixed::default()));
        }
        let mut fixed = Fixed { count, diff: None };
        if self.dry_run {
            fixed.diff = Some(unified_diff(&file.display, &file.text, &text));
            cx.shell.status(
                "Would fix",
                format!("{count} problem{plural} in {} (dry run)", file.display),
            );
        } else {
            write_atomic(&file.path, text.as_bytes())?;
            cx.shell.status(
                "Fixed",
                format!("{count} problem{plural} in {}", file.display),
            );
        }
        Ok((file.with_text(text), fixed))
    }
}

/// The directory a path is in (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn render_text(display: &str, problems: &[Diagnostic]) -> String {
    problems
        .iter()
        .map(|problem| format!("{}\n", problem.clone().in_file(display)))
        .collect()
}

fn report<'a>(
    file: &'a TasksFile,
    problems: &'a [Diagnostic],
    errors: usize,
    warnings: usize,
    fixed: Fixed,
) -> Report<'a> {
    Report {
        file: &file.display,
        tasks: file.doc.tasks.len(),
        errors,
        warnings,
        fixed: fixed.count,
        diff: fixed.diff,
        problems: problems
            .iter()
            .map(|diagnostic| Problem {
                diagnostic,
                fixable: !diagnostic.fix.is_empty(),
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
