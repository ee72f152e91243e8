//! Server-rendered SVG charts: no script, no external library, readable offline and in a
//! printed report. Built with maud like the pages, so labels and titles are escaped.

use maud::{html, Markup};

/// Colours for series, in order (chosen to stay distinct for colour-blind readers).
const PALETTE: [&str; 10] = [
    "#3b6fb6", "#e08a2b", "#4aa35a", "#c8453b", "#8a62b3", "#8c6d4f", "#d877b7", "#7f7f7f",
    "#b5b83a", "#3bb5c4",
];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A coordinate as SVG wants it: one decimal.
fn n(v: f64) -> String {
    format!("{v:.1}")
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

/// Stacked bars: one bar per column, labelled under the axis with `ticks` (a day `11-24`, a
/// month `3月`); `labels` name the columns in the bars' tooltips; one segment per series.
pub fn stacked_bars(
    title: &str,
    labels: &[String],
    ticks: &[String],
    series: &[(String, Vec<u64>)],
) -> Markup {
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
    let height = h + 24.0 * series.len().div_ceil(4) as f64;
    html! {
        svg.chart viewBox={ "0 0 " (w) " " (height) } role="img" aria-label=(title) {
            title { (title) }
            @for k in 0..=4u64 {
                @let v = max * k / 4;
                @let y = top + plot_h - plot_h * k as f64 / 4.0;
                line x1=(left) x2=(w - 8.0) y1=(n(y)) y2=(n(y)) stroke="#ddd" {}
                text.tick x=(left - 4.0) y=(n(y + 4.0)) text-anchor="end" { (v) }
            }
            @for (i, label) in labels.iter().enumerate() {
                @let x = left + slot * i as f64 + (slot - bar) / 2.0;
                @for (y, bh, j, name, v) in segments(i, top + plot_h, plot_h / max as f64, series) {
                    rect x=(n(x)) y=(n(y)) width=(n(bar)) height=(n(bh)) fill=(colour(j)) {
                        title { (label) " " (name) ": " (v) }
                    }
                }
                // Label every column when few, else every seventh.
                @if labels.len() <= 16 || i % 7 == 0 || i + 1 == labels.len() {
                    text.tick x=(n(x + bar / 2.0)) y=(n(top + plot_h + 16.0)) text-anchor="middle" {
                        (ticks.get(i).unwrap_or(label))
                    }
                }
            }
            @for (j, (name, _)) in series.iter().enumerate() {
                @let x = left + (j % 4) as f64 * 170.0;
                @let y = h + 24.0 * (j / 4) as f64;
                rect x=(x) y=(n(y - 10.0)) width="12" height="12" fill=(colour(j)) {}
                text.legend x=(x + 16.0) y=(n(y)) { (name) }
            }
        }
    }
}

/// The stacked segments of column `i`, bottom up: (top y, height, series, name, value).
fn segments(
    i: usize,
    base: f64,
    per_unit: f64,
    series: &[(String, Vec<u64>)],
) -> Vec<(f64, f64, usize, &str, u64)> {
    let mut y = base;
    let mut out = Vec::new();
    for (j, (name, values)) in series.iter().enumerate() {
        let v = values.get(i).copied().unwrap_or(0);
        if v > 0 {
            let bh = per_unit * v as f64;
            y -= bh;
            out.push((y, bh, j, name.as_str(), v));
        }
    }
    out
}

/// Horizontal bars with their values, largest first.
pub fn hbars(title: &str, items: &[(String, u64)]) -> Markup {
    let mut items = items.to_vec();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hbars_in_order(title, &items)
}

/// Horizontal bars in the order given: bands that have an order of their own (ages, on time
/// before late) keep it.
pub fn hbars_in_order(title: &str, items: &[(String, u64)]) -> Markup {
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    let row = 22.0;
    let h = row * items.len().max(1) as f64 + 8.0;
    html! {
        svg.chart viewBox={ "0 0 760 " (h) } role="img" aria-label=(title) {
            title { (title) }
            @for (i, (label, v)) in items.iter().enumerate() {
                @let y = 4.0 + row * i as f64;
                @let bw = 440.0 * *v as f64 / max as f64;
                text.tick x="220" y=(n(y + 13.0)) text-anchor="end" { (label) }
                rect x="228" y=(n(y)) width=(n(bw)) height="16" fill=(colour(i)) {}
                text.tick x=(n(232.0 + bw)) y=(n(y + 13.0)) { (v) }
            }
        }
    }
}

/// A step line of scores over time (credit history), `y` in `[0, y_max]`, with a time axis:
/// `tick(ms)` writes a time under the axis (a local date, or a local time within a day).
pub fn step_line(
    title: &str,
    points: &[(i64, i64, String)],
    y_max: i64,
    now_ms: i64,
    tick: impl Fn(i64, i64) -> String,
) -> Markup {
    let (w, h, left, bottom, top) = (760.0, 220.0, 40.0, 40.0, 12.0);
    let plot_w = w - left - 24.0;
    let plot_h = h - bottom - top;
    let t0 = points.first().map_or(now_ms, |p| p.0).min(now_ms);
    let span = (now_ms - t0).max(1);
    let x = |t: i64| left + plot_w * (t - t0) as f64 / span as f64;
    let y = |v: i64| top + plot_h - plot_h * v.clamp(0, y_max) as f64 / y_max.max(1) as f64;
    let mut path = String::new();
    for (i, (t, v, _)) in points.iter().enumerate() {
        if i == 0 {
            path.push_str(&format!("M{},{}", n(x(*t)), n(y(*v))));
        } else {
            path.push_str(&format!(" H{} V{}", n(x(*t)), n(y(*v))));
        }
    }
    if !points.is_empty() {
        path.push_str(&format!(" H{}", n(x(now_ms))));
    }
    // Five times along the axis, from the first point to now; a tick that would read the same
    // as the one before (a history of minutes) is left unlabelled.
    let times: Vec<i64> = (0..=4).map(|k| t0 + span * k / 4).collect();
    let labels: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let label = tick(*t, span);
            let before = k.checked_sub(1).map(|j| tick(times[j], span));
            if before.as_deref() == Some(label.as_str()) {
                String::new()
            } else {
                label
            }
        })
        .collect();
    let axis_y = top + plot_h;
    html! {
        svg.chart viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) {
            title { (title) }
            @for k in 0..=4 {
                @let v = y_max * k / 4;
                line x1=(left) x2=(n(w - 24.0)) y1=(n(y(v))) y2=(n(y(v))) stroke="#ddd" {}
                text.tick x=(left - 4.0) y=(n(y(v) + 4.0)) text-anchor="end" { (v) }
            }
            line x1=(left) x2=(n(w - 24.0)) y1=(n(axis_y)) y2=(n(axis_y)) stroke="#999" {}
            @for (k, t) in times.iter().enumerate() {
                line x1=(n(x(*t))) x2=(n(x(*t))) y1=(n(axis_y)) y2=(n(axis_y + 5.0)) stroke="#999" {}
                text.tick.time x=(n(x(*t))) y=(n(axis_y + 18.0))
                    text-anchor=(match k { 0 => "start", 4 => "end", _ => "middle" }) {
                    (labels[k])
                }
            }
            path d=(path) fill="none" stroke="#3b6fb6" stroke-width="2" {}
            @for (t, v, why) in points {
                circle cx=(n(x(*t))) cy=(n(y(*v))) r="3.5" fill="#3b6fb6" {
                    title { (tick(*t, 0)) " · " (v) ": " (why) }
                }
            }
        }
    }
}
