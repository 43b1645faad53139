//! E.164 normalisation cases.

use consent_form::phone::{country, to_e164};

fn e164(input: &str, iso: &str) -> Option<String> {
    to_e164(input, country(iso).expect("country in table"))
}

#[test]
fn national_numbers_use_the_default_country() {
    assert_eq!(e164("06 12 34 56 78", "FR").as_deref(), Some("+33612345678"));
    assert_eq!(e164("06.12.34.56.78", "FR").as_deref(), Some("+33612345678"));
    assert_eq!(e164("0612-345-678", "FR").as_deref(), Some("+33612345678"));
    assert_eq!(e164("0470 12 34 56", "BE").as_deref(), Some("+32470123456"));
    assert_eq!(e164("07700 900123", "GB").as_deref(), Some("+447700900123"));
    assert_eq!(e164("(415) 555-2671", "US").as_deref(), Some("+14155552671"));
    assert_eq!(e164("1 415 555 2671", "US").as_deref(), Some("+14155552671"));
    assert_eq!(e164("612 345 678", "ES").as_deref(), Some("+34612345678"));
    // Italy keeps the leading zero of landlines.
    assert_eq!(e164("06 1234 5678", "IT").as_deref(), Some("+390612345678"));
    assert_eq!(e164("06 92 12 34 56", "RE").as_deref(), Some("+262692123456"));
}

#[test]
fn international_numbers_ignore_the_default_country() {
    assert_eq!(e164("+33 6 12 34 56 78", "DE").as_deref(), Some("+33612345678"));
    assert_eq!(e164("0033 6 12 34 56 78", "DE").as_deref(), Some("+33612345678"));
    assert_eq!(e164("+33 (0)6 12 34 56 78", "FR").as_deref(), Some("+33612345678"));
    assert_eq!(e164("+49 1512 3456789", "FR").as_deref(), Some("+4915123456789"));
    // Not in the table: any plausible E.164 length is accepted.
    assert_eq!(e164("+81 90 1234 5678", "FR").as_deref(), Some("+819012345678"));
}

#[test]
fn numbers_that_cannot_be_valid_are_refused() {
    for bad in [
        "",
        "06 12 34",
        "06 12 34 56 78 90",
        "6 12 34 56 78",
        "+33 6 12",
        "+33 06 12 34 56 7",
        "06 12 34 56 7a",
        "tel:0612345678",
        "+0 1234 5678",
        "+1234",
        "+1234567890123456",
        "++33612345678",
    ] {
        assert_eq!(e164(bad, "FR"), None, "{bad}");
    }
}

#[test]
fn country_lookup_is_case_insensitive() {
    assert_eq!(country("fr").map(|c| c.code), Some("33"));
    assert!(country("ZZ").is_none());
}
