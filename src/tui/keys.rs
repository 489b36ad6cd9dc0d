//! Keys and mouse to messages. Pure: looks at the state, changes nothing.

use super::keymap::{self, always, ch, code, ctrl, hint, Hint, Key, Row, Scope};
use super::layout;
use super::msg::{
    ExchangeCheckMsg, FixMsg, ImportMsg, MatchMsg, Msg, PopupMsg, ReviewMsg, SecretMsg,
    UnplacedMsg, VerifyMsg,
};
use super::setting_form::FormMsg;
use super::state::{Filter, ImportFocus, Popup, State};
use super::widgets::text_input::TextEdit;
use crate::session::Step;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
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
    if !keymap::counts(&key) {
        return None;
    }
    let key = normalize(key);
    if keymap::ctrl('c').matches(&key) {
        return Some(Msg::Quit);
    }
    if let Some(popup) = &state.popup {
        let msg = popup_scope(popup).lookup(&key);
        // Every other key types into the masked field.
        return match popup {
            Popup::Secret(_) => msg.or_else(|| TextEdit::from_key(key).map(Msg::Text)),
            _ => msg,
        };
    }
    if state.load.is_some() {
        // While loading, the first screens of Fix can already be browsed.
        return LOADING.lookup(&key).filter(|m| {
            matches!(m, Msg::Import(ImportMsg::CancelLoad)) || state.step == Step::Fix
        });
    }
    if matches!(state.step, Step::Customize | Step::ExchangeAccess) && state.typing() {
        return FormMsg::typed(key).map(Msg::Form);
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
    if let Some(msg) = EVERYWHERE.lookup(&key) {
        return Some(msg);
    }
    step_scope(state).and_then(|s| s.lookup(&key))
}

fn text_key(state: &State, key: KeyEvent) -> Option<Msg> {
    match key.code {
        KeyCode::Enter => Some(Msg::CommitInput),
        KeyCode::Esc => Some(Msg::CancelInput),
        KeyCode::Tab if state.step == Step::Import => Some(Msg::Import(ImportMsg::Complete)),
        KeyCode::Down if state.step == Step::Import => Some(Msg::Import(ImportMsg::FocusNext)),
        KeyCode::Up | KeyCode::BackTab if state.step == Step::Import => {
            Some(Msg::Import(ImportMsg::FocusPrev))
        }
        KeyCode::Up if state.step == Step::MatchReview => Some(Msg::Match(MatchMsg::Candidate(-1))),
        KeyCode::Down if state.step == Step::MatchReview => {
            Some(Msg::Match(MatchMsg::Candidate(1)))
        }
        _ => TextEdit::from_key(key).map(Msg::Text),
    }
}

/// The form message `key` stands for in a form's scope (the rows that send `Msg::Form`), so
/// the form components' test drivers read the same table as the wizard.
#[cfg(any(test, feature = "testing"))]
pub(super) fn form_msg(scope: &WizardScope, key: &KeyEvent) -> Option<FormMsg> {
    if !keymap::counts(key) {
        return None;
    }
    match scope.lookup(key)? {
        Msg::Form(m) => Some(m),
        _ => None,
    }
}

/// A form's key as a form message: typing while a value is edited, else the form's scope.
#[cfg(any(test, feature = "testing"))]
pub(super) fn form_key(scope: &WizardScope, editing: bool, key: KeyEvent) -> Option<FormMsg> {
    if editing {
        FormMsg::typed(key)
    } else {
        form_msg(scope, &key)
    }
}

/// Mouse events (only delivered with `--mouse`): wheel scrolls, a click selects a cell.
pub fn handle_mouse(state: &State, ev: MouseEvent) -> Option<Msg> {
    if state.step != Step::Fix || state.popup.is_some() || state.typing() {
        return None;
    }
    match ev.kind {
        MouseEventKind::ScrollDown => Some(Msg::Fix(FixMsg::Move(3))),
        MouseEventKind::ScrollUp => Some(Msg::Fix(FixMsg::Move(-3))),
        MouseEventKind::Down(_) => {
            let area = Rect::new(0, 0, state.size.0, state.size.1);
            let (table, _) = layout::fix(layout::frame(area).body);
            let top = table.y + layout::TABLE_CHROME;
            if ev.row < top || ev.row >= table.bottom() {
                return None;
            }
            let col = super::widgets::roster_table::column_at(table, state, ev.column);
            Some(Msg::Fix(FixMsg::ClickCell {
                row: (ev.row - top) as usize,
                col,
            }))
        }
        _ => None,
    }
}

/// A wizard scope: its messages, shown from the wizard's state.
pub(super) type WizardScope = Scope<Msg, State>;

/// The scope a popup's keys are in.
pub(super) fn popup_scope(popup: &Popup) -> &'static WizardScope {
    match popup {
        Popup::Help => &HELP_POPUP,
        Popup::ConfirmBulk { .. } => &CONFIRM_BULK,
        Popup::ConfirmExclude { .. } => &CONFIRM_EXCLUDE,
        Popup::ConfirmWarnings { .. } => &CONFIRM_WARNINGS,
        Popup::ConfirmReplace { .. } => &CONFIRM_REPLACE,
        Popup::Unplaced { .. } => &UNPLACED,
        Popup::Resume(_) => &RESUME,
        Popup::Secret(_) => &SECRET,
    }
}

/// The step's scope outside text fields (on Import, the focus's; the path field types).
pub(super) fn step_scope(state: &State) -> Option<&'static WizardScope> {
    Some(match state.step {
        Step::MatchReview => &MATCH,
        Step::Fix => &FIX,
        Step::ReviewExport => &REVIEW,
        Step::Authorize => &AUTHORIZE,
        Step::Customize => &CUSTOMIZE,
        Step::ExchangeAccess => &EXCHANGE,
        Step::Import => return import_scope(state),
    })
}

/// Import's scope: the pull source's, or the focused area's (the path field has none: it
/// types, `text_key`).
fn import_scope(state: &State) -> Option<&'static WizardScope> {
    use super::state::ImportSource;
    if state.import.source == ImportSource::Pull {
        return Some(&IMPORT_PULL);
    }
    Some(match state.import.focus {
        ImportFocus::Source => &IMPORT_SOURCE,
        ImportFocus::Path => return None,
        ImportFocus::Files => &IMPORT_FILES,
        ImportFocus::Settings => &IMPORT_SETTINGS,
    })
}

fn has_unplaced(s: &State) -> bool {
    s.session.as_ref().is_some_and(|s| !s.unplaced.is_empty())
}

fn no_unplaced(s: &State) -> bool {
    !has_unplaced(s)
}

fn roster_errors(s: &State) -> bool {
    s.roster.has_errors()
}

fn any_errors(s: &State) -> bool {
    s.roster.has_errors() || !s.choice_errors().is_empty()
}

/// Keys outside text fields on every step (checked before the step's own).
pub(super) static EVERYWHERE: WizardScope = Scope {
    group: "Everywhere",
    rows: &[
        Row {
            keys: &[(ch('>'), Msg::NextStep), (ch('<'), Msg::PrevStep)],
            hint: None,
            help: Some(("> <", "next / previous step")),
            shown: always,
        },
        Row {
            keys: &[(ch('?'), Msg::ShowHelp)],
            hint: None,
            help: Some(("?", "this help")),
            shown: always,
        },
        Row {
            keys: &[(ch('q'), Msg::Quit), (ctrl('c'), Msg::Quit)],
            hint: None,
            help: Some(("q Ctrl-C", "quit (session is saved)")),
            shown: always,
        },
    ],
};

/// Enter/y and Esc/n/q of a yes/no window, with its verb.
macro_rules! confirm_scope {
    ($name:ident, $verb:literal) => {
        #[doc = concat!("A yes/no window whose Enter means \"", $verb, "\".")]
        pub(super) static $name: WizardScope = Scope {
            group: "Confirm",
            rows: &[
                Row {
                    keys: &[
                        (code(KeyCode::Enter), Msg::Popup(PopupMsg::Confirm)),
                        (ch('y'), Msg::Popup(PopupMsg::Confirm)),
                    ],
                    hint: hint(0, "Enter/y", $verb),
                    help: None,
                    shown: always,
                },
                Row {
                    keys: &[
                        (code(KeyCode::Esc), Msg::Popup(PopupMsg::Close)),
                        (ch('n'), Msg::Popup(PopupMsg::Close)),
                        (ch('q'), Msg::Popup(PopupMsg::Close)),
                    ],
                    hint: hint(1, "Esc/n", "cancel"),
                    help: None,
                    shown: always,
                },
            ],
        };
    };
}

confirm_scope!(CONFIRM_BULK, "apply");
confirm_scope!(CONFIRM_EXCLUDE, "exclude");
confirm_scope!(CONFIRM_WARNINGS, "export anyway");
confirm_scope!(CONFIRM_REPLACE, "replace");

/// The help popup.
pub(super) static HELP_POPUP: WizardScope = Scope {
    group: "Help",
    rows: &[Row {
        keys: &[
            (code(KeyCode::Esc), Msg::Popup(PopupMsg::Close)),
            (ch('?'), Msg::Popup(PopupMsg::Close)),
            (ch('q'), Msg::Popup(PopupMsg::Close)),
            (code(KeyCode::Enter), Msg::Popup(PopupMsg::Close)),
        ],
        hint: hint(0, "Esc", "close help"),
        help: None,
        shown: always,
    }],
};

/// The resume prompt.
pub(super) static RESUME: WizardScope = Scope {
    group: "Resume",
    rows: &[
        Row {
            keys: &[
                (code(KeyCode::Enter), Msg::Import(ImportMsg::Resume)),
                (ch('y'), Msg::Import(ImportMsg::Resume)),
                (ch('r'), Msg::Import(ImportMsg::Resume)),
            ],
            hint: hint(0, "Enter", "resume"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('n'), Msg::Import(ImportMsg::StartNew))],
            hint: hint(1, "n", "start new"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('q'), Msg::Quit), (code(KeyCode::Esc), Msg::Quit)],
            hint: hint(2, "q", "quit"),
            help: None,
            shown: always,
        },
    ],
};

/// The unplaced changes' list.
pub(super) static UNPLACED: WizardScope = Scope {
    group: "Unplaced changes",
    rows: &[
        Row {
            keys: &[
                (code(KeyCode::Up), Msg::Unplaced(UnplacedMsg::Move(-1))),
                (ch('k'), Msg::Unplaced(UnplacedMsg::Move(-1))),
                (code(KeyCode::Down), Msg::Unplaced(UnplacedMsg::Move(1))),
                (ch('j'), Msg::Unplaced(UnplacedMsg::Move(1))),
            ],
            hint: hint(0, "↑↓", "choose"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[
                (code(KeyCode::Enter), Msg::Unplaced(UnplacedMsg::Reapply)),
                (ch('r'), Msg::Unplaced(UnplacedMsg::Reapply)),
            ],
            hint: hint(1, "Enter/r", "re-apply to selected row"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('d'), Msg::Unplaced(UnplacedMsg::Drop))],
            hint: hint(2, "d", "drop"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[
                (code(KeyCode::Esc), Msg::Popup(PopupMsg::Close)),
                (ch('q'), Msg::Popup(PopupMsg::Close)),
                (ch('p'), Msg::Popup(PopupMsg::Close)),
            ],
            hint: hint(3, "Esc", "close"),
            help: None,
            shown: always,
        },
    ],
};

/// The masked secret field (every other key types).
pub(super) static SECRET: WizardScope = Scope {
    group: "Secret",
    rows: &[
        Row {
            keys: &[(code(KeyCode::Enter), Msg::CommitInput)],
            hint: hint(0, "Enter", "store in keyring"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(code(KeyCode::Esc), Msg::CancelInput)],
            hint: hint(1, "Esc", "cancel"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ctrl('u'), Msg::Text(TextEdit::ClearToStart))],
            hint: hint(2, "Ctrl-u", "clear"),
            help: None,
            shown: always,
        },
    ],
};

/// Moving in the Fix table (also while loading).
const FIX_MOVES: &[(Key, Msg)] = &[
    (code(KeyCode::Up), Msg::Fix(FixMsg::Move(-1))),
    (ch('k'), Msg::Fix(FixMsg::Move(-1))),
    (code(KeyCode::Down), Msg::Fix(FixMsg::Move(1))),
    (ch('j'), Msg::Fix(FixMsg::Move(1))),
    (code(KeyCode::Left), Msg::Fix(FixMsg::MoveCol(-1))),
    (ch('h'), Msg::Fix(FixMsg::MoveCol(-1))),
    (code(KeyCode::Right), Msg::Fix(FixMsg::MoveCol(1))),
    (ch('l'), Msg::Fix(FixMsg::MoveCol(1))),
];
const FIX_PAGES: &[(Key, Msg)] = &[
    (code(KeyCode::PageUp), Msg::Fix(FixMsg::Page(-1))),
    (code(KeyCode::PageDown), Msg::Fix(FixMsg::Page(1))),
    (ctrl('u'), Msg::Fix(FixMsg::Page(-1))),
    (ctrl('d'), Msg::Fix(FixMsg::Page(1))),
];
const FIX_ENDS: &[(Key, Msg)] = &[
    (code(KeyCode::Home), Msg::Fix(FixMsg::Top)),
    (code(KeyCode::End), Msg::Fix(FixMsg::Bottom)),
    (ch('g'), Msg::Fix(FixMsg::GoToFirst)),
    (ch('G'), Msg::Fix(FixMsg::Bottom)),
];

/// While a roster loads: cancel, or browse the rows read so far (on Fix).
pub(super) static LOADING: WizardScope = Scope {
    group: "Loading",
    rows: &[
        Row {
            keys: &[(code(KeyCode::Esc), Msg::Import(ImportMsg::CancelLoad))],
            hint: hint(0, "Esc", "cancel loading"),
            help: None,
            shown: always,
        },
        Row {
            keys: FIX_MOVES,
            hint: hint(1, "↑↓", "browse"),
            help: None,
            shown: always,
        },
        Row {
            keys: FIX_PAGES,
            hint: None,
            help: Some(("PgUp PgDn", "page (Ctrl-u Ctrl-d)")),
            shown: always,
        },
        Row {
            keys: FIX_ENDS,
            hint: None,
            help: Some(("Home End", "first / last row (g G)")),
            shown: always,
        },
        Row {
            keys: &[(ch('?'), Msg::ShowHelp)],
            hint: None,
            help: Some(("?", "this help")),
            shown: always,
        },
        Row {
            keys: &[(ctrl('c'), Msg::Quit), (ch('q'), Msg::Quit)],
            hint: hint(2, "Ctrl-C", "quit"),
            help: None,
            shown: always,
        },
    ],
};

/// The Fix step.
pub(super) static FIX: WizardScope = Scope {
    group: "Fix",
    rows: &[
        Row {
            keys: FIX_MOVES,
            hint: None,
            help: Some(("↑↓←→ hjkl", "move")),
            shown: always,
        },
        Row {
            keys: FIX_PAGES,
            hint: None,
            help: Some(("PgUp PgDn", "page (Ctrl-u Ctrl-d)")),
            shown: always,
        },
        Row {
            keys: FIX_ENDS,
            hint: None,
            help: Some(("Home End", "first / last row (g G)")),
            shown: always,
        },
        Row {
            keys: &[
                (ch('n'), Msg::Fix(FixMsg::NextProblem { forward: true })),
                (ch('N'), Msg::Fix(FixMsg::NextProblem { forward: false })),
            ],
            hint: hint(2, "n/N", "problem"),
            help: Some(("n N", "next / previous problem")),
            shown: no_unplaced,
        },
        Row {
            keys: &[
                (ch('a'), Msg::Fix(FixMsg::SetFilter(Filter::All))),
                (ch('e'), Msg::Fix(FixMsg::SetFilter(Filter::Errors))),
                (ch('w'), Msg::Fix(FixMsg::SetFilter(Filter::Warnings))),
                (ch('c'), Msg::Fix(FixMsg::CycleCodeFilter)),
            ],
            hint: None,
            help: Some(("a e w c", "all/errors/warnings/code")),
            shown: always,
        },
        Row {
            keys: &[(ch('/'), Msg::Fix(FixMsg::StartSearch))],
            hint: hint(6, "/", "search"),
            help: Some(("/", "search any text")),
            shown: always,
        },
        Row {
            keys: &[(code(KeyCode::Enter), Msg::Fix(FixMsg::StartEdit))],
            hint: hint(1, "Enter", "edit"),
            help: Some(("Enter", "edit cell (Esc cancels)")),
            shown: always,
        },
        Row {
            keys: &[
                (ch('f'), Msg::Fix(FixMsg::ApplyFix)),
                (ch('F'), Msg::Fix(FixMsg::AskBulkFix)),
            ],
            hint: hint(3, "f/F", "fix"),
            help: Some(("f F", "fix the row / every row")),
            shown: always,
        },
        Row {
            keys: &[(ch('x'), Msg::Fix(FixMsg::ToggleExclude))],
            hint: hint(4, "x", "exclude"),
            help: Some(("x", "exclude / re-include row")),
            shown: always,
        },
        Row {
            keys: &[(ch('v'), Msg::Verify(VerifyMsg::Start))],
            hint: None,
            help: Some(("v", "verify against directories")),
            shown: always,
        },
        Row {
            keys: &[(ch('p'), Msg::Unplaced(UnplacedMsg::Show))],
            hint: hint(0, "p", "unplaced changes"),
            help: Some(("p", "unplaced changes (resume)")),
            shown: has_unplaced,
        },
        Row {
            keys: &[
                (ch('u'), Msg::Fix(FixMsg::Undo)),
                (ctrl('r'), Msg::Fix(FixMsg::Redo)),
            ],
            hint: hint(5, "u", "undo"),
            help: Some(("u Ctrl-r", "undo / redo")),
            shown: always,
        },
        Row {
            keys: &[(ch('>'), Msg::NextStep)],
            hint: hint(7, ">", "next"),
            help: None,
            shown: no_unplaced,
        },
        Row {
            keys: &[(ch('?'), Msg::ShowHelp)],
            hint: hint(8, "?", "help"),
            help: None,
            shown: always,
        },
    ],
};

/// Review & export.
pub(super) static REVIEW: WizardScope = Scope {
    group: "Review & export",
    rows: &[
        Row {
            keys: &[
                (code(KeyCode::Enter), Msg::Review(ReviewMsg::Export)),
                (ch('E'), Msg::Review(ReviewMsg::Export)),
            ],
            hint: hint(0, "Enter", "export bundle"),
            help: Some(("Enter", "write the whole bundle")),
            shown: always,
        },
        Row {
            keys: &[(ch('o'), Msg::Review(ReviewMsg::EditOutputDir))],
            hint: hint(1, "o", "output folder"),
            help: Some(("o", "change output folder")),
            shown: always,
        },
        Row {
            keys: &[
                (ch('j'), Msg::Review(ReviewMsg::JumpToErrors)),
                (ch('1'), Msg::Review(ReviewMsg::JumpToItem(0))),
                (ch('2'), Msg::Review(ReviewMsg::JumpToItem(1))),
                (ch('3'), Msg::Review(ReviewMsg::JumpToItem(2))),
                (ch('4'), Msg::Review(ReviewMsg::JumpToItem(3))),
                (ch('5'), Msg::Review(ReviewMsg::JumpToItem(4))),
                (ch('6'), Msg::Review(ReviewMsg::JumpToItem(5))),
                (ch('7'), Msg::Review(ReviewMsg::JumpToItem(6))),
                (ch('8'), Msg::Review(ReviewMsg::JumpToItem(7))),
                (ch('9'), Msg::Review(ReviewMsg::JumpToItem(8))),
            ],
            hint: hint(2, "j", "to errors"),
            help: Some(("j 1-9", "go to what blocks export")),
            shown: any_errors,
        },
        Row {
            keys: &[(ch('x'), Msg::Review(ReviewMsg::AskExcludeErrors))],
            hint: hint(3, "x", "leave them out"),
            help: Some(("x", "leave out rows with errors")),
            shown: roster_errors,
        },
        Row {
            keys: &[
                (ch('<'), Msg::PrevStep),
                (code(KeyCode::Esc), Msg::PrevStep),
            ],
            hint: hint(4, "<", "back"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('>'), Msg::NextStep)],
            hint: hint(5, ">", "next"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('?'), Msg::ShowHelp)],
            hint: hint(6, "?", "help"),
            help: None,
            shown: always,
        },
    ],
};

/// The Authorize step (it shows the plan and what each user authorizes; nothing runs here).
pub(super) static AUTHORIZE: WizardScope = Scope {
    group: "Authorize",
    rows: &[
        Row {
            keys: &[
                (ch('<'), Msg::PrevStep),
                (code(KeyCode::Esc), Msg::PrevStep),
            ],
            hint: hint(0, "<", "back"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('?'), Msg::ShowHelp)],
            hint: hint(1, "?", "help"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('q'), Msg::Quit)],
            hint: hint(2, "q", "quit"),
            help: None,
            shown: always,
        },
    ],
};

/// Match review: sections, people, candidates, choices (the search's keys are `text_key`'s).
pub(super) static MATCH: WizardScope = Scope {
    group: "Match review",
    rows: &[
        Row {
            keys: &[
                (code(KeyCode::Tab), Msg::Match(MatchMsg::Tab(1))),
                (code(KeyCode::BackTab), Msg::Match(MatchMsg::Tab(-1))),
            ],
            hint: hint(0, "Tab", "section"),
            help: Some(("Tab Shift-Tab", "matched / ambiguous / only in Salesforce")),
            shown: always,
        },
        Row {
            keys: &[
                (code(KeyCode::Up), Msg::Match(MatchMsg::Move(-1))),
                (ch('k'), Msg::Match(MatchMsg::Move(-1))),
                (code(KeyCode::Down), Msg::Match(MatchMsg::Move(1))),
                (ch('j'), Msg::Match(MatchMsg::Move(1))),
                (code(KeyCode::PageUp), Msg::Match(MatchMsg::Move(-10))),
                (code(KeyCode::PageDown), Msg::Match(MatchMsg::Move(10))),
            ],
            hint: hint(1, "↑↓", "person"),
            help: Some(("↑↓ jk PgUp/Dn", "choose a person")),
            shown: always,
        },
        Row {
            keys: &[
                (code(KeyCode::Left), Msg::Match(MatchMsg::Candidate(-1))),
                (ch('h'), Msg::Match(MatchMsg::Candidate(-1))),
                (code(KeyCode::Right), Msg::Match(MatchMsg::Candidate(1))),
                (ch('l'), Msg::Match(MatchMsg::Candidate(1))),
            ],
            hint: hint(2, "←→", "candidate"),
            help: Some(("←→ h l", "highlight a candidate (ambiguous)")),
            shown: always,
        },
        Row {
            keys: &[(code(KeyCode::Enter), Msg::Match(MatchMsg::Choose))],
            hint: hint(3, "Enter", "choose"),
            help: Some(("Enter", "choose it, or search an account")),
            shown: always,
        },
        Row {
            keys: &[(ch('/'), Msg::Match(MatchMsg::Search))],
            hint: hint(4, "/", "search"),
            help: Some(("/", "search accounts by name, UPN, mail")),
            shown: always,
        },
        // The search field's own keys (`text_key`), explained where the search is.
        Row {
            keys: &[],
            hint: None,
            help: Some(("↑↓ Enter Esc", "in the search: result / pick / cancel")),
            shown: always,
        },
        Row {
            keys: &[(ch('x'), Msg::Match(MatchMsg::LeaveOut))],
            hint: hint(5, "x", "leave out"),
            help: Some(("x", "leave out / take that back")),
            shown: always,
        },
        Row {
            keys: &[
                (ch('u'), Msg::Fix(FixMsg::Undo)),
                (ctrl('r'), Msg::Fix(FixMsg::Redo)),
            ],
            hint: hint(6, "u", "undo"),
            help: Some(("u Ctrl-r", "undo / redo")),
            shown: always,
        },
        Row {
            keys: &[(code(KeyCode::Esc), Msg::PrevStep)],
            hint: None,
            help: Some(("Esc", "back to Import")),
            shown: always,
        },
        Row {
            keys: &[(ch('>'), Msg::NextStep)],
            hint: hint(7, ">", "to Fix"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('?'), Msg::ShowHelp)],
            hint: hint(8, "?", "help"),
            help: None,
            shown: always,
        },
    ],
};

/// Import: ←→ change the source.
const SOURCE_KEYS: &[(Key, Msg)] = &[
    (code(KeyCode::Left), Msg::Match(MatchMsg::CycleSource(-1))),
    (ch('h'), Msg::Match(MatchMsg::CycleSource(-1))),
    (code(KeyCode::Right), Msg::Match(MatchMsg::CycleSource(1))),
    (ch('l'), Msg::Match(MatchMsg::CycleSource(1))),
    (ch(' '), Msg::Match(MatchMsg::CycleSource(1))),
];
/// Import: Tab and Shift-Tab / Esc between the areas.
const AREA_KEYS: &[(Key, Msg)] = &[
    (code(KeyCode::Tab), Msg::Import(ImportMsg::FocusNext)),
    (code(KeyCode::BackTab), Msg::Import(ImportMsg::FocusPrev)),
    (code(KeyCode::Esc), Msg::Import(ImportMsg::FocusPrev)),
];
const IMPORT_CHANGE_HELP: Option<(&str, &str)> = Some(("←→ h l", "change source / setting"));
const IMPORT_CHOOSE_HELP: Option<(&str, &str)> = Some(("↑↓ j k", "choose a file / setting"));
const IMPORT_ENTER_HELP: Option<(&str, &str)> = Some(("Enter", "open file / load roster"));

/// Import's `?` and `q` (handled everywhere first), in a focus's hint bar at `at`.
const fn import_help_key(at: u8) -> Row<Msg, State> {
    Row {
        keys: &[],
        hint: hint(at, "?", "help"),
        help: None,
        shown: always,
    }
}
const fn import_quit_key(at: u8) -> Row<Msg, State> {
    Row {
        keys: &[],
        hint: hint(at, "q", "quit"),
        help: None,
        shown: always,
    }
}
/// Tab and Shift-Tab / Esc, with the hint at `at` (`None`: not in the bar).
const fn import_areas(hint: Option<Hint>) -> Row<Msg, State> {
    Row {
        keys: AREA_KEYS,
        hint,
        help: Some(("Tab Esc", "next area / back (Shift-Tab)")),
        shown: always,
    }
}

/// Import with the source line focused.
pub(super) static IMPORT_SOURCE: WizardScope = Scope {
    group: "Import",
    rows: &[
        Row {
            keys: SOURCE_KEYS,
            hint: hint(0, "←→", "source"),
            help: IMPORT_CHANGE_HELP,
            shown: always,
        },
        Row {
            keys: &[
                (code(KeyCode::Enter), Msg::Import(ImportMsg::FocusNext)),
                (code(KeyCode::Down), Msg::Import(ImportMsg::FocusNext)),
                (ch('j'), Msg::Import(ImportMsg::FocusNext)),
            ],
            hint: hint(1, "Enter", "next"),
            help: None,
            shown: always,
        },
        import_areas(None),
        import_help_key(2),
        import_quit_key(3),
        // The path field's own keys (`text_key`), explained where they are.
        Row {
            keys: &[],
            hint: None,
            help: Some(("Tab ↓", "path: complete / file list")),
            shown: always,
        },
    ],
};

/// Import with the file list focused.
pub(super) static IMPORT_FILES: WizardScope = Scope {
    group: "Import",
    rows: &[
        Row {
            keys: &[
                (code(KeyCode::Up), Msg::Import(ImportMsg::MoveFile(-1))),
                (ch('k'), Msg::Import(ImportMsg::MoveFile(-1))),
                (code(KeyCode::Down), Msg::Import(ImportMsg::MoveFile(1))),
                (ch('j'), Msg::Import(ImportMsg::MoveFile(1))),
            ],
            hint: hint(0, "↑↓", "choose"),
            help: IMPORT_CHOOSE_HELP,
            shown: always,
        },
        Row {
            keys: &[(code(KeyCode::Enter), Msg::Import(ImportMsg::PickFile))],
            hint: hint(1, "Enter", "open"),
            help: IMPORT_ENTER_HELP,
            shown: always,
        },
        import_areas(hint(2, "Tab", "next")),
        import_help_key(3),
        import_quit_key(4),
    ],
};

/// Import with the read settings focused.
pub(super) static IMPORT_SETTINGS: WizardScope = Scope {
    group: "Import",
    rows: &[
        Row {
            keys: &[
                (code(KeyCode::Up), Msg::Import(ImportMsg::MoveSetting(-1))),
                (ch('k'), Msg::Import(ImportMsg::MoveSetting(-1))),
                (code(KeyCode::Down), Msg::Import(ImportMsg::MoveSetting(1))),
                (ch('j'), Msg::Import(ImportMsg::MoveSetting(1))),
            ],
            hint: hint(0, "↑↓", "setting"),
            help: IMPORT_CHOOSE_HELP,
            shown: always,
        },
        Row {
            keys: &[
                (
                    code(KeyCode::Left),
                    Msg::Import(ImportMsg::CycleSetting(-1)),
                ),
                (ch('h'), Msg::Import(ImportMsg::CycleSetting(-1))),
                (
                    code(KeyCode::Right),
                    Msg::Import(ImportMsg::CycleSetting(1)),
                ),
                (ch('l'), Msg::Import(ImportMsg::CycleSetting(1))),
                (ch(' '), Msg::Import(ImportMsg::CycleSetting(1))),
            ],
            hint: hint(1, "←→", "change"),
            help: IMPORT_CHANGE_HELP,
            shown: always,
        },
        Row {
            keys: &[(code(KeyCode::Enter), Msg::Import(ImportMsg::StartLoad))],
            hint: hint(2, "Enter", "load roster"),
            help: IMPORT_ENTER_HELP,
            shown: always,
        },
        import_areas(hint(3, "Tab", "next")),
        import_help_key(4),
    ],
};

/// Import with the pull source chosen: no path or files; Enter signs in.
pub(super) static IMPORT_PULL: WizardScope = Scope {
    group: "Import",
    rows: &[
        Row {
            keys: &[(
                code(KeyCode::Enter),
                Msg::Match(MatchMsg::StartPull { device: false }),
            )],
            hint: hint(0, "Enter", "sign in"),
            help: Some(("Enter d", "pull: sign in / device code")),
            shown: always,
        },
        Row {
            keys: &[(ch('d'), Msg::Match(MatchMsg::StartPull { device: true }))],
            hint: hint(1, "d", "device code"),
            help: None,
            shown: always,
        },
        Row {
            keys: SOURCE_KEYS,
            hint: hint(2, "←→", "source"),
            help: IMPORT_CHANGE_HELP,
            shown: always,
        },
        import_help_key(3),
        import_quit_key(4),
    ],
};

/// A form's row (Customize, Exchange access): both scopes share these, with their own hints.
type FormRow = Row<Msg, State>;

const FORM_TAB_KEYS: &[(Key, Msg)] = &[(code(KeyCode::Tab), Msg::Form(FormMsg::Next))];
const FORM_CHANGE_KEYS: &[(Key, Msg)] = &[
    (ch(' '), Msg::Form(FormMsg::Space)),
    (code(KeyCode::Left), Msg::Form(FormMsg::Left)),
    (ch('h'), Msg::Form(FormMsg::Left)),
    (code(KeyCode::Right), Msg::Form(FormMsg::Right)),
    (ch('l'), Msg::Form(FormMsg::Right)),
];
const FORM_EDIT_KEYS: &[(Key, Msg)] = &[
    (code(KeyCode::Enter), Msg::Form(FormMsg::Enter)),
    (ch('e'), Msg::Form(FormMsg::Edit)),
];
const FORM_UNDO_KEYS: &[(Key, Msg)] = &[
    (ch('u'), Msg::Fix(FixMsg::Undo)),
    (ctrl('r'), Msg::Fix(FixMsg::Redo)),
];
const FORM_STEP_KEYS: &[(Key, Msg)] = &[
    (ch('<'), Msg::PrevStep),
    (code(KeyCode::Esc), Msg::PrevStep),
    (ch('>'), Msg::NextStep),
];
const FORM_MOVE: FormRow = Row {
    keys: &[
        (code(KeyCode::Up), Msg::Form(FormMsg::Up)),
        (ch('k'), Msg::Form(FormMsg::Up)),
        (code(KeyCode::Down), Msg::Form(FormMsg::Down)),
        (ch('j'), Msg::Form(FormMsg::Down)),
    ],
    hint: None,
    help: Some(("↑↓ j k", "move")),
    shown: always,
};
const FORM_PAGE: FormRow = Row {
    keys: &[
        (code(KeyCode::PageUp), Msg::Form(FormMsg::PageUp)),
        (code(KeyCode::PageDown), Msg::Form(FormMsg::PageDown)),
    ],
    hint: None,
    help: Some(("PgUp PgDn", "page")),
    shown: always,
};
const FORM_ENDS: FormRow = Row {
    keys: &[
        (code(KeyCode::Home), Msg::Form(FormMsg::Top)),
        (ch('g'), Msg::Form(FormMsg::Top)),
        (code(KeyCode::End), Msg::Form(FormMsg::Bottom)),
        (ch('G'), Msg::Form(FormMsg::Bottom)),
    ],
    hint: None,
    help: Some(("Home End", "first / last (g G)")),
    shown: always,
};
/// Tab, with the form's own hint word.
const fn form_tab(at: u8, what: &'static str) -> FormRow {
    Row {
        keys: FORM_TAB_KEYS,
        hint: hint(at, "Tab", what),
        help: Some(("Tab", "next group / checklist item")),
        shown: always,
    }
}
const FORM_BACK_TAB: FormRow = Row {
    keys: &[(code(KeyCode::BackTab), Msg::Form(FormMsg::Prev))],
    hint: None,
    help: Some(("Shift-Tab", "previous group / item")),
    shown: always,
};
/// Space and ←→, with the form's own hint word.
const fn form_change(at: u8, what: &'static str) -> FormRow {
    Row {
        keys: FORM_CHANGE_KEYS,
        hint: hint(at, "Space/←→", what),
        help: Some(("Space ←→", "change a setting (h l)")),
        shown: always,
    }
}
const FORM_TICK: FormRow = Row {
    keys: &[(ch('x'), Msg::Form(FormMsg::Tick))],
    hint: None,
    help: Some(("Space x", "tick a checklist item")),
    shown: always,
};
const fn form_edit(at: u8) -> FormRow {
    Row {
        keys: FORM_EDIT_KEYS,
        hint: hint(at, "Enter", "edit"),
        help: Some(("Enter e", "edit text (Esc cancels)")),
        shown: always,
    }
}
const fn form_undo(at: u8) -> FormRow {
    Row {
        keys: FORM_UNDO_KEYS,
        hint: hint(at, "u", "undo"),
        help: Some(("u Ctrl-r", "undo / redo")),
        shown: always,
    }
}
const fn form_steps(at: u8) -> FormRow {
    Row {
        keys: FORM_STEP_KEYS,
        hint: hint(at, "<>", "step"),
        help: None,
        shown: always,
    }
}

/// The Customize form outside a value being typed (typing is `FormMsg::typed`'s).
pub(super) static CUSTOMIZE: WizardScope = Scope {
    group: "Customize",
    rows: &[
        FORM_MOVE,
        FORM_PAGE,
        FORM_ENDS,
        form_tab(0, "group"),
        FORM_BACK_TAB,
        form_change(1, "change"),
        FORM_TICK,
        form_edit(2),
        Row {
            keys: &[(ch('d'), Msg::Form(FormMsg::Default))],
            hint: hint(3, "d", "default"),
            help: Some(("d s", "default / add suggested")),
            shown: always,
        },
        Row {
            keys: &[(ch('s'), Msg::Form(FormMsg::Suggest))],
            hint: hint(4, "s", "suggested"),
            help: None,
            shown: always,
        },
        form_undo(5),
        form_steps(6),
    ],
};

/// The Exchange access form outside a value being typed: the form's keys, and copy, check and
/// the secret field.
pub(super) static EXCHANGE: WizardScope = Scope {
    group: "Exchange access",
    rows: &[
        FORM_MOVE,
        FORM_PAGE,
        FORM_ENDS,
        form_change(0, "change · tick"),
        FORM_TICK,
        form_edit(1),
        form_tab(2, "checklist"),
        FORM_BACK_TAB,
        Row {
            keys: &[
                (ch('d'), Msg::Form(FormMsg::Default)),
                (ch('s'), Msg::Form(FormMsg::Suggest)),
            ],
            hint: None,
            help: Some(("d s", "default / add suggested")),
            shown: always,
        },
        Row {
            keys: &[(ch('c'), Msg::CopyCommand)],
            hint: hint(3, "c", "copy"),
            help: Some(("c v p", "copy · check · type secret")),
            shown: always,
        },
        Row {
            keys: &[(
                ch(super::exchange_check::KEY),
                Msg::ExchangeCheck(ExchangeCheckMsg::Start),
            )],
            hint: hint(4, "v", "check"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch(super::secret_field::KEY), Msg::Secret(SecretMsg::Enter))],
            hint: hint(5, "p", "secret"),
            help: None,
            shown: super::secret_field::offered,
        },
        form_undo(6),
        form_steps(7),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every wizard scope in the table: each row is shown (hint bar or help) and each key a
    /// hint or help line names is bound, in the scope or in the keys every step shares.
    #[test]
    fn every_bound_key_is_shown_and_every_shown_key_is_bound() {
        let steps: [(&WizardScope, &[&WizardScope]); 11] = [
            (&FIX, &[&EVERYWHERE]),
            (&IMPORT_SOURCE, &[&EVERYWHERE]),
            (&IMPORT_FILES, &[&EVERYWHERE]),
            (&IMPORT_SETTINGS, &[&EVERYWHERE]),
            (&IMPORT_PULL, &[&EVERYWHERE]),
            (&CUSTOMIZE, &[&EVERYWHERE]),
            (&EXCHANGE, &[&EVERYWHERE]),
            (&REVIEW, &[&EVERYWHERE]),
            (&MATCH, &[&EVERYWHERE]),
            (&AUTHORIZE, &[&EVERYWHERE]),
            (&EVERYWHERE, &[]),
        ];
        let popups: [&WizardScope; 10] = [
            &LOADING,
            &HELP_POPUP,
            &CONFIRM_BULK,
            &CONFIRM_EXCLUDE,
            &CONFIRM_WARNINGS,
            &CONFIRM_REPLACE,
            &RESUME,
            &UNPLACED,
            &SECRET,
            &EVERYWHERE,
        ];
        let mut problems = Vec::new();
        for (scope, also) in steps {
            problems.extend(keymap::check_scope(scope, also));
        }
        for scope in popups {
            problems.extend(keymap::check_scope(scope, &[]));
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// What the help popup lists for a step is what its scope binds: the popup reads the same
    /// rows, so a help line without a binding cannot come back.
    #[test]
    fn the_help_is_read_from_the_table() {
        let mut state = State::new("s.json".into(), crate::tui::theme::Theme::plain());
        state.step = Step::Fix;
        let groups = crate::tui::view::popup::help_groups(&state);
        let fix = groups.iter().find(|(g, _)| *g == "Fix").unwrap();
        assert_eq!(fix.1, FIX.help());
        assert!(
            fix.1.iter().any(|(k, _)| *k == "v"),
            "v verifies and is listed"
        );
    }

    /// The forms' keys come from their scopes: `c v p` on Exchange access only, Esc goes back,
    /// and a value being typed takes the letters.
    #[test]
    fn form_keys_are_the_tables() {
        let press = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let mut state = State::new("s.json".into(), crate::tui::theme::Theme::plain());
        state.step = Step::Customize;
        let key = |state: &State, k| handle_key(state, k);
        assert!(key(&state, press('c')).is_none());
        assert!(matches!(
            key(&state, press('j')),
            Some(Msg::Form(FormMsg::Down))
        ));
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert!(matches!(key(&state, esc), Some(Msg::PrevStep)));
        state.step = Step::ExchangeAccess;
        assert!(matches!(key(&state, press('c')), Some(Msg::CopyCommand)));
        assert!(matches!(
            key(&state, press('p')),
            Some(Msg::Secret(SecretMsg::Enter))
        ));
        let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert!(matches!(
            key(&state, back_tab),
            Some(Msg::Form(FormMsg::Prev))
        ));
        let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert!(key(&state, ctrl_j).is_none());
    }

    /// Import's keys come from the focus's scope; Up on the first file goes back to the path
    /// (the update decides that, the table sends the move).
    #[test]
    fn import_keys_are_the_focus_scopes() {
        use crate::tui::state::ImportSource;
        let press = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let named = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut state = State::new("s.json".into(), crate::tui::theme::Theme::plain());
        state.step = Step::Import;
        state.import.path.set("roster.csv");
        state.import.focus = ImportFocus::Source;
        assert!(matches!(
            handle_key(&state, press(' ')),
            Some(Msg::Match(MatchMsg::CycleSource(1)))
        ));
        assert!(matches!(
            handle_key(&state, press('j')),
            Some(Msg::Import(ImportMsg::FocusNext))
        ));
        state.import.focus = ImportFocus::Files;
        state.import.files = vec!["a.csv".into(), "b.csv".into()];
        let up = handle_key(&state, named(KeyCode::Up)).unwrap();
        assert!(matches!(up, Msg::Import(ImportMsg::MoveFile(-1))));
        crate::tui::update::update(&mut state, up);
        assert_eq!(state.import.focus, ImportFocus::Path);
        state.import.focus = ImportFocus::Settings;
        assert!(matches!(
            handle_key(&state, named(KeyCode::Enter)),
            Some(Msg::Import(ImportMsg::StartLoad))
        ));
        assert!(handle_key(&state, press('d')).is_none());
        state.import.source = ImportSource::Pull;
        assert!(matches!(
            handle_key(&state, press('d')),
            Some(Msg::Match(MatchMsg::StartPull { device: true }))
        ));
        assert!(handle_key(&state, named(KeyCode::Tab)).is_none());
    }

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
