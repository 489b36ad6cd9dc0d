//! Screens over TestBackend (insta snapshots) and the pure update's behaviour.

use super::state::{App, Confirm, Effect, Msg, Pending, Status};
use super::view::view;
use crate::auth::{Mismatch, Progress, Provider};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view(app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn loaded() -> App {
    let mut app = App::new("Secret Service");
    app.update(Msg::Loaded(
        Provider::Salesforce,
        Some(("jane@example.com".into(), 1_764_000_000)),
    ));
    app.update(Msg::Loaded(Provider::Exchange, None));
    app
}

#[test]
fn start_loads_both_statuses() {
    let app = App::new("x");
    assert_eq!(
        app.start(),
        vec![
            Effect::LoadStatus(Provider::Salesforce),
            Effect::LoadStatus(Provider::Exchange)
        ]
    );
}

/// Under app_only, impersonation or on-premises per_user the user authorizes Salesforce
/// only: one card, one status load, and Next stays on it.
#[test]
fn the_plan_decides_the_cards() {
    use crate::auth::config::PlanConfig;
    use crate::bundle::invitations::config_providers;
    let plan = |m: &str, d: &str| PlanConfig {
        mailbox_access: m.into(),
        exchange_deployment: d.into(),
        exchange_api: "ews".into(),
    };
    let both = vec![Provider::Salesforce, Provider::Exchange];
    assert_eq!(config_providers(None), both);
    assert_eq!(
        config_providers(Some(&plan("per_user", "exchange_online"))),
        both
    );
    for (m, d) in [
        ("app_only", "exchange_online"),
        ("impersonation", "on_premises"),
        ("per_user", "on_premises"),
    ] {
        assert_eq!(
            config_providers(Some(&plan(m, d))),
            vec![Provider::Salesforce],
            "{m} {d}"
        );
    }
    let mut app = App::with_providers(
        "Secret Service",
        &config_providers(Some(&plan("app_only", "exchange_online"))),
    );
    assert_eq!(app.start(), vec![Effect::LoadStatus(Provider::Salesforce)]);
    app.update(Msg::Loaded(Provider::Exchange, None));
    app.update(Msg::Loaded(
        Provider::Salesforce,
        Some(("jane@example.com".into(), 1_764_000_000)),
    ));
    app.update(Msg::Next);
    assert_eq!(app.selected, 0);
    assert_eq!(app.cards.len(), 1);
    let screen = render(&app, 80, 20);
    assert!(!screen.contains("Exchange"), "{screen}");
    insta::assert_snapshot!("cards_salesforce_only_80x20", screen);
}

#[test]
fn cards_show_status() {
    insta::assert_snapshot!("cards_80x20", render(&loaded(), 80, 20));
}

#[test]
fn narrow_terminal_stacks_cards() {
    insta::assert_snapshot!("cards_50x26", render(&loaded(), 50, 26));
}

#[test]
fn authorize_shows_url_and_copy_key() {
    let mut app = loaded();
    app.update(Msg::Next);
    assert_eq!(
        app.update(Msg::Authorize),
        vec![Effect::Authorize(Provider::Exchange)]
    );
    app.update(Msg::Progress(
        Provider::Exchange,
        Progress::OpenUrl(
            "http://127.0.0.1:5555/organizations/oauth2/v2.0/authorize?client_id=abc&state=xyz"
                .into(),
        ),
    ));
    insta::assert_snapshot!("authorize_url_80x20", render(&app, 80, 20));
    assert_eq!(
        app.update(Msg::Copy),
        vec![Effect::Copy(
            "http://127.0.0.1:5555/organizations/oauth2/v2.0/authorize?client_id=abc&state=xyz"
                .into()
        )]
    );
    // OSC 52 may reach no clipboard: the screen says so, and the URL is kept to be printed
    // on the normal screen when it closes.
    assert_eq!(
        app.copied,
        ["http://127.0.0.1:5555/organizations/oauth2/v2.0/authorize?client_id=abc&state=xyz"]
    );
    assert!(app
        .message
        .as_ref()
        .is_some_and(|(_, m)| m.contains("printed when you quit")));
    // A second flow cannot start while one runs; Esc cancels the running one.
    app.update(Msg::Prev);
    assert_eq!(app.update(Msg::Authorize), vec![]);
    assert_eq!(
        app.update(Msg::Cancel),
        vec![Effect::Cancel(Provider::Exchange)]
    );
    assert_eq!(
        app.update(Msg::Done(
            Provider::Exchange,
            Err("Exchange: cancelled; nothing was stored".into())
        )),
        vec![Effect::LoadStatus(Provider::Exchange)]
    );
    assert_eq!(app.pending, None);
}

#[test]
fn device_code_screen() {
    let mut app = loaded();
    app.update(Msg::Authorize);
    app.update(Msg::Progress(
        Provider::Salesforce,
        Progress::DeviceCode {
            uri: "https://login.salesforce.com/setup/connect".into(),
            code: "ABCD-1234".into(),
            complete: None,
        },
    ));
    assert!(matches!(app.pending, Some(Pending::Device { .. })));
    insta::assert_snapshot!("device_80x20", render(&app, 80, 20));
}

#[test]
fn disconnect_asks_first_and_needs_an_authorization() {
    let mut app = loaded();
    assert_eq!(app.update(Msg::Disconnect), vec![]);
    assert_eq!(app.confirm, Some(Confirm::Disconnect(Provider::Salesforce)));
    insta::assert_snapshot!("disconnect_confirm_80x20", render(&app, 80, 20));
    assert_eq!(app.update(Msg::No), vec![]);
    assert_eq!(app.confirm, None);
    app.update(Msg::Disconnect);
    assert_eq!(
        app.update(Msg::Yes),
        vec![Effect::Disconnect(Provider::Salesforce)]
    );
    // Exchange is not authorized: renew and disconnect explain instead of acting.
    let mut app = loaded();
    app.update(Msg::Next);
    assert_eq!(app.update(Msg::Renew), vec![]);
    assert!(app.message.as_ref().unwrap().1.contains("not authorized"));
}

#[test]
fn mismatch_asks_and_no_stores_nothing() {
    let mut app = loaded();
    app.update(Msg::Authorize);
    app.update(Msg::Mismatched(
        Provider::Salesforce,
        vec![Mismatch {
            what: "Salesforce login",
            expected: "jane@example.com".into(),
            actual: "john@example.com".into(),
        }],
    ));
    insta::assert_snapshot!("mismatch_80x20", render(&app, 80, 20));
    assert_eq!(
        app.update(Msg::Cancel),
        vec![Effect::ResolveMismatch(Provider::Salesforce, false)]
    );
    assert!(matches!(app.cards[0].status, Status::Working(_)));
}

#[test]
fn quit_cancels_a_running_flow() {
    let mut app = loaded();
    app.update(Msg::Authorize);
    assert_eq!(
        app.update(Msg::Quit),
        vec![Effect::Cancel(Provider::Salesforce), Effect::Quit]
    );
    assert!(app.quit);
}

#[test]
fn selection_is_visible_without_colour() {
    let screen = render(&loaded(), 80, 20);
    assert!(screen.contains("▶ Salesforce"));
    assert!(screen.contains("╔"), "selected card has a double border");
}

#[test]
fn errors_are_bold_and_marked_in_text() {
    let mut app = loaded();
    app.update(Msg::Done(
        Provider::Salesforce,
        Err("Salesforce: authorization was denied in the browser; nothing was stored".into()),
    ));
    assert_eq!(
        app.cards[0].status,
        Status::Loading,
        "no longer busy once done"
    );
    let mut t = Terminal::new(TestBackend::new(80, 20)).unwrap();
    t.draw(|f| view(&app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let row = (0..20)
        .find(|y| {
            (0..80)
                .map(|x| buf[(x, *y)].symbol().to_string())
                .collect::<String>()
                .starts_with("Error: Salesforce")
        })
        .expect("the error line is drawn");
    assert!(buf[(0, row)]
        .style()
        .add_modifier
        .contains(ratatui::style::Modifier::BOLD));
}

#[test]
fn an_invitations_mismatch_is_named_as_such() {
    let mut app = loaded();
    app.expected_from = "invitation";
    app.update(Msg::Authorize);
    app.update(Msg::Mismatched(
        Provider::Salesforce,
        vec![Mismatch {
            what: "Salesforce login",
            expected: "jane@example.com".into(),
            actual: "john@example.com".into(),
        }],
    ));
    let screen = render(&app, 80, 20);
    assert!(
        screen.contains("is not the invitation's:")
            && screen.contains("Salesforce login: invitation jane@example.com")
            && screen.contains("Salesforce login: signed in john@example.com")
            && !screen.contains("roster"),
        "{screen}"
    );
}
