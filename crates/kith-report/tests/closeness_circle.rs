//! The closeness circle: snapshots of the SVG, and what a reader relies on: every person drawn
//! once with their id, readable labels on a crowded circle, stable output, and only the
//! caller's words.

use kith_report::closeness_circle::{
    ChangeKind, ChangeLabels, CircleChangeInput, CircleInput, CircleLabels, CirclePerson,
    ClosenessCircle, Conflict, RelationStatus, draw_circle_change, draw_closeness_circle,
};

fn labels() -> CircleLabels {
    CircleLabels {
        title: "Closeness circle".into(),
        client: "Maria".into(),
        rings: ["Closest".into(), "Close".into(), "Further out".into()],
        support: "support".into(),
        conflict: [
            "no conflict".into(),
            "some conflict".into(),
            "a fair amount of conflict".into(),
            "a lot of conflict".into(),
        ],
        status: [
            "current".into(),
            "past".into(),
            "died".into(),
            "estranged".into(),
        ],
        empty: "Nobody placed yet".into(),
    }
}

fn change_labels() -> ChangeLabels {
    ChangeLabels {
        moved_inward: "Moved closer".into(),
        moved_outward: "Moved further away".into(),
        joined: "New".into(),
        left: "No longer in the circle".into(),
        unchanged: "Same place".into(),
    }
}

fn p(id: &str, label: &str, ring: u8, support: Option<u8>, conflict: Conflict) -> CirclePerson {
    CirclePerson {
        id: id.into(),
        label: label.into(),
        ring,
        support,
        conflict,
        status: RelationStatus::Current,
        angle: None,
    }
}

fn with_status(mut person: CirclePerson, status: RelationStatus) -> CirclePerson {
    person.status = status;
    person
}

fn draw(people: &[CirclePerson]) -> ClosenessCircle {
    draw_closeness_circle(&CircleInput {
        id: "circle",
        people,
        labels: &labels(),
    })
}

fn intake() -> Vec<CirclePerson> {
    vec![
        p("p-husband", "Jorge (husband)", 1, Some(4), Conflict::High),
        p("p-daughter", "Lucia", 1, Some(9), Conflict::None),
        with_status(
            p("p-mother", "Mum", 1, Some(10), Conflict::None),
            RelationStatus::Deceased,
        ),
        p("p-sister", "Ana", 2, Some(6), Conflict::Moderate),
        p("p-friend", "Carmen", 3, Some(7), Conflict::None),
        p("p-boss", "Mr Ruiz", 3, Some(2), Conflict::Low),
        with_status(
            p("p-ex", "Pablo", 3, None, Conflict::Low),
            RelationStatus::Past,
        ),
        with_status(
            p("p-brother", "Tomas", 2, Some(1), Conflict::High),
            RelationStatus::Estranged,
        ),
    ]
}

fn termination() -> Vec<CirclePerson> {
    vec![
        p("p-husband", "Jorge (husband)", 1, Some(7), Conflict::Low),
        p("p-daughter", "Lucia", 1, Some(9), Conflict::None),
        with_status(
            p("p-mother", "Mum", 2, Some(10), Conflict::None),
            RelationStatus::Deceased,
        ),
        p("p-sister", "Ana", 1, Some(8), Conflict::None),
        p("p-friend", "Carmen", 2, Some(8), Conflict::None),
        p("p-boss", "Mr Ruiz", 3, Some(3), Conflict::None),
        p("p-choir", "Choir friends", 2, Some(6), Conflict::None),
        with_status(
            p("p-brother", "Tomas", 2, Some(3), Conflict::Low),
            RelationStatus::Estranged,
        ),
    ]
}

/// 25 people, most of them on the outer ring, with long names.
fn crowded() -> Vec<CirclePerson> {
    let names = [
        "Alexandra Petrova",
        "Bartholomew",
        "Chidinma",
        "Dmitri",
        "Esperanza Gutierrez",
        "Fatima",
        "Gwendolyn",
        "Hiroshi",
        "Ines",
        "Jean-Baptiste",
        "Kwame",
        "Lakshmi",
        "Magdalena",
        "Nikolai",
        "Oluwaseun",
        "Priyanka",
        "Quentin",
        "Rosalind",
        "Siobhan",
        "Thandiwe",
        "Ulrike",
        "Valentina",
        "Wojciech",
        "Xiomara",
        "Yusuf",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let ring = match i % 5 {
                0 => 1,
                1 | 2 => 2,
                _ => 3,
            };
            let conflict = [
                Conflict::None,
                Conflict::Low,
                Conflict::Moderate,
                Conflict::High,
            ][i % 4];
            p(
                &format!("p-{i:02}"),
                name,
                ring,
                Some((i % 11) as u8),
                conflict,
            )
        })
        .collect()
}

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

#[test]
fn empty_circle() {
    let c = draw(&[]);
    assert!(c.svg.contains("Nobody placed yet"));
    assert_eq!(c.summary, "Closeness circle. Nobody placed yet.");
    insta::assert_snapshot!("empty", c.svg);
}

#[test]
fn one_person() {
    let c = draw(&[p("p-1", "Ana", 2, Some(8), Conflict::None)]);
    assert_eq!(c.summary, "Closeness circle. Close: Ana (support 8).");
    insta::assert_snapshot!("one", c.svg);
}

#[test]
fn a_typical_circle() {
    let c = draw(&intake());
    assert_eq!(
        c.summary,
        "Closeness circle. Closest: Jorge (husband) (support 4, a lot of conflict), Lucia (support 9), Mum (support 10, died). Close: Ana (support 6, a fair amount of conflict), Tomas (support 1, a lot of conflict, estranged). Further out: Carmen (support 7), Mr Ruiz (support 2, some conflict), Pablo (some conflict, past)."
    );
    // Classes carry support, conflict and status; data attributes carry the id and ring.
    assert!(c.svg.contains(
        r#"<g class="person support-medium conflict-high status-current" data-person-id="p-husband" data-ring="1">"#
    ));
    assert!(c.svg.contains(
        r#"class="person support-high conflict-none status-deceased" data-person-id="p-mother""#
    ));
    // Deceased, past and estranged relationships have dashed outlines and italic labels.
    assert_eq!(count(&c.svg, "stroke-dasharray"), 3);
    assert_eq!(count(&c.svg, r#"font-style="italic""#), 3);
    assert_eq!(c.rows.len(), 8);
    assert_eq!(c.rows[0].label, "Jorge (husband)");
    insta::assert_snapshot!("typical", c.svg);
}

#[test]
fn every_person_is_drawn_once_on_their_ring() {
    let c = draw(&intake());
    for person in intake() {
        let attr = format!(r#"data-person-id="{}""#, person.id);
        assert_eq!(count(&c.svg, &attr), 1, "{}", person.id);
        let at = c.layout.iter().find(|l| l.id == person.id).unwrap();
        let r = ((at.x - 320.0).powi(2) + (at.y - 320.0).powi(2)).sqrt();
        let (inner, outer) =
            [(42.0, 120.0), (120.0, 200.0), (200.0, 280.0)][usize::from(person.ring - 1)];
        assert!(inner < r && r < outer, "{} at radius {r}", person.id);
    }
}

#[test]
fn a_stored_angle_is_kept() {
    let mut people = intake();
    people[3].angle = Some(90.0);
    let c = draw(&people);
    let ana = c.layout.iter().find(|l| l.id == "p-sister").unwrap();
    assert_eq!(ana.angle, 90.0);
    assert!((ana.x - 480.0).abs() < 1e-9 && (ana.y - 320.0).abs() < 1e-9);
}

#[test]
fn output_does_not_depend_on_input_order() {
    let mut shuffled = intake();
    shuffled.reverse();
    shuffled.swap(1, 5);
    assert_eq!(draw(&intake()).svg, draw(&shuffled).svg);
    assert_eq!(draw(&intake()), draw(&intake()));
}

#[test]
fn labels_stay_readable_on_a_crowded_circle() {
    let c = draw(&crowded());
    assert_eq!(c.layout.len(), 25);
    let mut worst = 0.0f64;
    for (i, x) in c.layout.iter().enumerate() {
        let b = x.label_box;
        assert!(
            b.x >= 0.0 && b.y >= 0.0 && b.x + b.width <= 640.0 && b.y + b.height <= 640.0,
            "{} off the drawing",
            x.id
        );
        for y in &c.layout[i + 1..] {
            let shared = b.overlap(&y.label_box);
            let smaller = (b.width * b.height).min(y.label_box.width * y.label_box.height);
            worst = worst.max(shared / smaller);
        }
        // No label sits on another person's marker.
        for y in &c.layout {
            if y.id != x.id {
                let marker = kith_report::closeness_circle::Rect {
                    x: y.x - 9.0,
                    y: y.y - 9.0,
                    width: 18.0,
                    height: 18.0,
                };
                assert!(
                    b.overlap(&marker) < 20.0,
                    "label of {} covers {}",
                    x.id,
                    y.id
                );
            }
        }
    }
    assert!(worst < 0.1, "labels overlap by {:.0} %", worst * 100.0);
    insta::assert_snapshot!("crowded", c.svg);
}

#[test]
fn text_is_escaped_and_the_caller_words_are_the_only_words() {
    let c = draw(&[p(
        "x\"><script>",
        "<b>Ana</b> & co",
        1,
        None,
        Conflict::None,
    )]);
    assert!(!c.svg.contains("<script>"));
    assert!(!c.svg.contains("<b>"));
    assert!(c.svg.contains("&lt;b&gt;Ana&lt;/b&gt; &amp; co"));
    // Every text node is the caller's: title, desc, ring names, the client, the person.
    let texts: Vec<&str> = c
        .svg
        .split('>')
        .filter_map(|s| s.split("</").next())
        .filter(|s| !s.trim().is_empty() && !s.contains('<'))
        .collect();
    for t in texts {
        let t = t.trim();
        let known = [
            "Closeness circle",
            "Closest",
            "Close",
            "Further out",
            "Maria",
            "&lt;b&gt;Ana&lt;/b&gt; &amp; co",
        ];
        assert!(
            known.contains(&t) || t.starts_with("Closeness circle.") || t.starts_with("Closest: "),
            "unexpected text `{t}`"
        );
    }
}

fn change() -> kith_report::closeness_circle::CircleChangeView {
    draw_circle_change(&CircleChangeInput {
        id: "change",
        before: &intake(),
        after: &termination(),
        labels: &labels(),
        change_labels: &change_labels(),
    })
}

#[test]
fn the_change_view_lists_and_draws_what_moved() {
    let v = change();
    let kinds: Vec<(&str, ChangeKind)> = v
        .changes
        .iter()
        .map(|c| (c.label.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Ana", ChangeKind::MovedInward),
            ("Carmen", ChangeKind::MovedInward),
            ("Mum", ChangeKind::MovedOutward),
            ("Choir friends", ChangeKind::Joined),
            ("Pablo", ChangeKind::Left),
            ("Jorge (husband)", ChangeKind::Unchanged),
            ("Lucia", ChangeKind::Unchanged),
            ("Tomas", ChangeKind::Unchanged),
            ("Mr Ruiz", ChangeKind::Unchanged),
        ]
    );
    let ana = &v.changes[0];
    assert_eq!((ana.ring_before, ana.ring_after), (Some(2), Some(1)));
    assert_eq!(
        (ana.conflict_before, ana.conflict_after),
        (Some(Conflict::Moderate), Some(Conflict::None))
    );
    assert!(!ana.status_changed());
    assert_eq!(
        v.summary,
        "Closeness circle. Moved closer: Ana (Close → Closest), Carmen (Further out → Close). Moved further away: Mum (Closest → Close). New: Choir friends (Close). No longer in the circle: Pablo (Further out). Same place: Jorge (husband) (Closest), Lucia (Closest), Tomas (Close), Mr Ruiz (Further out)."
    );
    // A ghost and an arrow for each move, a halo for the newcomer, a crossed-out ghost for
    // who left; every current person drawn once.
    assert_eq!(count(&v.svg, r#"class="ghost moved-inward""#), 2);
    assert_eq!(count(&v.svg, r#"class="ghost moved-outward""#), 1);
    assert_eq!(count(&v.svg, r#"class="arrow""#), 3);
    assert_eq!(count(&v.svg, r#"class="halo""#), 1);
    assert_eq!(count(&v.svg, r#"class="ghost left status-past""#), 1);
    for person in termination() {
        let marker = format!(
            r#"data-person-id="{}" data-ring="{}""#,
            person.id, person.ring
        );
        assert!(v.svg.contains(&marker), "{}", person.id);
    }
    // The ghost sits on the earlier ring at the same angle as the person now.
    let ana_now = v.layout.iter().find(|l| l.id == "p-sister").unwrap();
    assert_eq!(ana_now.ring, 1);
    insta::assert_snapshot!("change", v.svg);
}

#[test]
fn a_status_change_is_reported() {
    let mut after = intake();
    after[0].status = RelationStatus::Estranged;
    let v = draw_circle_change(&CircleChangeInput {
        id: "change",
        before: &intake(),
        after: &after,
        labels: &labels(),
        change_labels: &change_labels(),
    });
    let jorge = v.changes.iter().find(|c| c.id == "p-husband").unwrap();
    assert_eq!(jorge.kind, ChangeKind::Unchanged);
    assert!(jorge.status_changed());
}
