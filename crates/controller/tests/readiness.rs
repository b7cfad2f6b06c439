//! Pod readiness gates and the rest of a binding's spec against the API stand-in and the fake
//! AWS: a pod listing `target-health.elbv2.k8s.aws/<binding>` gets its target registered
//! while only the gate holds it back, and its gate condition follows the target's health;
//! a binding may name its target group by name; `status.observedGeneration` is written.

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const GATE: &str = "target-health.elbv2.k8s.aws/echo-ip";

const SERVICE: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: apps}
spec:
  ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
"#;

fn binding(spec: Value) -> Value {
    let mut s = json!({"targetType": "ip", "serviceRef": {"name": "echo", "port": 80}});
    if let (Some(s), Some(extra)) = (s.as_object_mut(), spec.as_object()) {
        s.extend(extra.clone());
    }
    json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": "echo-ip", "namespace": "apps"},
        "spec": s,
    })
}

/// The EndpointSlice of `echo`: (ip, pod, ready).
fn slice(endpoints: &[(&str, &str, bool)]) -> Value {
    endpoints::echo_slice(
        endpoints
            .iter()
            .map(|(ip, pod, ready)| {
                json!({
                    "addresses": [ip],
                    "conditions": {"ready": ready},
                    "targetRef": {"kind": "Pod", "namespace": "apps", "name": pod},
                })
            })
            .collect(),
    )
}

/// A pod listing `gates`, its containers ready or not (the kubelet's conditions).
fn pod(name: &str, gates: &[&str], containers_ready: bool) -> Value {
    let ready = if containers_ready { "True" } else { "False" };
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "apps", "labels": {"app": "echo"}},
        "spec": {
            "containers": [{"name": "echo", "image": "echo"}],
            "readinessGates": gates.iter().map(|g| json!({"conditionType": g})).collect::<Vec<_>>(),
        },
        "status": {"conditions": [
            {"type": "ContainersReady", "status": ready},
            {"type": "Ready", "status": "False"},
        ]},
    })
}

/// (status, reason) of the pod's gate condition.
fn gate(api: &FakeApi, pod: &str) -> Option<(String, String)> {
    let p = api.get("Pod", "apps", pod)?;
    let c = condition(&p["status"], GATE)?;
    Some((
        c["status"].as_str()?.to_string(),
        c["reason"].as_str().unwrap_or_default().to_string(),
    ))
}

async fn start_cluster() -> (FakeApi, Arc<FakeDeploy>, Running) {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    api.apply_yaml(SERVICE);
    let running = start(&api, deploy.clone(), config()).await;
    (api, deploy, running)
}

async fn gate_becomes(api: &FakeApi, pod: &str, status: &str, reason: &str) {
    let want = Some((status.to_string(), reason.to_string()));
    let what = format!("pod {pod} gate {status} {reason}");
    eventually(&what, LIMIT, || gate(api, pod) == want).await;
}

#[tokio::test(start_paused = true)]
async fn a_gated_pod_is_registered_and_turns_ready_when_its_target_is_healthy() {
    let (api, deploy, running) = start_cluster().await;
    api.apply(pod("ready", &[], true));
    api.apply(pod("gated", &[GATE], true));
    api.apply(pod("starting", &[GATE], false));
    api.apply(slice(&[
        ("10.0.0.1", "ready", true),
        ("10.0.0.2", "gated", false),
        ("10.0.0.3", "starting", false),
    ]));
    api.apply(binding(json!({"targetGroupARN": "arn:tg-ip"})));

    // The gated pod's target is registered although its endpoint is not ready; the pod
    // whose containers are not ready is not.
    eventually("ready and gated registered", LIMIT, || {
        deploy.targets("arn:tg-ip") == ["10.0.0.1:8080", "10.0.0.2:8080"]
    })
    .await;
    gate_becomes(&api, "gated", "False", "Elb.RegistrationInProgress").await;
    assert_eq!(gate(&api, "starting"), None, "no target, no condition");
    assert_eq!(
        gate(&api, "ready"),
        None,
        "a pod without the gate is left alone"
    );
    // The kubelet's conditions are kept by the strategic merge.
    let p = api.get("Pod", "apps", "gated").expect("pod");
    assert!(is_true(&p["status"], "ContainersReady"));

    // The load balancer's health checks pass: the next poll sees it, with no event at all.
    deploy.set_health("10.0.0.2", "healthy");
    gate_becomes(&api, "gated", "True", "TargetHealthy").await;

    // Once every gate is True the binding stops polling; health checks failing later are
    // seen at its next sync (here an endpoint change): the gate goes back to False with
    // AWS's reason, and the target stays registered so that it can recover.
    deploy.set_health("10.0.0.2", "unhealthy");
    api.apply(slice(&[
        ("10.0.0.1", "ready", true),
        ("10.0.0.2", "gated", true),
        ("10.0.0.3", "starting", false),
        ("10.0.0.4", "ready-2", true),
    ]));
    gate_becomes(&api, "gated", "False", "Target.FailedHealthChecks").await;
    api.apply(slice(&[
        ("10.0.0.1", "ready", true),
        ("10.0.0.2", "gated", false),
        ("10.0.0.3", "starting", false),
        ("10.0.0.4", "ready-2", true),
    ]));
    eventually("still registered while unready by its gate", LIMIT, || {
        deploy.targets("arn:tg-ip") == ["10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.4:8080"]
    })
    .await;

    // The other pod's containers turn ready: registered at once (a pod change triggers).
    api.modify("Pod", "apps", "starting", |p| {
        p["status"]["conditions"][0]["status"] = json!("True");
    });
    eventually("starting registered", LIMIT, || {
        deploy.targets("arn:tg-ip").len() == 4
    })
    .await;
    gate_becomes(&api, "starting", "False", "Elb.RegistrationInProgress").await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_binding_may_name_its_target_group_by_name() {
    let (api, deploy, running) = start_cluster().await;
    deploy.add_named_target_group("echo-tg");
    api.apply(slice(&[("10.0.0.1", "a", true)]));
    api.apply(binding(json!({"targetGroupName": "echo-tg"})));
    let arn = FakeDeploy::tg_arn("echo-tg");
    eventually("registered by name", LIMIT, || {
        deploy.targets(&arn) == ["10.0.0.1:8080"]
    })
    .await;
    eventually("observedGeneration written", LIMIT, || {
        api.get("TargetGroupBinding", "apps", "echo-ip")
            .is_some_and(|b| b["status"]["observedGeneration"] == b["metadata"]["generation"])
    })
    .await;

    // A name no target group has: a warning event naming it, nothing registered.
    let mut other = binding(json!({"targetGroupName": "missing-tg"}));
    other["metadata"]["name"] = json!("other");
    api.apply(other);
    eventually("warning event", LIMIT, || {
        api.list("Event").iter().any(|e| {
            e["reason"] == "FailedRegisterTargets"
                && e["note"].as_str().is_some_and(|n| n.contains("missing-tg"))
        })
    })
    .await;
    assert!(deploy.targets(&FakeDeploy::tg_arn("missing-tg")).is_empty());

    // Deleting the binding deregisters from the named group.
    delete_until_gone(&api, "TargetGroupBinding", "apps", "echo-ip", LIMIT).await;
    assert!(deploy.targets(&arn).is_empty());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn networking_rules_from_address_blocks_and_all_ports() {
    let (api, deploy, running) = start_cluster().await;
    api.apply(slice(&[("10.0.0.1", "a", true)]));
    api.apply(binding(json!({
        "targetGroupARN": "arn:tg-ip",
        "networking": {"ingress": [
            {"from": [{"ipBlock": {"cidr": "10.1.0.0/16"}}, {"ipBlock": {"cidr": "2001:db8::/32"}}],
             "ports": [{"protocol": "UDP"}]},
            {"from": [{"securityGroup": {"groupID": "sg-lb"}}], "ports": []},
        ]},
    })));
    let want = [
        "tcp/all from sg-lb",
        "udp/all from 10.1.0.0/16",
        "udp/all from 2001:db8::/32",
    ];
    eventually("rules added", LIMIT, || deploy.worker_rules() == want).await;
    api.delete("TargetGroupBinding", "apps", "echo-ip");
    eventually("rules removed", LIMIT, || deploy.worker_rules().is_empty()).await;
    running.stop().await;
}
