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

/// RFC 7515 A.3: the ES256 example, with its published public key.
const RFC7515_A3_JWS: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const RFC8037_A4_JWS: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

fn rfc7515_a3_key() -> Jwk {
    Jwk::P256 {
        x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU".to_owned(),
        y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0".to_owned(),
    }
}

#[test]
fn documents_of_rfc7515_a3_and_rfc8037_a4_open_with_their_keys() {
    use consent_proof::document::{open, DocumentHeader};
    let es256 = open(RFC7515_A3_JWS, |kid| {
        assert_eq!(kid, None);
        Some(rfc7515_a3_key())
    })
    .unwrap();
    assert_eq!(
        es256.header,
        DocumentHeader {
            alg: Alg::Es256,
            kid: None,
            typ: None
        }
    );
    assert_eq!(
        es256.payload,
        b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
    );
    let ed = open(RFC8037_A4_JWS, |_| {
        Some(Jwk::Ed25519 {
            x: RFC8037_X.to_owned(),
        })
    })
    .unwrap();
    assert_eq!(
        (ed.header.alg, ed.payload.as_slice()),
        (Alg::EdDSA, &b"Example of Ed25519 signing"[..])
    );
    // The other's key, a flipped signature bit, no key: each refused.
    assert_eq!(
        open(RFC8037_A4_JWS, |_| Some(rfc7515_a3_key())),
        Err(VerifyError::Header {
            reason: "jwk key type does not match alg".into()
        })
    );
    let tampered = RFC7515_A3_JWS.replace(".DtEhU3", ".DtEhU4");
    assert_eq!(
        open(&tampered, |_| Some(rfc7515_a3_key())),
        Err(VerifyError::Signature)
    );
    assert!(matches!(
        open(RFC7515_A3_JWS, |_| None),
        Err(VerifyError::Header { .. })
    ));
}

#[test]
fn a_signed_document_has_a_canonical_header_and_refuses_what_it_does_not_understand() {
    use consent_proof::document::{open, sign};
    use consent_proof::sign::{sign_json, SigningKey};
    let key = SigningKey::ed25519_from_seed(&[9; 32]);
    let jws = sign(&key, "k-1", "consent-receipt+jws", r#"{"seq":1}"#);
    let parts = jws::CompactParts::split(&jws).unwrap();
    assert_eq!(
        base64url::decode(parts.header).unwrap(),
        br#"{"alg":"EdDSA","kid":"k-1","typ":"consent-receipt+jws"}"#
    );
    let opened = open(&jws, |kid| (kid == Some("k-1")).then(|| key.jwk())).unwrap();
    assert_eq!(opened.payload, br#"{"seq":1}"#);
    assert!(open(&jws, |kid| (kid == Some("k-2")).then(|| key.jwk())).is_err());
    let p256 = SigningKey::p256_from_scalar(&[3; 32]).unwrap();
    let es = sign(&p256, "k-2", "t", "{}");
    assert_eq!(
        open(&es, |_| Some(p256.jwk())).unwrap().header.alg,
        Alg::Es256
    );
    for header in [
        r#"{"alg":"EdDSA","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"none"}"#,
        r#"{"kid":"k-1"}"#,
        r#"{"alg":"EdDSA","kid":7}"#,
        r#"["alg","EdDSA"]"#,
    ] {
        let jws = sign_json(header, "{}", &key);
        assert!(open(&jws, |_| Some(key.jwk())).is_err(), "{header}");
    }
}

#[test]
// The RFC's literals as it writes them: each parses to the nearest double, as in JavaScript.
#[allow(clippy::excessive_precision)]
fn any_serializable_value_canonicalizes_as_rfc8785_says() {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Entry {
        seq: u64,
        received_at: &'static str,
        numbers: [f64; 5],
        string: &'static str,
        literals: (Option<u8>, bool, bool),
    }
    // RFC 8785 §3.2.2's values, as a struct with its fields out of order.
    let entry = Entry {
        seq: 9_007_199_254_740_991,
        received_at: "2026-11-29T10:15:02.913Z",
        numbers: [
            333333333.33333329,
            1E30,
            4.50,
            2e-3,
            0.000000000000000000000000001,
        ],
        string: "\u{20ac}$\u{000f}\u{000a}A'\u{0042}\u{0022}\u{005c}\\\"/",
        literals: (None, true, false),
    };
    assert_eq!(
        consent_proof::jcs::to_string(&entry).unwrap(),
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"receivedAt\":\"2026-11-29T10:15:02.913Z\",\"seq\":9007199254740991,\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
    );
    let mut by_number = std::collections::BTreeMap::new();
    by_number.insert(1, "one");
    assert!(
        consent_proof::jcs::to_string(&by_number).is_ok(),
        "integer keys become strings"
    );
}
