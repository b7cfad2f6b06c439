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

/// Gateways by (namespace, name).
type Gateways<'a> = &'a [(&'a str, &'a str)];

#[test]
fn each_change_triggers_exactly_the_gateways_it_can_affect() {
    let key = |namespace: &str, name: &str| ObjectKey::new(namespace, name);
    let grant_from = |kind: &str, namespace: &str| {
        Change::ReferenceGrant(vec![(kind.to_string(), namespace.to_string())])
    };
    let target_group_configuration =
        |name: &str, target: Option<(&str, &str)>| Change::TargetGroupConfiguration {
            key: key("apps", name),
            target: target.map(|(kind, name)| (kind.into(), name.into())),
        };
    let web: Gateways = &[("apps", "web")];
    let both_albs: Gateways = &[("apps", "web"), ("other", "alb")];
    let cases: Vec<(&str, Change, Gateways)> = vec![
        (
            "a route: its spec and status parents",
            Change::Route(Parents {
                gateways: keys(both_albs),
                listener_sets: BTreeSet::new(),
            }),
            both_albs,
        ),
        (
            "a Service: the Gateways of routes that reference it",
            Change::Service(key("apps", "shop")),
            web,
        ),
        (
            "a Service in another namespace, referenced by a route",
            Change::Service(key("data", "db")),
            web,
        ),
        (
            "a Service no route references",
            Change::Service(key("apps", "unused")),
            &[],
        ),
        (
            "a ReferenceGrant: the Gateways of routes it can admit",
            grant_from("HTTPRoute", "team-a"),
            web,
        ),
        (
            "a ReferenceGrant from TCPRoutes",
            grant_from("TCPRoute", "edge"),
            &[("edge", "nlb")],
        ),
        (
            "a ReferenceGrant from a namespace without routes",
            grant_from("HTTPRoute", "nowhere"),
            &[],
        ),
        (
            "a Namespace: Gateways that select namespaces and have routes there",
            Change::Namespace("team-a".into()),
            web,
        ),
        (
            "a Namespace no Gateway selects by label",
            Change::Namespace("edge".into()),
            &[],
        ),
        (
            "a LoadBalancerConfiguration: the Gateway it configures",
            Change::LoadBalancerConfiguration(key("apps", "web-lbc")),
            web,
        ),
        (
            "a LoadBalancerConfiguration: the Gateways of the class it configures",
            Change::LoadBalancerConfiguration(key("config", "class-lbc")),
            both_albs,
        ),
        (
            "a TargetGroupConfiguration of a Service",
            target_group_configuration("tgc", Some(("Service", "shop"))),
            web,
        ),
        (
            "a TargetGroupConfiguration of a Gateway",
            target_group_configuration("tgc", Some(("Gateway", "web"))),
            &[("edge", "nlb")],
        ),
        (
            "a TargetGroupConfiguration as a Gateway's default",
            target_group_configuration("defaults", None),
            web,
        ),
        (
            "a ListenerRuleConfiguration: the Gateways of routes with its extension ref",
            Change::ListenerRuleConfiguration(key("apps", "auth")),
            web,
        ),
        (
            "a ListenerRuleConfiguration of the same name in another namespace",
            Change::ListenerRuleConfiguration(key("edge", "auth")),
            &[],
        ),
        (
            "a Secret: the Gateways of routes using a rule configuration that names it",
            Change::Secret(key("apps", "oidc-client")),
            web,
        ),
        // Same name, other namespace; other name, same namespace: nobody reads them.
        (
            "a Secret of the same name in another namespace",
            Change::Secret(key("edge", "oidc-client")),
            &[],
        ),
        (
            "a Secret of another name in the same namespace",
            Change::Secret(key("apps", "tls")),
            &[],
        ),
        (
            "a Secret: the Gateway whose listener names it as a certificate",
            Change::Secret(key("other", "tls")),
            &[("other", "alb")],
        ),
        (
            "a Secret named as a certificate from another namespace",
            Change::Secret(key("certs", "shared")),
            &[("other", "alb")],
        ),
        (
            "a Secret in a certificate's namespace, of another name",
            Change::Secret(key("certs", "tls")),
            &[],
        ),
        (
            "a GatewayClass: its Gateways",
            Change::GatewayClass("alb".into()),
            both_albs,
        ),
        (
            "an ALB Gateway: itself and the NLB Gateways chained to it",
            Change::Gateway(key("apps", "web")),
            &[("apps", "web"), ("edge", "nlb")],
        ),
        (
            "an ALB Gateway nothing is chained to: itself",
            Change::Gateway(key("other", "alb")),
            &[("other", "alb")],
        ),
    ];
    let snapshot = snapshot();
    let view = View::new(&snapshot);
    for (what, change, gateways) in cases {
        assert_eq!(
            view.gateways_for(&change),
            keys(gateways),
            "{what}: {change:?}"
        );
    }
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
