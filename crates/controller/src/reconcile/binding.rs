//! One TargetGroupBinding: make its target group hold exactly the targets the cluster asks
//! for (ready endpoints, or eligible nodes), and on deletion deregister them all before the
//! finalizer goes.
//!
//! Triggered by the binding, its Service, the Service's EndpointSlices and (instance
//! bindings) the Nodes, through `mapper.rs`; the controller's debounce and queue turn a burst
//! of endpoint changes into one sync per binding. A sync is a difference against what AWS
//! lists, so a repeated or periodic one costs a describe call and nothing else.

use super::{Context, gated, rules};
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use crate::finalizer;
use gantry_api::crds::TargetGroupBinding;
use gantry_deploy::ErrorClass;
use gantry_snapshot::ObjectKey;
use kube::api::Api;
use kube::runtime::controller::Action;
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
    let fail = |source| Error::SyncTargets {
        binding: key.to_string(),
        source,
    };
    let Some(arn) = tgb.spec.target_group_arn.as_deref() else {
        // Looking a target group up by `targetGroupName` is not built: nothing was ever
        // registered for such a binding, so there is nothing to undo either.
        if deleting {
            finalizer::remove(&api, tgb, FINALIZER).await?;
        } else {
            ctx.event(
                tgb,
                true,
                "FailedRegisterTargets",
                "spec.targetGroupARN is not set; targetGroupName is not supported".to_string(),
            )
            .await;
        }
        return Ok(Action::await_change());
    };
    if deleting {
        if !finalizer::has(tgb, FINALIZER) {
            return Ok(Action::await_change());
        }
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
        // Its rules go unless another binding needs them (this one no longer counts).
        rules::sync(ctx).await?;
        finalizer::remove(&api, tgb, FINALIZER).await?;
        return Ok(Action::await_change());
    }
    finalizer::add(&api, tgb, FINALIZER).await?;
    let desired = gantry_targets::binding_targets(tgb, &ctx.stores.targets_snapshot());
    for p in &desired.problems {
        tracing::warn!(binding = %key, problem = %p, "target left out");
    }
    match ctx.deploy.sync_targets(arn, &desired.targets).await {
        Ok(changes) => {
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
            Ok(Action::requeue(ctx.config.sync_period))
        }
        Err(source) => {
            let e = fail(source);
            ctx.event(tgb, true, e.event_reason(), e.to_string()).await;
            Err(e)
        }
    }
}
