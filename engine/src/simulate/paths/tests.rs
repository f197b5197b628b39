use super::*;
use crate::model::QueryMode;

#[test]
fn read_only_detection() {
    assert!(is_read_only("SELECT * FROM t WHERE id = ?1"));
    assert!(is_read_only("  select 'insert' from t"));
    assert!(!is_read_only(
        "INSERT INTO users (email) VALUES (?1) RETURNING id"
    ));
    assert!(!is_read_only(
        "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"
    ));
    assert!(!is_read_only("SELECT nextval('s')"));
}

#[test]
fn d1_rows_follow_mode_and_limit() {
    assert_eq!(
        d1_rows("SELECT * FROM t WHERE id = ?1", QueryMode::First),
        (1.0, 0.0)
    );
    assert_eq!(
        d1_rows("SELECT * FROM t", QueryMode::All),
        (ALL_ROWS_READ, 0.0)
    );
    assert_eq!(
        d1_rows("SELECT * FROM t LIMIT 20", QueryMode::All),
        (20.0, 0.0)
    );
    assert_eq!(d1_rows("UPDATE t SET a = 1", QueryMode::Run), (1.0, 1.0));
    assert_eq!(
        d1_rows("INSERT INTO t VALUES (1)", QueryMode::Run),
        (0.0, 1.0)
    );
}

#[test]
fn segments_match_params_and_prefixes() {
    let (path, _) = split_path("/users/7/?a=1");
    assert_eq!(path, ["users", "7"]);
    let (params, used) = match_segments("/users/:id", &path, true).expect("matches");
    assert_eq!(params["id"], "7");
    assert_eq!(used, 2);
    assert!(match_segments("/users", &path, true).is_none());
    assert!(match_segments("/users", &path, false).is_some());
    assert!(match_segments("/userz", &path, false).is_none());
}
