//! Author and committer exactly as git would record them: `git var` applies
//! `GIT_AUTHOR_NAME`/`_EMAIL`/`_DATE` and their committer twins, `author.*`,
//! `committer.*` and `user.*` config, `EMAIL`, `user.useConfigOnly`, and
//! git's own date parser.

use super::Git;
use crate::{Error, Result};
use git2::{Signature, Time};
use std::process::{Child, Command, Stdio};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ident {
    pub name: String,
    pub email: String,
    pub seconds: i64,
    /// Minutes east of UTC.
    pub offset: i32,
}

pub(super) struct Idents {
    pub author: Ident,
    pub committer: Ident,
}

impl Ident {
    pub fn signature(&self) -> Result<Signature<'static>> {
        Signature::new(
            &self.name,
            &self.email,
            &Time::new(self.seconds, self.offset),
        )
        .map_err(|e| super::git_error("invalid git identity", &e))
    }

    /// The date in git's internal form, `@<seconds> <+hhmm>`, as git hands
    /// it to hooks in `GIT_AUTHOR_DATE`.
    pub fn date(&self) -> String {
        let sign = if self.offset < 0 { '-' } else { '+' };
        let minutes = self.offset.unsigned_abs();
        format!(
            "@{} {sign}{:02}{:02}",
            self.seconds,
            minutes / 60,
            minutes % 60
        )
    }

    /// `Name <email> 1700000000 +0100`, the output of `git var`.
    fn parse(line: &str) -> Option<Ident> {
        let (who, when) = line.trim_end().rsplit_once("> ")?;
        let (name, email) = who.rsplit_once(" <").or_else(|| who.rsplit_once('<'))?;
        let (seconds, zone) = when.split_once(' ')?;
        let sign = match zone.as_bytes().first()? {
            b'-' => -1,
            b'+' => 1,
            _ => return None,
        };
        let digits: i32 = zone.get(1..)?.parse().ok()?;
        Some(Ident {
            name: name.to_string(),
            email: email.to_string(),
            seconds: seconds.parse().ok()?,
            offset: sign * (digits / 100 * 60 + digits % 100),
        })
    }
}

/// The two `git var` processes, running while the commit is prepared.
pub(super) struct PendingIdents {
    author: Child,
    committer: Child,
}

impl PendingIdents {
    pub fn wait(self) -> Result<Idents> {
        let author = finish_var(self.author, "author");
        let committer = finish_var(self.committer, "committer");
        Ok(Idents {
            author: author?,
            committer: committer?,
        })
    }
}

impl Git {
    /// Asks git for both identities at once (two processes in parallel);
    /// [`PendingIdents::wait`] collects them.
    pub(super) fn spawn_idents(&self) -> Result<PendingIdents> {
        Ok(PendingIdents {
            author: self.spawn_var("GIT_AUTHOR_IDENT")?,
            committer: self.spawn_var("GIT_COMMITTER_IDENT")?,
        })
    }

    /// The git program, run on this repository and work tree.
    pub(super) fn git_command(&self) -> Command {
        let mut command = Command::new("git");
        command
            .current_dir(&self.workdir)
            .env("GIT_DIR", self.repo.path())
            .env("GIT_WORK_TREE", &self.workdir)
            .stdin(Stdio::null());
        command
    }

    fn spawn_var(&self, var: &str) -> Result<Child> {
        self.git_command()
            .arg("var")
            .arg(var)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::new(format!("cannot run git to read the identity: {e}")))
    }
}

fn finish_var(child: Child, role: &str) -> Result<Ident> {
    let output = child
        .wait_with_output()
        .map_err(|e| Error::new(format!("cannot run git to read the identity: {e}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.success() {
        if let Some(ident) = Ident::parse(&stdout) {
            return Ok(ident);
        }
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("identity unknown") || stderr.contains("empty ident") {
        return Err(
            Error::new("no git identity configured (user.name and user.email)")
                .with_help("git config --global user.name \"Your Name\"")
                .with_help("git config --global user.email you@example.com"),
        );
    }
    let reason = stderr
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(stdout.trim());
    Err(Error::new(format!(
        "git cannot tell the {role}: {}",
        reason.trim_start_matches("fatal: ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_var_output() {
        assert_eq!(
            Ident::parse("Tess Ter <tess@example.com> 1112904793 +0230\n"),
            Some(Ident {
                name: "Tess Ter".into(),
                email: "tess@example.com".into(),
                seconds: 1_112_904_793,
                offset: 150,
            })
        );
        let west = Ident::parse("A <a@b> 5 -0700").unwrap();
        assert_eq!(west.offset, -420);
        assert_eq!(west.date(), "@5 -0700");
        assert_eq!(Ident::parse("no date here"), None);
    }

    /// UTC is `+0000`, as git writes it; only zones west of it take a minus.
    #[test]
    fn the_date_of_utc_has_a_plus_sign() {
        let utc = Ident::parse("A <a@b> 1700000000 +0000").unwrap();
        assert_eq!(utc.offset, 0);
        assert_eq!(utc.date(), "@1700000000 +0000");
    }
}
