//! No configuration field is dropped without a word: every field of LoadBalancerConfiguration
//! (both served versions, from the CRD schemas gantry installs) either changes the plan of an
//! ALB or an NLB Gateway using it, or is named in that Gateway's status.
//!
//! Each leaf field is set on its own (with the siblings it requires) to a value that differs
//! from its default; the translation is compared with the one of an empty configuration.

use gantry_translate::{Settings, Translation, translate};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const KIND: &str = "LoadBalancerConfiguration";

/// Two Gateways, an ALB and an NLB, with the configuration `cfg` and a route each.
const SCENARIO: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: gateway.k8s.aws/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: gateway.k8s.aws/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: apps, uid: 00000000-0000-0000-0000-00000000000a}
spec:
  gatewayClassName: alb
  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: cfg}
  listeners:
  - {name: http, protocol: HTTP, port: 80}
  - {name: https, protocol: HTTPS, port: 443, hostname: web.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tcp, namespace: apps, uid: 00000000-0000-0000-0000-00000000000b}
spec:
  gatewayClassName: nlb
  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: cfg}
  listeners:
  - {name: tcp, protocol: TCP, port: 9000}
  - {name: tls, protocol: TLS, port: 443, hostname: tcp.example.com}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: apps}
spec:
  type: NodePort
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP}]
---
apiVersion: gateway.k8s.aws/v1
kind: TargetGroupConfiguration
metadata: {name: defaults, namespace: apps}
spec:
  defaultConfiguration:
    healthCheckConfig: {healthCheckPath: /healthz}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: apps}
spec:
  parentRefs: [{name: web}]
  rules:
  - backendRefs: [{name: echo, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: apps}
spec:
  parentRefs: [{name: tcp, sectionName: tcp}]
  rules:
  - backendRefs: [{name: echo, port: 80}]
"#;

/// Values for fields whose generic sample (see [`sample`]) would not be meaningful: the
/// listener a listener configuration is for, ARNs, IDs, CIDRs.
fn special(path: &str) -> Option<Value> {
    Some(match path {
        "spec.listenerConfigurations[].protocolPort" => json!("HTTPS:443"),
        "spec.listenerConfigurations[].defaultCertificate" => {
            json!("arn:aws:acm:us-west-2:111122223333:certificate/default")
        }
        "spec.listenerConfigurations[].certificates" => {
            json!(["arn:aws:acm:us-west-2:111122223333:certificate/more"])
        }
        "spec.listenerConfigurations[].mutualAuthentication.trustStore" => {
            json!("arn:aws:elasticloadbalancing:us-west-2:111122223333:truststore/ts/1")
        }
        "spec.listenerConfigurations[].mutualAuthentication.mode" => json!("verify"),
        "spec.listenerConfigurations[].alpnPolicy" => json!("HTTP2Preferred"),
        "spec.listenerConfigurations[].sslPolicy" => json!("ELBSecurityPolicy-TLS13-1-2-2021-06"),
        "spec.listenerConfigurations[].listenerAttributes[].key" => {
            json!("routing.http.response.server.enabled")
        }
        "spec.loadBalancerAttributes[].key" => json!("idle_timeout.timeout_seconds"),
        "spec.loadBalancerSubnets[].identifier" => json!("subnet-0123"),
        "spec.loadBalancerSubnets[].eipAllocation" => json!("eipalloc-0123"),
        "spec.loadBalancerSubnets[].privateIPv4Allocation" => json!("10.0.0.10"),
        "spec.loadBalancerSubnets[].ipv6Allocation" => json!("2001:db8::10"),
        "spec.loadBalancerSubnets[].sourceNatIPv6Prefix" => json!("2001:db8::/80"),
        "spec.securityGroups" => json!(["sg-0123"]),
        "spec.securityGroupPrefixes" => json!(["pl-0123"]),
        "spec.sourceRanges" => json!(["10.0.0.0/8"]),
        "spec.defaultTargetGroupConfiguration.name" => json!("defaults"),
        "spec.wafV2.webACL" => {
            json!("arn:aws:wafv2:us-west-2:111122223333:regional/webacl/edge/1")
        }
        "spec.loadBalancerName" => json!("named-by-config"),
        "spec.loadBalancerSubnetsSelector" => json!({"tier": ["edge"]}),
        "spec.tags" => json!({"team": "web"}),
        _ => return None,
    })
}

/// A value for a leaf that differs from its default: the last enum value (the first is
/// usually the default), `true`, a number above the minimum, a non-empty string, list or map.
fn sample(path: &str, schema: &Value) -> Value {
    if let Some(v) = special(path) {
        return v;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.last().cloned().unwrap_or(Value::Null);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("boolean") => json!(true),
        Some("integer") | Some("number") => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
            json!(min.max(1) + 1)
        }
        Some("array") => {
            let item = schema.get("items").cloned().unwrap_or(Value::Null);
            json!([sample(&format!("{path}[]"), &item)])
        }
        Some("object") => json!({"sample-key": "sample-value"}),
        _ => json!("sample"),
    }
}

/// Leaf fields under `schema` (objects with properties are walked, arrays of objects too).
fn leaves(path: &str, schema: &Value, out: &mut Vec<(String, Value)>) {
    let (schema, path) = match schema.get("type").and_then(Value::as_str) {
        Some("array") if schema["items"].get("properties").is_some() => {
            (&schema["items"], format!("{path}[]"))
        }
        _ => (schema, path.to_string()),
    };
    match schema.get("properties").and_then(Value::as_object) {
        Some(props) => {
            for (name, field) in props {
                leaves(&format!("{path}.{name}"), field, out);
            }
        }
        None => out.push((path, schema.clone())),
    }
}

/// The spec setting `path` to `value`, with the required siblings on the way filled in.
fn spec_with(root: &Value, path: &str, value: Value) -> Value {
    let segments: Vec<&str> = path.trim_start_matches("spec.").split('.').collect();
    let mut spec = json!({});
    set(
        &mut spec,
        &root["properties"]["spec"],
        "spec",
        &segments,
        value,
    );
    spec
}

fn set(target: &mut Value, schema: &Value, path: &str, segments: &[&str], value: Value) {
    let (first, rest) = (segments[0], &segments[1..]);
    let (name, in_list) = match first.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (first, false),
    };
    let field_schema = &schema["properties"][name];
    let here = format!("{path}.{first}");
    if rest.is_empty() {
        target[name] = value;
        return;
    }
    let inner_schema = if in_list {
        &field_schema["items"]
    } else {
        field_schema
    };
    let mut inner = json!({});
    for required in inner_schema["required"].as_array().into_iter().flatten() {
        let r = required.as_str().unwrap();
        let rpath = format!("{here}.{r}");
        inner[r] = sample(&rpath, &inner_schema["properties"][r]);
    }
    set(&mut inner, inner_schema, &here, rest, value);
    target[name] = if in_list { json!([inner]) } else { inner };
}

fn run(spec: &Value) -> Translation {
    let manifest = format!(
        "{SCENARIO}---\napiVersion: gateway.k8s.aws/v1\nkind: {KIND}\nmetadata: {{name: cfg, namespace: apps}}\nspec: {spec}\n"
    );
    let mut loader = gantry_manifests::Loader::new();
    loader.load_str("scenario.yaml", &manifest);
    let loaded = loader.finish();
    let errors: Vec<String> = loaded.errors().map(|d| d.to_string()).collect();
    assert!(errors.is_empty(), "{spec}: {errors:?}");
    translate(&loaded.snapshot, &Settings::new("fields"))
}

/// The messages of `gateway`'s (every Gateway's, when None) `ConfigurationApplied` condition.
fn not_applied(t: &Translation, gateway: Option<&str>) -> String {
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

/// Whether `messages` name the field at `path`: its own name, or its parent's for a leaf
/// whose name says little alone (`wafV2.webACL`, `shieldConfiguration.enabled`).
fn names(messages: &str, path: &str) -> bool {
    let mut segments = path.rsplit('.').map(|s| s.trim_end_matches("[]"));
    let leaf = segments.next().unwrap_or_default();
    let parent = segments.next().unwrap_or_default();
    messages.contains(leaf) || (parent != "spec" && messages.contains(parent))
}

fn schema_versions() -> Vec<(String, Value)> {
    let crd = gantry_api::crds::crds()
        .into_iter()
        .find(|c| c.spec.names.kind == KIND)
        .expect("the CRD is installed");
    crd.spec
        .versions
        .iter()
        .map(|v| {
            let schema = serde_json::to_value(v.schema.as_ref().unwrap()).unwrap();
            (v.name.clone(), schema["openAPIV3Schema"].clone())
        })
        .collect()
}

#[test]
fn every_load_balancer_configuration_field_changes_the_plan_or_is_reported() {
    let versions = schema_versions();
    assert!(versions.len() >= 2, "v1 and v1beta1 are both served");
    let base = run(&json!({}));
    let base_stacks = serde_json::to_value(&base.stacks).unwrap();
    let mut walked = BTreeSet::new();
    let mut silent = Vec::new();
    let mut table = String::new();
    for (version, root) in &versions {
        let mut fields = Vec::new();
        leaves("spec", &root["properties"]["spec"], &mut fields);
        assert!(fields.len() > 30, "{version}: {} fields", fields.len());
        for (path, schema) in fields {
            if !walked.insert(path.clone()) {
                continue; // the same field of the other version
            }
            let spec = spec_with(root, &path, sample(&path, &schema));
            let t = run(&spec);
            let changed = serde_json::to_value(&t.stacks).unwrap() != base_stacks;
            let reported = names(&not_applied(&t, None), &path);
            if !changed && !reported {
                silent.push(format!("{path} (as {spec})"));
            }
            let state = |gateway: &str| {
                let stack = |t: &Translation| {
                    t.stacks
                        .iter()
                        .find(|s| s.gateway == gateway)
                        .map(|s| serde_json::to_value(s).unwrap())
                };
                if stack(&t) != stack(&base) {
                    "✅ applied"
                } else if names(&not_applied(&t, Some(gateway)), &path) {
                    "not applied, said in status"
                } else {
                    "no effect alone"
                }
            };
            table.push_str(&format!(
                "| `{}` | {} | {} |\n",
                path.trim_start_matches("spec."),
                state("apps/web"),
                state("apps/tcp")
            ));
        }
    }
    assert!(walked.len() > 30);
    check_readme_table(&table);
    assert!(
        silent.is_empty(),
        "these fields change no plan and no Gateway status names them:\n{}",
        silent.join("\n")
    );
}

const START: &str = "<!-- load-balancer-configuration-fields: generated by crates/translate/tests/config_fields.rs -->\n";
const END: &str = "<!-- end of load-balancer-configuration-fields -->";

/// The README's table of LoadBalancerConfiguration fields is this walk's result
/// (`GANTRY_BLESS=1` rewrites it).
fn check_readme_table(rows: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let table = format!(
        "{START}\n| LoadBalancerConfiguration field | ALB | NLB |\n|---|---|---|\n{rows}\n{END}"
    );
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no generated field table ({START})");
    };
    let current = &readme[a..b + END.len()];
    if std::env::var_os("GANTRY_BLESS").is_some() {
        std::fs::write(&path, readme.replace(current, &table)).unwrap();
        return;
    }
    assert!(
        current == table,
        "README.md's LoadBalancerConfiguration field table is stale; GANTRY_BLESS=1 cargo test -p gantry-translate --test config_fields rewrites it"
    );
}
