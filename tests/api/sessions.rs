use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use reqwest::StatusCode;

/// Verifies a session token the way an app's backend does: with the published JWKS only.
pub(crate) async fn verify(app: &TestApp, jwt: &str) -> serde_json::Value {
    let jwks: JwkSet = app
        .http
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    // RS256: Clerk's backend SDKs accept only RSA session tokens.
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid is published");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[app.address.as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "nbf", "iat"]);
    // The app's clock is the test's manual clock; keep validation to the signature and iss.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation)
        .unwrap()
        .claims
}

backend_tests! {
    async fn session_tokens_verify_against_the_jwks(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.sign_up_with_email(&app.http, "ada@example.com", "correct horse").await;
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let uid = r.body["response"]["created_user_id"].as_str().unwrap().to_owned();
        let r = Res::from(app.http.post(app.url(&format!("/v1/client/sessions/{sid}/tokens")))
            .header("origin", "http://app.example.com").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["object"], "token");
        assert!(r.body.get("client").is_none(), "tokens are not wrapped");
        let claims = verify(&app, r.body["jwt"].as_str().unwrap()).await;
        assert_eq!(claims["sub"], uid.as_str());
        assert_eq!(claims["sid"], sid.as_str());
        assert_eq!(claims["iss"], app.address.as_str());
        assert_eq!(claims["azp"], "http://app.example.com");
        assert_eq!(claims["v"], 2);
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 60);
        assert_eq!(claims["fva"], serde_json::json!([0, -1]));
        assert!(claims["jti"].as_str().unwrap().len() >= 16);
        // The token in the client's session verifies too.
        let r = app.get("/v1/client").await;
        verify(&app, r.body["client"]["sessions"][0]["last_active_token"]["jwt"].as_str().unwrap()).await;
        // A forged token (signature changed) does not.
        let jwt = r.body["client"]["sessions"][0]["last_active_token"]["jwt"].as_str().unwrap().to_owned();
        let mut forged = jwt.clone();
        forged.pop();
        forged.push(if jwt.ends_with('A') { 'B' } else { 'A' });
        let jwks: JwkSet = app.http.get(app.url("/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
        let key = DecodingKey::from_jwk(&jwks.keys[0]).unwrap();
        let mut v = Validation::new(Algorithm::ES256);
        v.validate_exp = false;
        assert!(jsonwebtoken::decode::<serde_json::Value>(&forged, &key, &v).is_err());
    }

    async fn touch_end_and_remove(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.multi_session = true).await else { return };
        let r = app.sign_up_with_email(&app.http, "ada@example.com", "correct horse").await;
        let first = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        app.sign_up_with_email(&browser(), "bob@example.com", "correct horse").await;
        // Multi-session: the same browser signs in as a second user.
        let r = app.post("/v1/client/sign_ins", &[("identifier", "bob@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let second = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["client"]["sessions"].as_array().unwrap().len(), 2);
        assert_eq!(r.body["client"]["last_active_session_id"], second.as_str());

        app.clock.advance_secs(120);
        let r = app.post(&format!("/v1/client/sessions/{first}/touch"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["object"], "session");
        assert_eq!(r.body["response"]["last_active_at"].as_i64().unwrap(), app.clock_ms());
        assert_eq!(r.body["response"]["factor_verification_age"][0], 2);
        assert_eq!(r.body["client"]["last_active_session_id"], first.as_str());

        let r = app.post(&format!("/v1/client/sessions/{first}/end"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "ended");
        assert!(r.body["response"]["last_active_token"].is_null());
        assert_eq!(r.body["client"]["sessions"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["client"]["last_active_session_id"], second.as_str());
        let r = app.post(&format!("/v1/client/sessions/{first}/tokens"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.error_code(), "authentication_invalid");

        let r = app.post(&format!("/v1/client/sessions/{second}/remove"), &[]).await;
        assert_eq!(r.body["response"]["status"], "removed");
        assert!(r.body["client"]["last_active_session_id"].is_null());
        let r = app.get(&format!("/v1/client/sessions/{second}")).await;
        assert_eq!(r.body["response"]["status"], "removed");
    }

    async fn sessions_of_other_clients_are_not_found(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.sign_up_with_email(&app.http, "ada@example.com", "correct horse").await;
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let stranger = browser();
        for path in [format!("/v1/client/sessions/{sid}/tokens"), format!("/v1/client/sessions/{sid}/end")] {
            let r = app.post_as(&stranger, &path, &[]).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
            assert_eq!(r.error_code(), "resource_not_found");
        }
        let r = app.post(&format!("/v1/client/sessions/{sid}/tokens"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "the owner still can");
    }

    async fn sign_out_everywhere_and_client_lifecycle(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let fresh = browser();
        let r = app.get_as(&fresh, "/v1/client").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, serde_json::json!({"response": null, "client": null}));

        let r = app.sign_up_with_email(&app.http, "ada@example.com", "correct horse").await;
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let r = app.get("/v1/client").await;
        assert_eq!(r.body["response"]["object"], "client");
        assert_eq!(r.body["client"]["sessions"][0]["id"], sid.as_str());
        assert_eq!(r.headers["cache-control"], "no-store");

        // The SDK's signOut: DELETE /v1/client/sessions, sent as POST ?_method=DELETE.
        let r = app.post("/v1/client/sessions?_method=DELETE", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["client"]["sessions"], serde_json::json!([]));
        assert!(r.body["client"]["last_active_session_id"].is_null());
        let r = app.get(&format!("/v1/client/sessions/{sid}")).await;
        assert_eq!(r.body["response"]["status"], "ended");

        // Signing in again after sign-out works.
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let r = Res::from(app.http.delete(app.url("/v1/client")).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["client"]["sessions"], serde_json::json!([]));
    }

    async fn sessions_expire_by_lifetime_and_inactivity(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.session_lifetime_secs = 3600;
            s.auth.session_inactivity_secs = 600;
        }).await else { return };
        let r = app.sign_up_with_email(&app.http, "ada@example.com", "correct horse").await;
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let tokens = format!("/v1/client/sessions/{sid}/tokens");
        // Kept alive by touching within the inactivity limit...
        for _ in 0..5 {
            app.clock.advance_secs(500);
            let r = app.post(&format!("/v1/client/sessions/{sid}/touch"), &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        // ...but never past its lifetime.
        app.clock.advance_secs(1200 - 500 + 1);
        let r = app.post(&tokens, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let r = app.get(&format!("/v1/client/sessions/{sid}")).await;
        assert_eq!(r.body["response"]["status"], "expired");
        let r = app.get("/v1/client").await;
        assert_eq!(r.body["client"]["sessions"], serde_json::json!([]));
    }

    async fn idle_sessions_expire(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.session_inactivity_secs = 600).await else { return };
        let r = app.sign_up_with_email(&app.http, "ada@example.com", "correct horse").await;
        let sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        app.clock.advance_secs(601);
        let r = app.post(&format!("/v1/client/sessions/{sid}/touch"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
}
