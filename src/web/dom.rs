//! The view plan as DOM nodes, and the error and status marks on them.

use crate::prelude::*;

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, ShadowRoot};

use crate::form::{Field, FieldError};
use crate::i18n::Texts;
use crate::view::{ids, Child, Node};

/// Builds the element tree of `node`. Text always goes in as text nodes.
pub fn build(doc: &Document, node: &Node) -> Option<Element> {
    let el = doc.create_element(node.tag).ok()?;
    for (name, value) in &node.attrs {
        el.set_attribute(name, value).ok()?;
    }
    for child in &node.children {
        match child {
            Child::Node(n) => {
                let child = build(doc, n)?;
                el.append_child(&child).ok()?
            }
            Child::Text(t) => el.append_child(&doc.create_text_node(t)).ok()?,
        };
    }
    Some(el)
}

/// The element with `id` in the shadow root.
pub fn by_id(root: &ShadowRoot, id: &str) -> Option<Element> {
    root.get_element_by_id(id)
}

/// The value of the input with `id`, or "" if it is absent.
pub fn input_value(root: &ShadowRoot, id: &str) -> String {
    by_id(root, id).and_then(|e| e.dyn_into::<HtmlInputElement>().ok()).map(|i| i.value()).unwrap_or_default()
}

/// Whether the checkbox with `id` is ticked.
pub fn is_checked(root: &ShadowRoot, id: &str) -> bool {
    by_id(root, id).is_some_and(|e| checked(&e))
}

/// Whether `el` is a ticked checkbox.
pub fn checked(el: &Element) -> bool {
    el.dyn_ref::<HtmlInputElement>().is_some_and(HtmlInputElement::checked)
}

/// The inputs a field's error marks.
fn inputs(root: &ShadowRoot, field: Field, purpose_ids: &[String]) -> Vec<Element> {
    let ids: Vec<String> = match field {
        Field::Email => vec![ids::EMAIL.into()],
        Field::Phone => vec![ids::PHONE.into()],
        Field::Purposes => purpose_ids.iter().map(|p| [ids::PURPOSE_PREFIX, p].concat()).collect(),
    };
    ids.iter().filter_map(|id| by_id(root, id)).collect()
}

/// `list` with `token` added or removed (space-separated id lists).
fn with_token(list: &str, token: &str, present: bool) -> String {
    let mut out: Vec<&str> = list.split(' ').filter(|t| !t.is_empty() && *t != token).collect();
    if present {
        out.push(token);
    }
    out.join(" ")
}

/// Marks `input` invalid or valid, tying it to (or untying it from) its
/// message with `aria-describedby`.
pub fn mark(input: &Element, message_id: &str, invalid: bool) {
    let described = input.get_attribute("aria-describedby").unwrap_or_default();
    let described = with_token(&described, message_id, invalid);
    let _ = if described.is_empty() {
        input.remove_attribute("aria-describedby")
    } else {
        input.set_attribute("aria-describedby", &described)
    };
    let _ = if invalid { input.set_attribute("aria-invalid", "true") } else { input.remove_attribute("aria-invalid") };
}

/// Moves focus to `el`, if it can take it.
pub fn focus(el: &Element) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let _ = el.focus();
    }
}

/// Shows the errors (and clears the others): message text, `aria-invalid`,
/// `aria-describedby`; focus goes to the first invalid field.
pub fn show_errors(root: &ShadowRoot, texts: &Texts, errors: &[FieldError], purpose_ids: &[String]) {
    for field in Field::ALL {
        let error = errors.iter().find(|e| e.field == field);
        let message_id = field.message_id();
        if let Some(message) = by_id(root, message_id) {
            message.set_text_content(error.map(|e| texts.get(e.key)));
            let _ = match error {
                Some(_) => message.remove_attribute("hidden"),
                None => message.set_attribute("hidden", ""),
            };
        }
        for input in inputs(root, field, purpose_ids) {
            mark(&input, message_id, error.is_some());
        }
    }
    if let Some(first) = errors.first() {
        if let Some(el) = inputs(root, first.field, purpose_ids).first() {
            focus(el);
        }
    }
}

/// Sets the status region's text.
pub fn status(root: &ShadowRoot, text: &str) {
    if let Some(el) = by_id(root, ids::STATUS) {
        el.set_text_content(Some(text));
    }
}
