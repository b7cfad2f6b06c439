//! How the process hands memory back to the system (glibc malloc; no-ops elsewhere).
//!
//! A reconcile's working set (its snapshot, translation, status patches) is small and freed
//! when it ends, but glibc keeps freed memory in the arena that served it, one arena per
//! thread up to 8 × cores, and returns only the top of each heap: the resident size then
//! follows the sum of every arena's high-water mark rather than what is live
//! (docs/benchmarks.md, "Controller memory", has the figures). So the process uses few arenas
//! and gives free pages back after reconciles.
#![allow(unsafe_code)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Notify;

/// Arenas when `MALLOC_ARENA_MAX` is not set: the tokio workers, translations and watches
/// share one; more arenas bought no speed in the benchmark, only memory (one arena held the
/// large cluster 5 MiB lower than two: docs/controller-memory.md).
pub const ARENAS: i32 = 1;

/// At most one trim in this interval: a trim walks every arena (a few milliseconds on a large
/// cluster's heap), and a burst of reconciles needs only one after it.
const TRIM_EVERY: Duration = Duration::from_millis(500);

/// Caps the allocator's arenas, unless `MALLOC_ARENA_MAX` says otherwise. Call before any
/// thread is started.
pub fn configure() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        cap_arenas();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn cap_arenas() {
    // SAFETY: mallopt only sets an allocator parameter; called before other threads run.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_arenas() {}

/// Wakes the trimmer; started with the first [`release`] on a runtime.
static TRIMMER: OnceLock<Arc<Notify>> = OnceLock::new();

/// Gives free memory back to the system soon: at most one trim per [`TRIM_EVERY`], and one
/// after the last request of a burst. Off the async threads.
pub fn release() {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        trim();
        return;
    };
    TRIMMER
        .get_or_init(|| {
            let wake = Arc::new(Notify::new());
            let woken = wake.clone();
            runtime.spawn(async move {
                loop {
                    woken.notified().await;
                    let _ = tokio::task::spawn_blocking(trim).await;
                    tokio::time::sleep(TRIM_EVERY).await;
                }
            });
            wake
        })
        // A request while trimming or sleeping is kept (one permit): the trailing trim.
        .notify_one();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only releases free pages; it takes the allocator's own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
