//! The wizard's roster from two exports: the Match review model (choices keyed by IDs), the
//! Import step's sources and the Match review screen driven through the real runtime (threads,
//! files), resume, undo, and snapshots at 120×36 and 80×24.

use crate::support::wizard;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use scc_onboard::directory::{join, read_microsoft, read_salesforce, JoinOptions};
use scc_onboard::session::{MatchChoice, Op, Session, Step, VERSION};
use scc_onboard::tui::match_review::{Joined, JoinedLists};
use scc_onboard::tui::runtime::{initial_state, Options, Runtime};
use scc_onboard::tui::state::{ImportSource, Popup};
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{handle_key, update, MatchMsg, Msg, State};
use scc_onboard::usecase::match_review::{Decision, MatchReview, Section, StaleReason};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wizard::*;

const SF: &str = "tests/fixtures/join-salesforce.csv";
const MS: &str = "tests/fixtures/join-microsoft.csv";
const GRACE: &str = "005Dn00000Grc02IAB";
const ALAN: &str = "005Dn00000Aln03IAB";
const JOAN: &str = "005Dn00000Jon04IAB";
const ADA: &str = "005Dn00000Ada01IAB";
const GRACE_MAIL: &str = "5f1c2a3e-0000-4000-8000-000000000002";
const ALAN_ACCOUNT: &str = "5f1c2a3e-0000-4000-8000-000000000004";
const ADA_ACCOUNT: &str = "5f1c2a3e-0000-4000-8000-000000000001";

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn choices() -> Vec<MatchChoice> {
    vec![
        MatchChoice::Choose {
            salesforce_id: GRACE.into(),
            microsoft_id: GRACE_MAIL.into(),
        },
        MatchChoice::Pick {
            salesforce_id: ALAN.into(),
            microsoft_id: ALAN_ACCOUNT.into(),
        },
        MatchChoice::LeaveOut {
            salesforce_id: JOAN.into(),
        },
    ]
}

/// (full name, Office 365 login) of each row, sorted.
fn people(rows: &[[String; 5]]) -> Vec<(String, String)> {
    let mut v: Vec<_> = rows.iter().map(|r| (r[0].clone(), r[3].clone())).collect();
    v.sort();
    v
}

#[test]
fn choices_keyed_by_ids_give_the_same_roster_after_the_exports_are_re_sorted() {
    let (sf, _) = read_salesforce(&fixture(SF)).unwrap();
    let (ms, _) = read_microsoft(&fixture(MS)).unwrap();
    let outcome = join(&sf, &ms, &JoinOptions::default());
    let none = MatchReview::new(&sf, &ms, &outcome, &[]);
    let c = none.counts();
    assert_eq!(
        (c.matched, c.ambiguous, c.only_salesforce, c.undecided),
        (2, 1, 2, 3),
        "{none:?}"
    );
    assert_eq!(
        people(&none.rows(&sf, &ms)),
        vec![
            ("Ada Lovelace".into(), "ada@contoso.com".into()),
            ("Katherine Johnson".into(), "kjohnson@contoso.com".into()),
        ],
        "undecided people are not in the roster"
    );

    let review = MatchReview::new(&sf, &ms, &outcome, &choices());
    assert!(review.stale.is_empty(), "{:?}", review.stale);
    let expected = vec![
        ("Ada Lovelace".to_string(), "ada@contoso.com".to_string()),
        ("Alan Turing".into(), "aturing@contoso.com".into()),
        ("Grace Hopper".into(), "ghopper@contoso.com".into()),
        ("Katherine Johnson".into(), "kjohnson@contoso.com".into()),
    ];
    let rows = review.rows(&sf, &ms);
    assert_eq!(people(&rows), expected);
    let grace = rows.iter().find(|r| r[2] == GRACE).unwrap();
    assert_eq!(grace[1], "grace@contoso.com.sf", "Salesforce login");
    assert_eq!(review.counts().left_out, 1);

    // Both exports re-sorted: the same choices give the same roster.
    let (mut sf2, mut ms2) = (sf.clone(), ms.clone());
    sf2.reverse();
    ms2.reverse();
    let outcome2 = join(&sf2, &ms2, &JoinOptions::default());
    let again = MatchReview::new(&sf2, &ms2, &outcome2, &choices());
    assert_eq!(people(&again.rows(&sf2, &ms2)), expected);
}

#[test]
fn choices_that_no_longer_fit_are_not_applied_and_say_why() {
    let (sf, _) = read_salesforce(&fixture(SF)).unwrap();
    let (ms, _) = read_microsoft(&fixture(MS)).unwrap();
    let outcome = join(&sf, &ms, &JoinOptions::default());
    let odd = vec![
        // Not one of Grace's candidates.
        MatchChoice::Choose {
            salesforce_id: GRACE.into(),
            microsoft_id: ALAN_ACCOUNT.into(),
        },
        // Ada's account is Ada's.
        MatchChoice::Pick {
            salesforce_id: ALAN.into(),
            microsoft_id: ADA_ACCOUNT.into(),
        },
        // Ada is matched: a pick is for people only in Salesforce.
        MatchChoice::Pick {
            salesforce_id: ADA.into(),
            microsoft_id: ALAN_ACCOUNT.into(),
        },
        MatchChoice::LeaveOut {
            salesforce_id: "005Dn00000Gone9AAA".into(),
        },
    ];
    let review = MatchReview::new(&sf, &ms, &outcome, &odd);
    let reasons: Vec<StaleReason> = review.stale.iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        vec![
            StaleReason::UnknownMicrosoft,
            StaleReason::Taken,
            StaleReason::WrongSection,
            StaleReason::UnknownSalesforce
        ]
    );
    // Nobody changed: as the join found them.
    assert_eq!(
        review.counts(),
        MatchReview::new(&sf, &ms, &outcome, &[]).counts()
    );
}

// --- The wizard, through the real runtime -------------------------------------------------

struct Wizard {
    state: State,
    rt: Runtime,
    rx: Receiver<Msg>,
}

impl Wizard {
    fn start(session: &Path, size: (u16, u16)) -> Wizard {
        let opts = Options {
            roster: None,
            session_path: session.to_path_buf(),
            mouse: false,
        };
        let (mut state, first) = initial_state(&opts, Theme::plain());
        let (tx, rx) = channel();
        let mut rt = Runtime::new(tx);
        rt.dispatch(&mut state, Msg::Resize(size.0, size.1));
        for e in first {
            if let Some(m) = rt.run(&state, e) {
                rt.dispatch(&mut state, m);
            }
        }
        Wizard { state, rt, rx }
    }

    fn key(&mut self, k: KeyEvent) {
        if let Some(msg) = handle_key(&self.state, k) {
            self.rt.dispatch(&mut self.state, msg);
        }
    }

    fn keys(&mut self, codes: &[KeyCode]) {
        for c in codes {
            self.key(key(*c));
        }
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(key(KeyCode::Char(c)));
        }
    }

    /// Feeds the threads' messages until `done` holds (deadline 20 s).
    fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(&self.state) {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
            self.rt.dispatch(&mut self.state, msg);
        }
    }

    fn select(&mut self, sf_id: &str) {
        let m = self.state.matching.as_ref().unwrap();
        let p = m
            .review
            .people
            .iter()
            .position(|p| m.lists.0.salesforce[p.salesforce].id == sf_id)
            .unwrap();
        let section = m.review.people[p].section;
        while self.state.matching.as_ref().unwrap().tab != section {
            self.key(key(KeyCode::Tab));
        }
        self.keys(&[KeyCode::PageUp]);
        while self.state.matching.as_ref().unwrap().selected() != Some(p) {
            self.key(key(KeyCode::Down));
        }
    }
}

/// Import: the source line (↑ from the path field), two exports picked in the path field.
fn open_exports(w: &mut Wizard) {
    w.keys(&[KeyCode::Up, KeyCode::Right]);
    assert_eq!(w.state.import.source, ImportSource::Exports);
    w.keys(&[KeyCode::Enter]);
    w.typed(&fixture(SF).display().to_string());
    w.keys(&[KeyCode::Enter]);
    w.typed(&fixture(MS).display().to_string());
    w.keys(&[KeyCode::Enter]);
    w.until("the join", |s| s.step == Step::MatchReview);
}

fn decision(state: &State, sf_id: &str) -> Decision {
    let m = state.matching.as_ref().unwrap();
    m.review
        .people
        .iter()
        .find(|p| m.lists.0.salesforce[p.salesforce].id == sf_id)
        .unwrap()
        .decision
        .clone()
}

fn match_ops(s: &Session) -> usize {
    s.history
        .iter()
        .filter(|op| matches!(op, Op::Match { .. }))
        .count()
}

#[test]
fn the_wizard_joins_two_exports_records_each_choice_and_resumes_them() {
    let dir = tempfile::tempdir().unwrap();
    let session_path = dir.path().join("session.json");
    let mut w = Wizard::start(&session_path, (120, 36));
    open_exports(&mut w);
    // The screen opens on the first section with someone to decide.
    assert_eq!(w.state.matching.as_ref().unwrap().tab, Section::Ambiguous);
    assert!(w.state.joined());

    // Grace: choose the candidate whose mail is hers.
    w.select(GRACE);
    let m = w.state.matching.as_ref().unwrap();
    let p = m.selected().unwrap();
    let at = m.review.people[p]
        .candidates
        .iter()
        .position(|(i, _)| m.lists.0.microsoft[*i].id == GRACE_MAIL)
        .unwrap();
    for _ in 0..at {
        w.key(key(KeyCode::Right));
    }
    w.key(key(KeyCode::Enter));
    assert!(matches!(decision(&w.state, GRACE), Decision::Joined { .. }));

    // Alan: search his account by name (the search starts from it) and pick it.
    w.select(ALAN);
    w.key(key(KeyCode::Char('/')));
    assert!(w.state.typing(), "the search takes the keys");
    w.key(key(KeyCode::Char('u'))); // typed, not undo: "Alan Turingu" finds nothing
    assert!(w
        .state
        .matching
        .as_ref()
        .unwrap()
        .search
        .as_ref()
        .unwrap()
        .results
        .is_empty());
    w.key(key(KeyCode::Backspace));
    w.key(key(KeyCode::Enter));
    let Decision::Joined { microsoft, .. } = decision(&w.state, ALAN) else {
        panic!("Alan picked")
    };
    assert_eq!(
        w.state.matching.as_ref().unwrap().lists.0.microsoft[microsoft].id,
        ALAN_ACCOUNT
    );

    // Joan: leave out; undo, redo.
    w.select(JOAN);
    w.key(key(KeyCode::Char('x')));
    assert_eq!(decision(&w.state, JOAN), Decision::LeftOut);
    w.key(key(KeyCode::Char('u')));
    assert_eq!(decision(&w.state, JOAN), Decision::Undecided);
    w.key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(decision(&w.state, JOAN), Decision::LeftOut);

    // Every choice is on disk already.
    let saved = Session::load(&session_path).unwrap();
    assert_eq!(saved.version, VERSION);
    assert_eq!(match_ops(&saved), 3);
    let join = saved.join.as_ref().unwrap();
    assert_eq!(join.choices.len(), 3);
    assert_eq!(join.salesforce.path, fixture(SF));
    assert_eq!(join.salesforce.sha256.len(), 64);

    // Continue: the joined roster is written next to the session and loaded into Fix.
    w.key(key(KeyCode::Char('>')));
    w.until("the joined roster in Fix", |s| {
        s.step == Step::Fix && s.load.is_none() && s.roster.len() == 4
    });
    let joined_csv = dir.path().join("session-joined.csv");
    let csv = std::fs::read_to_string(&joined_csv).unwrap();
    assert!(csv.contains("Grace Hopper,grace@contoso.com.sf,005Dn00000Grc02IAB,ghopper@contoso.com,grace@contoso.com"), "{csv}");
    assert!(!csv.contains("Joan"), "{csv}");
    let saved = Session::load(&session_path).unwrap();
    assert_eq!(saved.source.path, joined_csv);
    assert_eq!(saved.step, Step::Fix);

    // An edit in Fix; back on Match review a changed choice joins the roster again, and the
    // edit is replayed onto its user's row.
    w.typed("x"); // exclude the first row (Ada)
    assert_eq!(w.state.roster.counts().excluded, 1);
    w.key(key(KeyCode::Char('<')));
    assert_eq!(w.state.step, Step::MatchReview);
    w.select(JOAN);
    w.key(key(KeyCode::Char('x')));
    assert_eq!(decision(&w.state, JOAN), Decision::Undecided);
    let before = std::fs::metadata(&joined_csv).unwrap().modified().unwrap();
    w.key(key(KeyCode::Char('>')));
    w.until("Fix again", |s| s.step == Step::Fix && s.load.is_none());
    assert_eq!(w.state.roster.len(), 4, "undecided people stay out");
    assert_eq!(
        w.state.roster.counts().excluded,
        1,
        "the exclusion replayed"
    );
    assert!(std::fs::metadata(&joined_csv).unwrap().modified().unwrap() >= before);
    // Undo on Fix reaches the match choice (the last operation): it takes the admin back to
    // Match review, where `>` joins again.
    w.key(key(KeyCode::Char('u')));
    assert_eq!(w.state.step, Step::MatchReview);
    assert_eq!(decision(&w.state, JOAN), Decision::LeftOut);
    w.key(key(KeyCode::Char('>')));
    w.until("Fix once more", |s| s.step == Step::Fix && s.load.is_none());
    assert_eq!(w.state.roster.counts().excluded, 1);

    // Resume in a new wizard: the exports are joined again, the choices and the edit restored.
    drop(w);
    let mut w = Wizard::start(&session_path, (120, 36));
    // The prompt names both exports and checks them (not the joined roster, rewritten anyway).
    w.until(
        "the exports checked",
        |s| matches!(&s.popup, Some(Popup::Resume(o)) if o.source_changed == Some(false)),
    );
    let screen = text(&draw(&w.state, 120, 36));
    assert!(screen.contains("join-salesforce.csv +"), "{screen}");
    assert!(screen.contains("The source file is unchanged"), "{screen}");
    w.key(key(KeyCode::Enter));
    w.until("the resumed roster", |s| {
        s.step == Step::Fix && s.load.is_none() && s.roster.len() == 4
    });
    assert_eq!(w.state.roster.counts().excluded, 1);
    assert_eq!(decision(&w.state, JOAN), Decision::LeftOut);
    assert!(matches!(decision(&w.state, GRACE), Decision::Joined { .. }));
    assert!(matches!(decision(&w.state, ALAN), Decision::Joined { .. }));
    let banner = w.state.banner.as_ref().unwrap();
    assert!(
        banner.text.contains("3 match choice(s) restored"),
        "{banner:?}"
    );
}

#[test]
fn the_pull_source_without_an_app_says_what_is_missing_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Wizard::start(&dir.path().join("session.json"), (120, 36));
    w.keys(&[KeyCode::Up, KeyCode::Right, KeyCode::Right]);
    assert_eq!(w.state.import.source, ImportSource::Pull);
    w.keys(&[KeyCode::Enter]);
    w.until("the pull's answer", |s| s.import.error.is_some());
    // No app configured here: the pull names the missing setting and the way around it.
    let err = w.state.import.error.clone().unwrap();
    assert!(err.contains("salesforce.client_id"), "{err}");
    assert!(err.contains("Two exports to join"), "{err}");
    assert_eq!(w.state.step, Step::Import);
    assert!(w.state.session.is_none());
}

#[test]
fn a_version_2_session_still_loads_and_is_saved_as_the_current_version() {
    let v2 = r#"{"format":"scc-onboard-session","version":2,
            "source":{"path":"roster.csv","sha256":"","size":0},
            "history":[{"op":"exclude","row":3,"line":5,"excluded":true,
                        "anchor":{"row_key":"04be71c95d2a6f30","user":"Test"}}]}"#;
    let s = Session::from_json(v2.as_bytes(), "s.json".as_ref()).unwrap();
    assert_eq!(s.version, VERSION);
    assert!(s.join.is_none());
    let json = String::from_utf8(s.to_json()).unwrap();
    assert!(!json.contains("\"join\""), "{json}");
}

// --- Snapshots ------------------------------------------------------------------------------

/// A wizard on Match review without files: the lists joined in the test.
fn reviewing(size: (u16, u16)) -> State {
    let mut s = State::new(PathBuf::from("/nonexistent/session.json"), Theme::plain());
    update(&mut s, Msg::Resize(size.0, size.1));
    let (sf, _) = read_salesforce(&fixture(SF)).unwrap();
    let (ms, _) = read_microsoft(&fixture(MS)).unwrap();
    let outcome = join(&sf, &ms, &JoinOptions::default());
    let lists = JoinedLists {
        salesforce: sf,
        microsoft: ms,
        outcome,
        files: None,
        notices: vec![],
    };
    let gen = s.join_gen;
    update(
        &mut s,
        Msg::Match(MatchMsg::Joined {
            gen,
            result: Ok(Joined(Arc::new(lists))),
        }),
    );
    s
}

#[test]
fn match_review_snapshots() {
    for size in [(120, 36), (80, 24)] {
        let name = |what: &str| format!("match_{what}_{}x{}", size.0, size.1);
        let mut s = reviewing(size);
        insta::assert_snapshot!(name("ambiguous"), text(&draw(&s, size.0, size.1)));
        press(&mut s, key(KeyCode::Tab));
        press(&mut s, key(KeyCode::Char('/')));
        insta::assert_snapshot!(name("search"), text(&draw(&s, size.0, size.1)));
        press(&mut s, key(KeyCode::Enter));
        press(&mut s, key(KeyCode::Tab));
        insta::assert_snapshot!(name("matched"), text(&draw(&s, size.0, size.1)));
        press(&mut s, key(KeyCode::Char('?')));
        insta::assert_snapshot!(name("help"), text(&draw(&s, size.0, size.1)));

        let mut s = State::new(PathBuf::from("/nonexistent/session.json"), Theme::plain());
        update(&mut s, Msg::Resize(size.0, size.1));
        press(&mut s, key(KeyCode::Up));
        press(&mut s, key(KeyCode::Right));
        insta::assert_snapshot!(name("import_exports"), text(&draw(&s, size.0, size.1)));
        press(&mut s, key(KeyCode::Right));
        insta::assert_snapshot!(name("import_pull"), text(&draw(&s, size.0, size.1)));
    }
}

/// Issue 12's pull source as an admin walks it, in tmux with the real keyring (run inside
/// scripts/test-in-session.sh): Import → "Sign in and pull both lists" → both administrator
/// sign-ins through the browser stand-in (tests/support/oidc/browser.mjs) → the users read
/// page by page from the Salesforce and Graph stand-ins → Match review (one person picked by
/// search, one left out) → Fix, with the pulled roster.
#[cfg(target_os = "linux")]
mod pull_walk {
    use crate::support::graph_directory::{MsRecord, Throttle};
    use crate::support::salesforce_api::{user_id, SfRecord};
    use crate::support::wizard::{self, Tmux};
    use crate::support::*;

    /// Salesforce pages hold 2,000 users: 2,502 make two pages.
    const PEOPLE: u64 = 2_500;

    /// Everyone in both systems (UPN = username), Jane the admin too; user 3's account is
    /// disabled; "Only Salesforce" has an account the evidence does not reach (another UPN,
    /// no mail), so it is picked by search.
    fn people() -> (Vec<SfRecord>, Vec<MsRecord>) {
        let mut sf = Vec::new();
        let mut ms = Vec::new();
        for i in 0..PEOPLE {
            let login = format!("user{i}@acme.example");
            sf.push(SfRecord::new(
                &user_id(i),
                &format!("User {i}"),
                &login,
                &login,
            ));
            let mut m = MsRecord::new(i, &login, &format!("User {i}"));
            m.mail = Some(login.clone());
            ms.push(m);
        }
        ms[3].enabled = false;
        sf.push(SfRecord::new(
            "0055e000001XyZaAAK",
            "Jane Admin",
            "jane@example.com",
            "jane@example.com",
        ));
        ms.push(MsRecord::new(99_999, "jane@example.com", "Jane Admin"));
        sf.push(SfRecord::new(
            &user_id(90_000),
            "Only Salesforce",
            "only.sf@acme.example",
            "only.sf@acme.example",
        ));
        ms.push(MsRecord::new(90_000, "osf@acme.example", "Only Salesforce"));
        (sf, ms)
    }

    #[test]
    fn admin_pulls_both_lists_signs_in_reviews_the_matches_and_fixes() {
        let _k = keyring_lock();
        wizard::clear_admin_sign_ins();
        let (sf_people, ms_people) = people();
        let stand_ins = wizard::PullStandIns::start(sf_people, ms_people);
        let (sf, graph) = (&stand_ins.salesforce, &stand_ins.graph);
        // The first Graph request waits a second (429, Retry-After: 1): long enough to see
        // the Salesforce pages counted on the screen.
        graph.throttle_next(
            1,
            Throttle {
                status: 429,
                retry_after: Some(1),
            },
        );
        let sb = Sandbox::new(&stand_ins.config);
        let t = Tmux::new();
        t.start(
            (120, 36),
            &wizard::in_sandbox(&sb, "wizard --session session.json"),
        );

        // Import: ↑ to the source line, → → the pull; Enter signs in.
        t.wait_for("Roster file");
        t.keys(&["Up", "Right", "Right"]);
        t.wait_for("Sign in and pull both lists");
        sb.keep_text(t.screen());
        t.keys(&["Enter"]);
        sb.keep_text(t.wait_for("Reading users: Salesforce 2502 of 2502"));
        let screen = t.wait_for("[Match review]");
        sb.keep_text(screen.clone());
        // Every page was read: 2,502 Salesforce users, 2,502 accounts (999 a page: 3 pages).
        assert!(
            screen.contains("2502 Salesforce users, 2502 Microsoft 365 accounts"),
            "{screen}"
        );
        assert_eq!(sf.query_pages(), 2);
        assert_eq!(graph.pages(), 3);
        assert_eq!(graph.throttled(), 1);
        assert!(
            screen.contains("[Only in Salesforce 2 (2 to decide)]"),
            "{screen}"
        );
        assert!(screen.contains("Matched 2500"), "{screen}");

        // "Only Salesforce": the account by search (it starts from the name); user 3 (a
        // disabled account) left out.
        let at = |s: &str, what: &str| s.lines().position(|l| l.contains(what));
        if at(&screen, "? User 3 ") < at(&screen, "? Only Salesforce") {
            t.keys(&["Down"]);
        }
        t.keys(&["/"]);
        t.wait_for("Search accounts: Only Salesforce");
        t.keys(&["Enter"]);
        t.wait_for("picked by you");
        // To User 3 (the list keeps its order), then leave them out.
        for _ in 0..2 {
            if t.screen().contains("│▶? User 3 ") {
                break;
            }
            t.keys(&["Up"]);
        }
        t.wait_for("│▶? User 3 ");
        t.keys(&["x"]);
        t.wait_for("- Left out of the roster");
        sb.keep_text(t.wait_for("In the roster: 2501 · left out: 1 · to decide: 0"));

        // Continue: the pulled roster opens in Fix like any roster.
        t.keys(&[">"]);
        let screen = t.wait_for("[Fix]");
        sb.keep_text(screen);
        t.wait_for("2501 rows: 2501 included");
        t.keys(&["q"]);
        t.wait_for_in_history("scc-onboard wizard exited with 0");

        // Both administrator sign-ins are in the keyring, apart from end users', and no token
        // or code reached a file, the session or the screen.
        let list = sb.run(&["credentials", "list"]);
        let table = stdout(&list);
        assert!(
            table.contains("Administrator sign-ins (roster pull, roster verify):"),
            "{table}"
        );
        assert!(table.contains("No end-user authorizations."), "{table}");
        let session = std::fs::read_to_string(sb.dir.path().join("session.json")).unwrap();
        assert!(session.contains("\"join\""), "{session}");
        let secrets = stand_ins.secrets();
        sb.assert_no_leaks(&secrets, &[]);
        wizard::clear_admin_sign_ins();
    }
}
