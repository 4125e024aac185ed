//! The access matrix (AC-1…AC-5, and TX-2 on every answer): every route of
//! `kith_web::route_table()` × every role (clinic admin, clinician, supervisor, client, and
//! anonymous) × {own record, another record of the same clinic, a record of another clinic, an id
//! that does not exist}, on SQLite and (when configured) PostgreSQL.
//!
//! The expected decision comes from the table in [`expected`], written from the roles' rules in
//! the product description, not from the code under test. Checks:
//! * a disallowed combination answers 403 or 404, with nothing but the error envelope (AC-4);
//! * another clinic's record and a record that does not exist answer alike (AC-2);
//! * an allowed combination is neither 401 nor 403, nor a detour to sign-in or second factor;
//! * nothing answers 5xx, and every answer carries the security headers (TX-2);
//! * the route table has no duplicates and nothing outside it answers (AC-1);
//! * no GET changes a stored row (AC-5).

mod course_sessions_common;
mod trust_support;

use kith_domain::identity::Role;
use kith_domain::ids::{ApiTokenId, ClientId, ClinicId, InvitationId, UserId};
use kith_domain::policy::Action;
use kith_testkit::{Person, TestApp, World, backends};
use kith_web::routes::{Access, RouteSpec, Surface};
use reqwest::Method;
use std::collections::{BTreeMap, HashMap};
use trust_support::{Resp, Tab, changed_tables, mask_uuids, sign_in, snapshot};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    Admin,
    Clinician,
    Supervisor,
    Client,
    Anonymous,
}

const EVERYONE: [Who; 5] = [
    Who::Admin,
    Who::Clinician,
    Who::Supervisor,
    Who::Client,
    Who::Anonymous,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Case {
    /// The route names no record.
    NoRecord,
    Own,
    Other,
    OtherClinic,
    Missing,
}

const RECORD_CASES: [Case; 4] = [Case::Own, Case::Other, Case::OtherClinic, Case::Missing];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allow,
    /// Allowed, but the record is not there: 404 (or 410 for link tokens).
    Absent,
    Deny,
    /// Anonymous on a signed route: sign in first (pages) or 401 (API).
    Unauth,
    Skip(&'static str),
}

/// The records below a client that routes name by their own id. The fixture makes one of each for
/// `mine` (own), `theirs` (other) and the other clinic's `mine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Rec {
    Course,
    Session,
    Note,
    Worksheet,
    Alert,
}

/// What a path parameter stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Clients the roles relate to through care (`mine`, `theirs`).
    Client,
    /// Clients reassigned by admin routes: spare ones, so the care relations stay as they are.
    SpareClient,
    Member,
    Invitation,
    ApiToken,
    Session,
    Protocol,
    Instrument,
    SetupToken,
    InvitationToken,
    StaticFile,
    /// A record inside a client's course (or an alert about them), named by its own id.
    Record(Rec),
    /// A parameter this suite does not know yet: only an id that does not exist is tried.
    Opaque,
}

fn kind_of(path: &str) -> Option<Kind> {
    if !path.contains('{') {
        return None;
    }
    Some(match path {
        "/clients/{id}" | "/api/v1/clients/{id}" => Kind::Client,
        // Everything about one client's record (measures, safety plan, courses…).
        p if p.starts_with("/clients/{id}/") || p.starts_with("/api/v1/clients/{id}/") => {
            Kind::Client
        }
        "/admin/clients/{id}/assign" => Kind::SpareClient,
        p if p.starts_with("/admin/members/{id}/") => Kind::Member,
        "/admin/invitations/{id}/revoke" => Kind::Invitation,
        "/account/tokens/{id}/revoke" => Kind::ApiToken,
        "/account/sessions/{handle}/end" => Kind::Session,
        "/protocols/{id}" | "/api/v1/protocols/{id}" => Kind::Protocol,
        "/api/v1/instruments/{id}" => Kind::Instrument,
        "/setup/{token}" => Kind::SetupToken,
        "/invitation/{token}" => Kind::InvitationToken,
        "/static/{file}" => Kind::StaticFile,
        p if p.starts_with("/courses/{id}") || p.starts_with("/api/v1/courses/{id}") => {
            Kind::Record(Rec::Course)
        }
        p if p.starts_with("/sessions/{id}") => Kind::Record(Rec::Session),
        p if p.starts_with("/notes/{id}") => Kind::Record(Rec::Note),
        p if p.starts_with("/worksheets/{id}") => Kind::Record(Rec::Worksheet),
        p if p.starts_with("/alerts/{id}") || p.starts_with("/api/v1/alerts/{id}") => {
            Kind::Record(Rec::Alert)
        }
        _ => Kind::Opaque,
    })
}

/// What each role may do on a client's record through a route about that record, from the product's
/// role descriptions: clinicians act on their own clients, supervisors read (and acknowledge alerts
/// of) their supervisees' clients, clients use their own portal, admins see no clinical content.
/// `Own` is the client the clinician cares for (and the supervisor supervises); `Other` is a
/// colleague's client in the same clinic.
fn client_record(action: Action, who: Who, case: Case) -> Expect {
    use Who::*;
    if who == Anonymous {
        return Expect::Unauth;
    }
    let allowed = match action {
        Action::ViewClinical | Action::ExportRecord | Action::AcknowledgeAlert => {
            matches!(who, Clinician | Supervisor)
        }
        Action::WriteClinical | Action::ProcessNote => who == Clinician,
        Action::UsePortal => who == Client,
        Action::ViewClient => true,
        Action::EditClient => matches!(who, Admin | Clinician),
        Action::SignOffNote => who == Supervisor,
        _ => false,
    };
    match case {
        Case::Own if allowed => Expect::Allow,
        Case::Other if allowed && who == Admin => Expect::Allow,
        _ => Expect::Deny,
    }
}

/// Roles that perform an action at all, from the product's role descriptions. Used for routes the
/// table below does not name yet.
fn roles_for(action: Action) -> &'static [Who] {
    use Who::*;
    match action {
        Action::OwnAccount | Action::ViewReference | Action::ViewClient => {
            &[Admin, Clinician, Supervisor, Client]
        }
        Action::ManageClinic
        | Action::ManageMembers
        | Action::AssignClients
        | Action::ViewAudit => &[Admin],
        Action::ListClients | Action::ViewCaseload => &[Admin, Clinician, Supervisor],
        Action::RegisterClient | Action::EditClient => &[Admin, Clinician],
        Action::ViewClinical
        | Action::WriteClinical
        | Action::ExportRecord
        | Action::ProcessNote
        | Action::AcknowledgeAlert => &[Clinician, Supervisor],
        Action::SignOffNote => &[Supervisor],
        Action::UsePortal => &[Client],
        Action::OperateServer => &[],
    }
}

/// The expected decision. `None` for a route this table does not know (then the declared action
/// and [`roles_for`] decide, role by role).
fn expected(method: &Method, path: &str, who: Who, case: Case) -> Option<Expect> {
    use Who::*;
    let post = *method == Method::POST;
    // POSTs that end or change the caller's own session or credentials are covered by the
    // session and authentication tests (trust_sessions.rs, trust_auth.rs).
    if post {
        let skip = match path {
            "/logout" => Some("ends the caller's session (trust_sessions)"),
            "/login" => Some("replaces the caller's session (trust_sessions, trust_auth)"),
            "/account/password" => Some("changes the caller's password (trust_sessions)"),
            "/mfa" => Some("second-factor step of the caller (trust_auth)"),
            "/mfa/enrol" | "/account/second-factor/reset" => {
                Some("changes the caller's second factor (trust_sessions)")
            }
            "/account/clinic" => Some("switches the caller's clinic (privilege change)"),
            _ => None,
        };
        if let Some(s) = skip {
            return Some(Expect::Skip(s));
        }
    }
    let allow_unless_missing = |e: Expect| {
        if case == Case::Missing && e == Expect::Allow {
            Expect::Absent
        } else {
            e
        }
    };
    let public = matches!(
        path,
        "/healthz"
            | "/static/{file}"
            | "/login"
            | "/setup/{token}"
            | "/invitation/{token}"
            | "/language"
            | "/api/v1/openapi.json"
    );
    if public {
        return Some(match path {
            // With users present, no setup link is valid any more.
            "/setup/{token}" => Expect::Absent,
            _ => allow_unless_missing(Expect::Allow),
        });
    }
    if who == Anonymous {
        return Some(Expect::Unauth);
    }
    let roles = |rs: &[Who]| {
        if rs.contains(&who) {
            Expect::Allow
        } else {
            Expect::Deny
        }
    };
    let e = match (post, path) {
        (false, "/" | "/account" | "/account/reauth" | "/mfa" | "/mfa/enrol" | "/api/v1/me")
        | (true, "/account/reauth" | "/account/tokens") => Expect::Allow,
        // Reference data: the same for everyone signed in; own/other make no difference.
        (
            false,
            "/protocols"
            | "/protocols/{id}"
            | "/api/v1/protocols"
            | "/api/v1/protocols/{id}"
            | "/api/v1/instruments"
            | "/api/v1/instruments/{id}",
        ) => allow_unless_missing(Expect::Allow),
        // One's own sessions and tokens only.
        (true, "/account/tokens/{id}/revoke" | "/account/sessions/{handle}/end") => {
            if case == Case::Own {
                Expect::Allow
            } else {
                Expect::Deny
            }
        }
        (true, "/clients" | "/api/v1/clients") => roles(&[Admin, Clinician]),
        (false, "/api/v1/clients") => roles(&[Admin, Clinician, Supervisor]),
        // A client's details: admins for the whole clinic, clinicians their own clients,
        // supervisors their supervisees' clients, clients themselves.
        (false, "/clients/{id}" | "/api/v1/clients/{id}") => match (who, case) {
            (Admin, Case::Own | Case::Other) => Expect::Allow,
            (_, Case::Own) => Expect::Allow,
            _ => Expect::Deny,
        },
        // Editing them: admins and the client's clinicians; supervisors only read.
        (true, "/clients/{id}") => match (who, case) {
            (Admin, Case::Own | Case::Other) | (Clinician, Case::Own) => Expect::Allow,
            _ => Expect::Deny,
        },
        (_, p) if p.starts_with("/admin/") => match (who, case) {
            (Admin, Case::NoRecord | Case::Own | Case::Other) => Expect::Allow,
            _ => Expect::Deny,
        },
        _ => return None,
    };
    Some(e)
}

/// The seeded world plus spare records that allowed writes may change freely.
struct Fixture {
    w: World,
    spare_clinician: UserId,
    spare_clinician2: UserId,
    spare_supervisor: UserId,
    spare_clients: (ClientId, ClientId),
    tabs: HashMap<Who, Tab>,
    tokens: HashMap<Who, String>,
    /// Strings of records that a refusal must never contain.
    secrets: Vec<String>,
    /// Course, session, note, worksheet and alert ids of the own, other and other-clinic client.
    records: HashMap<(Case, Rec), String>,
}

/// A course with one held session and its draft note, a worksheet and an open alert (from a PHQ-9
/// with item 9 answered), made by the clinician caring for `client`.
async fn records_of(
    app: &TestApp,
    by: &Person,
    client: ClientId,
    case: Case,
    into: &mut HashMap<(Case, Rec), String>,
) {
    use course_sessions_common::{ctx_of, phq9};
    let ctx = ctx_of(app, by).await;
    let course = *app
        .app
        .open_course(&ctx, client, "ipt", None, None)
        .await
        .expect("course")
        .value();
    let session = app
        .app
        .add_session(
            &ctx,
            course,
            None,
            kith_domain::course::SessionStatus::Held,
            app.clock_now(),
        )
        .await
        .expect("session");
    let note = app
        .app
        .save_note(
            &ctx,
            session.id,
            &kith_app::courses::NoteInput {
                sections: Default::default(),
            },
            0,
        )
        .await
        .expect("note");
    let alert = app
        .app
        .record_measure(
            &ctx,
            client,
            phq9(
                [1, 1, 1, 1, 1, 1, 1, 1, 2],
                app.clock_now(),
                course,
                session.id,
            ),
            None,
        )
        .await
        .expect("measure")
        .value()
        .alert
        .expect("item 9 raises an alert");
    let mut tab = sign_in(app, by).await;
    let r = tab
        .post_form(
            &format!("/courses/{course}/worksheets"),
            &[("kind", "communication-analysis"), ("session", "")],
        )
        .await;
    assert_eq!(r.status, 303, "worksheet: {}", r.body);
    let worksheet = r.location().rsplit('/').next().unwrap().to_string();
    into.insert((case, Rec::Course), course.to_string());
    into.insert((case, Rec::Session), session.id.to_string());
    into.insert((case, Rec::Note), note.id.to_string());
    into.insert((case, Rec::Worksheet), worksheet);
    into.insert((case, Rec::Alert), alert.to_string());
}

fn person(w: &World, who: Who) -> Option<&Person> {
    match who {
        Who::Admin => Some(&w.a.admin),
        Who::Clinician => Some(&w.a.clinician),
        Who::Supervisor => Some(&w.a.supervisor),
        Who::Client => Some(&w.a.client),
        Who::Anonymous => None,
    }
}

async fn spare_staff(app: &TestApp, clinic: ClinicId, n: &str, role: Role) -> UserId {
    app.app
        .create_user_cli(
            &format!("spare{n}@north.test"),
            &format!("Spare {n}"),
            Some(role),
            Some(clinic),
            false,
            "plain-meadow-copper-kettle",
        )
        .await
        .expect("spare member")
}

async fn spare_client(app: &TestApp, clinic: ClinicId, by: UserId, name: &str) -> ClientId {
    let id = ClientId(Uuid::now_v7());
    app.store
        .register_client(
            kith_store::NewClient {
                id,
                clinic,
                display_name: name.into(),
                date_of_birth: None,
                contact: None,
                created_by: by,
                created_at: app.clock_now(),
                assign_to: None,
            },
            None,
            &[],
        )
        .await
        .expect("spare client");
    id
}

impl Fixture {
    async fn new(app: &TestApp) -> Fixture {
        let w = app.world().await;
        let mut secrets = Vec::new();
        // Give every client a contact line, so a leak would show.
        for (clinic, id) in [
            (w.a.id, w.a.mine),
            (w.a.id, w.a.theirs),
            (w.b.id, w.b.mine),
            (w.b.id, w.b.theirs),
        ] {
            let c = app.store.client(clinic, id, &[]).await.unwrap().unwrap();
            let contact = format!("contact-of-{}", c.display_name.replace(' ', "-"));
            app.store
                .update_client(
                    clinic,
                    id,
                    &kith_store::ClientDetails {
                        display_name: c.display_name.clone(),
                        date_of_birth: None,
                        contact: Some(contact.clone()),
                    },
                    c.version,
                    &[],
                )
                .await
                .unwrap();
            secrets.push(c.display_name);
            secrets.push(contact);
        }
        for p in w.b.people() {
            secrets.push(p.email.clone());
        }
        let spare_clinician = spare_staff(app, w.a.id, "one", Role::Clinician).await;
        let spare_clinician2 = spare_staff(app, w.a.id, "two", Role::Clinician).await;
        let spare_supervisor = spare_staff(app, w.a.id, "three", Role::Supervisor).await;
        let spare_clients = (
            spare_client(app, w.a.id, w.a.admin.id, "Spare Client One").await,
            spare_client(app, w.a.id, w.a.admin.id, "Spare Client Two").await,
        );
        let mut records = HashMap::new();
        records_of(app, &w.a.clinician, w.a.mine, Case::Own, &mut records).await;
        records_of(app, &w.a.colleague, w.a.theirs, Case::Other, &mut records).await;
        records_of(
            app,
            &w.b.clinician,
            w.b.mine,
            Case::OtherClinic,
            &mut records,
        )
        .await;
        let mut tabs = HashMap::new();
        let mut tokens = HashMap::new();
        for who in EVERYONE {
            match person(&w, who) {
                Some(p) => {
                    tabs.insert(who, sign_in(app, p).await);
                    tokens.insert(who, app.api_as(p).await.token);
                }
                None => {
                    tabs.insert(who, Tab::new(app));
                }
            }
        }
        Fixture {
            w,
            spare_clinician,
            spare_clinician2,
            spare_supervisor,
            spare_clients,
            tabs,
            tokens,
            secrets,
            records,
        }
    }
}

async fn new_invitation(app: &TestApp, clinic: ClinicId, by: UserId) -> (InvitationId, String) {
    let token = kith_app::secrets::new_token();
    let now = app.clock_now();
    let id = InvitationId(Uuid::now_v7());
    app.store
        .create_invitation(
            kith_store::Invitation {
                id,
                clinic,
                email: format!("invitee-{}@north.test", Uuid::now_v7().simple()),
                role: Role::Clinician,
                client: None,
                created_by: by,
                created_at: now,
                expires_at: now + time::Duration::days(1),
                accepted_at: None,
                revoked_at: None,
            },
            kith_app::secrets::token_hash(&token),
            &[],
        )
        .await
        .expect("invitation");
    (id, token)
}

async fn new_api_token(app: &TestApp, p: &Person) -> ApiTokenId {
    let id = ApiTokenId(Uuid::now_v7());
    app.store
        .create_api_token(
            kith_store::ApiToken {
                id,
                user: p.id,
                clinic: p.clinic,
                role: p.role,
                name: "spare".into(),
                created_at: app.clock_now(),
                last_used_at: None,
                revoked_at: None,
            },
            kith_app::secrets::token_hash(&kith_app::secrets::new_token()),
            &[],
        )
        .await
        .expect("api token");
    id
}

async fn new_session(app: &TestApp, p: &Person) -> String {
    let now = app.clock_now();
    let hash = kith_app::secrets::token_hash(&kith_app::secrets::new_token());
    app.store
        .create_session(kith_store::AuthSession {
            token_hash: hash,
            user: p.id,
            clinic: Some(p.clinic),
            role: Some(p.role),
            created_at: now,
            last_seen_at: now,
            expires_at: now + time::Duration::hours(12),
            second_factor_at: None,
            reauth_at: None,
            csrf_token: kith_app::secrets::new_token(),
            source: None,
            user_agent: None,
            ended_at: None,
        })
        .await
        .expect("session");
    hex::encode(hash)
}

/// One request to make.
struct Call {
    method: Method,
    path: String,
    surface: Surface,
    form: Vec<(String, String)>,
    json: Option<serde_json::Value>,
}

/// Builds the request for a route, caller and case: the path parameter for the case, and a
/// minimal well-formed body.
async fn build(app: &TestApp, fx: &Fixture, spec: &RouteSpec, who: Who, case: Case) -> Call {
    let w = &fx.w;
    let me = person(w, who);
    let random = Uuid::now_v7().to_string();
    let value = match kind_of(spec.path) {
        None => String::new(),
        Some(kind) => match (kind, case) {
            (_, Case::Missing) | (Kind::Opaque, _) => match kind {
                Kind::Session => hex::encode([7u8; 32]),
                Kind::Protocol | Kind::Instrument => "no-such-thing".into(),
                Kind::SetupToken | Kind::InvitationToken => kith_app::secrets::new_token(),
                Kind::StaticFile => "no-such-file.css".into(),
                _ => random,
            },
            (Kind::Client, Case::Own) => w.a.mine.to_string(),
            (Kind::Client, Case::Other) => w.a.theirs.to_string(),
            (Kind::Client, _) => w.b.mine.to_string(),
            (Kind::SpareClient, Case::Own) => fx.spare_clients.0.to_string(),
            (Kind::SpareClient, Case::Other) => fx.spare_clients.1.to_string(),
            (Kind::SpareClient, _) => w.b.theirs.to_string(),
            (Kind::Member, Case::Own) => fx.spare_clinician.to_string(),
            (Kind::Member, Case::Other) => fx.spare_clinician2.to_string(),
            (Kind::Member, _) => w.b.colleague.id.to_string(),
            (Kind::Invitation, Case::OtherClinic) => new_invitation(app, w.b.id, w.b.admin.id)
                .await
                .0
                .to_string(),
            (Kind::Invitation, _) => new_invitation(app, w.a.id, w.a.admin.id)
                .await
                .0
                .to_string(),
            (Kind::InvitationToken, Case::OtherClinic) => {
                new_invitation(app, w.b.id, w.b.admin.id).await.1
            }
            (Kind::InvitationToken, _) => new_invitation(app, w.a.id, w.a.admin.id).await.1,
            (Kind::SetupToken, _) => kith_app::secrets::new_token(),
            (Kind::ApiToken, Case::Own) => match me {
                Some(p) => new_api_token(app, p).await.to_string(),
                None => random,
            },
            (Kind::ApiToken, Case::Other) => new_api_token(app, &w.a.colleague).await.to_string(),
            (Kind::ApiToken, _) => new_api_token(app, &w.b.clinician).await.to_string(),
            (Kind::Session, Case::Own) => match me {
                Some(p) => new_session(app, p).await,
                None => hex::encode([7u8; 32]),
            },
            (Kind::Session, Case::Other) => new_session(app, &w.a.colleague).await,
            (Kind::Session, _) => new_session(app, &w.b.clinician).await,
            (Kind::Protocol, _) => kith_domain::protocol::ProtocolLibrary::builtin()
                .ids()
                .next()
                .expect("a protocol")
                .to_string(),
            (Kind::Instrument, _) => "phq9".into(),
            (Kind::Record(r), case) => fx.records[&(case, r)].clone(),
            (Kind::StaticFile, _) => "kith.css".into(),
        },
    };
    let path = match spec.path.find('{') {
        Some(i) => {
            let end = spec.path[i..]
                .find('}')
                .map(|j| i + j + 1)
                .unwrap_or(spec.path.len());
            format!("{}{}{}", &spec.path[..i], value, &spec.path[end..])
        }
        None => spec.path.to_string(),
    };
    let mut form: Vec<(String, String)> = Vec::new();
    let mut json = None;
    let f = |k: &str, v: &str| (k.to_string(), v.to_string());
    if spec.method == Method::POST {
        match spec.path {
            "/language" => form = vec![f("lang", "en"), f("next", "/")],
            "/account/reauth" => {
                let pw = me.map(|p| p.password.clone()).unwrap_or_default();
                form = vec![f("password", &pw), f("next", "/account")];
            }
            "/account/tokens" => form = vec![f("name", "matrix")],
            "/clients" => {
                form = vec![
                    f("display_name", "Matrix Registered"),
                    f("idempotency_key", &kith_app::secrets::new_token()),
                ]
            }
            "/clients/{id}" => {
                let current = match value.parse::<ClientId>() {
                    Ok(id) => app.store.client(w.a.id, id, &[]).await.unwrap(),
                    Err(_) => None,
                };
                form = match current {
                    Some(c) => vec![
                        f("display_name", &c.display_name),
                        f("contact", c.contact.as_deref().unwrap_or("")),
                        f("version", &c.version.to_string()),
                    ],
                    None => vec![f("display_name", "Nobody Here"), f("version", "1")],
                };
            }
            "/admin/invitations" => {
                form = vec![
                    f(
                        "email",
                        &format!("matrix-{}@north.test", Uuid::now_v7().simple()),
                    ),
                    f("role", "clinician"),
                ]
            }
            "/admin/members/{id}/role" => form = vec![f("role", "clinician")],
            "/admin/supervision" => {
                form = vec![
                    f("supervisor", &fx.spare_supervisor.to_string()),
                    f("clinician", &fx.spare_clinician.to_string()),
                    f("action", "add"),
                ]
            }
            "/admin/clients/{id}/assign" => {
                form = vec![
                    f("clinician", &fx.spare_clinician.to_string()),
                    f("action", "add"),
                ]
            }
            "/admin/settings" => {
                let c = app.store.clinic(w.a.id).await.unwrap().unwrap();
                form = vec![
                    f("name", &c.name),
                    f("crisis_text", &c.settings.crisis_text),
                    f(
                        "escalation",
                        &c.settings.alert_escalation_minutes.to_string(),
                    ),
                    f("idle", &c.settings.idle_timeout_minutes.to_string()),
                    f("default_locale", c.settings.default_locale.code()),
                    f("version", &c.version.to_string()),
                ];
                if c.settings.client_second_factor_required {
                    form.push(f("client_mfa", "on"));
                }
            }
            "/invitation/{token}" => {
                form = vec![
                    f("display_name", "Matrix Invitee"),
                    f("password", "violet-ocean-granite-pathway"),
                ]
            }
            "/setup/{token}" => {
                form = vec![
                    f("clinic_name", "Matrix Clinic"),
                    f("display_name", "Matrix Admin"),
                    f("email", "matrix.setup@north.test"),
                    f("password", "violet-ocean-granite-pathway"),
                ]
            }
            "/api/v1/clients" => {
                json = Some(serde_json::json!({ "display_name": "Matrix Api Client" }))
            }
            _ => {}
        }
    }
    Call {
        method: spec.method.clone(),
        path,
        surface: spec.surface,
        form,
        json,
    }
}

async fn send(fx: &mut Fixture, who: Who, call: &Call) -> Resp {
    match call.surface {
        Surface::Page => {
            let tab = fx.tabs.get_mut(&who).expect("tab");
            if call.method == Method::POST {
                let fields: Vec<(&str, &str)> = call
                    .form
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                if who == Who::Anonymous {
                    tab.post_public(&call.path, &fields).await
                } else {
                    tab.post_form(&call.path, &fields).await
                }
            } else {
                tab.get(&call.path).await
            }
        }
        Surface::Api => {
            let http = trust_support::plain_client();
            let url = format!("{}{}", fx.tabs[&Who::Anonymous].base, call.path);
            let mut rb = http.request(call.method.clone(), url);
            if let Some(t) = fx.tokens.get(&who) {
                rb = rb.bearer_auth(t);
            }
            if let Some(j) = &call.json {
                rb = rb.json(j);
            }
            Resp::read(rb.send().await.expect("request")).await
        }
    }
}

/// The error page with everything that varies between errors (title, status, correlation id)
/// blanked: what a refusal's body must be, byte for byte.
fn page_shape(body: &str) -> String {
    let mut s = mask_uuids(body);
    for (open, close) in [("<title>", "</title>"), ("<h1>", "</h1>")] {
        if let (Some(i), Some(j)) = (s.find(open), s.find(close))
            && i < j
        {
            s.replace_range(i + open.len()..j, "T");
        }
    }
    for code in ["401", "403", "404", "405", "410", "413", "415", "422"] {
        s = s.replace(&format!(" · {code}</p>"), " · S</p>");
    }
    s
}

fn title_of(body: &str) -> String {
    trust_support::between(body, "<h1>", "</h1>")
        .unwrap_or("")
        .to_string()
}

/// Checks the security headers every answer carries (TX-2).
fn header_problems(path: &str, r: &Resp) -> Vec<String> {
    let mut out = Vec::new();
    let csp = r.header("content-security-policy");
    for part in [
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        if !csp.contains(part) {
            out.push(format!("{path}: CSP lacks {part}"));
        }
    }
    if csp.contains("unsafe-inline") {
        out.push(format!("{path}: CSP allows unsafe-inline"));
    }
    if r.header("x-content-type-options") != "nosniff" {
        out.push(format!("{path}: no nosniff"));
    }
    if r.header("referrer-policy") != "no-referrer" {
        out.push(format!("{path}: Referrer-Policy"));
    }
    if !path.starts_with("/static/") && r.header("cache-control") != "no-store" {
        out.push(format!(
            "{path}: Cache-Control {}",
            r.header("cache-control")
        ));
    }
    out
}

/// Method, path and caller.
type RouteCaller = (String, String, Who);

#[derive(Default)]
struct Tally {
    checked: usize,
    skipped: usize,
    disallowed_successes: usize,
    by_role_only: Vec<String>,
    failures: Vec<String>,
}

async fn run_matrix(app: &TestApp, tally: &mut Tally) {
    let mut fx = Fixture::new(app).await;
    let (_, specs) = kith_web::route_table();
    // Reference error envelopes for each caller: a 404 for a path outside the table (pages) and the
    // form-token refusal, whose title a policy refusal must not carry.
    let mut envelope: HashMap<Who, String> = HashMap::new();
    let mut csrf_title: HashMap<Who, String> = HashMap::new();
    for who in EVERYONE {
        let tab = fx.tabs.get_mut(&who).unwrap();
        let r = tab.get("/no-such-page-in-the-table").await;
        assert_eq!(r.status, 404);
        envelope.insert(who, page_shape(&r.body));
        if who != Who::Anonymous {
            let rb = tab
                .http
                .post(format!("{}/account/tokens", tab.base))
                .header(
                    "cookie",
                    format!("kith_session={}", tab.token.clone().unwrap()),
                )
                .form(&[("name", "no form token")]);
            let r = tab.send(rb).await;
            assert_eq!(r.status, 403, "a post without form token");
            csrf_title.insert(who, title_of(&r.body));
        }
    }
    // (route, who) -> (status, shape) of the other-clinic and missing cases.
    let mut alike: BTreeMap<RouteCaller, Vec<(Case, u16, String)>> = BTreeMap::new();
    for spec in &specs {
        let kind = kind_of(spec.path);
        let cases: Vec<Case> = match kind {
            None => vec![Case::NoRecord],
            Some(Kind::Opaque) => vec![Case::Missing],
            Some(_) => RECORD_CASES.to_vec(),
        };
        for who in EVERYONE {
            for &case in &cases {
                let mut exp = expected(&spec.method, spec.path, who, case);
                let generic = exp.is_none() && matches!(kind, Some(Kind::Client | Kind::Record(_)));
                let second_param = spec.path.matches('{').count() > 1;
                if generic && let Access::Signed(a) = spec.access {
                    // A second parameter (a measure, a plan version) names something this suite
                    // did not create: allowed callers get "not found" for it.
                    let e = client_record(a, who, case);
                    exp = Some(
                        if e == Expect::Allow && spec.path.matches('{').count() > 1 {
                            Expect::Absent
                        } else {
                            e
                        },
                    );
                }
                if exp.is_none() || kind == Some(Kind::Opaque) {
                    // A route this table does not name: decide by its declared action.
                    tally
                        .by_role_only
                        .push(format!("{} {}", spec.method, spec.path));
                    exp = Some(match spec.access {
                        Access::Public => Expect::Allow,
                        Access::Signed(_) if who == Who::Anonymous => Expect::Unauth,
                        Access::Signed(a) if roles_for(a).contains(&who) => {
                            if case == Case::Missing {
                                Expect::Absent
                            } else {
                                Expect::Allow
                            }
                        }
                        Access::Signed(_) => Expect::Deny,
                    });
                }
                let exp = exp.unwrap();
                if let Expect::Skip(_) = exp {
                    tally.skipped += 1;
                    continue;
                }
                let call = build(app, &fx, spec, who, case).await;
                let r = send(&mut fx, who, &call).await;
                tally.checked += 1;
                let label = format!(
                    "{:?} {} {} as {who:?} ({case:?}) -> {}",
                    app.backend, spec.method, call.path, r.status
                );
                let mut probs: Vec<String> = Vec::new();
                let mut fail = |m: String| probs.push(m);
                if r.status >= 500 {
                    fail("server error".into());
                }
                for p in header_problems(&call.path, &r) {
                    fail(p);
                }
                let leaked: Vec<&String> = fx
                    .secrets
                    .iter()
                    .filter(|s| r.body.contains(s.as_str()))
                    .collect();
                let is_api = call.surface == Surface::Api;
                let envelope_ok = |r: &Resp| -> Result<(), String> {
                    if is_api {
                        let v: serde_json::Value = serde_json::from_str(&r.body)
                            .map_err(|_| format!("not a problem document: {}", r.body))?;
                        let keys: Vec<&String> = v
                            .as_object()
                            .map(|o| o.keys().collect())
                            .unwrap_or_default();
                        let allowed = ["type", "title", "status", "code", "correlation_id"];
                        if keys.iter().any(|k| !allowed.contains(&k.as_str())) {
                            return Err(format!("more than the envelope: {}", r.body));
                        }
                        let code = v["code"].as_str().unwrap_or("");
                        if !["forbidden", "not-found", "expired"].contains(&code) {
                            return Err(format!("refused for another reason: {code}"));
                        }
                        Ok(())
                    } else {
                        if page_shape(&r.body) != envelope[&who] {
                            return Err(format!("body is not the error envelope: {}", r.body));
                        }
                        if csrf_title.get(&who) == Some(&title_of(&r.body)) {
                            return Err("refused by the form token, not the policy".into());
                        }
                        Ok(())
                    }
                };
                match exp {
                    Expect::Allow => {
                        let detour = r.status == 303
                            && ["/login", "/mfa", "/account/reauth"]
                                .iter()
                                .any(|p| r.location().starts_with(p))
                            // After accepting an invitation, people are sent to sign in.
                            && !r.location().starts_with("/login?done=1");
                        if matches!(r.status, 401 | 403) || detour || r.status == 404 {
                            fail(format!("allowed combination refused ({})", r.location()));
                        }
                        // A route modelled only by its action gets a body this suite did not build for
                        // it: being told what is wrong with the body (a stale or missing version is a
                        // conflict) means the policy let it through.
                        let told_what_is_wrong =
                            generic && matches!(r.status, 400 | 409 | 415 | 422);
                        if !matches!(r.status, 200 | 201 | 303) && !told_what_is_wrong {
                            fail(format!("unexpected status for an allowed call: {}", r.body));
                        }
                    }
                    Expect::Absent => {
                        // A record named by a second parameter does not exist, but the body this suite
                        // sent to an action-only route may be rejected first; both are fine answers.
                        let body_first =
                            generic && second_param && matches!(r.status, 400 | 415 | 422);
                        if !matches!(r.status, 404 | 410) && !body_first {
                            fail("missing record not answered 404/410".into());
                        }
                    }
                    Expect::Deny => {
                        if !matches!(r.status, 403 | 404) {
                            fail("disallowed combination not refused with 403/404".into());
                        } else if let Err(m) = envelope_ok(&r) {
                            fail(m);
                        }
                        if !leaked.is_empty() {
                            fail(format!("refusal carries record data: {leaked:?}"));
                        }
                    }
                    Expect::Unauth => {
                        let ok = if is_api {
                            r.status == 401
                        } else {
                            r.status == 303 && r.location().starts_with("/login")
                        };
                        if !ok {
                            fail("anonymous caller not sent to sign in".into());
                        }
                        if !leaked.is_empty() {
                            fail(format!(
                                "answer to anonymous carries record data: {leaked:?}"
                            ));
                        }
                    }
                    Expect::Skip(_) => {}
                }
                if matches!(exp, Expect::Deny | Expect::Unauth)
                    && !matches!(r.status, 401 | 403 | 404)
                    && !(r.status == 303 && r.location().starts_with("/login"))
                {
                    tally.disallowed_successes += 1;
                }
                tally
                    .failures
                    .extend(probs.into_iter().map(|m| format!("{label}: {m}")));
                if matches!(case, Case::OtherClinic | Case::Missing) && exp != Expect::Allow {
                    let shape = if is_api {
                        serde_json::from_str::<serde_json::Value>(&r.body)
                            .map(|v| v["code"].to_string())
                            .unwrap_or_default()
                    } else {
                        page_shape(&r.body)
                    };
                    alike
                        .entry((spec.method.to_string(), spec.path.to_string(), who))
                        .or_default()
                        .push((case, r.status, shape));
                }
            }
        }
    }
    for ((m, p, who), answers) in alike {
        if answers.len() == 2 && (answers[0].1 != answers[1].1 || answers[0].2 != answers[1].2) {
            tally.failures.push(format!(
                "{:?} {m} {p} as {who:?}: another clinic's record ({}) and a missing one ({}) answer differently",
                app.backend, answers[0].1, answers[1].1
            ));
        }
    }
}

/// AC-1…AC-4 and TX-2 — pass figures: 0 disallowed successes (0 cross-tenant allows, 0 refusals
/// with more than the error envelope), other-clinic and nonexistent ids answer alike, every
/// allowed combination is served, every answer carries the security headers.
#[tokio::test]
async fn ac1_to_ac4_every_route_every_role_every_case() {
    let mut total = 0;
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let mut tally = Tally::default();
        run_matrix(&app, &mut tally).await;
        tally.by_role_only.sort();
        tally.by_role_only.dedup();
        println!(
            "matrix {backend:?}: {} (route, role, case) combinations checked, {} skipped, {} disallowed successes",
            tally.checked, tally.skipped, tally.disallowed_successes
        );
        if !tally.by_role_only.is_empty() {
            println!(
                "matrix {backend:?}: routes checked by role only (not yet in the table): {:?}",
                tally.by_role_only
            );
        }
        assert!(
            tally.failures.is_empty(),
            "{} problems:\n{}",
            tally.failures.len(),
            tally.failures.join("\n")
        );
        assert_eq!(tally.disallowed_successes, 0);
        total += tally.checked;
        app.finish().await;
    }
    assert!(total > 0);
}

/// AC-1 — pass figures: 100 % of routes in one table without duplicates; 0 answers from paths or
/// methods outside it (404 / 405), and every signed route refuses a caller without a session.
#[tokio::test]
async fn ac1_route_table_is_complete_and_nothing_else_answers() {
    let (_, specs) = kith_web::route_table();
    let mut seen = std::collections::HashSet::new();
    for s in &specs {
        assert!(
            seen.insert((s.method.clone(), s.path)),
            "route {} {} registered twice",
            s.method,
            s.path
        );
    }
    let app = TestApp::new(backends()[0]).await;
    let _w = app.world().await;
    let mut tab = Tab::new(&app);
    for path in [
        "/admin",
        "/clients",
        "/api/v1",
        "/api/v1/nothing",
        "/api/v1/clients/x/notes",
        "/api/v2/clients",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/.env",
        "/debug",
        "/admin/audit/export",
    ] {
        let r = tab.get(path).await;
        assert!(
            matches!(r.status, 404 | 405),
            "{path} answered {} outside the route table",
            r.status
        );
    }
    // Methods the table does not list for a path are refused.
    for (m, path) in [
        (
            Method::DELETE,
            "/clients/00000000-0000-0000-0000-000000000000",
        ),
        (Method::PUT, "/api/v1/clients"),
        (Method::PATCH, "/admin/settings"),
    ] {
        let r = tab
            .send(tab.http.request(m.clone(), format!("{}{path}", app.base)))
            .await;
        assert!(
            matches!(r.status, 404 | 405),
            "{m} {path} answered {}",
            r.status
        );
    }
    println!("AC-1: {} routes in the table, no duplicates", specs.len());
    app.finish().await;
}

/// AC-5 — pass figure: 0 stored changes caused by any GET: every GET route as every role and case,
/// with the row counts and contents of every table except `audit_events` (and the last-seen /
/// last-used stamps of sessions and API tokens) compared before and after each request.
#[tokio::test]
async fn ac5_no_get_changes_stored_state() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let mut fx = Fixture::new(&app).await;
        let (_, specs) = kith_web::route_table();
        let mut checked = 0;
        let mut changes = Vec::new();
        for spec in specs.iter().filter(|s| s.method == Method::GET) {
            let cases: Vec<Case> = match kind_of(spec.path) {
                None => vec![Case::NoRecord],
                Some(Kind::Opaque) => vec![Case::Missing],
                Some(_) => RECORD_CASES.to_vec(),
            };
            for who in EVERYONE {
                for &case in &cases {
                    // Build first: making spare records is not part of the GET.
                    let call = build(&app, &fx, spec, who, case).await;
                    let before = snapshot(&app).await;
                    let r = send(&mut fx, who, &call).await;
                    let after = snapshot(&app).await;
                    checked += 1;
                    let changed = changed_tables(&before, &after);
                    if !changed.is_empty() {
                        changes.push(format!(
                            "{backend:?} GET {} as {who:?} ({case:?}) -> {}: changed {changed:?}",
                            call.path, r.status
                        ));
                    }
                }
            }
        }
        println!(
            "AC-5 {backend:?}: {checked} GET requests, {} changed stored rows",
            changes.len()
        );
        assert!(
            changes.is_empty(),
            "GETs changed state:\n{}",
            changes.join("\n")
        );
        app.finish().await;
    }
}
