//! Reads a [`Config`] out of a [`Value`], collecting every problem.

use crate::prelude::*;

use super::{CHANNELS, Config, Controller, Localized, PhoneMode, Problem, Purpose, Regime, Says, THEME_KEYS};
use crate::text::{all_bytes, all_chars, cat, find_byte, join};
use crate::value::Value;
use crate::{i18n, phone, rules, validate};

const TOP_KEYS: [&str; 18] = [
    "endpoint",
    "headers",
    "controller",
    "privacyPolicyUrl",
    "privacyPolicyVersion",
    "locale",
    "fallbackLocale",
    "jurisdiction",
    "regime",
    "purposes",
    "phone",
    "defaultCountry",
    "doubleOptIn",
    "formId",
    "formVersion",
    "texts",
    "theme",
    "$schema",
];
const PURPOSE_KEYS: [&str; 5] = ["id", "channel", "label", "description", "checked"];
const REGIMES: [Regime; 3] = [Regime::B2c, Regime::B2b, Regime::SoftOptIn];
// The proof's own spellings: one copy of each name in the wasm.
const REGIME_NAMES: [&str; 3] = [REGIMES[0].as_str(), REGIMES[1].as_str(), REGIMES[2].as_str()];
const CHANNEL_NAMES: [&str; 4] = [CHANNELS[0].as_str(), CHANNELS[1].as_str(), CHANNELS[2].as_str(), CHANNELS[3].as_str()];
const CONTROLLER_KEYS: [&str; 2] = ["name", "contact"];

/// Collects problems while reading fields.
struct Reader {
    problems: Vec<Problem>,
}

impl Reader {
    fn fail(&mut self, field: &str, says: Says) {
        self.fail_with(field, says, &[]);
    }

    fn fail_with(&mut self, field: &str, says: Says, args: &[(&str, &str)]) {
        self.problems.push(Problem::new(field, says, args));
    }

    /// `expected` is one of the `Type*` sentences, which name what `got` is.
    fn wrong_type(&mut self, field: &str, expected: Says, got: &Value) {
        self.fail_with(field, expected, &[("got", got.kind())]);
    }

    /// A string field; `None` when absent or wrong (the problem is recorded).
    fn string(&mut self, obj: &Value, key: &str, field: &str, required: bool) -> Option<String> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(field, Says::Required);
                }
                None
            }
            Some(Value::Str(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    self.fail(field, Says::RequiredEmpty);
                    return None;
                }
                Some(s.into())
            }
            Some(other) => {
                self.wrong_type(field, Says::TypeString, other);
                None
            }
        }
    }

    fn boolean(&mut self, obj: &Value, key: &str, default: bool) -> bool {
        match obj.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.wrong_type(key, Says::TypeBoolean, other);
                default
            }
        }
    }

    /// Reports keys of `obj` that are not in `known`.
    fn unknown_keys(&mut self, obj: &Value, known: &[&str], prefix: &str) {
        if let Value::Obj(members) = obj {
            for (k, _) in members {
                if !known.contains(&k.as_str()) {
                    self.fail(&cat(&[prefix, k]), Says::Unknown);
                }
            }
        }
    }

    /// A string-to-string object, such as `headers`; `expected` tells a
    /// value that is not an object.
    fn string_map(&mut self, value: Option<&Value>, field: &str, expected: Says) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match value {
            None | Some(Value::Null) => {}
            Some(Value::Obj(members)) => {
                for (k, v) in members {
                    match v {
                        Value::Str(s) => out.push((k.clone(), s.clone())),
                        other => self.wrong_type(&cat(&[field, ".", k]), Says::TypeString, other),
                    }
                }
            }
            Some(other) => self.wrong_type(field, expected, other),
        }
        out
    }

    /// A string, or an object of strings per locale.
    fn localized(&mut self, obj: &Value, key: &str, field: &str) -> Localized {
        match obj.get(key) {
            None | Some(Value::Null) => Localized::Absent,
            Some(Value::Str(s)) if !s.trim().is_empty() => Localized::Plain(s.trim().into()),
            map @ Some(Value::Obj(_)) => Localized::PerLocale(self.string_map(map, field, Says::TypeObject)),
            Some(other) => {
                self.wrong_type(field, Says::TypeLocalized, other);
                Localized::Absent
            }
        }
    }

    /// An http(s) URL, or a root-relative path when `relative_ok`.
    fn url(&mut self, obj: &Value, key: &str) -> String {
        let Some(url) = self.string(obj, key, key, true) else { return String::new() };
        if let Err(why) = validate::url(&url) {
            self.fail(key, why);
        }
        url
    }

    fn controller(&mut self, root: &Value) -> Controller {
        let mut c = Controller { name: String::new(), contact: String::new() };
        match root.get("controller") {
            None | Some(Value::Null) => self.fail("controller", Says::RequiredController),
            Some(obj @ Value::Obj(_)) => {
                self.unknown_keys(obj, &CONTROLLER_KEYS, "controller.");
                c.name = self.string(obj, "name", "controller.name", true).unwrap_or_default();
                c.contact = self.string(obj, "contact", "controller.contact", true).unwrap_or_default();
            }
            Some(other) => self.wrong_type("controller", Says::TypeObject, other),
        }
        c
    }

    fn purpose(&mut self, item: &Value, field: &str) -> Option<Purpose> {
        if !matches!(item, Value::Obj(_)) {
            self.wrong_type(field, Says::TypeObject, item);
            return None;
        }
        let prefix = cat(&[field, "."]);
        self.unknown_keys(item, &PURPOSE_KEYS, &prefix);
        let id_field = cat(&[field, ".id"]);
        let id = self.string(item, "id", &id_field, true);
        if let Some(id) = &id {
            if !all_bytes(id, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                self.fail(&id_field, Says::InvalidId);
            }
        }
        let channel = self.one_of(item, "channel", &cat(&[field, ".channel"]), true, &CHANNEL_NAMES).and_then(|i| CHANNELS.get(i).copied());
        match item.get("checked") {
            None | Some(Value::Null) | Some(Value::Bool(false)) => {}
            Some(_) => self.fail(&cat(&[field, ".checked"]), Says::PreChecked),
        }
        let label = self.localized(item, "label", &cat(&[field, ".label"]));
        let description = self.localized(item, "description", &cat(&[field, ".description"]));
        Some(Purpose { id: id?, channel: channel?, label, description })
    }

    fn purposes(&mut self, root: &Value) -> Vec<Purpose> {
        let items = match root.get("purposes") {
            None | Some(Value::Null) => {
                self.fail("purposes", Says::RequiredPurposes);
                return Vec::new();
            }
            Some(Value::Arr(items)) => items,
            Some(other) => {
                self.wrong_type("purposes", Says::TypeArray, other);
                return Vec::new();
            }
        };
        if items.is_empty() {
            self.fail("purposes", Says::Empty);
        }
        let mut out: Vec<Purpose> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = super::purpose_field(i, "");
            if let Some(p) = self.purpose(item, &field) {
                if out.iter().any(|q| q.id == p.id) {
                    self.fail(&cat(&[&field, ".id"]), Says::DuplicateId);
                }
                out.push(p);
            }
        }
        out
    }

    /// The position of `key`'s value in `names`; `None` when absent or not
    /// among them (the problem is recorded, naming them all). Not generic:
    /// one copy in the wasm for every closed list.
    fn one_of(&mut self, obj: &Value, key: &str, field: &str, required: bool, names: &[&str]) -> Option<usize> {
        let name = self.string(obj, key, field, required)?;
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            self.fail_with(field, Says::InvalidChoice, &[("options", &join(names, ", "))]);
        }
        found
    }

    fn texts(&mut self, root: &Value, purposes: &[Purpose]) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        let members = match root.get("texts") {
            None | Some(Value::Null) => return out,
            Some(Value::Obj(members)) => members,
            Some(other) => {
                self.wrong_type("texts", Says::TypeTexts, other);
                return out;
            }
        };
        for (locale, table) in members {
            let field = cat(&["texts.", locale]);
            if !matches!(table, Value::Obj(_)) {
                self.wrong_type(&field, Says::TypeStrings, table);
                continue;
            }
            let strings = self.string_map(Some(table), &field, Says::TypeStrings);
            for (key, _) in &strings {
                if !i18n::is_key(key) && !is_purpose_key(key, purposes) {
                    self.fail(&cat(&[&field, ".", key]), Says::UnknownText);
                }
            }
            if i18n::catalog_for(locale).is_none() {
                let mut missing = Vec::new();
                for key in i18n::KEYS {
                    if !strings.iter().any(|(s, _)| s == key) {
                        missing.push(*key);
                    }
                }
                if !missing.is_empty() {
                    self.fail_with(&field, Says::UnknownLocaleTexts, &[("missing", &join(&missing, ", "))]);
                }
            }
            out.push((locale.clone(), strings));
        }
        out
    }

    fn theme(&mut self, root: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (key, value) in &self.string_map(root.get("theme"), "theme", Says::TypeObject) {
            let field = cat(&["theme.", key]);
            match THEME_KEYS.iter().find(|(k, _)| *k == key) {
                None => self.fail(&field, Says::UnknownTheme),
                Some(_) if find_byte(value, |b| matches!(b, b';' | b'{' | b'}' | b'<' | b'>'), true).is_some() => self.fail(&field, Says::InvalidCss),
                Some((_, property)) => out.push(((*property).into(), value.clone())),
            }
        }
        out
    }
}

fn is_purpose_key(key: &str, purposes: &[Purpose]) -> bool {
    let Some(rest) = key.strip_prefix("purpose.") else { return false };
    purposes.iter().any(|p| {
        rest.strip_prefix(p.id.as_str())
            .is_some_and(|tail| tail == ".label" || tail == ".description")
    })
}

pub(super) fn parse(root: &Value) -> Result<Config, Vec<Problem>> {
    let mut r = Reader { problems: Vec::new() };
    if !matches!(root, Value::Obj(_)) {
        r.wrong_type("(config)", Says::TypeObject, root);
        return Err(r.problems);
    }
    r.unknown_keys(root, &TOP_KEYS, "");
    let endpoint = r.url(root, "endpoint");
    let headers = r.string_map(root.get("headers"), "headers", Says::TypeObject);
    for (name, value) in &headers {
        if name.is_empty() || !all_bytes(name, |b| b.is_ascii_alphanumeric() || matches!(b, b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~')) {
            r.fail(&cat(&["headers.", name]), Says::InvalidHeaderName);
        } else if !all_bytes(value, |b| b == b'\t' || (b' '..=b'~').contains(&b)) {
            // fetch refuses such a header: every attempt would fail.
            r.fail(&cat(&["headers.", name]), Says::InvalidHeaderValue);
        }
    }
    let controller = r.controller(root);
    let privacy_policy_url = r.url(root, "privacyPolicyUrl");
    let privacy_policy_version = r.string(root, "privacyPolicyVersion", "privacyPolicyVersion", false);
    let locale = r.string(root, "locale", "locale", false);
    let fallback_locale = r.string(root, "fallbackLocale", "fallbackLocale", false);
    let jurisdiction = r.string(root, "jurisdiction", "jurisdiction", false).unwrap_or_else(|| "FR".into());
    if jurisdiction.len() != 2 || !all_bytes(&jurisdiction, |b| b.is_ascii_uppercase()) {
        r.fail("jurisdiction", Says::InvalidJurisdiction);
    }
    let regime = r.one_of(root, "regime", "regime", false, &REGIME_NAMES).and_then(|i| REGIMES.get(i).copied()).unwrap_or(Regime::B2c);
    let purposes = r.purposes(root);
    let phone = match r.one_of(root, "phone", "phone", false, &["off", "optional"]) {
        Some(1) => PhoneMode::Optional,
        _ => PhoneMode::Off,
    };
    let country_code = r.string(root, "defaultCountry", "defaultCountry", false).unwrap_or_else(|| "FR".into());
    let default_country = phone::country(&country_code).unwrap_or_else(|| {
        r.fail("defaultCountry", Says::InvalidCountry);
        phone::default_country()
    });
    if phone == PhoneMode::Optional && !purposes.is_empty() && !purposes.iter().any(|p| rules::needs_phone(p.channel)) {
        r.fail("phone", Says::InvalidPhoneUnused);
    }
    if phone == PhoneMode::Off {
        for (i, p) in purposes.iter().enumerate() {
            if rules::needs_phone(p.channel) {
                r.fail(&super::purpose_field(i, ".channel"), Says::NeedsPhone);
            }
        }
    }
    let double_opt_in = r.boolean(root, "doubleOptIn", true);
    let form_id = r.string(root, "formId", "formId", false).unwrap_or_else(|| "signup".into());
    let form_version = r.string(root, "formVersion", "formVersion", false).unwrap_or_else(|| "1".into());
    for (field, value) in &[("formId", &form_id), ("formVersion", &form_version)] {
        if !all_chars(value, |c| !c.is_control()) {
            r.fail(field, Says::InvalidControl);
        }
    }
    let texts = r.texts(root, &purposes);
    let theme = r.theme(root);
    let config = Config {
        endpoint,
        headers,
        controller,
        privacy_policy_url,
        privacy_policy_version,
        locale,
        fallback_locale,
        jurisdiction,
        regime,
        purposes,
        phone,
        default_country,
        double_opt_in,
        form_id,
        form_version,
        texts,
        theme,
    };
    // The same test the form's lookup makes, on the configuration as read.
    for (field, tag) in &[("locale", &config.locale), ("fallbackLocale", &config.fallback_locale)] {
        if tag.as_deref().is_some_and(|tag| !i18n::serves(&config, tag)) {
            r.fail_with(field, Says::UnknownLocale, &[("locales", &join(&i18n::LOCALES, ", "))]);
        }
    }
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    let same = super::distinct::problems(&config);
    if same.is_empty() { Ok(config) } else { Err(same) }
}
