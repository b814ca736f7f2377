fn main() {
    std::process::exit(policyc::cli::main());
}
