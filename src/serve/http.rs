//! The preview's HTTP/1.1 server: just enough of the protocol for a browser
//! on the same machine, on `std::net`.
//!
//! Every response carries `Content-Length` and `Connection: close`, and the
//! connection is closed after it. Keep-alive is deliberately not offered:
//! with `tiny_http`, headless Chromium's parallel keep-alive connections
//! left a subresource request pending for ever under load (issue 7), and a
//! local preview gains nothing from reusing connections.
//!
//! One thread per connection, a bounded number of them ([`Limits`]). No
//! client can hold up another (issue 19):
//! - the accept loop never reads from or writes to a client itself;
//! - the whole request head must arrive within one deadline (not a timeout
//!   per read, which one byte at a time would keep resetting), and the whole
//!   answer must be taken within another;
//! - when every slot is taken, the connection that has waited longest for
//!   its request head (or lingers after its answer) is closed to make room.
//!   A browser sends its request as soon as it connects, so only clients
//!   that trickle or stall are closed;
//! - when every slot is taken and none waits for its head or lingers, the
//!   answer that has made no progress for longest is cut off, if it has
//!   made none for [`Limits::stall`]: answers are written [`CHUNK`] bytes at
//!   a time, so a client that never reads (however small its receive
//!   window) cannot hold a slot for the whole write deadline, while a
//!   browser, which reads as the bytes come, is never stalled that long;
//! - a newcomer gets a 503 only when every slot is busy answering clients
//!   that take their answers, and that 503 is sent from a thread of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The largest request head read (request line and headers).
const MAX_HEAD: usize = 16 * 1024;

/// Answers are written this many bytes at a time; each chunk taken counts
/// as progress.
const CHUNK: usize = 64 * 1024;

/// How much the server gives each client.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once.
    pub connections: usize,
    /// The whole request head must arrive within this.
    pub head: Duration,
    /// The whole answer must be taken within this.
    pub write: Duration,
    /// When every slot is taken, an answer none of whose chunks has been
    /// taken for this long may be cut off to make room.
    pub stall: Duration,
    /// After its answer, how long a connection waits for the client to close.
    pub linger: Duration,
    /// 503 answers being sent at once; past that, a connection that finds
    /// no slot is closed unanswered.
    pub refusals: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        connections: 64,
        head: Duration::from_secs(10),
        write: Duration::from_secs(20),
        stall: Duration::from_secs(1),
        linger: Duration::from_secs(2),
        refusals: 8,
    };
}

/// What the handler sees of a request.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent (origin form: `/path?query`).
    pub target: String,
    /// The `Host` header's value, trimmed; `None` when there is none.
    pub host: Option<String>,
    /// HTTP/1.1 (or a later 1.x), which must send `Host`; HTTP/1.0 need not.
    pub http11: bool,
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
    /// Not an HTTP/1.x request line, a header line without a colon, or two
    /// `Host` headers: 400.
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
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Reads one request head and parses its request line and `Host`; other
/// headers are read and ignored: the preview needs none of them.
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
    let mut lines = text.lines();
    let line = lines.next().unwrap_or("");
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
    let mut host = None;
    for header in lines.take_while(|l| !l.is_empty()) {
        let Some((name, value)) = header.split_once(':') else {
            return Err(ReadError::Malformed);
        };
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(ReadError::Malformed);
            }
            host = Some(value.trim().to_string());
        }
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        host,
        http11: version != "HTTP/1.0",
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

/// A connection with one deadline for a whole exchange: each read or write
/// may block only for the time that is left, however little each moves.
struct Timed<'s> {
    stream: &'s TcpStream,
    until: Instant,
}

impl Timed<'_> {
    fn left(&self) -> io::Result<Duration> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        Ok(left)
    }
}

impl Read for Timed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.left()?))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

impl Write for Timed<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.left()?))?;
        let mut stream = self.stream;
        stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// After the answer: half-close, then wait (until the deadline) for the
/// client to close, so unread request bytes do not turn the close into a
/// reset that could discard the answer.
fn linger(io: &mut Timed) {
    let _ = io.stream.shutdown(Shutdown::Write);
    let mut sink = [0u8; 1024];
    let mut drained = 0usize;
    while let Ok(n) = io.read(&mut sink) {
        drained += n;
        if n == 0 || drained > MAX_HEAD {
            break;
        }
    }
}

/// The connections being served.
#[derive(Default)]
struct Table {
    /// Connection threads running.
    busy: usize,
    /// Threads sending a 503.
    refusing: usize,
    next_id: u64,
    /// The connections that may be closed to make room, oldest first (ids
    /// grow): those still waiting for a whole request head, and those
    /// lingering after their answer. A second handle on each, to shut it.
    idle: BTreeMap<u64, TcpStream>,
    /// The connections whose answer is being written, with when it last
    /// made progress (it began, or a chunk was taken).
    writing: BTreeMap<u64, (TcpStream, Instant)>,
    /// Closed to make room, their threads not yet ended.
    closing: BTreeSet<u64>,
}

struct Pool {
    table: Mutex<Table>,
    limits: Limits,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, Table> {
        // Nothing panics while holding it; a poisoned table is still whole.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The head of `id` has been read: it is no longer idle. `false` when
    /// it was closed to make room meanwhile.
    fn claim(&self, id: u64) -> bool {
        let mut t = self.lock();
        t.idle.remove(&id);
        !t.closing.contains(&id)
    }

    /// The answer of `id` is ready and about to be written (however long
    /// the handler took, the stall counts from now).
    fn begin_write(&self, id: u64, stream: &TcpStream) {
        if let Ok(handle) = stream.try_clone() {
            self.lock().writing.insert(id, (handle, Instant::now()));
        }
    }

    /// A chunk of the answer of `id` has been taken.
    fn progress(&self, id: u64) {
        if let Some((_, last)) = self.lock().writing.get_mut(&id) {
            *last = Instant::now();
        }
    }

    fn mark_idle(&self, id: u64, stream: &TcpStream) {
        let handle = stream.try_clone();
        let mut t = self.lock();
        t.writing.remove(&id);
        if let Ok(handle) = handle
            && !t.closing.contains(&id)
        {
            t.idle.insert(id, handle);
        }
    }

    fn release(&self, id: u64) {
        let mut t = self.lock();
        t.busy = t.busy.saturating_sub(1);
        t.idle.remove(&id);
        t.writing.remove(&id);
        t.closing.remove(&id);
    }
}

impl Table {
    /// Closes one connection to make room: the one that has waited
    /// longest for its head (or lingers), else the answer stalled longest
    /// if it has been stalled for `stall`. `false` when there is none.
    fn make_room(&mut self, stall: Duration) -> bool {
        if let Some((old, handle)) = self.idle.pop_first() {
            let _ = handle.shutdown(Shutdown::Both);
            self.closing.insert(old);
            return true;
        }
        let now = Instant::now();
        let stalled = self
            .writing
            .iter()
            .min_by_key(|(_, (_, last))| *last)
            .filter(|(_, (_, last))| now.saturating_duration_since(*last) >= stall)
            .map(|(id, _)| *id);
        let Some(old) = stalled else {
            return false;
        };
        if let Some((handle, _)) = self.writing.remove(&old) {
            // Wakes the thread blocked writing to it; its write fails.
            let _ = handle.shutdown(Shutdown::Both);
        }
        self.closing.insert(old);
        true
    }
}

/// Writes through a connection's deadline at most [`CHUNK`] bytes at a
/// time, and tells the pool of each chunk taken.
struct Progress<'a, 's> {
    io: &'a mut Timed<'s>,
    slot: &'a Slot,
}

impl Write for Progress<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.io.write(&buf[..buf.len().min(CHUNK)])?;
        self.slot.pool.progress(self.slot.id);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.io.flush()
    }
}

/// Ends a connection's thread's claim on its slot, however the thread ends.
struct Slot {
    pool: Arc<Pool>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.pool.release(self.id);
    }
}

struct Refusal(Arc<Pool>);

impl Drop for Refusal {
    fn drop(&mut self) {
        let mut t = self.0.lock();
        t.refusing = t.refusing.saturating_sub(1);
    }
}

type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

fn serve_connection(stream: &TcpStream, slot: &Slot, handler: &Handler) {
    let limits = slot.pool.limits;
    let _ = stream.set_nodelay(true);
    let mut io = Timed {
        stream,
        until: Instant::now() + limits.head,
    };
    let read = read_request(&mut io);
    if !slot.pool.claim(slot.id) {
        return;
    }
    let (response, head_only) = match read {
        Ok(request) => (handler(&request), request.method == "HEAD"),
        Err(ReadError::Gone) => return,
        Err(ReadError::Malformed) => (Response::new(400, "text/plain", "bad request\n"), false),
        Err(ReadError::TooLarge) => (
            Response::new(431, "text/plain", "request head too large\n"),
            false,
        ),
    };
    io.until = Instant::now() + limits.write;
    slot.pool.begin_write(slot.id, stream);
    let mut out = Progress { io: &mut io, slot };
    if write_response(&mut out, &response, head_only).is_err() {
        return;
    }
    slot.pool.mark_idle(slot.id, stream);
    io.until = Instant::now() + limits.linger;
    linger(&mut io);
}

/// No slot for `stream`: a 503 from a thread of its own (the accept loop
/// never waits on a client), or, when too many are being refused already,
/// the connection is closed unanswered.
fn refuse(stream: TcpStream, pool: &Arc<Pool>) {
    {
        let mut t = pool.lock();
        if t.refusing >= pool.limits.refusals {
            return;
        }
        t.refusing += 1;
    }
    let refusal = Refusal(pool.clone());
    let linger_for = pool.limits.linger;
    // If the thread cannot start, `refusal` is dropped with the closure.
    let _ = std::thread::Builder::new()
        .name("ropa-serve-busy".into())
        .spawn(move || {
            let _refusal = refusal;
            let mut io = Timed {
                stream: &stream,
                until: Instant::now() + linger_for,
            };
            let busy = Response::new(503, "text/plain", "too many connections\n");
            if write_response(&mut io, &busy, false).is_ok() {
                io.until = Instant::now() + linger_for;
                linger(&mut io);
            }
        });
}

/// Gives `stream` a slot, closing the longest idle connection (or else the
/// longest stalled answer) to make room if need be, and starts its thread.
/// Never reads or writes `stream`.
fn admit(stream: TcpStream, pool: &Arc<Pool>, handler: &Handler) {
    let limits = pool.limits;
    let id = {
        let mut t = pool.lock();
        if t.busy.saturating_sub(t.closing.len()) >= limits.connections
            && !t.make_room(limits.stall)
        {
            drop(t);
            return refuse(stream, pool);
        }
        // The ones closed to make room end at once; until they have, at
        // most as many again.
        if t.busy >= 2 * limits.connections {
            drop(t);
            return refuse(stream, pool);
        }
        t.busy += 1;
        let id = t.next_id;
        t.next_id += 1;
        if let Ok(handle) = stream.try_clone() {
            t.idle.insert(id, handle);
        }
        id
    };
    let slot = Slot {
        pool: pool.clone(),
        id,
    };
    let handler = handler.clone();
    // If the thread cannot start, `slot` is dropped with the closure and
    // the connection closed.
    let _ = std::thread::Builder::new()
        .name("ropa-serve-conn".into())
        .spawn(move || serve_connection(&stream, &slot, &handler));
}

/// Accepts connections until the process ends; each is served on its own
/// thread by `handler`, within `limits`.
pub fn run(listener: TcpListener, handler: Handler, limits: Limits) {
    let pool = Arc::new(Pool {
        table: Mutex::new(Table::default()),
        limits,
    });
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => admit(stream, &pool, &handler),
            // Out of file descriptors, say: do not spin.
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
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
                target: "/a/b.html?x=1".into(),
                host: Some("h".into()),
                http11: true,
            })
        );
        let old = parse("GET / HTTP/1.0\r\nX-A: b\r\nhOsT:  127.0.0.1:8000 \r\n\r\n").unwrap();
        assert_eq!(
            (old.host.as_deref(), old.http11),
            (Some("127.0.0.1:8000"), false)
        );
        assert_eq!(parse("GET / HTTP/1.1\r\n\r\n").map(|r| r.host), Ok(None));
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
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
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

    use std::sync::Condvar;
    use std::sync::atomic::{AtomicBool, Ordering};

    type Gate = Arc<(Mutex<bool>, Condvar)>;

    /// A server on 127.0.0.1 within `limits`; a request for `/block` is
    /// answered only once `gate` opens.
    fn server(limits: Limits, gate: Gate) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let handler: Handler = Arc::new(move |r: &Request| {
            if r.target == "/block" {
                let (lock, cv) = &*gate;
                let mut open = lock.lock().unwrap();
                while !*open {
                    open = cv.wait(open).unwrap();
                }
            }
            if r.target == "/big" {
                return Response::new(200, "text/plain", vec![b'x'; BIG]);
            }
            Response::new(200, "text/plain", "ok\n")
        });
        std::thread::spawn(move || run(listener, handler, limits));
        addr
    }

    const LIMITS: Limits = Limits {
        connections: 2,
        head: Duration::from_secs(1),
        write: Duration::from_secs(5),
        stall: Duration::from_millis(500),
        linger: Duration::from_secs(2),
        refusals: 8,
    };

    fn status(addr: &str, raw: &[u8]) -> u16 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(raw).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        text.split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";

    const BIG: usize = 16 * 1024 * 1024;

    /// Asks for `/big` with a 4 KiB receive buffer.
    #[cfg(unix)]
    fn ask_big(addr: &str) -> TcpStream {
        use rustix::net::{AddressFamily, SocketType, connect, socket, sockopt};
        let addr: std::net::SocketAddr = addr.parse().unwrap();
        let fd = socket(AddressFamily::INET, SocketType::STREAM, None).unwrap();
        sockopt::set_socket_recv_buffer_size(&fd, 4096).unwrap();
        connect(&fd, &addr).unwrap();
        let mut s = TcpStream::from(fd);
        s.write_all(b"GET /big HTTP/1.1\r\nHost: h\r\n\r\n")
            .unwrap();
        s
    }

    #[cfg(unix)]
    #[test]
    fn stalled_answers_make_room_and_a_prompt_reader_is_not_cut_off() {
        // The write deadline far off: only the stall can make room.
        let limits = Limits {
            write: Duration::from_secs(30),
            ..LIMITS
        };
        let addr = server(limits, Gate::default());
        let stalled = ask_big(&addr);
        let mut prompt = ask_big(&addr);
        let reader = std::thread::spawn(move || {
            prompt
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
            let mut out = Vec::new();
            let _ = prompt.read_to_end(&mut out);
            out.len()
        });
        // Both slots busy writing: the stalled answer is cut off for this
        // one, which stalls in turn and is cut off for the request after.
        std::thread::sleep(Duration::from_millis(700));
        let more = ask_big(&addr);
        std::thread::sleep(Duration::from_millis(700));
        let started = Instant::now();
        let mut answered = status(&addr, GET);
        while answered == 503 && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(100));
            answered = status(&addr, GET);
        }
        assert_eq!(answered, 200, "after {:?}", started.elapsed());
        assert!(
            reader.join().unwrap() > BIG,
            "the prompt reader was cut off"
        );
        drop((stalled, more));
    }

    /// Sends one byte to each of `streams` every 100 ms until `stop`.
    fn trickle(mut streams: Vec<TcpStream>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for s in &mut streams {
                    let _ = s.write_all(b"a");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    }

    #[test]
    fn a_request_head_has_one_deadline_however_it_trickles() {
        let addr = server(LIMITS, Gate::default());
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nX: ").unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let trickler = trickle(vec![s.try_clone().unwrap()], stop.clone());
        let started = Instant::now();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 64];
        // Closed unanswered at the deadline, though a byte came every 100 ms.
        assert!(matches!(s.read(&mut buf), Ok(0) | Err(_)));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(4), "{took:?}");
        stop.store(true, Ordering::Relaxed);
        trickler.join().unwrap();
    }

    #[test]
    fn tricklers_make_room_for_a_request() {
        // A head deadline far beyond the retries below: only making room
        // can let the requests in.
        let limits = Limits {
            head: Duration::from_secs(30),
            ..LIMITS
        };
        let addr = server(limits, Gate::default());
        let slow: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(&addr).unwrap()).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let trickler = trickle(slow, stop.clone());
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..3 {
            // The connection of the previous request may still hold its
            // slot for a moment after its answer (its thread not yet run on
            // a busy machine): a 503 then is right, and retried.
            let started = Instant::now();
            loop {
                match status(&addr, GET) {
                    200 => break,
                    503 if started.elapsed() < Duration::from_secs(5) => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    other => panic!("{other} after {:?}", started.elapsed()),
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        trickler.join().unwrap();
    }

    #[test]
    fn a_full_server_refuses_without_waiting_on_the_refused() {
        let gate = Gate::default();
        let addr = server(LIMITS, gate.clone());
        // Every slot busy answering: nothing may be closed to make room.
        let held: Vec<TcpStream> = (0..2)
            .map(|_| {
                let mut s = TcpStream::connect(&addr).unwrap();
                s.write_all(b"GET /block HTTP/1.1\r\nHost: h\r\n\r\n")
                    .unwrap();
                s
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        // Refused, and it keeps sending without reading its 503.
        let pest = TcpStream::connect(&addr).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let pester = trickle(vec![pest], stop.clone());
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..3 {
            let started = Instant::now();
            assert_eq!(status(&addr, GET), 503);
            assert!(started.elapsed() < Duration::from_secs(2));
        }
        {
            let (lock, cv) = &*gate;
            *lock.lock().unwrap() = true;
            cv.notify_all();
        }
        for mut s in held {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
        }
        assert_eq!(status(&addr, GET), 200);
        stop.store(true, Ordering::Relaxed);
        pester.join().unwrap();
    }
}
