//! The resource stage, between input and layout: every image the article names is read (asset
//! folder, `data:` URI, allowed host), checked and made print-ready once, several at a time,
//! under the render's budget — so layout only places pictures and never reads a file or a socket.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::assets::Assets;
use crate::budget::Budget;
use crate::doc::{Block, visit_blocks};
use crate::photo::{self, Picture};

/// Images of one article read at once: enough to overlap the waits of remote images, few enough
/// that a batch on every core does not multiply them into hundreds of threads.
const LOADERS: usize = 4;

/// A picture ready to place, or why it cannot be had (one line, for the warning).
pub type Loaded = Result<Picture, String>;

/// The article's pictures by the source the article gives (`src`, trimmed as written).
#[derive(Debug, Default)]
pub struct Resources {
    pictures: HashMap<String, Loaded>,
}

impl Resources {
    /// The picture for `src`; every source of the article's figures and cover was loaded.
    pub fn picture(&self, src: &str) -> Loaded {
        self.pictures
            .get(src)
            .cloned()
            .unwrap_or_else(|| Err("the image was not loaded before layout".into()))
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
        let load_next = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&src) = sources.get(i) else { break };
                let loaded = if budget.check_clock() {
                    Err("not read: the render's time was up".to_string())
                } else {
                    assets
                        .load(src)
                        .and_then(|bytes| photo::prepare(bytes, max_w, max_h, budget))
                        .map(|(picture, _, _)| picture)
                };
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
        let r = Resources::load(&blocks, None, &Assets::default(), 400.0, 600.0, &budget);
        assert_eq!(r.pictures.len(), 2);
        assert_eq!(r.picture(&uri).unwrap().width, 4);
        assert!(r.picture("missing.jpg").is_err());
    }
}
