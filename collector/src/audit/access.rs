//! `access --subject`: what the collector holds on one person (GDPR art. 15),
//! as JSON, and as a page in the language they signed up in.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::audit::export::StateRow;
use crate::i18n::html::{escape, html};
use crate::i18n::lang::Lang;

use super::timeline::{Event, What};

/// The JSON answer: the current choices, then every entry with what it holds.
pub fn to_json(subject: &str, states: &[StateRow], events: &[Event]) -> Value {
    json!({
        "schema": "consent-access/1",
        "subject": subject,
        "currentChoices": states,
        "entries": events,
        "notHeld": NOT_HELD_EN,
    })
}

/// What the collector never stores, said in every answer.
const NOT_HELD_EN: &str = "No full IP address (only its truncated network), no browsing data, no cookies; confirmation and unsubscribe links are kept as hashes only.";

/// The page's words, in French and English.
struct Words {
    title: &'static str,
    intro: &'static str,
    choices: &'static str,
    purpose: &'static str,
    state: &'static str,
    since: &'static str,
    history: &'static str,
    page: &'static str,
    form: &'static str,
    policy: &'static str,
    shown: &'static str,
    ip: &'static str,
    record: &'static str,
    phone: &'static str,
    not_held: &'static str,
    nothing: &'static str,
    rights: &'static str,
}

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &Words {
            title: "Vos données de consentement",
            intro: "Voici tout ce que le registre des consentements conserve pour l'adresse",
            choices: "Vos choix actuels",
            purpose: "Finalité",
            state: "État",
            since: "Depuis",
            history: "Historique",
            page: "Page",
            form: "Formulaire",
            policy: "Politique de confidentialité",
            shown: "Textes affichés",
            ip: "Réseau (adresse IP tronquée)",
            record: "Identifiant de l'enregistrement",
            phone: "Téléphone",
            not_held: "Aucune adresse IP complète (seulement son réseau tronqué), aucune donnée de navigation, aucun cookie ; les liens de confirmation et de désinscription ne sont conservés que sous forme d'empreinte.",
            nothing: "Aucune donnée n'est conservée pour cette adresse.",
            rights: "Vous pouvez retirer votre consentement à tout moment, demander l'effacement de ces données ou leur rectification en écrivant à",
        },
        Lang::En => &Words {
            title: "Your consent data",
            intro: "This is everything the consent register holds for the address",
            choices: "Your current choices",
            purpose: "Purpose",
            state: "State",
            since: "Since",
            history: "History",
            page: "Page",
            form: "Form",
            policy: "Privacy policy",
            shown: "Texts shown",
            ip: "Network (truncated IP address)",
            record: "Record id",
            phone: "Phone",
            not_held: NOT_HELD_EN,
            nothing: "No data is held for this address.",
            rights: "You can withdraw your consent at any time, or ask for these data to be erased or corrected, by writing to",
        },
    }
}

/// The language of the person's latest proof; English if none.
pub fn lang_of(events: &[Event]) -> Lang {
    events
        .iter()
        .rev()
        .find_map(|e| e.locale.as_deref())
        .map_or(Lang::En, Lang::from_locale)
}

/// The readable page, in `lang`.
pub fn to_html(subject: &str, states: &[StateRow], events: &[Event], lang: Lang) -> String {
    let w = words(lang);
    let mut body = format!("<p>{} <strong>{}</strong>.</p>", w.intro, escape(subject));
    if events.is_empty() {
        let _ = write!(body, "<p>{}</p>", w.nothing);
    }
    if !states.is_empty() {
        let _ = write!(
            body,
            "<h2>{}</h2><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            w.choices, w.purpose, w.state, w.since
        );
        for row in states {
            let _ = write!(
                body,
                "<tr><td>{} ({})</td><td>{}</td><td>{}</td></tr>",
                escape(&purpose_label(&row.purpose, events)),
                escape(&row.channel),
                escape(&state_word(&row.state, lang)),
                escape(&row.since)
            );
        }
        body.push_str("</tbody></table>");
    }
    if !events.is_empty() {
        let _ = write!(body, "<h2>{}</h2><ol>", w.history);
        for e in events {
            let _ = write!(
                body,
                "<li><p><strong>{}</strong> — {}</p><dl>",
                escape(&e.received_at),
                escape(&what_word(e.what, lang))
            );
            let mut item = |term: &str, value: &str| {
                let _ = write!(body, "<dt>{term}</dt><dd>{}</dd>", escape(value));
            };
            if let Some(id) = &e.record_id {
                item(w.record, id);
            }
            if let Some(page) = &e.page {
                item(w.page, page);
            }
            if let Some(form) = &e.form {
                item(w.form, &format!("{} v{}", form.id, form.version));
            }
            if let Some(p) = &e.privacy_policy {
                item(
                    w.policy,
                    &format!("{} {}", p.url, p.version.as_deref().unwrap_or_default()),
                );
            }
            if let Some(ip) = &e.ip {
                item(w.ip, ip);
            }
            for p in &e.purposes {
                item(
                    w.purpose,
                    &format!("{}: {}", p.id, state_word(&p.choice, lang)),
                );
            }
            if let Some(shown) = e
                .texts
                .as_ref()
                .and_then(|t| t.shown.as_ref())
                .and_then(Value::as_object)
            {
                let texts: Vec<String> = shown
                    .values()
                    .filter_map(Value::as_str)
                    .map(|t| format!("« {} »", t.trim()))
                    .collect();
                item(w.shown, &texts.join(" "));
            }
            body.push_str("</dl></li>");
        }
        body.push_str("</ol>");
    }
    if let Some(phone) = states.iter().find_map(|s| s.phone.as_deref()) {
        let _ = write!(body, "<p>{}: {}</p>", w.phone, escape(phone));
    }
    let _ = write!(body, "<p>{}</p>", w.not_held);
    if let Some(contact) = events
        .iter()
        .rev()
        .find_map(|e| e.controller.as_ref()?["contact"].as_str().map(String::from))
    {
        let _ = write!(body, "<p>{} {}.</p>", w.rights, escape(&contact));
    }
    html(lang, w.title, &body)
}

/// The text next to a purpose's box, from the latest proof that showed it.
fn purpose_label(id: &str, events: &[Event]) -> String {
    events
        .iter()
        .rev()
        .flat_map(|e| &e.purposes)
        .find(|p| p.id == id && p.text.is_some())
        .and_then(|p| p.text.clone())
        .unwrap_or_else(|| id.to_string())
}

fn state_word(state: &str, lang: Lang) -> String {
    let fr = match state {
        "granted" => "accepté",
        "pending" => "en attente de confirmation par e-mail",
        "confirmed" => "confirmé",
        "withdrawn" => "retiré",
        "refused" => "refusé",
        "objected" => "opposition",
        "not-objected" => "pas d'opposition",
        other => other,
    };
    match lang {
        Lang::Fr => fr.into(),
        Lang::En => state.replace("pending", "pending confirmation by e-mail"),
    }
}

fn what_word(what: What, lang: Lang) -> String {
    let (fr, en) = match what {
        What::Consent => (
            "choix enregistrés depuis le formulaire",
            "choices recorded from the form",
        ),
        What::Refusal => (
            "refus enregistré depuis le formulaire",
            "refusal recorded from the form",
        ),
        What::Withdrawal => (
            "retrait depuis « Gérer mes choix »",
            "withdrawal from \"Manage my choices\"",
        ),
        What::Confirmation => (
            "confirmation par le lien reçu par e-mail",
            "confirmation by the mailed link",
        ),
        What::Unsubscribe => (
            "désinscription par le lien de l'e-mail",
            "unsubscribe by the mail's link",
        ),
        What::Erasure => ("effacement", "erasure"),
        What::Release => (
            "formulaire validé par le responsable",
            "form approved by the controller",
        ),
        What::Other => ("autre entrée", "other entry"),
    };
    match lang {
        Lang::Fr => fr.into(),
        Lang::En => en.into(),
    }
}
