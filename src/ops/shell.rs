//! Cargo-style terminal output: right-aligned coloured status verbs and
//! warnings on stderr; data on stdout. Every verb prints through here. A
//! failed write of data is remembered and reported by `finish` (exit 1); a
//! closed pipe (`| head`) only stops the output, quietly.

use crate::{Diagnostic, Severity};
use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Effects, Style};
use clap::builder::styling::Styles;
use std::fmt::Display;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

// Cargo's own palette, for its status lines, diagnostics and help.
const STATUS: Style = AnsiColor::BrightGreen.on_default().effects(Effects::BOLD);
const WARNING: Style = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
const ERROR: Style = AnsiColor::BrightRed.on_default().effects(Effects::BOLD);
const HELP: Style = AnsiColor::BrightCyan.on_default().effects(Effects::BOLD);

/// `--help` coloured as cargo's.
pub const HELP_STYLES: Styles = Styles::styled()
    .header(STATUS)
    .usage(STATUS)
    .literal(HELP)
    .placeholder(AnsiColor::Cyan.on_default())
    .error(ERROR)
    .valid(HELP)
    .invalid(WARNING);

pub struct Shell {
    err: AutoStream<std::io::Stderr>,
    out: AutoStream<std::io::Stdout>,
    verbosity: Verbosity,
    /// The first failed write to stdout; later data is not written.
    out_failed: Option<std::io::Error>,
}

impl Shell {
    pub fn new(color: Color, verbosity: Verbosity) -> Self {
        let choice = match color {
            Color::Auto => ColorChoice::Auto,
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
        };
        Shell {
            err: AutoStream::new(std::io::stderr(), choice),
            out: AutoStream::new(std::io::stdout(), choice),
            verbosity,
            out_failed: None,
        }
    }

    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// `   Generated specs/001-x/tasks.md (23 tasks)`, silent under `--quiet`.
    pub fn status(&mut self, verb: &str, message: impl Display) {
        self.status_styled(verb, message, STATUS);
    }

    /// A status line in warning colour, for outcomes that need attention.
    pub fn status_warn(&mut self, verb: &str, message: impl Display) {
        self.status_styled(verb, message, WARNING);
    }

    fn status_styled(&mut self, verb: &str, message: impl Display, style: Style) {
        if self.verbosity > Verbosity::Quiet {
            let _ = writeln!(self.err, "{style}{verb:>12}{style:#} {message}");
        }
    }

    pub fn warn(&mut self, message: impl Display) {
        if self.verbosity > Verbosity::Quiet {
            let _ = writeln!(self.err, "{WARNING}warning{WARNING:#}: {message}");
        }
    }

    /// A reader's diagnostic, `warning: file:line: message`; `-q` drops it
    /// (what makes a command fail is its error, printed by [`Shell::error`]).
    pub fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        let style = match diagnostic.severity {
            Severity::Error => ERROR,
            Severity::Warning => WARNING,
        };
        if self.verbosity > Verbosity::Quiet {
            let (severity, location) = (diagnostic.severity, diagnostic.location());
            let message = &diagnostic.message;
            let _ = writeln!(
                self.err,
                "{style}{severity}{style:#}: {location}: {message}"
            );
        }
    }

    /// Prints an error, its file shown relative to the current directory.
    pub fn error(&mut self, err: &crate::Error) {
        let cwd = std::env::current_dir().unwrap_or_default();
        let err = err.clone().relative_to(&cwd);
        let _ = writeln!(self.err, "{ERROR}error{ERROR:#}: {err}");
        for help in err.help() {
            let _ = writeln!(self.err, "  {HELP}help{HELP:#}: {help}");
        }
    }

    /// Data for the user or a script (JSON, graphs, diffs); never silenced.
    /// A failed write is reported by [`Shell::finish`].
    pub fn out(&mut self, text: &str) {
        if self.out_failed.is_some() {
            return;
        }
        let written = self.out.write_all(text.as_bytes());
        if let Err(err) = written.and_then(|()| self.out.flush()) {
            self.out_failed = Some(err);
        }
    }

    /// The end of a command's output: an error when data could not be
    /// written to stdout, except to a closed pipe (the reader has all it wanted).
    pub fn finish(&mut self) -> crate::Result<()> {
        match self.out_failed.take() {
            Some(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(crate::Error::new(
                format!("cannot write to standard output: {err}"),
            )),
            _ => Ok(()),
        }
    }
}
