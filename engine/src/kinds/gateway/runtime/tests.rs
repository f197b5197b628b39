//! Unit tests of the gateway: prefix matching, JWT, rate-limit windows.

use super::*;

#[test]
fn prefixes_match_on_segment_boundaries() {
    assert_eq!(prefix_match("/products", "/products"), Some(1));
    assert_eq!(prefix_match("/products", "/products/"), Some(1));
    assert_eq!(prefix_match("/products", "/products/7"), Some(1));
    assert_eq!(prefix_match("/products", "/productsx"), None);
    assert_eq!(prefix_match("/u/:id/x", "/u/3/x/y"), Some(3));
    assert_eq!(prefix_match("/", "/anything"), Some(0));
}

#[test]
fn jwt_round_trip_and_rejections() {
    let now_ms = 1_700_000_000_000;
    let claims = json!({"sub": "u1", "iss": "me", "aud": ["api"], "exp": 1_700_000_100});
    let token = sign_jwt(&claims, b"k");
    assert!(verify_jwt(&token, b"k", "me", "api", now_ms).is_some());
    assert!(verify_jwt(&token, b"other", "me", "api", now_ms).is_none());
    assert!(verify_jwt(&token, b"k", "you", "api", now_ms).is_none());
    assert!(verify_jwt(&token, b"k", "me", "api", 1_700_000_100_000).is_none());
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none"}"#),
        b64.encode(claims.to_string())
    );
    assert!(verify_jwt(&none, b"k", "me", "api", now_ms).is_none());
}

#[test]
fn rate_limit_windows_align_to_the_epoch() {
    let limiter = RateLimiter::default();
    assert!(limiter.hit("g", "ip", 1, 60, 61_000).is_ok());
    assert_eq!(limiter.hit("g", "ip", 1, 60, 61_500), Err(59));
    assert!(limiter.hit("g", "ip", 1, 60, 120_000).is_ok());
}

#[test]
fn rate_limit_counters_stay_bounded_under_made_up_callers() {
    let limiter = RateLimiter::default();
    let max = rate::RATE_LIMIT_MAX_CALLERS;
    for caller in 0..max + 10 {
        let _ = limiter.hit("g", &format!("ip:{caller}"), 5, 60, 61_000);
    }
    assert!(limiter.callers("g") <= max, "{}", limiter.callers("g"));
    // A caller still counted in this window is limited as before.
    let last = format!("ip:{}", max + 9);
    for _ in 0..4 {
        assert!(limiter.hit("g", &last, 5, 60, 61_000).is_ok());
    }
    assert!(limiter.hit("g", &last, 5, 60, 61_000).is_err());
}
