//! What the preference page says of a purpose's state; its other texts are
//! the `prefs.*` keys of the catalogs.

use super::lang::Lang;

/// A purpose's state as the subscriber reads it.
pub fn state(lang: Lang, state: &str) -> &'static str {
    lang.text(match state {
        "granted" => "prefs.state.granted",
        "confirmed" => "prefs.state.confirmed",
        "pending" => "prefs.state.pending",
        "withdrawn" => "prefs.state.withdrawn",
        "objected" => "prefs.state.objected",
        "not-objected" => "prefs.state.not_objected",
        _ => "prefs.state.none",
    })
}
