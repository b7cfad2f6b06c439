//! Structured: bytes choose a cluster of Gateway API objects and gantry CRDs (see
//! `gantry_fuzz::scenario`); translation must not panic, must be deterministic, and must keep
//! ALB priorities dense and unique per listener and every rule within the ALB limits.
#![no_main]

use gantry_fuzz::{invariants, scenario};
use gantry_manifests::Loader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = scenario::manifests(bytes);
    let mut loader = Loader::new();
    loader.load_str("scenario.yaml", &text);
    invariants::check_translation(&loader.finish().snapshot);
});
