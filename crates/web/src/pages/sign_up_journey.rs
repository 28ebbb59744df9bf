//! The sign-up journey: the form, the continue page for what is still missing, and the code
//! pages for the email address and phone number.

use super::*;

pub(super) struct Field {
    name: String,
    label: String,
    input_type: &'static str,
    autocomplete: &'static str,
    required: bool,
    value: String,
}

#[derive(Template)]
#[template(path = "pages/sign_up.html")]
pub(super) struct SignUpPage<'a> {
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
pub(super) fn sign_up_fields(
    ctx: &Ctx,
    s: &Strings,
    values: &HashMap<String, String>,
    only: Option<&[&str]>,
) -> Vec<Field> {
    let a = &ctx.settings().auth;
    let either = a.email_address_or_phone_number;
    let all = [
        (
            "email_address",
            s.email_label.clone(),
            "email",
            "email",
            a.email_address,
        ),
        (
            "phone_number",
            s.phone_label.clone(),
            "tel",
            "tel",
            a.phone_number,
        ),
        (
            "username",
            s.username_label.clone(),
            "text",
            "username",
            a.username,
        ),
        (
            "first_name",
            s.first_name_label.clone(),
            "text",
            "given-name",
            a.first_name,
        ),
        (
            "last_name",
            s.last_name_label.clone(),
            "text",
            "family-name",
            a.last_name,
        ),
        (
            "password",
            s.new_password_label.clone(),
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
            label: s.legal_label.clone(),
            input_type: "checkbox",
            autocomplete: "off",
            required: true,
            value: String::new(),
        });
    }
    fields
}

pub(super) const SIGN_UP_FIELDS: &[&str] = &[
    "email_address",
    "phone_number",
    "username",
    "first_name",
    "last_name",
    "password",
    "legal_accepted",
];

#[allow(clippy::too_many_arguments)]
pub(super) fn render_sign_up(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    continuing: bool,
    values: &HashMap<String, String>,
    only: Option<&[&str]>,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let b = &pc.brand;
    let page = SignUpPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        title: if continuing {
            &pc.s.continue_title
        } else {
            &pc.s.sign_up_title
        },
        action: if continuing {
            "/sign-up/continue"
        } else {
            "/sign-up"
        },
        continuing,
        fields: sign_up_fields(ctx, &pc.s, values, only),
        ticket: values.get("ticket").cloned(),
        social: social_buttons(ctx),
        sso_action: "/sign-up/sso",
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

pub(super) async fn sign_up_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Page(pc): Page,
) -> HttpResponse {
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

pub(super) async fn sign_up_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
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
            FormErrors::from(&api, &pc.s),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}

/// The one place that decides the next sign-up page: verify what is unverified (sending the
/// code), then ask for what is missing, then leave.
/// Takes the browser where the flow says a sign-up goes next (`sign_up::next::step`),
/// sending a verification code on the way when none is pending.
pub(super) async fn next_sign_up_step(
    ctx: &Ctx,
    mut pc: PageCtx,
    req: &HttpRequest,
    su: SignUp,
) -> HttpResponse {
    let to = match sign_up::next::step(&ctx.settings().auth, &su) {
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

pub(super) async fn current_sign_up(ctx: &Ctx, cc: &ClientCtx) -> Option<SignUp> {
    let id = cc.row.as_ref()?.sign_up_id.clone()?;
    sign_up::get(ctx, cc, &id).await.ok()
}

pub(super) async fn continue_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Page(pc): Page,
) -> HttpResponse {
    let Some(su) = current_sign_up(&ctx, &pc.cc).await else {
        let to = format!("/sign-up{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    let missing = sign_up::requirements(&ctx.settings().auth, &su).missing;
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

pub(super) async fn continue_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(mut pc, form): Form,
) -> HttpResponse {
    let Some(su) = current_sign_up(&ctx, &pc.cc).await else {
        let to = format!("/sign-up{}", pc.query);
        return see_other(&ctx, &pc, &req, &to);
    };
    match sign_up::update(&ctx, &mut pc.cc, &su.id, &params(&form, SIGN_UP_FIELDS)).await {
        Ok(su) => next_sign_up_step(&ctx, pc, &req, su).await,
        Err(FlowError::Api(api)) => {
            let missing = sign_up::requirements(&ctx.settings().auth, &su).missing;
            render_sign_up(
                &ctx,
                &pc,
                &req,
                true,
                &form,
                Some(&missing),
                FormErrors::from(&api, &pc.s),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Clone, Copy)]
pub(super) enum Channel {
    Email,
    Phone,
}

pub(super) fn render_verify(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    su: &SignUp,
    ch: Channel,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let (title, destination) = match ch {
        Channel::Email => (&pc.s.verify_email_title, su.email_address.as_deref()),
        Channel::Phone => (&pc.s.verify_phone_title, su.phone_number.as_deref()),
    };
    let entry = verify::CodeEntry {
        title,
        destination: destination.unwrap_or_default(),
        action: ch.path(),
        query: &pc.query,
    };
    verify::render(ctx, pc, req, entry, errors, status)
}

pub(super) async fn verify_page(
    ctx: &Ctx,
    req: &HttpRequest,
    pc: PageCtx,
    ch: Channel,
) -> HttpResponse {
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

pub(super) async fn verify_submit(
    ctx: &Ctx,
    req: &HttpRequest,
    Form(mut pc, form): Form,
    ch: Channel,
) -> HttpResponse {
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
            FormErrors::from(&api, &pc.s),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&e),
    }
}

pub(super) async fn verify_resend(
    ctx: &Ctx,
    req: &HttpRequest,
    Form(mut pc, _): Form,
    ch: Channel,
) -> HttpResponse {
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

/// The verification page of a channel: show, submit a code, send a new one.
pub(super) fn verify_routes(cfg: &mut web::ServiceConfig, ch: Channel) {
    cfg.route(
        ch.path(),
        web::get().to(
            move |ctx: web::Data<Ctx>, req: HttpRequest, Page(pc): Page| async move {
                verify_page(&ctx, &req, pc, ch).await
            },
        ),
    )
    .route(
        ch.path(),
        web::post().to(
            move |ctx: web::Data<Ctx>, req: HttpRequest, form: Form| async move {
                verify_submit(&ctx, &req, form, ch).await
            },
        ),
    )
    .route(
        &format!("{}/resend", ch.path()),
        web::post().to(
            move |ctx: web::Data<Ctx>, req: HttpRequest, form: Form| async move {
                verify_resend(&ctx, &req, form, ch).await
            },
        ),
    );
}
