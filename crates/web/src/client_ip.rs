//! The client's address: the peer's, or — only when the peer is a trusted proxy
//! (`[server] trusted_proxies`) — the right-most `X-Forwarded-For` entry that is not itself a
//! trusted proxy. Never the left-most: anyone can write that one.

use std::net::IpAddr;

use actix_web::HttpRequest;

pub use crate::domain::Cidr;

/// The address a request comes from, as far as it can be believed.
pub fn client_ip(req: &HttpRequest, trusted: &[Cidr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if trusted.is_empty() {
        return Some(peer);
    }
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect();
    Some(
        forwarded
            .iter()
            .rev()
            .copied()
            .find(|ip| !is_trusted(*ip))
            .unwrap_or(peer),
    )
}
