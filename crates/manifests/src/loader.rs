use crate::documents::{self, RawDocument};
use crate::kinds::{self, Kind};
use crate::locate::{self, Step};
use crate::problem::{At, ByteSize, Problem, describe};
use crate::{Diagnostic, Loaded, defaults, nesting, yaml};
use gantry_snapshot::{ObjectKey, Snapshot};
use serde_norway::{Mapping, Value};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

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

    /// Loads a file, every `.yaml`/`.yml`/`.json` file under a directory (recursively, in
    /// name order), or standard input for `-`.
    pub fn load_path(&mut self, path: &Path) {
        if path.as_os_str() == "-" {
            self.load_reader(STDIN_NAME, io::stdin().lock());
            return;
        }
        match fs::metadata(path) {
            Err(error) => self.file_problem(&display(path), Problem::Unreadable(error)),
            Ok(meta) if meta.is_dir() => {
                let mut files = Vec::new();
                let mut visited = Vec::new();
                self.walk(path, &mut visited, &mut files);
                if files.is_empty() {
                    self.file_problem(&display(path), Problem::EmptyDirectory);
                }
                for file in files {
                    self.load_file(&file);
                }
            }
            Ok(_) => self.load_file(path),
        }
    }

    /// Loads everything `reader` yields, up to the size limit.
    pub fn load_reader(&mut self, source_name: &str, reader: impl Read) {
        match read_capped(reader, self.options.max_file_bytes) {
            Ok(bytes) => self.load_bytes(source_name, &bytes),
            Err(problem) => self.file_problem(source_name, problem),
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

    fn load_file(&mut self, path: &Path) {
        let name = display(path);
        let limit = self.options.max_file_bytes;
        match fs::metadata(path) {
            Ok(meta) if meta.is_file() && meta.len() > limit => {
                let limit = ByteSize(limit);
                self.file_problem(&name, Problem::TooLarge { limit });
            }
            _ => match fs::File::open(path) {
                Ok(file) => self.load_reader(&name, file),
                Err(error) => self.file_problem(&name, Problem::Unreadable(error)),
            },
        }
    }

    /// Depth-first, entries in name order, so the load order (and so which of two duplicates
    /// wins) never depends on the file system. Symlinked directories are followed once.
    fn walk(&mut self, dir: &Path, visited: &mut Vec<PathBuf>, files: &mut Vec<PathBuf>) {
        if let Ok(canonical) = fs::canonicalize(dir) {
            if visited.contains(&canonical) {
                return;
            }
            visited.push(canonical);
        }
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => return self.file_problem(&display(dir), Problem::Unreadable(error)),
        };
        let mut names = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => names.push(entry.file_name()),
                Err(error) => self.file_problem(&display(dir), Problem::Unreadable(error)),
            }
        }
        names.sort();
        for name in names {
            let path = dir.join(&name);
            match fs::metadata(&path) {
                Err(error) => self.file_problem(&display(&path), Problem::Unreadable(error)),
                Ok(meta) if meta.is_dir() => self.walk(&path, visited, files),
                Ok(_) if is_manifest_name(&path) => files.push(path),
                Ok(_) => {}
            }
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

/// The document being loaded.
struct Document<'a> {
    file: &'a str,
    index: usize,
    /// File line of the first line of `text`.
    first_line: usize,
    /// File line where the document's content starts.
    line: usize,
    text: &'a str,
}

impl Document<'_> {
    /// File line of the node at `path`, falling back to the document's first line.
    fn line_at(&self, path: &[Step]) -> usize {
        if path.is_empty() {
            return self.line;
        }
        locate::line_of(self.text, path).map_or(self.line, |line| self.first_line + line - 1)
    }
}

/// What every object states about itself, read before its kind is known.
struct Header {
    api_version: String,
    kind: String,
    name: Option<String>,
    /// What `metadata.name` held when it was not a usable string.
    name_found: Option<&'static str>,
    namespace: Option<String>,
}

impl Header {
    /// The header, or the field that is missing (`None`) or not a string (what it was).
    fn read(map: &Mapping) -> Result<Self, (&'static str, Option<&'static str>)> {
        let api_version = required_string(map, "apiVersion")?;
        let kind = required_string(map, "kind")?;
        let metadata = map.get("metadata").and_then(Value::as_mapping);
        let field = |name: &str| metadata.and_then(|m| m.get(name)).filter(|v| !v.is_null());
        let (name, name_found) = match field("name") {
            Some(Value::String(name)) if !name.is_empty() => (Some(name.clone()), None),
            Some(Value::String(_)) | None => (None, None),
            Some(other) => (None, Some(describe(other))),
        };
        let namespace = match field("namespace") {
            Some(Value::String(namespace)) if !namespace.is_empty() => Some(namespace.clone()),
            _ => None,
        };
        Ok(Self {
            api_version,
            kind,
            name,
            name_found,
            namespace,
        })
    }

    /// `Kind namespace/name`, `Kind name` or `Kind`, as far as known.
    fn label(&self, namespace: Option<&str>) -> String {
        match (&self.name, namespace) {
            (Some(name), Some(namespace)) => format!("{} {namespace}/{name}", self.kind),
            (Some(name), None) => format!("{} {name}", self.kind),
            (None, Some(namespace)) => format!("{} {namespace}/(no name)", self.kind),
            (None, None) => self.kind.clone(),
        }
    }
}

fn required_string(
    map: &Mapping,
    field: &'static str,
) -> Result<String, (&'static str, Option<&'static str>)> {
    match map.get(field) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value.clone()),
        None | Some(Value::Null) => Err((field, None)),
        Some(Value::String(_)) => Err((field, None)),
        Some(other) => Err((field, Some(describe(other)))),
    }
}

/// Namespaced objects without a namespace go to `default`, as `kubectl apply` puts them;
/// cluster-scoped objects have none, whatever the manifest says (the API server drops it too).
fn namespace_of(kind: &Kind, given: Option<&str>) -> Option<String> {
    kind.namespaced
        .then(|| given.unwrap_or("default").to_owned())
}

/// `kind: List` (what `kubectl get -o yaml` prints) and typed lists like `ServiceList`.
fn is_list(kind: &str, map: &Mapping) -> bool {
    kind == "List" || (kind.ends_with("List") && map.contains_key("items"))
}

/// A path in the `serde_path_to_error` style: `items[2].spec`.
fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// `prefix` (the item of a `List`) joined with a path inside that item (`.` for the item itself).
fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path) {
        (true, path) => path.to_owned(),
        (false, ".") => prefix.to_owned(),
        (false, path) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, path) => format!("{prefix}.{path}"),
    }
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| {
            ["yaml", "yml", "json"]
                .iter()
                .any(|m| ext.eq_ignore_ascii_case(m))
        })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Reads at most `limit` bytes; one more means the input is too large.
fn read_capped(reader: impl Read, limit: u64) -> Result<Vec<u8>, Problem> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Problem::Unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(Problem::TooLarge {
            limit: ByteSize(limit),
        });
    }
    Ok(bytes)
}

/// The encoding named by a UTF-16 or UTF-32 byte order mark.
fn utf16_or_32(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE\0\0") || bytes.starts_with(b"\0\0\xFE\xFF") {
        Some("UTF-32")
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        Some("UTF-16")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_serde_path_to_error() {
        let path = [
            Step::Key("items".into()),
            Step::Index(2),
            Step::Key("spec".into()),
        ];
        assert_eq!(render(&path), "items[2].spec");
        assert_eq!(join_path("items[2]", "spec.port"), "items[2].spec.port");
        assert_eq!(join_path("items[2]", "."), "items[2]");
        assert_eq!(join_path("", "spec"), "spec");
    }

    #[test]
    fn manifest_files_are_recognised_by_extension() {
        assert!(is_manifest_name(Path::new("a/b.yaml")));
        assert!(is_manifest_name(Path::new("b.YML")));
        assert!(is_manifest_name(Path::new("b.json")));
        assert!(!is_manifest_name(Path::new("README.md")));
        assert!(!is_manifest_name(Path::new("yaml")));
    }
}
