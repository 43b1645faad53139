//! Submission checks: no personal data leaves the page without a purpose.



use consent_widget::fixture::{config, valid, with};
use consent_widget::form::{check, Field, Input};
use consent_widget::rules::Choice;
use consent_widget::value::build::s;

fn input<'a>(email: &'a str, phone: &'a str, ticked: &[&'a str]) -> Input<'a> {
    Input { email, phone, ticked: ticked.to_vec() }
}

fn fields(errors: Vec<consent_widget::form::FieldError>) -> Vec<(Field, &'static str)> {
    errors.into_iter().map(|e| (e.field, e.key)).collect()
}

#[test]
fn b2c_with_nothing_ticked_sends_nothing() {
    let c = config(valid());
    let errors = check(&c, &input("marie@example.org", "", &[])).unwrap_err();
    assert_eq!(fields(errors), [(Field::Purposes, "purposes.error.none")]);
}

#[test]
fn a_valid_submission_records_refusals_too() {
    let c = config(valid());
    let sub = check(&c, &input(" marie@example.org ", "06 12 34 56 78", &["sms"])).unwrap();
    assert_eq!(sub.email, "marie@example.org");
    assert_eq!(sub.phone.as_deref(), Some("+33612345678"));
    let choices: Vec<(&str, Choice)> = sub.outcomes.iter().map(|o| (o.id.as_str(), o.choice)).collect();
    assert_eq!(choices, [("newsletter", Choice::Refused), ("sms", Choice::Granted)]);
}

#[test]
fn errors_come_in_form_order() {
    let c = config(valid());
    let errors = check(&c, &input("marie@", "12", &[])).unwrap_err();
    assert_eq!(
        fields(errors),
        [(Field::Email, "email.error.invalid"), (Field::Phone, "phone.error.invalid"), (Field::Purposes, "purposes.error.none")]
    );
    let errors = check(&c, &input("", "", &["newsletter"])).unwrap_err();
    assert_eq!(fields(errors), [(Field::Email, "email.error.missing")]);
}

#[test]
fn sms_ticked_without_a_phone_is_an_error_on_the_phone_field() {
    let c = config(valid());
    let errors = check(&c, &input("marie@example.org", "  ", &["newsletter", "sms"])).unwrap_err();
    assert_eq!(fields(errors), [(Field::Phone, "phone.error.needed")]);
}

#[test]
fn b2b_and_soft_opt_in_record_objections_even_to_everything() {
    for regime in ["b2b", "softOptIn"] {
        let c = config(with(valid(), "regime", s(regime)));
        let sub = check(&c, &input("p@pro.example", "", &["sms"])).unwrap();
        let choices: Vec<Choice> = sub.outcomes.iter().map(|o| o.choice).collect();
        assert_eq!(choices, [Choice::NotObjected, Choice::Objected]);
        // Objecting to everything is itself the record the controller needs.
        let all = check(&c, &input("p@pro.example", "", &["sms", "newsletter"])).unwrap();
        assert!(all.outcomes.iter().all(|o| o.choice == Choice::Objected));
        assert!(!consent_widget::record::asks_confirmation(&c, &all), "nothing to confirm");
        assert!(consent_widget::record::asks_confirmation(&c, &sub));
    }
}

#[test]
fn the_phone_stays_on_the_page_without_a_phone_purpose() {
    let c = config(valid());
    let sub = check(&c, &input("marie@example.org", "06 12 34 56 78", &["newsletter"])).unwrap();
    assert_eq!(sub.phone, None, "sms refused: the number has no purpose");
    let sub = check(&c, &input("marie@example.org", "06 12 34 56 78", &["newsletter", "sms"])).unwrap();
    assert_eq!(sub.phone.as_deref(), Some("+33612345678"));
    // b2b: not objecting to SMS keeps the number; objecting drops it.
    let b2b = config(with(valid(), "regime", s("b2b")));
    assert!(check(&b2b, &input("p@pro.example", "0612345678", &[])).unwrap().phone.is_some());
    assert!(check(&b2b, &input("p@pro.example", "0612345678", &["sms"])).unwrap().phone.is_none());
}

#[test]
fn email_addresses() {
    use consent_widget::validate::email;
    for good in ["a@b.fr", "marie.dupont+news@exemple.co.uk", "élodie@exemple.fr", "x@xn--bcher-kva.ch", "x@exemple.éa"] {
        assert!(email(good), "{good}");
    }
    for bad in ["", "a", "a@b", "a@b.c", "@b.fr", "a@.fr", "a@b..fr", "a b@c.fr", "a@b.fr.", ".a@b.fr", "a..b@c.fr", "a@-b.fr", "a@b.123", "a@b@c.fr", "a@b.é"] {
        assert!(!email(bad), "{bad}");
    }
}
