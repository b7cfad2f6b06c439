//! The reconcile error policy by error class (issue #19; crate::retry has the table): an
//! invalid request is not retried hot but a change retries it at once, throttling backs off
//! with jitter, growing and bounded, and a status write conflict is retried at once.

mod support;

use gantry_deploy::ErrorClass;
use gantry_kube_standin::apiserver::{Fault, FaultAction};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::scene::{cluster, route};
use support::*;
use tokio::time::Instant;

const LIMIT: Duration = Duration::from_secs(120);
const GW: &str = "apps/web";

/// A programmed cluster whose next `n` applies fail with `class`, after one change: the
/// reconciles from then on are that change's and its retries only. Returns the applies so far.
async fn failing(class: ErrorClass, n: u32) -> (FakeApi, Arc<FakeDeploy>, Running, usize) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(&cluster());
    api.apply_yaml(&route("r1", "/r1"));
    eventually("programmed", LIMIT, || programmed(&api)).await;
    // Let the start's reconciles settle.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = deploy.applies(GW).len();
    deploy.fail_next_as(n, class);
    api.modify("HTTPRoute", "apps", "r1", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/r1-v2".into();
    });
    (api, deploy, running, before)
}

fn programmed(api: &FakeApi) -> bool {
    api.get("Gateway", "apps", "web")
        .is_some_and(|g| is_true(&g["status"], "Programmed"))
}

/// Gaps between the applies of the Gateway after the first `skip`.
fn gaps(deploy: &FakeDeploy, skip: usize) -> Vec<Duration> {
    let times: Vec<Instant> = deploy.applies(GW)[skip..].iter().map(|(t, _)| *t).collect();
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test(start_paused = true)]
async fn an_invalid_request_waits_for_a_change_or_the_slow_retry() {
    let c = config();
    let (api, deploy, running, before) = failing(ErrorClass::Invalid, u32::MAX).await;
    eventually("first apply refused", LIMIT, || {
        deploy.applies(GW).len() > before
    })
    .await;
    // Two minutes: a transient error would be retried ~8 times (1, 2, 4, … 30 s).
    tokio::time::sleep(Duration::from_secs(120)).await;
    let tries = deploy.applies(GW).len() - before;
    let most = 1 + (120 / c.backoff_max.as_secs()) as usize;
    assert!(tries <= most, "{tries} tries in 2 minutes (at most {most})");
    assert!(gaps(&deploy, before).iter().all(|g| *g >= c.backoff_max));
    assert!(!programmed(&api));
    // A change retries at once, whatever the schedule.
    deploy.fail_next(0);
    let changed = Instant::now();
    api.modify("HTTPRoute", "apps", "r1", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/r1-v3".into();
    });
    eventually("programmed after the change", LIMIT, || programmed(&api)).await;
    assert!(changed.elapsed() < c.backoff_min, "{:?}", changed.elapsed());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn throttling_backs_off_with_jitter_growing_and_bounded() {
    let c = config();
    let failures = 7;
    let (api, deploy, running, before) = failing(ErrorClass::Throttled, failures).await;
    eventually("failing", LIMIT, || !programmed(&api)).await;
    eventually("programmed once throttling ends", LIMIT * 2, || {
        programmed(&api)
    })
    .await;
    let gaps = gaps(&deploy, before);
    assert!(gaps.len() >= failures as usize, "{gaps:?}");
    // Slack for the debounce.
    let slack = c.debounce * 2;
    for (i, gap) in gaps.iter().take(failures as usize).enumerate() {
        let ceiling = (c.backoff_min * 2u32.pow(i as u32)).min(c.backoff_max);
        assert!(
            *gap + slack >= ceiling / 2 && *gap <= ceiling + slack,
            "retry {}: waited {gap:?}, expected {:?}..{ceiling:?} ({gaps:?})",
            i + 1,
            ceiling / 2
        );
    }
    // Growing while below the bound (a wait in [d/2, d] after one in [d/4, d/2]); at the
    // bound the waits are jittered in [max/2, max].
    let uncapped = (1..failures)
        .take_while(|i| c.backoff_min * 2u32.pow(*i) <= c.backoff_max)
        .count();
    assert!(
        gaps.windows(2).take(uncapped).all(|w| w[1] + slack >= w[0]),
        "growing: {gaps:?}"
    );
    // Jitter: the waits are not the bare doubling sequence.
    let exact = gaps
        .iter()
        .take(failures as usize)
        .enumerate()
        .filter(|(i, g)| {
            let ceiling = (c.backoff_min * 2u32.pow(*i as u32)).min(c.backoff_max);
            g.abs_diff(ceiling) <= slack
        })
        .count();
    assert!(exact < failures as usize, "no jitter: {gaps:?}");
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_status_conflict_is_retried_at_once() {
    let c = config();
    let api = FakeApi::new();
    let running = start(&api, Arc::new(FakeDeploy::default()), config()).await;
    api.apply_yaml(&cluster());
    api.apply_yaml(&route("r1", "/r1"));
    eventually("route accepted", LIMIT, || {
        api.get("HTTPRoute", "apps", "r1")
            .is_some_and(|r| r["status"]["parents"][0]["conditions"][0]["status"] == "True")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Every attempt of one status write conflicts (5, status.rs), so the reconcile fails with
    // a conflict; the retry must come at once, not after a backoff.
    for _ in 0..5 {
        api.fault(Fault {
            method: http::Method::PATCH,
            path: "httproutes/r1/status".into(),
            action: FaultAction::Fail(409),
        });
    }
    let changed = Instant::now();
    api.modify("HTTPRoute", "apps", "r1", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/r1-v2".into();
    });
    eventually("status of generation 2", LIMIT, || {
        api.get("HTTPRoute", "apps", "r1")
            .is_some_and(|r| r["status"]["parents"][0]["conditions"][0]["observedGeneration"] == 2)
    })
    .await;
    let route_patches = patches(&api, "httproutes/r1/status");
    assert!(
        route_patches >= 6,
        "5 conflicts then a success: {route_patches}"
    );
    assert!(
        changed.elapsed() < c.backoff_min / 2,
        "retried after {:?}",
        changed.elapsed()
    );
    running.stop().await;
}
