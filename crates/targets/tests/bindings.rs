//! TargetGroupBindings and backend rules of translated stacks (manifests → translate → here).

mod fixtures;

use fixtures::*;
use gantry_api::crds::{
    NetworkingIngressRule, NetworkingProtocol, TargetGroupBinding, TargetType as BindingType,
};
use gantry_api::k8s::IntOrString;
use gantry_model::{LoadBalancerType, Protocol, SecurityGroupRef, Stack, TargetType};
use gantry_snapshot::Snapshot;
use gantry_targets::*;
use std::path::PathBuf;

fn shop() -> (Snapshot, Stack) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/manifests/shop.yaml");
    let loaded = gantry_manifests::load_paths(&[path]);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let t = gantry_translate::translate(&loaded.snapshot, &gantry_translate::Settings::new("demo"));
    // The fixture's Gateway label in gantry's tag namespace (kept to check that it cannot hide
    // the bindings' stack labels) is refused as an AWS tag; nothing else is a problem.
    let problems: Vec<&str> = t.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        problems,
        [
            "spec.infrastructure.labels: tag key gateway.k8s.aws.alb/stack-name is reserved for gantry's ownership tags"
        ]
    );
    let stack = t.stacks.into_iter().next().expect("one stack");
    (loaded.snapshot, stack)
}

fn by_service<'a>(bindings: &'a [TargetGroupBinding], svc: &str) -> &'a TargetGroupBinding {
    bindings
        .iter()
        .find(|b| b.spec.service_ref.name == svc)
        .unwrap_or_else(|| panic!("a binding for {svc}"))
}

/// The first ingress rule of the binding's `networking`.
fn first_ingress_rule(binding: &TargetGroupBinding) -> &NetworkingIngressRule {
    &binding
        .spec
        .networking
        .as_ref()
        .unwrap()
        .ingress
        .as_ref()
        .unwrap()[0]
}

#[test]
fn translated_stack_targets_follow_endpoints_and_nodes() {
    let (snapshot, stack) = shop();
    let mut got: Vec<(String, Vec<(String, i32)>)> = stack
        .target_groups
        .iter()
        .map(|tg| {
            let d = desired_targets(tg, &snapshot).expect("service-backed");
            assert!(d.problems.is_empty(), "{:?}", d.problems);
            (
                tg.backend.name.clone(),
                d.targets.into_iter().map(|t| (t.id, t.port)).collect(),
            )
        })
        .collect();
    got.sort();
    let pairs = |l: &[(&str, i32)]| {
        l.iter()
            .map(|(i, p)| (i.to_string(), *p))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        got,
        [
            // ip, on the endpoints' resolved `http-api` port; unready and terminating left out.
            (
                "api".to_string(),
                pairs(&[("10.0.1.10", 8443), ("10.0.2.11", 8443)])
            ),
            // instance, NodePort; pool=web only, not-ready and excluded nodes left out,
            // the cordoned node-b kept.
            (
                "web".to_string(),
                pairs(&[
                    ("i-0a0000000000000a1", 30080),
                    ("i-0b0000000000000b2", 30080)
                ])
            ),
        ]
    );
}

#[test]
fn every_service_target_group_gets_a_binding_as_the_reference_controller_writes_it() {
    let (snapshot, stack) = shop();
    let plan = target_group_bindings(&stack, &snapshot, &Deployed::default());
    assert_eq!(plan.len(), 2);
    let web = by_service(&plan, "web");
    let web_tg = stack
        .target_groups
        .iter()
        .find(|t| t.backend.name == "web")
        .unwrap();
    assert_eq!(web.metadata.name.as_deref(), Some(web_tg.name.as_str()));
    assert_eq!(web.metadata.namespace.as_deref(), Some("shop"));
    let labels = web.metadata.labels.clone().unwrap();
    assert_eq!(labels["gateway.k8s.aws.alb/stack-namespace"], "shop");
    assert_eq!(
        labels["gateway.k8s.aws.alb/stack-name"], "web-gw",
        "stack labels win"
    );
    assert_eq!(labels["team"], "shop");
    assert_eq!(
        web.metadata.annotations.clone().unwrap()["owner"],
        "shop-team"
    );
    assert_eq!(web.spec.target_group_arn, None, "pending in a plan");
    assert_eq!(web.spec.target_type, Some(BindingType::Instance));
    assert_eq!(web.spec.service_ref.port, IntOrString::Int(80));
    let selector = web
        .spec
        .node_selector
        .clone()
        .expect("TGC nodeSelector carried through");
    assert_eq!(selector.match_labels.unwrap()["pool"], "web");
    let rule = first_ingress_rule(web);
    assert_eq!(
        rule.from[0].security_group.as_ref().unwrap().group_id,
        "",
        "pending"
    );
    let ports: Vec<(Option<NetworkingProtocol>, Option<IntOrString>)> = rule
        .ports
        .iter()
        .map(|p| (p.protocol, p.port.clone()))
        .collect();
    assert_eq!(
        ports,
        [(Some(NetworkingProtocol::Tcp), Some(IntOrString::Int(30080)))]
    );

    let api = by_service(&plan, "api");
    assert_eq!(api.spec.target_type, Some(BindingType::Ip));
    assert_eq!(api.spec.node_selector, None);
    let rule = first_ingress_rule(api);
    assert_eq!(
        rule.ports[0].port,
        Some(IntOrString::String("http-api".into())),
        "named ports stay names"
    );

    // Deployed: ARNs and the backend security group id filled in.
    let mut deployed = Deployed {
        source_security_group: Some("sg-0123".into()),
        vpc_id: Some("vpc-1".into()),
        ..Deployed::default()
    };
    deployed.target_group_arns.insert(
        web_tg.id.clone(),
        "arn:aws:elasticloadbalancing:tg/web".into(),
    );
    let live = target_group_bindings(&stack, &snapshot, &deployed);
    let web = by_service(&live, "web");
    assert_eq!(
        web.spec.target_group_arn.as_deref(),
        Some("arn:aws:elasticloadbalancing:tg/web")
    );
    assert_eq!(web.spec.vpc_id.as_deref(), Some("vpc-1"));
    let rule = first_ingress_rule(web);
    assert_eq!(
        rule.from[0].security_group.as_ref().unwrap().group_id,
        "sg-0123"
    );
}

#[test]
fn bindings_are_the_same_for_the_same_input() {
    let (snapshot, stack) = shop();
    let a = serde_json::to_string(&target_group_bindings(
        &stack,
        &snapshot,
        &Deployed::default(),
    ))
    .unwrap();
    let b = serde_json::to_string(&target_group_bindings(
        &stack,
        &snapshot,
        &Deployed::default(),
    ))
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn nlb_bindings_are_labelled_for_the_nlb_stack() {
    let (snapshot, mut stack) = shop();
    stack.load_balancer.kind = LoadBalancerType::Network;
    let b = &target_group_bindings(&stack, &snapshot, &Deployed::default())[0];
    let labels = b.metadata.labels.clone().unwrap();
    assert_eq!(labels["gateway.k8s.aws.nlb/stack-name"], "web-gw");
    assert!(!labels.contains_key("gateway.k8s.aws.alb/stack-namespace"));
}

#[test]
fn chained_alb_target_groups_get_no_binding() {
    let (snapshot, mut stack) = shop();
    for tg in &mut stack.target_groups {
        tg.target_type = TargetType::Alb;
    }
    assert!(target_group_bindings(&stack, &snapshot, &Deployed::default()).is_empty());
}

#[test]
fn the_rules_come_from_the_shared_backend_group_else_the_managed_one_else_none() {
    let (snapshot, mut stack) = shop();
    assert_eq!(
        source_security_group(&stack),
        Some(&SecurityGroupRef::SharedBackend)
    );
    stack
        .load_balancer
        .security_groups
        .retain(|g| *g != SecurityGroupRef::SharedBackend);
    assert!(matches!(
        source_security_group(&stack),
        Some(SecurityGroupRef::Managed(_))
    ));
    stack.load_balancer.security_groups = vec![SecurityGroupRef::Given("sg-user".into())];
    assert_eq!(source_security_group(&stack), None);
    let b = &target_group_bindings(&stack, &snapshot, &Deployed::default())[0];
    assert_eq!(
        b.spec.networking, None,
        "user-given groups: their owner opens the nodes"
    );
}

#[test]
fn backend_rules_open_traffic_health_check_and_control_ports() {
    let mut tg = mk_tg(TargetType::Instance, "demo", "web", 80, 30080);
    let rule = |protocol, port| PortRule { protocol, port };
    assert_eq!(backend_rules(&tg, &[]), [rule(PortProtocol::Tcp, 30080)]);
    tg.health_check.port = "30081".into();
    assert_eq!(
        backend_rules(&tg, &[]),
        [
            rule(PortProtocol::Tcp, 30080),
            rule(PortProtocol::Tcp, 30081)
        ]
    );
    // UDP traffic: its health check goes over TCP even on the traffic port.
    tg.protocol = Protocol::Udp;
    tg.health_check.port = "traffic-port".into();
    assert_eq!(
        backend_rules(&tg, &[]),
        [
            rule(PortProtocol::Tcp, 30080),
            rule(PortProtocol::Udp, 30080)
        ]
    );
    // ip targets: the ports the endpoints use (a named targetPort resolved), and the
    // target control port.
    let mut ip = mk_tg(TargetType::Ip, "demo", "api", 8080, 1);
    ip.target_control_port = Some(3000);
    let t = targets(&[("10.0.0.1", 8443), ("10.0.0.2", 8443), ("10.0.0.3", 9443)]);
    assert_eq!(
        backend_rules(&ip, &t),
        [
            rule(PortProtocol::Tcp, 3000),
            rule(PortProtocol::Tcp, 8443),
            rule(PortProtocol::Tcp, 9443)
        ]
    );
}
