//! Clerk's backend SDK (`@clerk/backend`, installed unchanged in `tests/clerk` by
//! `npm ci --prefix tests/clerk`) against Portcullis's `/bapi/v1`: `tests/clerk/backend.mjs`
//! is an app's server code calling every method an app relies on, with its negative cases.
//! This test starts the server, makes what the script needs (an admin key as the secret key,
//! a signed-in session, a user with an authenticator app), runs the script with Node, and
//! then checks through the Frontend API what only the server can see: private metadata stays
//! private, sign-in tokens sign in once, the deleted user is gone.
//!
//! Without Node or the npm package the test is skipped, saying so, unless
//! PORTCULLIS_TEST_REQUIRE_SERVICES=1 (CI), where it fails.

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::Value;

use crate::admin::admin_key;
use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser, services_required, totp_code};

fn clerk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clerk")
}

fn sdk_installed() -> bool {
    let ok = clerk_dir()
        .join("node_modules/@clerk/backend/package.json")
        .exists();
    if !ok {
        assert!(
            !services_required(),
            "Clerk's backend SDK is required (PORTCULLIS_TEST_REQUIRE_SERVICES=1): run npm ci --prefix tests/clerk"
        );
        eprintln!("SKIPPED: Clerk backend SDK test, run `npm ci --prefix tests/clerk`");
    }
    ok
}

/// Runs `backend.mjs` with `vars`; returns the JSON object it prints last.
async fn run_script(vars: &[(&str, String)]) -> Value {
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg("backend.mjs").current_dir(clerk_dir());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), cmd.output())
        .await
        .expect("the script finishes within two minutes")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "backend.mjs failed:\n{stderr}\n{stdout}"
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("the script's last line is JSON ({e}):\n{stdout}"))
}

/// A JWT's claims, unverified (the script verified the signatures).
fn decode_claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

/// A sign-in through the Frontend API's `ticket` strategy.
async fn ticket_sign_in(app: &TestApp, ticket: &str) -> Res {
    let b = browser();
    app.post_as(
        &b,
        "/v1/client/sign_ins",
        &[("strategy", "ticket"), ("ticket", ticket)],
    )
    .await
}

backend_tests! {
    async fn clerks_backend_sdk_runs_unchanged_against_the_backend_api(backend) {
        if !sdk_installed() {
            return;
        }
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.organizations.enabled = true;
        })
        .await else { return };
        let secret_key = admin_key(&app).await;
        assert!(secret_key.starts_with("sk_live_"), "{secret_key}");

        // A signed-in user; the token is asked for from the app's origin, so `azp` names it.
        let b = app.signed_in_user("grace@example.com", "a long and good password").await;
        let r = app.get_as(&b, "/v1/client").await;
        let session_id = r.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
        let client_id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let t = Res::from(
            b.post(app.url(&format!("/v1/client/sessions/{session_id}/tokens")))
                .header("origin", &app.address)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        let jwt = t.body["jwt"].as_str().unwrap().to_owned();

        // A second user with an authenticator app; the code for the next step is still
        // unused (the enrolment spent this one).
        let mfa = app.signed_in_user("hedy@example.com", "another long good password").await;
        let (secret, _) = app.enrol_totp(&mfa).await;
        let r = app.get_as(&mfa, "/v1/me").await;
        let mfa_user = r.body["response"]["id"].as_str().unwrap().to_owned();
        use portcullis::clock::Clock;
        let code = totp_code(&secret, app.clock.now_ms(), 1);
        let digest = bcrypt::hash("hunter2 from the old system", 4).unwrap();

        let out = run_script(&[
            ("BAPI_URL", app.url("/bapi")),
            ("SECRET_KEY", secret_key.clone()),
            ("PUBLISHABLE_KEY", portcullis::cli::publishable_key(&app.app.settings()).unwrap()),
            ("APP_ORIGIN", app.address.clone()),
            ("SESSION_ID", session_id.clone()),
            ("SESSION_JWT", jwt),
            ("CLIENT_ID", client_id),
            ("TOTP_USER_ID", mfa_user),
            ("TOTP_CODE", code),
            ("BCRYPT_DIGEST", digest),
            ("ORGANIZATIONS", "1".into()),
            // What `portcullis keys session-pem` prints, for CLERK_JWT_KEY.
            (
                "JWT_KEY_PEM",
                portcullis_core::keys::session_key_pem(&app.app.db, app.clock.now_ms()).await.unwrap(),
            ),
        ])
        .await;

        // Private metadata never reaches the user's own browser.
        let (ada, r) = app.password_sign_in("ada@example.com", "correct horse battery staple").await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let me = app.get_as(&ada, "/v1/me").await;
        assert_eq!(me.body["response"]["public_metadata"]["plan"], "pro", "{}", me.body);
        assert!(me.body["response"].get("private_metadata").is_none(), "{}", me.body);
        assert!(!me.body.to_string().contains("vip"), "{}", me.body);

        // Custom session-token claims, with shortcodes, in every session token from now on;
        // a claim Portcullis sets cannot be replaced.
        let admin_http = reqwest::Client::new();
        let patch = |body: serde_json::Value| {
            admin_http
                .patch(app.url("/admin/v1/settings"))
                .bearer_auth(&secret_key)
                .json(&body)
                .send()
        };
        let r = patch(serde_json::json!({"auth": {"session_token_claims": {"sub": "user_admin"}}})).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = patch(serde_json::json!({"auth": {"session_token_claims": {"plan": "{{user.public_metadata.plan}}", "who": "{{user.first_name}} {{user.last_name}}"}}})).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let ada_session = app.get_as(&ada, "/v1/client").await.body["response"]["last_active_session_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let t = app.post_as(&ada, &format!("/v1/client/sessions/{ada_session}/tokens"), &[]).await;
        let claims = decode_claims(t.body["jwt"].as_str().unwrap());
        assert_eq!(claims["plan"], "pro", "{claims}");
        assert_eq!(claims["who"], "Augusta Lovelace", "{claims}");
        assert_eq!(claims["sub"], out["ada"], "{claims}");

        // The browser SDK's `session.getToken({ template })`: the same template through the
        // Frontend API, for the browser's own session only.
        let t = app.post_as(&ada, &format!("/v1/client/sessions/{ada_session}/tokens/{}", out["templateName"].as_str().unwrap()), &[]).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        let key = jsonwebtoken::DecodingKey::from_secret(out["templateKey"].as_str().unwrap().as_bytes());
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        v.validate_aud = false;
        let data = jsonwebtoken::decode::<Value>(t.body["jwt"].as_str().unwrap(), &key, &v).unwrap();
        assert_eq!(data.claims["email"], "ada@example.com");
        let other = app.post_as(&mfa, &format!("/v1/client/sessions/{ada_session}/tokens/{}", out["templateName"].as_str().unwrap()), &[]).await;
        assert_ne!(other.status, StatusCode::OK, "another browser's session: {}", other.body);

        // An actor token signs the operator in as the user: no second factor asked, the
        // session and its tokens name the actor, and it ends after its own limit.
        let r = ticket_sign_in(&app, out["revokedActorToken"].as_str().unwrap()).await;
        assert_ne!(r.status, StatusCode::OK, "a revoked actor token: {}", r.body);
        let operator = browser();
        let r = app.post_as(&operator, "/v1/client/sign_ins", &[("strategy", "ticket"), ("ticket", out["actorToken"].as_str().unwrap())]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let session = &r.body["client"]["sessions"][0];
        assert_eq!(session["actor"]["sub"], "user_operator_1", "{session}");
        assert_eq!(session["user"]["id"], out["ada"]);
        let act_claims = decode_claims(session["last_active_token"]["jwt"].as_str().unwrap());
        assert_eq!(act_claims["act"]["sub"], "user_operator_1", "{act_claims}");
        let expire_at = session["expire_at"].as_i64().unwrap();
        assert!(expire_at <= app.clock.now_ms() + 120_000, "the impersonation ends within two minutes");
        let r = ticket_sign_in(&app, out["actorToken"].as_str().unwrap()).await;
        assert_ne!(r.status, StatusCode::OK, "an actor token works once: {}", r.body);
        // The user sees the impersonation among their sessions.
        let mine = app.get_as(&ada, "/v1/me/sessions/active").await;
        assert!(
            mine.body["response"].as_array().unwrap().iter().any(|s| s["actor"]["sub"] == "user_operator_1"),
            "{}",
            mine.body
        );

        // The invitation's public metadata becomes the new user's; the email went out only
        // for the invitation that asked for it (carol, not dave).
        let url = out["invitationUrl"].as_str().unwrap();
        let ticket = url.split("__clerk_ticket=").nth(1).unwrap();
        let dave = browser();
        let r = app
            .post_as(&dave, "/v1/client/sign_ups", &[("strategy", "ticket"), ("ticket", ticket), ("password", "dave's long enough password")])
            .await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let me = app.get_as(&dave, "/v1/me").await;
        assert_eq!(me.body["response"]["public_metadata"]["role"], "editor", "{}", me.body);
        assert_eq!(app.mail.count_to("carol@example.com"), 1);
        assert_eq!(app.mail.count_to("dave@example.com"), 0);

        // The sign-in token signs its user in once; a revoked one never does.
        let r = ticket_sign_in(&app, out["signInToken"].as_str().unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let r = ticket_sign_in(&app, out["signInToken"].as_str().unwrap()).await;
        assert_ne!(r.status, StatusCode::OK, "a sign-in token works once: {}", r.body);
        let r = ticket_sign_in(&app, out["revokedSignInToken"].as_str().unwrap()).await;
        assert_ne!(r.status, StatusCode::OK, "a revoked sign-in token: {}", r.body);

        // The revoked session no longer answers in its browser.
        let r = app.post_as(&b, &format!("/v1/client/sessions/{session_id}/tokens"), &[]).await;
        assert_ne!(r.status, StatusCode::OK, "{}", r.body);

        // Every change is in the audit trail under the key's name.
        let kinds: Vec<String> = portcullis::store::admin::audit_page(
            &app.app.db,
            portcullis::store::admin::AuditFilter { user_id: None, kind: None, since: None, until: None },
            None,
            500,
        )
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for kind in ["admin.user.created", "admin.user.mfa_disabled", "admin.identification.added", "admin.sign_in_token.created", "admin.session.revoked", "admin.jwt_template.created", "admin.actor_token.created"] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
    }

    async fn the_backend_api_refuses_bad_keys_and_speaks_plain_json(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let http = reqwest::Client::new();
        for auth in [None, Some("Bearer sk_live_forged"), Some("Bearer sk_test_x"), Some("Basic abc")] {
            let mut req = http.get(app.url("/bapi/v1/users"));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
            assert_eq!(r.headers()["content-type"], "application/json", "exactly, for Clerk's SDK");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["errors"][0]["code"], "clerk_key_invalid", "{body}");
        }
        // Unknown paths are 404 for a key holder, 401 for anyone else.
        assert_eq!(http.get(app.url("/bapi/v1/nope")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let key = admin_key(&app).await;
        let r = http.get(app.url("/bapi/v1/nope")).bearer_auth(&key).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // Every documented operation reaches its handler, not the catch-all.
        let doc = reqwest::get(app.url("/openapi.json")).await.unwrap().json::<Value>().await.unwrap();
        let mut operations = 0;
        for (path, ops) in doc["paths"].as_object().unwrap().iter().filter(|(p, _)| p.starts_with("/bapi/v1/")) {
            for method in ops.as_object().unwrap().keys() {
                let concrete: String = path
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { "nope" } else { seg })
                    .collect::<Vec<_>>()
                    .join("/");
                let mut req = http.request(method.to_uppercase().parse().unwrap(), app.url(&concrete)).bearer_auth(&key);
                if method != "get" && method != "delete" {
                    req = req.json(&serde_json::json!({}));
                }
                let r = req.send().await.unwrap();
                let status = r.status();
                assert_eq!(r.headers()["content-type"], "application/json", "{method} {path}");
                let body = r.text().await.unwrap();
                assert!(status.as_u16() < 500, "{method} {path}: {status} {body}");
                assert!(!body.contains("no Backend API endpoint"), "{method} {path} is documented but not routed");
                operations += 1;
            }
        }
        assert!(operations >= 60, "{operations} operations");
        // A bare array, and exactly `application/json`.
        let r = http.get(app.url("/bapi/v1/users")).bearer_auth(&key).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.json::<Value>().await.unwrap(), Value::Array(vec![]));
        // An admin key from before keys were `sk_live_` still works on both APIs.
        use portcullis::clock::Clock;
        let old = "pcadm_an_older_key_made_before_the_rename";
        portcullis::store::admin::insert_admin_key(
            &app.app.db,
            portcullis::store::admin::AdminKeyRow {
                id: "akey_old".into(),
                name: "old".into(),
                key_hash: app.app.tokens.hash("admin_key", old),
                created_at: app.clock.now_ms(),
                last_used_at: None,
                revoked_at: None,
            },
        )
        .await
        .unwrap();
        for path in ["/bapi/v1/users/count", "/admin/v1/users"] {
            let r = http.get(app.url(path)).bearer_auth(old).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
        }
        // A revoked key stops at once.
        assert!(portcullis::store::admin::revoke_admin_key(&app.app.db, "tests", 1).await.unwrap());
        let r = http.get(app.url("/bapi/v1/users/count")).bearer_auth(&key).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Bad input: the `errors` array, never a 500.
        let r = http.get(app.url("/bapi/v1/users?limit=abc")).bearer_auth(old).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = http.post(app.url("/bapi/v1/users")).bearer_auth(old).header("content-type", "application/json").body("{\"email_address\": 3}").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let r = http.post(app.url("/bapi/v1/users")).bearer_auth(old).json(&serde_json::json!({"email_address": ["x@example.com"], "role": "admin"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused by name");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["meta"]["param_name"], "role", "{body}");
    }

    async fn session_tokens_are_rs256_and_published(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = app.signed_in_user("ines@example.com", "a long and good password").await;
        let r = app.get_as(&b, "/v1/client").await;
        let jwt = r.body["response"]["sessions"][0]["last_active_token"]["jwt"].as_str().unwrap();
        let header = jsonwebtoken::decode_header(jwt).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        let kid = header.kid.unwrap();
        let key = admin_key(&app).await;
        for (path, auth) in [("/.well-known/jwks.json", None), ("/bapi/v1/jwks", Some(&key))] {
            let mut req = reqwest::Client::new().get(app.url(path));
            if let Some(k) = auth {
                req = req.bearer_auth(k);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.headers()["content-type"], "application/json");
            let jwks: Value = r.json().await.unwrap();
            assert!(
                jwks["keys"].as_array().unwrap().iter().any(|k| k["kid"] == kid.as_str() && k["kty"] == "RSA"),
                "{path}: {jwks}"
            );
        }
        // The JWKS needs the secret key under /bapi.
        let r = reqwest::Client::new().get(app.url("/bapi/v1/jwks")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}
