// The properties the widget's fuzz targets check (its pure core, crate
// consent-form), one function per target, called by fuzz_targets/ and by
// form/tests/fuzz_inputs.rs on the committed seeds and regressions.
use consent_form::config::Config;
use consent_form::json;
use consent_form::phone::{to_e164, COUNTRIES};

/// Deeper than this, the form's reader refuses on purpose (its MAX_DEPTH is 64).
const DEPTH: usize = 60;

/// How deep brackets nest in `text` (outside strings): a bound, not a parse.
fn nesting(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0, false, false);
    for b in text.bytes() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                max = max.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The widget's configuration reader (JSON text, then every rule), as the
/// shell calls it on a page's configuration. The JSON reader agrees with
/// serde_json on what is JSON (within its depth limit); a configuration it
/// accepts has what the widget relies on.
pub fn widget_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = json::parse(text);
    if nesting(text) <= DEPTH {
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        // serde_json refuses numbers beyond a double (RFC 8259 lets it);
        // JSON.parse, which the form's reader follows, reads them as Infinity.
        let out_of_range = theirs.as_ref().is_err_and(|e| e.to_string().starts_with("number out of range"));
        if !out_of_range {
            assert_eq!(ours.is_ok(), theirs.is_ok(), "JSON readers disagree: serde_json says {theirs:?}");
        }
    }
    let Ok(value) = ours else {
        return;
    };
    match Config::from_value(&value) {
        Ok(config) => {
            assert!(!config.purposes.is_empty(), "a form with no purpose");
            for (i, p) in config.purposes.iter().enumerate() {
                assert!(!p.id.is_empty(), "a purpose without id");
                assert!(config.purposes[..i].iter().all(|q| q.id != p.id), "purpose id {} twice", p.id);
            }
            assert!(!config.controller.name.is_empty() && !config.controller.contact.is_empty());
        }
        Err(problems) => assert!(!problems.is_empty(), "refused without a problem named"),
    }
}

/// The phone normaliser, for the default country the first byte picks: what
/// it writes is E.164 as the proof's schema checks it, and reads back as itself.
pub fn phone(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(typed) = std::str::from_utf8(rest) else {
        return;
    };
    let country = &COUNTRIES[usize::from(which) % COUNTRIES.len()];
    let Some(e164) = to_e164(typed, country) else {
        return;
    };
    assert!(consent_proof::validate::is_e164(&e164), "{typed:?} gave {e164:?}, which the proof schema refuses");
    for other in [country, &COUNTRIES[0], &COUNTRIES[COUNTRIES.len() - 1]] {
        assert_eq!(to_e164(&e164, other).as_deref(), Some(e164.as_str()), "{e164} does not read back as itself");
    }
}
