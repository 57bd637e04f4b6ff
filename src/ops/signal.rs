//! SIGINT, SIGTERM and SIGHUP while `done` or `undo` changes things: the
//! handler only records the signal; the code checks [`pending`] at its safe
//! points, puts everything back, and then dies of the same signal with
//! [`reraise`], so the shell sees the usual exit status.
//!
//! The crate's only `unsafe`: plain libc calls (sigaction, kill, signal,
//! raise), each with its SAFETY note; the lint stays denied everywhere else.
#![allow(unsafe_code)]

use crate::{Error, Result};
use std::sync::atomic::{AtomicI32, Ordering};

static PENDING: AtomicI32 = AtomicI32::new(0);

#[cfg(unix)]
const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

#[cfg(unix)]
extern "C" fn record(signal: libc::c_int) {
    PENDING.store(signal, Ordering::SeqCst);
}

/// From now on the signals are recorded instead of ending the process.
#[cfg(unix)]
pub fn catch() {
    for signal in SIGNALS {
        // SAFETY: `record` only stores into an atomic, which is
        // async-signal-safe; SA_RESTART keeps other system calls going.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
pub fn catch() {}

/// The signal received since [`catch`], if any.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// An error when a signal is pending: the caller stops and puts things back.
pub fn check() -> Result<()> {
    match pending() {
        None => Ok(()),
        Some(signal) => Err(Error::new(format!("interrupted by {}", name(signal)))),
    }
}

fn name(signal: i32) -> String {
    #[cfg(unix)]
    match signal {
        libc::SIGINT => return "SIGINT".into(),
        libc::SIGTERM => return "SIGTERM".into(),
        libc::SIGHUP => return "SIGHUP".into(),
        _ => {}
    }
    format!("signal {signal}")
}

/// Sends the pending signal on to a child process (a hook), as a terminal
/// does for SIGINT to the whole foreground group.
#[cfg(unix)]
pub fn forward(child: &std::process::Child) {
    if let (Some(signal), Ok(pid)) = (pending(), libc::pid_t::try_from(child.id())) {
        // SAFETY: plain kill(2) on our own child's pid.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
pub fn forward(child: &std::process::Child) {
    let _ = child;
}

/// Sends `signal` to every process of the group `child` leads (a child
/// started with `process_group(0)`): its descendants too, unless they left it.
#[cfg(unix)]
pub fn signal_group(child: &std::process::Child, signal: i32) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: plain kill(2) on the process group our own child leads.
        unsafe {
            libc::kill(-pid, signal);
        }
    }
}

/// Sends the pending signal on to the group `child` leads, as the terminal
/// would have had it been in the foreground group.
#[cfg(unix)]
pub fn forward_group(child: &std::process::Child) {
    if let Some(signal) = pending() {
        signal_group(child, signal);
    }
}

/// Kills the group `child` leads, whatever it does with SIGTERM.
#[cfg(unix)]
pub fn kill_group(child: &std::process::Child) {
    signal_group(child, libc::SIGKILL);
}

/// Asks the group `child` leads to stop (SIGTERM).
#[cfg(unix)]
pub fn terminate_group(child: &std::process::Child) {
    signal_group(child, libc::SIGTERM);
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
pub fn forward_group(child: &std::process::Child) {
    let _ = child;
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
pub fn kill_group(child: &std::process::Child) {
    let _ = child;
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
pub fn terminate_group(child: &std::process::Child) {
    let _ = child;
}

/// Ends the process by the pending signal with its default action, after
/// everything was put back and reported.
pub fn reraise() {
    #[cfg(unix)]
    if let Some(signal) = pending() {
        // SAFETY: restoring the default action and raising the signal.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

/// Whether process `pid` still runs (a leftover of a dead one may go).
#[cfg(unix)]
pub fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
#[cfg_attr(mutants, mutants::skip)] // not built where the mutants run
pub fn alive(_pid: u32) -> bool {
    true
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn alive_tells_a_running_process_from_a_finished_one() {
        assert!(alive(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!alive(pid));
        assert!(!alive(u32::MAX), "not a pid_t");
    }

    #[test]
    fn signals_are_named_for_the_message() {
        assert_eq!(name(libc::SIGINT), "SIGINT");
        assert_eq!(name(libc::SIGTERM), "SIGTERM");
        assert_eq!(name(libc::SIGHUP), "SIGHUP");
        assert_eq!(name(libc::SIGUSR1), format!("signal {}", libc::SIGUSR1));
    }
}
