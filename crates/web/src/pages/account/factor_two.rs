//! The second factor of a sign-in: the page that asks for it, the code it sends, and the
//! switch to another second factor.

use super::*;

/// Sends the SMS or email code of a second factor.
pub(in crate::pages) async fn prepare_second(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    strategy: &str,
    target: &str,
) -> Result<SignIn, FlowError> {
    let key = if strategy == "email_code" {
        "email_address_id"
    } else {
        "phone_number_id"
    };
    let p = Params::from_pairs(vec![
        ("strategy".into(), strategy.into()),
        (key.into(), target.into()),
    ])
    .unwrap_or_default();
    sign_in::prepare_second_factor(ctx, cc, id, &p).await
}

#[derive(Template)]
#[template(path = "pages/factor_two.html")]
pub(super) struct FactorTwoPage<'a> {
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
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

pub(super) fn render_factor_two(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    si: &SignIn,
    strategy: &str,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let s = &pc.s;
    let current_target = si
        .second_factor_verification
        .as_ref()
        .filter(|v| v.strategy == strategy)
        .and_then(|v| v.target_id.clone());
    let factor = si
        .supported_second_factors
        .iter()
        .filter(|f| f.strategy == strategy)
        .find(|f| current_target.is_none() || current_target == Some(factor_target(f)));
    let target = factor.map(factor_target).unwrap_or_default();
    let alternatives = si
        .supported_second_factors
        .iter()
        .filter(|f| !(f.strategy == strategy && factor_target(f) == target))
        .filter_map(|f| alternative(s, f))
        .collect();
    let b = &pc.brand;
    let page = FactorTwoPage {
        s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        strategy,
        identifier: si.identifier.as_deref().unwrap_or(""),
        destination: factor
            .and_then(|f| f.safe_identifier.clone())
            .unwrap_or_default(),
        target,
        alternatives,
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

pub(super) async fn factor_two_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Page(pc): Page,
) -> Result<HttpResponse, PageError> {
    let si = sign_in_at(&ctx, &pc, SignInStatus::NeedsSecondFactor).await?;
    let strategy = chosen_strategy(&req, &si.supported_second_factors, "totp");
    Ok(render_factor_two(
        &ctx,
        &pc,
        &req,
        &si,
        &strategy,
        FormErrors::default(),
        StatusCode::OK,
    ))
}

pub(super) async fn factor_two_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
    let Some(si) = current_sign_in(&ctx, &pc.cc).await else {
        let to = format!("/sign-in{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    let strategy = form.get("strategy").cloned().unwrap_or_default();
    let p = params(&form, &["strategy", "code"]);
    match sign_in::attempt_second_factor(&ctx, &mut pc.cc, &si.id, &p).await {
        Ok(next) => after_sign_in_step(&ctx, pc, &req, &next).await,
        Err(FlowError::Api(api)) => {
            let si = current_sign_in(&ctx, &pc.cc).await.unwrap_or(si);
            let status = api_status(&api);
            render_factor_two(
                &ctx,
                &pc,
                &req,
                &si,
                &strategy,
                FormErrors::from(&api, &pc.s),
                status,
            )
        }
        Err(e) => error_page(&e),
    }
}

/// "Use another method" and "send a new code" on the second-factor page.
pub(super) async fn factor_two_prepare(
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
    if matches!(strategy.as_str(), "phone_code" | "email_code") {
        match prepare_second(&ctx, &mut pc.cc, &si.id, &strategy, &target).await {
            Ok(_) => {}
            Err(FlowError::Api(api)) => {
                return render_factor_two(
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
    let strategy = url::form_urlencoded::byte_serialize(strategy.as_bytes()).collect::<String>();
    let to = format!(
        "/sign-in/factor-two{}{}strategy={strategy}",
        pc.query,
        if pc.query.is_empty() { "?" } else { "&" }
    );
    see_other(&ctx, &pc, &req, &to)
}
