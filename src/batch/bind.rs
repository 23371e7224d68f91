//! Binding a batch into one volume: laid-out articles arrive from the workers in any order and
//! are bound in input order; the volume is written atomically at the end.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::BatchOptions;
use crate::article::Article;
use crate::atomic::write_atomically;
use crate::engine::{Engine, RenderOptions};
use crate::error::Error;

/// What a worker hands the volume binder for each task: the laid-out article, or nothing.
pub(super) type Bound = (usize, Option<(Article, crate::layout::display::Document)>);

/// The volume must be a `.pdf` file whose folder exists: said before any work is done.
pub(super) fn check_volume_path(path: &Path) -> Result<(), Error> {
    if path
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("pdf"))
    {
        return Err(Error::Options(format!(
            "{}: a volume is a .pdf file",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::Options(format!("{}: is a folder", path.display())));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !parent.is_dir()
    {
        return Err(Error::Options(format!(
            "{}: the folder {} does not exist",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}

/// Binds laid-out articles into the volume in input order; writes it atomically at the end.
/// `Ok(None)`: nothing to bind.
pub(super) fn bind_volume(
    engine: &Engine,
    render: &RenderOptions,
    options: &BatchOptions,
    path: &Path,
    results: mpsc::Receiver<Bound>,
) -> Result<Option<(PathBuf, usize, usize)>, Error> {
    let name = path.display().to_string();
    let fail = |e: Error| e.within(&name);
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
                    // Display lists are built by the workers and dropped here between krilla's
                    // growing buffers: a 3,000-article volume peaked at 590 MB untrimmed, 180 MB
                    // trimmed every 256 articles, in the same time.
                    crate::memory::release_free_memory();
                }
            }
        }
    }
    if volume.articles() == 0 {
        return Ok(None);
    }
    let bound = volume.finish().map_err(fail)?;
    let (bytes, articles, pages) = (bound.pdf, bound.articles, bound.pages);
    write_atomically(path, &bytes, true).map_err(|e| Error::file(path, e))?;
    Ok(Some((path.to_path_buf(), articles, pages)))
}
