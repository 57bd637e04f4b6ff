//! `cargo tasks man [VERB]`: the manual pages, rendered in roff from the same
//! clap definitions that parse the command line: `cargo-tasks(1)` and one
//! `cargo-tasks-<verb>(1)` per verb, which the first one refers to.
//! `cargo install` installs no man pages, so the binary prints its own.

use crate::cli::{tasks_command, Context};
use crate::{Error, Result};

#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// The verb whose page to print (cargo-tasks-<VERB>(1)); cargo-tasks(1) without it
    #[arg(value_name = "VERB")]
    pub verb: Option<String>,
}

impl ManArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        cx.shell.out(&page(self.verb.as_deref())?);
        Ok(())
    }
}

/// The roff source of `cargo-tasks(1)`, or of `cargo-tasks-<verb>(1)`.
pub fn page(verb: Option<&str>) -> Result<String> {
    let tasks = tasks_command();
    let command = match verb {
        None => tasks,
        Some(verb) => tasks.find_subcommand(verb).cloned().ok_or_else(|| {
            let verbs: Vec<&str> = tasks.get_subcommands().map(|c| c.get_name()).collect();
            Error::new(format!("no manual page for `{verb}`"))
                .with_help(format!("verbs: {}", verbs.join(", ")))
        })?,
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .source(format!("cargo-tasks {}", env!("CARGO_PKG_VERSION")))
        .render(&mut out)
        .map_err(|e| Error::new(format!("cannot render the manual page: {e}")))?;
    String::from_utf8(out).map_err(|e| Error::new(format!("manual page is not UTF-8: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_page_refers_to_one_page_per_verb() {
        let text = page(None).unwrap();
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            text.contains(&format!(".TH cargo-tasks 1  \"cargo-tasks {version}\" \n")),
            "{text}"
        );
        assert!(text.contains("\\fBcargo tasks\\fR [\\fB\\-\\-manifest\\-path\\fR]"));
        for verb in tasks_command().get_subcommands() {
            let name = verb.get_name();
            assert!(
                text.contains(&format!("\n.TP\ncargo\\-tasks\\-{name}(1)\n")),
                "no {name}"
            );
            let sub = page(Some(name)).unwrap();
            assert!(
                sub.contains(&format!(".TH cargo-tasks-{name} 1 ")),
                "{name}: {sub}"
            );
            assert!(
                sub.contains(&format!("\\fBcargo tasks {name}\\fR")),
                "{sub}"
            );
        }
    }

    #[test]
    fn an_unknown_verb_is_an_error_listing_the_verbs() {
        let err = page(Some("bogus")).unwrap_err();
        assert_eq!(err.message(), "no manual page for `bogus`");
        assert!(err.help()[0].starts_with("verbs: generate, scaffold, done,"));
    }
}
