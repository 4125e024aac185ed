//! `kith serve`: open the database, print the setup link (or the demo logins), serve until stopped,
//! and keep the audit trail's head anchored in a file outside the database.

use crate::config::Config;
use crate::open;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use kith_app::App;
use kith_app::clock::SystemClock;
use kith_app::demo::DemoLogin;
use kith_web::state::AppState;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub async fn load_demo(app: &App) -> anyhow::Result<Vec<DemoLogin>> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} Loading the demo clinic: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let b = bar.clone();
    let logins = app
        .load_demo(&move |step: &str| b.set_message(step.to_string()))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    Ok(logins)
}

pub fn print_logins(logins: &[DemoLogin]) {
    println!(
        "Demo logins (also enrolled in a second factor; add the secret to an authenticator app):"
    );
    let mut clinic = "";
    for l in logins {
        if l.clinic != clinic {
            clinic = &l.clinic;
            println!("  {clinic}");
        }
        match &l.totp_secret {
            Some(s) => println!(
                "    {:<13} {:<22} {:<26} password: {:<28} totp: {s}",
                l.role, l.name, l.email, l.password
            ),
            None => println!(
                "    {:<13} {:<22} {:<26} password: {}",
                l.role, l.name, l.email, l.password
            ),
        }
    }
}

/// Writes the audit trail's head next to the database, so that cutting rows off its end is noticed.
pub async fn write_anchor(app: &App, config: &Config) -> anyhow::Result<()> {
    let Some(head) = app
        .store
        .audit_head()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    else {
        return Ok(());
    };
    let path = config.anchor_path();
    let tmp = path.with_extension("json.tmp");
    let body = serde_json::to_vec_pretty(
        &serde_json::json!({ "seq": head.seq, "hash": hex::encode(head.hash) }),
    )?;
    tokio::fs::write(&tmp, body).await?;
    tokio::fs::rename(&tmp, &path).await?;
    Ok(())
}

/// How often unacknowledged alerts are checked for escalation to the supervisors.
pub const ESCALATION_EVERY: Duration = Duration::from_secs(60);

/// Passes alerts left unacknowledged past their clinic's time to the supervisors, every
/// [`ESCALATION_EVERY`], for as long as the server runs. A failed sweep is logged and the next
/// one tried; the loop never ends the server. Several servers on one database may all sweep:
/// each alert escalates once.
pub async fn escalation_loop(app: App) {
    let mut tick = tokio::time::interval(ESCALATION_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // A panic inside one sweep is caught here so that the next sweep still runs.
        let sweep = tokio::spawn({
            let app = app.clone();
            async move { app.escalate_due().await }
        });
        match sweep.await {
            Ok(Ok(ids)) if !ids.is_empty() => {
                tracing::info!(
                    count = ids.len(),
                    "unacknowledged alerts passed to supervisors"
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the alert escalation sweep failed; trying again next minute")
            }
            Err(e) => {
                tracing::error!(error = %e, "the alert escalation sweep stopped unexpectedly; trying again next minute")
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

pub async fn serve(config: Config, demo: bool) -> anyhow::Result<ExitCode> {
    let opened = open::open(&config, true).await?;
    let app = App::new(
        opened.store.clone(),
        Arc::new(SystemClock),
        kith_app::Limits::default(),
    );
    let public = config.public_url();
    if demo {
        let logins = load_demo(&app).await?;
        print_logins(&logins);
    }
    if let Some(token) = app
        .setup_link_token()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        println!("Open this link to create the first administrator (it works once, for 24 hours):");
        println!("  {public}/setup/{token}");
    }
    let web = kith_web::WebConfig {
        public_url: public.clone(),
        trusted_proxy: config.trusted_proxy,
        max_body: 1024 * 1024,
    };
    let state = AppState::new(app.clone(), web);
    let router = kith_web::router(state);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (is another program using it?)",
                config.listen
            )
        })?;
    println!(
        "Kith is listening on {public} (data in {}, {} database)",
        config.data_dir.display(),
        opened.store.backend()
    );

    let anchor_app = app.clone();
    let anchor_config = config.clone();
    let anchors = tokio::spawn(async move {
        loop {
            if let Err(e) = write_anchor(&anchor_app, &anchor_config).await {
                tracing::warn!(error = %e, "could not write the audit anchor");
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    });

    let sweep_app = app.clone();
    let sweeps = tokio::spawn(escalation_loop(sweep_app));

    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server stopped with an error")?;
    anchors.abort();
    sweeps.abort();
    write_anchor(&app, &config).await?;
    opened.close().await;
    println!("Kith stopped.");
    Ok(ExitCode::SUCCESS)
}

/// Asks a running server for `/healthz`.
pub async fn healthcheck(config: &Config) -> anyhow::Result<ExitCode> {
    let addr = config.listen;
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let req = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).await?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&buf).to_string())
    };
    match tokio::time::timeout(Duration::from_secs(5), attempt).await {
        Ok(Ok(text)) if text.starts_with("HTTP/1.1 200") => {
            println!("ok");
            Ok(ExitCode::SUCCESS)
        }
        Ok(Ok(text)) => {
            println!("unhealthy: {}", text.lines().next().unwrap_or(""));
            Ok(ExitCode::from(1))
        }
        Ok(Err(e)) => {
            println!("unreachable: {e}");
            Ok(ExitCode::from(1))
        }
        Err(_) => {
            println!("no answer within 5 seconds");
            Ok(ExitCode::from(1))
        }
    }
}
