//! CLI scenarios, one directory per verb under `tests/testsuite/`:
//! - `<case>.toml` names the command; `<case>.in/` (or `fs.base`) is the input
//!   tree, `<case>.out/` the expected tree, `<case>.stdout`/`.stderr` the output;
//! - `<case>.trycmd` runs several commands in one sandbox (done and undo in a
//!   git repository it creates), output and exit codes inline.
//!
//! Refresh expected output with `TRYCMD=overwrite cargo test --test testsuite`.

use std::path::{Path, PathBuf};

/// `program` as found on PATH.
fn on_path(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

#[test]
fn cli_scenarios() {
    // No feature selection from the caller's environment. (The only test of
    // this binary, so nothing else reads the environment meanwhile; a case's
    // own `env.add` would lose to `TestCases::env`, hence removal here.)
    std::env::remove_var("SPECIFY_FEATURE");
    std::env::remove_var("SPECIFY_FEATURE_DIRECTORY");
    trycmd::TestCases::new()
        .register_bin("cargo-tasks", Path::new(env!("CARGO_BIN_EXE_cargo-tasks")))
        .register_bin("git", on_path("git"))
        // No colours, no system or user git configuration.
        .env("CARGO_TERM_COLOR", "never")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .case("tests/testsuite/*/*.toml")
        .case("tests/testsuite/*/*.trycmd");
}
