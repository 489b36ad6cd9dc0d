//! The one event-loop shape of both screens (the wizard and the end-user authorize screen):
//! take the results threads sent, stop when the screen is done, draw when something changed,
//! wait briefly for a terminal event and turn it into a message. What a screen does with a
//! message (update, then run the effects) is its own [`Screen::dispatch`].

use super::terminal::Term;
use crossterm::event::{self, Event};
use ratatui::Frame;
use std::io;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// How long one round may spend on messages from threads before drawing and reading keys,
/// so a fast producer (the loader) cannot starve them.
const CHANNEL_BUDGET: Duration = Duration::from_millis(30);

/// What a screen gives the loop.
pub(super) trait Screen {
    /// What happened: keys mapped to intentions, and effects' results.
    type Msg;
    /// The message a terminal event stands for, if any (keys through the screen's keymap).
    fn on_event(&mut self, event: Event) -> Option<Self::Msg>;
    /// Applies `msg` and runs the effects it causes.
    fn dispatch(&mut self, msg: Self::Msg);
    /// Draws the whole screen.
    fn draw(&self, frame: &mut Frame);
    /// True once the screen should close.
    fn done(&self) -> bool;
    /// How long to wait for a terminal event before looking at the channel again.
    fn wait(&self) -> Duration {
        Duration::from_millis(50)
    }
    /// True when the last message asked to be drawn before the channel is read on (the
    /// loaded roster's counts before the forms' facts are derived): asked once, then false.
    fn draw_first(&mut self) -> bool {
        false
    }
}

/// Runs `screen` on `terminal` until it is done; `rx` carries the messages its threads send.
pub(super) fn run<S: Screen>(
    screen: &mut S,
    rx: &Receiver<S::Msg>,
    terminal: &mut Term,
) -> io::Result<()> {
    let mut dirty = true;
    loop {
        let started = Instant::now();
        let mut more = false;
        while started.elapsed() < CHANNEL_BUDGET {
            let Ok(msg) = rx.try_recv() else { break };
            screen.dispatch(msg);
            dirty = true;
            if screen.draw_first() {
                more = true;
                break;
            }
        }
        if screen.done() {
            return Ok(());
        }
        if dirty {
            terminal.draw(|f| screen.draw(f))?;
            dirty = false;
        }
        // What is left in the channel goes on at once, unless a key is already waiting.
        let wait = if more { Duration::ZERO } else { screen.wait() };
        if event::poll(wait)? {
            if let Some(msg) = screen.on_event(event::read()?) {
                screen.dispatch(msg);
            }
            dirty = true;
        }
    }
}
