//! TargetGroupBindings against the API stand-in and the fake AWS: the Gateway writes one per
//! Service-backed target group; the binding controller keeps each target group holding
//! exactly the ready endpoints (ip) or eligible nodes (instance), follows endpoint, node and
//! Service changes, coalesces bursts, and deregisters everything when a binding is deleted.

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const FINALIZER: &str = "elbv2.k8s.aws/resources";

/// The Gateway `apps/web` and a route `apps/shop` sending everything to `apps/echo`.
fn gateway() -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway("apps/web", "alb", &[("a", 80, "HTTP")]),
        objects::http_route("apps/shop", &["web"], None, &[("echo", 80)]),
    ])
}

fn service() -> String {
    objects::node_port_service("apps/echo", 80, 30080)
}

fn binding(name: &str, target_type: &str, arn: &str) -> Value {
    json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": name, "namespace": "apps"},
        "spec": {"targetGroupARN": arn, "targetType": target_type,
                 "serviceRef": {"name": "echo", "port": 80}},
    })
}

/// The EndpointSlice `echo-1` with endpoints (ip, ready).
fn slice(endpoints: &[(String, bool)]) -> Value {
    endpoints::echo_slice(
        endpoints
            .iter()
            .map(|(ip, ready)| {
                json!({
                    "addresses": [ip], "conditions": {"ready": ready},
                })
            })
            .collect(),
    )
}

fn ready_ips(n: usize) -> Vec<(String, bool)> {
    (1..=n).map(|i| (ip(i), true)).collect()
}

fn ip(i: usize) -> String {
    format!("10.0.{}.{}", i / 250, i % 250)
}

fn node(name: &str, labels: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"providerID": format!("aws:///us-east-1a/i-{name}")},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    })
}

async fn start_cluster(yaml: &str) -> (FakeApi, Arc<FakeDeploy>, Running) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    api.apply_yaml(yaml);
    let running = start(&api, deploy.clone(), config()).await;
    (api, deploy, running)
}

async fn targets_become(deploy: &FakeDeploy, arn: &str, want: &[&str]) {
    let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    let what = format!("{arn} holds {want:?}");
    eventually(&what, LIMIT, || deploy.targets(arn) == want).await;
}

/// [`start_cluster`] with `n` ready endpoints and the ip binding `echo-ip` of `arn:tg-ip`,
/// once its target group holds them.
async fn ip_binding_of_ready_endpoints(n: usize) -> (FakeApi, Arc<FakeDeploy>, Running) {
    let (api, deploy, running) = start_cluster(&service()).await;
    api.apply(slice(&ready_ips(n)));
    api.apply(binding("echo-ip", "ip", "arn:tg-ip"));
    let held: Vec<String> = (1..=n).map(|i| format!("{}:8080", ip(i))).collect();
    let held: Vec<&str> = held.iter().map(String::as_str).collect();
    targets_become(&deploy, "arn:tg-ip", &held).await;
    (api, deploy, running)
}

#[tokio::test(start_paused = true)]
async fn a_gateway_writes_a_binding_per_target_group_and_prunes_it_with_the_route() {
    let (api, deploy, running) = start_cluster(&service()).await;
    api.apply(node("a", json!({})));
    api.apply_yaml(&gateway());
    eventually("a binding with its ARN", LIMIT, || {
        api.list("TargetGroupBinding").len() == 1
    })
    .await;
    let stack = deploy.stack("apps/web").expect("deployed");
    assert_eq!(stack.target_groups.len(), 1);
    let tg = &stack.target_groups[0];
    let arn = FakeDeploy::tg_arn(&tg.name);
    let b = api
        .get("TargetGroupBinding", "apps", &tg.name)
        .expect("named like the tg");
    assert_eq!(b["spec"]["targetGroupARN"], arn.as_str());
    assert_eq!(b["spec"]["serviceRef"], json!({"name": "echo", "port": 80}));
    let labels = &b["metadata"]["labels"];
    assert_eq!(labels["gateway.k8s.aws.alb/stack-name"], "web");
    assert_eq!(labels["gateway.k8s.aws.alb/stack-namespace"], "apps");
    // The binding controller took it over: finalizer, then the node on the NodePort (or the
    // pod IPs, whichever target type translation chose).
    eventually("finalizer added", LIMIT, || {
        api.get("TargetGroupBinding", "apps", &tg.name)
            .is_some_and(|b| has_finalizer(&b, FINALIZER))
    })
    .await;
    if b["spec"]["targetType"] == "instance" {
        targets_become(&deploy, &arn, &["i-a:30080"]).await;
    }

    // The route goes: its target group leaves the plan, the binding is deleted, its targets
    // deregistered and the finalizer removed.
    api.delete("HTTPRoute", "apps", "shop");
    eventually("binding pruned", LIMIT, || {
        api.list("TargetGroupBinding").is_empty()
    })
    .await;
    assert!(deploy.targets(&arn).is_empty());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn ip_targets_follow_endpoints_scaling_up_and_down_and_pods_turning_unready() {
    let (api, deploy, running) = ip_binding_of_ready_endpoints(2).await;

    api.apply(slice(&ready_ips(3)));
    targets_become(
        &deploy,
        "arn:tg-ip",
        &["10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"],
    )
    .await;

    api.apply(slice(&ready_ips(1)));
    targets_become(&deploy, "arn:tg-ip", &["10.0.0.1:8080"]).await;

    // A pod turning unready leaves; a ready one joins.
    api.apply(slice(&[(ip(1), false), (ip(2), true)]));
    targets_become(&deploy, "arn:tg-ip", &["10.0.0.2:8080"]).await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn instance_targets_follow_nodes_added_removed_and_excluded() {
    let (api, deploy, running) = start_cluster(&service()).await;
    api.apply(node("a", json!({"pool": "web"})));
    api.apply(node("b", json!({"pool": "web"})));
    api.apply(binding("echo-nodes", "instance", "arn:tg-nodes"));
    targets_become(&deploy, "arn:tg-nodes", &["i-a:30080", "i-b:30080"]).await;

    api.apply(node("c", json!({"pool": "web"})));
    targets_become(
        &deploy,
        "arn:tg-nodes",
        &["i-a:30080", "i-b:30080", "i-c:30080"],
    )
    .await;

    api.delete("Node", "", "c");
    targets_become(&deploy, "arn:tg-nodes", &["i-a:30080", "i-b:30080"]).await;

    api.modify("Node", "", "b", |n| {
        n["metadata"]["labels"]["node.kubernetes.io/exclude-from-external-load-balancers"] =
            "true".into();
    });
    targets_become(&deploy, "arn:tg-nodes", &["i-a:30080"]).await;

    // A node that stops being Ready leaves too.
    api.modify("Node", "", "a", |n| {
        n["status"]["conditions"][0]["status"] = "False".into();
    });
    targets_become(&deploy, "arn:tg-nodes", &[]).await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_node_selector_filters_the_nodes() {
    let (api, deploy, running) = start_cluster(&service()).await;
    api.apply(node("a", json!({"pool": "web"})));
    api.apply(node("b", json!({"pool": "batch"})));
    let mut b = binding("echo-web", "instance", "arn:tg-web");
    b["spec"]["nodeSelector"] = json!({"matchLabels": {"pool": "web"}});
    api.apply(b);
    targets_become(&deploy, "arn:tg-web", &["i-a:30080"]).await;
    api.modify("Node", "", "b", |n| {
        n["metadata"]["labels"]["pool"] = "web".into()
    });
    targets_become(&deploy, "arn:tg-web", &["i-a:30080", "i-b:30080"]).await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_service_port_change_moves_the_targets() {
    let (api, deploy, running) = start_cluster(&service()).await;
    api.apply(node("a", json!({})));
    api.apply(slice(&ready_ips(1)));
    api.apply(binding("echo-nodes", "instance", "arn:tg-nodes"));
    api.apply(binding("echo-ip", "ip", "arn:tg-ip"));
    targets_become(&deploy, "arn:tg-nodes", &["i-a:30080"]).await;
    targets_become(&deploy, "arn:tg-ip", &["10.0.0.1:8080"]).await;

    // A new NodePort, and a targetPort by number that the slice does not name.
    api.modify("Service", "apps", "echo", |s| {
        s["spec"]["ports"][0]["nodePort"] = 30081.into();
        s["spec"]["ports"][0]["name"] = "web".into();
        s["spec"]["ports"][0]["targetPort"] = 9090.into();
    });
    targets_become(&deploy, "arn:tg-nodes", &["i-a:30081"]).await;
    targets_become(&deploy, "arn:tg-ip", &["10.0.0.1:9090"]).await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_deleted_binding_deregisters_its_targets_then_drops_the_finalizer() {
    let (api, deploy, running) = ip_binding_of_ready_endpoints(2).await;
    eventually("finalizer added", LIMIT, || {
        api.get("TargetGroupBinding", "apps", "echo-ip")
            .is_some_and(|b| has_finalizer(&b, FINALIZER))
    })
    .await;

    delete_until_gone(&api, "TargetGroupBinding", "apps", "echo-ip", LIMIT).await;
    assert!(deploy.targets("arn:tg-ip").is_empty());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_1000_endpoint_changes_costs_few_register_calls() {
    let (api, deploy, running) = ip_binding_of_ready_endpoints(1).await;
    let before = deploy.target_calls("arn:tg-ip");

    // A rollout: one endpoint more per update, a millisecond apart (well inside the debounce).
    for n in 2..=1001 {
        api.apply(slice(&ready_ips(n)));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    eventually("1001 targets", LIMIT, || {
        deploy.targets("arn:tg-ip").len() == 1001
    })
    .await;
    let after = deploy.target_calls("arn:tg-ip");
    let register = after.0 - before.0;
    // 1,000 new targets need at least 5 calls of 200; a sync per change would be 1,000.
    assert!(
        (5..=15).contains(&register),
        "register calls for the burst: {register}"
    );
    assert_eq!(after.1, before.1, "nothing deregistered");
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn worker_rules_follow_the_bindings_and_stay_while_one_still_needs_them() {
    let (api, deploy, running) = start_cluster(&service()).await;
    api.apply(slice(&ready_ips(1)));
    let networking = json!({"ingress": [{
        "from": [{"securityGroup": {"groupID": "sg-lb"}}],
        "ports": [{"protocol": "TCP", "port": "http"}, {"protocol": "TCP", "port": 8081}],
    }]});
    for name in ["one", "two"] {
        let mut b = binding(name, "ip", &format!("arn:tg-{name}"));
        b["spec"]["networking"] = networking.clone();
        api.apply(b);
    }
    let both = ["tcp/8080 from sg-lb", "tcp/8081 from sg-lb"];
    // The named port is the port the endpoints use.
    eventually("rules added", LIMIT, || deploy.worker_rules() == both).await;

    delete_until_gone(&api, "TargetGroupBinding", "apps", "one", LIMIT).await;
    assert_eq!(deploy.worker_rules(), both, "still needed by two");

    api.delete("TargetGroupBinding", "apps", "two");
    eventually("rules removed", LIMIT, || deploy.worker_rules().is_empty()).await;
    running.stop().await;
}
