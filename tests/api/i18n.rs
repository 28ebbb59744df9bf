//! Pages, messages and errors in the user's language: the order in which a language is
//! chosen, the code email in the recipient's language, localized Frontend API errors, a
//! user's own `locale`, per-client branding, and what a hostile value cannot do to any of it.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};
use serde_json::json;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};
use crate::pages::{get, post};

/// A browser (cookie jar, no redirects followed) whose first language is `lang`.
fn speaking(lang: &str) -> reqwest::Client {
    let mut h = HeaderMap::new();
    h.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(lang).unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(h)
        .build()
        .unwrap()
}

fn html_lang(body: &str) -> (String, String) {
    let i = body.find("<html").expect("an html element");
    let tag = &body[i..i + body[i..].find('>').unwrap()];
    let attr = |name: &str| {
        let marker = format!("{name}=\"");
        let s = tag.find(&marker).map(|k| k + marker.len()).unwrap_or(0);
        tag[s..s + tag[s..].find('"').unwrap_or(0)].to_owned()
    };
    (attr("lang"), attr("dir"))
}

const PASSWORD: &str = "Lantern-Orchard-42!";

async fn partner_app() -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, |s| {
        let mut c: portcullis::config::ClientSettings = serde_json::from_value(json!({
            "client_id": "partner",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "first_party": false,
            "name": "Partner App",
            "logo_uri": "https://partner.example/logo.png",
            "brand_color": "#aa3300",
        }))
        .unwrap();
        c.client_secret = Some("partner-secret".to_string().into());
        s.clients = vec![c];
    })
    .await
    .unwrap()
}

fn authorize_path(extra: &str) -> String {
    format!(
        "/oauth/authorize?response_type=code&client_id=partner&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback\
         &scope=openid%20email&state=s1&nonce=n1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
         &code_challenge_method=S256{extra}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_speaks_the_browsers_language_and_mirrors_for_arabic() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    for (accept, lang, dir, title) in [
        ("fr-CA,fr;q=0.9,en;q=0.5", "fr", "ltr", "Se connecter"),
        ("de-AT", "de", "ltr", "Anmelden"),
        ("ja-JP", "ja", "ltr", "サインイン"),
        ("ar-EG,ar;q=0.9", "ar", "rtl", "تسجيل الدخول"),
        ("pt", "pt-BR", "ltr", "Entrar"),
        ("zh-Hans-CN", "zh-CN", "ltr", "登录"),
        // Traditional Chinese is not simplified Chinese: the next choice wins.
        ("zh-TW, ko;q=0.5", "ko", "ltr", "로그인"),
        // A language declared unacceptable is never chosen; nothing shipped: English.
        ("fr;q=0, xx-YY", "en", "ltr", "Sign in"),
    ] {
        let p = get(&app, &speaking(accept), "/sign-in").await;
        assert_eq!(p.status, StatusCode::OK);
        assert_eq!(
            html_lang(&p.body),
            (lang.to_owned(), dir.to_owned()),
            "{accept}"
        );
        assert!(p.body.contains(title), "{accept}: {}", p.body);
    }
    // A page in any language offers every language in the picker, each in its own name.
    let p = get(&app, &speaking("nl"), "/sign-up").await;
    for name in [
        "Nederlands",
        "Polski",
        "Italiano",
        "Español",
        "한국어",
        "العربية",
    ] {
        assert!(p.body.contains(name), "{name} in the picker");
    }
    assert!(p.body.contains("Maak je account aan"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_wins_is_remembered_and_hostile_values_are_ignored() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let b = speaking("fr");
    let p = get(&app, &b, "/sign-in?lang=de").await;
    assert_eq!(html_lang(&p.body).0, "de");
    let cookie = p
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("portcullis_lang="))
        .expect("the choice is remembered");
    assert!(cookie.starts_with("portcullis_lang=de;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // The next page, without ?lang=, still in German over the browser's French.
    let p = get(&app, &b, "/sign-up").await;
    assert_eq!(html_lang(&p.body).0, "de");

    // Values that are not a shipped language change nothing and are never echoed.
    let fresh = speaking("it");
    for hostile in [
        "%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "xx",
        "",
        &"de-".repeat(400),
    ] {
        let p = get(&app, &fresh, &format!("/sign-in?lang={hostile}")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert_eq!(html_lang(&p.body).0, "it", "?lang={hostile}");
        assert!(!p.body.contains("<script>alert"));
        assert!(
            !p.headers
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("portcullis_lang=")),
            "nothing to remember for ?lang={hostile}"
        );
    }
    // A forged cookie is ignored; a huge Accept-Language is read no further than needed.
    let r = reqwest::Client::new()
        .get(app.url("/sign-in"))
        .header("cookie", "portcullis_lang=%3Cb%3E")
        .header(
            ACCEPT_LANGUAGE,
            format!("{}, es", "x-y;q=0.1, ".repeat(2000)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(!body.contains("<b>"));
    assert_eq!(
        html_lang(&body).0,
        "en",
        "only the first 32 ranges are read"
    );
    // The picker carries only a validated way back, never a foreign one.
    let p = get(
        &app,
        &speaking("fr"),
        "/sign-in?redirect_url=https%3A%2F%2Fevil.example%2F&lang=fr",
    )
    .await;
    assert!(!p.body.contains("evil.example"), "{}", p.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ui_locales_wins_over_the_browser_and_the_page_wears_the_clients_brand() {
    let app = partner_app().await;
    let b = speaking("fr-FR,fr;q=0.9");
    let r = get(&app, &b, &authorize_path("&ui_locales=es%20en")).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    let to = r.location();
    assert!(to.contains("/sign-in?"), "{to}");
    let p = get(&app, &b, &to).await;
    assert_eq!(
        html_lang(&p.body).0,
        "es",
        "the relying party's ui_locales beat Accept-Language"
    );
    assert!(p.body.contains("Iniciar sesión"));
    // Its name, logo and colour; and the line says where the user is going.
    assert!(p.body.contains("Partner App"));
    assert!(
        p.body.contains("para continuar en Partner App"),
        "{}",
        p.body
    );
    assert!(p.body.contains("src=\"https://partner.example/logo.png\""));
    assert!(p.body.contains("/static/brand.css?color=%23aa3300"));
    let css = reqwest::get(app.url("/static/brand.css?color=%23aa3300"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(css.contains("--primary: #aa3300;"), "{css}");
    // Anything but a hex colour is ignored: no way to inject CSS through the query.
    for hostile in [
        "red",
        "%23aa3300%3B%7Dbody%7Bdisplay%3Anone",
        "%23ggg",
        "url(x)",
    ] {
        let css = reqwest::get(app.url(&format!("/static/brand.css?color={hostile}")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(css, ":root { --primary: #2451b7; }\n", "{hostile}");
    }
    // The ui_locales carry through the journey: the sign-up page reached from it.
    let redirect = to
        .split("redirect_url=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let p = get(&app, &b, &format!("/sign-up?redirect_url={redirect}")).await;
    assert_eq!(html_lang(&p.body).0, "es");
    // A language the person picks on the page wins for the rest of the journey.
    let p = get(
        &app,
        &b,
        &format!("/sign-in?redirect_url={redirect}&lang=it"),
    )
    .await;
    assert_eq!(html_lang(&p.body).0, "it");
    assert!(
        p.body.contains("lang=it"),
        "the choice rides along in the forms' query"
    );

    // A bare /sign-in names no application: the instance's brand.
    let p = get(&app, &speaking("es"), "/sign-in").await;
    assert!(!p.body.contains("Partner App"));
    assert!(p.body.contains("/static/brand.css\""));
    // A made-up resume id names nothing either.
    let fake = format!("{}/oauth/authorize/resume?id=nope", app.address);
    let p = get(
        &app,
        &speaking("es"),
        &format!("/sign-in?redirect_url={}", urlencode(&fake)),
    )
    .await;
    assert!(!p.body.contains("Partner App"));

    // Discovery says which languages the pages speak.
    let d = app.get("/.well-known/openid-configuration").await;
    let tags: Vec<&str> = d.body["ui_locales_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for t in [
        "en", "es", "fr", "de", "it", "pt-BR", "nl", "pl", "ja", "zh-CN", "ko", "ar",
    ] {
        assert!(tags.contains(&t), "{t} in {tags:?}");
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_page_speaks_the_relying_partys_language() {
    let app = partner_app().await;
    let b = speaking("en");
    let user = "consent-ko@example.com";
    app.sign_up_with_email(&b, user, PASSWORD).await;
    let r = get(&app, &b, &authorize_path("&ui_locales=ko")).await;
    assert_eq!(r.status, StatusCode::OK, "the consent page: {}", r.body);
    assert_eq!(html_lang(&r.body).0, "ko");
    assert!(
        r.body
            .contains("Partner App에서 내 계정을 사용하도록 허용할까요?"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("이메일 주소 보기"),
        "the scope in plain Korean"
    );
    // No picker on a protocol page: reloading it with only ?lang= would lose the request.
    assert!(!r.body.contains("name=\"lang\""));
}

backend_tests! {
    async fn the_sign_up_journey_and_its_code_email_in_french(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = speaking("fr-FR,fr;q=0.9,en;q=0.4");
        let email = "amelie@example.fr";
        let page = get(&app, &b, "/sign-up").await;
        assert!(page.body.contains("Créez votre compte"));
        // An error beside the field, in French, with the code's own number.
        let csrf = page.hidden("csrf");
        let p = post(&app, &b, "/sign-up", &[("email_address", email), ("password", "court"), ("csrf", &csrf)]).await;
        assert_eq!(html_lang(&p.body).0, "fr");
        assert!(p.body.contains("Le mot de passe doit comporter au moins 8 caractères."), "{}", p.body);
        let p = post(&app, &b, "/sign-up", &[("email_address", email), ("password", PASSWORD), ("csrf", &csrf)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let verify = p.location();
        let page = get(&app, &b, &verify).await;
        assert!(page.body.contains("Vérifiez votre adresse e-mail"), "{}", page.body);
        let (subject, body) = app.mail.latest_decoded(email).await;
        assert!(subject.contains("est votre code de vérification"), "{subject}");
        assert!(body.contains("Il expire dans 10 minutes."), "{body}");
        assert!(body.contains("créer un compte"), "the purpose in French: {body}");
        let code = crate::helpers::six_digits(&body).unwrap();
        // A wrong code: the French error beside the field.
        let csrf = page.hidden("csrf");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let p = post(&app, &b, &verify, &[("code", wrong), ("csrf", &csrf)]).await;
        assert!(p.body.contains("Le code saisi est incorrect"), "{}", p.body);
        let p = post(&app, &b, &verify, &[("code", &code), ("csrf", &csrf)]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        // The new user keeps the language; the account page speaks it.
        let me = app.get_as(&b, "/v1/me").await;
        assert_eq!(me.body["response"]["locale"], "fr", "{}", me.body);
        let account = get(&app, &b, "/user").await;
        assert!(account.body.contains("Votre compte"));
    }

    async fn the_frontend_api_stores_locale_and_writes_to_the_user_in_it(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let b = crate::helpers::browser();
        let email = "haruto@example.jp";
        // clerk-js sends the browser's language as `locale` with the sign-up.
        let r = app.post_as(&b, "/v1/client/sign_ups", &[("email_address", email), ("password", PASSWORD), ("locale", "ja-JP")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["locale"], "ja-JP");
        let id = r.body["response"]["id"].as_str().unwrap().to_owned();
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/prepare_verification"), &[("strategy", "email_code")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (subject, body) = app.mail.latest_decoded(email).await;
        assert!(subject.contains("の確認コードは"), "{subject}");
        assert!(body.contains("有効期限は 10 分です"), "{body}");
        let code = crate::helpers::six_digits(&body).unwrap();
        let r = app.post_as(&b, &format!("/v1/client/sign_ups/{id}/attempt_verification"), &[("strategy", "email_code"), ("code", &code)]).await;
        assert_eq!(r.body["response"]["status"], "complete", "{}", r.body);
        let me = app.get_as(&b, "/v1/me").await;
        assert_eq!(me.body["response"]["locale"], "ja-JP");

        // The user changes it; a security notice then goes out in the new language.
        let r = app.patch_as(&b, "/v1/me", &[("locale", "ar")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["response"]["locale"], "ar");
        let before = app.mail.count_to(email);
        let r = app.post_as(&b, "/v1/me/change_password", &[("current_password", PASSWORD), ("new_password", "Quiet-Harbour-77!")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for _ in 0..100 {
            if app.mail.count_to(email) > before { break }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (subject, body) = app.mail.latest_decoded(email).await;
        assert!(subject.contains("تم تغيير كلمة المرور"), "{subject}");
        assert!(body.contains("مرحبًا"), "{body}");

        // A locale that is not a language tag is refused by name; nothing changes.
        for bad in ["not a tag", "<script>", &"x".repeat(80)] {
            let r = app.patch_as(&b, "/v1/me", &[("locale", bad)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
            assert_eq!(r.error_code(), "form_param_format_invalid");
            assert_eq!(r.error_param(), "locale");
        }
        let r = app.post_as(&crate::helpers::browser(), "/v1/client/sign_ups", &[("email_address", "x@example.com"), ("locale", "12345")]).await;
        assert_eq!(r.error_param(), "locale", "{}", r.body);
        let me = app.get_as(&b, "/v1/me").await;
        assert_eq!(me.body["response"]["locale"], "ar");
        // An empty value clears it.
        let r = app.patch_as(&b, "/v1/me", &[("locale", "")]).await;
        assert_eq!(r.body["response"]["locale"], serde_json::Value::Null, "{}", r.body);
    }

    async fn frontend_api_errors_speak_the_requests_language_and_keep_their_codes(backend) {
        let Some(app) = TestApp::spawn(backend).await else { return };
        let ask = |lang: Option<&'static str>| {
            let app = &app;
            async move {
                let mut req = reqwest::Client::new()
                    .post(app.url("/v1/client/sign_ins"))
                    .form(&[("identifier", "nobody-here@example.com"), ("password", PASSWORD)]);
                if let Some(l) = lang {
                    req = req.header(ACCEPT_LANGUAGE, l);
                }
                crate::helpers::Res::from(req.send().await.unwrap()).await
            }
        };
        let en = ask(None).await;
        let de = ask(Some("de-DE")).await;
        assert_eq!(en.status, de.status);
        assert_eq!(en.error_code(), de.error_code(), "the code never changes");
        assert_ne!(en.body["errors"][0]["long_message"], de.body["errors"][0]["long_message"]);
        assert_ne!(en.body["errors"][0]["message"], de.body["errors"][0]["message"]);
        // `?locale=` names it too; the field is named in the language.
        let r = crate::helpers::Res::from(
            reqwest::Client::new()
                .post(app.url("/v1/client/sign_ups?locale=ja"))
                .form(&[("email_address", "not-an-address")])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(r.error_code(), "form_param_format_invalid", "{}", r.body);
        assert_eq!(r.error_param(), "email_address");
        let long = r.body["errors"][0]["long_message"].as_str().unwrap();
        assert!(long.contains("メールアドレス"), "in Japanese: {long}");
        // The operators' APIs stay in English whatever the caller's language.
        let r = reqwest::Client::new()
            .get(app.url("/admin/v1/users"))
            .header(ACCEPT_LANGUAGE, "fr")
            .header("authorization", "Bearer sk_live_wrong")
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        let long = body["errors"][0]["long_message"].as_str().unwrap_or_default();
        assert!(long.is_ascii(), "{long}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_users_own_language_outranks_the_browsers() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let b = speaking("en-US");
    app.sign_up_with_email(&b, "own-locale@example.com", PASSWORD)
        .await;
    let p = get(&app, &b, "/user").await;
    assert_eq!(html_lang(&p.body).0, "en");
    let r = app.patch_as(&b, "/v1/me", &[("locale", "pl-PL")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = get(&app, &b, "/user").await;
    assert_eq!(
        html_lang(&p.body).0,
        "pl",
        "the user's own locale, matched to pl"
    );
    assert!(p.body.contains("Twoje konto"));
    // A language picked on the page still wins.
    let p = get(&app, &b, "/user?lang=nl").await;
    assert_eq!(html_lang(&p.body).0, "nl");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_branding_is_checked_when_the_client_is_registered() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let key = crate::admin::admin_key(&app).await;
    for (field, value) in [
        ("logo_uri", "javascript:alert(1)"),
        ("logo_uri", "http://plain.example/logo.png"),
        ("logo_uri", "https://user:pw@example.com/logo.png"),
        ("brand_color", "red"),
        ("brand_color", "#12345"),
        ("brand_color", "#aa3300;}body{display:none"),
    ] {
        let mut body = json!({
            "client_id": "branded",
            "redirect_uris": ["https://rp.example/cb"],
            "first_party": false,
        });
        body[field] = json!(value);
        let r = reqwest::Client::new()
            .post(app.url("/admin/v1/oauth_clients"))
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {value}"
        );
    }
    let r = reqwest::Client::new()
        .post(app.url("/admin/v1/oauth_clients"))
        .bearer_auth(&key)
        .json(&json!({
            "client_id": "branded",
            "redirect_uris": ["https://rp.example/cb"],
            "logo_uri": "https://rp.example/logo.svg",
            "brand_color": "#0a7",
        }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}
