//! `policyc build --check`: names each missing, stale or unexpected file, writes nothing.

use assert_cmd::Command;
use std::fs;

const EXAMPLE: &str = "examples/nhs-credential-management.yaml";

fn run(args: &[&str], out: &std::path::Path) -> (i32, String) {
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap() + &String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn fresh_bundle_passes_and_drift_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    assert_eq!(run(&["build", EXAMPLE], &out).0, 0);
    let (code, text) = run(&["build", "--check", EXAMPLE], &out);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with(&format!(
            "ok: {} is what {EXAMPLE} compiles to",
            out.display()
        )),
        "{text}"
    );

    fs::write(out.join("machine.reg"), b"edited").unwrap();
    fs::remove_file(out.join("user.reg")).unwrap();
    fs::write(out.join("notes.txt"), b"x").unwrap();
    let before: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let (code, text) = run(&["build", "--check", EXAMPLE], &out);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("stale:   machine.reg\n"), "{text}");
    assert!(text.contains("missing: user.reg\n"), "{text}");
    assert!(text.contains("unexpected: notes.txt\n"), "{text}");
    assert!(text.contains("3 files out of date"), "{text}");
    // The command to run is this one without --check, options included.
    assert!(
        text.contains(&format!(
            "run `policyc build {EXAMPLE} --out {}`",
            out.display()
        )),
        "{text}"
    );
    let (_, text) = run(
        &[
            "build",
            "--check",
            EXAMPLE,
            "--against",
            "tests/fixtures/exports/clean.reg",
        ],
        &out,
    );
    assert!(
        text.contains(&format!(
            "run `policyc build {EXAMPLE} --against tests/fixtures/exports/clean.reg --out {}`",
            out.display()
        )),
        "{text}"
    );
    let after: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after, "--check must not write");
    assert_eq!(fs::read(out.join("machine.reg")).unwrap(), b"edited");
}

#[test]
fn a_changed_spec_makes_the_bundle_stale() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    assert_eq!(run(&["build", EXAMPLE], &out).0, 0);
    let (code, text) = run(
        &[
            "build",
            "--check",
            "examples/nhs-credential-management-int.yaml",
        ],
        &out,
    );
    assert_eq!(code, 1);
    assert!(text.contains("stale:   machine.reg"), "{text}");
    assert!(text.contains("stale:   manifest.json"), "{text}");
}

#[test]
fn missing_bundle_lists_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = run(&["build", "--check", EXAMPLE], &dir.path().join("none"));
    assert_eq!(code, 1);
    assert!(
        text.contains("missing: machine.reg") && text.contains("missing: manifest.json"),
        "{text}"
    );
}
