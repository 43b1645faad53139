//! What each request does, apart from how HTTP carries it.

pub mod links; // what a confirm or unsubscribe link shows and records
pub mod submit; // what a submitted proof stores and mails
pub mod unsubscribe_link; // one-click unsubscribe links for marketing mail
