//! The EndpointSlice the target scenarios feed: that of the Service `apps/echo`.

use serde_json::{Value, json};

/// The EndpointSlice `apps/echo-1` of the Service `echo` (port `http`, 8080, IPv4) with the
/// endpoints `endpoints`, each as `{addresses, conditions, …}`.
pub fn echo_slice(endpoints: Vec<Value>) -> Value {
    json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": "echo-1", "namespace": "apps",
                     "labels": {"kubernetes.io/service-name": "echo"}},
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        "endpoints": endpoints,
    })
}
