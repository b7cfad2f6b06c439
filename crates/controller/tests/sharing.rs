//! Sharing the cluster: another controller's route status entries, two replicas behind one
//! lease, and a CRD installed after start.

mod support;

use gantry_api::wire::ALB_CONTROLLER_NAME;
use http::Method;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::{FakeApi, Fault, FaultAction};
use support::deploy::FakeDeploy;
use support::route_builders::Route;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const OTHER: &str = "example.com/other-controller";

/// The Gateway `apps/web` and the route `apps/shop`, which has a second parent: a Service
/// (a mesh's parent, not gantry's).
fn manifests() -> String {
    objects::docs([
        scene::cluster(),
        Route::http("apps/shop")
            .gateway("web")
            .parent(r#"{name: mesh, kind: Service, group: ""}"#)
            .to_services(Some("/shop"), &[("echo", 80)])
            .build(),
    ])
}

fn other_entry() -> serde_json::Value {
    json!({
        "parentRef": {"group": "", "kind": "Service", "name": "mesh"},
        "controllerName": OTHER,
        "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "",
                        "observedGeneration": 1, "lastTransitionTime": "2024-01-01T00:00:00Z"}],
    })
}

fn add_other_entry(api: &FakeApi) {
    api.modify("HTTPRoute", "apps", "shop", |r| {
        let parents = r["status"]["parents"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut parents: Vec<_> = parents
            .into_iter()
            .filter(|p| p["controllerName"] != OTHER)
            .collect();
        parents.push(other_entry());
        r["status"]["parents"] = parents.into();
    });
}

fn entries(api: &FakeApi) -> (bool, bool) {
    let r = api.get("HTTPRoute", "apps", "shop").unwrap();
    let list = r["status"]["parents"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (
        list.iter()
            .any(|p| p["controllerName"] == ALB_CONTROLLER_NAME),
        list.iter().any(|p| p["controllerName"] == OTHER),
    )
}

#[tokio::test(start_paused = true)]
async fn another_controllers_route_parent_entry_survives_our_writes() {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy, config()).await;
    api.apply_yaml(&manifests());
    // The other controller writes first.
    eventually("route stored", LIMIT, || {
        api.get("HTTPRoute", "apps", "shop").is_some()
    })
    .await;
    add_other_entry(&api);
    eventually("both entries", LIMIT, || entries(&api) == (true, true)).await;

    // A concurrent write by the other controller lands between our read and our write: our
    // patch is refused (stale resourceVersion), we read again, and both entries remain.
    api.fault(Fault {
        method: Method::PATCH,
        path: "httproutes/shop/status".into(),
        action: FaultAction::Before(Box::new(|api: &FakeApi| {
            api.modify("HTTPRoute", "apps", "shop", |r| {
                r["status"]["parents"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|p| p["controllerName"] != OTHER);
                r["status"]["parents"]
                    .as_array_mut()
                    .unwrap()
                    .push(other_entry());
                r["metadata"]["labels"] = json!({"touched": "yes"});
            });
        })),
    });
    api.modify("HTTPRoute", "apps", "shop", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/shop/v2".into();
    });
    eventually("our entry follows the new generation", LIMIT, || {
        let r = api.get("HTTPRoute", "apps", "shop").unwrap();
        parent_entry(&r, ALB_CONTROLLER_NAME, "web", None)
            .and_then(|p| condition(p, "Accepted"))
            .is_some_and(|c| c["observedGeneration"] == 2)
    })
    .await;
    assert_eq!(entries(&api), (true, true));
    let status_patches = patches(&api, "httproutes/shop/status");
    assert!(status_patches >= 2, "the refused patch was retried");
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn two_replicas_one_leader_and_a_failover() {
    let api = FakeApi::new();
    let replica = |id: &str| {
        let mut c = leased_in_gantry(id);
        c.lease.duration = Duration::from_secs(15);
        c.lease.renew_every = Duration::from_secs(2);
        c
    };
    let deploy_a = Arc::new(FakeDeploy::default());
    let deploy_b = Arc::new(FakeDeploy::default());
    let a = start(&api, deploy_a.clone(), replica("a")).await;
    eventually("a leads", LIMIT, || *a.handle.leader.borrow()).await;
    let b = start(&api, deploy_b.clone(), replica("b")).await;
    api.apply_yaml(&manifests());
    eventually("programmed by a", LIMIT, || web_programmed(&api)).await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert!(!*b.handle.leader.borrow(), "b waits");
    assert!(deploy_a.apply_count() > 0);
    assert_eq!(deploy_b.apply_count(), 0, "only the leader reconciles");
    let lease = api.get("Lease", "gantry", "gantry-leader").unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], "a");

    // a crashes without releasing the lease: b takes over once it has not been renewed for
    // the lease duration, and handles a change at once.
    a.kill();
    api.modify("HTTPRoute", "apps", "shop", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/after-failover".into();
    });
    let crashed = tokio::time::Instant::now();
    eventually("b leads", LIMIT, || *b.handle.leader.borrow()).await;
    let took = crashed.elapsed();
    assert!(
        took >= Duration::from_secs(15) && took <= Duration::from_secs(20),
        "{took:?}"
    );
    eventually("b reconciled the change", LIMIT, || {
        deploy_b.stack("apps/web").is_some_and(|s| {
            serde_json::to_string(&s)
                .unwrap()
                .contains("/after-failover")
        })
    })
    .await;
    let lease = api.get("Lease", "gantry", "gantry-leader").unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], "b");
    assert_eq!(lease["spec"]["leaseTransitions"], 1);

    // A graceful stop releases the lease.
    b.stop().await;
    let lease = api.get("Lease", "gantry", "gantry-leader").unwrap();
    assert!(lease["spec"]["holderIdentity"].is_null());
}

#[tokio::test(start_paused = true)]
async fn a_replica_that_loses_the_lease_stops_reconciling() {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let a = start(&api, deploy.clone(), leased_in_gantry("a")).await;
    eventually("a leads", LIMIT, || *a.handle.leader.borrow()).await;
    // Someone else takes the lease (e.g. after a network partition).
    api.modify("Lease", "gantry", "gantry-leader", |l| {
        l["spec"]["holderIdentity"] = "b".into();
    });
    eventually("a steps down", LIMIT, || !*a.handle.leader.borrow()).await;
    api.apply_yaml(&manifests());
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(deploy.apply_count(), 0);
    assert!(
        api.get("Gateway", "apps", "web")
            .unwrap()
            .get("status")
            .is_none()
    );
    a.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_missing_crd_disables_only_its_kind_until_installed() {
    let api = FakeApi::new();
    api.uninstall("gateway.networking.k8s.io", "tcproutes");
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy.clone(), config()).await;
    eventually("ready without TCPRoute", LIMIT, || {
        running.handle.ready.is_ready()
    })
    .await;
    api.apply_yaml(&manifests());
    eventually("ALB programmed", LIMIT, || web_programmed(&api)).await;
    api.install("gateway.networking.k8s.io", "tcproutes");
    api.apply_yaml(&example("gatewayclasses.yaml"));
    api.apply_yaml(&example("nlb-tcp"));
    eventually("TCP route picked up after install", LIMIT, || {
        api.list("TCPRoute").iter().all(|r| {
            r["status"]["parents"]
                .as_array()
                .is_some_and(|p| p.iter().any(|e| is_true(e, "Accepted")))
        })
    })
    .await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_watch_namespace_limits_the_gateways_handled() {
    let api = FakeApi::new();
    let mut c = config();
    c.watch_namespace = Some("apps".into());
    let running = start(&api, Arc::new(FakeDeploy::default()), c).await;
    api.apply_yaml(&manifests());
    api.apply_yaml(&objects::gateway(
        "elsewhere/web",
        "alb",
        &[("a", 80, "HTTP")],
    ));
    eventually("apps/web programmed", LIMIT, || web_programmed(&api)).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(
        api.get("Gateway", "elsewhere", "web")
            .unwrap()
            .get("status")
            .is_none()
    );
    // Namespaced kinds were listed in `apps` only.
    assert!(
        api.requests()
            .iter()
            .filter(|r| r.contains("/gateways") && r.starts_with("GET"))
            .all(|r| r.contains("/namespaces/apps/")),
        "{:?}",
        api.requests()
    );
    running.stop().await;
}

/// Each Gateway's reconcile translates its own part of the cluster and writes its own
/// entries: a route on two of our Gateways keeps both, and a Gateway the route leaves loses
/// only its own.
#[tokio::test(start_paused = true)]
async fn a_route_on_two_gateways_keeps_an_entry_for_each() {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    api.apply_yaml(&manifests());
    api.apply_yaml(&objects::gateway(
        "apps/admin",
        "alb",
        &[("a", 8080, "HTTP")],
    ));
    api.modify("HTTPRoute", "apps", "shop", |r| {
        r["spec"]["parentRefs"] = json!([{"name": "web"}, {"name": "admin"}]);
    });
    let running = start(&api, deploy.clone(), config()).await;
    let accepted_by = |gateway: &str| {
        api.get("HTTPRoute", "apps", "shop").is_some_and(|r| {
            parent_entry(&r, ALB_CONTROLLER_NAME, gateway, None)
                .is_some_and(|e| is_true(e, "Accepted"))
        })
    };
    eventually("accepted by both", LIMIT, || {
        accepted_by("web") && accepted_by("admin")
    })
    .await;
    // Both stacks hold the route's rule.
    for gw in ["apps/web", "apps/admin"] {
        let stack = deploy.stack(gw).expect("deployed");
        assert_eq!(stack.listeners[0].rules.len(), 1, "{gw}");
    }

    api.modify("HTTPRoute", "apps", "shop", |r| {
        r["spec"]["parentRefs"] = json!([{"name": "web"}]);
    });
    eventually("admin's entry gone, web's kept", LIMIT, || {
        let r = api.get("HTTPRoute", "apps", "shop").expect("route");
        parent_entry(&r, ALB_CONTROLLER_NAME, "admin", None).is_none() && accepted_by("web")
    })
    .await;
    eventually("admin's rule gone", LIMIT, || {
        deploy
            .stack("apps/admin")
            .is_some_and(|s| s.listeners.iter().all(|l| l.rules.is_empty()))
    })
    .await;
    running.stop().await;
}
