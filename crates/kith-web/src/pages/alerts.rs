//! Safety alerts: the list on a clinician's (or supervisor's) dashboard, counts only for clinic
//! admins, one alert with its reasons, and acknowledgement with a required action note. The
//! application audits every step.

use super::measures::{answer_label, item_label, short_title, tier_label};
use super::{Chrome, FormErrors, form_errors, html, html_status, parse_id, see_other};
use crate::errors::{PageError, PageResult};
use crate::forms::Form;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kith_app::Ctx;
use kith_domain::identity::Role;
use kith_domain::ids::{AlertId, ClientId};
use kith_domain::locale::Locale;
use kith_domain::measure::InstrumentLibrary;
use kith_store::{Alert, AlertCause, AlertStatus, SubmissionRecord};
use serde::Deserialize;
use std::collections::HashMap;

/// One reason of an alert in words: the instrument, the item and the answer given, or the
/// change that counts as reliable deterioration.
pub(crate) fn reason_text(
    t: &Tr,
    lib: &InstrumentLibrary,
    cause: &AlertCause,
    record: Option<&SubmissionRecord>,
) -> String {
    let locale = t.locale;
    match cause {
        AlertCause::SafetyItem {
            instrument,
            item,
            tier,
        } => {
            let inst = lib.get(instrument);
            let answer = record
                .and_then(|r| r.answers.iter().find(|a| &a.item == item))
                .and_then(|a| inst.map(|i| answer_label(i, &a.item, a.value, t)));
            t.with(
                "alert-reason-safety-item",
                &[
                    (
                        "instrument",
                        inst.map(|i| short_title(i, locale))
                            .unwrap_or_else(|| instrument.clone()),
                    ),
                    ("item", item.clone()),
                    (
                        "label",
                        inst.map(|i| item_label(i, item, locale))
                            .unwrap_or_default(),
                    ),
                    ("answer", answer.unwrap_or_else(|| "—".into())),
                    ("tier", tier_label(t, *tier)),
                ],
            )
        }
        AlertCause::ReliableDeterioration {
            instrument,
            baseline,
            latest,
            worsening,
            threshold,
        } => t.with(
            "alert-reason-reliable-deterioration",
            &[
                (
                    "instrument",
                    lib.get(instrument)
                        .map(|i| short_title(i, locale))
                        .unwrap_or_else(|| instrument.clone()),
                ),
                ("baseline", baseline.to_string()),
                ("latest", latest.to_string()),
                ("worsening", worsening.to_string()),
                ("threshold", threshold.to_string()),
            ],
        ),
        AlertCause::ClinicianRisk { urgency, .. } => t.with1(
            "alert-reason-clinician-risk",
            "urgency",
            t.get(&format!("risk-urgency-{}", urgency.code())),
        ),
    }
}

/// A short line about an alert for lists: its reasons without the answers.
pub(crate) fn reasons_short(t: &Tr, lib: &InstrumentLibrary, a: &Alert) -> String {
    a.reasons
        .iter()
        .map(|r| match r {
            AlertCause::SafetyItem {
                instrument, item, ..
            } => {
                let inst = lib.get(instrument);
                format!(
                    "{} · {}",
                    inst.map(|i| short_title(i, t.locale))
                        .unwrap_or_else(|| instrument.clone()),
                    inst.map(|i| item_label(i, item, t.locale))
                        .unwrap_or_else(|| item.clone())
                )
            }
            AlertCause::ReliableDeterioration { instrument, .. } => t.with1(
                "alert-short-deterioration",
                "instrument",
                lib.get(instrument)
                    .map(|i| short_title(i, t.locale))
                    .unwrap_or_else(|| instrument.clone()),
            ),
            AlertCause::ClinicianRisk { .. } => t.get("alert-short-clinician-risk"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub struct AlertRow {
    pub id: String,
    pub client: String,
    pub client_id: String,
    pub tier: String,
    pub tier_code: &'static str,
    pub raised: String,
    pub escalated: bool,
    pub reasons: String,
}

pub(crate) fn alert_row(t: &Tr, lib: &InstrumentLibrary, a: &Alert, client: String) -> AlertRow {
    AlertRow {
        id: a.id.to_string(),
        client,
        client_id: a.client.to_string(),
        tier: tier_label(t, a.tier),
        tier_code: a.tier.code(),
        raised: t.datetime(a.raised_at),
        escalated: a.escalated_at.is_some(),
        reasons: reasons_short(t, lib, a),
    }
}

#[derive(Template)]
#[template(path = "alerts/list.html")]
struct AlertsPage {
    c: Chrome,
    /// Clinic admins see counts only.
    admin: bool,
    open: usize,
    escalated: usize,
    alerts: Vec<AlertRow>,
}

/// `GET /alerts`: the caller's open alerts, most urgent first; for clinic admins, counts only.
pub async fn list(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    let c = Chrome::new(&s, Some(&ctx), locale, "/alerts", "alerts-title");
    let t = c.t;
    if ctx.role() == Some(Role::ClinicAdmin) {
        let overview = s.app.clinic_alerts(&ctx).await?;
        return Ok(html(&AlertsPage {
            c,
            admin: true,
            open: overview.open,
            escalated: overview.escalated,
            alerts: Vec::new(),
        }));
    }
    let alerts = s.app.alerts_for_me(&ctx).await?;
    let names: HashMap<ClientId, String> = if alerts.is_empty() {
        HashMap::new()
    } else {
        s.app
            .clients(&ctx)
            .await?
            .into_iter()
            .map(|k| (k.id, k.display_name))
            .collect()
    };
    let rows: Vec<AlertRow> = alerts
        .iter()
        .map(|a| {
            let name = names.get(&a.client).cloned().unwrap_or_default();
            alert_row(&t, s.instruments, a, name)
        })
        .collect();
    Ok(html(&AlertsPage {
        c,
        admin: false,
        open: rows.len(),
        escalated: rows.iter().filter(|r| r.escalated).count(),
        alerts: rows,
    }))
}

#[derive(Template)]
#[template(path = "alerts/show.html")]
struct AlertPage {
    c: Chrome,
    id: String,
    client_id: String,
    client_name: String,
    submission: Option<String>,
    /// The session whose note raised it, and what the clinician wrote about the risk.
    note_session: Option<String>,
    risk_text: Option<String>,
    tier: String,
    tier_code: &'static str,
    open: bool,
    raised: String,
    escalated: Option<String>,
    acknowledged: Option<String>,
    action_note: Option<String>,
    reasons: Vec<String>,
    note: String,
    errors: FormErrors,
}

async fn alert_page(
    s: &AppState,
    ctx: &Ctx,
    locale: Locale,
    id: AlertId,
    note: String,
    errors: FormErrors,
) -> Result<AlertPage, PageError> {
    let a = s.app.alert(ctx, id).await?;
    let client = s.app.client(ctx, a.client).await?;
    let record = match a.submission {
        Some(sid) => Some(s.app.measure(ctx, a.client, sid).await?),
        None => None,
    };
    let c = Chrome::new(s, Some(ctx), locale, "/alerts", "alert-title");
    let t = c.t;
    let reasons = a
        .reasons
        .iter()
        .map(|r| reason_text(&t, s.instruments, r, record.as_ref()))
        .collect();
    let acknowledged = a.acknowledged_at.map(|at| {
        let by = if a.acknowledged_by == Some(ctx.user.id) {
            t.get("alert-by-you")
        } else {
            t.get("alert-by-colleague")
        };
        t.with2("alert-acknowledged-at", "when", t.datetime(at), "by", by)
    });
    Ok(AlertPage {
        id: a.id.to_string(),
        client_id: a.client.to_string(),
        client_name: client.display_name,
        submission: a.submission.map(|s| s.to_string()),
        note_session: a.reasons.iter().find_map(|r| match r {
            AlertCause::ClinicianRisk { session, .. } => Some(session.to_string()),
            _ => None,
        }),
        risk_text: a.risk_text.clone(),
        tier: tier_label(&t, a.tier),
        tier_code: a.tier.code(),
        open: a.status == AlertStatus::Open,
        raised: t.datetime(a.raised_at),
        escalated: a.escalated_at.map(|e| t.datetime(e)),
        acknowledged,
        action_note: a.action_note.clone(),
        reasons,
        note,
        errors,
        c,
    })
}

/// `GET /alerts/{id}`: one alert with its reasons and, while open, the acknowledgement form.
pub async fn show(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let id: AlertId = parse_id(&id)?;
    Ok(html(
        &alert_page(&s, &ctx, locale, id, String::new(), FormErrors::default()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeForm {
    #[serde(default)]
    note: String,
}

/// `POST /alerts/{id}/acknowledge`: closes the alert with what was done; the note is required.
pub async fn acknowledge(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<AcknowledgeForm>,
) -> PageResult {
    let id: AlertId = parse_id(&id)?;
    match s.app.acknowledge_alert(&ctx, id, &f.note).await {
        Ok(_) => Ok(see_other(&format!("/alerts/{id}"))),
        Err(e) => {
            let t = Tr::new(locale);
            let errors = form_errors(&t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &alert_page(&s, &ctx, locale, id, f.note, errors).await?,
            ))
        }
    }
}
