//! Read-only reference pages: the protocols and what each asks of a course.

use super::{Chrome, html};
use crate::errors::{PageError, PageResult, WebError};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use kith_app::{AppError, Ctx};
use kith_domain::locale::Locale;
use kith_domain::protocol::{FocusKind, Protocol, Repeat};

pub struct ProtocolRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub sessions: String,
}

#[derive(Template)]
#[template(path = "reference/protocols.html")]
struct ProtocolsPage {
    c: Chrome,
    protocols: Vec<ProtocolRow>,
}

fn session_summary(t: &crate::i18n::Tr, p: &Protocol) -> String {
    let s = p.sessions();
    if p.is_open_ended() {
        t.with1("protocol-open-ended", "minutes", p.session_minutes())
    } else {
        t.with(
            "protocol-sessions",
            &[
                ("min", s.min.to_string()),
                ("max", s.max.to_string()),
                ("default", s.default.to_string()),
                ("minutes", p.session_minutes().to_string()),
            ],
        )
    }
}

pub async fn protocols(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
) -> PageResult {
    let c = Chrome::new(&s, Some(&ctx), locale, "/protocols", "protocols-title");
    let t = c.t;
    let protocols = s
        .protocols
        .iter()
        .map(|p| ProtocolRow {
            id: p.id().to_string(),
            title: p.title().get(locale).to_string(),
            description: p.description().get(locale).to_string(),
            sessions: session_summary(&t, p),
        })
        .collect();
    Ok(html(&ProtocolsPage { c, protocols }))
}

pub struct TaskRow {
    pub label: String,
    pub required: bool,
    pub every_session: bool,
}

pub struct PhaseRow {
    pub label: String,
    pub sessions: String,
    pub tasks: Vec<TaskRow>,
}

pub struct AreaRow {
    pub label: String,
    pub strategies: Vec<String>,
}

pub struct MeasureRow {
    pub name: String,
    pub cadence: String,
}

#[derive(Template)]
#[template(path = "reference/protocol.html")]
struct ProtocolPage {
    c: Chrome,
    title: String,
    description: String,
    sessions: String,
    phases: Vec<PhaseRow>,
    every_session: Vec<TaskRow>,
    areas: Vec<AreaRow>,
    ipaf: bool,
    measures: Vec<MeasureRow>,
    termination_lead: u32,
}

fn task_rows(tasks: &[kith_domain::protocol::Task], locale: Locale) -> Vec<TaskRow> {
    tasks
        .iter()
        .map(|k| TaskRow {
            label: k.label.get(locale).to_string(),
            required: k.required,
            every_session: k.repeat == Repeat::EverySession,
        })
        .collect()
}

pub async fn protocol(
    State(s): State<AppState>,
    Extension(locale): Extension<Locale>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> PageResult {
    let p = s
        .protocols
        .get(&id)
        .ok_or(PageError(WebError::App(AppError::NotFound)))?;
    let c = Chrome::new(&s, Some(&ctx), locale, "/protocols", "protocol-title");
    let t = c.t;
    let count = (!p.is_open_ended()).then(|| p.sessions().default);
    let phases = p
        .phases()
        .iter()
        .map(|ph| PhaseRow {
            label: ph.label.get(locale).to_string(),
            sessions: match p.phase_span(ph, count) {
                Some((0, Some(0))) => t.get("protocol-pre-session"),
                Some((a, Some(b))) if a == b => t.with1("protocol-session-n", "n", a),
                Some((a, Some(b))) => t.with2("protocol-session-range", "from", a, "to", b),
                Some((a, None)) => t.with1("protocol-session-from", "from", a),
                None => t.get("protocol-session-none"),
            },
            tasks: task_rows(&ph.tasks, locale),
        })
        .collect();
    let areas = p
        .problem_areas()
        .iter()
        .map(|a| AreaRow {
            label: a.label.get(locale).to_string(),
            strategies: a
                .strategies
                .iter()
                .map(|x| x.label.get(locale).to_string())
                .collect(),
        })
        .collect();
    let measures = p
        .measures()
        .iter()
        .map(|m| MeasureRow {
            name: s
                .instruments
                .get(&m.instrument)
                .map(|i| i.def().title.get(locale).to_string())
                .unwrap_or_else(|| m.instrument.clone()),
            cadence: m
                .cadence
                .iter()
                .map(|c| {
                    let key: String = (*c).into();
                    match key
                        .strip_prefix("every-")
                        .and_then(|n| n.parse::<u32>().ok())
                    {
                        Some(n) => t.with1("cadence-every-n", "n", n),
                        None => t.get(&format!("cadence-{key}")),
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Ok(html(&ProtocolPage {
        title: p.title().get(locale).to_string(),
        description: p.description().get(locale).to_string(),
        sessions: session_summary(&t, p),
        phases,
        every_session: task_rows(p.session_tasks(), locale),
        areas,
        ipaf: p.focus() == FocusKind::Ipaf,
        measures,
        termination_lead: p.termination_lead(),
        c,
    }))
}
