use std::fmt;

/// How bad a [`Diagnostic`] is: errors mean the input is wrong, warnings that part of it was
/// skipped on purpose (a kind gantry does not read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found while loading, located precisely enough to fix it without hunting.
///
/// Displays as `file:line: document N (Kind ns/name): message`; parts that are not known are
/// left out (a file that cannot be read has no document and no line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The path as given (or found while walking a directory); `<stdin>` for standard input.
    pub file: String,
    /// 0-based index of the YAML document in the file.
    pub document: Option<usize>,
    /// 1-based line: the exact line when known, otherwise the line where the document starts.
    pub line: Option<usize>,
    /// `Kind namespace/name` (or `Kind name` for cluster-scoped kinds) when it could be read.
    pub object: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        match (self.document, &self.object) {
            (Some(document), Some(object)) => write!(f, "document {document} ({object}): ")?,
            (Some(document), None) => write!(f, "document {document}: ")?,
            (None, Some(object)) => write!(f, "{object}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mk(document: Option<usize>, line: Option<usize>, object: Option<&str>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: "examples/foo.yaml".into(),
            document,
            line,
            object: object.map(str::to_owned),
            message: "boom".into(),
        }
    }

    #[test]
    fn display_names_every_known_part() {
        assert_eq!(
            mk(Some(3), Some(12), Some("HTTPRoute example-ns/my-route")).to_string(),
            "examples/foo.yaml:12: document 3 (HTTPRoute example-ns/my-route): boom"
        );
        assert_eq!(
            mk(Some(0), Some(1), None).to_string(),
            "examples/foo.yaml:1: document 0: boom"
        );
        assert_eq!(mk(None, None, None).to_string(), "examples/foo.yaml: boom");
    }
}
