//! The preference page: every purpose of one subscriber with its state as it
//! stands now, any of them withdrawable (e-mail and SMS alike), each change a
//! chained withdrawal event; and a new link by mail once the old one expired.
//!
//! The link is unguessable (256 random bits, or derived one-way from the
//! unsubscribe token mailed beside it; only its hash is stored), works for
//! `--preferences-ttl` (30 days by default) and for any number of visits.

use chrono::{DateTime, Utc};

use crate::audit::export::subject_states;
use crate::crypto::tokens;
use crate::ledger::events;
use crate::mail::compose::MailLinks;
use crate::mail::ConfirmationMail;
use crate::i18n::lang::Lang;
use crate::store::{
    appender::Appender, Append, NewToken, Store, StoreError, StoredEntry, TokenPurpose, TokenRow,
    Withdraws,
};

/// One purpose of the subscriber, as it stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Purpose id.
    pub id: String,
    /// `email`, `sms`, `phone` or `post`.
    pub channel: String,
    /// The text shown next to its box when it was asked, whitespace collapsed.
    pub label: String,
    /// Its state, as `export` writes it.
    pub state: String,
    /// When it last changed.
    pub since: String,
    /// The record id of the proof behind it.
    record_id: Option<String>,
}

impl Item {
    /// Whether messages may be sent now, so that it can be withdrawn.
    pub fn active(&self) -> bool {
        matches!(self.state.as_str(), "granted" | "pending" | "confirmed" | "not-objected")
    }
}

/// Every purpose the subscriber was ever asked, with its current state and
/// the text they saw next to its box (the newest proof that showed it).
pub async fn items(store: &dyn Store, subject: &str) -> Result<Vec<Item>, StoreError> {
    let rows = subject_states(store, subject).await?;
    // The labels in the registered voice only: a held proof of an unknown
    // form, which anyone can sign for this address, says nothing here.
    let mut views = Vec::new();
    for proof in &store.subject_proofs(subject).await? {
        views.extend(super::links::registered_view(store, proof).await?);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let label = views
                .iter()
                .find_map(|v| v.purposes.iter().find(|p| p.id == row.purpose && p.label != p.id))
                .map(|p| p.label.clone())
                .unwrap_or_else(|| row.purpose.clone());
            Item {
                id: row.purpose,
                channel: row.channel,
                label,
                state: row.state,
                since: row.since,
                record_id: row.record_id,
            }
        })
        .collect())
}

/// Withdraws the purposes `ids` that are active now, one chained event per
/// consent they came from (`via: preference-page`), cancelling a
/// confirmation still waiting for them. The items withdrawn.
pub async fn withdraw(
    store: &dyn Store,
    appender: &Appender,
    subject: &str,
    ids: &[String],
    at: DateTime<Utc>,
    ip: String,
    handoff_to: &std::sync::Arc<Vec<String>>,
) -> Result<Vec<Item>, StoreError> {
    let chosen: Vec<Item> = items(store, subject)
        .await?
        .into_iter()
        .filter(|i| i.active() && ids.contains(&i.id))
        .collect();
    let mut by_proof: Vec<(String, Vec<String>)> = Vec::new();
    for item in &chosen {
        let Some(record) = &item.record_id else { continue };
        match by_proof.iter_mut().find(|(r, _)| r == record) {
            Some((_, ids)) => ids.push(item.id.clone()),
            None => by_proof.push((record.clone(), vec![item.id.clone()])),
        }
    }
    let at = crate::store::timestamp(at);
    for (record, purposes) in by_proof {
        let Some(proof) = store.by_record_id(&record).await? else { continue };
        // The merchant's tools are told, from the stored proof.
        let shown = match &proof.texts_sha256 {
            Some(sha) => store.text(sha).await?,
            None => None,
        };
        let about = crate::flows::handoff::About { proof: &proof, shown: shown.as_deref() };
        let change = about.withdrawn(&purposes, crate::connectors::Source::PreferencePage, &at);
        let handoff = crate::flows::handoff::to(change, handoff_to);
        store_withdrawal(appender, &proof, subject, &purposes, &at, &ip, handoff).await?;
    }
    Ok(chosen)
}

async fn store_withdrawal(
    appender: &Appender,
    proof: &StoredEntry,
    subject: &str,
    purposes: &[String],
    at: &str,
    ip: &str,
    handoff: Option<crate::store::HandOff>,
) -> Result<(), StoreError> {
    let entry = events::withdrawal_via(
        "preference-page",
        proof.seq,
        &proof.proof_sha256,
        purposes,
        at,
        Some(ip.to_string()),
        subject.to_string(),
    );
    appender
        .append(Append {
            entry,
            tokens: Vec::new(),
            consume: None,
            mail: None,
            held: None,
            withdraws: Some(Withdraws::Proof {
                sha256: proof.proof_sha256.clone(),
                subject: subject.to_string(),
                purposes: purposes.to_vec(),
            }),
            starts: Vec::new(),
            handoff,
        })
        .await?;
    Ok(())
}

/// A fresh preference link for the subscriber of `row`'s proof, stored, and
/// the mail that carries it; `None` when the proof is erased.
pub async fn renewal(
    store: &dyn Store,
    row: &TokenRow,
    proof: &StoredEntry,
    links: &MailLinks,
    ttl: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Option<ConfirmationMail>, StoreError> {
    let Some(view) = super::links::proof_view(store, proof).await? else { return Ok(None) };
    let sender_name = links.shop_name.clone().unwrap_or(view.controller);
    let (token, hash) = tokens::new_token();
    store
        .add_token(
            row.entry_seq,
            NewToken {
                hash,
                purpose: TokenPurpose::Preferences,
                locale: row.locale.clone(),
                expires_at: Some(now + ttl),
                network: None,
            },
        )
        .await?;
    Ok(Some(ConfirmationMail {
        to: view.email,
        lang: Lang::from_locale(&row.locale),
        sender_name,
        confirm_url: String::new(),
        unsubscribe_url: String::new(),
        ttl_hours: 0,
        purposes: Vec::new(),
        informed: false,
        phone: None,
        sms: false,
        preferences_url: Some(format!("{}/v1/preferences?token={token}", links.public_url)),
        preferences_days: links.preferences_days,
        renewal: true,
    }))
}
