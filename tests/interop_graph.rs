//! Interop check of the Intune profiles (`intune/*.json`) against Microsoft's own Graph
//! v1.0 models: `msgraph-sdk` (Kiota-generated from Graph's metadata), run by
//! `tests/graph_check.py`. Each profile must parse as `windows10CustomConfiguration`, every
//! omaSetting as a known `omaSetting*` type with a value of its JSON type and no unknown
//! field, and the model must write the file back unchanged. Controls show each kind of
//! break is caught.
//!
//! Then, for the examples, every OMA-URI must resolve: bundle-ADMX paths name the App,
//! category path, policy, class and element ids of the ADMX in the bundle (read with
//! `policyc::admx::reader`), vendor paths and CSP nodes are on the catalog's documented
//! route list with their sources, and each payload carries exactly the plan's values.
//!
//! Python: `$POLICYC_PYTHON`, else `.venv-validators/bin/python` (what `.ci/run` creates),
//! else `python3`; it needs `pip install 'msgraph-sdk==1.65.0'`. Without it the Graph tests
//! print SKIPPED and pass, unless `POLICYC_REQUIRE_INTEROP=1`.

mod common;

use policyc::admx::reader::{self, Admx};
use policyc::catalog::Catalog;
use policyc::intune::route::RouteKind;
use policyc::plan::{Action, Plan};
use policyc::reg::{Hive, RegData};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::Path;

const EXAMPLES: [&str; 2] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
];
const HOSTILE: &str = "tests/fixtures/admx/hostile.yaml";
const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/graph_check.py");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn require_graph() -> bool {
    common::require_python(
        "msgraph.generated.models.windows10_custom_configuration",
        "'msgraph-sdk==1.65.0'",
    ) && common::require_python(
        "msgraph_beta.generated.models.device_management_configuration_policy",
        "'msgraph-beta-sdk==1.66.0'",
    )
}

/// Graph model findings per file, in order.
fn graph_check(files: &[(String, Vec<u8>)]) -> Vec<Vec<String>> {
    let stdout = common::run_python_checker(CHECKER, files);
    let lines: Vec<Json> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), files.len());
    lines
        .iter()
        .map(|l| {
            l["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn compile(path: &str) -> (Plan, BTreeMap<String, Vec<u8>>) {
    let plan = common::plan_of(path);
    let files = policyc::bundle_files(&plan).unwrap();
    (plan, files.into_iter().collect())
}

/// An example with `intune_profile: custom` (every Intune value in the custom profile).
fn compile_custom(path: &str) -> (Plan, BTreeMap<String, Vec<u8>>) {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let plan = common::plan_from(path, format!("{text}\nintune_profile: custom\n").as_bytes());
    let files = policyc::bundle_files(&plan).unwrap();
    (plan, files.into_iter().collect())
}

/// Every Intune file: the custom profiles and the Settings Catalog policies.
fn profiles(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("intune/"))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

/// The custom OMA-URI profiles only (`intune/<scope>.json`).
fn custom_profiles(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    profiles(files)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(SC_DIR))
        .collect()
}

/// The Settings Catalog policies only (`intune/settings-catalog/<scope>.json`).
fn sc_profiles(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    profiles(files)
        .into_iter()
        .filter(|(p, _)| p.starts_with(SC_DIR))
        .collect()
}

const SC_DIR: &str = "intune/settings-catalog/";

#[test]
fn profiles_match_the_graph_model() {
    if !require_graph() {
        return;
    }
    let mut all = Vec::new();
    for ex in EXAMPLES.iter().chain([&HOSTILE]) {
        let (_, files) = compile(ex);
        let ps = profiles(&files);
        assert!(
            !custom_profiles(&files).is_empty(),
            "{ex}: no custom profile"
        );
        assert!(
            !sc_profiles(&files).is_empty(),
            "{ex}: no Settings Catalog policy"
        );
        all.extend(ps.into_iter().map(|(p, b)| (format!("{ex}:{p}"), b)));
        let (_, files) = compile_custom(ex);
        all.extend(
            profiles(&files)
                .into_iter()
                .map(|(p, b)| (format!("{ex} (custom):{p}"), b)),
        );
    }
    for ((name, _), errs) in all.iter().zip(graph_check(&all)) {
        assert!(errs.is_empty(), "{name}: {errs:?}");
    }
    check_sc_definitions(&all);
}

/// Every Settings Catalog policy among `files`: each settingDefinitionId and option id is
/// in Intune's definitions and each instance has its definition's type
/// (`common::settings_catalog::check_definitions`).
fn check_sc_definitions(files: &[(String, Vec<u8>)]) {
    let defs = common::settings_catalog::definitions();
    let mut n = 0;
    for (name, bytes) in files.iter().filter(|(n, _)| n.contains(SC_DIR)) {
        let hive = if name.ends_with("/device.json") {
            Hive::Hklm
        } else {
            assert!(name.ends_with("/user.json"), "{name}");
            Hive::Hkcu
        };
        let j: Json = serde_json::from_slice(bytes).unwrap();
        common::settings_catalog::check_definitions(&j, defs, hive)
            .unwrap_or_else(|e| panic!("{name} against {}: {e}", defs.origin));
        n += 1;
    }
    assert!(n > 0, "no Settings Catalog policy checked");
}

/// Generated specs, as the property tests make them (`tests/common/specs.rs`), give
/// profiles the Graph models accept, with both scopes, every route and hostile text.
#[test]
fn generated_profiles_match_the_graph_model() {
    if !require_graph() {
        return;
    }
    let mut all = Vec::new();
    for (gen, plan) in common::specs::sample_plans(8) {
        let files: BTreeMap<String, Vec<u8>> =
            policyc::bundle_files(&plan).unwrap().into_iter().collect();
        all.extend(
            profiles(&files)
                .into_iter()
                .map(|(p, b)| (format!("{gen}/{p}"), b)),
        );
    }
    assert!(all.len() > 8, "both scopes appear: {}", all.len());
    for ((name, _), errs) in all.iter().zip(graph_check(&all)) {
        assert!(errs.is_empty(), "{name}: {errs:?}");
    }
    assert!(all
        .iter()
        .any(|(n, _)| n.ends_with("settings-catalog/user.json")));
    check_sc_definitions(&all);
}

/// The Graph beta models (msgraph-beta-sdk) report each kind of break in a Settings
/// Catalog policy: an instance of the wrong type, a wrong field name, an unknown policy
/// field, a technologies value the enum lacks, an unknown value type, a string where an
/// integer value is declared.
#[test]
fn graph_beta_model_catches_broken_settings_catalog_policies() {
    if !require_graph() {
        return;
    }
    let (_, files) = compile(EXAMPLES[0]);
    let good = files["intune/settings-catalog/device.json"].clone();
    let text = String::from_utf8(good.clone()).unwrap();
    let replace_once = |from: &str, to: &str| -> Vec<u8> {
        assert!(text.contains(from), "{from} not in the policy");
        text.replacen(from, to, 1).into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("good", good.clone()),
        (
            "collection as a simple instance",
            replace_once("SimpleSettingCollectionInstance", "SimpleSettingInstance"),
        ),
        (
            "simple as a collection instance",
            replace_once(
                "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance",
                "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance",
            ),
        ),
        (
            "field case",
            replace_once("\"settingDefinitionId\"", "\"settingDefinitionID\""),
        ),
        (
            "policy field",
            replace_once("\"platforms\"", "\"platform\""),
        ),
        (
            "technologies",
            replace_once("\"technologies\": \"mdm\"", "\"technologies\": \"mdmx\""),
        ),
        (
            "group value type",
            replace_once("GroupSettingValue\"", "GroupSettingValu\""),
        ),
        (
            "string as integer value",
            replace_once(
                "#microsoft.graph.deviceManagementConfigurationStringSettingValue",
                "#microsoft.graph.deviceManagementConfigurationIntegerSettingValue",
            ),
        ),
    ];
    let named: Vec<(String, Vec<u8>)> = cases
        .iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect();
    let found = graph_check(&named);
    for ((name, _), errs) in cases.iter().zip(&found) {
        match *name {
            "good" => assert!(errs.is_empty(), "{name}: {errs:?}"),
            _ => assert!(!errs.is_empty(), "{name}: the Graph model accepted it"),
        }
    }
}

/// One way to break a profile per finding the model must report.
#[test]
fn graph_model_catches_broken_profiles() {
    if !require_graph() {
        return;
    }
    let (_, files) = compile(EXAMPLES[0]);
    let good = files["intune/device.json"].clone();
    let text = String::from_utf8(good.clone()).unwrap();
    let replace_once = |from: &str, to: &str| -> Vec<u8> {
        assert!(text.contains(from), "{from} not in the profile");
        text.replacen(from, to, 1).into_bytes()
    };
    let mut int: Json = serde_json::from_slice(&good).unwrap();
    int["omaSettings"][1]["@odata.type"] = "#microsoft.graph.omaSettingInteger".into();
    let mut int_as_string = int.clone();
    int["omaSettings"][1]["value"] = 1.into();
    int_as_string["omaSettings"][1]["value"] = "1".into();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("good", good.clone()),
        ("integer setting", serde_json::to_vec(&int).unwrap()),
        (
            "profile type",
            replace_once(
                "#microsoft.graph.windows10CustomConfiguration",
                "#microsoft.graph.windows10CustomConfig",
            ),
        ),
        (
            "setting type",
            replace_once(
                "#microsoft.graph.omaSettingString",
                "#microsoft.graph.omaSettingStr",
            ),
        ),
        ("field case", replace_once("\"omaUri\"", "\"omaURI\"")),
        (
            "profile field",
            replace_once("\"displayName\"", "\"displayname\""),
        ),
        (
            "decimal as string",
            serde_json::to_vec(&int_as_string).unwrap(),
        ),
    ];
    let named: Vec<(String, Vec<u8>)> = cases
        .iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect();
    let found = graph_check(&named);
    for ((name, _), errs) in cases.iter().zip(&found) {
        match *name {
            "good" | "integer setting" => assert!(errs.is_empty(), "{name}: {errs:?}"),
            _ => assert!(!errs.is_empty(), "{name}: the Graph model accepted it"),
        }
    }
}

/// A payload's state and `<data>` pairs (`common::intune::payload`, shared with the
/// property tests).
fn payload(v: &str) -> (String, Vec<(String, String)>) {
    common::intune::payload(v).unwrap_or_else(|e| panic!("{e}"))
}

/// The plan's values of one ADMX policy's list or text: what a payload must carry.
fn planned(plan: &Plan, policy: &str) -> Vec<(String, String)> {
    plan.ops
        .iter()
        .filter(|o| {
            policyc::admx::ids::policy_name(
                &o.provenance.setting,
                &o.provenance.product,
                &o.provenance.location,
                o.hive,
            ) == policy
        })
        .filter_map(|o| match &o.action {
            Action::Set {
                name,
                data: RegData::Sz(s),
            } => Some((name.clone(), s.clone())),
            _ => None,
        })
        .collect()
}

/// Splits a list payload on U+F000 into pairs (`common::intune::pairs`).
fn pairs(v: &str) -> Vec<(String, String)> {
    common::intune::pairs(v).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks every OMA-URI of a bundle's profiles; returns the routes seen.
fn check_paths(plan: &Plan, files: &BTreeMap<String, Vec<u8>>) -> Vec<RouteKind> {
    let catalog = Catalog::builtin().unwrap();
    let b = &plan.bundle;
    let admx_file = String::from_utf8(files[&format!("admx/{}.admx", b.name)].clone()).unwrap();
    let bundle_admx = reader::read_admx(&admx_file).unwrap();
    let app = policyc::intune::app_name(&b.name);
    let mut seen = Vec::new();
    // Every documented route of the catalog, by OMA-URI tail.
    let mut csp_nodes = BTreeMap::new();
    let mut vendor_nodes = BTreeMap::new();
    for e in &catalog.entries {
        for l in &e.registry {
            for r in &l.intune {
                assert!(!r.sources.is_empty(), "{}: route without sources", e.id);
                match r.route {
                    RouteKind::Csp => {
                        assert!(r
                            .sources
                            .iter()
                            .any(|s| s.url.contains("learn.microsoft.com")
                                && s.url.contains("/mdm/policy-csp-")));
                        csp_nodes.insert(r.csp_uri.clone().unwrap(), r.clone());
                    }
                    RouteKind::VendorAdmx => {
                        // Edge: Microsoft's Edge MDM page; other vendors' templates: the
                        // ADMX ingestion page's OMA-URI formula.
                        let page = if r.vendor_app.as_deref() == Some("Edge") {
                            "/deployedge/configure-edge-with-mdm"
                        } else {
                            "/client-management/win32-and-centennial-app-policy-configuration"
                        };
                        assert!(r.sources.iter().any(|s| s.url.ends_with(page)), "{}", e.id);
                        vendor_nodes.insert(
                            format!(
                                "{}~Policy~{}/{}",
                                r.vendor_app.as_deref().unwrap(),
                                r.vendor_area.as_deref().unwrap(),
                                r.vendor_policy.as_deref().unwrap()
                            ),
                            r.clone(),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.starts_with("intune/") && !p.starts_with(SC_DIR))
    {
        let hive = if path == "intune/device.json" {
            Hive::Hklm
        } else {
            assert_eq!(path, "intune/user.json");
            Hive::Hkcu
        };
        let scope = if hive == Hive::Hklm { "Device" } else { "User" };
        let j: Json = serde_json::from_slice(bytes).unwrap();
        let mut ingested: Option<Admx> = None;
        for s in j["omaSettings"].as_array().unwrap() {
            let uri = s["omaUri"].as_str().unwrap();
            let value = s["value"].as_str().unwrap();
            if let Some(rest) = uri.strip_prefix(policyc::intune::ADMX_INSTALL) {
                let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
                assert_eq!(parts[..2], [app.as_str(), "Policy"], "{uri}");
                assert!(policyc::intune::route::uri_segment_ok(parts[2]), "{uri}");
                let x = reader::read_admx(value).unwrap();
                assert_eq!(x.target, bundle_admx.target);
                // Only ingestible policies, each also in the bundle's ADMX.
                for p in &x.policies {
                    for k in policyc::admx::policy_keys(p) {
                        assert_eq!(policyc::intune::ingestion::blocked_root(&k), None, "{k}");
                    }
                    assert!(bundle_admx.policies.iter().any(|q| q == p), "{}", p.name);
                }
                ingested = Some(x);
                seen.push(RouteKind::AdmxIngest);
                continue;
            }
            let tail = uri
                .strip_prefix(&format!("./{scope}/Vendor/MSFT/Policy/Config/"))
                .unwrap_or_else(|| panic!("{path}: {uri} is not a {scope} Policy CSP path"));
            let (area, policy) = tail.rsplit_once('/').unwrap();
            let (state, data) = payload(value);
            if let Some(cats) = area.strip_prefix(&format!("{app}~Policy~")) {
                // The bundle's own ADMX: ingested in this profile, and the same as the bundle file.
                let x = ingested
                    .as_ref()
                    .unwrap_or_else(|| panic!("{uri} before its ADMX ingestion"));
                for admx in [x, &bundle_admx] {
                    let p = admx
                        .policies
                        .iter()
                        .find(|p| p.name == policy)
                        .unwrap_or_else(|| panic!("{uri}: no policy {policy}"));
                    assert_eq!(
                        p.class,
                        policyc::admx::ids::class(hive),
                        "{uri}: class of {policy}"
                    );
                    let want =
                        common::intune::category_path(admx, p.parent_category.as_deref().unwrap());
                    assert_eq!(cats.split('~').collect::<Vec<_>>(), want, "{uri}");
                    let ids: Vec<&str> = p.elements.iter().map(|e| e.id.as_str()).collect();
                    let got: Vec<&str> = data.iter().map(|(i, _)| i.as_str()).collect();
                    assert_eq!(got, ids, "{uri}: every element gets one <data id>");
                }
                assert_eq!(state, "enabled");
                // Payload values: exactly the plan's entries.
                let mut carried = Vec::new();
                for (id, v) in &data {
                    if id.ends_with("_List") {
                        carried.extend(pairs(v));
                    } else {
                        carried.push((String::new(), v.clone()));
                    }
                }
                let plan_vals = planned(plan, policy);
                if data.iter().any(|(i, _)| i.ends_with("_List")) {
                    assert_eq!(carried, plan_vals, "{uri}");
                } else if !data.is_empty() {
                    let vals: Vec<&String> = plan_vals.iter().map(|(_, v)| v).collect();
                    assert!(carried.iter().all(|(_, v)| vals.contains(&v)), "{uri}");
                }
                seen.push(RouteKind::AdmxIngest);
            } else if let Some(r) = vendor_nodes.get(tail) {
                assert_eq!(data.len(), usize::from(r.data_id.is_some()), "{uri}");
                if let (Some(id), Some((got, _))) = (&r.data_id, data.first()) {
                    assert_eq!(got, id, "{uri}");
                }
                seen.push(RouteKind::VendorAdmx);
            } else if let Some(r) = csp_nodes.get(tail) {
                assert_eq!(data.len(), usize::from(r.data_id.is_some()), "{uri}");
                if let Some((id, v)) = data.first() {
                    assert_eq!(Some(id), r.data_id.as_ref(), "{uri}");
                    // The zone list: site/zone pairs, exactly the plan's ZoneMapKey values.
                    let zone: Vec<(String, String)> = plan
                        .ops
                        .iter()
                        .filter(|o| o.hive == hive && o.key.ends_with("\\ZoneMapKey"))
                        .filter_map(|o| match &o.action {
                            Action::Set {
                                name,
                                data: RegData::Sz(s),
                            } => Some((name.clone(), s.clone())),
                            _ => None,
                        })
                        .collect();
                    assert_eq!(pairs(v), zone, "{uri}");
                }
                seen.push(RouteKind::Csp);
            } else {
                panic!("{path}: {uri} is on no documented route");
            }
        }
    }
    seen
}

#[test]
fn every_oma_uri_resolves() {
    let catalog = Catalog::builtin().unwrap();
    for ex in EXAMPLES {
        // With `intune_profile: custom` the custom profile uses every route.
        let (plan, files) = compile_custom(ex);
        assert!(sc_profiles(&files).is_empty());
        // Decoded from URI and payload alone, the profiles write exactly the plan's
        // operations that have an Intune route (the reader the property tests use).
        common::intune::check_plan(&plan, &profiles(&files), catalog)
            .unwrap_or_else(|e| panic!("{ex}: {e}"));
        let seen = check_paths(&plan, &files);
        for k in [RouteKind::AdmxIngest, RouteKind::VendorAdmx, RouteKind::Csp] {
            assert!(seen.contains(&k), "{ex}: no {k:?} route used");
        }
        // By default, the Settings Catalog policy and the custom profile together write
        // the same, and each value exactly once (`check_plan` refuses a value twice).
        let (plan, files) = compile(ex);
        common::intune::check_plan(&plan, &profiles(&files), catalog)
            .unwrap_or_else(|e| panic!("{ex}: {e}"));
        // What the Settings Catalog leaves to the custom profile: the bundle ADMX's
        // ingestion and its Smartcard Connect policy, and Chrome's loopback list through
        // chrome.admx (Intune has no definition for it).
        assert_eq!(
            check_paths(&plan, &files),
            [
                RouteKind::AdmxIngest,
                RouteKind::VendorAdmx,
                RouteKind::AdmxIngest
            ],
            "{ex}"
        );
    }
}

#[test]
fn no_route_settings_are_named_and_noted() {
    let (plan, files) = compile_custom(EXAMPLES[0]);
    let j: Json = serde_json::from_slice(&files["intune/device.json"]).unwrap();
    let desc = j["description"].as_str().unwrap();
    for s in [
        "ZoneMap\\Domains",
        "EnableNHSEnrollment",
        "powershell/remediate.ps1",
    ] {
        assert!(desc.contains(s), "description lacks {s}: {desc}");
    }
    // AutoDetect and ProxyByPass have Policy CSP nodes (Microsoft's Policy CSP page;
    // Intune's own definitions list them): not in the no-route list.
    for s in ["SecurityPage_AutoDetect", "IZ_ProxyByPass"] {
        assert!(!desc.contains(s), "description names {s}: {desc}");
    }
    // The user scope has only Oberthur (no MDM route), so no user profile is written.
    assert!(!files.contains_key("intune/user.json"));
    let uris: Vec<&str> = j["omaSettings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["omaUri"].as_str().unwrap())
        .collect();
    for (node, payload) in [
        ("AutoDetectIntranet", "<disabled/>"),
        ("IncludeAllProxyByPassSites", "<enabled/>"),
    ] {
        let uri = format!("./Device/Vendor/MSFT/Policy/Config/InternetExplorer/{node}");
        let s = j["omaSettings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["omaUri"] == uri.as_str())
            .unwrap_or_else(|| panic!("no {uri} in {uris:#?}"));
        // AutoDetect = 0 is the policy's Disabled state (inetres.admx: disabled = 0).
        assert_eq!(s["value"], payload, "{uri}");
    }
    // Edge's LNA lists go by msedge.admx's own policies (category Network, list ids
    // <Policy>Desc), not the remediation.
    for lna in [
        "LocalNetworkAccessAllowedForUrls",
        "LoopbackNetworkAllowedForUrls",
    ] {
        let uri =
            format!("./Device/Vendor/MSFT/Policy/Config/Edge~Policy~microsoft_edge~Network/{lna}");
        let s = j["omaSettings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["omaUri"] == uri.as_str())
            .unwrap_or_else(|| panic!("no {uri} in {uris:#?}"));
        assert!(s["value"].as_str().unwrap().starts_with(&format!(
            "<enabled/><data id=\"{lna}Desc\" value=\"1&#xF000;"
        )));
        assert!(!desc.contains(&format!("edge: {lna}")), "{desc}");
    }
    // `compile` reports each as a note (not a warning), with its spec path.
    let catalog = Catalog::builtin().unwrap();
    let bytes = std::fs::read(root().join(EXAMPLES[0])).unwrap();
    let bytes = [bytes, b"\nintune_profile: custom\n".to_vec()].concat();
    let o = policyc::compile(EXAMPLES[0], &bytes, catalog);
    let notes: Vec<_> = o
        .diagnostics
        .iter()
        .filter(|d| d.code == "intune-no-route")
        .collect();
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert!(notes
        .iter()
        .all(|d| d.severity == policyc::diag::Severity::Note && d.line.is_some()));
    assert!(notes
        .iter()
        .any(|d| d.path.as_deref() == Some("settings[9]")
            && d.message.contains("EnableNHSEnrollment")));
    assert_eq!(plan.bundle.name, "nhs-credential-management");
}

#[test]
fn hostile_strings_stay_inert() {
    let (plan, files) = compile_custom(HOSTILE);
    let b = &plan.bundle;
    for (path, bytes) in profiles(&files) {
        assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{path}: BOM");
        assert!(!bytes.contains(&b'\r'), "{path}: CR");
        let j: Json = serde_json::from_slice(&bytes).unwrap();
        // JSON escaping: the display name and description come back verbatim.
        assert!(j["displayName"]
            .as_str()
            .unwrap()
            .starts_with(&b.display_name));
        assert!(j["description"]
            .as_str()
            .unwrap()
            .starts_with(b.description.as_deref().unwrap()));
        for s in j["omaSettings"].as_array().unwrap() {
            let v = s["value"].as_str().unwrap();
            if s["omaUri"].as_str().unwrap().contains("/ADMXInstall/") {
                reader::read_admx(v).unwrap();
                continue;
            }
            // XML escaping: the payload parses to <enabled/> and <data> only, and each value
            // is a spec string, unchanged.
            let (state, data) = payload(v);
            assert_eq!(state, "enabled");
            for (_, val) in data {
                let all: Vec<String> = plan
                    .ops
                    .iter()
                    .flat_map(|o| match &o.action {
                        Action::Set {
                            name,
                            data: RegData::Sz(s),
                        } => vec![name.clone(), s.clone()],
                        _ => vec![],
                    })
                    .collect();
                for part in val.split('\u{F000}') {
                    assert!(
                        all.iter().any(|a| a == part),
                        "{part:?} is not a spec string"
                    );
                }
            }
        }
    }
    // The long issuer list (a text element) arrives whole, markup and all.
    let dev = String::from_utf8(files["intune/device.json"].clone()).unwrap();
    let j: Json = serde_json::from_str(&dev).unwrap();
    let issuers = planned(
        &plan,
        &policyc::admx::ids::policy_name(
            "smartcard-connect-trusted-certificate-issuers",
            "smartcard-connect",
            "TrustedCertificateIssuers (Group Policy)",
            Hive::Hklm,
        ),
    );
    let carried: Vec<String> = j["omaSettings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["omaUri"]
                .as_str()
                .unwrap()
                .ends_with("GroupPolicy_Machine")
        })
        .flat_map(|s| payload(s["value"].as_str().unwrap()).1)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(carried, vec![issuers[0].1.clone()]);
    assert!(issuers[0].1.contains("<&> \"quoted\""));
    check_paths(&plan, &files);
    common::intune::check_plan(&plan, &profiles(&files), Catalog::builtin().unwrap()).unwrap();

    // The Settings Catalog policies of the default build: JSON-escaped, read back (with
    // the definitions) to exactly the plan's values, names and descriptions verbatim.
    let (plan, files) = compile(HOSTILE);
    let sc = sc_profiles(&files);
    assert!(!sc.is_empty());
    for (path, bytes) in &sc {
        assert!(
            !bytes.starts_with(&[0xEF, 0xBB, 0xBF]) && !bytes.contains(&b'\r'),
            "{path}"
        );
        let j: Json = serde_json::from_slice(bytes).unwrap();
        assert!(j["name"]
            .as_str()
            .unwrap()
            .starts_with(&plan.bundle.display_name));
        assert!(j["description"]
            .as_str()
            .unwrap()
            .starts_with(plan.bundle.description.as_deref().unwrap()));
    }
    common::intune::check_plan(&plan, &profiles(&files), Catalog::builtin().unwrap()).unwrap();
}

#[test]
fn deterministic_and_in_the_manifest() {
    let (_, a) = compile(EXAMPLES[0]);
    let (_, b) = compile(EXAMPLES[0]);
    assert_eq!(profiles(&a), profiles(&b));
    let m: Json = serde_json::from_slice(&a["manifest.json"]).unwrap();
    let kinds: Vec<(&str, &str)> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .filter(|(p, _)| p.starts_with("intune/"))
        .collect();
    assert_eq!(
        kinds,
        [
            ("intune/device.json", "intune-json"),
            (
                "intune/settings-catalog/device.json",
                "intune-settings-catalog"
            )
        ]
    );
}

/// The NHS device profile with `intune_profile: custom`, with the ingested ADMX (checked
/// above, and snapshotted by the ADMX tests) reduced to its policy names so this snapshot
/// shows the Intune part.
#[test]
fn nhs_device_profile_snapshot() {
    let (_, files) = compile_custom(EXAMPLES[0]);
    insta::assert_snapshot!(reduced_profile(&files["intune/device.json"]));
}

/// The NHS example's default Intune files: the custom device profile (what no Settings
/// Catalog definition covers) and the Settings Catalog device policy.
#[test]
fn nhs_settings_catalog_snapshot() {
    let (_, files) = compile(EXAMPLES[0]);
    insta::assert_snapshot!(
        "nhs_custom_profile_beside_settings_catalog",
        reduced_profile(&files["intune/device.json"])
    );
    insta::assert_snapshot!(
        "nhs_settings_catalog_device",
        String::from_utf8(files["intune/settings-catalog/device.json"].clone()).unwrap()
    );
}

fn reduced_profile(bytes: &[u8]) -> String {
    let mut j: Json = serde_json::from_slice(bytes).unwrap();
    for s in j["omaSettings"].as_array_mut().unwrap() {
        if s["omaUri"].as_str().unwrap().contains("/ADMXInstall/") {
            let x = reader::read_admx(s["value"].as_str().unwrap()).unwrap();
            let names: Vec<String> = x.policies.iter().map(|p| p.name.clone()).collect();
            s["value"] = format!("<ingested ADMX with policies: {}>", names.join(", ")).into();
        }
    }
    serde_json::to_string_pretty(&j).unwrap()
}
