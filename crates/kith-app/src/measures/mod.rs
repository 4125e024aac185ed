//! Measures: recording questionnaires, scores and change, alerts and their escalation, safety plans.
//!
//! The server scores every submission from the answers alone: [`MeasureInput`] has no place for a
//! total, a band or a flag, so nothing a caller computed can be stored. A submission with any
//! problem is refused whole, each problem naming its item (`answers[item 9]`).

mod alerts;
mod plans;
#[cfg(test)]
mod tests;

use crate::{App, AppError, AppResult, Ctx, FieldError};
use kith_domain::audit::AuditAction;
use kith_domain::clinic::ClinicSettings;
use kith_domain::identity::Role;
use kith_domain::ids::{AlertId, ClientId, ClinicId, CourseId, SessionId, SubmissionId};
use kith_domain::locale::Locale;
use kith_domain::measure::{
    AnswerValue, ChangeRules, DiaryDay, Instrument, InstrumentLibrary, ItemAnswer, Respondent,
    Score, SeriesAnalysis, Submission, SubmissionProblem,
};
use kith_domain::policy::{Action, ClientFacts};
use kith_domain::safety::Tier;
use kith_store::{
    AdministrationMode, AlertRules, CourseRef, FlagCode, Idempotency, NewSubmission,
    RecordedSubmission, RespondentRole, SeriesPoint, SubmissionRecord, SubmissionSummary, Written,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How far ahead of the server's clock a `taken_at` may be (a device clock running a little fast).
pub const TAKEN_AT_SKEW: Duration = Duration::minutes(5);
/// How far back a `taken_at` may lie. Answers are entered from forms filled in recently; a date
/// further back (0001-01-01, a year typed as 1025) is a typing error that would put the score at
/// the far end of every chart and make it the course's baseline.
pub const TAKEN_AT_EARLIEST: Duration = Duration::days(5 * 366);
/// The most answers one submission may carry (the longest shipped instrument has 17 items).
pub const MAX_ANSWERS: usize = 100;
/// Item ids longer than this are cut short when a problem names them.
const ITEM_ID_SHOWN: usize = 40;

/// The answers of a submission as a form or API body gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeasureAnswers {
    /// Item id and answer, in any order; an item given twice is refused.
    Items(Vec<(String, AnswerValue)>),
    /// A week of a social-rhythm diary (SRM-5).
    Diary(Vec<DiaryDay>),
}

/// A questionnaire to record. There is deliberately no total, band or flag here: the server
/// computes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureInput {
    /// Instrument id (`phq9`); always answered at its current version.
    pub instrument: String,
    pub answers: MeasureAnswers,
    pub taken_at: OffsetDateTime,
    pub course: Option<CourseId>,
    pub session: Option<SessionId>,
    /// The language the questions were shown in.
    pub language: Locale,
    /// How the answers were gathered; a client in the portal always answers `self`.
    pub mode: AdministrationMode,
}

/// What recording a questionnaire gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub submission: SubmissionId,
    pub instrument: String,
    pub total: Score,
    pub band: Option<String>,
    /// Safety items that fired (item and tier).
    pub flags: Vec<FlagCode>,
    /// The alert raised with the submission, if any, and its tier.
    pub alert: Option<AlertId>,
    pub alert_tier: Option<Tier>,
    /// The instrument's series up to and including this submission.
    pub analysis: SeriesAnalysis,
}

impl Recorded {
    /// Whether the person who answered must be shown the clinic's crisis resources now: a safety
    /// item fired that is not history already on record (a lifetime answer given before).
    pub fn show_crisis_resources(&self) -> bool {
        self.flags.iter().any(|f| !f.history)
    }

    fn from_store(r: RecordedSubmission) -> Recorded {
        Recorded {
            submission: r.submission.id,
            instrument: r.submission.instrument,
            total: r.submission.total,
            band: r.submission.band,
            flags: r.submission.flags,
            alert: r.alert.as_ref().map(|a| a.id),
            alert_tier: r.alert.as_ref().map(|a| a.tier),
            analysis: r.analysis,
        }
    }
}

/// The instruments a clinic scores with.
pub(crate) fn library() -> &'static InstrumentLibrary {
    InstrumentLibrary::builtin()
}

/// The change rules a clinic reads an instrument's series with: the instrument's defaults under
/// the clinic's overrides.
pub fn change_rules(settings: &ClinicSettings, instrument: &Instrument) -> ChangeRules {
    settings
        .change_rules_for(instrument.id())
        .apply(instrument.change_rules())
}

fn shown_item(item: &str) -> String {
    if item.chars().count() > ITEM_ID_SHOWN {
        let cut: String = item.chars().take(ITEM_ID_SHOWN).collect();
        format!("{cut}…")
    } else {
        item.to_string()
    }
}

fn answer_field(item: &str) -> String {
    format!("answers[item {}]", shown_item(item))
}

fn activity_field(date: time::Date, item: &str) -> String {
    format!("diary[{date}].activities[item {}]", shown_item(item))
}

/// Words a scoring problem for the person who sent the answers.
fn problem_error(instrument: &Instrument, p: &SubmissionProblem) -> FieldError {
    use SubmissionProblem as P;
    match p {
        P::UnknownItem { item } => FieldError::new(answer_field(item), "answer-unknown-item"),
        P::DuplicateItem { item } => FieldError::new(answer_field(item), "answer-duplicate"),
        P::MissingItem { item } => FieldError::new(answer_field(item), "answer-missing"),
        P::OutOfRange { item, value } => {
            let e = FieldError::new(answer_field(item), "answer-out-of-range").with("value", value);
            match instrument
                .item(item)
                .and_then(|i| instrument.item_bounds(i))
            {
                Some((min, max)) => e.with("min", min).with("max", max),
                None => e,
            }
        }
        P::NotApplicableNotAllowed { item } => {
            FieldError::new(answer_field(item), "answer-not-applicable-not-allowed")
        }
        P::AllNotApplicable => FieldError::new("answers", "answers-all-not-applicable"),
        P::WrongResponseKind => FieldError::new("answers", "answers-wrong-kind"),
        P::WrongInstrument { .. } | P::WrongVersion { .. } => {
            FieldError::new("instrument", "instrument-version-mismatch")
        }
        P::NoDiaryDays => FieldError::new("diary", "diary-empty"),
        P::TooManyDiaryDays { max } => {
            FieldError::new("diary", "diary-too-many-days").with("max", max)
        }
        P::DiarySpanTooLong { first, last } => FieldError::new("diary", "diary-span-too-long")
            .with("first", first)
            .with("last", last),
        P::DuplicateDay { date } => {
            FieldError::new(format!("diary[{date}]"), "diary-day-duplicate")
        }
        P::UnknownActivity { date, item } => {
            FieldError::new(activity_field(*date, item), "diary-activity-unknown")
        }
        P::DuplicateActivity { date, item } => {
            FieldError::new(activity_field(*date, item), "diary-activity-duplicate")
        }
        P::MissingActivity { date, item } => {
            FieldError::new(activity_field(*date, item), "diary-activity-missing")
        }
        P::PeopleOutOfRange { date, item, value } => FieldError::new(
            format!("{}.people", activity_field(*date, item)),
            "diary-people-out-of-range",
        )
        .with("value", value),
        P::MoodOutOfRange { date, value } => {
            FieldError::new(format!("diary[{date}].mood"), "diary-mood-out-of-range")
                .with("value", value)
        }
    }
}

/// Everything wrong with an input, or the scored submission.
fn check(
    input: &MeasureInput,
    respondent: RespondentRole,
    now: OffsetDateTime,
) -> Result<(&'static Instrument, kith_domain::measure::ScoredSubmission), Vec<FieldError>> {
    let mut errors = Vec::new();
    if input.taken_at > now + TAKEN_AT_SKEW {
        errors.push(FieldError::new("taken_at", "taken-at-in-future"));
    } else if input.taken_at < now - TAKEN_AT_EARLIEST {
        errors.push(
            FieldError::new("taken_at", "taken-at-too-early")
                .with("earliest", (now - TAKEN_AT_EARLIEST).date()),
        );
    }
    let Some(instrument) = library().get(&input.instrument) else {
        errors.insert(0, FieldError::new("instrument", "instrument-unknown"));
        return Err(errors);
    };
    let clinician_rated = instrument.def().respondent == Respondent::Clinician;
    match respondent {
        RespondentRole::Client if clinician_rated => {
            errors.push(FieldError::new("instrument", "instrument-clinician-rated"));
        }
        RespondentRole::Client if input.mode != AdministrationMode::SelfReport => {
            errors.push(FieldError::new("mode", "mode-not-allowed"));
        }
        RespondentRole::Clinician
            if clinician_rated && input.mode != AdministrationMode::ClinicianEntered =>
        {
            errors.push(FieldError::new("mode", "mode-not-allowed"));
        }
        _ => {}
    }
    let submission = match &input.answers {
        MeasureAnswers::Items(answers) if answers.len() > MAX_ANSWERS => {
            errors.push(FieldError::new("answers", "answers-too-many").with("max", MAX_ANSWERS));
            return Err(errors);
        }
        MeasureAnswers::Items(answers) => Submission::items(
            instrument,
            answers
                .iter()
                .map(|(item, value)| ItemAnswer {
                    item: item.clone(),
                    value: *value,
                })
                .collect(),
        ),
        MeasureAnswers::Diary(days) => Submission::diary(instrument, days.clone()),
    };
    match instrument.score(&submission) {
        Ok(scored) if errors.is_empty() => Ok((instrument, scored)),
        Ok(_) => Err(errors),
        Err(invalid) => {
            errors.extend(
                invalid
                    .problems
                    .iter()
                    .map(|p| problem_error(instrument, p)),
            );
            Err(errors)
        }
    }
}

impl App {
    /// Who may read a client's measures, alerts and plan: the client in the portal, or staff
    /// allowed to see the client's clinical record.
    pub(crate) async fn clinical_read(
        &self,
        ctx: &Ctx,
        client: ClientId,
    ) -> AppResult<ClientFacts> {
        let action = if ctx.role() == Some(Role::Client) {
            Action::UsePortal
        } else {
            Action::ViewClinical
        };
        self.client_access(ctx, client, action).await
    }

    pub(crate) async fn settings_of(&self, facts: &ClientFacts) -> AppResult<ClinicSettings> {
        Ok(self
            .store
            .clinic(facts.clinic)
            .await?
            .ok_or(AppError::NotFound)?
            .settings)
    }

    /// Records a questionnaire for a client: by their clinician (entered in session, or rated),
    /// or by the client in the portal. The server scores it, and in the same transaction raises
    /// exactly one alert when a safety item fired or the series now shows reliable
    /// deterioration. Nothing is written when anything is wrong.
    pub async fn record_measure(
        &self,
        ctx: &Ctx,
        client: ClientId,
        input: MeasureInput,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<Recorded>> {
        let (facts, respondent) = if ctx.role() == Some(Role::Client) {
            (
                self.client_access(ctx, client, Action::UsePortal).await?,
                RespondentRole::Client,
            )
        } else {
            (
                self.client_access(ctx, client, Action::WriteClinical)
                    .await?,
                RespondentRole::Clinician,
            )
        };
        let now = self.now();
        let (instrument, scored) = check(&input, respondent, now).map_err(AppError::Invalid)?;
        let (course, session) = self
            .placement(facts.clinic, client, input.course, input.session)
            .await?;
        let settings = self.settings_of(&facts).await?;
        let id = SubmissionId(Uuid::now_v7());
        let new = NewSubmission {
            id,
            clinic: facts.clinic,
            client,
            course,
            session,
            language: input.language,
            respondent: ctx.user.id,
            respondent_role: respondent,
            mode: input.mode,
            taken_at: input.taken_at,
            recorded_at: now,
            scored,
            diary: match input.answers {
                MeasureAnswers::Diary(days) => Some(days),
                MeasureAnswers::Items(_) => None,
            },
            alerting: AlertRules {
                direction: instrument.direction(),
                change: change_rules(&settings, instrument),
                policy: settings.alert_policy,
            },
            alert_id: AlertId(Uuid::now_v7()),
            alert_event: ctx.event(AuditAction::Create, "alert", None, Some(client)),
        };
        let mut e = ctx.event(
            AuditAction::Create,
            "measure_submission",
            Some(id.to_string()),
            Some(client),
        );
        e.detail = Some(format!("instrument={}", instrument.id()));
        let written = self
            .store
            .record_submission(new, idem.as_ref(), &[e])
            .await?;
        Ok(match written {
            Written::Fresh(r) => Written::Fresh(Recorded::from_store(r)),
            Written::Replayed(r) => Written::Replayed(Recorded::from_store(r)),
        })
    }

    /// The course and session a submission is filed under. Both must be the client's own (a
    /// course or session of anyone else, or of another clinic, is refused as if it did not exist);
    /// a session brings its course with it, and must belong to the course if both are named.
    async fn placement(
        &self,
        clinic: ClinicId,
        client: ClientId,
        course: Option<CourseId>,
        session: Option<SessionId>,
    ) -> AppResult<(Option<CourseId>, Option<SessionId>)> {
        let mut errors = Vec::new();
        let mut filed = course;
        if let Some(c) = course {
            let owner = self.store.course_of(clinic, CourseRef::Course(c)).await?;
            if owner.map(|(_, who)| who) != Some(client) {
                errors.push(FieldError::new("course_id", "course-not-of-client"));
            }
        }
        if let Some(s) = session {
            match self.store.course_of(clinic, CourseRef::Session(s)).await? {
                Some((c, who)) if who == client => {
                    if course.is_some_and(|given| given != c) {
                        errors.push(FieldError::new("session_id", "session-not-in-course"));
                    }
                    filed = Some(c);
                }
                _ => errors.push(FieldError::new("session_id", "session-not-of-client")),
            }
        }
        if errors.is_empty() {
            Ok((filed, session))
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    /// A client's questionnaires, newest first, without their answers.
    pub async fn measures(&self, ctx: &Ctx, client: ClientId) -> AppResult<Vec<SubmissionSummary>> {
        let facts = self.clinical_read(ctx, client).await?;
        let e = ctx.event(AuditAction::Read, "measure_list", None, Some(client));
        Ok(self.store.submissions(facts.clinic, client, &[e]).await?)
    }

    /// One questionnaire of a client with its answers.
    pub async fn measure(
        &self,
        ctx: &Ctx,
        client: ClientId,
        id: SubmissionId,
    ) -> AppResult<SubmissionRecord> {
        let facts = self.clinical_read(ctx, client).await?;
        let e = ctx.event(
            AuditAction::Read,
            "measure_submission",
            Some(id.to_string()),
            Some(client),
        );
        self.store
            .submission(facts.clinic, client, id, &[e])
            .await?
            .ok_or(AppError::NotFound)
    }

    /// A client's scores on one instrument (oldest first; one course's only when `course` is
    /// given) and what they suggest under the clinic's change rules.
    pub async fn series(
        &self,
        ctx: &Ctx,
        client: ClientId,
        instrument: &str,
        course: Option<CourseId>,
    ) -> AppResult<(Vec<SeriesPoint>, SeriesAnalysis)> {
        let facts = self.clinical_read(ctx, client).await?;
        let instrument = library()
            .get(instrument)
            .ok_or_else(|| AppError::invalid("instrument", "instrument-unknown"))?;
        let settings = self.settings_of(&facts).await?;
        let mut e = ctx.event(AuditAction::Read, "measure_series", None, Some(client));
        e.detail = Some(format!("instrument={}", instrument.id()));
        let points = self
            .store
            .series(facts.clinic, client, instrument.id(), course, &[e])
            .await?;
        let scores: Vec<_> = points.iter().map(SeriesPoint::score_point).collect();
        let analysis = instrument.analyse(&scores, &change_rules(&settings, instrument), None);
        Ok((points, analysis))
    }
}
