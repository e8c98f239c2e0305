//! `kubectl-clinic`: the same program as `kubeclinic`, run by kubectl as `kubectl clinic`.

fn main() -> std::process::ExitCode {
    kubeclinic_cli::main()
}
