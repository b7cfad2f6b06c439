//! Translating a walk's scenario and reading what a field did: the Gateway's plan, or the
//! `ConfigurationApplied` condition naming it.

use gantry_testkit::objects;
use gantry_translate::{Settings, Translation, translate};
use serde_json::Value;

/// A walk's scenario: the GatewayClasses `alb` and `nlb` of gantry's controllers, `rest` (the
/// ALB Gateway `apps/web` and the NLB Gateway `apps/tcp` with what the walk needs), the
/// NodePort Service `apps/echo` and the TCPRoute `apps/t` to it on the NLB's listener `tcp`.
pub fn scenario(rest: &str) -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway_class("nlb", "nlb"),
        rest.to_string(),
        objects::node_port_service("apps/echo", 80, 30080),
        TCP_ROUTE.to_string(),
    ])
}

/// The listeners the walks' Gateways take: HTTP and HTTPS on the ALB `apps/web`, TCP on the
/// NLB `apps/tcp`.
pub const HTTP: &str = "{name: http, protocol: HTTP, port: 80}";
pub const HTTPS: &str = "{name: https, protocol: HTTPS, port: 443, hostname: web.example.com}";
pub const TCP: &str = "{name: tcp, protocol: TCP, port: 9000}";

const TCP_ROUTE: &str = "apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: apps}
spec:
  parentRefs: [{name: tcp, sectionName: tcp}]
  rules:
  - backendRefs: [{name: echo, port: 80}]
";

/// The gantry configuration `apps/<name>` of `kind` (gateway.k8s.aws/v1) with `spec`.
pub fn configuration(kind: &str, name: &str, spec: &Value) -> String {
    format!(
        "apiVersion: gateway.k8s.aws/v1\nkind: {kind}\nmetadata: {{name: {name}, namespace: apps}}\nspec: {spec}\n"
    )
}

/// The translation of the manifests `yaml`; panics, naming `what`, when they do not load.
pub fn translate_yaml(yaml: &str, what: &str) -> Translation {
    let loaded = gantry_manifests::load_text("scenario.yaml", yaml);
    let errors: Vec<String> = loaded.errors().map(|d| d.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:?}");
    translate(&loaded.snapshot, &Settings::new("fields"))
}

/// The messages of `gateway`'s (every Gateway's, when None) `ConfigurationApplied` condition.
pub fn not_applied(t: &Translation, gateway: Option<&str>) -> String {
    t.statuses
        .gateways
        .iter()
        .filter(|(k, _)| gateway.is_none_or(|g| k.to_string() == g))
        .flat_map(|(_, s)| &s.conditions)
        .filter(|c| c.kind == "gateway.k8s.aws/ConfigurationApplied")
        .map(|c| c.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plan of `gateway`'s load balancer, as JSON.
pub fn stack(t: &Translation, gateway: &str) -> Option<Value> {
    t.stacks
        .iter()
        .find(|s| s.gateway == gateway)
        .map(|s| serde_json::to_value(s).unwrap())
}

/// What a walked field at `path` did to `gateway`: `applied` when its plan differs from the
/// one of `base`, else whether the Gateway's status names the field.
pub fn state(
    t: &Translation,
    base: &Translation,
    gateway: &str,
    path: &str,
    applied: &'static str,
) -> &'static str {
    if stack(t, gateway) != stack(base, gateway) {
        applied
    } else if super::names(&not_applied(t, Some(gateway)), path) {
        "not applied, said in status"
    } else {
        "no effect alone"
    }
}

/// A Gateway `apps/<name>` of `class` with a fixed uid (ending in `uid`), naming the
/// LoadBalancerConfiguration `cfg` when `configured`; `listeners` in YAML flow style.
pub fn gateway(name: &str, class: &str, uid: char, configured: bool, listeners: &[&str]) -> String {
    let infrastructure = if configured {
        "  infrastructure:\n    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: cfg}\n"
    } else {
        ""
    };
    let listeners: String = listeners.iter().map(|l| format!("  - {l}\n")).collect();
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
         metadata: {{name: {name}, namespace: apps, uid: 00000000-0000-0000-0000-00000000000{uid}}}\n\
         spec:\n  gatewayClassName: {class}\n{infrastructure}  listeners:\n{listeners}"
    )
}
