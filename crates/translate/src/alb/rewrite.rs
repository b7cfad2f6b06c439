//! URLRewrite filters as ALB transforms.
//!
//! The ALB's `url-rewrite` regex runs on the request URL, path and query string together
//! (ALB "Transforms for listener rules"): every regex here leaves the query string as it is.

use crate::routes::{PathMatch, PathModifier, RouteMatch};
use gantry_model::{Rewrite, RewriteConfig, Transform};

/// URLRewrite as ALB transforms. A prefix replacement needs the match's path prefix.
pub fn transforms(
    rewrite: &Option<(Option<String>, Option<PathModifier>)>,
    m: Option<&RouteMatch>,
) -> Result<Vec<Transform>, String> {
    let Some((hostname, path)) = rewrite else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    if let Some(h) = hostname {
        out.push(Transform {
            kind: "host-header-rewrite".to_string(),
            host_header_rewrite_config: Some(RewriteConfig {
                rewrites: vec![Rewrite {
                    regex: ".*".to_string(),
                    replace: h.clone(),
                }],
            }),
            url_rewrite_config: None,
        });
    }
    let url = match path {
        None => None,
        Some(PathModifier::ReplaceFullPath(p)) => Some(Rewrite {
            regex: "^([^?]*)".to_string(),
            replace: p.clone(),
        }),
        Some(PathModifier::ReplacePrefixMatch(new)) => {
            let Some(RouteMatch::Http(h)) = m else {
                return Err("URLRewrite replacePrefixMatch needs a PathPrefix match".to_string());
            };
            let Some(PathMatch::Prefix(prefix)) = &h.path else {
                return Err("URLRewrite replacePrefixMatch needs a PathPrefix match".to_string());
            };
            Some(replace_prefix(prefix, new))
        }
    };
    if let Some(r) = url {
        out.push(Transform {
            kind: "url-rewrite".to_string(),
            host_header_rewrite_config: None,
            url_rewrite_config: Some(RewriteConfig { rewrites: vec![r] }),
        });
    }
    Ok(out)
}

/// Replaces the matched path prefix (whole segments, as PathPrefix matches them) with `new`.
/// `$1` is the rest of the path, `$2` the query string. Replacing with `/` (or nothing) must
/// not leave a double slash: `/foo` → `/` on `/foo/bar` gives `/bar`, not `//bar`, so the
/// rest is then captured without its leading slash.
fn replace_prefix(prefix: &str, new: &str) -> Rewrite {
    let prefix = escape_regex(prefix.trim_end_matches('/'));
    let new = new.trim_end_matches('/');
    if new.is_empty() {
        Rewrite {
            regex: format!("^{prefix}/?([^?]*)(\\?.*)?$"),
            replace: "/$1$2".to_string(),
        }
    } else {
        Rewrite {
            regex: format!("^{prefix}(/[^?]*)?(\\?.*)?$"),
            replace: format!("{new}$1$2"),
        }
    }
}

fn escape_regex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies a rewrite as the ALB does: replace the match, leave the URL alone otherwise.
    fn apply(r: &Rewrite, url: &str) -> String {
        let re = regex::Regex::new(&r.regex).expect("a valid regex");
        re.replace(url, r.replace.as_str()).into_owned()
    }

    #[test]
    fn replacing_a_prefix_with_a_slash_leaves_no_double_slash_and_keeps_the_query() {
        let r = replace_prefix("/foo", "/");
        assert_eq!(apply(&r, "/foo/bar"), "/bar");
        assert_eq!(apply(&r, "/foo"), "/");
        assert_eq!(apply(&r, "/foo/"), "/");
        assert_eq!(apply(&r, "/foo/bar/baz?x=1&y=2"), "/bar/baz?x=1&y=2");
        assert_eq!(apply(&r, "/foo?x=1"), "/?x=1");
    }

    #[test]
    fn replacing_a_prefix_with_a_path_keeps_segments_and_the_query() {
        let r = replace_prefix("/api/", "/v2");
        assert_eq!(apply(&r, "/api"), "/v2");
        assert_eq!(apply(&r, "/api/users"), "/v2/users");
        assert_eq!(apply(&r, "/api/users?id=7"), "/v2/users?id=7");
        assert_eq!(apply(&r, "/api?id=7"), "/v2?id=7");
        let r = replace_prefix("/a.b", "/c/");
        assert_eq!(apply(&r, "/a.b/x"), "/c/x");
        assert_eq!(
            apply(&r, "/axb/x"),
            "/axb/x",
            "the prefix is literal, not a regex"
        );
    }

    #[test]
    fn replacing_the_full_path_keeps_the_query() {
        let t = transforms(
            &Some((None, Some(PathModifier::ReplaceFullPath("/ok".into())))),
            None,
        )
        .unwrap();
        let r = &t[0].url_rewrite_config.as_ref().unwrap().rewrites[0];
        assert_eq!(apply(r, "/health/deep?x=1"), "/ok?x=1");
        assert_eq!(apply(r, "/health"), "/ok");
    }
}
