//! SIGTERM mid-reconcile (issue #19): the AWS call in flight finishes and its outcome is
//! written, the lease is held until then and released after, and a restarted controller takes
//! over at once and converges.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::gate::GatedDeploy;
use support::scene::{cluster, route};
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const GW: &str = "apps/web";

fn holder(api: &FakeApi) -> Option<String> {
    api.get("Lease", "kube-system", "gantry-leader")
        .and_then(|l| l["spec"]["holderIdentity"].as_str().map(str::to_string))
}

#[tokio::test(start_paused = true)]
async fn sigterm_mid_reconcile_finishes_the_aws_call_releases_the_lease_and_a_restart_converges() {
    let api = FakeApi::new();
    let aws = Arc::new(FakeDeploy::default());
    let gated = Arc::new(GatedDeploy::new(aws.clone()));
    gated.close();
    let mut running = start(&api, gated.clone(), leased("gantry-a")).await;
    api.apply_yaml(&cluster());
    api.apply_yaml(&route("r1", "/r1"));
    eventually("an apply in flight", LIMIT, || gated.started() >= 1).await;
    assert_eq!(holder(&api).as_deref(), Some("gantry-a"));

    // SIGTERM. AWS takes its time: longer than the lease lasts unrenewed (15 s).
    running.request_stop();
    tokio::time::sleep(Duration::from_secs(40)).await;
    assert!(!running.is_finished(), "stopped with an AWS call in flight");
    assert_eq!(gated.finished(), 0);
    assert_eq!(
        holder(&api).as_deref(),
        Some("gantry-a"),
        "the lease is kept (renewed) while the reconcile finishes"
    );
    assert!(*running.handle.leader.borrow());

    // AWS answers: the reconcile completes, its status is written, then the process ends.
    gated.open();
    eventually("the controller stops", LIMIT, || running.is_finished()).await;
    assert_eq!(gated.finished(), gated.started(), "every AWS call finished");
    assert!(aws.stack(GW).is_some());
    let gw = api.get("Gateway", "apps", "web").unwrap();
    assert!(
        is_true(&gw["status"], "Programmed"),
        "the outcome was written before stopping: {}",
        gw["status"]
    );
    assert_eq!(holder(&api), None, "the lease was released");
    running.stop().await;

    // Changes while no controller runs; a new replica leads at once (no lease to wait out)
    // and converges.
    api.modify("HTTPRoute", "apps", "r1", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/r1-v2".into();
    });
    api.apply_yaml(&route("r2", "/r2"));
    let restarted = tokio::time::Instant::now();
    let again = start(&api, aws.clone(), leased("gantry-b")).await;
    eventually("the new replica leads", LIMIT, || {
        *again.handle.leader.borrow()
    })
    .await;
    assert!(restarted.elapsed() < Duration::from_secs(15));
    eventually("converged after the restart", LIMIT, || {
        let json = serde_json::to_string(&aws.stack(GW)).unwrap();
        let routes = api.list("HTTPRoute");
        json.contains("/r1-v2")
            && json.contains("/r2")
            && !json.contains("\"/r1\"")
            && routes.iter().all(|r| {
                r["status"]["parents"][0]["conditions"]
                    .as_array()
                    .is_some_and(|c| {
                        c.iter().any(|c| {
                            c["type"] == "Accepted"
                                && c["status"] == "True"
                                && c["observedGeneration"] == r["metadata"]["generation"]
                        })
                    })
            })
    })
    .await;
    assert_eq!(holder(&api).as_deref(), Some("gantry-b"));
    again.stop().await;
    assert_eq!(holder(&api), None);
}
