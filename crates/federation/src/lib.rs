//! Upstream sign-in providers. Portcullis is the OAuth client here: it sends the browser to
//! the provider and turns what comes back into an [`Identity`]. OpenID Connect providers
//! (Google, enterprise SSO, any issuer) go through the `openidconnect` crate with discovery,
//! PKCE, `nonce` and ID token checks; plain OAuth 2.0 providers (Facebook, X, any other) read
//! the identity from a userinfo endpoint through a claim map. Enterprise connections speak
//! OpenID Connect or SAML 2.0 ([`saml`]). Nothing here knows about HTTP requests coming in,
//! sessions or users.

// The layers below, by their short names.
use portcullis_config as config;
use portcullis_domain as domain;
use portcullis_domain::crypto;

mod oauth2;
mod oidc;
pub mod saml;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::config::{
    ClaimMap, EnterpriseConnectionSettings, EnterpriseProtocol, ProviderKind, ProviderSettings,
    Settings, TokenAuth,
};

/// Who the provider says the user is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Identity {
    /// The provider's key (`google`, `enterprise_acme`).
    pub provider: String,
    /// The provider's stable id for the user (`sub`).
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub image_url: Option<String>,
    /// The provider says the user passed more than one factor there (a SAML authentication
    /// context the connection counts as MFA). Only enterprise connections are believed.
    #[serde(default)]
    pub mfa: bool,
}

/// What an app asked to pass on to an OpenID provider's sign-in page (OpenID Connect Core
/// 1.0 §3.1.2.1): the account to suggest and whether to ask again. Plain OAuth 2.0 providers
/// have no such parameters and get neither.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    pub login_hint: Option<String>,
    /// `none`, `login`, `consent` and `select_account`, space-separated.
    pub prompt: Vec<String>,
}

/// Why a provider round trip failed.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The provider did not answer, or answered with a server error: try again later.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider's answer cannot be trusted or used (bad signature, wrong nonce, refused
    /// code, missing subject).
    #[error("the provider's answer was refused: {0}")]
    Invalid(String),
    /// The provider answered, verifiably, that it did not sign the user in (a SAML status
    /// other than Success): the user cancelled, failed there, or is not allowed.
    #[error("the provider did not sign the user in: {0}")]
    Denied(String),
}

/// One configured provider, with its presets applied.
pub struct Provider {
    /// `google`, `facebook`, `twitter`, the `[providers.NAME]` key, or `enterprise_NAME`.
    pub key: String,
    /// `oauth_KEY`, or `enterprise_sso`.
    pub strategy: String,
    /// Shown on buttons.
    pub name: String,
    pub kind: ProviderKind,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub issuer: Option<String>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub scopes: Vec<String>,
    pub token_auth: TokenAuth,
    pub pkce: bool,
    pub claims: ClaimMap,
    pub trust_email: bool,
    /// Enterprise connections: the email domains they serve.
    pub domains: Vec<String>,
    /// Enterprise connections: the organization whose members sign in through it.
    pub organization_id: Option<String>,
    /// A SAML enterprise connection: the browser goes to its IdP with an `AuthnRequest` and
    /// comes back to its assertion consumer service. `kind` and the OAuth fields above are
    /// unused then.
    pub saml: Option<saml::Connection>,
    /// Which stored copy a run-time connection was built from (its `updated_at`); 0 for
    /// providers from the settings.
    pub version: i64,
    /// Discovered metadata (OIDC), refreshed when stale or when a key is unknown.
    oidc: oidc::Cache,
}

impl Provider {
    /// An enterprise connection's stable id (its key is `enterprise_ID`).
    pub fn connection_id(&self) -> Option<&str> {
        self.key
            .strip_prefix("enterprise_")
            .filter(|_| self.strategy == "enterprise_sso")
    }
}

/// The ID of the `AuthnRequest` of a round trip with `nonce`: an `xs:ID` (an NCName, so it
/// may not start with a digit or `-`), as SAML Core §1.3.4 asks.
pub fn saml_request_id(nonce: &str) -> String {
    format!("_{nonce}")
}

/// The presets of the well-known providers; a config value always wins.
fn preset(key: &str) -> ProviderSettings {
    let s = |v: &str| Some(v.to_owned());
    let claims = |pairs: &[(&str, &str)]| {
        let mut m = ClaimMap::default();
        for (k, v) in pairs {
            let v = s(v);
            match *k {
                "id" => m.id = v,
                "email" => m.email = v,
                "email_verified" => m.email_verified = v,
                "first_name" => m.first_name = v,
                "last_name" => m.last_name = v,
                "name" => m.name = v,
                "username" => m.username = v,
                _ => m.picture = v,
            }
        }
        m
    };
    match key {
        "google" => ProviderSettings {
            kind: Some(ProviderKind::Oidc),
            name: s("Google"),
            issuer: s("https://accounts.google.com"),
            scopes: Some(vec!["openid".into(), "email".into(), "profile".into()]),
            ..Default::default()
        },
        // Graph API. Its answer has no `email_verified`, and a Facebook account can carry an
        // address its holder never confirmed (or one since given up and taken by someone
        // else), so its emails are not trusted by default: a Facebook sign-in never takes over
        // an account by its address, and a new account verifies the address itself. An
        // operator who accepts the risk sets `trust_email = true`.
        "facebook" => ProviderSettings {
            kind: Some(ProviderKind::Oauth2),
            name: s("Facebook"),
            authorization_url: s("https://www.facebook.com/v19.0/dialog/oauth"),
            token_url: s("https://graph.facebook.com/v19.0/oauth/access_token"),
            userinfo_url: s(
                "https://graph.facebook.com/me?fields=id,name,email,first_name,last_name,picture",
            ),
            scopes: Some(vec!["email".into(), "public_profile".into()]),
            token_auth: Some(TokenAuth::Post),
            claims: claims(&[
                ("id", "id"),
                ("email", "email"),
                ("first_name", "first_name"),
                ("last_name", "last_name"),
                ("name", "name"),
                ("picture", "picture.data.url"),
            ]),
            ..Default::default()
        },
        // X: OAuth 2.0 with PKCE, a confidential client with Basic auth, no email.
        "twitter" => ProviderSettings {
            kind: Some(ProviderKind::Oauth2),
            name: s("X"),
            authorization_url: s("https://twitter.com/i/oauth2/authorize"),
            token_url: s("https://api.twitter.com/2/oauth2/token"),
            userinfo_url: s("https://api.twitter.com/2/users/me?user.fields=profile_image_url"),
            scopes: Some(vec!["users.read".into(), "tweet.read".into()]),
            token_auth: Some(TokenAuth::Basic),
            claims: claims(&[
                ("id", "data.id"),
                ("name", "data.name"),
                ("username", "data.username"),
                ("picture", "data.profile_image_url"),
            ]),
            ..Default::default()
        },
        _ => ProviderSettings::default(),
    }
}

fn merge_claims(base: ClaimMap, over: &ClaimMap) -> ClaimMap {
    ClaimMap {
        id: over.id.clone().or(base.id),
        email: over.email.clone().or(base.email),
        email_verified: over.email_verified.clone().or(base.email_verified),
        first_name: over.first_name.clone().or(base.first_name),
        last_name: over.last_name.clone().or(base.last_name),
        name: over.name.clone().or(base.name),
        username: over.username.clone().or(base.username),
        picture: over.picture.clone().or(base.picture),
    }
}

fn build(key: &str, p: &ProviderSettings) -> Result<Provider, String> {
    let base = preset(key);
    let kind = p
        .kind
        .or(base.kind)
        .ok_or("kind must be \"oidc\" or \"oauth2\" for a provider without a preset")?;
    let pick = |a: &Option<String>, b: Option<String>| a.clone().or(b);
    let provider = Provider {
        key: key.to_owned(),
        strategy: format!("oauth_{key}"),
        name: pick(&p.name, base.name).unwrap_or_else(|| key.to_owned()),
        kind,
        client_id: p.client_id.clone(),
        client_secret: p.client_secret.clone(),
        issuer: pick(&p.issuer, base.issuer),
        authorization_url: pick(&p.authorization_url, base.authorization_url),
        token_url: pick(&p.token_url, base.token_url),
        userinfo_url: pick(&p.userinfo_url, base.userinfo_url),
        scopes: p
            .scopes
            .clone()
            .or(base.scopes)
            .unwrap_or_else(|| match kind {
                ProviderKind::Oidc => vec!["openid".into(), "email".into(), "profile".into()],
                ProviderKind::Oauth2 => Vec::new(),
            }),
        token_auth: p.token_auth.or(base.token_auth).unwrap_or(TokenAuth::Basic),
        pkce: p.pkce.unwrap_or(true),
        claims: merge_claims(base.claims, &p.claims),
        trust_email: p.trust_email.or(base.trust_email).unwrap_or(false),
        domains: Vec::new(),
        organization_id: None,
        saml: None,
        version: 0,
        oidc: oidc::Cache::default(),
    };
    if provider.client_id.is_empty() {
        return Err("client_id is required".into());
    }
    let url_ok = |name: &str, v: &Option<String>| -> Result<(), String> {
        match v {
            Some(u) => url::Url::parse(u)
                .map(|_| ())
                .map_err(|e| format!("{name}: {e}")),
            None => Err(format!("{name} is required")),
        }
    };
    match kind {
        ProviderKind::Oidc => url_ok("issuer", &provider.issuer)?,
        ProviderKind::Oauth2 => {
            url_ok("authorization_url", &provider.authorization_url)?;
            url_ok("token_url", &provider.token_url)?;
            url_ok("userinfo_url", &provider.userinfo_url)?;
            if provider.claims.id.is_none() {
                return Err(
                    "claims.id (where the user id is in the userinfo answer) is required".into(),
                );
            }
        }
    }
    Ok(provider)
}

/// Checks one `[providers.KEY]` table (at start-up, with the other settings).
pub fn check_settings(key: &str, p: &ProviderSettings) -> Result<(), String> {
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("provider keys are lower-case letters, digits and _".into());
    }
    build(key, p).map(|_| ())
}

fn enterprise(public_url: &str, c: &EnterpriseConnectionSettings) -> Result<Provider, String> {
    let key = format!("enterprise_{}", c.stable_id());
    let mut p = match c.protocol {
        EnterpriseProtocol::Oidc => {
            let settings = ProviderSettings {
                kind: Some(ProviderKind::Oidc),
                name: Some(c.name.clone()),
                client_id: c.client_id.clone().unwrap_or_default(),
                client_secret: c.client_secret.clone(),
                issuer: c.issuer.clone(),
                scopes: c.scopes.clone(),
                ..Default::default()
            };
            build(&key, &settings)?
        }
        EnterpriseProtocol::Saml => Provider {
            key: key.clone(),
            strategy: String::new(),
            name: c.name.clone(),
            kind: ProviderKind::Oidc,
            client_id: String::new(),
            client_secret: None,
            issuer: None,
            authorization_url: None,
            token_url: None,
            userinfo_url: None,
            scopes: Vec::new(),
            token_auth: TokenAuth::Basic,
            pkce: false,
            claims: ClaimMap::default(),
            trust_email: true,
            domains: Vec::new(),
            organization_id: None,
            saml: Some(saml::Connection::new(public_url, c)?),
            version: 0,
            oidc: oidc::Cache::default(),
        },
    };
    p.strategy = "enterprise_sso".into();
    p.domains = c.domains.iter().map(|d| d.to_lowercase()).collect();
    p.organization_id = c.organization_id.clone();
    Ok(p)
}

/// Every provider, and the HTTP client that talks to them. Providers and connections from the
/// settings are fixed; enterprise connections added at run time (stored by the layers above)
/// are installed and removed with [`Federation::install`] and [`Federation::remove`].
pub struct Federation {
    providers: RwLock<BTreeMap<String, Arc<Provider>>>,
    /// Keys of the providers the settings declare.
    configured: BTreeSet<String>,
    public_url: String,
    http: reqwest::Client,
    /// Counts changes to the providers, for what is rendered from them (`/v1/environment`).
    generation: std::sync::atomic::AtomicU64,
}

impl Federation {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let mut providers = BTreeMap::new();
        for (key, p) in &settings.providers {
            let built = build(key, p).map_err(|e| anyhow::anyhow!("[providers.{key}]: {e}"))?;
            providers.insert(key.clone(), Arc::new(built));
        }
        for c in &settings.enterprise_connections {
            let built = enterprise(settings.issuer(), c)
                .map_err(|e| anyhow::anyhow!("[[enterprise_connections]] {:?}: {e}", c.name))?;
            providers.insert(built.key.clone(), Arc::new(built));
        }
        // No redirects: a provider's endpoint answering with one is an error, not a hop to
        // somewhere else (openidconnect's advice against SSRF).
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.federation.timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            configured: providers.keys().cloned().collect(),
            providers: RwLock::new(providers),
            public_url: settings.issuer().to_owned(),
            http,
            generation: std::sync::atomic::AtomicU64::new(0),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Provider>>> {
        self.providers
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn find(&self, pred: impl Fn(&Provider) -> bool) -> Option<Arc<Provider>> {
        self.read().values().find(|p| pred(p)).cloned()
    }

    fn all(&self, pred: impl Fn(&Provider) -> bool) -> Vec<Arc<Provider>> {
        self.read().values().filter(|p| pred(p)).cloned().collect()
    }

    /// The social provider of a strategy (`oauth_google`).
    pub fn by_strategy(&self, strategy: &str) -> Option<Arc<Provider>> {
        let key = strategy.strip_prefix("oauth_")?;
        self.read()
            .get(key)
            .filter(|p| p.strategy == strategy)
            .cloned()
    }

    pub fn by_key(&self, key: &str) -> Option<Arc<Provider>> {
        self.read().get(key).cloned()
    }

    /// The enterprise connection serving an email address's domain.
    pub fn for_email(&self, email: &str) -> Option<Arc<Provider>> {
        let domain = email.rsplit_once('@')?.1.to_lowercase();
        self.find(|p| p.strategy == "enterprise_sso" && p.domains.contains(&domain))
    }

    /// The social providers, for buttons and `/v1/environment`.
    pub fn social(&self) -> Vec<Arc<Provider>> {
        self.all(|p| p.strategy.starts_with("oauth_"))
    }

    pub fn has_enterprise(&self) -> bool {
        self.find(|p| p.strategy == "enterprise_sso").is_some()
    }

    /// Whether any enterprise connection speaks SAML.
    pub fn has_saml(&self) -> bool {
        self.find(|p| p.saml.is_some()).is_some()
    }

    /// The enterprise connections.
    pub fn enterprise_connections(&self) -> Vec<Arc<Provider>> {
        self.all(|p| p.strategy == "enterprise_sso")
    }

    /// The enterprise connection with stable id `id`.
    pub fn enterprise_connection(&self, id: &str) -> Option<Arc<Provider>> {
        self.read()
            .get(&format!("enterprise_{id}"))
            .filter(|p| p.strategy == "enterprise_sso")
            .cloned()
    }

    /// The SAML connection with stable id `id`.
    pub fn saml_connection(&self, id: &str) -> Option<Arc<Provider>> {
        self.enterprise_connection(id).filter(|p| p.saml.is_some())
    }

    /// Whether the provider with `key` comes from the settings (and so cannot be changed at
    /// run time).
    pub fn is_configured(&self, key: &str) -> bool {
        self.configured.contains(key)
    }

    /// Builds an enterprise connection from settings and, for SAML with a metadata URL,
    /// fetches and reads the metadata: everything `config check` verifies, for a connection
    /// added at run time. `version` tells installed copies apart (the stored `updated_at`).
    pub async fn prepare_enterprise(
        &self,
        c: &EnterpriseConnectionSettings,
        version: i64,
    ) -> Result<Provider, String> {
        let p = self.build_enterprise(c, version)?;
        if let Some(conn) = &p.saml {
            conn.refresh(&self.http).await.map_err(|e| e.to_string())?;
        }
        Ok(p)
    }

    /// The same without the network (metadata is fetched on first use): for connections
    /// another instance already checked.
    pub fn build_enterprise(
        &self,
        c: &EnterpriseConnectionSettings,
        version: i64,
    ) -> Result<Provider, String> {
        let mut p = enterprise(&self.public_url, c)?;
        p.version = version;
        Ok(p)
    }

    /// Installs (or replaces) a run-time enterprise connection. Those from the settings are
    /// never replaced.
    pub fn install(&self, p: Provider) -> bool {
        if self.configured.contains(&p.key) {
            return false;
        }
        let mut map = self
            .providers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.insert(p.key.clone(), Arc::new(p));
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        true
    }

    /// How many times the run-time providers changed.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Removes a run-time enterprise connection.
    pub fn remove(&self, key: &str) {
        if self.configured.contains(key) {
            return;
        }
        let removed = self
            .providers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key);
        if removed.is_some() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::Release);
        }
    }

    /// The run-time connections installed now, with their versions.
    pub fn installed_versions(&self) -> BTreeMap<String, i64> {
        self.read()
            .iter()
            .filter(|(k, _)| !self.configured.contains(*k))
            .map(|(k, p)| (k.clone(), p.version))
            .collect()
    }

    /// Fetches every SAML connection's IdP metadata (at start-up, and by `config check`).
    /// Returns the failures, by connection id.
    pub async fn load_saml_metadata(&self) -> Vec<(String, FederationError)> {
        let mut failures = Vec::new();
        for p in self.enterprise_connections() {
            if let Some(conn) = &p.saml
                && let Err(e) = conn.refresh(&self.http).await
            {
                failures.push((conn.id.clone(), e));
            }
        }
        failures
    }

    /// Verifies a SAML response posted to connection `p`'s assertion consumer service, as the
    /// answer to the `AuthnRequest` with `request_id` (or unsolicited, with `None`). The XML
    /// work runs on a blocking thread. When it fails and the metadata comes from a URL, the
    /// metadata is fetched again (at most once a minute) and the response checked once more:
    /// the IdP may have rotated its key.
    pub async fn verify_saml(
        &self,
        p: &Arc<Provider>,
        saml_response: &str,
        request_id: Option<&str>,
    ) -> Result<saml::Verified, FederationError> {
        let Some(conn) = &p.saml else {
            return Err(FederationError::Invalid("not a SAML connection".into()));
        };
        let mut refetched = false;
        loop {
            let idp = conn.idp(&self.http).await?;
            let provider = Arc::clone(p);
            let response = saml_response.to_owned();
            let request_id = request_id.map(str::to_owned);
            let result = tokio::task::spawn_blocking(move || {
                let expect = match &request_id {
                    Some(id) => saml::Expect::Request(id),
                    None => saml::Expect::Unsolicited,
                };
                match &provider.saml {
                    Some(conn) => conn.verify(&idp, &provider.key, &response, expect),
                    None => Err(FederationError::Invalid("not a SAML connection".into())),
                }
            })
            .await
            .map_err(|e| FederationError::Invalid(format!("SAML verification stopped: {e}")))?;
            match result {
                Err(FederationError::Invalid(_)) if !refetched && conn.may_refetch() => {
                    refetched = true;
                    if conn.refresh(&self.http).await.is_err() {
                        return result;
                    }
                }
                other => return other,
            }
        }
    }

    /// Where to send the browser. `state`, `nonce` and the PKCE verifier are the caller's,
    /// kept until the callback.
    pub async fn authorization_url(
        &self,
        p: &Provider,
        redirect_uri: &str,
        state: &str,
        nonce: &str,
        pkce_verifier: &str,
        hints: &Hints,
    ) -> Result<String, FederationError> {
        if let Some(conn) = &p.saml {
            let idp = conn.idp(&self.http).await?;
            return conn.authn_request_url(&idp, &saml_request_id(nonce), state);
        }
        match p.kind {
            ProviderKind::Oidc => {
                oidc::authorization_url(
                    &self.http,
                    p,
                    redirect_uri,
                    state,
                    nonce,
                    pkce_verifier,
                    hints,
                )
                .await
            }
            ProviderKind::Oauth2 => {
                oauth2::authorization_url(p, redirect_uri, state, pkce_verifier)
            }
        }
    }

    /// Exchanges the code and reads the identity.
    pub async fn identity(
        &self,
        p: &Provider,
        redirect_uri: &str,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<Identity, FederationError> {
        if p.saml.is_some() {
            return Err(FederationError::Invalid(
                "a SAML connection answers at its assertion consumer service".into(),
            ));
        }
        let mut id = match p.kind {
            ProviderKind::Oidc => {
                oidc::identity(&self.http, p, redirect_uri, code, nonce, pkce_verifier).await?
            }
            ProviderKind::Oauth2 => {
                oauth2::identity(&self.http, p, redirect_uri, code, pkce_verifier).await?
            }
        };
        id.email = id
            .email
            .and_then(|e| crate::domain::EmailAddress::parse(&e).ok())
            .map(|e| e.as_ref().to_owned());
        if id.email.is_none() {
            id.email_verified = false;
        }
        Ok(id)
    }
}

/// "Ada Lovelace" → ("Ada", "Lovelace"), for providers that give one name.
pub(crate) fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let name = name.trim();
    if name.is_empty() {
        return (None, None);
    }
    match name.split_once(' ') {
        Some((first, last)) => (Some(first.to_owned()), Some(last.trim().to_owned())),
        None => (Some(name.to_owned()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_fill_in_what_config_leaves_out() {
        let p = build(
            "twitter",
            &ProviderSettings {
                client_id: "x".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.kind, ProviderKind::Oauth2);
        assert_eq!(p.claims.id.as_deref(), Some("data.id"));
        assert_eq!(p.token_auth, TokenAuth::Basic);
        let p = build(
            "google",
            &ProviderSettings {
                client_id: "g".into(),
                issuer: Some("http://127.0.0.1:9/".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.issuer.as_deref(), Some("http://127.0.0.1:9/"));
        assert!(p.scopes.contains(&"openid".to_owned()));
        // Unknown providers must say what they are.
        assert!(
            build(
                "acme",
                &ProviderSettings {
                    client_id: "a".into(),
                    ..Default::default()
                }
            )
            .is_err()
        );
        assert!(check_settings("Bad-Key", &ProviderSettings::default()).is_err());
    }

    #[test]
    fn names_split_once() {
        assert_eq!(
            split_name("Ada King Lovelace"),
            (Some("Ada".into()), Some("King Lovelace".into()))
        );
        assert_eq!(split_name("Ada"), (Some("Ada".into()), None));
        assert_eq!(split_name("  "), (None, None));
    }
}
