//! `babrpdf serve`: the engine behind HTTP for backends not written in Rust. One `Engine` shared
//! by a bounded pool of render workers, a bounded queue that answers 429 when full, a cache of
//! finished PDFs with strong ETags, health and Prometheus metrics, and a graceful stop.

mod cms;
mod metrics;
mod pool;
mod request;
mod respond;
mod routes;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::engine::{Engine, RenderOptions};
use crate::error::Error;
use crate::theme::ThemeFile;

/// How the service runs; `Default` is what `babrpdf serve` starts with.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on (loopback by default: put a proxy in front to expose it).
    pub listen: SocketAddr,
    /// Renders at once (default: one per core).
    pub workers: usize,
    /// Requests that may wait for a worker; more are answered 429 at once.
    pub queue: usize,
    /// Longest a request may wait and render; past it, 503.
    pub timeout: Duration,
    /// Largest request body, bytes; a larger one is answered 413 before it is read.
    pub max_body: usize,
    /// Bytes of finished PDFs kept for repeated requests (0: no cache).
    pub cache_bytes: u64,
    /// Pull mode: the CMS address of an article's JSON, `{id}` standing for its id
    /// (`https://cms.internal/api/articles/{id}.json`); `None`: `/articles/…` is not served.
    pub article_url: Option<String>,
    /// How long an article fetched from the CMS is used before it is fetched again (a changed
    /// article shows after at most this long); zero fetches it for every request.
    pub article_ttl: Duration,
    /// The bearer token every route but `/health` requires, if any.
    pub token: Option<String>,
    /// Themes a request may name (`?theme=NAME`), loaded at start-up.
    pub themes: BTreeMap<String, Arc<ThemeFile>>,
    /// The options every render starts from (paper, profile, assets, strictness …).
    pub options: RenderOptions,
    /// How long after SIGTERM requests are still taken (with `/health` already `down`), so a
    /// load balancer can stop sending them; zero stops taking them at once.
    pub drain_delay: Duration,
    /// How long in-flight requests may take to finish once no new ones are taken.
    pub grace: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: 64,
            timeout: Duration::from_secs(10),
            max_body: 8 * 1024 * 1024,
            cache_bytes: 256 * 1024 * 1024,
            article_url: None,
            article_ttl: Duration::from_secs(60),
            token: None,
            themes: BTreeMap::new(),
            options: RenderOptions::default(),
            drain_delay: Duration::ZERO,
            grace: Duration::from_secs(30),
        }
    }
}

/// What the service tells its caller while it runs (the command prints these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeEvent {
    /// Accepting connections on this address (the port is known even when 0 was asked for).
    Listening(SocketAddr),
    /// SIGTERM or SIGINT: `/health` says `down`; after the drain delay no new connections are
    /// taken and in-flight requests finish.
    Draining,
    /// The grace period ended with requests still running; they were cut off.
    GraceExpired,
}

/// Everything a request handler reads.
pub(crate) struct AppState {
    pub engine: Engine,
    pub config: ServeConfig,
    pub pool: pool::RenderPool,
    pub cache: moka::future::Cache<[u8; 32], Arc<respond::Pdf>>,
    /// Pull mode: article JSON by id, as the CMS sent it, for `article_ttl`.
    pub articles: moka::future::Cache<String, axum::body::Bytes>,
    pub metrics: metrics::Metrics,
    pub draining: AtomicBool,
}

/// Runs the service until SIGTERM or SIGINT, then drains. Returns when every in-flight request
/// was answered (or the grace period ended).
pub fn run(
    engine: Engine,
    config: ServeConfig,
    report: &(dyn Fn(ServeEvent) + Sync),
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(config.workers.max(1) + 4)
        .thread_name("babrpdf-serve")
        .build()?;
    runtime.block_on(routes::serve(engine, config, report))
}
