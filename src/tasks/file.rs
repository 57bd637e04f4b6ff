//! A feature's tasks.md as read from disk: its path, its text exactly as
//! written (BOM and line endings kept, so that edits change one byte) and what
//! the reader made of it. Shared by done, undo, status, next, graph and check.

use super::read::{self, TasksDoc};
use crate::feature::FeatureArgs;
use crate::workspace::Workspace;
use crate::{Error, Result};
use std::path::PathBuf;

pub struct TasksFile {
    pub path: PathBuf,
    /// The path as shown to users: relative to the workspace root.
    pub display: String,
    pub text: String,
    pub doc: TasksDoc,
}

impl TasksFile {
    /// The selected feature's tasks.md.
    pub fn load(ws: &Workspace, feature: &FeatureArgs) -> Result<TasksFile> {
        let path = feature.resolve(ws)?.tasks_path();
        let display = ws.relative(&path);
        TasksFile::read(path, display)
    }

    pub fn read(path: PathBuf, display: String) -> Result<TasksFile> {
        let Some(bytes) = crate::ops::fs::read_bounded(&path)? else {
            let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
            return Err(Error::io("read", &path, &missing)
                .with_help("create it with `cargo tasks generate`"));
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::new("is not valid UTF-8").in_file(&path))?;
        Ok(TasksFile::new(path, display, text))
    }

    /// A file from its text, without touching the disk.
    pub fn new(path: PathBuf, display: String, text: String) -> TasksFile {
        TasksFile {
            path,
            display,
            doc: read::parse(&text),
            text,
        }
    }

    /// The same file after an edit.
    pub fn with_text(self, text: String) -> TasksFile {
        TasksFile::new(self.path, self.display, text)
    }
}
