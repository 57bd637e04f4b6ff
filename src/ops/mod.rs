//! Side effects: the terminal, the filesystem, git.

pub mod fs;
pub mod git;
pub mod lock;
pub mod shell;
pub mod signal;
