//! The OpenID Provider: discovery, keys, clients, the authorization and token endpoints,
//! userinfo, revocation, introspection, the device grant and RP-initiated logout. No HTTP types here: the
//! handlers in `web::oidc` call these and render the results.

// The layers below, by their short names.
use portcullis_config as config;
use portcullis_domain as domain;
use portcullis_domain::crypto;
use portcullis_flows as flows;
use portcullis_store as store;

pub mod assertion;
pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod client_keys;
pub mod clients;
pub mod device;
pub mod discovery;
pub mod dpop;
pub mod error;
pub use portcullis_core::keys;
pub mod logout;
pub mod outbound;
pub mod registration;
pub mod token;
