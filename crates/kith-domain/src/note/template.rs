//! The session-note template format, its checks, the library of shipped templates, and the
//! choice of a template by phase kind and problem area.

use super::PhaseKind;
use crate::locale::Localized;
use crate::worksheet::FocusArea;
use crate::worksheet::definition::{Anchors, ChoiceOption, check_options};
use crate::worksheet::format::{Check, FormatError, FormatProblem, IdStyle, join, read_toml};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Longest answer to a text section when the template sets no `max_length`.
pub const TEXT_DEFAULT_MAX: u32 = 10_000;
const TEXT_LIMIT: u32 = 50_000;

/// A note template as written in its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteTemplateDef {
    /// Stable identifier, kebab-case: `middle-grief`.
    pub id: String,
    pub version: String,
    pub title: Localized,
    /// The kind of phase the template is for.
    pub phase: PhaseKind,
    /// The problem area (or DIT's IPAF) the template is for; none for the phase's general
    /// template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<FocusArea>,
    /// Another template of the same phase whose sections this one starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[serde(default)]
    pub sections: Vec<SectionDef>,
}

/// One section of a note. Which optional keys apply depends on `kind`; others are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    /// Stable identifier, kebab-case; it is the key of the section in note content.
    pub id: String,
    pub kind: SectionKind,
    pub label: Localized,
    /// A question or reminder shown with the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Localized>,
    /// Must be filled in before the note is signed.
    #[serde(default)]
    pub required: bool,
    /// Protocol task ids this section evidences when it is filled in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticks: Vec<String>,
    /// Text and risk-check sections: most characters of text accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Checklist sections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ChecklistItem>,
    /// Technique sections: the tags offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Mood-rating sections: the range (default 0 to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchors: Option<Anchors>,
    /// Worksheet sections: worksheet kinds to suggest (any worksheet may be linked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worksheets: Vec<String>,
    /// In a template that extends another: put this section right after the named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    /// Free text.
    Text,
    /// Protocol tasks to tick, each item naming the task ids it evidences.
    Checklist,
    /// Techniques used, several tags from the section's `options`.
    Techniques,
    /// Risk reviewed: a status and, when risk is identified, the actions taken.
    RiskCheck,
    /// A whole-number mood rating.
    MoodRating,
    /// Links to worksheet instances.
    Worksheets,
}

impl SectionKind {
    pub fn code(self) -> &'static str {
        match self {
            SectionKind::Text => "text",
            SectionKind::Checklist => "checklist",
            SectionKind::Techniques => "techniques",
            SectionKind::RiskCheck => "risk-check",
            SectionKind::MoodRating => "mood-rating",
            SectionKind::Worksheets => "worksheets",
        }
    }
}

/// One item of a checklist section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: String,
    pub label: Localized,
    /// Protocol task ids this item evidences when ticked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticks: Vec<String>,
}

impl SectionDef {
    /// Most characters of text accepted (text sections, and a risk check's actions).
    pub fn text_limit(&self) -> u32 {
        self.max_length.unwrap_or(TEXT_DEFAULT_MAX)
    }

    /// Range of a mood-rating section.
    pub fn bounds(&self) -> (i64, i64) {
        (self.min.unwrap_or(0), self.max.unwrap_or(10))
    }

    pub fn item(&self, id: &str) -> Option<&ChecklistItem> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn option(&self, id: &str) -> Option<&ChoiceOption> {
        self.options.iter().find(|o| o.id == id)
    }
}

/// A checked template with the sections it inherits already merged in.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteTemplate {
    id: String,
    version: String,
    title: Localized,
    phase: PhaseKind,
    area: Option<FocusArea>,
    extends: Option<String>,
    sections: Vec<SectionDef>,
}

impl NoteTemplate {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn title(&self) -> &Localized {
        &self.title
    }

    pub fn phase(&self) -> PhaseKind {
        self.phase
    }

    pub fn area(&self) -> Option<FocusArea> {
        self.area
    }

    /// The template this one was built from, if any.
    pub fn extends(&self) -> Option<&str> {
        self.extends.as_deref()
    }

    /// Sections in the order they are shown.
    pub fn sections(&self) -> &[SectionDef] {
        &self.sections
    }

    pub fn section(&self, id: &str) -> Option<&SectionDef> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// Every protocol task id any section or checklist item of this template can evidence.
    pub fn tickable_tasks(&self) -> BTreeSet<&str> {
        self.sections
            .iter()
            .flat_map(|s| {
                s.ticks
                    .iter()
                    .chain(s.items.iter().flat_map(|i| i.ticks.iter()))
            })
            .map(String::as_str)
            .collect()
    }

    /// Whether a path reported by content validation names something in this template: `.`, a
    /// section (`since-last`), an entry of a list section (`techniques[1]`) or a part of a risk
    /// check (`risk.status`, `risk.actions`).
    pub fn has_path(&self, path: &str) -> bool {
        if path == "." {
            return true;
        }
        let (head, rest) = match path.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (path, None),
        };
        let (name, indexed) = match head.split_once('[') {
            Some((name, idx)) => {
                let ok = idx
                    .strip_suffix(']')
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return false;
                }
                (name, true)
            }
            None => (head, false),
        };
        let Some(section) = self.section(name) else {
            return false;
        };
        let listed = matches!(
            section.kind,
            SectionKind::Checklist | SectionKind::Techniques | SectionKind::Worksheets
        );
        match (indexed, rest) {
            (false, None) => true,
            (true, None) => listed,
            (false, Some(part)) => {
                section.kind == SectionKind::RiskCheck
                    && matches!(part, "status" | "actions" | "urgency")
            }
            (true, Some(_)) => false,
        }
    }
}

/// Checks one template file on its own (what does not depend on other templates).
fn check_def(def: &NoteTemplateDef, c: &mut Check) {
    c.id("id", &def.id, IdStyle::Kebab);
    if def.version.trim().is_empty() {
        c.push("version", FormatProblem::Empty);
    }
    c.localized("title", &def.title);
    if def.extends.is_none() && def.sections.is_empty() {
        c.push("sections", FormatProblem::Empty);
    }
    let mut ids = BTreeSet::new();
    for (i, s) in def.sections.iter().enumerate() {
        let p = format!("sections[{i}]");
        if c.id(&join(&p, "id"), &s.id, IdStyle::Kebab) && !ids.insert(s.id.as_str()) {
            c.push(
                join(&p, "id"),
                FormatProblem::Duplicate { id: s.id.clone() },
            );
        }
        c.localized(&join(&p, "label"), &s.label);
        if let Some(prompt) = &s.prompt {
            c.localized(&join(&p, "prompt"), prompt);
        }
        if s.after.is_some() && def.extends.is_none() {
            c.push(join(&p, "after"), FormatProblem::AfterWithoutExtends);
        }
        check_ticks(&join(&p, "ticks"), &s.ticks, c);
        check_section_keys(&p, s, c);
    }
}

fn check_ticks(p: &str, ticks: &[String], c: &mut Check) {
    let mut seen = BTreeSet::new();
    for (j, t) in ticks.iter().enumerate() {
        let tp = format!("{p}[{j}]");
        if c.id(&tp, t, IdStyle::Kebab) && !seen.insert(t.as_str()) {
            c.push(tp, FormatProblem::Duplicate { id: t.clone() });
        }
    }
}

fn check_section_keys(p: &str, s: &SectionDef, c: &mut Check) {
    use SectionKind::*;
    let kind = s.kind.code();
    c.unused(
        p,
        "max_length",
        s.max_length.is_some() && !matches!(s.kind, Text | RiskCheck),
        kind,
    );
    c.unused(p, "items", !s.items.is_empty() && s.kind != Checklist, kind);
    c.unused(
        p,
        "options",
        !s.options.is_empty() && s.kind != Techniques,
        kind,
    );
    c.unused(p, "min", s.min.is_some() && s.kind != MoodRating, kind);
    c.unused(p, "max", s.max.is_some() && s.kind != MoodRating, kind);
    c.unused(
        p,
        "anchors",
        s.anchors.is_some() && s.kind != MoodRating,
        kind,
    );
    c.unused(
        p,
        "worksheets",
        !s.worksheets.is_empty() && s.kind != Worksheets,
        kind,
    );
    if let Some(m) = s.max_length
        && !(1..=TEXT_LIMIT).contains(&m)
    {
        c.push(
            join(p, "max_length"),
            FormatProblem::NumberOutOfBounds {
                min: 1,
                max: i64::from(TEXT_LIMIT),
            },
        );
    }
    match s.kind {
        Checklist => {
            if s.items.is_empty() {
                c.push(
                    join(p, "items"),
                    FormatProblem::KeyRequired {
                        kind: kind.to_string(),
                    },
                );
            }
            let mut ids = BTreeSet::new();
            for (j, item) in s.items.iter().enumerate() {
                let ip = format!("{p}.items[{j}]");
                if c.id(&join(&ip, "id"), &item.id, IdStyle::Kebab) && !ids.insert(item.id.as_str())
                {
                    c.push(
                        join(&ip, "id"),
                        FormatProblem::Duplicate {
                            id: item.id.clone(),
                        },
                    );
                }
                c.localized(&join(&ip, "label"), &item.label);
                check_ticks(&join(&ip, "ticks"), &item.ticks, c);
            }
        }
        Techniques => check_options(p, &s.options, kind, c),
        MoodRating => {
            let (min, max) = s.bounds();
            if min >= max {
                c.push(join(p, "max"), FormatProblem::EmptyRange { min, max });
            }
            if let Some(a) = &s.anchors {
                c.localized(&join(p, "anchors.low"), &a.low);
                c.localized(&join(p, "anchors.high"), &a.high);
            }
        }
        Worksheets => {
            let mut seen = BTreeSet::new();
            for (j, w) in s.worksheets.iter().enumerate() {
                let wp = format!("{p}.worksheets[{j}]");
                if c.id(&wp, w, IdStyle::Kebab) && !seen.insert(w.as_str()) {
                    c.push(wp, FormatProblem::Duplicate { id: w.clone() });
                }
            }
        }
        Text | RiskCheck => {}
    }
}

/// The shipped note templates, embedded in the binary.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("initial", include_str!("../../notes/initial.toml")),
    ("middle", include_str!("../../notes/middle.toml")),
    (
        "middle-grief",
        include_str!("../../notes/middle-grief.toml"),
    ),
    (
        "middle-dispute",
        include_str!("../../notes/middle-dispute.toml"),
    ),
    (
        "middle-transition",
        include_str!("../../notes/middle-transition.toml"),
    ),
    (
        "middle-deficits",
        include_str!("../../notes/middle-deficits.toml"),
    ),
    (
        "middle-lost-healthy-self",
        include_str!("../../notes/middle-lost-healthy-self.toml"),
    ),
    ("termination", include_str!("../../notes/termination.toml")),
    ("pre-group", include_str!("../../notes/pre-group.toml")),
    ("maintenance", include_str!("../../notes/maintenance.toml")),
    ("dit-initial", include_str!("../../notes/dit-initial.toml")),
    ("dit-middle", include_str!("../../notes/dit-middle.toml")),
    (
        "dit-termination",
        include_str!("../../notes/dit-termination.toml"),
    ),
];

/// Note templates by id, and the template chosen for each phase kind and problem area.
///
/// The library always holds a general template (without area) for every phase kind, so that
/// [`NoteLibrary::template_for`] always has an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteLibrary {
    defs: BTreeMap<String, NoteTemplateDef>,
    templates: BTreeMap<String, NoteTemplate>,
    selection: BTreeMap<(PhaseKind, Option<FocusArea>), String>,
}

impl NoteLibrary {
    /// The templates Kith ships. Their files are checked by the test suite, so a broken one is a
    /// programming error and stops the program with the problems found.
    pub fn builtin() -> &'static NoteLibrary {
        static LIBRARY: OnceLock<NoteLibrary> = OnceLock::new();
        LIBRARY.get_or_init(|| {
            let mut defs = Vec::new();
            for (name, source) in BUILTIN_SOURCES {
                match read_template(source) {
                    Ok(def) => defs.push(def),
                    Err(errors) => panic!(
                        "built-in note template {name} is invalid: {}",
                        list(&errors)
                    ),
                }
            }
            match NoteLibrary::from_defs(defs) {
                Ok(lib) => lib,
                Err(errors) => panic!("built-in note templates are invalid: {}", list(&errors)),
            }
        })
    }

    /// Builds a library from template definitions. Problems of one template carry its id in
    /// front of the path (`middle-grief: sections[1].after`).
    pub fn from_defs(defs: Vec<NoteTemplateDef>) -> Result<NoteLibrary, Vec<FormatError>> {
        let mut map = BTreeMap::new();
        let mut errors = Vec::new();
        for def in defs {
            if map.contains_key(&def.id) {
                errors.push(FormatError::new(
                    format!("{}: id", def.id),
                    FormatProblem::Duplicate { id: def.id.clone() },
                ));
            } else {
                map.insert(def.id.clone(), def);
            }
        }
        match build(map, None) {
            Ok(lib) if errors.is_empty() => Ok(lib),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more.into_iter().map(|(id, e)| match id {
                    Some(id) => FormatError::new(format!("{id}: {}", e.path), e.problem),
                    None => e,
                }));
                Err(errors)
            }
        }
    }

    /// Reads a clinic's own template file and adds it, replacing a template with the same id.
    /// The file may extend any template in the library. A bad file changes nothing; its problems
    /// come back with their key paths in the file.
    pub fn load(&mut self, source: &str) -> Result<&NoteTemplate, Vec<FormatError>> {
        let def = read_template(source)?;
        let id = def.id.clone();
        let mut defs = self.defs.clone();
        defs.insert(id.clone(), def);
        let lib = build(defs, Some(&id)).map_err(|errors| {
            errors
                .into_iter()
                .map(|(owner, e)| match owner {
                    // Problems in this file keep their own paths; a problem this file causes in
                    // another template (one that extends it) is named with that template's id.
                    Some(o) if o == id => e,
                    Some(o) => FormatError::new(format!("{o}: {}", e.path), e.problem),
                    None => e,
                })
                .collect::<Vec<_>>()
        })?;
        *self = lib;
        Ok(&self.templates[&id])
    }

    pub fn get(&self, id: &str) -> Option<&NoteTemplate> {
        self.templates.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &NoteTemplate> {
        self.templates.values()
    }

    /// The template written for exactly this phase kind and area, if there is one.
    pub fn exact(&self, phase: PhaseKind, area: Option<FocusArea>) -> Option<&NoteTemplate> {
        self.selection
            .get(&(phase, area))
            .and_then(|id| self.templates.get(id))
    }

    /// The template for a session: the one written for this phase kind and area if there is
    /// one, otherwise the phase kind's general template. (So a grief course in its termination
    /// phase gets the general termination template, and a DIT course's IPAF falls back in the
    /// same way for a phase kind DIT templates do not cover.)
    pub fn template_for(&self, phase: PhaseKind, area: Option<FocusArea>) -> &NoteTemplate {
        self.exact(phase, area)
            .or_else(|| self.exact(phase, None))
            .expect("a library always holds a general template for every phase kind")
    }
}

/// The template for a session from the shipped library: see [`NoteLibrary::template_for`].
pub fn note_template(phase: PhaseKind, area: Option<FocusArea>) -> &'static NoteTemplate {
    NoteLibrary::builtin().template_for(phase, area)
}

fn list(errors: &[FormatError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn read_template(source: &str) -> Result<NoteTemplateDef, Vec<FormatError>> {
    let def: NoteTemplateDef = read_toml(source)?;
    let mut c = Check::default();
    check_def(&def, &mut c);
    c.into_result(def)
}

/// An error, and the template it belongs to (`None` for the library as a whole).
type Owned = (Option<String>, FormatError);

/// Resolves every template and the choice table. `newcomer` is the id of a template being added,
/// which takes the blame when it clashes with another.
fn build(
    defs: BTreeMap<String, NoteTemplateDef>,
    newcomer: Option<&str>,
) -> Result<NoteLibrary, Vec<Owned>> {
    let mut errors: Vec<Owned> = Vec::new();
    let mut templates = BTreeMap::new();
    for id in defs.keys() {
        let mut chain = Vec::new();
        match resolve(id, &defs, &mut chain) {
            Ok(t) => {
                templates.insert(id.clone(), t);
            }
            Err(e) => errors.push((Some(id.clone()), e)),
        }
    }
    let mut selection: BTreeMap<(PhaseKind, Option<FocusArea>), String> = BTreeMap::new();
    for def in defs.values() {
        let key = (def.phase, def.area);
        if let Some(other) = selection.get(&key) {
            let path = if def.area.is_some() { "area" } else { "phase" };
            // The template being added is the one at fault.
            let (owner, other) = if newcomer == Some(other.as_str()) {
                (other.clone(), def.id.clone())
            } else {
                (def.id.clone(), other.clone())
            };
            errors.push((
                Some(owner),
                FormatError::new(path, FormatProblem::SameSelection { other }),
            ));
        } else {
            selection.insert(key, def.id.clone());
        }
    }
    for phase in PhaseKind::ALL {
        if !selection.contains_key(&(phase, None)) {
            errors.push((
                None,
                FormatError::new(
                    ".",
                    FormatProblem::MissingGeneralTemplate {
                        phase: phase.code().to_string(),
                    },
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(NoteLibrary {
            defs,
            templates,
            selection,
        })
    } else {
        Err(errors)
    }
}

/// Merges a template with the templates it extends. `chain` holds the ids being resolved, to
/// catch a circle.
fn resolve(
    id: &str,
    defs: &BTreeMap<String, NoteTemplateDef>,
    chain: &mut Vec<String>,
) -> Result<NoteTemplate, FormatError> {
    let def = &defs[id];
    chain.push(id.to_string());
    let mut sections: Vec<SectionDef> = match &def.extends {
        None => Vec::new(),
        Some(base_id) => {
            if chain.iter().any(|c| c == base_id) {
                let mut circle = chain.clone();
                circle.push(base_id.clone());
                return Err(FormatError::new(
                    "extends",
                    FormatProblem::ExtendsCycle { chain: circle },
                ));
            }
            let Some(base) = defs.get(base_id) else {
                return Err(FormatError::new(
                    "extends",
                    FormatProblem::UnknownTemplate {
                        id: base_id.clone(),
                    },
                ));
            };
            if base.phase != def.phase {
                return Err(FormatError::new(
                    "extends",
                    FormatProblem::ExtendsOtherPhase {
                        phase: base.phase.code().to_string(),
                    },
                ));
            }
            // A problem further down the chain is reported against this template's `extends`.
            resolve(base_id, defs, chain)
                .map_err(|e| FormatError::new("extends", e.problem))?
                .sections
        }
    };
    for (i, own) in def.sections.iter().enumerate() {
        let existing = sections.iter().position(|s| s.id == own.id);
        let mut section = own.clone();
        section.after = None;
        let target = match &own.after {
            None => None,
            Some(after) => match sections.iter().position(|s| &s.id == after) {
                Some(_) if after == &own.id => {
                    return Err(FormatError::new(
                        format!("sections[{i}].after"),
                        FormatProblem::UnknownSection { id: after.clone() },
                    ));
                }
                Some(_) => Some(after.clone()),
                None => {
                    return Err(FormatError::new(
                        format!("sections[{i}].after"),
                        FormatProblem::UnknownSection { id: after.clone() },
                    ));
                }
            },
        };
        match (existing, target) {
            (Some(pos), None) => sections[pos] = section,
            (existing, Some(after)) => {
                if let Some(pos) = existing {
                    sections.remove(pos);
                }
                let at = sections
                    .iter()
                    .position(|s| s.id == after)
                    .map_or(sections.len(), |p| p + 1);
                sections.insert(at, section);
            }
            (None, None) => sections.push(section),
        }
    }
    chain.pop();
    Ok(NoteTemplate {
        id: def.id.clone(),
        version: def.version.clone(),
        title: def.title.clone(),
        phase: def.phase,
        area: def.area,
        extends: def.extends.clone(),
        sections,
    })
}
