//! Tasks: the model, reading any tasks.md, editing it in place, and the
//! dependency graph.

pub mod model;

pub use model::{Task, TaskId};
