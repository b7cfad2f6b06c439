//! A GatewayClass of this controller: its `Accepted` status, and a finalizer while Gateways
//! use it (docs/status-conditions.md).

use super::{Context, gated};
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use crate::finalizer;
use crate::status::{self, Written};
use gantry_api::gateway::GatewayClass;
use gantry_api::wire::GATEWAY_CLASS_FINALIZER;
use gantry_gateway::LbKind;
use gantry_gateway::status::render_gateway_class;
use gantry_snapshot::ObjectKey;
use kube::api::Api;
use kube::runtime::controller::Action;
use std::sync::Arc;

pub async fn reconcile<D: Deploy>(
    class: Arc<GatewayClass>,
    ctx: Arc<Context<D>>,
) -> Result<Action> {
    let key = ObjectKey::of(&class.metadata);
    gated(&ctx, "GatewayClass", &key, run(&class, &key, &ctx)).await
}

async fn run<D: Deploy>(
    class: &Arc<GatewayClass>,
    key: &ObjectKey,
    ctx: &Context<D>,
) -> Result<Action> {
    let ours = LbKind::from_controller_name(&class.spec.controller_name)
        .is_some_and(|k| ctx.config.enabled().contains(&k));
    if !ours {
        return Ok(Action::await_change());
    }
    let api: Api<GatewayClass> = Api::all(ctx.client.clone());
    // Gateways being deleted still count: their cleanup needs the class.
    let used = ctx
        .stores
        .gateways
        .find(|g| g.spec.gateway_class_name == key.name)
        .is_some();
    if class.metadata.deletion_timestamp.is_some() {
        if used {
            return Err(Error::ClassInUse {
                class: key.name.clone(),
            });
        }
        finalizer::remove(&api, class.as_ref(), GATEWAY_CLASS_FINALIZER).await?;
        return Ok(Action::await_change());
    }
    if used {
        finalizer::add(&api, class.as_ref(), GATEWAY_CLASS_FINALIZER).await?;
    } else {
        finalizer::remove(&api, class.as_ref(), GATEWAY_CLASS_FINALIZER).await?;
    }
    let (_, translation) = ctx.translate(ctx.stores.class_snapshot()).await?;
    if let Some(computed) = translation.statuses.gateway_classes.get(&key.name) {
        let now = (ctx.now)();
        let written = status::write(&api, Some(class.clone()), &key.name, |previous| {
            render_gateway_class(computed, previous, &now)
        })
        .await?;
        if written == Written::Patched {
            ctx.metrics.status_written("GatewayClass");
        }
    }
    Ok(Action::requeue(ctx.config.sync_period))
}
