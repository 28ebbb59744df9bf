//! Turning a request into what the flows take: parameters from the body, the client from
//! the cookie or Bearer token. And turning a flow's answer back into a response.

use std::fmt;
use std::marker::PhantomData;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;

use crate::flows::account::{self, Access, Me};
use crate::flows::client::{self, ClientCtx};
use crate::flows::{ApiError, Ctx, ErrorCode, FlowError, Params};

pub const CLIENT_COOKIE: &str = "__client";

/// Reads at most 64 KiB of body and parses it as a form or a JSON object.
pub async fn params(req: &HttpRequest, payload: web::Payload) -> Result<Params, ApiError> {
    let body = crate::read_body(payload)
        .await
        .map_err(crate::BodyError::api_error)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Params::default());
    }
    match content_type.as_str() {
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|_| body_invalid("The request body is not valid JSON."))?;
            Params::from_json(value)
        }
        "application/x-www-form-urlencoded" | "" => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| body_invalid("The request body is not a valid form."))?;
            Params::from_pairs(pairs)
        }
        other => Err(body_invalid(&format!(
            "Content type {other:?} is not accepted: send a form or JSON."
        ))),
    }
}

fn body_invalid(long: &str) -> ApiError {
    ApiError::new(ErrorCode::RequestBodyInvalid, "Request body invalid", long)
}

/// How a browser or app names its client, and so how a new token goes back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// The HttpOnly `__client` cookie: browsers on Portcullis's own site.
    Cookie,
    /// `Authorization: Bearer` (or `?_is_native=1`): native apps, answered in the same header.
    Header,
    /// `?__clerk_db_jwt=`: a browser SDK in development mode (`[server] dev_browser`),
    /// answered in a `Clerk-Db-Jwt` header.
    DevBrowser,
}

/// The query parameter and response header of development-mode browser SDKs.
pub const DEV_BROWSER_PARAM: &str = "__clerk_db_jwt";
pub const DEV_BROWSER_HEADER: &str = "clerk-db-jwt";

/// The value of one query parameter, percent-decoded.
pub(crate) fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The query string as flow parameters. Names starting with `_` are the SDKs' own
/// (`_clerk_js_version`, `__clerk_api_version`, `_clerk_session_id`), never a list's filters.
pub(crate) fn query_params(req: &HttpRequest) -> Result<Params, ApiError> {
    let pairs = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .filter(|(k, _)| !k.starts_with('_'))
        .collect();
    Params::from_pairs(pairs)
}

/// The token a request carries: `Authorization: Bearer` (native apps), the development
/// browser's query parameter when `dev_browser` is on, or the cookie.
pub(crate) fn client_token(req: &HttpRequest, dev_browser: bool) -> (Option<String>, Transport) {
    if let Some(auth) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .unwrap_or(auth)
            .trim();
        return (Some(token.to_owned()), Transport::Header);
    }
    if dev_browser && let Some(token) = query_value(req, DEV_BROWSER_PARAM) {
        return (Some(token), Transport::DevBrowser);
    }
    let native = req
        .query_string()
        .split('&')
        .any(|kv| kv == "_is_native=1" || kv == "_is_native=true");
    (
        req.cookie(CLIENT_COOKIE).map(|c| c.value().to_owned()),
        if native {
            Transport::Header
        } else {
            Transport::Cookie
        },
    )
}

pub async fn client(ctx: &Ctx, req: &HttpRequest) -> Result<ClientCtx, FlowError> {
    let (token, transport) = client_token(req, ctx.settings().server.dev_browser);
    check_cookie_origin(ctx, req)?;
    let mut cc = client::resolve(ctx, token.as_deref()).await?;
    cc.named_in_url = transport == Transport::DevBrowser;
    cc.ip = crate::client_ip::client_ip(req, &ctx.trusted_proxies).map(|ip| ip.to_string());
    cc.user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(256).collect());
    cc.locale = crate::i18n::from_request(req);
    Ok(cc)
}

/// A browser sends the client cookie with any request to Portcullis, whichever page made it:
/// a plain HTML form on another site (or on a sibling subdomain, which SameSite=Lax does not
/// stop) could otherwise change the signed-in user's account. So a Frontend API request that
/// changes something and is authenticated by the cookie must come from the issuer's own
/// origin or a configured `[server] cors_origins` entry. A token in a header or the
/// development browser's query parameter is not sent by the browser on its own, so it needs
/// no such check; nor do the hosted pages, whose forms carry a CSRF token (and check the
/// origin themselves). Minting a session token changes nothing and its answer is unreadable
/// to a foreign page without CORS, so `…/tokens` is open to any origin (it names the caller's
/// origin in the token's `azp`).
fn check_cookie_origin(ctx: &Ctx, req: &HttpRequest) -> Result<(), ApiError> {
    let safe = matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS")
        || req.path().ends_with("/tokens")
        || req.path().contains("/tokens/");
    // Without a client cookie yet the check still applies: a foreign page must not sign the
    // browser in to an account of its choosing (login CSRF) either.
    let by_browser = req.headers().get(header::AUTHORIZATION).is_none()
        && !(ctx.settings().server.dev_browser && query_value(req, DEV_BROWSER_PARAM).is_some());
    if safe || !by_browser || !req.path().starts_with("/v1/") {
        return Ok(());
    }
    let own = ctx.settings().issuer_origin();
    let allowed = crate::from_allowed_origin(req, |origin| {
        origin == own
            || ctx
                .settings()
                .server
                .cors_origins
                .iter()
                .any(|a| a == origin)
    });
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::OriginInvalid,
            "Request from another origin",
            "This request came from an origin Portcullis does not serve. Add the app's origin \
             to [server] cors_origins.",
        ))
    }
}

/// The `Origin` of a browser request, for the session token's `azp`.
pub fn origin(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| o.len() <= 256 && (o.starts_with("https://") || o.starts_with("http://")))
        .map(str::to_owned)
}

/// A response carrying the client token when the request created or rotated it, the way
/// the request carried its own.
pub fn with_client_token(
    ctx: &Ctx,
    req: &HttpRequest,
    cc: &ClientCtx,
    mut res: HttpResponse,
) -> HttpResponse {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    let Some(token) = &cc.new_token else {
        return res;
    };
    let header_name = match client_token(req, ctx.settings().server.dev_browser).1 {
        Transport::Cookie => None,
        Transport::Header => Some(header::AUTHORIZATION),
        Transport::DevBrowser => Some(header::HeaderName::from_static(DEV_BROWSER_HEADER)),
    };
    if let Some(name) = header_name {
        if let Ok(v) = header::HeaderValue::from_str(token) {
            res.headers_mut().insert(name, v);
        }
        return res;
    }
    let cookie = Cookie::build(CLIENT_COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(ctx.settings().issuer_is_https())
        .max_age(CookieDuration::days(365))
        .finish();
    let _ = res.add_cookie(&cookie);
    res
}

/// A cookie that removes the client cookie (after sign-out everywhere).
pub fn clear_client_cookie(ctx: &Ctx, res: &mut HttpResponse) {
    let mut cookie = Cookie::build(CLIENT_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(ctx.settings().issuer_is_https())
        .finish();
    cookie.make_removal();
    let _ = res.add_cookie(&cookie);
}

/// The HTTP status `error_response` answers a flow failure with; it logs nothing.
pub fn status_of(err: &FlowError) -> StatusCode {
    let code = match err {
        FlowError::Api(api) => api.code,
        FlowError::Unavailable(_) => ErrorCode::ServiceUnavailable,
        FlowError::Unexpected(_) => ErrorCode::InternalError,
    };
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST)
}

/// The FAPI error body and status for a flow failure. Internal causes go to the log only.
pub fn error_response(err: &FlowError) -> HttpResponse {
    let api = match err {
        FlowError::Api(api) => api.clone(),
        FlowError::Unavailable(cause) => {
            tracing::error!(error = %format!("{cause:#}"), "dependency unavailable");
            ApiError::new(
                ErrorCode::ServiceUnavailable,
                "Service temporarily unavailable",
                "A service Portcullis depends on is not answering. Try again in a moment.",
            )
            .retry_after(5)
        }
        FlowError::Unexpected(cause) => {
            tracing::error!(error = %format!("{cause:#}"), "unexpected failure");
            ApiError::new(
                ErrorCode::InternalError,
                "Something went wrong",
                "Something went wrong on our side; it has been logged. Please try again.",
            )
        }
    };
    // The texts in the request's language when it names one; the code stays.
    let api = match portcullis_i18n::request::current() {
        Some(locale) => crate::i18n::localized(&api, locale),
        None => api,
    };
    let status = status_of(err);
    let mut meta = serde_json::Map::new();
    if let Some(p) = &api.param {
        meta.insert("param_name".into(), p.clone().into());
    }
    if let Some(s) = api.lockout_expires_in_seconds {
        meta.insert("lockout_expires_in_seconds".into(), s.into());
    }
    let body = serde_json::json!({
        "errors": [{
            "code": api.code.as_str(),
            "message": api.message,
            "long_message": api.long_message,
            "meta": meta,
        }]
    });
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(secs) = api.retry_after {
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    res.json(body)
}

/// A request that failed before or inside its flow, answered as the FAPI `errors` array.
#[derive(Debug)]
pub(crate) struct Failure(pub FlowError);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<FlowError> for Failure {
    fn from(e: FlowError) -> Self {
        Self(e)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Self(e.into())
    }
}

impl ResponseError for Failure {
    fn status_code(&self) -> StatusCode {
        status_of(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        error_response(&self.0)
    }
}

/// The shared context, from the app's data: what every extractor starts from, whatever
/// surface its failure is answered on.
pub(crate) fn context(req: &HttpRequest) -> Result<web::Data<Ctx>, FlowError> {
    req.app_data::<web::Data<Ctx>>()
        .cloned()
        .ok_or_else(|| FlowError::Unexpected(anyhow::anyhow!("no shared context")))
}

/// The body of a request as flow parameters, from actix's payload.
async fn body_params(
    req: &HttpRequest,
    payload: impl std::future::Future<Output = Result<web::Payload, actix_web::Error>>,
) -> Result<Params, Failure> {
    Ok(params(req, body_stream(payload).await?).await?)
}

/// The request body's stream, taken by an extractor once the checks before it passed.
pub(crate) async fn body_stream(
    payload: impl std::future::Future<Output = Result<web::Payload, actix_web::Error>>,
) -> Result<web::Payload, Failure> {
    payload
        .await
        .map_err(|e| Failure(FlowError::Unexpected(anyhow::anyhow!("{e}"))))
}

// The extractors below each do their whole job in one future, in the order the answers must
// come in: the client (and the origin check) first, then the body, then the session. actix
// polls a handler's separate extractors together, so splitting them would let a body error
// overtake a refused origin depending on timing.

/// The request's client, named by its cookie or token; a request from a foreign origin that
/// the browser authenticated with the cookie is refused here (see `check_cookie_origin`).
pub(crate) struct Client(pub ClientCtx);

impl FromRequest for Client {
    type Error = Failure;
    type Future = LocalBoxFuture<'static, Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let ctx = context(&req)?;
            Ok(Client(client(&ctx, &req).await?))
        })
    }
}

/// The client, then the body's parameters (a form or a JSON object, 64 KiB at most).
pub(crate) struct Call {
    pub cc: ClientCtx,
    pub params: Params,
}

impl FromRequest for Call {
    type Error = Failure;
    type Future = LocalBoxFuture<'static, Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let ctx = context(&req)?;
            let cc = client(&ctx, &req).await?;
            let params = body_params(&req, payload).await?;
            Ok(Call { cc, params })
        })
    }
}

/// Which sessions an account call accepts, as a type: `Account<Active>`.
pub(crate) trait Level {
    const ACCESS: Access;
}

/// Only an active session.
pub(crate) struct Active;
/// Also a session waiting for its second factor to be set up (`[auth] mfa_required`).
pub(crate) struct MfaSetup;

impl Level for Active {
    const ACCESS: Access = Access::Active;
}

impl Level for MfaSetup {
    const ACCESS: Access = Access::MfaSetup;
}

/// Also a session whose one remaining task is choosing an organization
/// (`[organizations] force_organization_selection`): the calls that find, create or join one.
pub(crate) struct ChooseOrganization;

impl Level for ChooseOrganization {
    const ACCESS: Access = Access::ChooseOrganization;
}

/// An account call (`/v1/me…`): the client, the body's parameters when the method carries
/// one (POST, PUT, PATCH), then the signed-in user's session, named by `?_clerk_session_id=`
/// or the client's last active one. No session at the level `L` asks for is a 401.
pub(crate) struct Account<L> {
    pub cc: ClientCtx,
    pub params: Params,
    pub me: Me,
    level: PhantomData<L>,
}

impl<L: Level + 'static> FromRequest for Account<L> {
    type Error = Failure;
    type Future = LocalBoxFuture<'static, Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let has_body = matches!(req.method().as_str(), "POST" | "PUT" | "PATCH");
        let payload = has_body.then(|| web::Payload::from_request(&req, payload));
        Box::pin(async move {
            let ctx = context(&req)?;
            let cc = client(&ctx, &req).await?;
            let params = match payload {
                Some(payload) => body_params(&req, payload).await?,
                None => Params::default(),
            };
            let me = signed_in::<L>(&ctx, &req, &cc).await?;
            Ok(Account {
                cc,
                params,
                me,
                level: PhantomData,
            })
        })
    }
}

/// The signed-in user's session at level `L`: named by `?_clerk_session_id=`, or the
/// client's last active one.
async fn signed_in<L: Level>(ctx: &Ctx, req: &HttpRequest, cc: &ClientCtx) -> Result<Me, Failure> {
    let session = query_value(req, "_clerk_session_id")
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .map(crate::domain::SessionId::from_stored);
    Ok(account::me(ctx, cc, session.as_ref(), L::ACCESS).await?)
}

/// An account call that uploads a file (`PUT /v1/organizations/{id}/logo`): the client, then
/// the session, then the `file` (a multipart part or the raw body, see `upload`). Unlike
/// `Account`, the session comes before the body: an upload is up to 2 MiB, and only a
/// signed-in user gets that much read into memory.
pub(crate) struct AccountUpload<L> {
    pub cc: ClientCtx,
    pub file: Vec<u8>,
    pub me: Me,
    level: PhantomData<L>,
}

impl<L: Level + 'static> FromRequest for AccountUpload<L> {
    type Error = Failure;
    type Future = LocalBoxFuture<'static, Result<Self, Failure>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let ctx = context(&req)?;
            let cc = client(&ctx, &req).await?;
            let me = signed_in::<L>(&ctx, &req, &cc).await?;
            let file = crate::upload::read(&req, body_stream(payload).await?, "file").await?;
            Ok(AccountUpload {
                cc,
                file,
                me,
                level: PhantomData,
            })
        })
    }
}
