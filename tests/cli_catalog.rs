//! `policyc catalog` and `policyc plan`: listings for people (human) and tools (json).

mod common;

use assert_cmd::Command;

#[test]
fn catalog_json_lists_every_setting_with_sources() {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["catalog", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v.as_array().unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let files = common::yaml_stems("policies");
    assert_eq!(ids.len(), files.len());
    for id in &ids {
        assert!(files.iter().any(|f| f == id), "{id}");
    }
    for e in entries {
        assert!(!e["title"].as_str().unwrap().is_empty());
        assert!(!e["sources"].as_array().unwrap().is_empty(), "{}", e["id"]);
        for l in e["registry"].as_array().unwrap() {
            assert!(
                !l["sources"].as_array().unwrap().is_empty(),
                "{} {}",
                e["id"],
                l["name"]
            );
        }
    }
}

#[test]
fn catalog_human_shows_types_products_sources_and_unconfirmed() {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .arg("catalog")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("oberthur-enable-nhs-enrollment\n  Oberthur PIV minidriver EnableNHSEnrollment (prevents ERR1000)\n  value: a number: 0; scope: user; products: oberthur\n  - EnableNHSEnrollment, oberthur: SOFTWARE\\Oberthur Technologies\\Minidriver\\PIVMinidriver, value EnableNHSEnrollment (REG_DWORD)\n"), "{text}");
    // Each browser's own key, not the catalog's `{policy_key}` template; the spec's
    // words for value types, not Rust's (`StringList`, `Dword`).
    assert!(text.contains("  - AuthServerAllowlist, chrome 86-: Software\\Policies\\Google\\Chrome, value AuthServerAllowlist (REG_SZ, entries joined with \",\")\n"), "{text}");
    assert!(text.contains("  - AuthServerAllowlist, edge 77-: Software\\Policies\\Microsoft\\Edge, value AuthServerAllowlist"), "{text}");
    assert!(
        !text.contains('{') && !text.contains('}'),
        "a template placeholder: {text}"
    );
    assert!(!text.contains("type: "), "{text}");
    let value_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  value: "))
        .collect();
    assert_eq!(
        value_lines.len(),
        common::yaml_stems("policies").len(),
        "{text}"
    );
    for l in value_lines {
        for rust in ["StringList", "Dword", "ZoneMap", "Bool", "String"] {
            assert!(!l.contains(rust), "`{rust}` in {l}");
        }
    }
    assert!(
        text.contains("unconfirmed: The NHS guide is the only public source found"),
        "{text}"
    );
    // The vendor policy behind a curated location, with its category path and element.
    assert!(text.contains("    vendor policy (edge): Microsoft.Policies.Edge:LoopbackNetworkAllowedForUrls (msedge.admx, category microsoft_edge~Network, element LoopbackNetworkAllowedForUrlsDesc; seen in 153.0.4224.0)"), "{text}");
}

#[test]
fn plan_human_lists_each_operation_with_provenance() {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["plan", "examples/nhs-credential-management.yaml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("reset HKLM\\Software\\Policies\\Google\\Chrome\\CookiesAllowedForUrls\n      <- settings[8] (chrome: CookiesAllowedForUrls)"), "{text}");
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["plan", "tests/fixtures/bad/non-origin.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
