//! Hashes, compact JWS and random tokens: the primitives the rest builds on.

pub mod hash; // SHA-256 as hex
pub mod tokens; // confirm and unsubscribe tokens
