//! A public document rendered once (discovery, the JWKS, the environment): its bytes and a
//! strong ETag, so serving it copies nothing and a revalidation can answer 304 with no body.
//! How it is served over HTTP is the web layer's (`portcullis_web::Respond`).

use bytes::Bytes;
use sha2::Digest;

#[derive(Debug, Clone)]
pub struct Published {
    body: Bytes,
    /// The quoted ETag, ready for a header.
    etag: Bytes,
}

impl Published {
    pub fn new(body: String) -> Self {
        let digest = sha2::Sha256::digest(body.as_bytes());
        let tag = portcullis_domain::crypto::b64url(&digest[..12]);
        Self {
            body: Bytes::from(body),
            etag: Bytes::from(format!("\"{tag}\"")),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or_default()
    }

    pub fn body(&self) -> &Bytes {
        &self.body
    }

    pub fn etag(&self) -> &Bytes {
        &self.etag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_etag_follows_the_body() {
        let a = Published::new("{\"a\":1}".into());
        let b = Published::new("{\"a\":2}".into());
        assert_ne!(a.etag(), b.etag());
        assert_eq!(a.etag(), Published::new("{\"a\":1}".into()).etag());
        assert!(a.etag().starts_with(b"\"") && a.etag().ends_with(b"\""));
        assert_eq!(a.as_str(), "{\"a\":1}");
    }
}
