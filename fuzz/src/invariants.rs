//! What must hold for every translation, whatever the input: checked by the fuzz targets and
//! by the proptest suite (crates/translate/tests/fuzz_scenarios.rs). A violation panics with
//! the rule broken, which is what libFuzzer and proptest report.

use gantry_model::{Action, ArnRef, Stack};
use gantry_snapshot::Snapshot;
use gantry_translate::{Settings, Translation, limits, translate};
use std::collections::BTreeSet;

/// Translates `snapshot` twice and checks both results against the invariants.
pub fn check_translation(snapshot: &Snapshot) -> Translation {
    let settings = Settings::new("fuzz");
    let first = translate(snapshot, &settings);
    let second = translate(snapshot, &settings);
    let first_json = serde_json::to_string(&first).expect("a translation serializes");
    let second_json = serde_json::to_string(&second).expect("a translation serializes");
    assert!(
        first_json == second_json,
        "translating the same snapshot twice gave different output"
    );
    for stack in &first.stacks {
        check_stack(stack);
        let rules_per_alb: usize = stack.listeners.iter().map(|l| l.rules.len()).sum();
        assert!(
            rules_per_alb <= settings.max_rules_per_alb,
            "{}: {rules_per_alb} rules, more than the {} an ALB takes",
            stack.gateway,
            settings.max_rules_per_alb
        );
    }
    first
}

fn check_stack(stack: &Stack) {
    let gw = &stack.gateway;
    let mut ports = BTreeSet::new();
    for l in &stack.listeners {
        assert!(
            ports.insert(l.port),
            "{gw}: two listeners on port {}",
            l.port
        );
    }
    let mut ids = BTreeSet::new();
    for tg in &stack.target_groups {
        assert!(
            ids.insert(&tg.id),
            "{gw}: two target groups with id {}",
            tg.id
        );
    }
    for l in &stack.listeners {
        let priorities: Vec<u32> = l.rules.iter().map(|r| r.priority).collect();
        let dense: Vec<u32> = (1..=l.rules.len() as u32).collect();
        assert_eq!(
            priorities, dense,
            "{gw}: rule priorities of listener {} are not 1…N",
            l.port
        );
        for action in &l.default_actions {
            check_action(stack, action);
        }
        for rule in &l.rules {
            if let Some(broken) = limits::check(&rule.conditions) {
                panic!(
                    "{gw}: rule {} of listener {} breaks an ALB limit: {broken}",
                    rule.priority, l.port
                );
            }
            for action in &rule.actions {
                check_action(stack, action);
            }
        }
    }
}

fn check_action(stack: &Stack, action: &Action) {
    let gw = &stack.gateway;
    let Some(forward) = &action.forward_config else {
        return;
    };
    let groups = &forward.target_groups;
    assert!(
        !groups.is_empty(),
        "{gw}: a forward action without target groups"
    );
    assert!(
        groups.len() <= limits::MAX_TARGET_GROUPS_PER_FORWARD,
        "{gw}: a forward action with {} target groups",
        groups.len()
    );
    for tg in groups {
        let weight = tg.weight.unwrap_or(1);
        assert!(
            (0..=limits::MAX_WEIGHT).contains(&weight),
            "{gw}: target group weight {weight} out of 0..={}",
            limits::MAX_WEIGHT
        );
        if let ArnRef::Planned(id) = &tg.target_group_arn {
            assert!(
                stack.target_group(id).is_some(),
                "{gw}: an action forwards to target group {id}, which the stack does not define"
            );
        }
    }
}
