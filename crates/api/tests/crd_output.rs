//! `crd_yaml()` is what `gantry crds` prints for `kubectl apply`: it must parse as
//! `apiextensions.k8s.io/v1` CRDs with the groups, versions and flags clients rely on.

use gantry_api::crds::{crd_yaml, crds};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionVersion,
};
use serde::Deserialize;

fn parsed() -> Vec<CustomResourceDefinition> {
    serde_norway::Deserializer::from_str(&crd_yaml())
        .map(|doc| {
            let value = serde_json::Value::deserialize(doc).expect("each document is YAML");
            assert_eq!(value["apiVersion"], "apiextensions.k8s.io/v1");
            assert_eq!(value["kind"], "CustomResourceDefinition");
            serde_json::from_value(value).expect("each document is a CustomResourceDefinition")
        })
        .collect()
}

fn find<'a>(crds: &'a [CustomResourceDefinition], name: &str) -> &'a CustomResourceDefinition {
    crds.iter()
        .find(|crd| crd.metadata.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn version<'a>(
    crd: &'a CustomResourceDefinition,
    name: &str,
) -> &'a CustomResourceDefinitionVersion {
    crd.spec
        .versions
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn printer_columns(version: &CustomResourceDefinitionVersion) -> Vec<(&str, &str, &str)> {
    version
        .additional_printer_columns
        .iter()
        .flatten()
        .map(|c| (c.name.as_str(), c.type_.as_str(), c.json_path.as_str()))
        .collect()
}

#[test]
fn yaml_holds_the_four_crds_and_nothing_else() {
    let names: Vec<_> = parsed()
        .into_iter()
        .map(|crd| crd.metadata.name.expect("named"))
        .collect();
    assert_eq!(
        names,
        [
            "loadbalancerconfigurations.gateway.k8s.aws",
            "targetgroupconfigurations.gateway.k8s.aws",
            "listenerruleconfigurations.gateway.k8s.aws",
            "targetgroupbindings.elbv2.k8s.aws",
        ]
    );
}

#[test]
fn yaml_parses_back_to_exactly_crds() {
    assert_eq!(parsed(), crds());
}

#[test]
fn yaml_is_deterministic() {
    assert_eq!(crd_yaml(), crd_yaml());
}

#[test]
fn gateway_kinds_store_v1_and_serve_a_deprecated_v1beta1_with_the_same_schema() {
    let crds = parsed();
    for kind in [
        "LoadBalancerConfiguration",
        "TargetGroupConfiguration",
        "ListenerRuleConfiguration",
    ] {
        let plural = format!("{}s", kind.to_ascii_lowercase());
        let crd = find(&crds, &format!("{plural}.gateway.k8s.aws"));
        assert_eq!(crd.spec.group, "gateway.k8s.aws");
        assert_eq!(crd.spec.scope, "Namespaced");
        assert_eq!(crd.spec.names.kind, kind);
        assert_eq!(crd.spec.names.plural, plural);
        assert_eq!(
            crd.spec.names.list_kind.as_deref(),
            Some(&*format!("{kind}List"))
        );
        assert_eq!(crd.spec.names.short_names, None);

        let names: Vec<_> = crd.spec.versions.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["v1", "v1beta1"], "{kind}");

        let v1 = version(crd, "v1");
        assert!(v1.served && v1.storage, "{kind} v1 is served and stored");
        assert_eq!(v1.deprecated, None);

        let v1beta1 = version(crd, "v1beta1");
        assert!(
            v1beta1.served && !v1beta1.storage,
            "{kind} v1beta1 is served only"
        );
        assert_eq!(v1beta1.deprecated, Some(true));
        assert_eq!(
            v1beta1.deprecation_warning.as_deref(),
            Some(&*format!(
                "gateway.k8s.aws/v1beta1 {kind} is deprecated; use gateway.k8s.aws/v1 instead"
            ))
        );
        assert_eq!(
            v1beta1.schema, v1.schema,
            "{kind}: versions share one schema"
        );
        assert_eq!(printer_columns(v1beta1), printer_columns(v1));

        for v in [v1, v1beta1] {
            let status = v.subresources.as_ref().and_then(|s| s.status.as_ref());
            assert!(
                status.is_some(),
                "{kind} {} has a status subresource",
                v.name
            );
        }
    }
}

#[test]
fn printer_columns_match_the_reference_kinds() {
    let crds = parsed();
    let age = ("AGE", "date", ".metadata.creationTimestamp");
    let lbc = find(&crds, "loadbalancerconfigurations.gateway.k8s.aws");
    assert_eq!(printer_columns(version(lbc, "v1")), [age]);
    let tgc = find(&crds, "targetgroupconfigurations.gateway.k8s.aws");
    assert_eq!(
        printer_columns(version(tgc, "v1")),
        [
            ("SERVICE-NAME", "string", ".spec.targetReference.name"),
            age
        ]
    );
    let lrc = find(&crds, "listenerruleconfigurations.gateway.k8s.aws");
    assert_eq!(printer_columns(version(lrc, "v1")), [age]);
}

#[test]
fn target_group_binding_is_elbv2_v1beta1_with_status() {
    let crds = parsed();
    let tgb = find(&crds, "targetgroupbindings.elbv2.k8s.aws");
    assert_eq!(tgb.spec.group, "elbv2.k8s.aws");
    assert_eq!(tgb.spec.scope, "Namespaced");
    assert_eq!(tgb.spec.names.kind, "TargetGroupBinding");
    assert_eq!(tgb.spec.versions.len(), 1);
    let v1beta1 = version(tgb, "v1beta1");
    assert!(v1beta1.served && v1beta1.storage);
    assert!(
        v1beta1
            .subresources
            .as_ref()
            .and_then(|s| s.status.as_ref())
            .is_some()
    );
    assert_eq!(
        printer_columns(v1beta1),
        [
            ("SERVICE-NAME", "string", ".spec.serviceRef.name"),
            ("SERVICE-PORT", "string", ".spec.serviceRef.port"),
            ("TARGET-TYPE", "string", ".spec.targetType"),
            ("ARN", "string", ".spec.targetGroupARN"),
            ("NAME", "string", ".spec.targetGroupName"),
            ("AGE", "date", ".metadata.creationTimestamp"),
        ]
    );

    let schema = v1beta1
        .schema
        .as_ref()
        .and_then(|s| s.open_api_v3_schema.as_ref())
        .expect("schema");
    let spec = &schema.properties.as_ref().expect("root properties")["spec"];
    let fields: Vec<_> = spec
        .properties
        .as_ref()
        .expect("spec properties")
        .keys()
        .collect();
    assert_eq!(
        fields,
        [
            "assumeRoleExternalId",
            "iamRoleArnToAssume",
            "ipAddressType",
            "multiClusterTargetGroup",
            "networking",
            "nodeSelector",
            "serviceRef",
            "targetGroupARN",
            "targetGroupName",
            "targetGroupProtocol",
            "targetType",
            "vpcID",
        ]
    );
    assert_eq!(
        spec.required.as_deref(),
        Some(&["serviceRef".to_owned()][..])
    );
    let service_ref = &spec.properties.as_ref().expect("spec properties")["serviceRef"];
    assert_eq!(
        service_ref.required.as_deref(),
        Some(&["name".to_owned(), "port".to_owned()][..])
    );
}

/// Guards against YAML 1.1 readers (kubectl, the API server) turning the `on`/`off` enum of
/// `advertiseTrustStoreCaNames` into booleans.
#[test]
fn on_and_off_enum_values_are_quoted() {
    let yaml = crd_yaml();
    assert!(yaml.contains("- \"on\"\n"));
    assert!(yaml.contains("- \"off\"\n"));
    for line in yaml.lines() {
        let value = line.trim_start().trim_start_matches("- ");
        let value = value.rsplit(": ").next().unwrap_or(value);
        assert!(
            !matches!(value, "on" | "off" | "yes" | "no" | "y" | "n"),
            "unquoted YAML 1.1 boolean in {line:?}"
        );
    }
}
