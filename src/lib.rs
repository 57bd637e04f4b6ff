//! `cargo tasks`: spec-kit tasks.md generation, Docker scaffolding and
//! task-by-task git commits for cargo workspaces.
//!
//! Data flows one way: files → spec models → task and container models →
//! rendered text. Every write, every git operation and every process goes
//! through `ops`; reading inputs does not: `spec`, `feature`, `config`,
//! `workspace`, `render`, `tasks::file` and the verbs in `cli` read the documents, manifests,
//! templates and tasks.md they parse. The models themselves (`spec`'s parsers,
//! `tasks`, `container`, `layout`) parse and render text without the disk.

pub mod backing;
pub mod cli;
pub mod config;
pub mod container;
pub mod diagnostic;
pub mod docker;
pub mod error;
pub mod facts;
pub mod feature;
pub mod layout;
pub mod ops;
pub mod render;
pub mod spec;
pub mod tasks;
pub mod workspace;

pub use diagnostic::{Diagnostic, Severity};
pub use error::{Error, Result};
