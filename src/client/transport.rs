//! The connector and resolver every client's agent uses: ureq's own chain
//! (SOCKS, CONNECT proxy, TCP, rustls) with a TCP connect that a
//! [`CancelToken`] can interrupt, and a transport that registers its
//! sockets with the token of whichever call is using it.
//!
//! ureq runs a call entirely on the calling thread, and its connector sees
//! nothing of the request but its URI. So the call's token travels in a
//! thread-local [`CallScope`], set for the length of the call; the
//! transport looks at it on each read and write. A connection reused from
//! the pool registers with the new call's token on its first I/O, and a
//! call's sockets are released from its token when the call ends, so a
//! later cancel cannot touch a connection serving someone else.

use std::cell::RefCell;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, RustlsConnector, ShutdownHandle,
    SocksConnector, Transport,
};

use crate::cancel::{next_call_id, CancelToken, POLL_SLICE};

/// The token of the call running on a thread, and that call's id.
#[derive(Clone)]
struct Scope {
    token: CancelToken,
    call: u64,
}

thread_local! {
    static CURRENT: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

fn current() -> Option<Scope> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Marks the length of one call on this thread; dropping it releases the
/// call's sockets from its token and restores the scope around it.
pub(crate) struct CallScope {
    previous: Option<Scope>,
    own: Option<Scope>,
}

/// Enters a call carrying `token` (or none).
pub(crate) fn enter(token: Option<&CancelToken>) -> CallScope {
    let own = token.map(|token| Scope { token: token.clone(), call: next_call_id() });
    let previous = CURRENT.with(|c| c.replace(own.clone()));
    CallScope { previous, own }
}

impl Drop for CallScope {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = self.previous.take());
        if let Some(scope) = &self.own {
            scope.token.release(scope.call);
        }
    }
}

/// The I/O error a cancelled exchange ends in; the caller turns it into
/// [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled) by looking at its token.
fn cancelled() -> ureq::Error {
    ureq::Error::Io(io::Error::new(io::ErrorKind::Interrupted, "the call was cancelled"))
}

/// The connector of every client: ureq's default chain with [`CancellableTcp`]
/// in place of its TCP connector, wrapped so that every socket the chain
/// opens (the target's, a proxy's) is known to the transport.
pub(crate) fn connector() -> impl Connector<(), Out = CallAwareTransport<impl Transport>> {
    let chain = ().chain(SocksConnector::default()).chain(ConnectProxyConnector::default()).chain(CancellableTcp).chain(RustlsConnector::default());
    CallAware(chain)
}

#[derive(Debug)]
struct CallAware<C>(C);

impl<C: Connector<()>> Connector<()> for CallAware<C> {
    type Out = CallAwareTransport<C::Out>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<()>) -> Result<Option<Self::Out>, ureq::Error> {
        let scope = current();
        if scope.as_ref().is_some_and(|s| s.token.is_cancelled()) {
            return Err(cancelled());
        }
        let sockets: Arc<Mutex<Vec<Weak<dyn ShutdownHandle>>>> = Arc::default();
        let register = {
            let sockets = Arc::clone(&sockets);
            let scope = scope.clone();
            let agent = Arc::clone(&details.register_shutdown);
            Arc::new(move |socket: Weak<dyn ShutdownHandle>| {
                sockets.lock().unwrap_or_else(|p| p.into_inner()).push(socket.clone());
                if let Some(scope) = &scope {
                    scope.token.register(scope.call, socket.clone());
                }
                agent(socket)
            })
        };
        let ours = ConnectionDetails {
            uri: details.uri,
            addrs: details.addrs.clone(),
            config: details.config,
            request_level: details.request_level,
            resolver: details.resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: Arc::clone(&details.current_time),
            run_connector: Arc::clone(&details.run_connector),
            register_shutdown: register,
        };
        let Some(inner) = self.0.connect(&ours, chained)? else { return Ok(None) };
        let sockets = std::mem::take(&mut *sockets.lock().unwrap_or_else(|p| p.into_inner()));
        Ok(Some(CallAwareTransport { inner, sockets, registered_call: scope.map_or(0, |s| s.call) }))
    }
}

/// A connection that registers its sockets with the token of the call
/// using it, and refuses I/O once that token is cancelled.
#[derive(Debug)]
pub(crate) struct CallAwareTransport<T> {
    inner: T,
    sockets: Vec<Weak<dyn ShutdownHandle>>,
    /// The call whose token holds `sockets` (0: none yet).
    registered_call: u64,
}

impl<T> CallAwareTransport<T> {
    fn enter(&mut self) -> Result<(), ureq::Error> {
        let Some(scope) = current() else { return Ok(()) };
        if scope.call != self.registered_call {
            for socket in &self.sockets {
                scope.token.register(scope.call, socket.clone());
            }
            self.registered_call = scope.call;
        }
        if scope.token.is_cancelled() {
            return Err(cancelled());
        }
        Ok(())
    }
}

impl<T: Transport> Transport for CallAwareTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.enter()?;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.enter()?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// ureq's TCP connector, but the connect waits in slices and gives up when
/// the call's token is cancelled; the socket it hands on is registered for
/// shutdown.
#[derive(Debug)]
struct CancellableTcp;

impl<In: Transport> Connector<In> for CancellableTcp {
    type Out = Either<In, CancellableTcpTransport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        if chained.is_some() {
            // A SOCKS connection stands in for ours.
            return Ok(chained.map(Either::A));
        }
        let token = current().map(|s| s.token);
        let deadline = match details.timeout.after {
            UreqDuration::Exact(d) => Some(Instant::now() + d),
            UreqDuration::NotHappening => None,
        };
        let mut last = None;
        for addr in details.addrs.iter() {
            match connect(*addr, deadline, token.as_ref()) {
                Ok(stream) => {
                    if details.config.no_delay() {
                        stream.set_nodelay(true)?;
                    }
                    let stream = Arc::new(stream);
                    (details.register_shutdown)(Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>)?;
                    let buffers = LazyBuffers::new(details.config.input_buffer_size(), details.config.output_buffer_size());
                    return Ok(Some(Either::B(CancellableTcpTransport { stream, buffers, read_timeout: None, write_timeout: None })));
                }
                Err(ConnectFailure::Cancelled) => return Err(cancelled()),
                Err(ConnectFailure::TimedOut) => return Err(ureq::Error::Timeout(details.timeout.reason)),
                // The next address may answer (a refusal, or no route for its family).
                Err(ConnectFailure::Io(e)) => last = Some(e),
            }
        }
        Err(last.map_or_else(|| ureq::Error::Io(io::Error::new(io::ErrorKind::ConnectionRefused, "no address to connect to")), ureq::Error::Io))
    }
}

/// A TCP connection: ureq's own TCP transport, which it does not export,
/// with its timeouts kept and EINTR retried while a timeout applies. The
/// stream is shared with the shutdown handle a token may hold.
#[derive(Debug)]
struct CancellableTcpTransport {
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    /// The timeouts last set on the socket, so a syscall is made only when one changes.
    read_timeout: Option<std::time::Duration>,
    write_timeout: Option<std::time::Duration>,
}

/// The socket timeout a ureq timeout asks for: none, or at least 1 ms
/// (a zero timeout means "no timeout" to the socket, so a spent budget is
/// an error before any I/O, as ureq does).
fn socket_timeout(timeout: &NextTimeout) -> Result<Option<std::time::Duration>, ureq::Error> {
    match timeout.after {
        UreqDuration::NotHappening => Ok(None),
        UreqDuration::Exact(d) if d.is_zero() => Err(ureq::Error::Timeout(timeout.reason)),
        UreqDuration::Exact(d) => Ok(Some(d)),
    }
}

fn timed_out(e: io::Error, timeout: &NextTimeout) -> ureq::Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ureq::Error::Timeout(timeout.reason),
        _ => ureq::Error::Io(e),
    }
}

impl Transport for CancellableTcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let wanted = socket_timeout(&timeout)?;
        if wanted != self.write_timeout {
            self.stream.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        let output = &self.buffers.output()[..amount];
        (&*self.stream).write_all(output).map_err(|e| timed_out(e, &timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let wanted = socket_timeout(&timeout)?;
        if wanted != self.read_timeout {
            self.stream.set_read_timeout(wanted)?;
            self.read_timeout = wanted;
        }
        let started = Instant::now();
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&*self.stream).read(input) {
                // Linux does not restart a socket read with a timeout after
                // a signal; without a timeout the interruption is the caller's.
                Err(e) if e.kind() == io::ErrorKind::Interrupted && wanted.is_some() => {
                    let left = wanted.unwrap_or_default().saturating_sub(started.elapsed());
                    if left.is_zero() {
                        return Err(ureq::Error::Timeout(timeout.reason));
                    }
                    self.stream.set_read_timeout(Some(left))?;
                    self.read_timeout = Some(left);
                }
                result => break result.map_err(|e| timed_out(e, &timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Readable now means the peer closed or sent what we did not ask
        // for: either way the connection is not reused.
        let probe = || -> io::Result<bool> {
            self.stream.set_nonblocking(true)?;
            let open = matches!((&*self.stream).read(&mut [0u8]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
            self.stream.set_nonblocking(false)?;
            Ok(open)
        };
        probe().unwrap_or(false)
    }
}

enum ConnectFailure {
    Cancelled,
    TimedOut,
    Io(io::Error),
}

/// A non-blocking connect, polled until it completes, `deadline` passes
/// or `token` is cancelled (looked at every [`POLL_SLICE`]).
fn connect(addr: SocketAddr, deadline: Option<Instant>, token: Option<&CancelToken>) -> Result<TcpStream, ConnectFailure> {
    use socket2::{Domain, Protocol, Socket, Type};
    use std::os::fd::AsRawFd as _;

    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).map_err(ConnectFailure::Io)?;
    socket.set_nonblocking(true).map_err(ConnectFailure::Io)?;
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) || e.kind() == io::ErrorKind::WouldBlock => loop {
            if token.is_some_and(CancelToken::is_cancelled) {
                return Err(ConnectFailure::Cancelled);
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if left.is_some_and(|l| l.is_zero()) {
                return Err(ConnectFailure::TimedOut);
            }
            let wait = match (left, token) {
                (Some(left), Some(_)) => left.min(POLL_SLICE),
                (None, Some(_)) => POLL_SLICE,
                (Some(left), None) => left,
                (None, None) => std::time::Duration::from_secs(3600),
            };
            let mut fd = libc::pollfd { fd: socket.as_raw_fd(), events: libc::POLLOUT, revents: 0 };
            let millis = wait.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
            // SAFETY: `fd` is one valid pollfd for the length of the call.
            let ready = unsafe { libc::poll(&mut fd, 1, millis) };
            if ready > 0 {
                break;
            }
            if ready < 0 {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(ConnectFailure::Io(e));
                }
            }
        },
        Err(e) => return Err(ConnectFailure::Io(e)),
    }
    if let Some(e) = socket.take_error().map_err(ConnectFailure::Io)? {
        return Err(ConnectFailure::Io(e));
    }
    socket.set_nonblocking(false).map_err(ConnectFailure::Io)?;
    Ok(socket.into())
}

/// Resolves on a helper thread when the call carries a token, so that a
/// cancel need not wait out a slow DNS answer (the thread finishes on its
/// own; its answer is dropped). IP literals and calls without a token
/// resolve in place. ureq resolves before every request, pooled connection
/// or not, so only a resolver that really looks names up is wrapped in this
/// (`connect_to`'s is not).
#[derive(Debug)]
pub(crate) struct CancellableResolver<R>(pub(crate) Arc<R>);

impl<R: Resolver> Resolver for CancellableResolver<R> {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let literal = uri.host().is_some_and(|h| h.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok());
        let token = match current() {
            Some(scope) if !literal => scope.token,
            _ => return self.0.resolve(uri, config, timeout),
        };
        // A mutex and a condition variable, not a channel: see `pages::Answer`.
        let slot = Arc::new((Mutex::new(None), std::sync::Condvar::new()));
        let (resolver, uri, config, answer) = (Arc::clone(&self.0), uri.clone(), config.clone(), Arc::clone(&slot));
        std::thread::Builder::new()
            .name("cloud-infinite-resolve".into())
            .spawn(move || {
                // An answer is always set, so the waiter below cannot wait forever.
                let addrs = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| resolver.resolve(&uri, &config, timeout)))
                    .unwrap_or(Err(ureq::Error::HostNotFound));
                *answer.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(addrs);
                answer.1.notify_one();
            })
            .map_err(ureq::Error::Io)?;
        let mut addrs = slot.0.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if token.is_cancelled() {
                return Err(cancelled());
            }
            if let Some(addrs) = addrs.take() {
                return addrs;
            }
            addrs = slot.1.wait_timeout(addrs, POLL_SLICE).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    fn empty(&self) -> ResolvedSocketAddrs {
        self.0.empty()
    }
}
