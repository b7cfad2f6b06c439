//! Choosing the TargetGroupProps of a backend from TargetGroupConfigurations.
//!
//! Precedence, highest first: the backend's own TGC route entry → its `defaultConfiguration`
//! → the effective default TGC's route entry → that TGC's `defaultConfiguration` → built-in
//! defaults.

use super::load_balancer::{Found, class_wins};
use crate::routes::Route;
use gantry_api::crds::{TargetGroupConfigurationSpec, TargetGroupProps};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeMap;

/// The default TargetGroupConfiguration of a Gateway, from the class's and the Gateway's
/// LoadBalancerConfigurations (`defaultTargetGroupConfiguration`).
pub fn effective_default(
    snapshot: &Snapshot,
    class: Option<&Found<'_>>,
    gateway: Option<&Found<'_>>,
) -> Result<Option<TargetGroupConfigurationSpec>, String> {
    let lookup =
        |found: Option<&Found<'_>>| -> Result<Option<TargetGroupConfigurationSpec>, String> {
            let Some(found) = found else { return Ok(None) };
            let Some(r) = &found.spec.default_target_group_configuration else {
                return Ok(None);
            };
            let key = ObjectKey::new(found.key.namespace.clone(), r.name.clone());
            let tgc = snapshot.target_group_configurations.get(&key).ok_or_else(|| {
            format!(
                "TargetGroupConfiguration {key} named as defaultTargetGroupConfiguration by LoadBalancerConfiguration {} not found",
                found.key
            )
        })?;
            if tgc.spec.target_reference.is_some() {
                return Err(format!(
                    "TargetGroupConfiguration {key} has targetReference set and cannot be used as a defaultTargetGroupConfiguration"
                ));
            }
            Ok(Some(tgc.spec.clone()))
        };
    let class_tgc = lookup(class)?;
    let gateway_tgc = lookup(gateway)?;
    Ok(match (class_tgc, gateway_tgc) {
        (None, None) => None,
        (Some(c), None) => Some(c),
        (None, Some(g)) => Some(g),
        (Some(c), Some(g)) => {
            let class_high = class.is_some_and(|f| class_wins(f.spec));
            let (high, low) = if class_high { (c, g) } else { (g, c) };
            Some(TargetGroupConfigurationSpec {
                default_configuration: Some(merge_props(
                    high.default_configuration.as_ref(),
                    low.default_configuration.as_ref(),
                )),
                ..high
            })
        }
    })
}

/// Props of one TGC for a route: its most specific matching `routeConfigurations` entry merged
/// over its `defaultConfiguration`.
pub fn props_for_route(tgc: &TargetGroupConfigurationSpec, route: &Route) -> TargetGroupProps {
    let kind = route.kind.as_str();
    let mut best: Option<(u8, &TargetGroupProps)> = None;
    for rc in tgc.route_configurations.iter().flatten() {
        let id = &rc.route_identifier;
        if id.kind.as_deref() != Some(kind) {
            continue;
        }
        let rank = match (&id.namespace, &id.name) {
            (Some(ns), Some(name)) if ns == &route.key.namespace && name == &route.key.name => 3,
            (_, Some(_)) => continue,
            (Some(ns), None) if ns == &route.key.namespace => 2,
            (Some(_), None) => continue,
            (None, None) => 1,
        };
        if rank == 3 {
            best = Some((3, &rc.target_group_props));
            break;
        }
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, &rc.target_group_props));
        }
    }
    match best {
        Some((_, props)) => merge_props(Some(props), tgc.default_configuration.as_ref()),
        None => tgc.default_configuration.clone().unwrap_or_default(),
    }
}

/// The backend-level TGC of a Service or Gateway: the one in its namespace whose
/// `targetReference` names it.
pub fn for_backend<'s>(
    snapshot: &'s Snapshot,
    kind: &str,
    backend: &ObjectKey,
) -> Option<&'s TargetGroupConfigurationSpec> {
    snapshot
        .target_group_configurations
        .iter()
        .filter(|(k, _)| k.namespace == backend.namespace)
        .map(|(_, tgc)| &tgc.spec)
        .find(|spec| {
            spec.target_reference.as_ref().is_some_and(|r| {
                // The group defaults to core; a Gateway is also named by its own group.
                let group = r.group.as_deref().unwrap_or_default();
                let group_ok =
                    group.is_empty() || (kind == "Gateway" && group == "gateway.networking.k8s.io");
                r.name == backend.name && r.kind.as_deref().unwrap_or("Service") == kind && group_ok
            })
        })
}

/// Props for a Service backend.
pub fn props_for_service(
    snapshot: &Snapshot,
    default: Option<&TargetGroupConfigurationSpec>,
    service: &ObjectKey,
    route: &Route,
) -> TargetGroupProps {
    let own = for_backend(snapshot, "Service", service).map(|t| props_for_route(t, route));
    let def = default.map(|t| props_for_route(t, route));
    merge_props(own.as_ref(), def.as_ref())
}

/// Field-wise merge: take-one for scalars and the whole health check block; unions for tags
/// and attributes with `high` winning.
pub fn merge_props(
    high: Option<&TargetGroupProps>,
    low: Option<&TargetGroupProps>,
) -> TargetGroupProps {
    // With one side only, that side is the merge.
    let Some((high, low)) = high.zip(low) else {
        return high.or(low).cloned().unwrap_or_default();
    };
    macro_rules! take {
        ($field:ident) => {
            high.$field.clone().or_else(|| low.$field.clone())
        };
    }
    let tags = match (&high.tags, &low.tags) {
        (None, None) => None,
        (h, l) => {
            let mut t: BTreeMap<String, String> = l.clone().unwrap_or_default();
            t.extend(h.clone().unwrap_or_default());
            Some(t)
        }
    };
    let attributes = match (&high.target_group_attributes, &low.target_group_attributes) {
        (None, None) => None,
        (h, l) => Some(super::load_balancer::merge_attributes(h, l)),
    };
    TargetGroupProps {
        target_group_name: take!(target_group_name),
        ip_address_type: take!(ip_address_type),
        health_check_config: take!(health_check_config),
        node_selector: take!(node_selector),
        target_group_attributes: attributes,
        target_type: take!(target_type),
        protocol: take!(protocol),
        protocol_version: take!(protocol_version),
        target_control_port: take!(target_control_port),
        enable_multi_cluster: take!(enable_multi_cluster),
        tags,
    }
}
