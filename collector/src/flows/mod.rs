//! What each request does, apart from how HTTP carries it.

pub mod admit; // what a verified proof does on arrival, from the registry and the subject's history
pub mod consent_state; // the state table: where each purpose stands, what each event does
pub mod intake; // the decision itself: refused, held, or counted, and the mail
pub mod limits; // submissions per network, confirmation mails per address
pub mod links; // what a confirm or unsubscribe link shows and records
pub mod release; // registering a form version releases the held proofs it matches
pub mod replay; // the log replayed through the state table
pub mod submit; // what a submitted proof stores and mails
pub mod unsubscribe_link; // one-click unsubscribe links for marketing mail
