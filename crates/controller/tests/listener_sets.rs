//! ListenerSets in the controller (Gateway API v1.6, the `GatewayListenerSet` gate): watched,
//! merged into their parent Gateway's load balancer, given statuses. The assertions follow the
//! sentences of the Gateway API CRD descriptions (gateway-api-standard.yaml, v1.6.1):
//!
//! - ListenerSet: "The parent Gateway must explicitly allow ListenerSet attachment through its
//!   AllowedListeners configuration"; "Routes can attach to a ListenerSet by specifying it as a
//!   parentRef, and can optionally target specific listeners using the sectionName field".
//! - `spec.listeners`: "Implementations MUST treat the parent Gateway as having the merged list
//!   of all listeners from itself and attached ListenerSets using the following precedence"
//!   (the parent Gateway, then ListenerSets by creation time, oldest first, then by
//!   `{namespace}/{name}`), and "If a listener has a conflict, this will be reported in the
//!   Status.ListenerEntryStatus setting the `Conflicted` condition to True."
//! - Gateway `status.attachedListenerSets`: "the total number of ListenerSets that have been
//!   successfully attached to this Gateway", attached meaning selected by AllowedListeners,
//!   a valid ParentRef, and "The ListenerSet's status has the condition "Accepted: true"".
//!
//! The first scenario runs the real deployer against moto (AWS_ENDPOINT_URL; failing when
//! unset); the others use the fake AWS.

mod support;

use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::route_builders::{Route, gateway_allowing_sets, node_port};
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const ALB: &str = "gateway.k8s.aws/alb";

/// The GatewayClass `alb`, the Gateway `apps/web` (HTTP 80) allowing ListenerSets of its
/// namespace, its ListenerSet `apps/extra` (HTTP 8080) and the Service `apps/echo`.
fn manifests() -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        gateway_allowing_sets("apps/web", "alb", "{from: Same}", &[("http", 80, "HTTP")]),
        route_builders::listener_set("apps/extra", "web", &[("extra-http", 8080, "HTTP")]),
        node_port("apps/echo", 80, 30080),
    ])
}

/// Attached to the ListenerSet's listener only (sectionName), not to the Gateway.
fn route() -> String {
    Route::http("apps/shop")
        .listener_set("extra", Some("extra-http"))
        .to_services(Some("/shop"), &[("echo", 80)])
        .build()
}

/// A later ListenerSet whose listener takes the same port and (no) hostname as `extra`'s: the
/// older one wins; its name also sorts after `extra`, so the order holds even at equal times.
fn conflicting() -> String {
    route_builders::listener_set("apps/late", "web", &[("clash", 8080, "HTTP")])
}

fn listener_set(api: &FakeApi, name: &str) -> Value {
    api.get("ListenerSet", "apps", name).unwrap_or(Value::Null)
}

fn status_of<'a>(obj: &'a Value, kind: &str) -> Option<&'a str> {
    condition(&obj["status"], kind).and_then(|c| c["status"].as_str())
}

fn reason_of<'a>(obj: &'a Value, kind: &str) -> Option<&'a str> {
    condition(&obj["status"], kind).and_then(|c| c["reason"].as_str())
}

/// The entry of ListenerSet `set`'s listener `name` in its `status.listeners`.
fn listener_entry<'a>(set: &'a Value, name: &str) -> Option<&'a Value> {
    set["status"]["listeners"]
        .as_array()?
        .iter()
        .find(|l| l["name"] == name)
}

fn listener_condition<'a>(set: &'a Value, name: &str, kind: &str) -> Option<(&'a str, &'a str)> {
    let c = condition(listener_entry(set, name)?, kind)?;
    Some((c["status"].as_str()?, c["reason"].as_str()?))
}

/// Our `status.parents` entry of the route for ListenerSet `set`.
fn set_parent_entry<'a>(route: &'a Value, set: &str) -> Option<&'a Value> {
    route["status"]["parents"].as_array()?.iter().find(|p| {
        p["controllerName"] == ALB
            && p["parentRef"]["kind"] == "ListenerSet"
            && p["parentRef"]["name"] == set
    })
}

/// Ports of the load balancer's listeners in AWS, and the path patterns of the rules on `port`.
async fn aws_listeners(
    elbv2: &aws_sdk_elasticloadbalancingv2::Client,
    lb_arn: &str,
    port: i32,
) -> (Vec<i32>, Vec<String>) {
    let listeners = aws::listeners(elbv2, lb_arn).await;
    let mut ports: Vec<i32> = listeners.iter().filter_map(|l| l.port).collect();
    ports.sort();
    let mut paths = Vec::new();
    if let Some(arn) = listeners
        .iter()
        .find(|l| l.port == Some(port))
        .and_then(|l| l.listener_arn.clone())
    {
        let rules = elbv2
            .describe_rules()
            .listener_arn(arn)
            .send()
            .await
            .expect("describe rules")
            .rules
            .unwrap_or_default();
        for r in rules {
            for c in r.conditions.unwrap_or_default() {
                if let Some(p) = c.path_pattern_config {
                    paths.extend(p.values.unwrap_or_default());
                }
            }
        }
    }
    (ports, paths)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_set_adds_a_served_listener_conflicts_lose_and_deletion_removes_it() {
    let moto = aws::moto("the ListenerSet moto scenario", "lset").await;
    let (cluster, deployer) = (&moto.cluster, moto.deployer());
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&moto.sdk);
    let api = FakeApi::new();
    let c = moto_config(cluster);
    assert!(c.translate.listener_sets, "the gate is on by default");
    let running = start(&api, deployer, c).await;
    api.apply_yaml(&manifests());

    // The ListenerSet is accepted; with no route on its listener it is programmed too (a
    // listener without routes gets no ELB listener, as the Gateway's own).
    eventually("the ListenerSet is accepted and programmed", LIMIT, || {
        let set = listener_set(&api, "extra");
        status_of(&set, "Accepted") == Some("True") && status_of(&set, "Programmed") == Some("True")
    })
    .await;

    // A route created now, naming the ListenerSet, reconciles the ListenerSet's Gateway.
    api.apply_yaml(&route());
    eventually(
        "the route is accepted with the ListenerSet as parent",
        LIMIT,
        || {
            api.get("HTTPRoute", "apps", "shop")
                .as_ref()
                .and_then(|r| set_parent_entry(r, "extra"))
                .is_some_and(|e| is_true(e, "Accepted") && is_true(e, "ResolvedRefs"))
        },
    )
    .await;
    let route = api.get("HTTPRoute", "apps", "shop").unwrap();
    let entry = set_parent_entry(&route, "extra").unwrap();
    assert_eq!(entry["parentRef"]["sectionName"], "extra-http");
    assert!(
        parent_entry(&route, ALB, "web", None).is_none(),
        "the route names only the ListenerSet: {}",
        route["status"]
    );

    eventually("the listener counts its route", LIMIT, || {
        listener_entry(&listener_set(&api, "extra"), "extra-http")
            .is_some_and(|l| l["attachedRoutes"] == 1)
    })
    .await;
    let set = listener_set(&api, "extra");
    assert_eq!(reason_of(&set, "Accepted"), Some("Accepted"));
    assert_eq!(reason_of(&set, "Programmed"), Some("Programmed"));
    for (kind, want) in [
        ("Accepted", ("True", "Accepted")),
        ("Conflicted", ("False", "NoConflicts")),
        ("ResolvedRefs", ("True", "ResolvedRefs")),
        ("Programmed", ("True", "Programmed")),
    ] {
        assert_eq!(
            listener_condition(&set, "extra-http", kind),
            Some(want),
            "{kind}"
        );
    }
    let generation = set["metadata"]["generation"].as_i64();
    assert!(
        set["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["observedGeneration"].as_i64() == generation),
        "observedGeneration is the ListenerSet's: {}",
        set["status"]
    );
    assert_eq!(
        listener_entry(&set, "extra-http").unwrap()["supportedKinds"],
        serde_json::json!([{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]),
        "an HTTP listener of an ALB takes HTTPRoutes (GRPCRoutes need HTTPS)"
    );
    let gw = api.get("Gateway", "apps", "web").unwrap();
    assert_eq!(gw["status"]["attachedListenerSets"], 1, "{}", gw["status"]);
    assert!(
        gw["status"]["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["name"] != "extra-http"),
        "ListenerSet listeners report on the ListenerSet, not the Gateway"
    );

    // The load balancer serves the ListenerSet's listener with the route's rule.
    let lb_arn = condition(&gw["status"], "Programmed").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    let mut served = (vec![], vec![]);
    for _ in 0..100 {
        served = aws_listeners(&elbv2, &lb_arn, 8080).await;
        if served.0.contains(&8080) && served.1.iter().any(|p| p.starts_with("/shop")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(served.0.contains(&8080), "ELB listener on 8080: {served:?}");
    assert!(
        served.1.iter().any(|p| p.starts_with("/shop")),
        "the route's rule on 8080: {served:?}"
    );

    // A later ListenerSet with a conflicting listener: it loses, reported as Conflicted.
    api.apply_yaml(&conflicting());
    eventually("the later listener is conflicted", LIMIT, || {
        listener_condition(&listener_set(&api, "late"), "clash", "Conflicted")
            .is_some_and(|(s, _)| s == "True")
    })
    .await;
    let late = listener_set(&api, "late");
    assert_eq!(
        listener_condition(&late, "clash", "Conflicted"),
        Some(("True", "HostnameConflict"))
    );
    assert_eq!(
        listener_condition(&late, "clash", "Accepted").map(|c| c.0),
        Some("False")
    );
    assert_eq!(
        status_of(&late, "Accepted"),
        Some("False"),
        "no valid listener"
    );
    assert_eq!(reason_of(&late, "Accepted"), Some("ListenersNotValid"));
    assert_eq!(status_of(&late, "Programmed"), Some("False"));
    let extra = listener_set(&api, "extra");
    assert_eq!(
        listener_condition(&extra, "extra-http", "Conflicted"),
        Some(("False", "NoConflicts")),
        "the older ListenerSet keeps its listener"
    );
    assert_eq!(
        api.get("Gateway", "apps", "web").unwrap()["status"]["attachedListenerSets"],
        1,
        "a ListenerSet that is not Accepted is not attached"
    );
    assert!(
        aws_listeners(&elbv2, &lb_arn, 8080)
            .await
            .1
            .iter()
            .any(|p| p.starts_with("/shop"))
    );

    // Deleting the ListenerSet takes its listener off the load balancer, its entry off the
    // route, and ends the conflict of the later one.
    api.delete("ListenerSet", "apps", "extra");
    let mut ports = vec![8080];
    for _ in 0..150 {
        ports = aws_listeners(&elbv2, &lb_arn, 8080).await.0;
        if !ports.contains(&8080) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        !ports.contains(&8080),
        "listener 8080 removed from AWS: {ports:?}"
    );
    eventually(
        "the route's entry for the deleted ListenerSet is gone",
        LIMIT,
        || {
            api.get("HTTPRoute", "apps", "shop")
                .is_some_and(|r| set_parent_entry(&r, "extra").is_none())
        },
    )
    .await;
    eventually("the later ListenerSet is now accepted", LIMIT, || {
        let late = listener_set(&api, "late");
        status_of(&late, "Accepted") == Some("True")
            && listener_condition(&late, "clash", "Conflicted") == Some(("False", "NoConflicts"))
    })
    .await;
    eventually("attachedListenerSets counts it", LIMIT, || {
        api.get("Gateway", "apps", "web")
            .is_some_and(|g| g["status"]["attachedListenerSets"] == 1)
    })
    .await;

    delete_until_gone(&api, "Gateway", "apps", "web", LIMIT).await;
    running.stop().await;
}

/// [`manifests`] with the fake AWS, once the ListenerSet `extra` is Programmed.
async fn extra_programmed() -> (FakeApi, Running) {
    let api = FakeApi::new();
    api.apply_yaml(&manifests());
    let running = start(&api, Arc::new(FakeDeploy::default()), config()).await;
    eventually("the ListenerSet is programmed", LIMIT, || {
        status_of(&listener_set(&api, "extra"), "Programmed") == Some("True")
    })
    .await;
    (api, running)
}

/// Waits until the ListenerSet `extra` is neither accepted nor programmed for `reason`, and
/// checks that it reports no listener; gives it back.
async fn refused_with(api: &FakeApi, reason: &str) -> Value {
    eventually(&format!("refused with {reason}"), LIMIT, || {
        let set = listener_set(api, "extra");
        reason_of(&set, "Accepted") == Some(reason)
            && status_of(&set, "Accepted") == Some("False")
            && status_of(&set, "Programmed") == Some("False")
    })
    .await;
    let set = listener_set(api, "extra");
    assert!(
        set["status"]["listeners"]
            .as_array()
            .is_none_or(|l| l.is_empty()),
        "a refused ListenerSet reports no listener: {}",
        set["status"]
    );
    set
}

/// "The default value is to allow no ListenerSets": a Gateway that stops allowing them
/// refuses its ListenerSet (`NotAllowed`) at its next reconcile, and allows it again.
#[tokio::test(start_paused = true)]
async fn a_gateway_change_re_evaluates_its_listener_sets() {
    let (api, running) = extra_programmed().await;
    api.modify("Gateway", "apps", "web", |g| {
        g["spec"]["allowedListeners"] = serde_json::json!({"namespaces": {"from": "None"}});
        g["metadata"]["generation"] = Value::from(2);
    });
    refused_with(&api, "NotAllowed").await;
    eventually("no ListenerSet attached", LIMIT, || {
        api.get("Gateway", "apps", "web")
            .is_some_and(|g| g["status"]["attachedListenerSets"] == 0)
    })
    .await;
    api.modify("Gateway", "apps", "web", |g| {
        g["spec"]["allowedListeners"] = serde_json::json!({"namespaces": {"from": "Same"}});
        g["metadata"]["generation"] = Value::from(3);
    });
    eventually("allowed again", LIMIT, || {
        status_of(&listener_set(&api, "extra"), "Accepted") == Some("True")
    })
    .await;
    running.stop().await;
}

/// With `GatewayListenerSet=false` no ListenerSet is watched (no request for them: the chart
/// grants none) and the Gateway gets no `attachedListenerSets`.
#[tokio::test(start_paused = true)]
async fn with_the_gate_off_listener_sets_are_not_watched() {
    let api = FakeApi::new();
    api.apply_yaml(&manifests());
    let mut c = config();
    c.translate.listener_sets = false;
    let running = start(&api, Arc::new(FakeDeploy::default()), c).await;
    eventually("the Gateway is programmed", LIMIT, || web_programmed(&api)).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let requests: Vec<String> = api
        .requests()
        .into_iter()
        .filter(|r| r.contains("listenersets"))
        .collect();
    assert!(requests.is_empty(), "{requests:?}");
    let gw = api.get("Gateway", "apps", "web").unwrap();
    assert!(
        gw["status"].get("attachedListenerSets").is_none(),
        "{}",
        gw["status"]
    );
    assert!(
        listener_set(&api, "extra")["status"]["conditions"]
            .as_array()
            .is_none_or(|c| c.is_empty()),
        "the ListenerSet is left alone"
    );
    running.stop().await;
}

/// Deleting the parent Gateway leaves its ListenerSet without a Gateway to be part of: it says
/// so (`Accepted` and `Programmed` False, `ParentNotAccepted`, no listener entries) instead of
/// keeping the Programmed status of listeners that no longer exist; a new Gateway of the same
/// name takes it back.
#[tokio::test(start_paused = true)]
async fn deleting_the_gateway_leaves_its_listener_sets_unaccepted() {
    let (api, running) = extra_programmed().await;
    delete_until_gone(&api, "Gateway", "apps", "web", LIMIT).await;
    let set = refused_with(&api, "ParentNotAccepted").await;
    let message = condition(&set["status"], "Accepted").expect("Accepted")["message"].clone();
    assert!(
        message.as_str().is_some_and(|m| m.contains("apps/web")),
        "the message names the Gateway: {message}"
    );

    api.apply_yaml(&gateway_allowing_sets(
        "apps/web",
        "alb",
        "{from: Same}",
        &[("http", 80, "HTTP")],
    ));
    eventually("a new Gateway of that name takes it back", LIMIT, || {
        status_of(&listener_set(&api, "extra"), "Programmed") == Some("True")
    })
    .await;
    running.stop().await;
}
