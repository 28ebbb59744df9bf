//! Signed request objects (RFC 9101, JAR) at `/oauth/authorize` and `/oauth/par`: verified
//! with the client's `jwks` or its fetched `jwks_uri`, and only their own parameters used;
//! and every way to forge, stretch or replay one refused.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use portcullis::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::helpers::{Res, TestApp};
use crate::oidc::{browser_signed_up, client, decode_payload, post_form, with_clients};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// An ES256 key pair: the key to sign with, its public JWK and its private JWK.
pub(crate) struct Key {
    pub(crate) kid: String,
    pub(crate) signing: jsonwebtoken::EncodingKey,
    pub(crate) public: Value,
    pub(crate) private: Value,
}

pub(crate) fn es256(kid: &str) -> Key {
    use base64::Engine;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem = secret.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
    let point = secret.public_key().to_encoded_point(false);
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let public = json!({"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": kid,
        "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())});
    let mut private = public.clone();
    private["d"] = json!(b64(&secret.to_bytes()));
    Key {
        kid: kid.into(),
        signing: jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        public,
        private,
    }
}

pub(crate) fn sign(key: &Key, typ: Option<&str>, claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(key.kid.clone());
    header.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &key.signing).unwrap()
}

/// The claims of a good request object from `client_id`, with `changes` applied (a null
/// removes a claim).
fn request_claims(app: &TestApp, client_id: &str, changes: Value) -> Value {
    let now = app.clock.now_ms() / 1000;
    let mut c = json!({
        "iss": client_id, "aud": app.address, "client_id": client_id,
        "response_type": "code", "redirect_uri": REDIRECT, "scope": "openid email",
        "state": "jar-state", "nonce": "jar-nonce", "max_age": 3600,
        "iat": now, "nbf": now, "exp": now + 60, "jti": uuid_like(),
    });
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

pub(crate) fn uuid_like() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A `private_key_jwt` assertion of `client_id` for the token or PAR endpoint.
fn assertion(app: &TestApp, key: &Key, client_id: &str) -> String {
    let now = app.clock.now_ms() / 1000;
    let claims = json!({"iss": client_id, "sub": client_id, "aud": app.address,
        "iat": now, "exp": now + 60, "jti": uuid_like()});
    sign(key, None, &claims)
}

fn authorize_url(app: &TestApp, client_id: &str, request: &str, extra: &str) -> String {
    format!(
        "{}?client_id={client_id}&request={request}{extra}",
        app.url("/oauth/authorize")
    )
}

/// Where the browser is sent: the callback's query, or the page's status when it stays.
async fn follow(
    b: &reqwest::Client,
    url: &str,
) -> Result<HashMap<String, String>, (StatusCode, String)> {
    let r = b.get(url).send().await.unwrap();
    if r.status() != StatusCode::FOUND {
        return Err((r.status(), r.text().await.unwrap_or_default()));
    }
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    Ok(url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect())
}

/// A client of `with_clients` that signs with `key`; `change` adjusts it.
fn keyed_client(
    id: &str,
    key: &Key,
    change: impl FnOnce(&mut portcullis::config::ClientSettings),
) -> portcullis::config::ClientSettings {
    let mut c = client(id, None, REDIRECT, true);
    c.jwks = Some(json!({"keys": [key.public.clone()]}));
    change(&mut c);
    c
}

/// A client's `jwks_uri`: serves the set held in `keys` and counts the fetches.
struct KeyServer {
    uri: String,
    keys: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

async fn key_server(first: &Key) -> KeyServer {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let keys = Arc::new(Mutex::new(json!({"keys": [first.public.clone()]})));
    let fetches = Arc::new(AtomicUsize::new(0));
    let state = web::Data::new((keys.clone(), fetches.clone()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        App::new().app_data(state.clone()).route(
            "/jwks",
            web::get().to(
                |s: web::Data<(Arc<Mutex<Value>>, Arc<AtomicUsize>)>| async move {
                    s.1.fetch_add(1, Ordering::SeqCst);
                    let body = s.0.lock().unwrap().clone();
                    HttpResponse::Ok().json(body)
                },
            ),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    KeyServer {
        uri: format!("http://127.0.0.1:{port}/jwks"),
        keys,
        fetches,
    }
}

backend_tests! {
    async fn request_objects_are_verified_and_win(backend) {
        let key = es256("k1");
        let public = key.public.clone();
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            let jwks = json!({"keys": [public]});
            let mut signer = client("signer", None, REDIRECT, true);
            signer.jwks = Some(jwks.clone());
            let mut strict = client("strict", None, REDIRECT, true);
            strict.jwks = Some(jwks);
            strict.request_object_signing_alg = Some("EdDSA".into());
            strict.token_endpoint_auth_signing_alg = Some("EdDSA".into());
            s.clients.push(signer);
            s.clients.push(strict);
        }).await else { return };
        let d = app.get("/.well-known/openid-configuration").await;
        assert_eq!(d.body["request_parameter_supported"], true);
        assert!(d.body["request_object_signing_alg_values_supported"].as_array().unwrap().iter().any(|a| a == "ES256"));
        assert!(!d.body["request_object_signing_alg_values_supported"].as_array().unwrap().iter().any(|a| a == "none" || a == "HS256"));
        let b = browser_signed_up(&app, "ada@example.com").await;

        // A good one: its parameters win over anything added to the URL (RFC 9101 §6.3).
        let jwt = sign(&key, Some("oauth-authz-req+jwt"), &request_claims(&app, "signer", json!({})));
        let cb = follow(&b, &authorize_url(&app, "signer", &jwt, "&state=tampered&scope=openid%20phone&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Felsewhere")).await.unwrap();
        assert_eq!(cb["state"], "jar-state", "{cb:?}");
        let t = post_form(&app, "/oauth/token", &[("grant_type", "authorization_code"), ("code", &cb["code"]),
            ("redirect_uri", REDIRECT), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", &assertion(&app, &key, "signer"))], None).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert_eq!(t.body["scope"], "openid email");
        assert_eq!(decode_payload(t.body["id_token"].as_str().unwrap())["nonce"], "jar-nonce");
        // The same request object again (its jti is spent).
        let (status, page) = follow(&b, &authorize_url(&app, "signer", &jwt, "")).await.unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("already used"), "{page}");

        // Forged, stretched or misdirected: each shown as an error page, never redirected.
        let now = app.clock.now_ms() / 1000;
        let other = es256("k1");
        let unsigned = {
            use base64::Engine;
            let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&request_claims(&app, "signer", json!({}))))
        };
        let hmac = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &request_claims(&app, "signer", json!({})), &jsonwebtoken::EncodingKey::from_secret(b"guess")).unwrap();
        let cases: Vec<(&str, String)> = vec![
            ("signed by another key", sign(&other, None, &request_claims(&app, "signer", json!({})))),
            ("alg none", unsigned),
            ("HMAC", hmac),
            ("another audience", sign(&key, None, &request_claims(&app, "signer", json!({"aud": "https://other.example.com"})))),
            ("no audience", sign(&key, None, &request_claims(&app, "signer", json!({"aud": null})))),
            ("expired", sign(&key, None, &request_claims(&app, "signer", json!({"exp": now - 1})))),
            ("no exp", sign(&key, None, &request_claims(&app, "signer", json!({"exp": null})))),
            ("valid for two hours", sign(&key, None, &request_claims(&app, "signer", json!({"exp": now + 7200})))),
            ("not yet valid", sign(&key, None, &request_claims(&app, "signer", json!({"nbf": now + 600})))),
            ("issued by another client", sign(&key, None, &request_claims(&app, "signer", json!({"iss": "rp"})))),
            ("naming another client", sign(&key, None, &request_claims(&app, "signer", json!({"client_id": "rp"})))),
            ("another kind of JWT", sign(&key, Some("dpop+jwt"), &request_claims(&app, "signer", json!({})))),
            ("nesting a request_uri", sign(&key, None, &request_claims(&app, "signer", json!({"request_uri": "urn:ietf:params:oauth:request_uri:x"})))),
            ("not a JWT", "eyJ".into()),
        ];
        for (case, jwt) in &cases {
            let (status, _) = follow(&b, &authorize_url(&app, "signer", jwt, "")).await
                .map(|cb| panic!("{case}: redirected with {cb:?}")).unwrap_err();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{case}");
        }
        // The client's own good object, sent in another client's name.
        let jwt = sign(&key, None, &request_claims(&app, "signer", json!({})));
        assert!(follow(&b, &authorize_url(&app, "rp", &jwt, "")).await.is_err());
        // A client held to EdDSA refuses its ES256 objects, and its ES256 client assertions
        // (token_endpoint_auth_signing_alg, as FAPI 2.0 clients set to keep RS256 out).
        let jwt = sign(&key, None, &request_claims(&app, "strict", json!({})));
        assert!(follow(&b, &authorize_url(&app, "strict", &jwt, "")).await.is_err());
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", &assertion(&app, &key, "strict"))], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        let r = post_form(&app, "/oauth/token", &[("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", &assertion(&app, &key, "signer"))], None).await;
        assert_ne!(r.status, StatusCode::UNAUTHORIZED, "the same assertion works for a client not held to one: {}", r.body);
        // Both request and request_uri.
        let jwt = sign(&key, None, &request_claims(&app, "signer", json!({})));
        assert!(follow(&b, &authorize_url(&app, "signer", &jwt, "&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax")).await.is_err());

        // Once verified, a bad request is reported at the redirect URI, with the object's state.
        let jwt = sign(&key, None, &request_claims(&app, "signer", json!({"scope": "openid admin"})));
        let cb = follow(&b, &authorize_url(&app, "signer", &jwt, "")).await.unwrap();
        assert_eq!((cb["error"].as_str(), cb["state"].as_str()), ("invalid_scope", "jar-state"));

        // Pushed (RFC 9126 §3): the object is checked at push time; the URI works once.
        let push = |jwt: String| {
            let form = vec![
                ("request".to_owned(), jwt),
                ("client_assertion_type".to_owned(), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()),
                ("client_assertion".to_owned(), assertion(&app, &key, "signer")),
            ];
            let url = app.url("/oauth/par");
            async move { Res::from(reqwest::Client::new().post(url).form(&form).send().await.unwrap()).await }
        };
        let r = push(sign(&key, None, &request_claims(&app, "signer", json!({})))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let uri = r.body["request_uri"].as_str().unwrap().to_owned();
        let url = format!("{}?client_id=signer&request_uri={}", app.url("/oauth/authorize"), url::form_urlencoded::byte_serialize(uri.as_bytes()).collect::<String>());
        let cb = follow(&b, &url).await.unwrap();
        assert_eq!(cb["state"], "jar-state");
        assert!(cb.contains_key("code"));
        let r = push(sign(&other, None, &request_claims(&app, "signer", json!({})))).await;
        assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request_object")), "{}", r.body);
    }

    async fn keys_from_jwks_uri_are_cached_and_follow_rotation(backend) {
        let first = es256("k1");
        let server = key_server(&first).await;
        let uri = server.uri.clone();
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            let mut c = keyed_client("fetcher", &first, |c| {
                c.jwks = None;
                c.jwks_uri = Some(uri);
                c.require_signed_request_object = true;
                c.request_object_signing_alg = Some("ES256".into());
            });
            c.name = Some("Fetcher".into());
            s.clients.push(c);
        }).await else { return };
        let b = browser_signed_up(&app, "ada@example.com").await;
        // This client signs every request: a plain one is refused at its redirect URI.
        let plain = format!("{}?client_id=fetcher&response_type=code&scope=openid&state=p1&redirect_uri={}",
            app.url("/oauth/authorize"), url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>());
        let cb = follow(&b, &plain).await.unwrap();
        assert_eq!((cb["error"].as_str(), cb["state"].as_str()), ("invalid_request", "p1"));

        // Fetched once, then kept.
        for _ in 0..3 {
            let jwt = sign(&first, None, &request_claims(&app, "fetcher", json!({})));
            let cb = follow(&b, &authorize_url(&app, "fetcher", &jwt, "")).await.unwrap();
            assert!(cb.contains_key("code"), "{cb:?}");
        }
        assert_eq!(server.fetches.load(Ordering::SeqCst), 1);
        // The client rotates to a new key. Within thirty seconds of the last fetch its
        // objects wait; after that, the first one fetches the set again.
        let second = es256("k2");
        *server.keys.lock().unwrap() = json!({"keys": [second.public.clone()]});
        let jwt = sign(&second, None, &request_claims(&app, "fetcher", json!({})));
        assert!(follow(&b, &authorize_url(&app, "fetcher", &jwt, "")).await.is_err());
        assert_eq!(server.fetches.load(Ordering::SeqCst), 1);
        app.clock.advance_secs(31);
        let jwt = sign(&second, None, &request_claims(&app, "fetcher", json!({})));
        let cb = follow(&b, &authorize_url(&app, "fetcher", &jwt, "")).await.unwrap();
        assert!(cb.contains_key("code"), "{cb:?}");
        assert_eq!(server.fetches.load(Ordering::SeqCst), 2);
        // Made-up key ids do not make Portcullis fetch again and again.
        for n in 0..3 {
            let stranger = es256(&format!("made-up-{n}"));
            let jwt = sign(&stranger, None, &request_claims(&app, "fetcher", json!({})));
            assert!(follow(&b, &authorize_url(&app, "fetcher", &jwt, "")).await.is_err());
        }
        assert_eq!(server.fetches.load(Ordering::SeqCst), 2);
        // The old key is gone from the set, and with it its objects.
        let jwt = sign(&first, None, &request_claims(&app, "fetcher", json!({})));
        assert!(follow(&b, &authorize_url(&app, "fetcher", &jwt, "")).await.is_err());
    }

    async fn registered_clients_may_publish_keys_only_at_public_addresses(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            s.oidc.dynamic_registration = true;
            s.oidc.registration_token = Some("initial-access-token".to_string().into());
        }).await else { return };
        let register = |meta: Value| {
            let req = reqwest::Client::new().post(app.url("/oauth/register")).bearer_auth("initial-access-token").json(&meta);
            async move { Res::from(req.send().await.unwrap()).await }
        };
        for uri in ["http://127.0.0.1:9/jwks", "https://localhost/jwks", "https://10.0.0.7/jwks", "https://169.254.169.254/latest"] {
            let r = register(json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": uri})).await;
            assert_eq!((r.status, r.body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_client_metadata")), "{uri}: {}", r.body);
        }
        let r = register(json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": "https://keys.example.com/jwks", "request_object_signing_alg": "ES256", "require_signed_request_object": true})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["jwks_uri"], "https://keys.example.com/jwks");
        assert_eq!(r.body["token_endpoint_auth_method"], "private_key_jwt");
        assert_eq!(r.body["request_object_signing_alg"], "ES256");
        assert_eq!(r.body["require_signed_request_object"], true);
        for bad in [json!({"request_object_signing_alg": "none"}), json!({"request_object_signing_alg": "HS256"}),
                    json!({"jwks_uri": "https://keys.example.com/jwks", "jwks": {"keys": []}})] {
            let mut meta = json!({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt",
                "jwks_uri": "https://keys.example.com/jwks"});
            for (k, v) in bad.as_object().unwrap() { meta[k] = v.clone(); }
            let r = register(meta).await;
            assert_eq!(r.body["error"], "invalid_client_metadata", "{bad}: {}", r.body);
        }
        // Metadata Portcullis does not implement is refused, as discovery says.
        for unsupported in [json!({"sector_identifier_uri": "https://keys.example.com/sector.json"}),
                            json!({"userinfo_signed_response_alg": "ES256"}),
                            json!({"id_token_encrypted_response_alg": "RSA-OAEP"})] {
            let mut meta = json!({"redirect_uris": [REDIRECT]});
            for (k, v) in unsupported.as_object().unwrap() { meta[k] = v.clone(); }
            let r = register(meta).await;
            assert_eq!(r.body["error"], "invalid_client_metadata", "{unsupported}: {}", r.body);
        }
        // oidcc-registration-logo-uri: an https logo is kept and shown; a plain http one is not.
        let r = register(json!({"redirect_uris": [REDIRECT], "logo_uri": "https://rp.example.com/logo.png",
            "policy_uri": "https://rp.example.com/policy", "tos_uri": "https://rp.example.com/tos"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["logo_uri"], "https://rp.example.com/logo.png");
        let r = register(json!({"redirect_uris": [REDIRECT], "logo_uri": "http://rp.example.com/logo.png"})).await;
        assert_eq!(r.body["error"], "invalid_client_metadata", "{}", r.body);
        let d = app.get("/.well-known/openid-configuration").await;
        assert_eq!(d.body["userinfo_signing_alg_values_supported"], json!(["none"]));
        assert!(d.body.get("id_token_encryption_alg_values_supported").is_none());
    }

    async fn openid_client_builds_a_request_object(backend) {
        let key = es256("k1");
        let public = key.public.clone();
        let Some(app) = TestApp::spawn_with(backend, |s| {
            with_clients(s);
            let mut c = client("jar", None, REDIRECT, true);
            c.jwks = Some(json!({"keys": [public]}));
            c.require_signed_request_object = true;
            s.clients.push(c);
        }).await else { return };
        let b = browser_signed_up(&app, "ada@example.com").await;
        let private = key.private.to_string();
        let Some(built) = crate::oidc::openid_client_script("openid_jar.mjs", &["url", &app.address, "jar", &private, REDIRECT]).await else { return };
        let url = built["url"].as_str().unwrap();
        assert!(url.contains("request=") && !url.contains("code_challenge"), "{url}");
        let r = b.get(url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND, "{}", r.text().await.unwrap_or_default());
        let callback = r.headers()["location"].to_str().unwrap().to_owned();
        let done = crate::oidc::openid_client_script("openid_jar.mjs", &["exchange", &app.address, "jar", &private, &callback,
            built["verifier"].as_str().unwrap(), built["state"].as_str().unwrap()]).await.unwrap();
        assert_eq!(done["email"], "ada@example.com", "{done}");
    }
}
