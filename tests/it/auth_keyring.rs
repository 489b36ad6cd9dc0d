//! Choosing the keyring: the Secret Service when it answers, the kernel keyutils store (with a
//! notice) when it does not, a clear failure when it is demanded and missing, and a timeout
//! when it hangs. Run inside scripts/test-in-session.sh.
#![cfg(target_os = "linux")]

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::process::{Command, Output, Stdio};
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

/// Runs `authorize ARGS` for the sandbox in a fresh session keyring that can be searched but
/// not written (reads work, every store is refused), with a browser that leaves a mark.
/// Returns the output and whether the browser was started.
fn authorize_with_a_read_only_keyring(sb: &mut Sandbox, args: &[&str]) -> (Output, bool) {
    let marker = sb.dir.path().join("browser-started");
    let browser = sb.dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.set("BROWSER", &browser.display().to_string());
    let inner = sb.command(args);
    let mut cmd = Command::new("keyctl");
    // Possessor and user keep view, read, search, link and setattr; write is taken away.
    cmd.args([
        "session",
        "-",
        "sh",
        "-c",
        "keyctl setperm @s 0x3b3b0000 >/dev/null && exec \"$@\"",
        "sh",
    ])
    .arg(inner.get_program())
    .args(inner.get_args())
    .stdin(Stdio::null());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd.output().unwrap();
    sb.keep(&out);
    (out, marker.exists())
}

#[test]
fn a_keyring_that_cannot_store_fails_before_the_browser_opens() {
    let ms = microsoft();
    let mut sb = Sandbox::new(&config("keyutils", &ms));
    let (out, browser_started) =
        authorize_with_a_read_only_keyring(&mut sb, &["authorize", "exchange"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!browser_started, "the browser was started: {err}");
    assert!(!err.contains("open this URL"), "{err}");
    assert!(
        err.contains("no usable OS keyring") && err.contains("cannot store an entry"),
        "{err}"
    );
}

#[test]
fn with_no_secret_service_and_a_keyutils_that_cannot_store_auto_fails_before_the_device_code() {
    let ms = microsoft();
    let mut sb = Sandbox::new(&config("auto", &ms));
    let missing = sb.dir.path().join("no-such-bus");
    sb.set(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}", missing.display()),
    );
    let (out, browser_started) =
        authorize_with_a_read_only_keyring(&mut sb, &["authorize", "exchange", "--device"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!browser_started, "{err}");
    assert!(!err.contains("enter the code"), "{err}");
    assert!(err.contains("cannot store an entry"), "{err}");
}
