//! A copy of a fixture workspace in a temporary directory, and the real
//! `cargo-tasks` binary run inside it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

/// Relative path → (contents, mode, modification time).
pub type Snapshot = BTreeMap<String, (Vec<u8>, u32, SystemTime)>;

pub struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Workspace {
    /// A copy of `tests/fixtures/<name>` (without any `target/` or `docker/` left in it).
    pub fn fixture(name: &str) -> Workspace {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        assert!(source.is_dir(), "missing fixture {}", source.display());
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path().join(name);
        copy_dir(&source, &root);
        Workspace { _dir: dir, root }
    }

    /// An empty workspace directory, to be filled with `write`.
    pub fn empty(name: &str) -> Workspace {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path().join(name);
        fs::create_dir_all(&root).unwrap();
        Workspace { _dir: dir, root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Runs `cargo tasks <args>` (as cargo would: `cargo-tasks tasks <args>`)
    /// in the workspace, isolated from the caller's feature selection environment.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-tasks"))
            .arg("tasks")
            .args(args)
            .current_dir(&self.root)
            .env_remove("SPECIFY_FEATURE")
            .env_remove("SPECIFY_FEATURE_DIRECTORY")
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .expect("run cargo-tasks");
        Run(output)
    }

    /// Every file below the root except `target/`: relative path →
    /// (contents, mode, modification time).
    pub fn snapshot(&self) -> Snapshot {
        let mut files = BTreeMap::new();
        let mut pending = vec![self.root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let rel = path
                    .strip_prefix(&self.root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if rel == "target" {
                    continue;
                }
                let meta = fs::symlink_metadata(&path).unwrap();
                if meta.is_dir() {
                    pending.push(path);
                } else {
                    let mode = meta.permissions().mode() & 0o777;
                    files.insert(
                        rel,
                        (
                            fs::read(&path).unwrap_or_default(),
                            mode,
                            meta.modified().unwrap(),
                        ),
                    );
                }
            }
        }
        files
    }

    /// Asserts that no file was added, removed or touched since `before`,
    /// naming the files that were.
    pub fn assert_unchanged(&self, before: &Snapshot, why: &str) {
        let after = self.snapshot();
        let changed: Vec<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|path| before.get(*path) != after.get(*path))
            .collect();
        assert!(changed.is_empty(), "{why}: {changed:?}");
    }

    pub fn mode(&self, rel: &str) -> u32 {
        fs::metadata(self.path(rel)).unwrap().permissions().mode() & 0o777
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    pub fn code(&self) -> Option<i32> {
        self.0.status.code()
    }

    /// Asserts success and returns stderr.
    pub fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stderr()
    }

    /// Asserts exit code 1 and returns stderr.
    pub fn fails(&self) -> String {
        assert_eq!(
            self.code(),
            Some(1),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stderr()
    }

    /// `(verb, path)` of every cargo-style file status line on stderr.
    pub fn statuses(&self) -> Vec<(String, String)> {
        self.stderr()
            .lines()
            .filter_map(|line| {
                let (verb, rest) = line.trim_start().split_once(' ')?;
                let path = rest.split(" (").next()?;
                ["Created", "Unchanged", "Kept", "Overwritten"]
                    .contains(&verb)
                    .then(|| (verb.to_string(), path.to_string()))
            })
            .collect()
    }
}

const MULTI_PLAN: &str = "# Container Implementation Plan: demo

## Container Technical Context
**Container Type**: web-service
**Network Requirements**: api exposes 3000/tcp; worker internal only
**Health Monitoring**: HTTP GET /healthz on the api; process liveness for the worker

## Container Project Structure
### Container Source Structure (repository root)
```
docker/
├── api/
│   └── Dockerfile
├── worker/
│   └── Dockerfile
├── shared/
└── test/
```

**Structure Decision**: Multi-container: one directory per service under `docker/`, shared pieces in `docker/shared/`.
";

/// Two binaries, one container each: per-service directories, compose.yaml and docker/shared/.
pub fn multi_workspace() -> Workspace {
    let ws = Workspace::empty("demo");
    ws.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/demo-api\", \"crates/demo-worker\"]\nresolver = \"2\"\n",
    );
    for name in ["demo-api", "demo-worker"] {
        ws.write(
            &format!("crates/{name}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        );
    }
    ws.write("Cargo.lock", MULTI_LOCK);
    let api = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/service/crates/hello-svc/src/main.rs"),
    )
    .unwrap();
    let api = api
        .replace("HELLO_", "DEMO_")
        .replace("hello-svc", "demo-api")
        .replace("8080", "3000");
    ws.write("crates/demo-api/src/main.rs", &api);
    ws.write("crates/demo-worker/src/main.rs", WORKER_MAIN);
    ws.write("specs/001-demo/plan.md", MULTI_PLAN);
    ws.write(
        "specs/001-demo/configuration.md",
        "| Variable | Default | Validation | Used by |\n|---|---|---|---|\n\
         | `DEMO_PORT` | `3000` | integer 1-65535 | api |\n| `DEMO_QUEUE` | | must start with `redis://` | worker |\n",
    );
    ws
}

const MULTI_LOCK: &str = "# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 3

[[package]]
name = \"demo-api\"
version = \"0.1.0\"

[[package]]
name = \"demo-worker\"
version = \"0.1.0\"
";

/// A worker that runs until it is stopped.
const WORKER_MAIN: &str = "fn main() {
    let queue = std::env::var(\"DEMO_QUEUE\").unwrap_or_default();
    println!(\"demo-worker: consuming {queue}\");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}
";

/// A feature of the corpus (`tests/corpus/features/<feature>`, without its
/// expected.facts) as `specs/001-<feature>` of a workspace whose members are
/// `service`, the std-only crate of tests/fixtures/corpus-services that
/// implements what the feature's documents say, and the spec-http crate it
/// builds on; Cargo.lock is generated offline (path dependencies only).
pub fn corpus_workspace(feature: &str, service: &str) -> Workspace {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let ws = Workspace::empty(service);
    for member in ["spec-http", service] {
        copy_dir(
            &tests.join("fixtures/corpus-services").join(member),
            &ws.path(&format!("crates/{member}")),
        );
    }
    ws.write(
        "Cargo.toml",
        &format!(
            "[workspace]\nmembers = [\"crates/spec-http\", \"crates/{service}\"]\nresolver = \"2\"\n"
        ),
    );
    let spec = format!("specs/001-{feature}");
    copy_dir(
        &tests.join("corpus/features").join(feature),
        &ws.path(&spec),
    );
    fs::remove_file(ws.path(&format!("{spec}/expected.facts"))).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let lock = Command::new(cargo)
        .args(["generate-lockfile", "--offline", "--quiet"])
        .current_dir(ws.root())
        .output()
        .expect("run cargo generate-lockfile");
    assert!(
        lock.status.success(),
        "cargo generate-lockfile: {}",
        String::from_utf8_lossy(&lock.stderr)
    );
    ws
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == "docker" || name == ".dockerignore" {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&source, &dest);
        } else {
            fs::copy(&source, &dest).unwrap();
        }
    }
}

/// The variable that lets a developer without Docker, shellcheck or hadolint
/// skip the checks that need them: a comma-separated list of tool names, or
/// `all`. Refused under `CI=true`.
pub const SKIP_VAR: &str = "CARGO_TASKS_TEST_SKIP";

/// Whether the checks that need `program` run. When `program args` does not
/// succeed the test fails naming the tool, unless [`SKIP_VAR`] names it: then
/// a `SKIPPED` line is written to the terminal (past the test harness's
/// output capture, so it shows in a plain `cargo test`) and this returns false.
pub fn tool_available(program: &str, args: &[&str]) -> bool {
    let found = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    let skip = std::env::var(SKIP_VAR).ok();
    let ci = std::env::var("CI").as_deref() == Ok("true");
    match missing_tool(found, program, args, skip.as_deref(), ci) {
        Ok(run) => run,
        Err(Skip::Visibly(line)) => {
            use std::io::Write;
            let test = std::thread::current().name().unwrap_or("?").to_string();
            let _ = writeln!(std::io::stderr(), "\nSKIPPED {test}: {line}");
            false
        }
        Err(Skip::Refused(message)) => panic!("{message}"),
    }
}

pub enum Skip {
    /// The tool is missing and the developer opted out: print this, pass.
    Visibly(String),
    /// The tool is missing and the test must fail with this message.
    Refused(String),
}

/// The decision of [`tool_available`], apart from running anything: `Ok(true)`
/// when the tool answers.
pub fn missing_tool(
    found: bool,
    program: &str,
    args: &[&str],
    skip: Option<&str>,
    ci: bool,
) -> Result<bool, Skip> {
    if found {
        return Ok(true);
    }
    let what = format!("`{program} {}` does not succeed", args.join(" "));
    let opted_out = skip.is_some_and(|list| {
        list.split(',')
            .map(str::trim)
            .any(|name| name == program || name == "all")
    });
    match (opted_out, ci) {
        (true, false) => Err(Skip::Visibly(format!("{what} and {SKIP_VAR} names {program}"))),
        (true, true) => Err(Skip::Refused(format!(
            "{what}; CI=true requires {program} ({SKIP_VAR} is ignored under CI; .ci/run installs it)"
        ))),
        (false, _) => Err(Skip::Refused(format!(
            "{what}: this test needs {program} (.ci/run installs it); \
             set {SKIP_VAR}={program} to skip the tests that need it"
        ))),
    }
}

/// Runs shellcheck (style severity) over `scripts` in `root`; panics with its findings.
pub fn assert_shellcheck_clean<S: AsRef<std::ffi::OsStr>>(root: &Path, scripts: &[S]) {
    assert_lint_clean(
        root,
        "shellcheck",
        &["--severity=style", "--external-sources"],
        scripts,
    );
}

/// Runs hadolint at warning level over `dockerfile` in `root`; panics with its findings.
pub fn assert_hadolint_clean(root: &Path, dockerfile: &str) {
    assert_lint_clean(
        root,
        "hadolint",
        &["--failure-threshold", "warning"],
        &[dockerfile],
    );
}

fn assert_lint_clean<S: AsRef<std::ffi::OsStr>>(
    root: &Path,
    program: &str,
    args: &[&str],
    files: &[S],
) {
    let output = Command::new(program)
        .args(args)
        .args(files)
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        output.status.success(),
        "{program} found problems:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `docker compose -f docker/compose.yaml config --format json` run in
/// `root`, each variable of `env` set (`Some`) or removed (`None`).
pub fn compose_config(root: &Path, env: &[(&str, Option<&str>)]) -> Output {
    let mut command = Command::new("docker");
    command
        .args(["compose", "-f", "docker/compose.yaml", "config"])
        .args(["--format", "json"])
        .current_dir(root);
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.output().expect("run docker compose config")
}
