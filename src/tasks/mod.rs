//! Tasks: the model, reading any tasks.md, editing it in place, and the
//! dependency graph.

pub mod gates;
pub mod merge;
pub mod model;
pub mod rules;
pub mod read;
pub mod edit;
pub mod graph;
pub mod check;

pub use model::{Task, TaskId};
