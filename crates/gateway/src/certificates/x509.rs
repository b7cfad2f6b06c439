//! Just enough DER to read an X.509 certificate's validity and public key: the rest of the
//! certificate is AWS's business (ACM checks it again at import).

use super::error::DerError;

/// What gantry needs of one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// The algorithm OID of the subject public key, DER content bytes.
    pub key_algorithm: Vec<u8>,
    /// The named curve OID for EC keys (DER content bytes).
    pub key_curve: Option<Vec<u8>>,
    /// The contents of subjectPublicKey's BIT STRING (unused-bits octet removed).
    pub public_key: Vec<u8>,
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const VERSION_TAG: u8 = 0xa0;

pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];

/// A DER reader over a byte slice.
/// Elements are read front to back with [`Der::element`].
pub struct Der<'a>(pub &'a [u8]);

impl<'a> Der<'a> {
    /// The next element: (tag, contents).
    pub fn element(&mut self) -> Result<(u8, &'a [u8]), DerError> {
        let b = self.0;
        if b.len() < 2 {
            return Err(DerError::Truncated);
        }
        let tag = b[0];
        let (len, header) = match b[1] {
            l if l < 0x80 => (l as usize, 2),
            0x81..=0x84 => {
                let n = (b[1] & 0x7f) as usize;
                if b.len() < 2 + n {
                    return Err(DerError::TruncatedLength);
                }
                let len = b[2..2 + n]
                    .iter()
                    .fold(0usize, |acc, x| (acc << 8) | *x as usize);
                (len, 2 + n)
            }
            _ => return Err(DerError::UnsupportedLength),
        };
        let end = header
            .checked_add(len)
            .filter(|e| *e <= b.len())
            .ok_or(DerError::TooLong)?;
        self.0 = &b[end..];
        Ok((tag, &b[header..end]))
    }

    /// The next element, which must carry `tag`.
    pub fn expect(&mut self, tag: u8, what: &str) -> Result<&'a [u8], DerError> {
        match self.element()? {
            (t, c) if t == tag => Ok(c),
            (t, _) => Err(DerError::UnexpectedTag {
                what: what.to_string(),
                tag: t,
            }),
        }
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.0.first().copied()
    }
}

/// Parses a DER certificate.
pub fn parse(der: &[u8]) -> Result<CertificateInfo, DerError> {
    let cert = Der(der).expect(SEQUENCE, "Certificate")?;
    let mut tbs = Der(Der(cert).expect(SEQUENCE, "TBSCertificate")?);
    if tbs.peek_tag() == Some(VERSION_TAG) {
        tbs.element()?;
    }
    tbs.expect(INTEGER, "serialNumber")?;
    tbs.expect(SEQUENCE, "signature algorithm")?;
    tbs.expect(SEQUENCE, "issuer")?;
    let mut validity = Der(tbs.expect(SEQUENCE, "validity")?);
    let not_before = time(validity.element()?)?;
    let not_after = time(validity.element()?)?;
    tbs.expect(SEQUENCE, "subject")?;
    let mut spki = Der(tbs.expect(SEQUENCE, "subjectPublicKeyInfo")?);
    let mut algorithm = Der(spki.expect(SEQUENCE, "public key algorithm")?);
    let key_algorithm = algorithm.expect(OID, "public key algorithm OID")?.to_vec();
    let key_curve = match algorithm.element() {
        Ok((OID, c)) => Some(c.to_vec()),
        _ => None,
    };
    let bits = spki.expect(BIT_STRING, "subjectPublicKey")?;
    let public_key = bits.get(1..).ok_or(DerError::EmptyPublicKey)?.to_vec();
    Ok(CertificateInfo {
        not_before,
        not_after,
        key_algorithm,
        key_curve,
        public_key,
    })
}

/// UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`), as
/// seconds since the Unix epoch.
fn time((tag, content): (u8, &[u8])) -> Result<i64, DerError> {
    let s = std::str::from_utf8(content).map_err(|_| DerError::TimeNotAscii)?;
    let digits = s.strip_suffix('Z').ok_or(DerError::TimeNotUtc)?;
    let (year, rest) = match (tag, digits.len()) {
        (UTC_TIME, 12) => {
            let yy: i64 = num(&digits[..2])?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &digits[2..])
        }
        (GENERALIZED_TIME, 14) => (num(&digits[..4])?, &digits[4..]),
        _ => return Err(DerError::UnsupportedTime(s.to_string())),
    };
    let [month, day, hour, minute, second] =
        [0, 2, 4, 6, 8].map(|i| num(&rest[i..i + 2]).unwrap_or(-1));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour < 0 || minute < 0 {
        return Err(DerError::InvalidTime(s.to_string()));
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second.max(0))
}

fn num(s: &str) -> Result<i64, DerError> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DerError::InvalidDigits(s.to_string()));
    }
    s.parse()
        .map_err(|_| DerError::InvalidDigits(s.to_string()))
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the Unix epoch, for messages.
pub fn format_time(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_convert_both_ways() {
        assert_eq!(time((UTC_TIME, b"700101000000Z")), Ok(0));
        assert_eq!(time((UTC_TIME, b"000101000000Z")), Ok(946_684_800));
        assert_eq!(
            time((GENERALIZED_TIME, b"21000101000000Z")),
            Ok(4_102_444_800)
        );
        assert_eq!(format_time(4_102_444_800), "2100-01-01T00:00:00Z");
        assert_eq!(format_time(951_782_400 + 3661), "2000-02-29T01:01:01Z");
        assert!(time((UTC_TIME, b"701301000000Z")).is_err());
        assert!(time((UTC_TIME, b"7001010000+0100")).is_err());
    }

    #[test]
    fn truncated_der_is_an_error_not_a_panic() {
        assert!(parse(&[]).is_err());
        assert!(parse(&[0x30, 0x82, 0xff]).is_err());
        assert!(parse(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x01]).is_err());
    }
}
