//! The OpenAPI document generated from the code is committed as `openapi.json`; this test fails when
//! the two differ. After an intended API change, refresh the file with
//! `KITH_UPDATE_OPENAPI=1 cargo test -p kith-web --test openapi`.

use std::path::Path;

#[test]
fn committed_openapi_matches_the_code() {
    let generated = kith_web::openapi_pretty();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    if std::env::var("KITH_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.json differs from the API the code serves; run KITH_UPDATE_OPENAPI=1 cargo test -p kith-web --test openapi and review the change"
    );
}

#[test]
fn every_api_route_is_documented_with_its_roles() {
    let (_, specs) = kith_web::route_table();
    let doc: serde_json::Value = serde_json::from_str(&kith_web::openapi_pretty()).expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    for spec in specs
        .iter()
        .filter(|s| s.surface == kith_web::routes::Surface::Api)
    {
        let op = &doc["paths"][spec.path][spec.method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not in the OpenAPI document",
            spec.method,
            spec.path
        );
        assert!(
            op["x-kith-access"]["roles"].is_array(),
            "{} {} has no roles",
            spec.method,
            spec.path
        );
    }
    // And nothing is documented that the router does not serve.
    let paths = doc["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for method in item.as_object().expect("item").keys() {
            assert!(
                specs
                    .iter()
                    .any(|s| s.path == path && s.method.as_str().eq_ignore_ascii_case(method)),
                "{method} {path} is documented but not served"
            );
        }
    }
}

/// The document names each schema by its type's name alone, so two wire types with the same name in
/// different modules would silently share one schema (and one would be described wrongly).
#[test]
fn no_two_wire_types_share_a_name() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut seen: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("src/api") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("source");
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let mut derive_schema = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                derive_schema = true;
            } else if derive_schema
                && let Some(rest) = line
                    .strip_prefix("pub struct ")
                    .or_else(|| line.strip_prefix("pub enum "))
            {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if let Some((_, other)) = seen.iter().find(|(n, _)| *n == name) {
                    panic!("{name} is a wire type in both {other} and {file}");
                }
                seen.push((name, file.clone()));
                derive_schema = false;
            } else if !line.starts_with("#[") && !line.starts_with("///") {
                derive_schema = false;
            }
        }
    }
    assert!(seen.len() > 20, "found only {} wire types", seen.len());
}
