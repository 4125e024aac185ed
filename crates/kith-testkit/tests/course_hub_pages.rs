//! The course through its pages: opening a course from the client page, the intake, the contract
//! and its renegotiation, the problem-area suggestion, the formulation and goals, and who may
//! see any of it. On SQLite always, on PostgreSQL when configured.

use kith_app::Ctx;
use kith_domain::course::SessionStatus;
use kith_domain::ids::CourseId;
use kith_testkit::{Browser, Person, TestApp, backends, location};

/// A context for the person, as their API token resolves (to act through the app directly
/// where the pages that would do it belong to another part of Kith, e.g. holding sessions).
async fn ctx_of(app: &TestApp, p: &Person) -> Ctx {
    let token = app
        .app
        .create_token_cli(&p.email, "tests", Some(p.clinic))
        .await
        .expect("token");
    app.app
        .resolve_api_token(&token, None)
        .await
        .expect("context")
}

/// Signs in through the pages and picks up the signed-in session's form token.
async fn signed(app: &TestApp, p: &Person) -> Browser {
    let b = app.sign_in(p).await;
    b.refresh_csrf("/account").await;
    b
}

/// Opens a course through the client page's form and returns its id.
async fn open_course(b: &Browser, client: &str, protocol: &str, key: &str) -> CourseId {
    let r = b
        .post_form(
            &format!("/clients/{client}/courses"),
            &[
                ("protocol", protocol),
                ("sessions", ""),
                ("idempotency_key", key),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "opening a {protocol} course");
    let to = location(&r);
    to.strip_prefix("/courses/")
        .expect("redirect to the course page")
        .parse()
        .expect("course id")
}

async fn page(b: &Browser, path: &str) -> String {
    let (status, body) = b.get_text(path).await;
    assert_eq!(status, 200, "GET {path}");
    body
}

/// The text between an element marked `data-testid="{id}"` and the end of that section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("data-testid=\"{id}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} not on the page"));
    let rest = &html[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_course_records_the_intake_and_the_contract_with_its_history() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let b = signed(&app, &w.a.clinician).await;
        let client = w.a.mine.to_string();

        // The client page lists no course yet and offers every protocol, each with its shape.
        let body = page(&b, &format!("/clients/{client}")).await;
        assert!(body.contains("No course has been opened for this client yet."));
        for id in [
            "ipt", "ipt-b", "ipt-a", "ipt-g", "ipc", "ipt-m", "ipsrt", "pa-ipt", "dit",
        ] {
            assert!(
                body.contains(&format!("id=\"protocol-{id}\"")),
                "{id} offered"
            );
        }
        assert!(body.contains("Usually 16 sessions (12 to 16)."));

        // A length outside the protocol comes back with the engine's reason, nothing opened.
        let r = b
            .post_form(
                &format!("/clients/{client}/courses"),
                &[
                    ("protocol", "ipt"),
                    ("sessions", "30"),
                    ("idempotency_key", "k-too-long"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let text = r.text().await.unwrap();
        assert!(
            text.contains("This number of sessions is outside the protocol&#39;s range."),
            "{text}"
        );
        assert!(
            text.contains("value=\"30\""),
            "the form keeps what was typed"
        );

        // Opened with the protocol's length; a double submit opens nothing new.
        let course = open_course(&b, &client, "ipt", "k-open").await;
        assert_eq!(open_course(&b, &client, "ipt", "k-open").await, course);
        let r = b
            .post_form(
                &format!("/clients/{client}/courses"),
                &[("protocol", "ipc"), ("idempotency_key", "k-second")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("This client already has an open course.")
        );
        let body = page(&b, &format!("/clients/{client}")).await;
        let list = section(&body, "client-courses");
        assert!(list.contains(&format!("/courses/{course}")));
        assert!(list.contains("Interpersonal psychotherapy (IPT)"));
        assert!(body.contains("This client has an open course."));

        // The course page: session 1 of 16 next, the initial phase's tasks, baseline measures.
        let body = page(&b, &format!("/courses/{course}")).await;
        assert!(section(&body, "course-status").contains("Session 1 of 16"));
        let agenda = section(&body, "course-agenda");
        assert!(agenda.contains("Initial phase"));
        assert!(
            agenda.contains("Name the diagnosis and explain it as a common, treatable illness")
        );
        assert!(section(&body, "measures-due").contains("PHQ-9"));
        for part in ["intake", "contract", "formulation", "inventory", "timeline"] {
            assert!(
                body.contains(&format!("href=\"/courses/{course}/{part}\"")),
                "{part} one click away"
            );
        }

        // The intake: diagnosis, psychoeducation, sick role, medication, concurrent treatment.
        let intake = page(&b, &format!("/courses/{course}/intake")).await;
        let version = between(&intake, "name=\"version\" value=\"", "\"");
        let today = app.clock_now().date().to_string();
        let r = b
            .post_form(
                &format!("/courses/{course}/intake"),
                &[
                    ("version", &version),
                    ("code_system", "ICD-10"),
                    ("code", "F32.1"),
                    ("label", "Moderate depressive episode"),
                    ("psychoeducation_on", &today),
                    ("sick_role_on", &today),
                    ("sick_role_limited", "1"),
                    ("medication_need", "to-consider"),
                    ("referral", "referred"),
                    ("medication_notes", "Discussed with her GP"),
                    ("med[0].name", "Sertraline"),
                    ("med[0].dose", "50 mg"),
                    ("med[0].prescriber", "GP"),
                    ("med[1].name", ""),
                    ("other_therapy", ""),
                ],
            )
            .await;
        // The limited sick role belongs to IPT-A: refused, and everything typed is kept.
        assert_eq!(r.status().as_u16(), 422);
        let text = r.text().await.unwrap();
        assert!(text.contains("The limited sick role belongs to the adolescent protocol (IPT-A)."));
        assert!(text.contains("value=\"Sertraline\""));
        let r = b
            .post_form(
                &format!("/courses/{course}/intake"),
                &[
                    ("version", &version),
                    ("code_system", "ICD-10"),
                    ("code", "F32.1"),
                    ("label", "Moderate depressive episode"),
                    ("psychoeducation_on", &today),
                    ("sick_role_on", &today),
                    ("medication_need", "to-consider"),
                    ("referral", "referred"),
                    ("med[0].name", "Sertraline"),
                    ("med[0].dose", "50 mg"),
                    ("med[0].prescriber", "GP"),
                    ("med[1].name", ""),
                    ("med[1].dose", "10 mg"),
                ],
            )
            .await;
        // A dose without a medicine is named at its own row.
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("This is required."));
        let r = b
            .post_form(
                &format!("/courses/{course}/intake"),
                &[
                    ("version", &version),
                    ("code_system", "ICD-10"),
                    ("code", "F32.1"),
                    ("label", "Moderate depressive episode"),
                    ("psychoeducation_on", &today),
                    ("sick_role_on", &today),
                    ("medication_need", "to-consider"),
                    ("referral", "referred"),
                    ("med[0].name", "Sertraline"),
                    ("med[0].dose", "50 mg"),
                    ("med[0].prescriber", "GP"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &format!("/courses/{course}")).await;
        assert!(body.contains("ICD-10 F32.1 — Moderate depressive episode"));
        let intake = page(&b, &format!("/courses/{course}/intake")).await;
        assert!(intake.contains("value=\"Sertraline\""));
        assert!(intake.contains("value=\"50 mg\""));
        // A save from a page loaded before that one is a conflict, and keeps what was typed.
        let r = b
            .post_form(
                &format!("/courses/{course}/intake"),
                &[
                    ("version", &version),
                    ("code_system", "ICD-11"),
                    ("code", "6A70.1"),
                    ("label", "Single episode depressive disorder, moderate"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 409);
        let text = r.text().await.unwrap();
        assert!(text.contains("Someone else saved a change first."));
        assert!(text.contains("value=\"6A70.1\""));

        // Hold sessions 1 to 3 (the sessions pages belong elsewhere; the app does it here).
        let ctx = ctx_of(&app, &w.a.clinician).await;
        for _ in 1..=3 {
            app.app
                .add_session(&ctx, course, None, SessionStatus::Held, app.clock_now())
                .await
                .expect("session held");
        }

        // The contract, agreed at session 3.
        let contract = page(&b, &format!("/courses/{course}/contract")).await;
        assert!(contract.contains("The contract (not agreed yet)"));
        let version = between(&contract, "name=\"version\" value=\"", "\"");
        let r = b
            .post_form(
                &format!("/courses/{course}/contract"),
                &[
                    ("version", &version),
                    ("sessions", "16"),
                    ("frequency", "weekly"),
                    ("planned_end", ""),
                    ("focus", "Her mother's death and what it changed"),
                    ("participants", "client"),
                    ("at_session", "3"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let contract = page(&b, &format!("/courses/{course}/contract")).await;
        assert!(section(&contract, "contract-current").contains("The contract agreed"));
        assert!(contract.contains("The contract has not been changed."));
        let version = between(&contract, "name=\"version\" value=\"", "\"");

        // A change needs a reason; below the sessions used, the engine's reason is shown.
        let change = |sessions: &'static str, reason: &'static str| {
            let version = version.clone();
            let b = b.clone();
            async move {
                b.post_form(
                    &format!("/courses/{course}/contract/renegotiate"),
                    &[
                        ("version", &version),
                        ("sessions", sessions),
                        ("frequency", "weekly"),
                        ("focus", "Her mother's death and what it changed"),
                        ("participants", "client"),
                        ("at_session", "3"),
                        ("on", ""),
                        ("reason", reason),
                    ],
                )
                .await
            }
        };
        let r = change("12", "").await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("This is required."));
        let r = change("2", "Finish sooner").await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("The contract cannot be shorter than the sessions already used.")
        );
        let r = change("16", "Nothing new").await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Nothing was changed: the contract already has these terms.")
        );
        let r = change(
            "12",
            "She starts a new job in three months and wants to finish before",
        )
        .await;
        assert_eq!(r.status().as_u16(), 303);
        let contract = page(&b, &format!("/courses/{course}/contract")).await;
        let history = section(&contract, "contract-history");
        assert!(
            history.contains("She starts a new job in three months and wants to finish before")
        );
        assert!(history.contains("16 sessions"));
        assert!(history.contains("12 sessions"));
        let body = page(&b, &format!("/courses/{course}")).await;
        assert!(section(&body, "course-status").contains("Session 4 of 12"));
        assert!(body.contains("changed once"));
        app.finish().await;
    }
}

fn between(html: &str, start: &str, end: &str) -> String {
    let i = html.find(start).expect("start marker") + start.len();
    let rest = &html[i..];
    rest[..rest.find(end).expect("end marker")].to_string()
}

/// The id in a `Location` of the form `/courses/{course}/inventory#person-{id}`.
fn person_in(location: &str) -> String {
    location
        .rsplit("#person-")
        .next()
        .expect("person anchor")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kith_suggests_grief_first_when_a_death_comes_just_before_onset() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let b = signed(&app, &w.a.clinician).await;
        let course = open_course(&b, &w.a.mine.to_string(), "ipt", "k").await;

        // Before anything is recorded, nothing is suggested and the missing onset is named.
        let body = page(&b, &format!("/courses/{course}")).await;
        let s = section(&body, "course-suggestion");
        assert!(s.contains("Kith&#39;s suggestion"));
        assert!(s.contains("The onset of the episode is not recorded"));

        // Her mother, closest; her father, with whom she argues often over mismatched hopes.
        let add = |fields: Vec<(&'static str, &'static str)>| {
            let b = b.clone();
            async move {
                let mut all = vec![("quick", "1"), ("idempotency_key", "")];
                all.extend(fields);
                b.post_form(&format!("/courses/{course}/inventory"), &all)
                    .await
            }
        };
        let r = add(vec![
            ("display_name", "Mum"),
            ("relationship", "parent"),
            ("status", "deceased"),
            ("ring", "1"),
        ])
        .await;
        assert_eq!(r.status().as_u16(), 303);
        let mum = person_in(&location(&r));
        let r = b
            .post_form(
                &format!("/courses/{course}/inventory"),
                &[
                    ("display_name", "Dad"),
                    ("relationship", "parent"),
                    ("status", "current"),
                    ("ring", "2"),
                    ("conflict_frequency", "sometimes"),
                    ("expectations_reciprocal", "partly"),
                    ("idempotency_key", ""),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);

        // The death six weeks before she stopped sleeping.
        let r = b
            .post_form(
                &format!("/courses/{course}/timeline/events"),
                &[
                    ("date", "2026-01-05"),
                    ("kind", "death"),
                    ("people", &mum),
                    ("description", "Mum died in hospital"),
                    ("impact", "10"),
                    ("candidate_area", ""),
                    ("idempotency_key", ""),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let tl = page(&b, &format!("/courses/{course}/timeline")).await;
        let onset_version = between(&tl, "action=\"/courses/", "</form>");
        let v = between(&onset_version, "name=\"version\" value=\"", "\"");
        let r = b
            .post_form(
                &format!("/courses/{course}/timeline/onset"),
                &[
                    ("date", "2026-02-16"),
                    ("description", "Stopped sleeping"),
                    ("version", &v),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);

        // Grief comes first, with the death near onset and the closeness as its reasons.
        let body = page(&b, &format!("/courses/{course}")).await;
        let s = section(&body, "course-suggestion");
        let grief = s.find("<strong>Grief</strong>").expect("grief suggested");
        let dispute = s
            .find("<strong>Role dispute</strong>")
            .expect("dispute suggested");
        assert!(grief < dispute, "grief ranks first: {s}");
        assert!(s.contains(
            "A death close to onset: Mum died in hospital (5 January 2026), 6 weeks before onset."
        ));
        assert!(s.contains("Mum, who died, was in the client&#39;s closest circle."));
        // Deficits is held back while other areas have signals.
        assert!(s.contains("Interpersonal deficits is not suggested."));
        // The same suggestion opens the formulation page, labelled as a suggestion.
        let f = page(&b, &format!("/courses/{course}/formulation")).await;
        assert!(f.contains("You and the client decide the focus."));

        // The timeline marks the death as near onset.
        let tl = page(&b, &format!("/courses/{course}/timeline")).await;
        let events = section(&tl, "timeline-events");
        assert!(events.contains("near-onset"));
        assert!(events.contains("6 weeks before onset"));
        assert!(tl.contains("data-testid=\"timeline-svg\""));
        assert!(tl.contains("<svg"));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_formulation_is_chosen_with_reasons_agreed_and_revised_and_goals_are_reviewed() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let b = signed(&app, &w.a.clinician).await;
        let course = open_course(&b, &w.a.mine.to_string(), "ipt", "k").await;
        let save = |fields: Vec<(&'static str, String)>| {
            let b = b.clone();
            async move {
                let all: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                b.post_form(&format!("/courses/{course}/formulation"), &all)
                    .await
            }
        };
        // A role dispute without its stage, and no primary among two areas: both named.
        let r = save(vec![
            ("revision", "0".into()),
            ("area_0", "dispute".into()),
            ("stage_0", "".into()),
            ("rationale_0", "Constant rows with her partner".into()),
            ("area_1", "transition".into()),
            ("stage_1", "".into()),
            ("rationale_1", "".into()),
            ("primary", "7".into()),
            ("narrative_for_client", "".into()),
            ("at_session", "2".into()),
        ])
        .await;
        assert_eq!(r.status().as_u16(), 422);
        let text = r.text().await.unwrap();
        assert!(text.contains("Please mark one problem area as the primary one."));
        assert!(text.contains("Please record the stage of the role dispute."));
        assert!(text.contains("Constant rows with her partner"), "text kept");

        let good = vec![
            ("revision", "0".to_string()),
            ("area_0", "dispute".into()),
            ("stage_0", "impasse".into()),
            ("rationale_0", "Constant rows with her partner since the baby".into()),
            ("area_1", "".into()),
            ("primary", "0".into()),
            (
                "narrative_for_client",
                "Since the baby came, you and Sam have stopped talking about what each of you needs. Low mood made that harder, and it is an illness that can get better."
                    .into(),
            ),
            ("clinician_formulation", "Dispute at impasse".into()),
            ("at_session", "2".into()),
        ];
        assert_eq!(save(good.clone()).await.status().as_u16(), 303);
        // Saving again from the same page is a conflict: someone saved revision 1 meanwhile.
        assert_eq!(save(good.clone()).await.status().as_u16(), 409);
        let f = page(&b, &format!("/courses/{course}/formulation")).await;
        assert!(section(&f, "formulation-current").contains("Role dispute · Impasse"));
        assert!(f.contains("Since the baby came"));

        // The client's agreement, then a revision that adds a second area.
        let r = b
            .post_form(
                &format!("/courses/{course}/formulation/agree"),
                &[
                    ("revision", "1"),
                    ("agreed_on", &app.clock_now().date().to_string()),
                    ("at_session", "3"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let f = page(&b, &format!("/courses/{course}/formulation")).await;
        assert!(section(&f, "formulation-agreed").contains("(session 3)"));
        let mut second = good.clone();
        second[0].1 = "1".into();
        second[4].1 = "transition".into();
        second.push(("rationale_1", "Becoming a mother".into()));
        second.push(("stage_1", "".into()));
        assert_eq!(save(second).await.status().as_u16(), 303);
        let f = page(&b, &format!("/courses/{course}/formulation")).await;
        let history = section(&f, "formulation-history");
        assert!(history.contains("Role dispute (Impasse), Role transition"));
        assert!(
            history.matches("<tr>").count() >= 3,
            "both revisions listed"
        );
        // The course page warns about two areas and shows the agreement of the first revision.
        let body = page(&b, &format!("/courses/{course}")).await;
        assert!(
            section(&body, "course-warnings")
                .contains("Two problem areas are chosen (Role dispute, Role transition)")
        );

        // Goals tied to the area, then reviewed.
        let r = b
            .post_form(
                &format!("/courses/{course}/goals"),
                &[
                    ("text", "Talk with Sam once a week about how the week went"),
                    ("problem_area", "dispute"),
                    ("idempotency_key", "g1"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let f = page(&b, &format!("/courses/{course}/formulation")).await;
        let goals = section(&f, "goals");
        assert!(goals.contains("Talk with Sam once a week"));
        assert!(goals.contains("Working on it"));
        let goal = between(goals, &format!("/courses/{course}/goals/"), "\"");
        let edit = page(&b, &format!("/courses/{course}/goals/{goal}")).await;
        let v = between(&edit, "name=\"version\" value=\"", "\"");
        let r = b
            .post_form(
                &format!("/courses/{course}/goals/{goal}"),
                &[
                    ("text", "Talk with Sam once a week about how the week went"),
                    ("problem_area", "dispute"),
                    ("status", "partly"),
                    ("review", "Most weeks; harder when she is tired"),
                    ("version", &v),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &format!("/courses/{course}")).await;
        assert!(section(&body, "course-goals").contains("Partly achieved"));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dit_course_asks_for_an_ipaf_and_shows_the_pattern_hint() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let b = signed(&app, &w.a.clinician).await;
        let course = open_course(&b, &w.a.mine.to_string(), "dit", "k").await;
        let body = page(&b, &format!("/courses/{course}")).await;
        assert!(body.contains("Interpersonal-affective focus (IPAF)"));
        assert!(body.contains("Material for the interpersonal-affective focus"));
        let f = page(&b, &format!("/courses/{course}/formulation")).await;
        assert!(f.contains("id=\"ipaf_summary\""));
        assert!(!f.contains("id=\"area_0\""), "no problem areas in DIT");
        let r = b
            .post_form(
                &format!("/courses/{course}/formulation"),
                &[
                    ("revision", "0"),
                    ("ipaf_summary", ""),
                    ("narrative_for_client", ""),
                    ("at_session", "3"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("This is required."));
        let r = b
            .post_form(
                &format!("/courses/{course}/formulation"),
                &[
                    ("revision", "0"),
                    (
                        "ipaf_summary",
                        "When someone close seems to pull away, she expects to be dropped and goes quiet first",
                    ),
                    ("ipaf_self", "Not worth staying for"),
                    ("ipaf_other", "About to leave"),
                    ("ipaf_affect", "Fear"),
                    ("ipaf_defence", "Withdrawing"),
                    ("at_session", "3"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &format!("/courses/{course}")).await;
        assert!(section(&body, "course-ipaf").contains("she expects to be dropped"));
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clinician_who_does_not_care_for_the_client_finds_no_course_page() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = signed(&app, &w.a.clinician).await;
        let course = open_course(&mine, &w.a.mine.to_string(), "ipt", "k").await;
        let r = mine
            .post_form(
                &format!("/courses/{course}/inventory"),
                &[
                    ("display_name", "Jo"),
                    ("relationship", "friend"),
                    ("status", "current"),
                    ("idempotency_key", ""),
                ],
            )
            .await;
        let person = person_in(&location(&r));
        let r = mine
            .post_form(
                &format!("/courses/{course}/timeline/events"),
                &[
                    ("date", "2025"),
                    ("kind", "move"),
                    ("description", "Moved city"),
                    ("idempotency_key", ""),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let r = mine
            .post_form(
                &format!("/courses/{course}/goals"),
                &[("text", "Feel at home here"), ("idempotency_key", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let ctx = ctx_of(&app, &w.a.clinician).await;
        let entry = app.app.timeline(&ctx, w.a.mine).await.unwrap().entries[0].id;
        let goal = app.app.goals(&ctx, course).await.unwrap()[0].id;
        let gets = [
            format!("/courses/{course}"),
            format!("/courses/{course}/intake"),
            format!("/courses/{course}/contract"),
            format!("/courses/{course}/formulation"),
            format!("/courses/{course}/goals/{goal}"),
            format!("/courses/{course}/inventory"),
            format!("/courses/{course}/inventory/new"),
            format!("/courses/{course}/inventory/compare"),
            format!("/courses/{course}/inventory/{person}"),
            format!("/courses/{course}/timeline"),
            format!("/courses/{course}/timeline/{entry}"),
            format!("/clients/{}/courses/new", w.a.mine),
        ];
        let c = format!("/courses/{course}");
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (
                format!("/clients/{}/courses", w.a.mine),
                vec![("protocol", "ipc"), ("idempotency_key", "x")],
            ),
            (format!("{c}/intake"), vec![("version", "1")]),
            (
                format!("{c}/contract"),
                vec![
                    ("version", "1"),
                    ("sessions", "12"),
                    ("frequency", "weekly"),
                    ("participants", "client"),
                    ("at_session", "1"),
                ],
            ),
            (
                format!("{c}/contract/renegotiate"),
                vec![
                    ("version", "1"),
                    ("sessions", "12"),
                    ("frequency", "weekly"),
                    ("participants", "client"),
                    ("at_session", "1"),
                    ("reason", "x"),
                ],
            ),
            (
                format!("{c}/formulation"),
                vec![("revision", "0"), ("area_0", "grief"), ("at_session", "1")],
            ),
            (
                format!("{c}/formulation/agree"),
                vec![
                    ("revision", "1"),
                    ("agreed_on", "2020-01-01"),
                    ("at_session", "1"),
                ],
            ),
            (format!("{c}/goals"), vec![("text", "x")]),
            (
                format!("{c}/goals/{goal}"),
                vec![("text", "x"), ("status", "active"), ("version", "1")],
            ),
            (
                format!("{c}/inventory"),
                vec![
                    ("display_name", "Intruder"),
                    ("relationship", "friend"),
                    ("status", "current"),
                ],
            ),
            (format!("{c}/inventory/notes"), vec![("version", "0")]),
            (
                format!("{c}/inventory/{person}"),
                vec![
                    ("display_name", "Intruder"),
                    ("relationship", "friend"),
                    ("status", "current"),
                    ("version", "1"),
                ],
            ),
            (
                format!("{c}/inventory/{person}/remove"),
                vec![("version", "1")],
            ),
            (format!("{c}/snapshots"), vec![("label", "intake")]),
            (
                format!("{c}/timeline/onset"),
                vec![("date", "2020"), ("version", "0")],
            ),
            (
                format!("{c}/timeline/events"),
                vec![("date", "2020"), ("kind", "move")],
            ),
            (
                format!("{c}/timeline/mood"),
                vec![("date", "2020"), ("rating", "5")],
            ),
            (
                format!("{c}/timeline/episodes"),
                vec![("kind", "depressive"), ("start", "2020")],
            ),
            (
                format!("{c}/timeline/{entry}"),
                vec![("date", "2020"), ("kind", "move"), ("version", "1")],
            ),
            (
                format!("{c}/timeline/{entry}/remove"),
                vec![("version", "1")],
            ),
        ];
        // The supervisor of the clinician sees every page, but not the forms that add records:
        // supervisors read their supervisees' clients, they do not write for them.
        let sup = signed(&app, &w.a.supervisor).await;
        for path in &gets {
            let (status, _) = sup.get_text(path).await;
            let write_form = path.ends_with("/new");
            assert_eq!(
                status,
                if write_form { 404 } else { 200 },
                "supervisor GET {path}"
            );
        }
        // A colleague of the same clinic and a clinician of another clinic find nothing.
        for who in [&w.a.colleague, &w.b.clinician] {
            let other = signed(&app, who).await;
            for path in &gets {
                let (status, body) = other.get_text(path).await;
                assert_eq!(status, 404, "{} GET {path}", who.email);
                assert!(!body.contains("Jo"), "nothing leaks");
            }
            for (path, fields) in &posts {
                let r = other.post_form(path, fields).await;
                assert_eq!(r.status().as_u16(), 404, "{} POST {path}", who.email);
            }
        }
        // Nothing was changed by them.
        let ctx = ctx_of(&app, &w.a.clinician).await;
        assert_eq!(app.app.inventory(&ctx, w.a.mine).await.unwrap().len(), 1);
        assert_eq!(app.app.courses(&ctx, w.a.mine).await.unwrap().len(), 1);
        // The clinic admin and the client's own portal account do not see the course either.
        for who in [&w.a.admin, &w.a.client] {
            let other = signed(&app, who).await;
            let (status, _) = other.get_text(&format!("/courses/{course}")).await;
            assert!(
                matches!(status, 403 | 404),
                "{} GET course: {status}",
                who.email
            );
        }
        app.finish().await;
    }
}
