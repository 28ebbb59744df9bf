//! A client set up the way the FAPI 2.0 Security Profile asks (private_key_jwt held to ES256,
//! pushed requests only, PKCE always, DPoP-bound tokens, assertions addressed to the issuer
//! alone), driven through the cases of the OpenID Foundation's
//! `fapi2-security-profile-final-test-plan` that the other tests do not already cover (see
//! docs/conformance.md).

use portcullis::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::helpers::{Res, TestApp};
use crate::jar::{Key, es256, sign, uuid_like};
use crate::oidc::{
    DpopKey, ath, browse_to_callback, browser_signed_up, client, decode_payload, post_dpop,
    urlencode, userinfo_with, with_clients,
};

const REDIRECT: &str = "https://bank.example.com/cb";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const VERIFIER: &str = "fapi-two-pkce-verifier-0123456789-abcdefghijklmnop";

fn with_fapi_client(key: &Key) -> impl FnOnce(&mut portcullis::config::Settings) {
    let public = key.public.clone();
    move |s| {
        with_clients(s);
        let mut c = client("bank", None, REDIRECT, true);
        c.jwks = Some(json!({"keys": [public]}));
        c.token_endpoint_auth_signing_alg = Some("ES256".into());
        c.require_pushed_authorization_requests = true;
        c.dpop_bound_access_tokens = true;
        c.require_pkce = true;
        s.clients.push(c);
        s.oidc.strict_assertion_audience = true;
    }
}

/// A client assertion of `bank`, with `changes` to its claims.
fn assertion(app: &TestApp, key: &Key, changes: Value) -> String {
    let now = app.clock.now_ms() / 1000;
    let mut claims = json!({"iss": "bank", "sub": "bank", "aud": app.address,
        "iat": now, "exp": now + 60, "jti": uuid_like()});
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    sign(key, None, &claims)
}

/// Pushes bank's request with `changes` to the form (an empty value drops the parameter).
async fn push(
    app: &TestApp,
    key: &Key,
    dpop: Option<&str>,
    changes: &[(&str, &str)],
    assertion_changes: Value,
) -> Res {
    let assertion = assertion(app, key, assertion_changes);
    let challenge = portcullis::crypto::pkce_s256(VERIFIER);
    let mut form: Vec<(&str, &str)> = vec![
        ("client_id", "bank"),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("redirect_uri", REDIRECT),
        ("state", "fapi-state"),
        (
            "nonce",
            "n-01234567890123456789012345678901234567890123456789012345678901",
        ),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", &assertion),
    ];
    for (k, v) in changes {
        form.retain(|(f, _)| f != k);
        if !v.is_empty() {
            form.push((k, v));
        }
    }
    post_dpop(app, "/oauth/par", &form, None, dpop).await
}

backend_tests! {
    async fn fapi2_security_profile_cases(backend) {
        let key = es256("bank-key");
        let Some(app) = TestApp::spawn_with(backend, with_fapi_client(&key)).await else { return };
        let b = browser_signed_up(&app, "ada@example.com").await;
        let dpop = DpopKey::new();

        // fapi2-…-par-reject-invalid-http-verb: the PAR endpoint takes POST only.
        let r = reqwest::Client::new().get(app.url("/oauth/par")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        // -par-without-duplicate-parameters: a parameter sent twice is refused.
        let body = format!("client_id=bank&client_id=bank&client_assertion_type={}&client_assertion={}",
            urlencode(ASSERTION_TYPE), assertion(&app, &key, json!({})));
        let r = Res::from(reqwest::Client::new().post(app.url("/oauth/par")).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap()).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{}", r.body);
        // -par-ensure-pkce-required, -ensure-redirect-uri-in-authorization-request,
        // -ensure-response-type-code-idtoken-fails and -token-fails.
        for (change, error) in [
            (("code_challenge", ""), "invalid_request"),
            (("redirect_uri", ""), "invalid_request"),
            (("response_type", "code id_token"), "unsupported_response_type"),
            (("response_type", "token"), "unsupported_response_type"),
        ] {
            let r = push(&app, &key, None, &[change], json!({})).await;
            assert_eq!(r.body["error"], error, "{change:?}: {}", r.body);
        }
        // Client assertions (-par-endpoint-as-audience-fails, -par-endpoint-as-array-audience-fails,
        // -par-token-endpoint-as-audience-fails, -par-ensure-jwt-client-assertion-with-iat-nbf-*):
        // only the issuer, as a string, and not minted for later.
        let now = app.clock.now_ms() / 1000;
        for (changes, ok) in [
            (json!({"aud": app.url("/oauth/par")}), false),
            (json!({"aud": [app.address]}), false),
            (json!({"aud": app.url("/oauth/token")}), false),
            (json!({"iat": now + 8, "nbf": now + 8}), true),
            (json!({"iat": now + 70, "nbf": now + 70}), false),
            (json!({"exp": now - 300}), false),
            (json!({"sub": null}), false),
        ] {
            let r = push(&app, &key, None, &[], changes.clone()).await;
            if ok {
                assert_eq!(r.status, StatusCode::CREATED, "{changes}: {}", r.body);
            } else {
                assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")), "{changes}: {}", r.body);
            }
        }
        // -ensure-unsigned-authorization-request-without-using-par-fails.
        let direct = format!("{}?client_id=bank&response_type=code&scope=openid&redirect_uri={}&state=d&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode(REDIRECT), portcullis::crypto::pkce_s256(VERIFIER));
        assert_eq!(browse_to_callback(&b, &direct).await["error"], "invalid_request");

        // -happy-flow with -ensure-dpop-proof-at-par-endpoint-binding-success and a 64
        // character nonce: PAR with a DPoP proof, the code bound to the key, a DPoP-bound
        // token, userinfo with the scheme in any case (-access-token-type-header-case-sensitivity).
        let r = push(&app, &key, Some(&dpop.proof(&app, "POST", "/oauth/par", json!({}))), &[], json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let uri = r.body["request_uri"].as_str().unwrap().to_owned();
        let cb = browse_to_callback(&b, &format!("{}?client_id=bank&request_uri={}", app.url("/oauth/authorize"), urlencode(&uri))).await;
        assert_eq!(cb["state"], "fapi-state");
        assert_eq!(cb["iss"], app.address);
        let token_form = |code: &str, assertion: &str| vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()), ("code".to_owned(), code.to_owned()),
            ("redirect_uri".to_owned(), REDIRECT.to_owned()), ("code_verifier".to_owned(), VERIFIER.to_owned()),
            ("client_assertion_type".to_owned(), ASSERTION_TYPE.to_owned()), ("client_assertion".to_owned(), assertion.to_owned()),
        ];
        let as_refs = |f: &[(String, String)]| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
        // -ensure-holder-of-key-required: no proof, no token (and the code is not spent).
        let form = as_refs(&token_form(&cb["code"], &assertion(&app, &key, json!({}))));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = post_dpop(&app, "/oauth/token", &form, None, None).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "{}", r.body);
        let form = as_refs(&token_form(&cb["code"], &assertion(&app, &key, json!({}))));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let t = post_dpop(&app, "/oauth/token", &form, None, Some(&dpop.proof(&app, "POST", "/oauth/token", json!({})))).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert_eq!(t.body["token_type"], "DPoP");
        let id = decode_payload(t.body["id_token"].as_str().unwrap());
        assert_eq!(id["nonce"].as_str().map(str::len), Some(64));
        let token = t.body["access_token"].as_str().unwrap();
        for scheme in ["DPoP", "dpop", "DPOP"] {
            let proof = dpop.proof(&app, "GET", "/oauth/userinfo", json!({"ath": ath(token)}));
            let r = userinfo_with(&app, &format!("{scheme} {token}"), Some(&proof)).await;
            assert_eq!(r.body["email"], "ada@example.com", "{scheme}: {}", r.body);
        }
        // A plain bearer token of another client, in any case, at userinfo.
        let t2 = post_dpop(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("scope", "")], Some(("rp", "rp-secret")), None).await;
        let plain = t2.body["access_token"].as_str().unwrap();
        for scheme in ["Bearer", "bearer", "BEARER"] {
            let r = userinfo_with(&app, &format!("{scheme} {plain}"), None).await;
            assert_eq!(r.body["error"], "insufficient_scope", "{scheme}: the token was read: {}", r.body);
        }

        // -attempt-to-use-expired-auth-code: a code past its minute is refused.
        let r = push(&app, &key, Some(&dpop.proof(&app, "POST", "/oauth/par", json!({}))), &[], json!({})).await;
        let uri = r.body["request_uri"].as_str().unwrap().to_owned();
        let cb = browse_to_callback(&b, &format!("{}?client_id=bank&request_uri={}", app.url("/oauth/authorize"), urlencode(&uri))).await;
        app.clock.advance_secs(61);
        let form = as_refs(&token_form(&cb["code"], &assertion(&app, &key, json!({}))));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = post_dpop(&app, "/oauth/token", &form, None, Some(&dpop.proof(&app, "POST", "/oauth/token", json!({})))).await;
        assert_eq!(r.body["error"], "invalid_grant", "{}", r.body);
    }
}
