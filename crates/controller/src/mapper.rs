//! Turns [`Change`]s from the watches into reconcile requests. Changes are taken in batches,
//! so a burst costs one look at the caches, and the controller's queue coalesces repeated
//! requests for the same object.

use crate::metrics::Metrics;
use crate::stores::Stores;
use crate::triggers::{Change, TargetsChange, View};
use gantry_api::crds::{TargetGroupBinding, TargetType};
use gantry_api::gateway::{Gateway, GatewayClass};
use gantry_snapshot::ObjectKey;
use kube::runtime::reflector::ObjectRef;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::mpsc::{Receiver, Sender};

/// Capacity of the channel from the watches to the mapper (and of the tiered class's
/// channels): a full channel holds the watches back until the mapper has taken a batch.
pub const CHANGES: usize = 1024;

/// Where reconcile requests go: channels of [`CHANGES`] requests each, drained by the kube
/// controllers into their schedulers (which hold each object at most once). A full channel
/// makes the sender wait, which holds the mapper and through it the watches back.
#[derive(Clone)]
pub struct Queues {
    pub gateways: Sender<ObjectRef<Gateway>>,
    pub classes: Sender<ObjectRef<GatewayClass>>,
    pub bindings: Sender<ObjectRef<TargetGroupBinding>>,
    pub metrics: Arc<Metrics>,
}

impl Queues {
    pub async fn gateway(&self, key: &ObjectKey) {
        self.metrics.enqueued(&key.to_string());
        let request = ObjectRef::new(&key.name).within(&key.namespace);
        // An error means the controller has stopped: nothing is left to reconcile.
        let _ = self.gateways.send(request).await;
    }

    pub async fn binding(&self, key: &ObjectKey) {
        self.metrics.enqueued(&key.to_string());
        let request = ObjectRef::new(&key.name).within(&key.namespace);
        let _ = self.bindings.send(request).await;
    }

    pub async fn class(&self, name: &str) {
        self.metrics.enqueued(name);
        let _ = self.classes.send(ObjectRef::new(name)).await;
    }
}

/// The receiving end of a queue as the stream a kube controller's `reconcile_on` takes.
pub fn requests<T: Send + 'static>(
    mut rx: Receiver<T>,
) -> impl futures::Stream<Item = T> + Send + 'static {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// Runs until the watches are gone.
pub async fn run(stores: Stores, mut changes: Receiver<Change>, queues: Queues) {
    let mut batch = Vec::new();
    let mut set_parents = SetParents::default();
    while changes.recv_many(&mut batch, CHANGES).await > 0 {
        let snapshot = stores.trigger_snapshot();
        let view = View::with_stores(&snapshot, &stores);
        set_parents.learn(&snapshot);
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
            if let Change::ListenerSet { key, parent } = &change {
                let gone = !snapshot.listener_sets.contains_key(key);
                gateways.extend(set_parents.moved(key, parent.as_ref(), gone));
            }
            gateways.extend(view.gateways_for(&change));
        }
        tracing::debug!(
            gateways = gateways.len(),
            classes = classes.len(),
            "triggered"
        );
        for g in &gateways {
            queues.gateway(g).await;
        }
        for c in &classes {
            queues.class(c).await;
        }
        for b in &bindings {
            queues.binding(b).await;
        }
    }
}

/// The Gateway each ListenerSet named when last seen: a ListenerSet whose parentRef moves
/// to another Gateway must also reconcile the one it left (its listener goes from that load
/// balancer), and the change carries only the new parent.
#[derive(Default)]
struct SetParents(HashMap<ObjectKey, Option<ObjectKey>>);

impl SetParents {
    /// Remembers the parents of ListenerSets not seen before (those cached at start).
    fn learn(&mut self, snapshot: &gantry_snapshot::Snapshot) {
        for (key, set) in &snapshot.listener_sets {
            self.0
                .entry(key.clone())
                .or_insert_with(|| gantry_gateway::listener_sets::parent_of(key, set));
        }
    }

    /// The Gateway `key` named before, when it differs from `parent`; `gone`: the ListenerSet
    /// was deleted, so it is forgotten.
    fn moved(
        &mut self,
        key: &ObjectKey,
        parent: Option<&ObjectKey>,
        gone: bool,
    ) -> Option<ObjectKey> {
        let before = if gone {
            self.0.remove(key)
        } else {
            self.0.insert(key.clone(), parent.cloned())
        };
        before.flatten().filter(|b| Some(b) != parent)
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

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::time::Duration;

    /// A ListenerSet moved from one Gateway to another reconciles both; one deleted is
    /// forgotten.
    #[test]
    fn a_listener_set_moved_to_another_gateway_names_the_one_it_left() {
        let mut parents = SetParents::default();
        let set = ObjectKey::new("team", "extra");
        let (a, b) = (ObjectKey::new("infra", "a"), ObjectKey::new("infra", "b"));
        assert_eq!(parents.moved(&set, Some(&a), false), None, "new");
        assert_eq!(parents.moved(&set, Some(&a), false), None, "same parent");
        assert_eq!(parents.moved(&set, Some(&b), false), Some(a), "moved");
        assert_eq!(parents.moved(&set, Some(&b), true), None, "deleted");
        assert!(parents.0.is_empty());
    }

    /// A queue nobody drains holds at most its capacity: the next request waits until one is
    /// taken, rather than growing the queue.
    #[tokio::test(start_paused = true)]
    async fn a_full_queue_makes_the_sender_wait() {
        let (gateways, gateway_rx) = tokio::sync::mpsc::channel(2);
        let (classes, _class_rx) = tokio::sync::mpsc::channel(2);
        let (bindings, _binding_rx) = tokio::sync::mpsc::channel(2);
        let queues = Queues {
            gateways,
            classes,
            bindings,
            metrics: Arc::new(Metrics::new(None)),
        };
        let key = |name: &str| ObjectKey::new("apps", name);
        queues.gateway(&key("a")).await;
        queues.gateway(&key("b")).await;
        let third = tokio::time::timeout(Duration::from_secs(5), queues.gateway(&key("c"))).await;
        assert!(third.is_err(), "a third request fit in a queue of two");

        let mut requests = requests(gateway_rx);
        assert_eq!(requests.next().await.map(|r| r.name), Some("a".into()));
        tokio::time::timeout(Duration::from_secs(5), queues.gateway(&key("c")))
            .await
            .expect("a request fits once one was taken");
        let rest: Vec<String> = requests.take(2).map(|r| r.name).collect().await;
        assert_eq!(rest, ["b", "c"]);
    }
}
