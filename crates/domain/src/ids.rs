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

/// A typed resource id. The wire form is the plain string; the type says which resource it
/// names, so a user id cannot be passed where a session id is meant.
macro_rules! resource_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The readable prefix of new ids of this kind.
            pub const PREFIX: &'static str = $prefix;

            /// A fresh random id.
            pub fn generate() -> Self {
                Self(new_id($prefix))
            }

            /// An id read back from Portcullis's own store, or given by a client and about to
            /// be looked up there (where an unknown one simply finds nothing).
            pub fn from_stored(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

resource_id!(
    /// A user (`user_…`).
    UserId,
    "user"
);
resource_id!(
    /// A session (`sess_…`).
    SessionId,
    "sess"
);

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

    #[test]
    fn typed_ids_keep_their_wire_form() {
        let u = UserId::generate();
        assert!(u.as_str().starts_with("user_"));
        assert_eq!(u.as_str().len(), "user_".len() + 27);
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, format!("\"{u}\""));
        let back: UserId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, u);
        assert!(SessionId::generate().as_str().starts_with("sess_"));
        assert!(SessionId::from_stored("sess_x") == *"sess_x");
    }
}
