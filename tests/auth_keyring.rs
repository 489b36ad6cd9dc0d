//! Choosing the keyring: the Secret Service when it answers, the kernel keyutils store (with a
//! notice) when it does not, a clear failure when it is demanded and missing, and a timeout
//! when it hangs. Run inside scripts/test-in-session.sh.
#![cfg(target_os = "linux")]

mod support;

use std::os::unix::net::UnixListener;
use support::*;

fn config(keyring: &str, ms: &NodeServer) -> String {
    config_toml(None, Some(ms), keyring, 60).replace(
        "keyring_timeout_seconds = 20",
        "keyring_timeout_seconds = 2",
    )
}

#[test]
fn without_a_secret_service_auto_falls_back_to_keyutils_with_a_notice() {
    let _k = keyring_lock();
    let ms = microsoft();
    let mut sb = Sandbox::new(&config("auto", &ms));
    let missing = sb.dir.path().join("no-such-bus");
    sb.set(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}", missing.display()),
    );
    sb.set("STANDIN_LOGIN", "fallback@contoso.example");
    let out = sb.run(&["authorize", "exchange"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("kernel keyutils store") && err.contains("reboot"),
        "{err}"
    );
    assert!(err.contains("stored in kernel keyutils"), "{err}");
    let list = sb.run(&["credentials", "list", "--json"]);
    assert!(stdout(&list).contains("fallback@contoso.example"));
    let out = sb.run(&["credentials", "revoke", "exchange"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    sb.assert_no_leaks(&ms.secrets(), &[]);
}

#[test]
fn a_required_secret_service_that_is_missing_fails_clearly() {
    let ms = microsoft();
    let mut sb = Sandbox::new(&config("secret-service", &ms));
    let missing = sb.dir.path().join("no-such-bus");
    sb.set(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}", missing.display()),
    );
    let out = sb.run(&["credentials", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no usable OS keyring") && err.contains("never stores tokens in a file"),
        "{err}"
    );
}

#[test]
fn a_hanging_secret_service_times_out_and_auto_moves_on() {
    let _k = keyring_lock();
    let ms = microsoft();
    let mut sb = Sandbox::new(&config("secret-service", &ms));
    // A bus that accepts connections and never says a word.
    let path = sb.dir.path().join("silent-bus");
    let listener = UnixListener::bind(&path).unwrap();
    let _accept = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    sb.set(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}", path.display()),
    );
    let out = sb.run(&["credentials", "list"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not answer within 2 seconds"),
        "{}",
        stderr(&out)
    );

    std::fs::write(&sb.config, config("auto", &ms)).unwrap();
    let out = sb.run(&["credentials", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("kernel keyutils store"),
        "{}",
        stderr(&out)
    );
}
