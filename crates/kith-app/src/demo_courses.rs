//! The demo clinic's courses: one under every protocol Kith ships, in every phase, written
//! through the same use cases a clinician's pages call (so every rule and audit applies). The
//! people are fictional and pseudonymous; their stories are told plainly and kindly.
//!
//! Dates are relative to the moment the demo is loaded: sessions lie in the weeks before it, so
//! a newcomer opening the demo sees courses in progress.

use super::DemoClient;
use crate::courses::ContractInput;
use crate::measures::{MeasureAnswers, MeasureInput};
use crate::{App, AppError, AppResult, Ctx, Pending, Via};
use kith_domain::audit::AuditAction;
use kith_domain::course::{ContractLength, CourseState, IpafFocus, SessionStatus};
use kith_domain::identity::{Actor, Role};
use kith_domain::ids::{ApiTokenId, ClientId, ClinicId, CourseId, NoteId, UserId};
use kith_domain::inventory::{
    ConflictFrequency, ConflictOutcome, ContactFrequency, Person, PersonStatus, RelationshipType,
    Ring, Score10, SupportType, YesNoPartly,
};
use kith_domain::locale::Locale;
use kith_domain::measure::{ActivityEntry, AnswerValue, DiaryDay, DoneAt};
use kith_domain::note::{PhaseKind, note_template};
use kith_domain::problem_area::DisputeStage;
use kith_domain::protocol::{Frequency, ParticipantRole};
use kith_domain::timeline::{LifeEvent, LifeEventKind, MoodEntry, MoodEpisode, Onset};
use kith_domain::worksheet::FocusArea;
use kith_domain::worksheet::values::Completeness;
use kith_store::{
    AdministrationMode, ChosenArea, ConcurrentMedication, ContractTerms, CourseSession, Diagnosis,
    Formulation, GoalContent, GoalStatus, Intake, MedicationAssessment, MedicationNeed, NewCourse,
    NoteDraft, NoteTick, ReferralDecision, SickRole, SnapshotLabel,
};
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime, Time};
use uuid::Uuid;

/// What one demo course is built from: the client, their clinician and the clock.
struct Case<'a> {
    app: &'a App,
    ctx: Ctx,
    client: ClientId,
    course: CourseId,
    now: OffsetDateTime,
}

fn weeks(n: i64) -> Duration {
    Duration::weeks(n)
}

/// A person of the inventory, built up field by field.
fn person(name: &str, rel: RelationshipType, status: PersonStatus, ring: Option<u8>) -> Person {
    let mut p = Person::new(Uuid::nil(), name, rel, status);
    p.ring = ring.and_then(|r| Ring::new(r).ok());
    p
}

fn score(n: u8) -> Option<Score10> {
    Score10::new(n).ok()
}

/// PHQ-9 answers adding up to `total`, with item 9 as given: spread over items 1–8 in turn.
fn phq9_answers(total: i64, item9: i64) -> Vec<(String, i64)> {
    let mut v = [0i64; 8];
    let mut left = (total - item9).clamp(0, 24);
    let mut i = 0;
    while left > 0 {
        if v[i % 8] < 3 {
            v[i % 8] += 1;
            left -= 1;
        }
        i += 1;
    }
    let mut out: Vec<(String, i64)> = v
        .iter()
        .enumerate()
        .map(|(k, x)| ((k + 1).to_string(), *x))
        .collect();
    out.push(("9".into(), item9));
    out
}

/// Answers of `n` items numbered 1..=n adding up to `total` (0–3 each).
fn numbered(n: usize, total: i64) -> Vec<(String, i64)> {
    let mut v = vec![0i64; n];
    let mut left = total.clamp(0, 3 * n as i64);
    let mut i = 0;
    while left > 0 {
        if v[i % n] < 3 {
            v[i % n] += 1;
            left -= 1;
        }
        i += 1;
    }
    v.iter()
        .enumerate()
        .map(|(k, x)| ((k + 1).to_string(), *x))
        .collect()
}

/// EPDS answers (option positions) whose scored total is `total`, with item 10 at its lowest
/// score. Items 3 and 5–10 are reverse-scored, so their position is 3 minus the score.
fn epds(total: i64) -> Vec<(String, i64)> {
    let reversed = ["3", "5", "6", "7", "8", "9", "10"];
    numbered(9, total)
        .into_iter()
        .chain([("10".to_string(), 0)])
        .map(|(item, value)| {
            let position = if reversed.contains(&item.as_str()) {
                3 - value
            } else {
                value
            };
            (item, position)
        })
        .collect()
}

fn wsas(values: [i64; 5]) -> Vec<(String, i64)> {
    [
        "work",
        "home",
        "social-leisure",
        "private-leisure",
        "relationships",
    ]
    .iter()
    .zip(values)
    .map(|(k, v)| ((*k).to_string(), v))
    .collect()
}

/// The kind of note a phase of a protocol takes.
fn phase_kind(phase: &str) -> PhaseKind {
    match phase {
        "pre-group" => PhaseKind::PreGroup,
        "initial" | "opening" | "engagement" => PhaseKind::Initial,
        "maintenance" => PhaseKind::Maintenance,
        "termination" | "final" | "ending" | "conclusion" | "closing" => PhaseKind::Termination,
        _ => PhaseKind::Middle,
    }
}

impl App {
    /// A clinician's context for the demo: acting in their clinic, second factor passed.
    async fn demo_ctx(&self, user: UserId, clinic: ClinicId) -> AppResult<Ctx> {
        let u = self.store.user(user).await?.ok_or(AppError::NotFound)?;
        Ok(Ctx {
            user: u,
            actor: Actor {
                user,
                membership: Some((clinic, Role::Clinician)),
                operator: false,
                second_factor: true,
            },
            clinic: self.store.clinic(clinic).await?,
            pending: Pending::Nothing,
            via: Via::Api {
                token: ApiTokenId(Uuid::nil()),
            },
            source: Some("demo loader".into()),
            now: self.now(),
            open_alerts: 0,
        })
    }

    /// Opens a demo course as if it had been opened `weeks_ago` weeks before now.
    async fn demo_open<'a>(
        &'a self,
        who: &DemoClient,
        clinic: ClinicId,
        protocol_id: &str,
        length: Option<ContractLength>,
        weeks_ago: i64,
    ) -> AppResult<Case<'a>> {
        let ctx = self.demo_ctx(who.clinician, clinic).await?;
        let protocol = self.protocol(protocol_id)?;
        let length = length.unwrap_or(ContractLength::Sessions(protocol.sessions().default));
        CourseState::new(&protocol, length)
            .map_err(|e| AppError::Internal(format!("demo course: {}", e.code())))?;
        let mut participants: Vec<ParticipantRole> = Vec::new();
        for p in protocol.participants().iter().filter(|p| !p.optional) {
            if !participants.contains(&p.role) {
                participants.push(p.role);
            }
        }
        let now = self.now();
        let id = CourseId(Uuid::now_v7());
        let e = ctx.event(
            AuditAction::Create,
            "course",
            Some(id.to_string()),
            Some(who.client),
        );
        self.store
            .open_course(
                NewCourse {
                    id,
                    clinic,
                    client: who.client,
                    protocol_id: protocol.id().to_string(),
                    protocol_version: protocol.version().to_string(),
                    contract: ContractTerms {
                        sessions: length,
                        frequency: protocol.frequency(),
                        planned_end: None,
                        focus: String::new(),
                        participants,
                    },
                    created_by: who.clinician,
                    opened_at: now - weeks(weeks_ago) - Duration::days(2),
                },
                None,
                &[e],
            )
            .await?;
        Ok(Case {
            app: self,
            ctx,
            client: who.client,
            course: id,
            now,
        })
    }
}

impl Case<'_> {
    fn at(&self, weeks_ago: i64) -> OffsetDateTime {
        let t = self.now - weeks(weeks_ago);
        t.replace_time(Time::from_hms(10, 0, 0).unwrap_or(Time::MIDNIGHT))
            .min(self.now)
    }

    /// Records a session as held; the tasks of every session that no note template ticks
    /// (stating the session number, reviewing the symptom measure) are ticked by hand, as a
    /// clinician would, except in session 5 where the measure review was forgotten.
    async fn hold(&self, number: u32, weeks_ago: i64) -> AppResult<CourseSession> {
        let s = self
            .app
            .add_session(
                &self.ctx,
                self.course,
                Some(number),
                SessionStatus::Held,
                self.at(weeks_ago),
            )
            .await?;
        let c = self.app.course(&self.ctx, self.course).await?;
        let protocol = self.app.protocol(&c.protocol_id)?;
        let by_hand: Vec<String> = ["time-limit", "symptom-review"]
            .into_iter()
            .filter(|t| !(number == 5 && *t == "symptom-review"))
            .filter(|t| protocol.session_tasks().iter().any(|x| x.id == *t))
            .map(str::to_string)
            .collect();
        if number >= 1 && !by_hand.is_empty() {
            return self.app.tick_tasks(&self.ctx, s.id, &by_hand, &[]).await;
        }
        Ok(s)
    }

    async fn schedule(&self, number: u32, days_ahead: i64) -> AppResult<CourseSession> {
        let at = (self.now + Duration::days(days_ahead))
            .replace_time(Time::from_hms(10, 0, 0).unwrap_or(Time::MIDNIGHT));
        self.app
            .add_session(
                &self.ctx,
                self.course,
                Some(number),
                SessionStatus::Scheduled,
                at,
            )
            .await
    }

    async fn add(&self, p: Person) -> AppResult<Uuid> {
        Ok(*self
            .app
            .add_person(&self.ctx, self.client, &p, None)
            .await?
            .value())
    }

    async fn event(
        &self,
        date: &str,
        kind: LifeEventKind,
        people: Vec<Uuid>,
        text: &str,
        impact: u8,
    ) -> AppResult<()> {
        let date = date
            .parse()
            .map_err(|_| AppError::Internal(format!("demo date {date}")))?;
        self.app
            .add_life_event(
                &self.ctx,
                self.client,
                &LifeEvent {
                    id: Uuid::nil(),
                    date,
                    kind,
                    people,
                    description: text.into(),
                    impact: score(impact),
                    candidate_area: None,
                },
                None,
            )
            .await?;
        Ok(())
    }

    /// A date `weeks_ago` weeks back, to the day, month or year.
    fn day(&self, weeks_ago: i64) -> String {
        (self.now - weeks(weeks_ago)).date().to_string()
    }

    fn month(&self, weeks_ago: i64) -> String {
        let d = (self.now - weeks(weeks_ago)).date();
        format!("{:04}-{:02}", d.year(), u8::from(d.month()))
    }

    async fn onset(&self, date: &str, text: &str) -> AppResult<()> {
        let date = date
            .parse()
            .map_err(|_| AppError::Internal(format!("demo date {date}")))?;
        self.app
            .set_onset(
                &self.ctx,
                self.client,
                Some(&Onset {
                    date,
                    description: text.into(),
                }),
                0,
            )
            .await?;
        Ok(())
    }

    async fn mood(&self, date: &str, rating: u8, note: &str) -> AppResult<()> {
        let date = date
            .parse()
            .map_err(|_| AppError::Internal(format!("demo date {date}")))?;
        let rating = Score10::new(rating).map_err(|_| AppError::Internal("demo mood".into()))?;
        self.app
            .add_mood_entry(
                &self.ctx,
                self.client,
                &MoodEntry {
                    date,
                    rating,
                    note: note.into(),
                },
                None,
            )
            .await?;
        Ok(())
    }

    async fn measure(
        &self,
        instrument: &str,
        answers: Vec<(String, i64)>,
        session: Option<&CourseSession>,
        weeks_ago: i64,
    ) -> AppResult<crate::Recorded> {
        let at = session
            .and_then(|s| s.held_at)
            .unwrap_or_else(|| self.at(weeks_ago));
        Ok(self
            .app
            .record_measure(
                &self.ctx,
                self.client,
                MeasureInput {
                    instrument: instrument.into(),
                    answers: MeasureAnswers::Items(
                        answers
                            .into_iter()
                            .map(|(k, v)| (k, AnswerValue::Value(v)))
                            .collect(),
                    ),
                    taken_at: at,
                    course: Some(self.course),
                    session: session.map(|s| s.id),
                    language: Locale::En,
                    mode: AdministrationMode::ClinicianEntered,
                },
                None,
            )
            .await?
            .into_value())
    }

    async fn intake(&self, intake: Intake) -> AppResult<()> {
        let c = self.app.course(&self.ctx, self.course).await?;
        self.app
            .save_intake(&self.ctx, self.course, &intake, c.version)
            .await?;
        Ok(())
    }

    async fn contract(
        &self,
        sessions: ContractLength,
        frequency: Frequency,
        weeks_to_end: Option<i64>,
        focus: &str,
        participants: Vec<ParticipantRole>,
        at_session: u32,
    ) -> AppResult<()> {
        let c = self.app.course(&self.ctx, self.course).await?;
        self.app
            .agree_contract(
                &self.ctx,
                self.course,
                &ContractInput {
                    sessions,
                    frequency,
                    planned_end: weeks_to_end.map(|w| (self.now + weeks(w)).date()),
                    focus: focus.into(),
                    participants,
                },
                at_session,
                c.version,
            )
            .await?;
        Ok(())
    }

    /// Saves the formulation and records the client's agreement at the same session.
    async fn formulation(&self, f: Formulation, at: u32, agreed_weeks_ago: i64) -> AppResult<()> {
        let rev = self
            .app
            .save_formulation(&self.ctx, self.course, &f, Some(at), 0)
            .await?;
        self.app
            .agree_formulation(
                &self.ctx,
                self.course,
                rev.revision,
                (self.now - weeks(agreed_weeks_ago)).date(),
                at,
            )
            .await?;
        Ok(())
    }

    async fn goal(
        &self,
        text: &str,
        area: Option<&str>,
        people: Vec<Uuid>,
        status: GoalStatus,
        review: &str,
    ) -> AppResult<()> {
        let content = GoalContent {
            text: text.into(),
            problem_area: area.map(str::to_string),
            people,
            review: review.into(),
        };
        let g = self
            .app
            .add_goal(&self.ctx, self.course, &content, None)
            .await?
            .into_value();
        if status != GoalStatus::Active || !review.is_empty() {
            self.app
                .update_goal(&self.ctx, g, &content, status, 1)
                .await?;
        }
        Ok(())
    }

    /// Writes and signs the note of a held session from the note template of its phase and
    /// focus: the texts given by section id, every checklist item ticked, the first technique,
    /// risk asked about with none identified, and the mood rating. The protocol tasks the note
    /// evidences are ticked by signing it.
    async fn note(
        &self,
        session: &CourseSession,
        area: Option<FocusArea>,
        texts: &[(&str, &str)],
        mood: i64,
    ) -> AppResult<()> {
        let c = self.app.course(&self.ctx, self.course).await?;
        let protocol = self.app.protocol(&c.protocol_id)?;
        let kind = phase_kind(session.phase.as_deref().unwrap_or("middle"));
        let template = note_template(kind, area);
        let mut sections: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        for s in template.sections() {
            use kith_domain::note::SectionKind as K;
            let value = match s.kind {
                K::Text => texts
                    .iter()
                    .find(|(id, _)| *id == s.id)
                    .map(|(_, t)| serde_json::json!(t)),
                K::Checklist => Some(serde_json::json!(
                    s.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>()
                )),
                K::Techniques => s.options.first().map(|o| serde_json::json!([o.id])),
                K::RiskCheck => Some(serde_json::json!({"status": "no-risk-identified"})),
                K::MoodRating => Some(serde_json::json!(mood)),
                K::Worksheets => None,
            };
            if let Some(v) = value {
                sections.insert(s.id.clone(), v);
            }
        }
        let json = serde_json::Value::Object(sections.clone().into_iter().collect());
        let content = template
            .validate(&json, Completeness::Complete)
            .map_err(|e| AppError::Internal(format!("demo note {}: {e:?}", template.id())))?;
        let mut ticks: Vec<NoteTick> = Vec::new();
        for ev in template.evidence(&content) {
            if protocol.all_tasks().any(|t| t.id == ev.task)
                && !ticks.iter().any(|t| t.task == ev.task)
            {
                ticks.push(NoteTick {
                    task: ev.task,
                    section: ev.section,
                });
            }
        }
        // Written through storage, as the note pages do after their own checks (the content
        // was checked against its template above), then signed.
        let clinic = self.ctx.clinic_id().ok_or(AppError::NotFound)?;
        let id = NoteId(Uuid::now_v7());
        let at = session.held_at.unwrap_or(self.now);
        let note = self
            .app
            .store
            .save_note_draft(
                clinic,
                &NoteDraft {
                    id,
                    session: session.id,
                    content: kith_store::NoteContent {
                        template: template.id().to_string(),
                        sections,
                        ticks,
                    },
                    author: self.ctx.user.id,
                    at,
                    // Demo notes record no identified risk.
                    risk_alert: None,
                },
                0,
                &[self.ctx.event(
                    AuditAction::Create,
                    "session_note",
                    Some(session.id.to_string()),
                    Some(self.client),
                )],
            )
            .await?;
        self.app
            .store
            .sign_note(
                clinic,
                note.id,
                self.ctx.user.id,
                note.version,
                at,
                &[self.ctx.event(
                    AuditAction::Update,
                    "session_note_signature",
                    Some(note.id.to_string()),
                    Some(self.client),
                )],
            )
            .await?;
        Ok(())
    }

    async fn snapshot(&self, label: SnapshotLabel) -> AppResult<()> {
        self.app
            .take_snapshot(&self.ctx, self.course, label)
            .await?;
        Ok(())
    }

    async fn update_person(&self, id: Uuid, change: impl FnOnce(&mut Person)) -> AppResult<()> {
        let people = self.app.inventory(&self.ctx, self.client).await?;
        let r = people
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(AppError::NotFound)?;
        let mut p = r.value.clone();
        change(&mut p);
        self.app
            .update_person(&self.ctx, self.client, &p, r.version)
            .await?;
        Ok(())
    }
}

fn intake(code: &str, label: &str, on: time::Date, limited: bool) -> Intake {
    Intake {
        diagnosis: Some(Diagnosis {
            code_system: "ICD-10".into(),
            code: code.into(),
            label: label.into(),
        }),
        psychoeducation_on: Some(on),
        sick_role: Some(SickRole {
            given_on: on,
            limited,
        }),
        ..Intake::default()
    }
}

fn area(id: &str, rationale: &str, stage: Option<DisputeStage>) -> ChosenArea {
    ChosenArea {
        area: id.into(),
        primary: true,
        rationale: rationale.into(),
        dispute_stage: stage,
    }
}

/// The client of the demo with this display name.
fn find<'a>(clients: &'a [DemoClient], name: &str) -> AppResult<&'a DemoClient> {
    clients
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| AppError::Internal(format!("demo client {name} missing")))
}

impl App {
    /// Riverside's courses: one per protocol, in every phase.
    pub(super) async fn demo_riverside_courses(
        &self,
        clinic: ClinicId,
        clients: &[DemoClient],
    ) -> AppResult<()> {
        self.demo_grief(clinic, find(clients, "R. Hughes")?).await?;
        self.demo_transition(clinic, find(clients, "Maya P.")?)
            .await?;
        self.demo_ipc(clinic, find(clients, "Daniel K.")?).await?;
        self.demo_dit(clinic, find(clients, "J. Ortega")?).await?;
        self.demo_adolescent(clinic, find(clients, "Sam W.")?)
            .await?;
        self.demo_perinatal(clinic, find(clients, "Ines L.")?)
            .await?;
        self.demo_maintenance(clinic, find(clients, "Owen T.")?)
            .await?;
        self.demo_ipsrt(clinic, find(clients, "Nadia F.")?).await?;
        self.demo_group(clinic, find(clients, "Group member A. B.")?)
            .await?;
        Ok(())
    }

    /// Standard IPT, grief, in the middle phase: a full inventory, a death before onset on the
    /// timeline, the formulation agreed, seven sessions held with signed notes, PHQ-9 and GAD-7.
    async fn demo_grief(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "ipt", None, 7).await?;
        let mut martin = person(
            "Martin",
            RelationshipType::Partner,
            PersonStatus::Deceased,
            Some(1),
        );
        martin.time_together = "Thirty-one years married; walks with the dog every evening".into();
        martin.what_they_are_like =
            "Steady, dry sense of humour, did the worrying for both of them".into();
        martin.what_i_like = "He made her laugh; she never had to explain herself to him".into();
        martin.what_i_dislike = "He would not go to the doctor about his chest".into();
        martin.topics_i_cannot_talk_about =
            "The last morning, when she was out at the shops".into();
        martin.feelings = vec!["missed".into(), "angry at times".into(), "guilty".into()];
        martin.support.types = [SupportType::Emotional, SupportType::Companionship]
            .into_iter()
            .collect();
        martin.support.rating = score(9);
        martin.satisfaction = score(8);
        martin.change_around_onset.changed = true;
        martin.change_around_onset.date = c.day(20).parse().ok();
        martin.change_around_onset.description = "Died suddenly of a heart attack".into();
        martin.linked_problem_area = Some("grief".into());
        let martin = c.add(martin).await?;
        let mut ellie = person(
            "Ellie",
            RelationshipType::Child,
            PersonStatus::Current,
            Some(1),
        );
        ellie.contact = Some(ContactFrequency::Weekly);
        ellie.what_they_are_like = "Practical, rings every Sunday, has two small children".into();
        ellie.topics_i_can_talk_about = "The grandchildren, the house, money".into();
        ellie.topics_i_cannot_talk_about = "Her dad: they both change the subject".into();
        ellie.knows_how_i_feel = Some(YesNoPartly::Partly);
        ellie.support.types = [SupportType::Practical].into_iter().collect();
        ellie.support.rating = score(7);
        ellie.expectations.mine = "That she would talk about Martin with her".into();
        ellie.expectations.theirs = "That her mum is coping and does not need looking after".into();
        ellie.expectations.reciprocal = Some(YesNoPartly::Partly);
        ellie.changes_wanted = "To be able to cry in front of her".into();
        let ellie = c.add(ellie).await?;
        let mut tom = person(
            "Tom",
            RelationshipType::Child,
            PersonStatus::Current,
            Some(2),
        );
        tom.contact = Some(ContactFrequency::Monthly);
        tom.what_they_are_like = "Works abroad; messages more than he calls".into();
        tom.support.rating = score(5);
        c.add(tom).await?;
        let mut jean = person(
            "Jean",
            RelationshipType::Sibling,
            PersonStatus::Current,
            Some(2),
        );
        jean.contact = Some(ContactFrequency::Weekly);
        jean.conflict.frequency = Some(ConflictFrequency::Sometimes);
        jean.conflict.outcome = Some(ConflictOutcome::Dropped);
        jean.conflict.what_happens =
            "Jean says it is time to move on; she goes quiet and hangs up early".into();
        jean.support.rating = score(4);
        c.add(jean).await?;
        let mut pat = person(
            "Pat",
            RelationshipType::Friend,
            PersonStatus::Current,
            Some(3),
        );
        pat.contact = Some(ContactFrequency::Rarely);
        pat.time_together = "Sang side by side in the community choir for eleven years".into();
        pat.changes_wanted = "To go back to choir with her".into();
        pat.change_around_onset.changed = true;
        pat.change_around_onset.description = "Stopped going to choir after the funeral".into();
        pat.support.rating = score(6);
        let pat = c.add(pat).await?;
        let mut biscuit = person(
            "Biscuit",
            RelationshipType::Pet,
            PersonStatus::Current,
            Some(1),
        );
        biscuit.notes = "The dog; the reason she still goes out every evening".into();
        c.add(biscuit).await?;
        c.add(person(
            "Dr Osei",
            RelationshipType::Professional,
            PersonStatus::Current,
            Some(3),
        ))
        .await?;
        c.event(
            "2023",
            LifeEventKind::Retirement,
            vec![martin],
            "Martin retired",
            4,
        )
        .await?;
        c.event(
            &c.day(20),
            LifeEventKind::Death,
            vec![martin],
            "Martin died suddenly at home",
            10,
        )
        .await?;
        c.event(
            &c.month(16),
            LifeEventKind::Other,
            vec![pat],
            "Stopped going to choir",
            6,
        )
        .await?;
        c.onset(
            &c.month(14),
            "Stopped sleeping through; lost interest in everything",
        )
        .await?;
        c.mood(&c.month(14), 2, "Everything flat").await?;
        c.mood(&c.day(4), 4, "A better week; walked with Ellie")
            .await?;
        c.mood(&c.day(1), 5, "").await?;

        let texts_initial = [
            (
                "symptoms",
                "Low mood most days since Martin died, waking at four, not eating much, lost interest in choir and the garden.",
            ),
            (
                "diagnosis",
                "Moderate depressive episode named and explained as a common illness that responds to treatment.",
            ),
            (
                "psychoeducation",
                "Talked about grief and depression overlapping, and what the sessions will be like.",
            ),
            (
                "sick-role",
                "Agreed she can let some things go for now while she works on getting better.",
            ),
            (
                "medication",
                "Discussed; she prefers to try therapy first. Will look again at mid-course with her GP.",
            ),
            (
                "inventory",
                "Went through the important people; Martin, Ellie and the choir stand out.",
            ),
            (
                "focus",
                "Grief for Martin looks central; to be agreed next session.",
            ),
            (
                "plan",
                "Timeline of the months around Martin's death next time.",
            ),
        ];
        let texts_middle = [
            (
                "since-last",
                "She walked with Ellie on Sunday and, for the first time, mentioned Martin's name without changing the subject.",
            ),
            (
                "mood-events",
                "Mood lifted after the walk; dipped on Thursday, the day they used to shop together.",
            ),
            (
                "strategy",
                "Reviewed the relationship with Martin, the good years and his stubbornness about his health. Some anger came up and she let it stay.",
            ),
            (
                "between-sessions",
                "Look through the photo box with Ellie if it feels right.",
            ),
            ("goals", "Choir: rang Pat and asked about the autumn term."),
            ("plan", "Carry on with the story of the last day."),
        ];
        let mut sessions = Vec::new();
        for n in 1..=7u32 {
            sessions.push(c.hold(n, 8 - i64::from(n)).await?);
        }
        let phq = [18, 17, 17, 15, 14, 12, 11];
        for (k, s) in sessions.iter().enumerate() {
            let item9 = i64::from(k == 0);
            let rec = c
                .measure("phq9", phq9_answers(phq[k], item9), Some(s), 0)
                .await?;
            if let Some(alert) = rec.alert {
                self.acknowledge_alert(
                    &c.ctx,
                    alert,
                    "Talked it through in session 1: fleeting thoughts that it would be easier not to wake up, since Martin died; no plan or intent. Safety plan started together; she agreed to her GP being told.",
                )
                .await?;
            }
        }
        c.measure("gad7", numbered(7, 11), Some(&sessions[0]), 0)
            .await?;
        c.measure("gad7", numbered(7, 9), Some(&sessions[3]), 0)
            .await?;
        c.measure("wsas", wsas([5, 4, 6, 5, 4]), Some(&sessions[0]), 0)
            .await?;
        c.intake(Intake {
            medication: Some(MedicationAssessment {
                need: MedicationNeed::ToConsider,
                referral: ReferralDecision::ClientDeclined,
                notes: "Would rather try therapy first; to be reviewed with her GP at mid-course."
                    .into(),
            }),
            ..intake(
                "F32.1",
                "Moderate depressive episode",
                sessions[0].date().unwrap_or(c.now.date()),
                false,
            )
        })
        .await?;
        c.snapshot(SnapshotLabel::Intake).await?;
        c.formulation(
            Formulation {
                narrative_for_client: "Since Martin died so suddenly, you have been carrying the loss mostly on your own, and the depression has made it harder to reach the people and things that used to hold you up. Depression is an illness, not a failing, and it can lift. Over the next sessions we will look at your life with Martin, the hard parts and the good ones, talk about the feelings that have been hard to say, and find your way back to Ellie, the choir and the things you care about.".into(),
                clinician_formulation: "Moderate depressive episode beginning six weeks after the sudden death of her husband; avoidance of grief (stopped choir, does not speak of him with her daughter); good premorbid functioning and supports that can be re-engaged. Grief as the focus.".into(),
                social: "Lives alone with the dog; daughter nearby, son abroad; community choir.".into(),
                areas: vec![area(
                    "grief",
                    "Onset six weeks after Martin's sudden death; she avoids talking about him and has pulled back from choir.",
                    None,
                )],
                ..Formulation::default()
            },
            3,
            5,
        )
        .await?;
        c.contract(
            ContractLength::Sessions(16),
            Frequency::Weekly,
            Some(9),
            "Grieving Martin, and finding her way back to Ellie, the choir and the things she cares about",
            vec![ParticipantRole::Client],
            3,
        )
        .await?;
        c.goal(
            "Talk about Martin with Ellie without changing the subject",
            Some("grief"),
            vec![ellie],
            GoalStatus::Active,
            "",
        )
        .await?;
        c.goal(
            "Go back to choir at least twice a month",
            Some("grief"),
            vec![pat],
            GoalStatus::Active,
            "",
        )
        .await?;
        for (k, s) in sessions.iter().enumerate() {
            let mood = [2, 3, 3, 4, 4, 5, 5][k];
            if s.phase.as_deref() == Some("initial") {
                c.note(s, None, &texts_initial, mood).await?;
            } else {
                c.note(s, Some(FocusArea::Grief), &texts_middle, mood)
                    .await?;
            }
        }
        c.schedule(8, 2).await?;
        Ok(())
    }

    /// Brief IPT, a role transition, in termination: the ending raised, snapshots at intake
    /// and now, goals reviewed.
    async fn demo_transition(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "ipt-b", None, 7).await?;
        let jordan = c
            .add({
                let mut p = person(
                    "Jordan",
                    RelationshipType::Partner,
                    PersonStatus::Current,
                    Some(1),
                );
                p.support.rating = score(7);
                p.contact = Some(ContactFrequency::Daily);
                p
            })
            .await?;
        let leah = c
            .add({
                let mut p = person(
                    "Leah",
                    RelationshipType::Friend,
                    PersonStatus::Current,
                    Some(1),
                );
                p.contact = Some(ContactFrequency::Rarely);
                p.what_i_like = "Known each other since school; no need to pretend".into();
                p.change_around_onset.changed = true;
                p.change_around_onset.description =
                    "Left behind in the home town after the move".into();
                p.support.rating = score(8);
                p
            })
            .await?;
        c.add({
            let mut p = person(
                "Mum",
                RelationshipType::Parent,
                PersonStatus::Current,
                Some(2),
            );
            p.contact = Some(ContactFrequency::Weekly);
            p
        })
        .await?;
        let claire = c
            .add({
                let mut p = person(
                    "Claire",
                    RelationshipType::Manager,
                    PersonStatus::Current,
                    Some(3),
                );
                p.conflict.frequency = Some(ConflictFrequency::Rarely);
                p.expectations.theirs = "That she leads the team without needing help".into();
                p
            })
            .await?;
        c.event(
            &c.month(32),
            LifeEventKind::Move,
            vec![jordan],
            "Moved to the city for the new job",
            7,
        )
        .await?;
        c.event(
            &c.month(31),
            LifeEventKind::JobChange,
            vec![claire],
            "Started as team lead",
            8,
        )
        .await?;
        c.onset(&c.month(24), "Tearful most evenings; dreading work")
            .await?;
        c.snapshot(SnapshotLabel::Intake).await?;
        let mut sessions = Vec::new();
        for n in 1..=7u32 {
            sessions.push(c.hold(n, 8 - i64::from(n)).await?);
        }
        for (k, total) in [(0usize, 14), (2, 11), (4, 8), (6, 6)] {
            c.measure("phq9", phq9_answers(total, 0), Some(&sessions[k]), 0)
                .await?;
        }
        c.measure("gad7", numbered(7, 12), Some(&sessions[0]), 0)
            .await?;
        c.measure("wsas", wsas([4, 3, 5, 4, 3]), Some(&sessions[0]), 0)
            .await?;
        c.intake(intake(
            "F32.0",
            "Mild depressive episode",
            sessions[0].date().unwrap_or(c.now.date()),
            false,
        ))
        .await?;
        c.formulation(
            Formulation {
                narrative_for_client: "The move and the new job were a step you wanted, and they also took away the friends and routines that kept you well. Low mood is a common response to a big change like this, and it can lift. Together we will look at what you left behind and what the new life offers, and how to build support here.".into(),
                areas: vec![area(
                    "transition",
                    "Onset two months after moving city for a promotion; the old role and friendships are missed and the new role feels lonely.",
                    None,
                )],
                ..Formulation::default()
            },
            2,
            6,
        )
        .await?;
        c.contract(
            ContractLength::Sessions(8),
            Frequency::Weekly,
            Some(1),
            "Settling into the new city and the new role",
            vec![ParticipantRole::Client],
            2,
        )
        .await?;
        c.goal(
            "Build two friendships in the new city",
            Some("transition"),
            vec![],
            GoalStatus::Partly,
            "Coffee with Ravi from the team most weeks; a running group on Saturdays.",
        )
        .await?;
        c.goal(
            "Keep a weekly video call with Leah",
            Some("transition"),
            vec![leah],
            GoalStatus::Achieved,
            "Every Wednesday since session 3.",
        )
        .await?;
        // At the end: Leah a little further, a new friend close, the manager easier.
        c.update_person(leah, |p| p.ring = Ring::new(2).ok())
            .await?;
        c.add({
            let mut p = person(
                "Ravi",
                RelationshipType::Colleague,
                PersonStatus::Current,
                Some(2),
            );
            p.support.rating = score(6);
            p.what_i_like = "Easy to talk to; also new to the city".into();
            p
        })
        .await?;
        c.update_person(claire, |p| {
            p.conflict.frequency = Some(ConflictFrequency::Never)
        })
        .await?;
        c.snapshot(SnapshotLabel::Termination).await?;
        let course = self.course(&c.ctx, c.course).await?;
        self.record_ending_raised(&c.ctx, c.course, 5, course.version)
            .await?;
        let texts = [
            (
                "since-last",
                "A good week: Saturday run with the group and a long call with Leah.",
            ),
            (
                "ending",
                "Talked about the last session next week and what it means to finish; some sadness and some pride.",
            ),
            ("symptom-change", "PHQ-9 from 14 at the start to 6 now."),
            (
                "gains",
                "She credits herself with saying yes to invitations she would have turned down.",
            ),
            (
                "feelings",
                "Worried she will slip back in winter; named that as a warning sign to watch.",
            ),
            (
                "relapse-plan",
                "Early signs: staying late at work, skipping the run, not answering Leah.",
            ),
        ];
        c.note(&sessions[6], None, &texts, 7).await?;
        c.schedule(8, 3).await?;
        Ok(())
    }

    /// Interpersonal counselling, a dispute with a brother, in the middle phase.
    async fn demo_ipc(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self
            .demo_open(who, clinic, "ipc", Some(ContractLength::Sessions(4)), 2)
            .await?;
        let brother = c
            .add({
                let mut p = person(
                    "Chris",
                    RelationshipType::Sibling,
                    PersonStatus::Current,
                    Some(2),
                );
                p.conflict.frequency = Some(ConflictFrequency::Often);
                p.conflict.outcome = Some(ConflictOutcome::Ongoing);
                p.expectations.mine = "That Chris does his share of their father's care".into();
                p.expectations.theirs = "That Daniel, living closer, does the visits".into();
                p.expectations.reciprocal = Some(YesNoPartly::No);
                p
            })
            .await?;
        let dad = c
            .add(person(
                "Dad",
                RelationshipType::Parent,
                PersonStatus::Current,
                Some(1),
            ))
            .await?;
        c.event(
            &c.month(12),
            LifeEventKind::Illness,
            vec![dad],
            "Dad's stroke",
            9,
        )
        .await?;
        c.event(
            &c.month(10),
            LifeEventKind::Conflict,
            vec![brother],
            "Row with Chris about the care rota",
            7,
        )
        .await?;
        c.onset(&c.month(9), "Irritable, sleeping badly").await?;
        let s1 = c.hold(1, 2).await?;
        let s2 = c.hold(2, 1).await?;
        c.measure("phq9", phq9_answers(12, 0), Some(&s1), 0).await?;
        c.measure("phq9", phq9_answers(10, 0), Some(&s2), 0).await?;
        c.formulation(
            Formulation {
                narrative_for_client: "Looking after your dad since his stroke has brought out a real disagreement with Chris about who does what. The strain of it shows in your mood and sleep. We will look at what each of you expects and how to talk about it.".into(),
                areas: vec![area(
                    "dispute",
                    "Open, repeated disagreement with his brother over their father's care since the stroke.",
                    Some(DisputeStage::Renegotiation),
                )],
                ..Formulation::default()
            },
            1,
            2,
        )
        .await?;
        c.contract(
            ContractLength::Sessions(4),
            Frequency::Weekly,
            Some(2),
            "Sharing Dad's care with Chris",
            vec![ParticipantRole::Client],
            1,
        )
        .await?;
        c.schedule(3, 4).await?;
        Ok(())
    }

    /// Dynamic interpersonal therapy with its IPAF, in the middle phase.
    async fn demo_dit(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "dit", None, 6).await?;
        c.add({
            let mut p = person(
                "Father",
                RelationshipType::Parent,
                PersonStatus::Past,
                Some(3),
            );
            p.past_pattern = "Left when Javier was nine; visits stopped without explanation".into();
            p.origin_of_pattern = true;
            p
        })
        .await?;
        let ana = c
            .add({
                let mut p = person(
                    "Ana",
                    RelationshipType::Partner,
                    PersonStatus::Current,
                    Some(1),
                );
                p.expectations.mine = "That she says when something is wrong".into();
                p.expectations.theirs = "That he notices without being told".into();
                p.expectations.reciprocal = Some(YesNoPartly::Partly);
                p.past_pattern =
                    "When she is busy he assumes she is losing interest and withdraws".into();
                p
            })
            .await?;
        c.add(person(
            "Marco",
            RelationshipType::Friend,
            PersonStatus::Current,
            Some(2),
        ))
        .await?;
        c.event(
            &c.month(14),
            LifeEventKind::JobLoss,
            vec![],
            "Made redundant",
            7,
        )
        .await?;
        c.event(
            &c.month(11),
            LifeEventKind::Other,
            vec![ana],
            "Ana started night shifts",
            6,
        )
        .await?;
        c.onset(&c.month(10), "Low, anxious, avoiding friends")
            .await?;
        let mut sessions = Vec::new();
        for n in 1..=6u32 {
            sessions.push(c.hold(n, 7 - i64::from(n)).await?);
        }
        for (k, total) in [(0usize, 16), (2, 15), (4, 12), (5, 11)] {
            c.measure("phq9", phq9_answers(total, 0), Some(&sessions[k]), 0)
                .await?;
            c.measure("gad7", numbered(7, total - 3), Some(&sessions[k]), 0)
                .await?;
        }
        c.formulation(
            Formulation {
                narrative_for_client: "When someone close seems to pull away, you expect to be left and you step back first, to be safe. Then you feel alone and low. We will watch for this pattern as it happens, with Ana and here, and look at what you feel and what others may really mean.".into(),
                ipaf: Some(IpafFocus {
                    summary: "When someone close seems distant, he expects to be abandoned and withdraws first".into(),
                    self_view: "Not worth staying for".into(),
                    other_view: "About to leave without warning".into(),
                    affect: "Fear, covered by coolness".into(),
                    defence: "Withdrawing before he can be left".into(),
                    agreed_at_session: 4,
                }),
                ..Formulation::default()
            },
            4,
            2,
        )
        .await?;
        c.contract(
            ContractLength::Sessions(16),
            Frequency::Weekly,
            Some(10),
            "The pattern of stepping back when someone close seems distant",
            vec![ParticipantRole::Client],
            4,
        )
        .await?;
        let texts = [
            (
                "since-last",
                "Ana came home late twice; he noticed himself going quiet and cold.",
            ),
            (
                "ipaf-work",
                "Traced the moment: her tired face, his thought that she is bored of him, the urge to leave the room.",
            ),
            (
                "symptoms",
                "Low and anxious since the redundancy; avoiding friends.",
            ),
            (
                "ipaf",
                "A first version of the pattern: expecting to be left, withdrawing first.",
            ),
        ];
        for s in &sessions[4..] {
            let area = (s.phase.as_deref() != Some("initial")).then_some(FocusArea::Ipaf);
            c.note(s, area, &texts, 5).await?;
        }
        Ok(())
    }

    /// IPT for adolescents, in the initial phase, with a parent taking part.
    async fn demo_adolescent(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "ipt-a", None, 2).await?;
        let mum = c
            .add({
                let mut p = person(
                    "Karen (Mum)",
                    RelationshipType::Parent,
                    PersonStatus::Current,
                    Some(1),
                );
                p.contact = Some(ContactFrequency::Daily);
                p.support.rating = score(7);
                p
            })
            .await?;
        let dad = c
            .add({
                let mut p = person(
                    "Dad",
                    RelationshipType::Parent,
                    PersonStatus::Current,
                    Some(2),
                );
                p.contact = Some(ContactFrequency::Weekly);
                p.conflict.frequency = Some(ConflictFrequency::Often);
                p.conflict.what_happens =
                    "Arguments about school on weekend visits; Sam shuts the door".into();
                p
            })
            .await?;
        c.add({
            let mut p = person("Jas", RelationshipType::Friend, PersonStatus::Past, Some(3));
            p.change_around_onset.changed = true;
            p.change_around_onset.description =
                "Best friend at the old school; lost touch after the move".into();
            p
        })
        .await?;
        c.event(
            &c.month(40),
            LifeEventKind::Separation,
            vec![mum, dad],
            "Parents separated",
            8,
        )
        .await?;
        c.event(
            &c.month(30),
            LifeEventKind::SchoolChange,
            vec![],
            "Moved to a new school",
            7,
        )
        .await?;
        c.onset(&c.month(26), "Stopped seeing friends, grades dropped")
            .await?;
        let s1 = c.hold(1, 2).await?;
        let s2 = c.hold(2, 1).await?;
        let mut answers = phq9_answers(13, 0);
        for item in ["past-year", "serious-thoughts", "attempt-ever"] {
            answers.push((item.into(), 0));
        }
        answers.push(("difficulty".into(), 1));
        c.measure("phqa", answers, Some(&s1), 0).await?;
        c.measure("mood", vec![("mood".into(), 4)], Some(&s1), 0)
            .await?;
        c.measure("mood", vec![("mood".into(), 5)], Some(&s2), 0)
            .await?;
        c.intake(intake(
            "F32.1",
            "Moderate depressive episode",
            s1.date().unwrap_or(c.now.date()),
            true,
        ))
        .await?;
        c.schedule(3, 5).await?;
        Ok(())
    }

    /// Partner-assisted perinatal IPT with EPDS scores (the questions' wording comes from a
    /// licensed clinic; only the scores are kept here).
    async fn demo_perinatal(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "pa-ipt", None, 3).await?;
        let dario = c
            .add({
                let mut p = person(
                    "Dario",
                    RelationshipType::Partner,
                    PersonStatus::Current,
                    Some(1),
                );
                p.expectations.mine = "That night feeds are shared".into();
                p.expectations.theirs = "That she asks when she needs help".into();
                p.expectations.reciprocal = Some(YesNoPartly::Partly);
                p.conflict.frequency = Some(ConflictFrequency::Sometimes);
                p
            })
            .await?;
        let nico = c
            .add(person(
                "Nico (baby)",
                RelationshipType::Child,
                PersonStatus::Current,
                Some(1),
            ))
            .await?;
        c.event(
            &c.month(17),
            LifeEventKind::BirthOrPregnancy,
            vec![nico, dario],
            "Nico was born",
            9,
        )
        .await?;
        c.onset(&c.month(12), "Tearful, exhausted, feeling she is failing")
            .await?;
        let mut sessions = Vec::new();
        for n in 1..=3u32 {
            sessions.push(c.hold(n, 4 - i64::from(n)).await?);
        }
        for (s, total) in sessions.iter().zip([16, 14, 12]) {
            c.measure("epds", epds(total), Some(s), 0).await?;
        }
        c.formulation(
            Formulation {
                narrative_for_client: "Becoming parents to Nico has changed a great deal for you both, and the low mood that followed is common and treatable. Together, with Dario here, we will look at how the new roles are shared and how you can support each other.".into(),
                areas: vec![area(
                    "transition",
                    "Onset in the months after the birth; both are adjusting to new roles and the share of night care.",
                    None,
                )],
                ..Formulation::default()
            },
            2,
            1,
        )
        .await?;
        c.contract(
            ContractLength::Sessions(8),
            Frequency::Weekly,
            Some(5),
            "Becoming parents together",
            vec![ParticipantRole::Client, ParticipantRole::Partner],
            2,
        )
        .await?;
        Ok(())
    }

    /// Maintenance IPT, monthly, in its maintenance phase.
    async fn demo_maintenance(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "ipt-m", None, 17).await?;
        c.add({
            let mut p = person(
                "Sheila",
                RelationshipType::Partner,
                PersonStatus::Current,
                Some(1),
            );
            p.support.rating = score(8);
            p
        })
        .await?;
        c.add(person(
            "Allotment group",
            RelationshipType::Other,
            PersonStatus::Current,
            Some(2),
        ))
        .await?;
        c.event(
            "2024",
            LifeEventKind::Retirement,
            vec![],
            "Retired from the railway",
            8,
        )
        .await?;
        c.onset(
            "2024",
            "Depression after retiring; treated with 16 sessions of IPT",
        )
        .await?;
        let mut sessions = Vec::new();
        for (n, w) in [(1u32, 16i64), (2, 12), (3, 8), (4, 4)] {
            sessions.push(c.hold(n, w).await?);
        }
        for (s, total) in sessions.iter().zip([6, 5, 7, 4]) {
            c.measure("phq9", phq9_answers(total, 0), Some(s), 0)
                .await?;
        }
        c.measure("wsas", wsas([0, 2, 2, 1, 1]), Some(&sessions[0]), 0)
            .await?;
        c.formulation(
            Formulation {
                narrative_for_client: "You came through a depression after retiring by building a new routine and new company. These monthly sessions are to keep that going and to spot early signs if things start to slip.".into(),
                areas: vec![area(
                    "transition",
                    "Maintenance of gains made on the retirement transition; watch for loss of structure.",
                    None,
                )],
                ..Formulation::default()
            },
            1,
            16,
        )
        .await?;
        c.contract(
            ContractLength::Sessions(12),
            Frequency::Monthly,
            None,
            "Keeping well after retirement",
            vec![ParticipantRole::Client],
            1,
        )
        .await?;
        let texts = [
            (
                "since-last",
                "A steady month; the allotment and the grandchildren on Wednesdays.",
            ),
            (
                "warning-signs",
                "Staying in bed past nine and not going to the allotment: his early signs.",
            ),
        ];
        c.note(&sessions[3], Some(FocusArea::Transition), &texts, 7)
            .await?;
        c.schedule(5, 24).await?;
        Ok(())
    }

    /// Interpersonal and social rhythm therapy with weeks of the SRM-5 diary.
    async fn demo_ipsrt(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "ipsrt", None, 6).await?;
        c.add({
            let mut p = person(
                "Omar",
                RelationshipType::Partner,
                PersonStatus::Current,
                Some(1),
            );
            p.support.rating = score(8);
            p
        })
        .await?;
        c.event(
            "2021",
            LifeEventKind::Illness,
            vec![],
            "Diagnosed with bipolar II",
            9,
        )
        .await?;
        c.event(
            &c.month(12),
            LifeEventKind::JobChange,
            vec![],
            "Started rotating shifts at the hospital",
            7,
        )
        .await?;
        self.add_mood_episode(
            &c.ctx,
            c.client,
            &MoodEpisode {
                kind: kith_domain::timeline::EpisodeKind::Hypomanic,
                start: "2021"
                    .parse()
                    .map_err(|_| AppError::Internal("date".into()))?,
                end: "2021".parse().ok(),
                severity: "moderate".into(),
                treatment: "Mood stabiliser started".into(),
            },
            None,
        )
        .await?;
        c.onset(&c.month(9), "Depressive episode after months of shift work")
            .await?;
        let mut sessions = Vec::new();
        for n in 1..=6u32 {
            sessions.push(c.hold(n, 7 - i64::from(n)).await?);
        }
        // Weekly SRM-5 diaries: rhythms settling as the weeks go by.
        for (k, s) in sessions.iter().enumerate() {
            let start = s.held_at.map(|t| t.date()).unwrap_or(c.now.date()) - Duration::days(7);
            let drift = 6 - k as i64; // minutes of wander, in tens
            let days: Vec<DiaryDay> = (0..7)
                .map(|d| {
                    let wobble = ((d * 37) % 7 - 3) * drift * 5;
                    let at = |h: i64, m: i64| {
                        let total = (h * 60 + m + wobble).clamp(5 * 60, 23 * 60);
                        Time::from_hms((total / 60) as u8, (total % 60) as u8, 0)
                            .unwrap_or(Time::MIDNIGHT)
                    };
                    DiaryDay {
                        date: start + Duration::days(d),
                        mood: if k < 2 { -2 } else { -1 + (d % 2) },
                        activities: [
                            ("out-of-bed", at(7, 0)),
                            ("first-contact", at(7, 30)),
                            ("start-day", at(9, 0)),
                            ("dinner", at(18, 30)),
                            ("to-bed", at(22, 30)),
                        ]
                        .iter()
                        .map(|(item, t)| ActivityEntry {
                            item: (*item).to_string(),
                            done: Some(DoneAt { at: *t, people: 1 }),
                        })
                        .collect(),
                    }
                })
                .collect();
            self.record_measure(
                &c.ctx,
                c.client,
                MeasureInput {
                    instrument: "srm5".into(),
                    answers: MeasureAnswers::Diary(days),
                    taken_at: s.held_at.unwrap_or(c.now),
                    course: Some(c.course),
                    session: Some(s.id),
                    language: Locale::En,
                    mode: AdministrationMode::ClinicianEntered,
                },
                None,
            )
            .await?;
            c.measure("mood", vec![("mood".into(), 3 + k as i64 / 2)], Some(s), 0)
                .await?;
        }
        c.measure("phq9", phq9_answers(15, 0), Some(&sessions[0]), 0)
            .await?;
        c.measure("phq9", phq9_answers(11, 0), Some(&sessions[3]), 0)
            .await?;
        c.formulation(
            Formulation {
                narrative_for_client: "Rotating shifts broke up your sleep and your days, and with bipolar disorder that kind of disruption can bring on an episode. You have also been grieving the person you were before the diagnosis. We will steady your daily rhythms and make room for that loss.".into(),
                areas: vec![area(
                    "lost-healthy-self",
                    "Speaks often of who she was before the diagnosis; rhythms disrupted by shift work.",
                    None,
                )],
                ..Formulation::default()
            },
            4,
            2,
        )
        .await?;
        c.contract(
            ContractLength::Sessions(24),
            Frequency::Weekly,
            Some(18),
            "Steadier daily rhythms, and the loss of the healthy self",
            vec![ParticipantRole::Client],
            4,
        )
        .await?;
        Ok(())
    }

    /// WHO group IPT: a member after the individual pre-group meeting.
    async fn demo_group(&self, clinic: ClinicId, who: &DemoClient) -> AppResult<()> {
        let c = self.demo_open(who, clinic, "ipt-g", None, 1).await?;
        c.add({
            let mut p = person(
                "Neighbour Rose",
                RelationshipType::Neighbour,
                PersonStatus::Current,
                Some(3),
            );
            p.contact = Some(ContactFrequency::Rarely);
            p
        })
        .await?;
        c.add(person(
            "Sister in Lagos",
            RelationshipType::Sibling,
            PersonStatus::Current,
            Some(2),
        ))
        .await?;
        c.onset(&c.month(20), "Lonely and low since moving here")
            .await?;
        let pre = c.hold(0, 1).await?;
        c.measure("phq9", phq9_answers(13, 0), Some(&pre), 0)
            .await?;
        c.formulation(
            Formulation {
                narrative_for_client: "Since you moved here you have had few people around you, and the loneliness has worn your mood down. In the group we will work on meeting people and keeping in touch.".into(),
                areas: vec![area(
                    "deficits",
                    "Few close people since the move; no death, dispute or recent change found.",
                    None,
                )],
                ..Formulation::default()
            },
            0,
            1,
        )
        .await?;
        let texts = [
            (
                "symptoms",
                "PHQ-9 13: low mood, poor sleep, little interest; lonely since moving.",
            ),
            ("focus", "Loneliness and isolation, in the group's words."),
            (
                "concerns",
                "Worried about speaking in a group; agreed she can listen at first.",
            ),
        ];
        c.note(&pre, None, &texts, 4).await?;
        c.schedule(1, 6).await?;
        Ok(())
    }

    /// Hillside's course, in Spanish: standard IPT in the initial phase.
    pub(super) async fn demo_hillside_courses(
        &self,
        clinic: ClinicId,
        clients: &[DemoClient],
    ) -> AppResult<()> {
        let who = find(clients, "C. Moreno")?;
        let c = self.demo_open(who, clinic, "ipt", None, 1).await?;
        let madre = c
            .add({
                let mut p = person(
                    "Madre",
                    RelationshipType::Parent,
                    PersonStatus::Current,
                    Some(1),
                );
                p.conflict.frequency = Some(ConflictFrequency::Often);
                p.expectations.mine = "Que respete sus decisiones".into();
                p.expectations.theirs = "Que vuelva a vivir cerca de la familia".into();
                p.expectations.reciprocal = Some(YesNoPartly::No);
                p
            })
            .await?;
        c.add(person(
            "Lucía",
            RelationshipType::Friend,
            PersonStatus::Current,
            Some(2),
        ))
        .await?;
        c.event(
            &c.month(10),
            LifeEventKind::Conflict,
            vec![madre],
            "Discusión fuerte con su madre por la mudanza",
            8,
        )
        .await?;
        c.onset(&c.month(8), "Tristeza y cansancio casi todos los días")
            .await?;
        let s1 = c.hold(1, 1).await?;
        c.measure("phq9", phq9_answers(15, 0), Some(&s1), 0).await?;
        c.measure("gad7", numbered(7, 10), Some(&s1), 0).await?;
        c.measure("wsas", wsas([4, 4, 5, 3, 6]), Some(&s1), 0)
            .await?;
        c.intake(Intake {
            concurrent_medication: vec![ConcurrentMedication {
                name: "Escitalopram".into(),
                dose: "10 mg".into(),
                prescriber: "Médica de familia".into(),
            }],
            medication: Some(MedicationAssessment {
                need: MedicationNeed::AlreadyTaking,
                referral: ReferralDecision::AlreadyPrescribed,
                notes: String::new(),
            }),
            ..intake(
                "F32.1",
                "Episodio depresivo moderado",
                s1.date().unwrap_or(c.now.date()),
                false,
            )
        })
        .await?;
        let texts = [
            (
                "symptoms",
                "Ánimo bajo casi todos los días desde hace unos dos meses; duerme mal y ha dejado de ver a sus amigas.",
            ),
            (
                "diagnosis",
                "Se nombra un episodio depresivo moderado y se explica como una enfermedad frecuente y tratable.",
            ),
            (
                "inventory",
                "Primeras personas del inventario: su madre y Lucía.",
            ),
        ];
        c.note(&s1, None, &texts, 3).await?;
        c.schedule(2, 5).await?;
        Ok(())
    }
}
