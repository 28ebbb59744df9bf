//! A stand-in SAML 2.0 identity provider on 127.0.0.1: metadata at `/metadata`, and a sign-in
//! endpoint (`/sso`, HTTP-Redirect binding) that "signs the user in" at once and answers with
//! an auto-posting form, as a real IdP's page does. Responses are signed for real, by xmlsec1
//! with an RSA key made at start; [`Answer`] makes them misbehave as a forger would.

use std::io::Read;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use samael::crypto::{Crypto, CryptoProvider};

#[derive(Clone, Debug)]
pub struct SamlUser {
    pub name_id: String,
    pub name_id_format: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl SamlUser {
    /// A user named by a persistent NameID, with the usual attributes.
    pub fn new(name_id: &str, email: &str) -> Self {
        Self {
            name_id: name_id.into(),
            name_id_format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into(),
            email: Some(email.into()),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
        }
    }
}

/// What an `AuthnRequest` asked for.
#[derive(Clone, Debug)]
pub struct Request {
    pub id: String,
    pub acs_url: String,
    pub issuer: String,
    pub relay_state: String,
    pub xml: String,
}

/// Which elements carry a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signed {
    Response,
    Assertion,
    Both,
    Nothing,
}

/// How to answer. The default is an honest answer to the request.
#[derive(Clone, Debug)]
pub struct Answer {
    pub signed: Signed,
    /// Sign with a key of the attacker's own (its certificate in KeyInfo).
    pub foreign_key: bool,
    /// `InResponseTo`: `Some(None)` leaves it out (unsolicited).
    pub in_response_to: Option<Option<String>>,
    pub audience: Option<String>,
    /// Seconds from now of `NotOnOrAfter` (default 300) and of `IssueInstant` (default 0).
    pub not_on_or_after: i64,
    pub issued: i64,
    pub issuer: Option<String>,
    /// A forged, unsigned assertion for this address placed before the signed one.
    pub wrap_with: Option<String>,
    /// After signing, change the signed email address (the digest no longer matches).
    pub tamper_with: Option<String>,
    /// Put a DTD at the top.
    pub dtd: bool,
    /// Encrypt the assertion to this SP certificate (RSA-OAEP, AES-128-CBC).
    pub encrypt_to: Option<X509>,
    /// A fixed assertion ID (for replays).
    pub assertion_id: Option<String>,
    /// The `AuthnContextClassRef` (default: password over TLS).
    pub authn_context: Option<String>,
    /// A failure status (`urn:oasis:names:tc:SAML:2.0:status:Responder`): no assertion then.
    pub status: Option<String>,
}

impl Default for Answer {
    fn default() -> Self {
        Self {
            signed: Signed::Response,
            foreign_key: false,
            in_response_to: None,
            audience: None,
            not_on_or_after: 300,
            issued: 0,
            issuer: None,
            wrap_with: None,
            tamper_with: None,
            dtd: false,
            encrypt_to: None,
            assertion_id: None,
            authn_context: None,
            status: None,
        }
    }
}

struct State {
    url: String,
    key: PKey<Private>,
    cert: X509,
    /// Published in the metadata besides `cert` (a key rotation).
    also_published: Vec<X509>,
    user: SamlUser,
    metadata_requests: usize,
}

#[derive(Clone)]
pub struct SamlIdp {
    pub url: String,
    state: Arc<Mutex<State>>,
}

/// A 2048-bit RSA key and a self-signed certificate for it.
pub fn key_pair(common_name: &str) -> (PKey<Private>, X509) {
    let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
    let key = PKey::from_rsa(rsa).unwrap();
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", common_name).unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    let serial = openssl::bn::BigNum::from_u32(rand::random::<u32>() >> 1)
        .unwrap()
        .to_asn1_integer()
        .unwrap();
    b.set_serial_number(&serial).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    b.sign(&key, openssl::hash::MessageDigest::sha256())
        .unwrap();
    (key, b.build())
}

fn cert_b64(cert: &X509) -> String {
    B64.encode(cert.to_der().unwrap())
}

pub fn pem(cert: &X509) -> String {
    String::from_utf8(cert.to_pem().unwrap()).unwrap()
}

pub fn key_pem(key: &PKey<Private>) -> String {
    String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap()
}

fn id() -> String {
    format!("_{}", crate::helpers::random_suffix())
}

fn instant(offset_secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(offset_secs))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn escape(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn signature_template(reference: &str, cert: &X509) -> String {
    format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{reference}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"##,
        cert_b64(cert)
    )
}

fn sign(xml: &str, key: &PKey<Private>) -> String {
    let der = key.rsa().unwrap().private_key_to_der().unwrap();
    let signed = Crypto::sign_xml(xml, &der).unwrap();
    // Drop the XML declaration libxml adds, so the result can be embedded.
    match signed.strip_prefix("<?xml version=\"1.0\"?>") {
        Some(rest) => rest.trim_start().to_owned(),
        None => signed,
    }
}

/// RSA-OAEP key transport and AES-128-CBC content encryption (XML Encryption 1.0 §5).
fn encrypt(assertion: &str, to: &X509) -> String {
    let aes_key: [u8; 16] = rand::random();
    let iv: [u8; 16] = rand::random();
    let mut ciphertext = iv.to_vec();
    ciphertext.extend(
        openssl::symm::encrypt(
            openssl::symm::Cipher::aes_128_cbc(),
            &aes_key,
            Some(&iv),
            assertion.as_bytes(),
        )
        .unwrap(),
    );
    let rsa = to.public_key().unwrap().rsa().unwrap();
    let mut wrapped = vec![0u8; rsa.size() as usize];
    let n = rsa
        .public_encrypt(&aes_key, &mut wrapped, openssl::rsa::Padding::PKCS1_OAEP)
        .unwrap();
    wrapped.truncate(n);
    format!(
        r#"<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>"#,
        B64.encode(wrapped),
        B64.encode(ciphertext)
    )
}

impl SamlIdp {
    pub async fn start(user: SamlUser) -> Self {
        Self::start_on(user, "127.0.0.1").await
    }

    /// Listening on 127.0.0.1, named `host` in its URLs (`localhost` puts its pages on
    /// another site than Portcullis's, as a real IdP's are).
    pub async fn start_on(user: SamlUser, host: &str) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{host}:{}", listener.local_addr().unwrap().port());
        let (key, cert) = key_pair("idp.acme.test");
        let state = Arc::new(Mutex::new(State {
            url: url.clone(),
            key,
            cert,
            also_published: Vec::new(),
            user,
            metadata_requests: 0,
        }));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/metadata", web::get().to(metadata))
                .route("/sso", web::get().to(sso))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, state }
    }

    pub fn entity_id(&self) -> String {
        format!("{}/entity", self.url)
    }

    pub fn sso_url(&self) -> String {
        format!("{}/sso", self.url)
    }

    pub fn metadata_url(&self) -> String {
        format!("{}/metadata", self.url)
    }

    pub fn metadata(&self) -> String {
        metadata_xml(&self.state.lock().unwrap())
    }

    pub fn certificate_pem(&self) -> String {
        pem(&self.state.lock().unwrap().cert)
    }

    pub fn set_user(&self, user: SamlUser) {
        self.state.lock().unwrap().user = user;
    }

    pub fn metadata_requests(&self) -> usize {
        self.state.lock().unwrap().metadata_requests
    }

    /// Starts signing with a new key, published alongside the old one.
    pub fn rotate_key(&self) {
        let mut s = self.state.lock().unwrap();
        let (key, cert) = key_pair("idp2.acme.test");
        let old = std::mem::replace(&mut s.cert, cert);
        s.also_published.push(old);
        s.key = key;
    }

    /// Reads an HTTP-Redirect `AuthnRequest` URL as the IdP would.
    pub fn read_request(url: &str) -> Request {
        let url = url::Url::parse(url).unwrap();
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        let deflated = B64.decode(&q["SAMLRequest"]).unwrap();
        let mut xml = String::new();
        flate2::read::DeflateDecoder::new(&deflated[..])
            .read_to_string(&mut xml)
            .unwrap();
        let request: samael::schema::AuthnRequest = xml.parse().unwrap();
        Request {
            id: request.id.clone(),
            acs_url: request.assertion_consumer_service_url.clone().unwrap(),
            issuer: request.issuer.and_then(|i| i.value).unwrap(),
            relay_state: q.get("RelayState").cloned().unwrap_or_default(),
            xml,
        }
    }

    /// A `SAMLResponse` (base64) for `req`, shaped by `answer`, for the current user.
    pub fn response(&self, req: &Request, answer: &Answer) -> String {
        let s = self.state.lock().unwrap();
        B64.encode(response_xml(&s, req, answer))
    }

    /// An unsolicited response for an SP (IdP-initiated sign-in).
    pub fn unsolicited(&self, acs_url: &str, sp_entity_id: &str, answer: &Answer) -> String {
        let req = Request {
            id: String::new(),
            acs_url: acs_url.into(),
            issuer: sp_entity_id.into(),
            relay_state: String::new(),
            xml: String::new(),
        };
        let answer = Answer {
            in_response_to: Some(None),
            ..answer.clone()
        };
        self.response(&req, &answer)
    }
}

fn metadata_xml(s: &State) -> String {
    let keys: String = std::iter::once(&s.cert)
        .chain(&s.also_published)
        .map(|c| {
            format!(
                r#"<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#,
                cert_b64(c)
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{url}/entity"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{url}/sso"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{url}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#,
        url = s.url
    )
}

/// The `InResponseTo` attribute the answer carries, and its `Issuer`.
fn in_response_to_and_issuer(s: &State, req: &Request, a: &Answer) -> (String, String) {
    let in_response_to = match &a.in_response_to {
        Some(Some(v)) => format!(r#" InResponseTo="{}""#, escape(v)),
        Some(None) => String::new(),
        None => format!(r#" InResponseTo="{}""#, escape(&req.id)),
    };
    let issuer = a
        .issuer
        .clone()
        .unwrap_or_else(|| format!("{}/entity", s.url));
    (in_response_to, issuer)
}

fn assertion_xml(s: &State, req: &Request, a: &Answer, id: &str, email: Option<&str>) -> String {
    let (in_response_to, issuer) = in_response_to_and_issuer(s, req, a);
    let audience = a.audience.clone().unwrap_or_else(|| req.issuer.clone());
    let u = &s.user;
    let attribute = |name: &str, v: &Option<String>| match v {
        Some(v) => format!(
            r#"<saml:Attribute Name="{name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue>{}</saml:AttributeValue></saml:Attribute>"#,
            escape(v)
        ),
        None => String::new(),
    };
    let email = email.map(str::to_owned).or_else(|| u.email.clone());
    format!(
        r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{issuer}</saml:Issuer><saml:Subject><saml:NameID Format="{format}">{name_id}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData{in_response_to} NotOnOrAfter="{until}" Recipient="{acs}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{before}" NotOnOrAfter="{until}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{id}"><saml:AuthnContext><saml:AuthnContextClassRef>{context}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{email}{first}{last}</saml:AttributeStatement></saml:Assertion>"#,
        issued = instant(a.issued),
        before = instant(a.issued - 5),
        until = instant(a.not_on_or_after),
        issuer = escape(&issuer),
        format = escape(&u.name_id_format),
        name_id = escape(&u.name_id),
        acs = escape(&req.acs_url),
        audience = escape(&audience),
        context = escape(
            a.authn_context
                .as_deref()
                .unwrap_or("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
        ),
        email = attribute("email", &email),
        first = attribute("firstName", &u.first_name),
        last = attribute("lastName", &u.last_name),
    )
}

fn response_xml(s: &State, req: &Request, a: &Answer) -> String {
    let (foreign_key, foreign_cert);
    let (key, cert) = if a.foreign_key {
        (foreign_key, foreign_cert) = key_pair("attacker.test");
        (&foreign_key, &foreign_cert)
    } else {
        (&s.key, &s.cert)
    };
    let assertion_id = a.assertion_id.clone().unwrap_or_else(id);
    let mut assertion = assertion_xml(s, req, a, &assertion_id, None);
    if matches!(a.signed, Signed::Assertion | Signed::Both) {
        let template = signature_template(&assertion_id, cert);
        // The signature goes right after the assertion's Issuer (SAML Core §2.3.3).
        assertion = assertion.replacen("</saml:Issuer>", &format!("</saml:Issuer>{template}"), 1);
        assertion = sign(&assertion, key);
    }
    if let Some(to) = &a.encrypt_to {
        assertion = encrypt(&assertion, to);
    }
    if let Some(forged) = &a.wrap_with {
        let evil = assertion_xml(s, req, a, &id(), Some(forged));
        assertion = format!("{evil}{assertion}");
    }
    let response_id = id();
    let (in_response_to, issuer) = in_response_to_and_issuer(s, req, a);
    let signature = if matches!(a.signed, Signed::Response | Signed::Both) {
        signature_template(&response_id, cert)
    } else {
        String::new()
    };
    let mut xml = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{response_id}" Version="2.0" IssueInstant="{issued}" Destination="{acs}"{in_response_to}><saml:Issuer>{issuer}</saml:Issuer>{signature}<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status>{assertion}</samlp:Response>"#,
        issued = instant(a.issued),
        acs = escape(&req.acs_url),
        issuer = escape(&issuer),
        status = escape(
            a.status
                .as_deref()
                .unwrap_or("urn:oasis:names:tc:SAML:2.0:status:Success")
        ),
        assertion = if a.status.is_some() {
            String::new()
        } else {
            assertion
        },
    );
    if matches!(a.signed, Signed::Response | Signed::Both) {
        xml = sign(&xml, key);
    }
    if let Some(to) = &a.tamper_with {
        let from = s.user.email.clone().unwrap_or_default();
        xml = xml.replace(&escape(&from), &escape(to));
    }
    if a.dtd {
        xml = format!(
            r#"<?xml version="1.0"?><!DOCTYPE samlp:Response [<!ENTITY who "eve@acme.test">]>{xml}"#
        );
    }
    xml
}

type Shared = web::Data<Arc<Mutex<State>>>;

async fn metadata(state: Shared) -> HttpResponse {
    let mut s = state.lock().unwrap();
    s.metadata_requests += 1;
    HttpResponse::Ok()
        .content_type("application/samlmetadata+xml")
        .body(metadata_xml(&s))
}

/// The user is signed in at the IdP already: the page posts the answer back at once.
async fn sso(state: Shared, req: actix_web::HttpRequest) -> HttpResponse {
    let url = format!("http://127.0.0.1{}", req.uri());
    let request = SamlIdp::read_request(&url);
    let s = state.lock().unwrap();
    let response = B64.encode(response_xml(&s, &request, &Answer::default()));
    HttpResponse::Ok().content_type("text/html").body(format!(
        r#"<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="{acs}"><input type="hidden" name="SAMLResponse" value="{response}"><input type="hidden" name="RelayState" value="{relay}"><noscript><button>Continue</button></noscript></form></body></html>"#,
        acs = escape(&request.acs_url),
        relay = escape(&request.relay_state),
    ))
}
