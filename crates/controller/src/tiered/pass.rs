//! One pass of the tiered loop: snapshot → `gantry_tiered::plan` → finalizers, server-side
//! apply of what is creatable, pruning, statuses. Every step is idempotent and skips writes
//! the caches show are not needed, so a pass over a settled cluster makes no request.

use super::watches::{TieredStores, crossplane_resource};
use crate::finalizer;
use crate::reconcile::wall_clock;
use crate::status;
use crate::stores::objects;
use gantry_api::crds::TargetGroupBinding;
use gantry_api::gateway::{
    Gateway, GatewayClass, GrpcRoute, HttpRoute, TcpRoute, TlsRoute, UdpRoute,
};
use gantry_api::k8s::Resource;
use gantry_api::wire::FIELD_MANAGER;
use gantry_gateway::routes::RouteKind;
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use gantry_tiered::status::{
    RouteParentStatus, render_gateway, render_gateway_class, render_route,
};
use gantry_tiered::{CloudType, Observed, TieredPlan, TieredSettings, names};
use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt::Debug;

/// What a pass reads.
pub struct Ctx {
    pub client: Client,
    pub stores: crate::stores::Stores,
    pub tiered: TieredStores,
    pub deploy: std::sync::Arc<dyn crate::deploy::Deploy>,
    pub settings: TieredSettings,
}

impl Ctx {
    /// Runs one pass; returns the failures (each step goes on after one: a failed status
    /// write must not keep a load balancer from being created).
    pub async fn pass(&self) -> Vec<String> {
        if super::idle::idle(self) {
            return Vec::new();
        }
        let mut snapshot = self.stores.snapshot();
        snapshot.config_maps = objects(&self.tiered.config_maps);
        snapshot.target_group_bindings = objects(&self.tiered.target_group_bindings);
        let observed = self.observed();
        let mut failures = Vec::new();
        // The clock is read here, not in the plan: listener Secrets' validity period.
        let settings = TieredSettings {
            now: crate::certificates::unix_now(),
            ..self.settings.clone()
        };
        let planned =
            super::certificates::plan(self.deploy.as_ref(), snapshot, observed, &settings);
        let (snapshot, observed, plan, acm_failures) = match planned.await {
            Ok(r) => r,
            Err(e) => return vec![e],
        };
        failures.extend(acm_failures);
        for p in &plan.problems {
            tracing::debug!(object = %p.object, problem = %p.message, "tiered plan");
        }
        self.finalizers(&snapshot, &observed, &plan, &mut failures)
            .await;
        self.apply(&snapshot, &observed, &plan, &mut failures).await;
        self.prune(&snapshot, &observed, &plan, &mut failures).await;
        self.statuses(&snapshot, &plan, &mut failures).await;
        failures
    }

    /// The Crossplane caches, with `apiVersion`/`kind` set (list items may lack them).
    fn observed(&self) -> Observed {
        let mut observed = Observed::default();
        for (ty, store) in &self.tiered.crossplane {
            for o in store.state() {
                if let Ok(mut v) = serde_json::to_value(o.as_ref()) {
                    v["apiVersion"] = ty.api_version().into();
                    v["kind"] = ty.kind_name().into();
                    observed.insert(v);
                }
            }
        }
        observed
    }

    /// `names::FINALIZER` on every tiered Gateway whose provider family is cluster-scoped or
    /// whose load balancer listeners take a certificate imported from a Secret; removed once
    /// the Gateway is being deleted (or left the tiered class), no Crossplane resource
    /// labelled with it remains, and the certificates imported from its listeners' Secrets
    /// are deleted from ACM — garbage collection cannot remove cluster-scoped objects nor ACM
    /// certificates for us (namespaced objects are owned by the Gateway).
    async fn finalizers(
        &self,
        snapshot: &Snapshot,
        observed: &Observed,
        plan: &TieredPlan,
        failures: &mut Vec<String>,
    ) {
        for (key, gw) in &snapshot.gateways {
            let tiered = snapshot
                .gateway_classes
                .get(&ObjectKey::cluster(gw.spec.gateway_class_name.clone()))
                .is_some_and(|c| c.spec.controller_name == names::CONTROLLER_NAME);
            let deleting = gw.metadata.deletion_timestamp.is_some();
            let has = finalizer::has(gw.as_ref(), names::FINALIZER);
            let api: Api<Gateway> = Api::namespaced(self.client.clone(), &key.namespace);
            let cluster_scoped = plan.families.get(key).is_some_and(|f| !f.namespaced());
            let imports = plan.secret_certificates.contains_key(key);
            let result = if tiered && (cluster_scoped || imports) && !deleting && !has {
                finalizer::add(&api, gw.as_ref(), names::FINALIZER).await
            } else if has && (deleting || !tiered) && !has_cloud_resources(observed, key) {
                match super::certificates::delete_imported(
                    self.deploy.as_ref(),
                    snapshot,
                    plan,
                    key,
                    gw,
                )
                .await
                {
                    Ok(()) => finalizer::remove(&api, gw.as_ref(), names::FINALIZER).await,
                    Err(e) => {
                        failures.push(e);
                        Ok(())
                    }
                }
            } else {
                Ok(())
            };
            if let Err(e) = result {
                failures.push(e.to_string());
            }
        }
    }

    /// Server-side apply (field manager "gantry", forced: these objects are gantry's, the
    /// plan has checked nobody else holds their names) of every creatable planned object the
    /// cache does not already show as planned.
    async fn apply(
        &self,
        snapshot: &Snapshot,
        observed: &Observed,
        plan: &TieredPlan,
        failures: &mut Vec<String>,
    ) {
        let params = PatchParams::apply(FIELD_MANAGER).force();
        for p in plan.objects.iter().filter(|p| p.creatable()) {
            let key = p.key();
            let Some(api) = self.api(p.kind(), &key.namespace) else {
                continue;
            };
            let mut want = p.object.clone();
            want["apiVersion"] = api.1.api_version.clone().into();
            if cached(snapshot, observed, p.kind(), &key)
                .is_some_and(|have| contains(&have, &want, true))
            {
                continue;
            }
            tracing::info!(kind = p.kind(), object = %key, "tiered: applying");
            if let Err(e) = api.0.patch(&key.name, &params, &Patch::Apply(&want)).await {
                failures.push(format!("applying {} {key}: {e}", p.kind()));
            }
        }
    }

    /// Deletes gantry's labelled objects that are neither planned nor kept.
    async fn prune(
        &self,
        snapshot: &Snapshot,
        observed: &Observed,
        plan: &TieredPlan,
        failures: &mut Vec<String>,
    ) {
        let wanted = |kind: &str, key: &ObjectKey| {
            plan.objects
                .iter()
                .any(|p| p.kind() == kind && &p.key() == key)
                || plan.kept.iter().any(|k| k.kind == kind && &k.key == key)
        };
        let mut doomed: Vec<(String, ObjectKey)> = Vec::new();
        let mut check = |kind: &str, key: &ObjectKey, meta: &gantry_api::k8s::ObjectMeta| {
            if managed(meta.labels.as_ref())
                && meta.deletion_timestamp.is_none()
                && !wanted(kind, key)
            {
                doomed.push((kind.to_string(), key.clone()));
            }
        };
        fn each<K: Resource>(
            objects: &Objects<K>,
            kind: &str,
            check: &mut impl FnMut(&str, &ObjectKey, &gantry_api::k8s::ObjectMeta),
        ) {
            for (key, o) in objects {
                check(kind, key, o.meta());
            }
        }
        each(&snapshot.gateways, "Gateway", &mut check);
        each(&snapshot.http_routes, "HTTPRoute", &mut check);
        each(&snapshot.grpc_routes, "GRPCRoute", &mut check);
        each(&snapshot.tcp_routes, "TCPRoute", &mut check);
        each(&snapshot.udp_routes, "UDPRoute", &mut check);
        each(&snapshot.tls_routes, "TLSRoute", &mut check);
        each(
            &snapshot.target_group_bindings,
            "TargetGroupBinding",
            &mut check,
        );
        for (ty, o) in observed.iter() {
            if let Ok(meta) = serde_json::from_value(o.get("metadata").cloned().unwrap_or_default())
            {
                let meta: gantry_api::k8s::ObjectMeta = meta;
                let namespace = meta.namespace.clone().filter(|_| ty.namespaced());
                let key = ObjectKey::new(
                    namespace.unwrap_or_default(),
                    meta.name.clone().unwrap_or_default(),
                );
                check(ty.kind_name(), &key, &meta);
            }
        }
        for (kind, key) in doomed {
            let Some((api, _)) = self.api(&kind, &key.namespace) else {
                continue;
            };
            tracing::info!(%kind, object = %key, "tiered: deleting what is no longer planned");
            match api.delete(&key.name, &DeleteParams::background()).await {
                Ok(_) => {}
                Err(kube::Error::Api(e)) if e.code == 404 => {}
                Err(e) => failures.push(format!("deleting {kind} {key}: {e}")),
            }
        }
    }

    /// The statuses of the tiered classes, user Gateways and user routes.
    async fn statuses(&self, snapshot: &Snapshot, plan: &TieredPlan, failures: &mut Vec<String>) {
        let now = wall_clock();
        let mut s = plan.statuses.clone();
        explain_missing_crossplane(&mut s, plan, &self.tiered.missing_crossplane());
        let s = &s;
        let mut results = Vec::new();
        for (name, st) in &s.gateway_classes {
            let api: Api<GatewayClass> = Api::all(self.client.clone());
            let cached = snapshot
                .gateway_classes
                .get(&ObjectKey::cluster(name.clone()))
                .cloned();
            results.push(
                status::write(&api, cached, name, |prev| {
                    render_gateway_class(st, prev, &now)
                })
                .await,
            );
        }
        for (key, st) in &s.gateways {
            let api: Api<Gateway> = Api::namespaced(self.client.clone(), &key.namespace);
            let cached = snapshot.gateways.get(key).cloned();
            results.push(
                status::write(&api, cached, &key.name, |prev| {
                    render_gateway(st, prev, &now)
                })
                .await,
            );
        }
        for ((kind, key), parents) in &s.routes {
            let r = match kind {
                RouteKind::Http => self.route(&snapshot.http_routes, key, parents, &now).await,
                RouteKind::Grpc => self.route(&snapshot.grpc_routes, key, parents, &now).await,
                RouteKind::Tcp => self.route(&snapshot.tcp_routes, key, parents, &now).await,
                RouteKind::Udp => self.route(&snapshot.udp_routes, key, parents, &now).await,
                RouteKind::Tls => self.route(&snapshot.tls_routes, key, parents, &now).await,
            };
            results.push(r);
        }
        failures.extend(
            results
                .into_iter()
                .filter_map(|r| r.err().map(|e| e.to_string())),
        );
    }

    async fn route<K>(
        &self,
        cache: &Objects<K>,
        key: &ObjectKey,
        parents: &[RouteParentStatus],
        now: &str,
    ) -> crate::Result<status::Written>
    where
        K: Resource<DynamicType = (), Scope = kube::core::NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + Serialize
            + Debug,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), &key.namespace);
        status::write(&api, cache.get(key).cloned(), &key.name, |prev| {
            render_route(parents, prev, now)
        })
        .await
    }

    /// A dynamic API for a kind gantry plans, with its resource.
    fn api(&self, kind: &str, namespace: &str) -> Option<(Api<DynamicObject>, ApiResource)> {
        let ar = match kind {
            "Gateway" => ApiResource::erase::<Gateway>(&()),
            "HTTPRoute" => ApiResource::erase::<HttpRoute>(&()),
            "GRPCRoute" => ApiResource::erase::<GrpcRoute>(&()),
            "TCPRoute" => ApiResource::erase::<TcpRoute>(&()),
            "UDPRoute" => ApiResource::erase::<UdpRoute>(&()),
            "TLSRoute" => ApiResource::erase::<TlsRoute>(&()),
            "TargetGroupBinding" => ApiResource::erase::<TargetGroupBinding>(&()),
            // Upbound's cluster-scoped and namespaced kinds share names: the scope decides.
            other => crossplane_resource(CloudType::from_kind(other, !namespace.is_empty())?),
        };
        let api = if namespace.is_empty() {
            Api::all_with(self.client.clone(), &ar)
        } else {
            Api::namespaced_with(self.client.clone(), namespace, &ar)
        };
        Some((api, ar))
    }
}

/// Without the Crossplane CRDs of its class's provider family the cloud tier cannot be
/// created: the user's Gateway says so in its `Programmed` message instead of waiting
/// silently.
fn explain_missing_crossplane(
    s: &mut gantry_tiered::TieredStatuses,
    plan: &TieredPlan,
    missing: &[CloudType],
) {
    for (key, gw) in s.gateways.iter_mut() {
        let Some(family) = plan.families.get(key) else {
            continue;
        };
        let kinds: Vec<String> = missing
            .iter()
            .filter(|t| t.family == *family)
            .map(|t| format!("{} ({})", t.kind_name(), t.api_version()))
            .collect();
        if kinds.is_empty() {
            continue;
        }
        let note = format!(
            "the Crossplane CRDs of {} are not installed",
            kinds.join(", ")
        );
        for c in gw.conditions.iter_mut() {
            if c.kind == "Programmed" && c.status != "True" {
                c.message = format!("{}; {note}", c.message);
            }
        }
    }
}

fn managed(labels: Option<&std::collections::BTreeMap<String, String>>) -> bool {
    labels
        .and_then(|l| l.get(names::MANAGED_BY.0))
        .map(String::as_str)
        == Some(names::MANAGED_BY.1)
}

/// Whether any Crossplane resource carries the labels of Gateway `key`.
fn has_cloud_resources(observed: &Observed, key: &ObjectKey) -> bool {
    let name = names::label_value(&key.name);
    observed.iter().any(|(_, o)| {
        let label = |l: &str| {
            o.pointer("/metadata/labels")
                .and_then(|ls| ls.get(l))
                .and_then(Value::as_str)
        };
        label(names::GATEWAY_NAMESPACE_LABEL) == Some(key.namespace.as_str())
            && label(names::GATEWAY_NAME_LABEL) == Some(name.as_str())
    })
}

/// The cached object of a planned kind, as JSON.
fn cached(snapshot: &Snapshot, observed: &Observed, kind: &str, key: &ObjectKey) -> Option<Value> {
    fn json<K: Serialize>(objects: &Objects<K>, key: &ObjectKey) -> Option<Value> {
        objects
            .get(key)
            .and_then(|o| serde_json::to_value(o.as_ref()).ok())
    }
    match kind {
        "Gateway" => json(&snapshot.gateways, key),
        "HTTPRoute" => json(&snapshot.http_routes, key),
        "GRPCRoute" => json(&snapshot.grpc_routes, key),
        "TCPRoute" => json(&snapshot.tcp_routes, key),
        "UDPRoute" => json(&snapshot.udp_routes, key),
        "TLSRoute" => json(&snapshot.tls_routes, key),
        "TargetGroupBinding" => json(&snapshot.target_group_bindings, key),
        other => observed
            .get(CloudType::from_kind(other, !key.namespace.is_empty())?, key)
            .cloned(),
    }
}

/// Whether `have` already holds every field of `want` (`apiVersion` aside at the top: the
/// cache may hold another served version of the same object).
fn contains(have: &Value, want: &Value, top: bool) -> bool {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => w.iter().all(|(k, wv)| {
            (top && k == "apiVersion") || h.get(k).is_some_and(|hv| contains(hv, wv, false))
        }),
        (Value::Array(h), Value::Array(w)) => {
            h.len() == w.len() && h.iter().zip(w).all(|(hv, wv)| contains(hv, wv, false))
        }
        (Value::Number(h), Value::Number(w)) => h.as_f64() == w.as_f64(),
        _ => have == want,
    }
}

#[cfg(test)]
mod tests {
    use super::contains;
    use serde_json::json;

    #[test]
    fn a_cached_object_with_more_fields_contains_the_planned_one() {
        let have = json!({"apiVersion": "v1", "metadata": {"name": "a", "uid": "u"},
            "spec": {"ports": [{"port": 80, "extra": 1}]}, "status": {}});
        let want = json!({"apiVersion": "v1beta1", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}});
        assert!(contains(&have, &want, true));
        let changed = json!({"spec": {"ports": [{"port": 81}]}});
        assert!(!contains(&have, &changed, true));
        let longer = json!({"spec": {"ports": [{"port": 80}, {"port": 81}]}});
        assert!(!contains(&have, &longer, true));
    }
}
