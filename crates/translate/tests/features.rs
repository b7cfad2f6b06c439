//! The README's "Gateway API features" table is the code's table (`features::FEATURES`), row
//! for row; GatewayClass statuses carry the supported names; and the features no golden case
//! covers are checked here.

mod support;

use gantry_gateway::LbKind;
use gantry_gateway::features::{FEATURES, Support};
use gantry_testkit::objects;
use gantry_testkit::route_builders::{gateway_of, plain};
use gantry_translate::{Settings, translate};
use serde_json::Value;
use std::collections::BTreeMap;

/// (state, classes or reason) per feature name, from the README's table.
fn readme_table() -> BTreeMap<String, (String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md is readable");
    let section = readme
        .split("\n## Gateway API features\n")
        .nth(1)
        .expect("README has a \"Gateway API features\" section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 3, "README row has three cells: {line}");
        let name = cells[0].trim_matches('`').to_string();
        let previous = rows.insert(name, (cells[1].to_string(), cells[2].to_string()));
        assert!(previous.is_none(), "README lists a feature twice: {line}");
    }
    rows
}

fn code_table() -> BTreeMap<String, (String, String)> {
    FEATURES
        .iter()
        .map(|f| {
            let row = match f.support {
                Support::Supported(classes) => (
                    "✅".to_string(),
                    classes
                        .iter()
                        .map(|c| match c {
                            LbKind::Alb => "ALB",
                            LbKind::Nlb => "NLB",
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Support::NotSupported(reason) => ("❌".to_string(), reason.to_string()),
            };
            (f.name.to_string(), row)
        })
        .collect()
}

#[test]
fn readme_feature_table_equals_the_code_table() {
    let readme = readme_table();
    let code = code_table();
    for (name, row) in &code {
        assert_eq!(
            readme.get(name),
            Some(row),
            "README row for {name} differs from features.rs; it should read: | `{name}` | {} | {} |",
            row.0,
            row.1
        );
    }
    for name in readme.keys() {
        assert!(
            code.contains_key(name),
            "README lists {name}, which features.rs does not"
        );
    }
}

const MATRIX_BEGIN: &str =
    "<!-- BEGIN support matrix: generated from crates/gateway/src/features.rs -->\n";
const MATRIX_END: &str = "<!-- END support matrix -->";

/// docs/gateway-api-support.md carries `support_matrix_markdown()` between its markers;
/// `GANTRY_BLESS=1` rewrites that part of the document.
#[test]
fn support_matrix_document_is_generated_from_the_code_table() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/gateway-api-support.md"
    );
    let doc = std::fs::read_to_string(path).expect("docs/gateway-api-support.md is readable");
    let (before, rest) = doc
        .split_once(MATRIX_BEGIN)
        .expect("the document has the BEGIN marker");
    let (current, after) = rest
        .split_once(MATRIX_END)
        .expect("the document has the END marker");
    let generated = gantry_gateway::features::support_matrix_markdown();
    if std::env::var_os("GANTRY_BLESS").is_some() {
        let rewritten = format!("{before}{MATRIX_BEGIN}{generated}{MATRIX_END}{after}");
        std::fs::write(path, rewritten).expect("docs/gateway-api-support.md is writable");
        return;
    }
    assert_eq!(
        current, generated,
        "docs/gateway-api-support.md's support matrix differs from features.rs; \
         GANTRY_BLESS=1 cargo test -p gantry-translate --test features rewrites it"
    );
    for feature in FEATURES {
        assert!(
            current.contains(&format!("| `{}` |", feature.name)),
            "the matrix lists {}",
            feature.name
        );
    }
}

fn translate_yaml(yaml: &str) -> Value {
    let snapshot = support::load("test.yaml", yaml);
    serde_json::to_value(translate(&snapshot, &Settings::new("test"))).unwrap()
}

/// The classes `alb` and `nlb`, and `broken`, whose parameters name a missing configuration.
fn classes() -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway_class("nlb", "nlb"),
        BROKEN_CLASS.to_string(),
    ])
}

const BROKEN_CLASS: &str = "
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: broken}
spec:
  controllerName: gateway.k8s.aws/alb
  parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: missing, namespace: x}
";

#[test]
fn accepted_classes_list_their_features_in_order_and_rejected_ones_none() {
    let out = translate_yaml(&classes());
    let names = |class: &str| -> Option<Vec<String>> {
        out["statuses"]["gatewayClasses"][class]
            .get("supportedFeatures")
            .map(|f| serde_json::from_value(f.clone()).unwrap())
    };
    let alb = names("alb").expect("the ALB class lists features");
    let nlb = names("nlb").expect("the NLB class lists features");
    let expected = |lb: LbKind| -> Vec<String> {
        gantry_gateway::features::supported(lb)
            .into_iter()
            .map(String::from)
            .collect()
    };
    assert_eq!(alb, expected(LbKind::Alb));
    assert_eq!(nlb, expected(LbKind::Nlb));
    assert!(alb.contains(&"HTTPRouteQueryParamMatching".to_string()));
    assert!(nlb.contains(&"TLSRoute".to_string()));
    let mut sorted = alb.clone();
    sorted.sort();
    assert_eq!(alb, sorted, "spec: ascending order by name");
    assert_eq!(
        names("broken"),
        None,
        "a class that is not accepted lists none"
    );
}

/// HTTPRoutePortRedirect: a redirect's port reaches the ALB redirect action.
#[test]
fn redirect_port_reaches_the_alb_redirect() {
    let out = translate_yaml(&format!(
        "{}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: web}}
spec:
  gatewayClassName: alb
  listeners:
  - {{name: http, protocol: HTTP, port: 80}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: r, namespace: web}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
  - filters:
    - type: RequestRedirect
      requestRedirect: {{port: 8443}}
",
        classes()
    ));
    let text = out.to_string();
    assert!(
        text.contains(r#""RedirectConfig":{"Port":"8443","StatusCode":"HTTP_302"}"#),
        "{text}"
    );
}

/// HTTPRouteNamedRouteRule and GRPCRouteNamedRouteRule: a rule's name identifies it and changes
/// nothing else; named and unnamed rules of one route are served alike, and the route is
/// accepted with its references resolved.
#[test]
fn named_rules_are_served_like_unnamed_ones() {
    let gateway = gateway_of(
        "web/gw",
        "alb",
        &[plain(("http", 80, "HTTP")), plain(("https", 443, "HTTPS"))],
        "  infrastructure:\n    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: cfg}\n",
    );
    // A route of `kind` on the listener `section` with two rules: the first named as `name`
    // says (a `name:` field, or nothing), the second unnamed.
    let route = |kind: &str, name: &str, section: &str, matches: [&str; 2], name_field: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1
kind: {kind}
metadata: {{name: {name}, namespace: web}}
spec:
  parentRefs: [{{name: gw, sectionName: {section}}}]
  rules:
  - {name_field}matches: [{}]
    backendRefs: [{{name: echo, port: 80}}]
  - matches: [{}]
    backendRefs: [{{name: echo, port: 80}}]
",
            matches[0], matches[1]
        )
    };
    let scene = |name_field: &str| {
        let paths = ["{path: {value: /named}}", "{path: {value: /unnamed}}"];
        let methods = [
            "{method: {service: a.Named}}",
            "{method: {service: a.Unnamed}}",
        ];
        format!(
            "{}
---
apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: {{name: cfg, namespace: web}}
spec:
  listenerConfigurations:
  - {{protocolPort: 'HTTPS:443', defaultCertificate: 'arn:aws:acm:us-west-2:123456789012:certificate/a'}}
---
{gateway}---
apiVersion: v1
kind: Service
metadata: {{name: echo, namespace: web}}
spec:
  ports: [{{port: 80, targetPort: 8080}}]
---
{}---
{}",
            classes(),
            route("HTTPRoute", "r", "http", paths, name_field),
            route("GRPCRoute", "g", "https", methods, name_field),
        )
    };
    let named = translate_yaml(&scene("name: named-rule\n    "));
    let unnamed = translate_yaml(&scene(""));
    assert_eq!(named["stacks"], unnamed["stacks"]);
    assert_eq!(named["statuses"]["routes"], unnamed["statuses"]["routes"]);
    let rules = |kind: &str| {
        let listeners = named["stacks"][0]["listeners"].as_array().unwrap();
        listeners
            .iter()
            .flat_map(|l| l["rules"].as_array().unwrap())
            .filter(|r| r["source"]["route"].as_str().unwrap().starts_with(kind))
            .count()
    };
    assert_eq!((rules("HTTPRoute"), rules("GRPCRoute")), (2, 2));
    for route in ["HTTPRoute web/r", "GRPCRoute web/g"] {
        let conditions = &named["statuses"]["routes"][route]["parents"][0]["conditions"];
        for kind in ["Accepted", "ResolvedRefs"] {
            let c = conditions
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["type"] == kind)
                .unwrap();
            assert_eq!(c["status"], "True", "{route} {kind}: {c}");
        }
    }
}
