use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::images::reference::is_placeholder;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds CronJob schedules Kubernetes cannot read: six fields (with seconds), a value out
    /// of its field's range (`0 24 * * *`, `* * * * 7`), a malformed range or step, or a time
    /// zone written into the schedule (`CRON_TZ=Europe/Paris 0 3 * * *`) instead of
    /// `spec.timeZone`. Macros (`@daily`, `@hourly`, `@every 2h`) are valid.
    ///
    /// ## Why is this bad?
    /// The API server refuses the CronJob (`spec.schedule: Invalid value: ...: unparseable`),
    /// or, for a time zone in the schedule, refuses it in 1.27 and later: the job never runs.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: cleanup
    /// spec:
    ///   schedule: "0 0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: cleanup
    ///               image: ghcr.io/example/cleanup:1.0.3
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: cleanup
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: cleanup
    ///               image: ghcr.io/example/cleanup:1.0.3
    /// ```
    ///
    /// ## Fix safety
    /// No fix: when the job should run is yours to say.
    pub struct InvalidCron {
        id: "invalid-cron",
        category: Workloads,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct BadSchedule<'a> {
    object: usize,
    node: &'a Node,
    why: String,
}

impl Rule for InvalidCron {
    type State<'a> = BadSchedule<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<BadSchedule<'a>> {
        ws.indexes_of_kind("CronJob")
            .iter()
            .filter_map(|&object| {
                let o = &ws.objects[object];
                let node = o.node.path(&["spec", "schedule"])?;
                let text = node.as_str()?;
                if o.is_live() || is_placeholder(text) {
                    return None;
                }
                let why = schedule_problem(text)?;
                Some(BadSchedule { object, node, why })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &BadSchedule<'a>) -> Diagnostic {
        let o = &ws.objects[b.object];
        Diagnostic {
            file: o.file,
            range: b.node.span,
            message: format!(
                "{}'s schedule `{}` is not a schedule Kubernetes reads: {}",
                o.display(),
                b.node.as_str().unwrap_or_default(),
                b.why
            ),
            why: "The API server refuses the CronJob (`spec.schedule: Invalid value`): its jobs never run.".into(),
            help: Some("Write five fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC), day of week (0-6 or SUN-SAT), each `*`, a value, a range `a-b`, a list `a,b` or a step `*/n`; or a macro such as `@daily`. Put a time zone in `spec.timeZone`.".into()),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }
}

/// Why `schedule` is not a standard five-field schedule (as robfig/cron's standard parser,
/// which Kubernetes uses, reads it), if it is not.
pub fn schedule_problem(schedule: &str) -> Option<String> {
    let s = schedule.trim();
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        return Some("a time zone goes in `spec.timeZone`, not in the schedule".into());
    }
    if let Some(macro_) = s.strip_prefix('@') {
        let ok = matches!(
            macro_,
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly"
        ) || macro_.strip_prefix("every ").is_some_and(is_duration);
        return (!ok).then(|| format!("`@{macro_}` is not a macro (`@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`, `@every 1h30m`)"));
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "it has {} fields; Kubernetes takes exactly 5 (no seconds, no year)",
            fields.len()
        ));
    }
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let specs: [(&str, u32, u32, &[&str], u32); 5] = [
        ("minute", 0, 59, &[], 0),
        ("hour", 0, 23, &[], 0),
        ("day of month", 1, 31, &[], 0),
        ("month", 1, 12, &MONTHS, 1),
        ("day of week", 0, 6, &DAYS, 0),
    ];
    for (field, (name, min, max, names, first)) in fields.iter().zip(specs) {
        if let Some(why) = field_problem(
            field,
            min,
            max,
            names,
            first,
            name == "day of month" || name == "day of week",
        ) {
            return Some(format!("the {name} field `{field}`: {why}"));
        }
    }
    None
}

fn field_problem(
    field: &str,
    min: u32,
    max: u32,
    names: &[&str],
    first: u32,
    question: bool,
) -> Option<String> {
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            return Ok(i as u32 + first);
        }
        let n: u32 = v.parse().map_err(|_| format!("`{v}` is not a number"))?;
        if n < min || n > max {
            return Err(format!("{n} is outside {min}-{max}"));
        }
        Ok(n)
    };
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n > 0 => {}
                _ => return Some(format!("`/{step}` is not a step")),
            }
        }
        if range == "*" || (question && range == "?") {
            continue;
        }
        let result = match range.split_once('-') {
            Some((a, b)) => value(a).and_then(|a| {
                value(b).and_then(|b| {
                    if a <= b {
                        Ok(())
                    } else {
                        Err(format!("the range {a}-{b} runs backwards"))
                    }
                })
            }),
            None => value(range).map(|_| ()),
        };
        if let Err(why) = result {
            return Some(why);
        }
    }
    None
}

/// `1h30m`, `90s`, `2h` as Go's `time.ParseDuration` reads them.
fn is_duration(text: &str) -> bool {
    let mut rest = text.trim();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(*u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::schedule_problem;

    #[test]
    fn schedules_read_as_kubernetes_reads_them() {
        for ok in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 9-17 * * MON-FRI",
            "0 0 1 JAN,JUL ?",
            "@daily",
            "@every 1h30m",
            "30 2 * * 0",
        ] {
            assert_eq!(schedule_problem(ok), None, "{ok}");
        }
        for bad in [
            "0 0 3 * * *",
            "0 24 * * *",
            "* * * * 7",
            "0 3 * *",
            "CRON_TZ=UTC 0 3 * * *",
            "@nightly",
            "*/0 * * * *",
            "0 5-2 * * *",
        ] {
            assert!(schedule_problem(bad).is_some(), "{bad}");
        }
    }
}
