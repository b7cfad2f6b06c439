//! An in-process stand-in for the cluster around the tiered plan: the test plays the
//! controller (apply what is creatable, prune what is neither planned nor kept), Crossplane
//! (report ARNs, become Ready) and Istio (program the shadow Gateway, accept the shadow
//! routes). Applying the planned JSON into the typed snapshot also checks that every planned
//! object decodes as its kind.

use gantry_api::crds::TargetGroupBinding;
use gantry_api::gateway::{Gateway, HttpRoute};
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_tiered::{Observed, TieredPlan, TieredSettings, names, plan};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The cluster as the controller would see it.
pub struct Cluster {
    pub snapshot: Snapshot,
    pub crossplane: BTreeMap<(String, String), Value>,
    next_uid: u32,
}

impl Cluster {
    pub fn new(yaml: &str) -> Self {
        let (snapshot, observed) = super::load("seed", yaml);
        assert!(observed.is_empty());
        let mut cluster = Cluster {
            snapshot,
            crossplane: BTreeMap::new(),
            next_uid: 0,
        };
        // The API server gives every object a uid and generation 1.
        for gw in cluster.snapshot.gateways.clone().values() {
            let mut gw = Gateway::clone(gw);
            gw.metadata.uid = Some(cluster.uid());
            gw.metadata.generation = Some(1);
            insert(&mut cluster.snapshot.gateways, gw);
        }
        for route in cluster.snapshot.http_routes.clone().values() {
            let mut route = HttpRoute::clone(route);
            route.metadata.uid = Some(cluster.uid());
            route.metadata.generation = Some(1);
            insert(&mut cluster.snapshot.http_routes, route);
        }
        cluster
    }

    fn uid(&mut self) -> String {
        self.next_uid += 1;
        format!("uid-{}", self.next_uid)
    }

    pub fn observed(&self) -> Observed {
        let mut observed = Observed::default();
        for o in self.crossplane.values() {
            assert!(observed.insert(o.clone()));
        }
        observed
    }

    pub fn plan(&self) -> TieredPlan {
        plan(
            &self.snapshot,
            &self.observed(),
            &TieredSettings::new("flow"),
        )
    }

    /// One controller pass: apply the creatable objects, prune gantry's objects that are
    /// neither planned nor kept. Returns the plan it applied.
    pub fn reconcile(&mut self) -> TieredPlan {
        let plan = self.plan();
        for p in plan.objects.iter().filter(|p| p.creatable()) {
            self.apply(&p.object);
        }
        let planned = |kind: &str, key: &ObjectKey| {
            plan.objects
                .iter()
                .any(|p| p.kind() == kind && &p.key() == key)
                || plan.kept.iter().any(|k| k.kind == kind && &k.key == key)
        };
        let managed = |m: &gantry_api::k8s::ObjectMeta| {
            m.labels
                .as_ref()
                .and_then(|l| l.get(names::MANAGED_BY.0))
                .map(String::as_str)
                == Some(names::MANAGED_BY.1)
        };
        self.snapshot
            .gateways
            .retain(|k, g| !managed(&g.metadata) || planned("Gateway", k));
        self.snapshot
            .http_routes
            .retain(|k, r| !managed(&r.metadata) || planned("HTTPRoute", k));
        self.snapshot
            .target_group_bindings
            .retain(|k, b| !managed(&b.metadata) || planned("TargetGroupBinding", k));
        self.crossplane.retain(|(kind, name), o| {
            let namespace = o["metadata"]["namespace"].as_str().unwrap_or_default();
            planned(kind, &ObjectKey::new(namespace, name.clone()))
        });
        plan
    }

    /// Create or update: the API server keeps uid and status, and bumps the generation when
    /// the spec changes.
    fn apply(&mut self, object: &Value) {
        let kind = object["kind"].as_str().expect("kind").to_string();
        let name = object["metadata"]["name"]
            .as_str()
            .expect("name")
            .to_string();
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        if gantry_tiered::CloudType::from_wire(api_version, &kind).is_some() {
            let slot = self
                .crossplane
                .entry((kind, name))
                .or_insert_with(|| json!({}));
            let status = slot.get("status").cloned();
            *slot = object.clone();
            if let Some(s) = status {
                slot["status"] = s;
            }
            return;
        }
        let key = ObjectKey::new(
            object["metadata"]["namespace"]
                .as_str()
                .expect("namespaced"),
            name,
        );
        let uid = self.uid();
        match kind.as_str() {
            "Gateway" => upsert::<Gateway>(&mut self.snapshot.gateways, key, object, uid),
            "HTTPRoute" => upsert::<HttpRoute>(&mut self.snapshot.http_routes, key, object, uid),
            "TargetGroupBinding" => upsert::<TargetGroupBinding>(
                &mut self.snapshot.target_group_bindings,
                key,
                object,
                uid,
            ),
            other => panic!("unexpected kind {other}"),
        }
    }

    /// Crossplane: every resource reports its ARN (the load balancer its DNS name too, a
    /// security group its ID), where its provider writes them.
    pub fn crossplane_reports(&mut self, ready: bool) {
        for ((kind, name), o) in &mut self.crossplane {
            let arn = format!(
                "arn:aws:elasticloadbalancing:us-west-2:1:{}/{name}",
                kind.to_lowercase()
            );
            let dns = format!("{name}.elb.example");
            let contrib = o["apiVersion"] == gantry_tiered::CROSSPLANE_API_VERSION;
            let at_provider = match (contrib, kind.as_str()) {
                (true, "LoadBalancer") => json!({"loadBalancerARN": arn, "dnsName": dns}),
                (true, "TargetGroup") => json!({"targetGroups": [{"targetGroupARN": arn}]}),
                (true, _) => json!({"listenerARN": arn}),
                (false, "LB") => json!({"arn": arn, "dnsName": dns}),
                (false, "SecurityGroup") => json!({"arn": arn, "id": format!("sg-{name}")}),
                (false, _) => json!({"arn": arn}),
            };
            o["status"] = json!({"atProvider": at_provider,
                "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]});
        }
    }

    /// Istio: programs every shadow Gateway and accepts every parentRef of a shadow route,
    /// for their current generation.
    pub fn istio_reports(&mut self) {
        set_managed_statuses(&mut self.snapshot.gateways, |gw| {
            let generation = &gw["metadata"]["generation"];
            let cond = |t: &str| {
                json!({"type": t, "status": "True", "reason": t, "message": "istio",
                "observedGeneration": generation, "lastTransitionTime": "2024-01-01T00:00:00Z"})
            };
            let listeners: Vec<Value> = gw["spec"]["listeners"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| {
                    json!({"name": l["name"], "attachedRoutes": 0,
                "supportedKinds": [], "conditions": [cond("Accepted"), cond("Programmed")]})
                })
                .collect();
            json!({"conditions": [cond("Accepted"), cond("Programmed")], "listeners": listeners})
        });
        set_managed_statuses(&mut self.snapshot.http_routes, |route| {
            let generation = &route["metadata"]["generation"];
            let parents: Vec<Value> = route["spec"]["parentRefs"].as_array().cloned().unwrap_or_default().into_iter()
                .map(|p| json!({"parentRef": p, "controllerName": "istio.io/gateway-controller", "conditions": [
                    {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "Route was valid",
                     "observedGeneration": generation, "lastTransitionTime": "2024-01-01T00:00:00Z"}]}))
                .collect();
            json!({"parents": parents})
        });
    }

    /// Sets (or, with `None`, removes) a key of the class's ConfigMap.
    pub fn edit_class_config(&mut self, key: &str, value: Option<&str>) {
        let id = ObjectKey::new("tiered", "tiered-config");
        let mut cm = gantry_api::k8s::ConfigMap::clone(&self.snapshot.config_maps[&id]);
        let data = cm.data.get_or_insert_with(BTreeMap::new);
        match value {
            Some(v) => data.insert(key.to_string(), v.to_string()),
            None => data.remove(key),
        };
        self.snapshot.config_maps.insert(id, Arc::new(cm));
    }

    /// A user edit: the API server bumps the generation.
    pub fn edit_gateway(&mut self, name: &str, edit: impl FnOnce(&mut Gateway)) {
        let mut gw = Gateway::clone(&self.snapshot.gateways[&ObjectKey::new("tiered", name)]);
        edit(&mut gw);
        gw.metadata.generation = gw.metadata.generation.map(|g| g + 1);
        insert(&mut self.snapshot.gateways, gw);
    }

    pub fn edit_route(&mut self, name: &str, edit: impl FnOnce(&mut HttpRoute)) {
        let mut route =
            HttpRoute::clone(&self.snapshot.http_routes[&ObjectKey::new("tiered", name)]);
        edit(&mut route);
        route.metadata.generation = route.metadata.generation.map(|g| g + 1);
        insert(&mut self.snapshot.http_routes, route);
    }
}

/// Gives each object of `objects` that gantry manages (by its managed-by label) the status
/// `status` computes from the object (as JSON).
fn set_managed_statuses<K>(
    objects: &mut gantry_snapshot::Objects<K>,
    status: impl Fn(&Value) -> Value,
) where
    K: gantry_api::k8s::Resource + serde::de::DeserializeOwned + serde::Serialize,
{
    let managed: Vec<Value> = objects
        .values()
        .filter(|o| {
            o.meta()
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key(names::MANAGED_BY.0))
        })
        .map(|o| serde_json::to_value(o.as_ref()).expect("serializable"))
        .collect();
    for mut object in managed {
        object["status"] = status(&object);
        insert(objects, serde_json::from_value(object).expect("a status"));
    }
}

pub fn insert<K: gantry_api::k8s::Resource>(objects: &mut gantry_snapshot::Objects<K>, object: K) {
    objects.insert(ObjectKey::of(object.meta()), Arc::new(object));
}

fn upsert<K>(objects: &mut gantry_snapshot::Objects<K>, key: ObjectKey, object: &Value, uid: String)
where
    K: gantry_api::k8s::Resource + serde::de::DeserializeOwned + serde::Serialize + Clone,
{
    let mut new: K = serde_json::from_value(object.clone())
        .unwrap_or_else(|e| panic!("{key}: planned object does not decode: {e}"));
    let new_spec = serde_json::to_value(&new).expect("serializable")["spec"].clone();
    let old = objects
        .get(&key)
        .map(|o| serde_json::to_value(o.as_ref()).expect("serializable"));
    let meta = new.meta_mut();
    match &old {
        Some(old) => {
            meta.uid = old["metadata"]["uid"].as_str().map(str::to_string);
            let generation = old["metadata"]["generation"].as_i64().unwrap_or(1);
            let changed = old["spec"] != new_spec;
            meta.generation = Some(generation + i64::from(changed));
        }
        None => {
            meta.uid = Some(uid);
            meta.generation = Some(1);
        }
    }
    let mut v = serde_json::to_value(&new).expect("serializable");
    if let Some(status) = old
        .as_ref()
        .and_then(|o| o.get("status"))
        .filter(|s| !s.is_null())
    {
        v["status"] = status.clone();
    }
    new = serde_json::from_value(v).expect("round trip");
    objects.insert(key, Arc::new(new));
}
