//! No configuration field is dropped without a word: every field of LoadBalancerConfiguration
//! (both served versions, from the CRD schemas gantry installs) either changes the plan of an
//! ALB or an NLB Gateway using it, or is named in that Gateway's status.
//!
//! Each leaf field is set on its own (with the siblings it requires) to a value that differs
//! from its default; the translation is compared with the one of an empty configuration.

mod fields;

use fields::plan::{HTTP, HTTPS, TCP, not_applied};
use fields::{names, plan};
use gantry_testkit::objects::docs;
use gantry_testkit::route_builders::Route;
use gantry_translate::Translation;
use serde_json::{Value, json};

const KIND: &str = "LoadBalancerConfiguration";

/// Two Gateways, an ALB and an NLB, with the configuration `cfg` and a route each (the rest
/// of the scenario: [`plan::scenario`]).
fn scenario() -> String {
    let web = plan::gateway("web", "alb", 'a', true, &[HTTP, HTTPS]);
    let tcp = plan::gateway("tcp", "nlb", 'b', true, &[TCP, TLS]);
    let route = Route::http("apps/r")
        .gateway("web")
        .to_services(None, &[("echo", 80)])
        .build();
    docs([web, tcp, DEFAULTS.to_string(), route])
}

const TLS: &str = "{name: tls, protocol: TLS, port: 443, hostname: tcp.example.com}";

/// The TargetGroupConfiguration `spec.defaultTargetGroupConfiguration.name` is walked with.
const DEFAULTS: &str = r#"apiVersion: gateway.k8s.aws/v1
kind: TargetGroupConfiguration
metadata: {name: defaults, namespace: apps}
spec:
  defaultConfiguration:
    healthCheckConfig: {healthCheckPath: /healthz}
"#;

/// Values for fields whose generic sample (see [`sample`]) would not be meaningful: the
/// listener a listener configuration is for, ARNs, IDs, CIDRs.
fn special(path: &str) -> Option<Value> {
    Some(match path {
        "spec.listenerConfigurations[].protocolPort" => json!("HTTPS:443"),
        "spec.listenerConfigurations[].defaultCertificate" => {
            json!("arn:aws:acm:us-west-2:111122223333:certificate/default")
        }
        "spec.listenerConfigurations[].certificates" => {
            json!(["arn:aws:acm:us-west-2:111122223333:certificate/more"])
        }
        "spec.listenerConfigurations[].mutualAuthentication.trustStore" => {
            json!("arn:aws:elasticloadbalancing:us-west-2:111122223333:truststore/ts/1")
        }
        "spec.listenerConfigurations[].mutualAuthentication.mode" => json!("verify"),
        "spec.listenerConfigurations[].alpnPolicy" => json!("HTTP2Preferred"),
        "spec.listenerConfigurations[].sslPolicy" => json!("ELBSecurityPolicy-TLS13-1-2-2021-06"),
        "spec.listenerConfigurations[].listenerAttributes[].key" => {
            json!("routing.http.response.server.enabled")
        }
        "spec.loadBalancerAttributes[].key" => json!("idle_timeout.timeout_seconds"),
        "spec.loadBalancerSubnets[].identifier" => json!("subnet-0123"),
        "spec.loadBalancerSubnets[].eipAllocation" => json!("eipalloc-0123"),
        "spec.loadBalancerSubnets[].privateIPv4Allocation" => json!("10.0.0.10"),
        "spec.loadBalancerSubnets[].ipv6Allocation" => json!("2001:db8::10"),
        "spec.loadBalancerSubnets[].sourceNatIPv6Prefix" => json!("2001:db8::/80"),
        "spec.securityGroups" => json!(["sg-0123"]),
        "spec.securityGroupPrefixes" => json!(["pl-0123"]),
        "spec.sourceRanges" => json!(["10.0.0.0/8"]),
        "spec.defaultTargetGroupConfiguration.name" => json!("defaults"),
        "spec.wafV2.webACL" => {
            json!("arn:aws:wafv2:us-west-2:111122223333:regional/webacl/edge/1")
        }
        "spec.loadBalancerName" => json!("named-by-config"),
        "spec.loadBalancerSubnetsSelector" => json!({"tier": ["edge"]}),
        "spec.tags" => json!({"team": "web"}),
        _ => return None,
    })
}

fn run(spec: &Value) -> Translation {
    let manifest = format!(
        "{}---\n{}",
        scenario(),
        plan::configuration(KIND, "cfg", spec)
    );
    plan::translate_yaml(&plan::scenario(&manifest), &spec.to_string())
}

#[test]
fn every_load_balancer_configuration_field_changes_the_plan_or_is_reported() {
    let base = run(&json!({}));
    let base_stacks = serde_json::to_value(&base.stacks).unwrap();
    let mut silent = Vec::new();
    let mut table = String::new();
    for (path, schema, root) in fields::walked_fields(KIND) {
        let spec = fields::spec_with(&root, &path, &schema, special);
        let t = run(&spec);
        let changed = serde_json::to_value(&t.stacks).unwrap() != base_stacks;
        let reported = names(&not_applied(&t, None), &path);
        if !changed && !reported {
            silent.push(format!("{path} (as {spec})"));
        }
        let state = |gateway| plan::state(&t, &base, gateway, &path, "✅ applied");
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            path.trim_start_matches("spec."),
            state("apps/web"),
            state("apps/tcp")
        ));
    }
    fields::check_readme_table(
        "load-balancer-configuration-fields",
        "config_fields",
        "| LoadBalancerConfiguration field | ALB | NLB |\n|---|---|---|",
        &table,
    );
    fields::assert_none_silent(&silent);
}
