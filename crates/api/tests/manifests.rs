//! Manifests as users write them load into the Rust types with every field where translation
//! expects it, and serialize back unchanged: a field the types miss (a wrong rename, a missing
//! field) would be dropped silently by serde, and shows up here as a round-trip difference.

use gantry_api::crds::*;
use gantry_api::k8s::IntOrString;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const LOAD_BALANCER_CONFIGURATION: &str =
    include_str!("fixtures/manifests/load_balancer_configuration.yaml");
const TARGET_GROUP_CONFIGURATION: &str =
    include_str!("fixtures/manifests/target_group_configuration.yaml");
const LISTENER_RULE_CONFIGURATION: &str =
    include_str!("fixtures/manifests/listener_rule_configuration.yaml");
const TARGET_GROUP_BINDING: &str = include_str!("fixtures/manifests/target_group_binding.yaml");
const TARGET_GROUP_BINDING_FULL: &str =
    include_str!("fixtures/manifests/target_group_binding_full.yaml");

/// Parses `yaml` into `K`, checks it serializes back to the same document, and returns it.
fn round_trip<K: Serialize + DeserializeOwned>(yaml: &str) -> K {
    let original: Value = serde_norway::from_str(yaml).expect("manifest is YAML");
    let object: K = serde_norway::from_str(yaml).expect("manifest fits the Rust type");
    let written = serde_json::to_value(&object).expect("object serializes");
    assert_eq!(written, original, "round trip changed the manifest");
    object
}

#[test]
fn load_balancer_configuration_with_listener_configurations_round_trips() {
    let lbc: LoadBalancerConfiguration = round_trip(LOAD_BALANCER_CONFIGURATION);
    let spec = &lbc.spec;
    assert_eq!(spec.merging_mode, Some(MergingMode::PreferGateway));
    assert_eq!(spec.scheme, Some(Scheme::InternetFacing));
    assert_eq!(spec.ip_address_type, Some(IpAddressType::Dualstack));
    assert_eq!(
        spec.ipv4_ipam_pool_id.as_deref(),
        Some("ipam-pool-0123456789abcdef0")
    );
    assert_eq!(spec.enable_icmp, Some(true));
    // An explicitly empty list is kept apart from an absent one.
    assert_eq!(spec.security_groups, Some(vec![]));
    assert_eq!(spec.security_group_prefixes, None);

    let subnets = spec.load_balancer_subnets.as_deref().expect("subnets");
    assert_eq!(
        subnets[0].private_ipv4_allocation.as_deref(),
        Some("10.0.1.10")
    );
    assert_eq!(
        subnets[0].source_nat_ipv6_prefix.as_deref(),
        Some("auto_assigned")
    );
    assert_eq!(subnets[1].identifier.as_deref(), Some("public-b"));

    let listeners = spec.listener_configurations.as_deref().expect("listeners");
    assert_eq!(listeners.len(), 3);
    assert_eq!(listeners[0].protocol_port, "HTTPS:443");
    let mtls = listeners[0].mutual_authentication.as_ref().expect("mTLS");
    assert_eq!(mtls.mode, MutualAuthenticationMode::Verify);
    assert_eq!(
        mtls.advertise_trust_store_ca_names,
        Some(AdvertiseTrustStoreCaNames::On)
    );
    assert_eq!(
        listeners[0].listener_attributes.as_deref(),
        Some(
            &[Attribute {
                key: "routing.http.response.server.enabled".into(),
                value: "false".into(),
            }][..]
        )
    );
    assert_eq!(listeners[1].alpn_policy, Some(AlpnPolicy::Http2Preferred));
    assert_eq!(listeners[2].quic_enabled, Some(false));

    assert_eq!(
        spec.waf_v2.as_ref().map(|w| w.web_acl.as_str()),
        Some("arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/x/1")
    );
    assert_eq!(
        spec.minimum_load_balancer_capacity,
        Some(MinimumLoadBalancerCapacity {
            capacity_units: 100
        })
    );
    assert_eq!(
        spec.default_target_group_configuration
            .as_ref()
            .map(|d| d.name.as_str()),
        Some("defaults")
    );
}

#[test]
fn target_group_configuration_with_route_configurations_round_trips() {
    let tgc: TargetGroupConfiguration = round_trip(TARGET_GROUP_CONFIGURATION);
    let spec = &tgc.spec;
    let target = spec.target_reference.as_ref().expect("targetReference");
    assert_eq!(
        (target.kind.as_deref(), target.name.as_str()),
        (None, "echo")
    );

    let defaults = spec
        .default_configuration
        .as_ref()
        .expect("defaultConfiguration");
    assert_eq!(defaults.target_type, Some(TargetType::Ip));
    assert_eq!(defaults.protocol, Some(Protocol::Http));
    let health = defaults
        .health_check_config
        .as_ref()
        .expect("healthCheckConfig");
    assert_eq!(health.health_check_port.as_deref(), Some("traffic-port"));
    assert_eq!(
        health.health_check_protocol,
        Some(HealthCheckProtocol::Http)
    );
    assert_eq!(health.healthy_threshold_count, Some(2));
    assert_eq!(
        health.matcher.as_ref().and_then(|m| m.http_code.as_deref()),
        Some("200-299")
    );

    let routes = spec
        .route_configurations
        .as_deref()
        .expect("routeConfigurations");
    assert_eq!(
        routes[0].route_identifier,
        RouteIdentifier {
            kind: Some("GRPCRoute".into()),
            namespace: Some("apps".into()),
            name: Some("echo-grpc".into()),
        }
    );
    assert_eq!(
        routes[0].target_group_props.protocol_version,
        Some(ProtocolVersion::Grpc)
    );
    assert_eq!(routes[1].route_identifier.namespace, None);
    let props = &routes[1].target_group_props;
    assert_eq!(props.target_control_port, Some(3000));
    let selector = props.node_selector.as_ref().expect("nodeSelector");
    assert_eq!(selector.match_expressions.as_ref().map(Vec::len), Some(1));
}

#[test]
fn listener_rule_configuration_with_source_ip_and_fixed_response_round_trips() {
    let lrc: ListenerRuleConfiguration = round_trip(LISTENER_RULE_CONFIGURATION);
    let spec = &lrc.spec;
    let condition = &spec.conditions.as_deref().expect("conditions")[0];
    assert_eq!(condition.field, ConditionField::SourceIp);
    assert_eq!(
        condition
            .source_ip_config
            .as_ref()
            .map(|c| c.values.as_slice()),
        Some(&["192.0.2.0/24".to_owned(), "2001:db8::/32".to_owned()][..])
    );
    assert_eq!(condition.match_indexes, Some(vec![0, 2]));

    let actions = spec.actions.as_deref().expect("actions");
    assert_eq!(actions[0].type_, ActionType::FixedResponse);
    let fixed = actions[0]
        .fixed_response_config
        .as_ref()
        .expect("fixedResponseConfig");
    assert_eq!(fixed.status_code, 403);
    assert_eq!(
        fixed.content_type,
        Some(FixedResponseContentType::ApplicationJson)
    );
    assert_eq!(actions[1].type_, ActionType::AuthenticateOidc);
    assert!(actions[1].type_.is_pre_routing());
    let oidc = actions[1]
        .authenticate_oidc_config
        .as_ref()
        .expect("authenticateOIDCConfig");
    assert_eq!(oidc.secret.name, "oidc-client");
    assert_eq!(
        oidc.session.on_unauthenticated_request,
        Some(OnUnauthenticatedRequest::Deny)
    );
    assert_eq!(oidc.session.session_timeout, Some(3600));

    assert_eq!(
        lrc.status,
        Some(ListenerRuleConfigurationStatus {
            accepted: Some(true),
            message: Some("Accepted".into()),
            observed_generation: Some(3),
        })
    );
}

#[test]
fn target_group_binding_from_the_seed_round_trips() {
    let tgb: TargetGroupBinding = round_trip(TARGET_GROUP_BINDING);
    assert_eq!(tgb.spec.target_type, Some(TargetType::Ip));
    assert_eq!(tgb.spec.service_ref.name, "foo-gateway-istio");
    assert_eq!(tgb.spec.service_ref.port, IntOrString::Int(80));
    assert!(
        tgb.spec
            .target_group_arn
            .as_deref()
            .is_some_and(|arn| arn.starts_with("arn:aws:"))
    );
}

#[test]
fn target_group_binding_with_every_field_round_trips() {
    let tgb: TargetGroupBinding = round_trip(TARGET_GROUP_BINDING_FULL);
    let spec = &tgb.spec;
    assert_eq!(spec.target_group_arn, None);
    assert_eq!(spec.service_ref.port, IntOrString::String("http".into()));
    assert_eq!(spec.vpc_id.as_deref(), Some("vpc-0123456789abcdef0"));
    assert_eq!(
        spec.target_group_protocol,
        Some(TargetGroupProtocol::TcpQuic)
    );
    let rule = &spec
        .networking
        .as_ref()
        .and_then(|n| n.ingress.as_deref())
        .expect("ingress")[0];
    assert_eq!(
        rule.from[0]
            .security_group
            .as_ref()
            .map(|g| g.group_id.as_str()),
        Some("sg-0123456789abcdef0")
    );
    assert_eq!(
        rule.from[1].ip_block.as_ref().map(|b| b.cidr.as_str()),
        Some("10.0.0.0/16")
    );
    assert_eq!(rule.ports[0].protocol, Some(NetworkingProtocol::Tcp));
    assert_eq!(
        rule.ports[1].port,
        Some(IntOrString::String("metrics".into()))
    );
    assert_eq!(tgb.status.and_then(|s| s.observed_generation), Some(7));
}

/// The API server serves v1beta1 objects with the v1 schema; gantry reads them with the v1 types.
#[test]
fn v1beta1_manifests_load_into_the_v1_types() {
    let yaml =
        TARGET_GROUP_CONFIGURATION.replace("gateway.k8s.aws/v1\n", "gateway.k8s.aws/v1beta1\n");
    assert!(yaml.contains("gateway.k8s.aws/v1beta1"));
    let tgc: TargetGroupConfiguration = serde_norway::from_str(&yaml).expect("v1beta1 loads");
    let v1: TargetGroupConfiguration =
        serde_norway::from_str(TARGET_GROUP_CONFIGURATION).expect("v1");
    assert_eq!(tgc, v1);
}

#[test]
fn explicit_null_reads_as_unset() {
    let lbc: LoadBalancerConfiguration = serde_norway::from_str(
        "apiVersion: gateway.k8s.aws/v1\nkind: LoadBalancerConfiguration\nmetadata: {name: x}\nspec:\n  scheme: null\n  tags: null\n",
    )
    .expect("nulls load");
    assert_eq!(lbc.spec, LoadBalancerConfigurationSpec::default());
}

#[test]
fn enum_wire_values_round_trip_through_as_str() {
    fn check<E: Copy + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned>(
        all: &[E],
        as_str: fn(E) -> &'static str,
    ) {
        for &value in all {
            assert_eq!(
                serde_json::to_value(value).expect("serializes"),
                as_str(value)
            );
            let back: E = serde_json::from_value(Value::from(as_str(value))).expect("parses");
            assert_eq!(back, value);
        }
    }
    check(MergingMode::ALL, MergingMode::as_str);
    check(Scheme::ALL, Scheme::as_str);
    check(IpAddressType::ALL, IpAddressType::as_str);
    check(AlpnPolicy::ALL, AlpnPolicy::as_str);
    check(
        MutualAuthenticationMode::ALL,
        MutualAuthenticationMode::as_str,
    );
    check(
        AdvertiseTrustStoreCaNames::ALL,
        AdvertiseTrustStoreCaNames::as_str,
    );
    check(
        TargetGroupIpAddressType::ALL,
        TargetGroupIpAddressType::as_str,
    );
    check(TargetType::ALL, TargetType::as_str);
    check(Protocol::ALL, Protocol::as_str);
    check(ProtocolVersion::ALL, ProtocolVersion::as_str);
    check(HealthCheckProtocol::ALL, HealthCheckProtocol::as_str);
    check(ActionType::ALL, ActionType::as_str);
    check(
        FixedResponseContentType::ALL,
        FixedResponseContentType::as_str,
    );
    check(
        OnUnauthenticatedRequest::ALL,
        OnUnauthenticatedRequest::as_str,
    );
    check(ClaimFormat::ALL, ClaimFormat::as_str);
    check(ConditionField::ALL, ConditionField::as_str);
    check(NetworkingProtocol::ALL, NetworkingProtocol::as_str);
    check(TargetGroupProtocol::ALL, TargetGroupProtocol::as_str);
    assert_eq!(Scheme::InternetFacing.to_string(), "internet-facing");
}
