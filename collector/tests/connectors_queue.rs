//! The durable hand-off queue on real SQLite and PostgreSQL: committed with
//! the change or not at all, delivered through an outage once, given up at
//! the limit and re-queued, kept in order per subject, and shared by two
//! dispatchers on one PostgreSQL without a double delivery.

mod common;
mod tools;

use consent_collector::connectors;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::{eventually, Db, TestDb};
use connectors::queue::Queue;
use connectors::worker::{Backoff, Dispatcher, Settings};
use connectors::{Change, Channel, Connector, Evidence, OptIn, Purpose, Source, State};
use sqlx::AnyPool;

/// The collector's own store (which migrates, the hand-off table
/// included) and a queue on its database, as `serve` opens them.
async fn pool(db: &TestDb) -> (AnyPool, Queue) {
    let store = db.open().await;
    let queue = Queue::connect(&db.url).await.unwrap();
    (store.pool().clone(), queue)
}

fn change(state: State, email: &str, source: Source) -> Change {
    Change {
        state,
        opt_in: Some(OptIn::Confirmed),
        source,
        email: email.into(),
        phone: None,
        purposes: vec![Purpose {
            id: "newsletter".into(),
            channel: Channel::Email,
        }],
        locale: Some("fr".into()),
        consented_at: Some("2026-12-01T10:00:00.000Z".into()),
        consent_ip: None,
        confirmed_at: Some("2026-12-01T10:05:00.000Z".into()),
        confirm_ip: None,
        at: "2026-12-01T10:05:00.000Z".into(),
        evidence: Evidence {
            seq: 1,
            receipt: "r".into(),
            ..Default::default()
        },
    }
}

async fn enqueue(pool: &AnyPool, names: &[&str], seq: i64, change: &Change) {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut tx = pool.begin().await.unwrap();
    connectors::enqueue(&mut tx, &names, seq, change, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Queues `(seq, state, email, source)` changes for the Mailchimp connector.
async fn to_mailchimp(pool: &AnyPool, changes: &[(i64, State, &str, Source)]) {
    for (seq, state, email, source) in changes {
        enqueue(pool, &["mailchimp"], *seq, &change(*state, email, *source)).await;
    }
}

fn fast(max_attempts: i64) -> Settings {
    Settings {
        backoff: Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_millis(400),
        },
        max_attempts,
        lease: Duration::from_secs(5),
    }
}

async fn mailchimp() -> (tools::Tool<tools::mailchimp::Data>, Arc<dyn Connector>) {
    let tool = tools::mailchimp::start("key-us6", "L1", &[]).await;
    let client = connectors::http::client(Duration::from_secs(2));
    let c = connectors::mailchimp::Mailchimp::new(
        tool.url.clone(),
        "key-us6".into(),
        "L1".into(),
        BTreeMap::new(),
        client,
    );
    (tool, Arc::new(c))
}

async fn status(queue: &Queue, name: &str) -> connectors::queue::ConnectorStatus {
    queue
        .status()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.connector == name)
        .unwrap_or_default()
}

#[tokio::test]
async fn enqueue_commits_with_the_change_or_not_at_all() {
    for db in [Db::Sqlite, Db::Postgres] {
        let db = TestDb::new(db).await;
        let (pool, queue) = pool(&db).await;
        let names = vec!["mailchimp".to_string(), "shopify".to_string()];
        let mut tx = pool.begin().await.unwrap();
        connectors::enqueue(
            &mut tx,
            &names,
            1,
            &change(State::Confirmed, "a@example.com", Source::ConfirmLink),
            Utc::now(),
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert!(
            queue.status().await.unwrap().is_empty(),
            "a rolled-back change hands nothing off"
        );
        enqueue(
            &pool,
            &["mailchimp", "shopify"],
            1,
            &change(State::Confirmed, "a@example.com", Source::ConfirmLink),
        )
        .await;
        enqueue(
            &pool,
            &["mailchimp", "shopify"],
            1,
            &change(State::Confirmed, "a@example.com", Source::ConfirmLink),
        )
        .await;
        assert_eq!(
            status(&queue, "mailchimp").await.waiting,
            1,
            "the same change twice is one hand-off"
        );
        // An inbound withdrawal is not told back to the tool that reported it.
        enqueue(
            &pool,
            &["mailchimp", "shopify"],
            2,
            &change(State::Withdrawn, "a@example.com", Source::Shopify),
        )
        .await;
        assert_eq!(status(&queue, "shopify").await.waiting, 1);
        assert_eq!(status(&queue, "mailchimp").await.waiting, 2);
    }
}

#[tokio::test]
async fn an_outage_then_delivery_once_in_order() {
    for db in [Db::Sqlite, Db::Postgres] {
        let db = TestDb::new(db).await;
        let (pool, queue) = pool(&db).await;
        let (tool, connector) = mailchimp().await;
        tool.set_down(true);
        to_mailchimp(
            &pool,
            &[
                (1, State::Confirmed, "a@example.com", Source::ConfirmLink),
                (
                    2,
                    State::Withdrawn,
                    "a@example.com",
                    Source::UnsubscribeLink,
                ),
            ],
        )
        .await;
        let task = Dispatcher::new(queue.clone(), vec![connector], "c1".into(), fast(100)).spawn();
        eventually("three failed attempts", || async {
            (tool.received().len() >= 3).then_some(())
        })
        .await;
        let s = status(&queue, "mailchimp").await;
        assert_eq!((s.waiting, s.delivered), (2, 0));
        assert!(s.last_error.unwrap().0.contains("HTTP 503"));
        // Only the first change was tried: the withdrawal waits behind it.
        assert!(tool
            .received()
            .iter()
            .all(|r| r.body.contains("\"subscribed\"")));
        tool.set_down(false);
        eventually("both delivered", || async {
            (status(&queue, "mailchimp").await.delivered == 2).then_some(())
        })
        .await;
        task.abort();
        let m = tool.member("a@example.com").unwrap();
        assert_eq!(
            (m.status.as_str(), m.writes),
            ("unsubscribed", 2),
            "one write per change, in log order"
        );
    }
}

#[tokio::test]
async fn given_up_at_the_limit_then_retried_or_superseded() {
    let db = TestDb::new(Db::Sqlite).await;
    let (pool, queue) = pool(&db).await;
    let (tool, connector) = mailchimp().await;
    tool.set_down(true);
    to_mailchimp(
        &pool,
        &[
            (1, State::Confirmed, "a@example.com", Source::ConfirmLink),
            (2, State::Confirmed, "b@example.com", Source::ConfirmLink),
        ],
    )
    .await;
    let dispatcher = Dispatcher::new(queue.clone(), vec![connector], "c1".into(), fast(2));
    let task = dispatcher.clone().spawn();
    eventually("both given up", || async {
        (status(&queue, "mailchimp").await.given_up == 2).then_some(())
    })
    .await;
    assert_eq!(tool.received().len(), 4, "two attempts each, then no more");
    // b withdraws meanwhile, delivered once the tool is back: b's stale
    // "subscribed" must not be re-sent after it.
    tool.set_down(false);
    enqueue(
        &pool,
        &["mailchimp"],
        3,
        &change(State::Withdrawn, "b@example.com", Source::Widget),
    )
    .await;
    dispatcher.wake();
    eventually("b's withdrawal delivered", || async {
        (status(&queue, "mailchimp").await.delivered == 1).then_some(())
    })
    .await;
    assert_eq!(
        queue
            .retry_given_up(Some("mailchimp"), Utc::now())
            .await
            .unwrap(),
        (1, 1)
    );
    dispatcher.wake();
    eventually("a re-queued and delivered", || async {
        (status(&queue, "mailchimp").await.delivered == 2).then_some(())
    })
    .await;
    task.abort();
    assert_eq!(tool.member("a@example.com").unwrap().status, "subscribed");
    assert_eq!(tool.member("b@example.com").unwrap().status, "unsubscribed");
    let s = status(&queue, "mailchimp").await;
    assert_eq!((s.given_up, s.superseded, s.waiting), (0, 1, 0));
}

#[tokio::test]
async fn two_dispatchers_on_one_postgresql_deliver_each_once() {
    let db = TestDb::new(Db::Postgres).await;
    let (pool, queue) = pool(&db).await;
    let (tool, connector) = mailchimp().await;
    for seq in 1..=40 {
        enqueue(
            &pool,
            &["mailchimp"],
            seq,
            &change(
                State::Confirmed,
                &format!("s{seq}@example.com"),
                Source::ConfirmLink,
            ),
        )
        .await;
    }
    let one = Dispatcher::new(
        queue.clone(),
        vec![connector.clone()],
        "c1".into(),
        fast(10),
    )
    .spawn();
    let two = Dispatcher::new(queue.clone(), vec![connector], "c2".into(), fast(10)).spawn();
    eventually("all delivered", || async {
        (status(&queue, "mailchimp").await.delivered == 40).then_some(())
    })
    .await;
    one.abort();
    two.abort();
    assert_eq!(tool.received().len(), 40, "each hand-off requested once");
    assert!(tool.with(|d| d.members.values().all(|m| m.writes == 1)));
}
