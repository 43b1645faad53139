//! The client's address behind reverse proxies.
//!
//! Each proxy appends the address it received the request from to
//! `X-Forwarded-For`, so only the hops added by proxies we run can be
//! believed: walking from the right, past every trusted proxy, the first
//! address that is not one is the client as our outermost proxy saw it.
//! Everything left of it was written by the client and is ignored. With no
//! trusted proxy configured the header is ignored and the socket peer is the
//! client.

use std::net::IpAddr;

use ipnet::IpNet;

/// Addresses and networks of the reverse proxies in front of the collector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// A `--trusted-proxies` entry that is neither an address nor a CIDR network.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("trusted proxy {0:?} is neither an ip address nor a cidr network")]
pub struct BadProxy(pub String);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses (`10.0.0.7`) and networks (`10.0.0.0/8`).
    pub fn parse(list: &str) -> Result<Self, BadProxy> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| BadProxy(s.to_string()))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether any proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address given the socket `peer` and the `X-Forwarded-For` values.
    pub fn client<'h>(&self, peer: IpAddr, forwarded: impl IntoIterator<Item = &'h str>) -> IpAddr {
        if !self.trusts(peer) {
            return canonical(peer);
        }
        let hops: Vec<&str> = forwarded
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = canonical(peer);
        for hop in hops.iter().rev() {
            // A hop that is not an address was not written by a proxy we run:
            // stop at the last address we could trust.
            let Ok(ip) = hop.parse::<IpAddr>() else {
                break;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// An IPv4 client seen through a dual-stack socket is an IPv4 client.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        // The client wrote 1.1.1.1 itself; our proxies saw 203.0.113.9.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), ["1.1.1.1, 203.0.113.9, 192.0.2.1"]),
            ip("203.0.113.9")
        );
        // Several headers are one list, in order.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), ["1.1.1.1", "203.0.113.9"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn without_a_trusted_peer_the_header_is_ignored() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(
            proxies.client(ip("198.51.100.7"), ["1.1.1.1"]),
            ip("198.51.100.7")
        );
        let none = TrustedProxies::default();
        assert!(none.is_empty());
        assert_eq!(none.client(ip("127.0.0.1"), ["1.1.1.1"]), ip("127.0.0.1"));
    }

    #[test]
    fn a_chain_of_trusted_hops_or_garbage_stops_at_the_last_address() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(
            proxies.client(ip("10.0.0.5"), ["10.1.1.1, 10.2.2.2"]),
            ip("10.1.1.1")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), ["1.1.1.1, junk"]),
            ip("10.0.0.5")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), std::iter::empty()),
            ip("10.0.0.5")
        );
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.5"), ["203.0.113.9"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn bad_entries_are_named() {
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/8,proxy.local"),
            Err(BadProxy("proxy.local".into()))
        );
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
    }
}
