//! The DPO's commands on a real log: one subject signs up, confirms by the
//! mailed link and withdraws in the widget; another signs up too. Then
//! `history`, audit bundles (and tampering with them), the ISO/IEC TS 27560
//! records, access and erasure, on both backends.

mod common;
mod tools;

use std::path::Path;

use common::{Db, TestDb};
use consent_collector::audit::{access, bundle, erase, history, iso27560, timeline, verify_bundle};
use consent_collector::ledger::keys::Keyring;
use consent_collector::store::Store;
use serde_json::Value;

/// What the seeded log holds.
struct Seeded {
    db: TestDb,
    data: tempfile::TempDir,
    consent: consent_proof::Proof,
    consent_jws: String,
    receipts: Vec<String>,
    /// The signed webhook receiver the tools were told through, if any.
    _receiver: Option<tools::receiver::Receiver>,
}

/// Marie: consent (newsletter and SMS granted, partners refused, double opt-in),
/// confirmation click, widget withdrawal. Paul: one consent, left pending.
async fn seed(db: Db) -> Seeded {
    seed_with(db, false).await
}

/// [`seed`]; with `tools`, two signed webhooks are told the changes: `crm`
/// (the receiver example, checking the Ed25519 `v1a` signature) and `down`
/// (a closed port).
async fn seed_with(db: Db, tools: bool) -> Seeded {
    let db = TestDb::new(db).await;
    common::register_fixture_form(&db.url).await;
    let data = tempfile::tempdir().unwrap();
    let mut settings = common::settings(&db, data.path());
    settings.smtp_url = None;
    settings.outbox = Some(true);
    let mut receiver = None;
    if tools {
        let keys = data.path().join("keys");
        Keyring::generate(&keys, chrono::Utc::now()).unwrap();
        let ring = Keyring::load(&keys).unwrap();
        let whpk = consent_collector::connectors::webhook::public_key(ring.active_signing_key());
        let crm = tools::receiver::start(&whpk, "");
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        settings.connectors = Some(
            toml::from_str(&format!(
                "timeout = \"2s\"\nretry-first = \"30s\"\n[[webhook]]\nname = \"crm\"\nurl = \"{}\"\nsign = \"v1a\"\n[[webhook]]\nname = \"down\"\nurl = \"http://{closed}/hook\"\nsign = \"v1a\"\n",
                crm.url
            ))
            .unwrap(),
        );
        receiver = Some(crm);
    }
    let server = common::start(settings).await;
    let key = common::browser_key();
    let consent = common::consent("Marie@Example.org", "fr");
    let consent_jws = common::sign(&key, &consent);
    let mut receipts = Vec::new();
    let answer: Value = common::post_proof(&server.url, &consent_jws)
        .await
        .json()
        .await
        .unwrap();
    receipts.push(answer["receipt"].as_str().unwrap().to_string());
    let mail = common::wait_for_outbox(&data.path().join("outbox"), "Marie@Example.org").await;
    assert!(common::press(&mail.confirm_url).await.status().is_success());
    let withdrawal = common::sign(&key, &common::withdrawal(&consent, &consent_jws));
    let answer: Value = common::post_proof(&server.url, &withdrawal)
        .await
        .json()
        .await
        .unwrap();
    receipts.push(answer["receipt"].as_str().unwrap().to_string());
    let paul = common::sign(
        &common::browser_key(),
        &common::consent("paul@example.org", "en"),
    );
    assert!(common::post_proof(&server.url, &paul)
        .await
        .status()
        .is_success());
    if tools {
        // The receiver takes Marie's two changes; the closed port refuses the first.
        let store = db.store().await;
        common::eventually("crm has both changes, down has failed once", || async {
            let all = consent_collector::connectors::report::status(store.sql_pool()).await.unwrap();
            let crm = all.iter().find(|s| s.connector == "webhook-crm")?;
            let down = all.iter().find(|s| s.connector == "webhook-down")?;
            (crm.delivered == 2 && down.last_error.is_some()).then_some(())
        })
        .await;
    }
    server.stop().await.unwrap();
    Seeded {
        db,
        data,
        consent,
        consent_jws,
        receipts,
        _receiver: receiver,
    }
}

fn keyring(seeded: &Seeded) -> Keyring {
    Keyring::load(&seeded.data.path().join("keys")).unwrap()
}

async fn history_tells_every_entry_with_its_texts(db: Db) {
    let s = seed(db).await;
    let store = s.db.store().await;
    let events = timeline::subject_events(store.as_ref(), " MARIE@example.org")
        .await
        .unwrap();
    let whats: Vec<_> = events.iter().map(|e| e.what).collect();
    use timeline::What::*;
    assert_eq!(whats, [Consent, Confirmation, Withdrawal]);
    let first = &events[0];
    assert_eq!(first.record_id.as_deref(), Some(s.consent.id.as_str()));
    assert_eq!(
        first.receipt, s.receipts[0],
        "the receipt the widget was answered with"
    );
    assert_eq!(events[2].receipt, s.receipts[1]);
    let form = first.form.as_ref().unwrap();
    assert_eq!(
        (form.id.as_str(), form.version.as_str()),
        (s.consent.form.id.as_str(), s.consent.form.version.as_str())
    );
    assert_eq!(first.page.as_deref(), Some(s.consent.site.page.as_str()));
    let policy = first.privacy_policy.as_ref().unwrap();
    assert_eq!(policy.url, s.consent.privacy_policy.url);
    assert_eq!(policy.version, s.consent.privacy_policy.version);
    let shown = first.texts.as_ref().unwrap().shown.as_ref().unwrap();
    for (key, text) in consent_proof::fixture::SHOWN {
        assert_eq!(shown[key], text, "{key} resolved from the text store");
    }
    assert_eq!(events[1].refers_to, Some(first.seq));
    assert_eq!(
        events[1].ip.as_deref(),
        Some("127.0.0.0/24"),
        "the confirmation's truncated address"
    );
    assert_eq!(
        events[2].prev.as_deref(),
        Some(consent_collector::crypto::hash::sha256_hex(&s.consent_jws).as_str())
    );

    let text = history::to_text("marie@example.org", &events, &[]);
    for needle in [
        "consent (signed proof from the widget)",
        "confirmation (double opt-in link clicked)",
        "withdrawal (signed proof from the widget)",
        &format!("record id      {}", s.consent.id),
        &format!("privacy policy {} (version 2026-01)", s.consent.privacy_policy.url),
        "purpose        partners (email, consent): refused",
        "ip (truncated) 127.0.0.0/24",
        "purpose.sms: \"J'accepte de recevoir des offres par SMS.\\nRépondez STOP pour ne plus en recevoir.\"",
        &format!("receipt        {}", s.receipts[0]),
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    let json = history::to_json("marie@example.org", &events, &[]);
    assert_eq!(json["events"].as_array().unwrap().len(), 3);
    assert_eq!(json["events"][0]["what"], "consent");
}

/// The hand-offs each entry made, under it: the confirmation and the
/// withdrawal reached `crm`; `down` refused the confirmation, and the
/// withdrawal waits behind it. After an erasure, its own hand-offs remain.
async fn history_lists_the_handoffs_under_their_entries(db: Db) {
    let s = seed_with(db, true).await;
    let store = s.db.store().await;
    let subject = "Marie@example.org ";
    let events = timeline::subject_events(store.as_ref(), subject).await.unwrap();
    let handoffs = history::handoffs(store.as_ref(), subject).await.unwrap();
    let (confirmation, withdrawal) = (events[1].seq, events[2].seq);
    let told: Vec<(i64, &str, &str)> = handoffs
        .iter()
        .map(|h| (h.entry_seq, h.connector.as_str(), h.state.as_str()))
        .collect();
    assert_eq!(
        told,
        [
            (confirmation, "webhook-crm", "delivered"),
            (confirmation, "webhook-down", "waiting"),
            (withdrawal, "webhook-crm", "delivered"),
            (withdrawal, "webhook-down", "waiting"),
        ]
    );
    let down = &handoffs[1];
    assert!(down.attempts >= 1 && down.last_error.is_some(), "{down:?}");
    assert_eq!(handoffs[3].attempts, 0, "the withdrawal waits behind the confirmation");

    let text = history::to_text("marie@example.org", &events, &handoffs);
    assert!(text.starts_with("History of marie@example.org: 3 entries, 4 hand-offs\n"), "{text}");
    // Each hand-off line sits in its entry's block, after that entry's receipt.
    let blocks: Vec<&str> = text.split("\n\n").collect();
    let confirm_block = blocks.iter().find(|b| b.contains("confirmation (double opt-in link clicked)")).unwrap();
    let crm = format!("  hand-off       webhook-crm: confirmed (double opt-in) for newsletter, sms, queued {}, delivered at {}", handoffs[0].created_at, handoffs[0].done_at.as_deref().unwrap());
    assert!(confirm_block.contains(&crm), "{crm:?} missing from:\n{confirm_block}");
    let error = down.last_error.as_ref().unwrap();
    assert!(confirm_block.contains(&format!("webhook-down: confirmed (double opt-in) for newsletter, sms, queued {}, waiting ({} attempt", down.created_at, down.attempts)), "{confirm_block}");
    assert!(confirm_block.contains(&format!("; last error at {}: {}", error.at, error.message)), "{confirm_block}");
    let withdraw_block = blocks.iter().find(|b| b.contains("withdrawal (signed proof from the widget)")).unwrap();
    assert!(withdraw_block.contains("webhook-crm: withdrawn"), "{withdraw_block}");
    assert!(withdraw_block.contains("webhook-down: withdrawn"), "{withdraw_block}");
    assert!(!blocks[1].contains("hand-off"), "the consent waits for its click: no hand-off");

    let json = history::to_json("marie@example.org", &events, &handoffs);
    let listed = json["events"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed[0].get("handoffs").is_none());
    assert_eq!(listed[1]["handoffs"][0]["connector"], "webhook-crm");
    assert_eq!(listed[1]["handoffs"][0]["change"], "confirmed");
    assert_eq!(listed[1]["handoffs"][0]["optIn"], "confirmed");
    assert_eq!(listed[1]["handoffs"][1]["lastError"]["message"], error.message.as_str());
    assert_eq!(listed[1]["handoffs"][1]["lastError"]["at"], error.at.as_str());
    assert_eq!(listed[2]["handoffs"][1]["state"], "waiting");

    // Erased: only the erasure's hand-offs (and the waiting ones) stay, under the erasure's seq.
    let keys = keyring(&s);
    let request = erase::ErasureRequest {
        subject: subject.into(),
        requested_by: "the data subject".into(),
        reason: "art. 17".into(),
    };
    let now = chrono::Utc::now();
    let tools = ["webhook-crm".to_string(), "webhook-down".to_string()];
    let erasure = store
        .erase_subject(&request.validate().unwrap(), &|seqs| erase::erasure_entry(&request, &seqs, now), &keys, now, &tools)
        .await
        .unwrap()
        .unwrap();
    let events = timeline::subject_events(store.as_ref(), subject).await.unwrap();
    let handoffs = history::handoffs(store.as_ref(), subject).await.unwrap();
    assert!(events.is_empty());
    let left: Vec<(i64, &str)> = handoffs.iter().map(|h| (h.entry_seq, h.connector.as_str())).collect();
    assert_eq!(left, [(confirmation, "webhook-down"), (withdrawal, "webhook-down"), (erasure.seq, "webhook-crm"), (erasure.seq, "webhook-down")]);
    let text = history::to_text("marie@example.org", &events, &handoffs);
    let erased = format!(
        "hand-offs of the entry at seq {} (not above: an erasure, or erased since)\n  hand-off       webhook-crm: erased, queued",
        erasure.seq
    );
    assert!(text.contains(&erased), "{erased:?} missing from:\n{text}");
    let json = history::to_json("marie@example.org", &events, &handoffs);
    assert_eq!(json["events"][2]["what"], "hand-off");
    assert_eq!(json["events"][2]["seq"], erasure.seq);
}

async fn a_bundle_verifies_and_one_changed_byte_fails_naming_the_record(db: Db) {
    let s = seed(db).await;
    let store = s.db.store().await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("bundle");
    let scope = bundle::Scope::Subject("marie@example.org".into());
    let written = bundle::write_bundle(
        store.as_ref(),
        &keyring(&s),
        scope,
        None,
        &dir,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(written.manifest.entries.len(), 3);
    let checked = verify_bundle::verify_bundle(&dir, None).unwrap();
    assert_eq!(
        (checked.entries, checked.proofs, checked.head_seq),
        (3, 2, 4)
    );
    assert_eq!(checked.chain, 4, "receipts from seq 1 to the head");

    let proof_seq = written.manifest.entries[0].seq;
    let proof_file = dir.join(format!("entries/{proof_seq:06}/proof.jws"));
    let named = format!("seq {proof_seq} (record {})", s.consent.id);
    for (file, at) in [(proof_file.clone(), 40), (proof_file.clone(), 600)] {
        let original = flip(&file, at);
        let fault = verify_bundle::verify_bundle(&dir, None)
            .unwrap_err()
            .to_string();
        assert!(fault.starts_with(&named), "{fault}");
        std::fs::write(&file, original).unwrap();
    }
    // Even with the manifest hash put right, the receipt's hash and the browser signature catch it.
    let original = flip(&proof_file, 600);
    rehash(&dir, &keyring(&s));
    let fault = verify_bundle::verify_bundle(&dir, None)
        .unwrap_err()
        .to_string();
    assert!(
        fault.starts_with(&named) && fault.contains("receipt was signed for"),
        "{fault}"
    );
    std::fs::write(&proof_file, original).unwrap();
    rehash(&dir, &keyring(&s));
    verify_bundle::verify_bundle(&dir, None).unwrap();

    for name in [
        "README.md",
        "jwks.json",
        "manifest.jws",
        "chain/receipts.jsonl",
    ] {
        let original = flip(&dir.join(name), 30);
        assert!(
            verify_bundle::verify_bundle(&dir, None).is_err(),
            "{name} changed and still verifies"
        );
        std::fs::write(dir.join(name), original).unwrap();
    }
    let texts = std::fs::read_dir(dir.join("texts"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original = flip(&texts, 10);
    assert!(verify_bundle::verify_bundle(&dir, None).is_err());
    std::fs::write(&texts, original).unwrap();
    std::fs::write(dir.join("extra.txt"), "not from the collector").unwrap();
    assert!(verify_bundle::verify_bundle(&dir, None)
        .unwrap_err()
        .to_string()
        .contains("extra.txt"));
    std::fs::remove_file(dir.join("extra.txt")).unwrap();
    verify_bundle::verify_bundle(&dir, None).unwrap();
    // A JWKS from elsewhere that lacks the collector's key: nothing verifies.
    let other = common::keys();
    assert!(
        verify_bundle::verify_bundle(&dir, Some(other.ring.jwks().to_string().as_bytes())).is_err()
    );
}

/// Flips one bit of the byte at `at`; the original bytes.
fn flip(path: &Path, at: usize) -> Vec<u8> {
    let original = std::fs::read(path).unwrap();
    let mut changed = original.clone();
    let at = at.min(changed.len() - 1);
    changed[at] ^= 0x01;
    std::fs::write(path, changed).unwrap();
    original
}

/// Re-signs the manifest over the files as they are now: what a forger
/// holding the collector's key could do, to reach the checks behind it.
async fn a_bundle_carries_the_latest_checkpoint_and_a_forked_one_fails(db: Db) {
    use consent_collector::audit::publish::Publisher;
    use consent_collector::ledger::checkpoint::Checkpoint;
    let s = seed(db).await;
    let store = s.db.store().await;
    let keys = keyring(&s);
    let out = tempfile::tempdir().unwrap();
    let publisher = Publisher::new("consent.boutique.example/log".into(), out.path().join("checkpoints.jsonl"), None);
    let record = publisher.publish(store.as_ref(), &keys, chrono::Utc::now()).await.unwrap().unwrap();
    let dir = out.path().join("bundle");
    bundle::write_bundle(store.as_ref(), &keys, bundle::Scope::All, Some(record.checkpoint.clone()), &dir, chrono::Utc::now())
        .await
        .unwrap();
    let checked = verify_bundle::verify_bundle(&dir, None).unwrap();
    assert_eq!(checked.checkpoint, Some((4, true)), "the checkpoint of the whole log, compared with its receipt");
    // A checkpoint that forks from the chain, signed with the collector's own key.
    let mut forked = Checkpoint::open(&record.checkpoint, &keys.public().ed25519()).unwrap();
    forked.chain = "00".repeat(32);
    std::fs::write(dir.join("checkpoint.txt"), keys.sign_note(&forked.text(), &forked.origin)).unwrap();
    rehash(&dir, &keys);
    let fault = verify_bundle::verify_bundle(&dir, None).unwrap_err().to_string();
    assert!(fault.contains("checkpoint.txt") && fault.contains("a fork"), "{fault}");
    // One signed by another key is no checkpoint of this collector.
    Keyring::generate(&out.path().join("other"), chrono::Utc::now()).unwrap();
    let other = Keyring::load(&out.path().join("other")).unwrap();
    std::fs::write(dir.join("checkpoint.txt"), other.sign_note(&forked.text(), &forked.origin)).unwrap();
    rehash(&dir, &keys);
    let fault = verify_bundle::verify_bundle(&dir, None).unwrap_err().to_string();
    assert!(fault.contains("not a checkpoint signed by the bundle's keys"), "{fault}");
}

fn rehash(dir: &Path, keys: &Keyring) {
    let mut manifest: bundle::Manifest =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    for (path, sha) in manifest.files.iter_mut() {
        *sha = consent_collector::crypto::hash::sha256_hex(std::fs::read(dir.join(path)).unwrap());
    }
    std::fs::write(
        dir.join("manifest.jws"),
        keys.sign_document(bundle::MANIFEST_TYP, &manifest),
    )
    .unwrap();
    std::fs::write(
        dir.join("manifest.json"),
        consent_proof::jcs::to_string(&manifest).unwrap(),
    )
    .unwrap();
}

async fn every_mandatory_27560_element_is_there_and_true_to_the_log(db: Db) {
    let s = seed(db).await;
    let store = s.db.store().await;
    let events = timeline::all_events(store.as_ref()).await.unwrap();
    let facts = iso27560::RecordFacts::from_options(
        Some("1 rue de la Paix, 75002 Paris".into()),
        Some("P3Y".into()),
        Some("fr".into()),
    )
    .unwrap();
    let records = iso27560::records(&events, &facts);
    assert_eq!(records.len(), 2, "one record per consent proof");
    let r = records
        .iter()
        .find(|r| r["dct:identifier"] == s.consent.id.as_str())
        .unwrap();
    let proof_event = &events
        .iter()
        .find(|(_, e)| e.record_id.as_deref() == Some(&s.consent.id))
        .unwrap()
        .1;
    // 8.1 record metadata
    assert_eq!(r["dct:conformsTo"], iso27560::PROFILE);
    assert_eq!(r["@type"], "dpv:ConsentRecord");
    assert_eq!(
        r["dpv:hasDataSubject"]["dct:identifier"],
        "marie@example.org"
    );
    assert_eq!(r["dct:created"], proof_event.received_at.as_str());
    // 8.2 notice: the texts shown (by their store key), their language, and the privacy policy
    let notices = r["dpv:hasNotice"].as_array().unwrap();
    assert_eq!(notices[0]["@type"], "dpv:ConsentNotice");
    assert_eq!(
        notices[0]["dct:identifier"],
        format!("sha256:{}", proof_event.texts.as_ref().unwrap().sha256)
    );
    assert_eq!(
        notices[0]["dct:description"]["purpose.newsletter"],
        consent_proof::fixture::SHOWN[3].1
    );
    assert_eq!(notices[1]["@id"], s.consent.privacy_policy.url.as_str());
    assert_eq!(notices[1]["dct:hasVersion"], "2026-01");
    assert_eq!(r["dct:language"], "fr");
    // 8.4 entity: name, identifier, role, contact, postal address
    let controller = &r["dpv:hasEntity"][0];
    assert_eq!(
        controller["dpv:hasName"],
        s.consent.controller.name.as_str()
    );
    assert_eq!(
        controller["dpv:hasIdentifier"],
        s.consent.site.origin.as_str()
    );
    assert!(controller["@type"]
        .as_array()
        .unwrap()
        .contains(&"dpv:DataController".into()));
    assert_eq!(
        controller["schema:contactPoint"]["schema:email"],
        s.consent.controller.contact.as_str()
    );
    assert_eq!(
        controller["schema:contactPoint"]["schema:address"],
        "1 rue de la Paix, 75002 Paris"
    );
    assert_eq!(r["dpv:hasDataController"], controller["@id"]);
    // 8.3 processing: one process per consent purpose, as the proof lists them
    let processes = r["dpv:hasProcess"].as_array().unwrap();
    let ids: Vec<&str> = processes
        .iter()
        .map(|p| p["dct:identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["newsletter", "partners", "sms"]);
    for (p, purpose) in processes.iter().zip(&s.consent.purposes) {
        assert_eq!(p["dpv:hasPurpose"]["dct:identifier"], purpose.id.as_str());
        let data = if purpose.id == "sms" {
            "pd:TelephoneNumber"
        } else {
            "pd:EmailAddress"
        };
        assert_eq!(p["dpv:hasPersonalData"], data);
        for key in [
            "dpv:hasStorageCondition",
            "dpv:hasDataController",
            "dpv:hasRecipient",
            "dpv:hasConsentControl",
            "dpv:hasJurisdiction",
            "dpv:hasRight",
            "dpv:hasLegalBasis",
        ] {
            assert!(
                !p[key].is_null(),
                "{key} missing from process {}",
                purpose.id
            );
        }
        assert_eq!(p["dpv:hasJurisdiction"], "loc:FR");
        assert_eq!(p["dpv:hasStorageCondition"][1]["dpv:hasLocation"], "loc:FR");
        // 8.5 consent events, from the log: the tick, the click, the withdrawal
        let states: Vec<&str> = p["dpv:hasConsentStatus"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["@type"].as_str().unwrap())
            .collect();
        let times: Vec<&str> = p["dpv:hasConsentStatus"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["dpv:isIndicatedAtTime"].as_str().unwrap())
            .collect();
        let confirm_at = events
            .iter()
            .find(|(_, e)| e.what == timeline::What::Confirmation)
            .unwrap()
            .1
            .received_at
            .as_str();
        let withdraw = &events
            .iter()
            .find(|(_, e)| e.what == timeline::What::Withdrawal)
            .unwrap()
            .1;
        if purpose.id == "partners" {
            assert_eq!(states, ["dpv:ConsentRefused"]);
        } else {
            assert_eq!(
                states,
                [
                    "dpv:ConsentRequested",
                    "dpv:ConsentGiven",
                    "dpv:ConsentWithdrawn"
                ]
            );
            assert_eq!(
                times,
                [
                    s.consent.issued_at.as_str(),
                    confirm_at,
                    withdraw.issued_at.as_deref().unwrap()
                ]
            );
        }
        for state in p["dpv:hasConsentStatus"].as_array().unwrap() {
            assert_eq!(state["dpv:isIndicatedBy"], "dpv:DataSubject");
            assert!(!state["dpv:hasDuration"].is_null());
        }
    }
    assert_eq!(
        iso27560::RecordFacts::from_options(None, Some("P3Y".into()), Some("FR".into()))
            .unwrap_err(),
        iso27560::FactsError::Missing("--controller-address")
    );
}

async fn access_answers_in_the_subjects_language(db: Db) {
    let s = seed(db).await;
    let store = s.db.store().await;
    let events = timeline::subject_events(store.as_ref(), "marie@example.org")
        .await
        .unwrap();
    let filter = consent_collector::audit::export::Filter {
        subject: Some("marie@example.org".into()),
        ..Default::default()
    };
    let states = consent_collector::audit::export::current_states(store.as_ref(), &filter)
        .await
        .unwrap();
    let page = access::to_html(
        "marie@example.org",
        &states,
        &events,
        access::lang_of(&events),
    );
    assert!(page.contains("<html lang=\"fr\">"), "{page}");
    assert!(
        page.contains("Vos choix actuels") && page.contains("retiré"),
        "{page}"
    );
    assert!(
        page.contains("J&#39;accepte de recevoir la newsletter"),
        "the texts shown: {page}"
    );
    let json = access::to_json("marie@example.org", &states, &events);
    assert_eq!(json["currentChoices"].as_array().unwrap().len(), 3);
    assert_eq!(json["entries"].as_array().unwrap().len(), 3);
}

async fn erasure_removes_the_person_and_keeps_the_chain(db: Db) {
    let s = seed(db).await;
    let store = s.db.store().await;
    let keys = keyring(&s);
    let request = erase::ErasureRequest {
        subject: "MARIE@example.org".into(),
        requested_by: "the data subject".into(),
        reason: "art. 17 request, ticket 114".into(),
    };
    let subject = request.validate().unwrap();
    let now = chrono::Utc::now();
    let tools = ["webhook-crm".to_string(), "mailchimp".to_string()];
    let entry = store
        .erase_subject(
            &subject,
            &|seqs| erase::erasure_entry(&request, &seqs, now),
            &keys,
            now,
            &tools,
        )
        .await
        .unwrap()
        .expect("marie had entries");
    // Each of the merchant's tools is told to erase her, in the same transaction.
    let told: Vec<(String, String)> = sqlx::query(
        "SELECT connector, change FROM handoffs WHERE entry_seq = $1 ORDER BY connector",
    )
    .bind(entry.seq)
    .fetch_all(store.sql_pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (sqlx::Row::get(r, "connector"), sqlx::Row::get(r, "change")))
    .collect();
    assert_eq!(told.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), ["mailchimp", "webhook-crm"]);
    for (_, change) in &told {
        let change: Value = serde_json::from_str(change).unwrap();
        assert_eq!((change["state"].as_str(), change["email"].as_str()), (Some("erased"), Some("marie@example.org")), "{change}");
    }
    let body = entry.body.clone().unwrap();
    assert!(
        !body.to_lowercase().contains("marie"),
        "no personal data in the record: {body}"
    );
    let record: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(record["erased"], serde_json::json!([1, 2, 3]));
    assert_eq!(record["requestedBy"], "the data subject");
    assert_eq!(record["reason"], "art. 17 request, ticket 114");
    assert!(
        timeline::subject_events(store.as_ref(), "marie@example.org")
            .await
            .unwrap()
            .is_empty()
    );
    let dump = dump(store.as_ref()).await;
    assert!(
        !dump.to_lowercase().contains("marie@example.org"),
        "the address is gone from every entry"
    );
    let report = consent_collector::audit::verify_log::verify_log(store.as_ref(), &keys.public())
        .await
        .unwrap();
    assert_eq!((report.entries, report.erased), (5, 3));
    assert_eq!(
        timeline::subject_events(store.as_ref(), "paul@example.org")
            .await
            .unwrap()
            .len(),
        1,
        "others untouched"
    );
    let again = store
        .erase_subject(
            &subject,
            &|seqs| erase::erasure_entry(&request, &seqs, now),
            &keys,
            now,
            &tools,
        )
        .await
        .unwrap();
    assert!(again.is_none(), "nothing left to erase, nothing recorded");
}

async fn dump(store: &dyn Store) -> String {
    let entries = store.entries(0, 1000).await.unwrap();
    format!("{entries:?}")
}

on_both_backends!(
    history_tells_every_entry_with_its_texts,
    history_lists_the_handoffs_under_their_entries,
    a_bundle_verifies_and_one_changed_byte_fails_naming_the_record,
    a_bundle_carries_the_latest_checkpoint_and_a_forked_one_fails,
    every_mandatory_27560_element_is_there_and_true_to_the_log,
    access_answers_in_the_subjects_language,
    erasure_removes_the_person_and_keeps_the_chain,
);
