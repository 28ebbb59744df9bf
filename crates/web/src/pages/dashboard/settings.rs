//! Settings › User management and Branding: forms over the runtime settings document. A save
//! is one `PATCH /admin/v1/settings` (the same flow function), checked whole; a refusal shows
//! why above the form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Value, json};

use super::{Chrome, Console, ConsoleForm, page, refused};
use crate::config::{FieldMode, SignUpMode};
use crate::flows::{Ctx, FlowError, instance_settings};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard/settings", web::get().to(settings_page))
        .route("/dashboard/settings", web::post().to(settings_submit))
        .route("/dashboard/branding", web::get().to(branding_page))
        .route("/dashboard/branding", web::post().to(branding_submit));
}

/// The identifier and profile fields, and how each is shown.
const FIELDS: [(&str, &str); 7] = [
    ("email_address", "Email address"),
    ("phone_number", "Phone number"),
    ("username", "Username"),
    ("web3_wallet", "Web3 wallet"),
    ("password", "Password"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
];
const FIRST_FACTORS: [(&str, &str); 5] = [
    ("password", "Password"),
    ("email_code", "Email verification code"),
    ("email_link", "Email verification link"),
    ("phone_code", "SMS verification code"),
    ("passkey", "Passkey"),
];
const SECOND_FACTORS: [(&str, &str); 4] = [
    ("totp", "Authenticator app"),
    ("backup_code", "Backup codes"),
    ("phone_code", "SMS code"),
    ("email_code", "Email code"),
];
const SWITCHES: [(&str, &str); 9] = [
    ("mfa_required", "Require a second factor of every user"),
    (
        "multi_session",
        "Allow several signed-in accounts per browser",
    ),
    (
        "enumeration_protection",
        "Do not reveal whether an account exists",
    ),
    (
        "email_link_same_device",
        "Email links only work on the device that asked",
    ),
    ("legal_consent", "Ask for legal consent at sign-up"),
    (
        "reject_common_passwords",
        "Refuse the most common passwords",
    ),
    (
        "block_email_subaddresses",
        "Refuse email subaddresses (name+tag@…)",
    ),
    (
        "block_disposable_email_domains",
        "Refuse disposable email domains",
    ),
    (
        "security_notices",
        "Email users when a password or second factor changes",
    ),
];
const NUMBERS: [(&str, &str); 5] = [
    ("password_min_length", "Minimum password length"),
    (
        "lockout_attempts",
        "Failed password attempts before a lockout (0: off)",
    ),
    ("lockout_secs", "Lockout length (seconds)"),
    ("session_lifetime_secs", "Session lifetime (seconds)"),
    (
        "session_inactivity_secs",
        "Inactivity limit (seconds, 0: off)",
    ),
];

pub(super) struct FieldRow {
    pub key: &'static str,
    pub label: &'static str,
    pub mode: &'static str,
}

pub(super) struct Choice {
    pub key: &'static str,
    pub label: &'static str,
    pub on: bool,
}

pub(super) struct Number {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "dashboard/settings.html")]
struct SettingsPage {
    c: Chrome,
    fields: Vec<FieldRow>,
    first: Vec<Choice>,
    second: Vec<Choice>,
    switches: Vec<Choice>,
    numbers: Vec<Number>,
    sign_up_mode: &'static str,
    allowlist: String,
    blocklist: String,
    version: i64,
}

fn mode_str(m: FieldMode) -> &'static str {
    match m {
        FieldMode::Required => "required",
        FieldMode::Optional => "optional",
        FieldMode::Off => "off",
    }
}

fn settings_view(ctx: &Ctx, c: Chrome) -> SettingsPage {
    let s = ctx.settings();
    let doc = portcullis_core::settings::runtime_json(&s);
    let auth = &doc["auth"];
    let a = &s.auth;
    let modes = [
        a.email_address,
        a.phone_number,
        a.username,
        a.web3_wallet,
        a.password,
        a.first_name,
        a.last_name,
    ];
    SettingsPage {
        c,
        fields: FIELDS
            .iter()
            .zip(modes)
            .map(|(&(key, label), m)| FieldRow {
                key,
                label,
                mode: mode_str(m),
            })
            .collect(),
        first: FIRST_FACTORS
            .iter()
            .map(|&(key, label)| Choice {
                key,
                label,
                on: a.first_factors.iter().any(|f| f == key),
            })
            .collect(),
        second: SECOND_FACTORS
            .iter()
            .map(|&(key, label)| Choice {
                key,
                label,
                on: a.second_factors.iter().any(|f| f == key),
            })
            .collect(),
        switches: SWITCHES
            .iter()
            .map(|&(key, label)| Choice {
                key,
                label,
                on: auth[key].as_bool().unwrap_or(false),
            })
            .collect(),
        numbers: NUMBERS
            .iter()
            .map(|&(key, label)| Number {
                key,
                label,
                value: auth[key].to_string(),
            })
            .collect(),
        sign_up_mode: match a.sign_up_mode {
            SignUpMode::Public => "public",
            SignUpMode::Restricted => "restricted",
            SignUpMode::Waitlist => "waitlist",
        },
        allowlist: a.allowlist.join("\n"),
        blocklist: a.blocklist.join("\n"),
        version: ctx.live.version(),
    }
}

async fn settings_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let p = settings_view(&ctx, console.chrome(&ctx, "settings", &req));
    page(&ctx, &console, StatusCode::OK, p.render(), &req)
}

fn lines(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The form as a settings document: every key the form shows, so an unticked box means off.
fn auth_patch(f: &ConsoleForm) -> Result<Value, String> {
    let mut auth = serde_json::Map::new();
    for (key, label) in FIELDS {
        let mode = f.field(key);
        if !matches!(mode, "required" | "optional" | "off") {
            return Err(format!("{label}: choose required, optional or off."));
        }
        auth.insert(key.into(), json!(mode));
    }
    let ticked = |prefix: &str, keys: &[(&str, &str)]| -> Vec<String> {
        keys.iter()
            .filter(|(k, _)| f.field(&format!("{prefix}{k}")) == "on")
            .map(|(k, _)| (*k).to_owned())
            .collect()
    };
    auth.insert(
        "first_factors".into(),
        json!(ticked("first.", &FIRST_FACTORS)),
    );
    auth.insert(
        "second_factors".into(),
        json!(ticked("second.", &SECOND_FACTORS)),
    );
    for (key, _) in SWITCHES {
        auth.insert(key.into(), json!(f.field(key) == "on"));
    }
    for (key, label) in NUMBERS {
        let n: i64 = f
            .field(key)
            .trim()
            .parse()
            .map_err(|_| format!("{label}: enter a whole number."))?;
        auth.insert(key.into(), json!(n));
    }
    let mode = f.field("sign_up_mode");
    if !matches!(mode, "public" | "restricted" | "waitlist") {
        return Err("Sign-up mode: choose public, restricted or waitlist.".into());
    }
    auth.insert("sign_up_mode".into(), json!(mode));
    auth.insert("allowlist".into(), json!(lines(f.field("allowlist"))));
    auth.insert("blocklist".into(), json!(lines(f.field("blocklist"))));
    Ok(json!({ "auth": auth }))
}

fn flow_message(e: &FlowError) -> Option<String> {
    match e {
        FlowError::Api(api) => Some(api.long_message.clone()),
        _ => None,
    }
}

async fn settings_submit(ctx: web::Data<Ctx>, req: HttpRequest, f: ConsoleForm) -> HttpResponse {
    let refusal = match auth_patch(&f) {
        Ok(patch) => match instance_settings::update(&ctx, &f.console.admin, patch).await {
            Ok(_) => return f.done(&ctx, &req, "/dashboard/settings", "saved"),
            Err(e) => match flow_message(&e) {
                Some(m) => m,
                None => return refused(&e),
            },
        },
        Err(m) => m,
    };
    let mut c = f.console.chrome(&ctx, "settings", &req);
    c.error = Some(refusal);
    let p = settings_view(&ctx, c);
    page(
        &ctx,
        &f.console,
        StatusCode::UNPROCESSABLE_ENTITY,
        p.render(),
        &req,
    )
}

#[derive(Template)]
#[template(path = "dashboard/branding.html")]
struct BrandingPage {
    c: Chrome,
    app_name: String,
    logo_url: String,
    primary_color: String,
    previewing: bool,
}

async fn branding_page(ctx: web::Data<Ctx>, req: HttpRequest, console: Console) -> HttpResponse {
    let s = ctx.settings();
    let p = BrandingPage {
        c: console.chrome(&ctx, "branding", &req),
        app_name: s.branding.app_name.clone(),
        logo_url: s.branding.logo_url.clone().unwrap_or_default(),
        primary_color: s.branding.primary_color.clone(),
        previewing: false,
    };
    page(&ctx, &console, StatusCode::OK, p.render(), &req)
}

/// Preview shows the sign-in card with the values in the form, checked as a save would be
/// but not saved; Save saves them.
async fn branding_submit(ctx: web::Data<Ctx>, req: HttpRequest, f: ConsoleForm) -> HttpResponse {
    let name = f.field("app_name").trim().to_owned();
    let logo = f.field("logo_url").trim().to_owned();
    let color = f.field("primary_color").trim().to_owned();
    let patch = json!({ "branding": {
        "app_name": name,
        "logo_url": if logo.is_empty() { Value::Null } else { json!(logo) },
        "primary_color": color,
    }});
    let previewing = f.field("intent") == "preview";
    let checked = check_branding(&ctx, &patch);
    let outcome = match checked {
        Err(m) => Err(m),
        Ok(()) if previewing => Ok(None),
        Ok(()) => match instance_settings::update(&ctx, &f.console.admin, patch).await {
            Ok(_) => Ok(Some(())),
            Err(e) => match flow_message(&e) {
                Some(m) => Err(m),
                None => return refused(&e),
            },
        },
    };
    if let Ok(Some(())) = outcome {
        return f.done(&ctx, &req, "/dashboard/branding", "saved");
    }
    let mut c = f.console.chrome(&ctx, "branding", &req);
    let status = match outcome {
        Err(m) => {
            c.error = Some(m);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Ok(_) => StatusCode::OK,
    };
    let p = BrandingPage {
        c,
        app_name: name,
        logo_url: logo,
        primary_color: color,
        previewing: status == StatusCode::OK,
    };
    page(&ctx, &f.console, status, p.render(), &req)
}

/// Branding values checked as a save would check them (a preview of values that could not be
/// saved says why instead).
fn check_branding(ctx: &Ctx, patch: &Value) -> Result<(), String> {
    portcullis_core::settings::apply(ctx.live.file(), &json!({ "branding": patch["branding"] }))
        .map(drop)
        .map_err(|e| e.to_string())
}
