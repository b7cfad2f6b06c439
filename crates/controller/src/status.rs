//! Writes `.status`: only when it changed, as a JSON merge patch on the status subresource
//! carrying the resourceVersion it was computed from, so that a concurrent writer's change is
//! never overwritten — on a conflict the object is read again and the status recomputed.
//!
//! Route `status.parents` is an atomic list: whoever writes it writes all of it, so the
//! compute function carries other controllers' entries along (`merge_route_parents`).

use crate::error::{Error, Result};
use gantry_api::k8s::Resource;
use gantry_api::wire::FIELD_MANAGER;
use kube::api::{Api, Patch, PatchParams};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

/// Attempts before giving up on a status that keeps conflicting (the next reconcile retries).
const ATTEMPTS: u32 = 5;

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Unchanged,
    Patched,
    /// The object is gone.
    Gone,
}

/// Makes `.status` of `name` equal to `compute(current status)`. `cached` is the reflector's
/// copy, tried first so that an unchanged status costs no request.
pub async fn write<K>(
    api: &Api<K>,
    cached: Option<Arc<K>>,
    name: &str,
    compute: impl Fn(Option<&Value>) -> Value,
) -> Result<Written>
where
    K: Resource + Clone + DeserializeOwned + Serialize + Debug,
{
    let object = || {
        format!(
            "{} {name}",
            std::any::type_name::<K>()
                .rsplit("::")
                .next()
                .unwrap_or("object")
        )
    };
    let identity = format!("{} {}", object(), api.resource_url());
    // The cache is trusted only at the version whose status this process last saw the server
    // hold (its own patch's result, or a read). A cache behind that, or moved on by someone
    // else's write, may hold a status the server no longer has: comparing against it could
    // skip a write the server needs (after a watch outage, say). Read the object instead.
    let mut current: Option<Arc<K>> = cached
        .filter(|c| verified(&identity).is_none_or(|rv| rv == hash(&c.meta().resource_version)));
    for _ in 0..ATTEMPTS {
        let obj = match current.take() {
            Some(o) => o,
            None => match api.get(name).await {
                Ok(o) => Arc::new(o),
                Err(kube::Error::Api(e)) if e.code == 404 => return Ok(Written::Gone),
                Err(source) => {
                    return Err(Error::UpdateStatus {
                        object: object(),
                        source,
                    });
                }
            },
        };
        let value = serde_json::to_value(obj.as_ref()).unwrap_or(Value::Null);
        let previous = value.get("status").filter(|s| !s.is_null());
        let new = compute(previous);
        // Null: nothing to say about this object.
        if new.is_null() || Some(&new) == previous {
            remember_verified(&identity, &obj.meta().resource_version);
            return Ok(Written::Unchanged);
        }
        let patch = json!({
            "metadata": { "resourceVersion": obj.meta().resource_version },
            "status": merge_patch(previous, &new),
        });
        match api
            .patch_status(name, &merge_params(), &Patch::Merge(&patch))
            .await
        {
            Ok(patched) => {
                remember_verified(&identity, &patched.meta().resource_version);
                return Ok(Written::Patched);
            }
            Err(kube::Error::Api(e)) if e.code == 409 => {
                tracing::debug!(object = %object(), "status conflict; reading it again");
            }
            Err(kube::Error::Api(e)) if e.code == 404 => return Ok(Written::Gone),
            Err(source) => {
                return Err(Error::UpdateStatus {
                    object: object(),
                    source,
                });
            }
        }
    }
    Err(Error::StatusConflict {
        object: object(),
        attempts: ATTEMPTS,
    })
}

/// The resourceVersion at which this process last saw each object's status on the server (the
/// result of its own patch, or an object it read or compared), by kind, collection URL and
/// name. One entry per object written, for the process's life: both are kept as hashes (16
/// bytes an entry, where the strings were over 100 on a cluster of 18,000 routes). Two objects
/// of one hash (odds of about 1e-10 among 100,000) share an entry: one of them may then be read
/// again when its cache could have been trusted, or the reverse.
static VERIFIED: std::sync::LazyLock<Mutex<HashMap<u64, u64>>> =
    std::sync::LazyLock::new(Default::default);

fn hash(v: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

fn verified(identity: &str) -> Option<u64> {
    VERIFIED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&hash(identity))
        .copied()
}

fn remember_verified(identity: &str, rv: &Option<String>) {
    VERIFIED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(hash(identity), hash(rv));
}

/// A merge patch turning `old` into `new`: `new` itself, with `null` for every top-level key
/// only `old` has (arrays are replaced whole by a merge patch anyway).
pub fn merge_patch(old: Option<&Value>, new: &Value) -> Value {
    let mut patch = new.clone();
    if let (Some(Value::Object(old)), Value::Object(p)) = (old, &mut patch) {
        for k in old.keys() {
            if !p.contains_key(k) {
                p.insert(k.clone(), Value::Null);
            }
        }
    }
    patch
}

/// Parameters of gantry's merge and strategic merge patches: its field manager, so that
/// `managedFields` name gantry as the writer.
pub fn merge_params() -> PatchParams {
    PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..PatchParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_removes_keys_the_new_status_lacks() {
        let old = json!({"addresses": [{"value": "a"}], "conditions": []});
        let new = json!({"conditions": [{"type": "Accepted"}]});
        assert_eq!(
            merge_patch(Some(&old), &new),
            json!({"addresses": null, "conditions": [{"type": "Accepted"}]})
        );
    }
}
