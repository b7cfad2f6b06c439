//! No configuration field is dropped without a word, for TargetGroupConfiguration and
//! ListenerRuleConfiguration (both served versions, from the CRD schemas gantry installs):
//! every field either changes the plan of the Gateways using it or is named in a Gateway's
//! `gateway.k8s.aws/ConfigurationApplied=False` condition.
//!
//! Each leaf field is set on its own (with the siblings it requires) to a value that differs
//! from its default; the translation is compared with the one of the base configuration (a
//! TargetGroupConfiguration naming the Service and nothing else, an empty
//! ListenerRuleConfiguration). Selector fields (`targetReference.*`,
//! `routeConfigurations[].routeIdentifier.*`) select nothing alone: they are walked with a
//! marker tag in the properties they select, so the plan shows whether they selected.

mod fields;

use fields::plan;
use fields::plan::{HTTP, HTTPS, TCP};
use gantry_translate::Translation;
use serde_json::{Value, json};

/// An ALB Gateway (HTTP 80, HTTPS 443) with an HTTPRoute whose rule names the
/// ListenerRuleConfiguration `walk`, and an NLB Gateway (TCP 9000) with a TCPRoute, both to
/// the Service `echo`, which the TargetGroupConfiguration `walk` names.
fn scenario() -> String {
    let web = plan::gateway("web", "alb", 'a', false, &[HTTP, HTTPS]);
    let tcp = plan::gateway("tcp", "nlb", 'b', false, &[TCP]);
    format!("{web}---\n{tcp}---\n{REST}")
}

const REST: &str = r#"apiVersion: v1
kind: Secret
metadata: {name: oidc, namespace: apps}
stringData: {clientID: walk-client, clientSecret: walk-secret}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: apps}
spec:
  parentRefs: [{name: web}]
  rules:
  - filters:
    - type: ExtensionRef
      extensionRef: {group: gateway.k8s.aws, kind: ListenerRuleConfiguration, name: walk}
    backendRefs: [{name: echo, port: 80}]
"#;

const TGC: &str = "TargetGroupConfiguration";
const LRC: &str = "ListenerRuleConfiguration";

fn special(path: &str) -> Option<Value> {
    let tail = path
        .trim_start_matches("spec.defaultConfiguration.")
        .trim_start_matches("spec.routeConfigurations[].targetGroupProps.");
    Some(match tail {
        "spec.targetReference.name" => json!("echo"),
        "spec.targetReference.kind" => json!("Service"),
        // The core group: any other names no Service (and selects nothing).
        "spec.targetReference.group" => json!(""),
        "spec.routeConfigurations[].routeIdentifier.kind" => json!("HTTPRoute"),
        "spec.routeConfigurations[].routeIdentifier.namespace" => json!("apps"),
        "spec.routeConfigurations[].routeIdentifier.name" => json!("r"),
        "healthCheckConfig.healthCheckPort" => json!("8081"),
        "healthCheckConfig.healthCheckPath" => json!("/walk"),
        "healthCheckConfig.matcher.httpCode" => json!("200-299"),
        "healthCheckConfig.matcher.grpcCode" => json!("0-5"),
        "nodeSelector.matchExpressions[].key" => json!("zone"),
        "nodeSelector.matchExpressions[].operator" => json!("In"),
        "nodeSelector.matchExpressions[].values" => json!(["a"]),
        "nodeSelector.matchLabels" => json!({"zone": "a"}),
        "targetGroupAttributes[].key" => json!("deregistration_delay.timeout_seconds"),
        "targetGroupAttributes[].value" => json!("30"),
        "targetGroupName" => json!("walk-tg"),
        "tags" => json!({"team": "web"}),
        "spec.tags" => json!({"team": "web"}),
        "spec.actions[].authenticateOIDCConfig.secret.name" => json!("oidc"),
        "spec.actions[].authenticateOIDCConfig.secret" => json!({"name": "oidc"}),
        "spec.actions[].authenticateCognitoConfig.userPoolArn" => {
            json!("arn:aws:cognito-idp:us-west-2:111122223333:userpool/us-west-2_walk")
        }
        "spec.actions[].fixedResponseConfig.statusCode" => json!(403),
        "spec.actions[].authenticateOIDCConfig.authenticationRequestExtraParams"
        | "spec.actions[].authenticateCognitoConfig.authenticationRequestExtraParams" => {
            json!({"prompt": "login"})
        }
        // The last value, authenticate, is the default.
        "spec.actions[].authenticateOIDCConfig.onUnauthenticatedRequest"
        | "spec.actions[].authenticateCognitoConfig.onUnauthenticatedRequest" => json!("deny"),
        "spec.conditions[].field" => json!("source-ip"),
        "spec.conditions[].sourceIPConfig.values" => json!(["10.0.0.0/8"]),
        "spec.conditions[].matchIndexes" => json!([0]),
        "spec.actions[].redirectConfig.query" => json!("walk=1"),
        _ => return None,
    })
}

fn is_selector(path: &str) -> bool {
    path.starts_with("spec.targetReference.") || path.contains(".routeIdentifier.")
}

/// The siblings a walked field needs to mean anything: the TGC names the Service; a route
/// entry names HTTPRoutes; selectors carry a marker tag; an action has the type of its block.
fn context(kind: &str, path: &str, spec: &mut Value) {
    if kind == TGC {
        if is_selector(path) && path.starts_with("spec.targetReference.") {
            spec["defaultConfiguration"] = json!({"tags": {"walk": "selected"}});
        }
        for (k, v) in [("name", "echo"), ("kind", "Service")] {
            if !path.ends_with(&format!("targetReference.{k}")) {
                spec["targetReference"][k] = json!(v);
            }
        }
        if path.starts_with("spec.routeConfigurations[]") {
            let entry = &mut spec["routeConfigurations"][0];
            let id = &mut entry["routeIdentifier"];
            if !id.is_object() || id.get("sample-key").is_some() {
                *id = json!({});
            }
            if !path.ends_with("routeIdentifier.kind") {
                id["kind"] = json!("HTTPRoute");
            }
            if path.ends_with("routeIdentifier.name") {
                id["namespace"] = json!("apps");
            }
            if is_selector(path) {
                entry["targetGroupProps"] = json!({"tags": {"walk": "selected"}});
            }
        }
    } else if let Some(action) = path.strip_prefix("spec.actions[].") {
        let block = action.split('.').next().unwrap_or_default();
        let ty = match block {
            "forwardConfig" => "forward",
            "redirectConfig" => "redirect",
            "fixedResponseConfig" => "fixed-response",
            "authenticateCognitoConfig" => "authenticate-cognito",
            "authenticateOIDCConfig" => "authenticate-oidc",
            "jwtValidationConfig" => "jwt-validation",
            _ => return,
        };
        spec["actions"][0]["type"] = json!(ty);
        if block == "authenticateOIDCConfig" {
            spec["actions"][0][block]["secret"] = json!({"name": "oidc"});
        }
    }
}

/// A redirect action only acts with a RequestRedirect filter on the same rule.
const REDIRECT: &str = "    - type: RequestRedirect\n      requestRedirect: {hostname: redirect.example.com}\n    backendRefs:";

fn run(tgc: &Value, lrc: &Value) -> Translation {
    let scenario = scenario();
    let scenario = if lrc.to_string().contains("redirectConfig") {
        scenario.replacen("    backendRefs:", REDIRECT, 1)
    } else {
        scenario
    };
    let manifest = format!(
        "{scenario}---\n{}---\n{}",
        plan::configuration(TGC, "walk", tgc),
        plan::configuration(LRC, "walk", lrc)
    );
    plan::translate_yaml(&plan::scenario(&manifest), &format!("{tgc} {lrc}"))
}

/// Whether the leaf at `path` is required by its parent object's schema.
fn is_required(root: &Value, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches("spec.").split('.').collect();
    let mut schema = &root["properties"]["spec"];
    for (i, segment) in segments.iter().enumerate() {
        let name = segment.trim_end_matches("[]");
        if i + 1 == segments.len() {
            return schema["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == name));
        }
        schema = &schema["properties"][name];
        if segment.ends_with("[]") {
            schema = &schema["items"];
        }
    }
    false
}

/// `spec` without the leaf at `path` (in the first item of each list on the way).
fn remove(spec: &Value, path: &str) -> Value {
    let mut out = spec.clone();
    let segments: Vec<&str> = path.trim_start_matches("spec.").split('.').collect();
    let mut node = &mut out;
    for segment in &segments[..segments.len() - 1] {
        node = &mut node[segment.trim_end_matches("[]")];
        if segment.ends_with("[]") {
            node = &mut node[0];
        }
    }
    if let Some(o) = node.as_object_mut() {
        o.remove(segments[segments.len() - 1].trim_end_matches("[]"));
    }
    out
}

/// Walks every field of `kind`; returns the README rows and the silently ignored fields.
fn walk(kind: &str, gateways: &[&str]) -> (String, Vec<String>) {
    let base_tgc = json!({"targetReference": {"name": "echo", "kind": "Service"}});
    let base = run(&base_tgc, &json!({}));
    let mut rows = String::new();
    let mut silent = Vec::new();
    for (path, schema, root) in fields::walked_fields(kind) {
        let mut spec = fields::spec_with(&root, &path, &schema, special);
        context(kind, &path, &mut spec);
        let translate = |spec: &Value| {
            if kind == TGC {
                run(spec, &json!({}))
            } else {
                run(&base_tgc, spec)
            }
        };
        let t = translate(&spec);
        // An optional field is compared with the same configuration without it (a block's
        // required fields alone already change the plan); a required one or a selector with
        // the base configuration.
        let without = (!is_selector(&path) && !is_required(&root, &path))
            .then(|| translate(&remove(&spec, &path)));
        let base = without.as_ref().unwrap_or(&base);
        let states: Vec<&str> = gateways
            .iter()
            .map(|g| {
                let applied = if is_selector(&path) {
                    "✅ selects"
                } else {
                    "✅ applied"
                };
                plan::state(&t, base, g, &path, applied)
            })
            .collect();
        if states.iter().all(|s| *s == "no effect alone") {
            silent.push(format!("{path} (as {spec})"));
        }
        rows.push_str(&format!(
            "| `{}` | {} |\n",
            path.trim_start_matches("spec."),
            states.join(" | ")
        ));
    }
    (rows, silent)
}

#[test]
fn every_target_group_configuration_field_changes_the_plan_or_is_reported() {
    let (rows, silent) = walk(TGC, &["apps/web", "apps/tcp"]);
    fields::check_readme_table(
        "target-group-configuration-fields",
        "rule_config_fields",
        "| TargetGroupConfiguration field | ALB | NLB |\n|---|---|---|",
        &rows,
    );
    fields::assert_none_silent(&silent);
}

#[test]
fn every_listener_rule_configuration_field_changes_the_plan_or_is_reported() {
    let (rows, silent) = walk(LRC, &["apps/web"]);
    fields::check_readme_table(
        "listener-rule-configuration-fields",
        "rule_config_fields",
        "| ListenerRuleConfiguration field | ALB |\n|---|---|",
        &rows,
    );
    fields::assert_none_silent(&silent);
}
