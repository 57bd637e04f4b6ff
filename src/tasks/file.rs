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
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let error = Error::io("read", &path, &e);
            if e.kind() == std::io::ErrorKind::NotFound {
                error.with_help("create it with `cargo tasks generate`")
            } else {
                error
            }
        })?;
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
