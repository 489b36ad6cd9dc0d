//! Entering and always leaving the full-screen terminal.
//!
//! The screen is drawn on stderr so stdout stays clean for scripts. The terminal is restored
//! on every exit path: normally by [`TerminalGuard`]'s `Drop`, and on a panic by a chained
//! panic hook (the guard's `Drop` skips the restore while panicking so it happens exactly once,
//! before the panic message is printed).

use crossterm::{
    cursor,
    event::{DisableMouseCapture, EnableMouseCapture},
    execute,
    terminal::{self, EnterAlternateScreen, LeaveAlternateScreen},
};
use ratatui::{backend::CrosstermBackend, Terminal};
use std::io::{self, BufWriter, Stderr};
use std::sync::{Mutex, Once};

/// The terminal type every screen draws on.
///
/// Buffered so a frame reaches the terminal in one write on `flush` (stderr itself is
/// unbuffered: every cursor move would be its own syscall, slow over SSH and seen half-drawn).
pub type Term = Terminal<CrosstermBackend<BufWriter<Stderr>>>;

/// Large enough for a full redraw of a big terminal, so a frame is never split.
const FRAME_BUFFER: usize = 1 << 18;

static HOOK: Once = Once::new();
static PANIC_NOTE: Mutex<Option<String>> = Mutex::new(None);

/// A line printed after the terminal is restored on a panic (e.g. where the session was saved).
pub fn set_panic_note(note: Option<String>) {
    if let Ok(mut slot) = PANIC_NOTE.lock() {
        *slot = note;
    }
}

/// Owns the raw-mode, alternate-screen terminal; restores it when dropped.
pub struct TerminalGuard {
    terminal: Term,
}

impl TerminalGuard {
    /// Switches the terminal to raw mode and the alternate screen.
    /// Mouse capture stays off unless asked for, so text remains selectable.
    pub fn enter(mouse: bool) -> io::Result<Self> {
        install_panic_hook();
        terminal::enable_raw_mode()?;
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

    pub fn terminal(&mut self) -> &mut Term {
        &mut self.terminal
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            restore();
        }
    }
}

/// Leaves raw mode and the alternate screen. Safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stderr(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
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
