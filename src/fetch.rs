//! Remote images from hosts the caller allows: every address a name resolves to must be public
//! (no loopback, private, link-local …), the connection goes to the address that was checked,
//! redirects are checked again, and size and time are capped.
//!
//! The HTTP client is ureq 3 (rustls with ring, webpki roots), not reqwest. Images are fetched
//! one blocking call at a time from a synchronous render, which is exactly what ureq is: no
//! async runtime (reqwest's blocking client starts a tokio runtime on a thread of its own and
//! brings hyper, h2 and tower with it). ureq's `Resolver` trait is the hook the rules need: it
//! sees every host the client is about to connect to, redirects included, and its connector only
//! ever connects to the addresses the resolver returned, so the address checked is the address
//! used. It reuses the rustls, ring and webpki-roots already in the tree; gzip, proxies and
//! native-tls are left out. URLs are parsed by the `url` crate (WHATWG rules, IDNA to punycode),
//! which also resolves a relative `Location`.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Connector, NextTimeout, RustlsConnector, TcpConnector};
use url::{Host, Url};

use crate::assets::MAX_IMAGE_BYTES;
use crate::error::{AssetError, AssetErrorKind};

/// Redirects followed at most; the next one is an error.
const MAX_REDIRECTS: usize = 3;
/// The whole fetch, name look-ups, redirects and body included, must finish within this.
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
/// Largest response head accepted (status line and headers): a server cannot make us buffer more.
const MAX_HEAD_BYTES: usize = 32 * 1024;
/// Longest address accepted, in bytes. An image address is a few hundred bytes at most; this
/// bounds the parsing work and the error messages.
const MAX_URL_BYTES: usize = 8 * 1024;
/// Characters of an address quoted in an error message, so that the message stays one short line.
const QUOTE_CHARS: usize = 120;
/// Sent as `User-Agent`, so that a site's operator can tell who is fetching.
const USER_AGENT: &str = "babrpdf";

/// Which resolved addresses may be connected to; `is_public` outside tests.
pub type AddressPolicy = fn(&IpAddr) -> bool;

/// Fetches `url` if its host is in `allow_hosts`; the bytes or why not (kind and one line).
pub fn fetch(url: &str, allow_hosts: &[String]) -> Result<Vec<u8>, AssetError> {
    fetch_with(url, allow_hosts, is_public)
}

/// An address [`check_url`] accepted: what a request needs, with the host in ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The address as requested: ASCII (an internationalised host in punycode), no fragment.
    pub url: String,
    /// Lower-case host: punycode for an internationalised name, an IP address without brackets.
    pub host: String,
    /// The port connected to (80 or 443 unless the address names one).
    pub port: u16,
    /// Whether the connection is TLS.
    pub https: bool,
}

/// Checks an address before any connection: http or https, no credentials, a host in
/// `allow_hosts` (compared after IDNA, case-insensitively, so `ёж.рф`, `ЁЖ.РФ` and its `xn--`
/// form are one host), and a form the HTTP client accepts. No name is looked up here: the
/// addresses are checked when the client resolves the name (see `CheckedResolver`).
pub fn check_url(url: &str, allow_hosts: &[String]) -> Result<Target, AssetError> {
    let text = url.trim();
    if text.len() > MAX_URL_BYTES {
        return Err(unsupported(format!(
            "the address is longer than {MAX_URL_BYTES} bytes: {}",
            quote(text)
        )));
    }
    let parsed =
        Url::parse(text).map_err(|e| unsupported(format!("bad address {}: {e}", quote(text))))?;
    check_parsed(parsed, allow_hosts)
}

/// Whether `host` (a URL's host, in any case, Unicode or punycode, an IPv6 address with or
/// without brackets) is one of `allow_hosts`.
pub fn host_allowed(host: &str, allow_hosts: &[String]) -> bool {
    canonical_host(host).is_some_and(|host| is_allowed(&host, allow_hosts))
}

fn check_parsed(mut url: Url, allow_hosts: &[String]) -> Result<Target, AssetError> {
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        other => {
            return Err(unsupported(format!(
                "only http and https addresses are fetched, not {}",
                quote(other)
            )));
        }
    };
    let host = url
        .host()
        .map(|h| host_text(&h))
        .ok_or_else(|| unsupported("the address has no host"))?;
    // The host first: an address from a host nobody allowed is refused for that, whatever
    // else is wrong with it.
    if !is_allowed(&host, allow_hosts) {
        return Err(not_allowed(&host));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("addresses with credentials are refused"));
    }
    // Both schemes have a default port, so this is never `None`; an error all the same.
    let port = url
        .port_or_known_default()
        .ok_or_else(|| unsupported(format!("no port for {}", quote(&host))))?;
    url.set_fragment(None);
    let url = String::from(url);
    // `url` serialises to ASCII; the client parses it again as an `http::Uri`, which refuses a
    // few characters WHATWG lets through: refused here, with the reason.
    Uri::try_from(url.as_str()).map_err(|e| {
        unsupported(format!(
            "the address {} cannot be requested: {e}",
            quote(&url)
        ))
    })?;
    Ok(Target {
        url,
        host,
        port,
        https,
    })
}

/// A host as compared with the allow list: punycode lower case (IDNA done by `url`), IP
/// addresses in their canonical text without brackets, one trailing dot dropped (`example.com.`
/// is `example.com` to DNS).
fn host_text<S: AsRef<str>>(host: &Host<S>) -> String {
    match host {
        Host::Domain(d) => {
            let d = d.as_ref();
            d.strip_suffix('.').unwrap_or(d).to_ascii_lowercase()
        }
        Host::Ipv4(a) => a.to_string(),
        Host::Ipv6(a) => a.to_string(),
    }
}

/// A host name as the caller or the client spells it, brought to the form of [`host_text`];
/// `None` when it is no valid host (it then matches nothing).
fn canonical_host(name: &str) -> Option<String> {
    let name = name.trim();
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(ip.to_string());
    }
    Host::parse(name).ok().map(|h| host_text(&h))
}

fn is_allowed(host: &str, allow_hosts: &[String]) -> bool {
    allow_hosts
        .iter()
        .any(|allowed| canonical_host(allowed).as_deref() == Some(host))
}

fn not_allowed(host: &str) -> AssetError {
    refused(format!(
        "host {} is not allowed (--allow-host)",
        person_name(host)
    ))
}

fn refused(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::Refused, message)
}

fn unsupported(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::Unsupported, message)
}

fn failed(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::Fetch, message)
}

/// A host as a person wrote it: `ёж.рф (xn--f1a7c.xn--p1ai)` for a punycode name.
fn person_name(host: &str) -> String {
    if host.split('.').any(|label| label.starts_with("xn--")) {
        let (unicode, result) = idna::domain_to_unicode(host);
        if result.is_ok() && unicode != host {
            return format!("{} ({})", quote(&unicode), quote(host));
        }
    }
    quote(host)
}

/// `text` for an error message: at most `QUOTE_CHARS` characters, control characters escaped.
fn quote(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(QUOTE_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(QUOTE_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Public unicast addresses only: no loopback, private, shared, link-local, unique-local,
/// multicast, broadcast, documentation or reserved ranges.
pub fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (18..20).contains(&o[1]))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(&IpAddr::V4(v4));
            }
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                let [a, b] = hi.to_be_bytes();
                let [c, d] = lo.to_be_bytes();
                IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d))
            };
            // Addresses that carry an IPv4 address reach that address: NAT64 (64:ff9b::/96)
            // and 6to4 (2002::/16) are public only when it is; the deprecated IPv4-compatible
            // ::a.b.c.d is never used by a real server.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_public(&embedded(s[6], s[7]));
            }
            if s[0] == 0x2002 {
                return is_public(&embedded(s[1], s[2]));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || s[..6] == [0; 6]
                // Local-use NAT64 (64:ff9b:1::/48), Teredo (2001::/32, its IPv4 is hidden),
                // discard-only (100::/64) and deprecated site-local (fec0::/10).
                || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)
                || (s[0] == 0x2001 && s[1] == 0)
                || (s[0] == 0x100 && s[1..4] == [0, 0, 0])
                || (s[0] & 0xffc0) == 0xfec0
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

/// [`fetch`] with another address policy: the tests' servers listen on loopback.
pub fn fetch_with(
    url: &str,
    allow_hosts: &[String],
    address_ok: AddressPolicy,
) -> Result<Vec<u8>, AssetError> {
    fetch_within(url, allow_hosts, address_ok, FETCH_TIMEOUT)
}

fn fetch_within(
    url: &str,
    allow_hosts: &[String],
    address_ok: AddressPolicy,
    timeout: Duration,
) -> Result<Vec<u8>, AssetError> {
    let deadline = Instant::now() + timeout;
    let mut target = check_url(url, allow_hosts)?;
    let agent = agent(allow_hosts, address_ok);
    for hop in 0..=MAX_REDIRECTS {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out(&target.host, timeout));
        }
        let mut response = agent
            .get(&target.url)
            .config()
            .timeout_global(Some(left))
            .build()
            .call()
            .map_err(|e| describe(e, &target.host, timeout))?;
        let status = response.status().as_u16();
        match status {
            200 => {
                return response
                    .body_mut()
                    .with_config()
                    .limit(MAX_IMAGE_BYTES)
                    .read_to_vec()
                    .map_err(|e| describe(e, &target.host, timeout));
            }
            301 | 302 | 303 | 307 | 308 => {
                if hop == MAX_REDIRECTS {
                    return Err(too_many_redirects());
                }
                // A `Location` may carry raw UTF-8 (an internationalised host): read it as
                // text, and let `url` bring the host to punycode.
                let location = response
                    .headers()
                    .get("location")
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .ok_or_else(|| {
                        failed(format!("{}: redirect without a Location", target.host))
                    })?;
                let base = Url::parse(&target.url).map_err(|e| failed(e.to_string()))?;
                let next = base.join(location.trim()).map_err(|e| {
                    failed(format!(
                        "{} redirects to a bad address {}: {e}",
                        target.host,
                        quote(&location)
                    ))
                })?;
                let from = target.host;
                target = check_parsed(next, allow_hosts)
                    .map_err(|e| e.context(format_args!("redirect from {from}")))?;
            }
            s => {
                let host = person_name(&target.host);
                let kind = match s {
                    404 | 410 => AssetErrorKind::NotFound,
                    _ => AssetErrorKind::Fetch,
                };
                return Err(AssetError::new(
                    kind,
                    format!("{host}: the server answered HTTP {s}"),
                ));
            }
        }
    }
    Err(too_many_redirects())
}

fn too_many_redirects() -> AssetError {
    failed(format!("more than {MAX_REDIRECTS} redirects"))
}

/// A client that follows no redirect itself (each one is checked here), uses no proxy (a proxy
/// would resolve the name where we cannot check it), keeps no idle connection (every request
/// resolves and checks its host again), and resolves through `CheckedResolver`.
fn agent(allow_hosts: &[String], address_ok: AddressPolicy) -> ureq::Agent {
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::WebPki)
        .build();
    let config = Config::builder()
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .max_idle_connections(0)
        .max_response_header_size(MAX_HEAD_BYTES)
        .user_agent(USER_AGENT)
        .accept("image/*")
        .tls_config(tls)
        .build();
    // TCP to the resolver's addresses, then TLS for https: no SOCKS, no CONNECT proxy.
    let connector = ().chain(TcpConnector::default()).chain(RustlsConnector::default());
    let resolver = CheckedResolver {
        allow_hosts: allow_hosts.to_vec(),
        address_ok,
    };
    ureq::Agent::with_parts(config, connector, resolver)
}

/// A failure of the client as one line naming the host.
fn describe(e: ureq::Error, host: &str, timeout: Duration) -> AssetError {
    let (kind, line) = match e {
        // Our own refusals (from `CheckedResolver`) name the host already.
        ureq::Error::Other(reason) => {
            return match reason.downcast::<AssetError>() {
                Ok(refusal) => *refusal,
                Err(other) => failed(other.to_string().replace('\n', " ")),
            };
        }
        ureq::Error::Timeout(_) => return timed_out(host, timeout),
        ureq::Error::BodyExceedsLimit(_) => (
            AssetErrorKind::TooLarge,
            format!("the image is larger than {} MB", MAX_IMAGE_BYTES >> 20),
        ),
        ureq::Error::HostNotFound => (AssetErrorKind::Fetch, "no address found".to_string()),
        ureq::Error::LargeResponseHeader(..) => (
            AssetErrorKind::Fetch,
            format!("the response head is larger than {MAX_HEAD_BYTES} bytes"),
        ),
        other => (AssetErrorKind::Fetch, other.to_string()),
    };
    AssetError::new(
        kind,
        format!("{}: {}", person_name(host), line.replace('\n', " ")),
    )
}

fn timed_out(host: &str, timeout: Duration) -> AssetError {
    failed(format!(
        "{}: timed out (the whole fetch may take {timeout:?})",
        person_name(host)
    ))
}

/// ureq's name resolver, with the rules: the host must be allowed, and every address it resolves
/// to must pass the address policy. ureq's connector connects only to the addresses returned
/// here, so a name cannot resolve to one address for the check and another for the connection.
/// It runs for every request, redirects included.
#[derive(Debug)]
struct CheckedResolver {
    allow_hosts: Vec<String>,
    address_ok: AddressPolicy,
}

impl Resolver for CheckedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let raw_host = uri
            .host()
            .ok_or_else(|| refusal(unsupported("the address has no host")))?;
        let host = canonical_host(raw_host)
            .ok_or_else(|| refusal(unsupported(format!("bad host name {}", quote(raw_host)))))?;
        if !is_allowed(&host, &self.allow_hosts) {
            return Err(refusal(not_allowed(&host)));
        }
        let port = match (uri.port_u16(), uri.scheme_str()) {
            (Some(port), _) => port,
            (None, Some("https")) => 443,
            (None, Some("http")) => 80,
            _ => {
                return Err(refusal(unsupported(
                    "only http and https addresses are fetched",
                )));
            }
        };
        let addresses = look_up(&host, port, *timeout.after)?;
        if let Some(bad) = addresses.iter().find(|a| !(self.address_ok)(&a.ip())) {
            return Err(refusal(refused(format!(
                "{host} resolves to {}, which is not a public address",
                bad.ip()
            ))));
        }
        let mut out = self.empty();
        for address in addresses {
            // ureq keeps a fixed number of addresses; the rest were checked and are not needed.
            if out.try_push(address).is_err() {
                break;
            }
        }
        if out.is_empty() {
            return Err(refusal(failed(format!("{host} has no address"))));
        }
        Ok(out)
    }
}

/// Every address `host` resolves to, within `timeout`. The system resolver cannot be
/// interrupted, so it runs on a thread of its own that is left behind on a timeout (as ureq's
/// own resolver does).
fn look_up(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, ureq::Error> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let name = host.to_string();
    std::thread::spawn(move || {
        let found = (name.as_str(), port)
            .to_socket_addrs()
            .map(|a| a.collect::<Vec<_>>());
        // The receiver is gone when the fetch timed out: nobody needs the answer then.
        let _ = tx.send(found);
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(addresses)) => Ok(addresses),
        Ok(Err(e)) => Err(refusal(failed(format!(
            "cannot resolve {}: {e}",
            person_name(host)
        )))),
        Err(_) => Err(ureq::Error::Timeout(ureq::Timeout::Resolve)),
    }
}

/// Our own refusal, carried through the client as its `Other` error (`describe` takes it out).
fn refusal(reason: AssetError) -> ureq::Error {
    ureq::Error::Other(Box::new(reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A local server answering each connection with the next canned response, then closing it.
    fn serve(responses: Vec<Vec<u8>>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for response in responses {
                let Ok((mut s, _)) = listener.accept() else {
                    return;
                };
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf);
                let _ = s.write_all(&response);
            }
        });
        port
    }

    /// A local server that answers one connection with `head`, then writes zeros until the
    /// client hangs up, `pause` between writes.
    fn serve_endless(head: &'static [u8], pause: Duration) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let _ = s.write_all(head);
            let chunk = vec![0u8; 64 * 1024];
            while s.write_all(&chunk).is_ok() {
                std::thread::sleep(pause);
            }
        });
        port
    }

    fn allow() -> Vec<String> {
        vec!["127.0.0.1".into()]
    }

    fn any_address(_: &IpAddr) -> bool {
        true
    }

    /// The test server's address, and what the real policy accepts.
    fn test_server_or_public(ip: &IpAddr) -> bool {
        *ip == IpAddr::from([127, 0, 0, 1]) || is_public(ip)
    }

    fn one_line(e: &str) {
        assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
    }

    #[test]
    fn public_address_policy() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "224.0.0.1",
            "192.0.2.1",
            "2001:db8::1",
            "::127.0.0.1",
            "::a9fe:a9fe",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "100::1",
            "fec0::1",
        ] {
            assert!(!is_public(&bad.parse().unwrap()), "{bad} counted as public");
        }
        for good in [
            "8.8.8.8",
            "93.184.216.34",
            "2a00:1450:4010:c05::64",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(is_public(&good.parse().unwrap()), "{good} refused");
        }
    }

    #[test]
    fn loopback_is_refused_even_for_an_allowed_host() {
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
        ]);
        let e = fetch(&format!("http://127.0.0.1:{port}/x.jpg"), &allow())
            .unwrap_err()
            .message;
        assert!(e.contains("not a public address"), "{e}");
        let e = fetch("http://localhost/x.jpg", &["localhost".into()])
            .unwrap_err()
            .message;
        assert!(e.contains("not a public address"), "{e}");
        let e = fetch("http://[::1]/x.jpg", &["::1".into()])
            .unwrap_err()
            .message;
        assert!(e.contains("not a public address"), "{e}");
        // 127.1 is 127.0.0.1 to a URL parser and to the system: a numeric form is no way around.
        let e = fetch("http://127.1/x.jpg", &allow()).unwrap_err();
        assert_eq!(e.kind, AssetErrorKind::Refused, "{e}");
        assert!(e.message.contains("not a public address"), "{e}");
        let e = fetch("http://example.com/x.jpg", &allow())
            .unwrap_err()
            .message;
        assert!(e.contains("not allowed"), "{e}");
    }

    #[test]
    fn bodies_chunks_and_redirects() {
        let port = serve(vec![
            b"HTTP/1.1 302 Found\r\nLocation: /final.jpg\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".to_vec(),
        ]);
        let body = fetch_with(
            &format!("http://127.0.0.1:{port}/start"),
            &allow(),
            any_address,
        )
        .unwrap();
        assert_eq!(body, b"abcde");
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nJPEG".to_vec(),
        ]);
        assert_eq!(
            fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), any_address).unwrap(),
            b"JPEG"
        );
    }

    #[test]
    fn redirect_loops_errors_and_foreign_redirects_stop() {
        // Three redirects are followed; the fourth is refused.
        let port = serve(vec![
            b"HTTP/1.1 301 Moved\r\nLocation: /loop\r\n\r\n"
                .to_vec();
            4
        ]);
        let e = fetch_with(
            &format!("http://127.0.0.1:{port}/loop"),
            &allow(),
            any_address,
        )
        .unwrap_err()
        .message;
        assert!(e.contains("more than 3 redirects"), "{e}");
        let mut three = vec![b"HTTP/1.1 302 Found\r\nLocation: /next\r\n\r\n".to_vec(); 3];
        three.push(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec());
        let port = serve(three);
        let body = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), any_address);
        assert_eq!(body.unwrap(), b"ok");

        let port = serve(vec![
            b"HTTP/1.1 302 Found\r\nLocation: http://evil.example/x\r\n\r\n".to_vec(),
        ]);
        let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), any_address)
            .unwrap_err()
            .message;
        assert!(e.contains("evil.example is not allowed"), "{e}");
        let port = serve(vec![b"HTTP/1.1 404 Not Found\r\n\r\n".to_vec()]);
        let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), any_address)
            .unwrap_err()
            .message;
        assert!(e.contains("404"), "{e}");
    }

    #[test]
    fn a_redirect_to_a_private_address_is_refused() {
        // The first server is let through; the redirect target goes through the real policy.
        for target in ["127.0.0.2", "[::1]", "169.254.169.254", "10.0.0.1"] {
            let port = serve(vec![
                format!("HTTP/1.1 302 Found\r\nLocation: http://{target}/x\r\n\r\n").into_bytes(),
            ]);
            let allowed = vec!["127.0.0.1".into(), target.to_string()];
            let e = fetch_with(
                &format!("http://127.0.0.1:{port}/a"),
                &allowed,
                test_server_or_public,
            )
            .unwrap_err()
            .message;
            assert!(e.contains("not a public address"), "{target}: {e}");
        }
    }

    #[test]
    fn a_non_ascii_host_is_an_error_not_a_panic() {
        // Allowed, in either spelling: it gets as far as the name look-up, which fails (or, on a
        // machine with DNS, the fetch fails later): an error, never a panic.
        for allowed in ["ёж.рф", "xn--f1a7c.xn--p1ai", "ЁЖ.РФ"] {
            let e = fetch("http://ёж.рф/a.jpg", &[allowed.to_string()])
                .unwrap_err()
                .message;
            one_line(&e);
            assert!(!e.contains("not allowed"), "{allowed}: {e}");
        }
        let e = fetch("http://ёж.рф/a.jpg", &allow()).unwrap_err().message;
        assert!(
            e.contains("ёж.рф (xn--f1a7c.xn--p1ai) is not allowed"),
            "{e}"
        );
        // An allowed server redirecting to one, raw UTF-8 in the Location.
        for allowed in [allow(), vec!["127.0.0.1".into(), "ёж.рф".into()]] {
            let port = serve(vec![
                "HTTP/1.1 302 Found\r\nLocation: http://ёж.рф/b.jpg\r\n\r\n"
                    .as_bytes()
                    .to_vec(),
            ]);
            let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allowed, any_address)
                .unwrap_err()
                .message;
            one_line(&e);
        }
        // Hosts no IDNA accepts are refused as bad addresses.
        let e = fetch("http://ex ample.com/a.jpg", &["ex ample.com".into()])
            .unwrap_err()
            .message;
        assert!(e.contains("bad address"), "{e}");
    }

    #[test]
    fn a_huge_chunk_size_is_an_error_not_a_panic() {
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\n"
                .to_vec(),
        ]);
        let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), any_address)
            .unwrap_err()
            .message;
        one_line(&e);
        let port = serve_endless(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
            Duration::ZERO,
        );
        let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), any_address)
            .unwrap_err()
            .message;
        assert!(e.contains("larger than 50 MB"), "{e}");
    }

    #[test]
    fn a_body_over_the_cap_is_refused() {
        let port = serve_endless(b"HTTP/1.1 200 OK\r\n\r\n", Duration::ZERO);
        let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), any_address)
            .unwrap_err()
            .message;
        assert!(e.contains("larger than 50 MB"), "{e}");
    }

    #[test]
    fn the_whole_fetch_has_a_deadline() {
        // A server that keeps sending, slowly: no single read times out, the whole fetch does.
        let port = serve_endless(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n",
            Duration::from_millis(200),
        );
        let started = Instant::now();
        let e = fetch_within(
            &format!("http://127.0.0.1:{port}/a"),
            &allow(),
            any_address,
            Duration::from_secs(1),
        )
        .unwrap_err()
        .message;
        assert!(e.contains("timed out"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_tls_failure_is_an_error_not_a_panic() {
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
        ]);
        let e = fetch_with(
            &format!("https://127.0.0.1:{port}/a"),
            &allow(),
            any_address,
        )
        .unwrap_err()
        .message;
        one_line(&e);
    }

    #[test]
    fn urls() {
        let t = check_url(
            "HTTPS://Example.com:8443/a/b.jpg?x=1#frag",
            &["EXAMPLE.com".into()],
        )
        .unwrap();
        assert!(t.https && t.host == "example.com" && t.port == 8443);
        assert_eq!(t.url, "https://example.com:8443/a/b.jpg?x=1");
        let t = check_url("http://ЁЖ.рф/фото.jpg", &["ёж.рф".into()]).unwrap();
        assert_eq!(t.host, "xn--f1a7c.xn--p1ai");
        assert!(t.url.is_ascii() && t.port == 80 && !t.https);
        assert!(check_url("http://[::1]:8080/a", &["[::1]".into()]).is_ok());
        assert!(check_url("http://[::1]:8080/a", &["::1".into()]).is_ok());
        assert!(check_url("http://example.com./a", &["example.com".into()]).is_ok());
        use AssetErrorKind::{Refused, Unsupported};
        for (bad, why, kind) in [
            ("ftp://x/y", "only http and https", Unsupported),
            ("http://user:pass@x/y", "credentials", Refused),
            ("http://x:99999/y", "bad address", Unsupported),
            ("http:///y", "not allowed", Refused),
            ("http://y.example/", "not allowed", Refused),
        ] {
            let e = check_url(bad, &["x".into()]).unwrap_err();
            assert_eq!(e.kind, kind, "{bad}: {e}");
            let e = e.message;
            assert!(e.contains(why), "{bad}: {e}");
            one_line(&e);
        }
        let long = format!("http://x/{}", "a".repeat(MAX_URL_BYTES));
        assert!(
            check_url(&long, &["x".into()])
                .unwrap_err()
                .message
                .contains("longer")
        );
        assert!(host_allowed("XN--F1A7C.XN--P1AI", &["ёж.рф".into()]));
        assert!(!host_allowed("ёж.рф", &["еж.рф".into()]));
    }
}
