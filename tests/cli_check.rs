//! `policyc check` on broken specs: exit 1, `file:line:col`, the spec path, a
//! stable code and a hint; on good specs exit 0.

mod common;

use assert_cmd::Command;

fn check(path: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["check", path])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// (fixture, code, `file:line:col (path)`, text the message or hint must contain)
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "bad-yaml",
        "yaml-syntax",
        "bad-yaml.yaml:4:17 (bundle.display_name)",
        "a quoted string that starts here is never closed",
    ),
    (
        "unknown-key",
        "unknown-key",
        "unknown-key.yaml:11:5 (settings[0].scop)",
        "did you mean `scope`?",
    ),
    (
        "wrong-type",
        "wrong-type",
        "wrong-type.yaml:9:12 (settings[0].value)",
        "must be true or false, found a string",
    ),
    (
        "non-origin",
        "invalid-origin",
        "non-origin.yaml:12:9 (settings[0].value[1])",
        "`not an origin` is not a valid URL pattern",
    ),
    (
        "bare-wildcard",
        "wildcard-all-sites",
        "bare-wildcard.yaml:12:9 (settings[0].value[1])",
        "acknowledge: [wildcard-all-sites]",
    ),
    (
        "path-in-origin",
        "path-in-origin",
        "path-in-origin.yaml:11:9 (settings[0].value[0])",
        "use the origin `https://api.service.nhs.uk`",
    ),
    (
        "unknown-setting",
        "unknown-setting",
        "unknown-setting.yaml:8:9 (settings[0].id)",
        "did you mean `auth-server-allowlist`?",
    ),
    (
        "insecure-origin",
        "insecure-origin",
        "insecure-origin.yaml:11:9 (settings[0].value[0])",
        "use https://example.nhs.uk",
    ),
    (
        "user-only-scope",
        "scope-not-supported",
        "user-only-scope.yaml:10:12 (settings[0].scope)",
        "use scope: user",
    ),
    (
        "no-products",
        "no-products",
        "no-products.yaml:8:7 (settings[0])",
        "products: [chrome, edge]",
    ),
    (
        "duplicate-setting",
        "duplicate-setting",
        "duplicate-setting.yaml:11:9 (settings[1].id)",
        "already set for scope machine at settings[0]",
    ),
    (
        "separator-in-item",
        "list-separator-in-item",
        "separator-in-item.yaml:11:9 (settings[0].value[0])",
        "contains `,` or `;`",
    ),
    (
        "out-of-range",
        "value-out-of-range",
        "out-of-range.yaml:9:12 (settings[0].value)",
        "accepts 0",
    ),
    (
        "control-character",
        "control-character",
        "control-character.yaml:4:17 (bundle.display_name)",
        "control character",
    ),
    (
        "preference-dotted-host",
        "form-not-supported",
        "preference-dotted-host.yaml:11:7 (settings[0].value.https://x.nhs.uk)",
        "form: policy",
    ),
    (
        "missing-key",
        "missing-key",
        "missing-key.yaml:3:3 (bundle)",
        "missing key `bundle.publisher`",
    ),
    (
        // serde_yaml points at the mapping; the second key is the one to fix.
        "duplicate-key",
        "yaml-syntax",
        "duplicate-key.yaml:8:7 (settings[0].value)",
        "`http://localhost` is given twice in one mapping (first at line 6)",
    ),
    (
        // The tab is before `publisher`: no path of the line above (`bundle.version`).
        "tab-indent",
        "yaml-syntax",
        "tab-indent.yaml:6:1\n",
        "indent with spaces",
    ),
];

#[test]
fn broken_specs_exit_1_with_position_path_and_hint() {
    for (name, code, location, text) in CASES {
        let path = format!("tests/fixtures/bad/{name}.yaml");
        let (status, stdout, stderr) = check(&path);
        assert_eq!(status, 1, "{name}: exit code; stderr:\n{stderr}");
        assert!(stdout.is_empty(), "{name}: nothing on stdout, got {stdout}");
        assert!(
            stderr.contains(&format!("error[{code}]")),
            "{name}: code {code} missing in\n{stderr}"
        );
        assert!(
            stderr.contains(&format!("--> tests/fixtures/bad/{location}")),
            "{name}: location {location} missing in\n{stderr}"
        );
        assert!(
            stderr.contains(text),
            "{name}: `{text}` missing in\n{stderr}"
        );
        // `check` writes nothing, so it counts the errors without saying so.
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(&path) && (l.ends_with(" error") || l.ends_with(" errors"))),
            "{name}: no error count in\n{stderr}"
        );
        assert!(!stderr.contains("nothing was written"), "{name}");
    }
}

#[test]
fn every_bad_fixture_is_covered() {
    let files = common::yaml_stems("tests/fixtures/bad");
    let mut cases: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    cases.sort();
    assert_eq!(files, cases);
}

#[test]
fn examples_are_valid() {
    for ex in [
        "examples/nhs-credential-management.yaml",
        "examples/nhs-credential-management-int.yaml",
    ] {
        let (status, stdout, stderr) = check(ex);
        assert_eq!(status, 0, "{ex}: {stderr}");
        assert!(
            stdout.starts_with(&format!("ok: {ex}: 28 registry operations, 0 warnings")),
            "{stdout}"
        );
    }
}

#[test]
fn acknowledged_wildcard_passes_and_unused_acknowledgement_warns() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("ack.yaml");
    std::fs::write(
        &spec,
        "policyc: 1\nbundle: {name: t, display_name: T, version: '1', publisher: P}\nproducts: [edge]\nsettings:\n  - id: auth-server-allowlist\n    value: ['*']\n    acknowledge: [wildcard-all-sites]\n  - id: cookies-allowed-for-urls\n    value: [http://localhost]\n    acknowledge: [wildcard-all-sites]\n",
    )
    .unwrap();
    let (status, stdout, stderr) = check(spec.to_str().unwrap());
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.contains("warning[unused-acknowledgement]"),
        "{stderr}"
    );
    assert!(stderr.contains("(settings[1].acknowledge[0])"), "{stderr}");
    assert!(stdout.contains("1 warning"), "{stdout}");
}

#[test]
fn json_format_lists_diagnostics() {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args([
            "check",
            "tests/fixtures/bad/non-origin.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "invalid-origin");
    assert_eq!(d["line"], 12);
    assert_eq!(d["column"], 9);
    assert_eq!(d["path"], "settings[0].value[1]");
    assert_eq!(d["file"], "tests/fixtures/bad/non-origin.yaml");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let (status, _, stderr) = check("tests/fixtures/does-not-exist.yaml");
    assert_eq!(status, 2);
    assert!(
        stderr.contains("error[io-error]: cannot read tests/fixtures/does-not-exist.yaml"),
        "{stderr}"
    );
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["chek"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn encodings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let utf16 = dir.path().join("u16.yaml");
    let mut bytes = vec![0xFF, 0xFE];
    for u in "policyc: 1\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).unwrap();
    let (status, _, stderr) = check(utf16.to_str().unwrap());
    assert_eq!(status, 1);
    assert!(
        stderr.contains("error[invalid-encoding]: the spec is UTF-16"),
        "{stderr}"
    );
    let latin1 = dir.path().join("l1.yaml");
    std::fs::write(&latin1, b"policyc: 1\nbundle:\n  name: caf\xe9\n").unwrap();
    let (status, _, stderr) = check(latin1.to_str().unwrap());
    assert_eq!(status, 1);
    assert!(stderr.contains("l1.yaml:3:12"), "{stderr}");
}

/// check's own-bundle lints on catalog settings: a user value the spec's own machine value
/// overrides is a warning at the user setting (not the machine one), with a hint that fits
/// a spec holding both; a value written twice by `form: both` is one warning.
#[test]
fn own_bundle_findings_sit_at_the_overridden_setting_once() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = common::check_settings(
        dir.path(),
        "",
        "  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n  - id: auth-server-allowlist\n    scope: user\n    value: [http://localhost, epr.example.nhs.uk]\n  - id: intranet-auto-detect\n    form: both\n    value: true\n",
        &[],
    );
    assert_eq!(code, 0, "{text}");
    let overridden: Vec<&str> = text
        .split("\n\n")
        .filter(|d| d.contains("warning[user-policy-overridden]"))
        .collect();
    assert_eq!(overridden.len(), 1, "{text}");
    assert!(overridden[0].contains("(settings[1])"), "{text}");
    assert!(
        overridden[0].contains("give the two settings the same value"),
        "{text}"
    );
    assert_eq!(
        text.matches("warning[intranet-auto-detect-on]").count(),
        1,
        "{text}"
    );
}
