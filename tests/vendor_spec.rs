//! `policy:` settings: any policy of the real central store (`../shared/vendor-admx`), of
//! every ADMX element kind, compiles to the writes the Group Policy engine records for it
//! (checked here against the ADMX text itself, not through policyc's reader), and every
//! bad value exits 1 naming file, line and spec path.

mod common;

use assert_cmd::Command;
use policyc::plan::{Action, Plan};
use policyc::reg::{Hive, RegData};
use std::path::PathBuf;

const FIXTURE: &str = "tests/fixtures/vendor-spec/every-kind.yaml";

fn store_dir() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_VENDOR_ADMX",
        "vendor-admx/PolicyDefinitions",
        "chrome.admx",
    )
}

fn compile(file: &str, bytes: &[u8], store: &std::path::Path) -> policyc::Outcome {
    let catalog = policyc::catalog::Catalog::builtin().unwrap();
    let opts = policyc::CompileOptions {
        templates: Some(store.to_path_buf()),
        ..Default::default()
    };
    policyc::compile_with(file, bytes, catalog, &opts, |_| ()).0
}

fn plan(store: &std::path::Path) -> Plan {
    let out = compile(FIXTURE, &std::fs::read(FIXTURE).unwrap(), store);
    out.plan
        .unwrap_or_else(|| panic!("{FIXTURE} does not compile: {:#?}", out.diagnostics))
}

/// (hive, key, value name or "" for a key reset, data or None for a delete/reset)
type W = (Hive, String, String, Option<RegData>);

fn writes(plan: &Plan) -> Vec<W> {
    plan.ops
        .iter()
        .map(|o| match &o.action {
            Action::ResetKey => (o.hive, o.key.clone(), String::new(), None),
            Action::Delete { name } => (o.hive, o.key.clone(), name.clone(), None),
            Action::Set { name, data } => (o.hive, o.key.clone(), name.clone(), Some(data.clone())),
        })
        .collect()
}

#[test]
fn every_element_kind_writes_what_the_engine_records() {
    let Some(store) = store_dir() else { return };
    let plan = plan(&store);
    let chrome = "Software\\Policies\\Google\\Chrome";
    let trv2 = "SOFTWARE\\Policies\\Microsoft\\Windows\\TenantRestrictions\\Payload";
    let sz = |s: &str| Some(RegData::Sz(s.to_string()));
    // Each expectation is read off the vendor's ADMX text (file: element).
    let want: Vec<W> = vec![
        // chrome.admx DiskCacheSize: <decimal id="DiskCacheSize" valueName="DiskCacheSize"/>
        (
            Hive::Hklm,
            chrome.into(),
            "DiskCacheSize".into(),
            Some(RegData::Dword(104857600)),
        ),
        // chrome.admx HomepageLocation: <text id="HomepageLocation" valueName="HomepageLocation"/>
        (
            Hive::Hklm,
            chrome.into(),
            "HomepageLocation".into(),
            sz("https://intranet.example-trust.nhs.uk"),
        ),
        // chrome.admx: <list id="LocalNetworkAccessBlockedForUrlsDesc" key="...\LocalNetworkAccessBlockedForUrls" valuePrefix=""/>,
        // not additive: **delvals. first, then 1, 2.
        (
            Hive::Hklm,
            format!("{chrome}\\LocalNetworkAccessBlockedForUrls"),
            String::new(),
            None,
        ),
        (
            Hive::Hklm,
            format!("{chrome}\\LocalNetworkAccessBlockedForUrls"),
            "1".into(),
            sz("https://example.org"),
        ),
        (
            Hive::Hklm,
            format!("{chrome}\\LocalNetworkAccessBlockedForUrls"),
            "2".into(),
            sz("https://[*.]example.net"),
        ),
        // msedge.admx URLBlocklist Disabled: its list element's key is cleared (**delvals.).
        (
            Hive::Hklm,
            "Software\\Policies\\Microsoft\\Edge\\URLBlocklist".into(),
            String::new(),
            None,
        ),
        // inetres.admx SecurityPage_AutoDetect: <disabledValue><decimal value="0"/></disabledValue>
        (
            Hive::Hklm,
            "Software\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap"
                .into(),
            "AutoDetect".into(),
            Some(RegData::Dword(0)),
        ),
        // TenantRestrictions.admx trv2_payload: boolean trueValue 1, multiText, two texts.
        (
            Hive::Hklm,
            trv2.into(),
            "enforceFirewall".into(),
            Some(RegData::Dword(1)),
        ),
        (
            Hive::Hklm,
            trv2.into(),
            "hostnames".into(),
            Some(RegData::MultiSz(vec![
                "login.microsoftonline.com".into(),
                "login.microsoft.com".into(),
            ])),
        ),
        (
            Hive::Hklm,
            trv2.into(),
            "policyid".into(),
            sz("00000000-0000-0000-0000-000000000002"),
        ),
        (
            Hive::Hklm,
            trv2.into(),
            "tenantid".into(),
            sz("00000000-0000-0000-0000-000000000001"),
        ),
        // chrome.admx DefaultCookiesSetting, scope user: item DefaultCookiesSetting_AllowCookies <decimal value="1"/>
        (
            Hive::Hkcu,
            chrome.into(),
            "DefaultCookiesSetting".into(),
            Some(RegData::Dword(1)),
        ),
    ];
    assert_eq!(writes(&plan), want);
    // Cross-check a few facts straight from the ADMX text, so the expectations above are
    // the vendor's and not a copy of policyc's reading.
    let admx = |f: &str| std::fs::read_to_string(store.join(f)).unwrap();
    let chrome_admx = admx("chrome.admx");
    assert!(chrome_admx
        .contains(r#"<item displayName="$(string.DefaultCookiesSetting_AllowCookies)">"#));
    assert!(chrome_admx.contains(r#"<list id="LocalNetworkAccessBlockedForUrlsDesc" key="Software\Policies\Google\Chrome\LocalNetworkAccessBlockedForUrls" valuePrefix=""/>"#));
    let trv2_admx = admx("TenantRestrictions.admx");
    assert!(trv2_admx.contains(r#"<multiText id="PayloadHostnamesId" valueName="hostnames" />"#));
}

#[test]
fn a_disabled_policy_deletes_its_element_values() {
    let Some(store) = store_dir() else { return };
    let spec = "policyc: 1\nbundle: {name: v, display_name: V, version: 1.0.0, publisher: P}\nsettings:\n  - policy: Microsoft.Policies.TenantRestrictions:trv2_payload\n    state: disabled\n";
    let out = compile("disabled.yaml", spec.as_bytes(), &store);
    let plan = out.plan.unwrap_or_else(|| panic!("{:#?}", out.diagnostics));
    let trv2 = "SOFTWARE\\Policies\\Microsoft\\Windows\\TenantRestrictions\\Payload";
    let names: Vec<String> = writes(&plan)
        .into_iter()
        .map(|(h, k, n, d)| {
            assert_eq!((h, k.as_str(), d), (Hive::Hklm, trv2, None), "{n}");
            n
        })
        .collect();
    // Every element's value is deleted (**del.); the boolean's falseValue is <delete/> too.
    assert_eq!(
        names,
        [
            "cloudid",
            "enforceFirewall",
            "hostnames",
            "ipRanges",
            "policyid",
            "subdomainSupportedHostnames",
            "tenantid"
        ]
    );
    // Registry.pol spells each as a **del. record, in plan order.
    let pol = policyc::pol::emit::entries(&plan, Hive::Hklm);
    assert!(pol.iter().all(|e| e.value.starts_with("**del.")), "{pol:?}");
}

fn check_err(store: &std::path::Path, settings: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    common::check_settings(
        dir.path(),
        "",
        settings,
        &["--templates".as_ref(), store.as_os_str()],
    )
}

#[test]
fn bad_values_exit_1_with_file_line_and_path() {
    let Some(store) = store_dir() else { return };
    let long = "x".repeat(1024);
    // (settings YAML, code, position, words the message or hint must hold)
    let mut cases: Vec<(String, &str, &str, &str)> = vec![
        (
            "  - policy: Google.Policies.Chrome:DiskCacheSize\n    state: enabled\n    value: \"100\"\n".into(),
            "invalid-element-value",
            "SPEC:7:12",
            "a number, without quotes",
        ),
        (
            "  - policy: Microsoft.Policies.InternetExplorer:MaxSubscription\n    state: enabled\n    value: {MaxSubscriptionSize: 100000000}\n".into(),
            "value-out-of-range",
            "SPEC:7:",
            "outside",
        ),
        (
            "  - policy: Google.Policies.Chrome:DefaultCookiesSetting\n    state: enabled\n    value: DefaultCookiesSetting_AllowCookie\n".into(),
            "invalid-element-value",
            "SPEC:7:12",
            "did you mean `DefaultCookiesSetting_AllowCookies`?",
        ),
        (
            // No maxLength: the schema's default, 1023.
            format!("  - policy: Microsoft.Policies.TenantRestrictions:trv2_payload\n    state: enabled\n    value: {{PayloadTenantId: {long}, PayloadPolicyId: b}}\n"),
            "invalid-element-value",
            "SPEC:7:",
            "at most 1023",
        ),
        (
            "  - policy: Microsoft.Policies.TenantRestrictions:trv2_payload\n    state: enabled\n    value: {PayloadTenantId: a, PayloadPolicyId: b, EnforceFirewal: true}\n".into(),
            "invalid-element-value",
            "SPEC:7:",
            "did you mean `EnforceFirewall`?",
        ),
        (
            "  - policy: Microsoft.Policies.TenantRestrictions:trv2_payload\n    state: enabled\n    value: {PayloadPolicyId: b}\n".into(),
            "invalid-element-value",
            "SPEC:7:",
            "requires element `PayloadTenantId`",
        ),
        (
            "  - policy: Google.Policies.Chrome:URLAllowlst\n    state: enabled\n    value: [https://a.example]\n".into(),
            "unknown-policy",
            "SPEC:5:13",
            "did you mean `Google.Policies.Chrome:URLAllowlist`?",
        ),
        (
            "  - policy: Google.Policies.Chrome:URLAllowlist\n    state: disabled\n    value: [https://a.example]\n".into(),
            "invalid-element-value",
            "SPEC:7:12",
            "takes no value",
        ),
        (
            "  - policy: Google.Policies.Chrome:URLAllowlist\n    value: [https://a.example]\n".into(),
            "missing-key",
            "SPEC:5:",
            "add `state: enabled`",
        ),
        (
            "  - policy: Microsoft.Policies.TenantRestrictions:trv2_payload\n    state: disabled\n    scope: user\n".into(),
            "scope-not-supported",
            "SPEC:7:12",
            "class Machine",
        ),
        (
            "  - policy: Google.Policies.Chrome:URLAllowlist\n    state: enabled\n    value: [https://a.example]\n    products: [chrome]\n".into(),
            "unknown-key",
            "SPEC:8:",
            "does not apply to a vendor policy",
        ),
    ];
    cases.extend([
        (
            // An Enabled list with no entries would write nothing: refused like `value: []`.
            "  - policy: Google.Policies.Chrome:URLBlocklist\n    state: enabled\n".into(),
            "empty-list",
            "SPEC:5:",
            "set `state: disabled` to clear the list",
        ),
        (
            "  - policy: Google.Policies.Chrome:DiskCacheSize\n    state: enabled\n    value: -5\n".into(),
            "value-out-of-range",
            "SPEC:7:12",
            "outside 0..",
        ),
        (
            "  - policy: Google.Policies.Chrome:DiskCacheSize\n    state: enabled\n    value: 60.5\n".into(),
            "invalid-element-value",
            "SPEC:7:12",
            "takes a whole number, not a fraction",
        ),
        (
            // The namespace misspelt: the policy of that name in the closest namespace,
            // not the first namespace that has one (BraveSoftware sorts first).
            "  - policy: Google.Policy.Chrome:URLBlocklist\n    state: disabled\n".into(),
            "unknown-policy",
            "SPEC:5:13",
            "did you mean `Google.Policies.Chrome:URLBlocklist`?",
        ),
        (
            // The bundle's own values meet verify's lints: a URLBlocklist of `*` blocks
            // Credential Management on http://localhost.
            "  - policy: Google.Policies.Chrome:URLBlocklist\n    state: enabled\n    value: [\"*\"]\n".into(),
            "url-blocklist-blocks-localhost",
            "SPEC:",
            "the bundle itself",
        ),
        (
            // The same lint family: Chrome blocks third-party cookies and nothing allows
            // them for http://localhost (near miss below: with cookies-allowed-for-urls).
            "  - policy: Google.Policies.Chrome:BlockThirdPartyCookies\n    state: enabled\n".into(),
            "third-party-cookies-blocked",
            "SPEC:5:",
            "the bundle itself",
        ),
        (
            "  - policy: Google.Policies.Chrome:URLBlocklist\n    state: disabled\n  - policy: Google.Policies.Chrome:URLBlocklist\n    state: disabled\n".into(),
            "duplicate-setting",
            "SPEC:7:13",
            "already set for scope machine at settings[0]",
        ),
        (
            // A catalog setting and a vendor policy writing one value, even the same data.
            "  - id: intranet-auto-detect\n    value: false\n  - policy: Microsoft.Policies.InternetExplorer:SecurityPage_AutoDetect\n    state: disabled\n".into(),
            "conflicting-settings",
            "SPEC:",
            "both write value `AutoDetect`",
        ),
    ]);
    // A vendor AuthServerAllowlist without localhost: the hint names the policy to change.
    let (rc, text) = check_err(
        &store,
        "  - policy: Google.Policies.Chrome:AuthServerAllowlist\n    state: enabled\n    value: \"*.example.nhs.uk\"\n",
    );
    assert_eq!(rc, 1, "{text}");
    assert!(
        text.contains("hint: add http://localhost to AuthServerAllowlist (in `policy: Google.Policies.Chrome:AuthServerAllowlist`)"),
        "{text}"
    );
    for (settings, code, at, words) in &cases {
        let (rc, text) = check_err(&store, settings);
        assert_eq!(rc, 1, "{settings}\n{text}");
        assert!(
            text.contains(&format!("error[{code}]")),
            "{code} not in:\n{text}"
        );
        assert!(text.contains(at), "{at} not in:\n{text}");
        assert!(text.contains(words), "`{words}` not in:\n{text}");
    }
    // The control: the same policy with a valid value passes.
    let (rc, text) = check_err(
        &store,
        "  - policy: Google.Policies.Chrome:DiskCacheSize\n    state: enabled\n    value: 100\n",
    );
    assert_eq!(rc, 0, "{text}");
    let (rc, text) = check_err(
        &store,
        "  - policy: Google.Policies.Chrome:BlockThirdPartyCookies\n    state: enabled\n  - id: cookies-allowed-for-urls\n    value: [http://localhost]\n",
    );
    assert_eq!(rc, 0, "{text}");
}

/// The bundle's own values meet verify's lints at the setting that writes the value: a
/// catalog `AuthServerAllowlist` without `http://localhost` is a warning at that setting
/// whatever vendor policy writes the same key (here Chrome's ShowHomeButton, whose value
/// sits in the same `...\Google\Chrome` key), never an error at the vendor policy; the same
/// spec without the vendor policy gets the same warning, and with localhost none (control).
#[test]
fn a_finding_is_placed_at_the_setting_that_writes_the_value() {
    let Some(store) = store_dir() else { return };
    let auth = |servers: &str| {
        format!("  - id: auth-server-allowlist\n    value: [{servers}]\n  - id: intranet-auto-detect\n    value: true\n")
    };
    let home = "  - policy: Google.Policies.Chrome:ShowHomeButton\n    state: enabled\n";
    for settings in [auth("\"*.rex.nhs.uk\"") + home, auth("\"*.rex.nhs.uk\"")] {
        let (rc, text) = check_err(&store, &settings);
        assert_eq!(rc, 0, "warnings only:\n{text}");
        assert!(!text.contains("error["), "{text}");
        assert!(
            text.contains("warning[auth-allowlist-missing-localhost]: the bundle itself")
                && text.contains("--> SPEC:5:7 (settings[0])"),
            "at the allowlist, settings[0]:\n{text}"
        );
        assert!(
            text.contains("warning[intranet-auto-detect-on]: the bundle itself")
                && text.contains("--> SPEC:7:7 (settings[1])"),
            "at intranet-auto-detect, settings[1]:\n{text}"
        );
        assert!(
            !text.contains("(settings[2])"),
            "not at the vendor policy:\n{text}"
        );
    }
    let (rc, text) = check_err(
        &store,
        &(auth("\"*.rex.nhs.uk\", http://localhost").replace("true", "false") + home),
    );
    assert_eq!(rc, 0, "{text}");
    assert!(!text.contains("the bundle itself"), "{text}");
}

/// A Chrome policy in a spec whose `products:` lists Edge only is written, with a
/// warning at the setting; an Edge policy there (control) and a Chrome policy in a spec
/// that lists no products give none.
#[test]
fn a_browser_the_spec_does_not_list_is_a_warning() {
    let Some(store) = store_dir() else { return };
    let run = |products: &str, policy: &str| {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("s.yaml");
        std::fs::write(
            &spec,
            format!("policyc: 1\nbundle: {{name: v, display_name: V, version: 1.0.0, publisher: P}}\n{products}settings:\n  - policy: {policy}\n    state: enabled\n"),
        )
        .unwrap();
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .arg("check")
            .arg(&spec)
            .arg("--templates")
            .arg(&store)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (rc, text) = run(
        "products: [edge]\n",
        "Google.Policies.Chrome:ShowHomeButton",
    );
    assert_eq!(rc, Some(0), "{text}");
    assert!(
        text.contains("warning[product-not-listed]: `Google.Policies.Chrome:ShowHomeButton` is a policy for chrome, and the spec's `products:` [edge] does not list it; it is written anyway"),
        "{text}"
    );
    assert!(text.contains("s.yaml:5:13 (settings[0].policy)"), "{text}");
    for (products, policy) in [
        (
            "products: [edge]\n",
            "Microsoft.Policies.Edge:ShowHomeButton",
        ),
        ("", "Google.Policies.Chrome:ShowHomeButton"),
    ] {
        let (rc, text) = run(products, policy);
        assert_eq!(rc, Some(0), "{text}");
        assert!(!text.contains("product-not-listed"), "{policy}: {text}");
    }
}

/// A catalog setting and a vendor policy writing the same list: one error for the pair,
/// though they meet in more than one place (the list key's reset and each entry).
#[test]
fn a_conflicting_pair_is_reported_once() {
    let Some(store) = store_dir() else { return };
    let (rc, text) = check_err(
        &store,
        "  - id: cookies-allowed-for-urls\n    value: [http://localhost, https://a.example.nhs.uk]\n  - policy: Google.Policies.Chrome:CookiesAllowedForUrls\n    state: enabled\n    value: [http://localhost, https://b.example.nhs.uk]\n",
    );
    assert_eq!(rc, 1, "{text}");
    assert_eq!(
        text.matches("error[conflicting-settings]").count(),
        1,
        "{text}"
    );
}

/// `s.yaml` in `dir`: one vendor policy (Chrome's URLAllowlist, Disabled) and no `templates:`.
fn disabled_allowlist_spec(dir: &std::path::Path) -> PathBuf {
    let spec = dir.join("s.yaml");
    std::fs::write(
        &spec,
        "policyc: 1\nbundle: {name: v, display_name: V, version: 1.0.0, publisher: P}\nsettings:\n  - policy: Google.Policies.Chrome:URLAllowlist\n    state: disabled\n",
    )
    .unwrap();
    spec
}

#[test]
fn a_policy_without_a_store_says_how_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let spec = disabled_allowlist_spec(dir.path());
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .arg("check")
        .arg(&spec)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[templates-required]"), "{text}");
    assert!(text.contains("s.yaml:4:13"), "{text}");
    assert!(text.contains("--templates"), "{text}");
}

#[test]
fn the_bundle_admx_defines_no_vendor_policy() {
    let Some(store) = store_dir() else { return };
    let plan = plan(&store);
    let files = policyc::bundle_files(&plan).unwrap();
    let admx = files
        .iter()
        .find(|(p, _)| p.ends_with(".admx"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap();
    assert!(!admx.contains("<policy "), "{admx}");
    // The docs say which vendor templates the central store needs.
    let docs = files.iter().find(|(p, _)| p == "docs/README.md").unwrap();
    let docs = String::from_utf8_lossy(&docs.1);
    for f in [
        "chrome.admx",
        "msedge.admx",
        "inetres.admx",
        "TenantRestrictions.admx",
    ] {
        assert!(docs.contains(f), "{f} not in the docs");
    }
}

#[test]
fn intune_carries_vendor_policies_by_their_own_admx_routes() {
    let Some(store) = store_dir() else { return };
    let plan = plan(&store);
    let files = policyc::bundle_files(&plan).unwrap();
    let profile = |name: &str| -> serde_json::Value {
        let (_, b) = files
            .iter()
            .find(|(p, _)| p == name)
            .unwrap_or_else(|| panic!("no {name}"));
        serde_json::from_slice(b).unwrap()
    };
    let settings = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["omaSettings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["omaUri"].as_str().unwrap().to_string(),
                    s["value"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let device = settings(&profile("intune/device.json"));
    let user = settings(&profile("intune/user.json"));
    let uris = |v: &[(String, String)]| v.iter().map(|(u, _)| u.clone()).collect::<Vec<_>>();
    let chrome_ingest =
        "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/Chrome/Policy/ChromeAdmx";
    let edge_ingest =
        "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/Edge/Policy/EdgeAdmx";
    // intune_ingest_templates: true ingests each vendor ADMX first; the Windows templates'
    // policies (inetres, TenantRestrictions) have no OMA-URI and stay with the remediation.
    assert_eq!(
        uris(&device),
        [
            chrome_ingest,
            edge_ingest,
            "./Device/Vendor/MSFT/Policy/Config/Chrome~Policy~googlechrome~LocalNetworkAccessSettings/LocalNetworkAccessBlockedForUrls",
            "./Device/Vendor/MSFT/Policy/Config/Chrome~Policy~googlechrome/DiskCacheSize",
            "./Device/Vendor/MSFT/Policy/Config/Chrome~Policy~googlechrome~Startup/HomepageLocation",
            "./Device/Vendor/MSFT/Policy/Config/Edge~Policy~microsoft_edge/URLBlocklist",
        ]
    );
    assert_eq!(
        uris(&user),
        [
            chrome_ingest,
            "./User/Vendor/MSFT/Policy/Config/Chrome~Policy~googlechrome~ContentSettings/DefaultCookiesSetting",
        ]
    );
    assert_eq!(
        device[0].1.as_bytes(),
        std::fs::read(store.join("chrome.admx")).unwrap()
    );
    assert_eq!(
        device[1].1.as_bytes(),
        std::fs::read(store.join("msedge.admx")).unwrap()
    );
    assert_eq!(
        device[2].1,
        "<enabled/><data id=\"LocalNetworkAccessBlockedForUrlsDesc\" value=\"1&#xF000;https://example.org&#xF000;2&#xF000;https://[*.]example.net\"/>"
    );
    assert_eq!(device[5].1, "<disabled/>");
    assert_eq!(
        user[1].1,
        "<enabled/><data id=\"DefaultCookiesSetting\" value=\"1\"/>"
    );
    // One writer per value: the remediation carries only what no profile delivers.
    let remediate = files
        .iter()
        .find(|(p, _)| p == "powershell/remediate.ps1")
        .unwrap();
    let carried = policyc::powershell::read(&String::from_utf8_lossy(&remediate.1))
        .unwrap()
        .plan;
    let mut settings_carried: Vec<&str> = carried.iter().map(|e| e.setting.as_str()).collect();
    settings_carried.dedup();
    assert_eq!(
        settings_carried,
        [
            "Microsoft.Policies.InternetExplorer:SecurityPage_AutoDetect",
            "Microsoft.Policies.TenantRestrictions:trv2_payload"
        ]
    );
    // Microsoft's Graph models read both profiles.
    if !common::require_python(
        "msgraph.generated.models.windows10_custom_configuration",
        "'msgraph-sdk==1.65.0'",
    ) {
        return;
    }
    let picked: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| p == "intune/device.json" || p == "intune/user.json")
        .cloned()
        .collect();
    let out = common::run_python_checker(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/graph_check.py"),
        &picked,
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l["errors"], serde_json::json!([]), "{l}");
    }
}

#[test]
fn an_unreadable_or_empty_store_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = disabled_allowlist_spec(dir.path());
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (store, words) in [
        (dir.path().join("missing"), "cannot read the central store"),
        (empty, "holds no .admx file"),
    ] {
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .arg("check")
            .arg(&spec)
            .arg("--templates")
            .arg(&store)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            text.contains("error[io-error]") && text.contains(words),
            "{text}"
        );
        assert!(text.contains("relative to the current folder"), "{text}");
    }
}

/// Against a previous bundle that disabled a policy (its `**del.`), the report's before
/// column says the value was deleted, not merely absent.
#[test]
fn a_previous_bundles_deletion_shows_as_deleted() {
    let Some(store) = store_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spec = |name: &str, setting: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!("policyc: 1\nbundle: {{name: v, display_name: V, version: 1.0.0, publisher: P}}\nsettings:\n  - policy: Google.Policies.Chrome:HomepageLocation\n{setting}"),
        )
        .unwrap();
        p
    };
    let build = |spec: &std::path::Path, out: &str, against: Option<&std::path::Path>| {
        let mut c = Command::cargo_bin("policyc").unwrap();
        c.args(["build", "--no-sync"])
            .arg(spec)
            .arg("--templates")
            .arg(&store);
        if let Some(a) = against {
            c.arg("--against").arg(a);
        }
        let o = c.arg("--out").arg(dir.path().join(out)).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    build(&spec("old.yaml", "    state: disabled\n"), "old", None);
    let new = spec(
        "new.yaml",
        "    state: enabled\n    value: https://intranet.example\n",
    );
    build(&new, "new", Some(&dir.path().join("old")));
    let md = std::fs::read_to_string(dir.path().join("new/docs/README.md")).unwrap();
    assert!(
        md.contains("| `https://intranet.example` | Google.Policies.Chrome:HomepageLocation (chrome, settings\\[0\\]) | `deleted` |"),
        "{md}"
    );
    // Control: against the new bundle itself, the before column holds the value.
    build(
        &dir.path().join("new.yaml"),
        "again",
        Some(&dir.path().join("new")),
    );
    let md = std::fs::read_to_string(dir.path().join("again/docs/README.md")).unwrap();
    assert!(md.contains("| `https://intranet.example` |"), "{md}");
    assert!(!md.contains("`deleted` |"), "{md}");
}

/// A vendor policy's text value with every character the formats treat specially reaches
/// each output intact: the `.reg` reader, the Registry.pol reader, the PowerShell data
/// section reader and the Intune payload (XML-unescaped by quick-xml) all give it back, and
/// the HTML report never holds it raw.
#[test]
fn a_hostile_text_value_stays_text_in_every_format() {
    let Some(store) = store_dir() else { return };
    let hostile = r#"a"b'c&d<e>]]>$(Get-Item x)`\y\\z ; "=-"#;
    let spec = format!(
        "policyc: 1\nbundle: {{name: v, display_name: V, version: 1.0.0, publisher: P}}\nsettings:\n  - policy: Google.Policies.Chrome:HomepageLocation\n    state: enabled\n    value: {}\n",
        serde_json::to_string(hostile).unwrap()
    );
    let out = compile("hostile.yaml", spec.as_bytes(), &store);
    let plan = out.plan.unwrap_or_else(|| panic!("{:#?}", out.diagnostics));
    let files = policyc::bundle_files(&plan).unwrap();
    let file = |name: &str| &files.iter().find(|(p, _)| p == name).unwrap().1;
    let want = RegData::Sz(hostile.to_string());
    // .reg
    let reg = policyc::reg::text::read(&policyc::reg::text::decode(file("machine.reg")).unwrap())
        .unwrap();
    let from_reg: Vec<_> = reg
        .blocks
        .iter()
        .filter_map(|b| match b {
            policyc::reg::text::Block::Key { values, .. } => Some(values),
            _ => None,
        })
        .flatten()
        .filter(|v| v.name.as_deref() == Some("HomepageLocation"))
        .map(|v| v.data.clone())
        .collect();
    assert_eq!(from_reg, [Some(want.clone())]);
    // Registry.pol
    let pol = policyc::pol::read(file("pol/Machine/Registry.pol")).unwrap();
    assert_eq!(pol[0].reg_data(), Some(want.clone()));
    // PowerShell
    let ps =
        policyc::powershell::read(&String::from_utf8_lossy(file("powershell/apply.ps1"))).unwrap();
    assert!(
        ps.plan.iter().any(|e| e.action
            == Action::Set {
                name: "HomepageLocation".into(),
                data: want.clone()
            }),
        "{:?}",
        ps.plan
    );
    // Intune payload: `<enabled/><data id="HomepageLocation" value="..."/>`
    let device: serde_json::Value = serde_json::from_slice(file("intune/device.json")).unwrap();
    let payload = device["omaSettings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["omaUri"].as_str().unwrap().ends_with("/HomepageLocation"))
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    let raw = payload
        .strip_prefix("<enabled/><data id=\"HomepageLocation\" value=\"")
        .and_then(|r| r.strip_suffix("\"/>"))
        .unwrap_or_else(|| panic!("{payload}"));
    assert!(!raw.contains('"') && !raw.contains('<'), "{raw}");
    assert_eq!(quick_xml::escape::unescape(raw).unwrap(), hostile);
    // The HTML report holds it escaped only.
    let html = String::from_utf8_lossy(file("docs/report.html"));
    assert!(!html.contains("<e>"), "raw markup in the report");
}

/// inetres.admx IZ_Zonemaps as a `policy:` setting writes the Site to Zone Assignment
/// List's switch, which the catalog marks shared: the rollback keeps it, as it does for
/// the catalog's intranet-zone-sites (the site itself is deleted, the control).
#[test]
fn a_vendor_policy_writing_a_shared_switch_keeps_it_on_rollback() {
    let Some(store) = store_dir() else { return };
    let spec = "policyc: 1\nbundle: {name: z, display_name: Z, version: 1.0.0, publisher: P}\nsettings:\n  - policy: Microsoft.Policies.InternetExplorer:IZ_Zonemaps\n    state: enabled\n    value:\n      \"https://*.rex.nhs.uk\": \"1\"\n";
    let out = compile("z.yaml", spec.as_bytes(), &store);
    let plan = out.plan.unwrap_or_else(|| panic!("{:#?}", out.diagnostics));
    let shared: Vec<&str> = plan
        .ops
        .iter()
        .filter(|o| o.provenance.shared)
        .filter_map(|o| match &o.action {
            Action::Set { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(shared, ["ListBox_Support_ZoneMapKey"]);
    let undo = policyc::reg::emit::undo_file(&plan, Hive::Hklm);
    let text = policyc::reg::text::write(&undo).unwrap();
    assert!(!text.contains("\"ListBox_Support_ZoneMapKey\"=-"), "{text}");
    assert!(text.contains("\"https://*.rex.nhs.uk\"=-"), "{text}");
}
