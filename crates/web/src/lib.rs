//! HTTP: routes, middleware, and the mapping of flow results to responses. Handlers parse,
//! call one flow function, and render; they hold no flow logic.

// The layers below, by their short names.
use portcullis_config as config;
use portcullis_domain as domain;
use portcullis_domain::{crypto, metrics};
use portcullis_federation as federation;
use portcullis_flows as flows;
use portcullis_oidc as oidc;
use portcullis_store as store;

mod admin;
mod bapi;
pub mod client_ip;
pub mod fapi;
#[doc(hidden)]
pub mod fuzzing;
mod health;
mod i18n;
mod images;
mod oidc_endpoints;
mod openapi;
pub(crate) mod pages;
pub mod request_span;
mod saml;
pub mod upload;

use actix_web::dev::Service;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

/// Every route of the server. The router tries them in this order, and each route with a
/// `{placeholder}` costs a regular-expression match for every request that reaches it, so the
/// busiest paths come first: the OpenID Provider's endpoints (fixed paths, asked by every
/// relying party), then the APIs, each behind the fixed prefix of its scope, then the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/.well-known/jwks.json", web::get().to(health::jwks))
        .route("/metrics", web::get().to(health::metrics))
        .route("/openapi.json", web::get().to(openapi::serve));
    oidc_endpoints::routes(cfg);
    admin::routes(cfg);
    bapi::routes(cfg);
    fapi::routes(cfg);
    pages::routes(cfg);
    // After the pages: `/static/brand.css` is theirs, every other file under `/static/` this.
    oidc_endpoints::static_routes(cfg);
    saml::routes(cfg);
    images::routes(cfg);
}

/// Whether a browser request comes from an origin `allowed` accepts. A browser names the
/// page's origin in `Origin` on a POST, except that it sends `null` when the page's referrer
/// policy is `no-referrer` (Fetch §3.2.5), as Portcullis's own pages ask; then fetch metadata
/// (`Sec-Fetch-Site`) tells a request from the same origin apart from one from another site
/// or a sibling subdomain. A request with neither is not a modern browser's.
pub fn from_allowed_origin(req: &HttpRequest, allowed: impl Fn(&str) -> bool) -> bool {
    let site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok());
    match req.headers().get(header::ORIGIN).map(|o| o.to_str()) {
        Some(Ok(origin)) if origin != "null" => allowed(origin.trim_end_matches('/')),
        Some(Err(_)) => false,
        // `null` or absent: only fetch metadata can say where it came from.
        _ => !matches!(site, Some("cross-site" | "same-site")),
    }
}

/// Browser SDKs send PATCH and DELETE as `POST …?_method=PATCH`; route them as what they are.
/// Runs before routing.
pub fn method_override(req: &mut actix_web::dev::ServiceRequest) {
    if req.method() != Method::POST {
        return;
    }
    let over = req.query_string().split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == "_method").then(|| v.to_ascii_uppercase())
    });
    let method = match over.as_deref() {
        Some("PATCH") => Method::PATCH,
        Some("DELETE") => Method::DELETE,
        Some("PUT") => Method::PUT,
        _ => return,
    };
    req.head_mut().method = method;
}

/// Browser SDKs create in a collection with a trailing slash (`POST /v1/me/email_addresses/`):
/// under `/v1/` a path is routed without it. Runs before routing.
pub fn trim_trailing_slash(req: &mut actix_web::dev::ServiceRequest) {
    let path = req.path();
    if !path.starts_with("/v1/") || !path.ends_with('/') {
        return;
    }
    let trimmed = path.trim_end_matches('/');
    let target = match req.query_string() {
        "" => trimmed.to_owned(),
        q => format!("{trimmed}?{q}"),
    };
    let Ok(path_and_query) = target.parse::<actix_web::http::uri::PathAndQuery>() else {
        return;
    };
    let mut parts = req.head().uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = actix_web::http::Uri::from_parts(parts) {
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
}

/// Wraps the app with the headers every response carries and the request id.
pub fn security_headers<S, B>(
    req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>>
+ use<S, B>
where
    S: Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    let mut req = req;
    method_override(&mut req);
    trim_trailing_slash(&mut req);
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let ctx = req.app_data::<web::Data<crate::flows::Ctx>>();
    let https = ctx.is_some_and(|c| c.settings().issuer_is_https());
    // CORS, for the Frontend API only and only for the configured origins: with
    // credentials, so the origin is echoed, never `*`.
    let cors_origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|_| req.path().starts_with("/v1/"))
        .filter(|o| ctx.is_some_and(|c| c.settings().server.cors_origins.iter().any(|a| a == o)))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let started = std::time::Instant::now();
    // The language the request asks for, for what is rendered without the request in hand
    // (an error's body). The operators' APIs and console stay in English.
    let path = req.path();
    let operator = ["/admin/", "/bapi/", "/dashboard"]
        .iter()
        .any(|p| path.starts_with(p));
    let locale = (!operator)
        .then(|| i18n::from_request(req.request()))
        .flatten();
    let fut = portcullis_i18n::request::scope(locale, srv.call(req));
    async move {
        let mut res = fut.await?;
        crate::metrics::global().observe(
            res.request().match_pattern().as_deref(),
            res.request().method().as_str(),
            res.status().as_u16(),
            started.elapsed(),
        );
        let h = res.headers_mut();
        if let Some(origin) = cors_origin {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            h.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("Authorization, Clerk-Db-Jwt, Retry-After, X-Request-Id"),
            );
        }
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        if https {
            h.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
            h.insert(header::HeaderName::from_static("x-request-id"), id);
        }
        Ok(res)
    }
}

pub use portcullis_core::published::Published;

/// Serving a [`Published`] document over HTTP.
pub trait Respond {
    /// 200 with the body, or 304 when `If-None-Match` names the current ETag
    /// (RFC 9110 §13.1.2).
    fn respond(&self, req: &actix_web::HttpRequest, cache_control: &'static str) -> HttpResponse;
}

impl Respond for Published {
    fn respond(&self, req: &actix_web::HttpRequest, cache_control: &'static str) -> HttpResponse {
        let etag = self.etag();
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim() == "*"
                    || v.split(',').any(|t| {
                        let t = t.trim();
                        t.strip_prefix("W/").unwrap_or(t).as_bytes() == etag.as_ref()
                    })
            });
        let mut res = if fresh {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        let etag = HeaderValue::from_maybe_shared(etag.clone())
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        res.insert_header((header::ETAG, etag)).insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        ));
        if fresh {
            return res.finish();
        }
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .body(self.body().clone())
    }
}

/// The Content Security Policy of every HTML page: no inline script or style, no framing.
/// No `form-action`: browsers apply it to every redirect after a submission, and sign-in,
/// consent and logout forms end at an application's origin, which the page cannot know.
pub(crate) const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' https: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// An HTML page: never cached, under `csp`.
pub(crate) fn html_response(
    status: StatusCode,
    body: Result<String, askama::Error>,
    csp: &str,
) -> HttpResponse {
    match body {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_SECURITY_POLICY, csp))
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct MessagePage<'a> {
    s: &'a pages::strings::Strings,
    message: &'a str,
}

/// The error page: what went wrong and what to do.
pub(crate) fn message_page(status: StatusCode, message: &str) -> HttpResponse {
    let s = pages::strings::Strings::for_protocol_page(None);
    html_response(status, MessagePage { s: &s, message }.render(), PAGE_CSP)
}

/// A failed browser navigation that cannot go back to the app (a provider's redirect back):
/// an HTML page, 429 past a rate limit, 400 for another refusal, 503 / 500 (logged) otherwise.
/// The page says it in the request's language.
pub(crate) fn navigation_failure(e: flows::FlowError) -> HttpResponse {
    failure_page(&e)
}

/// A flow failure as the error page, in the request's language (see `navigation_failure`).
pub(crate) fn failure_page(e: &flows::FlowError) -> HttpResponse {
    let s = pages::strings::Strings::for_protocol_page(None);
    let (status, text) = match e {
        flows::FlowError::Api(api) => {
            let status = match api.code.status() {
                429 => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::BAD_REQUEST,
            };
            (status, i18n::localized(api, s.locale).long_message)
        }
        flows::FlowError::Unavailable(cause) => {
            tracing::error!(error = %format!("{cause:#}"), "dependency unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, s.error_unavailable.clone())
        }
        flows::FlowError::Unexpected(cause) => {
            tracing::error!(error = %format!("{cause:#}"), "unexpected failure");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                s.error_unexpected.clone(),
            )
        }
    };
    html_response(
        status,
        MessagePage {
            s: &s,
            message: &text,
        }
        .render(),
        PAGE_CSP,
    )
}

/// Why a request body could not be read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BodyError {
    Unreadable,
    TooLarge,
}

impl BodyError {
    /// 413 past the size limit (RFC 9110 §15.5.14), 400 otherwise.
    pub(crate) fn status(self) -> StatusCode {
        match self {
            BodyError::Unreadable => StatusCode::BAD_REQUEST,
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// The FAPI / admin API error for it.
    pub(crate) fn api_error(self) -> crate::flows::ApiError {
        let code = match self {
            BodyError::Unreadable => crate::flows::ErrorCode::RequestBodyInvalid,
            BodyError::TooLarge => crate::flows::ErrorCode::RequestBodyTooLarge,
        };
        crate::flows::ApiError::new(code, "Invalid request body", self.message())
    }

    pub(crate) fn message(self) -> &'static str {
        match self {
            BodyError::Unreadable => "The request body could not be read.",
            BodyError::TooLarge => "The request body is larger than 64 KiB.",
        }
    }
}

/// Reads a request body of at most 64 KiB (every form and JSON body Portcullis takes, but
/// for a SAML identity provider's answer).
pub(crate) async fn read_body(payload: web::Payload) -> Result<web::BytesMut, BodyError> {
    read_body_up_to(payload, 64 * 1024).await
}

/// Reads a request body of at most `limit` bytes.
pub(crate) async fn read_body_up_to(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, BodyError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
