//! Shared by the wizard benches: a Fix-step state over a generated roster.

use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::synth::{generate, SynthOptions};
use scc_onboard::roster::Roster;
use scc_onboard::session::{ImportSettings, Session, SourceInfo, Step};
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{update, FixMsg, Msg, State};

/// Roster sizes every wizard bench runs at.
pub const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];

/// The CSV text of a generated roster of `rows` rows (5% defects).
pub fn csv(rows: usize) -> String {
    generate(&SynthOptions {
        rows,
        ..SynthOptions::default()
    })
    .csv
}

/// A wizard on the Fix step over a generated roster, selection in the middle, 120×40.
pub fn fix_state(rows: usize) -> State {
    let text = csv(rows);
    let roster =
        Roster::from_imported(import_bytes(text.as_bytes(), &ImportOptions::default()).unwrap());
    let mut state = State::new("/nonexistent/session.json".into(), Theme::from_env());
    state.roster = roster;
    state.session = Some(Session::new(
        SourceInfo::of_bytes("bench.csv".as_ref(), text.as_bytes()),
        ImportSettings::default(),
    ));
    state.step = Step::Fix;
    update(&mut state, Msg::Resize(120, 40));
    update(&mut state, Msg::Fix(FixMsg::Move(rows as isize / 2)));
    state
}
