//! The storage port: use-case shaped Store traits, record types and the conformance suite every
//! backend runs.
//!
//! Architecture invariant: this crate names no database. Backends implement [`Store`]; the
//! application depends on this crate only.

mod courses;
mod error;
mod measures;
mod ports;
mod records;
mod sealer;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use courses::*;
pub use error::{StoreError, StoreResult};
pub use measures::*;
pub use ports::*;
pub use records::*;
pub use sealer::{FieldRef, Sealer, WrappedKey};
