//! The hosted pages in a real browser: headless Chromium driven through chromedriver
//! (WebDriver). Run by CI; a machine without Chromium skips them, saying so, unless
//! PORTCULLIS_TEST_REQUIRE_SERVICES=1. With PORTCULLIS_SCREENSHOTS=DIR the main pages are
//! also saved there as PNGs (the README's screenshots come from this).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::{TestApp, services_required};

pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: Child,
    /// Chromium's profile, unique to this browser; removed after the browser is stopped.
    profile: crate::helpers::ScratchDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium is chromedriver's child and outlives it when the test did not end the
        // WebDriver session (a failed assertion, or a test that never closes): every run
        // left its browsers behind, still holding memory. Its profile directory, unique to
        // this browser, names its processes.
        let _ = Command::new("pkill")
            .arg("-KILL")
            .arg("-f")
            .arg("--")
            .arg(format!("--user-data-dir={}", self.profile.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

/// A fresh headless Chromium, or None (with a note) when it is not installed.
pub(crate) async fn browser(javascript: bool) -> Option<Browser> {
    browser_speaking(javascript, None).await
}

/// A fresh headless Chromium whose first language is `language` (its `Accept-Language`
/// and `navigator.language`), when given.
pub(crate) async fn browser_speaking(javascript: bool, language: Option<&str>) -> Option<Browser> {
    let (Some(driver_bin), Some(chrome_bin)) = (
        find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
        find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
    ) else {
        assert!(
            !services_required(),
            "Chromium and chromedriver are required (PORTCULLIS_TEST_REQUIRE_SERVICES=1) but not installed"
        );
        eprintln!("SKIPPED: browser test, chromium / chromedriver not installed");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new(driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = crate::helpers::ScratchDir::new("portcullis-chrome");
    let mut prefs = serde_json::Map::new();
    if !javascript {
        prefs.insert(
            "profile.managed_default_content_settings.javascript".into(),
            2.into(),
        );
    }
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--window-size=800,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if let Some(l) = language {
        prefs.insert("intl.accept_languages".into(), l.into());
        args.push(format!("--lang={l}"));
    }
    let caps: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome_bin,
                "args": args,
                "prefs": prefs,
            }
        }))
        .unwrap();
    let mut last = None;
    // ChromeDriver can take over ten seconds to listen while the whole suite loads both
    // cores; wait up to about thirty.
    for _ in 0..300 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    profile,
                });
            }
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not start a Chromium session: {last:?}");
}

impl Browser {
    pub(crate) async fn go(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    async fn fill(&self, name: &str, value: &str) {
        let el = self
            .client
            .find(Locator::Css(&format!("input[name='{name}']")))
            .await
            .unwrap_or_else(|e| panic!("no field {name}: {e}"));
        el.clear().await.unwrap();
        el.send_keys(value).await.unwrap();
    }

    /// Clicks a submit button and waits for the next page: the old document must go stale
    /// (a click returns before the navigation it starts has finished).
    async fn submit(&self, el: fantoccini::elements::Element) {
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        el.click().await.unwrap();
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        for _ in 0..200 {
            let ready = self
                .client
                .execute("return document.readyState", vec![])
                .await;
            // With JavaScript off nothing can be asked; the stale check above has to do.
            if ready.is_err() || ready.is_ok_and(|v| v == "complete") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn click(&self, css: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        self.submit(el).await;
    }

    async fn click_text(&self, text: &str) {
        let el = self
            .client
            .find(Locator::XPath(&format!("//button[contains(., '{text}')]")))
            .await
            .unwrap_or_else(|e| panic!("no button {text}: {e}"));
        self.submit(el).await;
    }

    /// Ticks a checkbox (or clicks anything that does not navigate).
    async fn tick(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Picks `value` in the select called `name`.
    async fn choose(&self, name: &str, value: &str) {
        self.client
            .find(Locator::Css(&format!("select[name='{name}']")))
            .await
            .unwrap_or_else(|e| panic!("no select {name}: {e}"))
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// WCAG 2.1 A and AA violations axe-core finds on the page, as `rule: element` lines.
    /// The script is injected over WebDriver, which the page's CSP does not govern.
    async fn axe_violations(&self) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/clerk/node_modules/axe-core/axe.min.js");
        let Ok(source) = std::fs::read_to_string(&path) else {
            assert!(
                !services_required(),
                "axe-core is missing: npm ci --prefix tests/clerk"
            );
            eprintln!("SKIPPED: accessibility check, axe-core not installed");
            return Vec::new();
        };
        self.client.execute(&source, vec![]).await.unwrap();
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(r => done(r.violations.flatMap(v =>
                       v.nodes.map(n => v.id + ': ' + n.target.join(' ')))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) async fn url(&self) -> url::Url {
        self.client.current_url().await.unwrap()
    }

    /// The page's text; a page that is being replaced (a script navigating) is read again.
    pub(crate) async fn text(&self) -> String {
        let mut last = None;
        for _ in 0..40 {
            match self.client.find(Locator::Css("body")).await {
                Ok(body) => match body.text().await {
                    Ok(t) => return t,
                    Err(e) => last = Some(e),
                },
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page never settled: {last:?}");
    }

    async fn shot(&self, name: &str) {
        if let Ok(dir) = std::env::var("PORTCULLIS_SCREENSHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
        }
    }

    pub(crate) async fn done(self) {
        let b = self;
        let _ = b.client.clone().close().await;
    }
}

/// A relying party's callback: answers any GET with 200 so the browser can land on it.
async fn rp_callback() -> String {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| {
        App::new().default_service(web::to(|| async {
            HttpResponse::Ok().body("back at the app")
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}/cb")
}

async fn app_with_clients(rp: &str) -> TestApp {
    let rp = rp.to_owned();
    TestApp::spawn_with(crate::helpers::Backend::Sqlite, move |s| {
        s.testing.enabled = true;
        let mut first: portcullis::config::ClientSettings = serde_json::from_value(serde_json::json!({
            "client_id": "web", "redirect_uris": [rp.clone()], "first_party": true, "name": "Web"
        })).unwrap();
        first.client_secret = Some("web-secret".to_string().into());
        let mut third: portcullis::config::ClientSettings = serde_json::from_value(serde_json::json!({
            "client_id": "partner", "redirect_uris": [rp], "first_party": false, "name": "Partner App"
        })).unwrap();
        third.client_secret = Some("partner-secret".to_string().into());
        s.clients = vec![first, third];
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_up_sign_in_and_another_method() {
    let Some(b) = browser(true).await else { return };
    let app = app_with_clients(&rp_callback().await).await;
    let email = "grace+portcullis_test@example.com";
    b.go(&app.url("/sign-up")).await;
    b.shot("sign-up").await;
    b.fill("email_address", email).await;
    b.fill("password", "correct horse battery").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/sign-up/verify-email-address");
    b.shot("verify-email-address").await;
    b.fill("code", "424242").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/user", "{}", b.text().await);
    assert!(b.text().await.contains(email));
    b.shot("account").await;
    b.click_text("Sign out").await;
    assert!(b.text().await.to_lowercase().contains("signed out"));

    // Sign in with a wrong password, then the right one.
    b.go(&app.url("/sign-in")).await;
    b.shot("sign-in").await;
    b.fill("identifier", email).await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/sign-in/factor-one");
    b.fill("password", "wrong horse battery").await;
    b.click("button[type=submit].primary").await;
    assert!(b.text().await.contains("Password is incorrect"));
    b.shot("wrong-password").await;
    // Use another method: an emailed code (test mode: 424242).
    b.click_text("Email a code to").await;
    assert_eq!(
        b.url()
            .await
            .query_pairs()
            .find(|(k, _)| k == "strategy")
            .map(|(_, v)| v.into_owned()),
        Some("email_code".into())
    );
    b.shot("email-code").await;
    b.fill("code", "424242").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/user");
    b.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_oidc_sign_in_consent_and_foreign_redirects() {
    let Some(b) = browser(true).await else { return };
    let rp = rp_callback().await;
    let app = app_with_clients(&rp).await;
    app.sign_up_with_email(
        &crate::helpers::browser(),
        "ada@example.com",
        "correct horse",
    )
    .await;
    let authorize = |client: &str| {
        format!(
            "{}?client_id={client}&response_type=code&scope=openid%20email&state=st&redirect_uri={}",
            app.url("/oauth/authorize"),
            url::form_urlencoded::byte_serialize(rp.as_bytes()).collect::<String>()
        )
    };

    // Authorize without a session: sign in on the pages, land back at the RP with a code.
    b.go(&authorize("web")).await;
    assert_eq!(b.url().await.path(), "/sign-in");
    b.fill("identifier", "ada@example.com").await;
    b.click("button[type=submit].primary").await;
    b.fill("password", "correct horse").await;
    b.click("button[type=submit].primary").await;
    let back = b.url().await;
    assert!(back.as_str().starts_with(&rp), "{back}");
    let q: HashMap<String, String> = back.query_pairs().into_owned().collect();
    assert!(q.contains_key("code") && q["state"] == "st");

    // A third-party client asks for consent: deny, then allow.
    b.go(&authorize("partner")).await;
    assert!(b.text().await.contains("Partner App"));
    b.shot("consent").await;
    b.click_text("Deny").await;
    let q: HashMap<String, String> = b.url().await.query_pairs().into_owned().collect();
    assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
    b.go(&authorize("partner")).await;
    b.click_text("Allow").await;
    let q: HashMap<String, String> = b.url().await.query_pairs().into_owned().collect();
    assert!(q.contains_key("code"));

    // A redirect_url to a foreign origin is not followed.
    b.go(&app.url("/sign-out")).await;
    b.click_text("Sign out").await;
    b.go(&app.url("/sign-in?redirect_url=https%3A%2F%2Fevil.example.com%2F"))
        .await;
    b.fill("identifier", "ada@example.com").await;
    b.click("button[type=submit].primary").await;
    b.fill("password", "correct horse").await;
    b.click("button[type=submit].primary").await;
    let here = b.url().await;
    assert_eq!(here.host_str(), Some("127.0.0.1"));
    assert_eq!(here.path(), "/user");
    b.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_pages_work_with_javascript_off() {
    let Some(b) = browser(false).await else {
        return;
    };
    let app = app_with_clients(&rp_callback().await).await;
    for path in ["/sign-in", "/sign-up"] {
        b.go(&app.url(path)).await;
        assert!(
            b.client.find(Locator::Css("form")).await.is_ok(),
            "{path} renders its form"
        );
    }
    b.go(&app.url("/sign-out")).await;
    assert!(b.text().await.to_lowercase().contains("signed out"));
    // The whole sign-up works without JavaScript.
    b.go(&app.url("/sign-up")).await;
    b.fill("email_address", "nojs+portcullis_test@example.com")
        .await;
    b.fill("password", "correct horse battery").await;
    b.click("button[type=submit].primary").await;
    b.fill("code", "424242").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/user");
    b.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_authenticator_app_and_backup_codes() {
    use portcullis::clock::Clock;
    let Some(b) = browser(true).await else { return };
    let app = app_with_clients(&rp_callback().await).await;
    let email = "ada+portcullis_test@example.com";
    b.go(&app.url("/sign-up")).await;
    b.fill("email_address", email).await;
    b.fill("password", "correct horse battery").await;
    b.click("button[type=submit].primary").await;
    b.fill("code", "424242").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/user");

    // Turn on an authenticator app: a QR code drawn as SVG, and the key to type instead.
    b.click_text("Set up an authenticator app").await;
    assert_eq!(b.url().await.path(), "/user/totp");
    assert!(
        b.client.find(Locator::Css(".qr svg")).await.is_ok(),
        "a QR code"
    );
    b.shot("totp-setup").await;
    let secret = b
        .client
        .find(Locator::Id("totp-secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    b.fill("code", "000000").await;
    b.click("button[type=submit].primary").await;
    assert!(b.text().await.contains("incorrect"), "{}", b.text().await);
    let code = crate::helpers::totp_code(&secret, app.clock.now_ms(), 0);
    b.fill("code", &code).await;
    b.click("button[type=submit].primary").await;
    // Backup codes, shown once.
    let codes: Vec<String> = {
        let list = b
            .client
            .find_all(Locator::Css("#backup-codes code"))
            .await
            .unwrap();
        let mut out = Vec::new();
        for c in list {
            out.push(c.text().await.unwrap());
        }
        out
    };
    assert_eq!(codes.len(), 10, "{}", b.text().await);
    b.shot("backup-codes").await;
    b.click("#continue").await;
    assert_eq!(b.url().await.path(), "/user");
    assert!(b.text().await.contains("Authenticator app: on"));
    b.click_text("Sign out").await;

    // Signing in now asks for the second step.
    b.go(&app.url("/sign-in")).await;
    b.fill("identifier", email).await;
    b.click("button[type=submit].primary").await;
    b.fill("password", "correct horse battery").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(
        b.url().await.path(),
        "/sign-in/factor-two",
        "{}",
        b.text().await
    );
    b.shot("factor-two").await;
    // The enrolment code is spent.
    b.fill("code", &code).await;
    b.click("button[type=submit].primary").await;
    assert!(b.text().await.contains("incorrect"), "{}", b.text().await);
    // A backup code instead.
    b.click_text("Use a backup code").await;
    b.fill("code", &codes[0]).await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/user", "{}", b.text().await);
    assert!(b.text().await.contains("9 backup codes left"));
    b.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_continue_with_google() {
    use crate::upstream::{Upstream, UpstreamUser};
    let Some(b) = browser(true).await else { return };
    let up = Upstream::start(UpstreamUser::new("g-ada", Some("ada@example.com"), true)).await;
    let issuer = up.url.clone();
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, move |s| {
        s.providers
            .insert("google".into(), crate::upstream::google_settings(issuer));
    })
    .await
    .unwrap();
    b.go(&app.url("/sign-in")).await;
    b.shot("sign-in-social").await;
    // First time: the account is made from what Google said.
    b.click_text("Continue with Google").await;
    assert_eq!(b.url().await.path(), "/user", "{}", b.text().await);
    let text = b.text().await;
    assert!(
        text.contains("ada@example.com") && text.contains("Google"),
        "{text}"
    );
    b.click_text("Sign out").await;
    // Next time: straight in.
    b.go(&app.url("/sign-in")).await;
    b.click_text("Continue with Google").await;
    assert_eq!(b.url().await.path(), "/user");
    b.done().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_enterprise_sso_over_saml() {
    use crate::saml_idp::{SamlIdp, SamlUser};
    let Some(b) = browser(true).await else { return };
    // The IdP's pages are on another site (localhost) than Portcullis's (127.0.0.1): its
    // form post back carries none of Portcullis's SameSite=Lax cookies, as in production.
    let idp = SamlIdp::start_on(SamlUser::new("ada-1", "ada@acme.test"), "localhost").await;
    let metadata = idp.metadata_url();
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, move |s| {
        s.enterprise_connections = vec![portcullis::config::EnterpriseConnectionSettings {
            id: Some("acme".into()),
            name: "Acme".into(),
            protocol: portcullis::config::EnterpriseProtocol::Saml,
            domains: vec!["acme.test".into()],
            idp_metadata_url: Some(metadata),
            ..Default::default()
        }];
    })
    .await
    .unwrap();
    // First time: the identifier's domain routes to the IdP, whose answer makes the account.
    for _ in 0..2 {
        b.go(&app.url("/sign-in")).await;
        b.fill("identifier", "ada@acme.test").await;
        b.click("button[type=submit].primary").await;
        wait_for_path(&b, "/user").await;
        let text = b.text().await;
        assert!(text.contains("ada@acme.test"), "{text}");
        b.shot("saml-signed-in").await;
        b.click_text("Sign out").await;
    }
    b.done().await;
}

/// WebDriver's WebAuthn extension: a virtual CTAP2 authenticator with resident keys and user
/// verification, as a platform authenticator that always says yes.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl fantoccini::wd::WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/authenticator",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
            "hasUserVerification": true, "isUserConsenting": true, "isUserVerified": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn wait_for(b: &Browser, css: &str) -> fantoccini::elements::Element {
    for _ in 0..100 {
        if let Ok(el) = b.client.find(Locator::Css(css)).await
            && el.is_displayed().await.unwrap_or(false)
        {
            return el;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never became visible: {}", b.text().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_passkey_registration_and_sign_in() {
    let Some(b) = browser(true).await else { return };
    // WebAuthn refuses IP addresses as relying parties: the issuer is http://localhost:PORT.
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.testing.enabled = true;
        s.auth.first_factors.push("passkey".into());
        s.server.public_url = s.server.public_url.replace("127.0.0.1", "localhost");
    })
    .await
    .unwrap();
    let url = |path: &str| app.url(path).replace("127.0.0.1", "localhost");
    b.client
        .issue_cmd(AddVirtualAuthenticator)
        .await
        .expect("a virtual authenticator");

    let email = "ada+portcullis_test@example.com";
    b.go(&url("/sign-up")).await;
    b.fill("email_address", email).await;
    b.fill("password", "correct horse battery").await;
    b.click("button[type=submit].primary").await;
    b.fill("code", "424242").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/user");

    // Add a passkey: the page's script runs the ceremony and reloads.
    wait_for(&b, "#passkey-add").await.click().await.unwrap();
    for _ in 0..100 {
        if b.text().await.contains("Passkey 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(b.text().await.contains("Passkey 1"), "{}", b.text().await);
    b.shot("passkeys").await;
    b.click_text("Sign out").await;

    // Sign in with it: no identifier, no password, and no second step. The autofill request
    // starts with the page (a virtual authenticator answers it at once); the button is the
    // other way in, for when it has not.
    b.go(&url("/sign-in")).await;
    if let Ok(el) = b.client.find(Locator::Css("#passkey-sign-in")).await
        && el.is_displayed().await.unwrap_or(false)
    {
        let _ = el.click().await;
    }
    for _ in 0..100 {
        if b.url().await.path() == "/user" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(b.url().await.path(), "/user", "{}", b.text().await);

    // Assertions made in the page but not sent by it: one works once; a copy whose
    // clientDataJSON claims another origin is refused.
    let script = r#"
        const done = arguments[arguments.length - 1];
        (async () => {
          await fetch('/v1/client/sessions?_method=DELETE', { method: 'POST', credentials: 'same-origin' });
          const r = await fetch('/v1/client/sign_ins', { method: 'POST', credentials: 'same-origin',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'strategy=passkey' });
          const si = (await r.json()).response;
          const options = PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(si.first_factor_verification.nonce));
          const c = await navigator.credentials.get({ publicKey: options });
          done({ id: si.id, credential: JSON.stringify(c.toJSON()) });
        })().catch(e => done({ error: String(e) }));
    "#;
    let http = reqwest::Client::new();
    let assertion = || async {
        let out = b.client.execute_async(script, vec![]).await.unwrap();
        assert!(out.get("error").is_none(), "{out}");
        let cookie = b.client.get_named_cookie("__client").await.unwrap();
        (
            out["id"].as_str().unwrap().to_owned(),
            out["credential"].as_str().unwrap().to_owned(),
            format!("__client={}", cookie.value()),
        )
    };
    let attempt = |id: String, cookie: String, body: String| {
        let http = http.clone();
        let to = app.url(&format!("/v1/client/sign_ins/{id}/attempt_first_factor"));
        async move {
            let r = http
                .post(to)
                .header("cookie", cookie)
                .form(&[
                    ("strategy", "passkey"),
                    ("public_key_credential", body.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (id, credential, cookie) = assertion().await;
    let (status, body) = attempt(id.clone(), cookie.clone(), credential.clone()).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert_eq!(body["response"]["status"], "complete");
    let (status, body) = attempt(id, cookie, credential).await;
    assert_ne!(
        status,
        reqwest::StatusCode::OK,
        "a replayed assertion: {body}"
    );

    let (id, credential, cookie) = assertion().await;
    let mut forged: serde_json::Value = serde_json::from_str(&credential).unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let client_data = String::from_utf8(
        b64.decode(forged["response"]["clientDataJSON"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let origin = url("").trim_end_matches('/').to_owned();
    let evil = client_data.replace(&origin, "http://evil.example");
    assert_ne!(evil, client_data, "{client_data}");
    forged["response"]["clientDataJSON"] = serde_json::json!(b64.encode(evil));
    let (status, body) = attempt(id, cookie, forged.to_string()).await;
    assert_eq!(
        status,
        reqwest::StatusCode::BAD_REQUEST,
        "another origin: {body}"
    );
    b.done().await;
}

/// Lets the test answer the page's wallet requests: an EIP-1193 provider whose
/// `personal_sign` waits for the test to sign in Rust.
const FAKE_WALLET: &str = r#"
    const address = arguments[0];
    window.__pending = null;
    window.ethereum = { request: async ({ method, params }) => {
      if (method === 'eth_requestAccounts') { return [address]; }
      if (method === 'personal_sign') {
        return new Promise(resolve => { window.__pending = { message: params[0], resolve }; });
      }
      throw new Error('unsupported ' + method);
    } };
    window.dispatchEvent(new Event('ethereum#initialized'));
"#;

async fn answer_wallet(b: &Browser, wallet: &crate::web3::Wallet) {
    for _ in 0..100 {
        let pending = b
            .client
            .execute(
                "return window.__pending ? window.__pending.message : null",
                vec![],
            )
            .await
            .unwrap();
        if let Some(hex) = pending.as_str() {
            let bytes: Vec<u8> = (2..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let signature = wallet.sign(&String::from_utf8(bytes).unwrap());
            b.client
                .execute(
                    "window.__pending.resolve(arguments[0]); window.__pending = null;",
                    vec![serde_json::json!(signature)],
                )
                .await
                .unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the page never asked the wallet to sign: {}",
        b.text().await
    );
}

async fn wait_for_path(b: &Browser, path: &str) {
    for _ in 0..100 {
        if b.url().await.path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(b.url().await.path(), path, "{}", b.text().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_wallet_sign_up_and_sign_in() {
    let Some(b) = browser(true).await else { return };
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.auth.web3_wallet = portcullis::config::FieldMode::Optional;
        s.auth.email_address = portcullis::config::FieldMode::Optional;
        s.auth.password = portcullis::config::FieldMode::Optional;
    })
    .await
    .unwrap();
    let wallet = crate::web3::Wallet::new();
    for _ in 0..2 {
        // First time the wallet signs up, then it signs in.
        b.go(&app.url("/sign-in")).await;
        b.client
            .execute(FAKE_WALLET, vec![serde_json::json!(wallet.address)])
            .await
            .unwrap();
        wait_for(&b, "#wallet-sign-in").await.click().await.unwrap();
        answer_wallet(&b, &wallet).await;
        wait_for_path(&b, "/user").await;
        b.click_text("Sign out").await;
    }
    let r = app
        .post("/v1/client/sign_ins", &[("identifier", &wallet.address)])
        .await;
    assert_eq!(
        r.body["response"]["status"], "needs_first_factor",
        "one account: {}",
        r.body
    );
    b.done().await;
}

/// The console's main journeys in a real browser: an admin signs in through the hosted pages,
/// turns phone sign-in on (and the sign-in page offers it), bans a user, creates an OAuth
/// application and rotates its secret; every console page passes axe's WCAG 2.1 AA rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_dashboard_journeys() {
    let Some(b) = browser(true).await else { return };
    let Some(app) = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.dashboard.require_second_factor = false;
    })
    .await
    else {
        return;
    };
    let email = "ada@example.com";
    crate::dashboard::operator(&app, email, true).await;
    crate::dashboard::operator(&app, "grace@example.com", false).await;
    b.go(&app.url("/")).await;
    b.shot("start").await;
    b.go(&app.url("/dashboard")).await;
    assert_eq!(b.url().await.path(), "/sign-in");
    b.fill("identifier", email).await;
    b.click("button[type=submit].primary").await;
    b.fill("password", crate::dashboard::PASSWORD).await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/dashboard", "{}", b.text().await);
    b.shot("dashboard-overview").await;
    let mut violations = Vec::new();
    violations.extend(b.axe_violations().await);
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clerk/node_modules/axe-core/axe.min.js")
        .exists()
    {
        // The check itself can fail: an image without a text alternative is found.
        b.client
            .execute(
                "const i = document.createElement('img'); i.src = '/static/none.png'; \
                 document.querySelector('main').appendChild(i);",
                vec![],
            )
            .await
            .unwrap();
        let found = b.axe_violations().await;
        assert!(
            found.iter().any(|v| v.starts_with("image-alt")),
            "{found:?}"
        );
    }

    // Settings › User management: phone numbers on (the SMS code is a first factor by
    // default, waiting for them), and emailed codes off.
    b.go(&app.url("/dashboard/settings")).await;
    violations.extend(b.axe_violations().await);
    let sms = b
        .client
        .find(Locator::Css("#first-phone_code"))
        .await
        .unwrap();
    assert!(sms.is_selected().await.unwrap());
    b.tick("#first-email_code").await;
    b.choose("phone_number", "optional").await;
    b.click("button[type=submit].primary").await;
    assert!(b.text().await.contains("Saved"), "{}", b.text().await);
    assert_eq!(
        app.app.settings().auth.first_factors,
        ["password", "phone_code"]
    );
    b.shot("dashboard-settings").await;
    let page = app
        .http
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.to_lowercase().contains("phone"), "{page}");

    // Users: find Grace and ban her.
    b.go(&app.url("/dashboard/users?query=grace")).await;
    violations.extend(b.axe_violations().await);
    b.client
        .find(Locator::LinkText("grace@example.com"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&b, "#confirm-ban").await;
    violations.extend(b.axe_violations().await);
    b.tick("#confirm-ban").await;
    b.click_text("Ban").await;
    assert!(b.text().await.contains("banned"), "{}", b.text().await);
    b.shot("dashboard-user").await;

    // OAuth applications: create one, then rotate its secret (shown once each time).
    b.go(&app.url("/dashboard/clients")).await;
    b.fill("client_id", "reports").await;
    b.client
        .find(Locator::Css("textarea[name='redirect_uris']"))
        .await
        .unwrap()
        .send_keys("https://reports.example.com/callback")
        .await
        .unwrap();
    b.click_text("Create").await;
    let first = b
        .client
        .find(Locator::Css("code.secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    b.tick("#rot-reports").await;
    b.click_text("Rotate secret").await;
    let second = b
        .client
        .find(Locator::Css("code.secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!first.is_empty() && first != second);
    b.shot("dashboard-clients").await;
    violations.extend(b.axe_violations().await);

    for path in [
        "/dashboard/connections",
        "/dashboard/keys",
        "/dashboard/webhooks",
        "/dashboard/audit",
        "/dashboard/branding",
        "/",
    ] {
        b.go(&app.url(path)).await;
        violations.extend(
            b.axe_violations()
                .await
                .into_iter()
                .map(|v| format!("{path}: {v}")),
        );
    }
    assert!(
        violations.is_empty(),
        "accessibility violations: {violations:#?}"
    );
    b.done().await;
}

/// The hosted organization pages in Chromium: Ada creates a team and invites Grace by email;
/// Grace opens the link signed out, signs in, comes back, joins and acts for the team; then
/// leaves. Every page passes the accessibility check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_organization_pages() {
    let Some(b) = browser(true).await else { return };
    let Some(app) = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.organizations.enabled = true;
    })
    .await
    else {
        return;
    };
    crate::dashboard::operator(&app, "ada@example.com", false).await;
    crate::dashboard::operator(&app, "grace@example.com", false).await;
    let mut violations = Vec::new();
    let sign_in = |email: &'static str| {
        let b = &b;
        async move {
            assert_eq!(b.url().await.path(), "/sign-in");
            b.fill("identifier", email).await;
            b.click("button[type=submit].primary").await;
            b.fill("password", crate::dashboard::PASSWORD).await;
            b.click("button[type=submit].primary").await;
        }
    };

    // Signed out, the page sends Ada to sign in and brings her back.
    b.go(&app.url("/organizations")).await;
    sign_in("ada@example.com").await;
    assert_eq!(b.url().await.path(), "/organizations", "{}", b.text().await);
    violations.extend(b.axe_violations().await);
    b.fill("name", "Acme Labs").await;
    b.click_text("Create").await;
    assert!(
        b.url().await.path().starts_with("/organizations/org_"),
        "{}",
        b.text().await
    );
    let org_page = b.url().await.path().to_owned();
    violations.extend(b.axe_violations().await);
    b.fill("email_address", "grace@example.com").await;
    b.choose("role", "org:member").await;
    b.click_text("Send invitation").await;
    let text = b.text().await;
    assert!(
        text.contains("Saved") && text.contains("grace@example.com"),
        "{text}"
    );
    b.shot("organization").await;
    b.go(&app.url("/sign-out")).await;
    b.click_text("Sign out").await;

    // Grace follows the emailed link.
    let link = crate::organizations::invitation_link(&app, "grace@example.com");
    b.go(&link).await;
    assert!(
        b.text()
            .await
            .contains("grace@example.com is invited to join Acme Labs as Member"),
        "{}",
        b.text().await
    );
    violations.extend(b.axe_violations().await);
    b.client
        .find(Locator::LinkText("Sign in to accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&b, "input[name='identifier']").await;
    sign_in("grace@example.com").await;
    assert_eq!(
        b.url().await.path(),
        "/organizations/invitation",
        "{}",
        b.text().await
    );
    b.click_text("Join Acme Labs").await;
    assert_eq!(b.url().await.path(), "/organizations", "{}", b.text().await);
    let text = b.text().await;
    assert!(
        text.contains("You joined the organization.") && text.contains("Acting for: Acme Labs"),
        "{text}"
    );
    b.shot("organizations").await;
    violations.extend(b.axe_violations().await);

    // A member sees the members, not the invite form; she leaves.
    b.go(&app.url(&org_page)).await;
    let text = b.text().await;
    assert!(
        text.contains("ada@example.com") && !text.contains("Send invitation"),
        "{text}"
    );
    violations.extend(b.axe_violations().await);
    b.click_text("Leave organization").await;
    let text = b.text().await;
    assert!(
        text.contains("You left the organization.")
            && text.contains("Acting for: Personal account"),
        "{text}"
    );
    assert!(
        violations.is_empty(),
        "accessibility violations: {violations:#?}"
    );
    b.done().await;
}

/// The sign-in and sign-up journeys in each shipped language, in a Chromium whose first
/// language it is: every page says so in `<html lang>`, passes axe's WCAG 2.1 AA rules, and
/// is saved as a screenshot (to PORTCULLIS_SCREENSHOTS, else the test's temporary folder);
/// the code email arrives in the same language; Arabic pages lay out right to left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_journeys_in_every_language() {
    if browser(false).await.is_none() {
        return;
    }
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let dir = std::env::var("PORTCULLIS_SCREENSHOTS").map_or_else(
        |_| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    // (Accept-Language, shipped tag, words the sign-in page must show, the verify page's title)
    let cases = [
        ("en-US", "en", "Sign in", "Verify your email address"),
        (
            "es-ES",
            "es",
            "Iniciar sesión",
            "Verifica tu correo electrónico",
        ),
        (
            "fr-FR",
            "fr",
            "Se connecter",
            "Vérifiez votre adresse e-mail",
        ),
        (
            "de-DE",
            "de",
            "Anmelden",
            "Bestätigen Sie Ihre E-Mail-Adresse",
        ),
        ("it-IT", "it", "Accedi", "Verifica il tuo indirizzo email"),
        (
            "pt-BR",
            "pt-BR",
            "Entrar",
            "Confirme seu endereço de e-mail",
        ),
        ("nl-NL", "nl", "Inloggen", "Bevestig je e-mailadres"),
        ("pl-PL", "pl", "Zaloguj się", "Potwierdź adres e-mail"),
        ("ja-JP", "ja", "サインイン", "メールアドレスを確認"),
        ("zh-CN", "zh-CN", "登录", "验证您的电子邮件地址"),
        ("ko-KR", "ko", "로그인", "이메일 주소 인증"),
        ("ar-EG", "ar", "تسجيل الدخول", "تحقّق من بريدك الإلكتروني"),
    ];
    let mut violations = Vec::new();
    for (accept, tag, sign_in_words, verify_title) in cases {
        let b = browser_speaking(true, Some(accept)).await.unwrap();
        let lang_dir = |b: &Browser| {
            let c = b.client.clone();
            async move {
                let v = c
                    .execute(
                        "return [document.documentElement.lang, document.documentElement.dir]",
                        vec![],
                    )
                    .await
                    .unwrap();
                (
                    v[0].as_str().unwrap().to_owned(),
                    v[1].as_str().unwrap().to_owned(),
                )
            }
        };
        let want_dir = if tag == "ar" { "rtl" } else { "ltr" };
        b.go(&app.url("/sign-in")).await;
        assert_eq!(
            lang_dir(&b).await,
            (tag.to_owned(), want_dir.to_owned()),
            "{accept}"
        );
        assert!(
            b.text().await.contains(sign_in_words),
            "{accept}: {}",
            b.text().await
        );
        violations.extend(
            b.axe_violations()
                .await
                .into_iter()
                .map(|v| format!("{tag} sign-in: {v}")),
        );
        save_shot(&b, &dir, &format!("i18n-{tag}-sign-in")).await;

        b.go(&app.url("/sign-up")).await;
        assert_eq!(lang_dir(&b).await.0, tag);
        violations.extend(
            b.axe_violations()
                .await
                .into_iter()
                .map(|v| format!("{tag} sign-up: {v}")),
        );
        save_shot(&b, &dir, &format!("i18n-{tag}-sign-up")).await;
        if tag == "ar" {
            // Mirrored: a label's text starts at the card's right edge, not its left.
            let edges = b
                .client
                .execute(
                    "const card = document.querySelector('main').getBoundingClientRect();
                     const r = document.createRange();
                     r.selectNodeContents(document.querySelector('label'));
                     const t = r.getBoundingClientRect();
                     return [card.left, card.right, t.left, t.right, getComputedStyle(document.body).direction];",
                    vec![],
                )
                .await
                .unwrap();
            let e: Vec<f64> = (0..4).map(|i| e_f64(&edges[i])).collect();
            assert_eq!(edges[4], "rtl");
            assert!(
                e[1] - e[3] < 48.0 && e[2] - e[0] > 48.0,
                "right-aligned label: {edges}"
            );
        }
        let email = format!("journey-{}@example.com", tag.to_lowercase());
        b.fill("email_address", &email).await;
        b.fill("password", "Lantern-Orchard-42!").await;
        b.click("button[type=submit].primary").await;
        assert_eq!(
            b.url().await.path(),
            "/sign-up/verify-email-address",
            "{tag}: {}",
            b.text().await
        );
        assert_eq!(lang_dir(&b).await.0, tag);
        assert!(
            b.text().await.contains(verify_title),
            "{tag}: {}",
            b.text().await
        );
        violations.extend(
            b.axe_violations()
                .await
                .into_iter()
                .map(|v| format!("{tag} verify: {v}")),
        );
        save_shot(&b, &dir, &format!("i18n-{tag}-verify-email")).await;
        // The code email speaks the same language as the page that asked for it.
        let (subject, body) = app.mail.latest_decoded(&email).await;
        if tag != "en" {
            assert!(!subject.contains("verification code"), "{tag}: {subject}");
        }
        let code = crate::helpers::six_digits(&body).expect("a code");
        b.fill("code", &code).await;
        b.click("button[type=submit].primary").await;
        assert_eq!(b.url().await.path(), "/user", "{tag}: {}", b.text().await);
        assert_eq!(lang_dir(&b).await.0, tag);
        violations.extend(
            b.axe_violations()
                .await
                .into_iter()
                .map(|v| format!("{tag} account: {v}")),
        );
        save_shot(&b, &dir, &format!("i18n-{tag}-account")).await;
        b.done().await;
    }
    assert!(violations.is_empty(), "axe: {violations:#?}");
}

fn e_f64(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_default()
}

async fn save_shot(b: &Browser, dir: &std::path::Path, name: &str) {
    let png = b.client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// A relying party that remembers the path and query of every request it answers.
async fn recording_rp() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = seen.clone();
    let server = HttpServer::new(move || {
        let log = log.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(req.uri().to_string());
                HttpResponse::Ok().body("the app")
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_frontchannel_logout_reaches_the_rp() {
    let Some(b) = browser(true).await else { return };
    let (rp, seen) = recording_rp().await;
    let callback = format!("{rp}/cb");
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, {
        let rp = rp.clone();
        let callback = callback.clone();
        move |s| {
            s.testing.enabled = true;
            let mut c: portcullis::config::ClientSettings = serde_json::from_value(serde_json::json!({
                "client_id": "web", "redirect_uris": [callback], "first_party": true, "name": "Web",
                "post_logout_redirect_uris": [format!("{rp}/bye")],
                "frontchannel_logout_uri": format!("{rp}/fc-logout"),
                "frontchannel_logout_session_required": true,
            })).unwrap();
            c.client_secret = Some("web-secret".to_string().into());
            s.clients = vec![c];
        }
    })
    .await
    .unwrap();
    app.sign_up_with_email(
        &crate::helpers::browser(),
        "ada@example.com",
        "correct horse",
    )
    .await;

    // Sign in through the RP in the browser, and exchange the code as the RP would.
    b.go(&format!(
        "{}?client_id=web&response_type=code&scope=openid&state=st&nonce=n&redirect_uri={}",
        app.url("/oauth/authorize"),
        url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>()
    ))
    .await;
    b.fill("identifier", "ada@example.com").await;
    b.click("button[type=submit].primary").await;
    b.fill("password", "correct horse").await;
    b.click("button[type=submit].primary").await;
    let q: HashMap<String, String> = b.url().await.query_pairs().into_owned().collect();
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth("web", Some("web-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", q["code"].as_str()),
            ("redirect_uri", callback.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let payload = id_token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    let sid = claims["sid"].as_str().unwrap().to_owned();

    // RP-initiated logout: the page loads the RP's logout frame, then goes on to /bye.
    b.go(&format!(
        "{}?id_token_hint={id_token}&post_logout_redirect_uri={}&state=done",
        app.url("/oauth/end_session"),
        url::form_urlencoded::byte_serialize(format!("{rp}/bye").as_bytes()).collect::<String>()
    ))
    .await;
    wait_for_path(&b, "/bye").await;
    assert_eq!(b.url().await.query(), Some("state=done"));
    let seen = seen.lock().unwrap().clone();
    let issuer = url::form_urlencoded::byte_serialize(app.address.as_bytes()).collect::<String>();
    let expected = format!("/fc-logout?iss={issuer}&sid={sid}");
    let frame_at = seen.iter().position(|u| *u == expected);
    let bye_at = seen.iter().position(|u| u.starts_with("/bye"));
    assert!(
        frame_at.is_some(),
        "the RP's logout page was loaded with iss and sid: {seen:?}"
    );
    assert!(frame_at < bye_at, "before the browser moved on: {seen:?}");
    b.done().await;
}

/// The device grant's page in Chromium: a TV shows a code; the user opens `/device`, signs in
/// there, types the code, checks it against the TV and connects it; the TV's next poll gets
/// the tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_device_page_connects_a_tv() {
    let Some(b) = browser(true).await else { return };
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        let mut tv: portcullis::config::ClientSettings = serde_json::from_value(serde_json::json!({
            "client_id": "tv", "redirect_uris": [], "first_party": false, "name": "Living Room TV",
            "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"],
        }))
        .unwrap();
        tv.client_secret = Some("tv-secret".to_string().into());
        s.clients = vec![tv];
        s.oidc.device_poll_interval_secs = 1;
    })
    .await
    .unwrap();
    app.sign_up_with_email(
        &crate::helpers::browser(),
        "ada@example.com",
        "correct horse",
    )
    .await;
    let started: serde_json::Value = reqwest::Client::new()
        .post(app.url("/oauth/device_authorization"))
        .basic_auth("tv", Some("tv-secret"))
        .form(&[("scope", "openid email")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_code = started["device_code"].as_str().unwrap().to_owned();
    let user_code = started["user_code"].as_str().unwrap();
    let poll = || async {
        reqwest::Client::new()
            .post(app.url("/oauth/token"))
            .basic_auth("tv", Some("tv-secret"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", device_code.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };

    // Signed out, /device asks to sign in first and comes back to the code field.
    b.go(started["verification_uri"].as_str().unwrap()).await;
    b.fill("identifier", "ada@example.com").await;
    b.click("button[type=submit].primary").await;
    b.fill("password", "correct horse").await;
    b.click("button[type=submit].primary").await;
    assert_eq!(b.url().await.path(), "/device");
    b.fill("user_code", &user_code.to_lowercase()).await;
    b.click("button[type=submit].primary").await;
    let text = b.text().await;
    assert!(text.contains("Connect Living Room TV?"), "{text}");
    assert!(
        text.contains(user_code) && text.contains("See your email address"),
        "{text}"
    );
    b.shot("device-confirm").await;
    let violations = b.axe_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(poll().await["error"], "authorization_pending");
    b.click("button[value=allow]").await;
    assert!(b.text().await.contains("Your device is connected"));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let tokens = poll().await;
    assert!(tokens["id_token"].is_string(), "{tokens}");
    b.done().await;
}
