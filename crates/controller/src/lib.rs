//! gantry-controller: the only code that talks to the Kubernetes API server.
//!
//! ```text
//!  API server ──watch──► caches (stores.rs, trimmed) ─────Change────►  mapper (triggers.rs)
//!                              │                                          │ ObjectRef
//!                              ▼                                          ▼
//!                         Snapshot ◄──────────────────────────── Controller (throttled,
//!                              │                                  one reconcile per Gateway)
//!                  translate (pure) ─► deploy (AWS) ─► statuses, finalizers, Events
//! ```
//!
//! Only the replica holding the Lease (lease.rs) reconciles; the others keep their caches
//! warm so that a failover starts working at once.
// Denied everywhere but in `memory` (two allocator calls).
#![deny(unsafe_code)]

pub mod access;
pub mod certificates;
pub mod compact;
pub mod config;
pub mod deploy;
pub mod error;
pub mod finalizer;
pub mod kinds;
pub mod lease;
mod mapper;
pub mod memory;
pub mod metrics;
mod missed;
pub mod process;
pub mod programmed;
pub mod reconcile;
pub mod referenced;
pub mod retry;
mod round;
pub mod route_parents;
mod runtime;
pub mod server;
pub mod status;
pub mod stores;
mod throttle;
pub mod tiered;
pub mod triggers;
pub mod trim;
pub mod watch;

pub use config::{Config, LeaseConfig};
pub use deploy::{Deploy, IssuedCertificates};
pub use error::{Error, Result};
pub use runtime::{Handle, run, run_with_secrets};
