//! The measure chart: one instrument's scores over a course, on its severity bands, with the
//! baseline, the response and remission lines, and life events from the timeline on the same
//! time axis.
//!
//! All words come from the caller ([`ChartLabels`], event labels) or from the instrument's data
//! (band labels in the chosen locale); the chart writes none of its own. Colours are set by CSS
//! classes (`band band-severe`, `series`, `event event-loss`…) with plain presentation attributes
//! as defaults for print, which any stylesheet overrides.

use crate::scale::{Linear, date_ticks, day_number, ticks};
use crate::svg::{Svg, a, class_token, num, shorten};
use kith_domain::locale::Locale;
use kith_domain::measure::{ChangeRules, Direction, Instrument, Score, ScorePoint};
use serde::Serialize;
use time::Date;

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 300.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 500.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 250.0;
const EVENT_LABEL_CHARS: usize = 28;

/// Band fills from best to worst, used when no stylesheet is present.
const BAND_FILLS: [&str; 5] = ["#e6f2e6", "#eef3dc", "#fbf1d9", "#fae3d4", "#f6d5d5"];

/// What the horizontal axis counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum XAxis {
    /// Session numbers; scores without a session are left off the drawing (not the table), and
    /// events are placed between the sessions whose dates surround them.
    Session,
    /// Calendar dates.
    Date,
}

/// A life event from the course timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartEvent {
    pub date: Date,
    /// Short label, already in the reader's language.
    pub label: String,
    /// Kind of event (for example `loss`, `move`, `conflict`), used as a CSS class suffix.
    pub kind: String,
}

/// The words the chart uses, already translated by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartLabels {
    /// Chart title, also the start of the text summary: "PHQ-9 scores".
    pub title: String,
    pub score_axis: String,
    pub x_axis: String,
    /// Name for the list of scores in the summary: "Scores".
    pub scores: String,
    pub baseline: String,
    pub latest: String,
    pub response_line: String,
    pub remission_line: String,
    pub events: String,
    /// Shown when there is nothing to plot.
    pub no_data: String,
}

pub struct MeasureChartInput<'a> {
    /// Prefix for element ids, unique on the page: `phq9-chart`.
    pub id: &'a str,
    pub instrument: &'a Instrument,
    /// Locale for band labels taken from the instrument definition.
    pub locale: Locale,
    pub rules: &'a ChangeRules,
    pub points: &'a [ScorePoint],
    pub events: &'a [ChartEvent],
    pub axis: XAxis,
    pub labels: &'a ChartLabels,
}

/// One score, as listed in the table beside the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreRow {
    pub date: Date,
    pub session: Option<u32>,
    pub score: Score,
    /// The score as printed on the chart ("12", "3.50").
    pub score_text: String,
    pub band_id: Option<String>,
    pub band_label: Option<String>,
    pub is_baseline: bool,
    /// Whether the score is drawn (session axis: only scores tied to a session).
    pub on_chart: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub date: Date,
    pub label: String,
    pub kind: String,
    /// Whether the event falls inside the drawn time span.
    pub on_chart: bool,
}

/// The chart's data as a table, for the accessible table shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartTable {
    pub rows: Vec<ScoreRow>,
    pub events: Vec<EventRow>,
    pub baseline: Option<Score>,
    /// Baseline × (1 − response %) (or × (1 + response %) where higher is better).
    pub response_line: Option<Score>,
    pub remission_line: Option<Score>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureChart {
    pub svg: String,
    /// The text put in the SVG's `<desc>`.
    pub summary: String,
    pub table: ChartTable,
}

/// The score at which a course would count as a response.
pub fn response_line(direction: Direction, baseline: Score, percent: u32) -> Score {
    let p = i64::from(percent);
    let factor = match direction {
        Direction::LowerIsBetter => 100 - p,
        Direction::HigherIsBetter => 100 + p,
    };
    let h = baseline.hundredths() * factor;
    // Round half away from zero to hundredths.
    let rounded = if h >= 0 {
        (h + 50) / 100
    } else {
        (h - 50) / 100
    };
    Score::from_hundredths(rounded)
}

/// Draws the chart and returns it with its data table.
pub fn draw_measure_chart(input: &MeasureChartInput<'_>) -> MeasureChart {
    let inst = input.instrument;
    let labels = input.labels;
    let mut points: Vec<ScorePoint> = input.points.to_vec();
    points.sort_by_key(|p| (p.date, p.session));
    let mut events: Vec<&ChartEvent> = input.events.iter().collect();
    events.sort_by(|x, y| (x.date, &x.label).cmp(&(y.date, &y.label)));

    let drawn = |p: &ScorePoint| input.axis == XAxis::Date || p.session.is_some();
    let plotted: Vec<ScorePoint> = points.iter().copied().filter(|p| drawn(p)).collect();

    // Scales
    let (min, max) = inst.range();
    let y = Linear::new((min.as_f64(), max.as_f64()), (BOTTOM, TOP));
    let x = match input.axis {
        XAxis::Session => {
            let lo = plotted.iter().filter_map(|p| p.session).min().unwrap_or(1);
            let hi = plotted.iter().filter_map(|p| p.session).max().unwrap_or(1);
            Linear::new((f64::from(lo) - 0.5, f64::from(hi) + 0.5), (LEFT, RIGHT))
        }
        XAxis::Date => {
            let days: Vec<i64> = points
                .iter()
                .map(|p| day_number(p.date))
                .chain(events.iter().map(|e| day_number(e.date)))
                .collect();
            let lo = days.iter().copied().min().unwrap_or(0);
            let hi = days.iter().copied().max().unwrap_or(lo);
            let pad = ((hi - lo) / 40).max(1);
            Linear::new(((lo - pad) as f64, (hi + pad) as f64), (LEFT, RIGHT))
        }
    };
    let x_of = |p: &ScorePoint| match input.axis {
        XAxis::Session => x.map(f64::from(p.session.unwrap_or(0))),
        XAxis::Date => x.map(day_number(p.date) as f64),
    };

    // Where each event goes, if it is inside the drawn span.
    let event_x: Vec<Option<f64>> = events
        .iter()
        .map(|e| match input.axis {
            XAxis::Date => Some(x.map(day_number(e.date) as f64)),
            XAxis::Session => session_position(&plotted, e.date).map(|s| x.map(s)),
        })
        .collect();

    // Lines
    let baseline = points.first().copied();
    let response = match (baseline, input.rules.response_percent) {
        (Some(b), Some(p)) => {
            Some(response_line(inst.direction(), b.score, p)).filter(|r| min <= *r && *r <= max)
        }
        _ => None,
    };
    let remission = input
        .rules
        .remission
        .map(|c| Score::whole(c.value()))
        .filter(|r| min <= *r && *r <= max);

    // Table
    let band_of = |s: Score| inst.band_for(s);
    let rows: Vec<ScoreRow> = points
        .iter()
        .enumerate()
        .map(|(i, p)| ScoreRow {
            date: p.date,
            session: p.session,
            score: p.score,
            score_text: p.score.to_string(),
            band_id: band_of(p.score).map(|b| b.id.clone()),
            band_label: band_of(p.score).map(|b| b.label.get(input.locale).to_string()),
            is_baseline: i == 0,
            on_chart: drawn(p),
        })
        .collect();
    let event_rows: Vec<EventRow> = events
        .iter()
        .zip(&event_x)
        .map(|(e, ex)| EventRow {
            date: e.date,
            label: e.label.clone(),
            kind: e.kind.clone(),
            on_chart: ex.is_some(),
        })
        .collect();

    let summary = summary(labels, &points, response, remission, &event_rows);

    // Drawing
    let id = class_token(input.id);
    let mut svg = Svg::new();
    svg.open(
        "svg",
        &[
            a("xmlns", "http://www.w3.org/2000/svg"),
            a("viewBox", format!("0 0 {} {}", num(WIDTH), num(HEIGHT))),
            a("width", num(WIDTH)),
            a("height", num(HEIGHT)),
            a("role", "img"),
            a("aria-labelledby", format!("{id}-title {id}-desc")),
            a(
                "class",
                format!("measure-chart measure-{}", class_token(inst.id())),
            ),
            a("font-family", "sans-serif"),
            a("font-size", "11"),
        ],
    );
    svg.text("title", &[a("id", format!("{id}-title"))], &labels.title);
    svg.text("desc", &[a("id", format!("{id}-desc"))], &summary);

    // Plot area and bands
    svg.open("g", &[a("class", "bands")]);
    svg.empty(
        "rect",
        &[
            a("class", "plot-area"),
            a("x", num(LEFT)),
            a("y", num(TOP)),
            a("width", num(RIGHT - LEFT)),
            a("height", num(BOTTOM - TOP)),
            a("fill", "#f4f5f7"),
        ],
    );
    let n = inst.bands().len();
    for (i, band) in inst.bands().iter().enumerate() {
        let worse_rank = match inst.direction() {
            Direction::LowerIsBetter => i,
            Direction::HigherIsBetter => n - 1 - i,
        };
        let fill = if n > 1 {
            BAND_FILLS[(worse_rank * (BAND_FILLS.len() - 1) + (n - 1) / 2) / (n - 1)]
        } else {
            BAND_FILLS[0]
        };
        let y_top = y.map((band.max as f64 + 1.0).min(max.as_f64()));
        let y_bottom = y.map(band.min as f64);
        svg.empty(
            "rect",
            &[
                a("class", format!("band band-{}", class_token(&band.id))),
                a("x", num(LEFT)),
                a("y", num(y_top)),
                a("width", num(RIGHT - LEFT)),
                a("height", num((y_bottom - y_top).max(0.0))),
                a("fill", fill),
            ],
        );
        if y_bottom - y_top >= 14.0 {
            svg.text(
                "text",
                &[
                    a("class", "band-label"),
                    a("x", num(LEFT + 4.0)),
                    a("y", num(y_top + 11.0)),
                    a("fill", "#555555"),
                    a("font-size", "9"),
                ],
                band.label.get(input.locale),
            );
        }
    }
    svg.close("g");

    // Y axis and grid
    svg.open("g", &[a("class", "axis axis-y")]);
    for t in ticks(min.as_f64(), max.as_f64(), 6, 1.0) {
        let ty = y.map(t);
        svg.empty(
            "line",
            &[
                a("class", "grid"),
                a("x1", num(LEFT)),
                a("x2", num(RIGHT)),
                a("y1", num(ty)),
                a("y2", num(ty)),
                a("stroke", "#ffffff"),
                a("stroke-width", "1"),
            ],
        );
        svg.text(
            "text",
            &[
                a("class", "tick-label"),
                a("x", num(LEFT - 6.0)),
                a("y", num(ty + 4.0)),
                a("text-anchor", "end"),
                a("fill", "#333333"),
            ],
            &format!("{}", t.round() as i64),
        );
    }
    svg.empty(
        "line",
        &[
            a("class", "axis-line"),
            a("x1", num(LEFT)),
            a("x2", num(LEFT)),
            a("y1", num(TOP)),
            a("y2", num(BOTTOM)),
            a("stroke", "#333333"),
        ],
    );
    svg.text(
        "text",
        &[
            a("class", "axis-title"),
            a(
                "transform",
                format!(
                    "translate({} {}) rotate(-90)",
                    num(14.0),
                    num((TOP + BOTTOM) / 2.0)
                ),
            ),
            a("text-anchor", "middle"),
            a("fill", "#333333"),
        ],
        &labels.score_axis,
    );
    svg.close("g");

    // X axis
    svg.open("g", &[a("class", "axis axis-x")]);
    svg.empty(
        "line",
        &[
            a("class", "axis-line"),
            a("x1", num(LEFT)),
            a("x2", num(RIGHT)),
            a("y1", num(BOTTOM)),
            a("y2", num(BOTTOM)),
            a("stroke", "#333333"),
        ],
    );
    let x_ticks: Vec<(f64, String)> = match input.axis {
        XAxis::Session => {
            if plotted.is_empty() {
                Vec::new()
            } else {
                ticks(x.d0 + 0.5, x.d1 - 0.5, 10, 1.0)
                    .into_iter()
                    .map(|s| (x.map(s), format!("{}", s.round() as i64)))
                    .collect()
            }
        }
        XAxis::Date => {
            if points.is_empty() && events.is_empty() {
                Vec::new()
            } else {
                let pad = ((x.d1 - x.d0) as i64 / 42).max(1);
                let lo = x.d0 as i64 + pad;
                let hi = x.d1 as i64 - pad;
                date_ticks(lo, hi.max(lo), 4)
                    .into_iter()
                    .filter_map(|d| {
                        let date = Date::from_julian_day(i32::try_from(d).ok()?).ok()?;
                        Some((x.map(d as f64), date.to_string()))
                    })
                    .collect()
            }
        }
    };
    for (tx, label) in &x_ticks {
        svg.empty(
            "line",
            &[
                a("class", "tick"),
                a("x1", num(*tx)),
                a("x2", num(*tx)),
                a("y1", num(BOTTOM)),
                a("y2", num(BOTTOM + 4.0)),
                a("stroke", "#333333"),
            ],
        );
        svg.text(
            "text",
            &[
                a("class", "tick-label"),
                a("x", num(*tx)),
                a("y", num(BOTTOM + 16.0)),
                a("text-anchor", "middle"),
                a("fill", "#333333"),
            ],
            label,
        );
    }
    svg.text(
        "text",
        &[
            a("class", "axis-title"),
            a("x", num((LEFT + RIGHT) / 2.0)),
            a("y", num(BOTTOM + 36.0)),
            a("text-anchor", "middle"),
            a("fill", "#333333"),
        ],
        &labels.x_axis,
    );
    svg.close("g");

    // Response and remission lines
    svg.open("g", &[a("class", "thresholds")]);
    let mut used_label_y: Vec<f64> = Vec::new();
    for (class, value, label, dash) in [
        ("response-line", response, &labels.response_line, "6 3"),
        ("remission-line", remission, &labels.remission_line, "2 3"),
    ] {
        let Some(value) = value else { continue };
        let ly = y.map(value.as_f64());
        svg.empty(
            "line",
            &[
                a("class", class),
                a("x1", num(LEFT)),
                a("x2", num(RIGHT)),
                a("y1", num(ly)),
                a("y2", num(ly)),
                a("stroke", "#444444"),
                a("stroke-width", "1.5"),
                a("stroke-dasharray", dash),
            ],
        );
        // Keep the two labels apart when the lines are close.
        let mut text_y = ly + 4.0;
        if used_label_y.iter().any(|u| (u - text_y).abs() < 12.0) {
            text_y += 12.0;
        }
        used_label_y.push(text_y);
        svg.text(
            "text",
            &[
                a("class", format!("{class}-label")),
                a("x", num(RIGHT + 6.0)),
                a("y", num(text_y)),
                a("fill", "#333333"),
            ],
            &format!("{} {}", label, value),
        );
    }
    svg.close("g");

    // Life events
    svg.open("g", &[a("class", "events")]);
    for (e, ex) in events.iter().zip(&event_x) {
        let Some(ex) = *ex else { continue };
        svg.open(
            "g",
            &[a("class", format!("event event-{}", class_token(&e.kind)))],
        );
        svg.text("title", &[], &format!("{} ({})", e.label, e.date));
        svg.empty(
            "line",
            &[
                a("x1", num(ex)),
                a("x2", num(ex)),
                a("y1", num(TOP)),
                a("y2", num(BOTTOM)),
                a("stroke", "#7a5195"),
                a("stroke-width", "1"),
                a("stroke-dasharray", "1 2"),
            ],
        );
        svg.empty(
            "path",
            &[
                a(
                    "d",
                    format!(
                        "M {} {} L {} {} L {} {} L {} {} Z",
                        num(ex),
                        num(TOP - 4.0),
                        num(ex + 4.0),
                        num(TOP),
                        num(ex),
                        num(TOP + 4.0),
                        num(ex - 4.0),
                        num(TOP),
                    ),
                ),
                a("fill", "#7a5195"),
            ],
        );
        svg.text(
            "text",
            &[
                a("class", "event-label"),
                a(
                    "transform",
                    format!("translate({} {}) rotate(90)", num(ex + 3.0), num(TOP + 8.0)),
                ),
                a("fill", "#5a3a75"),
                a("font-size", "9"),
            ],
            &shorten(&e.label, EVENT_LABEL_CHARS),
        );
        svg.close("g");
    }
    svg.close("g");

    // Scores
    svg.open("g", &[a("class", "series")]);
    if plotted.len() >= 2 {
        let pts: Vec<String> = plotted
            .iter()
            .map(|p| format!("{},{}", num(x_of(p)), num(y.map(p.score.as_f64()))))
            .collect();
        svg.empty(
            "polyline",
            &[
                a("class", "series-line"),
                a("points", pts.join(" ")),
                a("fill", "none"),
                a("stroke", "#1f4e79"),
                a("stroke-width", "2"),
            ],
        );
    }
    for p in &plotted {
        let is_baseline = Some(*p) == baseline;
        let (px, py) = (x_of(p), y.map(p.score.as_f64()));
        let class = if is_baseline {
            "point point-baseline"
        } else {
            "point"
        };
        svg.open("g", &[a("class", class)]);
        let when = match p.session {
            Some(s) => format!("{} · {} {}", p.date, labels.x_axis, s),
            None => p.date.to_string(),
        };
        svg.text("title", &[], &format!("{when}: {}", p.score));
        if is_baseline {
            svg.empty(
                "circle",
                &[
                    a("class", "baseline-ring"),
                    a("cx", num(px)),
                    a("cy", num(py)),
                    a("r", "7.0"),
                    a("fill", "none"),
                    a("stroke", "#1f4e79"),
                    a("stroke-width", "1.5"),
                ],
            );
        }
        svg.empty(
            "circle",
            &[
                a("cx", num(px)),
                a("cy", num(py)),
                a("r", "3.5"),
                a("fill", "#1f4e79"),
            ],
        );
        if is_baseline {
            let above = py - 10.0 > TOP + 8.0;
            svg.text(
                "text",
                &[
                    a("class", "baseline-label"),
                    a("x", num(px)),
                    a("y", num(if above { py - 10.0 } else { py + 18.0 })),
                    a("text-anchor", "middle"),
                    a("fill", "#1f4e79"),
                ],
                &labels.baseline,
            );
        }
        svg.close("g");
    }
    if plotted.is_empty() {
        svg.text(
            "text",
            &[
                a("class", "no-data"),
                a("x", num((LEFT + RIGHT) / 2.0)),
                a("y", num((TOP + BOTTOM) / 2.0)),
                a("text-anchor", "middle"),
                a("fill", "#555555"),
            ],
            &labels.no_data,
        );
    }
    svg.close("g");
    svg.close("svg");

    MeasureChart {
        svg: svg.finish(),
        summary,
        table: ChartTable {
            rows,
            events: event_rows,
            baseline: baseline.map(|b| b.score),
            response_line: response,
            remission_line: remission,
        },
    }
}

/// Position of a date on the session axis: interpolated between the sessions whose dates
/// surround it; `None` outside the measured span.
fn session_position(plotted: &[ScorePoint], date: Date) -> Option<f64> {
    let sessions: Vec<(i64, f64)> = plotted
        .iter()
        .filter_map(|p| p.session.map(|s| (day_number(p.date), f64::from(s))))
        .collect();
    let d = day_number(date);
    if let Some((_, s)) = sessions.iter().find(|(pd, _)| *pd == d) {
        return Some(*s);
    }
    sessions.windows(2).find_map(|w| {
        let ((d0, s0), (d1, s1)) = (w[0], w[1]);
        (d0 < d && d < d1).then(|| s0 + (s1 - s0) * (d - d0) as f64 / (d1 - d0) as f64)
    })
}

/// The text summary for `<desc>`: caller's words, figures and ISO dates, in a fixed pattern
/// ("Label: value.") that reads in any language.
fn summary(
    labels: &ChartLabels,
    points: &[ScorePoint],
    response: Option<Score>,
    remission: Option<Score>,
    events: &[EventRow],
) -> String {
    let mut parts = vec![labels.title.trim_end_matches('.').to_string()];
    match (points.first(), points.last()) {
        (Some(first), Some(last)) => {
            let list: Vec<String> = points
                .iter()
                .map(|p| format!("{} ({})", p.score, p.date))
                .collect();
            parts.push(format!("{}: {}", labels.scores, list.join(", ")));
            parts.push(format!(
                "{}: {} ({})",
                labels.baseline, first.score, first.date
            ));
            parts.push(format!("{}: {} ({})", labels.latest, last.score, last.date));
        }
        _ => parts.push(labels.no_data.clone()),
    }
    if let Some(r) = response {
        parts.push(format!("{}: {}", labels.response_line, r));
    }
    if let Some(r) = remission {
        parts.push(format!("{}: {}", labels.remission_line, r));
    }
    if !events.is_empty() {
        let list: Vec<String> = events
            .iter()
            .map(|e| format!("{} ({})", e.label, e.date))
            .collect();
        parts.push(format!("{}: {}", labels.events, list.join(", ")));
    }
    let mut s = parts.join(". ");
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_line_follows_direction() {
        assert_eq!(
            response_line(Direction::LowerIsBetter, Score::whole(18), 50),
            Score::whole(9)
        );
        assert_eq!(
            response_line(Direction::LowerIsBetter, Score::whole(15), 50),
            Score::from_hundredths(750)
        );
        assert_eq!(
            response_line(Direction::HigherIsBetter, Score::whole(4), 50),
            Score::whole(6)
        );
    }
}
