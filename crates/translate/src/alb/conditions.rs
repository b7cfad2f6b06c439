//! Route matches → ALB rule conditions.

use crate::routes::{GrpcMatch, HeaderMatch, HttpMatch, PathMatch, RouteMatch};
use gantry_model::RuleCondition;
use thiserror::Error;

/// Why the ALB cannot express a match exactly: the message of the dropped match.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MatchError {
    #[error("path prefix {0} contains * or ?, which the ALB would treat as wildcards")]
    WildcardPrefix(String),
    #[error("exact path {0} contains * or ?, which the ALB would treat as wildcards")]
    WildcardExactPath(String),
    #[error(
        "query parameter {0} uses RegularExpression, which ALB query-string conditions cannot express"
    )]
    RegexQueryParameter(String),
    #[error("query parameter {0} contains * or ?, which the ALB would treat as wildcards")]
    WildcardQueryParameter(String),
    #[error("gRPC service or method {0} contains *, ? or /")]
    GrpcPart(String),
    #[error("header {0} value contains * or ?, which the ALB would treat as wildcards")]
    WildcardHeader(String),
    #[error("regular expression {0} is longer than the ALB's 128 characters")]
    LongRegex(String),
    #[error("regular expression {regex} uses {feature}, which the ALB does not support")]
    RegexFeature {
        regex: String,
        feature: &'static str,
    },
}

/// Conditions of one ALB rule for one match (or none) and one hostname (`""`: any host).
/// `Err` says why the ALB cannot express the match exactly.
pub fn build(m: Option<&RouteMatch>, host: &str) -> Result<Vec<RuleCondition>, MatchError> {
    // Host, path, and one per header, query parameter and method: conditions are large, so
    // growing the vector step by step would copy them.
    let capacity = 2 + match m {
        Some(RouteMatch::Http(h)) => {
            h.headers.len() + h.query_params.len() + usize::from(h.method.is_some())
        }
        Some(RouteMatch::Grpc(g)) => g.headers.len(),
        None => 0,
    };
    let mut out = Vec::with_capacity(capacity);
    if !host.is_empty() {
        out.push(RuleCondition::host_header(vec![host.to_string()]));
    }
    match m {
        Some(RouteMatch::Http(h)) => http(h, &mut out)?,
        Some(RouteMatch::Grpc(g)) => grpc(g, &mut out)?,
        // A GRPCRoute rule without matches matches every gRPC request.
        None => out.push(RuleCondition::path_pattern(vec!["/*".to_string()])),
    }
    Ok(out)
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

fn http(m: &HttpMatch, out: &mut Vec<RuleCondition>) -> Result<(), MatchError> {
    match &m.path {
        Some(PathMatch::Prefix(p)) => {
            if has_wildcard(p) {
                return Err(MatchError::WildcardPrefix(p.clone()));
            }
            let trimmed = p.trim_end_matches('/');
            if trimmed.is_empty() {
                out.push(RuleCondition::path_pattern(vec!["/*".to_string()]));
            } else {
                out.push(RuleCondition::path_pattern(vec![
                    trimmed.to_string(),
                    [trimmed, "/*"].concat(),
                ]));
            }
        }
        Some(PathMatch::Exact(p)) => {
            if has_wildcard(p) {
                return Err(MatchError::WildcardExactPath(p.clone()));
            }
            out.push(RuleCondition::path_pattern(vec![p.clone()]));
        }
        Some(PathMatch::Regex(r)) => {
            check_regex(r)?;
            out.push(RuleCondition::path_regex(r.clone()));
        }
        None => {}
    }
    headers(&m.headers, out)?;
    for q in &m.query_params {
        if q.regex {
            return Err(MatchError::RegexQueryParameter(q.name.clone()));
        }
        if has_wildcard(&q.value) || has_wildcard(&q.name) {
            return Err(MatchError::WildcardQueryParameter(q.name.clone()));
        }
        out.push(RuleCondition::query_string(q.name.clone(), q.value.clone()));
    }
    if let Some(method) = &m.method {
        out.push(RuleCondition::http_request_method(method.clone()));
    }
    Ok(())
}

fn grpc(m: &GrpcMatch, out: &mut Vec<RuleCondition>) -> Result<(), MatchError> {
    let service = m.service.as_deref();
    let method = m.method.as_deref();
    if m.regex {
        let s = service.unwrap_or("[^/]+");
        let me = method.unwrap_or("[^/]+");
        let regex = format!("^/{s}/{me}$");
        check_regex(&regex)?;
        out.push(RuleCondition::path_regex(regex));
    } else {
        for part in [service, method].into_iter().flatten() {
            if has_wildcard(part) || part.contains('/') {
                return Err(MatchError::GrpcPart(part.to_string()));
            }
        }
        let path = match (service, method) {
            (Some(s), Some(me)) => format!("/{s}/{me}"),
            (Some(s), None) => format!("/{s}/*"),
            (None, Some(me)) => format!("/*/{me}"),
            (None, None) => "/*".to_string(),
        };
        out.push(RuleCondition::path_pattern(vec![path]));
    }
    headers(&m.headers, out)
}

/// One http-header condition per header; exact values are matched as written (a value with
/// `*` or `?` cannot be, as the ALB treats those as wildcards).
fn headers(list: &[HeaderMatch], out: &mut Vec<RuleCondition>) -> Result<(), MatchError> {
    for h in list {
        if h.regex {
            check_regex(&h.value)?;
            out.push(RuleCondition::http_header(
                h.name.clone(),
                vec![],
                vec![h.value.clone()],
            ));
        } else {
            if has_wildcard(&h.value) {
                return Err(MatchError::WildcardHeader(h.name.clone()));
            }
            out.push(RuleCondition::http_header(
                h.name.clone(),
                vec![h.value.clone()],
                vec![],
            ));
        }
    }
    Ok(())
}

/// The ALB regex dialect has no lookaround, backreferences, atomic groups, possessive
/// quantifiers or Unicode classes, and takes at most 128 characters.
fn check_regex(r: &str) -> Result<(), MatchError> {
    const UNSUPPORTED: &[(&str, &str)] = &[
        ("(?=", "lookahead"),
        ("(?!", "negative lookahead"),
        ("(?<=", "lookbehind"),
        ("(?<!", "negative lookbehind"),
        ("(?>", "atomic groups"),
        ("\\p{", "Unicode classes"),
        ("\\P{", "Unicode classes"),
        ("*+", "possessive quantifiers"),
        ("++", "possessive quantifiers"),
        ("?+", "possessive quantifiers"),
    ];
    if r.len() > 128 {
        return Err(MatchError::LongRegex(r.to_string()));
    }
    for (pattern, what) in UNSUPPORTED {
        if r.contains(pattern) {
            return Err(MatchError::RegexFeature {
                regex: r.to_string(),
                feature: what,
            });
        }
    }
    let bytes = r.as_bytes();
    if bytes
        .windows(2)
        .any(|w| w[0] == b'\\' && w[1].is_ascii_digit() && w[1] != b'0')
    {
        return Err(MatchError::RegexFeature {
            regex: r.to_string(),
            feature: "backreferences",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: PathMatch) -> RouteMatch {
        RouteMatch::Http(HttpMatch {
            path: Some(p),
            headers: vec![],
            query_params: vec![],
            method: None,
        })
    }

    fn values(c: &RuleCondition) -> Vec<String> {
        c.path_pattern_config.as_ref().unwrap().values.clone()
    }

    #[test]
    fn path_prefix_uses_segment_semantics() {
        let c = build(Some(&path(PathMatch::Prefix("/api/".into()))), "").unwrap();
        assert_eq!(values(&c[0]), vec!["/api", "/api/*"]);
        let c = build(Some(&path(PathMatch::Prefix("/".into()))), "").unwrap();
        assert_eq!(values(&c[0]), vec!["/*"]);
    }

    #[test]
    fn wildcards_in_literal_values_are_refused() {
        assert!(build(Some(&path(PathMatch::Exact("/a*".into()))), "").is_err());
        assert!(build(Some(&path(PathMatch::Prefix("/a?".into()))), "").is_err());
    }

    #[test]
    fn grpc_service_and_method_become_paths() {
        let m = |s: Option<&str>, me: Option<&str>| {
            RouteMatch::Grpc(GrpcMatch {
                service: s.map(Into::into),
                method: me.map(Into::into),
                regex: false,
                headers: vec![],
            })
        };
        assert_eq!(
            values(&build(Some(&m(Some("pkg.Svc"), Some("Get"))), "").unwrap()[0]),
            vec!["/pkg.Svc/Get"]
        );
        assert_eq!(
            values(&build(Some(&m(Some("pkg.Svc"), None)), "").unwrap()[0]),
            vec!["/pkg.Svc/*"]
        );
        assert_eq!(
            values(&build(Some(&m(None, Some("Get"))), "").unwrap()[0]),
            vec!["/*/Get"]
        );
    }

    #[test]
    fn unsupported_regex_features_are_refused() {
        assert!(build(Some(&path(PathMatch::Regex("/(?=x)".into()))), "").is_err());
        assert!(build(Some(&path(PathMatch::Regex("/(a)\\1".into()))), "").is_err());
        assert!(build(Some(&path(PathMatch::Regex("/v[0-9]+/.*".into()))), "").is_ok());
    }
}
