//! Messages (what happened) and effects (what the runtime must do).

use super::state::{Filter, Preview, PreviewError};
use super::widgets::text_input::TextEdit;
use crate::roster::import::{Detected, ImportOptions};
use crate::roster::Record;
use crate::session::SourceInfo;
use std::path::PathBuf;

/// Everything that can change the state: keys mapped to intentions, and results of effects.
#[derive(Clone, Debug)]
pub enum Msg {
    Quit,
    Resize(u16, u16),
    ShowHelp,
    ClosePopup,
    /// Enter / `y` on a popup.
    ConfirmPopup,
    NextStep,
    PrevStep,
    /// Typing into whichever text field is active.
    Text(TextEdit),
    /// Enter in a text field.
    CommitInput,
    /// Esc in a text field.
    CancelInput,

    // Resume prompt and session.
    Resume,
    StartNew,
    /// Result of checking the saved session's source: None = missing, Some(changed).
    SourceChecked(Option<bool>),
    Saved(Result<(), String>),

    // Import step.
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
    LoadStarted {
        gen: u64,
        path: PathBuf,
        detected: Detected,
    },
    LoadBatch {
        gen: u64,
        records: Vec<Record>,
        bytes_done: u64,
        bytes_total: u64,
    },
    LoadDone {
        gen: u64,
    },
    /// The loaded file ended with a report footer, left out (sent before `LoadDone`).
    LoadFooter {
        gen: u64,
        footer: crate::roster::import::Footer,
    },
    /// Re-apply a resumed session's changes and finish the load (sent after `LoadDone`).
    FinishLoad {
        gen: u64,
    },
    LoadFailed {
        gen: u64,
        error: String,
    },
    SourceHashed {
        gen: u64,
        info: SourceInfo,
    },

    // Fix step.
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

    // Unplaced changes (a resumed session whose source changed).
    /// `p` on Fix: list the changes replay could not place.
    ShowUnplaced,
    /// Select another item of the list.
    UnplacedMove(isize),
    /// Re-apply the selected item to the row selected in the Fix table.
    ReapplyUnplaced,
    /// Drop the selected item (recorded, undoable).
    DropUnplaced,

    // Review & export step.
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

    // Customize and Exchange access steps.
    /// A key for the step's component (it decides what the key does).
    StepKey(crossterm::event::KeyEvent),
    /// Copy the focused checklist command (Exchange access).
    CopyCommand,

    // Authorize step (impersonation: the impersonating account's Exchange authorization).
    /// `a`: start the browser flow for the impersonating account; `d`: the device-code flow
    /// (sign in on any other device: for a wizard run over SSH, where no browser can reach
    /// this machine's loopback address).
    AuthorizeAccount {
        device: bool,
    },
    /// Esc while the flow runs.
    CancelAuthorize,
    /// `c`: copy the authorization URL.
    CopyAuthUrl,
    /// The flow's progress, from the runtime's thread.
    AuthProgress(crate::auth::Progress),
    /// The flow ended: what was stored, or why not.
    AuthDone(Result<String, String>),
    /// What the keyring holds for the account (ignored while a flow runs).
    AuthStatusRead(Result<String, String>),
}

/// Work with the outside world that `update` asks the runtime to do.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Write the session (from the state) atomically, before the next frame is drawn.
    SaveSession,
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
    /// Hash the source to see whether it changed → `SourceChecked`.
    CheckSource { path: PathBuf, sha256: String },
    /// Write the bundle into this folder → `Exported`; unless `replace`, a folder that
    /// already holds a bundle is left alone → `AskReplace`.
    Export { dir: PathBuf, replace: bool },
    /// Authorize `login` at Exchange on a thread with the config from the choices →
    /// `AuthProgress`*, `AuthDone`.
    Authorize { login: String, device: bool },
    /// Stop the running authorization.
    CancelAuthorize,
    /// Read from the keyring whether `login` is authorized at Exchange → `AuthStatusRead`.
    AuthStatus { login: String },
    /// Put this text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Deliver this message after the next frame is drawn (so the screen can say what a long
    /// step is doing before it starts).
    AfterDraw(Box<Msg>),
}
