//! The JSON Schema (`policyc schema`): the committed copy is current, the
//! examples validate against it, and it rejects what the loader rejects.

use assert_cmd::Command;

fn generated() -> serde_json::Value {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn yaml_to_json(text: &str) -> serde_json::Value {
    serde_yaml::from_str(text).unwrap()
}

#[test]
fn committed_schema_is_current() {
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("schema/spec-v1.schema.json").unwrap())
            .unwrap();
    assert_eq!(
        committed,
        generated(),
        "run `cargo run -- schema > schema/spec-v1.schema.json`"
    );
}

#[test]
fn examples_validate_and_broken_specs_do_not() {
    let schema = generated();
    let v = jsonschema::draft7::new(&schema).unwrap();
    for ex in [
        "examples/nhs-credential-management.yaml",
        "examples/nhs-credential-management-int.yaml",
    ] {
        let text = std::fs::read_to_string(ex).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/spec-v1.schema.json"),
            "{ex}"
        );
        let errors: Vec<String> = v
            .iter_errors(&yaml_to_json(&text))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{ex}: {errors:?}");
    }
    // `policy:` settings validate; a setting with both `id` and `policy`, or a policy
    // without `state`, does not.
    let vendor = yaml_to_json(
        &std::fs::read_to_string("tests/fixtures/vendor-spec/every-kind.yaml").unwrap(),
    );
    let errors: Vec<String> = v.iter_errors(&vendor).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    for setting in [
        serde_json::json!({"id": "auth-server-allowlist", "policy": "A:B", "state": "enabled", "value": ["x"]}),
        serde_json::json!({"policy": "Google.Policies.Chrome:URLAllowlist", "value": ["x"]}),
        serde_json::json!({"policy": "Google.Policies.Chrome:URLAllowlist", "state": "on"}),
    ] {
        let mut spec = vendor.clone();
        spec["settings"] = serde_json::json!([setting]);
        assert!(!v.is_valid(&spec), "{setting} should not validate");
    }
    // A client version as the loader takes it: quoted or not (`3.20` is read as written);
    // a word is refused by both.
    let example = std::fs::read_to_string("examples/nhs-credential-management.yaml").unwrap();
    for (version, valid) in [("3.20", true), ("'3.13'", true), ("latest", false)] {
        let text = example.replace(
            "smartcard-connect: \"3.13\"",
            &format!("smartcard-connect: {version}"),
        );
        assert_ne!(text, example);
        assert_eq!(v.is_valid(&yaml_to_json(&text)), valid, "{version}");
    }
    for bad in [
        "unknown-key",
        "wrong-type",
        "unknown-setting",
        "out-of-range",
        "user-only-scope",
        "missing-key",
    ] {
        let text = std::fs::read_to_string(format!("tests/fixtures/bad/{bad}.yaml")).unwrap();
        assert!(
            !v.is_valid(&yaml_to_json(&text)),
            "{bad} should not validate"
        );
    }
}
