//! The account API under `/v1/me`, in the same `{response, client}` envelope.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::extract::{Account, Active, MfaSetup};
use super::{NO_PARAMS, envelope, render};
use crate::domain::SessionId;
use crate::flows::account;
use crate::flows::passkeys;
use crate::flows::{Ctx, FlowResult};
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

/// The account call's answer in the envelope.
async fn reply<L>(
    ctx: &Ctx,
    req: &HttpRequest,
    call: &Account<L>,
    result: FlowResult<Value>,
) -> HttpResponse {
    envelope(ctx, req, &call.cc, result).await
}

async fn get(ctx: web::Data<Ctx>, req: HttpRequest, a: Account<MfaSetup>) -> HttpResponse {
    reply(&ctx, &req, &a, Ok(render::user(&ctx, a.me.user()))).await
}

async fn delete_self(ctx: web::Data<Ctx>, req: HttpRequest, a: Account<Active>) -> HttpResponse {
    let id = a.me.user().user.id.clone();
    let result = account::delete_self(&ctx, &a.me).await;
    reply(
        &ctx,
        &req,
        &a,
        result.map(|()| render::deleted("user", &id)),
    )
    .await
}

async fn update(ctx: web::Data<Ctx>, req: HttpRequest, a: Account<Active>) -> HttpResponse {
    let result = account::update(&ctx, &a.me, &a.params).await;
    reply(&ctx, &req, &a, result.map(|u| render::user(&ctx, &u))).await
}

async fn change_password(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
) -> HttpResponse {
    let result = account::change_password(&ctx, &a.me, &a.params).await;
    reply(&ctx, &req, &a, result.map(|u| render::user(&ctx, &u))).await
}

async fn sessions_active(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
) -> HttpResponse {
    let current = &a.me.session.row.id;
    let result = account::active_sessions(&ctx, &a.me).await.map(|list| {
        Value::Array(
            list.iter()
                .map(|s| render::session_summary(s, current))
                .collect(),
        )
    });
    reply(&ctx, &req, &a, result).await
}

async fn session_revoke(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<SessionId>,
) -> HttpResponse {
    let current = &a.me.session.row.id;
    let result = account::revoke_session(&ctx, &a.me, &id).await;
    let result = result.map(|s| render::session_summary(&s, current));
    reply(&ctx, &req, &a, result).await
}

async fn totp_create(ctx: web::Data<Ctx>, req: HttpRequest, a: Account<MfaSetup>) -> HttpResponse {
    let result = async {
        a.params.only(NO_PARAMS)?;
        Ok(render::totp(&account::start_totp(&ctx, &a.me).await?))
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

async fn totp_attempt(ctx: web::Data<Ctx>, req: HttpRequest, a: Account<MfaSetup>) -> HttpResponse {
    let result = account::finish_totp(&ctx, &a.me, &a.params).await;
    reply(&ctx, &req, &a, result.map(|t| render::totp(&t))).await
}

async fn totp_delete(ctx: web::Data<Ctx>, req: HttpRequest, a: Account<Active>) -> HttpResponse {
    let result = account::remove_totp(&ctx, &a.me).await;
    reply(&ctx, &req, &a, result.map(|()| render::deleted("totp", ""))).await
}

async fn backup_codes_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<MfaSetup>,
) -> HttpResponse {
    let result = async {
        a.params.only(NO_PARAMS)?;
        let codes = account::regenerate_backup_codes(&ctx, &a.me).await?;
        Ok(render::backup_codes(&codes, ctx.now()))
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

/// The five calls on a user's email addresses or phone numbers, for one kind.
macro_rules! identification_routes {
    ($kind:expr, $object:literal, $create:ident, $get:ident, $delete:ident, $prepare:ident, $attempt:ident) => {
        async fn $create(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            a: Account<MfaSetup>,
        ) -> HttpResponse {
            let result = account::add_identification(&ctx, &a.me, $kind, &a.params).await;
            reply(&ctx, &req, &a, result.map(|i| render::identification(&i))).await
        }

        async fn $get(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            a: Account<MfaSetup>,
            id: web::Path<String>,
        ) -> HttpResponse {
            let result = account::get_identification(&ctx, &a.me, $kind, &id).await;
            reply(&ctx, &req, &a, result.map(|i| render::identification(&i))).await
        }

        async fn $delete(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            a: Account<Active>,
            id: web::Path<String>,
        ) -> HttpResponse {
            let result = account::remove_identification(&ctx, &a.me, $kind, &id).await;
            reply(
                &ctx,
                &req,
                &a,
                result.map(|()| render::deleted($object, &id)),
            )
            .await
        }

        async fn $prepare(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            a: Account<MfaSetup>,
            id: web::Path<String>,
        ) -> HttpResponse {
            let result = account::prepare_identification(&ctx, &a.me, $kind, &id, &a.params).await;
            reply(&ctx, &req, &a, result.map(|i| render::identification(&i))).await
        }

        async fn $attempt(
            ctx: web::Data<Ctx>,
            req: HttpRequest,
            a: Account<MfaSetup>,
            id: web::Path<String>,
        ) -> HttpResponse {
            let result = account::attempt_identification(&ctx, &a.me, $kind, &id, &a.params).await;
            reply(&ctx, &req, &a, result.map(|i| render::identification(&i))).await
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
    a: Account<MfaSetup>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = account::update_phone(&ctx, &a.me, &id, &a.params).await;
    reply(&ctx, &req, &a, result.map(|i| render::identification(&i))).await
}

async fn external_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
) -> HttpResponse {
    let result = account::connect_external(&ctx, &a.me, &a.params).await;
    reply(
        &ctx,
        &req,
        &a,
        result.map(|v| render::external_account_pending(&v)),
    )
    .await
}

async fn external_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = account::disconnect_external(&ctx, &a.me, &id).await;
    let result = result.map(|()| render::deleted("external_account", &id));
    reply(&ctx, &req, &a, result).await
}

async fn passkey_create(ctx: web::Data<Ctx>, req: HttpRequest, a: Account<Active>) -> HttpResponse {
    let result = async {
        a.params.only(NO_PARAMS)?;
        let pending = account::start_passkey(&ctx, &a.me).await?;
        Ok(render::passkey_pending(&pending))
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

async fn passkey_attempt(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result =
        passkeys::finish_registration(&ctx, &a.me.actor, a.me.user(), &id, &a.params).await;
    reply(&ctx, &req, &a, result.map(|row| render::passkey(&row))).await
}

async fn passkey_update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async {
        passkeys::rename(&ctx, a.me.user(), &id, &a.params).await?;
        let user = account::reload(&ctx, &a.me).await?;
        let row = user
            .passkeys
            .iter()
            .find(|k| k.id == *id)
            .ok_or_else(|| crate::flows::ApiError::not_found("passkey"))?;
        Ok(render::passkey(row))
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

async fn passkey_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = account::remove_passkey(&ctx, &a.me, &id).await;
    reply(
        &ctx,
        &req,
        &a,
        result.map(|()| render::deleted("passkey", &id)),
    )
    .await
}
