//! What to render: a plain tree of elements and text.
//!
//! The page gets the tree as HTML from [`Node::html`], where every text and
//! attribute value is escaped, so merchant and catalog text is always text.
//! The plan also lists every string shown, in display order, for the proof.

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

/// An element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Tag name.
    pub tag: &'static str,
    /// Attributes, in order.
    pub attrs: Vec<(&'static str, String)>,
    /// Children, in order.
    pub children: Vec<Child>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Child {
    /// An element.
    Node(Node),
    /// Text.
    Text(String),
}

impl Node {
    /// An element with no attributes or children.
    #[inline(never)]
    pub fn new(tag: &'static str) -> Node {
        Node { tag, attrs: Vec::new(), children: Vec::new() }
    }

    /// Adds an attribute; its value is escaped when rendered.
    #[inline(never)]
    pub fn attr(mut self, name: &'static str, value: &str) -> Node {
        self.attrs.push((name, value.into()));
        self
    }

    /// Adds a text child; it is escaped when rendered.
    #[inline(never)]
    pub fn text(mut self, text: &str) -> Node {
        self.children.push(Child::Text(text.into()));
        self
    }

    #[inline(never)]
    fn child(mut self, node: Node) -> Node {
        self.children.push(Child::Node(node));
        self
    }

    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Every element in the tree, depth first, this one included.
    pub fn descendants(&self) -> Vec<&Node> {
        let mut out = vec![self];
        for c in &self.children {
            if let Child::Node(n) = c {
                out.extend(n.descendants());
            }
        }
        out
    }

    /// The element with `id`, if any.
    pub fn by_id(&self, id: &str) -> Option<&Node> {
        self.descendants().into_iter().find(|n| n.get("id") == Some(id))
    }

    /// The tree as HTML: text and attribute values escaped, so no text can
    /// become markup.
    pub fn html(&self) -> String {
        let mut out = String::new();
        self.write_html(&mut out);
        out
    }

    fn write_html(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.tag);
        for (name, value) in &self.attrs {
            out.push(' ');
            out.push_str(name);
            if !value.is_empty() {
                out.push_str("=\"");
                escape(out, value);
                out.push('"');
            }
        }
        out.push('>');
        if self.tag == "input" {
            return; // a void element: no children, no end tag
        }
        for c in &self.children {
            match c {
                Child::Text(t) => escape(out, t),
                Child::Node(n) => n.write_html(out),
            }
        }
        out.push_str("</");
        out.push_str(self.tag);
        out.push('>');
    }

    /// The text content of the tree.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            match c {
                Child::Text(t) => out.push_str(t),
                Child::Node(n) => out.push_str(&n.text_content()),
            }
        }
        out
    }
}

/// Escapes text for HTML content and double-quoted attribute values.
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

/// A rendering plan: the tree, and every string shown with its key.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The form.
    pub root: Node,
    /// `(key, text)` for every string shown, in display order.
    pub shown: Vec<(String, String)>,
}

struct Builder<'a> {
    texts: &'a Texts<'a>,
    shown: Vec<(String, String)>,
}

impl Builder<'_> {
    /// A catalog text, with `{controller}` and `{contact}` filled, recorded as shown.
    fn say(&mut self, key: &str) -> String {
        let text = self.texts.say(key);
        self.shown.push((key.into(), text.clone()));
        text
    }

    fn record(&mut self, key: String, text: &str) {
        self.shown.push((key, text.into()));
    }

    fn field(&mut self, input: Node, label_key: &str, required: bool, notice: Option<(&str, &str)>, error_id: &str) -> Node {
        let id = input.get("id").unwrap_or_default().to_string();
        let mut label = Node::new("label").attr("for", &id).text(&self.say(label_key));
        if required {
            label = label.text(" ").child(Node::new("span").attr("class", "cw-req").text(&self.say("required")));
        }
        let mut wrap = Node::new("div").attr("class", "cw-field").child(label).child(input);
        if let Some((notice_id, key)) = notice {
            wrap = wrap.child(Node::new("p").attr("id", notice_id).attr("class", "cw-notice").text(&self.say(key)));
        }
        wrap.child(error(error_id))
    }

    fn purpose(&mut self, p: &Purpose, ask: &rules::Ask) -> Vec<Node> {
        let id = cat(&[ids::PURPOSE_PREFIX, &p.id]);
        let desc_id = cat(&[&id, "-desc"]);
        let label = self.texts.purpose_text(p, "label");
        let mut out = Vec::new();
        let mut described_by = desc_id.clone();
        if let Some(inform_key) = ask.inform {
            let inform_id = cat(&[&id, "-inform"]);
            let inform = self.texts.say_with(inform_key, &[("label", &label)]);
            self.record(cat(&["purpose.", &p.id, ".inform"]), &inform);
            out.push(Node::new("p").attr("id", &inform_id).attr("class", "cw-inform").text(&inform));
            described_by = cat(&[&inform_id, " ", &desc_id]);
        }
        let boxed = self.texts.say_with(ask.boxed, &[("label", &label)]);
        self.record(box_key(&p.id), &boxed);
        let description = self.texts.purpose_text(p, "description");
        self.record(cat(&["purpose.", &p.id, ".description"]), &description);
        let input = Node::new("input")
            .attr("type", "checkbox")
            .attr("id", &id)
            .attr("name", "purpose")
            .attr("value", &p.id)
            .attr("data-channel", p.channel.as_str())
            .attr("aria-describedby", &described_by);
        let text = Node::new("span").attr("class", "cw-text")
            .child(Node::new("label").attr("for", &id).text(&boxed))
            .child(Node::new("span").attr("id", &desc_id).attr("class", "cw-desc").text(&description));
        out.push(Node::new("div").attr("class", "cw-choice").child(input).child(text));
        out
    }
}

fn error(id: &str) -> Node {
    Node::new("p").attr("id", id).attr("class", "cw-error").attr("hidden", "")
}

/// Plans the form for a valid configuration in the given texts.
pub fn plan(config: &Config, texts: &Texts) -> Plan {
    let mut b = Builder { texts, shown: Vec::new() };
    let ask = rules::ask(config.regime);
    let mut form = Node::new("form")
        .attr("id", ids::FORM)
        .attr("class", "cw")
        // A submission that no listener takes (after destroy) goes nowhere:
        // never into a URL with the address in it.
        .attr("method", "dialog")
        .attr("novalidate", "")
        .attr("lang", texts.locale())
        .attr("aria-labelledby", "cw-title");
    form = form.child(Node::new("h2").attr("id", "cw-title").attr("class", "cw-title").text(&b.say("title")));
    form = form.child(Node::new("p").attr("class", "cw-intro").text(&b.say("intro")));
    let email = Node::new("input")
        .attr("id", ids::EMAIL)
        .attr("name", "email")
        // Text, not `email`: the widget checks the address itself (the form
        // is `novalidate`), `inputmode` and `autocomplete` give the keyboard
        // and autofill, and Chromium's first `type=email` field costs a page
        // 77 KiB of heap (BENCHMARKS.md, "Heap").
        .attr("type", "text")
        .attr("autocomplete", "email")
        .attr("inputmode", "email")
        .attr("spellcheck", "false")
        .attr("autocapitalize", "off")
        .attr("required", "")
        .attr("aria-required", "true");
    form = form.child(b.field(email, "email.label", true, None, ids::EMAIL_ERROR));
    if config.phone == PhoneMode::Optional {
        let phone = Node::new("input")
            .attr("id", ids::PHONE)
            .attr("name", "phone")
            .attr("type", "tel")
            .attr("autocomplete", "tel")
            .attr("inputmode", "tel")
            .attr("aria-describedby", ids::PHONE_NOTICE);
        // The notice speaks of SMS and STOP only when an SMS purpose is shown.
        let any_sms = config.purposes.iter().any(|p| p.channel == crate::config::Channel::Sms);
        let notice = if any_sms { "phone.notice" } else { "phone.notice.calls" };
        form = form.child(b.field(phone, "phone.label", false, Some((ids::PHONE_NOTICE, notice)), ids::PHONE_ERROR));
    }
    let mut set = Node::new("fieldset")
        .attr("class", "cw-purposes")
        .attr("aria-describedby", ids::PURPOSES_HINT)
        .child(Node::new("legend").text(&b.say(ask.legend)))
        .child(Node::new("p").attr("id", ids::PURPOSES_HINT).attr("class", "cw-hint").text(&b.say(ask.hint)));
    for p in &config.purposes {
        for node in b.purpose(p, &ask) {
            set = set.child(node);
        }
    }
    form = form.child(set.child(error(ids::PURPOSES_ERROR)));
    if config.double_opt_in {
        form = form.child(Node::new("p").attr("class", "cw-notice").text(&b.say("doi.notice")));
    }
    let privacy = b.say("privacy.text");
    let link = Node::new("a")
        .attr("href", &config.privacy_policy_url)
        .attr("target", "_blank")
        .attr("rel", "noopener noreferrer")
        .text(&b.say("privacy.link"))
        .child(Node::new("span").attr("class", "cw-vh").text(&cat(&[" ", &b.say("newtab")])));
    form = form.child(Node::new("p").attr("class", "cw-privacy").text(&privacy).text(" ").child(link));
    // The subscriber's rights and whom to write to, in the first layer.
    form = form.child(Node::new("p").attr("class", "cw-privacy cw-rights").text(&b.say("privacy.rights")));
    form = form.child(Node::new("button").attr("id", ids::SUBMIT).attr("type", "submit").text(&b.say("submit")));
    // tabindex -1: focus can land here when the control that had it is gone.
    form = form.child(Node::new("p").attr("id", ids::STATUS).attr("class", "cw-status").attr("role", "status").attr("tabindex", "-1"));
    Plan { root: form, shown: b.shown }
}

/// Plans the "manage my choices" section: a toggle, and a form with one
/// unchecked box per purpose this browser consented to, to withdraw it.
pub fn manage(config: &Config, texts: &Texts, email: &str, consented: &[(String, crate::config::Channel)]) -> Plan {
    let mut b = Builder { texts, shown: Vec::new() };
    // Whose consent this is, masked: on a shared device the next person can
    // tell it is not theirs, without reading the address.
    let hint = texts.say_with("manage.hint", &[("email", &masked_email(email))]);
    b.record("manage.hint".into(), &hint);
    let toggle = Node::new("button")
        .attr("type", "button")
        .attr("id", ids::MANAGE_TOGGLE)
        .attr("class", "cw-link")
        .attr("aria-expanded", "false")
        .attr("aria-controls", ids::MANAGE)
        .text(&texts.say("manage.toggle"));
    let mut set = Node::new("fieldset")
        .attr("aria-describedby", "cw-manage-hint")
        .child(Node::new("legend").text(&b.say("manage.legend")))
        .child(Node::new("p").attr("id", "cw-manage-hint").attr("class", "cw-hint").text(&hint));
    for (id, _) in consented {
        let Some(p) = config.purposes.iter().find(|p| &p.id == id) else { continue };
        let label = texts.purpose_text(p, "label");
        let text = texts.say_with("purpose.withdraw", &[("label", &label)]);
        b.record(box_key(id), &text);
        let box_id = cat(&[ids::WITHDRAW_PREFIX, id]);
        let input = Node::new("input").attr("type", "checkbox").attr("id", &box_id).attr("value", id);
        let label = Node::new("span").attr("class", "cw-text").child(Node::new("label").attr("for", &box_id).text(&text));
        set = set.child(Node::new("div").attr("class", "cw-choice").child(input).child(label));
    }
    let form = Node::new("form")
        .attr("id", ids::MANAGE)
        .attr("class", "cw-manage")
        .attr("method", "dialog")
        .attr("novalidate", "")
        .attr("hidden", "")
        .attr("aria-label", &texts.say("manage.legend"))
        .child(set.child(error(ids::MANAGE_ERROR)))
        .child(Node::new("button").attr("type", "submit").text(&b.say("manage.submit")));
    let root = Node::new("div").attr("class", "cw-manage-wrap").attr("lang", texts.locale()).child(toggle).child(form);
    Plan { root, shown: b.shown }
}
