//! Loads Kubernetes manifests (multi-document YAML, or JSON) into a [`Snapshot`], for
//! `gantry plan -f` and for tests.
//!
//! Loading never stops at the first problem. Every document of every file is tried, and each
//! problem becomes a [`Diagnostic`] naming file, document, line and object, so one run reports
//! everything that is wrong with a set of manifests:
//!
//! ```text
//!  paths ──walk──▶ files ──split on ---──▶ documents ──parse──▶ Value ──kind──▶ typed object
//!                    │                         │                  │               │
//!                 unreadable,              not UTF-8,         not an object,   wrong field
//!                 too large,               bad YAML           unknown kind     type, duplicate
//!                 binary                                      (warning)
//! ```
//!
//! Objects are decoded from a parsed value rather than straight from the text so that the kind
//! can be read first and `List` items load like documents; a failing field's line is then
//! found by walking its path over the text again (see `locate`). Before decoding, custom
//! resources get what the API server would add on create: their CRD's schema defaults and
//! `metadata.generation: 1` (see [`apply_defaults`]), so they read as a cluster stores them.
#![forbid(unsafe_code)]

mod defaults;
mod diagnostic;
mod documents;
mod kinds;
mod loader;
mod locate;
mod nesting;
mod problem;
mod yaml;

pub use diagnostic::{Diagnostic, Severity};
pub use loader::{LoadOptions, Loader, STDIN_NAME};

use gantry_snapshot::Snapshot;
use serde_norway::Value;
use std::path::PathBuf;

/// The objects that loaded and what went wrong with the rest.
#[derive(Debug, Default)]
pub struct Loaded {
    pub snapshot: Snapshot,
    /// In the order found: by path as given, then by file, document and field.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any diagnostic is an error (warnings only mark what was skipped on purpose).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }
}

/// Loads files, directories (recursively: `.yaml`, `.yml` and `.json` files in name order)
/// and `-` (standard input), in the order given, with the default [`LoadOptions`].
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut loader = Loader::new();
    for path in paths {
        loader.load_path(path);
    }
    loader.finish()
}

/// Loads the documents of `text` alone; `source_name` names it in diagnostics.
pub fn load_text(source_name: &str, text: &str) -> Loaded {
    let mut loader = Loader::new();
    loader.load_str(source_name, text);
    loader.finish()
}

/// Loads the documents of `text` into `into`; `source_name` names it in diagnostics.
pub fn load_str(source_name: &str, text: &str, into: &mut Loader) {
    into.load_str(source_name, text);
}

/// Applies to `object` what the API server adds to a custom resource of `apiVersion`/`kind` it
/// stores: the `default`s of the CRD's schema and `metadata.generation: 1` (loading does this
/// to every object). Returns whether gantry knows the kind's schema; other kinds are unchanged.
pub fn apply_defaults(api_version: &str, kind: &str, object: &mut Value) -> bool {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    defaults::apply(group, version, kind, object)
}
