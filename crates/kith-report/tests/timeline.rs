//! The timeline: snapshots of the SVG, and what a reader relies on: onset marked, events near
//! onset flagged, approximate dates drawn as spans, labels kept apart, stable output.

use kith_report::timeline::{
    MoodPoint, MoodSeries, NearOnset, Onset, Timeline, TimelineEvent, TimelineInput,
    TimelineLabels, draw_timeline,
};
use time::macros::date;
use time::{Date, Duration};

fn labels() -> TimelineLabels {
    TimelineLabels {
        title: "Life events".into(),
        onset: "Onset".into(),
        near_onset: "Near onset".into(),
        events: "Events".into(),
        mood: "Mood".into(),
        no_events: "No events yet".into(),
    }
}

fn ev(
    id: &str,
    start: Date,
    end: Date,
    date_label: &str,
    label: &str,
    kind: &str,
    people: &[&str],
) -> TimelineEvent {
    TimelineEvent {
        id: id.into(),
        start,
        end,
        date_label: date_label.into(),
        label: label.into(),
        kind: kind.into(),
        people: people.iter().map(|p| p.to_string()).collect(),
    }
}

fn onset() -> Onset {
    Onset {
        start: date!(2025 - 11 - 01),
        end: date!(2025 - 11 - 30),
        date_label: "November 2025".into(),
    }
}

fn grief_case() -> Vec<TimelineEvent> {
    vec![
        ev(
            "e1",
            date!(2019 - 01 - 01),
            date!(2019 - 12 - 31),
            "2019",
            "Moved to Madrid",
            "move",
            &[],
        ),
        ev(
            "e2",
            date!(2023 - 06 - 10),
            date!(2023 - 06 - 10),
            "10 June 2023",
            "Married",
            "relationship",
            &["Jorge"],
        ),
        ev(
            "e3",
            date!(2025 - 09 - 01),
            date!(2025 - 09 - 30),
            "September 2025",
            "Mother diagnosed with cancer",
            "illness",
            &["Mum"],
        ),
        ev(
            "e4",
            date!(2025 - 10 - 14),
            date!(2025 - 10 - 14),
            "14 October 2025",
            "Mother died",
            "death",
            &["Mum", "Ana"],
        ),
        ev(
            "e5",
            date!(2025 - 12 - 01),
            date!(2025 - 12 - 31),
            "December 2025",
            "Arguments with sister about the flat",
            "conflict",
            &["Ana"],
        ),
        ev(
            "e6",
            date!(2026 - 01 - 12),
            date!(2026 - 01 - 12),
            "12 January 2026",
            "Back to work part-time",
            "job-change",
            &[],
        ),
    ]
}

fn mood() -> MoodSeries {
    let start = date!(2025 - 08 - 04);
    let values = [7.0, 7.0, 6.0, 5.0, 3.0, 2.0, 2.0, 3.0, 2.0, 4.0, 4.0, 5.0];
    MoodSeries {
        min: 0.0,
        max: 10.0,
        points: values
            .iter()
            .enumerate()
            .map(|(i, v)| MoodPoint {
                date: start + Duration::weeks(3 * i as i64),
                value: *v,
            })
            .collect(),
    }
}

fn draw(events: &[TimelineEvent], onset: Option<&Onset>, mood: Option<&MoodSeries>) -> Timeline {
    draw_timeline(&TimelineInput {
        id: "timeline",
        events,
        onset,
        window: NearOnset::default(),
        mood,
        labels: &labels(),
    })
}

#[test]
fn empty_timeline() {
    let t = draw(&[], None, None);
    assert_eq!(t.summary, "Life events. No events yet.");
    assert!(t.svg.contains("No events yet"));
    insta::assert_snapshot!("empty", t.svg);
}

#[test]
fn one_event() {
    let events = [ev(
        "e1",
        date!(2025 - 03 - 14),
        date!(2025 - 03 - 14),
        "14 March 2025",
        "Lost job",
        "job-loss",
        &[],
    )];
    let t = draw(&events, None, None);
    assert_eq!(t.summary, "Life events. Events: Lost job (14 March 2025).");
    assert_eq!(t.table.events[0].days_before_onset, None);
    assert!(!t.table.events[0].near_onset);
    insta::assert_snapshot!("one", t.svg);
}

#[test]
fn a_grief_case_with_onset_window_and_mood() {
    let o = onset();
    let m = mood();
    let t = draw(&grief_case(), Some(&o), Some(&m));
    // The window runs from 8 weeks before the first possible day of onset to 4 weeks after the
    // last.
    assert_eq!(
        t.table.window,
        Some((date!(2025 - 09 - 06), date!(2025 - 12 - 28)))
    );
    let near: Vec<(&str, bool)> = t
        .table
        .events
        .iter()
        .map(|e| (e.label.as_str(), e.near_onset))
        .collect();
    assert_eq!(
        near,
        [
            ("Moved to Madrid", false),
            ("Married", false),
            // September 2025 overlaps the window (from 6 September).
            ("Mother diagnosed with cancer", true),
            ("Mother died", true),
            ("Arguments with sister about the flat", true),
            ("Back to work part-time", false),
        ]
    );
    let died = &t.table.events[3];
    assert_eq!(died.days_before_onset, Some(18));
    assert_eq!(
        t.summary,
        "Life events. Onset: November 2025. Near onset: Mother diagnosed with cancer (September 2025), Mother died (14 October 2025), Arguments with sister about the flat (December 2025). Events: Moved to Madrid (2019), Married · Jorge (10 June 2023), Mother diagnosed with cancer · Mum (September 2025), Mother died · Mum, Ana (14 October 2025), Arguments with sister about the flat · Ana (December 2025), Back to work part-time (12 January 2026). Mood: 7 (2025-08-04), 7 (2025-08-25), 6 (2025-09-15), 5 (2025-10-06), 3 (2025-10-27), 2 (2025-11-17), 2 (2025-12-08), 3 (2025-12-29), 2 (2026-01-19), 4 (2026-02-09), 4 (2026-03-02), 5 (2026-03-23)."
    );
    // The onset is drawn prominently, approximate dates as spans, exact ones as points.
    assert!(t.svg.contains(r#"class="onset-line""#));
    assert!(t.svg.contains("Onset · November 2025"));
    assert!(
        t.svg
            .contains(r#"<g class="event event-death near-onset" data-event-id="e4">"#)
    );
    assert_eq!(t.svg.matches(r#"class="event-span""#).count(), 3);
    assert_eq!(t.svg.matches(r#"class="event-point""#).count(), 3);
    assert_eq!(t.svg.matches(r#"class="mood-point""#).count(), 12);
    // Years apart on one axis: ticks read as years.
    assert!(t.svg.contains(">2020</text>"));
    insta::assert_snapshot!("grief_case", t.svg);
}

#[test]
fn the_window_is_configurable() {
    let o = onset();
    let t = draw_timeline(&TimelineInput {
        id: "timeline",
        events: &grief_case(),
        onset: Some(&o),
        window: NearOnset {
            weeks_before: 3,
            weeks_after: 0,
        },
        mood: None,
        labels: &labels(),
    });
    let near: Vec<&str> = t
        .table
        .events
        .iter()
        .filter(|e| e.near_onset)
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(near, ["Mother died"]);
}

#[test]
fn crowded_labels_go_into_separate_lanes() {
    // Twelve events in three months, with long labels.
    let start = date!(2025 - 09 - 01);
    let events: Vec<TimelineEvent> = (0..12)
        .map(|i| {
            let d = start + Duration::days(7 * i);
            ev(
                &format!("e{i:02}"),
                d,
                d,
                &d.to_string(),
                &format!("Something happened with a rather long description number {i}"),
                ["conflict", "move", "loss"][i as usize % 3],
                &["Ana"],
            )
        })
        .collect();
    let o = onset();
    let t = draw(&events, Some(&o), None);
    let lanes: Vec<usize> = t.table.events.iter().map(|e| e.lane).collect();
    assert!(lanes.iter().max().unwrap() >= &3, "{lanes:?}");
    assert_eq!(t.labels.len(), 12);
    // Labels in the same lane never overlap; where room ran out a label is shortened (ending
    // with an ellipsis) rather than drawn over another.
    for (i, x) in t.labels.iter().enumerate() {
        assert_eq!(x.lane, t.table.events[i].lane);
        for y in &t.labels[i + 1..] {
            if x.lane == y.lane {
                assert!(
                    x.x1 <= y.x0 || y.x1 <= x.x0,
                    "{} and {} overlap",
                    x.id,
                    y.id
                );
            }
        }
        assert!(x.text.starts_with("Somethi"), "{}", x.text);
    }
    assert!(
        t.labels
            .iter()
            .any(|l| l.text.chars().count() < 40 && l.text.ends_with('…'))
    );
    insta::assert_snapshot!("crowded", t.svg);
}

#[test]
fn output_is_stable_and_does_not_depend_on_order() {
    let o = onset();
    let m = mood();
    let mut shuffled = grief_case();
    shuffled.reverse();
    assert_eq!(
        draw(&grief_case(), Some(&o), Some(&m)).svg,
        draw(&shuffled, Some(&o), Some(&m)).svg
    );
}

#[test]
fn a_mood_scale_other_than_zero_to_ten() {
    let m = MoodSeries {
        min: -5.0,
        max: 5.0,
        points: vec![
            MoodPoint {
                date: date!(2026 - 03 - 02),
                value: -3.0,
            },
            MoodPoint {
                date: date!(2026 - 03 - 03),
                value: 1.5,
            },
            MoodPoint {
                date: date!(2026 - 03 - 04),
                value: 4.0,
            },
        ],
    };
    let t = draw(&[], None, Some(&m));
    assert!(t.svg.contains(">-5</text>"));
    assert!(t.svg.contains(">5</text>"));
    assert!(
        t.summary
            .ends_with("Mood: -3 (2026-03-02), 1.5 (2026-03-03), 4 (2026-03-04).")
    );
    insta::assert_snapshot!("mood_only", t.svg);
}
