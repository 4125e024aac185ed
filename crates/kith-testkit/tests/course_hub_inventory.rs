//! The interpersonal inventory, the closeness circle and its snapshots, and the timeline, through
//! their pages. On SQLite always, on PostgreSQL when configured.

use kith_domain::ids::CourseId;
use kith_testkit::{Browser, Person, TestApp, backends, location};

async fn signed(app: &TestApp, p: &Person) -> Browser {
    let b = app.sign_in(p).await;
    b.refresh_csrf("/account").await;
    b
}

async fn open_course(b: &Browser, client: &str) -> CourseId {
    let r = b
        .post_form(
            &format!("/clients/{client}/courses"),
            &[("protocol", "ipt"), ("idempotency_key", "open")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    location(&r)
        .strip_prefix("/courses/")
        .expect("course page")
        .parse()
        .expect("course id")
}

async fn page(b: &Browser, path: &str) -> String {
    let (status, body) = b.get_text(path).await;
    assert_eq!(status, 200, "GET {path}");
    body
}

fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("data-testid=\"{id}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} not on the page"));
    let rest = &html[start..];
    let end = rest.find("</table>").unwrap_or(rest.len());
    &rest[..end]
}

fn between(html: &str, start: &str, end: &str) -> String {
    let i = html.find(start).expect("start marker") + start.len();
    let rest = &html[i..];
    rest[..rest.find(end).expect("end marker")].to_string()
}

fn version_in(html: &str) -> String {
    between(html, "name=\"version\" value=\"", "\"")
}

/// Every field of the person form, with a few overridden.
fn person_form<'a>(over: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = vec![
        ("display_name", "Ana"),
        ("relationship", "sibling"),
        ("status", "current"),
        ("ring", "2"),
        ("angle", ""),
        ("contact", "weekly"),
        ("last_contact", "2026-05"),
        ("time_together", "Sunday lunch"),
        ("what_they_are_like", "Practical, funny"),
        ("what_i_like", "She listens"),
        ("what_i_dislike", "She fixes things too fast"),
        ("topics_i_can_talk_about", "Work, the kids"),
        ("topics_i_cannot_talk_about", "Mum"),
        ("knows_how_i_feel", "partly"),
        ("feelings", "safe, a bit judged"),
        ("support_types", "practical"),
        ("support_types", "companionship"),
        ("support_rating", "7"),
        ("conflict_frequency", "rarely"),
        ("conflict_outcome", "resolved"),
        ("conflict_what_happens", "Short, then we laugh"),
        ("expectations_mine", "That she calls"),
        ("expectations_theirs", "That I visit more"),
        ("expectations_reciprocal", "partly"),
        ("satisfaction", "6"),
        ("changes_wanted", "Talk about Mum"),
        ("onset_change_date", ""),
        ("onset_change_description", ""),
        ("past_pattern", ""),
        ("linked_problem_area", "grief"),
        ("visibility", "shared"),
        ("notes", ""),
    ];
    for (k, v) in over {
        if let Some(slot) = f.iter_mut().find(|(x, _)| x == k) {
            slot.1 = v;
        } else {
            f.push((k, v));
        }
    }
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_added_edited_and_removed_and_a_stale_form_is_a_conflict() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let b = signed(&app, &w.a.clinician).await;
        let course = open_course(&b, &w.a.mine.to_string()).await;
        let inv = format!("/courses/{course}/inventory");

        // Every field of the inventory, from the full form.
        let mut add = person_form(&[]);
        add.push(("idempotency_key", "ana"));
        let r = b.post_form(&inv, &add).await;
        assert_eq!(r.status().as_u16(), 303);
        let ana = location(&r)
            .rsplit("#person-")
            .next()
            .expect("anchor")
            .to_string();
        // The same form sent twice adds one person.
        assert_eq!(b.post_form(&inv, &add).await.status().as_u16(), 303);
        let body = page(&b, &inv).await;
        let table = section(&body, "inventory-people");
        assert_eq!(table.matches("<tr id=\"person-").count(), 1);
        assert!(table.contains("Brother or sister"));
        assert!(table.contains("<td>Close</td>"));
        assert!(table.contains("<td>7</td>"));
        let circle = section(&body, "circle-svg");
        assert!(circle.contains(&format!("data-person-id=\"{ana}\"")));
        assert!(circle.contains("data-ring=\"2\""));
        assert!(body.contains("/static/circle.js"));

        // The edit form shows what was saved.
        let edit = page(&b, &format!("{inv}/{ana}")).await;
        for shown in [
            "value=\"2026-05\"",
            "Sunday lunch",
            "She fixes things too fast",
            "value=\"safe, a bit judged\"",
            "value=\"practical\" checked",
            "value=\"companionship\" checked",
            "Talk about Mum",
            "<option value=\"grief\" selected>",
        ] {
            assert!(edit.contains(shown), "edit form shows {shown}");
        }
        let v1 = version_in(&edit);

        // Problems are named beside their fields and nothing is saved.
        let bad = person_form(&[
            ("version", v1.as_str()),
            ("support_rating", "11"),
            ("last_contact", "May 2026"),
            ("display_name", ""),
        ]);
        let r = b.post_form(&format!("{inv}/{ana}"), &bad).await;
        assert_eq!(r.status().as_u16(), 422);
        let text = r.text().await.unwrap();
        assert!(text.contains("Please enter a whole number from 0 to 10."));
        assert!(
            text.contains("Please enter a year (2024), a month (2024-03) or a day (2024-03-14).")
        );
        assert!(text.contains("value=\"May 2026\""), "typed values kept");

        // Moving her inward with the version loaded works; a second tab's save then conflicts.
        let moved = person_form(&[("version", v1.as_str()), ("ring", "1"), ("angle", "90")]);
        assert_eq!(
            b.post_form(&format!("{inv}/{ana}"), &moved)
                .await
                .status()
                .as_u16(),
            303
        );
        let stale = person_form(&[
            ("version", v1.as_str()),
            ("ring", "3"),
            ("notes", "From the other tab"),
        ]);
        let r = b.post_form(&format!("{inv}/{ana}"), &stale).await;
        assert_eq!(r.status().as_u16(), 409);
        let text = r.text().await.unwrap();
        assert!(text.contains("Someone else saved a change first."));
        assert!(
            text.contains("From the other tab"),
            "the stale text is kept"
        );
        let body = page(&b, &inv).await;
        assert!(section(&body, "inventory-people").contains("<td>Closest</td>"));
        assert!(section(&body, "circle-svg").contains("data-ring=\"1\""));

        // Removing needs the current version too.
        let r = b
            .post_form(&format!("{inv}/{ana}/remove"), &[("version", &v1)])
            .await;
        assert_eq!(r.status().as_u16(), 409);
        let v2 = version_in(&page(&b, &format!("{inv}/{ana}")).await);
        let r = b
            .post_form(&format!("{inv}/{ana}/remove"), &[("version", &v2)])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &inv).await;
        assert!(body.contains("Nobody has been added yet."));
        let (status, _) = b.get_text(&format!("{inv}/{ana}")).await;
        assert_eq!(status, 404, "a removed person has no edit page");

        // A field the form does not have is refused outright.
        let mut odd = person_form(&[]);
        odd.push(("shoe_size", "42"));
        assert_eq!(b.post_form(&inv, &odd).await.status().as_u16(), 400);

        // The drag script is served from Kith itself.
        let r = b.get("/static/circle.js").await;
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_view_compares_two_snapshots_of_the_circle() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let b = signed(&app, &w.a.clinician).await;
        let course = open_course(&b, &w.a.mine.to_string()).await;
        let inv = format!("/courses/{course}/inventory");
        let mut ids = Vec::new();
        for (name, ring) in [("Jo", "3"), ("Sam", "1"), ("Kim", "2")] {
            let r = b
                .post_form(
                    &inv,
                    &[
                        ("quick", "1"),
                        ("display_name", name),
                        ("relationship", "friend"),
                        ("status", "current"),
                        ("ring", ring),
                        ("idempotency_key", name),
                    ],
                )
                .await;
            assert_eq!(r.status().as_u16(), 303);
            ids.push(location(&r).rsplit("#person-").next().unwrap().to_string());
        }
        let compare = page(&b, &format!("{inv}/compare")).await;
        assert!(compare.contains("Take at least two snapshots to compare them."));
        let r = b
            .post_form(
                &format!("/courses/{course}/snapshots"),
                &[("label", "intake"), ("custom", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        // A snapshot of one's own needs its name.
        let r = b
            .post_form(
                &format!("/courses/{course}/snapshots"),
                &[("label", "custom"), ("custom", " ")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);

        // By the end: Jo closest, Sam further out, Kim gone, someone new.
        let move_to = |id: String, name: &'static str, ring: &'static str| {
            let b = b.clone();
            let inv = inv.clone();
            async move {
                let v = version_in(&page(&b, &format!("{inv}/{id}")).await);
                let r = b
                    .post_form(
                        &format!("{inv}/{id}"),
                        &[
                            ("display_name", name),
                            ("relationship", "friend"),
                            ("status", "current"),
                            ("ring", ring),
                            ("version", &v),
                        ],
                    )
                    .await;
                assert_eq!(r.status().as_u16(), 303);
            }
        };
        move_to(ids[0].clone(), "Jo", "1").await;
        move_to(ids[1].clone(), "Sam", "2").await;
        let v = version_in(&page(&b, &format!("{inv}/{}", ids[2])).await);
        b.post_form(&format!("{inv}/{}/remove", ids[2]), &[("version", &v)])
            .await;
        b.post_form(
            &inv,
            &[
                ("quick", "1"),
                ("display_name", "Lou from choir"),
                ("relationship", "friend"),
                ("status", "current"),
                ("ring", "2"),
                ("idempotency_key", "lou"),
            ],
        )
        .await;
        let r = b
            .post_form(
                &format!("/courses/{course}/snapshots"),
                &[("label", "termination"), ("custom", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &inv).await;
        assert!(body.contains("Intake ·"));
        assert!(body.contains("Termination ·"));

        // Intake against termination, by default.
        let compare = page(&b, &format!("{inv}/compare")).await;
        assert!(compare.contains("From Intake to Termination"));
        assert!(section(&compare, "circle-change-svg").contains("<svg"));
        let rows = section(&compare, "circle-changes");
        let row = |name: &str| {
            let i = rows
                .find(&format!("<th scope=\"row\">{name}</th>"))
                .unwrap_or_else(|| panic!("{name} listed"));
            let rest = &rows[i..];
            rest[..rest.find("</tr>").unwrap()].to_string()
        };
        assert!(row("Jo").contains("Moved closer"));
        assert!(row("Jo").contains("Further out → Closest"));
        assert!(row("Sam").contains("Moved further out"));
        assert!(row("Kim").contains("No longer there"));
        assert!(row("Lou from choir").contains("New"));

        // Picking snapshots by id; an id that is not one of this course's is not found.
        let ids_in_select = between(
            &compare,
            "<select id=\"before\" name=\"before\">",
            "</select>",
        );
        let first = between(&ids_in_select, "value=\"", "\"");
        let same = page(&b, &format!("{inv}/compare?before={first}&after={first}")).await;
        let rows = section(&same, "circle-changes");
        assert!(!rows.contains("Moved closer"), "a snapshot against itself");
        let (status, _) = b
            .get_text(&format!(
                "{inv}/compare?before={first}&after=01900000-0000-7000-8000-000000000000"
            ))
            .await;
        assert_eq!(status, 404);
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_takes_approximate_dates_mood_and_episodes_and_edits_them() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let b = signed(&app, &w.a.clinician).await;
        let course = open_course(&b, &w.a.mine.to_string()).await;
        let tl = format!("/courses/{course}/timeline");

        // A date the client remembers only by year, one by month, one exactly.
        for (date, kind, text) in [
            ("2019", "move", "Moved to the coast"),
            ("2025-09", "job-loss", "Lost the job at the port"),
            ("2025-11-02", "separation", "Partner moved out"),
        ] {
            let r = b
                .post_form(
                    &format!("{tl}/events"),
                    &[
                        ("date", date),
                        ("kind", kind),
                        ("description", text),
                        ("impact", "8"),
                        ("idempotency_key", text),
                    ],
                )
                .await;
            assert_eq!(r.status().as_u16(), 303, "{text}");
        }
        // Problems are named: a date in words, an impact of 12, no kind.
        let r = b
            .post_form(
                &format!("{tl}/events"),
                &[
                    ("date", "last spring"),
                    ("impact", "12"),
                    ("idempotency_key", "x"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let text = r.text().await.unwrap();
        assert!(
            text.contains("Please enter a year (2024), a month (2024-03) or a day (2024-03-14).")
        );
        assert!(text.contains("Please enter a whole number from 0 to 10."));
        assert!(text.contains("value=\"last spring\""));

        // The onset, a mood rating and a past episode.
        let body = page(&b, &tl).await;
        let onset_form = between(&body, "timeline/onset\"", "</form>");
        let v = version_in(&onset_form);
        let r = b
            .post_form(
                &format!("{tl}/onset"),
                &[
                    ("date", "2025-12"),
                    ("description", "Could not get up for work"),
                    ("version", &v),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let r = b
            .post_form(
                &format!("{tl}/mood"),
                &[
                    ("date", "2026-01"),
                    ("rating", "3"),
                    ("note", "Flat"),
                    ("idempotency_key", "m1"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let r = b
            .post_form(
                &format!("{tl}/episodes"),
                &[
                    ("kind", "depressive"),
                    ("start", "2015"),
                    ("end", "2016"),
                    ("severity", "moderate"),
                    ("treatment", "Counselling"),
                    ("idempotency_key", "e1"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &tl).await;
        assert!(
            section(&body, "timeline-onset").contains("December 2025 — Could not get up for work")
        );
        let events = section(&body, "timeline-events");
        assert!(events.contains(">2019<"));
        assert!(events.contains(">September 2025<"));
        assert!(events.contains(">2 November 2025<"));
        // In date order, with the separation (six weeks before onset) marked as near it; the
        // job lost three months before is outside the eight weeks.
        assert!(events.find("2019").unwrap() < events.find("September 2025").unwrap());
        assert_eq!(events.matches("near-onset").count(), 1);
        let near = events.find("near-onset").unwrap();
        assert!(events[near..].starts_with("near-onset\"><td><a"));
        assert!(events[near..].contains("Partner moved out"));
        assert!(!events[near..].contains("Lost the job"));
        assert!(section(&body, "timeline-mood").contains("<td>3</td>"));
        assert!(section(&body, "timeline-episodes").contains("Counselling"));
        let svg = between(&body, "data-testid=\"timeline-svg\">", "</figure>");
        assert!(svg.contains("Partner moved out"));

        // Edit an event at its version; the old version is then a conflict.
        let entry = between(events, &format!("href=\"{tl}/"), "\"");
        let form = page(&b, &format!("{tl}/{entry}")).await;
        let v = version_in(&form);
        let edit = |desc: &'static str, v: String| {
            let b = b.clone();
            let path = format!("{tl}/{entry}");
            async move {
                b.post_form(
                    &path,
                    &[
                        ("date", "2019"),
                        ("kind", "move"),
                        ("description", desc),
                        ("impact", "4"),
                        ("candidate_area", "transition"),
                        ("version", &v),
                    ],
                )
                .await
            }
        };
        assert_eq!(
            edit("Moved to the coast for his work", v.clone())
                .await
                .status()
                .as_u16(),
            303
        );
        let r = edit("Moved", v.clone()).await;
        assert_eq!(r.status().as_u16(), 409);
        let body = page(&b, &tl).await;
        assert!(body.contains("Moved to the coast for his work"));

        // Remove the mood rating.
        let mood = between(
            section(&body, "timeline-mood"),
            &format!("href=\"{tl}/"),
            "\"",
        );
        let v = version_in(&page(&b, &format!("{tl}/{mood}")).await);
        let r = b
            .post_form(&format!("{tl}/{mood}/remove"), &[("version", &v)])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &tl).await;
        assert!(!body.contains("data-testid=\"timeline-mood\""));
        let (status, _) = b.get_text(&format!("{tl}/{mood}")).await;
        assert_eq!(status, 404);

        // Clearing the onset.
        let onset_form = between(&body, "timeline/onset\"", "</form>");
        let v = version_in(&onset_form);
        let r = b
            .post_form(
                &format!("{tl}/onset"),
                &[
                    ("date", ""),
                    ("description", ""),
                    ("version", &v),
                    ("clear", "1"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let body = page(&b, &tl).await;
        assert!(section(&body, "timeline-onset").contains("Onset of the episode not recorded yet"));
        app.finish().await;
    }
}
