//! One TargetGroupBinding: make its target group hold exactly the targets the cluster asks
//! for (ready endpoints, or eligible nodes), and on deletion deregister them all before the
//! finalizer goes.
//!
//! Triggered by the binding, its Service, the Service's EndpointSlices and (instance
//! bindings) the Nodes, through `mapper.rs`; the controller's debounce and queue turn a burst
//! of endpoint changes into one sync per binding. A sync is a difference against what AWS
//! lists, so a repeated or periodic one costs a describe call and nothing else. The same
//! describe call feeds the pods' readiness gates (`gates.rs`); while a gated pod waits for a
//! healthy target the binding is looked at again every `target_health_poll`.
//!
//! `spec.targetGroupName` is looked up (one `DescribeTargetGroups`) on every sync, so a
//! target group re-created under the same name is followed.

use super::{Context, gated, gates, rules};
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use crate::finalizer;
use crate::status::merge_params;
use gantry_api::crds::TargetGroupBinding;
use gantry_deploy::ErrorClass;
use gantry_snapshot::ObjectKey;
use kube::api::{Api, Patch};
use kube::runtime::controller::Action;
use serde_json::json;
use std::sync::Arc;

/// The reference controller's finalizer on bindings, kept so that bindings move between the
/// two controllers without being stuck.
pub const FINALIZER: &str = "elbv2.k8s.aws/resources";

pub async fn reconcile<D: Deploy>(
    tgb: Arc<TargetGroupBinding>,
    ctx: Arc<Context<D>>,
) -> Result<Action> {
    let key = ObjectKey::of(&tgb.metadata);
    gated(&ctx, "TargetGroupBinding", &key, run(&tgb, &key, &ctx)).await
}

async fn run<D: Deploy>(
    tgb: &TargetGroupBinding,
    key: &ObjectKey,
    ctx: &Context<D>,
) -> Result<Action> {
    let api: Api<TargetGroupBinding> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let deleting = tgb.metadata.deletion_timestamp.is_some();
    if deleting && !finalizer::has(tgb, FINALIZER) {
        return Ok(Action::await_change());
    }
    let fail = |source| Error::SyncTargets {
        binding: key.to_string(),
        source,
    };
    let arn = match target_group_arn(tgb, key, ctx).await {
        Ok(arn) => arn,
        // Nothing was ever registered in a target group that can't be found.
        Err(Error::TargetGroupNotFound { .. }) if deleting => None,
        Err(e) => {
            ctx.event(tgb, true, e.event_reason(), e.to_string()).await;
            return Err(e);
        }
    };
    if deleting {
        if let Some(arn) = &arn {
            match ctx.deploy.sync_targets(arn, &[]).await {
                Ok(changes) => tracing::info!(
                    binding = %key,
                    deregistered = changes.deregistered.len(),
                    "binding deleted; targets deregistered"
                ),
                // The target group went first (with its targets): nothing left to deregister.
                Err(e) if e.class() == ErrorClass::NotFound => {}
                Err(source) => return Err(fail(source)),
            }
        }
        // Its rules go unless another binding needs them (this one no longer counts).
        rules::sync(ctx).await?;
        finalizer::remove(&api, tgb, FINALIZER).await?;
        return Ok(Action::await_change());
    }
    let Some(arn) = arn else {
        ctx.event(
            tgb,
            true,
            "FailedRegisterTargets",
            "neither spec.targetGroupARN nor spec.targetGroupName is set".to_string(),
        )
        .await;
        return Ok(Action::await_change());
    };
    finalizer::add(&api, tgb, FINALIZER).await?;
    let snapshot = ctx
        .stores
        .targets_snapshot(&[crate::stores::bound_service(tgb)].into());
    let desired = gantry_targets::binding_targets(tgb, &snapshot);
    for p in &desired.problems {
        tracing::warn!(binding = %key, problem = %p, "target left out");
    }
    let changes = match ctx.deploy.sync_targets(&arn, &desired.targets).await {
        Ok(changes) => changes,
        Err(source) => {
            let e = fail(source);
            ctx.event(tgb, true, e.event_reason(), e.to_string()).await;
            return Err(e);
        }
    };
    if !changes.is_empty() {
        tracing::info!(
            binding = %key,
            registered = changes.registered.len(),
            deregistered = changes.deregistered.len(),
            calls = changes.calls,
            "targets synced"
        );
    }
    rules::sync(ctx).await?;
    let gates = gantry_targets::gate_conditions(tgb, &snapshot, &desired.targets, &changes.health);
    gates::write(ctx, &gates.changed).await?;
    observe(&api, tgb, key).await?;
    // Health changes come with no event: while pods wait on their gate, ask again soon.
    Ok(Action::requeue(if gates.waiting > 0 {
        ctx.config.target_health_poll
    } else {
        ctx.config.sync_period
    }))
}

/// `spec.targetGroupARN`, or the ARN of the target group `spec.targetGroupName` names; None
/// when the binding gives neither.
async fn target_group_arn<D: Deploy>(
    tgb: &TargetGroupBinding,
    key: &ObjectKey,
    ctx: &Context<D>,
) -> Result<Option<String>> {
    if let Some(arn) = tgb
        .spec
        .target_group_arn
        .as_deref()
        .filter(|a| !a.is_empty())
    {
        return Ok(Some(arn.to_string()));
    }
    let Some(name) = tgb
        .spec
        .target_group_name
        .as_deref()
        .filter(|n| !n.is_empty())
    else {
        return Ok(None);
    };
    match ctx.deploy.target_group_arn_by_name(name).await {
        Ok(Some(arn)) => Ok(Some(arn)),
        Ok(None) => Err(Error::TargetGroupNotFound {
            binding: key.to_string(),
            name: name.to_string(),
        }),
        Err(source) => Err(Error::SyncTargets {
            binding: key.to_string(),
            source,
        }),
    }
}

/// Records that the binding's current generation was acted on (`status.observedGeneration`),
/// unless it already says so.
async fn observe(
    api: &Api<TargetGroupBinding>,
    tgb: &TargetGroupBinding,
    key: &ObjectKey,
) -> Result<()> {
    let generation = tgb.metadata.generation;
    if generation.is_none() || tgb.status.as_ref().and_then(|s| s.observed_generation) == generation
    {
        return Ok(());
    }
    let patch = json!({"status": {"observedGeneration": generation}});
    api.patch_status(&key.name, &merge_params(), &Patch::Merge(patch))
        .await
        .map_err(|source| Error::UpdateStatus {
            object: format!("TargetGroupBinding {key}"),
            source,
        })?;
    Ok(())
}
