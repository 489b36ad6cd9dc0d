//! The impure shell: reads terminal events, runs effects (files, threads) and feeds their
//! results back into `update` as messages. Nothing here decides anything.

use super::complete::{complete, folder_to_list, PathRule};
use super::match_review::{Joined, JoinedLists};
use super::msg::{
    Effect, ExchangeCheckMsg, ImportMsg, LoadMsg, MatchMsg, Msg, ReviewMsg, SecretMsg, VerifyMsg,
};
use super::state::{Popup, Preview, PreviewError, ResumeOffer, State, Status};
use super::terminal::{self, TerminalGuard};
use super::theme::Theme;
use super::{handle_key, handle_mouse, update, view};
use crate::roster::export::CsvOptions;
use crate::roster::import::{ImportError, ImportOptions, Importer};
use crate::session::{self, hash_file, Session, SourceInfo};
use crossterm::event::Event;
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

/// How the wizard was started.
#[derive(Clone, Debug)]
pub struct Options {
    /// Roster to open (otherwise the admin picks one).
    pub roster: Option<PathBuf>,
    /// Where the session is saved.
    pub session_path: PathBuf,
    /// Capture the mouse (click to select, wheel to scroll).
    pub mouse: bool,
}

/// Bytes read for the Import preview.
const PREVIEW_BYTES: u64 = 256 * 1024;
/// Rows in the Import preview.
const PREVIEW_ROWS: usize = 8;

/// Runs effects and remembers the threads it started.
pub struct Runtime {
    tx: Sender<Msg>,
    cancels: HashMap<u64, Arc<AtomicBool>>,
    /// An [`Effect::AfterDraw`] ran: the event loop draws before it reads the channel on.
    draw_first: bool,
}

impl Runtime {
    /// A runtime whose threads report on `tx`.
    pub fn new(tx: Sender<Msg>) -> Self {
        Runtime {
            tx,
            cancels: HashMap::new(),
            draw_first: false,
        }
    }

    /// Applies `msg` and runs the effects it causes (and those of their results), in order.
    /// Synchronous effects (saving) finish before this returns, hence before the next draw.
    pub fn dispatch(&mut self, state: &mut State, msg: Msg) {
        let mut queue = VecDeque::from([msg]);
        while let Some(msg) = queue.pop_front() {
            for effect in update(state, msg) {
                if let Some(result) = self.run(state, effect) {
                    queue.push_back(result);
                }
            }
        }
    }

    /// Whether an [`Effect::AfterDraw`] ran since the last call.
    pub fn take_draw_first(&mut self) -> bool {
        std::mem::take(&mut self.draw_first)
    }

    /// Runs one effect; returns its result at once when it is quick, otherwise starts a thread.
    pub fn run(&mut self, state: &State, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::ReleaseMemory => {
                crate::memory::release_free();
                None
            }
            Effect::SaveSession => {
                let s = state.session.as_ref()?;
                let saved = session::save_atomic(s, &state.session_path)
                    .map_err(|e| format!("cannot write {}: {e}", state.session_path.display()));
                if saved.is_ok() {
                    // From now on a panic has saved work to point at.
                    terminal::set_panic_note(Some(saved_note(&state.session_path)));
                }
                Some(Msg::Saved(saved))
            }
            Effect::ListFiles => Some(Msg::Import(ImportMsg::FilesListed(list_rosters(
                Path::new("."),
            )))),
            Effect::Complete(typed) => {
                let dir = PathBuf::from(folder_to_list(&typed, PathRule::NATIVE));
                let entries = std::fs::read_dir(&dir)
                    .map(|rd| {
                        rd.filter_map(Result::ok)
                            .map(|e| {
                                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                                (e.file_name().to_string_lossy().into_owned(), is_dir)
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let (base, candidates) = complete(&typed, &entries, PathRule::NATIVE);
                Some(Msg::Import(ImportMsg::Completed { base, candidates }))
            }
            Effect::Preview { path, options } => {
                Some(Msg::Import(ImportMsg::Previewed(preview(&path, &options))))
            }
            Effect::Load { gen, path, options } => {
                let cancel = Arc::new(AtomicBool::new(false));
                self.cancels.insert(gen, cancel.clone());
                spawn_load(self.tx.clone(), gen, path, options, cancel);
                None
            }
            Effect::CancelLoad { gen } => {
                if let Some(c) = self.cancels.remove(&gen) {
                    c.store(true, Ordering::Relaxed);
                }
                None
            }
            Effect::CheckSource { path, sha256 } => {
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let result = hash_file(&path).ok().map(|h| h != sha256);
                    let _ = tx.send(Msg::Import(ImportMsg::SourceChecked(result)));
                });
                None
            }
            Effect::CheckSources(files) => {
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let mut changed = Some(false);
                    for (path, sha256) in files {
                        match hash_file(&path) {
                            Ok(h) => changed = changed.map(|c| c || h != sha256),
                            Err(_) => changed = None,
                        }
                    }
                    let _ = tx.send(Msg::Import(ImportMsg::SourceChecked(changed)));
                });
                None
            }
            Effect::Copy(text) => {
                use std::io::Write;
                let mut err = std::io::stderr();
                let _ = err.write_all(crate::auth::browser::osc52(&text).as_bytes());
                let _ = err.flush();
                None
            }
            Effect::Export { dir, replace } => Some(export(state, &dir, replace)),
            Effect::Verify { rows } => {
                spawn_verify(self.tx.clone(), rows);
                None
            }
            Effect::Join {
                gen,
                salesforce,
                microsoft,
            } => {
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let result = join_exports(&salesforce, &microsoft);
                    let _ = tx.send(Msg::Match(MatchMsg::Joined { gen, result }));
                });
                None
            }
            Effect::Pull { gen, device } => {
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let result = pull_directories(device, &tx);
                    let _ = tx.send(Msg::Match(MatchMsg::Joined { gen, result }));
                });
                None
            }
            Effect::WriteJoined { path, rows } => Some(Msg::Match(MatchMsg::JoinedWritten(
                write_joined(&path, &rows),
            ))),
            Effect::ExchangeCheck => {
                spawn_exchange_check(self.tx.clone(), state);
                None
            }
            Effect::StoreExchangeSecret(secret) => {
                spawn_store_secret(self.tx.clone(), state, secret);
                None
            }
            Effect::AfterDraw(msg) => {
                // The event loop draws before it reads the channel on (`take_draw_first`).
                self.draw_first = true;
                let _ = self.tx.send(*msg);
                None
            }
        }
    }
}

/// Reads both exports, notes their identities (path, SHA-256, size) and joins them.
fn join_exports(salesforce: &Path, microsoft: &Path) -> Result<Joined, String> {
    use crate::directory::{join, read_both, JoinOptions};
    let identity = |path: &Path| -> Result<SourceInfo, String> {
        let sha256 = hash_file(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(SourceInfo {
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            sha256,
            size,
        })
    };
    let ((sf, sf_notices), (ms, ms_notices)) =
        read_both(salesforce, microsoft).map_err(|e| e.to_string())?;
    let files = (identity(salesforce)?, identity(microsoft)?);
    let outcome = join(&sf, &ms, &JoinOptions::default());
    let notices = sf_notices
        .iter()
        .chain(&ms_notices)
        .map(|n| n.message.clone())
        .collect();
    Ok(Joined(Arc::new(JoinedLists {
        salesforce: sf,
        microsoft: ms,
        outcome,
        files: Some(files),
        notices,
    })))
}

/// The pull source: the administrator signs in to both systems (stored admin entries are
/// renewed without a browser; else the browser, or the device code shown as the status),
/// both user lists are read (`usecase::roster_pull`), then joined like two exports.
fn pull_directories(device: bool, tx: &Sender<Msg>) -> Result<Joined, String> {
    use crate::auth::{FlowMode, FlowOptions, Progress, Provider};
    use crate::directory::{join, JoinOptions};
    use crate::usecase::{admin, directory_api::RetryPolicy, roster_pull};
    // Whatever stops the pull, the admin can still export both lists and join them.
    let or_exports =
        |e: String| format!("{e} (or export both user lists and choose \"Two exports to join\")");
    let config = crate::auth::Config::load(None).map_err(|e| or_exports(e.to_string()))?;
    let store =
        crate::usecase::authorize::open_store(&config).map_err(|e| or_exports(e.to_string()))?;
    let when_missing = admin::WhenMissing::SignIn(FlowOptions {
        mode: if device {
            FlowMode::Device
        } else {
            FlowMode::Browser
        },
        open_browser: !device,
        ..FlowOptions::default()
    });
    let sign_in_progress = |p: Provider| -> Box<dyn FnMut(Progress) + Send> {
        let tx = tx.clone();
        Box::new(move |ev| {
            let text = match ev {
                Progress::OpenUrl(url) => format!("{p} administrator sign-in: {url}"),
                Progress::BrowserFailed(e) => {
                    format!("{p}: the browser did not start ({e}); open the address shown")
                }
                Progress::DeviceCode { uri, code, .. } => {
                    format!("{p} administrator sign-in: visit {uri} and enter the code {code}")
                }
                Progress::Waiting => format!("Waiting for the {p} administrator's sign-in…"),
                Progress::Exchanging => format!("Checking the {p} sign-in…"),
            };
            let _ = tx.send(Msg::Match(MatchMsg::PullProgress(text)));
        })
    };
    let mut apis = admin::connect(
        &config,
        &store,
        (None, None),
        &when_missing,
        &sign_in_progress,
        RetryPolicy::default(),
    )
    .map_err(|e| or_exports(e.to_string()))?;
    let page_tx = tx.clone();
    let pulled = roster_pull::pull(&mut apis.salesforce, &mut apis.graph, &move |p| {
        let text = match p.total {
            Some(t) => format!("Reading users: {} {} of {t}", p.service.title(), p.users),
            None => format!("Reading users: {} {}", p.service.title(), p.users),
        };
        let _ = page_tx.send(Msg::Match(MatchMsg::PullProgress(text)));
    })
    .map_err(|e| or_exports(e.to_string()))?;
    let mut notices = Vec::new();
    if !pulled.permissions.sees_everyone() {
        notices.push(format!(
            "The Salesforce administrator {} has neither View All Users nor Manage Users: only the users their sharing shows were read",
            apis.salesforce_admin
        ));
    }
    let outcome = join(
        &pulled.salesforce,
        &pulled.microsoft,
        &JoinOptions::default(),
    );
    Ok(Joined(Arc::new(JoinedLists {
        salesforce: pulled.salesforce,
        microsoft: pulled.microsoft,
        outcome,
        files: None,
        notices,
    })))
}

/// Writes the joined roster atomically (the same writer as `validate --fix -o`) and
/// returns its identity for the session.
fn write_joined(path: &Path, rows: &[[String; 5]]) -> Result<SourceInfo, String> {
    let mut bytes = Vec::new();
    crate::roster::export::write_csv(
        &mut bytes,
        &CsvOptions::default(),
        rows.iter()
            .map(|r| [&*r[0], &*r[1], &*r[2], &*r[3], &*r[4]]),
    )
    .map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    crate::fsutil::write_atomic(path, |w| w.write_all(&bytes))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(SourceInfo::of_bytes(path, &bytes))
}

/// CSV and TXT files in `dir`, sorted.
pub fn list_rosters(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    let l = n.to_lowercase();
                    l.ends_with(".csv") || l.ends_with(".txt")
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Reads the first rows of `path` with `options`.
pub fn preview(path: &Path, options: &ImportOptions) -> Result<Preview, PreviewError> {
    let fail = |message: String| PreviewError {
        message,
        headers: None,
    };
    let mut bytes = Vec::new();
    crate::fsutil::open_regular(path)
        .and_then(|f| f.take(PREVIEW_BYTES).read_to_end(&mut bytes))
        .map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::InvalidInput {
                "" // a FIFO or a device: the message says what to do
            } else {
                "; check the path"
            };
            fail(format!("{}: {e}{hint}", path.display()))
        })?;
    // The whole file is in the sample: read it all, so a report footer at its end is known.
    let whole = (bytes.len() as u64) < PREVIEW_BYTES;
    let mut importer = Importer::new(bytes, options).map_err(|e| import_error(path, e))?;
    let mut rows = Vec::new();
    // A cut-off last line in the sample is not an error of the file.
    let more = importer.read_batch(PREVIEW_ROWS, &mut rows);
    if whole && more.is_ok_and(|m| m) {
        let mut rest = Vec::new();
        while importer.read_batch(4096, &mut rest).is_ok_and(|m| m) {
            rest.clear();
        }
    }
    rows.truncate(PREVIEW_ROWS);
    Ok(Preview {
        path: path.to_path_buf(),
        detected: importer.detected().clone(),
        rows,
    })
}

fn import_error(path: &Path, e: ImportError) -> PreviewError {
    let headers = match &e {
        ImportError::MissingFields { found, .. } | ImportError::UnknownHeader { found, .. } => {
            Some(found.clone())
        }
        _ => None,
    };
    PreviewError {
        message: e.in_file(path).to_string(),
        headers,
    }
}

/// Reports the file's identity (path, SHA-256, size) for the session.
fn send_hash(tx: &Sender<Msg>, gen: u64, path: PathBuf) {
    if let Ok(sha256) = hash_file(&path) {
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let info = SourceInfo {
            path: std::path::absolute(&path).unwrap_or(path),
            sha256,
            size,
        };
        let _ = tx.send(Msg::Load(LoadMsg::SourceHashed { gen, info }));
    }
}

/// Loads the file on a thread through [`crate::usecase::load`], turning its events into
/// messages, then hashes the file (the session's record of its source).
fn spawn_load(
    tx: Sender<Msg>,
    gen: u64,
    path: PathBuf,
    options: ImportOptions,
    cancel: Arc<AtomicBool>,
) {
    use crate::usecase::load::{self, Event, LoadError};
    std::thread::spawn(move || {
        let on_event = |event: Event| {
            let msg = match event {
                Event::Started(detected) => Msg::Load(LoadMsg::Started {
                    gen,
                    path: path.clone(),
                    detected,
                }),
                Event::FirstRows {
                    records,
                    bytes_done,
                    bytes_total,
                } => Msg::Load(LoadMsg::Batch {
                    gen,
                    records,
                    bytes_done,
                    bytes_total,
                }),
                Event::Progress {
                    rows,
                    bytes_done,
                    bytes_total,
                } => Msg::Load(LoadMsg::Progress {
                    gen,
                    rows,
                    bytes_done,
                    bytes_total,
                }),
            };
            tx.send(msg).is_ok()
        };
        match load::load(&path, &options, &cancel, on_event) {
            Ok(loaded) => {
                let _ = tx.send(Msg::Load(LoadMsg::Built {
                    gen,
                    roster: Box::new(loaded.roster),
                }));
                if let Some(footer) = loaded.footer {
                    let _ = tx.send(Msg::Load(LoadMsg::Footer { gen, footer }));
                }
                let _ = tx.send(Msg::Load(LoadMsg::Done { gen }));
                // Only now: it reads the whole file again, which would take a core from the
                // load (two cores are common) for nothing the admin sees.
                send_hash(&tx, gen, path);
            }
            Err(LoadError::Stopped) => {}
            Err(LoadError::Import(e)) => {
                let _ = tx.send(Msg::Load(LoadMsg::Failed {
                    gen,
                    error: e.to_string(),
                }));
            }
        }
    });
}

/// Writes the whole submission bundle into `dir` (replaced as a whole, never half-written),
/// or asks first when `dir` holds an earlier bundle and `replace` is not yet confirmed: the
/// decision is `usecase::export`'s, this only turns its outcome into a message.
fn export(state: &State, dir: &Path, replace: bool) -> Msg {
    use crate::usecase::export::{self, Job, Outcome, Replace};
    let job = Job::from_wizard(
        &state.roster,
        state.session.as_ref(),
        &state.session_path,
        state.customize.catalogue(),
        state.exchange.guide(),
        &state.choices,
        state.exchange_check.summary(),
    );
    let replace = if replace { Replace::Yes } else { Replace::Ask };
    match export::export(&job, dir, replace) {
        Ok(Outcome::ConfirmReplace(plan)) => Msg::Review(ReviewMsg::AskReplace {
            path: plan.folder.display().to_string(),
            written: plan.replaces.and_then(|r| r.written),
        }),
        // The absolute path: the Authorize step tells the admin where the invitations are.
        Ok(Outcome::Written(w)) => Msg::Review(ReviewMsg::Exported(Ok((
            w.folder.display().to_string(),
            w.csv.written,
        )))),
        Err(e) => Msg::Review(ReviewMsg::Exported(Err(format!("{}: {e}", dir.display())))),
    }
}

/// Verifies `rows` with the stored administrator sign-ins (never a browser here) and
/// reports `VerifyProgress`* then `Verified`.
fn spawn_verify(tx: Sender<Msg>, rows: Vec<crate::usecase::roster_verify::VerifyRow>) {
    use crate::usecase::{admin, directory_api::RetryPolicy, roster_verify};
    std::thread::spawn(move || {
        let result = (|| {
            let config = crate::auth::Config::load(None).map_err(|e| e.to_string())?;
            let store =
                crate::usecase::authorize::open_store(&config).map_err(|e| e.to_string())?;
            let mut apis = admin::connect(
                &config,
                &store,
                (None, None),
                &admin::WhenMissing::Fail,
                &|_| Box::new(|_| {}),
                RetryPolicy::default(),
            )
            .map_err(|e| e.to_string())?;
            let progress_tx = tx.clone();
            roster_verify::verify(&rows, &mut apis.salesforce, &mut apis.graph, &mut |p| {
                let _ = progress_tx.send(Msg::Verify(VerifyMsg::Progress(format!(
                    "Verifying: {} {}/{}",
                    p.service.title(),
                    p.done,
                    p.total
                ))));
            })
            .map_err(|e| e.to_string())
        })();
        let _ = tx.send(Msg::Verify(VerifyMsg::Done(result)));
    });
}

/// Checks the plan the choices describe against the included mailboxes with the provider
/// config that follows from the choices and the secret kept in the keyring. Reports
/// `ExchangeCheckProgress`* then `ExchangeCheckDone`.
fn spawn_exchange_check(tx: Sender<Msg>, state: &State) {
    use crate::usecase::exchange_check as usecase;
    let base = crate::auth::Config::load(None);
    let (cat, choices) = (state.customize.catalogue().clone(), state.choices.clone());
    let facts = crate::customize::RosterFacts::from_roster(&state.roster);
    let mailboxes = usecase::mailboxes(&state.roster);
    std::thread::spawn(move || {
        let run = || -> Result<usecase::CheckReport, String> {
            let config =
                crate::auth::config_from_choices(&base.map_err(|e| e.to_string())?, &cat, &choices);
            let plan = usecase::plan_from_choices(&cat, &choices, &facts, &config.microsoft)
                .map_err(|e| e.to_string())?;
            if mailboxes.is_empty() && plan.needs() != usecase::Needs::Nothing {
                return Err("no included row has an Office 365 login".into());
            }
            let credential = usecase::stored_credential(&plan, &config)?;
            let progress_tx = tx.clone();
            usecase::check(
                &plan,
                &config.microsoft,
                &mailboxes,
                &credential,
                &usecase::CheckOptions::default(),
                move |p| {
                    let _ = progress_tx.send(Msg::ExchangeCheck(ExchangeCheckMsg::Progress(p)));
                },
            )
            .map_err(|e| e.to_string())
        };
        let _ = tx.send(Msg::ExchangeCheck(ExchangeCheckMsg::Done(run())));
    });
}

/// Stores the plan's secret under the entry `v`'s check reads (the same config and plan
/// derivation), off the screen thread since a keyring may take seconds or ask to be unlocked.
/// Reports `SecretStored`.
fn spawn_store_secret(
    tx: Sender<Msg>,
    state: &State,
    secret: crate::usecase::exchange_secret::Secret,
) {
    use crate::usecase::{exchange_check::CheckPlan, exchange_secret};
    let (cat, choices) = (state.customize.catalogue().clone(), state.choices.clone());
    let plan = state.exchange.plan(&state.choices);
    std::thread::spawn(move || {
        let run = move || -> Result<String, String> {
            let base = crate::auth::Config::load(None).map_err(|e| e.to_string())?;
            let config = crate::auth::config_from_choices(&base, &cat, &choices);
            let plan = CheckPlan::from_plan(&plan, &config.microsoft).map_err(|e| e.to_string())?;
            let which = exchange_secret::entry(&plan, &config)
                .map_err(|e| e.to_string())?
                .ok_or("this plan keeps no secret")?;
            let store =
                crate::auth::TokenStore::open(&config.flow.keyring, config.flow.keyring_timeout())
                    .map_err(|e| e.to_string())?;
            exchange_secret::store(&store, &which, secret).map_err(|e| e.to_string())?;
            Ok(format!(
                "Stored {} in the OS keyring ({}); v checks the mailboxes with it",
                which.describe(),
                store.name()
            ))
        };
        let _ = tx.send(Msg::Secret(SecretMsg::Stored(run())));
    });
}

/// The state the wizard starts in, and the effects to run first.
pub fn initial_state(opts: &Options, theme: Theme) -> (State, Vec<Effect>) {
    let mut state = State::new(opts.session_path.clone(), theme);
    state.mouse = opts.mouse;
    let mut fx = vec![Effect::ListFiles];
    if let Some(r) = &opts.roster {
        state.import.path.set(r.display().to_string());
    }
    if opts.session_path.exists() {
        match Session::load(&opts.session_path) {
            Ok(s) => {
                fx.push(match &s.join {
                    // The joined roster is written again from the exports: they are the source.
                    Some(j) => Effect::CheckSources(vec![
                        (j.salesforce.path.clone(), j.salesforce.sha256.clone()),
                        (j.microsoft.path.clone(), j.microsoft.sha256.clone()),
                    ]),
                    None => Effect::CheckSource {
                        path: s.source.path.clone(),
                        sha256: s.source.sha256.clone(),
                    },
                });
                state.popup = Some(Popup::Resume(Box::new(ResumeOffer {
                    session: s,
                    source_changed: None,
                    source_missing: false,
                })));
                return (state, fx);
            }
            Err(e) => {
                let aside = opts.session_path.with_extension("json.damaged");
                let _ = std::fs::rename(&opts.session_path, &aside);
                state.banner = Some(Status::error(format!(
                    "{e}. It was moved to {}; starting a new session",
                    aside.display()
                )));
            }
        }
    }
    if let Some(r) = &opts.roster {
        fx.push(Effect::Preview {
            path: r.clone(),
            options: ImportOptions::default(),
        });
    }
    (state, fx)
}

fn saved_note(path: &Path) -> String {
    format!(
        "scc-onboard: your work is saved in {}; run scc-onboard again to resume.",
        path.display()
    )
}

/// Runs the wizard in the terminal until the admin quits.
pub fn run(opts: Options) -> anyhow::Result<()> {
    let (mut state, first) = initial_state(&opts, Theme::from_env());
    state.in_tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    // Until something is saved, a panic has no session to point at (unless one exists).
    terminal::set_panic_note(
        opts.session_path
            .exists()
            .then(|| saved_note(&opts.session_path)),
    );
    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    for effect in first {
        if let Some(msg) = rt.run(&state, effect) {
            rt.dispatch(&mut state, msg);
        }
    }
    let mut guard = TerminalGuard::enter(opts.mouse)?;
    let size = guard.terminal().size()?;
    rt.dispatch(&mut state, Msg::Resize(size.width, size.height));
    event_loop(&mut state, &mut rt, &rx, &mut guard)?;
    drop(guard);
    print_copied(&state.copied);
    if state.session.is_some() {
        eprintln!(
            "Session saved in {}; run scc-onboard again to resume.",
            opts.session_path.display()
        );
    }
    Ok(())
}

/// What `c` copied, on the normal screen (stdout) once the wizard is gone: the copy that works
/// in every terminal, over SSH and under tmux alike.
pub(crate) fn print_copied(copied: &[String]) {
    if copied.is_empty() {
        return;
    }
    println!("Copied on the screen (select and copy from here if your clipboard did not get it):");
    for text in copied {
        println!("\n{text}");
    }
}

/// The wizard as the shared event loop sees it (`tui::event_loop`).
struct Wizard<'a> {
    state: &'a mut State,
    rt: &'a mut Runtime,
}

impl super::event_loop::Screen for Wizard<'_> {
    type Msg = Msg;

    fn on_event(&mut self, event: Event) -> Option<Msg> {
        match event {
            Event::Key(k) if super::keymap::counts(&k) => {
                panic_for_tests(k);
                handle_key(self.state, k)
            }
            Event::Mouse(m) => handle_mouse(self.state, m),
            Event::Resize(w, h) => Some(Msg::Resize(w, h)),
            _ => None,
        }
    }

    fn dispatch(&mut self, msg: Msg) {
        self.rt.dispatch(self.state, msg);
    }

    fn draw(&self, frame: &mut ratatui::Frame) {
        view(self.state, frame);
    }

    fn done(&self) -> bool {
        self.state.quit
    }

    fn draw_first(&mut self) -> bool {
        self.rt.take_draw_first()
    }

    /// Shorter while loading or asking, so progress and answers show at once.
    fn wait(&self) -> Duration {
        if self.state.load.is_some() || self.state.popup.is_some() {
            Duration::from_millis(10)
        } else {
            Duration::from_millis(50)
        }
    }
}

fn event_loop(
    state: &mut State,
    rt: &mut Runtime,
    rx: &Receiver<Msg>,
    guard: &mut TerminalGuard,
) -> anyhow::Result<()> {
    super::event_loop::run(&mut Wizard { state, rt }, rx, guard.terminal())?;
    Ok(())
}

/// Debug builds only: `SCC_ONBOARD_TEST_PANIC_KEY=C` makes key `C` panic, so the end-to-end
/// tests can prove the terminal is restored and the work kept after a real panic.
#[cfg(debug_assertions)]
fn panic_for_tests(k: crossterm::event::KeyEvent) {
    use crossterm::event::KeyCode;
    let trigger = std::env::var("SCC_ONBOARD_TEST_PANIC_KEY").ok();
    if let (Some(t), KeyCode::Char(c)) = (trigger, k.code) {
        if t.chars().eq([c]) {
            panic!("test panic on key {c:?} (SCC_ONBOARD_TEST_PANIC_KEY)");
        }
    }
}

#[cfg(not(debug_assertions))]
fn panic_for_tests(_: crossterm::event::KeyEvent) {}
