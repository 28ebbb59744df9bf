//! Token exchange (RFC 8693): a service trades a user's access token for its own, acting for
//! the user (delegation, with `act`) or as the user (impersonation, only when configured);
//! and the exchanges that must fail: wider scope, another client's tokens, a
//! client acting as another, forged tokens, and tokens of a revoked session.

use reqwest::StatusCode;
use serde_json::json;

use crate::backend_tests;
use crate::helpers::{Res, TestApp};
use crate::oidc::{
    RP_REDIRECT, browser_signed_up, client, decode_payload, post_form, tokens_for, with_clients,
};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

/// `svc` may exchange the tokens of `rp` with its own token as the actor; `imp` may also
/// impersonate; `rp2` is a first-party app neither trusts.
fn with_exchange_clients(s: &mut portcullis::config::Settings) {
    with_clients(s);
    let mut svc = client(
        "svc",
        Some("svc-secret"),
        "https://svc.example.com/cb",
        true,
    );
    svc.grant_types = vec!["client_credentials".into(), GRANT.into()];
    svc.token_exchange_from = vec!["rp".into()];
    let mut imp = client(
        "imp",
        Some("imp-secret"),
        "https://imp.example.com/cb",
        true,
    );
    imp.grant_types = vec![GRANT.into()];
    imp.token_exchange_from = vec!["rp".into()];
    imp.token_exchange_impersonation = true;
    s.clients.extend([
        svc,
        imp,
        client("rp2", Some("rp2-secret"), RP_REDIRECT, true),
    ]);
}

/// Ada's access token from `id`, by the code flow in `browser`.
async fn user_token(app: &TestApp, browser: &reqwest::Client, id: &str, secret: &str) -> String {
    tokens_for(app, browser, id, secret).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn client_token(app: &TestApp, id: &str, secret: &str) -> String {
    let t = post_form(
        app,
        "/oauth/token",
        &[("grant_type", "client_credentials")],
        Some((id, secret)),
    )
    .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    t.body["access_token"].as_str().unwrap().to_owned()
}

/// What a refused exchange is: its name, the client, the form and the error expected.
type Case = (
    &'static str,
    (&'static str, &'static str),
    Vec<(String, String)>,
    &'static str,
);

async fn exchange(app: &TestApp, who: (&str, &str), form: &[(&str, &str)]) -> Res {
    let mut all = vec![("grant_type", GRANT)];
    all.extend_from_slice(form);
    post_form(app, "/oauth/token", &all, Some(who)).await
}

async fn userinfo(app: &TestApp, token: &str) -> Res {
    Res::from(
        reqwest::Client::new()
            .get(app.url("/oauth/userinfo"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

backend_tests! {
    async fn services_act_for_users_with_exchanged_tokens(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_exchange_clients).await else { return };
        let d = app.get("/.well-known/openid-configuration").await;
        assert!(d.body["grant_types_supported"].as_array().unwrap().iter().any(|g| g == GRANT));
        let b = browser_signed_up(&app, "ada@example.com").await;
        let ada = user_token(&app, &b, "rp", "rp-secret").await;
        let ada_claims = decode_payload(&ada);
        let svc = client_token(&app, "svc", "svc-secret").await;

        // Delegation: the new token is Ada's, for svc, with svc named as the actor.
        let r = exchange(&app, ("svc", "svc-secret"), &[("subject_token", &ada), ("subject_token_type", ACCESS),
            ("actor_token", &svc), ("actor_token_type", ACCESS)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["issued_token_type"], ACCESS);
        assert_eq!(r.body["token_type"], "Bearer");
        assert!(r.body.get("refresh_token").is_none() && r.body.get("id_token").is_none(), "{}", r.body);
        let delegated = r.body["access_token"].as_str().unwrap().to_owned();
        let c = decode_payload(&delegated);
        assert_eq!(c["sub"], ada_claims["sub"]);
        assert_eq!(c["client_id"], "svc");
        assert_eq!(c["act"], json!({"sub": "svc", "client_id": "svc"}));
        assert_eq!(c["scope"], "openid email offline_access");
        assert!(c["exp"].as_i64() <= ada_claims["exp"].as_i64(), "never outlives the subject token");
        assert_eq!(userinfo(&app, &delegated).await.body["email"], "ada@example.com");
        let i = post_form(&app, "/oauth/introspect", &[("token", &delegated)], Some(("svc", "svc-secret"))).await;
        assert_eq!((i.body["active"].as_bool(), &i.body["act"]), (Some(true), &json!({"sub": "svc", "client_id": "svc"})));
        // Exchanged again by the same service (a chain): the actors nest (§4.1).
        let r = exchange(&app, ("svc", "svc-secret"), &[("subject_token", &delegated), ("subject_token_type", ACCESS),
            ("actor_token", &svc), ("actor_token_type", ACCESS), ("scope", "email")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = decode_payload(r.body["access_token"].as_str().unwrap());
        assert_eq!(c["scope"], "email");
        assert_eq!(c["act"], json!({"sub": "svc", "client_id": "svc", "act": {"sub": "svc", "client_id": "svc"}}));

        // Impersonation: only for the client configured for it; no act.
        let r = exchange(&app, ("imp", "imp-secret"), &[("subject_token", &ada), ("subject_token_type", ACCESS)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = decode_payload(r.body["access_token"].as_str().unwrap());
        assert!(c.get("act").is_none() && c["client_id"] == "imp", "{c}");
        // Without an actor token, a client that may not impersonate is itself the actor.
        let r = exchange(&app, ("svc", "svc-secret"), &[("subject_token", &ada), ("subject_token_type", ACCESS)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = decode_payload(r.body["access_token"].as_str().unwrap());
        assert_eq!(c["act"], json!({"sub": "svc", "client_id": "svc"}), "svc only delegates");

        // Every exchange is in the audit trail.
        let events = crate::audit::events(&app, "token.exchanged", 3).await;
        assert!(events.iter().any(|e| e.detail.contains("\"impersonation\":true")), "{events:?}");

        // The user revokes the session from another device: what was exchanged from it
        // ends with it.
        let (other, _) = app.password_sign_in("ada@example.com", "correct horse").await;
        let sid = ada_claims["sid"].as_str().unwrap();
        let r = app.post_as(&other, &format!("/v1/me/sessions/{sid}/revoke"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(userinfo(&app, &delegated).await.status, StatusCode::UNAUTHORIZED);
        let r = exchange(&app, ("svc", "svc-secret"), &[("subject_token", &ada), ("subject_token_type", ACCESS),
            ("actor_token", &svc), ("actor_token_type", ACCESS)]).await;
        assert_eq!(r.body["error"], "invalid_request", "{}", r.body);
    }

    async fn exchanges_that_must_fail(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_exchange_clients).await else { return };
        let b = browser_signed_up(&app, "ada@example.com").await;
        let ada = user_token(&app, &b, "rp", "rp-secret").await;
        let ada_elsewhere = user_token(&app, &b, "rp2", "rp2-secret").await;
        let svc = client_token(&app, "svc", "svc-secret").await;
        let rp_own = client_token(&app, "rp", "rp-secret").await;
        let forged = {
            let mut parts: Vec<String> = ada.split('.').map(str::to_owned).collect();
            use base64::Engine;
            let mut claims = decode_payload(&ada);
            claims["scope"] = json!("openid email phone admin");
            parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
            parts.join(".")
        };
        let delegate = |subject: String, actor: String| vec![
            ("subject_token".to_owned(), subject), ("subject_token_type".to_owned(), ACCESS.to_owned()),
            ("actor_token".to_owned(), actor), ("actor_token_type".to_owned(), ACCESS.to_owned()),
        ];
        let cases: Vec<Case> = vec![
            ("more scope than the subject token", ("svc", "svc-secret"),
                [delegate(ada.clone(), svc.clone()), vec![("scope".into(), "openid phone".into())]].concat(), "invalid_scope"),
            ("a token of a client svc does not trust", ("svc", "svc-secret"), delegate(ada_elsewhere.clone(), svc.clone()), "invalid_request"),
            ("a client's own token as the subject", ("svc", "svc-secret"), delegate(svc.clone(), svc.clone()), "invalid_request"),
            ("acting as another client", ("svc", "svc-secret"), delegate(ada.clone(), rp_own.clone()), "invalid_request"),
            ("a forged subject token", ("svc", "svc-secret"), delegate(forged, svc.clone()), "invalid_request"),
            ("a made-up subject token", ("svc", "svc-secret"), delegate("not-a-token".into(), svc.clone()), "invalid_request"),
            ("no subject_token_type", ("svc", "svc-secret"),
                vec![("subject_token".into(), ada.clone()), ("actor_token".into(), svc.clone()), ("actor_token_type".into(), ACCESS.into())], "invalid_request"),
            ("an unsupported token type", ("svc", "svc-secret"),
                vec![("subject_token".into(), ada.clone()), ("subject_token_type".into(), "urn:ietf:params:oauth:token-type:saml2".into())], "invalid_request"),
            ("a refresh token asked for", ("svc", "svc-secret"),
                [delegate(ada.clone(), svc.clone()), vec![("requested_token_type".into(), "urn:ietf:params:oauth:token-type:refresh_token".into())]].concat(), "invalid_request"),
            ("another audience", ("svc", "svc-secret"),
                [delegate(ada.clone(), svc.clone()), vec![("audience".into(), "https://elsewhere.example.com".into())]].concat(), "invalid_target"),
            ("a client without the grant", ("rp", "rp-secret"), delegate(ada.clone(), rp_own.clone()), "unauthorized_client"),
            ("a wrong secret", ("svc", "wrong"), delegate(ada.clone(), svc.clone()), "invalid_client"),
        ];
        for (case, who, form, error) in cases {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = exchange(&app, who, &form).await;
            assert_eq!(r.body["error"], error, "{case}: {}", r.body);
            assert!(r.body.get("access_token").is_none(), "{case}");
        }
        // A public client cannot be given the grant at all.
        let mut spa = client("spa2", None, "http://127.0.0.1:9/spa", true);
        spa.grant_types.push(GRANT.into());
        assert!(portcullis::oidc::clients::check_settings(&spa).is_err());
    }
}
