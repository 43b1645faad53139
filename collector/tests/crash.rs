//! Three collectors on one PostgreSQL database under load, one killed with
//! SIGKILL mid-run: every proof answered 2xx is in the log exactly once, every
//! proof reaches the log (its client retries on a survivor), the chain
//! verifies, and each confirmation mail goes out once (a mail the killed
//! process had sent but not yet marked may go twice: that is the documented
//! at-least-once of the mail queue, and is counted apart).

mod common;
mod resilience;

use std::collections::HashMap;

use common::{Db, Smtpd, TestDb};
use resilience::{serve, Load};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
// The surviving collectors take the killed one's mail once its attempts'
// leases end (8 s with `--mail-retry 1s`), never while it may still be
// sending: see mail::queue::Attempt.
async fn three_collectors_one_killed_mid_load() {
    let db = TestDb::new(Db::Postgres).await;
    let data = tempfile::tempdir().unwrap();
    resilience::keygen(data.path());
    let smtpd = Smtpd::start(common::free_port()).await;
    let mut collectors: Vec<_> = (0..3)
        .map(|_| serve(&db.url, data.path(), Some(smtpd.port), &[]))
        .collect();
    let urls = collectors.iter().map(|c| c.url.clone()).collect();
    let load = Load::start(urls, 12, "crash");
    load.until(201, 150).await;
    let victim = &mut collectors[1];
    let killed_at = load.started.elapsed();
    victim.child.kill().unwrap(); // SIGKILL: no shutdown of any kind
    victim.child.wait().unwrap();
    load.until(201, 150).await;
    let answers = load.stop().await;

    // Every 2xx is in the log, once; and every proof posted got one in the end.
    let stored = resilience::entries_per_record(&db.url).await;
    let acknowledged = resilience::acknowledged(&answers);
    for a in &acknowledged {
        assert_eq!(stored.get(&a.id), Some(&1), "record {} answered {} is in the log once", a.id, a.status);
    }
    let ids: HashMap<&str, &str> = answers.iter().map(|a| (a.id.as_str(), a.email.as_str())).collect();
    for id in ids.keys() {
        assert!(acknowledged.iter().any(|a| a.id == *id), "record {id} was never acknowledged");
    }
    let refused = answers.iter().filter(|a| a.target == 1 && a.at > killed_at && a.status == 0).count();
    assert!(refused > 0, "the load met the killed collector after the kill");
    let (ok, report) = resilience::verify_log(&db.url, data.path());
    assert!(ok, "verify-log: {report}");

    // Each subject's confirmation mail: at least once, and once but for
    // those the killed process may have held (sent, not yet marked sent).
    let victim_saw: std::collections::HashSet<&str> =
        answers.iter().filter(|a| a.target == 1).map(|a| a.id.as_str()).collect();
    // The survivors take the killed process's mail once it is due, looking
    // every 30 s at most; a loaded machine's SMTP round trips add up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while resilience::rows(&db.url, "pending_mail").await > 0 {
        assert!(std::time::Instant::now() < deadline, "mail still pending after 300 s");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let mut twice = Vec::new();
    for (id, email) in &ids {
        let offers = common::eventually(&format!("the mail to {email}"), || async {
            let n = smtpd.offers(email);
            (n > 0).then_some(n)
        })
        .await;
        if offers > 1 {
            twice.push(*id);
        }
    }
    println!(
        "{} proofs, {} answers ({} to the dead collector), {} mails sent twice; {report}",
        ids.len(),
        answers.len(),
        refused,
        twice.len()
    );
    for id in &twice {
        assert!(victim_saw.contains(id), "the mail of {id} went twice, and the killed collector never had it");
    }
    drop(collectors);
}
