//! Termination: the reminder to raise the ending, every measure at baseline and now, the
//! closeness circle then and now, each goal reviewed, the relapse-prevention plan, closing the
//! course with its outcome, and the printable end-of-treatment summary.

use super::sessions::{CourseHead, Refusal, instrument_label, refusal, session_label, version_of};
use super::worksheets::{Links, ReadField, read_fields, worksheet_title};
use super::{Chrome, FormErrors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::courses::{EndOfTreatmentSummary, MeasureComparison, RELAPSE_PLAN_KIND};
use kith_app::{AppError, Ctx, FieldError};
use kith_domain::course::{ContractLength, SessionStatus, Warning};
use kith_domain::ids::{CourseId, GoalId};
use kith_domain::inventory::{ConflictFrequency, Inventory, PersonStatus};
use kith_domain::locale::Locale;
use kith_domain::measure::{Finding, FindingStatus};
use kith_domain::worksheet::WorksheetLibrary;
use kith_report::{
    ChangeLabels, CircleChangeInput, CircleLabels, CirclePerson, Conflict, RelationStatus,
    draw_circle_change,
};
use kith_store::{CourseOutcome, CourseStatus, GoalContent, GoalStatus};
use serde::Deserialize;

/// One instrument at the start and now.
pub struct MeasureRow {
    pub id: String,
    pub label: String,
    pub baseline: String,
    pub baseline_when: String,
    pub latest: String,
    pub latest_when: String,
    pub change: String,
    pub response: String,
    pub remission: String,
    pub reliable: String,
    pub taken: bool,
}

fn finding(t: &Tr, f: &Finding) -> String {
    let code = match f.status {
        FindingStatus::Suggested => "suggested",
        FindingStatus::NotSuggested => "not-suggested",
        FindingStatus::CannotTell => "cannot-tell",
    };
    t.get(&format!("term-finding-{code}"))
}

fn measure_rows(t: &Tr, measures: &[MeasureComparison]) -> Vec<MeasureRow> {
    let when = |s: &kith_app::courses::ScoreAt| match s.session {
        Some(n) => format!("{} · {}", session_label(t, n), t.date(s.taken_at.date())),
        None => t.date(s.taken_at.date()),
    };
    measures
        .iter()
        .map(|m| {
            let b = m.baseline.as_ref();
            let l = m.latest.as_ref();
            let reliable = if m.analysis.reliable_improvement.is_suggested() {
                t.get("term-reliable-improvement")
            } else if m.analysis.reliable_deterioration.is_suggested() {
                t.get("term-reliable-deterioration")
            } else {
                finding(t, &m.analysis.reliable_improvement)
            };
            MeasureRow {
                id: m.instrument.clone(),
                label: instrument_label(&m.instrument, t.locale),
                baseline: b.map(|x| x.total.to_string()).unwrap_or_default(),
                baseline_when: b.map(when).unwrap_or_default(),
                latest: l.map(|x| x.total.to_string()).unwrap_or_default(),
                latest_when: l.map(when).unwrap_or_default(),
                change: m
                    .analysis
                    .change
                    .map(|c| {
                        let s = c.to_string();
                        if c.hundredths() > 0 {
                            format!("+{s}")
                        } else {
                            s
                        }
                    })
                    .unwrap_or_default(),
                response: finding(t, &m.analysis.response),
                remission: finding(t, &m.analysis.remission),
                reliable,
                taken: b.is_some(),
            }
        })
        .collect()
}

/// The people of an inventory snapshot as the closeness-circle drawing takes them (people not
/// placed on a ring are not drawn).
fn circle_people(inv: &Inventory) -> Vec<CirclePerson> {
    inv.people
        .iter()
        .filter_map(|p| {
            let ring = p.ring?.get();
            Some(CirclePerson {
                id: p.id.to_string(),
                label: p.display_name.clone(),
                ring,
                support: p.support.rating.map(|r| r.get()),
                conflict: match p.conflict.frequency {
                    None | Some(ConflictFrequency::Never) => Conflict::None,
                    Some(ConflictFrequency::Rarely) => Conflict::Low,
                    Some(ConflictFrequency::Sometimes) => Conflict::Moderate,
                    Some(ConflictFrequency::Often | ConflictFrequency::Constantly) => {
                        Conflict::High
                    }
                },
                status: match p.status {
                    PersonStatus::Current => RelationStatus::Current,
                    PersonStatus::Past => RelationStatus::Past,
                    PersonStatus::Deceased => RelationStatus::Deceased,
                    PersonStatus::Estranged => RelationStatus::Estranged,
                },
                angle: p.angle.map(f64::from),
            })
        })
        .collect()
}

pub struct ChangeRow {
    pub label: String,
    pub kind: &'static str,
    pub kind_label: String,
    pub before: String,
    pub after: String,
}

pub struct CircleView {
    /// SVG drawn by Kith itself.
    pub svg: String,
    pub rows: Vec<ChangeRow>,
    pub before_on: String,
    pub after_on: String,
}

fn circle_view(t: &Tr, sum: &EndOfTreatmentSummary, client: &str) -> Option<CircleView> {
    let before = sum.snapshot_before.as_ref()?;
    let after = sum.snapshot_after.as_ref()?;
    let labels = CircleLabels {
        title: t.get("term-circle-title"),
        client: client.to_string(),
        rings: [
            t.get("term-ring-1"),
            t.get("term-ring-2"),
            t.get("term-ring-3"),
        ],
        support: t.get("term-support"),
        conflict: [
            t.get("term-conflict-none"),
            t.get("term-conflict-low"),
            t.get("term-conflict-moderate"),
            t.get("term-conflict-high"),
        ],
        status: [
            t.get("term-status-current"),
            t.get("term-status-past"),
            t.get("term-status-deceased"),
            t.get("term-status-estranged"),
        ],
        empty: t.get("term-circle-empty"),
    };
    let change = ChangeLabels {
        moved_inward: t.get("term-change-moved-inward"),
        moved_outward: t.get("term-change-moved-outward"),
        joined: t.get("term-change-joined"),
        left: t.get("term-change-left"),
        unchanged: t.get("term-change-unchanged"),
    };
    let b = circle_people(&before.inventory);
    let a = circle_people(&after.inventory);
    let view = draw_circle_change(&CircleChangeInput {
        id: "circle-change",
        before: &b,
        after: &a,
        labels: &labels,
        change_labels: &change,
    });
    let ring = |r: Option<u8>| match r {
        Some(n @ 1..=3) => labels.rings[usize::from(n - 1)].clone(),
        _ => "—".to_string(),
    };
    Some(CircleView {
        rows: view
            .changes
            .iter()
            .map(|ch| ChangeRow {
                label: ch.label.clone(),
                kind: ch.kind.code(),
                kind_label: t.get(&format!("term-change-{}", ch.kind.code())),
                before: ring(ch.ring_before),
                after: ring(ch.ring_after),
            })
            .collect(),
        svg: view.svg,
        before_on: t.date(before.taken_at.date()),
        after_on: t.date(after.taken_at.date()),
    })
}

pub struct GoalRow {
    pub id: String,
    pub text: String,
    pub status: &'static str,
    pub status_label: String,
    pub review: String,
    pub version: i64,
}

const GOAL_STATUSES: [GoalStatus; 5] = [
    GoalStatus::Active,
    GoalStatus::Achieved,
    GoalStatus::Partly,
    GoalStatus::NotAchieved,
    GoalStatus::Dropped,
];

pub struct Opt {
    pub value: &'static str,
    pub label: String,
}

/// What the termination page and the summary both show.
struct Facts {
    course_version: i64,
    used: String,
    raise_ending: bool,
    ending_late: Option<String>,
    ending_raised_at: String,
    last_held: u32,
    measures: Vec<MeasureRow>,
    circle: Option<CircleView>,
    goals: Vec<GoalRow>,
    plan: Option<String>,
    plan_status: String,
    plan_fields: Vec<ReadField>,
    closed: bool,
    outcome: String,
    /// The outcome the relapse-prevention plan's next step points to (preselected on closing).
    planned_outcome: &'static str,
    sessions_line: String,
    dates_line: String,
    diagnosis: String,
    areas: Vec<String>,
    formulation: String,
    fidelity: Vec<(String, String)>,
}

async fn facts(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    course: CourseId,
    printed: bool,
) -> Result<(CourseHead, Facts), PageError> {
    let t = Tr::new(locale);
    let sum = if printed {
        s.app.end_of_treatment_summary(ctx, course).await?
    } else {
        s.app.termination_review(ctx, course).await?
    };
    let c = s.app.course(ctx, course).await?;
    let head = CourseHead::load(s, ctx, locale, &c).await?;
    let protocol = s.app.protocols().get(&c.protocol_id).cloned();
    let sessions = s.app.sessions(ctx, course).await?;
    let last_held = sessions
        .iter()
        .filter(|x| x.status == SessionStatus::Held)
        .map(|x| x.number)
        .max()
        .unwrap_or(0);
    let r = &sum.review;
    let used = match r.contract {
        ContractLength::Sessions(n) => t.with2("term-used-of", "used", r.used, "of", n),
        ContractLength::Open => t.with1("term-used-open", "used", r.used),
    };
    let (plan_fields, plan) = match &sum.relapse_plan {
        Some(w) => {
            let people = s.app.inventory(ctx, c.client).await?;
            let links = Links {
                people: &people,
                goals: &sum.goals,
            };
            let lib = WorksheetLibrary::builtin();
            let defs = lib
                .get_version(&w.kind, &w.definition_version)
                .map(|d| d.fields())
                .unwrap_or(&[]);
            let values = w.content.content.as_object().cloned().unwrap_or_default();
            (
                read_fields(&t, defs, &values, &links),
                Some(w.id.to_string()),
            )
        }
        None => (Vec::new(), None),
    };
    let client_name = head.client_name.clone();
    let f = Facts {
        course_version: c.version,
        used,
        raise_ending: r.agenda.raise_ending && c.status == CourseStatus::Open,
        ending_late: r.warnings.iter().find_map(|w| match w {
            Warning::EndingNotRaised {
                raise_by,
                last_session,
                ..
            } => Some(t.with2(
                "sessions-ending-late",
                "raise_by",
                raise_by,
                "last",
                last_session,
            )),
            _ => None,
        }),
        ending_raised_at: c
            .ending_raised_at_session
            .map(|n| t.with1("sessions-ending-raised-at", "number", n))
            .unwrap_or_default(),
        last_held,
        measures: measure_rows(&t, &sum.measures),
        circle: circle_view(&t, &sum, &client_name),
        goals: sum
            .goals
            .iter()
            .map(|g| GoalRow {
                id: g.id.to_string(),
                text: g.content.text.clone(),
                status: g.status.code(),
                status_label: t.get(&format!("term-goal-{}", g.status.code())),
                review: g.content.review.clone(),
                version: g.version,
            })
            .collect(),
        plan_status: sum
            .relapse_plan
            .as_ref()
            .map(|w| t.get(&format!("ws-status-{}", w.status.code())))
            .unwrap_or_default(),
        plan,
        plan_fields,
        closed: c.status == CourseStatus::Closed,
        planned_outcome: match sum
            .relapse_plan
            .as_ref()
            .and_then(|w| w.content.content.get("next_step"))
            .and_then(|v| v.as_str())
        {
            Some("continuation") => CourseOutcome::Continuation.code(),
            Some("maintenance") => CourseOutcome::Maintenance.code(),
            _ => CourseOutcome::Ended.code(),
        },
        outcome: sum
            .next_step
            .map(|o| t.get(&format!("term-outcome-{}", o.code())))
            .unwrap_or_default(),
        sessions_line: t.with(
            "term-sessions-line",
            &[
                ("held", sum.sessions_held.to_string()),
                ("missed", sum.sessions_missed.to_string()),
                ("cancelled", sum.sessions_cancelled.to_string()),
            ],
        ),
        dates_line: match (sum.first_session_on, sum.last_session_on) {
            (Some(a), Some(b)) => t.with2("term-dates", "from", t.date(a), "to", t.date(b)),
            _ => String::new(),
        },
        diagnosis: sum
            .diagnosis
            .as_ref()
            .map(|d| format!("{} ({} {})", d.label, d.code_system, d.code))
            .unwrap_or_default(),
        areas: sum
            .problem_areas
            .iter()
            .map(|a| {
                protocol
                    .as_ref()
                    .and_then(|p| p.problem_area(&a.area))
                    .map(|d| d.label.get(locale).to_string())
                    .unwrap_or_else(|| a.area.clone())
            })
            .chain(sum.ipaf.as_ref().map(|i| i.summary.clone()))
            .collect(),
        formulation: sum.formulation_for_client.clone().unwrap_or_default(),
        fidelity: r
            .fidelity
            .iter()
            .map(|f| {
                let label = protocol
                    .as_ref()
                    .and_then(|p| p.phase(&f.phase))
                    .map(|p| p.label.get(locale).to_string())
                    .unwrap_or_else(|| f.phase.clone());
                (
                    label,
                    t.with2(
                        "term-fidelity-share",
                        "done",
                        f.done,
                        "expected",
                        f.expected,
                    ),
                )
            })
            .collect(),
    };
    Ok((head, f))
}

#[derive(Template)]
#[template(path = "termination/termination.html")]
struct TerminationPage {
    c: Chrome,
    head: CourseHead,
    f: Facts,
    goal_statuses: Vec<Opt>,
    outcomes: Vec<Opt>,
    relapse_kind: &'static str,
    relapse_title: String,
    errors: FormErrors,
}

async fn termination_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    course: CourseId,
    errors: FormErrors,
) -> Result<TerminationPage, PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/", "term-title");
    let t = c.t;
    let (head, f) = facts(s, ctx, locale, course, false).await?;
    Ok(TerminationPage {
        head,
        goal_statuses: GOAL_STATUSES
            .iter()
            .map(|g| Opt {
                value: g.code(),
                label: t.get(&format!("term-goal-{}", g.code())),
            })
            .collect(),
        outcomes: [
            CourseOutcome::Ended,
            CourseOutcome::Continuation,
            CourseOutcome::Maintenance,
        ]
        .iter()
        .map(|o| Opt {
            value: o.code(),
            label: t.get(&format!("term-outcome-{}", o.code())),
        })
        .collect(),
        relapse_kind: RELAPSE_PLAN_KIND,
        relapse_title: worksheet_title(RELAPSE_PLAN_KIND, locale),
        f,
        errors,
        c,
    })
}

pub async fn termination(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    Ok(html(
        &termination_page(&s, &ctx, locale, course, FormErrors::default()).await?,
    ))
}

async fn refused(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    course: CourseId,
    e: AppError,
) -> PageResult {
    let t = Tr::new(locale);
    let errors = match refusal(&t, e)? {
        Refusal::Problems(p) => p,
        Refusal::Conflict => FormErrors(vec![(String::new(), t.get("value-conflict"))]),
    };
    Ok(html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &termination_page(s, ctx, locale, course, errors).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndingForm {
    version: String,
    session: String,
}

/// Records the session at which the ending was raised with the client.
pub async fn ending_raised(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<EndingForm>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    let result = match f.session.trim().parse::<u32>() {
        Ok(n) => {
            s.app
                .record_ending_raised(&ctx, course, n, version_of(&f.version))
                .await
        }
        Err(_) => Err(AppError::invalid("session", "field-not-a-number")),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{course}/termination"))),
        Err(e) => refused(&s, &ctx, locale, course, e).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalReviewForm {
    version: String,
    status: String,
    #[serde(default)]
    review: String,
}

/// Reviews one goal of a course: its status and what was achieved.
pub async fn review_goal(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path((course, goal)): Path<(String, String)>,
    Form(f): Form<GoalReviewForm>,
) -> PageResult {
    let course: CourseId = parse_id(&course)?;
    let goal: GoalId = parse_id(&goal)?;
    let goals = s.app.goals(&ctx, course).await?;
    let current = goals
        .into_iter()
        .find(|g| g.id == goal)
        .ok_or(AppError::NotFound)?;
    let result = match GoalStatus::parse(f.status.trim()) {
        Some(status) => {
            let content = GoalContent {
                review: f.review,
                ..current.content.clone()
            };
            s.app
                .update_goal(&ctx, goal, &content, status, version_of(&f.version))
                .await
        }
        None => Err(AppError::invalid("status", "field-required")),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{course}/termination#goals"))),
        Err(e) => refused(&s, &ctx, locale, course, e).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseForm {
    version: String,
    outcome: String,
}

/// Closes the course with its outcome.
pub async fn close(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    let result = match CourseOutcome::parse(f.outcome.trim()) {
        Some(o) => {
            s.app
                .close_course(&ctx, course, o, version_of(&f.version))
                .await
        }
        None => Err(AppError::Invalid(vec![FieldError::new(
            "outcome",
            "field-required",
        )])),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/courses/{course}/termination"))),
        Err(e) => refused(&s, &ctx, locale, course, e).await,
    }
}

#[derive(Template)]
#[template(path = "termination/summary.html")]
struct SummaryPage {
    c: Chrome,
    head: CourseHead,
    f: Facts,
    printed_on: String,
}

/// The printable end-of-treatment summary.
pub async fn summary(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let course: CourseId = parse_id(&id)?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/", "summary-title");
    let (head, f) = facts(&s, &ctx, locale, course, true).await?;
    Ok(html(&SummaryPage {
        head,
        printed_on: c
            .t
            .with1("summary-printed-on", "date", c.t.date(s.app.now().date())),
        f,
        c,
    }))
}
