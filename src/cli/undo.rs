use crate::cli::done::{toggle, Direction, ToggleOptions};
use crate::cli::Context;
use crate::Result;

#[derive(Debug, clap::Args)]
pub struct UndoArgs {
    /// Tasks to mark not done again, e.g. T004 (one commit each)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub options: ToggleOptions,
}

impl UndoArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        toggle(cx, &self.ids, &self.options, Direction::Undo)
    }
}
