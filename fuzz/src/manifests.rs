//! Loading any bytes: never a panic, the same diagnostics every time, lines that exist.

use gantry_manifests::{Loaded, Loader};

/// Loads `bytes` as one file twice, checks the diagnostics, and returns the first load.
pub fn check_loading(bytes: &[u8]) -> Loaded {
    let load = || {
        let mut loader = Loader::new();
        loader.load_bytes("fuzz.yaml", bytes);
        loader.finish()
    };
    let first = load();
    let second = load();
    assert_eq!(
        first.diagnostics, second.diagnostics,
        "loading the same bytes twice gave different diagnostics"
    );
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    for d in &first.diagnostics {
        assert!(
            !d.message.is_empty(),
            "a diagnostic without a message: {d:?}"
        );
        if let Some(line) = d.line {
            assert!(
                (1..=lines).contains(&line),
                "diagnostic names line {line} of a {lines}-line input: {d}"
            );
        }
        // Rendering must not panic either.
        let _ = d.to_string();
    }
    first
}
