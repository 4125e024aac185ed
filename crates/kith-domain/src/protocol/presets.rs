//! The nine protocols shipped inside the binary.

use super::{Protocol, ProtocolLoadError};

/// Ids of the presets, in the order they are listed to clinicians.
pub const IDS: [&str; 9] = [
    "ipt", "ipt-b", "ipt-a", "ipt-g", "ipc", "ipt-m", "ipsrt", "pa-ipt", "dit",
];

/// The TOML text of a preset.
pub fn source(id: &str) -> Option<&'static str> {
    Some(match id {
        "ipt" => include_str!("../../protocols/ipt.toml"),
        "ipt-b" => include_str!("../../protocols/ipt-b.toml"),
        "ipt-a" => include_str!("../../protocols/ipt-a.toml"),
        "ipt-g" => include_str!("../../protocols/ipt-g.toml"),
        "ipc" => include_str!("../../protocols/ipc.toml"),
        "ipt-m" => include_str!("../../protocols/ipt-m.toml"),
        "ipsrt" => include_str!("../../protocols/ipsrt.toml"),
        "pa-ipt" => include_str!("../../protocols/pa-ipt.toml"),
        "dit" => include_str!("../../protocols/dit.toml"),
        _ => return None,
    })
}

/// Loads one preset. Only fails if a shipped file is broken, which the test suite rules out.
pub fn load(id: &str) -> Option<Result<Protocol, ProtocolLoadError>> {
    source(id).map(Protocol::from_toml)
}

/// All presets, validated.
///
/// # Panics
/// If a shipped preset file is invalid: that is a build defect caught by the tests, not a
/// run-time condition.
pub fn all() -> Vec<Protocol> {
    IDS.iter()
        .map(|id| match load(id) {
            Some(Ok(p)) => p,
            Some(Err(e)) => panic!("preset {id} is invalid:\n{e}"),
            None => panic!("preset {id} has no file"),
        })
        .collect()
}

/// One preset by id, validated (see [`all`] for when it panics).
pub fn get(id: &str) -> Option<Protocol> {
    load(id).map(|r| match r {
        Ok(p) => p,
        Err(e) => panic!("preset {id} is invalid:\n{e}"),
    })
}
