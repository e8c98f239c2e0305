//! The string `format`s of OpenAPI schemas that the API server checks in a custom resource,
//! read the way Kubernetes' validators read them. A format Kubernetes does not know is not
//! judged (the API server lets it be).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `None` when `value` has `format`, or the format is not one the API server checks; else
/// what the value should look like, in words.
pub fn mismatch(format: &str, value: &str) -> Option<&'static str> {
    let (ok, wanted) = match format {
        "date-time" | "datetime" => (
            date_time(value),
            "an RFC 3339 date and time such as 2024-05-01T10:00:00Z",
        ),
        "date" => (date(value), "a date such as 2024-05-01"),
        "duration" => (duration(value), "a duration such as 90s, 1h30m or 250ms"),
        "uuid" => (
            uuid(value),
            "a UUID such as 0d4f1a6e-8c2b-4f7e-9a51-3c2e7b9d1f00",
        ),
        "ipv4" => (
            value.parse::<Ipv4Addr>().is_ok(),
            "an IPv4 address such as 10.0.0.1",
        ),
        "ipv6" => (
            value.parse::<Ipv6Addr>().is_ok(),
            "an IPv6 address such as fd00::1",
        ),
        "cidr" => (cidr(value), "a CIDR such as 10.0.0.0/16"),
        "hostname" => (hostname(value), "a DNS host name such as api.example.com"),
        "byte" => (base64(value), "base64-encoded bytes"),
        "mac" => (mac(value), "a MAC address such as 02:42:ac:11:00:02"),
        "email" => (email(value), "an e-mail address"),
        _ => return None,
    };
    (!ok).then_some(wanted)
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else { return false };
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return false;
    }
    let (m, d): (u32, u32) = (m.parse().unwrap_or(0), d.parse().unwrap_or(0));
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

fn date_time(s: &str) -> bool {
    let Some(at) = s.find(['T', 't', ' ']) else {
        return false;
    };
    let (day, rest) = (&s[..at], &s[at + 1..]);
    if !date(day) {
        return false;
    }
    // hh:mm:ss[.frac](Z|±hh:mm)
    let (time, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => return false,
    };
    let (clock, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let parts: Vec<&str> = clock.split(':').collect();
    let [h, m, sec] = parts[..] else { return false };
    let zone_ok = zone.eq_ignore_ascii_case("z")
        || (zone.len() == 6
            && digits(&zone[1..3], 2)
            && &zone[3..4] == ":"
            && digits(&zone[4..], 2));
    digits(h, 2)
        && digits(m, 2)
        && digits(sec, 2)
        && h < "24"
        && m < "60"
        && sec <= "60"
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && zone_ok
}

/// Go's `time.ParseDuration`: `300ms`, `-1.5h`, `2h45m`.
fn duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number == 0 || rest[..number].matches('.').count() > 1 || &rest[..number] == "." {
            return false;
        }
        rest = &rest[number..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if !matches!(
            &rest[..unit],
            "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h"
        ) {
            return false;
        }
        rest = &rest[unit..];
    }
    true
}

fn uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => bits <= 32,
        Ok(IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

fn hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.trim_end_matches('.').split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn base64(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let body = s.trim_end_matches('=');
    s.len().is_multiple_of(4)
        && s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    matches!(parts.len(), 6 | 8 | 20)
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn email(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !local.contains(char::is_whitespace)
                && hostname(domain)
                && domain.contains('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::mismatch;

    #[test]
    fn formats_read_as_the_api_server_reads_them() {
        for (format, good, bad) in [
            ("date-time", "2024-05-01T10:00:00Z", "2024-05-01 10:00"),
            ("date-time", "2024-05-01T10:00:00.123+02:00", "yesterday"),
            ("date", "2024-05-01", "05/01/2024"),
            ("duration", "1h30m", "90 seconds"),
            ("duration", "250ms", "5d"),
            (
                "uuid",
                "0d4f1a6e-8c2b-4f7e-9a51-3c2e7b9d1f00",
                "0d4f1a6e8c2b",
            ),
            ("ipv4", "10.0.0.1", "10.0.0.256"),
            ("ipv6", "fd00::1", "fd00::g"),
            ("cidr", "10.0.0.0/16", "10.0.0.0/33"),
            ("hostname", "api.example.com", "api_example.com"),
            ("byte", "aGVsbG8=", "hello!"),
            ("email", "ops@example.com", "ops.example.com"),
        ] {
            assert_eq!(mismatch(format, good), None, "{format} {good}");
            assert!(mismatch(format, bad).is_some(), "{format} {bad}");
        }
        assert_eq!(mismatch("my-own-format", "anything"), None);
    }
}
