//! A kubeconfig for a client in another process to reach a served stand-in.

use std::net::SocketAddr;

/// A kubeconfig whose current context reaches the stand-in at `addr` over plain HTTP, without
/// credentials (the stand-in checks none).
pub fn kubeconfig(addr: SocketAddr) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: standin
  cluster:
    server: http://{addr}
users:
- name: standin
  user: {{}}
contexts:
- name: standin
  context:
    cluster: standin
    user: standin
    namespace: default
current-context: standin
"
    )
}
