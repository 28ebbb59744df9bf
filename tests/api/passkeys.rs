//! Passkeys over the Frontend API (the full ceremony, with a virtual authenticator, is in the
//! browser tests).

use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{TestApp, browser};

backend_tests! {
    async fn registration_options_and_refusals(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.first_factors.push("passkey".into());
            s.server.public_url = s.server.public_url.replace("127.0.0.1", "localhost");
        }).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let r = app.post_as(&b, "/v1/me/passkeys", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let p = &r.body["response"];
        assert_eq!(p["object"], "passkey");
        assert_eq!(p["verification"]["status"], "unverified");
        let options: serde_json::Value = serde_json::from_str(p["verification"]["nonce"].as_str().unwrap()).unwrap();
        assert_eq!(options["rp"]["id"], "localhost");
        assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
        assert!(options["challenge"].as_str().unwrap().len() >= 43);
        let id = p["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/me/passkeys/{id}/attempt_verification"), &[("strategy", "passkey"), ("public_key_credential", "{\"id\":\"x\"}")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "verification_failed");
        // Someone else's pending registration is not found.
        let other = app.signed_in_user("bob@example.com", "correct horse").await;
        let r = app.post_as(&other, &format!("/v1/me/passkeys/{id}/attempt_verification"), &[("strategy", "passkey"), ("public_key_credential", "{}")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = app.delete_as(&b, "/v1/me/passkeys/pk_nope").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Sign-in without an identifier: request options to answer.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "passkey")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "needs_first_factor");
        let options: serde_json::Value = serde_json::from_str(r.body["response"]["first_factor_verification"]["nonce"].as_str().unwrap()).unwrap();
        assert_eq!(options["rpId"], "localhost");
        assert_eq!(options["userVerification"], "required");
    }

    async fn an_ip_address_cannot_be_a_relying_party(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.first_factors.push("passkey".into())).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let r = app.post_as(&b, "/v1/me/passkeys", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
}
