//! `/user/reverify`: the hosted page that asks a signed-in user to verify again before a
//! sensitive change, when the account page got `session_reverification_required`. It runs
//! the same reverification as the Frontend API (`flows::reverification`); once it completes,
//! the user is back on the account page and makes the change again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::strings::Strings;
use super::{
    Alternative, FormErrors, PageCtx, SignedIn, SignedInForm, alternative, api_status, error_page,
    factor_target, html, query_map, see_other,
};
use crate::fapi::extract::Active;
use crate::flows::account::Me;
use crate::flows::reverification::{self, Reverification, RvStatus};
use crate::flows::{Ctx, ErrorCode, FlowError, FlowResult, Params};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/user/reverify", web::get().to(page))
        .route("/user/reverify", web::post().to(submit))
        .route("/user/reverify/method", web::post().to(method));
}

#[derive(Template)]
#[template(path = "pages/reverify.html")]
struct ReverifyPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    /// The method the form is for.
    strategy: String,
    /// A code went out for it (email and SMS codes).
    sent: bool,
    destination: String,
    methods: Vec<Alternative>,
    error: Option<String>,
    /// `?redirect_url=…` to keep on the forms.
    query: &'a str,
}

/// The reverification in progress, or a new one at the level sensitive changes ask for.
async fn current_or_start(ctx: &Ctx, me: &Me) -> FlowResult<Reverification> {
    match reverification::current(ctx, me).await {
        Err(FlowError::Api(e)) if e.code == ErrorCode::VerificationMissing => {
            let level = reverification::SENSITIVE.as_str().to_owned();
            let p = Params::from_pairs(vec![("level".into(), level)])?;
            reverification::start(ctx, me, &p).await
        }
        other => other,
    }
}

/// Whether a code for `strategy` was sent in this step.
fn code_sent(rv: &Reverification, strategy: &str) -> bool {
    let v = if rv.status == RvStatus::NeedsSecondFactor {
        &rv.second_factor_verification
    } else {
        &rv.first_factor_verification
    };
    v.as_ref().is_some_and(|v| v.strategy == strategy)
}

fn render(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    rv: &Reverification,
    asked: Option<&str>,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let factors = rv.step_factors();
    // The method shown: the one asked for when it is offered; else a code already sent,
    // the password, or the step's default.
    let chosen = asked
        .and_then(|a| factors.iter().find(|f| f.strategy == a))
        .or_else(|| factors.iter().find(|f| code_sent(rv, &f.strategy)))
        .or_else(|| factors.iter().find(|f| f.strategy == "password"))
        .or_else(|| factors.iter().find(|f| f.default))
        .or(factors.first());
    let strategy = chosen.map(|f| f.strategy.clone()).unwrap_or_default();
    let needs_code = matches!(strategy.as_str(), "email_code" | "phone_code");
    let sent = needs_code && code_sent(rv, &strategy);
    let methods = factors
        .iter()
        .filter(|f| f.strategy != strategy || (needs_code && !sent))
        .filter_map(|f| alternative(&pc.s, f))
        .collect();
    let b = &pc.brand;
    let page = ReverifyPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        strategy: if needs_code && !sent {
            String::new()
        } else {
            strategy
        },
        sent,
        destination: chosen
            .and_then(|f| f.safe_identifier.clone())
            .unwrap_or_default(),
        methods,
        error: errors.general.or(errors.fields.into_values().next()),
        query: &pc.query,
    };
    html(ctx, pc, status, page.render(), req)
}

async fn page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<Active>,
) -> HttpResponse {
    let q = query_map(&req);
    // A second factor asked for (step-up) by a user who has none: set one up first; the
    // way back leads here again.
    if q.get("level").map(String::as_str) == Some("second_factor")
        && crate::flows::mfa::second_factors(&ctx, me.user()).is_empty()
    {
        return see_other(&ctx, &pc, &req, &format!("/user/mfa-setup{}", pc.query));
    }
    let rv = match current_or_start(&ctx, &me).await {
        Ok(rv) => rv,
        Err(e) => return error_page(&e),
    };
    render(
        &ctx,
        &pc,
        &req,
        &rv,
        q.get("strategy").map(String::as_str),
        FormErrors::default(),
        StatusCode::OK,
    )
}

/// A failed step: the page again with the error, at the step the reverification is at now.
async fn failed(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    strategy: &str,
    e: FlowError,
) -> HttpResponse {
    let FlowError::Api(api) = e else {
        return error_page(&e);
    };
    match current_or_start(ctx, me).await {
        Ok(rv) => render(
            ctx,
            pc,
            req,
            &rv,
            Some(strategy),
            FormErrors::from(&api, &pc.s),
            api_status(&api),
        ),
        Err(e) => error_page(&e),
    }
}

/// `POST /user/reverify`: the password or code of the method shown.
async fn submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let strategy = form.get("strategy").cloned().unwrap_or_default();
    let result = async {
        let rv = current_or_start(&ctx, &me).await?;
        let secret = if strategy == "password" {
            "password"
        } else {
            "code"
        };
        let p = Params::from_pairs(vec![
            ("strategy".into(), strategy.clone()),
            (secret.into(), form.get(secret).cloned().unwrap_or_default()),
        ])?;
        if rv.status == RvStatus::NeedsSecondFactor {
            reverification::attempt_second_factor(&ctx, &me, &p).await
        } else {
            reverification::attempt_first_factor(&ctx, &me, &p).await
        }
    }
    .await;
    match result {
        Ok(rv) if rv.status == RvStatus::Complete => {
            // Back where the user was sent from (an application asking for a second
            // factor, `acr_values`), else to the account page to make the change again.
            let to = pc
                .redirect
                .clone()
                .unwrap_or_else(|| "/user?done=reverified".into());
            see_other(&ctx, &pc, &req, &to)
        }
        Ok(_) => see_other(&ctx, &pc, &req, &format!("/user/reverify{}", pc.query)),
        Err(e) => failed(&ctx, &pc, &req, &me, &strategy, e).await,
    }
}

/// `POST /user/reverify/method`: another method; a code method sends its code.
async fn method(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
) -> HttpResponse {
    let strategy = form.get("strategy").cloned().unwrap_or_default();
    let target = form.get("target").cloned().unwrap_or_default();
    let result = async {
        let rv = current_or_start(&ctx, &me).await?;
        let Some(factor) = rv
            .step_factors()
            .iter()
            .find(|f| f.strategy == strategy && factor_target(f) == target)
            .cloned()
        else {
            return Err(FlowError::Api(crate::flows::ApiError::invalid_value(
                "strategy",
                pc.s.method_not_available.clone(),
            )));
        };
        if !matches!(strategy.as_str(), "email_code" | "phone_code") {
            return Ok(());
        }
        let id_param = if strategy == "email_code" {
            "email_address_id"
        } else {
            "phone_number_id"
        };
        let p = Params::from_pairs(vec![
            ("strategy".into(), strategy.clone()),
            (id_param.into(), factor_target(&factor)),
        ])?;
        if rv.status == RvStatus::NeedsSecondFactor {
            reverification::prepare_second_factor(&ctx, &me, &p).await?;
        } else {
            reverification::prepare_first_factor(&ctx, &me, &p).await?;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            let mut to = format!(
                "/user/reverify?strategy={}",
                url::form_urlencoded::byte_serialize(strategy.as_bytes()).collect::<String>()
            );
            if let Some(rest) = pc.query.strip_prefix('?') {
                to.push('&');
                to.push_str(rest);
            }
            see_other(&ctx, &pc, &req, &to)
        }
        Err(e) => failed(&ctx, &pc, &req, &me, &strategy, e).await,
    }
}
