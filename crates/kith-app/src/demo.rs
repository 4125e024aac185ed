//! The demo clinic: realistic people and cases so that a newcomer sees Kith in use. Loaded by
//! `kith serve --demo` or `kith demo`; loading twice changes nothing. Demo accounts come with a
//! second factor already enrolled, and their secrets are printed so that a tester can sign in.

use crate::{App, AppResult, blocking, passwords, totp};
use kith_domain::audit::{AuditAction, AuditEvent, Outcome};
use kith_domain::clinic::ClinicSettings;
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, ClinicId, UserId};
use kith_domain::locale::Locale;
use kith_store::{NewClient, NewClinic, NewUser};
use uuid::Uuid;

#[path = "demo_courses.rs"]
mod courses;

/// A client of the demo and the clinician caring for them.
#[derive(Debug, Clone)]
pub(crate) struct DemoClient {
    pub name: String,
    pub client: ClientId,
    pub clinician: UserId,
}

/// One demo account, as printed for testers.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub clinic: String,
    pub role: String,
    pub name: String,
    pub email: String,
    pub password: String,
    /// Base32 TOTP secret for an authenticator app (staff).
    pub totp_secret: Option<String>,
}

const MARKER: &str = "demo_loaded";

struct Person {
    name: &'static str,
    email: &'static str,
    password: &'static str,
    role: Role,
    operator: bool,
}

const RIVERSIDE: &[Person] = &[
    Person {
        name: "Amara Okafor",
        email: "admin@riverside.demo",
        password: "quiet-harbour-lamps-27",
        role: Role::ClinicAdmin,
        operator: true,
    },
    Person {
        name: "Dr Lena Brandt",
        email: "lena@riverside.demo",
        password: "amber-willow-tide-58",
        role: Role::Clinician,
        operator: false,
    },
    Person {
        name: "Tomás Rivera",
        email: "tomas@riverside.demo",
        password: "copper-fern-meadow-13",
        role: Role::Clinician,
        operator: false,
    },
    Person {
        name: "Priya Nair",
        email: "priya@riverside.demo",
        password: "silver-orchard-drum-64",
        role: Role::Clinician,
        operator: false,
    },
    Person {
        name: "Dr Helen Marsh",
        email: "helen@riverside.demo",
        password: "linen-cedar-compass-39",
        role: Role::Supervisor,
        operator: false,
    },
];

const HILLSIDE: &[Person] = &[
    Person {
        name: "Kofi Mensah",
        email: "admin@hillside.demo",
        password: "granite-poppy-lantern-72",
        role: Role::ClinicAdmin,
        operator: false,
    },
    Person {
        name: "Sofía Delgado",
        email: "sofia@hillside.demo",
        password: "velvet-canyon-sparrow-85",
        role: Role::Clinician,
        operator: false,
    },
];

/// Clients of the demo: display name (pseudonymous), clinician index in the clinic's list, year of birth.
const RIVERSIDE_CLIENTS: &[(&str, usize, i32)] = &[
    ("R. Hughes", 1, 1968),
    ("Maya P.", 1, 1991),
    ("Daniel K.", 1, 1984),
    ("J. Ortega", 2, 1975),
    ("Sam W.", 2, 2009),
    ("Ines L.", 2, 1993),
    ("Owen T.", 3, 1959),
    ("Nadia F.", 3, 1988),
    ("Group member A. B.", 3, 1979),
];

const HILLSIDE_CLIENTS: &[(&str, usize, i32)] = &[("C. Moreno", 1, 1982), ("E. Walsh", 1, 1970)];

/// The client who has a portal account in the demo.
const PORTAL_CLIENT: (&str, &str, &str) = (
    "Maya P.",
    "maya@client.demo",
    "gentle-morning-river-walks-02",
);

impl App {
    /// Loads the demo clinic unless it is already there; returns the logins either way.
    pub async fn load_demo(
        &self,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> AppResult<Vec<DemoLogin>> {
        if self.store.meta(MARKER).await?.is_none() {
            progress("Riverside Community Clinic");
            let (riverside, riverside_clients) = self
                .demo_clinic(
                "Riverside Community Clinic",
                "Crisis line (24 hours): 0800 555 0199\nText SHOUT to 85258 at any time\nIn an emergency call 999 or go to the nearest emergency department.",
                RIVERSIDE,
                RIVERSIDE_CLIENTS,
                true,
                progress,
            )
            .await?;
            progress("Riverside courses");
            self.demo_riverside_courses(riverside, &riverside_clients)
                .await?;
            progress("Hillside Counselling Service");
            let (hillside, hillside_clients) = self
                .demo_clinic(
                    "Hillside Counselling Service",
                    "Línea de crisis 24 h: 024\nEn una emergencia llame al 112.",
                    HILLSIDE,
                    HILLSIDE_CLIENTS,
                    false,
                    progress,
                )
                .await?;
            progress("Hillside courses");
            self.demo_hillside_courses(hillside, &hillside_clients)
                .await?;
            self.store.set_meta(MARKER, "1").await?;
        }
        self.demo_logins().await
    }

    async fn demo_clinic(
        &self,
        name: &str,
        crisis: &str,
        people: &[Person],
        clients: &[(&str, usize, i32)],
        with_portal: bool,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> AppResult<(ClinicId, Vec<DemoClient>)> {
        let now = self.now();
        let clinic = NewClinic {
            id: ClinicId(Uuid::now_v7()),
            name: name.into(),
            settings: ClinicSettings {
                crisis_text: crisis.into(),
                default_locale: if name.starts_with("Hillside") {
                    Locale::Es
                } else {
                    Locale::En
                },
                ..ClinicSettings::default()
            },
            created_at: now,
        };
        let clinic_id = clinic.id;
        let event = |object: &str, id: String, action: AuditAction, detail: &str| AuditEvent {
            at: now,
            actor: None,
            actor_role: Some("operator".into()),
            clinic: Some(clinic_id),
            client: None,
            object_type: object.into(),
            object_id: Some(id),
            action,
            outcome: Outcome::Success,
            source: Some("demo loader".into()),
            detail: Some(detail.into()),
        };
        self.store
            .create_clinic(
                clinic,
                &[event(
                    "clinic",
                    clinic_id.to_string(),
                    AuditAction::Setup,
                    "demo clinic loaded",
                )],
            )
            .await?;
        let mut ids = Vec::new();
        for p in people {
            progress(p.name);
            let password = p.password.to_string();
            let hash = blocking(move || passwords::hash(&password))
                .await?
                .map_err(crate::AppError::Internal)?;
            let user = NewUser {
                id: UserId(Uuid::now_v7()),
                email: p.email.into(),
                display_name: p.name.into(),
                password_hash: Some(hash),
                operator: p.operator,
                locale: None,
                created_at: now,
            };
            let id = user.id;
            self.store
                .create_user(user, Some((clinic_id, p.role)), &[])
                .await?;
            let secret = totp::new_secret();
            self.store.set_pending_totp(id, &secret).await?;
            let codes: Vec<[u8; 32]> = (0..10)
                .map(|_| crate::secrets::recovery_code_hash(&crate::secrets::new_recovery_code()))
                .collect();
            self.store.confirm_totp(id, now, &codes, None, &[]).await?;
            ids.push((id, p.role));
        }
        // The supervisor supervises the first two clinicians.
        if let Some((sup, _)) = ids.iter().find(|(_, r)| *r == Role::Supervisor) {
            for (clin, _) in ids.iter().filter(|(_, r)| *r == Role::Clinician).take(2) {
                self.store
                    .set_supervision(clinic_id, *sup, *clin, true, now, &[])
                    .await?;
            }
        }
        let mut demo_clients = Vec::new();
        for (display, who, year) in clients {
            let (clinician, _) = ids[*who];
            let id = ClientId(Uuid::now_v7());
            demo_clients.push(DemoClient {
                name: (*display).to_string(),
                client: id,
                clinician,
            });
            let dob = time::Date::from_calendar_date(*year, time::Month::March, 14).ok();
            self.store
                .register_client(
                    NewClient {
                        id,
                        clinic: clinic_id,
                        display_name: (*display).into(),
                        date_of_birth: dob,
                        contact: Some(format!("Phone 0700 900 {:03}", year % 1000)),
                        created_by: clinician,
                        created_at: now,
                        assign_to: Some(clinician),
                    },
                    None,
                    &[event(
                        "client",
                        id.to_string(),
                        AuditAction::Create,
                        "demo client registered",
                    )],
                )
                .await?;
            if with_portal && *display == PORTAL_CLIENT.0 {
                let password = PORTAL_CLIENT.2.to_string();
                let hash = blocking(move || passwords::hash(&password))
                    .await?
                    .map_err(crate::AppError::Internal)?;
                let token = crate::secrets::new_token();
                let inv = kith_store::Invitation {
                    id: kith_domain::ids::InvitationId(Uuid::now_v7()),
                    clinic: clinic_id,
                    email: PORTAL_CLIENT.1.into(),
                    role: Role::Client,
                    client: Some(id),
                    created_by: clinician,
                    created_at: now,
                    expires_at: now + time::Duration::days(1),
                    accepted_at: None,
                    revoked_at: None,
                };
                self.store
                    .create_invitation(inv, crate::secrets::token_hash(&token), &[])
                    .await?;
                let user = NewUser {
                    id: UserId(Uuid::now_v7()),
                    email: PORTAL_CLIENT.1.into(),
                    display_name: "Maya P.".into(),
                    password_hash: Some(hash),
                    operator: false,
                    locale: None,
                    created_at: now,
                };
                self.store
                    .accept_invitation(
                        crate::secrets::token_hash(&token),
                        now,
                        kith_store::Invitee::New(user),
                        &[],
                    )
                    .await?;
            }
        }
        Ok((clinic_id, demo_clients))
    }

    async fn demo_logins(&self) -> AppResult<Vec<DemoLogin>> {
        let mut out = Vec::new();
        for (clinic, people) in [
            ("Riverside Community Clinic", RIVERSIDE),
            ("Hillside Counselling Service", HILLSIDE),
        ] {
            for p in people {
                let Some(user) = self.store.user_by_email(p.email).await? else {
                    continue;
                };
                let secret = self
                    .store
                    .totp_secret(user.id)
                    .await?
                    .map(|s| totp::secret_base32(&s));
                out.push(DemoLogin {
                    clinic: clinic.into(),
                    role: p.role.as_str().into(),
                    name: p.name.into(),
                    email: p.email.into(),
                    password: p.password.into(),
                    totp_secret: secret,
                });
            }
        }
        Ok(out)
    }
}
