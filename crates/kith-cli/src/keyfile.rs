//! The key file: the key-encryption key, outside the database, readable by its owner only.

use anyhow::{Context, bail};
use kith_app::crypto::Kek;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Reads the key file, creating it (mode 0600) if it does not exist and `create` is set. Refuses a
/// key file that others can read.
pub fn load(path: &Path, create: bool) -> anyhow::Result<Kek> {
    if !path.exists() {
        if !create {
            bail!(
                "the key file {} does not exist. Without it the encrypted records cannot be read; copy it from the original server (it is not in backups)",
                path.display()
            );
        }
        let kek = Kek::generate();
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("creating the key file {}", path.display()))?;
        f.write_all(kek.to_file_text().as_bytes())?;
        f.sync_all()?;
        eprintln!(
            "Created a new key file at {}. Keep a copy somewhere safe: backups cannot be read without it.",
            path.display()
        );
        return Ok(kek);
    }
    let meta = fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "the key file {} can be read by other users (mode {:o}); run `chmod 600 {}` and start again",
            path.display(),
            mode,
            path.display()
        );
    }
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Kek::from_file_text(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_with_owner_only_permissions_and_refused_when_loose() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("kith.key");
        let a = load(&p, true).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let b = load(&p, false).unwrap();
        assert_eq!(a.id(), b.id());
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(&p, false).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        assert!(load(&dir.path().join("missing.key"), false).is_err());
    }
}
