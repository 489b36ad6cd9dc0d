//! Steps not built yet: said plainly, and passable.

use crate::tui::state::State;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let title = state.step.title();
    let lines = vec![
        Line::raw(""),
        Line::styled(format!("{title} — not yet available"), t.title()),
        Line::raw(""),
        Line::raw("This step is not part of this build yet. Nothing is asked or saved here."),
        Line::raw("Your roster and edits are kept in the session."),
        Line::raw(""),
        Line::raw("Press Enter or > to continue, < to go back."),
    ];
    f.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(format!(" {title} "))),
        area,
    );
}
