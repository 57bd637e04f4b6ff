//! `cargo tasks`: spec-kit tasks.md generation, Docker scaffolding and
//! task-by-task git commits for cargo workspaces.
//!
//! Data flows one way: files → spec models → task and container models →
//! rendered text. Only `ops` touches the disk, git or docker.

pub mod cli;
pub mod config;
pub mod container;
pub mod docker;
pub mod error;
pub mod feature;
pub mod layout;
pub mod ops;
pub mod render;
pub mod spec;
pub mod tasks;
pub mod workspace;

pub use error::{Error, Result};
