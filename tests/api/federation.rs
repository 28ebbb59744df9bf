//! Signing in and up through upstream providers, against local stand-ins that speak each real
//! protocol: Google and a generic issuer over OpenID Connect, Facebook's Graph API, X's
//! `/2/users/me`, a generic OAuth 2.0 provider, and an enterprise SSO connection.

use std::collections::BTreeMap;

use portcullis::config::{ClaimMap, EnterpriseConnectionSettings, ProviderKind, ProviderSettings};
use reqwest::StatusCode;
use serde_json::Value;

use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser};
use crate::upstream::{CLIENT_ID, CLIENT_SECRET, Mode, Upstream, UpstreamUser};

fn secret() -> Option<secrecy::SecretString> {
    Some(CLIENT_SECRET.to_string().into())
}

/// google, facebook, twitter and a generic OAuth 2.0 provider "acme" on one stand-in, and
/// an enterprise connection for corp.example on another.
fn providers(up: &Upstream) -> BTreeMap<String, ProviderSettings> {
    let u = &up.url;
    let mut m = BTreeMap::new();
    m.insert(
        "google".into(),
        ProviderSettings {
            client_id: CLIENT_ID.into(),
            client_secret: secret(),
            issuer: Some(u.clone()),
            ..Default::default()
        },
    );
    m.insert(
        "facebook".into(),
        ProviderSettings {
            client_id: CLIENT_ID.into(),
            client_secret: secret(),
            authorization_url: Some(format!("{u}/authorize")),
            token_url: Some(format!("{u}/token")),
            userinfo_url: Some(format!(
                "{u}/me?fields=id,name,email,first_name,last_name,picture"
            )),
            ..Default::default()
        },
    );
    m.insert(
        "twitter".into(),
        ProviderSettings {
            client_id: CLIENT_ID.into(),
            client_secret: secret(),
            authorization_url: Some(format!("{u}/authorize")),
            token_url: Some(format!("{u}/token")),
            userinfo_url: Some(format!("{u}/2/users/me")),
            ..Default::default()
        },
    );
    m.insert(
        "acme".into(),
        ProviderSettings {
            kind: Some(ProviderKind::Oauth2),
            name: Some("Acme".into()),
            client_id: CLIENT_ID.into(),
            client_secret: secret(),
            authorization_url: Some(format!("{u}/authorize")),
            token_url: Some(format!("{u}/token")),
            userinfo_url: Some(format!("{u}/userinfo")),
            claims: ClaimMap {
                id: Some("sub".into()),
                email: Some("email".into()),
                email_verified: Some("email_verified".into()),
                first_name: Some("given_name".into()),
                last_name: Some("family_name".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    m
}

async fn spawn(
    backend: crate::helpers::Backend,
    up: &Upstream,
    configure: impl FnOnce(&mut portcullis::config::Settings),
) -> Option<TestApp> {
    let p = providers(up);
    TestApp::spawn_with(backend, move |s| {
        s.providers = p;
        configure(s);
    })
    .await
}

/// Follows the browser through the provider and back; returns where Portcullis sends it.
pub(crate) async fn through_provider(b: &reqwest::Client, url: &str) -> String {
    let r = b.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND, "the provider redirects back");
    let callback = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.contains("/v1/oauth_callback?"), "{callback}");
    let r = b.get(&callback).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    r.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) fn external_url(body: &Value) -> String {
    body["response"]["first_factor_verification"]["external_verification_redirect_url"]
        .as_str()
        .unwrap_or_else(|| panic!("no provider URL: {body}"))
        .to_owned()
}

async fn start_sign_in(app: &TestApp, b: &reqwest::Client, strategy: &str) -> (String, String) {
    let r = app
        .post_as(
            b,
            "/v1/client/sign_ins",
            &[("strategy", strategy), ("redirect_url", "/sso-callback")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        r.body["response"]["id"].as_str().unwrap().to_owned(),
        external_url(&r.body),
    )
}

async fn sign_in_state(app: &TestApp, b: &reqwest::Client) -> Value {
    app.get_as(b, "/v1/client").await.body["response"]["sign_in"].clone()
}

backend_tests! {
    async fn social_providers_switch_off_and_on_at_run_time(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |s| s.dashboard.require_second_factor = false).await else { return };
        let admin = crate::admin::Admin::new(&app).await;
        let social = |env: &Value| env["user_settings"]["social"].as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        assert!(social(&app.get("/v1/environment").await.body).contains(&"oauth_google".to_owned()));
        // A sign-in through Google under way when the operator switches Google off…
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"auth": {"disabled_providers": ["google"]}}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // …is refused on its way back, cleanly.
        let r = b.get(&url).send().await.unwrap();
        let callback = r.headers()["location"].to_str().unwrap().to_owned();
        let r = b.get(&callback).send().await.unwrap();
        assert!(!r.status().is_server_error(), "{}", r.status());
        assert!(sign_in_state(&app, &b).await["status"] != "complete");
        // Google is no longer offered or accepted; the others are.
        let env = app.get("/v1/environment").await.body;
        assert!(!social(&env).contains(&"oauth_google".to_owned()), "{env}");
        assert!(social(&env).contains(&"oauth_facebook".to_owned()), "{env}");
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "oauth_google"), ("redirect_url", "/sso-callback")]).await;
        assert!(r.status.is_client_error(), "{}", r.body);
        let page = app.http.get(app.url("/sign-in")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Continue with Google") && page.contains("Continue with Facebook"), "{page}");
        // Only providers of config.toml can be named.
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"auth": {"disabled_providers": ["myspace"]}}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // Back on.
        let r = admin.send("PATCH", "/settings", Some(serde_json::json!({"auth": {"disabled_providers": null}}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        start_sign_in(&app, &browser(), "oauth_google").await;
        // The dashboard's Connections page does the same: Facebook unticked, the rest kept.
        let (op, _) = crate::dashboard::operator(&app, "ops@example.com", true).await;
        let p = crate::pages::submit(&app, &op, "/dashboard/connections", "/dashboard/connections/social",
            &[("offer.google", "on"), ("offer.twitter", "on"), ("offer.acme", "on")]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(app.app.settings().auth.disabled_providers, ["facebook"]);
        let env = app.get("/v1/environment").await.body;
        assert!(!social(&env).contains(&"oauth_facebook".to_owned()) && social(&env).contains(&"oauth_google".to_owned()), "{env}");
    }

    async fn login_hint_and_prompt_reach_openid_providers_only(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        let b = browser();
        let start = |strategy: &'static str, prompt: &'static str| {
            let (app, b) = (&app, &b);
            async move {
                app.post_as(b, "/v1/client/sign_ins", &[
                    ("strategy", strategy), ("redirect_url", "/sso-callback"),
                    ("oidc_login_hint", "ada@example.com"), ("oidc_prompt", prompt),
                ]).await
            }
        };
        let r = start("oauth_google", "select_account").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let url = url::Url::parse(&external_url(&r.body)).unwrap();
        let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["login_hint"], "ada@example.com");
        assert_eq!(q["prompt"], "select_account");
        // Plain OAuth 2.0 has no such parameters: Facebook's page is not told.
        let r = start("oauth_facebook", "login").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let url = url::Url::parse(&external_url(&r.body)).unwrap();
        assert!(url.query_pairs().all(|(k, _)| k != "login_hint" && k != "prompt"), "{url}");
        // Only OpenID Connect's prompt values, and `none` alone.
        for bad in ["sideways", "none login"] {
            let r = start("oauth_google", bad).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
            assert_eq!(r.error_param(), "oidc_prompt");
        }
        // Refused before anything is written: a new browser gets no client, sign-in or sign-up.
        let fresh = browser();
        for path in ["/v1/client/sign_ins", "/v1/client/sign_ups"] {
            let r = app.post_as(&fresh, path, &[
                ("strategy", "oauth_google"), ("redirect_url", "/sso-callback"), ("oidc_prompt", "sideways"),
            ]).await;
            assert_eq!(r.error_param(), "oidc_prompt", "{path}: {}", r.body);
        }
        assert_eq!(app.get_as(&fresh, "/v1/client").await.body["client"], Value::Null);
        // The same on sign-up.
        let r = app.post_as(&b, "/v1/client/sign_ups", &[
            ("strategy", "oauth_google"), ("redirect_url", "/sso-callback"), ("oidc_prompt", "consent"),
        ]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let url = r.body["response"]["verifications"]["external_account"]["external_verification_redirect_url"]
            .as_str().unwrap().to_owned();
        assert!(url.contains("prompt=consent"), "{url}");
    }

    async fn google_new_user_by_transfer_then_returning_user(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        let env = app.get("/v1/environment").await;
        assert_eq!(env.body["user_settings"]["social"]["oauth_google"]["enabled"], true);

        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        assert!(url.starts_with(&format!("{}/authorize?", up.url)), "{url}");
        let q: std::collections::HashMap<String, String> = url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(q.contains_key("nonce") && q.contains_key("state"));
        assert_eq!(q["redirect_uri"], app.url("/v1/oauth_callback"));
        assert!(q["scope"].contains("openid") && q["scope"].contains("email"));

        assert_eq!(through_provider(&b, &url).await, "/sso-callback");
        let si = sign_in_state(&app, &b).await;
        assert_eq!(si["status"], "needs_identifier", "{si}");
        assert_eq!(si["first_factor_verification"]["status"], "transferable");
        assert_eq!(si["first_factor_verification"]["error"]["code"], "external_account_not_found");

        let r = app.post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let su = &r.body["response"];
        assert_eq!(su["status"], "complete", "{su}");
        assert_eq!(su["email_address"], "ada@example.com");
        assert_eq!(su["first_name"], "Ada");
        assert_eq!(su["verifications"]["external_account"]["status"], "verified");
        let user = &r.body["client"]["sessions"][0]["user"];
        assert_eq!(user["email_addresses"][0]["verification"]["status"], "verified");
        assert_eq!(user["email_addresses"][0]["verification"]["strategy"], "from_oauth_google");
        assert_eq!(user["external_accounts"][0]["provider"], "oauth_google");
        assert_eq!(user["external_accounts"][0]["provider_user_id"], "g-ada");
        assert_eq!(user["password_enabled"], false);
        let user_id = user["id"].as_str().unwrap().to_owned();

        // Returning: straight to a session, as the same user.
        let b2 = browser();
        let (_, url) = start_sign_in(&app, &b2, "oauth_google").await;
        through_provider(&b2, &url).await;
        let c = app.get_as(&b2, "/v1/client").await.body["response"].clone();
        assert_eq!(c["sessions"][0]["user"]["id"], user_id.as_str(), "{c}");
        // An identified sign-in of that user now lists Google as a first factor.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        let strategies: Vec<&str> = r.body["response"]["supported_first_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
        assert!(strategies.contains(&"oauth_google"), "{strategies:?}");
    }

    async fn facebook_sign_up_and_second_factor_on_return(backend) {
        let mut user = UpstreamUser::new("1002003004", Some("grace@example.com"), true);
        user.email_verified = None; // the Graph API never says; this operator trusts it
        let up = Upstream::start(user).await;
        let Some(app) = spawn(backend, &up, |s| {
            s.providers.get_mut("facebook").unwrap().trust_email = Some(true);
        }).await else { return };
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("strategy", "oauth_facebook"), ("redirect_url", "/sso-callback"), ("action_complete_redirect_url", "/welcome")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let url = r.body["response"]["verifications"]["external_account"]["external_verification_redirect_url"].as_str().unwrap().to_owned();
        assert_eq!(through_provider(&b, &url).await, "/welcome", "complete: the action-complete URL");
        let c = app.get_as(&b, "/v1/client").await.body["response"].clone();
        let u = &c["sessions"][0]["user"];
        assert_eq!(u["first_name"], "Ada");
        assert_eq!(u["email_addresses"][0]["email_address"], "grace@example.com");
        assert_eq!(u["external_accounts"][0]["image_url"], "https://graph.example/p.jpg");
        // With an authenticator app, the provider is only the first factor.
        app.enrol_totp(&b).await;
        let b2 = browser();
        let (_, url) = start_sign_in(&app, &b2, "oauth_facebook").await;
        through_provider(&b2, &url).await;
        assert_eq!(sign_in_state(&app, &b2).await["status"], "needs_second_factor");
    }

    async fn a_facebook_email_does_not_take_over_an_account_by_default(backend) {
        let mut user = UpstreamUser::new("fb-mallory", Some("ada@example.com"), true);
        user.email_verified = None; // the Graph API never says whether it was confirmed
        let up = Upstream::start(user).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        let victim = app.signed_in_user("ada@example.com", "correct horse").await;
        let victim_id = app.get_as(&victim, "/v1/me").await.body["response"]["id"].as_str().unwrap().to_owned();
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_facebook").await;
        through_provider(&b, &url).await;
        let c = app.get_as(&b, "/v1/client").await.body["response"].clone();
        let signed_in_as: Vec<&str> = c["sessions"].as_array().map(|s| s.iter().filter_map(|s| s["user"]["id"].as_str()).collect()).unwrap_or_default();
        assert!(!signed_in_as.contains(&victim_id.as_str()), "{c}");
        let r = app.get_as(&victim, "/v1/me").await;
        assert!(r.body["response"]["external_accounts"].as_array().unwrap().is_empty(), "nothing was linked: {}", r.body);
    }

    async fn twitter_without_email_asks_for_one_and_verifies_it(backend) {
        let up = Upstream::start(UpstreamUser::new("x-77", None, false)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("strategy", "oauth_twitter"), ("redirect_url", "/sso-callback")]).await;
        let url = r.body["response"]["verifications"]["external_account"]["external_verification_redirect_url"].as_str().unwrap().to_owned();
        through_provider(&b, &url).await;
        let su = app.get_as(&b, "/v1/client").await.body["response"]["sign_up"].clone();
        assert_eq!(su["status"], "missing_requirements", "{su}");
        assert_eq!(su["missing_fields"], serde_json::json!(["email_address"]), "no password needed, but an email is");
        assert_eq!(su["first_name"], "Ada");
        let id = su["id"].as_str().unwrap().to_owned();
        let r = app.patch_as(&b, &format!("/v1/client/sign_ups/{id}"), &[("email_address", "ada@x.example")]).await;
        assert_eq!(r.body["response"]["unverified_fields"], serde_json::json!(["email_address"]));
        app.post_as(&b, &format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_code")]).await;
        let code = app.mail.code_for("ada@x.example").await;
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        assert_eq!(r.body["client"]["sessions"][0]["user"]["external_accounts"][0]["provider"], "oauth_twitter");
    }

    async fn identified_sign_in_must_get_back_the_same_user(backend) {
        let up = Upstream::start(UpstreamUser::new("g-bob", Some("bob@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        // Bob signs up with Google; Ada with a password.
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        through_provider(&b, &url).await;
        app.post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        app.sign_up_with_email(&browser(), "ada@example.com", "correct horse").await;
        // A sign-in identified as Ada that comes back from Google as Bob fails, without a session.
        let b2 = browser();
        let r = app.post_as(&b2, "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b2, &format!("/v1/client/sign_ins/{id}/prepare_first_factor"), &[("strategy", "oauth_google"), ("redirect_url", "/sso-callback")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        through_provider(&b2, &external_url(&r.body)).await;
        let c = app.get_as(&b2, "/v1/client").await.body["response"].clone();
        assert_eq!(c["sign_in"]["first_factor_verification"]["status"], "failed", "{c}");
        assert_eq!(c["sign_in"]["first_factor_verification"]["error"]["code"], "external_account_not_found");
        assert_eq!(c["sessions"].as_array().unwrap().len(), 0);
        // Google as an unknown account for an identified user also fails.
        up.set_user(UpstreamUser::new("g-stranger", Some("stranger@example.com"), true));
        let b3 = browser();
        let r = app.post_as(&b3, "/v1/client/sign_ins", &[("identifier", "ada@example.com")]).await;
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b3, &format!("/v1/client/sign_ins/{id}/prepare_first_factor"), &[("strategy", "oauth_google"), ("redirect_url", "/sso-callback")]).await;
        through_provider(&b3, &external_url(&r.body)).await;
        let si = sign_in_state(&app, &b3).await;
        assert_eq!(si["first_factor_verification"]["status"], "failed", "{si}");
    }

    async fn account_linking_needs_a_verified_email_and_the_setting(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), false)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        let ada = app.signed_in_user("ada@example.com", "correct horse").await;
        // Unverified upstream email: no link, the sign-in is transferable, and the sign-up
        // from it cannot take Ada's address.
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        through_provider(&b, &url).await;
        assert_eq!(sign_in_state(&app, &b).await["first_factor_verification"]["status"], "transferable");
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        assert_eq!(r.body["response"]["status"], "missing_requirements", "{}", r.body);
        assert!(r.body["response"]["email_address"].is_null());
        // Verified upstream email: linked to Ada and signed in as her.
        up.set_user(UpstreamUser::new("g-ada", Some("ada@example.com"), true));
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        through_provider(&b, &url).await;
        let c = app.get_as(&b, "/v1/client").await.body["response"].clone();
        let ada_id = app.get_as(&ada, "/v1/me").await.body["response"]["id"].clone();
        assert_eq!(c["sessions"][0]["user"]["id"], ada_id, "{c}");
        assert_eq!(c["sessions"][0]["user"]["external_accounts"][0]["provider"], "oauth_google");
    }

    async fn no_automatic_linking_when_the_setting_is_off(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |s| s.federation.link_by_verified_email = false).await else { return };
        let ada = app.signed_in_user("ada@example.com", "correct horse").await;
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        through_provider(&b, &url).await;
        assert_eq!(sign_in_state(&app, &b).await["first_factor_verification"]["status"], "transferable");
        // Ada links it herself from her account, then it signs her in.
        let r = app.post_as(&ada, "/v1/me/external_accounts", &[("strategy", "oauth_google"), ("redirect_url", "/user")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let url = r.body["response"]["verification"]["external_verification_redirect_url"].as_str().unwrap().to_owned();
        assert_eq!(through_provider(&ada, &url).await, "/user");
        let me = app.get_as(&ada, "/v1/me").await.body["response"].clone();
        assert_eq!(me["external_accounts"][0]["provider"], "oauth_google");
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        through_provider(&b, &url).await;
        assert_eq!(app.get_as(&b, "/v1/client").await.body["response"]["sessions"][0]["user"]["id"], me["id"]);
        // Unlinking works while a password remains; it is refused for the last way in.
        let x = me["external_accounts"][0]["id"].as_str().unwrap().to_owned();
        let r = app.delete_as(&ada, &format!("/v1/me/external_accounts/{x}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn unlinking_the_only_way_in_is_refused(backend) {
        let up = Upstream::start(UpstreamUser::new("x-1", None, false)).await;
        let Some(app) = spawn(backend, &up, |s| s.auth.email_address = portcullis::config::FieldMode::Optional).await else { return };
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("strategy", "oauth_twitter"), ("redirect_url", "/sso-callback")]).await;
        let url = r.body["response"]["verifications"]["external_account"]["external_verification_redirect_url"].as_str().unwrap().to_owned();
        through_provider(&b, &url).await;
        let me = app.get_as(&b, "/v1/me").await.body["response"].clone();
        assert_eq!(me["external_accounts"].as_array().unwrap().len(), 1, "{me}");
        let x = me["external_accounts"][0]["id"].as_str().unwrap().to_owned();
        let r = app.delete_as(&b, &format!("/v1/me/external_accounts/{x}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }

    async fn state_must_be_ours_fresh_and_unused(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        // Forged.
        let r = browser().get(app.url("/v1/oauth_callback?state=forged&code=abc")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("expired or was already used"));
        // Replayed.
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        let r = b.get(&url).send().await.unwrap();
        let callback = r.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(b.get(&callback).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        assert_eq!(b.get(&callback).send().await.unwrap().status(), StatusCode::BAD_REQUEST);
        assert_eq!(up.token_requests(), 1, "a replayed callback never reaches the provider");
        // Another browser's.
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        let r = b.get(&url).send().await.unwrap();
        let callback = r.headers()["location"].to_str().unwrap().to_owned();
        let r = browser().get(&callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.text().await.unwrap().contains("another browser"));
        // Expired.
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        let r = b.get(&url).send().await.unwrap();
        let callback = r.headers()["location"].to_str().unwrap().to_owned();
        app.clock.advance_secs(601);
        assert_eq!(b.get(&callback).send().await.unwrap().status(), StatusCode::BAD_REQUEST);
        // Missing parameters are an HTML error, never a 500.
        let r = browser().get(app.url("/v1/oauth_callback")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    async fn id_tokens_are_checked(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        for (mode, what) in [(Mode::WrongNonce, "wrong nonce"), (Mode::UnknownKey, "unknown key"), (Mode::AlgNone, "alg none")] {
            up.set_mode(mode);
            let b = browser();
            let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
            assert_eq!(through_provider(&b, &url).await, "/sso-callback");
            let v = sign_in_state(&app, &b).await["first_factor_verification"].clone();
            assert_eq!(v["status"], "failed", "{what}: {v}");
            assert_eq!(v["error"]["code"], "oauth_provider_error", "{what}");
            assert_eq!(app.get_as(&b, "/v1/client").await.body["response"]["sessions"].as_array().unwrap().len(), 0);
        }
        // A provider that rotates its key is followed: the JWKS is fetched again.
        up.set_mode(Mode::Normal);
        up.rotate_key();
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_google").await;
        through_provider(&b, &url).await;
        assert_eq!(sign_in_state(&app, &b).await["first_factor_verification"]["status"], "transferable");
    }

    async fn upstream_denial_and_timeout_are_failed_verifications(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |s| s.federation.timeout_secs = 1).await else { return };
        up.set_mode(Mode::Deny);
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_facebook").await;
        assert_eq!(through_provider(&b, &url).await, "/sso-callback");
        let v = sign_in_state(&app, &b).await["first_factor_verification"].clone();
        assert_eq!(v["status"], "failed", "{v}");
        assert_eq!(v["error"]["code"], "oauth_access_denied");
        up.set_mode(Mode::Slow(3000));
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_facebook").await;
        let started = std::time::Instant::now();
        through_provider(&b, &url).await;
        assert!(started.elapsed() < std::time::Duration::from_millis(2500), "the timeout holds");
        let v = sign_in_state(&app, &b).await["first_factor_verification"].clone();
        assert_eq!(v["error"]["code"], "oauth_provider_error", "{v}");
        assert!(v["error"]["long_message"].as_str().unwrap().contains("not answering"));
    }

    async fn a_generic_oauth2_provider_maps_its_claims(backend) {
        let up = Upstream::start(UpstreamUser::new("acme-9", Some("lin@acme.example"), true)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        let b = browser();
        let (_, url) = start_sign_in(&app, &b, "oauth_acme").await;
        through_provider(&b, &url).await;
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let u = &r.body["client"]["sessions"][0]["user"];
        assert_eq!(u["external_accounts"][0]["provider"], "oauth_acme");
        assert_eq!(u["email_addresses"][0]["email_address"], "lin@acme.example");
        // Unknown providers are refused by name.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "oauth_nope"), ("redirect_url", "/x")]).await;
        assert_eq!(r.error_code(), "form_param_value_invalid");
        // And a foreign redirect_url is refused.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("strategy", "oauth_acme"), ("redirect_url", "https://evil.example/")]).await;
        assert_eq!(r.error_param(), "redirect_url");
    }

    async fn enterprise_sso_is_routed_by_email_domain(backend) {
        let corp = Upstream::start(UpstreamUser::new("corp-1", Some("dev@corp.example"), true)).await;
        let social = Upstream::start(UpstreamUser::new("g-1", Some("g@example.com"), true)).await;
        let issuer = corp.url.clone();
        let Some(app) = spawn(backend, &social, move |s| {
            s.enterprise_connections = vec![EnterpriseConnectionSettings {
                name: "Corp".into(), domains: vec!["corp.example".into()], issuer: Some(issuer),
                client_id: Some(CLIENT_ID.into()), client_secret: Some(CLIENT_SECRET.to_string().into()),
                ..Default::default()
            }];
        }).await else { return };
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "dev@corp.example"), ("strategy", "enterprise_sso"), ("redirect_url", "/sso-callback")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let url = external_url(&r.body);
        assert!(url.starts_with(&corp.url), "routed to the corp connection: {url}");
        through_provider(&b, &url).await;
        let si = sign_in_state(&app, &b).await;
        assert_eq!(si["first_factor_verification"]["status"], "transferable", "{si}");
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        // Another domain has no connection.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "dev@other.example"), ("strategy", "enterprise_sso"), ("redirect_url", "/sso-callback")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_param(), "identifier");
        // A connection answering for an address outside its domains is refused.
        corp.set_user(UpstreamUser::new("corp-2", Some("someone@gmail.example"), true));
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "eve@corp.example"), ("strategy", "enterprise_sso"), ("redirect_url", "/sso-callback")]).await;
        through_provider(&b, &external_url(&r.body)).await;
        assert_eq!(sign_in_state(&app, &b).await["first_factor_verification"]["status"], "failed");
    }

    async fn sign_up_finding_an_existing_account_transfers_to_sign_in(backend) {
        let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
        let Some(app) = spawn(backend, &up, |_| {}).await else { return };
        let first = browser();
        let (_, url) = start_sign_in(&app, &first, "oauth_google").await;
        through_provider(&first, &url).await;
        app.post_as(&first, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        // Signing up again with the same Google account.
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("strategy", "oauth_google"), ("redirect_url", "/sso-callback")]).await;
        let url = r.body["response"]["verifications"]["external_account"]["external_verification_redirect_url"].as_str().unwrap().to_owned();
        through_provider(&b, &url).await;
        let su = app.get_as(&b, "/v1/client").await.body["response"]["sign_up"].clone();
        assert_eq!(su["verifications"]["external_account"]["status"], "transferable", "{su}");
        assert_eq!(su["verifications"]["external_account"]["error"]["code"], "external_account_exists");
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("transfer", "true")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["status"], "complete");
        // Without a transferable sign-up, transfer is refused.
        let r: Res = app.post_as(&browser(), "/v1/client/sign_ins", &[("transfer", "true")]).await;
        assert_eq!(r.error_code(), "account_transfer_invalid");
    }
}
