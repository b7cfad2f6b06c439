//! Golden-file tests: a folder of cases, each a directory with an `input.yaml` and an expected
//! output file. `GANTRY_BLESS=1` rewrites the expected files (review the diff before committing).

use std::path::{Path, PathBuf};

/// The case directories below `root` (those holding an `input.yaml`), sorted.
pub fn cases(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input.yaml").exists())
        .collect();
    dirs.sort();
    dirs
}

/// Runs every case under `root` and compares its output with the case's `expected` file;
/// fails with a unified diff per mismatching case. With `GANTRY_BLESS` set, writes the outputs
/// instead.
pub fn check(root: &Path, expected: &str, run: impl Fn(&Path) -> String) {
    let bless = std::env::var_os("GANTRY_BLESS").is_some();
    let cases = cases(root);
    assert!(!cases.is_empty(), "no golden cases in {}", root.display());
    let mut failures = Vec::new();
    for dir in cases {
        let actual = run(&dir);
        let expected_path = dir.join(expected);
        if bless {
            std::fs::write(&expected_path, &actual)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            continue;
        }
        let wanted = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if wanted != actual {
            let diff = similar::TextDiff::from_lines(&wanted, &actual)
                .unified_diff()
                .context_radius(3)
                .header(expected, "actual")
                .to_string();
            failures.push(format!("{}:\n{diff}", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (GANTRY_BLESS=1 to accept):\n{}",
        failures.join("\n")
    );
}

/// Runs every case twice and requires the same output: the pipeline is deterministic.
pub fn check_deterministic(root: &Path, run: impl Fn(&Path) -> String) {
    for dir in cases(root) {
        assert_eq!(run(&dir), run(&dir), "{}", dir.display());
    }
}
