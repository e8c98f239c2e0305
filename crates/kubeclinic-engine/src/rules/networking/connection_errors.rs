//! Connection failures as application runtimes and client libraries print them.

use crate::runtime::LogLine;
use crate::text::TextRange;

/// A refused connection to a loopback address, read from log lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub line: TextRange,
    pub host: String,
    pub port: Option<u16>,
}

/// A host name that did not resolve.
#[derive(Clone, Debug, PartialEq)]
pub struct LookupFailure {
    pub line: TextRange,
    pub host: String,
    /// The DNS server itself did not answer (`i/o timeout`), as opposed to `no such host`.
    pub timeout: bool,
}

const REFUSED: [&str; 6] = [
    "connection refused",
    "econnrefused",
    "errno 111",
    "can't connect to mysql server",
    "refused. check that the hostname and port are correct",
    "error 111 connecting to",
];

const LOOPBACK: [&str; 4] = ["127.0.0.1", "localhost", "[::1]", "::1"];

/// Reads a refused loopback connection from `line`, looking at the next line too
/// (psycopg2 puts the host on the line after "Connection refused").
pub fn refusal(line: &LogLine, next: Option<&LogLine>) -> Option<Refusal> {
    let lower = line.text.to_ascii_lowercase();
    if !REFUSED.iter().any(|w| lower.contains(w)) {
        return None;
    }
    let joined = match next {
        Some(n) if !LOOPBACK.iter().any(|h| lower.contains(h)) => {
            format!("{lower} {}", n.text.to_ascii_lowercase())
        }
        _ => lower.clone(),
    };
    let (at, host) = LOOPBACK
        .iter()
        .filter_map(|h| joined.find(h).map(|i| (i, *h)))
        .min()?;
    let host = if host == "::1" { "[::1]" } else { host };
    Some(Refusal {
        line: line.line,
        host: host.to_string(),
        port: port_after(&joined[at + host.len().min(joined.len() - at)..])
            .or_else(|| port_word(&joined)),
    })
}

/// `:5432`, `', 5432)`, `", port 5432`: the first port right after the host.
fn port_after(rest: &str) -> Option<u16> {
    let rest = rest.trim_start_matches(['\'', '"', ']', ')']);
    let rest = rest
        .strip_prefix(':')
        .or_else(|| rest.strip_prefix(", "))
        .or_else(|| rest.strip_prefix(","))?;
    let rest = rest.trim_start().trim_start_matches("port ").trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|p| *p > 0)
}

/// `on port 5432`, `port 5432 failed`.
fn port_word(text: &str) -> Option<u16> {
    let at = text.find("port ")?;
    let digits: String = text[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What the C library's resolver (glibc, musl, macOS) says when `getaddrinfo` fails, as
/// clients quote it after the host they tried.
const RESOLVER_ERRORS: [&str; 6] = [
    "name or service not known",
    "temporary failure in name resolution",
    "name does not resolve",
    "nodename nor servname provided",
    "no address associated with hostname",
    "try again",
];

/// Reads a failed name lookup from `line`.
pub fn lookup_failure(line: &LogLine) -> Option<LookupFailure> {
    let text = &line.text;
    let lower = text.to_ascii_lowercase();
    let timeout =
        lower.contains("i/o timeout") || lower.contains("temporary failure in name resolution");
    // Go: `dial tcp: lookup db on 10.96.0.10:53: no such host`.
    if let Some(at) = lower.find("lookup ") {
        let rest = &text[at + 7..];
        let host: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ':')
            .collect();
        if (lower.contains("no such host") || lower.contains("server misbehaving") || timeout)
            && is_hostname(&host)
        {
            return Some(LookupFailure {
                line: line.line,
                host,
                timeout,
            });
        }
    }
    let temporary = lower.contains("temporary failure")
        || lower.contains("eai_again")
        || lower.contains("try again");
    // Forms that name the host whatever went wrong with it: a resolver's words must follow.
    let resolver_said = RESOLVER_ERRORS.iter().any(|w| lower.contains(w));
    let named_anyway: [(&str, &[char]); 4] = [
        // redis-py: `Error -2 connecting to redis-master:6379. Name or service not known.`
        (" connecting to ", &[':']),
        // aiohttp: `Cannot connect to host api:443 ssl:default [Name or service not known]`.
        ("Cannot connect to host ", &[':']),
        // urllib3 before 2: `HTTPConnectionPool(host='api', port=80): Max retries exceeded`.
        ("(host='", &['\'']),
        // MySQL clients: `Unknown MySQL server host 'db' (-2)`.
        ("Unknown MySQL server host '", &['\'']),
    ];
    if resolver_said || lower.contains("unknown mysql server host") {
        let found = named_anyway.iter().find_map(|(marker, ends)| {
            let at = text.find(marker)? + marker.len();
            let host: String = text[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !ends.contains(c))
                .collect();
            let host = host.trim_end_matches('.').to_string();
            is_hostname(&host).then_some(host)
        });
        if let Some(host) = found {
            return Some(LookupFailure {
                line: line.line,
                host,
                timeout: temporary,
            });
        }
    }
    // (what precedes the host, what ends it besides white space, whether DNS timed out)
    let forms: [(&str, &[char], bool); 5] = [
        // Python urllib3: `Failed to resolve 'api.example.com' ([Errno -3] Temporary failure ...)`.
        ("Failed to resolve '", &['\''], temporary),
        // Node: `getaddrinfo ENOTFOUND db` / `EAI_AGAIN`.
        ("ENOTFOUND ", &[':'], false),
        ("EAI_AGAIN ", &[':'], true),
        // Java: `java.net.UnknownHostException: db`.
        ("UnknownHostException: ", &[':'], false),
        // libpq: `could not translate host name "db" to address`.
        ("could not translate host name \"", &['"'], temporary),
    ];
    forms.iter().find_map(|(marker, ends, timeout)| {
        let at = text.find(marker)? + marker.len();
        let host: String = text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !ends.contains(c))
            .collect();
        is_hostname(&host).then_some(LookupFailure {
            line: line.line,
            host,
            timeout: *timeout,
        })
    })
}

fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !host.chars().all(|c| c.is_ascii_digit() || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> LogLine {
        LogLine {
            line: TextRange::new(0, text.len()),
            text: text.into(),
            pod: None,
            container: None,
        }
    }

    #[test]
    fn refusals_from_several_runtimes() {
        let cases = [
            ("ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)", "127.0.0.1", Some(5432)),
            ("dial tcp 127.0.0.1:6379: connect: connection refused", "127.0.0.1", Some(6379)),
            ("Error: connect ECONNREFUSED 127.0.0.1:27017", "127.0.0.1", Some(27017)),
            ("redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.", "localhost", Some(6379)),
            ("org.postgresql.util.PSQLException: Connection to localhost:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.", "localhost", Some(5432)),
            ("sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"localhost\" (127.0.0.1), port 5432 failed: Connection refused", "localhost", Some(5432)),
            ("dial tcp [::1]:5432: connect: connection refused", "[::1]", Some(5432)),
        ];
        for (text, host, port) in cases {
            let r = refusal(&log(text), None).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((r.host.as_str(), r.port), (host, port), "{text}");
        }
        assert!(refusal(
            &log("dial tcp 10.0.0.7:5432: connect: connection refused"),
            None
        )
        .is_none());
    }

    #[test]
    fn lookups_from_several_runtimes() {
        let cases = [
            ("dial tcp: lookup postgres on 10.96.0.10:53: no such host", "postgres", false),
            ("dial tcp: lookup api.shop.svc.cluster.local on 10.96.0.10:53: read udp 10.244.1.5:43000->10.96.0.10:53: i/o timeout", "api.shop.svc.cluster.local", true),
            ("Error: getaddrinfo ENOTFOUND redis-master", "redis-master", false),
            ("java.net.UnknownHostException: kafka-0.kafka", "kafka-0.kafka", false),
            ("psycopg2.OperationalError: could not translate host name \"db\" to address: Name or service not known", "db", false),
            ("redis.exceptions.ConnectionError: Error -2 connecting to redis-master:6379. Name or service not known.", "redis-master", false),
            ("redis.exceptions.ConnectionError: Error -3 connecting to redis-master:6379. Temporary failure in name resolution.", "redis-master", true),
            ("redis.exceptions.ConnectionError: Error -2 connecting to cache.shop.svc.cluster.local:6379. Name does not resolve.", "cache.shop.svc.cluster.local", false),
            ("aiohttp.client_exceptions.ClientConnectorError: Cannot connect to host billing-api:8080 ssl:default [Name or service not known]", "billing-api", false),
            ("requests.exceptions.ConnectionError: HTTPConnectionPool(host='search', port=9200): Max retries exceeded with url: / (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3c>: Failed to establish a new connection: [Errno -2] Name or service not known'))", "search", false),
            ("ERROR 2005 (HY000): Unknown MySQL server host 'mysql-primary' (-2)", "mysql-primary", false),
        ];
        for (text, host, timeout) in cases {
            let l = lookup_failure(&log(text)).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((l.host.as_str(), l.timeout), (host, timeout), "{text}");
        }
        for text in [
            "redis.exceptions.ConnectionError: Error 111 connecting to cache:6379. Connection refused.",
            "INFO resolved kafka-0.kafka-headless to 10.244.1.7 after connecting to the seed",
            "socket.gaierror: [Errno -2] Name or service not known",
        ] {
            assert_eq!(lookup_failure(&log(text)), None, "{text}");
        }
    }
}
