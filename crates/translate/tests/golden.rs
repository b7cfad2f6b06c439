//! Golden tests: every directory under `tests/golden/` holds `input.yaml` (manifests) and
//! `expected.json` (the translation), and optionally `settings.yaml` (command-line settings
//! other than the defaults: `defaultTargetType`, `absentTargetGroups`). `GANTRY_BLESS=1` rewrites the expected
//! files; review the diff before committing it.

use gantry_translate::{DefaultTargetType, Settings, translate};
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
    let mut loader = gantry_manifests::Loader::new();
    loader.load_str("input.yaml", &text);
    let loaded = loader.finish();
    let errors: Vec<String> = loaded.errors().map(|d| d.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{}: input does not load:\n{}",
        dir.display(),
        errors.join("\n")
    );
    let mut settings = settings(dir);
    // 2030-01-01T00:00:00Z: the fixtures' certificates are valid from December 2026 to 2100, the
    // expired one ended in 2001.
    settings.now = Some(1_893_456_000);
    let translation = translate(&loaded.snapshot, &settings);
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
            _ => panic!("{}: settings.yaml: unknown {key}: {value}", dir.display()),
        }
    }
    settings
}

#[test]
fn golden_cases_match_their_expected_translation() {
    let bless = std::env::var_os("GANTRY_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(!cases.is_empty(), "no golden cases found");
    for dir in cases {
        let actual = run(&dir);
        let expected_path = dir.join("expected.json");
        if bless {
            std::fs::write(&expected_path, &actual).expect("writable expected.json");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            let diff = similar::TextDiff::from_lines(&expected, &actual)
                .unified_diff()
                .context_radius(3)
                .header("expected.json", "actual")
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
fn translation_is_deterministic() {
    for dir in cases() {
        assert_eq!(run(&dir), run(&dir), "{}", dir.display());
    }
}
