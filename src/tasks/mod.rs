//! Tasks: the model, reading any tasks.md, editing it in place, and the
//! dependency graph.

pub mod check;
pub mod cite;
pub mod dependencies;
pub mod drawing;
pub mod edit;
pub mod file;
pub mod gates;
pub mod graph;
pub mod merge;
pub mod model;
pub mod prose;
pub mod read;
pub mod rules;
pub mod verify;

pub use model::{Task, TaskId};
