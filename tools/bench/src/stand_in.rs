//! A generated cluster, put into the API server stand-in as a user would apply it (the controller
//! memory and speed benchmarks both start from it).

use gantry_api::k8s::Resource;
use gantry_kube_standin::FakeApi;
use gantry_snapshot::{Objects, Snapshot};
use serde::Serialize;
use serde_json::Value;

/// Applies every object of `snapshot` to `api`; returns how many.
pub fn load(api: &FakeApi, snapshot: &Snapshot) -> usize {
    let s = snapshot;
    // Every kind the generator fills (and the controller watches).
    let values = objects(&s.gateway_classes)
        .chain(objects(&s.namespaces))
        .chain(objects(&s.gateways))
        .chain(objects(&s.http_routes))
        .chain(objects(&s.grpc_routes))
        .chain(objects(&s.tcp_routes))
        .chain(objects(&s.udp_routes))
        .chain(objects(&s.tls_routes))
        .chain(objects(&s.reference_grants))
        .chain(objects(&s.services))
        .chain(objects(&s.endpoint_slices))
        .chain(objects(&s.nodes))
        .chain(objects(&s.load_balancer_configurations))
        .chain(objects(&s.target_group_configurations))
        .chain(objects(&s.listener_rule_configurations))
        .chain(objects(&s.target_group_bindings));
    let mut count = 0;
    for value in values {
        api.apply(value);
        count += 1;
    }
    count
}

/// The objects as JSON, with the apiVersion and kind the stand-in files them under.
fn objects<K>(objects: &Objects<K>) -> impl Iterator<Item = Value> + '_
where
    K: Resource<DynamicType = ()> + Serialize,
{
    objects.values().map(|o| {
        let mut value = serde_json::to_value(o.as_ref()).expect("typed objects serialize");
        value["apiVersion"] = Value::from(K::api_version(&()).to_string());
        value["kind"] = Value::from(K::kind(&()).to_string());
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{Size, generate};

    #[test]
    fn every_generated_object_reaches_the_stand_in() {
        let snapshot = generate(Size::SMALL, 7);
        let api = FakeApi::new();
        assert_eq!(load(&api, &snapshot), snapshot.len());
        assert_eq!(api.list("HTTPRoute").len(), snapshot.http_routes.len());
        assert_eq!(
            api.list("EndpointSlice").len(),
            snapshot.endpoint_slices.len()
        );
    }
}
