//! The service under load, over real HTTP on loopback: uncached renders at 8 concurrent clients,
//! cached answers and 304s, resident memory after 1,000 and 20,000 renders, and a flood of 500
//! concurrent requests against a queue of 64 — beside `babrpdf render` run once per request,
//! the way a backend without the service would do it. Prints figures; never asserts on time.
//! Without `--bench` (as `cargo test --all-targets` runs it) each part runs a few times only.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

const CLIENTS: usize = 8;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_babrpdf"))
}

fn seed() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/short-news.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The seed article with a title of its own: another PDF, so no cache can answer it.
fn unique(seed: &serde_json::Value, n: usize) -> Vec<u8> {
    let mut article = seed.clone();
    article["title"] = format!("{} — {n}", article["title"].as_str().unwrap()).into();
    serde_json::to_vec(&article).unwrap()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = binary()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().unwrap().unwrap();
            if let Some(a) = line.strip_prefix("babrpdf: listening on ") {
                break a.to_string();
            }
        };
        // Keep reading the log so the service never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Server { child, base }
    }

    fn metric(&self, name: &str) -> f64 {
        let text = agent()
            .get(&format!("{}/metrics", self.base))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// `total` requests from `CLIENTS` threads, each made by `request(i)`; returns the wall time
/// and every latency, sorted, and how many answers had each status.
fn load(
    total: usize,
    request: impl Fn(&ureq::Agent, usize) -> u16 + Sync,
) -> (
    Duration,
    Vec<Duration>,
    std::collections::BTreeMap<u16, usize>,
) {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let results: Vec<(Vec<Duration>, Vec<u16>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|_| {
                s.spawn(|| {
                    let agent = agent();
                    let (mut times, mut statuses) = (Vec::new(), Vec::new());
                    loop {
                        let i = next.fetch_add(1, Relaxed);
                        if i >= total {
                            break;
                        }
                        let t = Instant::now();
                        statuses.push(request(&agent, i));
                        times.push(t.elapsed());
                    }
                    (times, statuses)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = start.elapsed();
    let mut times: Vec<Duration> = results.iter().flat_map(|r| r.0.clone()).collect();
    times.sort();
    let mut statuses = std::collections::BTreeMap::new();
    for s in results.iter().flat_map(|r| r.1.iter()) {
        *statuses.entry(*s).or_default() += 1;
    }
    (wall, times, statuses)
}

fn quantile(times: &[Duration], q: f64) -> f64 {
    times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3
}

fn print(
    what: &str,
    total: usize,
    wall: Duration,
    times: &[Duration],
    statuses: &std::collections::BTreeMap<u16, usize>,
) {
    println!(
        "{what:<52} {:>8.0} /s   p50 {:>6.2} ms   p99 {:>6.2} ms   {statuses:?}",
        total as f64 / wall.as_secs_f64(),
        quantile(times, 0.5),
        quantile(times, 0.99),
    );
}

fn post(agent: &ureq::Agent, base: &str, body: &[u8]) -> u16 {
    let mut response = agent
        .post(&format!("{base}/render"))
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap();
    let _ = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec();
    response.status().as_u16()
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let scale = |n: usize| if bench { n } else { (n / 1000).max(CLIENTS) };
    let seed = seed();
    let cores = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .to_string();

    // Uncached renders: every request another article.
    let server = Server::start(&["--workers", &cores, "--queue", "64", "--cache-size", "0"]);
    let n = scale(4000);
    let bodies: Vec<Vec<u8>> = (0..n).map(|i| unique(&seed, i)).collect();
    let (wall, times, statuses) = load(n, |agent, i| post(agent, &server.base, &bodies[i]));
    print(
        &format!("POST /render uncached, {CLIENTS} clients"),
        n,
        wall,
        &times,
        &statuses,
    );
    drop(server);

    // The baseline: one `babrpdf render` process per request, as many at once.
    let n = scale(800);
    let (wall, times, statuses) = load(n, |_, i| {
        let mut child = binary()
            .args(["render", "-", "-o", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&bodies[i % bodies.len()])
            .unwrap();
        let out = child.wait_with_output().unwrap();
        if out.status.success() && out.stdout.starts_with(b"%PDF") {
            200
        } else {
            500
        }
    });
    print(
        &format!("babrpdf render per request, {CLIENTS} at once"),
        n,
        wall,
        &times,
        &statuses,
    );

    // Cached: the same article again and again; then revalidation (304).
    let server = Server::start(&["--workers", &cores]);
    let body = unique(&seed, 0);
    let etag = agent()
        .post(&format!("{}/render", server.base))
        .header("Content-Type", "application/json")
        .send(&body[..])
        .unwrap()
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let n = scale(40_000);
    let (wall, times, statuses) = load(n, |agent, _| post(agent, &server.base, &body));
    print(
        &format!("POST /render cached, {CLIENTS} clients"),
        n,
        wall,
        &times,
        &statuses,
    );
    let (wall, times, statuses) = load(n, |agent, _| {
        agent
            .post(&format!("{}/render", server.base))
            .header("Content-Type", "application/json")
            .header("If-None-Match", &etag)
            .send(&body[..])
            .unwrap()
            .status()
            .as_u16()
    });
    print(
        &format!("POST /render If-None-Match (304), {CLIENTS} clients"),
        n,
        wall,
        &times,
        &statuses,
    );
    drop(server);

    // Memory: resident size after 1,000 and after 20,000 uncached renders.
    let server = Server::start(&["--workers", &cores, "--cache-size", "0"]);
    let mut done = 0;
    for checkpoint in [scale(1000), scale(20_000)] {
        let (_, _, statuses) = load(checkpoint - done, |agent, i| {
            post(agent, &server.base, &unique(&seed, done + i))
        });
        done = checkpoint;
        println!(
            "resident memory after {done:>6} uncached renders: {:>6.1} MB   {statuses:?}",
            server.metric("babrpdf_resident_memory_bytes") / 1e6
        );
    }
    drop(server);

    // A flood: 500 requests at once against 2 workers and a queue of 64.
    let server = Server::start(&["--workers", "2", "--queue", "64", "--cache-size", "0"]);
    let flood = if bench { 500 } else { 80 };
    let barrier = Barrier::new(flood + 1);
    let health = AtomicUsize::new(0);
    let start = Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..flood)
            .map(|i| {
                let (barrier, body) = (&barrier, unique(&seed, 1_000_000 + i));
                let base = &server.base;
                s.spawn(move || {
                    let agent = agent();
                    barrier.wait();
                    post(&agent, base, &body)
                })
            })
            .collect();
        barrier.wait();
        let probe = agent();
        while handles.iter().any(|h| !h.is_finished()) {
            if probe
                .get(&format!("{}/health", server.base))
                .call()
                .is_ok_and(|r| r.status() == 200)
            {
                health.fetch_add(1, Relaxed);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut counts = std::collections::BTreeMap::new();
    for s in &statuses {
        *counts.entry(*s).or_insert(0usize) += 1;
    }
    println!(
        "flood of {flood} at once, 2 workers, queue 64: {counts:?} in {:.0} ms; /health answered 200 {} times during it",
        start.elapsed().as_secs_f64() * 1e3,
        health.load(Relaxed)
    );
}
