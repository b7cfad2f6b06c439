//! An in-process stand-in for the Kubernetes API server, served to a real `kube::Client` as a
//! tower service: discovery, list, watch from a resourceVersion, get, create, replace, merge
//! patch (server-side apply is taken as a merge), delete with finalizers, the status
//! subresource, 409 conflicts on stale resourceVersions, and `metadata.name` /
//! `metadata.namespace` field selectors on lists and watches. Objects live in a map; every
//! change is logged, so a watch replays what it missed.

use crate::catalog::{self, Kind};
use http::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
/// (group, plural) → (namespace, name) → object.
type Objects = BTreeMap<(String, String), BTreeMap<(String, String), Value>>;

/// A change, as watches see it.
#[derive(Clone, Debug)]
pub(crate) struct Logged {
    pub(crate) rv: u64,
    pub(crate) group: String,
    pub(crate) plural: String,
    pub(crate) namespace: String,
    pub(crate) kind: &'static str,
    pub(crate) object: Value,
}

/// A request to fail, or a write to make just before one.
pub struct Fault {
    pub method: Method,
    /// Part of the path, e.g. `httproutes/shop/status`.
    pub path: String,
    pub action: FaultAction,
}

pub enum FaultAction {
    /// Answer with this code instead.
    Fail(u16),
    /// Run this on the stored objects first (a concurrent writer).
    Before(Box<dyn FnOnce(&FakeApi) + Send>),
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) rv: u64,
    pub(crate) objects: Objects,
    pub(crate) log: Vec<Logged>,
    /// (group, plural) not installed.
    pub(crate) missing: BTreeSet<(String, String)>,
    pub(crate) faults: Vec<Fault>,
    /// `METHOD path` of every request, in order.
    pub(crate) requests: Vec<String>,
    /// `METHOD path?query` of every request, in order.
    pub(crate) requests_with_query: Vec<String>,
    /// Bumped to end every open watch stream (crate::faults).
    pub(crate) watch_epoch: u64,
    /// Watches from an older resourceVersion are answered 410 Gone, the way `expired` says.
    pub(crate) compacted: u64,
    pub(crate) expired: crate::faults::Expired,
    pub(crate) outage: Option<crate::faults::Outage>,
}

#[derive(Clone, Default)]
pub struct FakeApi {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) changed: Arc<Notify>,
}

pub(crate) fn status(code: u16, reason: &str, message: impl Into<String>) -> (u16, Value) {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "reason": reason, "message": message.into(), "code": code}),
    )
}

pub(crate) fn now() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// RFC 7386 JSON merge patch.
pub fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            let t = target.as_object_mut().expect("made an object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// A strategic merge patch as the API server applies it to the lists the controller patches:
/// `conditions` are merged by `type` (their `patchMergeKey`), so a patch carrying one
/// condition leaves the others; everything else as a JSON merge patch.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let t = target.as_object_mut().expect("made an object");
    for (k, v) in p {
        match (k.as_str(), v, t.get_mut(k)) {
            (_, Value::Null, _) => {
                t.remove(k);
            }
            ("conditions", Value::Array(items), Some(Value::Array(current))) => {
                for item in items {
                    match current.iter_mut().find(|c| c["type"] == item["type"]) {
                        Some(c) => strategic_merge(c, item),
                        None => current.push(item.clone()),
                    }
                }
            }
            _ => strategic_merge(t.entry(k.clone()).or_insert(Value::Null), v),
        }
    }
}

impl FakeApi {
    pub fn new() -> Self {
        FakeApi::default()
    }

    pub fn client(&self) -> kube::Client {
        kube::Client::new(self.clone(), "default")
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes a kind unknown to the server, as when its CRD is not installed.
    pub fn uninstall(&self, group: &str, plural: &str) {
        self.lock()
            .missing
            .insert((group.to_string(), plural.to_string()));
    }

    pub fn install(&self, group: &str, plural: &str) {
        self.lock()
            .missing
            .remove(&(group.to_string(), plural.to_string()));
    }

    pub fn fault(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    /// Like [`FakeApi::requests`], with each request's query string (`METHOD path?query`,
    /// percent-encoded as sent).
    pub fn requests_with_query(&self) -> Vec<String> {
        self.lock().requests_with_query.clone()
    }

    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let k = KINDS_BY_NAME(kind);
        self.lock()
            .objects
            .get(&(k.group.to_string(), k.plural.to_string()))?
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
    }

    pub fn list(&self, kind: &str) -> Vec<Value> {
        let k = KINDS_BY_NAME(kind);
        self.lock()
            .objects
            .get(&(k.group.to_string(), k.plural.to_string()))
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Creates or updates objects as a user's `kubectl apply` would (the spec and metadata
    /// given replace the stored ones; the status stays).
    pub fn apply_yaml(&self, yaml: &str) {
        for doc in serde_norway::Deserializer::from_str(yaml) {
            let value: Value = serde::Deserialize::deserialize(doc).expect("valid YAML");
            if value.is_null() {
                continue;
            }
            self.apply(value);
        }
    }

    pub fn apply(&self, mut value: Value) {
        let (group, _) = split_api_version(value["apiVersion"].as_str().unwrap_or_default());
        let kind = catalog::by_kind(group, value["kind"].as_str().unwrap_or_default())
            .unwrap_or_else(|| panic!("unknown kind in {value}"));
        let namespace = if kind.namespaced {
            value["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string()
        } else {
            String::new()
        };
        value["metadata"]["namespace"] = if kind.namespaced {
            Value::from(namespace.clone())
        } else {
            Value::Null
        };
        let name = value["metadata"]["name"]
            .as_str()
            .expect("a name")
            .to_string();
        let mut st = self.lock();
        let existing = st
            .objects
            .get(&(kind.group.to_string(), kind.plural.to_string()))
            .and_then(|m| m.get(&(namespace.clone(), name.clone())))
            .cloned();
        let object = match existing {
            Some(old) => {
                let mut new = value;
                for k in [
                    "uid",
                    "creationTimestamp",
                    "finalizers",
                    "deletionTimestamp",
                ] {
                    if new["metadata"].get(k).is_none() && old["metadata"].get(k).is_some() {
                        new["metadata"][k] = old["metadata"][k].clone();
                    }
                }
                new["metadata"]["generation"] = old["metadata"]["generation"].clone();
                if let Some(s) = old.get("status") {
                    new["status"] = s.clone();
                }
                bump_generation(&old, &mut new);
                new
            }
            None => created(value),
        };
        self.store(&mut st, kind, &namespace, &name, object, "MODIFIED");
        drop(st);
        self.changed.notify_waiters();
    }

    /// Deletes as a user would: objects with finalizers get a deletionTimestamp.
    pub fn delete(&self, kind: &str, namespace: &str, name: &str) {
        let k = KINDS_BY_NAME(kind);
        let mut st = self.lock();
        let _ = self.delete_object(&mut st, k, namespace, name);
        drop(st);
        self.changed.notify_waiters();
    }

    /// Changes a stored object in place, as another client would.
    pub fn modify(&self, kind: &str, namespace: &str, name: &str, f: impl FnOnce(&mut Value)) {
        let k = KINDS_BY_NAME(kind);
        let mut st = self.lock();
        let mut obj = st
            .objects
            .get(&(k.group.to_string(), k.plural.to_string()))
            .and_then(|m| m.get(&(namespace.to_string(), name.to_string())))
            .cloned()
            .expect("object to modify exists");
        let old = obj.clone();
        f(&mut obj);
        bump_generation(&old, &mut obj);
        self.store(&mut st, k, namespace, name, obj, "MODIFIED");
        drop(st);
        self.changed.notify_waiters();
    }

    /// Stores `object` with a new resourceVersion and logs the change; removes it when it is
    /// being deleted and has no finalizer left.
    pub(crate) fn store(
        &self,
        st: &mut State,
        kind: &'static Kind,
        ns: &str,
        name: &str,
        mut object: Value,
        event: &str,
    ) -> Value {
        st.rv += 1;
        let rv = st.rv;
        object["metadata"]["resourceVersion"] = Value::from(rv.to_string());
        let key = (kind.group.to_string(), kind.plural.to_string());
        let id = (ns.to_string(), name.to_string());
        let finalizers_left = object["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        let gone = !object["metadata"]["deletionTimestamp"].is_null() && !finalizers_left;
        let map = st.objects.entry(key.clone()).or_default();
        let event = if gone {
            map.remove(&id);
            "DELETED"
        } else if map.insert(id, object.clone()).is_none() {
            "ADDED"
        } else {
            event
        };
        st.log.push(Logged {
            rv,
            group: key.0,
            plural: key.1,
            namespace: ns.to_string(),
            kind: leak(event),
            object: object.clone(),
        });
        object
    }

    pub(crate) fn delete_object(
        &self,
        st: &mut State,
        kind: &'static Kind,
        ns: &str,
        name: &str,
    ) -> Result<Value, (u16, Value)> {
        let key = (kind.group.to_string(), kind.plural.to_string());
        let Some(mut obj) = st
            .objects
            .get(&key)
            .and_then(|m| m.get(&(ns.to_string(), name.to_string())))
            .cloned()
        else {
            return Err(status(
                404,
                "NotFound",
                format!("{} {name} not found", kind.plural),
            ));
        };
        if obj["metadata"]["deletionTimestamp"].is_null() {
            obj["metadata"]["deletionTimestamp"] = Value::from(now());
        }
        Ok(self.store(st, kind, ns, name, obj, "MODIFIED"))
    }
}

#[allow(non_snake_case)]
/// A kind by name, or by `Kind.group` where two groups serve the same kind name (Upbound's
/// cluster-scoped and namespaced `LB`, for instance).
fn KINDS_BY_NAME(kind: &str) -> &'static Kind {
    let found = match kind.split_once('.') {
        Some((kind, group)) => catalog::by_kind(group, kind),
        None => catalog::KINDS.iter().find(|k| k.kind == kind),
    };
    found.unwrap_or_else(|| panic!("unknown kind {kind}"))
}

pub(crate) fn leak(s: &str) -> &'static str {
    match s {
        "ADDED" => "ADDED",
        "DELETED" => "DELETED",
        _ => "MODIFIED",
    }
}

pub(crate) fn split_api_version(v: &str) -> (&str, &str) {
    v.split_once('/').unwrap_or(("", v))
}

pub(crate) fn created(mut obj: Value) -> Value {
    let meta = &mut obj["metadata"];
    meta["uid"] = Value::from(format!("uid-{}", meta["name"].as_str().unwrap_or_default()));
    meta["creationTimestamp"] = Value::from(now());
    meta["generation"] = Value::from(1);
    obj
}

/// The generation moves when anything but metadata and status changes.
pub(crate) fn bump_generation(old: &Value, new: &mut Value) {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("metadata");
            o.remove("status");
        }
        v
    };
    let g = old["metadata"]["generation"].as_i64().unwrap_or(1);
    new["metadata"]["generation"] = Value::from(if strip(old) != strip(new) { g + 1 } else { g });
}
