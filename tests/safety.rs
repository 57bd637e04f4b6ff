//! What the tool refuses to do whatever its input says: write into git's
//! own directory, hang or grow without bound on a design document, recurse
//! without end in a template, report success when its output was lost, or
//! leave a scaffold half written.

mod scaffold_support;

use scaffold_support::{tool_available, Workspace};
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
fn a_fifo_for_tasks_md_or_feature_json_is_refused_not_waited_on() {
    let ws = Workspace::fixture("service");
    let made = Command::new("mkfifo")
        .arg(ws.path(&format!("{FEATURE_DIR}/tasks.md")))
        .status()
        .unwrap();
    assert!(made.success());
    for verb in ["status", "next", "check", "graph", "generate"] {
        let (code, stderr) = run_bounded(&ws, &[verb, "--feature", FEATURE]);
        assert_eq!(code, Some(1), "{verb}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "error: {FEATURE_DIR}/tasks.md: is a FIFO (named pipe), not a regular file"
            )),
            "{verb}: {stderr}"
        );
    }
    fs::create_dir_all(ws.path(".specify")).unwrap();
    let made = Command::new("mkfifo")
        .arg(ws.path(".specify/feature.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let (code, stderr) = run_bounded(&ws, &["status"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: .specify/feature.json: is a FIFO (named pipe)"),
        "{stderr}"
    );
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

/// Runs the binary in `ws` with `stdout` as its standard output.
fn run_to(ws: &Workspace, args: &[&str], stdout: Stdio) -> (Option<i32>, String) {
    run_to_in(ws.root(), args, stdout)
}

#[test]
fn a_failed_write_to_stdout_exits_1_and_a_closed_pipe_stays_quiet() {
    let ws = Workspace::fixture("service");
    ws.run(&["generate", "--feature", FEATURE]).ok();
    let commands: [&[&str]; 4] = [
        &["graph", "--format", "svg"],
        &["graph", "--format", "dot"],
        &["status", "--format", "json"],
        &["generate", "--feature", FEATURE, "--format", "json"],
    ];
    for args in commands {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (code, stderr) = run_to(&ws, args, Stdio::from(full));
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.ends_with(
                "error: cannot write to standard output: No space left on device (os error 28)\n"
            ),
            "{args:?}: {stderr}"
        );
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let (code, stderr) = run_to(&ws, args, Stdio::from(writer));
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

/// A small tmpfs mounted for one test (root, or a user allowed to mount);
/// unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (with a SKIPPED line) only when the machine cannot mount and
    /// `CARGO_TASKS_TEST_SKIP` names `mount`; a failure otherwise.
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().to_str().unwrap().to_string();
        let options = format!("size={size}");
        let args = ["-t", "tmpfs", "-o", &options, "tmpfs", &target];
        tool_available("mount", &args).then_some(Tmpfs { dir })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Every file below `dir` with its bytes.
fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                found.push((format!("{rel}/"), Vec::new()));
                pending.push(path);
            } else {
                found.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

/// Fails naming the paths that differ between two `tree`s.
fn assert_same_tree(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)], why: &str) {
    let differ: Vec<&String> = before
        .iter()
        .chain(after)
        .filter(|entry| !(before.contains(entry) && after.contains(entry)))
        .map(|(path, _)| path)
        .collect();
    assert!(differ.is_empty(), "{why}: {differ:?}");
}

/// Fills the filesystem of `path` until a write fails.
fn fill(path: &std::path::Path) {
    use std::io::Write;
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    let block = vec![b'x'; 4096];
    while file.write_all(&block).is_ok() {}
    while file.write_all(b"x").is_ok() {}
}

#[test]
fn on_a_full_disk_scaffold_and_generate_fail_naming_the_file_and_change_nothing() {
    let Some(disk) = Tmpfs::mount("2m") else {
        return;
    };
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/service");
    let root = disk.dir.path().join("service");
    let copied = Command::new("cp")
        .arg("-r")
        .arg(&fixture)
        .arg(&root)
        .status()
        .unwrap();
    assert!(copied.success());
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cargo-tasks"))
            .arg("tasks")
            .args(args)
            .current_dir(&root)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["generate", "--feature", FEATURE]);
    assert_eq!(code, Some(0), "{stderr}");
    // The next generate has something to write: tasks.md cut to its title line.
    let tasks = root.join(format!("{FEATURE_DIR}/tasks.md"));
    let title = fs::read_to_string(&tasks)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    fs::write(&tasks, format!("{title}\n")).unwrap();
    let filler = disk.dir.path().join("filler");
    fill(&filler);
    let before = tree(&root);

    // Room for a few of scaffold's files, not for all of them.
    let full = fs::metadata(&filler).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(full - 3 * 4096)
        .unwrap();
    let (code, stderr) = run(&["scaffold", "--feature", FEATURE]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(": cannot write: No space left on device"),
        "{stderr}"
    );
    assert_same_tree(
        &before,
        &tree(&root),
        "a failed scaffold leaves the tree as it was",
    );
    fill(&filler);

    let (code, stderr) = run(&["generate", "--feature", FEATURE]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_same_tree(&before, &tree(&root), "tasks.md is kept whole");

    let svg = fs::File::create(disk.dir.path().join("graph.svg"));
    if let Ok(svg) = svg {
        let (code, stderr) = run_to_in(&root, &["graph", "--format", "svg"], Stdio::from(svg));
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains("cannot write to standard output: No space left"),
            "{stderr}"
        );
    }
}

fn run_to_in(root: &std::path::Path, args: &[&str], stdout: Stdio) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-tasks"))
        .arg("tasks")
        .args(args)
        .current_dir(root)
        .env("CARGO_TERM_COLOR", "never")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
