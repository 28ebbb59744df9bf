//! The OpenID Connect side. For now: the signing keys that session tokens use, published as
//! a JWKS that relying parties and app backends verify against.

pub mod keys;
