//! What containers print when they fail in ways the rules know: the runtime's exec errors,
//! refused connections and names that do not resolve. These are read as log lines.

use super::About::Log;
use super::{w, Wording};

pub(crate) const WORDINGS: &[Wording] = &[
    w("exec format error", "Log", Log),
    w("exec user process caused", "Log", Log),
    w("Connection refused", "Log", Log),
    w("connection refused", "Log", Log),
    w("ECONNREFUSED", "Log", Log),
    w("Connect call failed", "Log", Log),
    w("no such host", "Log", Log),
    w("ENOTFOUND", "Log", Log),
    w("EAI_AGAIN", "Log", Log),
    w("UnknownHostException", "Log", Log),
    w("could not translate host name", "Log", Log),
    w("Name or service not known", "Log", Log),
    w("Temporary failure in name resolution", "Log", Log),
    w("nodename nor servname provided", "Log", Log),
];
