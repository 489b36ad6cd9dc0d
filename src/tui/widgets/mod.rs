//! Widgets of the wizard that ratatui does not have.

pub(crate) mod roster_table;
pub(crate) mod text;
pub mod text_input;
