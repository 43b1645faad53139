//! `issuedAt` timestamps: RFC 3339, UTC, milliseconds, one spelling only.
//!
//! The only accepted form is `YYYY-MM-DDTHH:MM:SS.mmmZ` (24 characters), the
//! output of JavaScript's `Date.prototype.toISOString()` for years 0000..9999.
//! One spelling per instant keeps the payload canonical. The clock is never
//! read here: callers pass milliseconds since the Unix epoch.

/// Formats milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
///
/// Returns `None` outside years 0000..=9999.
///
/// ```
/// use consent_proof::timestamp::format_millis;
/// assert_eq!(format_millis(0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
/// assert_eq!(format_millis(1_795_947_302_481).as_deref(), Some("2026-11-29T10:15:02.481Z"));
/// ```
pub fn format_millis(ms: i64) -> Option<String> {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut out = String::with_capacity(24);
    push_digits(&mut out, year, 4);
    out.push('-');
    push_digits(&mut out, i64::from(month), 2);
    out.push('-');
    push_digits(&mut out, i64::from(day), 2);
    out.push('T');
    push_digits(&mut out, in_day / 3_600_000, 2);
    out.push(':');
    push_digits(&mut out, in_day / 60_000 % 60, 2);
    out.push(':');
    push_digits(&mut out, in_day / 1000 % 60, 2);
    out.push('.');
    push_digits(&mut out, in_day % 1000, 3);
    out.push('Z');
    Some(out)
}

/// Parses `YYYY-MM-DDTHH:MM:SS.mmmZ` into milliseconds since the Unix epoch.
///
/// Returns `None` for any other spelling (offsets, lowercase `t`/`z`, missing
/// or extra fraction digits, leap second 60) and for impossible dates.
///
/// ```
/// use consent_proof::timestamp::parse_millis;
/// assert_eq!(parse_millis("2026-11-29T10:15:02.481Z"), Some(1_795_947_302_481));
/// assert_eq!(parse_millis("2026-11-29T10:15:02Z"), None);
/// assert_eq!(parse_millis("2026-02-29T00:00:00.000Z"), None);
/// ```
pub fn parse_millis(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 24 {
        return None;
    }
    for (i, sep) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ] {
        if b.get(i) != Some(&sep) {
            return None;
        }
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        b.get(from..from + len)?.iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second, milli) = (num(11, 2)?, num(14, 2)?, num(17, 2)?, num(20, 3)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli)
}

/// Appends `n` zero-padded to `width` digits (`n` is non-negative and fits).
fn push_digits(out: &mut String, n: i64, width: u32) {
    let mut div = 10i64.pow(width - 1);
    while div > 0 {
        out.push(char::from(b'0' + (n / div % 10) as u8));
        div /= 10;
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// The two conversions below are Howard Hinnant's `days_from_civil` /
// `civil_from_days` (proleptic Gregorian calendar, 400-year eras).

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_across_eras() {
        let mut ms = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
        while ms < 253_402_300_800_000 {
            // 10000-01-01
            let text = format_millis(ms).unwrap();
            assert_eq!(parse_millis(&text), Some(ms), "{text}");
            ms += 77_777_777_777;
        }
        assert_eq!(format_millis(-62_167_219_200_001), None);
        assert_eq!(format_millis(253_402_300_800_000), None);
    }

    #[test]
    fn knows_leap_years() {
        assert!(parse_millis("2024-02-29T23:59:59.999Z").is_some());
        assert!(parse_millis("2000-02-29T00:00:00.000Z").is_some());
        assert!(parse_millis("1900-02-29T00:00:00.000Z").is_none());
    }

    #[test]
    fn refuses_other_spellings() {
        for bad in [
            "2026-11-29T10:15:02.481+00:00",
            "2026-11-29t10:15:02.481Z",
            "2026-11-29T10:15:02.48Z",
            "2026-11-29T10:15:02.4810Z",
            "2026-11-29T24:00:00.000Z",
            "2026-11-29T10:15:60.000Z",
            "2026-13-01T00:00:00.000Z",
            "2026-11-31T00:00:00.000Z",
            "+2026-11-29T10:15:02.48Z",
            "2026-11-29T10:1a:02.481Z",
        ] {
            assert_eq!(parse_millis(bad), None, "{bad}");
        }
    }
}
