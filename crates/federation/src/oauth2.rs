//! Plain OAuth 2.0 providers (RFC 6749 §4.1, with PKCE per RFC 7636): the code is exchanged
//! at the token endpoint, then the identity is read from a userinfo endpoint through the
//! provider's claim map (Graph API for Facebook, `/2/users/me` for X, anything for others).

use secrecy::ExposeSecret;
use serde_json::Value;

use super::{FederationError, Identity, Provider, split_name};
use crate::config::TokenAuth;

pub(super) fn authorization_url(
    p: &Provider,
    redirect_uri: &str,
    state: &str,
    pkce_verifier: &str,
) -> Result<String, FederationError> {
    let base = p.authorization_url.clone().unwrap_or_default();
    let mut url = url::Url::parse(&base)
        .map_err(|e| FederationError::Invalid(format!("authorization_url: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &p.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state);
        if !p.scopes.is_empty() {
            q.append_pair("scope", &p.scopes.join(" "));
        }
        if p.pkce {
            q.append_pair("code_challenge", &crate::crypto::pkce_s256(pkce_verifier))
                .append_pair("code_challenge_method", "S256");
        }
    }
    Ok(url.to_string())
}

fn unavailable(what: &str, e: reqwest::Error) -> FederationError {
    FederationError::Unavailable(format!("{what}: {e}"))
}

pub(super) async fn identity(
    http: &reqwest::Client,
    p: &Provider,
    redirect_uri: &str,
    code: &str,
    pkce_verifier: &str,
) -> Result<Identity, FederationError> {
    let mut form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code.to_owned()),
        ("redirect_uri", redirect_uri.to_owned()),
        ("client_id", p.client_id.clone()),
    ];
    if p.pkce {
        form.push(("code_verifier", pkce_verifier.to_owned()));
    }
    let secret = p
        .client_secret
        .as_ref()
        .map(|s| s.expose_secret().to_owned());
    let mut req = http
        .post(p.token_url.clone().unwrap_or_default())
        .header("accept", "application/json");
    match (p.token_auth, &secret) {
        // RFC 6749 §2.3.1: the client id and secret, form-urlencoded, as Basic credentials.
        (TokenAuth::Basic, Some(s)) => {
            let enc =
                |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
            req = req.basic_auth(enc(&p.client_id), Some(enc(s)));
        }
        (TokenAuth::Post, Some(s)) => form.push(("client_secret", s.clone())),
        (_, None) => {}
    }
    let resp = req
        .form(&form)
        .send()
        .await
        .map_err(|e| unavailable("token endpoint", e))?;
    let status = resp.status();
    if status.is_server_error() {
        return Err(FederationError::Unavailable(format!(
            "token endpoint answered {status}"
        )));
    }
    let body: Value = resp
        .json()
        .await
        .map_err(|e| FederationError::Invalid(format!("token response: {e}")))?;
    if !status.is_success() {
        let error = body["error"].as_str().unwrap_or("unknown error");
        return Err(FederationError::Invalid(format!(
            "the token endpoint refused the code: {error}"
        )));
    }
    let access_token = body["access_token"]
        .as_str()
        .ok_or_else(|| FederationError::Invalid("no access_token in the token response".into()))?;

    let resp = http
        .get(p.userinfo_url.clone().unwrap_or_default())
        .bearer_auth(access_token)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| unavailable("userinfo endpoint", e))?;
    let status = resp.status();
    if status.is_server_error() {
        return Err(FederationError::Unavailable(format!(
            "userinfo endpoint answered {status}"
        )));
    }
    if !status.is_success() {
        return Err(FederationError::Invalid(format!(
            "userinfo endpoint answered {status}"
        )));
    }
    let info: Value = resp
        .json()
        .await
        .map_err(|e| FederationError::Invalid(format!("userinfo: {e}")))?;
    read_identity(p, &info)
}

/// The value at a dotted path (`picture.data.url`), as a string; numbers count (Graph ids
/// are strings, others send numbers).
fn at(v: &Value, path: &Option<String>) -> Option<String> {
    let path = path.as_deref()?;
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    match cur {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn read_identity(p: &Provider, info: &Value) -> Result<Identity, FederationError> {
    let c = &p.claims;
    let subject = at(info, &c.id)
        .ok_or_else(|| FederationError::Invalid("the userinfo answer has no user id".into()))?;
    let email = at(info, &c.email);
    let email_verified = match at(info, &c.email_verified) {
        Some(v) => v == "true",
        None => p.trust_email,
    };
    let (mut first_name, mut last_name) = (at(info, &c.first_name), at(info, &c.last_name));
    if first_name.is_none()
        && last_name.is_none()
        && let Some(name) = at(info, &c.name)
    {
        (first_name, last_name) = split_name(&name);
    }
    Ok(Identity {
        provider: p.key.clone(),
        subject,
        email,
        email_verified,
        first_name,
        last_name,
        username: at(info, &c.username),
        image_url: at(info, &c.picture),
        mfa: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_paths_read_graph_and_x_shapes() {
        let graph = serde_json::json!({"id": "1234", "name": "Ada Lovelace", "email": "ada@example.com",
            "first_name": "Ada", "last_name": "Lovelace", "picture": {"data": {"url": "https://p/1.jpg"}}});
        let v = Some("picture.data.url".to_owned());
        assert_eq!(at(&graph, &v).as_deref(), Some("https://p/1.jpg"));
        let x = serde_json::json!({"data": {"id": 42, "name": "Grace", "username": "grace"}});
        assert_eq!(at(&x, &Some("data.id".into())).as_deref(), Some("42"));
        assert_eq!(at(&x, &Some("data.missing".into())), None);
        assert_eq!(at(&x, &None), None);
    }
}
