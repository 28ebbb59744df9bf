//! Upstream sign-in providers. Portcullis is the OAuth client here: it sends the browser to
//! the provider and turns what comes back into an [`Identity`]. OpenID Connect providers
//! (Google, enterprise SSO, any issuer) go through the `openidconnect` crate with discovery,
//! PKCE, `nonce` and ID token checks; plain OAuth 2.0 providers (Facebook, X, any other) read
//! the identity from a userinfo endpoint through a claim map. Nothing here knows about HTTP
//! requests coming in, sessions or users.

// The layers below, by their short names.
use portcullis_config as config;
use portcullis_domain as domain;
use portcullis_domain::crypto;

mod oauth2;
mod oidc;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::config::{
    ClaimMap, EnterpriseConnectionSettings, ProviderKind, ProviderSettings, Settings, TokenAuth,
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
    /// Discovered metadata (OIDC), refreshed when stale or when a key is unknown.
    oidc: oidc::Cache,
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

fn enterprise(c: &EnterpriseConnectionSettings) -> Result<Provider, String> {
    let settings = ProviderSettings {
        kind: Some(ProviderKind::Oidc),
        name: Some(c.name.clone()),
        client_id: c.client_id.clone(),
        client_secret: c.client_secret.clone(),
        issuer: Some(c.issuer.clone()),
        scopes: c.scopes.clone(),
        ..Default::default()
    };
    let key: String = c
        .name
        .to_lowercase()
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect();
    let mut p = build(&format!("enterprise_{key}"), &settings)?;
    p.strategy = "enterprise_sso".into();
    p.domains = c.domains.iter().map(|d| d.to_lowercase()).collect();
    Ok(p)
}

/// Every configured provider, and the HTTP client that talks to them.
pub struct Federation {
    providers: BTreeMap<String, Arc<Provider>>,
    http: reqwest::Client,
}

impl Federation {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let mut providers = BTreeMap::new();
        for (key, p) in &settings.providers {
            let built = build(key, p).map_err(|e| anyhow::anyhow!("[providers.{key}]: {e}"))?;
            providers.insert(key.clone(), Arc::new(built));
        }
        for c in &settings.enterprise_connections {
            let built = enterprise(c)
                .map_err(|e| anyhow::anyhow!("[[enterprise_connections]] {:?}: {e}", c.name))?;
            providers.insert(built.key.clone(), Arc::new(built));
        }
        // No redirects: a provider's endpoint answering with one is an error, not a hop to
        // somewhere else (openidconnect's advice against SSRF).
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.federation.timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { providers, http })
    }

    /// The social provider of a strategy (`oauth_google`).
    pub fn by_strategy(&self, strategy: &str) -> Option<Arc<Provider>> {
        let key = strategy.strip_prefix("oauth_")?;
        self.providers
            .get(key)
            .filter(|p| p.strategy == strategy)
            .cloned()
    }

    pub fn by_key(&self, key: &str) -> Option<Arc<Provider>> {
        self.providers.get(key).cloned()
    }

    /// The enterprise connection serving an email address's domain.
    pub fn for_email(&self, email: &str) -> Option<Arc<Provider>> {
        let domain = email.rsplit_once('@')?.1.to_lowercase();
        self.providers
            .values()
            .find(|p| p.strategy == "enterprise_sso" && p.domains.contains(&domain))
            .cloned()
    }

    /// The social providers, for buttons and `/v1/environment`.
    pub fn social(&self) -> Vec<Arc<Provider>> {
        self.providers
            .values()
            .filter(|p| p.strategy.starts_with("oauth_"))
            .cloned()
            .collect()
    }

    pub fn has_enterprise(&self) -> bool {
        self.providers
            .values()
            .any(|p| p.strategy == "enterprise_sso")
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
