//! Migration in place, against the moto emulator: a Gateway whose AWS resources the AWS Load
//! Balancer Controller made (built here as it builds them: `common::lbc`) is adopted by gantry
//! — the same cluster name and Gateway find them by the LBC's own ownership tags — without
//! replacing anything. Nothing differing means no mutating call at all; one rule differing
//! means one call, on that rule. Resources of another cluster or another Gateway are never
//! taken.
//!
//! The desired stack comes from gantry's translation of the Gateway's manifests, so these
//! tests compare gantry's names, tags and shapes with the LBC's, not with gantry's own.

mod common;

use common::lbc::{self, Backend, Gateway, Rule};
use common::*;
use gantry_model::{ArnRef, Stack};
use gantry_testkit::objects;
use std::collections::BTreeMap;

const GATEWAY: Gateway<'static> = Gateway {
    namespace: "shop",
    name: "web",
    uid: "6a1f0d7e-1111-4222-8333-944445555666",
};

/// The Gateway (of class `alb`), its Services (NodePort: instance targets, the LBC's default
/// target type: `cart` added by [`plan_with`], `catalog` here) and an HTTPRoute of two rules;
/// `{CART}` is the path prefix of the first rule, `{CART_BACKENDS}` its backendRefs.
const MANIFESTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop, uid: 6a1f0d7e-1111-4222-8333-944445555666}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, protocol: HTTP, port: 80}
---
apiVersion: v1
kind: Service
metadata: {name: catalog, namespace: shop}
spec:
  type: NodePort
  ports: [{name: http, port: 8080, targetPort: 9090, nodePort: 30081, protocol: TCP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules:
  - matches: [{path: {type: PathPrefix, value: "{CART}"}}]
    backendRefs: {CART_BACKENDS}
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: catalog, port: 8080}]
"#;

const BACKENDS: [Backend<'static>; 2] = [
    Backend {
        route_namespace: "shop",
        route_name: "store",
        service: "cart",
        target_port: 8080,
        node_port: 30080,
    },
    Backend {
        route_namespace: "shop",
        route_name: "store",
        service: "catalog",
        target_port: 9090,
        node_port: 30081,
    },
];

/// The LBC's rules for the route with `cart` as the first rule's prefix: the longer prefix
/// first (its precedence), one backend each at weight 1.
fn lbc_rules(cart: &str) -> Vec<Rule<'_>> {
    vec![
        Rule {
            path_prefix: cart,
            forward: vec![(0, 1)],
        },
        Rule {
            path_prefix: "/",
            forward: vec![(1, 1)],
        },
    ]
}

/// The first rule's backendRefs as the LBC built them.
const CART_ONLY: &str = "[{name: cart, port: 80}]";

/// gantry's plan of the Gateway for `cluster`, with `cart` as the first rule's prefix and
/// `backends` as its backendRefs.
fn plan_with(cluster: &str, cart: &str, backends: &str) -> Stack {
    let mut loader = gantry_manifests::Loader::new();
    let text = objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::node_port_service("shop/cart", 80, 30080),
        MANIFESTS
            .replace("{CART_BACKENDS}", backends)
            .replace("{CART}", cart),
    ]);
    loader.load_str("adoption.yaml", &text);
    let loaded = loader.finish();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let settings = gantry_translate::Settings::new(cluster);
    let t = gantry_translate::translate(&loaded.snapshot, &settings);
    t.stacks
        .into_iter()
        .find(|s| s.gateway == "shop/web")
        .unwrap_or_else(|| panic!("no stack planned: {:?}", t.problems))
}

fn plan(cluster: &str, cart: &str) -> Stack {
    plan_with(cluster, cart, CART_ONLY)
}

/// The stack the established controller built for `GATEWAY` in `fx`'s cluster, its one rule
/// matching `path`.
async fn built_by_lbc(fx: &Fixture, path: &str) -> lbc::Built {
    lbc::build_alb(fx, &fx.cluster, &GATEWAY, 80, &BACKENDS, &lbc_rules(path)).await
}

/// Applies `stack` with a fresh deployer (as a restarted controller would): its report and
/// every call it made, by service and operation.
async fn apply_fresh(
    fx: &Fixture,
    stack: &Stack,
) -> (gantry_deploy::Report, BTreeMap<(String, String), u64>) {
    let deployer = fx.deployer();
    let report = deployer.apply(stack).await.expect("apply");
    (report, deployer.call_counts())
}

/// The mutating calls in `counts`, as `(operation, count)`.
fn mutating(counts: &BTreeMap<(String, String), u64>) -> Vec<(String, u64)> {
    counts
        .iter()
        .filter(|((_, op), _)| gantry_deploy::client::is_mutating(op))
        .map(|((_, op), n)| (op.clone(), *n))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stack_the_lbc_built_is_adopted_with_no_mutating_call() {
    let fx = Fixture::start("adoption", "adopt-same").await;
    let built = built_by_lbc(&fx, "/cart").await;
    let stack = plan(&fx.cluster, "/cart");
    // The plan names what the LBC named: nothing is replaced for a name.
    assert_eq!(
        stack.load_balancer.name,
        GATEWAY.load_balancer_name(&fx.cluster)
    );
    let mut planned: Vec<&str> = stack
        .target_groups
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    planned.sort_unstable();
    let mut lbc_names: Vec<&str> = built
        .target_group_names
        .iter()
        .map(String::as_str)
        .collect();
    lbc_names.sort_unstable();
    assert_eq!(planned, lbc_names, "target group names");

    let (report, counts) = apply_fresh(&fx, &stack).await;
    assert_eq!(
        mutating(&counts),
        vec![],
        "adopting an unchanged stack made mutating calls; changes: {:?}",
        report.changes
    );
    assert_eq!(report.mutating_calls, 0);
    assert!(report.is_unchanged(), "{:?}", report.changes);
    // It read the stack (so the zero is not from doing nothing) and kept the LBC's resources.
    assert!(counts.values().sum::<u64>() > 0);
    let address = report.load_balancer.expect("load balancer address");
    assert_eq!(address.arn, built.load_balancer);
    let listener = fx.listener_arn(&built.load_balancer, 80).await;
    assert_eq!(listener, built.listener);
    let rules: Vec<String> = fx
        .rules(&listener)
        .await
        .into_iter()
        .filter_map(|r| r.rule_arn)
        .collect();
    assert_eq!(rules, built.rules);
    let inventory = fx.tagged().await;
    assert_eq!(inventory.load_balancers, vec![built.load_balancer.clone()]);
    let mut tgs = inventory.target_groups.clone();
    tgs.sort();
    let mut lbc_tgs = built.target_groups.clone();
    lbc_tgs.sort();
    assert_eq!(tgs, lbc_tgs);
    let mut sgs = inventory.security_groups.clone();
    sgs.sort();
    let mut lbc_sgs = vec![
        built.managed_security_group.clone(),
        built.backend_security_group.clone(),
    ];
    lbc_sgs.sort();
    assert_eq!(sgs, lbc_sgs);

    // And it stays adopted: a second apply is just as quiet.
    let (report, again) = apply_fresh(&fx, &stack).await;
    assert_eq!(mutating(&again), vec![]);
    assert!(report.is_unchanged(), "{:?}", report.changes);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_rule_differing_from_the_lbc_stack_is_the_only_call() {
    let fx = Fixture::start("adoption", "adopt-rule").await;
    // The LBC built the route as it was; the first rule's backends changed since (a canary).
    let built = built_by_lbc(&fx, "/cart").await;
    let canary = "[{name: cart, port: 80, weight: 3}, {name: catalog, port: 8080, weight: 1}]";
    let stack = plan_with(&fx.cluster, "/cart", canary);

    let (report, counts) = apply_fresh(&fx, &stack).await;
    assert_eq!(
        mutating(&counts),
        vec![("ModifyRule".to_string(), 1)],
        "changes: {:?}",
        report.changes
    );
    // Modified in place: the same rules, load balancer and listener; the first one weighted.
    assert_eq!(
        report.load_balancer.expect("address").arn,
        built.load_balancer
    );
    let rules = rule_shapes(&fx, &built.listener).await;
    let arns: Vec<String> = rules.iter().filter_map(|(arn, _)| arn.clone()).collect();
    assert_eq!(arns, built.rules);
    // The forward action's groups in any order: ELBv2 keeps them as a set.
    let (mut forwarded, mut built_groups) = (rules[0].1.clone(), built.target_groups.clone());
    forwarded.sort();
    built_groups.sort();
    assert_eq!(forwarded, built_groups);

    let (_, again) = apply_fresh(&fx, &stack).await;
    assert_eq!(mutating(&again), vec![]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_whose_match_changed_is_replaced_alone_make_before_break() {
    let fx = Fixture::start("adoption", "adopt-match").await;
    // The LBC built the route as it was; the first rule's path changed since. gantry creates
    // the new rule before deleting the old (it does not rewrite a rule's conditions in place
    // unless it can prove no request is misrouted meanwhile): two calls, both on that rule.
    let built = built_by_lbc(&fx, "/basket").await;
    let stack = plan(&fx.cluster, "/cart");

    let (report, counts) = apply_fresh(&fx, &stack).await;
    assert_eq!(
        mutating(&counts),
        vec![("CreateRule".to_string(), 1), ("DeleteRule".to_string(), 1)],
        "changes: {:?}",
        report.changes
    );
    assert_eq!(
        report.load_balancer.expect("address").arn,
        built.load_balancer
    );
    let rules = fx.rules(&built.listener).await;
    let arns: Vec<String> = rules.iter().filter_map(|r| r.rule_arn.clone()).collect();
    assert_eq!(arns.len(), 2);
    assert!(!arns.contains(&built.rules[0]), "the /basket rule is gone");
    assert_eq!(
        arns[1], built.rules[1],
        "the other rule is the LBC's, untouched"
    );
    let values: Vec<String> = rules[0]
        .conditions()
        .iter()
        .filter_map(|c| c.path_pattern_config.as_ref())
        .flat_map(|p| p.values().iter().cloned())
        .collect();
    assert_eq!(values, lbc::path_values("/cart"));

    let (_, again) = apply_fresh(&fx, &stack).await;
    assert_eq!(mutating(&again), vec![]);
}

/// The rule ARNs and their target group ARNs on `listener`, to see that nothing changed.
async fn rule_shapes(fx: &Fixture, listener: &str) -> Vec<(Option<String>, Vec<String>)> {
    fx.rules(listener)
        .await
        .into_iter()
        .map(|r| {
            let tgs = r
                .actions()
                .iter()
                .filter_map(|a| a.forward_config.as_ref())
                .flat_map(|f| f.target_groups().iter())
                .filter_map(|t| t.target_group_arn.clone())
                .collect();
            (r.rule_arn, tgs)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn lbc_stacks_of_another_cluster_or_gateway_are_not_adopted() {
    let fx = Fixture::start("adoption", "adopt-foreign").await;
    // The same Gateway in another cluster sharing the VPC, and another Gateway (same name in
    // another namespace) of this cluster: both LBC-made, neither gantry's to take.
    let other_cluster = format!("{}-other", fx.cluster);
    let foreign = lbc::build_alb(
        &fx,
        &other_cluster,
        &GATEWAY,
        80,
        &BACKENDS,
        &lbc_rules("/cart"),
    )
    .await;
    let other_gateway = Gateway {
        namespace: "shop2",
        ..GATEWAY
    };
    let sibling_backends = [
        Backend {
            route_namespace: "shop2",
            ..BACKENDS[0]
        },
        Backend {
            route_namespace: "shop2",
            ..BACKENDS[1]
        },
    ];
    let sibling = lbc::build_alb(
        &fx,
        &fx.cluster,
        &other_gateway,
        80,
        &sibling_backends,
        &lbc_rules("/cart"),
    )
    .await;
    let foreign_rules = rule_shapes(&fx, &foreign.listener).await;
    let sibling_rules = rule_shapes(&fx, &sibling.listener).await;

    let stack = plan(&fx.cluster, "/cart");
    let (report, counts) = apply_fresh(&fx, &stack).await;
    let address = report.load_balancer.expect("address");
    assert_ne!(address.arn, foreign.load_balancer);
    assert_ne!(address.arn, sibling.load_balancer);
    let created = mutating(&counts);
    assert!(
        created.contains(&("CreateLoadBalancer".to_string(), 1)),
        "gantry made its own load balancer: {created:?}"
    );
    assert!(
        !created
            .iter()
            .any(|(op, _)| op.starts_with("Delete") || op == "ModifyRule"),
        "nothing of the others is modified or deleted: {created:?}"
    );
    // Both look-alikes are as the LBC left them.
    assert_eq!(rule_shapes(&fx, &foreign.listener).await, foreign_rules);
    assert_eq!(rule_shapes(&fx, &sibling.listener).await, sibling_rules);
    let deleted = fx
        .deployer()
        .delete("shop/web", gantry_model::LoadBalancerType::Application)
        .await
        .expect("delete");
    assert!(deleted.mutating_calls > 0);
    assert_eq!(rule_shapes(&fx, &foreign.listener).await, foreign_rules);
    assert_eq!(rule_shapes(&fx, &sibling.listener).await, sibling_rules);
}

/// A target group of the stack whose resource id changed while its name did not (the AWS Load
/// Balancer Controller spells some ids differently; the name is hashed from the same fields)
/// is adopted in place: its resource tag is rewritten, nothing is created or deleted, and the
/// rules keep forwarding to the same ARN.
#[tokio::test(flavor = "multi_thread")]
async fn a_target_group_of_another_id_with_the_desired_name_is_adopted_in_place() {
    let fx = Fixture::start("adoption", "adopt-by-name").await;
    let first = fx.web_stack("default/web");
    fx.deployer().apply(&first).await.expect("first apply");
    let name = first.target_groups[0].name.clone();
    let arn = target_group_arn_named(&fx, &name).await;

    let old_id = first.target_groups[0].id.clone();
    let new_id = format!("{old_id}-respelled");
    let mut second = first.clone();
    let tg = &mut second.target_groups[0];
    tg.id = new_id.clone();
    tg.tags = tags(
        &fx.cluster,
        &second.gateway,
        second.load_balancer.kind,
        &new_id,
    );
    let forwards = second.listeners[0]
        .rules
        .iter_mut()
        .flat_map(|r| &mut r.actions)
        .flat_map(|a| &mut a.forward_config)
        .flat_map(|f| &mut f.target_groups);
    for tuple in forwards {
        if tuple.target_group_arn == ArnRef::Planned(old_id.clone()) {
            tuple.target_group_arn = ArnRef::Planned(new_id.clone());
        }
    }

    let (_, counts) = apply_fresh(&fx, &second).await;
    let calls = mutating(&counts);
    assert!(
        !calls
            .iter()
            .any(|(op, _)| op == "CreateTargetGroup" || op == "DeleteTargetGroup"),
        "the target group is neither made again nor deleted: {calls:?}"
    );
    assert_eq!(
        target_group_arn_named(&fx, &name).await,
        arn,
        "the same target group"
    );
    let resource = ("gateway.k8s.aws.alb/resource".to_string(), new_id);
    assert!(
        fx.tags_of(&arn).await.contains(&resource),
        "its resource tag names the new id: {:?}",
        fx.tags_of(&arn).await
    );
    let (_, again) = apply_fresh(&fx, &second).await;
    assert_eq!(
        mutating(&again),
        vec![],
        "adopted: the next apply changes nothing"
    );
    delete_stacks(&fx.deployer(), &[second]).await;
}

/// The ARN of the one target group named `name`.
async fn target_group_arn_named(fx: &Fixture, name: &str) -> String {
    let request = fx.elbv2.describe_target_groups().names(name);
    let described = request.send().await.expect("target group by name");
    let found = described.target_groups.unwrap_or_default();
    assert_eq!(found.len(), 1, "one target group named {name}");
    found[0].target_group_arn.clone().expect("ARN")
}
