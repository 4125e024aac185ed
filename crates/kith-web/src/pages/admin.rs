//! The clinic administrator's pages: members and invitations, client assignments, settings, audit.

use super::{Chrome, FormErrors, form_errors, html, html_status, parse_id, see_other};
use crate::errors::PageResult;
use crate::forms::Form;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kith_app::{AppError, Ctx};
use kith_domain::clinic::ClinicSettings;
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, InvitationId, UserId};
use kith_domain::locale::Locale;
use serde::Deserialize;

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub role_id: &'static str,
    pub disabled: bool,
    pub second_factor: bool,
    pub supervisors: String,
    pub is_me: bool,
}

pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub open: bool,
}

pub struct Choice {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin/members.html")]
struct MembersPage {
    c: Chrome,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    supervisors: Vec<Choice>,
    clinicians: Vec<Choice>,
    new_link: Option<String>,
    invite_email: String,
    errors: FormErrors,
}

fn role_label(t: &crate::i18n::Tr, r: Role) -> String {
    t.get(&format!("role-{}", r.as_str().replace('_', "-")))
}

async fn members_page(
    s: &AppState,
    locale: Locale,
    ctx: &Ctx,
    new_link: Option<String>,
    invite_email: String,
    errors: FormErrors,
) -> Result<MembersPage, crate::errors::PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/admin/members", "members-title");
    let t = c.t;
    let members = s.app.members(ctx).await?;
    let name_of = |id: UserId| {
        members
            .iter()
            .find(|m| m.user.id == id)
            .map(|m| m.user.display_name.clone())
            .unwrap_or_default()
    };
    let rows = members
        .iter()
        .map(|m| MemberRow {
            id: m.user.id.to_string(),
            name: m.user.display_name.clone(),
            email: m.user.email.clone(),
            role: role_label(&t, m.role),
            role_id: m.role.as_str(),
            disabled: m.membership_disabled,
            second_factor: m.user.second_factor_enrolled,
            supervisors: m
                .supervisors
                .iter()
                .map(|s| name_of(*s))
                .collect::<Vec<_>>()
                .join(", "),
            is_me: m.user.id == ctx.user.id,
        })
        .collect();
    let now = s.app.now();
    let invitations = s
        .app
        .invitations(ctx)
        .await?
        .into_iter()
        .filter(|i| i.role != Role::Client)
        .map(|i| {
            let (status, open) = if i.accepted_at.is_some() {
                (t.get("invitation-accepted"), false)
            } else if i.revoked_at.is_some() {
                (t.get("invitation-revoked"), false)
            } else if i.expires_at <= now {
                (t.get("invitation-expired"), false)
            } else {
                (
                    t.with1("invitation-open-until", "date", t.datetime(i.expires_at)),
                    true,
                )
            };
            InvitationRow {
                id: i.id.to_string(),
                email: i.email,
                role: role_label(&t, i.role),
                status,
                open,
            }
        })
        .collect();
    let active = members.iter().filter(|m| !m.membership_disabled);
    let supervisors = active
        .clone()
        .filter(|m| m.role == Role::Supervisor)
        .map(|m| Choice {
            id: m.user.id.to_string(),
            label: m.user.display_name.clone(),
        })
        .collect();
    let clinicians = active
        .filter(|m| matches!(m.role, Role::Clinician | Role::Supervisor))
        .map(|m| Choice {
            id: m.user.id.to_string(),
            label: m.user.display_name.clone(),
        })
        .collect();
    Ok(MembersPage {
        c,
        members: rows,
        invitations,
        supervisors,
        clinicians,
        new_link,
        invite_email,
        errors,
    })
}

pub async fn members(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    Ok(html(
        &members_page(&s, locale, &ctx, None, String::new(), FormErrors::default()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteForm {
    email: String,
    role: String,
}

pub async fn invite(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<InviteForm>,
) -> PageResult {
    let role = match f.role.parse::<Role>() {
        Ok(r) => r,
        Err(_) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, AppError::invalid("role", "role-not-allowed"))?;
            return Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &members_page(&s, locale, &ctx, None, f.email, errors).await?,
            ));
        }
    };
    match s.app.invite_staff(&ctx, &f.email, role).await {
        Ok(token) => {
            let link = format!(
                "{}/invitation/{token}",
                s.config.public_url.trim_end_matches('/')
            );
            Ok(html(
                &members_page(
                    &s,
                    locale,
                    &ctx,
                    Some(link),
                    String::new(),
                    FormErrors::default(),
                )
                .await?,
            ))
        }
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &members_page(&s, locale, &ctx, None, f.email, errors).await?,
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

pub async fn revoke_invitation(
    State(s): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    let id: InvitationId = parse_id(&id)?;
    s.app.revoke_invitation(&ctx, id).await?;
    Ok(see_other("/admin/members"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleForm {
    role: String,
}

async fn members_with_error(s: &AppState, locale: Locale, ctx: &Ctx, e: AppError) -> PageResult {
    let t = crate::i18n::Tr::new(locale);
    let errors = form_errors(&t, e)?;
    Ok(html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &members_page(s, locale, ctx, None, String::new(), errors).await?,
    ))
}

pub async fn set_role(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<RoleForm>,
) -> PageResult {
    let user: UserId = parse_id(&id)?;
    let Ok(role) = f.role.parse::<Role>() else {
        return members_with_error(
            &s,
            locale,
            &ctx,
            AppError::invalid("role", "role-not-allowed"),
        )
        .await;
    };
    match s.app.set_member_role(&ctx, user, role).await {
        Ok(()) => Ok(see_other("/admin/members")),
        Err(e) => members_with_error(&s, locale, &ctx, e).await,
    }
}

pub async fn disable(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    let user: UserId = parse_id(&id)?;
    match s.app.set_member_disabled(&ctx, user, true).await {
        Ok(()) => Ok(see_other("/admin/members")),
        Err(e) => members_with_error(&s, locale, &ctx, e).await,
    }
}

pub async fn enable(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(_): Form<Empty>,
) -> PageResult {
    let user: UserId = parse_id(&id)?;
    match s.app.set_member_disabled(&ctx, user, false).await {
        Ok(()) => Ok(see_other("/admin/members")),
        Err(e) => members_with_error(&s, locale, &ctx, e).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisionForm {
    supervisor: String,
    clinician: String,
    action: String,
}

pub async fn supervision(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<SupervisionForm>,
) -> PageResult {
    let sup: UserId = parse_id(&f.supervisor)?;
    let cli: UserId = parse_id(&f.clinician)?;
    match s
        .app
        .set_supervision(&ctx, sup, cli, f.action != "remove")
        .await
    {
        Ok(()) => Ok(see_other("/admin/members")),
        Err(e) => members_with_error(&s, locale, &ctx, e).await,
    }
}

pub struct DirectoryRow {
    pub id: String,
    pub name: String,
    pub clinicians: String,
}

#[derive(Template)]
#[template(path = "admin/clients.html")]
struct DirectoryPage {
    c: Chrome,
    clients: Vec<DirectoryRow>,
    carers: Vec<Choice>,
    errors: FormErrors,
}

async fn directory_page(
    s: &AppState,
    locale: Locale,
    ctx: &Ctx,
    errors: FormErrors,
) -> Result<DirectoryPage, crate::errors::PageError> {
    let c = Chrome::new(s, Some(ctx), locale, "/admin/clients", "directory-title");
    let clients = s
        .app
        .clients(ctx)
        .await?
        .into_iter()
        .map(|c| DirectoryRow {
            id: c.id.to_string(),
            name: c.display_name,
            clinicians: c.clinicians.join(", "),
        })
        .collect();
    let carers = s
        .app
        .carers(ctx)
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            id: id.to_string(),
            label: name,
        })
        .collect();
    Ok(DirectoryPage {
        c,
        clients,
        carers,
        errors,
    })
}

pub async fn directory(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    Ok(html(
        &directory_page(&s, locale, &ctx, FormErrors::default()).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignForm {
    clinician: String,
    action: String,
}

pub async fn assign(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> PageResult {
    let client: ClientId = parse_id(&id)?;
    let clinician: UserId = parse_id(&f.clinician)?;
    match s
        .app
        .assign_client(&ctx, client, clinician, f.action != "remove")
        .await
    {
        Ok(()) => Ok(see_other("/admin/clients")),
        Err(e) => {
            let t = crate::i18n::Tr::new(locale);
            let errors = form_errors(&t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &directory_page(&s, locale, &ctx, errors).await?,
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    c: Chrome,
    name: String,
    crisis_text: String,
    client_mfa: bool,
    escalation: String,
    urgent_escalation: String,
    emergency_escalation: String,
    /// Clinicians whose clients' unacknowledged alerts would reach nobody: no supervisor.
    unsupervised: Vec<String>,
    idle: String,
    default_locale: &'static str,
    version: i64,
    errors: FormErrors,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn settings(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let clinic = s.app.clinic_settings(&ctx).await?;
    let unsupervised = unsupervised_clinicians(&s, &ctx).await?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/admin/settings", "settings-title");
    Ok(html(&SettingsPage {
        c,
        name: clinic.name,
        crisis_text: clinic.settings.crisis_text.clone(),
        client_mfa: clinic.settings.client_second_factor_required,
        escalation: clinic.settings.alert_escalation_minutes.to_string(),
        urgent_escalation: clinic.settings.urgent_escalation_minutes.to_string(),
        emergency_escalation: clinic.settings.emergency_escalation_minutes.to_string(),
        unsupervised,
        idle: clinic.settings.idle_timeout_minutes.to_string(),
        default_locale: clinic.settings.default_locale.code(),
        version: clinic.version,
        errors: FormErrors::default(),
        saved: q.saved.is_some(),
    }))
}

/// The names of active clinicians with no supervisor: an alert of their clients that nobody
/// acknowledges has nobody to escalate to.
async fn unsupervised_clinicians(
    s: &AppState,
    ctx: &Ctx,
) -> Result<Vec<String>, crate::errors::PageError> {
    let mut names: Vec<String> = s
        .app
        .members(ctx)
        .await?
        .into_iter()
        .filter(|m| m.role == Role::Clinician && !m.membership_disabled && m.supervisors.is_empty())
        .map(|m| m.user.display_name)
        .collect();
    names.sort();
    Ok(names)
}

/// A number of minutes from the settings form, or a field error naming the setting.
fn minutes(raw: &str, field: &str, errors: &mut Vec<kith_app::FieldError>) -> u32 {
    raw.trim().parse::<u32>().unwrap_or_else(|_| {
        errors.push(kith_app::FieldError::new(field, "field-not-a-number"));
        0
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsForm {
    name: String,
    crisis_text: String,
    #[serde(default)]
    client_mfa: Option<String>,
    escalation: String,
    /// Left out (a form from before these settings existed): the current value stays.
    #[serde(default)]
    urgent_escalation: Option<String>,
    #[serde(default)]
    emergency_escalation: Option<String>,
    idle: String,
    default_locale: String,
    version: String,
}

pub async fn save_settings(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<SettingsForm>,
) -> PageResult {
    let current = s.app.clinic_settings(&ctx).await?;
    let mut errors = Vec::new();
    let escalation = minutes(&f.escalation, "alert_escalation_minutes", &mut errors);
    let urgent = match &f.urgent_escalation {
        Some(raw) => minutes(raw, "urgent_escalation_minutes", &mut errors),
        None => current.settings.urgent_escalation_minutes,
    };
    let emergency = match &f.emergency_escalation {
        Some(raw) => minutes(raw, "emergency_escalation_minutes", &mut errors),
        None => current.settings.emergency_escalation_minutes,
    };
    let idle = minutes(&f.idle, "idle_timeout_minutes", &mut errors);
    let default_locale = Locale::from_tag(&f.default_locale).unwrap_or_else(|| {
        errors.push(kith_app::FieldError::new(
            "default_locale",
            "field-out-of-range",
        ));
        Locale::En
    });
    let version = f.version.parse::<i64>().unwrap_or(-1);
    // Settings this form does not show keep their current values.
    let mut settings: ClinicSettings = current.settings.clone();
    settings.crisis_text = f.crisis_text.clone();
    settings.client_second_factor_required = f.client_mfa.is_some();
    settings.alert_escalation_minutes = escalation;
    settings.urgent_escalation_minutes = urgent;
    settings.emergency_escalation_minutes = emergency;
    settings.idle_timeout_minutes = idle;
    settings.default_locale = default_locale;
    let result = if errors.is_empty() {
        s.app.update_clinic(&ctx, &f.name, settings, version).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(see_other("/admin/settings?saved=1")),
        Err(e) => {
            let unsupervised = unsupervised_clinicians(&s, &ctx).await?;
            let c = Chrome::new(&s, Some(&ctx), locale, "/admin/settings", "settings-title");
            let errors = form_errors(&c.t, e)?;
            Ok(html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SettingsPage {
                    c,
                    name: f.name,
                    crisis_text: f.crisis_text,
                    client_mfa: f.client_mfa.is_some(),
                    escalation: f.escalation,
                    urgent_escalation: f.urgent_escalation.unwrap_or_else(|| urgent.to_string()),
                    emergency_escalation: f
                        .emergency_escalation
                        .unwrap_or_else(|| emergency.to_string()),
                    unsupervised,
                    idle: f.idle,
                    default_locale: default_locale.code(),
                    version: current.version,
                    errors,
                    saved: false,
                },
            ))
        }
    }
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub client: String,
    pub object: String,
    pub action: String,
    pub outcome: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<AuditRow>,
    members: Vec<Choice>,
    clients: Vec<Choice>,
    actor: String,
    client: String,
    from: String,
    to: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    client: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn parse_day(
    field: &str,
    s: Option<&str>,
    errors: &mut Vec<kith_app::FieldError>,
) -> Option<time::OffsetDateTime> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    match time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")) {
        Ok(d) => Some(d.midnight().assume_utc()),
        Err(_) => {
            errors.push(kith_app::FieldError::new(field, "field-not-a-date"));
            None
        }
    }
}

pub async fn audit(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let c = Chrome::new(&s, Some(&ctx), locale, "/admin/audit", "audit-title");
    let t = c.t;
    let mut errs = Vec::new();
    let actor = q
        .actor
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|a| a.parse::<UserId>())
        .transpose()
        .map_err(|_| errs.push(kith_app::FieldError::new("actor", "field-out-of-range")))
        .ok()
        .flatten();
    let client = q
        .client
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|a| a.parse::<ClientId>())
        .transpose()
        .map_err(|_| errs.push(kith_app::FieldError::new("client", "field-out-of-range")))
        .ok()
        .flatten();
    let from = parse_day("from", q.from.as_deref(), &mut errs);
    // "To" includes the whole day given.
    let to = parse_day("to", q.to.as_deref(), &mut errs).map(|d| d + time::Duration::days(1));
    let members = s.app.members(&ctx).await?;
    let directory = s.app.clients(&ctx).await?;
    let name_of = |id: Option<UserId>| {
        id.and_then(|id| members.iter().find(|m| m.user.id == id))
            .map(|m| m.user.display_name.clone())
            .unwrap_or_else(|| "—".into())
    };
    let client_of = |id: Option<ClientId>| {
        id.and_then(|id| directory.iter().find(|c| c.id == id))
            .map(|c| c.display_name.clone())
            .unwrap_or_default()
    };
    let (rows, errors) = if errs.is_empty() {
        let rows = s.app.audit_report(&ctx, client, actor, from, to).await?;
        (rows, FormErrors::default())
    } else {
        (Vec::new(), FormErrors::from(&t, &errs))
    };
    let rows = rows
        .into_iter()
        .map(|r| AuditRow {
            seq: r.seq,
            at: t.datetime(r.event.at),
            actor: name_of(r.event.actor),
            role: r.event.actor_role.unwrap_or_default(),
            client: client_of(r.event.client),
            object: r.event.object_type,
            action: t.get(&format!(
                "audit-action-{}",
                r.event.action.as_str().replace('_', "-")
            )),
            outcome: t.get(&format!("audit-outcome-{}", r.event.outcome.as_str())),
            source: r.event.source.unwrap_or_default(),
        })
        .collect();
    Ok(html(&AuditPage {
        c,
        rows,
        members: members
            .iter()
            .map(|m| Choice {
                id: m.user.id.to_string(),
                label: m.user.display_name.clone(),
            })
            .collect(),
        clients: directory
            .iter()
            .map(|c| Choice {
                id: c.id.to_string(),
                label: c.display_name.clone(),
            })
            .collect(),
        actor: q.actor.unwrap_or_default(),
        client: q.client.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        errors,
    }))
}
