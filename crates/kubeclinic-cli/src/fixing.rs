//! `kubeclinic fix` and `kubeclinic check --diff`: applying fixes, then showing, printing or
//! writing each file on its own.

use std::process::ExitCode;

use kubeclinic_engine::{output, Applicability, CheckerSet, FixOutcome, SourceFile};

use crate::inputs::Inputs;

/// What `fix` does with the patched text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print the one input's patched text.
    Print,
    /// Print a unified diff per changed file.
    Diff,
    /// Write the changed files in place.
    Write,
}

/// `check --diff`: what `fix` would change, without changing it; exit 1 when it would.
pub fn check_diff(
    checker: &CheckerSet,
    inputs: &Inputs,
    threshold: Applicability,
) -> Result<ExitCode, String> {
    let outcome = checker.fix(&inputs.files, threshold);
    let changed = changed(inputs, &outcome);
    crate::print(&diffs(&changed))?;
    if changed.is_empty() {
        eprintln!("no fixes to apply");
    } else {
        eprintln!(
            "would apply {} fix(es) to {} file(s)",
            outcome.applied.len(),
            changed.len()
        );
    }
    Ok(ExitCode::from(u8::from(!changed.is_empty())))
}

pub fn fix(
    checker: &CheckerSet,
    inputs: &Inputs,
    threshold: Applicability,
    mode: Mode,
) -> Result<(), String> {
    if mode == Mode::Print && inputs.context_from > 1 {
        return Err(format!(
            "fix got {} inputs and prints the patched text of one: add --write to fix them in place, or --diff to see the changes",
            inputs.context_from
        ));
    }
    let mut outcome = checker.fix(&inputs.files, threshold);
    outcome.remaining.findings.retain(|f| inputs.judged(f.file));
    let changed = changed(inputs, &outcome);
    match mode {
        Mode::Print => {
            if let Some(file) = outcome.files.first() {
                crate::print(&file.text)?;
            }
        }
        Mode::Diff => crate::print(&diffs(&changed))?,
        Mode::Write => write(inputs, &changed)?,
    }
    tell_outcome(&outcome, threshold);
    Ok(())
}

/// An input whose text the fixes change.
struct Change<'a> {
    id: usize,
    before: &'a SourceFile,
    after: &'a SourceFile,
}

/// The inputs the fixes change; context files are never changed.
fn changed<'a>(inputs: &'a Inputs, outcome: &'a FixOutcome) -> Vec<Change<'a>> {
    inputs
        .files
        .iter()
        .zip(&outcome.files)
        .enumerate()
        .filter(|(id, (before, after))| inputs.judged(*id) && before.text != after.text)
        .map(|(id, (before, after))| Change { id, before, after })
        .collect()
}

fn diffs(changed: &[Change]) -> String {
    changed
        .iter()
        .map(|c| output::unified_diff(&c.before.path, &c.before.text, &c.after.text))
        .collect()
}

/// Writes every changed file but standard input, which has nowhere to go back to.
fn write(inputs: &Inputs, changed: &[Change]) -> Result<(), String> {
    for change in changed {
        if Some(change.id) == inputs.stdin {
            eprintln!("standard input would change too; it is not written anywhere");
            continue;
        }
        std::fs::write(&change.before.path, &change.after.text)
            .map_err(|e| format!("cannot write {}: {e}", change.before.path))?;
        eprintln!("fixed {}", change.before.path);
    }
    Ok(())
}

/// What was fixed and what is left, on standard error.
fn tell_outcome(outcome: &FixOutcome, threshold: Applicability) {
    for applied in &outcome.applied {
        eprintln!("fixed [{}]: {}", applied.rule, applied.title);
    }
    let left = outcome.remaining.findings.len();
    if left > 0 {
        eprintln!(
            "{left} finding(s) left; run `kubeclinic check` to see them{}.",
            if threshold == Applicability::Unsafe {
                ""
            } else {
                " (some may have unsafe fixes: --unsafe)"
            }
        );
    }
    if !outcome.converged {
        eprintln!(
            "fixes did not settle after {} rounds",
            kubeclinic_engine::fix::MAX_ROUNDS
        );
    }
}
