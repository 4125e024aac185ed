//! The closeness circle: the client at the centre, three rings around (inner, middle, outer), and
//! each important person as a labelled marker on the ring where the client placed them.
//!
//! Markers are coloured by CSS classes (`person support-high conflict-low status-current`) with
//! plain presentation attributes as print-safe defaults: support darkens the fill, conflict
//! thickens and reddens the outline, and past, estranged and deceased relationships have dashed
//! or dotted outlines and italic labels. Each marker carries `data-person-id` (and `data-ring`) so
//! a small script can make it draggable later; nothing here needs JavaScript.
//!
//! Placement is deterministic: a stored angle is kept; people without one go, in id order, into
//! the widest free gap on their ring (evenly spaced when nobody has an angle). Markers that would
//! touch are pushed apart along their ring, and each label takes the first of several positions
//! around its marker that overlaps no other label, marker or ring title.
//!
//! The change view compares two snapshots (for example intake and termination): a faded "ghost"
//! marks where each person used to be, with an arrow to where they are now; people who joined
//! have a halo; people who left are shown as crossed-out ghosts. It also returns the changes as
//! plain data for a table beside the drawing.
//!
//! Input is a plain list ([`CirclePerson`]); all words come from the caller.

use crate::svg::{Svg, a, class_token, num, shorten};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub const SIZE: f64 = 640.0;
const CENTRE: f64 = SIZE / 2.0;
const CLIENT_RADIUS: f64 = 42.0;
/// Outer edge of rings 1, 2 and 3.
const RING_EDGE: [f64; 3] = [120.0, 200.0, 280.0];
/// Where markers of rings 1, 2 and 3 sit.
const RING_TRACK: [f64; 3] = [81.0, 160.0, 240.0];
const RING_FILL: [&str; 3] = ["#dfe8f1", "#eaf0f6", "#f5f8fb"];
const MARKER_RADIUS: f64 = 9.0;
const LABEL_CHARS: usize = 16;
const CHAR_WIDTH: f64 = 5.8;
const LABEL_HEIGHT: f64 = 12.0;
const MARGIN: f64 = 2.0;

/// How much conflict there is with a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conflict {
    None,
    Low,
    Moderate,
    High,
}

impl Conflict {
    pub fn code(self) -> &'static str {
        match self {
            Conflict::None => "none",
            Conflict::Low => "low",
            Conflict::Moderate => "moderate",
            Conflict::High => "high",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where the relationship stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationStatus {
    Current,
    Past,
    Deceased,
    Estranged,
}

impl RelationStatus {
    pub fn code(self) -> &'static str {
        match self {
            RelationStatus::Current => "current",
            RelationStatus::Past => "past",
            RelationStatus::Deceased => "deceased",
            RelationStatus::Estranged => "estranged",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Outline dash pattern (none for current relationships).
    fn dash(self) -> Option<&'static str> {
        match self {
            RelationStatus::Current => None,
            RelationStatus::Past => Some("4 2"),
            RelationStatus::Estranged => Some("7 2 1.5 2"),
            RelationStatus::Deceased => Some("1.5 2"),
        }
    }
}

/// One person on the circle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CirclePerson {
    /// Stable id (the inventory person's id), written to `data-person-id`.
    pub id: String,
    /// Name, initials or pseudonym.
    pub label: String,
    /// 1 = inner, 2 = middle, 3 = outer; other values are drawn on the nearest ring.
    pub ring: u8,
    /// Support from this person, 0–10 (values above 10 count as 10).
    pub support: Option<u8>,
    pub conflict: Conflict,
    pub status: RelationStatus,
    /// Stored position, in degrees clockwise from twelve o'clock.
    pub angle: Option<f64>,
}

/// The words the circle uses, already translated by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CircleLabels {
    /// Drawing title, also the start of the text summary: "Closeness circle".
    pub title: String,
    /// Shown at the centre: "You", or the client's name.
    pub client: String,
    /// Names of the rings, inner first: "Closest", "Close", "Further out".
    pub rings: [String; 3],
    /// "Support" (as in "support 8").
    pub support: String,
    /// Words for each conflict level: none, low, moderate, high.
    pub conflict: [String; 4],
    /// Words for each status: current, past, deceased, estranged.
    pub status: [String; 4],
    /// Shown when nobody is on the circle yet.
    pub empty: String,
}

/// Extra words for the change view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeLabels {
    pub moved_inward: String,
    pub moved_outward: String,
    pub joined: String,
    pub left: String,
    pub unchanged: String,
}

pub struct CircleInput<'a> {
    /// Prefix for element ids, unique on the page.
    pub id: &'a str,
    pub people: &'a [CirclePerson],
    pub labels: &'a CircleLabels,
}

pub struct CircleChangeInput<'a> {
    pub id: &'a str,
    pub before: &'a [CirclePerson],
    pub after: &'a [CirclePerson],
    pub labels: &'a CircleLabels,
    pub change_labels: &'a ChangeLabels,
}

/// A rectangle in drawing coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    fn around(cx: f64, cy: f64, r: f64) -> Rect {
        Rect {
            x: cx - r,
            y: cy - r,
            width: 2.0 * r,
            height: 2.0 * r,
        }
    }

    /// Area shared with another rectangle.
    pub fn overlap(&self, o: &Rect) -> f64 {
        let w = (self.x + self.width).min(o.x + o.width) - self.x.max(o.x);
        let h = (self.y + self.height).min(o.y + o.height) - self.y.max(o.y);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }

    fn inside(&self, size: f64) -> bool {
        self.x >= MARGIN
            && self.y >= MARGIN
            && self.x + self.width <= size - MARGIN
            && self.y + self.height <= size - MARGIN
    }
}

/// Where a person ended up in the drawing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacedPerson {
    pub id: String,
    pub ring: u8,
    /// Degrees clockwise from twelve o'clock, in [0, 360).
    pub angle: f64,
    pub x: f64,
    pub y: f64,
    /// The label as drawn (shortened when long) and the box it occupies.
    pub label: String,
    pub label_box: Rect,
}

/// One person, as listed in the table beside the circle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CircleRow {
    pub id: String,
    pub label: String,
    pub ring: u8,
    pub support: Option<u8>,
    pub conflict: Conflict,
    pub status: RelationStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClosenessCircle {
    pub svg: String,
    /// The text put in the SVG's `<desc>`.
    pub summary: String,
    /// People by ring, then label.
    pub rows: Vec<CircleRow>,
    pub layout: Vec<PlacedPerson>,
}

/// How a person's place changed between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    MovedInward,
    MovedOutward,
    Joined,
    Left,
    Unchanged,
}

impl ChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::MovedInward => "moved-inward",
            ChangeKind::MovedOutward => "moved-outward",
            ChangeKind::Joined => "joined",
            ChangeKind::Left => "left",
            ChangeKind::Unchanged => "unchanged",
        }
    }
}

/// One person in the change list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CircleChange {
    pub id: String,
    pub label: String,
    pub kind: ChangeKind,
    pub ring_before: Option<u8>,
    pub ring_after: Option<u8>,
    pub support_before: Option<u8>,
    pub support_after: Option<u8>,
    pub conflict_before: Option<Conflict>,
    pub conflict_after: Option<Conflict>,
    pub status_before: Option<RelationStatus>,
    pub status_after: Option<RelationStatus>,
}

impl CircleChange {
    /// Whether the relationship's status changed (for example someone died or became estranged).
    pub fn status_changed(&self) -> bool {
        matches!((self.status_before, self.status_after), (Some(a), Some(b)) if a != b)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CircleChangeView {
    pub svg: String,
    pub summary: String,
    /// Moved inward, moved outward, joined, left, unchanged; then by ring and label.
    pub changes: Vec<CircleChange>,
    pub layout: Vec<PlacedPerson>,
}

fn ring_of(p: &CirclePerson) -> u8 {
    p.ring.clamp(1, 3)
}

fn support_of(p: &CirclePerson) -> Option<u8> {
    p.support.map(|s| s.min(10))
}

fn support_class(s: Option<u8>) -> &'static str {
    match s {
        None => "support-unknown",
        Some(0..=3) => "support-low",
        Some(4..=6) => "support-medium",
        Some(_) => "support-high",
    }
}

fn support_fill(s: Option<u8>) -> &'static str {
    match s {
        None => "#ffffff",
        Some(0..=3) => "#e4efe2",
        Some(4..=6) => "#a9cfa3",
        Some(_) => "#4e9a55",
    }
}

fn conflict_stroke(c: Conflict) -> (&'static str, &'static str) {
    match c {
        Conflict::None => ("#4a4a4a", "1.5"),
        Conflict::Low => ("#b5524e", "2.0"),
        Conflict::Moderate => ("#b5524e", "3.0"),
        Conflict::High => ("#8a1c1c", "4.0"),
    }
}

/// People with duplicate ids dropped (the first is kept), in id order.
fn unique(people: &[CirclePerson]) -> Vec<&CirclePerson> {
    let mut seen = BTreeSet::new();
    let mut out: Vec<&CirclePerson> = people.iter().filter(|p| seen.insert(&p.id)).collect();
    out.sort_by(|x, y| x.id.cmp(&y.id));
    out
}

fn norm(angle: f64) -> f64 {
    if angle.is_finite() {
        angle.rem_euclid(360.0)
    } else {
        0.0
    }
}

fn point(ring: u8, angle: f64, offset: f64) -> (f64, f64) {
    let r = RING_TRACK[usize::from(ring - 1)] + offset;
    let t = angle.to_radians();
    (CENTRE + r * t.sin(), CENTRE - r * t.cos())
}

/// Angles for the people of one ring (`stored` in the same order as the people).
fn ring_angles(ring: u8, stored: &[Option<f64>]) -> Vec<f64> {
    let n = stored.len();
    if n == 0 {
        return Vec::new();
    }
    let step = 360.0 / n as f64;
    let mut angles: Vec<Option<f64>> = stored.iter().map(|a| a.map(norm)).collect();
    if angles.iter().all(Option::is_none) {
        // Even spacing, each ring turned a little so that rings do not line up.
        let offset = step / 2.0 + f64::from(ring - 1) * step / 3.0;
        return (0..n).map(|k| norm(offset + k as f64 * step)).collect();
    }
    // Fill the others, in order, into the middle of the widest free gap.
    for k in 0..n {
        if angles[k].is_some() {
            continue;
        }
        let mut taken: Vec<f64> = angles.iter().flatten().copied().collect();
        taken.sort_by(f64::total_cmp);
        let mut best = (f64::MIN, 0.0);
        for (i, &start) in taken.iter().enumerate() {
            let end = if i + 1 < taken.len() {
                taken[i + 1]
            } else {
                taken[0] + 360.0
            };
            if end - start > best.0 + 1e-9 {
                best = (end - start, start);
            }
        }
        angles[k] = Some(norm(best.1 + best.0 / 2.0));
    }
    let mut out: Vec<f64> = angles.into_iter().flatten().collect();
    spread(&mut out, min_separation(ring));
    out
}

/// Smallest angle between two markers on a ring, in degrees.
fn min_separation(ring: u8) -> f64 {
    let r = RING_TRACK[usize::from(ring - 1)];
    ((2.0 * MARKER_RADIUS + 4.0) / r).to_degrees()
}

/// Pushes angles apart until neighbours are at least `sep` degrees apart (or evenly spaced when
/// the ring is too full for that), keeping their order around the ring.
fn spread(angles: &mut [f64], sep: f64) {
    let n = angles.len();
    if n < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| angles[i].total_cmp(&angles[j]).then(i.cmp(&j)));
    let sep = sep.min(360.0 / n as f64);
    for _ in 0..200 {
        let mut moved = false;
        for k in 0..n {
            let i = order[k];
            let j = order[(k + 1) % n];
            let mut gap = angles[j] - angles[i];
            if k + 1 == n {
                gap += 360.0;
            }
            if gap < sep - 1e-6 {
                let push = (sep - gap) / 2.0;
                angles[i] -= push;
                angles[j] += push;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    for a in angles.iter_mut() {
        *a = norm(*a);
    }
}

/// Places every person: angle, position (staggered on crowded rings) and label box.
struct Layout {
    placed: Vec<PlacedPerson>,
}

struct Slot<'a> {
    person: &'a CirclePerson,
    ring: u8,
}

fn lay_out(slots: &[Slot<'_>], obstacles: &[Rect]) -> Layout {
    let mut by_ring: BTreeMap<u8, Vec<&Slot<'_>>> = BTreeMap::new();
    for s in slots {
        by_ring.entry(s.ring).or_default().push(s);
    }
    let mut placed: Vec<PlacedPerson> = Vec::new();
    for (ring, list) in &by_ring {
        let stored: Vec<Option<f64>> = list.iter().map(|s| s.person.angle).collect();
        let angles = ring_angles(*ring, &stored);
        // Alternate two tracks when the ring is crowded, so labels have room.
        let crowded = 360.0 / (list.len() as f64) < 26.0;
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|&i, &j| angles[i].total_cmp(&angles[j]));
        let mut track = vec![0.0; list.len()];
        if crowded {
            for (rank, &i) in order.iter().enumerate() {
                track[i] = if rank % 2 == 0 { -13.0 } else { 13.0 };
            }
        }
        for (i, s) in list.iter().enumerate() {
            let (x, y) = point(*ring, angles[i], track[i]);
            placed.push(PlacedPerson {
                id: s.person.id.clone(),
                ring: *ring,
                angle: angles[i],
                x,
                y,
                label: shorten(&s.person.label, LABEL_CHARS),
                label_box: Rect {
                    x: 0.0,
                    y: 0.0,
                    width: 0.0,
                    height: 0.0,
                },
            });
        }
    }
    // Labels: inner rings first, then clockwise.
    let mut order: Vec<usize> = (0..placed.len()).collect();
    order.sort_by(|&i, &j| {
        (placed[i].ring, placed[i].angle)
            .partial_cmp(&(placed[j].ring, placed[j].angle))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(placed[i].id.cmp(&placed[j].id))
    });
    let mut taken: Vec<Rect> = obstacles.to_vec();
    taken.extend(
        placed
            .iter()
            .map(|p| Rect::around(p.x, p.y, MARKER_RADIUS + 1.0)),
    );
    for i in order {
        let p = &placed[i];
        let w = p.label.chars().count() as f64 * CHAR_WIDTH + 4.0;
        let choice = best_label_box(p.x, p.y, p.angle, w, &taken);
        taken.push(choice);
        placed[i].label_box = choice;
    }
    Layout { placed }
}

/// The first candidate box around a marker that is inside the drawing and overlaps nothing
/// taken; failing that, the one overlapping least.
fn best_label_box(x: f64, y: f64, angle: f64, w: f64, taken: &[Rect]) -> Rect {
    let h = LABEL_HEIGHT;
    let t = angle.to_radians();
    let (ux, uy) = (t.sin(), -t.cos());
    let reach = |extra: f64, dir: f64| {
        // Centre of a box just clear of the marker along the radius (outward dir = 1).
        let half = (ux.abs() * w + uy.abs() * h) / 2.0;
        let d = MARKER_RADIUS + 3.0 + half + extra;
        (x + dir * ux * d, y + dir * uy * d)
    };
    let mut centres = vec![
        reach(0.0, 1.0),
        (x, y + MARKER_RADIUS + 3.0 + h / 2.0),
        (x, y - MARKER_RADIUS - 3.0 - h / 2.0),
        (x + MARKER_RADIUS + 4.0 + w / 2.0, y),
        (x - MARKER_RADIUS - 4.0 - w / 2.0, y),
        reach(0.0, -1.0),
    ];
    for extra in [14.0, 28.0] {
        centres.push(reach(extra, 1.0));
        centres.push((x, y + MARKER_RADIUS + 3.0 + h / 2.0 + extra));
        centres.push((x, y - MARKER_RADIUS - 3.0 - h / 2.0 - extra));
    }
    let boxes: Vec<Rect> = centres
        .into_iter()
        .map(|(cx, cy)| Rect {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            width: w,
            height: h,
        })
        .collect();
    let cost = |b: &Rect| -> f64 {
        let over: f64 = taken.iter().map(|t| b.overlap(t)).sum();
        if b.inside(SIZE) { over } else { over + 1e6 }
    };
    let mut best = boxes[0];
    let mut best_cost = f64::MAX;
    for b in &boxes {
        let c = cost(b);
        if c == 0.0 {
            return *b;
        }
        if c < best_cost - 1e-9 {
            best = *b;
            best_cost = c;
        }
    }
    best
}

/// Boxes of the ring titles, placed at the top of each band.
fn ring_title_boxes(labels: &CircleLabels) -> Vec<(usize, Rect)> {
    (0..3)
        .map(|i| {
            let text = shorten(&labels.rings[i], 20);
            let w = text.chars().count() as f64 * 5.2 + 4.0;
            let top = CENTRE - RING_EDGE[i] + 3.0;
            (
                i,
                Rect {
                    x: CENTRE - w / 2.0,
                    y: top,
                    width: w,
                    height: 11.0,
                },
            )
        })
        .collect()
}

fn open_svg(svg: &mut Svg, id: &str, class: &str, labels: &CircleLabels, summary: &str) {
    svg.open(
        "svg",
        &[
            a("xmlns", "http://www.w3.org/2000/svg"),
            a("viewBox", format!("0 0 {} {}", num(SIZE), num(SIZE))),
            a("width", num(SIZE)),
            a("height", num(SIZE)),
            a("role", "img"),
            a("aria-labelledby", format!("{id}-title {id}-desc")),
            a("class", class),
            a("font-family", "sans-serif"),
            a("font-size", "10"),
        ],
    );
    svg.text("title", &[a("id", format!("{id}-title"))], &labels.title);
    svg.text("desc", &[a("id", format!("{id}-desc"))], summary);
}

fn draw_rings(svg: &mut Svg, labels: &CircleLabels) {
    svg.open("g", &[a("class", "rings")]);
    for i in (0..3).rev() {
        svg.empty(
            "circle",
            &[
                a("class", format!("ring ring-{}", i + 1)),
                a("cx", num(CENTRE)),
                a("cy", num(CENTRE)),
                a("r", num(RING_EDGE[i])),
                a("fill", RING_FILL[i]),
                a("stroke", "#9aa9b8"),
                a("stroke-width", "1"),
            ],
        );
    }
    for (i, b) in ring_title_boxes(labels) {
        svg.text(
            "text",
            &[
                a("class", "ring-label"),
                a("x", num(CENTRE)),
                a("y", num(b.y + 9.0)),
                a("text-anchor", "middle"),
                a("fill", "#5b6b7b"),
                a("font-size", "9"),
            ],
            &shorten(&labels.rings[i], 20),
        );
    }
    svg.empty(
        "circle",
        &[
            a("class", "client"),
            a("cx", num(CENTRE)),
            a("cy", num(CENTRE)),
            a("r", num(CLIENT_RADIUS)),
            a("fill", "#1f4e79"),
        ],
    );
    svg.text(
        "text",
        &[
            a("class", "client-label"),
            a("x", num(CENTRE)),
            a("y", num(CENTRE + 4.0)),
            a("text-anchor", "middle"),
            a("fill", "#ffffff"),
            a("font-size", "11"),
        ],
        &shorten(&labels.client, 12),
    );
    svg.close("g");
}

/// What a person's tooltip and summary entry say: "Ana (support 8, conflict: high, deceased)".
fn describe(p: &CirclePerson, labels: &CircleLabels) -> String {
    let mut bits = Vec::new();
    if let Some(s) = support_of(p) {
        bits.push(format!("{} {s}", labels.support));
    }
    if p.conflict != Conflict::None {
        bits.push(labels.conflict[p.conflict.index()].clone());
    }
    if p.status != RelationStatus::Current {
        bits.push(labels.status[p.status.index()].clone());
    }
    if bits.is_empty() {
        p.label.clone()
    } else {
        format!("{} ({})", p.label, bits.join(", "))
    }
}

fn draw_person(
    svg: &mut Svg,
    p: &CirclePerson,
    at: &PlacedPerson,
    labels: &CircleLabels,
    extra_class: Option<&str>,
) {
    let support = support_of(p);
    let mut class = format!(
        "person {} conflict-{} status-{}",
        support_class(support),
        p.conflict.code(),
        p.status.code()
    );
    if let Some(extra) = extra_class {
        class.push(' ');
        class.push_str(extra);
    }
    svg.open(
        "g",
        &[
            a("class", class),
            a("data-person-id", p.id.clone()),
            a("data-ring", at.ring.to_string()),
        ],
    );
    svg.text(
        "title",
        &[],
        &format!(
            "{}: {}",
            labels.rings[usize::from(at.ring - 1)],
            describe(p, labels)
        ),
    );
    if extra_class == Some("joined") {
        svg.empty(
            "circle",
            &[
                a("class", "halo"),
                a("cx", num(at.x)),
                a("cy", num(at.y)),
                a("r", num(MARKER_RADIUS + 4.0)),
                a("fill", "none"),
                a("stroke", "#1f4e79"),
                a("stroke-width", "1.5"),
                a("stroke-dasharray", "2 2"),
            ],
        );
    }
    let (stroke, width) = conflict_stroke(p.conflict);
    let mut attrs = vec![
        a("class", "marker"),
        a("cx", num(at.x)),
        a("cy", num(at.y)),
        a("r", num(MARKER_RADIUS)),
        a("fill", support_fill(support)),
        a("stroke", stroke),
        a("stroke-width", width),
    ];
    if let Some(dash) = p.status.dash() {
        attrs.push(a("stroke-dasharray", dash));
    }
    svg.empty("circle", &attrs);
    label_text(svg, at, p.status != RelationStatus::Current, "#222222");
    svg.close("g");
}

fn label_text(svg: &mut Svg, at: &PlacedPerson, italic: bool, fill: &str) {
    let b = at.label_box;
    let mut attrs = vec![
        a("class", "person-label"),
        a("x", num(b.x + b.width / 2.0)),
        a("y", num(b.y + b.height - 3.0)),
        a("text-anchor", "middle"),
        a("fill", fill),
    ];
    if italic {
        attrs.push(a("font-style", "italic"));
    }
    svg.text("text", &attrs, &at.label);
}

fn rows_of(people: &[&CirclePerson]) -> Vec<CircleRow> {
    let mut rows: Vec<CircleRow> = people
        .iter()
        .map(|p| CircleRow {
            id: p.id.clone(),
            label: p.label.clone(),
            ring: ring_of(p),
            support: support_of(p),
            conflict: p.conflict,
            status: p.status,
        })
        .collect();
    rows.sort_by(|x, y| (x.ring, &x.label, &x.id).cmp(&(y.ring, &y.label, &y.id)));
    rows
}

/// Draws the circle and returns it with its rows and layout.
pub fn draw_closeness_circle(input: &CircleInput<'_>) -> ClosenessCircle {
    let labels = input.labels;
    let people = unique(input.people);
    let rows = rows_of(&people);
    let summary = circle_summary(labels, &people);

    let slots: Vec<Slot<'_>> = people
        .iter()
        .map(|p| Slot {
            person: p,
            ring: ring_of(p),
        })
        .collect();
    let obstacles: Vec<Rect> = ring_title_boxes(labels)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let layout = lay_out(&slots, &obstacles);

    let id = class_token(input.id);
    let mut svg = Svg::new();
    open_svg(&mut svg, &id, "closeness-circle", labels, &summary);
    draw_rings(&mut svg, labels);
    svg.open("g", &[a("class", "people")]);
    for (p, at) in people.iter().zip(&layout.placed_in(&people)) {
        draw_person(&mut svg, p, at, labels, None);
    }
    if people.is_empty() {
        svg.text(
            "text",
            &[
                a("class", "empty"),
                a("x", num(CENTRE)),
                a("y", num(CENTRE + CLIENT_RADIUS + 24.0)),
                a("text-anchor", "middle"),
                a("fill", "#555555"),
            ],
            &labels.empty,
        );
    }
    svg.close("g");
    svg.close("svg");
    ClosenessCircle {
        svg: svg.finish(),
        summary,
        rows,
        layout: layout.placed_in(&people),
    }
}

impl Layout {
    /// The placements in the order of `people`.
    fn placed_in(&self, people: &[&CirclePerson]) -> Vec<PlacedPerson> {
        people
            .iter()
            .filter_map(|p| self.placed.iter().find(|q| q.id == p.id).cloned())
            .collect()
    }
}

fn circle_summary(labels: &CircleLabels, people: &[&CirclePerson]) -> String {
    let mut parts = vec![labels.title.trim_end_matches('.').to_string()];
    if people.is_empty() {
        parts.push(labels.empty.clone());
    }
    for ring in 1..=3u8 {
        let mut here: Vec<&&CirclePerson> = people.iter().filter(|p| ring_of(p) == ring).collect();
        if here.is_empty() {
            continue;
        }
        here.sort_by(|x, y| (&x.label, &x.id).cmp(&(&y.label, &y.id)));
        let list: Vec<String> = here.iter().map(|p| describe(p, labels)).collect();
        parts.push(format!(
            "{}: {}",
            labels.rings[usize::from(ring - 1)],
            list.join(", ")
        ));
    }
    let mut s = parts.join(". ");
    s.push('.');
    s
}

/// Compares two snapshots of the circle and draws the later one with the changes marked.
pub fn draw_circle_change(input: &CircleChangeInput<'_>) -> CircleChangeView {
    let labels = input.labels;
    let before = unique(input.before);
    let after = unique(input.after);
    let before_by: BTreeMap<&str, &CirclePerson> =
        before.iter().map(|p| (p.id.as_str(), *p)).collect();
    let after_by: BTreeMap<&str, &CirclePerson> =
        after.iter().map(|p| (p.id.as_str(), *p)).collect();
    let ids: BTreeSet<&str> = before_by.keys().chain(after_by.keys()).copied().collect();

    let mut changes: Vec<CircleChange> = ids
        .iter()
        .map(|id| {
            let b = before_by.get(id).copied();
            let f = after_by.get(id).copied();
            let kind = match (b.map(ring_of), f.map(ring_of)) {
                (None, _) => ChangeKind::Joined,
                (_, None) => ChangeKind::Left,
                (Some(x), Some(y)) if y < x => ChangeKind::MovedInward,
                (Some(x), Some(y)) if y > x => ChangeKind::MovedOutward,
                _ => ChangeKind::Unchanged,
            };
            let label = f.or(b).map(|p| p.label.clone()).unwrap_or_default();
            CircleChange {
                id: id.to_string(),
                label,
                kind,
                ring_before: b.map(ring_of),
                ring_after: f.map(ring_of),
                support_before: b.and_then(support_of),
                support_after: f.and_then(support_of),
                conflict_before: b.map(|p| p.conflict),
                conflict_after: f.map(|p| p.conflict),
                status_before: b.map(|p| p.status),
                status_after: f.map(|p| p.status),
            }
        })
        .collect();
    changes.sort_by(|x, y| {
        (x.kind, x.ring_after.or(x.ring_before), &x.label, &x.id).cmp(&(
            y.kind,
            y.ring_after.or(y.ring_before),
            &y.label,
            &y.id,
        ))
    });

    // Everyone is placed once: at their later ring, or their earlier ring if they left. The
    // later stored angle wins, then the earlier one.
    let merged: Vec<CirclePerson> = ids
        .iter()
        .map(|id| {
            let b = before_by.get(id).copied();
            let f = after_by.get(id).copied();
            let base = f.or(b).expect("id comes from one of the snapshots");
            CirclePerson {
                angle: f.and_then(|p| p.angle).or(b.and_then(|p| p.angle)),
                ..base.clone()
            }
        })
        .collect();
    let slots: Vec<Slot<'_>> = merged
        .iter()
        .map(|p| Slot {
            person: p,
            ring: ring_of(p),
        })
        .collect();
    // Ghosts of moved people are obstacles for labels too.
    let ghost_positions: BTreeMap<&str, u8> = changes
        .iter()
        .filter(|c| matches!(c.kind, ChangeKind::MovedInward | ChangeKind::MovedOutward))
        .filter_map(|c| Some((c.id.as_str(), c.ring_before?)))
        .collect();
    let mut obstacles: Vec<Rect> = ring_title_boxes(labels)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    // A first layout fixes the angles; ghosts sit at the same angle on their earlier ring.
    let first = lay_out(&slots, &obstacles);
    for p in &first.placed {
        if let Some(ring) = ghost_positions.get(p.id.as_str()) {
            let (gx, gy) = point(*ring, p.angle, 0.0);
            obstacles.push(Rect::around(gx, gy, MARKER_RADIUS + 1.0));
            // The arrow to the current marker: small boxes along it.
            let steps = (((p.x - gx).powi(2) + (p.y - gy).powi(2)).sqrt() / 6.0).ceil() as usize;
            for k in 1..steps {
                let t = k as f64 / steps as f64;
                obstacles.push(Rect::around(gx + (p.x - gx) * t, gy + (p.y - gy) * t, 3.0));
            }
        }
    }
    let layout = lay_out(&slots, &obstacles);
    let merged_refs: Vec<&CirclePerson> = merged.iter().collect();
    let placed = layout.placed_in(&merged_refs);

    let summary = change_summary(labels, input.change_labels, &changes);
    let id = class_token(input.id);
    let mut svg = Svg::new();
    open_svg(
        &mut svg,
        &id,
        "closeness-circle closeness-change",
        labels,
        &summary,
    );
    svg.open("defs", &[]);
    svg.open(
        "marker",
        &[
            a("id", format!("{id}-arrow")),
            a("viewBox", "0 0 10 10"),
            a("refX", "9"),
            a("refY", "5"),
            a("markerWidth", "7"),
            a("markerHeight", "7"),
            a("orient", "auto-start-reverse"),
        ],
    );
    svg.empty(
        "path",
        &[a("d", "M 0 0 L 10 5 L 0 10 Z"), a("fill", "#1f4e79")],
    );
    svg.close("marker");
    svg.close("defs");
    draw_rings(&mut svg, labels);

    // Ghosts and arrows first, so the current markers sit on top.
    svg.open("g", &[a("class", "changes")]);
    for c in &changes {
        let Some(at) = placed.iter().find(|p| p.id == c.id) else {
            continue;
        };
        if let (ChangeKind::MovedInward | ChangeKind::MovedOutward, Some(ring)) =
            (c.kind, c.ring_before)
        {
            let (gx, gy) = point(ring, at.angle, 0.0);
            svg.open(
                "g",
                &[
                    a("class", format!("ghost {}", c.kind.code())),
                    a("data-person-id", c.id.clone()),
                    a("data-ring", ring.to_string()),
                ],
            );
            svg.empty(
                "circle",
                &[
                    a("cx", num(gx)),
                    a("cy", num(gy)),
                    a("r", num(MARKER_RADIUS)),
                    a("fill", "#ffffff"),
                    a("fill-opacity", "0.6"),
                    a("stroke", "#8795a3"),
                    a("stroke-width", "1.2"),
                    a("stroke-dasharray", "3 2"),
                ],
            );
            // The arrow runs from the ghost's edge to the marker's edge.
            let (dx, dy) = (at.x - gx, at.y - gy);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            let gap = MARKER_RADIUS + 2.0;
            svg.empty(
                "line",
                &[
                    a("class", "arrow"),
                    a("x1", num(gx + ux * gap)),
                    a("y1", num(gy + uy * gap)),
                    a("x2", num(at.x - ux * (gap + 1.0))),
                    a("y2", num(at.y - uy * (gap + 1.0))),
                    a("stroke", "#1f4e79"),
                    a("stroke-width", "1.5"),
                    a("marker-end", format!("url(#{id}-arrow)")),
                ],
            );
            svg.close("g");
        }
    }
    svg.close("g");

    svg.open("g", &[a("class", "people")]);
    for c in &changes {
        let Some(at) = placed.iter().find(|p| p.id == c.id) else {
            continue;
        };
        let person = merged
            .iter()
            .find(|p| p.id == c.id)
            .expect("every change has a person");
        if c.kind == ChangeKind::Left {
            draw_left(&mut svg, person, at, labels);
        } else {
            draw_person(&mut svg, person, at, labels, Some(c.kind.code()));
        }
    }
    svg.close("g");
    svg.close("svg");

    CircleChangeView {
        svg: svg.finish(),
        summary,
        changes,
        layout: placed,
    }
}

/// A person who is no longer on the circle: a faded, crossed-out marker with their label.
fn draw_left(svg: &mut Svg, p: &CirclePerson, at: &PlacedPerson, labels: &CircleLabels) {
    svg.open(
        "g",
        &[
            a("class", format!("ghost left status-{}", p.status.code())),
            a("data-person-id", p.id.clone()),
            a("data-ring", at.ring.to_string()),
        ],
    );
    svg.text(
        "title",
        &[],
        &format!(
            "{}: {}",
            labels.rings[usize::from(at.ring - 1)],
            describe(p, labels)
        ),
    );
    svg.empty(
        "circle",
        &[
            a("cx", num(at.x)),
            a("cy", num(at.y)),
            a("r", num(MARKER_RADIUS)),
            a("fill", "#ffffff"),
            a("fill-opacity", "0.6"),
            a("stroke", "#8795a3"),
            a("stroke-width", "1.2"),
            a("stroke-dasharray", "3 2"),
        ],
    );
    let d = MARKER_RADIUS * 0.6;
    svg.empty(
        "path",
        &[
            a(
                "d",
                format!(
                    "M {} {} L {} {} M {} {} L {} {}",
                    num(at.x - d),
                    num(at.y - d),
                    num(at.x + d),
                    num(at.y + d),
                    num(at.x - d),
                    num(at.y + d),
                    num(at.x + d),
                    num(at.y - d)
                ),
            ),
            a("stroke", "#8795a3"),
            a("stroke-width", "1.5"),
        ],
    );
    label_text(svg, at, true, "#6b7785");
    svg.close("g");
}

fn change_summary(labels: &CircleLabels, words: &ChangeLabels, changes: &[CircleChange]) -> String {
    let ring = |r: Option<u8>| {
        r.map(|r| labels.rings[usize::from(r - 1)].clone())
            .unwrap_or_default()
    };
    let mut parts = vec![labels.title.trim_end_matches('.').to_string()];
    if changes.is_empty() {
        parts.push(labels.empty.clone());
    }
    for (kind, word) in [
        (ChangeKind::MovedInward, &words.moved_inward),
        (ChangeKind::MovedOutward, &words.moved_outward),
        (ChangeKind::Joined, &words.joined),
        (ChangeKind::Left, &words.left),
        (ChangeKind::Unchanged, &words.unchanged),
    ] {
        let list: Vec<String> = changes
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| match kind {
                ChangeKind::MovedInward | ChangeKind::MovedOutward => {
                    format!(
                        "{} ({} → {})",
                        c.label,
                        ring(c.ring_before),
                        ring(c.ring_after)
                    )
                }
                ChangeKind::Joined | ChangeKind::Unchanged => {
                    format!("{} ({})", c.label, ring(c.ring_after))
                }
                ChangeKind::Left => format!("{} ({})", c.label, ring(c.ring_before)),
            })
            .collect();
        if !list.is_empty() {
            parts.push(format!("{word}: {}", list.join(", ")));
        }
    }
    let mut s = parts.join(". ");
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_spacing_turns_each_ring() {
        assert_eq!(ring_angles(1, &[None]), vec![180.0]);
        assert_eq!(ring_angles(2, &[None]), vec![300.0]);
        assert_eq!(ring_angles(1, &[None, None]), vec![90.0, 270.0]);
    }

    #[test]
    fn people_without_an_angle_fill_the_widest_gap() {
        let a = ring_angles(3, &[Some(0.0), None, Some(90.0)]);
        assert_eq!(a[0], 0.0);
        assert_eq!(a[2], 90.0);
        assert!((a[1] - 225.0).abs() < 1e-9, "{a:?}");
    }

    #[test]
    fn markers_that_would_touch_are_pushed_apart() {
        let sep = min_separation(1);
        let a = ring_angles(1, &[Some(10.0), Some(11.0)]);
        let gap = (a[1] - a[0]).rem_euclid(360.0);
        assert!(gap >= sep - 1e-6, "{a:?}");
        // Order around the ring is kept.
        assert!(a[0] < a[1] || a[0] > 300.0);
    }

    #[test]
    fn overlap_is_an_area() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        let s = Rect {
            x: 5.0,
            y: 5.0,
            width: 10.0,
            height: 10.0,
        };
        assert_eq!(r.overlap(&s), 25.0);
        assert_eq!(r.overlap(&Rect { x: 10.0, ..s }), 0.0);
    }
}
