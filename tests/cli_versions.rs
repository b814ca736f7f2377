//! Version-gated settings: Smartcard Connect client versions and the oldest
//! browser version select what is written, and the build says what it left out.

use assert_cmd::Command;

const EXAMPLE: &str = "examples/nhs-credential-management.yaml";
const ISSUERS: &str = "CN=NHS Level 1C, OU=CA, O=nhs;CN=NHS Level 1D, OU=CA, O=nhs;CN=NHS Authentication G2, OU=CA, O=nhs, C=GB;CN=NHS Signing G2, OU=CA, O=nhs, C=GB";

/// Runs `policyc plan --format json` on the example with `edit` applied. Notes and
/// warnings go to stderr; errors are reported as JSON on stdout.
fn plan(edit: impl Fn(String) -> String) -> (i32, serde_json::Value, String) {
    run(&["plan", "--format", "json"], edit)
}

fn run(args: &[&str], edit: impl Fn(String) -> String) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, edit(std::fs::read_to_string(EXAMPLE).unwrap())).unwrap();
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(args)
        .arg(&spec)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap(), v, stderr)
}

/// (hive, key, value name, data) of every set operation.
fn sets(plan: &serde_json::Value) -> Vec<(String, String, String, String)> {
    plan["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["op"] == "set")
        .map(|o| {
            let s = |k: &str| {
                o[k].as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| o[k].to_string())
            };
            (
                s("hive"),
                s("key"),
                s("name"),
                o["data"]["data"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn smartcard_connect_3_13_gets_trusted_certificate_issuers() {
    let (code, v, stderr) = plan(|s| s);
    assert_eq!(code, 0, "{stderr}");
    let sets = sets(&v);
    for key in [
        r"SOFTWARE\Policies\NHS\SmartcardConnect",
        r"SOFTWARE\Wow6432Node\NHS\SmartcardConnect",
    ] {
        assert!(
            sets.contains(&(
                "HKEY_LOCAL_MACHINE".into(),
                key.into(),
                "TrustedCertificateIssuers".into(),
                ISSUERS.into()
            )),
            "{key} missing in {sets:?}"
        );
    }
}

#[test]
fn smartcard_connect_4_1_leaves_it_out_and_says_why() {
    let (code, v, stderr) =
        plan(|s| s.replace("smartcard-connect: \"3.13\"", "smartcard-connect: \"4.1\""));
    assert_eq!(code, 0, "{stderr}");
    assert!(!sets(&v).iter().any(|s| s.2 == "TrustedCertificateIssuers"));
    assert!(
        stderr.contains("note[left-out]: left out `smartcard-connect-trusted-certificate-issuers`: it is needed for smartcard-connect versions up to 3.13.5.0 only, and the spec runs 4.1"),
        "{stderr}"
    );
    // 3.13.5.0 is the last version that needs it.
    let (_, v, _) = plan(|s| {
        s.replace(
            "smartcard-connect: \"3.13\"",
            "smartcard-connect: \"3.13.5.0\"",
        )
    });
    assert!(sets(&v).iter().any(|s| s.2 == "TrustedCertificateIssuers"));
    let (_, v, _) = plan(|s| {
        s.replace(
            "smartcard-connect: \"3.13\"",
            "smartcard-connect: \"3.13.5.1\"",
        )
    });
    assert!(!sets(&v).iter().any(|s| s.2 == "TrustedCertificateIssuers"));
}

#[test]
fn no_smartcard_connect_client_leaves_it_out() {
    let (code, v, stderr) = plan(|s| {
        s.replace("  smartcard-connect: \"3.13\"\n", "")
            .replace("clients:\n", "")
    });
    assert_eq!(code, 0, "{stderr}");
    assert!(!sets(&v).iter().any(|s| s.2 == "TrustedCertificateIssuers"));
    assert!(
        stderr.contains("add `smartcard-connect: VERSION` if the endpoints run it"),
        "{stderr}"
    );
}

fn lna_keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = sets(v)
        .into_iter()
        .map(|s| s.1)
        .filter(|k| k.contains("NetworkA"))
        .collect();
    k.dedup();
    k
}

#[test]
fn browsers_from_140_get_both_lna_generations() {
    let (code, v, _) = plan(|s| s);
    assert_eq!(code, 0);
    assert_eq!(
        lna_keys(&v),
        [
            r"Software\Policies\Google\Chrome\LocalNetworkAccessAllowedForUrls",
            r"Software\Policies\Google\Chrome\LoopbackNetworkAllowedForUrls",
            r"Software\Policies\Microsoft\Edge\LocalNetworkAccessAllowedForUrls",
            r"Software\Policies\Microsoft\Edge\LoopbackNetworkAllowedForUrls",
        ]
    );
}

#[test]
fn browsers_from_146_get_only_the_loopback_policy() {
    let (code, v, stderr) =
        plan(|s| s.replace("min_browser_version: 140", "min_browser_version: 146"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        lna_keys(&v),
        [
            r"Software\Policies\Google\Chrome\LoopbackNetworkAllowedForUrls",
            r"Software\Policies\Microsoft\Edge\LoopbackNetworkAllowedForUrls"
        ]
    );
    for p in ["chrome", "edge"] {
        let note = format!("note[left-out]: left out LocalNetworkAccessAllowedForUrls for {p}: LoopbackNetworkAllowedForUrls takes precedence over it for requests to the local device (loopback), the only ones Credential Management needs, from {p} 146, and the spec's oldest browser is 146");
        assert!(stderr.contains(&note), "{stderr}");
    }
    // No resets are left behind for the dropped policy either.
    assert!(!v["ops"].as_array().unwrap().iter().any(|o| o["key"]
        .as_str()
        .unwrap()
        .ends_with("LocalNetworkAccessAllowedForUrls")));
}

#[test]
fn unknown_client_and_impossible_form_are_errors() {
    let (code, _, stderr) = run(&["check"], |s| {
        s.replace("smartcard-connect: \"3.13\"", "smartcard-conect: \"3.13\"")
    });
    assert_eq!(code, 1);
    assert!(
        stderr.contains("error[unknown-client]: unknown client `smartcard-conect`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `smartcard-connect`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("spec.yaml:32:3 (clients.smartcard-conect)"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["check"], |s| {
        s.replace("  - id: smartcard-connect-trusted-certificate-issuers\n    form: both\n", "  - id: smartcard-connect-trusted-certificate-issuers\n    form: policy\n    scope: user\n")
    });
    assert_eq!(code, 1);
    assert!(stderr.contains("error[form-not-supported]: setting `smartcard-connect-trusted-certificate-issuers` has no policy form in scope user"), "{stderr}");
}

#[test]
fn catalog_lists_version_ranges() {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .arg("catalog")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  - LocalNetworkAccessAllowedForUrls, chrome 139-: Software\\Policies\\Google\\Chrome\\LocalNetworkAccessAllowedForUrls, values 1, 2, 3..."), "{text}");
    assert!(text.contains("  - LocalNetworkAccessAllowedForUrls, edge 140-: Software\\Policies\\Microsoft\\Edge\\LocalNetworkAccessAllowedForUrls, values 1, 2, 3..."), "{text}");
    assert!(text.contains("LocalNetworkAccessAllowedForUrls: LoopbackNetworkAllowedForUrls takes precedence over it for requests to the local device (loopback), the only ones Credential Management needs, from chrome 146, edge 146; left out when"), "{text}");
    assert!(text.contains("applies to: smartcard-connect versions up to 3.13.5.0"));
}

#[test]
fn build_output_says_why_a_setting_was_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    let text = std::fs::read_to_string(EXAMPLE)
        .unwrap()
        .replace("smartcard-connect: \"3.13\"", "smartcard-connect: \"4.1\"");
    std::fs::write(&spec, text).unwrap();
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .arg("build")
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("b"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("note[left-out]: left out `smartcard-connect-trusted-certificate-issuers`: it is needed for smartcard-connect versions up to 3.13.5.0 only, and the spec runs 4.1"), "{stderr}");
    // The delivery notes are counted in one line, not listed, without --notes.
    assert!(!stderr.contains("intune-no-route"), "{stderr}");
    assert!(
        stderr.contains("delivery notes (Intune routes, ADMX ingestion)")
            && stderr.contains("; add --notes to list them"),
        "{stderr}"
    );
    let machine = std::fs::read(dir.path().join("b/machine.reg")).unwrap();
    let text = policyc::reg::text::decode(&machine).unwrap();
    assert!(!text.contains("TrustedCertificateIssuers"));
}
