//! Key sequences in, state out: the Fix and Review steps' behaviour without a terminal.

use crate::support::wizard;

use crossterm::event::KeyCode;
use scc_onboard::roster::{Code, Field};
use scc_onboard::session::{Op, Step};
use scc_onboard::tui::state::{Filter, Popup};
use scc_onboard::tui::{update, Effect, ImportMsg, LoadMsg, Msg, ReviewMsg};
use wizard::*;

/// The org's two app IDs, which every plan requires before an export (no vendor app).
fn give_app_ids(s: &mut scc_onboard::tui::State) {
    let t = |v: &str| scc_onboard::customize::Value::Text(v.into());
    s.choices.set(
        "salesforce_client_id",
        t("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc"),
    );
    s.choices
        .set("entra_client_id", t("6233fba6-0198-4277-892f-9275bf728bcc"));
}

fn state() -> scc_onboard::tui::State {
    loaded(FIXTURE, (120, 40))
}

#[test]
fn load_lands_on_fix_with_counts_and_a_session() {
    let s = state();
    assert_eq!(s.step, Step::Fix);
    assert!(s.load.is_none());
    assert_eq!(s.roster.len(), 8);
    assert_eq!(s.roster.counts().rows_with_errors, 2);
    let session = s.session.as_ref().expect("session started");
    assert_eq!(session.source.size as usize, FIXTURE.len());
    assert_eq!(session.source.sha256.len(), 64);
}

#[test]
fn enter_edits_in_place_and_revalidates_at_once() {
    let mut s = state();
    go_to_line(&mut s, 3);
    go_to_col(&mut s, Field::FullName.index());
    let row = s.selected_row().unwrap();
    press(&mut s, key(KeyCode::Enter));
    assert!(s.fix.edit.is_some(), "Enter opens the editor");
    // `q` and `x` are typed, not commands, while editing.
    type_keys(&mut s, "Grace Hopperqx");
    press(&mut s, key(KeyCode::Backspace));
    press(&mut s, key(KeyCode::Backspace));
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(!s.quit);
    assert!(saves(&fx), "an applied edit is saved before the next frame");
    assert_eq!(s.roster.cell(row, Field::FullName), "Grace Hopper");
    assert!(s.roster.findings(row).is_empty());
    assert_eq!(s.roster.counts().rows_with_errors, 1);
    assert_eq!(s.session.as_ref().unwrap().history.len(), 1);
}

#[test]
fn esc_cancels_an_edit() {
    let mut s = state();
    go_to_line(&mut s, 3);
    press(&mut s, key(KeyCode::Enter));
    type_keys(&mut s, "abc");
    let fx = press(&mut s, key(KeyCode::Esc));
    assert!(s.fix.edit.is_none());
    assert!(!saves(&fx));
    assert_eq!(
        s.roster.cell(s.selected_row().unwrap(), Field::FullName),
        ""
    );
    assert!(s.session.as_ref().unwrap().history.is_empty());
}

#[test]
fn editing_a_login_into_a_duplicate_flags_both_rows_and_undo_clears_it() {
    let mut s = state();
    go_to_line(&mut s, 4);
    go_to_col(&mut s, Field::SalesforceLogin.index());
    let row = s.selected_row().unwrap();
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ctrl('u'));
    type_keys(&mut s, "ada@example.com");
    press(&mut s, key(KeyCode::Enter));
    let codes: Vec<Code> = s.roster.findings(row).iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::DupSfLogin), "{codes:?}");
    press(&mut s, key(KeyCode::Char('u')));
    assert!(!s
        .roster
        .findings(row)
        .iter()
        .any(|f| f.code == Code::DupSfLogin));
    assert_eq!(
        s.roster.cell(row, Field::SalesforceLogin),
        "alan@example.com"
    );
}

#[test]
fn f_applies_the_selected_rows_fix() {
    let mut s = state();
    go_to_line(&mut s, 9);
    let row = s.selected_row().unwrap();
    let fx = press(&mut s, key(KeyCode::Char('f')));
    assert!(saves(&fx));
    assert_eq!(s.roster.cell(row, Field::FullName), "Katherine Johnson");
    assert!(s.roster.findings(row).is_empty());
}

#[test]
fn bulk_fix_confirms_with_the_row_count_then_fixes_every_row_and_undoes_as_one() {
    let mut s = state();
    go_to_line(&mut s, 2);
    go_to_col(&mut s, Field::SalesforceUserId.index());
    press(&mut s, key(KeyCode::Char('F')));
    match &s.popup {
        Some(Popup::ConfirmBulk { code, changes }) => {
            assert_eq!(*code, Code::Sfid15);
            assert_eq!(changes.len(), 3);
        }
        other => panic!("expected the confirmation, got {other:?}"),
    }
    assert_eq!(
        s.roster.rows_with_code(Code::Sfid15).len(),
        3,
        "nothing changes before yes"
    );
    let fx = press(&mut s, key(KeyCode::Char('y')));
    assert!(saves(&fx));
    assert!(s.popup.is_none());
    assert!(s.roster.rows_with_code(Code::Sfid15).is_empty());
    assert_eq!(s.roster.cell(0, Field::SalesforceUserId).len(), 18);
    press(&mut s, key(KeyCode::Char('u')));
    assert_eq!(s.roster.rows_with_code(Code::Sfid15).len(), 3);
    press(&mut s, ctrl('r'));
    assert!(s.roster.rows_with_code(Code::Sfid15).is_empty());
}

#[test]
fn bulk_fix_can_be_declined() {
    let mut s = state();
    go_to_line(&mut s, 2);
    press(&mut s, key(KeyCode::Char('F')));
    press(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());
    assert_eq!(s.roster.rows_with_code(Code::Sfid15).len(), 3);
    assert!(s.session.as_ref().unwrap().history.is_empty());
}

#[test]
fn exclude_greys_out_and_takes_the_row_out_of_the_counts() {
    let mut s = state();
    go_to_line(&mut s, 7);
    let row = s.selected_row().unwrap();
    press(&mut s, key(KeyCode::Char('x')));
    assert!(s.roster.is_excluded(row));
    let c = s.roster.counts();
    assert_eq!((c.included, c.excluded, c.rows_with_errors), (7, 1, 1));
    assert!(matches!(
        s.session.as_ref().unwrap().history.last(),
        Some(Op::Exclude { excluded: true, .. })
    ));
    press(&mut s, key(KeyCode::Char('x')));
    assert!(!s.roster.is_excluded(row));
    assert_eq!(s.roster.counts().rows_with_errors, 2);
}

#[test]
fn undo_and_redo_walk_every_kind_of_change() {
    let mut s = state();
    go_to_line(&mut s, 3);
    press(&mut s, key(KeyCode::Enter));
    type_keys(&mut s, "Grace");
    press(&mut s, key(KeyCode::Enter));
    go_to_line(&mut s, 9);
    press(&mut s, key(KeyCode::Char('f')));
    go_to_line(&mut s, 7);
    press(&mut s, key(KeyCode::Char('x')));
    assert_eq!(s.session.as_ref().unwrap().history.len(), 3);

    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('u')));
    }
    assert_eq!(s.roster.cell(row_of_line(&s, 3), Field::FullName), "");
    assert_eq!(
        s.roster.cell(row_of_line(&s, 9), Field::FullName),
        "  Katherine Johnson "
    );
    assert!(!s.roster.is_excluded(row_of_line(&s, 7)));
    assert_eq!(s.session.as_ref().unwrap().redo.len(), 3);
    press(&mut s, key(KeyCode::Char('u')));
    assert_eq!(s.status.as_ref().unwrap().text, "Nothing to undo");

    for _ in 0..3 {
        press(&mut s, ctrl('r'));
    }
    assert_eq!(s.roster.cell(row_of_line(&s, 3), Field::FullName), "Grace");
    assert_eq!(
        s.roster.cell(row_of_line(&s, 9), Field::FullName),
        "Katherine Johnson"
    );
    assert!(s.roster.is_excluded(row_of_line(&s, 7)));
    // A new change after undo drops the redo stack.
    press(&mut s, key(KeyCode::Char('u')));
    go_to_line(&mut s, 2);
    press(&mut s, key(KeyCode::Char('f')));
    assert!(s.session.as_ref().unwrap().redo.is_empty());
}

#[test]
fn filters_show_only_matching_rows_and_keep_the_selection() {
    let mut s = state();
    go_to_line(&mut s, 7);
    press(&mut s, key(KeyCode::Char('e')));
    assert_eq!(s.fix.filter, Filter::Errors);
    assert_eq!(s.shown_len(), 2);
    assert_eq!(s.roster.record(s.selected_row().unwrap()).line, 7);
    press(&mut s, key(KeyCode::Char('w')));
    assert_eq!(s.shown_len(), 4);
    press(&mut s, key(KeyCode::Char('c')));
    assert!(matches!(s.fix.filter, Filter::Code(_)));
    press(&mut s, key(KeyCode::Char('a')));
    assert_eq!(s.shown_len(), 8);
}

#[test]
fn search_filters_by_any_text_case_insensitively() {
    let mut s = state();
    press(&mut s, key(KeyCode::Char('/')));
    type_keys(&mut s, "KNUTH");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.fix.filter, Filter::Search("KNUTH".into()));
    assert_eq!(s.shown_len(), 1);
    assert_eq!(
        s.roster.cell(s.selected_row().unwrap(), Field::FullName),
        "Donald Knuth"
    );
}

#[test]
fn n_and_shift_n_jump_between_problem_rows() {
    let mut s = state();
    press(&mut s, key(KeyCode::Home));
    let lines: Vec<u64> = (0..4)
        .map(|_| {
            press(&mut s, key(KeyCode::Char('n')));
            s.roster.record(s.selected_row().unwrap()).line
        })
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 7]);
    press(&mut s, key(KeyCode::Char('N')));
    assert_eq!(s.roster.record(s.selected_row().unwrap()).line, 5);
}

#[test]
fn paging_and_ends_keep_the_selection_on_screen() {
    let big: String = {
        let mut t = String::from(FIXTURE.lines().next().unwrap());
        t.push('\n');
        for i in 0..500 {
            t.push_str(&format!(
                "User {i},u{i}@example.com,,u{i}@example.com,u{i}@example.com\n"
            ));
        }
        t
    };
    let mut s = loaded(&big, (80, 24));
    press(&mut s, key(KeyCode::PageDown));
    let page = scc_onboard::tui::layout::table_rows((80, 24));
    assert_eq!(s.fix.selected, page);
    assert!(s.fix.selected >= s.fix.offset && s.fix.selected < s.fix.offset + page);
    press(&mut s, key(KeyCode::End));
    assert_eq!(s.fix.selected, 499);
    assert_eq!(s.fix.offset, 500 - page);
    press(&mut s, key(KeyCode::Home));
    assert_eq!((s.fix.selected, s.fix.offset), (0, 0));
}

#[test]
fn export_is_refused_while_errors_remain_and_j_jumps_to_them() {
    let mut s = state();
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    assert_eq!(s.step, Step::ReviewExport);
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Export { .. })));
    let refused = s.review.refused.clone().expect("refused");
    let lines: Vec<u64> = refused.iter().map(|r| s.roster.record(*r).line).collect();
    assert_eq!(lines, vec![3, 7]);
    press(&mut s, key(KeyCode::Char('j')));
    assert_eq!(s.step, Step::Fix);
    assert_eq!(s.fix.filter, Filter::Errors);
    assert_eq!(s.roster.record(s.selected_row().unwrap()).line, 3);
}

#[test]
fn export_runs_once_errors_are_fixed_or_excluded() {
    let mut s = state();
    give_app_ids(&mut s);
    go_to_line(&mut s, 3);
    press(&mut s, key(KeyCode::Enter));
    type_keys(&mut s, "Grace Hopper");
    press(&mut s, key(KeyCode::Enter));
    go_to_line(&mut s, 7);
    press(&mut s, key(KeyCode::Char('x')));
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    // The warnings that do not block (checklist, check not run) are asked about once.
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Export { .. })));
    let Some(Popup::ConfirmWarnings { warnings }) = s.popup.clone() else {
        panic!("asks about the warnings first: {:?}", s.popup);
    };
    assert!(
        warnings.iter().any(|w| w == "Exchange check not run"),
        "{warnings:?}"
    );
    let fx = press(&mut s, key(KeyCode::Char('y')));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Export { replace: false, .. })));
    // Acknowledged once: the next Enter exports at once.
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert!(fx.iter().any(|e| matches!(e, Effect::Export { .. })));
    // A folder already holding a bundle: the runtime asks, the admin confirms, it replaces.
    update(
        &mut s,
        Msg::Review(ReviewMsg::AskReplace {
            path: "/srv/out".into(),
            written: Some("2026-12-01T23:00:00Z".into()),
        }),
    );
    assert!(matches!(s.popup, Some(Popup::ConfirmReplace { .. })));
    let fx = press(&mut s, key(KeyCode::Char('n')));
    assert!(s.popup.is_none() && fx.is_empty());
    update(
        &mut s,
        Msg::Review(ReviewMsg::AskReplace {
            path: "/srv/out".into(),
            written: None,
        }),
    );
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Export { replace: true, .. })));
}

#[test]
fn x_on_review_leaves_out_every_row_with_errors_as_one_undoable_change() {
    let mut s = state();
    give_app_ids(&mut s);
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    press(&mut s, key(KeyCode::Enter));
    assert!(s.review.refused.is_some());
    press(&mut s, key(KeyCode::Char('x')));
    let Some(Popup::ConfirmExclude { rows }) = s.popup.clone() else {
        panic!("asks first: {:?}", s.popup);
    };
    let lines: Vec<u64> = rows.iter().map(|r| s.roster.record(*r).line).collect();
    assert_eq!(lines, vec![3, 7]);
    // Declining changes nothing.
    press(&mut s, key(KeyCode::Char('n')));
    assert!(s.popup.is_none());
    assert_eq!(s.roster.counts().excluded, 0);

    press(&mut s, key(KeyCode::Char('x')));
    let fx = press(&mut s, key(KeyCode::Char('y')));
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveSession)));
    let c = s.roster.counts();
    assert_eq!((c.included, c.excluded, c.rows_with_errors), (6, 2, 0));
    assert!(rows.iter().all(|&r| s.roster.is_excluded(r)));
    assert!(s.review.refused.is_none(), "the refusal is stale now");
    assert!(matches!(
        s.session.as_ref().unwrap().history.last(),
        Some(Op::ExcludeRows { excluded: true, rows: r, .. }) if *r == rows
    ));
    press(&mut s, key(KeyCode::Enter));
    let fx = press(&mut s, key(KeyCode::Char('y')));
    assert!(fx.iter().any(|e| matches!(e, Effect::Export { .. })));

    // Nothing left to leave out; one undo brings both rows back.
    press(&mut s, key(KeyCode::Char('x')));
    assert!(s.popup.is_none());
    press(&mut s, key(KeyCode::Char('<')));
    press(&mut s, key(KeyCode::Char('<')));
    press(&mut s, key(KeyCode::Char('<')));
    assert_eq!(s.step, Step::Fix);
    press(&mut s, key(KeyCode::Char('u')));
    let c = s.roster.counts();
    assert_eq!((c.included, c.excluded, c.rows_with_errors), (8, 0, 2));
    press(&mut s, ctrl('r'));
    assert_eq!(s.roster.counts().excluded, 2);
}

#[test]
fn output_folder_is_editable_and_saved() {
    let mut s = state();
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    press(&mut s, key(KeyCode::Char('o')));
    press(&mut s, ctrl('u'));
    type_keys(&mut s, "out/dir");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(saves(&fx));
    assert_eq!(s.output_dir(), std::path::PathBuf::from("out/dir"));
}

#[test]
fn steps_need_a_roster_and_are_passed_with_gt() {
    let mut fresh =
        scc_onboard::tui::State::new("/x/s.json".into(), scc_onboard::tui::theme::Theme::plain());
    update(&mut fresh, Msg::NextStep);
    assert_eq!(fresh.step, Step::Import, "no roster, no Fix step");

    let mut s = state();
    press(&mut s, key(KeyCode::Char('>')));
    assert_eq!(s.step, Step::Customize);
    press(&mut s, key(KeyCode::Char('>')));
    assert_eq!(s.step, Step::ExchangeAccess);
    press(&mut s, key(KeyCode::Char('>')));
    assert_eq!(s.step, Step::ReviewExport);
    press(&mut s, key(KeyCode::Char('>')));
    assert_eq!(s.step, Step::Authorize);
    assert_eq!(
        s.session.as_ref().unwrap().step,
        Step::Authorize,
        "step is part of the session"
    );
}

#[test]
fn ctrl_c_quits_even_while_typing_and_q_quits_outside_text() {
    let mut s = state();
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ctrl('c'));
    assert!(s.quit);
    let mut s = state();
    press(&mut s, key(KeyCode::Char('q')));
    assert!(s.quit);
}

#[test]
fn cancelling_a_load_returns_to_import_and_ignores_late_batches() {
    let mut s =
        scc_onboard::tui::State::new("/x/s.json".into(), scc_onboard::tui::theme::Theme::plain());
    s.import.path.set("roster.csv");
    let fx = update(&mut s, Msg::Import(ImportMsg::StartLoad));
    let gen = match fx.as_slice() {
        [Effect::Load { gen, .. }] => *gen,
        other => panic!("{other:?}"),
    };
    let imported =
        scc_onboard::roster::import::import_bytes(FIXTURE.as_bytes(), &Default::default()).unwrap();
    update(
        &mut s,
        Msg::Load(LoadMsg::Started {
            gen,
            path: "roster.csv".into(),
            detected: imported.detected.clone(),
        }),
    );
    update(
        &mut s,
        Msg::Load(LoadMsg::Batch {
            gen,
            records: imported.records[..2].to_vec(),
            bytes_done: 10,
            bytes_total: 100,
        }),
    );
    assert_eq!(
        s.step,
        Step::Fix,
        "the first rows show while loading continues"
    );
    assert_eq!(s.roster.len(), 2);
    let fx = press(&mut s, key(KeyCode::Esc));
    assert!(matches!(fx.as_slice(), [Effect::CancelLoad { gen: g }] if *g == gen));
    assert_eq!(s.step, Step::Import);
    assert!(s.load.is_none());
    update(
        &mut s,
        Msg::Load(LoadMsg::Batch {
            gen,
            records: imported.records.clone(),
            bytes_done: 100,
            bytes_total: 100,
        }),
    );
    update(&mut s, Msg::Load(LoadMsg::Done { gen }));
    assert_eq!(s.roster.len(), 0, "a cancelled load's messages are ignored");
    assert!(s.session.is_none());
}

#[test]
fn import_settings_change_the_mapping_and_ask_for_a_new_preview() {
    let mut s =
        scc_onboard::tui::State::new("/x/s.json".into(), scc_onboard::tui::theme::Theme::plain());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    std::fs::write(&path, FIXTURE).unwrap();
    let preview = scc_onboard::tui::runtime::preview(&path, &Default::default()).unwrap();
    update(&mut s, Msg::Import(ImportMsg::Previewed(Ok(preview))));
    assert_eq!(
        s.import.focus,
        scc_onboard::tui::state::ImportFocus::Settings
    );
    // Delimiter: detect → comma → semicolon.
    press(&mut s, key(KeyCode::Down));
    press(&mut s, key(KeyCode::Right));
    let fx = press(&mut s, key(KeyCode::Right));
    assert_eq!(s.import.options.delimiter, Some(b';'));
    match fx.as_slice() {
        [Effect::Preview { options, .. }] => assert_eq!(options.delimiter, Some(b';')),
        other => panic!("{other:?}"),
    }
    // Map "Full name" to the next header.
    press(&mut s, key(KeyCode::Down));
    press(&mut s, key(KeyCode::Right));
    assert_eq!(
        s.import.options.columns,
        vec![(Field::FullName, "Salesforce login".to_string())]
    );
    // A semicolon read of a comma file fails with a message that names the file.
    let err = scc_onboard::tui::runtime::preview(&path, &s.import.options).unwrap_err();
    assert!(err.message.contains("r.csv"), "{}", err.message);
}

#[test]
fn search_ignores_case_in_ascii_and_beyond() {
    use scc_onboard::tui::state::contains_ignoring_case as c;
    assert!(c("Donald Knuth", "KNUTH"));
    assert!(c("Zoë Ångström", "ÅNGSTRÖM"));
    assert!(!c("Ada", "adam"));
}

#[test]
fn mouse_wheel_scrolls_and_click_selects_the_cell_under_it() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    use scc_onboard::tui::handle_mouse;
    let mut s = state();
    let ev = |kind, column, row| MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let msg = handle_mouse(&s, ev(MouseEventKind::ScrollDown, 10, 10)).unwrap();
    update(&mut s, msg);
    assert_eq!(s.fix.selected, 3);
    // The table starts under the 3-line header, its title line and its column header.
    let screen = text(&draw(&s, 120, 40));
    let lines: Vec<&str> = screen.lines().collect();
    let y = lines
        .iter()
        .position(|l| l.trim_start().starts_with("7 "))
        .unwrap() as u16;
    let header = lines.iter().find(|l| l.starts_with("Line")).unwrap();
    let x = header[..header.find("Office 365 login").unwrap()]
        .chars()
        .count() as u16;
    let msg = handle_mouse(&s, ev(MouseEventKind::Down(MouseButton::Left), x + 2, y)).unwrap();
    update(&mut s, msg);
    assert_eq!(s.roster.record(s.selected_row().unwrap()).line, 7);
    assert_eq!(s.fix.col, Field::Office365Login.index());
}

#[test]
fn resuming_many_changes_says_so_before_re_applying_them() {
    use scc_onboard::session::{CellEdit, Op};
    let mut saved = state().session.unwrap();
    let changes: Vec<CellEdit> = (0..10_001)
        .map(|i| CellEdit {
            row: 0,
            line: 2,
            field: Field::FullName,
            old: if i == 0 {
                "Ada Lovelace".into()
            } else {
                format!("n{}", i - 1)
            },
            new: format!("n{i}"),
            anchor: None,
        })
        .collect();
    saved.history.push(Op::cells("bulk", changes));
    let mut s =
        scc_onboard::tui::State::new("/x/s.json".into(), scc_onboard::tui::theme::Theme::plain());
    s.import.path.set("roster.csv");
    s.pending_resume = Some(saved.clone());
    s.pending_resume.as_mut().unwrap().source.path = "roster.csv".into();
    let fx = update(&mut s, Msg::Import(ImportMsg::StartLoad));
    let gen = match fx.as_slice() {
        [Effect::Load { gen, .. }] => *gen,
        other => panic!("{other:?}"),
    };
    let imported =
        scc_onboard::roster::import::import_bytes(FIXTURE.as_bytes(), &Default::default()).unwrap();
    update(
        &mut s,
        Msg::Load(LoadMsg::Started {
            gen,
            path: "roster.csv".into(),
            detected: imported.detected,
        }),
    );
    update(
        &mut s,
        Msg::Load(LoadMsg::Batch {
            gen,
            records: imported.records,
            bytes_done: 1,
            bytes_total: 1,
        }),
    );
    let fx = update(&mut s, Msg::Load(LoadMsg::Done { gen }));
    assert!(s.status.as_ref().unwrap().text.starts_with("Re-applying"));
    assert!(s.session.is_none(), "not yet applied");
    let next = match fx.as_slice() {
        [Effect::AfterDraw(m)] => (**m).clone(),
        other => panic!("{other:?}"),
    };
    let fx = update(&mut s, next);
    assert!(saves(&fx));
    assert_eq!(s.roster.cell(0, Field::FullName), "n10000");
    assert!(s.banner.as_ref().unwrap().text.contains("Resumed"));
}

#[test]
fn review_numbers_what_blocks_and_each_number_goes_there() {
    let mut s = state();
    s.choices.set(
        "mailbox_access",
        scc_onboard::customize::Value::Text("impersonation".into()),
    );
    s.choices.set(
        "exchange_deployment",
        scc_onboard::customize::Value::Text("on_premises".into()),
    );
    s.choices.set(
        "impersonation_account",
        scc_onboard::customize::Value::Text("not an address".into()),
    );
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    let sub = s.submission();
    assert_eq!(
        sub.blockers[0].what,
        "2 included rows still have errors: fix or leave out"
    );
    let n = sub
        .blockers
        .iter()
        .position(|b| b.what.starts_with("Impersonating account"))
        .expect("the setting is named by its title");
    // `1` is the rows with errors: the Fix table, filtered, on the first of them.
    press(&mut s, key(KeyCode::Char('1')));
    assert_eq!(s.step, Step::Fix);
    assert_eq!(s.fix.filter, Filter::Errors);
    assert_eq!(s.roster.record(s.selected_row().unwrap()).line, 3);
    // The setting's number: its step, the setting focused.
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    let digit = char::from(b'1' + n as u8);
    press(&mut s, key(KeyCode::Char(digit)));
    assert_eq!(s.step, Step::ExchangeAccess);
    assert_eq!(
        s.exchange.focused_item(&s.choices),
        Some(scc_onboard::tui::exchange::Item::Field(
            "impersonation_account".into()
        ))
    );
}

/// Issue 16's words: field and setting titles in messages, a new `/` offering the previous
/// search, Enter offering a suggested fix, `g` from a duplicate to the row it repeats.
#[test]
fn the_wizard_speaks_in_titles_and_offers_what_it_knows() {
    let mut s = state();
    // Enter on Katherine's name (surrounding spaces: a fix is suggested) offers the fix.
    go_to_line(&mut s, 9);
    s.fix.col = Field::FullName.index();
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.fix.edit.as_ref().map(|e| e.value().to_string()),
        Some("Katherine Johnson".into())
    );
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.roster.cell(s.selected_row().unwrap(), Field::FullName),
        "Katherine Johnson"
    );
    let status = s.status.clone().unwrap().text;
    assert_eq!(
        status,
        "Line 9: applied the suggested fix (surrounding-whitespace) to Full name"
    );
    assert!(matches!(
        s.session.as_ref().unwrap().history.last(),
        Some(Op::Cells { label, .. }) if label == "fix surrounding-whitespace"
    ));
    press(&mut s, key(KeyCode::Char('u')));
    assert_eq!(
        s.status.clone().unwrap().text,
        "Undone: applied the suggested fix (surrounding-whitespace) to Full name"
    );

    // Typing over the offered fix is a hand edit.
    press(&mut s, key(KeyCode::Enter));
    type_keys(&mut s, "Kate Johnson");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.status.clone().unwrap().text, "Line 9: edited Full name");

    // A second `/` offers the previous search: typing replaces it.
    press(&mut s, key(KeyCode::Char('/')));
    type_keys(&mut s, "William Miller");
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, key(KeyCode::Char('/')));
    assert_eq!(s.fix.search.as_ref().unwrap().value(), "William Miller");
    type_keys(&mut s, "ada");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.fix.filter, Filter::Search("ada".into()));
    // …and ← or Backspace edit it instead.
    press(&mut s, key(KeyCode::Char('/')));
    press(&mut s, key(KeyCode::Backspace));
    type_keys(&mut s, "m");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.fix.filter, Filter::Search("adm".into()));
}

#[test]
fn g_on_a_duplicate_goes_to_the_row_it_repeats() {
    let csv = format!(
        "{FIXTURE}Ada Again,ada2@example.com,005Dn000018MnOpIAK,ada@example.com,ada2@example.com\n"
    );
    let mut s = loaded(&csv, (120, 40));
    go_to_line(&mut s, 10);
    assert_eq!(s.roster.record(s.selected_row().unwrap()).line, 10);
    press(&mut s, key(KeyCode::Char('g')));
    assert_eq!(s.roster.record(s.selected_row().unwrap()).line, 2);
    assert!(s
        .status
        .clone()
        .unwrap()
        .text
        .starts_with("Line 2: the row line 10 repeats"));
    // Elsewhere `g` is still the first row.
    go_to_line(&mut s, 5);
    press(&mut s, key(KeyCode::Char('g')));
    assert_eq!(s.fix.selected, 0);
}

#[test]
fn q_quits_from_import_while_the_path_field_is_empty() {
    let mut s = scc_onboard::tui::State::new(
        std::path::PathBuf::from("/nonexistent/session.json"),
        scc_onboard::tui::theme::Theme::plain(),
    );
    assert_eq!(s.step, Step::Import);
    type_keys(&mut s, "r");
    assert_eq!(s.import.path.value(), "r", "typed into the path field");
    assert!(!s.quit);
    type_keys(&mut s, "q");
    assert_eq!(
        s.import.path.value(),
        "rq",
        "q is a letter once the path has text"
    );
    assert!(!s.quit);
    press(&mut s, key(KeyCode::Backspace));
    press(&mut s, key(KeyCode::Backspace));
    press(&mut s, key(KeyCode::Char('q')));
    assert!(s.quit);
}

/// Quitting saves the Fix step's filter and selected cell; a resume puts both back.
#[test]
fn resume_restores_the_filter_and_the_selected_cell() {
    let mut s = state();
    press(&mut s, key(KeyCode::Char('e')));
    press(&mut s, key(KeyCode::Char('j')));
    go_to_col(&mut s, Field::Office365Login.index());
    let line = s.roster.record(s.selected_row().unwrap()).line;
    assert_eq!(line, 7);
    let fx = press(&mut s, key(KeyCode::Char('q')));
    assert!(saves(&fx), "quitting saves the view");
    let bytes = s.session.as_ref().unwrap().to_json();
    let mut saved =
        scc_onboard::session::Session::from_json(&bytes, std::path::Path::new("s.json")).unwrap();
    assert_eq!(saved.view.as_ref().unwrap().filter, "errors");
    saved.source.path = "roster.csv".into();
    let mut r =
        scc_onboard::tui::State::new("/x/s.json".into(), scc_onboard::tui::theme::Theme::plain());
    r.import.path.set("roster.csv");
    r.pending_resume = Some(saved);
    load_into(&mut r, FIXTURE);
    assert_eq!(r.fix.filter, Filter::Errors);
    assert_eq!(r.roster.record(r.selected_row().unwrap()).line, 7);
    assert_eq!(r.fix.col, Field::Office365Login.index());
}
