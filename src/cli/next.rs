use crate::cli::{to_json, Context, Format};
use crate::feature::FeatureArgs;
use crate::tasks::file::TasksFile;
use crate::tasks::graph::Graph;
use crate::tasks::read::TaskView;
use crate::Result;

/// Batches shown as text; `--format json` has them all.
const SHOWN: usize = 3;

#[derive(Debug, clap::Args)]
pub struct NextArgs {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl NextArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace_root()?;
        let file = TasksFile::load(&ws, &self.feature)?;
        let doc = &file.doc;
        let batches = Graph::new(doc).batches();
        let text = match self.format {
            Format::Json => {
                let views: Vec<Vec<TaskView>> = batches
                    .iter()
                    .map(|batch| batch.iter().map(|e| e.view(doc)).collect())
                    .collect();
                to_json(&views)?
            }
            Format::Text if batches.is_empty() => {
                let left = doc.tasks.iter().filter(|e| !e.task.done).count();
                if left == 0 {
                    "All tasks are done.\n".to_string()
                } else {
                    format!("No task is ready: the {left} open tasks wait on each other (see `cargo tasks check`).\n")
                }
            }
            Format::Text => {
                let mut out = String::new();
                for (number, batch) in batches.iter().enumerate().take(SHOWN) {
                    let together = if batch.len() > 1 {
                        " (can run in parallel)"
                    } else {
                        ""
                    };
                    let when = if number == 0 { "ready now" } else { "then" };
                    out.push_str(&format!("Batch {}, {when}{together}:\n", number + 1));
                    for entry in batch {
                        out.push_str(&format!("  {} {}\n", entry.task.id, entry.task.description));
                    }
                }
                if batches.len() > SHOWN {
                    out.push_str(&format!(
                        "... and {} more batches (all of them with --format json)\n",
                        batches.len() - SHOWN
                    ));
                }
                out
            }
        };
        cx.shell.out(&text);
        Ok(())
    }
}
