//! Small HTTP helpers shared by the gateway and the Workers: buffered request and response
//! types, JSON answers, path and query parsing.

use axum::http::{self, HeaderValue, StatusCode, header};
use bytes::Bytes;
use serde_json::{Map, Value, json};

/// A request with its whole body in memory (what a Worker sees).
pub type Req = http::Request<Bytes>;
/// A response with its whole body in memory.
pub type Resp = http::Response<Bytes>;

/// A JSON response, compact, with `content-type: application/json`.
pub fn json_response(status: u16, body: &Value) -> Resp {
    let mut response = http::Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `{"error": text}` with a status.
pub fn error_response(status: u16, text: &str) -> Resp {
    json_response(status, &json!({ "error": text }))
}

/// The request path's segments after the leading `/` (a trailing `/` gives a last empty one).
pub fn segments(path: &str) -> Vec<&str> {
    segment_iter(path).collect()
}

/// [`segments`] without the allocation.
pub fn segment_iter(path: &str) -> impl Iterator<Item = &str> + Clone {
    let path = path.strip_prefix('/').unwrap_or(path);
    path.split('/')
        .take(if path.is_empty() { 0 } else { usize::MAX })
}

/// Percent-decode one path segment (lossy on invalid UTF-8).
pub fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// Query parameters as a JSON object of strings; the first value of a repeated key wins.
/// Decoded like `URLSearchParams` (`+` is a space).
pub fn query_object(query: Option<&str>) -> Map<String, Value> {
    let mut out = Map::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(&text.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        out.entry(decode(name))
            .or_insert_with(|| Value::String(decode(value)));
    }
    out
}

/// Request headers as a JSON object, lower-case names; repeated headers joined with ", ".
pub fn headers_object(headers: &http::HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                out.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keeps_first_value_and_decodes() {
        let q = query_object(Some("a=1&b=x+y%21&a=2&c"));
        assert_eq!(Value::Object(q), json!({"a": "1", "b": "x y!", "c": ""}));
    }

    #[test]
    fn segments_keep_a_trailing_empty_segment() {
        assert_eq!(segments("/"), Vec::<&str>::new());
        assert_eq!(segments("/a/"), vec!["a", ""]);
    }
}
