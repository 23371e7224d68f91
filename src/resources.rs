//! The resource stage, between input and layout: every image the article names is read (asset
//! folder, `data:` URI, allowed host), checked and made print-ready once, several at a time,
//! under the render's budget — so layout only places pictures and never reads a file or a socket.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use crate::assets::Assets;
use crate::budget::Budget;
use crate::doc::{Block, visit_blocks};
use crate::error::{AssetError, AssetErrorKind};
use crate::photo::{self, Picture};

/// Images of one article read at once: enough to overlap the waits of remote images, few enough
/// that a batch on every core does not multiply them into hundreds of threads.
const LOADERS: usize = 4;

/// A picture ready to place, or why it cannot be had (a kind and one line, for the warning or,
/// with `--strict`, the error).
pub type Loaded = Result<Picture, AssetError>;

/// Print-ready pictures an `Engine`'s renders share (a service sees the same photo in every
/// request for an article), keyed by the image's bytes and the frame it was made for, and
/// bounded in bytes: the oldest entries go first. Bytes are still read for every render (a
/// changed file is a new key); what is saved is the checking decode and the resampling.
pub struct PictureCache {
    capacity: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    /// Each picture with the pixels of its source, which a render taking it from here is
    /// charged as if it had decoded them (a warm cache must not let a picture past the pixel
    /// budget that a cold one would refuse).
    entries: HashMap<CacheKey, (Picture, u64)>,
    /// Keys in insertion order, for eviction.
    order: std::collections::VecDeque<CacheKey>,
    bytes: usize,
}

/// FNV-1a of the image's bytes, its length, and the frame (width, height bits).
type CacheKey = (u64, usize, u32, u32);

impl PictureCache {
    /// A cache holding at most `capacity` bytes of prepared pictures.
    pub fn new(capacity: usize) -> PictureCache {
        PictureCache {
            capacity,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Bytes held now.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn get(&self, key: &CacheKey) -> Option<(Picture, u64)> {
        self.lock().entries.get(key).cloned()
    }

    fn insert(&self, key: CacheKey, picture: &Picture, source_pixels: u64) {
        let size = picture.bytes.len();
        if size > self.capacity {
            return;
        }
        let mut inner = self.lock();
        if inner.entries.contains_key(&key) {
            return;
        }
        while inner.bytes + size > self.capacity {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some((gone, _)) = inner.entries.remove(&old) {
                inner.bytes -= gone.bytes.len();
            }
        }
        inner.bytes += size;
        inner.order.push_back(key);
        inner.entries.insert(key, (picture.clone(), source_pixels));
    }
}

/// Reads `src`, then takes its picture from `cache` or prepares (and caches) it.
fn load_one(
    src: &str,
    assets: &Assets,
    (max_w, max_h): (f32, f32),
    charge: &dyn Fn(u64) -> Result<(), AssetError>,
    cache: Option<&PictureCache>,
) -> Loaded {
    let bytes = assets.load(src)?;
    let key = cache.map(|_| {
        let hash = crate::stable_hash::fnv1a(crate::stable_hash::FNV_START, &bytes);
        (hash, bytes.len(), max_w.to_bits(), max_h.to_bits())
    });
    if let (Some(cache), Some(key)) = (cache, &key)
        && let Some((picture, source_pixels)) = cache.get(key)
    {
        charge(source_pixels)?;
        return Ok(picture);
    }
    let source_pixels = std::cell::Cell::new(0);
    let counted = |pixels: u64| {
        source_pixels.set(pixels);
        charge(pixels)
    };
    let (picture, _, _) = photo::prepare_charging(bytes, max_w, max_h, &counted)?;
    if let (Some(cache), Some(key)) = (cache, key) {
        cache.insert(key, &picture, source_pixels.get());
    }
    Ok(picture)
}

/// The article's pictures by the source the article gives (`src`, trimmed as written).
#[derive(Debug, Default)]
pub struct Resources {
    pictures: HashMap<String, Loaded>,
}

/// Pictures are read and decoded by several loaders at once, but charged to the render's pixel
/// budget in the article's order: which picture passes the budget, and prints its caption
/// instead, must not depend on which loader finished first (the same article gives the same
/// PDF). Source `i` waits until sources `0..i` have been charged or have failed.
#[derive(Default)]
struct Turns {
    next: Mutex<usize>,
    changed: Condvar,
}

/// Source `i`'s turn, held while it charges; dropping it gives the turn to source `i + 1`.
struct Turn<'a> {
    turns: &'a Turns,
}

impl Turns {
    /// Waits for source `i`'s turn. Loaders take sources in increasing order and each source
    /// takes its turn exactly once, so the lowest source not yet charged always has a loader
    /// that is not waiting: no loader waits for ever.
    fn wait_for(&self, i: usize) -> Turn<'_> {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        while *next != i {
            next = self.changed.wait(next).unwrap_or_else(|e| e.into_inner());
        }
        Turn { turns: self }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.turns.next.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.turns.changed.notify_all();
    }
}

impl Resources {
    /// The picture for `src`; every source of the article's figures and cover was loaded.
    pub fn picture(&self, src: &str) -> Loaded {
        self.pictures.get(src).cloned().unwrap_or_else(|| {
            Err(AssetError::new(
                AssetErrorKind::NotFound,
                "the image was not loaded before layout",
            ))
        })
    }

    /// Loads every image `blocks` and the cover name, each once. `max_w`×`max_h` points is the
    /// largest frame a picture may be placed in (the text width, a page): photos with more
    /// pixels than print needs there are resampled.
    pub fn load(
        blocks: &[Block],
        cover: Option<&str>,
        assets: &Assets,
        max_w: f32,
        max_h: f32,
        budget: &Budget,
        cache: Option<&PictureCache>,
    ) -> Resources {
        let mut sources: Vec<&str> = cover.into_iter().collect();
        visit_blocks(blocks, &mut |b| {
            if let Block::Image(figure) = b {
                sources.push(&figure.src);
            }
        });
        let mut seen = std::collections::HashSet::new();
        sources.retain(|s| seen.insert(*s));
        let results: Mutex<HashMap<String, Loaded>> = Mutex::new(HashMap::new());
        let next = AtomicUsize::new(0);
        let turns = Turns::default();
        let load_next = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&src) = sources.get(i) else { break };
                let charged = std::cell::Cell::new(false);
                let charge = |pixels: u64| {
                    let _turn = turns.wait_for(i);
                    charged.set(true);
                    budget.take_pixels(pixels)
                };
                let loaded = if budget.check_clock() {
                    Err(AssetError::new(
                        AssetErrorKind::Limit,
                        "not read: the render's time was up",
                    ))
                } else {
                    load_one(src, assets, (max_w, max_h), &charge, cache)
                };
                if !charged.get() {
                    // Nothing to charge (not found, damaged): pass the turn on.
                    drop(turns.wait_for(i));
                }
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(src.to_string(), loaded);
            }
        };
        let threads = LOADERS.min(sources.len());
        if threads <= 1 {
            load_next();
        } else {
            std::thread::scope(|scope| {
                for _ in 1..threads {
                    scope.spawn(load_next);
                }
                load_next();
            });
        }
        Resources {
            pictures: results.into_inner().unwrap_or_else(|e| e.into_inner()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Figure;

    fn figure(src: &str) -> Block {
        Block::Image(Figure {
            src: src.into(),
            ..Figure::default()
        })
    }

    #[test]
    fn turns_come_in_source_order_whoever_asks_first() {
        let turns = Turns::default();
        let order = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            // Source 3 asks first, source 0 last.
            for i in (0..4).rev() {
                let (turns, order) = (&turns, &order);
                scope.spawn(move || {
                    let _turn = turns.wait_for(i);
                    order.lock().unwrap().push(i);
                });
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        assert_eq!(order.into_inner().unwrap(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn each_source_is_loaded_once_with_its_own_result() {
        let png = {
            let img = image::ImageBuffer::from_fn(4, 3, |_, _| image::Rgb([1u8, 2, 3]));
            let mut out = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
                .unwrap();
            out
        };
        let uri = format!(
            "data:image/png;base64,{}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &png)
        );
        let blocks = vec![
            figure(&uri),
            Block::Quote(vec![figure(&uri), figure("missing.jpg")]),
        ];
        let budget = Budget::unlimited();
        let r = Resources::load(
            &blocks,
            None,
            &Assets::default(),
            400.0,
            600.0,
            &budget,
            None,
        );
        assert_eq!(r.pictures.len(), 2);
        assert_eq!(r.picture(&uri).unwrap().width, 4);
        assert_eq!(
            r.picture("missing.jpg").unwrap_err().kind,
            AssetErrorKind::NotFound
        );
    }

    #[test]
    fn the_cache_serves_repeats_and_stays_within_its_bytes() {
        let cache = PictureCache::new(1000);
        let picture = |n: usize| Picture {
            encoding: photo::Encoding::Png,
            bytes: std::sync::Arc::new(vec![0; n]),
            width: 1,
            height: 1,
            passed_through: true,
        };
        cache.insert((1, 1, 0, 0), &picture(600), 1);
        assert!(cache.get(&(1, 1, 0, 0)).is_some());
        cache.insert((2, 1, 0, 0), &picture(600), 1);
        assert!(cache.get(&(1, 1, 0, 0)).is_none(), "the oldest went");
        assert!(cache.get(&(2, 1, 0, 0)).is_some());
        assert_eq!(cache.bytes(), 600);
        cache.insert((3, 1, 0, 0), &picture(5000), 1);
        assert!(cache.get(&(3, 1, 0, 0)).is_none(), "larger than the cache");
    }
}
