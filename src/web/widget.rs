//! A mounted widget: its shadow root, its configuration, its listeners and
//! its courier.

use crate::prelude::*;

use alloc::rc::{Rc, Weak};
use core::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use super::convert::{object, problems, s};
use super::deliver::{self, Courier, Outcome};
use super::{dom, events, page, storage, submit, withdraw};
use crate::config::{Config, Problem};
use crate::i18n::{self, Texts};
use crate::text::cat;
use crate::view::{self, ids};

const CSS: &str = include_str!("style.css");

/// What the status region is following: the subscriber's own latest record.
#[derive(Clone, PartialEq, Eq)]
pub struct Current {
    /// The record id.
    pub id: String,
    /// Whether it is a withdrawal.
    pub withdrawal: bool,
    /// Whether the collector will ask for confirmation by e-mail.
    pub doi: bool,
}

/// The state behind a `Widget` handle.
pub struct Mounted {
    /// The host element; events fire here.
    pub host: Element,
    /// The open shadow root holding the form.
    pub root: ShadowRoot,
    /// The configuration, or every problem it has.
    pub config: Result<Config, Vec<Problem>>,
    /// Sends this widget's outbox.
    pub courier: Option<Rc<Courier>>,
    /// The record the status region follows.
    pub current: Option<Current>,
    /// The locale the form was last rendered in: what the proof records.
    pub locale: Option<String>,
    listeners: Vec<Listener>,
}

/// A DOM listener, kept so it can be removed.
type Listener = (Element, &'static str, Closure<dyn FnMut(Event)>);

/// A shared, mutable mounted widget.
pub type Shared = Rc<RefCell<Mounted>>;

impl Mounted {
    /// The texts in the locale the form is shown in (not the page's
    /// current `lang`, which may have changed since: the proof must record
    /// what the subscriber saw).
    pub fn texts(&self) -> Option<Texts<'_>> {
        let config = self.config.as_ref().ok()?;
        Some(Texts::resolve(config, self.locale_shown().as_deref()))
    }

    /// The locale the form was rendered in, else the page's.
    pub fn locale_shown(&self) -> Option<String> {
        self.locale.clone().or_else(page::lang)
    }

    /// Sets the status region to the catalog text `key`.
    pub fn say(&self, key: &str) {
        if let Some(texts) = self.texts() {
            dom::status(&self.root, &texts.say(key));
        }
    }
}

/// The storage key of this browser's consent summary for a form.
pub fn consented_key(config: &Config) -> String {
    cat(&["consent-widget/consented/", &config.form_id])
}

/// Gives the shadow root its stylesheet: a constructed one, which a strict
/// CSP (no `'unsafe-inline'` styles) allows, or a `<style>` element where
/// constructed sheets are unavailable (older browsers, another document).
fn style(root: &ShadowRoot, doc: &web_sys::Document) {
    let same_document = web_sys::window().and_then(|w| w.document()).is_some_and(|d| &d == doc);
    let adoptable = js_sys::Reflect::has(root, &s("adoptedStyleSheets")).unwrap_or(false);
    if same_document && adoptable {
        if let Ok(sheet) = web_sys::CssStyleSheet::new() {
            if sheet.replace_sync(CSS).is_ok() {
                let sheets: js_sys::Array = core::iter::once(JsValue::from(sheet)).collect();
                root.set_adopted_style_sheets(&sheets);
                return;
            }
        }
    }
    if let Ok(el) = doc.create_element("style") {
        el.set_text_content(Some(CSS));
        let _ = root.append_child(&el);
    }
}

/// Adds a listener that holds the widget alive: a page need not keep the
/// handle `mount` returns. `destroy` removes the listeners and so frees it.
fn listen(shared: &Shared, el: Element, event: &'static str, handler: fn(&Shared, Event)) {
    let strong = shared.clone();
    let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| handler(&strong, e));
    let _ = el.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    shared.borrow_mut().listeners.push((el, event, closure));
}

fn on_outcome(weak: Weak<RefCell<Mounted>>) -> deliver::OnOutcome {
    Rc::new(move |id: &str, outcome: Outcome| {
        let Some(shared) = weak.upgrade() else { return };
        let m = shared.borrow();
        let Some(current) = m.current.clone().filter(|c| c.id == id) else { return };
        m.say(match outcome {
            Outcome::Delivered if current.withdrawal => "status.withdrawn",
            Outcome::Delivered if current.doi => "status.sent.doi",
            Outcome::Delivered => "status.sent",
            Outcome::Queued => "status.queued",
            Outcome::Rejected => "status.rejected",
        });
    })
}

/// Mounts on `host`: an open shadow root holding the form, or, for an
/// invalid configuration, a short neutral message. Proofs left in the
/// outbox by an earlier page are sent again.
///
/// # Errors
/// When neither `host` nor a wrapper inside it can hold a shadow root.
pub fn mount(host: Element, config: Result<Config, Vec<Problem>>) -> Result<Shared, &'static str> {
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&init).or_else(|_| {
            // Hosts that cannot carry a shadow root (e.g. <p>) get a wrapper that can.
            let wrap = host.owner_document().ok_or(())?.create_element("div").map_err(|_| ())?;
            host.append_child(&wrap).map_err(|_| ())?;
            wrap.attach_shadow(&init).map_err(|_| ())
        }).map_err(|_| "mount: the target cannot hold a shadow root")?,
    };
    let shared = Rc::new(RefCell::new(Mounted { host, root, config, courier: None, current: None, locale: None, listeners: Vec::new() }));
    let courier = match &shared.borrow().config {
        Ok(config) => Some(Courier::new(
            shared.borrow().host.clone(),
            page::absolute(&config.endpoint),
            config.form_id.clone(),
            config.headers.clone(),
            on_outcome(Rc::downgrade(&shared)),
        )),
        Err(list) => {
            report(&shared.borrow().host, list);
            None
        }
    };
    shared.borrow_mut().courier = courier.clone();
    render(&shared);
    if let Some(courier) = courier {
        deliver::flush(&courier);
    }
    Ok(shared)
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

/// What the subscriber has entered so far.
pub struct Entered {
    /// The e-mail field.
    pub email: String,
    /// The phone field.
    pub phone: String,
    /// The ids of the ticked purposes.
    pub ticked: Vec<String>,
}

/// Reads the form's fields.
pub fn entered(root: &ShadowRoot, config: &Config) -> Entered {
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

fn unlisten(m: &mut Mounted) {
    for (el, event, closure) in m.listeners.drain(..) {
        let _ = el.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    }
}

/// (Re)builds the shadow root's content, keeping what was typed.
pub fn render(shared: &Shared) {
    let (doc, config) = {
        let mut m = shared.borrow_mut();
        let Some(doc) = m.host.owner_document() else { return };
        let kept = m.config.as_ref().ok().map(|c| entered(&m.root, c));
        unlisten(&mut m);
        m.root.set_text_content(None);
        style(&m.root, &doc);
        let lang = page::lang();
        let config = match &m.config {
            Ok(config) => config.clone(),
            Err(_) => {
                let locale = lang.as_deref().unwrap_or(i18n::DEFAULT_LOCALE);
                let catalog = i18n::catalog_for(locale).unwrap_or(i18n::CATALOGS[0].1);
                let text = catalog.iter().find(|(k, _)| *k == "unavailable").map_or("", |(_, v)| *v);
                if let Ok(p) = doc.create_element("p") {
                    let _ = p.set_attribute("class", "cw-unavailable");
                    p.set_text_content(Some(text));
                    let _ = m.root.append_child(&p);
                }
                return;
            }
        };
        if let Some(host) = m.host.dyn_ref::<HtmlElement>() {
            for (property, value) in &config.theme {
                let _ = host.style().set_property(property, value);
            }
        }
        let texts = Texts::resolve(&config, lang.as_deref());
        let shown_in = texts.locale().to_string();
        let Some(form) = dom::build(&doc, &view::plan(&config, &texts).root) else { return };
        let _ = m.root.append_child(&form);
        if let Some(kept) = kept {
            restore(&m.root, &kept);
        }
        m.locale = Some(shown_in);
        (doc, config)
    };
    let root = shared.borrow().root.clone();
    if let Some(form) = dom::by_id(&root, ids::FORM) {
        listen(shared, form, "submit", submit::on_submit);
    }
    render_manage(shared, &doc, &config);
}

/// Adds the "manage my choices" section when this browser has consented
/// with this form.
pub fn render_manage(shared: &Shared, doc: &web_sys::Document, config: &Config) {
    let consented = storage::get(&consented_key(config)).and_then(|v| crate::record::Consented::decode(&v));
    {
        let m = shared.borrow();
        if let Some(old) = m.root.query_selector(".cw-manage-wrap").ok().flatten() {
            old.remove();
        }
        let Some(consented) = consented.filter(|c| !c.purposes.is_empty()) else { return };
        let Some(texts) = m.texts() else { return };
        let Some(section) = dom::build(doc, &view::manage(config, &texts, &consented.purposes).root) else { return };
        let _ = m.root.append_child(&section);
    }
    let root = shared.borrow().root.clone();
    if let Some(toggle) = dom::by_id(&root, ids::MANAGE_TOGGLE) {
        listen(shared, toggle, "click", withdraw::on_toggle);
    }
    if let Some(form) = dom::by_id(&root, ids::MANAGE) {
        listen(shared, form, "submit", withdraw::on_submit);
    }
}

/// Removes the form and its listeners; the host stays as it was.
pub fn destroy(shared: &Shared) {
    let mut m = shared.borrow_mut();
    unlisten(&mut m);
    m.courier = None;
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
