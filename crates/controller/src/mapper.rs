//! Turns [`Change`]s from the watches into reconcile requests. Changes are taken in batches,
//! so a burst costs one look at the caches, and the controller's queue coalesces repeated
//! requests for the same object.

use crate::metrics::Metrics;
use crate::stores::Stores;
use crate::triggers::{Change, TargetsChange, View};
use futures::channel::mpsc::UnboundedSender;
use gantry_api::crds::{TargetGroupBinding, TargetType};
use gantry_api::gateway::{Gateway, GatewayClass};
use gantry_snapshot::ObjectKey;
use kube::runtime::reflector::ObjectRef;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::mpsc::Receiver;

/// Capacity of the channel from the watches to the mapper (and of the tiered class's
/// channels): a full channel holds the watches back until the mapper has taken a batch.
pub const CHANGES: usize = 1024;

/// Where reconcile requests go. The channels have no capacity limit, but the kube
/// controllers drain them at once into their schedulers, which hold each object at most once:
/// what waits is bounded by the number of Gateways, classes and bindings.
#[derive(Clone)]
pub struct Queues {
    pub gateways: UnboundedSender<ObjectRef<Gateway>>,
    pub classes: UnboundedSender<ObjectRef<GatewayClass>>,
    pub bindings: UnboundedSender<ObjectRef<TargetGroupBinding>>,
    pub metrics: Arc<Metrics>,
}

impl Queues {
    pub fn gateway(&self, key: &ObjectKey) {
        self.metrics.enqueued(&key.to_string());
        let _ = self
            .gateways
            .unbounded_send(ObjectRef::new(&key.name).within(&key.namespace));
    }

    pub fn binding(&self, key: &ObjectKey) {
        self.metrics.enqueued(&key.to_string());
        let _ = self
            .bindings
            .unbounded_send(ObjectRef::new(&key.name).within(&key.namespace));
    }

    pub fn class(&self, name: &str) {
        self.metrics.enqueued(name);
        let _ = self.classes.unbounded_send(ObjectRef::new(name));
    }
}

/// Runs until the watches are gone.
pub async fn run(stores: Stores, mut changes: Receiver<Change>, queues: Queues) {
    let mut batch = Vec::new();
    while changes.recv_many(&mut batch, CHANGES).await > 0 {
        let snapshot = stores.trigger_snapshot();
        let view = View::new(&snapshot);
        let mut gateways = BTreeSet::new();
        let mut classes = BTreeSet::new();
        let mut bindings = BTreeSet::new();
        let all_bindings = stores.target_group_bindings.state();
        for change in batch.drain(..) {
            bindings.extend(bindings_for(&all_bindings, &change));
            match &change {
                // A Gateway coming or going changes whether its class is in use; classes are
                // few, so all of ours are looked at again.
                Change::Gateway(_) | Change::LoadBalancerConfiguration(_) => {
                    classes.extend(snapshot.gateway_classes.keys().map(|k| k.name.clone()));
                    // A Gateway's listeners name certificate Secrets.
                    if matches!(change, Change::Gateway(_)) {
                        stores.secrets.references_changed();
                    }
                    // The CA ConfigMaps it names may change: their watches follow.
                    stores.config_maps.references_changed();
                }
                Change::GatewayClass(name) => {
                    classes.insert(name.clone());
                    // Whether its Gateways' certificate Secrets and CA ConfigMaps are ours
                    // to read.
                    stores.secrets.references_changed();
                    stores.config_maps.references_changed();
                }
                // The Secrets they name (or may read, through a grant) may change: the
                // referenced-Secret watches follow.
                Change::ListenerRuleConfiguration(_) => stores.secrets.references_changed(),
                Change::ReferenceGrant(_) => {
                    stores.secrets.references_changed();
                    stores.config_maps.references_changed();
                }
                _ => {}
            }
            gateways.extend(view.gateways_for(&change));
        }
        tracing::debug!(
            gateways = gateways.len(),
            classes = classes.len(),
            "triggered"
        );
        for g in &gateways {
            queues.gateway(g);
        }
        for c in &classes {
            queues.class(c);
        }
        for b in &bindings {
            queues.binding(b);
        }
    }
}

/// The bindings whose targets `change` can move: the binding itself, those of a Service
/// (its spec or its EndpointSlices), and every instance binding for a Node.
fn bindings_for(all: &[Arc<TargetGroupBinding>], change: &Change) -> Vec<ObjectKey> {
    let of_service = |svc: &ObjectKey| -> Vec<ObjectKey> {
        all.iter()
            .filter(|b| {
                b.metadata.namespace.as_deref() == Some(svc.namespace.as_str())
                    && b.spec.service_ref.name == svc.name
            })
            .map(|b| ObjectKey::of(&b.metadata))
            .collect()
    };
    match change {
        Change::Targets(TargetsChange::Binding(key)) => vec![key.clone()],
        Change::Targets(TargetsChange::Pod(keys)) => keys.clone(),
        Change::Targets(TargetsChange::Endpoints(svc)) | Change::Service(svc) => of_service(svc),
        Change::Targets(TargetsChange::Node) => all
            .iter()
            .filter(|b| b.spec.target_type == Some(TargetType::Instance))
            .map(|b| ObjectKey::of(&b.metadata))
            .collect(),
        _ => Vec::new(),
    }
}
