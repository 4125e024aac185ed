//! Courses: opening a course, intake, contract, sessions and notes, inventory, timeline,
//! formulation, goals, worksheets, the course page, the pre-session brief and the
//! end-of-treatment summary.
//!
//! Every use case authorises through the policy (`ViewClinical` to read, `WriteClinical` to
//! write, `ProcessNote` for process notes, `SignOffNote` for supervisor sign-off), records its
//! audit events in the same storage transaction, and reports every problem with its input at
//! once as [`AppError::Invalid`] with field paths and message codes. The course engine
//! (`kith_domain::course`) is the judge of contract changes, sessions and problem areas; its
//! error codes are passed on unchanged.

mod engine;
mod measures;
mod plans;
mod records;
mod sessions;
mod summaries;
#[cfg(test)]
mod tests;

pub use engine::{ENDING_RAISED_TASK, course_state};
pub use measures::{course_submissions, session_number};
pub use plans::{DueWorksheet, RELAPSE_PLAN_KIND, WorksheetInput};
pub use records::{InventoryDiff, PersonChange, PersonRef, RingMove, diff_inventories};
pub use sessions::{NoteInput, SESSION_REASONS};
pub use summaries::{
    BriefChange, BriefChangeKind, EndOfTreatmentSummary, MeasureBrief, PreSessionBrief,
};
// course-sessions: note templates by phase and focus, measures at baseline and now.
pub use sessions::{focus_area, phase_kind, sections_record_risk, session_phase};
pub use summaries::{MeasureComparison, ScoreAt};

use crate::setup::text_error;
use crate::{App, AppError, AppResult, Ctx, FieldError};
use kith_domain::audit::{AuditAction, AuditEvent};
use kith_domain::course::{
    ContractLength, CourseError, CourseReview, CourseState, MeasureTaken, review,
};
use kith_domain::ids::{ClientId, ClinicId, CourseId};
use kith_domain::inventory::Ring;
use kith_domain::locale::Localized;
use kith_domain::policy::Action;
use kith_domain::problem_area::{Suggestion, SuggestionSettings, suggest};
use kith_domain::protocol::{Frequency, ParticipantRole, Protocol, ProtocolLibrary};
use kith_domain::text;
use kith_store::{
    ContractTerms, Course, CourseOutcome, CourseRef, CourseSession, FormulationRevision, Goal,
    Idempotency, Intake, NewContractChange, NewCourse, StoreError, Written,
};
use std::sync::OnceLock;
use time::Date;
use uuid::Uuid;

/// Longest free-text field of a clinical record (a note section, a formulation paragraph).
pub const LONG_TEXT_MAX: usize = 20_000;
/// Longest short text (a focus, a reason, a diagnosis label).
pub const SHORT_TEXT_MAX: usize = 2_000;
/// Longest id-like value (a template id, a worksheet kind, a diagnosis code).
pub const CODE_MAX: usize = 64;

/// Who is asking about which course.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub clinic: ClinicId,
    pub client: ClientId,
    pub course: CourseId,
}

impl Scope {
    fn event(&self, ctx: &Ctx, action: AuditAction, object: &str, id: String) -> AuditEvent {
        ctx.event(action, object, Some(id), Some(self.client))
    }
}

/// Collects problems with an input; turns into `AppError::Invalid` when any were found.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<FieldError>);

impl Problems {
    pub fn push(&mut self, field: impl Into<String>, code: &str) {
        self.0.push(FieldError::new(field, code));
    }

    pub fn add(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// Checks free text (line breaks allowed) of at most `max` characters; empty allowed.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if let Err(p) = text::multiline(value, max) {
            self.add(text_error(field, &p));
        }
    }

    /// Checks required free text (line breaks allowed).
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(field, "field-required");
        } else {
            self.text(field, value, max);
        }
    }

    /// Checks a required one-line value.
    pub fn required(&mut self, field: &str, value: &str, max: usize) {
        if let Err(p) = text::name(value, max) {
            self.add(text_error(field, &p));
        }
    }

    pub fn engine(&mut self, field: &str, e: &CourseError) {
        self.push(field, e.code());
    }

    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// A rule storage enforces, reported against the field it concerns.
pub(crate) fn refused(field: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Refused(code) => AppError::Invalid(vec![FieldError::new(field, code)]),
        StoreError::Duplicate("session") => {
            AppError::Invalid(vec![FieldError::new("number", "session-already-held")])
        }
        other => other.into(),
    }
}

fn engine_error(field: &str, e: &CourseError) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, e.code())])
}

/// What the course page shows.
#[derive(Debug, Clone)]
pub struct CourseView {
    pub course: Course,
    pub protocol_title: Localized,
    /// The engine's reading of the course: contract `n of N`, phase, agenda for the next
    /// session, overdue tasks, fidelity per phase, warnings.
    pub review: CourseReview,
    pub sessions: Vec<CourseSession>,
    /// The latest formulation revision (problem areas or IPAF, agreement).
    pub formulation: Option<FormulationRevision>,
    pub goals: Vec<Goal>,
    pub inventory: InventorySummary,
    /// Kith's suggestion of problem areas (or IPAF material), with reasons. Computed, never
    /// stored: the clinician decides.
    pub suggestion: Suggestion,
    /// Latest score, change since baseline and safety-item status per instrument taken in the
    /// course.
    pub measures: Vec<MeasureBrief>,
}

/// Counts from the current inventory, for the course page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InventorySummary {
    pub people: usize,
    pub inner: usize,
    pub middle: usize,
    pub outer: usize,
    pub unplaced: usize,
    pub deceased: usize,
}

/// The terms a clinician agrees with the client.
#[derive(Debug, Clone)]
pub struct ContractInput {
    pub sessions: ContractLength,
    pub frequency: Frequency,
    pub planned_end: Option<Date>,
    pub focus: String,
    pub participants: Vec<ParticipantRole>,
}

impl App {
    /// The protocols courses can be opened under: the built-in presets for now, parsed and
    /// validated once per process.
    pub fn protocols(&self) -> &'static ProtocolLibrary {
        static BUILTIN: OnceLock<ProtocolLibrary> = OnceLock::new();
        BUILTIN.get_or_init(ProtocolLibrary::builtin)
    }

    pub(crate) fn protocol(&self, id: &str) -> AppResult<Protocol> {
        self.protocols()
            .get(id)
            .cloned()
            .ok_or_else(|| AppError::invalid("protocol_id", "protocol-unknown"))
    }

    /// Finds the course a record belongs to and checks `action` on its client. Records of
    /// other clinics, of clients the caller does not care for, and missing ones are all
    /// "not found".
    pub(crate) async fn scope(
        &self,
        ctx: &Ctx,
        what: CourseRef,
        action: Action,
    ) -> AppResult<Scope> {
        let clinic = ctx.clinic_id().ok_or(AppError::NotFound)?;
        let (course, client) = self
            .store
            .course_of(clinic, what)
            .await?
            .ok_or(AppError::NotFound)?;
        self.client_access(ctx, client, action).await?;
        Ok(Scope {
            clinic,
            client,
            course,
        })
    }

    pub(crate) async fn load_course(
        &self,
        scope: &Scope,
        audit: &[AuditEvent],
    ) -> AppResult<Course> {
        self.store
            .course(scope.clinic, scope.course, audit)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Opens a course for a client under a protocol, with `sessions` agreed (the protocol's
    /// default when `None`).
    pub async fn open_course(
        &self,
        ctx: &Ctx,
        client: ClientId,
        protocol_id: &str,
        sessions: Option<ContractLength>,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<CourseId>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let protocol = self.protocol(protocol_id)?;
        let length = sessions.unwrap_or(ContractLength::Sessions(protocol.sessions().default));
        CourseState::new(&protocol, length).map_err(|e| engine_error("sessions", &e))?;
        let id = CourseId(Uuid::now_v7());
        let participants = protocol
            .participants()
            .iter()
            .filter(|p| !p.optional)
            .map(|p| p.role)
            .fold(Vec::new(), |mut v, r| {
                if !v.contains(&r) {
                    v.push(r);
                }
                v
            });
        let e = ctx.event(
            AuditAction::Create,
            "course",
            Some(id.to_string()),
            Some(client),
        );
        self.store
            .open_course(
                NewCourse {
                    id,
                    clinic: facts.clinic,
                    client,
                    protocol_id: protocol.id().to_string(),
                    protocol_version: protocol.version().to_string(),
                    contract: ContractTerms {
                        sessions: length,
                        frequency: protocol.frequency(),
                        planned_end: None,
                        focus: String::new(),
                        participants,
                    },
                    created_by: ctx.user.id,
                    opened_at: self.now(),
                },
                idem.as_ref(),
                &[e],
            )
            .await
            .map_err(refused("client"))
    }

    /// A client's courses, oldest first.
    pub async fn courses(&self, ctx: &Ctx, client: ClientId) -> AppResult<Vec<Course>> {
        let facts = self
            .client_access(ctx, client, Action::ViewClinical)
            .await?;
        let e = ctx.event(AuditAction::Query, "course_list", None, Some(client));
        Ok(self.store.courses_of(facts.clinic, client, &[e]).await?)
    }

    pub async fn course(&self, ctx: &Ctx, course: CourseId) -> AppResult<Course> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Read, "course", course.to_string());
        self.load_course(&s, &[e]).await
    }

    /// Saves the intake document (diagnosis, psychoeducation, sick role, medication, concurrent
    /// treatment).
    pub async fn save_intake(
        &self,
        ctx: &Ctx,
        course: CourseId,
        intake: &Intake,
        version: i64,
    ) -> AppResult<Course> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let current = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&current.protocol_id)?;
        let mut p = Problems::default();
        let today = self.now().date();
        if let Some(d) = &intake.diagnosis {
            p.required("diagnosis.code_system", &d.code_system, CODE_MAX);
            p.required("diagnosis.code", &d.code, CODE_MAX);
            p.required("diagnosis.label", &d.label, SHORT_TEXT_MAX);
        }
        for (field, date) in [
            ("psychoeducation_on", intake.psychoeducation_on),
            (
                "sick_role.given_on",
                intake.sick_role.as_ref().map(|r| r.given_on),
            ),
        ] {
            if date.is_some_and(|d| d > today) {
                p.push(field, "date-in-future");
            }
        }
        // The limited sick role belongs to the adolescent protocol.
        if intake.sick_role.as_ref().is_some_and(|r| r.limited) && protocol.id() != "ipt-a" {
            p.push("sick_role.limited", "limited-sick-role-adolescents-only");
        }
        if let Some(m) = &intake.medication {
            p.text("medication.notes", &m.notes, SHORT_TEXT_MAX);
        }
        for (i, m) in intake.concurrent_medication.iter().enumerate() {
            p.required(&format!("concurrent_medication[{i}].name"), &m.name, 200);
            p.text(&format!("concurrent_medication[{i}].dose"), &m.dose, 200);
            p.text(
                &format!("concurrent_medication[{i}].prescriber"),
                &m.prescriber,
                200,
            );
        }
        p.text("other_therapy", &intake.other_therapy, SHORT_TEXT_MAX);
        p.finish()?;
        let e = s.event(
            ctx,
            AuditAction::Update,
            "course_intake",
            course.to_string(),
        );
        Ok(self
            .store
            .save_intake(s.clinic, course, intake, version, self.now(), &[e])
            .await?)
    }

    /// Records the treatment contract agreed with the client at `at_session`. The length is
    /// checked by the engine against the protocol.
    pub async fn agree_contract(
        &self,
        ctx: &Ctx,
        course: CourseId,
        input: &ContractInput,
        at_session: u32,
        version: i64,
    ) -> AppResult<Course> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let current = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&current.protocol_id)?;
        let mut p = Problems::default();
        if let Err(e) = CourseState::new(&protocol, input.sessions) {
            p.engine("sessions", &e);
        }
        check_contract_text(&mut p, input, &current);
        p.finish()?;
        let e = s.event(
            ctx,
            AuditAction::Update,
            "course_contract",
            course.to_string(),
        );
        self.store
            .agree_contract(
                s.clinic,
                course,
                &terms_of(input),
                at_session,
                version,
                self.now(),
                &[e],
            )
            .await
            .map_err(refused("contract"))
    }

    /// Renegotiates an agreed contract. A change of length goes through the engine (refused
    /// with its code when it cannot apply, e.g. below the sessions already held); every change
    /// is kept with its reason, session, date and author.
    #[allow(clippy::too_many_arguments)]
    pub async fn renegotiate_contract(
        &self,
        ctx: &Ctx,
        course: CourseId,
        input: &ContractInput,
        at_session: u32,
        on: Option<Date>,
        reason: &str,
        version: i64,
    ) -> AppResult<Course> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let current = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&current.protocol_id)?;
        let mut p = Problems::default();
        p.required("reason", reason, SHORT_TEXT_MAX);
        check_contract_text(&mut p, input, &current);
        if input.sessions != current.contract.sessions {
            let sessions = self.store.sessions(s.clinic, course, &[]).await?;
            let forms = self.store.formulations(s.clinic, course, &[]).await?;
            let mut state = course_state(&protocol, &current, &sessions, &forms, &[]);
            if let Err(e) = state.renegotiate(&protocol, input.sessions, at_session, on) {
                p.engine("sessions", &e);
            }
        } else if terms_of(input) == current.contract {
            p.push("sessions", CourseError::RenegotiateUnchanged.code());
        }
        p.finish()?;
        let e = s.event(
            ctx,
            AuditAction::Update,
            "course_contract",
            course.to_string(),
        );
        self.store
            .change_contract(
                s.clinic,
                course,
                &NewContractChange {
                    id: Uuid::now_v7(),
                    at_session,
                    on,
                    to: terms_of(input),
                    reason: reason.trim().to_string(),
                    by: ctx.user.id,
                    at: self.now(),
                },
                version,
                &[e],
            )
            .await
            .map_err(refused("contract"))
    }

    /// Records that the ending was raised with the client at `at_session`.
    pub async fn record_ending_raised(
        &self,
        ctx: &Ctx,
        course: CourseId,
        at_session: u32,
        version: i64,
    ) -> AppResult<Course> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let e = s.event(
            ctx,
            AuditAction::Update,
            "course_ending",
            course.to_string(),
        );
        Ok(self
            .store
            .record_ending_raised(s.clinic, course, at_session, version, self.now(), &[e])
            .await?)
    }

    /// Closes a course with its outcome (ended, continuation contract, maintenance course).
    pub async fn close_course(
        &self,
        ctx: &Ctx,
        course: CourseId,
        outcome: CourseOutcome,
        version: i64,
    ) -> AppResult<Course> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let e = s.event(
            ctx,
            AuditAction::Update,
            "course_status",
            course.to_string(),
        );
        self.store
            .close_course(s.clinic, course, outcome, version, self.now(), &[e])
            .await
            .map_err(refused("status"))
    }

    /// Everything the course page needs, with the measures taken in the course read from the
    /// measures area: the engine sees baseline and cadence measures, and the page gets the
    /// latest score and change per instrument.
    pub async fn course_view(&self, ctx: &Ctx, course: CourseId) -> AppResult<CourseView> {
        self.course_view_with_measures(ctx, course, &[]).await
    }

    /// The course page, with `measures_taken` — (instrument, session number) pairs — counted as
    /// taken besides those read from the course's submissions in the measures area (see
    /// `courses::measures`): the seam a caller uses to state measures the store does not hold.
    pub async fn course_view_with_measures(
        &self,
        ctx: &Ctx,
        course: CourseId,
        measures_taken: &[MeasureTaken],
    ) -> AppResult<CourseView> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Read, "course_view", course.to_string());
        let c = self.load_course(&s, &[e]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let sessions = self.store.sessions(s.clinic, course, &[]).await?;
        let forms = self.store.formulations(s.clinic, course, &[]).await?;
        let goals = self.store.goals(s.clinic, course, &[]).await?;
        let people = self.store.people(s.clinic, s.client, false, &[]).await?;
        let timeline = self.store.timeline(s.clinic, s.client, false, &[]).await?;
        let (mut taken, measures) = self
            .course_measure_reading(&s, &c, &protocol, &sessions)
            .await?;
        for t in measures_taken {
            if !taken.contains(t) {
                taken.push(t.clone());
            }
        }
        let state = course_state(&protocol, &c, &sessions, &forms, &taken);
        let tl = records::domain_timeline(&timeline);
        let inventory = records::domain_inventory(&people);
        let review = review(&protocol, &state, Some(&tl), &Default::default());
        let suggestion = suggest(&protocol, &inventory, &tl, &SuggestionSettings::default());
        let mut summary = InventorySummary::default();
        for p in &inventory.people {
            summary.people += 1;
            if p.is_deceased() {
                summary.deceased += 1;
            }
            match p.ring {
                Some(Ring::INNER) => summary.inner += 1,
                Some(Ring::MIDDLE) => summary.middle += 1,
                Some(_) => summary.outer += 1,
                None => summary.unplaced += 1,
            }
        }
        Ok(CourseView {
            protocol_title: protocol.title().clone(),
            review,
            sessions,
            formulation: forms.into_iter().last(),
            goals,
            inventory: summary,
            suggestion,
            measures,
            course: c,
        })
    }
}

fn terms_of(input: &ContractInput) -> ContractTerms {
    ContractTerms {
        sessions: input.sessions,
        frequency: input.frequency,
        planned_end: input.planned_end,
        focus: input.focus.trim().to_string(),
        participants: input.participants.clone(),
    }
}

fn check_contract_text(p: &mut Problems, input: &ContractInput, c: &Course) {
    p.text("focus", &input.focus, SHORT_TEXT_MAX);
    if input.planned_end.is_some_and(|d| d < c.opened_at.date()) {
        p.push("planned_end", "date-out-of-range");
    }
    if input.participants.is_empty() {
        p.push("participants", "field-required");
    }
}
