//! Listener isolation on a shared port (Gateway API, Listener "Listeners that are distinct
//! only by Hostname" and "General Listener behavior"): a request to `foo.example.com` is served
//! only by routes of the `foo.example.com` listener when there is one, never by those of
//! `*.example.com` or of a listener without hostname, and gets a 404 when none matches.
//!
//! An ALB rule cannot say "not host X". So the rules of one port are grouped by listener, the
//! groups ordered from the most specific listener hostname to the least (exact, then wildcards
//! with more labels, then none), and each hostname listener's group ends with
//! `host-header: <hostname> → 404` when a less specific group could otherwise answer its hosts.

use crate::attach::hostnames::wildcard_covers;
use std::cmp::Reverse;

/// Order of listener hostnames, most specific first: exact names, then wildcards with more
/// labels right of the `*`, then longer ones; a listener without hostname last.
pub fn rank(hostname: Option<&str>) -> (u8, Reverse<usize>, Reverse<usize>) {
    match hostname {
        None => (2, Reverse(0), Reverse(0)),
        Some(h) => (
            u8::from(h.starts_with('*')),
            Reverse(h.matches('.').count()),
            Reverse(h.len()),
        ),
    }
}

/// Whether every host `pattern` can match is also matched by listener hostname `listener`:
/// then the more specific listener owns those hosts, and a rule for `pattern` in a less
/// specific listener's group could never be reached. `""` (any host) is never covered.
pub fn covered_by(listener: &str, pattern: &str) -> bool {
    !pattern.is_empty()
        && (listener.eq_ignore_ascii_case(pattern) || wildcard_covers(listener, pattern))
}

/// Whether two hostname patterns match some common host; `""` matches every host.
pub fn overlaps(a: &str, b: &str) -> bool {
    a.is_empty()
        || b.is_empty()
        || a.eq_ignore_ascii_case(b)
        || wildcard_covers(a, b)
        || wildcard_covers(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_before_longer_wildcards_before_shorter_before_none() {
        let mut hosts = vec![
            None,
            Some("*.example.com"),
            Some("foo.example.com"),
            Some("*.foo.example.com"),
        ];
        hosts.sort_by_key(|h| rank(*h));
        assert_eq!(
            hosts,
            vec![
                Some("foo.example.com"),
                Some("*.foo.example.com"),
                Some("*.example.com"),
                None
            ]
        );
    }

    #[test]
    fn a_wildcard_covers_deeper_names_and_wildcards_but_not_its_parent() {
        assert!(covered_by("*.example.com", "a.example.com"));
        assert!(covered_by("*.example.com", "*.foo.example.com"));
        assert!(covered_by("foo.example.com", "foo.example.com"));
        assert!(!covered_by("*.foo.example.com", "foo.example.com"));
        assert!(!covered_by("*.foo.example.com", "*.example.com"));
        assert!(!covered_by("*.example.com", ""));
    }

    #[test]
    fn overlap_is_symmetric_and_any_host_overlaps_everything() {
        assert!(overlaps("", "foo.example.com"));
        assert!(overlaps("*.foo.example.com", "*.example.com"));
        assert!(overlaps("*.example.com", "*.foo.example.com"));
        assert!(!overlaps("foo.example.com", "bar.example.com"));
        assert!(!overlaps("foo.example.com", "*.foo.example.com"));
    }
}
