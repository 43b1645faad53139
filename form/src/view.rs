//! What to render: the form's HTML, written here, and every string shown.
//!
//! The markup is this file's constants (`Html::tag` takes only `&'static
//! str`); every text and attribute value from outside (catalog, merchant
//! configuration, purpose ids, the address) goes through [`escape`], so it is
//! always text. The plan also lists every string shown, in display order, for
//! the proof.

use crate::prelude::*;

use crate::config::{Config, PhoneMode, Purpose};
use crate::i18n::Texts;
use crate::rules;
use crate::text::{cat, masked_email};

use consent_proof::ShownTexts;

/// The catalog-style key under which a purpose's box text is shown.
pub fn box_key(purpose_id: &str) -> String {
    cat(&["purpose.", purpose_id])
}

/// The strings to hash for a record: first the texts digest input, then
/// each purpose's box text, in purpose order. The SHA-256 of the first is
/// `texts.sha256`, of each next one that purpose's `textSha256`.
pub fn hash_inputs(shown: &ShownTexts, purpose_ids: &[&str]) -> Vec<String> {
    let mut out = vec![consent_proof::Texts::digest_input(shown)];
    for id in purpose_ids {
        out.push(shown.get(&box_key(id)).unwrap_or_default().to_string());
    }
    out
}

/// Element ids inside the shadow root.
pub mod ids {
    /// The form.
    pub const FORM: &str = "cw-form";
    /// The e-mail input.
    pub const EMAIL: &str = "cw-email";
    /// The e-mail error message.
    pub const EMAIL_ERROR: &str = "cw-email-error";
    /// The phone input.
    pub const PHONE: &str = "cw-phone";
    /// The phone usage notice.
    pub const PHONE_NOTICE: &str = "cw-phone-notice";
    /// The phone error message.
    pub const PHONE_ERROR: &str = "cw-phone-error";
    /// The purposes hint.
    pub const PURPOSES_HINT: &str = "cw-purposes-hint";
    /// The purposes error message.
    pub const PURPOSES_ERROR: &str = "cw-purposes-error";
    /// The status region.
    pub const STATUS: &str = "cw-status";
    /// The submit button.
    pub const SUBMIT: &str = "cw-submit";
    /// Prefix of each purpose checkbox id; the purpose id follows.
    pub const PURPOSE_PREFIX: &str = "cw-p-";
    /// The "manage my choices" toggle button.
    pub const MANAGE_TOGGLE: &str = "cw-manage-toggle";
    /// The withdrawal form.
    pub const MANAGE: &str = "cw-manage";
    /// The withdrawal form's error message.
    pub const MANAGE_ERROR: &str = "cw-manage-error";
    /// Prefix of each withdrawal checkbox id; the purpose id follows.
    pub const WITHDRAW_PREFIX: &str = "cw-w-";
}

/// Escapes text for HTML content and double-quoted attribute values: the
/// one way text from outside reaches the markup.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// A rendering plan: the HTML, and every string shown with its key.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The HTML, every text and attribute value in it escaped.
    pub html: String,
    /// `(key, text)` for every string shown, in display order.
    pub shown: Vec<(String, String)>,
}

/// The HTML being written, and the strings shown so far.
struct Html<'a> {
    texts: &'a Texts<'a>,
    out: String,
    shown: Vec<(String, String)>,
}

// Not inlined: each is called from dozens of places, where one call is a few
// bytes of wasm and an inlined body many more.
impl Html<'_> {
    /// Markup: a constant of this file, never text from outside.
    #[inline(never)]
    fn tag(&mut self, markup: &'static str) {
        self.out.push_str(markup);
    }

    /// Text or an attribute value, escaped, between two pieces of markup.
    #[inline(never)]
    fn text(&mut self, before: &'static str, text: &str, after: &'static str) {
        self.out.push_str(before);
        escape(&mut self.out, text);
        self.out.push_str(after);
    }

    /// `text`, recorded as shown under `key`, between two pieces of markup.
    #[inline(never)]
    fn show(&mut self, before: &'static str, key: String, text: String, after: &'static str) {
        self.text(before, &text, after);
        self.shown.push((key, text));
    }

    /// Catalog text `key`, with `{controller}` and `{contact}` filled,
    /// recorded as shown, between two pieces of markup.
    #[inline(never)]
    fn say(&mut self, before: &'static str, key: &str, after: &'static str) {
        let text = self.texts.say(key);
        self.show(before, key.into(), text, after);
    }

    /// A field: its label (with "required" when it is), the input, an
    /// optional notice and the error line.
    fn field(&mut self, id: &str, label_key: &str, required: bool, input: &'static str, notice: Option<&str>, error_id: &str) {
        self.text(r#"<div class="cw-field"><label for=""#, id, r#"">"#);
        self.say("", label_key, "");
        if required {
            self.say(r#" <span class="cw-req">"#, "required", "</span>");
        }
        self.tag("</label>");
        self.tag(input);
        if let Some(key) = notice {
            self.say(r#"<p id="cw-phone-notice" class="cw-notice">"#, key, "</p>");
        }
        self.error(error_id);
        self.tag("</div>");
    }

    /// An error line, hidden until there is an error to say.
    fn error(&mut self, id: &str) {
        self.text(r#"<p id=""#, id, r#"" class="cw-error" hidden></p>"#);
    }

    /// One purpose's unchecked box, its label and description, and, where
    /// the regime informs instead of asking, the notice before it.
    fn purpose(&mut self, p: &Purpose, ask: &rules::Ask) {
        let id = cat(&[ids::PURPOSE_PREFIX, &p.id]);
        let label = self.texts.purpose_text(p, "label");
        if let Some(inform_key) = ask.inform {
            let inform = self.texts.say_with(inform_key, &[("label", &label)]);
            self.text(r#"<p id=""#, &id, "");
            self.show(r#"-inform" class="cw-inform">"#, cat(&["purpose.", &p.id, ".inform"]), inform, "</p>");
        }
        self.text(r#"<div class="cw-choice"><input type="checkbox" id=""#, &id, r#"" name="purpose" value=""#);
        self.text("", &p.id, r#"" data-channel=""#);
        self.text("", p.channel.as_str(), r#"" aria-describedby=""#);
        if ask.inform.is_some() {
            self.text("", &id, "-inform ");
        }
        self.text("", &id, r#"-desc"><span class="cw-text"><label for=""#);
        let boxed = self.texts.say_with(ask.boxed, &[("label", &label)]);
        self.text("", &id, r#"">"#);
        self.show("", box_key(&p.id), boxed, r#"</label><span id=""#);
        let description = self.texts.purpose_text(p, "description");
        self.text("", &id, r#"-desc" class="cw-desc">"#);
        self.show("", cat(&["purpose.", &p.id, ".description"]), description, "</span></span></div>");
    }
}

/// Plans the form for a valid configuration in the given texts.
pub fn plan(config: &Config, texts: &Texts) -> Plan {
    let mut h = Html { texts, out: String::new(), shown: Vec::new() };
    let ask = rules::ask(config.regime);
    // method=dialog: a submission that no listener takes (after destroy)
    // goes nowhere, never into a URL with the address in it.
    h.text(r#"<form id="cw-form" class="cw" method="dialog" novalidate lang=""#, texts.locale(), r#"" aria-labelledby="cw-title">"#);
    h.say(r#"<h2 id="cw-title" class="cw-title">"#, "title", "</h2>");
    h.say(r#"<p class="cw-intro">"#, "intro", "</p>");
    // Text, not `email`: the widget checks the address itself (the form is
    // `novalidate`), `inputmode` and `autocomplete` give the keyboard and
    // autofill, and Chromium's first `type=email` field costs a page 77 KiB
    // of heap (BENCHMARKS.md, "Heap").
    let email = r#"<input id="cw-email" name="email" type="text" autocomplete="email" inputmode="email" spellcheck="false" autocapitalize="off" required aria-required="true">"#;
    h.field(ids::EMAIL, "email.label", true, email, None, ids::EMAIL_ERROR);
    if config.phone == PhoneMode::Optional {
        let phone = r#"<input id="cw-phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" aria-describedby="cw-phone-notice">"#;
        // The notice speaks of SMS and STOP only when an SMS purpose is shown.
        let any_sms = config.purposes.iter().any(|p| p.channel == crate::config::Channel::Sms);
        let notice = if any_sms { "phone.notice" } else { "phone.notice.calls" };
        h.field(ids::PHONE, "phone.label", false, phone, Some(notice), ids::PHONE_ERROR);
    }
    h.say(r#"<fieldset class="cw-purposes" aria-describedby="cw-purposes-hint"><legend>"#, ask.legend, "</legend>");
    h.say(r#"<p id="cw-purposes-hint" class="cw-hint">"#, ask.hint, "</p>");
    for p in &config.purposes {
        h.purpose(p, &ask);
    }
    h.error(ids::PURPOSES_ERROR);
    h.tag("</fieldset>");
    if config.double_opt_in {
        h.say(r#"<p class="cw-notice">"#, "doi.notice", "</p>");
    }
    h.say(r#"<p class="cw-privacy">"#, "privacy.text", "");
    h.text(r#" <a href=""#, &config.privacy_policy_url, r#"" target="_blank" rel="noopener noreferrer">"#);
    h.say("", "privacy.link", r#"<span class="cw-vh"> "#);
    h.say("", "newtab", "</span></a></p>");
    // The subscriber's rights and whom to write to, in the first layer.
    h.say(r#"<p class="cw-privacy cw-rights">"#, "privacy.rights", "</p>");
    h.say(r#"<button id="cw-submit" type="submit">"#, "submit", "</button>");
    // tabindex -1: focus can land here when the control that had it is gone.
    h.tag(r#"<p id="cw-status" class="cw-status" role="status" tabindex="-1"></p></form>"#);
    Plan { html: h.out, shown: h.shown }
}

/// Plans the "manage my choices" section: a toggle, and a form with one
/// unchecked box per purpose this browser consented to, to withdraw it.
pub fn manage(config: &Config, texts: &Texts, email: &str, consented: &[(String, crate::config::Channel)]) -> Plan {
    let mut h = Html { texts, out: String::new(), shown: Vec::new() };
    // Whose consent this is, masked: on a shared device the next person can
    // tell it is not theirs, without reading the address. Recorded first,
    // as it always was (the order is part of the texts' hash).
    let hint = texts.say_with("manage.hint", &[("email", &masked_email(email))]);
    h.shown.push(("manage.hint".into(), hint.clone()));
    h.text(r#"<div class="cw-manage-wrap" lang=""#, texts.locale(), "");
    // The toggle's text and the form's name repeat shown texts: not recorded.
    h.text(
        r#""><button type="button" id="cw-manage-toggle" class="cw-link" aria-expanded="false" aria-controls="cw-manage">"#,
        &texts.say("manage.toggle"),
        r#"</button><form id="cw-manage" class="cw-manage" method="dialog" novalidate hidden aria-label=""#,
    );
    h.text("", &texts.say("manage.legend"), r#""><fieldset aria-describedby="cw-manage-hint">"#);
    h.say("<legend>", "manage.legend", "</legend>");
    h.text(r#"<p id="cw-manage-hint" class="cw-hint">"#, &hint, "</p>");
    for (id, _) in consented {
        let Some(p) = config.purposes.iter().find(|p| &p.id == id) else { continue };
        let label = texts.purpose_text(p, "label");
        let text = texts.say_with("purpose.withdraw", &[("label", &label)]);
        let box_id = cat(&[ids::WITHDRAW_PREFIX, id]);
        h.text(r#"<div class="cw-choice"><input type="checkbox" id=""#, &box_id, r#"" value=""#);
        h.text("", id, r#""><span class="cw-text"><label for=""#);
        h.text("", &box_id, r#"">"#);
        h.show("", box_key(id), text, "</label></span></div>");
    }
    h.error(ids::MANAGE_ERROR);
    h.say(r#"</fieldset><button type="submit">"#, "manage.submit", "</button></form></div>");
    Plan { html: h.out, shown: h.shown }
}

/// The short neutral message shown for an invalid configuration.
pub fn unavailable(text: &str) -> String {
    let mut out = String::from(r#"<p class="cw-unavailable">"#);
    escape(&mut out, text);
    out.push_str("</p>");
    out
}
