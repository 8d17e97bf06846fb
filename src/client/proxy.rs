//! Which proxy a request goes through: proxy URLs parsed strictly, the
//! environment's variables resolved as curl resolves them, and `NO_PROXY`.
//!
//! Everything here fails closed. A proxy the user asked for, by option or
//! by variable, is either used or refused with an error at construction:
//! never skipped (the call would go direct), never "repaired" (a bad port
//! silently becoming 80 would hand the proxy credentials to another
//! service).

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use super::Scheme;
use crate::error::{sanitize, Error, Result};

/// Which proxy to use.
///
/// `Debug` never shows a password (or anything else before the `@` of a
/// proxy URL).
#[derive(Clone, PartialEq, Eq, Default)]
pub enum ProxyConfig {
    /// The environment's, as curl reads it. For HTTPS calls `https_proxy`,
    /// then `HTTPS_PROXY`, then `all_proxy`, then `ALL_PROXY`; for plain
    /// HTTP calls `http_proxy`, `HTTP_PROXY`, `all_proxy`, `ALL_PROXY`,
    /// except that under CGI (`REQUEST_METHOD` set) the two `http_proxy`
    /// variables are ignored, since a request's `Proxy:` header reaches a
    /// CGI program as `HTTP_PROXY` ("httpoxy"). The first variable that is
    /// set and non-empty is the one used; a value that cannot be used is an
    /// error naming it, never a reason to try the next one. `no_proxy` (or
    /// `NO_PROXY`) lists hosts reached directly; see [`ProxyConfig::Url`]
    /// for what a value may be.
    #[default]
    FromEnvironment,
    /// Connect directly.
    Disabled,
    /// This proxy, always (`NO_PROXY` does not apply): `http://host:3128`,
    /// `https://...`, `socks5://...` (the target's name resolved here),
    /// `socks5h://...` (resolved by the proxy), `socks4://`, `socks4a://`;
    /// with no scheme, `http`. `user:password@` may precede the host
    /// (percent-encoded); the port defaults to 80, 443 or 1080 by scheme.
    Url(String),
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyConfig::FromEnvironment => f.write_str("FromEnvironment"),
            ProxyConfig::Disabled => f.write_str("Disabled"),
            ProxyConfig::Url(url) => f.debug_tuple("Url").field(&redact(url)).finish(),
        }
    }
}

/// The longest value quoted back in an error; enough to recognise it.
const SHOWN_VALUE_BYTES: usize = 200;

/// `raw` with everything before the last `@` of its authority replaced by
/// `***`: user names are often tokens too, and a malformed value cannot
/// be trusted to say where its password ends.
pub(crate) fn redact(raw: &str) -> String {
    // Kept only when the value starts with a real scheme: anything else
    // before the '@' (a "://" further in included) may be user information.
    let scheme_len = match raw.find("://") {
        Some(i) if i > 0 && raw.as_bytes()[0].is_ascii_alphabetic() && raw[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) => i + 3,
        _ => 0,
    };
    match raw.rfind('@') {
        Some(at) if at >= scheme_len => format!("{}***{}", &raw[..scheme_len], &raw[at..]),
        _ => raw.to_owned(),
    }
}

/// `raw`, redacted, escaped and bounded, in quotes: for error messages.
fn quoted(raw: &str) -> String {
    format!("\"{}\"", sanitize(&redact(raw), SHOWN_VALUE_BYTES))
}

/// A proxy URL, checked.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ProxyUrl {
    protocol: ureq::ProxyProtocol,
    /// A name, an IPv4 address, or an IPv6 address in brackets.
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<String>,
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

impl ProxyUrl {
    /// Parses `raw`; `source` names where it came from (`proxy` or a
    /// variable) in the error.
    pub(crate) fn parse(raw: &str, source: &str) -> Result<ProxyUrl> {
        let bad = |why: String| {
            Error::invalid_argument(format!(
                "{source} {}: {why}; a proxy URL is like \"http://proxy.internal:3128\" or \"socks5h://user:password@proxy:1080\"",
                quoted(raw)
            ))
        };
        if let Some(c) = raw.chars().find(|c| !c.is_ascii_graphic()) {
            let what = if c == ' ' { "a space".to_owned() } else { format!("the character {}", sanitize(&format!("{c:?}"), 16)) };
            return Err(bad(format!("holds {what} (a trailing space or newline, perhaps)")));
        }
        let (protocol, rest) = match raw.split_once("://") {
            None => (ureq::ProxyProtocol::Http, raw),
            Some((scheme, rest)) => (
                match scheme.to_ascii_lowercase().as_str() {
                    "http" => ureq::ProxyProtocol::Http,
                    "https" => ureq::ProxyProtocol::Https,
                    "socks4" => ureq::ProxyProtocol::Socks4,
                    "socks4a" => ureq::ProxyProtocol::Socks4A,
                    "socks5" | "socks" => ureq::ProxyProtocol::Socks5,
                    "socks5h" => ureq::ProxyProtocol::Socks5h,
                    // Quoted only when it looks like a scheme: text before a
                    // later "://" may hold the user information.
                    _ if scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) => {
                        return Err(bad(format!("the scheme {:?} is not one of http, https, socks4, socks4a, socks5, socks5h", sanitize(scheme, 32))))
                    }
                    _ => return Err(bad("has no scheme this client knows (http, https, socks4, socks4a, socks5, socks5h) before its \"://\"".into())),
                },
                rest,
            ),
        };
        // The password may hold '/' or '?' unescaped: the host starts after the last '@'.
        let (userinfo, after_user) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (host_port, tail) = match after_user.find(['/', '?', '#']) {
            Some(i) => after_user.split_at(i),
            None => (after_user, ""),
        };
        if !tail.is_empty() && tail != "/" {
            return Err(bad("has a path, query or fragment after the host; give only scheme, host and port".into()));
        }
        let (host, port) = split_host_port(host_port).map_err(bad)?;
        let port = match port {
            Some(port) => port,
            None => match protocol {
                ureq::ProxyProtocol::Http => 80,
                ureq::ProxyProtocol::Https => 443,
                _ => 1080,
            },
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, pass) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let decode = |s: &str, what: &str| percent_decode_strict(s).ok_or_else(|| bad(format!("the {what} is not valid percent-encoded UTF-8")));
                (Some(decode(user, "user name")?), pass.map(|p| decode(p, "password")).transpose()?)
            }
        };
        match protocol {
            ureq::ProxyProtocol::Socks4 | ureq::ProxyProtocol::Socks4A if username.is_some() => {
                return Err(bad("SOCKS4 cannot carry a user name or password (use socks5 or socks5h)".into()));
            }
            ureq::ProxyProtocol::Socks5 | ureq::ProxyProtocol::Socks5h if username.is_some() => {
                // RFC 1929: each is one length byte then the bytes, and neither may be empty.
                let fits = |s: &Option<String>| s.as_ref().is_some_and(|s| (1..=255).contains(&s.len()));
                if !fits(&username) || !fits(&password) {
                    return Err(bad("SOCKS5 needs both a user name and a password of 1 to 255 bytes".into()));
                }
            }
            _ => {}
        }
        Ok(ProxyUrl { protocol, host, port, username, password })
    }

    /// `host:port`, which is what messages name.
    pub(crate) fn endpoint(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The URL with no credentials, for `Debug` and messages.
    pub(crate) fn shown(&self) -> String {
        let scheme = match self.protocol {
            ureq::ProxyProtocol::Http => "http",
            ureq::ProxyProtocol::Https => "https",
            ureq::ProxyProtocol::Socks4 => "socks4",
            ureq::ProxyProtocol::Socks4A => "socks4a",
            ureq::ProxyProtocol::Socks5 => "socks5",
            _ => "socks5h",
        };
        let creds = if self.username.is_some() { "***@" } else { "" };
        format!("{scheme}://{creds}{}", self.endpoint())
    }

    fn to_ureq(&self, source: &str) -> Result<ureq::Proxy> {
        let mut b = ureq::Proxy::builder(self.protocol).host(&self.host).port(self.port);
        if let Some(user) = &self.username {
            b = b.username(user);
        }
        if let Some(password) = &self.password {
            b = b.password(password);
        }
        b.build().map_err(|_| Error::invalid_argument(format!("{source} {}: not usable as a proxy", self.shown())))
    }
}

/// Splits `host[:port]` or `[v6][:port]`; a port, when there is a colon,
/// must be a number from 1 to 65535.
fn split_host_port(s: &str) -> std::result::Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(v6) = s.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("has an IPv6 address with no closing ']'")?;
        addr.parse::<Ipv6Addr>().map_err(|_| format!("[{}] is not an IPv6 address", sanitize(addr, 64)))?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or("has something other than :port after the IPv6 address")?),
        };
        (format!("[{addr}]"), port)
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (s.to_owned(), None),
        }
    };
    let name_ok = |h: &str| {
        !h.is_empty() && h.len() <= 253 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_') && !h.starts_with(['.', '-'])
    };
    if !host.starts_with('[') && !name_ok(&host) {
        return Err(if host.is_empty() { "has no host".to_owned() } else { format!("the host {:?} is not a host name or IP address", sanitize(&host, 64)) });
    }
    let port = port.map(parse_port).transpose()?;
    Ok((host, port))
}

/// A port: 1 to 5 digits, 1 to 65535. Never a default in place of a bad one.
fn parse_port(p: &str) -> std::result::Result<u16, String> {
    let shown = sanitize(p, 16);
    if p.is_empty() {
        return Err("has a ':' but no port after it".into());
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 5 {
        return Err(format!("the port \"{shown}\" is not a number"));
    }
    match p.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err(format!("the port {shown} is not between 1 and 65535")),
    }
}

/// `%XX` decoded; `None` for a stray `%` or a result that is not UTF-8.
fn percent_decode_strict(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One entry of `NO_PROXY`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NoProxyEntry {
    /// `*`.
    All,
    /// `example.com`, `.example.com` or `*.example.com`: the domain and
    /// every name under it, as curl and Go match (a bare name matching its
    /// subdomains too).
    Domain { name: String, port: Option<u16> },
    /// An address, or a network in CIDR form (`10.0.0.0/8`).
    Ip { net: IpAddr, prefix: u8, port: Option<u16> },
}

/// The hosts reached directly: `no_proxy` or `NO_PROXY`, comma-separated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct NoProxy {
    entries: Vec<NoProxyEntry>,
}

impl NoProxy {
    /// Parses a `NO_PROXY` value; an entry that is neither a name, an
    /// address nor a network (each with an optional `:port`) is an error
    /// naming `var`, so that a typo does not send traffic meant to stay
    /// inside through a proxy, or the other way round, unnoticed.
    pub(crate) fn parse(raw: &str, var: &str) -> Result<NoProxy> {
        let mut entries = Vec::new();
        for entry in raw.split(',').map(|e| e.trim_matches([' ', '\t'])).filter(|e| !e.is_empty()) {
            let bad = |why: String| Error::invalid_argument(format!("{var}: the entry \"{}\" {why}; entries are host names, .domains, IP addresses or CIDR networks, each with an optional :port, or *", sanitize(entry, 100)));
            if entry == "*" {
                entries.push(NoProxyEntry::All);
                continue;
            }
            let (host, port) = match split_no_proxy_port(entry) {
                Some((h, p)) => (h, Some(parse_port(p).map_err(bad)?)),
                None => (entry, None),
            };
            let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
            let (addr, prefix) = match host.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (host, None),
            };
            if let Ok(net) = addr.parse::<IpAddr>() {
                let max = if net.is_ipv4() { 32 } else { 128 };
                let prefix = match prefix {
                    None => max,
                    Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| bad(format!("has a prefix length that is not 0 to {max}")))?,
                };
                entries.push(NoProxyEntry::Ip { net, prefix, port });
                continue;
            }
            let name = host.strip_prefix("*.").or_else(|| host.strip_prefix('.')).unwrap_or(host).trim_end_matches('.').to_ascii_lowercase();
            let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
            if !valid {
                return Err(bad("is not a host name, address or network".into()));
            }
            entries.push(NoProxyEntry::Domain { name, port });
        }
        Ok(NoProxy { entries })
    }

    /// Whether `host` (a name or an address, IPv6 with or without
    /// brackets) on `port` is to be reached directly.
    pub(crate) fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host).trim_end_matches('.').to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|entry| match entry {
            NoProxyEntry::All => true,
            NoProxyEntry::Domain { name, port: p } => {
                port_matches(*p, port)
                    && (host == *name || (host.len() > name.len() && host.ends_with(name.as_str()) && host.as_bytes()[host.len() - name.len() - 1] == b'.'))
            }
            NoProxyEntry::Ip { net, prefix, port: p } => port_matches(*p, port) && ip.is_some_and(|ip| in_network(ip, *net, *prefix)),
        })
    }
}

/// The `:port` of a `NO_PROXY` entry, if it has one: `host:port` and
/// `[v6]:port` do; a bare IPv6 address's colons are not a port.
fn split_no_proxy_port(entry: &str) -> Option<(&str, &str)> {
    if entry.starts_with('[') {
        let close = entry.find(']')?;
        return entry[close + 1..].strip_prefix(':').map(|p| (&entry[..=close], p));
    }
    match entry.matches(':').count() {
        1 => entry.split_once(':'),
        _ => None,
    }
}

fn port_matches(entry: Option<u16>, port: u16) -> bool {
    entry.is_none() || entry == Some(port)
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - prefix as u32).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - prefix as u32).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// The proxy a client's requests go through, and the hosts that skip it.
#[derive(Clone)]
pub(crate) struct ProxyRoute {
    pub(crate) proxy: ureq::Proxy,
    /// `host:port` of the proxy, for messages.
    pub(crate) endpoint: String,
    /// The URL without credentials, for `Debug`.
    pub(crate) shown: String,
    /// `proxy` (the option) or the variable it came from.
    pub(crate) source: &'static str,
    no_proxy: NoProxy,
}

impl fmt::Debug for ProxyRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.shown, self.source)
    }
}

impl ProxyRoute {
    /// Whether a request to `host` (as the Host header has it, `name[:port]`)
    /// goes through the proxy.
    pub(crate) fn applies_to(&self, host: &str, scheme: Scheme) -> bool {
        let default_port = match scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
        };
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) if !name.contains(':') || name.ends_with(']') => (name, port.parse().unwrap_or(default_port)),
            _ => (host, default_port),
        };
        !self.no_proxy.matches(name, port)
    }
}

/// The proxy for a client calling with `scheme`, from `config` and, for
/// [`ProxyConfig::FromEnvironment`], the variables `env` returns (empty
/// counts as unset).
pub(crate) fn resolve(config: &ProxyConfig, scheme: Scheme, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<ProxyRoute>> {
    let route = |url: ProxyUrl, source: &'static str, no_proxy: NoProxy| -> Result<ProxyRoute> {
        Ok(ProxyRoute { proxy: url.to_ureq(source)?, endpoint: url.endpoint(), shown: url.shown(), source, no_proxy })
    };
    match config {
        ProxyConfig::Disabled => Ok(None),
        ProxyConfig::Url(raw) => Ok(Some(route(ProxyUrl::parse(raw, "proxy")?, "proxy", NoProxy::default())?)),
        ProxyConfig::FromEnvironment => {
            let get = |name: &str| env(name).filter(|v| !v.is_empty());
            let cgi = get("REQUEST_METHOD").is_some();
            let candidates: [&'static str; 4] = match scheme {
                Scheme::Https => ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
                Scheme::Http => ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"],
            };
            for var in candidates {
                let Some(value) = get(var) else { continue };
                if cgi && var.eq_ignore_ascii_case("http_proxy") {
                    log::warn!("ignoring {var}: REQUEST_METHOD is set, so this may be a CGI request's Proxy header (httpoxy)");
                    continue;
                }
                let url = ProxyUrl::parse(&value, var)?;
                let no_proxy = match get("no_proxy").map(|v| (v, "no_proxy")).or_else(|| get("NO_PROXY").map(|v| (v, "NO_PROXY"))) {
                    Some((v, name)) => NoProxy::parse(&v, name)?,
                    None => NoProxy::default(),
                };
                return Ok(Some(route(url, var, no_proxy)?));
            }
            Ok(None)
        }
    }
}

/// The process environment as [`resolve`] reads it; a value that is not
/// UTF-8 is kept (lossily), so that it is refused rather than skipped.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::collections::HashMap;

    fn env_of<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        move |name| map.get(name).map(|v| v.to_string())
    }

    fn from_env(scheme: Scheme, pairs: &[(&str, &str)]) -> Result<Option<ProxyRoute>> {
        resolve(&ProxyConfig::FromEnvironment, scheme, &env_of(pairs))
    }

    #[test]
    fn proxy_urls_parse_strictly() {
        let ok = |raw: &str, shown: &str| assert_eq!(ProxyUrl::parse(raw, "proxy").unwrap().shown(), shown, "{raw}");
        ok("http://proxy:3128", "http://proxy:3128");
        ok("proxy.internal:3128", "http://proxy.internal:3128");
        ok("http://proxy", "http://proxy:80");
        ok("https://proxy/", "https://proxy:443");
        ok("socks5h://u:p@proxy", "socks5h://***@proxy:1080");
        ok("SOCKS5://[::1]:1080", "socks5://[::1]:1080");
        ok("http://u:p@ss/w?rd@10.0.0.1:8080", "http://***@10.0.0.1:8080");
        for (raw, needle) in [
            ("http://proxy:notaport", "not a number"),
            ("http://proxy:99999", "between 1 and 65535"),
            ("http://proxy:0", "between 1 and 65535"),
            ("http://proxy:", "no port"),
            ("http://proxy:+80", "not a number"),
            ("http://proxy:3128 ", "a space"),
            ("http://pro\u{1b}xy:3128", "\\u{1b}"),
            ("ftp://proxy:21", "scheme"),
            ("http://:3128", "no host"),
            ("http://proxy:3128/path", "path"),
            ("http://[::1:3128", "']'"),
            ("socks4://u:p@proxy", "SOCKS4"),
            ("socks5://user@proxy", "SOCKS5 needs"),
            ("http://u:%zz@proxy", "percent-encoded"),
            ("::nonsense", "no host"),
        ] {
            let e = ProxyUrl::parse(raw, "HTTPS_PROXY").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().starts_with("HTTPS_PROXY "), "{}", e.message());
            assert!(e.message().contains(needle), "{raw}: {}", e.message());
        }
    }

    #[test]
    fn a_password_is_never_shown() {
        for raw in ["u:hunter2@p://x", "http:/u:hunter2@x://y", "http://user:hunter2@proxy:99999", "http://user:hunter2@proxy:3128 ", "socks4://user:hunter2@proxy", "ftp://tok:hunter2@x", "http://hunter2@:1"] {
            let e = ProxyUrl::parse(raw, "proxy").unwrap_err();
            assert!(!e.message().contains("hunter2"), "{}", e.message());
            assert!(!format!("{:?}", ProxyConfig::Url(raw.into())).contains("hunter2"));
        }
        let route = resolve(&ProxyConfig::Url("http://user:hunter2@proxy:3128".into()), Scheme::Https, &|_| None).unwrap().unwrap();
        assert!(!format!("{route:?}").contains("hunter2"));
        assert_eq!(route.endpoint, "proxy:3128");
    }

    #[test]
    fn the_environment_is_read_as_curl_reads_it() {
        let used = |scheme, pairs: &[(&str, &str)]| from_env(scheme, pairs).unwrap().map(|r| (r.source, r.endpoint));
        assert_eq!(used(Scheme::Https, &[]), None);
        assert_eq!(used(Scheme::Https, &[("HTTPS_PROXY", "p:1"), ("ALL_PROXY", "q:2")]), Some(("HTTPS_PROXY", "p:1".into())));
        assert_eq!(used(Scheme::Https, &[("https_proxy", "l:1"), ("HTTPS_PROXY", "u:2")]), Some(("https_proxy", "l:1".into())));
        assert_eq!(used(Scheme::Https, &[("HTTP_PROXY", "h:1"), ("ALL_PROXY", "a:2")]), Some(("ALL_PROXY", "a:2".into())));
        assert_eq!(used(Scheme::Https, &[("HTTPS_PROXY", ""), ("all_proxy", "a:2")]), Some(("all_proxy", "a:2".into())), "empty is unset");
        // An unusable ALL_PROXY is never consulted while HTTPS_PROXY is set.
        assert_eq!(used(Scheme::Https, &[("HTTPS_PROXY", "p:1"), ("ALL_PROXY", "socks9://garbage ")]), Some(("HTTPS_PROXY", "p:1".into())));
        assert_eq!(used(Scheme::Http, &[("http_proxy", "h:1")]), Some(("http_proxy", "h:1".into())));
        assert_eq!(used(Scheme::Http, &[("HTTP_PROXY", "h:1")]), Some(("HTTP_PROXY", "h:1".into())));
        // httpoxy: under CGI neither http_proxy is honoured; ALL_PROXY still is.
        assert_eq!(used(Scheme::Http, &[("HTTP_PROXY", "evil:1"), ("REQUEST_METHOD", "GET")]), None);
        assert_eq!(used(Scheme::Http, &[("http_proxy", "evil:1"), ("REQUEST_METHOD", "GET"), ("ALL_PROXY", "a:2")]), Some(("ALL_PROXY", "a:2".into())));
        assert_eq!(used(Scheme::Https, &[("HTTPS_PROXY", "p:1"), ("REQUEST_METHOD", "GET")]), Some(("HTTPS_PROXY", "p:1".into())));
    }

    #[test]
    fn an_unusable_environment_proxy_is_an_error_naming_its_variable() {
        for (var, value) in [("HTTPS_PROXY", "http://p:3128 "), ("ALL_PROXY", "socks9://p"), ("https_proxy", "http://p:99999"), ("ALL_PROXY", "http://p:notaport")] {
            let e = from_env(Scheme::Https, &[(var, value)]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().starts_with(var), "{}", e.message());
        }
        let e = from_env(Scheme::Https, &[("HTTPS_PROXY", "p:1"), ("NO_PROXY", "a.com,host:notaport")]).unwrap_err();
        assert!(e.message().starts_with("NO_PROXY"), "{}", e.message());
        // SOCKS is supported: a SOCKS variable is used, not skipped.
        assert_eq!(from_env(Scheme::Https, &[("ALL_PROXY", "socks5h://s:1080")]).unwrap().unwrap().shown, "socks5h://s:1080");
    }

    #[test]
    fn no_proxy_matches_domains_ports_addresses_and_networks() {
        let np = NoProxy::parse("myqcloud.com, .internal.example,*.dev ,host.test:8443,10.0.0.0/8,192.168.1.7,[::1]:9000,fd00::/8", "NO_PROXY").unwrap();
        let yes = [
            ("ci.ap-guangzhou.myqcloud.com", 443),
            ("myqcloud.com", 443),
            ("MyQcloud.COM.", 80),
            ("a.b.internal.example", 443),
            ("internal.example", 443),
            ("x.dev", 443),
            ("host.test", 8443),
            ("10.1.2.3", 443),
            ("192.168.1.7", 80),
            ("[::1]", 9000),
            ("fd00::5", 443),
        ];
        let no = [("evilmyqcloud.com", 443), ("myqcloud.com.evil", 443), ("host.test", 443), ("11.0.0.1", 443), ("192.168.1.70", 80), ("::1", 443), ("fe80::1", 443)];
        for (h, p) in yes {
            assert!(np.matches(h, p), "{h}:{p} should bypass");
        }
        for (h, p) in no {
            assert!(!np.matches(h, p), "{h}:{p} should use the proxy");
        }
        assert!(NoProxy::parse("*", "NO_PROXY").unwrap().matches("anything", 1));
        for bad in ["a b", "host:", "10.0.0.0/33", "h:99999", "%%"] {
            assert_eq!(NoProxy::parse(bad, "no_proxy").unwrap_err().kind(), ErrorKind::InvalidArgument, "{bad}");
        }
        let route = from_env(Scheme::Https, &[("HTTPS_PROXY", "p:1"), ("no_proxy", "myqcloud.com:8443")]).unwrap().unwrap();
        assert!(route.applies_to("ci.ap-guangzhou.myqcloud.com", Scheme::Https));
        assert!(!route.applies_to("ci.ap-guangzhou.myqcloud.com:8443", Scheme::Https));
    }
}
