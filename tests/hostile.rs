//! Hostile values in every input field that reaches a generated file: the
//! feature directory name, configuration defaults and validation values, the
//! health path, contract file names and their requests, Cargo metadata. Every
//! generated script must still parse (`sh -n`, `bash -n`), pass shellcheck and
//! hadolint, and running the entrypoint (and the test library) must hold the
//! values as data: exactly the same text, and no command run.

mod scaffold_support;

use scaffold_support::{multi_workspace, tool_available, Workspace};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Quotes of both kinds, `$()`, backquotes, a backslash, a leading `-` and
/// non-ASCII: a feature directory (created as `specs/<FEATURE>`).
const FEATURE: &str = "005-a'b\"c$(touch pwned)`touch pwned`\\ü -x";
/// A configuration default, written in a double-backquote code span.
const GREETING: &str = "a'$(touch pwned)'\"b\" `touch pwned` \\ -x ü";
/// A default that starts with `-`, and the prefix its validation demands.
const MODE: &str = "-x'$(touch pwned)";
/// A health path (no spaces: the plan's field is split on whitespace).
const HEALTH_PATH: &str = "/he'a\"l$(touch${IFS}pwned)th\\ü";
/// A contract file name, and one with a line break.
const CONTRACT: &str = "it's \"a\" $(touch pwned) `x` \\ -ü.md";
const CONTRACT_NEWLINE: &str = "new\nline.md";
/// A backing service's name in a compose snippet, and its user name (no `$`:
/// a value with one is a shell reference, which is never kept).
const BACKING_NAME: &str = "db'e\\\"x`u";
const DB_USER: &str = "u'se\\\"r` -x ü";
/// A Cargo description (TOML basic string escapes), with a line break.
const DESCRIPTION_TOML: &str = r#"it's \"q\" $(touch pwned) `touch pwned` \\ -x ü\nsecond line"#;

/// The single-container fixture with every hostile value planted.
fn hostile_service() -> Workspace {
    let ws = Workspace::fixture("service");
    let old = ws.path("specs/001-containerize-hello");
    fs::rename(&old, ws.path(&format!("specs/{FEATURE}"))).unwrap();
    let feature = |rel: &str| format!("specs/{FEATURE}/{rel}");
    let configuration = ws.read(&feature("configuration.md")).replace(
        "| `HELLO_LOG_LEVEL` | `info` | one of error, warn, info, debug | hello-svc |",
        &format!(
            "| `HELLO_LOG_LEVEL` | `a'b` | one of a'b, \\x, $(touch pwned) | hello-svc |\n\
             | `HELLO_GREETING` | ``{GREETING}`` | | hello-svc |\n\
             | `HELLO_MODE` | `{MODE}` | starts with -x' | hello-svc |"
        ),
    );
    ws.write(&feature("configuration.md"), &configuration);
    let plan = ws.read(&feature("plan.md")).replace(
        "**Health Monitoring**: HTTP GET /healthz on port 8080",
        &format!("**Health Monitoring**: HTTP GET {HEALTH_PATH} on port 8080"),
    );
    ws.write(&feature("plan.md"), &plan);
    ws.write(
        &feature(&format!("contracts/{CONTRACT}")),
        "GET /p'a\"th$(touch${IFS}pwned) returns 200\n",
    );
    ws.write(
        &feature(&format!("contracts/{CONTRACT_NEWLINE}")),
        "GET /ok returns 204\n",
    );
    let manifest = ws.read("crates/hello-svc/Cargo.toml");
    let manifest = manifest.replace(
        "description = \"A tiny \\\"hello\\\" HTTP service: $0 per `GET /healthz`\"",
        &format!("description = \"{DESCRIPTION_TOML}\""),
    );
    assert!(manifest.contains("second line"), "{manifest}");
    ws.write("crates/hello-svc/Cargo.toml", &manifest);
    ws
}

/// Every file below `dir`, relative.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// No file named `pwned` anywhere below `dir`: no planted command ran.
fn assert_no_side_effect(dir: &Path) {
    let ran: Vec<_> = files(dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "pwned"))
        .collect();
    assert!(ran.is_empty(), "a planted command ran: {ran:?}");
}

/// The generated shell scripts (by extension or shebang) and the shell each names.
fn scripts(root: &Path) -> Vec<(PathBuf, &'static str)> {
    files(&root.join("docker"))
        .into_iter()
        .map(|rel| Path::new("docker").join(rel))
        .filter(|rel| rel.to_string_lossy().ends_with(".sh"))
        .map(|rel| {
            let text = fs::read_to_string(root.join(&rel)).unwrap();
            let shell = if text.starts_with("#!/bin/bash") {
                "bash"
            } else {
                "sh"
            };
            (rel, shell)
        })
        .collect()
}

/// Every script parses (`sh -n`, `bash -n`) and passes shellcheck.
fn assert_scripts_parse_and_lint(root: &Path, scripts: &[(PathBuf, &str)]) {
    for (rel, shell) in scripts {
        let out = Command::new(shell)
            .arg("-n")
            .arg(rel)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell} -n {rel:?}: {out:?}");
    }
    if tool_available("shellcheck", &["--version"]) {
        // SC2089/SC2090 say a quote inside a value "will be treated literally":
        // exactly what the escaping is for, so they are the one thing allowed.
        let out = Command::new("shellcheck")
            .args(["--severity=warning", "--exclude=SC2089,SC2090"])
            .args(scripts.iter().map(|(rel, _)| rel))
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "shellcheck:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

fn scaffold(ws: &Workspace) {
    ws.run(&["scaffold", "--feature", FEATURE]).ok();
    assert_no_side_effect(ws.root());
}

#[test]
fn every_generated_script_parses_and_lints_with_hostile_values() {
    let ws = hostile_service();
    scaffold(&ws);
    let scripts = scripts(ws.root());
    // Both contract scripts (one per contract file, the line break kept in its name) are there.
    let contracts = scripts
        .iter()
        .filter(|(rel, _)| rel.starts_with("docker/test/contracts"))
        .count();
    assert_eq!(contracts, 3, "{scripts:?}");
    assert_scripts_parse_and_lint(ws.root(), &scripts);
    if tool_available("hadolint", &["--version"]) {
        let out = Command::new("hadolint")
            .args(["--failure-threshold", "warning", "docker/Dockerfile"])
            .current_dir(ws.root())
            .output()
            .unwrap();
        assert!(out.status.success(), "hadolint: {out:?}");
    }
    let dockerfile = ws.read("docker/Dockerfile");
    assert!(
        dockerfile.contains(
            r#"org.opencontainers.image.description="it's \"q\" \$(touch pwned) `touch pwned` \\ -x ü second line""#
        ),
        "{dockerfile}"
    );
}

/// Runs `shell -c script` in `dir` with `env`, returning (exit code, stdout, stderr).
fn run_in(dir: &Path, script: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn the_entrypoint_holds_hostile_values_as_data() {
    let ws = hostile_service();
    scaffold(&ws);
    let scratch = tempfile::tempdir().unwrap();
    // The entrypoint is compiled as the Dockerfile's builder stage does it.
    let bin = tempfile::tempdir().unwrap();
    let compiled = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .args(["--edition", "2021", "-o"])
        .arg(bin.path().join("entrypoint"))
        .arg(ws.path("docker/entrypoint.rs"))
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let entrypoint = bin.path().join("entrypoint");
    let entrypoint = entrypoint.to_str().unwrap();
    let show = r#"printf '[%s]\n' "$HELLO_GREETING" "$HELLO_LOG_LEVEL" "$HELLO_MODE""#;
    let (code, stdout, stderr) = run_in(
        scratch.path(),
        &format!("'{entrypoint}' sh -c '{}'", show.replace('\'', r"'\''")),
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, format!("[{GREETING}]\n[a'b]\n[{MODE}]\n"));
    // A value from the environment is checked, never run.
    for (value, expected) in [
        ("$(touch pwned)", 64),
        ("\\x", 0),
        ("a'b", 0),
        ("`touch pwned`", 64),
    ] {
        let (code, _, stderr) = run_in(
            scratch.path(),
            &format!("'{entrypoint}' true"),
            &[("HELLO_LOG_LEVEL", value)],
        );
        assert_eq!(code, expected, "{value}: {stderr}");
    }
    let (code, _, stderr) = run_in(
        scratch.path(),
        &format!("'{entrypoint}' true"),
        &[("HELLO_MODE", "y$(touch pwned)")],
    );
    assert_eq!(code, 64, "{stderr}");
    assert!(
        stderr.contains("invalid HELLO_MODE: it must start with '-x'"),
        "{stderr}"
    );
    let summary = ws.path("docker/entrypoint.d/scripts/10-config-summary.sh");
    let (code, _, stderr) = run_in(
        scratch.path(),
        &format!("sh '{}'", summary.display()),
        &[("HELLO_LOG_LEVEL", "$(touch pwned)")],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("config: HELLO_LOG_LEVEL=$(touch pwned)\n"),
        "{stderr}"
    );
    assert_no_side_effect(scratch.path());
    assert!(files(scratch.path()).is_empty());
}

#[test]
fn the_test_library_holds_a_hostile_feature_name_as_data() {
    let ws = hostile_service();
    scaffold(&ws);
    let scratch = tempfile::tempdir().unwrap();
    // lib.sh is sourced by every test script; docker need not answer for this.
    let (code, stdout, stderr) = run_in(
        scratch.path(),
        r#". "$TEST_DIR/lib.sh"; printf '%s' "$TEST_LABEL""#,
        &[("TEST_DIR", ws.path("docker/test").to_str().unwrap())],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, format!("cargo-tasks.test={FEATURE}"));
    assert_no_side_effect(scratch.path());
}

#[test]
fn compose_and_markdown_hold_hostile_values() {
    let ws = multi_workspace();
    let feature = "specs/001-demo";
    let configuration = ws.read(&format!("{feature}/configuration.md"));
    ws.write(
        &format!("{feature}/configuration.md"),
        &format!(
            "{configuration}| `DEMO_GREETING` | ``{GREETING}`` | | api |\n\
             | `DEMO_DATABASE_URL` | | | api |\n"
        ),
    );
    // A backing service whose name and user name are hostile.
    ws.write(
        &format!("{feature}/quickstart.md"),
        &format!(
            "# Quickstart\n\n```yaml\nservices:\n  \"{BACKING_NAME}\":\n    image: postgres:15\n    \
             environment:\n      POSTGRES_USER: {DB_USER}\n```\n"
        ),
    );
    fs::rename(ws.path(feature), ws.path(&format!("specs/{FEATURE}"))).unwrap();
    scaffold(&ws);
    let scripts = scripts(ws.root());
    assert!(scripts
        .iter()
        .any(|(rel, _)| rel.ends_with("compose_test.sh")));
    assert_scripts_parse_and_lint(ws.root(), &scripts);
    // The test containers get the wired value as exactly that data.
    let lib = ws.read("docker/test/lib.sh");
    let word = lib
        .lines()
        .find_map(|line| line.split_once(" -e DEMO_DATABASE_URL="))
        .and_then(|(_, rest)| rest.strip_suffix(" ;;"))
        .unwrap_or_else(|| panic!("{lib}"));
    let (code, stdout, stderr) = run_in(
        ws.root(),
        &format!("printf '%s' {word}"),
        &[("POSTGRES_PASSWORD", "pw")],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        stdout,
        format!("postgres://{DB_USER}:pw@db-e--x-u:5432/app")
    );
    assert_no_side_effect(ws.root());
    let compose = ws.read("docker/compose.yaml");
    assert!(
        compose.contains("      DEMO_GREETING: \"${DEMO_GREETING:-}\"\n"),
        "{compose}"
    );
    if tool_available("docker", &["compose", "version"]) {
        let out = scaffold_support::compose_config(
            ws.root(),
            &[
                ("DEMO_QUEUE", Some("redis://q")),
                ("POSTGRES_PASSWORD", Some("pw")),
            ],
        );
        assert!(out.status.success(), "docker compose config: {out:?}");
        let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let services = config["services"].as_object().unwrap();
        assert_eq!(services.len(), 3, "{config}");
        let (name, db) = services
            .iter()
            .find(|(_, s)| s["image"] == "postgres:15")
            .unwrap();
        assert_eq!(name, "db-e--x-u", "a valid host name");
        assert_eq!(db["environment"]["POSTGRES_USER"], DB_USER, "{config}");
        assert_eq!(db["healthcheck"]["test"][7], DB_USER, "{config}");
        assert_eq!(
            services["api"]["environment"]["DEMO_DATABASE_URL"],
            format!("postgres://{DB_USER}:pw@{name}:5432/app"),
            "{config}"
        );
    }
    let readme = ws.read("docker/README.md");
    assert!(
        readme.contains(&format!(
            "| api | `DEMO_GREETING` | ``{}`` | any |",
            GREETING
        )),
        "{readme}"
    );
    assert!(
        readme.starts_with("# Containers for 005-a'b\"c$(touch pwned)\\`touch pwned\\`\\\\ü -x\n"),
        "{readme}"
    );
}

#[test]
fn tasks_md_keeps_every_hostile_value_on_its_own_line() {
    let ws = hostile_service();
    let run = ws.run(&["generate", "--feature", FEATURE, "--format", "json"]);
    run.ok();
    assert_no_side_effect(ws.root());
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let tasks = json["tasks"].as_array().unwrap();
    let text = ws.read(&format!("specs/{FEATURE}/tasks.md"));
    let task_lines = text.lines().filter(|l| l.starts_with("- [ ] T")).count();
    assert_eq!(task_lines, tasks.len(), "{text}");
    assert!(
        text.contains("contracts/new line.md"),
        "the line break of a file name becomes a space: {text}"
    );
    // The file reads back: the same tasks, nothing hidden or invented.
    let status = ws.run(&["status", "--feature", FEATURE, "--format", "json"]);
    status.ok();
    let status: serde_json::Value = serde_json::from_str(&status.stdout()).unwrap();
    assert_eq!(status["total"], tasks.len(), "{status}");
}
