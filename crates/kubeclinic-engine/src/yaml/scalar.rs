//! Plain scalars read the way the Kubernetes API server reads them: sigs.k8s.io/yaml uses
//! go-yaml v2, which follows YAML 1.1 (`yes`/`on` are booleans, `0755` is octal).

#[derive(Clone, Debug, PartialEq)]
pub enum ScalarValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

pub fn resolve_plain(text: &str) -> ScalarValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarValue::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return ScalarValue::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return ScalarValue::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return ScalarValue::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return ScalarValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarValue::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = resolve_int(text) {
        return ScalarValue::Int(i);
    }
    if looks_like_float(text) {
        if let Ok(f) = text.replace('_', "").parse::<f64>() {
            return ScalarValue::Float(f);
        }
    }
    ScalarValue::Str(text.to_string())
}

fn resolve_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    // Every integer form (`12`, `0x1f`, `0b101`, `0755`, `1:30`) starts with a digit.
    if !body.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let digits = body.replace('_', "");
    let magnitude = if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()?
    } else if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else if digits.contains(':') {
        sexagesimal(&digits)?
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `190:20:30` is 685230 in YAML 1.1.
fn sexagesimal(digits: &str) -> Option<i64> {
    let mut parts = digits.split(':');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) || first.starts_with('0') {
        return None;
    }
    let mut value: i64 = first.parse().ok()?;
    for part in parts {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i64 = part.parse().ok()?;
        if n >= 60 {
            return None;
        }
        value = value.checked_mul(60)?.checked_add(n)?;
    }
    Some(value)
}

fn looks_like_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '0'..='9' => seen_digit = true,
            '_' => {}
            '.' if !seen_dot => seen_dot = true,
            'e' | 'E' => {
                if !seen_digit {
                    return false;
                }
                if matches!(chars.peek(), Some('+' | '-')) {
                    chars.next();
                }
                return chars.clone().count() > 0 && chars.all(|c| c.is_ascii_digit());
            }
            _ => return false,
        }
    }
    seen_digit && seen_dot
}

#[cfg(test)]
mod tests {
    use super::ScalarValue::*;
    use super::*;

    #[test]
    fn yaml_1_1_scalars_resolve_like_the_api_server() {
        let cases = [
            ("yes", Bool(true)),
            ("Off", Bool(false)),
            ("y", Bool(true)),
            ("0755", Int(0o755)),
            ("0x1F", Int(31)),
            ("1_000", Int(1000)),
            ("-12", Int(-12)),
            ("190:20:30", Int(685_230)),
            ("1.5", Float(1.5)),
            ("1e3", Float(1000.0)),
            ("1.0e3", Float(1000.0)),
            ("~", Null),
            ("", Null),
            ("500m", Str("500m".into())),
            ("v1.2.3", Str("v1.2.3".into())),
            ("0.0.0.0", Str("0.0.0.0".into())),
            ("08", Str("08".into())),
        ];
        for (text, want) in cases {
            assert_eq!(resolve_plain(text), want, "{text:?}");
        }
    }
}
