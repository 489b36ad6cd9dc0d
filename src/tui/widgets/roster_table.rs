//! The roster table, a `StatefulWidget` over what it draws (the roster, the filtered rows, the
//! window and selection), not the wizard's state. It draws straight into the buffer and touches only the rows on screen, so
//! a frame costs the same at a thousand rows as at a million (no `Row` per roster row).

use super::text::{fit, visible, width};
use super::text_input::TextInput;
use crate::roster::{Field, Roster, Severity};
use crate::tui::layout::TABLE_CHROME;
use crate::tui::state::State;
use crate::tui::theme::{Theme, CURSOR_MARK, ERROR_MARK, EXCLUDED_MARK, WARNING_MARK};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, StatefulWidget, Widget};
use ratatui::Frame;

/// Horizontal placement of the table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Columns {
    pub line: (u16, u16),
    pub gutter: (u16, u16),
    /// x and width of each field's column, in `Field::ALL` order.
    pub fields: [(u16, u16); 5],
}

/// Column placement for a table `area` whose line numbers need `line_digits` digits, for
/// cells that want `wants` columns each (their widest value on screen, mark included). When
/// everything fits, the spare room goes to the e-mail column; when not, only the widest columns
/// are cut, all to the same width (water-filling), so short values (IDs) are never cut for the
/// sake of a long name.
pub(crate) fn columns(area: Rect, line_digits: u16, wants: [u16; 5]) -> Columns {
    let lw = line_digits.max(4);
    let x0 = area.x;
    let gutter_x = x0 + lw + 1;
    let start = gutter_x + 2;
    let avail = area.width.saturating_sub(lw + 1 + 2 + 5);
    let widths = share_widths(avail, wants);
    let mut fields = [(0, 0); 5];
    let mut x = start;
    for f in Field::ALL {
        let w = widths[f.index()];
        fields[f.index()] = (x + 1, w);
        x += w + 1;
    }
    Columns {
        line: (x0, lw),
        gutter: (gutter_x, 2),
        fields,
    }
}

/// Fewest columns a field gets: its mark and a few letters.
const MIN_COLUMN: u16 = 6;

/// Splits `avail` columns among the five fields (see [`columns`]).
pub(crate) fn share_widths(avail: u16, wants: [u16; 5]) -> [u16; 5] {
    let wants = wants.map(|w| w.max(MIN_COLUMN));
    let total: u32 = wants.iter().map(|&w| w as u32).sum();
    let mut out = wants;
    if total <= avail as u32 {
        out[Field::Office365Email.index()] += avail - total as u16;
        return out;
    }
    // The largest cap c with sum(min(want, c)) <= avail.
    let fits = |c: u16| wants.iter().map(|&w| w.min(c) as u32).sum::<u32>() <= avail as u32;
    let (mut lo, mut hi) = (0u16, wants.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    out = wants.map(|w| w.min(lo).max(1));
    // What the cap leaves over goes to the cut columns, left to right.
    let mut spare = avail.saturating_sub(out.iter().sum());
    for (o, w) in out.iter_mut().zip(wants) {
        if spare == 0 {
            break;
        }
        if *o < w {
            *o += 1;
            spare -= 1;
        }
    }
    out
}

/// What the table draws: the roster, the rows under the filter, the title and the cell being
/// edited. Borrowed, never the wizard's whole state; the window and the selection are the
/// widget's [`TableState`].
pub(crate) struct RosterTable<'a> {
    pub roster: &'a Roster,
    /// How many rows the filter shows.
    pub shown_len: usize,
    /// The roster row at each shown position.
    pub shown_row: &'a dyn Fn(usize) -> Option<usize>,
    pub title: String,
    pub theme: Theme,
    /// The selected cell's editor, while a cell is edited.
    pub edit: Option<&'a TextInput>,
    /// A roster still loading (an empty table says "Loading…").
    pub loading: bool,
}

/// The table's window and selection (in shown positions), and what the last draw reports
/// back: where the edited cell's cursor is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TableState {
    /// First shown position on screen.
    pub offset: usize,
    /// Selected shown position.
    pub selected: usize,
    /// Selected field column (`Field::index`).
    pub col: usize,
    /// Set by a draw while a cell is edited: where the terminal cursor goes.
    pub cursor: Option<Position>,
}

impl<'a> RosterTable<'a> {
    /// The Fix step's table and its window, from the wizard's state.
    pub(crate) fn of(
        state: &'a State,
        shown_row: &'a dyn Fn(usize) -> Option<usize>,
    ) -> (Self, TableState) {
        let mut title = format!(
            " Roster · {} · {} shown ",
            state.fix.filter.label(),
            state.shown_len()
        );
        if let Some(s) = &state.fix.search {
            title = format!(" Search: {} ", s.value());
        }
        let table = RosterTable {
            roster: &state.roster,
            shown_len: state.shown_len(),
            shown_row,
            title,
            theme: state.theme,
            edit: state.fix.edit.as_ref(),
            loading: state.load.is_some(),
        };
        let window = TableState {
            offset: state.fix.offset,
            selected: state.fix.selected,
            col: state.fix.col,
            cursor: None,
        };
        (table, window)
    }

    /// What each field's column wants for the rows on screen: its widest value (and the column
    /// title's first word) plus the mark. Only the rows drawn are looked at.
    pub(crate) fn wants(&self, offset: usize, rows: usize) -> [u16; 5] {
        let mut out = Field::ALL.map(|f| {
            f.title()
                .split(' ')
                .next()
                .map_or(0, |w| width(w) as u16 + 1)
        });
        for pos in offset..(offset + rows).min(self.shown_len) {
            let Some(row) = (self.shown_row)(pos) else {
                break;
            };
            for f in Field::ALL {
                let w = width(&visible(self.roster.cell(row, f))).min(u16::MAX as usize / 8) as u16;
                out[f.index()] = out[f.index()].max(w + 1);
            }
        }
        out
    }

    fn line_digits(&self) -> u16 {
        let last = self
            .roster
            .len()
            .checked_sub(1)
            .map_or(1, |r| self.roster.record(r).line);
        last.max(1).to_string().len() as u16
    }

    /// Which field column screen column `x` falls in, for a table drawn in `table`.
    pub(crate) fn column_at(&self, table: Rect, offset: usize, x: u16) -> Option<usize> {
        let rows = table.height.saturating_sub(TABLE_CHROME) as usize;
        let cols = columns(table, self.line_digits(), self.wants(offset, rows));
        cols.fields
            .iter()
            .position(|(cx, w)| x >= *cx && x < cx + w)
    }
}

/// Which field column screen column `x` falls in (the Fix table in `table`).
pub(crate) fn column_at(table: Rect, state: &State, x: u16) -> Option<usize> {
    let shown_row = |p| state.shown_row(p);
    let (t, window) = RosterTable::of(state, &shown_row);
    t.column_at(table, window.offset, x)
}

/// Draws the Fix step's table into `area` (and puts the cursor in the edited cell).
pub(crate) fn render(state: &State, frame: &mut Frame, area: Rect) {
    let shown_row = |p| state.shown_row(p);
    let (table, mut window) = RosterTable::of(state, &shown_row);
    frame.render_stateful_widget(table, area, &mut window);
    if let Some(c) = window.cursor {
        frame.set_cursor_position(c);
    }
}

impl StatefulWidget for RosterTable<'_> {
    type State = TableState;

    fn render(self, area: Rect, buf: &mut Buffer, window: &mut TableState) {
        let theme = self.theme;
        let shown = self.shown_len;
        let block = Block::new()
            .borders(Borders::TOP)
            .title(self.title.as_str())
            .title_style(theme.title());
        let inner = block.inner(area);
        block.render(area, buf);
        window.cursor = None;
        if inner.height < TABLE_CHROME - 1 {
            return;
        }
        let rows = inner.height.saturating_sub(1) as usize;
        let cols = columns(inner, self.line_digits(), self.wants(window.offset, rows));

        // Column header.
        let y = inner.y;
        buf.set_stringn(
            cols.line.0,
            y,
            fit("Line", cols.line.1 as usize),
            cols.line.1 as usize,
            theme.header(),
        );
        for f in Field::ALL {
            let (x, w) = cols.fields[f.index()];
            let mut style = theme.header();
            if f.index() == window.col {
                style = style.add_modifier(Modifier::REVERSED);
            }
            buf.set_stringn(x, y, fit(f.title(), w as usize), w as usize, style);
        }

        let first = window.offset;
        if shown == 0 {
            let msg = if self.roster.is_empty() && self.loading {
                "Loading…"
            } else {
                "No rows match this filter (a shows all rows)"
            };
            buf.set_stringn(inner.x + 2, y + 1, msg, inner.width as usize, theme.dim());
            return;
        }
        for i in 0..rows.min(shown.saturating_sub(first)) {
            let pos = first + i;
            let Some(row) = (self.shown_row)(pos) else {
                break;
            };
            let y = y + 1 + i as u16;
            let selected = pos == window.selected;
            let excluded = self.roster.is_excluded(row);
            let findings = self.roster.findings(row);
            let mut base = Style::new();
            if excluded {
                base = base.patch(theme.excluded());
            }
            if selected {
                base = base.patch(theme.selected_row());
            }
            let line = self.roster.record(row).line.to_string();
            let lw = cols.line.1 as usize;
            buf.set_stringn(cols.line.0, y, format!("{line:>lw$}"), lw, base);

            let worst = findings.iter().map(|f| f.severity()).min();
            let mark = if excluded {
                EXCLUDED_MARK
            } else {
                match worst {
                    Some(Severity::Error) => ERROR_MARK,
                    Some(Severity::Warning) => WARNING_MARK,
                    None => " ",
                }
            };
            let gutter_style = match (excluded, worst) {
                (true, _) => base,
                (false, Some(Severity::Error)) => base.patch(theme.error()),
                (false, Some(Severity::Warning)) => base.patch(theme.warning()),
                _ => base,
            };
            let cur = if selected { CURSOR_MARK } else { " " };
            buf.set_stringn(cols.gutter.0, y, cur, 1, base);
            buf.set_stringn(cols.gutter.0 + 1, y, mark, 1, gutter_style);

            for f in Field::ALL {
                let (x, w) = cols.fields[f.index()];
                let w = w as usize;
                let sev = findings
                    .iter()
                    .filter(|x| x.field == Some(f))
                    .map(|x| x.severity())
                    .min();
                let (mark, mut style) = match (excluded, sev) {
                    (false, Some(Severity::Error)) => (ERROR_MARK, base.patch(theme.error())),
                    (false, Some(Severity::Warning)) => (WARNING_MARK, base.patch(theme.warning())),
                    _ => (" ", base),
                };
                let cell_selected = selected && f.index() == window.col;
                if cell_selected {
                    style = style.patch(theme.selected_cell());
                }
                if let (true, Some(input)) = (cell_selected, self.edit) {
                    let (text, col) = input.window(w.saturating_sub(1));
                    let text = visible(&text);
                    let pad = format!("{text:<width$}", width = w.saturating_sub(1));
                    buf.set_stringn(x, y, "›", 1, theme.selected_cell());
                    buf.set_stringn(
                        x + 1,
                        y,
                        &pad,
                        w.saturating_sub(1),
                        Style::new().add_modifier(Modifier::UNDERLINED),
                    );
                    let col_w = width(&text.chars().take(col).collect::<String>());
                    window.cursor = Some(Position::new(x + 1 + col_w as u16, y));
                    continue;
                }
                let text = fit(&visible(self.roster.cell(row, f)), w.saturating_sub(1));
                let content = format!("{mark}{text:<width$}", width = w.saturating_sub(1));
                buf.set_stringn(x, y, content, w, style);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_fits_and_the_rest_goes_to_the_email_column() {
        assert_eq!(
            share_widths(100, [13, 16, 19, 16, 16]),
            [13, 16, 19, 16, 36]
        );
    }

    #[test]
    fn only_the_widest_columns_are_cut_and_ids_keep_their_width() {
        let w = share_widths(100, [40, 30, 19, 30, 30]);
        assert_eq!(w.iter().sum::<u16>(), 100);
        assert_eq!(w[2], 19, "the ID column is not cut: {w:?}");
        let cut: Vec<u16> = [0, 1, 3, 4].iter().map(|&i| w[i]).collect();
        assert!(
            cut.iter().max().unwrap() - cut.iter().min().unwrap() <= 1,
            "{w:?}"
        );
    }

    #[test]
    fn a_narrow_table_still_gives_each_column_something() {
        let w = share_widths(20, [40, 40, 19, 40, 40]);
        assert!(w.iter().all(|&x| x >= 1), "{w:?}");
        assert!(w.iter().sum::<u16>() <= 20, "{w:?}");
    }
}
