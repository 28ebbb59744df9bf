//! Enterprise SSO over SAML 2.0, against a stand-in identity provider that signs real
//! responses (`saml_idp.rs`): sign-in and sign-up round trips, and every forged or replayed
//! answer refused with nothing written.

use portcullis::config::{EnterpriseConnectionSettings, EnterpriseProtocol, Pems};
use reqwest::StatusCode;
use serde_json::Value;

use crate::admin::Admin;
use crate::backend_tests;
use crate::helpers::{Res, TestApp, browser};
use crate::saml_idp::{Answer, Request, SamlIdp, SamlUser, Signed, key_pair, key_pem, pem};

const ID: &str = "acme-saml";

fn connection(idp: &SamlIdp) -> EnterpriseConnectionSettings {
    EnterpriseConnectionSettings {
        id: Some(ID.into()),
        name: "Acme".into(),
        protocol: EnterpriseProtocol::Saml,
        domains: vec!["acme.test".into()],
        idp_metadata_url: Some(idp.metadata_url()),
        ..Default::default()
    }
}

async fn spawn(
    backend: crate::helpers::Backend,
    idp: &SamlIdp,
    tweak: impl FnOnce(&mut EnterpriseConnectionSettings),
) -> Option<TestApp> {
    let mut c = connection(idp);
    tweak(&mut c);
    TestApp::spawn_with(backend, move |s| s.enterprise_connections = vec![c]).await
}

/// Starts a sign-in for `email` over the Frontend API; returns the IdP's view of the request.
async fn start(app: &TestApp, b: &reqwest::Client, email: &str, strategy: &str) -> Request {
    let r = app
        .post_as(
            b,
            "/v1/client/sign_ins",
            &[
                ("identifier", email),
                ("strategy", strategy),
                ("redirect_url", "/sso-callback"),
                ("action_complete_redirect_url", "/done"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = &r.body["response"]["first_factor_verification"];
    assert_eq!(v["strategy"], "enterprise_sso", "{v}");
    assert_eq!(v["status"], "unverified", "{v}");
    // clerk-js's authenticateWithRedirect prepares the first factor after creating the
    // sign-in, and follows the URL that answer carries.
    let id = r.body["response"]["id"].as_str().unwrap();
    let r = app
        .post_as(
            b,
            &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
            &[
                ("strategy", strategy),
                ("redirect_url", "/sso-callback"),
                ("action_complete_redirect_url", "/done"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = &r.body["response"]["first_factor_verification"];
    assert_eq!(v["strategy"], "enterprise_sso", "{v}");
    let url = v["external_verification_redirect_url"].as_str().unwrap();
    SamlIdp::read_request(url)
}

/// The IdP's page posts the answer: from another site, so without Portcullis's cookies.
async fn post_acs(app: &TestApp, relay_state: &str, response: &str) -> Res {
    let cross_site = browser();
    app.post_as(
        &cross_site,
        &format!("/saml/{ID}/acs"),
        &[("SAMLResponse", response), ("RelayState", relay_state)],
    )
    .await
}

/// The ACS answer, then the callback with the browser's cookies; returns where it lands.
async fn through_acs(app: &TestApp, b: &reqwest::Client, req: &Request, response: &str) -> String {
    let r = post_acs(app, &req.relay_state, response).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}", r.body);
    let callback = r.headers["location"].to_str().unwrap().to_owned();
    assert!(
        callback.starts_with(&app.url("/v1/oauth_callback?state=")),
        "{callback}"
    );
    let r = b.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn client(app: &TestApp, b: &reqwest::Client) -> Value {
    app.get_as(b, "/v1/client").await.body["response"].clone()
}

async fn signed_in_email(app: &TestApp, b: &reqwest::Client) -> Option<String> {
    let c = client(app, b).await;
    c["sessions"][0]["user"]["email_addresses"][0]["email_address"]
        .as_str()
        .map(str::to_owned)
}

/// A new user through the IdP and into a sign-up; returns the browser.
async fn sign_up_through_idp(app: &TestApp, idp: &SamlIdp, email: &str) -> reqwest::Client {
    let b = browser();
    let req = start(app, &b, email, "enterprise_sso").await;
    let to = through_acs(app, &b, &req, &idp.response(&req, &Answer::default())).await;
    assert_eq!(to, "/sso-callback", "not complete yet: the account is new");
    let si = client(app, &b).await["sign_in"].clone();
    assert_eq!(
        si["first_factor_verification"]["status"], "transferable",
        "{si}"
    );
    let r = app
        .post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")])
        .await;
    assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    b
}

/// Each forged answer leaves the sign-in failed and nobody signed in.
async fn refused(app: &TestApp, idp: &SamlIdp, answer: Answer, why: &str) {
    let b = browser();
    let req = start(app, &b, "ada@acme.test", "enterprise_sso").await;
    let response = idp.response(&req, &answer);
    let to = through_acs(app, &b, &req, &response).await;
    assert_eq!(to, "/sso-callback", "{why}");
    let c = client(app, &b).await;
    assert_eq!(
        c["sign_in"]["first_factor_verification"]["status"], "failed",
        "{why}: {c}"
    );
    assert_eq!(
        c["sessions"],
        Value::Array(vec![]),
        "{why}: nobody signed in"
    );
}

backend_tests! {
    async fn a_saml_connection_signs_users_up_and_in(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let Some(app) = spawn(backend, &idp, |_| {}).await else { return };
        assert!(idp.metadata_requests() >= 1, "metadata fetched at start");
        // The SP metadata an administrator loads into their IdP.
        let r = app.http.get(app.url(&format!("/saml/{ID}/metadata"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/samlmetadata+xml");
        let xml = r.text().await.unwrap();
        let entity_id = app.url(&format!("/saml/{ID}/metadata"));
        assert!(xml.contains(&format!("entityID=\"{entity_id}\"")), "{xml}");
        assert!(xml.contains(&format!("Location=\"{}\"", app.url(&format!("/saml/{ID}/acs")))), "{xml}");
        assert!(xml.contains("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"), "{xml}");
        assert_eq!(app.get("/saml/nope/metadata").await.status, StatusCode::NOT_FOUND);
        // `/v1/environment` says SAML is on.
        let env = app.get("/v1/environment").await.body;
        assert_eq!(env["user_settings"]["saml"]["enabled"], true, "{env}");
        assert_eq!(env["user_settings"]["enterprise_sso"]["enabled"], true);

        // The AuthnRequest the IdP gets.
        let b = browser();
        let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
        assert_eq!(req.issuer, entity_id);
        assert_eq!(req.acs_url, app.url(&format!("/saml/{ID}/acs")));
        assert!(req.id.starts_with('_') && req.id.len() > 40, "{}", req.id);
        assert!(req.xml.contains(&format!("Destination=\"{}\"", idp.sso_url())), "{}", req.xml);
        assert!(!req.relay_state.is_empty());
        // A new user: transferable into a sign-up, with the mapped attributes.
        let to = through_acs(&app, &b, &req, &idp.response(&req, &Answer::default())).await;
        assert_eq!(to, "/sso-callback");
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("transfer", "true")]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let user = &r.body["client"]["sessions"][0]["user"];
        assert_eq!(user["first_name"], "Ada");
        assert_eq!(user["last_name"], "Lovelace");
        let email = &user["email_addresses"][0];
        assert_eq!(email["email_address"], "ada@acme.test");
        assert_eq!(email["verification"]["status"], "verified", "{email}");
        // An enterprise account, as Clerk's SDKs read one; not an external (social) account.
        assert_eq!(user["external_accounts"], serde_json::json!([]), "{user}");
        let account = &user["enterprise_accounts"][0];
        assert_eq!(account["object"], "enterprise_account", "{user}");
        assert_eq!(account["protocol"], "saml");
        assert_eq!(account["provider_user_id"], "ada-1");
        assert_eq!(account["email_address"], "ada@acme.test");
        assert_eq!(account["enterprise_connection"]["id"], ID);
        assert_eq!(account["enterprise_connection"]["name"], "Acme");
        assert_eq!(account["enterprise_connection"]["domain"], "acme.test");

        // A returning user signs in at once, through the deprecated `saml` alias too, and
        // lands on action_complete_redirect_url.
        for strategy in ["enterprise_sso", "saml"] {
            let b = browser();
            let req = start(&app, &b, "ada@acme.test", strategy).await;
            let to = through_acs(&app, &b, &req, &idp.response(&req, &Answer::default())).await;
            assert_eq!(to, "/done", "{strategy}");
            assert_eq!(signed_in_email(&app, &b).await.as_deref(), Some("ada@acme.test"));
            assert_eq!(client(&app, &b).await["sign_in"], Value::Null);
        }
        // Signed on the assertion alone, or on both: as good.
        for signed in [Signed::Assertion, Signed::Both] {
            let b = browser();
            let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
            let answer = Answer { signed, ..Default::default() };
            assert_eq!(through_acs(&app, &b, &req, &idp.response(&req, &answer)).await, "/done", "{signed:?}");
        }
        // Another domain has no connection.
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "ada@other.test"), ("strategy", "enterprise_sso"), ("redirect_url", "/x")]).await;
        assert_eq!(r.error_param(), "identifier", "{}", r.body);
    }

    async fn sign_up_with_enterprise_sso_goes_through_the_idp(backend) {
        let idp = SamlIdp::start(SamlUser::new("lin-1", "lin@acme.test")).await;
        let Some(app) = spawn(backend, &idp, |_| {}).await else { return };
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("strategy", "enterprise_sso"), ("email_address", "lin@acme.test"), ("redirect_url", "/sso-callback")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let url = r.body["response"]["verifications"]["external_account"]["external_verification_redirect_url"].as_str().unwrap_or_else(|| panic!("{}", r.body)).to_owned();
        let req = SamlIdp::read_request(&url);
        through_acs(&app, &b, &req, &idp.response(&req, &Answer::default())).await;
        let c = client(&app, &b).await;
        assert_eq!(signed_in_email(&app, &b).await.as_deref(), Some("lin@acme.test"), "{c}");
        // Without an address, or with one no connection serves: refused before anything.
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("strategy", "enterprise_sso"), ("redirect_url", "/x")]).await;
        assert_eq!(r.error_param(), "email_address", "{}", r.body);
        let r = app.post_as(&browser(), "/v1/client/sign_ups", &[("strategy", "saml"), ("email_address", "x@other.test"), ("redirect_url", "/x")]).await;
        assert_eq!(r.error_param(), "email_address", "{}", r.body);
    }

    async fn forged_and_misdirected_saml_answers_are_refused(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let Some(app) = spawn(backend, &idp, |_| {}).await else { return };
        refused(&app, &idp, Answer { signed: Signed::Nothing, ..Default::default() }, "unsigned").await;
        refused(&app, &idp, Answer { foreign_key: true, ..Default::default() }, "a key the IdP does not publish").await;
        refused(&app, &idp, Answer { foreign_key: true, signed: Signed::Both, ..Default::default() }, "a foreign key on both").await;
        refused(&app, &idp, Answer { tamper_with: Some("eve@acme.test".into()), ..Default::default() }, "changed after signing").await;
        refused(&app, &idp, Answer { signed: Signed::Assertion, tamper_with: Some("eve@acme.test".into()), ..Default::default() }, "assertion changed after signing").await;
        refused(&app, &idp, Answer { audience: Some("https://other-sp.test/".into()), ..Default::default() }, "another audience").await;
        refused(&app, &idp, Answer { not_on_or_after: -600, issued: -900, ..Default::default() }, "expired").await;
        refused(&app, &idp, Answer { issued: -3600, ..Default::default() }, "issued an hour ago").await;
        refused(&app, &idp, Answer { not_on_or_after: 900, issued: 600, ..Default::default() }, "issued in the future").await;
        refused(&app, &idp, Answer { issuer: Some("https://evil.test/entity".into()), ..Default::default() }, "another issuer").await;
        refused(&app, &idp, Answer { in_response_to: Some(Some("_someone-elses-request".into())), ..Default::default() }, "another request").await;
        refused(&app, &idp, Answer { in_response_to: Some(None), ..Default::default() }, "no InResponseTo").await;
        refused(&app, &idp, Answer { dtd: true, ..Default::default() }, "a DTD").await;
        // An encrypted assertion without an SP key to open it.
        let (_, other_cert) = key_pair("sp.test");
        refused(&app, &idp, Answer { encrypt_to: Some(other_cert), ..Default::default() }, "encrypted, no SP key").await;
        // The IdP says no (signed): access denied, not a forgery.
        let b = browser();
        let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
        let answer = Answer { status: Some("urn:oasis:names:tc:SAML:2.0:status:Responder".into()), ..Default::default() };
        through_acs(&app, &b, &req, &idp.response(&req, &answer)).await;
        let v = client(&app, &b).await["sign_in"]["first_factor_verification"].clone();
        assert_eq!(v["status"], "failed", "{v}");
        assert_eq!(v["error"]["code"], "oauth_access_denied", "{v}");
        // A foreign domain: the company's IdP vouches for its own domains only.
        idp.set_user(SamlUser::new("eve-1", "eve@evil.test"));
        refused(&app, &idp, Answer::default(), "another domain").await;
        idp.set_user(SamlUser::new("ada-1", "ada@acme.test"));

        // Signature wrapping: a forged assertion for eve beside the signed one for ada. Only
        // what is signed is read: never eve.
        for signed in [Signed::Assertion, Signed::Response] {
            let b = browser();
            let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
            let answer = Answer { signed, wrap_with: Some("eve@acme.test".into()), ..Default::default() };
            through_acs(&app, &b, &req, &idp.response(&req, &answer)).await;
            let c = client(&app, &b).await;
            let who = signed_in_email(&app, &b).await;
            assert_ne!(who.as_deref(), Some("eve@acme.test"), "{signed:?}: {c}");
            let first = &c["sign_in"]["first_factor_verification"]["status"];
            assert!(who.is_none() || first.is_null(), "{signed:?}: {c}");
            if who.is_none() {
                assert!(first == "failed" || first == "transferable", "{signed:?}: {c}");
            }
        }
        // Nobody was created by any of it.
        let users = app.app.db.clone();
        let count = portcullis::store::admin::count_users(&users).await.unwrap();
        assert_eq!(count, 0, "no user was written");
    }

    async fn saml_answers_are_single_use_and_bound_to_their_browser(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let Some(app) = spawn(backend, &idp, |_| {}).await else { return };
        let b = sign_up_through_idp(&app, &idp, "ada@acme.test").await;
        drop(b);
        let b = browser();
        let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
        let response = idp.response(&req, &Answer::default());
        assert_eq!(through_acs(&app, &b, &req, &response).await, "/done");
        // The same post again: its RelayState is spent.
        let r = post_acs(&app, &req.relay_state, &response).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Replayed into another browser's fresh sign-in: it answers another request.
        let other = browser();
        let req2 = start(&app, &other, "ada@acme.test", "enterprise_sso").await;
        through_acs(&app, &other, &req2, &response).await;
        assert_eq!(signed_in_email(&app, &other).await, None);
        assert_eq!(client(&app, &other).await["sign_in"]["first_factor_verification"]["status"], "failed");
        // No RelayState (unsolicited) is refused where IdP-initiated sign-in is off.
        let unsolicited = idp.unsolicited(&req.acs_url, &req.issuer, &Answer::default());
        let r = post_acs(&app, "", &unsolicited).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // An answer verified at the ACS finishes only in the browser that started it.
        let victim = browser();
        let req3 = start(&app, &victim, "ada@acme.test", "enterprise_sso").await;
        let r = post_acs(&app, &req3.relay_state, &idp.response(&req3, &Answer::default())).await;
        let callback = r.headers["location"].to_str().unwrap().to_owned();
        let attacker = browser();
        let r = attacker.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(signed_in_email(&app, &attacker).await, None);
        // …and once: the victim's own browser now finds it spent.
        let r = victim.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        // A body over the limit, and a missing SAMLResponse, are clear refusals.
        let huge = "A".repeat(300 * 1024);
        assert_eq!(post_acs(&app, &req3.relay_state, &huge).await.status, StatusCode::PAYLOAD_TOO_LARGE);
        let r = app.post_as(&browser(), &format!("/saml/{ID}/acs"), &[("RelayState", "x")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = app.post_as(&browser(), "/saml/nope/acs", &[("SAMLResponse", "x")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Garbage is refused, not a 500.
        let req4 = start(&app, &browser(), "ada@acme.test", "enterprise_sso").await;
        let r = post_acs(&app, &req4.relay_state, "not base64 at all!").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }

    async fn a_returning_user_with_a_second_factor_is_asked_for_it(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let Some(app) = spawn(backend, &idp, |_| {}).await else { return };
        let b = sign_up_through_idp(&app, &idp, "ada@acme.test").await;
        let (secret, _) = app.enrol_totp(&b).await;
        // The IdP's word is the first factor; Portcullis still asks for the user's second.
        let b = browser();
        let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
        let to = through_acs(&app, &b, &req, &idp.response(&req, &Answer::default())).await;
        assert_eq!(to, "/sso-callback", "not complete: a second factor is due");
        let si = client(&app, &b).await["sign_in"].clone();
        assert_eq!(si["status"], "needs_second_factor", "{si}");
        let id = si["id"].as_str().unwrap();
        // An IdP that says it checked two factors is believed: no second step here.
        let b2 = browser();
        let req = start(&app, &b2, "ada@acme.test", "enterprise_sso").await;
        let answer = Answer { authn_context: Some("http://schemas.microsoft.com/claims/multipleauthn".into()), ..Default::default() };
        assert_eq!(through_acs(&app, &b2, &req, &idp.response(&req, &answer)).await, "/done");
        assert_eq!(signed_in_email(&app, &b2).await.as_deref(), Some("ada@acme.test"));
        let code = crate::helpers::totp_code(&secret, portcullis::clock::Clock::now_ms(&*app.clock), 1);
        let r = app.post_as(&b, &format!("/v1/client/sign_ins/{id}/attempt_second_factor"), &[("strategy", "totp"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
    }

    async fn environment_reports_saml_only_while_a_saml_connection_exists(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let env = app.get("/v1/environment").await.body;
        assert_eq!(env["user_settings"]["saml"]["enabled"], false, "{env}");
        assert_eq!(env["user_settings"]["enterprise_sso"]["enabled"], false);
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let admin = Admin::new(&app).await;
        let r = admin.post("/enterprise_connections", serde_json::json!({
            "id": "acme", "name": "Acme", "protocol": "saml", "domains": ["acme.test"],
            "idp_metadata_url": idp.metadata_url(),
        })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let env = app.get("/v1/environment").await.body;
        assert_eq!(env["user_settings"]["saml"]["enabled"], true, "{env}");
        assert_eq!(env["user_settings"]["enterprise_sso"]["enabled"], true);
        admin.send("DELETE", "/enterprise_connections/acme", None).await;
        let env = app.get("/v1/environment").await.body;
        assert_eq!(env["user_settings"]["saml"]["enabled"], false, "{env}");
    }

    async fn the_acs_counts_against_the_sign_in_budget_of_an_address(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let mut c = connection(&idp);
        c.allow_idp_initiated = true;
        let Some(app) = TestApp::spawn_with(backend, move |s| {
            s.enterprise_connections = vec![c];
            s.limits.sign_in_per_ip = portcullis::config::Rate::new(3, 60);
        }).await else { return };
        // Garbage costs nothing but the budget; past it, 429.
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(post_acs(&app, "", "PHNhbWxwOlJlc3BvbnNlLz4=").await.status.as_u16());
        }
        assert_eq!(statuses, vec![400, 400, 400, 429, 429]);
    }

    async fn idp_initiated_sign_in_when_allowed_takes_each_assertion_once(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let Some(app) = spawn(backend, &idp, |c| c.allow_idp_initiated = true).await else { return };
        sign_up_through_idp(&app, &idp, "ada@acme.test").await;
        let acs = app.url(&format!("/saml/{ID}/acs"));
        let entity_id = app.url(&format!("/saml/{ID}/metadata"));
        let answer = Answer { assertion_id: Some("_fixed-assertion-1".into()), ..Default::default() };
        let response = idp.unsolicited(&acs, &entity_id, &answer);
        let b = browser();
        let r = post_acs(&app, "", &response).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}", r.body);
        let to = r.headers["location"].to_str().unwrap().to_owned();
        let r = b.get(&to).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(signed_in_email(&app, &b).await.as_deref(), Some("ada@acme.test"));
        // The same assertion again: refused.
        let r = post_acs(&app, "", &response).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "a replayed assertion");
        // A solicited answer (with InResponseTo) posted without its RelayState is refused
        // even here: it belongs to the browser that asked.
        let req = start(&app, &browser(), "ada@acme.test", "enterprise_sso").await;
        let r = post_acs(&app, "", &idp.response(&req, &Answer::default())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // And an unsigned unsolicited one.
        let r = post_acs(&app, "", &idp.unsolicited(&acs, &entity_id, &Answer { signed: Signed::Nothing, ..Default::default() })).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }

    async fn encrypted_assertions_open_with_the_sp_key(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let (sp_key, sp_cert) = key_pair("sp.portcullis.test");
        let (cert_pem, key_pem) = (pem(&sp_cert), key_pem(&sp_key));
        let Some(app) = spawn(backend, &idp, |c| {
            c.sp_certificate = Some(cert_pem);
            c.sp_private_key = Some(key_pem.into());
            c.sign_authn_requests = true;
        }).await else { return };
        let xml = app.get(&format!("/saml/{ID}/metadata")).await;
        assert_eq!(xml.status, StatusCode::OK);
        let r = app.http.get(app.url(&format!("/saml/{ID}/metadata"))).send().await.unwrap().text().await.unwrap();
        assert!(r.contains("use=\"encryption\"") && r.contains("use=\"signing\""), "{r}");
        assert!(r.contains("AuthnRequestsSigned=\"true\""), "{r}");
        let b = browser();
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@acme.test"), ("strategy", "enterprise_sso"), ("redirect_url", "/sso-callback")]).await;
        let url = r.body["response"]["first_factor_verification"]["external_verification_redirect_url"].as_str().unwrap().to_owned();
        // The request is signed over its query (SAML Bindings §3.4.4.1), by the SP key.
        let parsed = url::Url::parse(&url).unwrap();
        let query = parsed.query().unwrap();
        let (signed_part, signature) = query.rsplit_once("&Signature=").unwrap();
        assert!(signed_part.contains("&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"), "{signed_part}");
        let signature = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, url::form_urlencoded::parse(format!("s={signature}").as_bytes()).next().unwrap().1.as_bytes()).unwrap();
        let sp_public = sp_cert.public_key().unwrap();
        let mut verifier = openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &sp_public).unwrap();
        verifier.update(signed_part.as_bytes()).unwrap();
        assert!(verifier.verify(&signature).unwrap(), "the AuthnRequest signature verifies");
        let req = SamlIdp::read_request(&url);
        let answer = Answer { encrypt_to: Some(sp_cert.clone()), ..Default::default() };
        through_acs(&app, &b, &req, &idp.response(&req, &answer)).await;
        let c = client(&app, &b).await;
        assert_eq!(c["sign_in"]["first_factor_verification"]["status"], "transferable", "{c}");
    }

    async fn idp_certificates_may_be_configured_without_metadata_and_rotate(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        let old = idp.certificate_pem();
        idp.rotate_key();
        let new = idp.certificate_pem();
        let (entity_id, sso_url) = (idp.entity_id(), idp.sso_url());
        // Both certificates during the rotation; no metadata URL.
        let Some(app) = spawn(backend, &idp, move |c| {
            c.idp_metadata_url = None;
            c.idp_entity_id = Some(entity_id);
            c.idp_sso_url = Some(sso_url);
            c.idp_certificate = Some(Pems::Several(vec![old, new]));
        }).await else { return };
        let b = browser();
        let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
        through_acs(&app, &b, &req, &idp.response(&req, &Answer::default())).await;
        assert_eq!(client(&app, &b).await["sign_in"]["first_factor_verification"]["status"], "transferable");
        // Inline metadata (listing both keys) works the same.
        let metadata = idp.metadata();
        let Some(app) = spawn(backend, &idp, move |c| {
            c.idp_metadata_url = None;
            c.idp_metadata = Some(metadata);
        }).await else { return };
        let b = browser();
        let req = start(&app, &b, "ada@acme.test", "enterprise_sso").await;
        through_acs(&app, &b, &req, &idp.response(&req, &Answer::default())).await;
        assert_eq!(client(&app, &b).await["sign_in"]["first_factor_verification"]["status"], "transferable");
    }

    async fn operators_manage_connections_through_the_admin_api(backend) {
        let idp = SamlIdp::start(SamlUser::new("ada-1", "ada@acme.test")).await;
        // One connection from the config file; others added at run time.
        let Some(app) = spawn(backend, &idp, |_| {}).await else { return };
        let admin = Admin::new(&app).await;
        let r = admin.get("/enterprise_connections").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let listed = &r.body["data"][0];
        assert_eq!(listed["id"], ID);
        assert_eq!(listed["protocol"], "saml");
        assert_eq!(listed["source"], "config");
        assert_eq!(listed["saml"]["acs_url"], app.url(&format!("/saml/{ID}/acs")));
        assert_eq!(listed["saml"]["idp_entity_id"], idp.entity_id());
        // Config connections are changed in the config file only.
        let r = admin.send("DELETE", &format!("/enterprise_connections/{ID}"), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

        // A second IdP for another company, added at run time.
        let other = SamlIdp::start(SamlUser::new("bo-1", "bo@globex.test")).await;
        let (sp_key, sp_cert) = key_pair("sp.globex.test");
        let body = serde_json::json!({
            "id": "globex", "name": "Globex", "protocol": "saml", "domains": ["globex.test"],
            "idp_metadata_url": other.metadata_url(),
            "sp_certificate": pem(&sp_cert), "sp_private_key": key_pem(&sp_key),
        });
        let r = admin.post("/enterprise_connections", body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["source"], "stored");
        assert_eq!(r.body["saml"]["sp_certificate"], true);
        assert!(!r.body.to_string().contains("PRIVATE KEY"), "the key is never shown: {}", r.body);
        // Used at once: its users sign in there.
        let b = browser();
        let req = start(&app, &b, "bo@globex.test", "enterprise_sso").await;
        assert!(req.xml.contains(&other.sso_url()), "{}", req.xml);
        through_acs_of(&app, "globex", &b, &req, &other.response(&req, &Answer::default())).await;
        assert_eq!(client(&app, &b).await["sign_in"]["first_factor_verification"]["status"], "transferable");
        // The same id again, a domain another connection serves, a metadata URL that does
        // not answer, bad certificates, unknown fields: each refused, nothing stored.
        let r = admin.post("/enterprise_connections", body.clone()).await;
        assert_eq!(r.error_param(), "id", "{}", r.body);
        let mut taken = body.clone();
        taken["id"] = "globex2".into();
        taken["domains"] = serde_json::json!(["acme.test"]);
        let r = admin.post("/enterprise_connections", taken).await;
        assert_eq!(r.error_param(), "domains", "{}", r.body);
        for (why, patch) in [
            ("no metadata", serde_json::json!({"idp_metadata_url": "http://127.0.0.1:9/metadata"})),
            ("not metadata", serde_json::json!({"idp_metadata_url": format!("{}/sso", other.url)})),
            ("bad certificate", serde_json::json!({"idp_metadata_url": null, "idp_entity_id": "e", "idp_sso_url": "https://idp.test/sso", "idp_certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"})),
            ("bad key", serde_json::json!({"sp_private_key": "nope"})),
            ("unknown field", serde_json::json!({"surprise": true})),
            ("bad id", serde_json::json!({"id": "Not An Id"})),
        ] {
            let mut b = body.clone();
            b["id"] = "globex3".into();
            b["domains"] = serde_json::json!(["globex3.test"]);
            for (k, v) in patch.as_object().unwrap() {
                b[k] = v.clone();
            }
            let r = admin.post("/enterprise_connections", b).await;
            assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST, "{why}: {} {}", r.status, r.body);
        }
        let r = admin.get("/enterprise_connections").await;
        assert_eq!(r.body["data"].as_array().unwrap().len(), 2, "{}", r.body);
        // Changed: allow IdP-initiated sign-in; the key stays though not sent again.
        let r = admin.send("PATCH", "/enterprise_connections/globex", Some(serde_json::json!({"allow_idp_initiated": true, "name": "Globex Corp"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["name"], "Globex Corp");
        assert_eq!(r.body["saml"]["allow_idp_initiated"], true);
        assert_eq!(r.body["saml"]["sp_certificate"], true);
        let r = admin.send("PATCH", "/enterprise_connections/globex", Some(serde_json::json!({"id": "other"}))).await;
        assert_eq!(r.error_param(), "id");
        let r = admin.send("PATCH", "/enterprise_connections/nope", Some(serde_json::json!({}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Its SP metadata is served.
        let r = app.get("/saml/globex/metadata").await;
        assert_eq!(r.status, StatusCode::OK);
        // Without an admin key: nothing.
        let r = app.get("/admin/v1/enterprise_connections").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // Deleted: gone at once, its round trips refused.
        let b = browser();
        let req = start(&app, &b, "bo@globex.test", "enterprise_sso").await;
        let r = admin.send("DELETE", "/enterprise_connections/globex", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.get("/saml/globex/metadata").await.status, StatusCode::NOT_FOUND);
        let r = app.post_as(&browser(), "/saml/globex/acs", &[("SAMLResponse", &other.response(&req, &Answer::default())), ("RelayState", &req.relay_state)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = app.post_as(&browser(), "/v1/client/sign_ins", &[("identifier", "bo@globex.test"), ("strategy", "enterprise_sso"), ("redirect_url", "/x")]).await;
        assert_eq!(r.error_param(), "identifier");
        // The audit trail has each change.
        let r = admin.get("/audit_events?type=admin.enterprise_connection.created").await;
        assert_eq!(r.body["data"].as_array().map(Vec::len), Some(1), "{}", r.body);
    }
}

/// `through_acs` for another connection than `ID`.
async fn through_acs_of(
    app: &TestApp,
    id: &str,
    b: &reqwest::Client,
    req: &Request,
    response: &str,
) -> String {
    let r = app
        .post_as(
            &browser(),
            &format!("/saml/{id}/acs"),
            &[("SAMLResponse", response), ("RelayState", &req.relay_state)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}", r.body);
    let callback = r.headers["location"].to_str().unwrap().to_owned();
    let r = b.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()["location"].to_str().unwrap().to_owned()
}

#[test]
fn connection_settings_are_checked() {
    let base = || EnterpriseConnectionSettings {
        id: Some("acme".into()),
        name: "Acme".into(),
        protocol: EnterpriseProtocol::Saml,
        domains: vec!["acme.test".into()],
        idp_metadata_url: Some("https://idp.acme.test/metadata".into()),
        ..Default::default()
    };
    assert!(base().check().is_ok());
    type Change = Box<dyn Fn(&mut EnterpriseConnectionSettings)>;
    let bad: Vec<(&str, Change)> = vec![
        ("no source", Box::new(|c| c.idp_metadata_url = None)),
        (
            "two sources",
            Box::new(|c| c.idp_metadata = Some("<x/>".into())),
        ),
        (
            "partial explicit",
            Box::new(|c| {
                c.idp_metadata_url = None;
                c.idp_entity_id = Some("e".into());
            }),
        ),
        (
            "bad url",
            Box::new(|c| c.idp_metadata_url = Some("not a url".into())),
        ),
        ("bad id", Box::new(|c| c.id = Some("Acme SAML".into()))),
        ("no domains", Box::new(|c| c.domains.clear())),
        ("bad domain", Box::new(|c| c.domains = vec!["acme".into()])),
        (
            "signing without a key",
            Box::new(|c| c.sign_authn_requests = true),
        ),
        (
            "a key without a certificate",
            Box::new(|c| c.sp_private_key = Some("k".to_string().into())),
        ),
    ];
    for (why, f) in bad {
        let mut c = base();
        f(&mut c);
        assert!(c.check().is_err(), "{why}");
    }
    // OIDC connections keep their fields.
    let oidc = EnterpriseConnectionSettings {
        name: "Corp".into(),
        domains: vec!["corp.test".into()],
        issuer: Some("https://corp.test".into()),
        ..Default::default()
    };
    assert!(oidc.check().is_err(), "client_id is required");
    assert_eq!(oidc.stable_id(), "corp");
}
