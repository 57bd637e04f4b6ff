//! `cargo tasks`: spec-kit tasks.md generation, Docker scaffolding and
//! task-by-task git commits for cargo workspaces.
//!
//! Data flows one way: files → spec models → task and container models →
//! rendered text. Only `ops` touches the disk, git or docker.

pub mod error;
pub mod tasks;

pub use error::{Error, Result};
