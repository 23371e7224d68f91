//! `babrpdf serve` spoken to over real HTTP: the binary started on an ephemeral port, every
//! route and status, the queue, the deadline, the token, the cache and a graceful stop.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{bin, load, pdf_text, sample_path, scratch};

/// A running service; killed when dropped.
struct Server {
    child: Child,
    base: String,
    /// Everything the service wrote on stderr after its address.
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = bin()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("babrpdf starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the service says where it listens")
                .unwrap();
            if let Some(address) = line.strip_prefix("babrpdf: listening on ") {
                break address.to_string();
            }
        };
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Server { child, base, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn get(&self, path: &str) -> Answer {
        answer(agent().get(&self.url(path)).call())
    }

    fn post(&self, path: &str, media: &str, body: &[u8]) -> Answer {
        answer(
            agent()
                .post(&self.url(path))
                .header("Content-Type", media)
                .send(body),
        )
    }

    fn post_json(&self, path: &str, body: &[u8]) -> Answer {
        self.post(path, "application/json", body)
    }

    /// A metric's value from `/metrics` (0 when absent).
    fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics").text();
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    }

    /// Waits until `/metrics` reports `n` renders running.
    fn wait_running(&self, n: f64) {
        let start = Instant::now();
        while self.metric("babrpdf_renders_in_flight") != n {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no render started"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn terminate(&self) {
        unsafe_kill(self.child.id(), "TERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unsafe_kill(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// An HTTP answer: status, headers, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", self.text()))
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = result.expect("the service answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(100 << 20)
        .read_to_vec()
        .unwrap_or_default();
    Answer {
        status,
        headers,
        body,
    }
}

/// Sends `request` as it is and returns the answer's head (status line and headers).
fn raw_head(base: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let _ = stream.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        answer.push(byte[0]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// An `http://127.0.0.1:PORT` address where nothing listens (a port just given back).
fn nobody_listening() -> String {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", closed.local_addr().unwrap())
}

fn sample_bytes(name: &str) -> Vec<u8> {
    std::fs::read(sample_path(name)).unwrap()
}

/// An article whose render takes a while (hundreds of pages) in a test build.
fn slow_article(title: &str) -> Vec<u8> {
    let long: serde_json::Value =
        serde_json::from_slice(&sample_bytes("long-feature.json")).unwrap();
    let body = long["body"].as_str().unwrap().repeat(12);
    serde_json::to_vec(&serde_json::json!({"title": title, "body": body})).unwrap()
}

#[test]
fn renders_json_with_headers_a_browser_and_a_cache_need() {
    let server = Server::start(&[]);
    let a = server.post_json(
        "/render?disposition=attachment",
        &sample_bytes("short-news.json"),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("content-type"), Some("application/pdf"));
    let disposition = a.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''%D0"),
        "Cyrillic name: {disposition}"
    );
    let etag = a.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"') && etag.len() > 20, "{etag}");
    assert_eq!(a.header("x-babrpdf-warning-count"), Some("0"));
    let text = pdf_text(&load(&a.body));
    assert!(
        text.contains("Ольхон"),
        "the article's text comes back out: {text:.200}"
    );

    // The same request again: the same bytes, the same validator; with it, 304 and no body.
    let again = server.post_json(
        "/render?disposition=attachment",
        &sample_bytes("short-news.json"),
    );
    assert_eq!(again.body, a.body);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let revalidated = answer(
        agent()
            .post(&server.url("/render"))
            .header("Content-Type", "application/json")
            .header("If-None-Match", &etag)
            .send(&sample_bytes("short-news.json")[..]),
    );
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.body.is_empty());

    // Other options, another PDF and another validator.
    let print = server.post_json(
        "/render?profile=print&paper=a5",
        &sample_bytes("short-news.json"),
    );
    assert_eq!(print.status, 200);
    assert_ne!(print.header("etag"), Some(etag.as_str()));
    assert_ne!(print.body, a.body);
    assert!(
        server.log.lock().unwrap().contains("route=\"render\"")
            || server.log.lock().unwrap().contains("route=render")
    );
}

#[test]
fn renders_markdown_with_front_matter() {
    let server = Server::start(&[]);
    let a = server.post(
        "/render",
        "text/markdown; charset=utf-8",
        &sample_bytes("short-news.md"),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(pdf_text(&load(&a.body)).contains("Листвянке"));
}

#[test]
fn bad_requests_get_the_right_status_and_a_json_error() {
    let server = Server::start(&["--max-body", "64KB"]);
    let bad = server.post_json("/render", br#"{"title": "T", "body": 5}"#);
    assert_eq!(bad.status, 400);
    let error = bad.json()["error"].as_str().unwrap().to_string();
    assert!(
        error.contains("`body`: invalid type"),
        "the CLI's message: {error}"
    );
    let deep = server.post_json(
        "/render",
        br#"{"title": "T", "body": "b", "source": {"name": 5}}"#,
    );
    assert_eq!(deep.status, 400);
    assert_eq!(deep.json()["field"], "source.name");

    let media = server.post("/render", "image/png", b"\x89PNG");
    assert_eq!(media.status, 415, "{}", media.text());
    assert!(
        media.json()["error"]
            .as_str()
            .unwrap()
            .contains("image/png")
    );

    // Only the head is sent: the answer comes from Content-Length, before any body is read.
    let head = raw_head(
        &server.base,
        "POST /render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 204800\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    // A chunked body has no length to check first: it is cut off at the limit.
    let chunked = raw_head(
        &server.base,
        &format!(
            "POST /render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n",
            100 << 10,
            " ".repeat(100 << 10)
        ),
    );
    assert!(chunked.starts_with("HTTP/1.1 413"), "{chunked}");

    let query = server.post_json("/render?papper=a5", &sample_bytes("short-news.json"));
    assert_eq!(query.status, 400);
    assert!(query.json()["error"].as_str().unwrap().contains("papper"));

    let theme = server.post_json(
        "/render?theme=../../etc/passwd",
        &sample_bytes("short-news.json"),
    );
    assert_eq!(
        theme.status, 400,
        "a theme is a name loaded at start, never a path"
    );

    assert_eq!(server.get("/nothing-here").status, 404);
}

#[test]
fn health_version_and_metrics() {
    let server = Server::start(&[]);
    let health = server.get("/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "up");
    assert!(
        server
            .get("/version")
            .text()
            .contains(env!("CARGO_PKG_VERSION"))
    );
    server.post_json("/render", &sample_bytes("short-news.json"));
    let metrics = server.get("/metrics").text();
    for name in [
        "babrpdf_requests_total{route=\"render\",status=\"200\"} 1",
        "babrpdf_render_seconds_count 1",
        "babrpdf_queue_depth 0",
        "babrpdf_renders_in_flight 0",
        "babrpdf_cache_misses_total 1",
        "babrpdf_resident_memory_bytes",
    ] {
        assert!(metrics.contains(name), "{name} in\n{metrics}");
    }
}

#[test]
fn a_token_guards_every_route_but_health() {
    let dir = scratch("serve", "token");
    let file = dir.join("token");
    std::fs::write(&file, "s3cret-token-42\n").unwrap();
    let server = Server::start(&["--token-file", file.to_str().unwrap()]);
    assert_eq!(server.get("/health").status, 200);
    let refused = server.post_json("/render", &sample_bytes("short-news.json"));
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
    assert_eq!(server.get("/metrics").status, 401);
    let wrong = answer(
        agent()
            .get(&server.url("/version"))
            .header("Authorization", "Bearer s3cret")
            .call(),
    );
    assert_eq!(wrong.status, 401);
    let allowed = answer(
        agent()
            .post(&server.url("/render"))
            .header("Authorization", "Bearer s3cret-token-42")
            .header("Content-Type", "application/json")
            .send(&sample_bytes("short-news.json")[..]),
    );
    assert_eq!(allowed.status, 200, "{}", allowed.text());
}

#[test]
fn a_full_queue_answers_429_at_once_with_retry_after() {
    let server = Arc::new(Server::start(&[
        "--workers",
        "1",
        "--queue",
        "0",
        "--timeout",
        "120s",
    ]));
    let slow = {
        let server = server.clone();
        std::thread::spawn(move || server.post_json("/render", &slow_article("Долгая")).status)
    };
    server.wait_running(1.0);
    let start = Instant::now();
    let refused = server.post_json("/render", &sample_bytes("short-news.json"));
    assert_eq!(refused.status, 429, "{}", refused.text());
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "refused at once, not after waiting"
    );
    assert_eq!(
        server.get("/health").status,
        200,
        "health answers while every worker is busy"
    );
    assert_eq!(slow.join().unwrap(), 200);
    assert_eq!(
        server
            .post_json("/render", &sample_bytes("short-news.json"))
            .status,
        200
    );
}

#[test]
fn a_render_past_the_timeout_answers_503_and_the_worker_comes_back() {
    let server = Server::start(&["--workers", "1", "--timeout", "300ms"]);
    let late = server.post_json("/render", &slow_article("Слишком долгая"));
    assert_eq!(late.status, 503, "{}", late.text());
    assert!(late.json()["error"].as_str().unwrap().contains("0.3 s"));
    // The one worker is free again: a small article renders.
    let next = server.post_json("/render", &sample_bytes("short-news.json"));
    assert_eq!(next.status, 200, "{}", next.text());
}

#[test]
fn concurrent_requests_get_their_own_pdfs_and_identical_ones_render_once() {
    let server = Arc::new(Server::start(&["--workers", "2"]));
    let titles = [
        "Первая статья",
        "Вторая статья",
        "Первая статья",
        "Первая статья",
    ];
    let threads: Vec<_> = titles
        .iter()
        .map(|title| {
            let server = server.clone();
            let body =
                serde_json::to_vec(&serde_json::json!({"title": title, "body": "Текст заметки."}))
                    .unwrap();
            std::thread::spawn(move || server.post_json("/render", &body))
        })
        .collect();
    let answers: Vec<Answer> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for (title, a) in titles.iter().zip(&answers) {
        assert_eq!(a.status, 200);
        let text = pdf_text(&load(&a.body));
        assert!(text.contains(title), "{title} in {text}");
    }
    assert_eq!(answers[0].body, answers[2].body);
    assert_eq!(
        server.metric("babrpdf_render_seconds_count"),
        2.0,
        "two different articles, each rendered once"
    );
}

#[test]
fn sigterm_lets_a_render_in_flight_finish_then_exits_0() {
    let mut server = Server::start(&["--workers", "1", "--timeout", "120s"]);
    let url = server.url("/render");
    let slow = std::thread::spawn(move || {
        answer(
            agent()
                .post(&url)
                .header("Content-Type", "application/json")
                .send(&slow_article("Под занавес")[..]),
        )
    });
    server.wait_running(1.0);
    server.terminate();
    let finished = slow.join().unwrap();
    assert_eq!(finished.status, 200, "{}", finished.text());
    assert!(pdf_text(&load(&finished.body)).contains("Под занавес"));
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(server.log.lock().unwrap().contains("stopping"));
}

/// A `multipart/form-data` body by hand: (name, file name, media type, bytes) per part.
fn form(parts: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "babrpdf-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file, media, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: {media}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Image XObjects in a PDF.
fn images_in(pdf: &[u8]) -> usize {
    let doc = load(pdf);
    doc.objects
        .values()
        .filter(|o| {
            o.as_stream().is_ok_and(|s| {
                s.dict
                    .get(b"Subtype")
                    .is_ok_and(|t| t.as_name().is_ok_and(|n| n == b"Image"))
            })
        })
        .count()
}

#[test]
fn a_form_carries_the_article_and_the_only_images_it_may_read() {
    let server = Server::start(&[]);
    let photo = sample_bytes("baikal.jpg");
    let article =
        r#"{"title": "Байкал подо льдом", "body": "Текст.\n\n![Лёд у Листвянки](baikal.jpg)"}"#
            .as_bytes();
    let (media, body) = form(&[
        ("article", "article.json", "application/json", article),
        ("baikal.jpg", "baikal.jpg", "image/jpeg", &photo),
    ]);
    let a = server.post("/render", &media, &body);
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("x-babrpdf-warning-count"), Some("0"));
    assert_eq!(images_in(&a.body), 1, "the uploaded photo is drawn");

    // Without the part, the image is not read from anywhere else: its caption and a warning.
    let (media, body) = form(&[("article", "article.json", "application/json", article)]);
    let b = server.post("/render", &media, &body);
    assert_eq!(b.status, 200);
    assert_eq!(b.header("x-babrpdf-warning-count"), Some("1"));
    assert_eq!(images_in(&b.body), 0);
    assert_ne!(a.header("etag"), b.header("etag"));

    let (media, body) = form(&[("photo", "p.jpg", "image/jpeg", &photo)]);
    let none = server.post("/render", &media, &body);
    assert_eq!(none.status, 400);
    assert!(none.json()["error"].as_str().unwrap().contains("`article`"));
}

/// A CMS on loopback for pull mode: `GET /api/articles/ID.json` answers the article stored
/// under ID, or 404. Counts the requests it answers.
struct Cms {
    address: String,
    articles: Arc<Mutex<std::collections::HashMap<String, Vec<u8>>>>,
    requests: Arc<std::sync::atomic::AtomicUsize>,
}

impl Cms {
    fn start() -> Cms {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let articles: Arc<Mutex<std::collections::HashMap<String, Vec<u8>>>> = Default::default();
        let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (store, count) = (articles.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let path = line.split(' ').nth(1).unwrap_or("");
                let id = path
                    .strip_prefix("/api/articles/")
                    .and_then(|p| p.strip_suffix(".json"))
                    .unwrap_or("");
                let found = store.lock().unwrap().get(id).cloned();
                let reply = match found {
                    Some(body) => {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(&body);
                        r
                    }
                    None => {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&reply);
            }
        });
        Cms {
            address,
            articles,
            requests,
        }
    }

    fn put(&self, id: &str, json: &[u8]) {
        self.articles
            .lock()
            .unwrap()
            .insert(id.to_string(), json.to_vec());
    }

    fn template(&self) -> String {
        format!("{}/api/articles/{{id}}.json", self.address)
    }

    fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn pull_mode_renders_an_article_from_the_cms_and_revalidates() {
    let cms = Cms::start();
    cms.put("261270", &sample_bytes("short-news.json"));
    let server = Server::start(&["--article-url", &cms.template(), "--article-ttl", "60s"]);
    let a = server.get("/articles/261270.pdf?profile=print");
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(pdf_text(&load(&a.body)).contains("Ольхон"));
    assert_eq!(a.header("cache-control"), Some("public, max-age=60"));
    let etag = a.header("etag").unwrap().to_string();
    let again = answer(
        agent()
            .get(&server.url("/articles/261270.pdf?profile=print"))
            .header("If-None-Match", &etag)
            .call(),
    );
    assert_eq!(again.status, 304);
    assert_eq!(cms.requests(), 1, "within the TTL the CMS is asked once");
    assert_eq!(
        server.get("/articles/999.pdf").status,
        404,
        "an id the CMS does not know"
    );
    assert_eq!(server.get("/articles/..%2Fetc.pdf").status, 404);
    assert_eq!(server.get("/articles/261270.gif").status, 404);
}

#[test]
fn page_pictures_are_served_and_cached_by_format_page_and_width() {
    let cms = Cms::start();
    cms.put("42", &sample_bytes("long-feature.json"));
    let server = Server::start(&["--article-url", &cms.template()]);
    let png = |path: &str| {
        let a = server.get(path);
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        assert_eq!(a.header("content-type"), Some("image/png"), "{path}");
        let picture = image::load_from_memory(&a.body).expect("a PNG");
        (a, picture.width(), picture.height())
    };
    let (first, w, h) = png("/articles/42.png?page=1&width=300");
    assert_eq!((w, h), (300, 425), "A4 at 300 px wide");
    let etag = first.header("etag").unwrap().to_string();
    let disposition = first.header("content-disposition").unwrap();
    assert!(disposition.contains("-p1.png"), "{disposition}");
    // Each page, width and format is a picture of its own, with an ETag of its own.
    let (second, ..) = png("/articles/42.png?page=2&width=300");
    let (narrow, w, _) = png("/articles/42.png?page=1&width=200");
    assert_eq!(w, 200);
    let (dpi, w, _) = png("/articles/42.png?dpi=72");
    assert_eq!(
        w, 596,
        "page 1 at 72 dpi: a pixel a point, the last one partly covered"
    );
    let pdf = server.get("/articles/42.pdf");
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let etags: std::collections::BTreeSet<_> = [&first, &second, &narrow, &dpi, &pdf]
        .iter()
        .map(|a| a.header("etag").unwrap().to_string())
        .collect();
    assert_eq!(etags.len(), 5, "{etags:?}");
    let again = answer(
        agent()
            .get(&server.url("/articles/42.png?page=1&width=300"))
            .header("If-None-Match", &etag)
            .call(),
    );
    assert_eq!(again.status, 304);
    let svg = server.get("/articles/42.svg?page=2");
    assert_eq!(svg.status, 200, "{}", svg.text());
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(svg.text().contains("<svg"));
    // The PDF was rendered once for all of them.
    assert_eq!(server.metric("babrpdf_cache_misses_total"), 1.0);
    for (path, status, words) in [
        (
            "/articles/42.png?page=99",
            400,
            "page 99 asked for, but the document has",
        ),
        (
            "/articles/42.png?width=100000",
            400,
            "a width in pixels from 1 to",
        ),
        ("/articles/42.png?width=300&dpi=72", 400, "not both"),
        ("/articles/42.pdf?width=300", 400, "is for pictures"),
        (
            "/articles/42.png?format=pdf",
            400,
            "extension says the format",
        ),
        ("/articles/42.png?page=0", 400, "a page number from 1"),
    ] {
        let a = server.get(path);
        assert_eq!(a.status, status, "{path}: {}", a.text());
        let error = a.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains(words), "{path}: {error}");
    }
    // POST: the same, for an article in the body; the picture is cached like the PDF.
    let body = sample_bytes("short-news.json");
    let posted = server.post_json("/render?format=png&page=1&width=300", &body);
    assert_eq!(posted.status, 200, "{}", posted.text());
    assert_eq!(posted.header("content-type"), Some("image/png"));
    assert!(posted.body.starts_with(b"\x89PNG"));
    let hits = server.metric("babrpdf_cache_hits_total");
    let twice = server.post_json("/render?format=png&page=1&width=300", &body);
    assert_eq!(twice.body, posted.body);
    assert_eq!(server.metric("babrpdf_cache_hits_total"), hits + 1.0);
    let gif = server.post_json("/render?format=gif", &body);
    assert_eq!(gif.status, 400, "{}", gif.text());
}

#[test]
fn pull_mode_sees_a_changed_article_and_a_cms_that_is_down() {
    let cms = Cms::start();
    cms.put(
        "7",
        r#"{"title": "Первая версия", "body": "Текст."}"#.as_bytes(),
    );
    cms.put("bad", br#"{"title": 5}"#.as_slice());
    let server = Server::start(&["--article-url", &cms.template(), "--article-ttl", "0"]);
    let first = server.get("/articles/7.pdf");
    assert_eq!(first.status, 200);
    cms.put(
        "7",
        "{\"title\": \"Вторая версия\", \"body\": \"Текст.\"}".as_bytes(),
    );
    let second = server.get("/articles/7.pdf");
    assert_eq!(second.status, 200);
    assert_ne!(
        first.header("etag"),
        second.header("etag"),
        "a changed article, a new PDF"
    );
    assert!(pdf_text(&load(&second.body)).contains("Вторая"));
    assert_eq!(
        server.get("/articles/bad.pdf").status,
        502,
        "the CMS sent no article"
    );

    let dead = format!("{}/a/{{id}}.json", nobody_listening());
    let orphan = Server::start(&["--article-url", &dead]);
    let down = orphan.get("/articles/7.pdf");
    assert_eq!(down.status, 502, "{}", down.text());
    assert!(down.json()["error"].as_str().unwrap().contains("CMS"));
}

/// The calls README.md shows for PHP, Python, Node and the shell, run as they are against a
/// started server with a token: each writes the PDF, and reports the service's error message.
#[test]
fn the_php_python_node_and_curl_examples_fetch_a_pdf() {
    let dir = scratch("serve", "examples");
    let token = dir.join("token");
    std::fs::write(&token, "example-token\n").unwrap();
    let server = Server::start(&["--token-file", token.to_str().unwrap()]);
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"title": "T", "body": 5}"#).unwrap();
    for (interpreter, script) in [
        ("php", "render.php"),
        ("python3", "render.py"),
        ("node", "render.mjs"),
        ("sh", "render.sh"),
    ] {
        let run = |input: &std::path::Path, output: &std::path::Path| {
            std::process::Command::new(interpreter)
                .arg(examples.join(script))
                .arg(input)
                .arg(output)
                .env("BABRPDF_URL", &server.base)
                .env("BABRPDF_TOKEN", "example-token")
                .output()
                .unwrap_or_else(|e| {
                    panic!("{interpreter} is needed for this test (apt-get install php-cli php-curl python3 nodejs curl): {e}")
                })
        };
        let pdf = dir.join(format!("{script}.pdf"));
        let ok = run(&sample_path("short-news.json"), &pdf);
        assert!(
            ok.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(pdf_text(&load(&bytes)).contains("Ольхон"), "{script}");

        let failed = run(&bad, &dir.join(format!("{script}.bad.pdf")));
        assert!(
            !failed.status.success(),
            "{script} must fail on a bad article"
        );
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(
            stderr.contains("`body`: invalid type"),
            "{script}: {stderr}"
        );
        assert!(
            !dir.join(format!("{script}.bad.pdf")).exists(),
            "{script} leaves no file behind on failure"
        );
    }
}

#[test]
fn the_health_command_says_whether_the_service_is_up() {
    let server = Server::start(&[]);
    let up = bin()
        .args(["health", "--url", &server.base])
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let nobody = nobody_listening();
    let down = bin().args(["health", "--url", &nobody]).output().unwrap();
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).starts_with("babrpdf: "));
}

#[test]
fn a_theme_is_named_from_those_loaded_at_start() {
    let server = Server::start(&["--themes", sample_path("theme").to_str().unwrap()]);
    let plain = server.post_json("/render", &sample_bytes("short-news.json"));
    let themed = server.post_json("/render?theme=theme", &sample_bytes("short-news.json"));
    assert_eq!(themed.status, 200, "{}", themed.text());
    assert_ne!(plain.body, themed.body);
    assert_ne!(plain.header("etag"), themed.header("etag"));
    assert!(
        pdf_text(&load(&themed.body)).contains("Бабр-Новости · Иркутск"),
        "the theme's header text"
    );
    let unknown = server.post_json("/render?theme=other", &sample_bytes("short-news.json"));
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.json()["error"]
            .as_str()
            .unwrap()
            .contains("this service has: theme")
    );
}

#[test]
fn a_paper_the_request_or_the_service_names_wins_over_the_themes() {
    let dir = scratch("serve", "theme-paper");
    std::fs::write(dir.join("small.json"), r#"{"paper": "a5"}"#).unwrap();
    let themes = dir.to_str().unwrap();
    let article = sample_bytes("short-news.json");
    let width = |server: &Server, path: &str| {
        let answer = server.post_json(path, &article);
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        common::first_page_width(&answer.body)
    };
    let service = Server::start(&["--themes", themes]);
    let themed = width(&service, "/render?theme=small");
    assert!((themed - 419.5).abs() < 1.0, "the theme's A5, got {themed}");
    let asked = width(&service, "/render?theme=small&paper=a4");
    assert!(
        (asked - 595.3).abs() < 1.0,
        "?paper=a4 with a theme on A5 gave width {asked}"
    );
    let letter = Server::start(&["--themes", themes, "--paper", "letter"]);
    let typed = width(&letter, "/render?theme=small");
    assert!(
        (typed - 612.0).abs() < 1.0,
        "serve --paper letter with a theme on A5 gave width {typed}"
    );
}

#[test]
fn a_flood_is_answered_200_or_429_every_request_and_health_stays_up() {
    let server = Server::start(&["--workers", "1", "--queue", "4", "--cache-size", "0"]);
    let flood = 60;
    let barrier = std::sync::Barrier::new(flood + 1);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..flood)
            .map(|i| {
                let (barrier, server) = (&barrier, &server);
                s.spawn(move || {
                    let body = serde_json::to_vec(
                        &serde_json::json!({"title": format!("Заметка {i}"), "body": "Текст заметки."}),
                    )
                    .unwrap();
                    barrier.wait();
                    server.post_json("/render", &body).status
                })
            })
            .collect();
        barrier.wait();
        assert_eq!(server.get("/health").status, 200, "health during the flood");
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = statuses.iter().filter(|&&s| s == 200).count();
    let refused = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!(
        ok + refused,
        flood,
        "every request answered 200 or 429: {statuses:?}"
    );
    assert!(ok >= 5 && refused > 0, "{ok} rendered, {refused} refused");
}

#[test]
fn an_article_past_the_page_cap_is_422_with_the_limit_named() {
    let server = Server::start(&["--max-pages", "3"]);
    let long = server.post_json("/render", &slow_article("Длинная"));
    assert_eq!(long.status, 422, "{}", long.text());
    let error = long.json()["error"].as_str().unwrap().to_string();
    assert!(
        error.starts_with("limit exceeded") && error.contains('3'),
        "{error}"
    );
    assert_eq!(
        server
            .post_json("/render", &sample_bytes("short-news.json"))
            .status,
        200
    );
}

#[test]
fn after_sigterm_health_says_down_while_requests_are_still_served_then_it_exits_0() {
    let mut server = Server::start(&["--drain-delay", "3s"]);
    server.terminate();
    let start = Instant::now();
    let health = loop {
        let h = server.get("/health");
        if h.status == 503 || start.elapsed() > Duration::from_secs(2) {
            break h;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["status"], "down");
    let late = server.post_json("/render", &sample_bytes("short-news.json"));
    assert_eq!(
        late.status, 200,
        "a request in the drain delay is still served"
    );
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_body_that_never_finishes_is_cut_off_at_the_timeout() {
    let server = Server::start(&["--timeout", "500ms"]);
    // The head promises 1,000 bytes; only 10 come, and the connection stays open.
    let start = Instant::now();
    let head = raw_head(
        &server.base,
        "POST /render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\": ",
    );
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(
        server
            .post_json("/render", &sample_bytes("short-news.json"))
            .status,
        200
    );
}
