//! The dashboard's HTML: sign-in, the figures and charts, the desk's
//! sections ([`super::desk`]), and the log's state.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::audit::stats::{self, Counts, Stats};
use crate::audit::timeline;
use crate::audit::verify_log::{Report, VerifyLogError};
use crate::i18n::html::escape;
use crate::store::{Store, StoreError};

use super::chart::{bars, Series};
use super::desk::{self, Desk};

/// The one style sheet; the CSP allows it by its hash. Colours keep a 4.5:1
/// contrast on white, and focus is always visible.
const STYLE: &str = "body{font:1rem/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}\
main{max-width:60rem;margin:0 auto;padding:1rem}\
header{max-width:60rem;margin:0 auto;padding:0 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}\
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #767676}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
.wide{overflow-x:auto}\
button,input{font:inherit;min-height:44px;padding:.4rem 1rem}\
a:focus,button:focus,input:focus,summary:focus,.wide:focus{outline:3px solid #0b57d0;outline-offset:2px}\
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}\
.chart{width:100%;height:auto;max-width:40rem}.axis,.grid{stroke:#595959}.grid{stroke-dasharray:4}\
.tick{font-size:11px;fill:#1a1a1a}.s1{fill:#0b57d0}.s2{fill:#146c2e}.s3{fill:#8c4a00}.s4{fill:#a50e0e}\
.ok{color:#146c2e;font-weight:bold}.bad{color:#a50e0e;font-weight:bold}\
figure{margin:1rem 0}figcaption{font-weight:bold}\
h3{font-size:1.05rem;margin-top:1.5rem}dt{font-weight:bold}dd{margin:0 0 .4rem 1rem;overflow-wrap:anywhere}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f2f2f2;padding:.5rem}td.text{white-space:pre-wrap;overflow-wrap:anywhere}\
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;list-style:none}summary{min-height:44px;line-height:44px}";

/// `sha256-...` of the style sheet, for the CSP.
pub fn style_hash() -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(STYLE.as_bytes());
    format!("sha256-{}", consent_proof::base64::encode(&digest))
}

/// The last `verify-log` run from the dashboard.
#[derive(Clone, Debug)]
pub struct LogState {
    /// When it ran.
    pub at: DateTime<Utc>,
    /// Its outcome, as `verify-log` prints it.
    pub outcome: Result<String, String>,
}

impl LogState {
    /// From a `verify-log` result.
    pub fn from_result(result: Result<Report, VerifyLogError>, at: DateTime<Utc>) -> Self {
        LogState {
            at,
            outcome: match result {
                Ok(r) => Ok(format!(
                    "{} entries, {} proof signatures re-verified, {} erased",
                    r.entries, r.proofs, r.erased
                )),
                Err(e) => Err(e.to_string()),
            },
        }
    }
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\"><link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{STYLE}</style></head>\
         <body><a class=\"skip\" href=\"#main\">Skip to the figures</a>{body}</body></html>\n",
        escape(title)
    )
}

/// The sign-in page, with an error when the last attempt failed.
pub fn login(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"bad\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    document(
        "Sign in: consent dashboard",
        &format!(
            "<main id=\"main\"><h1>Consent dashboard</h1>{error}\
             <form method=\"post\" action=\"/admin/login\"><p><label for=\"credential\">Admin credential</label><br>\
             <input id=\"credential\" name=\"credential\" type=\"password\" autocomplete=\"current-password\" required></p>\
             <p><button type=\"submit\">Sign in</button></p></form></main>"
        ),
    )
}

/// A refusal page.
pub fn refused(message: &str) -> String {
    document(
        "Refused: consent dashboard",
        &format!(
            "<main id=\"main\"><h1>Refused</h1><p>{}</p><p><a href=\"/admin\">Back to the dashboard</a></p></main>",
            escape(message)
        ),
    )
}

/// The sections' links, in page order.
const SECTIONS: &[(&str, &str)] = &[
    ("figures", "Per form and purpose"),
    ("time", "Over time"),
    ("held", "Forms to approve"),
    ("connectors", "Connectors"),
    ("log", "Log"),
    ("checkpoint", "Last checkpoint"),
];

/// The dashboard itself.
pub async fn dashboard(
    store: &dyn Store,
    csrf: &str,
    log: Option<&LogState>,
    desk: &Desk<'_>,
) -> Result<String, StoreError> {
    let mut events = timeline::all_events(store).await?;
    let head = events.iter().map(|(_, e)| e.seq).max().unwrap_or(0);
    // A held proof counts for nothing until its version is approved: it is
    // listed under "Forms to approve", not among the sign-ups.
    let held: std::collections::HashSet<i64> = desk
        .held
        .iter()
        .flat_map(|v| v.proofs.iter().map(|p| p.row.seq))
        .collect();
    events.retain(|(_, e)| !held.contains(&e.seq));
    let stats = stats::stats(&events);
    let csrf = escape(csrf);
    let mut body = format!(
        "<header><h1>Consent dashboard</h1><form method=\"post\" action=\"/admin/logout\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">Sign out</button></form></header>\
         <main id=\"main\"><nav aria-label=\"Sections\"><ul>"
    );
    for (id, name) in SECTIONS {
        let _ = write!(body, "<li><a href=\"#{id}\">{name}</a></li>");
    }
    body.push_str("</ul></nav>");
    totals(&mut body, &stats);
    charts(&mut body, &stats);
    desk::held(&mut body, &desk.held);
    desk::connectors(&mut body, &desk.connectors, desk.configured);
    // The last entry always keeps its content (an erasure is itself an entry after what it erased).
    let _ = write!(
        body,
        "<h2 id=\"log\">Log</h2><p>The log's last entry is seq {head}.</p>"
    );
    match log {
        None => body.push_str("<p>Not verified since the dashboard started.</p>"),
        Some(state) => {
            let (class, text) = match &state.outcome {
                Ok(text) => ("ok", format!("Verified: {text}")),
                Err(text) => ("bad", format!("Broken: {text}")),
            };
            let _ = write!(
                body,
                "<p><span class=\"{class}\">{}</span> (at {})</p>",
                escape(&text),
                crate::store::timestamp(state.at)
            );
        }
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/admin/verify\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\">Verify the whole log now</button></form>"
    );
    desk::checkpoint(
        &mut body,
        desk.checkpoint.as_ref(),
        desk.keys,
        desk.authority,
        head,
    );
    body.push_str("</main>");
    Ok(document("Consent dashboard", &body))
}

fn totals(body: &mut String, stats: &Stats) {
    body.push_str("<h2 id=\"figures\">Per form and purpose</h2>");
    if stats.series.is_empty() {
        body.push_str("<p>No sign-up yet.</p>");
        return;
    }
    body.push_str(
        "<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Totals, scrollable\"><table><caption>Totals since the first entry</caption><thead><tr><th scope=\"col\">Form</th><th scope=\"col\">Purpose</th>\
         <th scope=\"col\">Sign-ups</th><th scope=\"col\">Confirmed</th><th scope=\"col\">Confirmation rate</th>\
         <th scope=\"col\">Refusals</th><th scope=\"col\">Withdrawals</th></tr></thead><tbody>",
    );
    for (key, days) in &stats.series {
        let t = Stats::totals(days);
        let rate =
            Stats::confirmation_rate(&t).map_or("no double opt-in".into(), |r| format!("{r:.0}%"));
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{rate}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&key.form), escape(&key.purpose), t.signups, t.confirmations, t.refusals, t.withdrawals
        );
    }
    let erased: u64 = stats.erasures.values().sum();
    let _ = write!(
        body,
        "</tbody></table></div><p>Entries erased (requests and prunes): {erased}.</p>"
    );
}

fn charts(body: &mut String, stats: &Stats) {
    body.push_str("<h2 id=\"time\">Over time</h2>");
    for (n, (key, days)) in stats.series.iter().enumerate() {
        let labels: Vec<String> = days.keys().cloned().collect();
        let pick = |f: fn(&Counts) -> u64| days.values().map(f).collect::<Vec<_>>();
        let title = format!("{}, purpose {}: per day", key.form, key.purpose);
        let svg = bars(
            &format!("c{n}"),
            &title,
            &labels,
            &[
                Series {
                    name: "sign-ups",
                    class: "s1",
                    values: pick(|c| c.signups),
                },
                Series {
                    name: "confirmations",
                    class: "s2",
                    values: pick(|c| c.confirmations),
                },
                Series {
                    name: "refusals",
                    class: "s3",
                    values: pick(|c| c.refusals),
                },
                Series {
                    name: "withdrawals",
                    class: "s4",
                    values: pick(|c| c.withdrawals),
                },
            ],
        );
        let _ = write!(
            body,
            "<figure><figcaption>{}</figcaption>{svg}",
            escape(&title)
        );
        table(body, &labels, days.values());
        body.push_str("</figure>");
    }
    if !stats.erasures.is_empty() {
        let labels: Vec<String> = stats.erasures.keys().cloned().collect();
        let svg = bars(
            "erasures",
            "Entries erased per day",
            &labels,
            &[Series {
                name: "entries erased",
                class: "s4",
                values: stats.erasures.values().copied().collect(),
            }],
        );
        let _ = write!(
            body,
            "<figure><figcaption>Entries erased per day</figcaption>{svg}</figure>"
        );
    }
}

/// The chart's numbers as a table, folded away.
fn table<'a>(body: &mut String, labels: &[String], days: impl Iterator<Item = &'a Counts>) {
    body.push_str(
        "<details><summary>The numbers</summary><div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Numbers per day, scrollable\"><table><thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Sign-ups</th>\
         <th scope=\"col\">Confirmations</th><th scope=\"col\">Refusals</th><th scope=\"col\">Withdrawals</th></tr></thead><tbody>",
    );
    for (day, c) in labels.iter().zip(days) {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(day), c.signups, c.confirmations, c.refusals, c.withdrawals
        );
    }
    body.push_str("</tbody></table></div></details>");
}
