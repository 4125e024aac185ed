//! Kith's own SVG drawings: pure functions from plain data to SVG text, deterministic (fixed
//! decimals, no clock, no randomness) and accessible (`role="img"`, `<title>`, `<desc>`, and a
//! data table returned with each drawing). No JavaScript.
//!
//! * [`measure_chart`]: an instrument's scores over a course, with bands, thresholds and life
//!   events.
//! * [`closeness_circle`]: the people of the interpersonal inventory on three rings around the
//!   client, and the change between two snapshots.
//! * [`timeline`]: life events on a time axis with the onset of the episode and a mood line.
//! * [`svg`] and [`scale`]: the writer and scales the drawings share.

pub mod closeness_circle;
pub mod measure_chart;
pub mod scale;
pub mod svg;
pub mod timeline;

pub use closeness_circle::{
    ChangeKind, ChangeLabels, CircleChange, CircleChangeInput, CircleChangeView, CircleInput,
    CircleLabels, CirclePerson, CircleRow, ClosenessCircle, Conflict, PlacedPerson, RelationStatus,
    draw_circle_change, draw_closeness_circle,
};
pub use measure_chart::{
    ChartEvent, ChartLabels, ChartTable, EventRow, MeasureChart, MeasureChartInput, ScoreRow,
    XAxis, draw_measure_chart,
};
pub use timeline::{
    MoodPoint, MoodSeries, NearOnset, Onset, Timeline, TimelineEvent, TimelineInput,
    TimelineLabels, TimelineTable, draw_timeline,
};
