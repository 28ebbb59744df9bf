//! The span every request's log lines carry. Its target is the path and the names of the
//! query parameters, with values kept only for a few known to be harmless: a query may carry
//! a link token, an authorization code or a development client token, and none of those may
//! reach a log line.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

/// Query parameters whose values are shown in logs; every other value is replaced.
const SHOWN: &[&str] = &[
    "_method",
    "__clerk_api_version",
    "_clerk_js_version",
    "_clerk_session_id",
    "_clerk_retry_attempt",
    "_is_native",
    "debug",
    "limit",
    "offset",
    "paginated",
    "response_type",
    "response_mode",
    "scope",
    "prompt",
    "error",
];

/// `path?name=value&other=…`: what a log line may show of a request target.
pub fn redacted_target(path: &str, query: &str) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let mut out = String::with_capacity(path.len() + query.len().min(256) + 1);
    out.push_str(path);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.push_str(name);
        if SHOWN.contains(&name) {
            out.push('=');
            out.push_str(value);
        } else if !value.is_empty() {
            out.push_str("=…");
        }
    }
    out
}

pub struct RedactedSpan;

impl RootSpanBuilder for RedactedSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let route = request.match_pattern().unwrap_or_default();
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %redacted_target(request.path(), request.query_string()),
            http.client_ip = tracing::field::Empty,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        );
        if !span.is_disabled() {
            // The caller's address as the limits and the audit trail see it (a trusted
            // proxy's X-Forwarded-For, else the peer), not whatever a forwarded header claims.
            let trusted = request
                .app_data::<actix_web::web::Data<crate::flows::Ctx>>()
                .map(|c| c.trusted_proxies.as_slice())
                .unwrap_or_default();
            if let Some(ip) = super::client_ip::client_ip(request.request(), trusted) {
                span.record("http.client_ip", tracing::field::display(ip));
            }
        }
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_target;

    #[test]
    fn query_values_are_hidden_unless_harmless() {
        assert_eq!(redacted_target("/v1/client", ""), "/v1/client");
        assert_eq!(
            redacted_target(
                "/v1/client",
                "__clerk_db_jwt=secret-token&_method=PATCH&_clerk_js_version=6.40.0"
            ),
            "/v1/client?__clerk_db_jwt=…&_method=PATCH&_clerk_js_version=6.40.0"
        );
        assert_eq!(
            redacted_target("/v1/verify", "token=abc"),
            "/v1/verify?token=…"
        );
        assert_eq!(
            redacted_target("/oauth/authorize", "code=c0de&state=s7&flag"),
            "/oauth/authorize?code=…&state=…&flag"
        );
    }
}
