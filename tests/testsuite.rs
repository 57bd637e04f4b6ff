//! CLI scenarios: each `tests/testsuite/<verb>/<case>.toml` names the command,
//! `<case>.in/` is the input tree and `<case>.out/` the expected tree.
//! Refresh expected output with `TRYCMD=overwrite cargo test --test testsuite`.

#[test]
fn cli_scenarios() {
    trycmd::TestCases::new()
        .register_bin(
            "cargo-tasks",
            std::path::Path::new(env!("CARGO_BIN_EXE_cargo-tasks")),
        )
        .case("tests/testsuite/*/*.toml");
}
