//! `policyc init` and `policyc completions`.

use assert_cmd::Command;

#[test]
fn init_writes_a_valid_commented_spec_and_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("trust.yaml");
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .arg("init")
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&spec).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=./spec-v1.schema.json"));
    assert!(
        text.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
            > 40,
        "not commented"
    );
    assert!(dir.path().join("spec-v1.schema.json").is_file());
    let check = Command::cargo_bin("policyc")
        .unwrap()
        .arg("check")
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Never overwrites.
    let again = Command::cargo_bin("policyc")
        .unwrap()
        .arg("init")
        .arg(&spec)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("verify") && text.contains("build"), "{shell}");
    }
}
