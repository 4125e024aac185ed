//! Helpers shared by the trust suite (`trust_*.rs`, `matrix.rs`): a browser tab whose session token
//! the test holds itself (to replay old cookies and inspect `Set-Cookie`), raw access to the stored
//! rows (to check what really reached the database), and text helpers for error envelopes.
#![allow(dead_code)]

pub mod walk;

use kith_testkit::{Backend, Person, TestApp, extract_csrf};
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use std::collections::BTreeMap;

/// One answer, read whole.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub async fn read(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    pub fn location(&self) -> String {
        self.header(LOCATION.as_str())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }
}

/// A browser tab without a cookie jar: the test holds the session token and sends it itself.
#[derive(Clone)]
pub struct Tab {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie_name: String,
    pub token: Option<String>,
    pub csrf: Option<String>,
    /// Every session token this tab was given, oldest first.
    pub tokens: Vec<String>,
}

pub fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

impl Tab {
    pub fn new(app: &TestApp) -> Tab {
        Tab::at(&app.base, "kith_session")
    }

    pub fn at(base: &str, cookie_name: &str) -> Tab {
        Tab {
            http: plain_client(),
            base: base.to_string(),
            cookie_name: cookie_name.to_string(),
            token: None,
            csrf: None,
            tokens: Vec::new(),
        }
    }

    /// A tab that presents a given (perhaps stale) session token.
    pub fn with_token(app: &TestApp, token: &str) -> Tab {
        let mut t = Tab::new(app);
        t.token = Some(token.to_string());
        t
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            r = r.header(COOKIE, format!("{}={t}", self.cookie_name));
        }
        r
    }

    fn absorb(&mut self, r: &Resp) {
        for c in r.set_cookies() {
            let Some(rest) = c.strip_prefix(&format!("{}=", self.cookie_name)) else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("").to_string();
            if value.is_empty() {
                self.token = None;
            } else {
                self.tokens.push(value.clone());
                self.token = Some(value);
            }
            // A new session has its own form token.
            self.csrf = None;
        }
    }

    pub async fn send(&mut self, rb: reqwest::RequestBuilder) -> Resp {
        let r = Resp::read(rb.send().await.expect("request")).await;
        self.absorb(&r);
        r
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let rb = self.request(reqwest::Method::GET, path);
        self.send(rb).await
    }

    /// Reads the form token from a signed-in page.
    pub async fn refresh_csrf(&mut self, path: &str) {
        let r = self.get(path).await;
        self.csrf = extract_csrf(&r.body);
    }

    /// Posts a signed-in form with the session's form token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if self.csrf.is_none() {
            self.refresh_csrf("/account").await;
        }
        let mut all: Vec<(String, String)> =
            vec![("_csrf".into(), self.csrf.clone().unwrap_or_default())];
        all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let rb = self.request(reqwest::Method::POST, path).form(&all);
        self.send(rb).await
    }

    /// Posts a form with no form token (sign-in, invitations).
    pub async fn post_public(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let rb = self.request(reqwest::Method::POST, path).form(fields);
        self.send(rb).await
    }

    /// Posts raw bytes with a content type (hostile-input tests).
    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let rb = self
            .request(reqwest::Method::POST, path)
            .header("content-type", content_type)
            .body(body);
        self.send(rb).await
    }
}

/// The TOTP code of the clock's current step.
pub fn code_now(app: &TestApp, secret: &[u8]) -> String {
    kith_app::totp::code_at(secret, app.clock_now().unix_timestamp() as u64).expect("code")
}

/// Signs in through the pages with a tab that keeps its tokens: password, then (for people with an
/// authenticator) the code of a fresh time step.
pub async fn sign_in(app: &TestApp, p: &Person) -> Tab {
    let mut tab = Tab::new(app);
    let r = tab
        .post_public("/login", &[("email", &p.email), ("password", &p.password)])
        .await;
    assert_eq!(r.status, 303, "sign-in of {} refused: {}", p.email, r.body);
    if r.location().ends_with("/mfa") {
        pass_second_factor(app, &mut tab, p).await;
    }
    tab
}

pub async fn pass_second_factor(app: &TestApp, tab: &mut Tab, p: &Person) {
    app.advance(time::Duration::seconds(31));
    let secret = p.totp_secret.clone().expect("person has an authenticator");
    tab.refresh_csrf("/mfa").await;
    let code = code_now(app, &secret);
    let r = tab.post_form("/mfa", &[("code", &code)]).await;
    assert_eq!(r.status, 303, "second factor of {} refused", p.email);
}

/// The text between `start` and the next `end` after it.
pub fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let rest = &s[i..];
    Some(&rest[..rest.find(end)?])
}

pub fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Replaces every UUID in `s` with `<uuid>` (correlation ids differ from answer to answer).
pub fn mask_uuids(s: &str) -> String {
    fn is_uuid(b: &[u8]) -> bool {
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&bytes[i..i + 36]) {
            out.push_str("<uuid>");
            i += 36;
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Raw access to the database behind a test app.
#[derive(Clone)]
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

pub fn raw(app: &TestApp) -> Raw {
    match app.backend {
        Backend::Sqlite => Raw::Sqlite(app.sqlite().expect("sqlite").pool().clone()),
        Backend::Postgres => Raw::Pg(app.postgres().expect("postgres").pool().clone()),
    }
}

impl Raw {
    /// Runs statements; the database's refusal comes back as `Err`.
    pub async fn exec(&self, sql: &str) -> Result<u64, String> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Raw::Sqlite(p) => sqlx::raw_sql(sql)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
                .map_err(|e| e.to_string()),
            Raw::Pg(p) => sqlx::raw_sql(sql)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
                .map_err(|e| e.to_string()),
        }
    }

    /// The column names of a table, in order.
    pub async fn columns(&self, table: &str) -> Vec<String> {
        match self {
            Raw::Sqlite(p) => sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            )))
            .fetch_all(p)
            .await
            .expect("columns"),
            Raw::Pg(p) => sqlx::query_scalar::<_, String>(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(p)
            .await
            .expect("columns"),
        }
    }

    /// Every row of a table as one line of text (blobs as hex), leaving out some columns; sorted.
    pub async fn rows_text(&self, table: &str, skip: &[&str]) -> Vec<String> {
        let cols: Vec<String> = self
            .columns(table)
            .await
            .into_iter()
            .filter(|c| !skip.contains(&c.as_str()))
            .collect();
        assert!(!cols.is_empty(), "table {table} has no columns");
        let mut rows = match self {
            Raw::Sqlite(p) => {
                let expr = cols
                    .iter()
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
                    "SELECT {expr} FROM \"{table}\""
                )))
                .fetch_all(p)
                .await
                .expect("rows")
            }
            Raw::Pg(p) => {
                let expr = cols
                    .iter()
                    .map(|c| format!("coalesce(\"{c}\"::text, 'NULL')"))
                    .collect::<Vec<_>>()
                    .join(", ");
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
                    "SELECT concat_ws('|', {expr}) FROM \"{table}\""
                )))
                .fetch_all(p)
                .await
                .expect("rows")
            }
        };
        rows.sort();
        rows
    }

    /// How many rows of `table` hold `needle` anywhere, as text or as the hex of its bytes.
    pub async fn rows_holding(&self, table: &str, needle: &str) -> usize {
        let hex_needle = hex::encode(needle.as_bytes());
        self.rows_text(table, &[])
            .await
            .iter()
            .filter(|r| {
                let lower = r.to_lowercase();
                r.contains(needle) || lower.contains(&hex_needle)
            })
            .count()
    }
}

/// What a GET may legitimately change: the audit trail, and "last seen/used" stamps.
pub const VOLATILE: &[(&str, &str)] = &[
    ("auth_sessions", "last_seen_at"),
    ("api_tokens", "last_used_at"),
];

/// Row counts and contents of every table but `audit_events`, leaving out [`VOLATILE`] columns.
pub async fn snapshot(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let db = raw(app);
    let tables = app.store.row_counts().await.expect("row counts");
    let mut out = BTreeMap::new();
    for (table, _) in tables {
        if table == "audit_events" {
            continue;
        }
        let skip: Vec<&str> = VOLATILE
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, c)| *c)
            .collect();
        let rows = db.rows_text(&table, &skip).await;
        out.insert(table, rows);
    }
    out
}

/// Names the tables whose rows differ between two snapshots.
pub fn changed_tables(
    before: &BTreeMap<String, Vec<String>>,
    after: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| before.get(*n) != after.get(*n))
        .map(|n| {
            let b = before.get(n).map(Vec::len).unwrap_or(0);
            let a = after.get(n).map(Vec::len).unwrap_or(0);
            format!("{n} ({b} rows -> {a} rows)")
        })
        .collect()
}
