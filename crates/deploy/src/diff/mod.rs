//! Pure comparison of what exists with what the plan wants. No I/O: every function here is
//! unit-tested without AWS.

pub mod content;
pub mod overlap;
pub mod rule;
