use crate::cli::{Context, Format};
use crate::feature;
use crate::Result;
use serde::Serialize;

/// The documents a feature directory may hold, in spec-kit's order.
pub const DOCUMENTS: [&str; 8] = [
    "plan.md",
    "research.md",
    "data-model.md",
    "contracts/",
    "quickstart.md",
    "configuration.md",
    "dockerfile-design.md",
    "tasks.md",
];

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct FeatureSummary {
    name: String,
    path: String,
    documents: Vec<&'static str>,
    /// Tasks done and in all, when the feature has a tasks.md.
    progress: Option<Progress>,
}

#[derive(Debug, Serialize)]
struct Progress {
    done: usize,
    total: usize,
}

impl ListArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace_root()?;
        let mut summaries = Vec::new();
        for f in feature::list(&ws)? {
            summaries.push(FeatureSummary {
                documents: DOCUMENTS
                    .into_iter()
                    .filter(|doc| f.dir.join(doc.trim_end_matches('/')).exists())
                    .collect(),
                progress: progress(&f.tasks_path())?,
                name: f.name,
                path: f.rel,
            });
        }
        match self.format {
            Format::Json => cx.shell.out(&crate::cli::to_json(&summaries)?),
            Format::Text => {
                for s in &summaries {
                    let progress = s.progress.as_ref().map_or("no tasks.md".to_string(), |p| {
                        format!("{}/{} done", p.done, p.total)
                    });
                    let documents = s.documents.join(", ");
                    cx.shell
                        .out(&format!("{:<32} {progress:<14} {documents}\n", s.name));
                }
            }
        }
        Ok(())
    }
}

fn progress(tasks_path: &std::path::Path) -> Result<Option<Progress>> {
    if !tasks_path.exists() {
        return Ok(None);
    }
    let doc = crate::tasks::read::parse(&crate::spec::read_text(tasks_path)?);
    Ok(Some(Progress {
        done: doc.tasks.iter().filter(|e| e.task.done).count(),
        total: doc.tasks.len(),
    }))
}
