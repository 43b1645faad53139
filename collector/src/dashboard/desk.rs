//! The dashboard's desk sections: the held form versions to approve, the
//! hand-offs per connector, and the last checkpoint. Each reads what its
//! command reads (`forms held`, `connectors status`, `/v1/checkpoint`).

use std::fmt::Write as _;


use crate::audit::held::HeldVersion;
use crate::connectors::report::ConnectorStatus;
use crate::i18n::html::escape;
use crate::ledger::checkpoint::{Checkpoint, Record};
use crate::ledger::keys::PublicKeys;
use crate::ledger::tsa_verify::Authority;

/// What the desk's sections show, read for one page.
pub struct Desk<'a> {
    /// `forms held`, by version.
    pub held: Vec<HeldVersion>,
    /// `connectors status`.
    pub connectors: Vec<ConnectorStatus>,
    /// The connectors the collector runs.
    pub configured: &'a [String],
    /// What `/v1/checkpoint` serves.
    pub checkpoint: Option<Record>,
    /// The collector's public keys, to open it.
    pub keys: &'a PublicKeys,
    /// The timestamp authority's certificate, when one is configured.
    pub authority: Option<&'a Authority>,
}

/// "Forms to approve": each held version, its count, what approving
/// registers (its texts per locale) and the command that does it. The texts
/// come from the proofs, not from the merchant: escaped, shown as sent.
pub fn held(body: &mut String, versions: &[HeldVersion]) {
    body.push_str("<h2 id=\"held\">Forms to approve</h2>");
    if versions.is_empty() {
        body.push_str("<p>No proof is held: every form version that sent one is registered.</p>");
        return;
    }
    body.push_str(
        "<p>Proofs of these form versions are held: stored and chained, but no mail goes out and no \
         consent counts until the version is approved. Read each text before approving it.</p>",
    );
    for (n, v) in versions.iter().enumerate() {
        let count = v.proofs.len();
        let erased = v.proofs.iter().filter(|p| p.record.is_none()).count();
        let _ = write!(
            body,
            "<section aria-labelledby=\"held-{n}\"><h3 id=\"held-{n}\">{} version {}</h3><p>{count} held proof{}{}, first at seq {}.</p>",
            escape(&v.form_id),
            escape(&v.version),
            if count == 1 { "" } else { "s" },
            if erased > 0 { format!(" ({erased} erased since)") } else { String::new() },
            v.proofs.first().map_or(0, |p| p.row.seq),
        );
        let reasons: Vec<String> = v.reasons().into_iter().map(escape).collect();
        let _ = write!(body, "<p>Held because: {}.</p>", reasons.join("; "));
        if v.registered {
            body.push_str(
                "<p>This version is registered already: these proofs differ from it, and approving cannot \
                 change it (a changed form is a new form version). They stay held; <code>forms held</code> shows each one.</p></section>",
            );
            continue;
        }
        match v.derived() {
            Ok(form) => {
                let purposes: Vec<String> = form
                    .purposes
                    .iter()
                    .map(|p| format!("{} ({})", p.id, p.channel.as_str()))
                    .collect();
                let _ = write!(
                    body,
                    "<dl><dt>Controller</dt><dd>{} ({})</dd><dt>Origins</dt><dd>{}</dd><dt>Privacy policy</dt><dd>{} (version {})</dd>\
                     <dt>Purposes</dt><dd>{}</dd><dt>Double opt-in</dt><dd>{}</dd></dl>",
                    escape(&form.controller.name),
                    escape(&form.controller.contact),
                    escape(&form.origins.join(", ")),
                    escape(&form.privacy_policy.url),
                    escape(form.privacy_policy.version.as_deref().unwrap_or("none given")),
                    escape(&purposes.join(", ")),
                    if form.double_opt_in {
                        "requested"
                    } else {
                        "<strong class=\"bad\">NOT REQUESTED: approving makes its consents count without the mailbox click</strong>"
                    },
                );
                for locale in &form.locales {
                    let _ = write!(
                        body,
                        "<details><summary>Texts shown in {} ({} strings)</summary><div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Texts of {} version {} in {}, scrollable\"><table><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Text as shown</th></tr></thead><tbody>",
                        escape(&locale.locale),
                        locale.shown.len(),
                        escape(&v.form_id),
                        escape(&v.version),
                        escape(&locale.locale),
                    );
                    for (key, text) in &locale.shown {
                        let _ = write!(
                            body,
                            "<tr><th scope=\"row\">{}</th><td class=\"text\">{}</td></tr>",
                            escape(key),
                            escape(text)
                        );
                    }
                    body.push_str("</tbody></table></div></details>");
                }
                let _ = write!(
                    body,
                    "<p>To approve it, run on the collector (with its <code>--config</code> or <code>--data-dir</code>):</p><pre><code>{}</code></pre>",
                    escape(&v.approve_command())
                );
            }
            Err(e) => {
                let _ = write!(
                    body,
                    "<p class=\"bad\">It cannot be approved from its held proofs: {}.</p>",
                    escape(&e.to_string())
                );
            }
        }
        body.push_str("</section>");
    }
}

/// "Connectors": per connector, what `connectors status` counts. Configured
/// connectors without a hand-off yet show zeroes.
pub fn connectors(body: &mut String, all: &[ConnectorStatus], configured: &[String]) {
    body.push_str("<h2 id=\"connectors\">Connectors</h2>");
    let mut rows: Vec<ConnectorStatus> = all.to_vec();
    for name in configured {
        if !rows.iter().any(|s| &s.connector == name) {
            rows.push(ConnectorStatus {
                connector: name.clone(),
                ..Default::default()
            });
        }
    }
    if rows.is_empty() {
        body.push_str("<p>No connector is configured, and no hand-off was ever made.</p>");
        return;
    }
    rows.sort_by(|a, b| a.connector.cmp(&b.connector));
    body.push_str(
        "<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Connectors, scrollable\"><table><caption>Hand-offs to the merchant's tools</caption><thead><tr>\
         <th scope=\"col\">Connector</th><th scope=\"col\">Delivered</th><th scope=\"col\">Waiting</th><th scope=\"col\">Given up</th>\
         <th scope=\"col\">Superseded</th><th scope=\"col\">Last error</th></tr></thead><tbody>",
    );
    for s in &rows {
        let error = match &s.last_error {
            Some((e, at)) => format!("{}: {}", escape(at), escape(e)),
            None => "none".into(),
        };
        let configured = if configured.contains(&s.connector) {
            ""
        } else {
            " (no longer configured)"
        };
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}{configured}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td><td>{error}</td></tr>",
            escape(&s.connector),
            s.delivered,
            s.waiting,
            if s.given_up > 0 { " bad" } else { "" },
            s.given_up,
            s.superseded,
        );
    }
    body.push_str(
        "</tbody></table></div><p>Given-up hand-offs go again with <code>consent-collector connectors retry</code> once the cause is fixed.</p>",
    );
}

/// "Last checkpoint": the one `/v1/checkpoint` serves, opened with the
/// collector's keys, and its RFC 3161 token checked against the configured
/// authority's certificate.
pub fn checkpoint(
    body: &mut String,
    latest: Option<&Record>,
    keys: &PublicKeys,
    authority: Option<&Authority>,
    head: i64,
) {
    body.push_str("<h2 id=\"checkpoint\">Last checkpoint</h2>");
    let Some(record) = latest else {
        body.push_str("<p>No checkpoint has been published since the collector started.</p>");
        return;
    };
    let checkpoint = match Checkpoint::open(&record.checkpoint, &keys.ed25519()) {
        Ok(c) => c,
        Err(e) => {
            let _ = write!(
                body,
                "<p class=\"bad\">The published checkpoint does not open with the collector's keys: {}</p>",
                escape(&e.to_string())
            );
            return;
        }
    };
    let token = match (record.token(), authority) {
        (None, _) => "none (no timestamp authority is configured)".to_string(),
        (Some(Err(e)), _) => format!("<span class=\"bad\">unreadable: {}</span>", escape(&e.to_string())),
        (Some(Ok(der)), None) => format!("present ({} bytes), not checked: no authority certificate is configured", der.len()),
        (Some(Ok(der)), Some(authority)) => match authority.verify(&der, record.checkpoint.as_bytes()) {
            Ok(stamp) => format!(
                "<span class=\"ok\">present and valid</span>: the configured authority stamped it at {} (serial {})",
                crate::store::timestamp(stamp.time),
                escape(&stamp.serial)
            ),
            Err(e) => format!("<span class=\"bad\">present but invalid: {}</span>", escape(&e.to_string())),
        },
    };
    let behind = head - checkpoint.size as i64;
    let _ = write!(
        body,
        "<dl><dt>Log</dt><dd>{}</dd><dt>Size</dt><dd>{} entries{}</dd><dt>Root hash (RFC 6962, base64)</dt><dd><code>{}</code></dd>\
         <dt>Made at</dt><dd>{}</dd><dt>RFC 3161 timestamp</dt><dd>{token}</dd></dl>\
         <p>The same checkpoint is served at <a href=\"/v1/checkpoint\">/v1/checkpoint</a>; <code>verify-log --checkpoint</code> holds the log to it.</p>",
        escape(&checkpoint.origin),
        checkpoint.size,
        if behind > 0 { format!(" ({behind} newer entries wait for the next one)") } else { String::new() },
        consent_proof::base64::encode(&checkpoint.root),
        crate::store::timestamp(checkpoint.time),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::held::HeldProof;
    use crate::ledger::keys::Keyring;
    use crate::registry::sql::Held;

    fn held_version(form_id: &str, legend: &str) -> HeldVersion {
        let mut record = consent_proof::fixture::proof();
        record.form.id = form_id.into();
        record.texts.shown.0[0].1 = legend.into();
        HeldVersion {
            form_id: form_id.into(),
            version: record.form.version.clone(),
            proofs: vec![HeldProof {
                row: Held {
                    seq: 7,
                    form_id: form_id.into(),
                    version: record.form.version.clone(),
                    reason: "unknown form version".into(),
                },
                record: Some(record),
            }],
            registered: false,
        }
    }

    #[test]
    fn held_texts_are_escaped_and_the_command_quoted() {
        let mut body = String::new();
        held(&mut body, &[held_version("x; rm -rf ~", "<script>alert(1)</script>")]);
        assert!(body.contains("<td class=\"text\">&lt;script&gt;alert(1)&lt;/script&gt;</td>"), "{body}");
        assert!(!body.contains("<script>"), "{body}");
        assert!(body.contains("<pre><code>consent-collector forms approve &#39;x; rm -rf ~&#39; 3</code></pre>"), "{body}");
    }

    #[test]
    fn the_checkpoint_opens_with_the_keys_and_says_what_its_token_is() {
        let dir = tempfile::tempdir().unwrap();
        Keyring::generate(dir.path(), chrono::Utc::now()).unwrap();
        let keys = Keyring::load(dir.path()).unwrap();
        let checkpoint = Checkpoint {
            origin: "shop.example/consent-log".into(),
            size: 9,
            root: [7; 32],
            chain: "ab".repeat(32),
            time: "2026-12-02T06:30:00.123Z".parse().unwrap(),
        };
        let note = keys.sign_note(&checkpoint.text(), &checkpoint.origin);
        let shown = |timestamp: Option<&str>, head: i64| {
            let record = Record { checkpoint: note.clone(), timestamp: timestamp.map(String::from) };
            let mut body = String::new();
            super::checkpoint(&mut body, Some(&record), &keys.public(), None, head);
            body
        };
        let plain = shown(None, 12);
        assert!(plain.contains("<dd>9 entries (3 newer entries wait for the next one)</dd>"), "{plain}");
        assert!(plain.contains("<code>BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=</code>"), "{plain}");
        assert!(plain.contains("<dd>none (no timestamp authority is configured)</dd>"), "{plain}");
        assert!(shown(Some("AAAA"), 9).contains("present (3 bytes), not checked"));
        assert!(shown(Some("not base64!"), 9).contains("<span class=\"bad\">unreadable: "));
        // Another collector's keys do not open it.
        let other = tempfile::tempdir().unwrap();
        Keyring::generate(other.path(), chrono::Utc::now()).unwrap();
        let mut body = String::new();
        let record = Record { checkpoint: note.clone(), timestamp: None };
        super::checkpoint(&mut body, Some(&record), &Keyring::load(other.path()).unwrap().public(), None, 9);
        assert!(body.contains("does not open with the collector's keys"), "{body}");
    }
}
