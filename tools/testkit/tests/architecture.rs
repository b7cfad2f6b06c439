//! The layout's rules (ARCHITECTURE.md, "Dependency rules"), checked over `cargo metadata`:
//! which crate may depend on which. Only declared dependencies are read (`--no-deps`), so the
//! check sees what each Cargo.toml asks for, not what feature unification adds.
//! Within some crates, the modules' `use crate::…` lines are read too: they import one way.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
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

/// Crates whose modules must not import each other in a circle: a module that needs a piece
/// of another which needs it back wants that piece moved to where both can take it.
const ACYCLIC_CRATES: &[&str] = &["tiered", "targets", "translate", "deploy", "controller"];

#[test]
fn modules_of_a_crate_import_each_other_one_way() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates");
    for name in ACYCLIC_CRATES {
        let graph = import_graph(&crates.join(name).join("src"));
        assert!(
            graph.len() > 1,
            "{name}: read no modules under crates/{name}/src"
        );
        if let Some(cycle) = find_cycle(&graph) {
            panic!(
                "crates/{name}: modules import each other in a circle: {}",
                cycle.join(" -> ")
            );
        }
    }
}

#[test]
fn the_import_reader_finds_a_circle_and_passes_a_tree() {
    let mut graph = BTreeMap::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("a", "c")] {
        graph
            .entry(from.to_string())
            .or_insert_with(BTreeSet::new)
            .insert(to.to_string());
    }
    assert_eq!(find_cycle(&graph), None);
    graph
        .entry("c".to_string())
        .or_default()
        .insert("a".to_string());
    let cycle = find_cycle(&graph).expect("a -> b -> c -> a is a circle");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    assert_eq!(
        imported_paths("use crate::a::{self, B, c::{D, e}};\npub(crate) use crate::f;"),
        ["a::self", "a::B", "a::c::D", "a::c::e", "f"]
    );
}

/// Module path (`alb::forward`, `""` for the crate root) → the modules it imports with
/// `use crate::…`. An import names the deepest module its path passes through. The crate
/// root is left out: it declares every module and re-exports what the crate offers.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = BTreeMap::new();
    collect_modules(src, src, &mut files);
    let mut graph = BTreeMap::new();
    for (module, file) in &files {
        let text = std::fs::read_to_string(file).expect("source file reads");
        let mut imports = BTreeSet::new();
        for path in imported_paths(&text) {
            let segments: Vec<&str> = path.split("::").collect();
            let target = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|prefix| files.contains_key(prefix));
            if let Some(target) = target.filter(|t| !t.is_empty() && t != module) {
                imports.insert(target);
            }
        }
        if !module.is_empty() {
            graph.insert(module.clone(), imports);
        }
    }
    graph
}

fn collect_modules(root: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory reads") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_modules(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap().with_extension("");
            let mut segments: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                segments.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                segments.pop();
            }
            out.insert(segments.join("::"), path);
        }
    }
}

/// The paths after `crate::` of every `use crate::…;` in `text`, braces expanded.
fn imported_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("use crate::") {
        let starts_word = code[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        if !starts_word {
            continue;
        }
        let rest = &code[at + "use crate::".len()..];
        let tree: String = rest[..rest.find(';').unwrap_or(rest.len())]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        expand_use_tree(&tree, &mut paths);
    }
    paths
}

/// `a::{b, c::{d}}` → `a::b`, `a::c::d`.
fn expand_use_tree(tree: &str, out: &mut Vec<String>) {
    let Some(open) = tree.find('{') else {
        out.push(tree.to_string());
        return;
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut depth, mut start) = (0, 0);
    let mut branches = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                branches.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    branches.push(&inner[start..]);
    for branch in branches.into_iter().filter(|b| !b.is_empty()) {
        let mut expanded = Vec::new();
        expand_use_tree(branch, &mut expanded);
        out.extend(expanded.into_iter().map(|p| format!("{prefix}{p}")));
    }
}

/// One circle of imports as `a -> b -> … -> a`, if there is any.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // Depth-first, keeping the path: an import of a module on the path closes a circle.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_string());
            return Some(cycle);
        }
        if !done.insert(module.to_string()) {
            return None;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}
