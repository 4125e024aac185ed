//! The timeline of life events: events on a time axis with the people involved, the onset of
//! the episode marked prominently, the weeks around onset shaded, and an optional mood line
//! underneath on the same time axis.
//!
//! Dates may be approximate: each event comes with a first and a last possible day (a whole year,
//! a month, or a single day), drawn as a bar over the span or a dot for one day. The caller also
//! gives the date as it should be read ("2025", "March 2025"). Event kinds become CSS classes
//! (`event event-death`); events inside the window around onset also get `near-onset`.
//!
//! Labels are stacked in lanes above the axis so that they do not overlap; each hangs on a thin
//! line down to its place on the axis. All words come from the caller.

use crate::scale::{Linear, date_of, day_number, month_ticks, ticks};
use crate::svg::{Svg, a, class_token, num, shorten};
use serde::Serialize;
use time::Date;

pub const WIDTH: f64 = 720.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 700.0;
const TOP: f64 = 30.0;
const LANE: f64 = 16.0;
const MAX_LANES: usize = 8;
const LABEL_CHARS: usize = 44;
/// Estimated width of a character of label text (bold, 10 px), on the generous side.
const CHAR_WIDTH: f64 = 6.3;
const MOOD_HEIGHT: f64 = 90.0;

/// A life event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    pub id: String,
    /// First and last possible day (the same day when the date is exact).
    pub start: Date,
    pub end: Date,
    /// The date as the reader should see it: "2025", "2025-03", "14 March 2025".
    pub date_label: String,
    /// Short description, already in the reader's language.
    pub label: String,
    /// Kind of event (`death`, `separation`, `move`…), used as a CSS class suffix.
    pub kind: String,
    /// Names of the people involved.
    pub people: Vec<String>,
}

/// When the current episode began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Onset {
    pub start: Date,
    pub end: Date,
    pub date_label: String,
}

/// The window around onset in which events count as near it (default 8 weeks before and 4
/// after, as used for problem-area suggestions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NearOnset {
    pub weeks_before: u32,
    pub weeks_after: u32,
}

impl Default for NearOnset {
    fn default() -> Self {
        NearOnset {
            weeks_before: 8,
            weeks_after: 4,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MoodPoint {
    pub date: Date,
    pub value: f64,
}

/// Mood ratings over time on the scale they were given in (0–10, −5..+5…).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodSeries {
    pub min: f64,
    pub max: f64,
    pub points: Vec<MoodPoint>,
}

/// The words the timeline uses, already translated by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineLabels {
    pub title: String,
    /// "Onset of the episode".
    pub onset: String,
    /// "Near onset".
    pub near_onset: String,
    /// "Life events".
    pub events: String,
    /// "Mood".
    pub mood: String,
    /// Shown when there are no events.
    pub no_events: String,
}

pub struct TimelineInput<'a> {
    /// Prefix for element ids, unique on the page.
    pub id: &'a str,
    pub events: &'a [TimelineEvent],
    pub onset: Option<&'a Onset>,
    pub window: NearOnset,
    pub mood: Option<&'a MoodSeries>,
    pub labels: &'a TimelineLabels,
}

/// One event, as listed in the table beside the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub id: String,
    pub label: String,
    pub people: Vec<String>,
    pub date_label: String,
    pub start: Date,
    pub end: Date,
    pub kind: String,
    /// Whether the event's span meets the window around onset.
    pub near_onset: bool,
    /// Days from the middle of the event to the start of onset (negative: after onset).
    pub days_before_onset: Option<i64>,
    /// Label lane in the drawing (0 = nearest the axis).
    pub lane: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodRow {
    pub date: Date,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineTable {
    /// Events by date.
    pub events: Vec<EventRow>,
    pub onset: Option<Onset>,
    /// First and last day of the window around onset.
    pub window: Option<(Date, Date)>,
    pub mood: Vec<MoodRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub svg: String,
    pub summary: String,
    pub table: TimelineTable,
    /// Where each event's label went, in the order of `table.events`.
    pub labels: Vec<PlacedLabel>,
    pub height: f64,
}

fn mid(start: Date, end: Date) -> i64 {
    (day_number(start) + day_number(end)).div_euclid(2)
}

/// The full label drawn for an event: "Mother died · Ana, Luis".
fn event_text(e: &TimelineEvent) -> String {
    if e.people.is_empty() {
        e.label.clone()
    } else {
        format!("{} · {}", e.label, e.people.join(", "))
    }
}

/// Numbers in the summary and tooltips: whole values without decimals, others with one.
fn value_text(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        num(v)
    }
}

/// Draws the timeline and returns it with its data table.
pub fn draw_timeline(input: &TimelineInput<'_>) -> Timeline {
    let labels = input.labels;
    let mut events: Vec<&TimelineEvent> = input.events.iter().collect();
    // A span given backwards is read forwards.
    let span = |e: &TimelineEvent| (e.start.min(e.end), e.start.max(e.end));
    events.sort_by(|x, y| (span(x), &x.label, &x.id).cmp(&(span(y), &y.label, &y.id)));
    let onset = input.onset.map(|o| Onset {
        start: o.start.min(o.end),
        end: o.start.max(o.end),
        date_label: o.date_label.clone(),
    });
    let window = onset.as_ref().map(|o| {
        (
            day_number(o.start) - i64::from(input.window.weeks_before) * 7,
            day_number(o.end) + i64::from(input.window.weeks_after) * 7,
        )
    });
    let mut mood: Vec<MoodPoint> = input
        .mood
        .map(|m| {
            m.points
                .iter()
                .copied()
                .filter(|p| p.value.is_finite())
                .collect()
        })
        .unwrap_or_default();
    mood.sort_by(|x, y| x.date.cmp(&y.date).then(x.value.total_cmp(&y.value)));
    let (mood_min, mood_max) = input
        .mood
        .map(|m| {
            let (lo, hi) = (m.min.min(m.max), m.min.max(m.max));
            if hi - lo < 1e-9 {
                (lo - 1.0, hi + 1.0)
            } else {
                (lo, hi)
            }
        })
        .unwrap_or((0.0, 10.0));
    let has_mood = input.mood.is_some();

    // Time scale over everything shown.
    let mut days: Vec<i64> = Vec::new();
    for e in &events {
        let (s, t) = span(e);
        days.push(day_number(s));
        days.push(day_number(t) + 1);
    }
    if let Some((w0, w1)) = window {
        days.push(w0);
        days.push(w1 + 1);
    }
    days.extend(mood.iter().map(|p| day_number(p.date)));
    let lo = days.iter().copied().min();
    let hi = days.iter().copied().max();
    let (d0, d1) = match (lo, hi) {
        (Some(lo), Some(hi)) => {
            let pad = ((hi - lo) / 30).max(15);
            (lo - pad, hi + pad)
        }
        _ => (0, 1),
    };
    let x = Linear::new((d0 as f64, d1 as f64), (LEFT, RIGHT));

    let wanted: Vec<(String, f64, String)> = events
        .iter()
        .map(|e| {
            let (s, t) = span(e);
            (e.id.clone(), x.map(mid(s, t) as f64 + 0.5), event_text(e))
        })
        .collect();
    let placed = place_labels(&wanted);
    let lane_count = placed.iter().map(|p| p.lane + 1).max().unwrap_or(1);
    let axis_y = TOP + 14.0 + lane_count as f64 * LANE + 10.0;
    let mood_top = axis_y + 34.0;
    let mood_bottom = mood_top + MOOD_HEIGHT;
    let bottom = if has_mood { mood_bottom } else { axis_y };
    let height = bottom + 40.0;
    let y_mood = Linear::new((mood_min, mood_max), (mood_bottom, mood_top));

    // Table
    let rows: Vec<EventRow> = events
        .iter()
        .zip(&placed)
        .map(|(e, label)| {
            let (s, t) = span(e);
            EventRow {
                id: e.id.clone(),
                label: e.label.clone(),
                people: e.people.clone(),
                date_label: e.date_label.clone(),
                start: s,
                end: t,
                kind: e.kind.clone(),
                near_onset: window
                    .is_some_and(|(w0, w1)| day_number(s) <= w1 && day_number(t) >= w0),
                days_before_onset: onset.as_ref().map(|o| day_number(o.start) - mid(s, t)),
                lane: label.lane,
            }
        })
        .collect();
    let table = TimelineTable {
        events: rows,
        onset: onset.clone(),
        window: window.and_then(|(w0, w1)| Some((date_of(w0)?, date_of(w1)?))),
        mood: mood
            .iter()
            .map(|p| MoodRow {
                date: p.date,
                value: p.value,
            })
            .collect(),
    };
    let summary = summary(labels, &table);

    // Drawing
    let id = class_token(input.id);
    let mut svg = Svg::new();
    svg.open(
        "svg",
        &[
            a("xmlns", "http://www.w3.org/2000/svg"),
            a("viewBox", format!("0 0 {} {}", num(WIDTH), num(height))),
            a("width", num(WIDTH)),
            a("height", num(height)),
            a("role", "img"),
            a("aria-labelledby", format!("{id}-title {id}-desc")),
            a("class", "timeline"),
            a("font-family", "sans-serif"),
            a("font-size", "10"),
        ],
    );
    svg.text("title", &[a("id", format!("{id}-title"))], &labels.title);
    svg.text("desc", &[a("id", format!("{id}-desc"))], &summary);

    // Window around onset, then the onset itself, behind everything else.
    if let (Some((w0, w1)), Some(o)) = (window, &onset) {
        let (wx0, wx1) = (x.map(w0 as f64), x.map((w1 + 1) as f64));
        svg.open("g", &[a("class", "near-onset-window")]);
        svg.text("title", &[], &labels.near_onset);
        svg.empty(
            "rect",
            &[
                a("x", num(wx0)),
                a("y", num(TOP)),
                a("width", num((wx1 - wx0).max(1.0))),
                a("height", num(bottom - TOP)),
                a("fill", "#fbe3e1"),
            ],
        );
        svg.text(
            "text",
            &[
                a("class", "near-onset-label"),
                a("x", num((wx0 + wx1) / 2.0)),
                a("y", num(bottom + 30.0)),
                a("text-anchor", "middle"),
                a("fill", "#8a3a33"),
                a("font-size", "9"),
            ],
            &labels.near_onset,
        );
        svg.close("g");

        let (ox0, ox1) = (
            x.map(day_number(o.start) as f64),
            x.map((day_number(o.end) + 1) as f64),
        );
        svg.open("g", &[a("class", "onset")]);
        svg.text("title", &[], &format!("{}: {}", labels.onset, o.date_label));
        if ox1 - ox0 > 3.0 {
            svg.empty(
                "rect",
                &[
                    a("class", "onset-span"),
                    a("x", num(ox0)),
                    a("y", num(TOP)),
                    a("width", num(ox1 - ox0)),
                    a("height", num(bottom - TOP)),
                    a("fill", "#b22222"),
                    a("fill-opacity", "0.18"),
                ],
            );
        }
        let ox = (ox0 + ox1) / 2.0;
        svg.empty(
            "line",
            &[
                a("class", "onset-line"),
                a("x1", num(ox)),
                a("x2", num(ox)),
                a("y1", num(TOP - 4.0)),
                a("y2", num(bottom)),
                a("stroke", "#b22222"),
                a("stroke-width", "2.5"),
            ],
        );
        let text = format!("{} · {}", labels.onset, o.date_label);
        let w = text.chars().count() as f64 * 7.0;
        let anchor = if ox + w / 2.0 > WIDTH - 4.0 {
            "end"
        } else if ox - w / 2.0 < 4.0 {
            "start"
        } else {
            "middle"
        };
        svg.text(
            "text",
            &[
                a("class", "onset-label"),
                a("x", num(ox)),
                a("y", num(TOP - 8.0)),
                a("text-anchor", anchor),
                a("fill", "#b22222"),
                a("font-weight", "bold"),
                a("font-size", "11"),
            ],
            &text,
        );
        svg.close("g");
    }

    // Time axis
    svg.open("g", &[a("class", "axis axis-x")]);
    svg.empty(
        "line",
        &[
            a("class", "axis-line"),
            a("x1", num(LEFT)),
            a("x2", num(RIGHT)),
            a("y1", num(axis_y)),
            a("y2", num(axis_y)),
            a("stroke", "#333333"),
        ],
    );
    if lo.is_some() {
        for (day, label) in month_ticks(d0, d1, 8) {
            let tx = x.map(day as f64);
            svg.empty(
                "line",
                &[
                    a("class", "tick"),
                    a("x1", num(tx)),
                    a("x2", num(tx)),
                    a("y1", num(axis_y)),
                    a("y2", num(axis_y + 4.0)),
                    a("stroke", "#333333"),
                ],
            );
            svg.text(
                "text",
                &[
                    a("class", "tick-label"),
                    a("x", num(tx)),
                    a("y", num(axis_y + 15.0)),
                    a("text-anchor", "middle"),
                    a("fill", "#333333"),
                ],
                &label,
            );
        }
    }
    svg.close("g");

    // Events
    svg.open("g", &[a("class", "events")]);
    for (e, row, label) in events
        .iter()
        .zip(&table.events)
        .zip(&placed)
        .map(|((e, r), p)| (e, r, p))
    {
        let ex = &label.anchor_x;
        let mut class = format!("event event-{}", class_token(&e.kind));
        if row.near_onset {
            class.push_str(" near-onset");
        }
        svg.open("g", &[a("class", class), a("data-event-id", e.id.clone())]);
        svg.text(
            "title",
            &[],
            &format!("{} ({})", event_text(e), e.date_label),
        );
        let ly = axis_y - 16.0 - label.lane as f64 * LANE;
        svg.empty(
            "line",
            &[
                a("class", "leader"),
                a("x1", num(*ex)),
                a("x2", num(*ex)),
                a("y1", num(ly + 3.0)),
                a("y2", num(axis_y - 5.0)),
                a("stroke", "#9a9a9a"),
                a("stroke-width", "0.8"),
            ],
        );
        let (sx0, sx1) = (
            x.map(day_number(row.start) as f64),
            x.map((day_number(row.end) + 1) as f64),
        );
        if sx1 - sx0 > 6.0 {
            svg.empty(
                "rect",
                &[
                    a("class", "event-span"),
                    a("x", num(sx0)),
                    a("y", num(axis_y - 4.0)),
                    a("width", num(sx1 - sx0)),
                    a("height", "8.0"),
                    a("rx", "3.0"),
                    a("fill", "#7a5195"),
                    a("fill-opacity", "0.45"),
                    a("stroke", "#7a5195"),
                ],
            );
        } else {
            svg.empty(
                "circle",
                &[
                    a("class", "event-point"),
                    a("cx", num(*ex)),
                    a("cy", num(axis_y)),
                    a("r", "4.0"),
                    a("fill", "#7a5195"),
                ],
            );
        }
        let mut attrs = vec![
            a("class", "event-label"),
            a(
                "x",
                num(if label.right_aligned {
                    label.x1 - 2.0
                } else {
                    label.x0 + 2.0
                }),
            ),
            a("y", num(ly)),
            a(
                "text-anchor",
                if label.right_aligned { "end" } else { "start" },
            ),
            a("fill", "#3b2a4a"),
            // A white outline keeps the label readable over the onset line and window.
            a("stroke", "#ffffff"),
            a("stroke-width", "3"),
            a("paint-order", "stroke"),
        ];
        if row.near_onset {
            attrs.push(a("font-weight", "bold"));
        }
        svg.text("text", &attrs, &label.text);
        svg.close("g");
    }
    if events.is_empty() {
        svg.text(
            "text",
            &[
                a("class", "no-events"),
                a("x", num((LEFT + RIGHT) / 2.0)),
                a("y", num(axis_y - 20.0)),
                a("text-anchor", "middle"),
                a("fill", "#555555"),
            ],
            &labels.no_events,
        );
    }
    svg.close("g");

    // Mood
    if has_mood {
        svg.open("g", &[a("class", "mood")]);
        svg.empty(
            "rect",
            &[
                a("class", "mood-area"),
                a("x", num(LEFT)),
                a("y", num(mood_top)),
                a("width", num(RIGHT - LEFT)),
                a("height", num(MOOD_HEIGHT)),
                a("fill", "#f4f5f7"),
                a("fill-opacity", "0.7"),
            ],
        );
        for t in ticks(mood_min, mood_max, 4, 1.0) {
            let ty = y_mood.map(t);
            svg.text(
                "text",
                &[
                    a("class", "tick-label"),
                    a("x", num(LEFT - 5.0)),
                    a("y", num(ty + 3.0)),
                    a("text-anchor", "end"),
                    a("fill", "#333333"),
                    a("font-size", "9"),
                ],
                &value_text(t),
            );
            svg.empty(
                "line",
                &[
                    a("class", "grid"),
                    a("x1", num(LEFT)),
                    a("x2", num(RIGHT)),
                    a("y1", num(ty)),
                    a("y2", num(ty)),
                    a("stroke", "#ffffff"),
                ],
            );
        }
        svg.text(
            "text",
            &[
                a("class", "axis-title"),
                a("x", num(LEFT)),
                a("y", num(mood_top - 5.0)),
                a("fill", "#333333"),
            ],
            &labels.mood,
        );
        let inside: Vec<&MoodPoint> = mood.iter().collect();
        let pos = |p: &MoodPoint| {
            (
                x.map(day_number(p.date) as f64 + 0.5),
                y_mood.map(p.value.clamp(mood_min, mood_max)),
            )
        };
        if inside.len() >= 2 {
            let pts: Vec<String> = inside
                .iter()
                .map(|p| {
                    let (px, py) = pos(p);
                    format!("{},{}", num(px), num(py))
                })
                .collect();
            svg.empty(
                "polyline",
                &[
                    a("class", "mood-line"),
                    a("points", pts.join(" ")),
                    a("fill", "none"),
                    a("stroke", "#1f4e79"),
                    a("stroke-width", "1.8"),
                ],
            );
        }
        for p in &inside {
            let (px, py) = pos(p);
            svg.open("g", &[a("class", "mood-point")]);
            svg.text(
                "title",
                &[],
                &format!("{}: {}", p.date, value_text(p.value)),
            );
            svg.empty(
                "circle",
                &[
                    a("cx", num(px)),
                    a("cy", num(py)),
                    a("r", "2.8"),
                    a("fill", "#1f4e79"),
                ],
            );
            svg.close("g");
        }
        svg.close("g");
    }
    svg.close("svg");

    Timeline {
        svg: svg.finish(),
        summary,
        table,
        labels: placed,
        height,
    }
}

/// An event label as placed above the axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacedLabel {
    pub id: String,
    /// 0 = the lane nearest the axis.
    pub lane: usize,
    /// Where the event sits on the axis.
    pub anchor_x: f64,
    /// Horizontal extent of the label (estimated from its length).
    pub x0: f64,
    pub x1: f64,
    /// The text as drawn, shortened when there was no room for all of it.
    pub text: String,
    /// Whether the label ends at its event instead of starting there.
    pub right_aligned: bool,
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH + 6.0
}

/// Puts labels (id, position on the axis, full text) in lanes, in order: each label starts at
/// its event and runs right (or ends there when it would run off the right edge) and takes the
/// lowest lane where it fits. When every lane is taken there, the label goes into the lane where
/// cutting short the label in its way leaves the most room, and both are shortened (to no fewer
/// than 8 characters, ending with an ellipsis). Only when even that fails does a label overlap.
fn place_labels(wanted: &[(String, f64, String)]) -> Vec<PlacedLabel> {
    const GAP: f64 = 4.0;
    const MIN_CHARS: f64 = 8.0;
    let chars_in = |room: f64| ((room - 6.0) / CHAR_WIDTH).floor();
    let mut out: Vec<PlacedLabel> = Vec::new();
    let mut lanes: Vec<Vec<usize>> = Vec::new();
    for (id, ex, full) in wanted {
        let ex = *ex;
        let mut text = shorten(full, LABEL_CHARS);
        let mut right_aligned = ex + text_width(&text) > RIGHT + 16.0;
        let (mut x0, mut x1) = if right_aligned {
            (ex - text_width(&text), ex)
        } else {
            (ex, ex + text_width(&text))
        };
        let fits = |lane: &Vec<usize>, out: &Vec<PlacedLabel>, x0: f64, x1: f64| {
            lane.iter()
                .all(|&k| x1 + GAP <= out[k].x0 || x0 >= out[k].x1 + GAP)
        };
        let lane = if let Some(l) = lanes.iter().position(|l| fits(l, &out, x0, x1)) {
            Some(l)
        } else if lanes.len() < MAX_LANES {
            lanes.push(Vec::new());
            Some(lanes.len() - 1)
        } else {
            // The label now starts at its event and runs right, as far as the drawing allows.
            // For each lane: the label in the way (starting left of the event), whether it can be
            // cut to end before the event, and the room left for this label up to the next one.
            let mut best: Option<(usize, Option<usize>, f64)> = None;
            for (l, lane) in lanes.iter().enumerate() {
                let blocking: Vec<usize> = lane
                    .iter()
                    .copied()
                    .filter(|&k| out[k].x0 - GAP < ex && ex < out[k].x1 + GAP)
                    .collect();
                let cut = match blocking.as_slice() {
                    [] => None,
                    [k] if !out[*k].right_aligned
                        && chars_in(ex - GAP - out[*k].x0) >= MIN_CHARS =>
                    {
                        Some(*k)
                    }
                    _ => continue,
                };
                let wall = lane
                    .iter()
                    .filter(|&&k| out[k].x0 >= ex)
                    .map(|&k| out[k].x0 - GAP)
                    .fold(RIGHT + 16.0, f64::min);
                let room = wall - ex;
                if chars_in(room) >= MIN_CHARS && best.is_none_or(|b| room > b.2) {
                    best = Some((l, cut, room));
                }
            }
            best.map(|(l, cut, room)| {
                if let Some(k) = cut {
                    let keep = chars_in(ex - GAP - out[k].x0) as usize;
                    let short = shorten(&out[k].text, keep);
                    out[k].x1 = out[k].x0 + text_width(&short);
                    out[k].text = short;
                }
                text = shorten(full, chars_in(room) as usize);
                right_aligned = false;
                (x0, x1) = (ex, ex + text_width(&text));
                l
            })
        };
        let lane = lane.unwrap_or_else(|| {
            // Nothing fits: the lane overlapping least.
            let overlap = |lane: &Vec<usize>| -> f64 {
                lane.iter()
                    .map(|&k| (x1.min(out[k].x1) - x0.max(out[k].x0)).max(0.0))
                    .sum()
            };
            (0..lanes.len())
                .min_by(|&i, &j| overlap(&lanes[i]).total_cmp(&overlap(&lanes[j])))
                .unwrap_or(0)
        });
        lanes[lane].push(out.len());
        out.push(PlacedLabel {
            id: id.clone(),
            lane,
            anchor_x: ex,
            x0,
            x1,
            text,
            right_aligned,
        });
    }
    out
}

fn summary(labels: &TimelineLabels, table: &TimelineTable) -> String {
    let mut parts = vec![labels.title.trim_end_matches('.').to_string()];
    if let Some(o) = &table.onset {
        parts.push(format!("{}: {}", labels.onset, o.date_label));
    }
    let near: Vec<String> = table
        .events
        .iter()
        .filter(|e| e.near_onset)
        .map(|e| format!("{} ({})", e.label, e.date_label))
        .collect();
    if !near.is_empty() {
        parts.push(format!("{}: {}", labels.near_onset, near.join(", ")));
    }
    if table.events.is_empty() {
        parts.push(labels.no_events.clone());
    } else {
        let list: Vec<String> = table
            .events
            .iter()
            .map(|e| {
                if e.people.is_empty() {
                    format!("{} ({})", e.label, e.date_label)
                } else {
                    format!("{} · {} ({})", e.label, e.people.join(", "), e.date_label)
                }
            })
            .collect();
        parts.push(format!("{}: {}", labels.events, list.join(", ")));
    }
    if !table.mood.is_empty() {
        let list: Vec<String> = table
            .mood
            .iter()
            .map(|m| format!("{} ({})", value_text(m.value), m.date))
            .collect();
        parts.push(format!("{}: {}", labels.mood, list.join(", ")));
    }
    let mut s = parts.join(". ");
    s.push('.');
    s
}
