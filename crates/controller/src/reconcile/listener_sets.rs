//! ListenerSet statuses written by their parent Gateway's reconcile: the conditions and
//! per-listener entries translation computed, made `Programmed` by the deploy's outcome as the
//! Gateway's are, written with the same rules as the Gateway's status (only when it changed,
//! from a fresh enough copy, conflicts retried: `crate::status`).

use super::Context;
use crate::deploy::Deploy;
use crate::error::Result;
use crate::programmed::{listener_set_deploy_failed, listener_set_programmed};
use crate::status;
use gantry_api::gateway::ListenerSet;
use gantry_gateway::listener_sets::{orphaned, parent_of};
use gantry_gateway::status::{ListenerSetStatus, render_listener_set};
use gantry_snapshot::ObjectKey;
use gantry_translate::Translation;
use kube::api::Api;
use kube::runtime::reflector::ObjectRef;
use std::sync::Arc;

/// Writes the status of every ListenerSet naming `gateway`; `outcome` is the Gateway's deploy
/// (None: nothing was deployed, the Gateway is not accepted).
pub async fn write_all<D: Deploy>(
    ctx: &Context<D>,
    translation: &Translation,
    gateway: &ObjectKey,
    outcome: Option<&gantry_deploy::Result<gantry_deploy::Report>>,
) -> Result<()> {
    let now = (ctx.now)();
    for (key, computed) in &translation.statuses.listener_sets {
        let cached = ctx
            .stores
            .listener_sets
            .get(&ObjectRef::new(&key.name).within(&key.namespace));
        // Translation of a Gateway's scope may cover other Gateways (chained ALBs): only this
        // Gateway's ListenerSets are its to write.
        let Some(set) = cached else { continue };
        if parent_of(key, &set).as_ref() != Some(gateway) {
            continue;
        }
        let computed = match outcome {
            Some(Ok(report)) => match &report.load_balancer {
                Some(lb) => listener_set_programmed(computed.clone(), lb),
                None => computed.clone(),
            },
            Some(Err(e)) => listener_set_deploy_failed(computed.clone(), e.status_message()),
            None => computed.clone(),
        };
        write(ctx, &set, key, &computed, &now).await?;
    }
    Ok(())
}

/// After `gateway` is deleted: each ListenerSet naming it says it has no Gateway to be part of.
pub async fn orphan_all<D: Deploy>(ctx: &Context<D>, gateway: &ObjectKey) -> Result<()> {
    let now = (ctx.now)();
    let status = orphaned(gateway);
    for set in ctx.stores.listener_sets.state() {
        let key = ObjectKey::of(&set.metadata);
        if parent_of(&key, &set).as_ref() != Some(gateway) {
            continue;
        }
        write(ctx, &set, &key, &status, &now).await?;
    }
    Ok(())
}

/// Writes `computed` as the status of `set` when it changed.
async fn write<D: Deploy>(
    ctx: &Context<D>,
    set: &Arc<ListenerSet>,
    key: &ObjectKey,
    computed: &ListenerSetStatus,
    now: &str,
) -> Result<()> {
    let api: Api<ListenerSet> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let written = status::write(&api, Some(set.clone()), &key.name, |previous| {
        render_listener_set(computed, previous, now)
    })
    .await;
    ctx.counted(set.as_ref(), "ListenerSet", written).await
}
