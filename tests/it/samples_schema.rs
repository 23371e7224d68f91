//! The samples conform to the article schema (the repository's copy of shared/article.schema.json).
//! A small validator for the keywords the schema uses: type, required, properties, items, enum,
//! minLength, minimum and local $ref.

use serde_json::Value;

fn check(schema: &Value, root: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = r
            .trim_start_matches("#/")
            .split('/')
            .fold(root, |s, k| &s[k]);
        return check(target, root, v, path, errors);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => false,
        });
        if !ok {
            errors.push(format!("{path}: expected {types:?}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errors.push(format!("{path}: {v} not in {e:?}"));
    }
    if let (Some(min), Some(s)) = (schema.get("minLength").and_then(Value::as_u64), v.as_str())
        && (s.chars().count() as u64) < min
    {
        errors.push(format!("{path}: shorter than {min}"));
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        errors.push(format!("{path}: below {min}"));
    }
    if let Some(obj) = v.as_object() {
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = req.as_str().unwrap();
            if !obj.contains_key(key) {
                errors.push(format!("{path}: missing {key}"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, sub) in props {
                if let Some(val) = obj.get(k) {
                    check(sub, root, val, &format!("{path}.{k}"), errors);
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            check(items, root, item, &format!("{path}[{i}]"), errors);
        }
    }
}

fn validate(v: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(include_str!("../../article.schema.json")).unwrap();
    let mut errors = Vec::new();
    check(&schema, &schema, v, "$", &mut errors);
    errors
}

#[test]
fn every_sample_matches_the_schema() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(validate(&v), Vec::<String>::new(), "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 3);
}

#[test]
fn the_validator_catches_what_the_schema_forbids() {
    let bad = serde_json::json!({"title": "", "body": 3, "authors": "one", "body_format": "rtf", "cover": {"alt": "x"}});
    let errors = validate(&bad);
    for needle in [
        "$.title: shorter",
        "$.body: expected",
        "$.authors: expected",
        "$.body_format:",
        "$.cover: missing src",
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(needle)),
            "{needle} not in {errors:?}"
        );
    }
}
