//! A temporary git repository holding a one-package workspace with
//! `specs/001-x/tasks.md`, and the real `cargo-tasks` binary run inside it.
//! Git config is isolated from the machine's (own HOME, no system config).

#![allow(dead_code)]

use std::cell::RefCell;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const TASKS: &str = "specs/001-x/tasks.md";

pub struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    /// Variables every command run here gets (after the isolation ones).
    env: RefCell<Vec<(OsString, OsString)>>,
}

impl Repo {
    /// A committed repository whose tasks.md is `tasks`.
    pub fn new(tasks: &str) -> Repo {
        Repo::with_manifest(tasks, "")
    }

    /// As `new`, with `extra` appended to Cargo.toml.
    pub fn with_manifest(tasks: &str, extra: &str) -> Repo {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path().join("repo");
        let home = dir.path().join("home");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&home).unwrap();
        let repo = Repo {
            _dir: dir,
            root,
            home,
            env: RefCell::new(Vec::new()),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Tess Ter"]);
        repo.git(&["config", "user.email", "tess@example.com"]);
        repo.write(
            "Cargo.toml",
            &format!("[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}"),
        );
        repo.write("src/lib.rs", "");
        repo.write(".gitignore", "/target\nCargo.lock\n");
        repo.write(TASKS, tasks);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "initial"]);
        repo
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A second repository in the same state (work tree, index, .git),
    /// with the same extra variables: for comparing with real git.
    pub fn duplicate(&self) -> Repo {
        let dir = tempfile::tempdir().expect("temporary directory");
        let status = Command::new("cp")
            .arg("-a")
            .arg(self.root.parent().unwrap().join("."))
            .arg(dir.path())
            .status()
            .expect("cp runs");
        assert!(status.success());
        Repo {
            root: dir.path().join("repo"),
            home: dir.path().join("home"),
            _dir: dir,
            env: RefCell::new(self.env.borrow().clone()),
        }
    }

    /// Sets `key=value` for every later command run here.
    pub fn set_env(&self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) {
        self.env
            .borrow_mut()
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
    }

    pub fn write(&self, rel: &str, contents: &str) {
        self.write_bytes(rel, contents.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, contents: &[u8]) {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.root.join(rel)).unwrap()
    }

    pub fn tasks(&self) -> String {
        String::from_utf8(self.read(TASKS)).unwrap()
    }

    /// An executable hook script in `.git/hooks/`.
    pub fn hook(&self, name: &str, script: &str) {
        self.executable(&format!(".git/hooks/{name}"), script);
    }

    pub fn executable(&self, rel: &str, script: &str) {
        use std::os::unix::fs::PermissionsExt;
        self.write(rel, script);
        let path = self.root.join(rel);
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_CEILING_DIRECTORIES")
            .env_remove("GIT_AUTHOR_NAME")
            .env_remove("GIT_AUTHOR_EMAIL")
            .env_remove("GIT_AUTHOR_DATE")
            .env_remove("GIT_COMMITTER_NAME")
            .env_remove("GIT_COMMITTER_EMAIL")
            .env_remove("GIT_COMMITTER_DATE")
            .env_remove("SPECIFY_FEATURE")
            .env_remove("SPECIFY_FEATURE_DIRECTORY")
            .env("NO_COLOR", "1");
        if let Some(home) = std::env::var_os("HOME") {
            let home = PathBuf::from(home);
            command
                .env(
                    "CARGO_HOME",
                    std::env::var_os("CARGO_HOME").map_or(home.join(".cargo"), PathBuf::from),
                )
                .env(
                    "RUSTUP_HOME",
                    std::env::var_os("RUSTUP_HOME").map_or(home.join(".rustup"), PathBuf::from),
                );
        }
        command.envs(self.env.borrow().iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs cargo-tasks from `cwd` instead of the repository root.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_cargo-tasks"))
            .current_dir(cwd)
            .args(with_subcommand_name(args))
            .output()
            .expect("cargo-tasks runs")
    }

    /// Runs the real git program; panics unless it succeeds; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let output = self.command("git").args(args).output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(env!("CARGO_BIN_EXE_cargo-tasks"))
            .args(with_subcommand_name(args))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("cargo-tasks runs")
    }

    /// Starts cargo-tasks with its output thrown away (for runs that get
    /// killed: nothing waits on their pipes).
    pub fn command_quiet(&self, args: &[&str]) -> std::process::Child {
        self.command(env!("CARGO_BIN_EXE_cargo-tasks"))
            .args(with_subcommand_name(args))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("cargo-tasks runs")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_cargo-tasks"))
            .args(with_subcommand_name(args))
            .output()
            .expect("cargo-tasks runs")
    }

    /// Runs cargo-tasks, asserts exit 0, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "cargo-tasks {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs cargo-tasks, asserts exit 1, returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "cargo-tasks {args:?} should fail\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stderr).unwrap()
    }
}

/// The arguments as cargo passes them for `cargo tasks <args>`: `tasks` first.
fn with_subcommand_name<'a>(args: &[&'a str]) -> Vec<&'a str> {
    match args.first() {
        Some(&"tasks") => args.to_vec(),
        _ => std::iter::once("tasks")
            .chain(args.iter().copied())
            .collect(),
    }
}
