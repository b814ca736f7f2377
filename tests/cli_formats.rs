//! `check --format github|sarif|json`, colour rules, and `explain`.

use assert_cmd::Command;

fn check(path: &str, format: &str) -> (i32, String) {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["check", path, "--format", format])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn github_annotations() {
    let (code, out) = check("tests/fixtures/bad/path-in-origin.yaml", "github");
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "::error file=tests/fixtures/bad/path-in-origin.yaml,line=11,col=9,title=policyc path-in-origin::`https://api.service.nhs.uk/signing-service` has a path; this policy takes origins only, and Chromium ignores the path and grants the whole origin (settings[0].value[0])%0Ahint: use the origin `https://api.service.nhs.uk` (note: it allows every page of that origin)\n"
    );
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    for fixture in [
        "tests/fixtures/bad/non-origin.yaml",
        "tests/fixtures/bad/bad-yaml.yaml",
        "examples/nhs-credential-management.yaml",
    ] {
        let (_, out) = check(fixture, "sarif");
        let log: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:?}");
        assert_eq!(log["version"], "2.1.0");
    }
    let (_, out) = check("tests/fixtures/bad/non-origin.yaml", "sarif");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &log["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "invalid-origin");
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        12
    );
    assert_eq!(
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "settings[0].value[1]"
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "invalid-origin"
    );
    // Validation would catch a broken log: a result without a message is invalid.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn no_colour_when_not_a_terminal_or_no_color_set() {
    for envs in [vec![], vec![("NO_COLOR", "1")]] {
        let mut cmd = Command::cargo_bin("policyc").unwrap();
        cmd.args(["check", "tests/fixtures/bad/non-origin.yaml"]);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(!out.stderr.contains(&0x1b), "escape codes on a pipe");
    }
}

#[test]
fn explain_gives_description_and_fix() {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["explain", "path-in-origin"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("path-in-origin (error): an origin pattern with a path"),
        "{text}"
    );
    assert!(
        text.contains("fix: drop the path and list the origin"),
        "{text}"
    );
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["explain", "path-in-orign"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("did you mean `path-in-origin`?"));
}
