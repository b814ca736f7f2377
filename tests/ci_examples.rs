//! The CI examples in examples/ci/ run real policyc commands: each hook and each
//! workflow step that calls policyc is run here against a repository laid out as
//! the examples assume (policy/spec.yaml, policy/bundle/).

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_policyc"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A temp repo with the NHS example as policy/spec.yaml and its built bundle.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policy")).unwrap();
    std::fs::copy(
        "examples/nhs-credential-management.yaml",
        dir.path().join("policy/spec.yaml"),
    )
    .unwrap();
    let st = Command::new(env!("CARGO_BIN_EXE_policyc"))
        .args(["build", "policy/spec.yaml", "--out", "policy/bundle"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    dir
}

fn sh(dir: &Path, script: &str, env: &[(&str, &str)]) -> (i32, String) {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn pre_commit_hooks_run() {
    let cfg: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string("examples/ci/pre-commit-config.yaml").unwrap(),
    )
    .unwrap();
    let hooks = cfg["repos"][0]["hooks"].as_sequence().unwrap();
    assert_eq!(hooks.len(), 3);
    let dir = repo();
    for h in hooks {
        let entry = h["entry"].as_str().unwrap();
        let (code, out) = sh(dir.path(), entry, &[]);
        assert_eq!(code, 0, "hook {} failed: {out}", h["id"].as_str().unwrap());
    }
    // The bundle hook fails once the spec changes without a rebuild.
    let spec = dir.path().join("policy/spec.yaml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("manage-care-identities", "preprod.manage-care-identities");
    std::fs::write(&spec, text).unwrap();
    let entry = hooks[1]["entry"].as_str().unwrap();
    let (code, out) = sh(dir.path(), entry, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("stale:"), "{out}");
}

#[test]
fn workflow_policyc_steps_run() {
    let wf: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string("examples/ci/github-actions.yml").unwrap())
            .unwrap();
    let steps = wf["jobs"]["policy"]["steps"].as_sequence().unwrap();
    let dir = repo();
    let env = [("SPEC", "policy/spec.yaml"), ("BUNDLE", "policy/bundle")];
    let mut ran = 0;
    for s in steps {
        let Some(run) = s["run"].as_str() else {
            continue;
        };
        // Installing and git history are the CI machine's part.
        if run.contains("cargo install") || run.contains("git show") {
            continue;
        }
        assert!(run.contains("policyc"), "{run}");
        let (code, out) = sh(dir.path(), run, &env);
        assert_eq!(code, 0, "step `{run}` failed: {out}");
        ran += 1;
    }
    assert_eq!(ran, 3, "check (github), check (sarif), build --check");
    let (_, sarif) = sh(dir.path(), "cat policyc.sarif", &[]);
    assert!(sarif.contains("\"version\": \"2.1.0\""));
}
