//! One Gateway: snapshot → translate → deploy its stack → statuses; on deletion, its AWS
//! resources go (chained NLBs are moved off it first), then the finalizer.
//!
//! Idempotent: the runtime does not say why it calls, and a periodic requeue repairs drift.

use super::{Context, bindings, gated, listener_sets, routes, scope};
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use crate::finalizer;
use crate::programmed::{deploy_failed, programmed};
use crate::status::{self, Written};
use crate::triggers::View;
use gantry_api::gateway::Gateway;
use gantry_api::k8s::Resource;
use gantry_api::wire::{ALB_GATEWAY_FINALIZER, NLB_GATEWAY_FINALIZER};
use gantry_gateway::LbKind;
use gantry_gateway::status::render_gateway;
use gantry_model::LoadBalancerType;
use gantry_snapshot::{ObjectKey, Snapshot};
use kube::api::Api;
use kube::runtime::controller::Action;
use std::collections::BTreeSet;
use std::sync::Arc;

pub async fn reconcile<D: Deploy>(gw: Arc<Gateway>, ctx: Arc<Context<D>>) -> Result<Action> {
    let key = ObjectKey::of(&gw.metadata);
    gated(&ctx, "Gateway", &key, run(&gw, &key, &ctx)).await
}

/// The load balancer kind of a Gateway whose class this controller owns and serves.
pub fn owned_kind(
    snapshot: &Snapshot,
    gw: &Gateway,
    enabled: &std::collections::BTreeSet<LbKind>,
) -> Option<LbKind> {
    let class = snapshot
        .gateway_classes
        .get(&ObjectKey::cluster(gw.spec.gateway_class_name.clone()))?;
    LbKind::from_controller_name(&class.spec.controller_name).filter(|k| enabled.contains(k))
}

fn finalizer_of(kind: LbKind) -> &'static str {
    match kind {
        LbKind::Alb => ALB_GATEWAY_FINALIZER,
        LbKind::Nlb => NLB_GATEWAY_FINALIZER,
    }
}

fn lb_type(kind: LbKind) -> LoadBalancerType {
    match kind {
        LbKind::Alb => LoadBalancerType::Application,
        LbKind::Nlb => LoadBalancerType::Network,
    }
}

async fn run<D: Deploy>(gw: &Arc<Gateway>, key: &ObjectKey, ctx: &Context<D>) -> Result<Action> {
    let Some(kind) = owned_kind(&ctx.stores.class_snapshot(), gw, ctx.config.enabled()) else {
        return Ok(Action::await_change());
    };
    let api: Api<Gateway> = Api::namespaced(ctx.client.clone(), &key.namespace);
    if gw.metadata.deletion_timestamp.is_some() {
        if !finalizer::has(gw.as_ref(), finalizer_of(kind)) {
            return Ok(Action::await_change());
        }
        // A deletion reads the whole cluster (the NLBs chained to it, every route's status).
        return delete(gw, key, kind, ctx.stores.snapshot(), &api, ctx).await;
    }
    // Only what this Gateway's translation reads (reconcile::scope).
    let mut snapshot =
        scope::gateway_snapshot(&ctx.stores, key, ctx.config.translate.listener_sets);
    // Gateways on their way out are no backend: an NLB must not be pointed again at an ALB
    // being deleted.
    snapshot
        .gateways
        .retain(|_, g| g.metadata.deletion_timestamp.is_none());
    let mut absent = BTreeSet::new();
    let mut finalized = false;
    let (snapshot, translation, outcome) = loop {
        let (translated, translation) = ctx.translate_with(snapshot, absent.clone(), true).await?;
        snapshot = translated;
        let outcome = match translation
            .stacks
            .iter()
            .find(|s| s.gateway == key.to_string())
        {
            Some(stack) => {
                if !finalized
                    && let Err(e) = finalizer::add(&api, gw.as_ref(), finalizer_of(kind)).await
                {
                    return Err(ctx.failed(gw.as_ref(), "add finalizer", e).await);
                }
                finalized = true;
                Some(ctx.deploy.apply(stack).await)
            }
            // Not accepted: nothing to deploy; what exists in AWS is left as it is.
            None => None,
        };
        // Target groups named by TargetGroupName backendRefs that do not exist: translated
        // again with them unresolved, as a missing Service is, so that the rest of the Gateway
        // is deployed and the routes' ResolvedRefs name them.
        if let Some(Err(gantry_deploy::Error::TargetGroupNameNotFound { names, .. })) = &outcome
            && names.iter().any(|n| !absent.contains(n))
        {
            absent.extend(names.iter().cloned());
            continue;
        }
        // A deploy that failed otherwise may have stopped before it looked the other names
        // up: the routes' statuses then say they are not confirmed rather than resolved.
        if let Some(Err(_)) = &outcome
            && translation
                .stacks
                .iter()
                .any(|s| s.gateway == key.to_string() && s.forwards_by_name())
        {
            let (translated, unconfirmed) = ctx.translate_with(snapshot, absent, false).await?;
            break (translated, unconfirmed, outcome);
        }
        break (snapshot, translation, outcome);
    };
    let stack = translation
        .stacks
        .iter()
        .find(|s| s.gateway == key.to_string());
    // Bindings before statuses: a Programmed Gateway has its bindings.
    if let (Some(stack), Some(Ok(_))) = (stack, &outcome)
        && let Err(e) = bindings::write(ctx, key, stack, &snapshot).await
    {
        ctx.event(gw.as_ref(), true, e.event_reason(), e.to_string())
            .await;
        return Err(e);
    }
    if let Some(computed) = translation.statuses.gateways.get(key) {
        let computed = match &outcome {
            Some(Ok(report)) => match &report.load_balancer {
                Some(lb) => programmed(computed.clone(), lb),
                None => computed.clone(),
            },
            Some(Err(e)) => deploy_failed(computed.clone(), addresses(gw), e.status_message()),
            None => computed.clone(),
        };
        let now = (ctx.now)();
        let written = status::write(&api, Some(gw.clone()), &key.name, |previous| {
            render_gateway(&computed, previous, &now)
        })
        .await;
        ctx.counted(gw.as_ref(), "Gateway", written).await?;
    }
    listener_sets::write_all(ctx, &translation, key, outcome.as_ref()).await?;
    routes::write_all(ctx, &snapshot, &translation, key).await?;
    match outcome {
        Some(Err(source)) => {
            let e = Error::Deploy {
                gateway: key.to_string(),
                source,
            };
            Err(ctx.failed(gw.as_ref(), "deploy model", e).await)
        }
        Some(Ok(report)) => {
            if !report.is_unchanged() {
                tracing::info!(gateway = %key, changes = report.changes.len(), "deployed");
                ctx.event(
                    gw.as_ref(),
                    false,
                    "SuccessfullyReconciled",
                    "Successfully reconciled".to_string(),
                )
                .await;
            }
            Ok(Action::requeue(ctx.config.sync_period))
        }
        None => Ok(Action::requeue(ctx.config.sync_period)),
    }
}

/// Addresses the Gateway shows now.
fn addresses(gw: &Gateway) -> Vec<String> {
    gw.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .map(|a| a.iter().map(|a| a.value.clone()).collect())
        .unwrap_or_default()
}

/// Deletion: NLBs chained to this ALB stop forwarding to it first, then its AWS resources go,
/// then its entries leave its routes' statuses and its ListenerSets say it is gone, then the
/// finalizer.
async fn delete<D: Deploy>(
    gw: &Arc<Gateway>,
    key: &ObjectKey,
    kind: LbKind,
    mut snapshot: Snapshot,
    api: &Api<Gateway>,
    ctx: &Context<D>,
) -> Result<Action> {
    snapshot.gateways.remove(key);
    let (snapshot, translation) = ctx.translate(snapshot).await?;
    let fail = |source| Error::DeleteStack {
        gateway: key.to_string(),
        source,
    };
    if kind == LbKind::Alb {
        for nlb in View::new(&snapshot).chained_to(key) {
            let stack = translation
                .stacks
                .iter()
                .find(|s| s.gateway == nlb.to_string());
            if let Some(stack) = stack
                && let Err(source) = ctx.deploy.apply(stack).await
            {
                let e = fail(source);
                return Err(ctx.failed(gw.as_ref(), "deploy model", e).await);
            }
        }
    }
    // The bindings go first: their finalizer deregisters the targets while the target
    // groups still exist.
    bindings::prune(ctx, key, lb_type(kind), &Default::default()).await?;
    if let Err(source) = ctx.deploy.delete(&key.to_string(), lb_type(kind)).await {
        let e = fail(source);
        return Err(ctx.failed(gw.as_ref(), "deploy model", e).await);
    }
    tracing::info!(gateway = %key, "AWS resources deleted");
    routes::write_all(ctx, &snapshot, &translation, key).await?;
    listener_sets::orphan_all(ctx, key).await?;
    if let Err(e) = finalizer::remove(api, gw.as_ref(), finalizer_of(kind)).await {
        return Err(ctx.failed(gw.as_ref(), "remove finalizer", e).await);
    }
    Ok(Action::await_change())
}

impl<D: Deploy> Context<D> {
    /// Publishes the failure `e` of `doing` as a warning Event on `obj` ("Failed <doing> due to
    /// …") and gives it back.
    pub(super) async fn failed<K: Resource<DynamicType = ()>>(
        &self,
        obj: &K,
        doing: &str,
        e: Error,
    ) -> Error {
        self.event(
            obj,
            true,
            e.event_reason(),
            format!("Failed {doing} due to {e}"),
        )
        .await;
        e
    }

    /// Counts a status write of `kind` on `obj` that changed it; a failed one is published as
    /// a warning Event and returned.
    pub(super) async fn counted<K: Resource<DynamicType = ()>>(
        &self,
        obj: &K,
        kind: &'static str,
        written: Result<Written>,
    ) -> Result<()> {
        match written {
            Ok(Written::Patched) => self.metrics.status_written(kind),
            Ok(_) => {}
            Err(e) => return Err(self.failed(obj, "update status", e).await),
        }
        Ok(())
    }
}
