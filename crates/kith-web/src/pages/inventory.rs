//! The interpersonal inventory of a course's client: the people (every field of the inventory
//! through plain forms, version-checked), the closeness circle with its data table, snapshots
//! (intake, mid-course, termination or a label of the clinician's own) and the change view
//! comparing two snapshots.
//!
//! Where JavaScript runs, `circle.js` lets the clinician drag a marker to another ring; it saves
//! through the same edit form, so the page loses nothing without it.

use super::course_words::{self as cw, Words, code_of, parse_code};
use super::courses::{
    Choice, CourseHead, choices, course_id, failed, load, opt_date, opt_number, page_idempotency,
    unknown_field, version_of,
};
use super::{Chrome, FormErrors, html, html_status, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use kith_app::secrets::new_token;
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::ids::CourseId;
use kith_domain::inventory::{
    Conflict as PersonConflict, ConflictFrequency, ConflictOutcome, ContactFrequency, Expectations,
    OnsetChange, Person, PersonStatus, RelationshipType, Ring, Score10, Support, SupportType,
    Visibility, YesNoPartly,
};
use kith_domain::locale::Locale;
use kith_domain::timeline::ApproxDate;
use kith_report::{
    ChangeLabels, CircleChangeInput, CircleInput, CircleLabels, CirclePerson, Conflict,
    RelationStatus, draw_circle_change, draw_closeness_circle,
};
use kith_store::{InventoryNotes, Record, SnapshotLabel};
use serde::Deserialize;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// The circle.

fn conflict_level(f: Option<ConflictFrequency>) -> Conflict {
    match f {
        None | Some(ConflictFrequency::Never) => Conflict::None,
        Some(ConflictFrequency::Rarely) => Conflict::Low,
        Some(ConflictFrequency::Sometimes) => Conflict::Moderate,
        Some(ConflictFrequency::Often | ConflictFrequency::Constantly) => Conflict::High,
    }
}

fn relation_status(p: &Person) -> RelationStatus {
    if p.is_deceased() {
        return RelationStatus::Deceased;
    }
    match p.status {
        PersonStatus::Current => RelationStatus::Current,
        PersonStatus::Past => RelationStatus::Past,
        PersonStatus::Deceased => RelationStatus::Deceased,
        PersonStatus::Estranged => RelationStatus::Estranged,
    }
}

/// The people placed on the circle, as the drawing takes them.
pub fn circle_people(people: &[Person]) -> Vec<CirclePerson> {
    people
        .iter()
        .filter_map(|p| {
            Some(CirclePerson {
                id: p.id.to_string(),
                label: p.display_name.clone(),
                ring: p.ring?.get(),
                support: p.support.rating.map(Score10::get),
                conflict: conflict_level(p.conflict.frequency),
                status: relation_status(p),
                angle: p.angle.map(f64::from),
            })
        })
        .collect()
}

pub fn circle_labels(t: &Tr, client: &str) -> CircleLabels {
    CircleLabels {
        title: t.get("circle-title"),
        client: client.to_string(),
        rings: [t.get("ring-1"), t.get("ring-2"), t.get("ring-3")],
        support: t.get("circle-support"),
        conflict: [
            t.get("circle-conflict-none"),
            t.get("circle-conflict-low"),
            t.get("circle-conflict-moderate"),
            t.get("circle-conflict-high"),
        ],
        status: [
            t.get("person-status-current"),
            t.get("person-status-past"),
            t.get("person-status-deceased"),
            t.get("person-status-estranged"),
        ],
        empty: t.get("circle-empty"),
    }
}

fn change_labels(t: &Tr) -> ChangeLabels {
    ChangeLabels {
        moved_inward: t.get("circle-change-moved-inward"),
        moved_outward: t.get("circle-change-moved-outward"),
        joined: t.get("circle-change-joined"),
        left: t.get("circle-change-left"),
        unchanged: t.get("circle-change-unchanged"),
    }
}

fn ring_text(t: &Tr, ring: Option<u8>) -> String {
    match ring {
        Some(r @ 1..=3) => t.get(&format!("ring-{r}")),
        _ => t.get("ring-none"),
    }
}

// ---------------------------------------------------------------------------------------------
// The inventory page.

pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub relationship: String,
    pub status: String,
    pub ring: String,
    pub support: String,
    pub conflict: String,
    pub changed_at_onset: bool,
    pub private: bool,
    pub version: i64,
}

pub struct SnapshotRow {
    pub id: String,
    pub label: String,
    pub taken: String,
    pub people: usize,
}

#[derive(Default)]
pub struct NotesFields {
    pub clinician_summary: String,
    pub who_is_missing: String,
    pub completed_at: String,
}

#[derive(Template)]
#[template(path = "inventory/inventory.html")]
struct InventoryPage {
    c: Chrome,
    head: CourseHead,
    circle_svg: String,
    circle_summary: String,
    people: Vec<PersonRow>,
    unplaced: Vec<String>,
    quick: PersonFields,
    quick_relationships: Vec<Choice>,
    quick_statuses: Vec<Choice>,
    quick_key: String,
    snapshots: Vec<SnapshotRow>,
    snapshot_labels: Vec<Choice>,
    notes: NotesFields,
    notes_version: i64,
    errors: FormErrors,
    notes_errors: FormErrors,
    snapshot_errors: FormErrors,
}

enum InvFailed {
    None,
    Quick(FormErrors, Box<PersonFields>),
    Notes(FormErrors, NotesFields),
    Snapshot(FormErrors),
}

async fn inventory_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    failed_form: InvFailed,
) -> Result<InventoryPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "inventory-title");
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "inventory").await?;
    let w = Words::new(t, &loaded.protocol);
    let client = loaded.course.client;
    let people = s.app.inventory(ctx, client).await?;
    let (notes, notes_version) = s.app.inventory_notes(ctx, client).await?;
    let snapshots = s.app.snapshots(ctx, id).await?;
    let current: Vec<Person> = people.iter().map(|r| r.value.clone()).collect();
    let circle = draw_closeness_circle(&CircleInput {
        id: "circle",
        people: &circle_people(&current),
        labels: &circle_labels(&t, &loaded.head.client_name),
    });
    let mut rows: Vec<&Record<Person>> = people.iter().collect();
    rows.sort_by(|a, b| {
        (a.value.ring.is_none(), a.value.ring, &a.value.display_name).cmp(&(
            b.value.ring.is_none(),
            b.value.ring,
            &b.value.display_name,
        ))
    });
    let mut errors = FormErrors::default();
    let mut notes_errors = FormErrors::default();
    let mut snapshot_errors = FormErrors::default();
    let mut quick = PersonFields::blank();
    let mut notes_fields = NotesFields {
        clinician_summary: notes.clinician_summary.clone(),
        who_is_missing: notes.who_is_missing.clone(),
        completed_at: notes
            .completed_at
            .map(|d| d.to_string())
            .unwrap_or_default(),
    };
    match failed_form {
        InvFailed::None => {}
        InvFailed::Quick(e, f) => {
            errors = e;
            quick = *f;
        }
        InvFailed::Notes(e, f) => {
            notes_errors = e;
            notes_fields = f;
        }
        InvFailed::Snapshot(e) => snapshot_errors = e,
    }
    let relationship: Option<RelationshipType> = parse_code(&quick.relationship);
    let status: Option<PersonStatus> = parse_code(&quick.status);
    Ok(InventoryPage {
        circle_svg: circle.svg,
        circle_summary: circle.summary,
        people: rows
            .iter()
            .map(|r| {
                let p = &r.value;
                PersonRow {
                    id: r.id.to_string(),
                    name: p.display_name.clone(),
                    relationship: w.relationship(p.relationship),
                    status: w.person_status(p.status),
                    ring: ring_text(&t, p.ring.map(Ring::get)),
                    support: p
                        .support
                        .rating
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| "—".into()),
                    conflict: p
                        .conflict
                        .frequency
                        .map(|f| w.conflict_frequency(f))
                        .unwrap_or_else(|| "—".into()),
                    changed_at_onset: p.change_around_onset.changed,
                    private: p.visibility == Visibility::ClinicianPrivate,
                    version: r.version,
                }
            })
            .collect(),
        unplaced: rows
            .iter()
            .filter(|r| r.value.ring.is_none())
            .map(|r| r.value.display_name.clone())
            .collect(),
        quick_relationships: choices(&cw::RELATIONSHIPS, relationship, |r| w.relationship(r)),
        quick_statuses: choices(&cw::PERSON_STATUSES, status, |x| w.person_status(x)),
        quick,
        quick_key: new_token(),
        snapshots: snapshots
            .iter()
            .rev()
            .map(|x| SnapshotRow {
                id: x.id.to_string(),
                label: snapshot_label(&t, &x.label),
                taken: t.datetime(x.taken_at),
                people: x.inventory.people.len(),
            })
            .collect(),
        snapshot_labels: ["intake", "mid-course", "termination", "custom"]
            .iter()
            .map(|l| Choice {
                value: (*l).to_string(),
                label: t.get(&format!("snapshot-{l}")),
                selected: false,
            })
            .collect(),
        notes: notes_fields,
        notes_version,
        head: loaded.head,
        errors,
        notes_errors,
        snapshot_errors,
        c,
    })
}

pub fn snapshot_label(t: &Tr, l: &SnapshotLabel) -> String {
    match l {
        SnapshotLabel::Custom(text) => text.clone(),
        other => t.get(&format!("snapshot-{}", other.code())),
    }
}

pub async fn show(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id = course_id(&id)?;
    Ok(html(
        &inventory_page(&s, &ctx, locale, id, InvFailed::None).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// One person: the form.

/// Every field of a person as the form carries it.
#[derive(Default, Clone)]
pub struct PersonFields {
    pub display_name: String,
    pub relationship: String,
    pub status: String,
    pub ring: String,
    pub angle: String,
    pub contact: String,
    pub last_contact: String,
    pub time_together: String,
    pub what_they_are_like: String,
    pub what_i_like: String,
    pub what_i_dislike: String,
    pub topics_i_can_talk_about: String,
    pub topics_i_cannot_talk_about: String,
    pub knows_how_i_feel: String,
    pub feelings: String,
    pub support_types: Vec<String>,
    pub support_rating: String,
    pub conflict_frequency: String,
    pub conflict_outcome: String,
    pub conflict_what_happens: String,
    pub expectations_mine: String,
    pub expectations_theirs: String,
    pub expectations_reciprocal: String,
    pub satisfaction: String,
    pub changes_wanted: String,
    pub onset_changed: bool,
    pub onset_change_date: String,
    pub onset_change_description: String,
    pub past_pattern: String,
    pub origin_of_pattern: bool,
    pub linked_problem_area: String,
    pub visibility: String,
    pub notes: String,
}

impl PersonFields {
    fn blank() -> PersonFields {
        PersonFields {
            relationship: "friend".into(),
            status: "current".into(),
            visibility: "shared".into(),
            ..PersonFields::default()
        }
    }

    fn of(p: &Person) -> PersonFields {
        let opt = |v: Option<String>| v.unwrap_or_default();
        PersonFields {
            display_name: p.display_name.clone(),
            relationship: code_of(&p.relationship),
            status: code_of(&p.status),
            ring: opt(p.ring.map(|r| r.get().to_string())),
            angle: opt(p.angle.map(|a| a.to_string())),
            contact: opt(p.contact.map(|c| code_of(&c))),
            last_contact: opt(p.last_contact.map(|d| d.to_string())),
            time_together: p.time_together.clone(),
            what_they_are_like: p.what_they_are_like.clone(),
            what_i_like: p.what_i_like.clone(),
            what_i_dislike: p.what_i_dislike.clone(),
            topics_i_can_talk_about: p.topics_i_can_talk_about.clone(),
            topics_i_cannot_talk_about: p.topics_i_cannot_talk_about.clone(),
            knows_how_i_feel: opt(p.knows_how_i_feel.map(|y| code_of(&y))),
            feelings: p.feelings.join(", "),
            support_types: p.support.types.iter().map(code_of).collect(),
            support_rating: opt(p.support.rating.map(|r| r.to_string())),
            conflict_frequency: opt(p.conflict.frequency.map(|f| code_of(&f))),
            conflict_outcome: opt(p.conflict.outcome.map(|o| code_of(&o))),
            conflict_what_happens: p.conflict.what_happens.clone(),
            expectations_mine: p.expectations.mine.clone(),
            expectations_theirs: p.expectations.theirs.clone(),
            expectations_reciprocal: opt(p.expectations.reciprocal.map(|y| code_of(&y))),
            satisfaction: opt(p.satisfaction.map(|s| s.to_string())),
            changes_wanted: p.changes_wanted.clone(),
            onset_changed: p.change_around_onset.changed,
            onset_change_date: opt(p.change_around_onset.date.map(|d| d.to_string())),
            onset_change_description: p.change_around_onset.description.clone(),
            past_pattern: p.past_pattern.clone(),
            origin_of_pattern: p.origin_of_pattern,
            linked_problem_area: p.linked_problem_area.clone().unwrap_or_default(),
            visibility: code_of(&p.visibility),
            notes: p.notes.clone(),
        }
    }
}

/// The choices of every select of the person form.
pub struct PersonChoices {
    pub relationships: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub rings: Vec<Choice>,
    pub contacts: Vec<Choice>,
    pub knows: Vec<Choice>,
    pub support_types: Vec<Choice>,
    pub conflict_frequencies: Vec<Choice>,
    pub conflict_outcomes: Vec<Choice>,
    pub reciprocal: Vec<Choice>,
    pub areas: Vec<Choice>,
    pub visibilities: Vec<Choice>,
}

fn with_none(t: &Tr, mut v: Vec<Choice>, any_selected: bool) -> Vec<Choice> {
    v.insert(
        0,
        Choice {
            value: String::new(),
            label: t.get("course-not-recorded"),
            selected: !any_selected,
        },
    );
    v
}

fn person_choices(w: &Words, f: &PersonFields) -> PersonChoices {
    let t = &w.t;
    let pick = |v: Vec<Choice>| {
        let any = v.iter().any(|c| c.selected);
        with_none(t, v, any)
    };
    let contact: Option<ContactFrequency> = parse_code(&f.contact);
    let knows: Option<YesNoPartly> = parse_code(&f.knows_how_i_feel);
    let freq: Option<ConflictFrequency> = parse_code(&f.conflict_frequency);
    let outcome: Option<ConflictOutcome> = parse_code(&f.conflict_outcome);
    let reciprocal: Option<YesNoPartly> = parse_code(&f.expectations_reciprocal);
    let mut areas: Vec<Choice> = w
        .protocol
        .problem_areas()
        .iter()
        .map(|a| Choice {
            value: a.id.clone(),
            label: a.label.get(w.locale).to_string(),
            selected: a.id == f.linked_problem_area,
        })
        .collect();
    let any_area = areas.iter().any(|c| c.selected);
    areas = with_none(t, areas, any_area);
    PersonChoices {
        relationships: choices(&cw::RELATIONSHIPS, parse_code(&f.relationship), |r| {
            w.relationship(r)
        }),
        statuses: choices(&cw::PERSON_STATUSES, parse_code(&f.status), |s| {
            w.person_status(s)
        }),
        rings: {
            let mut v: Vec<Choice> = (1..=3)
                .map(|r: u8| Choice {
                    value: r.to_string(),
                    label: t.get(&format!("ring-{r}")),
                    selected: f.ring == r.to_string(),
                })
                .collect();
            v.insert(
                0,
                Choice {
                    value: String::new(),
                    label: t.get("ring-none"),
                    selected: f.ring.is_empty(),
                },
            );
            v
        },
        contacts: pick(choices(&cw::CONTACTS, contact, |c| w.contact(c))),
        knows: pick(choices(&cw::YES_NO, knows, |y| w.yes_no(y))),
        support_types: cw::SUPPORT_TYPES
            .iter()
            .map(|s| Choice {
                value: code_of(s),
                label: w.support_type(*s),
                selected: f.support_types.contains(&code_of(s)),
            })
            .collect(),
        conflict_frequencies: pick(choices(&cw::CONFLICT_FREQUENCIES, freq, |c| {
            w.conflict_frequency(c)
        })),
        conflict_outcomes: pick(choices(&cw::CONFLICT_OUTCOMES, outcome, |c| {
            w.conflict_outcome(c)
        })),
        reciprocal: pick(choices(&cw::YES_NO, reciprocal, |y| w.yes_no(y))),
        areas,
        visibilities: choices(
            &[Visibility::Shared, Visibility::ClinicianPrivate],
            parse_code(&f.visibility),
            |v| w.visibility(v),
        ),
    }
}

/// Reads the person form; returns the fields, the version and the idempotency key.
fn read_person(pairs: &[(String, String)]) -> Result<(PersonFields, String, String), PageError> {
    let mut f = PersonFields::default();
    let mut version = String::new();
    let mut key = String::new();
    for (k, v) in pairs {
        let v = v.clone();
        match k.as_str() {
            "display_name" => f.display_name = v,
            "relationship" => f.relationship = v,
            "status" => f.status = v,
            "ring" => f.ring = v,
            "angle" => f.angle = v,
            "contact" => f.contact = v,
            "last_contact" => f.last_contact = v,
            "time_together" => f.time_together = v,
            "what_they_are_like" => f.what_they_are_like = v,
            "what_i_like" => f.what_i_like = v,
            "what_i_dislike" => f.what_i_dislike = v,
            "topics_i_can_talk_about" => f.topics_i_can_talk_about = v,
            "topics_i_cannot_talk_about" => f.topics_i_cannot_talk_about = v,
            "knows_how_i_feel" => f.knows_how_i_feel = v,
            "feelings" => f.feelings = v,
            "support_types" => f.support_types.push(v),
            "support_rating" => f.support_rating = v,
            "conflict_frequency" => f.conflict_frequency = v,
            "conflict_outcome" => f.conflict_outcome = v,
            "conflict_what_happens" => f.conflict_what_happens = v,
            "expectations_mine" => f.expectations_mine = v,
            "expectations_theirs" => f.expectations_theirs = v,
            "expectations_reciprocal" => f.expectations_reciprocal = v,
            "satisfaction" => f.satisfaction = v,
            "changes_wanted" => f.changes_wanted = v,
            "onset_changed" => f.onset_changed = true,
            "onset_change_date" => f.onset_change_date = v,
            "onset_change_description" => f.onset_change_description = v,
            "past_pattern" => f.past_pattern = v,
            "origin_of_pattern" => f.origin_of_pattern = true,
            "linked_problem_area" => f.linked_problem_area = v,
            "visibility" => f.visibility = v,
            "notes" => f.notes = v,
            "version" => version = v,
            "idempotency_key" => key = v,
            other => return Err(unknown_field(other)),
        }
    }
    Ok((f, version, key))
}

/// An optional choice: empty is "not recorded"; anything unknown is a field error.
fn opt_choice<T: serde::de::DeserializeOwned>(
    field: &str,
    raw: &str,
    errs: &mut Vec<FieldError>,
) -> Option<T> {
    if raw.trim().is_empty() {
        return None;
    }
    let v = parse_code(raw.trim());
    if v.is_none() {
        errs.push(FieldError::new(field, "field-out-of-range"));
    }
    v
}

fn opt_score(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<Score10> {
    let n = opt_number::<u8>(field, raw, errs)?;
    match Score10::new(n) {
        Ok(s) => Some(s),
        Err(_) => {
            errs.push(
                FieldError::new(field, "field-between")
                    .with("min", 0)
                    .with("max", 10),
            );
            None
        }
    }
}

/// Reads an approximate date (`2025`, `2025-03` or `2025-03-14`).
pub fn opt_approx(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<ApproxDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(field, "approx-date-invalid"));
            None
        }
    }
}

fn person_of(id: Uuid, f: &PersonFields, errs: &mut Vec<FieldError>) -> Person {
    let relationship = match parse_code(&f.relationship) {
        Some(r) => r,
        None => {
            errs.push(FieldError::new("relationship", "field-out-of-range"));
            RelationshipType::Other
        }
    };
    let status = match parse_code(&f.status) {
        Some(s) => s,
        None => {
            errs.push(FieldError::new("status", "field-out-of-range"));
            PersonStatus::Current
        }
    };
    let mut p = Person::new(id, f.display_name.clone(), relationship, status);
    p.ring = opt_number::<u8>("ring", &f.ring, errs).and_then(|r| match Ring::new(r) {
        Ok(r) => Some(r),
        Err(_) => {
            errs.push(FieldError::new("ring", "field-out-of-range"));
            None
        }
    });
    p.angle = opt_number::<u16>("angle", &f.angle, errs);
    p.contact = opt_choice("contact", &f.contact, errs);
    p.last_contact = opt_approx("last_contact", &f.last_contact, errs);
    p.time_together = f.time_together.trim().to_string();
    p.what_they_are_like = f.what_they_are_like.trim().to_string();
    p.what_i_like = f.what_i_like.trim().to_string();
    p.what_i_dislike = f.what_i_dislike.trim().to_string();
    p.topics_i_can_talk_about = f.topics_i_can_talk_about.trim().to_string();
    p.topics_i_cannot_talk_about = f.topics_i_cannot_talk_about.trim().to_string();
    p.knows_how_i_feel = opt_choice("knows_how_i_feel", &f.knows_how_i_feel, errs);
    p.feelings = f
        .feelings
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    let mut types = std::collections::BTreeSet::new();
    for t in &f.support_types {
        match parse_code::<SupportType>(t) {
            Some(x) => {
                types.insert(x);
            }
            None => errs.push(FieldError::new("support_types", "field-out-of-range")),
        }
    }
    p.support = Support {
        types,
        rating: opt_score("support_rating", &f.support_rating, errs),
    };
    p.conflict = PersonConflict {
        frequency: opt_choice("conflict_frequency", &f.conflict_frequency, errs),
        outcome: opt_choice("conflict_outcome", &f.conflict_outcome, errs),
        what_happens: f.conflict_what_happens.trim().to_string(),
    };
    p.expectations = Expectations {
        mine: f.expectations_mine.trim().to_string(),
        theirs: f.expectations_theirs.trim().to_string(),
        reciprocal: opt_choice("expectations_reciprocal", &f.expectations_reciprocal, errs),
    };
    p.satisfaction = opt_score("satisfaction", &f.satisfaction, errs);
    p.changes_wanted = f.changes_wanted.trim().to_string();
    p.change_around_onset = OnsetChange {
        changed: f.onset_changed,
        date: opt_approx("onset_change_date", &f.onset_change_date, errs),
        description: f.onset_change_description.trim().to_string(),
    };
    p.past_pattern = f.past_pattern.trim().to_string();
    p.origin_of_pattern = f.origin_of_pattern;
    p.linked_problem_area =
        (!f.linked_problem_area.trim().is_empty()).then(|| f.linked_problem_area.trim().into());
    p.visibility = if f.visibility.is_empty() {
        Visibility::Shared
    } else {
        opt_choice("visibility", &f.visibility, errs).unwrap_or_default()
    };
    p.notes = f.notes.trim().to_string();
    p
}

/// App field names (`conflict.what_happens`) as the form names them (`conflict_what_happens`).
fn person_field_names(e: AppError) -> AppError {
    let AppError::Invalid(fields) = e else {
        return e;
    };
    AppError::Invalid(
        fields
            .into_iter()
            .map(|mut x| {
                x.field = match x.field.as_str() {
                    "conflict.what_happens" => "conflict_what_happens".into(),
                    "expectations.mine" => "expectations_mine".into(),
                    "expectations.theirs" => "expectations_theirs".into(),
                    "change_around_onset.description" => "onset_change_description".into(),
                    f if f.starts_with("feelings[") => "feelings".into(),
                    other => other.to_string(),
                };
                x
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "inventory/person.html")]
struct PersonPage {
    c: Chrome,
    head: CourseHead,
    /// `None` for a new person.
    person_id: Option<String>,
    form: PersonFields,
    ch: PersonChoices,
    version: i64,
    idempotency_key: String,
    errors: FormErrors,
}

async fn person_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    person: Option<Uuid>,
    form: Option<(PersonFields, FormErrors)>,
) -> Result<PersonPage, PageError> {
    let title = if person.is_some() {
        "person-edit-title"
    } else {
        "person-new-title"
    };
    let c = Chrome::new(s, Some(ctx), locale, "/clients", title);
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "inventory").await?;
    let w = Words::new(t, &loaded.protocol);
    let (record, version) = match person {
        Some(pid) => {
            let people = s.app.inventory(ctx, loaded.course.client).await?;
            let r = people
                .into_iter()
                .find(|r| r.id == pid)
                .ok_or(PageError(WebError::App(AppError::NotFound)))?;
            let v = r.version;
            (Some(r), v)
        }
        None => (None, 0),
    };
    let (form, errors) = form.unwrap_or_else(|| {
        (
            record
                .as_ref()
                .map(|r| PersonFields::of(&r.value))
                .unwrap_or_else(PersonFields::blank),
            FormErrors::default(),
        )
    });
    Ok(PersonPage {
        ch: person_choices(&w, &form),
        person_id: person.map(|p| p.to_string()),
        form,
        version,
        idempotency_key: new_token(),
        head: loaded.head,
        errors,
        c,
    })
}

pub async fn new_person_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id = course_id(&id)?;
    Ok(html(&person_page(&s, &ctx, locale, id, None, None).await?))
}

pub async fn person_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, person)): Path<(String, String)>,
) -> PageResult {
    let id = course_id(&id)?;
    let person: Uuid = super::parse_id(&person)?;
    Ok(html(
        &person_page(&s, &ctx, locale, id, Some(person), None).await?,
    ))
}

/// Adds a person (from the full form, or the short form on the inventory page: `quick=1`).
pub async fn add_person(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(mut pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let t = Tr::new(locale);
    let quick = pairs.iter().any(|(k, v)| k == "quick" && v == "1");
    pairs.retain(|(k, _)| k != "quick");
    let (f, _, key) = read_person(&pairs)?;
    let course = s.app.course(&ctx, id).await?;
    let mut errs = Vec::new();
    let person = person_of(Uuid::nil(), &f, &mut errs);
    let result = if errs.is_empty() {
        let body = pairs
            .iter()
            .filter(|(k, _)| k != "idempotency_key")
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\u{0}");
        let idem = page_idempotency(&s, &ctx, "POST /courses/{id}/inventory", &key, &body);
        s.app
            .add_person(&ctx, course.client, &person, idem)
            .await
            .map_err(person_field_names)
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(w) => Ok(see_other(&format!(
            "/courses/{id}/inventory#person-{}",
            w.value()
        ))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            if quick {
                Ok(html_status(
                    status,
                    &inventory_page(&s, &ctx, locale, id, InvFailed::Quick(errors, Box::new(f)))
                        .await?,
                ))
            } else {
                Ok(html_status(
                    status,
                    &person_page(&s, &ctx, locale, id, None, Some((f, errors))).await?,
                ))
            }
        }
    }
}

/// Saves a person at the version the form was loaded with; a stale version is a conflict (409)
/// and the submitted values are shown again.
pub async fn update_person(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, person)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let pid: Uuid = super::parse_id(&person)?;
    let t = Tr::new(locale);
    let (f, version, _) = read_person(&pairs)?;
    let course = s.app.course(&ctx, id).await?;
    let mut errs = Vec::new();
    let person = person_of(pid, &f, &mut errs);
    let result = if errs.is_empty() {
        s.app
            .update_person(&ctx, course.client, &person, version_of(&version))
            .await
            .map(|_| ())
            .map_err(person_field_names)
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/inventory#person-{pid}"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            Ok(html_status(
                status,
                &person_page(&s, &ctx, locale, id, Some(pid), Some((f, errors))).await?,
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionForm {
    version: String,
}

/// Takes a person off the inventory (kept in history and earlier snapshots).
pub async fn remove_person(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, person)): Path<(String, String)>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let id = course_id(&id)?;
    let pid: Uuid = super::parse_id(&person)?;
    let t = Tr::new(locale);
    let course = s.app.course(&ctx, id).await?;
    match s
        .app
        .remove_person(&ctx, course.client, pid, version_of(&f.version))
        .await
    {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/inventory"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            Ok(html_status(
                status,
                &person_page(&s, &ctx, locale, id, Some(pid), None)
                    .await
                    .map(|mut p| {
                        p.errors = errors;
                        p
                    })?,
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotesForm {
    #[serde(default)]
    clinician_summary: String,
    #[serde(default)]
    who_is_missing: String,
    #[serde(default)]
    completed_at: String,
    version: String,
}

/// The clinician's notes on the inventory as a whole.
pub async fn save_notes(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<NotesForm>,
) -> PageResult {
    let id = course_id(&id)?;
    let t = Tr::new(locale);
    let course = s.app.course(&ctx, id).await?;
    let mut errs = Vec::new();
    let notes = InventoryNotes {
        completed_at: opt_date("completed_at", &f.completed_at, &mut errs),
        clinician_summary: f.clinician_summary.trim().to_string(),
        who_is_missing: f.who_is_missing.trim().to_string(),
    };
    let result = if errs.is_empty() {
        s.app
            .save_inventory_notes(&ctx, course.client, &notes, version_of(&f.version))
            .await
            .map(|_| ())
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/inventory#notes"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            let fields = NotesFields {
                clinician_summary: f.clinician_summary,
                who_is_missing: f.who_is_missing,
                completed_at: f.completed_at,
            };
            Ok(html_status(
                status,
                &inventory_page(&s, &ctx, locale, id, InvFailed::Notes(errors, fields)).await?,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots and the change view.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotForm {
    label: String,
    #[serde(default)]
    custom: String,
}

/// Keeps a copy of the inventory as it is now.
pub async fn take_snapshot(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<SnapshotForm>,
) -> PageResult {
    let id = course_id(&id)?;
    let t = Tr::new(locale);
    let label = match f.label.as_str() {
        "intake" => Ok(SnapshotLabel::Intake),
        "mid-course" => Ok(SnapshotLabel::MidCourse),
        "termination" => Ok(SnapshotLabel::Termination),
        "custom" => Ok(SnapshotLabel::Custom(f.custom.trim().to_string())),
        _ => Err(AppError::invalid("label", "field-out-of-range")),
    };
    let result = match label {
        Ok(l) => s.app.take_snapshot(&ctx, id, l).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/inventory#snapshots"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            Ok(html_status(
                status,
                &inventory_page(&s, &ctx, locale, id, InvFailed::Snapshot(errors)).await?,
            ))
        }
    }
}

#[derive(Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

pub struct ChangeRowView {
    pub name: String,
    pub kind: String,
    pub kind_code: String,
    pub ring: String,
    pub support: String,
    pub conflict: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "inventory/compare.html")]
struct ComparePage {
    c: Chrome,
    head: CourseHead,
    snapshots: Vec<Choice>,
    after_choices: Vec<Choice>,
    before_label: String,
    after_label: String,
    svg: Option<String>,
    summary: String,
    changes: Vec<ChangeRowView>,
}

fn pair_text<T: PartialEq>(a: Option<T>, b: Option<T>, show: impl Fn(T) -> String) -> String {
    match (a, b) {
        (Some(x), Some(y)) if x == y => show(y),
        (Some(x), Some(y)) => format!("{} → {}", show(x), show(y)),
        (None, Some(y)) => format!("— → {}", show(y)),
        (Some(x), None) => format!("{} → —", show(x)),
        (None, None) => "—".into(),
    }
}

/// The change view: the later snapshot drawn with where each person was before, and a table.
pub async fn compare(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let id = course_id(&id)?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/clients", "compare-title");
    let t = c.t;
    let loaded = load(&s, &ctx, &t, id, "inventory").await?;
    let snapshots = s.app.snapshots(&ctx, id).await?;
    let parse = |v: &Option<String>| v.as_deref().and_then(|x| x.parse::<Uuid>().ok());
    // Defaults: the intake snapshot (else the first) against the latest.
    let before = parse(&q.before).or_else(|| {
        snapshots
            .iter()
            .find(|x| x.label == SnapshotLabel::Intake)
            .or(snapshots.first())
            .map(|x| x.id)
    });
    let after = parse(&q.after).or_else(|| snapshots.last().map(|x| x.id));
    let find = |id: Option<Uuid>| id.and_then(|i| snapshots.iter().find(|x| x.id == i));
    let (b, a) = (find(before), find(after));
    if (q.before.is_some() && b.is_none()) || (q.after.is_some() && a.is_none()) {
        return Err(PageError(WebError::App(AppError::NotFound)));
    }
    let option = |sel: Option<Uuid>| {
        snapshots
            .iter()
            .map(|x| Choice {
                value: x.id.to_string(),
                label: format!(
                    "{} · {}",
                    snapshot_label(&t, &x.label),
                    t.datetime(x.taken_at)
                ),
                selected: Some(x.id) == sel,
            })
            .collect::<Vec<_>>()
    };
    let (mut svg, mut summary, mut changes) = (None, String::new(), Vec::new());
    if let (Some(b), Some(a)) = (b, a) {
        let view = draw_circle_change(&CircleChangeInput {
            id: "change",
            before: &circle_people(&b.inventory.people),
            after: &circle_people(&a.inventory.people),
            labels: &circle_labels(&t, &loaded.head.client_name),
            change_labels: &change_labels(&t),
        });
        let conflict_word = |x: Conflict| t.get(&format!("circle-conflict-{}", x.code()));
        let status_word = |x: RelationStatus| t.get(&format!("person-status-{}", x.code()));
        changes = view
            .changes
            .iter()
            .map(|ch| ChangeRowView {
                name: ch.label.clone(),
                kind: t.get(&format!("circle-change-{}", ch.kind.code())),
                kind_code: ch.kind.code().to_string(),
                ring: pair_text(ch.ring_before, ch.ring_after, |r| ring_text(&t, Some(r))),
                support: pair_text(ch.support_before, ch.support_after, |x| x.to_string()),
                conflict: pair_text(ch.conflict_before, ch.conflict_after, conflict_word),
                status: pair_text(ch.status_before, ch.status_after, status_word),
            })
            .collect();
        summary = view.summary;
        svg = Some(view.svg);
    }
    Ok(html(&ComparePage {
        snapshots: option(before),
        after_choices: option(after),
        before_label: b.map(|x| snapshot_label(&t, &x.label)).unwrap_or_default(),
        after_label: a.map(|x| snapshot_label(&t, &x.label)).unwrap_or_default(),
        svg,
        summary,
        changes,
        head: loaded.head,
        c,
    }))
}
