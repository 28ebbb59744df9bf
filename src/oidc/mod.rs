//! The OpenID Provider: discovery, keys, clients, the authorization and token endpoints,
//! userinfo, revocation, introspection and RP-initiated logout. No HTTP types here: the
//! handlers in `web::oidc` call these and render the results.

pub mod assertion;
pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod clients;
pub mod discovery;
pub mod error;
pub mod keys;
pub mod logout;
pub mod registration;
pub mod token;
