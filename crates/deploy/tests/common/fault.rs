//! Fault injection in front of the real HTTP client: a share of the attempts is answered with
//! throttling or a 5xx, or loses its connection before or after the server saw the request.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    Throttled,
    ServerError,
    DroppedBeforeSend,
    /// The server processed the request, the client never saw the answer.
    DroppedAfterSend,
}

#[derive(Debug)]
struct State {
    rng: u64,
    percent: u64,
    injected: BTreeMap<Fault, u64>,
}

#[derive(Clone, Debug)]
pub struct Faults {
    state: Arc<Mutex<State>>,
}

impl Faults {
    /// Fails about `percent` % of attempts, deterministically for a seed.
    pub fn new(percent: u64, seed: u64) -> Self {
        Faults {
            state: Arc::new(Mutex::new(State {
                rng: seed | 1,
                percent,
                injected: BTreeMap::new(),
            })),
        }
    }

    pub fn set_percent(&self, percent: u64) {
        self.state.lock().unwrap().percent = percent;
    }

    pub fn injected(&self) -> BTreeMap<Fault, u64> {
        self.state.lock().unwrap().injected.clone()
    }

    pub fn wrap(&self, inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(FaultyClient {
            inner,
            faults: self.clone(),
        })
    }

    fn draw(&self) -> Option<Fault> {
        let mut s = self.state.lock().unwrap();
        // xorshift64
        s.rng ^= s.rng << 13;
        s.rng ^= s.rng >> 7;
        s.rng ^= s.rng << 17;
        let roll = s.rng % 400;
        if roll >= s.percent * 4 {
            return None;
        }
        let fault = match roll % 4 {
            0 => Fault::Throttled,
            1 => Fault::ServerError,
            2 => Fault::DroppedBeforeSend,
            _ => Fault::DroppedAfterSend,
        };
        *s.injected.entry(fault).or_default() += 1;
        Some(fault)
    }
}

#[derive(Debug)]
struct FaultyClient {
    inner: SharedHttpClient,
    faults: Faults,
}

impl HttpClient for FaultyClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(FaultyConnector {
            inner: self.inner.http_connector(settings, components),
            faults: self.faults.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    faults: Faults,
}

fn response(status: u16, body: String) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body),
    )
}

fn error_body(request: &HttpRequest, code: &str) -> String {
    let ec2 = request
        .body()
        .bytes()
        .is_some_and(|b| String::from_utf8_lossy(b).contains("Version=2016-11-15"));
    if ec2 {
        format!(
            "<Response><Errors><Error><Code>{code}</Code><Message>injected</Message></Error></Errors><RequestID>fault</RequestID></Response>"
        )
    } else {
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        )
    }
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        match self.faults.draw() {
            None => inner.call(request),
            Some(Fault::Throttled) => {
                let body = error_body(
                    &request,
                    if body_is_ec2(&request) {
                        "RequestLimitExceeded"
                    } else {
                        "Throttling"
                    },
                );
                HttpConnectorFuture::ready(Ok(response(400, body)))
            }
            Some(Fault::ServerError) => {
                let body = error_body(&request, "ServiceUnavailable");
                HttpConnectorFuture::ready(Ok(response(503, body)))
            }
            Some(Fault::DroppedBeforeSend) => HttpConnectorFuture::ready(Err(ConnectorError::io(
                "injected: connection reset before sending".into(),
            ))),
            Some(Fault::DroppedAfterSend) => HttpConnectorFuture::new(async move {
                let _ = inner.call(request).await;
                Err(ConnectorError::io(
                    "injected: connection reset after sending".into(),
                ))
            }),
        }
    }
}

fn body_is_ec2(request: &HttpRequest) -> bool {
    request
        .body()
        .bytes()
        .is_some_and(|b| String::from_utf8_lossy(b).contains("Version=2016-11-15"))
}
