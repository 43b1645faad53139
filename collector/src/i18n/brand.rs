//! The shop on the collector's pages: its name, logo, accent colour and a
//! link back to it, so that a subscriber who follows a mailed link lands on
//! a page that is recognisably the shop's, not a dead end.
//!
//! Everything is inline (the logo as a `data:` URI, the colour in the one
//! style sheet, allowed by its hash), so the pages keep their strict CSP:
//! nothing is fetched from anywhere.

use std::path::Path;

use super::html::escape;

/// Why the shop's identity could not be read from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum BrandError {
    /// The logo file could not be read.
    #[error("--shop-logo {path}: {source}")]
    Read {
        /// The file named.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The logo is not an image a page can show inline.
    #[error("--shop-logo {0}: not a PNG, JPEG, GIF, WebP or SVG image")]
    NotImage(String),
    /// The logo is too large to inline into every page.
    #[error("--shop-logo {0}: larger than {MAX_LOGO_BYTES} bytes")]
    TooLarge(String),
    /// The accent is not a `#rrggbb` colour.
    #[error("--shop-accent {0:?}: not a colour written #rrggbb")]
    Accent(String),
    /// The shop's URL is not an http(s) URL.
    #[error("--shop-url {0:?}: not an http(s) URL")]
    Url(String),
}

/// Logos are inlined into every page: this keeps the pages light.
pub const MAX_LOGO_BYTES: usize = 64 * 1024;

/// The shop as its pages show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Brand {
    /// The shop's name: the pages' header and the mail's sender name.
    pub name: Option<String>,
    /// The shop's home page: the link back.
    pub url: Option<String>,
    /// The logo, as a `data:` URI.
    pub logo: Option<String>,
    /// The accent colour, `#rrggbb`.
    pub accent: Option<String>,
}

impl Brand {
    /// The shop's identity from the configuration's values, the logo read from its file.
    pub fn from_settings(
        name: Option<&str>,
        url: Option<&str>,
        logo: Option<&Path>,
        accent: Option<&str>,
    ) -> Result<Brand, BrandError> {
        let url = url.map(str::trim).filter(|u| !u.is_empty());
        if let Some(u) = url {
            let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
            let ok = rest.is_some_and(|r| {
                !r.is_empty() && !r.starts_with('/') && !r.chars().any(|c| c.is_whitespace() || c.is_control())
            });
            if !ok {
                return Err(BrandError::Url(u.into()));
            }
        }
        let accent = accent.map(str::trim).filter(|a| !a.is_empty());
        if let Some(a) = accent {
            if rgb(a).is_none() {
                return Err(BrandError::Accent(a.into()));
            }
        }
        let logo = match logo {
            Some(path) => {
                let shown = path.display().to_string();
                let bytes = std::fs::read(path).map_err(|source| BrandError::Read {
                    path: shown.clone(),
                    source,
                })?;
                Some(data_uri(&bytes).map_err(|e| match e {
                    LogoProblem::TooLarge => BrandError::TooLarge(shown.clone()),
                    LogoProblem::NotImage => BrandError::NotImage(shown.clone()),
                })?)
            }
            None => None,
        };
        Ok(Brand {
            name: name.map(str::trim).filter(|n| !n.is_empty()).map(String::from),
            url: url.map(String::from),
            logo,
            accent: accent.map(|a| a.to_ascii_lowercase()),
        })
    }

    /// This brand, with the gaps filled from `other` (the registry's shop first, then the configuration's).
    pub fn or(self, other: &Brand) -> Brand {
        Brand {
            name: self.name.or_else(|| other.name.clone()),
            url: self.url.or_else(|| other.url.clone()),
            logo: self.logo.or_else(|| other.logo.clone()),
            accent: self.accent.or_else(|| other.accent.clone()),
        }
    }

    /// The page's header: the logo and the name, a link to the shop when its URL is known.
    pub fn header_html(&self) -> String {
        if self.name.is_none() && self.logo.is_none() {
            return String::new();
        }
        // The name is beside the logo: the image says nothing more (alt="").
        let logo = self
            .logo
            .as_ref()
            .map(|l| format!("<img src=\"{}\" alt=\"\" height=\"48\">", escape(l)))
            .unwrap_or_default();
        let name = self
            .name
            .as_ref()
            .map(|n| format!("<span>{}</span>", escape(n)))
            .unwrap_or_default();
        let inner = format!("{logo}{name}");
        match &self.url {
            Some(url) => format!(
                "<header class=\"shop\"><a href=\"{}\">{inner}</a></header>",
                escape(url)
            ),
            None => format!("<header class=\"shop\">{inner}</header>"),
        }
    }

    /// The link back to the shop at the foot of the page, with its label
    /// (`back`, e.g. "Back to the shop"); empty when the URL is unknown.
    pub fn footer_html(&self, back: &str) -> String {
        match &self.url {
            Some(url) => format!(
                "<footer><a href=\"{}\">{}</a></footer>",
                escape(url),
                escape(back)
            ),
            None => String::new(),
        }
    }

    /// The style rules the accent adds: the header band and the buttons in
    /// the accent, their text black or white, whichever reads better on it.
    pub fn style(&self) -> String {
        let Some((accent, (r, g, b))) = self.accent.as_deref().and_then(|a| Some((a, rgb(a)?)))
        else {
            return String::new();
        };
        let ink = if contrast(luminance(r, g, b), 1.0) >= contrast(luminance(r, g, b), 0.0) {
            "#fff"
        } else {
            "#000"
        };
        format!(
            ".shop{{background:{accent};color:{ink}}}.shop a{{color:{ink}}}\
             button{{background:{accent};color:{ink};border:2px solid {ink}}}"
        )
    }
}

/// The three channels of `#rrggbb`.
fn rgb(colour: &str) -> Option<(u8, u8, u8)> {
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6 && h.is_ascii())?;
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((channel(0)?, channel(2)?, channel(4)?))
}

/// WCAG 2 relative luminance.
fn luminance(r: u8, g: u8, b: u8) -> f64 {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG 2 contrast ratio of two luminances.
fn contrast(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    (hi + 0.05) / (lo + 0.05)
}

#[derive(Debug)]
enum LogoProblem {
    TooLarge,
    NotImage,
}

/// The logo as a `data:` URI, its type read from its first bytes (never from
/// a file name, which could say anything).
fn data_uri(bytes: &[u8]) -> Result<String, LogoProblem> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(LogoProblem::TooLarge);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_ascii_lowercase();
    let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "image/gif"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else if head.trim_start().starts_with("<svg") || head.trim_start().starts_with("<?xml") && head.contains("<svg") {
        // An SVG shown through <img> runs no script and loads nothing.
        "image/svg+xml"
    } else {
        return Err(LogoProblem::NotImage);
    };
    Ok(format!(
        "data:{mime};base64,{}",
        consent_proof::base64::encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accent_gets_the_ink_that_reads_on_it() {
        let dark = Brand { accent: Some("#1a5fb4".into()), ..Brand::default() };
        assert!(dark.style().contains("color:#fff"), "{}", dark.style());
        let light = Brand { accent: Some("#ffd700".into()), ..Brand::default() };
        assert!(light.style().contains("color:#000"), "{}", light.style());
        assert_eq!(Brand::default().style(), "");
    }

    #[test]
    fn settings_are_checked() {
        assert!(matches!(
            Brand::from_settings(None, None, None, Some("red")),
            Err(BrandError::Accent(_))
        ));
        assert!(matches!(
            Brand::from_settings(None, Some("javascript:alert(1)"), None, None),
            Err(BrandError::Url(_))
        ));
        let b = Brand::from_settings(Some(" Atelier "), Some("https://atelier.example/"), None, Some("#1A5FB4")).unwrap();
        assert_eq!(b.name.as_deref(), Some("Atelier"));
        assert_eq!(b.accent.as_deref(), Some("#1a5fb4"));
    }

    #[test]
    fn logos_are_sniffed_and_bounded() {
        assert!(data_uri(b"\x89PNG\r\n\x1a\n....").unwrap().starts_with("data:image/png;base64,"));
        assert!(data_uri(b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap().starts_with("data:image/svg+xml;base64,"));
        assert!(matches!(data_uri(b"<html><script>"), Err(LogoProblem::NotImage)));
        assert!(matches!(data_uri(&vec![0xff; MAX_LOGO_BYTES + 1]), Err(LogoProblem::TooLarge)));
    }

    #[test]
    fn header_and_footer_escape_what_they_show() {
        let b = Brand {
            name: Some("<Shop & Co>".into()),
            url: Some("https://shop.example/?a=1&b=\"2\"".into()),
            ..Brand::default()
        };
        assert_eq!(
            b.header_html(),
            "<header class=\"shop\"><a href=\"https://shop.example/?a=1&amp;b=&quot;2&quot;\"><span>&lt;Shop &amp; Co&gt;</span></a></header>"
        );
        assert!(b.footer_html("Back").contains(">Back</a>"));
        assert_eq!(Brand::default().header_html(), "");
        assert_eq!(Brand::default().footer_html("Back"), "");
    }
}
