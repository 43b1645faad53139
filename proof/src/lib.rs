//! Signed consent proofs: payload types, RFC 8785 canonical JSON, JWS and verification.
