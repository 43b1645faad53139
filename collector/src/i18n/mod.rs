//! What the subscriber reads on the pages and in the mail, from one catalog
//! per locale (`collector/catalogs/<tag>.json`).

pub mod brand; // the shop's name, logo, accent and link on the pages
pub mod catalog; // the per-locale catalogs, their lookup and fallback
pub mod html; // the pages' HTML shell and escaping
pub mod lang; // the language of a reader, from a locale or Accept-Language
pub mod pages; // the texts of the pages the mailed links lead to
pub mod preferences; // the texts of the preference page
