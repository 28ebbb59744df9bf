//! Ethereum wallets: EIP-55 checksummed addresses, EIP-4361 ("Sign-In with Ethereum")
//! messages, and EIP-191 `personal_sign` signatures checked by recovering the signer.

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use sha3::{Digest, Keccak256};

use super::ParseError;

/// A wallet address, always in its EIP-55 checksummed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(String);

impl AsRef<str> for Address {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn keccak(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// EIP-55: a hex letter is upper case when the matching nibble of the Keccak-256 of the
/// lower-case address is 8 or more.
fn checksum(lower_hex: &str) -> String {
    let hash = keccak(lower_hex.as_bytes());
    let mut out = String::from("0x");
    for (i, c) in lower_hex.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        if c.is_ascii_alphabetic() && nibble >= 8 {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl Address {
    /// `0x` and 40 hex digits; mixed case must be the right checksum.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        let hex = raw
            .strip_prefix("0x")
            .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(ParseError::Format("must be 0x followed by 40 hex digits"))?;
        let lower = hex.to_ascii_lowercase();
        let sum = checksum(&lower);
        let mixed = hex.bytes().any(|b| b.is_ascii_lowercase())
            && hex.bytes().any(|b| b.is_ascii_uppercase());
        if mixed && sum[2..] != *hex {
            return Err(ParseError::Format("has a wrong EIP-55 checksum"));
        }
        Ok(Self(sum))
    }

    fn from_key(key: &VerifyingKey) -> Self {
        let point = key.to_encoded_point(false);
        let hash = keccak(&point.as_bytes()[1..]);
        let lower: String = hash[12..].iter().map(|b| format!("{b:02x}")).collect();
        Self(checksum(&lower))
    }
}

/// The EIP-4361 message a wallet is asked to sign.
pub fn siwe_message(
    domain: &str,
    address: &Address,
    uri: &str,
    nonce: &str,
    issued_at: &str,
) -> String {
    format!(
        "{domain} wants you to sign in with your Ethereum account:\n{}\n\nSign in to {domain}.\n\nURI: {uri}\nVersion: 1\nChain ID: 1\nNonce: {nonce}\nIssued At: {issued_at}",
        address.as_ref()
    )
}

/// The address that signed `message` with `personal_sign` (EIP-191), if the signature is a
/// well-formed 65-byte `r || s || v` in hex.
pub fn recover_personal_sign(message: &str, signature_hex: &str) -> Option<Address> {
    let hex = signature_hex
        .trim()
        .strip_prefix("0x")
        .unwrap_or(signature_hex.trim());
    // Decoded whole, never sliced: a slice at a byte offset panics inside a multi-byte
    // character, and the signature is whatever the caller sent.
    let bytes = data_encoding::HEXLOWER_PERMISSIVE
        .decode(hex.as_bytes())
        .ok()
        .filter(|b| b.len() == 65)?;
    let signature = Signature::from_slice(&bytes[..64]).ok()?;
    let v = match bytes[64] {
        27 | 28 => bytes[64] - 27,
        0 | 1 => bytes[64],
        _ => return None,
    };
    let recovery = RecoveryId::from_byte(v)?;
    let prefixed = format!("\x19Ethereum Signed Message:\n{}{message}", message.len());
    let digest = keccak(prefixed.as_bytes());
    let key = VerifyingKey::recover_from_prehash(&digest, &signature, recovery).ok()?;
    Some(Address::from_key(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_that_are_not_hex_are_refused_without_a_panic() {
        // Found by the siwe fuzz target: 130 bytes, with a two-byte character at offset 7.
        let sig = format!("aAaBAAb\u{dd}babBA{}", "f".repeat(116));
        assert_eq!(sig.len(), 130);
        assert!(recover_personal_sign("hello", &sig).is_none());
        assert!(recover_personal_sign("hello", &"zz".repeat(65)).is_none());
        assert!(recover_personal_sign("hello", &"ab".repeat(64)).is_none());
    }

    #[test]
    fn eip55_examples() {
        // From EIP-55's own test cases.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        ] {
            assert_eq!(Address::parse(&a.to_lowercase()).unwrap().as_ref(), a);
            assert_eq!(Address::parse(a).unwrap().as_ref(), a);
        }
        assert!(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").is_err());
        assert!(Address::parse("0x1234").is_err());
    }

    #[test]
    fn personal_sign_recovers_the_signer() {
        let key = k256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let address = Address::from_key(key.verifying_key());
        let message = siwe_message(
            "example.com",
            &address,
            "https://example.com",
            "abc123",
            "2026-11-22T00:00:00Z",
        );
        let prefixed = format!("\x19Ethereum Signed Message:\n{}{message}", message.len());
        let (sig, rec) = key
            .sign_prehash_recoverable(&keccak(prefixed.as_bytes()))
            .unwrap();
        let mut bytes = sig.to_bytes().to_vec();
        bytes.push(27 + rec.to_byte());
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            recover_personal_sign(&message, &format!("0x{hex}")),
            Some(address.clone())
        );
        assert_ne!(
            recover_personal_sign("another message", &hex),
            Some(address)
        );
        assert_eq!(recover_personal_sign(&message, "0x1234"), None);
    }
}
