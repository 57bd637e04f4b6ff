use cargo_tasks::cli::{parse, Context};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version on stdout with 0; usage errors on stderr with 2.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    let mut cx = Context::new(cli.global);
    let ran = cli.command.run(&mut cx);
    let written = cx.shell.finish();
    let errors: Vec<_> = [ran, written].into_iter().filter_map(Result::err).collect();
    for err in &errors {
        cx.shell.error(err);
    }
    match errors.is_empty() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}
