//! Valid, distinct proofs, minted before any clock starts: the fixture record
//! with a fresh id, `issuedAt` now, its own subject, and one browser key per
//! `PER_KEY` proofs (a real shop sees many browsers, each with its own key).

use consent_proof::fixture;
use consent_proof::sign::{ed25519_dalek, sign, SigningKey};
use consent_proof::timestamp::format_millis;
use rand::{Rng, RngCore};

const PER_KEY: usize = 8;

/// One submission as the widget sends it.
pub struct Minted {
    /// The record id: also the `Idempotency-Key`.
    pub id: String,
    /// The compact JWS.
    pub jws: String,
    /// The signer's public key, for the bare verify bench.
    pub key: ed25519_dalek::VerifyingKey,
}

/// The origin the proofs claim; the collector must allow it.
pub fn origin() -> String {
    fixture::proof().site.origin
}

fn uuid_v4(rng: &mut impl RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn now_millis() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// `n` proofs, all valid now and distinct in id and subject.
pub fn mint(n: usize) -> Vec<Minted> {
    let mut rng = rand::thread_rng();
    let issued_at = format_millis(now_millis()).expect("the current time formats");
    let mut key = SigningKey::ed25519_from_seed(&rng.gen());
    (0..n)
        .map(|i| {
            if i % PER_KEY == 0 {
                key = SigningKey::ed25519_from_seed(&rng.gen());
            }
            let mut record = fixture::proof();
            record.id = uuid_v4(&mut rng);
            record.issued_at.clone_from(&issued_at);
            record.subject.email = format!("bench-{}@example.org", &record.id[..13]);
            let SigningKey::Ed25519(ed) = &key else {
                unreachable!("minted as Ed25519")
            };
            Minted {
                jws: sign(&record, &key),
                id: record.id,
                key: ed.verifying_key(),
            }
        })
        .collect()
}
