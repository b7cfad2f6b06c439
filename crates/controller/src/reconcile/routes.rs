//! Route statuses written by a Gateway's reconcile: every route that names the Gateway (in
//! its spec, or in a status entry of ours) gets this controller's `status.parents` entries
//! for that Gateway as translation computed them; entries for other Gateways, and other
//! controllers' entries, are carried along unchanged.

use super::{Context, scope};
use crate::deploy::Deploy;
use crate::error::Result;
use crate::kinds::RouteObject;
use crate::status::{self, Written};
use gantry_api::k8s::Resource;
use gantry_gateway::routes::RouteKind;
use gantry_gateway::status::{merge_route_parents_for_parents, render_route_parents};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use gantry_translate::Translation;
use kube::api::Api;
use kube::core::NamespaceResourceScope;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Writes the statuses of every route of `gateway`.
pub async fn write_all<D: Deploy>(
    ctx: &Context<D>,
    snapshot: &Snapshot,
    translation: &Translation,
    gateway: &ObjectKey,
) -> Result<()> {
    let statuses = RouteStatuses {
        ctx,
        snapshot,
        translation,
        gateway,
    };
    statuses
        .write(RouteKind::Http, &snapshot.http_routes)
        .await?;
    statuses
        .write(RouteKind::Grpc, &snapshot.grpc_routes)
        .await?;
    statuses.write(RouteKind::Tcp, &snapshot.tcp_routes).await?;
    statuses.write(RouteKind::Udp, &snapshot.udp_routes).await?;
    statuses.write(RouteKind::Tls, &snapshot.tls_routes).await?;
    Ok(())
}

/// What writing the route statuses of one Gateway reads, whatever the route kind.
struct RouteStatuses<'a, D> {
    ctx: &'a Context<D>,
    snapshot: &'a Snapshot,
    translation: &'a Translation,
    gateway: &'a ObjectKey,
}

impl<D: Deploy> RouteStatuses<'_, D> {
    async fn write<K>(&self, kind: RouteKind, routes: &Objects<K>) -> Result<()>
    where
        K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>
            + RouteObject
            + Clone
            + Serialize
            + DeserializeOwned
            + Debug,
    {
        let RouteStatuses {
            ctx,
            snapshot,
            translation,
            gateway,
        } = *self;
        let ours = ctx.config.controller_names();
        let now = (ctx.now)();
        let listener_sets = ctx.config.translate.listener_sets;
        for (key, route) in routes {
            let index = crate::route_parents::RouteIndex::of(route.as_ref());
            if !scope::names(snapshot, gateway, &index, listener_sets) {
                continue;
            }
            let computed = translation.statuses.routes.get(&(kind, key.clone()));
            let api: Api<K> = Api::namespaced(ctx.client.clone(), &key.namespace);
            let written = status::write(&api, Some(route.clone()), &key.name, |previous| {
                let rendered = computed
                    .map(|s| render_route_parents(s, previous, &now))
                    .unwrap_or_default();
                if previous.is_none() && rendered.is_empty() {
                    return serde_json::Value::Null;
                }
                // Only the entries of this Gateway and its ListenerSets: its translation saw only
                // its own part of the cluster (`scope.rs`).
                merge_route_parents_for_parents(
                    previous,
                    &ours,
                    &key.namespace,
                    |kind, namespace, name| match kind {
                        "Gateway" => namespace == gateway.namespace && name == gateway.name,
                        "ListenerSet" => {
                            listener_sets
                                && scope::owns_listener_set(
                                    snapshot,
                                    gateway,
                                    &ObjectKey::new(namespace, name),
                                )
                        }
                        _ => false,
                    },
                    rendered,
                )
            })
            .await?;
            if written == Written::Patched {
                ctx.metrics.status_written(kind.as_str());
            }
        }
        Ok(())
    }
}
