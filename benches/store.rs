//! `cargo bench --bench store`: index a whole central store (every ADMX and its en-US
//! ADML: parse, resolve the namespace and policy indexes) with `admx::store::Store`.
//! Reads `../shared/vendor-admx/PolicyDefinitions` (303 ADMX + 304 ADML, 21 MB), or the
//! folder named by `POLICYC_VENDOR_ADMX`; prints a note and measures nothing without it.

use policyc::admx::store::Store;
use std::path::PathBuf;

fn store_dir() -> PathBuf {
    std::env::var_os("POLICYC_VENDOR_ADMX").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/vendor-admx/PolicyDefinitions")
        },
        PathBuf::from,
    )
}

fn main() {
    if !store_dir().join("chrome.admx").is_file() {
        eprintln!(
            "no central store at {}; set POLICYC_VENDOR_ADMX",
            store_dir().display()
        );
        return;
    }
    divan::main();
}

/// Returns the store, so that divan drops it outside the timed part: freeing is not
/// indexing (the process figures of `store_compare.sh` include it).
#[divan::bench(sample_count = 20)]
fn index_central_store() -> Store {
    let s = Store::load(&store_dir(), "en-US").unwrap();
    assert!(s.problems.is_empty());
    s
}
