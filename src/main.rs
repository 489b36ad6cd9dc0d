fn main() -> std::process::ExitCode {
    scc_onboard::run()
}
