//! Messages (what happened) and effects (what the runtime must do).

use super::state::{Filter, Preview, PreviewError};
use super::widgets::text_input::TextEdit;
use crate::roster::import::{Detected, ImportOptions};
use crate::roster::Record;
use crate::session::SourceInfo;
use std::path::PathBuf;

/// Everything that can change the state: keys mapped to intentions, and results of effects,
/// grouped by the step (or part) that handles them; `update` routes one arm per group.
#[derive(Clone, Debug)]
pub enum Msg {
    Quit,
    Resize(u16, u16),
    ShowHelp,
    NextStep,
    PrevStep,
    /// Typing into whichever text field is active.
    Text(TextEdit),
    /// Enter in a text field.
    CommitInput,
    /// Esc in a text field.
    CancelInput,
    Saved(Result<(), String>),
    /// A typed message for the step's form (Customize, Exchange access).
    Form(super::setting_form::FormMsg),
    /// Copy the focused checklist command (Exchange access).
    CopyCommand,
    /// The Import step: its keys and the runtime's answers (files, completions, preview, resume).
    Import(ImportMsg),
    /// The roster loader's results, for the load of generation `gen`.
    Load(LoadMsg),
    /// The joined sources (two exports or a pull) and the Match review step.
    Match(MatchMsg),
    /// The Fix step's table.
    Fix(FixMsg),
    /// Verifying the roster against the live directories (tui/verify.rs).
    Verify(VerifyMsg),
    /// Unplaced changes (a resumed session whose source changed).
    Unplaced(UnplacedMsg),
    /// The Review & export step.
    Review(ReviewMsg),
    /// The Authorize step (impersonation: the impersonating account's Exchange authorization).
    /// The Exchange access check (tui/exchange_check.rs).
    ExchangeCheck(ExchangeCheckMsg),
    /// The plan's secret (tui/secret_field.rs).
    Secret(SecretMsg),
    /// The open popup.
    Popup(PopupMsg),
}

/// The Import step: its keys and the runtime's answers (files, completions, preview, resume).
#[derive(Clone, Debug)]
pub enum ImportMsg {
    Resume,
    StartNew,
    /// Result of checking the saved session's source: None = missing, Some(changed).
    SourceChecked(Option<bool>),
    FocusNext,
    FocusPrev,
    Complete,
    Completed {
        base: String,
        candidates: Vec<String>,
    },
    FilesListed(Vec<String>),
    MoveFile(isize),
    PickFile,
    Previewed(Result<Preview, PreviewError>),
    MoveSetting(isize),
    CycleSetting(isize),
    StartLoad,
    CancelLoad,
}

/// The roster loader's results, for the load of generation `gen`.
#[derive(Clone, Debug)]
pub enum LoadMsg {
    Started {
        gen: u64,
        path: PathBuf,
        detected: Detected,
    },
    Batch {
        gen: u64,
        records: Vec<Record>,
        bytes_done: u64,
        bytes_total: u64,
    },
    /// Rows in the roster being built so far, and how far the read is.
    Progress {
        gen: u64,
        rows: usize,
        bytes_done: u64,
        bytes_total: u64,
    },
    /// The whole file, validated: it replaces the first rows shown (sent before `LoadDone`).
    Built {
        gen: u64,
        roster: Box<crate::roster::Roster>,
    },
    Done {
        gen: u64,
    },
    /// The loaded file ended with a report footer, left out (sent before `LoadDone`).
    Footer {
        gen: u64,
        footer: crate::roster::import::Footer,
    },
    /// Re-apply a resumed session's changes and finish the load (sent after `LoadDone`).
    Finish {
        gen: u64,
    },
    /// After the loaded roster is drawn: derive the forms' facts and the choices.
    Settle {
        gen: u64,
    },
    Failed {
        gen: u64,
        error: String,
    },
    SourceHashed {
        gen: u64,
        info: SourceInfo,
    },
}

/// The joined sources (two exports or a pull) and the Match review step.
#[derive(Clone, Debug)]
pub enum MatchMsg {
    /// ←→ on the Import step's source line: roster file, two exports, pull.
    CycleSource(isize),
    /// Enter on the pull source: sign in to Salesforce and Microsoft 365 and read both lists
    /// (`device`: with device codes).
    StartPull { device: bool },
    /// The pull's sign-in or a page read, said on the Import step.
    PullProgress(String),
    /// Both user lists read and joined (or why not), for the join of generation `gen`.
    Joined {
        gen: u64,
        result: Result<super::match_review::Joined, String>,
    },
    /// Match review: previous / next section.
    Tab(isize),
    /// Match review: another person.
    Move(isize),
    /// Match review: another candidate (ambiguous) or search result.
    Candidate(isize),
    /// Enter: choose the highlighted candidate, or open the account search.
    Choose,
    /// `x`: leave the person out, or bring them back as the join found them.
    LeaveOut,
    /// `/`: search Microsoft accounts for the selected person (only in Salesforce).
    Search,
    /// The joined roster was written next to the session (its identity), or why not.
    JoinedWritten(Result<SourceInfo, String>),
}

/// The Fix step's table.
#[derive(Clone, Debug)]
pub enum FixMsg {
    Move(isize),
    MoveCol(isize),
    Page(isize),
    Top,
    /// `g`: the row a duplicate repeats, else the first row.
    GoToFirst,
    Bottom,
    NextProblem {
        forward: bool,
    },
    SetFilter(Filter),
    CycleCodeFilter,
    StartSearch,
    /// Mouse click on shown row `row` (screen-relative index) and column.
    ClickCell {
        row: usize,
        col: Option<usize>,
    },
    StartEdit,
    ApplyFix,
    AskBulkFix,
    ToggleExclude,
    Undo,
    Redo,
}

/// Verifying the roster against the live directories (tui/verify.rs).
#[derive(Clone, Debug)]
pub enum VerifyMsg {
    /// `v`: verify the roster against the live directories (tui/verify.rs).
    Start,
    /// A verification's progress line.
    Progress(String),
    /// A verification ended.
    Done(Result<crate::usecase::roster_verify::VerifyReport, String>),
}

/// Unplaced changes (a resumed session whose source changed).
#[derive(Clone, Debug)]
pub enum UnplacedMsg {
    /// `p` on Fix: list the changes replay could not place.
    Show,
    /// Select another item of the list.
    Move(isize),
    /// Re-apply the selected item to the row selected in the Fix table.
    Reapply,
    /// Drop the selected item (recorded, undoable).
    Drop,
}

/// The Review & export step.
#[derive(Clone, Debug)]
pub enum ReviewMsg {
    EditOutputDir,
    Export,
    Exported(Result<(String, usize), String>),
    /// The output folder holds a bundle: ask before replacing it (absolute path, its
    /// manifest's time when readable).
    AskReplace {
        path: String,
        written: Option<String>,
    },
    /// `j`: go to the first blocker (or the first warning when nothing blocks).
    JumpToErrors,
    /// `1`–`9`: go to Review's n-th listed item (blockers first, then warnings), 0-based.
    JumpToItem(usize),
    /// `x`: offer to leave out every included row that has errors.
    AskExcludeErrors,
}

/// The Exchange access check (tui/exchange_check.rs).
#[derive(Clone, Debug)]
pub enum ExchangeCheckMsg {
    /// `v` on Exchange access: check the plan against the mailboxes.
    Start,
    /// The check's progress, from the runtime's thread.
    Progress(crate::usecase::exchange_check::Progress),
    /// The check ended: its report, or why it could not run.
    Done(Result<crate::usecase::exchange_check::CheckReport, String>),
}

/// The plan's secret (tui/secret_field.rs).
#[derive(Clone, Debug)]
pub enum SecretMsg {
    /// `p` on Exchange access: open the masked field for the plan's secret.
    Enter,
    /// The keyring stored it (what to say), or why not.
    Stored(Result<String, String>),
}

/// The open popup.
#[derive(Clone, Debug)]
pub enum PopupMsg {
    Close,
    /// Enter / `y` on a popup.
    Confirm,
}

/// Work with the outside world that `update` asks the runtime to do.
#[derive(Debug)]
pub enum Effect {
    /// Write the session (from the state) atomically, before the next frame is drawn.
    SaveSession,
    /// Give the memory a load freed back to the system (see `crate::memory`).
    ReleaseMemory,
    /// List CSV/TXT files of the current folder → `FilesListed`.
    ListFiles,
    /// Complete a path → `Completed`.
    Complete(String),
    /// Read the first rows with these options → `Previewed`.
    Preview {
        path: PathBuf,
        options: ImportOptions,
    },
    /// Load the whole file on a thread → `LoadStarted`, `LoadBatch`*, `LoadDone` / `LoadFailed`,
    /// and `SourceHashed`.
    Load {
        gen: u64,
        path: PathBuf,
        options: ImportOptions,
    },
    /// Stop the load of generation `gen`.
    CancelLoad { gen: u64 },
    /// Hash each file (a joined session's two exports) → one `SourceChecked`: missing if any
    /// is, changed if any is.
    CheckSources(Vec<(PathBuf, String)>),
    /// Hash the source to see whether it changed → `SourceChecked`.
    CheckSource { path: PathBuf, sha256: String },
    /// Write the bundle into this folder → `Exported`; unless `replace`, a folder that
    /// already holds a bundle is left alone → `AskReplace`.
    Export { dir: PathBuf, replace: bool },
    /// Verify these rows on a thread with the stored administrator sign-ins →
    /// `VerifyProgress`*, `Verified`.
    Verify {
        rows: Vec<crate::usecase::roster_verify::VerifyRow>,
    },
    /// Put this text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Read both exports and join them on a thread → `Joined`.
    Join {
        gen: u64,
        salesforce: PathBuf,
        microsoft: PathBuf,
    },
    /// Sign in to both systems and pull their user lists → `Joined`. The seam for
    /// `usecase::roster_pull`: see `runtime::pull_directories`.
    Pull { gen: u64, device: bool },
    /// Write the joined roster (field order) atomically to `path` → `JoinedWritten`.
    WriteJoined {
        path: PathBuf,
        rows: Vec<[String; 5]>,
    },
    /// Deliver this message after the next frame is drawn (so the screen can say what a long
    /// step is doing before it starts).
    AfterDraw(Box<Msg>),
    /// Check the Exchange plan against the included mailboxes on a thread →
    /// `ExchangeCheckProgress`*, `ExchangeCheckDone`.
    ExchangeCheck,
    /// Store the plan's secret in the OS keyring on a thread → `SecretStored`. The value
    /// lives only here until the thread has handed it to the keyring.
    StoreExchangeSecret(crate::usecase::exchange_secret::Secret),
}
