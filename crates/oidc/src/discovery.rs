//! OpenID Connect Discovery 1.0 §3 and RFC 8414 metadata, rendered once at start-up.

use serde_json::json;

use super::claims::{ACR_MULTI_FACTOR, ACR_ONE_FACTOR};
use crate::config::Settings;

pub fn document(settings: &Settings) -> String {
    let iss = settings.issuer();
    let mut doc = json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oauth/authorize"),
        "token_endpoint": format!("{iss}/oauth/token"),
        "userinfo_endpoint": format!("{iss}/oauth/userinfo"),
        "jwks_uri": format!("{iss}/.well-known/jwks.json"),
        "revocation_endpoint": format!("{iss}/oauth/revoke"),
        "introspection_endpoint": format!("{iss}/oauth/introspect"),
        "end_session_endpoint": format!("{iss}/oauth/end_session"),
        "registration_endpoint": settings.oidc.dynamic_registration.then(|| format!("{iss}/oauth/register")),
        "scopes_supported": if settings.organizations.enabled {
            json!(["openid", "profile", "email", "phone", "offline_access", "organization"])
        } else {
            json!(["openid", "profile", "email", "phone", "offline_access"])
        },
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": super::clients::GRANT_TYPES,
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": super::clients::ID_TOKEN_ALGS,
        "userinfo_signing_alg_values_supported": ["none"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "PS256", "ES256", "ES384", "EdDSA"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp",
            "at_hash", "name", "given_name", "family_name", "preferred_username", "updated_at",
            "email", "email_verified", "phone_number", "phone_number_verified", "org_id",
            "org_slug", "org_name", "org_role", "org_permissions"
        ],
        "claims_parameter_supported": true,
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": super::clients::REQUEST_OBJECT_ALGS,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "acr_values_supported": [ACR_ONE_FACTOR, ACR_MULTI_FACTOR],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "claim_types_supported": ["normal"],
        "ui_locales_supported": portcullis_i18n::tags(),
        "pushed_authorization_request_endpoint": format!("{iss}/oauth/par"),
        "device_authorization_endpoint": format!("{iss}/oauth/device_authorization"),
        "require_pushed_authorization_requests": settings.oidc.require_pushed_authorization_requests,
        "dpop_signing_alg_values_supported": super::dpop::ALGS,
        "authorization_response_iss_parameter_supported": true,
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    });
    // Features that are off are left out rather than given as null.
    if let Some(map) = doc.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    doc.to_string()
}
