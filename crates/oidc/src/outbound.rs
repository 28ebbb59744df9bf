//! HTTP calls Portcullis makes to URIs its clients chose (back-channel logout, `jwks_uri`).
//! A client in config or made by an operator may point anywhere; one that registered itself
//! (RFC 7591) only at public addresses, checked again each time the name is resolved, so
//! registering is no way to make the server send requests into its own network.

use std::time::Duration;

use super::clients::{self, OAuthClient};
use crate::flows::Ctx;

/// The HTTP client to call `client`'s URIs with.
pub fn http_for(ctx: &Ctx, client: &OAuthClient) -> anyhow::Result<reqwest::Client> {
    if client.self_registered() {
        public_only_http()
    } else {
        Ok(ctx.http.clone())
    }
}

/// Resolves names as the system does, keeping only addresses outside this machine and its
/// network (`clients::is_internal`); a name with no other address fails to resolve.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<std::net::SocketAddr> =
                found.filter(|a| !clients::is_internal(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client for URIs that self-registered clients chose: public addresses only.
fn public_only_http() -> anyhow::Result<reqwest::Client> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    let built = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(std::sync::Arc::new(PublicOnly))
        .build()?;
    Ok(CLIENT.get_or_init(|| built).clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;

    #[tokio::test]
    async fn names_that_resolve_inside_are_refused() {
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(PublicOnly.resolve(name).await.is_err());
    }

    #[tokio::test]
    async fn a_self_registered_client_cannot_reach_a_local_server_by_name() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let http = public_only_http().unwrap();
        let sent = http
            .post(format!("http://localhost:{port}/internal"))
            .send()
            .await;
        assert!(sent.is_err(), "{sent:?}");
    }
}
