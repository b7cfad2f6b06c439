//! deploy/iam-policy.json is scoped by gantry's ownership tag, as the established controller's
//! published policy is: create calls only with `elbv2.k8s.aws/cluster` in the request, changes
//! only to resources that carry it, tagging only at creation or of owned resources. The few
//! mutating actions that cannot be scoped that way are listed here with the reason, which
//! deploy/README.md repeats.
//!
//! A small evaluator of the policy's condition operators (`Null`, `StringEquals`) then proves
//! what the scoping is for: a compromised controller could not delete a load balancer, target
//! group or security group it does not own.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const CLUSTER_TAG: &str = "elbv2.k8s.aws/cluster";

/// Statements (by Sid) that allow mutating actions without the ownership tag, and why.
const UNSCOPED: &[(&str, &str)] = &[
    (
        "IngressOnLoadBalancerAndWorkerSecurityGroups",
        "worker nodes' security groups carry kubernetes.io/cluster/<cluster>, a tag key IAM conditions cannot name for every cluster",
    ),
    (
        "TargetsOfBoundTargetGroups",
        "TargetGroupBindings name target groups created outside gantry",
    ),
    (
        "WebAclOfApplicationLoadBalancers",
        "the web ACL is the user's, named by its ARN; on the load balancer AWS also checks elasticloadbalancing:SetWebAcl, which needs the ownership tag",
    ),
];

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn policy() -> Vec<Value> {
    let policy: Value = serde_json::from_str(&read("deploy/iam-policy.json")).unwrap();
    policy["Statement"].as_array().unwrap().clone()
}

fn is_read(action: &str) -> bool {
    let op = action.split_once(':').map(|(_, op)| op).unwrap_or(action);
    ["Describe", "List", "Get"]
        .iter()
        .any(|p| op.starts_with(p))
}

fn actions(statement: &Value) -> Vec<String> {
    statement["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_mutating_action_is_scoped_by_the_ownership_tag_or_has_a_reason() {
    let readme = read("deploy/README.md");
    let request = format!("aws:RequestTag/{CLUSTER_TAG}");
    let resource = format!("aws:ResourceTag/{CLUSTER_TAG}");
    for statement in policy() {
        let sid = statement["Sid"]
            .as_str()
            .expect("every statement has a Sid");
        let mutating: Vec<String> = actions(&statement)
            .into_iter()
            .filter(|a| !is_read(a))
            .collect();
        if mutating.is_empty() {
            continue;
        }
        let nulls = &statement["Condition"]["Null"];
        let requires = |key: &str| nulls[key].as_str() == Some("false");
        let scoped = requires(&request) || requires(&resource);
        match UNSCOPED.iter().find(|(s, _)| *s == sid) {
            Some((_, reason)) => {
                assert!(!scoped, "{sid} is scoped: remove it from UNSCOPED");
                assert!(
                    readme.contains(reason),
                    "deploy/README.md gives the reason for {sid}: {reason}"
                );
            }
            None => assert!(
                scoped,
                "{sid} allows {mutating:?} without requiring the {CLUSTER_TAG} tag in the request or on the resource"
            ),
        }
    }
}

#[test]
fn creating_requires_the_tag_in_the_request() {
    let request = format!("aws:RequestTag/{CLUSTER_TAG}");
    for statement in policy() {
        let creates: Vec<String> = actions(&statement)
            .into_iter()
            .filter(|a| a.contains(":Create") && !a.ends_with(":CreateTags"))
            .collect();
        if !creates.is_empty() {
            assert_eq!(
                statement["Condition"]["Null"][&request].as_str(),
                Some("false"),
                "{creates:?}"
            );
        }
    }
}

/// One call as IAM sees it: the action and the values of the condition keys it carries.
struct Call<'a> {
    action: &'a str,
    keys: BTreeMap<String, String>,
}

impl Call<'_> {
    fn allowed(&self) -> bool {
        policy().iter().any(|s| {
            s["Effect"] == "Allow"
                && actions(s).iter().any(|a| a == self.action)
                && conditions_hold(&s["Condition"], &self.keys)
        })
    }
}

fn conditions_hold(condition: &Value, keys: &BTreeMap<String, String>) -> bool {
    let Some(operators) = condition.as_object() else {
        return true; // no condition
    };
    operators.iter().all(|(operator, tests)| {
        tests.as_object().unwrap().iter().all(|(key, expected)| {
            let present = keys.get(key);
            match operator.as_str() {
                "Null" => (present.is_none()).to_string() == expected.as_str().unwrap(),
                "StringEquals" => match expected {
                    Value::Array(options) => options
                        .iter()
                        .any(|o| Some(o.as_str().unwrap()) == present.map(String::as_str)),
                    v => v.as_str() == present.map(String::as_str),
                },
                other => panic!("the evaluator does not know the operator {other}: teach it"),
            }
        })
    })
}

fn call<'a>(action: &'a str, keys: &[(&str, &str)]) -> Call<'a> {
    Call {
        action,
        keys: keys
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn a_compromised_controller_cannot_delete_what_it_does_not_own() {
    let owned = format!("aws:ResourceTag/{CLUSTER_TAG}");
    for action in [
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetWebAcl",
        "shield:DeleteProtection",
        "ec2:DeleteSecurityGroup",
    ] {
        assert!(
            call(action, &[(&owned, "prod")]).allowed(),
            "{action} on its own"
        );
        assert!(
            !call(action, &[]).allowed(),
            "{action} on a foreign resource"
        );
        assert!(
            !call(action, &[("aws:ResourceTag/team", "payments")]).allowed(),
            "{action} on a foreign tagged resource"
        );
    }
}

#[test]
fn tags_only_at_creation_or_on_owned_resources_and_ownership_cannot_be_taken() {
    let request = format!("aws:RequestTag/{CLUSTER_TAG}");
    let owned = format!("aws:ResourceTag/{CLUSTER_TAG}");
    let add = "elasticloadbalancing:AddTags";
    // At creation, with the ownership tag.
    assert!(
        call(
            add,
            &[
                ("elasticloadbalancing:CreateAction", "CreateLoadBalancer"),
                (&request, "prod")
            ]
        )
        .allowed()
    );
    assert!(
        !call(
            add,
            &[("elasticloadbalancing:CreateAction", "CreateLoadBalancer")]
        )
        .allowed()
    );
    // On an owned resource, without touching the ownership tag.
    assert!(call(add, &[(&owned, "prod")]).allowed());
    assert!(!call(add, &[(&owned, "prod"), (&request, "other")]).allowed());
    // Claiming a foreign load balancer by tagging it is refused.
    assert!(!call(add, &[(&request, "prod")]).allowed());
    assert!(!call("ec2:CreateTags", &[(&request, "prod")]).allowed());
    assert!(
        call(
            "ec2:CreateTags",
            &[
                ("ec2:CreateAction", "CreateSecurityGroup"),
                (&request, "prod")
            ]
        )
        .allowed()
    );
    // Creating without the tag is refused.
    assert!(!call("elasticloadbalancing:CreateLoadBalancer", &[]).allowed());
    assert!(
        call(
            "elasticloadbalancing:CreateLoadBalancer",
            &[(&request, "prod")]
        )
        .allowed()
    );
}
