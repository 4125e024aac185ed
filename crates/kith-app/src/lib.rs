//! Use cases: authentication, sessions, second factors, audit writing, field encryption, clock, demo
//! data. Every use case here authorises through `kith_domain::policy::can`, writes its audit events in
//! the same storage transaction as its effect, and reports problems as [`AppError`]s.
//!
//! Architecture invariant: this crate depends on the storage *port* (`kith-store`) only, never on a
//! backend, and knows nothing of HTTP.

pub mod clock;
pub mod context;
pub mod crypto;
pub mod demo;
pub mod error;
pub mod passwords;
pub mod secrets;
pub mod totp;

mod account;
mod audit;
mod authz;
mod clients;
mod clinics;
pub mod courses;
mod measures;
pub mod operator;
mod people;
mod setup;
mod signin;

pub use account::{ApiTokenCreated, Enrolment};
pub use audit::AuditVerification;
pub use authz::RecordScope;
pub use clients::{ClientInput, check_client_input};
pub use context::{Ctx, Pending, Via};
pub use error::{AppError, AppResult, FieldError};
pub use measures::{MeasureAnswers, MeasureInput, Recorded, change_rules};
pub use people::{InvitationView, NewMemberInput};
pub use setup::SetupInput;
pub use signin::SignedIn;

use clock::Clock;
use kith_store::Store;
use std::sync::Arc;
use time::Duration;

/// Limits that security rules fix; tests may shorten or lengthen them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A session unused this long ends (at most 15 minutes; a clinic may choose less).
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute: Duration,
    /// Password changes, second-factor changes and whole-record exports need the password (or a
    /// second-factor code) entered within this time.
    pub reauth: Duration,
    /// How long the first-administrator setup link works.
    pub setup_link: Duration,
    /// How long an invitation link works.
    pub invitation: Duration,
    /// Consecutive failed sign-ins after which an account locks (NIST: at most 100).
    pub account_lock_after: i64,
    pub account_lock_for: Duration,
    /// Failed sign-ins from one address after which that address is locked out.
    pub address_lock_after: i64,
    pub address_lock_for: Duration,
    /// Failures on an account before each further attempt must wait (doubling, capped).
    pub delay_after: i64,
    pub max_delay: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            idle: Duration::minutes(15),
            absolute: Duration::hours(12),
            reauth: Duration::minutes(5),
            setup_link: Duration::hours(24),
            invitation: Duration::days(7),
            account_lock_after: 100,
            account_lock_for: Duration::hours(1),
            address_lock_after: 500,
            address_lock_for: Duration::hours(1),
            delay_after: 5,
            max_delay: Duration::seconds(30),
        }
    }
}

/// The application: storage, clock and limits, shared by every request.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    dummy_hash: Arc<String>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, limits: Limits) -> App {
        App {
            store,
            clock,
            limits,
            dummy_hash: Arc::new(passwords::dummy_hash()),
        }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}

/// Runs a CPU-heavy step (password hashing) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}
