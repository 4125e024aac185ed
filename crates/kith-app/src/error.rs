//! What can go wrong in a use case, in terms a person can be told. The web crate turns each variant
//! into a status code and a translated message; `code` strings are message keys.

use kith_store::StoreError;
use std::fmt;

/// One problem with one submitted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field as named in the form or JSON body (e.g. `answers[8]`, `display_name`).
    pub field: String,
    /// Message key (e.g. `field-too-long`).
    pub code: String,
    /// Values for the message (e.g. `max` = 100).
    pub args: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            code: code.into(),
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl ToString) -> FieldError {
        self.args.push((name.to_string(), value.to_string()));
        self
    }
}

#[derive(Debug)]
pub enum AppError {
    /// Not signed in, or the session ended.
    Unauthenticated,
    /// Signed in, but the second factor step (or enrolment) is still due.
    SecondFactorRequired,
    /// The action needs the password entered again within the last few minutes.
    ReauthRequired,
    /// The record does not exist or is not the caller's to see (never told apart).
    NotFound,
    /// The caller's role does not do this.
    Forbidden,
    /// Submitted values were wrong; nothing was written.
    Invalid(Vec<FieldError>),
    /// Email and password did not match an account (or the account cannot sign in).
    BadCredentials,
    /// Too many attempts: wait before trying again.
    Throttled { retry_after_secs: u64 },
    /// A link or code has expired or was already used.
    Expired,
    /// Someone else changed the record first; the current version is given.
    Conflict { current_version: i64 },
    /// The same idempotency key was used with a different request.
    IdempotencyMismatch,
    /// A request with the same idempotency key is being processed.
    InProgress,
    /// Something failed inside; the message is for logs only.
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, code: &str) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, code)])
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Internal(m) => write!(f, "internal error: {m}"),
            AppError::Invalid(errs) => {
                write!(f, "invalid input:")?;
                for e in errs {
                    write!(f, " {} ({})", e.field, e.code)?;
                }
                Ok(())
            }
            other => write!(f, "{other:?}"),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::VersionConflict { current } => AppError::Conflict {
                current_version: current,
            },
            StoreError::Duplicate(what) => AppError::invalid(what, "field-taken"),
            StoreError::IdempotencyMismatch => AppError::IdempotencyMismatch,
            StoreError::IdempotencyInProgress => AppError::InProgress,
            StoreError::Expired => AppError::Expired,
            other => AppError::Internal(other.to_string()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
