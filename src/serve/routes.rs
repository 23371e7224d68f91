//! Routes and the request path: authentication, admission to the pool, the cache, the render,
//! the answer; the listener and the graceful stop.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ring::digest;

use super::metrics::Gauges;
use super::pool::{PoolError, RenderPool};
use super::request::{Query, article_from_body, media_type};
use super::respond::{Pdf, Problem, matches_etag, not_modified, pdf_response};
use super::{AppState, ServeConfig, ServeEvent, cms};
use crate::article::Article;
use crate::assets::{Assets, Uploaded};
use crate::engine::{Engine, RenderOptions};
use crate::error::Error;
use crate::preview::{self, PreviewOptions};

/// Seconds a client refused with 429 or 503 is asked to wait.
const RETRY_AFTER_SECONDS: u32 = 1;
/// Bytes of article JSON kept from the CMS (pull mode), ids included.
const ARTICLE_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// A POST's answer is for that request alone; the ETag lets the backend revalidate.
const POST_CACHE_CONTROL: &str = "private, no-cache";

pub(super) async fn serve(
    engine: Engine,
    config: ServeConfig,
    report: &(dyn Fn(ServeEvent) + Sync),
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("listen on {}: {e}", config.listen),
            ))
        })?;
    let address = listener.local_addr()?;
    let cache = moka::future::Cache::builder()
        .max_capacity(config.cache_bytes)
        .weigher(|_key, pdf: &Arc<Pdf>| u32::try_from(pdf.bytes.len()).unwrap_or(u32::MAX))
        .build();
    let articles = moka::future::Cache::builder()
        .max_capacity(ARTICLE_CACHE_BYTES)
        .weigher(|id: &String, json: &Bytes| {
            u32::try_from(id.len() + json.len()).unwrap_or(u32::MAX)
        })
        .time_to_live(config.article_ttl.max(Duration::from_millis(1)))
        .build();
    let (grace, drain_delay) = (config.grace, config.drain_delay);
    let state = Arc::new(AppState {
        engine,
        pool: RenderPool::new(config.workers.max(1), config.queue),
        config,
        cache,
        articles,
        metrics: Default::default(),
        draining: Default::default(),
    });
    let app = router(state.clone());
    let stop_signal = shutdown_signal();
    report(ServeEvent::Listening(address));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown({
        let mut stop = stop_rx.clone();
        async move {
            let _ = stop.wait_for(|s| *s).await;
        }
    });
    let server = tokio::spawn(async move { server.await });
    stop_signal.await;
    // Health says `down` at once; requests are still taken for the drain delay, while a load
    // balancer notices and sends them elsewhere; then no new connections, in-flight ones finish.
    state.draining.store(true, Relaxed);
    report(ServeEvent::Draining);
    tokio::time::sleep(drain_delay).await;
    let _ = stop_tx.send(true);
    match tokio::time::timeout(grace, server).await {
        Ok(Ok(result)) => result.map_err(Error::Io),
        Ok(Err(_)) => Err(Error::Io(std::io::Error::other(
            "the HTTP server task failed",
        ))),
        Err(_) => {
            report(ServeEvent::GraceExpired);
            Ok(())
        }
    }
}

/// Waits for SIGTERM (what Kubernetes and systemd send) or SIGINT (Ctrl-C). The handlers are
/// installed when this is called, not when it is first polled: the service calls it before it
/// says it listens, so a SIGTERM sent right after start drains instead of killing the process.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let handlers = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    );
    async move {
        let (Ok(mut term), Ok(mut int)) = handlers else {
            // Without signal handlers the service runs until killed.
            std::future::pending::<()>().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}

fn router(state: Arc<AppState>) -> Router {
    let guarded = Router::new()
        .route("/render", post(render))
        .route("/articles/{file}", get(pull))
        .route("/version", get(version))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), authorize));
    Router::new()
        .route("/health", get(health))
        .merge(guarded)
        .fallback(|| async {
            Problem::new(
                StatusCode::NOT_FOUND,
                "no such route (POST /render, GET /health, /version, /metrics)",
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        // What a form (`Multipart`) may read; plain bodies are capped in `read_body`.
        .layer(DefaultBodyLimit::max(state.config.max_body))
        .with_state(state)
}

/// The route's name for logs and metrics (a fixed set: paths from clients are not labels).
fn route_name(path: &str) -> &'static str {
    match path {
        "/render" => "render",
        "/health" => "health",
        "/version" => "version",
        "/metrics" => "metrics",
        p if p.starts_with("/articles/") => "articles",
        _ => "other",
    }
}

/// One structured log line and one metrics count per request.
async fn log_request(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let route = route_name(&path);
    state.metrics.request(route, status);
    let bytes = axum::body::HttpBody::size_hint(response.body()).exact();
    tracing::info!(
        target: "babrpdf::serve",
        %method,
        route,
        status,
        ms = format!("{:.1}", start.elapsed().as_secs_f64() * 1e3),
        bytes = bytes.unwrap_or(0),
        "request"
    );
    response
}

/// `Authorization: Bearer TOKEN` when the service has a token; compared in constant time.
async fn authorize(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.config.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_secret(given, token) {
            let mut response = Problem::new(
                StatusCode::UNAUTHORIZED,
                "this service needs `Authorization: Bearer <token>`",
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
    }
    next.run(request).await
}

/// Equal secrets, compared through their digests so neither the length nor the first
/// differing byte shows in the time taken.
fn same_secret(given: &str, expected: &str) -> bool {
    let a = digest::digest(&digest::SHA256, given.as_bytes());
    let b = digest::digest(&digest::SHA256, expected.as_bytes());
    a.as_ref()
        .iter()
        .zip(b.as_ref())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let draining = state.draining.load(Relaxed);
    let status = if draining { "down" } else { "up" };
    let body = serde_json::json!({
        "status": status,
        "details": {
            "engine": { "status": status },
            "queue": { "status": "up", "depth": state.pool.queued(), "running": state.pool.running() },
        }
    });
    let code = if draining {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (code, axum::Json(body)).into_response()
}

async fn version() -> &'static str {
    concat!("babrpdf ", env!("CARGO_PKG_VERSION"), "\n")
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    state.cache.run_pending_tasks().await;
    let gauges = Gauges {
        queued: state.pool.queued(),
        running: state.pool.running(),
        cache_bytes: state.cache.weighted_size(),
        cache_entries: state.cache.entry_count(),
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.text(&gauges),
    )
        .into_response()
}

/// `POST /render`: the body is the article.
async fn render(State(state): State<Arc<AppState>>, request: Request) -> Response {
    match render_request(&state, request).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn render_request(state: &Arc<AppState>, request: Request) -> Result<Response, Problem> {
    let deadline = Instant::now() + state.config.timeout;
    let query = Query::parse(request.uri().query())?;
    let mut options = query.options(&state.config)?;
    let headers = request.headers().clone();
    let mut media = media_type(&headers);
    check_declared_length(&headers, state.config.max_body)?;
    let body = if media == "multipart/form-data" {
        let form = within(deadline, read_form(state, request)).await?;
        media = form.media;
        // The form's images are the only files this request can read.
        options.assets = Assets {
            root: None,
            allow_hosts: options.assets.allow_hosts.clone(),
            uploaded: form.images,
        };
        form.article
    } else {
        within(
            deadline,
            read_body(request.into_body(), state.config.max_body),
        )
        .await?
    };
    let picture = query.picture()?;
    let pdf_key = cache_key(&options, &media, &body);
    let key = answer_key(&pdf_key, picture.as_ref());
    let etag = etag_of(&key);
    if matches_etag(&headers, &etag) {
        return Ok(not_modified(&etag, POST_CACHE_CONTROL));
    }
    // A body rendered before is answered from the cache without being parsed again.
    if let Some(pdf) = state.cache.get(&key).await {
        state.metrics.cache_hits.fetch_add(1, Relaxed);
        return Ok(pdf_response(&pdf, query.disposition, POST_CACHE_CONTROL));
    }
    let article = article_from_body(&media, &body)?;
    let pdf = cached_render(state, pdf_key, article, options, deadline).await?;
    let answer = cached_picture(state, key, pdf, picture, deadline).await?;
    Ok(pdf_response(&answer, query.disposition, POST_CACHE_CONTROL))
}

/// A body that is still arriving at the request's deadline is cut off (408): a client sending
/// a byte a minute must not hold a connection and a buffer for ever.
async fn within<T>(
    deadline: Instant,
    read: impl std::future::Future<Output = Result<T, Problem>>,
) -> Result<T, Problem> {
    tokio::time::timeout_at(deadline.into(), read)
        .await
        .unwrap_or_else(|_| {
            Err(Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive within this service's timeout",
            ))
        })
}

fn too_large(max: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than this service's limit of {max} bytes"),
    )
}

/// A body whose `Content-Length` passes the limit is refused before a byte of it is read.
fn check_declared_length(headers: &HeaderMap, max: usize) -> Result<(), Problem> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large(max));
    }
    Ok(())
}

/// The body, refused with 413 when the limit is passed while reading (a chunked body has no
/// length to check first).
async fn read_body(body: Body, max: usize) -> Result<Bytes, Problem> {
    axum::body::to_bytes(body, max)
        .await
        .map_err(|_| too_large(max))
}

/// Most parts a form may have: the article and its images.
const MAX_FORM_PARTS: usize = 256;

/// A `multipart/form-data` render: the `article` part and the images it names.
struct Form {
    article: Bytes,
    /// The article part's media type (JSON unless it says Markdown).
    media: String,
    images: Uploaded,
}

async fn read_form(state: &Arc<AppState>, request: Request) -> Result<Form, Problem> {
    let max = state.config.max_body;
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| Problem::bad_request(format!("multipart form: {}", e.body_text())))?;
    let mut article = None;
    let mut images = Uploaded::default();
    let mut parts = 0;
    let part_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(max)
        } else {
            Problem::bad_request(format!("multipart form: {}", e.body_text()))
        }
    };
    while let Some(field) = form.next_field().await.map_err(part_error)? {
        parts += 1;
        if parts > MAX_FORM_PARTS {
            return Err(Problem::bad_request(format!(
                "multipart form: more than {MAX_FORM_PARTS} parts"
            )));
        }
        let name = field.name().unwrap_or("").to_string();
        let markdown = field
            .content_type()
            .is_some_and(|t| t.starts_with("text/markdown"))
            || field.file_name().is_some_and(|f| f.ends_with(".md"));
        let bytes = field.bytes().await.map_err(part_error)?;
        if name == "article" {
            let media = if markdown {
                "text/markdown"
            } else {
                "application/json"
            };
            article = Some((bytes, media.to_string()));
        } else if !name.is_empty() {
            images.0.insert(name, Arc::from(bytes.as_ref()));
        }
    }
    let (article, media) =
        article.ok_or_else(|| Problem::bad_request("multipart form: no part named `article`"))?;
    Ok(Form {
        article,
        media,
        images,
    })
}

/// `GET /articles/{id}.pdf`: the article fetched from the CMS, rendered, cached.
async fn pull(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    match pull_request(&state, &file, uri.query(), &headers).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn pull_request(
    state: &Arc<AppState>,
    file: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, Problem> {
    let deadline = Instant::now() + state.config.timeout;
    let Some(template) = state.config.article_url.clone() else {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "this service has no --article-url: POST the article to /render",
        ));
    };
    let Some((id, format)) = pulled_file(file) else {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "an article is asked for as /articles/ID.pdf, or ID.png or ID.svg for a picture of \
             a page (ID: letters, digits, - _ .)",
        ));
    };
    let mut query = Query::parse(query)?;
    if query.format.is_some_and(|asked| asked != format) {
        return Err(Problem::bad_request(
            "query `format`: the file's extension says the format (ID.pdf, ID.png, ID.svg)",
        ));
    }
    query.format = Some(format);
    let picture = query.picture()?;
    let options = query.options(&state.config)?;
    let json = article_json(state, &template, id, deadline).await?;
    let cache_control = pull_cache_control(state.config.article_ttl);
    let pdf_key = cache_key(&options, "application/json", &json);
    let key = answer_key(&pdf_key, picture.as_ref());
    let etag = etag_of(&key);
    if matches_etag(headers, &etag) {
        return Ok(not_modified(&etag, cache_control));
    }
    let article = article_from_body("application/json", &json).map_err(|mut p| {
        // The CMS sent something that is not an article: its fault, not the caller's.
        p.status = StatusCode::BAD_GATEWAY;
        p.message = format!("article {id} from the CMS: {}", p.message);
        p
    })?;
    let pdf = cached_render(state, pdf_key, article, options, deadline).await?;
    let answer = cached_picture(state, key, pdf, picture, deadline).await?;
    Ok(pdf_response(&answer, query.disposition, cache_control))
}

/// The id and the picture format of `ID.pdf`, `ID.png` or `ID.svg` (`None`: the PDF).
fn pulled_file(file: &str) -> Option<(&str, Option<preview::PreviewFormat>)> {
    let (id, extension) = file.rsplit_once('.')?;
    let format = match extension {
        "pdf" => None,
        "png" => Some(preview::PreviewFormat::Png),
        "svg" => Some(preview::PreviewFormat::Svg),
        _ => return None,
    };
    cms::valid_id(id).then_some((id, format))
}

/// What a browser or a CDN may do with a pulled PDF: keep it as long as the service keeps the
/// article, then revalidate with the ETag.
fn pull_cache_control(ttl: Duration) -> &'static str {
    if ttl.is_zero() {
        "no-cache"
    } else {
        // A fixed set of values keeps the header static; the TTL is rounded down to one.
        match ttl.as_secs() {
            0..=9 => "public, max-age=0, must-revalidate",
            10..=59 => "public, max-age=10",
            60..=299 => "public, max-age=60",
            300..=3599 => "public, max-age=300",
            _ => "public, max-age=3600",
        }
    }
}

/// The article's JSON: from the service's copy when it is younger than `--article-ttl`,
/// otherwise from the CMS (one fetch however many requests ask for it at once).
async fn article_json(
    state: &Arc<AppState>,
    template: &str,
    id: &str,
    deadline: Instant,
) -> Result<Bytes, Problem> {
    let url = cms::article_url(template, id);
    let max = state.config.max_body;
    let fetch = {
        let id = id.to_string();
        async move {
            tokio::task::spawn_blocking(move || cms::fetch_article(&url, &id, max, deadline))
                .await
                .unwrap_or_else(|_| {
                    Err(Problem::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the CMS fetch failed unexpectedly",
                    ))
                })
        }
    };
    if state.config.article_ttl.is_zero() {
        return fetch.await;
    }
    state
        .articles
        .try_get_with(id.to_string(), fetch)
        .await
        .map_err(|e: Arc<Problem>| (*e).clone())
}

/// What identifies a PDF: the engine's version, the options that change the bytes and the
/// request body (SHA-256: a cache key must not be forgeable).
fn cache_key(options: &RenderOptions, media: &str, body: &[u8]) -> [u8; 32] {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(env!("CARGO_PKG_VERSION").as_bytes());
    context.update(&[0]);
    context.update(&options.fingerprint().to_le_bytes());
    context.update(media.as_bytes());
    context.update(&[0]);
    context.update(body);
    // A form's images by name and content (not the form's bytes: its boundary is random).
    for (name, bytes) in &options.assets.uploaded.0 {
        context.update(&(name.len() as u64).to_le_bytes());
        context.update(name.as_bytes());
        context.update(&(bytes.len() as u64).to_le_bytes());
        context.update(bytes);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(context.finish().as_ref());
    key
}

/// What identifies a picture: the PDF's key, the format, the page and the size; the PDF's own
/// key when no picture is asked for.
fn answer_key(pdf_key: &[u8; 32], picture: Option<&PreviewOptions>) -> [u8; 32] {
    let Some(picture) = picture else {
        return *pdf_key;
    };
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(pdf_key);
    let fields = format!(
        "{:?}|{:?}|{:?}|{}",
        picture.format, picture.pages, picture.size, picture.grey
    );
    context.update(fields.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(context.finish().as_ref());
    key
}

/// A strong ETag from the key: the PDF's bytes follow from it alone.
fn etag_of(key: &[u8; 32]) -> String {
    let hex: String = key[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The PDF from the cache, or rendered once however many identical requests ask at once.
async fn cached_render(
    state: &Arc<AppState>,
    key: [u8; 32],
    article: Article,
    options: RenderOptions,
    deadline: Instant,
) -> Result<Arc<Pdf>, Problem> {
    if let Some(pdf) = state.cache.get(&key).await {
        state.metrics.cache_hits.fetch_add(1, Relaxed);
        return Ok(pdf);
    }
    state.metrics.cache_misses.fetch_add(1, Relaxed);
    let render = render_pdf(state, etag_of(&key), article, options, deadline);
    made_once(state, key, render).await
}

/// What `make` makes, kept in the cache under `key` (when the service has one) and made once
/// however many identical requests ask for it at once.
async fn made_once(
    state: &AppState,
    key: [u8; 32],
    make: impl std::future::Future<Output = Result<Pdf, Problem>>,
) -> Result<Arc<Pdf>, Problem> {
    let make = async move { make.await.map(Arc::new) };
    if state.config.cache_bytes == 0 {
        return make.await;
    }
    state
        .cache
        .try_get_with(key, make)
        .await
        .map_err(|e: Arc<Problem>| (*e).clone())
}

/// The picture of `pdf` asked for, from the cache or drawn once however many identical
/// requests ask at once; the PDF itself when no picture is asked for.
async fn cached_picture(
    state: &Arc<AppState>,
    key: [u8; 32],
    pdf: Arc<Pdf>,
    picture: Option<PreviewOptions>,
    deadline: Instant,
) -> Result<Arc<Pdf>, Problem> {
    let Some(picture) = picture else {
        return Ok(pdf);
    };
    let draw = draw_picture(state, etag_of(&key), pdf, picture, deadline);
    made_once(state, key, draw).await
}

/// A place in the render pool, or 429.
fn admit(state: &AppState) -> Result<super::pool::Admission, Problem> {
    state.pool.admit().ok_or_else(|| {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "every render worker is busy and the queue is full; try again shortly",
        )
        .retry_after(RETRY_AFTER_SECONDS)
    })
}

/// One page of `pdf` drawn on a worker, within the request's deadline.
async fn draw_picture(
    state: &Arc<AppState>,
    etag: String,
    pdf: Arc<Pdf>,
    picture: PreviewOptions,
    deadline: Instant,
) -> Result<Pdf, Problem> {
    let admission = admit(state)?;
    let bytes = pdf.bytes.clone();
    let outcome = state
        .pool
        .run(&admission, deadline, move |_left: Duration| {
            preview::pictures(&bytes, &picture)
        })
        .await;
    match outcome {
        Ok(Ok((mut pages, _))) if !pages.is_empty() => {
            let page = pages.swap_remove(0);
            Ok(Pdf {
                bytes: Bytes::from(page.bytes),
                warnings: pdf.warnings.clone(),
                etag,
                name: format!("{}-p{}", pdf.name, page.number),
                extension: picture.format.extension(),
                media: picture.format.media_type(),
            })
        }
        Ok(Ok(_)) => Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the preview drew no page",
        )),
        Ok(Err(e)) => Err(Problem::from_error(&e)),
        Err(e) => Err(pool_failure(state, e)),
    }
}

/// What a job that never ran to its end answers: 503 past the deadline, 500 for a panic.
fn pool_failure(state: &AppState, e: PoolError) -> Problem {
    match e {
        PoolError::QueueTimeout => timed_out(state),
        PoolError::Panicked => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the render failed unexpectedly (a bug; it is logged)",
        ),
    }
}

/// One render on a worker, within the request's deadline.
async fn render_pdf(
    state: &Arc<AppState>,
    etag: String,
    article: Article,
    mut options: RenderOptions,
    deadline: Instant,
) -> Result<Pdf, Problem> {
    let admission = admit(state)?;
    let name = crate::batch::slug(&article.title);
    let job_state = state.clone();
    let outcome = state
        .pool
        .run(&admission, deadline, move |left: Duration| {
            options.limits.timeout = Some(left);
            let start = Instant::now();
            let result = job_state.engine.render(&article, &options);
            job_state.metrics.render(start.elapsed());
            result
        })
        .await;
    match outcome {
        Ok(Ok(rendered)) => Ok(Pdf {
            bytes: Bytes::from(rendered.pdf),
            warnings: rendered.warnings.iter().map(|w| w.to_string()).collect(),
            etag,
            name: if name.is_empty() {
                "article".into()
            } else {
                name
            },
            extension: "pdf",
            media: "application/pdf",
        }),
        Ok(Err(e)) if matches!(e, Error::Limit(_)) && Instant::now() >= deadline => {
            Err(timed_out(state))
        }
        Ok(Err(e)) => Err(Problem::from_error(&e)),
        Err(e) => Err(pool_failure(state, e)),
    }
}

fn timed_out(state: &AppState) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "the render did not finish within this service's {} s",
            state.config.timeout.as_secs_f64()
        ),
    )
    .retry_after(RETRY_AFTER_SECONDS)
}
