//! What reads as a secret: names that say password or token, values that are placeholders,
//! and Secret `data` as the API server decodes it (Go's `encoding/base64`, standard alphabet,
//! padding required, line breaks skipped).

/// The words of a name, lowercased: `DB_PASSWORD` -> `db`, `password`; `clientSecret` ->
/// `client`, `secret`; `tls.key` -> `tls`, `key`.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Words that end a name about a secret without it being one: `DB_PASSWORD_FILE`,
/// `TOKEN_TTL`, `SECRET_NAME`, `PASSWORD_MIN_LENGTH`.
const ABOUT_A_SECRET: &[&str] = &[
    "file",
    "files",
    "path",
    "dir",
    "name",
    "names",
    "url",
    "uri",
    "endpoint",
    "host",
    "port",
    "enabled",
    "enable",
    "disabled",
    "required",
    "length",
    "len",
    "ttl",
    "timeout",
    "expiry",
    "expiration",
    "expires",
    "lifetime",
    "duration",
    "interval",
    "seconds",
    "minutes",
    "hours",
    "days",
    "ms",
    "header",
    "type",
    "mode",
    "method",
    "algorithm",
    "alg",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "provider",
    "source",
    "store",
    "ref",
    "format",
    "version",
    "location",
    "namespace",
    "count",
    "size",
    "policy",
    "prefix",
    "field",
    "param",
    "env",
    "var",
    "mount",
    "volume",
    "id",
];

/// True when a variable or key name says it holds a secret: password, passwd, pass, pwd,
/// secret, token, api key, private key, credentials (`DB_PASSWORD`, `clientSecret`,
/// `redis-pass`, `HF_TOKEN`, `STRIPE_API_KEY`); not names about one (`*_FILE`, `*_PATH`,
/// `*_NAME`, `*_URL`, `*_ENABLED`, ...).
pub fn says_secret(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    let secret_word = |w: &str| {
        [
            "password",
            "passwd",
            "secret",
            "token",
            "apikey",
            "privatekey",
            "credentials",
        ]
        .iter()
        .any(|s| w.ends_with(s))
            || matches!(w, "pass" | "pwd" | "credential")
    };
    let pair = words
        .windows(2)
        .position(|p| matches!(p[0].as_str(), "api" | "private" | "secret") && p[1] == "key");
    let found = words.iter().rposition(|w| secret_word(w));
    let at = match (found, pair) {
        (Some(a), Some(b)) => a.max(b + 1),
        (Some(a), None) => a,
        (None, Some(b)) => b + 1,
        (None, None) => return false,
    };
    // `PWD` alone is the shell's working directory.
    if words.len() == 1 && words[0] == "pwd" {
        return false;
    }
    // What follows the secret word says what the name is about: `PASSWORD_FILE`.
    at + 1 == words.len() || !ABOUT_A_SECRET.contains(&last.as_str())
}

/// A value left to be filled in: `<password>`, `${DB_PASSWORD}`, `{{ .Values.token }}`,
/// `changeme`, `REPLACE_ME`, `TODO`, `xxx`, `your-api-key-here`.
/// A literal value worth keeping secret: at least three characters, not a number, a
/// boolean or a word for none, not a path, a `$(VAR)` reference, a URL or a placeholder.
pub fn literal(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() >= 3
        && !t.chars().all(|c| c.is_ascii_digit())
        && !matches!(
            t.to_ascii_lowercase().as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "enabled"
                | "disabled"
                | "none"
                | "null"
        )
        && !t.starts_with('/')
        && !t.contains("$(")
        && !t.contains("://")
        && !is_placeholder(t)
}

pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let squashed: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    if v.len() >= 2 && v.starts_with('<') && v.ends_with('>') {
        return true;
    }
    if v.contains("${")
        || v.contains("{{")
        || (v.len() > 4 && v.starts_with("__") && v.ends_with("__"))
    {
        return true;
    }
    if v.len() >= 3 && (v.chars().all(|c| c == 'x' || c == 'X') || v.chars().all(|c| c == '*')) {
        return true;
    }
    if v == "..." || v == "…" {
        return true;
    }
    if matches!(
        squashed.as_str(),
        "changeme"
            | "changeit"
            | "changethis"
            | "changemeplease"
            | "replaceme"
            | "replace"
            | "todo"
            | "tbd"
            | "fixme"
            | "placeholder"
            | "secret"
            | "password"
            | "passw0rd"
            | "dummy"
            | "redacted"
    ) {
        return true;
    }
    lower.starts_with("your-")
        || lower.starts_with("your_")
        || lower.starts_with("replace-with")
        || lower.starts_with("replace_with")
        || lower.starts_with("insert_")
        || lower.starts_with("insert-")
        || lower.ends_with("-here")
        || lower.ends_with("_here")
}

/// Why a value is not base64 as the API server reads `data`: Go's
/// `illegal base64 data at input byte N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Base64Error {
    pub at: usize,
}

fn sextet(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes as Go's `base64.StdEncoding.DecodeString` does (what `encoding/json` uses for a
/// Secret's `[]byte` values): `\n` and `\r` are skipped, padding is required, and the error
/// is at the byte Go reports.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let src = text.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    let err = |at| Err(Base64Error { at });
    'quanta: while si < src.len() {
        let mut buf = [0u32; 4];
        let mut len = 4;
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    break 'quanta;
                }
                // Go's standard encoding wants padding: a short last quantum is an error.
                return err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = sextet(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return err(si - 1);
            }
            // Padding: only after two or three characters of a quantum.
            match j {
                0 | 1 => return err(si - 1),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return err(src.len());
                    }
                    if src[si] != b'=' {
                        return err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                return err(si);
            }
            len = j;
            break;
        }
        let value = buf[0] << 18 | buf[1] << 12 | buf[2] << 6 | buf[3];
        let bytes = [(value >> 16) as u8, (value >> 8) as u8, value as u8];
        out.extend_from_slice(&bytes[..len - 1]);
    }
    Ok(out)
}

/// Standard base64 with padding, as `base64` and `kubectl create secret` write it.
pub fn encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let value = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(value >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Text a person would write: valid UTF-8 without control characters but line breaks and tabs.
pub fn printable(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    (!text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
    .then_some(text)
}

/// The credentials of a URL (`postgres://app:s3cret@db:5432/shop`): the password's byte range
/// in `value`, when it is written literally.
pub fn url_password(value: &str) -> Option<std::ops::Range<usize>> {
    let scheme_end = value.find("://")?;
    let scheme = &value[..scheme_end];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let start = scheme_end + 3;
    let authority_end = value[start..]
        .find(['/', '?', '#'])
        .map_or(value.len(), |i| start + i);
    let authority = &value[start..authority_end];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    let password = &authority[colon + 1..at];
    let literal = !password.is_empty()
        && !password.contains("$(")
        && !password.starts_with('$')
        && !is_placeholder(password);
    literal.then(|| start + colon + 1..start + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_say_secret() {
        for name in [
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "clientSecret",
            "redis-pass",
            "HF_TOKEN",
            "STRIPE_API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "privateKey",
            "GITHUB_APIKEY",
            "adminpassword",
            "db.password",
            "SECRET_KEY",
            "credentials",
        ] {
            assert!(says_secret(name), "{name}");
        }
        for name in [
            "DB_PASSWORD_FILE",
            "TOKEN_URL",
            "SECRET_NAME",
            "PASSWORD_MIN_LENGTH",
            "AUTH_TOKEN_ENABLED",
            "TOKENIZER_PATH",
            "MAX_TOKENS",
            "PWD",
            "DB_HOST",
            "KEY",
            "CACHE_KEY_PREFIX",
            "SECRET_KEY_REF",
            "MINIO_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(!says_secret(name), "{name}");
        }
    }

    #[test]
    fn placeholders() {
        for v in [
            "<password>",
            "${DB_PASSWORD}",
            "{{ .Values.token }}",
            "changeme",
            "CHANGE_ME",
            "change-me",
            "REPLACE_ME",
            "TODO",
            "xxx",
            "XXXXXXXX",
            "***",
            "your-api-key-here",
            "YOUR_TOKEN",
            "password",
            "__TOKEN__",
            "INSERT_ETCD_DISCOVERY_TOKEN",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in [
            "s3cr3t-Passw0rd",
            "hunter2",
            "admin",
            "xoxb-1234",
            "changelog",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn base64_decodes_and_fails_like_go() {
        assert_eq!(decode("cGFzc3dvcmQ=").unwrap(), b"password");
        assert_eq!(decode("cGFz\nc3dv\r\ncmQ=").unwrap(), b"password");
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(decode("YQ==").unwrap(), b"a");
        // Go: illegal base64 data at input byte 4 (`admin`: one character left over).
        assert_eq!(decode("admin"), Err(Base64Error { at: 4 }));
        // Missing padding: the short quantum starts at byte 8.
        assert_eq!(decode("cGFzc3dvcmQ"), Err(Base64Error { at: 8 }));
        assert_eq!(decode("hunter2!"), Err(Base64Error { at: 7 }));
        assert_eq!(decode("s3cr3t Passw0rd"), Err(Base64Error { at: 6 }));
        assert_eq!(decode("YQ=="), Ok(b"a".to_vec()));
        assert_eq!(decode("YQ="), Err(Base64Error { at: 3 }));
        assert_eq!(decode("YQ==YQ=="), Err(Base64Error { at: 4 }));
        assert_eq!(decode("=abc"), Err(Base64Error { at: 0 }));
        assert_eq!(encode(b"password"), "cGFzc3dvcmQ=");
        assert_eq!(encode(b"a"), "YQ==");
        assert_eq!(encode(b""), "");
        for text in ["", "a", "ab", "abc", "abcd", "hunter2", "s3cr3t-Passw0rd"] {
            assert_eq!(decode(&encode(text.as_bytes())).unwrap(), text.as_bytes());
        }
    }

    #[test]
    fn url_passwords() {
        let url = "postgres://app:s3cret@db:5432/shop";
        assert_eq!(&url[url_password(url).unwrap()], "s3cret");
        assert_eq!(
            url_password("redis://:hunter2@cache:6379").map(|r| r.len()),
            Some(7)
        );
        assert_eq!(url_password("postgres://app@db:5432/shop"), None);
        assert_eq!(url_password("postgres://app:$(DB_PASSWORD)@db/shop"), None);
        assert_eq!(url_password("http://example.org/a:b@c"), None);
        assert_eq!(url_password("mongodb://user:<password>@mongo:27017"), None);
    }
}
