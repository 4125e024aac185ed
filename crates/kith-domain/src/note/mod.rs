//! Session-note templates as data: which sections a session note has, chosen by the kind of
//! phase and the problem area, and the checks of a note's content against its template.
//!
//! * [`template`]: the template format (TOML, see `docs/worksheet-format.md`), the
//!   [`NoteLibrary`] of shipped templates (a clinic may add or replace files), and the choice of
//!   a template with [`note_template`].
//! * [`content`]: checking a note's content (section id → value) with paths and codes, and
//!   reading which **protocol tasks** the note evidences.
//!
//! Protocol task ids are not defined here: protocol files name them, and a template's sections
//! and checklist items declare which of them they tick (`ticks = ["task-id"]`). A protocol task
//! that no template ticks is simply ticked by hand.

pub mod content;
pub mod template;

pub use content::{NoteContent, RiskCheck, RiskStatus, RiskUrgency, SectionValue, TaskEvidence};
pub use template::{
    BUILTIN_SOURCES, ChecklistItem, NoteLibrary, NoteTemplate, NoteTemplateDef, SectionDef,
    SectionKind, note_template,
};

use serde::{Deserialize, Serialize};

/// The kind of phase a session belongs to. Protocol files name their phases freely
/// (`initial`, `middle`, `ending`, `final`…); the caller maps each phase to one of these kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseKind {
    /// The individual meeting before a group starts (WHO group IPT).
    PreGroup,
    Initial,
    Middle,
    /// Termination, conclusion of acute treatment, or DIT's ending phase.
    Termination,
    /// Maintenance sessions (IPT-M, IPSRT maintenance).
    Maintenance,
}

impl PhaseKind {
    pub const ALL: [PhaseKind; 5] = [
        PhaseKind::PreGroup,
        PhaseKind::Initial,
        PhaseKind::Middle,
        PhaseKind::Termination,
        PhaseKind::Maintenance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PhaseKind::PreGroup => "pre-group",
            PhaseKind::Initial => "initial",
            PhaseKind::Middle => "middle",
            PhaseKind::Termination => "termination",
            PhaseKind::Maintenance => "maintenance",
        }
    }
}
