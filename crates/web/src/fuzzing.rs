//! Entry points for the fuzz targets in `fuzz/`: each takes raw bytes, hands them to the
//! parsers Portcullis runs on untrusted input, and asserts what must hold whatever the input
//! (a panic is a finding). Not part of the server; public only so `cargo fuzz` can reach it.

use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::test::TestRequest;

use crate::config::Settings;
use crate::domain::web3::{Address, recover_personal_sign};
use crate::domain::{EmailAddress, Password, PasswordPolicy, PhoneNumber, Username};
use crate::flows::Params;
use crate::oidc::clients::{check_redirect_uri, credentials, uri_registered};
use crate::oidc::keys::{KeyRing, generate};

const ISSUER: &str = "https://id.example.com";

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Reads every parameter the way the flows do, whatever its kind.
fn read_all(params: &Params, names: &[String]) {
    for name in names {
        let _ = params.text(name);
        let _ = params.raw(name);
        let _ = params.bool(name);
        let _ = params.json_object(name);
    }
    let _ = params.only(crate::flows::sign_in::CREATE_PARAMS);
    let _ = params.only(crate::flows::sign_up::PARAMS);
}

/// A form body, as the Frontend API, the hosted pages and the OAuth endpoints read one.
pub fn form_body(data: &[u8]) {
    if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data) {
        let names: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        if let Ok(params) = Params::from_pairs(pairs) {
            read_all(&params, &names);
        }
    }
    let _ = super::oidc_endpoints::parse_params(data);
    let _: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
}

/// A JSON body, as the Frontend, account and admin APIs read one.
pub fn json_body(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let names: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    if let Ok(params) = Params::from_json(value.clone()) {
        read_all(&params, &names);
    }
    let _ = serde_json::from_value::<crate::flows::admin::CreateUser>(value.clone());
    let _ = serde_json::from_value::<crate::flows::admin::UpdateUser>(value);
}

/// An identifier typed into a sign-in or sign-up form.
pub fn identifier(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    if let Ok(email) = EmailAddress::parse(raw) {
        // Canonical: parsing the canonical form gives it back.
        let again = EmailAddress::parse(email.as_ref()).map(|e| e.as_ref().to_owned());
        assert_eq!(again.ok().as_deref(), Some(email.as_ref()));
    }
    if let Ok(phone) = PhoneNumber::parse(raw) {
        let e164 = phone.as_ref();
        assert!(
            e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()),
            "E.164: {e164}"
        );
    }
    if let Ok(username) = Username::parse(raw) {
        let again = Username::parse(username.as_ref()).map(|u| u.as_ref().to_owned());
        assert_eq!(again.ok().as_deref(), Some(username.as_ref()));
    }
    let policy = PasswordPolicy {
        min_length: 8,
        max_length: 72,
    };
    if let Ok(password) = Password::parse(raw, policy) {
        assert!((8..=72).contains(&password.expose().chars().count()));
    }
    if let Ok(address) = Address::parse(raw) {
        assert_eq!(
            Address::parse(address.as_ref())
                .ok()
                .map(|a| a.as_ref().to_owned()),
            Some(address.as_ref().to_owned())
        );
    }
}

fn redirect_settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let mut s = Settings::default();
        s.server.public_url = ISSUER.to_owned();
        s.server.allowed_redirect_origins = "https://app.example.com".parse().into_iter().collect();
        s
    })
}

/// A `redirect_url`, `redirect_uri` or `post_logout_redirect_uri`: wherever Portcullis agrees
/// to send a browser, it must stay on the issuer, an allowed origin or a registered URI.
pub fn redirect_uri(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let _ = check_redirect_uri(raw);
    let registered = [
        "https://app.example.com/callback".to_owned(),
        "http://127.0.0.1/callback".to_owned(),
    ];
    if uri_registered(&registered, raw, false) {
        assert!(
            registered.iter().any(|r| r == raw),
            "web clients match exactly"
        );
    }
    if uri_registered(&registered, raw, true) && !registered.iter().any(|r| r == raw) {
        // Native clients may vary only the port of a loopback address (RFC 8252 §7.3).
        let given = url::Url::parse(raw).ok();
        assert!(
            given.as_ref().is_some_and(|u| u.scheme() == "http"
                && u.host_str() == Some("127.0.0.1")
                && u.path() == "/callback"),
            "{raw:?} matched a native client's loopback URI"
        );
    }
    if let Some(to) = crate::flows::safe_redirect_under(redirect_settings(), raw) {
        let Ok(base) = url::Url::parse(ISSUER) else {
            return;
        };
        // Resolve it as a browser resolves a Location header.
        let resolved = base.join(&to).map(|u| u.origin().ascii_serialization());
        assert!(
            matches!(
                resolved.as_deref(),
                Ok("https://id.example.com" | "https://app.example.com")
            ),
            "{raw:?} leaves for {resolved:?}"
        );
    }
}

fn key_ring() -> Option<&'static KeyRing> {
    static RING: OnceLock<Option<KeyRing>> = OnceLock::new();
    RING.get_or_init(|| {
        let rows: Vec<_> = ["ES256", "EdDSA"]
            .iter()
            .filter_map(|alg| generate(alg, 0, 0, None).ok())
            .collect();
        KeyRing::from_rows(&rows, 0).ok()
    })
    .as_ref()
}

/// A JWT or JOSE header: an `id_token_hint`, a client assertion, an access token at userinfo,
/// a client's inline JWKS. Nothing Portcullis did not sign may verify.
pub fn jose(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    if let Some(ring) = key_ring() {
        for typ in ["JWT", "at+jwt", "logout+jwt"] {
            for check_exp in [true, false] {
                assert!(
                    ring.verify(raw, ISSUER, typ, check_exp).is_none(),
                    "a token nobody signed verified: {raw}"
                );
            }
        }
    }
    let _ = jsonwebtoken::decode_header(raw);
    if let Ok(jwks) = serde_json::from_str::<serde_json::Value>(raw) {
        let _ = portcullis_core::jwks::client_keys(&jwks);
    }
}

/// An `Authorization` header, at the token endpoint (Basic), at userinfo and registration
/// (Bearer) and on the Frontend API (a native app's client token).
pub fn authorization(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let _ = credentials(Some(raw), None, None);
    let _ = credentials(Some(raw), Some("client"), None);
    let _ = credentials(Some(raw), None, Some("secret"));
    let Ok(value) = HeaderValue::from_str(raw) else {
        return;
    };
    let readable = value.to_str().is_ok();
    let req = TestRequest::default()
        .insert_header((header::AUTHORIZATION, value))
        .to_http_request();
    let _ = super::oidc_endpoints::bearer(&req);
    let (token, transport) = super::fapi::extract::client_token(&req, true);
    if readable {
        assert!(
            transport == super::fapi::extract::Transport::Header && token.is_some(),
            "an Authorization header names a token"
        );
    }
}

/// The headers a browser or proxy controls: `Cookie` (the client and CSRF cookies),
/// `X-Forwarded-For` behind a trusted proxy, and `Origin`. Input is split at the first
/// newline: cookies before it, the other headers' value after.
pub fn headers(data: &[u8]) {
    let (cookie, rest) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut req = TestRequest::default().peer_addr(([10, 0, 0, 1], 4000).into());
    if let Ok(v) = HeaderValue::from_bytes(cookie) {
        req = req.insert_header((header::COOKIE, v));
    }
    if let Ok(v) = HeaderValue::from_bytes(rest) {
        req = req
            .insert_header(("x-forwarded-for", v.clone()))
            .insert_header((header::ORIGIN, v));
    }
    let req = req.to_http_request();
    let _ = req.cookie(super::fapi::extract::CLIENT_COOKIE);
    let _ = req.cookies().map(|c| c.len());
    let _ = super::fapi::extract::client_token(&req, true);
    let _ = super::fapi::extract::origin(&req);
    let trusted: Vec<super::client_ip::Cidr> = super::client_ip::Cidr::parse("10.0.0.0/8")
        .into_iter()
        .collect();
    let ip = super::client_ip::client_ip(&req, &trusted);
    assert!(ip.is_some(), "a request with a peer always has an address");
    for raw in text(rest).unwrap_or_default().split(',') {
        let _ = super::client_ip::Cidr::parse(raw);
    }
}

/// A passkey's `public_key_credential`: a registration or an assertion, as the browser's
/// `toJSON()` gives it.
pub fn webauthn(data: &[u8]) {
    let _ = serde_json::from_slice::<webauthn_rs::prelude::RegisterPublicKeyCredential>(data);
    let _ = serde_json::from_slice::<webauthn_rs::prelude::PublicKeyCredential>(data);
}

/// A wallet's signature of a sign-in message (EIP-191 over EIP-4361). Input is split at the
/// first newline: the signature before it, the message after.
pub fn siwe(data: &[u8]) {
    let Some(raw) = text(data) else { return };
    let (signature, message) = raw.split_once('\n').unwrap_or((raw, ""));
    let _ = recover_personal_sign(message, signature);
    let _ = Address::parse(signature);
}

/// A self-signed certificate for the fuzzed SAML connection's IdP (its key is not kept: no
/// fuzzed input can be validly signed, so every one must be refused).
const SAML_IDP_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----\nMIIDGTCCAgGgAwIBAgIUTMl8sr3Xg4Zbg5wvJPAIR+VfYxMwDQYJKoZIhvcNAQEL\nBQAwGzEZMBcGA1UEAwwQZnV6ei5pZHAuZXhhbXBsZTAgFw0yNjEyMDMxNzU2NDla\nGA8yMTI2MTEwOTE3NTY0OVowGzEZMBcGA1UEAwwQZnV6ei5pZHAuZXhhbXBsZTCC\nASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAM2nG+GGV/8kRs8R2ksAgDHX\naV/Gtjk7MXWWDTPJKduKYX+1ARsbJaWxvHXtqcDPlxN6XigUdUmQfVnNgtjopVnN\nXA9Eb2u4JqWkS6sbJNv0cBd5lPZcIGDq1Sb9T0j5Y7ftl0lsNQ/nYT68P5XTJ/ck\nAZGUB/nobsAc+fQrGVtYz/oZR/eRxn8wLA5YGX5Ph15oHqoYfQw6yg2l4pBGrQ8K\nEsSIbOimc7rfqUDJJ6jyui+zS7nnUQHqZe8tfxxOQkLerRPfU520mN/3/oE3lNr6\nNJ1DCRZy/QVrN+uOyExyXPyuEgF8Dat1/2bB/8J++zRpq1KazeJY1k8j2nReb9cC\nAwEAAaNTMFEwHQYDVR0OBBYEFGUs89EpX/g1GYWIuyZV5JW2hKWnMB8GA1UdIwQY\nMBaAFGUs89EpX/g1GYWIuyZV5JW2hKWnMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI\nhvcNAQELBQADggEBADCnbeNiNE+0KXxxkcsgIJJfn3K51U2szmYxbo2Wc5WSqVTs\nClL6VANC8/RCGyVms4c4MY+ejgxVuTyA48QltJ3f/6tz/L0XXjfriVvCo400lhdI\nbC4qdFdoMzplQOI3WtJd6NbmnOqyZf+Fv/lYO9JKlYM8qoZt/t7ybE98bHf1VyL4\nh8SkKOKlC0n146KS+BU770DFzPRCeUKL0yMr46gpovdzl8LuQ8JQPeVYHDWYE0jV\nmagurxQ5WgYXa2RdV5VW3eNqLnYrX6HvrrDVGaUXk9Es9GqIGeiy3iC8ix16KWoE\ndf1u5CNxFsSpyjrrAkMsHC4zDAKty/r8STtZ7vo=\n-----END CERTIFICATE-----";

fn saml_connection() -> &'static crate::federation::saml::Connection {
    static CONNECTION: OnceLock<crate::federation::saml::Connection> = OnceLock::new();
    CONNECTION.get_or_init(|| {
        let settings = crate::config::EnterpriseConnectionSettings {
            id: Some("fuzz".into()),
            name: "Fuzz".into(),
            protocol: crate::config::EnterpriseProtocol::Saml,
            domains: vec!["fuzz.example".into()],
            idp_entity_id: Some("https://idp.fuzz.example/".into()),
            idp_sso_url: Some("https://idp.fuzz.example/sso".into()),
            idp_certificate: Some(crate::config::Pems::One(SAML_IDP_CERTIFICATE.into())),
            ..Default::default()
        };
        crate::federation::saml::Connection::new(ISSUER, &settings)
            .unwrap_or_else(|e| panic!("the fuzz connection builds: {e}"))
    })
}

/// A SAML answer posted to an assertion consumer service (as the XML, and as the base64 the
/// form carries), and IdP metadata. Nothing unsigned by the IdP's key may be taken.
pub fn saml(data: &[u8]) {
    use base64::Engine as _;
    let conn = saml_connection();
    let Some(idp) = conn.current_idp() else {
        panic!("the fuzz connection has its IdP");
    };
    let expect = crate::federation::saml::Expect::Request("_fuzz-request");
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    assert!(
        conn.verify(&idp, "enterprise_fuzz", &encoded, expect)
            .is_err(),
        "an answer nobody signed was taken"
    );
    if let Some(t) = text(data) {
        assert!(
            conn.verify(
                &idp,
                "enterprise_fuzz",
                t,
                crate::federation::saml::Expect::Unsolicited
            )
            .is_err()
        );
        let _ = crate::federation::saml::parse_idp_metadata(t);
    }
}

/// An uploaded file: the first line is the `Content-Type`, the rest the body.
pub fn upload(data: &[u8]) {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let content_type = String::from_utf8_lossy(&data[..split]);
    let body = data.get(split + 1..).unwrap_or(&[]);
    if let Ok(file) = crate::upload::file_from(&content_type, body, "file") {
        assert!(
            file.len() <= body.len(),
            "the file is never larger than its body"
        );
        let _ = crate::flows::images::sniff(&file);
    }
}
