//! The typed view of a verified proof: all the collector reads of a proof
//! once it is verified. It is built in this folder only, from the verifier's
//! typed record ([`consent_proof::Proof`]): on arrival by [`super::verify`],
//! and for a stored proof by [`super::stored::read`], which parses the
//! stored payload into the same record type. Nothing after verification
//! reads a proof field by its JSON key.

use consent_proof::{Channel, Choice, DoubleOptIn, Kind, Proof, Regime};

/// One purpose as the proof records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurposeView {
    /// Purpose id.
    pub id: String,
    /// The channel it reaches the subject through.
    pub channel: Channel,
    /// What the subject chose.
    pub choice: Choice,
    /// What the subject was shown about it, whitespace collapsed: the box
    /// ticked under consent, the sentence saying what will be sent under the
    /// opt-out regimes (whose box is an objection, left unticked); the id
    /// when the texts are gone (pruned, or not recorded).
    pub label: String,
}

impl PurposeView {
    /// Whether messages may be sent for it (see [`Choice::allows_sending`]).
    pub fn allows_sending(&self) -> bool {
        self.choice.allows_sending()
    }
}

/// A verified proof, as the collector uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofView {
    /// The record id (the idempotency key).
    pub id: String,
    /// A consent or a withdrawal.
    pub kind: Kind,
    /// The site origin the form was on.
    pub origin: String,
    /// The form's id.
    pub form_id: String,
    /// The form's version.
    pub form_version: String,
    /// Who the subject signed up with: the controller's name, else the site origin.
    pub controller: String,
    /// The legal regime of the form.
    pub regime: Regime,
    /// The subject's e-mail address, as given, trimmed.
    pub email: String,
    /// The subject's phone number (E.164), if given.
    pub phone: Option<String>,
    /// BCP 47 tag of the texts shown.
    pub locale: String,
    /// Whether a confirmation e-mail was requested.
    pub double_opt_in: DoubleOptIn,
    /// Every purpose offered (in a withdrawal: those withdrawn), in order.
    pub purposes: Vec<PurposeView>,
    /// SHA-256 (hex) of the texts shown.
    pub texts_sha256: String,
    /// SHA-256 (hex) of the previous proof of this browser key, or of the
    /// consent a withdrawal withdraws from.
    pub prev: Option<String>,
    /// The browser key's RFC 7638 thumbprint (the header's `kid`).
    pub key_thumbprint: String,
}

impl ProofView {
    /// The view of a record, signed by the key whose thumbprint is `kid`.
    pub(super) fn new(record: &Proof, kid: &str) -> Self {
        let shown = |key: String| {
            record
                .texts
                .shown
                .get(&key)
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|t| !t.is_empty())
        };
        let purposes = record
            .purposes
            .iter()
            .map(|p| {
                // The widget records each box's text under `purpose.<id>` and,
                // under the opt-out regimes, what will be sent under
                // `purpose.<id>.inform`: the box there is an objection.
                let informed = (p.choice == Choice::NotObjected)
                    .then(|| shown(format!("purpose.{}.inform", p.id)))
                    .flatten();
                PurposeView {
                    id: p.id.clone(),
                    channel: p.channel,
                    choice: p.choice,
                    label: informed
                        .or_else(|| shown(format!("purpose.{}", p.id)))
                        .unwrap_or_else(|| p.id.clone()),
                }
            })
            .collect();
        let name = record.controller.name.trim();
        ProofView {
            id: record.id.clone(),
            kind: record.kind,
            origin: record.site.origin.clone(),
            form_id: record.form.id.clone(),
            form_version: record.form.version.clone(),
            controller: if name.is_empty() {
                record.site.origin.clone()
            } else {
                name.to_string()
            },
            regime: record.regime,
            email: record.subject.email.trim().to_string(),
            phone: record.subject.phone.clone(),
            locale: record.locale.clone(),
            double_opt_in: record.double_opt_in,
            purposes,
            texts_sha256: record.texts.sha256.clone(),
            prev: record.prev.clone(),
            key_thumbprint: kid.to_string(),
        }
    }

    /// The e-mail address as the collector keys subjects: trimmed, lowercase.
    pub fn subject_key(&self) -> String {
        self.email.to_lowercase()
    }

    /// Whether it asks for a confirmation e-mail (see [`consent_proof::asks_confirmation`]).
    pub fn asks_confirmation(&self) -> bool {
        consent_proof::asks_confirmation(
            self.kind,
            self.double_opt_in,
            self.purposes.iter().map(|p| p.choice),
        )
    }

    /// The purposes whose choice allows sending, in order.
    pub fn sending(&self) -> impl Iterator<Item = &PurposeView> {
        self.purposes.iter().filter(|p| p.allows_sending())
    }

    /// The ids of the purposes that allow sending by e-mail: what an
    /// e-mail unsubscribe link withdraws.
    pub fn email_sending_ids(&self) -> Vec<String> {
        self.sending()
            .filter(|p| p.channel == Channel::Email)
            .map(|p| p.id.clone())
            .collect()
    }

    /// Whether withdrawing `withdrawn` (purpose ids) leaves nothing of this
    /// consent to confirm: all it allows sending, or all it allows sending
    /// by e-mail (what the confirmation mail is for).
    pub fn confirmation_withdrawn_by(&self, withdrawn: &[String]) -> bool {
        let gone = |p: &&PurposeView| withdrawn.contains(&p.id);
        let email: Vec<&PurposeView> = self
            .sending()
            .filter(|p| p.channel == Channel::Email)
            .collect();
        self.sending().all(|p| gone(&p)) || (!email.is_empty() && email.iter().all(gone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent_proof::{Basis, ShownTexts};

    fn view(regime: Regime, choices: [Choice; 3], shown: &[(&str, &str)]) -> ProofView {
        let mut record = consent_proof::fixture::proof();
        record.regime = regime;
        for (purpose, choice) in record.purposes.iter_mut().zip(choices) {
            purpose.choice = choice;
            if regime != Regime::B2c {
                purpose.basis = Basis::LegitimateInterest;
            }
        }
        let mut texts = ShownTexts::new();
        for (key, text) in shown {
            texts.push(*key, *text);
        }
        record.texts.shown = texts;
        ProofView::new(&record, "kid")
    }

    #[test]
    fn a_ticked_box_is_labelled_with_its_text_and_a_gone_text_with_the_id() {
        use Choice::*;
        let v = view(
            Regime::B2c,
            [Granted, Refused, Granted],
            &[("purpose.newsletter", "J'accepte\n la  newsletter.")],
        );
        let sending: Vec<(&str, &str)> = v
            .sending()
            .map(|p| (p.id.as_str(), p.label.as_str()))
            .collect();
        assert_eq!(
            sending,
            [("newsletter", "J'accepte la newsletter."), ("sms", "sms")]
        );
        assert_eq!(v.email_sending_ids(), ["newsletter"]);
        assert!(v.asks_confirmation());
        assert_eq!(
            (v.key_thumbprint.as_str(), v.controller.as_str()),
            ("kid", "Boutique Exemple SAS")
        );
    }

    #[test]
    fn under_b2b_what_was_not_objected_to_is_labelled_with_what_the_form_said_would_be_sent() {
        use Choice::*;
        let v = view(
            Regime::B2b,
            [NotObjected, Objected, NotObjected],
            &[
                (
                    "purpose.newsletter",
                    "Je ne souhaite pas recevoir la newsletter.",
                ),
                (
                    "purpose.newsletter.inform",
                    "Nous vous enverrons la newsletter.",
                ),
                ("purpose.partners.inform", "Nous vous enverrons les offres."),
            ],
        );
        let sending: Vec<(&str, &str)> = v
            .sending()
            .map(|p| (p.id.as_str(), p.label.as_str()))
            .collect();
        assert_eq!(
            sending,
            [
                ("newsletter", "Nous vous enverrons la newsletter."),
                ("sms", "sms")
            ]
        );
        assert_eq!(v.email_sending_ids(), ["newsletter"]);
        assert!(v.asks_confirmation());
        let objected_to_all = view(Regime::B2b, [Objected, Objected, Objected], &[]);
        assert!(!objected_to_all.asks_confirmation());
    }

    #[test]
    fn a_withdrawal_cancels_the_confirmation_once_nothing_by_e_mail_or_nothing_at_all_is_left() {
        use Choice::*;
        let v = view(Regime::SoftOptIn, [NotObjected, Objected, NotObjected], &[]);
        let ids = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(v.confirmation_withdrawn_by(&ids(&["newsletter"])));
        assert!(v.confirmation_withdrawn_by(&ids(&["newsletter", "sms"])));
        assert!(!v.confirmation_withdrawn_by(&ids(&["sms"])));
        assert!(!v.confirmation_withdrawn_by(&ids(&["partners"])));
        // Nothing by e-mail: only withdrawing everything leaves nothing to confirm.
        let sms_only = view(Regime::B2c, [Refused, Refused, Granted], &[]);
        assert!(!sms_only.confirmation_withdrawn_by(&ids(&["newsletter"])));
        assert!(sms_only.confirmation_withdrawn_by(&ids(&["sms"])));
    }
}
