//! Golden tests: every directory under `tests/golden/` holds `input.yaml` (manifests, plus
//! Crossplane resources as the cluster would report them) and `expected.yaml` (the plan).
//! `GANTRY_BLESS=1` rewrites the expected files; review the diff before committing it.

mod support;

use gantry_testkit::golden;
use gantry_tiered::{TieredSettings, plan};
use std::path::{Path, PathBuf};

fn run(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("input.yaml")).expect("readable input.yaml");
    let (snapshot, observed) = support::load("input.yaml", &text);
    let plan = plan(&snapshot, &observed, &TieredSettings::new("golden"));
    serde_norway::to_string(&plan).expect("serializable")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn golden_cases_match_their_expected_plan() {
    golden::check(&root(), "expected.yaml", run);
}

#[test]
fn planning_is_deterministic() {
    golden::check_deterministic(&root(), run);
}
