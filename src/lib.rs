//! Portcullis: a self-hosted identity gateway. Hosted sign-in pages and a JSON Frontend API
//! over one sign-up / sign-in engine, and OpenID Connect tokens for relying parties.
//!
//! This crate is the binary's: the command line, start-up (where the layers are wired
//! together and subscribe to each other's events) and logging. The layers are crates of their
//! own, lowest first, each seeing only those below it; they are re-exported here under their
//! short names (`portcullis::flows`, `portcullis::web`, …).

pub mod cli;
pub mod startup;
pub mod telemetry;

pub use portcullis_config as config;
pub use portcullis_delivery as delivery;
pub use portcullis_domain as domain;
pub use portcullis_domain::{clock, crypto, metrics};
pub use portcullis_federation as federation;
pub use portcullis_flows as flows;
pub use portcullis_oidc as oidc;
pub use portcullis_store as store;
pub use portcullis_web as web;
