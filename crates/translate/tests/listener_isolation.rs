//! Listener isolation evaluated like the ALB evaluates its rules: the first rule by priority
//! whose conditions all match answers; `host-header` and `path-pattern` values are patterns in
//! which `*` matches any characters (dots included) and `?` one; hosts compare without case.
//!
//! Spec (Gateway API, Listener): "if Listeners are defined for "foo.example.com" and
//! "*.example.com", a request to "foo.example.com" SHOULD only be routed using routes attached
//! to the "foo.example.com" Listener", and "if the Listener does not specify a hostname and the
//! request does not match any attached Route, the request MUST be rejected ... HTTP returns a
//! 404 status code".

mod support;

use gantry_model::{ActionType, ConditionField, Listener};
use gantry_translate::{Settings, translate};

/// Whether ALB pattern `pattern` matches `text` (`*`: any run of characters, `?`: one).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

/// What answers a request to `host` + `path` on `listener`: the route of the forwarding
/// rule, or the fixed response's status code.
fn answer(listener: &Listener, host: &str, path: &str) -> String {
    let mut rules: Vec<_> = listener.rules.iter().collect();
    rules.sort_by_key(|r| r.priority);
    let host = host.to_ascii_lowercase();
    let hit = rules.into_iter().find(|r| {
        r.conditions.iter().all(|c| match c.field {
            ConditionField::HostHeader => c
                .host_header_config
                .as_ref()
                .unwrap()
                .values
                .iter()
                .any(|v| glob(v.to_ascii_lowercase().as_bytes(), host.as_bytes())),
            ConditionField::PathPattern => c
                .path_pattern_config
                .as_ref()
                .unwrap()
                .values
                .iter()
                .any(|v| glob(v.as_bytes(), path.as_bytes())),
            other => panic!("condition {other:?} is not used by this test"),
        })
    });
    let actions = hit.map_or(&listener.default_actions, |r| &r.actions);
    let action = actions.last().expect("a rule has an action");
    match action.kind {
        ActionType::Forward => hit.unwrap().source.route.clone(),
        ActionType::FixedResponse => action
            .fixed_response_config
            .as_ref()
            .unwrap()
            .status_code
            .clone(),
        other => panic!("action {other:?} is not used by this test"),
    }
}

fn port_80(manifests: &str) -> Listener {
    port_80_with(manifests, Settings::new("isolation"))
}

fn port_80_with(manifests: &str, settings: Settings) -> Listener {
    let translation = translate(&support::load("input.yaml", manifests), &settings);
    assert_eq!(translation.stacks.len(), 1, "{:?}", translation.problems);
    translation.stacks[0]
        .listeners
        .iter()
        .find(|l| l.port == 80)
        .expect("an ALB listener on port 80")
        .clone()
}

/// (Host, path, what answers) for the golden case alb-listener-isolation.
const TABLE: [(&str, &str, &str); 12] = [
    // The exact listener's own route, whatever the case of the Host.
    ("foo.example.com", "/app", "HTTPRoute web/foo-app"),
    ("FOO.Example.com", "/app/x", "HTTPRoute web/foo-app"),
    // Its routes do not match: 404, not wild-all, wild-foo, any-all nor any-hosts.
    ("foo.example.com", "/", "404"),
    // The *.example.com listener: its more specific route hostname first.
    ("bar.example.com", "/", "HTTPRoute web/wild-bar"),
    ("baz.example.com", "/", "HTTPRoute web/wild-all"),
    ("a.b.example.com", "/", "HTTPRoute web/wild-all"),
    // The *.foo.example.com listener is more specific than *.example.com.
    ("x.foo.example.com", "/", "HTTPRoute web/deep-x"),
    ("y.foo.example.com", "/", "404"),
    ("a.x.foo.example.com", "/", "404"),
    // No listener hostname matches: the listener without hostname.
    ("example.com", "/", "HTTPRoute web/any-all"),
    ("other.org", "/", "HTTPRoute web/any-hosts"),
    ("unknown.net", "/", "HTTPRoute web/any-all"),
];

#[test]
fn each_host_is_answered_only_by_routes_of_its_most_specific_listener() {
    let input = include_str!("golden/alb-listener-isolation/input.yaml");
    let listener = port_80(input);
    let mut wrong = Vec::new();
    for (host, path, want) in TABLE {
        let got = answer(&listener, host, path);
        if got != want {
            wrong.push(format!("{host}{path}: {got}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The isolation 404 rules count against the ALB rule quota like any rule. Whatever the quota
/// cuts off (from the lowest priority up), a request is answered as without the quota or gets
/// the listener's 404: never by a less specific listener's route.
#[test]
fn the_rule_quota_never_lets_a_request_leak_to_a_less_specific_listener() {
    let input = include_str!("golden/alb-listener-isolation/input.yaml");
    let all = port_80(input).rules.len();
    for quota in 0..all {
        let mut settings = Settings::new("isolation");
        settings.max_rules_per_alb = quota;
        let listener = port_80_with(input, settings);
        assert_eq!(listener.rules.len(), quota);
        for (host, path, want) in TABLE {
            let got = answer(&listener, host, path);
            assert!(
                got == want || got == "404",
                "quota {quota}: {host}{path} answered by {got}, want {want} or 404"
            );
        }
    }
}

mod generated {
    //! Random listener sets and routes on one port against a model written from the spec:
    //! the request goes to the most specific listener whose hostname matches its Host; among
    //! that listener's routes whose hostnames match, the most specific matching hostname wins
    //! (exact, then the longest wildcard), then the oldest route; otherwise 404.

    use super::*;
    use proptest::prelude::*;

    const LISTENERS: [Option<&str>; 4] = [
        Some("foo.example.com"),
        Some("*.example.com"),
        Some("*.foo.example.com"),
        None,
    ];
    const ROUTE_HOSTS: [&[&str]; 7] = [
        &[],
        &["foo.example.com"],
        &["bar.example.com"],
        &["*.example.com"],
        &["x.foo.example.com"],
        &["*.foo.example.com"],
        &["other.org", "foo.example.com"],
    ];
    const HOSTS: [&str; 8] = [
        "foo.example.com",
        "bar.example.com",
        "x.foo.example.com",
        "y.foo.example.com",
        "a.b.example.com",
        "example.com",
        "other.org",
        "unknown.net",
    ];

    /// Gateway API hostname matching: a wildcard stands for one or more labels.
    fn matches(pattern: &str, host: &str) -> bool {
        match pattern.strip_prefix('*') {
            Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
            None => pattern == host,
        }
    }

    /// Whether two hostname patterns intersect (a route attaches to a listener).
    fn intersect(a: &str, b: &str) -> bool {
        a == b || matches(a, b) || matches(b, a)
    }

    /// (exact?, characters): the more specific hostname sorts first.
    fn specificity(pattern: &str) -> (bool, std::cmp::Reverse<usize>) {
        (pattern.starts_with('*'), std::cmp::Reverse(pattern.len()))
    }

    /// The spec's answer: `routes` are (listener index, hostnames), oldest first.
    fn model(listeners: &[usize], routes: &[(usize, usize)], host: &str) -> String {
        let listener = listeners
            .iter()
            .copied()
            .filter(|&l| LISTENERS[l].is_none_or(|h| matches(h, host)))
            .min_by_key(|&l| match LISTENERS[l] {
                Some(h) => (0, specificity(h)),
                None => (1, specificity("")),
            });
        let Some(listener) = listener else {
            return "404".to_string();
        };
        let lh = LISTENERS[listener];
        let mut best: Option<((bool, std::cmp::Reverse<usize>), usize)> = None;
        for (i, &(l, hosts)) in routes.iter().enumerate() {
            if l != listener {
                continue;
            }
            let hosts = ROUTE_HOSTS[hosts];
            // The hostnames the route gets on this listener.
            let effective: Vec<&str> = match (lh, hosts.is_empty()) {
                (None, true) => vec![""],
                (None, false) => hosts.to_vec(),
                (Some(h), true) => vec![h],
                (Some(h), false) => hosts
                    .iter()
                    .filter(|r| intersect(h, r))
                    .map(|r| if matches(r, h) { h } else { r })
                    .collect(),
            };
            let matched = effective
                .iter()
                .filter(|e| e.is_empty() || matches(e, host))
                .map(|e| {
                    if e.is_empty() {
                        (true, std::cmp::Reverse(0))
                    } else {
                        specificity(e)
                    }
                })
                .min();
            if let Some(m) = matched
                && best.is_none_or(|(b, _)| m < b)
            {
                best = Some((m, i));
            }
        }
        best.map_or("404".to_string(), |(_, i)| format!("HTTPRoute web/r{i}"))
    }

    fn manifests(listeners: &[usize], routes: &[(usize, usize)]) -> String {
        let mut out = String::from(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: alb}\nspec: {controllerName: gateway.k8s.aws/alb}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: web}\nspec:\n  gatewayClassName: alb\n  listeners:\n",
        );
        for &l in listeners {
            out.push_str(&format!("  - {{name: l{l}, protocol: HTTP, port: 80"));
            if let Some(h) = LISTENERS[l] {
                out.push_str(&format!(", hostname: \"{h}\""));
            }
            out.push_str("}\n");
        }
        out.push_str("---\napiVersion: v1\nkind: Service\nmetadata: {name: app, namespace: web}\nspec:\n  type: NodePort\n  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]\n");
        for (i, &(l, hosts)) in routes.iter().enumerate() {
            let hosts: Vec<String> = ROUTE_HOSTS[hosts]
                .iter()
                .map(|h| format!("\"{h}\""))
                .collect();
            out.push_str(&format!(
                "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r{i}, namespace: web, creationTimestamp: \"2024-01-0{}T00:00:00Z\"}}\nspec:\n  hostnames: [{}]\n  parentRefs: [{{name: gw, sectionName: l{l}}}]\n  rules: [{{backendRefs: [{{name: app, port: 80}}]}}]\n",
                i + 1,
                hosts.join(", ")
            ));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn the_alb_answers_every_host_as_the_spec_does(
            subset in 1usize..16,
            routes in proptest::collection::vec((0usize..4, 0usize..ROUTE_HOSTS.len()), 1..7),
        ) {
            let listeners: Vec<usize> = (0..4).filter(|i| subset & (1 << i) != 0).collect();
            let input = manifests(&listeners, &routes);
            let snapshot = support::load("input.yaml", &input);
            let translation = translate(&snapshot, &Settings::new("isolation"));
            let listener = translation
                .stacks
                .iter()
                .flat_map(|s| s.listeners.iter())
                .find(|l| l.port == 80);
            for host in HOSTS {
                let want = model(&listeners, &routes, host);
                let got = match listener {
                    Some(l) => answer(l, host, "/"),
                    // No route attached anywhere: no ALB listener, and the model agrees
                    // nothing answers.
                    None => "404".to_string(),
                };
                prop_assert_eq!(&got, &want, "host {}\n{}", host, input);
            }
        }
    }
}
