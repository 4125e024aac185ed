//! Session positions and ranges as written in protocol files.
//!
//! A position names one session of a course. It is either counted from the start (`"3"`), from
//! the end of the contract (`"last"`, `"last-2"`), the course's mid-point (`"mid"`), or the
//! single preparatory meeting held before session 1 (`"pre"`, session number 0). A range is
//! `"A..B"` (both ends included) or a single position. Because ends may be counted from the
//! contract's last session, a phase written `"last-2..last"` moves when a contract is
//! renegotiated from 16 to 12 sessions.

use serde::Serialize;
use std::fmt;

/// One session position, before it is resolved against a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum Position {
    /// The preparatory meeting before session 1 (session number 0).
    Pre,
    /// Session `n` counted from the start (1 = first session).
    At(u32),
    /// `k` sessions before the contract's last session (`FromEnd(0)` is the last session).
    FromEnd(u32),
    /// The course's mid-point session (see [`Bounds::mid`]).
    Mid,
}

/// Why a position or range could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum PositionSyntaxError {
    /// The text is empty.
    Empty,
    /// The text is not one of `pre`, `N`, `last`, `last-K` or `mid`.
    NotAPosition { text: String },
    /// Session numbers counted from the start begin at 1 (use `pre` for the meeting before).
    ZeroSession,
    /// `pre` can only stand alone, never as one end of a longer range.
    PreInRange,
    /// `mid` is not allowed here (for example inside a phase, or in `mid_session` itself).
    MidNotAllowed,
    /// `pre` is not allowed here.
    PreNotAllowed,
}

impl fmt::Display for PositionSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "is empty"),
            Self::NotAPosition { text } => write!(
                f,
                "\"{text}\" is not a session position (use a number, \"last\", \"last-K\", \"mid\" or \"pre\")"
            ),
            Self::ZeroSession => write!(
                f,
                "sessions are counted from 1 (use \"pre\" for the meeting before session 1)"
            ),
            Self::PreInRange => write!(f, "\"pre\" must stand alone, not as the end of a range"),
            Self::MidNotAllowed => write!(f, "\"mid\" cannot be used here"),
            Self::PreNotAllowed => write!(f, "\"pre\" cannot be used here"),
        }
    }
}

impl Position {
    /// Reads one position: `pre`, `N` (N ≥ 1), `last`, `last-K` or `mid`.
    pub fn parse(text: &str) -> Result<Position, PositionSyntaxError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(PositionSyntaxError::Empty);
        }
        let not = || PositionSyntaxError::NotAPosition {
            text: t.to_string(),
        };
        match t {
            "pre" => return Ok(Position::Pre),
            "last" => return Ok(Position::FromEnd(0)),
            "mid" => return Ok(Position::Mid),
            _ => {}
        }
        if let Some(rest) = t.strip_prefix("last") {
            let k = rest.trim().strip_prefix('-').ok_or_else(not)?.trim();
            if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not());
            }
            return k.parse().map(Position::FromEnd).map_err(|_| not());
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = t.parse().map_err(|_| not())?;
            if n == 0 {
                return Err(PositionSyntaxError::ZeroSession);
            }
            return Ok(Position::At(n));
        }
        Err(not())
    }

    /// The session number this position names for the given bounds. `Resolved::Beyond` means
    /// "after every finite session": a position counted from the end of an open-ended contract.
    pub fn resolve(self, bounds: Bounds) -> Resolved {
        match self {
            Position::Pre => Resolved::Session(0),
            Position::At(n) => Resolved::Session(n),
            Position::FromEnd(k) => match bounds.count {
                Some(c) => Resolved::Session(c.saturating_sub(k)),
                None => Resolved::Beyond,
            },
            Position::Mid => match bounds.mid {
                Some(m) => Resolved::Session(m),
                None => Resolved::Beyond,
            },
        }
    }

    /// True when the position depends on the contract's length.
    pub fn is_relative(self) -> bool {
        matches!(self, Position::FromEnd(_) | Position::Mid)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Pre => write!(f, "pre"),
            Position::At(n) => write!(f, "{n}"),
            Position::FromEnd(0) => write!(f, "last"),
            Position::FromEnd(k) => write!(f, "last-{k}"),
            Position::Mid => write!(f, "mid"),
        }
    }
}

impl From<Position> for String {
    fn from(p: Position) -> String {
        p.to_string()
    }
}

/// A resolved position: a session number, or "after every finite session" for positions counted
/// from the end of an open-ended contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resolved {
    Session(u32),
    Beyond,
}

impl Resolved {
    pub fn session(self) -> Option<u32> {
        match self {
            Resolved::Session(n) => Some(n),
            Resolved::Beyond => None,
        }
    }
}

/// What positions are resolved against: the contracted session count (`None` for an open-ended
/// contract) and the mid-point session (`None` when the contract is open-ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bounds {
    pub count: Option<u32>,
    pub mid: Option<u32>,
}

/// A range of sessions, both ends included, e.g. `"4..last-3"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct SessionRange {
    pub start: Position,
    pub end: Position,
}

impl SessionRange {
    /// Reads `"A..B"` or a single position `"A"` (meaning `"A..A"`).
    pub fn parse(text: &str) -> Result<SessionRange, PositionSyntaxError> {
        let t = text.trim();
        let (a, b) = match t.split_once("..") {
            Some((a, b)) => (Position::parse(a)?, Position::parse(b)?),
            None => {
                let p = Position::parse(t)?;
                (p, p)
            }
        };
        if (a == Position::Pre || b == Position::Pre) && a != b {
            return Err(PositionSyntaxError::PreInRange);
        }
        Ok(SessionRange { start: a, end: b })
    }

    /// The first and last session of the range under `bounds`. A start of `Beyond` means the
    /// range is never reached; an end of `Beyond` means it never ends.
    pub fn resolve(self, bounds: Bounds) -> (Resolved, Resolved) {
        (self.start.resolve(bounds), self.end.resolve(bounds))
    }

    /// Whether session `n` falls in the range under `bounds`.
    pub fn contains(self, n: u32, bounds: Bounds) -> bool {
        let (s, e) = self.resolve(bounds);
        Resolved::Session(n) >= s && Resolved::Session(n) <= e && s != Resolved::Beyond
    }

    pub fn is_pre(self) -> bool {
        self.start == Position::Pre
    }
}

impl fmt::Display for SessionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}..{}", self.start, self.end)
        }
    }
}

impl From<SessionRange> for String {
    fn from(r: SessionRange) -> String {
        r.to_string()
    }
}

/// Half the contract, rounded up: the default mid-point of a course.
pub fn default_mid(count: u32) -> u32 {
    count.div_ceil(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_parse_and_print_back() {
        for t in ["pre", "1", "16", "last", "last-3", "mid"] {
            assert_eq!(Position::parse(t).unwrap().to_string(), t);
        }
        assert_eq!(Position::parse(" last - 2 ").unwrap(), Position::FromEnd(2));
        assert_eq!(Position::parse("0"), Err(PositionSyntaxError::ZeroSession));
        assert!(matches!(
            Position::parse("first"),
            Err(PositionSyntaxError::NotAPosition { .. })
        ));
        assert!(matches!(
            Position::parse("last+1"),
            Err(PositionSyntaxError::NotAPosition { .. })
        ));
    }

    #[test]
    fn ranges_counted_from_the_end_follow_the_contract() {
        let r = SessionRange::parse("last-2..last").unwrap();
        let sixteen = Bounds {
            count: Some(16),
            mid: Some(8),
        };
        let twelve = Bounds {
            count: Some(12),
            mid: Some(6),
        };
        assert_eq!(
            r.resolve(sixteen),
            (Resolved::Session(14), Resolved::Session(16))
        );
        assert_eq!(
            r.resolve(twelve),
            (Resolved::Session(10), Resolved::Session(12))
        );
        assert!(r.contains(10, twelve) && !r.contains(10, sixteen));
        let open = Bounds {
            count: None,
            mid: None,
        };
        assert!(!r.contains(1000, open));
        assert!(SessionRange::parse("4..last").unwrap().contains(1000, open));
        assert_eq!(
            SessionRange::parse("pre..3"),
            Err(PositionSyntaxError::PreInRange)
        );
    }
}
