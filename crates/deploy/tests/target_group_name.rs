//! Target groups named by `TargetGroupName` backendRefs, against the moto emulator: forwarded
//! to by ARN, looked up by name, never modified nor deleted; a missing name stops the run
//! before any change and names itself.

mod common;

use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, Tag, TargetTypeEnum};
use common::*;
use gantry_deploy::Error;
use gantry_model::*;

const GATEWAY: &str = "demo/named";

/// A target group made outside gantry (another team's, tagged as theirs); its ARN.
async fn external_target_group(fx: &Fixture, name: &str) -> String {
    external_target_group_of(fx, name, ProtocolEnum::Http).await
}

async fn external_target_group_of(fx: &Fixture, name: &str, protocol: ProtocolEnum) -> String {
    let created = fx
        .elbv2
        .create_target_group()
        .name(name)
        .protocol(protocol)
        .port(8080)
        .vpc_id(&fx.vpc)
        .target_type(TargetTypeEnum::Ip)
        .tags(Tag::builder().key("team").value("payments").build())
        .send()
        .await
        .expect("create target group");
    created_arn(
        created.target_groups,
        |c| c.target_group_arn,
        "target group",
    )
}

fn named(name: &str, weight: i32) -> TargetGroupTuple {
    TargetGroupTuple {
        target_group_arn: ArnRef::TargetGroupName(name.to_string()),
        weight: Some(weight),
    }
}

/// The ALB with a rule forwarding to `tuples`.
fn stack_forwarding(fx: &Fixture, tuples: Vec<TargetGroupTuple>) -> Stack {
    let mut s = alb(&fx.cluster, GATEWAY, &format!("k8s-{}", fx.cluster));
    let forward = Action::forward(ForwardConfig {
        target_groups: tuples,
        target_group_stickiness_config: None,
    });
    s.listeners[0].rules = vec![rule(&fx.cluster, &s, 1, None, "/legacy/*", forward)];
    s
}

/// The target group ARNs the listener's first rule forwards to.
async fn forwarded_to(fx: &Fixture, lb: &str) -> Vec<String> {
    let listener = fx.listener_arn(lb, 80).await;
    fx.rules(&listener).await[0]
        .actions()
        .iter()
        .filter_map(|a| a.forward_config.as_ref())
        .flat_map(|f| f.target_groups().iter())
        .filter_map(|t| t.target_group_arn.clone())
        .collect()
}

/// After a first apply of `stack` (Gateway `gateway`) that forwards to the named target group
/// `arn`: applying again changes nothing (the name is looked up again), and deleting the
/// Gateway removes everything it owns while the named target group stays, its tags `before`
/// untouched.
async fn reapply_then_delete_leaves_it(
    fx: &Fixture,
    d: &gantry_deploy::Deployer,
    stack: &Stack,
    gateway: &str,
    arn: &str,
    before: &[(String, String)],
) {
    let second = d.apply(stack).await.expect("apply again");
    assert!(second.is_unchanged(), "{second}");
    assert_eq!(second.mutating_calls, 0);

    d.delete(gateway, stack.load_balancer.kind)
        .await
        .expect("delete");
    assert!(fx.tagged().await.is_empty());
    let still = fx.target_group_exists(arn).await;
    assert!(still, "the named target group still exists");
    assert_eq!(fx.tags_of(arn).await, before, "its tags are untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_target_group_is_forwarded_to_and_never_touched() {
    let fx = Fixture::start("target_group_name", "tgname").await;
    let name: String = format!("ext-{}", fx.cluster).chars().take(32).collect();
    let arn = external_target_group(&fx, &name).await;
    let before = fx.tags_of(&arn).await;
    let stack = stack_forwarding(&fx, vec![named(&name, 1)]);
    let d = fx.deployer();

    let first = d.apply(&stack).await.expect("apply");
    let lb = first.load_balancer.clone().expect("address").arn;
    assert_eq!(forwarded_to(&fx, &lb).await, vec![arn.clone()]);
    reapply_then_delete_leaves_it(&fx, &d, &stack, GATEWAY, &arn, &before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_name_fails_before_any_change_and_names_itself() {
    let fx = Fixture::start("target_group_name_missing", "tgname-missing").await;
    let stack = stack_forwarding(&fx, vec![named("no-such-tg", 1)]);
    let d = fx.deployer();
    match d.apply(&stack).await {
        Err(e @ Error::TargetGroupNameNotFound { .. }) => {
            let message = e.status_message().expect("a message for the status");
            assert!(message.contains("no-such-tg"), "{message}");
        }
        other => panic!("expected TargetGroupNameNotFound, got {other:?}"),
    }
    assert_eq!(d.calls().mutating(), 0, "nothing was created");
    assert!(fx.tagged().await.is_empty());
}

/// An NLB whose TCP listener on 9000 forwards to the target group named `name`, as translation
/// plans a TCPRoute with a `TargetGroupName` backendRef: no target group of its own.
fn nlb_forwarding(fx: &Fixture, name: &str) -> Stack {
    let gateway = "demo/edge";
    let kind = LoadBalancerType::Network;
    let mut s = alb(&fx.cluster, gateway, &format!("k8s-{}-n", fx.cluster));
    s.load_balancer.kind = kind;
    s.load_balancer.tags = tags(&fx.cluster, gateway, kind, "LoadBalancer");
    s.load_balancer.security_groups = vec![];
    s.security_group = None;
    let l = &mut s.listeners[0];
    l.id = "9000".into();
    l.port = 9000;
    l.protocol = Protocol::Tcp;
    l.tags = tags(&fx.cluster, gateway, kind, "9000");
    l.default_actions = vec![Action::forward(ForwardConfig {
        target_groups: vec![named(name, 1)],
        target_group_stickiness_config: None,
    })];
    s
}

async fn nlb_forwards_to(fx: &Fixture, lb: &str) -> Vec<String> {
    fx.listeners(lb)
        .await
        .into_iter()
        .flat_map(|l| l.default_actions.unwrap_or_default())
        .filter_map(|a| a.forward_config)
        .flat_map(|f| f.target_groups.unwrap_or_default())
        .filter_map(|t| t.target_group_arn)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_nlb_listener_forwards_to_a_named_target_group_and_never_touches_it() {
    let fx = Fixture::start("target_group_name_nlb", "tgname-nlb").await;
    let name: String = format!("tcp-{}", fx.cluster).chars().take(32).collect();
    let arn = external_target_group_of(&fx, &name, ProtocolEnum::Tcp).await;
    let before = fx.tags_of(&arn).await;
    let stack = nlb_forwarding(&fx, &name);
    let d = fx.deployer();

    let first = d.apply(&stack).await.expect("apply");
    let lb = first.load_balancer.clone().expect("address").arn;
    assert_eq!(nlb_forwards_to(&fx, &lb).await, vec![arn.clone()]);
    reapply_then_delete_leaves_it(&fx, &d, &stack, "demo/edge", &arn, &before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_target_group_of_a_protocol_the_listener_cannot_take_fails_before_any_change() {
    let fx = Fixture::start("target_group_name_protocol", "tgname-proto").await;
    // A UDP target group behind a TCP listener: ELBv2 refuses that listener.
    let name: String = format!("udp-{}", fx.cluster).chars().take(32).collect();
    external_target_group_of(&fx, &name, ProtocolEnum::Udp).await;
    let stack = nlb_forwarding(&fx, &name);
    let d = fx.deployer();
    match d.apply(&stack).await {
        Err(e @ Error::TargetGroupNameIncompatible { .. }) => {
            let message = e.status_message().expect("a message for the status");
            assert!(message.contains(&name), "{message}");
            assert!(
                message.contains("(UDP)") && message.contains("TCP listener on port 9000"),
                "{message}"
            );
            assert_eq!(e.class(), gantry_deploy::ErrorClass::Invalid);
        }
        other => panic!("expected TargetGroupNameIncompatible, got {other:?}"),
    }
    assert_eq!(d.calls().mutating(), 0, "nothing was created");
    assert!(fx.tagged().await.is_empty());
}
