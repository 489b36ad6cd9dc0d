//! The walls between the core and the shells (ARCHITECTURE.md): nothing under the core names
//! `cli`, `tui`, `ratatui` or `crossterm`; `tui` never names `cli`; `cli` names `tui` only
//! where it starts a screen; the top-level modules import each other without a cycle. Reads
//! the sources, so a new violation fails here at once.

use std::path::{Path, PathBuf};

/// Core modules: plain Rust, no shell, no terminal.
const CORE: &[&str] = &[
    "auth",
    "bundle",
    "customize",
    "directory",
    "roster",
    "session",
    "usecase",
    "fsutil.rs",
    "memory.rs",
    "timefmt.rs",
];
const TERMINAL_CRATES: &[&str] = &["ratatui", "crossterm"];
/// The only `cli` files that may name `tui`: the calls that start the wizard and the
/// end-user authorize screen.
const CLI_STARTS_A_SCREEN: &[&str] = &["src/cli/wizard.rs", "src/cli/authorize.rs"];

/// CLI commands that read a secret from the keyboard without echo: they call
/// `tui::secret_prompt` (no screen) and, like every CLI file, name no terminal crate.
const CLI_READS_A_SECRET: &[&str] = &["src/cli/exchange.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Code with comments removed (line and block comments; doc comments too), so prose that
/// mentions a module does not count, while `use`, paths and macros do.
fn code_only(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let b = src.as_bytes();
    let (mut i, mut in_str) = (0, false);
    while i < b.len() {
        if in_str {
            if b[i] == b'\\' {
                out.push_str("  ");
                i += 2;
                continue;
            }
            if b[i] == b'"' {
                in_str = false;
            }
            // String contents are blanked: messages may say "cli" freely.
            out.push(if b[i] == b'"' || b[i] == b'\n' {
                b[i] as char
            } else {
                ' '
            });
            i += 1;
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else {
            if b[i] == b'"' && (i == 0 || b[i - 1] != b'\'') {
                in_str = true;
            }
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The forbidden names `code` uses: `crate::m` / `scc_onboard::m` / `super::…::m` paths for
/// each module in `modules` (also inside `crate::{…}` groups), and bare crate names.
fn names(code: &str, modules: &[&str], crates: &[&str]) -> Vec<String> {
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for w in &words {
        let segs: Vec<&str> = w.split("::").filter(|s| !s.is_empty()).collect();
        // The first real segment after `crate::` / `scc_onboard::` / `super::…`: no module
        // under the core or the shells is itself called `cli` or `tui`.
        if segs.len() >= 2 && matches!(segs[0], "crate" | "scc_onboard" | "super") {
            let first = segs
                .iter()
                .find(|s| !matches!(**s, "crate" | "scc_onboard" | "super" | "self"));
            if first.is_some_and(|m| modules.contains(m)) {
                found.push(w.to_string());
            }
        }
        if segs.first().is_some_and(|s| crates.contains(s)) {
            found.push(w.to_string());
        }
    }
    // `use crate::{cli, …}` groups: a module name right after `crate::{`.
    for (i, _) in code.match_indices("crate::{") {
        let group = &code[i + 8..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        for item in group.split(',') {
            let head = item.trim().split("::").next().unwrap_or("");
            if modules.contains(&head) {
                found.push(format!("crate::{{{head}…}}"));
            }
        }
    }
    found
}

fn violations(files: &[PathBuf], modules: &[&str], crates: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        for n in names(&code_only(&src), modules, crates) {
            out.push(format!("{}: names {n}", f.display()));
        }
    }
    out
}

#[test]
fn the_core_names_no_shell_and_no_terminal() {
    let mut files = Vec::new();
    for m in CORE {
        rust_files(&Path::new("src").join(m), &mut files);
    }
    assert!(files.len() > 50, "found the core sources ({})", files.len());
    let bad = violations(&files, &["cli", "tui"], TERMINAL_CRATES);
    assert!(
        bad.is_empty(),
        "the core must not reach up:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_shells_do_not_import_each_other() {
    let mut tui = Vec::new();
    rust_files(Path::new("src/tui"), &mut tui);
    let bad = violations(&tui, &["cli"], &[]);
    assert!(bad.is_empty(), "tui must not use cli:\n{}", bad.join("\n"));

    let mut cli = Vec::new();
    rust_files(Path::new("src/cli"), &mut cli);
    cli.retain(|f| !CLI_STARTS_A_SCREEN.iter().any(|s| Path::new(s) == f));
    let (secret, cli): (Vec<_>, Vec<_>) = cli
        .into_iter()
        .partition(|f| CLI_READS_A_SECRET.iter().any(|s| Path::new(s) == f));
    let bad = violations(&secret, &[], TERMINAL_CRATES);
    assert!(
        bad.is_empty(),
        "{CLI_READS_A_SECRET:?} read a secret, they start no screen:\n{}",
        bad.join("\n")
    );
    let bad = violations(&cli, &["tui"], TERMINAL_CRATES);
    assert!(
        bad.is_empty(),
        "only {CLI_STARTS_A_SCREEN:?} may start a screen:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_check_catches_each_form_and_ignores_prose() {
    let caught = |src: &str| names(&code_only(src), &["cli", "tui"], TERMINAL_CRATES);
    for bad in [
        "use crate::cli::EXIT_USAGE;",
        "fn f() -> u8 { crate::cli::EXIT_USAGE }",
        "use crate::{auth, tui::state};",
        "use scc_onboard::tui::runtime;",
        "use ratatui::Frame;",
        "let _ = crossterm::event::poll(d);",
        "use super::super::cli::authorize;",
        "use super::tui;",
    ] {
        assert!(!caught(bad).is_empty(), "missed: {bad}");
    }
    for fine in [
        "// crate::cli::EXIT_USAGE is not used here",
        "/// See `crate::tui` for the screen.",
        "/* ratatui */ let x = 1;",
        "let m = \"run crate::cli::main or use crossterm\";",
        "use crate::auth::client;",
        "use super::cli_args;",
        "let c = '\"'; let s = \"crate::tui\";",
    ] {
        assert!(
            caught(fine).is_empty(),
            "false alarm: {fine}: {:?}",
            caught(fine)
        );
    }
}

/// Every top-level module under `src/` (a folder or a file), by name.
fn top_level_modules() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("src").unwrap().flatten() {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.is_dir()
            || (p.extension().is_some_and(|x| x == "rs") && name != "lib" && name != "main")
        {
            out.push((name, p));
        }
    }
    out.sort();
    out
}

/// The arrows `from → to` between top-level modules: `from`'s sources name `to`.
fn module_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let modules = top_level_modules();
    let mut graph = std::collections::BTreeMap::new();
    for (from, path) in &modules {
        let mut files = Vec::new();
        rust_files(path, &mut files);
        let code: Vec<String> = files
            .iter()
            .map(|f| code_only(&std::fs::read_to_string(f).unwrap()))
            .collect();
        let to: std::collections::BTreeSet<String> = modules
            .iter()
            .map(|(m, _)| m)
            .filter(|m| *m != from)
            .filter(|m| {
                code.iter()
                    .any(|c| !names(c, &[m.as_str()], &[]).is_empty())
            })
            .cloned()
            .collect();
        graph.insert(from.clone(), to);
    }
    graph
}

/// A cycle in `graph`, if there is one (as the path that closes it).
fn find_cycle(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for next in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_top_level_modules_form_no_cycle() {
    let graph = module_graph();
    assert!(graph.len() >= 10, "found the top-level modules: {graph:?}");
    // The one allowed arrow between the shells goes down: cli starts the wizard.
    assert!(graph["cli"].contains("tui"), "the graph sees cli → tui");
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "import cycle among top-level modules: {}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let g = |edges: &[(&str, &str)]| {
        let mut g = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(
        find_cycle(&g(&[("auth", "cli"), ("cli", "tui"), ("tui", "auth")])),
        Some(vec![
            "auth".into(),
            "cli".into(),
            "tui".into(),
            "auth".into()
        ])
    );
    assert_eq!(
        find_cycle(&g(&[("cli", "tui"), ("tui", "auth"), ("cli", "auth")])),
        None
    );
}

/// `words` of `code` (comments and strings removed) that are in `banned`: identifiers, and
/// macro names with their `!`.
fn banned_words(code: &str, banned: &[&str]) -> Vec<String> {
    code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '!'))
        .filter(|w| banned.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_core_neither_prints_nor_knows_exit_codes_and_only_cli_main_maps_them() {
    let printing = ["println!", "print!", "eprintln!", "eprint!", "dbg!"];
    let exiting = ["ExitCode"];
    let mut core = Vec::new();
    for m in CORE {
        rust_files(&Path::new("src").join(m), &mut core);
    }
    let mut bad = Vec::new();
    for f in &core {
        let code = code_only(&std::fs::read_to_string(f).unwrap());
        for w in banned_words(&code, &printing) {
            bad.push(format!("{}: prints ({w})", f.display()));
        }
        // `std::process::exit` / `ExitCode`; a field or method called `exit` elsewhere is fine.
        for w in banned_words(&code.replace("process::exit", "ExitCode"), &exiting) {
            bad.push(format!("{}: names {w}", f.display()));
        }
    }
    let mut cli = Vec::new();
    rust_files(Path::new("src/cli"), &mut cli);
    for f in cli.iter().filter(|f| !f.ends_with("mod.rs")) {
        let code = code_only(&std::fs::read_to_string(f).unwrap());
        for w in banned_words(&code, &exiting) {
            bad.push(format!(
                "{}: names {w} (return cli::Exit; cli::main maps it)",
                f.display()
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The check itself: it sees a macro and a type, and not prose or strings.
    assert_eq!(
        banned_words(&code_only("eprintln!(\"x\"); // println!"), &printing),
        ["eprintln!"]
    );
    assert!(banned_words(&code_only("let s = \"ExitCode\";"), &exiting).is_empty());
}
