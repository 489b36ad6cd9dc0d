//! The HTTP client used for every provider call: redirects disabled (a token endpoint that
//! redirects is an error, never something to follow with a code in hand) and a timeout.

use oauth2::http;
use std::io::Read;
use std::time::Duration;

/// A blocking HTTP client that hands 4xx/5xx bodies back (providers explain errors in JSON).
#[derive(Clone)]
pub(crate) struct Http {
    agent: ureq::Agent,
}

/// A response read whole: status, every `WWW-Authenticate` (EWS's NTLM), `Retry-After`, body.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub www_authenticate: Vec<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// A transport failure (no response at all).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct HttpError(pub String);

impl Default for Http {
    fn default() -> Self {
        Http::new(Duration::from_secs(30))
    }
}

impl Http {
    /// A client with the given per-request timeout.
    pub(crate) fn new(timeout: Duration) -> Self {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(timeout)
            .user_agent(concat!("scc-onboard/", env!("CARGO_PKG_VERSION")))
            .build();
        Http { agent }
    }

    /// A client for many calls to one host from `connections` threads at once: that many idle
    /// connections are kept, so each thread reuses its own.
    pub(crate) fn pooled(timeout: Duration, connections: usize) -> Self {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(timeout)
            .max_idle_connections_per_host(connections.max(1))
            .user_agent(concat!("scc-onboard/", env!("CARGO_PKG_VERSION")))
            .build();
        Http { agent }
    }

    /// GET without credentials; returns status and body.
    pub(crate) fn get(&self, url: &str) -> Result<(u16, Vec<u8>), HttpError> {
        finish(self.agent.get(url).set("Accept", "application/json").call())
    }

    /// GET with a bearer token; returns status and body.
    pub(crate) fn get_bearer(&self, url: &str, token: &str) -> Result<(u16, Vec<u8>), HttpError> {
        let req = self
            .agent
            .get(url)
            .set("Authorization", &format!("Bearer {token}"))
            .set("Accept", "application/json");
        finish(req.call())
    }

    /// GET with a bearer token; returns status, the `Retry-After` header (throttling answers
    /// carry it) and body.
    pub(crate) fn get_bearer_retry(
        &self,
        url: &str,
        token: &str,
    ) -> Result<(u16, Option<String>, Vec<u8>), HttpError> {
        let req = self
            .agent
            .get(url)
            .set("Authorization", &format!("Bearer {token}"))
            .set("Accept", "application/json");
        let response = response_of(req.call())?;
        let status = response.status();
        let retry_after = response.header("Retry-After").map(str::to_string);
        Ok((status, retry_after, read_body(response)?))
    }

    /// GET with a bearer token for a directory page (a Salesforce query batch of 2,000 users,
    /// a Graph page of 999): status, `Retry-After`, and a body of at most `cap` bytes.
    pub(crate) fn get_page(&self, url: &str, token: &str, cap: u64) -> Result<Answer, HttpError> {
        let req = self
            .agent
            .get(url)
            .set("Authorization", &format!("Bearer {token}"))
            .set("Accept", "application/json");
        answer(req.call(), cap)
    }

    /// POST JSON with a bearer token (a Graph `$batch`); like [`Http::get_page`].
    pub(crate) fn post_json(
        &self,
        url: &str,
        token: &str,
        body: &[u8],
        cap: u64,
    ) -> Result<Answer, HttpError> {
        let req = self
            .agent
            .post(url)
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .set("Accept", "application/json");
        answer(req.send_bytes(body), cap)
    }

    /// POST `body` with extra headers; the answer keeps what EWS's authentication and
    /// throttling need (`WWW-Authenticate`, every one; `Retry-After`).
    pub(crate) fn post_with(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, HttpError> {
        let mut req = self.agent.post(url);
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let response = response_of(req.send_bytes(body))?;
        Ok(Answer {
            status: response.status(),
            www_authenticate: response
                .all("WWW-Authenticate")
                .into_iter()
                .map(str::to_string)
                .collect(),
            retry_after: response.header("Retry-After").map(str::to_string),
            // Read to the end so the connection goes back to the pool: NTLM authenticates
            // the connection, and its three messages must share one.
            body: read_body(response)?,
        })
    }

    /// POST a form; returns status and body.
    pub(crate) fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), HttpError> {
        let req = self.agent.post(url).set("Accept", "application/json");
        finish(req.send_form(form))
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>, cap: u64) -> Result<Answer, HttpError> {
    let response = response_of(result)?;
    let status = response.status();
    let www_authenticate = response
        .all("WWW-Authenticate")
        .into_iter()
        .map(str::to_string)
        .collect();
    let retry_after = response.header("Retry-After").map(str::to_string);
    let mut body = Vec::new();
    response
        .into_reader()
        .take(cap)
        .read_to_end(&mut body)
        .map_err(|e| HttpError(format!("reading the response failed: {e}")))?;
    Ok(Answer {
        status,
        www_authenticate,
        retry_after,
        body,
    })
}

fn finish(result: Result<ureq::Response, ureq::Error>) -> Result<(u16, Vec<u8>), HttpError> {
    let response = response_of(result)?;
    let status = response.status();
    Ok((status, read_body(response)?))
}

/// The response, error statuses included (the caller reads their bodies); only transport
/// failures are errors.
fn response_of(result: Result<ureq::Response, ureq::Error>) -> Result<ureq::Response, HttpError> {
    match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => Ok(r),
        Err(ureq::Error::Transport(t)) => Err(HttpError(transport_message(&t))),
    }
}

/// The body, at most 1 MiB: no provider answer is near that, and a broken one cannot fill memory.
fn read_body(response: ureq::Response) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    response
        .into_reader()
        .take(1 << 20)
        .read_to_end(&mut body)
        .map_err(|e| HttpError(format!("reading the response failed: {e}")))?;
    Ok(body)
}

fn transport_message(t: &ureq::Transport) -> String {
    // The URL is part of ureq's message; ours never carry secrets in the query.
    format!(
        "cannot reach the provider: {}",
        without_repeats(&t.to_string())
    )
}

/// ureq's message names its error kind, and its I/O source often names it again ("Network
/// Error: Network Error: …"): a `: `-separated part equal to the one before is dropped.
fn without_repeats(message: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in message.split(": ") {
        if parts.last() != Some(&part) {
            parts.push(part);
        }
    }
    parts.join(": ")
}

impl oauth2::SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, HttpError> {
        let uri = request.uri().to_string();
        let mut req = if request.method() == http::Method::POST {
            self.agent.post(&uri)
        } else {
            self.agent.get(&uri)
        };
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| HttpError(format!("invalid {name} header")))?;
            req = req.set(name.as_str(), value);
        }
        let result = if request.method() == http::Method::POST {
            req.send_bytes(request.body())
        } else {
            req.call()
        };
        let response = response_of(result)?;
        let mut builder = http::Response::builder().status(response.status());
        if let Some(ct) = response.header("Content-Type") {
            builder = builder.header(http::header::CONTENT_TYPE, ct);
        }
        let body = read_body(response)?;
        builder
            .body(body)
            .map_err(|e| HttpError(format!("bad response: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn a_repeated_error_kind_is_said_once() {
        assert_eq!(
            without_repeats("http://127.0.0.1:1/token: Network Error: Network Error: Connection refused (os error 111)"),
            "http://127.0.0.1:1/token: Network Error: Connection refused (os error 111)"
        );
        assert_eq!(
            without_repeats("Dns Failed: resolve: resolve"),
            "Dns Failed: resolve"
        );
    }

    #[test]
    fn an_unreachable_provider_is_named_once() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Nothing listens there any more.
        let e = Http::default()
            .post_form(&format!("http://127.0.0.1:{port}/token"), &[("code", "x")])
            .unwrap_err();
        assert!(e.0.starts_with("cannot reach the provider: "), "{}", e.0);
        assert!(!e.0.contains("Network Error: Network Error"), "{}", e.0);
    }

    #[test]
    fn redirects_are_not_followed() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut s, &mut buf);
            write!(
                s,
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/steal\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
        });
        let (status, _) = Http::default()
            .post_form(&format!("http://127.0.0.1:{port}/token"), &[("code", "x")])
            .unwrap();
        // Followed, the request would have gone to port 1 and failed instead.
        assert_eq!(status, 302);
        t.join().unwrap();
    }
}
