//! One connection at a time: the socket wrapper that can RST it, and the
//! request pipeline: a control request, a credential service's (the
//! metadata service, STS), or an API request (route → fault → signature →
//! answer). Other families of endpoints get their own branch in [`handle`]
//! beside these.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;
use cloud_infinite::sign::percent_decode;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, DATE, HOST, SERVER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::answer::{self, ApiError};
use crate::auth::{self, AuthError, SignedRequest};
use crate::expiry;
use crate::query::parse_query;
use crate::routes::{self, Endpoint};
use crate::body::{Oversized, RespBody};
use crate::connections::{self, Conn};
use crate::faults::Action;
use crate::state::{Clock, State};
use crate::{control, metadata, sts, xml};

/// The request id header every API answer carries.
static REQUEST_ID: HeaderName = HeaderName::from_static("x-ci-request-id");

/// Per-connection switch a `reset` fault flips: once set, nothing more is
/// written and closing the socket sends a RST instead of a FIN.
#[derive(Default)]
pub struct ConnControl {
    reset: AtomicBool,
}

impl ConnControl {
    /// Condemns the connection: nothing more is written, and it closes with a RST.
    pub fn condemn(&self) {
        self.reset.store(true, Ordering::Release);
    }
}

/// The connection's socket, owned here so a `reset` fault can reach it.
pub struct ConnIo {
    stream: TcpStream,
    control: Arc<ConnControl>,
    /// Its record in `/__emulator/connections`: a read that sees EOF or
    /// fails marks it closed.
    record: Arc<Conn>,
}

impl ConnIo {
    /// Whether a `reset` fault has condemned this connection.
    fn resetting(&self) -> bool {
        self.control.reset.load(Ordering::Acquire)
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.resetting() {
            // SO_LINGER 0: close() discards everything and sends RST.
            let _ = self.stream.set_zero_linger();
        }
    }
}

/// Why a write is refused once the connection is being reset.
fn reset_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by an injected fault")
}

impl AsyncRead for ConnIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        match &polled {
            Poll::Ready(Ok(())) if buf.filled().len() == before && buf.remaining() > 0 => this.record.close(),
            Poll::Ready(Err(_)) => this.record.close(),
            _ => {}
        }
        polled
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.resetting() {
            return Poll::Ready(Err(reset_error()));
        }
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.resetting() {
            return Poll::Ready(Err(reset_error()));
        }
        Pin::new(&mut this.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.resetting() {
            // A FIN before the RST would look like a clean close.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

/// The service's error: tells hyper to drop the connection without an answer.
#[derive(Debug)]
pub struct ResetConnection;

impl fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection reset by an injected fault")
    }
}

impl std::error::Error for ResetConnection {}

/// Serves HTTP/1.1 (keep-alive) on one accepted connection until it closes,
/// inside TLS when `tls` is given.
///
/// The connection is listed in `/__emulator/connections` from now on; its
/// close is marked when the client's FIN or RST arrives (watched beside
/// hyper, which may not be reading then) or, at the latest, when this ends.
pub async fn serve(state: Arc<State>, stream: TcpStream, peer: Option<SocketAddr>, tls: Option<TlsAcceptor>) {
    let _ = stream.set_nodelay(true);
    let record = state.connections.open(peer);
    let watch = connections::watch_close(&stream, record.clone());
    let control = Arc::new(ConnControl::default());
    let conn = ConnIo { stream, control: control.clone(), record: record.clone() };
    let counted = record.clone();
    let service = service_fn(move |req: Request<Incoming>| {
        counted.count_request(req.uri().path());
        let state = state.clone();
        let control = control.clone();
        async move { handle(&state, &control, req).await }
    });
    let http = async move {
        match tls {
            None => serve_http(TokioIo::new(conn), service).await,
            // A failed handshake (an untrusting client hangs up) ends the connection.
            Some(acceptor) => {
                if let Ok(stream) = acceptor.accept(conn).await {
                    serve_http(TokioIo::new(stream), service).await;
                }
            }
        }
    };
    // The watch ends when it sees the close; hyper goes on (a half-closed
    // client still gets its answer). The watch's duplicate of the socket is
    // dropped with this function, so it never outlives the connection.
    tokio::pin!(http, watch);
    let mut watching = true;
    loop {
        tokio::select! {
            () = &mut http => break,
            () = &mut watch, if watching => watching = false,
        }
    }
    record.close();
}

/// HTTP/1.1 over any transport (plain or TLS).
async fn serve_http<I, S>(io: I, service: S)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming, ResBody = RespBody> + Send,
    S::Future: Send,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // half_close: a client that shuts down its sending side after the
    // request (`printf ... | nc`) still gets its answer.
    // No header read timeout: hyper's default (30 s) also runs while a
    // keep-alive connection sits idle, and closing idle pooled connections
    // under a client makes its tests flaky. Loopback needs no slowloris guard.
    // Errors here are clients going away or our own resets: nothing to report.
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true)
        .half_close(true)
        .serve_connection(io, service)
        .await;
}

/// One request's fixed facts, shared by every way of answering it.
struct Exchange<'a> {
    state: &'a State,
    now: SystemTime,
    request_id: String,
    /// Host (without port) and path, for `<Resource>` and logs.
    resource: String,
    method: &'a str,
}

impl Exchange<'_> {
    /// An XML answer with the headers every API answer has.
    fn respond(&self, status: u16, body: RespBody) -> Response<RespBody> {
        self.state.stats.count_status(status);
        if self.state.verbose {
            eprintln!("ci-emulator: {} {} -> {status} ({})", self.method, self.resource, self.request_id);
        }
        let mut resp = Response::new(body);
        *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = resp.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
        headers.insert(SERVER, HeaderValue::from_static("tencent-ci"));
        if let Ok(id) = HeaderValue::from_str(&self.request_id) {
            headers.insert(REQUEST_ID.clone(), id);
        }
        // Set by us so hyper does not put the real time there: clients fix
        // their clock skew from this header.
        if let Ok(date) = HeaderValue::try_from(httpdate::fmt_http_date(self.now)) {
            headers.insert(DATE, date);
        }
        resp
    }

    /// A whole XML body.
    fn xml(&self, status: u16, body: String) -> Response<RespBody> {
        self.respond(status, RespBody::full(body))
    }

    /// A `<Response>` error.
    fn api_error(&self, e: &ApiError) -> Response<RespBody> {
        self.xml(e.status, xml::response_error(e.code, &e.message, &self.request_id))
    }

    /// A refusal's `<Error>` (403, or 400 ExpiredToken), with the server's
    /// strings on a signature mismatch.
    fn auth_error(&self, e: &AuthError) -> Response<RespBody> {
        if e.code == expiry::CODE {
            self.state.expiry.count_answer();
        }
        let extra: Vec<(&str, &str)> = match &e.computed {
            Some((format_string, string_to_sign)) => {
                vec![("FormatString", format_string.as_str()), ("StringToSign", string_to_sign.as_str())]
            }
            None => Vec::new(),
        };
        let body = xml::ErrorBody { code: e.code, message: &e.message, resource: &self.resource, extra: &extra };
        let trace_id = self.state.ids.trace_id(&self.request_id);
        self.xml(e.status, xml::error_root(&body, &self.request_id, &trace_id))
    }
}

/// The host a request names: an absolute-form URI's authority wins over the
/// Host header (RFC 9112 §3.2.2), as a proxy-style client expects.
fn routing_host(req: &Request<Incoming>) -> Option<Cow<'_, str>> {
    // `host()` drops any `user@` and `:port` of the authority.
    if let Some(host) = req.uri().host() {
        return Some(Cow::Borrowed(host));
    }
    req.headers().get(HOST).map(|h| String::from_utf8_lossy(h.as_bytes()))
}

/// The `host` value the client signed: the Host header as sent, else the authority.
fn signed_host(req: &Request<Incoming>) -> Option<Cow<'_, str>> {
    match req.headers().get(HOST) {
        Some(h) => Some(String::from_utf8_lossy(h.as_bytes())),
        None => req.uri().authority().map(|a| Cow::Borrowed(a.as_str())),
    }
}

/// Every request: the control endpoints, the metadata service, STS, or an
/// API call. The first three are told apart by path (and STS by its
/// `X-TC-Action` or `POST /`) whatever the host, as tests point their
/// endpoints at `127.0.0.1`; none of their paths is a CI call's.
async fn handle(
    state: &State,
    control: &ConnControl,
    req: Request<Incoming>,
) -> Result<Response<RespBody>, ResetConnection> {
    let path = req.uri().path();
    if path == "/__emulator" || path.starts_with("/__emulator/") {
        return Ok(control::handle(state, req).await);
    }
    if metadata::is_metadata_path(path) {
        return metadata::handle(state, control, req).await;
    }
    if sts::is_sts_request(&req) {
        return sts::handle(state, control, req).await;
    }
    api_request(state, control, req).await
}

/// The fault a request meets: an armed request fault for its path (and
/// bucket), else its bucket's own fixture fault.
fn fault_for(state: &State, endpoint: Endpoint, path: &str) -> Option<Action> {
    let target = endpoint.bucket.map(|i| {
        let b = &state.fixture.file.buckets[i];
        (i, b.name.as_str(), b.fault.as_ref())
    });
    state.faults.take(path, target)
}

/// The pipeline of an API request, the same for every call of the table.
async fn api_request(
    state: &State,
    control: &ConnControl,
    req: Request<Incoming>,
) -> Result<Response<RespBody>, ResetConnection> {
    // `--latency-ms`: the link's round trip, before anything else is done.
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let path = req.uri().path();
    let now = state.clock.now();
    let mut now_unix = Clock::unix(now);
    state.stats.count_request(path);
    let host = routing_host(&req);
    let resource = format!("{}{path}", host.as_deref().map(routes::strip_port).unwrap_or(""));
    let mut ex = Exchange { state, now, request_id: state.ids.next(now_unix), resource, method: req.method().as_str() };

    let endpoint = match routes::route(&state.fixture, req.method(), path, host.as_deref()) {
        Ok(endpoint) => endpoint,
        Err(e) => return Ok(ex.api_error(&e)),
    };
    let raw_query = req.uri().query().unwrap_or("");
    let mut params = parse_query(raw_query, false);

    match fault_for(state, endpoint, path) {
        None => {}
        Some(Action::Delay(pause)) => {
            tokio::time::sleep(pause).await;
            // The answer is dated, and the signature judged, when it is made.
            ex.now = state.clock.now();
            now_unix = Clock::unix(ex.now);
        }
        Some(Action::Status { status, code }) => {
            let message = format!("ci-emulator injected this fault (HTTP {status} {code}); retry later.");
            return Ok(ex.xml(status, xml::response_error(&code, &message, &ex.request_id)));
        }
        Some(Action::Reset) => {
            control.condemn();
            if state.verbose {
                eprintln!("ci-emulator: {} {} -> reset ({})", ex.method, ex.resource, ex.request_id);
            }
            return Err(ResetConnection);
        }
        Some(Action::Malformed) => {
            let mut body = xml::document(96);
            body.push_str("<Response><RequestId>");
            xml::escape_into(&mut body, &ex.request_id);
            body.push_str("</RequestId><TotalCount>1</PageNumber><");
            body.push_str(endpoint.spec.list_element);
            body.push_str("><Name>");
            return Ok(ex.xml(200, body));
        }
        Some(Action::Truncated) => {
            let full = match answer::answer(&state.fixture, endpoint, &params, &ex.request_id) {
                Ok(body) => body,
                Err(e) => xml::response_error(e.code, &e.message, &ex.request_id),
            };
            return Ok(ex.respond(200, RespBody::truncated(Bytes::from(full))));
        }
        Some(Action::Oversized(size)) => {
            return Ok(ex.respond(200, RespBody::Oversized(Oversized::new(size, &ex.request_id, endpoint.spec))));
        }
    }

    let decoded_path = percent_decode(path);
    let signed_host = signed_host(&req);
    let signed = SignedRequest {
        method: req.method().as_str(),
        path: &decoded_path,
        headers: req.headers(),
        host: signed_host.as_deref(),
        raw_query,
        params: &params,
    };
    let verified = match auth::verify(&state.fixture, &state.issuer, &signed, now_unix) {
        Ok(verified) => verified,
        Err(e) => return Ok(ex.auth_error(&e)),
    };
    // After the signature, so that only requests that would otherwise have
    // gone through use up a forced answer.
    if verified.with_token && state.expiry.take_forced() {
        return Ok(ex.auth_error(&expiry::error()));
    }
    if let Some(issued) = &verified.issued {
        issued.count_use();
    }
    if verified.plus_as_space {
        params = parse_query(raw_query, true);
    }

    Ok(match answer::answer(&state.fixture, endpoint, &params, &ex.request_id) {
        Ok(body) => ex.xml(200, body),
        Err(e) => ex.api_error(&e),
    })
}
