//! Schema rules a proof must satisfy beyond its JSON shape.
//!
//! Pure and dependency-free, so the widget can check a record before signing
//! it and the verifier applies the very same rules. Hash *values* (that
//! `texts.sha256` really is the digest of `shown`) need SHA-256 and are checked
//! by the `verify` feature; here only their spelling is.

use std::fmt;

use crate::record::{Choice, Kind, Proof};
use crate::timestamp;

/// A payload that breaks a schema rule: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// The JSON path of the offending member, e.g. `purposes[1].choice`.
    pub field: String,
    /// What is wrong with it, lowercase.
    pub reason: String,
}

impl SchemaError {
    /// A violation at `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        SchemaError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "schema violation at `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for SchemaError {}

/// Fails with a [`SchemaError`] at `field` unless `ok`.
fn rule(ok: bool, field: &str, reason: &str) -> Result<(), SchemaError> {
    if ok {
        Ok(())
    } else {
        Err(SchemaError::new(field, reason))
    }
}

fn field_at(list: &str, index: usize, member: &str) -> String {
    let mut s = String::from(list);
    s.push('[');
    // Hand-rolled digits: keeps core::fmt's integer code out of the wasm.
    let mut digits = Vec::new();
    let mut n = index;
    loop {
        digits.push(char::from(b'0' + (n % 10) as u8));
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.extend(digits.iter().rev());
    s.push_str("].");
    s.push_str(member);
    s
}

impl Proof {
    /// Checks every schema rule that needs no hashing.
    ///
    /// # Errors
    /// The first rule broken, naming the field.
    pub fn check(&self) -> Result<(), SchemaError> {
        const NOT_EMPTY: &str = "must not be empty";
        const SHA256: &str = "must be lowercase hex sha-256";
        let prev_ok = match &self.prev {
            Some(prev) => is_sha256_hex(prev),
            // A withdrawal must name the proof it withdraws from.
            None => self.kind == Kind::Consent,
        };
        let version = self.privacy_policy.version.as_deref();
        // Checked in this order; the first broken rule is reported.
        #[rustfmt::skip]
        let rules: [(bool, &str, &str); 21] = [
            (is_uuid(&self.id), "id", "must be a lowercase uuid"),
            (timestamp::parse_millis(&self.issued_at).is_some(), "issuedAt", "must be YYYY-MM-DDTHH:MM:SS.mmmZ"),
            (is_web_url(&self.site.origin), "site.origin", "must be an http(s) origin"),
            (is_web_url(&self.site.page), "site.page", "must be an http(s) url"),
            (!self.controller.name.is_empty(), "controller.name", NOT_EMPTY),
            (!self.controller.contact.is_empty(), "controller.contact", NOT_EMPTY),
            (is_country(&self.jurisdiction), "jurisdiction", "must be an iso 3166-1 alpha-2 code"),
            (is_email(&self.subject.email), "subject.email", "must be an e-mail address"),
            (self.subject.phone.as_deref().map_or(true, is_e164), "subject.phone", "must be e.164"),
            (is_language_tag(&self.locale), "locale", "must be a bcp 47 language tag"),
            (is_web_url(&self.privacy_policy.url), "privacyPolicy.url", "must be an http(s) url"),
            (version != Some(""), "privacyPolicy.version", "must be absent rather than empty"),
            (!self.form.id.is_empty(), "form.id", NOT_EMPTY),
            (!self.form.version.is_empty(), "form.version", NOT_EMPTY),
            (!self.form.widget.is_empty(), "form.widget", NOT_EMPTY),
            (is_sha256_hex(&self.texts.sha256), "texts.sha256", SHA256),
            (!self.texts.shown.is_empty(), "texts.shown", NOT_EMPTY),
            (self.texts.shown.duplicate_key().is_none(), "texts.shown", "keys must be unique"),
            (!self.purposes.is_empty(), "purposes", NOT_EMPTY),
            (!self.mechanism.is_empty(), "mechanism", NOT_EMPTY),
            (prev_ok, "prev", "must be lowercase hex sha-256, or null in a consent record"),
        ];
        for (ok, field, reason) in rules {
            rule(ok, field, reason)?;
        }
        for (i, p) in self.purposes.iter().enumerate() {
            let fits = match self.kind {
                Kind::Consent => p.basis.allows(p.choice),
                Kind::Withdrawal => p.choice == Choice::Withdrawn,
            };
            #[rustfmt::skip]
            let rules = [
                (!p.id.is_empty(), "id", NOT_EMPTY),
                (self.purposes.iter().take(i).all(|q| q.id != p.id), "id", "must be unique"),
                (fits, "choice", "does not fit the basis and kind"),
                (is_sha256_hex(&p.text_sha256), "textSha256", SHA256),
            ];
            for (ok, member, reason) in rules {
                if !ok {
                    return Err(SchemaError::new(field_at("purposes", i, member), reason));
                }
            }
        }
        Ok(())
    }
}

/// `8-4-4-4-12` lowercase hex digits.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
        })
}

/// 64 lowercase hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// E.164: `+`, a non-zero digit, then 1 to 14 more digits.
pub fn is_e164(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or("");
    (2..=15).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|c| c.is_ascii_digit())
}

/// A plausible address: one `@` with text on both sides, a dot in the domain, no spaces.
///
/// Deliberately loose: the double opt-in e-mail is the real check.
pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or("");
    !rest.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_country(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|c| c.is_ascii_uppercase())
}

/// Subtags of 1 to 8 ASCII letters or digits joined by `-`, the first all letters.
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats() {
        assert!(is_uuid("0193f0a2-7c4e-7d1a-9a55-1c2f3e4d5a6b"));
        assert!(!is_uuid("0193F0A2-7C4E-7D1A-9A55-1C2F3E4D5A6B"));
        assert!(!is_uuid("0193f0a2-7c4e-7d1a-9a55-1c2f3e4d5a6"));
        assert!(is_e164("+33612345678"));
        assert!(!is_e164("0612345678"));
        assert!(!is_e164("+0612345678"));
        assert!(!is_e164("+3361234567890123"));
        assert!(is_email("marie@example.org"));
        assert!(!is_email("marie@example"));
        assert!(!is_email("ma rie@example.org"));
        assert!(is_language_tag("fr") && is_language_tag("fr-BE") && is_language_tag("zh-Hant-TW"));
        assert!(!is_language_tag("") && !is_language_tag("f") && !is_language_tag("fr_BE"));
    }
}
