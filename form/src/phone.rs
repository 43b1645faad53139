//! Phone numbers: reading what people type, and writing it as E.164.
//!
//! A small table of calling codes, trunk prefixes and national number lengths
//! covers the EU, its neighbours, French overseas departments and North
//! America. Numbers from other countries are accepted when typed in
//! international form with a plausible E.164 length (8 to 15 digits).
//! For the EU countries, the UK and their neighbours, the mobile ranges are
//! known too: a number outside them cannot receive SMS.

use crate::prelude::*;

/// One country's numbering facts.
#[derive(Debug, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166 alpha-2 code.
    pub iso: &'static str,
    /// Calling code, without `+`.
    pub code: &'static str,
    /// The national trunk prefix dropped from international numbers ("" if none).
    pub trunk: &'static str,
    /// Shortest national significant number.
    pub min: u8,
    /// Longest national significant number.
    pub max: u8,
}

const fn c(iso: &'static str, code: &'static str, trunk: &'static str, min: u8, max: u8) -> Country {
    Country { iso, code, trunk, min, max }
}

/// The countries whose numbers are checked by length. France comes first: it
/// is the default.
pub static COUNTRIES: [Country; 55] = [
    c("FR", "33", "0", 9, 9),
    c("BE", "32", "0", 8, 9),
    c("LU", "352", "", 4, 11),
    c("CH", "41", "0", 9, 9),
    c("MC", "377", "", 8, 9),
    c("DE", "49", "0", 6, 13),
    c("AT", "43", "0", 4, 13),
    c("NL", "31", "0", 9, 9),
    c("ES", "34", "", 9, 9),
    c("PT", "351", "", 9, 9),
    c("IT", "39", "", 6, 11),
    c("GB", "44", "0", 9, 10),
    c("IE", "353", "0", 7, 9),
    c("DK", "45", "", 8, 8),
    c("SE", "46", "0", 7, 13),
    c("NO", "47", "", 8, 8),
    c("FI", "358", "0", 5, 12),
    c("IS", "354", "", 7, 9),
    c("PL", "48", "", 9, 9),
    c("CZ", "420", "", 9, 9),
    c("SK", "421", "0", 9, 9),
    c("HU", "36", "06", 8, 9),
    c("RO", "40", "0", 9, 9),
    c("BG", "359", "0", 6, 9),
    c("GR", "30", "", 10, 10),
    c("HR", "385", "0", 8, 9),
    c("SI", "386", "0", 8, 8),
    c("EE", "372", "", 7, 8),
    c("LV", "371", "", 8, 8),
    c("LT", "370", "8", 8, 8),
    c("CY", "357", "", 8, 8),
    c("MT", "356", "", 8, 8),
    c("LI", "423", "", 7, 9),
    c("AD", "376", "", 6, 9),
    c("SM", "378", "", 6, 10),
    c("US", "1", "1", 10, 10),
    c("CA", "1", "1", 10, 10),
    c("RE", "262", "0", 9, 9),
    c("YT", "262", "0", 9, 9),
    c("GP", "590", "0", 9, 9),
    c("MQ", "596", "0", 9, 9),
    c("GF", "594", "0", 9, 9),
    c("PM", "508", "0", 6, 6),
    c("NC", "687", "", 6, 6),
    c("PF", "689", "", 8, 8),
    c("WF", "681", "", 6, 6),
    c("MA", "212", "0", 9, 9),
    c("DZ", "213", "0", 8, 9),
    c("TN", "216", "", 8, 8),
    c("SN", "221", "", 9, 9),
    c("CI", "225", "", 10, 10),
    c("CM", "237", "", 9, 9),
    c("LB", "961", "0", 7, 8),
    c("IL", "972", "0", 8, 9),
    c("TR", "90", "0", 10, 10),
];

/// The countries whose mobile ranges are known, each as its ISO code and
/// the prefixes of its national significant numbers that can receive SMS,
/// comma-separated, countries separated by `|`: one string, the smallest
/// form of this table in the wasm.
const MOBILE: &str = "FR6,7|BE45,46,47,48,49|LU6|CH75,76,77,78,79|MC4,6|DE15,16,17|AT65,66,67,68,69|NL6|ES6,7|PT9|IT3|GB71,72,73,74,75,77,78,79,7624|IE83,85,86,87,89|DK2,30,31,40,41,42,50,51,52,53,60,61,71,81,91,92,93|SE70,72,73,76,79|NO4,9|FI4,50|IS6,7,8|PL45,50,51,53,57,60,66,69,72,73,78,79,88|CZ601,602,603,604,605,606,607,608,702,703,704,705,72,73,77,79|SK90,91,94,95|HU20,30,31,50,70|RO7|BG87,88,89,98|GR69|HR9|SI30,31,40,41,51,64,65,68,69,70,71|EE5,81,82,83,84|LV2|LT6|CY94,95,96,97,99|MT77,79,98,99|LI7|RE639,69|YT639,69|GP690,691|MQ696,697|GF694";

/// The country of an E.164 number (`+447…` → GB), and its national significant number.
fn split(e164: &str) -> Option<(&'static Country, &str)> {
    let digits = e164.strip_prefix("+")?;
    COUNTRIES.iter().find_map(|c| Some((c, digits.strip_prefix(c.code)?)))
}

/// The mobile prefixes of `iso`, where they are known.
fn mobile_prefixes(iso: &str) -> Option<&'static str> {
    crate::text::parts(MOBILE, b'|').iter().find_map(|row| row.strip_prefix(iso))
}

/// Whether an E.164 number can receive SMS: `Some(false)` for a number in a
/// country whose mobile ranges are known and that is outside them (a
/// landline), `None` where the ranges are not known.
pub fn can_receive_sms(e164: &str) -> Option<bool> {
    let (country, nsn) = split(e164)?;
    let prefixes = mobile_prefixes(country.iso)?;
    Some(crate::text::parts(prefixes, b',').iter().any(|p| nsn.starts_with(p)))
}

/// An example mobile number as people in `country` write it: the trunk
/// prefix, the first mobile range, then digits, in groups (pairs where the
/// number has nine digits and a trunk, as in France). Countries whose
/// mobile ranges are not known get the international form.
pub fn example(country: &Country) -> String {
    let first = mobile_prefixes(country.iso).map(|p| crate::text::split_first(p, b',').map_or(p, |(first, _)| first)).unwrap_or("");
    // Ten digits at most: the longest ranges (Germany's 13) are not what a mobile looks like.
    let len = (country.max as usize).min(10);
    let mut nsn = String::from(first);
    for d in b"12345678901234".iter().take(len.saturating_sub(first.len())) {
        nsn.push(*d as char);
    }
    if first.is_empty() {
        return crate::text::cat(&["+", country.code, " ", &nsn]);
    }
    let national = crate::text::cat(&[country.trunk, &nsn]);
    let b = national.as_bytes();
    let mut out = String::new();
    let pairs = len == 9 && country.trunk == "0";
    // Pairs: 06 12 34 56 78. Otherwise a leading block, then groups of three: 07123 456 789.
    let first_group = if pairs { 2 } else { b.len().saturating_sub(6).max(1) };
    for (i, ch) in b.iter().enumerate() {
        let at_break = if pairs { i >= 2 && i % 2 == 0 } else { i == first_group || (i > first_group && (i - first_group) % 3 == 0) };
        if i > 0 && at_break {
            out.push(' ');
        }
        out.push(*ch as char);
    }
    out
}

/// The country for an ISO 3166 alpha-2 code (any case).
pub fn country(iso: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.iso.eq_ignore_ascii_case(iso))
}

/// The default country (France).
pub fn default_country() -> &'static Country {
    &COUNTRIES[0]
}

/// Checks a national significant number against a country's rules.
fn national_ok(nsn: &str, country: &Country) -> bool {
    let len = nsn.len();
    // Italy keeps its leading zero in E.164; everywhere else a zero here is a
    // trunk prefix typed twice.
    let leading_zero_ok = country.iso == "IT" || country.iso == "SM";
    len >= country.min as usize && len <= country.max as usize && (leading_zero_ok || !nsn.starts_with("0"))
}

/// Reads a typed phone number into E.164 (`+33612345678`).
///
/// National numbers are read for `default_country`. Spaces, dots, dashes,
/// slashes and parentheses are allowed between digits.
///
/// # Errors
/// `None` when the number cannot be valid.
pub fn to_e164(input: &str, default_country: &Country) -> Option<String> {
    let input = input.trim();
    let (international, rest) = match input.strip_prefix("+") {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let mut digits = String::with_capacity(16);
    for ch in rest.chars() {
        match ch {
            '0'..='9' => digits.push(ch),
            ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}' => {}
            _ => return None,
        }
    }
    let (international, digits) = match digits.strip_prefix("00") {
        Some(rest) if !international => (true, rest.to_string()),
        _ => (international, digits),
    };
    let e164 = |code: &str, nsn: &str| {
        let mut out = String::with_capacity(16);
        out.push('+');
        out.push_str(code);
        out.push_str(nsn);
        out
    };
    if !international {
        // A trunk starting with 0 is required (no national number starts
        // with 0); others, like North America's 1, are often left out.
        let trunk = default_country.trunk;
        let nsn = match digits.strip_prefix(trunk) {
            Some(rest) if !trunk.is_empty() => rest,
            _ if trunk.starts_with("0") => return None,
            _ => digits.as_str(),
        };
        return national_ok(nsn, default_country).then(|| e164(default_country.code, nsn));
    }
    match COUNTRIES.iter().find_map(|c| Some((c, digits.strip_prefix(c.code)?))) {
        Some((country, mut nsn)) => {
            // "+33 (0)6 12 34 56 78": the trunk zero typed after the code.
            if country.trunk == "0" && nsn.len() > country.max as usize {
                nsn = nsn.strip_prefix("0").unwrap_or(nsn);
            }
            national_ok(nsn, country).then(|| e164(country.code, nsn))
        }
        None => {
            let plausible = (8..=15).contains(&digits.len()) && !digits.starts_with("0");
            plausible.then(|| e164(&digits, ""))
        }
    }
}
