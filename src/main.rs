fn main() {
    std::process::exit(policyc::cli::main());
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
