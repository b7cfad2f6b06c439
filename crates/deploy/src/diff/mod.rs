//! Pure comparison of what exists with what the plan wants. No I/O: every function here is
//! unit-tested without AWS.

pub mod content;
pub mod listener;
pub mod load_balancer;
pub mod overlap;
pub mod rule;
pub mod security_group;
pub mod tags;
pub mod target_group;
