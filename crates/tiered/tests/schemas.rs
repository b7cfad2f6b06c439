//! The Upbound objects gantry plans, checked against the providers' own CRD schemas
//! (`<repo>/../shared/crds/crossplane-upbound-aws/`, or `$GANTRY_SHARED_DIR/crds/…`): every
//! field gantry writes exists with the right type, required fields (including the
//! providers' "is a required parameter" rules) are present, and the status fields gantry
//! reads exist. The schemas must be present: a missing directory fails the test.

mod support;

use gantry_tiered::{CloudKind, CloudType, Family, TieredSettings, plan};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn crd_dir() -> PathBuf {
    let shared = match std::env::var_os("GANTRY_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("crds/crossplane-upbound-aws")
}

/// (apiVersion, kind) → the version's openAPIV3Schema.
fn schemas() -> BTreeMap<(String, String), Value> {
    let dir = crd_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the Upbound provider CRDs are required at {} ({e}); set GANTRY_SHARED_DIR to the \
             directory holding crds/crossplane-upbound-aws",
            dir.display()
        )
    });
    let mut out = BTreeMap::new();
    for entry in entries.filter_map(Result::ok) {
        let text = std::fs::read_to_string(entry.path()).expect("readable CRD");
        let crd: Value = serde_norway::from_str(&text).expect("CRD YAML");
        let group = crd["spec"]["group"].as_str().expect("group");
        let kind = crd["spec"]["names"]["kind"].as_str().expect("kind");
        for v in crd["spec"]["versions"].as_array().expect("versions") {
            let version = v["name"].as_str().expect("version name");
            out.insert(
                (format!("{group}/{version}"), kind.to_string()),
                v["schema"]["openAPIV3Schema"].clone(),
            );
        }
    }
    out
}

/// Every problem of `value` against `schema`, with its path.
fn validate(value: &Value, schema: &Value, path: &str, problems: &mut Vec<String>) {
    let ty = schema.get("type").and_then(Value::as_str);
    let type_ok = match (ty, value) {
        (None, _) => true,
        (Some("object"), Value::Object(_)) => true,
        (Some("array"), Value::Array(_)) => true,
        (Some("string"), Value::String(_)) => true,
        (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("number"), Value::Number(_)) => true,
        _ => false,
    };
    if !type_ok {
        problems.push(format!(
            "{path}: {value} is not of type {}",
            ty.unwrap_or("?")
        ));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        problems.push(format!("{path}: {value} is not one of {allowed:?}"));
    }
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            let preserve = schema
                .get("x-kubernetes-preserve-unknown-fields")
                .and_then(Value::as_bool)
                == Some(true);
            for (k, v) in map {
                let child = format!("{path}.{k}");
                match (properties.and_then(|p| p.get(k)), additional) {
                    (Some(s), _) => validate(v, s, &child, problems),
                    (None, Some(s)) if s.is_object() => validate(v, s, &child, problems),
                    _ if preserve => {}
                    _ => problems.push(format!("{child}: no such field in the schema")),
                }
            }
            for r in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(r) {
                    problems.push(format!("{path}.{r}: required"));
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(item, s, &format!("{path}[{i}]"), problems);
                }
            }
        }
        _ => {}
    }
}

/// The providers' `spec.forProvider.<field> is a required parameter` rules (CEL, enforced
/// by the API server when the management policies create or update; gantry sets none, so
/// the default `*` applies).
fn required_parameters(schema: &Value) -> Vec<String> {
    schema["properties"]["spec"]["x-kubernetes-validations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["message"].as_str())
        .filter_map(|m| m.strip_prefix("spec.forProvider."))
        .filter_map(|m| m.strip_suffix(" is a required parameter"))
        .map(str::to_string)
        .collect()
}

fn check(object: &Value, schema: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    validate(
        &object["spec"],
        &schema["properties"]["spec"],
        "spec",
        &mut problems,
    );
    for field in required_parameters(schema) {
        if object["spec"]["forProvider"].get(&field).is_none() {
            problems.push(format!("spec.forProvider.{field}: a required parameter"));
        }
    }
    problems
}

fn class(family: Family, extra: &str) -> String {
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {{name: tiered}}
spec:
  controllerName: gateway.k8s.aws/tiered
  parametersRef: {{group: "", kind: ConfigMap, name: tiered-config, namespace: tiered}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: tiered-config, namespace: tiered}}
data:
  region: us-west-2
  vpcID: vpc-1
  providerFamily: {}
  providerConfigName: aws
  certificateARN: arn:aws:acm:us-west-2:1:certificate/c
{extra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: tiered, uid: u-1}}
spec:
  gatewayClassName: tiered
  listeners:
  - {{name: web, port: 80, protocol: HTTP}}
  - {{name: secure, port: 443, protocol: HTTPS, tls: {{certificateRefs: [{{name: cert}}]}}}}
"#,
        family.config_value()
    )
}

/// Every Upbound object the plan writes for a few class configurations of each family.
fn planned(family: Family) -> Vec<Value> {
    let configs = [
        "  subnets: subnet-1, subnet-2",
        // Mappings, the class's own groups, targets' groups, IPv6 clients, an NLB.
        "  subnetMappings: '[{\"subnetID\": \"s-1\", \"allocationID\": \"eip-1\"}]'\n  securityGroups: sg-a\n  targetSecurityGroups: sg-nodes\n  clientCIDRs: 10.0.0.0/8, fd00::/8\n  healthCheckPort: traffic-port",
        "  subnets: subnet-1\n  loadBalancerType: NLB\n  listenerProtocols: HTTP=TCP, HTTPS=TLS",
        // Egress to CIDRs of both families.
        "  subnets: subnet-1\n  targetCIDRs: 10.0.0.0/16, fd00::/8",
    ];
    let mut out = Vec::new();
    for extra in configs {
        let (snapshot, observed) = support::load("schemas", &class(family, extra));
        let plan = plan(&snapshot, &observed, &TieredSettings::new("schemas"));
        assert!(plan.problems.is_empty(), "{extra}: {:?}", plan.problems);
        out.extend(
            plan.objects
                .into_iter()
                .filter(|p| CloudType::from_wire(p.api_version(), p.kind()).is_some())
                .map(|p| p.object),
        );
    }
    out
}

/// The Upbound objects the golden cases plan (tests/golden).
fn golden() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root)
        .expect("tests/golden")
        .filter_map(Result::ok)
    {
        let Ok(text) = std::fs::read_to_string(dir.path().join("input.yaml")) else {
            continue;
        };
        let (snapshot, observed) = support::load("golden", &text);
        let plan = plan(&snapshot, &observed, &TieredSettings::new("golden"));
        out.extend(
            plan.objects
                .into_iter()
                .filter(|p| p.api_version().contains(".upbound.io/"))
                .map(|p| p.object),
        );
    }
    assert!(!out.is_empty(), "the golden cases plan Upbound objects");
    out
}

/// WHICH SCHEMA: a `SecurityGroupEgressRule` is checked against the `SecurityGroupIngressRule`
/// CRD of the same API group. WHY: no egress-rule CRD is among the shared provider CRDs
/// (`../shared/crds/crossplane-upbound-aws/`), and CRD files are not copied into this
/// repository from public ones. The stand-in fits because both kinds are generated from
/// Terraform's `aws_vpc_security_group_{ingress,egress}_rule`, which take the same arguments;
/// [`egress_objects_use_only_the_egress_kinds_fields`] checks the egress objects against the
/// egress kind's own field list and that list against the ingress schema. The real CRD,
/// once in the shared directory, is used instead.
fn stand_in<'s>(
    schemas: &'s BTreeMap<(String, String), Value>,
    key: &(String, String),
) -> Option<&'s Value> {
    (key.1 == "SecurityGroupEgressRule")
        .then(|| schemas.get(&(key.0.clone(), "SecurityGroupIngressRule".to_string())))
        .flatten()
}

#[test]
fn upbound_objects_match_the_providers_schemas() {
    let schemas = schemas();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let objects = [Family::UpboundNamespaced, Family::UpboundCluster]
        .into_iter()
        .flat_map(planned)
        .chain(golden());
    {
        for object in objects {
            let api_version = object["apiVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let kind = object["kind"].as_str().unwrap_or_default().to_string();
            let key = (api_version, kind);
            let Some(schema) = schemas.get(&key).or_else(|| stand_in(&schemas, &key)) else {
                problems.push(format!("{key:?}: no CRD in {}", crd_dir().display()));
                continue;
            };
            *seen.entry(key.clone()).or_default() += 1;
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            problems.extend(
                check(&object, schema)
                    .into_iter()
                    .map(|p| format!("{} {name}: {p}", key.1)),
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every Upbound kind gantry writes was checked.
    for ty in CloudType::all()
        .into_iter()
        .filter(|t| t.family != Family::Contrib)
    {
        let key = (ty.api_version(), ty.kind_name().to_string());
        assert!(seen.contains_key(&key), "{key:?} never planned");
    }
}

#[test]
fn the_validator_catches_what_it_checks() {
    let schemas = schemas();
    let schema = &schemas[&(
        "elbv2.aws.m.upbound.io/v1beta1".to_string(),
        "LBTargetGroup".to_string(),
    )];
    let bad = serde_json::json!({"spec": {"forProvider": {"port": "80", "vpcID": "v"}}});
    let problems = check(&bad, schema);
    let text = problems.join("\n");
    assert!(text.contains("spec.forProvider.port"), "{text}");
    assert!(
        text.contains("spec.forProvider.vpcID: no such field"),
        "{text}"
    );
    assert!(
        text.contains("spec.forProvider.name: a required parameter"),
        "{text}"
    );
}

#[test]
fn the_status_fields_gantry_reads_are_in_the_schemas() {
    let schemas = schemas();
    let reads: &[(CloudKind, &[&str])] = &[
        (CloudKind::LoadBalancer, &["arn", "dnsName"]),
        (CloudKind::TargetGroup, &["arn"]),
        (CloudKind::Listener, &["arn"]),
        (CloudKind::SecurityGroup, &["id"]),
    ];
    for family in [Family::UpboundNamespaced, Family::UpboundCluster] {
        for (kind, fields) in reads {
            let ty = CloudType::new(family, *kind);
            let schema = &schemas[&(ty.api_version(), ty.kind_name().to_string())];
            let at_provider = &schema["properties"]["status"]["properties"]["atProvider"];
            for f in *fields {
                assert!(
                    at_provider["properties"].get(*f).is_some(),
                    "{} status.atProvider.{f}",
                    ty.kind_name()
                );
            }
            let conditions = &schema["properties"]["status"]["properties"]["conditions"];
            assert_eq!(conditions["type"], "array", "{} conditions", ty.kind_name());
        }
    }
}

/// `spec.forProvider` fields of Upbound's `SecurityGroupEgressRule` (`ec2.aws.upbound.io` and
/// `ec2.aws.m.upbound.io`, `v1beta1`), written down here because its CRD is not shared: the
/// arguments of Terraform's `aws_vpc_security_group_egress_rule` (`cidr_ipv4`, `cidr_ipv6`,
/// `description`, `from_port`, `ip_protocol`, `prefix_list_id`,
/// `referenced_security_group_id`, `region`, `security_group_id`, `tags`, `to_port`) in
/// upjet's camelCase, plus the reference fields upjet adds for the two security group IDs
/// (`*Ref`, `*Selector`).
const EGRESS_FOR_PROVIDER: &[&str] = &[
    "cidrIpv4",
    "cidrIpv6",
    "description",
    "fromPort",
    "ipProtocol",
    "prefixListId",
    "referencedSecurityGroupId",
    "referencedSecurityGroupIdRef",
    "referencedSecurityGroupIdSelector",
    "region",
    "securityGroupId",
    "securityGroupIdRef",
    "securityGroupIdSelector",
    "tags",
    "toPort",
];

/// The egress objects gantry plans use only the egress kind's fields (the list above), and
/// the ingress schema they are validated against has every one of them (what makes it a
/// fair stand-in: see [`stand_in`]).
#[test]
fn egress_objects_use_only_the_egress_kinds_fields() {
    let schemas = schemas();
    let mut checked = 0;
    for family in [Family::UpboundNamespaced, Family::UpboundCluster] {
        let ty = CloudType::new(family, CloudKind::SecurityGroupIngressRule);
        let ingress = &schemas[&(ty.api_version(), ty.kind_name().to_string())];
        let ingress_fields =
            &ingress["properties"]["spec"]["properties"]["forProvider"]["properties"];
        for f in EGRESS_FOR_PROVIDER {
            assert!(
                ingress_fields.get(*f).is_some(),
                "{}: the ingress schema lacks the egress field {f}",
                ty.api_version()
            );
        }
        for object in planned(family)
            .into_iter()
            .filter(|o| o["kind"] == "SecurityGroupEgressRule")
        {
            let fields = object["spec"]["forProvider"]
                .as_object()
                .expect("forProvider");
            for k in fields.keys() {
                assert!(
                    EGRESS_FOR_PROVIDER.contains(&k.as_str()),
                    "{}: {k} is not a field of SecurityGroupEgressRule",
                    object["metadata"]["name"]
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "egress rules were planned");
}
