//! `babrpdf serve` on the command line: the options read into a `ServeConfig` (token and themes
//! loaded from their files), log lines on stderr, and the service's events printed.

use std::time::Duration;

#[cfg(feature = "serve")]
pub(crate) use service::*;

/// Whether the command handles SIGTERM itself (the service drains instead of exiting at once).
pub(crate) fn handles_signals(command: &crate::Command) -> bool {
    match command {
        #[cfg(feature = "serve")]
        crate::Command::Serve { .. } => true,
        crate::Command::Health { .. } => true,
        _ => false,
    }
}

/// `GET URL/health` within 5 s: `Ok` for 200, otherwise what was wrong.
pub(crate) fn health(url: &str) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let address = format!("{}/health", url.trim_end_matches('/'));
    let response = agent
        .get(&address)
        .call()
        .map_err(|e| format!("{address}: {e}"))?;
    match response.status().as_u16() {
        200 => Ok(()),
        status => Err(format!("{address}: HTTP {status}")),
    }
}

#[cfg(feature = "serve")]
mod service {
    use std::collections::BTreeMap;
    use std::net::SocketAddr;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::Duration;

    use babrpdf::Engine;
    use babrpdf::serve::{ServeConfig, ServeEvent};
    use babrpdf::theme::ThemeFile;

    use crate::{OptionArgs, Timeout};

    /// Most themes a `--themes` folder may hold (each is kept in memory with its logo).
    const MAX_THEMES: usize = 256;

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn serve_config(
        listen: SocketAddr,
        workers: Option<usize>,
        queue: usize,
        timeout: Timeout,
        max_body: u64,
        max_pages: usize,
        cache_size: u64,
        (article_url, article_ttl): (Option<String>, Timeout),
        token_file: Option<PathBuf>,
        themes: Option<PathBuf>,
        (drain_delay, grace): (Timeout, Timeout),
        options: &OptionArgs,
    ) -> Result<ServeConfig, String> {
        let defaults = ServeConfig::default();
        if let Some(template) = &article_url {
            let url = url::Url::parse(&template.replace("{id}", "1"))
                .map_err(|e| format!("--article-url `{template}`: {e}"))?;
            if !template.contains("{id}") || !matches!(url.scheme(), "http" | "https") {
                return Err(format!(
                    "--article-url `{template}`: give an http(s) address with {{id}} where the id goes"
                ));
            }
        }
        let mut render = options.render_options("-")?;
        // A request's own images come with it; a folder is read only when the operator names one.
        render.assets.root = options.assets.clone();
        render.limits.max_pages = max_pages.max(1);
        Ok(ServeConfig {
            listen,
            workers: workers.unwrap_or(defaults.workers).max(1),
            queue,
            // 0 means no limit on the command line; a service always keeps one (a day).
            timeout: timeout.0.unwrap_or(Duration::from_secs(86_400)),
            max_body: usize::try_from(max_body).unwrap_or(usize::MAX),
            cache_bytes: cache_size,
            article_url,
            article_ttl: article_ttl.0.unwrap_or(Duration::ZERO),
            token: token_file.as_deref().map(read_token).transpose()?,
            themes: themes
                .as_deref()
                .map(load_themes)
                .transpose()?
                .unwrap_or_default(),
            options: render,
            drain_delay: drain_delay.0.unwrap_or(Duration::ZERO),
            grace: grace.0.unwrap_or(Duration::from_secs(86_400)),
        })
    }

    /// The token file's first line; an empty one is refused (it would let anyone in).
    fn read_token(path: &Path) -> Result<String, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--token-file {}: {e}", path.display()))?;
        let token = text.lines().next().unwrap_or("").trim().to_string();
        if token.is_empty() {
            return Err(format!(
                "--token-file {}: the file holds no token",
                path.display()
            ));
        }
        Ok(token)
    }

    /// Every `NAME.json` in the folder, loaded and checked now: a broken theme stops the start,
    /// not a request hours later.
    fn load_themes(dir: &Path) -> Result<BTreeMap<String, Arc<ThemeFile>>, String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("--themes {}: {e}", dir.display()))?;
        let mut themes = BTreeMap::new();
        for entry in entries {
            let path = entry
                .map_err(|e| format!("--themes {}: {e}", dir.display()))?
                .path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if themes.len() == MAX_THEMES {
                return Err(format!(
                    "--themes {}: more than {MAX_THEMES} themes",
                    dir.display()
                ));
            }
            let theme = ThemeFile::load(&path).map_err(|e| e.to_string())?;
            themes.insert(name.to_string(), Arc::new(theme));
        }
        Ok(themes)
    }

    /// Runs the service, logging one line per request on stderr.
    pub(crate) fn run(engine: Engine, config: ServeConfig) -> Result<(), String> {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_target(false)
            .try_init();
        babrpdf::serve::run(engine, config, &|event| match event {
            ServeEvent::Listening(address) => eprintln!("babrpdf: listening on http://{address}"),
            ServeEvent::Draining => eprintln!(
                "babrpdf: stopping: /health says down; finishing requests in flight, taking no new ones after the drain delay"
            ),
            ServeEvent::GraceExpired => {
                eprintln!("babrpdf: grace period over; requests still running were cut off")
            }
        })
        .map_err(|e| e.to_string())
    }
}
