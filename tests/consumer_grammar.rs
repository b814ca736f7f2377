//! Issue 16's cases, as a new admin would write them: each gives its code, `file:line:col`,
//! the spec path and a fix, and exits 1; the acknowledged or corrected forms pass.

use assert_cmd::Command;

const HEAD: &str = "policyc: 1\nbundle: {name: t, display_name: T, version: '1', publisher: P}\nproducts: [chrome, edge]\nsettings:\n";

fn check(body: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, format!("{HEAD}{body}")).unwrap();
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "spec.yaml"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// (spec body, code, `line:col (path)`, text the message must hold, text the hint must hold)
const CASES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "  - id: intranet-zone-sites\n    value: {\"*.com\": trusted}\n",
        "invalid-zone-site",
        "spec.yaml:6:13 (settings[0].value.*.com)",
        "event 1085",
        "*.example-trust.nhs.uk",
    ),
    (
        "  - id: lna-allowed-origins\n    value: [http://localhost:8182]\n",
        "lna-loopback-origin",
        "spec.yaml:6:13 (settings[0].value[0])",
        "origin of the page that makes the request",
        "not the local service itself",
    ),
    (
        "  - id: auth-server-allowlist\n    value: [\"[*.]example-trust.nhs.uk\"]\n",
        "invalid-origin",
        "spec.yaml:6:13 (settings[0].value[0])",
        "content-settings syntax",
        "`*.example-trust.nhs.uk`",
    ),
    (
        "  - id: lna-allowed-origins\n    value: [\"https://[*.]nhs.uk\"]\n",
        "public-suffix-wildcard",
        "spec.yaml:6:13 (settings[0].value[0])",
        "public suffix `nhs.uk`",
        "acknowledge: [public-suffix-wildcard]",
    ),
    (
        "  - id: auth-server-allowlist\n    value: [http://localhost]\n",
        "auth-allowlist-loopback-only",
        "spec.yaml:6:12 (settings[0].value)",
        "lists only loopback",
        "acknowledge: [auth-allowlist-loopback-only]",
    ),
    (
        "  - id: intranet-zone-sites\n    value: {\"*.nhs.uk\": intranet}\n",
        "public-suffix-wildcard",
        "spec.yaml:6:13 (settings[0].value.*.nhs.uk)",
        "public suffix `nhs.uk`",
        "acknowledge: [public-suffix-wildcard]",
    ),
    (
        "  - id: cookies-allowed-for-urls\n    value: [\"[*.]co.uk\"]\n",
        "public-suffix-wildcard",
        "spec.yaml:6:13 (settings[0].value[0])",
        "public suffix `co.uk`",
        "acknowledge: [public-suffix-wildcard]",
    ),
    (
        "  - id: auth-server-allowlist\n    value: [http://localhost, \"*.nhs.uk\"]\n",
        "public-suffix-wildcard",
        "spec.yaml:6:31 (settings[0].value[1])",
        "public suffix `nhs.uk`",
        "acknowledge: [public-suffix-wildcard]",
    ),
];

#[test]
fn each_issue_case_is_an_error_with_position_path_and_fix() {
    for (body, code, location, message, hint) in CASES {
        let (status, _, stderr) = check(body);
        assert_eq!(status, 1, "{body}: exit code; stderr:\n{stderr}");
        assert!(
            stderr.contains(&format!("error[{code}]")),
            "{body}: code {code} missing in\n{stderr}"
        );
        assert!(
            stderr.contains(&format!("--> {location}")),
            "{body}: location {location} missing in\n{stderr}"
        );
        assert!(stderr.contains(message), "{body}: `{message}` in\n{stderr}");
        assert!(
            stderr.contains("= hint: ") && stderr.contains(hint),
            "{body}: hint `{hint}` in\n{stderr}"
        );
    }
}

#[test]
fn every_new_code_has_an_explain_entry() {
    for code in [
        "public-suffix-wildcard",
        "lna-loopback-origin",
        "auth-allowlist-loopback-only",
    ] {
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .args(["explain", code])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(code), "{text}");
        assert!(text.to_lowercase().contains("fix"), "{code}: {text}");
    }
}

#[test]
fn corrected_or_acknowledged_forms_pass() {
    for body in [
        // The Trust's own servers next to localhost.
        "  - id: auth-server-allowlist\n    value: [http://localhost, \"*.example-trust.nhs.uk\", \"[::1]\"]\n",
        "  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n",
        "  - id: lna-allowed-origins\n    value: [\"https://[*.]nhs.uk\"]\n    acknowledge: [public-suffix-wildcard]\n",
        "  - id: lna-allowed-origins\n    value: [\"https://[*.]example-trust.nhs.uk\"]\n",
        "  - id: intranet-zone-sites\n    value: {\"*.example-trust.nhs.uk\": intranet, \"192.168.0.1-50\": intranet}\n",
        "  - id: intranet-zone-sites\n    value: {\"*.nhs.uk\": intranet}\n    acknowledge: [public-suffix-wildcard]\n",
    ] {
        let (status, stdout, stderr) = check(body);
        assert_eq!(status, 0, "{body}\n{stderr}");
        assert!(stdout.contains("0 warnings"), "{body}\n{stdout}{stderr}");
    }
}

/// Valid entries of every grammar pass `check` (one spec, exit 0, no warning).
#[test]
fn valid_entries_of_every_grammar_pass() {
    let body = r#"  - id: lna-allowed-origins
    value:
      - https://manage-care-identities.care-identity-service2.nhs.uk
      - "https://[*.]example-trust.nhs.uk"
      - https://portal.example-trust.nhs.uk:8443
      - "https://192.168.10.20"
      - "https://[2001:db8::1]:443"
  - id: cookies-allowed-for-urls
    value:
      - http://localhost
      - "https://[*.]example-trust.nhs.uk,https://portal.example-trust.nhs.uk"
      - "http://localhost:*"
  - id: auth-server-allowlist
    value:
      - http://localhost
      - "[::1]"
      - "*.example-trust.nhs.uk"
      - ".intranet.example-trust.nhs.uk"
      - "epr.example-trust.nhs.uk:8080"
      - "10.0.0.0/8"
      - "<local>"
      - "https://192.168.1.1"
  - id: intranet-zone-sites
    value:
      "http://localhost": intranet
      "*.example-trust.nhs.uk": intranet
      "https://portal.example-trust.nhs.uk": trusted
      "192.168.0.1-50": intranet
      "10.1.2.*": intranet
      "intranet": intranet
"#;
    let (status, stdout, stderr) = check(body);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("0 warnings"), "{stdout}{stderr}");
}
