//! What every section of docs/benchmarks.md writes the same way: figures in milliseconds,
//! goals met or not, the rows of its goal tables, the date and the machine's load.

use std::fmt::{Display, Write};
use std::time::Duration;

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// A row of a `| goal | figure | met |` table.
pub fn goal_row(doc: &mut String, goal: impl Display, figure: impl Display, met: bool) {
    let _ = writeln!(doc, "| {goal} | {figure} | {} |", yes(met));
}

/// A row of a goal table whose figure this run did not measure, saying why.
pub fn unmeasured_goal_row(doc: &mut String, goal: impl Display, why: impl Display) {
    let _ = writeln!(
        doc,
        "| {goal} | not measured in this run: {why} | unknown |"
    );
}

/// A row of a `| measure | figure | goal | met |` table; a measure without a goal leaves its
/// last two cells empty (`—` and blank).
pub fn measure_row(
    doc: &mut String,
    measure: &str,
    figure: impl Display,
    goal: Option<(&str, bool)>,
) {
    match goal {
        Some((goal, met)) => {
            let _ = writeln!(doc, "| {measure} | {figure} | {goal} | {} |", yes(met));
        }
        None => {
            let _ = writeln!(doc, "| {measure} | {figure} | — | |");
        }
    }
}

/// An error's chain on one line, without characters that would break a table.
pub fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace(['\n', '|'], " ")
}

/// Today's date (UTC) as YYYY-MM-DD.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let time = gantry_gateway::certificates::x509::format_time(secs as i64);
    time[.."YYYY-MM-DD".len()].to_string()
}

/// The 1-, 5- and 15-minute load averages as /proc/loadavg has them, and the first as a number.
pub fn load_average() -> Option<(f64, String)> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let parts: Vec<&str> = s.split_whitespace().take(3).collect();
    Some((parts.first()?.parse().ok()?, parts.join(" ")))
}

/// The cores this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_goal_and_measure_tables() {
        let mut doc = String::new();
        goal_row(&mut doc, "a goal", "9 ms", true);
        unmeasured_goal_row(&mut doc, "another", "no emulator");
        measure_row(&mut doc, "m", "1 ms", Some(("< 2 ms", false)));
        measure_row(&mut doc, "n", "3 MiB", None);
        assert_eq!(
            doc,
            "| a goal | 9 ms | yes |\n| another | not measured in this run: no emulator | unknown |\n| m | 1 ms | < 2 ms | no |\n| n | 3 MiB | — | |\n"
        );
    }

    #[test]
    fn today_is_a_date() {
        let d = today();
        assert_eq!(d.len(), 10, "{d}");
        assert_eq!((&d[4..5], &d[7..8]), ("-", "-"), "{d}");
    }
}
