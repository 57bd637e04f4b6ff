use cargo_tasks::cli::{normalize_args, Cli, Context};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(normalize_args(std::env::args_os().collect())) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let mut cx = Context::new(cli.global);
    match cli.command.run(&mut cx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            cx.shell.error(&err);
            ExitCode::FAILURE
        }
    }
}
