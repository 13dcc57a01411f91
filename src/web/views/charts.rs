//! Charts drawn on the server as SVG: no script, readable in print and in black and white (the
//! two series differ by fill pattern as well as by colour), each with a title and a description
//! for screen readers; the table the chart comes from always stands next to it.

use maud::{html, Markup};

/// One bar group: a label and the values of each series.
pub struct Group<'a> {
    pub label: &'a str,
    pub values: Vec<u64>,
}

/// Series styles: a solid fill, then a hatched one (told apart without colour).
const FILLS: [&str; 2] = ["#0066cc", "url(#tratteggio)"];

fn defs() -> Markup {
    html! {
        defs {
            pattern id="tratteggio" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                rect width="6" height="6" fill="#ffffff" {}
                line x1="0" y1="0" x2="0" y2="6" stroke="#5c6f82" stroke-width="3" {}
            }
        }
    }
}

fn fmt(n: u64) -> String {
    crate::web::views::fmt::thousands(n)
}

/// Vertical bars per group (months), one bar per series (this period, the year before).
pub fn columns(id: &str, title: &str, desc: &str, series: &[&str], groups: &[Group]) -> Markup {
    let max = crate::stats::nice_ceiling(
        groups
            .iter()
            .flat_map(|g| g.values.iter().copied())
            .max()
            .unwrap_or(0),
    );
    let (left, top, plot_h, group_w) = (48.0, 16.0, 180.0, 44.0);
    let bar_w = (group_w - 10.0) / series.len().max(1) as f64;
    let width = left + group_w * groups.len() as f64 + 10.0;
    let height = top + plot_h + 60.0;
    let y = |v: u64| top + plot_h - v as f64 * plot_h / max as f64;
    let ticks = [0, max / 2, max];
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="grafico" role="img"
            viewBox={"0 0 " (width) " " (height)}
            aria-labelledby={(id) "-t " (id) "-d"} {
            title id={(id) "-t"} { (title) }
            desc id={(id) "-d"} { (desc) }
            (defs())
            @for t in ticks {
                line x1=(left) x2=(width - 6.0) y1=(y(t)) y2=(y(t)) stroke="#c5c7c9" stroke-width="1" {}
                text x=(left - 6.0) y=(y(t) + 4.0) text-anchor="end" font-size="11" fill="#1a1a1a" { (fmt(t)) }
            }
            @for (i, g) in groups.iter().enumerate() {
                @let x0 = left + 5.0 + group_w * i as f64;
                @for (k, v) in g.values.iter().enumerate() {
                    rect x=(x0 + bar_w * k as f64) y=(y(*v)) width=(bar_w - 1.0) height=(top + plot_h - y(*v))
                        fill=(FILLS[k % 2]) stroke="#003366" stroke-width="0.5" {
                        title { (g.label) ", " (series.get(k).copied().unwrap_or("")) ": " (fmt(*v)) }
                    }
                }
                text x=(x0 + (group_w - 10.0) / 2.0) y=(top + plot_h + 14.0) text-anchor="middle" font-size="11" fill="#1a1a1a" { (g.label) }
            }
            (legend(series, left, top + plot_h + 32.0))
        }
    }
}

fn legend(series: &[&str], x: f64, y: f64) -> Markup {
    html! {
        @for (k, s) in series.iter().enumerate() {
            @let lx = x + 170.0 * k as f64;
            rect x=(lx) y=(y) width="12" height="12" fill=(FILLS[k % 2]) stroke="#003366" stroke-width="0.5" {}
            text x=(lx + 16.0) y=(y + 10.0) font-size="11" fill="#1a1a1a" { (s) }
        }
    }
}

/// Horizontal bars of shares (channels, areas): each row its label, its bar and its percent.
pub fn shares(id: &str, title: &str, desc: &str, rows: &[(String, u64)], base: u64) -> Markup {
    let (label_w, bar_max, row_h) = (260.0, 240.0, 22.0);
    let height = row_h * rows.len() as f64 + 8.0;
    let width = label_w + bar_max + 70.0;
    let base = base.max(1);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="grafico" role="img"
            viewBox={"0 0 " (width) " " (height)}
            aria-labelledby={(id) "-t " (id) "-d"} {
            title id={(id) "-t"} { (title) }
            desc id={(id) "-d"} { (desc) }
            @for (i, (label, n)) in rows.iter().enumerate() {
                @let y = 4.0 + row_h * i as f64;
                @let w = *n as f64 * bar_max / base as f64;
                text x=(label_w - 6.0) y=(y + 14.0) text-anchor="end" font-size="11" fill="#1a1a1a" { (clip(label, 42)) }
                rect x=(label_w) y=(y + 3.0) width=(w.max(1.0)) height=(row_h - 8.0) fill="#0066cc" stroke="#003366" stroke-width="0.5" {}
                text x=(label_w + w + 6.0) y=(y + 14.0) font-size="11" fill="#1a1a1a" { (percent(*n, base)) }
            }
        }
    }
}

/// The age pyramid: women to the left, men to the right, ages from the youngest at the bottom.
pub fn pyramid(id: &str, title: &str, desc: &str, bands: &[(String, u64, u64)]) -> Markup {
    let (half, mid_w, row_h, top) = (170.0, 70.0, 22.0, 24.0);
    let width = half * 2.0 + mid_w;
    let height = top + row_h * bands.len() as f64 + 8.0;
    let max = bands
        .iter()
        .map(|(_, f, m)| (*f).max(*m))
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |v: u64| v as f64 * (half - 40.0) / max as f64;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="grafico" role="img"
            viewBox={"0 0 " (width) " " (height)}
            aria-labelledby={(id) "-t " (id) "-d"} {
            title id={(id) "-t"} { (title) }
            desc id={(id) "-d"} { (desc) }
            (defs())
            text x=(half / 2.0) y="14" text-anchor="middle" font-size="12" font-weight="bold" fill="#1a1a1a" { "Femmine" }
            text x=(half + mid_w + half / 2.0) y="14" text-anchor="middle" font-size="12" font-weight="bold" fill="#1a1a1a" { "Maschi" }
            @for (i, (label, f, m)) in bands.iter().rev().enumerate() {
                @let y = top + row_h * i as f64;
                @let (wf, wm) = (scale(*f), scale(*m));
                rect x=(half - wf) y=(y + 3.0) width=(wf) height=(row_h - 8.0) fill=(FILLS[0]) stroke="#003366" stroke-width="0.5" {}
                text x=(half - wf - 4.0) y=(y + 14.0) text-anchor="end" font-size="11" fill="#1a1a1a" { (fmt(*f)) }
                text x=(half + mid_w / 2.0) y=(y + 14.0) text-anchor="middle" font-size="11" fill="#1a1a1a" { (label) }
                rect x=(half + mid_w) y=(y + 3.0) width=(wm) height=(row_h - 8.0) fill=(FILLS[1]) stroke="#003366" stroke-width="0.5" {}
                text x=(half + mid_w + wm + 4.0) y=(y + 14.0) font-size="11" fill="#1a1a1a" { (fmt(*m)) }
            }
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}

pub use crate::domain::text::percent;

/// An SVG document on its own (for the PDF report), with the XML prologue.
pub fn document(svg: Markup) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&svg.into_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_titled_svg_with_their_values() {
        let svg = columns(
            "c",
            "Accessi per mese",
            "Barre",
            &["2026", "2025"],
            &[
                Group {
                    label: "gen",
                    values: vec![10, 4],
                },
                Group {
                    label: "feb",
                    values: vec![0, 7],
                },
            ],
        )
        .into_string();
        assert!(
            svg.starts_with("<svg") && svg.contains("<title id=\"c-t\">Accessi per mese</title>")
        );
        assert!(svg.contains("gen, 2026: 10") && svg.contains("feb, 2025: 7"));
        let p = pyramid("p", "Piramide", "d", &[("0–17".into(), 3, 5)]).into_string();
        assert!(p.contains("Femmine") && p.contains("Maschi") && p.contains(">5<"));
        assert_eq!(percent(1, 8), "12,5\u{a0}%");
    }
}
