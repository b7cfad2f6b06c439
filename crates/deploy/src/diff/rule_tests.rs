//! The planner's calls are replayed on a simulated listener; after every call, concrete test
//! requests must be routed like the old or the new rule set routes them.

use super::*;
use gantry_model::{Action, ArnRef, ForwardConfig, RuleCondition, TargetGroupTuple};
use proptest::prelude::*;

/// A rule of the test universe: optional host, optional path pattern, a target group.
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    host: Option<&'static str>,
    path: Option<&'static str>,
    tg: &'static str,
}

const HOSTS: [&str; 2] = ["a.example.com", "b.example.com"];
const PATHS: [&str; 5] = ["/*", "/api*", "/api/v2*", "/web", "/static*"];
const TGS: [&str; 3] = ["arn:tg1", "arn:tg2", "arn:tg3"];
const REQUEST_PATHS: [&str; 6] = ["/", "/api", "/api/v2/x", "/web", "/static/a.css", "/other"];

fn content(s: &Spec) -> RuleContent {
    let mut conditions = Vec::new();
    if let Some(h) = s.host {
        conditions.push(RuleCondition::host_header(vec![h.into()]));
    }
    if let Some(p) = s.path {
        conditions.push(RuleCondition::path_pattern(vec![p.into()]));
    }
    let action = Action::forward(ForwardConfig {
        target_groups: vec![TargetGroupTuple {
            target_group_arn: ArnRef::Existing(s.tg.into()),
            weight: None,
        }],
        target_group_stickiness_config: None,
    });
    RuleContent::new(conditions, vec![action], vec![])
}

fn glob(pattern: &str, s: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => s.starts_with(prefix),
        None => pattern == s,
    }
}

/// Where a request goes: the target group of the first matching rule, or the default (None).
fn route(rules: &[(u32, Spec)], host: &str, path: &str) -> Option<&'static str> {
    let mut sorted: Vec<&(u32, Spec)> = rules.iter().collect();
    sorted.sort_by_key(|(p, _)| *p);
    sorted
        .into_iter()
        .find(|(_, s)| s.host.is_none_or(|h| h == host) && s.path.is_none_or(|p| glob(p, path)))
        .map(|(_, s)| s.tg)
}

#[derive(Clone, Debug)]
struct Sim {
    rules: Vec<(RuleRef, u32, Spec)>,
}

impl Sim {
    fn view(&self) -> Vec<(u32, Spec)> {
        self.rules.iter().map(|(_, p, s)| (*p, s.clone())).collect()
    }

    fn apply(&mut self, call: &RuleCall, wanted: &[Spec], mode: PriorityMode) {
        match call {
            RuleCall::SetPriorities(changes) => {
                let used: Vec<u32> = self.rules.iter().map(|r| r.1).collect();
                for (rule, p) in changes {
                    if mode == PriorityMode::Strict {
                        assert!(
                            !used.contains(p),
                            "strict: priority {p} in use before the call"
                        );
                    }
                    let r = self
                        .rules
                        .iter_mut()
                        .find(|r| &r.0 == rule)
                        .expect("rule exists");
                    r.1 = *p;
                }
            }
            RuleCall::Modify { arn, wanted: j } => {
                let r = self
                    .rules
                    .iter_mut()
                    .find(|r| r.0 == RuleRef::Existing(arn.clone()))
                    .expect("rule exists");
                r.2 = wanted[*j].clone();
            }
            RuleCall::Create {
                wanted: j,
                priority,
            } => {
                assert!(
                    self.rules.iter().all(|r| r.1 != *priority),
                    "create on a used priority"
                );
                self.rules
                    .push((RuleRef::Created(*j), *priority, wanted[*j].clone()));
            }
            RuleCall::Delete { arn } => {
                let before = self.rules.len();
                self.rules.retain(|r| r.0 != RuleRef::Existing(arn.clone()));
                assert_eq!(before, self.rules.len() + 1, "delete of a missing rule");
            }
        }
        let mut ps: Vec<u32> = self.rules.iter().map(|r| r.1).collect();
        ps.sort();
        ps.dedup();
        assert_eq!(
            ps.len(),
            self.rules.len(),
            "duplicate priorities after {call:?}"
        );
        assert!(
            ps.iter().all(|p| (1..=50_000).contains(p)),
            "priority out of range"
        );
    }
}

/// Runs the plan and checks every intermediate state; returns the calls.
fn check(old: &[Spec], new: &[Spec], mode: PriorityMode) -> Vec<RuleCall> {
    let existing: Vec<ExistingRule> = old
        .iter()
        .enumerate()
        .map(|(i, s)| ExistingRule {
            arn: format!("arn:rule/{i}"),
            priority: i as u32 + 1,
            content: content(s),
        })
        .collect();
    let wanted: Vec<WantedRule> = new
        .iter()
        .enumerate()
        .map(|(i, s)| WantedRule {
            priority: i as u32 + 1,
            content: content(s),
        })
        .collect();
    let calls = plan(&existing, &wanted, mode).calls;
    let mut sim = Sim {
        rules: existing
            .iter()
            .zip(old)
            .map(|(e, s)| (RuleRef::Existing(e.arn.clone()), e.priority, s.clone()))
            .collect(),
    };
    let old_view = sim.view();
    let new_view: Vec<(u32, Spec)> = new
        .iter()
        .enumerate()
        .map(|(i, s)| (i as u32 + 1, s.clone()))
        .collect();
    for call in &calls {
        sim.apply(call, new, mode);
        let now = sim.view();
        for host in HOSTS {
            for path in REQUEST_PATHS {
                let (o, n, c) = (
                    route(&old_view, host, path),
                    route(&new_view, host, path),
                    route(&now, host, path),
                );
                assert!(
                    c == o || c == n,
                    "{host}{path}: old {o:?}, new {n:?}, after {call:?} {c:?}\ncalls {calls:#?}"
                );
            }
        }
    }
    let mut end = sim.view();
    end.sort_by_key(|(p, _)| *p);
    assert_eq!(end, new_view, "final state\ncalls {calls:#?}");
    calls
}

fn spec(host: Option<&'static str>, path: &'static str, tg: &'static str) -> Spec {
    Spec {
        host,
        path: Some(path),
        tg,
    }
}

fn set_priorities(calls: &[RuleCall]) -> usize {
    calls
        .iter()
        .filter(|c| matches!(c, RuleCall::SetPriorities(_)))
        .count()
}

#[test]
fn unchanged_rules_need_no_call() {
    let rules = vec![spec(None, "/api*", "arn:tg1"), spec(None, "/*", "arn:tg2")];
    for mode in [PriorityMode::Atomic, PriorityMode::Strict] {
        assert!(check(&rules, &rules, mode).is_empty());
    }
}

#[test]
fn one_changed_rule_is_one_modify() {
    let old = vec![
        spec(None, "/api*", "arn:tg1"),
        spec(None, "/web", "arn:tg2"),
        spec(None, "/*", "arn:tg3"),
    ];
    let mut new = old.clone();
    new[1].tg = "arn:tg3";
    for mode in [PriorityMode::Atomic, PriorityMode::Strict] {
        let calls = check(&old, &new, mode);
        assert!(
            matches!(calls.as_slice(), [RuleCall::Modify { .. }]),
            "{calls:?}"
        );
    }
}

#[test]
fn weight_changes_in_disjoint_rules_are_modifies() {
    let old = vec![
        spec(Some("a.example.com"), "/*", "arn:tg1"),
        spec(Some("b.example.com"), "/*", "arn:tg2"),
    ];
    let new = vec![
        spec(Some("a.example.com"), "/*", "arn:tg2"),
        spec(Some("b.example.com"), "/*", "arn:tg1"),
    ];
    let calls = check(&old, &new, PriorityMode::Atomic);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().all(|c| matches!(c, RuleCall::Modify { .. })));
}

#[test]
fn pure_reorder_is_one_set_rule_priorities_call() {
    let old: Vec<Spec> = ["/a*", "/b*", "/c*", "/d*", "/e*"]
        .map(|p| spec(None, p, "arn:tg1"))
        .to_vec();
    let mut new = old.clone();
    new.reverse();
    let calls = check(&old, &new, PriorityMode::Atomic);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(set_priorities(&calls), 1);
    let calls = check(&old, &new, PriorityMode::Strict);
    assert!(
        calls.len() <= 2 && set_priorities(&calls) == calls.len(),
        "{calls:?}"
    );
}

#[test]
fn insert_at_top_creates_after_making_room() {
    let old: Vec<Spec> = (0..20)
        .map(|i| spec(Some(HOSTS[i % 2]), PATHS[i % 5], TGS[i % 3]))
        .collect();
    let mut new = old.clone();
    new.insert(0, spec(None, "/api/v2*", "arn:tg3"));
    let calls = check(&old, &new, PriorityMode::Atomic);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(matches!(calls[1], RuleCall::Create { priority: 1, .. }));
    assert!(check(&old, &new, PriorityMode::Strict).len() <= 3);
}

#[test]
fn removed_rule_in_the_middle_is_deleted_then_the_rest_moves_up() {
    let old = vec![
        spec(None, "/api*", "arn:tg1"),
        spec(None, "/web", "arn:tg2"),
        spec(None, "/*", "arn:tg3"),
    ];
    let new = vec![old[0].clone(), old[2].clone()];
    for mode in [PriorityMode::Atomic, PriorityMode::Strict] {
        let calls = check(&old, &new, mode);
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert!(matches!(calls[0], RuleCall::Delete { .. }));
    }
}

/// Overlapping rules changing together must not be rewritten in place one by one: a request
/// matching both would briefly reach the second rule's old action.
#[test]
fn overlapping_changed_rules_are_made_before_broken() {
    let old = vec![spec(None, "/api*", "arn:tg1"), spec(None, "/*", "arn:tg2")];
    let new = vec![spec(None, "/api*", "arn:tg2"), spec(None, "/*", "arn:tg3")];
    for mode in [PriorityMode::Atomic, PriorityMode::Strict] {
        check(&old, &new, mode);
    }
}

fn arb_spec() -> impl Strategy<Value = Spec> {
    (
        prop::option::of(prop::sample::select(HOSTS.to_vec())),
        prop::option::of(prop::sample::select(PATHS.to_vec())),
        prop::sample::select(TGS.to_vec()),
    )
        .prop_map(|(host, path, tg)| Spec { host, path, tg })
}

fn arb_rules() -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec(arb_spec(), 0..12).prop_map(|mut v| {
        // A listener can't hold two identical rules that both matter; keep the first.
        let mut seen = Vec::new();
        v.retain(|s| {
            let fresh = !seen.contains(s);
            seen.push(s.clone());
            fresh
        });
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_intermediate_state_routes_like_old_or_new(old in arb_rules(), new in arb_rules()) {
        for mode in [PriorityMode::Atomic, PriorityMode::Strict] {
            check(&old, &new, mode);
        }
    }

    #[test]
    fn shuffling_kept_rules_never_creates_or_deletes(old in arb_rules(), seed in any::<u64>()) {
        let mut new = old.clone();
        let n = new.len();
        if n > 1 {
            for i in 0..n {
                new.swap(i, (seed as usize).wrapping_mul(i + 7) % n);
            }
        }
        let calls = check(&old, &new, PriorityMode::Atomic);
        prop_assert!(calls.len() <= 1);
        prop_assert!(calls.iter().all(|c| matches!(c, RuleCall::SetPriorities(_))));
    }
}

#[test]
fn removed_first_rule_is_deleted_and_the_rest_renumbered() {
    let old = vec![
        spec(Some("a.example.com"), "/api*", "arn:tg1"),
        spec(None, "/web", "arn:tg2"),
        spec(None, "/*", "arn:tg3"),
    ];
    let new = vec![old[1].clone(), old[2].clone()];
    for mode in [PriorityMode::Atomic, PriorityMode::Strict] {
        let calls = check(&old, &new, mode);
        assert!(matches!(calls[0], RuleCall::Delete { .. }), "{calls:?}");
        assert!(set_priorities(&calls) >= 1, "{calls:?}");
    }
}
