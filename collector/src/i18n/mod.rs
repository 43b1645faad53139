//! What the subscriber reads on the pages, in French and English.

pub mod brand; // the shop's name, logo, accent and link on the pages
pub mod html; // the pages' HTML shell and escaping
pub mod lang; // the supported languages, from a locale or Accept-Language
pub mod pages; // the texts of the pages the mailed links lead to
pub mod preferences; // the texts of the preference page
