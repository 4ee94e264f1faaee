//! The preview's HTTP/1.1 server: just enough of the protocol for a browser
//! on the same machine, on `std::net`.
//!
//! Every response carries `Content-Length` and `Connection: close`, and the
//! connection is closed after it. Keep-alive is deliberately not offered:
//! with `tiny_http`, headless Chromium's parallel keep-alive connections
//! left a subresource request pending for ever under load (issue 7), and a
//! local preview gains nothing from reusing connections. One thread per
//! connection, a bounded number of them, and timeouts on reading and
//! writing, so a client that stalls only ties up its own thread.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The largest request head read (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// Connections served at once; more get a 503 and are closed.
const MAX_CONNECTIONS: usize = 64;
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// What the handler sees of a request.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent (origin form: `/path?query`).
    pub target: String,
}

/// What the handler answers.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// Why a request head could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The client closed or stalled before sending a whole head: no answer.
    Gone,
    /// Not an HTTP/1.x request line: 400.
    Malformed,
    /// The head is larger than `MAX_HEAD`: 431.
    TooLarge,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Reads one request head and parses its request line. Headers are read
/// and ignored: the preview needs none of them.
pub fn read_request(stream: &mut impl Read) -> Result<Request, ReadError> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let end = loop {
        if let Some(end) = head_end(&head) {
            break end;
        }
        if head.len() > MAX_HEAD {
            return Err(ReadError::TooLarge);
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(ReadError::Gone),
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    };
    if end > MAX_HEAD {
        return Err(ReadError::TooLarge);
    }
    let text = std::str::from_utf8(&head[..end]).map_err(|_| ReadError::Malformed)?;
    let line = text.lines().next().unwrap_or("");
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed);
    };
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase());
    if !token(method) || !target.starts_with('/') || !version.starts_with("HTTP/1.") {
        return Err(ReadError::Malformed);
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
    })
}

/// Where the head ends (after the blank line), if it has ended.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Writes `response` (without its body for HEAD) in one go.
pub fn write_response(w: &mut impl Write, response: &Response, head_only: bool) -> io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    w.write_all(&out)?;
    w.flush()
}

fn serve_connection(mut stream: TcpStream, handler: &(dyn Fn(&Request) -> Response + Sync)) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let (response, head_only) = match read_request(&mut stream) {
        Ok(request) => (handler(&request), request.method == "HEAD"),
        Err(ReadError::Gone) => return,
        Err(ReadError::Malformed) => (Response::new(400, "text/plain", "bad request\n"), false),
        Err(ReadError::TooLarge) => (
            Response::new(431, "text/plain", "request head too large\n"),
            false,
        ),
    };
    close_after(stream, &response, head_only);
}

/// Sends the response and closes gracefully: half-close, then wait (briefly)
/// for the client to close, so unread request bytes do not turn the close
/// into a reset that could discard the response.
fn close_after(mut stream: TcpStream, response: &Response, head_only: bool) {
    if write_response(&mut stream, response, head_only).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut sink = [0u8; 1024];
    let mut drained = 0usize;
    while let Ok(n) = stream.read(&mut sink) {
        drained += n;
        if n == 0 || drained > MAX_HEAD {
            break;
        }
    }
}

/// Accepts connections until the listener fails; each is served on its own
/// thread by `handler`.
pub fn run(listener: TcpListener, handler: Arc<dyn Fn(&Request) -> Response + Send + Sync>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if active.load(Ordering::Acquire) >= MAX_CONNECTIONS {
            let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
            close_after(
                stream,
                &Response::new(503, "text/plain", "too many connections\n"),
                false,
            );
            continue;
        }
        active.fetch_add(1, Ordering::AcqRel);
        let (handler, counter) = (handler.clone(), active.clone());
        let spawned = std::thread::Builder::new()
            .name("ropa-serve-conn".into())
            .spawn(move || {
                serve_connection(stream, &*handler);
                counter.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Request, ReadError> {
        read_request(&mut raw.as_bytes())
    }

    #[test]
    fn request_lines_are_parsed_and_bad_ones_refused() {
        assert_eq!(
            parse("GET /a/b.html?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"),
            Ok(Request {
                method: "GET".into(),
                target: "/a/b.html?x=1".into()
            })
        );
        assert_eq!(
            parse("HEAD / HTTP/1.0\n\n").map(|r| r.method),
            Ok("HEAD".into())
        );
        for bad in [
            "GET\r\n\r\n",
            "GET / HTTP/2\r\n\r\n",
            "GET http://x/ HTTP/1.1\r\n\r\n",
            "get / HTTP/1.1\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 extra\r\n\r\n",
            "\u{fffd} / HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(parse(bad), Err(ReadError::Malformed), "{bad:?}");
        }
        // A head that never ends: the client is gone, nothing is answered.
        assert_eq!(parse("GET / HTTP/1.1\r\nHost: h\r\n"), Err(ReadError::Gone));
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(parse(&huge), Err(ReadError::TooLarge));
    }

    #[test]
    fn responses_have_a_length_and_close_and_head_has_no_body() {
        let r = Response::new(404, "text/plain", "nope\n");
        let mut out = Vec::new();
        write_response(&mut out, &r, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
        assert!(text.contains("\r\nContent-Length: 5\r\n"));
        assert!(text.contains("\r\nConnection: close\r\n"));
        assert!(text.ends_with("\r\n\r\nnope\n"));
        let mut out = Vec::new();
        write_response(&mut out, &r, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Content-Length: 5\r\n") && text.ends_with("\r\n\r\n"));
    }
}
