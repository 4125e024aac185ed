//! Safety plans: written with the client in session by their clinician, read by the client in the
//! portal. Every save is a new version; earlier versions stay readable.

use crate::{App, AppError, AppResult, Ctx, FieldError};
use kith_domain::audit::AuditAction;
use kith_domain::ids::ClientId;
use kith_domain::policy::Action;
use kith_domain::safety::{PlanField, PlanProblem, PlanSection, SafetyPlan};
use kith_domain::text;
use kith_store::{SafetyPlanRecord, SafetyPlanSave, SafetyPlanVersionInfo};

/// The plan's sections as fields of a form or JSON body.
fn section_field(section: PlanSection) -> &'static str {
    match section {
        PlanSection::WarningSigns => "warning_signs",
        PlanSection::InternalCoping => "internal_coping",
        PlanSection::Distractions => "distractions",
        PlanSection::HelpContacts => "help_contacts",
        PlanSection::Professionals => "professionals",
        PlanSection::EnvironmentSafety => "environment_safety",
        PlanSection::ReasonsForLiving => "reasons_for_living",
    }
}

fn entry_field(section: PlanSection, entry: usize, field: PlanField) -> String {
    let name = match field {
        PlanField::Text => "text",
        PlanField::Contact => "contact",
        PlanField::Phone => "phone",
        PlanField::Hours => "hours",
    };
    format!("{}[{entry}].{name}", section_field(section))
}

fn plan_error(p: &PlanProblem) -> FieldError {
    match p {
        PlanProblem::TooManyEntries { section, max } => {
            FieldError::new(section_field(*section), "plan-too-many-entries").with("max", max)
        }
        PlanProblem::EmptyText { section, entry } => FieldError::new(
            entry_field(*section, *entry, PlanField::Text),
            "field-required",
        ),
        PlanProblem::TooLong {
            section,
            entry,
            field,
            max,
        } => FieldError::new(entry_field(*section, *entry, *field), "field-too-long")
            .with("max", max),
        PlanProblem::BadPhone { section, entry } => FieldError::new(
            entry_field(*section, *entry, PlanField::Phone),
            "plan-phone-invalid",
        ),
        PlanProblem::NothingFilled => FieldError::new("status", "plan-nothing-filled"),
    }
}

/// Every problem with a plan: the domain's checks, and no control characters in any text.
fn check_plan(plan: &SafetyPlan) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = match plan.validate() {
        Ok(()) => Vec::new(),
        Err(problems) => problems.iter().map(plan_error).collect(),
    };
    for section in PlanSection::ALL {
        for (i, e) in plan.section(section).iter().enumerate() {
            let fields = [
                (PlanField::Text, Some(&e.text)),
                (PlanField::Contact, e.contact.as_ref()),
                (PlanField::Phone, e.phone.as_ref()),
                (PlanField::Hours, e.hours.as_ref()),
            ];
            for (field, value) in fields {
                if let Some(v) = value
                    && text::multiline(v, usize::MAX) == Err(text::TextProblem::ControlCharacters)
                {
                    errors.push(FieldError::new(
                        entry_field(section, i, field),
                        "field-control-characters",
                    ));
                }
            }
        }
    }
    errors
}

impl App {
    /// The latest version of a client's safety plan (`None` when none was written yet). For the
    /// client in the portal, and for staff who may see the client's record.
    pub async fn safety_plan(
        &self,
        ctx: &Ctx,
        client: ClientId,
    ) -> AppResult<Option<SafetyPlanRecord>> {
        let facts = self.clinical_read(ctx, client).await?;
        let e = ctx.event(AuditAction::Read, "safety_plan", None, Some(client));
        Ok(self
            .store
            .safety_plan(facts.clinic, client, None, &[e])
            .await?)
    }

    /// One earlier version of the plan.
    pub async fn safety_plan_version(
        &self,
        ctx: &Ctx,
        client: ClientId,
        version: i64,
    ) -> AppResult<SafetyPlanRecord> {
        let facts = self.clinical_read(ctx, client).await?;
        let mut e = ctx.event(AuditAction::Read, "safety_plan", None, Some(client));
        e.detail = Some(format!("version={version}"));
        self.store
            .safety_plan(facts.clinic, client, Some(version), &[e])
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The plan's history: version, status, who saved it and when, newest first.
    pub async fn safety_plan_versions(
        &self,
        ctx: &Ctx,
        client: ClientId,
    ) -> AppResult<Vec<SafetyPlanVersionInfo>> {
        let facts = self.clinical_read(ctx, client).await?;
        let e = ctx.event(AuditAction::Read, "safety_plan_history", None, Some(client));
        Ok(self
            .store
            .safety_plan_versions(facts.clinic, client, &[e])
            .await?)
    }

    /// Saves the plan as its next version, written with the client by their clinician.
    /// `expected_version` is the version the editor started from (0 for a first plan); if someone
    /// saved in between, nothing is written and the current version is reported.
    pub async fn save_safety_plan(
        &self,
        ctx: &Ctx,
        client: ClientId,
        plan: SafetyPlan,
        expected_version: i64,
    ) -> AppResult<SafetyPlanRecord> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut errors = check_plan(&plan);
        if expected_version < 0 {
            errors.push(FieldError::new("expected_version", "field-out-of-range").with("min", 0));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let action = if expected_version == 0 {
            AuditAction::Create
        } else {
            AuditAction::Update
        };
        let mut e = ctx.event(action, "safety_plan", None, Some(client));
        e.detail = Some(format!("version={}", expected_version + 1));
        let save = SafetyPlanSave {
            clinic: facts.clinic,
            client,
            plan,
            expected_version,
            saved_by: ctx.user.id,
            saved_at: self.now(),
        };
        Ok(self.store.save_safety_plan(save, &[e]).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_domain::safety::{MAX_TEXT_CHARS, PlanEntry, PlanStatus};

    #[test]
    fn plan_problems_name_their_entry() {
        let mut plan = SafetyPlan::new();
        plan.warning_signs.push(PlanEntry::text("Not sleeping"));
        plan.help_contacts.push(PlanEntry {
            text: "My brother".into(),
            phone: Some("ring him".into()),
            ..PlanEntry::default()
        });
        plan.help_contacts.push(PlanEntry::text("   "));
        plan.reasons_for_living
            .push(PlanEntry::text("x".repeat(MAX_TEXT_CHARS + 1)));
        plan.distractions.push(PlanEntry::text("Walk\u{7}"));
        let errors: Vec<(String, String)> = check_plan(&plan)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        let expect = [
            ("help_contacts[0].phone", "plan-phone-invalid"),
            ("help_contacts[1].text", "field-required"),
            ("reasons_for_living[0].text", "field-too-long"),
            ("distractions[0].text", "field-control-characters"),
        ];
        for (field, code) in expect {
            assert!(
                errors.contains(&(field.to_string(), code.to_string())),
                "{field} {code} missing from {errors:?}"
            );
        }
        assert_eq!(errors.len(), expect.len());
    }

    #[test]
    fn an_empty_plan_can_be_a_draft_but_not_complete() {
        let mut plan = SafetyPlan::new();
        assert!(check_plan(&plan).is_empty());
        plan.status = PlanStatus::Complete;
        let errors = check_plan(&plan);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            ("status", "plan-nothing-filled")
        );
    }
}
