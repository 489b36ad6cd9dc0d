//! The Import step: path field, file list, detected settings and preview.

use crate::roster::Field;
use crate::tui::state::{ImportFocus, ImportSource, State};
use crate::tui::widgets::text::{fit, visible};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// Human name of a delimiter.
pub(super) fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "comma ,".into(),
        b';' => "semicolon ;".into(),
        b'\t' => "tab".into(),
        b'|' => "pipe |".into(),
        other => format!("{:?}", other as char),
    }
}

pub(super) fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let imp = &state.import;
    let [bar, area] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    super::sources::source_bar(state, f, bar);
    if imp.source == ImportSource::Pull {
        super::sources::pull(state, f, area);
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(area);
    let [path_area, files_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(left);
    let [settings_area, preview_area] =
        Layout::vertical([Constraint::Length(9), Constraint::Min(3)]).areas(right);

    let focus_style = |focus: ImportFocus| {
        if imp.focus == focus {
            t.focus()
        } else {
            Style::new()
        }
    };
    let marker = |focus: ImportFocus| if imp.focus == focus { "▶ " } else { "" };

    // Path field.
    let block = Block::bordered()
        .title(format!(
            " {}{} ",
            marker(ImportFocus::Path),
            super::sources::path_title(imp)
        ))
        .border_style(focus_style(ImportFocus::Path));
    let inner = block.inner(path_area);
    let (shown, col) = imp.path.window(inner.width.saturating_sub(1) as usize);
    f.render_widget(Paragraph::new(visible(&shown)).block(block), path_area);
    if imp.focus == ImportFocus::Path && state.load.is_none() && state.popup.is_none() {
        f.set_cursor_position(Position::new(inner.x + col as u16, inner.y));
    }

    // File list, or completion candidates.
    let (title, entries) = if imp.candidates.is_empty() {
        (" CSV/TXT files here ", &imp.files)
    } else {
        (" Matches (keep typing, Tab) ", &imp.candidates)
    };
    let items: Vec<ListItem> = if entries.is_empty() {
        vec![ListItem::new(Line::styled(
            "(none in this folder)",
            t.dim(),
        ))]
    } else {
        entries
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let sel = imp.focus == ImportFocus::Files && i == imp.file_cursor;
                let text = format!("{}{}", if sel { "▶ " } else { "  " }, visible(name));
                ListItem::new(Line::styled(
                    text,
                    if sel { t.selected_cell() } else { Style::new() },
                ))
            })
            .collect()
    };
    let skip = imp
        .file_cursor
        .saturating_sub(files_area.height.saturating_sub(3) as usize);
    f.render_widget(
        List::new(items.into_iter().skip(skip)).block(
            Block::bordered()
                .title(format!(
                    " {}{}",
                    marker(ImportFocus::Files),
                    title.trim_start()
                ))
                .border_style(focus_style(ImportFocus::Files)),
        ),
        files_area,
    );

    if imp.source == ImportSource::Exports {
        super::sources::exports(state, f, right);
        return;
    }

    // Detected settings.
    let mut lines = Vec::new();
    let sel = |i: usize| imp.focus == ImportFocus::Settings && imp.setting_cursor == i;
    let line = |i: usize, label: &str, value: String, bad: bool| {
        let style = if sel(i) {
            t.selected_cell()
        } else {
            Style::new()
        };
        let mark = if bad { "✗ " } else { "" };
        Line::from(vec![
            Span::styled(
                format!("{}{label:<26}", if sel(i) { "▶ " } else { "  " }),
                style,
            ),
            Span::styled(
                format!("{mark}{value}"),
                if bad { t.error() } else { style },
            ),
        ])
    };
    let detected = imp.preview.as_ref().map(|p| &p.detected);
    let enc = match (imp.options.encoding, detected) {
        (Some(e), _) => format!("{e} (chosen)"),
        (None, Some(d)) => format!("{} (detected)", d.encoding),
        (None, None) => "detect".into(),
    };
    lines.push(line(0, "Encoding", enc, false));
    let delim = match (imp.options.delimiter, detected) {
        (Some(d), _) => format!("{} (chosen)", delimiter_name(d)),
        (None, Some(d)) if d.sep_line => {
            format!("{} (the file's sep= line)", delimiter_name(d.delimiter))
        }
        (None, Some(d)) => format!("{} (detected)", delimiter_name(d.delimiter)),
        (None, None) => "detect".into(),
    };
    lines.push(line(1, "Delimiter", delim, false));
    // Inside the border, after the marker and the label column.
    let value_w = settings_area.width.saturating_sub(2 + 2 + 26) as usize;
    for field in Field::ALL {
        let mapped = imp.mapping[field.index()].and_then(|i| imp.headers.get(i));
        let known = !imp.headers.is_empty();
        let value = match mapped {
            Some(h) if imp.options.columns.iter().any(|(f, _)| *f == field) => {
                format!(
                    "← {} (chosen)",
                    fit(&visible(h), value_w.saturating_sub(11))
                )
            }
            Some(h) => format!("← {}", fit(&visible(h), value_w.saturating_sub(2))),
            None if known => "← (no column)".into(),
            None => "".into(),
        };
        lines.push(line(
            2 + field.index(),
            field.title(),
            value,
            known && mapped.is_none(),
        ));
    }
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(format!(
                    " {}How the file is read ",
                    marker(ImportFocus::Settings)
                ))
                .border_style(focus_style(ImportFocus::Settings)),
        ),
        settings_area,
    );

    // Preview, progress or error.
    let block = Block::bordered().title(" Preview ");
    if let Some(load) = &state.load {
        let text = vec![
            Line::raw(format!("Opening {} …", load.path.display())),
            Line::raw(""),
            Line::raw("Esc cancels."),
        ];
        f.render_widget(Paragraph::new(text).block(block), preview_area);
    } else if let Some(err) = &imp.error {
        f.render_widget(
            Paragraph::new(Line::styled(format!("✗ {err}"), t.error()))
                .wrap(Wrap { trim: true })
                .block(block),
            preview_area,
        );
    } else if let Some(p) = &imp.preview {
        let widths = [Constraint::Ratio(1, 5); 5];
        let header = Row::new(Field::ALL.map(|f| f.title())).style(t.header());
        let rows = p
            .rows
            .iter()
            .map(|r| Row::new(r.cells.iter().map(|c| visible(c)).collect::<Vec<_>>()));
        let block = Block::bordered().title(format!(
            " Preview of {}{} — Enter loads it ",
            p.path.display(),
            header_note(&p.detected)
        ));
        let inner = block.inner(preview_area);
        f.render_widget(block, preview_area);
        // Lines that are not users (a report footer), said once under the rows.
        let notes: Vec<Line> = p
            .detected
            .footer
            .iter()
            .map(|footer| Line::styled(footer.to_string(), t.dim()))
            .collect();
        let [table_area, notes_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(notes.len() as u16)])
                .areas(inner);
        f.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            table_area,
        );
        f.render_widget(Paragraph::new(notes), notes_area);
    } else {
        f.render_widget(
            Paragraph::new(vec![
                Line::raw("Type the path of the roster CSV (Tab completes) and press Enter,"),
                Line::raw("or pick one of the files listed on the left."),
            ])
            .wrap(Wrap { trim: true })
            .block(block),
            preview_area,
        );
    }
}

/// Where the table starts, when lines above the header were skipped (a `#TYPE` line, a title).
fn header_note(d: &crate::roster::import::Detected) -> String {
    if d.header_moved() {
        format!(" (header on line {})", d.header_line)
    } else {
        String::new()
    }
}
