//! A generated cluster, put into the API server stand-in as a user would apply it (the controller
//! memory and speed benchmarks both start from it).

use gantry_api::k8s::Resource;
use gantry_kube_standin::{FakeApi, Served, kubeconfig, serve_loopback};
use gantry_snapshot::{Objects, Snapshot};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A stand-in holding a cluster, served on loopback, and a kubeconfig file pointing at it.
pub struct ServedStandIn {
    pub api: FakeApi,
    /// How many objects it was loaded with.
    pub objects: usize,
    pub kubeconfig: PathBuf,
    _served: Served,
    /// Runs the server (dropped after it), on its workers while the benchmark's thread polls
    /// the controller; a benchmark may run its own work on it too.
    pub runtime: tokio::runtime::Runtime,
}

/// A new stand-in loaded with `snapshot` and served on loopback; its kubeconfig written into
/// `dir`.
pub fn serve(snapshot: &Snapshot, dir: &Path) -> anyhow::Result<ServedStandIn> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let api = FakeApi::new();
    let objects = load(&api, snapshot);
    let served = runtime.block_on(serve_loopback(api.clone()))?;
    let kubeconfig_path = dir.join("kubeconfig");
    std::fs::write(&kubeconfig_path, kubeconfig(served.addr))?;
    Ok(ServedStandIn {
        api,
        objects,
        kubeconfig: kubeconfig_path,
        _served: served,
        runtime,
    })
}

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

/// `snapshot` as the stand-in holds it after [`load`]: every object replaced by its stored
/// version. An API server sets `creationTimestamp` (and uid, generation) itself, and route
/// precedence breaks ties by creation time, so what a controller watching the stand-in
/// translates can differ from a translation of the generated objects.
pub fn stored(api: &FakeApi, snapshot: &Snapshot) -> Snapshot {
    let mut s = snapshot.clone();
    read_back(api, &mut s.gateway_classes);
    read_back(api, &mut s.namespaces);
    read_back(api, &mut s.gateways);
    read_back(api, &mut s.http_routes);
    read_back(api, &mut s.grpc_routes);
    read_back(api, &mut s.tcp_routes);
    read_back(api, &mut s.udp_routes);
    read_back(api, &mut s.tls_routes);
    read_back(api, &mut s.reference_grants);
    read_back(api, &mut s.services);
    read_back(api, &mut s.endpoint_slices);
    read_back(api, &mut s.nodes);
    read_back(api, &mut s.load_balancer_configurations);
    read_back(api, &mut s.target_group_configurations);
    read_back(api, &mut s.listener_rule_configurations);
    read_back(api, &mut s.target_group_bindings);
    s
}

fn read_back<K>(api: &FakeApi, objects: &mut Objects<K>)
where
    K: Resource<DynamicType = ()> + DeserializeOwned,
{
    let kind = K::kind(&()).to_string();
    for (key, object) in objects.iter_mut() {
        let value = api
            .get(&kind, &key.namespace, &key.name)
            .unwrap_or_else(|| panic!("{kind} {key} was loaded into the stand-in"));
        *object = std::sync::Arc::new(
            serde_json::from_value(value).expect("the stand-in holds what was applied"),
        );
    }
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

    #[test]
    fn the_stored_snapshot_has_the_stand_ins_creation_times() {
        let snapshot = crate::workload::gateways_with_routes(1, 3);
        let api = FakeApi::new();
        load(&api, &snapshot);
        let stored = stored(&api, &snapshot);
        assert_eq!(stored.len(), snapshot.len());
        for (key, route) in &stored.http_routes {
            let generated = &snapshot.http_routes[key].metadata.creation_timestamp;
            let held = api.get("HTTPRoute", &key.namespace, &key.name).unwrap();
            assert_eq!(
                serde_json::to_value(&route.metadata.creation_timestamp).unwrap(),
                held["metadata"]["creationTimestamp"]
            );
            assert_ne!(&route.metadata.creation_timestamp, generated, "{key}");
        }
    }
}
