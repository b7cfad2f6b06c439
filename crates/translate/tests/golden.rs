//! Golden tests: every directory under `tests/golden/` holds `input.yaml` (manifests) and
//! `expected.json` (the translation), and optionally `settings.yaml` (command-line settings
//! other than the defaults: `defaultTargetType`, `absentTargetGroups`). `GANTRY_BLESS=1` rewrites the expected
//! files; review the diff before committing it.

mod support;

use gantry_testkit::golden;
use gantry_translate::{DefaultTargetType, Settings, translate};
use std::path::{Path, PathBuf};

fn run(dir: &Path) -> String {
    let input = dir.join("input.yaml");
    let text = std::fs::read_to_string(&input).expect("readable input.yaml");
    let snapshot = support::load(&input.display().to_string(), &text);
    let mut settings = settings(dir);
    // 2030-01-01T00:00:00Z: the fixtures' certificates are valid from December 2026 to 2100, the
    // expired one ended in 2001.
    settings.now = Some(1_893_456_000);
    let translation = translate(&snapshot, &settings);
    serde_json::to_string_pretty(&translation).expect("serializable") + "\n"
}

/// The case's settings: the defaults, changed by its `settings.yaml` when it has one.
fn settings(dir: &Path) -> Settings {
    let mut settings = Settings::new("golden");
    let Ok(text) = std::fs::read_to_string(dir.join("settings.yaml")) else {
        return settings;
    };
    let map: std::collections::BTreeMap<String, String> = serde_norway::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: settings.yaml: {e}", dir.display()));
    for (key, value) in map {
        match (key.as_str(), value.as_str()) {
            ("defaultTargetType", "auto") => settings.default_target_type = DefaultTargetType::Auto,
            ("defaultTargetType", "instance") => {
                settings.default_target_type = DefaultTargetType::Instance
            }
            ("defaultTargetType", "ip") => settings.default_target_type = DefaultTargetType::Ip,
            // What the deployer found missing (comma-separated target group names).
            ("absentTargetGroups", names) => {
                settings.absent_target_groups = names.split(',').map(str::to_string).collect()
            }
            // As `gantry plan` translates: nothing looked the TargetGroupName backendRefs up.
            ("targetGroupNamesChecked", "false") => settings.target_group_names_checked = false,
            _ => panic!("{}: settings.yaml: unknown {key}: {value}", dir.display()),
        }
    }
    settings
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn golden_cases_match_their_expected_translation() {
    golden::check(&root(), "expected.json", run);
}

#[test]
fn translation_is_deterministic() {
    golden::check_deterministic(&root(), run);
}
