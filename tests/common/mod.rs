//! Shared by the interop and property tests: finding the external consumers and the
//! skip rule, the spec generator ([`specs`]) and the Intune profile reader ([`intune`]).
//! A missing tool prints a loud SKIPPED banner and the test passes, unless
//! `POLICYC_REQUIRE_INTEROP=1` (as `.ci/run` sets), when it fails.
#![allow(dead_code)] // each test file uses part of this module

pub mod intune;
pub mod reg_cases;
pub mod settings_catalog;
pub mod specs;
pub mod wine;

use policyc::plan::Plan;
use std::io::Write as _;
use std::path::PathBuf;

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Reports a missing validator: panics when interop is required, else prints a banner
/// straight to stderr (the harness captures `eprintln!` of passing tests) and returns false.
pub fn skip(msg: &str) -> bool {
    if std::env::var("POLICYC_REQUIRE_INTEROP").as_deref() == Ok("1") {
        panic!("{msg}; POLICYC_REQUIRE_INTEROP=1 forbids skipping");
    }
    let bar = "!".repeat(72);
    let banner = format!("\n{bar}\nSKIPPED: {msg}\n{bar}\n\n");
    let _ = std::io::stderr().lock().write_all(banner.as_bytes());
    false
}

/// A file or folder of the shared folder beside the repository (`../shared/REL`, where CI
/// lays a copy), or the path in the environment variable `env`, when `probe` is a file in it
/// (`""`: the path itself is the file). `None` when it is not there.
pub fn shared_path(env: &str, rel: &str, probe: &str) -> Option<PathBuf> {
    let p = std::env::var_os(env).map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared")
                .join(rel)
        },
        PathBuf::from,
    );
    let file = if probe.is_empty() {
        p.clone()
    } else {
        p.join(probe)
    };
    file.is_file().then_some(p)
}

/// [`shared_path`], or [`skip`] (a failure under `POLICYC_REQUIRE_INTEROP=1`).
pub fn require_shared(env: &str, rel: &str, probe: &str) -> Option<PathBuf> {
    let found = shared_path(env, rel, probe);
    if found.is_none() {
        skip(&format!("../shared/{rel} not found (set {env})"));
    }
    found
}

/// False (after [`skip`]) for a spec of `tests/fixtures/vendor-spec/` when the central store
/// its `templates:` names (`../shared/vendor-admx/PolicyDefinitions`, beside the repository)
/// is missing; true for every other spec.
pub fn vendor_fixture_ready(spec: &str) -> bool {
    !spec.contains("vendor-spec/")
        || PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/vendor-admx/PolicyDefinitions/chrome.admx")
            .is_file()
        || skip(&format!(
            "{spec}: ../shared/vendor-admx/PolicyDefinitions not found"
        ))
}

/// `policyc check` of a spec with the bundle header, `products: [chrome]`, `head` (more
/// top-level keys) and `settings` (YAML lines), written to `dir/s.yaml`, with `args` after
/// it. Returns the exit code and stderr with the spec's path replaced by `SPEC`.
pub fn check_settings(
    dir: &std::path::Path,
    head: &str,
    settings: &str,
    args: &[&std::ffi::OsStr],
) -> (i32, String) {
    let spec = dir.join("s.yaml");
    std::fs::write(
        &spec,
        format!("policyc: 1\nbundle: {{name: v, display_name: V, version: 1.0.0, publisher: P}}\nproducts: [chrome]\n{head}settings:\n{settings}"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_policyc"))
        .arg("check")
        .arg(&spec)
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).replace(&spec.display().to_string(), "SPEC");
    (out.status.code().unwrap_or(-1), text)
}

/// True when `tool` is on PATH; otherwise [`skip`].
pub fn require(tool: &str, install: &str) -> bool {
    on_path(tool) || skip(&format!("{tool} not found; install {install} (see README)"))
}

/// The Python that has the validators' packages: `POLICYC_PYTHON`, else the repo's
/// `.venv-validators` (made by `.ci/run`), else `python3`.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("POLICYC_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-validators/bin/python");
    if venv.is_file() {
        return venv;
    }
    PathBuf::from("python3")
}

/// True when the validators' Python can run `import {imports}`; otherwise [`skip`].
pub fn require_python(imports: &str, install: &str) -> bool {
    let py = python();
    let ok = std::process::Command::new(&py)
        .args(["-c", &format!("import {imports}")])
        .output()
        .is_ok_and(|o| o.status.success());
    ok || skip(&format!(
        "{imports} not importable with {}; pip install {install} (or set POLICYC_PYTHON)",
        py.display()
    ))
}

/// The plan of spec bytes (`name` is the file name diagnostics print); panics with the
/// diagnostics when the spec does not compile.
pub fn plan_from(name: &str, bytes: &[u8]) -> Plan {
    let catalog = policyc::catalog::Catalog::builtin().expect("builtin catalog");
    let outcome = policyc::compile(name, bytes, catalog);
    outcome
        .plan
        .unwrap_or_else(|| panic!("{name} did not compile: {:#?}", outcome.diagnostics))
}

/// The plan of a spec file in the repository (path relative to the crate root).
pub fn plan_of(path: &str) -> Plan {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("reading {}: {e}", full.display()));
    plan_from(path, &bytes)
}

/// Compiles an example; returns its plan and its `.reg` files (name, bytes), without the
/// rollback files under `undo/`.
pub fn compile_reg(example: &str) -> (Plan, Vec<(String, Vec<u8>)>) {
    let plan = plan_of(example);
    let regs: Vec<_> = policyc::bundle_files(&plan)
        .expect("emit")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".reg") && !name.starts_with("undo/"))
        .collect();
    assert!(!regs.is_empty(), "{example}: no .reg file in the bundle");
    (plan, regs)
}

/// The names without `.yaml` of the files in `dir` (relative to the crate root), sorted.
pub fn yaml_stems(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap_or_else(|e| panic!("reading {dir}: {e}"))
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".yaml")
                .to_string()
        })
        .collect();
    v.sort();
    v
}

/// The names in a folder, sorted.
pub fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every file below `dir`, keyed by its `/`-separated path relative to `dir`.
pub fn read_tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes each (name, bytes) to a temporary folder, runs the validators' Python on
/// `script` with those paths in order, and returns its stdout (it must exit 0).
pub fn run_python_checker(script: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, (name, bytes)) in files.iter().enumerate() {
        let p = dir.path().join(format!("{i}-{}", name.replace('/', "_")));
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    let out = std::process::Command::new(python())
        .arg(script)
        .args(&paths)
        .output()
        .unwrap_or_else(|e| panic!("running {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `Err` naming the first difference when two sequences differ.
pub fn same<T: std::fmt::Debug + PartialEq>(
    what: &str,
    got: &[T],
    want: &[T],
) -> Result<(), String> {
    if let Some(i) = (0..got.len().max(want.len())).find(|&i| got.get(i) != want.get(i)) {
        return Err(format!(
            "{what}: {} read back, {} planned; first difference at #{i}:\n  read    {:?}\n  planned {:?}",
            got.len(),
            want.len(),
            got.get(i),
            want.get(i)
        ));
    }
    Ok(())
}
