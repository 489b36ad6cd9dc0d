//! `view(state, frame)`: draws the state. Pure: reads the state, writes only the frame.

mod authorize;
mod fix;
mod frame;
mod import;
mod match_review;
pub(crate) mod popup;
mod review;
mod sources;

use super::layout::{self, MIN_SIZE};
use super::state::State;
use crate::session::Step;
use ratatui::layout::Alignment;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Draws the whole screen.
pub fn view(state: &State, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "This window is {}×{}.\nscc-onboard needs at least {}×{}: please make it larger.\nYour work is saved; q quits.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        f.render_widget(
            Paragraph::new(text)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let regions = layout::frame(area);
    frame::header(state, f, regions.header);
    match state.step {
        Step::Import => import::render(state, f, regions.body),
        Step::MatchReview => match_review::render(state, f, regions.body),
        Step::Fix => fix::render(state, f, regions.body),
        Step::ReviewExport => review::render(state, f, regions.body),
        Step::Customize => state.customize.render(&state.choices, f, regions.body),
        Step::ExchangeAccess => {
            let (step, check) = state.exchange_check.split(regions.body);
            state.exchange.render(&state.choices, f, step);
            if let Some(area) = check {
                state.exchange_check.render(f, area);
            }
        }
        Step::Authorize => authorize::render(state, f, regions.body),
    }
    frame::status(state, f, regions.status);
    frame::hints(state, f, regions.hints);
    popup::render(state, f, area);
}
