use crate::Severity;
use std::io;

/// Everything that can be wrong with an input, worded for the person who wrote it. Each one
/// becomes the message of a [`crate::Diagnostic`]; the variant decides its severity.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Problem {
    #[error("cannot read: {0}")]
    Unreadable(#[source] io::Error),
    #[error("file is larger than the {limit} limit; not loaded")]
    TooLarge { limit: ByteSize },
    #[error("no .yaml, .yml or .json files in this directory")]
    EmptyDirectory,
    #[error("the file is {0}-encoded; manifests must be UTF-8")]
    WrongEncoding(&'static str),
    #[error("binary data (a NUL byte), not a YAML manifest; file skipped")]
    Binary,
    #[error("not UTF-8 text (invalid byte 0x{byte:02x}); is this a binary file?")]
    NotUtf8 { byte: u8 },
    #[error("invalid YAML: {0}")]
    Yaml(String),
    #[error(
        "{at}expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found {found}"
    )]
    NotAnObject { at: At, found: &'static str },
    #[error("{at}missing {field}")]
    MissingField { at: At, field: &'static str },
    #[error("{at}{field} must be a string, found {found}")]
    NotAString {
        at: At,
        field: &'static str,
        found: &'static str,
    },
    #[error("{at}items of a {kind} must be a sequence, found {found}")]
    ItemsNotASequence {
        at: At,
        kind: String,
        found: &'static str,
    },
    #[error("skipped: gantry does not read {kind} objects (apiVersion {api_version})")]
    UnknownKind { kind: String, api_version: String },
    #[error("skipped: {kind} is read as {expected}, not {api_version}")]
    UnknownVersion {
        kind: String,
        api_version: String,
        expected: String,
    },
    #[error("{at}{message}")]
    Decode { at: At, message: String },
    #[error("duplicate {object}, first defined at {first}; this one is ignored")]
    Duplicate { object: String, first: String },
}

impl Problem {
    pub fn severity(&self) -> Severity {
        match self {
            Problem::EmptyDirectory
            | Problem::UnknownKind { .. }
            | Problem::UnknownVersion { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// Where inside a document a problem is, when it is not the document itself (an item of a
/// `List`): displayed as a `path: ` prefix, or as nothing.
#[derive(Debug, Default)]
pub(crate) struct At(pub String);

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, "{}: ", self.0)
        }
    }
}

/// A byte count shown in MiB when it is a whole number of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ByteSize(pub u64);

impl std::fmt::Display for ByteSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const MIB: u64 = 1024 * 1024;
        if self.0 >= MIB && self.0.is_multiple_of(MIB) {
            write!(f, "{} MiB", self.0 / MIB)
        } else {
            write!(f, "{} bytes", self.0)
        }
    }
}

/// What a YAML value is, for messages.
pub(crate) fn describe(value: &serde_norway::Value) -> &'static str {
    use serde_norway::Value;
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a sequence",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(ByteSize(64 * 1024 * 1024).to_string(), "64 MiB");
        assert_eq!(ByteSize(1000).to_string(), "1000 bytes");
    }

    #[test]
    fn warnings_are_only_for_what_is_skipped_on_purpose() {
        let unknown = Problem::UnknownKind {
            kind: "Deployment".into(),
            api_version: "apps/v1".into(),
        };
        assert_eq!(unknown.severity(), Severity::Warning);
        assert_eq!(Problem::Binary.severity(), Severity::Error);
    }
}
