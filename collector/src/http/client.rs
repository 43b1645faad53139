//! Who sent a request: the client's address, and its network as events record it.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use super::AppState;

/// The client's address: the socket peer, or the first X-Forwarded-For hop when trusted.
fn client_ip(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if state.config.trust_forwarded {
        let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        if let Some(ip) = forwarded
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
        {
            return ip;
        }
    }
    peer.ip()
}

/// The client's network as events record it: the address truncated per configuration.
pub(super) fn client_network(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    super::ip::truncate(
        client_ip(state, peer, headers),
        state.config.ipv4_prefix,
        state.config.ipv6_prefix,
    )
}
