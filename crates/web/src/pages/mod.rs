//! The hosted pages: sign-in, sign-up, verification, sign-out and the account page. Plain
//! HTML forms (they work with JavaScript off), POST-redirect-GET on success, errors beside
//! the field they concern. Every handler calls the same flow function the Frontend API does.

mod account;
mod dashboard;
mod device;
mod extractors;
mod organizations;
mod reverify;
mod sign_in_journey;
mod sign_up_journey;
mod sso;
pub(crate) mod strings;
mod verify;

use sign_in_journey::*;
use sign_up_journey::*;
use std::collections::HashMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use subtle::ConstantTimeEq;

use self::extractors::{Form, Page, PageError, SignedIn, SignedInForm};
use self::strings::Strings;
use super::fapi::extract;
use super::i18n::{self, Locale};
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
        .route("/sign-in/ticket", web::post().to(sign_in_ticket_submit))
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
        .configure(device::routes)
        .configure(sso::routes)
        .configure(organizations::routes)
        .configure(dashboard::routes);
}

/// `:root { --primary: … }` from `[branding]`, so pages need no inline style; `?color=`
/// (a hex colour, nothing else) for a page that wears an application's colour. Branding
/// changes at run time, so browsers ask again each time (it is a few bytes).
async fn brand_css(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let asked = query_map(&req)
        .remove("color")
        .filter(|c| crate::oidc::clients::is_hex_colour(c));
    let colour = asked.unwrap_or_else(|| ctx.settings().branding.primary_color.clone());
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(format!(":root {{ --primary: {colour}; }}\n"))
}

// ----- request context -----

/// The CSRF cookie. On https it carries the `__Host-` prefix: the browser then refuses one set
/// by any other host (a sibling subdomain included) or for a wider path, so no other site can
/// plant a value whose form token it knows.
fn csrf_cookie_name(ctx: &Ctx) -> &'static str {
    if ctx.settings().issuer_is_https() {
        "__Host-csrf"
    } else {
        "__csrf"
    }
}

/// Whose name, logo and colour a page wears: the application whose sign-in request the page
/// serves, else the instance's `[branding]`.
pub(crate) struct Brand {
    pub app_name: String,
    pub logo_url: Option<String>,
    /// The name is an application's, not the instance's.
    pub for_client: bool,
}

/// Where a page's language came from, most binding first (see `crate::i18n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocaleSource {
    /// `?lang=` on this request: the person chose it with the picker.
    Picked,
    /// The relying party's `ui_locales`.
    RelyingParty,
    /// The picker's cookie.
    Remembered,
    /// `Accept-Language`, or English when it names nothing shipped; a signed-in user's
    /// own `locale` outranks it.
    Browser,
}

/// What every page needs: the client, strings, CSRF token and the validated way back.
struct PageCtx {
    cc: ClientCtx,
    s: Strings,
    locale_source: LocaleSource,
    brand: Brand,
    /// A language picked on this request, to remember in a cookie.
    picked: Option<Locale>,
    csrf: String,
    /// A fresh CSRF cookie to set (first visit).
    csrf_cookie: Option<String>,
    /// `?redirect_url=…` to carry through the pages (already validated), or "".
    query: String,
    redirect: Option<String>,
}

async fn page_ctx(ctx: &Ctx, req: &HttpRequest) -> Result<PageCtx, PageError> {
    let mut cc = extract::client(ctx, req).await?;
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
    let pending = match &redirect {
        Some(r) => pending_authorization(ctx, r).await,
        None => None,
    };
    // The person's own pick on this page first: OIDC Core §3.1.2.1 makes `ui_locales` the
    // relying party's statement of preference, not a lock on the page.
    let picked = q.get("lang").and_then(|t| Locale::parse(t));
    let relying_party = pending.as_ref().and_then(|(request, _)| {
        portcullis_i18n::negotiate(request.ui_locales.iter().map(String::as_str))
    });
    let (locale, locale_source) = match (picked, relying_party, i18n::from_cookie(req)) {
        (Some(l), _, _) => (l, LocaleSource::Picked),
        (None, Some(l), _) => (l, LocaleSource::RelyingParty),
        (None, None, Some(l)) => (l, LocaleSource::Remembered),
        (None, None, None) => (
            i18n::from_accept_language(req).unwrap_or(Locale::EN),
            LocaleSource::Browser,
        ),
    };
    cc.locale = Some(locale);
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    if let Some(r) = &redirect {
        pairs.append_pair("redirect_url", r);
    }
    // A language picked mid-journey stays for the rest of it, over the relying party's.
    if let Some(l) = picked {
        pairs.append_pair("lang", l.tag());
    }
    let pairs = pairs.finish();
    let query = if pairs.is_empty() {
        String::new()
    } else {
        format!("?{pairs}")
    };
    let b = &ctx.settings().branding;
    let client = pending.map(|(_, client)| client);
    let brand = Brand {
        app_name: client
            .as_ref()
            .map_or_else(|| b.app_name.clone(), |c| c.name().to_owned()),
        logo_url: client
            .as_ref()
            .and_then(|c| c.settings.logo_uri.clone())
            .or_else(|| b.logo_url.clone()),
        for_client: client.is_some(),
    };
    let mut s = Strings::new(locale);
    if let Some(colour) = client
        .as_ref()
        .and_then(|c| c.settings.brand_color.as_deref())
    {
        s.brand_query = format!("?color={}", colour.replace('#', "%23"));
    }
    s.redirect.clone_from(&redirect);
    Ok(PageCtx {
        cc,
        s,
        locale_source,
        brand,
        picked,
        csrf: ctx.tokens.hash("csrf", &raw),
        csrf_cookie,
        query,
        redirect,
    })
}

/// The authorization request a page serves, and its client, when the way back is
/// Portcullis's own `/oauth/authorize/resume?id=…`: its `ui_locales` choose the language and
/// its client the name and logo on the page.
async fn pending_authorization(
    ctx: &Ctx,
    redirect: &str,
) -> Option<(
    crate::oidc::authorize::AuthRequest,
    crate::oidc::clients::OAuthClient,
)> {
    let resume = format!("{}/oauth/authorize/resume", ctx.settings().issuer());
    let url = url::Url::parse(redirect).ok()?;
    let base = format!("{}{}", url.origin().ascii_serialization(), url.path());
    if base != resume {
        return None;
    }
    let id = url.query_pairs().find(|(k, _)| k == "id")?.1.into_owned();
    let request = crate::oidc::authorize::load_request(ctx, &id)
        .await
        .ok()??;
    let client = crate::oidc::clients::find(ctx, &request.client_id)
        .await
        .ok()??;
    Some((request, client))
}

impl PageCtx {
    /// Once the user is known: their own `locale` outranks the browser's preference (not a
    /// language picked or asked for by the relying party).
    fn adopt_user_locale(&mut self, me: &mut crate::flows::account::Me) {
        if self.locale_source != LocaleSource::Browser {
            return;
        }
        if let Some(own) = me.user().user.locale.as_deref().and_then(Locale::parse) {
            let mut s = Strings::new(own);
            s.brand_query = std::mem::take(&mut self.s.brand_query);
            s.redirect = self.s.redirect.take();
            self.s = s;
            self.cc.locale = Some(own);
            me.asked_locale = Some(own);
        }
    }
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

/// Checks a POSTed form's CSRF token (and that it came from the issuer's own origin); a bad
/// one gets the expired-form page.
fn check_csrf(
    ctx: &Ctx,
    req: &HttpRequest,
    pc: &PageCtx,
    form: &HashMap<String, String>,
) -> Result<(), PageError> {
    let given = form.get("csrf").map(String::as_str).unwrap_or("");
    let valid = pc.csrf_cookie.is_none()
        && same_origin_post(ctx, req)
        && bool::from(given.as_bytes().ct_eq(pc.csrf.as_bytes()));
    if valid {
        return Ok(());
    }
    Err(PageError::Message {
        status: StatusCode::FORBIDDEN,
        text: pc.s.form_expired.clone(),
        csrf_cookie: csrf_cookie(ctx, pc).map(Box::new),
    })
}

/// Whether a form post came from Portcullis's own pages: a browser names the page's origin in
/// `Origin` (and in fetch metadata). A form on any other origin, a sibling subdomain
/// included, is refused even with a token that matches its cookie.
fn same_origin_post(ctx: &Ctx, req: &HttpRequest) -> bool {
    let own = ctx.settings().issuer_origin();
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

/// The CSRF cookie to set when the request came without one (a first visit).
fn csrf_cookie(ctx: &Ctx, pc: &PageCtx) -> Option<Cookie<'static>> {
    let t = pc.csrf_cookie.as_ref()?;
    Some(
        Cookie::build(csrf_cookie_name(ctx), t.clone())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(ctx.settings().issuer_is_https())
            .finish(),
    )
}

fn set_cookies(ctx: &Ctx, pc: &PageCtx, res: &mut HttpResponse) {
    if let Some(c) = csrf_cookie(ctx, pc) {
        let _ = res.add_cookie(&c);
    }
    if let Some(l) = pc.picked {
        let _ = res.add_cookie(&i18n::lang_cookie(l, ctx.settings().issuer_is_https()));
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
    crate::failure_page(e)
}

/// A flow error shown on the form: beside its field when it names one.
#[derive(Default)]
struct FormErrors {
    general: Option<String>,
    fields: HashMap<String, String>,
}

impl FormErrors {
    /// `api` beside its field, in the page's language.
    fn from(api: &ApiError, s: &Strings) -> Self {
        let text = i18n::localized(api, s.locale).long_message;
        let mut e = Self::default();
        match &api.param {
            Some(p) if p != "strategy" => {
                e.fields.insert(p.clone(), text);
            }
            _ => e.general = Some(text),
        }
        e
    }
}

/// After a completed sign-in or sign-up: back to the app, or to the account page; first to
/// the page of the new session's task when it is pending on one (a second factor to set up,
/// an organization to choose).
async fn done_target(ctx: &Ctx, pc: &PageCtx) -> String {
    if let Some(page) = task_page(ctx, &pc.cc).await {
        return format!("{page}{}", pc.query);
    }
    pc.redirect.clone().unwrap_or_else(|| "/user".into())
}

/// The page where the client's current session does its first task, when it is pending on
/// one: `/user/mfa-setup` (`[auth] mfa_required`) or `/organizations`
/// (`[organizations] force_organization_selection`).
async fn task_page(ctx: &Ctx, cc: &ClientCtx) -> Option<&'static str> {
    let me = crate::flows::account::me(ctx, cc, None, crate::flows::account::Access::MfaSetup)
        .await
        .ok()?;
    match *me.session.tasks().first()? {
        crate::flows::session::TASK_CHOOSE_ORGANIZATION => Some("/organizations"),
        _ => Some("/user/mfa-setup"),
    }
}

// ----- shared by the journeys -----

/// Another way to prove the same step, offered beside the one on the page.
struct Alternative {
    strategy: String,
    target: String,
    label: String,
}

/// The strategy a factor page shows: the one `?strategy=` names when the sign-in offers it,
/// else the first one offered, else `fallback`.
fn chosen_strategy(req: &HttpRequest, offered: &[sign_in::Factor], fallback: &str) -> String {
    let asked = query_map(req).remove("strategy");
    asked
        .filter(|st| offered.iter().any(|f| &f.strategy == st))
        .or_else(|| offered.first().map(|f| f.strategy.clone()))
        .unwrap_or_else(|| fallback.to_owned())
}

/// The HTTP status of a flow error shown on a page.
fn api_status(api: &ApiError) -> StatusCode {
    StatusCode::from_u16(api.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
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

async fn sign_out_page(ctx: web::Data<Ctx>, req: HttpRequest, Page(pc): Page) -> HttpResponse {
    let b = &pc.brand;
    let done = !signed_in(&ctx, &pc.cc).await;
    let page = SignOutPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        done,
    };
    html(&ctx, &pc, StatusCode::OK, page.render(), &req)
}

async fn sign_out_submit(ctx: web::Data<Ctx>, req: HttpRequest, Form(pc, _): Form) -> HttpResponse {
    if let Some(id) = pc.cc.id()
        && let Err(e) = client::sign_out_everywhere(&ctx, id).await
    {
        return error_page(&e);
    }
    let to = pc.redirect.clone().unwrap_or_else(|| "/sign-out".into());
    see_other(&ctx, &pc, &req, &to)
}
