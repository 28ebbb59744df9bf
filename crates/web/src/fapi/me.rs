//! The account API under `/v1/me`, in the same `{response, client}` envelope.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::{NO_PARAMS, envelope, extract, render};
use crate::flows::account::{self, Access, Me};
use crate::flows::passkeys;
use crate::flows::{Ctx, FlowResult, Params};
use crate::openapi::{Api, api_table};
use crate::store::users::IdentifierKind;

// The account API, one line per operation (see `api_table!`).
api_table! { Api::Account, "/v1", register_routes, operations;
    get "/me" => get, "The signed-in user";
    delete "/me" => delete_self, "Delete the account (needs a recent verification)";
    patch "/me" => update, "Change names, username, metadata, or the primary email address or phone number", params account::UPDATE_PARAMS;
    post "/me/change_password" => change_password, "Change the password (the current one is checked)", params account::CHANGE_PASSWORD_PARAMS;
    get "/me/sessions/active" => sessions_active, "The user's active sessions, on every device";
    post "/me/sessions/{id}/revoke" => session_revoke, "Sign a device out";
    post "/me/totp" => totp_create, "Start adding an authenticator app (secret and QR code)", params NO_PARAMS;
    post "/me/totp/attempt_verification" => totp_attempt, "Verify the new authenticator app with a code", params account::TOTP_ATTEMPT_PARAMS;
    delete "/me/totp" => totp_delete, "Remove the authenticator app";
    post "/me/backup_codes" => backup_codes_create, "A new set of backup codes (shown once)", params NO_PARAMS;
    post "/me/passkeys" => passkey_create, "Start registering a passkey (creation options)", params NO_PARAMS;
    post "/me/passkeys/{id}/attempt_verification" => passkey_attempt, "Finish registering a passkey", params passkeys::FINISH_REGISTRATION_PARAMS;
    patch "/me/passkeys/{id}" => passkey_update, "Rename a passkey", params passkeys::RENAME_PARAMS;
    delete "/me/passkeys/{id}" => passkey_delete, "Remove a passkey";
    post "/me/external_accounts" => external_create, "Connect an account at another provider", params account::CONNECT_EXTERNAL_PARAMS;
    delete "/me/external_accounts/{id}" => external_delete, "Disconnect an account at another provider";
    post "/me/email_addresses" => email_create, "Add an email address (unverified)", params account::ADD_EMAIL_PARAMS;
    get "/me/email_addresses/{id}" => email_get, "An email address of the user";
    delete "/me/email_addresses/{id}" => email_delete, "Remove an email address";
    post "/me/email_addresses/{id}/prepare_verification" => email_prepare, "Send a verification code or link", params account::PREPARE_PARAMS;
    post "/me/email_addresses/{id}/attempt_verification" => email_attempt, "Verify with the code", params account::ATTEMPT_PARAMS;
    post "/me/phone_numbers" => phone_create, "Add a phone number (unverified)", params account::ADD_PHONE_PARAMS;
    get "/me/phone_numbers/{id}" => phone_get, "A phone number of the user";
    patch "/me/phone_numbers/{id}" => phone_update, "Reserve a phone number for second-factor codes", params account::PHONE_UPDATE_PARAMS;
    delete "/me/phone_numbers/{id}" => phone_delete, "Remove a phone number";
    post "/me/phone_numbers/{id}/prepare_verification" => phone_prepare, "Send a verification code", params account::PREPARE_PARAMS;
    post "/me/phone_numbers/{id}/attempt_verification" => phone_attempt, "Verify with the code", params account::ATTEMPT_PARAMS;
}

/// `_clerk_session_id` from the query: the session the call acts on.
fn session_param(req: &HttpRequest) -> Option<String> {
    super::extract::query_value(req, "_clerk_session_id").filter(|v| !v.is_empty() && v.len() <= 64)
}

/// Runs `op` for the signed-in user and wraps its answer in the envelope.
async fn run<F, Fut>(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: Option<web::Payload>,
    access: Access,
    op: F,
) -> HttpResponse
where
    F: FnOnce(web::Data<Ctx>, Me, Params) -> Fut,
    Fut: std::future::Future<Output = FlowResult<Value>>,
{
    let cc = match extract::client(&ctx, &req).await {
        Ok(c) => c,
        Err(e) => return extract::error_response(&e),
    };
    let result = async {
        let params = match payload {
            Some(p) => extract::params(&req, p).await?,
            None => Params::default(),
        };
        let me = account::me(&ctx, &cc, session_param(&req).as_deref(), access).await?;
        op(ctx.clone(), me, params).await
    }
    .await;
    envelope(&ctx, &req, &cc, result).await
}

async fn get(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    run(ctx, req, None, Access::MfaSetup, |_, me, _| async move {
        Ok(render::user(me.user()))
    })
    .await
}

async fn delete_self(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    run(ctx, req, None, Access::Active, |ctx, me, _| async move {
        let id = me.user().user.id.clone();
        account::delete_self(&ctx, &me).await?;
        Ok(render::deleted("user", &id))
    })
    .await
}

async fn update(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    run(
        ctx,
        req,
        Some(payload),
        Access::Active,
        |ctx, me, p| async move { Ok(render::user(&account::update(&ctx, &me, &p).await?)) },
    )
    .await
}

async fn change_password(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    run(
        ctx,
        req,
        Some(payload),
        Access::Active,
        |ctx, me, p| async move {
            Ok(render::user(
                &account::change_password(&ctx, &me, &p).await?,
            ))
        },
    )
    .await
}

async fn sessions_active(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    run(ctx, req, None, Access::Active, |ctx, me, _| async move {
        let current = me.session.row.id.clone();
        let list = account::active_sessions(&ctx, &me).await?;
        Ok(Value::Array(
            list.iter()
                .map(|s| render::session_summary(s, &current))
                .collect(),
        ))
    })
    .await
}

async fn session_revoke(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    run(
        ctx,
        req,
        Some(payload),
        Access::Active,
        |ctx, me, _| async move {
            let current = me.session.row.id.clone();
            let s = account::revoke_session(&ctx, &me, &id).await?;
            Ok(render::session_summary(&s, &current))
        },
    )
    .await
}

async fn totp_create(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    run(
        ctx,
        req,
        Some(payload),
        Access::MfaSetup,
        |ctx, me, p| async move {
            p.only(NO_PARAMS)?;
            Ok(render::totp(&account::start_totp(&ctx, &me).await?))
        },
    )
    .await
}

async fn totp_attempt(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    run(
        ctx,
        req,
        Some(payload),
        Access::MfaSetup,
        |ctx, me, p| async move { Ok(render::totp(&account::finish_totp(&ctx, &me, &p).await?)) },
    )
    .await
}

async fn totp_delete(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    run(ctx, req, None, Access::Active, |ctx, me, _| async move {
        account::remove_totp(&ctx, &me).await?;
        Ok(render::deleted("totp", ""))
    })
    .await
}

async fn backup_codes_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    run(
        ctx,
        req,
        Some(payload),
        Access::MfaSetup,
        |ctx, me, p| async move {
            p.only(NO_PARAMS)?;
            let codes = account::regenerate_backup_codes(&ctx, &me).await?;
            Ok(render::backup_codes(&codes, ctx.now()))
        },
    )
    .await
}

macro_rules! identification_routes {
    ($kind:expr, $object:literal, $create:ident, $get:ident, $delete:ident, $prepare:ident, $attempt:ident) => {
        async fn $create(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            payload: web::Payload,
        ) -> HttpResponse {
            run(
                ctx,
                req,
                Some(payload),
                Access::MfaSetup,
                |ctx, me, p| async move {
                    Ok(render::identification(
                        &account::add_identification(&ctx, &me, $kind, &p).await?,
                    ))
                },
            )
            .await
        }

        async fn $get(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            path: web::Path<String>,
        ) -> HttpResponse {
            let id = path.into_inner();
            run(ctx, req, None, Access::MfaSetup, |ctx, me, _| async move {
                Ok(render::identification(
                    &account::get_identification(&ctx, &me, $kind, &id).await?,
                ))
            })
            .await
        }

        async fn $delete(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            path: web::Path<String>,
        ) -> HttpResponse {
            let id = path.into_inner();
            run(ctx, req, None, Access::Active, |ctx, me, _| async move {
                account::remove_identification(&ctx, &me, $kind, &id).await?;
                Ok(render::deleted($object, &id))
            })
            .await
        }

        async fn $prepare(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            payload: web::Payload,
            path: web::Path<String>,
        ) -> HttpResponse {
            let id = path.into_inner();
            run(
                ctx,
                req,
                Some(payload),
                Access::MfaSetup,
                |ctx, me, p| async move {
                    Ok(render::identification(
                        &account::prepare_identification(&ctx, &me, $kind, &id, &p).await?,
                    ))
                },
            )
            .await
        }

        async fn $attempt(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            payload: web::Payload,
            path: web::Path<String>,
        ) -> HttpResponse {
            let id = path.into_inner();
            run(
                ctx,
                req,
                Some(payload),
                Access::MfaSetup,
                |ctx, me, p| async move {
                    Ok(render::identification(
                        &account::attempt_identification(&ctx, &me, $kind, &id, &p).await?,
                    ))
                },
            )
            .await
        }
    };
}

identification_routes!(
    IdentifierKind::Email,
    "email_address",
    email_create,
    email_get,
    email_delete,
    email_prepare,
    email_attempt
);
identification_routes!(
    IdentifierKind::Phone,
    "phone_number",
    phone_create,
    phone_get,
    phone_delete,
    phone_prepare,
    phone_attempt
);

async fn phone_update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    run(
        ctx,
        req,
        Some(payload),
        Access::MfaSetup,
        |ctx, me, p| async move {
            Ok(render::identification(
                &account::update_phone(&ctx, &me, &id, &p).await?,
            ))
        },
    )
    .await
}

async fn external_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    run(
        ctx,
        req,
        Some(payload),
        Access::Active,
        |ctx, me, p| async move {
            let v = account::connect_external(&ctx, &me, &p).await?;
            Ok(render::external_account_pending(&v))
        },
    )
    .await
}

async fn external_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    run(ctx, req, None, Access::Active, |ctx, me, _| async move {
        account::disconnect_external(&ctx, &me, &id).await?;
        Ok(render::deleted("external_account", &id))
    })
    .await
}

async fn passkey_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    run(
        ctx,
        req,
        Some(payload),
        Access::Active,
        |ctx, me, p| async move {
            p.only(NO_PARAMS)?;
            let pending = account::start_passkey(&ctx, &me).await?;
            Ok(render::passkey_pending(&pending))
        },
    )
    .await
}

async fn passkey_attempt(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    run(
        ctx,
        req,
        Some(payload),
        Access::Active,
        |ctx, me, p| async move {
            let row = passkeys::finish_registration(&ctx, &me.actor, me.user(), &id, &p).await?;
            Ok(render::passkey(&row))
        },
    )
    .await
}

async fn passkey_update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    run(
        ctx,
        req,
        Some(payload),
        Access::Active,
        |ctx, me, p| async move {
            passkeys::rename(&ctx, me.user(), &id, &p).await?;
            let user = account::reload(&ctx, &me).await?;
            let row = user
                .passkeys
                .iter()
                .find(|k| k.id == id)
                .ok_or_else(|| crate::flows::ApiError::not_found("passkey"))?;
            Ok(render::passkey(row))
        },
    )
    .await
}

async fn passkey_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    run(ctx, req, None, Access::Active, |ctx, me, _| async move {
        account::remove_passkey(&ctx, &me, &id).await?;
        Ok(render::deleted("passkey", &id))
    })
    .await
}
