//! The sign-in and sign-up engine. Page handlers and Frontend API handlers both call these
//! functions; nothing here knows about HTTP.

pub mod account;
pub mod actor_tokens;
pub mod admin;
pub mod admin_clients;
mod attempt;
pub mod audit;
pub mod breach;
pub mod client;
pub mod connections;
pub mod email_link;
pub mod error;
pub mod images;
pub mod instance_settings;
pub mod jwt_templates;
pub mod limits;
pub mod lockout;
pub mod mfa;
pub mod oauth;
pub mod organizations;
pub mod params;
pub mod passkeys;
pub mod policy;
pub mod portability;
pub mod reverification;
pub mod session;
pub mod sign_in;
pub mod sign_up;
pub mod tickets;
pub mod verification;
pub mod web3;
pub mod webhooks;
pub mod wire;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

// The layers below, by their short names: `crate::store::users`, `crate::domain::…`.
use portcullis_config as config;
use portcullis_delivery as delivery;
use portcullis_domain as domain;
use portcullis_domain::{clock, crypto, metrics};
use portcullis_federation as federation;
use portcullis_i18n as i18n;
use portcullis_store as store;

use clock::Clock;
use config::Settings;
use crypto::{KeyedHasher, PasswordHasher};
use delivery::Delivery;
use domain::PasswordPolicy;
use portcullis_core::events::{Bus, Event, SessionEnded};
use portcullis_core::keys::KeyStore;
use portcullis_core::published::Published;
use store::ephemeral::Ephemeral;

pub use error::{ApiError, Context, ErrorCode, FlowError, FlowResult};
pub use params::Params;

/// What `/v1/environment` depends on that changes at run time: the federation generation
/// (enterprise connections) and the settings version.
pub type EnvironmentVersion = (u64, i64);

/// Everything a flow needs, built once at start-up and shared by every request.
pub struct Ctx {
    /// The instance settings in effect: read them with [`Ctx::settings`].
    pub live: portcullis_core::settings::LiveSettings,
    pub db: DatabaseConnection,
    pub eph: Ephemeral,
    pub clock: Arc<dyn Clock>,
    pub tokens: KeyedHasher,
    pub passwords: PasswordHasher,
    pub keys: KeyStore,
    /// Seals secrets kept at rest, when `[server] key_encryption_key` is set.
    pub sealer: Option<portcullis_core::keys::KeyEncryption>,
    pub delivery: Delivery,
    /// Relying parties declared in config.
    pub clients: portcullis_core::clients::Registry,
    /// The discovery document, rendered once.
    pub discovery: Published,
    /// `/openapi.json`, rendered at its first request (not at start-up).
    pub openapi: std::sync::OnceLock<Published>,
    /// `/v1/environment` as last rendered, with the federation generation and settings
    /// version it was rendered at: both change at run time.
    pub environment: std::sync::RwLock<Option<(EnvironmentVersion, Arc<Published>)>>,
    /// Woken when this instance queues a webhook, so it is sent at once.
    pub webhooks_due: std::sync::Arc<tokio::sync::Notify>,
    /// Outbound HTTP (back-channel logout): short timeouts, no redirects.
    pub http: reqwest::Client,
    /// Upstream sign-in providers.
    pub federation: crate::federation::Federation,
    /// Batches frequent audit events to the database.
    pub audit: audit::Sink,
    /// The WebAuthn relying party, when the issuer can be one.
    pub webauthn: Option<webauthn_rs::Webauthn>,
    /// `[server] trusted_proxies`, parsed once at start-up.
    pub trusted_proxies: Vec<domain::Cidr>,
    /// Where the flows announce what happened (sessions ended) to the layers above, which
    /// subscribe at start-up.
    pub events: Bus<Ctx>,
    /// The (session, client) pairs this instance has recorded in `session_clients`: a code
    /// redeemed again in the same session sends no write (see `domain::memo`).
    pub session_clients: domain::memo::PairMemo,
}

impl Ctx {
    /// The settings in effect now (config.toml with the changes made at run time). A step
    /// of a flow takes them once and reads from that.
    pub fn settings(&self) -> Arc<Settings> {
        self.live.get()
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy {
            min_length: self.settings().auth.password_min_length,
            max_length: self.settings().auth.password_max_length,
        }
    }

    pub fn test_mode(&self) -> bool {
        self.settings().testing.enabled
    }
}

/// Announces sessions that just ended (their rows already say so) to every subscriber:
/// webhooks, back-channel logout.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sessions_ended(ctx: &Ctx, ended: Vec<SessionEnded>) {
    ctx.events.publish(ctx, Event::SessionsEnded(ended)).await;
}

/// Store keys, in one place so no two flows collide.
pub(crate) mod keys {
    pub fn sign_in(id: &str) -> String {
        format!("sign_in:{id}")
    }
    pub fn sign_up(id: &str) -> String {
        format!("sign_up:{id}")
    }
    pub fn attempts(nonce: &str) -> String {
        format!("attempts:{nonce}")
    }
    pub fn cooldown(owner: &str, destination: &str) -> String {
        format!("cooldown:{owner}:{destination}")
    }
    pub fn completing(id: &str) -> String {
        format!("completing:{id}")
    }
    pub fn failed_passwords(user_id: &str) -> String {
        format!("failed_passwords:{user_id}")
    }
    pub fn failed_second_factors(user_id: &str) -> String {
        format!("failed_second_factors:{user_id}")
    }
    pub fn email_link(token_hash: &str) -> String {
        format!("email_link:{token_hash}")
    }
    pub fn oauth_state(state: &str) -> String {
        format!("oauth_state:{state}")
    }
    /// A SAML assertion already taken (by connection, and the SHA-256 of its ID).
    pub fn saml_assertion(connection: &str, assertion_id: &str) -> String {
        format!(
            "saml_assertion:{connection}:{}",
            crate::crypto::b64url(&crate::crypto::sha256(assertion_id.as_bytes()))
        )
    }
    pub fn identification_verification(id: &str) -> String {
        format!("identification_verification:{id}")
    }
    pub fn locked_until(user_id: &str) -> String {
        format!("locked_until:{user_id}")
    }
}

/// The one place that decides where a user may be sent after a flow: a path on Portcullis,
/// the issuer's origin, an origin in `[server] allowed_redirect_origins`, or exactly a
/// registered client redirect URI. Anything else is refused.
pub fn safe_redirect(ctx: &Ctx, raw: &str) -> Option<String> {
    safe_redirect_under(&ctx.settings(), raw)
}

/// `safe_redirect` under these settings.
pub fn safe_redirect_under(settings: &config::Settings, raw: &str) -> Option<String> {
    if raw.len() > 2048 {
        return None;
    }
    let issuer_url = url::Url::parse(settings.issuer()).ok()?;
    if raw.starts_with('/') {
        // A path on Portcullis. Browsers drop tabs and newlines and read `\` as `/` when
        // they resolve a Location (WHATWG URL §4.4), so "/\t/evil.example" would leave the
        // site: refuse control characters and backslashes, and check the resolved origin.
        let plain = !raw.chars().any(|c| c.is_control() || c == '\\');
        let same_origin = issuer_url
            .join(raw)
            .is_ok_and(|u| u.origin() == issuer_url.origin());
        return (plain && same_origin && !raw.starts_with("//")).then(|| raw.to_owned());
    }
    let u = url::Url::parse(raw).ok()?;
    if !matches!(u.scheme(), "https" | "http") || !u.username().is_empty() || u.password().is_some()
    {
        return None;
    }
    let origin = u.origin().ascii_serialization();
    let issuer = issuer_url.origin().ascii_serialization();
    let allowed = origin == issuer
        || settings
            .server
            .allowed_redirect_origins
            .iter()
            .any(|o| o.serves(&u))
        || settings
            .clients
            .iter()
            .any(|c| domain::redirect::uri_registered(&c.redirect_uris, raw, false));
    allowed.then(|| u.to_string())
}

/// Reads a JSON state object (sign-in, sign-up) from the ephemeral store.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn load_state<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    key: &str,
) -> FlowResult<Option<T>> {
    match ctx.eph.get(key).await? {
        Some(raw) => Ok(Some(serde_json::from_str(&raw).map_err(|e| {
            FlowError::Unexpected(anyhow::anyhow!("stored state {key} unreadable: {e}"))
        })?)),
        None => Ok(None),
    }
}

/// Writes a state object to live until `abandon_at` (unix ms).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn save_state<T: serde::Serialize>(
    ctx: &Ctx,
    key: &str,
    value: &T,
    abandon_at: i64,
) -> FlowResult<()> {
    let raw = serde_json::to_string(value).map_err(anyhow::Error::new)?;
    let ttl_ms = (abandon_at - ctx.now()).max(1000);
    ctx.eph
        .put(
            key,
            &raw,
            std::time::Duration::from_millis(ttl_ms.unsigned_abs()),
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_redirect_under;
    use crate::config::Settings;

    #[test]
    fn redirects_stay_on_the_issuer_or_an_allowed_origin() {
        let mut settings = Settings::default();
        settings.server.public_url = "https://id.example.com".into();
        settings.server.allowed_redirect_origins =
            vec!["https://app.example.com/".parse().unwrap()];
        let ok = |raw: &str| safe_redirect_under(&settings, raw);
        assert_eq!(ok("/user?tab=1").as_deref(), Some("/user?tab=1"));
        assert_eq!(
            ok("https://app.example.com/done").as_deref(),
            Some("https://app.example.com/done")
        );
        // Browsers drop tabs and newlines and read a backslash as a slash when they follow a
        // Location, so each of these would have left for evil.example.
        for raw in [
            "//evil.example/",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "https://user@app.example.com/",
            "javascript:alert(1)",
        ] {
            assert_eq!(ok(raw), None, "{raw:?}");
        }
    }
}
