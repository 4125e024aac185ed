//! Item-9-positive submissions survive `kill -9`: the real `kith` binary serves a demo clinic on a
//! loopback port while a clinician's program sends PHQ-9 answers with idempotency keys; the server
//! is killed at random moments (some between a write and its response), restarted, and every key
//! retried. In the end each key has exactly one submission, one alert and one audit row for each,
//! the database passes its integrity check and the audit chain verifies.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kith");
/// Keys sent in all.
const KEYS: usize = 36;
/// Rounds in which the server is killed.
const ROUNDS: usize = 6;

/// A small deterministic-per-run random source (no extra dependency): the kill moments.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`).
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<Reply> {
    let mut s = send(addr, method, path, token, key, body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (headers, rest) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no complete response"))?;
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let lower = headers.to_ascii_lowercase();
    let body = if lower.contains("transfer-encoding: chunked") {
        dechunk(rest)?
    } else {
        if let Some(len) = lower
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            && rest.len() < len
        {
            return Err(std::io::Error::other("response cut short"));
        }
        rest.to_string()
    };
    Ok(Reply {
        status,
        headers: lower,
        body,
    })
}

/// Sends a request and leaves its response unread (the connection stays open until dropped).
fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<TcpStream> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(k) = key {
        head.push_str(&format!("Idempotency-Key: {k}\r\n"));
    }
    let body = body.unwrap_or("");
    if method == "POST" {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())?;
    Ok(s)
}

fn dechunk(mut s: &str) -> std::io::Result<String> {
    let mut out = String::new();
    loop {
        let (size, rest) = s
            .split_once("\r\n")
            .ok_or_else(|| std::io::Error::other("bad chunk"))?;
        let n = usize::from_str_radix(size.trim(), 16).map_err(std::io::Error::other)?;
        if n == 0 {
            return Ok(out);
        }
        if rest.len() < n + 2 {
            return Err(std::io::Error::other("chunk cut short"));
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
}

fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

fn kith(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run kith")
}

/// A running server; dropping it kills the process with SIGKILL (`Child::kill`), so no shutdown
/// handler runs — and a failing test leaves no server behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dir: &Path, addr: SocketAddr) -> Server {
    let server = Server(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(dir)
            .args(["serve", "--listen", &addr.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kith serve"),
    );
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = request(addr, "GET", "/healthz", None, None, None)
            && r.status == 200
        {
            return server;
        }
        assert!(Instant::now() < until, "the server did not start");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// `kill -9`.
fn kill(server: Server) {
    drop(server);
}

fn phq9_positive(i: usize) -> String {
    let nine = 1 + (i % 3);
    let answers: Vec<String> = (1..=9)
        .map(|item| {
            let v = if item == 9 { nine } else { item % 4 };
            format!(r#"{{"item": "{item}", "value": {v}}}"#)
        })
        .collect();
    format!(
        r#"{{"instrument": "phq9", "answers": [{}]}}"#,
        answers.join(", ")
    )
}

/// How many questionnaires the server lists for the client.
fn listed(addr: SocketAddr, token: &str, path: &str) -> usize {
    let r = request(addr, "GET", path, Some(token), None, None).expect("list");
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str::<serde_json::Value>(&r.body)
        .ok()
        .and_then(|v| v.as_array().map(Vec::len))
        .unwrap_or(0)
}

/// The value of a string field in a small JSON object (`"id": "…"`).
fn field(json: &str, name: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v.get(name)?.as_str().map(str::to_string)
}

#[test]
fn every_accepted_item9_submission_has_exactly_one_alert_after_kill_9() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();

    // A demo clinic: its clinicians already have a second factor, so a token can be made.
    let demo = kith(data, &["demo"]);
    assert!(demo.status.success(), "kith demo failed");
    let out = String::from_utf8_lossy(&demo.stdout).to_string();
    let email = out
        .lines()
        .map(str::split_whitespace)
        .find_map(|mut w| (w.next() == Some("clinician")).then(|| w.find(|x| x.contains('@'))))
        .flatten()
        .expect("a clinician among the demo logins")
        .to_string();
    let t = kith(
        data,
        &["user", "token", "--email", &email, "--name", "crash"],
    );
    assert!(t.status.success(), "kith user token failed");
    let token = String::from_utf8_lossy(&t.stdout).trim().to_string();
    assert!(token.starts_with("kith_"));

    // A client of its own, so that the demo's questionnaires do not count.
    let addr = free_port();
    let server = start(data, addr);
    let created = request(
        addr,
        "POST",
        "/api/v1/clients",
        Some(&token),
        None,
        Some(r#"{"display_name":"Crash Test"}"#),
    )
    .unwrap();
    assert_eq!(created.status, 201, "{}", created.body);
    let created: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let client = created["id"].as_str().expect("a client").to_string();
    kill(server);
    // What the database held before the test's submissions.
    let (counts_before, created_before) = tally(data);
    let path = format!("/api/v1/clients/{client}/measures");

    let keys: Vec<String> = (0..KEYS).map(|i| format!("crash-{i:03}")).collect();
    // Key → the submission its 201 named.
    let mut accepted: HashMap<String, String> = HashMap::new();
    // Keys whose submission was written but whose response never arrived.
    let mut lost_responses = 0;
    // Keys sent at least once.
    let mut sent: HashSet<String> = HashSet::new();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    eprintln!("kill moments seeded with {seed}");
    let mut rng = Lcg(seed);
    let token = Arc::new(token);
    let per_round = KEYS.div_ceil(ROUNDS);

    for round in 0..ROUNDS {
        let server = start(data, addr);
        // This round's new keys, and every earlier key still without an answer.
        let batch: Vec<(usize, String)> = keys
            .iter()
            .enumerate()
            .take((round + 1) * per_round)
            .filter(|(_, k)| !accepted.contains_key(*k))
            .map(|(i, k)| (i, k.clone()))
            .collect();
        // One submission is written but its response never read before the kill: wait until
        // the server lists it, then go on with the connection still unread.
        let fresh = batch.iter().position(|(_, k)| !sent.contains(k));
        let (batch, unread) = match fresh {
            Some(at) => {
                let mut rest = batch.clone();
                let (i, key) = rest.remove(at);
                sent.insert(key.clone());
                let before = listed(addr, &token, &path);
                let conn = send(
                    addr,
                    "POST",
                    &path,
                    Some(&token),
                    Some(&key),
                    Some(&phq9_positive(i)),
                )
                .expect("send");
                let until = Instant::now() + Duration::from_secs(20);
                while listed(addr, &token, &path) == before {
                    assert!(
                        Instant::now() < until,
                        "the unread submission was never written"
                    );
                    std::thread::sleep(Duration::from_millis(5));
                }
                (rest, Some(conn))
            }
            None => (batch, None),
        };
        sent.extend(batch.iter().map(|(_, k)| k.clone()));
        // The kill comes after a random number of answers, while the others are in flight.
        let wait_for = rng.next(batch.len() as u64 + 1) as usize;
        let (tx, rx) = std::sync::mpsc::channel();
        for (i, key) in batch {
            let token = token.clone();
            let path = path.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                let r = request(
                    addr,
                    "POST",
                    &path,
                    Some(&token),
                    Some(&key),
                    Some(&phq9_positive(i)),
                );
                let _ = tx.send((key, r));
            });
        }
        drop(tx);
        let mut results = Vec::new();
        while results.len() < wait_for {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(r) => results.push(r),
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_millis(rng.next(4)));
        kill(server);
        drop(unread);
        results.extend(rx.iter());
        let mut answered = 0;
        for (key, r) in results {
            if let Ok(r) = r
                && r.status == 201
            {
                let id = field(&r.body, "id").expect("a submission id");
                assert!(field(&r.body, "alert_id").is_some(), "no alert: {}", r.body);
                // Answered from the first write: its response was lost to an earlier kill.
                if r.headers.contains("idempotent-replayed: true") && !accepted.contains_key(&key) {
                    lost_responses += 1;
                }
                if let Some(before) = accepted.insert(key.clone(), id.clone()) {
                    assert_eq!(before, id, "{key} named two submissions");
                }
                answered += 1;
            }
        }
        eprintln!("round {round}: {answered} answered before the kill");
    }

    // Every key again, until each is answered: an earlier answer is repeated, never a new one.
    let server = start(data, addr);
    let mut ids = HashSet::new();
    for (i, key) in keys.iter().enumerate() {
        let r = request(
            addr,
            "POST",
            &path,
            Some(&token),
            Some(key),
            Some(&phq9_positive(i)),
        )
        .expect("retry");
        assert_eq!(r.status, 201, "{key}: {}", r.body);
        let id = field(&r.body, "id").unwrap();
        let replayed = r.headers.contains("idempotent-replayed: true");
        match accepted.get(key) {
            Some(before) => {
                assert_eq!(before, &id, "{key}: a retry named another submission");
                assert!(replayed, "{key}: an accepted key was recorded again");
            }
            // Written before the kill, its response lost: the retry finds it.
            None if replayed => lost_responses += 1,
            None => {}
        }
        assert!(ids.insert(id), "two keys share a submission");
    }
    eprintln!("{lost_responses} submissions were written but their response was lost to the kill");
    assert!(
        lost_responses >= ROUNDS,
        "each round leaves at least one response unread"
    );

    let measures = request(addr, "GET", &path, Some(&token), None, None).unwrap();
    let measures: serde_json::Value = serde_json::from_str(&measures.body).unwrap();
    let measures = measures.as_array().unwrap();
    assert_eq!(measures.len(), KEYS, "one submission per key");
    assert!(measures.iter().all(|m| m["alert_id"].is_string()));
    let alerts = request(
        addr,
        "GET",
        &format!("/api/v1/clients/{client}/alerts"),
        Some(&token),
        None,
        None,
    )
    .unwrap();
    let alerts: serde_json::Value = serde_json::from_str(&alerts.body).unwrap();
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), KEYS, "one alert per submission");
    let raised_for: HashSet<&str> = alerts
        .iter()
        .filter_map(|a| a["submission_id"].as_str())
        .collect();
    assert_eq!(raised_for.len(), KEYS);
    kill(server);

    // The audit chain verifies (opening the database also runs its integrity check).
    let verify = kith(data, &["audit", "verify"]);
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "audit verify: {said}");
    assert!(said.contains("intact"), "{said}");

    // Straight from the database: integrity, rows, and one audit row per submission and alert.
    let (counts, created) = tally(data);
    let grew = |t: &str| counts[t] - counts_before[t];
    assert_eq!(grew("measure_submissions"), KEYS as i64);
    assert_eq!(grew("alerts"), KEYS as i64);
    let made = |o: &str| {
        created.get(o).copied().unwrap_or(0) - created_before.get(o).copied().unwrap_or(0)
    };
    assert_eq!(made("measure_submission"), KEYS);
    assert_eq!(made("alert"), KEYS);
    eprintln!("done in {:?}", started.elapsed());
}

/// Row counts of every table, and how many audit rows record the creation of each kind of object.
fn tally(data: &std::path::Path) -> (HashMap<String, i64>, HashMap<String, usize>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use kith_store::{AdminStore, AuditStore};
        let key = std::fs::read_to_string(data.join("kith.key")).unwrap();
        let kek = kith_app::crypto::Kek::from_file_text(&key).unwrap();
        let sealer = Arc::new(kith_app::crypto::FieldCrypto::new(kek));
        let (driver, store) = kith_store_sqlite::open(&data.join("kith.db"), sealer)
            .await
            .expect("open the database");
        assert!(store.integrity_problems().await.unwrap().is_empty());
        let counts: HashMap<String, i64> = store.row_counts().await.unwrap().into_iter().collect();
        let mut created: HashMap<String, usize> = HashMap::new();
        let mut after = 0;
        loop {
            let rows = store.audit_rows(after, 500).await.unwrap();
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for r in &rows {
                if r.event.action == kith_domain::audit::AuditAction::Create {
                    *created.entry(r.event.object_type.clone()).or_default() += 1;
                }
            }
        }
        driver.close().await;
        (counts, created)
    })
}
