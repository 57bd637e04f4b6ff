//! Hooks run the way `git commit` runs them: from the work tree root, with
//! `GIT_INDEX_FILE` naming the commit's index, the author in
//! `GIT_AUTHOR_NAME`/`_EMAIL`/`_DATE`, `GIT_EDITOR=:`, output on stderr.
//! A signal while a hook runs is passed on to it, and the run stops.

use super::ident::Ident;
use super::Git;
use crate::ops::signal;
use crate::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What every hook of one commit sees.
pub(super) struct HookEnv<'a> {
    pub index_file: &'a Path,
    pub author: &'a Ident,
}

impl Git {
    fn hooks_dir(&self) -> PathBuf {
        let configured = self
            .repo
            .config()
            .ok()
            .and_then(|c| c.get_path("core.hooksPath").ok());
        match configured {
            Some(dir) if dir.is_absolute() => dir,
            Some(dir) => self.workdir.join(dir),
            None => self.repo.commondir().join("hooks"),
        }
    }

    /// The hook's path when it exists and is executable (git skips others).
    pub(super) fn hook(&self, name: &str) -> Option<PathBuf> {
        let hook = self.hooks_dir().join(name);
        let meta = fs::metadata(&hook).ok()?;
        (meta.is_file() && is_executable(&meta)).then_some(hook)
    }

    /// Runs hook `name` if there is one. A non-zero exit is an error; so is
    /// a signal received meanwhile (after the hook was given it too).
    pub(super) fn run_hook(&self, name: &str, args: &[&str], env: &HookEnv) -> Result<()> {
        let Some(hook) = self.hook(name) else {
            return Ok(());
        };
        let mut child = Command::new(&hook)
            .args(args)
            .current_dir(&self.workdir)
            .env("GIT_INDEX_FILE", env.index_file)
            .env("GIT_EDITOR", ":")
            .env("GIT_AUTHOR_NAME", &env.author.name)
            .env("GIT_AUTHOR_EMAIL", &env.author.email)
            .env("GIT_AUTHOR_DATE", env.author.date())
            .stdin(Stdio::null())
            .stdout(Stdio::from(std::io::stderr()))
            .spawn()
            .map_err(|e| Error::io("run", &hook, &e))?;
        let status = wait(&mut child).map_err(|e| Error::io("wait for", &hook, &e))?;
        signal::check()?;
        if status.success() {
            return Ok(());
        }
        Err(Error::new(format!(
            "the {name} hook failed ({status}); nothing was committed"
        ))
        .in_file(hook)
        .with_help(
            "fix what the hook reports, or commit without cargo-tasks: git commit --no-verify",
        ))
    }
}

/// How long a hook may take to exit after it was passed a signal, before it
/// is killed.
const GRACE: Duration = Duration::from_secs(5);

/// How often a running hook is looked at: at most this much is added to a
/// quick hook's time.
const POLL: Duration = Duration::from_millis(10);

/// Waits for `child`, passing a signal that arrives meanwhile on to it (and
/// killing it if it ignores the signal).
fn wait(child: &mut std::process::Child) -> std::io::Result<ExitStatus> {
    let mut forwarded: Option<Instant> = None;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        match forwarded {
            None if signal::pending().is_some() => {
                signal::forward(child);
                forwarded = Some(Instant::now());
            }
            Some(since) if since.elapsed() > GRACE => child.kill()?,
            _ => {}
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// Windows has no executable bit; git for Windows runs any hook file.
#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
fn is_executable(_meta: &fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::super::tests::{git, repo};
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn executable(path: &Path) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "#!/bin/sh\nexit 0\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn a_relative_hooks_path_is_read_from_the_work_tree_root_wherever_the_process_is() {
        let dir = repo();
        executable(&dir.path().join("githooks/pre-commit"));
        git(dir.path(), &["config", "core.hooksPath", "githooks"]);
        // This test process runs in the crate's directory, not in the repository.
        assert_ne!(std::env::current_dir().unwrap(), dir.path());
        let repo = Git::discover(dir.path()).unwrap();
        let hook = repo.hook("pre-commit").unwrap();
        assert_eq!(hook, repo.workdir.join("githooks/pre-commit"));
        assert_eq!(repo.hook("commit-msg"), None);
    }
}
