use crate::cli::{to_json, Context, Format};
use crate::feature::FeatureArgs;
use crate::tasks::file::TasksFile;
use crate::tasks::graph::Graph;
use crate::tasks::read::{TaskView, TasksDoc};
use crate::Result;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct Status<'a> {
    file: &'a str,
    done: usize,
    total: usize,
    percent: u32,
    phases: Vec<Progress<'a>>,
    /// Progress per story label (`US1`), when the file has story labels.
    stories: Vec<Progress<'a>>,
    /// Exactly `next`'s first batch.
    ready: Vec<TaskView<'a>>,
}

#[derive(Debug, Serialize)]
struct Progress<'a> {
    name: &'a str,
    done: usize,
    total: usize,
}

impl StatusArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace_root()?;
        let file = TasksFile::load(&ws, &self.feature)?;
        let status = summarize(&file.display, &file.doc);
        let text = match self.format {
            Format::Json => to_json(&status)?,
            Format::Text => render_text(&status),
        };
        cx.shell.out(&text);
        Ok(())
    }
}

/// Adds one task to the group `name`, keeping groups in first-seen order.
fn count<'a>(groups: &mut Vec<Progress<'a>>, name: &'a str, done: bool) {
    let at = match groups.iter().position(|p| p.name == name) {
        Some(at) => at,
        None => {
            groups.push(Progress {
                name,
                done: 0,
                total: 0,
            });
            groups.len() - 1
        }
    };
    groups[at].total += 1;
    groups[at].done += usize::from(done);
}

fn summarize<'a>(file: &'a str, doc: &'a TasksDoc) -> Status<'a> {
    let mut phases = Vec::new();
    let mut stories = Vec::new();
    for entry in &doc.tasks {
        count(&mut phases, &entry.task.phase, entry.task.done);
        if let Some(story) = &entry.story {
            count(&mut stories, story, entry.task.done);
        }
    }
    let done = doc.tasks.iter().filter(|e| e.task.done).count();
    Status {
        file,
        done,
        total: doc.tasks.len(),
        percent: percent(done, doc.tasks.len()),
        phases,
        stories,
        ready: Graph::new(doc)
            .ready()
            .into_iter()
            .map(|e| e.view(doc))
            .collect(),
    }
}

fn percent(done: usize, total: usize) -> u32 {
    if total == 0 {
        return 0;
    }
    u32::try_from(done * 100 / total).unwrap_or(100)
}

fn bars(out: &mut String, groups: &[Progress], width: usize) {
    const BAR: usize = 20;
    for group in groups {
        let filled = (group.done * BAR).checked_div(group.total).unwrap_or(0);
        let name = if group.name.is_empty() {
            "(no phase)"
        } else {
            group.name
        };
        out.push_str(&format!(
            "  {name:<width$}  [{}{}] {}/{}\n",
            "#".repeat(filled),
            "-".repeat(BAR - filled),
            group.done,
            group.total,
        ));
    }
}

fn render_text(status: &Status) -> String {
    let width = status
        .phases
        .iter()
        .chain(&status.stories)
        .map(|p| p.name.chars().count().max(10))
        .max()
        .unwrap_or(0);
    let mut out = format!("{}\n", status.file);
    bars(&mut out, &status.phases, width);
    if !status.stories.is_empty() {
        out.push_str("By story:\n");
        bars(&mut out, &status.stories, width);
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
    use crate::tasks::read;

    #[test]
    fn text_has_bars_percent_stories_and_ready() {
        let doc = read::parse(
            "## Phase 1: Setup\n- [x] T001 a in a.rs\n- [ ] T002 b in b.rs\n## Phase 2: Core\n- [ ] T003 [US1] c in c.rs (depends on T002)\n",
        );
        let text = render_text(&summarize("specs/001-x/tasks.md", &doc));
        assert_eq!(
            text,
            "specs/001-x/tasks.md\n  Phase 1: Setup  [##########----------] 1/2\n  Phase 2: Core   [--------------------] 0/1\n\
             By story:\n  US1             [--------------------] 0/1\n\
             Overall: 1/3 done (33%)\nReady:\n  T002 b in b.rs\n"
        );
    }
}
