//! Loading test inputs: manifests go through gantry's loader into a Snapshot; Crossplane
//! resources (which the loader does not read) go into `Observed`, and so does a document of
//! kind `AcmCertificates` (`certificates: [{arn, names}]`, test inputs only): ACM's ISSUED
//! certificates as the controller reads them; and one of kind `ImportedCertificates`
//! (`certificates: [{secret, fingerprint, arn}]`): the certificates the controller imported
//! into ACM from listener Secrets.

#![allow(dead_code, reason = "each test binary uses part of this module")]

pub mod cluster;

use gantry_snapshot::Snapshot;
use gantry_tiered::{CloudType, Observed};
use serde::Deserialize;

/// Splits multi-document YAML into the snapshot and the observed Crossplane resources.
pub fn load(name: &str, text: &str) -> (Snapshot, Observed) {
    let mut observed = Observed::default();
    let mut manifests = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let value = serde_json::Value::deserialize(document).expect("valid YAML");
        if value.is_null() {
            continue;
        }
        let wire = |k: &str| value.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        if wire("kind") == "AcmCertificates" {
            let list = serde_json::from_value(value["certificates"].clone());
            observed.set_acm_certificates(list.expect("certificates: [{arn, names}]"));
        } else if wire("kind") == "ImportedCertificates" {
            let list = serde_json::from_value(value["certificates"].clone());
            let list = list.expect("certificates: [{secret, fingerprint, arn}]");
            observed.set_imported_certificates(list);
        } else if CloudType::from_wire(wire("apiVersion"), wire("kind")).is_some() {
            assert!(observed.insert(value), "{name}: an unknown Crossplane kind");
        } else {
            manifests.push(serde_norway::to_string(&value).expect("serializable"));
        }
    }
    let loaded = gantry_manifests::load_text(name, &manifests.join("---\n"));
    let errors: Vec<String> = loaded.errors().map(|d| d.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{name}: input does not load:\n{}",
        errors.join("\n")
    );
    (loaded.snapshot, observed)
}
