//! The end-user authorize screen in a real terminal (tmux): authorize both providers through
//! the browser stand-in, disconnect one, quit; then check the keyring and scan for leaks.
//! Run inside scripts/test-in-session.sh.
#![cfg(target_os = "linux")]

use crate::support;

use scc_onboard::auth::{Provider, TokenStore};
use std::process::Command;
use std::time::{Duration, Instant};
use support::*;

struct Tmux {
    socket: String,
    env: Vec<(String, String)>,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.env_remove("TMUX")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        c
    }

    fn capture(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "auth"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let st = self
            .cmd()
            .args(["send-keys", "-t", "auth"])
            .args(keys)
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// Polls the screen until `pred` holds and no card is busy (deadline 60 s).
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.capture();
            let settled = !screen.contains("Working") && !screen.contains("Reading the keyring");
            if settled && pred(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// Starts `scc-onboard authorize` for the sandbox in a detached tmux session.
fn start(sb: &Sandbox, name: &str, extra: &str) -> Tmux {
    let command = format!(
        "{} authorize --config {}{extra}",
        env!("CARGO_BIN_EXE_scc-onboard"),
        sb.config.display()
    );
    start_command(sb, name, &command)
}

/// Starts a shell `command` with the sandbox's environment in a detached tmux session.
fn start_command(sb: &Sandbox, name: &str, command: &str) -> Tmux {
    let conf = sb.dir.path().join("tmux.conf");
    std::fs::write(&conf, "set -g remain-on-exit on\nset -g status off\n").unwrap();
    let mut env: Vec<(String, String)> =
        sb.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    env.push(("TMUX_TMPDIR".into(), sb.env["TMPDIR"].clone()));
    env.push(("TERM".into(), "xterm-256color".into()));
    let tmux = Tmux {
        socket: format!("scc-auth-{name}-{}", std::process::id()),
        env,
    };
    // The stand-in signs in as the session's STANDIN_LOGIN for every provider.
    // The shell prints the exit code on the normal screen once the app has restored it, then
    // keeps the pane open (tmux's pane_dead_status lags on a busy machine, and a dead pane's
    // last output is not always kept).
    let command = format!("{command}; echo \"scc-onboard exited with $?\"; exec cat");
    let st = tmux
        .cmd()
        .arg("-f")
        .arg(&conf)
        .args([
            "new-session",
            "-d",
            "-s",
            "auth",
            "-x",
            "110",
            "-y",
            "32",
            &command,
        ])
        .status()
        .unwrap();
    assert!(st.success(), "tmux could not start");

    tmux
}

#[test]
fn end_user_screen_authorizes_both_providers_in_a_real_terminal() {
    let _k = keyring_lock();
    let store = TokenStore::open("secret-service", Duration::from_secs(20)).unwrap();
    for c in store.list().unwrap() {
        store.delete(c.provider, &c.login).unwrap();
    }
    let port = free_port();
    let sf = salesforce(port);
    let ms = microsoft();
    let sb = Sandbox::new(&config_toml(
        Some((&sf, port)),
        Some(&ms),
        "secret-service",
        60,
    ));
    let tmux = start(&sb, "both", "");
    tmux.wait_for("both cards loaded", |s| {
        s.matches("Not authorized").count() == 2
    });
    tmux.keys(&["a"]);
    let screen = tmux.wait_for("Salesforce authorized", |s| {
        s.contains("as jane@example.com")
    });
    assert!(
        screen.contains("Salesforce: authorized as jane@example.com"),
        "{screen}"
    );
    sb.keep_text(screen);

    tmux.keys(&["Right", "a"]);
    // Both cards settled: a frame caught mid-draw may still show the old text.
    let screen = tmux.wait_for("Exchange authorized, no card left unauthorized", |s| {
        s.contains("Exchange: authorized as jane@example.com") && !s.contains("Not authorized")
    });
    sb.keep_text(screen);

    // Both are in the real keyring now.
    assert!(store
        .load(Provider::Salesforce, "jane@example.com")
        .unwrap()
        .is_some());
    assert!(store
        .load(Provider::Exchange, "jane@example.com")
        .unwrap()
        .is_some());

    // Renew Exchange, then disconnect it (with confirmation).
    tmux.keys(&["r"]);
    sb.keep_text(tmux.wait_for("renewed", |s| {
        s.contains("Exchange: renewed for jane@example.com")
    }));
    tmux.keys(&["d"]);
    tmux.wait_for("confirmation", |s| s.contains("Disconnect Exchange?"));
    sb.keep_text(tmux.capture());
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("disconnected", |s| {
        s.contains("Exchange: disconnected jane@example.com") && s.contains("Not authorized")
    });
    sb.keep_text(screen);
    assert!(store
        .load(Provider::Exchange, "jane@example.com")
        .unwrap()
        .is_none());
    assert!(store
        .load(Provider::Salesforce, "jane@example.com")
        .unwrap()
        .is_some());

    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", |s| s.contains("scc-onboard exited with"));
    assert!(after.contains("scc-onboard exited with 0"), "{after}");
    // The terminal was restored: the alternate screen is gone.
    assert!(!after.contains("authorize SmartCloud Connect"), "{after}");
    sb.keep_text(after);

    let mut secrets = sf.secrets();
    secrets.extend(ms.secrets());
    sb.assert_no_leaks(&secrets, &[]);
    store
        .delete(Provider::Salesforce, "jane@example.com")
        .unwrap();
}

#[test]
fn without_a_browser_the_url_is_shown_and_esc_cancels() {
    let _k = keyring_lock();
    let ms = microsoft();
    let mut sb = Sandbox::new(&config_toml(None, Some(&ms), "secret-service", 120));
    // A "browser" that starts fine and does nothing, like a headless box.
    sb.set("BROWSER", "true");
    let tmux = start(&sb, "esc", "");
    tmux.wait_for("cards", |s| s.contains("Exchange"));
    tmux.keys(&["Right", "a"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = tmux.capture();
        // The URL and its hints, drawn in the same frame.
        if s.contains("/organizations/oauth2/v2.0/authorize?")
            && s.contains("c copies it")
            && s.contains("Waiting for the browser")
        {
            break;
        }
        assert!(Instant::now() < deadline, "no URL shown:\n{s}");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.keys(&["c"]);
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("cancelled", |s| s.contains("cancelled; nothing was stored"));
    assert!(
        !screen.contains("oauth2/v2.0/authorize?"),
        "the URL is gone once cancelled"
    );
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", |s| s.contains("scc-onboard exited with"));
    assert!(after.contains("scc-onboard exited with 0"), "{after}");
}

#[test]
fn a_mismatched_identity_is_shown_and_stored_only_when_confirmed() {
    let _k = keyring_lock();
    let store = TokenStore::open("secret-service", Duration::from_secs(20)).unwrap();
    for c in store.list().unwrap() {
        store.delete(c.provider, &c.login).unwrap();
    }
    let port = free_port();
    let sf = salesforce(port);
    let mut sb = Sandbox::new(&config_toml(Some((&sf, port)), None, "secret-service", 60));
    sb.set("STANDIN_LOGIN", "john@example.com");
    let roster = sb.dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email\n\
         Jane Doe,jane@example.com,0055e000001XyZa,jane@contoso.example,jane@contoso.example\n",
    )
    .unwrap();
    let extra = format!(" --login jane@example.com --roster {}", roster.display());
    let tmux = start(&sb, "mismatch", &extra);
    tmux.wait_for("cards", |s| s.matches("Not authorized").count() == 2);

    tmux.keys(&["a"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    // Wait for the whole question: a capture can land while the popup is half drawn.
    let screen = loop {
        let s = tmux.capture();
        if s.contains("Identity mismatch")
            && s.contains("roster jane@example.com")
            && s.contains("signed in john@example.com")
        {
            break s;
        }
        assert!(Instant::now() < deadline, "no mismatch question:\n{s}");
        std::thread::sleep(Duration::from_millis(50));
    };
    sb.keep_text(screen);
    tmux.keys(&["n"]);
    tmux.wait_for("discarded", |s| {
        s.contains("Salesforce: nothing was stored.")
    });
    assert!(store.list().unwrap().is_empty(), "nothing stored after n");

    tmux.keys(&["a"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !tmux.capture().contains("Identity mismatch") {
        assert!(Instant::now() < deadline, "no second mismatch question");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("stored", |s| {
        s.contains("Salesforce: authorized as john@example.com") && s.contains("✓ Authorized")
    });
    sb.keep_text(screen);
    assert!(store
        .load(Provider::Salesforce, "john@example.com")
        .unwrap()
        .is_some());
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", |s| s.contains("scc-onboard exited with"));
    assert!(after.contains("scc-onboard exited with 0"), "{after}");
    sb.assert_no_leaks(&sf.secrets(), &[]);
    store
        .delete(Provider::Salesforce, "john@example.com")
        .unwrap();
}

#[test]
fn device_mode_shows_the_code_on_screen() {
    let _k = keyring_lock();
    let store = TokenStore::open("secret-service", Duration::from_secs(20)).unwrap();
    for c in store.list().unwrap() {
        store.delete(c.provider, &c.login).unwrap();
    }
    let port = free_port();
    let sf = salesforce(port);
    let mut sb = Sandbox::new(&config_toml(Some((&sf, port)), None, "secret-service", 60));
    // Device mode must not start a browser at all.
    sb.set("BROWSER", "false");
    let tmux = start(&sb, "device", " --no-browser");
    tmux.wait_for("cards", |s| s.matches("Not authorized").count() == 2);
    tmux.keys(&["a"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (uri, code) = loop {
        let screen = tmux.capture();
        let lines: Vec<&str> = screen.lines().collect();
        if let Some(i) = lines
            .iter()
            .position(|l| l.contains("on any device and enter:"))
        {
            let uri = lines[i]
                .split("open ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .unwrap_or_default()
                .to_string();
            let code = lines
                .get(i + 2)
                .map(|l| l.trim().to_string())
                .unwrap_or_default();
            // A whole code, not a line left over from the previous frame.
            let whole =
                code.len() >= 6 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if whole && uri.starts_with("http://127.0.0.1") {
                sb.keep_text(screen.clone());
                break (uri, code);
            }
        }
        assert!(
            Instant::now() < deadline,
            "no device code on screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    enter_device_code(&sb, &uri, &code);
    sb.keep_text(tmux.wait_for("authorized", |s| {
        s.contains("Salesforce: authorized as jane@example.com") && s.contains("✓ Authorized")
    }));
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", |s| s.contains("scc-onboard exited with"));
    assert!(after.contains("scc-onboard exited with 0"), "{after}");
    sb.assert_no_leaks(&sf.secrets(), &[]);
    store
        .delete(Provider::Salesforce, "jane@example.com")
        .unwrap();
}

/// Signs in on "another device": the stand-in opens the verification address with the code.
fn enter_device_code(sb: &Sandbox, uri: &str, code: &str) {
    let ok = Command::new(browser_standin())
        .arg(format!("{uri}?user_code={code}"))
        .envs(&sb.env)
        .status()
        .unwrap();
    assert!(ok.success());
}

/// An invitation's config ([expect], no --roster, no --login): the screen asks before it
/// stores somebody else, and `n` stores nothing.
#[test]
fn an_invitation_config_is_checked_by_the_screen_too() {
    let _k = keyring_lock();
    let store = TokenStore::open("secret-service", Duration::from_secs(20)).unwrap();
    for c in store.list().unwrap() {
        store.delete(c.provider, &c.login).unwrap();
    }
    let port = free_port();
    let sf = salesforce(port);
    let mut config = config_toml(Some((&sf, port)), None, "secret-service", 60);
    config.push_str(
        "\n[expect]\nfull_name = \"Jane Doe\"\nsalesforce_login = \"jane@example.com\"\n\
         salesforce_user_id = \"0055e000001XyZaAAK\"\noffice365_login = \"jane@contoso.example\"\n",
    );
    let mut sb = Sandbox::new(&config);
    sb.set("STANDIN_LOGIN", "john@example.com");
    let tmux = start(&sb, "invitation", "");
    tmux.wait_for("cards", |s| s.matches("Not authorized").count() == 2);

    tmux.keys(&["a"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let screen = loop {
        let s = tmux.capture();
        if s.contains("Identity mismatch")
            && s.contains("invitation jane@example.com")
            && s.contains("signed in john@example.com")
        {
            break s;
        }
        assert!(Instant::now() < deadline, "no mismatch question:\n{s}");
        std::thread::sleep(Duration::from_millis(50));
    };
    sb.keep_text(screen);
    tmux.keys(&["n"]);
    tmux.wait_for("discarded", |s| {
        s.contains("Salesforce: nothing was stored.")
    });
    assert!(store.list().unwrap().is_empty(), "nothing stored after n");
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", |s| s.contains("scc-onboard exited with"));
    assert!(after.contains("scc-onboard exited with 0"), "{after}");
    sb.assert_no_leaks(&sf.secrets(), &[]);
}

/// SIGTERM, SIGINT, SIGHUP and SIGQUIT while a sign-in waits for the browser: the terminal is
/// given back (main screen, cursor shown, cooked) and the exit status is 128 + the signal.
#[test]
fn each_signal_restores_the_terminal() {
    let ms = microsoft();
    let mut sb = Sandbox::new(&config_toml(None, Some(&ms), "keyutils", 120));
    // A "browser" that starts and does nothing: the flow stays waiting.
    sb.set("BROWSER", "true");
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1), ("QUIT", 3)] {
        let pid_file = sb.dir.path().join(format!("pid-{signal}"));
        let command = format!(
            "sh -c 'echo $$ > {}; exec \"$0\" \"$@\"' {} authorize --config {}; \
             echo \"exited with $?\"; \
             stty -a | tr ' ' '\\n' | grep -x -e -icanon -e icanon -e -echo -e echo | tr '\\n' ' '; \
             echo '<- tty'",
            pid_file.display(),
            env!("CARGO_BIN_EXE_scc-onboard"),
            sb.config.display()
        );
        let tmux = start_command(&sb, &format!("sig{signal}"), &command);
        tmux.wait_for("cards", |s| s.contains("Exchange"));
        tmux.keys(&["Right", "a"]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !tmux.capture().contains("Waiting for the browser") {
            assert!(Instant::now() < deadline, "no wait:\n{}", tmux.capture());
            std::thread::sleep(Duration::from_millis(50));
        }
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let st = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.trim())
            .status()
            .unwrap();
        assert!(st.success());
        let after = tmux.wait_for("exit", |s| s.contains("<- tty"));
        assert!(
            after.contains(&format!("exited with {}", 128 + number)),
            "SIG{signal}: exit status:\n{after}"
        );
        assert!(
            after.contains("icanon echo <- tty"),
            "SIG{signal}: cooked again:\n{after}"
        );
        let flags = tmux
            .cmd()
            .args([
                "display-message",
                "-p",
                "-t",
                "auth",
                "#{alternate_on} #{cursor_flag}",
            ])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&flags.stdout).trim(),
            "0 1",
            "SIG{signal}: main screen, cursor shown"
        );
    }
}
