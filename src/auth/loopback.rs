//! The one-shot loopback listener that receives the authorization code.
//!
//! It answers only the expected path, checks `state` before looking at anything else, answers
//! the browser with a short page, and gives up at a deadline or when cancelled.

use super::error::AuthError;
use super::flow::Cancel;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// A bound listener (127.0.0.1, and ::1 when the machine has IPv6) for one redirect URI.
pub(super) struct Loopback {
    listeners: Vec<TcpListener>,
    path: String,
    redirect_uri: String,
}

/// How often the listener looks for a connection or a cancel request.
const POLL: Duration = Duration::from_millis(25);
/// How long one connection may take to send its request line; a slow or idle one only ties
/// up its own reader thread.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections read at the same time; more are closed unread.
const MAX_READERS: usize = 64;

impl Loopback {
    /// Binds the redirect URI's port (any free one when it names none) on loopback.
    /// `key` is the config key to mention when the port is taken.
    pub(super) fn bind(redirect_uri: &str, key: &'static str) -> Result<Loopback, AuthError> {
        let mut url = oauth2::url::Url::parse(redirect_uri)
            .map_err(|e| AuthError::Config(format!("config key {key}: {e}")))?;
        let wanted = url.port().unwrap_or(0);
        let v4 = bind_one(SocketAddr::from((Ipv4Addr::LOCALHOST, wanted)), wanted, key)?;
        let port = v4
            .local_addr()
            .map_err(|e| AuthError::Listen {
                addr: "127.0.0.1".into(),
                reason: e.to_string(),
            })?
            .port();
        let mut listeners = vec![v4];
        // `localhost` may resolve to ::1 first; listen there too. No IPv6 at all is fine.
        match bind_one(SocketAddr::from((Ipv6Addr::LOCALHOST, port)), port, key) {
            Ok(l) => listeners.push(l),
            Err(AuthError::PortInUse { .. }) if wanted == 0 => {
                // Unlucky random port: the v4 side is ours, the browser will find it.
            }
            Err(e @ AuthError::PortInUse { .. }) => return Err(e),
            Err(_) => {}
        }
        for l in &listeners {
            l.set_nonblocking(true).map_err(|e| AuthError::Listen {
                addr: format!("port {port}"),
                reason: e.to_string(),
            })?;
        }
        if wanted == 0 {
            let _ = url.set_port(Some(port));
        }
        Ok(Loopback {
            listeners,
            path: url.path().to_string(),
            redirect_uri: url.to_string(),
        })
    }

    /// The redirect URI to send to the provider (with the actual port).
    pub(super) fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the browser to come back with `state`; returns the authorization code.
    ///
    /// Each connection is read on its own short-lived thread, so connections that stay idle
    /// (a browser's speculative pre-connections, any local process) delay nothing: the
    /// callback is answered as soon as its request line arrives.
    pub(super) fn wait(
        &self,
        state: &str,
        timeout: Duration,
        cancel: &Cancel,
    ) -> Result<String, AuthError> {
        let deadline = Instant::now() + timeout;
        let (tx, rx) = mpsc::channel::<(TcpStream, String)>();
        let readers = Arc::new(AtomicUsize::new(0));
        loop {
            if cancel.is_cancelled() {
                return Err(AuthError::Cancelled);
            }
            if Instant::now() >= deadline {
                return Err(AuthError::Timeout(timeout.as_secs()));
            }
            let mut busy = false;
            for l in &self.listeners {
                match l.accept() {
                    Ok((stream, _)) => {
                        busy = true;
                        spawn_reader(stream, &tx, &readers);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(_) => {}
                }
            }
            while let Ok((stream, target)) = rx.try_recv() {
                busy = true;
                if let Some(result) = self.handle(stream, &target, state) {
                    return result;
                }
            }
            if !busy {
                // Wakes early when a reader hands over a request.
                match rx.recv_timeout(POLL) {
                    Ok((stream, target)) => {
                        if let Some(result) = self.handle(stream, &target, state) {
                            return result;
                        }
                    }
                    Err(_) => continue,
                }
            }
        }
    }

    /// `None` when the request was not the callback (keep waiting).
    fn handle(
        &self,
        mut stream: TcpStream,
        target: &str,
        state: &str,
    ) -> Option<Result<String, AuthError>> {
        let url = oauth2::url::Url::parse(&format!("http://localhost{target}")).ok()?;
        if url.path() != self.path {
            respond(
                &mut stream,
                404,
                "Not found",
                "This is not the page scc-onboard is waiting for.",
            );
            return None;
        }
        let params: std::collections::HashMap<String, String> =
            url.query_pairs().into_owned().collect();
        let result = match params.get("state") {
            None => Err(AuthError::BadState("no state parameter")),
            Some(s) if !constant_time_eq(s.as_bytes(), state.as_bytes()) => Err(
                AuthError::BadState("a state parameter that does not match this request"),
            ),
            Some(_) => match (params.get("error"), params.get("code")) {
                (Some(err), _) => {
                    let desc = params.get("error_description").cloned().unwrap_or_default();
                    if err == "access_denied" {
                        Err(AuthError::Denied(desc))
                    } else {
                        Err(AuthError::Provider {
                            error: err.clone(),
                            description: desc,
                        })
                    }
                }
                (None, Some(code)) if !code.is_empty() => Ok(code.clone()),
                _ => Err(AuthError::Provider {
                    error: "no code".into(),
                    description: "the redirect carried neither a code nor an error".into(),
                }),
            },
        };
        match &result {
            Ok(_) => respond(
                &mut stream,
                200,
                "Signed in",
                "scc-onboard received the authorization. You can close this tab and return to the terminal.",
            ),
            Err(e) => respond(
                &mut stream,
                400,
                "Not authorized",
                &format!("scc-onboard did not complete: {e}. You can close this tab."),
            ),
        }
        Some(result)
    }
}

fn bind_one(addr: SocketAddr, port: u16, key: &'static str) -> Result<TcpListener, AuthError> {
    TcpListener::bind(addr).map_err(|e| {
        if e.kind() == ErrorKind::AddrInUse {
            AuthError::PortInUse { port, key }
        } else {
            AuthError::Listen {
                addr: addr.to_string(),
                reason: e.to_string(),
            }
        }
    })
}

/// Reads one connection's request line on its own thread and hands a GET's target back to
/// the waiting loop. At most [`MAX_READERS`] run at once; beyond that a connection is closed
/// unread (a browser retries), so a flood of connections cannot exhaust threads.
fn spawn_reader(
    stream: TcpStream,
    tx: &mpsc::Sender<(TcpStream, String)>,
    readers: &Arc<AtomicUsize>,
) {
    if readers.fetch_add(1, Ordering::SeqCst) >= MAX_READERS {
        readers.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let tx = tx.clone();
    let count = readers.clone();
    let spawned = std::thread::Builder::new()
        .name("loopback-read".into())
        .spawn(move || {
            let mut stream = stream;
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
            if let Some(target) = read_request_target(&mut stream) {
                // The waiting loop may be gone (flow over): the connection just closes.
                let _ = tx.send((stream, target));
            }
            count.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        readers.fetch_sub(1, Ordering::SeqCst);
    }
}

fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return None,
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let line = head.lines().next()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    if method != "GET" || !target.starts_with('/') {
        respond(
            stream,
            405,
            "Not allowed",
            "Only the browser's redirect is accepted here.",
        );
        return None;
    }
    Some(target.to_string())
}

fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let text = text.replace('&', "&amp;").replace('<', "&lt;");
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>scc-onboard: {title}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Bad Request",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    /// A listener on a free port, and that port.
    fn bound() -> (Loopback, u16) {
        let l = Loopback::bind("http://localhost/cb", "k").unwrap();
        let port = oauth2::url::Url::parse(l.redirect_uri())
            .unwrap()
            .port()
            .unwrap();
        (l, port)
    }

    #[test]
    fn ignores_other_paths_then_takes_the_callback_with_matching_state() {
        let (l, port) = bound();
        let t = std::thread::spawn(move || {
            let other = get(port, "/favicon.ico");
            let ok = get(port, "/cb?code=abc&state=s1");
            (other, ok)
        });
        let code = l
            .wait("s1", Duration::from_secs(20), &Cancel::new())
            .unwrap();
        assert_eq!(code, "abc");
        let (other, ok) = t.join().unwrap();
        assert!(other.starts_with("HTTP/1.1 404"));
        assert!(ok.starts_with("HTTP/1.1 200") && ok.contains("close this tab"));
    }

    #[test]
    fn a_fixed_port_answers_on_both_loopback_addresses() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let l = Loopback::bind(&format!("http://localhost:{port}/callback"), "k").unwrap();
        assert_eq!(
            l.redirect_uri(),
            format!("http://localhost:{port}/callback")
        );
        // Where the machine has IPv6, `localhost` may resolve to ::1 first: we must be there too.
        let v6 = TcpListener::bind("[::1]:0").is_ok();
        assert_eq!(l.listeners.len(), if v6 { 2 } else { 1 });
        let host = if v6 { "[::1]" } else { "127.0.0.1" };
        let t = std::thread::spawn(move || {
            let mut s = TcpStream::connect(format!("{host}:{port}")).unwrap();
            write!(
                s,
                "GET /callback?state=st&code=c6 HTTP/1.1\r\nHost: localhost\r\n\r\n"
            )
            .unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        });
        assert_eq!(
            l.wait("st", Duration::from_secs(20), &Cancel::new())
                .unwrap(),
            "c6"
        );
        assert!(t.join().unwrap().starts_with("HTTP/1.1 200"));
        // While we hold the port, a second flow gets the clear port-in-use error.
        let again = Loopback::bind(
            &format!("http://localhost:{port}/callback"),
            "salesforce.redirect_uri",
        );
        assert!(
            matches!(again, Err(AuthError::PortInUse { port: p, key: "salesforce.redirect_uri" }) if p == port)
        );
    }

    /// How long a whole wait takes for a callback sent right after `idle` connections were
    /// opened (and held open, unused) to the listener.
    fn time_with_idle_connections(idle: usize) -> Duration {
        let (l, port) = bound();
        let held: Vec<TcpStream> = (0..idle)
            .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
            .collect();
        let start = Instant::now();
        let t = std::thread::spawn(move || get(port, "/cb?code=abc&state=s1"));
        let code = l
            .wait("s1", Duration::from_secs(120), &Cancel::new())
            .unwrap();
        let took = start.elapsed();
        assert_eq!(code, "abc");
        let page = t.join().unwrap();
        assert!(
            page.starts_with("HTTP/1.1 200") && page.contains("close this tab"),
            "{page}"
        );
        drop(held);
        took
    }

    #[test]
    fn idle_connections_do_not_stall_the_callback() {
        let none = time_with_idle_connections(0);
        let ten = time_with_idle_connections(10);
        assert!(
            ten < none + Duration::from_secs(1),
            "10 idle connections: {ten:?}, none: {none:?}"
        );
    }

    #[test]
    fn head_and_post_probes_get_405_and_the_wait_goes_on() {
        let (l, port) = bound();
        let t = std::thread::spawn(move || {
            let mut answers = Vec::new();
            for method in ["HEAD", "POST"] {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                write!(
                    s,
                    "{method} /cb?code=x&state=s1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                )
                .unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).unwrap();
                answers.push(out);
            }
            answers.push(get(port, "/cb?code=real&state=s1"));
            answers
        });
        let code = l
            .wait("s1", Duration::from_secs(20), &Cancel::new())
            .unwrap();
        assert_eq!(code, "real");
        let answers = t.join().unwrap();
        assert!(answers[0].starts_with("HTTP/1.1 405"), "{}", answers[0]);
        assert!(answers[1].starts_with("HTTP/1.1 405"), "{}", answers[1]);
        assert!(answers[2].starts_with("HTTP/1.1 200"), "{}", answers[2]);
    }

    #[test]
    fn cancel_stops_the_wait() {
        let l = Loopback::bind("http://localhost/cb", "k").unwrap();
        let c = Cancel::new();
        c.cancel();
        assert!(matches!(
            l.wait("s", Duration::from_secs(20), &c),
            Err(AuthError::Cancelled)
        ));
    }

    #[test]
    fn provider_errors_are_reported_after_the_state_check() {
        let (l, port) = bound();
        let t = std::thread::spawn(move || {
            get(
                port,
                "/cb?error=server_error&error_description=down&state=s1",
            )
        });
        let err = l
            .wait("s1", Duration::from_secs(20), &Cancel::new())
            .unwrap_err();
        assert!(
            matches!(err, AuthError::Provider { ref error, .. } if error == "server_error"),
            "{err}"
        );
        assert!(t.join().unwrap().starts_with("HTTP/1.1 400"));
    }
}
