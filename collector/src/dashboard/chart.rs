//! Bar charts as inline SVG, drawn on the server: no script, nothing for the
//! CSP to allow, readable without CSS. Each chart has a text title and
//! description for screen readers, and the page shows the same numbers in a
//! table beside it.

use std::fmt::Write as _;

use crate::i18n::html::escape;

/// One series of a chart: a name, its CSS class (its colour) and a value per day.
pub struct Series<'a> {
    /// Legend text.
    pub name: &'a str,
    /// Class giving its fill in the page's style sheet.
    pub class: &'a str,
    /// One value per label.
    pub values: Vec<u64>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 40.0;
const TOP: f64 = 24.0;

/// Grouped bars: one group per label (a day), one bar per series.
pub fn bars(id: &str, title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let group = plot_w / labels.len().max(1) as f64;
    let bar = (group * 0.8 / series.len().max(1) as f64).min(28.0);
    let mut svg = String::new();
    let desc: Vec<String> = series
        .iter()
        .map(|s| format!("{}: {}", s.name, s.values.iter().sum::<u64>()))
        .collect();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{} over {} day(s): {}</desc>",
        escape(title),
        escape(title),
        labels.len(),
        escape(&desc.join(", ")),
    );
    // Axis and a top gridline labelled with the maximum.
    let base = TOP + plot_h;
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>\
         <line class=\"grid\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{}\" y2=\"{TOP}\"/>\
         <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text>\
         <text class=\"tick\" x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        WIDTH - 8.0,
        WIDTH - 8.0,
        LEFT - 4.0,
        TOP + 4.0,
        LEFT - 4.0,
    );
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + i as f64 * group + (group - bar * series.len() as f64) / 2.0;
        for (j, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0);
            let h = plot_h * v as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{} {}: {v}</title></rect>",
                s.class,
                x0 + j as f64 * bar,
                base - h,
                bar.max(1.0) - 1.0,
                h,
                escape(label),
                escape(s.name),
            );
        }
        // Label every day when few, else about eight of them.
        let every = labels.len().div_ceil(8).max(1);
        if i % every == 0 {
            let _ = write!(
                svg,
                "<text class=\"tick\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                LEFT + (i as f64 + 0.5) * group,
                base + 16.0,
                escape(label.get(5..).unwrap_or(label)),
            );
        }
    }
    // Legend.
    for (j, s) in series.iter().enumerate() {
        let x = LEFT + j as f64 * 150.0;
        let _ = write!(
            svg,
            "<rect class=\"{}\" x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\"/><text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>",
            s.class,
            HEIGHT - 14.0,
            x + 14.0,
            HEIGHT - 5.0,
            escape(s.name),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_say_their_totals() {
        let labels = vec!["2026-12-01".to_string(), "2026-12-02".to_string()];
        let svg = bars(
            "c1",
            "Sign-ups <newsletter>",
            &labels,
            &[Series {
                name: "sign-ups",
                class: "s1",
                values: vec![2, 4],
            }],
        );
        assert!(svg.contains("<title id=\"c1-t\">Sign-ups &lt;newsletter&gt;</title>"));
        assert!(svg.contains("sign-ups: 6"));
        // The larger bar fills the plot height (220 - 24 - 40 = 156), the other half of it.
        assert!(
            svg.contains("height=\"156.0\"><title>2026-12-02 sign-ups: 4</title>"),
            "{svg}"
        );
        assert!(
            svg.contains("height=\"78.0\"><title>2026-12-01 sign-ups: 2</title>"),
            "{svg}"
        );
    }
}
