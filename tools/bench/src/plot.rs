//! A minimal SVG line chart (log-log axes), so the benchmark document carries its plot
//! without a plotting dependency.

use std::fmt::Write;

/// One series: a name and (x, y) points, both positive.
pub struct Series<'a> {
    pub name: &'a str,
    pub points: Vec<(f64, f64)>,
}

/// Renders `series` on log-log axes.
pub fn svg(title: &str, x_label: &str, y_label: &str, series: &[Series<'_>]) -> String {
    let (w, h, m) = (640.0, 400.0, 60.0);
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .collect();
    let (lx0, lx1) = bounds(all.iter().map(|p| p.0.log10()));
    let (ly0, ly1) = bounds(all.iter().map(|p| p.1.log10()));
    let px = |x: f64| m + (x.log10() - lx0) / (lx1 - lx0) * (w - 2.0 * m);
    let py = |y: f64| h - m - (y.log10() - ly0) / (ly1 - ly0) * (h - 2.0 * m);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{}" y="20" text-anchor="middle" font-size="14">{title}</text>"#,
        w / 2.0
    );
    let _ = writeln!(
        out,
        r#"<line x1="{m}" y1="{}" x2="{}" y2="{}" stroke="black"/><line x1="{m}" y1="{m}" x2="{m}" y2="{}" stroke="black"/>"#,
        h - m,
        w - m,
        h - m,
        h - m
    );
    for decade in (lx0.floor() as i32)..=(lx1.ceil() as i32) {
        let x = 10f64.powi(decade);
        if x.log10() >= lx0 - 1e-9 && x.log10() <= lx1 + 1e-9 {
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                px(x),
                h - m + 16.0,
                x
            );
        }
    }
    for decade in (ly0.floor() as i32)..=(ly1.ceil() as i32) {
        let y = 10f64.powi(decade);
        if y.log10() >= ly0 - 1e-9 && y.log10() <= ly1 + 1e-9 {
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                m - 4.0,
                py(y) + 4.0,
                y
            );
        }
    }
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">{x_label}</text>"#,
        w / 2.0,
        h - 15.0
    );
    let _ = writeln!(
        out,
        r#"<text x="15" y="{}" text-anchor="middle" transform="rotate(-90 15 {})">{y_label}</text>"#,
        h / 2.0,
        h / 2.0
    );
    let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    for (i, s) in series.iter().enumerate() {
        let c = colors[i % colors.len()];
        let pts: Vec<String> = s
            .points
            .iter()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        let _ = writeln!(
            out,
            r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{}"/>"#,
            pts.join(" ")
        );
        for (x, y) in s.points.iter().filter(|(x, y)| *x > 0.0 && *y > 0.0) {
            let _ = writeln!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"/>"#,
                px(*x),
                py(*y)
            );
        }
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" fill="{c}">{}</text>"#,
            m + 10.0,
            m + 16.0 * i as f64,
            s.name
        );
    }
    out.push_str("</svg>\n");
    out
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < 1e-9 {
        return (lo - 0.5, hi + 0.5);
    }
    (lo, hi)
}
