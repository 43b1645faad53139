//! The HTTP service: routes and handlers; what each request does is in [`crate::flows`].

mod checkpoint; // `/v1/checkpoint`: the latest signed checkpoint
mod client; // the client's address and network
mod connectors; // `/v1/connectors/*`: withdrawals the merchant's tools report
mod error; // JSON `{error, message}` answers
pub mod ip; // IP truncation
mod json_errors; // every error answer as JSON, timeouts included
mod links; // `/v1/confirm` and `/v1/unsubscribe`
mod origin; // origins and their loopback aliases
mod outbox; // the demo's mailbox
mod pages; // the HTML pages the links lead to
mod preferences; // `/v1/preferences`, the subscriber's choices
mod proofs; // `POST /v1/proofs`
mod server; // shared state, startup, routes and layers

pub use error::ApiError;
pub use server::{router, start, AppState, Running, StartError};
