#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly by design"
)]
//! Black-box tests: each starts Portcullis on port 0 and talks HTTP to it, on SQLite with the
//! in-process store and on PostgreSQL with Redis.

mod helpers;

mod account;
mod admin;
mod audit;
mod binary;
mod browser;
mod clerk_backend;
mod clerk_sdk;
mod dashboard;
mod device;
mod email_link;
mod enumeration;
mod ephemeral;
mod errors;
mod fapi2;
mod faults;
mod federation;
mod health;
mod i18n;
mod jar;
mod limits;
mod mfa;
mod oidc;
mod organizations;
mod pages;
mod passkeys;
mod saml;
mod saml_idp;
mod security;
mod sessions;
mod settings;
mod sign_in;
mod sign_up;
mod tickets;
mod token_exchange;
mod upstream;
mod web3;
mod webhooks;
