//! Whether two listener rules can match the same request.
//!
//! The rule planner must assume that any two rules may overlap unless this module proves
//! otherwise; the proof only needs to be conservative. Two rules are disjoint when, for some
//! condition field both of them test, no value of one can match a value of the other: two
//! different exact hosts, path patterns whose literal prefixes (or suffixes) diverge, different
//! methods, or the same header with such values.

use gantry_model::{ConditionField, RuleCondition};

/// False only when no request can match both condition lists.
pub fn may_overlap(a: &[RuleCondition], b: &[RuleCondition]) -> bool {
    for field in [
        ConditionField::HostHeader,
        ConditionField::PathPattern,
        ConditionField::HttpRequestMethod,
    ] {
        if let (Some(x), Some(y)) = (values(a, field), values(b, field))
            && disjoint(&x, &y, field == ConditionField::HostHeader)
        {
            return false;
        }
    }
    // Headers: only when both test the same header name.
    for ca in a.iter().filter_map(|c| c.http_header_config.as_ref()) {
        for cb in b.iter().filter_map(|c| c.http_header_config.as_ref()) {
            if ca
                .http_header_name
                .eq_ignore_ascii_case(&cb.http_header_name)
                && ca.header_values.regex_values.is_empty()
                && cb.header_values.regex_values.is_empty()
                && disjoint(&ca.header_values.values, &cb.header_values.values, true)
            {
                return false;
            }
        }
    }
    true
}

/// All wildcard values a rule tests for `field`; None when it does not test the field or uses
/// regular expressions there (which this module does not reason about).
fn values(conditions: &[RuleCondition], field: ConditionField) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut found = false;
    for c in conditions.iter().filter(|c| c.field == field) {
        let v = match field {
            ConditionField::HostHeader => c.host_header_config.as_ref(),
            ConditionField::PathPattern => c.path_pattern_config.as_ref(),
            ConditionField::HttpRequestMethod => c.http_request_method_config.as_ref(),
            _ => None,
        }?;
        if !v.regex_values.is_empty() {
            return None;
        }
        found = true;
        out.extend(v.values.iter().cloned());
    }
    // A rule with several conditions on one field must match one value of each; checking the
    // union is weaker, hence still safe.
    found.then_some(out)
}

fn disjoint(xs: &[String], ys: &[String], case_insensitive: bool) -> bool {
    let norm = |s: &String| {
        if case_insensitive {
            s.to_ascii_lowercase()
        } else {
            s.clone()
        }
    };
    xs.iter()
        .all(|x| ys.iter().all(|y| !patterns_may_meet(&norm(x), &norm(y))))
}

/// Two ALB wildcard patterns (`*` any run, `?` one character) may match a common string unless
/// their literal prefixes or literal suffixes contradict each other.
fn patterns_may_meet(x: &str, y: &str) -> bool {
    let wild = |c: char| c == '*' || c == '?';
    if !x.contains(wild) && !y.contains(wild) {
        return x == y;
    }
    let prefix = |s: &str| s.split(wild).next().unwrap_or("").to_string();
    let suffix = |s: &str| s.rsplit(wild).next().unwrap_or("").to_string();
    let compatible = |a: &str, b: &str, f: fn(&str, &str) -> bool| f(a, b) || f(b, a);
    // A value without the wildcard is its own prefix and suffix (`split` yields it whole).
    let (px, py) = (prefix(x), prefix(y));
    let (sx, sy) = (suffix(x), suffix(y));
    compatible(&px, &py, |a, b| a.starts_with(b)) && compatible(&sx, &sy, |a, b| a.ends_with(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(host: Option<&str>, path: Option<&str>) -> Vec<RuleCondition> {
        let mut out = Vec::new();
        if let Some(h) = host {
            out.push(RuleCondition::host_header(vec![h.to_string()]));
        }
        if let Some(p) = path {
            out.push(RuleCondition::path_pattern(vec![p.to_string()]));
        }
        out
    }

    #[test]
    fn overlap_table() {
        let cases = [
            (rule(Some("a.com"), None), rule(Some("b.com"), None), false),
            (rule(Some("a.com"), None), rule(Some("A.COM"), None), true),
            (
                rule(Some("*.a.com"), None),
                rule(Some("x.a.com"), None),
                true,
            ),
            (
                rule(Some("*.a.com"), None),
                rule(Some("x.b.com"), None),
                false,
            ),
            (rule(None, Some("/a*")), rule(None, Some("/b*")), false),
            (rule(None, Some("/a*")), rule(None, Some("/ab*")), true),
            (rule(None, Some("/a")), rule(None, Some("/a*")), true),
            (rule(None, Some("/a")), rule(None, Some("/ab")), false),
            (rule(None, Some("/*")), rule(None, Some("/x")), true),
            (
                rule(Some("a.com"), Some("/a*")),
                rule(None, Some("/b*")),
                false,
            ),
            (
                rule(Some("a.com"), Some("/a*")),
                rule(Some("a.com"), None),
                true,
            ),
            (rule(None, None), rule(Some("a.com"), None), true),
        ];
        for (a, b, expected) in cases {
            assert_eq!(may_overlap(&a, &b), expected, "{a:?} vs {b:?}");
            assert_eq!(may_overlap(&b, &a), expected, "{b:?} vs {a:?}");
        }
    }
}
