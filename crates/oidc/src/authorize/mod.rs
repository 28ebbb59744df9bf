//! The authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2): validate the request, make
//! sure the browser has a suitable session and the user's consent, then issue a code.
//! Nothing here knows HTTP; the web layer renders each `Outcome`. The checks of the request
//! itself are an ordered list of small functions in `checks`.

mod checks;
pub mod par;
pub mod request_object;

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::claims::{ACR_MULTI_FACTOR, ACR_ONE_FACTOR, AuthFacts, acr_for, amr_for};
use super::clients::{self, OAuthClient};
use super::error::OAuthResult;
use crate::crypto;
use crate::flows::Ctx;
use crate::flows::client::ClientCtx;
use crate::flows::session;
use crate::store::oauth as repo;
use crate::store::sessions::SessionRow;

/// An authorization request kept while the user signs in or consents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    pub id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Vec<String>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The relying party's `ui_locales` (OIDC Core §3.1.2.1), most preferred first: the
    /// language of the pages this request leads through.
    #[serde(default)]
    pub ui_locales: Vec<String>,
    pub id_token_hint: Option<String>,
    pub claims: Option<Value>,
    /// RFC 9449 §10: the code is redeemed only with a DPoP proof by this key.
    #[serde(default)]
    pub dpop_jkt: Option<String>,
    /// OIDC Core §3.1.2.1: the authentication context classes the client accepts.
    #[serde(default)]
    pub acr_values: Vec<String>,
    /// Where the pushed request this came from is kept (RFC 9126): spent when the code is
    /// issued, so it yields one code.
    #[serde(default)]
    pub pushed_key: Option<String>,
    /// Unix ms; `prompt=login` needs an authentication after this.
    pub requested_at: i64,
    /// Synchroniser token of the consent form.
    pub csrf: String,
    /// The request was read from where it is kept (it went through sign-in or consent), so
    /// issuing its code deletes it there; a request answered at once was never kept.
    #[serde(skip)]
    pub kept: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    FormPost,
}

/// A code waiting at the token endpoint (single use, short-lived).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub claims: Option<Value>,
    pub auth: AuthFacts,
    pub expire_at: i64,
    /// The key (JWK thumbprint) the token request's DPoP proof must be made with.
    #[serde(default)]
    pub dpop_jkt: Option<String>,
}

/// Where the browser goes next.
#[derive(Debug)]
pub enum Outcome {
    /// The client or redirect URI cannot be trusted: show the error, never redirect
    /// (RFC 6749 §4.1.2.1).
    ErrorPage { message: String },
    /// Back to the client, with a code or an error.
    Redirect {
        redirect_uri: String,
        mode: ResponseMode,
        params: Vec<(String, String)>,
    },
    /// The user must sign in first; the URL returns to this request afterwards.
    SignIn { url: String },
    /// A third-party client needs the user's consent.
    Consent {
        request: Box<AuthRequest>,
        client: Box<OAuthClient>,
    },
}

const REQUEST_TTL_SECS: u64 = 600;

fn request_key(id: &str) -> String {
    format!("authz_request:{id}")
}

pub fn code_key(ctx: &Ctx, code: &str) -> String {
    format!("authz_code:{}", ctx.tokens.hash("authz_code", code))
}

fn error_redirect(
    req_uri: &str,
    mode: ResponseMode,
    state: Option<&str>,
    issuer: &str,
    error: &str,
    description: &str,
) -> Outcome {
    let mut params = vec![
        ("error".to_owned(), error.to_owned()),
        ("error_description".to_owned(), description.to_owned()),
    ];
    if let Some(s) = state {
        params.push(("state".into(), s.to_owned()));
    }
    // RFC 9207: the issuer accompanies every authorization response.
    params.push(("iss".into(), issuer.to_owned()));
    Outcome::Redirect {
        redirect_uri: req_uri.to_owned(),
        mode,
        params,
    }
}

/// `GET|POST /oauth/authorize`.
pub async fn start(ctx: &Ctx, p: &HashMap<String, String>, cc: &ClientCtx) -> OAuthResult<Outcome> {
    // A pushed request (RFC 9126 §4): its own parameters replace everything but client_id.
    let pushed_uri = p
        .get("request_uri")
        .map(|v| v.trim())
        .filter(|v| v.starts_with(par::URN_PREFIX));
    let mut signed = false;
    let pushed = match pushed_uri {
        Some(uri) => {
            let Some(client_id) = p.get("client_id").map(|v| v.trim()) else {
                return Ok(Outcome::ErrorPage {
                    message: "The application did not say who it is (client_id is missing).".into(),
                });
            };
            match par::find(ctx, client_id, uri).await? {
                Some((params, came_signed)) => {
                    signed = came_signed;
                    Some(params)
                }
                None => {
                    return Ok(Outcome::ErrorPage {
                        message: "This sign-in request has expired or was already used. Go \
                                  back to the application and start again."
                            .into(),
                    });
                }
            }
        }
        None => None,
    };
    let was_pushed = pushed.is_some();
    // A request object sent by value (RFC 9101 §5.1): once verified, its parameters alone
    // are the request (§6.3). One that fails is shown, not redirected: nothing in it, the
    // redirect URI included, can be trusted.
    let by_value = match p.get("request").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(jwt) if !was_pushed => {
            if p.get("request_uri").is_some_and(|v| !v.trim().is_empty()) {
                return Ok(Outcome::ErrorPage {
                    message: "The application sent both request and request_uri.".into(),
                });
            }
            let client = match p.get("client_id").map(|v| v.trim()) {
                Some(id) => clients::find(ctx, id).await?,
                None => None,
            };
            let Some(client) = client else {
                return Ok(Outcome::ErrorPage {
                    message: "The application that sent you here is not registered.".into(),
                });
            };
            match request_object::unpack(ctx, &client, jwt).await {
                Ok(params) => {
                    signed = true;
                    Some(params)
                }
                Err(e) if e.error == "invalid_request_object" => {
                    return Ok(Outcome::ErrorPage {
                        message: format!(
                            "The application's signed request cannot be used. {}",
                            e.description
                        ),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        _ => None,
    };
    let p = pushed.as_ref().or(by_value.as_ref()).unwrap_or(p);
    let q = checks::Query(p);
    let get = |k: &str| q.get(k);
    // 1. Client and redirect URI: failures here are shown, never redirected.
    let Some(client_id) = get("client_id") else {
        return Ok(Outcome::ErrorPage {
            message: "The application did not say who it is (client_id is missing).".into(),
        });
    };
    let Some(client) = clients::find(ctx, client_id).await? else {
        return Ok(Outcome::ErrorPage {
            message: "The application that sent you here is not registered.".into(),
        });
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Ok(Outcome::ErrorPage {
            message: "The application did not say where to return you (redirect_uri is missing)."
                .into(),
        });
    };
    if !client.redirect_uri_registered(redirect_uri) {
        return Ok(Outcome::ErrorPage {
            message: "The application asked to return you to an address it has not registered."
                .into(),
        });
    }
    let state = get("state");
    let settings = ctx.settings();
    let issuer = settings.issuer();
    let mode = match get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => {
            return Ok(error_redirect(
                redirect_uri,
                ResponseMode::Query,
                state,
                issuer,
                "invalid_request",
                "response_mode must be query or form_post.",
            ));
        }
    };
    // RFC 9126 §5: a client (or an instance) that requires pushed requests takes no other.
    if !was_pushed
        && (client.settings.require_pushed_authorization_requests
            || settings.oidc.require_pushed_authorization_requests)
    {
        return Ok(error_redirect(
            redirect_uri,
            mode,
            state,
            issuer,
            "invalid_request",
            "This client's authorization requests must be pushed to the PAR endpoint first.",
        ));
    }
    // RFC 9101 §10.5: a client that signs every request takes no unsigned one.
    if client.settings.require_signed_request_object && !signed {
        return Ok(error_redirect(
            redirect_uri,
            mode,
            state,
            issuer,
            "invalid_request",
            "This client's authorization requests must be signed request objects.",
        ));
    }
    // 2. The rest of the request, checked in order and reported to the client.
    let checked = match checks::run(&q, &client) {
        Ok(c) => c,
        Err((error, description)) => {
            return Ok(error_redirect(
                redirect_uri,
                mode,
                state,
                issuer,
                error,
                &description,
            ));
        }
    };

    let request = AuthRequest {
        id: crate::domain::new_id("areq"),
        client_id: client.id().to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        response_mode: mode,
        scopes: checked.scopes,
        state: state.map(str::to_owned),
        nonce: get("nonce").map(str::to_owned),
        code_challenge: checked.code_challenge,
        prompt: checked.prompt,
        max_age: checked.max_age,
        login_hint: get("login_hint").map(str::to_owned),
        // Space-separated BCP 47 tags; kept as given (at most ten), matched when rendered.
        ui_locales: get("ui_locales")
            .map(|v| v.split_whitespace().take(10).map(str::to_owned).collect())
            .unwrap_or_default(),
        id_token_hint: get("id_token_hint").map(str::to_owned),
        claims: checked.claims,
        dpop_jkt: checked.dpop_jkt,
        acr_values: checked.acr_values,
        pushed_key: pushed_uri
            .filter(|_| was_pushed)
            .map(|uri| par::key(ctx, uri)),
        requested_at: ctx.now(),
        csrf: crypto::random_token(),
        kept: false,
    };
    proceed(ctx, request, client, cc).await
}

async fn save_request(ctx: &Ctx, r: &AuthRequest) -> OAuthResult<()> {
    let raw = serde_json::to_string(r).map_err(anyhow::Error::new)?;
    ctx.eph
        .put(
            &request_key(&r.id),
            &raw,
            Duration::from_secs(REQUEST_TTL_SECS),
        )
        .await?;
    Ok(())
}

pub async fn load_request(ctx: &Ctx, id: &str) -> OAuthResult<Option<AuthRequest>> {
    Ok(match ctx.eph.get(&request_key(id)).await? {
        Some(raw) => serde_json::from_str::<AuthRequest>(&raw)
            .ok()
            .map(|r| AuthRequest { kept: true, ..r }),
        None => None,
    })
}

/// Back from the sign-in page: `/oauth/authorize/resume?id=…`.
pub async fn resume(ctx: &Ctx, id: &str, cc: &ClientCtx) -> OAuthResult<Outcome> {
    let Some(request) = load_request(ctx, id).await? else {
        return Ok(Outcome::ErrorPage {
            message:
                "This sign-in request has expired. Go back to the application and start again."
                    .into(),
        });
    };
    let Some(client) = clients::find(ctx, &request.client_id).await? else {
        return Ok(Outcome::ErrorPage {
            message: "The application that sent you here is no longer registered.".into(),
        });
    };
    proceed(ctx, request, client, cc).await
}

/// The browser's active session, if it has one (its row: nothing here needs the user).
pub async fn current_session(ctx: &Ctx, cc: &ClientCtx) -> OAuthResult<Option<SessionRow>> {
    let Some(sid) = cc.last_active_session() else {
        return Ok(None);
    };
    Ok(session::active_row(ctx, cc, &sid).await?)
}

/// Keeps `request` and sends the browser to `url` first (to sign in, or to prove a second
/// factor), with a `redirect_url` that comes back to the request.
async fn detour(ctx: &Ctx, request: &AuthRequest, mut url: url::Url) -> OAuthResult<Outcome> {
    save_request(ctx, request).await?;
    let resume = format!(
        "{}/oauth/authorize/resume?id={}",
        ctx.settings().issuer(),
        request.id
    );
    url.query_pairs_mut().append_pair("redirect_url", &resume);
    Ok(Outcome::SignIn {
        url: url.to_string(),
    })
}

/// When the session last proved who the user is (unix ms).
fn authenticated_at(s: &SessionRow) -> i64 {
    s.second_factor_at.unwrap_or(0).max(s.first_factor_at)
}

async fn proceed(
    ctx: &Ctx,
    request: AuthRequest,
    client: OAuthClient,
    cc: &ClientCtx,
) -> OAuthResult<Outcome> {
    let issuer = ctx.settings().issuer().to_owned();
    let fail = |r: &AuthRequest, error: &str, description: &str| {
        error_redirect(
            &r.redirect_uri,
            r.response_mode,
            r.state.as_deref(),
            &issuer,
            error,
            description,
        )
    };
    let session = current_session(ctx, cc).await?;
    let now = ctx.now();
    let hinted_sub = match &request.id_token_hint {
        Some(hint) => match ctx.keys.current().verify(hint, &issuer, "JWT", false) {
            Some(claims) => claims.get("sub").and_then(Value::as_str).map(str::to_owned),
            None => {
                return Ok(fail(
                    &request,
                    "invalid_request",
                    "id_token_hint is not an ID token issued here.",
                ));
            }
        },
        None => None,
    };
    let needs_login = match &session {
        None => true,
        Some(s) => {
            let at = authenticated_at(s);
            (request.prompt.iter().any(|p| p == "login") && at < request.requested_at)
                || request.max_age.is_some_and(|m| now - at > m * 1000)
                || hinted_sub
                    .as_ref()
                    .is_some_and(|sub| *sub != super::claims::subject(ctx, &client, &s.user_id))
        }
    };
    let none = request.prompt.iter().any(|p| p == "none");
    if needs_login {
        if none {
            return Ok(fail(
                &request,
                "login_required",
                "The user is not signed in.",
            ));
        }
        let mut url = url::Url::parse(&format!("{issuer}/"))
            .and_then(|base| base.join(&ctx.settings().oidc.sign_in_url))
            .map_err(|e| anyhow::anyhow!("[oidc] sign_in_url: {e}"))?;
        if let Some(h) = &request.login_hint {
            url.query_pairs_mut().append_pair("login_hint", h);
        }
        // A session exists but is not good enough: the page must sign the user in again.
        if session.is_some() {
            url.query_pairs_mut().append_pair("prompt", "login");
        }
        return detour(ctx, &request, url).await;
    }
    let Some(session) = session else {
        return Ok(fail(
            &request,
            "login_required",
            "The user is not signed in.",
        ));
    };
    // Step-up (OIDC Core §3.1.2.1 `acr_values`): a client that accepts only multi-factor
    // sign-ins gets none from a one-factor session. The user proves a second factor (setting
    // one up first when there is none), and comes back here.
    if wants_multi_factor(&request.acr_values) && auth_facts(&session).acr != ACR_MULTI_FACTOR {
        if none {
            return Ok(fail(
                &request,
                "interaction_required",
                "The user must verify a second factor first.",
            ));
        }
        let mut url = url::Url::parse(&format!("{issuer}/user/reverify"))
            .map_err(|e| anyhow::anyhow!("step-up URL: {e}"))?;
        url.query_pairs_mut().append_pair("level", "second_factor");
        return detour(ctx, &request, url).await;
    }

    if !client.settings.first_party {
        let granted = repo::consented_scopes(&ctx.db, &session.user_id, client.id())
            .await?
            .unwrap_or_default();
        let covered = request.scopes.iter().all(|s| granted.contains(s));
        let asked = request.prompt.iter().any(|p| p == "consent");
        if !covered || asked {
            if none {
                return Ok(fail(
                    &request,
                    "consent_required",
                    "The user has not consented to this application.",
                ));
            }
            save_request(ctx, &request).await?;
            return Ok(Outcome::Consent {
                request: Box::new(request),
                client: Box::new(client),
            });
        }
    }
    issue_code(ctx, &request, &session).await
}

/// The consent form's answer. `csrf` must be the token the form was rendered with, and the
/// same browser session must still be signed in.
pub async fn decide(
    ctx: &Ctx,
    id: &str,
    csrf: &str,
    allow: bool,
    cc: &ClientCtx,
) -> OAuthResult<Outcome> {
    let Some(request) = load_request(ctx, id).await? else {
        return Ok(Outcome::ErrorPage {
            message:
                "This consent request has expired. Go back to the application and start again."
                    .into(),
        });
    };
    use subtle::ConstantTimeEq;
    if !bool::from(csrf.as_bytes().ct_eq(request.csrf.as_bytes())) {
        return Ok(Outcome::ErrorPage { message: "This form has expired or was not sent from this page. Go back to the application and start again.".into() });
    }
    let Some(session) = current_session(ctx, cc).await? else {
        return resume(ctx, id, cc).await;
    };
    ctx.eph.delete(&request_key(id)).await?;
    let settings = ctx.settings();
    let issuer = settings.issuer();
    if !allow {
        return Ok(error_redirect(
            &request.redirect_uri,
            request.response_mode,
            request.state.as_deref(),
            issuer,
            "access_denied",
            "The user declined.",
        ));
    }
    repo::save_consent(
        &ctx.db,
        &session.user_id,
        &request.client_id,
        &request.scopes,
        ctx.now(),
    )
    .await?;
    issue_code(ctx, &request, &session).await
}

/// Whether `acr_values` accept only a multi-factor sign-in: they name Portcullis's
/// multi-factor class and not its one-factor one (classes Portcullis does not know are
/// voluntary, OIDC Core §3.1.2.1, and ignored).
fn wants_multi_factor(acr_values: &[String]) -> bool {
    acr_values.iter().any(|a| a == ACR_MULTI_FACTOR)
        && !acr_values.iter().any(|a| a == ACR_ONE_FACTOR)
}

/// What a session says of the user's sign-in, for the tokens issued from it.
pub fn auth_facts(session: &SessionRow) -> AuthFacts {
    let factors: Vec<String> = serde_json::from_str(&session.factors).unwrap_or_default();
    let amr = amr_for(&factors);
    AuthFacts {
        user_id: session.user_id.clone(),
        session_id: Some(session.id.clone()),
        auth_time: authenticated_at(session) / 1000,
        acr: acr_for(&amr),
        amr,
    }
}

async fn issue_code(
    ctx: &Ctx,
    request: &AuthRequest,
    session: &SessionRow,
) -> OAuthResult<Outcome> {
    let grant = CodeGrant {
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        scopes: request.scopes.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        claims: request.claims.clone(),
        dpop_jkt: request.dpop_jkt.clone(),
        auth: auth_facts(session),
        expire_at: ctx.now() + ctx.settings().oidc.code_lifetime_secs * 1000,
    };
    // A pushed request yields one code: of two browsers finishing with the same request_uri,
    // one gets it.
    if let Some(key) = &request.pushed_key
        && ctx.eph.take(key).await?.is_none()
    {
        if request.kept {
            ctx.eph.delete(&request_key(&request.id)).await?;
        }
        return Ok(Outcome::ErrorPage {
            message: "This sign-in request has expired or was already used. Go back to the \
                      application and start again."
                .into(),
        });
    }
    let code = crypto::random_token();
    let raw = serde_json::to_string(&grant).map_err(anyhow::Error::new)?;
    let ttl = Duration::from_secs(ctx.settings().oidc.code_lifetime_secs.unsigned_abs() + 5);
    ctx.eph.put(&code_key(ctx, &code), &raw, ttl).await?;
    if request.kept {
        ctx.eph.delete(&request_key(&request.id)).await?;
    }
    let mut params = vec![("code".to_owned(), code)];
    if let Some(s) = &request.state {
        params.push(("state".into(), s.clone()));
    }
    params.push(("iss".into(), ctx.settings().issuer().to_owned()));
    Ok(Outcome::Redirect {
        redirect_uri: request.redirect_uri.clone(),
        mode: request.response_mode,
        params,
    })
}
