//! What the subscriber reads, in French and English: mail and pages.

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
    /// The subscription is confirmed.
    Confirmed,
    /// The subscription is withdrawn.
    Unsubscribed,
    /// Unsubscribed earlier; nothing changed.
    AlreadyUnsubscribed,
    /// The link has expired.
    Expired,
    /// The confirm link was used already.
    Used,
    /// The link is unknown.
    Unknown,
}

/// Title and sentence of a page.
pub fn page(lang: Lang, page: Page) -> (&'static str, &'static str) {
    match (lang, page) {
        (Lang::Fr, Page::Confirmed) => ("Inscription confirmée", "Merci : votre inscription est confirmée. Vous pouvez vous désinscrire à tout moment par le lien présent dans chaque message."),
        (Lang::En, Page::Confirmed) => ("Subscription confirmed", "Thank you: your subscription is confirmed. You can unsubscribe at any time with the link in every message."),
        (Lang::Fr, Page::Unsubscribed) => ("Désinscription enregistrée", "Votre désinscription est enregistrée. Vous ne recevrez plus ces messages."),
        (Lang::En, Page::Unsubscribed) => ("Unsubscribed", "Your unsubscription is recorded. You will not receive these messages any more."),
        (Lang::Fr, Page::AlreadyUnsubscribed) => ("Déjà désinscrit", "Votre désinscription était déjà enregistrée."),
        (Lang::En, Page::AlreadyUnsubscribed) => ("Already unsubscribed", "Your unsubscription was already recorded."),
        (Lang::Fr, Page::Expired) => ("Lien expiré", "Ce lien de confirmation a expiré. Inscrivez-vous de nouveau pour recevoir un nouveau lien."),
        (Lang::En, Page::Expired) => ("Link expired", "This confirmation link has expired. Sign up again to receive a new one."),
        (Lang::Fr, Page::Used) => ("Lien déjà utilisé", "Ce lien de confirmation a déjà été utilisé."),
        (Lang::En, Page::Used) => ("Link already used", "This confirmation link has already been used."),
        (Lang::Fr, Page::Unknown) => ("Lien inconnu", "Ce lien n'est pas valide."),
        (Lang::En, Page::Unknown) => ("Unknown link", "This link is not valid."),
    }
}

/// Subject and plain-text body of the double opt-in e-mail.
pub fn confirmation_mail(
    lang: Lang,
    sender: &str,
    confirm_url: &str,
    unsubscribe_url: &str,
    ttl_hours: i64,
) -> (String, String) {
    match lang {
        Lang::Fr => (
            format!("Confirmez votre inscription – {sender}"),
            format!(
                "Bonjour,\n\nVous avez demandé à recevoir les messages de {sender}. \
                 Pour confirmer, ouvrez ce lien (valable {ttl_hours} heures) :\n\n{confirm_url}\n\n\
                 Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : \
                 sans confirmation, vous ne recevrez rien.\n\n\
                 Pour retirer votre consentement à tout moment :\n{unsubscribe_url}\n"
            ),
        ),
        Lang::En => (
            format!("Please confirm your subscription – {sender}"),
            format!(
                "Hello,\n\nYou asked to receive messages from {sender}. \
                 To confirm, open this link (valid for {ttl_hours} hours):\n\n{confirm_url}\n\n\
                 If you did not ask for this, ignore this message: \
                 without confirmation you will receive nothing.\n\n\
                 To withdraw your consent at any time:\n{unsubscribe_url}\n"
            ),
        ),
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

/// A minimal, self-contained HTML page.
pub fn html(lang: Lang, title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <link rel=\"icon\" href=\"data:,\"><title>{t}</title>\
         <style>body{{font:1.1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}</style></head>\
         <body><main><h1>{t}</h1>{body_html}</main></body></html>\n",
        lang.tag(),
        t = escape(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
