//! Tiered gateways (docs/tiered.md) through the real controller loop against the API
//! server stand-in, with the seed's provider family (`crossplane-contrib`): the test plays
//! Crossplane (ARNs, DNS name, Ready) and Istio (the shadow Gateway Programmed, the shadow
//! route Accepted) by writing their statuses. `tiered_upbound.rs` runs the Upbound families.

mod support;

use gantry_testkit::scenes;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;
use support::{istio, tiered_seed};

const LIMIT: Duration = Duration::from_secs(60);
const TIERED: &str = "gateway.k8s.aws/tiered";
const XP: &str = "elbv2.aws.crossplane.io";

/// The tiered class the seeds' Gateways name, configured by `tiered/tiered-config`.
fn class() -> String {
    objects::tiered_class("public-gw-gateway-class", "tiered/tiered-config")
}

/// Seed 003: the class configuration, the Gateway and its HTTPRoute.
fn seed() -> String {
    objects::docs([NAMESPACE.to_string(), scenes::TIERED_SEED_003.to_string()])
}

const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: tiered}\n";

const LB: &str = "tiered.foo-gateway";
const PORT: &str = "tiered.foo-gateway.80";
const DNS: &str = "foo-gateway-1234.us-west-2.elb.amazonaws.com";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:elasticloadbalancing:us-west-2:1:{kind}/{name}")
}

async fn started(api: &FakeApi) -> Running {
    start(api, Arc::new(FakeDeploy::default()), config()).await
}

async fn until(what: &str, check: impl FnMut() -> bool) {
    eventually(what, LIMIT, check).await
}

fn user_gateway(api: &FakeApi) -> Value {
    api.get("Gateway", "tiered", "foo-gateway")
        .expect("user Gateway")
}

fn has_status(obj: &Value, kind: &str, status: &str) -> bool {
    condition(&obj["status"], kind).is_some_and(|c| c["status"] == status)
}

/// Crossplane: the resource reports its ARN (the LoadBalancer its DNS name) and readiness.
fn crossplane_reports(api: &FakeApi, kind: &str, name: &str, ready: bool) {
    let at_provider = match kind {
        "LoadBalancer" => json!({"loadBalancerARN": arn("loadbalancer", name), "dnsName": DNS}),
        "TargetGroup" => json!({"targetGroups": [{"targetGroupARN": arn("targetgroup", name)}]}),
        _ => json!({"listenerARN": arn("listener", name)}),
    };
    let status = if ready { "True" } else { "False" };
    api.modify(kind, "", name, |o| {
        o["status"] = json!({"atProvider": at_provider,
            "conditions": [{"type": "Ready", "status": status, "reason": "Available"}]});
    });
}

/// Seed applied, shadows and the first Crossplane resources created.
async fn seeded(api: &FakeApi) {
    api.apply_yaml(&class());
    api.apply_yaml(&seed());
    until(
        "shadow Gateway, shadow route, LoadBalancer, TargetGroup",
        || {
            api.get("Gateway", "tiered", "foo-gateway-istio").is_some()
                && api.get("HTTPRoute", "tiered", "foo-site-istio").is_some()
                && api.get("LoadBalancer", "", LB).is_some()
                && api.get("TargetGroup", "", PORT).is_some()
        },
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn seed_003_from_gateway_to_programmed_address() {
    let api = FakeApi::new();
    let running = started(&api).await;
    seeded(&api).await;

    // 1. The shadows copy the user's objects; the Listener and binding wait for ARNs.
    let shadow = api.get("Gateway", "tiered", "foo-gateway-istio").unwrap();
    assert_eq!(shadow["spec"]["gatewayClassName"], "istio");
    assert_eq!(
        shadow["spec"]["listeners"][0]["hostname"],
        "foo.example.com"
    );
    assert_eq!(
        shadow["metadata"]["ownerReferences"][0]["name"],
        "foo-gateway"
    );
    let route = api.get("HTTPRoute", "tiered", "foo-site-istio").unwrap();
    assert_eq!(route["spec"]["parentRefs"][0]["name"], "foo-gateway-istio");
    assert_eq!(
        route["spec"]["rules"][0]["backendRefs"][0]["name"],
        "foo-site"
    );
    let lb = api.get("LoadBalancer", "", LB).unwrap();
    assert_eq!(
        lb["spec"]["forProvider"]["subnetMappings"][2]["subnetID"],
        "public-subnet-3"
    );
    assert!(
        api.get("Listener", "", PORT).is_none(),
        "the Listener waits for both ARNs"
    );
    assert!(
        api.get("TargetGroupBinding", "tiered", "foo-gateway-80")
            .is_none()
    );
    until("user Gateway Accepted at once, with the finalizer", || {
        let gw = user_gateway(&api);
        has_status(&gw, "Accepted", "True")
            && has_status(&gw, "Programmed", "Unknown")
            && has_finalizer(&gw, TIERED)
    })
    .await;
    until("class Accepted", || {
        api.get("GatewayClass", "", "public-gw-gateway-class")
            .is_some_and(|c| has_status(&c, "Accepted", "True"))
    })
    .await;

    // 2. Crossplane reports the ARNs: references filled, Listener and binding created.
    crossplane_reports(&api, "LoadBalancer", LB, false);
    crossplane_reports(&api, "TargetGroup", PORT, false);
    let tg_arn = arn("targetgroup", PORT);
    until("Listener referencing the LB and TG ARNs", || {
        api.get("Listener", "", PORT).is_some_and(|l| {
            l["spec"]["forProvider"]["loadBalancerArn"] == arn("loadbalancer", LB).as_str()
                && l["spec"]["forProvider"]["defaultActions"][0]["targetGroupArn"]
                    == tg_arn.as_str()
        })
    })
    .await;
    until("TargetGroupBinding of the shadow Service", || {
        api.get("TargetGroupBinding", "tiered", "foo-gateway-80")
            .is_some_and(|b| {
                b["spec"]["targetGroupARN"] == tg_arn.as_str()
                    && b["spec"]["serviceRef"]["name"] == "foo-gateway-istio"
                    && b["spec"]["targetType"] == "ip"
            })
    })
    .await;
    crossplane_reports(&api, "Listener", PORT, false);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        has_status(&user_gateway(&api), "Programmed", "Unknown"),
        "LB not Ready yet"
    );

    // 3. Istio programs the shadow, the LB is Ready: Programmed, with the LB's DNS name.
    istio::reports(&api);
    for (kind, name) in [
        ("LoadBalancer", LB),
        ("TargetGroup", PORT),
        ("Listener", PORT),
    ] {
        crossplane_reports(&api, kind, name, true);
    }
    until("user Gateway Programmed with the LB's address", || {
        let gw = user_gateway(&api);
        has_status(&gw, "Programmed", "True") && gw["status"]["addresses"][0]["value"] == DNS
    })
    .await;
    until("user route mirrors the shadow route's conditions", || {
        api.get("HTTPRoute", "tiered", "foo-site").is_some_and(|r| {
            parent_entry(&r, TIERED, "foo-gateway", None)
                .is_some_and(|p| is_true(p, "Accepted") && is_true(p, "ResolvedRefs"))
        })
    })
    .await;

    // Settled: a pass over an unchanged cluster writes nothing.
    let writes = |api: &FakeApi| {
        api.requests()
            .iter()
            .filter(|r| r.starts_with("PATCH") || r.starts_with("DELETE"))
            .count()
    };
    let before = writes(&api);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(before, writes(&api), "{:?}", &api.requests()[before..]);
    running.stop().await;
}

/// Programmed, with Crossplane and Istio reporting on whatever exists.
async fn programmed(api: &FakeApi) {
    seeded(api).await;
    for _ in 0..3 {
        for kind in ["LoadBalancer", "TargetGroup", "Listener"] {
            for o in api.list(kind) {
                let name = o["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                crossplane_reports(api, kind, &name, true);
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    istio::reports(api);
    until("Programmed", || {
        has_status(&user_gateway(api), "Programmed", "True")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn edits_and_route_deletion_follow() {
    let api = FakeApi::new();
    let running = started(&api).await;
    programmed(&api).await;

    // A listener added: both tiers get the port; Programmed waits for the new shadow.
    api.modify("Gateway", "tiered", "foo-gateway", |g| {
        let mut admin = g["spec"]["listeners"][0].clone();
        admin["name"] = "admin".into();
        admin["port"] = 8080.into();
        g["spec"]["listeners"].as_array_mut().unwrap().push(admin);
    });
    until("port 8080 on the shadow and in Crossplane", || {
        api.get("Gateway", "tiered", "foo-gateway-istio")
            .is_some_and(|g| g["spec"]["listeners"][1]["port"] == 8080)
            && api
                .get("TargetGroup", "", "tiered.foo-gateway.8080")
                .is_some()
    })
    .await;
    until("not Programmed while the shadow is behind", || {
        !has_status(&user_gateway(&api), "Programmed", "True")
    })
    .await;
    crossplane_reports(&api, "TargetGroup", "tiered.foo-gateway.8080", true);
    until("Listener and binding for 8080", || {
        api.get("Listener", "", "tiered.foo-gateway.8080").is_some()
            && api
                .get("TargetGroupBinding", "tiered", "foo-gateway-8080")
                .is_some()
    })
    .await;
    crossplane_reports(&api, "Listener", "tiered.foo-gateway.8080", true);
    istio::reports(&api);
    until("Programmed again", || {
        has_status(&user_gateway(&api), "Programmed", "True")
    })
    .await;

    // The user route deleted: its shadow is pruned.
    api.delete("HTTPRoute", "tiered", "foo-site");
    until("shadow route pruned", || {
        api.get("HTTPRoute", "tiered", "foo-site-istio").is_none()
    })
    .await;
    assert!(api.get("Gateway", "tiered", "foo-gateway-istio").is_some());
    running.stop().await;
}

/// Issue 17's "Done when" for the contrib family: Programmed with the load balancer's DNS
/// name, then deleting the Gateway leaves nothing behind (its cluster-scoped objects carry
/// the Gateway's labels, no ownerReference, and the finalizer holds it until they are gone).
#[tokio::test(start_paused = true)]
async fn deleting_the_user_gateway_removes_the_tree() {
    let api = FakeApi::new();
    let running = started(&api).await;
    programmed(&api).await;
    let gw = user_gateway(&api);
    assert_eq!(gw["status"]["addresses"][0]["value"], DNS);
    assert!(has_finalizer(&gw, TIERED));
    assert!(
        api.get("TargetGroupBinding", "tiered", "foo-gateway-80")
            .is_some()
    );
    for kind in ["LoadBalancer", "TargetGroup", "Listener"] {
        for o in api.list(kind) {
            let labels = &o["metadata"]["labels"];
            assert_eq!(labels["gateway.k8s.aws/tiered-gateway-namespace"], "tiered");
            assert_eq!(labels["gateway.k8s.aws/tiered-gateway-name"], "foo-gateway");
            assert!(o["metadata"]["ownerReferences"].is_null(), "{o}");
        }
    }

    api.delete("Gateway", "tiered", "foo-gateway");
    until(
        "everything made for the Gateway gone, then the Gateway",
        || {
            tiered_seed::gone_from_the_cluster(&api)
                && ["LoadBalancer", "TargetGroup", "Listener"]
                    .iter()
                    .all(|k| api.list(k).is_empty())
        },
    )
    .await;
    assert!(
        api.get("HTTPRoute", "tiered", "foo-site").is_some(),
        "user objects stay"
    );
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_missing_class_configuration_is_a_class_condition() {
    let api = FakeApi::new();
    let running = started(&api).await;
    api.apply_yaml(&class());
    let all = seed();
    let without_config: Vec<&str> = all
        .split("\n---\n")
        .filter(|d| !d.contains("kind: ConfigMap"))
        .collect();
    api.apply_yaml(&without_config.join("\n---\n"));
    until("class Accepted=False InvalidParameters", || {
        api.get("GatewayClass", "", "public-gw-gateway-class")
            .and_then(|c| condition(&c["status"], "Accepted").cloned())
            .is_some_and(|c| c["status"] == "False" && c["reason"] == "InvalidParameters")
    })
    .await;
    until("Gateway refused", || {
        has_status(&user_gateway(&api), "Accepted", "False")
    })
    .await;
    assert!(api.get("Gateway", "tiered", "foo-gateway-istio").is_none());
    assert!(api.list("LoadBalancer").is_empty());

    // The configuration appears: the class is accepted and the tree is created.
    api.apply_yaml(&seed());
    until("shadow created once configured", || {
        api.get("Gateway", "tiered", "foo-gateway-istio").is_some()
    })
    .await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_route_naming_the_shadow_gateway_is_refused() {
    let api = FakeApi::new();
    let running = started(&api).await;
    seeded(&api).await;
    api.apply_yaml(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: sneaky, namespace: tiered}
spec:
  parentRefs: [{name: foo-gateway-istio}]
  rules:
  - backendRefs: [{name: foo-site, port: 80}]
"#,
    );
    until("refused with NotAllowedByListeners", || {
        api.get("HTTPRoute", "tiered", "sneaky").is_some_and(|r| {
            parent_entry(&r, TIERED, "foo-gateway-istio", None)
                .and_then(|p| condition(p, "Accepted"))
                .is_some_and(|c| c["status"] == "False" && c["reason"] == "NotAllowedByListeners")
        })
    })
    .await;
    assert!(
        api.get("HTTPRoute", "tiered", "sneaky-istio").is_none(),
        "nothing copied"
    );
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn without_crossplane_the_shadows_are_made_and_the_status_says_what_is_missing() {
    let api = FakeApi::new();
    for plural in ["loadbalancers", "targetgroups", "listeners"] {
        api.uninstall(XP, plural);
    }
    let running = started(&api).await;
    api.apply_yaml(&class());
    api.apply_yaml(&seed());
    until("shadows made", || {
        api.get("Gateway", "tiered", "foo-gateway-istio").is_some()
            && api.get("HTTPRoute", "tiered", "foo-site-istio").is_some()
    })
    .await;
    until(
        "Accepted, Programmed pending: Crossplane not installed",
        || {
            let gw = user_gateway(&api);
            has_status(&gw, "Accepted", "True")
                && condition(&gw["status"], "Programmed").is_some_and(|c| {
                    c["status"] == "Unknown"
                        && c["message"].as_str().is_some_and(|m| {
                            m.contains("Crossplane CRDs") && m.contains("not installed")
                        })
                })
        },
    )
    .await;
    // Nothing Crossplane holds the Gateway back: deletion goes through.
    api.delete("Gateway", "tiered", "foo-gateway");
    until("Gateway and shadow gone", || {
        api.get("Gateway", "tiered", "foo-gateway").is_none()
            && api.get("Gateway", "tiered", "foo-gateway-istio").is_none()
    })
    .await;
    running.stop().await;
}
