//! The manual page and shell completions, both generated from the command line's definition.

use clap::CommandFactory;

use crate::cli::Cli;

/// The roff manual page of `kubeclinic` and its subcommands; `docs/kubeclinic.1` keeps a copy.
pub fn man_page() -> Result<String, String> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| format!("cannot render the manual page: {e}"))?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// The completion script of `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<String, String> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kubeclinic", &mut out);
    String::from_utf8(out).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kept_manual_page_is_current() {
        crate::assert_generated("docs/kubeclinic.1", &super::man_page().unwrap());
    }
}
