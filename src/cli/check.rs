use crate::cli::status::TasksFile;
use crate::cli::Context;
use crate::feature::FeatureArgs;
use crate::tasks::check::check;
use crate::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A tasks.md to check (default: the feature's)
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub feature: FeatureArgs,
}

impl CheckArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let file = match &self.path {
            Some(path) => TasksFile::read(path.clone(), path.display().to_string())?,
            None => TasksFile::load(&cx.workspace_root()?, &self.feature)?,
        };
        let problems = check(&file.doc);
        let mut report = String::new();
        for problem in &problems {
            report.push_str(&format!(
                "{}:{}: {}\n",
                file.display, problem.line, problem.message
            ));
        }
        cx.shell.out(&report);
        match problems.len() {
            0 => {
                cx.shell.status(
                    "Checked",
                    format!(
                        "{} ({} tasks, no problems)",
                        file.display,
                        file.doc.tasks.len()
                    ),
                );
                Ok(())
            }
            1 => Err(Error::new("1 problem found").in_file(&file.display)),
            n => Err(Error::new(format!("{n} problems found")).in_file(&file.display)),
        }
    }
}
