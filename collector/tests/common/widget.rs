//! Proofs made natively exactly as the widget makes them, from a widget
//! configuration: the same checks, text plan, hashes and record builder;
//! only the signature comes from a key in memory instead of WebCrypto.
#![allow(dead_code)]

// The widget's own copies of the form modules (it compiles consent-form's
// sources into itself), so the types meet its `form` and `record`.
use consent_proof::verify::sha256_hex;
use consent_proof::{Proof, ShownTexts};
use consent_widget::config::Config;
use consent_widget::i18n::Texts;
use consent_widget::{form, record, view};

/// The demo storefront's widget configuration (`www/index.html`).
pub fn demo_config() -> String {
    let html = include_str!("../../../www/index.html");
    let start = html
        .find("id=\"signup-config\">")
        .expect("the demo page has its config")
        + "id=\"signup-config\">".len();
    let end = start
        + html[start..]
            .find("</script>")
            .expect("the config script ends");
    html[start..end].trim().to_string()
}

/// Reads a configuration as the widget does; panics on a configuration the widget refuses.
pub fn config(json: &str) -> Config {
    let value = consent_widget::json::parse(json).expect("the configuration is JSON");
    Config::from_value(&value)
        .unwrap_or_else(|problems| panic!("the widget refuses it: {problems:?}"))
}

/// A page the widget runs on.
#[derive(Clone, Debug)]
pub struct Page {
    /// The widget configuration (JSON).
    pub config: String,
    /// The page's origin.
    pub origin: String,
    /// The page's `<html lang>`.
    pub lang: String,
}

impl Page {
    /// The demo form on `origin`, in `lang`.
    pub fn demo(origin: &str, lang: &str) -> Page {
        Page {
            config: demo_config(),
            origin: origin.into(),
            lang: lang.into(),
        }
    }

    fn context(&self, prev: Option<String>) -> record::Context {
        let mut random = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        record::Context {
            origin: self.origin.clone(),
            page: format!("{}/", self.origin),
            now_ms: chrono::Utc::now().timestamp_millis(),
            id: record::uuid_v4(random),
            prev,
            widget: record::widget_build(),
        }
    }

    /// The consent record of a subscriber who typed `email` and `phone` and ticked `ticked`.
    pub fn consent(
        &self,
        email: &str,
        phone: &str,
        ticked: &[&str],
        prev: Option<String>,
    ) -> Proof {
        let config = config(&self.config);
        let texts = Texts::resolve(&config, Some(&self.lang));
        let input = form::Input {
            email,
            phone,
            ticked: ticked.to_vec(),
        };
        let sub = form::check(&config, &input)
            .unwrap_or_else(|e| panic!("the widget would not send it: {e:?}"));
        let shown: ShownTexts = view::plan(&config, &texts).shown.into_iter().collect();
        let ids: Vec<&str> = config.purposes.iter().map(|p| p.id.as_str()).collect();
        let hashes: Vec<String> = view::hash_inputs(&shown, &ids)
            .iter()
            .map(|s| sha256_hex(s.as_bytes()))
            .collect();
        record::consent(
            &config,
            texts.locale(),
            &sub,
            shown,
            &hashes,
            self.context(prev),
        )
    }

    /// The widget's withdrawal of `purposes` from the consent `consent`, whose JWS is `consent_jws`.
    pub fn withdrawal(&self, consent: &Proof, consent_jws: &str, purposes: &[&str]) -> Proof {
        let config = config(&self.config);
        let texts = Texts::resolve(&config, Some(&self.lang));
        let chosen: Vec<(String, consent_proof::Channel)> = consent
            .purposes
            .iter()
            .filter(|p| purposes.contains(&p.id.as_str()))
            .map(|p| (p.id.clone(), p.channel))
            .collect();
        let shown: ShownTexts = view::manage(&config, &texts, &consent.subject.email, &chosen)
            .shown
            .into_iter()
            .collect();
        let ids: Vec<&str> = chosen.iter().map(|(id, _)| id.as_str()).collect();
        let hashes: Vec<String> = view::hash_inputs(&shown, &ids)
            .iter()
            .map(|s| sha256_hex(s.as_bytes()))
            .collect();
        let prev = Some(sha256_hex(consent_jws.as_bytes()));
        record::withdrawal(
            &config,
            texts.locale(),
            consent.subject.clone(),
            &chosen,
            shown,
            &hashes,
            self.context(prev),
        )
    }
}
