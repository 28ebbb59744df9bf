//! `/bapi/v1` JWT templates, template tokens for a session, and actor tokens.

use serde::Deserialize;

use super::*;
use crate::flows::actor_tokens::{self, NewActorToken};
use crate::flows::admin;
use crate::flows::jwt_templates::{self as templates, TemplateInput};
use crate::store::tickets::TicketRow;

pub(super) async fn templates_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(
        async {
            let rows = templates::list(&ctx).await?;
            let total = rows.len() as u64;
            paginated(rows.iter().map(templates::render).collect(), total)
        }
        .await,
    )
}

pub(super) async fn template_create(
    ctx: web::Data<Ctx>,
    call: Call<TemplateInput>,
) -> HttpResponse {
    answer(
        templates::save(&ctx, &call.admin, None, call.body)
            .await
            .map(|t| templates::render(&t)),
    )
}

pub(super) async fn template_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        templates::get(&ctx, &id)
            .await
            .map(|t| templates::render(&t)),
    )
}

pub(super) async fn template_update(
    ctx: web::Data<Ctx>,
    call: Call<TemplateInput>,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        templates::save(&ctx, &call.admin, Some(&id), call.body)
            .await
            .map(|t| templates::render(&t)),
    )
}

pub(super) async fn template_delete(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        templates::delete(&ctx, &op.0, &id)
            .await
            .map(|()| crate::flows::wire::deleted("jwt_template", &id)),
    )
}

/// `POST /sessions/{id}/tokens/{template}`: `sessions.getToken(sessionId, template)`.
pub(super) async fn session_template_token(
    ctx: web::Data<Ctx>,
    _: Operator,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, template) = path.into_inner();
    answer(
        async {
            let live = admin::active_session(&ctx, &id).await?;
            let jwt = templates::token(&ctx, &live, &template, None).await?;
            Ok(json!({ "object": "token", "jwt": jwt }))
        }
        .await,
    )
}

/// `POST /actor_tokens`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewActor {
    user_id: String,
    /// The operator: a JSON object with at least `sub`.
    #[schema(value_type = Object)]
    actor: Value,
    /// An hour by default.
    expires_in_seconds: Option<i64>,
    /// 30 minutes by default.
    session_max_duration_in_seconds: Option<i64>,
}

fn actor_token_json(ctx: &Ctx, row: &TicketRow, token: Option<&str>) -> Value {
    let status = super::resources::token_status(row);
    json!({
        "object": "actor_token",
        "id": row.id,
        "status": status,
        "user_id": row.user_id,
        "actor": actor_tokens::actor_of(row),
        "token": token,
        "url": token.map(|t| super::resources::ticket_url(ctx, t)),
        "created_at": row.created_at,
        "updated_at": row.revoked_at.or(row.used_at).unwrap_or(row.created_at),
    })
}

pub(super) async fn actor_token_create(ctx: web::Data<Ctx>, call: Call<NewActor>) -> HttpResponse {
    let b = call.body;
    let new = NewActorToken {
        user_id: b.user_id,
        actor: b.actor,
        expires_in_seconds: b.expires_in_seconds.unwrap_or(3600),
        session_max_duration_in_seconds: b.session_max_duration_in_seconds.unwrap_or(1800),
    };
    answer(
        actor_tokens::create(&ctx, &call.admin, new)
            .await
            .map(|(row, token)| actor_token_json(&ctx, &row, Some(&token))),
    )
}

pub(super) async fn actor_token_revoke(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        actor_tokens::revoke(&ctx, &op.0, &id)
            .await
            .map(|row| actor_token_json(&ctx, &row, None)),
    )
}
