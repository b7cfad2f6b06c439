//! Tag and attribute differences: only what changed is sent.

use gantry_model::{Attribute, Tags};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TagChanges {
    /// Tags to add or overwrite.
    pub set: Tags,
    /// Keys to remove.
    pub remove: Vec<String>,
}

impl TagChanges {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }
}

/// What turns `actual` into `desired`. Keys in `keep` are never touched (e.g. a rule's resource
/// tag, which names the priority it was created at), nor are AWS's own `aws:` tags, nor keys
/// in `external` (`--external-managed-tags`: other tools own them).
pub fn tag_changes(
    actual: &Tags,
    desired: &Tags,
    keep: &[&str],
    external: &BTreeSet<String>,
) -> TagChanges {
    let skip = |k: &str| k.starts_with("aws:") || keep.contains(&k) || external.contains(k);
    TagChanges {
        set: desired
            .0
            .iter()
            .filter(|(k, v)| !skip(k) && actual.get(k) != Some(v.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        remove: actual
            .0
            .keys()
            .filter(|k| !skip(k) && !desired.0.contains_key(*k))
            .cloned()
            .collect(),
    }
}

/// Attributes whose desired value differs from AWS's. Attributes the plan doesn't mention are
/// left as they are (AWS reports all of them, defaults included).
pub fn attribute_changes(
    actual: &BTreeMap<String, String>,
    desired: &[Attribute],
) -> Vec<Attribute> {
    desired
        .iter()
        .filter(|a| actual.get(&a.key) != Some(&a.value))
        .cloned()
        .collect()
}

/// Tags of `(key, value)` pairs, for tests.
#[cfg(test)]
pub(crate) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_difference_is_sent() {
        let actual = tags(&[("a", "1"), ("b", "2"), ("aws:x", "y"), ("keep", "old")]);
        let desired = tags(&[("a", "1"), ("b", "3"), ("c", "4"), ("keep", "new")]);
        let c = tag_changes(&actual, &desired, &["keep"], &BTreeSet::new());
        assert_eq!(c.set, tags(&[("b", "3"), ("c", "4")]));
        assert!(c.remove.is_empty());
        let c = tag_changes(&desired, &tags(&[("a", "1")]), &[], &BTreeSet::new());
        assert_eq!(c.remove, ["b", "c", "keep"]);
        assert!(tag_changes(&actual, &actual, &[], &BTreeSet::new()).is_empty());
    }

    #[test]
    fn externally_managed_keys_are_never_removed_nor_overwritten() {
        let external: BTreeSet<String> = ["owner".to_string()].into();
        let actual = tags(&[("owner", "finance"), ("a", "1")]);
        // Desired drops `owner` and wants another value: neither happens.
        let desired = tags(&[("owner", "gantry"), ("b", "2")]);
        let c = tag_changes(&actual, &desired, &[], &external);
        assert_eq!(c.set, tags(&[("b", "2")]));
        assert_eq!(c.remove, ["a"]);
        let c = tag_changes(&actual, &tags(&[]), &[], &external);
        assert_eq!(c.remove, ["a"]);
    }

    #[test]
    fn unmentioned_attributes_are_left_alone() {
        let actual: BTreeMap<String, String> = [
            ("idle_timeout.timeout_seconds", "60"),
            ("deletion_protection.enabled", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let want = |k: &str, v: &str| Attribute {
            key: k.into(),
            value: v.into(),
        };
        assert!(
            attribute_changes(&actual, &[want("idle_timeout.timeout_seconds", "60")]).is_empty()
        );
        assert_eq!(
            attribute_changes(&actual, &[want("idle_timeout.timeout_seconds", "120")]),
            [want("idle_timeout.timeout_seconds", "120")]
        );
    }
}
