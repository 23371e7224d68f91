//! What one render may spend — time, pages, glyphs, decoded pixels — and the per-render meter
//! the engine's loops consult, so a hostile article stops with a clear error instead of running
//! for ever (in `batch` and `serve` the others go on).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::error::{AssetError, AssetErrorKind, Error};

/// Time a render may take unless the caller says otherwise: a 3,000-page article takes a few
/// seconds, so only a runaway input reaches it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Pages one article may fill (a 20 MB body sets about 3,500 A4 pages).
pub const DEFAULT_MAX_PAGES: usize = 20_000;
/// Glyphs one render may shape, in all (about 30 bytes each while the render lives).
pub const DEFAULT_MAX_GLYPHS: usize = 40_000_000;
/// Image pixels one render may decode, in all (five of the largest images accepted).
pub const DEFAULT_MAX_PIXELS: u64 = 400_000_000;

/// The caller's limits for one render. `Default` gives generous limits that only a runaway
/// input reaches; a service would lower `timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time from the start of the render; `None` waits for ever.
    pub timeout: Option<Duration>,
    /// Pages the article may fill.
    pub max_pages: usize,
    /// Glyphs the render may shape, in all.
    pub max_glyphs: usize,
    /// Image pixels the render may decode, in all; past it a picture prints its caption.
    pub max_pixels: u64,
}

impl Limits {
    /// The default `timeout` (60 s).
    pub const DEFAULT_TIMEOUT: Duration = DEFAULT_TIMEOUT;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Some(DEFAULT_TIMEOUT),
            max_pages: DEFAULT_MAX_PAGES,
            max_glyphs: DEFAULT_MAX_GLYPHS,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// How often, in calls to `tick`, the clock is read (reading it is a system call on some hosts).
const CLOCK_EVERY: u32 = 64;

/// One render's consumption against its `Limits`. The first limit passed is kept (`failure`);
/// from then on every check says stop, so the loops unwind quickly and the render fails with
/// that one message. Shared by the threads that load one article's images (`Sync`).
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    start: Instant,
    glyphs: AtomicUsize,
    pixels: AtomicU64,
    ticks: AtomicU32,
    /// Where the render is, for the message: the page being filled (0 before pagination).
    page: AtomicUsize,
    /// Set with `failure`: the cheap test the hot loops make.
    stopped: AtomicBool,
    failure: Mutex<Option<String>>,
}

impl Budget {
    /// A fresh meter: the clock starts now.
    pub fn new(limits: Limits) -> Budget {
        Budget {
            limits,
            start: Instant::now(),
            glyphs: AtomicUsize::new(0),
            pixels: AtomicU64::new(0),
            ticks: AtomicU32::new(0),
            page: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            failure: Mutex::new(None),
        }
    }

    /// A meter for doing the same render over again: the same limits and the same deadline
    /// (the clock keeps running from the first start), nothing yet charged.
    pub fn recharged(&self) -> Budget {
        Budget {
            start: self.start,
            ..Budget::new(self.limits)
        }
    }

    /// A budget without limits (unit tests, measuring).
    pub fn unlimited() -> Budget {
        Budget::new(Limits {
            timeout: None,
            max_pages: usize::MAX,
            max_glyphs: usize::MAX,
            max_pixels: u64::MAX,
        })
    }

    /// True once a limit has been passed: the caller should stop its loop.
    pub fn exhausted(&self) -> bool {
        self.stopped.load(Relaxed)
    }

    /// A cheap check for hot loops: reads the clock every `CLOCK_EVERY` calls.
    pub fn tick(&self) -> bool {
        let n = self.ticks.fetch_add(1, Relaxed).wrapping_add(1);
        if n.is_multiple_of(CLOCK_EVERY) {
            self.check_clock();
        }
        self.exhausted()
    }

    /// Reads the clock now; true when the render must stop.
    pub fn check_clock(&self) -> bool {
        if self.exhausted() {
            return true;
        }
        if let Some(timeout) = self.limits.timeout
            && self.start.elapsed() > timeout
        {
            self.fail(format!("deadline of {} passed", seconds(timeout)));
        }
        self.exhausted()
    }

    /// Counts shaped glyphs; true when the render must stop.
    pub fn add_glyphs(&self, n: usize) -> bool {
        let total = self.glyphs.fetch_add(n, Relaxed).saturating_add(n);
        if total > self.limits.max_glyphs {
            self.fail(format!(
                "more than {} glyphs to set (the limit of one render)",
                self.limits.max_glyphs
            ));
        }
        self.check_clock()
    }

    /// Asks for `n` decoded pixels of an image; `Err` (of kind `Limit`) when they would pass
    /// the budget. The render goes on: the image is refused like any unreadable image.
    pub fn take_pixels(&self, n: u64) -> Result<(), AssetError> {
        let taken = self.pixels.fetch_update(Relaxed, Relaxed, |used| {
            used.checked_add(n)
                .filter(|&total| total <= self.limits.max_pixels)
        });
        taken.map(drop).map_err(|_| {
            AssetError::new(
                AssetErrorKind::Limit,
                format!(
                    "decoding it would pass the {} megapixels one render may decode",
                    self.limits.max_pixels / 1_000_000
                ),
            )
        })
    }

    /// Pagination has reached page `n` (1-based); true when the render must stop.
    pub fn at_page(&self, n: usize) -> bool {
        self.page.store(n, Relaxed);
        if n > self.limits.max_pages {
            self.fail(format!(
                "more than {} pages (the limit of one render)",
                self.limits.max_pages
            ));
        }
        self.check_clock()
    }

    /// Stops the render with `reason`, unless an earlier reason already stopped it.
    pub fn fail(&self, reason: String) {
        let mut failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        if failure.is_none() {
            let at = match self.page.load(Relaxed) {
                0 => String::new(),
                page => format!(" at page {page}"),
            };
            *failure = Some(format!("{reason}{at}"));
            self.stopped.store(true, Relaxed);
        }
    }

    /// The error to return when a limit was passed.
    pub fn result(&self) -> Result<(), Error> {
        match &*self.failure.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(reason) => Err(Error::Limit(format!("render: {reason}"))),
            None => Ok(()),
        }
    }
}

/// `10 s`, `1.5 s`, `250 ms`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f32())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_names_itself_and_the_page() {
        let budget = Budget::new(Limits {
            timeout: Some(Duration::ZERO),
            ..Limits::default()
        });
        std::thread::sleep(Duration::from_millis(2));
        budget.at_page(812);
        let e = budget.result().unwrap_err().to_string();
        assert!(e.contains("render: deadline of 0 ms passed"), "{e}");
    }

    #[test]
    fn the_first_limit_passed_is_the_one_reported() {
        let budget = Budget::new(Limits {
            max_glyphs: 10,
            max_pages: 1,
            ..Limits::default()
        });
        assert!(!budget.add_glyphs(10));
        assert!(budget.add_glyphs(1));
        budget.at_page(2);
        let e = budget.result().unwrap_err().to_string();
        assert!(e.contains("more than 10 glyphs"), "{e}");
        assert!(budget.take_pixels(5).is_ok());
    }

    #[test]
    fn pixels_are_refused_past_the_budget_and_the_render_goes_on() {
        let budget = Budget::new(Limits {
            max_pixels: 100,
            ..Limits::default()
        });
        assert!(budget.take_pixels(60).is_ok());
        assert_eq!(
            budget.take_pixels(60).unwrap_err().kind,
            AssetErrorKind::Limit
        );
        assert!(budget.take_pixels(40).is_ok());
        assert!(budget.result().is_ok());
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(seconds(Duration::from_millis(250)), "250 ms");
    }
}
