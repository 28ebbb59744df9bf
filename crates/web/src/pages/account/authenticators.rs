//! The authenticator app and backup codes on the account page: set up, verify, replace and
//! remove; passkeys removed; the account deleted.

use super::*;

#[derive(Template)]
#[template(path = "pages/mfa_setup.html")]
pub(super) struct MfaSetupPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
}

/// The task page of a pending session: set up a second factor to finish signing in.
pub(super) async fn mfa_setup_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<MfaSetup>,
) -> HttpResponse {
    // Also for a signed-in user with no second factor sent here to set one up before an
    // application's step-up (`/user/reverify?level=second_factor`).
    let stepping_up =
        pc.redirect.is_some() && crate::flows::mfa::second_factors(&ctx, me.user()).is_empty();
    if me.session.status != crate::domain::SessionStatus::Pending && !stepping_up {
        let to = done_target(&ctx, &pc).await;
        return see_other(&ctx, &pc, &req, &to);
    }
    let b = &pc.brand;
    let page = MfaSetupPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
    };
    html(&ctx, &pc, StatusCode::OK, page.render(), &req)
}

pub(super) async fn totp_start(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, me, .. }: SignedInForm<MfaSetup>,
) -> HttpResponse {
    match account::start_totp(&ctx, &me).await {
        Ok(_) => {
            let to = format!("/user/totp{}", pc.query);
            see_other(&ctx, &pc, &req, &to)
        }
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

#[derive(Template)]
#[template(path = "pages/totp_setup.html")]
pub(super) struct TotpSetupPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    qr_svg: String,
    secret: String,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

/// The `otpauth://` URI as an inline SVG QR code, drawn here: nothing leaves the server.
pub(super) fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(192, 192)
                .quiet_zone(true)
                .build();
            // Inline in HTML: drop the XML declaration.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_owned(),
                None => String::new(),
            }
        }
        Err(_) => String::new(),
    }
}

pub(super) async fn render_totp(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let pending = match mfa::pending_totp(ctx, me.user()).await {
        Ok(Some(p)) => p,
        Ok(None) => return see_other(ctx, pc, req, "/user"),
        Err(e) => return error_page(&e),
    };
    let b = &pc.brand;
    let page = TotpSetupPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        qr_svg: qr_svg(pending.uri.as_deref().unwrap_or("")),
        secret: pending.secret.unwrap_or_default(),
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

pub(super) async fn totp_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<MfaSetup>,
) -> HttpResponse {
    render_totp(&ctx, &pc, &req, &me, FormErrors::default(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "pages/backup_codes.html")]
pub(super) struct BackupCodesPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    codes: Vec<String>,
    next: String,
}

pub(super) fn render_codes(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    codes: Vec<String>,
    next: String,
) -> HttpResponse {
    let b = &pc.brand;
    let page = BackupCodesPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        codes,
        next,
    };
    html(ctx, pc, StatusCode::OK, page.render(), req)
}

pub(super) async fn totp_verify(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm {
        mut pc, form, me, ..
    }: SignedInForm<MfaSetup>,
) -> HttpResponse {
    match account::finish_totp(&ctx, &me, &params(&form, &["code"])).await {
        Ok(view) => {
            // The session may have just become active: read the client again.
            if let Some(id) = pc.cc.id().map(str::to_owned)
                && let Ok(row) = crate::store::clients::get(&ctx.db, &id).await
            {
                pc.cc.row = row;
            }
            let next = done_target(&ctx, &pc).await;
            match view.backup_codes {
                Some(codes) => render_codes(&ctx, &pc, &req, codes, next),
                None => see_other(&ctx, &pc, &req, &next),
            }
        }
        Err(FlowError::Api(api)) => {
            let status = api_status(&api);
            render_totp(&ctx, &pc, &req, &me, FormErrors::from(&api, &pc.s), status).await
        }
        Err(e) => error_page(&e),
    }
}

pub(super) async fn totp_remove(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    match account::remove_totp(&ctx, &me).await {
        Ok(()) => see_other(&ctx, &pc, &req, "/user"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

pub(super) async fn backup_codes_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    match account::regenerate_backup_codes(&ctx, &me).await {
        Ok(codes) => render_codes(&ctx, &pc, &req, codes, "/user".into()),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

/// Withdraws the signed-in user's consent for an app (and its refresh tokens).
pub(super) async fn remove_app(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    if let Err(e) =
        crate::store::oauth::withdraw_consent(&ctx.db, &me.user().user.id, &client_id, ctx.now())
            .await
    {
        return error_page(&e.into());
    }
    see_other(&ctx, &pc, &req, "/user")
}

pub(super) async fn passkey_remove(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let id = form.get("id").cloned().unwrap_or_default();
    match account::remove_passkey(&ctx, &me, &id).await {
        Ok(()) => see_other(&ctx, &pc, &req, "/user"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}

/// Deletes the signed-in user's account (after a recent verification), then shows the
/// signed-out page.
pub(super) async fn delete_account(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    match account::delete_self(&ctx, &me).await {
        Ok(()) => see_other(&ctx, &pc, &req, "/sign-in"),
        Err(e) => user_error(&ctx, &pc, &req, &me, e).await,
    }
}
