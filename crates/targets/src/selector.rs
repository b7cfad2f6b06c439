//! Kubernetes label selector semantics over a model [`NodeSelector`].

use gantry_model::NodeSelector;
use std::collections::BTreeMap;

/// Whether `labels` satisfy every `matchLabels` entry and every `matchExpressions`
/// requirement. An unknown operator matches nothing, as the API server would have refused it.
pub fn matches(selector: &NodeSelector, labels: &BTreeMap<String, String>) -> bool {
    let labels_ok = selector
        .match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    labels_ok
        && selector.match_expressions.iter().all(|e| {
            let value = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => value.is_some_and(|v| e.values.contains(v)),
                "NotIn" => value.is_none_or(|v| !e.values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}
