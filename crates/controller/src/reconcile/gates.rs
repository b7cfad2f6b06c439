//! Writes pods' readiness gate conditions (`target-health.elbv2.k8s.aws/<binding>`), as
//! `gantry_targets::gate_conditions` decides them.
//!
//! A strategic merge patch of `status.conditions` (merged by `type` on the server): only our
//! condition is sent, so a kubelet write in between is neither lost nor a conflict.

use super::Context;
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use crate::status::merge_params;
use gantry_api::k8s::Pod;
use gantry_targets::GateCondition;
use kube::api::{Api, Patch};
use kube::runtime::reflector::ObjectRef;
use serde_json::json;

/// Writes each condition on its pod. A pod gone meanwhile is skipped.
pub(super) async fn write<D: Deploy>(ctx: &Context<D>, conditions: &[GateCondition]) -> Result<()> {
    for c in conditions {
        let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &c.pod.namespace);
        // The transition time moves only when the status does.
        let since = ctx
            .stores
            .pods
            .get(&ObjectRef::new(&c.pod.name).within(&c.pod.namespace))
            .and_then(|p| {
                p.status
                    .as_ref()?
                    .conditions
                    .as_ref()?
                    .iter()
                    .find(|x| x.type_ == c.condition_type && x.status == c.status())?
                    .last_transition_time
                    .as_ref()
                    .map(|t| super::condition_time(&t.0))
            })
            .unwrap_or_else(|| (ctx.now)());
        let patch = json!({"status": {"conditions": [{
            "type": c.condition_type,
            "status": c.status(),
            "reason": c.reason,
            "message": c.message,
            "lastProbeTime": null,
            "lastTransitionTime": since,
        }]}});
        match api
            .patch_status(&c.pod.name, &merge_params(), &Patch::Strategic(patch))
            .await
        {
            Ok(_) => tracing::info!(
                pod = %c.pod,
                condition = %c.condition_type,
                status = c.status(),
                reason = %c.reason,
                "readiness gate updated"
            ),
            Err(kube::Error::Api(e)) if e.code == 404 => {}
            Err(source) => {
                return Err(Error::UpdatePodCondition {
                    pod: c.pod.to_string(),
                    condition: c.condition_type.clone(),
                    source,
                });
            }
        }
    }
    Ok(())
}
