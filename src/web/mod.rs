//! HTTP: routes, middleware, and the mapping of flow results to responses. Handlers parse,
//! call one flow function, and render; they hold no flow logic.

pub mod fapi;
mod health;
mod oidc;
mod pages;

use actix_web::dev::Service;
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, web};

/// Every route of the server.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/.well-known/jwks.json", web::get().to(health::jwks));
    fapi::routes(cfg);
    pages::routes(cfg);
    oidc::routes(cfg);
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
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let fut = srv.call(req);
    async move {
        let mut res = fut.await?;
        let h = res.headers_mut();
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
