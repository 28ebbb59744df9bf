//! The OpenID Provider, driven by an unmodified relying-party library (`openidconnect`)
//! that knows only the discovery URL, plus every rule the RP library would not test.

use std::collections::HashMap;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, RevocationUrl, Scope,
    TokenIntrospectionResponse, TokenResponse,
};
use portcullis::config::{ClientSettings, Settings};
use reqwest::StatusCode;

use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser};

pub(crate) const RP_REDIRECT: &str = "http://127.0.0.1:9/callback";
const SPA_REDIRECT: &str = "http://127.0.0.1:9/spa";
const NATIVE_REDIRECT: &str = "http://127.0.0.1/native";

pub(crate) fn client(
    id: &str,
    secret: Option<&str>,
    redirect: &str,
    first_party: bool,
) -> ClientSettings {
    let mut c: ClientSettings = serde_json::from_value(serde_json::json!({
        "client_id": id,
        "redirect_uris": [redirect],
        "post_logout_redirect_uris": ["http://127.0.0.1:9/bye"],
        "first_party": first_party,
        "name": format!("The {id} app"),
    }))
    .unwrap();
    c.client_secret = secret.map(|s| s.to_string().into());
    if secret.is_some() {
        c.grant_types.push("client_credentials".into());
        c.scopes.push("reports:read".into());
    }
    c
}

pub(crate) fn with_clients(s: &mut Settings) {
    s.clients = vec![
        client("rp", Some("rp-secret"), RP_REDIRECT, true),
        client("spa", None, SPA_REDIRECT, true),
        client("native", None, NATIVE_REDIRECT, true),
        client("thirdparty", Some("tp-secret"), RP_REDIRECT, false),
    ];
}

/// An RP HTTP client: never follows redirects (as the library asks).
fn rp_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Authorization, device, introspection, revocation, token and userinfo endpoints.
type Rp = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointSet,
    openidconnect::EndpointSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

async fn discover(app: &TestApp, id: &str, secret: Option<&str>, redirect: &str) -> Rp {
    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(app.address.clone()).unwrap(),
        &rp_http(),
    )
    .await
    .expect("discovery");
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(id.into()),
        secret.map(|s| ClientSecret::new(s.into())),
    )
    .set_redirect_uri(RedirectUrl::new(redirect.into()).unwrap())
    .set_revocation_url(RevocationUrl::new(app.url("/oauth/revoke")).unwrap())
    .set_introspection_url(IntrospectionUrl::new(app.url("/oauth/introspect")).unwrap())
}

/// Follows the browser to the redirect URI and returns its query parameters.
pub(crate) async fn browse_to_callback(
    http: &reqwest::Client,
    url: &str,
) -> HashMap<String, String> {
    let r = http.get(url).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FOUND,
        "authorize should redirect: {}",
        r.text().await.unwrap_or_default()
    );
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// A signed-in browser: signs a user up over the Frontend API in the same cookie jar.
async fn signed_in(app: &TestApp) -> reqwest::Client {
    browser_signed_up(app, "ada@example.com").await
}

backend_tests! {
    async fn confidential_rp_completes_the_whole_flow(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let rp = discover(&app, "rp", Some("rp-secret"), RP_REDIRECT).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = rp
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("offline_access".into()))
            .set_pkce_challenge(challenge)
            .url();
        let cb = browse_to_callback(&browser, url.as_str()).await;
        assert_eq!(cb["state"], *state.secret());
        assert_eq!(cb["iss"], app.address, "RFC 9207 iss in the response");

        let http = rp_http();
        let tokens = rp.exchange_code(AuthorizationCode::new(cb["code"].clone())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http).await.expect("code exchange");
        let id_token = tokens.id_token().expect("an ID token");
        let claims = id_token.claims(&rp.id_token_verifier(), &nonce).expect("ID token verifies");
        assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
        assert_eq!(claims.email_verified(), Some(true));
        assert!(claims.auth_time().is_some());
        let at_hash = claims.access_token_hash().expect("at_hash").clone();
        let expected = openidconnect::AccessTokenHash::from_token(tokens.access_token(), id_token.signing_alg().unwrap(), id_token.signing_key(&rp.id_token_verifier()).unwrap()).unwrap();
        assert_eq!(at_hash, expected);
        let raw: serde_json::Value = decode_payload(&id_token.to_string());
        // A sign-up's email code and new password are one event, not two factors.
        assert_eq!(raw["amr"], serde_json::json!(["pwd"]));
        assert!(raw["sid"].as_str().unwrap().starts_with("sess_"));
        assert_eq!(raw["azp"], "rp");

        // Userinfo with the access token.
        let info: CoreUserInfoClaims = rp.user_info(tokens.access_token().clone(), Some(claims.subject().clone())).unwrap()
            .request_async(&http).await.expect("userinfo");
        assert_eq!(info.email().map(|e| e.as_str()), Some("ada@example.com"));

        // Refresh rotates; the old token then revokes the family.
        let first_refresh = tokens.refresh_token().expect("offline_access gives a refresh token").clone();
        let refreshed = rp.exchange_refresh_token(&first_refresh).unwrap().request_async(&http).await.expect("refresh");
        let second_refresh = refreshed.refresh_token().expect("rotated").clone();
        assert_ne!(second_refresh.secret(), first_refresh.secret());
        refreshed.id_token().expect("a new ID token").claims(&rp.id_token_verifier(), |_: Option<&Nonce>| Ok(())).expect("refreshed ID token verifies");
        let reuse = rp.exchange_refresh_token(&first_refresh).unwrap().request_async(&http).await;
        assert!(reuse.is_err(), "a rotated refresh token is refused");
        let after = rp.exchange_refresh_token(&second_refresh).unwrap().request_async(&http).await;
        assert!(after.is_err(), "reuse revoked the whole family");

        // Introspection, then revocation.
        let fresh = refreshed.access_token().clone();
        let intro = rp.introspect(&fresh).request_async(&http).await.expect("introspection");
        assert!(intro.active());
        assert_eq!(intro.client_id().map(|c| c.as_str()), Some("rp"));
        // The library refuses to revoke over plain http (RFC 7009 §2 requires TLS), so the
        // revocation request is sent by hand, exactly as the library would send it.
        let r = post_form(&app, "/oauth/revoke", &[("token", fresh.secret()), ("token_type_hint", "access_token")], Some(("rp", "rp-secret"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let intro = rp.introspect(&fresh).request_async(&http).await.expect("introspection");
        assert!(!intro.active(), "revoked tokens are inactive");
        let r = Res::from(http.get(app.url("/oauth/userinfo")).bearer_auth(fresh.secret()).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers["www-authenticate"].to_str().unwrap().contains("invalid_token"));

        // RP-initiated logout with the ID token as hint.
        let logout = format!("{}?id_token_hint={}&post_logout_redirect_uri={}&state=bye-state",
            app.url("/oauth/end_session"), id_token, urlencode("http://127.0.0.1:9/bye"));
        let r = browser.get(&logout).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()["location"], "http://127.0.0.1:9/bye?state=bye-state");
        let r = app.get_as(&browser, "/v1/client").await;
        assert_eq!(r.body["client"]["sessions"], serde_json::json!([]), "signed out");
    }

    async fn public_client_uses_pkce_and_no_secret(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let rp = discover(&app, "spa", None, SPA_REDIRECT).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, nonce) = rp
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge).url();
        let cb = browse_to_callback(&browser, url.as_str()).await;
        let tokens = rp.exchange_code(AuthorizationCode::new(cb["code"].clone())).unwrap()
            .set_pkce_verifier(verifier).request_async(&rp_http()).await.expect("public exchange");
        tokens.id_token().unwrap().claims(&rp.id_token_verifier(), &nonce).expect("verifies");
        assert!(tokens.refresh_token().is_none(), "no offline_access, no refresh token");

        // Without PKCE a public client is refused at the authorization endpoint.
        let url = format!("{}?client_id=spa&response_type=code&scope=openid&redirect_uri={}&state=s1",
            app.url("/oauth/authorize"), urlencode(SPA_REDIRECT));
        let cb = browse_to_callback(&browser, &url).await;
        assert_eq!(cb["error"], "invalid_request");
        assert_eq!(cb["state"], "s1");
        // Nor may it use client_credentials or introspect.
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("client_id", "spa")], None).await;
        assert_eq!(r.body["error"], "unauthorized_client");
    }

    async fn redirect_uris_must_match_exactly(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        for bad in [
            "https://app.example.com.evil.com/callback",
            "http://127.0.0.1:9/callback/",
            "http://127.0.0.1:10/callback",
            "http://127.0.0.1:9/callback?extra=1",
            "http://localhost:9/callback",
        ] {
            let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&state=x",
                app.url("/oauth/authorize"), urlencode(bad));
            let r = browser.get(&url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
            assert!(r.headers().get("location").is_none(), "{bad}: never redirect to an unregistered URI");
            assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        }
        // Unknown client: an error page too.
        let r = browser.get(format!("{}?client_id=nobody&response_type=code&scope=openid&redirect_uri={}", app.url("/oauth/authorize"), urlencode(RP_REDIRECT))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        // A native app's loopback redirect may use any port (RFC 8252 §7.3).
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let url = format!("{}?client_id=native&response_type=code&scope=openid&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode("http://127.0.0.1:53127/native"), challenge.as_str());
        let cb = browse_to_callback(&browser, &url).await;
        assert!(cb.contains_key("code"));
    }

    async fn pkce_and_code_rules(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let authorize = |challenge: &str, method: &str| format!(
            "{}?client_id=rp&response_type=code&scope=openid%20offline_access&redirect_uri={}&code_challenge={challenge}&code_challenge_method={method}&state=st",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        // plain is refused.
        let cb = browse_to_callback(&browser, &authorize("a".repeat(43).as_str(), "plain")).await;
        assert_eq!(cb["error"], "invalid_request");

        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let basic = [("client_id", "rp"), ("client_secret", "rp-secret")];
        // Wrong verifier, then a missing one: each consumes a fresh code.
        for bad in [Some("x".repeat(50)), None] {
            let cb = browse_to_callback(&browser, &authorize(challenge.as_str(), "S256")).await;
            let mut form = vec![("grant_type", "authorization_code".to_owned()), ("code", cb["code"].clone()), ("redirect_uri", RP_REDIRECT.to_owned())];
            if let Some(v) = &bad { form.push(("code_verifier", v.clone())); }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).chain(basic).collect();
            let r = post_form(&app, "/oauth/token", &form, None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
            assert_eq!(r.body["error"], "invalid_grant");
            assert_eq!(r.headers["cache-control"], "no-store");
        }

        // A good exchange, then a replay that revokes what it issued.
        let cb = browse_to_callback(&browser, &authorize(challenge.as_str(), "S256")).await;
        let form = [("grant_type", "authorization_code"), ("code", cb["code"].as_str()), ("redirect_uri", RP_REDIRECT), ("code_verifier", verifier.secret().as_str())];
        let all: Vec<(&str, &str)> = form.iter().copied().chain(basic).collect();
        let r = post_form(&app, "/oauth/token", &all, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let access = r.body["access_token"].as_str().unwrap().to_owned();
        let refresh = r.body["refresh_token"].as_str().unwrap().to_owned();
        let header = decode_header(&access);
        assert_eq!(header["typ"], "at+jwt", "RFC 9068 access token");
        let replay = post_form(&app, "/oauth/token", &all, None).await;
        assert_eq!(replay.body["error"], "invalid_grant");
        let r = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(&access).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the replay revoked the access token");
        let r = post_form(&app, "/oauth/token", &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", "rp"), ("client_secret", "rp-secret")], None).await;
        assert_eq!(r.body["error"], "invalid_grant", "and the refresh token");

        // A redirect_uri other than the request's is refused.
        let cb = browse_to_callback(&browser, &authorize(challenge.as_str(), "S256")).await;
        let r = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &cb["code"]), ("redirect_uri", "http://127.0.0.1:9/other"), ("code_verifier", verifier.secret()), ("client_id", "rp"), ("client_secret", "rp-secret")], None).await;
        assert_eq!(r.body["error"], "invalid_grant");

        // An expired code.
        let cb = browse_to_callback(&browser, &authorize(challenge.as_str(), "S256")).await;
        app.clock.advance_secs(61);
        let r = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &cb["code"]), ("redirect_uri", RP_REDIRECT), ("code_verifier", verifier.secret()), ("client_id", "rp"), ("client_secret", "rp-secret")], None).await;
        assert_eq!(r.body["error"], "invalid_grant");
    }

    async fn twenty_concurrent_redemptions_of_one_code_succeed_once(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT), challenge.as_str());
        let cb = browse_to_callback(&browser, &url).await;
        let form = [("grant_type", "authorization_code"), ("code", cb["code"].as_str()), ("redirect_uri", RP_REDIRECT), ("code_verifier", verifier.secret().as_str()), ("client_id", "rp"), ("client_secret", "rp-secret")];
        let results = futures_util::future::join_all((0..20).map(|_| post_form(&app, "/oauth/token", &form, None))).await;
        let ok = results.iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(ok, 1, "exactly one redemption wins");
        assert!(results.iter().filter(|r| r.status != StatusCode::OK).all(|r| r.body["error"] == "invalid_grant"));
    }

    async fn client_authentication_is_enforced(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some(("rp", "wrong"))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body["error"], "invalid_client");
        assert!(r.headers["www-authenticate"].to_str().unwrap().starts_with("Basic"));
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("client_id", "rp"), ("client_secret", "rp-secretx")], None).await;
        assert_eq!(r.body["error"], "invalid_client");
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("client_id", "rp")], None).await;
        assert_eq!(r.body["error"], "invalid_client", "a confidential client must authenticate");
        let r = post_form(&app, "/oauth/token", &[("grant_type", "password")], Some(("rp", "rp-secret"))).await;
        assert_eq!(r.body["error"], "unsupported_grant_type");
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("scope", "openid")], Some(("rp", "rp-secret"))).await;
        assert_eq!(r.body["error"], "invalid_scope");
        // client_credentials with Basic authentication: a JWT access token for the client itself.
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("scope", "reports:read")], Some(("rp", "rp-secret"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.get("id_token").is_none() && r.body.get("refresh_token").is_none());
        let access = r.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(decode_payload(&access)["sub"], "rp");
        let r = post_form(&app, "/oauth/introspect", &[("token", &access)], Some(("rp", "rp-secret"))).await;
        assert_eq!(r.body["active"], true);
        assert_eq!(r.body["scope"], "reports:read");
        // Another client cannot introspect it.
        let r = post_form(&app, "/oauth/introspect", &[("token", &access)], Some(("thirdparty", "tp-secret"))).await;
        assert_eq!(r.body["active"], false);
        // Body parameters repeated are refused.
        let r = Res::from(rp_http().post(app.url("/oauth/token")).header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&grant_type=client_credentials&client_id=rp&client_secret=rp-secret").send().await.unwrap()).await;
        assert_eq!(r.body["error"], "invalid_request");
    }

    async fn sign_in_and_prompt_rules(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        let fresh = browser();
        let base = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&state=st1&nonce=n1&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT), PkceCodeChallenge::new_random_sha256().0.as_str());
        // prompt=none without a session.
        let cb = browse_to_callback(&fresh, &format!("{base}&prompt=none")).await;
        assert_eq!(cb["error"], "login_required");
        assert_eq!(cb["state"], "st1");
        assert_eq!(cb["iss"], app.address);
        // Without prompt: to the sign-in page, with the way back.
        let r = fresh.get(format!("{base}&login_hint=ada%40example.com")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        assert_eq!(location.path(), "/sign-in");
        let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
        assert_eq!(q["login_hint"], "ada@example.com");
        let resume = q["redirect_url"].clone();
        assert!(resume.starts_with(&app.url("/oauth/authorize/resume?id=")));
        // Sign in (over the Frontend API here; the hosted page does the same), then resume.
        let r = app.post_as(&fresh, "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.body["response"]["status"], "complete");
        let cb = browse_to_callback(&fresh, &resume).await;
        assert!(cb.contains_key("code"));
        assert_eq!(cb["state"], "st1");
        // The kept request yields one code: the way back, replayed, finds it gone.
        let r = fresh.get(&resume).send().await.unwrap();
        assert_ne!(r.status(), StatusCode::FOUND, "a second code from the same kept request");
        assert!(r.text().await.unwrap().contains("expired"));

        // prompt=login with a session older than the request: sign in again.
        app.clock.advance_secs(1);
        let r = fresh.get(format!("{base}&prompt=login")).send().await.unwrap();
        assert!(r.headers()["location"].to_str().unwrap().contains("/sign-in"));
        // max_age passed: sign in again; within it: a code.
        app.clock.advance_secs(120);
        let r = fresh.get(format!("{base}&max_age=60")).send().await.unwrap();
        assert!(r.headers()["location"].to_str().unwrap().contains("/sign-in"));
        let cb = browse_to_callback(&fresh, &format!("{base}&max_age=600")).await;
        assert!(cb.contains_key("code"));

        // Bad requests reported to the client.
        for (extra, error) in [
            ("&prompt=none%20login", "invalid_request"),
            ("&max_age=-1", "invalid_request"),
            ("&response_mode=fragment", "invalid_request"),
            ("&claims=notjson", "invalid_request"),
        ] {
            let cb = browse_to_callback(&fresh, &format!("{base}{extra}")).await;
            assert_eq!(cb["error"], error, "{extra}");
        }
        // A request object that cannot be verified is shown, never redirected: nothing in
        // it can be trusted.
        let r = fresh.get(format!("{base}&request=eyJ")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let url = format!("{}?client_id=rp&response_type=token&scope=openid&redirect_uri={}", app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        assert_eq!(browse_to_callback(&fresh, &url).await["error"], "unsupported_response_type");
        let url = format!("{}?client_id=rp&response_type=code&scope=openid%20admin&redirect_uri={}", app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        assert_eq!(browse_to_callback(&fresh, &url).await["error"], "invalid_scope");
    }

    async fn forged_id_token_hints_are_refused(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let b64 = |v: serde_json::Value| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let payload = b64(serde_json::json!({"iss": app.address, "sub": "user_x", "aud": "rp", "exp": 4102444800u64}));
        let none = format!("{}.{payload}.", b64(serde_json::json!({"alg": "none", "typ": "JWT"})));
        let hs = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &serde_json::json!({"iss": app.address, "sub": "user_x", "aud": "rp", "exp": 4102444800u64}),
            &jsonwebtoken::EncodingKey::from_secret(b"guess")).unwrap();
        for hint in [none, hs] {
            let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&id_token_hint={hint}",
                app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
            let cb = browse_to_callback(&browser, &url).await;
            assert_eq!(cb["error"], "invalid_request");
            let r = browser.get(format!("{}?id_token_hint={hint}", app.url("/oauth/end_session"))).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "end_session refuses it too");
        }
    }

    async fn third_party_clients_need_consent(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let url = format!("{}?client_id=thirdparty&response_type=code&scope=openid%20email&redirect_uri={}&state=c1",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        // prompt=none cannot ask.
        let cb = browse_to_callback(&browser, &format!("{url}&prompt=none")).await;
        assert_eq!(cb["error"], "consent_required");
        // The consent page lists the scopes in words, with a CSRF token.
        let r = browser.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        let page = r.text().await.unwrap();
        assert!(page.contains("The thirdparty app") && page.contains("See your email address"));
        let id = between(&page, "name=\"id\" value=\"", "\"");
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"");
        // A forged form is refused.
        let r = browser.post(app.url("/oauth/consent")).form(&[("id", id.as_str()), ("csrf", "forged"), ("decision", "allow")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        // Deny → access_denied.
        let r = browser.post(app.url("/oauth/consent")).form(&[("id", id.as_str()), ("csrf", csrf.as_str()), ("decision", "deny")]).send().await.unwrap();
        let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        let q: HashMap<String, String> = location.query_pairs().into_owned().collect();
        assert_eq!(q["error"], "access_denied");
        assert_eq!(q["state"], "c1");
        // Allow → a code; and the consent is remembered.
        let page = browser.get(&url).send().await.unwrap().text().await.unwrap();
        let id = between(&page, "name=\"id\" value=\"", "\"");
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"");
        let r = browser.post(app.url("/oauth/consent")).form(&[("id", id.as_str()), ("csrf", csrf.as_str()), ("decision", "allow")]).send().await.unwrap();
        assert!(r.headers()["location"].to_str().unwrap().contains("code="));
        let cb = browse_to_callback(&browser, &format!("{url}&prompt=none")).await;
        assert!(cb.contains_key("code"), "remembered consent");
        // More scopes than granted: asked again.
        let r = browser.get(url.replace("openid%20email", "openid%20email%20phone")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    async fn form_post_response_mode(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&state=%22%3E%3Cscript%3E&response_mode=form_post",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        let r = browser.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("form-action http://127.0.0.1:9") && !csp.contains("unsafe-inline"));
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("action=\"{RP_REDIRECT}\"")));
        assert!(page.contains("name=\"code\""));
        assert!(!page.contains("\"><script>"), "state is escaped");
    }

    async fn userinfo_and_end_session_edges(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let r = Res::from(rp_http().get(app.url("/oauth/userinfo")).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers["www-authenticate"], "Bearer");
        let r = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth("not.a.token").send().await.unwrap()).await;
        assert_eq!(r.body["error"], "invalid_token");
        // end_session without a hint asks first.
        let browser = signed_in(&app).await;
        let r = browser.get(format!("{}?client_id=rp&post_logout_redirect_uri={}&state=z", app.url("/oauth/end_session"), urlencode("http://127.0.0.1:9/bye"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        let id = between(&page, "name=\"id\" value=\"", "\"");
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"");
        // Another browser cannot confirm it.
        let r = crate::helpers::browser().post(app.url("/oauth/end_session/confirm")).form(&[("id", id.as_str()), ("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let r = browser.get(format!("{}?client_id=rp&post_logout_redirect_uri={}&state=z", app.url("/oauth/end_session"), urlencode("http://127.0.0.1:9/bye"))).send().await.unwrap();
        let page = r.text().await.unwrap();
        let id = between(&page, "name=\"id\" value=\"", "\"");
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"");
        let r = browser.post(app.url("/oauth/end_session/confirm")).form(&[("id", id.as_str()), ("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(r.headers()["location"], "http://127.0.0.1:9/bye?state=z");
        assert_eq!(app.get_as(&browser, "/v1/client").await.body["client"]["sessions"], serde_json::json!([]));
        // An unregistered post-logout address is refused.
        let r = browser.get(format!("{}?client_id=rp&post_logout_redirect_uri={}", app.url("/oauth/end_session"), urlencode("https://evil.example.com/"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    async fn discovery_documents(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
            let r = app.get(path).await;
            assert_eq!(r.status, StatusCode::OK);
            let d = &r.body;
            assert_eq!(d["issuer"], app.address);
            assert_eq!(d["jwks_uri"], app.url("/.well-known/jwks.json"));
            assert_eq!(d["code_challenge_methods_supported"], serde_json::json!(["S256"]));
            assert_eq!(d["id_token_signing_alg_values_supported"], serde_json::json!(["ES256", "RS256", "EdDSA"]));
            assert_eq!(d["claims_parameter_supported"], true);
            assert_eq!(d["authorization_response_iss_parameter_supported"], true);
            for k in ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint", "introspection_endpoint", "end_session_endpoint"] {
                assert!(d[k].as_str().unwrap().starts_with(&app.address), "{k}");
            }
        }
    }
    async fn the_organization_scope_carries_the_active_organization(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.clients[0].scopes.push("organization".into());
            s.organizations.enabled = true;
        }).await else { return };
        let doc = app.get("/.well-known/openid-configuration").await;
        assert!(doc.body["scopes_supported"].as_array().unwrap().contains(&serde_json::json!("organization")));
        let browser = signed_in(&app).await;
        let r = app.post_as(&browser, "/v1/organizations", &[("name", "Acme")]).await;
        let org = r.body["response"]["id"].as_str().unwrap().to_owned();
        let sid = r.body["client"]["last_active_session_id"].as_str().unwrap().to_owned();
        let rp = discover(&app, "rp", Some("rp-secret"), RP_REDIRECT).await;
        let http = rp_http();
        let code_flow = |scopes: &'static [&'static str]| {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let mut req = rp.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .set_pkce_challenge(challenge);
            for s in scopes {
                req = req.add_scope(Scope::new((*s).into()));
            }
            (req.url().0, verifier)
        };
        // No organization active yet: nothing to say.
        let (url, verifier) = code_flow(&["organization"]);
        let cb = browse_to_callback(&browser, url.as_str()).await;
        let tokens = rp.exchange_code(AuthorizationCode::new(cb["code"].clone())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http).await.expect("code exchange");
        let raw = decode_payload(&tokens.id_token().unwrap().to_string());
        assert!(raw.get("org_id").is_none(), "{raw}");
        // Acting for Acme: the ID token and userinfo name it.
        let r = app.post_as(&browser, &format!("/v1/client/sessions/{sid}/touch"), &[("active_organization_id", &org)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (url, verifier) = code_flow(&["organization"]);
        let cb = browse_to_callback(&browser, url.as_str()).await;
        let tokens = rp.exchange_code(AuthorizationCode::new(cb["code"].clone())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http).await.expect("code exchange");
        let raw = decode_payload(&tokens.id_token().unwrap().to_string());
        assert_eq!(raw["org_id"], org.as_str(), "{raw}");
        assert_eq!(raw["org_slug"], "acme");
        assert_eq!(raw["org_role"], "org:admin");
        assert_eq!(raw["org_permissions"], serde_json::json!([]));
        let info = Res::from(http.get(app.url("/oauth/userinfo")).bearer_auth(tokens.access_token().secret()).send().await.unwrap()).await;
        assert_eq!(info.body["org_name"], "Acme", "{}", info.body);
        // Without the scope, the same session says nothing of it.
        let (url, verifier) = code_flow(&["email"]);
        let cb = browse_to_callback(&browser, url.as_str()).await;
        let tokens = rp.exchange_code(AuthorizationCode::new(cb["code"].clone())).unwrap()
            .set_pkce_verifier(verifier).request_async(&http).await.expect("code exchange");
        let raw = decode_payload(&tokens.id_token().unwrap().to_string());
        assert!(raw.get("org_id").is_none(), "{raw}");
        // A client not allowed the scope cannot ask for it.
        let tp = discover(&app, "thirdparty", Some("tp-secret"), RP_REDIRECT).await;
        let (url, _, _) = tp.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("organization".into())).url();
        let r = browser.get(url.as_str()).send().await.unwrap();
        let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(location.contains("error=invalid_scope") || r.status() == StatusCode::BAD_REQUEST, "{location}");
    }

    async fn a_session_still_choosing_an_organization_gets_no_code(backend) {
        // The authorization endpoint reads only the session row unless personal accounts are
        // off; then the user's memberships decide, not the organization id the row still holds.
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.organizations.enabled = true;
            s.organizations.force_organization_selection = true;
        }).await else { return };
        let browser = signed_in(&app).await;
        let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&state=st&nonce=n&prompt=none&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT), PkceCodeChallenge::new_random_sha256().0.as_str());
        let cb = browse_to_callback(&browser, &url).await;
        assert_eq!(cb.get("error").map(String::as_str), Some("login_required"), "{cb:?}");
        // Once it acts for an organization of the user's, a code.
        let r = app.post_as(&browser, "/v1/organizations", &[("name", "Acme")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let org = r.body["response"]["id"].as_str().unwrap().to_owned();
        let sid = r.body["client"]["last_active_session_id"].as_str().unwrap().to_owned();
        let r = app.post_as(&browser, &format!("/v1/client/sessions/{sid}/touch"), &[("active_organization_id", &org)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let cb = browse_to_callback(&browser, &url).await;
        assert!(cb.contains_key("code"), "{cb:?}");
        // The organization is deleted: the row still names it, and no code comes of that.
        let r = app.delete_as(&browser, &format!("/v1/organizations/{org}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let cb = browse_to_callback(&browser, &url).await;
        assert_eq!(cb.get("error").map(String::as_str), Some("login_required"), "{cb:?}");
        // A session signed out is no session either.
        let r = app.post_as(&browser, &format!("/v1/client/sessions/{sid}/end"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let cb = browse_to_callback(&browser, &url).await;
        assert_eq!(cb.get("error").map(String::as_str), Some("login_required"), "{cb:?}");
    }

    async fn a_session_of_a_deleted_or_banned_user_gets_no_code(backend) {
        // Without forced organization selection the endpoint reads the session row alone: a
        // deletion removes the row, a ban revokes it.
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let admin = crate::admin::Admin::new(&app).await;
        let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&state=st&nonce=n&prompt=none&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT), PkceCodeChallenge::new_random_sha256().0.as_str());
        for (who, action) in [("ada@example.com", "ban"), ("bob@example.com", "delete")] {
            let browser = browser_signed_up(&app, who).await;
            let r = app.get_as(&browser, "/v1/client").await;
            let user_id = r.body["response"]["sessions"][0]["user"]["id"].as_str().unwrap().to_owned();
            let cb = browse_to_callback(&browser, &url).await;
            assert!(cb.contains_key("code"), "{cb:?}");
            let r = if action == "ban" {
                admin.post(&format!("/users/{user_id}/ban"), serde_json::json!({})).await
            } else {
                admin.send("DELETE", &format!("/users/{user_id}"), None).await
            };
            assert!(r.status.is_success(), "{action}: {}", r.body);
            let cb = browse_to_callback(&browser, &url).await;
            assert_eq!(cb.get("error").map(String::as_str), Some("login_required"), "{action}: {cb:?}");
        }
    }
}

// ----- helpers -----

pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn between(text: &str, start: &str, end: &str) -> String {
    let i = text.find(start).expect("start marker") + start.len();
    let j = text[i..].find(end).expect("end marker") + i;
    text[i..j].to_owned()
}

fn decode_part(jwt: &str, n: usize) -> serde_json::Value {
    use base64::Engine;
    let part = jwt.split('.').nth(n).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

pub(crate) fn decode_payload(jwt: &str) -> serde_json::Value {
    decode_part(jwt, 1)
}

fn decode_header(jwt: &str) -> serde_json::Value {
    decode_part(jwt, 0)
}

pub(crate) async fn post_form(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Res {
    let mut req = rp_http().post(app.url(path)).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    Res::from(req.send().await.unwrap()).await
}

backend_tests! {
    async fn id_tokens_follow_the_clients_algorithm(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            let mut rsa = client("rsa", Some("rsa-secret"), RP_REDIRECT, true);
            rsa.id_token_signed_response_alg = "RS256".into();
            let mut ed = client("ed", Some("ed-secret"), RP_REDIRECT, true);
            ed.id_token_signed_response_alg = "EdDSA".into();
            s.clients.extend([rsa, ed]);
        }).await else { return };
        let browser = signed_in(&app).await;
        for (id, secret, alg) in [("rsa", "rsa-secret", "RS256"), ("ed", "ed-secret", "EdDSA"), ("rp", "rp-secret", "ES256")] {
            let rp = discover(&app, id, Some(secret), RP_REDIRECT).await;
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (url, _, nonce) = rp.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .set_pkce_challenge(challenge).url();
            let cb = browse_to_callback(&browser, url.as_str()).await;
            let tokens = rp.exchange_code(AuthorizationCode::new(cb["code"].clone())).unwrap()
                .set_pkce_verifier(verifier).request_async(&rp_http()).await.expect("exchange");
            let id_token = tokens.id_token().unwrap();
            assert_eq!(decode_header(&id_token.to_string())["alg"], alg);
            id_token.claims(&rp.id_token_verifier(), &nonce).unwrap_or_else(|e| panic!("{alg} ID token verifies: {e}"));
        }
        let jwks = app.get("/.well-known/jwks.json").await;
        let kinds: Vec<&str> = jwks.body["keys"].as_array().unwrap().iter().map(|k| k["kty"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"EC") && kinds.contains(&"RSA") && kinds.contains(&"OKP"), "{kinds:?}");
    }

    async fn rotated_keys_are_published_first_and_old_tokens_still_verify(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.server.key_encryption_key = Some("a long key encryption secret".to_string().into());
        }).await else { return };
        use sea_orm::EntityTrait;
        let rows = portcullis::store::entities::signing_key::Entity::find().all(&app.app.db).await.unwrap();
        assert!(rows.iter().all(|r| r.private_pem.starts_with("enc:v2:")), "keys are sealed at rest");

        let before = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some(("rp", "rp-secret"))).await;
        let old_token = before.body["access_token"].as_str().unwrap().to_owned();
        let old_kid = decode_header(&old_token)["kid"].as_str().unwrap().to_owned();
        let kek = portcullis::oidc::keys::KeyEncryption::new(&"a long key encryption secret".to_string().into()).unwrap();
        let new_kids = portcullis::oidc::keys::rotate(&app.app.db, app.clock_ms(), 300, Some(&kek)).await.unwrap();
        app.app.keys.reload(&app.app.db, app.clock_ms()).await.unwrap();
        let jwks = app.get("/.well-known/jwks.json").await.body.to_string();
        assert!(jwks.contains(&new_kids[0]) && jwks.contains(&old_kid), "both published");
        let during = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some(("rp", "rp-secret"))).await;
        assert_eq!(decode_header(during.body["access_token"].as_str().unwrap())["kid"], old_kid.as_str(), "the new key does not sign yet");
        app.clock.advance_secs(301);
        app.app.keys.reload(&app.app.db, app.clock_ms()).await.unwrap();
        let after = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some(("rp", "rp-secret"))).await;
        assert_eq!(decode_header(after.body["access_token"].as_str().unwrap())["kid"], new_kids[0].as_str());
        let r = post_form(&app, "/oauth/introspect", &[("token", after.body["access_token"].as_str().unwrap())], Some(("rp", "rp-secret"))).await;
        assert_eq!(r.body["active"], true);
        // The retired key stays published for as long as its tokens can live.
        assert!(app.get("/.well-known/jwks.json").await.body.to_string().contains(&old_kid));
        app.clock.advance_secs(3601);
        app.app.keys.reload(&app.app.db, app.clock_ms()).await.unwrap();
        assert!(!app.get("/.well-known/jwks.json").await.body.to_string().contains(&old_kid));
    }
}

/// A client key pair for `private_key_jwt`, and its public JWK Set.
fn client_key() -> (jsonwebtoken::EncodingKey, serde_json::Value) {
    use base64::Engine;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem = secret.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
    let point = secret.public_key().to_encoded_point(false);
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let jwks = serde_json::json!({"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "k1",
        "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())}]});
    (
        jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        jwks,
    )
}

fn assertion(key: &jsonwebtoken::EncodingKey, aud: &str, now: i64, jti: &str) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("k1".into());
    jsonwebtoken::encode(&header, &serde_json::json!({"iss": "keyed", "sub": "keyed", "aud": aud, "iat": now, "exp": now + 60, "jti": jti}), key).unwrap()
}

backend_tests! {
    async fn pairwise_subjects_differ_per_client_and_reach_userinfo(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            let mut pair = client("pair", Some("pair-secret"), "https://pair.example.com/cb", true);
            pair.subject_type = "pairwise".into();
            s.clients.push(pair);
        }).await else { return };
        let browser = signed_in(&app).await;
        let mut subs = Vec::new();
        for (id, secret, redirect) in [("rp", "rp-secret", RP_REDIRECT), ("pair", "pair-secret", "https://pair.example.com/cb")] {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let url = format!("{}?client_id={id}&response_type=code&scope=openid%20email&redirect_uri={}&code_challenge={}&code_challenge_method=S256&claims={}",
                app.url("/oauth/authorize"), urlencode(redirect), challenge.as_str(), urlencode(r#"{"userinfo":{"email":null}}"#));
            let cb = browse_to_callback(&browser, &url).await;
            let r = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &cb["code"]), ("redirect_uri", redirect), ("code_verifier", verifier.secret())], Some((id, secret))).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let sub = decode_payload(r.body["id_token"].as_str().unwrap())["sub"].as_str().unwrap().to_owned();
            let info = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(r.body["access_token"].as_str().unwrap()).send().await.unwrap()).await;
            assert_eq!(info.body["sub"], sub.as_str(), "userinfo agrees with the ID token");
            assert_eq!(info.body["email"], "ada@example.com", "the granted email scope reaches userinfo, pairwise or not");
            subs.push(sub);
        }
        assert!(subs[0].starts_with("user_"));
        assert!(subs[1].starts_with("ps_") && !subs[1].contains(&subs[0]), "pairwise hides the user id");
    }

    async fn private_key_jwt_clients(backend) {
        let (key, jwks) = client_key();
        let Some(app) = TestApp::spawn_with(backend, move |s| {
            with_clients(s);
            let mut keyed = client("keyed", None, RP_REDIRECT, true);
            keyed.jwks = Some(jwks);
            keyed.grant_types.push("client_credentials".into());
            s.clients.push(keyed);
        }).await else { return };
        let endpoint = app.url("/oauth/token");
        let now = app.clock_ms() / 1000;
        let send = |a: String| {
            let url = endpoint.clone();
            async move {
                Res::from(rp_http().post(url).form(&[("grant_type", "client_credentials"),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", a.as_str())]).send().await.unwrap()).await
            }
        };
        let good = assertion(&key, &endpoint, now, "j1");
        let r = send(good.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = send(good).await;
        assert_eq!(r.body["error"], "invalid_client", "an assertion works once");
        assert_eq!(send(assertion(&key, "https://elsewhere.example.com/token", now, "j2")).await.body["error"], "invalid_client");
        assert_eq!(send(assertion(&key, &endpoint, now - 3600, "j3")).await.body["error"], "invalid_client", "expired");
        // alg none, and HS256 keyed with the public key, are refused.
        use base64::Engine;
        let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let claims = serde_json::json!({"iss": "keyed", "sub": "keyed", "aud": endpoint, "exp": now + 60, "jti": "j4"});
        let none = format!("{}.{}.", b64(serde_json::json!({"alg": "none"})), b64(claims.clone()));
        assert_eq!(send(none).await.body["error"], "invalid_client");
        let hs = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256), &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"the public key bytes")).unwrap();
        assert_eq!(send(hs).await.body["error"], "invalid_client");
        // A keyed client cannot fall back to no authentication.
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("client_id", "keyed")], None).await;
        assert_eq!(r.body["error"], "invalid_client");
        // Another client's key cannot speak for it.
        let (other, _) = client_key();
        assert_eq!(send(assertion(&other, &endpoint, now, "j5")).await.body["error"], "invalid_client");
    }
}

/// A relying party's back-channel logout endpoint: records each logout token it receives.
async fn logout_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let got: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let store = web::Data::new(got.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        App::new().app_data(store.clone()).route(
            "/backchannel",
            web::post().to(
                |form: web::Form<HashMap<String, String>>,
                 store: web::Data<std::sync::Arc<std::sync::Mutex<Vec<String>>>>| async move {
                    store
                        .lock()
                        .unwrap()
                        .push(form.get("logout_token").cloned().unwrap_or_default());
                    HttpResponse::Ok().finish()
                },
            ),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/backchannel"), got)
}

backend_tests! {
    async fn ending_a_session_sends_back_channel_logout_tokens(backend) {
        let (uri, received) = logout_receiver().await;
        let Some(app) = TestApp::spawn_with(backend, move |s| {
            with_clients(s);
            s.clients[0].backchannel_logout_uri = Some(uri);
        }).await else { return };
        let browser = signed_in(&app).await;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT), challenge.as_str());
        let cb = browse_to_callback(&browser, &url).await;
        let r = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &cb["code"]), ("redirect_uri", RP_REDIRECT), ("code_verifier", verifier.secret())], Some(("rp", "rp-secret"))).await;
        let id_claims = decode_payload(r.body["id_token"].as_str().unwrap());
        // The user signs out in the app's own UI (Frontend API).
        let r = app.post_as(&browser, "/v1/client/sessions?_method=DELETE", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        let mut token = None;
        for _ in 0..100 {
            if let Some(t) = received.lock().unwrap().first().cloned() { token = Some(t); break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let token = token.expect("a logout token arrived");
        let header = decode_header(&token);
        assert_eq!(header["typ"], "logout+jwt");
        let jwks: jsonwebtoken::jwk::JwkSet = rp_http().get(app.url("/.well-known/jwks.json")).send().await.unwrap().json().await.unwrap();
        let key = jsonwebtoken::DecodingKey::from_jwk(jwks.find(header["kid"].as_str().unwrap()).unwrap()).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        v.set_audience(&["rp"]);
        v.validate_exp = false;
        let claims = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &v).expect("logout token verifies").claims;
        assert_eq!(claims["sid"], id_claims["sid"]);
        assert_eq!(claims["sub"], id_claims["sub"]);
        assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
        assert!(claims.get("nonce").is_none());
    }
}

/// A code flow for `client` in the browser's session, redeemed: the ID token's claims.
async fn redeemed_id_token(
    app: &TestApp,
    browser: &reqwest::Client,
    client: &str,
    secret: Option<&str>,
    redirect: &str,
) -> serde_json::Value {
    let (code, verifier) = code_for(app, browser, client, redirect, "").await;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
        ("code_verifier", verifier.as_str()),
    ];
    if secret.is_none() {
        form.push(("client_id", client));
    }
    let r = post_form(app, "/oauth/token", &form, secret.map(|s| (client, s))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    decode_payload(r.body["id_token"].as_str().unwrap())
}

backend_tests! {
    // The instance remembers the (session, client) pairs it has recorded and writes a pair
    // once: a second code in the same session is not written again, and that must not hide
    // another client of the same session, nor the same client in another session.
    async fn every_client_of_a_session_is_told_of_its_end_however_often_it_got_tokens(backend) {
        let (uri, received) = logout_receiver().await;
        let Some(app) = TestApp::spawn_with(backend, move |s| {
            with_clients(s);
            s.clients[0].backchannel_logout_uri = Some(uri.clone());
            s.clients[1].backchannel_logout_uri = Some(uri);
        }).await else { return };
        // Another browser's session: the same client, remembered there first.
        let other = browser_signed_up(&app, "grace@example.com").await;
        let other_sid = redeemed_id_token(&app, &other, "rp", Some("rp-secret"), RP_REDIRECT).await["sid"].clone();
        let browser = signed_in(&app).await;
        let first = redeemed_id_token(&app, &browser, "rp", Some("rp-secret"), RP_REDIRECT).await;
        assert_ne!(first["sid"], other_sid);
        let again = redeemed_id_token(&app, &browser, "rp", Some("rp-secret"), RP_REDIRECT).await;
        assert_eq!(again["sid"], first["sid"]);
        let spa = redeemed_id_token(&app, &browser, "spa", None, SPA_REDIRECT).await;
        assert_eq!(spa["sid"], first["sid"]);
        let r = app.post_as(&browser, "/v1/client/sessions?_method=DELETE", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        let mut audiences = Vec::new();
        for _ in 0..100 {
            let got = received.lock().unwrap().clone();
            if got.len() >= 2 {
                audiences = got.iter().map(|t| {
                    let c = decode_payload(t);
                    assert_eq!(c["sid"], first["sid"], "only the ended session's clients are told");
                    c["aud"].as_str().map(str::to_owned).or_else(|| c["aud"][0].as_str().map(str::to_owned)).unwrap()
                }).collect();
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // Give a wrong third token time to arrive before counting.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        audiences.sort();
        assert_eq!(audiences, ["rp", "spa"]);
        assert_eq!(received.lock().unwrap().len(), 2, "one logout token for each client, none for the other session");
    }
}

backend_tests! {
    async fn dynamic_registration_is_off_by_default(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let r = Res::from(rp_http().post(app.url("/oauth/register")).json(&serde_json::json!({"redirect_uris": ["https://x.example.com/cb"]})).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(app.get("/.well-known/openid-configuration").await.body.get("registration_endpoint").is_none());
    }

    async fn dynamic_registration_and_management(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.oidc.dynamic_registration = true;
            s.oidc.registration_token = Some("initial-access-token".to_string().into());
            // The operator lets registered clients act for themselves too.
            s.oidc.registration_grant_types.push("client_credentials".into());
        }).await else { return };
        assert_eq!(app.get("/.well-known/openid-configuration").await.body["registration_endpoint"], app.url("/oauth/register"));
        let post = |body: serde_json::Value, token: Option<&str>| {
            let mut req = rp_http().post(app.url("/oauth/register")).json(&body);
            if let Some(t) = token { req = req.bearer_auth(t); }
            async move { Res::from(req.send().await.unwrap()).await }
        };
        let meta = serde_json::json!({
            "redirect_uris": [RP_REDIRECT], "client_name": "Agent", "grant_types": ["authorization_code", "client_credentials"],
            "scope": "openid email", "contacts": ["ignored@example.com"],
        });
        assert_eq!(post(meta.clone(), None).await.status, StatusCode::UNAUTHORIZED, "the initial access token is required");
        assert_eq!(post(meta.clone(), Some("wrong")).await.status, StatusCode::UNAUTHORIZED);
        let bad = post(serde_json::json!({"redirect_uris": ["http://evil.example.com/cb"]}), Some("initial-access-token")).await;
        assert_eq!((bad.status, bad.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_redirect_uri")));
        let bad = post(serde_json::json!({"redirect_uris": [RP_REDIRECT], "response_types": ["token"]}), Some("initial-access-token")).await;
        assert_eq!(bad.body["error"], "invalid_client_metadata");

        let r = post(meta, Some("initial-access-token")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["client_id"].as_str().unwrap().to_owned();
        let secret = r.body["client_secret"].as_str().unwrap().to_owned();
        let reg_token = r.body["registration_access_token"].as_str().unwrap().to_owned();
        let reg_uri = r.body["registration_client_uri"].as_str().unwrap().to_owned();
        assert_eq!(r.body["client_secret_expires_at"], 0);
        assert_eq!(r.body["token_endpoint_auth_method"], "client_secret_basic");

        // The new client works at once, and is third-party: its users are asked.
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let browser = signed_in(&app).await;
        let url = format!("{}?client_id={id}&response_type=code&scope=openid&redirect_uri={}", app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        let r = browser.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "a consent page");
        assert!(r.text().await.unwrap().contains("Agent"));

        // RFC 7592: read, update, delete with the registration access token.
        let r = Res::from(rp_http().get(&reg_uri).bearer_auth(&reg_token).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["client_name"], "Agent");
        assert!(r.body.get("client_secret").is_none(), "the secret is never shown again");
        let r = Res::from(rp_http().get(&reg_uri).bearer_auth("wrong").send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = Res::from(rp_http().put(&reg_uri).bearer_auth(&reg_token).json(&serde_json::json!({
            "client_id": id, "redirect_uris": ["https://agent.example.com/cb"], "client_name": "Agent 2",
        })).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["redirect_uris"], serde_json::json!(["https://agent.example.com/cb"]));
        let r = Res::from(rp_http().delete(&reg_uri).bearer_auth(&reg_token).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some((&id, &secret))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a deleted client is gone");
    }
}

/// Pushes an authorization request for `id` (RFC 9126 §2.1) and returns the answer.
async fn push(app: &TestApp, id: &str, secret: Option<&str>, extra: &[(&str, &str)]) -> Res {
    let redirect = if secret.is_some() {
        RP_REDIRECT
    } else {
        SPA_REDIRECT
    };
    let mut form = vec![
        ("client_id", id),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("redirect_uri", redirect),
        ("state", "pushed-state"),
        ("nonce", "pushed-nonce"),
        (
            "code_challenge",
            "WQuphErqPbCg20Iddr9S_XZdRPWEPFcE7i8WvzQXCAg",
        ),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        form.retain(|(f, _)| f != k);
        form.push((k, v));
    }
    post_form(app, "/oauth/par", &form, secret.map(|s| (id, s))).await
}

fn authorize_with(app: &TestApp, id: &str, request_uri: &str) -> String {
    format!(
        "{}?client_id={id}&request_uri={}",
        app.url("/oauth/authorize"),
        urlencode(request_uri)
    )
}

backend_tests! {
    async fn pushed_authorization_requests(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let d = app.get("/.well-known/openid-configuration").await;
        assert_eq!(d.body["pushed_authorization_request_endpoint"], app.url("/oauth/par"));
        assert_eq!(d.body["require_pushed_authorization_requests"], false);
        let browser = signed_in(&app).await;

        // Pushed, then used once: the code arrives with the pushed state, and the token
        // endpoint takes it with the verifier of the pushed challenge.
        let r = push(&app, "rp", Some("rp-secret"), &[]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.headers["cache-control"], "no-store");
        let uri = r.body["request_uri"].as_str().unwrap().to_owned();
        assert!(uri.starts_with("urn:ietf:params:oauth:request_uri:"), "{uri}");
        assert_eq!(r.body["expires_in"], 60);
        // The browser's other parameters are ignored (§4): the pushed ones count.
        let url = format!("{}&state=tampered&redirect_uri={}", authorize_with(&app, "rp", &uri), urlencode("http://127.0.0.1:9/elsewhere"));
        let cb = browse_to_callback(&browser, &url).await;
        assert_eq!(cb["state"], "pushed-state");
        let code = cb["code"].clone();
        let t = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &code),
            ("redirect_uri", RP_REDIRECT), ("code_verifier", "portcullis-pushed-request-verifier-0123456789abc")],
            Some(("rp", "rp-secret"))).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert!(t.body["id_token"].is_string());
        // Replayed: refused, and nothing goes back to the client.
        let r = browser.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("expired or was already used"));

        // Another client cannot use it, and trying does not spend it for its owner.
        let r = push(&app, "rp", Some("rp-secret"), &[]).await;
        let uri = r.body["request_uri"].as_str().unwrap().to_owned();
        let r = browser.get(authorize_with(&app, "thirdparty", &uri)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let cb = browse_to_callback(&browser, &authorize_with(&app, "rp", &uri)).await;
        assert!(cb.contains_key("code"), "{cb:?}");
        // A made-up URI, or one without client_id, names nothing.
        for url in [authorize_with(&app, "rp", "urn:ietf:params:oauth:request_uri:guess"),
                    format!("{}?request_uri={}", app.url("/oauth/authorize"), urlencode(&uri))] {
            let r = browser.get(&url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url}");
        }

        // Refusals at push time go straight to the client, as RFC 6749 JSON errors.
        let r = push(&app, "rp", Some("wrong"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body["error"], "invalid_client");
        for (extra, error) in [
            (("redirect_uri", "http://127.0.0.1:9/not-registered"), "invalid_request"),
            (("request_uri", "urn:ietf:params:oauth:request_uri:x"), "invalid_request"),
            (("client_id", "spa"), "invalid_request"),
            (("response_type", "token"), "unsupported_response_type"),
            (("response_mode", "fragment"), "invalid_request"),
            (("scope", "openid admin:everything"), "invalid_scope"),
        ] {
            let r = push(&app, "rp", Some("rp-secret"), &[extra]).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra:?}: {}", r.body);
            assert_eq!(r.body["error"], error, "{extra:?}: {}", r.body);
        }
        // A public client pushes with its client_id alone, and still needs PKCE.
        let r = push(&app, "spa", None, &[]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = push(&app, "spa", None, &[("code_challenge", "")]).await;
        assert_eq!(r.body["error"], "invalid_request", "{}", r.body);

        // Spent when a code is issued, not when the page is first visited (FAPI 2.0 Security
        // Profile §5.3.2.2 note 3): a browser that loads the URL twice before signing in is
        // sent to sign in both times, and still only one code comes of it.
        let r = push(&app, "rp", Some("rp-secret"), &[]).await;
        let url = authorize_with(&app, "rp", r.body["request_uri"].as_str().unwrap());
        let fresh = crate::helpers::browser();
        let mut resumes = Vec::new();
        for _ in 0..2 {
            let r = fresh.get(&url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FOUND);
            let to = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
            assert_eq!(to.path(), "/sign-in");
            resumes.push(to.query_pairs().find(|(k, _)| k == "redirect_url").unwrap().1.into_owned());
        }
        let r = app.post_as(&fresh, "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("password", "correct horse")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let cb = browse_to_callback(&fresh, &resumes[1]).await;
        assert_eq!(cb["state"], "pushed-state");
        let r = fresh.get(&resumes[0]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a second code from one pushed request");
        let r = fresh.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    async fn pushed_requests_expire_and_can_be_required(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.oidc.pushed_request_lifetime_secs = 1;
            s.clients[0].require_pushed_authorization_requests = true;
        }).await else { return };
        let browser = signed_in(&app).await;
        let r = push(&app, "rp", Some("rp-secret"), &[]).await;
        assert_eq!(r.body["expires_in"], 1);
        let uri = r.body["request_uri"].as_str().unwrap().to_owned();
        tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
        let r = browser.get(authorize_with(&app, "rp", &uri)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "expired");
        // This client must push: a request sent straight to /oauth/authorize is refused at
        // its redirect URI; another client is not affected.
        let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&state=s9&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        let cb = browse_to_callback(&browser, &url).await;
        assert_eq!(cb["error"], "invalid_request");
        assert_eq!(cb["state"], "s9");
        let r = push(&app, "rp", Some("rp-secret"), &[]).await;
        let uri = r.body["request_uri"].as_str().unwrap().to_owned();
        let cb = browse_to_callback(&browser, &authorize_with(&app, "rp", &uri)).await;
        assert!(cb.contains_key("code"), "{cb:?}");
        let url = url.replace("client_id=rp", "client_id=thirdparty");
        let r = browser.get(&url).send().await.unwrap();
        assert_ne!(r.status(), StatusCode::BAD_REQUEST);
    }
}

/// A script of `tests/clerk` running under node while the test goes on, printing one JSON
/// object a line.
pub(crate) struct NodeScript {
    child: tokio::process::Child,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    name: String,
}

impl NodeScript {
    /// The script's next line, as JSON.
    pub(crate) async fn next_line(&mut self) -> serde_json::Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), self.lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("{} printed nothing for a minute", self.name))
            .expect("reading the script's output")
            .unwrap_or_else(|| panic!("{} ended early", self.name));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{}: {e}: {line}", self.name))
    }

    /// Its last line, once it has ended well.
    pub(crate) async fn finish(mut self) -> serde_json::Value {
        let last = self.next_line().await;
        let status = tokio::time::timeout(std::time::Duration::from_secs(60), self.child.wait())
            .await
            .expect("the script ends")
            .expect("node runs");
        assert!(status.success(), "{} failed: {last}", self.name);
        last
    }
}

/// Starts `tests/clerk/<script>` under node; None, with a note, when the npm packages are
/// not installed (a hard failure in CI).
pub(crate) fn node_script(script: &str, args: &[&str]) -> Option<NodeScript> {
    use tokio::io::AsyncBufReadExt;
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clerk");
    if !dir.join("node_modules/openid-client/package.json").exists() {
        assert!(
            !crate::helpers::services_required(),
            "openid-client is required (PORTCULLIS_TEST_REQUIRE_SERVICES=1): npm ci --prefix tests/clerk"
        );
        eprintln!("SKIPPED: {script}, run `npm ci --prefix tests/clerk`");
        return None;
    }
    let mut child = tokio::process::Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let stdout = child.stdout.take().expect("piped stdout");
    Some(NodeScript {
        child,
        lines: tokio::io::BufReader::new(stdout).lines(),
        name: script.to_owned(),
    })
}

/// Runs `tests/clerk/openid_par.mjs` (openid-client 6, unchanged); its last line, as JSON.
async fn openid_client(args: &[&str]) -> Option<serde_json::Value> {
    openid_client_script("openid_par.mjs", args).await
}

/// Runs a script of `tests/clerk` to its end; its last line, as JSON. None, with a note,
/// when the npm packages are not installed (a hard failure in CI).
pub(crate) async fn openid_client_script(script: &str, args: &[&str]) -> Option<serde_json::Value> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clerk");
    if !dir.join("node_modules/openid-client/package.json").exists() {
        assert!(
            !crate::helpers::services_required(),
            "openid-client is required (PORTCULLIS_TEST_REQUIRE_SERVICES=1): npm ci --prefix tests/clerk"
        );
        eprintln!("SKIPPED: {script}, run `npm ci --prefix tests/clerk`");
        return None;
    }
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        tokio::process::Command::new("node")
            .arg(script)
            .args(args)
            .current_dir(dir)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{script} finishes"))
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} {args:?} failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap())
}

backend_tests! {
    async fn openid_client_drives_par_and_pkce(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let browser = signed_in(&app).await;
        let Some(pushed) = openid_client(&["par", &app.address, "rp", "rp-secret", RP_REDIRECT]).await else { return };
        let url = pushed["url"].as_str().unwrap();
        // Only the client and the URI travel through the browser.
        assert!(url.contains("request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A"), "{url}");
        assert!(!url.contains("code_challenge") && !url.contains("state="), "{url}");
        let r = browser.get(url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND, "{}", r.text().await.unwrap_or_default());
        let callback = r.headers()["location"].to_str().unwrap().to_owned();
        let done = openid_client(&["exchange", &app.address, "rp", "rp-secret", &callback,
            pushed["verifier"].as_str().unwrap(), pushed["state"].as_str().unwrap()]).await.unwrap();
        assert_eq!(done["email"], "ada@example.com", "{done}");
        assert!(done["access_token"].as_str().is_some_and(|t| t.split('.').count() == 3));
    }
}

/// A DPoP key pair (RFC 9449 §4): signs proofs that carry its public JWK.
pub(crate) struct DpopKey {
    key: jsonwebtoken::EncodingKey,
    jwk: serde_json::Value,
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl DpopKey {
    pub(crate) fn new() -> Self {
        let (key, jwks) = client_key();
        let j = &jwks["keys"][0];
        let jwk = serde_json::json!({"kty": "EC", "crv": "P-256", "x": j["x"], "y": j["y"]});
        Self { key, jwk }
    }

    /// The RFC 7638 thumbprint, computed here from the members in lexicographic order.
    pub(crate) fn jkt(&self) -> String {
        use sha2::Digest;
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":{},"y":{}}}"#,
            self.jwk["x"], self.jwk["y"]
        );
        b64(&sha2::Sha256::digest(canonical.as_bytes()))
    }

    /// A proof with these claims, signed by this key and carrying `header_jwk`.
    /// Signs with this key, whatever `header_jwk` says. The header is written by hand so
    /// that members a typed JWK would drop (a private `d`) reach the server.
    fn sign(&self, header_jwk: &serde_json::Value, claims: serde_json::Value) -> String {
        let header = serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": header_jwk});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &self.key, jsonwebtoken::Algorithm::ES256)
                .unwrap();
        format!("{input}.{signature}")
    }

    pub(crate) fn proof(
        &self,
        app: &TestApp,
        method: &str,
        path: &str,
        extra: serde_json::Value,
    ) -> String {
        let mut claims = serde_json::json!({
            "jti": b64(&rand::random::<[u8; 16]>()),
            "htm": method,
            "htu": app.url(path),
            "iat": app.clock_ms() / 1000,
        });
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        self.sign(&self.jwk, claims)
    }
}

pub(crate) fn ath(token: &str) -> String {
    use sha2::Digest;
    b64(&sha2::Sha256::digest(token.as_bytes()))
}

pub(crate) async fn post_dpop(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
    proof: Option<&str>,
) -> Res {
    let mut req = rp_http().post(app.url(path)).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    Res::from(req.send().await.unwrap()).await
}

pub(crate) async fn userinfo_with(app: &TestApp, authorization: &str, proof: Option<&str>) -> Res {
    let mut req = rp_http()
        .get(app.url("/oauth/userinfo"))
        .header("authorization", authorization);
    if let Some(p) = proof {
        req = req.header("DPoP", p);
    }
    Res::from(req.send().await.unwrap()).await
}

/// A code for `client` through a signed-in browser, with extra authorization parameters.
pub(crate) async fn code_for(
    app: &TestApp,
    browser: &reqwest::Client,
    id: &str,
    redirect: &str,
    extra: &str,
) -> (String, String) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let url = format!(
        "{}?client_id={id}&response_type=code&scope=openid%20email%20offline_access&redirect_uri={}&code_challenge={}&code_challenge_method=S256{extra}",
        app.url("/oauth/authorize"),
        urlencode(redirect),
        challenge.as_str()
    );
    let cb = browse_to_callback(browser, &url).await;
    assert!(cb.contains_key("code"), "{cb:?}");
    (cb["code"].clone(), verifier.secret().clone())
}

backend_tests! {
    async fn dpop_proofs_are_checked_and_bind_tokens(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let d = app.get("/.well-known/openid-configuration").await;
        assert!(d.body["dpop_signing_alg_values_supported"].as_array().unwrap().contains(&serde_json::json!("ES256")));
        let key = DpopKey::new();
        let cc = [("grant_type", "client_credentials")];
        let rp = Some(("rp", "rp-secret"));

        // A good proof binds the token: token_type DPoP, cnf.jkt the key's thumbprint.
        let proof = key.proof(&app, "POST", "/oauth/token", serde_json::json!({}));
        let r = post_dpop(&app, "/oauth/token", &cc, rp, Some(&proof)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["token_type"], "DPoP");
        let at = r.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(decode_payload(&at)["cnf"]["jkt"], key.jkt());
        // Introspection tells the resource server about the binding (RFC 9449 §6.2).
        let i = post_form(&app, "/oauth/introspect", &[("token", &at)], rp).await;
        assert_eq!(i.body["token_type"], "DPoP");
        assert_eq!(i.body["cnf"]["jkt"], key.jkt());
        // Without a proof, a plain bearer token.
        let r = post_dpop(&app, "/oauth/token", &cc, rp, None).await;
        assert_eq!(r.body["token_type"], "Bearer");
        assert!(decode_payload(r.body["access_token"].as_str().unwrap()).get("cnf").is_none());

        // Each broken proof is refused with invalid_dpop_proof, and issues nothing.
        let now = app.clock_ms() / 1000;
        let other = DpopKey::new();
        let reused = key.proof(&app, "POST", "/oauth/token", serde_json::json!({}));
        assert_eq!(post_dpop(&app, "/oauth/token", &cc, rp, Some(&reused)).await.status, StatusCode::OK);
        let unsigned = format!("{}.{}.", b64(serde_json::json!({"typ": "dpop+jwt", "alg": "none", "jwk": key.jwk}).to_string().as_bytes()),
            b64(serde_json::json!({"jti": "n1", "htm": "POST", "htu": app.url("/oauth/token"), "iat": now}).to_string().as_bytes()));
        let mut private_jwk = key.jwk.clone();
        private_jwk["d"] = serde_json::json!("c2VjcmV0");
        let bad = [
            ("replayed", reused),
            ("another URL", key.proof(&app, "POST", "/oauth/userinfo", serde_json::json!({}))),
            ("another method", key.proof(&app, "GET", "/oauth/token", serde_json::json!({}))),
            ("too old", key.proof(&app, "POST", "/oauth/token", serde_json::json!({"iat": now - 600}))),
            ("from the future", key.proof(&app, "POST", "/oauth/token", serde_json::json!({"iat": now + 600}))),
            ("no jti", key.proof(&app, "POST", "/oauth/token", serde_json::json!({"jti": null}))),
            ("signed by another key", other.sign(&key.jwk, serde_json::json!({"jti": "x1", "htm": "POST", "htu": app.url("/oauth/token"), "iat": now}))),
            ("alg none", unsigned),
            ("a private key inside", key.sign(&private_jwk, serde_json::json!({"jti": "x2", "htm": "POST", "htu": app.url("/oauth/token"), "iat": now}))),
            ("not a JWT", "not.a.jwt".to_owned()),
            ("a client assertion", assertion(&key.key, &app.url("/oauth/token"), now, "x3")),
        ];
        for (what, proof) in bad {
            let r = post_dpop(&app, "/oauth/token", &cc, rp, Some(&proof)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.body);
            assert_eq!(r.body["error"], "invalid_dpop_proof", "{what}: {}", r.body);
        }
        // Two DPoP headers are one too many.
        let r = Res::from(rp_http().post(app.url("/oauth/token")).form(&cc).basic_auth("rp", Some("rp-secret"))
            .header("DPoP", key.proof(&app, "POST", "/oauth/token", serde_json::json!({})))
            .header("DPoP", key.proof(&app, "POST", "/oauth/token", serde_json::json!({}))).send().await.unwrap()).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "{}", r.body);
    }

    async fn dpop_bound_tokens_need_their_key_at_userinfo_and_refresh(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            let mut strict = client("strict", Some("strict-secret"), RP_REDIRECT, true);
            strict.dpop_bound_access_tokens = true;
            s.clients.push(strict);
        }).await else { return };
        let browser = signed_in(&app).await;
        let key = DpopKey::new();
        let thief = DpopKey::new();

        // A public client's code, redeemed with a proof: access and refresh tokens bound.
        let (code, verifier) = code_for(&app, &browser, "spa", SPA_REDIRECT, "").await;
        let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", SPA_REDIRECT), ("code_verifier", verifier.as_str()), ("client_id", "spa")];
        let r = post_dpop(&app, "/oauth/token", &form, None, Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({})))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["token_type"], "DPoP");
        let at = r.body["access_token"].as_str().unwrap().to_owned();
        let rt = r.body["refresh_token"].as_str().unwrap().to_owned();

        // Userinfo: the DPoP scheme, with a proof by the key, for this URL, with ath.
        let good = key.proof(&app, "GET", "/oauth/userinfo", serde_json::json!({"ath": ath(&at)}));
        let r = userinfo_with(&app, &format!("DPoP {at}"), Some(&good)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["email"], "ada@example.com");
        // A stolen token: as Bearer, without a proof, with the thief's proof, with a proof
        // missing ath or made for the token endpoint, or replayed: all refused.
        let r = userinfo_with(&app, &format!("Bearer {at}"), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body["error"], "invalid_token", "{}", r.body);
        for (what, proof) in [
            ("no proof", None),
            ("the thief's key", Some(thief.proof(&app, "GET", "/oauth/userinfo", serde_json::json!({"ath": ath(&at)})))),
            ("no ath", Some(key.proof(&app, "GET", "/oauth/userinfo", serde_json::json!({})))),
            ("ath of another token", Some(key.proof(&app, "GET", "/oauth/userinfo", serde_json::json!({"ath": ath("another")})))),
            ("for another URL", Some(key.proof(&app, "GET", "/oauth/token", serde_json::json!({"ath": ath(&at)})))),
            ("replayed", Some(good.clone())),
        ] {
            let r = userinfo_with(&app, &format!("DPoP {at}"), proof.as_deref()).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.body);
            assert_eq!(r.body["error"], "invalid_dpop_proof", "{what}: {}", r.body);
            let challenge = r.headers["www-authenticate"].to_str().unwrap();
            assert!(challenge.starts_with("DPoP ") && challenge.contains("algs="), "{what}: {challenge}");
        }
        // A bearer token is not presented as DPoP.
        let plain = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"), ("scope", "")], Some(("rp", "rp-secret"))).await;
        let plain = plain.body["access_token"].as_str().unwrap().to_owned();
        let r = userinfo_with(&app, &format!("DPoP {plain}"), Some(&key.proof(&app, "GET", "/oauth/userinfo", serde_json::json!({"ath": ath(&plain)})))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

        // The public client's refresh token works only with the same key.
        let refresh = [("grant_type", "refresh_token"), ("refresh_token", rt.as_str()), ("client_id", "spa")];
        let r = post_dpop(&app, "/oauth/token", &refresh, None, None).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "{}", r.body);
        let r = post_dpop(&app, "/oauth/token", &refresh, None, Some(&thief.proof(&app, "POST", "/oauth/token", serde_json::json!({})))).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "{}", r.body);
        let r = post_dpop(&app, "/oauth/token", &refresh, None, Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({})))).await;
        assert_eq!(r.status, StatusCode::OK, "the refusals did not spend it: {}", r.body);
        assert_eq!(decode_payload(r.body["access_token"].as_str().unwrap())["cnf"]["jkt"], key.jkt());

        // dpop_jkt on the authorization request binds the code to that key (§10).
        let (code, verifier) = code_for(&app, &browser, "rp", RP_REDIRECT, &format!("&dpop_jkt={}", key.jkt())).await;
        let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", RP_REDIRECT), ("code_verifier", verifier.as_str())];
        let r = post_dpop(&app, "/oauth/token", &form, Some(("rp", "rp-secret")), Some(&thief.proof(&app, "POST", "/oauth/token", serde_json::json!({})))).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "{}", r.body);
        let (code, verifier) = code_for(&app, &browser, "rp", RP_REDIRECT, &format!("&dpop_jkt={}", key.jkt())).await;
        let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", RP_REDIRECT), ("code_verifier", verifier.as_str())];
        let r = post_dpop(&app, "/oauth/token", &form, Some(("rp", "rp-secret")), None).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "no proof: {}", r.body);
        let (code, verifier) = code_for(&app, &browser, "rp", RP_REDIRECT, &format!("&dpop_jkt={}", key.jkt())).await;
        let form = [("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", RP_REDIRECT), ("code_verifier", verifier.as_str())];
        let r = post_dpop(&app, "/oauth/token", &form, Some(("rp", "rp-secret")), Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({})))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // A malformed dpop_jkt is refused at the redirect URI.
        let url = format!("{}?client_id=rp&response_type=code&scope=openid&redirect_uri={}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&dpop_jkt=short",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        assert_eq!(browse_to_callback(&browser, &url).await["error"], "invalid_request");
        // PAR: the proof's key binds the code; a dpop_jkt naming another key is refused.
        let r = post_dpop(&app, "/oauth/par", &[("client_id", "rp"), ("response_type", "code"), ("scope", "openid"), ("redirect_uri", RP_REDIRECT),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), ("code_challenge_method", "S256"), ("dpop_jkt", &thief.jkt())],
            Some(("rp", "rp-secret")), Some(&key.proof(&app, "POST", "/oauth/par", serde_json::json!({})))).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "{}", r.body);

        // A client registered with dpop_bound_access_tokens gets nothing without a proof.
        let r = post_dpop(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some(("strict", "strict-secret")), None).await;
        assert_eq!(r.body["error"], "invalid_dpop_proof", "{}", r.body);
        let r = post_dpop(&app, "/oauth/token", &[("grant_type", "client_credentials")], Some(("strict", "strict-secret")),
            Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({})))).await;
        assert_eq!(r.body["token_type"], "DPoP", "{}", r.body);
    }

    async fn dpop_server_nonces(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.oidc.dpop_require_nonce = true;
        }).await else { return };
        let key = DpopKey::new();
        let cc = [("grant_type", "client_credentials")];
        let rp = Some(("rp", "rp-secret"));
        // No nonce: use_dpop_nonce, with the nonce to use (RFC 9449 §8).
        let r = post_dpop(&app, "/oauth/token", &cc, rp, Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({})))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"], "use_dpop_nonce", "{}", r.body);
        let nonce = r.headers["dpop-nonce"].to_str().unwrap().to_owned();
        let r = post_dpop(&app, "/oauth/token", &cc, rp, Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({"nonce": nonce})))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let at = r.body["access_token"].as_str().unwrap().to_owned();
        // A made-up nonce, or one from long ago, is not accepted.
        let r = post_dpop(&app, "/oauth/token", &cc, rp, Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({"nonce": "made-up"})))).await;
        assert_eq!(r.body["error"], "use_dpop_nonce");
        app.clock.advance_secs(700);
        let r = post_dpop(&app, "/oauth/token", &cc, rp, Some(&key.proof(&app, "POST", "/oauth/token", serde_json::json!({"nonce": nonce})))).await;
        assert_eq!(r.body["error"], "use_dpop_nonce", "a stale nonce: {}", r.body);
        assert_ne!(r.headers["dpop-nonce"].to_str().unwrap(), nonce, "the nonce moves on");
        // At a resource the same answer is a 401 DPoP challenge with the nonce.
        app.clock.advance_secs(-700);
        let r = userinfo_with(&app, &format!("DPoP {at}"), Some(&key.proof(&app, "GET", "/oauth/userinfo", serde_json::json!({"ath": ath(&at)})))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers["www-authenticate"].to_str().unwrap().contains("use_dpop_nonce"));
        assert!(r.headers.contains_key("dpop-nonce"));
    }

    async fn openid_client_drives_par_dpop_and_pkce(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            // The library must also cope with the nonce dance.
            s.oidc.dpop_require_nonce = true;
        }).await else { return };
        let browser = signed_in(&app).await;
        let Some(pushed) = openid_client(&["par", &app.address, "rp", "rp-secret", RP_REDIRECT, "dpop"]).await else { return };
        let r = browser.get(pushed["url"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND, "{}", r.text().await.unwrap_or_default());
        let callback = r.headers()["location"].to_str().unwrap().to_owned();
        let keys = pushed["keys"].to_string();
        let done = openid_client(&["exchange", &app.address, "rp", "rp-secret", &callback,
            pushed["verifier"].as_str().unwrap(), pushed["state"].as_str().unwrap(), &keys]).await.unwrap();
        assert_eq!(done["token_type"], "dpop", "{done}");
        assert_eq!(done["userinfo_email"], "ada@example.com", "{done}");
        let at = done["access_token"].as_str().unwrap();
        assert!(decode_payload(at)["cnf"]["jkt"].is_string(), "{done}");
        // Without the key, the token is worth nothing.
        let r = userinfo_with(&app, &format!("Bearer {at}"), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

/// Clients for front-channel logout: "fc" wants `iss` and `sid`, "fc-plain" does not, and
/// "fc-idle" has a URI but never gets tokens in the sessions below.
fn with_frontchannel_clients(s: &mut Settings) {
    with_clients(s);
    let mut fc = client("fc", Some("fc-secret"), RP_REDIRECT, true);
    fc.frontchannel_logout_uri = Some("http://127.0.0.1:9/fc?app=1".into());
    fc.frontchannel_logout_session_required = true;
    let mut plain = client("fc-plain", Some("plain-secret"), RP_REDIRECT, true);
    plain.frontchannel_logout_uri = Some("http://localhost:9/plain".into());
    let mut idle = client("fc-idle", Some("idle-secret"), RP_REDIRECT, true);
    idle.frontchannel_logout_uri = Some("https://idle.example.com/logout".into());
    idle.frontchannel_logout_session_required = true;
    s.clients.extend([fc, plain, idle]);
}

/// Signs `browser` in to client `id` and answers the ID token of the exchange.
async fn id_token_for(app: &TestApp, browser: &reqwest::Client, id: &str, secret: &str) -> String {
    tokens_for(app, browser, id, secret).await["id_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Signs `browser` in to client `id` (code flow with PKCE) and answers the token response.
pub(crate) async fn tokens_for(
    app: &TestApp,
    browser: &reqwest::Client,
    id: &str,
    secret: &str,
) -> serde_json::Value {
    let (code, verifier) = code_for(app, browser, id, RP_REDIRECT, "&state=s1&nonce=n1").await;
    let r = post_form(
        app,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", RP_REDIRECT),
            ("code_verifier", &verifier),
        ],
        Some((id, secret)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

backend_tests! {
    async fn frontchannel_logout_frames_every_client_of_the_session(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_frontchannel_clients).await else { return };
        let d = app.get("/.well-known/openid-configuration").await.body;
        assert_eq!(d["frontchannel_logout_supported"], true);
        assert_eq!(d["frontchannel_logout_session_supported"], true);

        // With an ID token as hint: signed out at once, and the page frames both clients.
        let browser = signed_in(&app).await;
        let id_token = id_token_for(&app, &browser, "fc", "fc-secret").await;
        id_token_for(&app, &browser, "fc-plain", "plain-secret").await;
        let sid = decode_payload(&id_token)["sid"].as_str().unwrap().to_owned();
        let r = browser.get(format!("{}?id_token_hint={id_token}&post_logout_redirect_uri={}&state=z",
            app.url("/oauth/end_session"), urlencode("http://127.0.0.1:9/bye"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "frames to load first, so no redirect yet");
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.ends_with("; frame-src http://127.0.0.1:9 http://localhost:9"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        // Attribute values decoded, whichever way the template escapes `&`.
        let page = r.text().await.unwrap().replace("&#38;", "&").replace("&amp;", "&");
        let frame = format!("http://127.0.0.1:9/fc?app=1&iss={}&sid={sid}", urlencode(&app.address));
        assert!(page.contains(&format!("src=\"{frame}\"")), "{frame} in {page}");
        assert!(page.contains("src=\"http://localhost:9/plain\""), "no iss or sid unless asked: {page}");
        assert!(!page.contains("idle.example.com"), "a client without tokens in the session is not told");
        assert!(page.contains("href=\"http://127.0.0.1:9/bye?state=z\""), "{page}");
        assert!(page.contains("/static/signed_out.js"));
        assert_eq!(app.get_as(&browser, "/v1/client").await.body["client"]["sessions"], serde_json::json!([]));
        let js = Res::from(rp_http().get(app.url("/static/signed_out.js")).send().await.unwrap()).await;
        assert_eq!(js.status, StatusCode::OK);

        // Confirmed on the page (no hint): the frames too, for this browser's session only.
        let other = browser_signed_up(&app, "bob@example.com").await;
        let bob_token = id_token_for(&app, &other, "fc", "fc-secret").await;
        let bob_sid = decode_payload(&bob_token)["sid"].as_str().unwrap().to_owned();
        assert_ne!(bob_sid, sid);
        let r = other.get(format!("{}?client_id=fc", app.url("/oauth/end_session"))).send().await.unwrap();
        let page = r.text().await.unwrap();
        let id = between(&page, "name=\"id\" value=\"", "\"");
        let csrf = between(&page, "name=\"csrf\" value=\"", "\"");
        let r = other.post(app.url("/oauth/end_session/confirm")).form(&[("id", id.as_str()), ("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("sid={bob_sid}\"")), "{page}");
        assert!(!page.contains(&sid), "another session's id never appears");
        assert!(!page.contains("localhost:9/plain"), "fc-plain had no tokens in Bob's session");
        assert!(!page.contains("id=\"continue\""), "nowhere to go on to");

        // A session with no such clients: a plain redirect, as before.
        let third = browser_signed_up(&app, "cy@example.com").await;
        let token = id_token_for(&app, &third, "rp", "rp-secret").await;
        let r = third.get(format!("{}?id_token_hint={token}&post_logout_redirect_uri={}",
            app.url("/oauth/end_session"), urlencode("http://127.0.0.1:9/bye"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()["location"], "http://127.0.0.1:9/bye");
    }

    async fn frontchannel_logout_uris_are_checked(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.oidc.dynamic_registration = true;
            s.oidc.open_registration = true;
        }).await else { return };
        for bad in ["javascript:alert(1)", "https://rp.example.com/logout#frag", "https://u:p@rp.example.com/logout",
            "data:text/html,hi", "/relative", "http://rp.example.com/logout"] {
            let body = serde_json::json!({"redirect_uris": ["https://rp.example.com/cb"], "frontchannel_logout_uri": bad});
            let r = Res::from(rp_http().post(app.url("/oauth/register")).json(&body).send().await.unwrap()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
            assert_eq!(r.body["error"], "invalid_client_metadata", "{bad}");
        }
        let body = serde_json::json!({"redirect_uris": ["https://rp.example.com/cb"],
            "frontchannel_logout_uri": "https://rp.example.com/logout?x=1", "frontchannel_logout_session_required": true});
        let r = Res::from(rp_http().post(app.url("/oauth/register")).json(&body).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["frontchannel_logout_uri"], "https://rp.example.com/logout?x=1");
        assert_eq!(r.body["frontchannel_logout_session_required"], true);
    }
}

pub(crate) async fn browser_signed_up(app: &TestApp, email: &str) -> reqwest::Client {
    let http = browser();
    app.sign_up_with_email(&http, email, "correct horse").await;
    http
}

// The cases of the OpenID conformance suite's RP-initiated logout plans
// (`oidcc-rp-initiated-logout-*`, and back-channel logout reached from end_session).
backend_tests! {
    async fn rp_initiated_logout_conformance_cases(backend) {
        let (uri, received) = logout_receiver().await;
        let Some(app) = TestApp::spawn_with(backend, move |s| {
            with_clients(s);
            s.clients[0].backchannel_logout_uri = Some(uri);
        }).await else { return };
        let d = app.get("/.well-known/openid-configuration").await.body;
        assert_eq!(d["end_session_endpoint"], app.url("/oauth/end_session"));
        assert_eq!(d["backchannel_logout_supported"], true);
        assert_eq!(d["backchannel_logout_session_supported"], true);
        let bye = urlencode("http://127.0.0.1:9/bye");
        let end = app.url("/oauth/end_session");

        // modified-id-token-hint: a real ID token with its signature altered is refused, and
        // the session lives on.
        let ada = signed_in(&app).await;
        let token = id_token_for(&app, &ada, "rp", "rp-secret").await;
        let (head, sig) = token.rsplit_once('.').unwrap();
        let flipped = if sig.starts_with('A') { "B" } else { "A" };
        let forged = format!("{head}.{flipped}{}", &sig[1..]);
        let r = ada.get(format!("{end}?id_token_hint={forged}&post_logout_redirect_uri={bye}&state=s")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers().get("location").is_none());
        assert!(!signed_out(&app, &ada).await, "a forged hint ends nothing");

        // no-state: back to the application without a state parameter.
        let r = ada.get(format!("{end}?id_token_hint={token}&post_logout_redirect_uri={bye}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()["location"], "http://127.0.0.1:9/bye");
        assert!(signed_out(&app, &ada).await);
        // backchannel-rp-initiated-logout: the application is told, with the session's sid.
        let sid = decode_payload(&token)["sid"].clone();
        let mut logout_token = None;
        for _ in 0..100 {
            if let Some(t) = received.lock().unwrap().first().cloned() { logout_token = Some(t); break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let logout_token = logout_token.expect("a logout token arrived");
        assert_eq!(decode_payload(&logout_token)["sid"], sid);

        // no-post-logout-redirect-uri: signed out, and the signed-out page instead of a redirect.
        let bob = browser_signed_up(&app, "bob@example.com").await;
        let token = id_token_for(&app, &bob, "rp", "rp-secret").await;
        let r = bob.get(format!("{end}?id_token_hint={token}&state=s")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get("location").is_none());
        assert!(r.text().await.unwrap().contains("<h1>"));
        assert!(signed_out(&app, &bob).await);

        // no-params and only-state: the user is asked, then signed out, and never sent to the
        // registered post-logout address.
        for (who, query) in [("cy@example.com", ""), ("di@example.com", "?state=only")] {
            let b = browser_signed_up(&app, who).await;
            id_token_for(&app, &b, "rp", "rp-secret").await;
            let r = b.get(format!("{end}{query}")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{who}");
            let page = r.text().await.unwrap();
            let id = between(&page, "name=\"id\" value=\"", "\"");
            let csrf = between(&page, "name=\"csrf\" value=\"", "\"");
            assert!(!signed_out(&app, &b).await, "asked before anything happens");
            let r = b.post(app.url("/oauth/end_session/confirm")).form(&[("id", id.as_str()), ("csrf", csrf.as_str())]).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{who}");
            assert!(r.headers().get("location").is_none(), "{who}");
            assert!(signed_out(&app, &b).await, "{who}");
        }

        // no-id-token-hint: a post_logout_redirect_uri without a hint never redirects at once.
        let eve = browser_signed_up(&app, "eve@example.com").await;
        id_token_for(&app, &eve, "rp", "rp-secret").await;
        let r = eve.get(format!("{end}?post_logout_redirect_uri={bye}&state=s")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "the application did not identify itself");
        assert!(r.headers().get("location").is_none());
        let r = eve.get(format!("{end}?client_id=rp&post_logout_redirect_uri={bye}&state=s")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "asks first");
        assert!(r.headers().get("location").is_none());
        assert!(!signed_out(&app, &eve).await);
    }
}

/// Whether this browser has no session left.
async fn signed_out(app: &TestApp, b: &reqwest::Client) -> bool {
    app.get_as(b, "/v1/client").await.body["client"]["sessions"] == serde_json::json!([])
}

// Step-up (OIDC Core §3.1.2.1 `acr_values`, §5.5.1.1 an essential `acr` claim): a client
// that accepts only a multi-factor sign-in sends a one-factor session through a second
// factor (set up first when the user has none) before it gets a code, and the ID token says
// what happened.
backend_tests! {
    async fn acr_values_step_a_session_up_to_a_second_factor(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        let b = signed_in(&app).await;
        let base = format!("{}?client_id=rp&response_type=code&scope=openid&state=up&redirect_uri={}",
            app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        let mfa = urlencode("urn:portcullis:acr:mfa");
        let one = urlencode("urn:portcullis:acr:1fa");
        // One factor is enough when the client accepts it, or names only unknown classes.
        for acr in [format!("{one}%20{mfa}"), "urn:example:gold".into()] {
            let cb = browse_to_callback(&b, &format!("{base}&acr_values={acr}")).await;
            assert!(cb.contains_key("code"), "{acr}: {cb:?}");
        }
        // Only multi-factor: not without asking the user…
        let cb = browse_to_callback(&b, &format!("{base}&acr_values={mfa}&prompt=none")).await;
        assert_eq!(cb["error"], "interaction_required");
        // …who goes to verify a second factor, having none sets one up first.
        let r = b.get(format!("{base}&acr_values={mfa}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        let step_up = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(step_up.starts_with(&app.url("/user/reverify?level=second_factor&redirect_url=")), "{step_up}");
        let r = b.get(&step_up).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/user/mfa-setup?redirect_url="));
        let (secret, _) = app.enrol_totp(&b).await;
        // The code that set the app up does not count as a sign-in step: verify with it.
        app.clock.advance_secs(30);
        let page = crate::pages::get(&app, &b, &step_up).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let action = between(&page.body, "<form method=\"post\" action=\"", "\"").replace("&#38;", "&");
        assert!(action.starts_with("/user/reverify?redirect_url="), "{action}");
        let code = crate::helpers::totp_code(&secret, portcullis::clock::Clock::now_ms(&*app.clock), 0);
        let r = crate::pages::post(&app, &b, &action, &[("csrf", &page.hidden("csrf")), ("strategy", "totp"), ("code", &code)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().contains("/oauth/authorize/resume?id="), "{}", r.location());
        let cb = browse_to_callback(&b, &r.location()).await;
        assert_eq!(cb["state"], "up");
        let t = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &cb["code"]),
            ("redirect_uri", RP_REDIRECT)], Some(("rp", "rp-secret"))).await;
        let id = decode_payload(t.body["id_token"].as_str().unwrap());
        assert_eq!(id["acr"], "urn:portcullis:acr:mfa", "{id}");
        let amr: Vec<&str> = id["amr"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
        assert!(amr.contains(&"otp") && amr.contains(&"mfa"), "{amr:?}");
        // From now on the session is multi-factor: no step-up, even with prompt=none.
        let cb = browse_to_callback(&b, &format!("{base}&acr_values={mfa}&prompt=none")).await;
        assert!(cb.contains_key("code"), "{cb:?}");

        // An essential acr claim asks the same, in another browser signed in with one factor.
        let other = browser_signed_up(&app, "grace@example.com").await;
        let claims = urlencode(r#"{"id_token":{"acr":{"essential":true,"values":["urn:portcullis:acr:mfa"]}}}"#);
        let cb = browse_to_callback(&other, &format!("{base}&claims={claims}&prompt=none")).await;
        assert_eq!(cb["error"], "interaction_required");
        // Not essential: a wish, not a condition.
        let claims = urlencode(r#"{"id_token":{"acr":{"values":["urn:portcullis:acr:mfa"]}}}"#);
        let cb = browse_to_callback(&other, &format!("{base}&claims={claims}&prompt=none")).await;
        assert!(cb.contains_key("code"), "{cb:?}");
    }
}

// The cases of the OpenID conformance suite's Basic OP and Dynamic OP plans
// (`oidcc-basic-certification-test-plan`, `oidcc-dynamic-certification-test-plan`) that the
// tests above do not already cover, module by module (see docs/conformance.md).
backend_tests! {
    async fn oidcc_basic_and_dynamic_conformance_cases(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.clients.push(client("query", Some("query-secret"), "http://127.0.0.1:9/cb?tenant=1", true));
        }).await else { return };
        let b = signed_in(&app).await;
        let base = format!("{}?client_id=rp&redirect_uri={}", app.url("/oauth/authorize"), urlencode(RP_REDIRECT));
        let code_url = format!("{base}&response_type=code&scope=openid");
        let redeem = |code: String| {
            let app = &app;
            async move {
                post_form(app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &code),
                    ("redirect_uri", RP_REDIRECT)], Some(("rp", "rp-secret"))).await
            }
        };
        // oidcc-response-type-missing: an error for the client, at its redirect URI.
        let cb = browse_to_callback(&b, &format!("{base}&scope=openid&state=m1")).await;
        assert_eq!((cb["error"].as_str(), cb["state"].as_str()), ("invalid_request", "m1"));
        // oidcc-ensure-redirect-uri-in-authorization-request: shown, never redirected.
        let r = b.get(format!("{}?client_id=rp&response_type=code&scope=openid", app.url("/oauth/authorize"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        // Accepted and honoured or ignored: display=page|popup, an unknown parameter,
        // claims_locales, ui_locales, acr_values, scopes in another order, and no nonce and no
        // state (oidcc-display-*, -ensure-request-with-unknown-parameter-succeeds,
        // -claims-locales, -ui-locales, -ensure-request-with-acr-values-succeeds,
        // -ensure-other-scope-order-succeeds, -ensure-request-without-nonce-succeeds-for-code-flow).
        for extra in ["&display=page", "&display=popup", "&extra_param=foo", "&claims_locales=se",
                      "&ui_locales=se%20fr", "&acr_values=urn:example:silver", "&scope=email%20openid"] {
            let url = if extra.starts_with("&scope") { format!("{base}&response_type=code{extra}") } else { format!("{code_url}{extra}") };
            let cb = browse_to_callback(&b, &url).await;
            assert!(cb.contains_key("code"), "{extra}: {cb:?}");
            assert!(!cb.contains_key("state"), "no state asked, none returned");
        }
        let cb = browse_to_callback(&b, &code_url).await;
        let t = redeem(cb["code"].clone()).await;
        let id_token = t.body["id_token"].as_str().unwrap().to_owned();
        assert!(decode_payload(&id_token).get("nonce").is_none(), "no nonce asked, none in the ID token");
        // oidcc-id-token-hint: the current user's own ID token as the hint, with prompt=none.
        let cb = browse_to_callback(&b, &format!("{code_url}&prompt=none&id_token_hint={id_token}")).await;
        assert!(cb.contains_key("code"), "{cb:?}");
        // oidcc-ensure-post-request-succeeds: the authorization request as a form post.
        let form = [("client_id", "rp"), ("redirect_uri", RP_REDIRECT), ("response_type", "code"), ("scope", "openid"), ("state", "posted")];
        let r = b.post(app.url("/oauth/authorize")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert!(r.headers()["location"].to_str().unwrap().contains("state=posted"));
        // oidcc-userinfo-get, -post-header, -post-body.
        let token = t.body["access_token"].as_str().unwrap().to_owned();
        let get = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(&token).send().await.unwrap()).await;
        let header = Res::from(rp_http().post(app.url("/oauth/userinfo")).bearer_auth(&token).send().await.unwrap()).await;
        let body = Res::from(rp_http().post(app.url("/oauth/userinfo")).form(&[("access_token", token.as_str())]).send().await.unwrap()).await;
        for r in [&get, &header, &body] {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["sub"], decode_payload(&id_token)["sub"]);
        }
        // oidcc-codereuse-30seconds: a code redeemed again after 30 s is refused, and what its
        // first use issued is revoked.
        let cb = browse_to_callback(&b, &code_url).await;
        let first = redeem(cb["code"].clone()).await;
        app.clock.advance_secs(30);
        let again = redeem(cb["code"].clone()).await;
        assert_eq!(again.body["error"], "invalid_grant");
        let r = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(first.body["access_token"].as_str().unwrap()).send().await.unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // fapi2-…-ensure-authorization-request-with-long-nonce, -long-state: honoured up to
        // 512 and 2,048 characters, refused cleanly beyond.
        let cb = browse_to_callback(&b, &format!("{code_url}&nonce={}&state={}", "n".repeat(512), "s".repeat(2048))).await;
        assert!(cb.contains_key("code"), "{cb:?}");
        for extra in [format!("&nonce={}", "n".repeat(513)), format!("&state={}", "s".repeat(2049))] {
            let cb = browse_to_callback(&b, &format!("{code_url}{extra}")).await;
            assert_eq!(cb["error"], "invalid_request");
        }
        // fapi2-…-ensure-authorization-code-is-bound-to-client: another client cannot redeem
        // it, and trying spends it (single use, as a stolen code should be).
        let cb = browse_to_callback(&b, &code_url).await;
        let r = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &cb["code"]),
            ("redirect_uri", RP_REDIRECT)], Some(("query", "query-secret"))).await;
        assert_eq!(r.body["error"], "invalid_grant", "{}", r.body);
        assert_eq!(redeem(cb["code"].clone()).await.body["error"], "invalid_grant");
        // oidcc-redirect-uri-query-OK, -query-mismatch, -query-added: a registered query is
        // part of the exact match.
        let with = |redirect: &str| format!("{}?client_id=query&response_type=code&scope=openid&redirect_uri={}", app.url("/oauth/authorize"), urlencode(redirect));
        let cb = browse_to_callback(&b, &with("http://127.0.0.1:9/cb?tenant=1")).await;
        assert_eq!(cb["tenant"], "1");
        assert!(cb.contains_key("code"));
        for bad in ["http://127.0.0.1:9/cb?tenant=2", "http://127.0.0.1:9/cb?tenant=1&other=11", "http://127.0.0.1:9/cb"] {
            let r = b.get(with(bad)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        // oidcc-redirect-uri-regfrag: a redirect URI with a fragment cannot be registered.
        assert!(portcullis::oidc::clients::check_settings(&client("frag", None, "http://127.0.0.1:9/cb#frag", true)).is_err());
        // oidcc-scope-profile, -scope-email, -scope-phone: each scope releases its claims at
        // userinfo, and only those (null ones, such as a phone number Ada never gave, left out).
        for (scope, present, absent) in [
            ("openid%20profile", vec!["updated_at"], vec!["email", "phone_number"]),
            ("openid%20email", vec!["email", "email_verified"], vec!["updated_at", "phone_number"]),
            ("openid%20phone", vec![], vec!["email", "updated_at"]),
            ("openid%20profile%20email%20phone", vec!["email", "updated_at"], vec![]),
        ] {
            let cb = browse_to_callback(&b, &format!("{base}&response_type=code&scope={scope}")).await;
            let t = redeem(cb["code"].clone()).await;
            let info = Res::from(rp_http().get(app.url("/oauth/userinfo")).bearer_auth(t.body["access_token"].as_str().unwrap()).send().await.unwrap()).await;
            for k in present { assert!(info.body.get(k).is_some(), "{scope}: {k} in {}", info.body); }
            for k in absent { assert!(info.body.get(k).is_none(), "{scope}: no {k} in {}", info.body); }
        }
        // oidcc-scope-address, -scope-all: `address` is not offered (scopes_supported), so it
        // is refused rather than silently dropped.
        let cb = browse_to_callback(&b, &format!("{base}&response_type=code&scope=openid%20address")).await;
        assert_eq!(cb["error"], "invalid_scope");
    }
}

/// Is `token` good at userinfo and at introspection? (The two must agree.)
async fn token_works(app: &TestApp, token: &str) -> bool {
    let info = userinfo_with(app, &format!("Bearer {token}"), None).await;
    let intro = post_form(
        app,
        "/oauth/introspect",
        &[("token", token)],
        Some(("rp", "rp-secret")),
    )
    .await;
    assert_eq!(intro.status, StatusCode::OK, "{}", intro.body);
    let active = intro.body["active"] == true;
    assert_eq!(
        info.status == StatusCode::OK,
        active,
        "userinfo and introspection disagree: {}",
        info.body
    );
    active
}

async fn refreshed(app: &TestApp, refresh: &str) -> Res {
    post_form(
        app,
        "/oauth/token",
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        Some(("rp", "rp-secret")),
    )
    .await
}

backend_tests! {
    // An access token is issued in a browser session and ends with it, however the session
    // ends (signed out, or removed from the browser's list), before its own expiry. A refresh
    // token (offline_access) outlives the session, but what it gives from then on belongs to
    // no session: no `sid`, and a sign-in elsewhere does not end it.
    async fn access_tokens_end_with_their_session_and_refresh_tokens_go_on_without_it(backend) {
        let Some(app) = TestApp::spawn_with(backend, with_clients).await else { return };
        for (n, how) in ["end", "remove"].into_iter().enumerate() {
            let browser = browser_signed_up(&app, &format!("user{n}@example.com")).await;
            let r = app.get_as(&browser, "/v1/client").await;
            let sid = r.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
            let first = tokens_for(&app, &browser, "rp", "rp-secret").await;
            let access = first["access_token"].as_str().unwrap().to_owned();
            assert_eq!(decode_payload(&access)["sid"], sid.as_str());
            assert!(token_works(&app, &access).await, "{how}: good while the session lives");
            // A refresh while the session lives gives tokens of the session.
            let r = refreshed(&app, first["refresh_token"].as_str().unwrap()).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let (access_2, refresh_2) = (r.body["access_token"].as_str().unwrap().to_owned(), r.body["refresh_token"].as_str().unwrap().to_owned());
            assert_eq!(decode_payload(&access_2)["sid"], sid.as_str());
            assert_eq!(decode_payload(r.body["id_token"].as_str().unwrap())["sid"], sid.as_str());

            let r = app.post_as(&browser, &format!("/v1/client/sessions/{sid}/{how}"), &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{how}: {}", r.body);
            assert!(!token_works(&app, &access).await, "{how}: the session's token ended with it");
            assert!(!token_works(&app, &access_2).await, "{how}: so did the one refreshed in it");

            // The refresh token goes on, and gives tokens that name no session.
            let r = refreshed(&app, &refresh_2).await;
            assert_eq!(r.status, StatusCode::OK, "{how}: {}", r.body);
            let access_3 = r.body["access_token"].as_str().unwrap().to_owned();
            let refresh_3 = r.body["refresh_token"].as_str().unwrap().to_owned();
            assert!(decode_payload(&access_3).get("sid").is_none(), "{how}: {}", decode_payload(&access_3));
            assert!(decode_payload(r.body["id_token"].as_str().unwrap()).get("sid").is_none());
            assert!(token_works(&app, &access_3).await, "{how}: the offline grant's token works");
            // Signing in again makes a new session; the offline grant's tokens do not join it,
            // and ending the new session leaves them alone.
            let email = format!("user{n}@example.com");
            let r = app.post_as(&browser, "/v1/client/sign_ins", &[("identifier", email.as_str()), ("password", "correct horse")]).await;
            assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
            let r = refreshed(&app, &refresh_3).await;
            assert_eq!(r.status, StatusCode::OK, "{how}: {}", r.body);
            let access_4 = r.body["access_token"].as_str().unwrap().to_owned();
            assert!(decode_payload(&access_4).get("sid").is_none());
            let r = app.get_as(&browser, "/v1/client").await;
            let new_sid = r.body["response"]["last_active_session_id"].as_str().unwrap().to_owned();
            assert_ne!(new_sid, sid);
            let r = app.post_as(&browser, &format!("/v1/client/sessions/{new_sid}/end"), &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(token_works(&app, &access_4).await, "{how}: no session, nothing to end it");
            // The token from before the sign-out stays ended.
            assert!(!token_works(&app, &access).await);
        }
    }
}
