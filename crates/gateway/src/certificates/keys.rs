//! Whether a private key belongs to a certificate: the public key derived from the private key
//! (ring checks the key's own consistency while loading it) must equal the certificate's.
//! RSA (PKCS#1 or PKCS#8) and ECDSA P-256 / P-384 (SEC1 or PKCS#8) keys, the kinds ACM imports
//! for load balancers; anything else is refused by name.

use super::error::CertificateError;
use super::x509::{CertificateInfo, EC_PUBLIC_KEY, P256, P384, RSA_ENCRYPTION};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, KeyPair,
    RsaKeyPair,
};

/// Checks that the PEM block `key` (tag and DER contents) is the private key of `cert`.
pub fn check(cert: &CertificateInfo, tag: &str, key: &[u8]) -> Result<(), CertificateError> {
    let public = if cert.key_algorithm == RSA_ENCRYPTION {
        let pair = match tag {
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(key),
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(key),
            other => {
                return Err(CertificateError::KeyKind {
                    algorithm: "RSA",
                    tag: other.to_string(),
                });
            }
        }
        .map_err(|e| CertificateError::UnusableKey {
            algorithm: "RSA",
            why: e.to_string(),
        })?;
        pair.public().as_ref().to_vec()
    } else if cert.key_algorithm == EC_PUBLIC_KEY {
        let (alg, curve) = match cert.key_curve.as_deref() {
            Some(c) if c == P256 => (&ECDSA_P256_SHA256_ASN1_SIGNING, P256),
            Some(c) if c == P384 => (&ECDSA_P384_SHA384_ASN1_SIGNING, P384),
            _ => {
                return Err(CertificateError::UnsupportedCurve);
            }
        };
        let pkcs8 = match tag {
            "EC PRIVATE KEY" => sec1_to_pkcs8(curve, key),
            "PRIVATE KEY" => key.to_vec(),
            other => {
                return Err(CertificateError::KeyKind {
                    algorithm: "EC",
                    tag: other.to_string(),
                });
            }
        };
        EcdsaKeyPair::from_pkcs8(alg, &pkcs8, &SystemRandom::new())
            .map_err(|e| CertificateError::UnusableKey {
                algorithm: "EC",
                why: e.to_string(),
            })?
            .public_key()
            .as_ref()
            .to_vec()
    } else {
        return Err(CertificateError::UnsupportedAlgorithm);
    };
    if public == cert.public_key {
        Ok(())
    } else {
        Err(CertificateError::KeyMismatch)
    }
}

/// PKCS#8 PrivateKeyInfo around a SEC1 ECPrivateKey of the named curve.
fn sec1_to_pkcs8(curve: &[u8], sec1: &[u8]) -> Vec<u8> {
    let algorithm = [tlv(0x06, EC_PUBLIC_KEY), tlv(0x06, curve)].concat();
    let body = [tlv(0x02, &[0]), tlv(0x30, &algorithm), tlv(0x04, sec1)].concat();
    tlv(0x30, &body)
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}
