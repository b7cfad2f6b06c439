//! The shadow Gateway's Service, found by the in-cluster implementation's conventions
//! (`config::ShadowService`): the Service in the configured namespace carrying every
//! configured label. The TargetGroupBindings name it, so a Service the implementation
//! renames or recreates is followed on the next plan.

use crate::meta::UserGateway;
use gantry_snapshot::{ObjectKey, Snapshot};
use thiserror::Error;

/// The shadow Gateway's Service, awaited (for messages and `<pending: …>`).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "Service of shadow Gateway {namespace}/{shadow} (labels {labels} in namespace {service_namespace})"
)]
pub(crate) struct ServiceAwaited {
    namespace: String,
    shadow: String,
    labels: String,
    service_namespace: String,
}

/// The Service's key, or what is awaited.
pub(crate) fn find(snapshot: &Snapshot, gw: &UserGateway<'_>) -> Result<ObjectKey, ServiceAwaited> {
    let conventions = &gw.config.shadow_service;
    let shadow = gw.shadow_name();
    let fill = |v: &str| {
        v.replace("{name}", &shadow)
            .replace("{namespace}", &gw.key.namespace)
    };
    let namespace = fill(&conventions.namespace);
    let selector: Vec<(String, String)> = conventions
        .selector
        .iter()
        .map(|(k, v)| (k.clone(), fill(v)))
        .collect();
    let found = snapshot
        .services
        .iter()
        .filter(|(key, _)| key.namespace == namespace)
        .find(|(_, svc)| {
            let labels = svc.metadata.labels.as_ref();
            selector
                .iter()
                .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        });
    match found {
        Some((key, _)) => Ok(key.clone()),
        // Istio names the Service after the shadow Gateway (name-override annotation).
        None if conventions.by_name => Ok(ObjectKey::new(gw.key.namespace.clone(), shadow)),
        None => {
            let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Err(ServiceAwaited {
                namespace: gw.key.namespace.clone(),
                shadow,
                labels: labels.join(", "),
                service_namespace: namespace,
            })
        }
    }
}
