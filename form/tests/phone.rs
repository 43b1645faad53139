//! E.164 normalisation cases.

use consent_form::phone::{can_receive_sms, country, example, to_e164, COUNTRIES};

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

#[test]
fn landlines_cannot_receive_sms_where_the_mobile_ranges_are_known() {
    let sms = |input: &str, iso: &str| can_receive_sms(&e164(input, iso).expect("a valid number"));
    assert_eq!(sms("01 23 45 67 89", "FR"), Some(false), "a Paris landline");
    assert_eq!(sms("09 70 12 34 56", "FR"), Some(false), "a French VoIP number");
    assert_eq!(sms("06 12 34 56 78", "FR"), Some(true));
    assert_eq!(sms("07 81 23 45 67", "FR"), Some(true));
    assert_eq!(sms("020 7946 0018", "GB"), Some(false), "a London landline");
    assert_eq!(sms("07700 900123", "GB"), Some(true));
    assert_eq!(sms("030 1234567", "DE"), Some(false), "a Berlin landline");
    assert_eq!(sms("0151 23456789", "DE"), Some(true));
    assert_eq!(sms("02 123 45 67", "BE"), Some(false));
    assert_eq!(sms("0470 12 34 56", "BE"), Some(true));
    assert_eq!(sms("06 1234 5678", "IT"), Some(false), "a Rome landline");
    assert_eq!(sms("06 92 12 34 56", "RE"), Some(true));
    // Typed in international form, the number's own country decides.
    assert_eq!(sms("+44 20 7946 0018", "FR"), Some(false));
    // North America mixes mobiles and landlines in the same ranges: unknown.
    assert_eq!(sms("(415) 555-2671", "US"), None);
}

#[test]
fn the_example_is_a_mobile_in_the_default_country_s_format() {
    assert_eq!(example(country("FR").unwrap()), "06 12 34 56 78");
    assert_eq!(example(country("GB").unwrap()), "07112 345 678");
    assert_eq!(example(country("ES").unwrap()), "612 345 678");
    assert_eq!(example(country("US").unwrap()), "+1 1234567890");
    // Every example reads back, for its own country, as a number that can receive SMS.
    for c in COUNTRIES.iter() {
        let typed = example(c);
        let read = to_e164(&typed, c).unwrap_or_else(|| panic!("{}: {typed} does not read back", c.iso));
        assert_ne!(can_receive_sms(&read), Some(false), "{}: {typed}", c.iso);
    }
}
