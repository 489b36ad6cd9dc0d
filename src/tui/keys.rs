//! Keys and mouse to messages. Pure: looks at the state, changes nothing.

use super::layout;
use super::msg::Msg;
use super::state::{Filter, ImportFocus, Popup, State};
use super::widgets::text_input::TextEdit;
use crate::session::Step;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// A key as the user meant it. AltGr arrives as Ctrl+Alt on Windows (crossterm), so
/// Ctrl+Alt with a printable character is that character, typed: `@`, `{`, `\` on German,
/// Nordic or Italian keyboards. Every other key is unchanged.
pub(super) fn normalize(key: KeyEvent) -> KeyEvent {
    let altgr = KeyModifiers::CONTROL | KeyModifiers::ALT;
    match key.code {
        KeyCode::Char(c) if key.modifiers.contains(altgr) && !c.is_control() => {
            let mut typed = key;
            typed.modifiers.remove(altgr);
            typed
        }
        _ => key,
    }
}

/// The message a key press stands for in the current state.
pub fn handle_key(state: &State, key: KeyEvent) -> Option<Msg> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let key = normalize(key);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Msg::Quit);
    }
    if let Some(popup) = &state.popup {
        return popup_key(popup, key);
    }
    if state.load.is_some() {
        return match key.code {
            KeyCode::Esc => Some(Msg::CancelLoad),
            _ => fix_key_while_loading(state, key),
        };
    }
    if matches!(state.step, Step::Customize | Step::ExchangeAccess) && state.typing() {
        return Some(Msg::StepKey(key));
    }
    // `q` quits on Import too while nothing is typed in the path field.
    if state.step == Step::Import
        && state.import.path.value().is_empty()
        && key.code == KeyCode::Char('q')
        && key.modifiers.is_empty()
    {
        return Some(Msg::Quit);
    }
    if state.typing() {
        return text_key(state, key);
    }
    // Global keys outside text fields.
    match key.code {
        KeyCode::Char('q') => return Some(Msg::Quit),
        KeyCode::Char('?') => return Some(Msg::ShowHelp),
        KeyCode::Char('>') => return Some(Msg::NextStep),
        KeyCode::Char('<') => return Some(Msg::PrevStep),
        _ => {}
    }
    match state.step {
        Step::Import => import_key(state, key),
        Step::MatchReview => match_key(key),
        Step::Fix => fix_key(key),
        Step::ReviewExport => review_key(key),
        Step::Customize | Step::ExchangeAccess => choices_key(state, key),
        Step::Authorize => match key.code {
            KeyCode::Esc if state.auth.running => Some(Msg::CancelAuthorize),
            KeyCode::Esc => Some(Msg::PrevStep),
            KeyCode::Char('c') => Some(Msg::CopyAuthUrl),
            _ => None,
        },
    }
}

fn popup_key(popup: &Popup, key: KeyEvent) -> Option<Msg> {
    match popup {
        Popup::Help => match key.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
                Some(Msg::ClosePopup)
            }
            _ => None,
        },
        Popup::ConfirmBulk { .. }
        | Popup::ConfirmExclude { .. }
        | Popup::ConfirmWarnings { .. }
        | Popup::ConfirmReplace { .. } => match key.code {
            KeyCode::Enter | KeyCode::Char('y') => Some(Msg::ConfirmPopup),
            KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => Some(Msg::ClosePopup),
            _ => None,
        },
        Popup::Unplaced { .. } => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Msg::UnplacedMove(-1)),
            KeyCode::Down | KeyCode::Char('j') => Some(Msg::UnplacedMove(1)),
            KeyCode::Enter | KeyCode::Char('r') => Some(Msg::ReapplyUnplaced),
            KeyCode::Char('d') => Some(Msg::DropUnplaced),
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('p') => Some(Msg::ClosePopup),
            _ => None,
        },
        // Every key but Enter and Esc types into the masked field (Ctrl-C quit above).
        Popup::Secret(_) => match key.code {
            KeyCode::Enter => Some(Msg::CommitInput),
            KeyCode::Esc => Some(Msg::CancelInput),
            _ => TextEdit::from_key(key).map(Msg::Text),
        },
        Popup::Resume(_) => match key.code {
            KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('r') => Some(Msg::Resume),
            KeyCode::Char('n') => Some(Msg::StartNew),
            KeyCode::Char('q') | KeyCode::Esc => Some(Msg::Quit),
            _ => None,
        },
    }
}

fn text_key(state: &State, key: KeyEvent) -> Option<Msg> {
    match key.code {
        KeyCode::Enter => Some(Msg::CommitInput),
        KeyCode::Esc => Some(Msg::CancelInput),
        KeyCode::Tab if state.step == Step::Import => Some(Msg::Complete),
        KeyCode::Down if state.step == Step::Import => Some(Msg::FocusNext),
        KeyCode::Up | KeyCode::BackTab if state.step == Step::Import => Some(Msg::FocusPrev),
        KeyCode::Up if state.step == Step::MatchReview => Some(Msg::MatchCandidate(-1)),
        KeyCode::Down if state.step == Step::MatchReview => Some(Msg::MatchCandidate(1)),
        _ => TextEdit::from_key(key).map(Msg::Text),
    }
}

fn import_key(state: &State, key: KeyEvent) -> Option<Msg> {
    use super::state::ImportSource;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // The pull source has no path or files: Enter signs in, ←→ still change the source.
    if state.import.source == ImportSource::Pull {
        return match key.code {
            KeyCode::Enter => Some(Msg::StartPull { device: false }),
            KeyCode::Char('d') if !ctrl => Some(Msg::StartPull { device: true }),
            KeyCode::Left | KeyCode::Char('h') => Some(Msg::CycleSource(-1)),
            KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => Some(Msg::CycleSource(1)),
            _ => None,
        };
    }
    match (state.import.focus, key.code) {
        (ImportFocus::Source, KeyCode::Left | KeyCode::Char('h')) => Some(Msg::CycleSource(-1)),
        (ImportFocus::Source, KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ')) => {
            Some(Msg::CycleSource(1))
        }
        (ImportFocus::Source, KeyCode::Enter | KeyCode::Down | KeyCode::Char('j')) => {
            Some(Msg::FocusNext)
        }
        (_, KeyCode::Tab) => Some(Msg::FocusNext),
        (_, KeyCode::BackTab) => Some(Msg::FocusPrev),
        (ImportFocus::Files, KeyCode::Up | KeyCode::Char('k')) => {
            if state.import.file_cursor == 0 {
                Some(Msg::FocusPrev)
            } else {
                Some(Msg::MoveFile(-1))
            }
        }
        (ImportFocus::Files, KeyCode::Down | KeyCode::Char('j')) => Some(Msg::MoveFile(1)),
        (ImportFocus::Files, KeyCode::Enter) => Some(Msg::PickFile),
        (ImportFocus::Settings, KeyCode::Up | KeyCode::Char('k')) => Some(Msg::MoveSetting(-1)),
        (ImportFocus::Settings, KeyCode::Down | KeyCode::Char('j')) => Some(Msg::MoveSetting(1)),
        (ImportFocus::Settings, KeyCode::Left | KeyCode::Char('h')) => Some(Msg::CycleSetting(-1)),
        (ImportFocus::Settings, KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ')) => {
            Some(Msg::CycleSetting(1))
        }
        (ImportFocus::Settings, KeyCode::Enter) => Some(Msg::StartLoad),
        (_, KeyCode::Esc) => Some(Msg::FocusPrev),
        _ => None,
    }
}

/// While loading, the first screens can already be browsed.
fn fix_key_while_loading(state: &State, key: KeyEvent) -> Option<Msg> {
    if state.step != Step::Fix {
        return None;
    }
    match fix_key(key)? {
        m @ (Msg::Move(_)
        | Msg::MoveCol(_)
        | Msg::Page(_)
        | Msg::Top
        | Msg::GoToFirst
        | Msg::Bottom
        | Msg::ShowHelp) => Some(m),
        Msg::Quit => Some(Msg::Quit),
        _ => None,
    }
}

fn fix_key(key: KeyEvent) -> Option<Msg> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('r') if ctrl => Msg::Redo,
        KeyCode::Char('d') if ctrl => Msg::Page(1),
        KeyCode::Char('u') if ctrl => Msg::Page(-1),
        KeyCode::Up | KeyCode::Char('k') => Msg::Move(-1),
        KeyCode::Down | KeyCode::Char('j') => Msg::Move(1),
        KeyCode::Left | KeyCode::Char('h') => Msg::MoveCol(-1),
        KeyCode::Right | KeyCode::Char('l') => Msg::MoveCol(1),
        KeyCode::PageUp => Msg::Page(-1),
        KeyCode::PageDown => Msg::Page(1),
        KeyCode::Home => Msg::Top,
        KeyCode::Char('g') => Msg::GoToFirst,
        KeyCode::End | KeyCode::Char('G') => Msg::Bottom,
        KeyCode::Char('n') => Msg::NextProblem { forward: true },
        KeyCode::Char('N') => Msg::NextProblem { forward: false },
        KeyCode::Char('a') => Msg::SetFilter(Filter::All),
        KeyCode::Char('e') => Msg::SetFilter(Filter::Errors),
        KeyCode::Char('w') => Msg::SetFilter(Filter::Warnings),
        KeyCode::Char('c') => Msg::CycleCodeFilter,
        KeyCode::Char('/') => Msg::StartSearch,
        KeyCode::Enter => Msg::StartEdit,
        KeyCode::Char('f') => Msg::ApplyFix,
        KeyCode::Char('F') => Msg::AskBulkFix,
        KeyCode::Char('x') => Msg::ToggleExclude,
        KeyCode::Char('u') => Msg::Undo,
        KeyCode::Char('p') => Msg::ShowUnplaced,
        KeyCode::Char('v') => Msg::Verify,
        KeyCode::Char('q') => Msg::Quit,
        KeyCode::Char('?') => Msg::ShowHelp,
        _ => return None,
    })
}

/// Customize and Exchange access: undo/redo and copy here, everything else to the component.
fn choices_key(state: &State, key: KeyEvent) -> Option<Msg> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('u') if !ctrl => Msg::Undo,
        KeyCode::Char('r') if ctrl => Msg::Redo,
        KeyCode::Char('c') if state.step == Step::ExchangeAccess => Msg::CopyCommand,
        KeyCode::Char(super::exchange_check::KEY) if state.step == Step::ExchangeAccess => {
            Msg::StartExchangeCheck
        }
        KeyCode::Char(super::secret_field::KEY) if state.step == Step::ExchangeAccess => {
            Msg::EnterSecret
        }
        KeyCode::Esc => Msg::PrevStep,
        _ => Msg::StepKey(key),
    })
}

/// Match review: sections, people, candidates, choices (the search's keys are `text_key`'s).
fn match_key(key: KeyEvent) -> Option<Msg> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('r') if ctrl => Msg::Redo,
        KeyCode::Tab => Msg::MatchTab(1),
        KeyCode::BackTab => Msg::MatchTab(-1),
        KeyCode::Up | KeyCode::Char('k') => Msg::MatchMove(-1),
        KeyCode::Down | KeyCode::Char('j') => Msg::MatchMove(1),
        KeyCode::PageUp => Msg::MatchMove(-10),
        KeyCode::PageDown => Msg::MatchMove(10),
        KeyCode::Left | KeyCode::Char('h') => Msg::MatchCandidate(-1),
        KeyCode::Right | KeyCode::Char('l') => Msg::MatchCandidate(1),
        KeyCode::Enter => Msg::MatchChoose,
        KeyCode::Char('x') => Msg::MatchLeaveOut,
        KeyCode::Char('/') => Msg::MatchSearch,
        KeyCode::Char('u') => Msg::Undo,
        KeyCode::Esc => Msg::PrevStep,
        _ => return None,
    })
}

fn review_key(key: KeyEvent) -> Option<Msg> {
    match key.code {
        KeyCode::Char('o') => Some(Msg::EditOutputDir),
        KeyCode::Enter | KeyCode::Char('E') => Some(Msg::Export),
        KeyCode::Char('j') => Some(Msg::JumpToErrors),
        KeyCode::Char('x') => Some(Msg::AskExcludeErrors),
        KeyCode::Char(c @ '1'..='9') => Some(Msg::JumpToItem(c as usize - '1' as usize)),
        KeyCode::Esc => Some(Msg::PrevStep),
        _ => None,
    }
}

/// Mouse events (only delivered with `--mouse`): wheel scrolls, a click selects a cell.
pub fn handle_mouse(state: &State, ev: MouseEvent) -> Option<Msg> {
    if state.step != Step::Fix || state.popup.is_some() || state.typing() {
        return None;
    }
    match ev.kind {
        MouseEventKind::ScrollDown => Some(Msg::Move(3)),
        MouseEventKind::ScrollUp => Some(Msg::Move(-3)),
        MouseEventKind::Down(_) => {
            let area = Rect::new(0, 0, state.size.0, state.size.1);
            let (table, _) = layout::fix(layout::frame(area).body);
            let top = table.y + layout::TABLE_CHROME;
            if ev.row < top || ev.row >= table.bottom() {
                return None;
            }
            let col = super::widgets::roster_table::column_at(table, state, ev.column);
            Some(Msg::ClickCell {
                row: (ev.row - top) as usize,
                col,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn altgr_as_ctrl_alt_is_the_character_and_ctrl_keys_stay_ctrl() {
        let altgr = KeyModifiers::CONTROL | KeyModifiers::ALT;
        for c in ['@', '{', '\\', '€', 'q'] {
            let k = normalize(KeyEvent::new(KeyCode::Char(c), altgr));
            assert_eq!(
                (k.code, k.modifiers),
                (KeyCode::Char(c), KeyModifiers::NONE)
            );
        }
        // Shift survives (AltGr+Shift on some layouts).
        let k = normalize(KeyEvent::new(
            KeyCode::Char('Q'),
            altgr | KeyModifiers::SHIFT,
        ));
        assert_eq!(k.modifiers, KeyModifiers::SHIFT);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(normalize(ctrl_c), ctrl_c);
        let alt_x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT);
        assert_eq!(normalize(alt_x), alt_x);
        let ctrl_alt_left = KeyEvent::new(KeyCode::Left, altgr);
        assert_eq!(normalize(ctrl_alt_left), ctrl_alt_left);
    }
}
