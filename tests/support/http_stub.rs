//! The little HTTP/1.1 server the Rust stand-ins (`salesforce_api`, `graph_directory`) share:
//! std `TcpListener`, a thread per connection, keep-alive, one write per answer (a head and a
//! body sent apart meet Nagle + delayed ACK), stops accepting on drop.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// One request as read.
pub struct Request {
    pub method: String,
    /// The request target as sent (path and query, still encoded).
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    /// The path without the query, still encoded.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The decoded query parameters (later ones win).
    pub fn query(&self) -> HashMap<String, String> {
        query_of(&self.target)
    }

    /// The bearer token, or "".
    pub fn bearer(&self) -> &str {
        self.headers
            .get("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or("")
    }
}

/// The decoded query parameters of a URL or request target.
pub fn query_of(target: &str) -> HashMap<String, String> {
    target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

/// One answer.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Response {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// What answers requests.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A running server; stops accepting on drop.
pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    busy: Arc<AtomicU64>,
}

impl Server {
    /// Serves `handler` on a listener bound already (so its port can be handed out first).
    pub fn start(listener: TcpListener, handler: Handler) -> Server {
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let busy = Arc::new(AtomicU64::new(0));
        let busy2 = busy.clone();
        accept_loop(
            listener,
            move || stop2.load(Ordering::SeqCst),
            move |conn| serve(conn, &handler, &busy2),
        );
        Server { port, stop, busy }
    }

    /// Total time spent answering (handler and writing the answer), all connections.
    pub fn busy(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.busy.load(Ordering::SeqCst))
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        stop(&self.stop, self.port);
    }
}

/// Every stand-in's `Drop`: sets its accept loop's flag, then connects once to wake the loop
/// so it sees the flag.
pub fn stop(flag: &AtomicBool, port: u16) {
    flag.store(true, Ordering::SeqCst);
    let _ = TcpStream::connect(("127.0.0.1", port));
}

/// Writes one answer: the status line, the `headers` lines (each ending in CRLF),
/// `Content-Length` and the body, in one write (a head and a body sent apart meet
/// Nagle + delayed ACK: 40 ms a request).
pub fn write_answer(
    w: &mut impl Write,
    status: u16,
    headers: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\n{headers}Content-Length: {}\r\n\r\n",
        reason(status),
        body.len()
    );
    let mut answer = head.into_bytes();
    answer.extend_from_slice(body);
    w.write_all(&answer)
}

/// The stand-in servers' one accept loop (this one's, the Graph and EWS stand-ins'): each
/// connection served on its own thread, until `stopped()` (asked at every accept; a server's
/// `Drop` sets its flag and connects once to wake the loop).
pub fn accept_loop(
    listener: TcpListener,
    stopped: impl Fn() -> bool + Send + 'static,
    serve: impl Fn(TcpStream) + Send + Sync + 'static,
) {
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if stopped() {
                break;
            }
            let Ok(conn) = conn else { continue };
            let serve = serve.clone();
            std::thread::spawn(move || serve(conn));
        }
    });
}

/// Reads one request from a kept-alive connection; `None` at its end.
pub fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn serve(conn: TcpStream, handler: &Handler, busy: &AtomicU64) {
    let _ = conn.set_nodelay(true);
    let Ok(mut writer) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    while let Some(req) = read_request(&mut reader) {
        let started = std::time::Instant::now();
        let r = handler(&req);
        let head: String = r
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        let sent = write_answer(&mut writer, r.status, &head, &r.body);
        busy.fetch_add(started.elapsed().as_nanos() as u64, Ordering::SeqCst);
        if sent.is_err() {
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Percent-decoding (`+` is a space, as in forms and query strings).
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A random-enough token part (no crate needed).
pub fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

/// The quoted values of a SOQL or OData list: `('a','b''c')` → `a`, `b'c`.
pub fn quoted_values(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = list.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut v = String::new();
        loop {
            match chars.next() {
                Some('\\') => {
                    if let Some(n) = chars.next() {
                        v.push(n);
                    }
                }
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    v.push('\'');
                }
                Some('\'') | None => break,
                Some(ch) => v.push(ch),
            }
        }
        out.push(v);
    }
    out
}
