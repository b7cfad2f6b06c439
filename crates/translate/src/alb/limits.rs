//! ALB quotas a rule must fit in, checked before AWS would reject the plan.

use crate::context::Context;
use crate::findings::RouteId;
use crate::routes::Route;
use gantry_model::{ConditionField, Listener, RuleCondition};

pub const MAX_VALUES_PER_CONDITION: usize = 3;
pub const MAX_EVALUATIONS_PER_RULE: usize = 5;
pub const MAX_WILDCARDS_PER_RULE: usize = 5;
pub const MAX_VALUE_LENGTH: usize = 128;
pub const MAX_HEADER_NAME_LENGTH: usize = 40;
pub const MAX_TARGET_GROUPS_PER_FORWARD: usize = 5;
pub const MAX_WEIGHT: i32 = 999;

/// The first limit the conditions break, as a message; `None` when they fit.
pub fn check(conditions: &[RuleCondition]) -> Option<String> {
    const SINGLE: [ConditionField; 4] = [
        ConditionField::HostHeader,
        ConditionField::PathPattern,
        ConditionField::HttpRequestMethod,
        ConditionField::SourceIp,
    ];
    let mut per_field = [0usize; SINGLE.len()];
    for c in conditions {
        if let Some(i) = SINGLE.iter().position(|f| *f == c.field) {
            per_field[i] += 1;
        }
    }
    for (single, n) in SINGLE.into_iter().zip(per_field) {
        if n > 1 {
            return Some(format!(
                "ALB rules take at most one {} condition; this one needs {n}",
                single.as_str()
            ));
        }
    }
    let mut evaluations = 0;
    let mut wildcards = 0;
    for c in conditions {
        let values = || c.evaluations();
        let count = values().count();
        if count > MAX_VALUES_PER_CONDITION {
            return Some(format!(
                "ALB conditions take at most {MAX_VALUES_PER_CONDITION} values; the {} condition has {count}",
                c.field.as_str(),
            ));
        }
        evaluations += count;
        for v in values() {
            if v.len() > MAX_VALUE_LENGTH {
                return Some(format!(
                    "ALB condition values are at most {MAX_VALUE_LENGTH} characters; a {} value has {}",
                    c.field.as_str(),
                    v.len()
                ));
            }
        }
        let regex = c
            .path_pattern_config
            .as_ref()
            .is_some_and(|p| !p.regex_values.is_empty())
            || c.http_header_config
                .as_ref()
                .is_some_and(|h| !h.header_values.regex_values.is_empty());
        if !regex && c.field != ConditionField::SourceIp {
            wildcards += values()
                .map(|v| v.matches(['*', '?']).count())
                .sum::<usize>();
        }
        if let Some(h) = &c.http_header_config
            && h.http_header_name.len() > MAX_HEADER_NAME_LENGTH
        {
            return Some(format!(
                "ALB header names are at most {MAX_HEADER_NAME_LENGTH} characters; {} has {}",
                h.http_header_name,
                h.http_header_name.len()
            ));
        }
    }
    if evaluations > MAX_EVALUATIONS_PER_RULE {
        return Some(format!(
            "ALB rules take at most {MAX_EVALUATIONS_PER_RULE} match evaluations; this match needs {evaluations}"
        ));
    }
    if wildcards > MAX_WILDCARDS_PER_RULE {
        return Some(format!(
            "ALB rules take at most {MAX_WILDCARDS_PER_RULE} wildcards; this match needs {wildcards}"
        ));
    }
    None
}

/// Keeps the number of rules within the ALB quota: rules beyond it, lowest precedence first
/// across listeners in port order, are left out and reported on their routes.
pub(super) fn enforce_rule_quota(ctx: &mut Context<'_>, listeners: &mut [Listener]) {
    let max = ctx.settings.max_rules_per_alb;
    let total: usize = listeners.iter().map(|l| l.rules.len()).sum();
    if total <= max {
        return;
    }
    let mut budget = max;
    let mut dropped = Vec::new();
    for l in listeners.iter_mut() {
        let keep = l.rules.len().min(budget);
        budget -= keep;
        dropped.extend(l.rules.drain(keep..).map(|r| r.source));
    }
    let routes: Vec<Route> = ctx
        .attached()
        .into_iter()
        .map(|(r, _, _)| r.clone())
        .collect();
    for source in dropped {
        if let Some(route) = routes.iter().find(|r| r.display() == source.route) {
            if let Some(report) = ctx.found.reports.get_mut(&RouteId::of(route)) {
                report.programmed = report.programmed.saturating_sub(1);
            }
            ctx.found.drop_match(
                route,
                source.rule,
                source.r#match,
                format!("the load balancer already has {max} rules, the ALB quota (rules per load balancer)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_prefix_and_two_headers_fit_but_a_method_more_does_not() {
        let mut c = vec![
            RuleCondition::host_header(vec!["a.example.com".into()]),
            RuleCondition::path_pattern(vec!["/p".into(), "/p/*".into()]),
            RuleCondition::http_header("x-a".into(), vec!["1".into()], vec![]),
            RuleCondition::http_header("x-b".into(), vec!["2".into()], vec![]),
        ];
        assert_eq!(check(&c), None);
        c.push(RuleCondition::http_request_method("GET".into()));
        assert!(check(&c).unwrap().contains("at most 5 match evaluations"));
    }

    #[test]
    fn long_values_and_header_names_are_refused() {
        let long = "a".repeat(129);
        assert!(check(&[RuleCondition::path_pattern(vec![long])]).is_some());
        let name = "x".repeat(41);
        assert!(check(&[RuleCondition::http_header(name, vec!["v".into()], vec![])]).is_some());
    }

    #[test]
    fn too_many_wildcards_are_refused() {
        let c = vec![
            RuleCondition::host_header(vec!["*.example.com".into()]),
            RuleCondition::path_pattern(vec!["/a*b*c*d*".into()]),
            RuleCondition::http_header("x".into(), vec!["?".into()], vec![]),
        ];
        assert!(check(&c).unwrap().contains("wildcards"));
    }
}
