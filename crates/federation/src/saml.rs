//! Enterprise connections over SAML 2.0, with Portcullis as the service provider (SP).
//!
//! The browser goes to the identity provider (IdP) with an `AuthnRequest` on the HTTP-Redirect
//! binding (SAML Bindings §3.4) and comes back with a `Response` on HTTP-POST (§3.5). What is
//! checked, and by whom:
//! - XML signatures are verified by xmlsec1 (through `samael`), against the IdP's certificates
//!   only, with SHA-2 algorithms only. `samael` then keeps just the signed elements of the
//!   document and parses those, so an element wrapped around or beside the signed one is never
//!   read (signature wrapping).
//! - `samael` checks `Destination`, `Recipient`, `Issuer`, `InResponseTo`, the bearer
//!   confirmation, `NotBefore` / `NotOnOrAfter` and `IssueInstant` with a small skew, and
//!   decrypts an `EncryptedAssertion` with the SP key.
//! - This module adds what it leaves out: the assertion must name this SP as its audience
//!   (SAML Profiles §4.1.4.2), a response without `InResponseTo` is taken only where
//!   unsolicited responses are allowed, documents with a DTD are refused before any parser sees
//!   them, and sizes are bounded.
//! - The flows layer makes each request ID and each assertion ID single use.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use openssl::pkey::{PKey, Private};
use samael::crypto::{AllowedSignatureAlgorithm, CertificateDer, ReduceMode};
use samael::key_info::{KeyInfo, X509Data};
use samael::metadata::{
    EncryptionMethod, EntityDescriptor, HTTP_POST_BINDING, HTTP_REDIRECT_BINDING, IdpSsoDescriptor,
    IndexedEndpoint, KeyDescriptor, SpSsoDescriptor,
};
use samael::schema::{Assertion, AuthnRequest, Issuer, NameIdPolicy};
use samael::service_provider::ServiceProvider;
use samael::traits::ToXml;
use secrecy::ExposeSecret;

use crate::config::{AttributeMapping, EnterpriseConnectionSettings};
use crate::{FederationError, Identity};

/// The largest `SAMLResponse` taken (base64), and the largest metadata document.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
const MAX_METADATA_BYTES: usize = 1024 * 1024;
/// How far the IdP's clock may be from ours.
const CLOCK_SKEW_SECS: i64 = 60;
/// How long after it was issued an assertion is taken.
const MAX_ISSUE_DELAY_SECS: i64 = 120;
/// A signature by a key the metadata did not list fetches the metadata again, at most this
/// often (the IdP may have rotated its key).
const REFETCH_AFTER_FAILURE: Duration = Duration::from_secs(60);

const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
const NAMEID_TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

/// Attribute names the common identity providers (Entra ID / ADFS claims, Okta, Google,
/// OneLogin, JumpCloud, LDAP OIDs) use, tried when `attribute_mapping` names none.
const EMAIL_NAMES: &[&str] = &[
    "email",
    "emailaddress",
    "email_address",
    "mail",
    "user.email",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
];
const FIRST_NAME_NAMES: &[&str] = &[
    "first_name",
    "firstname",
    "givenname",
    "given_name",
    "user.firstname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "urn:oid:2.5.4.42",
];
const LAST_NAME_NAMES: &[&str] = &[
    "last_name",
    "lastname",
    "surname",
    "sn",
    "family_name",
    "user.lastname",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "urn:oid:2.5.4.4",
];

/// Authentication contexts that mean more than one factor, believed unless the connection
/// names its own (`mfa_authn_contexts`).
const MFA_CONTEXTS: &[&str] = &[
    "https://refeds.org/profile/mfa",
    "http://schemas.microsoft.com/claims/multipleauthn",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
];
/// Entra ID names the methods used in this attribute.
const AUTHN_METHODS_ATTRIBUTE: &str = "http://schemas.microsoft.com/claims/authnmethodsreferences";

/// The identity provider, as its metadata (or the configuration) describes it.
#[derive(Debug, Clone)]
pub struct IdpDescriptor {
    pub entity_id: String,
    /// Where `AuthnRequest`s go (HTTP-Redirect binding).
    pub sso_url: String,
    /// Signing certificates, several during a key rotation.
    pub certificates: Vec<CertificateDer>,
}

/// What a verified response says.
#[derive(Debug, Clone)]
pub struct Verified {
    pub identity: Identity,
    /// The assertion's ID: taken once.
    pub assertion_id: String,
    /// Until when the assertion could be presented (its latest `NotOnOrAfter`, plus skew);
    /// its ID must be remembered that long. Unix milliseconds.
    pub replayable_until: i64,
}

/// Which request a response must answer.
#[derive(Debug, Clone, Copy)]
pub enum Expect<'a> {
    /// The `AuthnRequest` with this ID, sent by the browser that posts the answer.
    Request(&'a str),
    /// Nothing: an unsolicited (IdP-initiated) response, where the connection allows them.
    Unsolicited,
}

/// One SAML connection.
pub struct Connection {
    /// The connection's stable id (`acme-saml`).
    pub id: String,
    /// This SP's entity ID, which is also where its metadata is served.
    pub entity_id: String,
    /// The assertion consumer service (HTTP-POST).
    pub acs_url: String,
    pub allow_idp_initiated: bool,
    mapping: AttributeMapping,
    mfa_contexts: Vec<String>,
    sign_requests: bool,
    sp_key: Option<PKey<Private>>,
    sp_certificate: Option<CertificateDer>,
    idp_metadata_url: Option<String>,
    refresh: Duration,
    idp: RwLock<Option<(Arc<IdpDescriptor>, Instant)>>,
}

/// The SP entity ID (and metadata URL) of connection `id`.
pub fn metadata_url(public_url: &str, id: &str) -> String {
    format!("{}/saml/{id}/metadata", public_url.trim_end_matches('/'))
}

/// The assertion consumer service of connection `id`.
pub fn acs_url(public_url: &str, id: &str) -> String {
    format!("{}/saml/{id}/acs", public_url.trim_end_matches('/'))
}

fn invalid(e: impl std::fmt::Display) -> FederationError {
    FederationError::Invalid(e.to_string())
}

/// A document type declaration lets a document define entities, the door to entity expansion
/// and external entities (XXE). No SAML message or metadata needs one, so none is parsed.
fn refuse_dtd(xml: &str) -> Result<(), String> {
    let upper = xml.to_ascii_uppercase();
    if upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY") {
        return Err("documents with a DTD are refused".into());
    }
    Ok(())
}

fn pem_certificate(pem: &str) -> Result<CertificateDer, String> {
    let x509 = openssl::x509::X509::from_pem(pem.trim().as_bytes())
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    x509.to_der()
        .map(CertificateDer::from)
        .map_err(|e| e.to_string())
}

/// The identity provider's `EntityDescriptor`: the document itself, or the one identity
/// provider of an `EntitiesDescriptor` (an aggregate, as federations and some IdPs publish).
fn idp_entity(xml: &str) -> Result<EntityDescriptor, String> {
    let root = xml
        .trim_start_matches(|c: char| c != '<')
        .split("?>")
        .last()
        .unwrap_or_default()
        .trim_start();
    let aggregate = root
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .is_some_and(|tag| tag.ends_with("EntitiesDescriptor"));
    if !aggregate {
        return xml
            .parse()
            .map_err(|e| format!("not SAML metadata (an EntityDescriptor): {e}"));
    }
    let all: samael::metadata::EntityDescriptorType = xml
        .parse()
        .map_err(|e| format!("not SAML metadata (an EntitiesDescriptor): {e}"))?;
    if let samael::metadata::EntityDescriptorType::EntitiesDescriptor(d) = &all
        && d.valid_until
            .is_some_and(|until| until < chrono::Utc::now())
    {
        return Err("the metadata expired (validUntil)".into());
    }
    let mut idps = all.iter().filter(|e| {
        e.idp_sso_descriptors
            .as_ref()
            .is_some_and(|d| !d.is_empty())
    });
    match (idps.next(), idps.next()) {
        (Some(one), None) => Ok(one.clone()),
        (None, _) => Err("the metadata describes no identity provider".into()),
        (Some(_), Some(_)) => Err(
            "the metadata describes several identity providers; give this connection its own \
             (idp_metadata, or idp_entity_id with idp_sso_url and idp_certificate)"
                .into(),
        ),
    }
}

/// The IdP half of a metadata document: entity ID, HTTP-Redirect sign-in URL, signing
/// certificates (those marked `signing`, or without a use).
pub fn parse_idp_metadata(xml: &str) -> Result<IdpDescriptor, String> {
    if xml.len() > MAX_METADATA_BYTES {
        return Err("the metadata is larger than 1 MiB".into());
    }
    refuse_dtd(xml)?;
    let entity = idp_entity(xml)?;
    // SAML Metadata §2.3.1: metadata past its validUntil must not be used.
    if let Some(until) = entity.valid_until
        && until < chrono::Utc::now()
    {
        return Err(format!("the metadata expired at {until} (validUntil)"));
    }
    let entity_id = entity
        .entity_id
        .clone()
        .filter(|e| !e.is_empty())
        .ok_or("the metadata names no entityID")?;
    let descriptors = entity.idp_sso_descriptors.unwrap_or_default();
    let sso_url = descriptors
        .iter()
        .flat_map(|d| &d.single_sign_on_services)
        .find(|s| s.binding == HTTP_REDIRECT_BINDING)
        .map(|s| s.location.clone())
        .ok_or("the metadata has no SingleSignOnService with the HTTP-Redirect binding")?;
    url::Url::parse(&sso_url).map_err(|e| format!("SingleSignOnService: {e}"))?;
    let mut certificates = Vec::new();
    for d in &descriptors {
        for k in &d.key_descriptors {
            if matches!(k.key_use.as_deref(), None | Some("") | Some("signing")) {
                for c in k.key_info.x509_data.iter().flat_map(|x| &x.certificates) {
                    let der = samael::crypto::decode_x509_cert(c)
                        .map_err(|e| format!("X509Certificate: {e}"))?;
                    openssl::x509::X509::from_der(der.der_data())
                        .map_err(|e| format!("X509Certificate: {e}"))?;
                    certificates.push(der);
                }
            }
        }
    }
    if certificates.is_empty() {
        return Err("the metadata lists no signing certificate".into());
    }
    Ok(IdpDescriptor {
        entity_id,
        sso_url,
        certificates,
    })
}

impl Connection {
    /// Builds a connection from its settings; inline metadata and certificates are parsed
    /// here, metadata at a URL on the first use (or [`Connection::refresh`]).
    pub fn new(public_url: &str, c: &EnterpriseConnectionSettings) -> Result<Self, String> {
        let id = c.stable_id();
        let idp = if let Some(xml) = &c.idp_metadata {
            Some(parse_idp_metadata(xml).map_err(|e| format!("idp_metadata: {e}"))?)
        } else if c.idp_metadata_url.is_none() {
            let certificates = c
                .idp_certificate
                .as_ref()
                .map(|p| p.all())
                .unwrap_or_default()
                .into_iter()
                .map(pem_certificate)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("idp_certificate: {e}"))?;
            let (Some(entity_id), Some(sso_url)) = (&c.idp_entity_id, &c.idp_sso_url) else {
                return Err("idp_entity_id and idp_sso_url are required without metadata".into());
            };
            if certificates.is_empty() {
                return Err("idp_certificate is required without metadata".into());
            }
            Some(IdpDescriptor {
                entity_id: entity_id.clone(),
                sso_url: sso_url.clone(),
                certificates,
            })
        } else {
            None
        };
        let sp_key = c
            .sp_private_key
            .as_ref()
            .map(|k| {
                PKey::private_key_from_pem(k.expose_secret().trim().as_bytes())
                    .map_err(|e| format!("sp_private_key: not a PEM private key: {e}"))
            })
            .transpose()?;
        if sp_key.as_ref().is_some_and(|k| k.rsa().is_err()) {
            return Err("sp_private_key must be an RSA key".into());
        }
        let sp_certificate = c
            .sp_certificate
            .as_deref()
            .map(pem_certificate)
            .transpose()
            .map_err(|e| format!("sp_certificate: {e}"))?;
        Ok(Self {
            entity_id: metadata_url(public_url, &id),
            acs_url: acs_url(public_url, &id),
            id,
            allow_idp_initiated: c.allow_idp_initiated,
            mapping: c.attribute_mapping.clone(),
            mfa_contexts: c
                .mfa_authn_contexts
                .clone()
                .unwrap_or_else(|| MFA_CONTEXTS.iter().map(|s| s.to_string()).collect()),
            sign_requests: c.sign_authn_requests,
            sp_key,
            sp_certificate,
            idp_metadata_url: c.idp_metadata_url.clone(),
            refresh: Duration::from_secs(c.idp_metadata_refresh_secs.unwrap_or(86_400).max(60)),
            idp: RwLock::new(idp.map(|d| (Arc::new(d), Instant::now()))),
        })
    }

    /// What an operator sees of the connection (never the SP key).
    pub fn describe(&self) -> serde_json::Value {
        let idp = self.cached().map(|(d, _)| d);
        serde_json::json!({
            "sp_entity_id": self.entity_id,
            "sp_metadata_url": self.entity_id,
            "acs_url": self.acs_url,
            "idp_metadata_url": self.idp_metadata_url,
            "idp_entity_id": idp.as_ref().map(|d| d.entity_id.clone()),
            "idp_sso_url": idp.as_ref().map(|d| d.sso_url.clone()),
            "idp_certificates": idp.as_ref().map_or(0, |d| d.certificates.len()),
            "allow_idp_initiated": self.allow_idp_initiated,
            "sign_authn_requests": self.sign_requests,
            "mfa_authn_contexts": self.mfa_contexts,
            "sp_certificate": self.sp_certificate.is_some(),
        })
    }

    /// The IdP as last read, without fetching.
    pub fn current_idp(&self) -> Option<Arc<IdpDescriptor>> {
        self.cached().map(|(d, _)| d)
    }

    fn cached(&self) -> Option<(Arc<IdpDescriptor>, Instant)> {
        self.idp.read().ok().and_then(|g| g.clone())
    }

    /// Fetches the IdP metadata from `idp_metadata_url` (when configured) and keeps it.
    pub async fn refresh(&self, http: &reqwest::Client) -> Result<(), FederationError> {
        let Some(url) = &self.idp_metadata_url else {
            return Ok(());
        };
        let res = http
            .get(url)
            .send()
            .await
            .map_err(|e| FederationError::Unavailable(format!("IdP metadata: {e}")))?;
        if !res.status().is_success() {
            return Err(FederationError::Unavailable(format!(
                "IdP metadata: HTTP {}",
                res.status()
            )));
        }
        let mut res = res;
        let mut bytes = Vec::new();
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| FederationError::Unavailable(format!("IdP metadata: {e}")))?
        {
            if bytes.len() + chunk.len() > MAX_METADATA_BYTES {
                return Err(invalid("IdP metadata: larger than 1 MiB"));
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(bytes).map_err(|_| invalid("IdP metadata: not UTF-8"))?;
        let parsed =
            parse_idp_metadata(&body).map_err(|e| invalid(format!("IdP metadata: {e}")))?;
        if let Ok(mut g) = self.idp.write() {
            *g = Some((Arc::new(parsed), Instant::now()));
        }
        Ok(())
    }

    /// The IdP as last fetched; fetched again when older than the refresh interval (a failed
    /// refresh keeps the old metadata).
    pub async fn idp(&self, http: &reqwest::Client) -> Result<Arc<IdpDescriptor>, FederationError> {
        match self.cached() {
            Some((d, at)) if self.idp_metadata_url.is_none() || at.elapsed() < self.refresh => {
                return Ok(d);
            }
            _ => {}
        }
        match (self.refresh(http).await, self.cached()) {
            (Ok(()), Some((d, _))) => Ok(d),
            (Err(e), Some((d, _))) => {
                tracing::warn!(connection = %self.id, error = %e, "IdP metadata refresh failed; keeping the last copy");
                Ok(d)
            }
            (Err(e), None) => Err(e),
            (Ok(()), None) => Err(FederationError::Unavailable("IdP metadata missing".into())),
        }
    }

    /// Whether the metadata may be fetched again after a signature by an unknown key.
    pub fn may_refetch(&self) -> bool {
        self.idp_metadata_url.is_some()
            && self
                .cached()
                .is_none_or(|(_, at)| at.elapsed() >= REFETCH_AFTER_FAILURE)
    }

    /// The IdP sign-in URL carrying an `AuthnRequest` with ID `request_id` and `relay_state`
    /// (SAML Bindings §3.4.4: DEFLATE, base64, URL-encoded; signed over the query when the
    /// connection signs requests, §3.4.4.1).
    pub fn authn_request_url(
        &self,
        idp: &IdpDescriptor,
        request_id: &str,
        relay_state: &str,
    ) -> Result<String, FederationError> {
        let request = AuthnRequest {
            id: request_id.to_owned(),
            version: "2.0".into(),
            issue_instant: chrono::Utc::now(),
            destination: Some(idp.sso_url.clone()),
            assertion_consumer_service_url: Some(self.acs_url.clone()),
            protocol_binding: Some(HTTP_POST_BINDING.into()),
            issuer: Some(Issuer {
                value: Some(self.entity_id.clone()),
                ..Issuer::default()
            }),
            name_id_policy: Some(NameIdPolicy {
                allow_create: Some(true),
                ..NameIdPolicy::default()
            }),
            ..AuthnRequest::default()
        };
        let xml = request.to_string().map_err(invalid)?;
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut deflate, xml.as_bytes()).map_err(invalid)?;
        let deflated = deflate.finish().map_err(invalid)?;
        let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let mut query = format!(
            "SAMLRequest={}&RelayState={}",
            enc(&B64.encode(deflated)),
            enc(relay_state)
        );
        if let (true, Some(key)) = (self.sign_requests, &self.sp_key) {
            query.push_str("&SigAlg=");
            query.push_str(&enc(AllowedSignatureAlgorithm::RsaSha256.signature_uri()));
            let mut signer =
                openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), key)
                    .map_err(invalid)?;
            signer.update(query.as_bytes()).map_err(invalid)?;
            let signature = signer.sign_to_vec().map_err(invalid)?;
            query.push_str("&Signature=");
            query.push_str(&enc(&B64.encode(signature)));
        }
        let sep = if idp.sso_url.contains('?') { '&' } else { '?' };
        Ok(format!("{}{sep}{query}", idp.sso_url))
    }

    /// Verifies a posted `SAMLResponse` (base64) against `idp` and reads who it names. Blocking
    /// (xmlsec): run it off the async workers.
    pub fn verify(
        &self,
        idp: &IdpDescriptor,
        provider_key: &str,
        saml_response: &str,
        expect: Expect<'_>,
    ) -> Result<Verified, FederationError> {
        if saml_response.len() > MAX_RESPONSE_BYTES {
            return Err(invalid("the SAMLResponse is too large"));
        }
        let compact: String = saml_response
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = B64
            .decode(compact)
            .map_err(|_| invalid("the SAMLResponse is not base64"))?;
        let xml = String::from_utf8(bytes).map_err(|_| invalid("the SAMLResponse is not UTF-8"))?;
        refuse_dtd(&xml).map_err(invalid)?;
        let sp = self.service_provider(idp, matches!(expect, Expect::Unsolicited))?;
        let ids: Vec<&str> = match expect {
            Expect::Request(id) => vec![id],
            Expect::Unsolicited => Vec::new(),
        };
        let assertion = sp
            .parse_xml_response_with_mode(&xml, Some(&ids), ReduceMode::ValidateAndMarkNoAncestors)
            .map_err(|e| match e {
                // Only a signed Response gets this far: the IdP really said no.
                samael::service_provider::Error::ResponseBadStatusCode { code } => {
                    FederationError::Denied(code)
                }
                other => invalid(format!("{other}")),
            })?;
        if matches!(expect, Expect::Unsolicited) {
            // An unsolicited response answers no request. One that names a request answers
            // somebody's sign-in, and belongs to the browser that started it.
            let answers_a_request = assertion
                .subject
                .iter()
                .flat_map(|s| s.subject_confirmations.iter().flatten())
                .filter_map(|c| c.subject_confirmation_data.as_ref())
                .any(|d| d.in_response_to.is_some());
            if answers_a_request {
                return Err(invalid(
                    "the response answers a request this browser did not start",
                ));
            }
        }
        self.check_audience(&assertion)?;
        let replayable_until = replayable_until(&assertion);
        let identity = self.identity(provider_key, &assertion)?;
        Ok(Verified {
            identity,
            assertion_id: assertion.id.clone(),
            replayable_until,
        })
    }

    fn service_provider(
        &self,
        idp: &IdpDescriptor,
        unsolicited: bool,
    ) -> Result<ServiceProvider, FederationError> {
        let key_descriptors = idp
            .certificates
            .iter()
            .map(|c| KeyDescriptor {
                key_use: Some("signing".into()),
                key_info: KeyInfo {
                    id: None,
                    x509_data: Some(X509Data {
                        certificates: vec![B64.encode(c.der_data())],
                    }),
                },
                encryption_methods: None,
            })
            .collect();
        let idp_metadata = EntityDescriptor {
            entity_id: Some(idp.entity_id.clone()),
            idp_sso_descriptors: Some(vec![IdpSsoDescriptor {
                id: None,
                valid_until: None,
                cache_duration: None,
                protocol_support_enumeration: None,
                error_url: None,
                signature: None,
                key_descriptors,
                organization: None,
                contact_people: Vec::new(),
                artifact_resolution_service: Vec::new(),
                single_logout_services: Vec::new(),
                manage_name_id_services: Vec::new(),
                name_id_formats: Vec::new(),
                want_authn_requests_signed: None,
                single_sign_on_services: Vec::new(),
                name_id_mapping_services: Vec::new(),
                assertion_id_request_services: Vec::new(),
                attribute_profiles: Vec::new(),
                attributes: Vec::new(),
            }]),
            ..EntityDescriptor::default()
        };
        Ok(ServiceProvider {
            entity_id: Some(self.entity_id.clone()),
            key: self.sp_key.clone(),
            certificate: self.sp_certificate.clone(),
            metadata_url: Some(self.entity_id.clone()),
            acs_url: Some(self.acs_url.clone()),
            slo_url: None,
            idp_metadata,
            allow_idp_initiated: unsolicited && self.allow_idp_initiated,
            max_issue_delay: chrono::Duration::seconds(MAX_ISSUE_DELAY_SECS),
            max_clock_skew: chrono::Duration::seconds(CLOCK_SKEW_SECS),
            // No SHA-1 (RFC 6194), no DSA.
            allowed_signature_algorithms: Some(vec![
                AllowedSignatureAlgorithm::RsaSha256,
                AllowedSignatureAlgorithm::RsaSha384,
                AllowedSignatureAlgorithm::RsaSha512,
                AllowedSignatureAlgorithm::EcdsaSha256,
                AllowedSignatureAlgorithm::EcdsaSha384,
                AllowedSignatureAlgorithm::EcdsaSha512,
            ]),
            ..ServiceProvider::default()
        })
    }

    /// SAML Profiles §4.1.4.2: the bearer assertion MUST carry an `AudienceRestriction` naming
    /// this SP. `samael` checks one when present; this makes it required.
    fn check_audience(&self, a: &Assertion) -> Result<(), FederationError> {
        let restrictions = a
            .conditions
            .as_ref()
            .and_then(|c| c.audience_restrictions.as_ref())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| invalid("the assertion names no audience"))?;
        // Every restriction must be met (SAML Core §2.5.1.4).
        if restrictions
            .iter()
            .all(|r| r.audience.iter().any(|aud| aud == &self.entity_id))
        {
            Ok(())
        } else {
            Err(invalid("the assertion is meant for another audience"))
        }
    }

    fn identity(&self, provider_key: &str, a: &Assertion) -> Result<Identity, FederationError> {
        let attribute = |configured: &Option<String>, defaults: &[&str]| -> Option<String> {
            let names: Vec<String> = match configured {
                Some(n) => vec![n.to_lowercase()],
                None => defaults.iter().map(|n| n.to_string()).collect(),
            };
            a.attribute_statements
                .iter()
                .flatten()
                .flat_map(|s| &s.attributes)
                .find(|attr| {
                    [&attr.name, &attr.friendly_name]
                        .into_iter()
                        .flatten()
                        .any(|n| names.contains(&n.to_lowercase()))
                })
                .and_then(|attr| attr.values.iter().find_map(|v| v.value.clone()))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let name_id = a
            .subject
            .as_ref()
            .and_then(|s| s.name_id.as_ref())
            .filter(|n| !n.value.trim().is_empty());
        let email = attribute(&self.mapping.email, EMAIL_NAMES).or_else(|| {
            name_id
                .filter(|n| {
                    matches!(
                        n.format.as_deref(),
                        None | Some(NAMEID_EMAIL) | Some(NAMEID_UNSPECIFIED)
                    )
                })
                .map(|n| n.value.trim().to_owned())
        });
        let email = email
            .and_then(|e| crate::domain::EmailAddress::parse(&e).ok())
            .map(|e| e.as_ref().to_owned())
            .ok_or_else(|| invalid("the assertion carries no email address"))?;
        // A transient NameID changes at every sign-in: the address stands for the user then.
        let subject = match name_id {
            Some(n) if n.format.as_deref() != Some(NAMEID_TRANSIENT) => n.value.trim().to_owned(),
            _ => email.to_lowercase(),
        };
        if subject.len() > 256 {
            return Err(invalid("the NameID is longer than 256 characters"));
        }
        Ok(Identity {
            provider: provider_key.to_owned(),
            subject,
            // The flows check that the address is in one of the connection's domains; the
            // company's IdP vouches for those.
            email_verified: true,
            email: Some(email),
            first_name: attribute(&self.mapping.first_name, FIRST_NAME_NAMES),
            last_name: attribute(&self.mapping.last_name, LAST_NAME_NAMES),
            username: None,
            image_url: None,
            mfa: self.asserts_mfa(a),
        })
    }

    /// Whether the assertion says more than one factor was used: an `AuthnContextClassRef`,
    /// or a value of Entra's methods attribute, that the connection counts as MFA.
    fn asserts_mfa(&self, a: &Assertion) -> bool {
        let classes = a
            .authn_statements
            .iter()
            .flatten()
            .filter_map(|s| s.authn_context.as_ref())
            .filter_map(|c| c.value.as_ref())
            .filter_map(|r| r.value.clone());
        let methods = a
            .attribute_statements
            .iter()
            .flatten()
            .flat_map(|s| &s.attributes)
            .filter(|attr| attr.name.as_deref() == Some(AUTHN_METHODS_ATTRIBUTE))
            .flat_map(|attr| attr.values.iter().filter_map(|v| v.value.clone()));
        classes
            .chain(methods)
            .any(|v| self.mfa_contexts.iter().any(|m| m == v.trim()))
    }

    /// This SP's metadata: entity ID, the HTTP-POST assertion consumer service, and the SP
    /// certificate (for signing and encryption) when one is configured.
    pub fn sp_metadata(&self) -> Result<String, FederationError> {
        let key_info = |c: &CertificateDer| KeyInfo {
            id: None,
            x509_data: Some(X509Data {
                certificates: vec![B64.encode(c.der_data())],
            }),
        };
        let mut keys = Vec::new();
        if let Some(c) = &self.sp_certificate {
            keys.push(KeyDescriptor {
                key_use: Some("signing".into()),
                key_info: key_info(c),
                encryption_methods: None,
            });
            keys.push(KeyDescriptor {
                key_use: Some("encryption".into()),
                key_info: key_info(c),
                encryption_methods: Some(
                    [
                        "http://www.w3.org/2009/xmlenc11#aes128-gcm",
                        "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
                        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
                    ]
                    .into_iter()
                    .map(|a| EncryptionMethod {
                        algorithm: a.into(),
                    })
                    .collect(),
                ),
            });
        }
        let descriptor = SpSsoDescriptor {
            protocol_support_enumeration: Some("urn:oasis:names:tc:SAML:2.0:protocol".into()),
            key_descriptors: Some(keys),
            authn_requests_signed: Some(self.sign_requests),
            want_assertions_signed: Some(true),
            name_id_formats: Some(vec![NAMEID_EMAIL.into()]),
            assertion_consumer_services: vec![IndexedEndpoint {
                binding: HTTP_POST_BINDING.into(),
                location: self.acs_url.clone(),
                response_location: None,
                index: 0,
                is_default: Some(true),
            }],
            ..SpSsoDescriptor::default()
        };
        let entity = EntityDescriptor {
            entity_id: Some(self.entity_id.clone()),
            sp_sso_descriptors: Some(vec![descriptor]),
            ..EntityDescriptor::default()
        };
        entity.to_string().map_err(invalid)
    }
}

/// The latest moment an assertion could still be accepted: the latest of its conditions' and
/// bearer confirmations' `NotOnOrAfter`, and `IssueInstant` plus the issue delay, plus skew.
fn replayable_until(a: &Assertion) -> i64 {
    let mut until = a.issue_instant + chrono::Duration::seconds(MAX_ISSUE_DELAY_SECS);
    let confirmations = a
        .subject
        .iter()
        .flat_map(|s| s.subject_confirmations.iter().flatten())
        .filter_map(|c| c.subject_confirmation_data.as_ref())
        .filter_map(|d| d.not_on_or_after);
    for t in a
        .conditions
        .iter()
        .filter_map(|c| c.not_on_or_after)
        .chain(confirmations)
    {
        until = until.max(t);
    }
    (until + chrono::Duration::seconds(CLOCK_SKEW_SECS)).timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_with_a_dtd_are_refused() {
        assert!(refuse_dtd("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x/>").is_err());
        assert!(refuse_dtd("<!doctype x><x/>").is_err());
        assert!(refuse_dtd("<samlp:Response/>").is_ok());
    }

    #[test]
    fn metadata_needs_an_entity_id_a_redirect_endpoint_and_a_certificate() {
        let no_cert = r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>
  </IDPSSODescriptor>
</EntityDescriptor>"#;
        let e = parse_idp_metadata(no_cert).err().unwrap_or_default();
        assert!(e.contains("no signing certificate"), "{e}");
        let no_redirect = no_cert.replace("HTTP-Redirect", "HTTP-POST");
        let e = parse_idp_metadata(&no_redirect).err().unwrap_or_default();
        assert!(e.contains("HTTP-Redirect"), "{e}");
        assert!(parse_idp_metadata("<nope/>").is_err());
    }

    /// A self-signed certificate (its key was not kept).
    const TEST_CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIDGTCCAgGgAwIBAgIUTMl8sr3Xg4Zbg5wvJPAIR+VfYxMwDQYJKoZIhvcNAQEL\nBQAwGzEZMBcGA1UEAwwQZnV6ei5pZHAuZXhhbXBsZTAgFw0yNjEyMDMxNzU2NDla\nGA8yMTI2MTEwOTE3NTY0OVowGzEZMBcGA1UEAwwQZnV6ei5pZHAuZXhhbXBsZTCC\nASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAM2nG+GGV/8kRs8R2ksAgDHX\naV/Gtjk7MXWWDTPJKduKYX+1ARsbJaWxvHXtqcDPlxN6XigUdUmQfVnNgtjopVnN\nXA9Eb2u4JqWkS6sbJNv0cBd5lPZcIGDq1Sb9T0j5Y7ftl0lsNQ/nYT68P5XTJ/ck\nAZGUB/nobsAc+fQrGVtYz/oZR/eRxn8wLA5YGX5Ph15oHqoYfQw6yg2l4pBGrQ8K\nEsSIbOimc7rfqUDJJ6jyui+zS7nnUQHqZe8tfxxOQkLerRPfU520mN/3/oE3lNr6\nNJ1DCRZy/QVrN+uOyExyXPyuEgF8Dat1/2bB/8J++zRpq1KazeJY1k8j2nReb9cC\nAwEAAaNTMFEwHQYDVR0OBBYEFGUs89EpX/g1GYWIuyZV5JW2hKWnMB8GA1UdIwQY\nMBaAFGUs89EpX/g1GYWIuyZV5JW2hKWnMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI\nhvcNAQELBQADggEBADCnbeNiNE+0KXxxkcsgIJJfn3K51U2szmYxbo2Wc5WSqVTs\nClL6VANC8/RCGyVms4c4MY+ejgxVuTyA48QltJ3f/6tz/L0XXjfriVvCo400lhdI\nbC4qdFdoMzplQOI3WtJd6NbmnOqyZf+Fv/lYO9JKlYM8qoZt/t7ybE98bHf1VyL4\nh8SkKOKlC0n146KS+BU770DFzPRCeUKL0yMr46gpovdzl8LuQ8JQPeVYHDWYE0jV\nmagurxQ5WgYXa2RdV5VW3eNqLnYrX6HvrrDVGaUXk9Es9GqIGeiy3iC8ix16KWoE\ndf1u5CNxFsSpyjrrAkMsHC4zDAKty/r8STtZ7vo=\n-----END CERTIFICATE-----";

    fn idp(entity_id: &str, valid_until: &str) -> String {
        let cert = B64.encode(
            openssl::x509::X509::from_pem(TEST_CERT.as_bytes())
                .and_then(|c| c.to_der())
                .unwrap_or_default(),
        );
        format!(
            r#"<md:EntityDescriptor entityID="{entity_id}"{valid_until}><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
        )
    }

    #[test]
    fn aggregates_with_one_idp_are_read_and_expired_metadata_is_refused() {
        let ns = r#"xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata""#;
        let one = idp("https://idp.example/", "").replacen(
            "<md:EntityDescriptor ",
            &format!("<md:EntityDescriptor {ns} "),
            1,
        );
        let parsed = parse_idp_metadata(&one).map_err(|e| e.to_string());
        assert_eq!(
            parsed.map(|d| d.entity_id),
            Ok("https://idp.example/".into())
        );
        let sp = r#"<md:EntityDescriptor entityID="https://sp.example/"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>"#;
        let aggregate = |inner: String| {
            format!(
                r#"<?xml version="1.0"?><md:EntitiesDescriptor {ns}>{inner}</md:EntitiesDescriptor>"#
            )
        };
        let parsed = parse_idp_metadata(&aggregate(format!(
            "{sp}{}",
            idp("https://idp.example/", "")
        )))
        .map(|d| d.sso_url);
        assert_eq!(parsed, Ok("https://idp.example/sso".into()));
        let two = aggregate(format!(
            "{}{}",
            idp("https://a.example/", ""),
            idp("https://b.example/", "")
        ));
        let e = parse_idp_metadata(&two).err().unwrap_or_default();
        assert!(e.contains("several"), "{e}");
        let expired = idp(
            "https://idp.example/",
            r#" validUntil="2001-01-01T00:00:00Z""#,
        )
        .replacen(
            "<md:EntityDescriptor ",
            &format!("<md:EntityDescriptor {ns} "),
            1,
        );
        let e = parse_idp_metadata(&expired).err().unwrap_or_default();
        assert!(e.contains("expired"), "{e}");
    }
}
