//! A small cluster shared by the resilience scenarios: one ALB Gateway `apps/web` with
//! listener `a` (80), the Service `apps/echo`, and routes to it by path.

use super::objects;

pub fn cluster() -> String {
    objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway("apps/web", "alb", &[("a", 80, "HTTP")]),
        objects::node_port_service("apps/echo", 80, 30080),
    ])
}

/// The HTTPRoute `apps/<name>` sending requests under `path` to `echo`.
pub fn route(name: &str, path: &str) -> String {
    objects::http_route(
        &format!("apps/{name}"),
        &["web"],
        Some(path),
        &[("echo", 80)],
    )
}
