//! Who sent a request: the client's address, and its network as events record it.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use super::AppState;

/// The client's address: the socket peer, or the rightmost X-Forwarded-For hop
/// that is not one of the trusted proxies (see [`crate::config::TrustedProxies`]).
fn client_ip(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    state.config.trusted_proxies.client(peer.ip(), forwarded)
}

/// The client's network as events record it: the address truncated per configuration.
pub(super) fn client_network(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    super::ip::truncate(
        client_ip(state, peer, headers),
        state.config.ipv4_prefix,
        state.config.ipv6_prefix,
    )
}
