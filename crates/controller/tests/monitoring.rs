//! deploy/monitoring/ against the metrics the controller exports: every metric the Grafana
//! dashboard and the Prometheus rules query is one `Metrics::render` writes (a renamed metric
//! would leave a panel or an alert silently empty), every exported metric has a panel, and the
//! alerts the runbook promises exist and query what they say.

use gantry_controller::metrics::Metrics;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every series name the controller exports, with each kind of series present.
fn exported() -> BTreeSet<String> {
    let m = Metrics::new(Some(Box::new(|| {
        [(
            ("ELBv2".to_string(), "DescribeLoadBalancers".to_string()),
            1,
        )]
        .into_iter()
        .collect()
    })));
    m.reconciled("Gateway", Duration::from_millis(20), Some("aws_throttled"));
    m.watch_error("HTTPRoute");
    m.status_written("Gateway");
    m.enqueued("Gateway/a/b");
    m.set_leader(true);
    m.render()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split(['{', ' ']).next().unwrap_or("").to_string())
        .collect()
}

/// `gantry_…` words of a query text.
fn names_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("gantry_") && w.len() > "gantry_".len())
        .map(str::to_string)
        .collect()
}

fn dashboard_queries() -> Vec<String> {
    let d: Value = serde_json::from_str(&read("deploy/monitoring/grafana-dashboard.json"))
        .expect("the dashboard is JSON");
    d["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| t["expr"].as_str().map(str::to_string))
        .collect()
}

fn alerts() -> Vec<(String, String)> {
    let rules: serde_norway::Value =
        serde_norway::from_str(&read("deploy/monitoring/prometheus-rules.yaml"))
            .expect("the rules are YAML");
    rules["groups"]
        .as_sequence()
        .expect("groups")
        .iter()
        .flat_map(|g| g["rules"].as_sequence().cloned().unwrap_or_default())
        .map(|r| {
            (
                r["alert"].as_str().expect("alert name").to_string(),
                r["expr"].as_str().expect("expr").to_string(),
            )
        })
        .collect()
}

#[test]
fn exported_names_are_found() {
    let names = exported();
    for n in [
        "gantry_reconciles_total",
        "gantry_reconcile_errors_total",
        "gantry_reconcile_duration_seconds_bucket",
        "gantry_queue_depth",
        "gantry_leader",
        "gantry_aws_calls_total",
    ] {
        assert!(names.contains(n), "{n} not in {names:?}");
    }
}

#[test]
fn dashboard_and_alerts_query_only_exported_metrics() {
    let exported = exported();
    let mut unknown = BTreeSet::new();
    let queries: Vec<String> = dashboard_queries()
        .into_iter()
        .chain(alerts().into_iter().map(|(_, e)| e))
        .collect();
    assert!(queries.len() >= 10, "{queries:?}");
    for q in &queries {
        let names = names_in(q);
        assert!(!names.is_empty(), "query without a gantry metric: {q}");
        unknown.extend(names.into_iter().filter(|n| !exported.contains(n)));
    }
    assert!(unknown.is_empty(), "queried but not exported: {unknown:?}");
}

#[test]
fn every_exported_metric_has_a_dashboard_panel() {
    let used: BTreeSet<String> = dashboard_queries()
        .iter()
        .flat_map(|q| names_in(q))
        .collect();
    let families: BTreeSet<String> = exported()
        .into_iter()
        .map(|n| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| n.strip_suffix(s).filter(|_| n.contains("_duration_")))
                .unwrap_or(n.as_str())
                .to_string()
        })
        .collect();
    let missing: Vec<&String> = families
        .iter()
        .filter(|f| !used.iter().any(|u| u.starts_with(f.as_str())))
        .collect();
    assert!(missing.is_empty(), "no panel shows {missing:?}");
}

#[test]
fn alerts_cover_reconcile_errors_throttling_and_leader_flapping() {
    let alerts = alerts();
    let find = |name: &str| {
        alerts
            .iter()
            .find(|(a, _)| a == name)
            .map(|(_, e)| e.clone())
            .unwrap_or_else(|| panic!("no alert {name}"))
    };
    assert!(find("GantryReconcileErrors").contains("gantry_reconcile_errors_total"));
    let throttled = find("GantryAwsThrottled");
    // The error label value is the one the controller writes for throttling.
    assert!(throttled.contains("error=\"aws_throttled\""), "{throttled}");
    assert!(
        read("crates/controller/src/error.rs").contains("=> \"aws_throttled\""),
        "the controller no longer labels throttling aws_throttled"
    );
    assert!(find("GantryLeaderFlapping").contains("changes(gantry_leader["));
}
