//! `babrpdf serve` spoken to over real HTTP: the binary started on an ephemeral port, every
//! route and status, the queue, the deadline, the token, the cache and a graceful stop.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{bin, load, pdf_text, sample_path, scratch};

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

    let big = server.post_json("/render", &vec![b' '; 200 << 10]);
    assert_eq!(big.status, 413, "{}", big.text());

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
