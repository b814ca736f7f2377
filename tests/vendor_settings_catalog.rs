//! `policy:` settings (vendor template policies) in the Intune Settings Catalog profile:
//! with Intune's own definitions (`../shared/intune-settings-catalog/`, a real
//! `GET /beta/deviceManagement/configurationSettings` dump) Chrome and Edge policies of
//! every element kind they use (list, enum, decimal, text, Disabled) go to
//! `intune/settings-catalog/<scope>.json`, every id, option id and instance type checked
//! against that dump and the profiles parsed by Microsoft's Graph beta models; the custom
//! profile and the remediation leave them out (one route per value); a policy with no
//! definition keeps its custom OMA-URI route; a value the definitions refuse is an
//! `intune-definition-mismatch` error, and the same value passes with
//! `intune_profile: custom`.

mod common;

use assert_cmd::Command;
use policyc::catalog::Catalog;
use policyc::intune::route::RouteKind;
use policyc::intune::settings_catalog::{Delivery, Routes};
use policyc::reg::Hive;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FIXTURE: &str = "tests/fixtures/vendor-spec/settings-catalog.yaml";

fn store() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_VENDOR_ADMX",
        "vendor-admx/PolicyDefinitions",
        "chrome.admx",
    )
}

fn dump() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_INTUNE_DEFINITIONS",
        common::settings_catalog::DUMP,
        "",
    )
}

fn compile(text: &str, store: &Path, defs: Option<&Path>) -> policyc::Outcome {
    let catalog = Catalog::builtin().unwrap();
    let opts = policyc::CompileOptions {
        templates: Some(store.to_path_buf()),
        intune_definitions: defs.map(Path::to_path_buf),
        ..Default::default()
    };
    policyc::compile_with(FIXTURE, text.as_bytes(), catalog, &opts, |_| ()).0
}

fn fixture() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap()
}

fn files_of(plan: &policyc::plan::Plan) -> BTreeMap<String, Vec<u8>> {
    policyc::bundle_files(plan).unwrap().into_iter().collect()
}

fn json(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Json {
    serde_json::from_slice(
        files
            .get(name)
            .unwrap_or_else(|| panic!("no {name}: {:?}", files.keys())),
    )
    .unwrap()
}

/// The custom profile's OMA-URIs.
fn uris(profile: &Json) -> Vec<String> {
    profile["omaSettings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["omaUri"].as_str().unwrap().to_string())
        .collect()
}

/// (root settingDefinitionId, chosen option) of each instance of a Settings Catalog policy.
fn roots(p: &Json) -> Vec<(String, String)> {
    p["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let i = &s["settingInstance"];
            (
                i["settingDefinitionId"].as_str().unwrap().to_string(),
                i["choiceSettingValue"]["value"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

/// The one child of setting `n`'s choice.
fn child(p: &Json, n: usize) -> &Json {
    let kids = p["settings"][n]["settingInstance"]["choiceSettingValue"]["children"]
        .as_array()
        .unwrap();
    assert_eq!(kids.len(), 1, "{kids:?}");
    &kids[0]
}

const D: &str = "device_vendor_msft_policy_config_";
const U: &str = "user_vendor_msft_policy_config_";

#[test]
fn vendor_policies_go_to_the_settings_catalog_with_intunes_definitions() {
    let (Some(store), Some(dump)) = (store(), dump()) else {
        return;
    };
    let out = compile(&fixture(), &store, Some(&dump));
    let plan = out
        .plan
        .unwrap_or_else(|| panic!("{FIXTURE}: {:#?}", out.diagnostics));
    let files = files_of(&plan);
    let device = json(&files, "intune/settings-catalog/device.json");
    let user = json(&files, "intune/settings-catalog/user.json");

    // Every id, option id and instance type is the dump's (a reader of the definitions
    // only, not policyc's Settings Catalog code).
    let defs = common::settings_catalog::definitions();
    assert_eq!(Path::new(&defs.origin), dump.as_path());
    common::settings_catalog::check_definitions(&device, defs, Hive::Hklm).unwrap();
    common::settings_catalog::check_definitions(&user, defs, Hive::Hkcu).unwrap();

    // Spec order; the app label is Intune's (chromeIntuneV141 for Chrome's LNA policies,
    // microsoft_edgeUpdates.2 for the DownloadRestrictions definition that lists item 4).
    let lna = "chromeintunev141~policy~googlechrome~localnetworkaccesssettings_localnetworkaccessblockedforurls";
    let disk = "chromeintunev1~policy~googlechrome_diskcachesize";
    let home = "chromeintunev1~policy~googlechrome~startup_homepagelocation";
    let block = "microsoft_edge~policy~microsoft_edge_urlblocklist";
    let dl = "microsoft_edgeupdates.2~policy~microsoft_edge_downloadrestrictions";
    let auth = "microsoft_edge~policy~microsoft_edge~httpauthentication_authserverallowlist";
    let want: Vec<(String, String)> = [
        (lna, "1"),
        (disk, "1"),
        (home, "1"),
        (block, "0"),
        (dl, "1"),
        (auth, "1"),
    ]
    .iter()
    .map(|(id, o)| (format!("{D}{id}"), format!("{D}{id}_{o}")))
    .collect();
    assert_eq!(roots(&device), want);
    let cookies = "chromeintunev1~policy~googlechrome~contentsettings_defaultcookiessetting";
    let edge_lna =
        "microsoft_edgev140~policy~microsoft_edge~network_localnetworkaccessallowedforurls";
    let want: Vec<(String, String)> = [(cookies, "1"), (edge_lna, "1")]
        .iter()
        .map(|(id, o)| (format!("{U}{id}"), format!("{U}{id}_{o}")))
        .collect();
    assert_eq!(roots(&user), want);

    // list: a simple collection, one String per entry, no numbering.
    let c = child(&device, 0);
    assert_eq!(
        c["@odata.type"],
        "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance"
    );
    assert_eq!(
        c["settingDefinitionId"],
        format!("{D}{lna}_localnetworkaccessblockedforurlsdesc")
    );
    let entries: Vec<&str> = c["simpleSettingCollectionValue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(entries, ["https://example.org", "https://[*.]example.net"]);
    // decimal: an Integer simple value.
    let c = child(&device, 1);
    assert_eq!(
        c["simpleSettingValue"]["@odata.type"],
        "#microsoft.graph.deviceManagementConfigurationIntegerSettingValue"
    );
    assert_eq!(c["simpleSettingValue"]["value"], 104857600);
    // text: a String simple value.
    let c = child(&device, 2);
    assert_eq!(
        c["simpleSettingValue"]["@odata.type"],
        "#microsoft.graph.deviceManagementConfigurationStringSettingValue"
    );
    assert_eq!(
        c["simpleSettingValue"]["value"],
        "https://intranet.example-trust.nhs.uk"
    );
    // Disabled: no children.
    assert_eq!(
        device["settings"][3]["settingInstance"]["choiceSettingValue"]["children"],
        serde_json::json!([])
    );
    // enum: the child choice `<child>_<item value>`, by item value (4), not index.
    let c = child(&device, 4);
    assert_eq!(
        c["choiceSettingValue"]["value"],
        format!("{D}{dl}_downloadrestrictions_4")
    );
    assert_eq!(
        child(&device, 5)["simpleSettingValue"]["value"],
        "http://localhost,*.example-trust.nhs.uk"
    );
    // enum by its string id (DefaultCookiesSetting_AllowCookies is value 1).
    assert_eq!(
        child(&user, 0)["choiceSettingValue"]["value"],
        format!("{U}{cookies}_defaultcookiessetting_1")
    );

    // One route per value: the custom profile keeps only the policy with no definition
    // (Chrome LoopbackNetworkAllowedForUrls) and the one template it needs ingested;
    // msedge.admx is not ingested (every Edge policy went to the Settings Catalog).
    assert_eq!(
        uris(&json(&files, "intune/device.json")),
        [
            "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/Chrome/Policy/ChromeAdmx",
            "./Device/Vendor/MSFT/Policy/Config/Chrome~Policy~googlechrome~LocalNetworkAccessSettings/LoopbackNetworkAllowedForUrls",
        ]
    );
    assert!(!files.contains_key("intune/user.json"));
    let catalog = Catalog::builtin().unwrap();
    let routes = Routes::new(&plan, catalog).unwrap();
    for op in &plan.ops {
        let d = routes.of(op);
        if op.provenance.spec_path == "settings[8]" {
            assert_eq!(d, Delivery::CustomProfile(RouteKind::VendorAdmx));
        } else {
            assert!(
                matches!(d, Delivery::SettingsCatalog { .. }),
                "{}: {d:?}",
                op.provenance.spec_path
            );
        }
    }
    // The remediation carries none of them.
    let carried =
        policyc::powershell::read(&String::from_utf8_lossy(&files["powershell/remediate.ps1"]))
            .unwrap()
            .plan;
    assert!(carried.is_empty(), "{carried:?}");
    // The docs name the route.
    let docs = String::from_utf8_lossy(&files["docs/README.md"]);
    let row = format!("intune/settings-catalog/device.json (setting definition {D}{dl})")
        .replace('_', "\\_")
        .replace('~', "\\~");
    assert!(docs.contains(&row), "{row} not in the docs");

    // `check` says which route delivers each.
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["check", "--format", "json", FIXTURE, "--templates"])
        .arg(&store)
        .arg("--intune-definitions")
        .arg(&dump)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Json = serde_json::from_slice(&out.stdout).unwrap();
    let paths = |code: &str| -> Vec<String> {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| d["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        paths("intune-settings-catalog"),
        (0..8).map(|i| format!("settings[{i}]")).collect::<Vec<_>>()
    );
    assert_eq!(paths("intune-custom-profile"), ["settings[8]"]);
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "intune-custom-profile"
            && d["message"]
                .as_str()
                .unwrap()
                .contains("no Settings Catalog definition")));

    // Microsoft's Graph models read every Intune file.
    if !common::require_python(
        "msgraph_beta.generated.models.device_management_configuration_policy",
        "'msgraph-beta-sdk==1.66.0'",
    ) || !common::require_python(
        "msgraph.generated.models.windows10_custom_configuration",
        "'msgraph-sdk==1.65.0'",
    ) {
        return;
    }
    let intune: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| p.starts_with("intune/"))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect();
    assert_eq!(intune.len(), 3);
    let out = common::run_python_checker(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/graph_check.py"),
        &intune,
    );
    let lines: Vec<Json> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), intune.len());
    for l in &lines {
        assert_eq!(l["errors"], serde_json::json!([]), "{l}");
    }
}

/// `intune_profile: custom` keeps every vendor policy on its custom OMA-URI route and
/// ingests both templates; without a definitions file only the policies the built-in
/// snapshot defines (Edge AuthServerAllowlist and LocalNetworkAccessAllowedForUrls, which
/// the catalog's own settings use) go to the Settings Catalog.
/// Each custom profile's description names what its own scope leaves to the Settings
/// Catalog profiles (with the built-in snapshot the fixture has a custom profile per
/// scope): never a setting of the other scope.
#[test]
fn each_custom_profile_names_its_own_scope() {
    let Some(store) = store() else { return };
    let out = compile(&fixture(), &store, None);
    let plan = out
        .plan
        .unwrap_or_else(|| panic!("{FIXTURE}: {:#?}", out.diagnostics));
    let files = files_of(&plan);
    let mut named = 0;
    for (profile, hive) in [
        ("intune/device.json", Hive::Hklm),
        ("intune/user.json", Hive::Hkcu),
    ] {
        let desc = json(&files, profile)["description"]
            .as_str()
            .unwrap()
            .to_string();
        for v in &plan.vendor {
            let listed = desc.contains(&format!("{} ({})", v.spec_path(), v.id));
            assert!(
                !listed || v.hive == hive,
                "{profile} names {}: {desc}",
                v.spec_path()
            );
            named += usize::from(listed);
        }
    }
    assert!(named >= 2, "both profiles name what they leave out");
}

#[test]
fn the_custom_choice_and_the_builtin_snapshot() {
    let Some(store) = store() else { return };
    let text = format!("{}intune_profile: custom\n", fixture());
    let out = compile(&text, &store, dump().as_deref());
    let plan = out.plan.unwrap_or_else(|| panic!("{:#?}", out.diagnostics));
    let files = files_of(&plan);
    assert!(!files
        .keys()
        .any(|k| k.starts_with("intune/settings-catalog/")));
    let device = uris(&json(&files, "intune/device.json"));
    assert_eq!(device.len(), 2 + 7, "{device:#?}");
    assert!(device[1].ends_with("/ADMXInstall/Edge/Policy/EdgeAdmx"));
    assert_eq!(uris(&json(&files, "intune/user.json")).len(), 2 + 2);

    // The built-in snapshot: only the catalog's own policies' definitions.
    let out = compile(&fixture(), &store, None);
    let plan = out.plan.unwrap_or_else(|| panic!("{:#?}", out.diagnostics));
    let files = files_of(&plan);
    let snapshot = common::settings_catalog::snapshot();
    let device = json(&files, "intune/settings-catalog/device.json");
    let auth = "microsoft_edge~policy~microsoft_edge~httpauthentication_authserverallowlist";
    assert_eq!(
        roots(&device),
        [(format!("{D}{auth}"), format!("{D}{auth}_1"))]
    );
    common::settings_catalog::check_definitions(&device, &snapshot, Hive::Hklm).unwrap();
    let user = json(&files, "intune/settings-catalog/user.json");
    assert_eq!(
        roots(&user),
        [(
            format!("{U}microsoft_edgev140~policy~microsoft_edge~network_localnetworkaccessallowedforurls"),
            format!("{U}microsoft_edgev140~policy~microsoft_edge~network_localnetworkaccessallowedforurls_1"),
        )]
    );
    common::settings_catalog::check_definitions(&user, &snapshot, Hive::Hkcu).unwrap();
    // The user custom profile keeps Chrome DefaultCookiesSetting, not Edge's LNA list.
    let user_custom = uris(&json(&files, "intune/user.json"));
    assert!(user_custom
        .iter()
        .any(|u| u.ends_with("/DefaultCookiesSetting")));
    assert!(
        !user_custom.iter().any(|u| u.contains("Edge")),
        "{user_custom:#?}"
    );
}

fn check(dir: &Path, settings: &str, extra: &str, store: &Path, dump: &Path) -> (i32, String) {
    common::check_settings(
        dir,
        extra,
        settings,
        &[
            "--templates".as_ref(),
            store.as_os_str(),
            "--intune-definitions".as_ref(),
            dump.as_os_str(),
        ],
    )
}

/// Values the ADMX takes but Intune's definitions refuse: an enum item the definition
/// does not list (chrome.admx DefaultSensorsSetting item 3, AskSensors; chromeIntuneV1
/// lists 1 and 2) and a list entry over the definition's maxLength (2048). Each is an
/// `intune-definition-mismatch` error at the setting; the controls pass: an item the
/// definition lists, an entry of 2048 characters, and the refused values with
/// `intune_profile: custom`.
#[test]
fn a_value_the_definition_refuses_is_an_error() {
    let (Some(store), Some(dump)) = (store(), dump()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sensors = |item: &str| {
        format!("  - policy: Google.Policies.Chrome:DefaultSensorsSetting\n    state: enabled\n    value: {item}\n")
    };
    let lna = |n: usize| {
        format!(
            "  - policy: Google.Policies.Chrome:LocalNetworkAccessBlockedForUrls\n    state: enabled\n    value: [\"https://{}.example\"]\n",
            "a".repeat(n - "https://.example".len())
        )
    };
    for (settings, words) in [
        (
            sensors("DefaultSensorsSetting_AskSensors"),
            "the ADMX item value `3` of DefaultSensorsSetting is not among its options (1, 2)",
        ),
        (lna(2049), "is 2049 characters"),
    ] {
        let (rc, text) = check(dir.path(), &settings, "", &store, &dump);
        assert_eq!(rc, 1, "{settings}\n{text}");
        assert!(text.contains("error[intune-definition-mismatch]"), "{text}");
        assert!(
            text.contains("SPEC:5:") && text.contains("(settings[0])"),
            "{text}"
        );
        assert!(text.contains(words), "`{words}` not in {text}");
        assert!(text.contains("intune_profile: custom"), "{text}");
        // The same value by the custom OMA-URI profile.
        let (rc, text) = check(
            dir.path(),
            &settings,
            "intune_profile: custom\n",
            &store,
            &dump,
        );
        assert_eq!(rc, 0, "{text}");
    }
    for settings in [sensors("DefaultSensorsSetting_BlockSensors"), lna(2048)] {
        let (rc, text) = check(dir.path(), &settings, "", &store, &dump);
        assert_eq!(rc, 0, "{settings}\n{text}");
    }
}
