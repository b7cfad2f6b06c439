//! The admin server: /healthz at once, /readyz after every watch has synced, /metrics in the
//! Prometheus text format with reconciles, queue depth and AWS calls.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let code = out[9..12].parse().unwrap();
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (code, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_are_served() {
    let api = FakeApi::new();
    // Watches cannot sync while the API server refuses to list Services.
    api.uninstall("", "services");
    let mut c = config();
    c.admin_addr = Some("127.0.0.1:0".parse().unwrap());
    let running = start(&api, Arc::new(FakeDeploy::default()), c).await;
    let addr = running.handle.admin_addr.expect("admin server bound");
    assert_eq!(get(addr, "/healthz").await.0, 200);
    assert_eq!(get(addr, "/readyz").await.0, 503);
    api.install("", "services");
    eventually("ready", Duration::from_secs(30), || {
        running.handle.ready.is_ready()
    })
    .await;
    assert_eq!(get(addr, "/readyz").await.0, 200);
    api.apply_yaml(&objects::docs([
        objects::gateway_class("alb", "alb"),
        objects::gateway("apps/web", "alb", &[("http", 80, "HTTP")]),
    ]));
    eventually("programmed", Duration::from_secs(30), || {
        web_programmed(&api)
    })
    .await;
    let expected = [
        "gantry_reconciles_total{kind=\"Gateway\"}",
        "gantry_reconcile_duration_seconds_count{kind=\"Gateway\"}",
        "gantry_queue_depth ",
        "gantry_leader 1",
        "gantry_status_writes_total{kind=\"Gateway\"}",
    ];
    // The controller counts a status write once the API server has answered it, so the
    // status the test saw may be a moment ahead of the counter: read until every series is
    // there, or for 30 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let (code, metrics) = get(addr, "/metrics").await;
        assert_eq!(code, 200);
        let complete = expected.iter().all(|series| metrics.contains(series));
        if complete || std::time::Instant::now() > deadline {
            break metrics;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for series in expected {
        assert!(metrics.contains(series), "{series} missing:\n{metrics}");
    }
    assert_eq!(get(addr, "/nope").await.0, 404);
    running.stop().await;
}
