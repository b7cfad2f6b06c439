//! `gantry plan -o dot`: the traffic path of each Gateway in Graphviz's DOT language
//! (`gantry plan -f … -o dot | dot -Tsvg > plan.svg`).

use super::graph::{Graph, Node, NodeKind};
use std::fmt::Write;

pub fn render(g: &Graph) -> String {
    let mut out = String::from(
        "digraph gantry {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for c in &g.clusters {
        let _ = writeln!(out, "  subgraph {} {{", c.id);
        let _ = writeln!(
            out,
            "    label=\"{}\"; fontname=\"Helvetica\"; style=rounded;",
            escape(&c.title)
        );
        for n in &c.nodes {
            node(&mut out, "    ", n);
        }
        out.push_str("  }\n");
    }
    for n in &g.backends {
        node(&mut out, "  ", n);
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\"", escape(l)));
        }
        if e.dashed {
            attrs.push("style=dashed".to_string());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(out, "  {} -> {}{attrs};", e.from, e.to);
    }
    out.push_str("}\n");
    out
}

fn node(out: &mut String, indent: &str, n: &Node) {
    // `\l` ends a left-aligned line.
    let label: String = n.lines.iter().map(|l| escape(l) + "\\l").collect();
    let style = match n.kind {
        NodeKind::LoadBalancer => ", style=filled, fillcolor=\"#e8f0fe\", color=\"#1a73e8\"",
        NodeKind::Listener => "",
        NodeKind::Rule => ", shape=note",
        NodeKind::TargetGroup => ", style=rounded",
        NodeKind::Backend => ", shape=component",
        NodeKind::Problem => {
            ", shape=octagon, style=filled, fillcolor=\"#fde8e8\", color=\"#c5221f\", fontcolor=\"#c5221f\""
        }
    };
    let _ = writeln!(out, "{indent}{} [label=\"{label}\"{style}];", n.id);
}

/// Inside a DOT string only `"` and `\` are special.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
