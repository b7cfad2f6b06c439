//! `gantry plan -o dot`: the traffic path of each Gateway in Graphviz's DOT language
//! (`gantry plan -f … -o dot | dot -Tsvg > plan.svg`).

use super::graph::{Cluster, Edge, Format, Graph, Node, NodeKind};
use std::fmt::Write;

pub fn render(g: &Graph) -> String {
    g.draw(&Dot)
}

struct Dot;

impl Format for Dot {
    fn begin(&self, out: &mut String) {
        out.push_str(
            "digraph gantry {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        );
    }

    fn begin_cluster(&self, out: &mut String, c: &Cluster) {
        let _ = writeln!(out, "  subgraph {} {{", c.id);
        let _ = writeln!(
            out,
            "    label=\"{}\"; fontname=\"Helvetica\"; style=rounded;",
            escape(&c.title)
        );
    }

    fn end_cluster(&self, out: &mut String) {
        out.push_str("  }\n");
    }

    fn node(&self, out: &mut String, indent: &str, n: &Node) {
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

    fn edge(&self, out: &mut String, e: &Edge) {
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

    fn end(&self, out: &mut String) {
        out.push_str("}\n");
    }
}

/// Inside a DOT string only `"` and `\` are special.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
