//! Entering and always leaving the full-screen terminal.
//!
//! The screen is drawn on stderr so stdout stays clean for scripts. The terminal is restored
//! on every exit path: normally by [`TerminalGuard`]'s `Drop`, and on a panic by a chained
//! panic hook (the guard's `Drop` skips the restore while panicking so it happens exactly once,
//! before the panic message is printed); on SIGTERM, SIGINT, SIGHUP and SIGQUIT by a signal
//! thread that restores it and exits with 128 + the signal's number (Unix only: Windows has no
//! such signals, and Ctrl+C reaches a raw-mode console as a key).

use crossterm::{
    cursor,
    event::{DisableMouseCapture, EnableMouseCapture},
    execute,
    terminal::{self, EnterAlternateScreen, LeaveAlternateScreen},
};
use ratatui::{backend::CrosstermBackend, Terminal};
use std::io::{self, BufWriter, Stderr, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

/// The terminal type every screen draws on.
///
/// Buffered so a frame reaches the terminal in one write on `flush` (stderr itself is
/// unbuffered: every cursor move would be its own syscall, slow over SSH and seen half-drawn).
pub(super) type Term = Terminal<CrosstermBackend<BufWriter<Stderr>>>;

/// Large enough for a full redraw of a big terminal, so a frame is never split.
const FRAME_BUFFER: usize = 1 << 18;

static HOOK: Once = Once::new();
/// Whether a [`TerminalGuard`] holds the terminal (a signal then restores it before exiting).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_NOTE: Mutex<Option<String>> = Mutex::new(None);

/// A line printed after the terminal is restored on a panic (e.g. where the session was saved).
pub(super) fn set_panic_note(note: Option<String>) {
    if let Ok(mut slot) = PANIC_NOTE.lock() {
        *slot = note;
    }
}

/// Owns the raw-mode, alternate-screen terminal; restores it when dropped.
pub(super) struct TerminalGuard {
    terminal: Term,
}

impl TerminalGuard {
    /// Switches the terminal to raw mode and the alternate screen.
    /// Mouse capture stays off unless asked for, so text remains selectable.
    pub(super) fn enter(mouse: bool) -> io::Result<Self> {
        install_panic_hook();
        signals::install();
        ACTIVE.store(true, Ordering::SeqCst);
        if let Err(e) = terminal::enable_raw_mode() {
            ACTIVE.store(false, Ordering::SeqCst);
            return Err(e);
        }
        let mut err = io::stderr();
        if let Err(e) = execute!(err, EnterAlternateScreen, cursor::Hide) {
            restore();
            return Err(e);
        }
        if mouse {
            execute!(err, EnableMouseCapture)?;
        }
        let terminal = Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
            FRAME_BUFFER,
            io::stderr(),
        )))?;
        Ok(TerminalGuard { terminal })
    }

    pub(super) fn terminal(&mut self) -> &mut Term {
        &mut self.terminal
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            restore();
        }
        ACTIVE.store(false, Ordering::SeqCst);
    }
}

/// Leaves raw mode and the alternate screen. Safe to call more than once.
pub(super) fn restore() {
    restore_on(&mut io::stderr().lock());
}

/// [`restore`] on a locked stderr: a frame being drawn on another thread cannot interleave.
fn restore_on(err: &mut impl Write) {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(err, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
}

/// The conventional exit status of a process ended by signal `number`.
pub(super) fn signal_exit_code(number: i32) -> i32 {
    128 + number
}

/// Ends the process for signal `number` (named `name`): the terminal restored if a screen
/// holds it, the saved-work note printed, exit status 128 + `number`. Saves are atomic, so one
/// cut short leaves the previous save whole.
#[cfg_attr(not(unix), allow(dead_code))]
fn exit_on_signal(number: i32, name: &str) -> ! {
    // Held until exit, so no frame is drawn after the restore.
    let mut err = io::stderr().lock();
    if ACTIVE.load(Ordering::SeqCst) {
        restore_on(&mut err);
    }
    let _ = writeln!(err, "scc-onboard: stopped by {name}.");
    if let Ok(slot) = PANIC_NOTE.lock() {
        if let Some(note) = slot.as_deref() {
            let _ = writeln!(err, "{note}");
        }
    }
    let _ = err.flush();
    std::process::exit(signal_exit_code(number))
}

/// SIGTERM, SIGINT, SIGHUP and SIGQUIT end the program through [`exit_on_signal`].
#[cfg(unix)]
mod signals {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    use std::sync::Once;

    static INSTALLED: Once = Once::new();

    pub(super) fn install() {
        INSTALLED.call_once(|| {
            let Ok(mut signals) =
                signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT])
            else {
                return;
            };
            let _ = std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    if let Some(number) = signals.forever().next() {
                        let name = match number {
                            SIGTERM => "SIGTERM",
                            SIGINT => "SIGINT",
                            SIGHUP => "SIGHUP",
                            _ => "SIGQUIT",
                        };
                        super::exit_on_signal(number, name);
                    }
                });
        });
    }
}

/// Windows has none of these signals; closing the console ends the process as before.
#[cfg(not(unix))]
mod signals {
    pub(super) fn install() {}
}

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
            if let Ok(slot) = PANIC_NOTE.lock() {
                if let Some(note) = slot.as_deref() {
                    eprintln!("{note}");
                }
            }
        }));
    });
}
