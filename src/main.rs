//! The `babrpdf` command: a thin shell over the library. No layout logic lives here.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use babrpdf::assets::Assets;
use babrpdf::atomic::write_atomically;
use babrpdf::batch::BatchOptions;
use babrpdf::theme::ThemeFile;
use babrpdf::{Article, Engine, Paper, Profile, RenderOptions};

/// mimalloc, not glibc's malloc: krilla allocates and frees a deflate state of a few hundred KB
/// for every stream, between the blocks a render keeps, and glibc strands the holes (a 20 MB
/// article peaked at 1.5 GB with glibc, 0.85 GB with mimalloc). Set up by `tune_allocator`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Commits memory as it is used, returns freed pages after 10 ms, and asks for no transparent
/// huge pages: a one-page render then touches 4 KB pages, where with huge pages the kernel
/// zeroed 2 MB for each of mimalloc's first blocks (a quarter of the CPU time of `babrpdf render`
/// on the seed article). Returning pages at once (a delay of 0) cost a 20 MB article 1.3 s of
/// system time in `madvise` and the page faults after it, against 0.55 s, for 4 MB less peak.
/// Option numbers are those of the mimalloc v3 that `mimalloc =0.1.52` builds:
/// `mi_option_arena_eager_commit` 4, `mi_option_purge_delay` 15, `mi_option_allow_thp` 44.
extern "C" fn tune_allocator() {
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const ALLOW_THP: libmimalloc_sys::mi_option_t = 44;
    // SAFETY: setting an option is allowed at any time, before or after mimalloc starts; all
    // three take plain integers.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 10);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
}

/// Runs `tune_allocator` as the program is loaded, before the Rust runtime's first allocation:
/// options set in `main` came after mimalloc had already reserved its first arena.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR_AT_LOAD: extern "C" fn() = tune_allocator;

use clap::{Parser, Subcommand};

mod preview_command;
mod report;
mod serve_command;
use preview_command::OutputFormat;
use report::BatchReport;
#[cfg(feature = "serve")]
use serve_command::serve_config;

#[derive(Parser)]
#[command(
    name = "babrpdf",
    version,
    about = "Article JSON to print-quality PDF, set like a Russian newspaper page"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render one article to PDF, or to pictures of its pages (PNG, SVG).
    #[command(after_help = "Examples:
  babrpdf render samples/short-news.json                 writes samples/short-news.pdf
  babrpdf render samples/short-news.md -o news.pdf       a Markdown article with YAML front matter
  babrpdf render article.json -o /tmp/out.pdf --paper a5
  babrpdf render article.json --format png --pages 1 --width 300 -o thumb.png
  babrpdf render article.json --format png --dpi 150 -o 'page-{p}.png'   one PNG a page
  curl -s https://site/api/article/123 | babrpdf render - -o - > article.pdf")]
    Render {
        /// Article JSON (.json) or Markdown with YAML front matter (.md), or `-` for standard input.
        input: String,
        /// Output PDF; `-` writes to standard output. Default: the input's name with `.pdf`.
        /// Pictures: `{p}` (or `{0p}`, zero-padded) in the name stands for the page number.
        #[arg(short, long)]
        output: Option<String>,
        /// What to write: pdf, or pictures of the pages: png or svg.
        #[arg(long, default_value = "pdf", value_parser = preview_command::parse_format)]
        format: OutputFormat,
        /// Pages drawn as pictures: 3, 1-3 or 2- (to the end) [default: all].
        #[arg(long, value_name = "RANGE", value_parser = preview_command::parse_pages)]
        pages: Option<babrpdf::preview::PageRange>,
        /// Resolution of the pictures in dots per inch, 1-1200 [default: 150].
        #[arg(long, value_name = "N", value_parser = preview_command::parse_dpi, conflicts_with = "width")]
        dpi: Option<u32>,
        /// Width of each picture in pixels, 1-10000 (instead of --dpi).
        #[arg(long, value_name = "PX", value_parser = preview_command::parse_width)]
        width: Option<u32>,
        /// PNG in shades of grey.
        #[arg(long)]
        grey: bool,
        /// Longest the render may take (10s, 500ms, 2m; 0 for no limit); past it, it fails and
        /// writes nothing.
        #[arg(long, value_name = "DURATION", default_value_t = Timeout::DEFAULT, value_parser = parse_timeout)]
        timeout: Timeout,
        #[command(flatten)]
        options: OptionArgs,
    },
    /// Render many articles on every core: folders, .jsonl, .jsonl.gz files or `-` (JSON lines).
    #[command(
        after_help = "Exit status: 0 all rendered or up to date, 3 some articles failed \
(listed in OUTDIR/failures.jsonl), 1 the batch could not run.
Examples:
  babrpdf batch archive.jsonl.gz -o pdf/ --name '{published:%Y/%m}/{id}'
  babrpdf batch articles/ -o pdf/ --shard 2/4
  babrpdf batch 2024-06.jsonl -o pdf/ --volume june-2024.pdf --volume-title 'Июнь 2024'"
    )]
    Batch {
        /// Inputs: folders of .json/.md files, .jsonl or .jsonl.gz files, or `-` for JSON lines on standard input.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Folder the PDFs, failures.jsonl and the rerun manifest go to.
        #[arg(short, long, value_name = "OUTDIR")]
        output: PathBuf,
        /// Worker threads (default: every core).
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Render only this machine's share: K/N takes the articles whose id hashes to K of N.
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<(u64, u64)>,
        /// File name template: {id}, {slug}, {published:%Y/%m} ... (`.pdf` is added).
        #[arg(long, default_value = "{id}")]
        name: String,
        /// No progress lines, only errors.
        #[arg(short, long)]
        quiet: bool,
        /// Also bind every article, in input order, into this one PDF: pages numbered through,
        /// a bookmark per article, the contents at the end.
        #[arg(long, value_name = "FILE.pdf")]
        volume: Option<PathBuf>,
        /// The volume's title, printed above its contents and kept in its metadata.
        #[arg(long, value_name = "TEXT", requires = "volume")]
        volume_title: Option<String>,
        /// Longest one article may take (10s, 500ms, 2m; 0 for no limit); past it, the article
        /// fails alone (listed in failures.jsonl) and the batch goes on.
        #[arg(long, value_name = "DURATION", default_value_t = Timeout::DEFAULT, value_parser = parse_timeout)]
        article_timeout: Timeout,
        #[command(flatten)]
        options: OptionArgs,
    },
    /// Ask a running service whether it is up (for container health checks): exit 0 when
    /// GET /health answers 200, 1 otherwise.
    Health {
        /// The service's address.
        #[arg(long, default_value = "http://127.0.0.1:3000")]
        url: String,
    },
    /// Serve renders over HTTP: POST /render, GET /health, /version, /metrics.
    #[cfg(feature = "serve")]
    #[command(after_help = "Examples:
  babrpdf serve                                   listens on 127.0.0.1:3000
  babrpdf serve --listen 0.0.0.0:8080 --workers 4 --token-file /run/secrets/babrpdf-token
  curl -s --data-binary @samples/short-news.json -H 'Content-Type: application/json' \\
       'http://127.0.0.1:3000/render?profile=print' -o article.pdf")]
    Serve {
        /// Address and port to listen on; the port may be 0 (any free port, printed at start).
        #[arg(long, default_value = "127.0.0.1:3000")]
        listen: std::net::SocketAddr,
        /// Renders at once (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Requests that may wait for a worker; more are answered 429 at once.
        #[arg(long, default_value_t = 64)]
        queue: usize,
        /// Longest a request may wait and render (10s, 500ms); past it, 503.
        #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
        timeout: Timeout,
        /// Most pages one article may fill; a longer one is answered 422 (a bound on what one
        /// render holds in memory).
        #[arg(long, value_name = "N", default_value_t = 1000)]
        max_pages: usize,
        /// Largest request body (8MB, 512KB); larger ones are answered 413 unread.
        #[arg(long, value_name = "SIZE", default_value = "8MB", value_parser = parse_size)]
        max_body: u64,
        /// Memory for finished PDFs kept for repeated requests (0 turns the cache off).
        #[arg(long, value_name = "SIZE", default_value = "256MB", value_parser = parse_size)]
        cache_size: u64,
        /// Pull mode: the CMS address of an article's JSON, {id} for its id; then
        /// GET /articles/ID.pdf renders it.
        #[arg(long, value_name = "TEMPLATE")]
        article_url: Option<String>,
        /// How long an article fetched from the CMS is used before it is fetched again
        /// (0: every request asks the CMS).
        #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
        article_ttl: Timeout,
        /// File holding the bearer token every route but /health requires.
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// Folder of theme files (NAME.json) a request may name with ?theme=NAME.
        #[arg(long, value_name = "DIR")]
        themes: Option<PathBuf>,
        /// After SIGTERM, keep taking requests this long with /health already down (for a load
        /// balancer to notice; 5s suits Kubernetes), then stop taking new ones.
        #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_timeout)]
        drain_delay: Timeout,
        /// How long in-flight requests may finish once no new ones are taken.
        #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_timeout)]
        grace: Timeout,
        #[command(flatten)]
        options: OptionArgs,
    },
}

/// Options shared by every command that renders.
#[derive(clap::Args)]
struct OptionArgs {
    /// Paper size: a4, a5 or letter [default: the theme's, else a4]. Wins over the theme's.
    #[arg(long, value_parser = parse_paper)]
    paper: Option<Paper>,
    /// Folder of extra fonts (.ttf, .otf) used for characters the PT fonts lack.
    #[arg(long)]
    font_dir: Option<PathBuf>,
    /// Fewest lines of a paragraph alone at the top of a page (1 = no widow control).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=10))]
    widows: u8,
    /// Fewest lines of a paragraph alone at the bottom of a page (1 = no orphan control).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=10))]
    orphans: u8,
    /// Folder images are read from (default: the article's folder; none for standard input).
    #[arg(long, value_name = "DIR")]
    assets: Option<PathBuf>,
    /// Host whose http(s) images may be fetched (repeatable). Nothing is fetched otherwise.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
    /// Fail when an image cannot be drawn, instead of printing its caption with a warning.
    #[arg(long)]
    strict: bool,
    /// `download` (screens, archives: clickable links) or `print` (paper: link notes, QR code).
    #[arg(long, default_value = "download", value_parser = parse_profile)]
    profile: Profile,
    /// Produce PDF/A-2b (archival), validated; a violation is an error.
    #[arg(long)]
    pdfa: bool,
    /// Theme file (JSON): paper, margins, sizes, leading, colours, header text, logo.
    #[arg(long, value_name = "FILE")]
    theme: Option<PathBuf>,
}

impl OptionArgs {
    /// Library options for an input at `input` (`-` for standard input).
    fn render_options(&self, input: &str) -> Result<RenderOptions, String> {
        let theme = match &self.theme {
            Some(path) => Some(std::sync::Arc::new(
                ThemeFile::load(path).map_err(|e| e.to_string())?,
            )),
            None => None,
        };
        let root = self
            .assets
            .clone()
            .or_else(|| (input != "-").then(|| Assets::beside(Path::new(input)).root)?);
        Ok(RenderOptions {
            paper: self.paper,
            widows: self.widows.into(),
            orphans: self.orphans.into(),
            assets: Assets {
                root,
                allow_hosts: self.allow_hosts.clone(),
                ..Default::default()
            },
            strict: self.strict,
            profile: self.profile,
            pdfa: self.pdfa,
            theme,
            limits: babrpdf::Limits::default(),
        })
    }
}

/// A render's time limit; `None` for none (`0` on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Timeout(Option<Duration>);

impl Timeout {
    const DEFAULT: Timeout = Timeout(Some(babrpdf::Limits::DEFAULT_TIMEOUT));
}

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => write!(f, "0"),
            Some(d) if d.subsec_millis() == 0 => write!(f, "{}s", d.as_secs()),
            Some(d) => write!(f, "{}ms", d.as_millis()),
        }
    }
}

/// `10s`, `500ms`, `2m`, `1h`, `1.5s`; `0` (with or without a unit) for no limit.
fn parse_timeout(s: &str) -> Result<Timeout, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let wrong = || format!("duration `{s}`: write it as 10s, 500ms, 2m or 1h (0 for no limit)");
    let number: f64 = number.parse().map_err(|_| wrong())?;
    if number == 0.0 && !number.is_sign_negative() {
        return Ok(Timeout(None));
    }
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "s" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        _ => return Err(wrong()),
    };
    Duration::try_from_secs_f64(seconds)
        .map(|d| Timeout(Some(d)))
        .map_err(|_| wrong())
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("shard `{s}` is not K/N"))?;
    let (k, n) = (k.trim().parse::<u64>(), n.trim().parse::<u64>());
    match (k, n) {
        (Ok(k), Ok(n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => Err(format!("shard `{s}`: need 1 <= K <= N")),
    }
}

/// `8MB`, `512KB`, `1GB`, `1048576` (bytes); units are powers of 1024.
#[cfg(feature = "serve")]
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => {
            return Err(format!(
                "size `{s}`: write it as 8MB, 512KB or a number of bytes"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("size `{s}`: write it as 8MB, 512KB or a number of bytes"))
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::parse(s).ok_or_else(|| format!("unknown profile `{s}` (download, print)"))
}

fn parse_paper(s: &str) -> Result<Paper, String> {
    Paper::parse(s).ok_or_else(|| format!("unknown paper size `{s}` (a4, a5, letter)"))
}

fn main() -> ExitCode {
    #[cfg(not(target_os = "linux"))]
    tune_allocator();
    // A usage error is a run that could not start: status 1 like every other, not clap's 2.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if !serve_command::handles_signals(&cli.command) {
        // The service handles SIGTERM itself: it drains instead of exiting at once.
        remove_temporaries_on_signals();
    }
    match cli.command {
        Command::Render {
            input,
            output,
            format,
            pages,
            dpi,
            width,
            grey,
            timeout,
            options,
        } => {
            let rendered = preview_command::picture_options(format, pages, dpi, width, grey)
                .and_then(|pictures| {
                    let mut o = options.render_options(&input)?;
                    o.limits.timeout = timeout.0;
                    let font_dir = options.font_dir.as_deref();
                    render(&input, output.as_deref(), &o, font_dir, pictures.as_ref())
                });
            match rendered {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("babrpdf: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Batch {
            inputs,
            output,
            jobs,
            shard,
            name,
            quiet,
            volume,
            volume_title,
            article_timeout,
            options,
        } => {
            let batch = BatchOptions {
                out_dir: output,
                jobs: jobs
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                shard,
                name,
                volume,
                volume_title,
            };
            let report = BatchReport::new(quiet);
            let result = run_batch(&inputs, &batch, &options, article_timeout, &report);
            report.finish();
            match result {
                // Failures or finished PDFs not recorded (a full disk): the report is incomplete,
                // so a retrying scheduler runs it again rather than taking it as done.
                Ok(summary) if summary.incomplete() => ExitCode::FAILURE,
                Ok(summary) if summary.failed > 0 => ExitCode::from(3),
                Ok(_) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("babrpdf: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Health { url } => match serve_command::health(&url) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("babrpdf: {message}");
                ExitCode::FAILURE
            }
        },
        #[cfg(feature = "serve")]
        Command::Serve {
            listen,
            workers,
            queue,
            timeout,
            max_pages,
            max_body,
            cache_size,
            article_url,
            article_ttl,
            token_file,
            themes,
            drain_delay,
            grace,
            options,
        } => {
            let served = serve_config(
                listen,
                workers,
                queue,
                timeout,
                max_body,
                max_pages,
                cache_size,
                (article_url, article_ttl),
                token_file,
                themes,
                (drain_delay, grace),
                &options,
            )
            .and_then(|config| {
                let engine = engine(options.font_dir.as_deref())?;
                serve_command::run(engine, config)
            });
            match served {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("babrpdf: {message}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// On SIGINT or SIGTERM, removes the temporaries being written (no half file is left under any
/// name) and exits as a shell reports such a death: 128 + the signal, 130 or 143. The handler
/// runs on its own thread, not in signal context, so it may take locks and remove files.
fn remove_temporaries_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        // Without the handler a signal kills as before; the next run sweeps what is left.
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            babrpdf::atomic::remove_live_temporaries();
            let name = if signal == SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            eprintln!("babrpdf: stopped by {name}; temporary files removed");
            std::process::exit(128 + signal);
        }
    });
}

fn run_batch(
    inputs: &[String],
    batch: &BatchOptions,
    options: &OptionArgs,
    article_timeout: Timeout,
    report: &BatchReport,
) -> Result<babrpdf::batch::Summary, String> {
    // Images of a folder's articles are looked up in that folder, unless --assets says otherwise.
    let first = inputs.first().map(String::as_str).unwrap_or("-");
    let mut render = options.render_options(first)?;
    render.limits.timeout = article_timeout.0;
    if options.assets.is_none() && Path::new(first).is_dir() {
        render.assets.root = Some(PathBuf::from(first));
    }
    let engine = engine(options.font_dir.as_deref())?;
    babrpdf::batch::run(&engine, &render, inputs, batch, &|event| {
        report.event(event)
    })
    .map_err(|e| e.to_string())
}

/// The engine with the embedded fonts and, when asked, a folder of fallback fonts.
fn engine(font_dir: Option<&Path>) -> Result<Engine, String> {
    let mut engine = Engine::new().map_err(|e| e.to_string())?;
    if let Some(dir) = font_dir {
        engine.add_font_dir(dir).map_err(|e| e.to_string())?;
    }
    Ok(engine)
}

fn render(
    input: &str,
    output: Option<&str>,
    options: &RenderOptions,
    font_dir: Option<&Path>,
    pictures: Option<&babrpdf::preview::PreviewOptions>,
) -> Result<(), String> {
    let name = if input == "-" { "<stdin>" } else { input };
    let bytes = read_input(input).map_err(|e| format!("{name}: {e}"))?;
    // `.md` files are Markdown articles; `.json` is JSON; anything else (stdin) by its first character.
    let extension = Path::new(input)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let is_markdown = match extension.as_deref() {
        Some("md" | "markdown") => true,
        Some("json") => false,
        _ => {
            !String::from_utf8_lossy(&bytes[..bytes.len().min(64)])
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with(['{', '['])
                && !bytes.is_empty()
        }
    };
    let parsed = if is_markdown {
        Article::from_markdown(&bytes)
    } else {
        Article::from_json(&bytes)
    };
    let article = parsed.map_err(|e| format!("{name}: {e}"))?;
    // The article holds what was read: a 20 MB input is not kept twice through the render.
    drop(bytes);
    let rendered = engine(font_dir)?
        .render(&article, options)
        .map_err(|e| format!("{name}: {e}"))?;
    for w in &rendered.warnings {
        eprintln!("babrpdf: warning: {name}: {w}");
    }
    let pdf = rendered.pdf;
    if let Some(pictures) = pictures {
        return preview_command::write_pictures(name, input, output, &pdf, pictures);
    }
    let target = match output {
        Some(o) => o.to_string(),
        None if input == "-" => "-".to_string(),
        None => Path::new(input).with_extension("pdf").display().to_string(),
    };
    if target == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(&pdf)
            .and_then(|_| out.flush())
            .map_err(|e| format!("<stdout>: {e}"))
    } else {
        // A render killed before this one (kill -9, a power cut) may have left a temporary.
        babrpdf::atomic::remove_stale_temporaries_of(Path::new(&target));
        write_atomically(Path::new(&target), &pdf, true).map_err(|e| format!("{target}: {e}"))
    }
}

/// The input's bytes, refused before they are read when they pass the input size limit (a 100 MB
/// file is said to be 100 MB, not the limit plus one).
fn read_input(input: &str) -> Result<Vec<u8>, String> {
    const MAX: usize = babrpdf::article::MAX_INPUT_BYTES;
    let mut bytes = Vec::new();
    if input == "-" {
        std::io::stdin()
            .lock()
            .take(MAX as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        if bytes.len() > MAX {
            // Standard input is not read past the limit: its size is not known.
            return Err(format!(
                "input is more than {} MB (the {MAX} bytes accepted)",
                MAX >> 20
            ));
        }
        Ok(bytes)
    } else {
        babrpdf::batch::read_input_file(Path::new(input)).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        let secs = |s: f64| Ok(Timeout(Some(Duration::from_secs_f64(s))));
        assert_eq!(parse_timeout("10s"), secs(10.0));
        assert_eq!(parse_timeout("500ms"), secs(0.5));
        assert_eq!(parse_timeout("2m"), secs(120.0));
        assert_eq!(parse_timeout("1.5s"), secs(1.5));
        assert_eq!(parse_timeout("1h"), secs(3600.0));
        assert_eq!(parse_timeout("0"), Ok(Timeout(None)));
        assert_eq!(parse_timeout("0s"), Ok(Timeout(None)));
        for bad in ["10", "", "s", "-1s", "1e400s", "5 days", "1.2.3s"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert_eq!(Timeout::DEFAULT.to_string(), "60s");
        assert_eq!(
            parse_timeout(&Timeout::DEFAULT.to_string()),
            Ok(Timeout::DEFAULT)
        );
    }

    #[test]
    fn render_and_batch_pass_their_timeout_to_the_engine() {
        let cli = Cli::try_parse_from(["babrpdf", "render", "a.json", "--timeout", "5s"]).unwrap();
        let Command::Render { timeout, .. } = cli.command else {
            panic!("render")
        };
        assert_eq!(timeout, Timeout(Some(Duration::from_secs(5))));
        let cli = Cli::try_parse_from(["babrpdf", "batch", "a.jsonl", "-o", "out"]).unwrap();
        let Command::Batch {
            article_timeout, ..
        } = cli.command
        else {
            panic!("batch")
        };
        assert_eq!(article_timeout, Timeout::DEFAULT);
    }
}
