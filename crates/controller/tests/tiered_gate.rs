//! `Config::tiered` (the TieredGatewayAPI gate, the chart's `tiered.enabled`): off, the
//! controller makes none of the requests crate::access::TIERED_ACCESS grants, so the chart can
//! leave those permissions out; on, the same cluster makes them.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;

/// An ALB Gateway `apps/web` and a tiered one `apps/edge`, each of its class.
fn cluster() -> String {
    let http = [("http", 80, "HTTP")];
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::tiered_class("tiered", "apps/tiered-config"),
        TIERED_CONFIG.to_string(),
        objects::gateway("apps/web", "alb", &http),
        objects::gateway("apps/edge", "tiered", &http),
    ])
}

const TIERED_CONFIG: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: tiered-config, namespace: apps}
data: {region: us-west-2, vpcID: vpc-1, subnets: "subnet-1, subnet-2"}
"#;

/// Requests only the tiered class makes: its class ConfigMaps and the Crossplane groups.
fn tiered_requests(api: &FakeApi) -> Vec<String> {
    api.requests()
        .into_iter()
        .filter(|r| {
            r.contains("/configmaps") || r.contains("crossplane.io") || r.contains("upbound.io")
        })
        .collect()
}

async fn run_cluster(tiered: bool) -> (FakeApi, Vec<String>) {
    let api = FakeApi::new();
    api.apply_yaml(&cluster());
    let mut c = config();
    c.tiered = tiered;
    let running = start(&api, Arc::new(FakeDeploy::default()), c).await;
    eventually(
        "the ALB Gateway is programmed",
        Duration::from_secs(60),
        || {
            api.get("Gateway", "apps", "web")
                .is_some_and(|g| is_true(&g["status"], "Programmed"))
        },
    )
    .await;
    // Let the tiered loop (when on) make its rounds.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let seen = tiered_requests(&api);
    running.stop().await;
    (api, seen)
}

#[tokio::test(start_paused = true)]
async fn with_the_tiered_class_off_no_tiered_request_is_made() {
    let (api, seen) = run_cluster(false).await;
    assert!(
        seen.is_empty(),
        "tiered requests with the class off: {seen:?}"
    );
    let edge = api.get("Gateway", "apps", "edge").expect("edge");
    assert!(
        edge["status"]["conditions"]
            .as_array()
            .is_none_or(|c| c.iter().all(|c| c["reason"] == "Pending")),
        "the tiered Gateway is left alone: {}",
        edge["status"]
    );
}

#[tokio::test(start_paused = true)]
async fn with_the_tiered_class_on_the_same_cluster_makes_tiered_requests() {
    let (_, seen) = run_cluster(true).await;
    assert!(
        seen.iter().any(|r| r.contains("/configmaps")),
        "the tiered class watches its ConfigMaps: {seen:?}"
    );
}
