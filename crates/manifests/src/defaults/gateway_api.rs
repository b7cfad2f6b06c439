//! Every `default:` of the Gateway API CRDs (standard and experimental channel, all versions;
//! each kind declares the same defaults in every version it serves), as (path, JSON) pairs.
//!
//! Paths name properties from the object's root; `[]` steps into every item of a list. The
//! test `crd_defaults` walks the published CRDs and fails on any default missing here.

/// The group of the standard (and most experimental) kinds.
const GROUP: &str = "gateway.networking.k8s.io";
/// The group of the experimental `X…` kinds.
const EXPERIMENTAL_GROUP: &str = "gateway.networking.x-k8s.io";

/// `status.conditions` a controller has not written yet.
const ACCEPTED_PENDING: &str = r#"{"lastTransitionTime": "1970-01-01T00:00:00Z", "message": "Waiting for controller", "reason": "Pending", "status": "Unknown", "type": "Accepted"}"#;
const PROGRAMMED_PENDING: &str = r#"{"lastTransitionTime": "1970-01-01T00:00:00Z", "message": "Waiting for controller", "reason": "Pending", "status": "Unknown", "type": "Programmed"}"#;

/// [`GROUP`] as a JSON string, the default of the `group` of references to Gateway API kinds.
const GROUP_JSON: &str = r#""gateway.networking.k8s.io""#;

type Entries = Vec<(String, String)>;

/// (group, kind, defaults) of every Gateway API kind with defaults.
pub(super) fn defaults() -> Vec<(&'static str, &'static str, Entries)> {
    let accepted = &format!("[{ACCEPTED_PENDING}]");
    let accepted_programmed = &format!("[{ACCEPTED_PENDING}, {PROGRAMMED_PENDING}]");
    let status_of = |conditions: &str| format!(r#"{{"conditions": {conditions}}}"#);

    let mut gateway = vec![
        at("spec.addresses[].type", r#""IPAddress""#),
        at("spec.allowedListeners.namespaces", r#"{"from": "None"}"#),
        at("spec.allowedListeners.namespaces.from", r#""None""#),
        at("spec.tls.backend.clientCertificateRef.group", r#""""#),
        at("spec.tls.backend.clientCertificateRef.kind", r#""Secret""#),
        at(
            "spec.tls.frontend.default.validation.mode",
            r#""AllowValidOnly""#,
        ),
        at(
            "spec.tls.frontend.perPort[].tls.validation.mode",
            r#""AllowValidOnly""#,
        ),
        at("status", status_of(accepted_programmed)),
        at("status.conditions", accepted_programmed),
        at("status.addresses[].type", r#""IPAddress""#),
    ];
    gateway.extend(listeners());

    let mut listener_set = vec![
        at("spec.parentRef.group", GROUP_JSON),
        at("spec.parentRef.kind", r#""Gateway""#),
        at("status", status_of(accepted_programmed)),
        at("status.conditions", accepted_programmed),
    ];
    listener_set.extend(listeners());

    let mut http_route = route_common();
    http_route.extend([
        at(
            "spec.rules",
            r#"[{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}]"#,
        ),
        at(
            "spec.rules[].matches",
            r#"[{"path": {"type": "PathPrefix", "value": "/"}}]"#,
        ),
        at(
            "spec.rules[].matches[].path",
            r#"{"type": "PathPrefix", "value": "/"}"#,
        ),
        at("spec.rules[].matches[].path.type", r#""PathPrefix""#),
        at("spec.rules[].matches[].path.value", r#""/""#),
        at("spec.rules[].matches[].headers[].type", r#""Exact""#),
        at("spec.rules[].matches[].queryParams[].type", r#""Exact""#),
    ]);
    http_route.extend(rule_filters(|filters| {
        vec![
            at(format!("{filters}.cors.maxAge"), "5"),
            at(format!("{filters}.externalAuth.backendRef.group"), r#""""#),
            at(
                format!("{filters}.externalAuth.backendRef.kind"),
                r#""Service""#,
            ),
            at(format!("{filters}.requestRedirect.statusCode"), "302"),
        ]
    }));

    let mut grpc_route = route_common();
    grpc_route.extend([
        at("spec.rules[].matches[].headers[].type", r#""Exact""#),
        at("spec.rules[].matches[].method.type", r#""Exact""#),
    ]);
    grpc_route.extend(rule_filters(|_| Vec::new()));

    let mut traffic_policy = vec![
        at(
            "spec.retryConstraint.budget",
            r#"{"interval": "10s", "percent": 20}"#,
        ),
        at("spec.retryConstraint.budget.interval", r#""10s""#),
        at("spec.retryConstraint.budget.percent", "20"),
        at(
            "spec.retryConstraint.minRetryRate",
            r#"{"count": 10, "interval": "1s"}"#,
        ),
    ];
    traffic_policy.extend(session_persistence("spec"));
    traffic_policy.extend(ancestor_status());

    vec![
        (
            GROUP,
            "GatewayClass",
            vec![
                at("status", status_of(accepted)),
                at("status.conditions", accepted),
            ],
        ),
        (GROUP, "Gateway", gateway),
        (GROUP, "ListenerSet", listener_set),
        (GROUP, "HTTPRoute", http_route),
        (GROUP, "GRPCRoute", grpc_route),
        (GROUP, "TCPRoute", route_common()),
        (GROUP, "TLSRoute", route_common()),
        (GROUP, "UDPRoute", route_common()),
        (GROUP, "BackendTLSPolicy", ancestor_status()),
        // No defaults, but a custom resource all the same: it gets its first generation.
        (GROUP, "ReferenceGrant", vec![]),
        (
            EXPERIMENTAL_GROUP,
            "XBackend",
            vec![
                at("spec.tls.clientCertificateRef.group", r#""""#),
                at("spec.tls.clientCertificateRef.kind", r#""Secret""#),
                at("status.parents[].parentRef.group", GROUP_JSON),
                at("status.parents[].parentRef.kind", r#""Gateway""#),
            ],
        ),
        (EXPERIMENTAL_GROUP, "XBackendTrafficPolicy", traffic_policy),
        (
            EXPERIMENTAL_GROUP,
            "XMesh",
            // The schema's `status` default holds one condition, its `status.conditions`
            // default two: an absent status gets the first, an empty one the second.
            vec![
                at("status", status_of(accepted)),
                at("status.conditions", accepted_programmed),
            ],
        ),
    ]
}

fn at(path: impl Into<String>, default: impl Into<String>) -> (String, String) {
    (path.into(), default.into())
}

/// parentRefs, backendRefs and the parentRefs of `status.parents` of every route kind.
fn route_common() -> Entries {
    vec![
        at("spec.parentRefs[].group", GROUP_JSON),
        at("spec.parentRefs[].kind", r#""Gateway""#),
        at("spec.rules[].backendRefs[].group", r#""""#),
        at("spec.rules[].backendRefs[].kind", r#""Service""#),
        at("spec.rules[].backendRefs[].weight", "1"),
        at("status.parents[].parentRef.group", GROUP_JSON),
        at("status.parents[].parentRef.kind", r#""Gateway""#),
    ]
}

/// Listeners of a Gateway or a ListenerSet.
fn listeners() -> Entries {
    vec![
        at(
            "spec.listeners[].allowedRoutes",
            r#"{"namespaces": {"from": "Same"}}"#,
        ),
        at(
            "spec.listeners[].allowedRoutes.namespaces",
            r#"{"from": "Same"}"#,
        ),
        at(
            "spec.listeners[].allowedRoutes.namespaces.from",
            r#""Same""#,
        ),
        at("spec.listeners[].allowedRoutes.kinds[].group", GROUP_JSON),
        at("spec.listeners[].tls.mode", r#""Terminate""#),
        at("spec.listeners[].tls.certificateRefs[].group", r#""""#),
        at("spec.listeners[].tls.certificateRefs[].kind", r#""Secret""#),
        at("status.listeners[].supportedKinds[].group", GROUP_JSON),
    ]
}

/// The request mirror filter among `filters`.
/// An HTTPRoute's or GRPCRoute's rules: session persistence, and the filters of the rule and of
/// its backendRefs (mirror, and what `more` adds for a filters path).
fn rule_filters(more: impl Fn(&str) -> Entries) -> Entries {
    let mut out = session_persistence("spec.rules[]");
    for filters in [
        "spec.rules[].filters[]",
        "spec.rules[].backendRefs[].filters[]",
    ] {
        out.extend(mirror(filters));
        out.extend(more(filters));
    }
    out
}

fn mirror(filters: &str) -> Entries {
    vec![
        at(format!("{filters}.requestMirror.backendRef.group"), r#""""#),
        at(
            format!("{filters}.requestMirror.backendRef.kind"),
            r#""Service""#,
        ),
        at(
            format!("{filters}.requestMirror.fraction.denominator"),
            "100",
        ),
    ]
}

fn session_persistence(owner: &str) -> Entries {
    vec![
        at(format!("{owner}.sessionPersistence.type"), r#""Cookie""#),
        at(
            format!("{owner}.sessionPersistence.cookieConfig.lifetimeType"),
            r#""Session""#,
        ),
    ]
}

/// The ancestorRefs of a policy's `status.ancestors`.
fn ancestor_status() -> Entries {
    vec![
        at("status.ancestors[].ancestorRef.group", GROUP_JSON),
        at("status.ancestors[].ancestorRef.kind", r#""Gateway""#),
    ]
}
