//! Versioned schema migrations, written in SQL both SQLite and PostgreSQL accept.

/// `(version, statements)`, applied in order, each version once, in one transaction.
/// Never edit a released version: add the next one.
pub const MIGRATIONS: &[(i64, &[&str])] = &[
    (
        1,
        &[
            // The log. seq is assigned by the collector under the append lock, so
            // that gaps are impossible and the chain order is the seq order.
            "CREATE TABLE entries (
            seq BIGINT PRIMARY KEY,
            kind TEXT NOT NULL,
            received_at TEXT NOT NULL,
            proof_sha256 TEXT NOT NULL,
            prev_chain TEXT NOT NULL,
            chain TEXT NOT NULL,
            receipt TEXT NOT NULL,
            record_id TEXT UNIQUE,
            subject TEXT,
            jws_header TEXT,
            jws_signature TEXT,
            body TEXT,
            texts_sha256 TEXT
        )",
            "CREATE INDEX entries_subject ON entries (subject)",
            // Shown texts, once per SHA-256 of their canonical JSON.
            "CREATE TABLE texts (sha256 TEXT PRIMARY KEY, shown TEXT NOT NULL)",
            // Only a hash of each token is kept: a database leak does not leak working links.
            "CREATE TABLE tokens (
            hash TEXT PRIMARY KEY,
            purpose TEXT NOT NULL,
            entry_seq BIGINT NOT NULL,
            locale TEXT NOT NULL,
            expires_at TEXT,
            used_at TEXT
        )",
            "CREATE INDEX tokens_entry ON tokens (entry_seq)",
        ],
    ),
    (
        2,
        &[
            // Confirmation mail not yet sent, written in the transaction that
            // stores its proof, so that a 201 means the mail goes out even if
            // the SMTP server is down or the process dies. Recipient, language
            // and sender come from the proof's entry. The two tokens are kept
            // in the clear, unlike the tokens table's hashes, since a mail
            // cannot be rebuilt from a hash; the row is deleted once the mail is
            // sent, given up, or its confirm link has expired, and prune
            // deletes it with its subject.
            "CREATE TABLE pending_mail (
            entry_seq BIGINT PRIMARY KEY,
            confirm_token TEXT NOT NULL,
            unsubscribe_token TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 1,
            rejections BIGINT NOT NULL DEFAULT 0,
            last_error TEXT
        )",
            "CREATE INDEX pending_mail_due ON pending_mail (next_attempt_at)",
        ],
    ),
    (
        3,
        &[
            // When a withdrawal cancelled the confirm link (an unsubscribe, or
            // a withdrawal proof for its consent, before or after the click):
            // the link's page then says there is nothing to confirm.
            "ALTER TABLE tokens ADD COLUMN withdrawn_at TEXT",
        ],
    ),
    (
        4,
        &[
            // The forms registry: one row per registered form version,
            // immutable once written (`definition`: its JSON, `sha256` its hash).
            "CREATE TABLE form_versions (
            form_id TEXT NOT NULL,
            version TEXT NOT NULL,
            registered_at TEXT NOT NULL,
            definition TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (form_id, version)
        )",
            // A verified proof of no registered version, held on arrival (in
            // its append's transaction); the chained `release` entry at
            // `released_seq` makes it count once a version it matches is registered.
            "CREATE TABLE held_proofs (
            seq BIGINT PRIMARY KEY,
            form_id TEXT NOT NULL,
            version TEXT NOT NULL,
            reason TEXT NOT NULL,
            released_seq BIGINT
        )",
            "CREATE INDEX held_proofs_form ON held_proofs (form_id, version)",
        ],
    ),
    (
        5,
        // Rate-limit counters, shared by every collector on the database.
        super::limits::MIGRATION,
    ),
    (
        6,
        // Hand-offs to the merchant's tools, written with their change
        // (see crate::connectors::queue).
        crate::connectors::MIGRATION,
    ),
    (
        7,
        // The client network a confirmation mail's links were made for:
        // the sign-up's network, which the merchant's tools record as
        // evidence (Mailchimp's `ip_signup`). Erased with the tokens.
        &["ALTER TABLE tokens ADD COLUMN network TEXT"],
    ),
    (
        8,
        // The chain values in seq order, read from the index alone: a
        // checkpoint reads every entry appended since the last one, and
        // through the table that was each entry's whole row (a proof of
        // several KiB): a minute of sign-ups read at once stalled the
        // appends (BENCHMARKS.md, Sustained load).
        &["CREATE INDEX entries_chain ON entries (seq, chain)"],
    ),
];
