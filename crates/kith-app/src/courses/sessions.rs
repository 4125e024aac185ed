//! Sessions, protocol tasks, session notes (draft, sign, addenda, sign-off) and process notes.

use super::{
    ENDING_RAISED_TASK, LONG_TEXT_MAX, Problems, SHORT_TEXT_MAX, Scope, course_state, refused,
};
use crate::{App, AppError, AppResult, Ctx, FieldError};
use kith_domain::audit::AuditAction;
use kith_domain::course::{SessionRecord, SessionStatus};
use kith_domain::ids::{AlertId, ClientId, CourseId, NoteId, SessionId};
use kith_domain::note::{NoteLibrary, NoteTemplate, PhaseKind, RiskUrgency, note_template};
use kith_domain::policy::{Action, Resource};
use kith_domain::protocol::{AreaKind, FocusKind, Protocol};
use kith_domain::worksheet::{Completeness, FocusArea, ValueError};
use kith_store::{
    Course, CourseRef, CourseSession, FormulationRevision, Idempotency, NewAddendum, NewSession,
    NoteContent, NoteDraft, NoteRiskAlert, NoteTick, ProcessNote, ProcessNoteDraft, SessionNote,
    SessionUpdate, TaskDone, TaskEvidence, Written,
};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Reason codes for a missed or cancelled session (message keys `session-reason-…`).
pub const SESSION_REASONS: &[&str] = &[
    "client-unwell",
    "client-unavailable",
    "client-did-not-attend",
    "clinician-unavailable",
    "travel-or-weather",
    "crisis-elsewhere",
    "other",
];

/// Longest serialised note (all sections together).
const NOTE_MAX_BYTES: usize = 200_000;

/// A note as a form or API body gives it: section id → value, laid out as the session's note
/// template says ([`App::session_note_template`]). The template and the protocol tasks the note
/// evidences are not the caller's to choose: Kith picks the template from the session's phase
/// and the course's primary problem area, and reads the tasks from what the sections hold.
#[derive(Debug, Clone, Default)]
pub struct NoteInput {
    pub sections: BTreeMap<String, serde_json::Value>,
}

/// The kind of a protocol phase, for choosing note templates. Protocol files name their phases
/// freely; the names the shipped protocols use are mapped here, and any other phase counts by
/// its place: the first phase is initial, the last is termination, the rest are middle.
pub fn phase_kind(protocol: &Protocol, phase_id: &str) -> PhaseKind {
    match phase_id {
        "pre-group" | "pre-session" => PhaseKind::PreGroup,
        "initial" | "engagement" | "opening" | "assessment" => PhaseKind::Initial,
        "middle" | "intermediate" => PhaseKind::Middle,
        "termination" | "ending" | "final" | "conclusion" | "closing" => PhaseKind::Termination,
        "maintenance" => PhaseKind::Maintenance,
        other => {
            let phases = protocol.phases();
            let at = phases.iter().position(|p| p.id == other);
            match at {
                Some(0) => PhaseKind::Initial,
                Some(i) if i + 1 == phases.len() => PhaseKind::Termination,
                _ => PhaseKind::Middle,
            }
        }
    }
}

/// The focus note templates and worksheets are chosen by: DIT's IPAF, or the kind of the
/// primary problem area of the latest formulation (a clinic's own kind of area counts as none).
pub fn focus_area(protocol: &Protocol, latest: Option<&FormulationRevision>) -> Option<FocusArea> {
    if protocol.focus() == FocusKind::Ipaf {
        return Some(FocusArea::Ipaf);
    }
    let f = latest?;
    let primary = f
        .formulation
        .areas
        .iter()
        .find(|a| a.primary)
        .or_else(|| f.formulation.areas.first())?;
    match protocol.problem_area(&primary.area)?.kind {
        AreaKind::Grief => Some(FocusArea::Grief),
        AreaKind::Dispute => Some(FocusArea::Dispute),
        AreaKind::Transition => Some(FocusArea::Transition),
        AreaKind::Deficits => Some(FocusArea::Deficits),
        AreaKind::LostHealthySelf => Some(FocusArea::LostHealthySelf),
        AreaKind::Other => None,
    }
}

/// The phase id of a session: the one stored when it was held, else where the engine places its
/// number in the contract.
pub fn session_phase(
    protocol: &Protocol,
    course: &Course,
    session: &CourseSession,
) -> Option<String> {
    session.phase.clone().or_else(|| {
        protocol
            .phase_at(session.number, course.contract.sessions.count())
            .map(|p| p.id.clone())
    })
}

/// A problem with a note's or worksheet's value as a field error: the path names the section
/// or field (`risk.actions`, `steps[2].what_i_felt`), prefixed with `prefix` when given.
pub(crate) fn value_error(prefix: &str, e: &ValueError) -> FieldError {
    use kith_domain::worksheet::ValueProblem as P;
    let field = match (prefix, e.path.as_str()) {
        ("", path) => path.to_string(),
        (pre, ".") => pre.to_string(),
        (pre, path) => format!("{pre}.{path}"),
    };
    let f = FieldError::new(field, e.problem.code());
    match &e.problem {
        P::UnknownField { key } => f.with("key", key),
        P::WrongType { expected } | P::BadFormat { expected } => f.with("expected", expected),
        P::TooLong { max, length } => f.with("max", max).with("length", length),
        P::OutOfRange { min, max, value } => {
            f.with("min", min).with("max", max).with("value", value)
        }
        P::UnknownOption { value } | P::Duplicate { value } => f.with("value", value),
        P::TooFewEntries { min } => f.with("min", min),
        P::TooManyEntries { max } => f.with("max", max),
        P::Required | P::ControlCharacters | P::ActionsRequired => f,
    }
}

/// The protocol tasks a checked note evidences, one tick per task (the first section showing
/// it), limited to the tasks of the course's protocol and the ending being raised.
fn ticks_of(
    protocol: &Protocol,
    template: &NoteTemplate,
    content: &kith_domain::note::NoteContent,
) -> Vec<NoteTick> {
    let mut out: Vec<NoteTick> = Vec::new();
    for e in template.evidence(content) {
        let known = e.task == ENDING_RAISED_TASK || protocol.all_tasks().any(|t| t.id == e.task);
        if known && !out.iter().any(|t| t.task == e.task) {
            out.push(NoteTick {
                task: e.task,
                section: e.section,
            });
        }
    }
    out
}

/// Whether stored note sections record identified risk.
pub fn sections_record_risk(sections: &BTreeMap<String, serde_json::Value>) -> bool {
    sections.values().any(|v| {
        v.get("status").and_then(|s| s.as_str())
            == Some(kith_domain::note::RiskStatus::RiskIdentified.code())
    })
}

impl App {
    async fn session_scope(
        &self,
        ctx: &Ctx,
        session: SessionId,
        action: Action,
    ) -> AppResult<(Scope, CourseSession)> {
        let s = self.scope(ctx, CourseRef::Session(session), action).await?;
        let sess = self
            .store
            .course_session(s.clinic, session, &[])
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((s, sess))
    }

    /// Adds a session to a course: scheduled for a time, or recorded as held. The number is the
    /// engine's next one unless given (0 is the preparatory meeting of protocols that have one).
    pub async fn add_session(
        &self,
        ctx: &Ctx,
        course: CourseId,
        number: Option<u32>,
        status: SessionStatus,
        at: OffsetDateTime,
    ) -> AppResult<CourseSession> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let c = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let sessions = self.store.sessions(s.clinic, course, &[]).await?;
        let forms = self.store.formulations(s.clinic, course, &[]).await?;
        let mut state = course_state(&protocol, &c, &sessions, &forms, &[]);
        let next = kith_domain::course::review(&protocol, &state, None, &Default::default())
            .agenda
            .session;
        let number = number.unwrap_or(next);
        let mut p = Problems::default();
        if !matches!(status, SessionStatus::Scheduled | SessionStatus::Held) {
            p.push("status", "session-status-not-allowed");
        }
        if status == SessionStatus::Held && at > self.now() {
            p.push("held_at", "date-in-future");
        }
        if status == SessionStatus::Scheduled
            && sessions
                .iter()
                .any(|x| x.number == number && x.status == SessionStatus::Held)
        {
            p.push("number", "session-already-held");
        }
        if let Err(e) = state.record_session(
            &protocol,
            SessionRecord {
                number,
                status,
                date: Some(at.date()),
                tasks_done: Default::default(),
            },
        ) {
            p.engine("number", &e);
        }
        p.finish()?;
        let held = status == SessionStatus::Held;
        let phase = held
            .then(|| protocol.phase_at(number, c.contract.sessions.count()))
            .flatten()
            .map(|ph| ph.id.clone());
        let id = SessionId(Uuid::now_v7());
        let e = s.event(ctx, AuditAction::Create, "session", id.to_string());
        self.store
            .add_session(
                NewSession {
                    id,
                    clinic: s.clinic,
                    course,
                    number,
                    status,
                    scheduled_for: Some(at),
                    held_at: held.then_some(at),
                    phase,
                    created_by: ctx.user.id,
                    at: self.now(),
                },
                &[e],
            )
            .await
            .map_err(refused("course"))
    }

    /// Records a scheduled session as held (now, or at `held_at`). The phase the engine places
    /// it in is stored with it.
    pub async fn hold_session(
        &self,
        ctx: &Ctx,
        session: SessionId,
        held_at: Option<OffsetDateTime>,
        version: i64,
    ) -> AppResult<CourseSession> {
        let (s, sess) = self
            .session_scope(ctx, session, Action::WriteClinical)
            .await?;
        let c = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let sessions = self.store.sessions(s.clinic, s.course, &[]).await?;
        let others: Vec<CourseSession> = sessions.into_iter().filter(|x| x.id != session).collect();
        let forms = self.store.formulations(s.clinic, s.course, &[]).await?;
        let mut state = course_state(&protocol, &c, &others, &forms, &[]);
        let at = held_at.unwrap_or_else(|| self.now());
        let mut p = Problems::default();
        if at > self.now() {
            p.push("held_at", "date-in-future");
        }
        if let Err(e) = state.record_session(
            &protocol,
            SessionRecord {
                number: sess.number,
                status: SessionStatus::Held,
                date: Some(at.date()),
                tasks_done: Default::default(),
            },
        ) {
            p.engine("number", &e);
        }
        p.finish()?;
        let phase = protocol
            .phase_at(sess.number, c.contract.sessions.count())
            .map(|ph| ph.id.clone());
        let e = s.event(ctx, AuditAction::Update, "session", session.to_string());
        self.store
            .update_session(
                s.clinic,
                session,
                &SessionUpdate {
                    status: SessionStatus::Held,
                    scheduled_for: sess.scheduled_for,
                    held_at: Some(at),
                    reason: None,
                    phase,
                    at: self.now(),
                },
                version,
                &[e],
            )
            .await
            .map_err(refused("session"))
    }

    /// Marks a session missed (the client did not come) or cancelled, with a reason code from
    /// [`SESSION_REASONS`]. A held session cannot be turned into either.
    pub async fn call_off_session(
        &self,
        ctx: &Ctx,
        session: SessionId,
        status: SessionStatus,
        reason: &str,
        version: i64,
    ) -> AppResult<CourseSession> {
        let (s, sess) = self
            .session_scope(ctx, session, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        if !matches!(status, SessionStatus::Missed | SessionStatus::Cancelled) {
            p.push("status", "session-status-not-allowed");
        }
        if !SESSION_REASONS.contains(&reason) {
            p.push("reason", "session-reason-unknown");
        }
        if sess.status == SessionStatus::Held {
            p.push("status", "session-already-held");
        }
        p.finish()?;
        let e = s.event(ctx, AuditAction::Update, "session", session.to_string());
        Ok(self
            .store
            .update_session(
                s.clinic,
                session,
                &SessionUpdate {
                    status,
                    scheduled_for: sess.scheduled_for,
                    held_at: None,
                    reason: Some(reason.to_string()),
                    phase: None,
                    at: self.now(),
                },
                version,
                &[e],
            )
            .await?)
    }

    /// Ticks protocol tasks done by hand in a session (and unticks others).
    pub async fn tick_tasks(
        &self,
        ctx: &Ctx,
        session: SessionId,
        done: &[String],
        undone: &[String],
    ) -> AppResult<CourseSession> {
        let (s, _) = self
            .session_scope(ctx, session, Action::WriteClinical)
            .await?;
        let c = self.load_course(&s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let mut p = Problems::default();
        for (i, t) in done.iter().enumerate() {
            if !protocol.all_tasks().any(|x| &x.id == t) {
                p.push(format!("done[{i}]"), "unknown-task");
            }
        }
        p.finish()?;
        let now = self.now();
        let marks: Vec<TaskDone> = done
            .iter()
            .map(|t| TaskDone {
                task: t.clone(),
                evidence: TaskEvidence::Ticked,
                by: ctx.user.id,
                at: now,
            })
            .collect();
        let e = s.event(
            ctx,
            AuditAction::Update,
            "session_tasks",
            session.to_string(),
        );
        Ok(self
            .store
            .mark_tasks(s.clinic, session, &marks, undone, &[e])
            .await?)
    }

    /// One session of a course.
    pub async fn session(&self, ctx: &Ctx, session: SessionId) -> AppResult<CourseSession> {
        let s = self
            .scope(ctx, CourseRef::Session(session), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Read, "session", session.to_string());
        self.store
            .course_session(s.clinic, session, &[e])
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The names of the people who wrote, signed, corrected and signed off a note the caller
    /// has read, to show with it.
    pub async fn note_people(
        &self,
        ctx: &Ctx,
        note: &SessionNote,
    ) -> AppResult<BTreeMap<kith_domain::ids::UserId, String>> {
        self.scope(ctx, CourseRef::Note(note.id), Action::ViewClinical)
            .await?;
        let mut ids = vec![note.author];
        ids.extend(note.signature.as_ref().map(|s| s.by));
        ids.extend(note.addenda.iter().map(|a| a.author));
        ids.extend(note.sign_off.as_ref().map(|s| s.supervisor));
        let mut out = BTreeMap::new();
        for id in ids {
            if let std::collections::btree_map::Entry::Vacant(v) = out.entry(id)
                && let Some(u) = self.store.user(id).await?
            {
                v.insert(u.display_name);
            }
        }
        Ok(out)
    }

    /// The sessions of a course.
    pub async fn sessions(&self, ctx: &Ctx, course: CourseId) -> AppResult<Vec<CourseSession>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Query, "session_list", course.to_string());
        Ok(self.store.sessions(s.clinic, course, &[e]).await?)
    }

    /// The course, protocol and note template of a session: the template for the session's
    /// phase and the course's primary problem area.
    async fn note_setting(
        &self,
        s: &Scope,
        session: &CourseSession,
    ) -> AppResult<(Course, Protocol, &'static NoteTemplate)> {
        let c = self.load_course(s, &[]).await?;
        let protocol = self.protocol(&c.protocol_id)?;
        let forms = self.store.formulations(s.clinic, s.course, &[]).await?;
        let kind = session_phase(&protocol, &c, session)
            .map(|ph| phase_kind(&protocol, &ph))
            // Past the contract: a session still ends the course.
            .unwrap_or(PhaseKind::Termination);
        let template = note_template(kind, focus_area(&protocol, forms.last()));
        Ok((c, protocol, template))
    }

    /// The session-note template a session's note is written in: chosen by the session's
    /// phase and the course's primary problem area (or DIT's IPAF).
    pub async fn session_note_template(
        &self,
        ctx: &Ctx,
        session: SessionId,
    ) -> AppResult<&'static NoteTemplate> {
        let (s, sess) = self
            .session_scope(ctx, session, Action::ViewClinical)
            .await?;
        Ok(self.note_setting(&s, &sess).await?.2)
    }

    /// Saves the draft note of a session. `version` is 0 for the first save, then the version
    /// the editor loaded: a save from a stale tab is a conflict and writes nothing.
    ///
    /// The sections are checked against the session's note template as a draft (required
    /// sections may still be empty); worksheets it links to must belong to the course. The
    /// protocol tasks the note evidences are read from the template, never taken from the
    /// caller. When the note records identified risk, it raises a safety alert at the tier of
    /// the urgency the clinician chose, in the same transaction and once per note; the alert
    /// carries what the clinician wrote about the risk and follows the questionnaire alerts'
    /// rules (open until acknowledged with an action note, escalates on its tier's clock).
    pub async fn save_note(
        &self,
        ctx: &Ctx,
        session: SessionId,
        input: &NoteInput,
        version: i64,
    ) -> AppResult<SessionNote> {
        let (s, sess) = self
            .session_scope(ctx, session, Action::WriteClinical)
            .await?;
        let (_, protocol, template) = self.note_setting(&s, &sess).await?;
        let mut p = Problems::default();
        let raw = serde_json::Value::Object(
            input
                .sections
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        if serde_json::to_string(&raw).map_or(0, |j| j.len()) > NOTE_MAX_BYTES {
            return Err(AppError::Invalid(vec![
                FieldError::new("sections", "field-too-long").with("max", NOTE_MAX_BYTES),
            ]));
        }
        let checked = match template.validate(&raw, Completeness::Draft) {
            Ok(c) => Some(c),
            Err(errors) => {
                for e in &errors {
                    p.add(value_error("", e));
                }
                None
            }
        };
        if let Some(c) = &checked {
            let links = c.worksheet_links();
            if !links.is_empty() {
                let mine = self.store.worksheets(s.clinic, s.course, &[]).await?;
                for (path, w) in links {
                    if !mine.iter().any(|x| x.id == w) {
                        p.push(path, "worksheet-unknown");
                    }
                }
            }
        }
        p.finish()?;
        let checked = checked.unwrap_or_default();
        let ticks = ticks_of(&protocol, template, &checked);
        let sections: BTreeMap<String, serde_json::Value> = match checked.to_json() {
            serde_json::Value::Object(m) => m.into_iter().collect(),
            _ => BTreeMap::new(),
        };
        let id = NoteId(Uuid::now_v7());
        let action = if version == 0 {
            AuditAction::Create
        } else {
            AuditAction::Update
        };
        let events = vec![s.event(ctx, action, "session_note", session.to_string())];
        // Identified risk raises an alert with the urgency the clinician chose, in the same
        // transaction as the note; storage raises it once per note.
        let risk_alert = checked.identified_risk().map(|r| NoteRiskAlert {
            id: AlertId(Uuid::now_v7()),
            client: s.client,
            urgency: r.urgency.unwrap_or(RiskUrgency::Urgent),
            text: r.actions.clone(),
            event: ctx.event(AuditAction::Create, "alert", None, Some(s.client)),
        });
        self.store
            .save_note_draft(
                s.clinic,
                &NoteDraft {
                    id,
                    session,
                    content: NoteContent {
                        template: template.id().to_string(),
                        sections,
                        ticks,
                    },
                    author: ctx.user.id,
                    at: self.now(),
                    risk_alert,
                },
                version,
                &events,
            )
            .await
            .map_err(refused("note"))
    }

    /// Signs a note: from now on it never changes, and the tasks it ticks count as done in its
    /// session. Only a clinician caring for the client signs, and only a complete note: its
    /// required sections filled in and, where risk was identified, the actions taken written
    /// down. A note that evidences the ending being raised records it on the course too.
    pub async fn sign_note(&self, ctx: &Ctx, note: NoteId, version: i64) -> AppResult<SessionNote> {
        let s = self
            .scope(ctx, CourseRef::Note(note), Action::WriteClinical)
            .await?;
        let draft = self
            .store
            .note(s.clinic, note, &[])
            .await?
            .ok_or(AppError::NotFound)?;
        let sess = self
            .store
            .course_session(s.clinic, draft.session, &[])
            .await?
            .ok_or(AppError::NotFound)?;
        if sess.status != SessionStatus::Held && draft.signature.is_none() {
            return Err(AppError::invalid("session", "session-not-held"));
        }
        if draft.signature.is_none() {
            let (_, _, chosen) = self.note_setting(&s, &sess).await?;
            let template = NoteLibrary::builtin()
                .get(&draft.content.template)
                .unwrap_or(chosen);
            let raw = serde_json::Value::Object(
                draft
                    .content
                    .sections
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            );
            if let Err(errors) = template.validate(&raw, Completeness::Complete) {
                return Err(AppError::Invalid(
                    errors.iter().map(|e| value_error("", e)).collect(),
                ));
            }
        }
        let e = s.event(
            ctx,
            AuditAction::Update,
            "session_note_signature",
            note.to_string(),
        );
        let signed = self
            .store
            .sign_note(s.clinic, note, ctx.user.id, version, self.now(), &[e])
            .await
            .map_err(refused("note"))?;
        if signed
            .content
            .ticks
            .iter()
            .any(|t| t.task == ENDING_RAISED_TASK)
        {
            self.note_ending_raised(ctx, &s, sess.number).await?;
        }
        Ok(signed)
    }

    /// Records on the course that the ending was raised at `number`, unless an earlier session
    /// is already recorded. A concurrent change of the course is retried once.
    async fn note_ending_raised(&self, ctx: &Ctx, s: &Scope, number: u32) -> AppResult<()> {
        for _ in 0..2 {
            let c = self.load_course(s, &[]).await?;
            if c.ending_raised_at_session.is_some_and(|n| n <= number) {
                return Ok(());
            }
            let e = s.event(
                ctx,
                AuditAction::Update,
                "course_ending",
                s.course.to_string(),
            );
            match self
                .store
                .record_ending_raised(s.clinic, s.course, number, c.version, self.now(), &[e])
                .await
            {
                Ok(_) => return Ok(()),
                Err(kith_store::StoreError::VersionConflict { .. }) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Ok(())
    }

    /// A note with its addenda and sign-off; `integrity` says whether a signed note still
    /// matches what was signed.
    pub async fn note(&self, ctx: &Ctx, note: NoteId) -> AppResult<SessionNote> {
        let s = self
            .scope(ctx, CourseRef::Note(note), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Read, "session_note", note.to_string());
        self.store
            .note(s.clinic, note, &[e])
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The note of a session, if one was started.
    pub async fn note_of_session(
        &self,
        ctx: &Ctx,
        session: SessionId,
    ) -> AppResult<Option<SessionNote>> {
        let s = self
            .scope(ctx, CourseRef::Session(session), Action::ViewClinical)
            .await?;
        let e = s.event(ctx, AuditAction::Read, "session_note", session.to_string());
        Ok(self.store.note_of_session(s.clinic, session, &[e]).await?)
    }

    /// Adds a correction to a signed note; it is shown with the note, which itself stays as
    /// signed.
    pub async fn add_addendum(
        &self,
        ctx: &Ctx,
        note: NoteId,
        text: &str,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<NoteId>> {
        let s = self
            .scope(ctx, CourseRef::Note(note), Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        p.required_text("text", text, LONG_TEXT_MAX);
        p.finish()?;
        let id = NoteId(Uuid::now_v7());
        let e = s.event(ctx, AuditAction::Create, "note_addendum", id.to_string());
        self.store
            .add_addendum(
                s.clinic,
                &NewAddendum {
                    id,
                    note,
                    text: text.trim().to_string(),
                    author: ctx.user.id,
                    at: self.now(),
                },
                idem.as_ref(),
                &[e],
            )
            .await
            .map_err(refused("note"))
    }

    /// A supervisor signs off a supervisee's signed note.
    pub async fn sign_off_note(
        &self,
        ctx: &Ctx,
        note: NoteId,
        comment: Option<&str>,
    ) -> AppResult<SessionNote> {
        let s = self
            .scope(ctx, CourseRef::Note(note), Action::SignOffNote)
            .await?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let mut p = Problems::default();
        if let Some(c) = comment {
            p.text("comment", c, SHORT_TEXT_MAX);
        }
        p.finish()?;
        let e = s.event(
            ctx,
            AuditAction::Update,
            "session_note_sign_off",
            note.to_string(),
        );
        self.store
            .sign_off_note(s.clinic, note, ctx.user.id, comment, self.now(), &[e])
            .await
            .map_err(refused("note"))
    }

    /// Writes a process note: private to its author, never part of the record, the portal, a
    /// summary or an export. `note` is `None` (with `version` 0) for a new one.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_process_note(
        &self,
        ctx: &Ctx,
        client: ClientId,
        note: Option<NoteId>,
        course: Option<CourseId>,
        session: Option<SessionId>,
        text: &str,
        version: i64,
    ) -> AppResult<ProcessNote> {
        let facts = self.client_access(ctx, client, Action::ViewClient).await?;
        self.authorize(
            ctx,
            Action::ProcessNote,
            Resource::ProcessNote {
                client: &facts,
                author: ctx.user.id,
            },
        )
        .await?;
        let mut p = Problems::default();
        p.required_text("text", text, LONG_TEXT_MAX);
        p.finish()?;
        let id = note.unwrap_or_else(|| NoteId(Uuid::now_v7()));
        let action = if version == 0 {
            AuditAction::Create
        } else {
            AuditAction::Update
        };
        let e = ctx.event(action, "process_note", Some(id.to_string()), Some(client));
        Ok(self
            .store
            .save_process_note(
                facts.clinic,
                &ProcessNoteDraft {
                    id,
                    client,
                    course,
                    session,
                    author: ctx.user.id,
                    text: text.trim().to_string(),
                    at: self.now(),
                },
                version,
                &[e],
            )
            .await?)
    }

    /// The caller's own process notes about a client (nobody else's are ever returned).
    pub async fn process_notes(&self, ctx: &Ctx, client: ClientId) -> AppResult<Vec<ProcessNote>> {
        let facts = self.client_access(ctx, client, Action::ViewClient).await?;
        self.authorize(
            ctx,
            Action::ProcessNote,
            Resource::ProcessNote {
                client: &facts,
                author: ctx.user.id,
            },
        )
        .await?;
        let e = ctx.event(AuditAction::Query, "process_note_list", None, Some(client));
        Ok(self
            .store
            .process_notes(facts.clinic, client, ctx.user.id, &[e])
            .await?)
    }

    /// One of the caller's own process notes about a client. Anyone else's — whoever asks — is
    /// "not found", exactly like a note that does not exist.
    pub async fn process_note(
        &self,
        ctx: &Ctx,
        client: ClientId,
        note: NoteId,
    ) -> AppResult<ProcessNote> {
        let mine = match self.process_notes(ctx, client).await {
            Err(AppError::Forbidden) => return Err(AppError::NotFound),
            other => other?,
        };
        mine.into_iter()
            .find(|n| n.id == note)
            .ok_or(AppError::NotFound)
    }
}
