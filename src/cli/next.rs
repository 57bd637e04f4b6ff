use crate::cli::status::TasksFile;
use crate::cli::{to_json, Context, Format};
use crate::feature::FeatureArgs;
use crate::tasks::graph::Graph;
use crate::Result;

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
        let tasks = file.doc.task_list();
        let groups = Graph::new(&tasks).parallel_groups();
        let text = match self.format {
            Format::Json => to_json(&groups)?,
            Format::Text if groups.is_empty() => {
                let left = tasks.iter().filter(|t| !t.done).count();
                if left == 0 {
                    "All tasks are done.\n".to_string()
                } else {
                    format!("No task is ready: the {left} open tasks wait on each other (see `cargo tasks check`).\n")
                }
            }
            Format::Text => {
                let mut out = String::new();
                for (number, group) in groups.iter().enumerate() {
                    let together = if group.len() > 1 {
                        " (can run in parallel)"
                    } else {
                        ""
                    };
                    out.push_str(&format!("Batch {}{together}:\n", number + 1));
                    for task in group {
                        out.push_str(&format!("  {} {}\n", task.id, task.description));
                    }
                }
                out
            }
        };
        cx.shell.out(&text);
        Ok(())
    }
}
