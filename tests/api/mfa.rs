//! Second factors over the Frontend API: authenticator apps, backup codes, SMS codes, the
//! `mfa_required` set-up, and the lockout that covers them.

use crate::backend_tests;
use crate::helpers::{TestApp, totp_code};
use portcullis::clock::Clock;
use reqwest::StatusCode;

backend_tests! {
    async fn totp_enrolment_then_every_sign_in_asks_for_it(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;

        let r = app.post_as(&b, "/v1/me/totp", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let t = &r.body["response"];
        assert_eq!(t["object"], "totp");
        assert_eq!(t["verified"], false);
        let secret = t["secret"].as_str().unwrap().to_owned();
        assert_eq!(secret.len(), 32);
        let uri = t["uri"].as_str().unwrap();
        assert!(uri.starts_with("otpauth://totp/Portcullis:ada%40example.com?secret="), "{uri}");
        assert!(uri.contains(&secret) && uri.contains("period=30") && uri.contains("digits=6"));
        // Not in force until a code proves the app has it.
        let me = app.get_as(&b, "/v1/me").await;
        assert_eq!(me.body["response"]["totp_enabled"], false);

        let r = app.post_as(&b, "/v1/me/totp/attempt_verification", &[("code", "000000")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_code(), "form_code_incorrect");
        let code = totp_code(&secret, app.clock.now_ms(), 0);
        let r = app.post_as(&b, "/v1/me/totp/attempt_verification", &[("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["verified"], true);
        assert!(r.body["response"]["secret"].is_null(), "the secret is shown only while setting up");
        // Backup codes come with the first authenticator.
        assert_eq!(r.body["response"]["backup_codes"].as_array().unwrap().len(), 10);
        let me = app.get_as(&b, "/v1/me").await;
        assert_eq!(me.body["response"]["totp_enabled"], true);
        assert_eq!(me.body["response"]["two_factor_enabled"], true);
        assert_eq!(me.body["response"]["backup_code_enabled"], true);
        // A second set-up is refused while one is in force.
        let r = app.post_as(&b, "/v1/me/totp", &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        // Sign in elsewhere: the password is not enough any more.
        let (b2, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let si = &r.body["response"];
        assert_eq!(si["status"], "needs_second_factor");
        assert!(si["created_session_id"].is_null());
        let strategies: Vec<&str> = si["supported_second_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
        assert_eq!(strategies, ["totp", "backup_code"]);
        let id = si["id"].as_str().unwrap().to_owned();

        // The code used for enrolment is spent: replaying it is refused.
        let attempt = |code: String| {
            let (app, b2, id) = (&app, &b2, &id);
            async move { app.post_as(b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", &code)]).await }
        };
        let r = attempt(code.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_code(), "form_code_incorrect");
        let si = app.get_as(&b2, &format!("/v1/client/sign_ins/{id}")).await;
        assert_eq!(si.body["response"]["second_factor_verification"]["status"], "unverified", "{}", si.body);
        assert_eq!(si.body["response"]["second_factor_verification"]["error"]["code"], "form_code_incorrect");
        let r = attempt("123456".into()).await;
        assert_eq!(r.error_code(), "form_code_incorrect");
        // The next time step's code works (the app shows it 30 s later)...
        app.clock.advance_secs(30);
        let next = totp_code(&secret, app.clock.now_ms(), 0);
        let r = attempt(next.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        let sid = r.body["response"]["created_session_id"].as_str().unwrap();
        let session = r.body["client"]["sessions"].as_array().unwrap().iter().find(|s| s["id"] == sid).unwrap().clone();
        assert_eq!(session["factor_verification_age"][1], 0, "second factor verified just now");
        // ...once.
        let (b3, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let id3 = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b3, &format!("/v1/client/sign_ins/{id3}/attempt_second_factor"), &[("strategy", "totp"), ("code", &next)]).await;
        assert_eq!(r.error_code(), "form_code_incorrect", "a replayed code is refused");

        // Removing the app turns the second step off again (backup codes still count).
        let r = app.delete_as(&b, "/v1/me/totp").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let me = app.get_as(&b, "/v1/me").await;
        assert_eq!(me.body["response"]["totp_enabled"], false);
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let strategies: Vec<&str> = r.body["response"]["supported_second_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
        assert_eq!(strategies, ["backup_code"]);
    }

    async fn backup_codes_work_once_and_regenerating_replaces_them(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (_, r) = app.enrol_totp(&b).await;
        let first_set: Vec<String> = r.body["response"]["backup_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        let r = app.post_as(&b, "/v1/me/backup_codes", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["object"], "backup_code");
        let codes: Vec<String> = r.body["response"]["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 8), "{codes:?}");
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);

        let sign_in_with = |code: String| {
            let app = &app;
            async move {
                let (b, r) = app.password_sign_in("ada@example.com", "correct horse").await;
                assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.body);
                let id = r.body["response"]["id"].as_str().unwrap().to_owned();
                app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "backup_code"), ("code", &code)]).await
            }
        };
        // The old set no longer works.
        let r = sign_in_with(first_set[0].clone()).await;
        assert_eq!(r.error_code(), "form_code_incorrect", "{}", r.body);
        // A code of the new set works, in upper case with a dash too...
        let typed = format!("{}-{}", codes[3][..4].to_uppercase(), &codes[3][4..]);
        let r = sign_in_with(typed).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        // ...once.
        let r = sign_in_with(codes[3].clone()).await;
        assert_eq!(r.error_code(), "form_code_incorrect");
        let r = sign_in_with(codes[4].clone()).await;
        assert_eq!(r.body["response"]["status"], "complete");
        // Backup codes are an account secret: they are stored as hashes, never as given.
        let stored = portcullis::store::factors::unused_backup_codes(&app.app.db, &user_id(&app, &b).await).await.unwrap();
        assert_eq!(stored.len(), 8);
        assert!(stored.iter().all(|row| !codes.contains(&row.code_hash)));
    }

    async fn sms_second_factor(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let r = app.post_as(&b, "/v1/me/phone_numbers", &[("phone_number", "+14155552671")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let phone_id = r.body["response"]["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["response"]["verification"]["status"], "unverified");
        // Only a verified number can be a second factor.
        let r = app.patch_as(&b, &format!("/v1/me/phone_numbers/{phone_id}"), &[("reserved_for_second_factor", "true")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/me/phone_numbers/{phone_id}/prepare_verification"), &[("strategy", "phone_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = app.sms.code_for("+14155552671").await;
        let r = app.post_as(&b, &format!("/v1/me/phone_numbers/{phone_id}/attempt_verification"), &[("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["verification"]["status"], "verified");
        let r = app.patch_as(&b, &format!("/v1/me/phone_numbers/{phone_id}"), &[("reserved_for_second_factor", "true")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["reserved_for_second_factor"], true);
        assert_eq!(r.body["response"]["default_second_factor"], true);
        // The change was recorded and the user told by email.
        assert!(app.mail.all().iter().any(|m| m.to.iter().any(|t| t.contains("ada@example.com")) && m.data.contains("two-step verification")));

        let (b2, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let si = &r.body["response"];
        assert_eq!(si["status"], "needs_second_factor", "{}", r.body);
        let f = &si["supported_second_factors"][0];
        assert_eq!(f["strategy"], "phone_code");
        assert_eq!(f["phone_number_id"], phone_id.as_str());
        assert_eq!(f["safe_identifier"], "+1******2671");
        let id = si["id"].as_str().unwrap().to_owned();
        // A code must be sent before it can be checked.
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "phone_code"), ("code", "111111")]).await;
        assert_eq!(r.error_code(), "verification_not_sent", "{}", r.body);
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/prepare_second_factor"), &[("strategy", "phone_code"), ("phone_number_id", &phone_id)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["second_factor_verification"]["status"], "unverified");
        let code = app.sms.code_for("+14155552671").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "phone_code"), ("code", wrong)]).await;
        assert_eq!(r.error_code(), "form_code_incorrect");
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "phone_code"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        // totp is not one of this user's factors.
        let (b3, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b3, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", "123456")]).await;
        assert_eq!(r.error_code(), "strategy_for_user_invalid");
    }

    async fn mfa_required_makes_new_sessions_pending_until_a_factor_is_set_up(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.mfa_required = true).await else { return };
        let b = crate::helpers::browser();
        let r = app.sign_up_with_email(&b, "ada@example.com", "correct horse").await;
        let session = &r.body["client"]["sessions"][0];
        assert_eq!(session["status"], "pending", "{}", r.body);
        assert_eq!(session["tasks"][0]["key"], "setup-mfa");
        assert!(session["last_active_token"].is_null(), "no session token while pending");
        let sid = session["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/tokens"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        // Only the set-up is open to a pending session.
        let r = app.post_as(&b, "/v1/me/change_password", &[("current_password", "correct horse"), ("new_password", "another horse")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(r.error_code(), "authentication_invalid");

        app.enrol_totp(&b).await;
        let r = app.get_as(&b, "/v1/client").await;
        assert_eq!(r.body["response"]["sessions"][0]["status"], "active", "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sessions/{sid}/tokens"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn second_factor_failures_count_toward_the_lockout(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.lockout_attempts = 3).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (secret, _) = app.enrol_totp(&b).await;
        app.clock.advance_secs(30);
        let (b2, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        for _ in 0..2 {
            let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", "000001")]).await;
            assert_eq!(r.error_code(), "form_code_incorrect");
        }
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", "000002")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.error_code(), "user_locked");
        // Locked even with the right code, until the period ends.
        let good = totp_code(&secret, app.clock.now_ms(), 0);
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", &good)]).await;
        assert_eq!(r.error_code(), "user_locked");
        app.clock.advance_secs(3601);
        let (b3, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let good = totp_code(&secret, app.clock.now_ms(), 0);
        let r = app.post_as(&b3, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", &good)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
    }

    async fn totp_secrets_are_sealed_when_a_key_is_configured(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.server.key_encryption_key = Some("a long key-encryption key".to_string().into())).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (secret, _) = app.enrol_totp(&b).await;
        let uid = user_id(&app, &b).await;
        let row = portcullis::store::factors::totp(&app.app.db, &uid).await.unwrap().unwrap();
        assert!(row.secret.starts_with("enc:v2:"), "{}", row.secret);
        assert!(!row.secret.contains(&secret));
        // And it still works for signing in.
        app.clock.advance_secs(30);
        let (b2, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", &totp_code(&secret, app.clock.now_ms(), 0))]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }

    async fn password_reset_leads_to_the_second_factor(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (secret, _) = app.enrol_totp(&b).await;
        let b2 = crate::helpers::browser();
        let r = app.post_as(&b2, "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "reset_password_email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = app.mail.code_for("ada@example.com").await;
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "reset_password_email_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "needs_new_password", "{}", r.body);
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/reset_password"), &[("password", "a brand new horse")]).await;
        assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.body);
        app.clock.advance_secs(30);
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", &totp_code(&secret, app.clock.now_ms(), 0))]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }

    async fn email_code_is_offered_beside_an_enrolled_factor_when_configured(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.second_factors.push("email_code".into())).await else { return };
        // Without an enrolled factor there is no second step at all.
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        app.enrol_totp(&b).await;
        let (b2, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let si = &r.body["response"];
        let strategies: Vec<&str> = si["supported_second_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
        assert_eq!(strategies, ["totp", "backup_code", "email_code"]);
        let id = si["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/prepare_second_factor"), &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = app.mail.code_for("ada@example.com").await;
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        // totp and backup codes have no prepare step.
        let (b3, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b3, &format!("/v1/client/sign_ins/{id}/prepare_second_factor"), &[("strategy", "totp")]).await;
        assert_eq!(r.error_code(), "verification_strategy_invalid");
    }
}

async fn user_id(app: &TestApp, b: &reqwest::Client) -> String {
    app.get_as(b, "/v1/me").await.body["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}
