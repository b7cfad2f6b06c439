//! The HTTP side of the stand-in: routing a request to the store, watch streams, and the
//! tower service a `kube::Client` is built on.

use crate::apiserver::*;
use crate::catalog::{self, Kind};
use crate::faults::{Expired, Outage};
use crate::fields::FieldSelector;
use crate::page::Page;
use bytes::Bytes;
use futures::StreamExt;
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Every response body: a JSON document, or a watch stream.
pub type Body = UnsyncBoxBody<Bytes, Infallible>;

pub(crate) struct WatchFrom {
    pub(crate) kind: &'static Kind,
    pub(crate) namespace: String,
    pub(crate) rv: u64,
    pub(crate) fields: FieldSelector,
    /// Its resourceVersion is older than the history kept: one ERROR event (410), then the end.
    pub(crate) expired: bool,
    /// The stream ends when the server's watch epoch moves on ([`FakeApi::cut_watches`]).
    pub(crate) epoch: u64,
}

struct Target {
    namespace: String,
    name: Option<String>,
    subresource: Option<String>,
}

impl FakeApi {
    fn handle(
        &self,
        method: Method,
        path: &str,
        query: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(u16, Value), Box<WatchFrom>> {
        let mut st = self.lock();
        st.requests.push(format!("{method} {path}"));
        st.requests_with_query
            .push(format!("{method} {path}?{query}"));
        // An outage answers everything alike (a refused connection never gets here).
        if st.outage == Some(Outage::Unavailable) {
            return Ok(status(503, "ServiceUnavailable", "injected outage"));
        }
        let fault = st
            .faults
            .iter()
            .position(|f| f.method == method && path.contains(&f.path))
            .map(|i| st.faults.remove(i));
        drop(st);
        if let Some(f) = fault {
            match f.action {
                FaultAction::Fail(code) => {
                    return Ok(status(code, "InternalError", "injected fault"));
                }
                FaultAction::Before(run) => run(self),
            }
        }
        let mut st = self.lock();
        let query: BTreeMap<String, String> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        // Discovery.
        let (group, version, rest) = match segments.as_slice() {
            ["api", v, rest @ ..] => ("", *v, rest),
            ["apis", g, v, rest @ ..] => (*g, *v, rest),
            _ => return Ok(status(404, "NotFound", "no such path")),
        };
        if rest.is_empty() {
            let resources: Vec<Value> = catalog::KINDS
                .iter()
                .filter(|k| k.group == group && k.version == version)
                .filter(|k| {
                    !st.missing
                        .contains(&(k.group.to_string(), k.plural.to_string()))
                })
                .map(|k| {
                    json!({"name": k.plural, "singularName": "", "namespaced": k.namespaced,
                               "kind": k.kind, "verbs": ["get", "list", "watch"]})
                })
                .collect();
            if resources.is_empty() {
                return Ok(status(404, "NotFound", "no such group version"));
            }
            let gv = if group.is_empty() {
                version.to_string()
            } else {
                format!("{group}/{version}")
            };
            return Ok((
                200,
                json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
            ));
        }
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (ns.to_string(), rest),
            _ => (String::new(), rest),
        };
        let Some(kind) = catalog::by_plural(group, rest[0]) else {
            return Ok(status(404, "NotFound", "unknown resource"));
        };
        if st
            .missing
            .contains(&(group.to_string(), kind.plural.to_string()))
        {
            return Ok(status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ));
        }
        let name = rest.get(1).map(|s| s.to_string());
        let sub = rest.get(2).map(|s| s.to_string());
        let t = Target {
            namespace,
            name,
            subresource: sub,
        };
        let key = (kind.group.to_string(), kind.plural.to_string());
        let api_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        match (method.clone(), t.name.clone()) {
            (Method::GET, None) => {
                let fields = match FieldSelector::parse(kind, query.get("fieldSelector")) {
                    Ok(f) => f,
                    Err(message) => return Ok(status(400, "BadRequest", message)),
                };
                if query.get("watch").is_some_and(|w| w == "true" || w == "1") {
                    let from = query
                        .get("resourceVersion")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    // History older than the last compaction is gone: 410, either as the
                    // answer (the watch cache's way) or as an ERROR event (etcd's).
                    let expired = from != 0 && from < st.compacted;
                    if expired && st.expired == Expired::Gone {
                        return Ok(status(
                            410,
                            "Expired",
                            format!("too old resource version: {from} ({})", st.compacted),
                        ));
                    }
                    return Err(Box::new(WatchFrom {
                        kind,
                        namespace: t.namespace,
                        rv: from,
                        fields,
                        expired,
                        epoch: st.watch_epoch,
                    }));
                }
                let in_scope = st
                    .objects
                    .get(&key)
                    .into_iter()
                    .flatten()
                    .filter(|((ns, _), _)| t.namespace.is_empty() || *ns == t.namespace)
                    .filter(|((ns, _), o)| fields.matches(ns, o));
                // Pages as a real API server makes them (the reflectors ask for 500 objects at
                // a time): a client's peak memory depends on it.
                let page = Page::of(&query);
                let mut items: Vec<Value> = in_scope
                    .skip(page.offset)
                    .take(page.limit.saturating_add(1))
                    .map(|(_, v)| v.clone())
                    .collect();
                let mut metadata = json!({"resourceVersion": st.rv.to_string()});
                if items.len() > page.limit {
                    items.truncate(page.limit);
                    metadata["continue"] = Value::from(page.next().to_string());
                }
                Ok((
                    200,
                    json!({"kind": format!("{}List", kind.kind), "apiVersion": api_version,
                                 "metadata": metadata, "items": items}),
                ))
            }
            (Method::GET, Some(name)) => Ok(
                match st
                    .objects
                    .get(&key)
                    .and_then(|m| m.get(&(t.namespace.clone(), name.clone())))
                {
                    Some(o) => (200, o.clone()),
                    None => status(404, "NotFound", format!("{} {name} not found", kind.plural)),
                },
            ),
            (Method::POST, None) => {
                let mut obj: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                let name = match obj["metadata"]["name"].as_str() {
                    Some(n) => n.to_string(),
                    None => {
                        let prefix = obj["metadata"]["generateName"]
                            .as_str()
                            .unwrap_or("obj-")
                            .to_string();
                        let n = format!("{prefix}{}", st.rv + 1);
                        obj["metadata"]["name"] = Value::from(n.clone());
                        n
                    }
                };
                if st
                    .objects
                    .get(&key)
                    .is_some_and(|m| m.contains_key(&(t.namespace.clone(), name.clone())))
                {
                    return Ok(status(
                        409,
                        "AlreadyExists",
                        format!("{} {name} already exists", kind.plural),
                    ));
                }
                if kind.namespaced {
                    obj["metadata"]["namespace"] = Value::from(t.namespace.clone());
                }
                let obj = created(obj);
                Ok((
                    201,
                    self.store(&mut st, kind, &t.namespace, &name, obj, "ADDED"),
                ))
            }
            (Method::PUT | Method::PATCH, Some(name)) => {
                let existing = st
                    .objects
                    .get(&key)
                    .and_then(|m| m.get(&(t.namespace.clone(), name.clone())))
                    .cloned();
                // Server-side apply creates what does not exist.
                if existing.is_none()
                    && method == Method::PATCH
                    && content_type.contains("apply-patch")
                    && t.subresource.is_none()
                {
                    let mut obj: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                    obj["metadata"]["name"] = Value::from(name.clone());
                    if kind.namespaced {
                        obj["metadata"]["namespace"] = Value::from(t.namespace.clone());
                    }
                    let obj = created(obj);
                    return Ok((
                        201,
                        self.store(&mut st, kind, &t.namespace, &name, obj, "ADDED"),
                    ));
                }
                let Some(old) = existing else {
                    return Ok(status(
                        404,
                        "NotFound",
                        format!("{} {name} not found", kind.plural),
                    ));
                };
                let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                if let Some(rv) = body["metadata"]["resourceVersion"].as_str()
                    && Some(rv) != old["metadata"]["resourceVersion"].as_str()
                {
                    return Ok(status(
                        409,
                        "Conflict",
                        format!(
                            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                            kind.plural
                        ),
                    ));
                }
                let mut new = if method == Method::PUT {
                    body.clone()
                } else {
                    let mut n = old.clone();
                    if content_type.contains("strategic-merge-patch") {
                        strategic_merge(&mut n, &body);
                    } else if content_type.contains("merge-patch")
                        || content_type.contains("apply-patch")
                    {
                        merge(&mut n, &body);
                    } else {
                        return Ok(status(
                            415,
                            "UnsupportedMediaType",
                            content_type.to_string(),
                        ));
                    }
                    n
                };
                let status_write = t.subresource.as_deref() == Some("status");
                if kind.status {
                    if status_write {
                        // Only the status changes.
                        let s = new.get("status").cloned();
                        new = old.clone();
                        match s {
                            Some(s) => new["status"] = s,
                            None => {
                                new.as_object_mut().map(|o| o.remove("status"));
                            }
                        }
                    } else {
                        match old.get("status") {
                            Some(s) => new["status"] = s.clone(),
                            None => {
                                new.as_object_mut().map(|o| o.remove("status"));
                            }
                        }
                    }
                }
                for k in [
                    "uid",
                    "creationTimestamp",
                    "generation",
                    "deletionTimestamp",
                ] {
                    new["metadata"][k] = old["metadata"][k].clone();
                }
                new["metadata"]["name"] = Value::from(name.clone());
                if kind.namespaced {
                    new["metadata"]["namespace"] = Value::from(t.namespace.clone());
                }
                bump_generation(&old, &mut new);
                Ok((
                    200,
                    self.store(&mut st, kind, &t.namespace, &name, new, "MODIFIED"),
                ))
            }
            (Method::DELETE, Some(name)) => Ok(
                match self.delete_object(&mut st, kind, &t.namespace, &name) {
                    Ok(o) => (200, o),
                    Err(e) => e,
                },
            ),
            _ => Ok(status(
                405,
                "MethodNotAllowed",
                "not supported by the stand-in",
            )),
        }
    }
}

impl FakeApi {
    /// The answer to one request, for the HTTP front ends (the tower service below, and
    /// [`crate::serve`]): during an [`Outage::Refused`] an error (the connection dropped
    /// without an answer); a body cut off mid-way reads as empty.
    pub(crate) async fn respond<B>(&self, req: Request<B>) -> Result<Response<Body>, std::io::Error>
    where
        B: hyper::body::Body,
    {
        let (parts, body) = req.into_parts();
        self.refuse(&parts)?;
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        Ok(self.answer(parts, body))
    }

    /// The answer to one request whose body has been read.
    fn answer(&self, parts: http::request::Parts, body: Bytes) -> Response<Body> {
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let path = parts.uri.path().to_string();
        let query = parts.uri.query().unwrap_or_default().to_string();
        let answer = self.handle(parts.method, &path, &query, &content_type, &body);
        if matches!(answer, Ok((code, _)) if code < 300) || answer.is_err() {
            self.changed.notify_waiters();
        }
        match answer {
            Ok((code, value)) => Response::builder()
                .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(value.to_string())).boxed_unsync())
                .expect("valid response"),
            Err(watch) => {
                let stream = self
                    .watch_stream(*watch)
                    .map(|b| Ok::<_, Infallible>(hyper::body::Frame::data(b)));
                Response::builder()
                    .status(StatusCode::OK)
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(StreamBody::new(stream).boxed_unsync())
                    .expect("valid response")
            }
        }
    }
}

/// In-process: a `kube::Client` built on the stand-in itself ([`FakeApi::client`]).
/// During an [`Outage::Refused`] every call fails as a refused connection does.
impl tower::Service<Request<kube::client::Body>> for FakeApi {
    type Response = Response<Body>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, std::io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<kube::client::Body>) -> Self::Future {
        let api = self.clone();
        Box::pin(async move { api.respond(req).await })
    }
}
