//! The wizard's whole state. Plain data: no terminal, no files, no threads.

use super::customize::CustomizeStep;
use super::exchange::ExchangeStep;
use super::theme::Theme;
use super::widgets::text_input::TextInput;
use crate::customize::{Catalogue, Choices, Guide, Issue, RosterFacts};
use crate::roster::import::{Detected, ImportOptions};
use crate::roster::{Code, Record, Roster, Severity};
use crate::session::{CellEdit, Session, SourceInfo, Step};
use std::path::PathBuf;

/// Where the bundle goes unless the admin picks a folder (relative to the current folder;
/// a bundle folder, since an existing non-bundle folder is never replaced).
pub const DEFAULT_OUTPUT_DIR: &str = "scc-onboard-bundle";

/// Everything the wizard knows.
pub struct State {
    pub step: Step,
    /// Last known terminal size (columns, rows); layout and paging depend on it.
    pub size: (u16, u16),
    pub theme: Theme,
    /// Mouse capture is on (hints mention clicking).
    pub mouse: bool,
    pub roster: Roster,
    /// The session being recorded; None until a source is loaded.
    pub session: Option<Session>,
    /// Where the session is saved.
    pub session_path: PathBuf,
    pub import: ImportState,
    pub fix: FixState,
    pub review: ReviewState,
    /// The customization choices (mirrored into `session.customization` on every change).
    pub choices: Choices,
    /// The Customize step's form.
    pub customize: CustomizeStep,
    /// The Exchange access step's form and checklists.
    pub exchange: ExchangeStep,
    /// The Authorize step's flow for the impersonating account.
    /// The Exchange access check: running, or its last result (for export).
    pub exchange_check: super::exchange_check::CheckPanel,
    /// A file load in progress.
    pub load: Option<LoadProgress>,
    /// Generation of the current load; messages from older (cancelled) loads are ignored.
    pub load_gen: u64,
    /// A session waiting to be replayed once its source finishes loading.
    pub pending_resume: Option<Session>,
    /// The source's identity, when its hash arrives before the load finishes.
    pub pending_source: Option<SourceInfo>,
    pub popup: Option<Popup>,
    /// The Match review of a roster joined from two user lists (None for a roster file).
    pub matching: Option<super::match_review::MatchState>,
    /// Generation of the current join; results of older ones are ignored.
    pub join_gen: u64,
    /// Why the joined roster is being (re)loaded: continuing from Match review, or resuming.
    pub join_continue: Option<JoinContinue>,
    /// One-line message about the last action.
    pub status: Option<Status>,
    /// Message that stays at the top (resumed session, source changed, save failing).
    pub banner: Option<Status>,
    pub quit: bool,
    /// Everything `c` copied, printed on the normal screen after the wizard exits: OSC 52
    /// reaches the clipboard only where the terminal (and tmux) allow it, this always works.
    pub copied: Vec<String>,
    /// Running inside tmux (`$TMUX`), whose default `set-clipboard external` drops OSC 52
    /// from programs: the copy message says so.
    pub in_tmux: bool,
    /// The Fix step's last live verification (`v`).
    pub live: crate::tui::verify::LiveCheck,
}

/// A joined roster being written and loaded: what to do once it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinContinue {
    /// The admin continued from Match review: open Fix.
    Continue,
    /// A saved session is being resumed: open its step, say what was restored.
    Resume,
}

/// A message for the admin, with its tone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

impl Status {
    pub fn info(text: impl Into<String>) -> Self {
        Status {
            text: text.into(),
            error: false,
        }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Status {
            text: text.into(),
            error: true,
        }
    }
}

/// A window drawn over the step.
#[derive(Clone, Debug, PartialEq)]
pub enum Popup {
    /// The full key list.
    Help,
    /// "Apply this fix to N rows?"
    ConfirmBulk { code: Code, changes: Vec<CellEdit> },
    /// "Leave out these N rows with errors?" (0-based roster rows, all included now).
    ConfirmExclude { rows: Vec<usize> },
    /// A saved session was found at start.
    Resume(Box<ResumeOffer>),
    /// "Export anyway?": the warnings Review lists that the admin has not acknowledged yet.
    ConfirmWarnings { warnings: Vec<String> },
    /// "Replace the bundle in `path`?" (`written`: its manifest's time, when readable).
    ConfirmReplace {
        path: String,
        written: Option<String>,
    },
    /// The session's unplaced changes; `selected` indexes `session.unplaced`.
    Unplaced { selected: usize },
    /// The Exchange plan's secret, typed masked (tui/secret_field.rs).
    Secret(super::secret_field::SecretPrompt),
}

/// What the resume prompt knows about the saved session.
#[derive(Clone, Debug, PartialEq)]
pub struct ResumeOffer {
    pub session: Session,
    /// None while the check runs; Some(true) when the source's hash differs; Some(false) same.
    pub source_changed: Option<bool>,
    pub source_missing: bool,
}

/// Progress of loading the source on the background thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadProgress {
    pub path: PathBuf,
    /// Rows validated so far (the roster on screen holds only the first of them).
    pub rows: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

impl LoadProgress {
    /// Share done, 0.0–1.0.
    pub fn ratio(&self) -> f64 {
        if self.bytes_total == 0 {
            0.0
        } else {
            (self.bytes_done as f64 / self.bytes_total as f64).clamp(0.0, 1.0)
        }
    }
}

/// Which part of the Import step has the keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportFocus {
    /// The source line: roster file, two exports to join, or pull.
    Source,
    #[default]
    Path,
    Files,
    Settings,
}

/// The first rows of a file as the importer reads them with the current settings.
#[derive(Clone, Debug)]
pub struct Preview {
    pub path: PathBuf,
    pub detected: Detected,
    pub rows: Vec<Record>,
}

/// Why the preview could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewError {
    /// One line naming the file and what to do.
    pub message: String,
    /// The headers found, when the failure is a missing mapping the admin can fix here.
    pub headers: Option<Vec<String>>,
}

/// Where the roster comes from (the Import step's source line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportSource {
    /// A roster CSV (five columns).
    #[default]
    File,
    /// A Salesforce users export and a Microsoft 365 users export, joined.
    Exports,
    /// Both user lists pulled live after signing in.
    Pull,
}

impl ImportSource {
    /// Every source, in the order shown.
    pub const ALL: [ImportSource; 3] = [
        ImportSource::File,
        ImportSource::Exports,
        ImportSource::Pull,
    ];

    /// Label on the source line.
    pub fn title(self) -> &'static str {
        match self {
            ImportSource::File => "Roster file",
            ImportSource::Exports => "Two exports to join",
            ImportSource::Pull => "Sign in and pull both lists",
        }
    }
}

/// The Import step.
#[derive(Clone, Debug, Default)]
pub struct ImportState {
    pub focus: ImportFocus,
    pub source: ImportSource,
    /// Two exports: the Salesforce export, once picked (the path field then asks for the
    /// Microsoft 365 one).
    pub join_salesforce: Option<PathBuf>,
    pub path: TextInput,
    /// CSV/TXT files of the current folder.
    pub files: Vec<String>,
    pub file_cursor: usize,
    /// Candidates of the last Tab completion that matched several entries.
    pub candidates: Vec<String>,
    /// The admin's overrides of detection.
    pub options: ImportOptions,
    pub preview: Option<Preview>,
    /// Headers of the file, known even when the preview failed for want of a mapping.
    pub headers: Vec<String>,
    /// Field → header index as currently read.
    pub mapping: [Option<usize>; 5],
    /// Why the file cannot be read with the current settings.
    pub error: Option<String>,
    /// Selected line of the settings list: 0 encoding, 1 delimiter, 2.. fields.
    pub setting_cursor: usize,
    /// The report footer the last load left out, said once the load is done.
    pub loaded_footer: Option<crate::roster::import::Footer>,
}

impl ImportState {
    /// The settings list is usable once the file's headers are known.
    pub fn has_settings(&self) -> bool {
        !self.headers.is_empty()
    }

    /// The file the settings apply to.
    pub fn source_path(&self) -> Option<PathBuf> {
        match &self.preview {
            Some(p) => Some(p.path.clone()),
            None if !self.path.value().is_empty() => Some(PathBuf::from(self.path.value())),
            None => None,
        }
    }
}

/// Number of lines in the Import settings list (encoding, delimiter, five fields).
pub const SETTING_LINES: usize = 7;

/// Which rows the Fix table shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Filter {
    #[default]
    All,
    Errors,
    Warnings,
    Code(Code),
    Search(String),
}

impl Filter {
    /// Label for the table title.
    pub fn label(&self) -> String {
        match self {
            Filter::All => "all rows".into(),
            Filter::Errors => "rows with errors".into(),
            Filter::Warnings => "rows with warnings".into(),
            Filter::Code(c) => format!("rows with {c}"),
            Filter::Search(s) => format!("rows containing \"{s}\""),
        }
    }

    /// The filter as the session saves it (`session::View::filter`).
    pub fn to_key(&self) -> String {
        match self {
            Filter::All => "all".into(),
            Filter::Errors => "errors".into(),
            Filter::Warnings => "warnings".into(),
            Filter::Code(c) => format!("code:{c}"),
            Filter::Search(s) => format!("search:{s}"),
        }
    }

    /// The filter a saved key names (an unknown one is `All`).
    pub fn from_key(key: &str) -> Filter {
        match key {
            "errors" => Filter::Errors,
            "warnings" => Filter::Warnings,
            k => {
                if let Some(c) = k.strip_prefix("code:").and_then(Code::parse) {
                    Filter::Code(c)
                } else if let Some(s) = k.strip_prefix("search:") {
                    Filter::Search(s.to_string())
                } else {
                    Filter::All
                }
            }
        }
    }

    /// Whether roster row `row` passes. Excluded rows pass only `All` and searches.
    pub fn matches(&self, roster: &Roster, row: usize) -> bool {
        let has = |sev: Severity| roster.findings(row).iter().any(|f| f.severity() == sev);
        match self {
            Filter::All => true,
            Filter::Errors => !roster.is_excluded(row) && has(Severity::Error),
            Filter::Warnings => !roster.is_excluded(row) && has(Severity::Warning),
            Filter::Code(c) => {
                !roster.is_excluded(row) && roster.findings(row).iter().any(|f| f.code == *c)
            }
            Filter::Search(s) => roster
                .record(row)
                .cells
                .iter()
                .any(|c| contains_ignoring_case(c, s)),
        }
    }
}

/// Whether `hay` contains `needle`, ignoring case; allocation-free for ASCII (the common case
/// when searching a million rows).
pub fn contains_ignoring_case(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(&needle.to_lowercase())
}

/// The Fix step.
#[derive(Clone, Debug, Default)]
pub struct FixState {
    /// Selected position in the shown rows (not a roster row when filtered).
    pub selected: usize,
    /// Selected column (`Field::index()`).
    pub col: usize,
    /// First shown row on screen.
    pub offset: usize,
    pub filter: Filter,
    /// Roster rows passing the filter, computed when the filter is set; None for `All`.
    /// Deliberately not recomputed on each edit (that would cost O(rows) per keystroke):
    /// a fixed row stays listed, marked clean, until the filter is chosen again.
    pub rows: Option<Vec<usize>>,
    /// Cell being edited in place.
    pub edit: Option<TextInput>,
    /// Search text being typed after `/`.
    pub search: Option<TextInput>,
    /// The edit was opened with this finding's suggested fix offered (Enter applies it).
    pub offered_fix: Option<Code>,
}

/// The Review & export step.
#[derive(Clone, Debug, Default)]
pub struct ReviewState {
    /// Output folder being edited.
    pub dir_edit: Option<TextInput>,
    /// Path of the last successful export (absolute).
    pub exported: Option<String>,
    /// Users (invitations) in the last successful export.
    pub exported_users: usize,
    /// Export refused: these roster rows still have errors (first few).
    pub refused: Option<Vec<usize>>,
    /// Export refused: the choices have these errors.
    pub choice_errors: Vec<Issue>,
    /// Warnings the admin has acknowledged (by their text): asked about once, not again
    /// until a new one appears.
    pub acknowledged: Vec<String>,
}

impl State {
    /// A wizard with nothing loaded, saving its session at `session_path`.
    pub fn new(session_path: PathBuf, theme: Theme) -> Self {
        State {
            step: Step::Import,
            size: (80, 24),
            theme,
            mouse: false,
            roster: Roster::new(),
            session: None,
            session_path,
            import: ImportState::default(),
            fix: FixState::default(),
            review: ReviewState::default(),
            choices: Choices::default(),
            customize: CustomizeStep::new(Catalogue::embedded(), RosterFacts::default()),
            exchange: ExchangeStep::new(
                Catalogue::embedded(),
                Guide::embedded(),
                RosterFacts::default(),
            ),
            exchange_check: Default::default(),
            load: None,
            load_gen: 0,
            pending_resume: None,
            pending_source: None,
            popup: None,
            matching: None,
            join_gen: 0,
            join_continue: None,
            status: None,
            banner: None,
            quit: false,
            copied: Vec::new(),
            in_tmux: false,
            live: Default::default(),
        }
    }

    /// Number of rows the Fix table shows under the current filter.
    pub fn shown_len(&self) -> usize {
        match &self.fix.rows {
            Some(rows) => rows.len(),
            None => self.roster.len(),
        }
    }

    /// Roster row at shown position `i`.
    pub fn shown_row(&self, i: usize) -> Option<usize> {
        match &self.fix.rows {
            Some(rows) => rows.get(i).copied(),
            None => (i < self.roster.len()).then_some(i),
        }
    }

    /// Roster row under the cursor.
    pub fn selected_row(&self) -> Option<usize> {
        self.shown_row(self.fix.selected)
    }

    /// Whether a text field has the keys (so letters are typed, not commands).
    pub fn typing(&self) -> bool {
        match self.step {
            Step::Import => {
                self.import.focus == ImportFocus::Path
                    && self.load.is_none()
                    && self.import.source != ImportSource::Pull
            }
            Step::Fix => self.fix.edit.is_some() || self.fix.search.is_some(),
            Step::ReviewExport => self.review.dir_edit.is_some(),
            Step::Customize => self.customize.is_editing(),
            Step::ExchangeAccess => self.exchange.is_editing(),
            Step::MatchReview => self.matching.as_ref().is_some_and(|m| m.search.is_some()),
            _ => false,
        }
    }

    /// Copies the Fix step's filter and selected cell into the session (saved with it).
    pub fn record_view(&mut self) {
        let row = self.selected_row();
        let line = row.map(|r| self.roster.record(r).line);
        let view = crate::session::View {
            filter: self.fix.filter.to_key(),
            row,
            line,
            col: self.fix.col,
        };
        if let Some(s) = &mut self.session {
            s.view = Some(view);
        }
    }

    /// Whether the session's roster is joined from two user lists (Match review is a step).
    pub fn joined(&self) -> bool {
        // While a joined roster loads, the session waits in `pending_resume`.
        self.session
            .as_ref()
            .or(self.pending_resume.as_ref())
            .is_some_and(|s| s.join.is_some())
    }

    /// The output folder for export.
    pub fn output_dir(&self) -> PathBuf {
        self.session
            .as_ref()
            .and_then(|s| s.output_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT_DIR))
    }
}

impl State {
    /// What Export would send, or why it would refuse: the core summary Review renders.
    pub fn submission(&self) -> crate::usecase::submission::Submission {
        use crate::usecase::submission::{Submission, SubmissionInput};
        let (history, unplaced): (&[crate::session::Op], usize) = match &self.session {
            Some(s) => (&s.history, s.unplaced.len()),
            None => (&[], 0),
        };
        Submission::new(&SubmissionInput {
            roster: &self.roster,
            catalogue: self.customize.catalogue(),
            guide: self.exchange.guide(),
            choices: &self.choices,
            facts: self.customize.facts(),
            history,
            unplaced,
            check: self.exchange_check.summary(),
        })
    }

    /// Errors in the choices (they block export like roster errors), Customize's first.
    pub fn choice_errors(&self) -> Vec<Issue> {
        let mut all = self.customize.issues(&self.choices);
        for i in self.exchange.issues(&self.choices) {
            if !all.iter().any(|a| a.key == i.key && a.message == i.message) {
                all.push(i);
            }
        }
        all.retain(|i| i.severity == Severity::Error);
        all
    }
}
