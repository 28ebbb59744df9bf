//! Liveness, readiness and the public signing keys.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

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
pub async fn jwks(ctx: web::Data<Ctx>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(ctx.keys.current().jwks().to_owned())
}
