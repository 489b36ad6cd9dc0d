//! The roster: import, validation, editing and export of the user list.

pub(crate) mod by_line;
pub mod dup_key;
mod editable;
pub mod export;
mod field;
mod finding;
pub mod fix;
pub mod import;
mod key_log;
mod record;
pub mod rules;
pub mod scan;
#[cfg(any(test, feature = "testing"))]
pub mod synth;

pub use editable::{CellChange, CheckedBatch, Counts, Roster, RosterBuilder};
pub use field::Field;
pub use finding::{Code, Finding, Severity};
pub use record::Record;
