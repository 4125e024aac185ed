//! The audit trail: what an audit event records, its canonical byte form, and the hash chain that
//! makes the trail tamper-evident.
//!
//! Each stored row carries `hash = SHA-256(prev_hash ‖ canonical(row))`, where `prev_hash` is the
//! previous row's hash (32 zero bytes for the first). Editing, deleting, inserting or reordering rows
//! breaks the chain at the first changed row; cutting rows off the end is caught against an anchor (a
//! head `(seq, hash)` kept outside the database, e.g. in a backup manifest).

use crate::ids::{ClientId, ClinicId, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Read,
    Update,
    Delete,
    Print,
    Export,
    Query,
    Login,
    LoginFailed,
    Logout,
    SecondFactor,
    SecondFactorFailed,
    SecondFactorEnrolled,
    RecoveryCodeUsed,
    PasswordChanged,
    SessionEnded,
    PrivilegeChange,
    TokenCreated,
    TokenRevoked,
    Setup,
    AuditSetting,
}

impl AuditAction {
    pub const ALL: [AuditAction; 21] = [
        AuditAction::Create,
        AuditAction::Read,
        AuditAction::Update,
        AuditAction::Delete,
        AuditAction::Print,
        AuditAction::Export,
        AuditAction::Query,
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::SecondFactor,
        AuditAction::SecondFactorFailed,
        AuditAction::SecondFactorEnrolled,
        AuditAction::RecoveryCodeUsed,
        AuditAction::PasswordChanged,
        AuditAction::SessionEnded,
        AuditAction::PrivilegeChange,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::Setup,
        AuditAction::AuditSetting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Read => "read",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Print => "print",
            AuditAction::Export => "export",
            AuditAction::Query => "query",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::SecondFactor => "second_factor",
            AuditAction::SecondFactorFailed => "second_factor_failed",
            AuditAction::SecondFactorEnrolled => "second_factor_enrolled",
            AuditAction::RecoveryCodeUsed => "recovery_code_used",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::SessionEnded => "session_ended",
            AuditAction::PrivilegeChange => "privilege_change",
            AuditAction::TokenCreated => "token_created",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::Setup => "setup",
            AuditAction::AuditSetting => "audit_setting",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Success, Outcome::Denied, Outcome::Failed]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One audited event, before it is placed in the chain. Free clinical text never goes in here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: OffsetDateTime,
    pub actor: Option<UserId>,
    /// The role the actor acted in (`operator`, `clinician`…); `None` for anonymous attempts.
    pub actor_role: Option<String>,
    pub clinic: Option<ClinicId>,
    pub client: Option<ClientId>,
    /// The kind of object touched (`client`, `session_note`, `measure`…).
    pub object_type: String,
    pub object_id: Option<String>,
    pub action: AuditAction,
    pub outcome: Outcome,
    /// Source address of the request, when there was one.
    pub source: Option<String>,
    /// Short machine-readable detail (never clinical free text).
    pub detail: Option<String>,
}

/// An event as stored: its place in the chain and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedEvent {
    pub seq: i64,
    pub event: AuditEvent,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

pub const GENESIS: [u8; 32] = [0u8; 32];

fn put(out: &mut Vec<u8>, field: Option<&str>) {
    match field {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            out.extend_from_slice(&(s.len() as u64).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// The canonical byte form of a row: every field length-prefixed in a fixed order, so that no two
/// different rows share a form. Times are whole microseconds since the Unix epoch in UTC.
pub fn canonical(seq: i64, e: &AuditEvent) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"kith-audit-v1");
    out.extend_from_slice(&seq.to_be_bytes());
    let micros = e.at.unix_timestamp_nanos() / 1000;
    out.extend_from_slice(&micros.to_be_bytes());
    put(&mut out, e.actor.map(|u| u.to_string()).as_deref());
    put(&mut out, e.actor_role.as_deref());
    put(&mut out, e.clinic.map(|c| c.to_string()).as_deref());
    put(&mut out, e.client.map(|c| c.to_string()).as_deref());
    put(&mut out, Some(&e.object_type));
    put(&mut out, e.object_id.as_deref());
    put(&mut out, Some(e.action.as_str()));
    put(&mut out, Some(e.outcome.as_str()));
    put(&mut out, e.source.as_deref());
    put(&mut out, e.detail.as_deref());
    out
}

/// `SHA-256(prev ‖ canonical(seq, event))`.
pub fn chain_hash(prev: &[u8; 32], seq: i64, e: &AuditEvent) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(canonical(seq, e));
    h.finalize().into()
}

/// Places an event after `prev` (the current head, or `None` for an empty trail).
pub fn link(prev: Option<(i64, [u8; 32])>, event: AuditEvent) -> ChainedEvent {
    let (seq, prev_hash) = match prev {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS),
    };
    // Times are kept to the microsecond, which both databases store exactly.
    let event = AuditEvent {
        at: truncate_to_micros(event.at),
        ..event
    };
    let hash = chain_hash(&prev_hash, seq, &event);
    ChainedEvent {
        seq,
        event,
        prev_hash,
        hash,
    }
}

pub fn truncate_to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

/// The head of a trail as recorded outside the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: i64,
    #[serde(with = "hex_hash")]
    pub hash: [u8; 32],
}

mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let v = hex::decode(&s).map_err(serde::de::Error::custom)?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("an audit hash is 32 bytes"))
    }
}

/// Where and how a trail stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenLink {
    #[error(
        "row {position} has sequence number {found}, expected {expected}: a row was deleted, inserted or moved"
    )]
    Sequence {
        position: usize,
        expected: i64,
        found: i64,
    },
    #[error(
        "row {seq} does not point at the hash of the row before it: the trail was cut or reordered here"
    )]
    PrevHash { seq: i64 },
    #[error("row {seq} does not match its hash: it was edited after it was written")]
    Hash { seq: i64 },
    #[error(
        "the trail ends at row {last} but the anchor records row {anchor}: rows were removed from the end"
    )]
    Truncated { last: i64, anchor: i64 },
    #[error("row {seq} differs from the anchor recorded for it")]
    AnchorMismatch { seq: i64 },
}

impl BrokenLink {
    /// The sequence number of the first untrustworthy row.
    pub fn seq(&self) -> i64 {
        match *self {
            BrokenLink::Sequence { expected, .. } => expected,
            BrokenLink::PrevHash { seq }
            | BrokenLink::Hash { seq }
            | BrokenLink::AnchorMismatch { seq } => seq,
            BrokenLink::Truncated { last, .. } => last + 1,
        }
    }
}

/// Streaming verifier: feed rows in stored order, then call [`Verifier::finish`].
#[derive(Debug, Default)]
pub struct Verifier {
    count: usize,
    last: Option<(i64, [u8; 32])>,
    anchor: Option<Anchor>,
    anchor_seen: bool,
}

impl Verifier {
    pub fn new(anchor: Option<Anchor>) -> Self {
        Verifier {
            anchor,
            ..Default::default()
        }
    }

    pub fn push(&mut self, row: &ChainedEvent) -> Result<(), BrokenLink> {
        let (expected_seq, expected_prev) = match self.last {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS),
        };
        if row.seq != expected_seq {
            return Err(BrokenLink::Sequence {
                position: self.count + 1,
                expected: expected_seq,
                found: row.seq,
            });
        }
        if row.prev_hash != expected_prev {
            return Err(BrokenLink::PrevHash { seq: row.seq });
        }
        if chain_hash(&row.prev_hash, row.seq, &row.event) != row.hash {
            return Err(BrokenLink::Hash { seq: row.seq });
        }
        if let Some(a) = self.anchor
            && a.seq == row.seq
        {
            if a.hash != row.hash {
                return Err(BrokenLink::AnchorMismatch { seq: row.seq });
            }
            self.anchor_seen = true;
        }
        self.count += 1;
        self.last = Some((row.seq, row.hash));
        Ok(())
    }

    /// Ends verification; returns how many rows were checked.
    pub fn finish(self) -> Result<usize, BrokenLink> {
        if let Some(a) = self.anchor
            && a.seq > 0
            && !self.anchor_seen
        {
            return Err(BrokenLink::Truncated {
                last: self.last.map_or(0, |l| l.0),
                anchor: a.seq,
            });
        }
        Ok(self.count)
    }
}

/// Verifies a whole trail held in memory.
pub fn verify(rows: &[ChainedEvent], anchor: Option<Anchor>) -> Result<usize, BrokenLink> {
    let mut v = Verifier::new(anchor);
    for r in rows {
        v.push(r)?;
    }
    v.finish()
}
