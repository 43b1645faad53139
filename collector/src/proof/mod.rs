//! Incoming consent proofs: verified, split for storage, read back.

pub mod stored; // proofs split for storage, rebuilt byte for byte
pub mod verify; // the seam to consent-proof: verification of incoming proofs
pub mod view; // the typed view of a verified proof, all that is read of it
