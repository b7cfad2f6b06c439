//! Fuzz targets of gantry (run with `scripts/fuzz.sh`): the shared pieces.
//!
//! - `manifests`: any bytes through the manifest loader, then translation of what loaded.
//! - `translate`: bytes drive a generator of Gateway API objects and gantry CRDs
//!   ([`scenario`]), loaded and translated, with the [`invariants`] checked.
//!
//! `source`, `scenario` and `invariants` are also compiled into the main workspace's test
//! suite by path (crates/translate/tests/fuzz_scenarios.rs), so they use nothing that crate's
//! tests do not have.

pub mod invariants;
pub mod manifests;
pub mod scenario;
pub mod source;
