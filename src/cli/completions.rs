//! `cargo tasks completions <shell>`: a completion script generated from the
//! same clap definitions that parse the command line.
//!
//! zsh's cargo completion calls a plugin's `_cargo-<name>` function, so the
//! zsh script defines `_cargo-tasks` for the `tasks` tree alone. The other
//! shells have no such hook: their script completes the `cargo` command with
//! `tasks` as its one subcommand (fish adds it to cargo's own completions;
//! bash, PowerShell and elvish replace them).

use crate::cli::{tasks_command, CargoCli, Context};
use crate::{Error, Result};
use clap::CommandFactory;
use clap_complete::Shell;

#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: Shell,
}

impl CompletionsArgs {
    pub fn run(&self, cx: &mut Context) -> Result<()> {
        cx.shell.out(&script(self.shell)?);
        Ok(())
    }
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Result<String> {
    let mut out = Vec::new();
    match shell {
        Shell::Zsh => clap_complete::generate(shell, &mut tasks_command(), "cargo-tasks", &mut out),
        _ => clap_complete::generate(shell, &mut CargoCli::command(), "cargo", &mut out),
    }
    String::from_utf8(out).map_err(|e| Error::new(format!("completion script is not UTF-8: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_shell_gets_a_script_naming_every_verb() {
        let verbs: Vec<String> = tasks_command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        assert!(verbs.len() >= 10, "{verbs:?}");
        for shell in Shell::value_variants() {
            let text = script(*shell).unwrap();
            for verb in &verbs {
                assert!(text.contains(verb.as_str()), "{shell}: no {verb}");
            }
        }
    }

    #[test]
    fn zsh_defines_the_plugin_function_cargo_calls() {
        let text = script(Shell::Zsh).unwrap();
        assert!(text.starts_with("#compdef cargo-tasks\n"), "{text}");
        assert!(text.contains("_cargo-tasks() {"), "{text}");
    }
}
