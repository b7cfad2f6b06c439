//! A burst of changes to one Gateway's routes (issue #18): 100 changes within a second cost at
//! most two reconciles of the Gateway — the first change is reconciled at once, everything
//! after it once more when the window (`Config::debounce`) has passed — and the last change is
//! what ends up deployed.
//!
//! The clock is tokio's paused clock, so "within a second" is the controller's time and the
//! count does not depend on how busy the machine is.

mod support;

use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::scene::{self, route};
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const GW: &str = "apps/web";

/// The path values of the deployed stack's rules.
fn deployed_paths(deploy: &FakeDeploy) -> Vec<String> {
    let Some(stack) = deploy.stack(GW) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for l in &stack.listeners {
        for r in &l.rules {
            let json = serde_json::to_value(&r.conditions).unwrap().to_string();
            out.extend(
                json.split('"')
                    .filter(|s| (s.starts_with("/v") || *s == "/r") && !s.ends_with("/*"))
                    .map(str::to_string),
            );
        }
    }
    out
}

fn set_path(api: &FakeApi, path: &str) {
    api.modify("HTTPRoute", "apps", "r", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = json!(path);
    });
}

/// A controller debouncing changes for `debounce`, started before the cluster and the route
/// `r` are applied.
async fn started_with_debounce(debounce: Duration) -> (FakeApi, Arc<FakeDeploy>, Running) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let mut c = config();
    c.debounce = debounce;
    let running = start(&api, deploy.clone(), c).await;
    api.apply_yaml(&scene::cluster());
    api.apply_yaml(&route("r", "/r"));
    (api, deploy, running)
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_100_changes_to_one_gateway_costs_at_most_two_reconciles() {
    let (api, deploy, running) = started_with_debounce(Duration::from_secs(1)).await;
    eventually("the route is deployed", LIMIT, || {
        deployed_paths(&deploy) == ["/r"]
    })
    .await;
    // Let the reconciles the set-up caused (statuses written, classes) settle.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let metrics = &running.handle.metrics;
    let reconciles_before = metrics.reconciles("Gateway");
    let applies_before = deploy.applies(GW).len();

    let start = tokio::time::Instant::now();
    for i in 0..100 {
        set_path(&api, &format!("/v{i}"));
        tokio::time::sleep(Duration::from_millis(9)).await;
    }
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "the burst took {:?}, not within a second",
        start.elapsed()
    );
    eventually("the last change is deployed", LIMIT, || {
        deployed_paths(&deploy) == ["/v99"]
    })
    .await;
    // Anything still held would run within the window; wait well past it.
    tokio::time::sleep(Duration::from_secs(10)).await;

    let reconciles = metrics.reconciles("Gateway") - reconciles_before;
    let applies = deploy.applies(GW).len() - applies_before;
    assert!(
        (1..=2).contains(&reconciles),
        "100 changes within a second cost {reconciles} Gateway reconciles (at most 2)"
    );
    assert!(
        (1..=2).contains(&applies),
        "100 changes within a second cost {applies} applies (at most 2)"
    );
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_lone_change_is_reconciled_without_waiting_for_the_window() {
    // A window far longer than the wait below: a debounce would hold the change for all of it.
    let (api, deploy, running) = started_with_debounce(Duration::from_secs(60)).await;
    // The set-up's changes come in a burst too: the last of them waits for the window.
    eventually("the route is deployed", Duration::from_secs(300), || {
        deployed_paths(&deploy) == ["/r"]
    })
    .await;
    // Past the window of the set-up's own changes.
    tokio::time::sleep(Duration::from_secs(180)).await;

    set_path(&api, "/v1");
    eventually(
        "the change is deployed well before the window",
        Duration::from_secs(5),
        || deployed_paths(&deploy) == ["/v1"],
    )
    .await;
    running.stop().await;
}
