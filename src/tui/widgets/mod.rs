//! Widgets of the wizard that ratatui does not have.

pub mod roster_table;
pub mod text;
pub mod text_input;
