//! Field checks: e-mail addresses and URLs.

use crate::config::Says;
use crate::text::{all_bytes, all_chars, find_byte, parts, split_first, split_last};

/// Whether `email` is a plausible address: one `@`, a local part without
/// spaces, and a domain with at least one dot and valid labels.
pub fn email(email: &str) -> bool {
    let Some((local, domain)) = split_last(email, b'@') else { return false };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with(".")
        && !local.ends_with(".")
        && !has_double_dot(local)
        && all_chars(local, |c| !c.is_whitespace() && !c.is_control() && !matches!(c, '@' | '<' | '>' | '(' | ')' | '[' | ']' | '\\' | ',' | ';' | ':' | '"'));
    let labels_ok = parts(domain, b'.').iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with("-")
            && !label.ends_with("-")
            // Non-ASCII letters are internationalised domain names; the
            // collector and the mail server judge those further.
            && all_chars(label, |c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && !c.is_whitespace()))
    });
    let tld = split_last(domain, b'.').map_or(domain, |(_, tld)| tld);
    // Two characters at least: two steps of the char iterator, not a count.
    let mut chars = tld.chars();
    let tld_ok = chars.next().is_some() && chars.next().is_some() && !all_bytes(tld, |b| b.is_ascii_digit());
    local_ok && split_first(domain, b'.').is_some() && domain.len() <= 253 && labels_ok && tld_ok && email.len() <= 254
}

/// Checks a URL the widget links to or posts to: `http://` or `https://` with
/// a host, or a root-relative path (`/policies/privacy-policy`) resolved
/// against the page.
///
/// # Errors
/// The sentence saying what is wrong.
pub fn url(url: &str) -> Result<(), Says> {
    if !all_chars(url, |c| !c.is_whitespace() && !c.is_control()) {
        return Err(Says::NotHttpSpace);
    }
    // Browsers read `\` as `/`: "/\\evil.example" would leave the shop's origin.
    if find_byte(url, |b| b == b'\\', true).is_some() {
        return Err(Says::NotHttpBackslash);
    }
    if url.starts_with("/") && !url.starts_with("//") {
        return Ok(());
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    // `get`, not indexing: no slicing panic path ships in the wasm.
    let rest = if lower.starts_with("https://") {
        url.get(8..).unwrap_or_default()
    } else if lower.starts_with("http://") {
        url.get(7..).unwrap_or_default()
    } else {
        return Err(Says::NotHttpScheme);
    };
    let end = find_byte(rest, |b| matches!(b, b'/' | b'?' | b'#'), true).unwrap_or(rest.len());
    let host = rest.get(..end).unwrap_or_default();
    let host = split_last(host, b'@').map_or(host, |(_, h)| h);
    let (name, port) = match host.strip_prefix("[") {
        Some(v6) => split_first(v6, b']').unwrap_or((host, "")),
        None => split_first(host, b':').unwrap_or((host, "")),
    };
    let port = port.strip_prefix(":").unwrap_or(port);
    if !all_bytes(port, |b| b.is_ascii_digit()) {
        return Err(Says::NotHttpPort);
    }
    if name.is_empty() || name.starts_with(".") || has_double_dot(name) {
        return Err(Says::NotHttpHost);
    }
    Ok(())
}

/// Whether `s` has two dots in a row (a byte test: no substring search code).
fn has_double_dot(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == b"..")
}
