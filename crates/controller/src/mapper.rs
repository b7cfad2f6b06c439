//! Turns [`Change`]s from the watches into reconcile requests. Changes are taken in batches,
//! so a burst costs one look at the caches, and the controller's queue coalesces repeated
//! requests for the same object.

use crate::metrics::Metrics;
use crate::stores::Stores;
use crate::triggers::{Change, View};
use futures::channel::mpsc::UnboundedSender;
use gantry_api::gateway::{Gateway, GatewayClass};
use gantry_snapshot::ObjectKey;
use kube::runtime::reflector::ObjectRef;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

/// Where reconcile requests go.
#[derive(Clone)]
pub struct Queues {
    pub gateways: UnboundedSender<ObjectRef<Gateway>>,
    pub classes: UnboundedSender<ObjectRef<GatewayClass>>,
    pub metrics: Arc<Metrics>,
}

impl Queues {
    pub fn gateway(&self, key: &ObjectKey) {
        self.metrics.enqueued(&key.to_string());
        let _ = self
            .gateways
            .unbounded_send(ObjectRef::new(&key.name).within(&key.namespace));
    }

    pub fn class(&self, name: &str) {
        self.metrics.enqueued(name);
        let _ = self.classes.unbounded_send(ObjectRef::new(name));
    }
}

/// Runs until the watches are gone.
pub async fn run(stores: Stores, mut changes: UnboundedReceiver<Change>, queues: Queues) {
    let mut batch = Vec::new();
    while changes.recv_many(&mut batch, 1024).await > 0 {
        let snapshot = stores.trigger_snapshot();
        let view = View::new(&snapshot);
        let mut gateways = BTreeSet::new();
        let mut classes = BTreeSet::new();
        for change in batch.drain(..) {
            match &change {
                // A Gateway coming or going changes whether its class is in use; classes are
                // few, so all of ours are looked at again.
                Change::Gateway(_) | Change::LoadBalancerConfiguration(_) => {
                    classes.extend(snapshot.gateway_classes.keys().map(|k| k.name.clone()));
                }
                Change::GatewayClass(name) => {
                    classes.insert(name.clone());
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
    }
}
