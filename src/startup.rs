//! Building the application: storage, keys, senders, and the HTTP server on its listener.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use base64::Engine;
use migration::MigratorTrait;
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::crypto::{self, KeyedHasher, PasswordHasher};
use crate::delivery::Delivery;
use crate::flows::Ctx;
use crate::store::{self, ephemeral::Ephemeral};
use portcullis_core::keys::{KeyEncryption, KeyStore};

pub struct Application {
    port: u16,
    server: Server,
    ctx: web::Data<Ctx>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As `build`, with a chosen time source (tests move time forward with it).
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let ctx = build_ctx(settings, clock).await?;
        // Settings changed at run time and enterprise connections added through the admin
        // API, before the first request.
        crate::flows::instance_settings::load(&ctx).await?;
        crate::flows::connections::sync(&ctx).await?;
        let listener = TcpListener::bind(&ctx.settings().server.bind)
            .with_context(|| format!("binding {}", ctx.settings().server.bind))?;
        let port = listener.local_addr()?.port();
        let ctx = web::Data::new(ctx);
        let server = run(listener, ctx.clone())?;
        // Pick up keys rotated by another process, and activation times as they pass.
        let reloading = ctx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = reloading.keys.reload(&reloading.db, reloading.now()).await {
                    tracing::warn!(error = %format!("{e:#}"), "reloading signing keys failed");
                }
            }
        });
        // Enterprise connections another instance added, changed or removed.
        let syncing = ctx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(crate::flows::connections::SYNC_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = crate::flows::connections::sync(&syncing).await {
                    tracing::warn!(error = %format!("{e:#}"), "reading enterprise connections failed");
                }
            }
        });
        // Stored clients changed by another instance or from a shell: compared four times a
        // second (one primary-key read), so a rotated secret stops working everywhere within
        // a second even when the announcement below is lost, and on SQLite too.
        crate::flows::admin_clients::sync(&ctx).await?;
        let comparing = ctx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(crate::flows::admin_clients::CHECK_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = crate::flows::admin_clients::sync(&comparing).await {
                    tracing::warn!(error = %format!("{e:#}"), "checking the stored clients failed");
                }
            }
        });
        // Changes other instances announce (settings, connections, clients), at once…
        let listening = ctx.clone();
        tokio::spawn(async move { listen_for_changes(&listening).await });
        // …and the settings version, compared each second in case an announcement is lost.
        // Without Redis this is the only instance (it applies its own changes at once), so
        // there is nothing to check for.
        let checking = ctx.clone();
        let shared = ctx.eph.is_shared();
        tokio::spawn(async move {
            if !shared {
                return;
            }
            let mut tick = tokio::time::interval(crate::flows::instance_settings::CHECK_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = crate::flows::instance_settings::sync(&checking).await {
                    tracing::warn!(error = %format!("{e:#}"), "checking the instance settings failed");
                }
            }
        });
        // Audit events past their retention go, once an hour.
        let pruning = ctx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                match crate::flows::audit::prune(&pruning).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(deleted = n, "old audit events pruned"),
                    Err(e) => tracing::warn!(error = %e, "pruning audit events failed"),
                }
            }
        });
        crate::flows::webhooks::start_worker(ctx.clone().into_inner());
        tracing::info!(port, issuer = %ctx.settings().issuer(), "Portcullis is listening");
        Ok(Self { port, server, ctx })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state, for tests that inspect storage directly.
    pub fn ctx(&self) -> web::Data<Ctx> {
        self.ctx.clone()
    }

    /// Serves until SIGINT / SIGTERM, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Follows the changes channel (Redis pub/sub) for as long as the process runs, subscribing
/// again after a dropped connection. Without Redis there is no other instance to hear from.
async fn listen_for_changes(ctx: &Ctx) {
    use crate::flows::{admin_clients, connections, instance_settings};
    use futures_util::StreamExt as _;
    loop {
        match ctx.eph.subscribe(instance_settings::CHANNEL).await {
            Ok(None) => return,
            Ok(Some(mut messages)) => {
                while let Some(message) = messages.next().await {
                    let outcome = if message.starts_with("settings") {
                        instance_settings::sync(ctx).await.map(drop)
                    } else if message == "connections" {
                        connections::sync(ctx).await
                    } else if message == admin_clients::CHANGED {
                        admin_clients::sync(ctx).await
                    } else {
                        Ok(())
                    };
                    if let Err(e) = outcome {
                        tracing::warn!(error = %format!("{e:#}"), %message, "applying an announced change failed");
                    }
                }
                tracing::warn!("the changes subscription ended; subscribing again");
            }
            Err(e) => tracing::warn!(error = %e, "subscribing to the changes channel failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Opens the database (running migrations), the ephemeral store, and loads the keys.
pub async fn build_ctx(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Ctx> {
    if settings.metrics.statement_texts {
        crate::metrics::global().count_statement_texts(true);
    }
    let db = store::connect(&settings.database).await?;
    migration::Migrator::up(&db, None)
        .await
        .context("running database migrations")?;

    let eph = if settings.redis.url.is_empty() {
        tracing::warn!(
            "no [redis] url: sign-in state is kept in this process, so only a single instance \
             of Portcullis may serve this deployment"
        );
        Ephemeral::memory()
    } else {
        Ephemeral::redis(&settings.redis.url, &settings.redis.key_prefix)
            .await
            .with_context(|| {
                format!(
                    "connecting to Redis at {}",
                    store::redact_url(&settings.redis.url)
                )
            })?
    };

    let now = clock.now_ms();
    let tokens = token_hasher(&settings, &db, now).await?;

    let passwords = PasswordHasher::new(
        settings.auth.password_pepper.clone(),
        settings.auth.password_hash_concurrency,
    )?;
    let kek = settings
        .server
        .key_encryption_key
        .as_ref()
        .map(KeyEncryption::new)
        .transpose()?;
    let o = &settings.oidc;
    // A retired key stays published as long as the longest-lived token it may have signed.
    let grace_ms = o
        .id_token_lifetime_secs
        .max(o.access_token_lifetime_secs)
        .max(60)
        * 1000;
    let mut needed: Vec<&str> = vec!["ES256", portcullis_core::keys::SESSION_TOKEN_ALG];
    needed.extend(
        settings
            .clients
            .iter()
            .map(|c| c.id_token_signed_response_alg.as_str()),
    );
    let keys = KeyStore::load(&db, now, kek.clone(), grace_ms, &needed).await?;
    let delivery = Delivery::new(
        &settings.delivery,
        &settings.branding.app_name,
        settings.testing.enabled,
    )?;
    if settings.testing.enabled {
        tracing::warn!(
            "TEST MODE IS ON ([testing] enabled): +portcullis_test addresses and 555-01XX \
             numbers sign in with the code 424242, and /v1/testing/outbox shows what is sent to \
             them. Never run a production deployment in test mode."
        );
    }
    if delivery.logs_messages() && !settings.testing.enabled {
        tracing::warn!(
            "[delivery] email or sms is \"log\": codes are written to the log, which is for \
             development only"
        );
    }
    let clients = portcullis_core::clients::Registry::new(&settings.clients, &tokens);
    let discovery =
        portcullis_core::published::Published::new(crate::oidc::discovery::document(&settings));
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let federation = crate::federation::Federation::new(&settings)?;
    // SAML connections' IdP metadata, fetched now so the first sign-in does not wait; one
    // that cannot be fetched is tried again when it is first needed.
    for (id, e) in federation.load_saml_metadata().await {
        tracing::warn!(connection = %id, error = %e, "SAML IdP metadata could not be fetched");
    }
    let audit = crate::flows::audit::Sink::start(db.clone(), clock.clone());
    let webauthn = crate::flows::passkeys::relying_party(&settings);
    let events = portcullis_core::events::Bus::default();
    // What each layer above the flows does when they announce something, in this order:
    // webhooks are queued (durably) before relying parties are told.
    events.subscribe(Arc::new(crate::flows::webhooks::SessionEndedHooks));
    events.subscribe(Arc::new(crate::oidc::backchannel::BackchannelLogout));
    // Checked at load (`Settings::check`), so nothing is dropped here.
    let trusted_proxies = settings
        .server
        .trusted_proxies
        .iter()
        .filter_map(|p| crate::domain::Cidr::parse(p))
        .collect();
    Ok(Ctx {
        session_clients: crate::domain::memo::PairMemo::new(16_384),
        trusted_proxies,
        events,
        webhooks_due: std::sync::Arc::new(tokio::sync::Notify::new()),
        webauthn,
        audit,
        federation,
        http,
        clients,
        discovery,
        openapi: std::sync::OnceLock::new(),
        environment: std::sync::RwLock::new(None),
        live: portcullis_core::settings::LiveSettings::new(settings),
        db,
        eph,
        clock,
        tokens,
        passwords,
        keys,
        sealer: kek,
        delivery,
    })
}

/// The keyed hasher for tokens, codes and client secrets: from `[server] secret_key`, or the
/// key generated on first start and kept in the database (shared by every instance).
pub async fn token_hasher(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
    now: i64,
) -> anyhow::Result<KeyedHasher> {
    let material = match &settings.server.secret_key {
        Some(k) => k.expose_secret().to_owned(),
        None => {
            let candidate =
                base64::engine::general_purpose::STANDARD.encode(crypto::random_bytes::<32>());
            store::keys::get_or_create_secret(db, "token_hash_key", &candidate, now).await?
        }
    };
    Ok(KeyedHasher::new(material.as_bytes()))
}

fn run(listener: TcpListener, ctx: web::Data<Ctx>) -> anyhow::Result<Server> {
    let shutdown = ctx.settings().server.shutdown_timeout_secs;
    let server = HttpServer::new(move || {
        // Called once on each worker thread as it starts.
        ctx.eph.connect_this_thread();
        App::new()
            .wrap_fn(crate::web::security_headers)
            .wrap(TracingLogger::<crate::web::request_span::RedactedSpan>::new())
            .app_data(ctx.clone())
            .configure(crate::web::routes)
    })
    .shutdown_timeout(shutdown)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Reads the settings and checks them whole: `Settings::load` checks what the settings
/// themselves can tell; the rules of the layers above it (what a relying-party client or an
/// upstream provider must look like) are checked here, where those layers are in reach.
pub fn load_settings(path: &std::path::Path, required: bool) -> anyhow::Result<Settings> {
    let settings = Settings::load(path, required)?;
    check_settings(&settings)?;
    Ok(settings)
}

/// The layer-specific rules for settings already loaded.
pub fn check_settings(settings: &Settings) -> anyhow::Result<()> {
    for c in &settings.clients {
        portcullis_core::clients::check_settings(c)
            .map_err(|e| anyhow::anyhow!("[[clients]] {:?}: {e}", c.client_id))?;
    }
    for (key, p) in &settings.providers {
        crate::federation::check_settings(key, p)
            .map_err(|e| anyhow::anyhow!("[providers.{key}]: {e}"))?;
    }
    Ok(())
}
