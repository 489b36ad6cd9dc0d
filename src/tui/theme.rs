//! Styles. Every mark that matters (errors, warnings, selection, exclusion) is carried by a
//! symbol or a text modifier; colour only adds to it, and is dropped when `NO_COLOR` is set.

use ratatui::style::{Color, Modifier, Style};

/// The wizard's styles, with or without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

/// Symbol in front of a cell (and in the row gutter) with an error.
pub const ERROR_MARK: &str = "✗";
/// Symbol in front of a cell (and in the row gutter) with a warning only.
pub const WARNING_MARK: &str = "!";
/// Gutter symbol of an excluded row.
pub const EXCLUDED_MARK: &str = "-";
/// Gutter symbol of the selected row.
pub const CURSOR_MARK: &str = "▶";

impl Theme {
    /// Colour unless the `NO_COLOR` convention (<https://no-color.org>) asks for none.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    /// No colour at all; what tests and `NO_COLOR` see.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))] // only the tests use it
    pub fn plain() -> Self {
        Theme { color: false }
    }

    fn fg(self, style: Style, c: Color) -> Style {
        if self.color {
            style.fg(c)
        } else {
            style
        }
    }

    pub fn error(self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Color::Red,
        )
    }

    pub fn warning(self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::UNDERLINED),
            Color::Yellow,
        )
    }

    pub fn excluded(self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::DIM | Modifier::CROSSED_OUT),
            Color::DarkGray,
        )
    }

    pub fn selected_cell(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn selected_row(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn title(self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn current_step(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::DIM), Color::DarkGray)
    }

    pub fn key(self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn ok(self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Green)
    }

    pub fn focus(self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
    }
}
