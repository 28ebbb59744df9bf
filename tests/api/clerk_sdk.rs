//! Clerk's browser SDK (`@clerk/clerk-js`, installed unchanged in `tests/clerk` by
//! `npm ci --prefix tests/clerk`) running an app's custom flows against Portcullis in headless
//! Chromium. The app (`tests/clerk/app`) is served from its own origin, as an app would be, and
//! reaches Portcullis through the SDK's `proxyUrl`: once with a production key (`pk_live_`,
//! the client in Portcullis's cookie) and once with a development key (`pk_test_`, the client
//! named in the URL, `[server] dev_browser`).
//!
//! Without the npm package or Chromium the test is skipped, saying so, unless
//! PORTCULLIS_TEST_REQUIRE_SERVICES=1 (CI), where it fails.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use portcullis::clock::Clock;
use serde_json::{Value, json};

use crate::browser::{Browser, browser};
use crate::helpers::{Backend, Res, TestApp, services_required, totp_code};
use crate::saml_idp::{SamlIdp, SamlUser};
use crate::sessions::verify;
use crate::upstream::{Upstream, UpstreamUser};

const PASSWORD: &str = "correct horse battery staple";

fn sdk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clerk/node_modules/@clerk/clerk-js/dist")
}

fn app_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clerk/app")
}

/// The app's web server: its pages under `/app/`, the SDK's files under `/sdk/`.
fn serve_app() -> u16 {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    async fn file(req: HttpRequest) -> HttpResponse {
        let path = req.path();
        let (root, name) = if let Some(name) = path.strip_prefix("/app/") {
            (app_dir(), name)
        } else if let Some(name) = path.strip_prefix("/sdk/") {
            (sdk_dir(), name)
        } else {
            return HttpResponse::NotFound().finish();
        };
        if name.contains("..") || name.contains('/') {
            return HttpResponse::NotFound().finish();
        }
        let kind = match name.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("mjs" | "js") => "text/javascript; charset=utf-8",
            _ => "application/octet-stream",
        };
        match std::fs::read(root.join(name)) {
            Ok(body) => HttpResponse::Ok().content_type(kind).body(body),
            Err(_) => HttpResponse::NotFound().finish(),
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| App::new().default_service(web::to(file)))
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
    tokio::spawn(server);
    port
}

struct AppPage {
    b: Browser,
    index: String,
}

impl AppPage {
    /// Opens the app's page and waits for the SDK to load; panics with what it said otherwise.
    async fn open(&self) {
        self.b.go(&self.index).await;
        self.wait_ready().await;
    }

    async fn wait_ready(&self) {
        let mut status = String::new();
        for _ in 0..300 {
            status = self
                .b
                .client
                .execute(
                    "const s = document.getElementById('status'); return s ? s.textContent : 'loading'",
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "loading".into());
            if status != "loading" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(status, "ready", "the SDK did not load against Portcullis");
    }

    /// Runs one of the app's flow functions in the page and returns what it answered.
    async fn call(&self, name: &str, args: Value) -> Value {
        self.b
            .client
            .execute_async(
                "const [name, args, done] = arguments;
                 window.flows[name](...args).then(done, (e) => done({ ok: false, error: String(e) }));",
                vec![name.into(), args],
            )
            .await
            .unwrap_or_else(|e| panic!("{name} did not answer: {e}"))
    }

    /// Like `call`, and the step must have succeeded.
    async fn ok(&self, name: &str, args: Value) -> Value {
        let r = self.call(name, args).await;
        assert_eq!(r["ok"], true, "{name}: {r}");
        r
    }

    /// Starts a sign-in with an upstream provider and follows the browser until it is back
    /// on the app's page; answers who is signed in then.
    async fn provider_round_trip(&self, strategy: &str) -> Value {
        self.round_trip("signInWithProvider", json!([strategy]))
            .await
    }

    /// Calls `method`, which leaves for a provider; waits until the SDK is back at the app.
    async fn round_trip(&self, method: &str, args: Value) -> Value {
        let _ = self.call(method, args).await;
        let mut landed = false;
        for _ in 0..200 {
            if self.b.url().await.path() == "/app/index.html" {
                landed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            landed,
            "the SDK never came back to the app: {} {}",
            self.b.url().await,
            self.b.text().await
        );
        self.wait_ready().await;
        let s = self.state().await;
        assert_eq!(s["signedIn"], true, "{s}");
        s
    }

    async fn state(&self) -> Value {
        self.b
            .client
            .execute("return window.flows.state()", vec![])
            .await
            .unwrap()
    }
}

/// The next code mailed to `to` after `before` messages.
async fn next_code(app: &TestApp, to: &str, before: usize) -> String {
    for _ in 0..200 {
        if app.mail.count_to(to) > before {
            return app.mail.code_for(to).await;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no new email reached {to}");
}

#[derive(Clone, Copy, PartialEq)]
enum Key {
    /// `pk_live_`: the browser's client rides in Portcullis's HttpOnly cookie.
    Production,
    /// `pk_test_`: `POST /v1/dev_browser`, then `?__clerk_db_jwt=` on every request.
    Development,
}

async fn custom_flows(key: Key) {
    if !sdk_dir().join("clerk.mjs").exists() {
        assert!(
            !services_required(),
            "Clerk's browser SDK is required (PORTCULLIS_TEST_REQUIRE_SERVICES=1): run npm ci --prefix tests/clerk"
        );
        eprintln!("SKIPPED: Clerk SDK test, run `npm ci --prefix tests/clerk` to install the SDK");
        return;
    }
    let Some(b) = browser(true).await else { return };
    let app_port = serve_app();
    let app_origin = format!("http://127.0.0.1:{app_port}");
    let up = Upstream::start(UpstreamUser::new(
        "g-grace",
        Some("grace@example.com"),
        true,
    ))
    .await;
    let issuer = up.url.clone();
    let idp = SamlIdp::start(SamlUser::new("mia-1", "mia@acme.test")).await;
    let saml_connection = portcullis::config::EnterpriseConnectionSettings {
        id: Some("acme".into()),
        name: "Acme".into(),
        protocol: portcullis::config::EnterpriseProtocol::Saml,
        domains: vec!["acme.test".into()],
        idp_metadata_url: Some(idp.metadata_url()),
        ..Default::default()
    };
    let origin = app_origin.clone();
    let app = TestApp::spawn_with(Backend::Sqlite, move |s| {
        s.server.cors_origins = vec![origin.parse().unwrap()];
        s.server.allowed_redirect_origins = vec![origin.parse().unwrap()];
        s.server.dev_browser = key == Key::Development;
        s.auth.multi_session = false;
        // A minute, so the test can age the session past it without waiting.
        s.auth.reverification_secs = 60;
        s.providers
            .insert("google".into(), crate::upstream::google_settings(issuer));
        s.enterprise_connections = vec![saml_connection];
        s.organizations.enabled = true;
        s.organizations.roles = vec![portcullis::config::OrganizationRole {
            key: "org:billing_manager".into(),
            name: "Billing manager".into(),
            description: String::new(),
            permissions: vec!["org:billing:manage".into()],
        }];
    })
    .await
    .unwrap();
    // The SDK checks token lifetimes against the browser's clock: keep Portcullis's in step.
    let clock = Arc::clone(&app.clock);
    let ticking = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            clock.advance_secs(1);
        }
    });
    let publishable_key = match key {
        Key::Production => portcullis::cli::publishable_key(&app.app.settings()).unwrap(),
        Key::Development => portcullis::cli::DEVELOPMENT_PUBLISHABLE_KEY.to_owned(),
    };
    let page = AppPage {
        index: format!(
            "{app_origin}/app/index.html?pk={publishable_key}&proxy={}",
            url::form_urlencoded::byte_serialize(app.address.as_bytes()).collect::<String>()
        ),
        b,
    };
    page.open().await;
    assert_eq!(page.state().await["signedIn"], false);

    // Sign-up with email and password, the emailed code, and the session made active.
    let email = "ada@example.com";
    let r = page.ok("signUp", json!([email, PASSWORD])).await;
    assert_eq!(r["status"], "missing_requirements", "{r}");
    assert_eq!(r["unverified"], json!(["email_address"]));
    let r = page.call("verifySignUp", json!(["000000"])).await;
    assert_eq!(r["error"], "form_code_incorrect", "{r}");
    let code = app.mail.code_for(email).await;
    let r = page.ok("verifySignUp", json!([code])).await;
    assert_eq!(r["status"], "complete");
    assert_eq!(r["state"]["signedIn"], true);
    assert_eq!(r["state"]["email"], email);
    let user_id = r["state"]["userId"].as_str().unwrap().to_owned();
    let session_id = r["state"]["sessionId"].as_str().unwrap().to_owned();

    // The session token an app's backend checks with the JWKS, from the cache and fresh.
    for fresh in [false, true] {
        let r = page.ok("token", json!([fresh])).await;
        let claims = verify(&app, r["jwt"].as_str().unwrap()).await;
        assert_eq!(claims["sub"], user_id.as_str());
        assert_eq!(claims["sid"], session_id.as_str());
        assert_eq!(claims["azp"], app_origin.as_str(), "{claims}");
    }

    // Sign-out ends the session on Portcullis: a reload finds nobody signed in.
    let r = page.ok("signOut", json!([])).await;
    assert_eq!(r["state"]["signedIn"], false);
    page.open().await;
    assert_eq!(page.state().await["signedIn"], false);

    // Password sign-in: a wrong password is the FAPI code, the right one signs in.
    let r = page
        .call("signInWithPassword", json!([email, "not my password"]))
        .await;
    assert_eq!(r["error"], "form_password_incorrect", "{r}");
    let r = page
        .ok("signInWithPassword", json!([email, PASSWORD]))
        .await;
    assert_eq!(r["status"], "complete");
    assert_eq!(r["state"]["userId"], user_id.as_str());

    // The account API: a name, a second email address, an authenticator app.
    page.ok("rename", json!(["Ada"])).await;
    page.open().await;
    assert_eq!(page.state().await["firstName"], "Ada", "kept on Portcullis");
    let second = "ada.lovelace@example.com";
    let r = page.ok("addEmail", json!([second])).await;
    let id = r["id"].as_str().unwrap().to_owned();
    let code = app.mail.code_for(second).await;
    let r = page.ok("verifyEmail", json!([id, code])).await;
    assert_eq!(r["verification"], "verified");
    assert_eq!(r["state"]["emails"], json!([email, second]));
    let r = page.ok("addAuthenticatorApp", json!([])).await;
    let secret = r["secret"].as_str().unwrap().to_owned();
    let code = totp_code(&secret, app.clock.now_ms(), 0);
    let r = page.ok("confirmAuthenticatorApp", json!([code])).await;
    assert_eq!(r["verified"], true);
    assert_eq!(r["state"]["totpEnabled"], true);

    // A sensitive change on a session verified over a minute ago: the SDK's reverification
    // (now with the authenticator app, the user's second factor), then the change goes through.
    app.clock.advance_secs(61);
    let new_password = "an even better passphrase";
    let r = page
        .call("changePassword", json!([PASSWORD, new_password]))
        .await;
    assert_eq!(r["error"], "session_reverification_required", "{r}");
    app.clock.advance_secs(30);
    let code = totp_code(&secret, app.clock.now_ms(), 0);
    let r = page
        .ok("reverify", json!(["second_factor", PASSWORD, code]))
        .await;
    assert_eq!(r["started"], "needs_second_factor", "{r}");
    assert_eq!(r["status"], "complete", "{r}");
    assert_eq!(r["age"][1], 0, "the second factor was just verified: {r}");
    page.ok("changePassword", json!([PASSWORD, new_password]))
        .await;
    page.ok("changePassword", json!([new_password, PASSWORD]))
        .await;
    page.ok("signOut", json!([])).await;

    // Email-code sign-in, and now the authenticator app as the second step.
    let before = app.mail.count_to(email);
    let r = page.ok("sendSignInCode", json!([email])).await;
    assert_eq!(r["status"], "needs_first_factor");
    let r = page.call("signInWithCode", json!(["000000"])).await;
    assert_eq!(r["error"], "form_code_incorrect", "{r}");
    let code = next_code(&app, email, before).await;
    let r = page.ok("signInWithCode", json!([code])).await;
    assert_eq!(r["status"], "needs_second_factor");
    let r = page.call("secondFactor", json!(["000000"])).await;
    assert_eq!(r["error"], "form_code_incorrect", "{r}");
    let code = totp_code(&secret, app.clock.now_ms(), 1);
    let r = page.ok("secondFactor", json!([code])).await;
    assert_eq!(r["status"], "complete");
    assert_eq!(r["state"]["userId"], user_id.as_str());
    page.ok("signOut", json!([])).await;

    // Password sign-in for a user with an authenticator app asks for it.
    let r = page
        .ok("signInWithPassword", json!([email, PASSWORD]))
        .await;
    assert_eq!(r["status"], "needs_second_factor");
    assert!(
        r["secondFactors"]
            .as_array()
            .unwrap()
            .contains(&json!("totp")),
        "{r}"
    );
    // A code is good once: the next one is from a later 30-second step.
    app.clock.advance_secs(30);
    let code = totp_code(&secret, app.clock.now_ms(), 1);
    page.ok("secondFactor", json!([code])).await;
    page.ok("signOut", json!([])).await;

    // An upstream provider: the browser goes to it and back. The first time the account is new:
    // back at the app's callback page the SDK turns the sign-in into a sign-up.
    let first = page.provider_round_trip("oauth_google").await;
    assert_eq!(first["email"], "grace@example.com");
    assert_eq!(first["externalAccounts"], json!(["google"]), "{first}");
    assert_ne!(first["userId"], user_id.as_str());
    page.ok("signOut", json!([])).await;
    // The next time Portcullis finishes the sign-in itself and sends the browser straight on.
    let again = page.provider_round_trip("oauth_google").await;
    assert_eq!(again["userId"], first["userId"]);
    page.ok("signOut", json!([])).await;

    // Enterprise SSO over SAML: `authenticateWithRedirect({ strategy: 'enterprise_sso' })`
    // goes to the company's IdP, which posts its signed answer back; a new account the first
    // time, straight in the next.
    let saml = page
        .round_trip("signInWithEnterprise", json!(["mia@acme.test"]))
        .await;
    assert_eq!(saml["email"], "mia@acme.test", "{saml}");
    assert_eq!(
        saml["enterpriseAccounts"],
        json!(["saml:Acme:mia@acme.test"]),
        "{saml}"
    );
    assert_eq!(saml["externalAccounts"], json!([]), "{saml}");
    page.ok("signOut", json!([])).await;
    let saml_again = page
        .round_trip("signInWithEnterprise", json!(["mia@acme.test"]))
        .await;
    assert_eq!(saml_again["userId"], saml["userId"]);

    // Organizations: Mia makes a team, acts for it, gates a button on a permission, renames
    // it and invites Grace; a scratch team goes again.
    let r = page.ok("createOrganization", json!(["Acme Labs"])).await;
    let org = r["id"].as_str().unwrap().to_owned();
    assert_eq!(r["slug"], "acme-labs");
    let r = page.ok("setActiveOrganization", json!([org])).await;
    assert_eq!(r["state"]["orgId"], org.as_str(), "{r}");
    let r = page.ok("can", json!(["org:billing:manage"])).await;
    assert_eq!(r["allowed"], true, "an admin holds every permission: {r}");
    let claims = verify(&app, r["jwt"].as_str().unwrap()).await;
    assert_eq!(claims["o"]["id"], org.as_str(), "{claims}");
    assert_eq!(claims["o"]["rol"], "admin");
    assert_eq!(claims["fea"], "o:billing");
    let r = page
        .ok("renameOrganization", json!(["Acme Research"]))
        .await;
    assert_eq!(r["name"], "Acme Research");
    let r = page
        .ok("inviteMember", json!(["grace@example.com", "org:member"]))
        .await;
    assert_eq!(r["status"], "pending");
    let r = page.ok("organizationLists", json!([])).await;
    assert_eq!(r["members"], json!(["mia@acme.test:org:admin"]), "{r}");
    assert_eq!(
        r["invitations"],
        json!(["grace@example.com:pending"]),
        "{r}"
    );
    let scratch = page.ok("createOrganization", json!(["Scratch"])).await;
    page.ok("setActiveOrganization", json!([scratch["id"]]))
        .await;
    let r = page.ok("deleteOrganization", json!([])).await;
    assert_eq!(r["state"]["orgId"], Value::Null, "{r}");
    page.ok("signOut", json!([])).await;

    // Grace accepts, acts for the team as a plain member, then leaves.
    page.provider_round_trip("oauth_google").await;
    let r = page.ok("acceptInvitation", json!([])).await;
    assert_eq!(r["status"], "accepted", "{r}");
    assert_eq!(r["organizationId"], org.as_str());
    let r = page.ok("myMemberships", json!([])).await;
    assert_eq!(r["memberships"], json!(["Acme Research:org:member"]), "{r}");
    page.ok("setActiveOrganization", json!([org])).await;
    let r = page.ok("can", json!(["org:billing:manage"])).await;
    assert_eq!(r["allowed"], false, "{r}");
    let r = page.ok("can", json!(["org:sys_memberships:read"])).await;
    assert_eq!(r["allowed"], true, "{r}");
    let claims = verify(&app, r["jwt"].as_str().unwrap()).await;
    assert_eq!(claims["o"]["rol"], "member", "{claims}");
    let r = page.ok("leaveOrganization", json!([org])).await;
    assert_eq!(r["state"]["orgId"], Value::Null, "{r}");
    let r = page.ok("myMemberships", json!([])).await;
    assert_eq!(r["memberships"], json!([]), "{r}");

    ticking.abort();
    page.b.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_sdk_custom_flows_with_a_production_key() {
    custom_flows(Key::Production).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_sdk_custom_flows_with_a_development_key() {
    custom_flows(Key::Development).await;
}

/// The keys the Frontend API description requires of each part of the environment; browser
/// SDKs read them without checking.
const ENVIRONMENT_REQUIRED: &[(&str, &[&str])] = &[
    (
        "auth_config",
        &[
            "object",
            "id",
            "first_name",
            "last_name",
            "email_address",
            "phone_number",
            "username",
            "password",
            "identification_requirements",
            "identification_strategies",
            "first_factors",
            "second_factors",
            "email_address_verification_strategies",
            "single_session_mode",
            "enhanced_email_deliverability",
            "test_mode",
            "url_based_session_syncing",
            "claimed_at",
            "reverification",
        ],
    ),
    (
        "display_config",
        &[
            "object",
            "id",
            "instance_environment_type",
            "application_name",
            "theme",
            "preferred_sign_in_strategy",
            "home_url",
            "sign_in_url",
            "sign_up_url",
            "user_profile_url",
            "waitlist_url",
            "after_sign_in_url",
            "after_sign_up_url",
            "after_sign_out_one_url",
            "after_sign_out_all_url",
            "after_switch_session_url",
            "after_join_waitlist_url",
            "organization_profile_url",
            "create_organization_url",
            "after_leave_organization_url",
            "after_create_organization_url",
            "logo_link_url",
            "support_email",
            "branded",
            "experimental_force_oauth_first",
            "clerk_js_version",
            "show_devmode_warning",
            "google_one_tap_client_id",
            "help_url",
            "privacy_policy_url",
            "terms_url",
            "logo_url",
            "favicon_url",
            "logo_image",
            "favicon_image",
            "captcha_public_key",
            "captcha_widget_type",
            "captcha_public_key_invisible",
            "captcha_provider",
            "captcha_oauth_bypass",
        ],
    ),
    (
        "user_settings",
        &[
            "attributes",
            "social",
            "saml",
            "enterprise_sso",
            "sign_in",
            "sign_up",
            "restrictions",
            "password_settings",
            "username_settings",
            "actions",
            "attack_protection",
            "passkey_settings",
        ],
    ),
    (
        "user_settings.attributes",
        &[
            "email_address",
            "phone_number",
            "username",
            "web3_wallet",
            "first_name",
            "last_name",
            "password",
            "authenticator_app",
            "ticket",
            "backup_code",
            "passkey",
        ],
    ),
    (
        "user_settings.sign_up",
        &[
            "captcha_enabled",
            "captcha_widget_type",
            "custom_action_required",
            "progressive",
            "mode",
            "legal_consent_enabled",
        ],
    ),
    (
        "user_settings.restrictions",
        &[
            "allowlist",
            "blocklist",
            "allowlist_blocklist_disabled_on_sign_in",
            "block_email_subaddresses",
            "block_disposable_email_domains",
        ],
    ),
    (
        "user_settings.password_settings",
        &[
            "disable_hibp",
            "min_length",
            "max_length",
            "require_special_char",
            "require_numbers",
            "require_uppercase",
            "require_lowercase",
            "show_zxcvbn",
            "min_zxcvbn_strength",
            "enforce_hibp_on_sign_in",
            "allowed_special_characters",
        ],
    ),
    (
        "user_settings.username_settings",
        &[
            "min_length",
            "max_length",
            "allow_extended_special_characters",
        ],
    ),
    (
        "user_settings.actions",
        &[
            "delete_self",
            "create_organization",
            "create_organizations_limit",
        ],
    ),
    (
        "user_settings.attack_protection",
        &[
            "user_lockout",
            "pii",
            "email_link",
            "enumeration_protection",
        ],
    ),
    (
        "user_settings.passkey_settings",
        &["allow_autofill", "show_sign_in_button"],
    ),
    (
        "organization_settings",
        &[
            "enabled",
            "max_allowed_memberships",
            "actions",
            "domains",
            "creator_role",
        ],
    ),
    ("fraud_settings", &["native"]),
    ("commerce_settings", &["billing"]),
    (
        "api_keys_settings",
        &[
            "enabled",
            "user_api_keys_enabled",
            "show_in_user_profile",
            "orgs_api_keys_enabled",
            "show_in_org_profile",
        ],
    ),
];

const ATTRIBUTE_REQUIRED: &[&str] = &[
    "enabled",
    "required",
    "used_for_first_factor",
    "first_factors",
    "used_for_second_factor",
    "second_factors",
    "verifications",
    "verify_at_sign_up",
];

crate::backend_tests! {
    async fn environment_is_complete_for_browser_sdks(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.auth.second_factors = vec!["totp".into(), "backup_code".into()];
            s.auth.first_factors = vec!["password".into(), "email_code".into(), "passkey".into()];
        }).await else { return };
        let env = app.get("/v1/environment").await.body;
        for (path, keys) in ENVIRONMENT_REQUIRED {
            let part = path.split('.').fold(&env, |v, k| &v[k]);
            assert!(part.is_object(), "{path} is missing");
            for key in *keys {
                assert!(part.get(key).is_some(), "{path}.{key} is missing");
            }
        }
        for (name, attribute) in env["user_settings"]["attributes"].as_object().unwrap() {
            for key in ATTRIBUTE_REQUIRED {
                assert!(attribute.get(key).is_some(), "attribute {name} lacks {key}");
            }
        }
        // Captcha is off and names no widget key; no billing or organizations to half-fill.
        assert_eq!(env["user_settings"]["sign_up"]["captcha_enabled"], false);
        assert_eq!(env["display_config"]["captcha_public_key"], Value::Null);
        assert_eq!(env["display_config"]["clerk_js_version"], Value::Null);
        assert_eq!(env["commerce_settings"]["billing"]["enabled"], false);
        assert_eq!(env["organization_settings"]["enabled"], false);
        // The factors the instance offers are the ones it publishes.
        let attrs = &env["user_settings"]["attributes"];
        assert_eq!(attrs["authenticator_app"]["enabled"], true);
        assert_eq!(attrs["authenticator_app"]["second_factors"], json!(["totp"]));
        assert_eq!(attrs["backup_code"]["enabled"], true);
        assert_eq!(attrs["passkey"]["enabled"], true);
        assert_eq!(attrs["web3_wallet"]["enabled"], false);
        assert_eq!(attrs["email_address"]["first_factors"], json!(["email_code"]));
        assert_eq!(env["auth_config"]["email_address"], "required");
        assert_eq!(env["display_config"]["instance_environment_type"], "production");
    }

    async fn dev_browser_names_the_client_in_the_url(backend) {
        use reqwest::StatusCode;
        let Some(off) = TestApp::spawn(backend).await else { return };
        let r = off.post("/v1/dev_browser", &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "off unless [server] dev_browser");

        let app_origin = "http://127.0.0.1:5173";
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.server.dev_browser = true;
            s.server.cors_origins = vec![app_origin.parse().unwrap()];
        }).await else { return };
        let env = app.get("/v1/environment").await.body;
        assert_eq!(env["display_config"]["instance_environment_type"], "development");
        assert_eq!(env["auth_config"]["url_based_session_syncing"], true);
        let r = app.post("/v1/dev_browser", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let first = r.body["id"].as_str().unwrap().to_owned();
        assert!(first.len() >= 40, "a random token: {first}");

        // No cookie here: the client is only what the URL names.
        let http = reqwest::Client::new();
        let named = |token: &str, path: &str| app.url(&format!("{path}?__clerk_db_jwt={token}"));
        let client = Res::from(http.get(named(&first, "/v1/client")).send().await.unwrap()).await;
        let client_id = client.body["client"]["id"].as_str().unwrap().to_owned();
        let r = http
            .post(named(&first, "/v1/client/sign_ups"))
            .header("origin", app_origin)
            .form(&[("email_address", "ada@example.com"), ("password", PASSWORD), ("locale", "en-GB"), ("timezone", "Europe/London")])
            .send()
            .await
            .unwrap();
        let h = r.headers().clone();
        assert_eq!(h.get("access-control-allow-origin").unwrap(), app_origin);
        let exposed = h.get("access-control-expose-headers").unwrap().to_str().unwrap().to_owned();
        assert!(exposed.contains("Clerk-Db-Jwt"), "{exposed}");
        assert!(h.get("set-cookie").is_none(), "a development client gets no cookie");
        let r = Res::from(r).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["client"]["id"], client_id.as_str());
        let su = r.body["response"]["id"].as_str().unwrap().to_owned();
        http.post(named(&first, &format!("/v1/client/sign_ups/{su}/prepare_verification")))
            .form(&[("strategy", "email_code")]).send().await.unwrap();
        let code = app.mail.code_for("ada@example.com").await;
        let r = http
            .post(named(&first, &format!("/v1/client/sign_ups/{su}/attempt_verification")))
            .form(&[("strategy", "email_code"), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        // Signing in rotates the token, and the new one comes back in the header.
        let rotated = r.headers().get("clerk-db-jwt").expect("the new token").to_str().unwrap().to_owned();
        assert_ne!(rotated, first);
        let r = Res::from(r).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let old = Res::from(http.get(named(&first, "/v1/client")).send().await.unwrap()).await;
        assert_eq!(old.body["client"], Value::Null, "the token from before sign-in is dead");
        let new = Res::from(http.get(named(&rotated, "/v1/client")).send().await.unwrap()).await;
        assert_eq!(new.body["client"]["id"], client_id.as_str());
        assert_eq!(new.body["client"]["sessions"][0]["status"], "active");
    }

    async fn sdk_requests_are_routed_and_checked(backend) {
        use reqwest::StatusCode;
        let Some(app) = TestApp::spawn(backend).await else { return };
        let http = app.signed_in_user("ada@example.com", PASSWORD).await;
        // Collections are created with a trailing slash.
        let r = app.post_as(&http, "/v1/me/email_addresses/", &[("email_address", "ada2@example.com")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["email_address"], "ada2@example.com");
        // What the SDK adds to a sign-in is accepted; a parameter nobody lists is still refused.
        let b = crate::helpers::browser();
        let r = app.post_as(&b, "/v1/client/sign_ins?__clerk_api_version=2026-08-20&_clerk_js_version=6.40.0",
            &[("identifier", "ada@example.com"), ("locale", "en-US"), ("timezone", "UTC")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.post_as(&b, "/v1/client/sign_ins", &[("identifier", "ada@example.com"), ("favourite_colour", "blue")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.error_code(), "form_param_unknown");
    }
}
