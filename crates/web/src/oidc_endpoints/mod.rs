//! HTTP for the OpenID Provider: discovery, authorize (+ consent), token, userinfo, revoke,
//! introspect and end_session. Parsing and rendering only; decisions live in `crate::oidc`.

use crate::Respond as _;
use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

mod extract;

use extract::{
    AccessToken, BrowserCall, BrowserError, ClientCall, JsonError, Metadata, challenge_response,
};
pub(crate) use extract::{bearer, parse_params};

use super::{PAGE_CSP, html_response as html, message_page};
use crate::flows::Ctx;
use crate::oidc::authorize::{self, Outcome, ResponseMode};
use crate::oidc::clients::OAuthClient;
use crate::oidc::error::OAuthError;
use crate::oidc::logout::{self, LogoutOutcome};
use crate::oidc::token;
use crate::openapi::{Api, api_table};
use crate::pages::strings::Strings;

/// The OpenID Provider's endpoints.
pub fn routes(cfg: &mut web::ServiceConfig) {
    register_routes(cfg);
}

/// The files the pages load (stylesheet, scripts, images).
pub fn static_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{file}", web::get().to(static_file));
}

// What each endpoint reads. OAuth endpoints ignore parameters they do not know (RFC 6749
// §3.1, §3.2), so these lists document rather than refuse.
/// The authorization request (OpenID Connect Core §3.1.2.1, RFC 7636 §4.3).
const AUTHORIZE_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "response_mode",
    "prompt",
    "max_age",
    "login_hint",
    "id_token_hint",
    "claims",
    "acr_values",
    "ui_locales",
    "display",
    "request",
    "request_uri",
    "code_challenge",
    "code_challenge_method",
];
/// The token request (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7636 §4.5; RFC 8628 §3.4; RFC 8693
/// §2.1), with client
/// authentication in the body (RFC 6749 §2.3.1, RFC 7523 §2.2).
const TOKEN_PARAMS: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "device_code",
    "subject_token",
    "subject_token_type",
    "actor_token",
    "actor_token_type",
    "requested_token_type",
    "audience",
    "resource",
    "scope",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];
/// A device authorization request (RFC 8628 §3.1), with client authentication.
const DEVICE_AUTHORIZATION_PARAMS: &[&str] = &[
    "client_id",
    "scope",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];
/// A pushed authorization request (RFC 9126 §2.1): the authorization request's parameters
/// (not `request_uri`) with client authentication.
const PAR_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "response_mode",
    "prompt",
    "max_age",
    "login_hint",
    "id_token_hint",
    "claims",
    "acr_values",
    "ui_locales",
    "display",
    "code_challenge",
    "code_challenge_method",
    "request",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];
/// Revocation and introspection (RFC 7009 §2.1, RFC 7662 §2.1), with client authentication.
const TOKEN_HINT_PARAMS: &[&str] = &[
    "token",
    "token_type_hint",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];
/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2).
const END_SESSION_PARAMS: &[&str] = &[
    "id_token_hint",
    "logout_hint",
    "client_id",
    "post_logout_redirect_uri",
    "state",
    "ui_locales",
];
/// The consent and logout confirmation forms of Portcullis's own pages.
const CONSENT_PARAMS: &[&str] = &["id", "csrf", "decision"];
const CONFIRM_PARAMS: &[&str] = &["id", "csrf"];

/// Client metadata for dynamic registration (RFC 7591 §2); other members are ignored.
#[derive(utoipa::ToSchema)]
#[allow(
    dead_code,
    reason = "documents the JSON the registration endpoint takes"
)]
struct ClientMetadata {
    redirect_uris: Vec<String>,
    client_name: Option<String>,
    response_types: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
    token_endpoint_auth_method: Option<String>,
    scope: Option<String>,
    post_logout_redirect_uris: Option<Vec<String>>,
    backchannel_logout_uri: Option<String>,
    frontchannel_logout_uri: Option<String>,
    frontchannel_logout_session_required: Option<bool>,
    id_token_signed_response_alg: Option<String>,
    subject_type: Option<String>,
    logo_uri: Option<String>,
    jwks: Option<serde_json::Value>,
    jwks_uri: Option<String>,
    request_object_signing_alg: Option<String>,
    token_endpoint_auth_signing_alg: Option<String>,
    require_signed_request_object: Option<bool>,
    require_pushed_authorization_requests: Option<bool>,
    dpop_bound_access_tokens: Option<bool>,
}

// The OpenID Provider, one line per operation (see `api_table!`).
api_table! { Api::Oidc, "", register_routes, operations;
    get "/.well-known/openid-configuration" => discovery, "OpenID Connect discovery";
    get "/.well-known/oauth-authorization-server" => discovery, "OAuth 2.0 authorization server metadata (RFC 8414)";
    get "/oauth/authorize" => authorize, "The authorization endpoint", query AUTHORIZE_PARAMS, returns Page;
    post "/oauth/authorize" => authorize, "The authorization endpoint, by form post", form AUTHORIZE_PARAMS, returns Page;
    get "/oauth/authorize/resume" => authorize_resume, "Back to an authorization request after sign-in", query &["id"], returns Page;
    post "/oauth/consent" => consent, "The consent form's answer", form CONSENT_PARAMS, returns Page;
    post "/oauth/token" => token_endpoint, "The token endpoint", form TOKEN_PARAMS;
    post "/oauth/par" => par, "Push an authorization request (RFC 9126)", form PAR_PARAMS;
    post "/oauth/device_authorization" => device_authorization, "Start a device authorization (RFC 8628)", form DEVICE_AUTHORIZATION_PARAMS;
    get "/oauth/userinfo" => userinfo, "Claims about the user of an access token (Bearer)";
    post "/oauth/userinfo" => userinfo, "Claims about the user of an access token (Bearer)";
    post "/oauth/revoke" => revoke, "Revoke a token (RFC 7009)", form TOKEN_HINT_PARAMS, returns Nothing;
    post "/oauth/introspect" => introspect, "Introspect a token (RFC 7662)", form TOKEN_HINT_PARAMS;
    get "/oauth/end_session" => end_session, "RP-initiated logout", query END_SESSION_PARAMS, returns Page;
    post "/oauth/end_session" => end_session, "RP-initiated logout, by form post", form END_SESSION_PARAMS, returns Page;
    post "/oauth/end_session/confirm" => end_session_confirm, "The logout confirmation form's answer", form CONFIRM_PARAMS, returns Page;
    post "/oauth/register" => register, "Register a client (RFC 7591)", json ClientMetadata;
    get "/oauth/register/{id}" => registration_read, "Read a registration (RFC 7592, registration access token)";
    put "/oauth/register/{id}" => registration_update, "Replace a registration (RFC 7592)", json ClientMetadata;
    delete "/oauth/register/{id}" => registration_delete, "Delete a registration (RFC 7592)", returns Nothing;
}

async fn discovery(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    ctx.discovery.respond(&req, "public, max-age=3600")
}

/// Files of `static/`, compiled into the binary so it runs from any directory.
async fn static_file(path: web::Path<String>) -> HttpResponse {
    let (body, kind) = match path.as_str() {
        "portcullis.css" => (
            include_str!("../../../../static/portcullis.css"),
            "text/css; charset=utf-8",
        ),
        "dashboard.css" => (
            include_str!("../../../../static/dashboard.css"),
            "text/css; charset=utf-8",
        ),
        "form_post.js" => (
            include_str!("../../../../static/form_post.js"),
            "text/javascript; charset=utf-8",
        ),
        "signed_out.js" => (
            include_str!("../../../../static/signed_out.js"),
            "text/javascript; charset=utf-8",
        ),
        "wallet.js" => (
            include_str!("../../../../static/wallet.js"),
            "text/javascript; charset=utf-8",
        ),
        "passkey.js" => (
            include_str!("../../../../static/passkey.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

// ----- HTML -----

#[derive(Template)]
#[template(path = "pages/consent.html")]
struct ConsentPage<'a> {
    s: &'a Strings,
    client_name: &'a str,
    logo_uri: Option<&'a str>,
    scopes: Vec<String>,
    id: &'a str,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "pages/form_post.html")]
struct FormPostPage<'a> {
    s: &'a Strings,
    action: &'a str,
    params: &'a [(String, String)],
}

#[derive(Template)]
#[template(path = "pages/logout_confirm.html")]
struct LogoutConfirmPage<'a> {
    s: &'a Strings,
    client_name: Option<&'a str>,
    id: &'a str,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "pages/signed_out.html")]
struct SignedOutPage<'a> {
    s: &'a Strings,
    /// Front-channel logout URLs, each loaded in a hidden frame.
    frames: &'a [String],
    /// Where the page goes once the frames have loaded.
    next: Option<&'a str>,
}

fn error_page(message: &str) -> HttpResponse {
    message_page(StatusCode::BAD_REQUEST, message)
}

fn render_outcome(outcome: Outcome) -> HttpResponse {
    match outcome {
        Outcome::ErrorPage { message } => error_page(&message),
        Outcome::SignIn { url } => HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Outcome::Consent { request, client } => {
            // The relying party's `ui_locales` first (OIDC Core §3.1.2.1).
            let s = Strings::for_protocol_page(portcullis_i18n::negotiate(
                request.ui_locales.iter().map(String::as_str),
            ));
            let scopes = request.scopes.iter().map(|scope| s.scope(scope)).collect();
            html(
                StatusCode::OK,
                ConsentPage {
                    s: &s,
                    client_name: client.name(),
                    logo_uri: client.settings.logo_uri.as_deref(),
                    scopes,
                    id: &request.id,
                    csrf: &request.csrf,
                }
                .render(),
                PAGE_CSP,
            )
        }
        Outcome::Redirect {
            redirect_uri,
            mode,
            params,
        } => match mode {
            ResponseMode::Query => {
                let Ok(mut url) = url::Url::parse(&redirect_uri) else {
                    return error_page(&Strings::for_protocol_page(None).bad_return_address);
                };
                url.query_pairs_mut().extend_pairs(params.iter());
                HttpResponse::Found()
                    .insert_header((header::LOCATION, url.to_string()))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish()
            }
            ResponseMode::FormPost => {
                // The form posts to the client's (registered) redirect URI.
                let origin = url::Url::parse(&redirect_uri)
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_default();
                let csp = format!("{PAGE_CSP}; form-action {origin}");
                let s = Strings::for_protocol_page(None);
                html(
                    StatusCode::OK,
                    FormPostPage {
                        s: &s,
                        action: &redirect_uri,
                        params: &params,
                    }
                    .render(),
                    &csp,
                )
            }
        },
    }
}

// ----- authorize -----

async fn authorize(ctx: web::Data<Ctx>, call: BrowserCall) -> Result<HttpResponse, BrowserError> {
    Ok(render_outcome(
        authorize::start(&ctx, &call.params, &call.cc).await?,
    ))
}

async fn authorize_resume(
    ctx: web::Data<Ctx>,
    call: BrowserCall,
) -> Result<HttpResponse, BrowserError> {
    let id = call.params.get("id").ok_or_else(|| {
        BrowserError::bad_request(&Strings::for_protocol_page(None).link_incomplete)
    })?;
    Ok(render_outcome(authorize::resume(&ctx, id, &call.cc).await?))
}

async fn consent(ctx: web::Data<Ctx>, call: BrowserCall) -> Result<HttpResponse, BrowserError> {
    let p = &call.params;
    let (Some(id), Some(csrf)) = (p.get("id"), p.get("csrf")) else {
        return Err(BrowserError::bad_request(
            &Strings::for_protocol_page(None).form_incomplete,
        ));
    };
    let allow = p.get("decision").map(String::as_str) == Some("allow");
    Ok(render_outcome(
        authorize::decide(&ctx, id, csrf, allow, &call.cc).await?,
    ))
}

// ----- token-style endpoints (JSON) -----

fn no_store_json(value: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(value)
}

/// The per-client budget of the token and PAR endpoints, shared across instances: `None`
/// within it. RFC 6749 has no error code for this; 429 with Retry-After and
/// `temporarily_unavailable` (its §4.1.2.1 meaning) tells clients to wait.
async fn over_client_budget(ctx: &Ctx, client: &OAuthClient) -> Option<HttpResponse> {
    let e = crate::flows::limits::token(ctx, client.id()).await.err()?;
    let (status, wait, description) = match &e {
        crate::flows::FlowError::Api(api) => (
            StatusCode::TOO_MANY_REQUESTS,
            api.retry_after.unwrap_or(1),
            api.long_message.clone(),
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            5,
            "A service the endpoint depends on is not answering.".to_owned(),
        ),
    };
    Some(
        HttpResponse::build(status)
            .insert_header(("retry-after", wait.to_string()))
            .insert_header(("cache-control", "no-store"))
            .json(serde_json::json!({ "error": "temporarily_unavailable", "error_description": description })),
    )
}

/// The key of the request's DPoP proof, checked for this endpoint (RFC 9449 §4.3); `None`
/// without a proof.
async fn proven_key(ctx: &Ctx, call: &ClientCall) -> Result<Option<String>, OAuthError> {
    let Some(proof) = call.dpop.as_deref() else {
        return Ok(None);
    };
    let presented = crate::oidc::dpop::Presented {
        proof,
        method: "POST",
        url: &call.endpoint,
    };
    crate::oidc::dpop::verify(ctx, presented, None)
        .await
        .map(Some)
}

/// Hands the client a fresh `DPoP-Nonce` (RFC 9449 §8) when nonces are required: on every
/// answer of the endpoints that take proofs, so the next proof can carry it.
fn with_dpop_nonce(ctx: &Ctx, mut res: HttpResponse) -> HttpResponse {
    if crate::oidc::dpop::nonces_required(ctx)
        && let Ok(v) = header::HeaderValue::from_str(&crate::oidc::dpop::nonce(ctx))
    {
        res.headers_mut()
            .insert(header::HeaderName::from_static("dpop-nonce"), v);
        let expose = header::HeaderValue::from_static("DPoP-Nonce");
        res.headers_mut()
            .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose);
    }
    res
}

fn json_result(ctx: &Ctx, r: Result<HttpResponse, JsonError>) -> HttpResponse {
    let res = r.unwrap_or_else(|e| actix_web::ResponseError::error_response(&e));
    with_dpop_nonce(ctx, res)
}

async fn token_endpoint(ctx: web::Data<Ctx>, call: ClientCall) -> HttpResponse {
    let answer = async {
        if let Some(res) = over_client_budget(&ctx, &call.client).await {
            return Ok(res);
        }
        let jkt = proven_key(&ctx, &call).await?;
        let ClientCall {
            client, params: p, ..
        } = &call;
        let t = token::grant(&ctx, client, p, jkt.as_deref()).await?;
        match p.get("grant_type").map(String::as_str) {
            Some("client_credentials") => {
                ctx.audit
                    .tally_client_token(client.id(), "client_credentials");
            }
            grant_type => crate::flows::audit::emit_for_client(
                &ctx,
                client.id(),
                None,
                "token.issued",
                serde_json::json!({ "grant_type": grant_type, "dpop": jkt.is_some() }),
            ),
        }
        Ok(no_store_json(t))
    };
    json_result(&ctx, answer.await)
}

/// `POST /oauth/par` (RFC 9126 §2): an authenticated client pushes its authorization request
/// and gets `201 {request_uri, expires_in}` to send the browser with. A DPoP proof sent with
/// it binds the code to its key (RFC 9449 §10.1).
async fn par(ctx: web::Data<Ctx>, call: ClientCall) -> HttpResponse {
    let answer = async {
        if let Some(res) = over_client_budget(&ctx, &call.client).await {
            return Ok(res);
        }
        let jkt = proven_key(&ctx, &call).await?;
        let (request_uri, expires_in) =
            authorize::par::push(&ctx, &call.client, call.params.clone(), jkt.as_deref()).await?;
        Ok(HttpResponse::Created()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({ "request_uri": request_uri, "expires_in": expires_in })))
    };
    json_result(&ctx, answer.await)
}

/// `POST /oauth/device_authorization` (RFC 8628 §3.1): an authenticated client (a public one
/// by its `client_id`) gets a device code to poll with and a user code to show (§3.2).
async fn device_authorization(ctx: web::Data<Ctx>, call: ClientCall) -> HttpResponse {
    let answer = async {
        if let Some(res) = over_client_budget(&ctx, &call.client).await {
            return Ok(res);
        }
        let started = crate::oidc::device::authorize(&ctx, &call.client, &call.params).await?;
        Ok(no_store_json(started))
    };
    json_result(&ctx, answer.await)
}

/// The `token` parameter of a revocation or introspection request.
fn token_param(p: &HashMap<String, String>) -> Result<&str, JsonError> {
    p.get("token")
        .map(String::as_str)
        .ok_or_else(|| OAuthError::invalid_request("token is missing.").into())
}

async fn revoke(ctx: web::Data<Ctx>, call: ClientCall) -> Result<HttpResponse, JsonError> {
    token::revoke(&ctx, &call.client, token_param(&call.params)?).await?;
    Ok(no_store_json(serde_json::json!({})))
}

async fn introspect(ctx: web::Data<Ctx>, call: ClientCall) -> Result<HttpResponse, JsonError> {
    if call.client.is_public() {
        return Err(OAuthError::invalid_client().into());
    }
    let token = token_param(&call.params)?;
    Ok(no_store_json(
        token::introspect(&ctx, &call.client, token).await?,
    ))
}

async fn userinfo(ctx: web::Data<Ctx>, at: AccessToken) -> HttpResponse {
    let presented = token::PresentedToken {
        token: &at.token,
        dpop_scheme: at.dpop_scheme,
        proof: at
            .proof
            .as_deref()
            .map(|proof| crate::oidc::dpop::Presented {
                proof,
                method: &at.method,
                url: &at.url,
            }),
    };
    let res = match token::userinfo(&ctx, presented).await {
        Ok(claims) => no_store_json(claims),
        Err(mut e) => {
            // RFC 9449 §9: at a resource, proof failures are 401s with a DPoP challenge.
            if matches!(e.error, "invalid_dpop_proof" | "use_dpop_nonce") {
                e.status = 401;
            }
            challenge_response(&e, at.dpop_scheme)
        }
    };
    if at.dpop_scheme {
        with_dpop_nonce(&ctx, res)
    } else {
        res
    }
}

// ----- dynamic registration (RFC 7591, 7592) -----

async fn register(ctx: web::Data<Ctx>, m: Metadata) -> Result<HttpResponse, JsonError> {
    let v = crate::oidc::registration::register(&ctx, m.token.as_deref(), &m.body).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(v))
}

async fn registration_read(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, JsonError> {
    let token = bearer(&req);
    Ok(no_store_json(
        crate::oidc::registration::read(&ctx, &id, token.as_deref()).await?,
    ))
}

async fn registration_update(
    ctx: web::Data<Ctx>,
    id: web::Path<String>,
    m: Metadata,
) -> Result<HttpResponse, JsonError> {
    let token = m.token.as_deref();
    Ok(no_store_json(
        crate::oidc::registration::update(&ctx, &id, token, &m.body).await?,
    ))
}

async fn registration_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, JsonError> {
    crate::oidc::registration::delete(&ctx, &id, bearer(&req).as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ----- end_session -----

fn render_logout(o: LogoutOutcome) -> HttpResponse {
    match o {
        LogoutOutcome::ErrorPage { message } => error_page(&message),
        LogoutOutcome::Confirm {
            id,
            csrf,
            client_name,
        } => html(
            StatusCode::OK,
            LogoutConfirmPage {
                s: &Strings::for_protocol_page(None),
                client_name: client_name.as_deref(),
                id: &id,
                csrf: &csrf,
            }
            .render(),
            PAGE_CSP,
        ),
        LogoutOutcome::Done {
            redirect: Some(url),
            frames,
        } if frames.is_empty() => HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        LogoutOutcome::Done { redirect, frames } => html(
            StatusCode::OK,
            SignedOutPage {
                s: &Strings::for_protocol_page(None),
                frames: &frames,
                next: redirect.as_deref(),
            }
            .render(),
            &frames_csp(&frames),
        ),
    }
}

/// The page's policy, opened for framing only the origins of the front-channel logout URLs
/// (each checked when its client was saved: an http(s) URL without credentials).
fn frames_csp(frames: &[String]) -> String {
    let mut origins: Vec<String> = frames
        .iter()
        .filter_map(|f| url::Url::parse(f).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .collect();
    origins.sort();
    origins.dedup();
    if origins.is_empty() {
        PAGE_CSP.to_owned()
    } else {
        format!("{PAGE_CSP}; frame-src {}", origins.join(" "))
    }
}

async fn end_session(ctx: web::Data<Ctx>, call: BrowserCall) -> Result<HttpResponse, BrowserError> {
    Ok(render_logout(
        logout::start(&ctx, &call.params, &call.cc).await?,
    ))
}

async fn end_session_confirm(
    ctx: web::Data<Ctx>,
    call: BrowserCall,
) -> Result<HttpResponse, BrowserError> {
    let p = &call.params;
    let (Some(id), Some(csrf)) = (p.get("id"), p.get("csrf")) else {
        return Err(BrowserError::bad_request(
            &Strings::for_protocol_page(None).form_incomplete,
        ));
    };
    Ok(render_logout(
        logout::confirm(&ctx, id, csrf, &call.cc).await?,
    ))
}
