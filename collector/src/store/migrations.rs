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
            // stores its proof, so that a 201 means the mail will go out even if
            // the SMTP server is down or the process dies. The links are kept in
            // the clear, unlike the tokens table's hashes: the mail cannot be
            // rebuilt from a hash. The row is deleted once the mail is sent, given
            // up, or its confirm link has expired, and prune deletes it with its subject.
            "CREATE TABLE pending_mail (
            entry_seq BIGINT PRIMARY KEY,
            recipient TEXT NOT NULL,
            locale TEXT NOT NULL,
            sender_name TEXT NOT NULL,
            confirm_url TEXT NOT NULL,
            unsubscribe_url TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            rejections BIGINT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT
        )",
            "CREATE INDEX pending_mail_due ON pending_mail (next_attempt_at)",
        ],
    ),
];
