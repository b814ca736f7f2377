fn main() {
    std::process::exit(policyc::cli::main());
}

/// mimalloc instead of the system allocator. A build holds every output file in memory
/// (36 MB at 10,000 values, plus the text it was encoded from); glibc's malloc handed
/// those large buffers back to the kernel on free and faulted them in again, 37,600
/// page faults per build against mimalloc's 400 (README, Speed). Built with `no_thp`:
/// with transparent huge pages each thread's first allocation faulted in and zeroed a
/// 2 MB page, a quarter of a small build's time. Only the binary sets it; the library
/// leaves the choice to its users.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
