//! Kith's domain: the IPT protocol, courses, problem areas, measures, safety rules and the
//! authorisation policy, as plain data and pure functions.
//!
//! Architecture invariant: this crate performs no I/O, has no async code and knows nothing of
//! HTTP, HTML, SQL or templates. Everything here can be tested with plain values.

pub mod audit;
pub mod clinic;
pub mod course;
pub mod identity;
pub mod ids;
pub mod inventory;
pub mod locale;
pub mod measure;
pub mod note;
pub mod password;
pub mod policy;
pub mod problem_area;
pub mod protocol;
pub mod safety;
pub mod text;
pub mod timeline;
pub mod worksheet;
