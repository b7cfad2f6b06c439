//! Any bytes as a manifest file: the loader never panics, its diagnostics are deterministic
//! and point at lines that exist, and whatever loads translates within the invariants.
#![no_main]

use gantry_fuzz::{invariants, manifests};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let loaded = manifests::check_loading(bytes);
    if !loaded.snapshot.is_empty() {
        invariants::check_translation(&loaded.snapshot);
    }
});
