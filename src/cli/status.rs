use crate::cli::{to_json, Context, Format};
use crate::feature::FeatureArgs;
use crate::tasks::graph::Graph;
use crate::tasks::read::{self, TasksDoc};
use crate::tasks::Task;
use crate::workspace::Workspace;
use crate::{Error, Result};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A feature's tasks.md as read from disk.
pub(crate) struct TasksFile {
    pub path: PathBuf,
    /// The path as shown to users: relative to the workspace root.
    pub display: String,
    pub text: String,
    pub doc: TasksDoc,
}

impl TasksFile {
    pub fn load(ws: &Workspace, feature: &FeatureArgs) -> Result<TasksFile> {
        let path = feature.resolve(ws)?.tasks_path();
        let display = ws.relative(&path);
        TasksFile::read(path, display)
    }

    pub fn read(path: PathBuf, display: String) -> Result<TasksFile> {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let error = Error::io("read", &path, &e);
            if e.kind() == std::io::ErrorKind::NotFound {
                error.with_help("create it with `cargo tasks generate`")
            } else {
                error
            }
        })?;
        Ok(TasksFile {
            path,
            display,
            doc: read::parse(&text),
            text,
        })
    }

    /// The same file after an edit.
    pub fn with_text(self, text: String) -> TasksFile {
        TasksFile {
            doc: read::parse(&text),
            text,
            ..self
        }
    }
}

#[derive(Debug, Serialize)]
struct Status<'a> {
    file: &'a str,
    done: usize,
    total: usize,
    percent: u32,
    phases: Vec<PhaseStatus<'a>>,
    ready: Vec<&'a Task>,
}

#[derive(Debug, Serialize)]
struct PhaseStatus<'a> {
    name: &'a str,
    done: usize,
    total: usize,
}

impl StatusArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace_root()?;
        let file = TasksFile::load(&ws, &self.feature)?;
        let tasks = file.doc.task_list();
        let status = summarize(&file.display, &tasks);
        let text = match self.format {
            Format::Json => to_json(&status)?,
            Format::Text => render_text(&status),
        };
        cx.shell.out(&text);
        Ok(())
    }
}

fn summarize<'a>(file: &'a str, tasks: &'a [Task]) -> Status<'a> {
    let mut phases: Vec<PhaseStatus> = Vec::new();
    for task in tasks {
        let at = match phases.iter().position(|p| p.name == task.phase) {
            Some(at) => at,
            None => {
                phases.push(PhaseStatus {
                    name: &task.phase,
                    done: 0,
                    total: 0,
                });
                phases.len() - 1
            }
        };
        let phase = &mut phases[at];
        phase.total += 1;
        phase.done += usize::from(task.done);
    }
    let done = tasks.iter().filter(|t| t.done).count();
    Status {
        file,
        done,
        total: tasks.len(),
        percent: percent(done, tasks.len()),
        phases,
        ready: Graph::new(tasks).ready(),
    }
}

fn percent(done: usize, total: usize) -> u32 {
    if total == 0 {
        return 0;
    }
    u32::try_from(done * 100 / total).unwrap_or(100)
}

fn render_text(status: &Status) -> String {
    const BAR: usize = 20;
    let width = status
        .phases
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("{}\n", status.file);
    for phase in &status.phases {
        let filled = (phase.done * BAR).checked_div(phase.total).unwrap_or(0);
        let name = if phase.name.is_empty() {
            "(no phase)"
        } else {
            phase.name
        };
        out.push_str(&format!(
            "  {name:<width$}  [{}{}] {}/{}\n",
            "#".repeat(filled),
            "-".repeat(BAR - filled),
            phase.done,
            phase.total,
        ));
    }
    out.push_str(&format!(
        "Overall: {}/{} done ({}%)\n",
        status.done, status.total, status.percent
    ));
    if status.ready.is_empty() {
        out.push_str("Ready: none\n");
    } else {
        out.push_str("Ready:\n");
        for task in &status.ready {
            out.push_str(&format!("  {} {}\n", task.id, task.description));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_bars_percent_and_ready() {
        let doc = read::parse(
            "## Phase 1: Setup\n- [x] T001 a in a.rs\n- [ ] T002 b in b.rs\n## Phase 2: Core\n- [ ] T003 c in c.rs (depends on T002)\n",
        );
        let tasks = doc.task_list();
        let text = render_text(&summarize("specs/001-x/tasks.md", &tasks));
        assert_eq!(
            text,
            "specs/001-x/tasks.md\n  Phase 1: Setup  [##########----------] 1/2\n  Phase 2: Core   [--------------------] 0/1\n\
             Overall: 1/3 done (33%)\nReady:\n  T002 b in b.rs\n"
        );
    }
}
