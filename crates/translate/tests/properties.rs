//! Invariants of ALB translation on generated routes: priorities are unique and dense per
//! listener, no rule breaks an ALB limit, and the same input always gives the same output.

mod support;

use gantry_translate::{Settings, translate};
use proptest::prelude::*;

/// A Gateway of the class `alb` (added before it) and the Services its routes send to.
const PREAMBLE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: web}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, protocol: HTTP, port: 80}
  - {name: wild, protocol: HTTP, port: 8080, hostname: "*.example.com"}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: web}
spec:
  type: NodePort
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
"#;

fn path() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("Exact"), Just("PathPrefix"), Just("RegularExpression")],
        "(/[a-z]{0,6}){1,3}",
    )
        .prop_map(|(t, v)| format!("{{type: {t}, value: \"{v}\"}}"))
}

fn a_match() -> impl Strategy<Value = String> {
    (
        proptest::option::of(path()),
        proptest::collection::vec(("[a-z]{1,8}", "[a-z0-9]{1,8}"), 0..4),
        proptest::collection::vec(("[a-z]{1,5}", "[a-z0-9]{1,5}"), 0..3),
        proptest::option::of(prop_oneof![Just("GET"), Just("POST")]),
    )
        .prop_map(|(p, headers, query, method)| {
            let mut m = String::from("    - ");
            let mut parts = Vec::new();
            if let Some(p) = p {
                parts.push(format!("path: {p}"));
            }
            parts.extend(name_values("headers", "x-", &headers));
            parts.extend(name_values("queryParams", "", &query));
            if let Some(method) = method {
                parts.push(format!("method: {method}"));
            }
            if parts.is_empty() {
                parts.push("path: {type: PathPrefix, value: /}".to_string());
            }
            m.push_str(&format!("{{{}}}\n", parts.join(", ")));
            m
        })
}

/// `field: [{name: <prefix><name>, value: "<value>"}, …]`, or nothing for no pairs.
fn name_values(field: &str, prefix: &str, pairs: &[(String, String)]) -> Option<String> {
    let entries: Vec<String> = pairs
        .iter()
        .map(|(n, v)| format!("{{name: {prefix}{n}, value: \"{v}\"}}"))
        .collect();
    (!entries.is_empty()).then(|| format!("{field}: [{}]", entries.join(", ")))
}

fn route(i: usize) -> impl Strategy<Value = String> {
    (
        proptest::collection::vec("[a-c]\\.example\\.com", 0..3),
        proptest::collection::vec(
            (proptest::collection::vec(a_match(), 1..4), proptest::collection::vec(0i32..1200, 1..7)),
            1..4,
        ),
    )
        .prop_map(move |(hosts, rules)| {
            let mut r = format!(
                "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r{i}, namespace: web}}\nspec:\n  parentRefs: [{{name: gw}}]\n"
            );
            if !hosts.is_empty() {
                r.push_str(&format!("  hostnames: [{}]\n", hosts.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")));
            }
            r.push_str("  rules:\n");
            for (matches, weights) in rules {
                r.push_str("  - matches:\n");
                for m in matches {
                    r.push_str(&m);
                }
                r.push_str("    backendRefs:\n");
                for w in weights {
                    r.push_str(&format!("    - {{name: app, port: 80, weight: {w}}}\n"));
                }
            }
            r
        })
}

fn cluster() -> impl Strategy<Value = String> {
    (1usize..6).prop_flat_map(|n| {
        (0..n).map(route).collect::<Vec<_>>().prop_map(|routes| {
            let mut docs = vec![
                gantry_testkit::objects::gateway_class("alb", "alb"),
                PREAMBLE.to_string(),
            ];
            docs.extend(routes);
            docs.join("\n---\n")
        })
    })
}

/// A generated cluster's objects: the generator only writes documents that load.
fn load(text: &str) -> gantry_snapshot::Snapshot {
    support::load("generated.yaml", text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn priorities_are_dense_and_rules_fit_alb_limits(text in cluster()) {
        let snapshot = load(&text);
        let settings = Settings::new("prop");
        let t = translate(&snapshot, &settings);
        let mut total = 0;
        for stack in &t.stacks {
            for l in &stack.listeners {
                let priorities: Vec<u32> = l.rules.iter().map(|r| r.priority).collect();
                let expected: Vec<u32> = (1..=l.rules.len() as u32).collect();
                prop_assert_eq!(priorities, expected);
                for r in &l.rules {
                    prop_assert_eq!(gantry_translate_limits(&r.conditions), None);
                    for a in &r.actions {
                        if let Some(f) = &a.forward_config {
                            prop_assert!(f.target_groups.len() <= 5);
                            for tg in &f.target_groups {
                                prop_assert!((0..=999).contains(&tg.weight.unwrap_or(1)));
                                prop_assert!(stack.target_group(tg.target_group_arn.as_str()).is_some());
                            }
                        }
                    }
                }
                total += l.rules.len();
            }
        }
        prop_assert!(total <= settings.max_rules_per_alb);
    }

    #[test]
    fn translation_is_deterministic(text in cluster()) {
        let snapshot = load(&text);
        let settings = Settings::new("prop");
        let a = serde_json::to_string(&translate(&snapshot, &settings)).unwrap();
        let b = serde_json::to_string(&translate(&load(&text), &settings)).unwrap();
        prop_assert_eq!(a, b);
    }
}

/// The limit check translation itself uses, re-exported for this test.
fn gantry_translate_limits(c: &[gantry_model::RuleCondition]) -> Option<String> {
    gantry_translate::limits::check(c)
}
