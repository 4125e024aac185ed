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
