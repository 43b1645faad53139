//! Checks an RFC 3161 timestamp token against the authority's certificate.
//!
//! A token is a CMS SignedData (RFC 5652) whose content is a TSTInfo. It
//! vouches for a message when: its message imprint is the SHA-256 of that
//! message; its one signer is the configured certificate (by issuer and
//! serial or by key identifier) and names it in a signing-certificate-v2
//! attribute (RFC 5816); the signed attributes carry the content type and
//! the digest of the TSTInfo; their signature verifies with the
//! certificate's key (ECDSA P-256 or RSA PKCS#1 v1.5, both with SHA-256);
//! the certificate is for timestamping only (critical extended key usage
//! id-kp-timeStamping, RFC 3161 section 2.3); and the time falls inside its
//! validity. The certificates the token carries are not trusted: only the
//! configured one is.

use chrono::{DateTime, Utc};
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Decode, DecodePem, Encode, Sequence};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectKeyIdentifier};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_tsp::TstInfo;

const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const RSA_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
const SUBJECT_KEY_ID: Oid = Oid::new_unwrap("2.5.29.14");
const TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");

/// Why a token does not vouch for a message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// The bytes are not a timestamp token.
    #[error("not an rfc 3161 timestamp token: {0}")]
    Malformed(String),
    /// It stamps another message.
    #[error("the token stamps another message")]
    OtherMessage,
    /// It is signed by someone else, or not signed as RFC 3161 requires.
    #[error("the token is not signed by the authority's certificate: {0}")]
    Signer(&'static str),
    /// The signature does not verify.
    #[error("the token's signature does not verify")]
    Signature,
    /// The certificate cannot sign timestamps, or not at that time.
    #[error("the authority's certificate {0}")]
    Certificate(&'static str),
}

/// What a verified token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// When the authority saw the message.
    pub time: DateTime<Utc>,
    /// The authority's serial number for the token, hex.
    pub serial: String,
    /// The nonce of the request, hex, if any.
    pub nonce: Option<String>,
}

/// A timestamp authority known by its certificate.
#[derive(Clone, Debug)]
pub struct Authority {
    cert: Certificate,
}

impl Authority {
    /// Reads the authority's certificate (PEM) and checks it may sign timestamps.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TokenError> {
        let cert = Certificate::from_pem(pem)
            .map_err(|_| TokenError::Certificate("is not a pem certificate"))?;
        let eku = extension(&cert, EXT_KEY_USAGE)
            .ok_or(TokenError::Certificate("has no extended key usage"))?;
        let usages = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
            .map_err(|_| TokenError::Certificate("has an unreadable extended key usage"))?;
        if !eku.critical || usages.0 != [TIME_STAMPING] {
            return Err(TokenError::Certificate(
                "is not for timestamping only (critical extended key usage id-kp-timeStamping)",
            ));
        }
        Ok(Authority { cert })
    }

    /// Checks that `token` (DER) vouches for `message` and returns what it says.
    pub fn verify(&self, token: &[u8], message: &[u8]) -> Result<Stamp, TokenError> {
        let malformed =
            |what: &'static str| move |e: der::Error| TokenError::Malformed(format!("{what}: {e}"));
        let info = ContentInfo::from_der(token).map_err(malformed("content info"))?;
        if info.content_type != SIGNED_DATA {
            return Err(TokenError::Malformed("not cms signed data".into()));
        }
        let signed: SignedData = info.content.decode_as().map_err(malformed("signed data"))?;
        if signed.encap_content_info.econtent_type != TST_INFO {
            return Err(TokenError::Malformed("the content is not a tstinfo".into()));
        }
        let econtent = signed
            .encap_content_info
            .econtent
            .as_ref()
            .ok_or_else(|| TokenError::Malformed("no tstinfo".into()))?;
        let tst_der = econtent
            .decode_as::<OctetString>()
            .map_err(malformed("tstinfo wrapper"))?;
        let tst = TstInfo::from_der(tst_der.as_bytes()).map_err(malformed("tstinfo"))?;
        if tst.message_imprint.hash_algorithm.oid != SHA256
            || tst.message_imprint.hashed_message.as_bytes() != &Sha256::digest(message)[..]
        {
            return Err(TokenError::OtherMessage);
        }
        let [signer] = signed.signer_infos.0.as_slice() else {
            return Err(TokenError::Signer("a token has exactly one signer"));
        };
        self.check_signer(signer, tst_der.as_bytes())?;
        let time = DateTime::<Utc>::from(tst.gen_time.to_system_time());
        let validity = &self.cert.tbs_certificate.validity;
        let not_before = DateTime::<Utc>::from(validity.not_before.to_system_time());
        let not_after = DateTime::<Utc>::from(validity.not_after.to_system_time());
        if time < not_before || time > not_after {
            return Err(TokenError::Certificate("was not valid at the token's time"));
        }
        Ok(Stamp {
            time,
            serial: hex::encode(tst.serial_number.as_bytes()),
            nonce: tst.nonce.map(|n| hex::encode(n.as_bytes())),
        })
    }

    fn check_signer(&self, signer: &SignerInfo, tst_der: &[u8]) -> Result<(), TokenError> {
        let tbs = &self.cert.tbs_certificate;
        let named = match &signer.sid {
            SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer,
                serial_number,
            }) => *issuer == tbs.issuer && *serial_number == tbs.serial_number,
            SignerIdentifier::SubjectKeyIdentifier(ski) => extension(&self.cert, SUBJECT_KEY_ID)
                .and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
                .is_some_and(|own| own == *ski),
        };
        if !named {
            return Err(TokenError::Signer("the signer is another certificate"));
        }
        if signer.digest_alg.oid != SHA256 {
            return Err(TokenError::Signer("the signer's digest is not sha-256"));
        }
        let attrs = signer
            .signed_attrs
            .as_ref()
            .ok_or(TokenError::Signer("no signed attributes"))?;
        let value = |oid: Oid| {
            attrs
                .iter()
                .find(|a| a.oid == oid)
                .and_then(|a| a.values.get(0))
        };
        let content_type = value(CONTENT_TYPE).and_then(|v| v.decode_as::<Oid>().ok());
        if content_type != Some(TST_INFO) {
            return Err(TokenError::Signer("the signed content type is not tstinfo"));
        }
        let digest = value(MESSAGE_DIGEST).and_then(|v| v.decode_as::<OctetString>().ok());
        if digest.as_ref().map(OctetString::as_bytes) != Some(&Sha256::digest(tst_der)[..]) {
            return Err(TokenError::Signature);
        }
        let cert_der = self.cert.to_der().expect("a decoded certificate encodes");
        let names_cert = value(SIGNING_CERTIFICATE_V2)
            .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
            .and_then(|s| s.certs.into_iter().next())
            .is_some_and(|id| {
                id.hash_algorithm.as_ref().map_or(true, |a| a.oid == SHA256)
                    && id.cert_hash.as_bytes() == &Sha256::digest(&cert_der)[..]
            });
        if !names_cert {
            return Err(TokenError::Signer(
                "no signing-certificate-v2 attribute names the authority's certificate",
            ));
        }
        let signed_bytes = attrs.to_der().map_err(|_| TokenError::Signature)?;
        self.check_signature(
            &signer.signature_algorithm,
            &signed_bytes,
            signer.signature.as_bytes(),
        )
    }

    fn check_signature(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), TokenError> {
        let spki = &self.cert.tbs_certificate.subject_public_key_info;
        let key = spki.subject_public_key.raw_bytes();
        match (spki.algorithm.oid, algorithm.oid) {
            (EC_PUBLIC_KEY, ECDSA_SHA256) => {
                use p256::ecdsa::signature::Verifier;
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map_err(|_| TokenError::Certificate("has an unreadable p-256 key"))?;
                let signature = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| TokenError::Signature)?;
                key.verify(message, &signature)
                    .map_err(|_| TokenError::Signature)
            }
            (RSA, RSA | RSA_SHA256) => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                use rsa::signature::Verifier;
                let key = rsa::RsaPublicKey::from_pkcs1_der(key)
                    .map_err(|_| TokenError::Certificate("has an unreadable rsa key"))?;
                let signature = rsa::pkcs1v15::Signature::try_from(signature)
                    .map_err(|_| TokenError::Signature)?;
                rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
                    .verify(message, &signature)
                    .map_err(|_| TokenError::Signature)
            }
            _ => Err(TokenError::Signer(
                "the signature is neither ecdsa p-256 nor rsa, with sha-256",
            )),
        }
    }
}

fn extension(cert: &Certificate, oid: Oid) -> Option<&x509_cert::ext::Extension> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies ... OPTIONAL }` (RFC 5035).
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, issuerSerial OPTIONAL }`.
#[derive(Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<der::Any>,
}
