//! What every request handler shares.

use kith_app::App;
use kith_domain::measure::InstrumentLibrary;
use kith_domain::protocol::ProtocolLibrary;
use std::net::IpAddr;
use std::sync::Arc;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people use to reach Kith, e.g. `http://127.0.0.1:8080` or `https://kith.example.org`.
    pub public_url: String,
    /// A reverse proxy whose `X-Forwarded-For` is trusted; without one the header is ignored.
    pub trusted_proxy: Option<IpAddr>,
    /// Largest request body accepted (bytes).
    pub max_body: usize,
}

impl WebConfig {
    /// Cookies are marked `Secure` with the `__Host-` prefix when Kith is reached over HTTPS.
    pub fn secure(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn session_cookie(&self) -> &'static str {
        if self.secure() {
            "__Host-kith_session"
        } else {
            "kith_session"
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxy: None,
            max_body: 1024 * 1024,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub protocols: Arc<ProtocolLibrary>,
    pub instruments: &'static InstrumentLibrary,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        AppState {
            app,
            config: Arc::new(config),
            protocols: Arc::new(ProtocolLibrary::builtin()),
            instruments: InstrumentLibrary::builtin(),
        }
    }
}
