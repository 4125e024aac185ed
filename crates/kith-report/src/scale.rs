//! Scales and ticks shared by Kith's drawings.

use time::Date;

/// Maps a value interval onto a pixel interval. A degenerate domain maps to the middle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Linear {
        Linear {
            d0: domain.0,
            d1: domain.1,
            r0: range.0,
            r1: range.1,
        }
    }

    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span.abs() < f64::EPSILON {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }

    pub fn contains(&self, v: f64) -> bool {
        let (lo, hi) = if self.d0 <= self.d1 {
            (self.d0, self.d1)
        } else {
            (self.d1, self.d0)
        };
        v >= lo - 1e-9 && v <= hi + 1e-9
    }
}

/// A step of 1, 2 or 5 × 10ⁿ (never below `min_step`) giving at most `max_ticks` intervals.
pub fn nice_step(span: f64, max_ticks: usize, min_step: f64) -> f64 {
    if span <= 0.0 || max_ticks == 0 {
        return min_step.max(1.0);
    }
    let raw = span / max_ticks as f64;
    let mut magnitude = 10f64.powf(raw.log10().floor());
    loop {
        for m in [1.0, 2.0, 5.0] {
            let step = m * magnitude;
            if step >= raw - 1e-9 && step >= min_step {
                return step;
            }
        }
        magnitude *= 10.0;
    }
}

/// Tick values: multiples of a nice step inside `[lo, hi]`.
pub fn ticks(lo: f64, hi: f64, max_ticks: usize, min_step: f64) -> Vec<f64> {
    let step = nice_step(hi - lo, max_ticks, min_step);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Days since an arbitrary fixed day, for placing dates on a linear scale.
pub fn day_number(date: Date) -> i64 {
    i64::from(date.to_julian_day())
}

/// Up to `max_ticks` + 1 whole-day positions from `lo` to `hi`, evenly spread, both ends
/// included.
pub fn date_ticks(lo: i64, hi: i64, max_ticks: usize) -> Vec<i64> {
    if hi <= lo {
        return vec![lo];
    }
    let step = nice_step((hi - lo) as f64, max_ticks.max(1), 1.0) as i64;
    let mut out: Vec<i64> = (0..)
        .map(|k| lo + k * step)
        .take_while(|d| *d < hi)
        .collect();
    // Keep the last date readable: drop a tick too close to it.
    if let Some(&last) = out.last()
        && out.len() > 1
        && (hi - last) * 3 < step
    {
        out.pop();
    }
    out.push(hi);
    out
}

/// Tick positions on the first day of months, every 1, 2, 3, 6, 12, 24 or 60 months (the
/// smallest step giving at most `max_ticks` ticks between `lo` and `hi`, both day numbers), each
/// with its label: `2025-03` for monthly steps, `2025` for yearly ones.
pub fn month_ticks(lo: i64, hi: i64, max_ticks: usize) -> Vec<(i64, String)> {
    let (Some(first), Some(last)) = (date_of(lo), date_of(hi)) else {
        return Vec::new();
    };
    let index = |d: Date| i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1;
    // Month index (year × 12 + month − 1) and day number of every month start in range.
    let starts: Vec<(i64, i64)> = (index(first)..=index(last))
        .filter_map(|m| {
            let year = i32::try_from(m.div_euclid(12)).ok()?;
            let month = time::Month::try_from(u8::try_from(m.rem_euclid(12) + 1).ok()?).ok()?;
            let day = day_number(Date::from_calendar_date(year, month, 1).ok()?);
            (lo..=hi).contains(&day).then_some((m, day))
        })
        .collect();
    let steps = [1i64, 2, 3, 6, 12, 24, 60];
    let step = steps
        .into_iter()
        .find(|step| starts.iter().filter(|(m, _)| m % step == 0).count() <= max_ticks.max(1))
        .unwrap_or(60);
    starts
        .into_iter()
        .filter(|(m, _)| m % step == 0)
        .map(|(m, day)| {
            let (year, month) = (m.div_euclid(12), m.rem_euclid(12) + 1);
            let label = if step >= 12 {
                format!("{year:04}")
            } else {
                format!("{year:04}-{month:02}")
            };
            (day, label)
        })
        .collect()
}

/// The date of a day number.
pub fn date_of(day: i64) -> Option<Date> {
    Date::from_julian_day(i32::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_nice() {
        assert_eq!(nice_step(27.0, 6, 1.0), 5.0);
        assert_eq!(nice_step(7.0, 6, 1.0), 2.0);
        assert_eq!(nice_step(3.0, 10, 1.0), 1.0);
        assert_eq!(nice_step(900.0, 6, 1.0), 200.0);
    }

    #[test]
    fn ticks_fall_inside() {
        assert_eq!(
            ticks(0.0, 27.0, 6, 1.0),
            vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0]
        );
        assert_eq!(ticks(1.0, 3.0, 10, 1.0), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn degenerate_domain_maps_to_middle() {
        let s = Linear::new((5.0, 5.0), (0.0, 100.0));
        assert_eq!(s.map(5.0), 50.0);
    }

    #[test]
    fn month_ticks_pick_a_readable_step() {
        let d = |y, m, dd| {
            day_number(Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), dd).unwrap())
        };
        let t = month_ticks(d(2025, 1, 15), d(2025, 6, 10), 8);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
        );
        let t = month_ticks(d(2019, 5, 1), d(2025, 6, 10), 8);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["2020", "2021", "2022", "2023", "2024", "2025"]);
        assert_eq!(t[0].0, d(2020, 1, 1));
        let t = month_ticks(d(2025, 1, 1), d(2026, 12, 31), 6);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["2025-01", "2025-07", "2026-01", "2026-07"]);
    }

    #[test]
    fn date_ticks_include_both_ends() {
        assert_eq!(date_ticks(0, 10, 5), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(date_ticks(0, 11, 5), vec![0, 5, 11]);
        assert_eq!(date_ticks(3, 3, 5), vec![3]);
    }
}
