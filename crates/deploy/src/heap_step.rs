//! Awaiting a large step from the heap.
//!
//! A debug build gives an async function's poll a stack slot for every future it awaits, each
//! sized for that future and everything it nests. The deployer's steps nest AWS SDK futures
//! several levels deep, and those slots added up to more than the 2 MiB of a test or worker
//! thread. [`heap_step`] builds the step's future in its own short frame, which has returned
//! before the future is first polled, so the caller's poll keeps only a pointer.

use std::future::Future;
use std::pin::Pin;

/// The future `make` returns, boxed. Await it where `make()` would be awaited.
pub(crate) fn heap_step<F: Future>(make: impl FnOnce() -> F) -> Pin<Box<F>> {
    Box::pin(make())
}
