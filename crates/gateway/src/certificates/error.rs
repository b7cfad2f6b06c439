//! Why a Secret's certificate cannot serve a listener, and why DER does not parse. Each
//! message is what a listener's status and the problem list say.

use super::TLS_SECRET_TYPE;
use thiserror::Error;

/// Why the certificate and key of a Secret cannot serve.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CertificateError {
    #[error("type is {0}, not {TLS_SECRET_TYPE}")]
    NotTls(String),
    /// A data key is missing or empty.
    #[error("has no {0}")]
    Missing(&'static str),
    #[error("{0} is not PEM text")]
    NotText(&'static str),
    #[error("{key} is not valid PEM ({why})")]
    InvalidPem { key: &'static str, why: String },
    #[error("tls.crt holds no PEM CERTIFICATE")]
    NoCertificate,
    #[error("tls.crt is not an X.509 certificate ({0})")]
    NotX509(DerError),
    #[error("tls.key holds no PEM PRIVATE KEY")]
    NoPrivateKey,
    #[error("tls.key is encrypted; ACM imports unencrypted keys only")]
    EncryptedKey,
    /// The key's PEM tag is not one of the certificate's key algorithm.
    #[error("the certificate has an {algorithm} key but tls.key holds a PEM {tag}")]
    KeyKind {
        algorithm: &'static str,
        tag: String,
    },
    #[error("tls.key is not a usable {algorithm} private key for this certificate ({why})")]
    UnusableKey {
        algorithm: &'static str,
        why: String,
    },
    #[error("the certificate's EC curve is not supported (P-256 and P-384 are)")]
    UnsupportedCurve,
    #[error("the certificate's key algorithm is not supported (RSA and ECDSA P-256/P-384 are)")]
    UnsupportedAlgorithm,
    #[error("tls.key does not match the certificate's public key")]
    KeyMismatch,
    /// The time, formatted.
    #[error("the certificate expired at {0}")]
    Expired(String),
    #[error("the certificate is not valid before {0}")]
    NotYetValid(String),
}

/// Why DER does not parse as the X.509 certificate gantry reads.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DerError {
    #[error("truncated DER")]
    Truncated,
    #[error("truncated DER length")]
    TruncatedLength,
    #[error("unsupported DER length")]
    UnsupportedLength,
    #[error("DER element longer than its container")]
    TooLong,
    #[error("expected {what}, found DER tag {tag:#04x}")]
    UnexpectedTag { what: String, tag: u8 },
    #[error("empty subjectPublicKey")]
    EmptyPublicKey,
    #[error("time is not ASCII")]
    TimeNotAscii,
    #[error("time is not in UTC")]
    TimeNotUtc,
    #[error("unsupported time {0}")]
    UnsupportedTime(String),
    #[error("invalid time {0}")]
    InvalidTime(String),
    #[error("invalid digits {0}")]
    InvalidDigits(String),
}
