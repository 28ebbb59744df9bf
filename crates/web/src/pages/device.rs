//! `/device`: the hosted page of the device authorization grant (RFC 8628 §3.3). A signed-in
//! user (one who is not signs in first and comes back) types the code their device shows,
//! or arrives with it from `verification_uri_complete`; the page names the application and
//! what it asks for, repeats the code to compare with the device (§5.4, against a code
//! phished from someone else's device), and the user connects the device or declines. Every
//! code looked up or answered counts against `[limits] user_code_per_*` (§5.1).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::strings::Strings;
use super::{FormErrors, PageCtx, SignedIn, SignedInForm, api_status, error_page, html, query_map};
use crate::fapi::extract::Active;
use crate::flows::account::Me;
use crate::flows::{Ctx, FlowError};
use crate::oidc::device::{self, DeviceRequest};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/device", web::get().to(page))
        .route("/device", web::post().to(lookup_submit))
        .route("/device/answer", web::post().to(answer_submit));
}

/// Which of its three faces the page shows.
enum Step {
    /// The code field, with what went wrong with the last code typed.
    Enter { error: Option<String> },
    /// The request a code stands for, to connect or decline.
    Confirm {
        client_name: String,
        logo_uri: Option<String>,
        scopes: Vec<String>,
        user_code: String,
    },
    /// The answer was taken.
    Done { approved: bool },
}

#[derive(Template)]
#[template(path = "pages/device.html")]
struct DevicePage<'a> {
    s: &'a Strings,
    csrf: &'a str,
    step: Step,
}

fn render(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    step: Step,
    status: StatusCode,
) -> HttpResponse {
    let page = DevicePage {
        s: &pc.s,
        csrf: &pc.csrf,
        step,
    };
    html(ctx, pc, status, page.render(), req)
}

/// The code field again, saying the code was not found (the same words whether it never
/// existed, expired or was answered: nothing to learn from them).
fn unknown_code(ctx: &Ctx, pc: &PageCtx, req: &HttpRequest) -> HttpResponse {
    let step = Step::Enter {
        error: Some(pc.s.device_code_unknown.clone()),
    };
    render(ctx, pc, req, step, StatusCode::BAD_REQUEST)
}

/// A flow failure: over the rate limit it is the code field with the wait, else the error
/// page.
fn failed(ctx: &Ctx, pc: &PageCtx, req: &HttpRequest, e: FlowError) -> HttpResponse {
    match e {
        FlowError::Api(api) => {
            let errors = FormErrors::from(&api, &pc.s);
            let step = Step::Enter {
                error: errors.general.or(errors.fields.into_values().next()),
            };
            render(ctx, pc, req, step, api_status(&api))
        }
        e => error_page(&e),
    }
}

/// A typed code counted against the limits, then the live request it stands for.
async fn look_up(
    ctx: &Ctx,
    me: &Me,
    typed: &str,
) -> Result<Option<(String, DeviceRequest)>, FlowError> {
    crate::flows::limits::user_code(ctx, me.actor.ip.as_deref(), &me.user().user.id).await?;
    let Some(code) = device::normalize_user_code(typed) else {
        return Ok(None);
    };
    let found = device::find(ctx, &code).await.map_err(oauth_failure)?;
    Ok(found.map(|request| (code, request)))
}

fn oauth_failure(e: crate::oidc::error::OAuthError) -> FlowError {
    FlowError::Unexpected(anyhow::anyhow!("{}: {}", e.error, e.description))
}

/// The confirmation step for a found request.
async fn confirm(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    code: &str,
    request: DeviceRequest,
) -> HttpResponse {
    let client = match crate::oidc::clients::find(ctx, &request.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return unknown_code(ctx, pc, req),
        Err(e) => return error_page(&oauth_failure(e)),
    };
    let step = Step::Confirm {
        client_name: client.name().to_owned(),
        logo_uri: client.settings.logo_uri.clone(),
        scopes: request.scopes.iter().map(|s| pc.s.scope(s)).collect(),
        user_code: device::display_user_code(code),
    };
    render(ctx, pc, req, step, StatusCode::OK)
}

/// The page for a typed code: its request to confirm, or the field again.
async fn show(ctx: &Ctx, pc: &PageCtx, req: &HttpRequest, me: &Me, typed: &str) -> HttpResponse {
    match look_up(ctx, me, typed).await {
        Ok(Some((code, request))) => confirm(ctx, pc, req, &code, request).await,
        Ok(None) => unknown_code(ctx, pc, req),
        Err(e) => failed(ctx, pc, req, e),
    }
}

/// `GET /device`, and `GET /device?user_code=…` from `verification_uri_complete`.
async fn page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<Active>,
) -> HttpResponse {
    match query_map(&req).remove("user_code") {
        Some(typed) => show(&ctx, &pc, &req, &me, &typed).await,
        None => render(&ctx, &pc, &req, Step::Enter { error: None }, StatusCode::OK),
    }
}

/// `POST /device`: the code typed in the field.
async fn lookup_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let typed = form.get("user_code").map(String::as_str).unwrap_or("");
    show(&ctx, &pc, &req, &me, typed).await
}

/// `POST /device/answer`: `decision=allow` connects the device to this session's sign-in,
/// anything else declines. Counted like a lookup, since it names a code too.
async fn answer_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let typed = form.get("user_code").map(String::as_str).unwrap_or("");
    let approved = form.get("decision").map(String::as_str) == Some("allow");
    let answered = async {
        let Some((code, request)) = look_up(&ctx, &me, typed).await? else {
            return Ok(false);
        };
        let auth = approved.then(|| crate::oidc::authorize::auth_facts(&me.session.row));
        let answered = device::decide(&ctx, &code, auth)
            .await
            .map_err(oauth_failure)?;
        if answered {
            crate::flows::audit::emit(
                &ctx,
                &me.actor,
                if approved {
                    "device.approved"
                } else {
                    "device.denied"
                },
                serde_json::json!({ "client_id": request.client_id, "scopes": request.scopes }),
            );
        }
        Ok::<bool, FlowError>(answered)
    };
    match answered.await {
        Ok(true) => render(&ctx, &pc, &req, Step::Done { approved }, StatusCode::OK),
        Ok(false) => unknown_code(&ctx, &pc, &req),
        Err(e) => failed(&ctx, &pc, &req, e),
    }
}
