//! What the loader tests share: loading one text and reading what came of it.

#![allow(dead_code, reason = "each test binary uses part of this module")]

use gantry_manifests::{Loaded, load_text};

/// The objects and diagnostics of `text`, read as the file `test.yaml`.
pub fn load(text: &str) -> Loaded {
    load_text("test.yaml", text)
}

/// The objects of `text`, which must load without a single diagnostic.
pub fn load_clean(text: &str) -> Loaded {
    let loaded = load(text);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    loaded
}

/// Every diagnostic as printed, in order.
pub fn messages(loaded: &Loaded) -> Vec<String> {
    loaded.diagnostics.iter().map(ToString::to_string).collect()
}
