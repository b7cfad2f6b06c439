//! The plan's last steps: what held Gateways keep, dropping planned objects whose names
//! someone else holds, and the apply order.

use crate::names;
use crate::observed;
use crate::{Inputs, ObjectRef, Planned, TieredPlan};
use gantry_gateway::Problem;
use gantry_gateway::routes::Route;
use gantry_snapshot::ObjectKey;
use std::collections::BTreeMap;

/// Lists the existing objects of held Gateways in `kept`: those labelled with the Gateway,
/// and the shadows of routes naming it.
pub(crate) fn keep_held(inputs: &Inputs<'_>, routes: &[Route], out: &mut TieredPlan) {
    let snapshot = inputs.snapshot;
    for held in &out.held {
        let name = names::label_value(&held.name);
        let of_held = |labels: Option<&BTreeMap<String, String>>| {
            label(labels, names::MANAGED_BY.0) == Some(names::MANAGED_BY.1)
                && label(labels, names::GATEWAY_NAMESPACE_LABEL) == Some(held.namespace.as_str())
                && label(labels, names::GATEWAY_NAME_LABEL) == Some(name.as_str())
        };
        let mut keep = |kind: &str, key: &ObjectKey| {
            out.kept.push(ObjectRef {
                kind: kind.to_string(),
                key: key.clone(),
            })
        };
        for (key, gw) in &snapshot.gateways {
            if of_held(gw.metadata.labels.as_ref()) {
                keep("Gateway", key);
            }
        }
        for (key, b) in &snapshot.target_group_bindings {
            if of_held(b.metadata.labels.as_ref()) {
                keep("TargetGroupBinding", key);
            }
        }
        for (ty, o) in inputs.observed.iter() {
            let labels: Option<BTreeMap<String, String>> = o
                .pointer("/metadata/labels")
                .and_then(|l| serde_json::from_value(l.clone()).ok());
            let text = |p: &str| o.pointer(p).and_then(serde_json::Value::as_str);
            let namespace = text("/metadata/namespace").filter(|_| ty.namespaced());
            if let (true, Some(name)) = (of_held(labels.as_ref()), text("/metadata/name")) {
                keep(
                    ty.kind_name(),
                    &ObjectKey::new(namespace.unwrap_or_default(), name),
                );
            }
        }
        for shadow in routes {
            let Some(meta) = observed::route_meta(snapshot, shadow.kind, &shadow.key) else {
                continue;
            };
            let labels = meta.labels.as_ref();
            if label(labels, names::MANAGED_BY.0) != Some(names::MANAGED_BY.1) {
                continue;
            }
            let source = observed::annotation(meta, names::SOURCE_ANNOTATION);
            let names_held = routes.iter().any(|r| {
                source == Some(names::source(r.kind.as_str(), &r.key).as_str())
                    && r.parent_refs.iter().any(|p| p.targets_gateway(held))
            });
            if names_held {
                keep(shadow.kind.as_str(), &shadow.key);
            }
        }
    }
    out.kept.sort();
    out.kept.dedup();
}

fn label<'l>(labels: Option<&'l BTreeMap<String, String>>, key: &str) -> Option<&'l str> {
    labels.and_then(|l| l.get(key)).map(String::as_str)
}

/// Drops planned objects whose name is held by an object gantry did not make for the same
/// source: applying them would overwrite someone else's object.
pub(crate) fn claim(inputs: &Inputs<'_>, out: &mut TieredPlan) {
    let mut problems = Vec::new();
    out.objects.retain(|p: &Planned| {
        let ours = p
            .object
            .pointer(&format!(
                "/metadata/annotations/{}",
                names::SOURCE_ANNOTATION.replace('/', "~1")
            ))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        match observed::holder(inputs.snapshot, inputs.observed, &p.object) {
            Some(holder) if holder != ours => {
                problems.push(Problem {
                    object: ours.to_string(),
                    message: format!(
                        "{} {} exists and was not made by gantry for {ours}; it is left alone",
                        p.kind(),
                        p.key()
                    ),
                });
                false
            }
            _ => true,
        }
    });
    out.problems.append(&mut problems);
}

/// Apply order: what others refer to comes first.
pub(crate) fn kind_rank(kind: &str) -> usize {
    const ORDER: &[&str] = &[
        "Gateway",
        "HTTPRoute",
        "GRPCRoute",
        "TLSRoute",
        "TCPRoute",
        "UDPRoute",
        "SecurityGroup",
        "SecurityGroupIngressRule",
        "SecurityGroupEgressRule",
        "LoadBalancer",
        "LB",
        "TargetGroup",
        "LBTargetGroup",
        "Listener",
        "LBListener",
        "TargetGroupBinding",
    ];
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}
