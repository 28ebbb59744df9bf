//! Resource ids: a readable prefix and 27 random base62 characters (about 160 bits), the shape
//! apps already expect (`user_…`, `sess_…`, `sia_…`).

use rand::Rng;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub fn new_id(prefix: &str) -> String {
    let mut rng = rand::rngs::OsRng;
    let mut id = String::with_capacity(prefix.len() + 28);
    id.push_str(prefix);
    id.push('_');
    for _ in 0..27 {
        id.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    id
}

/// An id of the same shape, derived from a hex digest: the same digest, the same id. For
/// stand-ins that must look alike across requests without being stored.
pub fn derived_id(prefix: &str, hex_digest: &str) -> String {
    let bytes: Vec<u8> = hex_digest
        .as_bytes()
        .chunks(2)
        .filter_map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect();
    let mut id = String::with_capacity(prefix.len() + 28);
    id.push_str(prefix);
    id.push('_');
    for i in 0..27 {
        let b = bytes.get(i).copied().unwrap_or(0);
        id.push(ALPHABET[usize::from(b) % ALPHABET.len()] as char);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_differ() {
        let a = new_id("user");
        let b = new_id("user");
        assert!(a.starts_with("user_"));
        assert_eq!(a.len(), "user_".len() + 27);
        assert_ne!(a, b);
        assert!(a[5..].bytes().all(|c| c.is_ascii_alphanumeric()));
    }
}
