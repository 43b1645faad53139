//! What the mail says, in the subscriber's language (the `mail.*` keys of
//! the catalogs).

use super::message::ConfirmationMail;

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
    let lang = mail.lang;
    let days = mail.preferences_days.to_string();
    let vars = [("sender", mail.sender_name.as_str()), ("days", days.as_str())];
    let url = mail.preferences_url.as_deref().unwrap_or_default();
    (
        lang.say("mail.renewal.subject", &vars),
        format!(
            "{}\n\n{}\n\n{url}\n\n{}\n",
            lang.text("mail.hello"),
            lang.say("mail.renewal.intro", &vars),
            lang.text("mail.renewal.ignore"),
        ),
    )
}

/// Subject and plain-text body of the double opt-in e-mail: it says what the
/// click confirms (the boxes ticked, the phone number, masked).
pub fn confirmation_mail(mail: &ConfirmationMail) -> (String, String) {
    let lang = mail.lang;
    let (ttl, days) = (mail.ttl_hours.to_string(), mail.preferences_days.to_string());
    // Each sentence filled in one pass; the links and the shown texts are put
    // after them, never into a template.
    let vars = [
        ("sender", mail.sender_name.as_str()),
        ("ttl_hours", ttl.as_str()),
        ("days", days.as_str()),
        ("phone", mail.phone.as_deref().unwrap_or_default()),
    ];
    let say = |key| lang.say(key, &vars);
    let list: String = mail.purposes.iter().map(|p| format!("  - {p}\n")).collect();
    let ticked = if list.is_empty() {
        String::new()
    } else {
        let lead = if mail.informed { "mail.informed" } else { "mail.ticked" };
        format!("{}\n\n{list}\n", say(lead))
    };
    let phone = mail.phone.as_ref().map(|_| format!("{}\n\n", say("mail.phone"))).unwrap_or_default();
    let prefs = mail
        .preferences_url
        .as_ref()
        .map(|url| format!("{}\n{url}\n\n", say("mail.preferences")))
        .unwrap_or_default();
    // The link withdraws the e-mail purposes only: SMS stops by SMS.
    let stop = if mail.sms { format!("\n{}\n", say("mail.sms_stop")) } else { String::new() };
    (
        say("mail.subject"),
        format!(
            "{hello}\n\n{asked}\n\n{ticked}{phone}{confirm}\n\n{confirm_url}\n\n{ignore}\n\n\
             {prefs}{unsubscribe}\n{unsubscribe_url}\n{stop}",
            hello = say("mail.hello"),
            asked = say("mail.asked"),
            confirm = say("mail.confirm"),
            confirm_url = mail.confirm_url,
            ignore = say("mail.ignore"),
            unsubscribe = say("mail.unsubscribe"),
            unsubscribe_url = mail.unsubscribe_url,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::lang::Lang;

    fn mail(lang: Lang, purposes: &[&str], phone: Option<&str>) -> String {
        mail_with_sms(lang, purposes, phone, false)
    }

    /// A mail in `lang` from "Boutique" with the given boxes, phone and SMS.
    fn sample(lang: Lang, purposes: &[&str], phone: Option<&str>, sms: bool) -> ConfirmationMail {
        ConfirmationMail {
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
        }
    }

    fn mail_with_sms(lang: Lang, purposes: &[&str], phone: Option<&str>, sms: bool) -> String {
        confirmation_mail(&sample(lang, purposes, phone, sms)).1
    }

    #[test]
    fn the_mail_says_its_link_stops_e_mail_and_how_sms_stops() {
        let fr = mail_with_sms(
            Lang::FR,
            &["J'accepte les SMS."],
            Some("+33 6 •• •• •• 78"),
            true,
        );
        assert!(
            fr.ends_with("Pour ne plus recevoir d'e-mails de Boutique :\nhttp://c/v1/unsubscribe?token=u\n\nPour ne plus recevoir de SMS de Boutique, répondez STOP à l'un d'eux.\n"),
            "{fr}"
        );
        assert!(!fr.contains("consentement"), "{fr}");
        let en = mail_with_sms(Lang::EN, &["I agree to the newsletter."], None, false);
        assert!(
            en.ends_with(
                "To stop receiving e-mails from Boutique:\nhttp://c/v1/unsubscribe?token=u\n"
            ),
            "{en}"
        );
        assert!(!en.contains("withdraw") && !en.contains("STOP"), "{en}");
        let en = mail_with_sms(Lang::EN, &[], None, true);
        assert!(
            en.ends_with("\n\nTo stop receiving SMS from Boutique, reply STOP to any of them.\n"),
            "{en}"
        );
    }

    #[test]
    fn the_mail_says_what_is_confirmed() {
        let fr = mail(
            Lang::FR,
            &["J'accepte la newsletter.", "J'accepte les SMS."],
            Some("+33 6 •• •• •• 78"),
        );
        assert!(
            fr.contains("Vous avez coché :\n\n  - J'accepte la newsletter.\n  - J'accepte les SMS.\n\nNuméro de téléphone indiqué : +33 6 •• •• •• 78\n\nPour confirmer"),
            "{fr}"
        );
        let en = mail(Lang::EN, &["I agree to the newsletter."], None);
        assert!(
            en.contains("You ticked:\n\n  - I agree to the newsletter.\n\nTo confirm"),
            "{en}"
        );
        assert!(!en.contains("Phone"), "{en}");
        let bare = mail(Lang::EN, &[], None);
        assert!(bare.contains("from Boutique.\n\nTo confirm"), "{bare}");
    }

    #[test]
    fn every_language_has_its_mails_with_every_placeholder_filled() {
        for (tag, _) in crate::i18n::catalog::FILES {
            let lang = Lang::from_locale(tag);
            let mut mail = ConfirmationMail {
                preferences_url: Some("http://c/v1/preferences?token=p".into()),
                ..sample(lang, &["Box"], Some("+33 6 •• •• •• 78"), true)
            };
            let (subject, body) = mail_text(&mail);
            assert_eq!(subject, lang.say("mail.subject", &[("sender", "Boutique")]), "{tag}");
            for part in [lang.text("mail.hello"), lang.text("mail.ignore")] {
                assert!(body.contains(part), "{tag}: {body}");
            }
            assert!(body.contains("48") && body.contains("30") && body.contains("+33 6 •• •• •• 78") && body.contains("STOP"), "{tag}: {body}");
            for url in ["confirm?token=c", "unsubscribe?token=u", "preferences?token=p"] {
                assert!(body.contains(url), "{tag}: {url} in {body}");
            }
            mail.renewal = true;
            let (subject, renewal) = mail_text(&mail);
            assert!(subject.contains("Boutique") && renewal.contains("preferences?token=p") && !renewal.contains("confirm?"), "{tag}: {renewal}");
            for text in [&body, &renewal] {
                assert_eq!(text.find(['{', '}']), None, "{tag}: {text}");
            }
        }
    }
}
