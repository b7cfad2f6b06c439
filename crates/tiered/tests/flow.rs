//! Seed 003 end to end against the in-process cluster stand-in (`support::cluster`): the
//! user's objects in, the shadow and Crossplane objects applied, Crossplane and Istio
//! reporting back, the user's Gateway Programmed; then edits, deletions and a broken class
//! configuration.

mod support;

use gantry_snapshot::ObjectKey;
use gantry_testkit::{objects, scenes};
use gantry_tiered::TieredPlan;
use serde_json::{Value, json};
use support::cluster::Cluster;

/// Seed 003: the tiered class, its configuration, the Gateway and its HTTPRoute.
fn seed() -> String {
    objects::docs([
        objects::tiered_class("public-gw-gateway-class", "tiered/tiered-config"),
        scenes::TIERED_SEED_003.to_string(),
    ])
}

/// (status, reason) of a condition of the user's Gateway.
fn gateway_condition(plan: &TieredPlan, kind: &str) -> (String, String) {
    let status = &plan.statuses.gateways[&ObjectKey::new("tiered", "foo-gateway")];
    let c = status
        .conditions
        .iter()
        .find(|c| c.kind == kind)
        .expect("condition");
    (c.status.to_string(), c.reason.to_string())
}

fn route_accepted(plan: &TieredPlan, name: &str) -> (String, i64) {
    let key = (
        gantry_gateway::routes::RouteKind::Http,
        ObjectKey::new("tiered", name),
    );
    let c = &plan.statuses.routes[&key][0].conditions[0];
    assert_eq!(c.kind, "Accepted");
    (c.status.clone(), c.observed_generation)
}

fn field<'p>(
    plan: &'p TieredPlan,
    kind: &str,
    namespace: &str,
    name: &str,
    pointer: &str,
) -> &'p Value {
    let p = plan
        .find(kind, namespace, name)
        .unwrap_or_else(|| panic!("{kind} {name} planned"));
    p.object
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{kind} {name} has {pointer}"))
}

/// The value at `pointer` of the seed's shadow Gateway (`kind` Gateway) or shadow route (`kind`
/// HTTPRoute).
fn shadow_field<'p>(plan: &'p TieredPlan, kind: &str, pointer: &str) -> &'p Value {
    let name = match kind {
        "Gateway" => "foo-gateway-istio",
        _ => "foo-site-istio",
    };
    field(plan, kind, "tiered", name, pointer)
}

#[test]
fn seed_003_from_gateway_to_programmed_address() {
    let mut cluster = Cluster::new(&seed());

    // 1. Gateway and HTTPRoute in: shadows and Crossplane resources out, ARNs pending.
    let first = cluster.reconcile();
    let shadows = [
        ("Gateway", "/spec/gatewayClassName", "istio"),
        ("Gateway", "/spec/listeners/0/hostname", "foo.example.com"),
        ("HTTPRoute", "/spec/parentRefs/0/name", "foo-gateway-istio"),
        ("HTTPRoute", "/spec/rules/0/backendRefs/0/name", "foo-site"),
    ];
    for (kind, pointer, want) in shadows {
        assert_eq!(
            shadow_field(&first, kind, pointer),
            want,
            "{kind} {pointer}"
        );
    }
    assert_eq!(
        field(
            &first,
            "LoadBalancer",
            "",
            "tiered.foo-gateway",
            "/spec/forProvider/subnetMappings/2/subnetID"
        ),
        "public-subnet-3"
    );
    assert_eq!(
        field(
            &first,
            "TargetGroup",
            "",
            "tiered.foo-gateway.80",
            "/spec/forProvider/protocol"
        ),
        "HTTP"
    );
    assert_eq!(
        field(
            &first,
            "Listener",
            "",
            "tiered.foo-gateway.80",
            "/spec/forProvider/loadBalancerArn"
        ),
        "<pending: ARN of LoadBalancer tiered.foo-gateway>"
    );
    let listener = first
        .find("Listener", "", "tiered.foo-gateway.80")
        .expect("listener");
    assert!(!listener.creatable(), "the Listener waits for both ARNs");
    assert!(
        !first
            .find("TargetGroupBinding", "tiered", "foo-gateway-80")
            .expect("binding")
            .creatable()
    );
    assert_eq!(
        gateway_condition(&first, "Accepted").0,
        "True",
        "Accepted at once"
    );
    assert_eq!(gateway_condition(&first, "Programmed").0, "Unknown");
    assert!(
        cluster
            .crossplane
            .contains_key(&("LoadBalancer".into(), "tiered.foo-gateway".into()))
    );
    assert!(
        !cluster
            .crossplane
            .contains_key(&("Listener".into(), "tiered.foo-gateway.80".into()))
    );

    // 2. Crossplane reports ARNs: references filled, Listener and binding applied.
    cluster.crossplane_reports(false);
    let second = cluster.reconcile();
    assert!(
        second.objects.iter().all(|p| p.creatable()),
        "{:?}",
        second
            .objects
            .iter()
            .map(|p| &p.waiting_for)
            .collect::<Vec<_>>()
    );
    let tg_arn = "arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tiered.foo-gateway.80";
    assert_eq!(
        field(
            &second,
            "Listener",
            "",
            "tiered.foo-gateway.80",
            "/spec/forProvider/defaultActions/0/targetGroupArn"
        ),
        tg_arn
    );
    let binding =
        &cluster.snapshot.target_group_bindings[&ObjectKey::new("tiered", "foo-gateway-80")];
    assert_eq!(binding.spec.target_group_arn.as_deref(), Some(tg_arn));
    assert_eq!(binding.spec.service_ref.name, "foo-gateway-istio");
    assert_eq!(
        gateway_condition(&second, "Programmed").0,
        "Unknown",
        "the LB is not Ready yet"
    );

    // 3. Istio programs the shadow, the LB becomes Ready: the user's Gateway is Programmed.
    cluster.crossplane_reports(true);
    cluster.istio_reports();
    let third = cluster.reconcile();
    assert_eq!(
        gateway_condition(&third, "Programmed"),
        ("True".into(), "Programmed".into())
    );
    let status = &third.statuses.gateways[&ObjectKey::new("tiered", "foo-gateway")];
    assert_eq!(status.addresses, ["tiered.foo-gateway.elb.example"]);
    assert_eq!(route_accepted(&third, "foo-site"), ("True".into(), 1));
    assert_eq!(
        cluster.reconcile().objects,
        third.objects,
        "a settled plan is stable"
    );
}

/// The seed's cluster reconciled until its Gateway is Programmed: Crossplane's objects
/// Ready (reported twice, as the plan grows) and the shadow programmed by Istio.
fn programmed_seed() -> Cluster {
    let mut cluster = Cluster::new(&seed());
    cluster.reconcile();
    cluster.crossplane_reports(true);
    cluster.reconcile();
    cluster.crossplane_reports(true);
    cluster.istio_reports();
    assert_eq!(
        gateway_condition(&cluster.reconcile(), "Programmed").0,
        "True"
    );
    cluster
}

#[test]
fn edits_and_deletions_follow() {
    let mut cluster = programmed_seed();

    // A listener added: a new port on both tiers; Programmed waits for the updated shadow.
    cluster.edit_gateway("foo-gateway", |gw| {
        let mut admin = gw.spec.listeners[0].clone();
        admin.name = "admin".into();
        admin.port = 8080;
        gw.spec.listeners.push(admin);
    });
    let plan = cluster.reconcile();
    assert_eq!(
        shadow_field(&plan, "Gateway", "/spec/listeners/1/port"),
        8080
    );
    assert!(
        plan.find("TargetGroup", "", "tiered.foo-gateway.8080")
            .is_some()
    );
    assert_eq!(gateway_condition(&plan, "Programmed").0, "Unknown");
    cluster.crossplane_reports(true);
    cluster.reconcile();
    cluster.crossplane_reports(true);
    cluster.istio_reports();
    let plan = cluster.reconcile();
    assert_eq!(gateway_condition(&plan, "Programmed").0, "True");
    assert!(
        cluster
            .snapshot
            .target_group_bindings
            .contains_key(&ObjectKey::new("tiered", "foo-gateway-8080"))
    );

    // A route rule changed: the shadow follows; the route's status waits for Istio's report
    // on the new shadow, then mirrors it at the new generation.
    cluster.edit_route("foo-site", |r| {
        let rules = r.spec.rules.as_mut().expect("rules");
        rules[0].matches = Some(vec![
            serde_json::from_value(json!({"path": {"type": "PathPrefix", "value": "/shop"}}))
                .expect("match"),
        ]);
    });
    let plan = cluster.reconcile();
    assert_eq!(
        shadow_field(&plan, "HTTPRoute", "/spec/rules/0/matches/0/path/value"),
        "/shop"
    );
    assert_eq!(route_accepted(&plan, "foo-site").0, "Unknown");
    cluster.istio_reports();
    assert_eq!(
        route_accepted(&cluster.reconcile(), "foo-site"),
        ("True".into(), 2)
    );

    // The route deleted: its shadow leaves the plan and the cluster.
    cluster
        .snapshot
        .http_routes
        .remove(&ObjectKey::new("tiered", "foo-site"));
    let plan = cluster.reconcile();
    assert!(plan.find("HTTPRoute", "tiered", "foo-site-istio").is_none());
    assert!(
        !cluster
            .snapshot
            .http_routes
            .contains_key(&ObjectKey::new("tiered", "foo-site-istio"))
    );

    // The Gateway deleted: nothing is planned and everything gantry made is pruned.
    cluster
        .snapshot
        .gateways
        .remove(&ObjectKey::new("tiered", "foo-gateway"));
    let plan = cluster.reconcile();
    assert!(plan.objects.is_empty());
    assert!(cluster.crossplane.is_empty());
    assert!(
        cluster.snapshot.gateways.is_empty() && cluster.snapshot.target_group_bindings.is_empty()
    );
}

#[test]
fn a_broken_class_configuration_keeps_what_is_running() {
    let mut cluster = programmed_seed();
    let (gateways, routes, crossplane) = (
        cluster.snapshot.gateways.len(),
        cluster.snapshot.http_routes.len(),
        cluster.crossplane.len(),
    );

    // A typo in the ConfigMap: the class and Gateway are refused, nothing is torn down.
    cluster.edit_class_config("vpcId", Some("vpc-1"));
    let plan = cluster.reconcile();
    assert!(plan.objects.is_empty());
    assert_eq!(plan.held, [ObjectKey::new("tiered", "foo-gateway")]);
    assert_eq!(gateway_condition(&plan, "Accepted").0, "False");
    assert_eq!(
        (
            cluster.snapshot.gateways.len(),
            cluster.snapshot.http_routes.len(),
            cluster.crossplane.len()
        ),
        (gateways, routes, crossplane)
    );

    // Fixed: planned again, and Programmed once the shadow describes the Gateway again.
    cluster.edit_class_config("vpcId", None);
    let plan = cluster.reconcile();
    assert!(plan.held.is_empty() && plan.kept.is_empty());
    assert_eq!(gateway_condition(&plan, "Programmed").0, "True");
}
