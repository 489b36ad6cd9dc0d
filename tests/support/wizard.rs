//! Helpers shared by the wizard's tests: a state loaded through the real messages, keys, and
//! screen text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use scc_onboard::roster::import::{ImportOptions, Importer};
use scc_onboard::session::SourceInfo;
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{handle_key, update, view, Effect, ImportMsg, LoadMsg, Msg, State};
use std::path::PathBuf;

pub const FIXTURE: &str = include_str!("../fixtures/wizard-roster.csv");

/// A wizard that loaded `csv` the way the runtime does (StartLoad → LoadStarted → batches →
/// LoadDone), without touching the disk.
pub fn loaded(csv: &str, size: (u16, u16)) -> State {
    let mut state = State::new(PathBuf::from("/nonexistent/session.json"), Theme::plain());
    update(&mut state, Msg::Resize(size.0, size.1));
    state.import.path.set("roster.csv");
    load_into(&mut state, csv);
    state
}

/// Drives a load of `csv` through `update`, as the loader thread would report it.
pub fn load_into(state: &mut State, csv: &str) -> Vec<Effect> {
    let fx = update(state, Msg::Import(ImportMsg::StartLoad));
    let gen = fx
        .iter()
        .find_map(|e| match e {
            Effect::Load { gen, .. } => Some(*gen),
            _ => None,
        })
        .expect("StartLoad asks for a load");
    let mut importer = Importer::new(csv.as_bytes().to_vec(), &ImportOptions::default()).unwrap();
    let path = PathBuf::from("roster.csv");
    update(
        state,
        Msg::Load(LoadMsg::Started {
            gen,
            path: path.clone(),
            detected: importer.detected().clone(),
        }),
    );
    loop {
        let mut records = Vec::new();
        let more = importer.read_batch(3, &mut records).unwrap();
        update(
            state,
            Msg::Load(LoadMsg::Batch {
                gen,
                records,
                bytes_done: importer.bytes_done(),
                bytes_total: importer.bytes_total(),
            }),
        );
        if !more {
            break;
        }
    }
    update(
        state,
        Msg::Load(LoadMsg::SourceHashed {
            gen,
            info: SourceInfo::of_bytes(&path, csv.as_bytes()),
        }),
    );
    let mut fx = update(state, Msg::Load(LoadMsg::Done { gen }));
    // What the runtime does after drawing.
    while let Some(i) = fx.iter().position(|e| matches!(e, Effect::AfterDraw(_))) {
        let Effect::AfterDraw(msg) = fx.remove(i) else {
            unreachable!()
        };
        fx.extend(update(state, *msg));
    }
    fx
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Presses one key: handle_key then update. Returns the effects.
pub fn press(state: &mut State, k: KeyEvent) -> Vec<Effect> {
    match handle_key(state, k) {
        Some(msg) => update(state, msg),
        None => Vec::new(),
    }
}

/// Presses each character of `keys` as a key.
pub fn type_keys(state: &mut State, keys: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in keys.chars() {
        fx.extend(press(state, key(KeyCode::Char(c))));
    }
    fx
}

pub fn saves(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::SaveSession))
}

/// Draws the state on a test terminal.
pub fn draw(state: &State, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view(state, f)).unwrap();
    t.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The 0-based roster row whose source line is `line`.
pub fn row_of_line(state: &State, line: u64) -> usize {
    (0..state.roster.len())
        .find(|&r| state.roster.record(r).line == line)
        .expect("line in roster")
}

/// Selects the row with source `line` by pressing Home then j.
pub fn go_to_line(state: &mut State, line: u64) {
    press(state, key(KeyCode::Home));
    let row = row_of_line(state, line);
    for _ in 0..row {
        press(state, key(KeyCode::Char('j')));
    }
}

/// Selects column `col` (Field index) with h/l.
pub fn go_to_col(state: &mut State, col: usize) {
    for _ in 0..5 {
        press(state, key(KeyCode::Char('h')));
    }
    for _ in 0..col {
        press(state, key(KeyCode::Char('l')));
    }
}

/// How long a tmux walk waits for the screen to show something.
#[cfg(unix)]
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// A private tmux server, killed when dropped: the real binary in a real terminal.
#[cfg(unix)]
pub struct Tmux {
    pub socket: String,
}

#[cfg(unix)]
impl Default for Tmux {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(unix)]
impl Tmux {
    pub fn new() -> Self {
        Tmux {
            socket: format!(
                "scc-e2e-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            )
            .replace(['(', ')'], ""),
        }
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        let out = std::process::Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux runs (scripts/setup.sh installs it)");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts `command` in a `width`×`height` window; the pane stays after it exits.
    pub fn start(&self, (width, height): (u16, u16), command: &str) {
        let (w, h) = (width.to_string(), height.to_string());
        self.cmd(&["new-session", "-d", "-s", "w", "-x", &w, "-y", &h, command]);
        self.cmd(&["set-option", "-t", "w", "remain-on-exit", "on"]);
    }

    /// Replaces what runs in the pane with `command`.
    pub fn respawn(&self, command: &str) {
        self.cmd(&["respawn-pane", "-k", "-t", "w", command]);
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "w"]).stdout).into_owned()
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_any(&[text]).1
    }

    /// Waits until the screen shows one of `texts`: which one, and the screen.
    pub fn wait_for_any(&self, texts: &[&str]) -> (usize, String) {
        let start = std::time::Instant::now();
        loop {
            let screen = self.screen();
            if let Some(i) = texts.iter().position(|t| screen.contains(t)) {
                return (i, screen);
            }
            assert!(
                start.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {texts:?}; the screen shows:\n{screen}"
            );
            std::thread::yield_now();
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "w"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    pub fn type_text(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "w", "-l", text]);
    }

    pub fn pane_pid(&self) -> String {
        let out = self.cmd(&["display-message", "-p", "-t", "w", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the pane's whole history (scrollback included) shows `text`.
    pub fn wait_for_in_history(&self, text: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let out = self.cmd(&["capture-pane", "-p", "-S", "-200", "-t", "w"]);
            let screen = String::from_utf8_lossy(&out.stdout).into_owned();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {text:?} in the history:\n{screen}"
            );
            std::thread::yield_now();
        }
    }

    pub fn pane_dead(&self) -> bool {
        let out = self.cmd(&["display-message", "-p", "-t", "w", "#{pane_dead}"]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }
}

#[cfg(unix)]
impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = std::process::Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The shell line that runs the binary with `args` in the sandbox's folder and environment
/// (its config through `SCC_ONBOARD_CONFIG`, since the wizard takes no `--config`), then says
/// how it exited ("scc-onboard wizard exited with 0") and keeps the pane open.
#[cfg(unix)]
pub fn in_sandbox(sb: &super::Sandbox, args: &str) -> String {
    let mut env: Vec<String> = sb.env.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
    env.sort();
    let what = args.split(' ').next().unwrap_or_default();
    format!(
        "cd '{}' && env {} SCC_ONBOARD_CONFIG='{}' XDG_DATA_HOME='{}' '{}' {args}; echo \"scc-onboard {what} exited with $?\"; exec cat",
        sb.dir.path().display(),
        env.join(" "),
        sb.config.display(),
        sb.dir.path().join("data").display(),
        env!("CARGO_BIN_EXE_scc-onboard"),
    )
}

/// Removes every administrator sign-in (roster pull / verify) from the session's keyring.
#[cfg(target_os = "linux")]
pub fn clear_admin_sign_ins() {
    use scc_onboard::auth::{Provider, TokenStore};
    let store = TokenStore::open("secret-service", std::time::Duration::from_secs(20))
        .expect("the test session has a keyring");
    for p in Provider::ALL {
        for c in store.list_admin(p).unwrap() {
            store.delete_admin(p, &c.login).unwrap();
        }
    }
}

/// The stand-ins a pull signs in to and reads (the Salesforce OAuth + REST server, the
/// Microsoft identity server, the Graph directory checking its tokens), with the config that
/// points at them and keeps sign-ins in the session's real keyring.
#[cfg(target_os = "linux")]
pub struct PullStandIns {
    pub salesforce: super::salesforce_api::SalesforceApi,
    pub microsoft: super::NodeServer,
    pub graph: super::graph_directory::GraphDirectory,
    pub config: String,
}

#[cfg(target_os = "linux")]
impl PullStandIns {
    pub fn start(
        salesforce: Vec<super::salesforce_api::SfRecord>,
        microsoft: Vec<super::graph_directory::MsRecord>,
    ) -> PullStandIns {
        use super::{MS_CLIENT, SF_CLIENT};
        let port = super::free_port();
        let sf = super::salesforce_api::SalesforceApi::with_oauth(salesforce, port);
        let oidc = super::microsoft();
        let graph = super::graph_directory::GraphDirectory::start(microsoft, Some(oidc.base()));
        let config = format!(
            "[salesforce]\nlogin_url = \"{sf}\"\nclient_id = \"{SF_CLIENT}\"\nredirect_uri = \"http://localhost:{port}/callback\"\n\n\
             [microsoft]\nauthority = \"{ms}\"\ntenant = \"organizations\"\nclient_id = \"{MS_CLIENT}\"\nredirect_uri = \"http://localhost/callback\"\ngraph_url = \"{g}\"\n\n\
             [flow]\ntimeout_seconds = 60\nkeyring_timeout_seconds = 20\nkeyring = \"secret-service\"\n",
            sf = sf.base(),
            ms = oidc.base(),
            g = graph.base(),
        );
        PullStandIns {
            salesforce: sf,
            microsoft: oidc,
            graph,
            config,
        }
    }

    /// Every token and code the sign-ins were issued: what must never leak.
    pub fn secrets(&self) -> Vec<String> {
        let mut s = self.salesforce.secrets();
        s.extend(self.microsoft.secrets());
        s
    }
}
