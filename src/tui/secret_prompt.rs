//! A secret typed at the terminal without echo (raw mode, no screen): `exchange store-secret`.
//! Here because terminal handling lives in `tui`; the CLI calls it and never names crossterm.

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

/// Leaves raw mode however the read ends, a panic included.
struct RawMode;

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Reads `what` from the keyboard, showing nothing; Enter ends it, Esc or Ctrl-C cancels,
/// a paste is taken whole.
pub fn read_hidden(what: &str) -> Result<String, String> {
    eprint!("Type {what} (not shown), then Enter: ");
    crossterm::terminal::enable_raw_mode().map_err(|e| format!("terminal: {e}"))?;
    let raw = RawMode;
    let mut secret = String::new();
    let outcome = loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err("cancelled".to_string())
                }
                KeyCode::Esc => break Err("cancelled".to_string()),
                KeyCode::Backspace => {
                    secret.pop();
                }
                KeyCode::Char(c) => secret.push(c),
                _ => {}
            },
            Ok(Event::Paste(p)) => secret.push_str(p.trim_end_matches(['\r', '\n'])),
            Ok(_) => {}
            Err(e) => break Err(format!("terminal: {e}")),
        }
    };
    drop(raw);
    eprintln!();
    outcome.map(|()| secret)
}
