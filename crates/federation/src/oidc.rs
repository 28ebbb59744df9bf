//! OpenID Connect providers through the `openidconnect` crate: discovery (cached for an hour,
//! fetched again when an ID token names a key the cached JWKS lacks), the code flow with
//! PKCE, `state` and `nonce`, and the ID token checked for signature, `iss`, `aud`, `exp` and
//! `nonce`. Unsigned tokens (`alg: none`) are refused by the verifier.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    LoginHint, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError,
};
use secrecy::ExposeSecret;
use tokio::sync::RwLock;

use super::{FederationError, Hints, Identity, Provider, split_name};

const METADATA_MAX_AGE: Duration = Duration::from_secs(3600);

#[derive(Default)]
pub(super) struct Cache(RwLock<Option<(Arc<CoreProviderMetadata>, Instant)>>);

async fn metadata(
    http: &reqwest::Client,
    p: &Provider,
    refresh: bool,
) -> Result<Arc<CoreProviderMetadata>, FederationError> {
    if !refresh
        && let Some((m, at)) = p.oidc.0.read().await.as_ref()
        && at.elapsed() < METADATA_MAX_AGE
    {
        return Ok(m.clone());
    }
    let issuer = IssuerUrl::new(p.issuer.clone().unwrap_or_default())
        .map_err(|e| FederationError::Invalid(format!("issuer: {e}")))?;
    let m = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| FederationError::Unavailable(format!("discovery: {e}")))?;
    let m = Arc::new(m);
    *p.oidc.0.write().await = Some((m.clone(), Instant::now()));
    Ok(m)
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn client(
    p: &Provider,
    m: &CoreProviderMetadata,
    redirect_uri: &str,
) -> Result<Client, FederationError> {
    let redirect = RedirectUrl::new(redirect_uri.to_owned())
        .map_err(|e| FederationError::Invalid(format!("redirect URI: {e}")))?;
    Ok(CoreClient::from_provider_metadata(
        m.clone(),
        ClientId::new(p.client_id.clone()),
        p.client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose_secret().to_owned())),
    )
    .set_redirect_uri(redirect))
}

pub(super) async fn authorization_url(
    http: &reqwest::Client,
    p: &Provider,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
    pkce_verifier: &str,
    hints: &Hints,
) -> Result<String, FederationError> {
    let m = metadata(http, p, false).await?;
    let c = client(p, &m, redirect_uri)?;
    let (state, nonce) = (state.to_owned(), nonce.to_owned());
    let mut req = c.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        move || CsrfToken::new(state),
        move || Nonce::new(nonce),
    );
    for s in p.scopes.iter().filter(|s| *s != "openid") {
        req = req.add_scope(Scope::new(s.clone()));
    }
    if p.pkce {
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            pkce_verifier.to_owned(),
        ));
        req = req.set_pkce_challenge(challenge);
    }
    if let Some(hint) = &hints.login_hint {
        req = req.set_login_hint(LoginHint::new(hint.clone()));
    }
    for prompt in &hints.prompt {
        req = req.add_prompt(match prompt.as_str() {
            "none" => CoreAuthPrompt::None,
            "login" => CoreAuthPrompt::Login,
            "consent" => CoreAuthPrompt::Consent,
            _ => CoreAuthPrompt::SelectAccount,
        });
    }
    let (url, _, _) = req.url();
    Ok(url.to_string())
}

pub(super) async fn identity(
    http: &reqwest::Client,
    p: &Provider,
    redirect_uri: &str,
    code: &str,
    nonce: &str,
    pkce_verifier: &str,
) -> Result<Identity, FederationError> {
    let m = metadata(http, p, false).await?;
    let c = client(p, &m, redirect_uri)?;
    let mut req = c
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| FederationError::Invalid(format!("token endpoint: {e}")))?;
    if p.pkce {
        req = req.set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
    }
    let tokens = req.request_async(http).await.map_err(|e| match e {
        RequestTokenError::ServerResponse(r) => {
            FederationError::Invalid(format!("the token endpoint refused the code: {r}"))
        }
        RequestTokenError::Request(e) => {
            FederationError::Unavailable(format!("token endpoint: {e}"))
        }
        other => FederationError::Invalid(format!("token endpoint: {other}")),
    })?;
    use openidconnect::TokenResponse as _;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| FederationError::Invalid("no ID token in the token response".into()))?;
    let nonce = Nonce::new(nonce.to_owned());
    let claims = match id_token.claims(&c.id_token_verifier(), &nonce) {
        Ok(claims) => claims.clone(),
        // A key the cached JWKS does not have: the provider may have rotated. Fetch the
        // metadata (and its JWKS) again, once.
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            let fresh = metadata(http, p, true).await?;
            let c = client(p, &fresh, redirect_uri)?;
            id_token
                .claims(&c.id_token_verifier(), &nonce)
                .map_err(|e| FederationError::Invalid(format!("ID token: {e}")))?
                .clone()
        }
        Err(e) => return Err(FederationError::Invalid(format!("ID token: {e}"))),
    };
    let given = claims
        .given_name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string());
    let family = claims
        .family_name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string());
    let (first_name, last_name) = match (given, family) {
        (None, None) => claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| split_name(n))
            .unwrap_or((None, None)),
        pair => pair,
    };
    Ok(Identity {
        provider: p.key.clone(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(p.trust_email),
        first_name,
        last_name,
        username: claims.preferred_username().map(|u| u.to_string()),
        image_url: claims
            .picture()
            .and_then(|u| u.get(None))
            .map(|u| u.to_string()),
        mfa: false,
    })
}
