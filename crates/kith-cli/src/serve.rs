//! `kith serve`: open the database, print the setup link (or the demo logins), serve until stopped,
//! and keep the audit trail's head anchored in a file outside the database.

use crate::config::Config;
use crate::open;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use kith_app::App;
use kith_app::AuditVerification;
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

/// Refuses to serve on an audit trail that is broken or shorter than its anchor: serving would
/// add entries after the damage and, before this check existed, move the anchor past it.
async fn check_audit_trail(app: &App, opened: &open::Opened) -> anyhow::Result<()> {
    let mut anchor = opened.anchor.current()?;
    if let Some(c) = opened.anchor.copy_head()?
        && anchor.is_none_or(|a| c.seq > a.seq)
    {
        anchor = Some(c);
    }
    match app
        .verify_audit(anchor)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        AuditVerification::Intact { .. } => Ok(()),
        AuditVerification::Broken(b) => anyhow::bail!(
            "the audit trail does not match its anchor ({b}); Kith will not serve until this is looked into. Run `kith audit verify` for details, and restore the last good backup if entries were removed"
        ),
    }
}

/// Moves the anchor after every commit of audit rows: the store's listener only wakes this task,
/// which reads the head and writes the file, so a burst of commits costs one write.
fn keep_anchor_moving(opened: &open::Opened) -> tokio::task::JoinHandle<()> {
    let (tx, mut rx) = tokio::sync::watch::channel(());
    opened
        .store
        .on_audit_commit(Arc::new(move |_head| tx.send_replace(())));
    let keeper = opened.anchor.clone();
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            keeper.advance_or_warn().await;
        }
    })
}

pub async fn serve(config: Config, demo: bool) -> anyhow::Result<ExitCode> {
    let opened = open::open(&config, true).await?;
    let app = App::new(
        opened.store.clone(),
        Arc::new(SystemClock),
        kith_app::Limits::default(),
    );
    if let Err(e) = check_audit_trail(&app, &opened).await {
        opened.driver_close().await;
        return Err(e);
    }
    let anchors = keep_anchor_moving(&opened);
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
