//! Every word of the interface exists in every language, and every key the code asks for exists.

use kith_domain::audit::AuditAction;
use kith_domain::identity::Role;
use kith_domain::locale::Locale;
use kith_web::i18n::Tr;
use std::collections::BTreeSet;
use std::path::Path;

fn keys_of(locale: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(locale);
    let mut keys = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("locale folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "ftl") {
            for line in std::fs::read_to_string(&path).expect("ftl").lines() {
                if let Some((k, _)) = line.split_once(" =")
                    && !k.starts_with([' ', '#', '-'])
                    && !k.is_empty()
                {
                    assert!(
                        keys.insert(k.to_string()),
                        "{locale}: key {k} defined twice"
                    );
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_exists_in_every_locale() {
    let en = keys_of("en");
    let es = keys_of("es");
    assert!(en.len() > 100, "only {} English keys found", en.len());
    let missing_es: Vec<_> = en.difference(&es).collect();
    let missing_en: Vec<_> = es.difference(&en).collect();
    assert!(missing_es.is_empty(), "missing in Spanish: {missing_es:?}");
    assert!(missing_en.is_empty(), "missing in English: {missing_en:?}");
}

/// Collects string literals passed to the translator (`t.get("…")`, `t.with1("…"`, …) and the
/// title keys given to `Chrome::new`.
fn used_keys() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut stack = vec![root.join("src"), root.join("templates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs" || e == "html") {
                files.push(p);
            }
        }
    }
    let mut keys = BTreeSet::new();
    for f in files {
        // Comments may show examples of calls; only code counts.
        let text: String = std::fs::read_to_string(&f)
            .expect("source")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for marker in ["t.get(\"", "t.with1(\"", "t.with2(\"", "t.with(\""] {
            let mut from = 0;
            while let Some(i) = text[from..].find(marker) {
                let at = from + i;
                from = at + marker.len();
                // `t` must be the translator itself, not the end of another name (`content.get`).
                if text[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                if let Some(end) = text[from..].find('"') {
                    let key = &text[from..from + end];
                    if !key.contains('{') && !key.is_empty() {
                        keys.insert(key.to_string());
                    }
                }
            }
        }
        // Page titles: Chrome::new(…, "path", "title-key").
        let mut rest = text.as_str();
        while let Some(i) = rest.find("Chrome::new(") {
            rest = &rest[i..];
            let end = rest.find(')').unwrap_or(rest.len());
            let call = &rest[..end];
            if let Some(last) = call.rsplit(',').next() {
                let k = last.trim().trim_matches('"');
                if !k.is_empty()
                    && !k.contains(' ')
                    && call
                        .rsplit(',')
                        .next()
                        .is_some_and(|s| s.trim().starts_with('"'))
                {
                    keys.insert(k.to_string());
                }
            }
            rest = &rest[end.min(rest.len())..];
        }
    }
    keys
}

#[test]
fn every_key_the_code_uses_exists() {
    let en = keys_of("en");
    let used = used_keys();
    assert!(used.len() > 80, "found only {} keys in use", used.len());
    let missing: Vec<_> = used.iter().filter(|k| !en.contains(*k)).collect();
    assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
}

#[test]
fn families_of_keys_are_complete() {
    let mut needed: Vec<String> = Vec::new();
    for r in Role::ALL {
        needed.push(format!("role-{}", r.as_str().replace('_', "-")));
    }
    for a in AuditAction::ALL {
        needed.push(format!("audit-action-{}", a.as_str().replace('_', "-")));
    }
    for o in ["success", "denied", "failed"] {
        needed.push(format!("audit-outcome-{o}"));
    }
    for m in 1..=12 {
        needed.push(format!("month-{m}"));
    }
    for code in [
        "unauthenticated",
        "second-factor-required",
        "reauth-required",
        "not-found",
        "forbidden",
        "invalid",
        "bad-credentials",
        "throttled",
        "expired",
        "conflict",
        "idempotency-mismatch",
        "in-progress",
        "internal",
        "bad-request",
        "unsupported-media-type",
        "csrf",
        "method-not-allowed",
        "payload-too-large",
        "timeout",
        "invalid-utf8",
        "malformed-form",
        "unknown-field",
        "missing-field",
        "bad-field",
        "malformed-json",
        "bad-idempotency-key",
    ] {
        needed.push(format!("error-{code}"));
    }
    // Field problems the domain reports.
    for code in [
        "field-required",
        "field-too-long",
        "field-control-characters",
        "field-not-an-email",
        "field-out-of-range",
        "password-too-short",
        "password-too-long",
        "password-common",
        "password-contains-name",
    ] {
        needed.push(format!("msg-{code}"));
    }
    for c in ["baseline", "every-session", "mid", "end"] {
        needed.push(format!("cadence-{c}"));
    }
    // What the pre-session brief says about a person of the inventory (pages::sessions::brief).
    for k in ["added", "edited", "removed"] {
        needed.push(format!("brief-person-{k}"));
    }
    for l in Locale::ALL {
        let keys = keys_of(l.code());
        let missing: Vec<_> = needed.iter().filter(|k| !keys.contains(*k)).collect();
        assert!(missing.is_empty(), "{l:?} lacks {missing:?}");
    }
}

#[test]
fn plurals_and_values_render() {
    let en = Tr::new(Locale::En);
    let es = Tr::new(Locale::Es);
    assert_eq!(en.with1("audit-count", "count", 1), "One entry");
    assert_eq!(en.with1("audit-count", "count", 3), "3 entries");
    assert_eq!(es.with1("audit-count", "count", 3), "3 entradas");
    assert_eq!(
        es.with1("msg-password-too-short", "min", 15),
        "La contraseña debe tener al menos 15 caracteres."
    );
    assert_eq!(
        es.date(time::macros::date!(2026 - 03 - 05)),
        "5 de marzo de 2026"
    );
}
