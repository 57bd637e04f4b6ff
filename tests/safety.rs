//! What the tool refuses to do whatever its input says: write into git's
//! own directory, hang or grow without bound on a design document, recurse
//! without end in a template, report success when its output was lost, or
//! leave a scaffold half written.

mod scaffold_support;

use scaffold_support::Workspace;
use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FEATURE: &str = "001";

fn git(ws: &Workspace, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(ws.root())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[test]
fn a_template_override_cannot_write_into_git_even_forced() {
    let ws = Workspace::fixture("service");
    git(&ws, &["init", "-q"]);
    let config = ws.read(".git/config");
    ws.write(
        ".specify/templates/docker/feature/.git/config.hbs",
        "[core]\n\tfsmonitor = touch pwned\n",
    );
    ws.write(
        ".specify/templates/docker/feature/docker/.GIT./hooks/post-checkout.hbs",
        "#!/bin/sh\ntouch pwned\n",
    );
    let before = ws.snapshot();
    for args in [
        &["scaffold", "--feature", FEATURE][..],
        &["scaffold", "--feature", FEATURE, "--force"],
    ] {
        let stderr = ws.run(args).fails();
        assert!(
            stderr.contains("refusing to write into git's own directory"),
            "{stderr}"
        );
        assert!(
            stderr.contains(".git/config") || stderr.contains(".GIT./hooks"),
            "{stderr}"
        );
        ws.assert_unchanged(&before, "a refused path leaves the tree untouched");
        assert_eq!(ws.read(".git/config"), config);
    }
}

/// Runs the binary in `ws`; a run that has not ended after 30 s is killed
/// and fails the test (a hang is a failure, not a slow test).
fn run_bounded(ws: &Workspace, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-tasks"))
        .arg("tasks")
        .args(args)
        .current_dir(ws.root())
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("SPECIFY_FEATURE")
        .env_remove("SPECIFY_FEATURE_DIRECTORY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("cargo tasks {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const FEATURE_DIR: &str = "specs/001-containerize-hello";

#[test]
fn a_design_document_that_is_not_a_small_regular_file_is_refused_naming_it() {
    let fifo = |ws: &Workspace, rel: &str| {
        let path = ws.path(rel);
        fs::remove_file(&path).ok();
        let made = Command::new("mkfifo").arg(&path).status().unwrap();
        assert!(made.success());
    };
    let zero = |ws: &Workspace, rel: &str| {
        let path = ws.path(rel);
        fs::remove_file(&path).ok();
        std::os::unix::fs::symlink("/dev/zero", path).unwrap();
    };
    let huge = |ws: &Workspace, rel: &str| {
        let file = fs::File::create(ws.path(rel)).unwrap();
        file.set_len(50_000_000).unwrap();
    };
    let directory = |ws: &Workspace, rel: &str| {
        fs::remove_file(ws.path(rel)).ok();
        fs::create_dir(ws.path(rel)).unwrap();
    };
    type Plant = fn(&Workspace, &str);
    let cases: [(&str, Plant, &str); 5] = [
        (
            "plan.md",
            fifo,
            "is a FIFO (named pipe), not a regular file",
        ),
        (
            "research.md",
            zero,
            "is a character device, not a regular file",
        ),
        (
            "data-model.md",
            huge,
            "is 50.0 MB; files read whole are limited to 4 MB",
        ),
        (
            "quickstart.md",
            directory,
            "is a directory, not a regular file",
        ),
        ("contracts/health-endpoint.md", zero, "is a symbolic link"),
    ];
    for (document, plant, message) in cases {
        let ws = Workspace::fixture("service");
        let rel = format!("{FEATURE_DIR}/{document}");
        plant(&ws, &rel);
        for verb in ["generate", "scaffold"] {
            let (code, stderr) = run_bounded(&ws, &[verb, "--feature", FEATURE]);
            assert_eq!(code, Some(1), "{verb} {document}: {stderr}");
            assert!(
                stderr.contains(&format!("error: {rel}: {message}")),
                "{verb} {document}: {stderr}"
            );
        }
    }
}

#[test]
fn template_directory_loops_and_recursive_partials_are_errors_naming_them() {
    let ws = Workspace::fixture("service");
    fs::create_dir_all(ws.path(".specify/templates/docker")).unwrap();
    std::os::unix::fs::symlink(".", ws.path(".specify/templates/docker/a")).unwrap();
    std::os::unix::fs::symlink(".", ws.path(".specify/templates/docker/b")).unwrap();
    for verb in ["generate", "scaffold"] {
        let (code, stderr) = run_bounded(&ws, &[verb, "--feature", FEATURE]);
        assert_eq!(code, Some(1), "{verb}: {stderr}");
        assert!(
            stderr.contains("is a directory already read: a symbolic link loops"),
            "{verb}: {stderr}"
        );
    }
    fs::remove_dir_all(ws.path(".specify")).unwrap();
    ws.write(
        ".specify/templates/tasks.md.hbs",
        "{{#*inline \"phase\"}}{{#each phases}}{{> phase}}{{/each}}{{/inline}}{{> phase}}",
    );
    let (code, stderr) = run_bounded(&ws, &["generate", "--feature", FEATURE]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: .specify/templates/tasks.md.hbs: template error: partial `phase` includes itself (phase → phase)"
        ),
        "{stderr}"
    );
}
