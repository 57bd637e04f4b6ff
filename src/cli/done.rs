//! `cargo tasks done`: check a task off and commit it with the files it names.
//! `undo` shares this code with the direction reversed.

use crate::cli::Context;
use crate::config::CommitStyle;
use crate::feature::FeatureArgs;
use crate::ops::fs::{unified_diff, write_atomic};
use crate::ops::git::{Git, TaskEdit};
use crate::ops::lock;
use crate::ops::signal;
use crate::render::Renderer;
use crate::tasks::edit::set_done;
use crate::tasks::file::TasksFile;
use crate::tasks::graph::Graph;
use crate::tasks::read::{TaskEntry, TasksDoc};
use crate::tasks::verify;
use crate::tasks::{Task, TaskId};
use crate::workspace::Workspace;
use crate::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct DoneArgs {
    /// Tasks to mark done, e.g. T004 (one commit each, in the order given)
    #[arg(required_unless_present = "repair", value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub options: ToggleOptions,
    /// Complete a task whose dependencies are open or whose paths show no work
    #[arg(long)]
    pub force: bool,
    /// Only put right what an interrupted `done` or `undo` left behind (every
    /// run does this first)
    #[arg(long, conflicts_with_all = ["ids", "force", "dry_run", "no_commit", "verify"])]
    pub repair: bool,
    /// Run the task's check first (a test script among its paths, or the
    /// `verify` command configured for them) and commit only if it passes
    #[arg(long)]
    pub verify: bool,
    /// With --verify: stop a check that runs longer than this (`90s`, `10m`,
    /// `1h`; default `verify-timeout` in [workspace.metadata.tasks], else 10m)
    #[arg(long, value_name = "DURATION", requires = "verify", value_parser = crate::config::parse_duration)]
    pub verify_timeout: Option<std::time::Duration>,
}

#[derive(Debug, clap::Args)]
pub struct ToggleOptions {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Only edit tasks.md; do not commit
    #[arg(long)]
    pub no_commit: bool,
    /// Commit message instead of the template's
    #[arg(short, long, value_name = "MESSAGE")]
    pub message: Option<String>,
    /// Print the change and the commit message; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

impl DoneArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        toggle(
            cx,
            &self.ids,
            &self.options,
            Direction::Done {
                force: self.force,
                verify: self.verify,
                verify_timeout: self.verify_timeout,
            },
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Direction {
    Done {
        force: bool,
        verify: bool,
        /// `--verify-timeout`; the configured limit when `None`.
        verify_timeout: Option<std::time::Duration>,
    },
    Undo,
}

impl Direction {
    fn done(self) -> bool {
        matches!(self, Direction::Done { .. })
    }

    /// The command word, for messages.
    fn verb(self) -> &'static str {
        if self.done() {
            "done"
        } else {
            "undo"
        }
    }
}

/// Where things are: the workspace, the repository (unless --no-commit and
/// none), and the workspace root relative to the work tree (`""` or `sub/`).
struct Place {
    ws: Workspace,
    git: Option<Git>,
    prefix: String,
}

pub(crate) fn toggle(
    cx: &mut Context,
    ids: &[String],
    options: &ToggleOptions,
    direction: Direction,
) -> Result<()> {
    signal::catch();
    let result = toggle_all(cx, ids, options, direction);
    if let (Err(err), Some(_)) = (&result, signal::pending()) {
        // Everything was put back: say so, then die of the signal, as the
        // shell expects.
        cx.shell.error(err);
        signal::reraise();
    }
    result
}

fn toggle_all(
    cx: &mut Context,
    ids: &[String],
    options: &ToggleOptions,
    direction: Direction,
) -> Result<()> {
    let ws = cx.workspace_root()?;
    let tasks_path = options.feature.resolve(&ws)?.tasks_path();
    let git = match Git::discover(&ws.root) {
        Ok(git) => Some(git),
        Err(_) if options.no_commit => None,
        Err(err) => return Err(err),
    };
    let prefix = match &git {
        Some(git) => workspace_prefix(&ws.root, git.workdir())?,
        None => String::new(),
    };
    let place = Place { ws, git, prefix };
    let _lock = match options.dry_run {
        true => None,
        false => Some(lock_tasks(place.git.as_ref(), &tasks_path)?),
    };
    if let (Some(git), false) = (&place.git, options.dry_run) {
        match git.recover()? {
            Some(note) => cx.shell.status("Recovered", note),
            None if ids.is_empty() => cx
                .shell
                .status("Checked", "no interrupted `done` or `undo` to repair"),
            None => {}
        }
    }
    if !options.dry_run {
        remove_stale_temp_files(cx, &place.ws, &tasks_path);
    }
    if ids.is_empty() {
        return Ok(());
    }
    if let (Some(git), false) = (&place.git, options.no_commit) {
        git.check_can_commit()?;
    }
    let display = place.ws.relative(&tasks_path);
    let mut file = TasksFile::read(tasks_path, display)?;
    for id in ids {
        signal::check()?;
        file = toggle_one(cx, &place, file, id, options, direction)?;
    }
    Ok(())
}

fn toggle_one(
    cx: &mut Context,
    place: &Place,
    file: TasksFile,
    wanted: &str,
    options: &ToggleOptions,
    direction: Direction,
) -> Result<TasksFile> {
    let entry = find(&file, wanted)?;
    let task = &entry.task;
    let paths = validate(place, &file.doc, task, direction).map_err(|e| {
        let e = e.in_file(&file.display).at_line(entry.line);
        match uncommitted_hint(place, &file, task) {
            Some(hint) => e.with_help(hint),
            None => e,
        }
    })?;
    // Before the index lock is taken and the journal written: a failing
    // check leaves nothing to roll back.
    let verified = match direction {
        Direction::Done {
            verify: true,
            verify_timeout,
            ..
        } => verify(cx, place, task, options.dry_run, verify_timeout)
            .map_err(|e| e.in_file(&file.display).at_line(entry.line))?,
        _ => Vec::new(),
    };
    let edited = set_done(&file.text, &file.doc, entry, direction.done());
    let message = match (&options.message, options.no_commit) {
        (_, true) => None,
        (Some(message), false) => Some(message.clone()),
        (None, false) => Some(commit_message(&place.ws, task, direction)?),
    }
    .map(|message| with_verified_trailer(message, &verified));
    let verb = if direction.done() {
        "Completed"
    } else {
        "Reopened"
    };
    // Reopening commits only the checkbox: work in progress on the task's
    // files stays uncommitted.
    let mut commit_paths = vec![format!("{}{}", place.prefix, file.display)];
    if direction.done() {
        commit_paths.extend(paths);
    }
    if options.dry_run {
        cx.shell
            .out(&unified_diff(&file.display, &file.text, &edited));
        if let Some(message) = &message {
            cx.shell.out(&format!(
                "commit message: {}\ncommit paths: {}\n",
                message.trim_end(),
                commit_paths.join(" ")
            ));
        }
        cx.shell.status(
            "Would",
            format!(
                "mark {} {} (dry run)",
                task.id,
                if direction.done() { "done" } else { "open" }
            ),
        );
        return Ok(file.with_text(edited));
    }
    match (&place.git, message) {
        (Some(git), Some(message)) => {
            let label = format!("{} {}", direction.verb(), task.id);
            let edit = TaskEdit {
                file: &file.path,
                before: file.text.as_bytes(),
                after: edited.as_bytes(),
                label: &label,
            };
            let commit = git.commit_edit(&edit, &commit_paths, &message)?;
            let short = commit.to_string().chars().take(7).collect::<String>();
            cx.shell.status(
                verb,
                format!("{} {} (commit {short})", task.id, task.description),
            );
        }
        _ => {
            write_atomic(&file.path, edited.as_bytes())?;
            cx.shell
                .status(verb, format!("{} {}", task.id, task.description));
        }
    }
    Ok(file.with_text(edited))
}

/// The task's paths relative to the work tree, or why it must not change.
fn validate(
    place: &Place,
    doc: &TasksDoc,
    task: &Task,
    direction: Direction,
) -> Result<Vec<String>> {
    if task.done == direction.done() {
        let state = if task.done {
            "already done"
        } else {
            "not done"
        };
        return Err(Error::new(format!("{} is {state}", task.id)));
    }
    let paths = repository_paths(place, task)?;
    if let Direction::Done { force: false, .. } = direction {
        refuse_open_dependencies(doc, task)?;
        refuse_phantom(place, task, &paths)?;
    }
    Ok(paths)
}

/// Runs the task's checks (see `tasks::verify`) in the workspace root, or
/// with `--dry-run` only names them; the commands that passed.
fn verify(
    cx: &mut Context,
    place: &Place,
    task: &Task,
    dry_run: bool,
    limit: Option<std::time::Duration>,
) -> Result<Vec<String>> {
    let checks = verify::checks_for(task, &place.ws.root, &place.ws.config.verify)?;
    let limit = limit.unwrap_or(place.ws.config.verify_timeout);
    for check in &checks {
        if dry_run {
            cx.shell
                .status("Would run", format!("`{check}` for {}", task.id));
            continue;
        }
        cx.shell
            .status("Verifying", format!("{} with `{check}`", task.id));
        verify::run(check, &place.ws.root, limit).map_err(|e| {
            e.with_help(format!("{} stays open and nothing was committed", task.id))
        })?;
        signal::check()?;
    }
    Ok(checks.iter().map(ToString::to_string).collect())
}

/// The message with a `Verified-by:` git trailer per check that passed.
fn with_verified_trailer(message: String, verified: &[String]) -> String {
    if verified.is_empty() {
        return message;
    }
    let mut message = format!("{}\n\n", message.trim_end());
    for command in verified {
        message.push_str(&format!("Verified-by: {command} (passed)\n"));
    }
    message
}

/// The lock every run that rewrites tasks.md holds (done, undo, check
/// --fix): the repository's, else one beside the file.
pub(crate) fn lock_tasks(git: Option<&Git>, tasks_path: &Path) -> Result<lock::Lock> {
    match git {
        Some(git) => lock::exclusive(&git.lock_path()),
        None => lock::exclusive(&tasks_path.with_file_name(".tasks.md.lock")),
    }
}

/// Removes the temporary copies of tasks.md that a killed run left (their
/// writer is gone); says which one it could not remove.
fn remove_stale_temp_files(cx: &mut Context, ws: &Workspace, tasks_path: &Path) {
    for (temp, pid) in crate::ops::fs::temp_files(tasks_path) {
        if signal::alive(pid) {
            continue;
        }
        let shown = ws.relative(&temp);
        match std::fs::remove_file(&temp) {
            Ok(()) => cx
                .shell
                .status("Removed", format!("{shown} (left by an interrupted run)")),
            Err(e) => cx.shell.warn(format!(
                "cannot remove {shown} (left by an interrupted run): {e}; remove it by hand"
            )),
        }
    }
}

/// When the task's box differs from the last commit's tasks.md (an edit
/// made without a commit, e.g. with --no-commit or by hand): how to commit it.
fn uncommitted_hint(place: &Place, file: &TasksFile, task: &Task) -> Option<String> {
    let git = place.git.as_ref()?;
    let committed = git
        .head_file(&format!("{}{}", place.prefix, file.display))
        .ok()??;
    let committed = crate::tasks::read::parse(&String::from_utf8_lossy(&committed));
    if committed.get(task.id)?.task.done == task.done {
        return None;
    }
    let (state, undo, redo) = if task.done {
        ("checked", "undo", "done")
    } else {
        ("unchecked", "done", "undo")
    };
    Some(format!(
        "{} is {state} in {} but not in the last commit; to commit it: \
         cargo tasks {undo} {} --no-commit && cargo tasks {redo} {}",
        task.id, file.display, task.id, task.id
    ))
}

/// The task with ID `wanted`, or an error naming the nearest ID; a
/// repeated ID is refused with every line it is on.
fn find<'a>(file: &'a TasksFile, wanted: &str) -> Result<&'a TaskEntry> {
    let trimmed = wanted.trim();
    let found = TaskId::parse(trimmed)
        .and_then(|id| file.doc.get(id))
        .or_else(|| {
            file.doc
                .tasks
                .iter()
                .find(|e| e.task.id.to_string().eq_ignore_ascii_case(trimmed))
        });
    if let Some(entry) = found {
        let all = file.doc.all_with(entry.task.id);
        if all.len() > 1 {
            let lines: Vec<String> = all.iter().map(|e| e.line.to_string()).collect();
            return Err(Error::new(format!(
                "{} is on more than one line ({}); cannot tell which one to mark",
                entry.task.id,
                lines.join(", ")
            ))
            .in_file(&file.display)
            .with_help("give each task its own ID, then run this again"));
        }
        return Ok(entry);
    }
    let normalized = trimmed.to_ascii_uppercase();
    let mut error = Error::new(format!("no task {wanted} in this file")).in_file(&file.display);
    let nearest = file
        .doc
        .tasks
        .iter()
        .map(|e| e.task.id.to_string())
        .min_by_key(|id| (edit_distance(id, &normalized), id.clone()));
    if let Some(nearest) = nearest {
        error = error.with_help(format!("did you mean {nearest}?"));
    }
    Err(error)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A task that is not ready (see `tasks::graph`) names what it waits for.
fn refuse_open_dependencies(doc: &TasksDoc, task: &Task) -> Result<()> {
    const NAMED: usize = 10;
    let open = Graph::new(doc).waits_for(task.id);
    if open.is_empty() {
        return Ok(());
    }
    let mut named: Vec<String> = open.iter().take(NAMED).map(ToString::to_string).collect();
    if open.len() > NAMED {
        named.push(format!("and {} more", open.len() - NAMED));
    }
    Err(Error::new(format!(
        "{} depends on tasks not done yet: {}",
        task.id,
        named.join(", ")
    ))
    .with_help("finish those first, or pass --force"))
}

/// A "phantom completion": the task names paths, and none of them exists or
/// differs from HEAD, so no work on them can have happened.
fn refuse_phantom(place: &Place, task: &Task, repo_paths: &[String]) -> Result<()> {
    for (path, repo_path) in task.paths.iter().zip(repo_paths) {
        let worked_on = match &place.git {
            _ if place.ws.root.join(path).exists() => true,
            Some(git) => git.changed_since_head(repo_path)?,
            None => false,
        };
        if worked_on {
            return Ok(());
        }
    }
    if task.paths.is_empty() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} names paths that neither exist nor changed since the last commit: {}",
        task.id,
        task.paths.join(", ")
    ))
    .with_help("do the work first, or pass --force if the task really is complete"))
}

/// The task's paths relative to the work tree; an error for one that leaves
/// the repository (`..`, absolute, or through a symlink).
fn repository_paths(place: &Place, task: &Task) -> Result<Vec<String>> {
    let root = place
        .git
        .as_ref()
        .map_or(place.ws.root.as_path(), |git| git.workdir());
    task.paths
        .iter()
        .map(|path| {
            let outside = || {
                Error::new(format!("{} names {path}, which is outside the repository", task.id))
                    .with_help("task paths are relative to the workspace root and must stay inside the repository")
            };
            let joined = normalize(&format!("{}{path}", place.prefix)).ok_or_else(outside)?;
            let full = root.join(&joined);
            let existing = full.ancestors().find(|p| p.exists()).unwrap_or(root);
            match existing.canonicalize() {
                Ok(real) if !real.starts_with(root) => Err(outside()),
                _ => Ok(joined),
            }
        })
        .collect()
}

/// `a/./b/../c` → `a/c`; `None` for absolute paths or ones that climb out.
fn normalize(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `sub/` when the workspace root is `sub` inside the work tree, else `""`.
fn workspace_prefix(root: &Path, workdir: &Path) -> Result<String> {
    let root: PathBuf = root
        .canonicalize()
        .map_err(|e| Error::io("resolve", root, &e))?;
    let relative = root
        .strip_prefix(workdir)
        .map_err(|_| Error::new("the workspace is not inside the git work tree").in_file(&root))?;
    let prefix: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(prefix.iter().map(|p| format!("{p}/")).collect())
}

#[derive(Serialize)]
struct MessageData<'a> {
    id: String,
    description: &'a str,
    phase: &'a str,
    paths: &'a [String],
    done: bool,
    /// The conventional-commits type for the phase.
    r#type: &'static str,
}

fn commit_message(ws: &Workspace, task: &Task, direction: Direction) -> Result<String> {
    let template = match ws.config.commit_style {
        CommitStyle::Plain => "commit-message.hbs",
        CommitStyle::Conventional => "commit-message-conventional.hbs",
    };
    let data = MessageData {
        id: task.id.to_string(),
        description: &task.description,
        phase: &task.phase,
        paths: &task.paths,
        done: direction.done(),
        r#type: conventional_type(&task.phase, direction),
    };
    Renderer::new(ws, None)?.render(template, &data)
}

/// Setup → build, Tests → test, Polish → chore, Documentation → docs,
/// anything else → feat; reopening a task → revert.
fn conventional_type(phase: &str, direction: Direction) -> &'static str {
    let phase = phase.to_lowercase();
    if !direction.done() {
        "revert"
    } else if phase.contains("setup") {
        "build"
    } else if phase.contains("test") {
        "test"
    } else if phase.contains("polish") {
        "chore"
    } else if phase.contains("doc") {
        "docs"
    } else {
        "feat"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_keeps_paths_inside() {
        assert_eq!(
            normalize("sub/./docker/../Cargo.toml").as_deref(),
            Some("sub/Cargo.toml")
        );
        assert_eq!(normalize("../etc/passwd"), None);
        assert_eq!(normalize("/etc/passwd"), None);
        assert_eq!(normalize("a/../.."), None);
    }

    #[test]
    fn nearest_id_by_edit_distance() {
        assert_eq!(edit_distance("T004", "T004"), 0);
        assert_eq!(edit_distance("T004", "T04"), 1);
        assert_eq!(edit_distance("T014", "T004"), 1);
    }

    #[test]
    fn conventional_types_follow_the_phase() {
        let done = Direction::Done {
            force: false,
            verify: false,
            verify_timeout: None,
        };
        assert_eq!(conventional_type("Phase 3.1: Setup", done), "build");
        assert_eq!(conventional_type("Phase 3.3: Tests", done), "test");
        assert_eq!(
            conventional_type("Phase 3.2: Core Implementation", done),
            "feat"
        );
        assert_eq!(conventional_type("Phase 3.5: Polish", done), "chore");
        assert_eq!(
            conventional_type("Phase 3.5: Polish", Direction::Undo),
            "revert"
        );
    }
}
