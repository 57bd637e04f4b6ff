//! The command line as cargo runs it: exit codes and `CARGO_TERM_COLOR`
//! (the completion scripts are tested in their shells in tests/completions.rs).

use std::path::Path;
use std::process::{Command, Output};

fn cargo_tasks(dir: &Path, args: &[&str], color: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-tasks"));
    command.args(args).current_dir(dir);
    match color {
        Some(value) => command.env("CARGO_TERM_COLOR", value),
        None => command.env_remove("CARGO_TERM_COLOR"),
    };
    command.output().expect("cargo-tasks runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn usage_errors_exit_2_and_help_exits_0_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let bad = cargo_tasks(dir.path(), &["tasks", "status", "--bogus"], Some("never"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).starts_with("error: unexpected argument '--bogus' found\n"));
    assert!(bad.stdout.is_empty());

    let help = cargo_tasks(dir.path(), &["tasks", "--help"], Some("never"));
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("\nUsage: cargo tasks [OPTIONS] <COMMAND>\n"));
    assert!(help.stderr.is_empty());

    // A failure of the work itself (no Cargo.toml here) stays exit 1.
    let failed = cargo_tasks(dir.path(), &["tasks", "status"], Some("never"));
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stderr));
}

#[test]
fn cargo_term_color_colours_help_errors_and_status_output() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["tasks", "--bogus"][..], &["tasks", "status"][..]] {
        let always = cargo_tasks(dir.path(), args, Some("always"));
        assert!(
            text(&always.stderr).starts_with("\x1b[1m\x1b[91merror"),
            "{args:?}: {:?}",
            text(&always.stderr)
        );
        let never = cargo_tasks(dir.path(), args, Some("never"));
        assert!(
            text(&never.stderr).starts_with("error") && !never.stderr.contains(&0x1b),
            "{args:?}: {:?}",
            text(&never.stderr)
        );
    }
    // --color on the command line wins over the environment.
    let flag = cargo_tasks(
        dir.path(),
        &["tasks", "--color", "never", "status"],
        Some("always"),
    );
    assert!(!flag.stderr.contains(&0x1b), "{:?}", text(&flag.stderr));
    // An unknown value is a usage error, as it is for cargo.
    let bad = cargo_tasks(dir.path(), &["tasks", "status"], Some("sometimes"));
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
}

/// `--feature` names a feature by a path from the current directory too:
/// relative with `./` and a trailing slash, absolute, or through a link.
#[test]
fn feature_paths_from_the_current_directory_select_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
    for name in ["001-first", "002-second"] {
        let feature = root.join("specs").join(name);
        std::fs::create_dir_all(&feature).unwrap();
        std::fs::write(
            feature.join("plan.md"),
            "# Implementation Plan: svc\n\n## Technical Context\n**Language/Version**: Rust 1.80\n",
        )
        .unwrap();
    }
    let link = root.join("second-link");
    std::os::unix::fs::symlink(root.join("specs/002-second"), &link).unwrap();
    let specs = root.join("specs");
    let absolute = root.join("specs/002-second");
    for (cwd, wanted) in [
        (specs.as_path(), "./002-second/"),
        (root, absolute.to_str().unwrap()),
        (root, link.to_str().unwrap()),
    ] {
        let out = cargo_tasks(
            cwd,
            &["tasks", "generate", "--feature", wanted],
            Some("never"),
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{wanted}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("specs/002-second/tasks.md"),
            "{wanted}: {}",
            text(&out.stderr)
        );
        assert!(!root.join("specs/001-first/tasks.md").exists(), "{wanted}");
    }
}

/// A file kept because it differs is a status in warning colour and a warning
/// on stderr; `-q` silences both, as it silences the other statuses (the quiet run
/// writes the other files, so the second finds them unchanged).
#[test]
fn kept_files_are_warned_about_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/service/.");
    let copied = Command::new("cp")
        .arg("-a")
        .arg(fixture)
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::create_dir(dir.path().join("docker")).unwrap();
    std::fs::write(dir.path().join("docker/setup.sh"), "# mine\n").unwrap();
    let quiet = cargo_tasks(dir.path(), &["tasks", "scaffold", "-q"], Some("never"));
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stderr));
    assert_eq!(text(&quiet.stderr), "");
    let loud = cargo_tasks(dir.path(), &["tasks", "scaffold"], Some("always"));
    assert_eq!(loud.status.code(), Some(0), "{}", text(&loud.stderr));
    let stderr = text(&loud.stderr);
    assert!(
        stderr.contains(
            "\x1b[1m\x1b[33m        Kept\x1b[0m docker/setup.sh (differs; use --force to overwrite)\n"
        ),
        "{stderr:?}"
    );
    assert!(
        stderr.ends_with(
            "\x1b[1m\x1b[33mwarning\x1b[0m: 1 file(s) differ from the templates and were kept; \
             review them with --dry-run, overwrite them with --force\n"
        ),
        "{stderr:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("docker/setup.sh")).unwrap(),
        "# mine\n"
    );
}
