//! Server-rendered SVG charts: no script, no external library, readable offline and in a
//! printed report.

use std::fmt::Write as _;

use super::html::esc;

/// Colours for series, in order (chosen to stay distinct for colour-blind readers).
const PALETTE: [&str; 10] = [
    "#3b6fb6", "#e08a2b", "#4aa35a", "#c8453b", "#8a62b3", "#8c6d4f", "#d877b7", "#7f7f7f",
    "#b5b83a", "#3bb5c4",
];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

fn nice_max(v: u64) -> u64 {
    let v = v.max(1);
    let mag = 10u64.pow((v as f64).log10().floor() as u32);
    for m in [1, 2, 5, 10] {
        if v <= m * mag {
            return m * mag;
        }
    }
    10 * mag
}

/// Stacked bars: one bar per column (`labels`), one stack segment per series.
pub fn stacked_bars(title: &str, labels: &[String], series: &[(String, Vec<u64>)]) -> String {
    let (w, h, left, bottom, top) = (760.0, 260.0, 48.0, 40.0, 16.0);
    let totals: Vec<u64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    // A multiple of four, so that the five gridlines carry whole numbers.
    let max = nice_max(totals.iter().copied().max().unwrap_or(0)).div_ceil(4) * 4;
    let plot_w = w - left - 8.0;
    let plot_h = h - bottom - top;
    let slot = plot_w / labels.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {}" role="img" aria-label="{}"><title>{}</title>"#,
        h + 24.0 * series.len().div_ceil(4) as f64,
        esc(title),
        esc(title)
    );
    for k in 0..=4 {
        let v = max * k / 4;
        let y = top + plot_h - plot_h * k as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end" class="tick">{v}</text>"##,
            w - 8.0,
            left - 4.0,
            y + 4.0
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        for (j, (name, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let bh = plot_h * v as f64 / max as f64;
            y -= bh;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="{}"><title>{} {}: {v}</title></rect>"#,
                colour(j),
                esc(label),
                esc(name)
            );
        }
        // Label every column when few, else every seventh.
        if labels.len() <= 16 || i % 7 == 0 || i + 1 == labels.len() {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="tick">{}</text>"#,
                x + bar / 2.0,
                top + plot_h + 16.0,
                esc(label.get(5..).unwrap_or(label))
            );
        }
    }
    for (j, (name, _)) in series.iter().enumerate() {
        let x = left + (j % 4) as f64 * 170.0;
        let y = h + 24.0 * (j / 4) as f64;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{}" y="{y:.1}" class="legend">{}</text>"#,
            y - 10.0,
            colour(j),
            x + 16.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars with their values, largest first.
pub fn hbars(title: &str, items: &[(String, u64)]) -> String {
    let mut items = items.to_vec();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    let row = 22.0;
    let h = row * items.len().max(1) as f64 + 8.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 760 {h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let bw = 440.0 * *v as f64 / max as f64;
        let _ = write!(
            s,
            r#"<text x="220" y="{:.1}" text-anchor="end" class="tick">{}</text><rect x="228" y="{y:.1}" width="{bw:.1}" height="16" fill="{}"/><text x="{:.1}" y="{:.1}" class="tick">{v}</text>"#,
            y + 13.0,
            esc(label),
            colour(i),
            232.0 + bw,
            y + 13.0
        );
    }
    s.push_str("</svg>");
    s
}

/// A step line of scores over time (credit history), `y` in `[0, y_max]`.
pub fn step_line(title: &str, points: &[(i64, i64, String)], y_max: i64, now_ms: i64) -> String {
    let (w, h, left, bottom, top) = (760.0, 200.0, 40.0, 24.0, 12.0);
    let plot_w = w - left - 12.0;
    let plot_h = h - bottom - top;
    let t0 = points.first().map_or(now_ms, |p| p.0);
    let span = (now_ms - t0).max(1) as f64;
    let x = |t: i64| left + plot_w * (t - t0) as f64 / span;
    let y = |v: i64| top + plot_h - plot_h * v.clamp(0, y_max) as f64 / y_max.max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for k in 0..=4 {
        let v = y_max * k / 4;
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end" class="tick">{v}</text>"##,
            w - 12.0,
            y(v),
            y(v),
            left - 4.0,
            y(v) + 4.0
        );
    }
    let mut path = String::new();
    for (i, (t, v, _)) in points.iter().enumerate() {
        if i == 0 {
            let _ = write!(path, "M{:.1},{:.1}", x(*t), y(*v));
        } else {
            let _ = write!(path, " H{:.1} V{:.1}", x(*t), y(*v));
        }
    }
    if let Some((_, v, _)) = points.last() {
        let _ = write!(path, " H{:.1}", x(now_ms));
        let _ = v;
    }
    let _ = write!(
        s,
        r##"<path d="{path}" fill="none" stroke="#3b6fb6" stroke-width="2"/>"##
    );
    for (t, v, why) in points {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="#3b6fb6"><title>{v}: {}</title></circle>"##,
            x(*t),
            y(*v),
            esc(why)
        );
    }
    s.push_str("</svg>");
    s
}
