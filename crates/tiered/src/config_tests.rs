//! Tests of the class configuration parser.
use super::*;

fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn minimal() -> Vec<(&'static str, &'static str)> {
    vec![("subnets", "subnet-1, subnet-2"), ("vpcID", "vpc-1")]
}

/// The configuration, or its error's message (what the class's status says).
fn parse_pairs(pairs: &[(&str, &str)]) -> Result<ClassConfig, String> {
    parse(ObjectKey::new("ns", "cfg"), &data(pairs), Some("eu-west-1")).map_err(|e| e.to_string())
}

#[test]
fn minimal_configuration_gets_the_documented_defaults() {
    let c = parse_pairs(&minimal()).expect("valid");
    assert_eq!(c.in_cluster_class, "istio");
    assert_eq!(c.suffix, "-istio");
    assert_eq!(c.region, "eu-west-1");
    assert_eq!(c.scheme, "internal");
    assert_eq!(c.lb_type, LbType::Alb);
    assert_eq!(c.protocols, data(&[("HTTP", "HTTP"), ("HTTPS", "HTTPS")]));
    assert_eq!(c.health_check_port, "15021");
    assert_eq!(c.health_check_path, "/healthz/ready");
    assert_eq!(
        c.family,
        Family::UpboundNamespaced,
        "new classes get Upbound's namespaced kinds"
    );
    assert_eq!(
        c.client_cidrs,
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
        "an internal load balancer admits private addresses"
    );
    assert!(c.target_security_groups.is_empty());
    assert_eq!(
        c.subnet_mappings
            .iter()
            .map(|m| m.subnet_id.as_str())
            .collect::<Vec<_>>(),
        ["subnet-1", "subnet-2"]
    );
    assert_eq!(
        c.shadow_annotations.get("gateway.istio.io/name-override"),
        Some(&"{name}".to_string())
    );
}

#[test]
fn every_key_is_read() {
    let mut pairs = vec![
        ("inClusterImplementation", "envoy-gateway"),
        ("inClusterGatewayClassName", "envoy"),
        ("shadowServiceSelector", "app=gw-{name}"),
        ("shadowServiceNamespace", "gateways"),
        ("shadowNameSuffix", "-inner"),
        ("shadowGatewayAnnotations", "a=1\nb = 2"),
        ("region", "us-east-1"),
        ("vpcID", "vpc-9"),
        (
            "subnetMappings",
            r#"[{"subnetID": "s-1", "allocationID": "eip-1"}]"#,
        ),
        ("securityGroups", "sg-1,sg-2"),
        ("scheme", "internet-facing"),
        ("loadBalancerType", "nlb"),
        ("listenerProtocols", "TCP=TCP_UDP, HTTP=TCP"),
        ("certificateARN", "arn:aws:acm:cert"),
        ("healthCheckPort", "traffic-port"),
        ("healthCheckPath", "/ready"),
        ("tags", "team=foo,env=prod"),
        ("providerConfigName", "aws"),
        ("providerFamily", "upbound-cluster"),
        ("clientCIDRs", "10.1.0.0/16, fd00::/8"),
        ("targetSecurityGroups", "sg-w1,sg-w2"),
        ("targetCIDRs", "10.2.0.0/16"),
    ];
    // subnets excludes subnetMappings; the other tests cover it.
    assert_eq!(pairs.len() + 1, KEYS.len(), "a test row per documented key");
    let c = parse_pairs(&pairs).expect("valid");
    assert_eq!(c.in_cluster_class, "envoy");
    assert_eq!(c.shadow_service.selector, data(&[("app", "gw-{name}")]));
    assert_eq!(c.shadow_service.namespace, "gateways");
    assert!(!c.shadow_service.by_name);
    assert_eq!(c.suffix, "-inner");
    assert_eq!(c.shadow_annotations, data(&[("a", "1"), ("b", "2")]));
    assert_eq!(c.region, "us-east-1");
    assert_eq!(c.subnet_mappings[0].allocation_id.as_deref(), Some("eip-1"));
    assert_eq!(c.security_groups, ["sg-1", "sg-2"]);
    assert_eq!(c.lb_type, LbType::Nlb);
    assert_eq!(c.protocols, data(&[("TCP", "TCP_UDP"), ("HTTP", "TCP")]));
    assert_eq!(c.tags, data(&[("team", "foo"), ("env", "prod")]));
    assert_eq!(c.provider_config.as_deref(), Some("aws"));
    assert_eq!(c.family, Family::UpboundCluster);
    assert_eq!(c.client_cidrs, ["10.1.0.0/16", "fd00::/8"]);
    assert_eq!(c.target_security_groups, ["sg-w1", "sg-w2"]);
    assert_eq!(c.target_cidrs, ["10.2.0.0/16"]);
    // An empty annotation map turns the defaults off (Istio's, which has some).
    for row in pairs.iter_mut() {
        match row.0 {
            "shadowGatewayAnnotations" => row.1 = "",
            "inClusterImplementation" => row.1 = "istio",
            _ => {}
        }
    }
    assert!(
        parse_pairs(&pairs)
            .expect("valid")
            .shadow_annotations
            .is_empty()
    );
}

#[test]
fn invalid_values_name_the_key() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("vpcID", "vpc-1")],
            "subnets (or subnetMappings) is required",
        ),
        (&[("subnets", "s-1")], "vpcID is required"),
        (
            &[("subnets", " , "), ("vpcID", "v")],
            "subnets lists no subnet",
        ),
        (
            &[("subnets", "s"), ("subnetMappings", "[]"), ("vpcID", "v")],
            "either subnets or subnetMappings",
        ),
        (
            &[("subnetMappings", r#"[{"subnet": "s"}]"#), ("vpcID", "v")],
            "subnetMappings is not a JSON list",
        ),
        (&[("subnet", "s-1")], "unknown key subnet"),
    ];
    for (pairs, want) in cases {
        let err = parse_pairs(pairs).expect_err("invalid");
        assert!(err.contains(want), "{pairs:?}: {err}");
    }
    let with = |k: &'static str, v: &'static str| {
        let mut p = minimal();
        p.push((k, v));
        parse_pairs(&p).expect_err("invalid")
    };
    assert!(with("scheme", "public").contains("scheme must be"));
    assert!(with("loadBalancerType", "GLB").contains("ALB or NLB"));
    assert!(with("listenerProtocols", "HTTP=TCP").contains("application load balancers serve"));
    assert!(with("listenerProtocols", "GRPC=HTTP").contains("not a Gateway listener protocol"));
    assert!(with("listenerProtocols", "HTTP").contains("not key=value"));
    assert!(with("tags", "a=1,a=2").contains("a is given twice"));
    assert!(with("healthCheckPort", "0").contains("healthCheckPort"));
    assert!(with("shadowNameSuffix", "_X").contains("shadowNameSuffix"));
    assert!(with("providerFamily", "upbound").contains("providerFamily must be one of"));
    assert!(with("clientCIDRs", "10.0.0.0").contains("not a CIDR block"));
    assert!(with("targetCIDRs", "pods").contains("targetCIDRs: pods is not a CIDR block"));
    let mut contrib = minimal();
    contrib.extend([
        ("providerFamily", "crossplane-contrib"),
        ("clientCIDRs", "10.0.0.0/8"),
    ]);
    assert!(
        parse_pairs(&contrib)
            .expect_err("invalid")
            .contains("needs an Upbound providerFamily")
    );
}

#[test]
fn internet_facing_load_balancers_admit_everyone_by_default() {
    let mut pairs = minimal();
    pairs.push(("scheme", "internet-facing"));
    assert_eq!(
        parse_pairs(&pairs).expect("valid").client_cidrs,
        ["0.0.0.0/0"]
    );
}

#[test]
fn each_in_cluster_implementation_has_its_service_conventions() {
    let with = |implementation: &'static str| {
        let mut p = minimal();
        p.push(("inClusterImplementation", implementation));
        parse_pairs(&p)
    };
    let istio = parse_pairs(&minimal()).expect("valid").shadow_service;
    assert_eq!(
        istio.selector,
        data(&[("gateway.networking.k8s.io/gateway-name", "{name}")])
    );
    assert_eq!(
        (istio.namespace.as_str(), istio.by_name),
        ("{namespace}", true)
    );
    let envoy = with("envoy-gateway").expect("valid");
    assert_eq!(envoy.shadow_service.namespace, "envoy-gateway-system");
    assert_eq!(
        envoy
            .shadow_service
            .selector
            .get("gateway.envoyproxy.io/owning-gateway-namespace"),
        Some(&"{namespace}".to_string())
    );
    assert_eq!(envoy.suffix, "-envoy");
    assert!(
        envoy.shadow_annotations.is_empty(),
        "Istio's annotations are Istio's"
    );
    let other = with("other").expect_err("a selector is required");
    assert!(
        other.contains("shadowServiceSelector is required"),
        "{other}"
    );
    assert!(
        with("nginx")
            .expect_err("unknown")
            .contains("inClusterImplementation must be")
    );
}

#[test]
fn region_comes_from_the_settings_when_the_config_has_none() {
    let err = parse(ObjectKey::new("ns", "cfg"), &data(&minimal()), None)
        .expect_err("no region")
        .to_string();
    assert!(err.contains("region is required"), "{err}");
}
