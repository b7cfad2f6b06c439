//! Which hostnames an ACM certificate's names serve, the rule both the ALB/NLB deployer and the
//! tiered class use when they pick a certificate from ACM.

/// Whether the certificate name `name` covers `host`: a wildcard `*.d` covers every host of
/// exactly one label more than `d` (and the literal `*.d`), any other name only itself. DNS
/// names compare without regard to case.
pub fn covers(name: &str, host: &str) -> bool {
    if name.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(domain) = name.strip_prefix("*.") else {
        return false;
    };
    host.split_once('.')
        .is_some_and(|(first, rest)| !first.is_empty() && rest.eq_ignore_ascii_case(domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_covers_exactly_one_label() {
        for (name, host, expected) in [
            ("*.example.com", "a.example.com", true),
            ("*.example.com", "*.example.com", true),
            ("*.example.com", "A.Example.COM", true),
            ("*.Example.com", "A.example.COM", true),
            ("*.example.com", "a.b.example.com", false),
            ("*.example.com", "example.com", false),
            ("*.example.com", ".example.com", false),
            ("*.example.com", "a.example.org", false),
            ("*.b.example.com", "a.example.com", false),
            ("a.example.com", "a.example.com", true),
            ("a.example.com", "A.example.com", true),
            ("a.example.com", "b.example.com", false),
            ("a.example.com", "*.example.com", false),
            ("example.com", "a.example.com", false),
        ] {
            assert_eq!(covers(name, host), expected, "{name} covers {host}");
        }
    }
}
