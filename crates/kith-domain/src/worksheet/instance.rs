//! The fields every filled-in worksheet carries, whatever its kind: who and what it belongs to,
//! who made it, its status and visibility, a due date when it was set as a between-session task,
//! and the clinician's comment.

use super::FocusArea;
use super::definition::{FilledBy, Worksheet};
use super::values::{Completeness, ValueProblem, clean_text};
use crate::ids::{ClientId, CourseId, SessionId, WorksheetId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Longest clinician comment accepted, in characters.
pub const COMMENT_MAX: u32 = 4000;

/// Who started a worksheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Author {
    Client,
    Clinician,
}

impl Author {
    pub fn code(self) -> &'static str {
        match self {
            Author::Client => "client",
            Author::Clinician => "clinician",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorksheetStatus {
    /// Being filled in; required fields may still be empty.
    Draft,
    /// Finished by whoever filled it in.
    Complete,
    /// Looked at by the clinician (usually in session).
    Reviewed,
}

impl WorksheetStatus {
    pub fn code(self) -> &'static str {
        match self {
            WorksheetStatus::Draft => "draft",
            WorksheetStatus::Complete => "complete",
            WorksheetStatus::Reviewed => "reviewed",
        }
    }

    /// How complete the values must be in this status.
    pub fn completeness(self) -> Completeness {
        match self {
            WorksheetStatus::Draft => Completeness::Draft,
            WorksheetStatus::Complete | WorksheetStatus::Reviewed => Completeness::Complete,
        }
    }

    /// Whether `by` may move a worksheet from this status to `next`.
    ///
    /// Draft ⇄ complete by either side (a finished worksheet can be reopened); complete →
    /// reviewed only by the clinician, and reviewed → complete only by the clinician (to withdraw
    /// a review). Staying in the same status is always allowed. Nothing skips `complete`.
    pub fn may_move_to(self, next: WorksheetStatus, by: Author) -> bool {
        use WorksheetStatus::*;
        match (self, next) {
            (a, b) if a == b => true,
            (Draft, Complete) | (Complete, Draft) => true,
            (Complete, Reviewed) | (Reviewed, Complete) => by == Author::Clinician,
            _ => false,
        }
    }
}

/// Who may see a worksheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorksheetVisibility {
    /// The client sees it in their portal.
    #[default]
    Shared,
    /// Only the clinical team sees it.
    ClinicianPrivate,
}

/// The common fields of a worksheet instance. The values themselves are kept apart (as the JSON
/// of the submission) and checked with [`Worksheet::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorksheetCommon {
    pub id: WorksheetId,
    /// Id of the worksheet definition.
    pub worksheet: String,
    /// Version of the definition the values were filled in against.
    pub version: String,
    pub client_id: ClientId,
    pub course_id: CourseId,
    /// The session it was filled in or set in, if any.
    #[serde(default)]
    pub session_id: Option<SessionId>,
    #[serde(default)]
    pub problem_area: Option<FocusArea>,
    pub created_by: Author,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub status: WorksheetStatus,
    #[serde(default)]
    pub visibility: WorksheetVisibility,
    /// Set when the worksheet is a between-session task.
    #[serde(default)]
    pub due: Option<Date>,
    #[serde(default)]
    pub clinician_comment: Option<String>,
}

/// Why the common fields of a worksheet were refused. `code()` is the message key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum CommonProblem {
    /// The instance names another worksheet or another version than the definition given.
    WrongDefinition {
        expected: String,
        found: String,
    },
    /// This kind of worksheet is filled in by the other side only.
    AuthorNotAllowed {
        filled_by: FilledBy,
    },
    /// A due date on a worksheet that is not meant as a between-session task.
    NotATask,
    /// Work a client wrote cannot be hidden from that client.
    ClientWorkPrivate,
    UpdatedBeforeCreated,
    /// The clinician comment is too long or holds control characters.
    Comment {
        problem: ValueProblem,
    },
}

impl CommonProblem {
    pub fn code(&self) -> &'static str {
        match self {
            CommonProblem::WrongDefinition { .. } => "worksheet-wrong-definition",
            CommonProblem::AuthorNotAllowed { .. } => "worksheet-author-not-allowed",
            CommonProblem::NotATask => "worksheet-not-a-task",
            CommonProblem::ClientWorkPrivate => "worksheet-client-work-private",
            CommonProblem::UpdatedBeforeCreated => "worksheet-updated-before-created",
            CommonProblem::Comment { .. } => "worksheet-comment",
        }
    }
}

impl Worksheet {
    /// Checks an instance's common fields against this definition. Returns every problem.
    pub fn check_common(&self, common: &WorksheetCommon) -> Vec<CommonProblem> {
        let mut out = Vec::new();
        if common.worksheet != self.id() || common.version != self.version() {
            out.push(CommonProblem::WrongDefinition {
                expected: format!("{}@{}", self.id(), self.version()),
                found: format!("{}@{}", common.worksheet, common.version),
            });
        }
        let allowed = match self.filled_by() {
            FilledBy::Both => true,
            FilledBy::Client => common.created_by == Author::Client,
            FilledBy::Clinician => common.created_by == Author::Clinician,
        };
        if !allowed {
            out.push(CommonProblem::AuthorNotAllowed {
                filled_by: self.filled_by(),
            });
        }
        if common.due.is_some() && !self.def().between_session {
            out.push(CommonProblem::NotATask);
        }
        if common.created_by == Author::Client
            && common.visibility == WorksheetVisibility::ClinicianPrivate
        {
            out.push(CommonProblem::ClientWorkPrivate);
        }
        if common.updated_at < common.created_at {
            out.push(CommonProblem::UpdatedBeforeCreated);
        }
        if let Some(comment) = &common.clinician_comment
            && let Err(problem) = clean_text(comment, true, COMMENT_MAX)
        {
            out.push(CommonProblem::Comment { problem });
        }
        out
    }
}
