//! Side effects: the terminal, the filesystem, git.

pub mod shell;
pub mod fs;
pub mod git;
pub mod lock;
