//! `/admin/v1/settings`: the instance settings in effect, and changes to them at run time.

use super::*;

pub(super) async fn settings_get(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(
        async {
            let body = crate::flows::instance_settings::get(&ctx).await?;
            ok(StatusCode::OK, body)
        }
        .await,
    )
}

pub(super) async fn settings_update(ctx: web::Data<Ctx>, call: Call<Value>) -> HttpResponse {
    respond(
        async {
            let body =
                crate::flows::instance_settings::update(&ctx, &call.admin, call.body).await?;
            ok(StatusCode::OK, body)
        }
        .await,
    )
}

/// A partial settings document, keyed like config.toml's sections. Objects merge key by key
/// and `null` takes a key back to config.toml's value (JSON Merge Patch, RFC 7396).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "documents the JSON the settings endpoint takes")]
pub(super) struct SettingsPatch {
    /// Keys of `[auth]`: identifiers (`email_address`, `phone_number`, `username`,
    /// `web3_wallet`: `required` | `optional` | `off`), `first_factors`, `second_factors`,
    /// password rules, `sign_up_mode`, lockout, `mfa_required`, …
    auth: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    /// Keys of `[branding]`: `app_name`, `logo_url`, `primary_color`.
    branding: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    /// Keys of `[organizations]`: `enabled`, limits, `creator_role`, `default_role`,
    /// `force_organization_selection`, `session_token_claims`, and `roles` (the custom roles
    /// with their permissions, as a whole list; a role members still hold cannot be removed).
    organizations: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}
