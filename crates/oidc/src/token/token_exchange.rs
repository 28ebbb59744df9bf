//! Token exchange (RFC 8693): a service that received a user's access token trades it for
//! one of its own, to call further on the user's behalf. Off unless a client lists the grant
//! type, and only for confidential clients (checked with the client's settings).
//!
//! - Delegation (§1.1): the new token is the user's and names the actor in `act`: the party
//!   of the `actor_token` when one is sent, else the client itself (nesting any `act` the
//!   subject token already had, §4.1).
//! - Impersonation: for a client with `token_exchange_impersonation = true` and no actor
//!   token, the new token is the user's with no trace of the client.
//!
//! The subject token must have been issued to this client or to one listed in its
//! `token_exchange_from`. The new token never carries more scope than the subject token, nor
//! outlives it, and stays tied to the user's session (revoking the session ends it too).
//! Every exchange is audit-logged.

use super::*;

const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// §2.2.2: a token that cannot be used is `invalid_request`.
fn refused(description: impl Into<String>) -> OAuthError {
    OAuthError::invalid_request(description)
}

/// A token presented for exchange: one of our access tokens, live, and usable by this
/// request (a DPoP-bound one only with a proof by its key).
async fn presented(
    ctx: &Ctx,
    token: Option<&str>,
    token_type: Option<&str>,
    name: &str,
    dpop_jkt: Option<&str>,
) -> OAuthResult<Option<Map<String, Value>>> {
    let Some(token) = token else {
        if token_type.is_some() {
            return Err(refused(format!("{name}_type is sent without {name}.")));
        }
        return Ok(None);
    };
    match token_type {
        Some(ACCESS_TOKEN_TYPE) => {}
        Some(other) => {
            return Err(refused(format!(
                "{name}_type {other:?} is not supported: send an access token ({ACCESS_TOKEN_TYPE})."
            )));
        }
        None => return Err(refused(format!("{name}_type is missing."))),
    }
    let claims = check_access_token(ctx, token)
        .await?
        .ok_or_else(|| refused(format!("The {name} is invalid, expired or revoked.")))?;
    // A token bound to a key (RFC 9449) is worth nothing to whoever holds it without the key.
    if let Some(bound) = bound_jkt(&claims)
        && !dpop_jkt.is_some_and(|j| bool::from(j.as_bytes().ct_eq(bound.as_bytes())))
    {
        return Err(refused(format!(
            "The {name} is bound to a DPoP key this request does not prove."
        )));
    }
    Ok(Some(claims))
}

/// Who an actor token says is acting: the user (its `sub`) or, for a client's own token,
/// the client; with the actor's own `act`, if any.
fn actor(claims: &Map<String, Value>) -> Value {
    let mut act = Map::new();
    let sub = claims.get("sub").cloned().unwrap_or(Value::Null);
    act.insert("sub".into(), sub);
    if !claims.contains_key("auth_time")
        && let Some(client_id) = claims.get("client_id")
    {
        act.insert("client_id".into(), client_id.clone());
    }
    if let Some(inner) = claims.get("act") {
        act.insert("act".into(), inner.clone());
    }
    Value::Object(act)
}

pub(super) async fn grant(
    ctx: &Ctx,
    client: &OAuthClient,
    p: &HashMap<String, String>,
    dpop_jkt: Option<&str>,
) -> OAuthResult<TokenResponse> {
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if client.is_public() {
        return Err(OAuthError::new(
            "unauthorized_client",
            "Only confidential clients may exchange tokens.",
        ));
    }
    if let Some(wanted) = get("requested_token_type")
        && wanted != ACCESS_TOKEN_TYPE
    {
        return Err(refused(format!(
            "requested_token_type {wanted:?} is not issued here: ask for an access token."
        )));
    }
    // §2.1: the new token is for Portcullis's own APIs; no other audience or resource.
    let issuer = ctx.settings().issuer().to_owned();
    for target in ["audience", "resource"] {
        if let Some(v) = get(target)
            && v != issuer
        {
            return Err(OAuthError::new(
                "invalid_target",
                format!("{target} {v:?} is not served by this authorization server."),
            ));
        }
    }
    let subject = presented(
        ctx,
        get("subject_token"),
        get("subject_token_type"),
        "subject_token",
        dpop_jkt,
    )
    .await?
    .ok_or_else(|| refused("subject_token is missing."))?;
    let actor_claims = presented(
        ctx,
        get("actor_token"),
        get("actor_token_type"),
        "actor_token",
        dpop_jkt,
    )
    .await?;
    // Only a user's token can be exchanged: a client's own token already is its own.
    if !subject.contains_key("auth_time") {
        return Err(refused("The subject_token is not a user's token."));
    }
    // And only one issued to this client or to a client it is trusted to exchange for: a
    // token meant for one application is not laundered into another's.
    let from_client = subject.get("client_id").and_then(Value::as_str);
    let trusted = from_client.is_some_and(|c| {
        c == client.id() || client.settings.token_exchange_from.iter().any(|t| t == c)
    });
    if !trusted {
        return Err(refused(
            "This client may not exchange tokens issued to the subject token's client.",
        ));
    }
    // Without an actor token the client itself is the actor, unless it may impersonate.
    let act = match &actor_claims {
        Some(a) => Some(actor(a)),
        None if client.settings.token_exchange_impersonation => None,
        None => Some(json!({ "sub": client.id(), "client_id": client.id() })),
    };
    // An actor token of a client must be this client's: it cannot act as another.
    if let Some(a) = &actor_claims
        && !a.contains_key("auth_time")
        && a.get("client_id").and_then(Value::as_str) != Some(client.id())
    {
        return Err(refused("The actor_token was issued to another client."));
    }
    // The act of the subject token carries on under the new actor (§4.1).
    let act = act.map(|mut act| {
        if let (Some(prior), Value::Object(map)) = (subject.get("act"), &mut act)
            && !map.contains_key("act")
        {
            map.insert("act".into(), prior.clone());
        }
        act
    });
    // Scope: what the subject token has, narrowed by `scope`, and what this client may ask.
    let held: Vec<String> = subject
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let scopes: Vec<String> = match get("scope") {
        Some(asked) => asked
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        None => held
            .iter()
            .filter(|s| client.allows_scope(s))
            .cloned()
            .collect(),
    };
    if let Some(s) = scopes
        .iter()
        .find(|s| !held.contains(s) || !client.allows_scope(s))
    {
        return Err(OAuthError::new(
            "invalid_scope",
            format!(
                "The scope {s:?} is not held by the subject token or not allowed for this client."
            ),
        ));
    }
    let user_id = token_user_id(ctx, &subject).await?;
    let auth = AuthFacts {
        user_id: user_id.clone(),
        session_id: subject
            .get("sid")
            .and_then(Value::as_str)
            .map(str::to_owned),
        auth_time: subject
            .get("auth_time")
            .and_then(Value::as_i64)
            .unwrap_or(0),
        amr: subject
            .get("amr")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default(),
        acr: subject
            .get("acr")
            .and_then(Value::as_str)
            .unwrap_or(claims::ACR_ONE_FACTOR)
            .to_owned(),
    };
    let sub = claims::subject(ctx, client, &user_id);
    let exp_cap = subject.get("exp").and_then(Value::as_i64);
    let access = claims::delegated_access_token(
        ctx,
        client.id(),
        &sub,
        &scopes,
        Some(&auth),
        dpop_jkt,
        act.as_ref(),
        exp_cap,
    )?;
    remember_user_behind(ctx, &access, &sub, &user_id).await?;
    crate::flows::audit::emit_for_client(
        ctx,
        client.id(),
        Some(&user_id),
        "token.exchanged",
        json!({
            "from_client_id": from_client,
            "subject_jti": subject.get("jti"),
            "actor": act,
            "impersonation": act.is_none(),
            "scope": scopes.join(" "),
            "jti": access.jti,
        }),
    );
    tracing::info!(client_id = %client.id(), user_id = %user_id, delegation = act.is_some(), "token exchanged");
    Ok(TokenResponse {
        access_token: access.token,
        token_type: token_type(dpop_jkt),
        expires_in: access.expires_in,
        scope: scopes.join(" "),
        id_token: None,
        refresh_token: None,
        issued_token_type: Some(ACCESS_TOKEN_TYPE),
    })
}
