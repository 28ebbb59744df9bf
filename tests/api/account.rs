//! The account API (`/v1/me`): profile, email addresses, password changes, sessions on other
//! devices, breached-password checks, imported password hashes, and the audit trail.

use crate::backend_tests;
use crate::helpers::{PwnedRangeApi, TestApp, browser};
use reqwest::StatusCode;

async fn audit_kinds(app: &TestApp, user_id: &str) -> Vec<String> {
    portcullis::store::factors::audit_for_user(&app.app.db, user_id, 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| e.kind)
        .collect()
}

backend_tests! {
    async fn me_needs_a_session(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let r = app.get("/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(r.error_code(), "authentication_invalid");
        // Another client's session cannot be named.
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let sid = app.get_as(&b, "/v1/client").await.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
        let stranger = app.signed_in_user("bob@example.com", "correct horse").await;
        let r = app.get_as(&stranger, &format!("/v1/me?_clerk_session_id={sid}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let r = app.get_as(&b, &format!("/v1/me?_clerk_session_id={sid}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["object"], "user");
        assert_eq!(r.body["response"]["email_addresses"][0]["email_address"], "ada@example.com");
    }

    async fn profile_and_email_addresses(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let r = app.patch_as(&b, "/v1/me", &[("first_name", "Ada"), ("last_name", "Lovelace")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["first_name"], "Ada");
        assert_eq!(r.body["client"]["sessions"][0]["user"]["last_name"], "Lovelace");
        let r = app.patch_as(&b, "/v1/me", &[("username", "ada")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "usernames are off: {}", r.body);
        let r = app.patch_as(&b, "/v1/me", &[("nickname", "ada")]).await;
        assert_eq!(r.error_code(), "form_param_unknown");

        let r = app.post_as(&b, "/v1/me/email_addresses", &[("email_address", "not an email")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let bob = app.signed_in_user("bob@example.com", "correct horse").await;
        let r = app.post_as(&b, "/v1/me/email_addresses", &[("email_address", "bob@example.com")]).await;
        assert_eq!(r.error_code(), "form_identifier_exists");
        drop(bob);
        let r = app.post_as(&b, "/v1/me/email_addresses", &[("email_address", "ada@work.example")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let new_id = r.body["response"]["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["response"]["verification"]["status"], "unverified");
        // An unverified address signs nobody in.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@work.example")]).await;
        assert_eq!(r.error_code(), "form_identifier_not_found");
        let r = app.post_as(&b, &format!("/v1/me/email_addresses/{new_id}/attempt_verification"), &[("code", "123456")]).await;
        assert_eq!(r.error_code(), "verification_not_sent");
        let r = app.post_as(&b, &format!("/v1/me/email_addresses/{new_id}/prepare_verification"), &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["verification"]["strategy"], "email_code");
        let code = app.mail.code_for("ada@work.example").await;
        let r = app.post_as(&b, &format!("/v1/me/email_addresses/{new_id}/attempt_verification"), &[("code", &code)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["verification"]["status"], "verified");
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@work.example")]).await;
        assert_eq!(r.status, StatusCode::OK, "now it identifies: {}", r.body);

        // The primary address stays until another is primary.
        let me = app.get_as(&b, "/v1/me").await.body["response"].clone();
        let old_id = me["primary_email_address_id"].as_str().unwrap().to_owned();
        let r = app.delete_as(&b, &format!("/v1/me/email_addresses/{old_id}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app.patch_as(&b, "/v1/me", &[("primary_email_address_id", &new_id)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["primary_email_address_id"], new_id.as_str());
        let r = app.delete_as(&b, &format!("/v1/me/email_addresses/{old_id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["deleted"], true);
        let r = app.delete_as(&b, &format!("/v1/me/email_addresses/{old_id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let uid = me["id"].as_str().unwrap();
        // The test clock stands still, so the three share a timestamp: compare them as a set.
        let mut kinds = audit_kinds(&app, uid).await;
        kinds.retain(|k| k.starts_with("email_address."));
        kinds.sort();
        assert_eq!(kinds, ["email_address.added", "email_address.removed", "email_address.verified"]);
    }

    async fn change_password_checks_the_old_one_and_can_end_other_sessions(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (other, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.body["response"]["status"], "complete");

        let r = app.post_as(&b, "/v1/me/change_password", &[("current_password", "wrong horse"), ("new_password", "a brand new horse")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_code(), "form_password_incorrect");
        assert_eq!(r.error_param(), "current_password");
        let r = app.post_as(&b, "/v1/me/change_password", &[("current_password", "correct horse"), ("new_password", "Password123")]).await;
        assert_eq!(r.error_code(), "form_password_pwned", "{}", r.body);
        assert_eq!(r.error_param(), "new_password");
        let r = app.post_as(&b, "/v1/me/change_password", &[("current_password", "correct horse"), ("new_password", "short")]).await;
        assert_eq!(r.error_code(), "form_password_length_too_short");

        let r = app.post_as(&b, "/v1/me/change_password", &[("current_password", "correct horse"), ("new_password", "a brand new horse"), ("sign_out_of_other_sessions", "true")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // This session stays; the other device is signed out.
        assert_eq!(r.body["client"]["sessions"][0]["status"], "active");
        let r = app.get_as(&other, "/v1/client").await;
        assert_eq!(r.body["response"]["sessions"].as_array().unwrap().len(), 0, "{}", r.body);
        // Old password refused, new one works.
        let (_, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        assert_eq!(r.error_code(), "form_password_incorrect");
        let (_, r) = app.password_sign_in("ada@example.com", "a brand new horse").await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        // The user was told, and the change is in the audit trail with its session and address.
        let notice = app.mail.all().into_iter().find(|m| m.data.contains("Your password was changed")).expect("a notice email");
        assert!(notice.to.iter().any(|t| t.contains("ada@example.com")));
        let me = app.get_as(&b, "/v1/me").await.body["response"].clone();
        let events = portcullis::store::factors::audit_for_user(&app.app.db, me["id"].as_str().unwrap(), 10).await.unwrap();
        let e = events.iter().find(|e| e.kind == "password.changed").expect("an audit event");
        assert_eq!(e.ip.as_deref(), Some("127.0.0.1"));
        assert!(e.session_id.is_some());
        assert!(e.detail.contains("\"signed_out_sessions\":1"), "{}", e.detail);
    }

    async fn sessions_on_other_devices_can_be_listed_and_revoked(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ada@example.com", "correct horse").await;
        let (other, r) = app.password_sign_in("ada@example.com", "correct horse").await;
        let other_sid = r.body["response"]["created_session_id"].as_str().unwrap().to_owned();
        let r = app.get_as(&b, "/v1/me/sessions/active").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let list = r.body["response"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
        assert!(list.iter().all(|s| s.get("last_active_token").is_none()), "no tokens of other devices");
        let r = app.post_as(&b, &format!("/v1/me/sessions/{other_sid}/revoke"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "revoked");
        let r = app.get_as(&other, "/v1/client").await;
        assert_eq!(r.body["response"]["sessions"].as_array().unwrap().len(), 0);
        // Someone else's session is not found.
        let bob = app.signed_in_user("bob@example.com", "correct horse").await;
        let bob_sid = app.get_as(&bob, "/v1/client").await.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/me/sessions/{bob_sid}/revoke"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }

    async fn breached_passwords_are_refused(backend) {
        let range = PwnedRangeApi::start(&["tulip garden 9"]).await;
        let url = range.url.clone();
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.pwned_passwords_url = url).await else { return };
        // The bundled list of common passwords.
        let r = app.post("/v1/client/sign_ups", &[("email_address", "ada@example.com"), ("password", "iloveyou1")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_code(), "form_password_pwned");
        assert_eq!(r.error_param(), "password");
        // The range API: only the first five hex digits of the SHA-1 are sent.
        let r = app.post("/v1/client/sign_ups", &[("email_address", "ada@example.com"), ("password", "tulip garden 9")]).await;
        assert_eq!(r.error_code(), "form_password_pwned", "{}", r.body);
        let asked = range.asked.lock().unwrap().clone();
        assert!(!asked.is_empty() && asked.iter().all(|p| p.len() == 5), "{asked:?}");
        let r = app.post("/v1/client/sign_ups", &[("email_address", "ada@example.com"), ("password", "tulip garden 8")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn an_unreachable_range_api_does_not_block_passwords(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.pwned_passwords_url = "http://127.0.0.1:9".into();
            s.auth.pwned_passwords_timeout_ms = 300;
        }).await else { return };
        let r = app.post("/v1/client/sign_ups", &[("email_address", "ada@example.com"), ("password", "tulip garden 8")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn imported_bcrypt_and_pbkdf2_users_sign_in_and_are_rehashed(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let bcrypt_hash = bcrypt::hash("old bcrypt pass", 5).unwrap();
        let django = "pbkdf2_sha256$260000$Zs9bYkpQ2xRv$TJz7vcOlooxroe31KzjpgC7sV+SskWnPNIAk89R0ExQ=";
        let lines = [
            serde_json::json!({"email_address": "b@example.com", "first_name": "Bea", "password_digest": bcrypt_hash, "password_hasher": "bcrypt"}).to_string(),
            serde_json::json!({"email_address": "d@example.com", "password_digest": django, "password_hasher": "pbkdf2_sha256_django"}).to_string(),
            serde_json::json!({"email_address": "x@example.com", "password_digest": "$2b$nonsense", "password_hasher": "bcrypt"}).to_string(),
            serde_json::json!({"email_address": "b@example.com", "password_hasher": "bcrypt"}).to_string(),
            "not json".to_owned(),
        ];
        let file = std::env::temp_dir().join(format!("portcullis-import-{}.jsonl", crate::helpers::random_suffix()));
        std::fs::write(&file, lines.join("\n")).unwrap();
        portcullis::cli::users(&app.app.settings(), portcullis::cli::UsersCommand::Import { file: file.clone(), from: portcullis::cli::ImportFormat::Portcullis }).await.unwrap();
        let _ = std::fs::remove_file(&file);
        let stored = |email: &'static str| {
            let app = &app;
            async move {
                let id = portcullis::store::users::find_user_id_by_identifier(&app.app.db, portcullis::store::users::IdentifierKind::Email, email).await.unwrap().expect("imported");
                portcullis::store::users::get_user(&app.app.db, &id).await.unwrap().unwrap().user.password_hash.unwrap()
            }
        };
        assert!(stored("b@example.com").await.starts_with("$2b$"));
        assert!(portcullis::store::users::find_user_id_by_identifier(&app.app.db, portcullis::store::users::IdentifierKind::Email, "x@example.com").await.unwrap().is_none(), "a malformed hash is skipped");

        for (email, password) in [("b@example.com", "old bcrypt pass"), ("d@example.com", "old django pass")] {
            let (_, r) = app.password_sign_in(email, "not the password").await;
            assert_eq!(r.error_code(), "form_password_incorrect");
            let (_, r) = app.password_sign_in(email, password).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["response"]["status"], "complete");
            let now = stored(email).await;
            assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "rehashed: {now}");
            let (_, r) = app.password_sign_in(email, password).await;
            assert_eq!(r.body["response"]["status"], "complete", "still signs in after the rehash");
        }
    }
}

backend_tests! {
    async fn an_unverified_claim_on_an_address_lapses_after_a_day(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let squatter = app.signed_in_user("mallory@example.com", "correct horse").await;
        let r = app.post_as(&squatter, "/v1/me/email_addresses", &[("email_address", "ada@example.com")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // While the claim is fresh, the address is taken.
        let r = app.post("/v1/client/sign_ups", &[("email_address", "ada@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.error_code(), "form_identifier_exists");
        // A day later it is Ada's to sign up with.
        app.clock.advance_secs(24 * 3600 + 1);
        let r = app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        assert_eq!(r.body["response"]["status"], "complete");
        // And the lapsed claim is gone from the other account.
        let me = app.get_as(&squatter, "/v1/me").await;
        let emails: Vec<&str> = me.body["response"]["email_addresses"].as_array().unwrap().iter().map(|e| e["email_address"].as_str().unwrap()).collect();
        assert_eq!(emails, ["mallory@example.com"]);
    }
}
