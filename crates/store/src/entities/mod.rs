//! sea-orm entities, one per table of `migrations/`.

pub mod admin_key;
pub mod audit_event;
pub mod backup_code;
pub mod browser_client;
pub mod consent;
pub mod email_address;
pub mod enterprise_connection;
pub mod external_account;
pub mod instance_admin;
pub mod instance_secret;
pub mod instance_settings;
pub mod oauth_client;
pub mod passkey;
pub mod phone_number;
pub mod refresh_token;
pub mod session;
pub mod session_client;
pub mod sign_up_rule;
pub mod signing_key;
pub mod ticket;
pub mod totp_factor;
pub mod user;
pub mod waitlist_entry;
pub mod web3_wallet;
pub mod webhook_delivery;
