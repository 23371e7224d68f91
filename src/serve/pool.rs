//! The render pool: a fixed number of workers and a bounded queue in front of them. A request
//! that finds the queue full is refused at once (429), never parked without end.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

/// Renders between two returns of freed memory to the system (a steady resident size over
/// tens of thousands of requests, at a few milliseconds per 256 renders).
const TRIM_EVERY: usize = 256;

/// Workers and queue places, shared by every request.
pub(crate) struct RenderPool {
    workers: Arc<Semaphore>,
    /// Requests admitted and not yet answered: rendering or waiting for a worker.
    admitted: Arc<AtomicUsize>,
    /// Renders running now.
    running: Arc<AtomicUsize>,
    /// Renders finished, for `TRIM_EVERY`.
    finished: Arc<AtomicUsize>,
    /// Workers plus queue places: more admitted requests than this are refused.
    capacity: usize,
}

/// A place in the pool, held from admission to the answer; dropping it frees the place.
pub(crate) struct Admission {
    admitted: Arc<AtomicUsize>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.admitted.fetch_sub(1, Relaxed);
    }
}

/// Why a job did not run or did not finish.
#[derive(Debug)]
pub(crate) enum PoolError {
    /// No worker became free before the request's deadline.
    QueueTimeout,
    /// The job panicked (a bug); the worker thread survives it.
    Panicked,
}

impl RenderPool {
    pub(crate) fn new(workers: usize, queue: usize) -> RenderPool {
        RenderPool {
            workers: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(AtomicUsize::new(0)),
            finished: Arc::new(AtomicUsize::new(0)),
            capacity: workers + queue,
        }
    }

    /// A place in the pool, or `None` when every worker is busy and the queue is full.
    pub(crate) fn admit(&self) -> Option<Admission> {
        let mut now = self.admitted.load(Relaxed);
        loop {
            if now >= self.capacity {
                return None;
            }
            match self
                .admitted
                .compare_exchange_weak(now, now + 1, Relaxed, Relaxed)
            {
                Ok(_) => {
                    return Some(Admission {
                        admitted: self.admitted.clone(),
                    });
                }
                Err(seen) => now = seen,
            }
        }
    }

    /// Requests waiting for a worker.
    pub(crate) fn queued(&self) -> usize {
        self.admitted
            .load(Relaxed)
            .saturating_sub(self.running.load(Relaxed))
    }

    /// Renders running now.
    pub(crate) fn running(&self) -> usize {
        self.running.load(Relaxed)
    }

    /// Waits for a worker until `deadline`, then runs `job` on a blocking thread with the time
    /// left. The job keeps its own deadline (the render budget), so a worker comes back even
    /// from a runaway article.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        _admission: &Admission,
        deadline: Instant,
        job: impl FnOnce(Duration) -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let permit = tokio::time::timeout_at(deadline.into(), self.workers.clone().acquire_owned())
            .await
            .map_err(|_| PoolError::QueueTimeout)?
            .expect("the pool's semaphore is never closed");
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(PoolError::QueueTimeout);
        }
        let running = self.running.clone();
        running.fetch_add(1, Relaxed);
        let finished = self.finished.clone();
        let handle = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _running = Running(running);
            let result = job(left);
            if (finished.fetch_add(1, Relaxed) + 1).is_multiple_of(TRIM_EVERY) {
                crate::memory::release_free_memory();
            }
            result
        });
        handle.await.map_err(|_| PoolError::Panicked)
    }
}

/// Counts a render as running until it returns (or unwinds).
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_workers_plus_queue_then_refuses_until_a_place_frees() {
        let pool = RenderPool::new(2, 3);
        let held: Vec<Admission> = (0..5).map(|_| pool.admit().expect("a place")).collect();
        assert!(pool.admit().is_none(), "a sixth request must be refused");
        drop(held);
        assert!(pool.admit().is_some());
    }
}
