//! Worksheets as data: the technique and problem-area worksheets of IPT (communication analysis,
//! decision analysis, role play, dispute map, grief review…) described in TOML files, and the
//! checks that a filled-in worksheet matches its definition.
//!
//! * [`definition`]: the definition format, its checks, and the [`WorksheetLibrary`] of shipped
//!   kinds (a clinic may add its own files).
//! * [`values`]: checking submitted values (a JSON object) against a definition, every problem
//!   with its field path and code; the people and goals a worksheet links to.
//! * [`instance`]: the fields every worksheet instance carries (client, course, session, author,
//!   status, visibility, due date, clinician comment) and their rules.
//! * [`format`]: reading definition files; shared with session-note templates
//!   ([`crate::note`]).
//!
//! Rendering is not done here: the web layer builds forms from the definitions.

pub mod definition;
pub mod format;
pub mod instance;
pub mod values;

pub use definition::{
    Anchors, BUILTIN_SOURCES, ChoiceOption, FieldDef, FieldType, FilledBy, Serves, Worksheet,
    WorksheetDef, WorksheetLibrary,
};
pub use format::{FormatError, FormatProblem, IdStyle};
pub use instance::{Author, CommonProblem, WorksheetCommon, WorksheetStatus, WorksheetVisibility};
pub use values::{
    Completeness, Entry, FieldValue, Reference, Target, ValueError, ValueProblem, WorksheetValues,
    YesNoUnsure,
};

use serde::{Deserialize, Serialize};

/// The focus of a course that worksheets and note templates are chosen by: one of the IPT problem
/// areas, IPSRT's grief for the lost healthy self, or DIT's interpersonal-affective focus.
///
/// The codes match the problem-area kinds of protocol files; a clinic's own area has no entry
/// here and is treated as "no particular area".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FocusArea {
    Grief,
    Dispute,
    Transition,
    Deficits,
    LostHealthySelf,
    /// DIT's interpersonal-affective focus.
    Ipaf,
}

impl FocusArea {
    pub const ALL: [FocusArea; 6] = [
        FocusArea::Grief,
        FocusArea::Dispute,
        FocusArea::Transition,
        FocusArea::Deficits,
        FocusArea::LostHealthySelf,
        FocusArea::Ipaf,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FocusArea::Grief => "grief",
            FocusArea::Dispute => "dispute",
            FocusArea::Transition => "transition",
            FocusArea::Deficits => "deficits",
            FocusArea::LostHealthySelf => "lost-healthy-self",
            FocusArea::Ipaf => "ipaf",
        }
    }

    pub fn from_code(code: &str) -> Option<FocusArea> {
        FocusArea::ALL.into_iter().find(|a| a.code() == code)
    }
}
