//! What a scenario request's `expect_body` means.

use serde_json::Value;

/// Whether `actual` contains `expected`, as a scenario's `expect_body` means it (and as
/// vitest's `toMatchObject` checks it in the exported tests): an object contains an object
/// whose every field it has with a value that contains the expected one (more fields are
/// fine); an array contains an array of the same length whose items it contains one by one;
/// numbers are equal by value (`1` is `1.0`); anything else is equal. `Err` says where the
/// first difference is, as a JSON Pointer and what was expected there.
pub fn json_contains(actual: &Value, expected: &Value) -> Result<(), String> {
    fn walk(actual: &Value, expected: &Value, at: &str) -> Result<(), String> {
        let here = || if at.is_empty() { "/" } else { at };
        match (actual, expected) {
            (Value::Object(actual), Value::Object(expected)) => {
                for (key, want) in expected {
                    let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    match actual.get(key) {
                        Some(have) => walk(have, want, &pointer)?,
                        None => return Err(format!("{pointer}: missing, expected {want}")),
                    }
                }
                Ok(())
            }
            (Value::Array(actual), Value::Array(expected)) => {
                if actual.len() != expected.len() {
                    return Err(format!(
                        "{}: {} items, expected {}",
                        here(),
                        actual.len(),
                        expected.len()
                    ));
                }
                for (index, (have, want)) in actual.iter().zip(expected).enumerate() {
                    walk(have, want, &format!("{at}/{index}"))?;
                }
                Ok(())
            }
            (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
            (a, b) if a == b => Ok(()),
            (a, b) => Err(format!("{}: {a}, expected {b}", here())),
        }
    }
    walk(actual, expected, "")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::json_contains;

    #[test]
    fn objects_may_have_more_fields_arrays_may_not_have_more_items() {
        let actual =
            json!({"product": {"id": 1, "name": "Edge Mug", "tags": ["a", "b"]}, "cached": false});
        assert_eq!(
            json_contains(&actual, &json!({"product": {"id": 1.0}})),
            Ok(())
        );
        assert_eq!(json_contains(&actual, &json!({})), Ok(()));
        assert_eq!(
            json_contains(&actual, &json!({"product": {"id": 2}})),
            Err("/product/id: 1, expected 2".to_owned())
        );
        assert_eq!(
            json_contains(&actual, &json!({"product": {"price": 5}})),
            Err("/product/price: missing, expected 5".to_owned())
        );
        assert_eq!(
            json_contains(&actual, &json!({"product": {"tags": ["a"]}})),
            Err("/product/tags: 2 items, expected 1".to_owned())
        );
        assert_eq!(
            json_contains(&actual, &json!({"product": {"tags": ["a", "b"]}})),
            Ok(())
        );
        assert_eq!(
            json_contains(&json!([{"id": 1, "x": 2}]), &json!([{"id": 1}])),
            Ok(())
        );
        assert_eq!(
            json_contains(&json!("1"), &json!(1)),
            Err("/: \"1\", expected 1".to_owned())
        );
    }
}
