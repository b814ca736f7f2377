//! `policyc diff OLD NEW`: the difference in effect, not in text.

use assert_cmd::Command;

const LIVE: &str = "examples/nhs-credential-management.yaml";
const INT: &str = "examples/nhs-credential-management-int.yaml";

fn diff(a: &str, b: &str, json: bool) -> (i32, String) {
    let mut cmd = Command::cargo_bin("policyc").unwrap();
    cmd.args(["diff", a, b]);
    if json {
        cmd.args(["--format", "json"]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn live_vs_int_names_exactly_the_changed_origins() {
    let (code, out) = diff(LIVE, INT, true);
    assert_eq!(code, 1, "a difference exits 1");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["changed"], true);
    let mut changes: Vec<(String, String, String, String)> = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["change"], "changed");
            assert_eq!(c["setting"], "lna-allowed-origins");
            (
                c["key"]
                    .as_str()
                    .unwrap()
                    .rsplit('\\')
                    .next()
                    .unwrap()
                    .to_string(),
                c["name"].as_str().unwrap().to_string(),
                c["old"]["data"].as_str().unwrap().to_string(),
                c["new"]["data"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    changes.sort();
    changes.dedup();
    let cim = (
        "https://manage-care-identities.care-identity-service2.nhs.uk",
        "https://preprod.manage-care-identities.care-identity-service2.nhs.uk",
    );
    let dss = (
        "https://api.service.nhs.uk",
        "https://int.api.service.nhs.uk",
    );
    let mut want = Vec::new();
    for policy in [
        "LocalNetworkAccessAllowedForUrls",
        "LoopbackNetworkAllowedForUrls",
    ] {
        want.push((
            policy.to_string(),
            "1".to_string(),
            cim.0.to_string(),
            cim.1.to_string(),
        ));
        want.push((
            policy.to_string(),
            "2".to_string(),
            dss.0.to_string(),
            dss.1.to_string(),
        ));
    }
    assert_eq!(changes, want);
    // Chrome and Edge each: 2 policies x 2 origins.
    assert_eq!(v["values"].as_array().unwrap().len(), 8);
    assert!(v["resets"].as_array().unwrap().is_empty());
    let routes: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["route"].as_str().unwrap())
        .collect();
    assert!(
        routes.contains(&"reg") && routes.contains(&"gpo"),
        "{routes:?}"
    );
}

#[test]
fn human_output_shows_old_and_new() {
    let (code, out) = diff(LIVE, INT, false);
    assert_eq!(code, 1);
    assert!(out.contains(r#"~ HKLM\Software\Policies\Google\Chrome\LoopbackNetworkAllowedForUrls "2": "https://api.service.nhs.uk" -> "https://int.api.service.nhs.uk""#), "{out}");
    assert!(out.contains("~ machine.reg [reg]"), "{out}");
}

#[test]
fn same_spec_is_no_change() {
    let (code, out) = diff(LIVE, LIVE, false);
    assert_eq!(code, 0);
    assert!(out.starts_with("no change in effect"), "{out}");
}

#[test]
fn added_and_removed_values_and_resets() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.yaml");
    let text = std::fs::read_to_string(LIVE).unwrap().replace(
        "  - id: cookies-allowed-for-urls       # \"add http://localhost ... Include third-party cookies on this site\"\n    value:\n      - http://localhost\n",
        "",
    );
    std::fs::write(&new, text).unwrap();
    let (code, out) = diff(LIVE, new.to_str().unwrap(), true);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let removed: Vec<&str> = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["removed", "removed"], "{out}");
    assert_eq!(v["resets"].as_array().unwrap().len(), 2, "{out}");
    assert!(v["resets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["change"] == "removed"
            && r["key"]
                .as_str()
                .unwrap()
                .ends_with("CookiesAllowedForUrls")));
}

#[test]
fn a_broken_spec_is_a_usage_error() {
    let (code, _) = diff(LIVE, "tests/fixtures/bad/non-origin.yaml", false);
    assert_eq!(code, 2);
}
