//! Where things go on screen. Shared by `view` and by mouse handling, so a click maps to the
//! row that was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest usable terminal.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// The frame's fixed regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Step header and counts (2 lines) plus the banner line.
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// Splits the whole screen.
pub fn frame(area: Rect) -> Frame {
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Frame {
        header,
        body,
        status,
        hints,
    }
}

/// The Fix step's table and detail panel.
pub fn fix(body: Rect) -> (Rect, Rect) {
    // The panel holds the row's five values (wrapped) and then its findings.
    let detail = if body.height >= 30 { 14 } else { 10 };
    let [table, panel] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail)]).areas(body);
    (table, panel)
}

/// Lines above the first data row of the table: title border and column header.
pub const TABLE_CHROME: u16 = 2;

/// How many roster rows fit in the table at this terminal size.
pub fn table_rows(size: (u16, u16)) -> usize {
    let area = Rect::new(0, 0, size.0, size.1);
    let (table, _) = fix(frame(area).body);
    table.height.saturating_sub(TABLE_CHROME).max(1) as usize
}
