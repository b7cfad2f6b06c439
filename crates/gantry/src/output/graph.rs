//! The traffic path of every Gateway as a graph, independent of the picture format:
//! (NLB listener →) load balancer → listener → rule (priority, conditions) → target group →
//! Service port. A chained target group (backend kind `Gateway`) points at the ALB Gateway's
//! listener; Gateways, listeners and routes with a problem get a problem node beside them.
//!
//! Built from the translation only, in its order, so the same manifests always give the same
//! graph — the pictures in docs/ are compared byte for byte.

use gantry_gateway::status::{Condition, GatewayStatus};
use gantry_model::{Action, ActionType, Stack};
use gantry_snapshot::ObjectKey;
use gantry_translate::Translation;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    LoadBalancer,
    Listener,
    Rule,
    TargetGroup,
    Backend,
    Problem,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    /// Lines of the label, first line the title.
    pub lines: Vec<String>,
}

/// One Gateway's nodes, drawn as a box titled with the Gateway.
#[derive(Debug, PartialEq, Eq)]
pub struct Cluster {
    pub id: String,
    pub title: String,
    pub nodes: Vec<Node>,
}

impl Cluster {
    fn add(&mut self, id: &str, kind: NodeKind, lines: Vec<String>) {
        self.nodes.push(Node {
            id: id.to_string(),
            kind,
            lines,
        });
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    /// Dashed: not traffic (a problem note, or a chain to a Gateway that is not planned).
    pub dashed: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Graph {
    pub clusters: Vec<Cluster>,
    /// Nodes shared by Gateways: the Services (and unplanned chained Gateways) traffic ends at.
    pub backends: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// A picture format: how it writes each part of a [`Graph`]. [`Graph::draw`] walks the graph
/// in one order for every format, so that every picture holds the same nodes in that order.
pub trait Format {
    fn begin(&self, out: &mut String);
    fn begin_cluster(&self, out: &mut String, c: &Cluster);
    fn end_cluster(&self, out: &mut String);
    /// One node, at `indent` (deeper inside a cluster).
    fn node(&self, out: &mut String, indent: &str, n: &Node);
    fn edge(&self, out: &mut String, e: &Edge);
    fn end(&self, out: &mut String);
}

impl Graph {
    /// The graph in `format`: each Gateway's cluster with its nodes, then the backends, then
    /// the edges.
    pub fn draw(&self, format: &impl Format) -> String {
        let mut out = String::new();
        format.begin(&mut out);
        for c in &self.clusters {
            format.begin_cluster(&mut out, c);
            for n in &c.nodes {
                format.node(&mut out, "    ", n);
            }
            format.end_cluster(&mut out);
        }
        for n in &self.backends {
            format.node(&mut out, "  ", n);
        }
        for e in &self.edges {
            format.edge(&mut out, e);
        }
        format.end(&mut out);
        out
    }

    pub fn build(t: &Translation) -> Graph {
        let mut g = Graph::default();
        // Each Gateway's stack and node-id prefix (its position among the Gateway statuses, so
        // a chained target group can name the ALB Gateway's listener before it is drawn).
        let prefixes: BTreeMap<String, String> = t
            .statuses
            .gateways
            .keys()
            .enumerate()
            .map(|(i, key)| (key.to_string(), format!("g{i}")))
            .collect();
        let stacks: BTreeMap<&str, (&str, &Stack)> = t
            .stacks
            .iter()
            .filter_map(|s| Some((s.gateway.as_str(), (prefixes.get(&s.gateway)?.as_str(), s))))
            .collect();
        let mut backend_ids: BTreeMap<String, String> = BTreeMap::new();
        // Gateways in the order of their statuses (namespace/name), planned or refused alike.
        for (key, status) in &t.statuses.gateways {
            let gateway = key.to_string();
            let prefix = prefixes[&gateway].clone();
            let mut cluster = Cluster {
                id: format!("cluster_{prefix}"),
                title: format!("Gateway {gateway}"),
                nodes: Vec::new(),
            };
            let stack = stacks.get(gateway.as_str()).map(|(_, s)| *s);
            if let Some(stack) = stack {
                g.stack(&mut cluster, &prefix, stack, &stacks, &mut backend_ids);
            }
            let problems = problems(t, key, status, stack.is_none());
            if !problems.is_empty() {
                let id = format!("{prefix}_problems");
                let anchor = cluster.nodes.first().map(|n| n.id.clone());
                let mut lines = vec!["Problems".to_string()];
                lines.extend(problems);
                cluster.add(&id, NodeKind::Problem, lines);
                if let Some(anchor) = anchor {
                    g.edges.push(Edge {
                        from: anchor,
                        to: id,
                        label: None,
                        dashed: true,
                    });
                }
            }
            g.clusters.push(cluster);
        }
        g
    }

    fn stack(
        &mut self,
        cluster: &mut Cluster,
        prefix: &str,
        stack: &Stack,
        stacks: &BTreeMap<&str, (&str, &Stack)>,
        backend_ids: &mut BTreeMap<String, String>,
    ) {
        let lb = &stack.load_balancer;
        let lb_id = format!("{prefix}_lb");
        cluster.add(
            &lb_id,
            NodeKind::LoadBalancer,
            vec![
                format!("{} {}", lb.kind.as_str().to_ascii_uppercase(), lb.name),
                format!("{} {}", lb.scheme.as_str(), lb.ip_address_type.as_str()),
            ],
        );
        let tg_ids: BTreeMap<&str, String> = stack
            .target_groups
            .iter()
            .enumerate()
            .map(|(i, tg)| (tg.id.as_str(), format!("{prefix}_tg{i}")))
            .collect();
        for l in &stack.listeners {
            let l_id = listener_id(prefix, l.port);
            let mut lines = vec![format!("listener {} {}", l.protocol.as_str(), l.port)];
            // A forward is drawn as edges; anything else (fixed response, redirect) is written.
            if !is_forward(&l.default_actions) {
                lines.push(format!("default: {}", actions(&l.default_actions)));
            }
            cluster.add(&l_id, NodeKind::Listener, lines);
            self.edge(&lb_id, &l_id, None);
            self.forwards(&l_id, &l.default_actions, &tg_ids);
            for r in &l.rules {
                let r_id = format!("{l_id}_r{}", r.priority);
                let mut lines = vec![format!("rule {}", r.priority)];
                lines.extend(r.conditions.iter().map(super::table::condition));
                if !is_forward(&r.actions) {
                    lines.push(actions(&r.actions));
                }
                lines.push(format!("from {}", r.source));
                cluster.add(&r_id, NodeKind::Rule, lines);
                self.edge(&l_id, &r_id, None);
                self.forwards(&r_id, &r.actions, &tg_ids);
            }
        }
        for tg in &stack.target_groups {
            let tg_id = tg_ids[tg.id.as_str()].clone();
            cluster.add(
                &tg_id,
                NodeKind::TargetGroup,
                vec![
                    format!("target group {}", tg.name),
                    format!(
                        "{} {} port {}",
                        tg.target_type.as_str(),
                        super::table::protocol(tg),
                        tg.port
                    ),
                ],
            );
            let b = &tg.backend;
            let chained = stacks
                .get(format!("{}/{}", b.namespace, b.name).as_str())
                .filter(|_| b.kind == "Gateway");
            match chained {
                Some((alb_prefix, alb)) if alb.listener(b.port).is_some() => {
                    let target = listener_id(alb_prefix, b.port);
                    self.edges.push(Edge {
                        from: tg_id,
                        to: target,
                        label: Some("chained".to_string()),
                        dashed: false,
                    });
                }
                _ => {
                    let title = format!("{} {}/{}:{}", b.kind, b.namespace, b.name, b.port);
                    let next = format!("b{}", backend_ids.len());
                    let id = backend_ids.entry(title.clone()).or_insert(next).clone();
                    if !self.backends.iter().any(|n| n.id == id) {
                        self.backends.push(Node {
                            id: id.clone(),
                            kind: NodeKind::Backend,
                            lines: vec![title],
                        });
                    }
                    self.edges.push(Edge {
                        from: tg_id,
                        to: id,
                        label: None,
                        dashed: b.kind == "Gateway",
                    });
                }
            }
        }
    }

    fn edge(&mut self, from: &str, to: &str, label: Option<String>) {
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label,
            dashed: false,
        });
    }

    /// Edges from `from` to the target groups its forward actions name, labelled with the
    /// weight when traffic is split.
    fn forwards(&mut self, from: &str, list: &[Action], tg_ids: &BTreeMap<&str, String>) {
        for a in list.iter().filter(|a| a.kind == ActionType::Forward) {
            let tuples: Vec<_> = a
                .forward_config
                .iter()
                .flat_map(|f| &f.target_groups)
                .collect();
            let split = tuples.len() > 1;
            for t in tuples {
                if let Some(to) = tg_ids.get(t.target_group_arn.as_str()) {
                    let label = split.then(|| format!("weight {}", t.weight.unwrap_or(1)));
                    self.edge(from, to, label);
                }
            }
        }
    }
}

fn listener_id(prefix: &str, port: i32) -> String {
    format!("{prefix}_l{port}")
}

fn is_forward(list: &[Action]) -> bool {
    list.iter().all(|a| a.kind == ActionType::Forward)
}

fn actions(list: &[Action]) -> String {
    super::table::actions(list)
}

/// What is wrong with a Gateway and the routes attached to it, one line each.
fn problems(
    t: &Translation,
    key: &ObjectKey,
    status: &GatewayStatus,
    refused: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let bad = |c: &Condition| match c.kind {
        "Conflicted" | "PartiallyInvalid" => c.status == "True",
        // Programmed is Unknown in every plan: nothing is deployed yet.
        "Programmed" => c.status == "False",
        _ => c.status == "False",
    };
    for c in status.conditions.iter().filter(|c| bad(c)) {
        out.push(format!(
            "Gateway {}={} {}: {}",
            c.kind, c.status, c.reason, c.message
        ));
    }
    if refused && out.is_empty() {
        out.push("Gateway has no load balancer".to_string());
    }
    for l in &status.listeners {
        for c in l.conditions.iter().filter(|c| bad(c)) {
            out.push(format!(
                "listener {}: {}={} {}",
                l.name, c.kind, c.status, c.reason
            ));
        }
    }
    for ((kind, route), s) in &t.statuses.routes {
        for p in &s.parents {
            let parent_ns = p
                .parent_ref
                .namespace
                .as_deref()
                .unwrap_or(&route.namespace);
            if parent_ns != key.namespace || p.parent_ref.name != key.name {
                continue;
            }
            for c in p.conditions.iter().filter(|c| bad(c)) {
                out.push(format!(
                    "{kind} {route}: {}={} {}: {}",
                    c.kind, c.status, c.reason, c.message
                ));
            }
        }
    }
    let gateway = format!("Gateway {key}");
    for p in t.problems.iter().filter(|p| p.object == gateway) {
        out.push(p.message.clone());
    }
    out.dedup();
    out
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
