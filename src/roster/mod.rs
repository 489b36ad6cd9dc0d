//! The roster: import, validation, editing and export of the user list.

mod field;
mod finding;

pub use field::Field;
pub use finding::{Code, Finding, Severity};
