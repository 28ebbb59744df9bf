//! The admin API: keys, users, invitations, sign-up policies, clients, keys, audit events.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser};

/// A fresh admin key for the app.
pub async fn admin_key(app: &TestApp) -> String {
    use portcullis::clock::Clock;
    let (_, key) = portcullis::flows::admin::create_key(
        &app.app.db,
        &app.app.tokens,
        "tests",
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    key
}

pub struct Admin<'a> {
    pub app: &'a TestApp,
    pub key: String,
    http: reqwest::Client,
}

impl<'a> Admin<'a> {
    pub async fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            key: admin_key(app).await,
            http: reqwest::Client::new(),
        }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Res {
        let mut r = self
            .http
            .request(
                method.parse().unwrap(),
                self.app.url(&format!("/admin/v1{path}")),
            )
            .bearer_auth(&self.key);
        if let Some(b) = body {
            r = r.json(&b);
        }
        Res::from(r.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Res {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.send("POST", path, Some(body)).await
    }

    pub async fn create_user(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/users",
                json!({ "email_address": [email], "password": password, "first_name": "Ada" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }
}

async fn signs_in(app: &TestApp, email: &str, password: &str) -> Res {
    app.password_sign_in(email, password).await.1
}

backend_tests! {
    async fn admin_api_needs_a_valid_unrevoked_key(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let http = reqwest::Client::new();
        let url = app.url("/admin/v1/users");
        let r = Res::from(http.get(&url).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.error_code(), "authentication_invalid");
        for bad in ["pcadm_nope", "Basic abc", "x"] {
            let r = http.get(&url).header("authorization", format!("Bearer {bad}")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{bad}");
        }
        let admin = Admin::new(&app).await;
        assert_eq!(admin.get("/users").await.status, StatusCode::OK);
        // Unknown admin paths are 404 for admins, 401 for everyone else.
        assert_eq!(admin.get("/nope").await.status, StatusCode::NOT_FOUND);
        assert_eq!(http.get(app.url("/admin/v1/nope")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert!(portcullis::store::admin::revoke_admin_key(&app.app.db, "tests", 1).await.unwrap());
        let r = admin.get("/users").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a revoked key stops working");
    }

    async fn users_are_created_read_updated_and_deleted(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let r = admin.post("/users", json!({
            "email_address": ["Grace@Example.com"],
            "phone_number": ["+1 202 555 0142"],
            "username": "grace",
            "password": "a long passphrase",
            "first_name": "Grace",
            "last_name": "Hopper",
            "public_metadata": {"plan": "pro"},
        })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["object"], "user");
        assert_eq!(r.body["email_addresses"][0]["email_address"], "grace@example.com");
        assert_eq!(r.body["email_addresses"][0]["verification"]["status"], "verified");
        assert_eq!(r.body["phone_numbers"][0]["phone_number"], "+12025550142");
        assert_eq!(r.body["public_metadata"]["plan"], "pro");
        assert_eq!(r.body["password_enabled"], true);
        assert_eq!(r.body["banned"], false);
        assert!(r.body["last_sign_in_at"].is_null());
        assert_eq!(signs_in(&app, "grace@example.com", "a long passphrase").await.body["response"]["status"], "complete");

        let r = admin.get(&format!("/users/{id}")).await;
        assert_eq!(r.body["username"], "grace");
        let r = admin.send("PATCH", &format!("/users/{id}"), Some(json!({"first_name": "Amazing", "last_name": null, "password": "another passphrase"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["first_name"], "Amazing");
        assert!(r.body["last_name"].is_null());
        assert_eq!(signs_in(&app, "grace@example.com", "a long passphrase").await.error_code(), "form_password_incorrect");
        assert_eq!(signs_in(&app, "grace@example.com", "another passphrase").await.body["response"]["status"], "complete");

        let r = admin.get(&format!("/users/{id}/identifications")).await;
        assert_eq!(r.body["email_addresses"].as_array().unwrap().len(), 1);
        let r = admin.get(&format!("/users/{id}/external_accounts")).await;
        assert_eq!(r.body["data"], json!([]));
        let r = admin.get(&format!("/users/{id}/sessions")).await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 2, "two sign-ins above");

        let r = admin.send("DELETE", &format!("/users/{id}"), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["deleted"], true);
        assert_eq!(admin.get(&format!("/users/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(admin.send("DELETE", &format!("/users/{id}"), None).await.status, StatusCode::NOT_FOUND);
        // The address is free again.
        admin.create_user("grace@example.com", "a long passphrase").await;
    }

    async fn bad_user_input_is_refused_with_a_clear_error(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        admin.create_user("taken@example.com", "a long passphrase").await;
        let cases = [
            (json!({"email_address": ["taken@example.com"], "password": "a long passphrase"}), "form_identifier_exists", ""),
            (json!({"email_address": ["not an email"], "password": "a long passphrase"}), "form_param_format_invalid", "email_address"),
            (json!({"password": "a long passphrase"}), "form_param_missing", "email_address"),
            (json!({"email_address": ["a@example.com"], "password": "short"}), "form_password_length_too_short", "password"),
            (json!({"email_address": ["a@example.com"], "password": "password123"}), "form_password_pwned", "password"),
            (json!({"email_address": ["a@example.com"]}), "form_param_missing", "password"),
            (json!({"email_address": ["a@example.com"], "password": "a long passphrase", "colour": "red"}), "form_param_unknown", "colour"),
            (json!({"email_address": "a@example.com", "password": "a long passphrase"}), "request_body_invalid", ""),
            (json!({"email_address": ["a@example.com"], "password": "a long passphrase", "public_metadata": [1]}), "form_param_value_invalid", "public_metadata"),
        ];
        for (body, code, param) in cases {
            let r = admin.post("/users", body.clone()).await;
            assert!(r.status.is_client_error(), "{body}: {}", r.status);
            assert_eq!(r.error_code(), code, "{body}: {}", r.body);
            if !param.is_empty() {
                assert_eq!(r.error_param(), param, "{body}");
            }
        }
        // skip_password_checks lets an operator set a password the rules would refuse.
        let r = admin.post("/users", json!({"email_address": ["b@example.com"], "password": "password123", "skip_password_checks": true})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // A body that is not JSON at all.
        let r = Res::from(reqwest::Client::new().post(app.url("/admin/v1/users")).bearer_auth(&admin.key).body("{nope").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), "request_body_invalid");
        // Nothing half-written: one user per successful create only.
        let r = admin.get("/users").await;
        assert_eq!(r.body["total_count"], 2);
        // A query that does not parse gets the errors array too, not plain text.
        for path in ["/users?limit=ten", "/audit_events?until=null", "/waitlist_entries?limit=-1"] {
            let r = admin.get(path).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert_eq!(r.error_code(), "form_param_format_invalid", "{path}: {}", r.body);
        }
    }

    async fn banned_and_locked_users_cannot_sign_in(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let id = admin.create_user("eve@example.com", "a long passphrase").await;
        let (b, r) = app.password_sign_in("eve@example.com", "a long passphrase").await;
        assert_eq!(r.body["response"]["status"], "complete");
        let r = admin.post(&format!("/users/{id}/ban"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["banned"], true);
        let signed_in_at = r.body["last_sign_in_at"].clone();
        assert!(signed_in_at.is_i64(), "{}", r.body);
        // Her session is revoked...
        assert_eq!(app.get_as(&b, "/v1/client").await.body["client"]["sessions"], json!([]));
        assert_eq!(admin.get(&format!("/users/{id}/sessions")).await.body["data"], json!([]));
        // ...and she cannot sign in again, even with the right password; the refused attempt
        // is no sign-in.
        app.clock.advance_secs(5);
        let r = signs_in(&app, "eve@example.com", "a long passphrase").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.error_code(), "user_banned");
        assert_eq!(admin.get(&format!("/users/{id}")).await.body["last_sign_in_at"], signed_in_at);
        admin.post(&format!("/users/{id}/unban"), json!({})).await;
        assert_eq!(signs_in(&app, "eve@example.com", "a long passphrase").await.body["response"]["status"], "complete");

        let r = admin.post(&format!("/users/{id}/lock"), json!({})).await;
        assert_eq!(r.body["locked"], true);
        let r = signs_in(&app, "eve@example.com", "a long passphrase").await;
        assert_eq!(r.error_code(), "user_locked");
        admin.post(&format!("/users/{id}/unlock"), json!({})).await;
        assert_eq!(signs_in(&app, "eve@example.com", "a long passphrase").await.body["response"]["status"], "complete");

        // An admin revokes one session.
        let sessions = admin.get(&format!("/users/{id}/sessions")).await.body["data"].clone();
        let sid = sessions[0]["id"].as_str().unwrap();
        let r = admin.post(&format!("/sessions/{sid}/revoke"), json!({})).await;
        assert_eq!(r.body["status"], "revoked");
        assert_eq!(admin.post("/sessions/sess_nope/revoke", json!({})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(admin.post("/users/user_nope/ban", json!({})).await.status, StatusCode::NOT_FOUND);
    }

    async fn a_ban_during_sign_ins_leaves_no_session_behind(backend) {
        // Sign-ins and a ban at the same moment: whichever way each sign-in went, the user
        // has no session once the ban has answered and the sign-ins have finished.
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let id = admin.create_user("eve@example.com", "a long passphrase").await;
        for round in 0..3 {
            let attempts = futures_util::future::join_all(
                (0..6).map(|_| app.password_sign_in("eve@example.com", "a long passphrase")),
            );
            let ban = async {
                tokio::time::sleep(std::time::Duration::from_millis(20 * round)).await;
                admin.post(&format!("/users/{id}/ban"), json!({})).await
            };
            let (results, ban) = tokio::join!(attempts, ban);
            assert_eq!(ban.status, StatusCode::OK, "{}", ban.body);
            for (_, r) in &results {
                assert!(r.status == StatusCode::OK || r.error_code() == "user_banned", "{}", r.body);
            }
            assert_eq!(admin.get(&format!("/users/{id}/sessions")).await.body["data"], json!([]), "round {round}");
            admin.post(&format!("/users/{id}/unban"), json!({})).await;
        }
    }

    async fn user_pages_are_stable_and_searchable(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let mut ids = Vec::new();
        for i in 0..7 {
            ids.push(admin.create_user(&format!("user{i}@example.com"), "a long passphrase").await);
            // Several users in one millisecond must still page correctly; move sometimes.
            if i % 3 == 0 { app.clock.advance_secs(1); }
        }
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &after { Some(c) => format!("/users?limit=3&after={c}"), None => "/users?limit=3".into() };
            let r = admin.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            if pages == 0 { assert_eq!(r.body["total_count"], 7); }
            for u in r.body["data"].as_array().unwrap() {
                seen.push((u["created_at"].as_i64().unwrap(), u["id"].as_str().unwrap().to_owned()));
            }
            pages += 1;
            if pages == 1 {
                // A user added mid-listing lands at the end, never duplicating a page.
                app.clock.advance_secs(1);
                ids.push(admin.create_user("late@example.com", "a long passphrase").await);
            }
            match r.body["next_cursor"].as_str() {
                Some(c) => after = Some(c.to_owned()),
                None => break,
            }
        }
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "oldest first, ties by id: {seen:?}");
        let mut got: Vec<String> = seen.into_iter().map(|(_, id)| id).collect();
        got.sort();
        ids.sort();
        assert_eq!(got, ids, "every user exactly once");
        let r = admin.get("/users?query=USER3").await;
        let found: Vec<&str> = r.body["data"].as_array().unwrap().iter().map(|u| u["email_addresses"][0]["email_address"].as_str().unwrap()).collect();
        assert_eq!(found, ["user3@example.com"]);
        let r = admin.get("/users?query=100%25").await;
        assert_eq!(r.body["data"], json!([]), "LIKE wildcards are literal");
        let r = admin.get("/users?after=garbage").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_param(), "after");
    }

    async fn users_read_together_each_get_their_own_rows(backend) {
        use portcullis::store::{factors, users};
        let Some(app) = TestApp::spawn(backend).await else { return };
        let db = &app.app.db;
        let now = 1_700_000_000_000;
        let user = |id: &str, emails: &[&str], phones: &[&str], wallets: &[&str]| users::NewUser {
            id: id.into(), username: Some(format!("name_{id}")), first_name: None, last_name: None,
            password_hash: None, unsafe_metadata: "{}".into(), public_metadata: "{}".into(),
            private_metadata: "{}".into(), external_id: None, locale: None, legal_accepted_at: None,
            signed_in: false,
            emails: emails.iter().enumerate().map(|(i, e)| (format!("idn_{id}_e{i}"), (*e).into(), "admin".into())).collect(),
            phones: phones.iter().enumerate().map(|(i, p)| (format!("idn_{id}_p{i}"), (*p).into(), "admin".into())).collect(),
            wallets: wallets.iter().enumerate().map(|(i, w)| (format!("idn_{id}_w{i}"), (*w).into(), "admin".into())).collect(),
            now,
        };
        // Email only; email, phones and a wallet; a phone with an app and backup codes; nothing.
        users::insert_user(db, user("user_a", &["a@example.com"], &[], &[])).await.unwrap();
        users::insert_user(db, user("user_b", &["b1@example.com", "b2@example.com"],
            &["+15555550101", "+15555550102"], &["0x52908400098527886E0F7030069857D2E4169EE7"])).await.unwrap();
        users::insert_user(db, user("user_c", &[], &["+15555550103"], &[])).await.unwrap();
        users::insert_user(db, user("user_d", &[], &[], &[])).await.unwrap();
        let totp = |id: &str, user_id: &str, verified: bool| factors::TotpRow {
            id: id.into(), user_id: user_id.into(), secret: "s".into(), verified,
            last_used_step: None, created_at: now, updated_at: now,
        };
        factors::replace_totp(db, totp("totp_c", "user_c", true)).await.unwrap();
        // An app not yet confirmed is no second factor.
        factors::replace_totp(db, totp("totp_a", "user_a", false)).await.unwrap();
        factors::replace_backup_codes(db, "user_c",
            (0..3).map(|i| (format!("bc_{i}"), format!("hash{i}"))).collect(), now).await.unwrap();
        assert!(factors::spend_backup_code(db, "bc_1", now).await.unwrap());

        let ids: Vec<String> = ["user_d", "user_c", "nobody", "user_b", "user_a"].map(String::from).into();
        let read = users::read_users(db, &ids).await.unwrap();
        let order: Vec<&str> = read.iter().map(|r| r.user.id.as_str()).collect();
        assert_eq!(order, ["user_d", "user_c", "user_b", "user_a"], "the caller's order, the missing left out");
        let addresses = |r: &users::UserRecord| -> (Vec<String>, Vec<String>, Vec<String>) { (
            r.emails.iter().map(|e| e.email_address.clone()).collect(),
            r.phones.iter().map(|p| p.phone_number.clone()).collect(),
            r.wallets.iter().map(|w| w.web3_wallet.clone()).collect(),
        ) };
        let (d, c, b, a) = (&read[0], &read[1], &read[2], &read[3]);
        assert_eq!(addresses(d), (vec![], vec![], vec![]));
        assert_eq!((d.totp, d.backup_codes), (false, 0));
        assert_eq!(addresses(c), (vec![], vec!["+15555550103".into()], vec![]));
        assert_eq!((c.totp, c.backup_codes), (true, 2), "a verified app; two codes unspent");
        assert_eq!(addresses(b), (
            vec!["b1@example.com".into(), "b2@example.com".into()],
            vec!["+15555550101".into(), "+15555550102".into()],
            vec!["0x52908400098527886E0F7030069857D2E4169EE7".into()],
        ));
        assert_eq!(addresses(a), (vec!["a@example.com".into()], vec![], vec![]));
        assert_eq!((a.totp, a.backup_codes), (false, 0), "an unconfirmed app does not count");
        for r in &read {
            assert!(r.passkeys.is_empty() && r.external.is_empty() && r.memberships.is_empty());
        }
        // One user alone reads the same as in company.
        let alone = users::get_user(db, "user_b").await.unwrap().unwrap();
        assert_eq!(addresses(&alone), addresses(b));
    }

    async fn search_finds_a_user_by_any_part_and_lists_them_once(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let r = admin.post("/users", json!({
            "email_address": ["grace.hopper@navy.example"], "phone_number": ["+14155550123"],
            "first_name": "Grace", "last_name": "Hopper", "password": "a long passphrase",
        })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let grace = r.body["id"].as_str().unwrap().to_owned();
        admin.create_user("someone.else@example.com", "a long passphrase").await;
        let found = |q: &'static str| {
            let admin = &admin;
            async move {
                let r = admin.get(&format!("/users?query={q}")).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.body["data"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
            }
        };
        // The email address, the number, either name, any part of them, any case; the id
        // whole. "hopper" is in the address and the last name: the user is listed once.
        for q in ["navy.example", "5550123", "%2B1415", "GRACE", "opp", "hopper"] {
            assert_eq!(found(q).await, std::slice::from_ref(&grace), "{q}");
        }
        assert_eq!(admin.get(&format!("/users?query={grace}")).await.body["data"][0]["id"], grace.as_str());
        assert_eq!(found("example.com").await.len(), 1);
        assert!(found("nobody").await.is_empty());
        assert!(found("_").await.is_empty(), "a LIKE wildcard is literal");
    }

    async fn invitations_are_made_listed_and_revoked(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let r = admin.post("/invitations", json!({"email_address": "inv@example.com", "expires_in_days": 3})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "pending");
        let url = r.body["url"].as_str().unwrap();
        let ticket = url.split("__clerk_ticket=").nth(1).unwrap().to_owned();
        let revoked = admin.post("/invitations", json!({"email_address": "gone@example.com"})).await;
        let revoked_id = revoked.body["id"].as_str().unwrap();
        let revoked_ticket = revoked.body["url"].as_str().unwrap().split("__clerk_ticket=").nth(1).unwrap().to_owned();
        let r = admin.post(&format!("/invitations/{revoked_id}/revoke"), json!({})).await;
        assert_eq!(r.body["status"], "revoked");
        assert_eq!(admin.post(&format!("/invitations/{revoked_id}/revoke"), json!({})).await.status, StatusCode::NOT_FOUND);
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("strategy", "ticket"), ("ticket", &revoked_ticket), ("password", "a long passphrase")]).await;
        assert_eq!(r.error_param(), "ticket", "a revoked invitation no longer works");
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("strategy", "ticket"), ("ticket", &ticket), ("password", "a long passphrase")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let list = admin.get("/invitations").await.body["data"].clone();
        let status = |email: &str| list.as_array().unwrap().iter().find(|i| i["email_address"] == email).unwrap()["status"].clone();
        assert_eq!(status("inv@example.com"), "accepted");
        assert_eq!(status("gone@example.com"), "revoked");
        assert!(list[0]["url"].is_null(), "the link is shown once");
        assert_eq!(admin.post("/invitations", json!({"email_address": "x"})).await.error_param(), "email_address");
        assert_eq!(admin.post("/invitations", json!({"email_address": "x@example.com", "expires_in_days": 0})).await.error_param(), "expires_in_days");
    }

    async fn restricted_mode_takes_invitations_only(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.sign_up_mode = portcullis::config::SignUpMode::Restricted).await else { return };
        let admin = Admin::new(&app).await;
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("email_address", "walkin@example.com"), ("password", "a long passphrase")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.error_code(), "sign_up_mode_restricted");
        let env = app.get("/v1/environment").await;
        assert_eq!(env.body["user_settings"]["sign_up"]["mode"], "restricted");
        let r = admin.post("/invitations", json!({"email_address": "invited@example.com"})).await;
        let ticket = r.body["url"].as_str().unwrap().split("__clerk_ticket=").nth(1).unwrap().to_owned();
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("strategy", "ticket"), ("ticket", &ticket), ("password", "a long passphrase")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        // The operator can still create users directly.
        admin.create_user("direct@example.com", "a long passphrase").await;
    }

    async fn waitlist_mode_collects_addresses_for_invitation(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.auth.sign_up_mode = portcullis::config::SignUpMode::Waitlist).await else { return };
        let admin = Admin::new(&app).await;
        let r = app.post("/v1/waitlist", &[("email_address", "Hopeful@Example.com")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["object"], "waitlist_entry");
        assert_eq!(r.body["response"]["status"], "pending");
        let again = app.post("/v1/waitlist", &[("email_address", "hopeful@example.com")]).await;
        assert_eq!(again.body["response"]["id"], r.body["response"]["id"], "joining twice is one entry");
        assert_eq!(app.post("/v1/waitlist", &[("email_address", "nope")]).await.error_param(), "email_address");
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("email_address", "hopeful@example.com"), ("password", "a long passphrase")]).await;
        assert_eq!(r.error_code(), "sign_up_mode_restricted");
        let entries = admin.get("/waitlist_entries?status=pending").await.body["data"].clone();
        assert_eq!(entries.as_array().unwrap().len(), 1);
        let id = entries[0]["id"].as_str().unwrap();
        let r = admin.post(&format!("/waitlist_entries/{id}/invite"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["status"], "invited");
        let ticket = r.body["invitation"]["url"].as_str().unwrap().split("__clerk_ticket=").nth(1).unwrap().to_owned();
        assert_eq!(admin.post(&format!("/waitlist_entries/{id}/invite"), json!({})).await.status, StatusCode::BAD_REQUEST);
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("strategy", "ticket"), ("ticket", &ticket), ("password", "a long passphrase")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }

    async fn allowlist_and_blocklist_patterns_decide_sign_ups(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.blocklist = vec!["*@*.blocked.example".into()];
            s.auth.block_email_subaddresses = true;
            s.auth.block_disposable_email_domains = true;
        }).await else { return };
        let admin = Admin::new(&app).await;
        let try_sign_up = |email: &'static str| {
            let app = &app;
            async move { app.post_as(&browser(), "/v1/client/sign_ups", &[("email_address", email), ("password", "a long passphrase")]).await }
        };
        for email in ["a@mail.blocked.example", "a+tag@example.com", "a@mailinator.com", "a@x.yopmail.com"] {
            let r = try_sign_up(email).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}: {}", r.body);
            assert_eq!(r.error_code(), "not_allowed_access", "{email}");
            assert_eq!(r.error_param(), "email_address");
        }
        assert_eq!(try_sign_up("a@blocked.example").await.status, StatusCode::OK, "*@*. covers subdomains only");
        let r = admin.post("/blocklist_identifiers", json!({"identifier": "*@Spam.Example"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["identifier"], "*@spam.example");
        let block_id = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(try_sign_up("x@SPAM.example").await.error_code(), "not_allowed_access");
        assert_eq!(admin.send("DELETE", &format!("/blocklist_identifiers/{block_id}"), None).await.status, StatusCode::OK);
        assert_eq!(try_sign_up("y@spam.example").await.status, StatusCode::OK);
        // With an allowlist, only listed identifiers may sign up.
        let r = admin.post("/allowlist_identifiers", json!({"identifier": "*@corp.example"})).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(admin.get("/allowlist_identifiers").await.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(try_sign_up("z@other.example").await.error_code(), "not_allowed_access");
        assert_eq!(try_sign_up("z@corp.example").await.status, StatusCode::OK);
        assert_eq!(admin.post("/allowlist_identifiers", json!({"identifier": "*@"})).await.error_param(), "identifier");
        assert_eq!(admin.send("DELETE", "/allowlist_identifiers/alid_nope", None).await.status, StatusCode::NOT_FOUND);
    }

    async fn clients_and_their_secrets_are_managed(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let r = admin.post("/oauth_clients", json!({
            "client_id": "reports", "name": "Reports", "redirect_uris": ["https://reports.example.com/cb"],
            "grant_types": ["authorization_code", "client_credentials"], "scopes": ["openid", "api"],
        })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let secret = r.body["client_secret"].as_str().unwrap().to_owned();
        let token = |secret: String| {
            let app = &app;
            async move {
                reqwest::Client::new().post(app.url("/oauth/token")).basic_auth("reports", Some(secret))
                    .form(&[("grant_type", "client_credentials"), ("scope", "api")]).send().await.unwrap().status()
            }
        };
        assert_eq!(token(secret.clone()).await, StatusCode::OK);
        let r = admin.post("/oauth_clients/reports/rotate_secret", json!({})).await;
        let new_secret = r.body["client_secret"].as_str().unwrap().to_owned();
        assert_eq!(token(secret).await, StatusCode::UNAUTHORIZED, "the old secret stops at once");
        assert_eq!(token(new_secret.clone()).await, StatusCode::OK);
        let r = admin.get("/oauth_clients/reports").await;
        assert!(r.body.get("client_secret").is_none() || r.body["client_secret"].is_null());
        let r = admin.send("PATCH", "/oauth_clients/reports", Some(json!({"redirect_uris": ["https://reports.example.com/cb2"]}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["redirect_uris"], json!(["https://reports.example.com/cb2"]));
        let r = admin.send("PATCH", "/oauth_clients/reports", Some(json!({"redirect_uris": ["http://reports.example.com/cb"]}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(admin.post("/oauth_clients", json!({"client_id": "reports", "redirect_uris": ["https://a.example.com/cb"]})).await.error_param(), "client_id");
        let r = admin.post("/oauth_clients", json!({"client_id": "spa", "redirect_uris": ["https://spa.example.com/cb"], "public": true})).await;
        assert!(r.body["client_secret"].is_null());
        assert_eq!(r.body["public"], true);
        assert_eq!(admin.get("/oauth_clients").await.body["data"].as_array().unwrap().len(), 2);
        assert_eq!(admin.send("DELETE", "/oauth_clients/reports", None).await.status, StatusCode::OK);
        assert_eq!(token(new_secret).await, StatusCode::UNAUTHORIZED);
        assert_eq!(admin.get("/oauth_clients/reports").await.status, StatusCode::NOT_FOUND);
    }

    async fn a_client_removed_from_a_shell_stops_working_within_a_second(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let r = admin.post("/oauth_clients", json!({
            "client_id": "nightly", "redirect_uris": ["https://nightly.example.com/cb"],
            "grant_types": ["client_credentials"], "scopes": ["api"],
        })).await;
        let secret = r.body["client_secret"].as_str().unwrap().to_owned();
        let token = || async {
            reqwest::Client::new().post(app.url("/oauth/token")).basic_auth("nightly", Some(secret.clone()))
                .form(&[("grant_type", "client_credentials")]).send().await.unwrap().status()
        };
        assert_eq!(token().await, StatusCode::OK);
        assert_eq!(token().await, StatusCode::OK, "now from memory");
        // `portcullis clients remove` in another process: no announcement, only the change
        // count in the database, which the server compares four times a second.
        let settings = (*app.app.settings()).clone();
        portcullis::cli::clients(&settings, portcullis::cli::ClientsCommand::Remove { id: "nightly".into() })
            .await
            .unwrap();
        crate::helpers::answered_within(std::time::Duration::from_secs(1), StatusCode::UNAUTHORIZED, token).await;
    }

    async fn signing_keys_rotate_and_audit_events_are_filtered(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let keys = admin.get("/signing_keys").await.body["data"].clone();
        // ES256 (ID and access tokens) and RS256 (session tokens).
        assert_eq!(keys.as_array().unwrap().len(), 2, "{keys}");
        assert!(keys.as_array().unwrap().iter().all(|k| k["state"] == "signing"), "{keys}");
        let r = admin.post("/signing_keys/rotate", json!({"publish_delay_secs": 60})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let states: Vec<&str> = r.body["data"].as_array().unwrap().iter().map(|k| k["state"].as_str().unwrap()).collect();
        assert!(states.contains(&"published") && states.contains(&"retiring"), "{states:?}");
        assert_eq!(app.get("/.well-known/jwks.json").await.body["keys"].as_array().unwrap().len(), 4, "the new keys are published at once");
        assert_eq!(admin.post("/signing_keys/rotate", json!({"publish_delay_secs": -1})).await.error_param(), "publish_delay_secs");

        let a = admin.create_user("a@example.com", "a long passphrase").await;
        admin.create_user("b@example.com", "a long passphrase").await;
        app.clock.advance_secs(1);
        admin.post(&format!("/users/{a}/lock"), json!({})).await;
        let r = admin.get(&format!("/audit_events?user_id={a}")).await;
        let kinds: Vec<&str> = r.body["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["admin.user.locked", "admin.user.created"], "newest first, this user only");
        assert_eq!(r.body["data"][0]["detail"]["admin_key_name"], "tests");
        let r = admin.get("/audit_events?type=admin.user.created&limit=1").await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
        let next = r.body["next_cursor"].as_str().unwrap().to_owned();
        let r2 = admin.get(&format!("/audit_events?type=admin.user.created&limit=1&after={next}")).await;
        assert_eq!(r2.body["data"].as_array().unwrap().len(), 1);
        assert_ne!(r.body["data"][0]["id"], r2.body["data"][0]["id"]);
        assert!(r2.body["next_cursor"].is_null());
        assert_eq!(admin.get("/audit_events?type=admin.keys.rotated").await.body["data"].as_array().unwrap().len(), 1);
    }

    async fn openapi_describes_every_admin_route(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let admin = Admin::new(&app).await;
        let doc = app.get("/openapi.json").await;
        assert_eq!(doc.status, StatusCode::OK);
        assert_eq!(doc.body["openapi"], "3.1.0");
        assert_eq!(doc.body["servers"][0]["url"], app.address.as_str());
        // Rendered once and revalidated like discovery.
        let etag = doc.headers["etag"].to_str().unwrap().to_owned();
        let again = reqwest::Client::new().get(app.url("/openapi.json")).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let paths = doc.body["paths"].as_object().unwrap();
        let admin_paths: Vec<_> = paths.iter().filter(|(p, _)| p.starts_with("/admin/v1/")).collect();
        assert!(admin_paths.len() >= 20, "{}", admin_paths.len());
        // Every documented operation reaches a handler: not the catch-all of unknown paths.
        for (path, ops) in admin_paths {
            for method in ops.as_object().unwrap().keys() {
                let concrete = path.trim_start_matches("/admin/v1").replace("{id}", "nope");
                let body = (method != "get" && method != "delete").then(|| json!({}));
                let r = admin.send(&method.to_uppercase(), &concrete, body).await;
                assert!(r.status.as_u16() < 500, "{method} {path}: {}", r.body);
                assert!(
                    !r.body["errors"][0]["long_message"].as_str().unwrap_or("").contains("admin endpoint"),
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }

    async fn openapi_describes_every_frontend_account_and_oidc_route(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let doc = app.get("/openapi.json").await;
        let paths = doc.body["paths"].as_object().unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for (path, ops) in paths.iter().filter(|(p, _)| !p.starts_with("/admin/")) {
            for (method, op) in ops.as_object().unwrap() {
                seen.insert(op["tags"][0].as_str().unwrap().to_owned());
                if path == "/v1/testing/outbox" {
                    continue; // outside test mode it answers as an unknown path, on purpose
                }
                let concrete = path.replace("{id}", "nope");
                let request = browser()
                    .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
                    .header("content-type", "application/x-www-form-urlencoded");
                let r = Res::from(request.send().await.unwrap()).await;
                assert!(r.status.as_u16() < 500, "{method} {path}: {} {}", r.status, r.body);
                // Not the Frontend API's catch-all, and not an unrouted path or method.
                assert!(
                    !r.body["errors"][0]["long_message"].as_str().unwrap_or("").contains("no Frontend API endpoint"),
                    "{method} {path} is documented but not routed"
                );
                assert!(
                    r.status != StatusCode::METHOD_NOT_ALLOWED
                        && !(r.status == StatusCode::NOT_FOUND && r.headers.get("content-type").is_none()),
                    "{method} {path} is documented but not routed: {}",
                    r.status
                );
            }
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["account", "backend", "frontend", "oidc"],
            "each API is documented"
        );
        // Bodies list exactly what the flow accepts: an undocumented parameter is refused.
        let sign_in = &paths["/v1/client/sign_ins"]["post"]["requestBody"]["content"]
            ["application/x-www-form-urlencoded"]["schema"]["properties"];
        assert!(sign_in.get("identifier").is_some() && sign_in.get("strategy").is_some());
        let r = app.post("/v1/client/sign_ins", &[("identifier", "a@example.com"), ("bogus", "1")]).await;
        assert_eq!(r.error_code(), "form_param_unknown");
    }
}
