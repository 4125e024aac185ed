//! Identifiers. Each kind of record has its own id type so that a client id can never be passed where a
//! course id is expected. Ids are UUIDs (version 7 when Kith makes them); they name records, they are
//! not secrets.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                $name(u)
            }
        }
    )*};
}

id_type!(
    /// A person who signs in: staff or client.
    UserId,
    /// A clinic: the tenant boundary.
    ClinicId,
    /// A person receiving care in a clinic.
    ClientId,
    /// A course of treatment under one protocol.
    CourseId,
    /// A therapy session within a course.
    SessionId,
    /// An invitation link sent to a future member.
    InvitationId,
    /// A bearer token for the JSON API.
    ApiTokenId,
    /// A submitted questionnaire.
    SubmissionId,
    /// A safety alert.
    AlertId,
    /// A person in a client's interpersonal inventory.
    PersonId,
    /// An event on a client's timeline.
    EventId,
    /// A session note, process note or addendum.
    NoteId,
    /// A worksheet instance.
    WorksheetId,
    /// A treatment goal.
    GoalId,
    /// A safety plan (all its versions share the id).
    SafetyPlanId,
);
