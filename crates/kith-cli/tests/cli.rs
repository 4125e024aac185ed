//! The `kith` binary as an operator uses it: backup and restore, crashes, refusals to start.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn kith(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kith"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("KITH_DATABASE")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run kith")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "kith failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

fn start(data: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kith"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kith")
}

async fn wait_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let client = reqwest::Client::new();
    while Instant::now() < deadline {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server on {port} did not come up");
}

async fn counts(db: &Path, key: &Path) -> Vec<(String, i64)> {
    use kith_store::AdminStore;
    let kek = kith_app::crypto::Kek::from_file_text(&std::fs::read_to_string(key).expect("key"))
        .expect("kek");
    let (driver, store) =
        kith_store_sqlite::open(db, Arc::new(kith_app::crypto::FieldCrypto::new(kek)))
            .await
            .expect("open");
    let c = store.row_counts().await.expect("counts");
    assert!(store.integrity_problems().await.expect("check").is_empty());
    driver.close().await;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_then_restore_into_an_empty_folder_keeps_every_row() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    ok(&kith(&data, &["demo"]));
    let backup = tmp.path().join("kith-backup.db");
    let out = ok(&kith(&data, &["backup", backup.to_str().expect("path")]));
    assert!(out.contains("Backup written"), "{out}");
    assert!(tmp.path().join("kith-backup.db.manifest.json").exists());
    // A second backup to the same file is refused, never overwritten.
    assert!(
        !kith(&data, &["backup", backup.to_str().expect("path")])
            .status
            .success()
    );

    let restored = tmp.path().join("restored");
    // Without the key file the restore refuses and writes nothing.
    let no_key = kith(&restored, &["restore", backup.to_str().expect("path")]);
    assert!(!no_key.status.success());
    assert!(!restored.join("kith.db").exists());
    let key = data.join("kith.key");
    let out = ok(&kith(
        &restored,
        &[
            "restore",
            backup.to_str().expect("path"),
            "--with-key",
            key.to_str().expect("key"),
        ],
    ));
    assert!(out.contains("integrity ok"), "{out}");
    let before = counts(&data.join("kith.db"), &key).await;
    let after = counts(&restored.join("kith.db"), &restored.join("kith.key")).await;
    assert_eq!(before, after);
    assert!(after.iter().any(|(t, n)| t == "clients" && *n > 5));
    // The restored folder verifies its audit trail against the backup's head.
    let out = ok(&kith(&restored, &["audit", "verify"]));
    assert!(
        out.contains("intact") && out.contains("matching the anchor"),
        "{out}"
    );
    // Restoring into a folder that has a database is refused.
    assert!(
        !kith(&restored, &["restore", backup.to_str().expect("path")])
            .status
            .success()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_during_writes_leaves_a_sound_database() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    ok(&kith(&data, &["demo"]));
    let token = ok(&kith(
        &data,
        &[
            "user",
            "token",
            "--email",
            "lena@riverside.demo",
            "--name",
            "crash test",
        ],
    ))
    .trim()
    .to_string();
    let client = reqwest::Client::new();
    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..4u64 {
        let port = free_port();
        let mut child = start(&data, port);
        wait_up(port).await;
        let url = format!("http://127.0.0.1:{port}/api/v1/clients");
        let mut tasks = Vec::new();
        for i in 0..24u64 {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let key = format!("crash-{round}-{i}");
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("Idempotency-Key", &key)
                    .json(&serde_json::json!({ "display_name": format!("Crash {round} {i}"), "contact": "0700 000 000" }))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().as_u16() == 201 => r.json::<serde_json::Value>().await.ok().and_then(|v| v["id"].as_str().map(str::to_string)),
                    _ => None,
                }
            }));
        }
        // Kill while requests are in flight.
        tokio::time::sleep(Duration::from_millis(40 + 30 * round)).await;
        child.kill().expect("kill -9");
        let _ = child.wait();
        for t in tasks {
            if let Ok(Some(id)) = t.await {
                acknowledged.push(id);
            }
        }
        // The database opens cleanly: integrity check, foreign keys, migrations.
        let c = counts(&data.join("kith.db"), &data.join("kith.key")).await;
        assert!(c.iter().any(|(t, _)| t == "clients"));
    }
    // Every acknowledged write is there exactly once, with its audit row; the chain is intact.
    let port = free_port();
    let mut child = start(&data, port);
    wait_up(port).await;
    for id in &acknowledged {
        let r = client
            .get(format!("http://127.0.0.1:{port}/api/v1/clients/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 200, "acknowledged client {id} lost");
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let out = ok(&kith(&data, &["audit", "verify"]));
    assert!(out.contains("intact"), "{out}");
    eprintln!(
        "{} acknowledged writes survived 4 kills",
        acknowledged.len()
    );
}

#[test]
fn refuses_to_start_on_a_damaged_database_or_unknown_migrations_or_a_loose_key() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A file that is not a database.
    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).expect("dir");
    ok(&kith(&bad, &["migrate"]));
    std::fs::write(bad.join("kith.db"), vec![0x42u8; 8192]).expect("write");
    let _ = std::fs::remove_file(bad.join("kith.db-wal"));
    let _ = std::fs::remove_file(bad.join("kith.db-shm"));
    let o = kith(&bad, &["migrate"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("not a database") || err.contains("integrity"),
        "{err}"
    );

    // A database written by a newer Kith.
    let newer = tmp.path().join("newer");
    ok(&kith(&newer, &["migrate"]));
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", newer.join("kith.db").display())).await.expect("connect");
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (9999, 'from the future', '2030-01-01', 1, x'00', 0)")
            .execute(&pool)
            .await
            .expect("insert");
        pool.close().await;
    });
    let o = kith(&newer, &["migrate"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("9999") && err.contains("newer"), "{err}");

    // A key file others can read.
    let loose = tmp.path().join("loose");
    ok(&kith(&loose, &["migrate"]));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        loose.join("kith.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let o = kith(&loose, &["migrate"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("chmod 600"));
    // The data folder itself is private.
    assert_eq!(
        std::fs::metadata(&loose)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
}

#[test]
fn serve_prints_a_single_use_setup_link_on_a_fresh_install() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("fresh");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kith"))
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut link = None;
    for line in lines.by_ref().take(10) {
        let line = line.expect("line");
        if let Some(i) = line.find("/setup/") {
            link = Some(line[i..].trim().to_string());
            break;
        }
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let link = link.expect("setup link printed");
    assert!(link.len() > "/setup/".len() + 40, "{link}");
    assert!(std::fs::metadata(data.join("kith.key")).is_ok());
}

fn anchor_seq(data: &Path) -> i64 {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("audit-anchor.json")).expect("anchor"))
            .expect("json");
    v["seq"].as_i64().expect("seq")
}

async fn audit_max_seq(db: &Path) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("connect");
    let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM audit_events")
        .fetch_one(&pool)
        .await
        .expect("max");
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutting_the_audit_tail_is_caught_and_the_server_refuses_to_start() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let db = data.join("kith.db");
    ok(&kith(&data, &["demo"]));
    // A CLI write moves the anchor to the trail's head as the command ends.
    assert_eq!(anchor_seq(&data), audit_max_seq(&db).await);
    ok(&kith(
        &data,
        &[
            "user",
            "create",
            "--email",
            "new@example.org",
            "--name",
            "New Person",
            "--operator",
        ],
    ));
    let head = audit_max_seq(&db).await;
    assert_eq!(anchor_seq(&data), head);

    // The server moves it after every commit of audit rows, not on a timer.
    let port = free_port();
    let mut child = start(&data, port);
    wait_up(port).await;
    let client = reqwest::Client::new();
    let _ = client
        .post(format!("http://127.0.0.1:{port}/login"))
        .form(&[("email", "nobody@example.org"), ("password", "wrong")])
        .send()
        .await
        .expect("post");
    let deadline = Instant::now() + Duration::from_secs(5);
    while anchor_seq(&data) <= head && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let moved = anchor_seq(&data);
    assert!(moved > head, "the anchor stayed at {head}");
    assert_eq!(moved, audit_max_seq(&db).await);
    child.kill().expect("kill");
    let _ = child.wait();

    // Someone with the database file removes the last entries of the trail (getting the
    // append-only trigger out of the way first).
    let anchored = anchor_seq(&data);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("connect");
    sqlx::query("DROP TRIGGER audit_events_no_delete")
        .execute(&pool)
        .await
        .expect("drop trigger");
    sqlx::query("DELETE FROM audit_events WHERE seq > ?")
        .bind(anchored - 3)
        .execute(&pool)
        .await
        .expect("delete");
    pool.close().await;

    let o = kith(&data, &["audit", "verify"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // The server will not start on it, says why and what to run, and the anchor does not move back.
    let o = kith(
        &data,
        &["serve", "--listen", &format!("127.0.0.1:{}", free_port())],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("kith audit verify"), "{err}");
    assert_eq!(anchor_seq(&data), anchored);
    // Nor does any other command move it back.
    let o = kith(&data, &["migrate"]);
    assert!(o.status.success());
    assert_eq!(anchor_seq(&data), anchored);
    assert_eq!(kith(&data, &["audit", "verify"]).status.code(), Some(2));
}

#[test]
fn the_signed_anchor_copy_is_checked_by_verify() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let copy = tmp.path().join("elsewhere").join("anchor.log");
    std::fs::create_dir_all(copy.parent().expect("parent")).expect("dir");
    let with_copy = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kith"))
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env("KITH_AUDIT_ANCHOR_COPY", &copy)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run kith")
    };
    ok(&with_copy(&["demo"]));
    let text = std::fs::read_to_string(&copy).expect("copy written");
    let last = text.lines().last().expect("a line");
    assert!(
        last.starts_with("kith-audit-anchor seq=") && last.contains(" mac="),
        "{last}"
    );
    assert!(ok(&with_copy(&["audit", "verify"])).contains("intact"));
    // Both the file beside the database and the copy must be rewritten to hide a cut; rewriting
    // the local one alone is caught by the copy, and a forged copy line fails its signature.
    std::fs::write(
        &copy,
        format!(
            "{}\n",
            last.replace(" seq=", " seq=1").replace(" mac=", " mac=0")
        ),
    )
    .expect("forge");
    let o = with_copy(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("signature"));
}
