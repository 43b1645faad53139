// The properties the proof fuzz targets check, one function per target. The
// targets (fuzz_targets/) call them on what libFuzzer makes; the proof
// crate's test `fuzz_inputs` calls them on every committed seed and every
// input a run once failed on (fuzz/regressions/TARGET/), so CI keeps them
// without nightly. Each panics when a property breaks.
use consent_proof::sign::{sign_json, SigningKey};
use consent_proof::verify::parse_proof;
use consent_proof::{
    base64url, fixture, jcs, jws::CompactParts, verify, Canonical, VerifyError, VerifyOptions,
};
use serde_json::Value;
use std::sync::OnceLock;

/// The clock and limits of proof/vectors/proofs.json, so inputs seeded from
/// the vectors reach the deep checks rather than the clock.
fn options() -> VerifyOptions {
    VerifyOptions::new(fixture::ISSUED_AT_MS + 1000)
}

/// `verify` on any text. Whatever verifies has one spelling only: the JWS
/// parts re-encode to themselves, the payload re-parses to the same record and
/// is the record's canonical JSON, so no two JWS texts carry one record.
pub fn proof_verify(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(verified) = verify::verify(text, &options()) else {
        return;
    };
    let parts = CompactParts::split(text).expect("a verified JWS splits");
    for part in [parts.header, parts.payload, parts.signature] {
        let bytes = base64url::decode(part).expect("a verified part decodes");
        assert_eq!(base64url::encode(&bytes), part, "a second base64url spelling verified");
    }
    assert_eq!(base64url::encode(verified.payload.as_bytes()), parts.payload);
    assert_eq!(parse_proof(&verified.payload).as_ref(), Ok(&verified.proof));
    assert_eq!(verified.proof.to_canonical_json(), verified.payload);
}

/// The payload reader alone (JSON, RFC 8785 form, shape, schema rules, text
/// hashes), with no signature in front of it. What it accepts is written
/// back byte for byte and passes the schema rules.
pub fn proof_payload(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(proof) = parse_proof(text) else {
        return;
    };
    assert_eq!(proof.to_canonical_json(), text, "accepted a payload it does not write");
    assert_eq!(proof.check(), Ok(()));
    assert_eq!(jcs::canonicalize_str(text).ok().as_deref(), Some(text));
}

fn keys() -> &'static [(SigningKey, String); 2] {
    static KEYS: OnceLock<[(SigningKey, String); 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let d = base64url::decode(fixture::ED25519_PRIVATE_D).expect("fixture key");
        let ed = SigningKey::ed25519_from_seed(&d.try_into().expect("32 bytes"));
        let p256 = SigningKey::p256_from_scalar(&[0x17; 32]).expect("a valid scalar");
        let ed_header = ed.header().to_canonical_json();
        let p256_header = p256.header().to_canonical_json();
        [(ed, ed_header), (p256, p256_header)]
    })
}

/// End to end: the input (after its first byte, which picks Ed25519 or
/// P-256) is a payload, signed as the widget would, then verified. The
/// verdict is the payload reader's: the same error, or the same record (or,
/// for a record whose `issuedAt` is outside the window, the time error).
pub fn proof_signed(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(payload) = std::str::from_utf8(rest) else {
        return;
    };
    let (key, header) = &keys()[usize::from(which & 1)];
    let jws = sign_json(header, payload, key);
    let options = options();
    let verdict = verify::verify(&jws, &options);
    if jws.len() > options.max_bytes {
        assert!(matches!(verdict, Err(VerifyError::Oversized { .. })), "{verdict:?}");
        return;
    }
    match (parse_proof(payload), verdict) {
        (Err(expected), Err(got)) => assert_eq!(expected, got),
        (Ok(proof), Ok(verified)) => {
            assert_eq!(verified.proof, proof);
            assert_eq!(verified.payload, payload);
        }
        (Ok(_), Err(VerifyError::Time { .. })) => {}
        (expected, got) => panic!("payload reader said {expected:?}, verify said {got:?}"),
    }
}

/// The RFC 8785 canonicalizer against an independent implementation
/// (serde_json_canonicalizer): the same bytes for every JSON text, and the
/// canonical form is a fixed point.
pub fn jcs_differential(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        assert!(jcs::canonicalize_str(text).is_err(), "canonicalized a text that is not JSON");
        return;
    };
    let ours = jcs::canonicalize(&value);
    let theirs = serde_json_canonicalizer::to_string(&value).ok();
    assert_eq!(ours, theirs, "the two RFC 8785 implementations disagree");
    if let Some(ours) = ours {
        assert_eq!(jcs::canonicalize_str(&ours).ok().as_ref(), Some(&ours), "not a fixed point");
    }
}
