//! The admin HTTP server: `/metrics`, `/healthz`, `/readyz`. Plain hyper: three fixed paths
//! need no router.

use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::watch::Readiness;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct Admin {
    pub metrics: Arc<Metrics>,
    pub ready: Arc<Readiness>,
}

impl Admin {
    /// The answer to one request.
    pub fn respond(&self, path: &str) -> (StatusCode, String) {
        match path {
            "/metrics" => (StatusCode::OK, self.metrics.render()),
            "/healthz" => (StatusCode::OK, "ok\n".to_string()),
            "/readyz" if self.ready.is_ready() => (StatusCode::OK, "ready\n".to_string()),
            "/readyz" => (
                StatusCode::SERVICE_UNAVAILABLE,
                "watches not synced yet\n".to_string(),
            ),
            _ => (StatusCode::NOT_FOUND, "not found\n".to_string()),
        }
    }
}

/// Binds `addr`; the returned future serves until dropped.
pub async fn bind(
    addr: SocketAddr,
    admin: Admin,
) -> Result<(SocketAddr, impl std::future::Future<Output = ()>)> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Serve { addr, source })?;
    let local = listener.local_addr().unwrap_or(addr);
    Ok((local, serve(listener, admin)))
}

async fn serve(listener: TcpListener, admin: Admin) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "admin server: accept failed");
                continue;
            }
        };
        let admin = admin.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let (status, body) = admin.respond(req.uri().path());
                let mut resp = Response::new(Full::new(Bytes::from(body)));
                *resp.status_mut() = status;
                if req.uri().path() == "/metrics" {
                    resp.headers_mut().insert(
                        hyper::header::CONTENT_TYPE,
                        hyper::header::HeaderValue::from_static("text/plain; version=0.0.4"),
                    );
                }
                async move { Ok::<_, Infallible>(resp) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, "admin server: connection failed");
            }
        });
    }
}
