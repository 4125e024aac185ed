//! Who is acting: roles within a clinic, the server operator above clinics.

use crate::ids::{ClinicId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role a user holds in one clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ClinicAdmin,
    Clinician,
    Supervisor,
    Client,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::ClinicAdmin,
        Role::Clinician,
        Role::Supervisor,
        Role::Client,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ClinicAdmin => "clinic_admin",
            Role::Clinician => "clinician",
            Role::Supervisor => "supervisor",
            Role::Client => "client",
        }
    }

    /// Staff must use a second factor before any client data is served to them.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Client)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// The authenticated party behind a request, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    /// The clinic and role this session acts in; `None` for an operator-only session.
    pub membership: Option<(ClinicId, Role)>,
    /// Whether the user is a server operator (installs, clinics, audit switch). Operators see no
    /// clinical data by virtue of being operators.
    pub operator: bool,
    /// Whether this session passed a second factor.
    pub second_factor: bool,
}

impl Actor {
    pub fn clinic(&self) -> Option<ClinicId> {
        self.membership.map(|(c, _)| c)
    }

    pub fn role(&self) -> Option<Role> {
        self.membership.map(|(_, r)| r)
    }

    /// Staff (operator or any staff role) without a second factor get nothing but their own account.
    pub fn needs_second_factor(&self) -> bool {
        let staff = self.operator || self.role().is_some_and(Role::is_staff);
        staff && !self.second_factor
    }
}
