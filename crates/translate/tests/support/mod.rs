//! What the translation tests share: loading the manifests they translate.

use gantry_snapshot::Snapshot;

/// The objects of the manifests `text`, read as the file `source_name`; panics with every
/// error and the text when a document does not load.
pub fn load(source_name: &str, text: &str) -> Snapshot {
    let loaded = gantry_manifests::load_text(source_name, text);
    let errors: Vec<String> = loaded.errors().map(ToString::to_string).collect();
    assert!(
        errors.is_empty(),
        "the manifests do not load:\n{}\n\n{text}",
        errors.join("\n")
    );
    loaded.snapshot
}
