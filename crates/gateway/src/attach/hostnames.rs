//! Gateway API hostname rules: validation and listener ∩ route intersection.

/// Whether `host` is a valid Gateway API hostname: not an IP address, labels of 1..=63
/// characters (after an optional leading `*.`), letters, digits and `-`.
pub fn is_valid(host: &str) -> bool {
    if host.is_empty() || host.len() > 253 || host.parse::<std::net::IpAddr>().is_ok() {
        return false;
    }
    let rest = host.strip_prefix("*.").unwrap_or(host);
    rest.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

/// Whether wildcard `*.suffix` covers `host` (one or more labels in place of `*`).
pub fn wildcard_covers(wildcard: &str, host: &str) -> bool {
    match wildcard.strip_prefix('*') {
        Some(suffix) => host.len() > suffix.len() && ends_with_ignore_case(host, suffix),
        None => false,
    }
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The hostnames a route gets on a listener. `None`: the route does not match the listener.
/// `Some(vec![])`: no host restriction (neither side has hostnames).
pub fn intersect(listener: Option<&str>, route: &[String]) -> Option<Vec<String>> {
    let route: Vec<&String> = route.iter().filter(|h| is_valid(h)).collect();
    let Some(listener) = listener.filter(|l| !l.is_empty()) else {
        return Some(route.into_iter().cloned().collect());
    };
    if route.is_empty() {
        return Some(vec![listener.to_string()]);
    }
    let mut out: Vec<String> = Vec::new();
    for host in route {
        let kept = if host.eq_ignore_ascii_case(listener) || wildcard_covers(listener, host) {
            Some(host.as_str())
        } else if wildcard_covers(host, listener) {
            Some(listener)
        } else {
            None
        };
        if let Some(h) = kept
            && !out.iter().any(|o| o == h)
        {
            out.push(h.to_string());
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(hosts: &[&str]) -> Vec<String> {
        hosts.iter().map(|h| h.to_string()).collect()
    }

    /// (listener hostname, route hostnames, expected intersection)
    type Case<'a> = (Option<&'a str>, &'a [&'a str], Option<&'a [&'a str]>);

    #[test]
    fn intersection_follows_the_gateway_api_wildcard_rules() {
        let cases: &[Case<'_>] = &[
            (None, &[], Some(&[])),
            (None, &["a.example.com"], Some(&["a.example.com"])),
            (Some("a.example.com"), &[], Some(&["a.example.com"])),
            (
                Some("a.example.com"),
                &["a.example.com"],
                Some(&["a.example.com"]),
            ),
            (Some("a.example.com"), &["b.example.com"], None),
            (
                Some("*.example.com"),
                &["a.example.com"],
                Some(&["a.example.com"]),
            ),
            (
                Some("*.example.com"),
                &["a.b.example.com"],
                Some(&["a.b.example.com"]),
            ),
            (Some("*.example.com"), &["example.com"], None),
            (
                Some("a.example.com"),
                &["*.example.com"],
                Some(&["a.example.com"]),
            ),
            (
                Some("*.example.com"),
                &["*.a.example.com"],
                Some(&["*.a.example.com"]),
            ),
            (
                Some("*.a.example.com"),
                &["*.example.com"],
                Some(&["*.a.example.com"]),
            ),
            (
                Some("*.example.com"),
                &["*.example.com"],
                Some(&["*.example.com"]),
            ),
            (
                Some("*.example.com"),
                &["a.example.org", "b.example.com"],
                Some(&["b.example.com"]),
            ),
            (
                Some("A.Example.com"),
                &["a.example.com"],
                Some(&["a.example.com"]),
            ),
        ];
        for (listener, route, want) in cases {
            let got = intersect(*listener, &v(route));
            assert_eq!(got, want.map(v), "listener {listener:?} route {route:?}");
        }
    }

    #[test]
    fn ip_addresses_and_bad_labels_are_not_hostnames() {
        assert!(is_valid("foo.example.com"));
        assert!(is_valid("*.example.com"));
        assert!(!is_valid("10.0.0.1"));
        assert!(!is_valid("::1"));
        assert!(!is_valid("a..b"));
        assert!(!is_valid(&format!("{}.com", "x".repeat(64))));
        assert!(!is_valid("foo.*.com"));
    }
}
