//! The check a task names, for `done --verify`: a command configured for a
//! pattern its paths match (`[workspace.metadata.tasks] verify`), else a
//! test script among its paths. Commands are a program and its arguments,
//! run without a shell; a value put into a command (`{path}`, `{crate}`) is
//! one argument, whatever it holds.

use super::model::Task;
use crate::config::VerifyRule;
use crate::{Error, Result};
use std::fmt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// One command to run: a program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub program: String,
    pub args: Vec<String>,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.program)?;
        for arg in &self.args {
            write!(f, " {arg}")?;
        }
        Ok(())
    }
}

/// The checks for a task, each once, in the order of its paths: for each
/// path, the first configured pattern it matches, else the path itself when
/// it is a test script. An error naming what was looked for when none is
/// found.
pub fn checks_for(task: &Task, root: &Path, rules: &[VerifyRule]) -> Result<Vec<Check>> {
    let mut checks: Vec<Check> = Vec::new();
    for path in &task.paths {
        let check = match rules.iter().find(|rule| glob_matches(&rule.pattern, path)) {
            Some(rule) => Some(configured(rule, path, root)?),
            None => test_script(path, root),
        };
        if let Some(check) = check.filter(|c| !checks.contains(c)) {
            checks.push(check);
        }
    }
    if checks.is_empty() {
        return Err(nothing_to_run(task, rules));
    }
    Ok(checks)
}

fn nothing_to_run(task: &Task, rules: &[VerifyRule]) -> Error {
    let paths = if task.paths.is_empty() {
        "it names no path".to_string()
    } else {
        format!("its paths ({})", task.paths.join(", "))
    };
    let patterns = if rules.is_empty() {
        "no `verify` patterns are configured".to_string()
    } else {
        let listed: Vec<&str> = rules.iter().map(|r| r.pattern.as_str()).collect();
        format!("none matches a `verify` pattern ({})", listed.join(", "))
    };
    Error::new(format!(
        "{} names no check to run: looked for a test script among {paths} (an existing `.sh` or \
         `.bash` file named `*test*` or under a `test/` or `tests/` directory), and {patterns}",
        task.id
    ))
    .with_help(
        "configure one in Cargo.toml, e.g. [workspace.metadata.tasks] \
         verify = { \"crates/**/*.rs\" = \"cargo test -p {crate}\" }, or run without --verify",
    )
}

/// The rule's command with `{path}` and `{crate}` filled in, each value one
/// argument.
fn configured(rule: &VerifyRule, path: &str, root: &Path) -> Result<Check> {
    let mut words = Vec::with_capacity(rule.command.len());
    for word in &rule.command {
        let mut filled = word.replace("{path}", path);
        if filled.contains("{crate}") {
            filled = filled.replace("{crate}", &package_of(path, root)?);
        }
        words.push(filled);
    }
    let program = words.remove(0);
    Ok(Check {
        program,
        args: words,
    })
}

/// The name of the package whose directory holds `path`: the nearest
/// Cargo.toml with a `[package]` table, up to the workspace root.
fn package_of(path: &str, root: &Path) -> Result<String> {
    let mut dir = root.join(path);
    while dir.starts_with(root) {
        let manifest = dir.join("Cargo.toml");
        if manifest.is_file() {
            let text =
                std::fs::read_to_string(&manifest).map_err(|e| Error::io("read", &manifest, &e))?;
            let doc: toml_edit::DocumentMut = text
                .parse()
                .map_err(|e: toml_edit::TomlError| Error::new(e.to_string()).in_file(&manifest))?;
            if let Some(name) = doc
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
            {
                return Ok(name.to_string());
            }
        }
        if !dir.pop() {
            break;
        }
    }
    Err(Error::new(format!(
        "no package holds {path}, so `{{crate}}` has no value"
    )))
}

/// An existing `.sh` or `.bash` file named `*test*` or under a `test/` or
/// `tests/` directory: run directly when executable with a `#!` line, else
/// with the shell its extension names.
fn test_script(path: &str, root: &Path) -> Option<Check> {
    let file = root.join(path);
    let name = path.rsplit('/').next().unwrap_or(path);
    let shell = match name.rsplit_once('.')?.1 {
        "sh" => "sh",
        "bash" => "bash",
        _ => return None,
    };
    let in_tests = path
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| dir == "test" || dir == "tests");
    if !(name.contains("test") || in_tests) || !file.is_file() {
        return None;
    }
    Some(if is_executable(&file) && has_shebang(&file) {
        Check {
            program: format!("./{path}"),
            args: Vec::new(),
        }
    } else {
        Check {
            program: shell.to_string(),
            args: vec![path.to_string()],
        }
    })
}

/// `#!`: the file says how to run it.
fn has_shebang(file: &Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; 2];
    std::fs::File::open(file)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| &start == b"#!")
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
fn is_executable(_file: &Path) -> bool {
    false
}

/// How long a check may take to exit after SIGTERM (a timeout, or a signal
/// passed on) before its process group is killed: time for a test script's
/// trap to remove its containers.
const GRACE: Duration = Duration::from_secs(5);

/// How often a running check is looked at: at most this much is added to a
/// quick check's time.
const POLL: Duration = Duration::from_millis(10);

/// Runs a check in `root` with no input, in a process group of its own; its
/// output goes to stderr as it comes (nothing is held in memory). An error
/// with its exit status when it fails or cannot start, and when it runs
/// longer than `limit`: then its whole group is stopped (SIGTERM, SIGKILL
/// after a grace period), so that nothing it started is left running. A
/// signal that reaches `done` meanwhile is passed on to the group.
pub fn run(check: &Check, root: &Path, limit: Duration) -> Result<()> {
    let mut command = Command::new(&check.program);
    command
        .args(&check.args)
        .current_dir(root)
        .stdin(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    if let Some(stderr) = stderr_for_child() {
        command.stdout(stderr);
    }
    let mut child = command.spawn().map_err(|e| {
        Error::new(format!("cannot run `{check}`: {e}"))
            .with_help("the program must be installed and on PATH (checks run without a shell)")
    })?;
    let waited = |e: std::io::Error| Error::new(format!("cannot wait for `{check}`: {e}"));
    let (status, timed_out) = wait(&mut child, limit).map_err(waited)?;
    if timed_out {
        return Err(Error::new(format!(
            "check `{check}` did not finish within {}; it was stopped, with every process it started",
            crate::config::show_duration(limit)
        ))
        .with_help(
            "raise the limit with --verify-timeout or `verify-timeout` in [workspace.metadata.tasks]",
        ));
    }
    crate::ops::signal::check()?;
    if status.success() {
        return Ok(());
    }
    Err(Error::new(format!(
        "check `{check}` failed ({status}); its output is above"
    )))
}

/// Waits for the check, stopping its group when `limit` passes or a signal
/// arrives; its exit status, and whether the limit stopped it. The group is
/// killed once more after the check exits when it was stopped, for what
/// outlived it.
fn wait(child: &mut Child, limit: Duration) -> std::io::Result<(ExitStatus, bool)> {
    use crate::ops::signal;
    let started = Instant::now();
    let mut stopping: Option<Instant> = None;
    let mut timed_out = false;
    loop {
        if let Some(status) = child.try_wait()? {
            if stopping.is_some() {
                signal::kill_group(child);
            }
            return Ok((status, timed_out));
        }
        match stopping {
            None if signal::pending().is_some() => {
                signal::forward_group(child);
                stopping = Some(Instant::now());
            }
            None if started.elapsed() >= limit => {
                timed_out = true;
                signal::terminate_group(child);
                stopping = Some(Instant::now());
            }
            Some(since) if since.elapsed() > GRACE => signal::kill_group(child),
            _ => {}
        }
        std::thread::sleep(POLL);
    }
}

/// The check's standard output joined to ours on stderr, so that `done`'s
/// stdout stays its own.
#[cfg(unix)]
fn stderr_for_child() -> Option<Stdio> {
    use std::os::fd::AsFd;
    let fd = std::io::stderr().as_fd().try_clone_to_owned().ok()?;
    Some(Stdio::from(fd))
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
fn stderr_for_child() -> Option<Stdio> {
    None
}

/// `crates/**/*.rs` against `crates/core/src/lib.rs`: `**` is any number of
/// directories, `*` any run of characters within one name, `?` one character.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(name, others)| {
            name_matches(first, name) && segments_match(rest, others)
        }),
    }
}

fn name_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    // Matching with backtracking to the last `*`: linear in practice. `star` holds where
    // the pattern goes on after that `*` and where in the name its match ends.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                p += 1;
                star = Some((p, n));
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((after_star, star_end)) => {
                    let longer = star_end + 1;
                    p = after_star;
                    n = longer;
                    star = Some((after_star, longer));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::TaskId;

    /// A script runs itself only when it may (executable) and says how (`#!`); otherwise
    /// the shell its extension names runs it.
    #[test]
    fn a_test_script_runs_itself_only_when_executable_with_a_shebang() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = "docker/test/health_test.sh";
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "#!/bin/sh\nexit 0\n").unwrap();
        let by_shell = Check {
            program: "sh".into(),
            args: vec![path.into()],
        };
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(test_script(path, dir.path()), Some(by_shell.clone()));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        let itself = Check {
            program: format!("./{path}"),
            args: Vec::new(),
        };
        assert_eq!(test_script(path, dir.path()), Some(itself));
        std::fs::write(&file, "exit 0\n").unwrap();
        assert_eq!(test_script(path, dir.path()), Some(by_shell));
    }

    /// A script is a test by its name or by a `test/` or `tests/` directory
    /// above it; an entrypoint or a setup script is none.
    #[test]
    fn a_script_is_a_test_by_its_name_or_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let is_test = |path: &str| {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, "exit 0\n").unwrap();
            test_script(path, dir.path()).is_some()
        };
        assert!(is_test("docker/test/health.sh"));
        assert!(is_test("tests/container/run.bash"));
        assert!(is_test("scripts/smoke_test.sh"));
        assert!(!is_test("docker/entrypoint.sh"));
        assert!(!is_test("docker/setup/scripts/10-user.sh"));
        assert!(!is_test("test.d/run.sh"));
        assert!(!is_test("docker/test/health.py"));
    }

    #[test]
    fn globs_match_directories_names_and_characters() {
        assert!(glob_matches("crates/**/*.rs", "crates/core/src/lib.rs"));
        assert!(glob_matches("crates/**/*.rs", "crates/lib.rs"));
        assert!(glob_matches("**/*_test.sh", "docker/test/health_test.sh"));
        assert!(glob_matches(
            "docker/test/?ealth*.sh",
            "docker/test/health_test.sh"
        ));
        assert!(glob_matches("src/", "src"));
        assert!(!glob_matches("crates/*.rs", "crates/core/lib.rs"));
        assert!(!glob_matches("*.rs", "src/lib.rs"));
        assert!(!glob_matches("tests/*.py", "tests/unit/a.py"));
    }

    #[test]
    fn a_name_matches_only_when_the_whole_pattern_is_used() {
        // A trailing `*` also matches nothing.
        assert!(glob_matches("docker/Dockerfile*", "docker/Dockerfile"));
        assert!(glob_matches(
            "docker/test/*_test.sh*",
            "docker/test/a_test.sh"
        ));
        // A name that is only the start of the pattern does not match it.
        assert!(!glob_matches("docker/Dockerfile", "docker/Docker"));
        assert!(!glob_matches("tests/*.sh", "tests/a.s"));
    }

    fn task(paths: &[&str]) -> Task {
        Task {
            id: TaskId::new('T', 4),
            phase: String::new(),
            parallel: false,
            description: String::new(),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            depends_on: Vec::new(),
            done: false,
        }
    }

    #[test]
    fn configured_commands_win_and_values_stay_one_argument() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("crates/core/src")).unwrap();
        std::fs::write(
            root.join("crates/core/Cargo.toml"),
            "[package]\nname = \"core-lib\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("docker/test")).unwrap();
        std::fs::write(root.join("docker/test/health_test.sh"), "exit 0\n").unwrap();
        let rules = [
            VerifyRule {
                pattern: "crates/**/*.rs".into(),
                command: ["cargo", "test", "-p", "{crate}", "--", "--path={path}"]
                    .map(String::from)
                    .to_vec(),
            },
            VerifyRule {
                pattern: "crates/**".into(),
                command: vec!["never".into()],
            },
        ];
        let checks = checks_for(
            &task(&[
                "crates/core/src/a b.rs",
                "crates/core/src/c.rs",
                "docker/test/health_test.sh",
                "docker/Dockerfile",
            ]),
            root,
            &rules,
        )
        .unwrap();
        let shown: Vec<String> = checks.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "cargo test -p core-lib -- --path=crates/core/src/a b.rs",
                "cargo test -p core-lib -- --path=crates/core/src/c.rs",
                "sh docker/test/health_test.sh",
            ]
        );
        assert_eq!(checks[0].args[4], "--path=crates/core/src/a b.rs");
    }

    #[test]
    fn no_check_names_what_was_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        let err = checks_for(
            &task(&["docker/Dockerfile", "docker/test/missing_test.sh"]),
            dir.path(),
            &[],
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "T004 names no check to run: looked for a test script among its paths (docker/Dockerfile, \
             docker/test/missing_test.sh) (an existing `.sh` or `.bash` file named `*test*` or under a \
             `test/` or `tests/` directory), and no `verify` patterns are configured"
        );
    }
}
