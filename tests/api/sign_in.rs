use crate::backend_tests;
use crate::helpers::{TestApp, browser};
use portcullis::config::FieldMode;
use reqwest::StatusCode;

backend_tests! {
    async fn password_sign_in_completes_and_rotates_the_client_token(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;

        // A browser that identifies first, then attempts the password.
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ADA@example.com")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let si = &r.body["response"];
        assert_eq!(si["object"], "sign_in_attempt");
        assert_eq!(si["status"], "needs_first_factor");
        assert_eq!(si["identifier"], "ADA@example.com");
        let factors = si["supported_first_factors"].as_array().unwrap();
        assert_eq!(factors[0]["strategy"], "password");
        assert_eq!(factors[1]["strategy"], "email_code");
        assert_eq!(factors[1]["safe_identifier"], "a***@example.com");
        assert!(factors[1]["email_address_id"].as_str().unwrap().starts_with("idn_"));
        let id = si["id"].as_str().unwrap().to_owned();
        let cookie_before = r.headers.get("set-cookie").expect("a client cookie").to_str().unwrap().to_owned();
        assert!(cookie_before.contains("HttpOnly") && cookie_before.contains("SameSite=Lax"));
        assert!(!cookie_before.contains("Secure"), "http issuer: no Secure flag");

        let r = app.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "password"), ("password", "correct horse")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let si = &r.body["response"];
        assert_eq!(si["status"], "complete");
        assert_eq!(si["first_factor_verification"]["status"], "verified");
        let session_id = si["created_session_id"].as_str().unwrap();
        assert_eq!(r.body["client"]["last_active_session_id"], session_id);
        assert!(r.body["client"]["sign_in"].is_null());
        let cookie_after = r.headers.get("set-cookie").expect("a rotated cookie").to_str().unwrap();
        assert_ne!(cookie_before.split(';').next(), cookie_after.split(';').next());
        // The answer shows the user as stored: the sign-in's own write (the last sign-in
        // time) included, though the answer is built from the record the attempt read.
        let answered = r.body["client"]["sessions"][0]["user"].clone();
        assert!(answered["last_sign_in_at"].as_i64().is_some(), "{answered}");
        let reread = app.get("/v1/client").await;
        assert_eq!(reread.body["response"]["sessions"][0]["user"], answered);

        // The token from before sign-in no longer names this client.
        let old = cookie_before.split(';').next().unwrap().trim_start_matches("__client=").to_owned();
        let r = crate::helpers::Res::from(reqwest::Client::new().get(app.url("/v1/client"))
            .header("cookie", format!("__client={old}")).send().await.unwrap()).await;
        assert!(r.body["client"].is_null(), "{}", r.body);
    }

    async fn one_step_password_sign_in(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "correct horse"), ("strategy", "password")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
    }

    async fn wrong_password_is_422_and_the_sign_in_stays_open(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "wrong horse")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_code(), "form_password_incorrect");
        assert_eq!(r.error_param(), "password");
        // The sign-in is still there and can be finished.
        let r = app.get("/v1/client").await;
        let si = &r.body["client"]["sign_in"];
        assert_eq!(si["status"], "needs_first_factor");
        assert_eq!(si["first_factor_verification"]["error"]["code"], "form_password_incorrect");
        let id = si["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "password"), ("password", "correct horse")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
    }

    async fn unknown_identifier_is_422(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        for identifier in ["nobody@example.com", "+14155552671", "some_username"] {
            let r = app.post("/v1/client/sign_ins", &[("identifier", identifier)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{identifier}: {}", r.body);
            assert_eq!(r.error_code(), "form_identifier_not_found");
            assert_eq!(r.error_param(), "identifier");
        }
    }

    async fn email_code_sign_in(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let before = app.mail.count_to("ada@example.com");
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let si = &r.body["response"];
        assert_eq!(si["first_factor_verification"]["strategy"], "email_code");
        assert_eq!(si["first_factor_verification"]["status"], "unverified");
        let id = si["id"].as_str().unwrap().to_owned();
        assert_eq!(app.mail.count_to("ada@example.com"), before + 1);
        let code = app.mail.code_for("ada@example.com").await;
        let r = app.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        // A used code cannot complete anything again.
        let r = app.post(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "client_state_invalid");
    }

    async fn phone_code_sign_in_with_prepare(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.phone_number = FieldMode::Optional;
            s.testing.enabled = true;
        }).await else { return };
        let r = app.post("/v1/client/sign_ups", &[
            ("email_address", "pat+portcullis_test@example.com"),
            ("password", "tulip garden 7"),
            ("phone_number", "+447911123456"),
        ]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_code")]).await;
        app.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "email_code"), ("code", "424242")]).await;
        app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "phone_code")]).await;
        let code = app.sms.code_for("+447911123456").await;
        let r = app.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "phone_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);

        let other = browser();
        let r = app.post_as(&other, "/v1/client/sign_ins", &[("identifier", "+44 7911 123456")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let factors = r.body["response"]["supported_first_factors"].as_array().unwrap().clone();
        let phone = factors.iter().find(|f| f["strategy"] == "phone_code").expect("phone factor");
        assert_eq!(phone["safe_identifier"], "+44******3456");
        let sid = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&other, &format!("/v1/client/sign_ins/{sid}/prepare_first_factor"),
            &[("strategy", "phone_code"), ("phone_number_id", phone["phone_number_id"].as_str().unwrap())]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = app.sms.code_for("+447911123456").await;
        let r = app.post_as(&other, &format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "phone_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }

    async fn wrong_and_expired_codes(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = app.mail.code_for("ada@example.com").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let path = format!("/v1/client/sign_ins/{id}/attempt_first_factor");
        let r = app.post(&path, &[("strategy", "email_code"), ("code", wrong)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_code(), "form_code_incorrect");
        assert_eq!(r.error_param(), "code");
        let r = app.get(&format!("/v1/client/sign_ins/{id}")).await;
        assert_eq!(r.body["response"]["first_factor_verification"]["attempts"], 1);
        assert_eq!(r.body["response"]["first_factor_verification"]["error"]["code"], "form_code_incorrect");

        // Ten minutes later even the right code is refused.
        app.clock.advance_secs(601);
        let r = app.post(&path, &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "verification_expired");
        let r = app.get(&format!("/v1/client/sign_ins/{id}")).await;
        assert_eq!(r.body["response"]["first_factor_verification"]["status"], "expired");

        // A fresh code works.
        let r = app.post(&format!("/v1/client/sign_ins/{id}/prepare_first_factor"), &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = app.mail.code_for("ada@example.com").await;
        let r = app.post(&path, &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }

    async fn five_wrong_codes_fail_the_verification(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = app.mail.code_for("ada@example.com").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let path = format!("/v1/client/sign_ins/{id}/attempt_first_factor");
        for _ in 0..5 {
            let r = app.post(&path, &[("strategy", "email_code"), ("code", wrong)]).await;
            assert_eq!(r.error_code(), "form_code_incorrect");
        }
        let r = app.post(&path, &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "verification_failed");
        let r = app.get(&format!("/v1/client/sign_ins/{id}")).await;
        assert_eq!(r.body["response"]["first_factor_verification"]["status"], "failed");
        assert_eq!(r.body["response"]["status"], "needs_first_factor");
    }

    async fn parallel_guesses_share_the_attempt_budget(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = app.mail.code_for("ada@example.com").await;
        let path = format!("/v1/client/sign_ins/{id}/attempt_first_factor");
        let guesses: Vec<String> = (0..20).map(|i| format!("{:06}", (i * 7919) % 1_000_000)).filter(|g| *g != code).take(12).collect();
        let forms: Vec<[(&str, &str); 2]> = guesses.iter().map(|g| [("strategy", "email_code"), ("code", g.as_str())]).collect();
        let results = futures_util::future::join_all(forms.iter().map(|f| app.post(&path, f))).await;
        let incorrect = results.iter().filter(|r| r.error_code() == "form_code_incorrect").count();
        assert!(incorrect <= 5, "at most five guesses may be judged, {incorrect} were");
        let r = app.post(&path, &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.error_code(), "verification_failed");
    }

    async fn resend_waits_thirty_seconds(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("strategy", "email_code")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/client/sign_ins/{id}/prepare_first_factor");
        let sent = app.mail.count_to("ada@example.com");
        let r = app.post(&path, &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(r.error_code(), "verification_code_too_many_requests");
        let retry: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=30).contains(&retry), "Retry-After {retry}");
        assert_eq!(app.mail.count_to("ada@example.com"), sent, "nothing sent during the cooldown");
        app.clock.advance_secs(31);
        let r = app.post(&path, &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.mail.code_for("ada@example.com").await;
        assert_eq!(app.mail.count_to("ada@example.com"), sent + 1);
    }

    async fn username_identifies_and_strategy_checks_apply(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.username = FieldMode::Optional).await else { return };
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("email_address", "u@example.com"), ("password", "tulip garden 7"), ("username", "Grace_H")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        app.post_as(&b, &format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_code")]).await;
        let code = app.mail.code_for("u@example.com").await;
        app.post_as(&b, &format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "email_code"), ("code", &code)]).await;

        let r = app.post("/v1/client/sign_ins", &[("identifier", "grace_h")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let sid = r.body["response"]["id"].as_str().unwrap().to_owned();
        // No phone on this account: phone_code is not one of its factors.
        let r = app.post(&format!("/v1/client/sign_ins/{sid}/prepare_first_factor"), &[("strategy", "phone_code")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "strategy_for_user_invalid");
        // Strategies this instance does not offer.
        let r = app.post(&format!("/v1/client/sign_ins/{sid}/prepare_first_factor"), &[("strategy", "oauth_google")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_code(), "form_param_value_invalid");
        // Attempting a code that was never sent.
        let r = app.post(&format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "email_code"), ("code", "123456")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), "verification_not_sent");
        // No second factor on this account.
        let r = app.post(&format!("/v1/client/sign_ins/{sid}/attempt_second_factor"), &[("strategy", "totp"), ("code", "123456")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), "no_second_factors");
        // Reset only after a reset factor.
        let r = app.post(&format!("/v1/client/sign_ins/{sid}/reset_password"), &[("password", "newpassword1")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), "client_state_invalid");
        // Password works with the username too.
        let r = app.post(&format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "password"), ("password", "tulip garden 7")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }

    async fn a_signed_in_client_cannot_start_another_sign_in(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&app.http, "ada@example.com", "correct horse").await;
        let r = app.post("/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.error_code(), "session_exists");
        let r = app.post("/v1/client/sign_ups", &[("email_address", "other@example.com")]).await;
        assert_eq!(r.error_code(), "session_exists");
    }

    async fn native_clients_use_bearer_tokens(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let plain = reqwest::Client::new();
        let r = crate::helpers::Res::from(plain.post(app.url("/v1/client/sign_ins?_is_native=1"))
            .form(&[("identifier", "ada@example.com")]).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.headers.get("set-cookie").is_none(), "native clients get no cookie");
        let token = r.headers["authorization"].to_str().unwrap().to_owned();
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = crate::helpers::Res::from(plain.post(app.url(&format!("/v1/client/sign_ins/{id}/attempt_first_factor")))
            .bearer_auth(&token).form(&[("strategy", "password"), ("password", "correct horse")]).send().await.unwrap()).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let rotated = r.headers["authorization"].to_str().unwrap().to_owned();
        assert_ne!(rotated, token);
        let r = crate::helpers::Res::from(plain.get(app.url("/v1/client")).bearer_auth(&rotated).send().await.unwrap()).await;
        assert_eq!(r.body["client"]["sessions"][0]["status"], "active");
    }
}

backend_tests! {
    async fn ten_wrong_passwords_lock_the_account_for_an_hour(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let attempt = |password: &'static str| {
            let b = browser();
            let app = &app;
            async move { app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", password)]).await }
        };
        for _ in 0..9 {
            assert_eq!(attempt("wrong horse").await.error_code(), "form_password_incorrect");
        }
        // A success before the limit resets the count.
        assert_eq!(attempt("correct horse").await.body["response"]["status"], "complete");
        for _ in 0..9 {
            assert_eq!(attempt("wrong horse").await.error_code(), "form_password_incorrect");
        }
        let r = attempt("wrong horse").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.error_code(), "user_locked");
        // Locked even with the right password.
        let r = attempt("correct horse").await;
        assert_eq!(r.error_code(), "user_locked");
        let secs = r.body["errors"][0]["meta"]["lockout_expires_in_seconds"].as_i64().unwrap();
        assert!((3590..=3600).contains(&secs), "{secs}");
        app.clock.advance_secs(1800);
        assert_eq!(attempt("correct horse").await.error_code(), "user_locked");
        app.clock.advance_secs(1801);
        assert_eq!(attempt("correct horse").await.body["response"]["status"], "complete", "unlocked after the period");
        assert_eq!(app.get("/v1/environment").await.body["user_settings"]["attack_protection"]["user_lockout"]["max_attempts"], 10);
    }
}

backend_tests! {
    async fn password_reset_by_email_code_signs_out_other_sessions(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let old_device = browser();
        app.sign_up_with_email(&old_device, "ada@example.com", "correct horse").await;
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        let factors = r.body["response"]["supported_first_factors"].as_array().unwrap().clone();
        let reset = factors.iter().find(|f| f["strategy"] == "reset_password_email_code").expect("a reset factor");
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
            &[("strategy", "reset_password_email_code"), ("email_address_id", reset["email_address_id"].as_str().unwrap())]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mail = app.mail.all().last().unwrap().data.clone();
        assert!(mail.contains("reset your password"));
        let code = app.mail.code_for("ada@example.com").await;
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/reset_password"), &[("password", "new password 1")]).await;
        assert_eq!(r.error_code(), "client_state_invalid", "no reset before the code");
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_first_factor"), &[("strategy", "reset_password_email_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "needs_new_password", "{}", r.body);
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/reset_password"), &[("password", "short")]).await;
        assert_eq!(r.error_code(), "form_password_length_too_short");
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/reset_password"), &[("password", "new password 1"), ("sign_out_of_other_sessions", "true")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        assert_eq!(r.body["client"]["sessions"].as_array().unwrap().len(), 1);
        // The other device was signed out; the old password no longer works, the new one does.
        assert_eq!(app.get_as(&old_device, "/v1/client").await.body["client"]["sessions"], serde_json::json!([]));
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.error_code(), "form_password_incorrect");
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "new password 1")]).await;
        assert_eq!(r.body["response"]["status"], "complete");
    }

    async fn password_reset_by_phone_code(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.phone_number = FieldMode::Required;
            s.auth.email_address = FieldMode::Off;
        }).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("phone_number", "+14155552671"), ("password", "correct horse")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        app.post(&format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "phone_code")]).await;
        let code = app.sms.code_for("+14155552671").await;
        app.post(&format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "phone_code"), ("code", &code)]).await;
        let b = browser();
        // Created with the reset strategy: the code goes out at once.
        let before = app.sms.all().len();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "+14155552671"), ("strategy", "reset_password_phone_code")]).await;
        assert_eq!(r.body["response"]["first_factor_verification"]["strategy"], "reset_password_phone_code", "{}", r.body);
        assert_eq!(app.sms.all().len(), before + 1);
        let sid = r.body["response"]["id"].as_str().unwrap().to_owned();
        let code = app.sms.code_for("+14155552671").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "reset_password_phone_code"), ("code", wrong)]).await;
        assert_eq!(r.error_code(), "form_code_incorrect");
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{sid}/attempt_first_factor"), &[("strategy", "reset_password_phone_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "needs_new_password");
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{sid}/reset_password"), &[("password", "brand new pass")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }
}
