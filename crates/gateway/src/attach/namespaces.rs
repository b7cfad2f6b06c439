//! `allowedRoutes.namespaces`: which namespaces may attach routes to a listener.

use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeMap;

/// A label selector, converted from the several generated selector types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: BTreeMap<String, String>,
    /// (key, operator, values)
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

/// The generated selector types of `allowedRoutes` and `allowedListeners` differ only by name.
macro_rules! selector_from {
    ($($generated:ty),*) => {$(
        impl std::convert::From<&$generated> for Selector {
            fn from(s: &$generated) -> Self {
                Selector {
                    match_labels: s.match_labels.clone().unwrap_or_default(),
                    match_expressions: s
                        .match_expressions
                        .iter()
                        .flatten()
                        .map(|e| {
                            (
                                e.key.clone(),
                                e.operator.clone(),
                                e.values.clone().unwrap_or_default(),
                            )
                        })
                        .collect(),
                }
            }
        }
    )*};
}

selector_from!(
    gantry_api::gateway::GatewayListenersAllowedRoutesNamespacesSelector,
    gantry_api::gateway::GatewayAllowedListenersNamespacesSelector
);

impl Selector {
    /// Whether `labels` match. An unknown operator matches nothing, so that a typo never
    /// widens access.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self
                .match_expressions
                .iter()
                .all(|(key, op, values)| match op.as_str() {
                    "In" => labels.get(key).is_some_and(|v| values.contains(v)),
                    "NotIn" => labels.get(key).is_none_or(|v| !values.contains(v)),
                    "Exists" => labels.contains_key(key),
                    "DoesNotExist" => !labels.contains_key(key),
                    _ => false,
                })
    }
}

/// Labels of a namespace. The API server always sets `kubernetes.io/metadata.name`, so a
/// namespace missing from the manifests still has that one.
pub fn namespace_labels(snapshot: &Snapshot, namespace: &str) -> BTreeMap<String, String> {
    let mut labels = snapshot
        .namespaces
        .get(&ObjectKey::cluster(namespace))
        .and_then(|ns| ns.metadata.labels.clone())
        .unwrap_or_default();
    labels
        .entry("kubernetes.io/metadata.name".to_string())
        .or_insert_with(|| namespace.to_string());
    labels
}

/// Where routes may come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum From {
    Same,
    All,
    Selector(Selector),
    None,
}

impl From {
    pub fn allows(
        &self,
        snapshot: &Snapshot,
        gateway_namespace: &str,
        route_namespace: &str,
    ) -> bool {
        match self {
            From::Same => gateway_namespace == route_namespace,
            From::All => true,
            From::Selector(s) => s.matches(&namespace_labels(snapshot, route_namespace)),
            From::None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selector_operators() {
        let s = Selector {
            match_labels: labels(&[("team", "a")]),
            match_expressions: vec![
                (
                    "env".into(),
                    "In".into(),
                    vec!["prod".into(), "stage".into()],
                ),
                ("legacy".into(), "DoesNotExist".into(), vec![]),
            ],
        };
        assert!(s.matches(&labels(&[("team", "a"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("team", "a"), ("env", "dev")])));
        assert!(!s.matches(&labels(&[("team", "a"), ("env", "prod"), ("legacy", "")])));
        assert!(!s.matches(&labels(&[("team", "b"), ("env", "prod")])));
        let bad_op = Selector {
            match_expressions: vec![("x".into(), "Near".into(), vec![])],
            ..Default::default()
        };
        assert!(!bad_op.matches(&labels(&[("x", "1")])));
    }
}
