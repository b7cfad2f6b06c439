//! The stand-in over real HTTP on a loopback port, for a client in another process (e.g. a
//! `gantry controller` given a kubeconfig from [`crate::kubeconfig`]).

use crate::apiserver::FakeApi;
use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// The stand-in being served; dropping it stops the server and closes its connections.
pub struct Served {
    pub addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Serves `api` over HTTP/1.1 on a free port of 127.0.0.1. Call within a tokio runtime.
pub async fn serve_loopback(api: FakeApi) -> std::io::Result<Served> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    Ok(Served {
        addr,
        server: tokio::spawn(accept(listener, api)),
    })
}

async fn accept(listener: TcpListener, api: FakeApi) {
    // Owned here so that aborting the server also ends the connections (watches never end
    // on their own).
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // E.g. out of file descriptors: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        let api = api.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let api = api.clone();
                // Refused: the connection is dropped without an answer.
                async move { api.respond(req).await }
            });
            // A client going away mid-watch ends the connection with an error: nothing to do.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
