//! Tests of the traffic-path graph and its renderers.

use super::*;
use gantry_testkit::objects::{docs, gateway, gateway_class, http_route, node_port_service};

fn graph(yaml: &str) -> Graph {
    let mut loader = gantry_manifests::Loader::new();
    gantry_manifests::load_str("test.yaml", yaml, &mut loader);
    let loaded = loader.finish();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let t = gantry_translate::translate(&loaded.snapshot, &gantry_translate::Settings::new("test"));
    Graph::build(&t)
}

/// Gateway `ns/web` (HTTP on 80) of class `alb`, the NodePort Service `ns/svc` and `route`.
fn scene(route: String) -> String {
    docs([
        gateway_class("alb", "alb"),
        gateway("ns/web", "alb", &[("http", 80, "HTTP")]),
        node_port_service("ns/svc", 80, 30080),
        route,
    ])
}

fn node(g: &Graph, kind: NodeKind) -> Vec<&Node> {
    g.clusters
        .iter()
        .flat_map(|c| &c.nodes)
        .chain(&g.backends)
        .filter(|n| n.kind == kind)
        .collect()
}

#[test]
fn path_runs_from_load_balancer_to_service_with_rule_conditions() {
    let route = http_route("ns/r", &["web"], Some("/api"), &[("svc", 80)]);
    let g = graph(&scene(route));
    let rules = node(&g, NodeKind::Rule);
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].lines[0], "rule 1");
    assert!(
        rules[0].lines.iter().any(|l| l.contains("/api")),
        "{:?}",
        rules[0]
    );
    let services = node(&g, NodeKind::Backend);
    assert_eq!(services[0].lines, ["Service ns/svc:80"]);
    // lb -> listener -> rule -> target group -> service
    let tg = &node(&g, NodeKind::TargetGroup)[0].id;
    let path = [
        ("g0_lb", "g0_l80"),
        ("g0_l80", rules[0].id.as_str()),
        (rules[0].id.as_str(), tg.as_str()),
        (tg.as_str(), services[0].id.as_str()),
    ];
    for (from, to) in path {
        assert!(
            g.edges.iter().any(|e| e.from == from && e.to == to),
            "no edge {from} -> {to}: {:?}",
            g.edges
        );
    }
    assert!(node(&g, NodeKind::Problem).is_empty());
}

#[test]
fn a_route_with_a_missing_backend_marks_its_gateway_with_the_problem() {
    let route = http_route("ns/broken", &["web"], None, &[("missing", 80)]);
    let g = graph(&scene(route));
    let problems = node(&g, NodeKind::Problem);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .lines
            .iter()
            .any(|l| l.contains("HTTPRoute ns/broken") && l.contains("BackendNotFound")),
        "{:?}",
        problems[0]
    );
    assert!(g.edges.iter().any(|e| e.to == problems[0].id && e.dashed));
}

#[test]
fn renderers_escape_quotes() {
    let g = Graph {
        clusters: vec![Cluster {
            id: "cluster_g0".into(),
            title: "Gateway \"q\"".into(),
            nodes: vec![Node {
                id: "g0_lb".into(),
                kind: NodeKind::LoadBalancer,
                lines: vec!["a \"b\" #c".into()],
            }],
        }],
        ..Graph::default()
    };
    let dot = super::super::dot::render(&g);
    assert!(dot.contains("label=\"a \\\"b\\\" #c\\l\""), "{dot}");
    let mermaid = super::super::mermaid::render(&g);
    assert!(
        mermaid.contains("g0_lb[\"a #quot;b#quot; #35;c\"]:::lb"),
        "{mermaid}"
    );
}
