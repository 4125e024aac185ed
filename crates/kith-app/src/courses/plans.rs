//! Formulation and problem areas, goals, worksheets.

use super::sessions::value_error;
use super::{CODE_MAX, LONG_TEXT_MAX, Problems, SHORT_TEXT_MAX, Scope, refused};
use crate::{App, AppError, AppResult, Ctx, FieldError};
use kith_domain::audit::AuditAction;
use kith_domain::course::CourseState;
use kith_domain::ids::{CourseId, GoalId, SessionId, WorksheetId};
use kith_domain::inventory::Visibility;
use kith_domain::policy::Action;
use kith_domain::protocol::{AreaKind, FocusKind, Protocol};
use kith_domain::worksheet::{
    Author, CommonProblem, Target, WorksheetCommon, WorksheetLibrary, WorksheetVisibility,
};
use kith_store::{
    CourseRef, Formulation, FormulationRevision, Goal, GoalContent, GoalStatus, Idempotency,
    NewGoal, NewWorksheet, Worksheet, WorksheetAuthor, WorksheetContent, WorksheetStatus,
    WorksheetUpdate, Written,
};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// The worksheet kind of the relapse-prevention plan (`worksheets/relapse-prevention-plan.toml`
/// in the domain crate), which the termination page builds and the end-of-treatment summary
/// includes when present.
pub const RELAPSE_PLAN_KIND: &str = "relapse-prevention-plan";

/// Largest worksheet content, serialised.
const WORKSHEET_MAX_BYTES: usize = 200_000;

/// A worksheet as a form or API body gives it. The answers (`content.content`) are checked
/// against the worksheet's definition in the worksheet library and stored in their checked,
/// normalised form; the people and goals they name are added to `content.people` and
/// `content.goals`.
#[derive(Debug, Clone)]
pub struct WorksheetInput {
    pub kind: String,
    pub definition_version: String,
    pub session: Option<SessionId>,
    pub visibility: Visibility,
    /// Set when the worksheet is a between-session task.
    pub due_on: Option<Date>,
    pub content: WorksheetContent,
}

/// A between-session task with a due date, and whether it is past due.
#[derive(Debug, Clone, PartialEq)]
pub struct DueWorksheet {
    pub worksheet: Worksheet,
    pub overdue: bool,
}

/// Checks a formulation against the protocol the way the engine would confirm it: at most two
/// areas, one primary, areas of the protocol, a stage for every role dispute and only for
/// disputes, and an IPAF (and no problem areas) for DIT-style protocols.
fn check_formulation(p: &mut Problems, protocol: &Protocol, f: &Formulation) {
    for (field, value) in [
        ("narrative_for_client", &f.narrative_for_client),
        ("clinician_formulation", &f.clinician_formulation),
        ("biological", &f.biological),
        ("psychological", &f.psychological),
        ("social", &f.social),
        ("cultural", &f.cultural),
    ] {
        p.text(field, value, LONG_TEXT_MAX);
    }
    let mut state = CourseState::with_default_length(protocol);
    match protocol.focus() {
        FocusKind::Ipaf => {
            if !f.areas.is_empty() {
                p.push(
                    "areas",
                    kith_domain::course::CourseError::FocusIsIpaf.code(),
                );
            }
            match &f.ipaf {
                Some(ipaf) => {
                    p.required_text("ipaf.summary", &ipaf.summary, SHORT_TEXT_MAX);
                    for (field, value) in [
                        ("ipaf.self_view", &ipaf.self_view),
                        ("ipaf.other_view", &ipaf.other_view),
                        ("ipaf.affect", &ipaf.affect),
                        ("ipaf.defence", &ipaf.defence),
                    ] {
                        p.text(field, value, SHORT_TEXT_MAX);
                    }
                }
                None => p.push("ipaf", "ipaf-required"),
            }
        }
        FocusKind::ProblemAreas => {
            if let Some(ipaf) = &f.ipaf
                && let Err(e) = state.confirm_ipaf(protocol, ipaf.clone())
            {
                p.engine("ipaf", &e);
            }
            let primaries = f.areas.iter().filter(|a| a.primary).count();
            if !f.areas.is_empty() && primaries != 1 {
                p.push("areas", "primary-area-required");
            }
            // Primary first, as the engine numbers them.
            let mut ordered: Vec<(usize, &kith_store::ChosenArea)> =
                f.areas.iter().enumerate().collect();
            ordered.sort_by_key(|(_, a)| !a.primary);
            for (k, (i, a)) in ordered.into_iter().enumerate() {
                let field = format!("areas[{i}]");
                p.text(&format!("{field}.rationale"), &a.rationale, SHORT_TEXT_MAX);
                // A third area is refused whatever became of the first two.
                if k >= 2 {
                    p.push(field, "too-many-problem-areas");
                    continue;
                }
                if let Err(e) =
                    state.confirm_problem_area(protocol, &a.area, a.dispute_stage, 0, false)
                {
                    p.engine(&field, &e);
                    continue;
                }
                let is_dispute =
                    protocol.problem_area(&a.area).map(|d| d.kind) == Some(AreaKind::Dispute);
                if is_dispute && a.dispute_stage.is_none() {
                    p.push(format!("{field}.dispute_stage"), "dispute-stage-required");
                }
            }
        }
    }
}

fn check_goal(p: &mut Problems, protocol: &Protocol, g: &GoalContent, people: &People) {
    for (i, who) in g.people.iter().enumerate() {
        if !people.iter().any(|r| r.id == *who) {
            p.push(format!("people[{i}]"), "person-unknown");
        }
    }
    p.required_text("text", &g.text, SHORT_TEXT_MAX);
    p.text("review", &g.review, SHORT_TEXT_MAX);
    if let Some(a) = &g.problem_area
        && protocol.problem_area(a).is_none()
    {
        p.push("problem_area", "area-not-in-protocol");
    }
}

type People = [kith_store::Record<kith_domain::inventory::Person>];

/// Checks a worksheet's comment, size, and the links it lists to people of the inventory and
/// goals of the course.
fn check_worksheet_content(
    p: &mut Problems,
    content: &WorksheetContent,
    people: &People,
    goals: &[Goal],
) {
    p.text(
        "clinician_comment",
        &content.clinician_comment,
        SHORT_TEXT_MAX,
    );
    for (i, who) in content.people.iter().enumerate() {
        if !people.iter().any(|r| r.id == *who) {
            p.push(format!("people[{i}]"), "person-unknown");
        }
    }
    for (i, g) in content.goals.iter().enumerate() {
        if !goals.iter().any(|x| x.id == *g) {
            p.push(format!("goals[{i}]"), "goal-unknown");
        }
    }
    if serde_json::to_string(&content.content).map_or(0, |j| j.len()) > WORKSHEET_MAX_BYTES {
        p.add(FieldError::new("content", "field-too-long").with("max", WORKSHEET_MAX_BYTES));
    }
}

/// Who a clinician's worksheet is recorded as written by: worksheets only the client fills in
/// (the emotion log, the social-contact log, the social-rhythm diary) are the client's own work
/// even when the clinician sets them or writes down what the client brought; the others are the
/// clinician's.
fn author_for(def: &kith_domain::worksheet::Worksheet) -> Author {
    match def.filled_by() {
        kith_domain::worksheet::FilledBy::Client => Author::Client,
        _ => Author::Clinician,
    }
}

fn store_author(a: Author) -> WorksheetAuthor {
    match a {
        Author::Client => WorksheetAuthor::Client,
        Author::Clinician => WorksheetAuthor::Clinician,
    }
}

fn domain_author(a: WorksheetAuthor) -> Author {
    match a {
        WorksheetAuthor::Client => Author::Client,
        WorksheetAuthor::Clinician => Author::Clinician,
    }
}

fn domain_status(s: WorksheetStatus) -> kith_domain::worksheet::WorksheetStatus {
    use kith_domain::worksheet::WorksheetStatus as D;
    match s {
        WorksheetStatus::Draft => D::Draft,
        WorksheetStatus::Complete => D::Complete,
        WorksheetStatus::Reviewed => D::Reviewed,
    }
}

fn domain_visibility(v: Visibility) -> WorksheetVisibility {
    match v {
        Visibility::Shared => WorksheetVisibility::Shared,
        Visibility::ClinicianPrivate => WorksheetVisibility::ClinicianPrivate,
    }
}

/// What a worksheet instance is about, for the definition's common checks.
struct Instance<'a> {
    id: WorksheetId,
    scope: &'a Scope,
    session: Option<SessionId>,
    author: Author,
    status: WorksheetStatus,
    visibility: Visibility,
    due_on: Option<Date>,
    created_at: OffsetDateTime,
    kind: &'a str,
    version: &'a str,
}

/// Checks a worksheet against its definition: the common fields (`check_common`), the answers
/// as complete as its status needs, and every person and goal the answers name against the
/// client's inventory and the course's goals. Returns the content to store: answers normalised,
/// people and goals listed.
fn check_against_definition(
    p: &mut Problems,
    def: &kith_domain::worksheet::Worksheet,
    w: &Instance<'_>,
    content: &WorksheetContent,
    people: &People,
    goals: &[Goal],
    now: OffsetDateTime,
) -> WorksheetContent {
    let common = WorksheetCommon {
        id: w.id,
        worksheet: w.kind.to_string(),
        version: w.version.to_string(),
        client_id: w.scope.client,
        course_id: w.scope.course,
        session_id: w.session,
        problem_area: None,
        created_by: w.author,
        created_at: w.created_at,
        updated_at: now,
        status: domain_status(w.status),
        visibility: domain_visibility(w.visibility),
        due: w.due_on,
        clinician_comment: (!content.clinician_comment.is_empty())
            .then(|| content.clinician_comment.clone()),
    };
    for problem in def.check_common(&common) {
        let field = match &problem {
            CommonProblem::WrongDefinition { .. } => "definition_version",
            CommonProblem::AuthorNotAllowed { .. } => "kind",
            CommonProblem::NotATask => "due_on",
            CommonProblem::ClientWorkPrivate => "visibility",
            CommonProblem::UpdatedBeforeCreated => "updated_at",
            CommonProblem::Comment { .. } => "clinician_comment",
        };
        let mut e = FieldError::new(field, problem.code());
        if let CommonProblem::Comment { problem } = &problem {
            e = e.with("problem", problem.code());
        }
        p.add(e);
    }
    // Nothing answered yet (a task just set) is an empty worksheet.
    let answers = match &content.content {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        other => other.clone(),
    };
    let values = match def.validate(&answers, domain_status(w.status).completeness()) {
        Ok(v) => v,
        Err(errors) => {
            for e in &errors {
                p.add(value_error("content", e));
            }
            return content.clone();
        }
    };
    for r in values.references() {
        let field = if r.path == "." {
            "content".to_string()
        } else {
            format!("content.{}", r.path)
        };
        match r.target {
            Target::Person(who) if !people.iter().any(|x| x.id == who.0) => {
                p.push(field, "person-unknown")
            }
            Target::Goal(g) if !goals.iter().any(|x| x.id == g) => p.push(field, "goal-unknown"),
            _ => {}
        }
    }
    let mut out = WorksheetContent {
        content: values.to_json(),
        ..content.clone()
    };
    for who in values.person_ids() {
        if !out.people.contains(&who.0) {
            out.people.push(who.0);
        }
    }
    for g in values.goal_ids() {
        if !out.goals.contains(&g) {
            out.goals.push(g);
        }
    }
    out
}

impl App {
    /// Saves a new revision of the formulation (every revision is kept). `revision` is the
    /// latest revision the editor loaded (0 for the first). Problem areas are checked by the
    /// engine; the client's agreement is recorded separately.
    pub async fn save_formulation(
        &self,
        ctx: &Ctx,
        course: CourseId,
        formulation: &Formulation,
        at_session: Option<u32>,
        revision: i64,
    ) -> AppResult<FormulationRevision> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let c = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let mut p = Problems::default();
        check_formulation(&mut p, &protocol, formulation);
        p.finish()?;
        let e = s.event(ctx, AuditAction::Create, "formulation", course.to_string());
        Ok(self
            .store
            .save_formulation(
                s.clinic,
                course,
                formulation,
                at_session,
                revision,
                ctx.user.id,
                self.now(),
                &[e],
            )
            .await?)
    }

    /// Records that the client agreed to a revision of the formulation, on `agreed_on`, at
    /// session `at_session`.
    pub async fn agree_formulation(
        &self,
        ctx: &Ctx,
        course: CourseId,
        revision: i64,
        agreed_on: Date,
        at_session: u32,
    ) -> AppResult<FormulationRevision> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        if agreed_on > self.now().date() {
            return Err(AppError::invalid("agreed_on", "date-in-future"));
        }
        let e = s.event(
            ctx,
            AuditAction::Update,
            "formulation_agreement",
            course.to_string(),
        );
        self.store
            .agree_formulation(
                s.clinic,
                course,
                revision,
                agreed_on,
                at_session,
                ctx.user.id,
                self.now(),
                &[e],
            )
            .await
            .map_err(refused("revision"))
    }

    /// Every revision of the formulation, oldest first.
    pub async fn formulation_history(
        &self,
        ctx: &Ctx,
        course: CourseId,
    ) -> AppResult<Vec<FormulationRevision>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Read, "formulation", course.to_string());
        Ok(self.store.formulations(s.clinic, course, &[e]).await?)
    }

    pub async fn add_goal(
        &self,
        ctx: &Ctx,
        course: CourseId,
        content: &GoalContent,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<GoalId>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let c = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let people = self.store.people(s.clinic, s.client, false, &[]).await?;
        let mut p = Problems::default();
        check_goal(&mut p, &protocol, content, &people);
        p.finish()?;
        let id = GoalId(Uuid::now_v7());
        let e = s.event(ctx, AuditAction::Create, "goal", id.to_string());
        Ok(self
            .store
            .add_goal(
                NewGoal {
                    id,
                    clinic: s.clinic,
                    course,
                    content: GoalContent {
                        text: content.text.trim().to_string(),
                        ..content.clone()
                    },
                    created_by: ctx.user.id,
                    at: self.now(),
                },
                idem.as_ref(),
                &[e],
            )
            .await?)
    }

    /// Edits a goal, or reviews it at termination (status and review notes).
    pub async fn update_goal(
        &self,
        ctx: &Ctx,
        goal: GoalId,
        content: &GoalContent,
        status: GoalStatus,
        version: i64,
    ) -> AppResult<Goal> {
        let s = self
            .scope(ctx, CourseRef::Goal(goal), Action::WriteClinical)
            .await?;
        let c = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let people = self.store.people(s.clinic, s.client, false, &[]).await?;
        let mut p = Problems::default();
        check_goal(&mut p, &protocol, content, &people);
        p.finish()?;
        let e = s.event(ctx, AuditAction::Update, "goal", goal.to_string());
        Ok(self
            .store
            .update_goal(s.clinic, goal, content, status, version, self.now(), &[e])
            .await?)
    }

    pub async fn goals(&self, ctx: &Ctx, course: CourseId) -> AppResult<Vec<Goal>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Query, "goal_list", course.to_string());
        Ok(self.store.goals(s.clinic, course, &[e]).await?)
    }

    /// Checks that a session given with a worksheet belongs to the same course.
    async fn check_session_of_course(
        &self,
        p: &mut Problems,
        s: &Scope,
        field: &str,
        session: Option<SessionId>,
    ) -> AppResult<()> {
        if let Some(id) = session {
            let ok = self
                .store
                .course_session(s.clinic, id, &[])
                .await?
                .is_some_and(|x| x.course == s.course);
            if !ok {
                p.push(field, "session-unknown");
            }
        }
        Ok(())
    }

    /// Starts a worksheet in a course (in session, or as a between-session task when `due_on`
    /// is set). The kind must be one of the worksheet library at its current version; the
    /// answers are checked against it as a draft.
    pub async fn create_worksheet(
        &self,
        ctx: &Ctx,
        course: CourseId,
        input: &WorksheetInput,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<WorksheetId>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let people = self.store.people(s.clinic, s.client, false, &[]).await?;
        let goals = self.store.goals(s.clinic, course, &[]).await?;
        let mut p = Problems::default();
        p.required("kind", &input.kind, CODE_MAX);
        p.required("definition_version", &input.definition_version, CODE_MAX);
        check_worksheet_content(&mut p, &input.content, &people, &goals);
        self.check_session_of_course(&mut p, &s, "session", input.session)
            .await?;
        let kind = input.kind.trim();
        let version = input.definition_version.trim();
        let Some(def) = WorksheetLibrary::builtin().get(kind) else {
            p.push("kind", "worksheet-kind-unknown");
            return Err(AppError::Invalid(p.0));
        };
        let id = WorksheetId(Uuid::now_v7());
        let now = self.now();
        let author = author_for(def);
        let content = check_against_definition(
            &mut p,
            def,
            &Instance {
                id,
                scope: &s,
                session: input.session,
                author,
                status: WorksheetStatus::Draft,
                visibility: input.visibility,
                due_on: input.due_on,
                created_at: now,
                kind,
                version,
            },
            &input.content,
            &people,
            &goals,
            now,
        );
        p.finish()?;
        let e = s.event(ctx, AuditAction::Create, "worksheet", id.to_string());
        Ok(self
            .store
            .create_worksheet(
                NewWorksheet {
                    id,
                    clinic: s.clinic,
                    client: s.client,
                    course,
                    session: input.session,
                    kind: kind.to_string(),
                    definition_version: version.to_string(),
                    visibility: input.visibility,
                    created_by: ctx.user.id,
                    created_by_role: store_author(author),
                    due_on: input.due_on,
                    content,
                    at: now,
                },
                idem.as_ref(),
                &[e],
            )
            .await?)
    }

    /// Edits a worksheet: content, comment, status (draft → complete → reviewed), visibility.
    /// The answers are checked against the definition the worksheet was started with, as
    /// complete as the new status needs; a status may not skip `complete`.
    pub async fn update_worksheet(
        &self,
        ctx: &Ctx,
        worksheet: WorksheetId,
        update: &WorksheetUpdate,
        version: i64,
    ) -> AppResult<Worksheet> {
        let s = self
            .scope(ctx, CourseRef::Worksheet(worksheet), Action::WriteClinical)
            .await?;
        let current = self
            .store
            .worksheet(s.clinic, worksheet, &[])
            .await?
            .ok_or(AppError::NotFound)?;
        let people = self.store.people(s.clinic, s.client, false, &[]).await?;
        let goals = self.store.goals(s.clinic, s.course, &[]).await?;
        let mut p = Problems::default();
        check_worksheet_content(&mut p, &update.content, &people, &goals);
        if update.status == WorksheetStatus::Reviewed && update.reviewed_at_session.is_none() {
            p.push("reviewed_at_session", "field-required");
        }
        self.check_session_of_course(&mut p, &s, "session", update.session)
            .await?;
        self.check_session_of_course(
            &mut p,
            &s,
            "reviewed_at_session",
            update.reviewed_at_session,
        )
        .await?;
        if !domain_status(current.status)
            .may_move_to(domain_status(update.status), Author::Clinician)
        {
            p.add(
                FieldError::new("status", "worksheet-status-move")
                    .with("from", current.status.code())
                    .with("to", update.status.code()),
            );
        }
        let content = match WorksheetLibrary::builtin()
            .get_version(&current.kind, &current.definition_version)
        {
            Some(def) => check_against_definition(
                &mut p,
                def,
                &Instance {
                    id: worksheet,
                    scope: &s,
                    session: update.session,
                    author: domain_author(current.created_by_role),
                    status: update.status,
                    visibility: update.visibility,
                    due_on: update.due_on,
                    created_at: current.created_at,
                    kind: &current.kind,
                    version: &current.definition_version,
                },
                &update.content,
                &people,
                &goals,
                self.now(),
            ),
            None => {
                p.push("definition_version", "worksheet-definition-gone");
                update.content.clone()
            }
        };
        p.finish()?;
        let e = s.event(ctx, AuditAction::Update, "worksheet", worksheet.to_string());
        let update = WorksheetUpdate {
            at: self.now(),
            content,
            ..update.clone()
        };
        Ok(self
            .store
            .update_worksheet(s.clinic, worksheet, &update, version, &[e])
            .await?)
    }

    pub async fn worksheet(&self, ctx: &Ctx, worksheet: WorksheetId) -> AppResult<Worksheet> {
        let s = self
            .scope(ctx, CourseRef::Worksheet(worksheet), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Read, "worksheet", worksheet.to_string());
        self.store
            .worksheet(s.clinic, worksheet, &[e])
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn worksheets(&self, ctx: &Ctx, course: CourseId) -> AppResult<Vec<Worksheet>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(
            ctx,
            AuditAction::Query,
            "worksheet_list",
            course.to_string(),
        );
        Ok(self.store.worksheets(s.clinic, course, &[e]).await?)
    }

    /// Between-session tasks not yet done that are due within `days` from today, or overdue.
    pub async fn due_worksheets(
        &self,
        ctx: &Ctx,
        course: CourseId,
        days: u32,
    ) -> AppResult<Vec<DueWorksheet>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let today = self.now().date();
        let e = s.event(
            ctx,
            AuditAction::Query,
            "worksheet_due_list",
            course.to_string(),
        );
        let due = self
            .store
            .worksheets_due(
                s.clinic,
                course,
                today + Duration::days(i64::from(days)),
                &[e],
            )
            .await?;
        Ok(due
            .into_iter()
            .map(|w| DueWorksheet {
                overdue: w.due_on.is_some_and(|d| d < today),
                worksheet: w,
            })
            .collect())
    }
}
