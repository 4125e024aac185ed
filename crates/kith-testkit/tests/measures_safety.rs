//! Safety answers mean what the paper form means (issue 10, items 1 and 5).
//!
//! * Reverse-scored instruments (EPDS items 3 and 5–10): every entry form shows each option as it
//!   stands on the paper form (its wording, or its printed score), posts that printed score, and
//!   the API takes a printed `score`; a bare position on a reverse-scored item is refused as
//!   ambiguous. EPDS item 10 "yes, quite often" (printed 3) raises exactly one alert; "never"
//!   (printed 0) raises none. The same is checked for every reverse-scored item of every shipped
//!   instrument, read from the instrument definitions.
//! * Lifetime items (PHQ-A "attempt ever") are history: once on record, the same answer raises no
//!   new alert and is shown to the clinician as history; current ideation still raises one, and
//!   the client's crisis message names what was answered.
//!
//! On SQLite, and on PostgreSQL when `KITH_TEST_POSTGRES_URL` is set.

mod measures_support;

use kith_domain::measure::{Instrument, InstrumentLibrary, ItemDef, ScoringRule};
use kith_testkit::{Browser, TestApp, backends, location};
use measures_support::*;
use serde_json::{Value, json};

/// Shipped instruments answered item by item that score some items in reverse.
fn reversed_instruments() -> Vec<&'static Instrument> {
    let v: Vec<&Instrument> = InstrumentLibrary::builtin()
        .iter()
        .filter(|i| i.rule() != ScoringRule::SocialRhythm && !i.def().scoring.reverse.is_empty())
        .collect();
    assert!(
        v.iter().any(|i| i.id() == "epds"),
        "EPDS scores items in reverse"
    );
    v
}

/// The printed scores of an item's options, in the order the paper form lists them: worked out
/// here from the definition (a reversed item scores lowest + highest − position), not by the code
/// under test.
fn printed_scores(inst: &Instrument, item: &ItemDef) -> Vec<i64> {
    let set = inst.responses_of(item).expect("a response set");
    let positions: Vec<i64> = match set.range {
        Some(r) => (r.min..=r.max).collect(),
        None => set.options.iter().map(|o| o.value).collect(),
    };
    let (lo, hi) = inst.item_bounds(item).expect("bounds");
    positions
        .into_iter()
        .map(|v| {
            if inst.is_reversed(&item.id) {
                lo + hi - v
            } else {
                v
            }
        })
        .collect()
}

/// Printed scores for every item that must be answered: the lowest printed score everywhere, and
/// `score` for `item`.
fn scores_with(inst: &Instrument, item: &str, score: i64) -> Vec<(String, i64)> {
    inst.items()
        .iter()
        .filter(|i| !i.optional)
        .map(|i| {
            let s = if i.id == item {
                score
            } else {
                *printed_scores(inst, i).iter().min().unwrap()
            };
            (i.id.clone(), s)
        })
        .collect()
}

/// The form as the clinician's page posts it: printed scores, said to be printed scores.
fn form_of(inst: &Instrument, scores: &[(String, i64)], declared: bool) -> Vec<(String, String)> {
    let mut f = vec![
        ("instrument".to_string(), inst.id().to_string()),
        (
            "idempotency_key".to_string(),
            uuid::Uuid::new_v4().to_string(),
        ),
    ];
    if declared {
        f.push(("answer_scale".into(), "printed-score".into()));
    }
    for (item, s) in scores {
        f.push((format!("item-{item}"), s.to_string()));
    }
    f
}

fn json_of(inst: &Instrument, scores: &[(String, i64)], key: &str) -> Value {
    let answers: Vec<Value> = scores
        .iter()
        .map(|(item, s)| json!({"item": item, key: s}))
        .collect();
    json!({"instrument": inst.id(), "answers": answers})
}

/// The expected total: the printed scores of the scored items.
fn total_of(inst: &Instrument, scores: &[(String, i64)]) -> i64 {
    scores
        .iter()
        .filter(|(item, _)| inst.item(item).is_some_and(|i| i.scored))
        .map(|(_, s)| s)
        .sum()
}

/// Whether a printed score on this item fires one of its safety triggers.
fn fires(inst: &Instrument, item: &str, score: i64) -> bool {
    inst.def()
        .safety
        .iter()
        .any(|t| t.item == item && score >= t.at_least)
}

/// The radio values of one item's fieldset, in page order.
fn radio_values(form: &str, item: &str) -> Vec<String> {
    let start = form
        .find(&format!("id=\"q-item-{item}\""))
        .unwrap_or_else(|| panic!("no fieldset for item {item}"));
    let rest = &form[start..];
    let fieldset = &rest[..rest.find("</fieldset>").unwrap()];
    fieldset
        .split(&format!("name=\"item-{item}\" value=\""))
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

async fn submit_form(
    b: &Browser,
    client: kith_domain::ids::ClientId,
    fields: &[(String, String)],
) -> String {
    let r = post(b, &format!("/clients/{client}/measures"), fields).await;
    let status = r.status().as_u16();
    let at = if status == 303 {
        location(&r)
    } else {
        String::new()
    };
    assert_eq!(
        status,
        303,
        "refused: {}",
        r.text().await.unwrap_or_default()
    );
    at
}

#[tokio::test]
async fn epds_item_ten_entered_as_printed_raises_exactly_one_alert_and_never_raises_none() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine;
        let b = sign(&app, &w.a.clinician).await;
        let epds = InstrumentLibrary::builtin().get("epds").unwrap();

        // The form shows item 10 as the paper form prints it: 3, 2, 1, 0 from the top, with
        // a word that the item runs in reverse; never bare positions 0 1 2 3.
        let form = page(&b, &format!("/clients/{mine}/measures/new?instrument=epds")).await;
        assert_eq!(radio_values(&form, "10"), ["3", "2", "1", "0"]);
        assert_eq!(radio_values(&form, "1"), ["0", "1", "2", "3"]);
        assert!(
            form.contains("<label for=\"item-10-3\">3</label>"),
            "{form}"
        );
        assert!(form.contains(
            "Scored in reverse, as on the paper form: the first answer scores 3, the last 0."
        ));
        assert_eq!(
            hidden(&form, "answer_scale").as_deref(),
            Some("printed-score")
        );

        // "Yes, quite often" (printed 3) through the form: one alert, the answer shown as 3.
        let yes = scores_with(epds, "10", 3);
        let result = submit_form(&b, mine, &form_of(epds, &yes, true)).await;
        let body = page(&b, &result).await;
        assert!(body.contains("A safety question needs attention"), "{body}");
        assert!(
            body.contains("<strong>Thoughts of self-harm</strong>: 3 ·"),
            "{body}"
        );
        assert!(body.contains(&format!("{} of 30", total_of(epds, &yes))));
        assert_eq!(count(&app, "alerts").await, 1);

        // "Never" (printed 0): no alert.
        let never = scores_with(epds, "10", 0);
        let result = submit_form(&b, mine, &form_of(epds, &never, true)).await;
        assert!(page(&b, &result).await.contains("No alert was raised."));
        assert_eq!(count(&app, "alerts").await, 1);

        // A form that does not say its values are printed scores is ambiguous on item 10: refused,
        // naming the item, with nothing written.
        let before = count(&app, "measure_submissions").await;
        let r = post(
            &b,
            &format!("/clients/{mine}/measures"),
            &form_of(epds, &yes, false),
        )
        .await;
        assert_eq!(r.status().as_u16(), 422);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("Thoughts of self-harm: This item is scored in reverse"),
            "{body}"
        );
        assert_eq!(count(&app, "measure_submissions").await, before);

        // Through the API: the printed score, one alert; "never", none.
        let api = app.api_as(&w.a.clinician).await;
        let path = format!("/api/v1/clients/{mine}/measures");
        let r = api
            .post_json(&path, &json_of(epds, &yes, "score"), None)
            .await;
        assert_eq!(r.status().as_u16(), 201);
        let done: Value = r.json().await.unwrap();
        assert_eq!(
            done["flags"],
            json!([{"item": "10", "tier": "alert", "history": false}])
        );
        assert!(done["alert_id"].is_string());
        assert_eq!(done["total"], json!(total_of(epds, &yes)));
        assert_eq!(count(&app, "alerts").await, 2);
        let r = api
            .post_json(&path, &json_of(epds, &never, "score"), None)
            .await;
        let done: Value = r.json().await.unwrap();
        assert_eq!(done["alert_id"], Value::Null);
        assert_eq!(done["flags"], json!([]));
        assert_eq!(count(&app, "alerts").await, 2);

        // A bare `value` on a reverse-scored item is refused as ambiguous, naming the item; so is
        // an answer giving both.
        let before = count(&app, "measure_submissions").await;
        let r = api
            .post_json(&path, &json_of(epds, &yes, "value"), None)
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let p: Value = r.json().await.unwrap();
        let errors: Vec<(&str, &str)> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        for item in &epds.def().scoring.reverse {
            let field = format!("answers[item {item}]");
            assert!(
                errors.contains(&(field.as_str(), "answer-value-ambiguous")),
                "{p}"
            );
        }
        assert!(
            !errors.iter().any(|(f, _)| *f == "answers[item 1]"),
            "item 1 is not reversed: {p}"
        );
        let mut both = json_of(epds, &yes, "score");
        both["answers"][9]["value"] = json!(0);
        let r = api.post_json(&path, &both, None).await;
        assert_eq!(r.status().as_u16(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], json!("answers[item 10]"));
        assert_eq!(p["errors"][0]["code"], json!("answer-value-and-score"));
        // A printed score no option has.
        let r = api
            .post_json(
                &path,
                &json_of(epds, &scores_with(epds, "10", 4), "score"),
                None,
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["errors"][0]["code"], json!("answer-out-of-range"));
        assert_eq!(count(&app, "measure_submissions").await, before);
        assert_eq!(count(&app, "alerts").await, 2);

        // The instruments API lists each option's printed score.
        let doc: Value = api
            .get("/api/v1/instruments/epds")
            .await
            .json()
            .await
            .unwrap();
        let item10 = doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "10")
            .unwrap();
        assert_eq!(item10["reverse_scored"], json!(true));
        let scores: Vec<i64> = item10["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["score"].as_i64().unwrap())
            .collect();
        assert_eq!(scores, [3, 2, 1, 0]);
        app.finish().await;
    }
}

/// For every shipped instrument with reverse-scored items, and every such item: the form shows
/// the options' printed scores in paper order, and the highest and lowest printed score, entered
/// through the form and through the API, give the total of the printed scores and — where the item
/// is a safety item — exactly one alert or none.
#[tokio::test]
async fn every_reverse_scored_item_is_entered_as_printed_through_form_and_api() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        let mine = w.a.mine;
        let b = sign(&app, &w.a.clinician).await;
        let api = app.api_as(&w.a.clinician).await;
        let path = format!("/api/v1/clients/{mine}/measures");
        for inst in reversed_instruments() {
            let form = page(
                &b,
                &format!("/clients/{mine}/measures/new?instrument={}", inst.id()),
            )
            .await;
            for item_id in &inst.def().scoring.reverse {
                let item = inst.item(item_id).unwrap();
                let printed = printed_scores(inst, item);
                let shown: Vec<String> = printed.iter().map(i64::to_string).collect();
                assert_eq!(
                    radio_values(&form, item_id),
                    shown,
                    "{} {item_id}",
                    inst.id()
                );
                let (lo, hi) = (
                    *printed.iter().min().unwrap(),
                    *printed.iter().max().unwrap(),
                );
                for score in [hi, lo] {
                    let scores = scores_with(inst, item_id, score);
                    let alert = fires(inst, item_id, score);
                    let what = format!("{} item {item_id} printed {score}", inst.id());

                    let before = count(&app, "alerts").await;
                    let result = submit_form(&b, mine, &form_of(inst, &scores, true)).await;
                    let body = page(&b, &result).await;
                    assert!(
                        body.contains(&format!(
                            ">{} of {}<",
                            total_of(inst, &scores),
                            inst.range().1
                        )),
                        "{what}: {body}"
                    );
                    assert_eq!(
                        count(&app, "alerts").await,
                        before + i64::from(alert),
                        "{what} (form)"
                    );

                    let r = api
                        .post_json(&path, &json_of(inst, &scores, "score"), None)
                        .await;
                    assert_eq!(r.status().as_u16(), 201, "{what}");
                    let done: Value = r.json().await.unwrap();
                    assert_eq!(done["total"], json!(total_of(inst, &scores)), "{what}");
                    assert_eq!(done["alert_id"].is_string(), alert, "{what} (api)");
                    assert_eq!(
                        count(&app, "alerts").await,
                        before + 2 * i64::from(alert),
                        "{what} (api)"
                    );
                }
            }
        }
        app.finish().await;
    }
}

/// PHQ-A answers as the portal form posts them: items 1–9 and the yes/no questions. (No item is
/// reverse-scored, so the answers need not be declared printed scores.)
fn phqa_form(item9: i64, thoughts: i64, attempt: i64) -> Vec<(String, String)> {
    let mut f = vec![(
        "idempotency_key".to_string(),
        uuid::Uuid::new_v4().to_string(),
    )];
    for n in 1..=8 {
        f.push((format!("item-{n}"), "1".into()));
    }
    f.push(("item-9".into(), item9.to_string()));
    f.push(("item-past-year".into(), "0".into()));
    f.push(("item-serious-thoughts".into(), thoughts.to_string()));
    f.push(("item-attempt-ever".into(), attempt.to_string()));
    f
}

async fn portal_answer(app: &TestApp, client: &Browser, fields: &[(String, String)]) -> String {
    // A minute apart, so that "newest first" is well defined.
    app.advance(time::Duration::minutes(1));
    let r = post(client, "/portal/questionnaires/phqa", fields).await;
    assert_eq!(
        r.status().as_u16(),
        303,
        "{}",
        r.text().await.unwrap_or_default()
    );
    page(client, &location(&r)).await
}

const ATTEMPT_Q: &str =
    "Have you ever, in your whole life, tried to kill yourself or made a suicide attempt?";
const THOUGHTS_Q: &str = "Has there been a time in the past month when you have had serious thoughts about ending your life?";

#[tokio::test]
async fn a_lifetime_attempt_on_record_is_history_and_current_ideation_still_alerts() {
    for backend in backends() {
        let app = TestApp::new(backend).await;
        let w = app.world().await;
        set_clinic(&app, w.a.id, |s| s.crisis_text = CRISIS.into()).await;
        let mine = w.a.mine;
        let client = sign(&app, &w.a.client).await;
        let api = app.api_as(&w.a.clinician).await;

        // The first time a past attempt is told, it is news: one alert, and the crisis page names
        // the question and the answer in the client's own words.
        let body = portal_answer(&app, &client, &phqa_form(0, 0, 1)).await;
        assert!(body.contains("data-testid=\"crisis-now\""));
        assert!(body.contains("This is what you told us:"), "{body}");
        assert!(
            body.contains(&format!("{ATTEMPT_Q} You answered: “Yes”.")),
            "{body}"
        );
        assert!(!body.contains(THOUGHTS_Q));
        assert!(!body.contains("thoughts of death or of hurting yourself"));
        assert_eq!(count(&app, "alerts").await, 1);

        // At the next administration the same lifetime answer is history: no new alert, no
        // crisis page, and the clinician sees it as history.
        let body = portal_answer(&app, &client, &phqa_form(0, 0, 1)).await;
        assert!(!body.contains("data-testid=\"crisis-now\""), "{body}");
        assert!(
            body.contains("Thank you for answering the PHQ-9 modified for adolescents (PHQ-A).")
        );
        assert_eq!(count(&app, "alerts").await, 1, "no new alert for history");
        let list: Value = api
            .get(&format!("/api/v1/clients/{mine}/measures"))
            .await
            .json()
            .await
            .unwrap();
        let latest = &list.as_array().unwrap()[0];
        assert_eq!(
            latest["flags"],
            json!([{"item": "attempt-ever", "tier": "alert", "history": true}])
        );
        assert_eq!(latest["alert_id"], Value::Null);
        let clinician = sign(&app, &w.a.clinician).await;
        let result = page(
            &clinician,
            &format!(
                "/clients/{mine}/measures/{}",
                latest["id"].as_str().unwrap()
            ),
        )
        .await;
        assert!(result.contains("data-testid=\"history\""), "{result}");
        assert!(result.contains("History on record"));
        assert!(result.contains("<strong>Suicide attempt (ever)</strong>: 1 — Yes"));
        assert!(result.contains("No alert was raised."));
        assert!(!result.contains("A safety question needs attention"));

        // Current ideation still raises one alert, naming that item; the crisis page names what
        // was answered now, not the history.
        let body = portal_answer(&app, &client, &phqa_form(0, 1, 1)).await;
        assert!(body.contains("data-testid=\"crisis-now\""));
        assert!(
            body.contains(&format!("{THOUGHTS_Q} You answered: “Yes”.")),
            "{body}"
        );
        assert!(
            !body.contains(ATTEMPT_Q),
            "history is not named as a new crisis"
        );
        assert_eq!(count(&app, "alerts").await, 2);
        let list: Value = api
            .get(&format!("/api/v1/clients/{mine}/measures"))
            .await
            .json()
            .await
            .unwrap();
        let latest = &list.as_array().unwrap()[0];
        assert_eq!(
            latest["flags"],
            json!([
                {"item": "serious-thoughts", "tier": "alert", "history": false},
                {"item": "attempt-ever", "tier": "alert", "history": true}
            ])
        );
        let alerts: Value = api
            .get(&format!("/api/v1/clients/{mine}/alerts"))
            .await
            .json()
            .await
            .unwrap();
        let newest = alerts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == latest["alert_id"])
            .expect("the latest submission's alert");
        let items: Vec<&str> = newest["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["item"].as_str())
            .collect();
        assert_eq!(items, ["serious-thoughts"]);

        // Item 9 with several days: named with its wording and answer.
        let body = portal_answer(&app, &client, &phqa_form(1, 0, 1)).await;
        assert!(body.contains(
            "Thoughts that you would be better off dead, or of hurting yourself in some way? You answered: “Several days”."
        ), "{body}");
        assert_eq!(count(&app, "alerts").await, 3);
        app.finish().await;
    }
}
