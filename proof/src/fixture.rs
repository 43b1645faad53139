//! The shared fixture (feature `fixture`): one fixed proof and its exact bytes.
//!
//! The widget's browser test builds [`proof`] through its own code path and
//! compares with [`CANONICAL_PROOF`]; the native tests assert this crate
//! writes the same bytes. The files live in `proof/fixtures/` (no trailing
//! newline in any of them) and are also embedded here:
//!
//! | constant | file |
//! |---|---|
//! | [`CANONICAL_PROOF`] | `proof.canonical.json` |
//! | [`TEXTS_DIGEST_INPUT`] | `texts-digest-input.json` |
//! | [`CANONICAL_HEADER`] | `header.canonical.json` |
//! | [`THUMBPRINT_INPUT`] | `thumbprint-input.json` |
//! | [`SIGNING_INPUT`] | `signing-input.txt` |
//! | [`JWS`] | `proof.jws` |
//!
//! The key is RFC 8037 Appendix A.1's Ed25519 key, so its thumbprint is the
//! RFC's (`kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k`) and, Ed25519 being
//! deterministic, a browser importing [`ED25519_PRIVATE_D`] into WebCrypto
//! produces the very same [`JWS`].

use crate::jwk::Jwk;
use crate::jws::ProtectedHeader;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::record::*;
use crate::texts::{ShownTexts, Texts};

/// The payload's canonical JSON, byte for byte.
pub const CANONICAL_PROOF: &str = include_str!("../fixtures/proof.canonical.json");
/// The canonical JSON of `texts.shown`, whose SHA-256 is `texts.sha256`.
pub const TEXTS_DIGEST_INPUT: &str = include_str!("../fixtures/texts-digest-input.json");
/// The protected header's canonical JSON.
pub const CANONICAL_HEADER: &str = include_str!("../fixtures/header.canonical.json");
/// The RFC 7638 thumbprint input of the fixture key.
pub const THUMBPRINT_INPUT: &str = include_str!("../fixtures/thumbprint-input.json");
/// `base64url(header) "." base64url(payload)`.
pub const SIGNING_INPUT: &str = include_str!("../fixtures/signing-input.txt");
/// The signed compact JWS.
pub const JWS: &str = include_str!("../fixtures/proof.jws");

/// The fixture key's private scalar `d` (RFC 8037 A.1), base64url: test use only.
pub const ED25519_PRIVATE_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
/// The fixture key's public `x` (RFC 8037 A.1), base64url.
pub const ED25519_PUBLIC_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
/// The fixture key's `kid` (RFC 8037 A.3).
pub const KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
/// `issuedAt` of the fixture, in milliseconds since the Unix epoch.
pub const ISSUED_AT_MS: i64 = 1_795_947_302_481;

/// The texts shown on the fixture form, catalog key → text.
pub const SHOWN: [(&str, &str); 6] = [
    ("legend", "Restez informé·e"),
    (
        "phone.notice",
        "Votre numéro sert uniquement à l'envoi des SMS que vous avez acceptés.",
    ),
    ("privacy.link", "Politique de confidentialité"),
    (
        "purpose.newsletter",
        "J'accepte de recevoir la newsletter « Les nouveautés » par e-mail.",
    ),
    (
        "purpose.partners",
        "J'accepte de recevoir par e-mail les offres des partenaires.",
    ),
    (
        "purpose.sms",
        "J'accepte de recevoir des offres par SMS.\nRépondez STOP pour ne plus en recevoir.",
    ),
];

/// The fixed record: a b2c consent with one refusal, a phone and double opt-in.
pub fn proof() -> Proof {
    let shown: ShownTexts = SHOWN.into_iter().collect();
    let purpose = |id: &str, channel, choice, text_sha256: &str| Purpose {
        id: id.to_owned(),
        channel,
        basis: Basis::Consent,
        choice,
        text_sha256: text_sha256.to_owned(),
    };
    Proof {
        schema: Schema::V1,
        id: "0193f0a2-7c4e-7d1a-9a55-1c2f3e4d5a6b".to_owned(),
        kind: Kind::Consent,
        issued_at: "2026-11-29T10:15:02.481Z".to_owned(),
        site: Site {
            origin: "https://boutique.example".to_owned(),
            page: "https://boutique.example/produits/tasse".to_owned(),
        },
        controller: Controller {
            name: "Boutique Exemple SAS".to_owned(),
            contact: "dpo@boutique.example".to_owned(),
        },
        jurisdiction: "FR".to_owned(),
        regime: Regime::B2c,
        subject: Subject {
            email: "marie@example.org".to_owned(),
            phone: Some("+33612345678".to_owned()),
        },
        locale: "fr".to_owned(),
        privacy_policy: PrivacyPolicy {
            url: "https://boutique.example/confidentialite".to_owned(),
            version: Some("2026-01".to_owned()),
        },
        form: Form {
            id: "footer-signup".to_owned(),
            version: "3".to_owned(),
            widget: "consent-widget 0.1.0+fixture".to_owned(),
        },
        texts: Texts {
            sha256: TEXTS_SHA256.to_owned(),
            shown,
        },
        purposes: vec![
            purpose(
                "newsletter",
                Channel::Email,
                Choice::Granted,
                NEWSLETTER_SHA256,
            ),
            purpose("partners", Channel::Email, Choice::Refused, PARTNERS_SHA256),
            purpose("sms", Channel::Sms, Choice::Granted, SMS_SHA256),
        ],
        mechanism: "unchecked-box-ticked".to_owned(),
        double_opt_in: DoubleOptIn::Requested,
        prev: None,
    }
}

/// The fixture's protected header (RFC 8037's key and thumbprint).
pub fn header() -> ProtectedHeader {
    ProtectedHeader::new(
        Jwk::Ed25519 {
            x: ED25519_PUBLIC_X.to_owned(),
        },
        KID.to_owned(),
    )
}

/// SHA-256 of [`TEXTS_DIGEST_INPUT`].
pub const TEXTS_SHA256: &str = "65b31ef49e348939114691402fabc409e5b99bb368bdf0d3d139a0e394046f06";
/// SHA-256 of the `purpose.newsletter` text.
pub const NEWSLETTER_SHA256: &str =
    "320198a953cb4461d1e1a862823c8a3156516b4dcde62c8c9c5a7ecf05eeac65";
/// SHA-256 of the `purpose.partners` text.
pub const PARTNERS_SHA256: &str =
    "d094f59ae3e0926d807dcee34a81539005ce4b0174f3a5dcc73e7fd2e318d6f3";
/// SHA-256 of the `purpose.sms` text.
pub const SMS_SHA256: &str = "0287e2089217c42112d6ef15e40d4f48f0d8648e3933b88706f703286be22d7e";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::Canonical;
    use crate::jws::signing_input;

    #[test]
    fn writes_the_fixture_bytes() {
        assert_eq!(proof().to_canonical_json(), CANONICAL_PROOF);
        assert_eq!(
            Texts::digest_input(&proof().texts.shown),
            TEXTS_DIGEST_INPUT
        );
        assert_eq!(header().to_canonical_json(), CANONICAL_HEADER);
        assert_eq!(header().jwk.thumbprint_input(), THUMBPRINT_INPUT);
        assert_eq!(
            signing_input(CANONICAL_HEADER, CANONICAL_PROOF),
            SIGNING_INPUT
        );
        assert!(JWS.starts_with(SIGNING_INPUT) && JWS[SIGNING_INPUT.len()..].starts_with('.'));
    }

    #[test]
    fn fixture_keeps_the_schema() {
        assert_eq!(proof().check(), Ok(()));
        assert_eq!(
            crate::timestamp::parse_millis(&proof().issued_at),
            Some(ISSUED_AT_MS)
        );
    }
}
