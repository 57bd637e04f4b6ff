//! Spec documents: plan.md and the optional design documents of a feature
//! directory, read into plain models.

pub mod markdown;

pub use markdown::Field;
