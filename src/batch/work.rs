//! One article's way through a worker: parsed and named by the reader in input order, then
//! laid out, written atomically and recorded (or handed to the volume binder).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use super::inputs::Job;
use super::names::file_name;
use super::records::Records;
use super::{BatchOptions, Event, MANIFEST};
use crate::article::Article;
use crate::atomic::write_atomically;
use crate::budget::Budget;
use crate::engine::{Engine, RenderOptions};
use crate::error::Error;
use crate::stable_hash::{FNV_START, fnv1a};

/// An article on its way to a worker: parsed, named and hashed by the reader, in input order,
/// so names given to duplicate ids are the same on every run.
pub(super) struct Task {
    /// Position among the tasks sent: the volume binds in this order.
    pub(super) seq: usize,
    pub(super) source: String,
    pub(super) line: Option<usize>,
    pub(super) article: Result<Article, Error>,
    /// The id for the failure record, read from the raw JSON when the article does not parse.
    pub(super) id: Option<String>,
    pub(super) name: String,
    pub(super) hash: u64,
}

/// Where an article came from: `FILE` or `FILE:LINE`.
pub(super) fn place(task: &Task) -> String {
    match task.line {
        Some(line) => format!("{}:{line}", task.source),
        None => task.source.clone(),
    }
}

pub(super) enum Outcome {
    Rendered,
    Skipped,
}

fn article_id(job: &Job) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(&job.bytes).ok()?;
    v.get("id")
        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
}

/// Parses and names a job in input order; `None` when it belongs to another shard.
pub(super) fn prepare(
    mut job: Job,
    index: usize,
    options: &BatchOptions,
    options_hash: u64,
    names: &mut HashSet<String>,
) -> Option<Task> {
    let parsed = match job.unreadable.take() {
        Some(error) => Err(error),
        None if job.markdown => Article::from_markdown(&job.bytes),
        None => Article::from_json(&job.bytes),
    };
    // A JSON Lines record is one line: its place is the file's line, the error's is a column.
    let parsed = parsed.map_err(|e| match (job.line, e) {
        (
            Some(_),
            Error::Input {
                line: Some(1),
                column: Some(column),
                message,
                field,
            },
        ) => Error::Input {
            line: None,
            column: Some(column),
            message,
            field,
        },
        (_, e) => e,
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
        && !job.whole_input
        && fnv1a(FNV_START, key.as_bytes()) % n != k - 1
    {
        return None;
    }
    let mut task = Task {
        seq: 0,
        source: job.source.clone(),
        line: job.line,
        article: parsed,
        id,
        name: String::new(),
        hash: 0,
    };
    let Ok(article) = &task.article else {
        return Some(task);
    };
    let fallback = Path::new(&job.source).file_stem().map_or_else(
        || format!("article-{index}"),
        |s| s.to_string_lossy().into_owned(),
    );
    let fallback = match job.line {
        Some(l) => format!("{fallback}-{l}"),
        None => fallback,
    };
    let base = file_name(&options.name, article, &fallback);
    // Two articles with one name: the second gets -2, the third -3 ... never an overwrite.
    let mut name = format!("{base}.pdf");
    let mut k = 2;
    while !names.insert(name.clone()) {
        name = format!("{base}-{k}.pdf");
        k += 1;
    }
    task.hash = fnv1a(options_hash, &job.bytes);
    task.name = name;
    Some(task)
}

/// What every worker shares.
pub(super) struct Shared<'a> {
    pub(super) engine: &'a Engine,
    pub(super) render: &'a RenderOptions,
    pub(super) options: &'a BatchOptions,
    /// The manifest of the last run: name → hash of what was rendered.
    pub(super) done: &'a HashMap<String, u64>,
    pub(super) manifest: &'a Mutex<Records<std::fs::File>>,
    /// Where warnings and notices go.
    pub(super) sink: super::Sink<'a>,
    /// A volume is being bound: every article is laid out, up to date or not.
    pub(super) binding: bool,
}

impl Shared<'_> {
    /// Renders one task's `article` unless its PDF is up to date; when binding, also hands back
    /// the layout for the volume.
    pub(super) fn export(
        &self,
        task: &Task,
        article: &Article,
    ) -> (
        Result<Outcome, Error>,
        Option<(Article, crate::layout::display::Document)>,
    ) {
        let target = self.options.out_dir.join(&task.name);
        let up_to_date = self.done.get(&task.name) == Some(&task.hash) && target.is_file();
        if up_to_date && !self.binding {
            return (Ok(Outcome::Skipped), None);
        }
        // One budget per article: `--article-timeout` counts from layout to the written PDF.
        let budget = Budget::new(self.render.limits);
        if !self.binding {
            // Written page by page as layout fills them: a long article never holds every page.
            let outcome = self
                .engine
                .render_within(article, self.render, &budget)
                .and_then(|rendered| self.write_article(task, &target, rendered))
                .map(|()| Outcome::Rendered);
            return (outcome, None);
        }
        let doc = match self.engine.layout_within(article, self.render, &budget) {
            Ok(doc) => doc,
            Err(e) => return (Err(e), None),
        };
        let outcome = if up_to_date {
            Ok(Outcome::Skipped)
        } else {
            self.engine
                .write_within(&doc, self.render, &budget)
                .and_then(|rendered| self.write_article(task, &target, rendered))
                .map(|()| Outcome::Rendered)
        };
        let keep = (self.binding && outcome.is_ok()).then(|| (article.clone(), doc));
        (outcome, keep)
    }

    /// Writes a rendered article's PDF under a temporary name, renames it into place, records it.
    fn write_article(
        &self,
        task: &Task,
        target: &Path,
        rendered: crate::Rendered,
    ) -> Result<(), Error> {
        // Warnings (an image printed as its caption, a missing glyph) are not failures, but
        // they are never dropped: each is sent with the article's place in the input.
        let place = place(task);
        for warning in &rendered.warnings {
            (self.sink)(Event::Warning {
                place: &place,
                warning,
            });
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::file(parent, e))?;
        }
        // No fsync per file: thousands of them would cost more than a rerun after a power cut.
        write_atomically(target, &rendered.pdf, false).map_err(|e| Error::file(target, e))?;
        // The PDF is whole whether or not it can be recorded: a record lost (a full disk) only
        // means the next run renders it again; the summary counts them.
        let mut m = self.manifest.lock().unwrap_or_else(|e| e.into_inner());
        if !m.append(&format!("{}\t{:016x}", task.name, task.hash)) && m.lost() == 1 {
            let why = m.error().map(|e| e.to_string()).unwrap_or_default();
            drop(m);
            (self.sink)(Event::Alert(&format!(
                "{}: {why}; finished PDFs from now on may not be recorded (a rerun renders them \
                 again)",
                self.options.out_dir.join(MANIFEST).display()
            )));
        }
        Ok(())
    }
}
