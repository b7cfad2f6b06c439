//! The controller's admin endpoints (`/readyz`, `/metrics`), asked with a plain HTTP/1.0 GET:
//! one request at a time needs no HTTP client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Status code and body of `GET path`; `None` while nothing answers.
pub fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let code = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, body.to_string()))
}

/// Whether every watch has listed its kind once.
pub fn ready(addr: SocketAddr) -> bool {
    get(addr, "/readyz").is_some_and(|(code, _)| code == 200)
}

/// Reconciles of `kind` so far (failed ones included), from `/metrics`.
pub fn reconciles(addr: SocketAddr, kind: &str) -> Option<u64> {
    let (code, body) = get(addr, "/metrics")?;
    (code == 200).then(|| reconciles_in(&body, kind))
}

fn reconciles_in(metrics: &str, kind: &str) -> u64 {
    let series = format!("gantry_reconciles_total{{kind=\"{kind}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series)?.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_reconciles_of_one_kind() {
        let metrics = "# TYPE gantry_reconciles_total counter\ngantry_reconciles_total{kind=\"Gateway\"} 212\ngantry_reconciles_total{kind=\"GatewayClass\"} 2\n";
        assert_eq!(reconciles_in(metrics, "Gateway"), 212);
        assert_eq!(reconciles_in(metrics, "GatewayClass"), 2);
        assert_eq!(reconciles_in(metrics, "TargetGroupBinding"), 0);
    }
}
