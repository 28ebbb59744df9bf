//! What the OAuth and OpenID endpoints take from a request, and the three ways they fail:
//! a person's browser gets an HTML page (`BrowserError`), a client at the token, revocation,
//! introspection or registration endpoint gets RFC 6749 §5.2 JSON (`JsonError`), and a
//! resource request at userinfo gets an RFC 6750 §3 Bearer challenge (`BearerError`).
//!
//! Each extractor reads in the order the answers must come in, inside one future: the body
//! first (a malformed one is refused before anything is looked up), then the client.

use std::collections::HashMap;
use std::fmt;

use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;

use crate::flows::client::ClientCtx;
use crate::flows::{Ctx, FlowError};
use crate::message_page;
use crate::oidc::clients::{self, OAuthClient};
use crate::oidc::error::OAuthError;

// ----- the three failure surfaces -----

/// A failure shown to a person: the message page with its status.
#[derive(Debug)]
pub(super) struct BrowserError {
    status: StatusCode,
    message: String,
}

impl BrowserError {
    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

/// An OAuth error during a browser flow is shown, not redirected: the caller could not be
/// trusted with it (RFC 6749 §4.1.2.1 for a bad client or redirect URI).
impl From<OAuthError> for BrowserError {
    fn from(e: OAuthError) -> Self {
        Self::bad_request(e.description)
    }
}

impl From<FlowError> for BrowserError {
    fn from(e: FlowError) -> Self {
        OAuthError::from(e).into()
    }
}

/// An RFC 6749 §5.2 error body; `invalid_client` is a 401 with a Basic challenge, and
/// `invalid_token` (a registration access token, RFC 7592 §2) a Bearer challenge.
#[derive(Debug)]
pub(super) struct JsonError(pub OAuthError);

impl From<OAuthError> for JsonError {
    fn from(e: OAuthError) -> Self {
        Self(e)
    }
}

/// RFC 6750 §3: the resource server's error, with its `WWW-Authenticate: Bearer` challenge;
/// `None` for a request that carried no token at all, which gets the bare challenge (§3.1).
#[derive(Debug)]
pub(super) struct BearerError(pub Option<OAuthError>);

impl From<OAuthError> for BearerError {
    fn from(e: OAuthError) -> Self {
        Self(Some(e))
    }
}

fn oauth_status(e: &OAuthError) -> StatusCode {
    StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST)
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.error, self.0.description)
    }
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(e) => write!(f, "{}: {}", e.error, e.description),
            None => f.write_str("no access token"),
        }
    }
}

impl ResponseError for BrowserError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        message_page(self.status, &self.message)
    }
}

impl ResponseError for JsonError {
    fn status_code(&self) -> StatusCode {
        oauth_status(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.0;
        if e.error == "invalid_token" {
            return bearer_response(e);
        }
        let mut res = HttpResponse::build(oauth_status(e));
        res.insert_header((header::CACHE_CONTROL, "no-store"));
        res.insert_header((header::PRAGMA, "no-cache"));
        if e.error == "invalid_client" {
            res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"portcullis\""));
        }
        res.json(serde_json::json!({ "error": e.error, "error_description": e.description }))
    }
}

impl ResponseError for BearerError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            Some(e) => StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED),
            None => StatusCode::UNAUTHORIZED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match &self.0 {
            Some(e) => bearer_response(e),
            None => HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish(),
        }
    }
}

/// The error of a resource request, challenged under the scheme the token was presented
/// with: `DPoP` (RFC 9449 §7.1) when `dpop` or the failure is DPoP's own, `Bearer` otherwise.
pub(super) fn challenge_response(e: &OAuthError, dpop: bool) -> HttpResponse {
    let dpop = dpop || matches!(e.error, "invalid_dpop_proof" | "use_dpop_nonce");
    let mut challenge = format!(
        "{} error=\"{}\", error_description=\"{}\"",
        if dpop { "DPoP" } else { "Bearer" },
        e.error,
        e.description.replace('"', "'")
    );
    // RFC 9449 §7.1: a DPoP challenge names the proof algorithms accepted.
    if dpop {
        challenge.push_str(&format!(", algs=\"{}\"", crate::oidc::dpop::ALGS.join(" ")));
    }
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
    HttpResponse::build(status)
        .insert_header((header::WWW_AUTHENTICATE, challenge))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "error": e.error, "error_description": e.description }))
}

fn bearer_response(e: &OAuthError) -> HttpResponse {
    challenge_response(e, false)
}

// ----- reading parameters -----

/// Parameters from a query string or form body; a repeated name is refused
/// (RFC 6749 §3.1, §3.2).
pub(crate) fn parse_params(raw: &[u8]) -> Result<HashMap<String, String>, String> {
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

/// RFC 6749 §5.2 `invalid_request` for a body that could not be read, with the body's own
/// status (413 past the size limit).
fn refused_body((status, message): (StatusCode, String)) -> OAuthError {
    OAuthError {
        status: status.as_u16(),
        ..OAuthError::invalid_request(message)
    }
}

/// A form body (64 KiB at most, `application/x-www-form-urlencoded`): the status and what
/// to say when it cannot be read, 413 past the size limit, 400 otherwise.
async fn read_form(
    req: &HttpRequest,
    payload: impl Future<Output = Result<web::Payload, actix_web::Error>>,
) -> Result<HashMap<String, String>, (StatusCode, String)> {
    let body = read_limited(payload).await?;
    if body.is_empty() {
        return Ok(HashMap::new());
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err((
            StatusCode::BAD_REQUEST,
            "Send parameters as application/x-www-form-urlencoded.".into(),
        ));
    }
    parse_params(&body).map_err(|m| (StatusCode::BAD_REQUEST, m))
}

/// A body of at most 64 KiB, or the status and message that refuse it.
async fn read_limited(
    payload: impl Future<Output = Result<web::Payload, actix_web::Error>>,
) -> Result<web::BytesMut, (StatusCode, String)> {
    let refused = |e: crate::BodyError| (e.status(), e.message().to_owned());
    let payload = payload
        .await
        .map_err(|_| refused(crate::BodyError::Unreadable))?;
    crate::read_body(payload).await.map_err(refused)
}

fn context(req: &HttpRequest) -> Result<web::Data<Ctx>, OAuthError> {
    crate::fapi::extract::context(req).map_err(OAuthError::from)
}

// ----- the extractors -----

/// A browser's request to the authorization or end-session endpoint: its parameters (the
/// query of a GET, the form of a POST; OpenID Connect Core §3.1.2.1 allows both), then the
/// browser's client, whose signed-in sessions the endpoint may use.
pub(super) struct BrowserCall {
    pub params: HashMap<String, String>,
    pub cc: ClientCtx,
}

impl FromRequest for BrowserCall {
    type Error = BrowserError;
    type Future = LocalBoxFuture<'static, Result<Self, BrowserError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let form = (req.method() != Method::GET).then(|| web::Payload::from_request(&req, payload));
        Box::pin(async move {
            let params = match form {
                None => parse_params(req.query_string().as_bytes())
                    .map_err(BrowserError::bad_request)?,
                Some(payload) => read_form(&req, payload)
                    .await
                    .map_err(|(status, message)| BrowserError { status, message })?,
            };
            let ctx = context(&req)?;
            let cc = crate::fapi::extract::client(&ctx, &req).await?;
            Ok(BrowserCall { params, cc })
        })
    }
}

/// A client's call to the token, revocation or introspection endpoint: the form, then the
/// client authenticated by one method (RFC 6749 §2.3): HTTP Basic, `client_secret` in the
/// body, or a signed assertion (RFC 7523 §2.2); a public client names itself by
/// `client_id`.
pub(super) struct ClientCall {
    pub client: OAuthClient,
    pub params: HashMap<String, String>,
    /// The request's `DPoP` proof (RFC 9449 §4), not yet checked.
    pub dpop: Option<String>,
    /// The URL the request was addressed to: the issuer and the path.
    pub endpoint: String,
}

/// The one `DPoP` header of a request, if any; two are refused (RFC 9449 §4.3, step 1).
fn dpop_header(req: &HttpRequest) -> Result<Option<String>, OAuthError> {
    let mut values = req.headers().get_all("dpop");
    let first = values.next();
    if values.next().is_some() {
        return Err(OAuthError::new(
            "invalid_dpop_proof",
            "Send one DPoP header, not several.",
        ));
    }
    match first.map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(v)) => Ok(Some(v.trim().to_owned())),
        Some(Err(_)) => Err(OAuthError::new(
            "invalid_dpop_proof",
            "The DPoP header is not a JWT.",
        )),
    }
}

impl FromRequest for ClientCall {
    type Error = JsonError;
    type Future = LocalBoxFuture<'static, Result<Self, JsonError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let params = read_form(&req, payload).await.map_err(refused_body)?;
            let ctx = context(&req)?;
            let creds = credentials(&req, &params)?;
            let endpoint = format!("{}{}", ctx.settings().issuer(), req.path());
            let client = clients::authenticate(&ctx, &creds, &endpoint).await?;
            let dpop = dpop_header(&req)?;
            Ok(ClientCall {
                client,
                params,
                dpop,
                endpoint,
            })
        })
    }
}

/// The credentials a token-endpoint request carries.
fn credentials(
    req: &HttpRequest,
    p: &HashMap<String, String>,
) -> Result<clients::Credentials, OAuthError> {
    let authz = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match p.get("client_assertion_type").map(String::as_str) {
        // RFC 7523 §2.2: the client is named by the assertion (and client_id, if sent).
        Some(crate::oidc::assertion::ASSERTION_TYPE) => {
            let assertion = p
                .get("client_assertion")
                .cloned()
                .ok_or_else(|| OAuthError::invalid_request("client_assertion is missing."))?;
            if authz.is_some() || p.contains_key("client_secret") {
                return Err(OAuthError::invalid_request(
                    "Use one client authentication method, not two.",
                ));
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
                .ok_or_else(OAuthError::invalid_client)?;
            Ok(clients::Credentials {
                client_id,
                secret: None,
                assertion: Some(assertion),
            })
        }
        Some(_) => Err(OAuthError::invalid_request(
            "Unsupported client_assertion_type.",
        )),
        None => clients::credentials(
            authz,
            p.get("client_id").map(String::as_str),
            p.get("client_secret").map(String::as_str),
        ),
    }
}

/// The access token of a userinfo request: in the `Authorization: Bearer` header, or for a
/// POST in the form's `access_token` (RFC 6750 §2.1, §2.2), but not both; or in an
/// `Authorization: DPoP` header with its proof (RFC 9449 §7.1).
pub(super) struct AccessToken {
    pub token: String,
    pub dpop_scheme: bool,
    pub proof: Option<String>,
    pub method: String,
    pub url: String,
}

impl FromRequest for AccessToken {
    type Error = BearerError;
    type Future = LocalBoxFuture<'static, Result<Self, BearerError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let form =
            (req.method() == Method::POST).then(|| web::Payload::from_request(&req, payload));
        Box::pin(async move {
            let dpop_token = dpop_scheme_token(&req);
            let header_token = bearer(&req).or_else(|| dpop_token.clone());
            let body_token = match form {
                Some(payload) => read_form(&req, payload)
                    .await
                    .ok()
                    .and_then(|mut p| p.remove("access_token")),
                None => None,
            };
            match (header_token, body_token) {
                (Some(_), Some(_)) => {
                    Err(OAuthError::invalid_request("Send the token once.").into())
                }
                (Some(t), None) | (None, Some(t)) => {
                    let ctx = context(&req)?;
                    Ok(AccessToken {
                        token: t,
                        dpop_scheme: dpop_token.is_some(),
                        proof: dpop_header(&req)?,
                        method: req.method().as_str().to_owned(),
                        url: format!("{}{}", ctx.settings().issuer(), req.path()),
                    })
                }
                (None, None) => Err(BearerError(None)),
            }
        })
    }
}

/// The token of an `Authorization: Bearer` header.
pub(crate) fn bearer(req: &HttpRequest) -> Option<String> {
    scheme_token(req, "bearer")
}

/// The token of an `Authorization: DPoP` header (RFC 9449 §7.1).
fn dpop_scheme_token(req: &HttpRequest) -> Option<String> {
    scheme_token(req, "dpop").filter(|t| !t.is_empty())
}

/// The credentials of the `Authorization` header when it uses `scheme`; RFC 7235 §2.1 makes
/// the scheme's name case-insensitive.
fn scheme_token(req: &HttpRequest, scheme: &str) -> Option<String> {
    let v = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let (named, token) = v.split_once(' ')?;
    named
        .eq_ignore_ascii_case(scheme)
        .then(|| token.trim().to_owned())
}

/// A dynamic registration's client metadata: a JSON object of at most 64 KiB (RFC 7591
/// §3.1), and the registration access token, if any.
pub(super) struct Metadata {
    pub body: serde_json::Value,
    pub token: Option<String>,
}

impl FromRequest for Metadata {
    type Error = JsonError;
    type Future = LocalBoxFuture<'static, Result<Self, JsonError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let body = read_limited(payload).await.map_err(refused_body)?;
            match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(body) if body.is_object() => Ok(Metadata {
                    body,
                    token: bearer(&req),
                }),
                _ => Err(OAuthError::new(
                    "invalid_client_metadata",
                    "The body must be a JSON object.",
                )
                .into()),
            }
        })
    }
}
