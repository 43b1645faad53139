//! What the pages the mailed links lead to say, in French and English.

use super::lang::Lang;

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
    /// Whether the purposes listed were offered with an objection box left
    /// unticked (b2b, soft opt-in) rather than ticked.
    pub informed: bool,
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
            format!("Vous avez demandé à recevoir les messages de {who}{}", if signup.granted.is_empty() { "." } else if signup.informed { ". Vous avez été informé(e) de ces envois, sans vous y opposer :" } else { ". Vous avez coché :" }),
            &signup.granted,
            Some("Pour confirmer, utilisez le bouton ci-dessous. Sans confirmation, vous ne recevrez rien.".into()),
            Some("Confirmer mon inscription"),
        ),
        (false, Page::ConfirmAsk) => text(
            "Confirm your subscription",
            format!("You asked to receive messages from {who}{}", if signup.granted.is_empty() { "." } else if signup.informed { ". You were told of these messages and did not object:" } else { ". You ticked:" }),
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
