//! What a proof granted, as the subscriber saw it: the purposes ticked with
//! the exact text next to each box, and the phone number, masked.

use serde_json::Value;

/// One purpose the subscriber ticked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Granted {
    /// Purpose id.
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The text shown next to its box, whitespace collapsed; the id when the
    /// texts are gone (pruned, or a proof that did not record them).
    pub label: String,
}

/// The purposes granted by a proof payload, in the proof's order. `shown` is
/// the proof's `texts.shown` object, which the stored body keeps apart.
pub fn granted(payload: &Value, shown: Option<&Value>) -> Vec<Granted> {
    let shown = shown.or_else(|| payload.get("texts").and_then(|t| t.get("shown")));
    payload["purposes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["choice"] == "granted")
        .filter_map(|p| {
            let id = p["id"].as_str()?;
            // The widget records each box's text under `purpose.<id>`.
            let label = shown
                .and_then(|s| s.get(format!("purpose.{id}")))
                .and_then(Value::as_str)
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| id.to_string());
            Some(Granted {
                id: id.to_string(),
                channel: p["channel"].as_str().unwrap_or_default().to_string(),
                label,
            })
        })
        .collect()
}

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
    use serde_json::json;

    #[test]
    fn the_ticked_purposes_with_the_text_shown_next_to_their_box() {
        let payload = json!({
            "purposes": [
                {"id": "newsletter", "channel": "email", "choice": "granted"},
                {"id": "partners", "channel": "email", "choice": "refused"},
                {"id": "sms", "channel": "sms", "choice": "granted"},
                {"id": "gone", "channel": "email", "choice": "granted"},
            ],
            "texts": {"shown": {
                "purpose.newsletter": "J'accepte la newsletter.",
                "purpose.partners": "Partenaires",
                "purpose.sms": "J'accepte les SMS.\nRépondez STOP.",
            }},
        });
        let labels: Vec<(String, String, String)> = granted(&payload, None)
            .into_iter()
            .map(|g| (g.id, g.channel, g.label))
            .collect();
        let owned = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            labels,
            vec![
                owned("newsletter", "email", "J'accepte la newsletter."),
                owned("sms", "sms", "J'accepte les SMS. Répondez STOP."),
                owned("gone", "email", "gone"),
            ]
        );
        // Texts given apart, as the stored body keeps them.
        let shown = json!({"purpose.gone": "Back"});
        assert_eq!(granted(&payload, Some(&shown))[2].label, "Back");
    }

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
