//! Integration tests' view of Kith: a real server in-process on `127.0.0.1:0` over a fresh database
//! (SQLite in a temporary folder; PostgreSQL when `KITH_TEST_POSTGRES_URL` is set), an injected
//! clock, a seeded two-clinic world, and clients that act as each role — a browser with cookies and
//! form tokens, or an API client with a bearer token.

use kith_app::clock::ManualClock;
use kith_app::crypto::{FieldCrypto, Kek};
use kith_app::{App, Limits};
use kith_domain::identity::Role;
use kith_domain::ids::{ClientId, ClinicId, UserId};
use kith_store::Store;
use reqwest::redirect::Policy;
use std::net::SocketAddr;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::task::JoinHandle;

/// Which database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests may use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("KITH_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// The backends this test run covers: SQLite always, PostgreSQL when configured (it says so when
/// it is skipped).
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if postgres_url().is_some() {
        v.push(Backend::Postgres);
    } else {
        eprintln!("PostgreSQL part skipped: set KITH_TEST_POSTGRES_URL to run it");
    }
    v
}

/// A fixed, recent start time for the injected clock.
pub fn start_time() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("valid time")
}

enum Db {
    Sqlite(Arc<kith_store_sqlite::SqliteDriver>),
    Postgres(
        Arc<kith_store_postgres::PgDriver>,
        kith_store_postgres::ScratchDatabase,
    ),
}

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub addr: SocketAddr,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub store: Arc<dyn Store>,
    pub dir: tempfile::TempDir,
    pub kek: Kek,
    db: Db,
    server: JoinHandle<()>,
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        TestApp::with_limits(backend, Limits::default()).await
    }

    pub async fn with_limits(backend: Backend, limits: Limits) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let kek = Kek::generate();
        let sealer = Arc::new(FieldCrypto::new(kek.clone()));
        let (store, db): (Arc<dyn Store>, Db) = match backend {
            Backend::Sqlite => {
                let (driver, store) = kith_store_sqlite::open(&dir.path().join("kith.db"), sealer)
                    .await
                    .expect("open sqlite");
                (Arc::new(store), Db::Sqlite(driver))
            }
            Backend::Postgres => {
                let url = postgres_url().expect("KITH_TEST_POSTGRES_URL");
                let scratch = kith_store_postgres::ScratchDatabase::create(&url)
                    .await
                    .expect("scratch database");
                let (driver, store) = kith_store_postgres::open(&scratch.url, sealer)
                    .await
                    .expect("open postgres");
                (Arc::new(store), Db::Postgres(driver, scratch))
            }
        };
        let clock = Arc::new(ManualClock::new(start_time()));
        let app = App::new(store.clone(), clock.clone(), limits);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let state = kith_web::state::AppState::new(
            app.clone(),
            kith_web::WebConfig {
                public_url: base.clone(),
                ..Default::default()
            },
        );
        let router = kith_web::router(state);
        let server = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        TestApp {
            backend,
            base,
            addr,
            app,
            clock,
            store,
            dir,
            kek,
            db,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Moves the clock.
    pub fn advance(&self, by: time::Duration) {
        self.clock.advance(by);
    }

    /// A browser that is not signed in.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Signs a person in through the pages, passing the second factor when they have one.
    pub async fn sign_in(&self, p: &Person) -> Browser {
        let b = self.browser();
        let r = b
            .post_public("/login", &[("email", &p.email), ("password", &p.password)])
            .await;
        assert_eq!(r.status().as_u16(), 303, "sign-in of {} refused", p.email);
        let to = location(&r);
        if to.ends_with("/mfa") {
            self.pass_second_factor(&b, p).await;
        }
        b
    }

    /// The second-factor step, with the code of the current time step (the clock first moves to a
    /// new step so that a code is never reused).
    pub async fn pass_second_factor(&self, b: &Browser, p: &Person) {
        self.advance(time::Duration::seconds(31));
        let secret = p.totp_secret.as_ref().expect("person has a second factor");
        let code = kith_app::totp::code_at(secret, self.clock_now().unix_timestamp() as u64)
            .expect("code");
        b.refresh_csrf("/mfa").await;
        let r = b.post_form("/mfa", &[("code", &code)]).await;
        assert_eq!(
            r.status().as_u16(),
            303,
            "second factor of {} refused",
            p.email
        );
        // The session (and its form token) was renewed by the second-factor step.
        b.refresh_csrf("/account").await;
    }

    pub fn clock_now(&self) -> OffsetDateTime {
        use kith_app::clock::Clock;
        self.clock.now()
    }

    /// An API client with a fresh token for the person.
    pub async fn api_as(&self, p: &Person) -> ApiClient {
        let token = self
            .app
            .create_token_cli(&p.email, "tests", Some(p.clinic))
            .await
            .expect("token");
        ApiClient::new(&self.base, &token)
    }

    /// Seeds two clinics, each with an admin, two clinicians, a supervisor of the first clinician and
    /// a client with a portal account, and clients assigned to the clinicians.
    pub async fn world(&self) -> World {
        World {
            a: self.clinic("North").await,
            b: self.clinic("South").await,
        }
    }

    async fn person(
        &self,
        clinic: ClinicId,
        role: Role,
        tag: &str,
        name: &str,
        mfa: bool,
    ) -> Person {
        let email = format!(
            "{}.{}@{}.test",
            name.to_lowercase(),
            role.as_str().replace('_', "-"),
            tag.to_lowercase()
        );
        // Passwords may not contain the person's name, email or clinic: a distinct suffix instead.
        let password = format!("steady-river-lantern-{}", short_code(&email));
        let id = self
            .app
            .create_user_cli(
                &email,
                &format!("{name} {tag}"),
                Some(role),
                Some(clinic),
                false,
                &password,
            )
            .await
            .expect("user");
        let totp_secret = if mfa {
            let secret = kith_app::totp::new_secret();
            self.store
                .set_pending_totp(id, &secret)
                .await
                .expect("totp");
            self.store
                .confirm_totp(id, self.clock_now(), &[], None, &[])
                .await
                .expect("confirm");
            Some(secret)
        } else {
            None
        };
        Person {
            id,
            email,
            password,
            role,
            clinic,
            totp_secret,
        }
    }

    async fn clinic(&self, tag: &str) -> ClinicWorld {
        let clinic = ClinicId(uuid::Uuid::now_v7());
        self.store
            .create_clinic(
                kith_store::NewClinic {
                    id: clinic,
                    name: format!("{tag} Clinic"),
                    settings: Default::default(),
                    created_at: self.clock_now(),
                },
                &[],
            )
            .await
            .expect("clinic");
        let admin = self
            .person(clinic, Role::ClinicAdmin, tag, "Ada", true)
            .await;
        let clinician = self
            .person(clinic, Role::Clinician, tag, "Cleo", true)
            .await;
        let colleague = self.person(clinic, Role::Clinician, tag, "Cal", true).await;
        let supervisor = self
            .person(clinic, Role::Supervisor, tag, "Sol", true)
            .await;
        self.store
            .set_supervision(
                clinic,
                supervisor.id,
                clinician.id,
                true,
                self.clock_now(),
                &[],
            )
            .await
            .expect("supervision");
        let mine = self
            .client(clinic, clinician.id, &format!("Mine {tag}"))
            .await;
        let theirs = self
            .client(clinic, colleague.id, &format!("Theirs {tag}"))
            .await;
        // The client of `mine` has a portal account.
        let email = format!("portal@{}.test", tag.to_lowercase());
        let password = format!("gentle-morning-walk-{}", short_code(&email));
        let token = kith_app::secrets::new_token();
        let now = self.clock_now();
        self.store
            .create_invitation(
                kith_store::Invitation {
                    id: kith_domain::ids::InvitationId(uuid::Uuid::now_v7()),
                    clinic,
                    email: email.clone(),
                    role: Role::Client,
                    client: Some(mine),
                    created_by: clinician.id,
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
        self.app
            .accept_invitation(
                &token,
                kith_app::NewMemberInput {
                    display_name: format!("Portal {tag}"),
                    password: password.clone(),
                },
                None,
            )
            .await
            .expect("portal account");
        let user = self
            .store
            .user_by_email(&email)
            .await
            .expect("lookup")
            .expect("portal user");
        let client = Person {
            id: user.id,
            email,
            password,
            role: Role::Client,
            clinic,
            totp_secret: None,
        };
        ClinicWorld {
            id: clinic,
            admin,
            clinician,
            colleague,
            supervisor,
            client,
            mine,
            theirs,
        }
    }

    async fn client(&self, clinic: ClinicId, clinician: UserId, name: &str) -> ClientId {
        let id = ClientId(uuid::Uuid::now_v7());
        self.store
            .register_client(
                kith_store::NewClient {
                    id,
                    clinic,
                    display_name: name.into(),
                    date_of_birth: None,
                    contact: None,
                    created_by: clinician,
                    created_at: self.clock_now(),
                    assign_to: Some(clinician),
                },
                None,
                &[],
            )
            .await
            .expect("client");
        id
    }

    /// Ends the test: the database must pass its integrity check and its audit trail must verify.
    pub async fn finish(self) {
        let problems = self
            .store
            .integrity_problems()
            .await
            .expect("integrity check");
        assert!(problems.is_empty(), "integrity problems: {problems:?}");
        match self.app.verify_audit(None).await.expect("verify") {
            kith_app::AuditVerification::Intact { .. } => {}
            kith_app::AuditVerification::Broken(b) => panic!("audit trail broken: {b}"),
        }
        self.server.abort();
        match self.db {
            Db::Sqlite(d) => d.close().await,
            Db::Postgres(d, scratch) => {
                d.close().await;
                drop(self.store);
                drop(self.app);
                scratch.drop_now().await.expect("drop scratch database");
            }
        }
    }

    /// The SQLite driver (tests that read the file directly).
    pub fn sqlite(&self) -> Option<&Arc<kith_store_sqlite::SqliteDriver>> {
        match &self.db {
            Db::Sqlite(d) => Some(d),
            Db::Postgres(..) => None,
        }
    }

    /// The PostgreSQL driver (tests that look at the stored rows directly).
    pub fn postgres(&self) -> Option<&Arc<kith_store_postgres::PgDriver>> {
        match &self.db {
            Db::Sqlite(..) => None,
            Db::Postgres(d, _) => Some(d),
        }
    }
}

/// Eight hex digits derived from a text (distinct, repeatable password suffixes).
fn short_code(s: &str) -> String {
    let h = kith_app::secrets::token_hash(s);
    h[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// Someone who can sign in.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: UserId,
    pub email: String,
    pub password: String,
    pub role: Role,
    pub clinic: ClinicId,
    pub totp_secret: Option<Vec<u8>>,
}

/// One clinic of the seeded world.
#[derive(Debug, Clone)]
pub struct ClinicWorld {
    pub id: ClinicId,
    pub admin: Person,
    /// Cares for `mine`; supervised by `supervisor`.
    pub clinician: Person,
    /// Cares for `theirs`; nobody supervises them.
    pub colleague: Person,
    pub supervisor: Person,
    /// The portal account of `mine`.
    pub client: Person,
    pub mine: ClientId,
    pub theirs: ClientId,
}

impl ClinicWorld {
    pub fn people(&self) -> [&Person; 5] {
        [
            &self.admin,
            &self.clinician,
            &self.colleague,
            &self.supervisor,
            &self.client,
        ]
    }
}

#[derive(Debug, Clone)]
pub struct World {
    pub a: ClinicWorld,
    pub b: ClinicWorld,
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A browser: keeps cookies, does not follow redirects, adds the form token to posts.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    csrf: Arc<std::sync::Mutex<Option<String>>>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client");
        Browser {
            client,
            base: base.to_string(),
            csrf: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let s = r.status().as_u16();
        (s, r.text().await.unwrap_or_default())
    }

    /// Reads the form token from a page (the signed-in layout carries it on every page).
    pub async fn refresh_csrf(&self, path: &str) {
        let (_, body) = self.get_text(path).await;
        if let Some(t) = extract_csrf(&body)
            && let Ok(mut g) = self.csrf.lock()
        {
            *g = Some(t);
        }
    }

    pub fn csrf(&self) -> Option<String> {
        self.csrf.lock().ok().and_then(|g| g.clone())
    }

    /// Posts a form of a signed-in page, with the form token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        if self.csrf().is_none() {
            self.refresh_csrf("/account").await;
        }
        let token = self.csrf().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .expect("request")
    }

    /// Posts a form that needs no session (sign-in, setup, invitation).
    pub async fn post_public(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("request")
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[i + "name=\"_csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// A program calling the API with a bearer token.
#[derive(Clone)]
pub struct ApiClient {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl ApiClient {
    pub fn new(base: &str, token: &str) -> ApiClient {
        ApiClient {
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            base: base.into(),
            token: token.into(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        idempotency_key: Option<&str>,
    ) -> reqwest::Response {
        let mut r = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body);
        if let Some(k) = idempotency_key {
            r = r.header("Idempotency-Key", k);
        }
        r.send().await.expect("request")
    }
}
