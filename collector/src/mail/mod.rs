//! Double opt-in mail: what it says, how it goes (SMTP or a local outbox), and its queue.

pub mod compose; // the confirmation mail of a proof or of a stored row
pub mod message; // the mail and its RFC 5322 message
pub mod outbox; // the demo's local outbox
pub mod phone; // the phone number, masked
pub mod queue; // confirmation mail after the commit, retried from the database
pub mod text; // subject and body of the confirmation mail
pub mod transport; // SMTP and outbox delivery

pub use message::{ConfirmationMail, Failure, MailError};
pub use outbox::{outbox_items, outbox_message, OutboxItem, OUTBOX_INDEX};
pub use transport::{Mailer, SMTP_PARALLEL};
