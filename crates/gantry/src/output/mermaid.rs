//! `gantry plan -o mermaid`: the traffic path of each Gateway as a Mermaid flowchart, which
//! GitHub and many wikis draw from a fenced ```mermaid block.

use super::graph::{Cluster, Edge, Format, Graph, Node, NodeKind};
use std::fmt::Write;

pub fn render(g: &Graph) -> String {
    g.draw(&Mermaid)
}

struct Mermaid;

impl Format for Mermaid {
    fn begin(&self, out: &mut String) {
        out.push_str("flowchart LR\n");
    }

    fn begin_cluster(&self, out: &mut String, c: &Cluster) {
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", c.id, escape(&c.title));
    }

    fn end_cluster(&self, out: &mut String) {
        out.push_str("  end\n");
    }

    fn node(&self, out: &mut String, indent: &str, n: &Node) {
        let label = n
            .lines
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match n.kind {
            NodeKind::LoadBalancer | NodeKind::Listener | NodeKind::TargetGroup => ("[", "]"),
            NodeKind::Rule => ("[/", "/]"),
            NodeKind::Backend => ("([", "])"),
            NodeKind::Problem => ("{{", "}}"),
        };
        let class = match n.kind {
            NodeKind::LoadBalancer => ":::lb",
            NodeKind::Problem => ":::problem",
            _ => "",
        };
        let _ = writeln!(out, "{indent}{}{open}\"{label}\"{close}{class}", n.id);
    }

    fn edge(&self, out: &mut String, e: &Edge) {
        let arrow = if e.dashed { "-.->" } else { "-->" };
        match &e.label {
            Some(l) => {
                let _ = writeln!(out, "  {} {arrow}|\"{}\"| {}", e.from, escape(l), e.to);
            }
            None => {
                let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
            }
        }
    }

    fn end(&self, out: &mut String) {
        out.push_str(
            "  classDef lb fill:#e8f0fe,stroke:#1a73e8\n  classDef problem fill:#fde8e8,stroke:#c5221f,color:#c5221f\n",
        );
    }
}

/// Mermaid labels in double quotes take HTML entities; quotes, angle brackets and `#` (the
/// entity prefix) must be written as entities.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            _ => out.push(ch),
        }
    }
    out
}
