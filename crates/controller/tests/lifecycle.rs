//! Changes after a Gateway is programmed: routes edited, moved and deleted, a Service port
//! changed, a ReferenceGrant added and removed, the Gateway deleted, an AWS outage.

mod support;

use gantry_api::wire::{ALB_CONTROLLER_NAME, ALB_GATEWAY_FINALIZER};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::route_builders::{Route, node_port, reference_grant};
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const GW: &str = "apps/web";

/// A Gateway `apps/web` with listeners `a` (80) and `b` (8080), and a route on `a` to the
/// Service `apps/echo`.
fn cluster_yaml() -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway("apps/web", "alb", &[("a", 80, "HTTP"), ("b", 8080, "HTTP")]),
        objects::node_port_service("apps/echo", 80, 30080),
        Route::http("apps/shop")
            .gateway_section("web", "a")
            .to_services(Some("/shop"), &[("echo", 80)])
            .build(),
    ])
}

async fn cluster() -> (FakeApi, Arc<FakeDeploy>, Running) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(&cluster_yaml());
    eventually("web programmed", LIMIT, || web_programmed(&api)).await;
    (api, deploy, running)
}

fn route(api: &FakeApi, name: &str) -> serde_json::Value {
    api.get("HTTPRoute", "apps", name).expect("route exists")
}

fn stack_json(deploy: &FakeDeploy) -> String {
    serde_json::to_string(&deploy.stack(GW).expect("stack deployed")).unwrap()
}

/// Ports of the listeners whose rules forward somewhere.
fn listeners_with_rules(deploy: &FakeDeploy) -> Vec<i32> {
    deploy
        .stack(GW)
        .map(|s| {
            s.listeners
                .iter()
                .filter(|l| serde_json::to_string(l).unwrap().contains("/shop"))
                .map(|l| l.port)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(start_paused = true)]
async fn a_route_edited_moved_to_another_listener_and_deleted() {
    let (api, deploy, running) = cluster().await;
    eventually("route accepted on a", LIMIT, || {
        parent_entry(&route(&api, "shop"), ALB_CONTROLLER_NAME, "web", Some("a"))
            .is_some_and(|p| is_true(p, "Accepted"))
    })
    .await;
    assert_eq!(listeners_with_rules(&deploy), vec![80]);

    // Edited: a new path.
    api.modify("HTTPRoute", "apps", "shop", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/shop/v2".into();
    });
    eventually("the rule follows the new path", LIMIT, || {
        stack_json(&deploy).contains("/shop/v2")
    })
    .await;

    // Moved: from listener a to listener b; the entry for a goes, one for b comes.
    api.modify("HTTPRoute", "apps", "shop", |r| {
        r["spec"]["parentRefs"][0]["sectionName"] = "b".into();
    });
    eventually("route moved to b", LIMIT, || {
        let r = route(&api, "shop");
        parent_entry(&r, ALB_CONTROLLER_NAME, "web", Some("b"))
            .is_some_and(|p| is_true(p, "Accepted"))
            && parent_entry(&r, ALB_CONTROLLER_NAME, "web", Some("a")).is_none()
            && listeners_with_rules(&deploy) == vec![8080]
    })
    .await;

    // Deleted: its rules leave the load balancer.
    api.delete("HTTPRoute", "apps", "shop");
    eventually("rules removed", LIMIT, || {
        listeners_with_rules(&deploy).is_empty()
    })
    .await;
    let gw = api.get("Gateway", "apps", "web").unwrap();
    assert!(
        gw["status"]["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["attachedRoutes"] == 0)
    );
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_service_port_change_reaches_the_target_group() {
    let (api, deploy, running) = cluster().await;
    assert!(stack_json(&deploy).contains("30080"));
    api.modify("Service", "apps", "echo", |s| {
        s["spec"]["ports"][0]["nodePort"] = 30081.into();
    });
    eventually("target group on the new node port", LIMIT, || {
        let s = stack_json(&deploy);
        s.contains("30081") && !s.contains("30080")
    })
    .await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_reference_grant_added_and_removed() {
    let (api, _deploy, running) = cluster().await;
    api.apply_yaml(&objects::docs([
        node_port("data/db", 80, 30090),
        Route::http("apps/remote")
            .gateway_section("web", "a")
            .to_services(Some("/db"), &[("data/db", 80)])
            .build(),
    ]));
    let resolved = |api: &FakeApi| {
        parent_entry(&route(api, "remote"), ALB_CONTROLLER_NAME, "web", Some("a"))
            .and_then(|p| condition(p, "ResolvedRefs").cloned())
    };
    eventually("not permitted without a grant", LIMIT, || {
        resolved(&api).is_some_and(|c| c["status"] == "False" && c["reason"] == "RefNotPermitted")
    })
    .await;
    api.apply_yaml(&reference_grant(
        "data/from-apps",
        "HTTPRoute",
        "apps",
        "Service",
    ));
    eventually("resolved with the grant", LIMIT, || {
        resolved(&api).is_some_and(|c| c["status"] == "True")
    })
    .await;
    api.delete("ReferenceGrant", "data", "from-apps");
    eventually("not permitted again", LIMIT, || {
        resolved(&api).is_some_and(|c| c["reason"] == "RefNotPermitted")
    })
    .await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn deleting_a_gateway_removes_its_aws_resources_then_its_finalizer() {
    let (api, deploy, running) = cluster().await;
    eventually("route accepted", LIMIT, || {
        parent_entry(&route(&api, "shop"), ALB_CONTROLLER_NAME, "web", None).is_some()
    })
    .await;
    assert!(has_finalizer(
        &api.get("Gateway", "apps", "web").unwrap(),
        ALB_GATEWAY_FINALIZER
    ));
    delete_until_gone(&api, "Gateway", "apps", "web", LIMIT).await;
    assert_eq!(deploy.deletes(), vec![GW.to_string()]);
    assert!(deploy.stack(GW).is_none());
    // Its entry leaves the route's status.
    eventually("route entry removed", LIMIT, || {
        parent_entry(&route(&api, "shop"), ALB_CONTROLLER_NAME, "web", None).is_none()
    })
    .await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn an_aws_outage_backs_off_exponentially_and_recovers() {
    let (api, deploy, running) = cluster().await;
    let before = deploy.applies(GW).len();
    deploy.fail_next(4);
    api.modify("HTTPRoute", "apps", "shop", |r| {
        r["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/shop/v2".into();
    });
    eventually("Programmed=False during the outage", LIMIT, || {
        api.get("Gateway", "apps", "web").is_some_and(|g| {
            condition(&g["status"], "Programmed").is_some_and(|c| {
                c["status"] == "False"
                    && c["message"] == "Check Gateway Events for more information."
            })
        })
    })
    .await;
    // The address stays while AWS is out.
    let gw = api.get("Gateway", "apps", "web").unwrap();
    assert_eq!(gw["status"]["addresses"][0]["value"], FakeDeploy::dns(GW));
    eventually("a FailedDeployModel event", LIMIT, || {
        api.list("Event")
            .iter()
            .any(|e| e["reason"] == "FailedDeployModel")
    })
    .await;
    eventually("programmed after the outage", LIMIT, || {
        web_programmed(&api)
    })
    .await;
    assert!(stack_json(&deploy).contains("/shop/v2"));
    let applies = deploy.applies(GW)[before..].to_vec();
    let failed = applies.iter().filter(|(_, ok)| !ok).count();
    assert_eq!(failed, 4);
    // Retries wait up to 1 s, 2 s, 4 s, 8 s (config(): backoff from 1 s, doubling), each
    // jittered down to half of that (crate::retry). The first retry may come sooner: the
    // failed reconcile's own status write (Programmed=False) is a change, which the Gateway
    // throttle (crate::throttle) passes on when its window (config(): 50 ms) ends.
    let gaps: Vec<Duration> = applies
        .windows(2)
        .take(4)
        .map(|w| w[1].0 - w[0].0)
        .collect();
    let window = Duration::from_millis(50);
    let slack = Duration::from_millis(100);
    let gaps = match gaps.split_first() {
        Some((first, rest)) if *first <= window + slack => {
            // Then the backoff goes on from its second step.
            assert_eq!(rest.len(), 3, "{gaps:?}");
            rest.iter()
                .zip([2, 4, 8].map(Duration::from_secs))
                .map(|(g, c)| (*g, c))
                .collect::<Vec<_>>()
        }
        _ => gaps
            .iter()
            .zip([1, 2, 4, 8].map(Duration::from_secs))
            .map(|(g, c)| (*g, c))
            .collect(),
    };
    for (gap, ceiling) in gaps.iter().map(|(g, c)| (g, *c)) {
        assert!(
            *gap + slack >= ceiling / 2 && *gap <= ceiling + slack,
            "{gaps:?}"
        );
    }
    let metrics = running.handle.metrics.render();
    assert!(
        metrics
            .contains("gantry_reconcile_errors_total{kind=\"Gateway\",error=\"aws_transient\"} 4"),
        "{metrics}"
    );
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_gateway_class_stays_while_gateways_use_it() {
    let (api, _deploy, running) = cluster().await;
    eventually("class finalized", LIMIT, || {
        api.get("GatewayClass", "", "alb")
            .is_some_and(|c| has_finalizer(&c, gantry_api::wire::GATEWAY_CLASS_FINALIZER))
    })
    .await;
    api.delete("GatewayClass", "", "alb");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(
        api.get("GatewayClass", "", "alb").is_some(),
        "kept while web uses it"
    );
    api.delete("Gateway", "apps", "web");
    eventually("class gone after its last Gateway", LIMIT, || {
        api.get("GatewayClass", "", "alb").is_none()
    })
    .await;
    running.stop().await;
}
