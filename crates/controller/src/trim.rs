//! What the caches drop of an object before keeping it: every field no reader of the cache
//! looks at (translation, targets, statuses, trigger rules). A cached object is kept for as
//! long as it exists, so a field read by nobody costs memory in proportion to the cluster.

use gantry_api::k8s::{EndpointSlice, Resource};
use k8s_openapi::api::core::v1::ObjectReference;

/// Annotation kubectl keeps a copy of the whole object in; translation never reads it.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Drops what no kind's reader needs: managedFields and kubectl's copy of the object.
pub fn strip<K: Resource>(obj: &mut K) {
    let meta = obj.meta_mut();
    meta.managed_fields = None;
    if let Some(a) = meta.annotations.as_mut() {
        a.remove(LAST_APPLIED);
    }
}

/// An EndpointSlice as targets read it (`gantry_targets`' endpoints module): its
/// `addressType`, ports and `kubernetes.io/service-name` label, and of each endpoint its
/// first address (the API makes the others interchangeable), its conditions and the name of
/// the Pod behind it (readiness gates). Node names, zones, hints, hostnames and the rest of
/// the target reference (uid, namespace, resourceVersion) are most of a real endpoint and
/// read by nobody.
pub fn endpoint_slice(o: &mut EndpointSlice) {
    let meta = &mut o.metadata;
    meta.annotations = None;
    meta.owner_references = None;
    meta.labels = meta.labels.take().map(|mut l| {
        l.retain(|k, _| k == gantry_targets::SERVICE_NAME_LABEL);
        l
    });
    for e in &mut o.endpoints {
        e.addresses.truncate(1);
        e.deprecated_topology = None;
        e.hints = None;
        e.hostname = None;
        e.node_name = None;
        e.zone = None;
        e.target_ref = e
            .target_ref
            .take()
            .filter(|r| r.kind.as_deref() == Some("Pod"))
            .map(|r| ObjectReference {
                kind: r.kind,
                name: r.name,
                ..ObjectReference::default()
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_api::crds::TargetGroupBinding;
    use gantry_api::k8s::{Pod, Service};
    use gantry_snapshot::{ObjectKey, Snapshot};
    use serde_json::json;
    use std::sync::Arc;

    /// A slice as the endpoint controller writes it, every optional field set: ready, gated
    /// (its pod waits for the binding's readiness gate), unready, and terminating endpoints.
    fn full_slice() -> EndpointSlice {
        let endpoint = |ip: &str, pod: &str, ready: bool, terminating: bool| {
            json!({
                "addresses": [ip, "10.9.9.9"],
                "conditions": {"ready": ready, "serving": ready || terminating, "terminating": terminating},
                "hostname": pod, "nodeName": "node-a", "zone": "us-west-2a",
                "hints": {"forZones": [{"name": "us-west-2a"}]},
                "deprecatedTopology": {"kubernetes.io/hostname": "node-a"},
                "targetRef": {"kind": "Pod", "name": pod, "namespace": "demo",
                              "uid": "0b7c0e5e-1b2f-4b8e-9a51-6f3c5d2a1e11", "apiVersion": "v1",
                              "resourceVersion": "12345"},
            })
        };
        serde_json::from_value(json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-x1", "namespace": "demo",
                         "labels": {"kubernetes.io/service-name": "web",
                                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                         "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": "2026-01-01T00:00:00Z"},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": "web", "uid": "u"}]},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [
                endpoint("10.0.0.1", "web-1", true, false),
                endpoint("10.0.0.2", "web-2", false, false),
                endpoint("10.0.0.3", "web-3", false, false),
                endpoint("10.0.0.4", "web-4", false, true),
                {"addresses": ["10.0.0.5"], "targetRef": {"kind": "Node", "name": "node-a"}},
            ],
        }))
        .expect("an EndpointSlice")
    }

    fn cluster(slice: EndpointSlice) -> Snapshot {
        let mut s = Snapshot::default();
        let service: Service = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "demo"},
            "spec": {"ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
        }))
        .unwrap();
        s.services
            .insert(ObjectKey::new("demo", "web"), Arc::new(service));
        // web-2's containers are ready; it waits for the binding's gate only.
        let pod: Pod = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-2", "namespace": "demo"},
            "spec": {"containers": [], "readinessGates": [{"conditionType": gantry_targets::readiness_gate("b")}]},
            "status": {"conditions": [{"type": "ContainersReady", "status": "True"}]},
        }))
        .unwrap();
        s.pods
            .insert(ObjectKey::new("demo", "web-2"), Arc::new(pod));
        s.endpoint_slices
            .insert(ObjectKey::new("demo", "web-x1"), Arc::new(slice));
        s
    }

    #[test]
    fn a_trimmed_endpoint_slice_gives_the_same_targets_as_the_full_one() {
        let binding: TargetGroupBinding = serde_json::from_value(json!({
            "apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
            "metadata": {"name": "b", "namespace": "demo"},
            "spec": {"targetGroupARN": "arn:tg", "targetType": "ip", "serviceRef": {"name": "web", "port": 80}},
        }))
        .unwrap();
        let full = full_slice();
        let mut trimmed = full.clone();
        endpoint_slice(&mut trimmed);
        let before = gantry_targets::binding_targets(&binding, &cluster(full));
        let after = gantry_targets::binding_targets(&binding, &cluster(trimmed.clone()));
        assert_eq!(before, after);
        // The gated pod's endpoint is a target (and the one with no conditions, read as ready): the Pod reference survived the trim.
        let ids: Vec<&str> = after.targets.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["10.0.0.1", "10.0.0.2", "10.0.0.5"]);
        // What was dropped is gone.
        let e = &trimmed.endpoints[0];
        assert_eq!(e.addresses, ["10.0.0.1"]);
        assert!(e.node_name.is_none() && e.zone.is_none() && e.hints.is_none());
        let r = e.target_ref.as_ref().unwrap();
        assert!(r.uid.is_none() && r.namespace.is_none());
        assert!(trimmed.endpoints[4].target_ref.is_none());
        assert_eq!(trimmed.metadata.labels.as_ref().unwrap().len(), 1);
    }
}
