//! Relying-party clients: the rules every client's settings follow, the client registry from
//! config, and the one place that decides whether a redirect URI is registered. Looking a
//! client up in the database and authenticating it is the OpenID provider's (`portcullis-oidc`).

use std::collections::HashMap;

use portcullis_config::ClientSettings;
use portcullis_domain::crypto::KeyedHasher;
pub use portcullis_domain::redirect::{check_redirect_uri, uri_registered};

pub const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "client_credentials",
    DEVICE_CODE_GRANT,
    TOKEN_EXCHANGE_GRANT,
];
/// The token exchange grant's `grant_type` (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The device authorization grant's `grant_type` (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// Algorithms a client may sign its request objects with (RFC 9101): asymmetric ones only,
/// never `none` or an HMAC.
pub const REQUEST_OBJECT_ALGS: &[&str] = &["RS256", "PS256", "ES256", "ES384", "EdDSA"];
/// Algorithms a client may ask its ID tokens to be signed with.
pub const ID_TOKEN_ALGS: &[&str] = crate::keys::ALGS;

#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub settings: ClientSettings,
    /// Keyed hash of the secret; None for public clients.
    pub secret_hash: Option<String>,
}

impl OAuthClient {
    pub fn id(&self) -> &str {
        &self.settings.client_id
    }

    /// No secret and no keys: a SPA or native app that cannot keep a secret.
    pub fn is_public(&self) -> bool {
        self.secret_hash.is_none() && !self.has_keys()
    }

    /// The client registered public keys (`jwks` or `jwks_uri`): it authenticates with
    /// `private_key_jwt` and may sign request objects.
    pub fn has_keys(&self) -> bool {
        self.settings.jwks.is_some() || self.settings.jwks_uri.is_some()
    }

    /// The host that pairwise subjects are computed for (OIDC Core §8.1).
    pub fn sector(&self) -> String {
        self.settings
            .redirect_uris
            .first()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| self.settings.client_id.clone())
    }

    pub fn name(&self) -> &str {
        self.settings
            .name
            .as_deref()
            .unwrap_or(&self.settings.client_id)
    }

    pub fn allows_grant(&self, grant: &str) -> bool {
        self.settings.grant_types.iter().any(|g| g == grant)
    }

    pub fn allows_scope(&self, scope: &str) -> bool {
        self.settings.scopes.iter().any(|s| s == scope)
    }

    /// RFC 6749 §3.1.2.3 and the OAuth 2.0 Security BCP: the redirect URI must equal a
    /// registered one character for character. The one exception is RFC 8252 §7.3: a native
    /// app (a public client) redirecting to a loopback IP may use any port.
    pub fn redirect_uri_registered(&self, given: &str) -> bool {
        uri_registered(&self.settings.redirect_uris, given, self.is_public())
    }

    pub fn post_logout_uri_registered(&self, given: &str) -> bool {
        // Exact, for every client: RP-Initiated Logout 1.0 §3 has no loopback exception.
        uri_registered(&self.settings.post_logout_redirect_uris, given, false)
    }
}

/// A URI Portcullis itself will call for a client that registered itself (back-channel
/// logout): https, and never a loopback, private, link-local or otherwise internal address,
/// so that registering is no way to make the server send requests into its own network.
/// Clients in config are the operator's and may use anything.
pub fn check_outbound_uri(uri: &str) -> Result<(), String> {
    let u = url::Url::parse(uri).map_err(|_| "must be an absolute URL".to_owned())?;
    if u.scheme() != "https" {
        return Err("must use https".into());
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("must not carry credentials".into());
    }
    let internal = match u.host() {
        None => true,
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost"
                || !d.contains('.')
                || [
                    ".localhost",
                    ".local",
                    ".internal",
                    ".localdomain",
                    ".home.arpa",
                ]
                .iter()
                .any(|t| d.ends_with(t))
        }
        Some(url::Host::Ipv4(ip)) => is_internal(ip.into()),
        Some(url::Host::Ipv6(ip)) => is_internal(ip.into()),
    };
    if internal {
        return Err("must not point at a loopback, private or link-local host".into());
    }
    Ok(())
}

/// Whether an address is this machine's or its network's rather than the internet's:
/// loopback, private, link-local (cloud metadata), shared (RFC 6598), unspecified,
/// broadcast, multicast, IPv6 unique local (RFC 4193), and IPv4 mapped into IPv6.
pub fn is_internal(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
        }
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal(v4.into()),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
            }
        },
    }
}

/// The id prefix of clients that registered themselves (RFC 7591).
pub const REGISTERED_PREFIX: &str = "dyn";

impl OAuthClient {
    /// Whether the client registered itself rather than being set up by the operator.
    pub fn self_registered(&self) -> bool {
        self.id()
            .strip_prefix(REGISTERED_PREFIX)
            .is_some_and(|rest| rest.starts_with('_'))
    }
}

/// Rules every client must follow, from config or from registration.
/// `#rgb` or `#rrggbb`: what a page's stylesheet can take as it is.
pub fn is_hex_colour(v: &str) -> bool {
    v.strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Front-Channel Logout 1.0 §2: an absolute https URL (http on loopback, for development),
/// without a fragment; the end-session page adds `iss` and `sid` to its query. Its origin goes
/// into that page's `frame-src`, so it must be a plain origin.
pub fn check_frontchannel_uri(uri: &str) -> Result<(), String> {
    check_redirect_uri(uri).map_err(|e| format!("frontchannel_logout_uri: {e}"))?;
    let parsed = url::Url::parse(uri).map_err(|e| format!("frontchannel_logout_uri: {e}"))?;
    if parsed.fragment().is_some() {
        return Err("frontchannel_logout_uri must not have a fragment".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("frontchannel_logout_uri must not carry credentials".into());
    }
    match parsed.scheme() {
        "https" | "http" => Ok(()),
        _ => Err("frontchannel_logout_uri must be an http(s) URL".into()),
    }
}

/// A logo the hosted pages show for a client: an https URL without credentials (the pages'
/// CSP loads images over https only), at most 2,000 characters.
pub fn check_logo_uri(uri: &str) -> Result<(), String> {
    let bad = || Err("logo_uri must be an https URL".to_owned());
    if uri.len() > 2000 {
        return bad();
    }
    match url::Url::parse(uri) {
        Ok(u) if u.scheme() == "https" && u.username().is_empty() && u.password().is_none() => {
            Ok(())
        }
        _ => bad(),
    }
}

pub fn check_settings(c: &ClientSettings) -> Result<(), String> {
    let id_ok = !c.client_id.is_empty()
        && c.client_id.len() <= 128
        && c.client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !id_ok {
        return Err(
            "client_id must be 1-128 characters of letters, digits, '.', '_' or '-'".into(),
        );
    }
    for g in &c.grant_types {
        if !GRANT_TYPES.contains(&g.as_str()) {
            return Err(format!("unknown grant type {g:?}"));
        }
    }
    let has_keys = c.jwks.is_some() || c.jwks_uri.is_some();
    if c.grant_types.iter().any(|g| g == TOKEN_EXCHANGE_GRANT)
        && c.client_secret.is_none()
        && !has_keys
    {
        return Err("token exchange needs a confidential client (a secret or keys)".into());
    }
    if c.token_exchange_impersonation && !c.grant_types.iter().any(|g| g == TOKEN_EXCHANGE_GRANT) {
        return Err(format!(
            "token_exchange_impersonation needs the {TOKEN_EXCHANGE_GRANT} grant"
        ));
    }
    if c.client_secret.is_none()
        && !has_keys
        && c.grant_types.iter().any(|g| g == "client_credentials")
    {
        return Err("client_credentials needs a client secret or keys".into());
    }
    if c.grant_types.iter().any(|g| g == "authorization_code") && c.redirect_uris.is_empty() {
        return Err("authorization_code needs at least one redirect URI".into());
    }
    for uri in c.redirect_uris.iter().chain(&c.post_logout_redirect_uris) {
        check_redirect_uri(uri)?;
    }
    match c.subject_type.as_str() {
        "public" => {}
        "pairwise" => {
            let hosts: std::collections::HashSet<Option<String>> = c
                .redirect_uris
                .iter()
                .map(|u| {
                    url::Url::parse(u)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_owned))
                })
                .collect();
            if hosts.len() > 1 {
                return Err("pairwise clients need all redirect URIs on one host".into());
            }
        }
        other => return Err(format!("subject_type {other:?} must be public or pairwise")),
    }
    if let Some(jwks) = &c.jwks {
        crate::jwks::client_keys(jwks).map_err(|e| format!("jwks: {e}"))?;
        if c.client_secret.is_some() {
            return Err("a client authenticates with a secret or with keys, not both".into());
        }
    }
    if let Some(uri) = &c.jwks_uri {
        if c.jwks.is_some() {
            return Err("give jwks or jwks_uri, not both".into());
        }
        if c.client_secret.is_some() {
            return Err("a client authenticates with a secret or with keys, not both".into());
        }
        check_redirect_uri(uri).map_err(|e| format!("jwks_uri: {e}"))?;
        if url::Url::parse(uri).is_ok_and(|u| !matches!(u.scheme(), "https" | "http")) {
            return Err("jwks_uri must be an http(s) URL".into());
        }
    }
    if let Some(alg) = &c.request_object_signing_alg
        && !REQUEST_OBJECT_ALGS.contains(&alg.as_str())
    {
        return Err(format!(
            "request_object_signing_alg {alg:?} is not supported ({})",
            REQUEST_OBJECT_ALGS.join(", ")
        ));
    }
    if let Some(alg) = &c.token_endpoint_auth_signing_alg
        && !REQUEST_OBJECT_ALGS.contains(&alg.as_str())
    {
        return Err(format!(
            "token_endpoint_auth_signing_alg {alg:?} is not supported ({})",
            REQUEST_OBJECT_ALGS.join(", ")
        ));
    }
    if c.require_signed_request_object && !has_keys {
        return Err(
            "require_signed_request_object needs the client's keys (jwks or jwks_uri)".into(),
        );
    }
    if let Some(uri) = &c.backchannel_logout_uri {
        check_redirect_uri(uri).map_err(|e| format!("backchannel_logout_uri: {e}"))?;
    }
    if let Some(uri) = &c.frontchannel_logout_uri {
        check_frontchannel_uri(uri)?;
    }
    if let Some(uri) = &c.logo_uri {
        check_logo_uri(uri)?;
    }
    if let Some(colour) = &c.brand_color
        && !is_hex_colour(colour)
    {
        return Err("brand_color must be a hex colour like #2451b7".into());
    }
    if !ID_TOKEN_ALGS.contains(&c.id_token_signed_response_alg.as_str()) {
        return Err(format!(
            "id_token_signed_response_alg {:?} is not supported (ES256, RS256 or EdDSA)",
            c.id_token_signed_response_alg
        ));
    }
    for s in &c.scopes {
        if s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        {
            return Err(format!(
                "scope {s:?} is not a valid scope token (RFC 6749 §3.3)"
            ));
        }
    }
    Ok(())
}

/// Clients from config, secrets hashed once at start-up.
pub struct Registry {
    config: HashMap<String, OAuthClient>,
    /// Clients from the database, as last read.
    pub stored: StoredClients,
}

/// The stored clients this instance has looked up, so that a token costs no database
/// statement once its client is known. Forgotten all at once on every change to any stored
/// client: changes are rare (an operator's or a client's own edit), lookups are every
/// request. Only clients that exist are kept, and at most [`STORED_CLIENTS`] of them, so a
/// stream of made-up ids fills nothing.
pub struct StoredClients {
    entries: std::sync::RwLock<HashMap<String, std::sync::Arc<OAuthClient>>>,
    /// Moves on at every forgetting: a lookup that began before one must not keep what it
    /// read, which may be the state before the change.
    epoch: std::sync::atomic::AtomicU64,
    /// The database's change count when the cache was last emptied, or -1 before the first
    /// comparison.
    generation: std::sync::atomic::AtomicI64,
}

impl Default for StoredClients {
    fn default() -> Self {
        Self {
            entries: std::sync::RwLock::default(),
            epoch: std::sync::atomic::AtomicU64::new(0),
            generation: std::sync::atomic::AtomicI64::new(-1),
        }
    }
}

/// How many stored clients an instance keeps in memory.
pub const STORED_CLIENTS: usize = 10_000;

impl StoredClients {
    pub fn get(&self, id: &str) -> Option<std::sync::Arc<OAuthClient>> {
        self.entries.read().ok()?.get(id).cloned()
    }

    /// Where a lookup begins: pass it to [`StoredClients::keep`] with what the database said.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Keeps `client`, read from the database after `epoch` was taken, unless the clients
    /// were forgotten since (the read may predate the change).
    pub fn keep(&self, epoch: u64, client: std::sync::Arc<OAuthClient>) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        // Checked under the lock that `forget_all` takes too, so a forgetting cannot slip in
        // between this check and the insert.
        if self.epoch() != epoch || entries.len() >= STORED_CLIENTS {
            return;
        }
        entries.insert(client.id().to_owned(), client);
    }

    /// Forgets every stored client (one of them changed).
    pub fn forget_all(&self) {
        let mut entries = match self.entries.write() {
            Ok(e) => e,
            Err(poisoned) => poisoned.into_inner(),
        };
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        entries.clear();
    }

    /// Compares the database's change count with the one last seen, and forgets everything
    /// when it moved. True when it did.
    pub fn compare(&self, generation: i64) -> bool {
        use std::sync::atomic::Ordering;
        let seen = self.generation.swap(generation, Ordering::AcqRel);
        if seen != generation {
            self.forget_all();
            return seen >= 0;
        }
        false
    }
}

impl Registry {
    pub fn new(clients: &[ClientSettings], hasher: &KeyedHasher) -> Self {
        use secrecy::ExposeSecret;
        let config = clients
            .iter()
            .map(|c| {
                let secret_hash = c
                    .client_secret
                    .as_ref()
                    .map(|s| hasher.hash("client_secret", s.expose_secret()));
                (
                    c.client_id.clone(),
                    OAuthClient {
                        settings: c.clone(),
                        secret_hash,
                    },
                )
            })
            .collect();
        Self {
            config,
            stored: StoredClients::default(),
        }
    }

    pub fn is_configured(&self, id: &str) -> bool {
        self.config.contains_key(id)
    }

    /// The client declared in config under this id.
    pub fn get(&self, id: &str) -> Option<&OAuthClient> {
        self.config.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbound_uris_of_registered_clients_are_public_https() {
        for ok in [
            "https://rp.example.com/logout",
            "https://203.0.113.9/bc",
            "https://[2001:db8::1]/bc",
        ] {
            assert_eq!(check_outbound_uri(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://rp.example.com/logout",
            "https://127.0.0.1/internal",
            "https://127.1.2.3:8443/x",
            "https://10.0.0.5/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://localhost/x",
            "https://api.localhost/x",
            "https://db.internal/x",
            "https://intranet/x",
            "https://user:pw@rp.example.com/x",
            "not a url",
        ] {
            assert!(check_outbound_uri(bad).is_err(), "{bad}");
        }
    }

    fn stored(id: &str) -> std::sync::Arc<OAuthClient> {
        let settings: ClientSettings = serde_json::from_value(serde_json::json!({
            "client_id": id, "redirect_uris": ["https://app.example.com/cb"]
        }))
        .unwrap();
        std::sync::Arc::new(OAuthClient {
            settings,
            secret_hash: Some("old".into()),
        })
    }

    #[test]
    fn a_lookup_older_than_a_change_is_not_kept() {
        let cache = StoredClients::default();
        let before = cache.epoch();
        cache.keep(before, stored("a"));
        assert!(cache.get("a").is_some());
        // A lookup starts, the client changes, the lookup ends with the old row.
        let started = cache.epoch();
        cache.forget_all();
        cache.keep(started, stored("a"));
        assert!(cache.get("a").is_none(), "the stale row is not kept");
        cache.keep(cache.epoch(), stored("a"));
        assert!(cache.get("a").is_some());
    }

    #[test]
    fn a_moved_generation_empties_the_cache() {
        let cache = StoredClients::default();
        assert!(!cache.compare(4), "the first comparison only records");
        cache.keep(cache.epoch(), stored("a"));
        assert!(!cache.compare(4));
        assert!(cache.get("a").is_some());
        assert!(cache.compare(5));
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = StoredClients::default();
        for i in 0..STORED_CLIENTS + 3 {
            cache.keep(cache.epoch(), stored(&format!("c{i}")));
        }
        assert_eq!(cache.entries.read().unwrap().len(), STORED_CLIENTS);
    }

    #[test]
    fn settings_are_checked() {
        let mut c: ClientSettings = serde_json::from_value(serde_json::json!({
            "client_id": "demo", "redirect_uris": ["https://app.example.com/cb"]
        }))
        .unwrap();
        assert!(check_settings(&c).is_ok());
        c.redirect_uris = vec!["http://app.example.com/cb".into()];
        assert!(check_settings(&c).is_err());
        c.redirect_uris = vec!["https://app.example.com/cb#x".into()];
        assert!(check_settings(&c).is_err());
        c.redirect_uris = vec!["https://app.example.com/cb".into()];
        c.grant_types = vec!["client_credentials".into()];
        assert!(
            check_settings(&c).is_err(),
            "public clients have no client_credentials"
        );
        c.grant_types = vec!["implicit".into()];
        assert!(check_settings(&c).is_err());
    }
}
