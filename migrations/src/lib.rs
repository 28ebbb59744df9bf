//! Database migrations for Portcullis. One file per change, each with `up` and `down`;
//! they run at start-up and with `portcullis migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_core_tables;
mod m20261122_000002_create_oidc_tables;
mod m20261122_000003_add_key_activation;
mod m20261122_000004_create_session_clients;
mod m20261122_000005_add_registration_token;
mod m20261122_000006_create_second_factors;
mod m20261122_000007_create_external_accounts;
mod m20261122_000008_audit_user_agent;
mod m20261122_000009_create_tickets;
mod m20261122_000010_create_web3_wallets;
mod m20261122_000011_create_passkeys;
mod m20261122_000012_administration;
mod m20261203_000013_enterprise_connections;
mod m20261203_000014_runtime_settings;
mod m20261204_000015_organizations;
mod m20261204_000016_organization_domains;
mod m20261204_000017_images;
mod m20261205_000018_backend_api;
mod m20261206_000019_user_locale;
mod m20261207_000020_dpop_refresh;
mod m20261208_000021_client_generation;
mod m20261208_000022_search_indexes;
mod m20261209_000023_search_index_no_pending;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_core_tables::Migration),
            Box::new(m20261122_000002_create_oidc_tables::Migration),
            Box::new(m20261122_000003_add_key_activation::Migration),
            Box::new(m20261122_000004_create_session_clients::Migration),
            Box::new(m20261122_000005_add_registration_token::Migration),
            Box::new(m20261122_000006_create_second_factors::Migration),
            Box::new(m20261122_000007_create_external_accounts::Migration),
            Box::new(m20261122_000008_audit_user_agent::Migration),
            Box::new(m20261122_000009_create_tickets::Migration),
            Box::new(m20261122_000010_create_web3_wallets::Migration),
            Box::new(m20261122_000011_create_passkeys::Migration),
            Box::new(m20261122_000012_administration::Migration),
            Box::new(m20261203_000013_enterprise_connections::Migration),
            Box::new(m20261203_000014_runtime_settings::Migration),
            Box::new(m20261204_000015_organizations::Migration),
            Box::new(m20261204_000016_organization_domains::Migration),
            Box::new(m20261204_000017_images::Migration),
            Box::new(m20261205_000018_backend_api::Migration),
            Box::new(m20261206_000019_user_locale::Migration),
            Box::new(m20261207_000020_dpop_refresh::Migration),
            Box::new(m20261208_000021_client_generation::Migration),
            Box::new(m20261208_000022_search_indexes::Migration),
            Box::new(m20261209_000023_search_index_no_pending::Migration),
        ]
    }
}
