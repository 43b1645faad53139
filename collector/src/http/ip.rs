//! IP truncation: events record the network, not the host.

use std::net::IpAddr;

/// Keeps the first `v4_bits` or `v6_bits` of an address and writes it as a prefix.
pub fn truncate(ip: IpAddr, v4_bits: u8, v6_bits: u8) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let bits = v4_bits.min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            format!("{}/{bits}", std::net::Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            // An IPv4 client seen through a dual-stack socket is truncated as IPv4.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return truncate(IpAddr::V4(v4), v4_bits, v6_bits);
            }
            let bits = v6_bits.min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            format!("{}/{bits}", std::net::Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn keeps_only_the_prefix() {
        assert_eq!(
            truncate("203.0.113.77".parse().unwrap(), 24, 48),
            "203.0.113.0/24"
        );
        assert_eq!(
            truncate("2001:db8:1:2:3:4:5:6".parse().unwrap(), 24, 48),
            "2001:db8:1::/48"
        );
        assert_eq!(
            truncate("::ffff:198.51.100.9".parse().unwrap(), 16, 48),
            "198.51.0.0/16"
        );
        assert_eq!(
            truncate("198.51.100.9".parse().unwrap(), 0, 48),
            "0.0.0.0/0"
        );
    }
}
