//! Manifests → [`Snapshot`]: documents split, objects read and checked, defaults applied,
//! duplicates found across files. Reading files and directories is in `files`, what a
//! document and an object header are in `document`.

mod document;
mod files;

use crate::documents::{self, RawDocument};
use crate::kinds;
use crate::locate::Step;
use crate::problem::{At, ByteSize, Problem, describe};
use crate::{Diagnostic, Loaded, defaults, nesting, yaml};
use document::{Document, Header, is_list, join_path, namespace_of, render};
use files::utf16_or_32;
use gantry_snapshot::{ObjectKey, Snapshot};
use serde_norway::Value;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// Name used for standard input in diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// Limits of a [`Loader`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Bigger files are refused unread: a manifest set is never that large, and parsing keeps
    /// several copies of a file in memory.
    pub max_file_bytes: u64,
}

impl LoadOptions {
    pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_file_bytes: Self::DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// Collects objects from any number of sources into one [`Snapshot`], so that duplicates are
/// found across files. Every problem is recorded and loading goes on.
#[derive(Debug, Default)]
pub struct Loader {
    options: LoadOptions,
    snapshot: Snapshot,
    diagnostics: Vec<Diagnostic>,
    /// Where each stored object came from, to name both places when it is defined again.
    origins: BTreeMap<(&'static str, ObjectKey), String>,
}

// === impl Loader ===

impl Loader {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_options(options: LoadOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    /// Loads the documents of one file's contents; `source_name` names it in diagnostics.
    pub fn load_bytes(&mut self, source_name: &str, bytes: &[u8]) {
        if bytes.len() as u64 > self.options.max_file_bytes {
            let limit = ByteSize(self.options.max_file_bytes);
            self.file_problem(source_name, Problem::TooLarge { limit });
            return;
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Some(encoding) = utf16_or_32(bytes) {
            self.file_problem(source_name, Problem::WrongEncoding(encoding));
            return;
        }
        // Git's test for binary content: a NUL byte early on. Text manifests never have one.
        if let Some(at) = bytes.iter().take(8000).position(|b| *b == 0) {
            let line = documents::line_of_offset(bytes, at);
            self.push(source_name, None, Some(line), None, Problem::Binary);
            return;
        }
        for document in documents::split(bytes) {
            self.load_document(source_name, &document);
        }
    }

    /// Loads the documents of a string; `source_name` names it in diagnostics.
    pub fn load_str(&mut self, source_name: &str, text: &str) {
        self.load_bytes(source_name, text.as_bytes());
    }

    /// The diagnostics so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn finish(self) -> Loaded {
        Loaded {
            snapshot: self.snapshot,
            diagnostics: self.diagnostics,
        }
    }

    fn load_document(&mut self, file: &str, raw: &RawDocument<'_>) {
        let Some(content_line) = raw.content_line else {
            return; // empty documents are skipped silently, as kubectl does
        };
        let mut document = Document {
            file,
            index: raw.index,
            first_line: raw.first_line,
            line: content_line,
            text: "",
        };
        document.text = match std::str::from_utf8(raw.bytes) {
            Ok(text) => text,
            Err(error) => {
                let at = error.valid_up_to();
                let line = raw.first_line + documents::line_of_offset(raw.bytes, at) - 1;
                let byte = raw.bytes.get(at).copied().unwrap_or_default();
                let problem = Problem::NotUtf8 { byte };
                return self.push(file, Some(raw.index), Some(line), None, problem);
            }
        };
        if let Some(line) = nesting::too_deep(document.text) {
            let line = raw.first_line + line - 1;
            let problem = Problem::Yaml(yaml::TOO_DEEP.to_owned());
            return self.push(file, Some(raw.index), Some(line), None, problem);
        }
        let mut value = match serde_norway::from_str::<Value>(document.text) {
            Ok(value) => value,
            Err(error) => {
                let (line, message) = yaml::relocate(&error, document.text, raw.first_line);
                // "Unexpected end of stream" is reported on the line after the last one.
                let last_line = raw.first_line + document.text.trim_end().matches('\n').count();
                let line = line.map_or(content_line, |line| line.min(last_line));
                return self.push(
                    file,
                    Some(raw.index),
                    Some(line),
                    None,
                    Problem::Yaml(message),
                );
            }
        };
        // `<<` merge keys, which kubectl's YAML reader applies too.
        if let Err(error) = value.apply_merge() {
            let problem = Problem::Yaml(error.to_string());
            return self.push(file, Some(raw.index), Some(content_line), None, problem);
        }
        if value.is_null() {
            return; // a document holding only `~` or `null` is as empty as no document
        }
        self.load_object(&document, value, &[]);
    }

    /// Loads one object (a document, or an item of a `List` document at `at`).
    fn load_object(&mut self, document: &Document<'_>, value: Value, at: &[Step]) {
        let here = At(render(at));
        // Lines of `List` items cost a walk over the document: only spent on a diagnostic.
        let report = |this: &mut Self, object: Option<String>, problem| {
            let line = Some(document.line_at(at));
            this.push(document.file, Some(document.index), line, object, problem)
        };
        let mut map = match value {
            Value::Mapping(map) => map,
            other => {
                let found = describe(&other);
                return report(self, None, Problem::NotAnObject { at: here, found });
            }
        };
        let header = match Header::read(&map) {
            Ok(header) => header,
            Err((field, found)) => {
                let problem = match found {
                    None => Problem::MissingField { at: here, field },
                    Some(found) => Problem::NotAString {
                        at: here,
                        field,
                        found,
                    },
                };
                return report(self, None, problem);
            }
        };
        let label = header.label(header.namespace.as_deref());

        if is_list(&header.kind, &map) {
            let items = map.remove("items").unwrap_or(Value::Null);
            let items = match items {
                Value::Sequence(items) => items,
                Value::Null => Vec::new(),
                other => {
                    let found = describe(&other);
                    let kind = header.kind;
                    let problem = Problem::ItemsNotASequence {
                        at: here,
                        kind,
                        found,
                    };
                    return report(self, Some(label), problem);
                }
            };
            for (index, item) in items.into_iter().enumerate() {
                let mut item_at = at.to_vec();
                item_at.extend([Step::Key("items".to_owned()), Step::Index(index)]);
                self.load_object(document, item, &item_at);
            }
            return;
        }

        let Some(kind) = kinds::find(&header.kind) else {
            let problem = Problem::UnknownKind {
                kind: header.kind,
                api_version: header.api_version,
            };
            return report(self, Some(label), problem);
        };
        let (group, version) = header
            .api_version
            .rsplit_once('/')
            .unwrap_or(("", &header.api_version));
        if !kind.accepts(group, version) {
            let problem = Problem::UnknownVersion {
                kind: header.kind,
                api_version: header.api_version,
                expected: kind.api_versions(),
            };
            return report(self, Some(label), problem);
        }
        let namespace = namespace_of(kind, header.namespace.as_deref());
        let label = header.label(namespace.as_deref());
        let mut object = Value::Mapping(map);
        defaults::apply(group, version, &kind.kind, &mut object);
        // Decoding comes first: its message is the precise one when `metadata` itself is wrong.
        let store = match (kind.decode)(object, namespace.clone()) {
            Ok(store) => store,
            Err(error) => {
                let mut path = at.to_vec();
                path.extend(error.path);
                let line = document.line_at(&path);
                let path = join_path(&render(at), &error.path_text);
                let problem = Problem::Decode {
                    at: At(if path == "." { String::new() } else { path }),
                    message: error.message,
                };
                let (file, index) = (document.file, Some(document.index));
                return self.push(file, index, Some(line), Some(label), problem);
            }
        };
        let Some(name) = header.name else {
            let field = "metadata.name";
            let problem = match header.name_found {
                None => Problem::MissingField { at: here, field },
                Some(found) => Problem::NotAString {
                    at: here,
                    field,
                    found,
                },
            };
            return report(self, Some(label), problem);
        };
        let key = ObjectKey::new(namespace.unwrap_or_default(), name);
        let here_text = if at.is_empty() {
            format!(
                "{}:{} (document {})",
                document.file, document.line, document.index
            )
        } else {
            let (file, line, index) = (document.file, document.line, document.index);
            format!("{file}:{line} (document {index}, {})", here.0)
        };
        match self.origins.entry((kind.kind.as_str(), key.clone())) {
            Entry::Occupied(first) => {
                let problem = Problem::Duplicate {
                    object: label.clone(),
                    first: first.get().clone(),
                };
                report(self, Some(label), problem);
            }
            Entry::Vacant(slot) => {
                slot.insert(here_text);
                store(&mut self.snapshot, key);
            }
        }
    }

    fn file_problem(&mut self, file: &str, problem: Problem) {
        self.push(file, None, None, None, problem);
    }

    fn push(
        &mut self,
        file: &str,
        document: Option<usize>,
        line: Option<usize>,
        object: Option<String>,
        problem: Problem,
    ) {
        self.diagnostics.push(Diagnostic {
            severity: problem.severity(),
            file: file.to_owned(),
            document,
            line,
            object,
            message: problem.to_string(),
        });
    }
}
