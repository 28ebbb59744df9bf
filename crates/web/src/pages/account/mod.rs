//! The second-factor step of sign-in (`/sign-in/factor-two`) and the account pages under
//! `/user`: profile, email addresses and phone numbers, password, authenticator app, backup
//! codes, devices and allowed apps. The flows are those of the account API.

mod authenticators;
mod factor_two;
use authenticators::*;
pub(super) use factor_two::prepare_second;
use factor_two::*;
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::strings::Strings;
use super::{
    Alternative, Form, FormErrors, Page, PageCtx, PageError, SignedIn, SignedInForm,
    after_sign_in_step, alternative, api_status, chosen_strategy, current_sign_in, done_target,
    error_page, factor_target, html, params, query_map, see_other, sign_in_at,
};
use crate::fapi::extract::{Active, MfaSetup};
use crate::flows::account::{self, Access, Me};
use crate::flows::client::ClientCtx;
use crate::flows::sign_in::{SignIn, SignInStatus};
use crate::flows::{Ctx, ErrorCode, FlowError, Params, mfa, sign_in};
use crate::store::users::IdentifierKind;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in/factor-two", web::get().to(factor_two_page))
        .route("/sign-in/factor-two", web::post().to(factor_two_submit))
        .route(
            "/sign-in/factor-two/prepare",
            web::post().to(factor_two_prepare),
        )
        .route("/user", web::get().to(user_page))
        .route("/user/profile", web::post().to(profile_submit))
        .route("/user/password", web::post().to(password_submit))
        .route("/user/identifications", web::post().to(identification_add))
        .route(
            "/user/identifications/remove",
            web::post().to(identification_remove),
        )
        .route("/user/verify/{id}", web::get().to(verify_page))
        .route("/user/verify/{id}", web::post().to(verify_submit))
        .route("/user/verify/{id}/resend", web::post().to(verify_resend))
        .route(
            "/user/phone-numbers/second-factor",
            web::post().to(phone_second_factor),
        )
        .route("/user/sessions/revoke", web::post().to(session_revoke))
        .route("/user/mfa-setup", web::get().to(mfa_setup_page))
        .route("/user/totp/start", web::post().to(totp_start))
        .route("/user/totp", web::get().to(totp_page))
        .route("/user/totp/verify", web::post().to(totp_verify))
        .route("/user/totp/remove", web::post().to(totp_remove))
        .route("/user/backup-codes", web::post().to(backup_codes_create))
        .route("/user/apps/remove", web::post().to(remove_app))
        .route("/user/passkeys/remove", web::post().to(passkey_remove))
        .route("/user/delete", web::post().to(delete_account));
}

// ----- sign-in, second factor -----

// ----- the account page -----

struct IdentRow {
    id: String,
    value: String,
    verified: bool,
    primary: bool,
    second_factor: bool,
}

struct DeviceRow {
    id: String,
    label: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "pages/user.html")]
struct UserPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    name: String,
    first_name: String,
    last_name: String,
    email_enabled: bool,
    phone_enabled: bool,
    emails: Vec<IdentRow>,
    phones: Vec<IdentRow>,
    has_password: bool,
    totp_enabled: bool,
    backup_enabled: bool,
    sms_enabled: bool,
    totp: bool,
    two_factor: bool,
    backup_codes: usize,
    devices: Vec<DeviceRow>,
    /// `(client_id, name)` of the third-party apps the user has allowed.
    apps: Vec<(String, String)>,
    /// `(id, provider name, email)` of connected upstream accounts.
    connected: Vec<(String, String, String)>,
    /// `(strategy, name)` of providers that can still be connected.
    connectable: Vec<(String, String)>,
    passkeys_enabled: bool,
    /// `(id, name)` of the user's passkeys.
    passkeys: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

async fn render_user(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    notice: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let u = match account::reload(ctx, me).await {
        Ok(u) => u,
        Err(e) => return error_page(&e),
    };
    let devices = match account::active_sessions(ctx, me).await {
        Ok(list) => list,
        Err(e) => return error_page(&e),
    };
    let mut apps = Vec::new();
    match crate::store::oauth::consents_of_user(&ctx.db, &u.user.id).await {
        Ok(list) => {
            for (client_id, _) in list {
                let name = match crate::oidc::clients::find(ctx, &client_id).await {
                    Ok(Some(c)) => c.name().to_owned(),
                    _ => client_id.clone(),
                };
                apps.push((client_id, name));
            }
        }
        Err(e) => return error_page(&e.into()),
    }
    let first_name = u.user.first_name.clone().unwrap_or_default();
    let last_name = u.user.last_name.clone().unwrap_or_default();
    let full = format!("{first_name} {last_name}").trim().to_owned();
    let primary_email = u
        .emails
        .iter()
        .find(|e| Some(&e.id) == u.user.primary_email_address_id.as_ref())
        .map(|e| e.email_address.clone());
    let name = if full.is_empty() {
        primary_email
            .clone()
            .or(u.user.username.clone())
            .unwrap_or_else(|| u.user.id.clone())
    } else {
        full
    };
    let auth = &ctx.settings().auth;
    let b = &pc.brand;
    let page = UserPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        name,
        first_name,
        last_name,
        email_enabled: auth.email_address.enabled() || !u.emails.is_empty(),
        phone_enabled: auth.phone_number.enabled()
            || mfa::enabled(ctx, "phone_code")
            || !u.phones.is_empty(),
        emails: u
            .emails
            .iter()
            .map(|e| IdentRow {
                id: e.id.clone(),
                value: e.email_address.clone(),
                verified: e.verified,
                primary: u.user.primary_email_address_id.as_ref() == Some(&e.id),
                second_factor: false,
            })
            .collect(),
        phones: u
            .phones
            .iter()
            .map(|p| IdentRow {
                id: p.id.clone(),
                value: p.phone_number.clone(),
                verified: p.verified,
                primary: u.user.primary_phone_number_id.as_ref() == Some(&p.id)
                    && auth.phone_number == crate::config::FieldMode::Required,
                second_factor: p.reserved_for_second_factor,
            })
            .collect(),
        has_password: u.user.password_hash.is_some(),
        totp_enabled: mfa::enabled(ctx, "totp"),
        backup_enabled: mfa::enabled(ctx, "backup_code"),
        sms_enabled: mfa::enabled(ctx, "phone_code"),
        totp: u.totp,
        two_factor: u.two_factor_enabled(),
        backup_codes: u.backup_codes,
        devices: devices
            .iter()
            .map(|d| DeviceRow {
                id: d.row.id.clone(),
                label: crate::flows::audit::utc_minute(d.row.last_active_at) + " UTC",
                current: d.row.id == me.session.row.id,
            })
            .collect(),
        connected: u
            .external
            .iter()
            .map(|x| {
                let name = ctx
                    .federation
                    .by_key(&x.provider)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| x.provider.clone());
                (
                    x.id.clone(),
                    name,
                    x.email_address.clone().unwrap_or_default(),
                )
            })
            .collect(),
        passkeys_enabled: ctx.webauthn.is_some()
            && ctx
                .settings()
                .auth
                .first_factors
                .iter()
                .any(|f| f == "passkey"),
        passkeys: u
            .passkeys
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        connectable: crate::flows::oauth::social(ctx)
            .iter()
            .filter(|p| !u.external.iter().any(|x| x.provider == p.key))
            .map(|p| (p.strategy.clone(), p.name.clone()))
            .collect(),
        apps,
        notice,
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

/// The confirmations `/user?done=…` may show: fixed strings, never reflected input.
fn notice_for(s: &Strings, done: Option<&String>) -> Option<String> {
    match done.map(String::as_str) {
        Some("password") => Some(s.password_changed.to_owned()),
        Some("reverified") => Some(s.reverified.to_owned()),
        _ => None,
    }
}

async fn user_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<Active>,
) -> HttpResponse {
    let q = query_map(&req);
    let notice = notice_for(&pc.s, q.get("done"));
    // Errors coming back in the URL are codes mapped to fixed strings, never reflected.
    let error = match q.get("error").map(String::as_str) {
        Some("external_account_exists") => Some(pc.s.link_failed.to_owned()),
        Some("last_method") => Some(pc.s.last_method.clone()),
        Some(_) => Some(pc.s.link_denied.to_owned()),
        None => None,
    };
    render_user(
        &ctx,
        &pc,
        &req,
        &me,
        notice,
        FormErrors {
            general: error,
            fields: HashMap::new(),
        },
        StatusCode::OK,
    )
    .await
}

/// Shows a flow failure on the account page, beside its field when it names one.
async fn user_error(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    e: FlowError,
) -> HttpResponse {
    match e {
        // A sensitive change on a session whose proof is old: verify again first, then the
        // user makes the change again.
        FlowError::Api(api) if api.code == ErrorCode::SessionReverificationRequired => {
            see_other(ctx, pc, req, "/user/reverify")
        }
        FlowError::Api(api) => {
            let status = api_status(&api);
            render_user(
                ctx,
                pc,
                req,
                me,
                None,
                FormErrors::from(&api, &pc.s),
                status,
            )
            .await
        }
        other => error_page(&other),
    }
}

async fn profile_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let fields: Vec<&str> = ["first_name", "last_name"]
        .into_iter()
        .filter(|f| {
            let mode = if *f == "first_name" {
                ctx.settings().auth.first_name
            } else {
                ctx.settings().auth.last_name
            };
            mode.enabled()
        })
        .collect();
    match account::update(&ctx, &me, &params(&form, &fields)).await {
        Ok(_) => see_other(&ctx, &pc, &req, "/user"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

async fn password_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm {
        pc, mut form, me, ..
    }: SignedInForm<Active>,
) -> HttpResponse {
    form.entry("sign_out_of_other_sessions".into())
        .or_insert_with(|| "false".into());
    let mut fields = vec!["new_password", "sign_out_of_other_sessions"];
    if me.user().user.password_hash.is_some() {
        fields.push("current_password");
    }
    match account::change_password(&ctx, &me, &params(&form, &fields)).await {
        Ok(_) => see_other(&ctx, &pc, &req, "/user?done=password"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

fn kind_of(form: &HashMap<String, String>) -> IdentifierKind {
    if form.get("kind").is_some_and(|k| k == "phone") {
        IdentifierKind::Phone
    } else {
        IdentifierKind::Email
    }
}

/// Adds an email address or phone number and sends its code.
async fn identification_add(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let kind = kind_of(&form);
    let (param, strategy) = match kind {
        IdentifierKind::Email => ("email_address", "email_code"),
        _ => ("phone_number", "phone_code"),
    };
    let value = form.get("value").cloned().unwrap_or_default();
    let p = Params::from_pairs(vec![(param.into(), value)]).unwrap_or_default();
    let added = match account::add_identification(&ctx, &me, kind, &p).await {
        Ok(i) => i,
        Err(e) => return user_error(&ctx, &pc, &req, &me, e).await,
    };
    let me = match account::me(&ctx, &pc.cc, None, Access::Active).await {
        Ok(me) => me,
        Err(e) => return error_page(&e),
    };
    let p = Params::from_pairs(vec![("strategy".into(), strategy.into())]).unwrap_or_default();
    if let Err(e) = account::prepare_identification(&ctx, &me, kind, &added.id, &p).await {
        return user_error(&ctx, &pc, &req, &me, e).await;
    }
    see_other(&ctx, &pc, &req, &format!("/user/verify/{}", added.id))
}

async fn identification_remove(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let id = form.get("id").cloned().unwrap_or_default();
    match account::remove_identification(&ctx, &me, kind_of(&form), &id).await {
        Ok(()) => see_other(&ctx, &pc, &req, "/user"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

fn kind_of_id(id: &str) -> IdentifierKind {
    if id.starts_with("idn_phone") {
        IdentifierKind::Phone
    } else {
        IdentifierKind::Email
    }
}

async fn render_verify(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    id: &str,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let ident = match account::get_identification(ctx, me, kind_of_id(id), id).await {
        Ok(i) => i,
        Err(e) => return error_page(&e),
    };
    let action = format!("/user/verify/{id}");
    let entry = super::verify::CodeEntry {
        title: &pc.s.verify_code_title,
        destination: &ident.value,
        action: &action,
        query: "",
    };
    super::verify::render(ctx, pc, req, entry, errors, status)
}

async fn verify_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<Active>,
    path: web::Path<String>,
) -> HttpResponse {
    render_verify(
        &ctx,
        &pc,
        &req,
        &me,
        &path,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn verify_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    let p = params(&form, &["code"]);
    match account::attempt_identification(&ctx, &me, kind_of_id(&id), &id, &p).await {
        Ok(_) => see_other(&ctx, &pc, &req, "/user"),
        Err(FlowError::Api(api)) => {
            let status = api_status(&api);
            render_verify(
                &ctx,
                &pc,
                &req,
                &me,
                &id,
                FormErrors::from(&api, &pc.s),
                status,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

async fn verify_resend(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, me, .. }: SignedInForm<Active>,
    path: web::Path<String>,
) -> HttpResponse {
    let id = path.into_inner();
    let kind = kind_of_id(&id);
    let strategy = if kind == IdentifierKind::Phone {
        "phone_code"
    } else {
        "email_code"
    };
    let p = Params::from_pairs(vec![("strategy".into(), strategy.into())]).unwrap_or_default();
    match account::prepare_identification(&ctx, &me, kind, &id, &p).await {
        Ok(_) => see_other(&ctx, &pc, &req, &format!("/user/verify/{id}")),
        Err(FlowError::Api(api)) => {
            let errors = FormErrors {
                general: Some(api.long_message),
                fields: HashMap::new(),
            };
            render_verify(
                &ctx,
                &pc,
                &req,
                &me,
                &id,
                errors,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(e) => error_page(&e),
    }
}

async fn phone_second_factor(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let id = form.get("id").cloned().unwrap_or_default();
    let reserve = form.get("reserve").cloned().unwrap_or_default();
    let p = Params::from_pairs(vec![("reserved_for_second_factor".into(), reserve)])
        .unwrap_or_default();
    match account::update_phone(&ctx, &me, &id, &p).await {
        Ok(_) => see_other(&ctx, &pc, &req, "/user"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

async fn session_revoke(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let id = crate::domain::SessionId::from_stored(form.get("id").cloned().unwrap_or_default());
    match account::revoke_session(&ctx, &me, &id).await {
        Ok(_) => see_other(&ctx, &pc, &req, "/user"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

// ----- authenticator app and backup codes -----
