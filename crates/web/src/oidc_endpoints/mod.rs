//! HTTP for the OpenID Provider: discovery, authorize (+ consent), token, userinfo, revoke,
//! introspect and end_session. Parsing and rendering only; decisions live in `crate::oidc`.

use crate::Respond as _;
use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{PAGE_CSP, html_response as html, message_page};
use crate::flows::Ctx;
use crate::oidc::authorize::{self, Outcome, ResponseMode};
use crate::oidc::clients;
use crate::oidc::error::OAuthError;
use crate::oidc::logout::{self, LogoutOutcome};
use crate::oidc::token;
use crate::openapi::{Api, api_table};

pub fn routes(cfg: &mut web::ServiceConfig) {
    register_routes(cfg);
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
/// The token request (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7636 §4.5), with client
/// authentication in the body (RFC 6749 §2.3.1, RFC 7523 §2.2).
const TOKEN_PARAMS: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "scope",
    "client_id",
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
    id_token_signed_response_alg: Option<String>,
    subject_type: Option<String>,
    logo_uri: Option<String>,
    jwks: Option<serde_json::Value>,
}

// The OpenID Provider, one line per operation (see `api_table!`).
api_table! { Api::Oidc, "", register_routes, operations;
    get "/.well-known/openid-configuration" => discovery, "OpenID Connect discovery";
    get "/.well-known/oauth-authorization-server" => discovery, "OAuth 2.0 authorization server metadata (RFC 8414)";
    get "/oauth/authorize" => authorize_get, "The authorization endpoint", query AUTHORIZE_PARAMS, returns Page;
    post "/oauth/authorize" => authorize_post, "The authorization endpoint, by form post", form AUTHORIZE_PARAMS, returns Page;
    get "/oauth/authorize/resume" => authorize_resume, "Back to an authorization request after sign-in", query &["id"], returns Page;
    post "/oauth/consent" => consent, "The consent form's answer", form CONSENT_PARAMS, returns Page;
    post "/oauth/token" => token_endpoint, "The token endpoint", form TOKEN_PARAMS;
    get "/oauth/userinfo" => userinfo, "Claims about the user of an access token (Bearer)";
    post "/oauth/userinfo" => userinfo, "Claims about the user of an access token (Bearer)";
    post "/oauth/revoke" => revoke, "Revoke a token (RFC 7009)", form TOKEN_HINT_PARAMS, returns Nothing;
    post "/oauth/introspect" => introspect, "Introspect a token (RFC 7662)", form TOKEN_HINT_PARAMS;
    get "/oauth/end_session" => end_session_get, "RP-initiated logout", query END_SESSION_PARAMS, returns Page;
    post "/oauth/end_session" => end_session_post, "RP-initiated logout, by form post", form END_SESSION_PARAMS, returns Page;
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
            include_str!("../../../static/portcullis.css"),
            "text/css; charset=utf-8",
        ),
        "form_post.js" => (
            include_str!("../../../static/form_post.js"),
            "text/javascript; charset=utf-8",
        ),
        "wallet.js" => (
            include_str!("../../../static/wallet.js"),
            "text/javascript; charset=utf-8",
        ),
        "passkey.js" => (
            include_str!("../../../static/passkey.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

// ----- parameters -----

/// Parameters from a query string or form body; a repeated name is refused
/// (RFC 6749 §3.1, §3.2).
pub(super) fn parse_params(raw: &[u8]) -> Result<HashMap<String, String>, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw)
        .map_err(|_| "The parameters are not well formed.".to_owned())?;
    let mut map = HashMap::new();
    for (k, v) in pairs {
        if map.insert(k.clone(), v).is_some() {
            return Err(format!("The parameter {k} was sent more than once."));
        }
    }
    Ok(map)
}

/// Why a form body was refused: 413 past the size limit, 400 otherwise, and what to say.
struct FormError(StatusCode, String);

impl FormError {
    fn bad(message: String) -> Self {
        Self(StatusCode::BAD_REQUEST, message)
    }

    /// For a browser: the error page.
    fn page(&self) -> HttpResponse {
        message_page(self.0, &self.1)
    }

    /// For a client: RFC 6749 §5.2 `invalid_request`, with the body's own status.
    fn oauth(self) -> OAuthError {
        OAuthError {
            status: self.0.as_u16(),
            ..OAuthError::invalid_request(self.1)
        }
    }
}

async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<HashMap<String, String>, FormError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body = super::read_body(payload)
        .await
        .map_err(|e| FormError(e.status(), e.message().to_owned()))?;
    if body.is_empty() {
        return Ok(HashMap::new());
    }
    if !ct
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(FormError::bad(
            "Send parameters as application/x-www-form-urlencoded.".into(),
        ));
    }
    parse_params(&body).map_err(FormError::bad)
}

// ----- HTML -----

#[derive(Template)]
#[template(path = "pages/consent.html")]
struct ConsentPage<'a> {
    client_name: &'a str,
    logo_uri: Option<&'a str>,
    scopes: Vec<String>,
    id: &'a str,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "pages/form_post.html")]
struct FormPostPage<'a> {
    action: &'a str,
    params: &'a [(String, String)],
}

#[derive(Template)]
#[template(path = "pages/logout_confirm.html")]
struct LogoutConfirmPage<'a> {
    client_name: Option<&'a str>,
    id: &'a str,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "pages/signed_out.html")]
struct SignedOutPage;

fn error_page(message: &str) -> HttpResponse {
    message_page(StatusCode::BAD_REQUEST, message)
}

/// What a scope lets the application do, in plain words.
fn scope_words(scope: &str) -> String {
    match scope {
        "openid" => "Confirm who you are".into(),
        "profile" => "See your name and username".into(),
        "email" => "See your email address".into(),
        "phone" => "See your phone number".into(),
        "offline_access" => "Keep access while you are not using it".into(),
        other => format!("Use the \u{201c}{other}\u{201d} permission"),
    }
}

fn render_outcome(outcome: Outcome) -> HttpResponse {
    match outcome {
        Outcome::ErrorPage { message } => error_page(&message),
        Outcome::SignIn { url } => HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Outcome::Consent { request, client } => {
            let scopes = request.scopes.iter().map(|s| scope_words(s)).collect();
            html(
                StatusCode::OK,
                ConsentPage {
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
                    return error_page("The application's return address is not valid.");
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
                html(
                    StatusCode::OK,
                    FormPostPage {
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

fn oauth_page_error(e: OAuthError) -> HttpResponse {
    error_page(&e.description)
}

// ----- authorize -----

async fn authorize_get(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    match parse_params(req.query_string().as_bytes()) {
        Ok(p) => authorize_with(&ctx, &req, p).await,
        Err(m) => error_page(&m),
    }
}

async fn authorize_post(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match read_form(&req, payload).await {
        Ok(p) => authorize_with(&ctx, &req, p).await,
        Err(e) => e.page(),
    }
}

async fn authorize_with(ctx: &Ctx, req: &HttpRequest, p: HashMap<String, String>) -> HttpResponse {
    let cc = match super::fapi::extract::client(ctx, req).await {
        Ok(cc) => cc,
        Err(e) => return oauth_page_error(e.into()),
    };
    match authorize::start(ctx, &p, &cc).await {
        Ok(o) => render_outcome(o),
        Err(e) => oauth_page_error(e),
    }
}

async fn authorize_resume(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let p = parse_params(req.query_string().as_bytes()).unwrap_or_default();
    let Some(id) = p.get("id") else {
        return error_page("This link is incomplete.");
    };
    let cc = match super::fapi::extract::client(&ctx, &req).await {
        Ok(cc) => cc,
        Err(e) => return oauth_page_error(e.into()),
    };
    match authorize::resume(&ctx, id, &cc).await {
        Ok(o) => render_outcome(o),
        Err(e) => oauth_page_error(e),
    }
}

async fn consent(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let p = match read_form(&req, payload).await {
        Ok(p) => p,
        Err(e) => return e.page(),
    };
    let (Some(id), Some(csrf)) = (p.get("id"), p.get("csrf")) else {
        return error_page("This form is incomplete.");
    };
    let allow = p.get("decision").map(String::as_str) == Some("allow");
    let cc = match super::fapi::extract::client(&ctx, &req).await {
        Ok(cc) => cc,
        Err(e) => return oauth_page_error(e.into()),
    };
    match authorize::decide(&ctx, id, csrf, allow, &cc).await {
        Ok(o) => render_outcome(o),
        Err(e) => oauth_page_error(e),
    }
}

// ----- token-style endpoints (JSON) -----

/// RFC 6749 §5.2 error body; `invalid_client` is a 401 with a Basic challenge.
fn oauth_json_error(e: &OAuthError) -> HttpResponse {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    res.insert_header((header::PRAGMA, "no-cache"));
    if e.error == "invalid_client" {
        res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"portcullis\""));
    }
    res.json(serde_json::json!({ "error": e.error, "error_description": e.description }))
}

fn no_store_json(value: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(value)
}

/// Reads the form and authenticates the client (Basic or body credentials).
async fn authenticated(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(clients::OAuthClient, HashMap<String, String>), HttpResponse> {
    let p = read_form(req, payload)
        .await
        .map_err(|e| oauth_json_error(&e.oauth()))?;
    let authz = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let creds = match p.get("client_assertion_type").map(String::as_str) {
        // RFC 7523 §2.2: the client is named by the assertion (and client_id, if sent).
        Some(crate::oidc::assertion::ASSERTION_TYPE) => {
            let assertion = p.get("client_assertion").cloned().ok_or_else(|| {
                oauth_json_error(&OAuthError::invalid_request("client_assertion is missing."))
            })?;
            if authz.is_some() || p.contains_key("client_secret") {
                return Err(oauth_json_error(&OAuthError::invalid_request(
                    "Use one client authentication method, not two.",
                )));
            }
            // Only to find the client; the signature is checked against its keys.
            let named = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&assertion)
                .ok()
                .and_then(|d| {
                    d.claims
                        .get("sub")
                        .and_then(|s| s.as_str())
                        .map(str::to_owned)
                });
            let client_id = p
                .get("client_id")
                .cloned()
                .or(named)
                .ok_or_else(|| oauth_json_error(&OAuthError::invalid_client()))?;
            clients::Credentials {
                client_id,
                secret: None,
                assertion: Some(assertion),
            }
        }
        Some(_) => {
            return Err(oauth_json_error(&OAuthError::invalid_request(
                "Unsupported client_assertion_type.",
            )));
        }
        None => clients::credentials(
            authz,
            p.get("client_id").map(String::as_str),
            p.get("client_secret").map(String::as_str),
        )
        .map_err(|e| oauth_json_error(&e))?,
    };
    let endpoint = format!("{}{}", ctx.settings.issuer(), req.path());
    let client = clients::authenticate(ctx, &creds, &endpoint)
        .await
        .map_err(|e| oauth_json_error(&e))?;
    Ok((client, p))
}

async fn token_endpoint(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (client, p) = match authenticated(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    // Per client, shared across instances. RFC 6749 has no error code for this; 429 with
    // Retry-After and `temporarily_unavailable` (its §4.1.2.1 meaning) tells clients to wait.
    if let Err(e) = crate::flows::limits::token(&ctx, client.id()).await {
        let (status, wait, description) = match &e {
            crate::flows::FlowError::Api(api) => (
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                api.retry_after.unwrap_or(1),
                api.long_message.clone(),
            ),
            _ => (
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                5,
                "A service the token endpoint depends on is not answering.".to_owned(),
            ),
        };
        return HttpResponse::build(status)
            .insert_header(("retry-after", wait.to_string()))
            .insert_header(("cache-control", "no-store"))
            .json(serde_json::json!({ "error": "temporarily_unavailable", "error_description": description }));
    }
    match token::grant(&ctx, &client, &p).await {
        Ok(t) => {
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
                    serde_json::json!({ "grant_type": grant_type }),
                ),
            }
            no_store_json(t)
        }
        Err(e) => oauth_json_error(&e),
    }
}

async fn revoke(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let (client, p) = match authenticated(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let Some(t) = p.get("token") else {
        return oauth_json_error(&OAuthError::invalid_request("token is missing."));
    };
    match token::revoke(&ctx, &client, t).await {
        Ok(()) => no_store_json(serde_json::json!({})),
        Err(e) => oauth_json_error(&e),
    }
}

async fn introspect(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let (client, p) = match authenticated(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    if client.is_public() {
        return oauth_json_error(&OAuthError::invalid_client());
    }
    let Some(t) = p.get("token") else {
        return oauth_json_error(&OAuthError::invalid_request("token is missing."));
    };
    match token::introspect(&ctx, &client, t).await {
        Ok(v) => no_store_json(v),
        Err(e) => oauth_json_error(&e),
    }
}

/// RFC 6750 §3: Bearer challenges on failure.
fn bearer_error(e: &OAuthError) -> HttpResponse {
    let challenge = format!(
        "Bearer error=\"{}\", error_description=\"{}\"",
        e.error,
        e.description.replace('"', "'")
    );
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
    HttpResponse::build(status)
        .insert_header((header::WWW_AUTHENTICATE, challenge))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "error": e.error, "error_description": e.description }))
}

async fn userinfo(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let header_token = bearer(&req);
    // RFC 6750 §2.2: a form body may carry it instead (POST only).
    let body_token = if req.method() == actix_web::http::Method::POST {
        read_form(&req, payload)
            .await
            .ok()
            .and_then(|mut p| p.remove("access_token"))
    } else {
        None
    };
    let token = match (header_token, body_token) {
        (Some(_), Some(_)) => {
            return bearer_error(&OAuthError::invalid_request("Send the token once."));
        }
        (Some(t), None) | (None, Some(t)) => t,
        (None, None) => {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish();
        }
    };
    match token::userinfo(&ctx, &token).await {
        Ok(v) => no_store_json(v),
        Err(e) => bearer_error(&e),
    }
}

// ----- dynamic registration (RFC 7591, 7592) -----

pub(super) fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
}

/// A JSON object body of at most 64 KiB.
async fn read_json(payload: web::Payload) -> Result<serde_json::Value, OAuthError> {
    let body = super::read_body(payload).await.map_err(|e| OAuthError {
        status: e.status().as_u16(),
        ..OAuthError::invalid_request(e.message())
    })?;
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(v) if v.is_object() => Ok(v),
        _ => Err(OAuthError::new(
            "invalid_client_metadata",
            "The body must be a JSON object.",
        )),
    }
}

fn registration_error(e: &OAuthError) -> HttpResponse {
    if e.error == "invalid_token" {
        bearer_error(e)
    } else {
        oauth_json_error(e)
    }
}

async fn register(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let result = match read_json(payload).await {
        Ok(m) => crate::oidc::registration::register(&ctx, bearer(&req).as_deref(), &m).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => HttpResponse::Created()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(v),
        Err(e) => registration_error(&e),
    }
}

async fn registration_read(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    match crate::oidc::registration::read(&ctx, &path, bearer(&req).as_deref()).await {
        Ok(v) => no_store_json(v),
        Err(e) => registration_error(&e),
    }
}

async fn registration_update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let result = match read_json(payload).await {
        Ok(m) => crate::oidc::registration::update(&ctx, &path, bearer(&req).as_deref(), &m).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => no_store_json(v),
        Err(e) => registration_error(&e),
    }
}

async fn registration_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    match crate::oidc::registration::delete(&ctx, &path, bearer(&req).as_deref()).await {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(e) => registration_error(&e),
    }
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
                client_name: client_name.as_deref(),
                id: &id,
                csrf: &csrf,
            }
            .render(),
            PAGE_CSP,
        ),
        LogoutOutcome::Done {
            redirect: Some(url),
        } => HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        LogoutOutcome::Done { redirect: None } => {
            html(StatusCode::OK, SignedOutPage.render(), PAGE_CSP)
        }
    }
}

async fn end_session_with(
    ctx: &Ctx,
    req: &HttpRequest,
    p: HashMap<String, String>,
) -> HttpResponse {
    let cc = match super::fapi::extract::client(ctx, req).await {
        Ok(cc) => cc,
        Err(e) => return oauth_page_error(e.into()),
    };
    match logout::start(ctx, &p, &cc).await {
        Ok(o) => render_logout(o),
        Err(e) => oauth_page_error(e),
    }
}

async fn end_session_get(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    match parse_params(req.query_string().as_bytes()) {
        Ok(p) => end_session_with(&ctx, &req, p).await,
        Err(m) => error_page(&m),
    }
}

async fn end_session_post(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match read_form(&req, payload).await {
        Ok(p) => end_session_with(&ctx, &req, p).await,
        Err(e) => e.page(),
    }
}

async fn end_session_confirm(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let p = match read_form(&req, payload).await {
        Ok(p) => p,
        Err(e) => return e.page(),
    };
    let (Some(id), Some(csrf)) = (p.get("id"), p.get("csrf")) else {
        return error_page("This form is incomplete.");
    };
    let cc = match super::fapi::extract::client(&ctx, &req).await {
        Ok(cc) => cc,
        Err(e) => return oauth_page_error(e.into()),
    };
    match logout::confirm(&ctx, id, csrf, &cc).await {
        Ok(o) => render_logout(o),
        Err(e) => oauth_page_error(e),
    }
}
