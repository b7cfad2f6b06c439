//! The `fieldSelector` of a list or watch: the fields every kind supports, and a Secret's
//! `type` (which a real API server indexes for Secrets only).

use crate::catalog::Kind;
use serde_json::Value;

#[derive(Clone, Debug, Default)]
pub(crate) struct FieldSelector {
    name: Option<String>,
    namespace: Option<String>,
    /// A Secret's `type`; an object without one is `Opaque`, as the API server defaults it.
    secret_type: Option<String>,
}

impl FieldSelector {
    /// Parses `metadata.name=x,metadata.namespace=y` (percent-encoded as sent); other fields
    /// are refused as a real API server refuses fields a kind does not index.
    pub(crate) fn parse(kind: &Kind, encoded: Option<&String>) -> Result<FieldSelector, String> {
        let mut out = FieldSelector::default();
        let Some(encoded) = encoded else {
            return Ok(out);
        };
        let text = percent_decode(encoded);
        for term in text.split(',').filter(|t| !t.is_empty()) {
            let (field, value) = term
                .split_once("==")
                .or_else(|| term.split_once('='))
                .ok_or_else(|| format!("invalid field selector term {term:?}"))?;
            match field {
                "metadata.name" => out.name = Some(value.to_string()),
                "metadata.namespace" => out.namespace = Some(value.to_string()),
                "type" if kind.group.is_empty() && kind.plural == "secrets" => {
                    out.secret_type = Some(value.to_string())
                }
                other => return Err(format!("field label not supported: {other}")),
            }
        }
        Ok(out)
    }

    pub(crate) fn matches(&self, namespace: &str, object: &Value) -> bool {
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let secret_type = object["type"].as_str().unwrap_or("Opaque");
        self.name.as_deref().is_none_or(|n| n == name)
            && self.namespace.as_deref().is_none_or(|n| n == namespace)
            && self.secret_type.as_deref().is_none_or(|t| t == secret_type)
    }
}

/// `%XX` escapes decoded (a query value as a client sends it).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_secret_type_selector_matches_by_type_and_defaults_to_opaque() {
        let secrets = crate::catalog::by_plural("", "secrets").unwrap();
        let f = FieldSelector::parse(
            secrets,
            Some(&"metadata.name%3Dweb-tls%2Ctype%3Dkubernetes.io%2Ftls".to_string()),
        )
        .unwrap();
        let tls = json!({"metadata": {"name": "web-tls"}, "type": "kubernetes.io/tls"});
        let opaque = json!({"metadata": {"name": "web-tls"}});
        assert!(f.matches("apps", &tls));
        assert!(!f.matches("apps", &opaque));
        let services = crate::catalog::by_plural("", "services").unwrap();
        assert!(FieldSelector::parse(services, Some(&"type%3Dx".to_string())).is_err());
    }
}
