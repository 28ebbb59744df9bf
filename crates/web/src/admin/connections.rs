//! `/admin/v1/enterprise_connections`: enterprise SSO connections (OpenID Connect or SAML).

use super::*;

pub(super) async fn connections_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(ok(
        StatusCode::OK,
        json!({ "data": crate::flows::connections::list(&ctx) }),
    ))
}

pub(super) async fn connection_create(ctx: web::Data<Ctx>, call: Call<Value>) -> HttpResponse {
    respond(
        async {
            let body = crate::flows::connections::create(&ctx, &call.admin, call.body).await?;
            ok(StatusCode::OK, body)
        }
        .await,
    )
}

pub(super) async fn connection_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(crate::flows::connections::get(&ctx, &id).and_then(|b| ok(StatusCode::OK, b)))
}

pub(super) async fn connection_update(
    ctx: web::Data<Ctx>,
    call: Call<Value>,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            let body = crate::flows::connections::update(&ctx, &call.admin, &id, call.body).await?;
            ok(StatusCode::OK, body)
        }
        .await,
    )
}

pub(super) async fn connection_delete(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            crate::flows::connections::delete(&ctx, &op.0, &id).await?;
            ok(
                StatusCode::OK,
                render::deleted("enterprise_connection", &id),
            )
        }
        .await,
    )
}

/// An enterprise connection's settings: the fields of `[[enterprise_connections]]`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "documents the JSON the connection endpoints take")]
pub(super) struct ConnectionInput {
    id: Option<String>,
    name: Option<String>,
    /// `oidc` (the default) or `saml`.
    protocol: Option<String>,
    domains: Option<Vec<String>>,
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scopes: Option<Vec<String>>,
    idp_metadata_url: Option<String>,
    idp_metadata: Option<String>,
    idp_entity_id: Option<String>,
    idp_sso_url: Option<String>,
    idp_certificate: Option<Vec<String>>,
    attribute_mapping: Option<std::collections::BTreeMap<String, String>>,
    allow_idp_initiated: Option<bool>,
    sign_authn_requests: Option<bool>,
    sp_certificate: Option<String>,
    sp_private_key: Option<String>,
    idp_metadata_refresh_secs: Option<u64>,
    mfa_authn_contexts: Option<Vec<String>>,
}
