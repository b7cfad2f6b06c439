//! Human-readable plan: per Gateway its load balancer, listeners with rules in priority
//! order, target groups; then statuses worth attention and problems.

use gantry_gateway::status::{Condition, ListenerStatus};
use gantry_model::{Action, ActionType, RuleCondition, Stack, SubnetSelection, TargetGroup};
use gantry_translate::Translation;
use std::fmt::Write;

/// `tiered`: whether tiered Gateways are printed after this table.
pub fn render(t: &Translation, tiered: bool) -> String {
    let mut out = String::new();
    if t.stacks.is_empty() && !tiered {
        out.push_str("No Gateway of a gantry GatewayClass to plan.\n");
    }
    for stack in &t.stacks {
        stack_section(&mut out, stack);
    }
    statuses(&mut out, t);
    if !t.problems.is_empty() {
        out.push_str("\nProblems:\n");
        for p in &t.problems {
            let _ = writeln!(out, "  {}: {}", p.object, p.message);
        }
    }
    out
}

fn stack_section(out: &mut String, s: &Stack) {
    let lb = &s.load_balancer;
    let _ = writeln!(out, "Gateway {}", s.gateway);
    let _ = writeln!(
        out,
        "  LoadBalancer {}  {} {} {}  subnets: {}",
        lb.name,
        lb.kind.as_str(),
        lb.scheme.as_str(),
        lb.ip_address_type.as_str(),
        subnets(&lb.subnets)
    );
    if let Some(acl) = &lb.addons.web_acl_arn {
        let _ = writeln!(out, "  WAFv2 web ACL: {acl}");
    }
    if lb.addons.shield_advanced {
        let _ = writeln!(out, "  Shield Advanced: protected");
    }
    if !s.depends_on.is_empty() {
        let _ = writeln!(out, "  depends on: {}", s.depends_on.join(", "));
    }
    for l in &s.listeners {
        let _ = writeln!(
            out,
            "  Listener {} {}  default: {}{}",
            l.protocol.as_str(),
            l.port,
            actions(&l.default_actions),
            if !l.certificate_secrets.is_empty() {
                format!(
                    "  certificates: {}",
                    l.certificates
                        .iter()
                        .map(|c| c.certificate_arn.clone())
                        .chain(l.certificate_secrets.iter().map(|c| format!(
                            "Secret {} (sha256 {})",
                            c.secret,
                            &c.fingerprint[..c.fingerprint.len().min(16)]
                        )))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else if l.certificates.is_empty() && !l.certificate_hostnames.is_empty() {
                format!(
                    "  certificates: from ACM for {}",
                    l.certificate_hostnames.join(", ")
                )
            } else if l.certificates.is_empty() {
                String::new()
            } else {
                format!(
                    "  certificates: {}",
                    l.certificates
                        .iter()
                        .map(|c| c.certificate_arn.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        for r in &l.rules {
            let _ = writeln!(
                out,
                "    {:>5}  {}  =>  {}   [{}]",
                r.priority,
                conditions(&r.conditions),
                actions(&r.actions),
                r.source
            );
        }
    }
    for tg in &s.target_groups {
        let backend = if tg.backend.is_none() {
            "no targets (503 for backendRefs that do not resolve)".to_string()
        } else {
            format!(
                "{} {}/{}:{}",
                tg.backend.kind, tg.backend.namespace, tg.backend.name, tg.backend.port
            )
        };
        let _ = writeln!(
            out,
            "  TargetGroup {}  {} {} port {}  <- {backend}",
            tg.name,
            tg.target_type.as_str(),
            protocol(tg),
            tg.port,
        );
    }
    out.push('\n');
}

/// A target group's protocol, with its version where it has one (`HTTP/HTTP2`).
pub(super) fn protocol(tg: &TargetGroup) -> String {
    match tg.protocol_version {
        Some(v) => format!("{}/{}", tg.protocol.as_str(), v.as_str()),
        None => tg.protocol.as_str().to_string(),
    }
}

fn subnets(s: &SubnetSelection) -> String {
    match s {
        SubnetSelection::Explicit(list) => list
            .iter()
            .map(|m| m.subnet.as_str())
            .collect::<Vec<_>>()
            .join(","),
        SubnetSelection::Selector(sel) => format!("tags {sel:?}"),
        SubnetSelection::Discover => "discovered by role tag".to_string(),
    }
}

fn conditions(list: &[RuleCondition]) -> String {
    list.iter().map(condition).collect::<Vec<_>>().join(" AND ")
}

/// One rule condition as `field values`, values joined by `|`, regexes marked `~`.
pub(crate) fn condition(c: &RuleCondition) -> String {
    let field = c.field.as_str();
    match &c.http_header_config {
        Some(h) => format!(
            "{field} {}={}",
            h.http_header_name,
            join(&h.header_values.values, &h.header_values.regex_values)
        ),
        None => match &c.query_string_config {
            Some(q) => format!(
                "{field} {}",
                q.values
                    .iter()
                    .map(|kv| format!("{}={}", kv.key.as_deref().unwrap_or(""), kv.value))
                    .collect::<Vec<_>>()
                    .join("|")
            ),
            None => {
                let v = c
                    .host_header_config
                    .as_ref()
                    .or(c.path_pattern_config.as_ref())
                    .or(c.http_request_method_config.as_ref())
                    .or(c.source_ip_config.as_ref());
                format!(
                    "{field} {}",
                    v.map(|v| join(&v.values, &v.regex_values))
                        .unwrap_or_default()
                )
            }
        },
    }
}

fn join(values: &[String], regex: &[String]) -> String {
    let mut all: Vec<String> = values.to_vec();
    all.extend(regex.iter().map(|r| format!("~{r}")));
    all.join("|")
}

pub(crate) fn actions(list: &[Action]) -> String {
    list.iter()
        .map(|a| match a.kind {
            ActionType::Forward => format!(
                "forward {}",
                a.forward_config
                    .iter()
                    .flat_map(|f| f.target_groups.iter())
                    .map(|t| format!("{}({})", t.target_group_arn, t.weight.unwrap_or(1)))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            ActionType::FixedResponse => format!(
                "fixed-response {}",
                a.fixed_response_config
                    .as_ref()
                    .map(|f| f.status_code.as_str())
                    .unwrap_or("")
            ),
            ActionType::Redirect => {
                let r = a.redirect_config.as_ref();
                format!(
                    "redirect {} {}://{}:{}{}",
                    r.map(|r| r.status_code.as_str()).unwrap_or(""),
                    r.and_then(|r| r.protocol.as_deref())
                        .unwrap_or("#{protocol}"),
                    r.and_then(|r| r.host.as_deref()).unwrap_or("#{host}"),
                    r.and_then(|r| r.port.as_deref()).unwrap_or("#{port}"),
                    r.and_then(|r| r.path.as_deref()).unwrap_or("#{path}")
                )
            }
            other => other.as_str().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", then ")
}

fn statuses(out: &mut String, t: &Translation) {
    let mut lines = Vec::new();
    for (name, s) in &t.statuses.gateway_classes {
        for c in s.conditions.iter().filter(|c| c.status != "True") {
            lines.push(format!(
                "  GatewayClass {name}: {}={} {}: {}",
                c.kind, c.status, c.reason, c.message
            ));
        }
    }
    for (key, s) in &t.statuses.gateways {
        listeners_owner_lines(
            &mut lines,
            &format!("Gateway {key}"),
            &s.conditions,
            &s.listeners,
        );
    }
    for (key, s) in &t.statuses.listener_sets {
        let what = format!("ListenerSet {key}");
        listeners_owner_lines(&mut lines, &what, &s.conditions, &s.listeners);
    }
    for ((kind, key), s) in &t.statuses.routes {
        for p in &s.parents {
            let conds: Vec<String> = p
                .conditions
                .iter()
                .map(|c| {
                    if c.status == "True" && c.kind != "PartiallyInvalid" {
                        format!("{}=True", c.kind)
                    } else {
                        format!("{}={} {} ({})", c.kind, c.status, c.reason, c.message)
                    }
                })
                .collect();
            lines.push(format!(
                "  {kind} {key} -> {}{}: {}",
                p.parent_ref.name,
                p.parent_ref
                    .section_name
                    .as_deref()
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default(),
                conds.join(", ")
            ));
        }
    }
    if !lines.is_empty() {
        out.push_str("Statuses:\n");
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
}

/// A Gateway's or ListenerSet's `Accepted` condition, then one line a listener: its attached
/// routes and the conditions that are not as they should be.
fn listeners_owner_lines(
    lines: &mut Vec<String>,
    what: &str,
    conditions: &[Condition],
    listeners: &[ListenerStatus],
) {
    for c in conditions.iter().filter(|c| c.kind == "Accepted") {
        lines.push(format!(
            "  {what}: {}={} {}: {}",
            c.kind, c.status, c.reason, c.message
        ));
    }
    for l in listeners {
        let bad: Vec<String> = l
            .conditions
            .iter()
            .filter(|c| {
                if c.kind == "Conflicted" {
                    c.status == "True"
                } else {
                    c.status == "False"
                }
            })
            .map(|c| format!("{}={} {}", c.kind, c.status, c.reason))
            .collect();
        lines.push(format!(
            "    listener {}: attachedRoutes={}{}",
            l.name,
            l.attached_routes,
            if bad.is_empty() {
                String::new()
            } else {
                format!("  {}", bad.join(", "))
            }
        ));
    }
}
