//! `check --statistics`: how many findings each rule has, most first, as `ruff --statistics`
//! prints them. `[*]` marks a rule with findings `kubeclinic fix` fixes, `[-]` one whose fixes
//! need `--unsafe`.

use std::collections::BTreeMap;

use kubeclinic_engine::{Applicability, Report};
use serde::Serialize;

use crate::cli::Format;
use crate::rule_docs;

#[derive(Serialize)]
struct RuleCount {
    rule: &'static str,
    count: usize,
    /// The most trusted fix among the findings: `safe`, `unsafe`, or none.
    fixable: Option<&'static str>,
    summary: String,
}

pub fn render(report: &Report, format: Format) -> Result<String, String> {
    let counts = count(report);
    match format {
        Format::Human => Ok(table(&counts)),
        Format::Json => super::to_json(&counts),
        _ => Err("--statistics prints text or JSON: use --format human or --format json".into()),
    }
}

fn count(report: &Report) -> Vec<RuleCount> {
    let mut by_rule: BTreeMap<&'static str, (usize, Option<Applicability>)> = BTreeMap::new();
    for f in &report.findings {
        let entry = by_rule.entry(f.rule).or_default();
        entry.0 += 1;
        entry.1 = entry
            .1
            .max(super::applicable_fix(f).map(|fix| fix.applicability));
    }
    let mut counts: Vec<RuleCount> = by_rule
        .into_iter()
        .map(|(rule, (count, fixable))| RuleCount {
            rule,
            count,
            fixable: fixable.map(Applicability::as_str),
            summary: kubeclinic_engine::rules::find(rule)
                .map(rule_docs::summary)
                .unwrap_or_default(),
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    counts
}

fn table(counts: &[RuleCount]) -> String {
    let count_width = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    let rule_width = counts.iter().map(|c| c.rule.len()).max().unwrap_or(0);
    counts
        .iter()
        .map(|c| {
            let marker = match c.fixable {
                Some("safe") => "[*]",
                Some(_) => "[-]",
                None => "   ",
            };
            format!(
                "{:>count_width$}\t{:<rule_width$}\t{marker} {}\n",
                c.count, c.rule, c.summary
            )
        })
        .collect()
}
