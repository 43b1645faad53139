//! A mounted widget: its shadow root, its configuration, and what it does
//! when the subscriber submits.

use crate::prelude::*;

use core::cell::RefCell;
use alloc::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use super::convert::{object, problems, s};
use super::{dom, events};
use crate::config::{Config, Problem};
use crate::form::{self, Input, Submission};
use crate::i18n::{self, Texts};
use crate::text::cat;
use crate::view::{self, ids};

const CSS: &str = include_str!("style.css");

/// The state behind a `Widget` handle.
pub struct Mounted {
    host: Element,
    root: ShadowRoot,
    config: Result<Config, Vec<Problem>>,
    listener: Option<Listener>,
}

/// The form's submit listener, kept so it can be removed.
type Listener = (Element, Closure<dyn FnMut(Event)>);

/// A shared, mutable mounted widget.
pub type Shared = Rc<RefCell<Mounted>>;

fn page_lang() -> Option<String> {
    let lang = web_sys::window()?.document()?.document_element()?.get_attribute("lang")?;
    (!lang.trim().is_empty()).then_some(lang)
}

/// Mounts on `host`: an open shadow root holding the form, or, for an
/// invalid configuration, a short neutral message.
pub fn mount(host: Element, config: Result<Config, Vec<Problem>>) -> Shared {
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).unwrap_or_else(|_| {
            // Hosts that cannot carry a shadow root (e.g. <input>) get one on a wrapper.
            let doc = host.owner_document().expect("an element has a document");
            let wrap = doc.create_element("div").expect("div");
            let _ = host.append_child(&wrap);
            wrap.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).expect("a div takes a shadow root")
        }),
    };
    let shared = Rc::new(RefCell::new(Mounted { host, root, config, listener: None }));
    render(&shared);
    let m = shared.borrow();
    if let Err(list) = &m.config {
        report(&m.host, list);
    }
    drop(m);
    shared
}

/// Logs every problem and fires `consent:error`.
fn report(host: &Element, list: &[Problem]) {
    let lines: Vec<String> = list.iter().map(Problem::line).collect();
    let message = cat(&["consent-widget: invalid configuration, no form rendered:\n", &lines.join("\n")]);
    web_sys::console::error_1(&s(&message));
    let detail = object(&[("code", s("config")), ("message", s(&message)), ("problems", problems(list).into())]);
    events::fire(host, "consent:error", &detail);
}

/// The problems of the configuration (empty when valid).
pub fn problem_list(shared: &Shared) -> Vec<Problem> {
    shared.borrow().config.as_ref().err().cloned().unwrap_or_default()
}

/// What the subscriber has entered so far, to keep across a re-render.
struct Entered {
    email: String,
    phone: String,
    ticked: Vec<String>,
}

fn entered(root: &ShadowRoot, config: &Config) -> Entered {
    Entered {
        email: dom::input_value(root, ids::EMAIL),
        phone: dom::input_value(root, ids::PHONE),
        ticked: config
            .purposes
            .iter()
            .filter(|p| dom::is_checked(root, &cat(&[ids::PURPOSE_PREFIX, &p.id])))
            .map(|p| p.id.clone())
            .collect(),
    }
}

fn restore(root: &ShadowRoot, e: &Entered) {
    let input = |id: &str| dom::by_id(root, id).and_then(|el| el.dyn_into::<HtmlInputElement>().ok());
    if let Some(i) = input(ids::EMAIL) {
        i.set_value(&e.email);
    }
    if let Some(i) = input(ids::PHONE) {
        i.set_value(&e.phone);
    }
    for id in &e.ticked {
        if let Some(i) = input(&cat(&[ids::PURPOSE_PREFIX, id])) {
            i.set_checked(true);
        }
    }
}

/// (Re)builds the shadow root's content, keeping what was typed.
pub fn render(shared: &Shared) {
    let weak = Rc::downgrade(shared);
    let mut m = shared.borrow_mut();
    let Some(doc) = m.host.owner_document() else { return };
    let kept = m.config.as_ref().ok().map(|c| entered(&m.root, c));
    unlisten(&mut m);
    m.root.set_text_content(None);
    if let Ok(style) = doc.create_element("style") {
        style.set_text_content(Some(CSS));
        let _ = m.root.append_child(&style);
    }
    let lang = page_lang();
    match &m.config {
        Ok(config) => {
            if let Some(host) = m.host.dyn_ref::<HtmlElement>() {
                for (property, value) in &config.theme {
                    let _ = host.style().set_property(property, value);
                }
            }
            let texts = Texts::resolve(config, lang.as_deref());
            let plan = view::plan(config, &texts);
            let Some(form) = dom::build(&doc, &plan.root) else { return };
            let _ = m.root.append_child(&form);
            if let Some(kept) = kept {
                restore(&m.root, &kept);
            }
            let on_submit = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                event.prevent_default();
                if let Some(shared) = weak.upgrade() {
                    submit(&shared);
                }
            });
            let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
            m.listener = Some((form, on_submit));
        }
        Err(_) => {
            let texts_locale = lang.as_deref().unwrap_or(i18n::DEFAULT_LOCALE);
            let catalog = i18n::catalog_for(texts_locale).unwrap_or(i18n::CATALOGS[0].1);
            let text = catalog.iter().find(|(k, _)| *k == "unavailable").map_or("", |(_, v)| *v);
            if let Ok(p) = doc.create_element("p") {
                let _ = p.set_attribute("class", "cw-unavailable");
                p.set_text_content(Some(text));
                let _ = m.root.append_child(&p);
            }
        }
    }
}

fn unlisten(m: &mut Mounted) {
    if let Some((form, closure)) = m.listener.take() {
        let _ = form.remove_event_listener_with_callback("submit", closure.as_ref().unchecked_ref());
    }
}

/// Removes the form and its listener; the host stays as it was.
pub fn destroy(shared: &Shared) {
    let mut m = shared.borrow_mut();
    unlisten(&mut m);
    m.root.set_text_content(None);
}

/// Switches the locale and re-renders, keeping what was typed.
///
/// # Errors
/// When no catalog and no configured texts serve `locale`.
pub fn set_locale(shared: &Shared, locale: &str) -> Result<(), &'static str> {
    {
        let mut m = shared.borrow_mut();
        let Ok(config) = &mut m.config else { return Err("the configuration is invalid") };
        if i18n::catalog_for(locale).is_none() && !config.texts.iter().any(|(l, _)| i18n::matches(l, locale)) {
            return Err("unknown locale: no catalog and no texts for it");
        }
        config.locale = Some(locale.into());
    }
    render(shared);
    Ok(())
}

fn submit(shared: &Shared) {
    let m = shared.borrow();
    let Ok(config) = &m.config else { return };
    let lang = page_lang();
    let texts = Texts::resolve(config, lang.as_deref());
    let e = entered(&m.root, config);
    let input = Input { email: &e.email, phone: &e.phone, ticked: e.ticked.iter().map(String::as_str).collect() };
    let purpose_ids: Vec<String> = config.purposes.iter().map(|p| p.id.clone()).collect();
    match form::check(config, &input) {
        Err(errors) => {
            dom::show_errors(&m.root, &texts, &errors, &purpose_ids);
            dom::status(&m.root, texts.get("status.invalid"));
        }
        Ok(sub) => {
            dom::show_errors(&m.root, &texts, &[], &purpose_ids);
            let plan = view::plan(config, &texts);
            events::fire(&m.host, "consent:submit", &submit_detail(config, &texts, &sub, &plan.shown));
            let key = if config.double_opt_in { "status.sent.doi" } else { "status.sent" };
            dom::status(&m.root, texts.get(key));
        }
    }
}

fn submit_detail(config: &Config, texts: &Texts, sub: &Submission, shown: &[(String, String)]) -> JsValue {
    let purposes: js_sys::Array = sub
        .outcomes
        .iter()
        .map(|o| object(&[("id", s(&o.id)), ("channel", s(o.channel.as_str())), ("choice", s(o.choice.as_str()))]))
        .collect();
    let shown_texts: Vec<(&str, JsValue)> = shown.iter().map(|(k, v)| (k.as_str(), s(v))).collect();
    object(&[
        ("email", s(&sub.email)),
        ("phone", sub.phone.as_deref().map_or(JsValue::NULL, s)),
        ("locale", s(texts.locale())),
        ("regime", s(config.regime.as_str())),
        ("formId", s(&config.form_id)),
        ("formVersion", s(&config.form_version)),
        ("doubleOptIn", JsValue::from_bool(config.double_opt_in)),
        ("purposes", purposes.into()),
        ("texts", object(&shown_texts)),
    ])
}
