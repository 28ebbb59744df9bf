//! The hosted pages: sign-in, sign-up, verification, sign-out and the account page. Plain
//! HTML forms (they work with JavaScript off), POST-redirect-GET on success, errors beside
//! the field they concern. Every handler calls the same flow function the Frontend API does.

mod account;
mod reverify;
mod sso;
mod strings;

use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use subtle::ConstantTimeEq;

use self::strings::Strings;
use super::fapi::extract;
use super::message_page;
use crate::config::FieldMode;
use crate::flows::client::{self, ClientCtx};
use crate::flows::sign_in::{SignIn, SignInStatus};
use crate::flows::sign_up::{self, SignUp};
use crate::flows::{ApiError, Ctx, FlowError, Params, sign_in};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/brand.css", web::get().to(brand_css))
        .route("/sign-in", web::get().to(sign_in_page))
        .route("/sign-in", web::post().to(sign_in_submit))
        .route("/sign-in/factor-one", web::get().to(factor_one_page))
        .route("/sign-in/factor-one", web::post().to(factor_one_submit))
        .route(
            "/sign-in/reset-password",
            web::get().to(reset_password_page),
        )
        .route(
            "/sign-in/reset-password",
            web::post().to(reset_password_submit),
        )
        .route(
            "/sign-in/factor-one/prepare",
            web::post().to(factor_one_prepare),
        )
        .route("/sign-up", web::get().to(sign_up_page))
        .route("/sign-up", web::post().to(sign_up_submit))
        .route("/sign-up/continue", web::get().to(continue_page))
        .route("/sign-up/continue", web::post().to(continue_submit))
        .configure(|cfg| verify_routes(cfg, Channel::Email))
        .configure(|cfg| verify_routes(cfg, Channel::Phone))
        .route("/sign-out", web::get().to(sign_out_page))
        .route("/sign-out", web::post().to(sign_out_submit))
        .configure(account::routes)
        .configure(reverify::routes)
        .configure(sso::routes);
}

/// The verification page of a channel: show, submit a code, send a new one.
fn verify_routes(cfg: &mut web::ServiceConfig, ch: Channel) {
    cfg.route(
        ch.path(),
        web::get().to(move |ctx: web::Data<Ctx>, req: HttpRequest| async move {
            verify_page(&ctx, &req, ch).await
        }),
    )
    .route(
        ch.path(),
        web::post().to(
            move |ctx: web::Data<Ctx>, req: HttpRequest, p: web::Payload| async move {
                verify_submit(&ctx, &req, p, ch).await
            },
        ),
    )
    .route(
        &format!("{}/resend", ch.path()),
        web::post().to(
            move |ctx: web::Data<Ctx>, req: HttpRequest, p: web::Payload| async move {
                verify_resend(&ctx, &req, p, ch).await
            },
        ),
    );
}

/// `:root { --primary: … }` from `[branding]`, so pages need no inline style.
async fn brand_css(ctx: web::Data<Ctx>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(format!(
            ":root {{ --primary: {}; }}\n",
            ctx.settings.branding.primary_color
        ))
}

// ----- request context -----

/// The CSRF cookie. On https it carries the `__Host-` prefix: the browser then refuses one set
/// by any other host (a sibling subdomain included) or for a wider path, so no other site can
/// plant a value whose form token it knows.
fn csrf_cookie_name(ctx: &Ctx) -> &'static str {
    if ctx.settings.issuer_is_https() {
        "__Host-csrf"
    } else {
        "__csrf"
    }
}

/// What every page needs: the client, strings, CSRF token and the validated way back.
struct PageCtx {
    cc: ClientCtx,
    s: &'static Strings,
    csrf: String,
    /// A fresh CSRF cookie to set (first visit).
    csrf_cookie: Option<String>,
    /// `?redirect_url=…` to carry through the pages (already validated), or "".
    query: String,
    redirect: Option<String>,
}

async fn page_ctx(ctx: &Ctx, req: &HttpRequest) -> Result<PageCtx, HttpResponse> {
    let cc = extract::client(ctx, req)
        .await
        .map_err(|e| error_page(&e))?;
    // Signed double-submit: the cookie holds a random value, the form its keyed hash, so a
    // cookie planted by a sibling domain is useless without the server key.
    let (raw, csrf_cookie) = match req.cookie(csrf_cookie_name(ctx)) {
        Some(c) if c.value().len() >= 32 => (c.value().to_owned(), None),
        _ => {
            let t = crate::crypto::random_token();
            (t.clone(), Some(t))
        }
    };
    let q = query_map(req);
    let redirect = q.get("redirect_url").and_then(|r| safe_redirect(ctx, r));
    let query = redirect
        .as_ref()
        .map(|r| {
            format!(
                "?redirect_url={}",
                url::form_urlencoded::byte_serialize(r.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default();
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Ok(PageCtx {
        cc,
        s: strings::for_request(accept),
        csrf: ctx.tokens.hash("csrf", &raw),
        csrf_cookie,
        query,
        redirect,
    })
}

fn query_map(req: &HttpRequest) -> HashMap<String, String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

/// Where a page may send the user: see [`crate::flows::safe_redirect`].
pub fn safe_redirect(ctx: &Ctx, raw: &str) -> Option<String> {
    crate::flows::safe_redirect(ctx, raw)
}

/// A form body; `Err` only when it is over the size limit (anything else unreadable reads as
/// an empty form, which then fails its CSRF check).
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Option<HashMap<String, String>>, super::BodyError> {
    let body = match super::read_body(payload).await {
        Ok(b) => b,
        Err(e @ super::BodyError::TooLarge) => return Err(e),
        Err(super::BodyError::Unreadable) => return Ok(None),
    };
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !body.is_empty() && !ct.starts_with("application/x-www-form-urlencoded") {
        return Ok(None);
    }
    Ok(Some(
        url::form_urlencoded::parse(&body).into_owned().collect(),
    ))
}

/// Reads a POSTed form and checks its CSRF token; a bad one gets the expired-form page.
async fn checked_form(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(PageCtx, HashMap<String, String>), HttpResponse> {
    let pc = page_ctx(ctx, req).await?;
    let form = match read_form(req, payload).await {
        Ok(form) => form.unwrap_or_default(),
        Err(e) => return Err(message_page(e.status(), e.message())),
    };
    let given = form.get("csrf").map(String::as_str).unwrap_or("");
    let valid = pc.csrf_cookie.is_none()
        && same_origin_post(ctx, req)
        && bool::from(given.as_bytes().ct_eq(pc.csrf.as_bytes()));
    if !valid {
        let mut res = message_page(StatusCode::FORBIDDEN, pc.s.form_expired);
        set_cookies(ctx, &pc, &mut res);
        return Err(res);
    }
    Ok((pc, form))
}

/// Whether a form post came from Portcullis's own pages: a browser names the page's origin in
/// `Origin` (and in fetch metadata). A form on any other origin, a sibling subdomain
/// included, is refused even with a token that matches its cookie.
fn same_origin_post(ctx: &Ctx, req: &HttpRequest) -> bool {
    let own = ctx.settings.issuer_origin();
    super::from_allowed_origin(req, |o| o == own)
}

/// Flow parameters from a form: everything but the CSRF token and page-only fields.
fn params(form: &HashMap<String, String>, fields: &[&str]) -> Params {
    let pairs = fields
        .iter()
        .filter_map(|f| form.get(*f).map(|v| ((*f).to_owned(), v.clone())))
        .collect();
    Params::from_pairs(pairs).unwrap_or_default()
}

// ----- responses -----

fn set_cookies(ctx: &Ctx, pc: &PageCtx, res: &mut HttpResponse) {
    if let Some(t) = &pc.csrf_cookie {
        let c = Cookie::build(csrf_cookie_name(ctx), t.clone())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(ctx.settings.issuer_is_https())
            .finish();
        let _ = res.add_cookie(&c);
    }
}

fn html(
    ctx: &Ctx,
    pc: &PageCtx,
    status: StatusCode,
    body: Result<String, askama::Error>,
    req: &HttpRequest,
) -> HttpResponse {
    let mut res = super::html_response(status, body, super::PAGE_CSP);
    set_cookies(ctx, pc, &mut res);
    extract::with_client_token(ctx, req, &pc.cc, res)
}

/// POST-redirect-GET, carrying a new client cookie when the flow made one.
fn see_other(ctx: &Ctx, pc: &PageCtx, req: &HttpRequest, to: &str) -> HttpResponse {
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    set_cookies(ctx, pc, &mut res);
    extract::with_client_token(ctx, req, &pc.cc, res)
}

fn error_page(e: &FlowError) -> HttpResponse {
    match e {
        FlowError::Api(api) => message_page(StatusCode::BAD_REQUEST, &api.long_message),
        FlowError::Unavailable(cause) => {
            tracing::error!(error = %format!("{cause:#}"), "dependency unavailable");
            message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "A service we depend on is not answering. Please try again in a moment.",
            )
        }
        FlowError::Unexpected(cause) => {
            tracing::error!(error = %format!("{cause:#}"), "unexpected failure");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; it has been logged. Please try again.",
            )
        }
    }
}

/// A flow error shown on the form: beside its field when it names one.
#[derive(Default)]
struct FormErrors {
    general: Option<String>,
    fields: HashMap<String, String>,
}

impl FormErrors {
    fn from(api: &ApiError) -> Self {
        let mut e = Self::default();
        match &api.param {
            Some(p) if p != "strategy" => {
                e.fields.insert(p.clone(), api.long_message.clone());
            }
            _ => e.general = Some(api.long_message.clone()),
        }
        e
    }
}

/// After a completed sign-in or sign-up: back to the app, or to the account page; first to
/// the second-factor set-up when the new session is pending on it (`[auth] mfa_required`).
async fn done_target(ctx: &Ctx, pc: &PageCtx) -> String {
    if pending_session(ctx, &pc.cc).await {
        return format!("/user/mfa-setup{}", pc.query);
    }
    pc.redirect.clone().unwrap_or_else(|| "/user".into())
}

/// Whether the client's current session waits for a second factor to be set up.
async fn pending_session(ctx: &Ctx, cc: &ClientCtx) -> bool {
    let Some(sid) = cc
        .row
        .as_ref()
        .and_then(|r| r.last_active_session_id.clone())
    else {
        return false;
    };
    match crate::store::sessions::get(&ctx.db, &sid).await {
        Ok(Some(row)) => crate::flows::session::effective(ctx, &row).0 == "pending",
        _ => false,
    }
}

/// Where a sign-in goes after a step: the next page of the flow, or out when complete.
async fn after_sign_in_step(
    ctx: &Ctx,
    pc: PageCtx,
    req: &HttpRequest,
    si: &SignIn,
) -> HttpResponse {
    follow_sign_in(ctx, pc, req, si, false).await
}

/// Takes the browser where the flow says a sign-in goes next (`sign_in::next::step`),
/// sending the code or link it names on the way.
async fn follow_sign_in(
    ctx: &Ctx,
    mut pc: PageCtx,
    req: &HttpRequest,
    si: &SignIn,
    just_identified: bool,
) -> HttpResponse {
    let target = |f: &sign_in::Factor| {
        f.email_address_id
            .clone()
            .or(f.phone_number_id.clone())
            .unwrap_or_default()
    };
    let to = match sign_in::next::step(si, just_identified) {
        sign_in::Step::Done => done_target(ctx, &pc).await,
        sign_in::Step::Identify => format!("/sign-in{}", pc.query),
        sign_in::Step::NewPassword => format!("/sign-in/reset-password{}", pc.query),
        sign_in::Step::NoFactor => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "This account has no way to sign in here.",
            );
        }
        sign_in::Step::SecondFactor { send } => {
            if let Some(f) = send
                && let Err(e) =
                    account::prepare_second(ctx, &mut pc.cc, &si.id, &f.strategy, &target(&f)).await
            {
                return error_page(&e);
            }
            format!("/sign-in/factor-two{}", pc.query)
        }
        sign_in::Step::FirstFactor { offer: None, .. } => {
            format!("/sign-in/factor-one{}", pc.query)
        }
        sign_in::Step::FirstFactor {
            offer: Some(f),
            send,
        } => {
            let back = link_return(&pc);
            if send
                && let Err(e) =
                    prepare(ctx, &mut pc.cc, &si.id, &f.strategy, &target(&f), &back).await
            {
                return error_page(&e);
            }
            let sep = if pc.query.is_empty() { "?" } else { "&" };
            format!(
                "/sign-in/factor-one{}{sep}strategy={}",
                pc.query, f.strategy
            )
        }
    };
    see_other(ctx, &pc, req, &to)
}

// ----- sign-in -----

#[derive(Template)]
#[template(path = "pages/sign_in.html")]
struct SignInPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    identifier_label: String,
    identifier: &'a str,
    reauth: bool,
    wallets: bool,
    passkeys: bool,
    passkey_next: String,
    social: Vec<(String, String)>,
    sso_action: &'a str,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

/// The social providers as buttons: `(strategy, name)`.
fn social_buttons(ctx: &Ctx) -> Vec<(String, String)> {
    ctx.federation
        .social()
        .iter()
        .map(|p| (p.strategy.clone(), p.name.clone()))
        .collect()
}

fn identifier_label(ctx: &Ctx, s: &Strings) -> String {
    let a = &ctx.settings.auth;
    let mut parts = Vec::new();
    if a.email_address.enabled() {
        parts.push(s.email_label);
    }
    if a.phone_number.enabled() {
        parts.push(s.phone_label);
    }
    if a.username.enabled() {
        parts.push(s.username_label);
    }
    parts.join(s.or)
}

fn render_sign_in(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    identifier: &str,
    reauth: bool,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &ctx.settings.branding;
    let page = SignInPage {
        s: pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        identifier_label: identifier_label(ctx, pc.s),
        identifier,
        reauth,
        wallets: ctx.settings.auth.web3_wallet.enabled(),
        passkeys: ctx.webauthn.is_some()
            && ctx
                .settings
                .auth
                .first_factors
                .iter()
                .any(|f| f == "passkey"),
        passkey_next: link_return(pc),
        social: social_buttons(ctx),
        sso_action: "/sign-in/sso",
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

async fn signed_in(ctx: &Ctx, cc: &ClientCtx) -> bool {
    matches!(
        crate::oidc::authorize::current_session(ctx, cc).await,
        Ok(Some(_))
    )
}

async fn sign_in_page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let pc = match page_ctx(&ctx, &req).await {
        Ok(pc) => pc,
        Err(r) => return r,
    };
    let q = query_map(&req);
    let reauth = q.get("prompt").is_some_and(|p| p == "login");
    if !reauth && (signed_in(&ctx, &pc.cc).await || pending_session(&ctx, &pc.cc).await) {
        let to = done_target(&ctx, &pc).await;
        return see_other(&ctx, &pc, &req, &to);
    }
    let hint = q.get("login_hint").cloned().unwrap_or_default();
    render_sign_in(
        &ctx,
        &pc,
        &req,
        &hint,
        reauth,
        FormErrors::default(),
        StatusCode::OK,
    )
}

async fn sign_in_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (mut pc, form) = match checked_form(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let identifier = form.get("identifier").cloned().unwrap_or_default();
    let reauth = form.get("reauth").is_some_and(|v| v == "1");
    // Asked to sign in again (prompt=login): the current sessions end first.
    if reauth
        && let Some(id) = pc.cc.id().map(str::to_owned)
        && let Err(e) = client::sign_out_everywhere(&ctx, &id).await
    {
        return error_page(&e);
    }
    // An address served by an enterprise connection signs in there.
    if ctx.federation.for_email(&identifier).is_some() {
        return sso::start_sign_in(&ctx, pc, &req, "enterprise_sso", Some(&identifier)).await;
    }
    match sign_in::create(&ctx, &mut pc.cc, &params(&form, &["identifier"])).await {
        Ok(si) => next_after_identify(&ctx, pc, &req, si).await,
        Err(FlowError::Api(api)) if api.code == crate::flows::ErrorCode::SessionExists => {
            let to = done_target(&ctx, &pc).await;
            see_other(&ctx, &pc, &req, &to)
        }
        Err(FlowError::Api(api)) => render_sign_in(
            &ctx,
            &pc,
            &req,
            &identifier,
            reauth,
            FormErrors::from(&api),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}

/// Identified: on to the default first factor (sending a code when that is what it is).
async fn next_after_identify(
    ctx: &Ctx,
    pc: PageCtx,
    req: &HttpRequest,
    si: SignIn,
) -> HttpResponse {
    follow_sign_in(ctx, pc, req, &si, true).await
}

/// Where an email link opened in this browser takes the user: on through the flow.
fn link_return(pc: &PageCtx) -> String {
    let sep = if pc.query.is_empty() { "?" } else { "&" };
    format!("/sso-callback{}{sep}flow=sign_in", pc.query)
}

async fn prepare(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    strategy: &str,
    target: &str,
    link_return: &str,
) -> Result<SignIn, FlowError> {
    let key = if strategy.ends_with("email_code") || strategy == "email_link" {
        "email_address_id"
    } else {
        "phone_number_id"
    };
    let mut pairs = vec![
        ("strategy".to_owned(), strategy.to_owned()),
        (key.to_owned(), target.to_owned()),
    ];
    if strategy == "email_link" {
        pairs.push(("redirect_url".into(), link_return.to_owned()));
    }
    let p = Params::from_pairs(pairs).unwrap_or_default();
    sign_in::prepare_first_factor(ctx, cc, id, &p).await
}

#[derive(Template)]
#[template(path = "pages/factor_one.html")]
struct FactorOnePage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    strategy: &'a str,
    identifier: &'a str,
    destination: String,
    target: String,
    alternatives: Vec<Alternative>,
    /// "Forgot your password?": the first reset factor, `(strategy, target)`.
    reset: Option<(String, String)>,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

struct Alternative {
    strategy: String,
    target: String,
    label: String,
}

/// The email address or phone number a factor is for, or "".
fn factor_target(f: &crate::flows::sign_in::Factor) -> String {
    f.email_address_id
        .clone()
        .or(f.phone_number_id.clone())
        .unwrap_or_default()
}

/// A factor as a "use another method" entry, for the methods a factor page can take
/// (upstream providers and wallets have their own buttons).
fn alternative(s: &Strings, f: &crate::flows::sign_in::Factor) -> Option<Alternative> {
    let who = f.safe_identifier.clone().unwrap_or_default();
    let label = match f.strategy.as_str() {
        "password" => s.use_password.to_owned(),
        "email_link" => format!("{} {who}", s.email_link_to),
        "email_code" => format!("{} {who}", s.email_code_to),
        "phone_code" => format!("{} {who}", s.text_code_to),
        "totp" => s.use_totp.to_owned(),
        "backup_code" => s.use_backup_code.to_owned(),
        _ => return None,
    };
    Some(Alternative {
        strategy: f.strategy.clone(),
        target: factor_target(f),
        label,
    })
}

/// A factor page's context and the client's sign-in, when it is at `status`; otherwise the
/// response that sends the browser back to `/sign-in`.
async fn sign_in_page_at(
    ctx: &Ctx,
    req: &HttpRequest,
    status: SignInStatus,
) -> Result<(PageCtx, SignIn), HttpResponse> {
    let pc = page_ctx(ctx, req).await?;
    match current_sign_in(ctx, &pc.cc)
        .await
        .filter(|s| s.status == status)
    {
        Some(si) => Ok((pc, si)),
        None => {
            let to = format!("/sign-in{}", pc.query);
            Err(see_other(ctx, &pc, req, &to))
        }
    }
}

/// The HTTP status of a flow error shown on a page.
fn api_status(api: &ApiError) -> StatusCode {
    StatusCode::from_u16(api.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// The client's open sign-in, if any.
async fn current_sign_in(ctx: &Ctx, cc: &ClientCtx) -> Option<SignIn> {
    let id = cc.row.as_ref()?.sign_in_id.clone()?;
    sign_in::get(ctx, cc, &id).await.ok()
}

fn render_factor_one(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    si: &SignIn,
    strategy: &str,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let s = pc.s;
    let current = si
        .first_factor_verification
        .as_ref()
        .filter(|v| v.strategy == strategy);
    let factor = si.supported_first_factors.iter().find(|f| {
        f.strategy == strategy
            && current.is_none_or(|v| {
                v.target_id.is_none()
                    || v.target_id == f.email_address_id.clone().or(f.phone_number_id.clone())
            })
    });
    let destination = factor
        .and_then(|f| f.safe_identifier.clone())
        .unwrap_or_default();
    let target = factor
        .and_then(|f| f.email_address_id.clone().or(f.phone_number_id.clone()))
        .unwrap_or_default();
    // The reset page comes with the second-factor work; until then it is not offered here.
    let alternatives = si
        .supported_first_factors
        .iter()
        .filter(|f| !f.strategy.starts_with("reset_password"))
        .filter(|f| {
            !(f.strategy == strategy
                && f.email_address_id
                    .clone()
                    .or(f.phone_number_id.clone())
                    .unwrap_or_default()
                    == target)
        })
        .filter_map(|f| alternative(s, f))
        .collect();
    let b = &ctx.settings.branding;
    let page = FactorOnePage {
        s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        strategy,
        identifier: si.identifier.as_deref().unwrap_or(""),
        destination,
        target,
        alternatives,
        reset: si
            .supported_first_factors
            .iter()
            .find(|f| f.strategy.starts_with("reset_password"))
            .map(|f| {
                let target = f
                    .email_address_id
                    .clone()
                    .or(f.phone_number_id.clone())
                    .unwrap_or_default();
                (f.strategy.clone(), target)
            }),
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

async fn factor_one_page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let (pc, si) = match sign_in_page_at(&ctx, &req, SignInStatus::NeedsFirstFactor).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = query_map(&req);
    let strategy = q
        .get("strategy")
        .filter(|st| {
            si.supported_first_factors
                .iter()
                .any(|f| &f.strategy == *st)
        })
        .cloned()
        .or_else(|| {
            si.supported_first_factors
                .first()
                .map(|f| f.strategy.clone())
        })
        .unwrap_or_else(|| "password".into());
    render_factor_one(
        &ctx,
        &pc,
        &req,
        &si,
        &strategy,
        FormErrors::default(),
        StatusCode::OK,
    )
}

async fn factor_one_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (mut pc, form) = match checked_form(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(si) = current_sign_in(&ctx, &pc.cc).await else {
        let to = format!("/sign-in{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    let strategy = form.get("strategy").cloned().unwrap_or_default();
    let p = params(&form, &["strategy", "password", "code"]);
    match sign_in::attempt_first_factor(&ctx, &mut pc.cc, &si.id, &p).await {
        Ok(next) => after_sign_in_step(&ctx, pc, &req, &next).await,
        Err(FlowError::Api(api)) => {
            let si = current_sign_in(&ctx, &pc.cc).await.unwrap_or(si);
            render_factor_one(
                &ctx,
                &pc,
                &req,
                &si,
                &strategy,
                FormErrors::from(&api),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(&e),
    }
}

/// "Use another method" and "send a new code".
async fn factor_one_prepare(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (mut pc, form) = match checked_form(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(si) = current_sign_in(&ctx, &pc.cc).await else {
        let to = format!("/sign-in{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    let strategy = form.get("strategy").cloned().unwrap_or_default();
    let target = form.get("target").cloned().unwrap_or_default();
    if strategy != "password" {
        let back = link_return(&pc);
        match prepare(&ctx, &mut pc.cc, &si.id, &strategy, &target, &back).await {
            Ok(_) => {}
            Err(FlowError::Api(api)) => {
                return render_factor_one(
                    &ctx,
                    &pc,
                    &req,
                    &si,
                    &strategy,
                    FormErrors {
                        general: Some(api.long_message),
                        fields: HashMap::new(),
                    },
                    StatusCode::TOO_MANY_REQUESTS,
                );
            }
            Err(e) => return error_page(&e),
        }
    }
    let to = format!(
        "/sign-in/factor-one{}{}strategy={strategy}",
        pc.query,
        if pc.query.is_empty() { "?" } else { "&" }
    );
    see_other(&ctx, &pc, &req, &to)
}

// ----- sign-up -----

struct Field {
    name: String,
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    required: bool,
    value: String,
}

#[derive(Template)]
#[template(path = "pages/sign_up.html")]
struct SignUpPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    title: &'a str,
    action: &'a str,
    continuing: bool,
    fields: Vec<Field>,
    ticket: Option<String>,
    social: Vec<(String, String)>,
    sso_action: &'a str,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

/// The sign-up fields from `[auth]`; `only` limits them to those still missing.
fn sign_up_fields(
    ctx: &Ctx,
    s: &Strings,
    values: &HashMap<String, String>,
    only: Option<&[&str]>,
) -> Vec<Field> {
    let a = &ctx.settings.auth;
    let either = a.email_address_or_phone_number;
    let all = [
        (
            "email_address",
            s.email_label,
            "email",
            "email",
            a.email_address,
        ),
        ("phone_number", s.phone_label, "tel", "tel", a.phone_number),
        ("username", s.username_label, "text", "username", a.username),
        (
            "first_name",
            s.first_name_label,
            "text",
            "given-name",
            a.first_name,
        ),
        (
            "last_name",
            s.last_name_label,
            "text",
            "family-name",
            a.last_name,
        ),
        (
            "password",
            s.new_password_label,
            "password",
            "new-password",
            a.password,
        ),
    ];
    let mut fields: Vec<Field> = all
        .into_iter()
        .filter(|(n, _, _, _, m)| {
            m.enabled()
                && only.is_none_or(|o| {
                    o.contains(n)
                        || (either
                            && o.contains(&"email_address_or_phone_number")
                            && (*n == "email_address" || *n == "phone_number"))
                })
        })
        .map(|(name, label, input_type, autocomplete, mode)| Field {
            name: name.to_owned(),
            label,
            input_type,
            autocomplete,
            required: mode == FieldMode::Required,
            value: if name == "password" {
                String::new()
            } else {
                values.get(name).cloned().unwrap_or_default()
            },
        })
        .collect();
    if a.legal_consent && only.is_none_or(|o| o.contains(&"legal_accepted")) {
        fields.push(Field {
            name: "legal_accepted".into(),
            label: s.legal_label,
            input_type: "checkbox",
            autocomplete: "off",
            required: true,
            value: String::new(),
        });
    }
    fields
}

const SIGN_UP_FIELDS: &[&str] = &[
    "email_address",
    "phone_number",
    "username",
    "first_name",
    "last_name",
    "password",
    "legal_accepted",
];

#[allow(clippy::too_many_arguments)]
fn render_sign_up(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    continuing: bool,
    values: &HashMap<String, String>,
    only: Option<&[&str]>,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &ctx.settings.branding;
    let page = SignUpPage {
        s: pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        title: if continuing {
            pc.s.continue_title
        } else {
            pc.s.sign_up_title
        },
        action: if continuing {
            "/sign-up/continue"
        } else {
            "/sign-up"
        },
        continuing,
        fields: sign_up_fields(ctx, pc.s, values, only),
        ticket: values.get("ticket").cloned(),
        social: social_buttons(ctx),
        sso_action: "/sign-up/sso",
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

async fn sign_up_page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let pc = match page_ctx(&ctx, &req).await {
        Ok(pc) => pc,
        Err(r) => return r,
    };
    if signed_in(&ctx, &pc.cc).await {
        {
            let to = done_target(&ctx, &pc).await;
            return see_other(&ctx, &pc, &req, &to);
        }
    }
    // `/sign-up?__clerk_ticket=…` from an invitation: the invited address, and the ticket.
    let mut values = HashMap::new();
    if let Some(ticket) = query_map(&req).get("__clerk_ticket").cloned() {
        match crate::flows::tickets::invitation_email(&ctx, &ticket).await {
            Ok(email) => {
                values.insert("email_address".to_owned(), email);
                values.insert("ticket".to_owned(), ticket);
            }
            Err(e) => return error_page(&e),
        }
    }
    render_sign_up(
        &ctx,
        &pc,
        &req,
        false,
        &values,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
}

async fn sign_up_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (mut pc, form) = match checked_form(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    // An invitation link's ticket rides along in a hidden field.
    let mut fields = SIGN_UP_FIELDS.to_vec();
    fields.push("ticket");
    match sign_up::create(&ctx, &mut pc.cc, &params(&form, &fields)).await {
        Ok(su) => next_sign_up_step(&ctx, pc, &req, su).await,
        Err(FlowError::Api(api)) => render_sign_up(
            &ctx,
            &pc,
            &req,
            false,
            &form,
            None,
            FormErrors::from(&api),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}

/// The one place that decides the next sign-up page: verify what is unverified (sending the
/// code), then ask for what is missing, then leave.
/// Takes the browser where the flow says a sign-up goes next (`sign_up::next::step`),
/// sending a verification code on the way when none is pending.
async fn next_sign_up_step(
    ctx: &Ctx,
    mut pc: PageCtx,
    req: &HttpRequest,
    su: SignUp,
) -> HttpResponse {
    let to = match sign_up::next::step(&ctx.settings.auth, &su) {
        sign_up::Step::Done => done_target(ctx, &pc).await,
        sign_up::Step::Verify {
            field,
            strategy,
            send,
        } => {
            if send {
                let p = Params::from_pairs(vec![("strategy".into(), strategy.into())])
                    .unwrap_or_default();
                if let Err(e) = sign_up::prepare_verification(ctx, &mut pc.cc, &su.id, &p).await {
                    return error_page(&e);
                }
            }
            let path = if field == "email_address" {
                Channel::Email.path()
            } else {
                Channel::Phone.path()
            };
            format!("{path}{}", pc.query)
        }
        sign_up::Step::Continue | sign_up::Step::Ready => format!("/sign-up/continue{}", pc.query),
    };
    see_other(ctx, &pc, req, &to)
}

async fn current_sign_up(ctx: &Ctx, cc: &ClientCtx) -> Option<SignUp> {
    let id = cc.row.as_ref()?.sign_up_id.clone()?;
    sign_up::get(ctx, cc, &id).await.ok()
}

async fn continue_page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let pc = match page_ctx(&ctx, &req).await {
        Ok(pc) => pc,
        Err(r) => return r,
    };
    let Some(su) = current_sign_up(&ctx, &pc.cc).await else {
        let to = format!("/sign-up{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    let missing = sign_up::requirements(&ctx.settings.auth, &su).missing;
    render_sign_up(
        &ctx,
        &pc,
        &req,
        true,
        &HashMap::new(),
        Some(&missing),
        FormErrors::default(),
        StatusCode::OK,
    )
}

async fn continue_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (mut pc, form) = match checked_form(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(su) = current_sign_up(&ctx, &pc.cc).await else {
        let to = format!("/sign-up{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    match sign_up::update(&ctx, &mut pc.cc, &su.id, &params(&form, SIGN_UP_FIELDS)).await {
        Ok(su) => next_sign_up_step(&ctx, pc, &req, su).await,
        Err(FlowError::Api(api)) => {
            let missing = sign_up::requirements(&ctx.settings.auth, &su).missing;
            render_sign_up(
                &ctx,
                &pc,
                &req,
                true,
                &form,
                Some(&missing),
                FormErrors::from(&api),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "pages/verify.html")]
struct VerifyPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    title: &'a str,
    action: &'a str,
    destination: String,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

#[derive(Clone, Copy)]
enum Channel {
    Email,
    Phone,
}

impl Channel {
    fn strategy(self) -> &'static str {
        match self {
            Channel::Email => "email_code",
            Channel::Phone => "phone_code",
        }
    }
    fn path(self) -> &'static str {
        match self {
            Channel::Email => "/sign-up/verify-email-address",
            Channel::Phone => "/sign-up/verify-phone-number",
        }
    }
}

fn render_verify(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    su: &SignUp,
    ch: Channel,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &ctx.settings.branding;
    let (title, destination) = match ch {
        Channel::Email => (
            pc.s.verify_email_title,
            su.email_address.clone().unwrap_or_default(),
        ),
        Channel::Phone => (
            pc.s.verify_phone_title,
            su.phone_number.clone().unwrap_or_default(),
        ),
    };
    let page = VerifyPage {
        s: pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        title,
        action: ch.path(),
        destination,
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

async fn verify_page(ctx: &Ctx, req: &HttpRequest, ch: Channel) -> HttpResponse {
    let pc = match page_ctx(ctx, req).await {
        Ok(pc) => pc,
        Err(r) => return r,
    };
    let Some(su) = current_sign_up(ctx, &pc.cc).await else {
        let to = format!("/sign-up{}", pc.query);
        return see_other(ctx, &pc, req, &to);
    };
    render_verify(
        ctx,
        &pc,
        req,
        &su,
        ch,
        FormErrors::default(),
        StatusCode::OK,
    )
}

async fn verify_submit(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
    ch: Channel,
) -> HttpResponse {
    let (mut pc, form) = match checked_form(ctx, req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(su) = current_sign_up(ctx, &pc.cc).await else {
        let to = format!("/sign-up{}", pc.query);
        return see_other(ctx, &pc, req, &to);
    };
    let mut f = form.clone();
    f.insert("strategy".into(), ch.strategy().into());
    match sign_up::attempt_verification(ctx, &mut pc.cc, &su.id, &params(&f, &["strategy", "code"]))
        .await
    {
        Ok(su) => next_sign_up_step(ctx, pc, req, su).await,
        Err(FlowError::Api(api)) => render_verify(
            ctx,
            &pc,
            req,
            &su,
            ch,
            FormErrors::from(&api),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}

async fn verify_resend(
    ctx: &Ctx,
    req: &HttpRequest,
    payload: web::Payload,
    ch: Channel,
) -> HttpResponse {
    let (mut pc, _) = match checked_form(ctx, req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(su) = current_sign_up(ctx, &pc.cc).await else {
        let to = format!("/sign-up{}", pc.query);
        return see_other(ctx, &pc, req, &to);
    };
    let p = Params::from_pairs(vec![("strategy".into(), ch.strategy().into())]).unwrap_or_default();
    match sign_up::prepare_verification(ctx, &mut pc.cc, &su.id, &p).await {
        Ok(_) => {
            let to = format!("{}{}", ch.path(), pc.query);
            see_other(ctx, &pc, req, &to)
        }
        Err(FlowError::Api(api)) => render_verify(
            ctx,
            &pc,
            req,
            &su,
            ch,
            FormErrors {
                general: Some(api.long_message),
                fields: HashMap::new(),
            },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => error_page(&e),
    }
}

// ----- sign-out and account -----

#[derive(Template)]
#[template(path = "pages/sign_out.html")]
struct SignOutPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    done: bool,
}

async fn sign_out_page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let pc = match page_ctx(&ctx, &req).await {
        Ok(pc) => pc,
        Err(r) => return r,
    };
    let b = &ctx.settings.branding;
    let done = !signed_in(&ctx, &pc.cc).await;
    let page = SignOutPage {
        s: pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        done,
    };
    html(&ctx, &pc, StatusCode::OK, page.render(), &req)
}

async fn sign_out_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (pc, _) = match checked_form(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(id) = pc.cc.id()
        && let Err(e) = client::sign_out_everywhere(&ctx, id).await
    {
        return error_page(&e);
    }
    let to = pc.redirect.clone().unwrap_or_else(|| "/sign-out".into());
    see_other(&ctx, &pc, &req, &to)
}

#[derive(Template)]
#[template(path = "pages/reset_password.html")]
struct ResetPasswordPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    identifier: &'a str,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

fn render_reset(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    si: &SignIn,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &ctx.settings.branding;
    let page = ResetPasswordPage {
        s: pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        identifier: si.identifier.as_deref().unwrap_or(""),
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

/// `/sign-in/reset-password`: the new password, once a reset code was accepted.
async fn reset_password_page(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let (pc, si) = match sign_in_page_at(&ctx, &req, SignInStatus::NeedsNewPassword).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    render_reset(&ctx, &pc, &req, &si, FormErrors::default(), StatusCode::OK)
}

async fn reset_password_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (mut pc, form) = match checked_form(&ctx, &req, payload).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(si) = current_sign_in(&ctx, &pc.cc).await else {
        let to = format!("/sign-in{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    let mut f = form.clone();
    f.entry("sign_out_of_other_sessions".into())
        .or_insert_with(|| "false".into());
    match sign_in::reset_password(
        &ctx,
        &mut pc.cc,
        &si.id,
        &params(&f, &["password", "sign_out_of_other_sessions"]),
    )
    .await
    {
        Ok(next) => after_sign_in_step(&ctx, pc, &req, &next).await,
        Err(FlowError::Api(api)) => render_reset(
            &ctx,
            &pc,
            &req,
            &si,
            FormErrors::from(&api),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}
