//! Loopback addresses inside connection strings.

use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopbackAddress {
    /// Byte range of the host inside the value.
    pub host: TextRange,
    /// The port written after the host, else the scheme's default.
    pub port: Option<u16>,
    /// Byte range of a written port inside the value.
    pub port_range: Option<TextRange>,
    /// The whole value is the host (`localhost`), with no scheme or port around it.
    pub bare: bool,
}

const HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The first loopback host in `value` that sits where a host goes (after `//`, `@`, a
/// separator, or alone).
pub fn find_loopback(value: &str) -> Option<LoopbackAddress> {
    let lower = value.to_ascii_lowercase();
    let mut found: Vec<(usize, &str)> = HOSTS
        .iter()
        .flat_map(|h| {
            lower
                .match_indices(h)
                .map(|(i, _)| (i, *h))
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort();
    found.into_iter().find_map(|(start, host)| {
        let end = start + host.len();
        let before = value[..start].chars().next_back();
        let after = value[end..].chars().next();
        let starts_ok = before
            .is_none_or(|c| matches!(c, '/' | '@' | '=' | ',' | ' ' | ';' | '(' | '\'' | '"'));
        let ends_ok =
            after.is_none_or(|c| matches!(c, ':' | '/' | ',' | ' ' | ';' | ')' | '?' | '\'' | '"'));
        if !(starts_ok && ends_ok) {
            return None;
        }
        let (port, port_range) = match value[end..].strip_prefix(':') {
            Some(rest) => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let range = TextRange::new(end + 1, end + 1 + digits);
                (rest[..digits].parse().ok(), (digits > 0).then_some(range))
            }
            None => (default_port(&lower[..start]), None),
        };
        Some(LoopbackAddress {
            host: TextRange::new(start, end),
            port,
            port_range,
            bare: start == 0 && end == value.len(),
        })
    })
}

fn default_port(prefix: &str) -> Option<u16> {
    let scheme = prefix
        .split("://")
        .next()
        .filter(|_| prefix.contains("://"))?;
    let scheme = scheme
        .rsplit(|c: char| !c.is_ascii_alphanumeric() && c != '+')
        .next()?;
    let base = scheme.split('+').next().unwrap_or(scheme);
    Some(match base {
        "postgres" | "postgresql" => 5432,
        "mysql" | "mariadb" => 3306,
        "redis" | "rediss" => 6379,
        "mongodb" => 27017,
        "amqp" => 5672,
        "nats" => 4222,
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_ports_and_schemes() {
        let a = find_loopback("postgresql+asyncpg://postgres:pw@localhost:5432/db").unwrap();
        assert_eq!(a.port, Some(5432));
        assert_eq!(a.host, TextRange::new(33, 42));
        let b = find_loopback("redis://127.0.0.1/0").unwrap();
        assert_eq!((b.port, b.port_range), (Some(6379), None));
        assert!(find_loopback("localhost").unwrap().bare);
        assert_eq!(find_loopback("http://[::1]:8080").unwrap().port, Some(8080));
        assert!(find_loopback("my-localhost-proxy:80").is_none());
        assert!(find_loopback("db.example.com:5432").is_none());
        assert!(find_loopback("127.0.0.10:80").is_none());
    }
}
