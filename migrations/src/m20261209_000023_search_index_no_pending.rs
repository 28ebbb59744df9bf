//! The trigram indexes of migration 22 take new rows straight into their trees instead of a
//! pending list (`fastupdate = off`). With the list on, a new user's entries wait in an
//! unsorted list of up to `gin_pending_list_limit` (4 MB by default) until a vacuum merges
//! them, and every search reads that whole list: measured at a million users, the five
//! indexes' lists added about 25 ms to each search. Users arrive one sign-up at a time, so
//! the batching the list buys is small, and a search's cost should not depend on how long ago
//! autovacuum ran. Whatever sits in a list now is merged here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261208_000022_search_indexes::INDEXES;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn set_fastupdate(manager: &SchemaManager<'_>, on: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let value = if on { "on" } else { "off" };
    for (name, _, _) in INDEXES {
        // The indexes exist only where pg_trgm could be installed (migration 22).
        db.execute_unprepared(&format!(
            "DO $$ BEGIN
                IF to_regclass('{name}') IS NOT NULL THEN
                    ALTER INDEX {name} SET (fastupdate = {value});
                    PERFORM gin_clean_pending_list(to_regclass('{name}'));
                END IF;
            END $$"
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_fastupdate(manager, false).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_fastupdate(manager, true).await
    }
}
