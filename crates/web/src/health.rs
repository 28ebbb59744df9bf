//! Liveness, readiness and the public signing keys.

use crate::Respond as _;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::flows::Ctx;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database and the ephemeral store answer.
pub async fn readyz(ctx: web::Data<Ctx>) -> HttpResponse {
    let db = ctx.db.ping().await;
    let eph = ctx.eph.ping().await;
    if let Err(e) = &db {
        tracing::warn!(error = %e, "readiness: database unreachable");
    }
    if let Err(e) = &eph {
        tracing::warn!(error = %e, "readiness: ephemeral store unreachable");
    }
    let body = serde_json::json!({
        "database": if db.is_ok() { "ok" } else { "unavailable" },
        "ephemeral_store": if eph.is_ok() { "ok" } else { "unavailable" },
    });
    if db.is_ok() && eph.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// RFC 7517 key set; cached briefly so a rotation is seen within minutes.
pub async fn jwks(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    ctx.keys
        .current()
        .published_jwks()
        .respond(&req, "public, max-age=300")
}

/// Prometheus metrics (`[metrics]`): off, open, or behind a bearer token.
pub async fn metrics(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let settings = &ctx.settings().metrics;
    if !settings.enabled {
        return HttpResponse::NotFound().finish();
    }
    if let Some(token) = &settings.token {
        use secrecy::ExposeSecret;
        use subtle::ConstantTimeEq;
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let expected = token.expose_secret();
        // Hash both sides so the comparison takes the same time whatever the lengths.
        let same = crate::crypto::sha256(given.as_bytes())
            .ct_eq(&crate::crypto::sha256(expected.as_bytes()));
        if !bool::from(same) {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
                .finish();
        }
    }
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(crate::metrics::global().render())
}
