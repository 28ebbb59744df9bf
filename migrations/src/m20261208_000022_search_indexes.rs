//! On PostgreSQL, trigram indexes (the `pg_trgm` extension, shipped with PostgreSQL) for the
//! operators' user search, which matches any part of an email address, phone number, username
//! or name: `LIKE '%q%'` can use them where a b-tree index cannot, so a search among a million
//! users reads only the users it finds.
//!
//! A database user that may not create the extension gets no indexes and a notice; search
//! then still works, reading every user, as it does on SQLite (whose deployments are small).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Index name, table, indexed expression.
pub(crate) const INDEXES: &[(&str, &str, &str)] = &[
    ("idx_users_username_trgm", "users", "lower(username)"),
    ("idx_users_first_name_trgm", "users", "lower(first_name)"),
    ("idx_users_last_name_trgm", "users", "lower(last_name)"),
    (
        "idx_email_addresses_address_trgm",
        "email_addresses",
        "email_address",
    ),
    (
        "idx_phone_numbers_number_trgm",
        "phone_numbers",
        "phone_number",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        // Installed once per database, in `public`, so that every schema (tests give each
        // run its own) names the same operator class. Two migrations racing to install it,
        // or a user without the right, end up here without it or with the other's.
        db.execute_unprepared(
            "DO $$ BEGIN
                CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
            EXCEPTION WHEN insufficient_privilege OR unique_violation OR duplicate_object
                OR undefined_file OR feature_not_supported THEN
                RAISE NOTICE 'pg_trgm is not available: user search reads every user';
            END $$",
        )
        .await?;
        for (name, table, expr) in INDEXES {
            db.execute_unprepared(&format!(
                "DO $$ DECLARE ns text;
                BEGIN
                    SELECT extnamespace::regnamespace::text INTO ns
                        FROM pg_extension WHERE extname = 'pg_trgm';
                    IF ns IS NOT NULL THEN
                        EXECUTE format(
                            'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expr}) %I.gin_trgm_ops)',
                            ns);
                    END IF;
                END $$"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
