//! Property tests: checking values never panics on arbitrary JSON, every reported path names
//! something in the definition, and well-formed values always pass and come back unchanged.

use kith_domain::worksheet::{Completeness, FieldDef, FieldType, Worksheet, WorksheetLibrary};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn worksheets() -> Vec<&'static Worksheet> {
    WorksheetLibrary::builtin().iter().collect()
}

/// Keys and strings that hit the interesting paths of validation: real field ids, option ids,
/// ids, dates and times, good and bad.
fn vocabulary() -> (Vec<String>, Vec<String>) {
    let mut keys = vec!["colour".to_string(), String::new()];
    let mut strings: Vec<String> = [
        "",
        "  ",
        "yes",
        "no",
        "unsure",
        "0190a5b2-6c1e-7d3a-9f00-000000000001",
        "not-an-id",
        "2026-03-01",
        "2026-02-30",
        "07:30",
        "24:00",
        "2026-03-01T10:00",
        "2026-03-01T10:00Z",
        "bell\u{7}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    fn walk(fields: &[FieldDef], keys: &mut Vec<String>, strings: &mut Vec<String>) {
        for f in fields {
            keys.push(f.id.clone());
            strings.extend(f.options.iter().map(|o| o.id.clone()));
            walk(&f.fields, keys, strings);
        }
    }
    for w in worksheets() {
        walk(w.fields(), &mut keys, &mut strings);
    }
    keys.sort();
    keys.dedup();
    strings.sort();
    strings.dedup();
    (keys, strings)
}

fn json_value() -> impl Strategy<Value = Value> {
    let (keys, strings) = vocabulary();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-20i64..20).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(strings).prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
        "x{190,210}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        let keys = keys.clone();
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A small deterministic random source for building valid values.
struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn chance(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

fn uuid(r: &mut Rand) -> String {
    format!("0190a5b2-6c1e-7d3a-9f00-{:012x}", r.below(0xffff_ffff_ffff))
}

/// A valid answer for a field.
fn valid(f: &FieldDef, r: &mut Rand) -> Value {
    match f.kind {
        FieldType::ShortText | FieldType::LongText => {
            let len = 1 + r.below(u64::from(f.text_limit().min(40))) as usize;
            let text: String = (0..len)
                .map(|i| {
                    if i % 5 == 4 {
                        ' '
                    } else {
                        (b'a' + (r.below(26) as u8)) as char
                    }
                })
                .collect();
            Value::String(format!("é{}", text.trim()))
        }
        FieldType::Integer | FieldType::Scale => {
            let (lo, hi) = f.bounds().unwrap();
            Value::from(lo + r.below((hi - lo + 1) as u64) as i64)
        }
        FieldType::YesNo => Value::Bool(r.chance()),
        FieldType::YesNoUnsure => json!(["yes", "no", "unsure"][r.below(3) as usize]),
        FieldType::Date => json!(format!(
            "2026-{:02}-{:02}",
            1 + r.below(12),
            1 + r.below(28)
        )),
        FieldType::Time => json!(format!("{:02}:{:02}", r.below(24), r.below(60))),
        FieldType::Datetime => json!(format!(
            "2026-{:02}-{:02}T{:02}:{:02}",
            1 + r.below(12),
            1 + r.below(28),
            r.below(24),
            r.below(60)
        )),
        FieldType::Choice => json!(f.options[r.below(f.options.len() as u64) as usize].id),
        FieldType::MultiChoice => {
            let picked: Vec<Value> = f
                .options
                .iter()
                .filter(|_| r.chance())
                .map(|o| json!(o.id))
                .collect();
            if picked.is_empty() {
                json!([f.options[0].id])
            } else {
                Value::Array(picked)
            }
        }
        FieldType::Person | FieldType::Goal => json!(uuid(r)),
        FieldType::People => {
            let n = 1 + r.below(3);
            Value::Array(
                (0..n)
                    .map(|i| json!(format!("0190a5b2-6c1e-7d3a-9f00-00000000000{i}")))
                    .collect(),
            )
        }
        FieldType::Group => {
            let (min, max) = f.entry_bounds();
            let n = min.max(1) + r.below(u64::from(max.min(4) - min.max(1) + 1)) as u32;
            Value::Array((0..n).map(|_| valid_object(&f.fields, r)).collect())
        }
    }
}

fn valid_object(fields: &[FieldDef], r: &mut Rand) -> Value {
    let mut m = Map::new();
    for f in fields {
        if f.required || r.chance() {
            m.insert(f.id.clone(), valid(f, r));
        }
    }
    Value::Object(m)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn validation_never_panics_and_paths_exist(
        which in 0usize..11,
        body in prop::collection::vec((prop::sample::select(vocabulary().0), json_value()), 0..10),
        draft in any::<bool>(),
    ) {
        let list = worksheets();
        let w = list[which % list.len()];
        let input = Value::Object(body.into_iter().collect());
        let mode = if draft { Completeness::Draft } else { Completeness::Complete };
        match w.validate(&input, mode) {
            Ok(values) => {
                // What passed passes again, unchanged.
                prop_assert_eq!(w.validate(&values.to_json(), mode).unwrap(), values);
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(w.has_path(&e.path), "{}: unknown path {}", w.id(), e.path);
                    prop_assert!(!e.problem.code().is_empty());
                }
            }
        }
    }

    #[test]
    fn arbitrary_top_level_values_never_panic(which in 0usize..11, input in json_value()) {
        let list = worksheets();
        let w = list[which % list.len()];
        if let Err(errors) = w.validate(&input, Completeness::Complete) {
            for e in &errors {
                prop_assert!(w.has_path(&e.path), "{}: unknown path {}", w.id(), e.path);
            }
        }
    }

    #[test]
    fn well_formed_values_always_pass(which in 0usize..11, seed in 1u64..u64::MAX) {
        let list = worksheets();
        let w = list[which % list.len()];
        let mut r = Rand(seed);
        let input = valid_object(w.fields(), &mut r);
        let checked = w.validate(&input, Completeness::Complete);
        prop_assert!(checked.is_ok(), "{}: {:?}\n{}", w.id(), checked, input);
        let checked = checked.unwrap();
        prop_assert_eq!(w.validate(&checked.to_json(), Completeness::Complete).unwrap(), checked.clone());
        // A draft accepts whatever a complete worksheet accepts.
        prop_assert_eq!(w.validate(&input, Completeness::Draft).unwrap(), checked);
    }
}
