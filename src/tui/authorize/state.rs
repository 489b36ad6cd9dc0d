//! The authorize screen's state and its pure `update`: messages in, effects out.

use crate::auth::{Mismatch, Progress, Provider};

/// What a card knows about its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Status {
    /// Still reading the keyring.
    Loading,
    NotAuthorized,
    Authorized {
        login: String,
        issued_at: u64,
    },
    /// A flow, renewal or disconnect is running.
    Working(String),
}

/// One provider's card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Card {
    pub provider: Provider,
    pub status: Status,
}

/// A question waiting for y/n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Confirm {
    Disconnect(Provider),
    /// The signed-in account differs from the roster; store anyway?
    Mismatch(Provider, Vec<Mismatch>),
}

/// How a message line looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    Info,
    Error,
}

/// What the user must do to finish a running flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pending {
    Url(Provider, String),
    Device {
        provider: Provider,
        uri: String,
        code: String,
    },
}

/// The whole screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct App {
    /// One card per provider the user must authorize, in order (see
    /// [`crate::bundle::invitations::config_providers`]).
    pub cards: Vec<Card>,
    pub selected: usize,
    pub pending: Option<Pending>,
    pub confirm: Option<Confirm>,
    pub message: Option<(Level, String)>,
    /// Keyring in use, for the footer.
    pub store_name: String,
    /// Where the expected account comes from, as the mismatch question names it: "roster"
    /// (`--roster`) or "invitation" (the config's `[expect]`).
    pub expected_from: &'static str,
    pub quit: bool,
    /// Everything `c` copied, printed on the normal screen after the screen closes: OSC 52
    /// reaches the clipboard only where the terminal (and tmux) allow it; this always works.
    pub copied: Vec<String>,
}

/// Everything that can happen to the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Msg {
    Next,
    Prev,
    Authorize,
    Renew,
    Disconnect,
    Copy,
    Cancel,
    Quit,
    Yes,
    No,
    /// The keyring answered a status query.
    Loaded(Provider, Option<(String, u64)>),
    /// A running flow reports.
    Progress(Provider, Progress),
    /// A flow, renewal or disconnect ended. `Ok` carries the message to show.
    Done(Provider, Result<String, String>),
    /// The flow finished but the identity is not the roster's.
    Mismatched(Provider, Vec<Mismatch>),
    /// A notice from the runtime (keyring fallback, status errors).
    Notice(Level, String),
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Effect {
    LoadStatus(Provider),
    Authorize(Provider),
    Renew(Provider),
    Disconnect(Provider),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    /// Stop the running flow.
    Cancel(Provider),
    /// Keep (true) or drop (false) the mismatched authorization held by the runtime.
    ResolveMismatch(Provider, bool),
    Quit,
}

impl App {
    /// A fresh screen with a card for every provider; the runtime should run
    /// [`App::start`]'s effects.
    #[cfg(test)]
    pub(super) fn new(store_name: &str) -> App {
        App::with_providers(store_name, &Provider::ALL)
    }

    /// A fresh screen with cards for these providers only (at least one: Salesforce always).
    pub(super) fn with_providers(store_name: &str, providers: &[Provider]) -> App {
        let providers = if providers.is_empty() {
            &Provider::ALL
        } else {
            providers
        };
        App {
            cards: providers
                .iter()
                .map(|p| Card {
                    provider: *p,
                    status: Status::Loading,
                })
                .collect(),
            selected: 0,
            pending: None,
            confirm: None,
            message: None,
            store_name: store_name.to_string(),
            expected_from: "roster",
            quit: false,
            copied: Vec::new(),
        }
    }

    /// Effects to run when the screen opens.
    pub(super) fn start(&self) -> Vec<Effect> {
        self.cards
            .iter()
            .map(|c| Effect::LoadStatus(c.provider))
            .collect()
    }

    /// The provider's card ([`App::update`] drops messages for a provider without one).
    fn card_mut(&mut self, p: Provider) -> &mut Card {
        let i = self.cards.iter().position(|c| c.provider == p).unwrap_or(0);
        &mut self.cards[i]
    }

    /// The provider whose flow is running, if any (one at a time: one browser, one port).
    pub(super) fn busy(&self) -> Option<Provider> {
        self.cards
            .iter()
            .find(|c| matches!(c.status, Status::Working(_)))
            .map(|c| c.provider)
    }

    fn selected_provider(&self) -> Provider {
        self.cards[self.selected].provider
    }

    /// Applies one message; returns the effects to run.
    pub(super) fn update(&mut self, msg: Msg) -> Vec<Effect> {
        if let Msg::Loaded(p, _) | Msg::Progress(p, _) | Msg::Done(p, _) | Msg::Mismatched(p, _) =
            &msg
        {
            if !self.cards.iter().any(|c| c.provider == *p) {
                return Vec::new();
            }
        }
        if let Some(confirm) = self.confirm.clone() {
            return match msg {
                Msg::Yes => {
                    self.confirm = None;
                    match confirm {
                        Confirm::Disconnect(p) => {
                            self.card_mut(p).status = Status::Working("Disconnecting…".into());
                            vec![Effect::Disconnect(p)]
                        }
                        Confirm::Mismatch(p, _) => vec![Effect::ResolveMismatch(p, true)],
                    }
                }
                Msg::No | Msg::Cancel | Msg::Quit => {
                    self.confirm = None;
                    match confirm {
                        Confirm::Disconnect(_) => vec![],
                        Confirm::Mismatch(p, _) => {
                            self.message = Some((Level::Info, format!("{p}: nothing was stored.")));
                            vec![Effect::ResolveMismatch(p, false)]
                        }
                    }
                }
                // Background results still land while a question is open.
                other @ (Msg::Loaded(..) | Msg::Progress(..) | Msg::Done(..) | Msg::Notice(..)) => {
                    self.apply(other)
                }
                _ => vec![],
            };
        }
        self.apply(msg)
    }

    fn apply(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Next => {
                self.selected = (self.selected + 1) % self.cards.len();
                vec![]
            }
            Msg::Prev => {
                self.selected = (self.selected + self.cards.len() - 1) % self.cards.len();
                vec![]
            }
            Msg::Authorize | Msg::Renew | Msg::Disconnect => {
                let p = self.selected_provider();
                if let Some(b) = self.busy() {
                    self.message = Some((
                        Level::Info,
                        format!("{b} is still running; press Esc to cancel it first."),
                    ));
                    return vec![];
                }
                let authorized =
                    matches!(self.cards[self.selected].status, Status::Authorized { .. });
                match msg {
                    Msg::Authorize => {
                        self.message = None;
                        self.card_mut(p).status = Status::Working("Starting…".into());
                        vec![Effect::Authorize(p)]
                    }
                    _ if !authorized => {
                        self.message = Some((
                            Level::Info,
                            format!("{p} is not authorized yet; press a to authorize."),
                        ));
                        vec![]
                    }
                    Msg::Renew => {
                        self.message = None;
                        self.card_mut(p).status = Status::Working("Renewing…".into());
                        vec![Effect::Renew(p)]
                    }
                    _ => {
                        self.confirm = Some(Confirm::Disconnect(p));
                        vec![]
                    }
                }
            }
            Msg::Copy => {
                let (what, text) = match &self.pending {
                    Some(Pending::Url(_, url)) => ("URL", url.clone()),
                    Some(Pending::Device { uri, .. }) => ("Address", uri.clone()),
                    None => return vec![],
                };
                if !self.copied.contains(&text) {
                    self.copied.push(text.clone());
                }
                self.message = Some((
                    Level::Info,
                    format!(
                        "{what} sent to the clipboard (if the terminal allows it; under tmux only with set-clipboard on); it is also printed when you quit."
                    ),
                ));
                vec![Effect::Copy(text)]
            }
            Msg::Cancel => match self.busy() {
                Some(p) => vec![Effect::Cancel(p)],
                None => vec![],
            },
            Msg::Quit => {
                self.quit = true;
                let mut out: Vec<Effect> = self.busy().map(Effect::Cancel).into_iter().collect();
                out.push(Effect::Quit);
                out
            }
            Msg::Yes | Msg::No => vec![],
            Msg::Loaded(p, found) => {
                self.card_mut(p).status = match found {
                    Some((login, issued_at)) => Status::Authorized { login, issued_at },
                    None => Status::NotAuthorized,
                };
                vec![]
            }
            Msg::Progress(p, progress) => {
                let text = match progress {
                    Progress::OpenUrl(url) => {
                        self.pending = Some(Pending::Url(p, url));
                        "Waiting for the browser…"
                    }
                    Progress::BrowserFailed(why) => {
                        self.message = Some((Level::Info, why));
                        "Open the URL below…"
                    }
                    Progress::DeviceCode { uri, code, .. } => {
                        self.pending = Some(Pending::Device {
                            provider: p,
                            uri,
                            code,
                        });
                        "Waiting for the code…"
                    }
                    Progress::Waiting => return vec![],
                    Progress::Exchanging => {
                        self.pending = None;
                        "Checking who signed in…"
                    }
                };
                self.card_mut(p).status = Status::Working(text.into());
                vec![]
            }
            Msg::Done(p, result) => {
                if matches!(&self.pending, Some(Pending::Url(q, _)) | Some(Pending::Device { provider: q, .. }) if *q == p)
                {
                    self.pending = None;
                }
                // Not busy any more; the card shows the keyring's answer once it arrives.
                self.card_mut(p).status = Status::Loading;
                self.message = Some(match result {
                    Ok(text) => (Level::Info, text),
                    Err(text) => (Level::Error, text),
                });
                vec![Effect::LoadStatus(p)]
            }
            Msg::Mismatched(p, m) => {
                self.pending = None;
                self.confirm = Some(Confirm::Mismatch(p, m));
                vec![]
            }
            Msg::Notice(level, text) => {
                self.message = Some((level, text));
                vec![]
            }
        }
    }
}
