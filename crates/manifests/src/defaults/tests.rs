use super::*;

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).expect("test YAML parses")
}

fn defaulted(group_version: &str, kind: &str, text: &str) -> Value {
    let (group, version) = group_version.rsplit_once('/').expect("group/version");
    let mut object = yaml(text);
    assert!(
        apply(group, version, kind, &mut object),
        "{kind} has defaults"
    );
    object
}

#[test]
fn defaults_fill_absent_fields_of_every_list_item_and_keep_given_ones() {
    let route = defaulted(
        "gateway.networking.k8s.io/v1",
        "HTTPRoute",
        "
metadata: {name: r}
spec:
  parentRefs:
  - name: a
  - {name: b, group: example.com, kind: Mesh}
  rules:
  - backendRefs:
    - {name: s, port: 80}
    - {name: t, port: 80, weight: 0, kind: Other}
",
    );
    let expected = yaml(
        "
metadata: {name: r, generation: 1}
spec:
  parentRefs:
  - {name: a, group: gateway.networking.k8s.io, kind: Gateway}
  - {name: b, group: example.com, kind: Mesh}
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs:
    - {name: s, port: 80, group: '', kind: Service, weight: 1}
    - {name: t, port: 80, weight: 0, kind: Other, group: ''}
",
    );
    assert_eq!(route, expected);
}

#[test]
fn a_defaulted_value_gets_the_defaults_inside_it_and_absent_parents_stay_absent() {
    let route = defaulted(
        "gateway.networking.k8s.io/v1beta1",
        "HTTPRoute",
        "{metadata: {name: r}, spec: {hostnames: [a.example]}}",
    );
    assert_eq!(
        route["spec"]["rules"],
        yaml("[{matches: [{path: {type: PathPrefix, value: /}}]}]")
    );
    assert_eq!(
        route["spec"].get("parentRefs"),
        None,
        "no parent, no default"
    );

    // The listener's `allowedRoutes` default holds `namespaces`; `kinds` entries get a group.
    let gateway = defaulted(
        "gateway.networking.k8s.io/v1",
        "Gateway",
        "
metadata: {name: g}
spec:
  listeners:
  - {name: a, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}
  - {name: b, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}]}}
",
    );
    let listeners = &gateway["spec"]["listeners"];
    assert_eq!(
        listeners[0]["allowedRoutes"],
        yaml("{namespaces: {from: Same}}")
    );
    assert_eq!(
        listeners[0]["tls"],
        yaml("{mode: Terminate, certificateRefs: [{name: c, group: '', kind: Secret}]}")
    );
    assert_eq!(
        listeners[1]["allowedRoutes"],
        yaml(
            "{namespaces: {from: Same}, kinds: [{kind: HTTPRoute, group: gateway.networking.k8s.io}]}"
        )
    );
    // A Gateway nobody has written a status for reads "Waiting for controller".
    let conditions = gateway["status"]["conditions"]
        .as_sequence()
        .expect("status default");
    let reasons: Vec<_> = conditions.iter().map(|c| &c["reason"]).collect();
    assert_eq!(reasons, [&Value::from("Pending"), &Value::from("Pending")]);
}

#[test]
fn null_takes_the_default_unless_the_schema_is_nullable() {
    let route = defaulted(
        "gateway.networking.k8s.io/v1",
        "TCPRoute",
        "{metadata: {name: r}, spec: {parentRefs: [{name: g, kind: null}]}}",
    );
    assert_eq!(
        route["spec"]["parentRefs"][0]["kind"],
        Value::from("Gateway")
    );

    let mut nullable = Node::default();
    let field = nullable.at_path("spec.field");
    field.default = Some(Value::from("x"));
    field.nullable = true;
    let mut object = yaml("{spec: {field: null}}");
    default_value(&nullable, &mut object);
    assert_eq!(object, yaml("{spec: {field: null}}"));
    let mut object = yaml("{spec: {}}");
    default_value(&nullable, &mut object);
    assert_eq!(object, yaml("{spec: {field: x}}"));
}

#[test]
fn generation_starts_at_one_unless_given() {
    let class = defaulted(
        "gateway.networking.k8s.io/v1",
        "GatewayClass",
        "{metadata: {name: c, generation: 4}, spec: {controllerName: x}}",
    );
    assert_eq!(class["metadata"]["generation"], Value::from(4));
    let class = defaulted(
        "gateway.networking.k8s.io/v1",
        "GatewayClass",
        "{metadata: {name: c}, spec: {controllerName: x}}",
    );
    assert_eq!(class["metadata"]["generation"], Value::from(1));
}

#[test]
fn kinds_without_a_known_schema_are_left_alone() {
    let text = "{metadata: {name: s}, spec: {ports: [{port: 80}]}}";
    let mut service = yaml(text);
    assert!(!apply("", "v1", "Service", &mut service));
    assert_eq!(service, yaml(text));
    let mut other_group = yaml(text);
    assert!(!apply("example.com", "v1", "HTTPRoute", &mut other_group));
    assert_eq!(other_group, yaml(text));
}

#[test]
fn gantrys_own_crds_are_defaulted_from_their_generated_schemas() {
    let config = defaulted(
        "gateway.k8s.aws/v1beta1",
        "TargetGroupConfiguration",
        "{metadata: {name: t}, spec: {targetReference: {name: svc}}}",
    );
    assert_eq!(
        config["spec"]["targetReference"],
        yaml("{name: svc, group: '', kind: Service}")
    );
    // `targetGroupStickinessConfig` defaults to `{}`, which then gets its own defaults.
    let rule = defaulted(
        "gateway.k8s.aws/v1",
        "ListenerRuleConfiguration",
        "{metadata: {name: l}, spec: {actions: [{type: forward, forwardConfig: {}}]}}",
    );
    assert_eq!(
        rule["spec"]["actions"][0]["forwardConfig"],
        yaml("{targetGroupStickinessConfig: {durationSeconds: 3600, enabled: false}}")
    );
}
