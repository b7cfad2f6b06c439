//! A cache for the bulk kinds (routes, EndpointSlices, Services) that holds each object as its
//! serialized JSON in one allocation, beside a small index the readers select on, and decodes
//! only the objects a reader asks for. Holding the typed objects cost several times as much:
//! every optional field, string and vector of a `k8s-openapi` or Gateway API object is its
//! own allocation, which glibc rounds up and keeps a header for (docs/controller-memory.md).

use gantry_api::k8s::Resource;
use gantry_snapshot::{ObjectKey, Objects};
use kube::runtime::watcher::Event;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

/// One cached object: its JSON (after trimming) and what readers select it by.
struct Entry<I> {
    json: Arc<[u8]>,
    index: I,
}

type Entries<I> = BTreeMap<ObjectKey, Entry<I>>;

/// The read half: cheap to clone, shared with every reader.
pub struct Compact<K, I> {
    entries: Arc<RwLock<Entries<I>>>,
    kind: PhantomData<fn() -> K>,
}

impl<K, I> Clone for Compact<K, I> {
    fn clone(&self) -> Self {
        Compact {
            entries: self.entries.clone(),
            kind: PhantomData,
        }
    }
}

/// An object as the cache held it, decoded only when asked ([`Compact::decode`]).
#[derive(Clone)]
pub struct Held(Arc<[u8]>);

impl<K, I> Compact<K, I>
where
    K: DeserializeOwned,
{
    /// An empty cache and its write half; `index` says what readers select objects by.
    pub fn new(index: fn(&K) -> I) -> (Self, CompactWriter<K, I>) {
        let reader = Compact {
            entries: Arc::default(),
            kind: PhantomData,
        };
        let writer = CompactWriter {
            store: reader.clone(),
            buffer: None,
            index,
        };
        (reader, writer)
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// The object under `key`, decoded.
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<K>> {
        let json = self.read().get(key).map(|e| e.json.clone())?;
        Self::decode(key, &Held(json))
    }

    /// The objects `select` takes, decoded (outside the lock: writers are not held up).
    pub fn select(&self, select: impl Fn(&ObjectKey, &I) -> bool) -> Objects<K> {
        let picked: Vec<(ObjectKey, Arc<[u8]>)> = self
            .read()
            .iter()
            .filter(|(k, e)| select(k, &e.index))
            .map(|(k, e)| (k.clone(), e.json.clone()))
            .collect();
        picked
            .into_iter()
            .filter_map(|(k, json)| Self::decode(&k, &Held(json)).map(|o| (k, o)))
            .collect()
    }

    /// Every object, decoded.
    pub fn all(&self) -> Objects<K> {
        self.select(|_, _| true)
    }

    /// Whether any object's key and index satisfy `test` (nothing is decoded).
    pub fn any(&self, test: impl Fn(&ObjectKey, &I) -> bool) -> bool {
        self.read().iter().any(|(k, e)| test(k, &e.index))
    }

    /// Every object as held now, undecoded: what a relist compares against.
    pub fn held(&self) -> Vec<(ObjectKey, Held)> {
        self.read()
            .iter()
            .map(|(k, e)| (k.clone(), Held(e.json.clone())))
            .collect()
    }

    /// The object `held` is. Only this cache's own encoding is decoded, so a failure is a bug
    /// of the types' serde round trip: logged, and the object left out.
    pub fn decode(key: &ObjectKey, held: &Held) -> Option<Arc<K>> {
        match serde_json::from_slice(&held.0) {
            Ok(o) => Some(Arc::new(o)),
            Err(e) => {
                tracing::error!(object = %key, error = %e, "cached object does not decode");
                None
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries<I>> {
        // A panic while holding the lock leaves whole entries: the map is still usable.
        self.entries.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// The write half, fed with a watch's events.
pub struct CompactWriter<K, I> {
    store: Compact<K, I>,
    /// A list under way (between `Init` and `InitDone`): swapped in whole at its end, as the
    /// kube reflector does, so that readers never see half a list.
    buffer: Option<Entries<I>>,
    index: fn(&K) -> I,
}

impl<K, I> CompactWriter<K, I>
where
    K: Resource + Serialize + DeserializeOwned,
{
    pub fn as_reader(&self) -> Compact<K, I> {
        self.store.clone()
    }

    pub fn apply_watcher_event(&mut self, event: &Event<K>) {
        match event {
            Event::Apply(o) => {
                let (key, entry) = self.entry(o);
                self.write().insert(key, entry);
            }
            Event::Delete(o) => {
                self.write().remove(&ObjectKey::of(o.meta()));
            }
            Event::Init => self.buffer = Some(Entries::new()),
            Event::InitApply(o) => {
                let (key, entry) = self.entry(o);
                self.buffer.get_or_insert_default().insert(key, entry);
            }
            Event::InitDone => {
                let listed = self.buffer.take().unwrap_or_default();
                *self.write() = listed;
            }
        }
    }

    fn entry(&self, o: &K) -> (ObjectKey, Entry<I>) {
        // Serializing a typed object to JSON cannot fail (string keys, no non-finite floats).
        let json = serde_json::to_vec(o).unwrap_or_default();
        (
            ObjectKey::of(o.meta()),
            Entry {
                json: Arc::from(json),
                index: (self.index)(o),
            },
        )
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Entries<I>> {
        self.store
            .entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
#[path = "compact_tests.rs"]
mod tests;
