//! The measure chart: snapshots of the SVG for typical and edge cases, and checks of what a
//! reader relies on (accessibility, no hard-coded words, stable output).

use kith_domain::locale::Locale;
use kith_domain::measure::{InstrumentLibrary, Score, ScorePoint};
use kith_report::measure_chart::{
    ChartEvent, ChartLabels, MeasureChart, MeasureChartInput, XAxis, draw_measure_chart,
};
use time::{Date, Duration, Month};

fn day(y: i32, m: Month, d: u8) -> Date {
    Date::from_calendar_date(y, m, d).unwrap()
}

fn english() -> ChartLabels {
    ChartLabels {
        title: "PHQ-9 scores".into(),
        score_axis: "Score".into(),
        x_axis: "Session".into(),
        scores: "Scores".into(),
        baseline: "Baseline".into(),
        latest: "Latest".into(),
        response_line: "Response".into(),
        remission_line: "Remission".into(),
        events: "Life events".into(),
        no_data: "No scores yet".into(),
    }
}

fn weekly(start: Date, scores: &[i64]) -> Vec<ScorePoint> {
    scores
        .iter()
        .enumerate()
        .map(|(n, s)| ScorePoint {
            date: start + Duration::weeks(n as i64),
            session: Some(n as u32 + 1),
            score: Score::whole(*s),
        })
        .collect()
}

fn event(date: Date, label: &str, kind: &str) -> ChartEvent {
    ChartEvent {
        date,
        label: label.into(),
        kind: kind.into(),
    }
}

fn chart(
    instrument: &str,
    points: &[ScorePoint],
    events: &[ChartEvent],
    axis: XAxis,
    labels: &ChartLabels,
    locale: Locale,
) -> MeasureChart {
    let instrument = InstrumentLibrary::builtin().get(instrument).unwrap();
    let rules = instrument.change_rules();
    draw_measure_chart(&MeasureChartInput {
        id: "chart",
        instrument,
        locale,
        rules: &rules,
        points,
        events,
        axis,
        labels,
    })
}

fn start() -> Date {
    day(2026, Month::January, 5)
}

#[test]
fn phq9_course_by_session_with_life_events() {
    let points = weekly(start(), &[19, 17, 16, 14, 15, 11, 9, 8, 6, 4, 5, 4]);
    let events = [
        event(
            day(2026, Month::January, 29),
            "Argument with sister",
            "conflict",
        ),
        event(
            day(2026, Month::February, 23),
            "Started new job",
            "transition",
        ),
        event(day(2025, Month::November, 2), "Mother died", "loss"),
    ];
    let c = chart(
        "phq9",
        &points,
        &events,
        XAxis::Session,
        &english(),
        Locale::En,
    );
    insta::assert_snapshot!("phq9_by_session", c.svg);
    // The event before the first session is listed but not drawn.
    let off: Vec<&str> = c
        .table
        .events
        .iter()
        .filter(|e| !e.on_chart)
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(off, ["Mother died"]);
    assert_eq!(c.table.baseline, Some(Score::whole(19)));
    assert_eq!(c.table.response_line, Some(Score::from_hundredths(950)));
    assert_eq!(c.table.remission_line, Some(Score::whole(5)));
    assert_eq!(
        c.table.rows[0].band_id.as_deref(),
        Some("moderately-severe")
    );
    assert_eq!(
        c.table.rows[11].band_label.as_deref(),
        Some("None or minimal")
    );
    assert!(c.svg.contains("class=\"band band-moderately-severe\""));
    assert!(c.svg.contains("class=\"event event-conflict\""));
}

#[test]
fn dates_far_apart_on_a_date_axis() {
    let points = vec![
        ScorePoint {
            date: day(2024, Month::March, 4),
            session: Some(1),
            score: Score::whole(22),
        },
        ScorePoint {
            date: day(2024, Month::April, 1),
            session: Some(5),
            score: Score::whole(14),
        },
        ScorePoint {
            date: day(2025, Month::September, 15),
            session: None,
            score: Score::whole(6),
        },
    ];
    let events = [event(day(2024, Month::December, 24), "Moved house", "move")];
    let mut labels = english();
    labels.x_axis = "Date".into();
    let c = chart("phq9", &points, &events, XAxis::Date, &labels, Locale::En);
    insta::assert_snapshot!("phq9_by_date_far_apart", c.svg);
    assert!(c.table.events[0].on_chart);
    assert!(c.table.rows.iter().all(|r| r.on_chart));
}

#[test]
fn no_scores_yet() {
    let events = [event(start(), "Course started", "milestone")];
    let c = chart("gad7", &[], &events, XAxis::Session, &english(), Locale::En);
    insta::assert_snapshot!("gad7_empty", c.svg);
    assert!(c.svg.contains("No scores yet"));
    assert!(c.table.rows.is_empty());
    assert_eq!(c.table.response_line, None);
    assert!(!c.table.events[0].on_chart);
}

#[test]
fn a_single_score() {
    let points = weekly(start(), &[12]);
    let c = chart("gad7", &points, &[], XAxis::Session, &english(), Locale::En);
    insta::assert_snapshot!("gad7_single", c.svg);
    assert!(!c.svg.contains("<polyline"));
    assert!(c.svg.contains("point point-baseline"));
}

#[test]
fn all_scores_equal() {
    let points = weekly(start(), &[10, 10, 10, 10]);
    let c = chart("phq9", &points, &[], XAxis::Date, &english(), Locale::En);
    insta::assert_snapshot!("phq9_flat", c.svg);
}

#[test]
fn srm_higher_is_better_without_bands() {
    let points: Vec<ScorePoint> = [250, 310, 375, 400, 525]
        .iter()
        .enumerate()
        .map(|(n, h)| ScorePoint {
            date: start() + Duration::weeks(n as i64),
            session: Some(n as u32 + 1),
            score: Score::from_hundredths(*h),
        })
        .collect();
    let mut labels = english();
    labels.title = "SRM-5".into();
    let c = chart("srm5", &points, &[], XAxis::Session, &labels, Locale::En);
    insta::assert_snapshot!("srm5_by_session", c.svg);
    assert!(!c.svg.contains("class=\"band "));
    assert_eq!(c.table.rows[4].score_text, "5.25");
    // SRM ships with response switched off: no response line.
    assert_eq!(c.table.response_line, None);
}

#[test]
fn spanish_labels_and_escaping() {
    let labels = ChartLabels {
        title: "Puntuaciones PHQ-9 <prueba> & \"más\"".into(),
        score_axis: "Puntuación".into(),
        x_axis: "Sesión".into(),
        scores: "Puntuaciones".into(),
        baseline: "Inicio".into(),
        latest: "Última".into(),
        response_line: "Respuesta".into(),
        remission_line: "Remisión".into(),
        events: "Acontecimientos".into(),
        no_data: "Sin puntuaciones".into(),
    };
    let points = weekly(start(), &[16, 12, 7]);
    let events = [event(
        day(2026, Month::January, 14),
        "Mudanza <casa>",
        "Mudanza!",
    )];
    let c = chart(
        "phq9",
        &points,
        &events,
        XAxis::Session,
        &labels,
        Locale::Es,
    );
    insta::assert_snapshot!("phq9_spanish", c.svg);
    assert!(c.svg.contains("&lt;prueba&gt; &amp; &quot;más&quot;"));
    assert!(c.svg.contains("Moderadamente grave"));
    assert!(c.svg.contains("event event-mudanza"));
    for english_word in [
        "Score",
        "Session",
        "Baseline",
        "Response",
        "Remission",
        "Severe",
        "Mild",
    ] {
        assert!(
            !c.svg.contains(english_word),
            "{english_word} leaked into a Spanish chart"
        );
    }
}

#[test]
fn summary_lists_every_score_and_event() {
    let points = weekly(start(), &[14, 9]);
    let events = [event(day(2026, Month::January, 8), "Exam", "stress")];
    let c = chart(
        "phq9",
        &points,
        &events,
        XAxis::Session,
        &english(),
        Locale::En,
    );
    assert_eq!(
        c.summary,
        "PHQ-9 scores. Scores: 14 (2026-01-05), 9 (2026-01-12). Baseline: 14 (2026-01-05). \
         Latest: 9 (2026-01-12). Response: 7. Remission: 5. Life events: Exam (2026-01-08)."
    );
    assert!(
        c.svg
            .contains(&format!("<desc id=\"chart-desc\">{}</desc>", c.summary))
    );
    assert!(c.svg.contains("role=\"img\""));
    assert!(c.svg.contains("aria-labelledby=\"chart-title chart-desc\""));
}

#[test]
fn output_is_stable_and_has_no_long_decimals() {
    let points = weekly(start(), &[21, 18, 13, 12, 9, 7, 7]);
    let events = [event(
        day(2026, Month::January, 17),
        "Row at work",
        "conflict",
    )];
    let a = chart(
        "phq9",
        &points,
        &events,
        XAxis::Session,
        &english(),
        Locale::En,
    );
    let b = chart(
        "phq9",
        &points,
        &events,
        XAxis::Session,
        &english(),
        Locale::En,
    );
    assert_eq!(a, b);
    let long_decimal = a
        .svg
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|tok| {
            // A sentence may end right after a number ("Response: 10.50.").
            tok.trim_end_matches('.')
                .split_once('.')
                .is_some_and(|(_, frac)| frac.len() > 2)
        });
    assert!(
        !long_decimal,
        "a number with more than two decimals was printed"
    );
}

#[test]
fn points_without_sessions_are_left_off_a_session_axis_but_kept_in_the_table() {
    let mut points = weekly(start(), &[15, 12, 10]);
    points.push(ScorePoint {
        date: start() + Duration::days(3),
        session: None,
        score: Score::whole(13),
    });
    let c = chart("phq9", &points, &[], XAxis::Session, &english(), Locale::En);
    assert_eq!(c.table.rows.len(), 4);
    assert_eq!(c.table.rows.iter().filter(|r| !r.on_chart).count(), 1);
    assert_eq!(
        c.svg.matches("<circle").count(),
        3 + 1,
        "three points and the baseline ring"
    );
}
