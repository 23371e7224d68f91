//! Archive export: many articles (folders, JSON Lines, gzip'd JSON Lines, stdin) to a folder of
//! PDFs on every core — one shared `Engine`, a bounded queue, failures recorded and the batch
//! going on, finished PDFs skipped on a rerun, every file written atomically.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::article::Article;
use crate::engine::{Engine, RenderOptions};

/// Items waiting for a worker, per worker: memory stays flat however large the archive.
const QUEUE_PER_WORKER: usize = 4;
/// Longest JSON Lines record read, in bytes.
const MAX_LINE_BYTES: u64 = 32 * 1024 * 1024;
/// How often a progress line is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(3);
/// Records which article each PDF holds and from which content: `name<TAB>hash`.
pub const MANIFEST: &str = ".babrpdf-manifest";
pub const FAILURES: &str = "failures.jsonl";

/// One article to export: its bytes and where they came from.
pub struct Job {
    pub source: String,
    pub line: Option<usize>,
    pub bytes: Vec<u8>,
    pub markdown: bool,
    /// Set when the file could not be read: the article fails, the batch goes on.
    pub unreadable: Option<String>,
}

/// What the caller asks of a batch.
pub struct BatchOptions {
    pub out_dir: PathBuf,
    pub jobs: usize,
    /// `Some((k, n))`: only articles whose shard is k of n (1-based k).
    pub shard: Option<(u64, u64)>,
    pub quiet: bool,
    /// File name template: `{id}`, `{slug}`, `{published:%Y/%m}` …; `.pdf` is added.
    pub name: String,
    /// Also bind every article into this one PDF, with contents and bookmarks.
    pub volume: Option<PathBuf>,
    /// The volume's title (its metadata, and above its contents).
    pub volume_title: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub rendered: usize,
    pub skipped: usize,
    pub failed: usize,
    pub other_shard: usize,
}

/// Inputs in order: each folder searched recursively for `*.json` and `*.md`, JSON Lines files
/// (`.jsonl`, `.jsonl.gz`) and `-` (JSON Lines on stdin). Calls `each` per job; stops on `Err`.
pub fn read_inputs(inputs: &[String], mut each: impl FnMut(Job) -> bool) -> Result<(), String> {
    for input in inputs {
        if input == "-" {
            read_lines("<stdin>", std::io::stdin().lock(), &mut each)?;
            continue;
        }
        let path = Path::new(input);
        let meta = std::fs::metadata(path).map_err(|e| format!("{input}: {e}"))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files).map_err(|e| format!("{input}: {e}"))?;
            files.sort();
            for f in files {
                let markdown = f.extension().is_some_and(|e| e == "md");
                let (bytes, unreadable) = match std::fs::read(&f) {
                    Ok(bytes) => (bytes, None),
                    Err(e) => (Vec::new(), Some(e.to_string())),
                };
                if !each(Job {
                    source: f.display().to_string(),
                    line: None,
                    bytes,
                    markdown,
                    unreadable,
                }) {
                    return Ok(());
                }
            }
        } else if input.ends_with(".jsonl.gz") || input.ends_with(".gz") {
            let file = std::fs::File::open(path).map_err(|e| format!("{input}: {e}"))?;
            read_lines(
                input,
                BufReader::new(flate2::read::GzDecoder::new(file)),
                &mut each,
            )?;
        } else if input.ends_with(".jsonl") {
            let file = std::fs::File::open(path).map_err(|e| format!("{input}: {e}"))?;
            read_lines(input, BufReader::new(file), &mut each)?;
        } else {
            let markdown = input.ends_with(".md");
            let bytes = std::fs::read(path).map_err(|e| format!("{input}: {e}"))?;
            each(Job {
                source: input.clone(),
                line: None,
                bytes,
                markdown,
                unreadable: None,
            });
        }
    }
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "json" || e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

fn read_lines(
    name: &str,
    reader: impl BufRead,
    each: &mut impl FnMut(Job) -> bool,
) -> Result<(), String> {
    let mut reader = reader;
    let mut n = 0usize;
    loop {
        let mut line = Vec::new();
        let read = reader
            .by_ref()
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{name}: {e}"))?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        // The line ending is not part of the record (a cut record then reads as truncated).
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if !each(Job {
            source: name.to_string(),
            line: Some(n),
            bytes: line,
            markdown: false,
            unreadable: None,
        }) {
            return Ok(());
        }
    }
}

/// FNV-1a: stable across runs and machines (shards, manifest).
/// A run killed mid-write leaves `NAME.pdf.PID.tmp` files (never a half PDF under the real name);
/// the next run sweeps them up. Only files of that exact shape are touched.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            remove_stale_temporaries(&path);
        } else if kind.is_file() && is_our_temporary(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn is_our_temporary(name: &str) -> bool {
    name.strip_suffix(".tmp")
        .and_then(|rest| rest.rsplit_once(".pdf."))
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

fn fnv(bytes: &[u8]) -> u64 {
    fnv_from(0xcbf2_9ce4_8422_2325, bytes)
}

/// FNV-1a continued from `seed` (the options' hash, so each article hashes only its own bytes).
fn fnv_from(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Checks a `--name` template before any work: every `{…}` is a known field, every `%` in a
/// date pattern a known directive. A typo would otherwise name every file alike.
pub fn check_template(template: &str) -> Result<(), String> {
    let fields = "use {id}, {slug} and {published:%Y/%m/%d}";
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!(
                "--name `{template}`: a `}}` without its `{{` ({fields})"
            ));
        }
        let Some(close) = rest[open..].find('}').map(|k| open + k) else {
            return Err(format!(
                "--name `{template}`: a `{{` without its `}}` ({fields})"
            ));
        };
        let field = &rest[open + 1..close];
        match field.split_once(':') {
            None if field == "id" || field == "slug" => {}
            Some(("published", pattern)) => {
                let mut chars = pattern.chars();
                while let Some(c) = chars.next() {
                    if c == '%' && !matches!(chars.next(), Some('Y' | 'm' | 'd')) {
                        return Err(format!(
                            "--name `{template}`: `{{{field}}}` may use %Y, %m and %d only"
                        ));
                    }
                }
            }
            _ => {
                return Err(format!(
                    "--name `{template}`: unknown field `{{{field}}}` ({fields})"
                ));
            }
        }
        rest = &rest[close + 1..];
    }
    Ok(())
}

/// A name for the article's file from the template.
fn file_name(template: &str, article: &Article, fallback: &str) -> String {
    let id = article
        .id
        .as_ref()
        .map(|i| i.to_string())
        .unwrap_or_else(|| fallback.to_string());
    let mut out = template
        .replace("{id}", &id)
        .replace("{slug}", &slug(&article.title));
    while let Some(start) = out.find("{published:")
        && let Some(end) = out[start..].find('}')
    {
        let pattern = &out[start + 11..start + end];
        let date = article
            .published
            .as_deref()
            .and_then(crate::layout::locale::parse_date);
        let text = match date {
            Some((y, m, d, _, _)) => pattern
                .replace("%Y", &y.to_string())
                .replace("%m", &format!("{m:02}"))
                .replace("%d", &format!("{d:02}")),
            None => "undated".to_string(),
        };
        out.replace_range(start..start + end + 1, &text);
    }
    // Only safe characters, and never a way out of the output folder.
    let cleaned: Vec<String> = out
        .split('/')
        .map(|part| {
            part.chars()
                .map(|c| {
                    if c.is_alphanumeric() || "-_.".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .filter(|p| !p.is_empty() && p != "." && p != "..")
        .collect();
    if cleaned.is_empty() {
        "article".to_string()
    } else {
        cleaned.join("/")
    }
}

fn slug(title: &str) -> String {
    let s: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("-")
}

/// An article on its way to a worker: parsed, named and hashed by the reader, in input order,
/// so names given to duplicate ids are the same on every run.
struct Task {
    /// Position among the tasks sent: the volume binds in this order.
    seq: usize,
    source: String,
    line: Option<usize>,
    article: Result<Article, String>,
    /// The id for the failure record, read from the raw JSON when the article does not parse.
    id: Option<String>,
    name: String,
    hash: u64,
}

/// What a worker hands the volume binder for each task: the laid-out article, or nothing.
type Bound = (usize, Option<(Article, crate::layout::display::Document)>);

/// Runs the batch; the summary, or why it could not run at all.
pub fn run(
    engine: &Engine,
    render: &RenderOptions,
    inputs: &[String],
    options: &BatchOptions,
) -> Result<Summary, String> {
    check_template(&options.name)?;
    let out = &options.out_dir;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    remove_stale_temporaries(out);
    if let Some(volume) = &options.volume {
        check_volume_path(volume)?;
    }
    let manifest_path = out.join(MANIFEST);
    let done: HashMap<String, u64> = std::fs::read_to_string(&manifest_path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(n, h)| Some((n.to_string(), u64::from_str_radix(h, 16).ok()?)))
        .collect();
    let manifest = Mutex::new(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&manifest_path)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?,
    );
    let failures_path = out.join(FAILURES);
    let failures = Mutex::new(
        std::fs::File::create(&failures_path)
            .map_err(|e| format!("{}: {e}", failures_path.display()))?,
    );
    // Everything that changes the PDF: a different theme or paper re-renders on the next run.
    // Hashed once (a theme's logo is in it); each article's hash continues from it.
    // The fonts count too: `--font-dir` changes which face draws a rare character. (Names only:
    // asking for a face would parse it, and the emoji font is 11 MB.) The asset
    // folder does not: it follows how the input was named (`dir` or `dir/`), not the content.
    let book = engine.fonts();
    let faces: Vec<&str> = (0..book.len() as u16)
        .map(|i| book.name(crate::text::fonts::FaceId(i)))
        .collect();
    let options_hash = fnv(format!(
        "{:?}{:?}{:?}{}{}{:?}{faces:?}",
        render.paper,
        render.profile,
        render.pdfa,
        render.widows * 10 + render.orphans,
        render.strict,
        render.theme,
    )
    .as_bytes());
    let counts = [
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ];
    let started = Instant::now();
    let jobs = options.jobs.max(1);
    let (tx, rx) = mpsc::sync_channel::<Task>(jobs * QUEUE_PER_WORKER);
    let rx = Arc::new(Mutex::new(rx));
    // The binder drains its channel at once (out-of-order articles wait in its own buffer), so
    // a bounded channel slows the workers down only when binding is the slower part.
    let (bind_tx, bind_rx) = mpsc::sync_channel::<Bound>(jobs * QUEUE_PER_WORKER);
    let binding = options.volume.is_some();
    let mut read_error = None;
    let mut volume_result = None;
    // Articles read from the inputs, in order.
    let mut index = 0usize;
    let bar = (!options.quiet && std::io::stderr().is_terminal()).then(|| progress_bar(inputs));
    let bar = &bar;
    let shared = Shared {
        engine,
        render,
        options,
        done: &done,
        manifest: &manifest,
        bar,
        binding,
    };
    std::thread::scope(|scope| {
        let binder = options
            .volume
            .as_ref()
            .map(|path| scope.spawn(move || bind_volume(engine, render, options, path, bind_rx)));
        for _ in 0..jobs {
            let rx = Arc::clone(&rx);
            let bind_tx = binding.then(|| bind_tx.clone());
            let (counts, failures, shared) = (&counts, &failures, &shared);
            scope.spawn(move || {
                loop {
                    let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(task) = next else { break };
                    let seq = task.seq;
                    let (outcome, laid_out) = shared.export(&task);
                    if let Some(bind_tx) = &bind_tx {
                        let _ = bind_tx.send((seq, laid_out));
                    }
                    let slot = match outcome {
                        Ok(Outcome::Rendered) => 0,
                        Ok(Outcome::Skipped) => 1,
                        Err(message) => {
                            // An error is said even under --quiet; the record keeps it too.
                            say(bar, &format!("babrpdf: {}: {message}", place(&task)));
                            let record = serde_json::json!({
                                "input": task.source, "line": task.line,
                                "id": task.id, "error": message,
                            });
                            let mut f = failures.lock().unwrap_or_else(|e| e.into_inner());
                            let _ = writeln!(f, "{record}");
                            2
                        }
                    };
                    counts[slot].fetch_add(1, Ordering::Relaxed);
                    if let Some(bar) = bar {
                        bar.inc(1);
                    }
                }
            });
        }
        drop(bind_tx);
        let mut last = Instant::now();
        let mut seq = 0usize;
        let mut names: HashSet<String> = HashSet::new();
        let result = read_inputs(inputs, |job| {
            index += 1;
            if !options.quiet && bar.is_none() && last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                let finished: usize = counts.iter().map(|c| c.load(Ordering::Relaxed)).sum();
                eprintln!(
                    "babrpdf: {finished} done, {} failed, {} articles/s",
                    counts[2].load(Ordering::Relaxed),
                    rate(finished, started.elapsed())
                );
            }
            let Some(mut task) = prepare(job, index, options, options_hash, &mut names) else {
                counts[3].fetch_add(1, Ordering::Relaxed);
                if let Some(bar) = bar {
                    bar.inc(1);
                }
                return true;
            };
            seq += 1;
            task.seq = seq;
            tx.send(task).is_ok()
        });
        drop(tx);
        if let Err(e) = result {
            read_error = Some(e);
        }
        if let Some(binder) = binder {
            volume_result = Some(
                binder
                    .join()
                    .unwrap_or_else(|_| Err("the volume binder stopped".to_string())),
            );
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(e) = read_error {
        return Err(e);
    }
    if index == 0 {
        return Err(format!(
            "{}: no article found (folders are searched for .json and .md files, JSON Lines \
             files hold one article per line)",
            inputs.join(", ")
        ));
    }
    let summary = Summary {
        rendered: counts[0].load(Ordering::Relaxed),
        skipped: counts[1].load(Ordering::Relaxed),
        failed: counts[2].load(Ordering::Relaxed),
        other_shard: counts[3].load(Ordering::Relaxed),
    };
    if !options.quiet {
        let elapsed = started.elapsed();
        let handled = summary.rendered + summary.skipped + summary.failed;
        let listed = if summary.failed > 0 {
            format!(" (listed in {})", failures_path.display())
        } else {
            String::new()
        };
        eprintln!(
            "babrpdf: {} rendered, {} skipped (up to date), {} failed{listed}, {:.1} s, {} articles/s",
            summary.rendered,
            summary.skipped,
            summary.failed,
            elapsed.as_secs_f64(),
            rate(handled, elapsed)
        );
    }
    match volume_result {
        Some(Err(e)) => Err(e),
        Some(Ok(Some((path, articles, pages)))) => {
            if !options.quiet {
                eprintln!(
                    "babrpdf: volume {}: {articles} articles, {pages} pages",
                    path.display()
                );
            }
            Ok(summary)
        }
        Some(Ok(None)) => {
            if !options.quiet {
                eprintln!("babrpdf: no article to bind; the volume was not written");
            }
            Ok(summary)
        }
        None => Ok(summary),
    }
}

/// Gives memory freed while binding back to the system. Display lists are built by the workers
/// and dropped by the binder between krilla's growing buffers; glibc's allocator then keeps the
/// freed pages (a 3,000-article volume peaked at 590 MB; trimmed every 256 articles, at 180 MB,
/// in the same time).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the kernel; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The volume must be a `.pdf` file whose folder exists: said before any work is done.
fn check_volume_path(path: &Path) -> Result<(), String> {
    if path
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("pdf"))
    {
        return Err(format!("{}: a volume is a .pdf file", path.display()));
    }
    if path.is_dir() {
        return Err(format!("{}: is a folder", path.display()));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !parent.is_dir()
    {
        return Err(format!(
            "{}: the folder {} does not exist",
            path.display(),
            parent.display()
        ));
    }
    Ok(())
}

/// Binds laid-out articles into the volume in input order; writes it atomically at the end.
/// `Ok(None)`: nothing to bind.
fn bind_volume(
    engine: &Engine,
    render: &RenderOptions,
    options: &BatchOptions,
    path: &Path,
    results: mpsc::Receiver<Bound>,
) -> Result<Option<(PathBuf, usize, usize)>, String> {
    let fail = |e: crate::Error| format!("{}: {e}", path.display());
    let mut volume = engine
        .volume(render, options.volume_title.clone())
        .map_err(fail)?;
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 1usize;
    for (seq, laid_out) in results {
        waiting.insert(seq, laid_out);
        while let Some(laid_out) = waiting.remove(&next) {
            next += 1;
            if let Some((article, doc)) = laid_out {
                volume.add(&article, doc).map_err(fail)?;
                if volume.articles() % 256 == 0 {
                    release_free_memory();
                }
            }
        }
    }
    if volume.articles() == 0 {
        return Ok(None);
    }
    let bound = volume.finish().map_err(fail)?;
    let (bytes, articles, pages) = (bound.pdf, bound.articles, bound.pages);
    let tmp = path.with_extension(format!("pdf.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("{}: {e}", path.display())
        })?;
    Ok(Some((path.to_path_buf(), articles, pages)))
}

/// The terminal's progress bar: done/total with rate and ETA when the total is known in advance
/// (folders and single files), a counter with rate otherwise (JSON Lines are not read twice).
fn progress_bar(inputs: &[String]) -> indicatif::ProgressBar {
    let mut total = Some(0u64);
    for input in inputs {
        let path = Path::new(input);
        if path.is_dir() {
            let mut files = Vec::new();
            let _ = walk(path, &mut files);
            total = total.map(|t| t + files.len() as u64);
        } else if input == "-" || input.ends_with(".jsonl") || input.ends_with(".gz") {
            total = None;
        } else {
            total = total.map(|t| t + 1);
        }
    }
    // indicatif's own {per_sec} prints "458.0411/s"; whole articles per second read better.
    let style = |template: &str| {
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} articles/s", state.per_sec());
                },
            )
    };
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n)
            .with_style(style("{bar:40} {pos}/{len} articles, {rate}, ETA {eta}")),
        None => indicatif::ProgressBar::new_spinner()
            .with_style(style("{spinner} {pos} articles, {rate}, {elapsed}")),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Where an article came from: `FILE` or `FILE:LINE`.
fn place(task: &Task) -> String {
    match task.line {
        Some(line) => format!("{}:{line}", task.source),
        None => task.source.clone(),
    }
}

/// A line on stderr, above the progress bar when there is one (never through it).
fn say(bar: &Option<indicatif::ProgressBar>, line: &str) {
    match bar {
        Some(bar) => bar.println(line),
        None => eprintln!("{line}"),
    }
}

/// Articles per second as people read it: no decimals once there are ten or more.
fn rate(count: usize, elapsed: Duration) -> String {
    let r = count as f64 / elapsed.as_secs_f64().max(0.001);
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

enum Outcome {
    Rendered,
    Skipped,
}

fn article_id(job: &Job) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(&job.bytes).ok()?;
    v.get("id")
        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
}

/// Parses and names a job in input order; `None` when it belongs to another shard.
fn prepare(
    job: Job,
    index: usize,
    options: &BatchOptions,
    options_hash: u64,
    names: &mut HashSet<String>,
) -> Option<Task> {
    let parsed = match &job.unreadable {
        Some(error) => Err(error.clone()),
        None if job.markdown => Article::from_markdown(&job.bytes).map_err(|e| e.to_string()),
        None => Article::from_json(&job.bytes).map_err(|e| e.to_string()),
    };
    // A JSON Lines record is one line: its place is the file's line, the error's is a column.
    let parsed = parsed.map_err(|e| match (job.line, e.strip_prefix("line 1, ")) {
        (Some(_), Some(rest)) => rest.to_string(),
        _ => e,
    });
    // The shard key: the id, read from the raw JSON when the article does not parse, so a bad
    // article is reported by exactly one shard too; without an id, its place in the input.
    let id = match &parsed {
        Ok(article) => article.id.as_ref().map(|i| i.to_string()),
        Err(_) => article_id(&job),
    };
    let key = id
        .clone()
        .unwrap_or_else(|| format!("{}#{}", job.source, job.line.unwrap_or(index)));
    if let Some((k, n)) = options.shard
        && fnv(key.as_bytes()) % n != k - 1
    {
        return None;
    }
    let mut task = Task {
        seq: 0,
        source: job.source.clone(),
        line: job.line,
        article: Err(String::new()),
        id,
        name: String::new(),
        hash: 0,
    };
    let article = match parsed {
        Ok(article) => article,
        Err(e) => {
            task.article = Err(e);
            return Some(task);
        }
    };
    let fallback = Path::new(&job.source).file_stem().map_or_else(
        || format!("article-{index}"),
        |s| s.to_string_lossy().into_owned(),
    );
    let fallback = match job.line {
        Some(l) => format!("{fallback}-{l}"),
        None => fallback,
    };
    let base = file_name(&options.name, &article, &fallback);
    // Two articles with one name: the second gets -2, the third -3 ... never an overwrite.
    let mut name = format!("{base}.pdf");
    let mut k = 2;
    while !names.insert(name.clone()) {
        name = format!("{base}-{k}.pdf");
        k += 1;
    }
    task.hash = fnv_from(options_hash, &job.bytes);
    task.name = name;
    task.article = Ok(article);
    Some(task)
}

/// What every worker shares.
struct Shared<'a> {
    engine: &'a Engine,
    render: &'a RenderOptions,
    options: &'a BatchOptions,
    /// The manifest of the last run: name → hash of what was rendered.
    done: &'a HashMap<String, u64>,
    manifest: &'a Mutex<std::fs::File>,
    bar: &'a Option<indicatif::ProgressBar>,
    /// A volume is being bound: every article is laid out, up to date or not.
    binding: bool,
}

impl Shared<'_> {
    /// Renders one task unless its PDF is up to date; when binding, also hands back the layout
    /// for the volume.
    fn export(
        &self,
        task: &Task,
    ) -> (
        Result<Outcome, String>,
        Option<(Article, crate::layout::display::Document)>,
    ) {
        let article = match &task.article {
            Ok(article) => article,
            Err(e) => return (Err(e.clone()), None),
        };
        let target = self.options.out_dir.join(&task.name);
        let up_to_date = self.done.get(&task.name) == Some(&task.hash) && target.is_file();
        if up_to_date && !self.binding {
            return (Ok(Outcome::Skipped), None);
        }
        let doc = match self.engine.layout(article, self.render) {
            Ok(doc) => doc,
            Err(e) => return (Err(e.to_string()), None),
        };
        let outcome = if up_to_date {
            Ok(Outcome::Skipped)
        } else {
            self.write_article(task, &target, &doc)
                .map(|()| Outcome::Rendered)
        };
        let keep = (self.binding && outcome.is_ok()).then(|| (article.clone(), doc));
        (outcome, keep)
    }

    /// Writes the article's PDF under a temporary name, renames it into place, records it.
    fn write_article(
        &self,
        task: &Task,
        target: &Path,
        doc: &crate::layout::display::Document,
    ) -> Result<(), String> {
        let rendered = self
            .engine
            .write(doc, self.render)
            .map_err(|e| e.to_string())?;
        // Warnings (an image printed as its caption, a missing glyph) are not failures, but
        // they are never dropped: each is printed with the article's place in the input.
        for warning in &rendered.warnings {
            say(
                self.bar,
                &format!("babrpdf: warning: {}: {warning}", place(task)),
            );
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let tmp = target.with_extension(format!("pdf.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &rendered.pdf)
            .and_then(|_| std::fs::rename(&tmp, target))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                format!("{}: {e}", target.display())
            })?;
        let mut m = self.manifest.lock().unwrap_or_else(|e| e.into_inner());
        writeln!(m, "{}\t{:016x}", task.name, task.hash).map_err(|e| e.to_string())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_templates_are_safe() {
        let a = Article::from_json(r#"{"id": "../x/1", "title": "Паром на Ольхон!", "body": "b", "published": "2024-06-17"}"#.as_bytes()).unwrap();
        assert_eq!(file_name("{id}", &a, "f"), "x/1");
        assert_eq!(
            file_name("{published:%Y/%m}/{slug}", &a, "f"),
            "2024/06/паром-на-ольхон"
        );
        let b = Article::from_json(r#"{"title": "T", "body": "b"}"#.as_bytes()).unwrap();
        assert_eq!(file_name("{id}", &b, "news-3"), "news-3");
    }

    #[test]
    fn name_templates_with_unknown_fields_are_refused() {
        for good in [
            "{id}",
            "{published:%Y/%m}/{slug}-{id}",
            "x",
            "{published:%Y-%m-%d}",
        ] {
            assert_eq!(check_template(good), Ok(()), "{good}");
        }
        for bad in [
            "{ID}",
            "{foo}",
            "{published:%Q}",
            "{id",
            "id}",
            "{published}",
        ] {
            let e = check_template(bad).unwrap_err();
            assert!(e.starts_with("--name `"), "{e}");
        }
    }

    #[test]
    fn only_our_own_temporaries_are_swept() {
        assert!(is_our_temporary("a1.pdf.4242.tmp"));
        assert!(!is_our_temporary("a1.pdf"));
        assert!(!is_our_temporary("notes.tmp"));
        assert!(!is_our_temporary("a1.pdf.x1.tmp"));
    }
}
