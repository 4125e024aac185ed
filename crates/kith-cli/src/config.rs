//! Configuration: defaults, then `kith.toml`, then `KITH_*` environment variables, then flags.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Folder for the SQLite database and the key file.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; defaults to `kith.db` in the data folder.
    pub database: Option<String>,
    /// The key file (defaults to `kith.key` in the data folder). Several servers sharing one
    /// PostgreSQL must share this file.
    pub key_file: Option<PathBuf>,
    pub listen: SocketAddr,
    /// How people reach Kith (used in printed links and for cookies); defaults to `http://LISTEN`.
    pub public_url: Option<String>,
    /// A reverse proxy whose `X-Forwarded-For` header is trusted.
    pub trusted_proxy: Option<IpAddr>,
    /// `pretty` or `json`.
    pub log_format: String,
    /// A tracing filter such as `info` or `kith_web=debug`.
    pub log: String,
    /// A file (for example on another machine's mount) to which every move of the audit anchor is
    /// appended as a signed line, so that the trail's head is known off this machine too.
    pub audit_anchor_copy: Option<PathBuf>,
    /// Also write every signed anchor line to the log (target `kith::audit_anchor`), for a clinic
    /// that ships its logs to syslog or another machine.
    pub audit_anchor_log: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The database URL may carry a password: never print it.
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database", &self.database.as_deref().map(redact))
            .field("key_file", &self.key_file)
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .finish()
    }
}

pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((cred, host)) => match cred.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => url.to_string(),
            },
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./kith-data"),
            database: None,
            key_file: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            trusted_proxy: None,
            log_format: "pretty".into(),
            log: "info".into(),
            audit_anchor_copy: None,
            audit_anchor_log: false,
        }
    }
}

/// Flags that override the configuration.
#[derive(Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

impl Config {
    pub fn load(file: Option<&PathBuf>, overrides: Overrides) -> anyhow::Result<Config> {
        let path = file.cloned().unwrap_or_else(|| PathBuf::from("kith.toml"));
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&path))
            .merge(Env::prefixed("KITH_").ignore(&["test_postgres_url"]))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| anyhow::anyhow!("configuration problem: {e}"))?;
        Ok(config)
    }

    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("kith.db").display()))
    }

    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("kith.key"))
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }

    pub fn anchor_path(&self) -> PathBuf {
        self.data_dir.join("audit-anchor.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            redact("postgres://kith:s3cret@db:5432/kith"),
            "postgres://kith:***@db:5432/kith"
        );
        assert_eq!(
            redact("sqlite://./kith-data/kith.db"),
            "sqlite://./kith-data/kith.db"
        );
    }
}
