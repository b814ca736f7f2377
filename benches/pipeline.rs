//! `cargo bench --bench pipeline`: load+check, plan, each emitter and the full
//! build (compile, emit, write the bundle) for the NHS example and synthetic specs
//! of 10, 100, 1,000 and 10,000 settings values (see `synthetic.rs`).
//!
//! `cargo bench --bench pipeline -- --emit-spec N` prints the synthetic spec of
//! size N instead (used by `benches/measure.sh` for whole-process time and memory);
//! `-- --emit-subset SPEC OUT EMITTER...` writes only some emitters' files (used by
//! `benches/chromium_compare.sh`).

#[path = "synthetic.rs"]
mod synthetic;

use policyc::catalog::Catalog;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--emit-spec") {
        let n: usize = args[i + 1].parse().expect("--emit-spec N");
        print!("{}", synthetic::spec(n));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--emit-subset") {
        emit_subset(&args[i + 1..]);
        return;
    }
    divan::main();
}

/// `--emit-subset SPEC OUT EMITTER...`: compiles SPEC and writes only the named
/// emitters' files under OUT, with plain writes (no manifest, fsync or atomic
/// rename). `benches/chromium_compare.sh` times it with `reg admx` against
/// Chromium's template writers, which write the same three kinds of file.
fn emit_subset(args: &[String]) {
    let [spec, out, names @ ..] = args else {
        panic!("--emit-subset SPEC OUT EMITTER...");
    };
    let emitters = policyc::emit::all();
    for name in names {
        assert!(
            emitters.iter().any(|e| e.name() == name),
            "no emitter named {name}"
        );
    }
    let catalog = catalog();
    let plan = plan_of(&std::fs::read(spec).expect("read SPEC"), catalog);
    for e in emitters
        .iter()
        .filter(|e| names.iter().any(|n| n == e.name()))
    {
        for a in e.emit(&policyc::emit::Input::new(&plan)).unwrap() {
            let path = std::path::Path::new(out).join(&a.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &a.bytes).unwrap();
        }
    }
}

fn catalog() -> &'static Catalog {
    Catalog::builtin().unwrap()
}

fn input(n: usize) -> Vec<u8> {
    if n == 0 {
        std::fs::read("examples/nhs-credential-management.yaml").unwrap()
    } else {
        synthetic::spec(n).into_bytes()
    }
}

fn plan_of(bytes: &[u8], catalog: &Catalog) -> policyc::plan::Plan {
    let out = policyc::compile("bench.yaml", bytes, catalog);
    out.plan.unwrap_or_else(|| panic!("{:#?}", out.diagnostics))
}

// Size 0 is the NHS example (examples/nhs-credential-management.yaml).
const ALL: &[usize] = &[0, 10, 100, 1_000, 10_000];

/// Parse + validate against the catalog.
#[divan::bench(args = ALL)]
fn load_check(bencher: divan::Bencher, n: usize) {
    let catalog = catalog();
    let bytes = input(n);
    bencher.bench(|| {
        let loaded = policyc::spec::load_bytes("bench.yaml", black_box(&bytes)).unwrap();
        let (spec, _) = policyc::validate::validate(&loaded, catalog);
        spec.unwrap()
    });
}

/// The registry plan from a validated spec.
#[divan::bench(args = ALL)]
fn plan(bencher: divan::Bencher, n: usize) {
    let catalog = catalog();
    let bytes = input(n);
    let loaded = policyc::spec::load_bytes("bench.yaml", &bytes).unwrap();
    let spec = policyc::validate::validate(&loaded, catalog).0.unwrap();
    bencher.bench(|| policyc::plan::build(black_box(&spec), catalog).unwrap());
}

/// One emitter on one input size.
struct Case {
    emitter: usize,
    name: &'static str,
    n: usize,
}

impl std::fmt::Display for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.name, self.n)
    }
}

fn emitter_cases() -> Vec<Case> {
    let names: Vec<&'static str> = policyc::emit::all().iter().map(|e| e.name()).collect();
    names
        .iter()
        .enumerate()
        .flat_map(|(emitter, name)| ALL.iter().map(move |&n| Case { emitter, name, n }))
        .collect()
}

/// Each emitter on its own, from the plan.
#[divan::bench(args = emitter_cases())]
fn emitter(bencher: divan::Bencher, case: &Case) {
    let e = &policyc::emit::all()[case.emitter];
    let catalog = catalog();
    let plan = plan_of(&input(case.n), catalog);
    bencher.bench_local(|| {
        e.emit(&policyc::emit::Input::new(black_box(&plan)))
            .unwrap()
    });
}

/// compile + every emitter + manifest + the atomic bundle write.
#[divan::bench(args = ALL, sample_count = 20)]
fn full_build(bencher: divan::Bencher, n: usize) {
    let catalog = catalog();
    let bytes = input(n);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    bencher.bench(|| {
        let plan = plan_of(black_box(&bytes), catalog);
        let files = policyc::bundle_files(&plan).unwrap();
        policyc::bundle::write(&out, &files, policyc::bundle::Durability::Synced).unwrap();
    });
}
