//! `kubeclinic`: the engine for terminals and CI pipelines.

fn main() -> std::process::ExitCode {
    kubeclinic_cli::main()
}
