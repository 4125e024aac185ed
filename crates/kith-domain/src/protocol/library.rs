//! The presets plus a clinic's own protocols, and a clinic's adjustments to a preset.

use super::error::{ProtocolErrorReason as R, ProtocolLoadError};
use super::file::{Frequency, ProtocolFile};
use super::{Protocol, load, presets};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A clinic's adjustments to a protocol: the values the reference gives as a range or marks as
/// unverified. Every key is optional; what is given replaces the protocol's value, and the
/// result is validated again as a whole (so `default_sessions = 20` on a protocol whose `max`
/// is 16 is refused unless `max_sessions` is raised too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sessions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_sessions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sessions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_lead: Option<u32>,
    /// A position such as `"8"` or `"last-6"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid_session: Option<String>,
    /// A position such as `"4"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formulation_warn_at: Option<String>,
}

impl ProtocolOverride {
    /// Reads an override from TOML, e.g. `default_sessions = 12`.
    pub fn from_toml(text: &str) -> Result<ProtocolOverride, ProtocolLoadError> {
        load::parse_toml(text)
    }

    pub fn is_empty(&self) -> bool {
        *self == ProtocolOverride::default()
    }

    pub(super) fn apply_to(&self, file: &mut ProtocolFile) {
        if let Some(v) = self.min_sessions {
            file.sessions.min = v;
        }
        if let Some(v) = self.default_sessions {
            file.sessions.default = v;
        }
        if let Some(v) = self.max_sessions {
            file.sessions.max = v;
        }
        if let Some(v) = self.session_minutes {
            file.session_minutes = v;
        }
        if let Some(v) = self.frequency {
            file.frequency = v;
        }
        if let Some(v) = self.termination_lead {
            file.termination_lead = v;
        }
        if let Some(v) = &self.mid_session {
            file.mid_session = Some(v.clone());
        }
        if let Some(v) = &self.formulation_warn_at {
            file.formulation_warn_at = Some(v.clone());
        }
    }
}

/// The protocols a clinic can choose from: the built-in presets (possibly adjusted by
/// overrides) and the clinic's own files, looked up by id.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolLibrary {
    protocols: BTreeMap<String, Protocol>,
}

impl ProtocolLibrary {
    /// The nine presets.
    pub fn builtin() -> ProtocolLibrary {
        ProtocolLibrary {
            protocols: presets::all()
                .into_iter()
                .map(|p| (p.id().to_string(), p))
                .collect(),
        }
    }

    /// A library with no protocols at all.
    pub fn empty() -> ProtocolLibrary {
        ProtocolLibrary {
            protocols: BTreeMap::new(),
        }
    }

    /// Adds a clinic's own protocol file. Refused as a whole if it is invalid or its id is
    /// already taken (a preset is adjusted with [`ProtocolLibrary::apply_override`] instead).
    pub fn add_toml(&mut self, text: &str) -> Result<&Protocol, ProtocolLoadError> {
        let p = Protocol::from_toml(text)?;
        self.add(p)
    }

    /// Adds an already validated protocol, refusing a taken id.
    pub fn add(&mut self, p: Protocol) -> Result<&Protocol, ProtocolLoadError> {
        let id = p.id().to_string();
        if self.protocols.contains_key(&id) {
            return Err(ProtocolLoadError::single("id", R::IdTaken { id }));
        }
        Ok(self.protocols.entry(id).or_insert(p))
    }

    /// Replaces protocol `id` by itself with `o` applied. On error the library is unchanged.
    pub fn apply_override(
        &mut self,
        id: &str,
        o: &ProtocolOverride,
    ) -> Result<&Protocol, ProtocolLoadError> {
        let current = self.protocols.get(id).ok_or_else(|| {
            ProtocolLoadError::single("id", R::UnknownProtocol { id: id.to_string() })
        })?;
        let adjusted = current.with_override(o)?;
        self.protocols.insert(id.to_string(), adjusted);
        Ok(&self.protocols[id])
    }

    pub fn get(&self, id: &str) -> Option<&Protocol> {
        self.protocols.get(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.protocols.contains_key(id)
    }

    /// Whether `id` is one of the shipped presets.
    pub fn is_preset(id: &str) -> bool {
        presets::IDS.contains(&id)
    }

    /// Ids in alphabetical order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.protocols.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Protocol> {
        self.protocols.values()
    }

    pub fn len(&self) -> usize {
        self.protocols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.protocols.is_empty()
    }
}

impl Default for ProtocolLibrary {
    fn default() -> Self {
        ProtocolLibrary::builtin()
    }
}
