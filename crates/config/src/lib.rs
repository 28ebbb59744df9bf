//! Typed settings: `config.toml` (or `--config PATH`), then `PORTCULLIS__SECTION__KEY`
//! environment variables. Unknown keys are refused so a typo never goes unnoticed.
//!
//! Longer than 800 lines on purpose: one struct per section with its defaults, in the order of
//! `config.toml`, so this file reads as the reference of every key. Splitting it would scatter
//! that reference without separating anything that changes apart.

use std::path::Path;

use portcullis_domain::{Origin, Strategy};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub server: ServerSettings,
    #[serde(default)]
    pub database: DatabaseSettings,
    #[serde(default)]
    pub redis: RedisSettings,
    #[serde(default)]
    pub testing: TestingSettings,
    #[serde(default)]
    pub delivery: DeliverySettings,
    #[serde(default)]
    pub auth: AuthSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub oidc: OidcSettings,
    #[serde(default)]
    pub branding: BrandingSettings,
    /// Relying parties declared in config (`[[clients]]`); more can be added at run time.
    #[serde(default)]
    pub clients: Vec<ClientSettings>,
    /// Upstream sign-in providers: `[providers.google]`, `[providers.facebook]`,
    /// `[providers.twitter]`, or `[providers.NAME]` with `kind = "oidc"` / `"oauth2"`.
    #[serde(default)]
    pub providers: std::collections::BTreeMap<String, ProviderSettings>,
    #[serde(default)]
    pub federation: FederationSettings,
    #[serde(default)]
    pub limits: LimitSettings,
    #[serde(default)]
    pub audit: AuditSettings,
    #[serde(default)]
    pub passkeys: PasskeySettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    #[serde(default)]
    pub webhooks: WebhookSettings,
    /// Enterprise SSO: OIDC connections chosen by the email domain of the identifier.
    #[serde(default)]
    pub enterprise_connections: Vec<EnterpriseConnectionSettings>,
    #[serde(default)]
    pub dashboard: DashboardSettings,
    #[serde(default)]
    pub organizations: OrganizationSettings,
}

/// `[dashboard]`: the operators' console at `/dashboard`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DashboardSettings {
    /// Admins must have a second factor enrolled (and have used it in the session) before
    /// the console opens.
    pub require_second_factor: bool,
}

impl Default for DashboardSettings {
    fn default() -> Self {
        Self {
            require_second_factor: true,
        }
    }
}

/// `[organizations]`: teams of users with roles, invitations and an active organization per
/// session.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrganizationSettings {
    /// Off by default: no organization endpoint answers and the environment says so.
    pub enabled: bool,
    /// Members an organization may have, counting pending invitations (0: no limit).
    pub max_allowed_memberships: u32,
    /// Organizations one user may create (0: no limit).
    pub max_created_per_user: u32,
    /// Whether an admin may delete their organization.
    pub admin_delete_enabled: bool,
    /// The role of a user who creates an organization.
    pub creator_role: String,
    /// The role given when none is named (domain enrollment, suggestions).
    pub default_role: String,
    /// How long an invitation stays valid.
    pub invitation_lifetime_secs: i64,
    /// Whether organizations get a slug (false: slugs are made from the name and not shown).
    pub slug_disabled: bool,
    /// How the session token names the active organization: `v2` (the compact `o` claim) or
    /// `v1` (`org_id`, `org_role`, `org_slug`, `org_permissions`).
    pub session_token_claims: String,
    /// Personal accounts are off: every session acts for one of the user's organizations. A
    /// session without one is pending on the `choose-organization` task (create, join or pick
    /// one) and gets no session token until it has.
    pub force_organization_selection: bool,
    /// Roles besides the system roles `org:admin` and `org:member`, or those two redefined.
    pub roles: Vec<OrganizationRole>,
}

impl Default for OrganizationSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            max_allowed_memberships: 5,
            max_created_per_user: 0,
            admin_delete_enabled: true,
            creator_role: "org:admin".into(),
            default_role: "org:member".into(),
            invitation_lifetime_secs: 30 * 86_400,
            slug_disabled: false,
            session_token_claims: "v2".into(),
            force_organization_selection: false,
            roles: Vec::new(),
        }
    }
}

/// `[[organizations.roles]]`: a role and the permissions it grants, each `org:FEATURE:ACTION`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationRole {
    /// `org:NAME`, e.g. `org:billing_manager`.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// How an upstream provider is spoken to.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// OpenID Connect: discovery from `issuer`, signed ID tokens.
    Oidc,
    /// OAuth 2.0: explicit endpoints, identity from a userinfo endpoint.
    Oauth2,
}

/// How the client authenticates at an OAuth 2.0 token endpoint.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    /// HTTP Basic (RFC 6749 §2.3.1).
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// Where, in an OAuth 2.0 userinfo answer, each part of the identity is (dotted paths such
/// as `data.id`). Unset parts fall back to the provider's preset.
#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClaimMap {
    pub id: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub username: Option<String>,
    pub picture: Option<String>,
}

/// One upstream provider. google, facebook and twitter come with presets for the real
/// endpoints; every value can be overridden (tests point them at local stand-ins).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    pub kind: Option<ProviderKind>,
    /// Shown on buttons ("Continue with …").
    pub name: Option<String>,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// OIDC providers: discovery from here.
    pub issuer: Option<String>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub token_auth: Option<TokenAuth>,
    /// Send a PKCE challenge (RFC 7636); on by default.
    pub pkce: Option<bool>,
    #[serde(default)]
    pub claims: ClaimMap,
    /// Treat the email the provider gives as verified when it says nothing about it (for
    /// providers that only ever hand out confirmed addresses).
    pub trust_email: Option<bool>,
}

/// The WebAuthn relying party. By default the issuer's host is the RP id and its origin the
/// only origin.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PasskeySettings {
    /// A registrable domain suffix of the issuer's host (`example.com` for
    /// `auth.example.com`), so passkeys also work on sibling hosts.
    pub rp_id: String,
    /// More origins allowed to use the passkeys (`https://app.example.com`).
    pub origins: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// Days audit events are kept (0: forever).
    pub retention_days: i64,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            retention_days: 365,
        }
    }
}

/// Where user and session events are posted (`[webhooks]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// Attempts before a delivery is given up (and left in the log).
    pub max_attempts: i32,
    /// Wait before the first retry; each next one waits four times longer (at most 6 h).
    pub first_retry_ms: i64,
    pub endpoints: Vec<WebhookEndpoint>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_retry_ms: 5000,
            endpoints: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpoint {
    pub url: String,
    /// `whsec_` + base64 of the signing key (or any string, used as the key).
    pub secret: SecretString,
    /// The events this endpoint gets; empty: all of them.
    #[serde(default)]
    pub events: Vec<String>,
}

/// Who may sign up (`[auth] sign_up_mode`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignUpMode {
    /// Anyone.
    #[default]
    Public,
    /// With an invitation only.
    Restricted,
    /// With an invitation only; `POST /v1/waitlist` collects addresses to invite.
    Waitlist,
}

impl SignUpMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SignUpMode::Public => "public",
            SignUpMode::Restricted => "restricted",
            SignUpMode::Waitlist => "waitlist",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// Serve Prometheus metrics at `/metrics`.
    pub enabled: bool,
    /// When set, `/metrics` asks for `Authorization: Bearer <token>`.
    pub token: Option<SecretString>,
    /// Count each SQL text on its own (calls and time), for finding the hottest queries.
    pub statement_texts: bool,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            token: None,
            statement_texts: false,
        }
    }
}

/// A rate: `burst` requests at once, refilled evenly over `per_secs`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub burst: i64,
    pub per_secs: i64,
}

impl Rate {
    pub const fn new(burst: i64, per_secs: i64) -> Self {
        Self { burst, per_secs }
    }
}

/// Abuse limits, kept in the ephemeral store so every instance shares them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    pub enabled: bool,
    /// Sign-in creations and attempts from one address.
    pub sign_in_per_ip: Rate,
    /// Sign-in creations and attempts for one identifier / account.
    pub sign_in_per_identifier: Rate,
    /// Sign-ups from one address.
    pub sign_up_per_ip: Rate,
    /// Codes and links sent to one email address or phone number…
    pub sends_per_destination: Rate,
    /// …and at most this many a day.
    pub sends_per_destination_per_day: i64,
    /// Token endpoint requests of one client.
    pub token_per_client: Rate,
    /// User codes typed on the `/device` page (RFC 8628 §5.1, against guessing): from one
    /// address…
    pub user_code_per_ip: Rate,
    /// …and by one signed-in user.
    pub user_code_per_user: Rate,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            sign_in_per_ip: Rate::new(30, 60),
            sign_in_per_identifier: Rate::new(10, 60),
            sign_up_per_ip: Rate::new(10, 60),
            sends_per_destination: Rate::new(5, 600),
            sends_per_destination_per_day: 20,
            token_per_client: Rate::new(2000, 1),
            user_code_per_ip: Rate::new(20, 600),
            user_code_per_user: Rate::new(10, 600),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationSettings {
    /// Link an upstream account to the existing user whose verified email it carries, when
    /// the provider asserts the email verified. Off: the user signs in first and links it.
    pub link_by_verified_email: bool,
    /// Seconds each call to a provider may take.
    pub timeout_secs: u64,
}

impl Default for FederationSettings {
    fn default() -> Self {
        Self {
            link_by_verified_email: true,
            timeout_secs: 10,
        }
    }
}

/// How an enterprise connection talks to the company's identity provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnterpriseProtocol {
    /// OpenID Connect: `issuer`, `client_id`, `client_secret`.
    #[default]
    Oidc,
    /// SAML 2.0: the identity provider's metadata (or its entity ID, sign-in URL and
    /// certificates); Portcullis is the service provider.
    Saml,
}

/// One PEM certificate, or several (an identity provider rotating its signing key).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Pems {
    One(String),
    Several(Vec<String>),
}

impl Pems {
    pub fn all(&self) -> Vec<&str> {
        match self {
            Self::One(p) => vec![p.as_str()],
            Self::Several(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Where a SAML assertion's attributes put the user's details. Each entry is an attribute
/// `Name` (or `FriendlyName`); unset entries fall back to the names the common identity
/// providers send (see `portcullis_federation::saml`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AttributeMapping {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// `[[enterprise_connections]]`: a company's identity provider, chosen by the email domain
/// of the identifier.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseConnectionSettings {
    /// Stable id, used in URLs (`/saml/{id}/metadata`) and as the provider of the accounts
    /// it links; lower-case letters, digits, `-` and `_`. Defaults to the name, lower-cased
    /// with everything else turned into `_`.
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub protocol: EnterpriseProtocol,
    /// Email domains whose users sign in here (`example.com`).
    pub domains: Vec<String>,
    /// The organization this connection belongs to (`org_…`, with `[organizations]` on).
    /// Everyone who signs in through it becomes a member (the default role) if a seat is
    /// free, and their session acts for it. Connections added through the admin API must
    /// serve only domains the organization has verified.
    pub organization_id: Option<String>,
    // OpenID Connect.
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    #[serde(default, skip_serializing)]
    pub client_secret: Option<SecretString>,
    pub scopes: Option<Vec<String>>,
    // SAML 2.0.
    /// The identity provider's metadata, fetched at start and again every
    /// `idp_metadata_refresh_secs` (and when a response is signed by a key it did not list).
    pub idp_metadata_url: Option<String>,
    /// The identity provider's metadata, inline (`<EntityDescriptor …>`).
    pub idp_metadata: Option<String>,
    /// Without metadata: the identity provider's entity ID, its HTTP-Redirect sign-in URL
    /// and its signing certificates.
    pub idp_entity_id: Option<String>,
    pub idp_sso_url: Option<String>,
    pub idp_certificate: Option<Pems>,
    #[serde(default)]
    pub attribute_mapping: AttributeMapping,
    /// Accept responses the identity provider sends unasked (from its own dashboard). Off:
    /// such a response cannot be tied to a browser that started a sign-in.
    #[serde(default)]
    pub allow_idp_initiated: bool,
    /// Sign the `AuthnRequest` (HTTP-Redirect binding, RSA-SHA256); needs `sp_private_key`.
    #[serde(default)]
    pub sign_authn_requests: bool,
    /// This service provider's key pair (PEM): signs requests and decrypts
    /// `EncryptedAssertion`s; the certificate is published in the SP metadata.
    pub sp_certificate: Option<String>,
    #[serde(default, skip_serializing)]
    pub sp_private_key: Option<SecretString>,
    /// How often metadata from `idp_metadata_url` is fetched again (default a day).
    pub idp_metadata_refresh_secs: Option<u64>,
    /// Authentication contexts (`AuthnContextClassRef`, or Entra's `authnmethodsreferences`
    /// attribute) that mean the IdP checked more than one factor: a user with a second factor
    /// here is not asked for it again. Unset: the common ones (REFEDS MFA, Entra's
    /// `multipleauthn`, the SAML two-factor, time-sync-token and smartcard classes); empty:
    /// always ask.
    pub mfa_authn_contexts: Option<Vec<String>>,
}

impl EnterpriseConnectionSettings {
    /// The stable id: `id`, or the name in URL-safe form.
    pub fn stable_id(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => self
                .name
                .to_lowercase()
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
                .collect(),
        }
    }

    /// What can be checked without the network: the id, domains, and the fields each
    /// protocol needs. Certificates and metadata are parsed by the federation layer.
    pub fn check(&self) -> anyhow::Result<()> {
        let id = self.stable_id();
        anyhow::ensure!(
            !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'_'),
            "id must be 1 to 64 lower-case letters, digits, - and _"
        );
        anyhow::ensure!(!self.domains.is_empty(), "needs domains");
        for d in &self.domains {
            anyhow::ensure!(
                d.contains('.')
                    && !d.starts_with('.')
                    && d.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
                "domain {d:?} is not a domain name"
            );
        }
        let url = |name: &str, v: &Option<String>| -> anyhow::Result<()> {
            if let Some(u) = v {
                url::Url::parse(u).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            }
            Ok(())
        };
        match self.protocol {
            EnterpriseProtocol::Oidc => {
                anyhow::ensure!(self.issuer.is_some(), "issuer is required");
                url("issuer", &self.issuer)?;
                anyhow::ensure!(
                    self.client_id.as_deref().is_some_and(|c| !c.is_empty()),
                    "client_id is required"
                );
            }
            EnterpriseProtocol::Saml => {
                url("idp_metadata_url", &self.idp_metadata_url)?;
                url("idp_sso_url", &self.idp_sso_url)?;
                let sources = [
                    self.idp_metadata_url.is_some(),
                    self.idp_metadata.is_some(),
                    self.idp_entity_id.is_some()
                        || self.idp_sso_url.is_some()
                        || self.idp_certificate.is_some(),
                ];
                anyhow::ensure!(
                    sources.iter().filter(|s| **s).count() == 1,
                    "needs exactly one of idp_metadata_url, idp_metadata, or idp_entity_id with \
                     idp_sso_url and idp_certificate"
                );
                if sources[2] {
                    anyhow::ensure!(
                        self.idp_entity_id.is_some()
                            && self.idp_sso_url.is_some()
                            && self.idp_certificate.is_some(),
                        "idp_entity_id, idp_sso_url and idp_certificate go together"
                    );
                }
                anyhow::ensure!(
                    self.sp_certificate.is_some() == self.sp_private_key.is_some(),
                    "sp_certificate and sp_private_key go together"
                );
                anyhow::ensure!(
                    !self.sign_authn_requests || self.sp_private_key.is_some(),
                    "sign_authn_requests needs sp_private_key and sp_certificate"
                );
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcSettings {
    /// Where `/oauth/authorize` sends a browser that has no session; it comes back to the
    /// authorization request afterwards (`redirect_url` query parameter).
    pub sign_in_url: String,
    pub access_token_lifetime_secs: i64,
    pub id_token_lifetime_secs: i64,
    pub refresh_token_lifetime_secs: i64,
    /// How long after the sign-in that granted it a refresh-token family stops working,
    /// however often it was rotated (each rotation grants `refresh_token_lifetime_secs` more,
    /// never past this).
    pub refresh_token_absolute_lifetime_secs: i64,
    /// RFC 6749 §4.1.2 recommends at most ten minutes; one is plenty for a redirect.
    pub code_lifetime_secs: i64,
    /// Dynamic client registration (RFC 7591, 7592) at `/oauth/register`.
    pub dynamic_registration: bool,
    /// When set, registering needs `Authorization: Bearer <this token>` (an initial access
    /// token, RFC 7591 §3); without it anyone may register (as third-party clients).
    pub registration_token: Option<SecretString>,
    /// Registration without an initial access token: anyone may register a client. Off
    /// unless switched on here, even with `dynamic_registration` on.
    pub open_registration: bool,
    /// The grant types a registered client may have; a request for any other is refused.
    pub registration_grant_types: Vec<String>,
    /// The scopes a registered client may ask for; a request for any other is refused.
    pub registration_scopes: Vec<String>,
    /// RFC 9126 §5: every client's authorization requests must be pushed to `/oauth/par`
    /// first (also settable per client).
    pub require_pushed_authorization_requests: bool,
    /// How long a pushed request's `request_uri` waits for the browser (RFC 9126 §2.2
    /// suggests 5 to 600 seconds); held to 1..=600.
    pub pushed_request_lifetime_secs: u64,
    /// RFC 9449 §8: DPoP proofs must carry a nonce Portcullis handed out (`DPoP-Nonce`); a
    /// proof without one is answered `use_dpop_nonce`. Bounds how long a proof made ahead of
    /// time stays usable.
    pub dpop_require_nonce: bool,
    /// Client assertions (`private_key_jwt`) must name the issuer, as a single string, in
    /// `aud`; the endpoint's URL is refused (FAPI 2.0 Security Profile §5.3.2.1).
    pub strict_assertion_audience: bool,
    /// RFC 8628 §3.2: how long a device code and its user code wait for the user; held to
    /// 60..=1800.
    pub device_code_lifetime_secs: u64,
    /// RFC 8628 §3.2 `interval`: the least time between two polls of one device code; a
    /// faster poll is answered `slow_down`. Held to 1..=60.
    pub device_poll_interval_secs: u64,
}

impl Default for OidcSettings {
    fn default() -> Self {
        Self {
            sign_in_url: "/sign-in".into(),
            access_token_lifetime_secs: 600,
            id_token_lifetime_secs: 3600,
            refresh_token_lifetime_secs: 30 * 24 * 3600,
            refresh_token_absolute_lifetime_secs: 90 * 24 * 3600,
            code_lifetime_secs: 60,
            dynamic_registration: false,
            registration_token: None,
            open_registration: false,
            registration_grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            registration_scopes: ["openid", "profile", "email", "phone", "offline_access"]
                .map(String::from)
                .to_vec(),
            require_pushed_authorization_requests: false,
            pushed_request_lifetime_secs: 60,
            dpop_require_nonce: false,
            strict_assertion_audience: false,
            device_code_lifetime_secs: 600,
            device_poll_interval_secs: 5,
        }
    }
}

/// One relying party. Stored clients keep the same shape as JSON (without the secret).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSettings {
    pub client_id: String,
    /// None: a public client (a SPA or native app), which must use PKCE.
    #[serde(default, skip_serializing)]
    pub client_secret: Option<SecretString>,
    #[serde(default)]
    pub name: Option<String>,
    /// Shown on the sign-in and consent pages this client sends people to: an https URL.
    #[serde(default)]
    pub logo_uri: Option<String>,
    /// The client's colour on those pages (`#2451b7`); `[branding] primary_color` otherwise.
    #[serde(default)]
    pub brand_color: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default = "default_grant_types")]
    pub grant_types: Vec<String>,
    #[serde(default = "default_client_scopes")]
    pub scopes: Vec<String>,
    /// First-party clients skip the consent screen.
    #[serde(default)]
    pub first_party: bool,
    #[serde(default = "default_id_token_alg")]
    pub id_token_signed_response_alg: String,
    /// "public" (the user id) or "pairwise" (a different `sub` for each client's host, so
    /// clients cannot correlate users).
    #[serde(default = "default_subject_type")]
    pub subject_type: String,
    /// The client's public keys (a JWK Set) for `private_key_jwt` authentication and for
    /// its signed request objects (RFC 9101).
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// Where the client publishes those keys instead (RFC 7591 §2), fetched when needed and
    /// kept five minutes; one of `jwks` and `jwks_uri`, never both.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// RFC 7591 §2: the one algorithm this client's `private_key_jwt` assertions may be
    /// signed with (a FAPI 2.0 client sets PS256, ES256 or EdDSA); any asymmetric one when
    /// unset.
    #[serde(default)]
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// RFC 9101 §10.2 (OAuth Dynamic Registration metadata): the one algorithm this client's
    /// request objects may be signed with; any asymmetric one Portcullis supports when unset.
    #[serde(default)]
    pub request_object_signing_alg: Option<String>,
    /// RFC 9101 §10.5: this client's authorization requests must be signed request objects
    /// (sent as `request`, directly or pushed to `/oauth/par`).
    #[serde(default)]
    pub require_signed_request_object: bool,
    /// OIDC Back-Channel Logout 1.0: where logout tokens are POSTed when a session ends.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// OIDC Front-Channel Logout 1.0 §2: a page of the client that the end-session page loads
    /// in a hidden frame, so the client's own cookies are cleared in the user's browser.
    #[serde(default)]
    pub frontchannel_logout_uri: Option<String>,
    /// §2: the frame's URL carries `iss` and `sid`, so the client knows which session ended.
    #[serde(default)]
    pub frontchannel_logout_session_required: bool,
    /// RFC 9126 §5: this client's authorization requests must come through
    /// `/oauth/par`; one sent straight to `/oauth/authorize` is refused.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// RFC 8693 §1.1: with the token exchange grant, this client may exchange a user's
    /// token, when it sends no `actor_token`, for one that acts as the user with no trace of
    /// the client (impersonation). Without it, the new token always names the actor in `act`
    /// (delegation): the actor token's party, or the client itself.
    #[serde(default)]
    pub token_exchange_impersonation: bool,
    /// RFC 8693: the clients whose users' tokens this client may exchange, besides its own
    /// (a token a user's app sent to this service, say). Empty: only tokens issued to it.
    #[serde(default)]
    pub token_exchange_from: Vec<String>,
    /// OAuth 2.0 Security BCP §2.1.1, FAPI 2.0: this client's authorization requests need
    /// PKCE even though it can authenticate (public clients always need it).
    #[serde(default)]
    pub require_pkce: bool,
    /// RFC 9449 §5.2: this client always uses DPoP; a token request without a proof is
    /// refused, so its access tokens are never plain bearer tokens.
    #[serde(default)]
    pub dpop_bound_access_tokens: bool,
}

fn default_subject_type() -> String {
    "public".into()
}

fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

fn default_client_scopes() -> Vec<String> {
    ["openid", "profile", "email", "phone", "offline_access"]
        .map(String::from)
        .to_vec()
}

fn default_id_token_alg() -> String {
    "ES256".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    pub bind: String,
    pub public_url: String,
    /// Key for the keyed hashes of tokens and codes. When unset, one is generated on first
    /// start and kept in the database, which is what every instance then shares.
    pub secret_key: Option<SecretString>,
    /// Encrypts signing keys at rest (ChaCha20-Poly1305, the key derived with argon2id and a
    /// salt stored with each value). Keys written while it is set can only be read with it.
    pub key_encryption_key: Option<SecretString>,
    /// Seconds an in-flight request may take to finish after SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Origins (`https://app.example.com`) the hosted pages may send users back to with
    /// `redirect_url`, besides Portcullis itself and registered client redirect URIs.
    /// Parsed at load: anything that is not an origin is refused there.
    pub allowed_redirect_origins: Vec<Origin>,
    /// Browser origins allowed to call the Frontend API with credentials (CORS); parsed at
    /// load like `allowed_redirect_origins`.
    pub cors_origins: Vec<Origin>,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// Development only: lets a browser SDK with a development (`pk_test_`) key get a client
    /// from `POST /v1/dev_browser` and name it with `?__clerk_db_jwt=` on every request, for
    /// an app on another site, where the client cookie does not reach Portcullis. The token
    /// travels in URLs, so production keeps this off and uses the cookie.
    pub dev_browser: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrandingSettings {
    pub app_name: String,
    pub logo_url: Option<String>,
    /// A hex colour (`#2451b7`) for buttons and links.
    pub primary_color: String,
}

impl Default for BrandingSettings {
    fn default() -> Self {
        Self {
            app_name: "Portcullis".into(),
            logo_url: None,
            primary_color: "#2451b7".into(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:3000".into(),
            public_url: "http://127.0.0.1:3000".into(),
            secret_key: None,
            key_encryption_key: None,
            shutdown_timeout_secs: 30,
            allowed_redirect_origins: Vec::new(),
            cors_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            dev_browser: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    pub url: String,
    /// The pool's size; unset, 16 for PostgreSQL and [`SQLITE_CONNECTIONS`] for SQLite.
    pub max_connections: Option<u32>,
    /// PostgreSQL only: the schema to use (tests give each run its own).
    pub schema: Option<String>,
}

/// SQLite's default pool size. Each connection is a thread of its own with its own page
/// cache, and SQLite writes one transaction at a time whatever the pool's size; with more
/// connections each cache is thrown away more often (every write by another connection
/// invalidates it), so a small pool is both leaner and faster. Measured in the README.
pub const SQLITE_CONNECTIONS: u32 = 4;
/// PostgreSQL's default pool size.
pub const POSTGRES_CONNECTIONS: u32 = 16;

impl DatabaseSettings {
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    /// The pool's size: the setting, or the default for the kind of database.
    pub fn pool_size(&self) -> u32 {
        let default = if self.is_sqlite() {
            SQLITE_CONNECTIONS
        } else {
            POSTGRES_CONNECTIONS
        };
        self.max_connections.unwrap_or(default).max(1)
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://portcullis.db?mode=rwc".into(),
            max_connections: None,
            schema: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RedisSettings {
    /// Empty: the in-process ephemeral store (one instance only).
    pub url: String,
    /// Prepended to every key, so several deployments (or tests) can share one Redis.
    pub key_prefix: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct TestingSettings {
    pub enabled: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum EmailDelivery {
    #[default]
    Log,
    Smtp,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmsDelivery {
    #[default]
    Log,
    Http,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    pub email: EmailDelivery,
    pub sms: SmsDelivery,
    pub smtp: SmtpSettings,
    pub http_sms: HttpSmsSettings,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    None,
    #[default]
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: Option<SecretString>,
    pub from: String,
    pub tls: SmtpTls,
    pub timeout_secs: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 587,
            username: String::new(),
            password: None,
            from: "Portcullis <no-reply@localhost>".into(),
            tls: SmtpTls::Starttls,
            timeout_secs: 10,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSmsSettings {
    /// Form POST target, e.g. `https://api.twilio.com/2010-04-01/Accounts/SID/Messages.json`.
    pub url: String,
    pub username: String,
    pub password: Option<SecretString>,
    pub from: String,
    pub timeout_secs: u64,
}

impl Default for HttpSmsSettings {
    fn default() -> Self {
        Self {
            url: String::new(),
            username: String::new(),
            password: None,
            from: String::new(),
            timeout_secs: 10,
        }
    }
}

/// How a sign-up attribute is treated.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FieldMode {
    Required,
    Optional,
    Off,
}

impl FieldMode {
    pub fn enabled(self) -> bool {
        self != FieldMode::Off
    }
}

/// `[auth]`. Everything here but the two process settings marked below can also be changed
/// at run time (`PATCH /admin/v1/settings`, the dashboard); those are never shown there.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    pub email_address: FieldMode,
    pub phone_number: FieldMode,
    pub username: FieldMode,
    pub password: FieldMode,
    pub first_name: FieldMode,
    pub last_name: FieldMode,
    /// Ethereum wallets (EIP-4361 sign-in messages, EIP-191 signatures).
    pub web3_wallet: FieldMode,
    /// With email and phone both optional: at least one of them is required.
    pub email_address_or_phone_number: bool,
    pub legal_consent: bool,
    /// First-factor strategies users may sign in with.
    pub first_factors: Vec<String>,
    pub multi_session: bool,
    pub session_lifetime_secs: i64,
    /// 0 turns the inactivity limit off.
    pub session_inactivity_secs: i64,
    /// How long an unfinished sign-in or sign-up is kept.
    pub attempt_lifetime_secs: i64,
    pub password_min_length: usize,
    pub password_max_length: usize,
    /// Mixed into every password hash (argon2 secret); keep it out of the database.
    /// File only: never serialized.
    #[serde(skip_serializing)]
    pub password_pepper: Option<SecretString>,
    /// Upper bound of password hashes computed at once; 0 means one per core. File only.
    #[serde(skip_serializing)]
    pub password_hash_concurrency: usize,
    /// Failed password attempts that lock an account (0 turns lockout off)…
    pub lockout_attempts: i64,
    /// …for this long.
    pub lockout_secs: i64,
    /// Second factors users may enrol and sign in with: totp, backup_code, phone_code,
    /// email_code (a code to the primary email, offered beside an enrolled factor).
    pub second_factors: Vec<String>,
    /// Users without a second factor must enrol one before their session becomes active.
    pub mfa_required: bool,
    /// How recent the session's last verification must be for a sensitive change (password,
    /// second factors, identifications, deleting the account); older sessions verify again
    /// first (`session_reverification_required`). 0 turns the check off.
    pub reverification_secs: i64,
    /// Email users when a password or second factor changes.
    pub security_notices: bool,
    /// An email link opened on another device is refused (`client_mismatch`) instead of
    /// verifying the sign-in for the browser that asked for it.
    pub email_link_same_device: bool,
    /// Answer sign-ins for unknown identifiers as for known ones (a sign-in that can never
    /// succeed), and sign-ups with a taken email or phone by telling its owner instead.
    pub enumeration_protection: bool,
    /// Refuse new passwords found in the bundled list of the most common ones.
    pub reject_common_passwords: bool,
    /// public, restricted (invitations only) or waitlist.
    pub sign_up_mode: SignUpMode,
    /// When not empty, only these identifiers may sign up: addresses, phone numbers,
    /// usernames, `*@domain`, `*@*.domain` (case-insensitive). The admin API adds more.
    pub allowlist: Vec<String>,
    /// These identifiers may not sign up (same patterns).
    pub blocklist: Vec<String>,
    /// Refuse email addresses with a subaddress (`ada+tag@example.com`).
    pub block_email_subaddresses: bool,
    /// Refuse addresses at known disposable-email providers (a bundled list).
    pub block_disposable_email_domains: bool,
    /// A k-anonymity range API (`GET {url}/range/{first five hex of the SHA-1}`, as
    /// api.pwnedpasswords.com serves it); empty turns the check off.
    pub pwned_passwords_url: String,
    /// How long to wait for it; on timeout or error the password is accepted (and logged).
    pub pwned_passwords_timeout_ms: u64,
    /// Social providers of `[providers.NAME]` switched off (by NAME): they keep their
    /// credentials in the file but are not offered, and their sign-ins under way are refused.
    pub disabled_providers: Vec<String>,
    /// Claims added to every session token, with the shortcodes of JWT templates
    /// (`{"plan": "{{user.public_metadata.plan}}"}`); at most 1,200 bytes, as Clerk allows.
    pub session_token_claims: serde_json::Map<String, serde_json::Value>,
}

/// Claims of the session token that custom claims cannot replace: the token's own, the
/// session's, and the organization's.
pub const SESSION_TOKEN_RESERVED: &[&str] = &[
    "azp",
    "exp",
    "iat",
    "iss",
    "jti",
    "nbf",
    "sid",
    "sub",
    "act",
    "fva",
    "v",
    "o",
    "fea",
    "sts",
    "org_id",
    "org_role",
    "org_slug",
    "org_permissions",
];

/// The most custom session-token claims may weigh, serialised.
pub const SESSION_TOKEN_CLAIMS_MAX_BYTES: usize = 1200;

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            email_address: FieldMode::Required,
            phone_number: FieldMode::Off,
            username: FieldMode::Off,
            password: FieldMode::Required,
            first_name: FieldMode::Optional,
            last_name: FieldMode::Optional,
            web3_wallet: FieldMode::Off,
            email_address_or_phone_number: false,
            legal_consent: false,
            first_factors: vec!["password".into(), "email_code".into(), "phone_code".into()],
            multi_session: false,
            session_lifetime_secs: 7 * 24 * 3600,
            session_inactivity_secs: 0,
            attempt_lifetime_secs: 24 * 3600,
            password_min_length: 8,
            password_max_length: 72,
            password_pepper: None,
            password_hash_concurrency: 0,
            lockout_attempts: 10,
            lockout_secs: 3600,
            second_factors: vec!["totp".into(), "backup_code".into(), "phone_code".into()],
            mfa_required: false,
            reverification_secs: 600,
            security_notices: true,
            enumeration_protection: false,
            email_link_same_device: true,
            reject_common_passwords: true,
            sign_up_mode: SignUpMode::Public,
            allowlist: Vec::new(),
            blocklist: Vec::new(),
            block_email_subaddresses: false,
            block_disposable_email_domains: false,
            pwned_passwords_url: String::new(),
            pwned_passwords_timeout_ms: 1500,
            disabled_providers: Vec::new(),
            session_token_claims: serde_json::Map::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    pub format: LogFormat,
    /// An `EnvFilter` directive; `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            level: "info".into(),
        }
    }
}

impl OrganizationSettings {
    /// A role key or a permission key: `org:` and then lower-case words.
    fn key_ok(key: &str, parts: usize) -> bool {
        let mut it = key.split(':');
        it.next() == Some("org")
            && key.len() <= 64
            && key.split(':').count() == parts
            && it.all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            })
    }

    fn check(&self) -> anyhow::Result<()> {
        let mut keys = std::collections::HashSet::new();
        for r in &self.roles {
            anyhow::ensure!(
                Self::key_ok(&r.key, 2) && keys.insert(r.key.as_str()),
                "[[organizations.roles]] key {:?} must be org:NAME (lower case), once",
                r.key
            );
            anyhow::ensure!(
                !r.name.trim().is_empty() && r.name.chars().count() <= 100,
                "[[organizations.roles]] {:?} needs a name of 1 to 100 characters",
                r.key
            );
            for p in &r.permissions {
                anyhow::ensure!(
                    Self::key_ok(p, 3),
                    "[[organizations.roles]] {:?}: permission {p:?} must be org:FEATURE:ACTION",
                    r.key
                );
                // System permissions (`org:sys_*`) come with the system roles only.
                anyhow::ensure!(
                    !p.starts_with("org:sys_"),
                    "[[organizations.roles]] {:?}: {p:?} is a system permission",
                    r.key
                );
            }
        }
        for (name, role) in [
            ("creator_role", &self.creator_role),
            ("default_role", &self.default_role),
        ] {
            anyhow::ensure!(
                role == "org:admin" || role == "org:member" || keys.contains(role.as_str()),
                "[organizations] {name} {role:?} is not a role"
            );
        }
        anyhow::ensure!(
            matches!(self.session_token_claims.as_str(), "v1" | "v2"),
            "[organizations] session_token_claims is v1 or v2"
        );
        anyhow::ensure!(
            (3600..=366 * 86_400).contains(&self.invitation_lifetime_secs)
                && self.max_allowed_memberships <= 100_000,
            "[organizations] invitation_lifetime_secs is between an hour and a year, and \
             max_allowed_memberships at most 100000"
        );
        Ok(())
    }
}

impl Settings {
    /// Reads `path` (which may be missing: every key has a default), then the environment.
    pub fn load(path: &Path, required: bool) -> anyhow::Result<Self> {
        let builder = config::Config::builder()
            .add_source(config::File::from(path).required(required))
            .add_source(
                config::Environment::with_prefix("PORTCULLIS")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("auth.first_factors")
                    .with_list_parse_key("auth.second_factors")
                    .with_list_parse_key("auth.allowlist")
                    .with_list_parse_key("auth.blocklist")
                    .with_list_parse_key("auth.disabled_providers")
                    .with_list_parse_key("server.cors_origins")
                    .with_list_parse_key("server.allowed_redirect_origins")
                    .with_list_parse_key("server.trusted_proxies")
                    .with_list_parse_key("passkeys.origins")
                    .with_list_parse_key("oidc.registration_grant_types")
                    .with_list_parse_key("oidc.registration_scopes"),
            );
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    /// Cross-key rules that serde cannot express.
    pub fn check(&self) -> anyhow::Result<()> {
        let auth = &self.auth;
        anyhow::ensure!(
            auth.email_address.enabled()
                || auth.phone_number.enabled()
                || auth.username.enabled()
                || auth.web3_wallet.enabled(),
            "[auth] needs at least one identifier: email_address, phone_number, username or web3_wallet"
        );
        anyhow::ensure!(
            auth.password_min_length >= 8 && auth.password_max_length >= auth.password_min_length,
            "[auth] password_min_length must be at least 8 and not above password_max_length"
        );
        anyhow::ensure!(
            auth.password_max_length <= 1024,
            "[auth] password_max_length above 1024 only invites slow-hash abuse"
        );
        for f in &auth.first_factors {
            anyhow::ensure!(
                Strategy::parse(f).is_some_and(|s| s.is_configurable_first_factor()),
                "[auth] first_factors: unknown strategy {f:?}"
            );
        }
        for f in &auth.second_factors {
            anyhow::ensure!(
                Strategy::parse(f).is_some_and(|s| s.is_second_factor()),
                "[auth] second_factors: unknown strategy {f:?}"
            );
        }
        // The set-up page of a pending session offers an authenticator app.
        anyhow::ensure!(
            !auth.mfa_required || auth.second_factors.iter().any(|f| f == "totp"),
            "[auth] mfa_required needs totp among second_factors"
        );
        if !auth.pwned_passwords_url.is_empty() {
            url::Url::parse(&auth.pwned_passwords_url)
                .map_err(|e| anyhow::anyhow!("[auth] pwned_passwords_url: {e}"))?;
        }
        anyhow::ensure!(
            auth.lockout_attempts >= 0 && auth.lockout_secs > 0 && auth.reverification_secs >= 0,
            "[auth] lockout_attempts and reverification_secs cannot be negative, and \
             lockout_secs must be positive"
        );
        anyhow::ensure!(
            auth.session_lifetime_secs > 0 && auth.attempt_lifetime_secs > 0,
            "[auth] lifetimes must be positive"
        );
        // Upper bounds keep every "now + lifetime" in range (these can be set over HTTP at
        // run time, so an absurd value must be refused, not overflow later).
        const TEN_YEARS: i64 = 10 * 366 * 86_400;
        for (name, v) in [
            ("session_lifetime_secs", auth.session_lifetime_secs),
            ("session_inactivity_secs", auth.session_inactivity_secs),
            ("attempt_lifetime_secs", auth.attempt_lifetime_secs),
            ("lockout_secs", auth.lockout_secs),
            ("reverification_secs", auth.reverification_secs),
        ] {
            anyhow::ensure!(
                (0..=TEN_YEARS).contains(&v),
                "[auth] {name} must be between 0 and {TEN_YEARS} (ten years)"
            );
        }
        anyhow::ensure!(
            auth.lockout_attempts <= 1000 && auth.pwned_passwords_timeout_ms <= 60_000,
            "[auth] lockout_attempts is at most 1000 and pwned_passwords_timeout_ms at most 60000"
        );
        anyhow::ensure!(
            auth.allowlist.len() <= 10_000
                && auth.blocklist.len() <= 10_000
                && self.branding.app_name.chars().count() <= 100
                && !self.branding.app_name.trim().is_empty(),
            "[auth] allowlist and blocklist hold at most 10000 entries, and [branding] app_name \
             1 to 100 characters"
        );
        if let Some(k) = auth
            .session_token_claims
            .keys()
            .find(|k| SESSION_TOKEN_RESERVED.contains(&k.as_str()))
        {
            anyhow::bail!("[auth] session_token_claims cannot set {k:?}: Portcullis sets it");
        }
        anyhow::ensure!(
            serde_json::Value::Object(auth.session_token_claims.clone())
                .to_string()
                .len()
                <= SESSION_TOKEN_CLAIMS_MAX_BYTES,
            "[auth] session_token_claims are limited to {SESSION_TOKEN_CLAIMS_MAX_BYTES} bytes"
        );
        for p in &auth.disabled_providers {
            anyhow::ensure!(
                self.providers.contains_key(p),
                "[auth] disabled_providers: {p:?} is not a provider of [providers]"
            );
        }
        if let Some(logo) = &self.branding.logo_url {
            anyhow::ensure!(
                logo.len() <= 2048
                    && (logo.starts_with("https://") || logo.starts_with('/'))
                    && !logo.starts_with("//"),
                "[branding] logo_url must be an https:// URL or a path on this server"
            );
        }
        self.organizations.check()?;
        url::Url::parse(&self.server.public_url)
            .map_err(|e| anyhow::anyhow!("[server] public_url is not a URL: {e}"))?;
        let mut ids = std::collections::HashSet::new();
        for c in &self.clients {
            anyhow::ensure!(
                ids.insert(&c.client_id),
                "[[clients]] {:?} appears twice",
                c.client_id
            );
        }
        let colour = self.branding.primary_color.strip_prefix('#').unwrap_or("");
        anyhow::ensure!(
            matches!(colour.len(), 3 | 6) && colour.bytes().all(|b| b.is_ascii_hexdigit()),
            "[branding] primary_color must be a hex colour like #2451b7"
        );
        for p in &self.server.trusted_proxies {
            anyhow::ensure!(
                portcullis_domain::Cidr::parse(p).is_some(),
                "[server] trusted_proxies {p:?} is not an address or CIDR range"
            );
        }
        let l = &self.limits;
        for (name, r) in [
            ("sign_in_per_ip", l.sign_in_per_ip),
            ("sign_in_per_identifier", l.sign_in_per_identifier),
            ("sign_up_per_ip", l.sign_up_per_ip),
            ("sends_per_destination", l.sends_per_destination),
            ("token_per_client", l.token_per_client),
            ("user_code_per_ip", l.user_code_per_ip),
            ("user_code_per_user", l.user_code_per_user),
        ] {
            anyhow::ensure!(
                r.burst > 0 && r.per_secs > 0,
                "[limits] {name}: burst and per_secs must be positive"
            );
        }
        let o = &self.oidc;
        anyhow::ensure!(
            o.access_token_lifetime_secs > 0
                && o.id_token_lifetime_secs > 0
                && o.refresh_token_lifetime_secs > 0
                && o.refresh_token_absolute_lifetime_secs > 0
                && (1..=600).contains(&o.code_lifetime_secs),
            "[oidc] lifetimes must be positive, and code_lifetime_secs at most 600"
        );
        let mut ids = std::collections::BTreeSet::new();
        let mut domains = std::collections::BTreeSet::new();
        for c in &self.enterprise_connections {
            for d in &c.domains {
                anyhow::ensure!(
                    domains.insert(d.to_lowercase()),
                    "[[enterprise_connections]] {:?}: domain {d:?} is served by another connection",
                    c.name
                );
            }
            c.check()
                .map_err(|e| anyhow::anyhow!("[[enterprise_connections]] {:?}: {e}", c.name))?;
            anyhow::ensure!(
                ids.insert(c.stable_id()),
                "[[enterprise_connections]] {:?}: id {:?} is taken by another connection",
                c.name,
                c.stable_id()
            );
        }
        if self.delivery.sms == SmsDelivery::Http {
            anyhow::ensure!(
                !self.delivery.http_sms.url.is_empty(),
                "[delivery.http_sms] url is required when sms = \"http\""
            );
        }
        Ok(())
    }

    pub fn issuer_is_https(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    pub fn issuer(&self) -> &str {
        self.server.public_url.trim_end_matches('/')
    }

    /// The web origin of `public_url` (`scheme://host[:port]`): what a browser sends as
    /// `Origin` from Portcullis's own pages.
    pub fn issuer_origin(&self) -> String {
        url::Url::parse(&self.server.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| self.issuer().to_owned())
    }
}
