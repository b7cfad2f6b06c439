//! Field selectors of lists and watches.

/// The `fieldSelector` of a list or watch: the fields every kind supports.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldSelector {
    pub(crate) name: Option<String>,
    pub(crate) namespace: Option<String>,
}

impl FieldSelector {
    /// Parses `metadata.name=x,metadata.namespace=y` (percent-encoded as sent); other fields
    /// are refused as a real API server refuses fields a kind does not index.
    pub(crate) fn parse(encoded: Option<&String>) -> Result<FieldSelector, String> {
        let mut out = FieldSelector::default();
        let Some(encoded) = encoded else {
            return Ok(out);
        };
        let text = encoded
            .replace("%3D", "=")
            .replace("%3d", "=")
            .replace("%2C", ",")
            .replace("%2c", ",");
        for term in text.split(',').filter(|t| !t.is_empty()) {
            let (field, value) = term
                .split_once("==")
                .or_else(|| term.split_once('='))
                .ok_or_else(|| format!("invalid field selector term {term:?}"))?;
            match field {
                "metadata.name" => out.name = Some(value.to_string()),
                "metadata.namespace" => out.namespace = Some(value.to_string()),
                other => return Err(format!("field label not supported: {other}")),
            }
        }
        Ok(out)
    }

    pub(crate) fn matches(&self, namespace: &str, name: &str) -> bool {
        self.name.as_deref().is_none_or(|n| n == name)
            && self.namespace.as_deref().is_none_or(|n| n == namespace)
    }
}
