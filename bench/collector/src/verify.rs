//! The verify limit: bare `verify_strict` over real proofs' signing inputs,
//! on one thread and on every core. Nothing else a request costs is in it,
//! so end to end divided by this rate is the share the rest of the work leaves.

use crate::proofs::Minted;
use consent_proof::base64url;
use consent_proof::jws::CompactParts;
use consent_proof::sign::ed25519_dalek::{Signature, VerifyingKey};
use std::time::{Duration, Instant};

struct Item {
    key: VerifyingKey,
    input: Vec<u8>,
    signature: Signature,
}

fn items(proofs: &[Minted]) -> Vec<Item> {
    proofs
        .iter()
        .map(|p| {
            let parts = CompactParts::split(&p.jws).expect("a minted JWS has three parts");
            let raw = base64url::decode(parts.signature).expect("a minted signature decodes");
            let signature = Signature::from_slice(&raw).expect("64 bytes");
            Item {
                key: p.key,
                input: parts.signing_input.as_bytes().to_vec(),
                signature,
            }
        })
        .collect()
}

/// Verifies round and round for `time`; returns how many verified.
fn spin(items: &[Item], time: Duration) -> u64 {
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < time {
        for item in items {
            assert!(
                item.key.verify_strict(&item.input, &item.signature).is_ok(),
                "a minted proof verifies"
            );
        }
        done += items.len() as u64;
    }
    done
}

/// Verifications per second on `threads` threads at once.
pub fn rate(proofs: &[Minted], threads: usize, time: Duration) -> f64 {
    let items = items(proofs);
    let start = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| spin(&items, time)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("verify thread"))
            .sum()
    });
    total as f64 / start.elapsed().as_secs_f64()
}
