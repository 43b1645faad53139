//! A confirmation mail, and the RFC 5322 message it becomes.

use lettre::message::header::{
    ContentTransferEncoding, ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0,
};
use lettre::message::{Body, Mailbox};
use lettre::Message;

use super::text;
use crate::i18n::lang::Lang;

/// Why a mail could not be built or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address does not parse.
    #[error("invalid address {0:?}")]
    Address(String),
    /// The SMTP URL does not parse.
    #[error("invalid smtp url: {0}")]
    Url(String),
    /// The message could not be built.
    #[error("cannot build message: {0}")]
    Build(String),
    /// The SMTP server could not be reached, timed out, or answered 4xx: try again later.
    #[error("smtp: {0}")]
    Smtp(String),
    /// The SMTP server answered with a permanent (5xx) error.
    #[error("smtp rejected: {0}")]
    Rejected(String),
    /// The outbox folder could not be written.
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
    /// The attempt's lease ran out before the send ended: the send was
    /// stopped, so that no other collector sends the mail while it runs.
    #[error("not sent in time: the attempt's lease ran out")]
    Late,
}

/// What a failed send means for the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Worth retrying: the server was unreachable, slow, or said "later" (4xx),
    /// or the outbox could not be written.
    Transient,
    /// The server said no for good (5xx, except 53x: authentication is the
    /// collector's configuration). Some servers say so for a passing problem,
    /// so a few of these are allowed before giving up.
    Rejected,
    /// The same mail can never be sent: its address or content is invalid.
    Undeliverable,
}

impl MailError {
    /// How a retry of the same mail would fare.
    pub fn failure(&self) -> Failure {
        match self {
            MailError::Smtp(_) | MailError::Outbox(_) | MailError::Late => Failure::Transient,
            MailError::Rejected(_) => Failure::Rejected,
            MailError::Address(_) | MailError::Url(_) | MailError::Build(_) => {
                Failure::Undeliverable
            }
        }
    }
}

/// A confirmation mail to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmationMail {
    /// The subscriber's address.
    pub to: String,
    /// The subscriber's language.
    pub lang: Lang,
    /// Who the subscriber signed up with (the controller's name).
    pub sender_name: String,
    /// The single-use confirm link.
    pub confirm_url: String,
    /// The one-click unsubscribe link.
    pub unsubscribe_url: String,
    /// How long the confirm link works.
    pub ttl_hours: i64,
    /// The texts next to the boxes the subscriber ticked, so the mail says
    /// what a click confirms.
    pub purposes: Vec<String>,
    /// Whether the purposes listed were offered with an objection box left
    /// unticked (b2b, soft opt-in) rather than ticked: the mail says so.
    pub informed: bool,
    /// The phone number given, masked (see [`super::phone::mask_phone`]).
    pub phone: Option<String>,
    /// Whether an SMS box was ticked: the unsubscribe link stops e-mail
    /// only, so the mail says how SMS stops (STOP).
    pub sms: bool,
    /// The link to the preference page, where every purpose (e-mail and
    /// SMS alike) can be withdrawn.
    pub preferences_url: Option<String>,
    /// How many days that link works.
    pub preferences_days: i64,
    /// A mail the subscriber asked for from an expired preference page: it
    /// carries only a new link to it.
    pub renewal: bool,
}

/// The message for a confirmation mail, and its subject.
pub(super) fn build(
    from: &Mailbox,
    mail: &ConfirmationMail,
) -> Result<(Message, String), MailError> {
    let (subject, body) = text::mail_text(mail);
    let from = &Mailbox::new(from.name.clone().or_else(|| Some(mail.sender_name.clone())), from.email.clone());
    let mut message = Message::builder()
        .from(from.clone())
        .to(parse_mailbox(&mail.to)?)
        .subject(subject.clone())
        // Receiving servers penalise mail without a Message-ID; one under the
        // sender's own domain, not this host's name, is what they check it against.
        .message_id(Some(message_id(from)))
        // `.body()` sets no MIME-Version, and a quoted-printable body is only MIME with it.
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        // Quoted-printable keeps the links readable in the raw message and 7-bit safe.
        .body(
            Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable)
                .map_err(|_| MailError::Build("body cannot be encoded".into()))?,
        )
        .map_err(|e| MailError::Build(e.to_string().to_lowercase()))?;
    let headers = message.headers_mut();
    // RFC 3282: the language the text is in, the catalog's tag (the subject
    // itself lettre writes as RFC 2047 encoded words when it is not ASCII).
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Content-Language"),
        mail.lang.tag().into(),
    ));
    if mail.unsubscribe_url.is_empty() {
        return Ok((message, subject));
    }
    // RFC 8058: mail clients offer one-click unsubscribe with these two headers.
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe"),
        format!("<{}>", mail.unsubscribe_url),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click".into(),
    ));
    Ok((message, subject))
}

/// A fresh `<random@domain>` Message-ID, the domain being the From address's.
fn message_id(from: &Mailbox) -> String {
    format!(
        "<{}.{}@{}>",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        &crate::crypto::tokens::new_token().1[..24],
        from.email.domain()
    )
}

pub(super) fn parse_mailbox(text: &str) -> Result<Mailbox, MailError> {
    text.parse()
        .map_err(|_| MailError::Address(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> ConfirmationMail {
        ConfirmationMail {
            to: "marie@example.org".into(),
            lang: Lang::FR,
            sender_name: "Boutique".into(),
            confirm_url: "http://127.0.0.1/v1/confirm?token=c".into(),
            unsubscribe_url: "http://127.0.0.1/v1/unsubscribe?token=u".into(),
            ttl_hours: 48,
            purposes: vec!["J'accepte la newsletter.".into()],
            phone: Some("+33 6 •• •• •• 78".into()),
            informed: false,
            sms: false,
            preferences_url: None,
            preferences_days: 30,
            renewal: false,
        }
    }

    /// The header lines of a raw message, before the blank line.
    fn headers(raw: &str) -> Vec<&str> {
        raw.split("\r\n").take_while(|l| !l.is_empty()).collect()
    }

    #[test]
    fn the_message_is_mime_with_a_message_id_in_the_senders_domain() {
        let from = parse_mailbox("Boutique <no-reply@boutique.example>").unwrap();
        let (message, _) = build(&from, &mail()).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let headers = headers(&raw);
        assert!(headers.contains(&"MIME-Version: 1.0"), "{raw}");
        assert!(
            headers.contains(&"Content-Transfer-Encoding: quoted-printable"),
            "{raw}"
        );
        let ids: Vec<&str> = headers
            .iter()
            .filter_map(|l| l.strip_prefix("Message-ID: "))
            .collect();
        assert_eq!(ids.len(), 1, "{raw}");
        assert!(
            ids[0].starts_with('<') && ids[0].ends_with("@boutique.example>"),
            "{raw}"
        );
        // Each message its own id.
        let (again, _) = build(&from, &mail()).unwrap();
        let again = String::from_utf8(again.formatted()).unwrap();
        assert!(!again.contains(ids[0]), "{again}");
    }

    #[test]
    fn a_subject_in_greek_or_bulgarian_is_encoded_words_and_the_language_is_said() {
        let from = parse_mailbox("Boutique <no-reply@boutique.example>").unwrap();
        for (tag, word) in [("el", "Επιβεβαιώστε"), ("bg", "потвърдете")] {
            let mail = ConfirmationMail { lang: Lang::from_locale(tag), ..mail() };
            let (message, subject) = build(&from, &mail).unwrap();
            assert!(subject.contains(word), "{subject}");
            let raw = String::from_utf8(message.formatted()).unwrap();
            let head = raw.split("\r\n\r\n").next().unwrap();
            // Headers are 7-bit: the subject travels as RFC 2047 encoded words,
            // folded, each line within RFC 5322's 78 characters.
            assert!(head.is_ascii(), "{head}");
            assert!(head.lines().all(|l| l.len() <= 78), "{head}");
            let subject_lines: Vec<&str> = head
                .split("\r\n")
                .skip_while(|l| !l.starts_with("Subject: "))
                .take_while(|l| l.starts_with("Subject: ") || l.starts_with(' '))
                .collect();
            assert!(subject_lines[0].starts_with("Subject: =?utf-8?b?"), "{head}");
            assert!(headers(&raw).contains(&format!("Content-Language: {tag}").as_str()), "{raw}");
        }
    }
}
