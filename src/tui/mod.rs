//! The terminal user interface: a thin shell that maps key events to messages and state to
//! widgets. All behaviour lives in the pure core; see ARCHITECTURE.md.

pub mod authorize;
pub mod terminal;
