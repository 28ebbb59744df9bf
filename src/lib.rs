//! Portcullis: a self-hosted identity gateway. Hosted sign-in pages and a JSON Frontend API
//! over one sign-up / sign-in engine, and OpenID Connect tokens for relying parties.

pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod domain;
pub mod federation;
pub mod flows;
pub mod metrics;
pub mod oidc;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
