//! Giving freed memory back to the system. glibc's allocator keeps pages a long-running process
//! freed (per-thread arenas, fragmentation), so a volume binder or a service that has rendered
//! thousands of articles would otherwise sit on the peak of its busiest moment.

/// Returns free pages to the kernel (glibc on Linux; elsewhere nothing). Cheap next to a render,
/// but not free: callers do it every few hundred articles.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the kernel; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}
