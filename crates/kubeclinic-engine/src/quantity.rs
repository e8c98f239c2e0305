//! Kubernetes resource quantities (`128Mi`, `1.5Gi`, `500m`, `2`), read and scaled the way
//! the API server reads them.

const SUFFIXES: [(&str, f64); 14] = [
    ("Ki", 1024.0),
    ("Mi", 1_048_576.0),
    ("Gi", 1_073_741_824.0),
    ("Ti", 1_099_511_627_776.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("Ei", 1_152_921_504_606_846_976.0),
    ("n", 1e-9),
    ("u", 1e-6),
    ("m", 1e-3),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
];

/// The quantity in base units (bytes, cores), or `None` when it is not a quantity.
pub fn parse(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, factor) = SUFFIXES
        .iter()
        .find_map(|(suffix, factor)| text.strip_suffix(suffix).map(|n| (n, *factor)))
        .unwrap_or((text, 1.0));
    let value: f64 = number.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value * factor)
}

/// `text` multiplied by `factor`, in the same unit: `128Mi` x 2 = `256Mi`.
pub fn scale(text: &str, factor: f64) -> Option<String> {
    let text = text.trim();
    parse(text)?;
    let suffix = SUFFIXES
        .iter()
        .map(|(s, _)| *s)
        .find(|s| text.ends_with(s))
        .unwrap_or("");
    let number: f64 = text[..text.len() - suffix.len()].parse().ok()?;
    let scaled = number * factor;
    let rendered = if (scaled - scaled.round()).abs() < 1e-9 {
        format!("{}", scaled.round() as u64)
    } else {
        format!("{scaled:.1}")
    };
    Some(format!("{rendered}{suffix}"))
}

/// Bytes as a person writes them: `268435456` -> `256Mi`.
pub fn format_bytes(bytes: f64) -> String {
    for (suffix, factor) in [("Gi", 1_073_741_824.0), ("Mi", 1_048_576.0), ("Ki", 1024.0)] {
        if bytes >= factor && (bytes / factor).fract() == 0.0 {
            return format!("{}{suffix}", (bytes / factor) as u64);
        }
    }
    format!("{}", bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_and_scale_in_their_own_unit() {
        assert_eq!(parse("128Mi"), Some(134_217_728.0));
        assert_eq!(parse("500m"), Some(0.5));
        assert_eq!(parse("1G"), Some(1e9));
        assert_eq!(parse("abc"), None);
        assert_eq!(scale("128Mi", 2.0).as_deref(), Some("256Mi"));
        assert_eq!(scale("1.5Gi", 2.0).as_deref(), Some("3Gi"));
        assert_eq!(scale("100m", 1.5).as_deref(), Some("150m"));
        assert_eq!(format_bytes(268_435_456.0), "256Mi");
    }
}
