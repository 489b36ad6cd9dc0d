//! The Import step's other sources (two exports to join, pull) and the Match review step:
//! the admin's choices become `Op::Match` operations (saved, undoable, resumed), and
//! continuing writes the joined roster next to the session and loads it like any roster.

use crate::session::{joined_path, ImportSettings, JoinSource, MatchChoice, MatchEdit, Op};
use crate::session::{Session, SourceInfo, Step};
use crate::tui::match_review::{tab_index, Joined, MatchState, Search};
use crate::tui::msg::{Effect, MatchMsg, Msg};
use crate::tui::state::{FixState, ImportFocus, ImportSource, JoinContinue, State, Status};
use crate::usecase::match_review::{Decision, Section};
use std::path::PathBuf;

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Match(MatchMsg::CycleSource(d)) => {
            let imp = &mut state.import;
            let all = ImportSource::ALL;
            let i = all.iter().position(|s| *s == imp.source).unwrap_or(0) as isize;
            imp.source = all[(i + d).rem_euclid(all.len() as isize) as usize];
            imp.join_salesforce = None;
            imp.focus = ImportFocus::Source;
            imp.preview = None;
            imp.headers.clear();
            imp.error = None;
            imp.candidates.clear();
        }
        Msg::Match(MatchMsg::StartPull { device }) => {
            state.join_gen += 1;
            state.import.error = None;
            state.status = Some(Status::info(
                "Signing in to Salesforce and Microsoft 365 to read both user lists…",
            ));
            fx.push(Effect::Pull {
                gen: state.join_gen,
                device,
            });
        }
        Msg::Match(MatchMsg::PullProgress(text)) => state.status = Some(Status::info(text)),
        Msg::Match(MatchMsg::Joined { gen, result }) if gen == state.join_gen => match result {
            Ok(lists) => joined(state, lists, fx),
            Err(e) => {
                state.status = None;
                state.join_continue = None;
                state.pending_resume = None;
                state.step = Step::Import;
                state.import.error = Some(e);
            }
        },
        Msg::Match(MatchMsg::JoinedWritten(result)) => written(state, result, fx),
        Msg::Match(MatchMsg::Tab(d)) => {
            if let Some(m) = &mut state.matching {
                let i = tab_index(m.tab) as isize;
                m.tab = Section::ALL[(i + d).rem_euclid(3) as usize];
                m.candidate = 0;
                m.search = None;
            }
        }
        Msg::Match(MatchMsg::Move(d)) => {
            if let Some(m) = &mut state.matching {
                let n = m.shown().len();
                let c = &mut m.cursor[tab_index(m.tab)];
                *c = (*c as isize + d).clamp(0, n.saturating_sub(1) as isize) as usize;
                m.candidate = 0;
                m.search = None;
            }
        }
        Msg::Match(MatchMsg::Candidate(d)) => {
            if let Some(m) = &mut state.matching {
                if let Some(s) = &mut m.search {
                    let max = s.results.len().saturating_sub(1) as isize;
                    s.cursor = (s.cursor as isize + d).clamp(0, max) as usize;
                } else if let Some(p) = m.selected() {
                    let n = m.review.people[p].candidates.len();
                    if n > 0 {
                        m.candidate = (m.candidate as isize + d).rem_euclid(n as isize) as usize;
                    }
                }
            }
        }
        Msg::Match(MatchMsg::Choose) => choose(state, fx),
        Msg::Match(MatchMsg::LeaveOut) => leave_out(state, fx),
        Msg::Match(MatchMsg::Search) => open_search(state),
        Msg::Text(edit) => {
            if let Some(m) = &mut state.matching {
                if let Some(s) = &mut m.search {
                    s.input.apply(&edit);
                    s.cursor = 0;
                }
                m.run_search();
            }
        }
        Msg::CommitInput => choose(state, fx),
        Msg::CancelInput => {
            if let Some(m) = &mut state.matching {
                m.search = None;
            }
        }
        _ => {}
    }
}

/// Path field or file list with the two-exports source: the first path is the Salesforce
/// export, the second the Microsoft 365 one, which starts the join.
pub(super) fn pick_export(state: &mut State, path: PathBuf, fx: &mut Vec<Effect>) {
    let imp = &mut state.import;
    imp.candidates.clear();
    imp.error = None;
    match imp.join_salesforce.take() {
        None => {
            imp.join_salesforce = Some(path);
            imp.path.set("");
            imp.focus = ImportFocus::Path;
        }
        Some(salesforce) => {
            state.join_gen += 1;
            state.status = Some(Status::info("Reading and joining both exports…"));
            // Kept so the screen still names it while the join runs.
            imp.join_salesforce = Some(salesforce.clone());
            fx.push(Effect::Join {
                gen: state.join_gen,
                salesforce,
                microsoft: path,
            });
        }
    }
}

/// A resumed session whose roster was joined: join its exports again first.
pub(super) fn resume(state: &mut State, session: Session, fx: &mut Vec<Effect>) {
    let Some(join) = &session.join else {
        return;
    };
    state.import.source = ImportSource::Exports;
    state.join_gen += 1;
    fx.push(Effect::Join {
        gen: state.join_gen,
        salesforce: join.salesforce.path.clone(),
        microsoft: join.microsoft.path.clone(),
    });
    state.status = Some(Status::info("Reading and joining both exports again…"));
    state.pending_resume = Some(session);
}

fn joined(state: &mut State, lists: Joined, fx: &mut Vec<Effect>) {
    let files = lists.0.files.clone();
    let (salesforce, microsoft) = files.unwrap_or_else(|| {
        let pulled = |name: &str| SourceInfo {
            path: PathBuf::from(name),
            sha256: String::new(),
            size: 0,
        };
        (
            pulled("(pulled from Salesforce)"),
            pulled("(pulled from Microsoft 365)"),
        )
    });
    let notices = lists.0.notices.len();
    state.import.join_salesforce = None;
    match state.pending_resume.take() {
        Some(mut s) if s.join.is_some() => {
            let mut changed = Vec::new();
            if let Some(j) = &mut s.join {
                for (was, now) in [
                    (&mut j.salesforce, &salesforce),
                    (&mut j.microsoft, &microsoft),
                ] {
                    if !was.sha256.is_empty() && was.sha256 != now.sha256 {
                        changed.push(now.path.display().to_string());
                    }
                    *was = now.clone();
                }
            }
            let choices = s
                .join
                .as_ref()
                .map(|j| j.choices.clone())
                .unwrap_or_default();
            let saved = s.step;
            state.matching = Some(MatchState::new(lists, &choices));
            state.session = Some(s);
            let stale = state.matching.as_ref().map_or(0, |m| m.review.stale.len());
            let mut text = format!(
                "Resumed your saved session: {} match choice(s) restored",
                choices.len() - stale
            );
            if stale > 0 {
                text.push_str(&format!(
                    ", {stale} no longer fit the exports (not applied)"
                ));
            }
            if !changed.is_empty() {
                text.push_str(&format!("; {} changed since", changed.join(" and ")));
            }
            let warn = stale > 0 || !changed.is_empty();
            state.banner = Some(if warn {
                Status::error(text)
            } else {
                Status::info(text)
            });
            if matches!(saved, Step::Import | Step::MatchReview) {
                state.step = Step::MatchReview;
                state.status = None;
                fx.push(Effect::SaveSession);
            } else {
                state.join_continue = Some(JoinContinue::Resume);
                write_joined(state, fx);
            }
        }
        _ => {
            let mut s = Session::new(
                SourceInfo {
                    path: std::path::absolute(joined_path(&state.session_path))
                        .unwrap_or_else(|_| joined_path(&state.session_path)),
                    sha256: String::new(),
                    size: 0,
                },
                ImportSettings::default(),
            );
            s.join = Some(JoinSource {
                salesforce,
                microsoft,
                include_inactive: false,
                choices: Vec::new(),
            });
            s.step = Step::MatchReview;
            state.matching = Some(MatchState::new(lists, &[]));
            state.session = Some(s);
            state.roster = crate::roster::Roster::new();
            state.fix = FixState::default();
            state.step = Step::MatchReview;
            state.banner = None;
            let c = state
                .matching
                .as_ref()
                .map(|m| m.review.counts())
                .unwrap_or_default();
            let o = &state.matching.as_ref().map(|m| m.lists.clone());
            let (only_ms, skipped) = o.as_ref().map_or((0, 0), |l| {
                (l.0.outcome.only_microsoft.len(), l.0.outcome.skipped.len())
            });
            let mut text = format!(
                "Joined: {} matched, {} ambiguous, {} only in Salesforce, {only_ms} only in \
                 Microsoft 365, {skipped} skipped (inactive, disabled or guest)",
                c.matched, c.ambiguous, c.only_salesforce
            );
            if notices > 0 {
                text.push_str(&format!(" ({notices} note(s) from the readers)"));
            }
            state.status = Some(Status::info(text));
            fx.push(Effect::SaveSession);
        }
    }
}

/// The current choices (empty when the session is not a join).
fn choices(state: &State) -> Vec<MatchChoice> {
    state
        .session
        .as_ref()
        .and_then(|s| s.join.as_ref())
        .map(|j| j.choices.clone())
        .unwrap_or_default()
}

/// Records one choice change for the selected person (`Op::Match`) and shows its effect.
fn record(state: &mut State, salesforce_id: &str, new: Option<MatchChoice>, fx: &mut Vec<Effect>) {
    let Some(s) = state.session.as_mut() else {
        return;
    };
    let Some(join) = s.join.as_mut() else {
        return;
    };
    let edit = join.edit_to(salesforce_id, new);
    if edit.old == edit.new {
        return;
    }
    join.apply(&edit);
    let text = state
        .matching
        .as_ref()
        .map_or_else(|| edit.describe(), |m| say(m, &edit));
    s.history.push(Op::Match { edit });
    s.redo.clear();
    let now = join.choices.clone();
    if let Some(m) = &mut state.matching {
        m.refresh(&now);
        m.search = None;
    }
    state.status = Some(Status::info(text));
    fx.push(Effect::SaveSession);
}

/// The edit in the admin's words: names and addresses rather than IDs.
fn say(m: &MatchState, edit: &MatchEdit) -> String {
    let l = &m.lists.0;
    let name = m
        .review
        .person_by_id(&edit.salesforce_id)
        .map_or(edit.salesforce_id.as_str(), |p| {
            l.salesforce[m.review.people[p].salesforce].name.as_str()
        });
    let account = |id: &str| {
        l.microsoft
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(id))
            .map_or(id.to_string(), |u| u.upn.clone())
    };
    match &edit.new {
        Some(MatchChoice::Choose { microsoft_id, .. }) => {
            format!("{name}: chose {}", account(microsoft_id))
        }
        Some(MatchChoice::Pick { microsoft_id, .. }) => {
            format!("{name}: picked {}", account(microsoft_id))
        }
        Some(MatchChoice::LeaveOut { .. }) => format!("{name}: left out"),
        None => format!("{name}: back as the join found them"),
    }
}

/// Enter: the highlighted candidate (ambiguous), the highlighted search result (search open),
/// or open the search (only in Salesforce).
fn choose(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(m) = &state.matching else {
        return;
    };
    let Some(p) = m.selected() else {
        return;
    };
    let l = &m.lists.0;
    let person = &m.review.people[p];
    let salesforce_id = l.salesforce[person.salesforce].id.clone();
    match (person.section, &m.search) {
        (Section::Ambiguous, _) => {
            let Some((ms, _)) = person.candidates.get(m.candidate) else {
                return;
            };
            let choice = MatchChoice::Choose {
                salesforce_id: salesforce_id.clone(),
                microsoft_id: l.microsoft[*ms].id.clone(),
            };
            record(state, &salesforce_id, Some(choice), fx);
        }
        (Section::OnlySalesforce, Some(search)) => {
            let Some(&ms) = search.results.get(search.cursor) else {
                state.status = Some(Status::error("No account matches the search"));
                return;
            };
            let choice = MatchChoice::Pick {
                salesforce_id: salesforce_id.clone(),
                microsoft_id: l.microsoft[ms].id.clone(),
            };
            record(state, &salesforce_id, Some(choice), fx);
        }
        (Section::OnlySalesforce, None) => open_search(state),
        (Section::Matched, _) => {
            state.status = Some(Status::info(
                "Matched by evidence; x leaves this person out",
            ))
        }
    }
}

/// `x`: leave the selected person out, or (already left out) take the choice back.
fn leave_out(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(m) = &state.matching else {
        return;
    };
    let Some(p) = m.selected() else {
        return;
    };
    let person = &m.review.people[p];
    let salesforce_id = m.lists.0.salesforce[person.salesforce].id.clone();
    let new = if person.decision == Decision::LeftOut {
        None
    } else {
        Some(MatchChoice::LeaveOut {
            salesforce_id: salesforce_id.clone(),
        })
    };
    record(state, &salesforce_id, new, fx);
}

fn open_search(state: &mut State) {
    let Some(m) = &mut state.matching else {
        return;
    };
    let Some(p) = m.selected() else {
        return;
    };
    if m.review.people[p].section != Section::OnlySalesforce {
        state.status = Some(Status::info(
            "Search is for people only in Salesforce (their own tab)",
        ));
        return;
    }
    // Start from the person's name: often enough to find their account.
    let name = m.lists.0.salesforce[m.review.people[p].salesforce]
        .name
        .clone();
    let mut search = Search::default();
    search.input.set(name);
    m.search = Some(search);
    m.run_search();
}

/// `>` from Match review: join the roster with the current choices, unless the loaded one
/// already is. Returns true when Fix can open at once.
pub(super) fn continue_to_fix(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    let now = choices(state);
    let Some(m) = &state.matching else {
        return true;
    };
    if m.built_with.as_ref() == Some(&now) && state.load.is_none() {
        return true;
    }
    state.join_continue = Some(JoinContinue::Continue);
    write_joined(state, fx);
    false
}

fn write_joined(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(m) = &state.matching else {
        return;
    };
    let l = &m.lists.0;
    let rows = m.review.rows(&l.salesforce, &l.microsoft);
    if rows.is_empty() {
        state.join_continue = None;
        state.status = Some(Status::error(
            "Nobody would be in the roster: choose or pick an account for someone first",
        ));
        return;
    }
    state.status = Some(Status::info(format!(
        "Writing the joined roster ({} people)…",
        rows.len()
    )));
    fx.push(Effect::WriteJoined {
        path: state
            .session
            .as_ref()
            .map(|s| s.source.path.clone())
            .unwrap_or_else(|| joined_path(&state.session_path)),
        rows,
    });
}

fn written(state: &mut State, result: Result<SourceInfo, String>, fx: &mut Vec<Effect>) {
    let info = match result {
        Ok(info) => info,
        Err(e) => {
            state.join_continue = None;
            state.status = Some(Status::error(format!(
                "The joined roster could not be written ({e}); your choices are saved"
            )));
            return;
        }
    };
    let now = choices(state);
    if let Some(m) = &mut state.matching {
        m.built_with = Some(now);
    }
    state.import.path.set(info.path.display().to_string());
    state.import.options = Default::default();
    state.import.preview = None;
    if let Some(s) = &mut state.session {
        s.source = info;
    }
    super::import::start_load(state, fx);
}

/// Undoes (`undo`) or redoes a recorded match choice; the roster is joined again when the
/// admin continues from Match review, so an undo elsewhere takes them there.
/// Returns what it did, in the admin's words.
pub(super) fn undo_redo(state: &mut State, edit: &MatchEdit, undo: bool) -> String {
    let Some(join) = state.session.as_mut().and_then(|s| s.join.as_mut()) else {
        return edit.describe();
    };
    let applied = if undo { edit.inverse() } else { edit.clone() };
    join.apply(&applied);
    let now = join.choices.clone();
    if let Some(m) = &mut state.matching {
        m.refresh(&now);
    }
    if state.step != Step::MatchReview && state.matching.is_some() {
        state.step = Step::MatchReview;
        if let Some(s) = &mut state.session {
            s.step = Step::MatchReview;
        }
    }
    state
        .matching
        .as_ref()
        .map_or_else(|| applied.describe(), |m| say(m, &applied))
}
