//! The JSON reader configuration and lists arrive through.

use consent_form::json::parse;
use consent_form::value::build::{arr, obj, s};
use consent_form::value::Value;

#[test]
fn reads_every_kind_of_value() {
    let v = parse(r#" {"a": [true, false, null, -1.5e3, 0, "x"], "b": {}, "c": []} "#).unwrap();
    let want = obj([
        ("a", arr([Value::Bool(true), Value::Bool(false), Value::Null, Value::Num, Value::Num, s("x")])),
        ("b", obj([])),
        ("c", arr([])),
    ]);
    assert_eq!(v, want);
}

#[test]
fn reads_escapes_and_surrogate_pairs() {
    let v = parse(r#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00\u2019""#).unwrap();
    assert_eq!(v, s("a\"b\\c/d\n\té😀’"));
    assert_eq!(parse(r#""\ud800x""#).unwrap(), s("\u{FFFD}x"), "a lone surrogate is replaced");
    assert_eq!(parse("\"Boutique «Été»\"").unwrap(), s("Boutique «Été»"));
}

#[test]
fn says_where_it_stops_being_json() {
    for (text, at) in [
        ("", 0),
        ("{", 1),
        (r#"{"a" 1}"#, 5),
        (r#"{"a": 1,}"#, 8),
        ("[1 2]", 3),
        ("01", 0),
        ("1.", 2),
        ("1e", 2),
        ("tru", 0),
        (r#""a"#, 2),
        ("\"a\nb\"", 2),
        (r#""\x""#, 2),
        (r#"{"a": 1} x"#, 9),
        ("{'a': 1}", 1),
    ] {
        assert_eq!(parse(text), Err(at), "{text:?}");
    }
}

#[test]
fn refuses_nesting_deeper_than_it_can_afford() {
    assert!(parse(&["[".repeat(64), "]".repeat(64)].concat()).is_ok());
    assert!(parse(&"[".repeat(100_000)).is_err());
}

#[test]
fn a_repeated_name_reads_as_the_last_as_in_json_parse() {
    let v = parse(r#"{"checked": false, "a": 1, "checked": true}"#).unwrap();
    assert_eq!(v.get("checked"), Some(&Value::Bool(true)));
}
