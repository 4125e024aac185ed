//! The one authorisation policy: `can(actor, action, resource)`.
//!
//! Every route of the web crate is registered with the [`Action`] it needs; the route's handler loads
//! the facts about the record it touches ([`ClientFacts`]) and asks this function. Nothing else in Kith
//! decides who may see what. The rules:
//!
//! * nobody crosses clinics;
//! * staff without a second factor get nothing but their own account and reference data;
//! * clinicians see and write only the clients they are assigned to;
//! * supervisors see (never write) the clients of the clinicians they supervise, sign off their notes
//!   and acknowledge their alerts;
//! * clinic admins manage people, assignments and settings and read the audit, but see no clinical
//!   content (note bodies, answers, plans);
//! * clients see only themselves, through the portal;
//! * the server operator manages clinics and the audit switch and sees no clinical data;
//! * process notes are visible to their author alone.

use crate::identity::{Actor, Role};
use crate::ids::{ClientId, ClinicId, UserId};
use serde::Serialize;

/// Something a route lets a user do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Anyone signed in: their own sessions, password, second factor, API tokens.
    OwnAccount,
    /// Anyone signed in: protocol and instrument definitions.
    ViewReference,
    /// Server operator: clinics, the audit switch.
    OperateServer,
    /// Clinic admin: clinic settings such as crisis resources, thresholds, protocols.
    ManageClinic,
    /// Clinic admin: members, invitations, supervision links.
    ManageMembers,
    /// Clinic admin: which clinician cares for which client.
    AssignClients,
    /// Clinic admin: the audit report.
    ViewAudit,
    /// Staff: the list of clients (each role sees its own slice).
    ListClients,
    /// Clinician or clinic admin: register a client.
    RegisterClient,
    /// Demographics and assignment of one client.
    ViewClient,
    /// Change demographics of one client.
    EditClient,
    /// Clinical content of one client: courses, notes, answers, inventory, plans, alerts.
    ViewClinical,
    /// Write clinical content for one client.
    WriteClinical,
    /// Supervisor sign-off of a signed note.
    SignOffNote,
    /// Acknowledge a safety alert with an action note.
    AcknowledgeAlert,
    /// Export or print a client's whole record.
    ExportRecord,
    /// A clinician's private process notes (author only).
    ProcessNote,
    /// A client's own portal: due questionnaires, shared plan, safety plan, own record.
    UsePortal,
    /// Supervisor and clinic views across a caseload (fidelity, outcomes, alerts lists).
    ViewCaseload,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::OwnAccount,
        Action::ViewReference,
        Action::OperateServer,
        Action::ManageClinic,
        Action::ManageMembers,
        Action::AssignClients,
        Action::ViewAudit,
        Action::ListClients,
        Action::RegisterClient,
        Action::ViewClient,
        Action::EditClient,
        Action::ViewClinical,
        Action::WriteClinical,
        Action::SignOffNote,
        Action::AcknowledgeAlert,
        Action::ExportRecord,
        Action::ProcessNote,
        Action::UsePortal,
        Action::ViewCaseload,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::OwnAccount => "own_account",
            Action::ViewReference => "view_reference",
            Action::OperateServer => "operate_server",
            Action::ManageClinic => "manage_clinic",
            Action::ManageMembers => "manage_members",
            Action::AssignClients => "assign_clients",
            Action::ViewAudit => "view_audit",
            Action::ListClients => "list_clients",
            Action::RegisterClient => "register_client",
            Action::ViewClient => "view_client",
            Action::EditClient => "edit_client",
            Action::ViewClinical => "view_clinical",
            Action::WriteClinical => "write_clinical",
            Action::SignOffNote => "sign_off_note",
            Action::AcknowledgeAlert => "acknowledge_alert",
            Action::ExportRecord => "export_record",
            Action::ProcessNote => "process_note",
            Action::UsePortal => "use_portal",
            Action::ViewCaseload => "view_caseload",
        }
    }

    /// Whether the action is about one client's record (and so needs [`ClientFacts`]).
    pub fn is_about_a_client(self) -> bool {
        matches!(
            self,
            Action::ViewClient
                | Action::EditClient
                | Action::ViewClinical
                | Action::WriteClinical
                | Action::SignOffNote
                | Action::AcknowledgeAlert
                | Action::ExportRecord
                | Action::ProcessNote
                | Action::UsePortal
        )
    }

    /// Roles that can perform the action on at least some record (for documentation, e.g. OpenAPI).
    pub fn roles(self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| role_may(*r, self))
            .collect()
    }
}

/// What the policy knows about one client when deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFacts {
    pub clinic: ClinicId,
    pub client: ClientId,
    /// Clinicians currently assigned to the client.
    pub clinicians: Vec<UserId>,
    /// Supervisors of any assigned clinician.
    pub supervisors: Vec<UserId>,
    /// The client's own portal account, if invited.
    pub portal_user: Option<UserId>,
}

/// The record an action is about.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// Not about a record (own account, reference data, lists scoped by the query).
    Nothing,
    /// A clinic as a whole (settings, members, audit).
    Clinic(ClinicId),
    /// One client's record.
    Client(&'a ClientFacts),
    /// A process note written by `author` about a client.
    ProcessNote {
        client: &'a ClientFacts,
        author: UserId,
    },
}

/// Why a request was refused. `OtherClinic` and `NotYours` must look like "not found" to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The session has no membership in a clinic but the action needs one.
    NoClinic,
    /// Staff must pass a second factor first.
    SecondFactorRequired,
    /// The record belongs to another clinic.
    OtherClinic,
    /// The record is in the caller's clinic but not in their care or scope.
    NotYours,
    /// The caller's role never performs this action.
    RoleCannot,
}

impl Denial {
    /// Refusals that must be indistinguishable from a record that does not exist.
    pub fn hides_existence(self) -> bool {
        matches!(self, Denial::OtherClinic | Denial::NotYours)
    }
}

/// Whether a role performs an action at all (on a record it is related to).
fn role_may(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        OwnAccount | ViewReference => true,
        OperateServer => false,
        ManageClinic | ManageMembers | AssignClients | ViewAudit => role == ClinicAdmin,
        ListClients => matches!(role, ClinicAdmin | Clinician | Supervisor),
        RegisterClient => matches!(role, ClinicAdmin | Clinician),
        ViewClient => true,
        EditClient => matches!(role, ClinicAdmin | Clinician),
        ViewClinical | ExportRecord => matches!(role, Clinician | Supervisor),
        WriteClinical | ProcessNote => matches!(role, Clinician | Supervisor),
        SignOffNote => role == Supervisor,
        AcknowledgeAlert => matches!(role, Clinician | Supervisor),
        UsePortal => role == Client,
        ViewCaseload => matches!(role, Supervisor | ClinicAdmin | Clinician),
    }
}

/// What the policy can say before it sees the record: whether this actor could perform `action` on
/// some record at all. Routes check this first; [`can`] repeats it and then looks at the record.
pub fn precheck(actor: &Actor, action: Action) -> Result<(), Denial> {
    // Account and reference actions need only a signed-in user.
    if matches!(action, Action::OwnAccount | Action::ViewReference) {
        return Ok(());
    }
    if actor.needs_second_factor() {
        return Err(Denial::SecondFactorRequired);
    }
    if action == Action::OperateServer {
        return if actor.operator {
            Ok(())
        } else {
            Err(Denial::RoleCannot)
        };
    }
    let Some((_, role)) = actor.membership else {
        return Err(Denial::NoClinic);
    };
    if !role_may(role, action) {
        return Err(Denial::RoleCannot);
    }
    Ok(())
}

/// The policy. `Ok(())` allows; `Err` says why not.
pub fn can(actor: &Actor, action: Action, resource: Resource<'_>) -> Result<(), Denial> {
    if matches!(
        action,
        Action::OwnAccount | Action::ViewReference | Action::OperateServer
    ) {
        return precheck(actor, action);
    }
    if actor.needs_second_factor() {
        return Err(Denial::SecondFactorRequired);
    }
    let Some((clinic, role)) = actor.membership else {
        return Err(Denial::NoClinic);
    };
    // Tenant boundary first: a record of another clinic is simply not there.
    let record_clinic = match resource {
        Resource::Nothing => None,
        Resource::Clinic(c) => Some(c),
        Resource::Client(f) | Resource::ProcessNote { client: f, .. } => Some(f.clinic),
    };
    if record_clinic.is_some_and(|c| c != clinic) {
        return Err(Denial::OtherClinic);
    }
    precheck(actor, action)?;
    if !action.is_about_a_client() {
        return Ok(());
    }
    let facts = match resource {
        Resource::Client(f) | Resource::ProcessNote { client: f, .. } => f,
        // A client-scoped action without its client is refused, never guessed.
        Resource::Nothing | Resource::Clinic(_) => return Err(Denial::NotYours),
    };
    let me = actor.user;
    let assigned = facts.clinicians.contains(&me);
    let supervises = facts.supervisors.contains(&me);
    let ok = match (action, role) {
        (Action::ProcessNote, _) => match resource {
            Resource::ProcessNote { author, .. } => author == me && assigned,
            // Writing a new process note: only someone caring for the client.
            _ => assigned,
        },
        (Action::UsePortal, Role::Client) => facts.portal_user == Some(me),
        (Action::ViewClient, Role::Client) => facts.portal_user == Some(me),
        (Action::ViewClient | Action::EditClient, Role::ClinicAdmin) => true,
        (Action::ViewClient | Action::EditClient, Role::Clinician) => assigned,
        (Action::ViewClient, Role::Supervisor) => assigned || supervises,
        (Action::ViewClinical | Action::ExportRecord | Action::AcknowledgeAlert, _) => {
            assigned || (role == Role::Supervisor && supervises)
        }
        // Supervisors write only for clients directly in their own care.
        (Action::WriteClinical, _) => assigned,
        (Action::SignOffNote, Role::Supervisor) => supervises,
        _ => false,
    };
    if ok { Ok(()) } else { Err(Denial::NotYours) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn uid(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn staff(user: u128, clinic: ClinicId, role: Role) -> Actor {
        Actor {
            user: uid(user),
            membership: Some((clinic, role)),
            operator: false,
            second_factor: true,
        }
    }

    #[test]
    fn clinician_sees_assigned_client_only() {
        let clinic = ClinicId(Uuid::from_u128(1));
        let facts = ClientFacts {
            clinic,
            client: ClientId(Uuid::from_u128(9)),
            clinicians: vec![uid(10)],
            supervisors: vec![uid(20)],
            portal_user: Some(uid(30)),
        };
        let mine = staff(10, clinic, Role::Clinician);
        let colleague = staff(11, clinic, Role::Clinician);
        assert!(can(&mine, Action::ViewClinical, Resource::Client(&facts)).is_ok());
        assert_eq!(
            can(&colleague, Action::ViewClinical, Resource::Client(&facts)),
            Err(Denial::NotYours)
        );
        let sup = staff(20, clinic, Role::Supervisor);
        assert!(can(&sup, Action::ViewClinical, Resource::Client(&facts)).is_ok());
        assert_eq!(
            can(&sup, Action::WriteClinical, Resource::Client(&facts)),
            Err(Denial::NotYours)
        );
        let admin = staff(40, clinic, Role::ClinicAdmin);
        assert!(can(&admin, Action::ViewClient, Resource::Client(&facts)).is_ok());
        assert_eq!(
            can(&admin, Action::ViewClinical, Resource::Client(&facts)),
            Err(Denial::RoleCannot)
        );
    }

    #[test]
    fn other_clinic_is_hidden_and_mfa_comes_first() {
        let facts = ClientFacts {
            clinic: ClinicId(Uuid::from_u128(2)),
            client: ClientId(Uuid::from_u128(9)),
            clinicians: vec![uid(10)],
            supervisors: vec![],
            portal_user: None,
        };
        let mut a = staff(10, ClinicId(Uuid::from_u128(1)), Role::Clinician);
        assert_eq!(
            can(&a, Action::ViewClinical, Resource::Client(&facts)),
            Err(Denial::OtherClinic)
        );
        a.second_factor = false;
        assert_eq!(
            can(&a, Action::ListClients, Resource::Nothing),
            Err(Denial::SecondFactorRequired)
        );
        assert!(can(&a, Action::OwnAccount, Resource::Nothing).is_ok());
    }
}
