//! A controller that survives its API server (issue #19): watch streams cut mid-stream, a
//! too-old resourceVersion answered 410 Gone (as an ERROR event and as the HTTP status), and
//! the API server unreachable for a minute. Objects changed meanwhile end up reconciled to
//! their latest state, with nothing lost or duplicated, and without a restart.
//!
//! The clock is tokio's paused clock: "a minute" of outage is a minute of the controller's
//! time (every backoff and renewal sleeps through it) that passes in milliseconds.

mod support;

use gantry_api::wire::ALB_CONTROLLER_NAME;
use gantry_kube_standin::faults::{Expired, Outage};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::scene::{self, route};
use support::*;

const LIMIT: Duration = Duration::from_secs(120);
const GW: &str = "apps/web";

async fn cluster(routes: &[&str]) -> (FakeApi, Arc<FakeDeploy>, Running) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(&scene::cluster());
    for r in routes {
        api.apply_yaml(&route(r, &format!("/{r}")));
    }
    converged(&api, &deploy, routes.len()).await;
    (api, deploy, running)
}

/// Paths of the rules the deployed stack has.
fn paths(deploy: &FakeDeploy) -> Vec<String> {
    let json = serde_json::to_string(&deploy.stack(GW))
        .unwrap()
        .replace("\"Values\"", "\"values\"");
    let mut out: Vec<String> = json
        .split("\"values\":[\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|v| v.starts_with('/') && !v.contains('*'))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every route's status is accepted for its current generation and the Gateway counts them
/// all.
fn statuses_current(api: &FakeApi, routes: usize) -> bool {
    let all = api.list("HTTPRoute");
    let gw = api.get("Gateway", "apps", "web").unwrap();
    all.len() == routes
        && all.iter().all(|r| {
            parent_entry(r, ALB_CONTROLLER_NAME, "web", None).is_some_and(|p| {
                condition(p, "Accepted").is_some_and(|c| {
                    c["status"] == "True" && c["observedGeneration"] == r["metadata"]["generation"]
                })
            })
        })
        && gw["status"]["listeners"][0]["attachedRoutes"] == routes
        && is_true(&gw["status"], "Programmed")
}

/// The rules are those of the routes stored now (each path once), and the statuses say so.
async fn converged(api: &FakeApi, deploy: &FakeDeploy, routes: usize) {
    let want = || {
        let mut p: Vec<String> = api
            .list("HTTPRoute")
            .iter()
            .map(|r| {
                r["spec"]["rules"][0]["matches"][0]["path"]["value"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        p.sort();
        p
    };
    let start = tokio::time::Instant::now();
    while !(deploy.stack(GW).is_some() && paths(deploy) == want() && statuses_current(api, routes))
    {
        assert!(
            start.elapsed() < LIMIT,
            "rules {:?}, routes {:?}, statuses {}, gateway {}",
            paths(deploy),
            want(),
            serde_json::to_string(
                &api.list("HTTPRoute")
                    .iter()
                    .map(|r| &r["status"])
                    .collect::<Vec<_>>()
            )
            .unwrap(),
            api.get("Gateway", "apps", "web").unwrap()["status"]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The controller's cache holds exactly the stored routes, at their stored versions.
fn cache_matches(api: &FakeApi, running: &Running) -> bool {
    let cached: BTreeMap<String, String> = running
        .handle
        .stores
        .http_routes
        .all()
        .values()
        .map(|r| {
            (
                r.metadata.name.clone().unwrap(),
                r.metadata.resource_version.clone().unwrap(),
            )
        })
        .collect();
    let stored: BTreeMap<String, String> = api
        .list("HTTPRoute")
        .iter()
        .map(|r| {
            (
                r["metadata"]["name"].as_str().unwrap().to_string(),
                r["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    cached == stored
}

/// A fresh controller, on a fresh AWS, makes the same stack from the final objects.
async fn same_as_fresh(api: &FakeApi, deploy: &FakeDeploy, running: Running) {
    running.stop().await;
    let fresh = Arc::new(FakeDeploy::default());
    let again = start(api, fresh.clone(), config()).await;
    eventually("a fresh controller deploys", LIMIT, || {
        fresh.stack(GW).is_some()
    })
    .await;
    assert_eq!(
        fresh.stack(GW),
        deploy.stack(GW),
        "the stack a fresh start makes"
    );
    again.stop().await;
}

fn watch_requests(api: &FakeApi, from: usize) -> usize {
    api.requests_with_query()[from..]
        .iter()
        .filter(|r| r.contains("httproutes") && r.contains("watch=true"))
        .count()
}

#[tokio::test(start_paused = true)]
async fn watches_cut_mid_stream_resume_without_losing_a_change() {
    let (api, deploy, running) = cluster(&["r1", "r2", "r3"]).await;
    let before = api.requests().len();
    api.cut_watches();
    // Changes while the watches reconnect: an edit, a deletion, a creation.
    api.modify("HTTPRoute", "apps", "r1", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/r1-v2".into();
    });
    api.delete("HTTPRoute", "apps", "r2");
    api.apply_yaml(&route("r4", "/r4"));
    converged(&api, &deploy, 3).await;
    assert_eq!(paths(&deploy), ["/r1-v2", "/r3", "/r4"]);
    eventually("cache equals the store", LIMIT, || {
        cache_matches(&api, &running)
    })
    .await;
    assert!(
        watch_requests(&api, before) >= 1,
        "the route watch was opened again"
    );
    same_as_fresh(&api, &deploy, running).await;
}

/// Runs `changes` while the API server is down, then forgets the history they made.
async fn outage_with(api: &FakeApi, how: Expired, changes: impl FnOnce(&FakeApi)) {
    api.set_outage(Some(Outage::Unavailable));
    changes(api);
    api.compact(how);
    tokio::time::sleep(Duration::from_secs(5)).await;
    api.set_outage(None);
}

/// Changes made while the watches are down and the history they would resume from is gone:
/// the watches must list again, and deletions seen only by their absence from that list must
/// still reach the load balancer.
async fn expired_history(how: Expired) {
    let (api, deploy, running) = cluster(&["r1", "r2", "r3"]).await;
    let lists = |api: &FakeApi| {
        api.requests_with_query()
            .iter()
            .filter(|r| r.contains("/httproutes?") && !r.contains("watch=true"))
            .count()
    };
    let listed = lists(&api);
    // A deletion alone: nothing else would make the Gateway reconcile.
    outage_with(&api, how, |api| api.delete("HTTPRoute", "apps", "r2")).await;
    converged(&api, &deploy, 2).await;
    assert_eq!(paths(&deploy), ["/r1", "/r3"]);
    outage_with(&api, how, |api| {
        api.modify("HTTPRoute", "apps", "r1", |r| {
            r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/r1-v2".into();
        });
        api.apply_yaml(&route("r4", "/r4"));
        // r3 is edited twice: only its latest state counts.
        for v in ["/r3-v2", "/r3-v3"] {
            api.modify("HTTPRoute", "apps", "r3", |r| {
                r["spec"]["rules"][0]["matches"][0]["path"]["value"] = v.into();
            });
        }
    })
    .await;
    converged(&api, &deploy, 3).await;
    assert_eq!(paths(&deploy), ["/r1-v2", "/r3-v3", "/r4"]);
    assert!(lists(&api) > listed, "the routes were listed again");
    eventually("cache equals the store", LIMIT, || {
        cache_matches(&api, &running)
    })
    .await;
    // Once relisted, the watch works again: a later change arrives by the watch.
    api.delete("HTTPRoute", "apps", "r4");
    converged(&api, &deploy, 2).await;
    same_as_fresh(&api, &deploy, running).await;
}

#[tokio::test(start_paused = true)]
async fn a_410_error_event_makes_the_watch_list_again() {
    expired_history(Expired::ErrorEvent).await;
}

#[tokio::test(start_paused = true)]
async fn a_410_gone_answer_makes_the_watch_list_again() {
    expired_history(Expired::Gone).await;
}

/// A minute without the API server: every requester backs off (a bounded number of requests
/// per path), and afterwards the controller catches up by itself, lease and all.
async fn unreachable_for_a_minute(outage: Outage) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let c = leased("gantry-a");
    let running = start(&api, deploy.clone(), c.clone()).await;
    api.apply_yaml(&scene::cluster());
    api.apply_yaml(&route("r1", "/r1"));
    converged(&api, &deploy, 1).await;
    let before = api.requests().len();
    api.set_outage(Some(outage));
    api.modify("HTTPRoute", "apps", "r1", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/r1-v2".into();
    });
    api.apply_yaml(&route("r2", "/r2"));
    tokio::time::sleep(Duration::from_secs(60)).await;
    let during: Vec<String> = api.requests()[before..].to_vec();
    api.set_outage(None);
    let mut per_path: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &during {
        *per_path.entry(r.as_str()).or_default() += 1;
    }
    let (busiest, most) = per_path
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(p, n)| (p.to_string(), *n))
        .unwrap_or_default();
    // Watches back off from 0.8 s doubling to 30 s: at most ~8 tries a minute each, and a
    // path is watched by at most two (the tiered class watches TargetGroupBindings too); the
    // lease is tried once per renewal period (5 s): 12 a minute. A hot loop makes thousands.
    let lease_tries = (60 / c.lease.renew_every.as_secs()) as usize + 1;
    assert!(
        most <= lease_tries.max(2 * 10),
        "{busiest} was requested {most} times in the outage (a hot loop?)"
    );
    assert!(
        during.len() <= per_path.len() * 10 + lease_tries,
        "{} requests during the outage",
        during.len()
    );
    assert!(!during.is_empty(), "the controller kept trying");
    // Recovery without restart: the same controller picks the changes up.
    converged(&api, &deploy, 2).await;
    assert_eq!(paths(&deploy), ["/r1-v2", "/r2"]);
    eventually("leading again", LIMIT, || *running.handle.leader.borrow()).await;
    assert!(!running.is_finished());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn api_server_answering_503_for_a_minute() {
    unreachable_for_a_minute(Outage::Unavailable).await;
}

#[tokio::test(start_paused = true)]
async fn api_server_refusing_connections_for_a_minute() {
    unreachable_for_a_minute(Outage::Refused).await;
}
