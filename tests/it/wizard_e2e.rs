//! The real binary in a real terminal (tmux): open a roster, fix an error by editing, bulk-fix
//! 15-character IDs, exclude a row, export and check the file; then kill the process right after
//! the screen shows an edit, restart, resume, and check nothing was lost.
//!
//! Needs `tmux` (installed by scripts/setup.sh), so Unix only. Waits poll the screen with a
//! deadline.
#![cfg(unix)]

use crate::support::sample;
use crate::support::wizard;
use crate::support::wizard::{Tmux, DEADLINE};

use scc_onboard::session::Session;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The org's app IDs every plan requires (there is no vendor app), as a choices file.
const IDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/app-ids.toml");

/// On the Customize step (focus on its first setting): types the Salesforce consumer key and
/// the Entra client ID as an admin would, then returns the focus to the top.
fn enter_app_ids(t: &Tmux) {
    // Tab three times: Sync → Email sharing → Privacy → Salesforce; its fourth shown setting.
    t.keys(&["Tab", "Tab", "Tab", "j", "j", "j", "Enter"]);
    t.type_text("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc");
    t.keys(&["Enter"]);
    t.wait_for("Set Salesforce consumer key");
    // Microsoft 365: the tenant, then the client ID.
    t.keys(&["j", "j", "Enter"]);
    t.type_text("6233fba6-0198-4277-892f-9275bf728bcc");
    t.keys(&["Enter"]);
    t.wait_for("Set Entra application (client) ID");
    t.keys(&["g"]);
}

fn wizard_command(dir: &Path, session: &Path, roster: Option<&str>) -> String {
    wizard_command_env(dir, session, roster, "")
}

/// The wizard without `exec`: the shell reports its exit code afterwards.
fn wizard_command_reporting(dir: &Path, session: &Path) -> String {
    format!(
        "cd '{}' && XDG_DATA_HOME='{}' '{}' wizard --session '{}'; echo \"wizard exited with $?\"",
        dir.display(),
        dir.join("data").display(),
        env!("CARGO_BIN_EXE_scc-onboard"),
        session.display()
    )
}

fn wizard_command_env(dir: &Path, session: &Path, roster: Option<&str>, env: &str) -> String {
    format!(
        "cd '{}' && {env} XDG_DATA_HOME='{}' exec '{}' wizard {} --session '{}'",
        dir.display(),
        dir.join("data").display(),
        env!("CARGO_BIN_EXE_scc-onboard"),
        roster.unwrap_or(""),
        session.display()
    )
}

fn data_lines(path: &PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    text.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn admin_fixes_excludes_exports_then_resumes_after_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, wizard::FIXTURE).unwrap();
    let session = dir.path().join("session.json");
    let t = Tmux::new();
    t.start(
        (120, 40),
        &wizard_command(dir.path(), &session, Some("roster.csv")),
    );

    // Import: the preview of the argument is shown; Enter loads it.
    t.wait_for("Preview of roster.csv");
    t.keys(&["Enter"]);
    t.wait_for("✗ 2 with errors");

    // Fix the missing name on line 3 by editing the cell.
    t.keys(&["j", "Enter"]);
    t.wait_for("Editing Full name");
    t.type_text("Grace Hopper");
    t.keys(&["Enter"]);
    t.wait_for("✗ 1 with errors");

    // Bulk-fix the 15-character IDs from line 2's Salesforce user ID.
    t.keys(&["k", "l", "l", "F"]);
    t.wait_for("Apply the suggested fix for sfid-15 to 3 rows?");
    t.keys(&["y"]);
    t.wait_for("Fixed sfid-15 on 3 rows");

    // Exclude line 7 (the invalid address).
    t.keys(&["G", "k", "k", "x"]);
    t.wait_for("7 included, 1 excluded · ✗ 0 with errors");

    // Customize: the two app IDs every plan requires; then Review & export.
    t.keys(&[">"]);
    t.wait_for("[Customize]");
    enter_app_ids(&t);
    t.keys(&[">", ">"]);
    t.wait_for("[Review & export]");
    t.keys(&["Enter"]);
    // What does not block is asked about once (the Exchange check was not run).
    t.wait_for("Export with these warnings?");
    t.keys(&["y"]);
    let screen = t.wait_for("Wrote the bundle for 7 users to /");
    assert!(
        screen.contains("scc-onboard-bundle"),
        "names the absolute folder:\n{screen}"
    );
    let exported = data_lines(&dir.path().join("scc-onboard-bundle/users.csv"));
    assert_eq!(exported.len(), 7, "{exported:#?}");
    assert!(exported.iter().any(|l| l.starts_with("Grace Hopper,")));
    assert!(
        !exported.iter().any(|l| l.contains("Test Account")),
        "excluded row left out"
    );
    for id in [
        "005Dn000001AbCdIAK",
        "005Dn000001EfGhIAK",
        "005Dn000001IjKlIAK",
    ] {
        assert!(
            exported.iter().any(|l| l.contains(id)),
            "{id} exported in 18-character form"
        );
    }

    // One more fix, then kill -9 as soon as the screen shows it.
    t.keys(&["<", "<", "<"]);
    t.wait_for("[Fix]");
    t.keys(&["G", "f"]);
    t.wait_for("Line 9: applied the suggested fix (surrounding-whitespace) to Full name");
    let pid = t.pane_pid();
    // The shell's own kill: /bin/kill (procps) may not be installed.
    assert!(Command::new("sh")
        .args(["-c", &format!("kill -9 {pid}")])
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    while !t.pane_dead() {
        assert!(start.elapsed() < DEADLINE, "the wizard did not die");
        std::thread::yield_now();
    }

    // Restart without arguments: it offers to resume, and says it resumed.
    t.cmd(&[
        "respawn-pane",
        "-k",
        "-t",
        "w",
        &wizard_command_reporting(dir.path(), &session),
    ]);
    t.wait_for("A saved session was found");
    t.wait_for("The source file is unchanged");
    t.keys(&["Enter"]);
    // Four roster changes and the two app IDs.
    let screen = t.wait_for("Resumed your saved session: 6 change(s) restored");
    assert!(
        screen.contains("7 included, 1 excluded · ✗ 0 with errors"),
        "{screen}"
    );
    assert!(
        screen.contains("[Fix]"),
        "resumes on the step it was on:\n{screen}"
    );
    let saved = Session::load(&session).unwrap();
    assert_eq!(
        saved.history.len(),
        6,
        "edit, bulk fix, exclusion, two app IDs, fix"
    );

    // Everything, the last fix included, is in a new export.
    t.keys(&[">", ">", ">"]);
    t.wait_for("[Review & export]");
    t.keys(&["Enter"]);
    t.wait_for("Export with these warnings?");
    t.keys(&["y"]);
    // The second export into the same folder asks first, saying when the bundle there was
    // written; declining keeps it, confirming replaces it.
    let screen = t.wait_for("Replace the bundle already in this folder?");
    assert!(screen.contains("written 20"), "{screen}");
    t.keys(&["n"]);
    t.wait_for("Enter export bundle");
    t.keys(&["Enter"]);
    t.wait_for("Replace the bundle already in this folder?");
    t.keys(&["y"]);
    t.wait_for("Wrote the bundle for 7 users to /");
    let exported = data_lines(&dir.path().join("scc-onboard-bundle/users.csv"));
    assert!(
        exported.iter().any(|l| l.starts_with("Katherine Johnson,")),
        "{exported:#?}"
    );

    // q quits with status 0, restores the terminal and says where the session is.
    t.keys(&["q"]);
    let history = t.wait_for_in_history("wizard exited with 0");
    assert!(history.contains("Session saved in"), "{history}");
    assert_eq!(
        std::fs::read_to_string(&roster).unwrap(),
        wizard::FIXTURE,
        "source untouched"
    );
}

/// Whether the escaped screen (`capture-pane -e`) sets any foreground or background colour.
fn has_colour(escaped: &str) -> bool {
    escaped.split("\x1b[").skip(1).any(|seq| {
        let Some(end) = seq.find('m') else {
            return false;
        };
        seq[..end].split(';').any(|p| {
            matches!(
                p.parse::<u16>(),
                Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
            )
        })
    })
}

#[test]
fn no_color_is_honoured_and_small_windows_are_told_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("roster.csv"), wizard::FIXTURE).unwrap();
    let session = dir.path().join("session.json");
    let t = Tmux::new();
    t.start(
        (80, 24),
        &wizard_command_env(dir.path(), &session, Some("roster.csv"), "NO_COLOR=1"),
    );
    t.wait_for("Preview of roster.csv");
    t.keys(&["Enter"]);
    t.wait_for("✗ 2 with errors");
    let escaped = |t: &Tmux| {
        String::from_utf8_lossy(&t.cmd(&["capture-pane", "-e", "-p", "-t", "w"]).stdout)
            .into_owned()
    };
    let plain = escaped(&t);
    assert!(!has_colour(&plain), "NO_COLOR: no colour codes:\n{plain:?}");
    assert!(
        plain.contains("\x1b[") && plain.contains('✗'),
        "marks survive without colour"
    );

    // Too small: said politely; back to 80×24: the wizard is back.
    t.cmd(&["resize-window", "-t", "w", "-x", "60", "-y", "20"]);
    t.wait_for("needs at least 80×24");
    t.cmd(&["resize-window", "-t", "w", "-x", "80", "-y", "24"]);
    t.wait_for("✗ 2 with errors");

    // Without NO_COLOR the same screen has colour (so the check above can fail).
    t.keys(&["q"]);
    let start = Instant::now();
    while !t.pane_dead() {
        assert!(start.elapsed() < DEADLINE, "q did not quit");
        std::thread::yield_now();
    }
    t.cmd(&[
        "respawn-pane",
        "-k",
        "-t",
        "w",
        &wizard_command(dir.path(), &session, None),
    ]);
    t.wait_for("A saved session was found");
    t.keys(&["Enter"]);
    t.wait_for("Resumed your saved session");
    assert!(has_colour(&escaped(&t)), "colour when allowed");
}

/// Import → Fix → Customize (a setting changed) → Exchange access (impersonation: account named,
/// checklist items ticked) → Review & export (error rows left out with `x`), then every bundle
/// file checked.
#[test]
fn admin_customizes_chooses_impersonation_and_exports_the_whole_bundle() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("roster.csv"), wizard::FIXTURE).unwrap();
    let session = dir.path().join("session.json");
    let t = Tmux::new();
    t.start(
        (120, 40),
        &wizard_command(dir.path(), &session, Some("roster.csv")),
    );
    t.wait_for("Preview of roster.csv");
    t.keys(&["Enter"]);
    t.wait_for("✗ 2 with errors");

    // Customize: turn contact sync off.
    t.keys(&[">"]);
    t.wait_for("[Customize]");
    t.keys(&["Space"]);
    t.wait_for("1 changed from defaults");
    enter_app_ids(&t);
    t.wait_for("3 changed from defaults");

    // Exchange access: on-premises, impersonation, the account and the EWS URL, two checklist
    // items ticked.
    t.keys(&[">"]);
    t.wait_for("[Exchange access]");
    t.keys(&["j", "Space"]);
    t.wait_for("Exchange Server on-premises");
    t.keys(&["k", "Space", "Space"]);
    t.wait_for("One impersonating account (on-premises)");
    t.keys(&["j", "Enter"]);
    t.type_text("svc-scc@example.com");
    t.keys(&["Enter"]);
    t.wait_for("Set Impersonating account");
    t.keys(&["j", "j", "Enter"]);
    t.type_text("https://mail.example.com/EWS/Exchange.asmx");
    t.keys(&["Enter"]);
    t.wait_for("Set EWS URL");
    t.keys(&["Tab", "Space"]);
    t.wait_for("checklist 1 of");
    t.keys(&["j", "Space"]);
    t.wait_for("checklist 2 of");

    // Review & export: refused for the two rows with errors (lines 3 and 7), which the admin
    // leaves out at once; then it writes the bundle.
    t.keys(&[">"]);
    t.wait_for("[Review & export]");
    t.keys(&["Enter"]);
    t.wait_for("Export refused: 2 included rows still have errors");
    t.keys(&["x"]);
    t.wait_for("Leave out the 2 rows with errors?");
    t.keys(&["y"]);
    t.wait_for("6 included, 2 excluded · ✗ 0 with errors");
    t.keys(&["Enter"]);
    t.wait_for("Export with these warnings?");
    t.keys(&["y"]);
    t.wait_for("Wrote the bundle for 6 users");

    let bundle = dir.path().join("scc-onboard-bundle");
    let read = |name: &str| std::fs::read(bundle.join(name)).unwrap();
    let users = data_lines(&bundle.join("users.csv"));
    assert_eq!(users.len(), 6, "{users:#?}");
    let json: serde_json::Value = serde_json::from_slice(&read("customization.json")).unwrap();
    let errors = sample::schema_errors(&sample::schema_validator(), &json);
    assert!(errors.is_empty(), "{errors:#?}");
    let json_text = String::from_utf8(read("customization.json")).unwrap();
    assert!(json_text.contains("svc-scc@example.com"), "{json_text}");
    let md = String::from_utf8(read("customization.md")).unwrap();
    assert!(
        md.lines()
            .any(|l| l.contains("Sync contacts") && l.contains("off")),
        "{md}"
    );
    let report = String::from_utf8(read("report.md")).unwrap();
    assert!(report.contains("svc-scc@example.com"), "{report}");
    assert!(report.to_lowercase().contains("impersonat"), "{report}");
    // Every file states the same plan.
    assert_eq!(json["exchange_access"]["mode"], "impersonation");
    assert_eq!(
        json["exchange_access"]["ews_url"],
        "https://mail.example.com/EWS/Exchange.asmx"
    );
    assert!(
        md.contains("- **Plan:** One impersonating account, svc-scc@example.com, at https://mail.example.com/EWS/Exchange.asmx"),
        "{md}"
    );
    // The rows `x` left out are told apart from rows the admin excluded one by one.
    assert!(
        report.contains("| Left out: has errors (--exclude-invalid) | 2 |")
            && report.contains("| Excluded by the admin | 0 |"),
        "{report}"
    );
    let line3 = report.lines().find(|l| l.starts_with("| 3 |")).unwrap();
    assert!(
        line3.contains("left out: has errors (--exclude-invalid): "),
        "{line3}"
    );
    let manifest: serde_json::Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    // What the bundle was made from: the untouched source file, and how many users it holds.
    assert_eq!(manifest["source"]["name"], "roster.csv");
    assert_eq!(
        manifest["source"]["sha256"],
        scc_onboard::bundle::manifest::sha256_hex(wizard::FIXTURE.as_bytes()).as_str()
    );
    assert_eq!(manifest["users"], 6);
    let names: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for name in [
        "users.csv",
        "customization.json",
        "customization.md",
        "report.md",
        "user-config.toml",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for f in manifest["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let hash = scc_onboard::bundle::manifest::sha256_hex(&read(name));
        assert_eq!(f["sha256"], hash.as_str(), "{name}");
    }
    let cfg = scc_onboard::auth::Config::load(Some(&bundle.join("user-config.toml"))).unwrap();
    assert_eq!(cfg.microsoft.tenant, "example.com");
    let plan = cfg.plan.expect("user-config.toml names the plan");
    assert_eq!(
        (
            plan.mailbox_access.as_str(),
            plan.exchange_deployment.as_str()
        ),
        ("impersonation", "on_premises")
    );

    // Every choice change is in the saved session, undoable after a restart.
    let saved = Session::load(&session).unwrap();
    let choices = saved
        .history
        .iter()
        .filter(|op| matches!(op, scc_onboard::session::Op::Choice { .. }))
        .count();
    assert!(choices >= 6, "{:#?}", saved.history);
    t.keys(&["q"]);
}

/// A real panic in the real binary (debug builds panic on the key named by
/// `SCC_ONBOARD_TEST_PANIC_KEY`): the terminal is restored — main screen, cursor shown, the
/// shell's line discipline back to cooked mode — the panic and where the work is are printed,
/// and the edit made just before is in the session.
#[test]
fn a_panic_restores_the_terminal_and_keeps_the_work() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("roster.csv"), wizard::FIXTURE).unwrap();
    let session = dir.path().join("session.json");
    let t = Tmux::new();
    let command = format!(
        "cd '{}' && SCC_ONBOARD_TEST_PANIC_KEY=Z XDG_DATA_HOME='{}' '{}' wizard roster.csv --session '{}'; \
         echo \"wizard exited with $?\"; stty -a | tr ' ' '\\n' | grep -x -e -icanon -e icanon; \
         echo \"alternate screen: $(tmux display -p '#{{alternate_on}}' 2>/dev/null || echo off)\"; \
         sleep 60",
        dir.path().display(),
        dir.path().join("data").display(),
        env!("CARGO_BIN_EXE_scc-onboard"),
        session.display()
    );
    t.start((120, 40), &command);
    t.wait_for("Preview of roster.csv");
    t.keys(&["Enter"]);
    t.wait_for("✗ 2 with errors");
    t.keys(&["G", "f"]);
    t.wait_for("Line 9: applied the suggested fix (surrounding-whitespace) to Full name");
    t.keys(&["Z"]);
    let history = t.wait_for_in_history("wizard exited with 101");
    assert!(
        history.contains("test panic on key 'Z'"),
        "the panic message is printed on the restored screen:\n{history}"
    );
    assert!(
        history.contains("your work is saved in") && history.contains("session.json"),
        "and where the work is:\n{history}"
    );
    let after = t.wait_for_in_history("alternate screen:");
    assert!(
        after.lines().any(|l| l.trim() == "icanon"),
        "raw mode is off again:\n{after}"
    );
    let flags = t.cmd(&[
        "display-message",
        "-p",
        "-t",
        "w",
        "#{alternate_on} #{cursor_flag}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&flags.stdout).trim(),
        "0 1",
        "main screen, cursor shown"
    );
    let saved = Session::load(&session).unwrap();
    assert_eq!(
        saved.history.len(),
        1,
        "the fix made before the panic is saved"
    );
}

/// The terminal state the pane's shell found after the program ended: its exit status, and
/// whether the line discipline is cooked again (`icanon` and `echo` on).
fn after_exit_report() -> &'static str {
    "echo \"exited with $?\"; stty -a | tr ' ' '\\n' | grep -x -e -icanon -e icanon -e -echo -e echo | tr '\\n' ' '; echo '<- tty'; sleep 60"
}

/// Checks what [`after_exit_report`] printed and tmux's own view: main screen, cursor shown.
fn assert_restored(t: &Tmux, code: i32, what: &str) {
    let history = t.wait_for_in_history("<- tty");
    assert!(
        history.contains(&format!("exited with {code}")),
        "{what}: exit status {code} expected:\n{history}"
    );
    assert!(
        history.contains("icanon echo <- tty"),
        "{what}: the terminal is cooked again (icanon, echo):\n{history}"
    );
    let flags = t.cmd(&[
        "display-message",
        "-p",
        "-t",
        "w",
        "#{alternate_on} #{cursor_flag}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&flags.stdout).trim(),
        "0 1",
        "{what}: main screen, cursor shown"
    );
}

/// Sends `signal` (e.g. `TERM`) to the process whose id is in `pid_file`, once it is there.
fn kill_from_file(pid_file: &Path, signal: &str) {
    let start = Instant::now();
    let pid = loop {
        if let Ok(p) = std::fs::read_to_string(pid_file) {
            if !p.trim().is_empty() {
                break p.trim().to_string();
            }
        }
        assert!(
            start.elapsed() < DEADLINE,
            "no pid in {}",
            pid_file.display()
        );
        std::thread::yield_now();
    };
    let st = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(&pid)
        .status()
        .unwrap();
    assert!(st.success(), "kill -{signal} {pid}");
}

/// SIGTERM, SIGINT, SIGHUP and SIGQUIT to the wizard: the terminal is given back (main
/// screen, cursor shown, cooked), the exit status is 128 + the signal's number, and the edit
/// made just before is in the session.
#[test]
fn each_signal_restores_the_terminal_and_keeps_the_work() {
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1), ("QUIT", 3)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("roster.csv"), wizard::FIXTURE).unwrap();
        let session = dir.path().join("session.json");
        let pid_file = dir.path().join("pid");
        // A server per signal: the previous one may still be shutting down.
        let mut t = Tmux::new();
        t.socket.push_str(signal);
        let command = format!(
            "cd '{}' && XDG_DATA_HOME='{}' sh -c 'echo $$ > {}; exec \"$0\" \"$@\"' '{}' wizard roster.csv --session '{}'; {}",
            dir.path().display(),
            dir.path().join("data").display(),
            pid_file.display(),
            env!("CARGO_BIN_EXE_scc-onboard"),
            session.display(),
            after_exit_report()
        );
        t.start((120, 40), &command);
        t.wait_for("Preview of roster.csv");
        t.keys(&["Enter"]);
        t.wait_for("✗ 2 with errors");
        t.keys(&["G", "f"]);
        t.wait_for("Line 9: applied the suggested fix (surrounding-whitespace) to Full name");
        kill_from_file(&pid_file, signal);
        assert_restored(&t, 128 + number, &format!("SIG{signal}"));
        let history = t.wait_for_in_history("<- tty");
        assert!(
            history.contains(&format!("stopped by SIG{signal}"))
                && history.contains("your work is saved in"),
            "SIG{signal}: says why it stopped and where the work is:\n{history}"
        );
        let saved = Session::load(&session).unwrap();
        assert_eq!(saved.history.len(), 1, "SIG{signal}: the fix is saved");
    }
}

/// Waits until the wizard in the pane has exited.
fn wait_dead(t: &Tmux) {
    let start = Instant::now();
    while !t.pane_dead() {
        assert!(start.elapsed() < DEADLINE, "the wizard did not quit");
        std::thread::yield_now();
    }
}

/// `export --session` as a script would run it: (exit code, stdout, stderr).
fn export_session(dir: &Path, session: &Path, out: &str) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scc-onboard"))
        .current_dir(dir)
        .args(["export", "--json", "--customization", IDS, "--session"])
        .arg(session)
        .args(["-o", out])
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The user a users.csv line belongs to, by its Office 365 login (never edited here).
fn row_of<'a>(lines: &'a [String], o365_login: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.split(',').nth(3) == Some(o365_login))
        .unwrap_or_else(|| panic!("no row for {o365_login}: {lines:#?}"))
}

const ANCHOR_ROSTER: &str = "\
Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address
Jordan Ferguson,jferguson@contoso.com,005Dn000011MnOpIAK,jferguson@contoso.com,jordan.ferguson@contoso.com
Joshua Patel,jpatel@contoso.com,005Dn000014MnOpIAK,jpatel@contoso.com,joshua.patel@contoso.com
Maria Lopez,mlopez@contoso.com,005Dn000016MnOpIAK,mlopez@contoso.com,maria.lopez@contoso.com
Diego Ramos,dramos@contoso.com,005Dn000017MnOpIAK,dramos@contoso.com,diego.ramos@contoso.com
";

/// Issue 10: edits are anchored to their users, not to row numbers. Edit two cells and exclude
/// a row, quit, insert a row at the top of the CSV (as Excel would), resume: every change lands
/// on its user and the export holds nothing on anyone else. Then a change whose user's row was
/// altered is never applied on a guess: the banner counts it, `export --session` refuses and
/// lists it, and once re-applied from the "Unplaced changes" list both exports work.
#[test]
fn resumed_edits_follow_their_users_after_a_row_is_inserted_above_them() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, ANCHOR_ROSTER).unwrap();
    let session = dir.path().join("session.json");
    let t = Tmux::new();
    t.start(
        (120, 40),
        &wizard_command(dir.path(), &session, Some("roster.csv")),
    );
    t.wait_for("Preview of roster.csv");
    t.keys(&["Enter"]);
    t.wait_for("Loaded 4 rows");

    // Joshua Patel (line 3): a new Salesforce login.
    t.keys(&["j", "l", "Enter"]);
    t.wait_for("Editing Salesforce login");
    t.keys(&["C-u"]);
    t.type_text("joshua.patel@contoso.com");
    t.keys(&["Enter"]);
    t.wait_for("Line 3: edited Salesforce login");
    // Maria Lopez (line 4): her name with its accent.
    t.keys(&["j", "h", "Enter"]);
    t.wait_for("Editing Full name");
    t.keys(&["C-u"]);
    t.type_text("María López");
    t.keys(&["Enter"]);
    t.wait_for("Line 4: edited Full name");
    // Diego Ramos (line 5) left out.
    t.keys(&["j", "x"]);
    t.wait_for("Line 5: excluded (not exported");
    t.keys(&["q"]);
    wait_dead(&t);

    // Excel: a new user inserted at the top; every row moves down one line.
    let mut lines: Vec<&str> = ANCHOR_ROSTER.lines().collect();
    lines.insert(
        1,
        "Aaron Young,ayoung@contoso.com,005Dn000015MnOpIAK,ayoung@contoso.com,aaron.young@contoso.com",
    );
    std::fs::write(&roster, lines.join("\r\n") + "\r\n").unwrap();

    t.cmd(&[
        "respawn-pane",
        "-k",
        "-t",
        "w",
        &wizard_command(dir.path(), &session, None),
    ]);
    t.wait_for("The source file CHANGED");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Resumed your saved session: 3 change(s) restored");
    assert!(screen.contains("3 moved with their users"), "{screen}");
    assert!(!screen.contains("NOT applied"), "{screen}");
    t.keys(&[">"]);
    t.wait_for("[Customize]");
    enter_app_ids(&t);
    t.keys(&[">", ">"]);
    t.wait_for("[Review & export]");
    t.keys(&["Enter"]);
    t.wait_for("Export with these warnings?");
    t.keys(&["y"]);
    t.wait_for("Wrote the bundle for 4 users");
    let exported = data_lines(&dir.path().join("scc-onboard-bundle/users.csv"));
    assert_eq!(exported.len(), 4, "{exported:#?}");
    assert!(row_of(&exported, "jferguson@contoso.com")
        .starts_with("Jordan Ferguson,jferguson@contoso.com,"));
    assert!(row_of(&exported, "jpatel@contoso.com")
        .starts_with("Joshua Patel,joshua.patel@contoso.com,"));
    assert!(row_of(&exported, "mlopez@contoso.com").starts_with("María López,mlopez@contoso.com,"));
    assert!(row_of(&exported, "ayoung@contoso.com").starts_with("Aaron Young,ayoung@contoso.com,"));
    assert!(
        !exported.iter().any(|l| l.contains("dramos@")),
        "the excluded user stays out: {exported:#?}"
    );
    // The CLI reads the same session to the same users.csv.
    let (code, _, err) = export_session(dir.path(), &session, "cli-bundle");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        data_lines(&dir.path().join("cli-bundle/users.csv")),
        exported
    );
    t.keys(&["q"]);
    wait_dead(&t);

    // Joshua's row changed in the file (a new e-mail address): his edit has no certain row.
    let changed = std::fs::read_to_string(&roster)
        .unwrap()
        .replace("joshua.patel@contoso.com", "josh.patel@contoso.com");
    std::fs::write(&roster, changed).unwrap();
    let (code, out, err) = export_session(dir.path(), &session, "cli-bundle-2");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("roster.csv:4: Joshua Patel: salesforce_login \"jpatel@contoso.com\" → \"joshua.patel@contoso.com\""),
        "{err}"
    );
    let doc: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(doc["written"], false);
    assert_eq!(doc["unplaced"][0]["user"], "Joshua Patel");
    assert_eq!(doc["unplaced"][0]["field"], "salesforce_login");
    assert!(!dir.path().join("cli-bundle-2").exists(), "nothing written");

    t.cmd(&[
        "respawn-pane",
        "-k",
        "-t",
        "w",
        &wizard_command(dir.path(), &session, None),
    ]);
    t.wait_for("The source file CHANGED");
    t.keys(&["Enter"]);
    t.wait_for("1 change(s) NOT applied");
    // Resumed where the admin left (Review & export): export is refused while it is unplaced.
    t.wait_for("[Review & export]");
    t.keys(&["Enter"]);
    t.wait_for("Export refused: 1 unplaced change from the resume");
    // Back on Fix: select Joshua's row (line 4 now), open the list, re-apply.
    t.keys(&["<", "<", "<"]);
    t.wait_for("[Fix]");
    t.keys(&["g", "j", "j", "p"]);
    let screen = t.wait_for("Unplaced changes (1)");
    // Line 4: where the previous resume had placed it (Joshua's line in that version).
    assert!(
        screen.contains("line 4  Joshua Patel  salesforce_login"),
        "{screen}"
    );
    assert!(screen.contains("to line 4 (Joshua Patel)"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("Every unplaced change is resolved");
    t.keys(&[">", ">", ">"]);
    t.wait_for("[Review & export]");
    t.keys(&["Enter"]);
    t.wait_for("Export with these warnings?");
    t.keys(&["y"]);
    t.wait_for("Replace the bundle already in this folder?");
    t.keys(&["y"]);
    t.wait_for("Wrote the bundle for 4 users");
    let exported = data_lines(&dir.path().join("scc-onboard-bundle/users.csv"));
    assert!(row_of(&exported, "jpatel@contoso.com")
        .starts_with("Joshua Patel,joshua.patel@contoso.com,"));
    assert!(row_of(&exported, "jferguson@contoso.com")
        .starts_with("Jordan Ferguson,jferguson@contoso.com,"));
    let (code, _, err) = export_session(dir.path(), &session, "cli-bundle-3");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        data_lines(&dir.path().join("cli-bundle-3/users.csv")),
        exported
    );
}

/// Issue 12, the wizard's part: the roster from two exports. Import (source: two exports to
/// join), Match review: choose Grace's account among two, pick Alan's by search, leave Joan
/// out; continue to Fix, quit, resume (the choices restored), export; users.csv holds the four
/// joined people and nobody else.
#[test]
fn admin_joins_two_exports_resolves_the_match_review_resumes_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(
        fixtures.join("join-salesforce.csv"),
        dir.path().join("sf.csv"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("join-microsoft.csv"),
        dir.path().join("ms.csv"),
    )
    .unwrap();
    let session = dir.path().join("session.json");
    let t = Tmux::new();
    t.start((120, 36), &wizard_command_reporting(dir.path(), &session));

    // Import: ↑ to the source line, → two exports, then both files in the path field.
    t.wait_for("Roster file");
    t.keys(&["Up", "Right", "Enter"]);
    t.wait_for("1/2 Salesforce users export");
    t.type_text("sf.csv");
    t.keys(&["Enter"]);
    t.wait_for("2/2 Microsoft 365 users export");
    t.type_text("ms.csv");
    t.keys(&["Enter"]);
    let screen = t.wait_for("[Ambiguous 1 (1 to decide)]");
    assert!(screen.contains("[Match review]"), "{screen}");
    assert!(
        screen.contains("Only in Salesforce 2 (2 to decide)"),
        "{screen}"
    );

    // Grace: two accounts fit; move to the one whose mail is hers and choose it.
    t.wait_for("ghopper@contoso.com · grace@contoso.com");
    let screen = t.wait_for("grace@contoso.com · gh.admin@contoso.com");
    let at = |s: &str, what: &str| s.lines().position(|l| l.contains(what)).unwrap();
    if at(&screen, "ghopper@contoso.com · grace@contoso.com")
        > at(&screen, "grace@contoso.com · gh.admin@contoso.com")
    {
        t.keys(&["Right"]);
    }
    t.keys(&["Enter"]);
    let screen = t.wait_for("chosen by you");
    assert!(screen.contains("✓ In the roster: Grace Hopper"), "{screen}");

    // Only in Salesforce: Alan's account by search (it starts from his name), Joan left out.
    t.keys(&["Tab"]);
    t.wait_for("[Only in Salesforce 2 (2 to decide)]");
    t.keys(&["/"]);
    t.wait_for("Search accounts: Alan Turing");
    t.keys(&["Enter"]);
    t.wait_for("picked by you");
    t.keys(&["Down", "x"]);
    t.wait_for("- Left out of the roster");
    t.wait_for("In the roster: 4 · left out: 1 · to decide: 0");

    // Continue: the joined roster opens in Fix like any roster.
    t.keys(&[">"]);
    let screen = t.wait_for("[Fix]");
    assert!(screen.contains("session-joined.csv"), "{screen}");
    t.wait_for("4 rows: 4 included");
    t.keys(&["q"]);
    t.wait_for_in_history("wizard exited with 0");

    // Resume: the exports are joined again and the three choices restored.
    t.cmd(&[
        "respawn-pane",
        "-k",
        "-t",
        "w",
        &wizard_command_reporting(dir.path(), &session),
    ]);
    t.wait_for("A saved session was found");
    t.keys(&["Enter"]);
    t.wait_for("3 match choice(s) restored");
    let screen = t.wait_for("4 rows: 4 included");
    assert!(screen.contains("[Fix]"), "{screen}");
    t.keys(&["<"]);
    t.wait_for("In the roster: 4 · left out: 1 · to decide: 0");

    // Export: the org's app IDs on Customize first (required), then Review.
    t.keys(&[">", ">"]);
    t.wait_for("[Customize]");
    enter_app_ids(&t);
    t.keys(&[">", ">"]);
    t.wait_for("[Review & export]");
    t.keys(&["Enter"]);
    t.wait_for("Export with these warnings?");
    t.keys(&["y"]);
    t.wait_for("Wrote the bundle for 4 users");
    let exported = data_lines(&dir.path().join("scc-onboard-bundle/users.csv"));
    assert_eq!(exported.len(), 4, "{exported:#?}");
    assert_eq!(
        row_of(&exported, "ghopper@contoso.com"),
        "Grace Hopper,grace@contoso.com.sf,005Dn00000Grc02IAB,ghopper@contoso.com,grace@contoso.com"
    );
    assert!(row_of(&exported, "aturing@contoso.com").starts_with("Alan Turing,"));
    assert!(
        !exported.iter().any(|l| l.contains("Joan")),
        "{exported:#?}"
    );
    assert!(
        !exported.iter().any(|l| l.contains("Mary")),
        "inactive user skipped"
    );
    t.keys(&["q"]);
    t.wait_for_in_history("wizard exited with 0");
}

/// Under tmux's default `set-clipboard external`, OSC 52 from a program reaches no clipboard:
/// `c` says so, and what it copied is printed on the normal screen once the wizard exits.
#[test]
fn copy_under_tmux_default_clipboard_is_honest_and_printed_after_exit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("roster.csv"), wizard::FIXTURE).unwrap();
    let session = dir.path().join("session.json");
    let t = Tmux::new();
    t.start(
        (120, 40),
        &wizard_command(dir.path(), &session, Some("roster.csv")),
    );
    t.cmd(&["set-option", "-s", "set-clipboard", "external"]);
    t.wait_for("Preview of roster.csv");
    t.keys(&["Enter"]);
    t.wait_for("✗ 2 with errors");
    // Exchange access, app-only plan: its checklist's first command is copied with `c`.
    t.keys(&[">", ">"]);
    t.wait_for("[Exchange access]");
    t.keys(&["Space"]);
    t.wait_for("An Entra app, scoped to the roster");
    t.keys(&["Tab", "j", "j"]);
    t.wait_for("▶ [ ] Create the Exchange pointer");
    t.keys(&["c"]);
    t.wait_for("tmux passes it on only with set-clipboard on");
    // Nothing reached tmux's own buffers.
    let buffers = t.cmd(&["list-buffers"]);
    assert!(
        String::from_utf8_lossy(&buffers.stdout).trim().is_empty(),
        "no tmux buffer was set"
    );
    t.keys(&["q"]);
    let screen = t.wait_for_in_history("Copied on the screen");
    assert!(screen.contains("New-ServicePrincipal"), "{screen}");
}

/// Issue 11 seen as an admin would: each Exchange plan set on Exchange access, checked with
/// `v` against the local stand-ins (tests/support/graph.rs, ews.rs) where the plan allows it,
/// exported from Review; then every screen (Exchange access, Review, Authorize, the end-user
/// screen), the bundle's files and `user-config.toml` must say the same plan. The app's
/// secret and the impersonating account's password go to the real keyring (run inside
/// scripts/test-in-session.sh), typed in Exchange access's masked field (`p`), and must appear
/// in no file and on no screen.
#[cfg(target_os = "linux")]
mod plans {
    use super::*;
    use crate::support::ews::{EwsBehaviour, EwsServer, EwsSetup, Offer};
    use crate::support::graph::{Behaviour, GraphServer, GraphSetup};
    use crate::support::{keyring_lock, Sandbox};
    use std::collections::HashMap;

    /// A clean roster of four users whose mailboxes the stand-ins know.
    const ROSTER: &str = "\
Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address
Ada Lovelace,ada@example.com,005Dn000011MnOpIAK,ada@example.com,ada@example.com
Grace Hopper,grace@example.com,005Dn000014MnOpIAK,grace@example.com,grace@example.com
Alan Turing,alan@example.com,005Dn000016MnOpIAK,alan@example.com,alan@example.com
Edsger Dijkstra,edsger@example.com,005Dn000017MnOpIAK,edsger@example.com,edsger@example.com
";
    /// The tenant the roster's logins default it to.
    const TENANT: &str = "example.com";
    /// What `enter_app_ids` types as the Entra application (client) ID.
    const CLIENT: &str = "6233fba6-0198-4277-892f-9275bf728bcc";
    const OBJECT_ID: &str = "0f3c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    const SECRET: &str = "walk~Secret.from-Entra_9876543210";
    const ACCOUNT: &str = "svc-scc@example.com";
    const PASSWORD: &str = "Walk-Imp3rsonation!pw";

    /// The plans an admin can choose, as walked.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Plan {
        PerUserGraph,
        PerUserEws,
        AppOnly,
        Impersonation,
    }

    impl Plan {
        /// (mailbox_access, exchange_deployment, exchange_api) as every file must name them.
        fn kind(self) -> (&'static str, &'static str, &'static str) {
            match self {
                Plan::PerUserGraph => ("per_user", "exchange_online", "graph"),
                Plan::PerUserEws => ("per_user", "exchange_online", "ews"),
                Plan::AppOnly => ("app_only", "exchange_online", "graph"),
                Plan::Impersonation => ("impersonation", "on_premises", "ews"),
            }
        }

        /// The plan's one line (`ExchangePlan::summary`), as the spec words it.
        fn summary(self, ews_url: &str) -> String {
            match self {
                Plan::PerUserGraph => {
                    "Each user authorizes their own mailbox (Exchange Online, Microsoft Graph)".into()
                }
                Plan::PerUserEws => "Each user authorizes their own mailbox (Exchange Online, EWS)".into(),
                Plan::AppOnly => "An Entra app with app-only access to the roster's mailboxes, scoped by RBAC for Applications (Exchange Online, Microsoft Graph)".into(),
                Plan::Impersonation => format!(
                    "One impersonating account, {ACCOUNT}, at {ews_url} (Exchange Server on-premises, EWS)"
                ),
            }
        }

        /// The cards a user must authorize: Salesforce only unless they sign in to their
        /// own mailbox.
        fn cards(self) -> &'static [&'static str] {
            match self {
                Plan::PerUserGraph | Plan::PerUserEws => &["Salesforce", "Exchange"],
                Plan::AppOnly | Plan::Impersonation => &["Salesforce"],
            }
        }

        /// The secret the check needs, kept in the keyring: (its `exchange delete-secret` flag
        /// and argument, the value typed in the wizard's masked field).
        fn secret(self) -> Option<(&'static str, &'static str, &'static str)> {
            match self {
                Plan::AppOnly => Some(("--app", CLIENT, SECRET)),
                Plan::Impersonation => Some(("--account", ACCOUNT, PASSWORD)),
                _ => None,
            }
        }
    }

    /// The Graph and token stand-in: Grace lacks calendar access, Alan has no mailbox.
    fn graph() -> GraphServer {
        let mailboxes: HashMap<String, Behaviour> = [
            ("ada@example.com", Behaviour::Allowed),
            ("grace@example.com", Behaviour::Denied(vec!["calendars"])),
            ("alan@example.com", Behaviour::NoMailbox),
            ("edsger@example.com", Behaviour::Allowed),
        ]
        .into_iter()
        .map(|(u, b)| (u.to_string(), b))
        .collect();
        GraphServer::start(GraphSetup {
            tenant: TENANT.into(),
            client_id: CLIENT.into(),
            secret: SECRET.into(),
            mailboxes,
            delay: Duration::ZERO,
        })
    }

    /// The Exchange Server stand-in: the account may not impersonate Grace.
    fn ews() -> EwsServer {
        EwsServer::start(EwsSetup {
            offers: vec![Offer::Negotiate, Offer::Ntlm, Offer::Basic],
            user: ACCOUNT.into(),
            domain: String::new(),
            password: PASSWORD.into(),
            bearer: None,
            mailboxes: [
                ("ada@example.com", EwsBehaviour::Allowed),
                ("grace@example.com", EwsBehaviour::ImpersonateDenied),
                ("alan@example.com", EwsBehaviour::Allowed),
                ("edsger@example.com", EwsBehaviour::Allowed),
            ]
            .into_iter()
            .map(|(u, b)| (u.to_string(), b))
            .collect(),
        })
    }

    /// `scc-onboard exchange delete-secret`: the walk starts and ends with none stored.
    fn delete_secret(sb: &Sandbox, plan: Plan) {
        if let Some((flag, who, _)) = plan.secret() {
            sb.run(&["exchange", "delete-secret", flag, who]);
        }
    }

    /// The screen's text with its line breaks and runs of spaces as single spaces, so a
    /// sentence is found wherever the screen wrapped it.
    fn flat(screen: &str) -> String {
        screen.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The first bordered pane's text, flattened as [`flat`] does: a line the pane wrapped
    /// reads whole, and nothing of a pane beside it is mixed in.
    fn first_pane(screen: &str) -> String {
        let inside: Vec<&str> = screen.lines().filter_map(|l| l.split('│').nth(1)).collect();
        flat(&inside.join("\n"))
    }

    /// Review's "Exchange check: …" line, up to the time of the check.
    fn check_line(screen: &str) -> String {
        let text = first_pane(screen);
        let at = text
            .find("Exchange check:")
            .expect("Review has a check line");
        text[at..].split(')').next().unwrap_or_default().to_string()
    }

    /// Which provider cards the end-user screen shows (a card's border carries its title).
    fn cards_on(screen: &str) -> Vec<&'static str> {
        ["Salesforce", "Exchange"]
            .into_iter()
            .filter(|t| screen.contains(&format!("┌ {t} ")) || screen.contains(&format!("▶ {t} ")))
            .collect()
    }

    /// Customize → Exchange access (the plan set, checked with `v` where the plan allows) →
    /// Review & export → Authorize → the end-user screen, asserting one plan everywhere.
    fn walk(plan: Plan) {
        let _k = keyring_lock();
        let g = graph();
        let e = ews();
        let sb = Sandbox::new(&g.config_toml("secret-service"));
        std::fs::write(sb.dir.path().join("roster.csv"), ROSTER).unwrap();
        let (mode, deployment, api) = plan.kind();
        let summary = plan.summary(&e.url());
        delete_secret(&sb, plan);

        let t = Tmux::new();
        // Wide enough that the plan's line is never wrapped.
        t.start(
            (200, 50),
            &wizard::in_sandbox(&sb, "wizard roster.csv --session session.json"),
        );
        let keep = |s: String| {
            sb.keep_text(s.clone());
            s
        };
        t.wait_for("Preview of roster.csv");
        t.keys(&["Enter"]);
        t.wait_for("Loaded 4 rows");

        // Customize: the org's two app IDs.
        t.keys(&[">"]);
        t.wait_for("[Customize]");
        enter_app_ids(&t);
        keep(t.screen());

        // Exchange access: the plan.
        t.keys(&[">"]);
        t.wait_for("[Exchange access]");
        match plan {
            Plan::PerUserGraph => {}
            Plan::PerUserEws => {
                t.keys(&["j", "j", "Space"]);
                let screen =
                    keep(t.wait_for("‹ Exchange Web Services (EWS, until 1 April 2027) ›"));
                let text = flat(&screen);
                assert!(
                    text.contains("Exchange Online is retiring EWS")
                        && text
                            .contains("From 1 October 2026 Exchange Online blocks EWS by default")
                        && text.contains("on 1 April 2027 it removes EWS completely")
                        && text.contains(
                            "Allow the app to use EWS (Exchange Online, until 1 April 2027)"
                        ),
                    "the allow-list and its dates:\n{screen}"
                );
                // The allow-list checklist, every step ticked.
                t.keys(&["Tab", "Space"]);
                for n in 2..=5 {
                    t.keys(&["j", "Space"]);
                    t.wait_for(&format!("checklist {n} of 5 ticked"));
                }
            }
            Plan::AppOnly => {
                t.keys(&["Space"]);
                t.wait_for("‹ An Entra app, scoped to the roster (Exchange Online) ›");
                t.keys(&["j", "j", "j", "Enter"]);
                t.type_text(OBJECT_ID);
                t.keys(&["Enter"]);
                t.wait_for("Set Enterprise application Object ID");
                // The management scope's step: the filter names the roster's users.
                t.keys(&["Tab", "j", "j", "j"]);
                t.wait_for("▶ [ ] Scope access to the roster's mailboxes (the roster's 4 included users by name)");
            }
            Plan::Impersonation => {
                t.keys(&["j", "Space"]);
                t.wait_for("Exchange Server on-premises");
                t.keys(&["k", "Space", "Space"]);
                t.wait_for("‹ One impersonating account (on-premises) ›");
                t.keys(&["j", "Enter"]);
                t.type_text(ACCOUNT);
                t.keys(&["Enter"]);
                t.wait_for("Set Impersonating account");
                t.keys(&["j", "j", "Enter"]);
                t.type_text(&e.url());
                t.keys(&["Enter"]);
                t.wait_for("Set EWS URL");
            }
        }
        let screen = keep(t.screen());
        let shown_mode = match mode {
            "per_user" => "‹ Each user authorizes their own mailbox ›",
            "app_only" => "‹ An Entra app, scoped to the roster (Exchange Online) ›",
            _ => "‹ One impersonating account (on-premises) ›",
        };
        assert!(screen.contains(shown_mode), "{plan:?}:\n{screen}");
        match plan {
            Plan::PerUserEws => assert!(
                screen.contains(&format!("-EwsAllowedAppIDs @{{Add=\"{CLIENT}\"}}")),
                "the allow-list names the app:\n{screen}"
            ),
            Plan::AppOnly => assert!(
                screen.contains("RBAC for Applications")
                    && screen.contains("UserPrincipalName -eq 'ada@example.com' -or UserPrincipalName -eq 'alan@example.com'"),
                "the RBAC for Applications checklist and the generated scope:\n{screen}"
            ),
            Plan::Impersonation => assert!(
                screen.contains("Grant the ApplicationImpersonation role (Exchange Server on-premises)"),
                "{screen}"
            ),
            Plan::PerUserGraph => assert!(screen.contains("Over Microsoft Graph"), "{screen}"),
        }

        // The secret the check needs, typed once in the masked field: only its mask shows.
        if let Some((_, _, value)) = plan.secret() {
            t.keys(&["p"]);
            t.wait_for("Exchange secret");
            t.type_text(value);
            let mask = "•".repeat(value.chars().count());
            let screen = keep(t.wait_for(&mask));
            assert!(!screen.contains(value), "{screen}");
            t.keys(&["Enter"]);
            keep(t.wait_for("in the OS keyring"));
            let (i, screen) = t.wait_for_any(&["Stored ", "Not stored"]);
            assert_eq!(i, 0, "{screen}");
        }

        // The check, against the stand-ins.
        t.keys(&["v"]);
        let (_, screen) = t.wait_for_any(&[
            "Reachable · plan",
            "Not all reachable · plan",
            "The check could not run",
        ]);
        let screen = keep(screen);
        assert!(
            screen.contains(&format!("plan {mode} ({api})")),
            "{plan:?}: the check used the plan on screen:\n{screen}"
        );
        let (reached, not_reached): (usize, &[&str]) = match plan {
            Plan::PerUserGraph | Plan::PerUserEws => {
                assert!(screen.contains("Reachable · plan"), "{screen}");
                assert!(screen.contains("sign-in proves"), "{screen}");
                (0, &[])
            }
            Plan::AppOnly => (2, &["grace@example.com", "alan@example.com"]),
            Plan::Impersonation => (3, &["grace@example.com"]),
        };
        for upn in not_reached {
            assert!(
                screen.contains(upn),
                "{upn} listed as not reachable:\n{screen}"
            );
        }

        // Review & export.
        t.keys(&[">"]);
        let screen = keep(t.wait_for("[Review & export]"));
        let checked = check_line(&screen);
        assert!(
            first_pane(&screen).contains(&format!("Exchange: {summary}")),
            "{plan:?}: Review's plan line:\n{screen}"
        );
        if reached > 0 {
            assert!(
                screen.contains(&format!("Exchange check: {reached} of 4 mailboxes reached")),
                "{screen}"
            );
        } else {
            assert!(!screen.contains("Exchange check: not run"), "{screen}");
        }
        t.keys(&["Enter"]);
        let (i, _) = t.wait_for_any(&[
            "Export with these warnings?",
            "Wrote the bundle for 4 users",
        ]);
        if i == 0 {
            t.keys(&["y"]);
            t.wait_for("Wrote the bundle for 4 users");
        }

        // The bundle: every file names the same plan.
        let bundle = sb.dir.path().join("scc-onboard-bundle");
        let read = |name: &str| std::fs::read_to_string(bundle.join(name)).unwrap();
        let json: serde_json::Value = serde_json::from_str(&read("customization.json")).unwrap();
        let x = &json["exchange_access"];
        assert_eq!(
            (
                x["mode"].as_str(),
                x["deployment"].as_str(),
                x["api"].as_str()
            ),
            (Some(mode), Some(deployment), Some(api)),
            "{x}"
        );
        match plan {
            Plan::Impersonation => {
                assert_eq!(x["ews_url"], e.url().as_str());
                assert_eq!(x["impersonation_account"], ACCOUNT);
            }
            _ => {
                assert!(x["ews_url"].is_null(), "{x}");
                assert!(x["impersonation_account"].is_null(), "{x}");
            }
        }
        let check = &json["exchange_check"];
        assert_eq!(
            (check["plan"].as_str(), check["api"].as_str()),
            (Some(mode), Some(api)),
            "{check}"
        );
        if reached > 0 {
            assert_eq!(check["reachable"], reached);
            assert_eq!(check["mailboxes"], 4);
        }
        let md = read("customization.md");
        assert!(
            md.contains(&format!("- **Plan:** {summary}")),
            "{plan:?}:\n{md}"
        );
        let report = read("report.md");
        assert!(
            report.contains(&summary),
            "{plan:?}: report.md's plan:\n{report}"
        );
        assert!(
            report.contains(&format!(
                "with plan `{mode}` over {}",
                if api == "ews" {
                    "EWS"
                } else {
                    "Microsoft Graph"
                }
            )),
            "{report}"
        );
        assert!(!report.contains("The plan has changed since"), "{report}");
        for upn in not_reached {
            assert!(
                report.lines().any(|l| l.starts_with(&format!("| {upn} |"))),
                "{upn} in report.md's table of mailboxes not reachable:\n{report}"
            );
        }
        match plan {
            Plan::PerUserEws => assert!(report.contains("Set-OrganizationConfig -EwsAllowedAppIDs") && report.contains("1 April 2027"), "{report}"),
            Plan::AppOnly => assert!(report.contains("New-ManagementScope -Name \"SmartCloud Connect mailboxes\" -RecipientRestrictionFilter \"UserPrincipalName -eq 'ada@example.com'"), "{report}"),
            Plan::Impersonation => assert!(report.contains("-Role ApplicationImpersonation -User \"svc-scc@example.com\""), "{report}"),
            Plan::PerUserGraph => {}
        }
        let cfg = scc_onboard::auth::Config::load(Some(&bundle.join("user-config.toml"))).unwrap();
        let p = cfg.plan.expect("user-config.toml names the plan");
        assert_eq!(
            (
                p.mailbox_access.as_str(),
                p.exchange_deployment.as_str(),
                p.exchange_api.as_str()
            ),
            (mode, deployment, api)
        );
        // The invitations ask for the same cards.
        let invitations = read("invitations.csv");
        let cards = plan.cards();
        let ask = if cards.len() == 1 {
            "press a on the Salesforce card".to_string()
        } else {
            "each card (Salesforce and Exchange)".to_string()
        };
        assert!(
            invitations.contains(&ask),
            "{plan:?}: {ask:?} in\n{invitations}"
        );

        // Authorize: the same line, and what each user signs in to.
        t.keys(&[">"]);
        let screen = keep(t.wait_for("[Authorize]"));
        assert!(
            first_pane(&screen).contains(&format!("Plan: {summary}")),
            "{plan:?}:\n{screen}"
        );
        let line = screen
            .lines()
            .find(|l| l.contains("│Each user authorizes"))
            .unwrap();
        assert_eq!(
            line.contains("Exchange (their own mailbox"),
            cards.contains(&"Exchange"),
            "{plan:?}: {line}"
        );
        match plan {
            Plan::PerUserGraph => assert!(
                line.contains("Mail.ReadWrite, Calendars.ReadWrite, Contacts.ReadWrite"),
                "{line}"
            ),
            Plan::PerUserEws => assert!(line.contains("EWS.AccessAsUser.All"), "{line}"),
            _ => {}
        }
        t.keys(&["q"]);
        t.wait_for_in_history("scc-onboard wizard exited with 0");

        // Resumed, the wizard still has the check (the session kept it): Review says the same
        // and Exchange access shows it, and nothing was asked of the stand-ins again.
        let asked = (g.graph_requests(), e.soap_requests());
        t.respawn(&wizard::in_sandbox(&sb, "wizard --session session.json"));
        t.wait_for("A saved session was found");
        t.keys(&["Enter"]);
        t.wait_for("Resumed your saved session");
        t.keys(&["<"]);
        let screen = keep(t.wait_for("[Review & export]"));
        assert_eq!(check_line(&screen), checked, "{plan:?}:\n{screen}");
        t.keys(&["<"]);
        let screen = keep(t.wait_for("saved in the session (v checks again)"));
        assert!(
            screen.contains(&format!("plan {mode} ({api})")),
            "{plan:?}:\n{screen}"
        );
        for upn in not_reached {
            assert!(screen.contains(upn), "{upn}:\n{screen}");
        }
        assert_eq!((g.graph_requests(), e.soap_requests()), asked);
        t.keys(&["q"]);
        // (respawn-pane starts the pane afresh: the first run's line is gone.)
        t.wait_for_in_history("scc-onboard wizard exited with 0");

        // The end-user screen from the bundle's user-config.toml: only the cards to authorize.
        t.respawn(&wizard::in_sandbox(
            &sb,
            "authorize --config scc-onboard-bundle/user-config.toml",
        ));
        let (_, screen) = t.wait_for_any(&["┌ Salesforce ", "▶ Salesforce "]);
        let start = Instant::now();
        let mut screen = screen;
        while screen.contains("Reading the keyring") {
            assert!(start.elapsed() < DEADLINE, "{screen}");
            screen = t.screen();
        }
        let screen = keep(screen);
        assert_eq!(
            cards_on(&screen),
            cards,
            "{plan:?}: the end-user screen:\n{screen}"
        );
        t.keys(&["q"]);
        t.wait_for_in_history("scc-onboard authorize exited with 0");

        // The secret is in the keyring only: no file of the bundle, the session or the data
        // folder, no screen, no output holds it.
        if let Some((_, _, value)) = plan.secret() {
            let files = sb.assert_no_leaks(&[value.to_string()], &[]);
            assert!(files >= 8, "{files} files scanned");
        }
        delete_secret(&sb, plan);
    }

    #[test]
    fn per_user_over_graph_is_the_same_plan_on_every_screen_and_file() {
        walk(Plan::PerUserGraph);
    }

    #[test]
    fn per_user_over_ews_shows_the_allow_list_and_is_the_same_plan_everywhere() {
        walk(Plan::PerUserEws);
    }

    #[test]
    fn app_only_is_checked_and_is_the_same_plan_everywhere() {
        walk(Plan::AppOnly);
    }

    #[test]
    fn impersonation_is_checked_and_is_the_same_plan_everywhere() {
        walk(Plan::Impersonation);
    }
}
