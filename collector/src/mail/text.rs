//! What the confirmation mail says, in French and English.

use super::message::ConfirmationMail;
use crate::i18n::lang::Lang;

/// Subject and plain-text body of a mail: the confirmation, or a renewed
/// link to the preference page.
pub fn mail_text(mail: &ConfirmationMail) -> (String, String) {
    if mail.renewal {
        preferences_mail(mail)
    } else {
        confirmation_mail(mail)
    }
}

/// A new link to the preference page, which the subscriber asked for.
fn preferences_mail(mail: &ConfirmationMail) -> (String, String) {
    let (sender, days, url) = (&mail.sender_name, mail.preferences_days, mail.preferences_url.as_deref().unwrap_or_default());
    match mail.lang {
        Lang::Fr => (
            format!("Vos choix – {sender}"),
            format!(
                "Bonjour,\n\nVoici un nouveau lien pour voir et changer ce que {sender} peut vous envoyer, \
                 e-mails et SMS (valable {days} jours) :\n\n{url}\n\n\
                 Si vous n'avez rien demandé, ignorez ce message : rien ne change.\n"
            ),
        ),
        Lang::En => (
            format!("Your choices – {sender}"),
            format!(
                "Hello,\n\nHere is a new link to see and change what {sender} may send you, \
                 e-mail and SMS (it works for {days} days):\n\n{url}\n\n\
                 If you did not ask for it, ignore this message: nothing changes.\n"
            ),
        ),
    }
}

/// Subject and plain-text body of the double opt-in e-mail: it says what the
/// click confirms (the boxes ticked, the phone number, masked).
pub fn confirmation_mail(mail: &ConfirmationMail) -> (String, String) {
    let prefs = |lead: &str| {
        mail.preferences_url
            .as_ref()
            .map(|url| format!("{lead}\n{url}\n\n"))
            .unwrap_or_default()
    };
    let days = mail.preferences_days;
    let ConfirmationMail {
        lang,
        sms,
        sender_name: sender,
        confirm_url,
        unsubscribe_url,
        ttl_hours,
        purposes,
        informed,
        phone,
        ..
    } = mail;
    let list: String = purposes.iter().map(|p| format!("  - {p}\n")).collect();
    match lang {
        Lang::Fr => {
            let ticked = if list.is_empty() {
                String::new()
            } else {
                let lead = if *informed {
                    "Vous avez été informé(e) de ces envois, sans vous y opposer :"
                } else {
                    "Vous avez coché :"
                };
                format!("{lead}\n\n{list}\n")
            };
            let phone = phone
                .as_ref()
                .map(|p| format!("Numéro de téléphone indiqué : {p}\n\n"))
                .unwrap_or_default();
            // The link withdraws the e-mail purposes only: SMS stops by SMS.
            let stop = if *sms {
                format!("\nPour ne plus recevoir de SMS de {sender}, répondez STOP à l'un d'eux.\n")
            } else {
                String::new()
            };
            (
                format!("Confirmez votre inscription – {sender}"),
                format!(
                    "Bonjour,\n\nVous avez demandé à recevoir les messages de {sender}.\n\n\
                     {ticked}{phone}\
                     Pour confirmer, ouvrez ce lien (valable {ttl_hours} heures) :\n\n{confirm_url}\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : \
                     sans confirmation, vous ne recevrez rien.\n\n\
                     {prefs}Pour ne plus recevoir d'e-mails de {sender} :\n{unsubscribe_url}\n{stop}",
                    prefs = prefs(&format!("Pour voir ou changer vos choix, e-mails et SMS (lien valable {days} jours) :"))
                ),
            )
        }
        Lang::En => {
            let ticked = if list.is_empty() {
                String::new()
            } else {
                let lead = if *informed {
                    "You were told of these messages and did not object:"
                } else {
                    "You ticked:"
                };
                format!("{lead}\n\n{list}\n")
            };
            let phone = phone
                .as_ref()
                .map(|p| format!("Phone number given: {p}\n\n"))
                .unwrap_or_default();
            let stop = if *sms {
                format!("\nTo stop receiving SMS from {sender}, reply STOP to any of them.\n")
            } else {
                String::new()
            };
            (
                format!("Please confirm your subscription – {sender}"),
                format!(
                    "Hello,\n\nYou asked to receive messages from {sender}.\n\n\
                     {ticked}{phone}\
                     To confirm, open this link (valid for {ttl_hours} hours):\n\n{confirm_url}\n\n\
                     If you did not ask for this, ignore this message: \
                     without confirmation you will receive nothing.\n\n\
                     {prefs}To stop receiving e-mails from {sender}:\n{unsubscribe_url}\n{stop}",
                    prefs = prefs(&format!("To see or change your choices, e-mail and SMS (this link works for {days} days):"))
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(lang: Lang, purposes: &[&str], phone: Option<&str>) -> String {
        mail_with_sms(lang, purposes, phone, false)
    }

    fn mail_with_sms(lang: Lang, purposes: &[&str], phone: Option<&str>, sms: bool) -> String {
        confirmation_mail(&ConfirmationMail {
            to: "marie@example.org".into(),
            lang,
            sender_name: "Boutique".into(),
            confirm_url: "http://c/v1/confirm?token=c".into(),
            unsubscribe_url: "http://c/v1/unsubscribe?token=u".into(),
            ttl_hours: 48,
            purposes: purposes.iter().map(|p| p.to_string()).collect(),
            phone: phone.map(String::from),
            informed: false,
            sms,
            preferences_url: None,
            preferences_days: 30,
            renewal: false,
        })
        .1
    }

    #[test]
    fn the_mail_says_its_link_stops_e_mail_and_how_sms_stops() {
        let fr = mail_with_sms(
            Lang::Fr,
            &["J'accepte les SMS."],
            Some("+33 6 •• •• •• 78"),
            true,
        );
        assert!(
            fr.ends_with("Pour ne plus recevoir d'e-mails de Boutique :\nhttp://c/v1/unsubscribe?token=u\n\nPour ne plus recevoir de SMS de Boutique, répondez STOP à l'un d'eux.\n"),
            "{fr}"
        );
        assert!(!fr.contains("consentement"), "{fr}");
        let en = mail_with_sms(Lang::En, &["I agree to the newsletter."], None, false);
        assert!(
            en.ends_with(
                "To stop receiving e-mails from Boutique:\nhttp://c/v1/unsubscribe?token=u\n"
            ),
            "{en}"
        );
        assert!(!en.contains("withdraw") && !en.contains("STOP"), "{en}");
        let en = mail_with_sms(Lang::En, &[], None, true);
        assert!(
            en.ends_with("\n\nTo stop receiving SMS from Boutique, reply STOP to any of them.\n"),
            "{en}"
        );
    }

    #[test]
    fn the_mail_says_what_is_confirmed() {
        let fr = mail(
            Lang::Fr,
            &["J'accepte la newsletter.", "J'accepte les SMS."],
            Some("+33 6 •• •• •• 78"),
        );
        assert!(
            fr.contains("Vous avez coché :\n\n  - J'accepte la newsletter.\n  - J'accepte les SMS.\n\nNuméro de téléphone indiqué : +33 6 •• •• •• 78\n\nPour confirmer"),
            "{fr}"
        );
        let en = mail(Lang::En, &["I agree to the newsletter."], None);
        assert!(
            en.contains("You ticked:\n\n  - I agree to the newsletter.\n\nTo confirm"),
            "{en}"
        );
        assert!(!en.contains("Phone"), "{en}");
        let bare = mail(Lang::En, &[], None);
        assert!(bare.contains("from Boutique.\n\nTo confirm"), "{bare}");
    }
}
