//! Builders of the objects [`crate::objects`] cannot express: ListenerSets and the Gateways
//! that allow them, routes attached to a ListenerSet or to one listener (`sectionName`),
//! `TargetGroupName` backends, and the bare NodePort Services many scenarios send to. As
//! there, names are `namespace/name` and the result is a YAML document.

use crate::objects::{Listener, split};

/// `name` alone, or `namespace/name` as a `namespace:` field after the name: how a reference
/// to an object of the referrer's namespace, or of another, is written.
fn name_and_namespace(reference: &str) -> String {
    match reference.split_once('/') {
        Some((namespace, name)) => format!("name: {name}, namespace: {namespace}"),
        None => format!("name: {reference}"),
    }
}

fn listeners(listeners: &[Listener]) -> String {
    let listeners: Vec<String> = listeners.iter().copied().map(plain).collect();
    listeners.join(", ")
}

/// A plain listener (no hostname, no TLS) as a flow mapping, for [`gateway_of`].
pub fn plain((name, port, protocol): Listener) -> String {
    format!("{{name: {name}, port: {port}, protocol: {protocol}}}")
}

/// An HTTPS listener `name` on `port` as a flow mapping, terminating TLS with the Secrets
/// `certificates` (`name` in the Gateway's namespace, or `namespace/name`).
pub fn https(name: &str, port: u16, certificates: &[&str]) -> String {
    let refs: Vec<String> = certificates
        .iter()
        .map(|c| format!("{{{}}}", name_and_namespace(c)))
        .collect();
    format!(
        "{{name: {name}, port: {port}, protocol: HTTPS, tls: {{certificateRefs: [{}]}}}}",
        refs.join(", ")
    )
}

/// One `listeners:` entry a line, each a flow mapping (from [`plain`], [`https`] or written
/// out).
fn listener_lines(listeners: &[String]) -> String {
    listeners.iter().map(|l| format!("  - {l}\n")).collect()
}

/// A Gateway API object `kind` `namespace/name` whose spec is the field line `first`, the
/// listeners `listeners` (flow mappings), then the field lines `more`.
fn with_listeners(kind: &str, key: &str, first: &str, listeners: &[String], more: &str) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: {kind}\n\
         metadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  {first}\n  listeners:\n{}{more}",
        listener_lines(listeners)
    )
}

/// A Gateway `namespace/name` of `class` with the listeners `listeners` (flow mappings) and,
/// after them, the further spec fields `more` (YAML lines indented by two spaces; "" for
/// none): for Gateways whose listeners or spec [`crate::objects::gateway`] cannot write.
pub fn gateway_of(key: &str, class: &str, listeners: &[String], more: &str) -> String {
    let class = format!("gatewayClassName: {class}");
    with_listeners("Gateway", key, &class, listeners, more)
}

/// A ListenerSet `namespace/name` naming the Gateway `parent` (`name` in its namespace, or
/// `namespace/name`), with the listeners `listeners` (flow mappings).
pub fn listener_set_of(key: &str, parent: &str, listeners: &[String]) -> String {
    let parent = format!("parentRef: {{{}}}", name_and_namespace(parent));
    with_listeners("ListenerSet", key, &parent, listeners, "")
}

/// A Gateway `namespace/name` of `class` with plain listeners whose
/// `allowedListeners.namespaces` is `namespaces` (a YAML flow mapping such as `{from: All}`).
pub fn gateway_allowing_sets(
    key: &str,
    class: &str,
    namespaces: &str,
    gateway_listeners: &[Listener],
) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
         metadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  gatewayClassName: {class}\n  allowedListeners: {{namespaces: {namespaces}}}\n  \
         listeners: [{}]\n",
        listeners(gateway_listeners)
    )
}

/// A ListenerSet `namespace/name` with plain listeners, naming the Gateway `parent` (`name`
/// in its namespace, or `namespace/name`).
pub fn listener_set(key: &str, parent: &str, set_listeners: &[Listener]) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n\
         metadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  parentRef: {{{}}}\n  listeners: [{}]\n",
        name_and_namespace(parent),
        listeners(set_listeners)
    )
}

/// A Service `namespace/name` of type NodePort with the one TCP port `port` → `node_port`
/// (no port name, no targetPort).
pub fn node_port(key: &str, port: u16, node_port: u16) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  type: NodePort\n  ports: [{{port: {port}, nodePort: {node_port}, protocol: TCP}}]\n"
    )
}

/// A ClusterIP Service `namespace/name` with the one port `port`.
pub fn service(key: &str, port: u16) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n\
         spec: {{ports: [{{port: {port}}}]}}\n"
    )
}

/// A ListenerRuleConfiguration `namespace/name` whose one action authenticates with the OIDC
/// provider `https://idp.example.com`, its client credentials in the Secret `secret` (of its
/// namespace).
pub fn oidc_rule_configuration(key: &str, secret: &str) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: gateway.k8s.aws/v1\nkind: ListenerRuleConfiguration\n\
         metadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  actions:\n  - type: authenticate-oidc\n    authenticateOIDCConfig:\n      \
         issuer: https://idp.example.com\n      \
         authorizationEndpoint: https://idp.example.com/auth\n      \
         tokenEndpoint: https://idp.example.com/token\n      \
         userInfoEndpoint: https://idp.example.com/userinfo\n      \
         secret: {{name: {secret}}}\n"
    )
}

/// A GatewayClass `name` of another controller than gantry's (`example.com/other`).
pub fn foreign_gateway_class(name: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {{name: {name}}}\n\
         spec: {{controllerName: example.com/other}}\n"
    )
}

/// A ReferenceGrant `namespace/name` letting the Gateway API kind `from_kind` of
/// `from_namespace` refer to the core kind `to_kind` in its namespace.
pub fn reference_grant(key: &str, from_kind: &str, from_namespace: &str, to_kind: &str) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n\
         metadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  from: [{{group: gateway.networking.k8s.io, kind: {from_kind}, namespace: {from_namespace}}}]\n  \
         to: [{{group: '', kind: {to_kind}}}]\n"
    )
}

/// A route built up call by call: its parents, then its rules, each with one optional path
/// prefix and its backends.
#[derive(Clone, Debug)]
pub struct Route {
    kind: &'static str,
    api_version: &'static str,
    key: String,
    parents: Vec<String>,
    rules: Vec<String>,
}

impl Route {
    /// An HTTPRoute `namespace/name`.
    pub fn http(key: &str) -> Route {
        Route {
            kind: "HTTPRoute",
            api_version: "gateway.networking.k8s.io/v1",
            key: key.to_string(),
            parents: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Attached to the Gateway `gateway` (`name` in the route's namespace, or
    /// `namespace/name`).
    pub fn gateway(mut self, gateway: &str) -> Route {
        self.parents
            .push(format!("{{{}}}", name_and_namespace(gateway)));
        self
    }

    /// Attached to the listener `section` of the Gateway `gateway`.
    pub fn gateway_section(mut self, gateway: &str, section: &str) -> Route {
        self.parents.push(format!(
            "{{{}, sectionName: {section}}}",
            name_and_namespace(gateway)
        ));
        self
    }

    /// Attached to the parent written as the flow mapping `reference` (e.g. a mesh's Service:
    /// `{name: mesh, kind: Service, group: ""}`).
    pub fn parent(mut self, reference: &str) -> Route {
        self.parents.push(reference.to_string());
        self
    }

    /// Attached to the ListenerSet `set` (`name` or `namespace/name`); to its listener
    /// `section` only when given.
    pub fn listener_set(mut self, set: &str, section: Option<&str>) -> Route {
        let section = section
            .map(|s| format!(", sectionName: {s}"))
            .unwrap_or_default();
        self.parents.push(format!(
            "{{group: gateway.networking.k8s.io, kind: ListenerSet, {}{section}}}",
            name_and_namespace(set)
        ));
        self
    }

    /// A rule sending requests whose path starts with `path` (any when None) to the Services
    /// `backends` as `(name, port)` (`name` in the route's namespace, or `namespace/name`).
    pub fn to_services(self, path: Option<&str>, backends: &[(&str, u16)]) -> Route {
        let backends: Vec<String> = backends
            .iter()
            .map(|(b, port)| format!("{{{}, port: {port}}}", name_and_namespace(b)))
            .collect();
        self.rule(path, &backends)
    }

    /// A rule sending requests whose path starts with `path` to the existing target group
    /// named `target_group` (a `TargetGroupName` backend).
    pub fn to_target_group(self, path: Option<&str>, target_group: &str) -> Route {
        let backend = format!("{{kind: TargetGroupName, name: {target_group}}}");
        self.rule(path, &[backend])
    }

    /// The last rule also runs the ListenerRuleConfiguration `name` (of the route's namespace),
    /// named by an `ExtensionRef` filter.
    pub fn configured_by(mut self, name: &str) -> Route {
        let rule = self.rules.last_mut().expect("configured_by follows a rule");
        rule.push_str(&format!(
            "    filters: [{{type: ExtensionRef, extensionRef: \
             {{group: gateway.k8s.aws, kind: ListenerRuleConfiguration, name: {name}}}}}]\n"
        ));
        self
    }

    fn rule(mut self, path: Option<&str>, backends: &[String]) -> Route {
        let matches = path
            .map(|p| format!("matches: [{{path: {{type: PathPrefix, value: {p}}}}}]\n    "))
            .unwrap_or_default();
        self.rules.push(format!(
            "  - {matches}backendRefs: [{}]\n",
            backends.join(", ")
        ));
        self
    }

    /// The YAML document.
    pub fn build(&self) -> String {
        let (namespace, name) = split(&self.key);
        format!(
            "apiVersion: {}\nkind: {}\nmetadata: {{name: {name}, namespace: {namespace}}}\n\
             spec:\n  parentRefs: [{}]\n  rules:\n{}",
            self.api_version,
            self.kind,
            self.parents.join(", "),
            self.rules.concat()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_on_a_listener_set_section_to_a_target_group() {
        let route = Route::http("team/shop")
            .listener_set("extra", Some("alt"))
            .gateway("apps/web")
            .to_target_group(Some("/legacy"), "legacy-tg")
            .build();
        assert_eq!(
            route,
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
             metadata: {name: shop, namespace: team}\nspec:\n  parentRefs: \
             [{group: gateway.networking.k8s.io, kind: ListenerSet, name: extra, sectionName: alt}, \
             {name: web, namespace: apps}]\n  rules:\n  \
             - matches: [{path: {type: PathPrefix, value: /legacy}}]\n    \
             backendRefs: [{kind: TargetGroupName, name: legacy-tg}]\n"
        );
    }

    #[test]
    fn a_configured_rule_names_its_rule_configuration_after_its_backends() {
        let route = Route::http("apps/shop")
            .gateway("web")
            .to_services(None, &[("shop", 80)])
            .configured_by("auth")
            .build();
        assert!(
            route.ends_with(
                "  rules:\n  - backendRefs: [{name: shop, port: 80}]\n    filters: [{type: ExtensionRef, \
                 extensionRef: {group: gateway.k8s.aws, kind: ListenerRuleConfiguration, name: auth}}]\n"
            ),
            "{route}"
        );
    }

    #[test]
    fn a_listener_set_names_its_parent_in_its_namespace_or_another() {
        let here = listener_set("apps/extra", "web", &[("alt", 8080, "HTTP")]);
        assert!(here.contains("  parentRef: {name: web}\n"), "{here}");
        let there = listener_set("team/extra", "apps/web", &[("alt", 8080, "HTTP")]);
        assert!(
            there.contains("  parentRef: {name: web, namespace: apps}\n  listeners: [{name: alt, port: 8080, protocol: HTTP}]\n"),
            "{there}"
        );
    }

    #[test]
    fn a_gateway_of_written_listeners_keeps_them_and_the_rest_of_its_spec() {
        let gateway = gateway_of(
            "apps/web",
            "alb",
            &[
                plain(("http", 80, "HTTP")),
                https("https", 443, &["web-tls", "certs/shared"]),
            ],
            "  infrastructure: {parametersRef: {name: lbc}}\n",
        );
        assert_eq!(
            gateway,
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
             metadata: {name: web, namespace: apps}\nspec:\n  gatewayClassName: alb\n  \
             listeners:\n  - {name: http, port: 80, protocol: HTTP}\n  \
             - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: \
             [{name: web-tls}, {name: shared, namespace: certs}]}}\n  \
             infrastructure: {parametersRef: {name: lbc}}\n"
        );
    }

    #[test]
    fn a_gateway_allowing_sets_says_from_where() {
        let gateway =
            gateway_allowing_sets("apps/web", "alb", "{from: All}", &[("http", 80, "HTTP")]);
        assert!(
            gateway.contains("  allowedListeners: {namespaces: {from: All}}\n"),
            "{gateway}"
        );
    }
}
