//! Shared test harness: the local OAuth servers (node), the browser stand-in, a sandboxed
//! environment for the binary, and the leak scan.

pub mod cli;
pub mod ews;
pub mod form;
pub mod graph;
pub mod graph_directory;
pub mod http_stub;
pub mod salesforce_api;
pub mod sample;
pub mod wizard;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Tests in one binary share the session's keyring (and its index entry): one at a time.
static KEYRING: Mutex<()> = Mutex::new(());

/// Holds the keyring for the duration of a test.
pub fn keyring_lock() -> MutexGuard<'static, ()> {
    KEYRING.lock().unwrap_or_else(|e| e.into_inner())
}

/// The token store in `keyring` (a test session has one; "secret-service" unless a test says).
pub fn token_store(keyring: &str) -> scc_onboard::auth::TokenStore {
    scc_onboard::auth::TokenStore::open(keyring, Duration::from_secs(20))
        .expect("the test session has a keyring")
}

/// Deletes every account stored in `keyring`, so a test starts from none.
pub fn clear_keyring(keyring: &str) {
    let s = token_store(keyring);
    for c in s.list().unwrap() {
        s.delete(c.provider, &c.login).unwrap();
    }
}

pub fn oidc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/oidc")
}

pub fn browser_standin() -> PathBuf {
    oidc_dir().join("browser.mjs")
}

/// A node test server; killed on drop.
pub struct NodeServer {
    child: Child,
    pub port: u16,
}

impl NodeServer {
    /// Starts `script` and waits (polling its output, with a deadline) for its port.
    pub fn start(script: &str, env: &[(&str, &str)]) -> NodeServer {
        assert!(
            oidc_dir().join("node_modules/oidc-provider").is_dir(),
            "tests/support/oidc/node_modules is missing: run `bash scripts/setup.sh`"
        );
        let mut cmd = Command::new("node");
        cmd.arg(script)
            .current_dir(oidc_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("node is installed (scripts/setup.sh)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                        if let Some(p) = v.get("port").and_then(|p| p.as_u64()) {
                            return NodeServer {
                                child,
                                port: p as u16,
                            };
                        }
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{script} did not report its port within 30 s");
                }
            }
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every token and code the server issued.
    pub fn secrets(&self) -> Vec<String> {
        let body = ureq::get(&format!("{}/__test/secrets", self.base()))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        serde_json::from_str(&body).unwrap()
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) {
        ureq::post(&format!("{}{path}", self.base()))
            .send_form(form)
            .unwrap();
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port for a redirect URI fixed in the config up front (as Salesforce needs), which the
/// binary binds later. Taken from below the kernel's ephemeral range: a port the kernel picked
/// (port 0) can be handed to another test's outgoing connection before the binary binds it —
/// "port … is already in use" in CI. Never the same port twice in this process.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const LOW: u32 = 20_000;
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32_768);
    let span = ephemeral_low.min(32_768).saturating_sub(LOW);
    let start = std::process::id() % span.max(1);
    for _ in 0..span {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (LOW + (start + n) % span) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    // No room below the ephemeral range on this machine: a port the kernel picks.
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub const SF_CLIENT: &str = "sf-test-client";
pub const MS_CLIENT: &str = "scc-test-client";

/// A sandbox for one run of the binary: its own HOME/XDG/TMP dirs (so every file it writes
/// is found by the leak scan), a config file, and everything it printed.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub env: HashMap<String, String>,
    pub outputs: Mutex<Vec<String>>,
}

impl Sandbox {
    /// `config` is the TOML to use; `keyring` goes to flow.keyring.
    pub fn new(config: &str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let mut env = HashMap::new();
        for sub in ["home", "config", "cache", "state", "tmp"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let p = |s: &str| dir.path().join(s).display().to_string();
        env.insert("HOME".into(), p("home"));
        env.insert("XDG_CONFIG_HOME".into(), p("config"));
        env.insert("XDG_CACHE_HOME".into(), p("cache"));
        env.insert("XDG_STATE_HOME".into(), p("state"));
        env.insert("TMPDIR".into(), p("tmp"));
        env.insert("BROWSER".into(), browser_standin().display().to_string());
        env.insert("STANDIN_LOGIN".into(), "jane@example.com".into());
        env.insert("STANDIN_MODE".into(), "approve".into());
        let config_path = dir.path().join("config").join("scc-onboard.toml");
        std::fs::write(&config_path, config).unwrap();
        Sandbox {
            dir,
            config: config_path,
            env,
            outputs: Mutex::new(Vec::new()),
        }
    }

    pub fn set(&mut self, k: &str, v: &str) -> &mut Self {
        self.env.insert(k.into(), v.into());
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scc-onboard"));
        cmd.args(args)
            .arg("--config")
            .arg(&self.config)
            .env_remove("SCC_ONBOARD_CONFIG")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the binary to completion with no stdin (as in CI or a script).
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().unwrap();
        self.keep(&out);
        out
    }

    pub fn keep(&self, out: &Output) {
        let mut o = self.outputs.lock().unwrap();
        o.push(String::from_utf8_lossy(&out.stdout).into_owned());
        o.push(String::from_utf8_lossy(&out.stderr).into_owned());
    }

    pub fn keep_text(&self, text: String) {
        self.outputs.lock().unwrap().push(text);
    }

    /// Fails if any secret appears in any file under the sandbox (and `extra` dirs) or in
    /// anything the runs printed. Returns how many files were searched.
    pub fn assert_no_leaks(&self, secrets: &[String], extra: &[PathBuf]) -> usize {
        assert!(
            !secrets.is_empty(),
            "the servers issued no secrets: nothing was tested"
        );
        let mut files = Vec::new();
        let mut dirs = vec![self.dir.path().to_path_buf()];
        dirs.extend(extra.iter().cloned());
        while let Some(d) = dirs.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    files.push(p);
                }
            }
        }
        for f in &files {
            let bytes = std::fs::read(f).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            for s in secrets {
                assert!(
                    !text.contains(s.as_str()),
                    "a token leaked into {}",
                    f.display()
                );
            }
        }
        for o in self.outputs.lock().unwrap().iter() {
            for s in secrets {
                assert!(
                    !o.contains(s.as_str()),
                    "a token leaked into the output:\n{o}"
                );
            }
        }
        files.len()
    }
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Config pointing Salesforce at `sf` and Microsoft at `ms` (either may be absent).
pub fn config_toml(
    sf: Option<(&NodeServer, u16)>,
    ms: Option<&NodeServer>,
    keyring: &str,
    timeout: u64,
) -> String {
    let mut s = String::new();
    if let Some((sf, port)) = sf {
        s.push_str(&format!(
            "[salesforce]\nlogin_url = \"{}\"\nclient_id = \"{SF_CLIENT}\"\nredirect_uri = \"http://localhost:{port}/callback\"\n\n",
            sf.base()
        ));
    }
    if let Some(ms) = ms {
        s.push_str(&format!(
            "[microsoft]\nauthority = \"{}\"\ntenant = \"organizations\"\nclient_id = \"{MS_CLIENT}\"\nredirect_uri = \"http://localhost/callback\"\n\n",
            ms.base()
        ));
    }
    s.push_str(&format!(
        "[flow]\ntimeout_seconds = {timeout}\nkeyring_timeout_seconds = 20\nkeyring = \"{keyring}\"\n"
    ));
    s
}

/// Starts the Salesforce-shaped server for a fixed callback port.
pub fn salesforce(port: u16) -> NodeServer {
    NodeServer::start(
        "salesforce-server.mjs",
        &[
            ("CLIENT_ID", SF_CLIENT),
            ("REDIRECT_URI", &format!("http://localhost:{port}/callback")),
        ],
    )
}

/// Starts oidc-provider laid out like Microsoft's v2 endpoints.
pub fn microsoft() -> NodeServer {
    NodeServer::start(
        "oidc-server.mjs",
        &[("CLIENT_ID", MS_CLIENT), ("TENANT", "organizations")],
    )
}

/// Reads a child's stderr on a thread; lines arrive on the returned channel.
pub fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let err = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a child to exit, up to `limit`.
pub fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
