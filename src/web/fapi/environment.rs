//! `GET /v1/environment`: the instance settings an app's UI needs to draw its forms.

use actix_web::{HttpResponse, http::header, web};
use serde_json::{Value, json};

use crate::config::FieldMode;
use crate::flows::Ctx;
use crate::flows::sign_up::configured_fields;

fn attribute(ctx: &Ctx, mode: FieldMode, first_factors: &[&str], verifications: &[&str]) -> Value {
    let enabled_factors: Vec<&str> = first_factors
        .iter()
        .copied()
        .filter(|f| ctx.settings.auth.first_factors.iter().any(|s| s == f))
        .collect();
    json!({
        "enabled": mode.enabled(),
        "required": mode == FieldMode::Required,
        "used_for_first_factor": mode.enabled() && (!enabled_factors.is_empty() || first_factors.is_empty()),
        "first_factors": if mode.enabled() { enabled_factors } else { Vec::new() },
        "used_for_second_factor": false,
        "second_factors": [],
        "verifications": if mode.enabled() { verifications.to_vec() } else { Vec::new() },
        "verify_at_sign_up": mode.enabled() && !verifications.is_empty(),
    })
}

pub async fn get(ctx: web::Data<Ctx>) -> HttpResponse {
    let a = &ctx.settings.auth;
    let (required, optional) = configured_fields(a);
    let name_attr = |mode: FieldMode| {
        json!({
            "enabled": mode.enabled(),
            "required": mode == FieldMode::Required,
            "used_for_first_factor": false,
            "first_factors": [],
            "used_for_second_factor": false,
            "second_factors": [],
            "verifications": [],
            "verify_at_sign_up": false,
        })
    };
    let social: serde_json::Map<String, Value> = ctx
        .federation
        .social()
        .iter()
        .map(|p| {
            (
                p.strategy.clone(),
                json!({
                    "enabled": true,
                    "required": false,
                    "authenticatable": true,
                    "block_email_subaddresses": false,
                    "strategy": p.strategy,
                    "name": p.name,
                    "logo_url": null,
                }),
            )
        })
        .collect();
    let body = json!({
        "object": "environment",
        "auth_config": {
            "object": "auth_config",
            "id": "aac_portcullis",
            "single_session_mode": !a.multi_session,
            "claimed_at": null,
        },
        "display_config": {
            "object": "display_config",
            "id": "display_config_portcullis",
            "instance_environment_type": if ctx.test_mode() { "development" } else { "production" },
            "application_name": "Portcullis",
            "home_url": ctx.settings.issuer(),
            "sign_in_url": format!("{}/sign-in", ctx.settings.issuer()),
            "sign_up_url": format!("{}/sign-up", ctx.settings.issuer()),
            "captcha_public_key": null,
            "captcha_enabled": false,
        },
        "user_settings": {
            "attributes": {
                "email_address": attribute(&ctx, a.email_address, &["email_code"], &["email_code"]),
                "phone_number": attribute(&ctx, a.phone_number, &["phone_code"], &["phone_code"]),
                "username": attribute(&ctx, a.username, &[], &[]),
                "password": {
                    "enabled": a.password.enabled(),
                    "required": a.password == FieldMode::Required,
                    "used_for_first_factor": false,
                    "first_factors": [],
                    "used_for_second_factor": false,
                    "second_factors": [],
                    "verifications": [],
                    "verify_at_sign_up": false,
                },
                "first_name": name_attr(a.first_name),
                "last_name": name_attr(a.last_name),
                "web3_wallet": name_attr(FieldMode::Off),
                "passkey": name_attr(FieldMode::Off),
                "authenticator_app": name_attr(FieldMode::Off),
                "backup_code": name_attr(FieldMode::Off),
            },
            "sign_in": {
                "second_factor": { "required": false },
            },
            "sign_up": {
                "mode": a.sign_up_mode.as_str(),
                "captcha_enabled": false,
                "progressive": true,
                "legal_consent_enabled": a.legal_consent,
                "required_fields": required,
                "optional_fields": optional,
            },
            "password_settings": {
                "min_length": a.password_min_length,
                "max_length": a.password_max_length,
                "disable_hibp": true,
                "show_zxcvbn": false,
                "min_zxcvbn_strength": 0,
                "require_special_char": false,
                "require_numbers": false,
                "require_uppercase": false,
                "require_lowercase": false,
                "allowed_special_characters": "",
            },
            "username_settings": {
                "min_length": crate::domain::username::MIN_LEN,
                "max_length": crate::domain::username::MAX_LEN,
            },
            "social": social,
            "enterprise_sso": { "enabled": ctx.federation.has_enterprise() },
            "actions": { "delete_self": true, "create_organization": false },
            "attack_protection": {
                "user_lockout": {
                    "enabled": a.lockout_attempts > 0,
                    "max_attempts": a.lockout_attempts,
                    "duration_in_minutes": a.lockout_secs / 60,
                },
                "enumeration_protection": { "enabled": false },
            },
            "first_factors": a.first_factors,
        },
        "organization_settings": { "enabled": false },
        "maintenance_mode": false,
    });
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(body)
}
