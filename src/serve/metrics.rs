//! Counters for `/metrics`, in the Prometheus text format: requests by route and status, render
//! time, queue depth, renders in flight, the cache and resident memory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds of the render-time histogram, seconds.
const RENDER_BUCKETS: [f64; 10] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
pub(crate) struct Metrics {
    /// (route, status) → requests answered.
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// Renders by upper bucket (the last one is +Inf).
    render_buckets: [AtomicU64; RENDER_BUCKETS.len() + 1],
    render_count: AtomicU64,
    render_micros: AtomicU64,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
}

/// What the pool and the cache say at the moment of a scrape.
pub(crate) struct Gauges {
    pub queued: usize,
    pub running: usize,
    pub cache_bytes: u64,
    pub cache_entries: u64,
}

impl Metrics {
    pub(crate) fn request(&self, route: &'static str, status: u16) {
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((route, status)).or_default() += 1;
    }

    pub(crate) fn render(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = RENDER_BUCKETS
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(RENDER_BUCKETS.len());
        self.render_buckets[bucket].fetch_add(1, Relaxed);
        self.render_count.fetch_add(1, Relaxed);
        self.render_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
    }

    /// The exposition text.
    pub(crate) fn text(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP babrpdf_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE babrpdf_requests_total counter\n");
        for ((route, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "babrpdf_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP babrpdf_render_seconds Time one render took (layout and PDF).\n");
        out.push_str("# TYPE babrpdf_render_seconds histogram\n");
        let mut cumulative = 0;
        for (i, bucket) in self.render_buckets.iter().enumerate() {
            cumulative += bucket.load(Relaxed);
            let le = RENDER_BUCKETS
                .get(i)
                .map_or("+Inf".to_string(), |b| b.to_string());
            let _ = writeln!(
                out,
                "babrpdf_render_seconds_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "babrpdf_render_seconds_sum {}\nbabrpdf_render_seconds_count {}",
            self.render_micros.load(Relaxed) as f64 / 1e6,
            self.render_count.load(Relaxed)
        );
        let gauge = |out: &mut String, name: &str, help: &str, kind: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        gauge(
            &mut out,
            "babrpdf_queue_depth",
            "Requests waiting for a render worker.",
            "gauge",
            gauges.queued as u64,
        );
        gauge(
            &mut out,
            "babrpdf_renders_in_flight",
            "Renders running now.",
            "gauge",
            gauges.running as u64,
        );
        gauge(
            &mut out,
            "babrpdf_cache_hits_total",
            "PDFs answered from the cache.",
            "counter",
            self.cache_hits.load(Relaxed),
        );
        gauge(
            &mut out,
            "babrpdf_cache_misses_total",
            "PDFs rendered because the cache lacked them.",
            "counter",
            self.cache_misses.load(Relaxed),
        );
        gauge(
            &mut out,
            "babrpdf_cache_bytes",
            "Bytes of PDFs the cache holds.",
            "gauge",
            gauges.cache_bytes,
        );
        gauge(
            &mut out,
            "babrpdf_cache_entries",
            "PDFs the cache holds.",
            "gauge",
            gauges.cache_entries,
        );
        if let Some(rss) = resident_bytes() {
            gauge(
                &mut out,
                "babrpdf_resident_memory_bytes",
                "Resident memory of the process.",
                "gauge",
                rss,
            );
        }
        out
    }
}

/// Resident set size from /proc (Linux); `None` elsewhere.
pub(crate) fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()?)
}
