//! Checking the content of a session note against its template, and reading from it which
//! protocol tasks it evidences.
//!
//! Content is a JSON object with one key per section id. By section kind the value is:
//! text → a string; checklist → a list of ticked item ids; techniques → a list of option ids;
//! risk check → `{ "status": "not-assessed" | "no-risk-identified" | "risk-identified",
//! "actions": "…" }`; mood rating → a whole number; worksheets → a list of worksheet ids.
//! `null`, an empty string or an empty list means the section is left empty.

use super::template::{NoteTemplate, SectionDef, SectionKind};
use crate::ids::WorksheetId;
use crate::safety::Tier;
use crate::worksheet::values::{
    Completeness, ValueError, ValueProblem, clean_text, echo, is_blank,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What the clinician recorded about risk in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskStatus {
    /// Risk was not asked about in this session.
    NotAssessed,
    NoRiskIdentified,
    /// Risk identified: the actions taken must be written down before signing, and the
    /// application raises a safety alert.
    RiskIdentified,
}

impl RiskStatus {
    pub fn code(self) -> &'static str {
        match self {
            RiskStatus::NotAssessed => "not-assessed",
            RiskStatus::NoRiskIdentified => "no-risk-identified",
            RiskStatus::RiskIdentified => "risk-identified",
        }
    }

    fn from_code(code: &str) -> Option<RiskStatus> {
        [
            RiskStatus::NotAssessed,
            RiskStatus::NoRiskIdentified,
            RiskStatus::RiskIdentified,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// How soon the risk a clinician identified needs someone else to act, as the clinician judged
/// it. It sets the tier of the alert the note raises, and so how soon that alert escalates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskUrgency {
    /// Same-day review by the clinician's team.
    Routine,
    /// Action within the hour.
    Urgent,
    /// Immediate danger: emergency services or crisis team now.
    Emergency,
}

impl RiskUrgency {
    pub const ALL: [RiskUrgency; 3] = [
        RiskUrgency::Routine,
        RiskUrgency::Urgent,
        RiskUrgency::Emergency,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RiskUrgency::Routine => "routine",
            RiskUrgency::Urgent => "urgent",
            RiskUrgency::Emergency => "emergency",
        }
    }

    pub fn from_code(code: &str) -> Option<RiskUrgency> {
        RiskUrgency::ALL.into_iter().find(|u| u.code() == code)
    }

    /// The tier of the alert this urgency raises.
    pub fn tier(self) -> Tier {
        match self {
            RiskUrgency::Routine => Tier::Alert,
            RiskUrgency::Urgent => Tier::Urgent,
            RiskUrgency::Emergency => Tier::Emergency,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskCheck {
    pub status: RiskStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<String>,
    /// Required when risk is identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<RiskUrgency>,
}

/// One checked section value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionValue {
    Text(String),
    /// Ticked checklist item ids, in the order given.
    Checklist(Vec<String>),
    /// Technique option ids, in the order given.
    Techniques(Vec<String>),
    Risk(RiskCheck),
    Mood(i64),
    Worksheets(Vec<WorksheetId>),
}

impl SectionValue {
    /// The value in the JSON shape a submission uses.
    pub fn to_json(&self) -> Value {
        let strings = |v: &[String]| Value::Array(v.iter().cloned().map(Value::String).collect());
        match self {
            SectionValue::Text(s) => Value::String(s.clone()),
            SectionValue::Checklist(v) | SectionValue::Techniques(v) => strings(v),
            SectionValue::Risk(r) => {
                let mut m = Map::new();
                m.insert("status".into(), Value::String(r.status.code().into()));
                if let Some(a) = &r.actions {
                    m.insert("actions".into(), Value::String(a.clone()));
                }
                if let Some(u) = r.urgency {
                    m.insert("urgency".into(), Value::String(u.code().into()));
                }
                Value::Object(m)
            }
            SectionValue::Mood(n) => Value::from(*n),
            SectionValue::Worksheets(v) => {
                Value::Array(v.iter().map(|w| Value::String(w.to_string())).collect())
            }
        }
    }
}

/// A note's content that passed every check. Empty sections are absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteContent {
    pub sections: BTreeMap<String, SectionValue>,
}

impl Serialize for NoteContent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl NoteContent {
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.sections
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect(),
        )
    }

    pub fn get(&self, section: &str) -> Option<&SectionValue> {
        self.sections.get(section)
    }

    /// The first risk-check section that records identified risk.
    pub fn identified_risk(&self) -> Option<&RiskCheck> {
        self.sections.values().find_map(|v| match v {
            SectionValue::Risk(r) if r.status == RiskStatus::RiskIdentified => Some(r),
            _ => None,
        })
    }

    /// Whether any risk-check section records identified risk.
    pub fn risk_identified(&self) -> bool {
        self.sections.values().any(|v| {
            matches!(
                v,
                SectionValue::Risk(RiskCheck {
                    status: RiskStatus::RiskIdentified,
                    ..
                })
            )
        })
    }

    /// Every worksheet the note links to, with the path of the link, so that storage can check
    /// they exist and belong to the same course.
    pub fn worksheet_links(&self) -> Vec<(String, WorksheetId)> {
        self.sections
            .iter()
            .flat_map(|(k, v)| match v {
                SectionValue::Worksheets(list) => list
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (format!("{k}[{i}]"), *w))
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }
}

/// Why a protocol task counts as done: the section (and checklist item) of the note that shows
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TaskEvidence {
    pub task: String,
    pub section: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

impl NoteTemplate {
    /// Checks note content. With [`Completeness::Complete`] (used when signing) required sections
    /// must be filled and a risk check that identified risk must say what was done. Every
    /// problem is returned, in section order (unknown keys last).
    pub fn validate(
        &self,
        content: &Value,
        completeness: Completeness,
    ) -> Result<NoteContent, Vec<ValueError>> {
        let Some(object) = content.as_object() else {
            return Err(vec![ValueError::new(
                ".",
                ValueProblem::WrongType { expected: "object" },
            )]);
        };
        let mut errors = Vec::new();
        let mut sections = BTreeMap::new();
        for s in self.sections() {
            match object.get(&s.id).filter(|v| !is_blank(v)) {
                None => {
                    if s.required && completeness == Completeness::Complete {
                        errors.push(ValueError::new(&s.id, ValueProblem::Required));
                    }
                }
                Some(v) => {
                    if let Some(checked) = check_section(s, v, completeness, &mut errors) {
                        sections.insert(s.id.clone(), checked);
                    }
                }
            }
        }
        for key in object.keys() {
            if self.section(key).is_none() {
                errors.push(ValueError::new(
                    ".",
                    ValueProblem::UnknownField { key: echo(key) },
                ));
            }
        }
        if errors.is_empty() {
            Ok(NoteContent { sections })
        } else {
            Err(errors)
        }
    }

    /// The protocol tasks a note evidences, each with the section (and item) that shows it, in
    /// section order. A section evidences its `ticks` when it is filled in (a risk check only
    /// when risk was actually assessed); a checklist item evidences its own `ticks` when ticked.
    pub fn evidence(&self, content: &NoteContent) -> Vec<TaskEvidence> {
        let mut out = Vec::new();
        for s in self.sections() {
            let Some(value) = content.get(&s.id) else {
                continue;
            };
            let filled = match value {
                SectionValue::Risk(r) => r.status != RiskStatus::NotAssessed,
                _ => true,
            };
            if filled {
                for task in &s.ticks {
                    out.push(TaskEvidence {
                        task: task.clone(),
                        section: s.id.clone(),
                        item: None,
                    });
                }
            }
            if let SectionValue::Checklist(ticked) = value {
                for item_id in ticked {
                    if let Some(item) = s.item(item_id) {
                        for task in &item.ticks {
                            out.push(TaskEvidence {
                                task: task.clone(),
                                section: s.id.clone(),
                                item: Some(item.id.clone()),
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// The distinct protocol task ids a note evidences.
    pub fn ticked_tasks(&self, content: &NoteContent) -> BTreeSet<String> {
        self.evidence(content).into_iter().map(|e| e.task).collect()
    }
}

fn check_section(
    s: &SectionDef,
    v: &Value,
    completeness: Completeness,
    errors: &mut Vec<ValueError>,
) -> Option<SectionValue> {
    let path = s.id.as_str();
    let mut fail = |problem: ValueProblem| {
        errors.push(ValueError::new(path, problem));
        None
    };
    match s.kind {
        SectionKind::Text => match v.as_str() {
            Some(text) => match clean_text(text, true, s.text_limit()) {
                Ok(t) => Some(SectionValue::Text(t)),
                Err(p) => fail(p),
            },
            None => fail(ValueProblem::WrongType { expected: "text" }),
        },
        SectionKind::MoodRating => match v.as_i64() {
            Some(n) => {
                let (min, max) = s.bounds();
                if (min..=max).contains(&n) {
                    Some(SectionValue::Mood(n))
                } else {
                    fail(ValueProblem::OutOfRange { min, max, value: n })
                }
            }
            None => fail(ValueProblem::WrongType {
                expected: "integer",
            }),
        },
        SectionKind::Checklist | SectionKind::Techniques => {
            let Some(list) = v.as_array() else {
                return fail(ValueProblem::WrongType { expected: "list" });
            };
            let known = |id: &str| match s.kind {
                SectionKind::Checklist => s.item(id).is_some(),
                _ => s.option(id).is_some(),
            };
            let before = errors.len();
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match item.as_str() {
                    None => errors.push(ValueError::new(
                        p,
                        ValueProblem::WrongType { expected: "text" },
                    )),
                    Some(id) if !known(id) => errors.push(ValueError::new(
                        p,
                        ValueProblem::UnknownOption { value: echo(id) },
                    )),
                    Some(id) if !seen.insert(id) => errors.push(ValueError::new(
                        p,
                        ValueProblem::Duplicate { value: echo(id) },
                    )),
                    Some(id) => out.push(id.to_string()),
                }
            }
            if errors.len() != before {
                return None;
            }
            Some(match s.kind {
                SectionKind::Checklist => SectionValue::Checklist(out),
                _ => SectionValue::Techniques(out),
            })
        }
        SectionKind::Worksheets => {
            let Some(list) = v.as_array() else {
                return fail(ValueProblem::WrongType { expected: "list" });
            };
            let before = errors.len();
            let mut out: Vec<WorksheetId> = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match item.as_str().map(|t| t.parse::<uuid::Uuid>()) {
                    None => errors.push(ValueError::new(
                        p,
                        ValueProblem::WrongType { expected: "text" },
                    )),
                    Some(Err(_)) => errors.push(ValueError::new(
                        p,
                        ValueProblem::BadFormat {
                            expected: "worksheet-id",
                        },
                    )),
                    Some(Ok(u)) if out.contains(&WorksheetId(u)) => errors.push(ValueError::new(
                        p,
                        ValueProblem::Duplicate {
                            value: u.to_string(),
                        },
                    )),
                    Some(Ok(u)) => out.push(WorksheetId(u)),
                }
            }
            (errors.len() == before).then_some(SectionValue::Worksheets(out))
        }
        SectionKind::RiskCheck => {
            let Some(object) = v.as_object() else {
                return fail(ValueProblem::WrongType { expected: "object" });
            };
            let before = errors.len();
            let status_path = format!("{path}.status");
            let actions_path = format!("{path}.actions");
            let status = match object.get("status").filter(|v| !is_blank(v)) {
                None => {
                    errors.push(ValueError::new(&status_path, ValueProblem::Required));
                    None
                }
                Some(Value::String(code)) => match RiskStatus::from_code(code) {
                    Some(st) => Some(st),
                    None => {
                        errors.push(ValueError::new(
                            &status_path,
                            ValueProblem::UnknownOption { value: echo(code) },
                        ));
                        None
                    }
                },
                Some(_) => {
                    errors.push(ValueError::new(
                        &status_path,
                        ValueProblem::WrongType { expected: "text" },
                    ));
                    None
                }
            };
            let actions = match object.get("actions").filter(|v| !is_blank(v)) {
                None => None,
                Some(Value::String(text)) => match clean_text(text, true, s.text_limit()) {
                    Ok(t) => Some(t),
                    Err(p) => {
                        errors.push(ValueError::new(&actions_path, p));
                        None
                    }
                },
                Some(_) => {
                    errors.push(ValueError::new(
                        &actions_path,
                        ValueProblem::WrongType { expected: "text" },
                    ));
                    None
                }
            };
            let urgency_path = format!("{path}.urgency");
            let urgency = match object.get("urgency").filter(|v| !is_blank(v)) {
                None => None,
                Some(Value::String(code)) => match RiskUrgency::from_code(code) {
                    Some(u) => Some(u),
                    None => {
                        errors.push(ValueError::new(
                            &urgency_path,
                            ValueProblem::UnknownOption { value: echo(code) },
                        ));
                        None
                    }
                },
                Some(_) => {
                    errors.push(ValueError::new(
                        &urgency_path,
                        ValueProblem::WrongType { expected: "text" },
                    ));
                    None
                }
            };
            for key in object.keys() {
                if key != "status" && key != "actions" && key != "urgency" {
                    errors.push(ValueError::new(
                        path,
                        ValueProblem::UnknownField { key: echo(key) },
                    ));
                }
            }
            if status == Some(RiskStatus::RiskIdentified)
                && actions.is_none()
                && completeness == Completeness::Complete
                && errors.len() == before
            {
                errors.push(ValueError::new(actions_path, ValueProblem::ActionsRequired));
            }
            // Identified risk raises an alert as soon as it is saved, so its urgency is needed
            // even in a draft; it means nothing without identified risk.
            if status == Some(RiskStatus::RiskIdentified)
                && urgency.is_none()
                && errors.len() == before
            {
                errors.push(ValueError::new(&urgency_path, ValueProblem::Required));
            }
            let urgency = if status == Some(RiskStatus::RiskIdentified) {
                urgency
            } else {
                None
            };
            match status {
                Some(status) if errors.len() == before => Some(SectionValue::Risk(RiskCheck {
                    status,
                    actions,
                    urgency,
                })),
                _ => None,
            }
        }
    }
}
