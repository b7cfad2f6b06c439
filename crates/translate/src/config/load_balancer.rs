//! Resolving and merging the LoadBalancerConfigurations of a GatewayClass and a Gateway.

use gantry_api::crds::{
    Attribute, ListenerConfiguration, LoadBalancerConfigurationSpec, MergingMode,
};
use gantry_api::gateway::{Gateway, GatewayClass};
use gantry_api::wire::GATEWAY_AWS_GROUP;
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeMap;

const KIND: &str = "LoadBalancerConfiguration";

/// A LoadBalancerConfiguration found for a class or Gateway, with where it lives (default
/// TargetGroupConfigurations are looked up in that namespace).
#[derive(Clone, Debug)]
pub struct Found<'s> {
    pub key: ObjectKey,
    pub spec: &'s LoadBalancerConfigurationSpec,
}

/// The class's configuration: `Ok(None)` without parametersRef, `Err(message)` when the
/// reference is unusable (the class is then not Accepted).
pub fn for_class<'s>(
    snapshot: &'s Snapshot,
    class: &GatewayClass,
) -> Result<Option<Found<'s>>, String> {
    let Some(r) = &class.spec.parameters_ref else {
        return Ok(None);
    };
    names_a_configuration("parametersRef", &r.group, &r.kind)?;
    let Some(namespace) = r.namespace.as_deref().filter(|n| !n.is_empty()) else {
        return Err(format!(
            "Namespace must be specified in ParametersRef for {KIND}"
        ));
    };
    found(snapshot, ObjectKey::new(namespace, r.name.clone()))
}

/// The Gateway's own configuration (`spec.infrastructure.parametersRef`, in its namespace).
pub fn for_gateway<'s>(
    snapshot: &'s Snapshot,
    gateway: &Gateway,
) -> Result<Option<Found<'s>>, String> {
    let Some(r) = gateway
        .spec
        .infrastructure
        .as_ref()
        .and_then(|i| i.parameters_ref.as_ref())
    else {
        return Ok(None);
    };
    names_a_configuration("infrastructure.parametersRef", &r.group, &r.kind)?;
    let namespace = gateway.metadata.namespace.clone().unwrap_or_default();
    found(snapshot, ObjectKey::new(namespace, r.name.clone()))
}

/// An error unless the reference `field` names a LoadBalancerConfiguration (by group and kind).
fn names_a_configuration(field: &str, group: &str, kind: &str) -> Result<(), String> {
    if group != GATEWAY_AWS_GROUP || kind != KIND {
        return Err(format!(
            "{field} must name a {GATEWAY_AWS_GROUP} {KIND}, not {group}/{kind}"
        ));
    }
    Ok(())
}

/// The configuration `key` a reference names; an error when there is none.
fn found(snapshot: &Snapshot, key: ObjectKey) -> Result<Option<Found<'_>>, String> {
    match snapshot.load_balancer_configurations.get(&key) {
        Some(lbc) => Ok(Some(Found {
            key,
            spec: &lbc.spec,
        })),
        None => Err(format!("{KIND} {key} not found")),
    }
}

/// Which side wins a merge, by the class configuration's `mergingMode`.
pub fn class_wins(class: &LoadBalancerConfigurationSpec) -> bool {
    !matches!(class.merging_mode, Some(MergingMode::PreferGateway))
}

/// The effective configuration of a Gateway: class and Gateway configurations merged.
///
/// Scalars and lists are take-one (the winner's value when set); `tags`, attributes and
/// listener configurations are unions keyed by key / `protocolPort` where the winner's entry
/// wins. Unlike the AWS Load Balancer Controller, `minimumLoadBalancerCapacity` is take-one
/// too instead of being dropped when both sides exist.
pub fn merge(
    class: Option<&LoadBalancerConfigurationSpec>,
    gateway: Option<&LoadBalancerConfigurationSpec>,
) -> LoadBalancerConfigurationSpec {
    let (high, low) = if class.is_some_and(|c| !class_wins(c)) {
        (gateway, class)
    } else {
        (class, gateway)
    };
    // With one side only, that side is the merge.
    let Some((high, low)) = high.zip(low) else {
        return high.or(low).cloned().unwrap_or_default();
    };
    macro_rules! take {
        ($field:ident) => {
            high.$field.clone().or_else(|| low.$field.clone())
        };
    }
    let mut tags: BTreeMap<String, String> = low.tags.clone().unwrap_or_default();
    tags.extend(high.tags.clone().unwrap_or_default());
    let listener_configurations = union_by_key(
        &high.listener_configurations,
        &low.listener_configurations,
        |l| &l.protocol_port,
    );
    let attributes = merge_attributes(
        &high.load_balancer_attributes,
        &low.load_balancer_attributes,
    );
    LoadBalancerConfigurationSpec {
        merging_mode: None,
        load_balancer_name: take!(load_balancer_name),
        scheme: take!(scheme),
        ip_address_type: take!(ip_address_type),
        enforce_security_group_inbound_rules_on_private_link_traffic: take!(
            enforce_security_group_inbound_rules_on_private_link_traffic
        ),
        customer_owned_ipv4_pool: take!(customer_owned_ipv4_pool),
        ipv4_ipam_pool_id: take!(ipv4_ipam_pool_id),
        load_balancer_subnets: take!(load_balancer_subnets),
        load_balancer_subnets_selector: take!(load_balancer_subnets_selector),
        listener_configurations: Some(listener_configurations),
        disable_security_group: take!(disable_security_group),
        security_groups: take!(security_groups),
        security_group_prefixes: take!(security_group_prefixes),
        source_ranges: take!(source_ranges),
        load_balancer_attributes: Some(attributes),
        tags: Some(tags),
        enable_icmp: take!(enable_icmp),
        manage_backend_security_group_rules: take!(manage_backend_security_group_rules),
        minimum_load_balancer_capacity: take!(minimum_load_balancer_capacity),
        waf_v2: take!(waf_v2),
        shield_configuration: take!(shield_configuration),
        default_target_group_configuration: take!(default_target_group_configuration),
    }
}

/// Union of attributes by key, `high` winning; sorted by key.
pub fn merge_attributes(
    high: &Option<Vec<Attribute>>,
    low: &Option<Vec<Attribute>>,
) -> Vec<Attribute> {
    union_by_key(high, low, |a| &a.key)
}

/// Union of two lists by `key`, `high`'s entry winning; sorted by key.
fn union_by_key<T: Clone>(
    high: &Option<Vec<T>>,
    low: &Option<Vec<T>>,
    key: impl Fn(&T) -> &str,
) -> Vec<T> {
    let mut by_key: BTreeMap<&str, &T> = BTreeMap::new();
    for item in low.iter().flatten().chain(high.iter().flatten()) {
        by_key.insert(key(item), item);
    }
    by_key.into_values().cloned().collect()
}

/// The listener configuration for an ELB listener, matched on `PROTOCOL:PORT`
/// case-insensitively.
pub fn listener_configuration<'c>(
    config: &'c LoadBalancerConfigurationSpec,
    protocol: &str,
    port: i32,
) -> Option<&'c ListenerConfiguration> {
    let wanted = format!("{protocol}:{port}");
    config
        .listener_configurations
        .iter()
        .flatten()
        .find(|l| l.protocol_port.eq_ignore_ascii_case(&wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_api::crds::Scheme;

    fn spec(json: serde_json::Value) -> LoadBalancerConfigurationSpec {
        serde_json::from_value(json).expect("valid spec")
    }

    #[test]
    fn class_configuration_wins_by_default_and_maps_are_unions() {
        let class = spec(serde_json::json!({
            "scheme": "internal",
            "tags": {"team": "platform", "env": "prod"},
            "loadBalancerAttributes": [{"key": "idle_timeout.timeout_seconds", "value": "60"}],
        }));
        let gateway = spec(serde_json::json!({
            "scheme": "internet-facing",
            "sourceRanges": ["10.0.0.0/8"],
            "tags": {"team": "web"},
            "loadBalancerAttributes": [
                {"key": "idle_timeout.timeout_seconds", "value": "30"},
                {"key": "deletion_protection.enabled", "value": "true"},
            ],
        }));
        let merged = merge(Some(&class), Some(&gateway));
        assert_eq!(merged.scheme, Some(Scheme::Internal));
        assert_eq!(merged.source_ranges, Some(vec!["10.0.0.0/8".to_string()]));
        let tags = merged.tags.unwrap();
        assert_eq!(tags["team"], "platform");
        assert_eq!(tags["env"], "prod");
        let attrs = merged.load_balancer_attributes.unwrap();
        assert_eq!(attrs.len(), 2);
        assert_eq!(attrs[0].key, "deletion_protection.enabled");
        assert_eq!(attrs[1].value, "60");
    }

    #[test]
    fn prefer_gateway_lets_the_gateway_win() {
        let class =
            spec(serde_json::json!({"mergingMode": "prefer-gateway", "scheme": "internal"}));
        let gateway = spec(serde_json::json!({"scheme": "internet-facing"}));
        assert_eq!(
            merge(Some(&class), Some(&gateway)).scheme,
            Some(Scheme::InternetFacing)
        );
    }
}
