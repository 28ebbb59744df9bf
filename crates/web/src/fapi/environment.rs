//! `GET /v1/environment`: the instance settings an app's UI needs to draw its forms, in the
//! complete shape browser SDKs parse (every object of the FAPI description's
//! `Client.Environment`, with captcha, billing and API keys off, and organizations as
//! `[organizations]` says). Portcullis adds `user_settings.first_factors` and
//! `sign_up.required_fields` / `optional_fields`.

use crate::Respond as _;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::config::FieldMode;
use crate::flows::Ctx;
use crate::flows::sign_up::configured_fields;

/// One `UserSettings.Attribute`: whether the field is collected, required, and which
/// factors and verifications it serves.
fn attribute(
    mode: FieldMode,
    first_factors: Vec<&str>,
    second_factors: Vec<&str>,
    verifications: &[&str],
) -> Value {
    let on = mode.enabled();
    json!({
        "enabled": on,
        "required": mode == FieldMode::Required,
        "used_for_first_factor": on && !first_factors.is_empty(),
        "first_factors": if on { first_factors } else { Vec::new() },
        "used_for_second_factor": on && !second_factors.is_empty(),
        "second_factors": if on { second_factors } else { Vec::new() },
        "verifications": if on { verifications.to_vec() } else { Vec::new() },
        "verify_at_sign_up": on && !verifications.is_empty(),
    })
}

/// `on`, `off` or `required`, as `auth_config` spells a field's mode.
fn mode_word(mode: FieldMode) -> &'static str {
    match mode {
        FieldMode::Required => "required",
        m if m.enabled() => "on",
        _ => "off",
    }
}

fn body(ctx: &Ctx) -> Value {
    let a = &ctx.settings().auth;
    let orgs = &ctx.settings().organizations;
    let settings = ctx.settings();
    let issuer = settings.issuer();
    let first = |f: &str| a.first_factors.iter().any(|s| s == f);
    let second = |f: &str| a.second_factors.iter().any(|s| s == f);
    let some = |list: &[&'static str]| -> Vec<&'static str> {
        list.iter().copied().filter(|f| first(f)).collect()
    };
    let (required, optional) = configured_fields(a);
    let development = ctx.test_mode() || ctx.settings().server.dev_browser;
    let social: serde_json::Map<String, Value> = crate::flows::oauth::social(ctx)
        .iter()
        .map(|p| {
            (
                p.strategy.clone(),
                json!({
                    "enabled": true,
                    "required": false,
                    "authenticatable": true,
                    "block_email_subaddresses": a.block_email_subaddresses,
                    "strategy": p.strategy,
                    "not_selectable": false,
                    "deprecated": false,
                    "name": p.name,
                    "logo_url": null,
                }),
            )
        })
        .collect();
    let web3: Vec<&str> = if a.web3_wallet.enabled() {
        crate::flows::web3::STRATEGIES.to_vec()
    } else {
        Vec::new()
    };
    let passkey_mode = if first("passkey") {
        FieldMode::Optional
    } else {
        FieldMode::Off
    };
    let second_mode = |f: &str| {
        if second(f) {
            FieldMode::Optional
        } else {
            FieldMode::Off
        }
    };
    let mut identification_strategies: Vec<String> = Vec::new();
    for (name, mode) in [
        ("email_address", a.email_address),
        ("phone_number", a.phone_number),
        ("username", a.username),
        ("web3_wallet", a.web3_wallet),
    ] {
        if mode.enabled() {
            identification_strategies.push(name.into());
        }
    }
    identification_strategies.extend(social.keys().cloned());
    let mut email_verifications = vec!["email_code"];
    if first("email_link") {
        email_verifications.push("email_link");
    }
    let url = |path: &str| format!("{issuer}{path}");
    let auth_config = json!({
            "object": "auth_config",
            "id": "aac_portcullis",
            "first_name": mode_word(a.first_name),
            "last_name": mode_word(a.last_name),
            "email_address": mode_word(a.email_address),
            "phone_number": mode_word(a.phone_number),
            "username": mode_word(a.username),
            "password": mode_word(a.password),
            "identification_requirements": [identification_strategies.clone()],
            "identification_strategies": identification_strategies,
            "first_factors": a.first_factors,
            "second_factors": a.second_factors,
            "email_address_verification_strategies": email_verifications,
            "single_session_mode": !a.multi_session,
            "enhanced_email_deliverability": false,
            "test_mode": ctx.test_mode(),
            "cookieless_dev": ctx.settings().server.dev_browser,
            "url_based_session_syncing": ctx.settings().server.dev_browser,
            "claimed_at": null,
            // Sensitive changes ask for a recent verification (`[auth] reverification_secs`).
            "reverification": a.reverification_secs > 0,
    });
    // A list, not one `json!`: the object is too big for the macro's recursion limit.
    let display_config: serde_json::Map<String, Value> = [
        ("object", json!("display_config")),
        ("id", json!("display_config_portcullis")),
        (
            "instance_environment_type",
            json!(if development {
                "development"
            } else {
                "production"
            }),
        ),
        ("application_name", json!(ctx.settings().branding.app_name)),
        ("theme", json!({})),
        (
            "preferred_sign_in_strategy",
            json!(if first("password") { "password" } else { "otp" }),
        ),
        ("logo_image_url", json!(ctx.settings().branding.logo_url)),
        ("favicon_image_url", json!(null)),
        ("home_url", json!(issuer)),
        ("sign_in_url", json!(url("/sign-in"))),
        ("sign_up_url", json!(url("/sign-up"))),
        ("user_profile_url", json!(url("/user"))),
        ("waitlist_url", json!(url("/sign-up"))),
        ("after_sign_in_url", json!(issuer)),
        ("after_sign_up_url", json!(issuer)),
        ("after_sign_out_one_url", json!(url("/sign-in"))),
        ("after_sign_out_all_url", json!(url("/sign-in"))),
        ("after_switch_session_url", json!(issuer)),
        ("after_join_waitlist_url", json!(issuer)),
        ("organization_profile_url", json!(issuer)),
        ("create_organization_url", json!(issuer)),
        ("after_leave_organization_url", json!(issuer)),
        ("after_create_organization_url", json!(issuer)),
        ("logo_link_url", json!(issuer)),
        ("support_email", json!(null)),
        ("branded", json!(false)),
        ("experimental_force_oauth_first", json!(false)),
        // Null: SDKs must not fetch a script of another version from anywhere.
        ("clerk_js_version", json!(null)),
        ("show_devmode_warning", json!(false)),
        ("google_one_tap_client_id", json!(null)),
        ("help_url", json!(null)),
        ("privacy_policy_url", json!(null)),
        ("terms_url", json!(null)),
        ("logo_url", json!(ctx.settings().branding.logo_url)),
        ("favicon_url", json!(null)),
        ("logo_image", json!(null)),
        ("favicon_image", json!(null)),
        ("captcha_public_key", json!(null)),
        ("captcha_widget_type", json!(null)),
        ("captcha_public_key_invisible", json!(null)),
        ("captcha_provider", json!(null)),
        ("captcha_oauth_bypass", json!([])),
        ("captcha_heartbeat", json!(false)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    // A username has no factor of its own but identifies the user at sign-in.
    let mut username = attribute(a.username, Vec::new(), Vec::new(), &[]);
    username["used_for_first_factor"] = json!(a.username.enabled());
    let user_settings = json!({
            "attributes": {
                "email_address": attribute(
                    a.email_address,
                    some(&["email_code", "email_link"]),
                    if second("email_code") { vec!["email_code"] } else { Vec::new() },
                    &email_verifications,
                ),
                "phone_number": attribute(
                    a.phone_number,
                    some(&["phone_code"]),
                    if second("phone_code") { vec!["phone_code"] } else { Vec::new() },
                    &["phone_code"],
                ),
                "username": username,
                "web3_wallet": attribute(a.web3_wallet, web3.clone(), Vec::new(), &web3),
                "first_name": attribute(a.first_name, Vec::new(), Vec::new(), &[]),
                "last_name": attribute(a.last_name, Vec::new(), Vec::new(), &[]),
                // Password is offered through `auth_config.first_factors`, not as an attribute.
                "password": attribute(a.password, Vec::new(), Vec::new(), &[]),
                "authenticator_app": attribute(second_mode("totp"), Vec::new(), vec!["totp"], &["totp"]),
                "ticket": attribute(FieldMode::Optional, vec!["ticket"], Vec::new(), &["ticket"]),
                "backup_code": attribute(second_mode("backup_code"), Vec::new(), vec!["backup_code"], &[]),
                "passkey": attribute(passkey_mode, vec!["passkey"], Vec::new(), &["passkey"]),
            },
            "social": social,
            // Enterprise connections speak OpenID Connect only so far: SAML is not offered
            // until it works.
            "saml": { "enabled": ctx.federation.has_saml() },
            "enterprise_sso": { "enabled": ctx.federation.has_enterprise() },
            "sign_in": {
                "second_factor": { "required": a.mfa_required },
            },
            "sign_up": {
                "captcha_enabled": false,
                "captcha_widget_type": "smart",
                "custom_action_required": false,
                "progressive": true,
                "mode": a.sign_up_mode.as_str(),
                "legal_consent_enabled": a.legal_consent,
                "required_fields": required,
                "optional_fields": optional,
            },
            "restrictions": {
                "allowlist": { "enabled": !a.allowlist.is_empty() },
                "blocklist": { "enabled": !a.blocklist.is_empty() },
                "allowlist_blocklist_disabled_on_sign_in": { "enabled": false },
                "block_email_subaddresses": { "enabled": a.block_email_subaddresses },
                "block_disposable_email_domains": { "enabled": a.block_disposable_email_domains },
            },
            "password_settings": {
                "disable_hibp": a.pwned_passwords_url.is_empty(),
                "min_length": a.password_min_length,
                "max_length": a.password_max_length,
                "require_special_char": false,
                "require_numbers": false,
                "require_uppercase": false,
                "require_lowercase": false,
                "show_zxcvbn": false,
                "min_zxcvbn_strength": 0,
                "enforce_hibp_on_sign_in": false,
                "allowed_special_characters": "",
            },
            "username_settings": {
                "min_length": crate::domain::username::MIN_LEN,
                "max_length": crate::domain::username::MAX_LEN,
                "allow_extended_special_characters": false,
            },
            "actions": {
                "delete_self": true,
                "create_organization": orgs.enabled,
                "create_organizations_limit": match orgs.max_created_per_user {
                    0 => Value::Null,
                    n => json!(n),
                },
            },
            "attack_protection": {
                "user_lockout": {
                    "enabled": a.lockout_attempts > 0,
                    "max_attempts": a.lockout_attempts,
                    "duration_in_minutes": a.lockout_secs / 60,
                },
                "pii": { "enabled": false },
                "email_link": { "require_same_client": a.email_link_same_device },
                "enumeration_protection": { "enabled": a.enumeration_protection },
            },
            "passkey_settings": {
                "allow_autofill": first("passkey"),
                "show_sign_in_button": first("passkey"),
            },
            "first_factors": a.first_factors,
    });
    json!({
        "object": "environment",
        "auth_config": auth_config,
        "display_config": display_config,
        "user_settings": user_settings,
        "organization_settings": {
            "enabled": orgs.enabled,
            "max_allowed_memberships": orgs.max_allowed_memberships,
            "actions": { "admin_delete": orgs.admin_delete_enabled },
            "domains": {
                "enabled": orgs.enabled,
                "enrollment_modes": if orgs.enabled { crate::flows::organizations::domains::MODES } else { &[] },
                "default_role": orgs.default_role,
            },
            "slug": { "disabled": orgs.slug_disabled },
            "creator_role": orgs.creator_role,
            "force_organization_selection": orgs.enabled && orgs.force_organization_selection,
        },
        "fraud_settings": {
            "object": "fraud_settings",
            "native": { "device_attestation_mode": "disabled" },
        },
        "commerce_settings": {
            "billing": {
                "enabled": false,
                "stripe_publishable_key": null,
                "has_paid_user_plans": false,
                "has_paid_org_plans": false,
                "free_trial_requires_payment_method": false,
                "user": { "enabled": false, "has_paid_plans": false },
                "organization": { "enabled": false, "has_paid_plans": false },
            },
        },
        "api_keys_settings": {
            "enabled": false,
            "user_api_keys_enabled": false,
            "show_in_user_profile": false,
            "orgs_api_keys_enabled": false,
            "show_in_org_profile": false,
        },
        "client_debug_mode": false,
        "maintenance_mode": false,
    })
}

/// Rendered once per settings version and federation generation (it depends on the
/// settings and on the enterprise connections, which change at run time) and served with its
/// ETag; `no-cache` makes browsers ask again each time, so a change shows at once.
pub async fn get(ctx: web::Data<Ctx>, req: HttpRequest) -> HttpResponse {
    let generation = (ctx.federation.generation(), ctx.live.version());
    let cached = ctx.environment.read().ok().and_then(|g| {
        g.as_ref()
            .filter(|(rendered_at, _)| *rendered_at == generation)
            .map(|(_, p)| std::sync::Arc::clone(p))
    });
    let published = cached.unwrap_or_else(|| {
        let p = std::sync::Arc::new(crate::Published::new(body(&ctx).to_string()));
        if let Ok(mut g) = ctx.environment.write() {
            *g = Some((generation, std::sync::Arc::clone(&p)));
        }
        p
    });
    published.respond(&req, "no-cache")
}
