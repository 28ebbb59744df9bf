//! The operators' console at `/dashboard`, and the start page at `/`. Built like the hosted
//! pages: server-rendered, plain forms that work without JavaScript, CSRF on every form, the
//! pages' strict CSP. Every change goes through the same flow function as the admin API
//! (`crate::flows::admin`, `instance_settings`, `admin_clients`, `connections`), which writes
//! it to the audit trail with the admin who made it.
//!
//! Access: a signed-in user with the instance-admin role (`portcullis users grant-admin
//! EMAIL`), who, with `[dashboard] require_second_factor` (the default), has a second factor
//! and used it for this session. Signed out → the sign-in page; without the role → 403.

mod manage;
mod settings;
mod users;

use std::collections::HashMap;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;

use super::extractors::{Form, Page, PageError};
use super::{PageCtx, csrf_cookie, html, page_ctx, see_other, task_page};
use crate::fapi::extract::context;
use crate::flows::account::{self, Access, Me};
use crate::flows::admin::Admin;
use crate::flows::{Ctx, FlowError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(start_page))
        .route("/dashboard", web::get().to(overview_page))
        .configure(users::routes)
        .configure(settings::routes)
        .configure(manage::routes);
}

/// The header and navigation every console page shares.
pub(super) struct Chrome {
    pub app_name: String,
    pub admin_email: String,
    pub csrf: String,
    /// Which navigation entry is the current page.
    pub section: &'static str,
    /// A one-line confirmation of what the last form did.
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl Chrome {
    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }
}

/// A console request: the page context, the signed-in admin and who they are for the audit
/// trail.
pub(super) struct Console {
    pub pc: PageCtx,
    pub me: Me,
    pub admin: Admin,
}

impl Console {
    pub fn chrome(&self, ctx: &Ctx, section: &'static str, req: &HttpRequest) -> Chrome {
        let q = super::query_map(req);
        Chrome {
            app_name: ctx.settings().branding.app_name.clone(),
            admin_email: primary_email(self.me.user()),
            csrf: self.pc.csrf.clone(),
            section,
            notice: q
                .get("notice")
                .and_then(|n| notice_text(n))
                .map(str::to_owned),
            error: None,
        }
    }
}

/// What a finished action says on the page it returns to (`?notice=`): fixed texts only, so
/// a link cannot make the console say anything else.
fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "saved" => "Saved. Every instance applies the change within two seconds.",
        "banned" => "The user is banned and their sessions are revoked.",
        "unbanned" => "The ban is lifted.",
        "locked" => "The user is locked.",
        "unlocked" => "The user is unlocked.",
        "revoked" => "Sessions revoked.",
        "deleted" => "Deleted.",
        "granted" => "The user is now an instance admin.",
        "ungranted" => "The user is no longer an instance admin.",
        "rotated" => "New signing keys are in use.",
        "retried" => "The delivery will be tried again now.",
        "created" => "Created.",
        _ => return None,
    })
}

pub(super) fn primary_email(u: &crate::store::users::UserRecord) -> String {
    u.primary_email()
        .or(u.emails.first())
        .map(|e| e.email_address.clone())
        .unwrap_or_else(|| u.user.id.clone())
}

fn client_ip(ctx: &Ctx, req: &HttpRequest) -> Option<String> {
    crate::client_ip::client_ip(req, &ctx.trusted_proxies).map(|ip| ip.to_string())
}

/// The signed-in admin, or why not: the sign-in page, or a 403 page saying what is missing.
async fn console(ctx: &Ctx, req: &HttpRequest, pc: PageCtx) -> Result<Console, PageError> {
    let me = match account::me(ctx, &pc.cc, None, Access::Active).await {
        Ok(me) => me,
        Err(_) => {
            let to = if let Some(page) = task_page(ctx, &pc.cc).await {
                page.to_owned()
            } else {
                "/sign-in?redirect_url=%2Fdashboard".to_owned()
            };
            return Err(PageError::Redirect {
                to,
                csrf_cookie: csrf_cookie(ctx, &pc).map(Box::new),
            });
        }
    };
    match crate::flows::admin::operator_access(ctx, &me).await {
        Ok(()) => {}
        Err(FlowError::Api(api)) => {
            return Err(PageError::Message {
                status: StatusCode::FORBIDDEN,
                text: api.long_message,
                csrf_cookie: None,
            });
        }
        Err(e) => return Err(PageError::Flow(e)),
    }
    let user = me.user();
    let admin = Admin::user(
        &user.user.id,
        &primary_email(user),
        client_ip(ctx, req),
        req.headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    );
    Ok(Console { pc, me, admin })
}

impl FromRequest for Console {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let ctx = context(&req)?;
            let pc = page_ctx(&ctx, &req).await?;
            console(&ctx, &req, pc).await
        })
    }
}

/// A form posted from a console page: its CSRF token and origin checked (as every hosted
/// form's are), then the admin.
pub(super) struct ConsoleForm {
    pub console: Console,
    pub form: HashMap<String, String>,
}

impl FromRequest for ConsoleForm {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = Form::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let Form(pc, form) = form.await?;
            let ctx = context(&req)?;
            let console = console(&ctx, &req, pc).await?;
            Ok(ConsoleForm { console, form })
        })
    }
}

impl ConsoleForm {
    pub fn field(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or("")
    }

    /// Destructive actions carry a ticked `confirm` box; without it, the page that says so.
    pub fn unconfirmed(&self) -> Option<HttpResponse> {
        (self.field("confirm") != "yes").then(|| {
            refused(
                &crate::flows::ApiError::invalid_value(
                    "confirm",
                    "Tick the box to confirm: this cannot be undone from here.",
                )
                .into(),
            )
        })
    }

    /// Back to `to` with a notice.
    pub fn done(&self, ctx: &Ctx, req: &HttpRequest, to: &str, notice: &str) -> HttpResponse {
        let sep = if to.contains('?') { '&' } else { '?' };
        see_other(
            ctx,
            &self.console.pc,
            req,
            &format!("{to}{sep}notice={notice}"),
        )
    }
}

/// A console page's HTML.
pub(super) fn page(
    ctx: &Ctx,
    console: &Console,
    status: StatusCode,
    body: Result<String, askama::Error>,
    req: &HttpRequest,
) -> HttpResponse {
    html(ctx, &console.pc, status, body, req)
}

/// A refusal a console form shows: the flow's message, on a page with a way back.
pub(super) fn refused(e: &FlowError) -> HttpResponse {
    super::error_page(e)
}

// ----- the start page -----

#[derive(Template)]
#[template(path = "dashboard/start.html")]
struct StartPage<'a> {
    /// The start page is for whoever installs Portcullis: English, like the console.
    s: &'a super::strings::Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    signed_in: bool,
}

/// `/`: where a newcomer who just started Portcullis lands: sign in, sign up, the account
/// page, the dashboard.
async fn start_page(ctx: web::Data<Ctx>, req: HttpRequest, Page(pc): Page) -> HttpResponse {
    let settings = ctx.settings();
    let signed_in = super::signed_in(&ctx, &pc.cc).await;
    let mut s = super::strings::Strings::new(crate::i18n::Locale::EN);
    s.picker = false;
    let page = StartPage {
        s: &s,
        app_name: &settings.branding.app_name,
        logo_url: settings.branding.logo_url.as_deref(),
        signed_in,
    };
    html(&ctx, &pc, StatusCode::OK, page.render(), &req)
}

// ----- overview -----

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewPage {
    c: Chrome,
    users: u64,
    active_sessions: u64,
    days: Vec<crate::flows::admin::Day>,
    failed_total: i64,
    lockouts_total: i64,
    chart: String,
    settings_version: i64,
}

async fn overview_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let o = match crate::flows::admin::overview(&ctx, 14).await {
        Ok(o) => o,
        Err(e) => return refused(&e),
    };
    let page = OverviewPage {
        c: console.chrome(&ctx, "overview", &req),
        users: o.users,
        active_sessions: o.active_sessions,
        failed_total: o.days.iter().map(|d| d.failed_sign_ins).sum(),
        lockouts_total: o.days.iter().map(|d| d.lockouts).sum(),
        chart: chart(&o.days),
        days: o.days,
        settings_version: ctx.live.version(),
    };
    page_response(&ctx, &console, page.render(), &req)
}

fn page_response(
    ctx: &Ctx,
    console: &Console,
    body: Result<String, askama::Error>,
    req: &HttpRequest,
) -> HttpResponse {
    page(ctx, console, StatusCode::OK, body, req)
}

/// Sign-ins and sign-ups per day as bars, drawn here as SVG (no script, no inline style:
/// presentation attributes only, which the CSP allows). Only numbers and dates we made go in.
fn chart(days: &[crate::flows::admin::Day]) -> String {
    use std::fmt::Write as _;
    let (w, h, pad) = (640i64, 180i64, 24i64);
    let n = i64::try_from(days.len()).unwrap_or(1).max(1);
    let max = days
        .iter()
        .map(|d| d.sign_ins.max(d.sign_ups))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (w - 2 * pad) / n;
    let bar = (slot / 2 - 2).max(1);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-labelledby=\"chart-title\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">Sign-ins and sign-ups per day over the last {n} days</title>\
         <line x1=\"{pad}\" y1=\"{base}\" x2=\"{end}\" y2=\"{base}\" stroke=\"#666\"/>",
        base = h - pad,
        end = w - pad
    );
    for (i, d) in days.iter().enumerate() {
        let x = pad + i64::try_from(i).unwrap_or(0) * slot;
        for (k, (v, fill)) in [(d.sign_ins, "#2451b7"), (d.sign_ups, "#1b7f4b")]
            .into_iter()
            .enumerate()
        {
            let bh = v * (h - 2 * pad) / max;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{bh}\" fill=\"{fill}\"/>",
                x = x + i64::try_from(k).unwrap_or(0) * (bar + 1),
                y = h - pad - bh,
            );
        }
        if i == 0 || i + 1 == days.len() {
            let _ = write!(
                svg,
                "<text x=\"{x}\" y=\"{y}\" font-size=\"11\" fill=\"#333\">{date}</text>",
                y = h - 6,
                date = &d.date[5..],
            );
        }
    }
    let _ = write!(
        svg,
        "<text x=\"{pad}\" y=\"14\" font-size=\"11\" fill=\"#333\">max {max}</text></svg>"
    );
    svg
}
