//! Known answers from the RFCs this crate implements: 7638, 8037, 8785.
#![cfg(feature = "verify")]

use consent_proof::jwk::thumbprint_input_from_members;
use consent_proof::verify::{parse_header, sha256, thumbprint, verify_signature};
use consent_proof::{base64url, jws, Alg, Jwk, VerifyError};

const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

#[test]
fn rfc7638_rsa_thumbprint() {
    // RFC 7638 §3.1: required members e, kty, n, sorted.
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let input = thumbprint_input_from_members(&[("kty", "RSA"), ("n", n), ("e", "AQAB")]);
    assert_eq!(
        input,
        format!("{{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"{n}\"}}")
    );
    assert_eq!(
        base64url::encode(&sha256(input.as_bytes())),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn rfc8037_okp_thumbprint() {
    // RFC 8037 A.2 / A.3.
    let jwk = Jwk::Ed25519 {
        x: RFC8037_X.to_owned(),
    };
    assert_eq!(
        jwk.thumbprint_input(),
        format!("{{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"{RFC8037_X}\"}}")
    );
    assert_eq!(
        thumbprint(&jwk),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

#[test]
fn rfc8037_ed25519_jws_verifies() {
    // RFC 8037 A.4 (signing) and A.5 (validation).
    let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let parts = jws::CompactParts::split(token).unwrap();
    assert_eq!(
        base64url::decode(parts.header).unwrap(),
        br#"{"alg":"EdDSA"}"#
    );
    assert_eq!(
        base64url::decode(parts.payload).unwrap(),
        b"Example of Ed25519 signing"
    );
    assert_eq!(
        jws::signing_input(r#"{"alg":"EdDSA"}"#, "Example of Ed25519 signing"),
        parts.signing_input
    );
    let jwk = Jwk::Ed25519 {
        x: RFC8037_X.to_owned(),
    };
    let signature = base64url::decode(parts.signature).unwrap();
    assert_eq!(
        verify_signature(Alg::EdDSA, &jwk, parts.signing_input.as_bytes(), &signature),
        Ok(())
    );
    // One bit off in the input, and it fails.
    let mut tampered = parts.signing_input.as_bytes().to_vec();
    tampered[30] ^= 1;
    assert_eq!(
        verify_signature(Alg::EdDSA, &jwk, &tampered, &signature),
        Err(VerifyError::Signature)
    );
    // Its header is a valid JWS header but not a consent-proof one.
    assert!(matches!(
        parse_header(br#"{"alg":"EdDSA"}"#),
        Err(VerifyError::Header { .. })
    ));
}

#[test]
fn rfc8037_ed25519_signing_is_reproduced() {
    use consent_proof::sign::SigningKey;
    let d = base64url::decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").unwrap();
    let key = SigningKey::ed25519_from_seed(&d.try_into().unwrap());
    assert_eq!(
        key.jwk(),
        Jwk::Ed25519 {
            x: RFC8037_X.to_owned()
        }
    );
    let input = jws::signing_input(r#"{"alg":"EdDSA"}"#, "Example of Ed25519 signing");
    assert_eq!(
        jws::compact(&input, &key.sign_raw(input.as_bytes())),
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
}

#[test]
fn p256_thumbprint_input_has_four_members_in_order() {
    let jwk = Jwk::p256(&[1; 32], &[2; 32]);
    assert_eq!(
        jwk.thumbprint_input(),
        "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\",\"y\":\"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI\"}"
    );
}
