//! The checks of an authorization request whose client and redirect URI are already trusted,
//! in the order they run. Each is a small pure function that either refuses the request with
//! the error the client receives at its redirect URI (RFC 6749 §4.1.2.1) or records what it
//! parsed. The first refusal wins, so the order is part of the contract: a request with two
//! faults always reports the same one.

use std::collections::HashMap;

use serde_json::Value;

use super::super::clients::OAuthClient;

/// The request's parameters, trimmed; an empty one counts as absent.
pub(super) struct Query<'a>(pub &'a HashMap<String, String>);

impl<'a> Query<'a> {
    pub fn get(&self, k: &str) -> Option<&'a str> {
        self.0.get(k).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// What the checks parsed, for the request that is kept while the user signs in.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Checked {
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub prompt: Vec<String>,
    pub max_age: Option<i64>,
    pub claims: Option<Value>,
    pub dpop_jkt: Option<String>,
    /// The authentication context classes the client will accept, most preferred first.
    pub acr_values: Vec<String>,
}

/// An OAuth error code and its description.
pub(super) type Refusal = (&'static str, String);

type Check = fn(&Query<'_>, &OAuthClient, &mut Checked) -> Result<(), Refusal>;

/// Every check, in order, by name.
pub(super) const CHECKS: &[(&str, Check)] = &[
    ("no request object", no_request_object),
    ("response type is code", response_type),
    ("client may use the code flow", code_grant_allowed),
    ("scopes allowed", scopes),
    ("PKCE", pkce),
    ("prompt", prompt),
    ("max_age", max_age),
    ("state and nonce lengths", lengths),
    ("claims", claims),
    ("acr_values", acr_values),
    ("DPoP key thumbprint", dpop_jkt),
];

/// Runs the checks in order; the first refusal is the answer.
pub(super) fn run(q: &Query<'_>, client: &OAuthClient) -> Result<Checked, Refusal> {
    let mut checked = Checked::default();
    for (_, check) in CHECKS {
        check(q, client, &mut checked)?;
    }
    Ok(checked)
}

fn refuse(error: &'static str, description: impl Into<String>) -> Result<(), Refusal> {
    Err((error, description.into()))
}

/// What is left of `request` and `request_uri` once a request object or a pushed request
/// has been unpacked: nothing. A request object that was pushed cannot appear again, and a
/// `request_uri` that is not a pushed request's would have to be fetched from the client,
/// which Portcullis does not do (RFC 9101 §5.2 makes it optional).
fn no_request_object(q: &Query<'_>, _: &OAuthClient, _: &mut Checked) -> Result<(), Refusal> {
    if q.get("request").is_some() {
        return refuse(
            "invalid_request",
            "request cannot be sent with a pushed request.",
        );
    }
    if q.get("request_uri").is_some() {
        return refuse(
            "request_uri_not_supported",
            "request_uri must name a request pushed to /oauth/par.",
        );
    }
    Ok(())
}

/// RFC 9449 §10: `dpop_jkt` binds the code to the key the client will prove at the token
/// endpoint; it must be a SHA-256 JWK thumbprint.
fn dpop_jkt(q: &Query<'_>, _: &OAuthClient, out: &mut Checked) -> Result<(), Refusal> {
    match q.get("dpop_jkt") {
        None => Ok(()),
        Some(v) if super::super::dpop::well_formed_jkt(v) => {
            out.dpop_jkt = Some(v.to_owned());
            Ok(())
        }
        Some(_) => refuse(
            "invalid_request",
            "dpop_jkt must be a base64url SHA-256 JWK thumbprint.",
        ),
    }
}

fn response_type(q: &Query<'_>, _: &OAuthClient, _: &mut Checked) -> Result<(), Refusal> {
    match q.get("response_type") {
        Some("code") => Ok(()),
        None => refuse("invalid_request", "response_type is missing."),
        Some(_) => refuse(
            "unsupported_response_type",
            "Only response_type=code is supported.",
        ),
    }
}

fn code_grant_allowed(_: &Query<'_>, client: &OAuthClient, _: &mut Checked) -> Result<(), Refusal> {
    if client.allows_grant("authorization_code") {
        Ok(())
    } else {
        refuse(
            "unauthorized_client",
            "This client may not use the authorization code flow.",
        )
    }
}

/// RFC 6749 §3.3: space-separated, each one the client may ask for.
fn scopes(q: &Query<'_>, client: &OAuthClient, out: &mut Checked) -> Result<(), Refusal> {
    let scopes: Vec<String> = q
        .get("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return refuse("invalid_scope", "scope is missing.");
    }
    if let Some(s) = scopes.iter().find(|s| !client.allows_scope(s)) {
        return refuse(
            "invalid_scope",
            format!("The scope {s:?} is not allowed for this client."),
        );
    }
    out.scopes = scopes;
    Ok(())
}

/// RFC 7636 §4.3; plain is refused (OAuth 2.0 Security BCP §2.1.1), and public clients must
/// use it.
fn pkce(q: &Query<'_>, client: &OAuthClient, out: &mut Checked) -> Result<(), Refusal> {
    let challenge = q.get("code_challenge");
    match (challenge, q.get("code_challenge_method")) {
        (Some(c), Some("S256")) => {
            let ok = (43..=128).contains(&c.len())
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if !ok {
                return refuse(
                    "invalid_request",
                    "code_challenge must be 43-128 characters of [A-Za-z0-9-._~].",
                );
            }
        }
        (Some(_), _) => {
            return refuse(
                "invalid_request",
                "Only code_challenge_method=S256 is supported.",
            );
        }
        (None, Some(_)) => return refuse("invalid_request", "code_challenge is missing."),
        (None, None) if client.is_public() || client.settings.require_pkce => {
            return refuse(
                "invalid_request",
                "This client must use PKCE (code_challenge with S256).",
            );
        }
        (None, None) => {}
    }
    out.code_challenge = challenge.map(str::to_owned);
    Ok(())
}

/// OIDC Core §3.1.2.1: known values only, and `none` alone.
fn prompt(q: &Query<'_>, _: &OAuthClient, out: &mut Checked) -> Result<(), Refusal> {
    let prompt: Vec<String> = q
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if prompt
        .iter()
        .any(|p| !["none", "login", "consent", "select_account"].contains(&p.as_str()))
    {
        return refuse(
            "invalid_request",
            "prompt may only hold none, login, consent and select_account.",
        );
    }
    if prompt.len() > 1 && prompt.iter().any(|p| p == "none") {
        return refuse(
            "invalid_request",
            "prompt=none cannot be combined with other values.",
        );
    }
    out.prompt = prompt;
    Ok(())
}

fn max_age(q: &Query<'_>, _: &OAuthClient, out: &mut Checked) -> Result<(), Refusal> {
    out.max_age = match q.get("max_age") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => return refuse("invalid_request", "max_age must be a non-negative integer."),
        },
    };
    Ok(())
}

/// Both come back to the client (state) or into the ID token (nonce): bounded.
fn lengths(q: &Query<'_>, _: &OAuthClient, _: &mut Checked) -> Result<(), Refusal> {
    if q.get("nonce").is_some_and(|n| n.len() > 512)
        || q.get("state").is_some_and(|s| s.len() > 2048)
    {
        return refuse("invalid_request", "state or nonce is too long.");
    }
    Ok(())
}

/// OIDC Core §5.5: a JSON object.
fn claims(q: &Query<'_>, _: &OAuthClient, out: &mut Checked) -> Result<(), Refusal> {
    out.claims = match q.get("claims") {
        None => None,
        Some(raw) => match serde_json::from_str::<Value>(raw) {
            Ok(v) if v.is_object() => Some(v),
            _ => return refuse("invalid_request", "claims must be a JSON object."),
        },
    };
    Ok(())
}

/// OIDC Core §3.1.2.1 `acr_values`, or an `acr` the `claims` parameter asks for (§5.5.1.1):
/// the classes the client accepts. The essential claim request wins over the parameter.
fn acr_values(q: &Query<'_>, _: &OAuthClient, out: &mut Checked) -> Result<(), Refusal> {
    let requested = out
        .claims
        .as_ref()
        .and_then(|c| c.get("id_token")?.get("acr"))
        .filter(|acr| acr.get("essential").and_then(Value::as_bool) == Some(true));
    let from_claims: Option<Vec<String>> = requested.map(|acr| {
        let listed = acr.get("values").and_then(Value::as_array).map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        });
        let single = acr
            .get("value")
            .and_then(Value::as_str)
            .map(|v| vec![v.to_owned()]);
        listed.or(single).unwrap_or_default()
    });
    out.acr_values = match from_claims.filter(|v| !v.is_empty()) {
        Some(values) => values,
        None => q
            .get("acr_values")
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .take(10)
            .map(str::to_owned)
            .collect(),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientSettings;

    fn client(public: bool) -> OAuthClient {
        let settings: ClientSettings = serde_json::from_value(serde_json::json!({
            "client_id": "rp",
            "redirect_uris": ["https://rp.example.com/cb"],
            "grant_types": ["authorization_code"],
            "scopes": ["openid", "email"],
        }))
        .unwrap();
        OAuthClient {
            settings,
            secret_hash: (!public).then(|| "hash".to_owned()),
        }
    }

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn good() -> HashMap<String, String> {
        [
            ("response_type", "code"),
            ("scope", "openid email"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn with(changes: &[(&str, &str)]) -> HashMap<String, String> {
        let mut p = good();
        for (k, v) in changes {
            p.insert((*k).to_owned(), (*v).to_owned());
        }
        p
    }

    fn error_of(p: &HashMap<String, String>, public: bool) -> Option<&'static str> {
        run(&Query(p), &client(public)).err().map(|(e, _)| e)
    }

    #[test]
    fn a_good_request_passes_and_is_parsed() {
        let p = with(&[
            ("prompt", "login consent"),
            ("max_age", "0"),
            ("claims", "{}"),
        ]);
        let c = run(&Query(&p), &client(true)).unwrap();
        assert_eq!(c.scopes, ["openid", "email"]);
        assert_eq!(c.code_challenge.as_deref(), Some(CHALLENGE));
        assert_eq!(c.prompt, ["login", "consent"]);
        assert_eq!(c.max_age, Some(0));
        assert_eq!(c.claims, Some(serde_json::json!({})));
    }

    #[test]
    fn each_fault_gets_its_error() {
        for (change, error) in [
            (("request", "eyJ"), "invalid_request"),
            (("request_uri", "https://x"), "request_uri_not_supported"),
            (("response_type", "token"), "unsupported_response_type"),
            (("response_type", " "), "invalid_request"),
            (("scope", ""), "invalid_scope"),
            (("scope", "openid admin"), "invalid_scope"),
            (("code_challenge_method", "plain"), "invalid_request"),
            (("code_challenge", "short"), "invalid_request"),
            (("prompt", "none login"), "invalid_request"),
            (("prompt", "always"), "invalid_request"),
            (("max_age", "-1"), "invalid_request"),
            (("max_age", "soon"), "invalid_request"),
            (("claims", "[1]"), "invalid_request"),
            (("claims", "{"), "invalid_request"),
        ] {
            assert_eq!(error_of(&with(&[change]), false), Some(error), "{change:?}");
        }
        let long_state = "s".repeat(2049);
        assert_eq!(
            error_of(&with(&[("state", &long_state)]), false),
            Some("invalid_request")
        );
        let long_nonce = "n".repeat(513);
        assert_eq!(
            error_of(&with(&[("nonce", &long_nonce)]), false),
            Some("invalid_request")
        );
        assert_eq!(
            error_of(&with(&[("state", &"s".repeat(2048))]), false),
            None
        );
    }

    #[test]
    fn public_clients_must_use_pkce_confidential_ones_may() {
        let mut p = good();
        p.remove("code_challenge");
        p.remove("code_challenge_method");
        assert_eq!(error_of(&p, true), Some("invalid_request"));
        assert_eq!(error_of(&p, false), None);
        p.insert("code_challenge_method".into(), "S256".into());
        assert_eq!(
            error_of(&p, false),
            Some("invalid_request"),
            "a method needs a challenge"
        );
    }

    #[test]
    fn a_client_without_the_code_grant_is_refused() {
        let mut c = client(false);
        c.settings.grant_types = vec!["client_credentials".into()];
        assert_eq!(
            run(&Query(&good()), &c).err().map(|(e, _)| e),
            Some("unauthorized_client")
        );
    }

    #[test]
    fn the_first_fault_in_order_is_the_one_reported() {
        // Both a request object and a bad response type: the request object comes first.
        let p = with(&[("request", "eyJ"), ("response_type", "token")]);
        assert_eq!(error_of(&p, false), Some("invalid_request"));
        // A bad scope and a bad prompt: scope first.
        let p = with(&[("scope", "admin"), ("prompt", "always")]);
        assert_eq!(error_of(&p, false), Some("invalid_scope"));
        let names: Vec<&str> = CHECKS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.first(), Some(&"no request object"));
        assert_eq!(names.last(), Some(&"DPoP key thumbprint"));
    }

    #[test]
    fn dpop_jkt_must_look_like_a_thumbprint() {
        let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
        let p = with(&[("dpop_jkt", jkt)]);
        assert_eq!(error_of(&p, false), None);
        // An empty value counts as absent (RFC 6749 §3.1), as for every parameter.
        for bad in ["short", &format!("{jkt}A"), &jkt.replace('-', "+")] {
            let p = with(&[("dpop_jkt", bad)]);
            assert_eq!(error_of(&p, false), Some("invalid_request"), "{bad:?}");
        }
    }
}
