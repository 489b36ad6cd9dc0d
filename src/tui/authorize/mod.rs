//! The end-user authorize screen (`scc-onboard authorize` with no provider): a card per
//! provider the config's `[plan]` says the user authorizes (Salesforce always, Exchange only
//! under Exchange Online per_user; the invitations' decision), each with status, Authorize,
//! Renew and Disconnect.
//!
//! `state` is pure (messages in, effects out), `view` draws, and the runtime here runs the
//! effects on threads that report back as messages.

mod keys;
mod state;
mod view;

#[cfg(test)]
mod tests;

use crate::auth::flow::FlowOptions;
use crate::auth::{
    self, AuthError, Cancel, Config, Expected, FlowEvent, FlowMode, Provider, TokenStore,
};
use crate::tui::terminal::TerminalGuard;
use crate::usecase::authorize::{self as usecase, Decision, OnMismatch, Pending};
use state::{App, Effect, Level, Msg};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};

/// Why the screen could not run (the CLI turns it into a message and an exit code).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScreenError {
    #[error("the authorize screen needs a terminal; without one use `scc-onboard authorize salesforce` and `scc-onboard authorize exchange`")]
    NoTerminal,
    #[error("cannot use the terminal: {0}")]
    Terminal(std::io::Error),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

/// Runs the screen until the user quits. `expected` comes from a roster or the config's
/// `[expect]`, when there is one; `mode` is [`FlowMode::Device`] for `--device` /
/// `--no-browser`.
pub(crate) fn run(
    config: Config,
    login: Option<String>,
    expected: Option<Expected>,
    mode: FlowMode,
) -> Result<(), ScreenError> {
    if !std::io::stderr().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(ScreenError::NoTerminal);
    }
    // The CLI took the roster row when there was one; otherwise the expectation is [expect].
    let from_invitation = expected.is_some() && expected == config.expect;
    let store = usecase::open_store(&config)?;
    let mut guard = TerminalGuard::enter(false).map_err(ScreenError::Terminal)?;
    // Each card's account: the expected login at that provider, else --login.
    let logins = Provider::ALL
        .iter()
        .filter_map(|p| {
            usecase::login_hint(*p, expected.as_ref(), login.as_deref()).map(|l| (*p, l))
        })
        .collect();
    let mut runtime = Runtime {
        config: Arc::new(config),
        store,
        logins: Arc::new(Mutex::new(logins)),
        expected,
        mode,
        tx: mpsc::channel().0,
        cancels: HashMap::new(),
        held: Arc::default(),
    };
    let (tx, rx) = mpsc::channel();
    runtime.tx = tx;
    let providers = crate::bundle::invitations::config_providers(runtime.config.plan.as_ref());
    let mut app = App::with_providers(runtime.store.name(), &providers);
    if from_invitation {
        app.expected_from = "invitation";
    }
    if let Some(n) = runtime.store.notice() {
        app.message = Some((Level::Info, n.to_string()));
    }
    for e in app.start() {
        runtime.run(e);
    }
    // A terminal that fails mid-way ends the screen; what was stored stays stored.
    let _ = crate::tui::event_loop::run(
        &mut EndUser {
            app: &mut app,
            runtime: &mut runtime,
        },
        &rx,
        guard.terminal(),
    );
    drop(guard);
    crate::tui::runtime::print_copied(&app.copied);
    Ok(())
}

/// The end-user screen as the shared event loop sees it (`tui::event_loop`).
struct EndUser<'a> {
    app: &'a mut App,
    runtime: &'a mut Runtime,
}

impl crate::tui::event_loop::Screen for EndUser<'_> {
    type Msg = Msg;

    fn on_event(&mut self, event: crossterm::event::Event) -> Option<Msg> {
        match event {
            crossterm::event::Event::Key(k) => keys::map_key(k),
            _ => None,
        }
    }

    fn dispatch(&mut self, msg: Msg) {
        for e in self.app.update(msg) {
            self.runtime.run(e);
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame) {
        view::view(self.app, frame);
    }

    fn done(&self) -> bool {
        self.app.quit
    }
}

struct Runtime {
    config: Arc<Config>,
    store: TokenStore,
    /// The account each card shows: `--login` at first, then whoever was last stored
    /// (after an accepted mismatch that is not `--login`).
    logins: Arc<Mutex<HashMap<Provider, String>>>,
    expected: Option<Expected>,
    mode: FlowMode,
    tx: Sender<Msg>,
    cancels: HashMap<Provider, Cancel>,
    /// Sign-ins whose identity mismatched, waiting for the user's answer.
    held: Arc<Mutex<HashMap<Provider, Pending>>>,
}

impl Runtime {
    fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        let store = self.store.clone();
        let config = self.config.clone();
        let logins = self.logins.clone();
        let login_of = |p: Provider| lock(&self.logins).get(&p).cloned();
        match effect {
            Effect::LoadStatus(p) => spawn(move || {
                let login = lock(&logins).get(&p).cloned();
                let msg = match auth::status(&store, p, login.as_deref()) {
                    Ok(found) => Msg::Loaded(p, found.map(|c| (c.login, c.issued_at))),
                    Err(e) => {
                        let _ = tx.send(Msg::Loaded(p, None));
                        Msg::Notice(Level::Error, format!("{p}: {e}"))
                    }
                };
                let _ = tx.send(msg);
            }),
            Effect::Authorize(p) => {
                let login = login_of(p);
                let cancel = Cancel::new();
                self.cancels.insert(p, cancel.clone());
                let expected = self.expected.clone();
                let held = self.held.clone();
                let options = FlowOptions {
                    mode: self.mode,
                    open_browser: self.mode == FlowMode::Browser,
                    login_hint: login,
                    cancel,
                };
                let events = auth::spawn_authorize(config, p, options);
                spawn(move || {
                    for event in events {
                        let msg = match event {
                            FlowEvent::Progress(pr) => Msg::Progress(p, pr),
                            FlowEvent::Finished(Err(e)) => Msg::Done(p, Err(format!("{p}: {e}"))),
                            FlowEvent::Finished(Ok(a)) => {
                                let decision =
                                    usecase::decide(&store, a, expected.as_ref(), OnMismatch::Ask);
                                match decision {
                                    Ok(Decision::Stored(s)) => stored_msg(s, &logins),
                                    Ok(Decision::NeedsConfirmation(pending)) => {
                                        let m = pending.mismatch.differences.clone();
                                        lock(&held).insert(p, pending);
                                        Msg::Mismatched(p, m)
                                    }
                                    // Not asked for; rendered like any refusal.
                                    Ok(Decision::Rejected(m)) => {
                                        Msg::Done(p, Err(format!("{p}: {m}; nothing was stored.")))
                                    }
                                    Err(e) => Msg::Done(p, Err(format!("{p}: {e}"))),
                                }
                            }
                        };
                        let _ = tx.send(msg);
                    }
                });
            }
            Effect::ResolveMismatch(p, keep) => {
                let held = self
                    .held
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&p);
                spawn(move || {
                    let msg = match (held, keep) {
                        (Some(pending), true) => match usecase::confirm(&store, pending) {
                            Ok(s) => stored_msg(s, &logins),
                            Err(e) => Msg::Done(p, Err(format!("{p}: {e}"))),
                        },
                        _ => Msg::Done(p, Ok(format!("{p}: nothing was stored."))),
                    };
                    let _ = tx.send(msg);
                });
            }
            Effect::Renew(p) => {
                let login = login_of(p);
                spawn(move || {
                    let msg = match auth::renew(&config, &store, p, login.as_deref()) {
                    Ok(a) => Msg::Done(p, Ok(format!("{p}: renewed for {}.", a.identity.login))),
                    Err(AuthError::Expired { .. }) => Msg::Done(
                        p,
                        Err(format!("{p}: the stored authorization has expired; press a to sign in again.")),
                    ),
                    Err(e) => Msg::Done(p, Err(format!("{p}: {e}"))),
                };
                    let _ = tx.send(msg);
                })
            }
            Effect::Disconnect(p) => {
                let login = login_of(p);
                spawn(move || {
                    let msg = match auth::revoke(&config, &store, p, login.as_deref()) {
                        Ok(r) => Msg::Done(
                            p,
                            Ok(match r.note {
                                Some(n) => format!("{p}: disconnected {}. {n}", r.login),
                                None => {
                                    format!("{p}: disconnected {} and revoked at {p}.", r.login)
                                }
                            }),
                        ),
                        Err(e) => Msg::Done(p, Err(format!("{p}: {e}"))),
                    };
                    let _ = tx.send(msg);
                })
            }
            Effect::Copy(text) => {
                let mut err = std::io::stderr();
                let _ = err.write_all(auth::browser::osc52(&text).as_bytes());
                let _ = err.flush();
            }
            Effect::Cancel(p) => {
                if let Some(c) = self.cancels.get(&p) {
                    c.cancel();
                }
            }
            Effect::Quit => {}
        }
    }
}

/// A stored sign-in: the card follows the account that was stored.
fn stored_msg(s: usecase::Stored, logins: &Mutex<HashMap<Provider, String>>) -> Msg {
    let p = s.identity.provider;
    let login = s.identity.login;
    lock(logins).insert(p, login.clone());
    Msg::Done(p, Ok(format!("{p}: authorized as {login}.")))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn spawn(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f);
}
