//! Storage: durable records through sea-orm (SQLite or PostgreSQL) and the ephemeral store.
//! Repository functions take `&impl ConnectionTrait` so they work inside or outside a
//! transaction; handlers and flows never build queries themselves.

// The layers below, by their short names.
use portcullis_config as config;

pub mod admin;
pub mod clients;
pub mod connections;
pub mod entities;
pub mod ephemeral;
pub mod external;
pub mod factors;
pub mod images;
pub mod jwt_templates;
pub mod keys;
pub mod oauth;
pub mod organizations;
pub mod passkeys;
pub mod sessions;
pub mod settings;
pub mod tickets;
pub mod users;

use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, SqlErr};

use crate::config::DatabaseSettings;

/// Starts a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (IMMEDIATE): a deferred transaction that reads and then writes fails at once with
/// SQLITE_BUSY when another writer got in between, which the busy timeout cannot help.
/// PostgreSQL ignores the mode.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn begin(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    portcullis_domain::metrics::global().transaction();
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Starts a transaction that only reads, so that several statements see one picture of the
/// database and run on one pooled connection. PostgreSQL takes a REPEATABLE READ snapshot
/// (read-only transactions there never fail to serialize); every SQLite transaction reads
/// one snapshot already. Cheaper too: outside a transaction the pool lends a connection per
/// statement and tests it with a round trip when it comes back, so eight statements cost
/// sixteen round trips; inside one they cost eleven.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn begin_read(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionOptions, TransactionTrait};
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    portcullis_domain::metrics::global().transaction();
    db.begin_with_options(TransactionOptions {
        isolation_level: postgres.then_some(IsolationLevel::RepeatableRead),
        access_mode: postgres.then_some(AccessMode::ReadOnly),
        sqlite_transaction_mode: None,
    })
    .await
}

/// A read-only transaction for the operators' user search. On PostgreSQL its statements get
/// a plan made for their values each time (`plan_cache_mode = force_custom_plan`): the plan
/// PostgreSQL otherwise settles on for a prepared `LIKE $1` cannot know the pattern, so it
/// reads every user instead of using the trigram indexes (a million users: 36 ms with the
/// indexes, half a second without).
pub async fn begin_search(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend};
    let tx = begin_read(db).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    Ok(tx)
}

/// Opens the pool. SQLite gets WAL and a busy timeout so concurrent writers queue instead of
/// failing; PostgreSQL may be pointed at a schema (tests give each run its own).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(settings.url.clone());
    let sqlite = settings.is_sqlite();
    opts.max_connections(settings.pool_size())
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    // The pool pings a connection before every checkout unless told otherwise: one more
    // round trip per statement. A SQLite connection is a file handle on the connection's own
    // thread and cannot go stale, so it is never pinged (each ping was a hop to that thread
    // and back). A PostgreSQL connection is pinged only after it sat idle long enough for a
    // server, proxy or firewall to have dropped it.
    if sqlite {
        opts.test_before_acquire(false);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 1 MiB of page cache per connection (SQLite's default is 2): the OS caches
                // the file anyway, and the connections' caches add up.
                .pragma("cache_size", "-1024")
        });
    } else {
        opts.test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    if let Some(schema) = &settings.schema {
        opts.set_schema_search_path(schema.clone());
    }
    let mut db = Database::connect(opts).await.with_context(|| {
        format!(
            "connecting to the database at {}",
            redact_url(&settings.url)
        )
    })?;
    // Every statement is counted as it is sent (`/metrics`): how many statements a request
    // costs is read from here, on SQLite and PostgreSQL alike.
    db.set_metric_callback(|info| {
        portcullis_domain::metrics::global().statement(&info.statement.sql, info.elapsed);
    });
    Ok(db)
}

/// A URL with its password replaced, fit for a log line.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_owned(),
    }
}

/// True when `err` is a unique-constraint violation (a concurrent writer won the race).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
