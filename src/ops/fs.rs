//! The one way files get written: atomically (temp file + fsync + rename),
//! never through a symlink, outside the workspace root or into a directory
//! git treats as its own, never over a file that differs unless forced, and
//! not at all in a dry run.

use crate::{Error, Result};
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What happened (or, in a dry run, would happen) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Unchanged,
    /// The file exists and differs; left alone because `force` is off.
    Kept,
    Overwritten,
}

impl Outcome {
    /// The cargo-style status verb.
    pub fn verb(self) -> &'static str {
        match self {
            Outcome::Created => "Created",
            Outcome::Unchanged => "Unchanged",
            Outcome::Kept => "Kept",
            Outcome::Overwritten => "Overwritten",
        }
    }
}

/// The largest file read whole (a design document, tasks.md, a template):
/// a spec file of many megabytes is a mistake, and reading it would cost a
/// multiple of its size in memory.
pub const MAX_READ_BYTES: u64 = 4 * 1024 * 1024;

/// The bytes of the regular file `path`, `None` when it does not exist.
/// Anything else (a FIFO, a device, a directory, a socket) is refused before
/// it is opened, so that a FIFO cannot block the read and `/dev/zero` cannot
/// fill the memory; so is a file larger than [`MAX_READ_BYTES`].
pub fn read_bounded(path: &Path) -> Result<Option<Vec<u8>>> {
    read_at_most(path, MAX_READ_BYTES)
}

fn read_at_most(path: &Path, limit: u64) -> Result<Option<Vec<u8>>> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("read", path, &e)),
    };
    check_readable(path, &meta, limit)?;
    let file = fs::File::open(path).map_err(|e| Error::io("read", path, &e))?;
    // The file may have been replaced since: check what was opened.
    let meta = file.metadata().map_err(|e| Error::io("read", path, &e))?;
    check_readable(path, &meta, limit)?;
    // The size can be wrong (procfs says 0) or grow after the check: read one byte past
    // the limit to tell a file of exactly the limit from a larger one.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, &e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, bytes.len() as u64, limit));
    }
    Ok(Some(bytes))
}

fn check_readable(path: &Path, meta: &fs::Metadata, limit: u64) -> Result<()> {
    if !meta.is_file() {
        return Err(Error::new(format!(
            "is {}, not a regular file; only regular files are read",
            file_kind(meta)
        ))
        .in_file(path));
    }
    if meta.len() > limit {
        return Err(too_large(path, meta.len(), limit));
    }
    Ok(())
}

fn too_large(path: &Path, len: u64, limit: u64) -> Error {
    Error::new(format!(
        "is {:.1} MB; files read whole are limited to {} MB",
        len as f64 / 1e6,
        limit as f64 / (1024.0 * 1024.0)
    ))
    .in_file(path)
    .with_help("a design document of many megabytes is a mistake: split it or trim it")
}

/// "a directory", "a FIFO", ... for an error message.
fn file_kind(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        } else if kind.is_char_device() {
            return "a character device";
        } else if kind.is_block_device() {
            return "a block device";
        } else if kind.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Writes files below `root`, relative paths only.
#[derive(Debug, Clone)]
pub struct Writer {
    root: PathBuf,
    dry_run: bool,
    force: bool,
}

impl Writer {
    pub fn new(root: impl Into<PathBuf>, dry_run: bool, force: bool) -> Writer {
        Writer {
            root: root.into(),
            dry_run,
            force,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The current text of `rel` (lossy UTF-8), `None` when it does not exist.
    /// Reads under the same rules as writes: no symlinks, nothing outside,
    /// regular files only.
    pub fn current(&self, rel: &str) -> Result<Option<String>> {
        let path = self.checked_path(rel)?;
        Ok(existing(&path)?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Writes `contents` to `rel`; `executable` files get mode 0755, others
    /// keep the mode of the file they replace. A file "differs" when its
    /// bytes differ or an executable lacks its execute bit.
    pub fn write(&self, rel: &str, contents: &str, executable: bool) -> Result<Outcome> {
        let file = Planned {
            rel,
            contents,
            executable,
        };
        Ok(self.write_all(&[file])?[0])
    }

    /// Writes every file or none: each new text goes to a temporary file
    /// beside its target first; only when all are written are they renamed
    /// into place. A failure on the way (a full disk, a permission) removes
    /// the temporary files and the directories made for them, and puts back
    /// any file already replaced, so the tree is as it was.
    pub fn write_all(&self, files: &[Planned]) -> Result<Vec<Outcome>> {
        let mut plans = Vec::with_capacity(files.len());
        for file in files {
            plans.push(self.plan(file)?);
        }
        let outcomes = plans.iter().map(|p| p.outcome).collect();
        if self.dry_run {
            return Ok(outcomes);
        }
        let mut batch = Batch::default();
        let result = self
            .stage(files, &plans, &mut batch)
            .and_then(|()| batch.commit());
        if let Err(err) = result {
            batch.roll_back();
            return Err(err);
        }
        Ok(outcomes)
    }

    /// What writing `file` would do, with the bytes it would replace.
    fn plan(&self, file: &Planned) -> Result<Plan> {
        let path = self.checked_path(file.rel)?;
        let old = match existing(&path)? {
            Some(bytes) => {
                let meta = fs::metadata(&path).map_err(|e| Error::io("inspect", &path, &e))?;
                Some((bytes, meta.permissions()))
            }
            None => None,
        };
        let outcome = match &old {
            Some((bytes, _))
                if bytes == file.contents.as_bytes() && mode_fits(&path, file.executable)? =>
            {
                Outcome::Unchanged
            }
            Some(_) if !self.force => Outcome::Kept,
            Some(_) => Outcome::Overwritten,
            None => Outcome::Created,
        };
        Ok(Plan { path, outcome, old })
    }

    /// Writes the temporary file of every file that changes.
    fn stage(&self, files: &[Planned], plans: &[Plan], batch: &mut Batch) -> Result<()> {
        for (file, plan) in files.iter().zip(plans) {
            if !matches!(plan.outcome, Outcome::Created | Outcome::Overwritten) {
                continue;
            }
            batch.dirs.extend(self.create_parents(file.rel)?);
            let temp = temp_path(&plan.path);
            let mode = file.executable.then_some(EXECUTABLE_MODE);
            let durable = plan.outcome == Outcome::Overwritten;
            let staged = Staged {
                temp: temp.clone(),
                target: plan.path.clone(),
                old: plan.old.clone(),
                durable,
                renamed: false,
            };
            batch.files.push(staged);
            write_temp(&temp, &plan.path, file.contents.as_bytes(), mode, durable)?;
        }
        Ok(())
    }

    /// `root/rel` after checking that `rel` stays inside the root, names no
    /// git directory, and that no existing component below the root is a symlink.
    fn checked_path(&self, rel: &str) -> Result<PathBuf> {
        let parts = relative_parts(rel).ok_or_else(|| outside_error(&self.root.join(rel)))?;
        let mut path = self.root.clone();
        for part in parts {
            path.push(part);
            if is_git_dir_name(part) {
                return Err(Error::new("refusing to write into git's own directory")
                    .in_file(self.root.join(rel))
                    .with_help(format!(
                        "a template or a plan names `{part}`; only git writes there"
                    )));
            }
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(Error::new("refusing to write through a symlink")
                        .in_file(&path)
                        .with_help("replace the symlink with a real directory or file"))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
                    return Err(Error::new("a file is in the way of this path").in_file(&path))
                }
                Err(e) => return Err(Error::io("inspect", &path, &e)),
            }
        }
        Ok(path)
    }

    /// Creates the missing parent directories of `rel` one by one, so that a
    /// symlink appearing meanwhile is never followed into.
    fn create_parents(&self, rel: &str) -> Result<Vec<PathBuf>> {
        let parts = relative_parts(rel).ok_or_else(|| outside_error(&self.root.join(rel)))?;
        let mut dir = self.root.clone();
        let mut created = Vec::new();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            dir.push(part);
            match fs::create_dir(&dir) {
                Ok(()) => created.push(dir.clone()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let meta =
                        fs::symlink_metadata(&dir).map_err(|e| Error::io("inspect", &dir, &e))?;
                    if !meta.is_dir() {
                        return Err(Error::new("not a directory").in_file(&dir));
                    }
                }
                Err(e) => return Err(Error::io("create", &dir, &e)),
            }
        }
        Ok(created)
    }
}

/// One file for [`Writer::write_all`].
#[derive(Debug, Clone, Copy)]
pub struct Planned<'a> {
    pub rel: &'a str,
    pub contents: &'a str,
    pub executable: bool,
}

/// What writing one file will do.
struct Plan {
    path: PathBuf,
    outcome: Outcome,
    /// The bytes and permissions it replaces, to put back if a later file fails.
    old: Option<(Vec<u8>, fs::Permissions)>,
}

/// A temporary file waiting to be renamed over its target.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
    old: Option<(Vec<u8>, fs::Permissions)>,
    durable: bool,
    renamed: bool,
}

/// The files and directories a [`Writer::write_all`] has made so far.
#[derive(Default)]
struct Batch {
    files: Vec<Staged>,
    dirs: Vec<PathBuf>,
}

impl Batch {
    fn commit(&mut self) -> Result<()> {
        for staged in &mut self.files {
            fs::rename(&staged.temp, &staged.target)
                .map_err(|e| Error::io("rename a temporary file to", &staged.target, &e))?;
            staged.renamed = true;
            if staged.durable {
                sync_parent(&staged.target);
            }
        }
        Ok(())
    }

    /// Best effort: every step is tried even when one fails, so that a
    /// failing restore never hides the error that caused it.
    fn roll_back(&mut self) {
        for staged in self.files.iter().rev() {
            match (&staged.old, staged.renamed) {
                (_, false) => {
                    let _ = fs::remove_file(&staged.temp);
                }
                (None, true) => {
                    let _ = fs::remove_file(&staged.target);
                }
                (Some((bytes, permissions)), true) => {
                    let _ = replace(&staged.target, bytes, None, true);
                    let _ = fs::set_permissions(&staged.target, permissions.clone());
                }
            }
        }
        for dir in self.dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// The bytes of the file at a checked path, `None` when there is none.
fn existing(path: &Path) -> Result<Option<Vec<u8>>> {
    if fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir()) {
        return Err(Error::new("a directory is in the way").in_file(path));
    }
    read_bounded(path)
}

const EXECUTABLE_MODE: u32 = 0o755;

/// The normal components of a relative path; `None` for absolute paths,
/// `..`, or an empty path.
fn relative_parts(rel: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    for component in Path::new(rel).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!parts.is_empty()).then_some(parts)
}

/// Whether git would read a path component as its own `.git` directory, on
/// any filesystem it protects (as `core.protectHFS`/`core.protectNTFS` do):
/// any case, trailing dots or spaces, characters HFS+ ignores, the 8.3 short
/// name `git~1`.
fn is_git_dir_name(part: &str) -> bool {
    let hfs_ignored = |c: &char| matches!(u32::from(*c), 0x200c..=0x200f | 0x202a..=0x202e | 0x206a..=0x206f | 0xfeff);
    let name: String = part.chars().filter(|c| !hfs_ignored(c)).collect();
    let name = name.trim_end_matches(['.', ' ']).to_ascii_lowercase();
    name == ".git" || name == "git~1"
}

fn outside_error(path: &Path) -> Error {
    Error::new("refusing to write outside the workspace root").in_file(path)
}

/// Writes `bytes` to `path` atomically, keeping the mode of the file it
/// replaces. Refuses when `path` itself is a symlink.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(meta) = fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() {
            return Err(Error::new("refusing to write through a symlink").in_file(path));
        }
    }
    replace(path, bytes, None, true)
}

/// Temp file in the same directory, then rename over `path`.
/// `mode` None keeps an existing file's mode (new files get the umask default).
/// `durable` adds the fsyncs that make the replacement survive a crash; it is
/// asked for when a file that may hold the user's work is replaced, and
/// skipped for new files, whose loss loses nothing (fsync is most of the
/// cost of generating a thousand new files).
fn replace(path: &Path, bytes: &[u8], mode: Option<u32>, durable: bool) -> Result<()> {
    let temp = temp_path(path);
    let result = write_temp(&temp, path, bytes, mode, durable).and_then(|()| {
        fs::rename(&temp, path).map_err(|e| Error::io("rename a temporary file to", path, &e))?;
        if durable {
            sync_parent(path);
        }
        Ok(())
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_temp(
    temp: &Path,
    target: &Path,
    bytes: &[u8],
    mode: Option<u32>,
    durable: bool,
) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(|e| Error::io("create a temporary file for", target, &e))?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", target, &e))?;
    let permissions = match mode {
        Some(mode) => permissions_from_mode(mode),
        None => fs::metadata(target).ok().map(|m| m.permissions()),
    };
    if let Some(permissions) = permissions {
        file.set_permissions(permissions)
            .map_err(|e| Error::io("set the permissions of", target, &e))?;
    }
    if durable {
        file.sync_all().map_err(|e| Error::io("sync", target, &e))?;
    }
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{unique}.tmp", std::process::id()))
}

/// The temporary files that [`write_atomic`] may have left beside `path`
/// when killed mid-write, with the process ID of their writer.
pub fn temp_files(path: &Path) -> Vec<(PathBuf, u32)> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            let (pid, _unique) = file
                .strip_prefix(&prefix)?
                .strip_suffix(".tmp")?
                .split_once('.')?;
            Some((dir.join(&file), pid.parse().ok()?))
        })
        .collect()
}

/// Makes the rename durable; best effort, since not every filesystem allows
/// opening a directory.
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(dir) = fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}

#[cfg(unix)]
fn permissions_from_mode(mode: u32) -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
fn permissions_from_mode(_mode: u32) -> Option<fs::Permissions> {
    None
}

/// Whether an existing file's execute bit matches what is asked for; files
/// not asked to be executable fit whatever their mode.
#[cfg(unix)]
fn mode_fits(path: &Path, executable: bool) -> Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    if !executable {
        return Ok(true);
    }
    let meta = fs::metadata(path).map_err(|e| Error::io("inspect", path, &e))?;
    Ok(meta.permissions().mode() & 0o100 != 0)
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
fn mode_fits(_path: &Path, _executable: bool) -> Result<bool> {
    Ok(true)
}

/// A unified diff of `old` → `new` with `a/path` and `b/path` headers; empty
/// when they are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn bounded_reads_refuse_what_is_not_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("plan.md");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = read_bounded(&fifo).unwrap_err();
        assert_eq!(
            err.message(),
            "is a FIFO (named pipe), not a regular file; only regular files are read"
        );
        assert_eq!(err.file(), Some(fifo.as_path()));
        let zero = dir.path().join("research.md");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read_bounded(&zero).unwrap_err();
        assert!(err.message().starts_with("is a character device"), "{err}");
        let err = read_bounded(dir.path()).unwrap_err();
        assert!(err.message().starts_with("is a directory"), "{err}");
        let big = dir.path().join("data-model.md");
        let file = fs::File::create(&big).unwrap();
        file.set_len(50_000_000).unwrap();
        let err = read_bounded(&big).unwrap_err();
        assert_eq!(
            err.message(),
            "is 50.0 MB; files read whole are limited to 4 MB"
        );
        let small = dir.path().join("ok.md");
        fs::write(&small, "fine\n").unwrap();
        assert_eq!(read_bounded(&small).unwrap().unwrap(), b"fine\n");
        assert_eq!(read_bounded(&dir.path().join("missing")).unwrap(), None);
    }

    /// procfs reports a size of 0 for files that hold text, and a file can grow between the
    /// size check and the read: what is read is bounded too, and a file of exactly the limit
    /// is read whole.
    #[test]
    fn the_bytes_read_are_bounded_whatever_the_size_said() {
        let status = Path::new("/proc/self/status");
        assert_eq!(fs::metadata(status).unwrap().len(), 0);
        let err = read_at_most(status, 100).unwrap_err();
        assert!(
            err.message()
                .starts_with("is 0.0 MB; files read whole are limited to 0.0000"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let exact = dir.path().join("tasks.md");
        fs::write(&exact, [b'x'; 100]).unwrap();
        assert_eq!(read_at_most(&exact, 100).unwrap().unwrap().len(), 100);
        fs::write(&exact, [b'x'; 101]).unwrap();
        assert!(read_at_most(&exact, 100).is_err());
    }

    /// A temporary file of write_atomic is found by the name it had, with its writer's pid;
    /// nothing else beside it is.
    #[test]
    fn temp_files_are_those_write_atomic_names() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = dir.path().join("tasks.md");
        let ours = temp_path(&tasks);
        for name in [
            ".tasks.md.x.0.tmp",
            ".plan.md.7.0.tmp",
            ".tasks.md.7.tmp",
            "tasks.md",
        ] {
            fs::write(dir.path().join(name), "").unwrap();
        }
        fs::write(&ours, "").unwrap();
        assert_eq!(temp_files(&tasks), [(ours, std::process::id())]);
        assert_eq!(temp_files(Path::new("/")), []);
    }

    /// Only a missing file is "not there"; a path through a file is an error naming it.
    #[test]
    fn a_path_through_a_file_is_an_error_not_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.md");
        fs::write(&file, "plan\n").unwrap();
        let through = file.join("research.md");
        let err = read_bounded(&through).unwrap_err();
        assert_eq!(err.file(), Some(through.as_path()));
        assert!(err.message().contains("read"), "{err}");
    }

    fn writer(dir: &Path, dry_run: bool, force: bool) -> Writer {
        Writer::new(dir, dry_run, force)
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// Every entry below `dir`, relative, sorted: proves no temp files remain.
    fn entries(dir: &Path) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
                if path.is_dir() && !path.is_symlink() {
                    stack.push(path);
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn creates_then_unchanged_then_kept_then_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let w = writer(dir.path(), false, false);
        assert_eq!(
            w.write("docker/a/Dockerfile", "one\n", false).unwrap(),
            Outcome::Created
        );
        assert_eq!(
            w.write("docker/a/Dockerfile", "one\n", false).unwrap(),
            Outcome::Unchanged
        );
        assert_eq!(
            w.write("docker/a/Dockerfile", "two\n", false).unwrap(),
            Outcome::Kept
        );
        let file = dir.path().join("docker/a/Dockerfile");
        assert_eq!(fs::read_to_string(&file).unwrap(), "one\n");
        let forced = writer(dir.path(), false, true);
        assert_eq!(
            forced.write("docker/a/Dockerfile", "two\n", false).unwrap(),
            Outcome::Overwritten
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "two\n");
        assert_eq!(
            entries(dir.path()),
            ["docker", "docker/a", "docker/a/Dockerfile"]
        );
    }

    #[test]
    fn dry_run_reports_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dry = writer(dir.path(), true, true);
        assert_eq!(
            dry.write("docker/x.sh", "x\n", true).unwrap(),
            Outcome::Created
        );
        assert!(entries(dir.path()).is_empty());
        fs::write(dir.path().join("y"), "old\n").unwrap();
        assert_eq!(
            dry.write("y", "new\n", false).unwrap(),
            Outcome::Overwritten
        );
        assert_eq!(fs::read_to_string(dir.path().join("y")).unwrap(), "old\n");
        assert_eq!(dry.current("y").unwrap().as_deref(), Some("old\n"));
        assert_eq!(dry.current("missing").unwrap(), None);
    }

    #[test]
    fn executables_get_0755_and_others_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let w = writer(dir.path(), false, true);
        w.write("run.sh", "#!/bin/sh\n", true).unwrap();
        assert_eq!(mode(&dir.path().join("run.sh")), 0o755);
        let plain = dir.path().join("plain");
        fs::write(&plain, "a").unwrap();
        fs::set_permissions(&plain, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(w.write("plain", "b", false).unwrap(), Outcome::Overwritten);
        assert_eq!(mode(&plain), 0o600);
    }

    #[test]
    fn a_missing_execute_bit_is_a_difference() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("s.sh");
        fs::write(&script, "same\n").unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            writer(dir.path(), false, false)
                .write("s.sh", "same\n", true)
                .unwrap(),
            Outcome::Kept
        );
        assert_eq!(mode(&script), 0o644);
        assert_eq!(
            writer(dir.path(), false, true)
                .write("s.sh", "same\n", true)
                .unwrap(),
            Outcome::Overwritten
        );
        assert_eq!(mode(&script), 0o755);
        assert_eq!(
            writer(dir.path(), false, false)
                .write("s.sh", "same\n", true)
                .unwrap(),
            Outcome::Unchanged
        );
    }

    #[test]
    fn refuses_symlinked_directories_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("docker")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("t"), dir.path().join("link")).unwrap();
        let w = writer(dir.path(), false, true);
        for rel in ["docker/Dockerfile", "docker/new/dir/file", "link"] {
            let err = w.write(rel, "x", false).unwrap_err();
            assert_eq!(
                err.message(),
                "refusing to write through a symlink",
                "{rel}"
            );
            assert!(err.file().unwrap().starts_with(dir.path()));
        }
        assert!(entries(elsewhere.path()).is_empty());
        assert!(w.current("docker/Dockerfile").is_err());
    }

    #[test]
    fn refuses_paths_outside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let w = writer(dir.path(), false, true);
        for rel in ["../escape", "docker/../../escape", "/etc/passwd", "", "."] {
            let err = w.write(rel, "x", false).unwrap_err();
            assert_eq!(
                err.message(),
                "refusing to write outside the workspace root",
                "{rel:?}"
            );
        }
        assert!(entries(dir.path()).is_empty());
        assert_eq!(
            w.write("./docker/./ok", "x", false).unwrap(),
            Outcome::Created
        );
    }

    #[test]
    fn refuses_every_name_git_reads_as_its_own_directory_even_forced() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        fs::write(dir.path().join(".git/config"), "[core]\n").unwrap();
        let w = writer(dir.path(), false, true);
        for rel in [
            ".git/config",
            "docker/.git/hooks/pre-commit",
            ".GIT/config",
            ".git./config",
            ".git /x",
            ".g\u{200c}it/config",
            "GIT~1/config",
        ] {
            let err = w
                .write(rel, "[core]\n\tfsmonitor = touch pwned\n", false)
                .unwrap_err();
            assert_eq!(
                err.message(),
                "refusing to write into git's own directory",
                "{rel}"
            );
            assert_eq!(err.file(), Some(dir.path().join(rel).as_path()));
            assert!(w.current(rel).is_err(), "{rel}");
        }
        assert_eq!(
            fs::read_to_string(dir.path().join(".git/config")).unwrap(),
            "[core]\n"
        );
        assert_eq!(entries(dir.path()), [".git", ".git/config"]);
        for fine in [".gitignore", ".github/x", "docker/git/x", ".git-x"] {
            assert_eq!(
                w.write(fine, "x", false).unwrap(),
                Outcome::Created,
                "{fine}"
            );
        }
    }

    #[test]
    fn a_batch_that_fails_part_way_leaves_the_tree_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("keep")).unwrap();
        let kept = dir.path().join("keep/old.sh");
        fs::write(&kept, "old\n").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o600)).unwrap();
        // A name its temporary file cannot have (over 255 bytes): the last write fails.
        let long = format!("late/{}", "n".repeat(250));
        let files = [
            Planned {
                rel: "docker/new/a",
                contents: "a",
                executable: false,
            },
            Planned {
                rel: "keep/old.sh",
                contents: "new\n",
                executable: true,
            },
            Planned {
                rel: "b",
                contents: "b",
                executable: true,
            },
            Planned {
                rel: &long,
                contents: "x",
                executable: false,
            },
        ];
        let err = writer(dir.path(), false, true)
            .write_all(&files)
            .unwrap_err();
        assert_eq!(err.file(), Some(dir.path().join(&long).as_path()));
        assert_eq!(entries(dir.path()), ["keep", "keep/old.sh"]);
        assert_eq!(fs::read_to_string(&kept).unwrap(), "old\n");
        assert_eq!(mode(&kept), 0o600);
        let outcomes = writer(dir.path(), false, true)
            .write_all(&files[..3])
            .unwrap();
        assert_eq!(
            outcomes,
            [Outcome::Created, Outcome::Overwritten, Outcome::Created]
        );
        assert_eq!(mode(&kept), 0o755);
    }

    #[test]
    fn a_file_in_the_way_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("docker"), "file").unwrap();
        fs::create_dir(dir.path().join("dir")).unwrap();
        let w = writer(dir.path(), false, true);
        for (rel, named) in [
            ("docker/Dockerfile", "docker/Dockerfile"),
            ("docker/a/Dockerfile", "docker/a"),
        ] {
            let err = w.write(rel, "x", false).unwrap_err();
            assert_eq!(err.message(), "a file is in the way of this path", "{rel}");
            assert_eq!(err.file(), Some(dir.path().join(named).as_path()));
            assert!(w.current(rel).is_err(), "{rel}");
        }
        let err = w.write("dir", "x", false).unwrap_err();
        assert_eq!(err.message(), "a directory is in the way");
    }

    /// Only a path through a file is "in the way"; another failure to look at a
    /// path is reported as it is.
    #[test]
    fn a_name_too_long_is_reported_as_such_not_as_a_file_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let long = "n".repeat(300);
        let err = writer(dir.path(), false, false)
            .write(&long, "x", false)
            .unwrap_err();
        assert_eq!(
            err.message(),
            "cannot inspect: File name too long (os error 36)"
        );
        assert_eq!(err.file(), Some(dir.path().join(&long).as_path()));
    }

    /// A parent directory the filesystem refuses to make (procfs makes none) is an
    /// error naming it, and nothing is written.
    #[test]
    fn a_directory_that_cannot_be_made_is_an_error_naming_it() {
        let w = writer(Path::new("/proc/self"), false, false);
        let err = w.write("made/here", "x", false).unwrap_err();
        assert_eq!(
            err.message(),
            "cannot create: No such file or directory (os error 2)"
        );
        assert_eq!(err.file(), Some(Path::new("/proc/self/made")));
    }

    #[test]
    fn write_atomic_keeps_mode_and_refuses_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tasks.md");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(mode(&path), 0o640);
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let err = write_atomic(&link, b"evil").unwrap_err();
        assert_eq!(err.file(), Some(link.as_path()));
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(entries(dir.path()), ["link.md", "tasks.md"]);
    }

    #[test]
    fn a_failed_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub");
        fs::create_dir(&target).unwrap();
        // Renaming a file over a non-empty directory fails after the temp file is written.
        fs::write(target.join("inside"), "x").unwrap();
        assert!(replace(&target, b"data", None, true).is_err());
        assert_eq!(entries(dir.path()), ["sub", "sub/inside"]);
    }

    #[test]
    fn unified_diff_has_headers_and_hunks() {
        assert_eq!(unified_diff("a.txt", "same\n", "same\n"), "");
        let diff = unified_diff("docker/Dockerfile", "FROM a\nRUN x\n", "FROM b\nRUN x\n");
        assert_eq!(
            diff,
            "--- a/docker/Dockerfile\n+++ b/docker/Dockerfile\n@@ -1,2 +1,2 @@\n-FROM a\n+FROM b\n RUN x\n"
        );
    }
}
