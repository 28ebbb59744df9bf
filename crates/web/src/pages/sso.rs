//! Signing in and up with an upstream provider on the hosted pages: the buttons post here,
//! the browser goes to the provider, comes back through `/v1/oauth_callback`, and lands on
//! `/sso-callback`, which takes the flow to its next page.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{
    Form, FormErrors, Page, PageCtx, after_sign_in_step, api_status, current_sign_in,
    current_sign_up, done_target, error_page, next_sign_up_step, query_map, render_sign_in,
    render_sign_up, see_other, signed_in, task_page,
};
use crate::flows::account::{self, Access};
use crate::flows::sign_up::SignUpStatus;
use crate::flows::verification::Status;
use crate::flows::{Ctx, FlowError, Params, sign_in, sign_up};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in/sso", web::post().to(sign_in_sso))
        .route("/sign-up/sso", web::post().to(sign_up_sso))
        .route("/sso-callback", web::get().to(sso_callback))
        .route("/user/external-accounts", web::post().to(connect))
        .route("/user/external-accounts/remove", web::post().to(disconnect));
}

/// `/sso-callback`, carrying the page's `redirect_url` (and which flow it was).
fn callback_target(pc: &PageCtx, flow: &str) -> String {
    let sep = if pc.query.is_empty() { "?" } else { "&" };
    format!("/sso-callback{}{sep}flow={flow}", pc.query)
}

fn to_provider(ctx: &Ctx, pc: &PageCtx, req: &HttpRequest, url: Option<String>) -> HttpResponse {
    match url {
        Some(u) => see_other(ctx, pc, req, &u),
        None => error_page(&FlowError::Unexpected(anyhow::anyhow!(
            "an upstream sign-in started without a provider URL"
        ))),
    }
}

/// Starts a sign-in with `strategy` (`oauth_x`, or `enterprise_sso` for `identifier`).
pub(super) async fn start_sign_in(
    ctx: &Ctx,
    mut pc: PageCtx,
    req: &HttpRequest,
    strategy: &str,
    identifier: Option<&str>,
) -> HttpResponse {
    let mut pairs = vec![
        ("strategy".to_owned(), strategy.to_owned()),
        ("redirect_url".to_owned(), callback_target(&pc, "sign_in")),
    ];
    if let Some(i) = identifier {
        pairs.push(("identifier".into(), i.to_owned()));
    }
    let p = Params::from_pairs(pairs).unwrap_or_default();
    match sign_in::create(ctx, &mut pc.cc, &p).await {
        Ok(si) => {
            let url = si.first_factor_verification.and_then(|v| v.external_url);
            to_provider(ctx, &pc, req, url)
        }
        Err(FlowError::Api(api)) if api.code == crate::flows::ErrorCode::SessionExists => {
            let to = done_target(ctx, &pc).await;
            see_other(ctx, &pc, req, &to)
        }
        Err(FlowError::Api(api)) => render_sign_in(
            ctx,
            &pc,
            req,
            identifier.unwrap_or(""),
            false,
            FormErrors::from(&api, &pc.s),
            api_status(&api),
        ),
        Err(e) => error_page(&e),
    }
}

async fn sign_in_sso(ctx: web::Data<Ctx>, req: HttpRequest, Form(pc, form): Form) -> HttpResponse {
    let strategy = form.get("strategy").cloned().unwrap_or_default();
    start_sign_in(&ctx, pc, &req, &strategy, None).await
}

async fn sign_up_sso(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
    let strategy = form.get("strategy").cloned().unwrap_or_default();
    let p = Params::from_pairs(vec![
        ("strategy".into(), strategy),
        ("redirect_url".into(), callback_target(&pc, "sign_up")),
    ])
    .unwrap_or_default();
    match sign_up::create(&ctx, &mut pc.cc, &p).await {
        Ok(su) => {
            let url = su.external_verification.and_then(|v| v.external_url);
            to_provider(&ctx, &pc, &req, url)
        }
        Err(FlowError::Api(api)) => render_sign_up(
            &ctx,
            &pc,
            &req,
            false,
            &HashMap::new(),
            None,
            FormErrors {
                general: Some(api.long_message.clone()),
                fields: HashMap::new(),
            },
            api_status(&api),
        ),
        Err(e) => error_page(&e),
    }
}

fn general(message: String) -> FormErrors {
    FormErrors {
        general: Some(message),
        fields: HashMap::new(),
    }
}

/// Back from the provider: on to the next page of whichever flow it was.
async fn sso_callback(ctx: web::Data<Ctx>, req: HttpRequest, Page(mut pc): Page) -> HttpResponse {
    // Done already (a returning user): out, or to the second-factor set-up.
    if signed_in(&ctx, &pc.cc).await || task_page(&ctx, &pc.cc).await.is_some() {
        let to = done_target(&ctx, &pc).await;
        return see_other(&ctx, &pc, &req, &to);
    }
    let flow = query_map(&req).get("flow").cloned().unwrap_or_default();
    if flow == "sign_up"
        && let Some(su) = current_sign_up(&ctx, &pc.cc).await
    {
        let external = su.external_verification.clone();
        return match external.as_ref().map(|v| v.status) {
            _ if su.status == SignUpStatus::Complete => {
                let to = done_target(&ctx, &pc).await;
                see_other(&ctx, &pc, &req, &to)
            }
            // The account exists: sign in to it instead.
            Some(Status::Transferable) => {
                let p = Params::from_pairs(vec![("transfer".into(), "true".into())])
                    .unwrap_or_default();
                match sign_in::create(&ctx, &mut pc.cc, &p).await {
                    Ok(si) => after_sign_in_step(&ctx, pc, &req, &si).await,
                    Err(e) => error_page(&e),
                }
            }
            Some(Status::Failed) => {
                let message = external
                    .and_then(|v| v.error)
                    .map(|e| e.long_message)
                    .unwrap_or_default();
                render_sign_up(
                    &ctx,
                    &pc,
                    &req,
                    false,
                    &HashMap::new(),
                    None,
                    general(message),
                    StatusCode::BAD_REQUEST,
                )
            }
            _ => next_sign_up_step(&ctx, pc, &req, su).await,
        };
    }
    let Some(si) = current_sign_in(&ctx, &pc.cc).await else {
        let to = format!("/sign-in{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    let first = si.first_factor_verification.clone();
    match first.as_ref().map(|v| v.status) {
        // No account yet: make one from what the provider said.
        Some(Status::Transferable) => {
            let p =
                Params::from_pairs(vec![("transfer".into(), "true".into())]).unwrap_or_default();
            match sign_up::create(&ctx, &mut pc.cc, &p).await {
                Ok(su) => next_sign_up_step(&ctx, pc, &req, su).await,
                Err(e) => error_page(&e),
            }
        }
        Some(Status::Failed) => {
            let message = first
                .and_then(|v| v.error)
                .map(|e| e.long_message)
                .unwrap_or_default();
            render_sign_in(
                &ctx,
                &pc,
                &req,
                "",
                false,
                general(message),
                StatusCode::BAD_REQUEST,
            )
        }
        _ => after_sign_in_step(&ctx, pc, &req, &si).await,
    }
}

/// "Connect Google" on the account page.
async fn connect(ctx: web::Data<Ctx>, req: HttpRequest, Form(pc, form): Form) -> HttpResponse {
    let Ok(me) = account::me(&ctx, &pc.cc, None, Access::Active).await else {
        return see_other(&ctx, &pc, &req, "/sign-in?redirect_url=%2Fuser");
    };
    let p = Params::from_pairs(vec![
        (
            "strategy".into(),
            form.get("strategy").cloned().unwrap_or_default(),
        ),
        ("redirect_url".into(), "/user".into()),
    ])
    .unwrap_or_default();
    match account::connect_external(&ctx, &me, &p).await {
        Ok(v) => to_provider(&ctx, &pc, &req, v.external_url),
        Err(e) => error_page(&e),
    }
}

async fn disconnect(ctx: web::Data<Ctx>, req: HttpRequest, Form(pc, form): Form) -> HttpResponse {
    let Ok(me) = account::me(&ctx, &pc.cc, None, Access::Active).await else {
        return see_other(&ctx, &pc, &req, "/sign-in?redirect_url=%2Fuser");
    };
    let id = form.get("id").cloned().unwrap_or_default();
    match account::disconnect_external(&ctx, &me, &id).await {
        Ok(()) => see_other(&ctx, &pc, &req, "/user"),
        Err(FlowError::Api(_)) => see_other(&ctx, &pc, &req, "/user?error=last_method"),
        Err(e) => error_page(&e),
    }
}
