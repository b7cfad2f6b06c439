//! Backends changing under a live (emulated) ALB, manifests → translate → deploy → targets:
//! a Service that changes type moves to a new target group without a moment in which its
//! rule forwards to nothing, and the share of backendRefs that do not resolve goes to a target
//! group that never holds targets until they resolve.

#[path = "../../deploy/tests/common/mod.rs"]
mod common;

use common::{Fixture, delete_stacks, endpoint};
use gantry_deploy::{DeploySettings, Deployer, MutationHook};
use gantry_model::{Stack, Target, TargetGroup, TargetType};
use gantry_snapshot::Snapshot;
use gantry_targets::{Deployed, stack_targets, target_group_bindings};
use gantry_testkit::{elb, objects};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// The ALB Gateway `shop/gw` (HTTP on 80) and a ready node.
fn gateway() -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway("shop/gw", "alb", &[("http", 80, "HTTP")]),
        NODE.to_string(),
    ])
}

const NODE: &str = r#"
apiVersion: v1
kind: Node
metadata: {name: node-a}
spec: {providerID: "aws:///us-east-1a/i-0a0000000000000a1"}
status:
  conditions:
  - {type: Ready, status: "True"}
"#;

/// A Service `name` (NodePort 30080 when `node_port`, else ClusterIP) with one ready
/// endpoint at `ip`:8080.
fn service(name: &str, node_port: bool, ip: &str) -> String {
    let spec = if node_port {
        "  type: NodePort\n  ports:\n  - {name: http, port: 80, targetPort: 8080, nodePort: 30080}\n"
    } else {
        "  ports:\n  - {name: http, port: 80, targetPort: 8080}\n"
    };
    format!(
        r#"---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec:
{spec}---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: {name}-1
  namespace: shop
  labels: {{kubernetes.io/service-name: {name}}}
addressType: IPv4
ports:
- {{name: http, port: 8080}}
endpoints:
- addresses: [{ip}]
"#
    )
}

/// An HTTPRoute whose one rule splits between `backends` (name, weight).
fn route(backends: &[(&str, i32)]) -> String {
    let refs: String = backends
        .iter()
        .map(|(name, weight)| format!("    - {{name: {name}, port: 80, weight: {weight}}}\n"))
        .collect();
    format!(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: store, namespace: shop}}\nspec:\n  parentRefs:\n  - name: gw\n  rules:\n  - backendRefs:\n{refs}"
    )
}

/// The one stack of [`gateway`] with the documents `rest` (Services, routes), and the snapshot
/// it was planned from.
fn plan(cluster: &str, rest: &[String]) -> (Stack, Snapshot) {
    let manifests = gateway() + &rest.concat();
    let mut loader = gantry_manifests::Loader::new();
    loader.load_str("test.yaml", &manifests);
    let loaded = loader.finish();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let settings = gantry_translate::Settings::new(cluster);
    let mut stacks = gantry_translate::translate(&loaded.snapshot, &settings).stacks;
    assert_eq!(stacks.len(), 1);
    (stacks.remove(0), loaded.snapshot)
}

/// Applies the stack, then registers the targets of its Service target groups.
async fn deploy(d: &Deployer, stack: &Stack, snapshot: &Snapshot) {
    d.apply(stack).await.expect("apply");
    let wanted = stack_targets(stack, snapshot);
    assert!(wanted.problems.is_empty(), "{:?}", wanted.problems);
    d.sync_stack_targets(stack, &wanted.targets)
        .await
        .expect("sync targets");
}

fn view(fx: &Fixture) -> View {
    View {
        elbv2: fx.elbv2.clone(),
    }
}

async fn listener_of(fx: &Fixture, d: &Deployer, stack: &Stack) -> String {
    let lb = d.apply(stack).await.expect("apply").load_balancer;
    fx.listener_arn(&lb.expect("load balancer").arn, 80).await
}

fn only_service_group(stack: &Stack) -> &TargetGroup {
    let groups: Vec<&TargetGroup> = stack
        .target_groups
        .iter()
        .filter(|t| t.backend.kind == "Service")
        .collect();
    assert_eq!(groups.len(), 1, "{:?}", stack.target_groups);
    groups[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_changing_type_moves_to_a_new_target_group_make_before_break() {
    let endpoint = endpoint("service type change");
    let fx = Fixture::new(&endpoint, "svctype").await;
    let to_web = route(&[("web", 1)]);
    let node_port = service("web", true, "10.0.1.10");
    let (old, old_snapshot) = plan(&fx.cluster, &[node_port, to_web.clone()]);
    let cluster_ip = service("web", false, "10.0.1.10");
    let (new, new_snapshot) = plan(&fx.cluster, &[cluster_ip, to_web]);
    let (old_tg, new_tg) = (only_service_group(&old), only_service_group(&new));
    assert_eq!(old_tg.target_type, TargetType::Instance, "NodePort");
    assert_eq!(new_tg.target_type, TargetType::Ip, "ClusterIP");
    assert_ne!(old_tg.name, new_tg.name);

    let d = fx.deployer();
    deploy(&d, &old, &old_snapshot).await;
    let listener = listener_of(&fx, &d, &old).await;
    let names = [old_tg.name.as_str(), new_tg.name.as_str()];
    let before = view(&fx).existing(&names).await;
    assert_eq!(before.len(), 1);
    let old_arn = before.iter().next().unwrap().clone();
    assert_eq!(
        fx.held_targets(&old_arn).await,
        [Target {
            id: "i-0a0000000000000a1".into(),
            port: 30080
        }]
    );

    // After every mutating call: the operation, the target groups that exist, and where the
    // rule forwards.
    type State = (String, BTreeSet<String>, Vec<(String, i32)>);
    let states: Arc<Mutex<Vec<State>>> = Arc::default();
    let hook = {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let (fx_config, listener, states) = (fx.config.clone(), listener.clone(), states.clone());
        MutationHook(Arc::new(move |op| {
            let (names, listener, states) = (names.clone(), listener.clone(), states.clone());
            let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&fx_config);
            Box::pin(async move {
                let view = View { elbv2 };
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let groups = view.existing(&refs).await;
                let forward = view.forwards(&listener).await;
                states
                    .lock()
                    .unwrap()
                    .push((op.to_string(), groups, forward));
            })
        }))
    };
    let watched = Deployer::new(
        &fx.config,
        DeploySettings {
            after_mutation: Some(hook),
            ..fx.settings()
        },
    );
    deploy(&watched, &new, &new_snapshot).await;

    let states = states.lock().unwrap().clone();
    let ops: Vec<&str> = states.iter().map(|(op, _, _)| op.as_str()).collect();
    let position = |op: &str| {
        ops.iter()
            .position(|o| *o == op)
            .unwrap_or_else(|| panic!("no {op} in {ops:?}"))
    };
    let (created, repointed, deleted) = (
        position("CreateTargetGroup"),
        position("ModifyRule"),
        position("DeleteTargetGroup"),
    );
    assert!(
        created < repointed && repointed < deleted,
        "make before break: {ops:?}"
    );
    for (op, groups, forward) in &states {
        assert!(!forward.is_empty(), "after {op}: the rule forwards nowhere");
        for (arn, _) in forward {
            assert!(
                groups.contains(arn),
                "after {op}: the rule forwards to {arn}, which does not exist ({groups:?})"
            );
        }
    }
    let after = view(&fx).existing(&names).await;
    assert_eq!(after.len(), 1, "the old target group is gone");
    let new_arn = after.iter().next().unwrap().clone();
    assert_ne!(new_arn, old_arn);
    assert_eq!(view(&fx).forwards(&listener).await, [(new_arn.clone(), 1)]);
    assert_eq!(
        fx.held_targets(&new_arn).await,
        [Target {
            id: "10.0.1.10".into(),
            port: 8080
        }],
        "the ClusterIP Service's pod is the ip target"
    );
    delete_stacks(&d, &[new]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_share_of_unresolved_backends_goes_to_a_target_group_without_targets_until_they_resolve()
 {
    let endpoint = endpoint("unresolved backend share");
    let fx = Fixture::new(&endpoint, "share").await;
    let split = route(&[("web", 80), ("canary", 20)]);
    let web_service = service("web", false, "10.0.1.10");
    let (broken, broken_snapshot) = plan(&fx.cluster, &[web_service.clone(), split.clone()]);
    let unavailable: Vec<&TargetGroup> = broken
        .target_groups
        .iter()
        .filter(|t| t.backend.is_none())
        .collect();
    assert_eq!(unavailable.len(), 1, "{:?}", broken.target_groups);
    let unavailable = unavailable[0];
    let web = only_service_group(&broken);
    let bindings = target_group_bindings(&broken, &broken_snapshot, &Deployed::default());
    assert_eq!(
        bindings
            .iter()
            .map(|b| b.metadata.name.clone())
            .collect::<Vec<_>>(),
        [Some(web.name.clone())],
        "a TargetGroupBinding for the Service's target group only"
    );
    assert!(
        !stack_targets(&broken, &broken_snapshot)
            .targets
            .contains_key(&unavailable.id)
    );

    let d = fx.deployer();
    deploy(&d, &broken, &broken_snapshot).await;
    let listener = listener_of(&fx, &d, &broken).await;
    let arns = d.target_group_arns(&broken).await.expect("arns");
    let (web_arn, unavailable_arn) = (arns[&web.id].clone(), arns[&unavailable.id].clone());
    let mut expected = vec![(web_arn.clone(), 80), (unavailable_arn.clone(), 20)];
    expected.sort();
    assert_eq!(view(&fx).forwards(&listener).await, expected);
    assert!(
        fx.held_targets(&unavailable_arn).await.is_empty(),
        "never any target"
    );
    let tags: BTreeMap<String, String> = elb::tags(&fx.elbv2, &unavailable_arn)
        .await
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value?)))
        .collect();
    assert_eq!(
        tags.get("elbv2.k8s.aws/cluster").map(String::as_str),
        Some(fx.cluster.as_str())
    );
    assert_eq!(
        tags.get("gateway.k8s.aws.alb/stack").map(String::as_str),
        Some("shop/gw")
    );
    assert_eq!(
        tags.get("gateway.k8s.aws.alb/resource").map(String::as_str),
        Some(unavailable.id.as_str())
    );
    let again = d.apply(&broken).await.expect("re-apply");
    assert_eq!(again.mutating_calls, 0, "{again}");

    // The missing Service appears: the share goes to it, and the target group without
    // targets is deleted.
    let canary_service = service("canary", false, "10.0.2.20");
    let (fixed, fixed_snapshot) = plan(&fx.cluster, &[web_service, canary_service, split]);
    assert!(fixed.target_groups.iter().all(|t| !t.backend.is_none()));
    deploy(&d, &fixed, &fixed_snapshot).await;
    let arns = d.target_group_arns(&fixed).await.expect("arns");
    let mut expected: Vec<(String, i32)> = fixed
        .target_groups
        .iter()
        .map(|t| {
            let w = if t.backend.name == "web" { 80 } else { 20 };
            (arns[&t.id].clone(), w)
        })
        .collect();
    expected.sort();
    assert_eq!(view(&fx).forwards(&listener).await, expected);
    assert!(
        view(&fx)
            .existing(&[unavailable.name.as_str()])
            .await
            .is_empty(),
        "the target group without targets is deleted once unused"
    );
    delete_stacks(&d, &[fixed]).await;
}

/// Reads AWS from inside a mutation hook, with a client of its own.
struct View {
    elbv2: aws_sdk_elasticloadbalancingv2::Client,
}

impl View {
    async fn existing(&self, names: &[&str]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for name in names {
            if let Ok(found) = self
                .elbv2
                .describe_target_groups()
                .names(*name)
                .send()
                .await
            {
                out.extend(
                    found
                        .target_groups
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|t| t.target_group_arn),
                );
            }
        }
        out
    }

    async fn forwards(&self, listener: &str) -> Vec<(String, i32)> {
        let rules = self
            .elbv2
            .describe_rules()
            .listener_arn(listener)
            .send()
            .await
            .expect("describe rules")
            .rules
            .unwrap_or_default();
        let mut out: Vec<(String, i32)> = rules
            .iter()
            .filter(|r| r.is_default != Some(true))
            .flat_map(|r| r.actions.iter().flatten())
            .flat_map(|a| a.forward_config.iter())
            .flat_map(|f| f.target_groups.iter().flatten())
            .map(|t| {
                (
                    t.target_group_arn.clone().unwrap_or_default(),
                    t.weight.unwrap_or(1),
                )
            })
            .collect();
        out.sort();
        out
    }
}
