//! What the course-sessions tests share: a clinician's context for setting a course up through
//! the application (the course pages themselves belong to another part), a course with held
//! sessions, and reading values out of pages.

#![allow(dead_code)]

use kith_app::courses::ContractInput;
use kith_app::{Ctx, MeasureAnswers, MeasureInput};
use kith_domain::course::{ContractLength, SessionStatus};
use kith_domain::ids::{ClientId, CourseId, SessionId};
use kith_domain::inventory::{Person as InvPerson, PersonStatus, RelationshipType, Ring};
use kith_domain::measure::AnswerValue;
use kith_domain::protocol::{Frequency, ParticipantRole};
use kith_store::{AdministrationMode, ChosenArea, CourseSession, Formulation};
use kith_testkit::{Person, TestApp};
use uuid::Uuid;

/// The application's view of a person, through an API token of theirs.
pub async fn ctx_of(app: &TestApp, p: &Person) -> Ctx {
    let api = app.api_as(p).await;
    app.app
        .resolve_api_token(&api.token, None)
        .await
        .expect("token resolves")
}

pub struct Fixture {
    pub client: ClientId,
    pub course: CourseId,
    pub sessions: Vec<CourseSession>,
}

impl Fixture {
    pub fn session(&self, n: u32) -> SessionId {
        self.sessions
            .iter()
            .find(|s| s.number == n)
            .map(|s| s.id)
            .expect("session held")
    }
}

/// A 12-session IPT course for `client` with sessions 1 to `held` held a week apart, and a grief
/// formulation agreed at session 3 (when at least three were held).
pub async fn course_with(app: &TestApp, by: &Person, client: ClientId, held: u32) -> Fixture {
    let ctx = ctx_of(app, by).await;
    let course = *app
        .app
        .open_course(
            &ctx,
            client,
            "ipt",
            Some(ContractLength::Sessions(12)),
            None,
        )
        .await
        .expect("course opens")
        .value();
    let mut sessions = Vec::new();
    for n in 1..=held {
        if n > 1 {
            app.advance(time::Duration::days(7));
        }
        let ctx = ctx_of(app, by).await;
        sessions.push(
            app.app
                .add_session(&ctx, course, None, SessionStatus::Held, app.clock_now())
                .await
                .expect("session held"),
        );
        if n == 3 {
            let rev = app
                .app
                .save_formulation(
                    &ctx,
                    course,
                    &Formulation {
                        narrative_for_client: "Your low mood began after your mother died.".into(),
                        areas: vec![ChosenArea {
                            area: "grief".into(),
                            primary: true,
                            rationale: String::new(),
                            dispute_stage: None,
                        }],
                        ..Formulation::default()
                    },
                    Some(3),
                    0,
                )
                .await
                .expect("formulation");
            app.app
                .agree_formulation(&ctx, course, rev.revision, app.clock_now().date(), 3)
                .await
                .expect("agreement");
            let c = app.app.course(&ctx, course).await.expect("course");
            app.app
                .agree_contract(
                    &ctx,
                    course,
                    &ContractInput {
                        sessions: ContractLength::Sessions(12),
                        frequency: Frequency::Weekly,
                        planned_end: None,
                        focus: "Grief for Mum".into(),
                        participants: vec![ParticipantRole::Client],
                    },
                    3,
                    c.version,
                )
                .await
                .expect("contract");
        }
    }
    Fixture {
        client,
        course,
        sessions,
    }
}

/// Adds a person to the client's inventory on a ring.
pub async fn add_person(
    app: &TestApp,
    by: &Person,
    client: ClientId,
    name: &str,
    ring: u8,
) -> Uuid {
    let ctx = ctx_of(app, by).await;
    let mut p = InvPerson::new(
        Uuid::nil(),
        name,
        RelationshipType::Friend,
        PersonStatus::Current,
    );
    p.ring = Some(Ring::new(ring).expect("ring"));
    *app.app
        .add_person(&ctx, client, &p, None)
        .await
        .expect("person")
        .value()
}

/// A PHQ-9 entered by the clinician at a session of the course.
pub fn phq9(
    values: [i64; 9],
    at: time::OffsetDateTime,
    course: CourseId,
    session: SessionId,
) -> MeasureInput {
    MeasureInput {
        instrument: "phq9".into(),
        answers: MeasureAnswers::Items(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1).to_string(), AnswerValue::Value(*v)))
                .collect(),
        ),
        taken_at: at,
        course: Some(course),
        session: Some(session),
        language: kith_domain::locale::Locale::En,
        mode: AdministrationMode::ClinicianEntered,
    }
}

/// The value of the first `<input … name="{name}" value="…">` on a page.
pub fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} on the page"));
    let rest = &html[i + marker.len()..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}

/// The id after `prefix` in the first link that has it, e.g. `/worksheets/`.
pub fn link_id(html: &str, prefix: &str) -> String {
    let marker = format!("href=\"{prefix}");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no link {prefix} on the page"));
    let rest = &html[i + marker.len()..];
    rest[..rest.find(['"', '/', '#']).expect("end")].to_string()
}

pub fn location(r: &reqwest::Response) -> String {
    kith_testkit::location(r)
}

/// Signs a person in and reads the form token of their signed-in session.
pub async fn sign_in(app: &TestApp, p: &Person) -> kith_testkit::Browser {
    let b = app.sign_in(p).await;
    b.refresh_csrf("/account").await;
    b
}

/// The value of the first attribute `name="…"` on a page.
pub fn attr(html: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no attribute {name} on the page"));
    let rest = &html[i + marker.len()..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}
