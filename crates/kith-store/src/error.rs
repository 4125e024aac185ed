use thiserror::Error;

/// What can go wrong in storage, in terms the application can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The record does not exist (or is not in the caller's clinic — the two are never told apart).
    #[error("not found")]
    NotFound,
    /// A version check failed: someone else changed the record first.
    #[error("the record was changed by someone else (now at version {current})")]
    VersionConflict { current: i64 },
    /// A value that must be unique is taken (e.g. an email address).
    #[error("{0} is already taken")]
    Duplicate(&'static str),
    /// The same idempotency key was used with a different request.
    #[error("this idempotency key was already used for a different request")]
    IdempotencyMismatch,
    /// The same idempotency key is being processed by another request right now.
    #[error("a request with this idempotency key is in progress")]
    IdempotencyInProgress,
    /// A token or link has already been used or has expired.
    #[error("this link or token has expired or was already used")]
    Expired,
    /// A rule that storage enforces was broken (e.g. a signed note was changed).
    #[error("refused: {0}")]
    Refused(String),
    /// Sealing or opening an encrypted field failed (wrong key, tampered data).
    #[error("encrypted field could not be opened: {0}")]
    Crypto(String),
    /// Anything else from the database driver.
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
