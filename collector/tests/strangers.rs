//! What a stranger with a fresh key tries, from outside (HTTP and the
//! command line against a running collector, on SQLite and PostgreSQL), and
//! the documented answer; what should not change did not change.
#![allow(missing_docs)]

mod common;

use std::process::{Command, Output};

use common::widget::Page;
use common::{Db, TestDb, ORIGIN};
use consent_collector::audit::export::{current_states, Filter};
use consent_collector::store::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

const BIN: &str = env!("CARGO_BIN_EXE_consent-collector");

/// A running collector whose merchant registered the demo form with `forms add`.
struct Shop {
    db: TestDb,
    data: tempfile::TempDir,
    server: consent_collector::http::Running,
    store: std::sync::Arc<dyn Store>,
    page: Page,
}

impl Shop {
    async fn open(db: Db, tweak: impl FnOnce(&mut consent_collector::config::Settings)) -> Shop {
        let db = TestDb::empty(db).await;
        let data = tempfile::tempdir().unwrap();
        let mut settings = common::settings(&db, data.path());
        (settings.smtp_url, settings.outbox) = (None, Some(true));
        tweak(&mut settings);
        let server = common::start(settings).await;
        let store = db.store().await;
        let shop = Shop {
            db,
            data,
            server,
            store,
            page: Page::demo(ORIGIN, "fr"),
        };
        let config = shop.data.path().join("signup.json");
        std::fs::write(&config, common::widget::demo_config()).unwrap();
        let added = shop.cli(&["forms", "add", config.to_str().unwrap(), "--origin", ORIGIN]);
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
        assert!(
            stdout(&added).starts_with("registered form footer-signup version 1"),
            "{}",
            stdout(&added)
        );
        shop
    }

    /// Runs the CLI while the in-process collector keeps serving (its
    /// runtime has other threads): frozen, it could hold a write lock the
    /// command then meets.
    fn cli(&self, args: &[&str]) -> Output {
        let data = self.data.path().to_str().unwrap();
        tokio::task::block_in_place(|| {
            Command::new(BIN)
                .args(args)
                .args(["--database", &self.db.url, "--data-dir", data])
                .output()
                .unwrap()
        })
    }

    async fn post(&self, jws: &str) -> (StatusCode, Value) {
        let response = common::post_proof(&self.server.url, jws).await;
        (response.status(), response.json().await.unwrap())
    }

    /// `(purpose, state)` of `subject`, as `export` says.
    async fn states(&self, subject: &str) -> Vec<(String, String)> {
        let filter = Filter {
            subject: Some(subject.into()),
            ..Filter::default()
        };
        let rows = current_states(self.store.as_ref(), &filter).await.unwrap();
        rows.into_iter().map(|r| (r.purpose, r.state)).collect()
    }

    /// How many links (tokens) were ever made for the entry at `seq`: none means no mail.
    async fn links(&self, seq: &Value) -> i64 {
        let pool = self.store.sql_pool();
        let row = sqlx::query("SELECT COUNT(*) AS n FROM tokens WHERE entry_seq = $1")
            .bind(seq.as_i64().unwrap())
            .fetch_one(pool)
            .await
            .unwrap();
        row.try_get("n").unwrap()
    }

    /// Confirms `email`'s mail by its link's button.
    async fn confirm(&self, email: &str) {
        let mail = common::wait_for_outbox(&self.data.path().join("outbox"), email).await;
        assert_eq!(
            common::press(&mail.confirm_url).await.status(),
            StatusCode::OK
        );
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn states(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect()
}

async fn a_forged_single_opt_in_is_held_not_granted(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let mut proof = shop
        .page
        .consent("victim@example.org", "", &["newsletter"], None);
    proof.double_opt_in = consent_proof::DoubleOptIn::NotRequested;
    let (status, body) = shop
        .post(&common::sign(&common::browser_key(), &proof))
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("held")),
        "{body}"
    );
    assert_eq!(shop.states("victim@example.org").await, states(&[]));
    assert_eq!(shop.links(&body["seq"]).await, 0, "no mail");
    let held = stdout(&shop.cli(&["forms", "held"]));
    assert!(
        held.contains("(doubleOptIn differs from the registered form version)"),
        "{held}"
    );
    assert!(held.contains("NOT REQUESTED"), "{held}");
    // The registered version cannot be approved into another.
    let approve = shop.cli(&["forms", "approve", "footer-signup", "1"]);
    assert!(!approve.status.success());
    assert!(String::from_utf8_lossy(&approve.stderr)
        .contains("registered already with another doubleOptIn"));
    assert_eq!(shop.states("victim@example.org").await, states(&[]));
    shop.server.stop().await.unwrap();
}

async fn refused_outright_with_unknown_forms_refuse(db: Db) {
    let shop = Shop::open(db, |s| {
        s.unknown_forms = Some(consent_collector::flows::intake::UnknownForms::Refuse)
    })
    .await;
    let mut forged = shop
        .page
        .consent("victim@example.org", "", &["newsletter"], None);
    forged.double_opt_in = consent_proof::DoubleOptIn::NotRequested;
    let (status, body) = shop
        .post(&common::sign(&common::browser_key(), &forged))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("form_mismatch")),
        "{body}"
    );
    assert_eq!(
        body["message"],
        "doubleOptIn differs from the registered form version"
    );
    let mut unknown = shop
        .page
        .consent("victim@example.org", "", &["newsletter"], None);
    unknown.form.version = "9".into();
    let (status, body) = shop
        .post(&common::sign(&common::browser_key(), &unknown))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_form")),
        "{body}"
    );
    assert_eq!(
        common::count(&shop.db.open().await, "entries").await,
        0,
        "nothing stored"
    );
    shop.server.stop().await.unwrap();
}

async fn a_stranger_cannot_withdraw_or_lower_a_consent(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let marie = common::browser_key();
    let consent = shop
        .page
        .consent("marie@example.org", "", &["newsletter"], None);
    let consent_jws = common::sign(&marie, &consent);
    assert_eq!(shop.post(&consent_jws).await.1["status"], "pending");
    shop.confirm("marie@example.org").await;
    let before = states(&[
        ("newsletter", "confirmed"),
        ("partners", "refused"),
        ("sms", "refused"),
    ]);
    assert_eq!(shop.states("marie@example.org").await, before);

    // A withdrawal naming her consent, signed by another key.
    let stranger = common::browser_key();
    let forged = shop
        .page
        .withdrawal(&consent, &consent_jws, &["newsletter"]);
    let (status, body) = shop.post(&common::sign(&stranger, &forged)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("withdrawal_key_mismatch")
        )
    );
    // A withdrawal naming a consent that was never stored.
    let mut unlinked = forged.clone();
    unlinked.prev = Some("0".repeat(64));
    let (status, body) = shop.post(&common::sign(&stranger, &unlinked)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("withdrawal_unlinked")
        )
    );
    // A refusal of the newsletter (ticking partners) from another key: recorded, never lowering.
    let refusal = shop
        .page
        .consent("marie@example.org", "", &["partners"], None);
    let (status, body) = shop.post(&common::sign(&stranger, &refusal)).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("pending")),
        "partners is new: it asks"
    );
    let after = shop.states("marie@example.org").await;
    assert_eq!(
        after[0],
        ("newsletter".to_string(), "confirmed".to_string()),
        "{after:?}"
    );
    assert_eq!(
        after[1],
        ("partners".to_string(), "pending".to_string()),
        "{after:?}"
    );

    // Her own browser's withdrawal counts.
    let own = shop
        .page
        .withdrawal(&consent, &consent_jws, &["newsletter"]);
    assert_eq!(
        shop.post(&common::sign(&marie, &own)).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        shop.states("marie@example.org").await[0],
        ("newsletter".to_string(), "withdrawn".to_string())
    );
    shop.server.stop().await.unwrap();
}

async fn a_second_sign_up_neither_reverts_nor_mails_a_confirmed_subscriber(db: Db) {
    // With the default `--resend-after`: the interval spaces re-sent
    // confirmations, never the mail of a purpose newly asked for.
    let shop = Shop::open(db, |_| {}).await;
    let paul = "paul@example.org";
    let first = shop
        .post(&common::sign(
            &common::browser_key(),
            &shop.page.consent(paul, "", &["newsletter"], None),
        ))
        .await;
    assert_eq!(first.1["status"], "pending");
    shop.confirm(paul).await;
    // The same again from a stranger's key: nothing changes, no mail.
    let again = shop.page.consent(paul, "", &["newsletter"], None);
    let (status, body) = shop
        .post(&common::sign(&common::browser_key(), &again))
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("recorded")),
        "{body}"
    );
    assert_eq!(shop.links(&body["seq"]).await, 0, "no second mail");
    assert_eq!(
        shop.states(paul).await[0],
        ("newsletter".to_string(), "confirmed".to_string())
    );
    // A new purpose is added as pending, and mailed.
    let more = shop
        .page
        .consent(paul, "06 12 34 56 78", &["newsletter", "sms"], None);
    let (_, body) = shop
        .post(&common::sign(&common::browser_key(), &more))
        .await;
    assert_eq!(body["status"], "pending");
    assert_eq!(shop.links(&body["seq"]).await, 3);
    let now = shop.states(paul).await;
    assert_eq!(
        (now[0].1.as_str(), now[2].1.as_str()),
        ("confirmed", "pending"),
        "{now:?}"
    );
    shop.server.stop().await.unwrap();
}

async fn a_strangers_words_never_reach_a_mail(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let mut proof = shop
        .page
        .consent("victim@example.org", "", &["newsletter"], None);
    proof.controller.name = "Boutique Exemple SAS\n\nSECURITY ALERT: restore your account at https://evil.example/restore".into();
    let (status, body) = shop
        .post(&common::sign(&common::browser_key(), &proof))
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("held"))
    );
    assert_eq!(shop.links(&body["seq"]).await, 0, "no mail");
    // The merchant's own sign-up mail says the registered name, on one line.
    shop.post(&common::sign(
        &common::browser_key(),
        &shop
            .page
            .consent("real@example.org", "", &["newsletter"], None),
    ))
    .await;
    let mail = common::wait_for_outbox(&shop.data.path().join("outbox"), "real@example.org").await;
    let eml = mail.message.unwrap();
    assert!(
        !eml.contains("evil.example") && eml.contains("Boutique Exemple SAS"),
        "{eml}"
    );
    // Nor can a configuration with a line break in the controller name be registered.
    let broken = shop.data.path().join("broken.json");
    let config = common::widget::demo_config()
        .replace("Boutique Exemple SAS", "Boutique\\nSECURITY ALERT")
        .replace("\"1\"", "\"2\"");
    std::fs::write(&broken, config).unwrap();
    let add = shop.cli(&["forms", "add", broken.to_str().unwrap(), "--origin", ORIGIN]);
    assert!(!add.status.success());
    assert!(
        String::from_utf8_lossy(&add.stderr).contains("controller.name holds a control character")
    );
    shop.server.stop().await.unwrap();
}

async fn an_unknown_form_is_held_until_approved_then_proceeds(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let config =
        common::widget::demo_config().replace("\"formVersion\": \"1\"", "\"formVersion\": \"2\"");
    let page = Page {
        config,
        ..shop.page.clone()
    };
    let key = common::browser_key();
    let consent = page.consent("new@example.org", "", &["partners"], None);
    let (status, body) = shop.post(&common::sign(&key, &consent)).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("held"))
    );
    assert_eq!(shop.states("new@example.org").await, states(&[]));
    let held = stdout(&shop.cli(&["forms", "held"]));
    assert!(
        held.contains("form footer-signup version 2 (unknown form version)"),
        "{held}"
    );
    assert!(held.contains("text purpose.partners: \"J’accepte de recevoir les offres de nos partenaires artisans par e-mail.\""), "{held}");
    // The DPO's history says so too, until the approval.
    let history = |shop: &Shop| stdout(&shop.cli(&["history", "--subject", "new@example.org"]));
    assert!(history(&shop).contains("held           unknown form version: it counts for nothing"), "{}", history(&shop));
    let approved = shop.cli(&["forms", "approve", "footer-signup", "2"]);
    assert!(stdout(&approved).contains("released 1 held proofs, 1 confirmation mails stored to send"), "{}", stdout(&approved));
    assert!(!history(&shop).contains("counts for nothing"), "{}", history(&shop));
    assert_eq!(shop.states("new@example.org").await[1], ("partners".to_string(), "pending".to_string()));
    assert_eq!(shop.links(&body["seq"]).await, 3, "its links (confirm, unsubscribe, preferences) are stored with its mail");
    assert!(stdout(&shop.cli(&["forms", "held"])).contains("no held proof"));
    let listed = stdout(&shop.cli(&["forms", "list"]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(
        stdout(&shop.cli(&["verify-log"])).starts_with("ok: 2 entries"),
        "the release is chained"
    );
    // Nothing is left to approve.
    let again = shop.cli(&["forms", "approve", "footer-signup", "2"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("no held proof of this form version"));
    shop.server.stop().await.unwrap();
}

async fn a_tampered_held_mark_is_named_by_verify_log(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let config =
        common::widget::demo_config().replace("\"formVersion\": \"1\"", "\"formVersion\": \"2\"");
    let page = Page { config, ..shop.page.clone() };
    let first = page.consent("new@example.org", "", &["partners"], None);
    let (_, body) = shop.post(&common::sign(&common::browser_key(), &first)).await;
    assert_eq!(body["status"], "held");
    let ok = shop.cli(&["verify-log"]);
    assert!(stdout(&ok).starts_with("ok: 1 entries"), "{}", stdout(&ok));
    let pool = shop.store.sql_pool();
    // Its mark deleted, the unregistered form's proof would count: named.
    sqlx::query("DELETE FROM held_proofs WHERE seq = 1").execute(pool).await.unwrap();
    assert_eq!(shop.states("new@example.org").await[1].1, "pending", "what the deletion does");
    let broken = shop.cli(&["verify-log"]);
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(
        !broken.status.success()
            && said.contains("log broken at seq 1")
            && said.contains("matches no registered version of form footer-signup version 2"),
        "{said}"
    );
    // Marked released by an entry that is no release of it: named too.
    let second = shop.page.consent("other@example.org", "", &["newsletter"], None);
    shop.post(&common::sign(&common::browser_key(), &second)).await;
    sqlx::query("INSERT INTO held_proofs (seq, form_id, version, reason, released_seq) VALUES (1, 'footer-signup', '2', 'unknown form version', 2)")
        .execute(pool)
        .await
        .unwrap();
    let broken = shop.cli(&["verify-log"]);
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(said.contains("released at seq 2, which is no release of it"), "{said}");
    shop.server.stop().await.unwrap();
}

async fn a_released_single_opt_in_reaches_the_tools_and_a_double_opt_in_waits(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let hook = shop.data.path().join("tools.toml");
    std::fs::write(&hook, "[[connectors.webhook]]\nname = \"crm\"\nurl = \"http://127.0.0.1:9/hook\"\n").unwrap();
    let hook = hook.to_str().unwrap();
    let handoffs = |seq: i64| {
        let pool = shop.store.sql_pool().clone();
        async move {
            sqlx::query("SELECT connector, change FROM handoffs WHERE entry_seq = $1")
                .bind(seq)
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    let change: Value = serde_json::from_str(&sqlx::Row::get::<String, _>(r, "change")).unwrap();
                    (sqlx::Row::get::<String, _>(r, "connector"), change["state"].clone(), change["optIn"].clone())
                })
                .collect::<Vec<_>>()
        }
    };
    for (version, double_opt_in) in [("3", false), ("4", true)] {
        let config = common::widget::demo_config()
            .replace("\"formVersion\": \"1\"", &format!("\"formVersion\": \"{version}\""))
            .replace("\"doubleOptIn\": true", &format!("\"doubleOptIn\": {double_opt_in}"));
        let page = Page { config, ..shop.page.clone() };
        let email = format!("v{version}@example.org");
        let (_, body) = shop.post(&common::sign(&common::browser_key(), &page.consent(&email, "", &["newsletter"], None))).await;
        assert_eq!(body["status"], "held", "{body}");
        let approved = shop.cli(&["--config", hook, "forms", "approve", "footer-signup", version]);
        assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
        let release_seq = shop.store.entries(0, 1000).await.unwrap().last().unwrap().seq;
        let told = handoffs(release_seq).await;
        if double_opt_in {
            assert_eq!(told, [], "a double opt-in reaches the tools at its click only");
        } else {
            assert_eq!(told, [("webhook-crm".to_string(), json!("confirmed"), json!("single"))]);
        }
    }
    shop.server.stop().await.unwrap();
}

async fn a_strangers_held_texts_never_reach_the_preference_page(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let ada = "ada@example.org";
    shop.post(&common::sign(&common::browser_key(), &shop.page.consent(ada, "", &["newsletter"], None))).await;
    let mail = common::wait_for_outbox(&shop.data.path().join("outbox"), ada).await;
    // A stranger signs the same address up on a form of their own making:
    // held, its newsletter box worded their way.
    let config = common::widget::demo_config()
        .replace("\"formVersion\": \"1\"", "\"formVersion\": \"9\"")
        .replace("\"purposes\": [", "\"texts\": {\"fr\": {\"purpose.newsletter.label\": \"restore your account at https://evil.example/restore\"}}, \"purposes\": [");
    let page = Page { config, ..shop.page.clone() };
    let (_, body) = shop.post(&common::sign(&common::browser_key(), &page.consent(ada, "", &["newsletter"], None))).await;
    assert_eq!(body["status"], "held", "{body}");
    let (status, html) = common::open_link(mail.preferences_url.as_deref().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("evil.example"), "{html}");
    assert!(html.contains("newsletter"), "{html}");
    shop.server.stop().await.unwrap();
}

async fn forms_show_prints_what_a_version_fixes(db: Db) {
    let shop = Shop::open(db, |_| {}).await;
    let shown: Value =
        serde_json::from_str(&stdout(&shop.cli(&["forms", "show", "footer-signup", "1"]))).unwrap();
    assert_eq!(
        shown["controller"],
        json!({"name": "Boutique Exemple SAS", "contact": "dpo@boutique.example"})
    );
    assert_eq!(shown["origins"], json!([ORIGIN]));
    // The demo fixes no locale: one entry per catalog.
    assert_eq!(shown["locales"].as_array().unwrap().len(), consent_form::i18n::LOCALES.len());
    let missing = shop.cli(&["forms", "show", "footer-signup", "7"]);
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("form footer-signup version 7 is not registered"));
    shop.server.stop().await.unwrap();
}

on_both_backends_threaded!(
    a_forged_single_opt_in_is_held_not_granted,
    refused_outright_with_unknown_forms_refuse,
    a_stranger_cannot_withdraw_or_lower_a_consent,
    a_second_sign_up_neither_reverts_nor_mails_a_confirmed_subscriber,
    a_strangers_words_never_reach_a_mail,
    an_unknown_form_is_held_until_approved_then_proceeds,
    a_tampered_held_mark_is_named_by_verify_log,
    a_strangers_held_texts_never_reach_the_preference_page,
    a_released_single_opt_in_reaches_the_tools_and_a_double_opt_in_waits,
    forms_show_prints_what_a_version_fixes,
);
