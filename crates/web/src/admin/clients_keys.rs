//! `/admin/v1` for relying-party clients, signing keys, audit events and webhook deliveries.

use super::*;

pub(super) async fn clients_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(
        async {
            let data = crate::flows::admin_clients::list(&ctx).await?;
            ok(StatusCode::OK, json!({ "data": data }))
        }
        .await,
    )
}

pub(super) async fn client_create(ctx: web::Data<Ctx>, call: Call<Value>) -> HttpResponse {
    respond(
        async {
            let a = call.admin;
            let input = call.body;
            let body = crate::flows::admin_clients::create(&ctx, &a, input).await?;
            ok(StatusCode::OK, body)
        }
        .await,
    )
}

pub(super) async fn client_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            ok(
                StatusCode::OK,
                crate::flows::admin_clients::get(&ctx, &id).await?,
            )
        }
        .await,
    )
}

pub(super) async fn client_update(
    ctx: web::Data<Ctx>,
    call: Call<Value>,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            let a = call.admin;
            let input = call.body;
            ok(
                StatusCode::OK,
                crate::flows::admin_clients::update(&ctx, &a, &id, input).await?,
            )
        }
        .await,
    )
}

pub(super) async fn client_delete(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            let a = op.0;
            crate::flows::admin_clients::delete(&ctx, &a, &id).await?;
            ok(StatusCode::OK, render::deleted("oauth_client", &id))
        }
        .await,
    )
}

pub(super) async fn client_rotate(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            let a = op.0;
            ok(
                StatusCode::OK,
                crate::flows::admin_clients::rotate_secret(&ctx, &a, &id).await?,
            )
        }
        .await,
    )
}

pub(super) async fn keys_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(
        async {
            ok(
                StatusCode::OK,
                json!({ "data": crate::flows::admin_clients::keys(&ctx).await? }),
            )
        }
        .await,
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Rotate {
    #[serde(default = "ten_minutes")]
    publish_delay_secs: i64,
}

pub(super) fn ten_minutes() -> i64 {
    600
}

pub(super) async fn keys_rotate(ctx: web::Data<Ctx>, call: Call<Rotate>) -> HttpResponse {
    respond(
        async {
            let a = call.admin;
            let input = call.body;
            let kids = crate::flows::admin_clients::rotate_keys(&ctx, &a, input.publish_delay_secs)
                .await?;
            ok(
                StatusCode::OK,
                json!({ "rotated": kids, "data": crate::flows::admin_clients::keys(&ctx).await? }),
            )
        }
        .await,
    )
}

#[derive(Deserialize)]
pub(super) struct AuditQuery {
    user_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    limit: Option<u64>,
    after: Option<String>,
}

pub(super) async fn audit_list(
    ctx: web::Data<Ctx>,
    _: Operator,
    q: web::Query<AuditQuery>,
) -> HttpResponse {
    respond(
        async {
            let (rows, next) = admin::audit_page(
                &ctx,
                repo::AuditFilter {
                    user_id: q.user_id.as_deref(),
                    kind: q.kind.as_deref(),
                    since: q.since,
                    until: q.until,
                },
                q.after.as_deref(),
                q.limit.unwrap_or(100),
            )
            .await?;
            let data: Vec<Value> = rows
                .iter()
                .map(|e| {
                    json!({
                        "object": "audit_event",
                        "id": e.id,
                        "type": e.kind,
                        "user_id": e.user_id,
                        "session_id": e.session_id,
                        "client_id": e.client_id,
                        "ip": e.ip,
                        "user_agent": e.user_agent,
                        "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null),
                        "created_at": e.created_at,
                    })
                })
                .collect();
            ok(StatusCode::OK, json!({ "data": data, "next_cursor": next }))
        }
        .await,
    )
}

pub(super) async fn deliveries_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(
        async {
            let rows = crate::flows::webhooks::recent(&ctx, 200).await?;
            let data: Vec<Value> = rows
                .iter()
                .map(|d| {
                    json!({
                        "object": "webhook_delivery",
                        "id": d.id,
                        "endpoint": d.endpoint,
                        "type": d.event_type,
                        "attempts": d.attempts,
                        "next_attempt_at": d.next_attempt_at,
                        "delivered_at": d.delivered_at,
                        "failed_at": d.failed_at,
                        "last_error": d.last_error,
                        "created_at": d.created_at,
                    })
                })
                .collect();
            ok(StatusCode::OK, json!({ "data": data }))
        }
        .await,
    )
}

pub(super) async fn delivery_retry(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            crate::flows::webhooks::retry(&ctx, &op.0, &id).await?;
            ok(
                StatusCode::OK,
                json!({ "object": "webhook_delivery", "id": *id, "retrying": true }),
            )
        }
        .await,
    )
}
