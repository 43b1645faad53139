//! Origins: a URL's origin, and the other name of a loopback origin.

/// `http://localhost:P` for `http://127.0.0.1:P`, and the other way round.
pub(super) fn loopback_alias(origin: &str) -> Option<String> {
    let (scheme, host) = origin.split_once("://")?;
    let (name, port) = host
        .rsplit_once(':')
        .map_or((host, None), |(n, p)| (n, Some(p)));
    let other = match name {
        "127.0.0.1" => "localhost",
        "localhost" => "127.0.0.1",
        _ => return None,
    };
    Some(match port {
        Some(port) => format!("{scheme}://{other}:{port}"),
        None => format!("{scheme}://{other}"),
    })
}

/// `scheme://host[:port]` of a URL.
pub(super) fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::{loopback_alias, origin_of};

    #[test]
    fn the_origin_of_a_url_is_its_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/v1/confirm?token=x").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://shop.example").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(origin_of("shop.example/x"), None);
        assert_eq!(origin_of("https:///x"), None);
    }

    #[test]
    fn a_loopback_origin_has_its_alias_and_others_none() {
        assert_eq!(
            loopback_alias("http://127.0.0.1:8080").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(
            loopback_alias("http://localhost:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            loopback_alias("http://127.0.0.1").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(loopback_alias("https://shop.example"), None);
        assert_eq!(loopback_alias("http://127.0.0.2:8080"), None);
    }
}
