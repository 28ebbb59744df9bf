//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second
//! steps, six digits — what every authenticator app implements.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Steps either side of now that still count (RFC 6238 §5.2 allows for clock drift and
/// the time it takes to type).
pub const SKEW: i64 = 1;

/// A new 160-bit secret (RFC 4226 §4 asks for at least 128, recommends 160).
pub fn new_secret() -> Vec<u8> {
    crate::crypto::random_bytes::<20>().to_vec()
}

/// The secret as authenticator apps take it: base32 without padding.
pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

pub fn decode_secret(encoded: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD
        .decode(encoded.trim_end_matches('=').as_bytes())
        .ok()
}

/// The `otpauth://` URI a QR code carries (the Key Uri Format authenticator apps read).
pub fn uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    // Spaces in the label are %20, not '+': some apps show a literal plus otherwise.
    let label = format!("{}:{}", enc(issuer), enc(account)).replace('+', "%20");
    format!(
        "otpauth://totp/{label}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer).replace('+', "%20")
    )
}

/// The time step containing `unix_ms`.
pub fn step_at(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(1000).div_euclid(STEP_SECS)
}

/// HOTP (RFC 4226 §5.3): dynamic truncation of HMAC-SHA-1 over the big-endian counter.
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        // HMAC takes keys of any length; this arm cannot run.
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary = (u32::from(digest[offset]) & 0x7f) << 24
        | u32::from(digest[offset + 1]) << 16
        | u32::from(digest[offset + 2]) << 8
        | u32::from(digest[offset + 3]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// The step whose code `code` is, within the allowed skew of `unix_ms`, checked in constant
/// time per candidate; steps not after `after` (already used) never match.
pub fn matching_step(secret: &[u8], code: &str, unix_ms: i64, after: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_ms);
    let mut found = None;
    for step in (now - SKEW)..=(now + SKEW) {
        let candidate = code_at_step(secret, step);
        let fresh = after.is_none_or(|a| step > a);
        if bool::from(candidate.as_bytes().ct_eq(code.as_bytes())) && fresh && found.is_none() {
            found = Some(step);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B, SHA-1 rows (8 digits there; the last six digits here).
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_test_vectors() {
        for (t, expected8) in [
            (59i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let code = code_at_step(RFC_SECRET, step_at(t * 1000));
            assert_eq!(code, expected8[2..], "t={t}");
        }
    }

    #[test]
    fn skew_and_replay() {
        let now = 1_234_567_890_000;
        let step = step_at(now);
        let code = code_at_step(RFC_SECRET, step);
        assert_eq!(matching_step(RFC_SECRET, &code, now, None), Some(step));
        // Still accepted one step later, not two.
        assert_eq!(
            matching_step(RFC_SECRET, &code, now + 30_000, None),
            Some(step)
        );
        assert_eq!(matching_step(RFC_SECRET, &code, now + 60_000, None), None);
        // Used once, refused again.
        assert_eq!(matching_step(RFC_SECRET, &code, now, Some(step)), None);
        assert_eq!(matching_step(RFC_SECRET, "12345", now, None), None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", now, None), None);
    }

    #[test]
    fn secrets_round_trip_and_uri() {
        let s = new_secret();
        let enc = encode_secret(&s);
        assert_eq!(enc.len(), 32);
        assert_eq!(decode_secret(&enc), Some(s));
        let u = uri("Acme Co", "ada@example.com", &enc);
        assert!(u.starts_with("otpauth://totp/Acme%20Co:ada%40example.com?secret="));
        assert!(u.ends_with("&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30"));
    }
}
