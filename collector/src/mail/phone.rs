//! The phone number as a mail shows it: masked.

/// An E.164 number with all but its last two digits hidden, so that a mail
/// read or forwarded by someone else does not give the number away, while the
/// subscriber still recognises it: `+33 6 •• •• •• 78` for a French number,
/// `+•• •• •• •• 78` style groups of two for any other.
pub fn mask_phone(e164: &str) -> Option<String> {
    let digits: String = e164.strip_prefix('+')?.chars().collect();
    if digits.len() < 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let last = &digits[digits.len() - 2..];
    if let Some(national) = digits.strip_prefix("33").filter(|n| n.len() == 9) {
        return Some(format!("+33 {} •• •• •• {last}", &national[..1]));
    }
    let hidden = digits.len() - 2;
    let mut groups = vec!["••"; hidden / 2];
    if hidden % 2 == 1 {
        groups.insert(0, "•");
    }
    Some(format!("+{} {last}", groups.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_only_their_last_two_digits() {
        assert_eq!(
            mask_phone("+33612345678").as_deref(),
            Some("+33 6 •• •• •• 78")
        );
        assert_eq!(
            mask_phone("+4915112345678").as_deref(),
            Some("+• •• •• •• •• •• 78")
        );
        assert_eq!(
            mask_phone("+12025550143").as_deref(),
            Some("+• •• •• •• •• 43")
        );
        assert_eq!(mask_phone("0612345678"), None);
        assert_eq!(mask_phone("+33 6 12"), None);
    }
}
