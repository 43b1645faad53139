//! What the pages the mailed links lead to say, in the reader's language.

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
    let who = signup.controller.as_deref().unwrap_or_else(|| lang.text("site.fallback"));
    let say = |key| lang.say(key, &[("who", who)]);
    // A colon only before a list that is there.
    let lead = |key, list: &[String]| {
        let end = if list.is_empty() { "." } else { lang.text("punct.colon") };
        format!("{}{end}", say(key))
    };
    let sms_stays = signup.sms.then(|| say("page.sms_stays"));
    let text = |title, intro: String, list: &[String], outro: Option<String>, button: Option<&'static str>| PageText {
        title: say(title),
        intro,
        list: list.to_vec(),
        outro,
        button: button.map(&say),
    };
    match which {
        Page::ConfirmAsk => {
            let mut intro = say("page.confirm_ask.intro");
            if !signup.granted.is_empty() {
                let ticked = if signup.informed { "page.confirm_ask.informed" } else { "page.confirm_ask.ticked" };
                intro = format!("{intro} {}", say(ticked));
            }
            text(
                "page.confirm_ask.title",
                intro,
                &signup.granted,
                Some(say("page.confirm_ask.outro")),
                Some("page.confirm_ask.button"),
            )
        }
        Page::Confirmed => text(
            "page.confirmed.title",
            say("page.confirmed.intro"),
            &[],
            Some(say("page.confirmed.outro")),
            None,
        ),
        Page::AlreadyConfirmed => text("page.already_confirmed.title", say("page.already_confirmed.intro"), &[], None, None),
        Page::Withdrawn => text(
            "page.withdrawn.title",
            say("page.withdrawn.intro"),
            &[],
            Some(say("page.withdrawn.outro")),
            None,
        ),
        Page::UnsubscribeAsk => text(
            "page.unsubscribe_ask.title",
            lead("page.unsubscribe_ask.intro", &signup.email),
            &signup.email,
            signup.sms.then(|| say("page.unsubscribe_ask.sms")),
            Some("page.unsubscribe_ask.button"),
        ),
        Page::Unsubscribed => text(
            "page.unsubscribed.title",
            lead("page.unsubscribed.intro", &signup.email),
            &signup.email,
            sms_stays,
            None,
        ),
        Page::AlreadyUnsubscribed => text(
            "page.already_unsubscribed.title",
            say("page.already_unsubscribed.intro"),
            &[],
            sms_stays,
            None,
        ),
        Page::Expired => text("page.expired.title", say("page.expired.intro"), &[], None, None),
        Page::Unknown => text("page.unknown.title", say("page.unknown.intro"), &[], None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::catalog::FILES;

    const ALL: [Page; 9] = [
        Page::ConfirmAsk,
        Page::Confirmed,
        Page::AlreadyConfirmed,
        Page::Withdrawn,
        Page::UnsubscribeAsk,
        Page::Unsubscribed,
        Page::AlreadyUnsubscribed,
        Page::Expired,
        Page::Unknown,
    ];

    #[test]
    fn every_page_in_every_language_is_that_languages_with_every_placeholder_filled() {
        let signup = Signup {
            controller: Some("Boutique {who}".into()),
            granted: vec!["Box A".into(), "Box B".into()],
            email: vec!["Box A".into()],
            sms: true,
            informed: false,
        };
        for (tag, _) in FILES {
            let lang = Lang::from_locale(tag);
            assert_eq!(lang.tag(), tag);
            for which in ALL {
                let text = page(lang, which, &signup);
                let all = [Some(&text.title), Some(&text.intro), text.outro.as_ref(), text.button.as_ref()];
                for part in all.into_iter().flatten() {
                    // The only brace left is the one in the shop's own name.
                    assert_eq!(part.replace("Boutique {who}", "").find(['{', '}']), None, "{tag} {which:?}: {part}");
                }
            }
            let ask = page(lang, Page::ConfirmAsk, &signup);
            assert_eq!(ask.title, lang.text("page.confirm_ask.title"));
            assert!(ask.intro.contains("Boutique {who}") && ask.intro.ends_with(lang.text("page.confirm_ask.ticked")), "{tag}: {}", ask.intro);
            assert_eq!(ask.list, signup.granted);
            let unsubscribe = page(lang, Page::UnsubscribeAsk, &signup);
            assert!(unsubscribe.intro.ends_with(lang.text("punct.colon")), "{tag}: {}", unsubscribe.intro);
            assert!(unsubscribe.outro.as_deref().is_some_and(|o| o.contains("STOP")), "{tag}: SMS stops by STOP");
            // Without a controller, the catalog's own words for "this site".
            let anonymous = page(lang, Page::Confirmed, &Signup::default());
            assert!(anonymous.intro.contains(lang.text("site.fallback")), "{tag}: {}", anonymous.intro);
        }
        // Every language but English says it in its own words.
        let en = page(Lang::EN, Page::ConfirmAsk, &signup);
        for (tag, _) in FILES.iter().filter(|(t, _)| *t != "en") {
            assert_ne!(page(Lang::from_locale(tag), Page::ConfirmAsk, &signup).button, en.button, "{tag}");
        }
    }
}
