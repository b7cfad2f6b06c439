//! Where the deployer reads the certificates of Kubernetes Secrets it imports into ACM
//! (`crate::imported`), and the tags that name them there.

use std::fmt;
use std::sync::Arc;

/// Tag of an imported certificate: the Secret (`namespace/name`) it comes from.
pub const SECRET_TAG: &str = "gateway.k8s.aws/secret";
/// Tag of an imported certificate: lower-case hex SHA-256 of the leaf certificate.
pub const FINGERPRINT_TAG: &str = "gateway.k8s.aws/certificate-sha256";

/// What ACM imports: PEM certificate, chain and private key. The key is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportMaterial {
    pub certificate: String,
    pub chain: Option<String>,
    pub private_key: String,
}

impl fmt::Debug for ImportMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ImportMaterial(redacted)")
    }
}

/// Where the deployer reads a Secret's certificate and key, only when it must import them.
pub trait CertificateSource: Send + Sync {
    /// The material of Secret `secret` (`namespace/name`) whose leaf certificate has
    /// `fingerprint`; None when the Secret is gone or holds another certificate now.
    fn material(&self, secret: &str, fingerprint: &str) -> Option<ImportMaterial>;
}

/// A shared [`CertificateSource`] for [`crate::DeploySettings`].
#[derive(Clone)]
pub struct Certificates(pub Arc<dyn CertificateSource>);

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Certificates")
    }
}
