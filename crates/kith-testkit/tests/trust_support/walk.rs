//! A walk through one client's whole record, the way the people caring for them would make it: every
//! route that touches clinical data is called at least once, with real records (a course, its
//! inventory, timeline, formulation, goals, sessions, notes, worksheets, measures, alerts, the safety
//! plan, the portal) and with the forms the pages themselves render, filled in as a person would.
//!
//! Each call is kept as a [`Visit`]: who made it, what came back, the audit rows it left and, for a
//! GET, which tables it changed. The audit test (AD-1) and the no-change-on-GET test (AC-5) read
//! these visits; the route list they compare against is `kith_web::route_table()`.

use super::{Resp, Tab, between, changed_tables, plain_client, sign_in, snapshot};
use kith_domain::audit::ChainedEvent;
use kith_domain::ids::ClientId;
use kith_testkit::{ApiClient, Person, TestApp, World};
use reqwest::Method;
use scraper::{ElementRef, Html, Selector};
use serde_json::{Value, json};

/// Clinical free text the walk writes, each phrase into a different kind of record: the storage
/// test searches the database files for them.
pub const FOCUS: &str = "Her mother's death and what it changed";
pub const RENEGOTIATION: &str = "A holiday interrupts the course";
pub const INVENTORY_NOTES: &str = "Few people to turn to since the move.";
pub const ONSET: &str = "Stopped going out";
pub const EVENT: &str = "Her mother died";
pub const NARRATIVE: &str = "Your low mood began after your mother died.";
pub const GOAL: &str = "Talk about Mum with my sister";
pub const SESSION_TEXT: &str = "Talked about the weeks after the funeral.";
pub const ADDENDUM: &str = "She phoned afterwards to say she felt lighter.";
pub const SIGN_OFF: &str = "Good focus on the loss.";
pub const PROCESS: &str = "I noticed I rushed her when she cried.";
pub const PROCESS_EDIT: &str = "Thoughts between sessions, revised.";
pub const WORKSHEET_REVIEW: &str = "Went through it together.";
pub const ACKNOWLEDGEMENT: &str = "Phoned her the same day; she is safe and has her plan.";
pub const WARNING_SIGN: &str = "Staying in bed all day";
pub const GOAL_REVIEW: &str = "She talks with her sister weekly.";
pub const CLINICAL_TEXT: &[&str] = &[
    FOCUS,
    RENEGOTIATION,
    INVENTORY_NOTES,
    ONSET,
    EVENT,
    NARRATIVE,
    GOAL,
    SESSION_TEXT,
    ADDENDUM,
    SIGN_OFF,
    PROCESS,
    PROCESS_EDIT,
    WORKSHEET_REVIEW,
    ACKNOWLEDGEMENT,
    WARNING_SIGN,
    GOAL_REVIEW,
];

/// One call of the walk.
#[derive(Debug, Clone)]
pub struct Visit {
    pub method: Method,
    /// The route as the route table names it, e.g. `/courses/{id}/intake`.
    pub route: &'static str,
    pub path: String,
    pub who: Person,
    /// The client whose record the call is about, when there is one.
    pub client: Option<ClientId>,
    pub resp: Resp,
    /// The audit rows written while the call ran.
    pub rows: Vec<ChainedEvent>,
    /// For a GET: the tables whose rows it changed (the audit trail and "last seen" stamps aside).
    pub changed: Vec<String>,
}

/// The fields a browser would send for the form whose `action` is `action`, as the page rendered
/// it: text inputs and hidden fields with their values, checked boxes, the selected option of each
/// list (or its first), and for a required choice nobody has made yet, its first option — the way
/// a person filling the form in would. The form token is left out; the tab adds its own.
pub fn form_fields(html: &str, action: &str) -> Option<Vec<(String, String)>> {
    let doc = Html::parse_document(html);
    let forms = Selector::parse("form").expect("selector");
    let form = doc
        .select(&forms)
        .find(|f| f.value().attr("action") == Some(action))?;
    let fields = Selector::parse("input[name], textarea[name], select[name]").expect("selector");
    let options = Selector::parse("option").expect("selector");
    let mut out: Vec<(String, String)> = Vec::new();
    let mut radios: Vec<(String, Option<String>, Option<String>, bool)> = Vec::new();
    for el in form.select(&fields) {
        let v = el.value();
        let name = v.attr("name").unwrap_or_default().to_string();
        if name == "_csrf" || v.attr("disabled").is_some() {
            continue;
        }
        match v.name() {
            "input" => match v.attr("type").unwrap_or("text") {
                "checkbox" => {
                    if v.attr("checked").is_some() {
                        out.push((name, v.attr("value").unwrap_or("on").to_string()));
                    }
                }
                "radio" => {
                    let value = v.attr("value").unwrap_or("on").to_string();
                    let required = v.attr("required").is_some();
                    match radios.iter_mut().find(|r| r.0 == name) {
                        Some(r) => {
                            if v.attr("checked").is_some() {
                                r.1 = Some(value);
                            }
                            r.3 |= required;
                        }
                        None => radios.push((
                            name,
                            v.attr("checked").map(|_| value.clone()),
                            Some(value),
                            required,
                        )),
                    }
                }
                "submit" | "button" | "image" | "reset" | "file" => {}
                _ => out.push((name, v.attr("value").unwrap_or_default().to_string())),
            },
            "textarea" => out.push((name, el.text().collect())),
            "select" => {
                let all: Vec<ElementRef> = el.select(&options).collect();
                let chosen: Vec<&ElementRef> = all
                    .iter()
                    .filter(|o| o.value().attr("selected").is_some())
                    .collect();
                let value_of = |o: &ElementRef| {
                    o.value()
                        .attr("value")
                        .map(str::to_string)
                        .unwrap_or_else(|| o.text().collect())
                };
                if chosen.is_empty() {
                    if v.attr("multiple").is_none()
                        && let Some(first) = all.first()
                    {
                        out.push((name, value_of(first)));
                    }
                } else {
                    for o in chosen {
                        out.push((name.clone(), value_of(o)));
                    }
                }
            }
            _ => {}
        }
    }
    for (name, checked, first, required) in radios {
        match (checked, required) {
            (Some(v), _) => out.push((name, v)),
            (None, true) => out.push((name, first.unwrap_or_default())),
            (None, false) => {}
        }
    }
    Some(out)
}

/// What a refused form or API call says was wrong.
pub fn complaints(body: &str) -> String {
    if body.trim_start().starts_with('{') {
        return body.to_string();
    }
    let doc = Html::parse_document(body);
    let sel = Selector::parse(".errors, .field-error, h1").expect("selector");
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Fills the empty boxes of the form posting to `action` the way a person writing it would: a
/// sentence in each text area and required text box, a middle value in each number box, and "no
/// risk identified" in a risk check nobody has answered. Lists already chosen are kept.
pub fn written(html: &str, action: &str, fields: Vec<(String, String)>) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let forms = Selector::parse("form").expect("selector");
    let boxes = Selector::parse("textarea[name], input[name]").expect("selector");
    let lists = Selector::parse("select[name]").expect("selector");
    let options = Selector::parse("option[value]").expect("selector");
    let mut sentences = Vec::new();
    let mut numbers = Vec::new();
    let mut choices: Vec<(String, String)> = Vec::new();
    for form in doc
        .select(&forms)
        .filter(|f| f.value().attr("action") == Some(action))
    {
        for el in form.select(&boxes) {
            let v = el.value();
            let name = v.attr("name").unwrap_or_default().to_string();
            match (v.name(), v.attr("type").unwrap_or("text")) {
                ("textarea", _) => sentences.push(name),
                ("input", "text") if v.attr("required").is_some() => sentences.push(name),
                ("input", "number") => {
                    let min: i64 = v.attr("min").and_then(|m| m.parse().ok()).unwrap_or(0);
                    let max: i64 = v
                        .attr("max")
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(min + 8);
                    numbers.push((name, ((min + max) / 2).to_string()));
                }
                _ => {}
            }
        }
        for el in form.select(&lists) {
            let name = el.value().attr("name").unwrap_or_default().to_string();
            if let Some(first) = el
                .select(&options)
                .filter_map(|o| o.value().attr("value"))
                .find(|v| !v.is_empty())
            {
                choices.push((name, first.to_string()));
            }
        }
    }
    fields
        .into_iter()
        .map(|(k, val)| {
            if !val.is_empty() {
                (k, val)
            } else if k.ends_with(".status") {
                (k, "no-risk-identified".to_string())
            } else if sentences.contains(&k) {
                (k, SESSION_TEXT.to_string())
            } else if let Some((_, n)) = numbers.iter().find(|(n, _)| *n == k) {
                (k, n.clone())
            } else if let Some((_, c)) = choices.iter().find(|(n, _)| *n == k) {
                (k, c.clone())
            } else {
                (k, val)
            }
        })
        .collect()
}

/// Replaces (or adds) fields: each name given is set to exactly the values given.
pub fn fill(mut fields: Vec<(String, String)>, with: &[(&str, &str)]) -> Vec<(String, String)> {
    for (k, _) in with {
        fields.retain(|(n, _)| n != k);
    }
    fields.extend(with.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

/// The last path segment of a redirect, before any `#` or `?`.
pub fn last_segment(location: &str) -> String {
    let path = location.split(['#', '?']).next().unwrap_or_default();
    path.rsplit('/').next().unwrap_or_default().to_string()
}

/// The id in the first `href` or `action` of `html` that starts with `prefix` and continues with a
/// UUID (so `/courses/{id}/timeline/onset` is not taken for an entry).
pub fn id_after(html: &str, prefix: &str) -> Option<String> {
    ids_after(html, prefix).into_iter().next()
}

/// Every such id, in the order of the page, each once.
pub fn ids_after(html: &str, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for attr in ["href=\"", "action=\""] {
        let marker = format!("{attr}{prefix}");
        let mut from = 0;
        while let Some(i) = html[from..].find(&marker) {
            let start = from + i + marker.len();
            let candidate: String = html[start..].chars().take(36).collect();
            if uuid::Uuid::parse_str(&candidate).is_ok() && !out.contains(&candidate) {
                out.push(candidate);
            }
            from = start;
        }
    }
    out
}

/// Who makes a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Clinician,
    Supervisor,
    Portal,
}

pub struct Walker<'a> {
    pub app: &'a TestApp,
    pub w: &'a World,
    clinician: Tab,
    supervisor: Tab,
    portal: Tab,
    api: ApiClient,
    pub visits: Vec<Visit>,
}

impl<'a> Walker<'a> {
    pub async fn new(app: &'a TestApp, w: &'a World) -> Walker<'a> {
        Walker {
            app,
            w,
            clinician: sign_in(app, &w.a.clinician).await,
            supervisor: sign_in(app, &w.a.supervisor).await,
            portal: sign_in(app, &w.a.client).await,
            api: app.api_as(&w.a.clinician).await,
            visits: Vec::new(),
        }
    }

    fn person(&self, by: By) -> Person {
        match by {
            By::Clinician => self.w.a.clinician.clone(),
            By::Supervisor => self.w.a.supervisor.clone(),
            By::Portal => self.w.a.client.clone(),
        }
    }

    pub fn tab(&mut self, by: By) -> &mut Tab {
        match by {
            By::Clinician => &mut self.clinician,
            By::Supervisor => &mut self.supervisor,
            By::Portal => &mut self.portal,
        }
    }

    async fn head(&self) -> i64 {
        self.app
            .store
            .audit_head()
            .await
            .expect("audit head")
            .map(|a| a.seq)
            .unwrap_or(0)
    }

    /// Checks the answer was a success and keeps the visit with the audit rows written since
    /// `before`.
    async fn keep(&mut self, mut visit: Visit, before: i64) -> Resp {
        visit.rows = self
            .app
            .store
            .audit_rows(before, 1000)
            .await
            .expect("audit rows");
        assert!(
            matches!(visit.resp.status, 200 | 201 | 303),
            "{:?}: {} {} answered {}: {}",
            self.app.backend,
            visit.method,
            visit.path,
            visit.resp.status,
            complaints(&visit.resp.body)
        );
        let resp = visit.resp.clone();
        self.visits.push(visit);
        resp
    }

    #[allow(clippy::too_many_arguments)]
    fn visit(
        &self,
        method: Method,
        route: &'static str,
        path: String,
        by: By,
        client: Option<ClientId>,
        resp: Resp,
        changed: Vec<String>,
    ) -> Visit {
        Visit {
            method,
            route,
            path,
            who: self.person(by),
            client,
            resp,
            rows: Vec::new(),
            changed,
        }
    }

    /// A page read, with the tables it changed.
    pub async fn page(
        &mut self,
        by: By,
        route: &'static str,
        path: String,
        client: Option<ClientId>,
    ) -> Resp {
        let before_rows = snapshot(self.app).await;
        let before = self.head().await;
        let resp = self.tab(by).get(&path).await;
        let after_rows = snapshot(self.app).await;
        let changed = changed_tables(&before_rows, &after_rows);
        let visit = self.visit(Method::GET, route, path, by, client, resp, changed);
        self.keep(visit, before).await
    }

    /// Reads `page` (not itself a visit), takes the form posting to `path` from it, fills in
    /// `with`, and sends it.
    pub async fn form(
        &mut self,
        by: By,
        route: &'static str,
        path: String,
        page: &str,
        with: &[(&str, &str)],
        client: Option<ClientId>,
    ) -> Resp {
        self.form_with(by, route, path, page, client, |f| fill(f, with))
            .await
    }

    /// As [`Walker::form`], with the fields changed by `edit`.
    pub async fn form_with(
        &mut self,
        by: By,
        route: &'static str,
        path: String,
        page: &str,
        client: Option<ClientId>,
        edit: impl FnOnce(Vec<(String, String)>) -> Vec<(String, String)>,
    ) -> Resp {
        let html = self.tab(by).get(page).await;
        let fields = form_fields(&html.body, &path).unwrap_or_else(|| {
            panic!(
                "{:?}: {page} ({}) has no form for {path}",
                self.app.backend, html.status
            )
        });
        self.post(by, route, path, edit(fields), client).await
    }

    /// Posts the given fields (for a route no page offers a form for).
    pub async fn post(
        &mut self,
        by: By,
        route: &'static str,
        path: String,
        fields: Vec<(String, String)>,
        client: Option<ClientId>,
    ) -> Resp {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let before = self.head().await;
        let resp = self.tab(by).post_form(&path, &pairs).await;
        let visit = self.visit(Method::POST, route, path, by, client, resp, Vec::new());
        self.keep(visit, before).await
    }

    /// An API call as the clinician.
    pub async fn api(
        &mut self,
        method: Method,
        route: &'static str,
        path: String,
        body: Option<Value>,
        client: Option<ClientId>,
    ) -> Resp {
        let before_rows = if method == Method::GET {
            Some(snapshot(self.app).await)
        } else {
            None
        };
        let before = self.head().await;
        let mut rb = plain_client()
            .request(method.clone(), format!("{}{path}", self.app.base))
            .bearer_auth(&self.api.token);
        if let Some(b) = &body {
            rb = rb
                .json(b)
                .header("Idempotency-Key", uuid::Uuid::now_v7().to_string());
        }
        let resp = Resp::read(rb.send().await.expect("request")).await;
        let changed = match before_rows {
            Some(b) => changed_tables(&b, &snapshot(self.app).await),
            None => Vec::new(),
        };
        let visit = self.visit(method, route, path, By::Clinician, client, resp, changed);
        self.keep(visit, before).await
    }
}

/// The answers of a PHQ-9 in the API's shape, with item 9 ("thoughts that you would be better off
/// dead…") answered `item9`.
fn phq9_doc(item9: i64) -> Value {
    let answers: Vec<Value> = (1..=9)
        .map(|i| json!({ "item": i.to_string(), "value": if i == 9 { item9 } else { 2 } }))
        .collect();
    json!({ "instrument": "phq9", "answers": answers })
}

/// Walks clinic A's `mine` through every clinical route (see the module comment).
pub async fn walk(app: &TestApp, w: &World) -> Vec<Visit> {
    use By::{Clinician as Cl, Portal as Pt, Supervisor as Sv};
    let mut v = Walker::new(app, w).await;
    let c = w.a.mine;
    let me = Some(c);
    let get = Method::GET;
    let post = Method::POST;

    // The client list and the record itself.
    v.api(
        get.clone(),
        "/api/v1/clients",
        "/api/v1/clients".into(),
        None,
        None,
    )
    .await;
    v.form(
        Cl,
        "/clients",
        "/clients".into(),
        "/",
        &[("display_name", "Walk Newcomer")],
        None,
    )
    .await;
    let client_page = format!("/clients/{c}");
    v.page(Cl, "/clients/{id}", client_page.clone(), me).await;
    v.form(
        Cl,
        "/clients/{id}",
        client_page.clone(),
        &client_page,
        &[],
        me,
    )
    .await;
    v.api(
        get.clone(),
        "/api/v1/clients/{id}",
        format!("/api/v1/clients/{c}"),
        None,
        me,
    )
    .await;
    let created = v
        .api(
            post.clone(),
            "/api/v1/clients",
            "/api/v1/clients".into(),
            Some(json!({ "display_name": "Walk Api Newcomer" })),
            None,
        )
        .await;
    let api_client: Value = serde_json::from_str(&created.body).expect("client json");
    let api_client = ClientId(
        uuid::Uuid::parse_str(api_client["id"].as_str().expect("client id")).expect("uuid"),
    );

    // A course, its intake and contract.
    let open = format!("/clients/{c}/courses/new");
    v.page(Cl, "/clients/{id}/courses/new", open.clone(), me)
        .await;
    let r = v
        .form(
            Cl,
            "/clients/{id}/courses",
            format!("/clients/{c}/courses"),
            &open,
            &[("protocol", "ipt"), ("sessions", "16")],
            me,
        )
        .await;
    let course = last_segment(&r.location());
    let cp = format!("/courses/{course}");
    v.page(Cl, "/courses/{id}", cp.clone(), me).await;
    let intake = format!("{cp}/intake");
    v.page(Cl, "/courses/{id}/intake", intake.clone(), me).await;
    v.form(
        Cl,
        "/courses/{id}/intake",
        intake.clone(),
        &intake,
        &[
            ("code_system", "ICD-10"),
            ("code", "F32.1"),
            ("label", "Moderate depressive episode"),
        ],
        me,
    )
    .await;
    let contract = format!("{cp}/contract");
    v.page(Cl, "/courses/{id}/contract", contract.clone(), me)
        .await;
    v.form(
        Cl,
        "/courses/{id}/contract",
        contract.clone(),
        &contract,
        &[
            ("sessions", "16"),
            ("frequency", "weekly"),
            ("focus", FOCUS),
            ("participants", "client"),
        ],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/contract/renegotiate",
        format!("{contract}/renegotiate"),
        &contract,
        &[
            ("sessions", "14"),
            ("at_session", "1"),
            ("on", "2026-02-01"),
            ("reason", RENEGOTIATION),
        ],
        me,
    )
    .await;

    // The interpersonal inventory.
    let inv = format!("{cp}/inventory");
    v.page(Cl, "/courses/{id}/inventory", inv.clone(), me).await;
    v.page(Cl, "/courses/{id}/inventory/new", format!("{inv}/new"), me)
        .await;
    let mut people = Vec::new();
    for (name, relationship, status, ring) in [
        ("Mum", "parent", "deceased", "1"),
        ("Sam", "friend", "current", "3"),
    ] {
        let r = v
            .form(
                Cl,
                "/courses/{id}/inventory",
                inv.clone(),
                &format!("{inv}/new"),
                &[
                    ("display_name", name),
                    ("relationship", relationship),
                    ("status", status),
                    ("ring", ring),
                ],
                me,
            )
            .await;
        people.push(r.location().rsplit("#person-").next().unwrap().to_string());
    }
    let person = format!("{inv}/{}", people[0]);
    v.page(Cl, "/courses/{id}/inventory/{person}", person.clone(), me)
        .await;
    v.form(
        Cl,
        "/courses/{id}/inventory/{person}",
        person.clone(),
        &person,
        &[("ring", "2")],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/inventory/notes",
        format!("{inv}/notes"),
        &inv,
        &[("who_is_missing", INVENTORY_NOTES)],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/snapshots",
        format!("{cp}/snapshots"),
        &inv,
        &[("label", "intake"), ("custom", "")],
        me,
    )
    .await;
    v.page(
        Cl,
        "/courses/{id}/inventory/compare",
        format!("{inv}/compare"),
        me,
    )
    .await;
    let sam = format!("{inv}/{}", people[1]);
    v.form(
        Cl,
        "/courses/{id}/inventory/{person}/remove",
        format!("{sam}/remove"),
        &sam,
        &[],
        me,
    )
    .await;

    // The timeline.
    let tl = format!("{cp}/timeline");
    v.page(Cl, "/courses/{id}/timeline", tl.clone(), me).await;
    v.form(
        Cl,
        "/courses/{id}/timeline/onset",
        format!("{tl}/onset"),
        &tl,
        &[("date", "2025-12"), ("description", ONSET)],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/timeline/events",
        format!("{tl}/events"),
        &tl,
        &[
            ("date", "2025-10"),
            ("kind", "death"),
            ("description", EVENT),
            ("impact", "9"),
        ],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/timeline/mood",
        format!("{tl}/mood"),
        &tl,
        &[("date", "2026-01"), ("rating", "3"), ("note", "Flat")],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/timeline/episodes",
        format!("{tl}/episodes"),
        &tl,
        &[
            ("kind", "depressive"),
            ("start", "2015"),
            ("end", "2016"),
            ("severity", "moderate"),
        ],
        me,
    )
    .await;
    let html = v.page(Cl, "/courses/{id}/timeline", tl.clone(), me).await;
    let entry = format!(
        "{tl}/{}",
        id_after(&html.body, &format!("{tl}/")).expect("a timeline entry")
    );
    v.page(Cl, "/courses/{id}/timeline/{entry}", entry.clone(), me)
        .await;
    v.form(
        Cl,
        "/courses/{id}/timeline/{entry}",
        entry.clone(),
        &entry,
        &[],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/timeline/{entry}/remove",
        format!("{entry}/remove"),
        &entry,
        &[],
        me,
    )
    .await;

    // Formulation and goals.
    let fp = format!("{cp}/formulation");
    v.page(Cl, "/courses/{id}/formulation", fp.clone(), me)
        .await;
    v.form(
        Cl,
        "/courses/{id}/formulation",
        fp.clone(),
        &fp,
        &[
            ("area_0", "grief"),
            ("primary", "0"),
            ("narrative_for_client", NARRATIVE),
        ],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/formulation/agree",
        format!("{fp}/agree"),
        &fp,
        &[],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/goals",
        format!("{cp}/goals"),
        &fp,
        &[("text", GOAL)],
        me,
    )
    .await;
    let html = v
        .page(Cl, "/courses/{id}/formulation", fp.clone(), me)
        .await;
    let goal_id = id_after(&html.body, &format!("{cp}/goals/")).expect("a goal");
    let goal = format!("{cp}/goals/{goal_id}");
    v.page(Cl, "/courses/{id}/goals/{goal}", goal.clone(), me)
        .await;
    v.form(
        Cl,
        "/courses/{id}/goals/{goal}",
        goal.clone(),
        &goal,
        &[],
        me,
    )
    .await;

    // Sessions, notes and process notes.
    let sl = format!("{cp}/sessions");
    v.page(Cl, "/courses/{id}/sessions", sl.clone(), me).await;
    v.form(Cl, "/courses/{id}/sessions", sl.clone(), &sl, &[], me)
        .await;
    v.form(Cl, "/courses/{id}/sessions", sl.clone(), &sl, &[], me)
        .await;
    let html = v.page(Cl, "/courses/{id}/sessions", sl.clone(), me).await;
    let first = id_after(&html.body, "/sessions/").expect("a scheduled session");
    v.page(Cl, "/courses/{id}/brief", format!("{cp}/brief"), me)
        .await;
    let sp = format!("/sessions/{first}");
    v.page(Cl, "/sessions/{id}", sp.clone(), me).await;
    v.form(
        Cl,
        "/sessions/{id}/hold",
        format!("{sp}/hold"),
        &sp,
        &[],
        me,
    )
    .await;
    v.form(
        Cl,
        "/sessions/{id}/tasks",
        format!("{sp}/tasks"),
        &sp,
        &[],
        me,
    )
    .await;
    let np = format!("{sp}/note");
    v.page(Cl, "/sessions/{id}/note", np.clone(), me).await;
    // Every section written, as a clinician would after the hour.
    let html = v.tab(Cl).get(&np).await;
    v.form_with(Cl, "/sessions/{id}/note", np.clone(), &np, me, |f| {
        written(&html.body, &np, f)
    })
    .await;
    let html = v.page(Cl, "/sessions/{id}/note", np.clone(), me).await;
    let note = between(&html.body, "data-note-id=\"", "\"")
        .expect("a note")
        .to_string();
    let version = form_fields(&html.body, &np)
        .expect("the note form")
        .into_iter()
        .find(|(k, _)| k == "version")
        .expect("a version")
        .1;
    v.post(
        Cl,
        "/notes/{id}/sign",
        format!("/notes/{note}/sign"),
        vec![("version".into(), version)],
        me,
    )
    .await;
    v.form(
        Cl,
        "/notes/{id}/addenda",
        format!("/notes/{note}/addenda"),
        &np,
        &[("text", ADDENDUM)],
        me,
    )
    .await;
    v.form(
        Sv,
        "/notes/{id}/sign-off",
        format!("/notes/{note}/sign-off"),
        &np,
        &[("comment", SIGN_OFF)],
        me,
    )
    .await;
    let pp = format!("{sp}/process-note");
    v.page(Cl, "/sessions/{id}/process-note", pp.clone(), me)
        .await;
    v.form(
        Cl,
        "/sessions/{id}/process-note",
        pp.clone(),
        &pp,
        &[("text", PROCESS)],
        me,
    )
    .await;
    let pl = format!("/clients/{c}/process-notes");
    v.page(Cl, "/clients/{id}/process-notes", pl.clone(), me)
        .await;
    v.form(
        Cl,
        "/clients/{id}/process-notes",
        pl.clone(),
        &pl,
        &[("text", "Thoughts between sessions.")],
        me,
    )
    .await;
    let html = v
        .page(Cl, "/clients/{id}/process-notes", pl.clone(), me)
        .await;
    let pn = format!(
        "{pl}/{}",
        id_after(&html.body, &format!("{pl}/")).expect("a process note")
    );
    v.page(Cl, "/clients/{id}/process-notes/{note}", pn.clone(), me)
        .await;
    v.form(
        Cl,
        "/clients/{id}/process-notes/{note}",
        pn.clone(),
        &pn,
        &[("text", PROCESS_EDIT)],
        me,
    )
    .await;
    let html = v.page(Cl, "/courses/{id}/sessions", sl.clone(), me).await;
    let second = ids_after(&html.body, "/sessions/")
        .into_iter()
        .find(|s| *s != first)
        .expect("another scheduled session");
    v.form(
        Cl,
        "/sessions/{id}/call-off",
        format!("/sessions/{second}/call-off"),
        &format!("/sessions/{second}"),
        &[("status", "cancelled"), ("reason", "client-unwell")],
        me,
    )
    .await;

    // Worksheets.
    let wl = format!("{cp}/worksheets");
    v.page(Cl, "/courses/{id}/worksheets", wl.clone(), me).await;
    let r = v
        .form(
            Cl,
            "/courses/{id}/worksheets",
            wl.clone(),
            &wl,
            &[("kind", "communication-analysis")],
            me,
        )
        .await;
    let ws = format!("/worksheets/{}", last_segment(&r.location()));
    v.page(Cl, "/worksheets/{id}", ws.clone(), me).await;
    let html = v.tab(Cl).get(&ws).await;
    v.form_with(Cl, "/worksheets/{id}", ws.clone(), &ws, me, |f| {
        fill(written(&html.body, &ws, f), &[("intent", "complete")])
    })
    .await;
    v.form(
        Cl,
        "/worksheets/{id}/review",
        format!("{ws}/review"),
        &ws,
        &[("comment", WORKSHEET_REVIEW)],
        me,
    )
    .await;

    // Measures and the alert a positive item 9 raises.
    let ml = format!("/clients/{c}/measures");
    v.page(Cl, "/clients/{id}/measures", ml.clone(), me).await;
    let mnew = format!("{ml}/new?instrument=phq9");
    v.page(Cl, "/clients/{id}/measures/new", mnew.clone(), me)
        .await;
    let r = v
        .form(
            Cl,
            "/clients/{id}/measures",
            ml.clone(),
            &mnew,
            &[("item-9", "2")],
            me,
        )
        .await;
    let result = r.location();
    v.page(Cl, "/clients/{id}/measures/{sid}", result, me).await;
    let html = v.page(Cl, "/alerts", "/alerts".into(), None).await;
    let alert = format!(
        "/alerts/{}",
        id_after(&html.body, "/alerts/").expect("an alert")
    );
    v.page(Cl, "/alerts/{id}", alert.clone(), me).await;
    v.form(
        Cl,
        "/alerts/{id}/acknowledge",
        format!("{alert}/acknowledge"),
        &alert,
        &[("note", ACKNOWLEDGEMENT)],
        me,
    )
    .await;

    // The safety plan.
    let sp = format!("/clients/{c}/safety-plan");
    v.page(Cl, "/clients/{id}/safety-plan", sp.clone(), me)
        .await;
    v.page(
        Cl,
        "/clients/{id}/safety-plan/edit",
        format!("{sp}/edit"),
        me,
    )
    .await;
    let edit = format!("{sp}/edit");
    v.form_with(
        Cl,
        "/clients/{id}/safety-plan",
        sp.clone(),
        &edit,
        me,
        |f| {
            // The first line of the first section: a warning sign.
            let first = f
                .iter()
                .position(|(k, _)| k.ends_with("[0].text"))
                .expect("a first entry");
            let mut f = f;
            f[first].1 = WARNING_SIGN.into();
            f
        },
    )
    .await;
    v.page(
        Cl,
        "/clients/{id}/safety-plan/versions/{version}",
        format!("{sp}/versions/1"),
        me,
    )
    .await;

    // The API for integrators.
    let am = format!("/api/v1/clients/{c}/measures");
    v.api(
        post.clone(),
        "/api/v1/clients/{id}/measures",
        am.clone(),
        Some(phq9_doc(1)),
        me,
    )
    .await;
    v.api(get.clone(), "/api/v1/clients/{id}/measures", am, None, me)
        .await;
    let alerts = v
        .api(
            get.clone(),
            "/api/v1/clients/{id}/alerts",
            format!("/api/v1/clients/{c}/alerts"),
            None,
            me,
        )
        .await;
    let alerts: Value = serde_json::from_str(&alerts.body).expect("alerts json");
    let open = alerts
        .as_array()
        .or_else(|| alerts["alerts"].as_array())
        .expect("alert list")
        .iter()
        .find(|a| a["acknowledged_at"].is_null())
        .expect("an open alert from the API submission")["id"]
        .as_str()
        .expect("alert id")
        .to_string();
    v.api(
        post.clone(),
        "/api/v1/alerts/{id}/acknowledge",
        format!("/api/v1/alerts/{open}/acknowledge"),
        Some(json!({ "note": "Called her back within the hour." })),
        me,
    )
    .await;
    v.api(
        get.clone(),
        "/api/v1/clients/{id}/courses",
        format!("/api/v1/clients/{c}/courses"),
        None,
        me,
    )
    .await;
    v.api(
        post.clone(),
        "/api/v1/clients/{id}/courses",
        format!("/api/v1/clients/{}/courses", api_client),
        Some(json!({ "protocol": "ipt-b" })),
        Some(api_client),
    )
    .await;
    v.api(
        get.clone(),
        "/api/v1/courses/{id}",
        format!("/api/v1/courses/{course}"),
        None,
        me,
    )
    .await;
    v.api(
        get.clone(),
        "/api/v1/courses/{id}/sessions",
        format!("/api/v1/courses/{course}/sessions"),
        None,
        me,
    )
    .await;

    // The client's own portal.
    v.page(Pt, "/portal/safety-plan", "/portal/safety-plan".into(), me)
        .await;
    v.page(
        Pt,
        "/portal/questionnaires",
        "/portal/questionnaires".into(),
        me,
    )
    .await;
    let q = "/portal/questionnaires/phq9".to_string();
    v.page(Pt, "/portal/questionnaires/{instrument}", q.clone(), me)
        .await;
    let r = v
        .form(
            Pt,
            "/portal/questionnaires/{instrument}",
            q.clone(),
            &q,
            &[],
            me,
        )
        .await;
    v.page(Pt, "/portal/questionnaires/answered/{id}", r.location(), me)
        .await;

    // Ending the course.
    let term = format!("{cp}/termination");
    v.page(Cl, "/courses/{id}/termination", term.clone(), me)
        .await;
    v.form(
        Cl,
        "/courses/{id}/ending-raised",
        format!("{cp}/ending-raised"),
        &term,
        &[],
        me,
    )
    .await;
    v.form(
        Cl,
        "/courses/{id}/goals/{goal}/review",
        format!("{goal}/review"),
        &term,
        &[("status", "achieved"), ("review", GOAL_REVIEW)],
        me,
    )
    .await;
    v.page(Cl, "/courses/{id}/summary", format!("{cp}/summary"), me)
        .await;
    v.form(
        Cl,
        "/courses/{id}/close",
        format!("{cp}/close"),
        &term,
        &[],
        me,
    )
    .await;

    v.visits
}
