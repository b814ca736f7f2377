//! Intune Settings Catalog profiles (`intune/settings-catalog/<scope>.json`), checked
//! against Intune's own setting definitions:
//!
//! - the snapshot policyc ships (`products/intune/settings-catalog.yaml`) is, field by
//!   field, what the real Graph dump holds (`../shared/intune-settings-catalog/`, a
//!   `GET /beta/deviceManagement/configurationSettings` export), and the lookups find the
//!   same root definitions in the whole dump as in the snapshot;
//! - the NHS example's profile sets the issue's settings with ids, option ids and instance
//!   types of the definitions; Chrome `LoopbackNetworkAllowedForUrls` (no definition) goes
//!   by the custom profile, and `check` says so;
//! - a definitions file gives the same profile, several definitions of one policy resolve
//!   to the one that takes the value, and a value none takes is an error;
//! - the command line and spec options, and their errors.
//!
//! The Graph beta models parse the profiles in `tests/interop_graph.rs`.

mod common;

use assert_cmd::Command;
use common::settings_catalog::{check_definitions, definitions, snapshot};
use policyc::catalog::Catalog;
use policyc::intune::route::RouteKind;
use policyc::intune::settings_catalog::{self as sc, Delivery, Routes};
use policyc::reg::Hive;
use serde_json::{json, Value as Json};
use std::path::Path;

const EXAMPLE: &str = "examples/nhs-credential-management.yaml";

fn example_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap()
}

/// The dump (beside the repository, where CI lays a copy of `shared/`), or [`common::skip`]:
/// a failure when interop is required, as for every other real consumer's file.
fn dump() -> Option<std::path::PathBuf> {
    common::require_shared(
        "POLICYC_INTUNE_DEFINITIONS",
        common::settings_catalog::DUMP,
        "",
    )
}

/// Compiles spec text with options; panics with the diagnostics when it fails.
fn compile_with(text: &str, opts: &policyc::CompileOptions) -> policyc::Outcome {
    let catalog = Catalog::builtin().unwrap();
    policyc::compile_with("spec.yaml", text.as_bytes(), catalog, opts, |_| ()).0
}

fn sc_profile(plan: &policyc::plan::Plan) -> Json {
    let files: std::collections::BTreeMap<String, Vec<u8>> =
        policyc::bundle_files(plan).unwrap().into_iter().collect();
    serde_json::from_slice(&files["intune/settings-catalog/device.json"]).unwrap()
}

#[test]
fn snapshot_is_what_intunes_definitions_hold() {
    let Some(path) = dump() else { return };
    let full: Json = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let by_id: std::collections::BTreeMap<&str, &Json> = full["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d))
        .collect();
    let snap = snapshot();
    assert!(snap.by_id.len() > 40, "{}", snap.by_id.len());
    for (id, mine) in &snap.by_id {
        let real = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{id} is not in the dump"));
        // Every field the snapshot keeps equals the dump's; options and the value
        // definition field by field.
        for (k, v) in mine.as_object().unwrap() {
            match k.as_str() {
                "options" => {
                    let a = v.as_array().unwrap();
                    let b = real["options"].as_array().unwrap();
                    assert_eq!(a.len(), b.len(), "{id}: options");
                    for (x, y) in a.iter().zip(b) {
                        assert_eq!(x["itemId"], y["itemId"], "{id}");
                        assert_eq!(x["optionValue"]["value"], y["optionValue"]["value"], "{id}");
                        let ids = |o: &Json| -> Vec<Json> {
                            o["dependedOnBy"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|d| d["dependedOnBy"].clone())
                                .collect()
                        };
                        assert_eq!(ids(x), ids(y), "{id}: dependedOnBy");
                    }
                }
                "valueDefinition" => {
                    for (vk, vv) in v.as_object().unwrap() {
                        assert_eq!(vv, &real[k][vk], "{id}: valueDefinition.{vk}");
                    }
                }
                _ => assert_eq!(v, &real[k.as_str()], "{id}: {k}"),
            }
        }
    }
    // The lookups find the same roots in the whole dump as in the snapshot, and every
    // child of those roots is in the snapshot.
    let dump_defs =
        sc::Definitions::from_graph_json("dump", &std::fs::read(&path).unwrap()).unwrap();
    let (lookups, snap_defs) = sc::builtin().unwrap();
    for l in lookups {
        let roots = |d: &sc::Definitions| -> Vec<String> {
            d.iter()
                .filter(|x| l.matches(x))
                .map(|x| x.id.clone())
                .collect()
        };
        let in_dump = roots(&dump_defs);
        assert_eq!(
            in_dump,
            roots(snap_defs),
            "{} {} {}",
            l.setting,
            l.location,
            l.product
        );
        for r in &in_dump {
            let mut todo = vec![dump_defs.get(r).unwrap()];
            while let Some(d) = todo.pop() {
                assert!(
                    snap_defs.get(&d.id).is_some(),
                    "{} is not in the snapshot",
                    d.id
                );
                todo.extend(dump_defs.children_of(d, None));
            }
        }
        // Every policy has a device and a user definition, except Chrome's loopback list.
        let want = if l.product == "chrome" && l.location == "LoopbackNetworkAllowedForUrls" {
            0
        } else {
            2
        };
        assert_eq!(in_dump.len(), want, "{} {}", l.location, l.product);
    }
}

/// Every lookup of the snapshot names a catalog location that exists, in its Group Policy
/// form, whose name is the ADMX policy name Intune keeps as the definition's `name`.
#[test]
fn snapshot_lookups_name_catalog_locations() {
    let catalog = Catalog::builtin().unwrap();
    let (lookups, defs) = sc::builtin().unwrap();
    assert_eq!(lookups.len(), 13);
    for l in lookups {
        let (_, loc) = catalog
            .location(&l.setting, &l.location, &l.product)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(
            loc.form,
            Some(policyc::catalog::Form::Preference),
            "{}",
            l.location
        );
        assert_eq!(l.policy, loc.name, "{}", l.location);
        // Its roots in the snapshot, per scope.
        for scope in ["device", "user"] {
            let n = defs
                .roots_named(scope, &l.policy)
                .filter(|d| l.matches(d))
                .count();
            let want = usize::from(
                !(l.product == "chrome" && l.location == "LoopbackNetworkAllowedForUrls"),
            );
            assert_eq!(n, want, "{} {} {scope}", l.location, l.product);
        }
    }
}

/// The issue's list: what the NHS example's Settings Catalog policy sets, with which
/// definitions, and the route of what it leaves out.
#[test]
fn nhs_profile_sets_the_settings_intune_defines() {
    let plan = common::plan_of(EXAMPLE);
    let j = sc_profile(&plan);
    check_definitions(&j, definitions(), Hive::Hklm).unwrap();
    let root = "device_vendor_msft_policy_config_";
    let want = [
        ("internetexplorer_autodetectintranet", 0),
        ("internetexplorer_includealllocalsites", 0),
        ("internetexplorer_includeallproxybypasssites", 0),
        ("internetexplorer_includeallnetworkpaths", 0),
        ("internetexplorer_allowsitetozoneassignmentlist", 1),
        ("chromeintunev141~policy~googlechrome~localnetworkaccesssettings_localnetworkaccessallowedforurls", 1),
        ("microsoft_edgev140~policy~microsoft_edge~network_localnetworkaccessallowedforurls", 1),
        ("microsoft_edgev146~policy~microsoft_edge~network_loopbacknetworkallowedforurls", 1),
        ("chromeintunev1~policy~googlechrome~httpauthentication_authserverallowlist", 1),
        ("microsoft_edge~policy~microsoft_edge~httpauthentication_authserverallowlist", 1),
        ("chromeintunev1~policy~googlechrome~contentsettings_cookiesallowedforurls", 1),
        ("microsoft_edge~policy~microsoft_edge~contentsettings_cookiesallowedforurls", 1),
    ];
    let got: Vec<(String, usize)> = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let i = &s["settingInstance"];
            (
                i["settingDefinitionId"].as_str().unwrap().to_string(),
                i["choiceSettingValue"]["children"]
                    .as_array()
                    .unwrap()
                    .len(),
            )
        })
        .collect();
    let want: Vec<(String, usize)> = want
        .iter()
        .map(|(i, n)| (format!("{root}{i}"), *n))
        .collect();
    assert_eq!(got, want);
    // The Site to Zone Assignment List: a group collection of key/value string pairs.
    let zone = &j["settings"][4]["settingInstance"]["choiceSettingValue"]["children"][0];
    assert_eq!(
        zone["@odata.type"],
        "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance"
    );
    let pair: Vec<(&str, &str)> = zone["groupSettingCollectionValue"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["settingDefinitionId"]
                    .as_str()
                    .unwrap()
                    .rsplit('_')
                    .next()
                    .unwrap(),
                c["simpleSettingValue"]["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(pair, [("key", "http://localhost"), ("value", "1")]);

    // One route per value: the route function says where each value goes.
    let catalog = Catalog::builtin().unwrap();
    let routes = Routes::new(&plan, catalog).unwrap();
    let route_of = |product: &str, location: &str| -> Vec<Delivery> {
        let mut v: Vec<Delivery> = plan
            .ops
            .iter()
            .filter(|o| o.provenance.product == product && o.provenance.location == location)
            .map(|o| routes.of(o))
            .collect();
        v.dedup();
        v
    };
    assert_eq!(
        route_of("chrome", "LoopbackNetworkAllowedForUrls"),
        [Delivery::CustomProfile(RouteKind::VendorAdmx)]
    );
    assert!(matches!(
        route_of("edge", "LoopbackNetworkAllowedForUrls").as_slice(),
        [Delivery::SettingsCatalog { definition_id }] if definition_id.contains("microsoft_edgev146~")
    ));
    assert_eq!(
        route_of("oberthur", "EnableNHSEnrollment"),
        [Delivery::Remediation]
    );
    assert_eq!(
        route_of("windows", "ZoneMap\\Domains"),
        [Delivery::Remediation]
    );
    let op = plan
        .ops
        .iter()
        .find(|o| o.provenance.location == "IZ_Zonemaps")
        .unwrap();
    assert_eq!(
        sc::delivery(&plan, catalog, op).unwrap(),
        Delivery::SettingsCatalog {
            definition_id: format!("{root}internetexplorer_allowsitetozoneassignmentlist")
        }
    );

    // `check` names the route of each.
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["check", "--format", "json", EXAMPLE])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Json = serde_json::from_slice(&out.stdout).unwrap();
    let notes = |code: &str| -> Vec<String> {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    let custom = notes("intune-custom-profile");
    assert!(
        custom
            .iter()
            .any(|m| m.contains("chrome: LoopbackNetworkAllowedForUrls")
                && m.contains("intune/device.json")
                && m.contains("no Settings Catalog definition")),
        "{custom:#?}"
    );
    let in_sc = notes("intune-settings-catalog");
    assert_eq!(in_sc.len(), 12, "{in_sc:#?}");
    assert!(in_sc
        .iter()
        .any(|m| m.contains("edge: LocalNetworkAccessAllowedForUrls")
            && m.contains("intune/settings-catalog/device.json")
            && m.contains("microsoft_edgev140~")));
    let remediation = notes("intune-no-route");
    assert_eq!(remediation.len(), 3, "{remediation:#?}");
}

#[test]
fn a_definitions_file_gives_the_same_profile() {
    let Some(path) = dump() else { return };
    let text = example_text();
    let builtin = compile_with(&text, &Default::default()).plan.unwrap();
    let opts = policyc::CompileOptions {
        intune_definitions: Some(path.clone()),
        ..Default::default()
    };
    let o = compile_with(&text, &opts);
    let plan = o.plan.unwrap_or_else(|| panic!("{:#?}", o.diagnostics));
    assert_eq!(plan.intune.definitions().unwrap().len(), 5491);
    assert_eq!(sc_profile(&plan), sc_profile(&builtin));
}

/// Edge AuthServerAllowlist's root and text child under Intune app label `app`, with the
/// child's maximum length.
fn auth_defs(app: &str, max_len: u64, display: &str) -> Vec<Json> {
    let root = format!(
        "device_vendor_msft_policy_config_{app}~policy~microsoft_edge~httpauthentication_authserverallowlist"
    );
    let child = format!("{root}_authserverallowlist");
    vec![
        json!({
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingDefinition",
            "id": root, "rootDefinitionId": root, "name": "AuthServerAllowlist",
            "displayName": display, "baseUri": "./Device/Vendor/MSFT/Policy",
            "offsetUri": format!("/Config/{app}~Policy~microsoft_edge~HTTPAuthentication/AuthServerAllowlist"),
            "options": [
                {"itemId": format!("{root}_0"), "optionValue": {"value": 0}, "dependedOnBy": []},
                {"itemId": format!("{root}_1"), "optionValue": {"value": 1}, "dependedOnBy": [{"dependedOnBy": child}]}
            ]
        }),
        json!({
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingDefinition",
            "id": child, "rootDefinitionId": root, "name": "AuthServerAllowlist",
            "baseUri": "./Device/Vendor/MSFT/Policy",
            "offsetUri": format!("/Config/{app}~Policy~microsoft_edge~HTTPAuthentication/AuthServerAllowlist"),
            "valueDefinition": {
                "@odata.type": "#microsoft.graph.deviceManagementConfigurationStringSettingValueDefinition",
                "maximumLength": max_len, "minimumLength": 0
            }
        }),
    ]
}

const EDGE_AUTH: &str = "policyc: 1\nbundle: {name: t, display_name: T, version: '1.0.0', publisher: P}\nproducts: [edge]\nsettings:\n  - id: auth-server-allowlist\n    value: [http://localhost, https://login.example.nhs.uk]\n";

fn with_defs(spec: &str, defs: Vec<Json>) -> (policyc::Outcome, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("defs.json");
    std::fs::write(&f, serde_json::to_vec(&json!({"value": defs})).unwrap()).unwrap();
    let o = compile_with(
        spec,
        &policyc::CompileOptions {
            intune_definitions: Some(f),
            ..Default::default()
        },
    );
    (o, dir)
}

fn root_ids(plan: &policyc::plan::Plan) -> Vec<String> {
    sc_profile(plan)["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["settingInstance"]["settingDefinitionId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn the_definition_that_takes_the_value_is_chosen() {
    // `microsoft_edge` takes 10 characters, `microsoft_edgev80diff` a million: the value
    // (45 characters) fits only the second.
    let defs = [
        auth_defs(
            "microsoft_edge",
            10,
            "Configure list of allowed authentication servers",
        ),
        auth_defs(
            "microsoft_edgev80diff",
            1_000_000,
            "Configure list of allowed authentication servers",
        ),
    ]
    .concat();
    let (o, _d) = with_defs(EDGE_AUTH, defs);
    let plan = o.plan.unwrap_or_else(|| panic!("{:#?}", o.diagnostics));
    assert_eq!(
        root_ids(&plan),
        ["device_vendor_msft_policy_config_microsoft_edgev80diff~policy~microsoft_edge~httpauthentication_authserverallowlist"]
    );
    // Both take it: the one not marked obsolete.
    let defs = [
        auth_defs(
            "microsoft_edge",
            1_000_000,
            "Configure list of allowed authentication servers (obsolete)",
        ),
        auth_defs(
            "microsoft_edgev80diff",
            1_000_000,
            "Configure list of allowed authentication servers",
        ),
    ]
    .concat();
    let (o, _d) = with_defs(EDGE_AUTH, defs);
    assert!(root_ids(&o.plan.unwrap())[0].contains("microsoft_edgev80diff~"));
    // Neither takes it: an error naming each definition, with the spec path.
    let defs = [
        auth_defs("microsoft_edge", 10, "a"),
        auth_defs("microsoft_edgev80diff", 20, "b"),
    ]
    .concat();
    let (o, _d) = with_defs(EDGE_AUTH, defs.clone());
    assert!(o.plan.is_none());
    let e: Vec<_> = o
        .diagnostics
        .iter()
        .filter(|d| d.code == "intune-definition-mismatch")
        .collect();
    assert_eq!(e.len(), 1, "{:#?}", o.diagnostics);
    assert!(
        e[0].message.contains("microsoft_edge~") && e[0].message.contains("microsoft_edgev80diff~")
    );
    assert!(e[0].message.contains("at most 10"), "{}", e[0].message);
    assert_eq!(e[0].path.as_deref(), Some("settings[0]"));
    assert!(e[0].line.is_some());
    // `intune_profile: custom` delivers it by the custom profile instead.
    let (o, _d) = with_defs(&format!("{EDGE_AUTH}intune_profile: custom\n"), defs);
    let plan = o.plan.unwrap_or_else(|| panic!("{:#?}", o.diagnostics));
    let files: Vec<String> = policyc::bundle_files(&plan)
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("intune/"))
        .collect();
    assert_eq!(files, ["intune/device.json"]);
}

#[test]
fn a_list_longer_than_intune_takes_is_an_error() {
    let mut spec = String::from("policyc: 1\nbundle: {name: t, display_name: T, version: '1.0.0', publisher: P}\nproducts: [chrome]\nsettings:\n  - id: cookies-allowed-for-urls\n    value:\n");
    for i in 0..1001 {
        spec.push_str(&format!("      - https://s{i}.example.nhs.uk\n"));
    }
    let o = compile_with(&spec, &Default::default());
    assert!(o.plan.is_none());
    let d = o
        .diagnostics
        .iter()
        .find(|d| d.code == "intune-definition-mismatch")
        .unwrap_or_else(|| panic!("{:#?}", o.diagnostics));
    assert!(
        d.message.contains("1001 entries") && d.message.contains("at most 1000"),
        "{}",
        d.message
    );
    let o = compile_with(
        &format!("{spec}intune_profile: custom\n"),
        &Default::default(),
    );
    assert!(o.plan.is_some(), "{:#?}", o.diagnostics);
}

/// The definitions check itself catches each kind of wrong instance (controls for the
/// check `nhs_profile_sets_the_settings_intune_defines` and `tests/interop_graph.rs` use).
#[test]
fn the_definitions_check_catches_wrong_instances() {
    let plan = common::plan_of(EXAMPLE);
    let good = sc_profile(&plan);
    let defs = definitions();
    check_definitions(&good, defs, Hive::Hklm).unwrap();
    let text = serde_json::to_string(&good).unwrap();
    let broken = |from: &str, to: &str| -> Json {
        assert!(text.contains(from), "{from}");
        serde_json::from_str(&text.replacen(from, to, 1)).unwrap()
    };
    let cases = [
        (
            "an option id",
            broken("includealllocalsites_1\"", "includealllocalsites_2\""),
        ),
        (
            "an instance type",
            broken("SimpleSettingCollectionInstance", "SimpleSettingInstance"),
        ),
        (
            "a choice as a simple instance",
            broken("ChoiceSettingInstance", "SimpleSettingInstance"),
        ),
        (
            "an unknown id",
            broken("microsoft_edgev140~", "microsoft_edgev999~"),
        ),
        (
            "a child id",
            broken("iz_zonemapprompt_key\"", "iz_zonemapprompt_name\""),
        ),
        (
            "a value type",
            broken("StringSettingValue", "IntegerSettingValue"),
        ),
    ];
    for (what, j) in cases {
        assert!(
            check_definitions(&j, defs, Hive::Hklm).is_err(),
            "{what}: not caught"
        );
    }
    assert!(
        check_definitions(&good, defs, Hive::Hkcu).is_err(),
        "the wrong scope: not caught"
    );
}

fn cli(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn command_line_and_spec_options() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("specs")).unwrap();
    let defs = auth_defs("microsoft_edgev80diff", 1_000_000, "x");
    std::fs::write(
        d.join("specs/defs.json"),
        serde_json::to_vec(&json!({"value": defs})).unwrap(),
    )
    .unwrap();
    // The spec's `intune_definitions:` is relative to the spec's folder.
    std::fs::write(
        d.join("specs/a.yaml"),
        format!("{EDGE_AUTH}intune_definitions: defs.json\n"),
    )
    .unwrap();
    let (code, err) = cli(d, &["build", "specs/a.yaml", "--out", "b"]);
    assert_eq!(code, 0, "{err}");
    let j: Json = serde_json::from_slice(
        &std::fs::read(d.join("b/intune/settings-catalog/device.json")).unwrap(),
    )
    .unwrap();
    assert!(j.to_string().contains("microsoft_edgev80diff~"));
    let m: Json =
        serde_json::from_slice(&std::fs::read(d.join("b/manifest.json")).unwrap()).unwrap();
    assert!(m["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "intune/settings-catalog/device.json"
            && f["kind"] == "intune-settings-catalog"));
    let (code, err) = cli(d, &["build", "--check", "specs/a.yaml", "--out", "b"]);
    assert_eq!(code, 0, "{err}");
    // --intune-definitions overrides the spec: the built-in snapshot's id differs, so the
    // bundle is stale.
    std::fs::write(
        d.join("plain.json"),
        serde_json::to_vec(&json!({"value": auth_defs("microsoft_edge", 1_000_000, "y")})).unwrap(),
    )
    .unwrap();
    let (code, _) = cli(
        d,
        &[
            "build",
            "--check",
            "specs/a.yaml",
            "--out",
            "b",
            "--intune-definitions",
            "plain.json",
        ],
    );
    assert_eq!(code, 1);
    // A missing or paged file on the command line: exit 2, naming the file.
    let (code, err) = cli(
        d,
        &["check", "specs/a.yaml", "--intune-definitions", "nope.json"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[intune-definitions]: nope.json: cannot read it"),
        "{err}"
    );
    std::fs::write(d.join("page.json"), r#"{"@odata.nextLink": "https://graph.microsoft.com/beta/deviceManagement/configurationSettings?$skiptoken=x", "value": []}"#).unwrap();
    let (code, err) = cli(
        d,
        &["check", "specs/a.yaml", "--intune-definitions", "page.json"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("page.json: holds `@odata.nextLink`"), "{err}");
    std::fs::write(d.join("bad.json"), "{\"value\": [{\"id\": 1}]}").unwrap();
    let (code, err) = cli(
        d,
        &["check", "specs/a.yaml", "--intune-definitions", "bad.json"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.json: line 1, column"), "{err}");
    // A missing file named by the spec: a spec error at its line.
    std::fs::write(
        d.join("specs/b.yaml"),
        format!("{EDGE_AUTH}intune_definitions: gone.json\n"),
    )
    .unwrap();
    let (code, err) = cli(d, &["check", "specs/b.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("specs/gone.json: cannot read it") && err.contains("specs/b.yaml:7:"),
        "{err}"
    );
    // Not a regular file: refused without reading (a spec cannot make policyc read a device).
    std::fs::write(
        d.join("specs/z.yaml"),
        format!("{EDGE_AUTH}intune_definitions: /dev/zero\n"),
    )
    .unwrap();
    let (code, err) = cli(d, &["check", "specs/z.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/dev/zero: is not a regular file"), "{err}");
    // `intune_profile` takes two words.
    std::fs::write(
        d.join("specs/c.yaml"),
        format!("{EDGE_AUTH}intune_profile: catalog\n"),
    )
    .unwrap();
    let (code, err) = cli(d, &["check", "specs/c.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("settings-catalog") && err.contains("custom"),
        "{err}"
    );
}
