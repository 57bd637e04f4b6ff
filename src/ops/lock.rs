//! An exclusive advisory lock that serialises whole read-modify-write-commit
//! runs, so two `cargo tasks done` at once never lose an update.

use crate::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::Path;

/// Held until dropped. The lock file itself stays (removing it would race
/// with a process that already opened it).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Blocks until this process holds the lock on `path`, creating the file if
/// needed.
pub fn exclusive(path: &Path) -> Result<Lock> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io("open", path, &e))?;
    // fs4's lock rather than std's `File::lock`, which needs Rust 1.89.
    fs4::FileExt::lock(&file).map_err(|e| Error::io("lock", path, &e))?;
    Ok(Lock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tasks.lock");
        let first = exclusive(&path).unwrap();
        let (sender, receiver) = mpsc::channel();
        let second_path = path.clone();
        let waiter = std::thread::spawn(move || {
            let _second = exclusive(&second_path).unwrap();
            sender.send(()).unwrap();
        });
        assert!(receiver.recv_timeout(Duration::from_millis(200)).is_err());
        drop(first);
        assert!(receiver.recv_timeout(Duration::from_secs(5)).is_ok());
        waiter.join().unwrap();
    }
}
