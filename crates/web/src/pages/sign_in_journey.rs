//! The sign-in journey: the identifier, the first factor (with the other ways offered beside
//! it), a new password after a reset code, and where the flow sends the browser next.

use super::*;

/// Where a sign-in goes after a step: the next page of the flow, or out when complete.
pub(super) async fn after_sign_in_step(
    ctx: &Ctx,
    pc: PageCtx,
    req: &HttpRequest,
    si: &SignIn,
) -> HttpResponse {
    follow_sign_in(ctx, pc, req, si, false).await
}

/// Takes the browser where the flow says a sign-in goes next (`sign_in::next::step`),
/// sending the code or link it names on the way.
pub(super) async fn follow_sign_in(
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
            return message_page(StatusCode::BAD_REQUEST, &pc.s.no_way_to_sign_in);
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

#[derive(Template)]
#[template(path = "pages/sign_in.html")]
pub(super) struct SignInPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    /// "to continue to {app}" when an application sent the user, else the welcome line.
    lead: String,
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
pub(super) fn social_buttons(ctx: &Ctx) -> Vec<(String, String)> {
    crate::flows::oauth::social(ctx)
        .iter()
        .map(|p| (p.strategy.clone(), p.name.clone()))
        .collect()
}

pub(super) fn identifier_label(ctx: &Ctx, s: &Strings) -> String {
    let a = &ctx.settings().auth;
    let mut parts: Vec<&str> = Vec::new();
    if a.email_address.enabled() {
        parts.push(&s.email_label);
    }
    if a.phone_number.enabled() {
        parts.push(&s.phone_label);
    }
    if a.username.enabled() {
        parts.push(&s.username_label);
    }
    parts.join(&s.or)
}

pub(super) fn render_sign_in(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    identifier: &str,
    reauth: bool,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &pc.brand;
    let page = SignInPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        lead: if b.for_client {
            pc.s.continue_to(&b.app_name)
        } else {
            pc.s.sign_in_lead.clone()
        },
        csrf: &pc.csrf,
        query: &pc.query,
        identifier_label: identifier_label(ctx, &pc.s),
        identifier,
        reauth,
        wallets: ctx.settings().auth.web3_wallet.enabled(),
        passkeys: ctx.webauthn.is_some()
            && ctx
                .settings()
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

pub(super) async fn signed_in(ctx: &Ctx, cc: &ClientCtx) -> bool {
    matches!(
        crate::oidc::authorize::current_session(ctx, cc).await,
        Ok(Some(_))
    )
}

#[derive(Template)]
#[template(path = "pages/sign_in_ticket.html")]
struct TicketPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    ticket: &'a str,
    who: String,
}

/// `GET /sign-in?__clerk_ticket=…`, a sign-in token's link: says whom it signs in and asks to
/// continue. The token is spent only by that POST (with its CSRF token), so a mail scanner
/// that fetches the link spends nothing and a page elsewhere cannot sign a visitor in.
async fn ticket_page(ctx: &Ctx, pc: &PageCtx, req: &HttpRequest, ticket: &str) -> HttpResponse {
    let who = match crate::flows::tickets::sign_in_user(ctx, ticket).await {
        Ok(who) => who,
        Err(e) => return error_page(&e),
    };
    let b = &pc.brand;
    let page = TicketPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        ticket,
        who,
    };
    html(ctx, pc, StatusCode::OK, page.render(), req)
}

/// `POST /sign-in/ticket`: spends the sign-in token and goes on as any sign-in does (to a
/// second factor when the user has one).
pub(super) async fn sign_in_ticket_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
    let ticket = form.get("ticket").cloned().unwrap_or_default();
    let mut values = HashMap::new();
    values.insert("strategy".to_owned(), "ticket".to_owned());
    values.insert("ticket".to_owned(), ticket);
    match sign_in::create(&ctx, &mut pc.cc, &params(&values, &["strategy", "ticket"])).await {
        Ok(si) => after_sign_in_step(&ctx, pc, &req, &si).await,
        Err(FlowError::Api(api)) if api.code == crate::flows::ErrorCode::SessionExists => {
            let to = done_target(&ctx, &pc).await;
            see_other(&ctx, &pc, &req, &to)
        }
        Err(e) => error_page(&e),
    }
}

pub(super) async fn sign_in_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Page(pc): Page,
) -> HttpResponse {
    let q = query_map(&req);
    if let Some(ticket) = q.get("__clerk_ticket") {
        return ticket_page(&ctx, &pc, &req, ticket).await;
    }
    let reauth = q.get("prompt").is_some_and(|p| p == "login");
    if !reauth && (signed_in(&ctx, &pc.cc).await || task_page(&ctx, &pc.cc).await.is_some()) {
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

pub(super) async fn sign_in_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
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
            FormErrors::from(&api, &pc.s),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}

/// Identified: on to the default first factor (sending a code when that is what it is).
pub(super) async fn next_after_identify(
    ctx: &Ctx,
    pc: PageCtx,
    req: &HttpRequest,
    si: SignIn,
) -> HttpResponse {
    follow_sign_in(ctx, pc, req, &si, true).await
}

/// Where an email link opened in this browser takes the user: on through the flow.
pub(super) fn link_return(pc: &PageCtx) -> String {
    let sep = if pc.query.is_empty() { "?" } else { "&" };
    format!("/sso-callback{}{sep}flow=sign_in", pc.query)
}

pub(super) async fn prepare(
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
pub(super) struct FactorOnePage<'a> {
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

/// The email address or phone number a factor is for, or "".
pub(super) fn factor_target(f: &crate::flows::sign_in::Factor) -> String {
    f.email_address_id
        .clone()
        .or(f.phone_number_id.clone())
        .unwrap_or_default()
}

/// A factor as a "use another method" entry, for the methods a factor page can take
/// (upstream providers and wallets have their own buttons).
pub(super) fn alternative(s: &Strings, f: &crate::flows::sign_in::Factor) -> Option<Alternative> {
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
pub(super) async fn sign_in_at(
    ctx: &Ctx,
    pc: &PageCtx,
    status: SignInStatus,
) -> Result<SignIn, PageError> {
    match current_sign_in(ctx, &pc.cc)
        .await
        .filter(|s| s.status == status)
    {
        Some(si) => Ok(si),
        None => Err(PageError::Redirect {
            to: format!("/sign-in{}", pc.query),
            csrf_cookie: csrf_cookie(ctx, pc).map(Box::new),
        }),
    }
}

/// The client's open sign-in, if any.
pub(super) async fn current_sign_in(ctx: &Ctx, cc: &ClientCtx) -> Option<SignIn> {
    let id = cc.row.as_ref()?.sign_in_id.clone()?;
    sign_in::get(ctx, cc, &id).await.ok()
}

pub(super) fn render_factor_one(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    si: &SignIn,
    strategy: &str,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let s = &pc.s;
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
    let b = &pc.brand;
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

pub(super) async fn factor_one_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Page(pc): Page,
) -> Result<HttpResponse, PageError> {
    let si = sign_in_at(&ctx, &pc, SignInStatus::NeedsFirstFactor).await?;
    let strategy = chosen_strategy(&req, &si.supported_first_factors, "password");
    Ok(render_factor_one(
        &ctx,
        &pc,
        &req,
        &si,
        &strategy,
        FormErrors::default(),
        StatusCode::OK,
    ))
}

pub(super) async fn factor_one_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
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
                FormErrors::from(&api, &pc.s),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(&e),
    }
}

/// "Use another method" and "send a new code".
pub(super) async fn factor_one_prepare(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
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

#[derive(Template)]
#[template(path = "pages/reset_password.html")]
pub(super) struct ResetPasswordPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    query: &'a str,
    identifier: &'a str,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

pub(super) fn render_reset(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    si: &SignIn,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &pc.brand;
    let page = ResetPasswordPage {
        s: &pc.s,
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
pub(super) async fn reset_password_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Page(pc): Page,
) -> Result<HttpResponse, PageError> {
    let si = sign_in_at(&ctx, &pc, SignInStatus::NeedsNewPassword).await?;
    Ok(render_reset(
        &ctx,
        &pc,
        &req,
        &si,
        FormErrors::default(),
        StatusCode::OK,
    ))
}

pub(super) async fn reset_password_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
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
            FormErrors::from(&api, &pc.s),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}
