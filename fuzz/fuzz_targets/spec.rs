//! Spec loader + validator + planner + every emitter, on arbitrary bytes.
//! A crash is any panic; an `Err`/diagnostic is the expected answer to bad input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static policyc::catalog::Catalog {
    policyc::catalog::Catalog::builtin().expect("built-in catalog")
}

fuzz_target!(|data: &[u8]| {
    let outcome = policyc::compile("fuzz.yaml", data, catalog());
    // Every diagnostic must render (no panics in the reporting path either).
    for d in &outcome.diagnostics {
        let _ = d.render_human();
    }
    if let Some(plan) = outcome.plan {
        assert!(
            !outcome.diagnostics.iter().any(|d| d.is_error()),
            "a plan came back together with errors"
        );
        // A plan that validated must emit: an emitter error here is a bug (the
        // validator let through something a format cannot carry).
        if let Err(e) = policyc::bundle_files(&plan) {
            panic!("validated spec failed to emit: {e}");
        }
    }
});
