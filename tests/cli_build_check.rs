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

/// json, sarif and github output carry the differences as `bundle-out-of-date`
/// diagnostics in the one document (stdout parses as one JSON document); the hint says to
/// move out a file the folder's manifest does not list, which `build` would refuse.
#[test]
fn differences_are_diagnostics_in_structured_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    assert_eq!(run(&["build", EXAMPLE], &out).0, 0);
    fs::write(out.join("machine.reg"), b"edited").unwrap();
    fs::write(out.join("notes.txt"), b"x").unwrap();
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", "--check", EXAMPLE, "--format", "json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "bundle-out-of-date")
        .map(|d| {
            assert_eq!(d["severity"], "error");
            assert!(
                d["hint"]
                    .as_str()
                    .unwrap()
                    .starts_with("move notes.txt out of"),
                "{d}"
            );
            (
                d["message"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "stale: machine.reg".to_string(),
                out.join("machine.reg").display().to_string()
            ),
            (
                "unexpected: notes.txt".to_string(),
                out.join("notes.txt").display().to_string()
            ),
        ]
    );
    assert_eq!(v["errors"], 2);
    let (code, text) = run(&["build", "--check", EXAMPLE, "--format", "github"], &out);
    assert_eq!(code, 1);
    assert_eq!(text.matches("::error ").count(), 2, "{text}");
    assert!(!text.contains("\nstale:"), "{text}");
    // Human output keeps its lines, and says what to move first.
    let (code, text) = run(&["build", "--check", EXAMPLE], &out);
    assert_eq!(code, 1);
    assert!(text.contains("move notes.txt out of"), "{text}");

    // A regular file where the bundle should be: the error `build` gives, exit 2.
    let file = dir.path().join("afile");
    fs::write(&file, b"x").unwrap();
    let (code, text) = run(&["build", "--check", EXAMPLE], &file);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("error[output-path]"), "{text}");
}

/// `--out .` (or `..`) cannot be replaced by a rename: a clear refusal, nothing written.
#[test]
fn current_folder_is_refused_as_out() {
    let dir = tempfile::tempdir().unwrap();
    for out in [".", ".."] {
        let o = Command::cargo_bin("policyc")
            .unwrap()
            .current_dir(dir.path())
            .args(["build"])
            .arg(std::env::current_dir().unwrap().join(EXAMPLE))
            .args(["--out", out])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{out}: {err}");
        assert!(err.contains("error[output-path]"), "{out}: {err}");
        assert!(err.contains("not a folder name"), "{out}: {err}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}
