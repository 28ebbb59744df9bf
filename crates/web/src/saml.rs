//! The service-provider side of SAML enterprise connections: each connection's metadata, and
//! its assertion consumer service (ACS), where the identity provider's page posts the
//! browser back (HTTP-POST binding). Decisions live in `flows::oauth::saml_acs`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};

use crate::flows::Ctx;
use crate::message_page;

/// The largest form the ACS reads: a `SAMLResponse` of at most 256 KiB, and its `RelayState`.
const ACS_BODY_LIMIT: usize = crate::flows::oauth::SAML_RESPONSE_LIMIT + 4096;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/saml/{id}/metadata", web::get().to(metadata))
        .route("/saml/{id}/acs", web::post().to(acs));
}

/// `GET /saml/{id}/metadata`: this service provider's metadata for connection `id`, for the
/// company's administrator to load into their identity provider.
async fn metadata(ctx: web::Data<Ctx>, id: web::Path<String>) -> HttpResponse {
    let Some(provider) = ctx.federation.saml_connection(&id) else {
        return message_page(StatusCode::NOT_FOUND, "There is no such SAML connection.");
    };
    match provider.saml.as_ref().map(|c| c.sp_metadata()) {
        Some(Ok(xml)) => HttpResponse::Ok()
            .content_type("application/samlmetadata+xml")
            .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
            .body(xml),
        _ => {
            tracing::error!(connection = %id, "SAML metadata could not be written");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; it has been logged. Please try again.",
            )
        }
    }
}

/// `POST /saml/{id}/acs`: the identity provider's answer. A cross-site form post by design,
/// so no CSRF token or Origin check: what makes it trustworthy is the IdP's signature, the
/// `InResponseTo` of a request this server made, and the single-use `RelayState`, which the
/// flow checks. Its end is a redirect to `/v1/oauth_callback`, where the browser's own
/// client finishes the sign-in; a refused answer is an HTML page.
async fn acs(
    ctx: web::Data<Ctx>,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let ip = crate::client_ip::client_ip(&req, &ctx.trusted_proxies).map(|ip| ip.to_string());
    let body = match crate::read_body_up_to(payload, ACS_BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            return message_page(
                e.status(),
                "The identity provider's answer could not be read.",
            );
        }
    };
    let mut saml_response = None;
    let mut relay_state = None;
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "SAMLResponse" if saml_response.is_none() => saml_response = Some(v.into_owned()),
            "RelayState" if relay_state.is_none() => relay_state = Some(v.into_owned()),
            _ => {}
        }
    }
    let (response, relay) = (saml_response.as_deref(), relay_state.as_deref());
    match crate::flows::oauth::saml_acs(&ctx, &id, ip.as_deref(), response, relay).await {
        Ok(to) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, to))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(e) => crate::navigation_failure(e),
    }
}
