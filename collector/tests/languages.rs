//! A sign-up in each of the 25 languages, made as the widget makes it on a
//! page in that language, gets its mail through real SMTP (scripts/test-collector)
//! and its confirm, preference and unsubscribe pages in that same language,
//! whatever language the reader's browser asks for.
#![allow(missing_docs)]

mod common;

use std::process::Command;

use common::widget::Page;
use common::{Db, TestDb, ORIGIN};
use consent_collector::i18n::lang::Lang;
use consent_proof::verify::sha256_hex;
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");
/// The demo form's controller, the mail's sender name.
const SHOP: &str = "Boutique Exemple SAS";

/// The Subject header of a raw message, decoded by Python's `email` package
/// (RFC 2047 encoded words, folded lines), as a mail client reads it.
fn subject(mail: &str) -> String {
    let head = mail.split("\n\n").next().unwrap();
    let python = std::env::var("CONSENT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python)
        .args([
            "-c",
            "import email, email.policy, sys; \
             m = email.message_from_string(sys.argv[1] + '\\n\\n', policy=email.policy.default); \
             sys.stdout.write(str(m['subject']))",
            head,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// GETs a page as a browser whose reader prefers French: the subscriber's
/// language wins. Returns its status, `Content-Language` and HTML.
async fn open_as_french_reader(url: &str) -> (StatusCode, String, String) {
    let response = reqwest::Client::new().get(url).header("accept-language", "fr-FR,fr;q=0.9").send().await.unwrap();
    common::assert_link_page_headers(&response);
    let language = response.headers()["content-language"].to_str().unwrap().to_string();
    (response.status(), language, response.text().await.unwrap())
}

/// The HTML-escaped text, as the pages write it.
fn html(text: &str) -> String {
    consent_collector::i18n::html::escape(text)
}

#[tokio::test]
async fn a_sign_up_in_each_language_is_mailed_and_confirmed_in_it() {
    if std::env::var("CONSENT_TEST_SMTP").is_err() {
        panic!("CONSENT_TEST_SMTP is not set: run scripts/test-collector");
    }
    let db = TestDb::empty(Db::Sqlite).await;
    let data = tempfile::tempdir().unwrap();
    let mut settings = common::settings(&db, data.path());
    settings.outbox = Some(false);
    let server = common::start(settings).await;
    // The merchant registers the demo form, as the README says.
    let config = data.path().join("signup.json");
    std::fs::write(&config, common::widget::demo_config()).unwrap();
    let added = Command::new(BIN)
        .args(["forms", "add", config.to_str().unwrap(), "--origin", ORIGIN])
        .args(["--database", &db.url, "--data-dir", data.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));

    // The greeting of three, written here rather than read from the catalog.
    let greetings = [("de", "Guten Tag,"), ("el", "Γεια σας,"), ("pl", "Dzień dobry,")];
    for (tag, _) in consent_collector::i18n::catalog::FILES {
        let lang = Lang::from_locale(tag);
        let hello = greetings.iter().find(|(t, _)| *t == tag).map_or(lang.text("mail.hello"), |(_, h)| *h);
        let email = format!("{tag}-{}@example.org", &common::record_id()[..8]);
        let page = Page::demo(ORIGIN, tag);
        let proof = page.consent(&email, "+33 6 12 34 56 78", &["newsletter", "sms"], None);
        assert_eq!(proof.locale, tag, "the widget shows and records {tag}");
        let response = common::post_proof(&server.url, &common::sign(&common::browser_key(), &proof)).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{tag}: {}", response.text().await.unwrap());

        // The mail: subject decoded as a client does, body, and its language.
        let mail = common::wait_for_mail(&email).await;
        let say = |key| lang.say(key, &[("sender", SHOP), ("ttl_hours", "48"), ("days", "30")]);
        assert_eq!(subject(&mail), say("mail.subject"), "{tag}: {mail}");
        assert_eq!(common::header(&mail, "Content-Language"), Some(tag), "{mail}");
        assert!(mail.contains(&format!("\n\n{hello}\n\n{}\n\n", say("mail.asked"))), "{tag}: {mail}");
        // It quotes the boxes as the form showed them, in that language.
        let ticked: Vec<&String> = proof
            .purposes
            .iter()
            .filter(|p| ["newsletter", "sms"].contains(&p.id.as_str()))
            .filter_map(|p| proof.texts.shown.0.iter().map(|(_, t)| t).find(|t| sha256_hex(t.as_bytes()) == p.text_sha256))
            .collect();
        assert_eq!(ticked.len(), 2, "{tag}: the shown texts of the two boxes");
        for text in &ticked {
            assert!(mail.contains(&format!("  - {text}\n")), "{tag}: {text} in {mail}");
        }
        for key in ["mail.ticked", "mail.confirm", "mail.ignore", "mail.preferences", "mail.unsubscribe", "mail.sms_stop"] {
            assert!(mail.contains(&say(key)), "{tag}: {key} in {mail}");
        }
        let confirm = common::link(&mail, &format!("{}/v1/confirm?token=", server.url));
        let preferences = common::link(&mail, &format!("{}/v1/preferences?token=", server.url));
        let unsubscribe = common::link(&mail, &format!("{}/v1/unsubscribe?token=", server.url));

        // The confirm page, before and after the button, in the subscriber's language.
        let (status, language, page) = open_as_french_reader(&confirm).await;
        assert_eq!((status, language.as_str()), (StatusCode::OK, tag));
        assert!(page.contains(&format!("<html lang=\"{tag}\">")), "{page}");
        assert!(page.contains(&format!("<h1>{}</h1>", html(lang.text("page.confirm_ask.title")))), "{tag}: {page}");
        assert!(page.contains(&format!(">{}</button>", html(lang.text("page.confirm_ask.button")))), "{tag}: {page}");
        assert!(page.contains(&html(ticked[0])), "{tag}: {page}");
        let confirmed = common::press(&confirm).await;
        assert_eq!(confirmed.status(), StatusCode::OK);
        assert_eq!(confirmed.headers()["content-language"], tag);
        let confirmed = confirmed.text().await.unwrap();
        assert!(confirmed.contains(&format!("<h1>{}</h1>", html(lang.text("page.confirmed.title")))), "{tag}: {confirmed}");

        // The preference page says each purpose's state now, in that language.
        let (status, language, page) = open_as_french_reader(&preferences).await;
        assert_eq!((status, language.as_str()), (StatusCode::OK, tag));
        assert!(page.contains(&format!("<h1>{}</h1>", html(lang.text("prefs.title")))), "{tag}: {page}");
        assert!(page.contains(&format!("<em>{}</em>", html(lang.text("prefs.state.confirmed")))), "{tag}: {page}");
        assert!(page.contains(&html(lang.text("prefs.legend"))), "{tag}: {page}");

        // The unsubscribe page too.
        let (status, language, page) = open_as_french_reader(&unsubscribe).await;
        assert_eq!((status, language.as_str()), (StatusCode::OK, tag));
        assert!(page.contains(&format!("<h1>{}</h1>", html(lang.text("page.unsubscribe_ask.title")))), "{tag}: {page}");
    }
}
