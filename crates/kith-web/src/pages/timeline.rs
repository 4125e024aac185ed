//! The timeline of a course's client: life events with approximate dates (a year, a month or a
//! day), the people involved, a description and the client's rating of their impact; mood
//! ratings; past and current mood episodes; and the onset of the current episode. Drawn as an SVG
//! with the weeks around onset shaded, and listed in tables beside it.

use super::course_words::{self as cw, Words, code_of, parse_code};
use super::courses::{
    Choice, CourseHead, choices, course_id, failed, load, opt_number, page_idempotency,
    unknown_field, version_of,
};
use super::formulation::PersonChoice;
use super::inventory::opt_approx;
use super::{Chrome, FormErrors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult, WebError};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use kith_app::secrets::new_token;
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::ids::{ClientId, CourseId};
use kith_domain::inventory::Score10;
use kith_domain::locale::Locale;
use kith_domain::timeline::{
    ApproxDate, EpisodeKind, LifeEvent, LifeEventKind, MoodEntry, MoodEpisode, Onset,
};
use kith_report::{
    MoodPoint, MoodSeries, NearOnset, Onset as DrawnOnset, TimelineEvent, TimelineInput,
    TimelineLabels, draw_timeline,
};
use kith_store::{Record, StoredTimeline, TimelineEntry};
use uuid::Uuid;

#[derive(Default, Clone)]
pub struct EventFields {
    pub date: String,
    pub kind: String,
    pub people: Vec<String>,
    pub description: String,
    pub impact: String,
    pub candidate_area: String,
}

#[derive(Default, Clone)]
pub struct MoodFields {
    pub date: String,
    pub rating: String,
    pub note: String,
}

#[derive(Default, Clone)]
pub struct EpisodeFields {
    pub kind: String,
    pub start: String,
    pub end: String,
    pub severity: String,
    pub treatment: String,
}

#[derive(Default, Clone)]
pub struct OnsetFields {
    pub date: String,
    pub description: String,
}

pub struct EventRowView {
    pub id: String,
    pub date: String,
    pub kind: String,
    pub kind_code: String,
    pub description: String,
    pub people: String,
    pub impact: String,
    pub near_onset: bool,
    pub weeks: String,
    pub version: i64,
}

pub struct MoodRowView {
    pub id: String,
    pub date: String,
    pub rating: String,
    pub note: String,
    pub version: i64,
}

pub struct EpisodeRowView {
    pub id: String,
    pub kind: String,
    pub start: String,
    pub end: String,
    pub severity: String,
    pub treatment: String,
    pub version: i64,
}

#[derive(Template)]
#[template(path = "timeline/timeline.html")]
struct TimelinePage {
    c: Chrome,
    head: CourseHead,
    svg: String,
    summary: String,
    onset: Option<String>,
    onset_form: OnsetFields,
    onset_version: i64,
    events: Vec<EventRowView>,
    moods: Vec<MoodRowView>,
    episodes: Vec<EpisodeRowView>,
    event: EventFields,
    kinds: Vec<Choice>,
    people: Vec<PersonChoice>,
    areas: Vec<Choice>,
    mood_form: MoodFields,
    episode_form: EpisodeFields,
    episode_kinds: Vec<Choice>,
    key: String,
    onset_errors: FormErrors,
    event_errors: FormErrors,
    mood_errors: FormErrors,
    episode_errors: FormErrors,
}

enum TlFailed {
    None,
    Onset(FormErrors, OnsetFields),
    Event(FormErrors, EventFields),
    Mood(FormErrors, MoodFields),
    Episode(FormErrors, EpisodeFields),
}

fn event_label(w: &Words, e: &LifeEvent) -> String {
    if e.description.trim().is_empty() {
        w.event_kind(e.kind)
    } else {
        e.description.trim().to_string()
    }
}

fn people_names(people: &[Record<kith_domain::inventory::Person>], ids: &[Uuid]) -> Vec<String> {
    ids.iter()
        .filter_map(|i| people.iter().find(|p| p.id == *i))
        .map(|p| p.value.display_name.clone())
        .collect()
}

pub fn timeline_labels(t: &Tr) -> TimelineLabels {
    TimelineLabels {
        title: t.get("tl-drawing-title"),
        onset: t.get("tl-onset"),
        near_onset: t.get("tl-near-onset"),
        events: t.get("tl-events"),
        mood: t.get("tl-mood"),
        no_events: t.get("tl-no-events"),
    }
}

/// The drawing of a client's timeline, with its table of events.
pub fn drawing(
    w: &Words,
    timeline: &StoredTimeline,
    people: &[Record<kith_domain::inventory::Person>],
) -> kith_report::Timeline {
    let current = || timeline.entries.iter().filter(|e| e.removed_at.is_none());
    let events: Vec<TimelineEvent> = current()
        .filter_map(|e| match &e.value {
            TimelineEntry::Event(ev) => Some(TimelineEvent {
                id: e.id.to_string(),
                start: ev.date.first_day(),
                end: ev.date.last_day(),
                date_label: w.approx_date(&ev.date),
                label: event_label(w, ev),
                kind: ev.kind.code().to_string(),
                people: people_names(people, &ev.people),
            }),
            _ => None,
        })
        .collect();
    let mood_points: Vec<MoodPoint> = current()
        .filter_map(|e| match &e.value {
            TimelineEntry::Mood(m) => Some(MoodPoint {
                date: m.date.midpoint(),
                value: f64::from(m.rating.get()),
            }),
            _ => None,
        })
        .collect();
    let mood = (!mood_points.is_empty()).then_some(MoodSeries {
        min: 0.0,
        max: 10.0,
        points: mood_points,
    });
    let onset = timeline.onset.as_ref().map(|o| DrawnOnset {
        start: o.date.first_day(),
        end: o.date.last_day(),
        date_label: w.approx_date(&o.date),
    });
    draw_timeline(&TimelineInput {
        id: "timeline",
        events: &events,
        onset: onset.as_ref(),
        window: NearOnset::default(),
        mood: mood.as_ref(),
        labels: &timeline_labels(&w.t),
    })
}

async fn client_of(s: &AppState, ctx: &Ctx, id: CourseId) -> Result<ClientId, PageError> {
    Ok(s.app.course(ctx, id).await?.client)
}

async fn timeline_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    failed_form: TlFailed,
) -> Result<TimelinePage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "timeline-title");
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "timeline").await?;
    let w = Words::new(t, &loaded.protocol);
    let client = loaded.course.client;
    let timeline = s.app.timeline(ctx, client).await?;
    let people = s.app.inventory(ctx, client).await?;
    let drawn = drawing(&w, &timeline, &people);
    let mut onset_form = OnsetFields {
        date: timeline
            .onset
            .as_ref()
            .map(|o| o.date.to_string())
            .unwrap_or_default(),
        description: timeline
            .onset
            .as_ref()
            .map(|o| o.description.clone())
            .unwrap_or_default(),
    };
    let mut event_form = EventFields::default();
    let mut mood_form = MoodFields::default();
    let mut episode_form = EpisodeFields::default();
    let (mut onset_errors, mut event_errors, mut mood_errors, mut episode_errors) = (
        FormErrors::default(),
        FormErrors::default(),
        FormErrors::default(),
        FormErrors::default(),
    );
    match failed_form {
        TlFailed::None => {}
        TlFailed::Onset(e, f) => {
            onset_errors = e;
            onset_form = f;
        }
        TlFailed::Event(e, f) => {
            event_errors = e;
            event_form = f;
        }
        TlFailed::Mood(e, f) => {
            mood_errors = e;
            mood_form = f;
        }
        TlFailed::Episode(e, f) => {
            episode_errors = e;
            episode_form = f;
        }
    }
    let rows = &drawn.table.events;
    // Distances to onset as the problem-area suggestion measures them, so both pages agree.
    let reading = kith_domain::timeline::Timeline {
        onset: timeline.onset.clone(),
        ..Default::default()
    };
    let window = kith_domain::timeline::OnsetWindow::default();
    let current = || timeline.entries.iter().filter(|e| e.removed_at.is_none());
    let mut events: Vec<EventRowView> = current()
        .filter_map(|e| match &e.value {
            TimelineEntry::Event(ev) => {
                let distance = reading.distance_to_onset(&ev.date);
                Some(EventRowView {
                    id: e.id.to_string(),
                    date: w.approx_date(&ev.date),
                    kind: w.event_kind(ev.kind),
                    kind_code: ev.kind.code().to_string(),
                    description: ev.description.clone(),
                    people: people_names(&people, &ev.people).join(", "),
                    impact: ev
                        .impact
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "—".into()),
                    near_onset: distance.is_some_and(|d| d.within(window)),
                    weeks: distance
                        .map(|d| cw::weeks_phrase(&t, d.weeks_before_onset()))
                        .unwrap_or_default(),
                    version: e.version,
                })
            }
            _ => None,
        })
        .collect();
    // Sorted by date as drawn (the drawing's table is in date order).
    events.sort_by_key(|r| rows.iter().position(|x| x.id == r.id).unwrap_or(usize::MAX));
    let mut moods: Vec<(ApproxDate, MoodRowView)> = current()
        .filter_map(|e| match &e.value {
            TimelineEntry::Mood(m) => Some((
                m.date,
                MoodRowView {
                    id: e.id.to_string(),
                    date: w.approx_date(&m.date),
                    rating: m.rating.to_string(),
                    note: m.note.clone(),
                    version: e.version,
                },
            )),
            _ => None,
        })
        .collect();
    moods.sort_by_key(|(d, _)| *d);
    let mut episodes: Vec<(ApproxDate, EpisodeRowView)> = current()
        .filter_map(|e| match &e.value {
            TimelineEntry::Episode(x) => Some((
                x.start,
                EpisodeRowView {
                    id: e.id.to_string(),
                    kind: w.episode_kind(x.kind),
                    start: w.approx_date(&x.start),
                    end: x
                        .end
                        .map(|d| w.approx_date(&d))
                        .unwrap_or_else(|| t.get("tl-ongoing")),
                    severity: x.severity.clone(),
                    treatment: x.treatment.clone(),
                    version: e.version,
                },
            )),
            _ => None,
        })
        .collect();
    episodes.sort_by_key(|(d, _)| *d);
    let kind: Option<LifeEventKind> = parse_code(&event_form.kind);
    let episode_kind: Option<EpisodeKind> = parse_code(&episode_form.kind);
    let mut areas = vec![Choice {
        value: String::new(),
        label: t.get("course-not-recorded"),
        selected: event_form.candidate_area.is_empty(),
    }];
    areas.extend(loaded.protocol.problem_areas().iter().map(|a| Choice {
        value: a.id.clone(),
        label: a.label.get(locale).to_string(),
        selected: a.id == event_form.candidate_area,
    }));
    Ok(TimelinePage {
        svg: drawn.svg,
        summary: drawn.summary,
        onset: timeline.onset.as_ref().map(|o| {
            if o.description.is_empty() {
                w.approx_date(&o.date)
            } else {
                format!("{} — {}", w.approx_date(&o.date), o.description)
            }
        }),
        onset_form,
        onset_version: timeline.onset_version,
        events,
        moods: moods.into_iter().map(|(_, r)| r).collect(),
        episodes: episodes.into_iter().map(|(_, r)| r).collect(),
        kinds: choices(&cw::EVENT_KINDS, kind, |k| w.event_kind(k)),
        people: people
            .iter()
            .map(|p| PersonChoice {
                id: p.id.to_string(),
                name: p.value.display_name.clone(),
                checked: event_form.people.contains(&p.id.to_string()),
            })
            .collect(),
        areas,
        event: event_form,
        mood_form,
        episode_kinds: choices(&cw::EPISODE_KINDS, episode_kind, |k| w.episode_kind(k)),
        episode_form,
        key: new_token(),
        head: loaded.head,
        onset_errors,
        event_errors,
        mood_errors,
        episode_errors,
        c,
    })
}

pub async fn show(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id = course_id(&id)?;
    Ok(html(
        &timeline_page(&s, &ctx, locale, id, TlFailed::None).await?,
    ))
}

fn required_approx(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<ApproxDate> {
    if raw.trim().is_empty() {
        errs.push(FieldError::new(field, "field-required"));
        return None;
    }
    opt_approx(field, raw, errs)
}

fn score(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<Score10> {
    let n = opt_number::<u8>(field, raw, errs)?;
    let s = Score10::new(n).ok();
    if s.is_none() {
        errs.push(
            FieldError::new(field, "field-between")
                .with("min", 0)
                .with("max", 10),
        );
    }
    s
}

fn read_event(pairs: &[(String, String)]) -> Result<(EventFields, String, String), PageError> {
    let mut f = EventFields::default();
    let (mut version, mut key) = (String::new(), String::new());
    for (k, v) in pairs {
        match k.as_str() {
            "date" => f.date = v.clone(),
            "kind" => f.kind = v.clone(),
            "people" => f.people.push(v.clone()),
            "description" => f.description = v.clone(),
            "impact" => f.impact = v.clone(),
            "candidate_area" => f.candidate_area = v.clone(),
            "version" => version = v.clone(),
            "idempotency_key" => key = v.clone(),
            other => return Err(unknown_field(other)),
        }
    }
    Ok((f, version, key))
}

fn event_of(id: Uuid, f: &EventFields, errs: &mut Vec<FieldError>) -> Option<LifeEvent> {
    let date = required_approx("date", &f.date, errs);
    let kind: Option<LifeEventKind> = parse_code(&f.kind);
    if kind.is_none() {
        errs.push(FieldError::new("kind", "field-required"));
    }
    let mut people = Vec::new();
    for (i, p) in f.people.iter().enumerate() {
        match p.parse::<Uuid>() {
            Ok(x) if !people.contains(&x) => people.push(x),
            Ok(_) => {}
            Err(_) => errs.push(FieldError::new(format!("people[{i}]"), "person-unknown")),
        }
    }
    let impact = score("impact", &f.impact, errs);
    Some(LifeEvent {
        id,
        date: date?,
        kind: kind?,
        people,
        description: f.description.trim().to_string(),
        impact,
        candidate_area: (!f.candidate_area.trim().is_empty())
            .then(|| f.candidate_area.trim().to_string()),
    })
}

fn read_mood(pairs: &[(String, String)]) -> Result<(MoodFields, String, String), PageError> {
    let mut f = MoodFields::default();
    let (mut version, mut key) = (String::new(), String::new());
    for (k, v) in pairs {
        match k.as_str() {
            "date" => f.date = v.clone(),
            "rating" => f.rating = v.clone(),
            "note" => f.note = v.clone(),
            "version" => version = v.clone(),
            "idempotency_key" => key = v.clone(),
            other => return Err(unknown_field(other)),
        }
    }
    Ok((f, version, key))
}

fn mood_of(f: &MoodFields, errs: &mut Vec<FieldError>) -> Option<MoodEntry> {
    let date = required_approx("date", &f.date, errs);
    if f.rating.trim().is_empty() {
        errs.push(FieldError::new("rating", "field-required"));
    }
    let rating = score("rating", &f.rating, errs);
    Some(MoodEntry {
        date: date?,
        rating: rating?,
        note: f.note.trim().to_string(),
    })
}

fn read_episode(pairs: &[(String, String)]) -> Result<(EpisodeFields, String, String), PageError> {
    let mut f = EpisodeFields::default();
    let (mut version, mut key) = (String::new(), String::new());
    for (k, v) in pairs {
        match k.as_str() {
            "kind" => f.kind = v.clone(),
            "start" => f.start = v.clone(),
            "end" => f.end = v.clone(),
            "severity" => f.severity = v.clone(),
            "treatment" => f.treatment = v.clone(),
            "version" => version = v.clone(),
            "idempotency_key" => key = v.clone(),
            other => return Err(unknown_field(other)),
        }
    }
    Ok((f, version, key))
}

fn episode_of(f: &EpisodeFields, errs: &mut Vec<FieldError>) -> Option<MoodEpisode> {
    let kind: Option<EpisodeKind> = parse_code(&f.kind);
    if kind.is_none() {
        errs.push(FieldError::new("kind", "field-required"));
    }
    let start = required_approx("start", &f.start, errs);
    let end = opt_approx("end", &f.end, errs);
    Some(MoodEpisode {
        kind: kind?,
        start: start?,
        end,
        severity: f.severity.trim().to_string(),
        treatment: f.treatment.trim().to_string(),
    })
}

fn body_of(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .filter(|(k, _)| k != "idempotency_key")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\u{0}")
}

async fn back(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    e: AppError,
    make: impl FnOnce(FormErrors) -> TlFailed,
) -> PageResult {
    let t = Tr::new(locale);
    let (status, errors) = failed(&t, e)?;
    Ok(html_status(
        status,
        &timeline_page(s, ctx, locale, id, make(errors)).await?,
    ))
}

pub async fn add_event(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let (f, _, key) = read_event(&pairs)?;
    let client = client_of(&s, &ctx, id).await?;
    let mut errs = Vec::new();
    let event = event_of(Uuid::nil(), &f, &mut errs);
    let result = match event {
        Some(ev) if errs.is_empty() => {
            let idem = page_idempotency(
                &s,
                &ctx,
                "POST /courses/{id}/timeline/events",
                &key,
                &body_of(&pairs),
            );
            s.app
                .add_life_event(&ctx, client, &ev, idem)
                .await
                .map(|_| ())
        }
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/timeline#events"))),
        Err(e) => back(&s, &ctx, locale, id, e, |x| TlFailed::Event(x, f)).await,
    }
}

pub async fn add_mood(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let (f, _, key) = read_mood(&pairs)?;
    let client = client_of(&s, &ctx, id).await?;
    let mut errs = Vec::new();
    let entry = mood_of(&f, &mut errs);
    let result = match entry {
        Some(m) if errs.is_empty() => {
            let idem = page_idempotency(
                &s,
                &ctx,
                "POST /courses/{id}/timeline/mood",
                &key,
                &body_of(&pairs),
            );
            s.app
                .add_mood_entry(&ctx, client, &m, idem)
                .await
                .map(|_| ())
        }
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/timeline#mood"))),
        Err(e) => back(&s, &ctx, locale, id, e, |x| TlFailed::Mood(x, f)).await,
    }
}

pub async fn add_episode(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let (f, _, key) = read_episode(&pairs)?;
    let client = client_of(&s, &ctx, id).await?;
    let mut errs = Vec::new();
    let ep = episode_of(&f, &mut errs);
    let result = match ep {
        Some(x) if errs.is_empty() => {
            let idem = page_idempotency(
                &s,
                &ctx,
                "POST /courses/{id}/timeline/episodes",
                &key,
                &body_of(&pairs),
            );
            s.app
                .add_mood_episode(&ctx, client, &x, idem)
                .await
                .map(|_| ())
        }
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/timeline#episodes"))),
        Err(e) => back(&s, &ctx, locale, id, e, |x| TlFailed::Episode(x, f)).await,
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnsetForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    description: String,
    version: String,
    #[serde(default)]
    clear: Option<String>,
}

/// Sets, changes or clears the onset of the current episode.
pub async fn set_onset(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<OnsetForm>,
) -> PageResult {
    let id = course_id(&id)?;
    let client = client_of(&s, &ctx, id).await?;
    let mut errs = Vec::new();
    let onset = if f.clear.is_some() {
        None
    } else {
        required_approx("date", &f.date, &mut errs).map(|date| Onset {
            date,
            description: f.description.trim().to_string(),
        })
    };
    let result = if errs.is_empty() {
        s.app
            .set_onset(&ctx, client, onset.as_ref(), version_of(&f.version))
            .await
            .map(|_| ())
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/timeline"))),
        Err(e) => {
            let fields = OnsetFields {
                date: f.date,
                description: f.description,
            };
            back(&s, &ctx, locale, id, e, |x| TlFailed::Onset(x, fields)).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One entry: edit and remove.

#[derive(Template)]
#[template(path = "timeline/entry.html")]
struct EntryPage {
    c: Chrome,
    head: CourseHead,
    entry_id: String,
    kind: &'static str,
    event: EventFields,
    kinds: Vec<Choice>,
    people: Vec<PersonChoice>,
    areas: Vec<Choice>,
    mood: MoodFields,
    episode: EpisodeFields,
    episode_kinds: Vec<Choice>,
    version: i64,
    errors: FormErrors,
    /// The same problems, under the name the event fields look them up by.
    event_errors: FormErrors,
}

enum EntryForm {
    Stored,
    Event(EventFields),
    Mood(MoodFields),
    Episode(EpisodeFields),
}

async fn entry_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: CourseId,
    entry: Uuid,
    form: EntryForm,
    errors: FormErrors,
) -> Result<EntryPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/clients", "tl-entry-title");
    let t = c.t;
    let loaded = load(s, ctx, &t, id, "timeline").await?;
    let w = Words::new(t, &loaded.protocol);
    let timeline = s.app.timeline(ctx, loaded.course.client).await?;
    let people = s.app.inventory(ctx, loaded.course.client).await?;
    let record = timeline
        .entries
        .iter()
        .find(|e| e.id == entry && e.removed_at.is_none())
        .ok_or(PageError(WebError::App(AppError::NotFound)))?;
    let (mut event, mut mood, mut episode) = (
        EventFields::default(),
        MoodFields::default(),
        EpisodeFields::default(),
    );
    match &record.value {
        TimelineEntry::Event(ev) => {
            event = EventFields {
                date: ev.date.to_string(),
                kind: ev.kind.code().to_string(),
                people: ev.people.iter().map(|p| p.to_string()).collect(),
                description: ev.description.clone(),
                impact: ev.impact.map(|i| i.to_string()).unwrap_or_default(),
                candidate_area: ev.candidate_area.clone().unwrap_or_default(),
            }
        }
        TimelineEntry::Mood(m) => {
            mood = MoodFields {
                date: m.date.to_string(),
                rating: m.rating.to_string(),
                note: m.note.clone(),
            }
        }
        TimelineEntry::Episode(x) => {
            episode = EpisodeFields {
                kind: code_of(&x.kind),
                start: x.start.to_string(),
                end: x.end.map(|d| d.to_string()).unwrap_or_default(),
                severity: x.severity.clone(),
                treatment: x.treatment.clone(),
            }
        }
    }
    match form {
        EntryForm::Stored => {}
        EntryForm::Event(f) => event = f,
        EntryForm::Mood(f) => mood = f,
        EntryForm::Episode(f) => episode = f,
    }
    let kind: Option<LifeEventKind> = parse_code(&event.kind);
    let episode_kind: Option<EpisodeKind> = parse_code(&episode.kind);
    let mut areas = vec![Choice {
        value: String::new(),
        label: t.get("course-not-recorded"),
        selected: event.candidate_area.is_empty(),
    }];
    areas.extend(loaded.protocol.problem_areas().iter().map(|a| Choice {
        value: a.id.clone(),
        label: a.label.get(locale).to_string(),
        selected: a.id == event.candidate_area,
    }));
    Ok(EntryPage {
        entry_id: entry.to_string(),
        kind: record.value.kind(),
        kinds: choices(&cw::EVENT_KINDS, kind, |k| w.event_kind(k)),
        people: people
            .iter()
            .map(|p| PersonChoice {
                id: p.id.to_string(),
                name: p.value.display_name.clone(),
                checked: event.people.contains(&p.id.to_string()),
            })
            .collect(),
        areas,
        event,
        mood,
        episode_kinds: choices(&cw::EPISODE_KINDS, episode_kind, |k| w.episode_kind(k)),
        episode,
        version: record.version,
        head: loaded.head,
        event_errors: FormErrors(errors.0.clone()),
        errors,
        c,
    })
}

pub async fn entry_form(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, entry)): Path<(String, String)>,
) -> PageResult {
    let id = course_id(&id)?;
    let entry: Uuid = parse_id(&entry)?;
    Ok(html(
        &entry_page(
            &s,
            &ctx,
            locale,
            id,
            entry,
            EntryForm::Stored,
            FormErrors::default(),
        )
        .await?,
    ))
}

/// Saves an event, mood entry or episode at the version the form was loaded with.
pub async fn update_entry(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, entry)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = course_id(&id)?;
    let entry: Uuid = parse_id(&entry)?;
    let t = Tr::new(locale);
    let client = client_of(&s, &ctx, id).await?;
    let timeline = s.app.timeline(&ctx, client).await?;
    let record = timeline
        .entries
        .iter()
        .find(|e| e.id == entry && e.removed_at.is_none())
        .ok_or(PageError(WebError::App(AppError::NotFound)))?;
    let mut errs = Vec::new();
    let (result, form) = match &record.value {
        TimelineEntry::Event(_) => {
            let (f, version, _) = read_event(&pairs)?;
            let r = match event_of(entry, &f, &mut errs) {
                Some(ev) if errs.is_empty() => s
                    .app
                    .update_life_event(&ctx, client, &ev, version_of(&version))
                    .await
                    .map(|_| ()),
                _ => Err(AppError::Invalid(std::mem::take(&mut errs))),
            };
            (r, EntryForm::Event(f))
        }
        TimelineEntry::Mood(_) => {
            let (f, version, _) = read_mood(&pairs)?;
            let r = match mood_of(&f, &mut errs) {
                Some(m) if errs.is_empty() => s
                    .app
                    .update_mood_entry(&ctx, client, entry, &m, version_of(&version))
                    .await
                    .map(|_| ()),
                _ => Err(AppError::Invalid(std::mem::take(&mut errs))),
            };
            (r, EntryForm::Mood(f))
        }
        TimelineEntry::Episode(_) => {
            let (f, version, _) = read_episode(&pairs)?;
            let r = match episode_of(&f, &mut errs) {
                Some(x) if errs.is_empty() => s
                    .app
                    .update_mood_episode(&ctx, client, entry, &x, version_of(&version))
                    .await
                    .map(|_| ()),
                _ => Err(AppError::Invalid(std::mem::take(&mut errs))),
            };
            (r, EntryForm::Episode(f))
        }
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/timeline"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            Ok(html_status(
                status,
                &entry_page(&s, &ctx, locale, id, entry, form, errors).await?,
            ))
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveForm {
    version: String,
}

/// Removes an entry from the timeline (kept for history).
pub async fn remove_entry(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((id, entry)): Path<(String, String)>,
    Form(f): Form<RemoveForm>,
) -> PageResult {
    let id = course_id(&id)?;
    let entry: Uuid = parse_id(&entry)?;
    let t = Tr::new(locale);
    let client = client_of(&s, &ctx, id).await?;
    match s
        .app
        .remove_timeline_entry(&ctx, client, entry, version_of(&f.version))
        .await
    {
        Ok(()) => Ok(see_other(&format!("/courses/{id}/timeline"))),
        Err(e) => {
            let (status, errors) = failed(&t, e)?;
            Ok(html_status(
                status,
                &entry_page(&s, &ctx, locale, id, entry, EntryForm::Stored, errors).await?,
            ))
        }
    }
}
