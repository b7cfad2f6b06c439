//! The TargetGroupBindings of a Gateway's stack (reference §c.3): written after every
//! successful deploy, so that they carry the real target group ARNs, and pruned when their
//! target group leaves the plan or the Gateway goes.
//!
//! Bindings are found again by the stack labels, not by an ownerReference: a Service (and so
//! its binding) may live in another namespace than the Gateway, which ownerReferences forbid.
//! Written by server-side apply with the field manager "gantry", so that fields others set
//! on a binding (annotations, say) survive.

use super::Context;
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use gantry_api::crds::TargetGroupBinding;
use gantry_api::wire::FIELD_MANAGER;
use gantry_model::{LoadBalancerType, Stack};
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_targets::{STACK_NAME_LABEL_SUFFIX, STACK_NAMESPACE_LABEL_SUFFIX};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::reflector::ObjectRef;
use std::collections::BTreeSet;

/// Label prefix of a stack's bindings, as `gantry_targets::target_group_binding` writes it.
fn prefix(kind: LoadBalancerType) -> &'static str {
    match kind {
        LoadBalancerType::Application => "gateway.k8s.aws.alb",
        LoadBalancerType::Network => "gateway.k8s.aws.nlb",
    }
}

fn key_of(b: &TargetGroupBinding) -> ObjectKey {
    ObjectKey::of(&b.metadata)
}

/// Writes the bindings of a deployed `stack` and deletes the stack's others.
pub(super) async fn write<D: Deploy>(
    ctx: &Context<D>,
    gateway: &ObjectKey,
    stack: &Stack,
    snapshot: &Snapshot,
) -> Result<()> {
    let deployed = ctx
        .deploy
        .deployed(stack)
        .await
        .map_err(|source| Error::Deploy {
            gateway: gateway.to_string(),
            source,
        })?;
    let planned = gantry_targets::target_group_bindings(stack, snapshot, &deployed);
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let mut keep = BTreeSet::new();
    for binding in &planned {
        let key = key_of(binding);
        keep.insert(key.clone());
        // Its target group was just deployed, so a missing ARN means AWS does not list it
        // yet: the next reconcile writes it; an ARN-less binding would only sit there.
        if binding.spec.target_group_arn.is_none() {
            tracing::debug!(binding = %key, "target group ARN not found yet; binding not written");
            continue;
        }
        if unchanged(ctx, &key, binding) {
            continue;
        }
        let api: Api<TargetGroupBinding> = Api::namespaced(ctx.client.clone(), &key.namespace);
        api.patch(&key.name, &params, &Patch::Apply(binding))
            .await
            .map_err(|source| Error::WriteBinding {
                binding: key.to_string(),
                source,
            })?;
    }
    prune(ctx, gateway, stack.load_balancer.kind, &keep).await
}

/// Whether the cached binding already has the planned spec, labels and annotations: then
/// nothing is written, so that every periodic or status-triggered Gateway reconcile does not
/// cost a write per binding.
fn unchanged<D: Deploy>(ctx: &Context<D>, key: &ObjectKey, planned: &TargetGroupBinding) -> bool {
    let reference = ObjectRef::new(&key.name).within(&key.namespace);
    ctx.stores
        .target_group_bindings
        .get(&reference)
        .is_some_and(|cached| {
            let has_all =
                |planned: &Option<std::collections::BTreeMap<String, String>>,
                 cached: &Option<std::collections::BTreeMap<String, String>>| {
                    planned
                        .iter()
                        .flatten()
                        .all(|(k, v)| cached.as_ref().and_then(|c| c.get(k)) == Some(v))
                };
            cached.metadata.deletion_timestamp.is_none()
                && cached.spec == planned.spec
                && has_all(&planned.metadata.labels, &cached.metadata.labels)
                && has_all(&planned.metadata.annotations, &cached.metadata.annotations)
        })
}

/// Deletes the bindings labelled for the Gateway's stack that are not in `keep`. Their
/// finalizer makes the binding controller deregister their targets first.
pub(super) async fn prune<D: Deploy>(
    ctx: &Context<D>,
    gateway: &ObjectKey,
    kind: LoadBalancerType,
    keep: &BTreeSet<ObjectKey>,
) -> Result<()> {
    let p = prefix(kind);
    let (ns_label, name_label) = (
        format!("{p}{STACK_NAMESPACE_LABEL_SUFFIX}"),
        format!("{p}{STACK_NAME_LABEL_SUFFIX}"),
    );
    // The cache, not a list call: it is what the watch keeps current anyway.
    let stale = ctx
        .stores
        .target_group_bindings
        .state()
        .into_iter()
        .filter(|b| {
            let labels = b.metadata.labels.as_ref();
            let label = |k: &str| labels.and_then(|l| l.get(k)).map(String::as_str);
            label(&ns_label) == Some(gateway.namespace.as_str())
                && label(&name_label) == Some(gateway.name.as_str())
                && b.metadata.deletion_timestamp.is_none()
                && !keep.contains(&key_of(b))
        });
    for b in stale {
        let key = key_of(&b);
        let api: Api<TargetGroupBinding> = Api::namespaced(ctx.client.clone(), &key.namespace);
        match api.delete(&key.name, &DeleteParams::default()).await {
            Ok(_) => {
                tracing::info!(binding = %key, gateway = %gateway, "binding no longer planned; deleted")
            }
            Err(kube::Error::Api(e)) if e.code == 404 => {}
            Err(source) => {
                return Err(Error::WriteBinding {
                    binding: key.to_string(),
                    source,
                });
            }
        }
    }
    Ok(())
}
