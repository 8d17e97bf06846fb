//! `ci-emulator`: a local Tencent Cloud Infinite that serves every describe
//! call of [`cloud_infinite::OPERATIONS`] on loopback from that table, checks
//! signatures as the service does, and injects faults on demand; beside it,
//! the CVM metadata service's role endpoints and STS
//! `AssumeRoleWithWebIdentity`, issuing temporary credentials that expire.
//! See README.md beside this file.

#![deny(clippy::undocumented_unsafe_blocks)]

mod answer;
mod auth;
mod body;
mod builtin;
mod connections;
mod control;
mod credential_http;
mod dates;
mod expiry;
mod faults;
mod fixture;
mod issued;
mod metadata;
mod query;
mod routes;
mod server;
mod stalled;
mod state;
mod sts;
mod xml;

use std::io::{Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

use crate::builtin::default_fixture;
use crate::fixture::Fixture;
use crate::issued::{DEFAULT_LIFETIME_SECS, MAX_LIFETIME_SECS};
use crate::state::{CredentialOptions, State};
use crate::sts::StsConfig;

/// Printed for `--help` and after a usage error.
const USAGE: &str = "\
usage: ci-emulator [--listen ADDR] [--fixture FILE.json] [--dump-fixture]
                   [--clock-offset SECS] [--workers N] [--exit-on-stdin-eof]
                   [--allow-non-loopback] [--verbose]
                   [--tls-cert CERT.pem --tls-key KEY.pem]
                   [--credential-lifetime-secs N] [--metadata-role NAME]... [--no-metadata-role]
                   [--web-identity-token TOKEN] [--oidc-provider-id ID] [--oidc-role-arn ARN]
                   [--latency-ms N] [--stalled-listener]

  --listen ADDR          address to listen on (default 127.0.0.1:0: a free port)
  --fixture FILE         serve this fixture instead of the built-in one
  --dump-fixture         print the effective fixture as JSON and exit
  --clock-offset SECS    the emulator's clock = real time + SECS (may be negative)
  --workers N            runtime worker threads (default: available cores)
  --exit-on-stdin-eof    exit when standard input reaches end of file
  --allow-non-loopback   allow --listen on an address other than loopback
  --tls-cert FILE        serve HTTPS with this PEM certificate chain (with --tls-key)
  --tls-key FILE         the PEM private key of --tls-cert
  --verbose              log one line per API request to stderr
  --credential-lifetime-secs N
                         issued temporary credentials last N seconds (default 7200)
  --metadata-role NAME   a CAM role the metadata service lists (repeatable;
                         default: one role, emulator-role)
  --no-metadata-role     the metadata service has no role bound (404)
  --web-identity-token T the only web identity token STS accepts
  --oidc-provider-id ID  the only ProviderId STS accepts
  --oidc-role-arn ARN    the only RoleArn STS accepts
  --latency-ms N         wait N ms (0 to 60000, default 0) before answering each
                         API request (not control, metadata or STS requests)
  --stalled-listener     also bind a listener on 127.0.0.1 that never accepts, its
                         queue kept full so a connect to it hangs (its address:
                         GET /__emulator/stalled-listener)

On start it prints one line, `ci-emulator listening on http://HOST:PORT`
(https:// with --tls-cert).";

/// The command line, parsed.
struct Options {
    listen: String,
    fixture: Option<String>,
    dump_fixture: bool,
    clock_offset: i64,
    workers: Option<usize>,
    exit_on_stdin_eof: bool,
    allow_non_loopback: bool,
    verbose: bool,
    help: bool,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    lifetime_secs: u64,
    roles: Option<Vec<String>>,
    no_role: bool,
    sts: StsConfig,
    latency_ms: u64,
    stalled_listener: bool,
}

/// The largest `--latency-ms`.
const MAX_LATENCY_MS: u64 = 60_000;

impl Options {
    /// The credential services' setup the command line asks for.
    fn credentials(&self) -> CredentialOptions {
        let roles = match (&self.roles, self.no_role) {
            (_, true) => Vec::new(),
            (Some(roles), false) => roles.clone(),
            (None, false) => vec![metadata::DEFAULT_ROLE.to_owned()],
        };
        CredentialOptions { lifetime_secs: self.lifetime_secs, roles, sts: self.sts.clone() }
    }
}

/// Parses `--flag value` and `--flag=value` forms; says what is wrong otherwise.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        listen: "127.0.0.1:0".into(),
        fixture: None,
        dump_fixture: false,
        clock_offset: 0,
        workers: None,
        exit_on_stdin_eof: false,
        allow_non_loopback: false,
        verbose: false,
        help: false,
        tls_cert: None,
        tls_key: None,
        lifetime_secs: DEFAULT_LIFETIME_SECS,
        roles: None,
        no_role: false,
        sts: StsConfig::default(),
        latency_ms: 0,
        stalled_listener: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--listen" => o.listen = value("--listen")?,
            "--fixture" => o.fixture = Some(value("--fixture")?),
            "--tls-cert" => o.tls_cert = Some(value("--tls-cert")?),
            "--tls-key" => o.tls_key = Some(value("--tls-key")?),
            "--credential-lifetime-secs" => {
                let v = value("--credential-lifetime-secs")?;
                match v.parse::<u64>() {
                    Ok(n) if n <= MAX_LIFETIME_SECS => o.lifetime_secs = n,
                    _ => return Err(format!("--credential-lifetime-secs takes whole seconds from 0 to {MAX_LIFETIME_SECS}, got {v:?}")),
                }
            }
            "--metadata-role" => {
                let role = value("--metadata-role")?;
                metadata::valid_role(&role).map_err(|e| format!("--metadata-role: {e}"))?;
                o.roles.get_or_insert_with(Vec::new).push(role);
            }
            "--web-identity-token" => o.sts.web_identity_token = non_empty("--web-identity-token", value("--web-identity-token")?)?,
            "--oidc-provider-id" => o.sts.provider_id = non_empty("--oidc-provider-id", value("--oidc-provider-id")?)?,
            "--oidc-role-arn" => o.sts.role_arn = non_empty("--oidc-role-arn", value("--oidc-role-arn")?)?,
            "--clock-offset" => {
                let v = value("--clock-offset")?;
                o.clock_offset = v.parse().map_err(|_| format!("--clock-offset takes whole seconds, got {v:?}"))?;
            }
            "--latency-ms" => {
                let v = value("--latency-ms")?;
                match v.parse::<u64>() {
                    Ok(n) if n <= MAX_LATENCY_MS => o.latency_ms = n,
                    _ => return Err(format!("--latency-ms takes whole milliseconds from 0 to {MAX_LATENCY_MS}, got {v:?}")),
                }
            }
            "--workers" => {
                let v = value("--workers")?;
                match v.parse::<usize>() {
                    Ok(n) if (1..=1024).contains(&n) => o.workers = Some(n),
                    _ => return Err(format!("--workers takes a number from 1 to 1024, got {v:?}")),
                }
            }
            "--dump-fixture" | "--exit-on-stdin-eof" | "--allow-non-loopback" | "--verbose" | "--help" | "-h"
            | "--no-metadata-role" | "--stalled-listener"
                if inline.is_some() =>
            {
                return Err(format!("{flag} takes no value"));
            }
            "--dump-fixture" => o.dump_fixture = true,
            "--exit-on-stdin-eof" => o.exit_on_stdin_eof = true,
            "--allow-non-loopback" => o.allow_non_loopback = true,
            "--verbose" => o.verbose = true,
            "--no-metadata-role" => o.no_role = true,
            "--stalled-listener" => o.stalled_listener = true,
            "--help" | "-h" => o.help = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if o.tls_cert.is_some() != o.tls_key.is_some() {
        return Err("--tls-cert and --tls-key go together".into());
    }
    if o.no_role && o.roles.is_some() {
        return Err("--no-metadata-role and --metadata-role contradict each other".into());
    }
    Ok(o)
}

/// A flag's value that must not be empty.
fn non_empty(flag: &str, value: String) -> Result<String, String> {
    if value.is_empty() {
        return Err(format!("{flag} must not be empty"));
    }
    Ok(value)
}

/// A TLS acceptor for the given PEM certificate chain and key (ring, TLS 1.2 and 1.3).
fn tls_acceptor(cert: &str, key: &str) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("--tls-cert {cert}: {e}"))?;
    if chain.is_empty() {
        return Err(format!("--tls-cert {cert}: no certificate in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("--tls-key {key}: {e}"))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| format!("TLS setup: {e}"))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Resolves `--listen`, preferring IPv4, and refuses non-loopback addresses
/// unless allowed: an emulator with test keys must not be reachable from outside.
fn listen_address(spec: &str, allow_non_loopback: bool) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = match spec.parse::<SocketAddr>() {
        Ok(addr) => vec![addr],
        Err(_) => spec.to_socket_addrs().map_err(|e| format!("cannot resolve --listen {spec:?}: {e}"))?.collect(),
    };
    let addr = addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| format!("--listen {spec:?} resolves to no address"))?;
    if !addr.ip().is_loopback() && !allow_non_loopback {
        return Err(format!(
            "refusing to listen on {addr}: it is not a loopback address (pass --allow-non-loopback to do it anyway)"
        ));
    }
    Ok(addr)
}

/// Parses the command line, loads the fixture, and serves until told to stop.
fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("ci-emulator: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if opts.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let fixture = match &opts.fixture {
        Some(path) => Fixture::load(path),
        None => Fixture::new(default_fixture()),
    };
    let fixture = match fixture {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("ci-emulator: {msg}");
            return ExitCode::from(2);
        }
    };
    if opts.dump_fixture {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", fixture.json).and_then(|()| out.flush());
        return ExitCode::SUCCESS;
    }
    let addr = match listen_address(&opts.listen, opts.allow_non_loopback) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("ci-emulator: {msg}");
            return ExitCode::from(2);
        }
    };

    let workers = opts.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ci-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tls = match (&opts.tls_cert, &opts.tls_key) {
        (Some(cert), Some(key)) => match tls_acceptor(cert, key) {
            Ok(acceptor) => Some(acceptor),
            Err(msg) => {
                eprintln!("ci-emulator: {msg}");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let mut state = State::new(fixture, opts.clock_offset, opts.verbose, opts.credentials());
    state.latency = Duration::from_millis(opts.latency_ms);
    let state = Arc::new(state);
    let code = runtime.block_on(run(state, addr, opts.exit_on_stdin_eof, opts.stalled_listener, tls));
    // Open keep-alive connections are simply dropped.
    runtime.shutdown_timeout(Duration::from_millis(200));
    code
}

/// Resolves when standard input reaches EOF (read on a plain thread: a
/// blocked read must not hold up the runtime's shutdown).
fn stdin_eof() -> tokio::sync::oneshot::Receiver<()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name("stdin-watch".into()).spawn(move || {
        let mut sink = [0u8; 4096];
        let mut stdin = std::io::stdin().lock();
        loop {
            match stdin.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(());
    });
    if let Err(e) = spawned {
        eprintln!("ci-emulator: cannot watch stdin ({e}); --exit-on-stdin-eof is ignored");
    }
    rx
}

/// Binds, announces the port, and serves until a signal (or stdin EOF).
async fn run(
    state: Arc<State>,
    addr: SocketAddr,
    exit_on_stdin_eof: bool,
    stalled_listener: bool,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> ExitCode {
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ci-emulator: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Held until the emulator exits: dropping them would free the queue.
    let _stalled = if stalled_listener {
        match stalled::Stalled::bind().await {
            Ok(s) => {
                let _ = state.stalled_listener.set(s.addr.to_string());
                Some(s)
            }
            Err(e) => {
                eprintln!("ci-emulator: cannot set up --stalled-listener: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("ci-emulator: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    {
        let mut out = std::io::stdout().lock();
        let scheme = if tls.is_some() { "https" } else { "http" };
        if writeln!(out, "ci-emulator listening on {scheme}://{local}").and_then(|()| out.flush()).is_err() {
            eprintln!("ci-emulator: cannot write to stdout");
        }
    }
    let eof = async {
        if exit_on_stdin_eof {
            let _ = stdin_eof().await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(eof);

    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tokio::spawn(server::serve(state.clone(), stream, Some(peer), tls.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    eprintln!("ci-emulator: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            _ = term.recv() => break,
            _ = int.recv() => break,
            () = &mut eof => break,
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        parse_args(args.iter().map(|a| (*a).to_owned()))
    }

    fn refusal(args: &[&str]) -> String {
        parse(args).err().unwrap_or_else(|| panic!("{args:?} was accepted"))
    }

    #[test]
    fn latency_and_stalled_listener_options() {
        let o = parse(&[]).unwrap();
        assert_eq!((o.latency_ms, o.stalled_listener), (0, false));
        let o = parse(&["--latency-ms", "50", "--stalled-listener"]).unwrap();
        assert_eq!((o.latency_ms, o.stalled_listener), (50, true));
        assert_eq!(parse(&["--latency-ms=60000"]).unwrap().latency_ms, 60_000);
        for bad in ["60001", "-1", "1.5", ""] {
            assert!(refusal(&["--latency-ms", bad]).contains("--latency-ms"), "{bad:?}");
        }
        assert!(parse(&["--latency-ms"]).is_err());
        assert!(refusal(&["--stalled-listener=1"]).contains("takes no value"));
    }
}
