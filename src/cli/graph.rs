use crate::cli::Context;
use crate::feature::FeatureArgs;
use crate::tasks::file::TasksFile;
use crate::tasks::graph::Graph;
use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders on GitHub)
    #[default]
    Mermaid,
    /// Graphviz DOT
    Dot,
    /// A standalone SVG image (no Graphviz needed)
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub feature: FeatureArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

impl GraphArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        let ws = cx.workspace_root()?;
        let file = TasksFile::load(&ws, &self.feature)?;
        let scene = Graph::new(&file.doc).scene();
        let text = match self.format {
            GraphFormat::Mermaid => scene.to_mermaid(),
            GraphFormat::Dot => scene.to_dot(),
            GraphFormat::Svg => scene.to_svg(),
        };
        cx.shell.out(&text);
        Ok(())
    }
}
