//! Incoming consent proofs: verified, split for storage, read back.

pub mod granted; // the purposes a proof granted, as shown, and its phone, masked
pub mod stored; // proofs split for storage, rebuilt byte for byte
pub mod verify; // the seam to consent-proof: verification of incoming proofs
