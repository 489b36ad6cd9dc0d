//! The Import step, the resume prompt and loading the source.

use crate::roster::import::Encoding;
use crate::roster::Field;
use crate::session::{ImportSettings, Session, SourceInfo, Step};
use crate::tui::msg::{Effect, ImportMsg, LoadMsg, Msg};
use crate::tui::state::{FixState, ImportFocus, LoadProgress, Popup, State, Status, SETTING_LINES};
use std::path::PathBuf;

/// Encodings offered in the settings, `None` meaning "detect".
pub(super) const ENCODINGS: [Option<Encoding>; 6] = [
    None,
    Some(Encoding::Utf8),
    Some(Encoding::Utf8Bom),
    Some(Encoding::Utf16Le),
    Some(Encoding::Utf16Be),
    Some(Encoding::Windows1252),
];

/// Delimiters offered in the settings, `None` meaning "detect".
pub(super) const DELIMITERS: [Option<u8>; 5] =
    [None, Some(b','), Some(b';'), Some(b'\t'), Some(b'|')];

fn cycle<T: PartialEq + Copy>(list: &[T], current: T, by: isize) -> T {
    let i = list.iter().position(|x| *x == current).unwrap_or(0) as isize;
    let n = list.len() as isize;
    list[((i + by).rem_euclid(n)) as usize]
}

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    let imp = &mut state.import;
    match msg {
        Msg::Text(edit) => {
            imp.path.apply(&edit);
            imp.candidates.clear();
        }
        Msg::CommitInput => open_preview(state, fx),
        Msg::CancelInput => imp.candidates.clear(),
        Msg::Import(ImportMsg::FocusNext) | Msg::Import(ImportMsg::FocusPrev) => {
            let order = [
                ImportFocus::Source,
                ImportFocus::Path,
                ImportFocus::Files,
                ImportFocus::Settings,
            ];
            let pull = imp.source == crate::tui::state::ImportSource::Pull;
            let usable = |f: &ImportFocus| match f {
                ImportFocus::Source => true,
                ImportFocus::Settings => imp.has_settings() && !pull,
                _ => !pull,
            };
            let list: Vec<ImportFocus> = order.into_iter().filter(usable).collect();
            imp.focus = cycle(
                &list,
                imp.focus,
                if matches!(msg, Msg::Import(ImportMsg::FocusNext)) {
                    1
                } else {
                    -1
                },
            );
        }
        Msg::Import(ImportMsg::Complete) => fx.push(Effect::Complete(imp.path.value().to_string())),
        Msg::Import(ImportMsg::Completed { base, candidates }) => {
            if candidates.len() == 1 {
                imp.path.set(candidates[0].clone());
                imp.candidates.clear();
            } else {
                imp.path.set(base);
                imp.candidates = candidates;
            }
        }
        Msg::Import(ImportMsg::FilesListed(files)) => {
            imp.files = files;
            imp.file_cursor = imp.file_cursor.min(imp.files.len().saturating_sub(1));
        }
        // Up from the first file goes back to the path field (the keymap sends only the move).
        Msg::Import(ImportMsg::MoveFile(d)) if d < 0 && imp.file_cursor == 0 => {
            update(state, Msg::Import(ImportMsg::FocusPrev), fx)
        }
        Msg::Import(ImportMsg::MoveFile(d)) => {
            let max = imp.files.len().saturating_sub(1) as isize;
            imp.file_cursor = (imp.file_cursor as isize + d).clamp(0, max) as usize;
        }
        Msg::Import(ImportMsg::PickFile) => {
            if let Some(f) = imp.files.get(imp.file_cursor).cloned() {
                imp.path.set(f);
                open_preview(state, fx);
            }
        }
        Msg::Import(ImportMsg::Previewed(result)) => match result {
            Ok(p) => {
                imp.headers = p.detected.headers.clone();
                imp.mapping = p.detected.mapping;
                imp.preview = Some(p);
                imp.error = None;
                imp.focus = ImportFocus::Settings;
            }
            Err(e) => {
                imp.preview = None;
                if let Some(h) = e.headers {
                    imp.mapping = mapping_from(&h, &imp.options.columns);
                    imp.headers = h;
                    imp.focus = ImportFocus::Settings;
                }
                imp.error = Some(e.message);
            }
        },
        Msg::Import(ImportMsg::MoveSetting(d)) => {
            let max = SETTING_LINES as isize - 1;
            imp.setting_cursor = (imp.setting_cursor as isize + d).clamp(0, max) as usize;
        }
        Msg::Import(ImportMsg::CycleSetting(d)) => {
            match imp.setting_cursor {
                0 => imp.options.encoding = cycle(&ENCODINGS, imp.options.encoding, d),
                1 => imp.options.delimiter = cycle(&DELIMITERS, imp.options.delimiter, d),
                n => {
                    let field = Field::ALL[n - 2];
                    if imp.headers.is_empty() {
                        return;
                    }
                    let choices: Vec<Option<usize>> = (0..imp.headers.len()).map(Some).collect();
                    let next = cycle(&choices, imp.mapping[field.index()], d);
                    let header = imp.headers[next.unwrap_or(0)].clone();
                    imp.options.columns.retain(|(f, _)| *f != field);
                    imp.options.columns.push((field, header));
                    imp.mapping[field.index()] = next;
                }
            }
            if let Some(path) = imp.source_path() {
                fx.push(Effect::Preview {
                    path,
                    options: imp.options.clone(),
                });
            }
        }
        Msg::Import(ImportMsg::StartLoad) => start_load(state, fx),
        Msg::Import(ImportMsg::CancelLoad) if state.load.is_some() => {
            state.load = None;
            {
                fx.push(Effect::CancelLoad {
                    gen: state.load_gen,
                });
                state.load_gen += 1;
                state.roster = crate::roster::Roster::new();
                state.fix = FixState::default();
                state.step = Step::Import;
                state.import.focus = ImportFocus::Settings;
                state.status = Some(Status::info("Loading cancelled"));
            }
        }
        Msg::Load(LoadMsg::Started {
            gen,
            path,
            detected,
        }) if gen == state.load_gen => {
            state.roster = crate::roster::Roster::new();
            // Rows with another field count than the header get `wrong-field-count`.
            state.roster.set_header_len(detected.headers.len());
            state.fix = FixState::default();
            state.step = Step::Fix;
            state.load = Some(LoadProgress {
                path,
                rows: 0,
                bytes_done: 0,
                bytes_total: 0,
            });
        }
        Msg::Load(LoadMsg::Batch {
            gen,
            records,
            bytes_done,
            bytes_total,
        }) if gen == state.load_gen => {
            state.roster.extend(records);
            if let Some(l) = &mut state.load {
                l.bytes_done = bytes_done;
                l.bytes_total = bytes_total;
            }
        }
        Msg::Load(LoadMsg::Progress {
            gen,
            rows,
            bytes_done,
            bytes_total,
        }) if gen == state.load_gen => {
            if let Some(l) = &mut state.load {
                l.rows = rows;
                l.bytes_done = bytes_done;
                l.bytes_total = bytes_total;
            }
        }
        Msg::Load(LoadMsg::Built { gen, roster }) if gen == state.load_gen => {
            state.roster = *roster;
            if let Some(l) = &mut state.load {
                l.rows = state.roster.len();
            }
        }
        Msg::Load(LoadMsg::Done { gen }) if gen == state.load_gen => match &state.pending_resume {
            // Re-applying many changes takes a moment: say so on screen first.
            Some(s) if s.history.iter().map(|op| op.cell_count()).sum::<usize>() > 10_000 => {
                state.status = Some(Status::info(format!(
                    "Re-applying {} saved change(s)…",
                    s.history.len()
                )));
                fx.push(Effect::AfterDraw(Box::new(Msg::Load(LoadMsg::Finish {
                    gen,
                }))));
            }
            _ => finish_load(state, fx),
        },
        Msg::Load(LoadMsg::Finish { gen }) if gen == state.load_gen => finish_load(state, fx),
        Msg::Load(LoadMsg::Settle { gen }) if gen == state.load_gen => {
            settle(state, fx);
            fx.push(Effect::SaveSession);
        }
        Msg::Load(LoadMsg::Footer { gen, footer }) if gen == state.load_gen => {
            state.import.loaded_footer = Some(footer);
        }
        Msg::Load(LoadMsg::Failed { gen, error }) if gen == state.load_gen => {
            state.load = None;
            state.roster = crate::roster::Roster::new();
            state.step = Step::Import;
            state.import.error = Some(error);
        }
        Msg::Load(LoadMsg::SourceHashed { gen, info }) if gen == state.load_gen => {
            match &mut state.session {
                Some(s) => {
                    if !s.source.sha256.is_empty() && s.source.sha256 != info.sha256 {
                        let note = format!(
                            "{} changed since this session was saved; check the restored edits",
                            info.path.display()
                        );
                        // The hash often arrives after the resume: keep its summary (what moved,
                        // what was NOT applied) and add the warning.
                        let text = match state.banner.take() {
                            Some(b) if b.text.contains(RESUMED) => format!("{}. {note}", b.text),
                            _ => note,
                        };
                        state.banner = Some(Status::error(text));
                    }
                    s.source = info;
                    fx.push(Effect::SaveSession);
                }
                None => state.pending_source = Some(info),
            }
        }
        Msg::Import(ImportMsg::Resume) => {
            if let Some(Popup::Resume(offer)) = state.popup.take() {
                let s = offer.session;
                if s.join.is_some() {
                    super::match_review::resume(state, s, fx);
                    return;
                }
                state.import.path.set(s.source.path.display().to_string());
                state.import.options = s.import.to_options();
                state.pending_resume = Some(s);
                start_load(state, fx);
            }
        }
        Msg::Import(ImportMsg::StartNew) => {
            state.popup = None;
            state.status = Some(Status::info(
                "Starting a new session; the saved one is replaced once a roster is loaded",
            ));
            if !state.import.path.value().is_empty() {
                open_preview(state, fx);
            }
        }
        Msg::Import(ImportMsg::SourceChecked(result)) => {
            if let Some(Popup::Resume(offer)) = &mut state.popup {
                match result {
                    Some(changed) => offer.source_changed = Some(changed),
                    None => offer.source_missing = true,
                }
            }
        }
        _ => {}
    }
}

fn mapping_from(headers: &[String], columns: &[(Field, String)]) -> [Option<usize>; 5] {
    let mut m = [None; 5];
    for (i, h) in headers.iter().enumerate() {
        if let Some(f) = Field::parse(h) {
            m[f.index()].get_or_insert(i);
        }
    }
    for (f, h) in columns {
        m[f.index()] = headers.iter().position(|x| x == h);
    }
    m
}

fn open_preview(state: &mut State, fx: &mut Vec<Effect>) {
    let imp = &mut state.import;
    let text = imp.path.value().trim().to_string();
    if text.is_empty() {
        imp.error = Some("Type the path of the roster CSV, or pick a file from the list".into());
        return;
    }
    let path = PathBuf::from(&text);
    if imp.source == crate::tui::state::ImportSource::Exports {
        super::match_review::pick_export(state, path, fx);
        return;
    }
    if imp.preview.as_ref().is_none_or(|p| p.path != path) {
        imp.options = Default::default();
    }
    imp.candidates.clear();
    fx.push(Effect::Preview {
        path,
        options: imp.options.clone(),
    });
}

pub(super) fn start_load(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(path) = state.import.source_path() else {
        state.import.error = Some("Pick a file first".into());
        return;
    };
    // Reloading (e.g. with another mapping) keeps the admin's edits: they are replayed.
    if let Some(s) = state.session.take() {
        state.pending_resume = Some(s);
    }
    if state
        .pending_resume
        .as_ref()
        .is_some_and(|s| !same_file(&s.source.path, &path))
    {
        state.pending_resume = None;
    }
    state.load_gen += 1;
    state.pending_source = None;
    state.import.loaded_footer = None;
    state.load = Some(LoadProgress {
        path: path.clone(),
        rows: 0,
        bytes_done: 0,
        bytes_total: 0,
    });
    state.import.error = None;
    fx.push(Effect::Load {
        gen: state.load_gen,
        path,
        options: state.import.options.clone(),
    });
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    let abs = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs(a) == abs(b)
}

fn finish_load(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(load) = state.load.take() else {
        return;
    };
    let settings = ImportSettings::from_options(&state.import.options);
    let hashed = state.pending_source.take();
    let join_continue = state.join_continue.take();
    let session = match state.pending_resume.take() {
        // Continuing from Match review: the joined roster, the admin's edits re-applied.
        Some(mut s) if join_continue == Some(crate::tui::state::JoinContinue::Continue) => {
            let report = s.resume(&mut state.roster);
            s.import = settings;
            let unplaced = report.unplaced.len();
            if unplaced > 0 {
                state.banner = Some(Status::error(super::unplaced::banner_text(unplaced)));
            }
            state.step = Step::Fix;
            s.step = Step::Fix;
            s
        }
        Some(mut s) => {
            let report = s.resume(&mut state.roster);
            s.import = settings;
            let mut text = format!("{RESUMED}: {} change(s) restored", report.applied);
            if report.moved > 0 {
                text.push_str(&format!(
                    ", {} moved with their users to new lines",
                    report.moved
                ));
            }
            text.push_str(&format!(" (from {})", state.session_path.display()));
            let unplaced = report.unplaced.len();
            if unplaced > 0 {
                text = format!("{}. {text}", super::unplaced::banner_text(unplaced));
            }
            let changed = hashed
                .as_ref()
                .is_some_and(|h| !s.source.sha256.is_empty() && h.sha256 != s.source.sha256);
            // A joined session's resume already said what of the Match review came back.
            if join_continue == Some(crate::tui::state::JoinContinue::Resume) {
                if let Some(b) = state.banner.take() {
                    text = format!("{}; {}", b.text, text.replacen(RESUMED, "roster", 1));
                }
            }
            state.banner = Some(if unplaced > 0 {
                Status::error(text)
            } else if changed {
                Status::error(format!(
                    "{text}. The source file changed since the session was saved: check the edits"
                ))
            } else {
                Status::info(text)
            });
            state.step = resume_step(s.step);
            s
        }
        None => {
            let mut s = Session::new(
                SourceInfo {
                    path: std::path::absolute(&load.path).unwrap_or(load.path.clone()),
                    sha256: String::new(),
                    size: load.bytes_total,
                },
                settings,
            );
            s.step = Step::Fix;
            // A roster file: no Match review any more.
            state.matching = None;
            s
        }
    };
    let mut session = session;
    if let Some(info) = hashed {
        session.source = info;
    }
    let view = session.view.clone();
    state.session = Some(session);
    if state.step == Step::Fix {
        // The counts first: the forms' facts are a pass over the roster (a moment for a
        // million rows) that only the forms need.
        fx.push(Effect::AfterDraw(Box::new(Msg::Load(LoadMsg::Settle {
            gen: state.load_gen,
        }))));
    } else {
        settle(state, fx);
    }
    if let Some(v) = &view {
        super::fix::restore_view(state, v);
    }
    let footer = state
        .import
        .loaded_footer
        .map_or_else(String::new, |f| format!(" ({f})"));
    state.status = Some(Status::info(format!(
        "Loaded {} rows from {}{footer}",
        state.roster.len(),
        load.path.display()
    )));
    super::fix::keep_selection_visible(state);
    fx.push(Effect::SaveSession);
}

/// The loaded roster's facts for the forms, then the memory the load freed given back.
fn settle(state: &mut State, fx: &mut Vec<Effect>) {
    super::choices::roster_loaded(state);
    fx.push(Effect::ReleaseMemory);
}

/// Start of the banner summing up a resume.
const RESUMED: &str = "Resumed your saved session";

/// A resumed session never lands on Import: its roster is loaded by then.
fn resume_step(saved: Step) -> Step {
    if saved == Step::Import {
        Step::Fix
    } else {
        saved
    }
}
