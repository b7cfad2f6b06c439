//! The layout's rules (ARCHITECTURE.md, "Dependency rules"), checked over `cargo metadata`:
//! which crate may depend on which. Only declared dependencies are read (`--no-deps`), so the
//! check sees what each Cargo.toml asks for, not what feature unification adds.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// gantry's pipeline crates in pipeline order (ARCHITECTURE.md's table): a crate may depend
/// only on crates before it.
const PIPELINE: &[&str] = &[
    "gantry-api",
    "gantry-snapshot",
    "gantry-manifests",
    "gantry-model",
    "gantry-gateway",
    "gantry-translate",
    "gantry-tiered",
    "gantry-targets",
    "gantry-plan",
    "gantry-deploy",
    "gantry-controller",
    "gantry",
];
const PURE: &[&str] = &[
    "gantry-gateway",
    "gantry-translate",
    "gantry-tiered",
    "gantry-targets",
    "gantry-plan",
];
const TOOLING: &[&str] = &["gantry-testkit", "gantry-kube-standin", "gantry-bench"];

/// One declared dependency: (name, kind: "normal" | "dev" | "build", features asked for).
type Dependency = (String, String, Vec<String>);

fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata is JSON")
}

fn workspace() -> BTreeMap<String, Vec<Dependency>> {
    let metadata = metadata();
    let mut crates = BTreeMap::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let deps = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .map(|d| {
                let kind = d["kind"].as_str().unwrap_or("normal").to_string();
                let features = d["features"]
                    .as_array()
                    .map(|f| {
                        f.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                (
                    d["name"].as_str().unwrap_or_default().to_string(),
                    kind,
                    features,
                )
            })
            .collect();
        crates.insert(package["name"].as_str().unwrap().to_string(), deps);
    }
    crates
}

fn normal(deps: &[Dependency]) -> impl Iterator<Item = &Dependency> {
    deps.iter().filter(|(_, kind, _)| kind == "normal")
}

/// `name` and every workspace crate it reaches through normal dependencies.
fn closure(crates: &BTreeMap<String, Vec<Dependency>>, name: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(next) = todo.pop() {
        if !seen.insert(next.clone()) {
            continue;
        }
        for (dep, _, _) in normal(&crates[&next]) {
            if crates.contains_key(dep) {
                todo.push(dep.clone());
            }
        }
    }
    seen
}

fn is_kube_client(name: &str, features: &[String]) -> bool {
    (name == "kube" || name == "kube-runtime" || name == "kube-client")
        && (name != "kube"
            || features
                .iter()
                .any(|f| f == "client" || f == "runtime" || f.ends_with("-tls")))
}

#[test]
fn every_workspace_crate_is_placed_in_the_layout() {
    let crates = workspace();
    for name in crates.keys() {
        assert!(
            PIPELINE.contains(&name.as_str()) || TOOLING.contains(&name.as_str()),
            "{name} is neither a pipeline crate nor tooling: place it in ARCHITECTURE.md and here"
        );
    }
    for name in PIPELINE.iter().chain(TOOLING) {
        assert!(crates.contains_key(*name), "{name} is not in the workspace");
    }
}

#[test]
fn pure_crates_reach_no_runtime_aws_or_api_client() {
    let crates = workspace();
    for pure in PURE {
        for member in closure(&crates, pure) {
            for (dep, _, features) in normal(&crates[&member]) {
                let forbidden = dep == "tokio"
                    || dep.starts_with("aws-")
                    || dep.starts_with("hyper")
                    || dep == "reqwest"
                    || is_kube_client(dep, features);
                assert!(
                    !forbidden,
                    "{pure} must stay pure, but reaches {dep} through {member}"
                );
            }
        }
    }
}

#[test]
fn only_deploy_talks_to_aws_and_only_controller_to_the_api_server() {
    let crates = workspace();
    for name in PIPELINE {
        for (dep, _, features) in normal(&crates[*name]) {
            if dep.starts_with("aws-sdk-") {
                assert_eq!(*name, "gantry-deploy", "{name} depends on {dep}");
            }
            if is_kube_client(dep, features) {
                assert_eq!(
                    *name, "gantry-controller",
                    "{name} depends on {dep} {features:?}"
                );
            }
        }
    }
}

#[test]
fn the_pipeline_flows_one_way_and_ships_no_tooling() {
    let crates = workspace();
    for (position, name) in PIPELINE.iter().enumerate() {
        for (dep, kind, _) in &crates[*name] {
            if let Some(at) = PIPELINE.iter().position(|p| p == dep) {
                assert!(
                    at < position || kind == "dev",
                    "{name} depends on {dep}, which comes later in the pipeline"
                );
            }
            if TOOLING.contains(&dep.as_str()) {
                assert_eq!(kind, "dev", "{name} ships the tooling crate {dep}");
            }
        }
    }
}

#[test]
fn tooling_lives_under_tools_and_what_gantry_ships_under_crates() {
    let metadata = metadata();
    let root = metadata["workspace_root"].as_str().expect("workspace root");
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().unwrap();
        let manifest = package["manifest_path"].as_str().unwrap();
        let dir = manifest
            .strip_prefix(root)
            .unwrap_or(manifest)
            .trim_start_matches('/');
        let expected = if TOOLING.contains(&name) {
            "tools/"
        } else {
            "crates/"
        };
        assert!(
            dir.starts_with(expected),
            "{name} is at {dir}, not under {expected}"
        );
    }
}
