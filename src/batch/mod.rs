//! Archive export: many articles (folders, JSON Lines, gzip'd JSON Lines, stdin) to a folder of
//! PDFs on every core — one shared `Engine`, a bounded queue, failures recorded and the batch
//! going on, finished PDFs skipped on a rerun, every file written atomically.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::engine::{Engine, RenderOptions};
use crate::error::Error;
use crate::stable_hash::{FNV_START, fnv1a};
use crate::warning::Warning;

mod bind;
mod inputs;
mod names;
mod records;
mod work;

use bind::{Bound, bind_volume, check_volume_path};
pub use inputs::read_input_file;
pub(crate) use inputs::read_inputs;
use inputs::walk;
pub use names::check_template;
#[cfg(feature = "serve")]
pub(crate) use names::slug;
use records::Records;
use work::{Outcome, Shared, Task, place, prepare};

/// Items waiting for a worker, per worker: memory stays flat however large the archive.
const QUEUE_PER_WORKER: usize = 4;
/// How often a progress line is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(3);
/// Records which article each PDF holds and from which content: `name<TAB>hash`.
pub const MANIFEST: &str = ".babrpdf-manifest";
/// The file in the output folder listing the articles that failed, one JSON line each.
pub const FAILURES: &str = "failures.jsonl";

/// What the caller asks of a batch.
pub struct BatchOptions {
    /// The folder PDFs, `failures.jsonl` and the rerun manifest go to.
    pub out_dir: PathBuf,
    /// Worker threads.
    pub jobs: usize,
    /// `Some((k, n))`: only articles whose shard is k of n (1-based k).
    pub shard: Option<(u64, u64)>,
    /// File name template: `{id}`, `{slug}`, `{published:%Y/%m}` …; `.pdf` is added.
    pub name: String,
    /// Also bind every article into this one PDF, with contents and bookmarks.
    pub volume: Option<PathBuf>,
    /// The volume's title (its metadata, and above its contents).
    pub volume_title: Option<String>,
}

/// What a finished batch did, article by article.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Articles rendered now.
    pub rendered: usize,
    /// Articles whose PDF was already up to date (same input, options and version).
    pub skipped: usize,
    /// Articles that failed (listed in `failures.jsonl`).
    pub failed: usize,
    /// Articles left to another shard.
    pub other_shard: usize,
    /// Failures that could not be written to `failures.jsonl` (a full disk): said on stderr only.
    pub failures_unrecorded: usize,
    /// Finished PDFs that could not be written to the manifest: the next run renders them again.
    pub done_unrecorded: usize,
}

impl Summary {
    /// Something could not be recorded: the batch's report is incomplete.
    pub fn incomplete(&self) -> bool {
        self.failures_unrecorded > 0 || self.done_unrecorded > 0
    }
}

/// What a batch tells its caller while it runs; the caller decides what to show (the CLI: a
/// progress bar on a terminal, lines on stderr, less with `--quiet`). Sent from the reader and
/// the worker threads, so the sink is `Sync`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event<'a> {
    /// Reading starts: `total` articles when known in advance (folders and single files; JSON
    /// Lines are not read twice to count them).
    Started {
        /// Articles in the input, when known.
        total: Option<u64>,
    },
    /// One more article handled: rendered, up to date, failed, or another shard's.
    Handled,
    /// Every few seconds, for a progress line: articles finished and failed so far, the rate,
    /// and the input read (blank stretches of an archive send no article for a long time).
    Progress {
        /// Articles finished (rendered, up to date or failed).
        done: usize,
        /// Of which failed.
        failed: usize,
        /// Time since the batch started.
        elapsed: Duration,
        /// Bytes of input read so far.
        input_read: u64,
    },
    /// A warning about an article that was rendered (an image printed as its caption, a
    /// character in no font): `place` is `FILE` or `FILE:LINE`. Not a failure, never dropped.
    Warning {
        /// Where the article is in the input: `FILE` or `FILE:LINE`.
        place: &'a str,
        /// What the render said.
        warning: &'a Warning,
    },
    /// A line a person must see even when the batch is quiet: an article's failure
    /// (`FILE:LINE: …`), a record that could not be written.
    Alert(&'a str),
    /// A line for a person following along: the summary, the volume bound.
    Info(&'a str),
}

/// Where a batch's events go.
pub type Sink<'s> = &'s (dyn Fn(Event<'_>) + Sync);

/// A run killed mid-write leaves temporaries (`.NAME.pdf.PID.RANDOM.tmp`, never a half PDF under
/// the real name); the next run sweeps them up. Only files of that exact shape whose owner process
/// is gone are touched: a second batch writing to the same folder keeps its own. Symlinks are
/// neither followed nor removed.
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

/// A PDF's temporary whose owner is gone.
fn is_our_temporary(name: &str) -> bool {
    crate::atomic::is_stale_temporary(name, |target| target.ends_with(".pdf"))
}

/// Runs the batch; the summary, or why it could not run at all (a wrong option, an input or
/// the output folder that cannot be read or written). Articles that fail alone are not errors
/// here: they are sent as `Event::Alert` and listed in `failures.jsonl`.
pub fn run(
    engine: &Engine,
    render: &RenderOptions,
    inputs: &[String],
    options: &BatchOptions,
    sink: Sink<'_>,
) -> Result<Summary, Error> {
    check_template(&options.name)?;
    let out = &options.out_dir;
    std::fs::create_dir_all(out).map_err(|e| Error::file(out, e))?;
    remove_stale_temporaries(out);
    if let Some(volume) = &options.volume {
        check_volume_path(volume)?;
    }
    let manifest_path = out.join(MANIFEST);
    let in_manifest = |e: std::io::Error| Error::file(&manifest_path, e);
    let manifest_bytes = match std::fs::read(&manifest_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(in_manifest(e)),
    };
    let done: HashMap<String, u64> = String::from_utf8_lossy(&manifest_bytes)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(n, h)| Some((n.to_string(), u64::from_str_radix(h, 16).ok()?)))
        .collect();
    // A run killed mid-record (by an older version) may have left a piece of a line: new
    // records start after the last whole one.
    let whole = manifest_bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i as u64 + 1);
    let mut manifest_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&manifest_path)
        .map_err(in_manifest)?;
    if whole < manifest_bytes.len() as u64 {
        use records::Truncate;
        manifest_file.cut(whole).map_err(in_manifest)?;
    }
    let manifest = Mutex::new(Records::new(manifest_file, whole));
    let failures_path = out.join(FAILURES);
    let failures = Mutex::new(Records::new(
        std::fs::File::create(&failures_path).map_err(|e| Error::file(&failures_path, e))?,
        0,
    ));
    // Everything that changes the PDF: a different theme or paper re-renders on the next run.
    // Hashed once (a theme's logo is in it); each article's hash continues from it.
    // The fonts count too: `--font-dir` changes which face draws a rare character. (Names only:
    // asking for a face would parse it, and the emoji font is 11 MB.) The asset
    // folder does not: it follows how the input was named (`dir` or `dir/`), not the content.
    let book = engine.fonts();
    let faces: Vec<&str> = (0..book.len() as u16)
        .map(|i| book.name(crate::text::fonts::FaceId(i)))
        .collect();
    let options_hash = fnv1a(
        FNV_START,
        format!("{:016x}{faces:?}", render.fingerprint()).as_bytes(),
    );
    // Not in the hash: `render.limits` (the article timeout among them). A limit decides whether
    // a PDF is made, never what is in it, so a PDF made under other limits is still up to date.
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
    sink(Event::Started {
        total: known_total(inputs),
    });
    let shared = Shared {
        engine,
        render,
        options,
        done: &done,
        manifest: &manifest,
        sink,
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
            let failures_path = &failures_path;
            scope.spawn(move || {
                // Said even under --quiet, and recorded; the slot of the failed count.
                let fail = |task: &Task, e: &Error| {
                    let message = e.to_string();
                    sink(Event::Alert(&format!("{}: {message}", place(task))));
                    let record = serde_json::json!({
                        "input": task.source, "line": task.line,
                        "id": task.id, "error": message,
                    });
                    let mut f = failures.lock().unwrap_or_else(|e| e.into_inner());
                    if !f.append(&record.to_string()) && f.lost() == 1 {
                        let why = f.error().map(|e| e.to_string()).unwrap_or_default();
                        drop(f);
                        sink(Event::Alert(&format!(
                            "{}: {why}; failures from now on are said here only",
                            failures_path.display()
                        )));
                    }
                    2
                };
                loop {
                    let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(task) = next else { break };
                    // The volume binder hears of every task, failed or not, in order.
                    let bind = |laid_out| {
                        if let Some(bind_tx) = &bind_tx {
                            let _ = bind_tx.send((task.seq, laid_out));
                        }
                    };
                    let slot = match &task.article {
                        Err(e) => {
                            bind(None);
                            fail(&task, e)
                        }
                        Ok(article) => {
                            let (outcome, laid_out) = shared.export(&task, article);
                            bind(laid_out);
                            match outcome {
                                Ok(Outcome::Rendered) => 0,
                                Ok(Outcome::Skipped) => 1,
                                Err(e) => fail(&task, &e),
                            }
                        }
                    };
                    counts[slot].fetch_add(1, Ordering::Relaxed);
                    sink(Event::Handled);
                }
            });
        }
        drop(bind_tx);
        // Progress, every PROGRESS_EVERY: checked for each article read and while JSON Lines
        // are read (blank stretches of gigabytes send no article for a long time).
        let last = Cell::new(Instant::now());
        let input_read = Cell::new(0u64);
        let progress = |bytes: u64| {
            input_read.set(input_read.get() + bytes);
            if last.get().elapsed() < PROGRESS_EVERY {
                return;
            }
            last.set(Instant::now());
            sink(Event::Progress {
                done: counts.iter().map(|c| c.load(Ordering::Relaxed)).sum(),
                failed: counts[2].load(Ordering::Relaxed),
                elapsed: started.elapsed(),
                input_read: input_read.get(),
            });
        };
        let mut seq = 0usize;
        let mut names: HashSet<String> = HashSet::new();
        let each = |job| {
            index += 1;
            progress(0);
            let Some(mut task) = prepare(job, index, options, options_hash, &mut names) else {
                counts[3].fetch_add(1, Ordering::Relaxed);
                sink(Event::Handled);
                return true;
            };
            seq += 1;
            task.seq = seq;
            tx.send(task).is_ok()
        };
        let result = read_inputs(inputs, each, &progress);
        drop(tx);
        if let Err(e) = result {
            read_error = Some(e);
        }
        if let Some(binder) = binder {
            volume_result = Some(
                binder
                    .join()
                    .unwrap_or_else(|_| Err(Error::Pdf("the volume binder stopped".into()))),
            );
        }
    });
    if let Some(e) = read_error {
        return Err(e);
    }
    if index == 0 {
        return Err(Error::input(format!(
            "{}: no article found (folders are searched for .json and .md files, JSON Lines \
             files hold one article per line)",
            inputs.join(", ")
        )));
    }
    let (failures, manifest) = (
        failures.into_inner().unwrap_or_else(|e| e.into_inner()),
        manifest.into_inner().unwrap_or_else(|e| e.into_inner()),
    );
    let summary = Summary {
        rendered: counts[0].load(Ordering::Relaxed),
        skipped: counts[1].load(Ordering::Relaxed),
        failed: counts[2].load(Ordering::Relaxed),
        other_shard: counts[3].load(Ordering::Relaxed),
        failures_unrecorded: failures.lost(),
        done_unrecorded: manifest.lost(),
    };
    let why = |r: &Records<std::fs::File>| r.error().map(|e| e.to_string()).unwrap_or_default();
    // Said even under --quiet: the report on disk is incomplete.
    if summary.failures_unrecorded > 0 {
        sink(Event::Alert(&format!(
            "{} of {} failures could not be recorded in {} ({}); they were said above",
            summary.failures_unrecorded,
            summary.failed,
            failures_path.display(),
            why(&failures)
        )));
    }
    if summary.done_unrecorded > 0 {
        sink(Event::Alert(&format!(
            "{} finished PDFs could not be recorded in {} ({}); a rerun renders them again",
            summary.done_unrecorded,
            manifest_path.display(),
            why(&manifest)
        )));
    }
    {
        let elapsed = started.elapsed();
        let handled = summary.rendered + summary.skipped + summary.failed;
        let listed = summary.failed.saturating_sub(summary.failures_unrecorded);
        let listed = match (summary.failed, summary.failures_unrecorded) {
            (0, _) => String::new(),
            (_, 0) => format!(" (listed in {})", failures_path.display()),
            (_, lost) => format!(
                " ({listed} listed in {}, {lost} could not be recorded)",
                failures_path.display()
            ),
        };
        sink(Event::Info(&format!(
            "{} rendered, {} skipped (up to date), {} failed{listed}, {:.1} s, {} articles/s",
            summary.rendered,
            summary.skipped,
            summary.failed,
            elapsed.as_secs_f64(),
            rate(handled, elapsed)
        )));
    }
    match volume_result {
        Some(Err(e)) => Err(e),
        Some(Ok(Some((path, articles, pages)))) => {
            sink(Event::Info(&format!(
                "volume {}: {articles} articles, {pages} pages",
                path.display()
            )));
            Ok(summary)
        }
        Some(Ok(None)) => {
            sink(Event::Info(
                "no article to bind; the volume was not written",
            ));
            Ok(summary)
        }
        None => Ok(summary),
    }
}

/// Articles in `inputs` when they can be counted without reading them (folders, single
/// files); `None` when JSON Lines or standard input are among them.
fn known_total(inputs: &[String]) -> Option<u64> {
    let mut total = 0u64;
    for input in inputs {
        let path = Path::new(input);
        if path.is_dir() {
            let mut files = Vec::new();
            let _ = walk(path, &mut files);
            total += files.len() as u64;
        } else if input == "-" || input.ends_with(".jsonl") || input.ends_with(".gz") {
            return None;
        } else {
            total += 1;
        }
    }
    Some(total)
}

/// A byte count as people read it: `512 KB`, `340 MB`, `1.2 GB`.
pub fn size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KB * KB * KB {
        format!("{:.1} GB", b / (KB * KB * KB))
    } else if b >= KB * KB {
        format!("{:.0} MB", b / (KB * KB))
    } else {
        format!("{:.0} KB", b / KB)
    }
}

/// Articles per second as people read it: no decimals once there are ten or more.
pub fn rate(count: usize, elapsed: Duration) -> String {
    let r = count as f64 / elapsed.as_secs_f64().max(0.001);
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_temporaries_of_dead_owners_are_swept() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        assert!(is_our_temporary(&format!(".a1.pdf.{dead}.Ab3dEf9h.tmp")));
        assert!(is_our_temporary(&format!(".a1.pdf.{dead}.tmp")));
        let me = std::process::id();
        assert!(!is_our_temporary(&format!(".a1.pdf.{me}.Ab3dEf9h.tmp")));
        assert!(!is_our_temporary(&format!(".a1.json.{dead}.Ab3dEf9h.tmp")));
        assert!(!is_our_temporary("a1.pdf"));
        assert!(!is_our_temporary("notes.tmp"));
        assert!(!is_our_temporary(".a1.pdf.x1.tmp"));
    }
}
