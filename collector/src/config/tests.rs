//! Layering, defaults and the errors that name a setting.

use super::*;

#[test]
fn flags_override_the_file_and_defaults_fill_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("collector.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9000\"\nrate-ip = 5\nallowed-origins = [\"https://a.example\"]\n",
    )
    .unwrap();
    let flags = Settings {
        rate_ip: Some(7),
        smtp_url: Some("smtp://127.0.0.1:2525".into()),
        mail_from: Some("Boutique <news@boutique.example>".into()),
        ..Settings::default()
    };
    let config = flags
        .over_file(Some(&file))
        .unwrap()
        .resolve(false)
        .unwrap();
    assert_eq!(config.listen.port(), 9000);
    assert_eq!(config.rate_ip_per_minute, 7);
    assert_eq!(config.allowed_origins, ["https://a.example"]);
    assert_eq!(config.token_ttl, chrono::Duration::hours(48));
    assert_eq!(config.database, "sqlite://data/collector.db");
}

#[test]
fn mail_retry_lies_between_one_second_and_the_token_ttl() {
    let with = |retry: &str, ttl: Option<&str>| {
        Settings {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            mail_from: Some("Boutique <news@boutique.example>".into()),
            allowed_origins: Some(vec!["https://a.example".into()]),
            mail_retry: Some(retry.into()),
            token_ttl: ttl.map(String::from),
            ..Settings::default()
        }
        .resolve(false)
    };
    // 0 s would retry a failing mail at once, forever; a delay past the
    // ttl would never come, and one too large for a date panics.
    for (retry, ttl) in [
        ("0s", None),
        ("999ms", None),
        ("49h", None),
        ("2h", Some("1h")),
        ("1000000years", None),
    ] {
        let error = with(retry, ttl).unwrap_err().to_string();
        assert!(
            error.starts_with("invalid --mail-retry: "),
            "{retry}: {error}"
        );
        assert!(error.contains("--token-ttl"), "{retry}: {error}");
        assert_eq!(error, error.to_lowercase(), "{retry}");
    }
    for (retry, ttl) in [("1s", None), ("48h", None), ("1h", Some("1h"))] {
        let config = with(retry, ttl).unwrap();
        assert_eq!(config.mail_retry, humantime::parse_duration(retry).unwrap());
    }
}

#[test]
fn startup_errors_name_the_setting() {
    let missing = Settings {
        smtp_url: Some("smtp://x".into()),
        ..Settings::default()
    }
    .resolve(false)
    .unwrap_err();
    assert!(
        missing.to_string().contains("--allowed-origins"),
        "{missing}"
    );
    let bad = Settings {
        token_ttl: Some("soon".into()),
        ..Settings::default()
    }
    .resolve(true)
    .unwrap_err();
    assert!(bad.to_string().starts_with("invalid --token-ttl"), "{bad}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "lisen = 1\n").unwrap();
    let unknown = Settings::default().over_file(Some(&file)).unwrap_err();
    assert!(unknown.to_string().contains("lisen"), "{unknown}");
}

#[test]
fn real_mail_needs_the_shops_own_sender_address() {
    let settings = Settings {
        smtp_url: Some("smtp://127.0.0.1:2525".into()),
        allowed_origins: Some(vec!["https://a.example".into()]),
        ..Settings::default()
    };
    let error = settings.clone().resolve(false).unwrap_err().to_string();
    assert!(error.contains("no sender address: set --mail-from"), "{error}");
    // The demo keeps its one-flag switch to real SMTP.
    assert!(settings.resolve(true).is_ok());
}
