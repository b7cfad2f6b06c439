//! Golden tests: every directory under `tests/golden/` holds `input.yaml` (manifests, plus
//! Crossplane resources as the cluster would report them) and `expected.yaml` (the plan).
//! `GANTRY_BLESS=1` rewrites the expected files; review the diff before committing it.

mod support;

use gantry_tiered::{TieredSettings, plan};
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/golden exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input.yaml").exists())
        .collect();
    dirs.sort();
    dirs
}

fn run(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("input.yaml")).expect("readable input.yaml");
    let (snapshot, observed) = support::load("input.yaml", &text);
    let plan = plan(&snapshot, &observed, &TieredSettings::new("golden"));
    serde_norway::to_string(&plan).expect("serializable")
}

#[test]
fn golden_cases_match_their_expected_plan() {
    let bless = std::env::var_os("GANTRY_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(!cases.is_empty(), "no golden cases found");
    for dir in cases {
        let actual = run(&dir);
        let expected_path = dir.join("expected.yaml");
        if bless {
            std::fs::write(&expected_path, &actual).expect("writable expected.yaml");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            let diff = similar::TextDiff::from_lines(&expected, &actual)
                .unified_diff()
                .context_radius(3)
                .header("expected.yaml", "actual")
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

#[test]
fn planning_is_deterministic() {
    for dir in cases() {
        assert_eq!(run(&dir), run(&dir), "{}", dir.display());
    }
}
