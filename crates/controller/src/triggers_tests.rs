use super::*;
use gantry_testkit::objects::{docs, gateway, gateway_class};
use gantry_testkit::route_builders::{
    Route, gateway_allowing_sets, gateway_of, oidc_rule_configuration, plain,
};

/// A small cluster: an ALB Gateway `apps/web` with routes to Services, an NLB Gateway
/// `edge/nlb` chained to `apps/web`, and a second ALB Gateway `other/alb` that no route uses,
/// with an HTTPS listener whose certificates are the Secrets `other/tls` and `certs/shared`.
fn cluster() -> String {
    docs([
        CLASS_WITH_CONFIGURATION.to_string(),
        gateway_class("nlb", "nlb"),
        web(),
        other(),
        gateway("edge/nlb", "nlb", &[("tcp", 80, "TCP")]),
        shop_with_rule_configuration(),
        Route::http("team-a/remote")
            .gateway("apps/web")
            .to_services(None, &[("data/db", 5432)])
            .build(),
        TCP_TO_ALB.to_string(),
        WEB_CONFIGURATION.to_string(),
        oidc_rule_configuration("apps/auth", "oidc-client"),
    ])
}

/// The GatewayClass `alb`, configured by LoadBalancerConfiguration `config/class-lbc`.
const CLASS_WITH_CONFIGURATION: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec:
  controllerName: gateway.k8s.aws/alb
  parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: class-lbc, namespace: config}
"#;

/// `apps/web`: configured by `apps/web-lbc`; routes of namespaces labelled `team: a` only.
fn web() -> String {
    let by_label = "{name: http, port: 80, protocol: HTTP, \
        allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: a}}}}}";
    let configured = "  infrastructure:\n    \
        parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: web-lbc}\n";
    gateway_of("apps/web", "alb", &[by_label.to_string()], configured)
}

/// `other/alb`, whose HTTPS listener's certificates are `other/tls` and `certs/shared`.
fn other() -> String {
    let listeners = [
        plain(("http", 80, "HTTP")),
        "{name: https, port: 443, protocol: HTTPS, \
         tls: {certificateRefs: [{name: tls}, {kind: Secret, name: shared, namespace: certs}]}}"
            .to_string(),
    ];
    gateway_of("other/alb", "alb", &listeners, "")
}

/// `apps/shop`: to the Service `shop`, through the ListenerRuleConfiguration `auth`.
fn shop_with_rule_configuration() -> String {
    Route::http("apps/shop")
        .gateway("web")
        .to_services(None, &[("shop", 80)])
        .configured_by("auth")
        .build()
}

/// `edge/to-alb`: the NLB `edge/nlb` forwards to the ALB Gateway `apps/web`.
const TCP_TO_ALB: &str = r#"
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: to-alb, namespace: edge}
spec:
  parentRefs: [{name: nlb}]
  rules:
  - backendRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: web, namespace: apps, port: 80}]
"#;

const WEB_CONFIGURATION: &str = r#"
apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: {name: web-lbc, namespace: apps}
spec:
  defaultTargetGroupConfiguration: {name: defaults}
"#;

/// The objects of `yaml`, as the manifest loader reads them.
fn load(yaml: &str) -> Snapshot {
    let mut loader = gantry_manifests::Loader::new();
    loader.load_str("cluster.yaml", yaml);
    let loaded = loader.finish();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.snapshot
}

fn snapshot() -> Snapshot {
    load(&cluster())
}

fn keys(list: &[(&str, &str)]) -> BTreeSet<ObjectKey> {
    list.iter().map(|(ns, n)| ObjectKey::new(*ns, *n)).collect()
}

fn gateways_for(change: Change) -> BTreeSet<ObjectKey> {
    let s = snapshot();
    View::new(&s).gateways_for(&change)
}

/// Asserts that `change` triggers exactly the Gateways `gateways` of the small cluster.
fn assert_triggers(change: Change, gateways: &[(&str, &str)]) {
    let what = format!("{change:?}");
    assert_eq!(gateways_for(change), keys(gateways), "{what}");
}

#[test]
fn a_route_triggers_its_spec_and_status_parents() {
    let parents = keys(&[("apps", "web"), ("other", "alb")]);
    let change = Change::Route(Parents {
        gateways: parents.clone(),
        listener_sets: BTreeSet::new(),
    });
    assert_eq!(gateways_for(change), parents);
}

#[test]
fn route_parents_default_namespace_and_skip_other_kinds() {
    let spec = vec![
        ParentRefParts {
            group: None,
            kind: None,
            namespace: None,
            name: "a".into(),
        },
        ParentRefParts {
            group: Some("example.com".into()),
            kind: Some("Mesh".into()),
            namespace: None,
            name: "m".into(),
        },
    ];
    let status = vec![ParentRefParts {
        group: Some(gantry_api::gateway::GROUP.into()),
        kind: Some("Gateway".into()),
        namespace: Some("old".into()),
        name: "b".into(),
    }];
    assert_eq!(
        route_parents("ns", spec.into_iter(), status.into_iter()).gateways,
        keys(&[("ns", "a"), ("old", "b")])
    );
}

#[test]
fn a_service_triggers_the_gateways_of_routes_that_reference_it() {
    assert_triggers(
        Change::Service(ObjectKey::new("apps", "shop")),
        &[("apps", "web")],
    );
    assert_triggers(
        Change::Service(ObjectKey::new("data", "db")),
        &[("apps", "web")],
    );
    assert_triggers(Change::Service(ObjectKey::new("apps", "unused")), &[]);
}

#[test]
fn a_reference_grant_triggers_the_gateways_of_routes_it_can_admit() {
    let from = vec![("HTTPRoute".to_string(), "team-a".to_string())];
    assert_triggers(Change::ReferenceGrant(from), &[("apps", "web")]);
    let tcp = vec![("TCPRoute".to_string(), "edge".to_string())];
    assert_triggers(Change::ReferenceGrant(tcp), &[("edge", "nlb")]);
    let none = vec![("HTTPRoute".to_string(), "nowhere".to_string())];
    assert_triggers(Change::ReferenceGrant(none), &[]);
}

#[test]
fn a_namespace_triggers_gateways_that_select_namespaces_and_have_routes_there() {
    assert_triggers(Change::Namespace("team-a".into()), &[("apps", "web")]);
    assert_triggers(Change::Namespace("edge".into()), &[]);
}

#[test]
fn a_load_balancer_configuration_triggers_gateways_and_gateways_of_classes_using_it() {
    assert_triggers(
        Change::LoadBalancerConfiguration(ObjectKey::new("apps", "web-lbc")),
        &[("apps", "web")],
    );
    assert_triggers(
        Change::LoadBalancerConfiguration(ObjectKey::new("config", "class-lbc")),
        &[("apps", "web"), ("other", "alb")],
    );
}

#[test]
fn a_target_group_configuration_triggers_by_its_target_or_as_a_default() {
    let service = Change::TargetGroupConfiguration {
        key: ObjectKey::new("apps", "tgc"),
        target: Some(("Service".into(), "shop".into())),
    };
    assert_triggers(service, &[("apps", "web")]);
    let gateway = Change::TargetGroupConfiguration {
        key: ObjectKey::new("apps", "tgc"),
        target: Some(("Gateway".into(), "web".into())),
    };
    assert_triggers(gateway, &[("edge", "nlb")]);
    let default = Change::TargetGroupConfiguration {
        key: ObjectKey::new("apps", "defaults"),
        target: None,
    };
    assert_triggers(default, &[("apps", "web")]);
}

#[test]
fn a_listener_rule_configuration_triggers_gateways_of_routes_with_its_extension_ref() {
    assert_triggers(
        Change::ListenerRuleConfiguration(ObjectKey::new("apps", "auth")),
        &[("apps", "web")],
    );
    assert_triggers(
        Change::ListenerRuleConfiguration(ObjectKey::new("edge", "auth")),
        &[],
    );
}

#[test]
fn a_secret_triggers_gateways_of_routes_using_a_rule_configuration_that_names_it() {
    assert_triggers(
        Change::Secret(ObjectKey::new("apps", "oidc-client")),
        &[("apps", "web")],
    );
    // Same name, other namespace; other name, same namespace: nobody reads them.
    assert_triggers(Change::Secret(ObjectKey::new("edge", "oidc-client")), &[]);
    assert_triggers(Change::Secret(ObjectKey::new("apps", "tls")), &[]);
}

#[test]
fn a_secret_triggers_the_gateways_whose_listeners_name_it_as_a_certificate() {
    assert_triggers(
        Change::Secret(ObjectKey::new("other", "tls")),
        &[("other", "alb")],
    );
    assert_triggers(
        Change::Secret(ObjectKey::new("certs", "shared")),
        &[("other", "alb")],
    );
    assert_triggers(Change::Secret(ObjectKey::new("certs", "tls")), &[]);
}

#[test]
fn a_gateway_class_triggers_its_gateways() {
    assert_triggers(
        Change::GatewayClass("alb".into()),
        &[("apps", "web"), ("other", "alb")],
    );
}

#[test]
fn an_alb_gateway_triggers_itself_and_the_nlb_gateways_chained_to_it() {
    assert_triggers(
        Change::Gateway(ObjectKey::new("apps", "web")),
        &[("apps", "web"), ("edge", "nlb")],
    );
    assert_triggers(
        Change::Gateway(ObjectKey::new("other", "alb")),
        &[("other", "alb")],
    );
}

/// A Gateway `apps/web` allowing ListenerSets by namespace label, the ListenerSet
/// `team/extra` naming it (an HTTPS listener with a certificate Secret), and a route attached
/// to the ListenerSet only.
fn with_listener_set() -> String {
    let http = [("http", 80, "HTTP")];
    let by_label = "{from: Selector, selector: {matchLabels: {team: a}}}";
    docs([
        gateway_class("alb", "alb"),
        gateway_allowing_sets("apps/web", "alb", by_label, &http),
        HTTPS_LISTENER_SET.to_string(),
        Route::http("team/shop")
            .listener_set("extra", None)
            .to_services(None, &[("echo", 80)])
            .build(),
    ])
}

const HTTPS_LISTENER_SET: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: extra, namespace: team}
spec:
  parentRef: {name: web, namespace: apps}
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: team-tls}]}
"#;

#[test]
fn changes_reach_a_gateway_through_its_listener_sets() {
    let snapshot = load(&with_listener_set());
    let view = View::new(&snapshot);
    let web = keys(&[("apps", "web")]);
    let set = ObjectKey::new("team", "extra");
    let reaching_web = [
        (
            Change::Route(Parents {
                gateways: BTreeSet::new(),
                listener_sets: [set.clone()].into(),
            }),
            "a route naming the ListenerSet",
        ),
        (
            Change::ListenerSet {
                key: set,
                parent: Some(ObjectKey::new("apps", "web")),
            },
            "the ListenerSet itself",
        ),
        (
            Change::Service(ObjectKey::new("team", "echo")),
            "a backend of its route",
        ),
        (
            Change::Secret(ObjectKey::new("team", "team-tls")),
            "its certificate Secret",
        ),
        (Change::Namespace("team".into()), "its namespace's labels"),
        (
            Change::ReferenceGrant(vec![("ListenerSet".into(), "team".into())]),
            "a grant from its namespace",
        ),
    ];
    for (change, what) in reaching_web {
        assert_eq!(view.gateways_for(&change), web, "{what}");
    }
    assert!(
        view.gateways_for(&Change::Namespace("other".into()))
            .is_empty()
    );
}
