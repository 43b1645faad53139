//! What the preference page says, in French and English.

use super::lang::Lang;

/// The words of the preference page and its outcomes.
pub struct Words {
    /// Title of the page.
    pub title: &'static str,
    /// Before the list: `{who}` the shop, `{email}` the address, masked.
    pub intro: &'static str,
    /// Legend of the withdrawal form.
    pub legend: &'static str,
    /// Hint under the legend.
    pub hint: &'static str,
    /// The button that withdraws.
    pub submit: &'static str,
    /// Nothing left to withdraw.
    pub nothing: &'static str,
    /// The button was pressed with nothing ticked.
    pub none_ticked: &'static str,
    /// Before the list of what was withdrawn.
    pub done: &'static str,
    /// `{date}`: until when the link works.
    pub until: &'static str,
    /// Title of the expired link's page.
    pub expired_title: &'static str,
    /// The expired link's page: `{days}` its lifetime.
    pub expired: &'static str,
    /// The button that asks for a new link.
    pub renew: &'static str,
    /// Title once a new link is sent.
    pub sent_title: &'static str,
    /// `{email}`: where the new link went.
    pub sent: &'static str,
    /// Too many new links asked for.
    pub limited: &'static str,
    /// Heading of the current state.
    pub now: &'static str,
}

/// The words in `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// A purpose's state as the subscriber reads it.
pub fn state(lang: Lang, state: &str) -> &'static str {
    match (lang, state) {
        (Lang::Fr, "granted") => "inscrit",
        (Lang::Fr, "confirmed") => "inscrit (confirmé)",
        (Lang::Fr, "pending") => "en attente de votre confirmation",
        (Lang::Fr, "withdrawn") => "retiré",
        (Lang::Fr, "objected") => "vous vous y êtes opposé",
        (Lang::Fr, "not-objected") => "inscrit (vous pouvez vous y opposer)",
        (Lang::Fr, _) => "non inscrit",
        (Lang::En, "granted") => "subscribed",
        (Lang::En, "confirmed") => "subscribed (confirmed)",
        (Lang::En, "pending") => "awaiting your confirmation",
        (Lang::En, "withdrawn") => "withdrawn",
        (Lang::En, "objected") => "you objected",
        (Lang::En, "not-objected") => "subscribed (you may object)",
        (Lang::En, _) => "not subscribed",
    }
}

const FR: Words = Words {
    title: "Vos choix",
    intro: "Voici ce que {who} peut envoyer à {email}, tel que c’est enregistré maintenant.",
    now: "Aujourd’hui",
    legend: "Retirer votre consentement",
    hint: "Cochez ce que vous ne voulez plus recevoir, e-mails ou SMS, puis utilisez le bouton.",
    submit: "Retirer les consentements cochés",
    nothing: "Vous ne recevez rien de {who} : il n’y a rien à retirer.",
    none_ticked: "Cochez au moins une case pour retirer votre consentement.",
    done: "C’est enregistré : vous ne recevrez plus",
    until: "Ce lien fonctionne jusqu’au {date} ; ensuite, cette page propose de vous en envoyer un nouveau.",
    expired_title: "Lien expiré",
    expired: "Ce lien vers vos choix a expiré (un lien fonctionne {days} jours). Utilisez le bouton pour recevoir un nouveau lien par e-mail.",
    renew: "M’envoyer un nouveau lien",
    sent_title: "Nouveau lien envoyé",
    sent: "Un nouveau lien vers vos choix part vers {email}.",
    limited: "Trop de liens ont été demandés pour cette adresse. Réessayez dans une heure.",
};

const EN: Words = Words {
    title: "Your choices",
    intro: "This is what {who} may send to {email}, as recorded now.",
    now: "Now",
    legend: "Withdraw your consent",
    hint: "Tick what you no longer want to receive, e-mail or SMS, then use the button.",
    submit: "Withdraw the ticked consents",
    nothing: "You receive nothing from {who}: there is nothing to withdraw.",
    none_ticked: "Tick at least one box to withdraw your consent.",
    done: "Recorded: you will no longer receive",
    until: "This link works until {date}; after that, this page offers to send you a new one.",
    expired_title: "Link expired",
    expired: "This link to your choices has expired (a link works for {days} days). Use the button to get a new link by e-mail.",
    renew: "Send me a new link",
    sent_title: "New link sent",
    sent: "A new link to your choices is on its way to {email}.",
    limited: "Too many links were asked for this address. Please try again in an hour.",
};
