//! The Fix step: moving, filtering, editing, fixing, excluding, undo and redo.

use crate::roster::{Code, Field, Finding, Roster};
use crate::session::{Anchor, CellEdit, Op};
use crate::tui::layout;
use crate::tui::msg::{Effect, FixMsg, Msg};
use crate::tui::state::{Filter, Popup, State, Status};
use crate::tui::widgets::text_input::TextInput;

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    let len = state.shown_len();
    match msg {
        Msg::Fix(FixMsg::Move(d)) => select(state, state.fix.selected as isize + d),
        Msg::Fix(FixMsg::MoveCol(d)) => {
            state.fix.col = (state.fix.col as isize + d).clamp(0, 4) as usize
        }
        Msg::Fix(FixMsg::Page(d)) => {
            let page = layout::table_rows(state.size) as isize;
            select(state, state.fix.selected as isize + d * page)
        }
        Msg::Fix(FixMsg::Top) => select(state, 0),
        Msg::Fix(FixMsg::GoToFirst) => go_to_first(state),
        Msg::Fix(FixMsg::Bottom) => select(state, len as isize - 1),
        Msg::Fix(FixMsg::ClickCell { row, col }) => {
            let i = state.fix.offset + row;
            if i < len {
                select(state, i as isize);
                if let Some(c) = col {
                    state.fix.col = c;
                }
            }
        }
        Msg::Fix(FixMsg::NextProblem { forward }) => next_problem(state, forward),
        Msg::Fix(FixMsg::SetFilter(f)) => set_filter(state, f),
        Msg::Fix(FixMsg::CycleCodeFilter) => {
            let codes: Vec<Code> = state.roster.counts().per_code.keys().copied().collect();
            let next = match &state.fix.filter {
                Filter::Code(c) => codes.iter().copied().find(|x| x > c),
                _ => None,
            }
            .or_else(|| codes.first().copied());
            match next {
                Some(c) => set_filter(state, Filter::Code(c)),
                None => state.status = Some(Status::info("No findings to filter by")),
            }
        }
        Msg::Fix(FixMsg::StartSearch) => {
            let prev = match &state.fix.filter {
                Filter::Search(s) => s.clone(),
                _ => String::new(),
            };
            // A new search: the previous one is offered (typing replaces it, ←/Backspace edit it).
            state.fix.search = Some(TextInput::offering(prev));
        }
        Msg::Fix(FixMsg::StartEdit) => {
            if state.session.is_none() {
                return;
            }
            if let Some(row) = state.selected_row() {
                let field = Field::ALL[state.fix.col];
                // A cell with a suggested fix opens with the fix offered: Enter saves it (as
                // the fix), typing replaces it, ← or Backspace edit it, Esc keeps the cell.
                let fix = state
                    .roster
                    .findings(row)
                    .iter()
                    .find(|f| f.field == Some(field) && f.fix.is_some())
                    .and_then(|f| f.fix.clone().map(|v| (f.code, v)));
                match fix {
                    Some((code, value)) => {
                        state.fix.edit = Some(TextInput::offering(value));
                        state.fix.offered_fix = Some(code);
                        state.status = Some(Status::info(format!(
                            "Suggested fix ({code}) filled in: Enter applies it, typing replaces it, Esc cancels"
                        )));
                    }
                    None => {
                        state.fix.edit = Some(TextInput::new(state.roster.cell(row, field)));
                        state.fix.offered_fix = None;
                    }
                }
            }
        }
        Msg::Text(edit) => {
            if let Some(input) = state.fix.edit.as_mut().or(state.fix.search.as_mut()) {
                input.apply(&edit);
            }
        }
        Msg::CancelInput => {
            state.fix.edit = None;
            state.fix.search = None;
            state.fix.offered_fix = None;
        }
        Msg::CommitInput => {
            if let Some(input) = state.fix.edit.take() {
                let fix = state.fix.offered_fix.take().filter(|_| input.is_offered());
                commit_edit(state, input.value().to_string(), fix, fx);
            } else if let Some(input) = state.fix.search.take() {
                let text = input.value().trim().to_string();
                set_filter(
                    state,
                    if text.is_empty() {
                        Filter::All
                    } else {
                        Filter::Search(text)
                    },
                );
            }
        }
        Msg::Fix(FixMsg::ApplyFix) => {
            let Some(row) = state.selected_row() else {
                return;
            };
            match fix_for_row(state, row) {
                Some(f) => {
                    let (field, new) = (f.field.unwrap_or(Field::FullName), f.fix.clone());
                    let code = f.code;
                    let change = cell_edit(&state.roster, row, field, new.unwrap_or_default());
                    perform(state, Op::cells(format!("fix {code}"), vec![change]), fx);
                }
                None => state.status = Some(Status::info("No suggested fix on this row")),
            }
        }
        Msg::Fix(FixMsg::AskBulkFix) => {
            let Some(row) = state.selected_row() else {
                return;
            };
            let Some(code) = fix_for_row(state, row).map(|f| f.code) else {
                state.status = Some(Status::info("No suggested fix on this row"));
                return;
            };
            let changes = bulk_changes(&state.roster, code);
            if changes.is_empty() {
                state.status = Some(Status::info(format!("No row has a fix for {code}")));
            } else {
                state.popup = Some(Popup::ConfirmBulk { code, changes });
            }
        }
        Msg::Fix(FixMsg::ToggleExclude) => {
            if let Some(row) = state.selected_row() {
                let op = Op::Exclude {
                    row,
                    line: state.roster.record(row).line,
                    excluded: !state.roster.is_excluded(row),
                    anchor: Some(Anchor::of_row(&state.roster, row)),
                };
                perform(state, op, fx);
            }
        }
        Msg::Fix(FixMsg::Undo) => undo_redo(state, true, fx),
        Msg::Fix(FixMsg::Redo) => undo_redo(state, false, fx),
        _ => {}
    }
}

fn select(state: &mut State, i: isize) {
    let max = state.shown_len().saturating_sub(1) as isize;
    state.fix.selected = i.clamp(0, max.max(0)) as usize;
    keep_selection_visible(state);
}

/// Scrolls so the selected row is on screen, and keeps the selection in range.
pub(super) fn keep_selection_visible(state: &mut State) {
    let len = state.shown_len();
    let f = &mut state.fix;
    f.selected = f.selected.min(len.saturating_sub(1));
    let page = layout::table_rows(state.size);
    if f.selected < f.offset {
        f.offset = f.selected;
    } else if f.selected >= f.offset + page {
        f.offset = f.selected + 1 - page;
    }
    f.offset = f.offset.min(len.saturating_sub(page));
}

fn select_row(state: &mut State, row: usize) {
    let pos = match &state.fix.rows {
        None => Some(row),
        Some(rows) => rows.iter().position(|r| *r == row),
    };
    if let Some(p) = pos {
        select(state, p as isize);
    }
}

fn next_problem(state: &mut State, forward: bool) {
    let Some(row) = state.selected_row() else {
        return;
    };
    if let Some(rows) = &state.fix.rows {
        // Filtered views list problem rows already: step through them.
        let i = state.fix.selected;
        let next = if forward {
            (i + 1 < rows.len()).then_some(i + 1)
        } else {
            i.checked_sub(1)
        };
        match next {
            Some(n) => select(state, n as isize),
            None => state.status = Some(Status::info("No more rows in this filter")),
        }
        return;
    }
    match state.roster.next_problem(row, forward, None) {
        Some(r) if r == row => {
            state.status = Some(Status::info("This is the only row with problems"))
        }
        Some(r) => {
            if (r < row) == forward {
                state.status = Some(Status::info(if forward {
                    "Wrapped to the first problem"
                } else {
                    "Wrapped to the last problem"
                }));
            }
            select_row(state, r);
        }
        None => state.status = Some(Status::info("No problems left")),
    }
}

fn set_filter(state: &mut State, filter: Filter) {
    let current = state.selected_row();
    let roster = &state.roster;
    let rows = match &filter {
        Filter::All => None,
        Filter::Errors => Some(roster.error_rows().collect::<Vec<_>>()),
        Filter::Code(c) => Some(roster.rows_with_code(*c)),
        Filter::Warnings => Some(
            roster
                .problem_rows()
                .filter(|&r| filter.matches(roster, r))
                .collect(),
        ),
        Filter::Search(_) => Some(
            (0..roster.len())
                .filter(|&r| filter.matches(roster, r))
                .collect(),
        ),
    };
    let n = rows.as_ref().map_or(state.roster.len(), Vec::len);
    state.status = Some(Status::info(format!("Showing {n} {}", filter.label())));
    state.fix.filter = filter;
    state.fix.rows = rows;
    state.fix.selected = 0;
    state.fix.offset = 0;
    match current {
        Some(r) => {
            select_row(state, r);
            keep_selection_visible(state);
        }
        None => keep_selection_visible(state),
    }
    // Saved with the next save (an edit, or quitting): a filter alone is not worth two fsyncs.
    state.record_view();
}

/// Restores a resumed session's filter and selected cell (the row by its line when the
/// source changed under it).
pub(super) fn restore_view(state: &mut State, view: &crate::session::View) {
    let filter = Filter::from_key(&view.filter);
    if filter != Filter::All {
        set_filter(state, filter);
    }
    state.fix.col = view.col.min(Field::ALL.len() - 1);
    let row = view
        .row
        .filter(|&r| r < state.roster.len() && view.line == Some(state.roster.record(r).line))
        .or_else(|| {
            let line = view.line?;
            (0..state.roster.len()).find(|&r| state.roster.record(r).line == line)
        });
    if let Some(r) = row {
        select_row(state, r);
    }
    keep_selection_visible(state);
}

/// The finding `f` would fix on `row`: one on the selected column first, else the row's first.
pub fn fix_for_row(state: &State, row: usize) -> Option<&Finding> {
    let field = Field::ALL[state.fix.col];
    let fixable = |f: &&Finding| f.fix.is_some() && f.field.is_some();
    let findings = state.roster.findings(row);
    findings
        .iter()
        .filter(fixable)
        .find(|f| f.field == Some(field))
        .or_else(|| findings.iter().find(fixable))
}

fn cell_edit(roster: &Roster, row: usize, field: Field, new: String) -> CellEdit {
    CellEdit::at(roster, row, field, new)
}

/// Every fix of kind `code` across the roster (one per row), as recorded cell edits.
pub fn bulk_changes(roster: &Roster, code: Code) -> Vec<CellEdit> {
    crate::roster::fix::fixes_for_code(roster, code)
        .into_iter()
        .map(|e| cell_edit(roster, e.row, e.field, e.value))
        .collect()
}

pub(super) fn apply_bulk(
    state: &mut State,
    code: Code,
    changes: Vec<CellEdit>,
    fx: &mut Vec<Effect>,
) {
    let n = changes.len();
    perform(state, Op::cells(format!("bulk fix {code}"), changes), fx);
    state.status = Some(Status::info(format!(
        "Fixed {code} on {}; u undoes it",
        crate::usecase::submission::plural(n, "row", "rows")
    )));
}

/// `g`: from a row whose finding repeats an earlier row, to that row (all rows shown if the
/// filter hides it); anywhere else, the first row.
fn go_to_first(state: &mut State) {
    let first = state.selected_row().and_then(|row| {
        let field = Field::ALL[state.fix.col];
        let findings = state.roster.findings(row);
        findings
            .iter()
            .find(|f| f.first_row.is_some() && f.field == Some(field))
            .or_else(|| findings.iter().find(|f| f.first_row.is_some()))
            .and_then(|f| f.first_row)
            .map(|r| r as usize)
            .filter(|&r| r < state.roster.len())
    });
    let Some(target) = first else {
        select(state, 0);
        return;
    };
    let from = state
        .roster
        .record(state.selected_row().unwrap_or(target))
        .line;
    if !state.fix.filter.matches(&state.roster, target)
        || state
            .fix
            .rows
            .as_ref()
            .is_some_and(|rows| !rows.contains(&target))
    {
        set_filter(state, Filter::All);
    }
    let pos = match &state.fix.rows {
        Some(rows) => rows.iter().position(|&r| r == target).unwrap_or(0),
        None => target,
    };
    select(state, pos as isize);
    state.status = Some(Status::info(format!(
        "Line {}: the row line {from} repeats (g again goes to the top)",
        state.roster.record(target).line
    )));
}

/// Saves the edited cell; `fix` names the code when the admin accepted the offered fix as it
/// was, so report.md records a suggested fix rather than a hand edit.
fn commit_edit(state: &mut State, value: String, fix: Option<Code>, fx: &mut Vec<Effect>) {
    let Some(row) = state.selected_row() else {
        return;
    };
    let field = Field::ALL[state.fix.col];
    if state.roster.cell(row, field) == value {
        return;
    }
    let change = cell_edit(&state.roster, row, field, value);
    let label = match fix {
        Some(code) => format!("fix {code}"),
        None => format!("edit {}", field.key()),
    };
    perform(state, Op::cells(label, vec![change]), fx);
}

/// Applies a new operation, records it (clearing redo) and asks for a save.
/// Applies `op` to the roster and records it in the session (undoable, saved).
pub(super) fn perform(state: &mut State, op: Op, fx: &mut Vec<Effect>) {
    let Some(session) = state.session.as_mut() else {
        return;
    };
    if op.apply(&mut state.roster).is_none() {
        return;
    }
    let line = op
        .first_row()
        .map(|r| state.roster.record(r).line)
        .unwrap_or(0);
    let said = op.said(state.customize.catalogue());
    state.status = Some(Status::info(format!("Line {line}: {said}")));
    session.track_resolved(&op, false);
    session.history.push(op);
    session.redo.clear();
    fx.push(Effect::SaveSession);
}

fn undo_redo(state: &mut State, undo: bool, fx: &mut Vec<Effect>) {
    let cat = state.customize.catalogue().clone();
    let Some(session) = state.session.as_mut() else {
        return;
    };
    let popped = if undo {
        session.history.pop()
    } else {
        session.redo.pop()
    };
    let Some(op) = popped else {
        state.status = Some(Status::info(if undo {
            "Nothing to undo"
        } else {
            "Nothing to redo"
        }));
        return;
    };
    let op_said = op.said(&cat);
    if let Op::Match { edit } = &op {
        let edit = edit.clone();
        if undo {
            session.redo.push(op);
        } else {
            session.history.push(op);
        }
        let what = super::match_review::undo_redo(state, &edit, undo);
        fx.push(Effect::SaveSession);
        state.status = Some(Status::info(format!(
            "{} ({what}); > joins the roster again",
            if undo { "Undone" } else { "Redone" },
        )));
        return;
    }
    if let Op::Choice { edit } = &op {
        let edit = edit.clone();
        if undo {
            session.redo.push(op);
        } else {
            session.history.push(op);
        }
        super::choices::undo_redo(state, &edit, undo);
        fx.push(Effect::SaveSession);
        state.status = Some(Status::info(format!(
            "{}: {}",
            if undo { "Undone" } else { "Redone" },
            op_said
        )));
        return;
    }
    let applied = if undo {
        op.inverse().apply(&mut state.roster)
    } else {
        op.apply(&mut state.roster)
    };
    if applied.is_none() {
        return;
    }
    let text = format!("{}: {op_said}", if undo { "Undone" } else { "Redone" },);
    let row = op.first_row();
    session.track_resolved(&op, undo);
    let resolve = matches!(op, Op::Resolve { .. });
    if undo {
        session.redo.push(op);
    } else {
        session.history.push(op);
    }
    fx.push(Effect::SaveSession);
    if let Some(r) = row {
        select_row(state, r);
    }
    if resolve {
        super::unplaced::refresh_banner(state);
    }
    state.status = Some(Status::info(text));
}
