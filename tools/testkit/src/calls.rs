//! Counting a deployer's AWS calls: tests assert how many calls of some operations a run made.

use std::collections::BTreeMap;

/// How many of the calls in `counts` (a deployer's `call_counts()`, by service and operation)
/// were of one of `operations`.
pub fn count(counts: &BTreeMap<(String, String), u64>, operations: &[&str]) -> u64 {
    counts
        .iter()
        .filter(|((_, operation), _)| operations.contains(&operation.as_str()))
        .map(|(_, n)| n)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_named_operations_of_every_service() {
        let counts: BTreeMap<(String, String), u64> = [
            (("elbv2", "CreateListener"), 2),
            (("acm", "ImportCertificate"), 3),
            (("elbv2", "DescribeTags"), 5),
        ]
        .into_iter()
        .map(|((service, op), n)| ((service.to_string(), op.to_string()), n))
        .collect();
        assert_eq!(count(&counts, &["CreateListener", "ImportCertificate"]), 5);
        assert_eq!(count(&counts, &["DeleteListener"]), 0);
    }
}
