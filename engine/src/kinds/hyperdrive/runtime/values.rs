//! Values on the wire to and from PostgreSQL: parameters sent as text, columns decoded from
//! their binary form into JSON as the module docs say.

use std::error::Error as StdError;
use std::fmt::Write as _;

use bytes::BytesMut;
use serde_json::{Value, json};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

/// A parameter sent in text format, its type inferred by the server.
#[derive(Debug)]
pub struct TextParam(Option<String>);

impl TextParam {
    pub fn from_json(value: &Value) -> Self {
        Self(match value {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(crate::runtime::json::value_text(other)),
        })
    }
}

impl ToSql for TextParam {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match &self.0 {
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> tokio_postgres::types::Format {
        tokio_postgres::types::Format::Text
    }

    to_sql_checked!();
}

/// A column's bytes as sent (binary format), whatever its type.
pub struct RawValue(pub Option<Vec<u8>>);

impl<'a> FromSql<'a> for RawValue {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Self(Some(raw.to_vec())))
    }

    fn from_sql_null(_ty: &Type) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Self(None))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

fn be<const N: usize>(raw: &[u8]) -> Option<[u8; N]> {
    raw.get(..N).and_then(|s| s.try_into().ok())
}

fn hex(raw: &[u8]) -> String {
    let mut out = String::with_capacity(2 + raw.len() * 2);
    out.push_str("\\x");
    for byte in raw {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Decode one binary-format column value as the handler docs say.
pub fn decode(ty: &Type, raw: Option<&[u8]>) -> Value {
    let Some(raw) = raw else {
        return Value::Null;
    };
    let text = || Value::String(String::from_utf8_lossy(raw).into_owned());
    let decoded = match *ty {
        Type::BOOL => raw.first().map(|b| Value::Bool(*b != 0)),
        Type::INT2 => be::<2>(raw).map(|b| json!(i16::from_be_bytes(b))),
        Type::INT4 => be::<4>(raw).map(|b| json!(i32::from_be_bytes(b))),
        Type::INT8 => be::<8>(raw).map(|b| Value::String(i64::from_be_bytes(b).to_string())),
        Type::OID => be::<4>(raw).map(|b| Value::String(u32::from_be_bytes(b).to_string())),
        Type::FLOAT4 => be::<4>(raw).map(|b| {
            serde_json::Number::from_f64(f64::from(f32::from_be_bytes(b)))
                .map_or(Value::Null, Value::Number)
        }),
        Type::FLOAT8 => be::<8>(raw).map(|b| {
            serde_json::Number::from_f64(f64::from_be_bytes(b)).map_or(Value::Null, Value::Number)
        }),
        Type::NUMERIC => numeric_text(raw).map(Value::String),
        Type::JSON => serde_json::from_slice(raw).ok(),
        Type::JSONB => raw.get(1..).and_then(|r| serde_json::from_slice(r).ok()),
        Type::DATE => be::<4>(raw).map(|b| Value::String(date_text(i32::from_be_bytes(b)))),
        Type::TIME => be::<8>(raw).map(|b| Value::String(time_text(i64::from_be_bytes(b)))),
        Type::TIMESTAMP => {
            be::<8>(raw).map(|b| Value::String(timestamp_text(i64::from_be_bytes(b))))
        }
        Type::TIMESTAMPTZ => be::<8>(raw).map(|b| {
            let micros = i64::from_be_bytes(b);
            let mut text = timestamp_text(micros);
            if micros != i64::MAX && micros != i64::MIN {
                text.push_str("+00");
            }
            Value::String(text)
        }),
        Type::UUID => (raw.len() == 16).then(|| {
            let h = hex(raw);
            let h = &h[2..];
            Value::String(format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            ))
        }),
        Type::BYTEA => Some(Value::String(hex(raw))),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::XML => {
            Some(text())
        }
        _ => {
            let text_like = matches!(ty.kind(), Kind::Enum(_))
                || ["citext", "ltree", "lquery"].contains(&ty.name());
            Some(if text_like {
                text()
            } else {
                Value::String(hex(raw))
            })
        }
    };
    decoded.unwrap_or(Value::Null)
}

/// PostgreSQL's text form of a binary NUMERIC.
fn numeric_text(raw: &[u8]) -> Option<String> {
    let ndigits = usize::try_from(i16::from_be_bytes(be::<2>(raw)?)).ok()?;
    let weight = i32::from(i16::from_be_bytes(be::<2>(raw.get(2..)?)?));
    let sign = u16::from_be_bytes(be::<2>(raw.get(4..)?)?);
    let dscale = usize::from(u16::from_be_bytes(be::<2>(raw.get(6..)?)?));
    match sign {
        0xC000 => return Some("NaN".to_owned()),
        0xD000 => return Some("Infinity".to_owned()),
        0xF000 => return Some("-Infinity".to_owned()),
        _ => {}
    }
    let mut digits = Vec::with_capacity(ndigits);
    for i in 0..ndigits {
        digits.push(i16::from_be_bytes(be::<2>(raw.get(8 + i * 2..)?)?));
    }
    let digit = |index: i32| -> i16 {
        usize::try_from(index)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for index in 0..=weight {
            if index == 0 {
                out.push_str(&digit(index).to_string());
            } else {
                let _ = write!(out, "{:04}", digit(index));
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut fraction = String::new();
        let mut index = weight + 1;
        while fraction.len() < dscale {
            let _ = write!(fraction, "{:04}", digit(index));
            index += 1;
        }
        fraction.truncate(dscale);
        out.push_str(&fraction);
    }
    Some(out)
}

/// Days since 1970-01-01 -> (year, month, day) (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if m <= 2 { y + 1 } else { y };
    (
        year,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Days from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch).
const PG_EPOCH_DAYS: i64 = 10_957;

fn date_text(days: i32) -> String {
    match days {
        i32::MAX => "infinity".to_owned(),
        i32::MIN => "-infinity".to_owned(),
        _ => {
            let (y, m, d) = civil_from_days(i64::from(days) + PG_EPOCH_DAYS);
            format!("{y:04}-{m:02}-{d:02}")
        }
    }
}

fn time_text(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let mut out = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!(".{frac:06}");
        out.push_str(f.trim_end_matches('0'));
    }
    out
}

fn timestamp_text(micros: i64) -> String {
    match micros {
        i64::MAX => "infinity".to_owned(),
        i64::MIN => "-infinity".to_owned(),
        _ => {
            let days = micros.div_euclid(86_400_000_000);
            let rest = micros.rem_euclid(86_400_000_000);
            format!("{} {}", date_text_days(days), time_text(rest))
        }
    }
}

fn date_text_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days + PG_EPOCH_DAYS);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerics_keep_their_digits() {
        // 12345.678: ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
        let raw = [0, 3, 0, 1, 0, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c];
        assert_eq!(numeric_text(&raw).as_deref(), Some("12345.678"));
        // -0.05: ndigits 1, weight -1, sign -, dscale 2, digits 500
        let raw = [0, 1, 0xff, 0xff, 0x40, 0, 0, 2, 0x01, 0xf4];
        assert_eq!(numeric_text(&raw).as_deref(), Some("-0.05"));
    }

    #[test]
    fn dates_and_timestamps_use_postgres_text_form() {
        assert_eq!(date_text(0), "2000-01-01");
        assert_eq!(date_text(-1), "1999-12-31");
        assert_eq!(
            timestamp_text(86_400_000_000 + 3_723_500_000),
            "2000-01-02 01:02:03.5"
        );
        assert_eq!(decode(&Type::INT8, Some(&7i64.to_be_bytes())), json!("7"));
        assert_eq!(decode(&Type::INT4, Some(&7i32.to_be_bytes())), json!(7));
    }
}
