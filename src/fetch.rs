//! Remote images from hosts the caller allows, fetched carefully: every address a name resolves
//! to must be public (no loopback, private, link-local …), the connection goes to the address
//! that was checked, redirects are checked again, and size and time are capped.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::assets::MAX_IMAGE_BYTES;

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 3;
/// The whole fetch, redirects included, must finish within this.
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);
/// Largest response head accepted.
const MAX_HEAD_BYTES: usize = 32 * 1024;

/// Fetches `url` if its host is in `allow_hosts`; the bytes or a one-line reason.
pub fn fetch(url: &str, allow_hosts: &[String]) -> Result<Vec<u8>, String> {
    fetch_with(url, allow_hosts, is_public)
}

struct Url {
    https: bool,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url, String> {
    let (https, rest) = if let Some(r) = strip_ci(url, "https://") {
        (true, r)
    } else if let Some(r) = strip_ci(url, "http://") {
        (false, r)
    } else {
        return Err("only http and https addresses are fetched".into());
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('@') {
        return Err("addresses with credentials are refused".into());
    }
    let mut path = rest[end..].split('#').next().unwrap_or("").to_string();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (
            h,
            p.parse::<u16>().map_err(|_| format!("bad port in {url}"))?,
        ),
        _ => (authority, if https { 443 } else { 80 }),
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if host.is_empty() {
        return Err("the address has no host".into());
    }
    Ok(Url {
        https,
        host,
        port,
        path,
    })
}

fn strip_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
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
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

fn fetch_with(
    url: &str,
    allow_hosts: &[String],
    address_ok: fn(&IpAddr) -> bool,
) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + FETCH_TIMEOUT;
    let mut current = url.trim().to_string();
    for _ in 0..=MAX_REDIRECTS {
        let u = parse_url(&current)?;
        if !allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(&u.host)) {
            return Err(format!("host {:?} is not allowed (--allow-host)", u.host));
        }
        let addresses: Vec<SocketAddr> = (u.host.as_str(), u.port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {}: {e}", u.host))?
            .collect();
        let first = *addresses
            .first()
            .ok_or_else(|| format!("{} has no address", u.host))?;
        if let Some(bad) = addresses.iter().find(|a| !address_ok(&a.ip())) {
            return Err(format!(
                "{} resolves to {}, which is not a public address",
                u.host,
                bad.ip()
            ));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("timed out".into());
        }
        // Connect to the address just checked, never to a name resolved again.
        let tcp = TcpStream::connect_timeout(&first, left)
            .map_err(|e| format!("cannot connect to {}: {e}", u.host))?;
        tcp.set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        tcp.set_write_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        let response = if u.https {
            let name = rustls::pki_types::ServerName::try_from(u.host.clone())
                .map_err(|e| format!("bad host name: {e}"))?;
            let conn =
                rustls::ClientConnection::new(tls_config(), name).map_err(|e| e.to_string())?;
            exchange(rustls::StreamOwned::new(conn, tcp), &u, deadline)?
        } else {
            exchange(tcp, &u, deadline)?
        };
        match response {
            Response::Body(bytes) => return Ok(bytes),
            Response::Redirect(location) => current = resolve(&u, &location),
        }
    }
    Err(format!("more than {MAX_REDIRECTS} redirects"))
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// A `Location` made absolute against the URL it came from.
fn resolve(base: &Url, location: &str) -> String {
    let location = location.trim();
    if location.contains("://") {
        return location.to_string();
    }
    let scheme = if base.https { "https" } else { "http" };
    let default_port = if base.https { 443 } else { 80 };
    let authority = if base.port == default_port {
        base.host.clone()
    } else {
        format!("{}:{}", base.host, base.port)
    };
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let dir = base.path.rsplit_once('/').map_or("", |(d, _)| d);
    format!("{scheme}://{authority}{dir}/{location}")
}

enum Response {
    Body(Vec<u8>),
    Redirect(String),
}

/// One HTTP/1.1 request and its response, read within the size and time caps.
fn exchange(mut stream: impl Read + Write, u: &Url, deadline: Instant) -> Result<Response, String> {
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: babrpdf\r\nAccept: image/*\r\nConnection: close\r\n\r\n",
        u.path, u.host
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let limit = MAX_HEAD_BYTES as u64 + MAX_IMAGE_BYTES + 1024;
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if Instant::now() > deadline {
            return Err("timed out".into());
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            // A server closing a TLS connection without close_notify still sent its response.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(format!("reading the response: {e}")),
        }
        if raw.len() as u64 > limit {
            return Err(format!(
                "the image is larger than {} MB",
                MAX_IMAGE_BYTES >> 20
            ));
        }
    }
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    if head_end > MAX_HEAD_BYTES {
        return Err("HTTP response head too large".into());
    }
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("malformed HTTP status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match status {
        200 => {}
        301 | 302 | 303 | 307 | 308 => {
            return header("location")
                .map(|l| Response::Redirect(l.to_string()))
                .ok_or_else(|| "redirect without a Location".into());
        }
        s => return Err(format!("the server answered HTTP {s}")),
    }
    let body = &raw[head_end + 4..];
    let body = if header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        dechunk(body)?
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if body.len() < len {
            return Err("the response ended early".into());
        }
        body[..len].to_vec()
    } else {
        body.to_vec()
    };
    if body.len() as u64 > MAX_IMAGE_BYTES {
        return Err(format!(
            "the image is larger than {} MB",
            MAX_IMAGE_BYTES >> 20
        ));
    }
    Ok(Response::Body(body))
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("malformed chunked body")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "malformed chunk size")?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            return Err("the response ended early".into());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A one-shot local server answering each connection with the next canned response.
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

    fn allow() -> Vec<String> {
        vec!["127.0.0.1".into()]
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
            "224.0.0.1",
        ] {
            assert!(!is_public(&bad.parse().unwrap()), "{bad} counted as public");
        }
        for good in ["8.8.8.8", "93.184.216.34", "2a00:1450:4010:c05::64"] {
            assert!(is_public(&good.parse().unwrap()), "{good} refused");
        }
    }

    #[test]
    fn loopback_is_refused_even_for_an_allowed_host() {
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
        ]);
        let e = fetch(&format!("http://127.0.0.1:{port}/x.jpg"), &allow()).unwrap_err();
        assert!(e.contains("not a public address"), "{e}");
        let e = fetch("http://localhost/x.jpg", &["localhost".into()]).unwrap_err();
        assert!(e.contains("not a public address"), "{e}");
        let e = fetch("http://example.com/x.jpg", &allow()).unwrap_err();
        assert!(e.contains("not allowed"), "{e}");
    }

    #[test]
    fn bodies_chunks_and_redirects() {
        let port = serve(vec![
            b"HTTP/1.1 302 Found\r\nLocation: /final.jpg\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".to_vec(),
        ]);
        let body = fetch_with(&format!("http://127.0.0.1:{port}/start"), &allow(), |_| {
            true
        })
        .unwrap();
        assert_eq!(body, b"abcde");
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nJPEG".to_vec(),
        ]);
        assert_eq!(
            fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), |_| true).unwrap(),
            b"JPEG"
        );
    }

    #[test]
    fn redirect_loops_errors_and_foreign_redirects_stop() {
        let port = serve(vec![
            b"HTTP/1.1 301 Moved\r\nLocation: /loop\r\n\r\n"
                .to_vec();
            5
        ]);
        let e =
            fetch_with(&format!("http://127.0.0.1:{port}/loop"), &allow(), |_| true).unwrap_err();
        assert!(e.contains("redirects"), "{e}");
        let port = serve(vec![
            b"HTTP/1.1 302 Found\r\nLocation: http://evil.example/x\r\n\r\n".to_vec(),
        ]);
        let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), |_| true).unwrap_err();
        assert!(e.contains("not allowed"), "{e}");
        let port = serve(vec![b"HTTP/1.1 404 Not Found\r\n\r\n".to_vec()]);
        let e = fetch_with(&format!("http://127.0.0.1:{port}/a"), &allow(), |_| true).unwrap_err();
        assert!(e.contains("404"), "{e}");
    }

    #[test]
    fn a_tls_failure_is_an_error_not_a_panic() {
        let port = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
        ]);
        let e = fetch_with(&format!("https://127.0.0.1:{port}/a"), &allow(), |_| true).unwrap_err();
        assert!(!e.is_empty() && !e.contains('\n'), "{e}");
    }

    #[test]
    fn urls() {
        let u = parse_url("HTTPS://Example.com:8443/a/b.jpg?x=1#frag").unwrap();
        assert!(u.https && u.host == "example.com" && u.port == 8443 && u.path == "/a/b.jpg?x=1");
        assert!(parse_url("ftp://x/y").is_err());
        assert!(parse_url("http://user:pass@x/y").is_err());
        assert_eq!(
            resolve(&parse_url("http://h/a/b.jpg").unwrap(), "c.jpg"),
            "http://h/a/c.jpg"
        );
    }
}
