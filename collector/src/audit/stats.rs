//! Sign-ups, confirmations, refusals, withdrawals and erasures per form,
//! purpose and day, counted from the log: what the dashboard charts.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::timeline::{Event, What};

/// One day's counts for one form and purpose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Proofs granting the purpose.
    pub signups: u64,
    /// Of those, how many asked for a confirmation by mail.
    pub awaiting: u64,
    /// Confirmation clicks.
    pub confirmations: u64,
    /// Proofs refusing (or objecting to) the purpose.
    pub refusals: u64,
    /// Withdrawals by the widget or the unsubscribe link.
    pub withdrawals: u64,
}

/// A form version and one of its purposes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Key {
    /// `id` and `version` of the form, as `footer-signup v3`.
    pub form: String,
    /// Purpose id.
    pub purpose: String,
}

/// Everything the dashboard charts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Per form and purpose, per day (`YYYY-MM-DD`, UTC).
    pub series: BTreeMap<Key, BTreeMap<String, Counts>>,
    /// Entries erased per day (erasure requests and prunes).
    pub erasures: BTreeMap<String, u64>,
}

impl Stats {
    /// Totals over all days of one series.
    pub fn totals(days: &BTreeMap<String, Counts>) -> Counts {
        days.values().fold(Counts::default(), |mut t, c| {
            t.signups += c.signups;
            t.awaiting += c.awaiting;
            t.confirmations += c.confirmations;
            t.refusals += c.refusals;
            t.withdrawals += c.withdrawals;
            t
        })
    }

    /// Confirmed share of the sign-ups that needed a confirmation, in percent.
    pub fn confirmation_rate(total: &Counts) -> Option<f64> {
        (total.awaiting > 0).then(|| 100.0 * total.confirmations as f64 / total.awaiting as f64)
    }
}

/// Counts the log's events (as [`super::timeline::all_events`] reads them).
pub fn stats(events: &[(Option<String>, Event)]) -> Stats {
    let mut stats = Stats::default();
    let proofs: HashMap<i64, &Event> = events
        .iter()
        .map(|(_, e)| e)
        .filter(|e| e.form.is_some())
        .map(|e| (e.seq, e))
        .collect();
    for (_, e) in events {
        let day = e.received_at.get(..10).unwrap_or_default().to_string();
        let mut bump = |form: &Event, purpose: &str, f: &dyn Fn(&mut Counts)| {
            let key = Key {
                form: form_name(form),
                purpose: purpose.to_string(),
            };
            f(stats
                .series
                .entry(key)
                .or_default()
                .entry(day.clone())
                .or_default());
        };
        match e.what {
            What::Consent | What::Refusal => {
                let double = e.double_opt_in.as_deref() == Some("requested");
                for p in &e.purposes {
                    match p.choice.as_str() {
                        "granted" | "not-objected" => bump(e, &p.id, &|c| {
                            c.signups += 1;
                            c.awaiting += u64::from(double && p.choice == "granted");
                        }),
                        _ => bump(e, &p.id, &|c| c.refusals += 1),
                    }
                }
            }
            What::Withdrawal => {
                for p in &e.purposes {
                    bump(e, &p.id, &|c| c.withdrawals += 1);
                }
            }
            What::Confirmation | What::Unsubscribe => {
                let Some(proof) = e.refers_to.and_then(|s| proofs.get(&s)) else {
                    continue;
                };
                let confirm = e.what == What::Confirmation;
                let ids: Vec<&str> = if confirm {
                    proof
                        .purposes
                        .iter()
                        .filter(|p| p.choice == "granted")
                        .map(|p| p.id.as_str())
                        .collect()
                } else {
                    e.purposes.iter().map(|p| p.id.as_str()).collect()
                };
                for id in ids {
                    bump(proof, id, &|c| {
                        if confirm {
                            c.confirmations += 1
                        } else {
                            c.withdrawals += 1
                        }
                    });
                }
            }
            What::Erasure => {
                *stats.erasures.entry(day).or_default() += e.erased.unwrap_or(0);
            }
            What::Release | What::Other => {}
        }
    }
    stats
}

fn form_name(e: &Event) -> String {
    e.form
        .as_ref()
        .map(|f| format!("{} v{}", f.id, f.version))
        .unwrap_or_else(|| "unknown form".into())
}
