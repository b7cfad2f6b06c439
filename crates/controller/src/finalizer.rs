//! Adds and removes one finalizer, leaving others' alone: the list is sent whole with the
//! resourceVersion it was read at, and re-read after a conflict.

use crate::error::{Error, Result};
use gantry_api::k8s::Resource;
use kube::api::{Api, Patch};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::fmt::Debug;

const ATTEMPTS: u32 = 5;

pub fn has<K: Resource>(obj: &K, finalizer: &str) -> bool {
    obj.meta()
        .finalizers
        .as_ref()
        .is_some_and(|f| f.iter().any(|x| x == finalizer))
}

/// Adds `finalizer` to the object unless it has it.
pub async fn add<K>(api: &Api<K>, obj: &K, finalizer: &'static str) -> Result<()>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    set(api, obj, finalizer, true).await
}

/// Removes `finalizer` from the object if it has it.
pub async fn remove<K>(api: &Api<K>, obj: &K, finalizer: &'static str) -> Result<()>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    set(api, obj, finalizer, false).await
}

/// Makes `finalizer` `present` or not on the object; a failure names the object and which of
/// the two it was.
async fn set<K>(api: &Api<K>, obj: &K, finalizer: &'static str, present: bool) -> Result<()>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    update(api, obj, finalizer, present)
        .await
        .map_err(|source| {
            let object = name(obj);
            if present {
                Error::AddFinalizer {
                    object,
                    finalizer,
                    source,
                }
            } else {
                Error::RemoveFinalizer {
                    object,
                    finalizer,
                    source,
                }
            }
        })
}

fn name<K: Resource>(obj: &K) -> String {
    gantry_snapshot::ObjectKey::of(obj.meta()).to_string()
}

async fn update<K>(api: &Api<K>, obj: &K, finalizer: &str, present: bool) -> kube::Result<()>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    let name = obj.meta().name.clone().unwrap_or_default();
    let mut current = obj.clone();
    for attempt in 1..=ATTEMPTS {
        if has(&current, finalizer) == present {
            return Ok(());
        }
        let mut list = current.meta().finalizers.clone().unwrap_or_default();
        if present {
            list.push(finalizer.to_string());
        } else {
            list.retain(|f| f != finalizer);
        }
        let patch = json!({
            "metadata": {
                "resourceVersion": current.meta().resource_version,
                "finalizers": list,
            }
        });
        match api
            .patch(&name, &crate::status::merge_params(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(e)) if e.code == 404 && !present => return Ok(()),
            Err(kube::Error::Api(e)) if e.code == 409 && attempt < ATTEMPTS => {
                current = match api.get(&name).await {
                    Ok(o) => o,
                    Err(kube::Error::Api(e)) if e.code == 404 && !present => return Ok(()),
                    Err(e) => return Err(e),
                };
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last attempt returns")
}
