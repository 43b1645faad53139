//! What the subscriber reads, in French and English: mail and pages.

use crate::mail::ConfirmationMail;

/// A supported language; anything else falls back to English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// From a BCP 47 tag such as `fr-BE`.
    pub fn from_locale(locale: &str) -> Self {
        let primary = locale.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// The preferred of French and English in an `Accept-Language` header,
    /// by weight; French, the product's default, when it names neither.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            let lang = if primary.eq_ignore_ascii_case("fr") {
                Lang::Fr
            } else if primary.eq_ignore_ascii_case("en") {
                Lang::En
            } else {
                continue;
            };
            // The first of equal weights wins, as listed.
            if weight > 0.0 && best.map_or(true, |(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Lang::Fr, |(_, lang)| lang)
    }

    /// The `lang` attribute value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// The pages a link can lead to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// A confirm link opened: what it confirms, and a button that does it.
    ConfirmAsk,
    /// The subscription is confirmed.
    Confirmed,
    /// The confirm link was used already: the subscription is confirmed.
    AlreadyConfirmed,
    /// The consent was withdrawn since the confirm link was sent (or since
    /// it was used): there is nothing to confirm.
    Withdrawn,
    /// An unsubscribe link opened: what it withdraws, and a button that does it.
    UnsubscribeAsk,
    /// The e-mail purposes are withdrawn.
    Unsubscribed,
    /// Unsubscribed earlier; nothing changed.
    AlreadyUnsubscribed,
    /// The link has expired.
    Expired,
    /// The link is unknown.
    Unknown,
}

/// What a page says about the signup behind its link.
#[derive(Clone, Debug, Default)]
pub struct Signup {
    /// Who the subscriber signed up with (controller, else site origin).
    pub controller: Option<String>,
    /// The texts of every box ticked.
    pub granted: Vec<String>,
    /// The texts of the e-mail boxes ticked: what the unsubscribe link withdraws.
    pub email: Vec<String>,
    /// Whether SMS consent was given too, which the e-mail link leaves in place.
    pub sms: bool,
}

/// The words of a page: a title, a sentence, a list, a closing sentence, and
/// the label of the button that acts, on the pages that ask first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageText {
    /// The title and heading.
    pub title: String,
    /// The first paragraph.
    pub intro: String,
    /// Items listed after it (box texts).
    pub list: Vec<String>,
    /// The paragraph after the list.
    pub outro: Option<String>,
    /// The button that performs the action (POST to the same link).
    pub button: Option<String>,
}

/// The text of a page, in `lang`, about `signup`.
pub fn page(lang: Lang, which: Page, signup: &Signup) -> PageText {
    let fr = lang == Lang::Fr;
    let who = signup
        .controller
        .clone()
        .unwrap_or_else(|| if fr { "ce site" } else { "this site" }.into());
    // A colon only before a list that is there.
    let lead = |list: &[String]| {
        if list.is_empty() {
            "."
        } else if fr {
            " :"
        } else {
            ":"
        }
    };
    let sms_stays = signup.sms.then(|| {
        if fr {
            "Cela ne concerne que les e-mails : votre consentement aux SMS reste enregistré. Pour ne plus recevoir de SMS, répondez STOP à l'un d'eux.".to_string()
        } else {
            "This concerns e-mail only: your consent to text messages stays recorded. To stop them, reply STOP to any of them.".to_string()
        }
    });
    let text = |title: &str,
                intro: String,
                list: &[String],
                outro: Option<String>,
                button: Option<&str>| PageText {
        title: title.into(),
        intro,
        list: list.to_vec(),
        outro,
        button: button.map(String::from),
    };
    match (fr, which) {
        (true, Page::ConfirmAsk) => text(
            "Confirmer votre inscription",
            format!("Vous avez demandé à recevoir les messages de {who}{}", if signup.granted.is_empty() { ".".into() } else { ". Vous avez coché :".to_string() }),
            &signup.granted,
            Some("Pour confirmer, utilisez le bouton ci-dessous. Sans confirmation, vous ne recevrez rien.".into()),
            Some("Confirmer mon inscription"),
        ),
        (false, Page::ConfirmAsk) => text(
            "Confirm your subscription",
            format!("You asked to receive messages from {who}{}", if signup.granted.is_empty() { ".".into() } else { ". You ticked:".to_string() }),
            &signup.granted,
            Some("To confirm, use the button below. Without confirmation you will receive nothing.".into()),
            Some("Confirm my subscription"),
        ),
        (true, Page::Confirmed) => text(
            "Inscription confirmée",
            format!("Merci : votre inscription à {who} est confirmée."),
            &[],
            Some("Vous pouvez vous désinscrire à tout moment par le lien présent dans chaque message.".into()),
            None,
        ),
        (false, Page::Confirmed) => text(
            "Subscription confirmed",
            format!("Thank you: your subscription to {who} is confirmed."),
            &[],
            Some("You can unsubscribe at any time with the link in every message.".into()),
            None,
        ),
        (true, Page::AlreadyConfirmed) => text(
            "Inscription déjà confirmée",
            format!("Votre inscription à {who} a déjà été confirmée : il n'y a rien d'autre à faire."),
            &[],
            None,
            None,
        ),
        (false, Page::AlreadyConfirmed) => text(
            "Subscription already confirmed",
            format!("Your subscription to {who} was already confirmed: there is nothing more to do."),
            &[],
            None,
            None,
        ),
        (true, Page::Withdrawn) => text(
            "Rien à confirmer",
            format!("Vous vous êtes désinscrit des messages de {who} depuis l'envoi de ce lien : il n'y a rien à confirmer."),
            &[],
            Some("Pour vous inscrire de nouveau, utilisez le formulaire du site.".into()),
            None,
        ),
        (false, Page::Withdrawn) => text(
            "Nothing to confirm",
            format!("You unsubscribed from {who} after this link was sent: there is nothing to confirm."),
            &[],
            Some("To sign up again, use the form on the site.".into()),
            None,
        ),
        (true, Page::UnsubscribeAsk) => text(
            "Se désinscrire des e-mails",
            format!("Ce bouton retire votre consentement aux e-mails de {who}{}", lead(&signup.email)),
            &signup.email,
            signup.sms.then(|| "Votre consentement aux SMS n'est pas concerné : pour ne plus en recevoir, répondez STOP à l'un d'eux.".into()),
            Some("Me désinscrire des e-mails"),
        ),
        (false, Page::UnsubscribeAsk) => text(
            "Unsubscribe from e-mails",
            format!("This button withdraws your consent to e-mails from {who}{}", lead(&signup.email)),
            &signup.email,
            signup.sms.then(|| "Your consent to text messages is not affected: to stop them, reply STOP to any of them.".into()),
            Some("Unsubscribe from e-mails"),
        ),
        (true, Page::Unsubscribed) => text(
            "Désinscription enregistrée",
            format!("Votre désinscription est enregistrée : vous ne recevrez plus ces e-mails de {who}{}", lead(&signup.email)),
            &signup.email,
            sms_stays,
            None,
        ),
        (false, Page::Unsubscribed) => text(
            "Unsubscribed",
            format!("Your unsubscription is recorded: you will no longer receive these e-mails from {who}{}", lead(&signup.email)),
            &signup.email,
            sms_stays,
            None,
        ),
        (true, Page::AlreadyUnsubscribed) => text(
            "Déjà désinscrit",
            format!("Votre désinscription des e-mails de {who} était déjà enregistrée."),
            &[],
            sms_stays,
            None,
        ),
        (false, Page::AlreadyUnsubscribed) => text(
            "Already unsubscribed",
            format!("Your unsubscription from the e-mails of {who} was already recorded."),
            &[],
            sms_stays,
            None,
        ),
        (true, Page::Expired) => text("Lien expiré", "Ce lien de confirmation a expiré. Inscrivez-vous de nouveau pour recevoir un nouveau lien.".into(), &[], None, None),
        (false, Page::Expired) => text("Link expired", "This confirmation link has expired. Sign up again to receive a new one.".into(), &[], None, None),
        (true, Page::Unknown) => text("Lien inconnu", "Ce lien n'est pas valide.".into(), &[], None, None),
        (false, Page::Unknown) => text("Unknown link", "This link is not valid.".into(), &[], None, None),
    }
}

/// Subject and plain-text body of the double opt-in e-mail: it says what the
/// click confirms (the boxes ticked, the phone number, masked).
pub fn confirmation_mail(mail: &ConfirmationMail) -> (String, String) {
    let ConfirmationMail {
        lang,
        sms,
        sender_name: sender,
        confirm_url,
        unsubscribe_url,
        ttl_hours,
        purposes,
        phone,
        ..
    } = mail;
    let list: String = purposes.iter().map(|p| format!("  - {p}\n")).collect();
    match lang {
        Lang::Fr => {
            let ticked = if list.is_empty() {
                String::new()
            } else {
                format!("Vous avez coché :\n\n{list}\n")
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
                     Pour ne plus recevoir d'e-mails de {sender} :\n{unsubscribe_url}\n{stop}"
                ),
            )
        }
        Lang::En => {
            let ticked = if list.is_empty() {
                String::new()
            } else {
                format!("You ticked:\n\n{list}\n")
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
                     To stop receiving e-mails from {sender}:\n{unsubscribe_url}\n{stop}"
                ),
            )
        }
    }
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The pages' only style sheet, inline; the CSP allows it by its hash.
pub const PAGE_STYLE: &str =
    "body{font:1.1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}\
button{font:inherit;padding:.6rem 1.2rem;min-height:44px;cursor:pointer}";

/// A minimal, self-contained HTML page.
pub fn html(lang: Lang, title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <link rel=\"icon\" href=\"data:,\"><title>{t}</title>\
         <style>{PAGE_STYLE}</style></head>\
         <body><main><h1>{t}</h1>{body_html}</main></body></html>\n",
        lang.tag(),
        t = escape(title),
    )
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
            sms,
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

    #[test]
    fn language_from_accept_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("de-DE, en;q=0.5, fr;q=0.4"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.3, fr-CA;q=0.8"),
            Lang::Fr
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Fr);
        assert_eq!(Lang::from_accept_language(""), Lang::Fr);
    }

    #[test]
    fn language_from_locale() {
        assert_eq!(Lang::from_locale("fr"), Lang::Fr);
        assert_eq!(Lang::from_locale("fr-BE"), Lang::Fr);
        assert_eq!(Lang::from_locale("FR"), Lang::Fr);
        assert_eq!(Lang::from_locale("fra"), Lang::En);
        assert_eq!(Lang::from_locale("en-GB"), Lang::En);
        assert_eq!(Lang::from_locale("de"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }
}
