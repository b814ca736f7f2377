//! Property tests: for arbitrary valid specs (`common::specs::spec_strategy`: every
//! catalog setting, both scopes and forms, one or both browsers, lists and zone maps of
//! varied length, bundle and issuer text full of quotes, markup and `$()`), every output
//! that carries the registry operations reads back through a reader to exactly the plan:
//!
//! - the `.reg` files, the Registry.pol files (stand-alone and in the GPO backup): every
//!   value present with its type and data, no stale list entry (`verify`);
//! - the ADMX: each policy, enabled with the spec's list entries, writes exactly its plan
//!   group's operations (`admx::reader`);
//! - the LGPO text: its records are the plan's operations of the hive, in order, every
//!   Set with its type and data and every list reset a `DELETEALLVALUES` (`policyc::lgpo`);
//! - the PowerShell scripts: the data section of apply, detect, remediate and diagnose
//!   is the plan, operation by operation with provenance, and the bundle's fields
//!   (`policyc::powershell`);
//! - the Intune profiles: each OMA setting, decoded from its URI and payload alone
//!   through the ingested ADMX or the catalog's documented route, writes exactly its
//!   plan group's operations, and the groups the catalog gives no route are exactly the
//!   ones absent (`common::intune`).
//!
//! - `policyc convert`: arbitrary operations (every modelled type, REG_NONE and other
//!   codes, value and key deletions, key creation) written as `.reg`, converted to
//!   Registry.pol and back leave the same registry, with nothing reported lost.
//!
//! The controls at the end show each of the last three checks fails on a broken output.
//! The real consumers (Wine, hivex, Samba, the PowerShell grammar, the Graph models)
//! check the examples, and a few generated specs, in the interop tests.

mod common;

use common::intune::{check_plan, read_profiles};
use common::same;
use common::specs::spec_strategy;
use policyc::admx::{ids, reader};
use policyc::catalog::Catalog;
use policyc::plan::{Action, Plan};
use policyc::powershell::emit::Script;
use policyc::powershell::{self as ps, PsValue};
use policyc::reg::Hive;
use policyc::validate::Value;
use policyc::verify::{model::Registry, verify, Status};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

type Files = BTreeMap<String, Vec<u8>>;

fn build(spec: &str) -> (&'static Catalog, Plan, Files) {
    let catalog = Catalog::builtin().unwrap();
    let plan = common::plan_from("prop.yaml", spec.as_bytes());
    let files = policyc::bundle_files(&plan).unwrap().into_iter().collect();
    (catalog, plan, files)
}

/// The LGPO text of each hive reads back (`policyc::lgpo::read`) to the hive's plan
/// operations in order: a Set as its name, type and data, a ResetKey as DELETEALLVALUES.
fn lgpo_matches(plan: &Plan, files: &Files) -> Result<(), String> {
    for hive in [Hive::Hklm, Hive::Hkcu] {
        let path = policyc::lgpo::emit::file_name(hive);
        let want: Vec<(Hive, String, Action)> = plan
            .ops
            .iter()
            .filter(|o| o.hive == hive)
            .map(|o| (o.hive, o.key.clone(), o.action.clone()))
            .collect();
        let Some(bytes) = files.get(path) else {
            if want.is_empty() {
                continue;
            }
            return Err(format!("{path} is missing"));
        };
        let text = policyc::lgpo::decode(bytes).map_err(|e| format!("{path}: {e}"))?;
        let mut got = Vec::new();
        for r in policyc::lgpo::read(&text).map_err(|e| format!("{path}: {e}"))? {
            let action = match r.action {
                policyc::lgpo::Action::Set(data) => Action::Set { name: r.name, data },
                policyc::lgpo::Action::DeleteAllValues => Action::ResetKey,
                other => return Err(format!("{path}: the plan has no {other:?}")),
            };
            got.push((r.hive, r.key, action));
        }
        same(path, &got, &want)?;
    }
    Ok(())
}

/// Every script's data section reads back (`policyc::powershell::read_bytes`) to the
/// plan, operation by operation with provenance, and to the bundle's fields.
fn powershell_matches(plan: &Plan, files: &Files) -> Result<(), String> {
    let b = &plan.bundle;
    let s = |v: &str| PsValue::Str(v.to_string());
    let want_bundle: Vec<(String, PsValue)> = [
        ("Name", s(&b.name)),
        ("DisplayName", s(&b.display_name)),
        ("Version", s(&b.version)),
        ("Publisher", s(&b.publisher)),
        (
            "Description",
            b.description.as_deref().map_or(PsValue::Null, s),
        ),
        (
            "Compiler",
            s(concat!("policyc ", env!("CARGO_PKG_VERSION"))),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let want: Vec<ps::Entry> = plan.ops.iter().map(ps::Entry::of).collect();
    // detect.ps1 and remediate.ps1 carry only what the Intune profile does not deliver
    // (tests/interop_powershell.rs ties that split to the decoded profiles).
    let (mine, _) = policyc::powershell::emit::remediation_split(plan);
    let want_remediation: Vec<ps::Entry> = mine.iter().map(ps::Entry::of).collect();
    for script in Script::ALL {
        let path = script.path();
        let bytes = files
            .get(path)
            .ok_or_else(|| format!("{path} is missing"))?;
        let d = ps::read_bytes(bytes).map_err(|e| format!("{path}: {e}"))?;
        same(&format!("{path} $PolicycBundle"), &d.bundle, &want_bundle)?;
        let want = match script {
            Script::Detect | Script::Remediate => &want_remediation,
            _ => &want,
        };
        same(&format!("{path} $PolicycPlan"), &d.plan, want)?;
    }
    Ok(())
}

/// The Intune profiles read back to the plan's routed groups (`common::intune::check_plan`).
fn intune_matches(plan: &Plan, files: &Files, catalog: &Catalog) -> Result<(), String> {
    let profiles: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| p.starts_with("intune/"))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect();
    check_plan(plan, &profiles, catalog)
}

/// A failed check as a proptest failure, with the spec that caused it.
fn check(r: Result<(), String>, spec: &str) -> Result<(), TestCaseError> {
    r.map_err(|e| TestCaseError::fail(format!("{e}\n--- spec ---\n{spec}")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_format_reads_back_to_the_plan(spec in spec_strategy()) {
        let (catalog, plan, files) = build(&spec);
        let sets = plan.ops.iter().filter(|o| matches!(o.action, Action::Set { .. })).count();

        // Each reading: the .reg files; pol/; the GPO backup's registry.pol files.
        let mut readings: Vec<(&str, Registry)> = Vec::new();
        let mut from_reg = Registry::default();
        for (p, bytes) in files.iter().filter(|(p, _)| p.ends_with(".reg") && !p.starts_with("undo/")) {
            let skipped = from_reg.add_reg(bytes).unwrap_or_else(|e| panic!("{p}: {e}"));
            prop_assert!(skipped.is_empty(), "{p}: {skipped:?}");
        }
        // Coverage comes from the keys the files hold: every key policyc writes is there.
        readings.push(("reg", from_reg));
        for (label, machine_suffix, user_suffix) in [
            ("pol", "pol/Machine/Registry.pol", "pol/User/Registry.pol"),
            ("gpo-backup", "/DomainSysvol/GPO/Machine/registry.pol", "/DomainSysvol/GPO/User/registry.pol"),
        ] {
            let mut r = Registry::default();
            for (p, bytes) in &files {
                let hive = if p.ends_with(machine_suffix) {
                    Hive::Hklm
                } else if p.ends_with(user_suffix) {
                    Hive::Hkcu
                } else {
                    continue;
                };
                r.add_pol(hive, bytes).unwrap_or_else(|e| panic!("{p}: {e}"));
            }
            readings.push((label, r));
        }
        // The ADMX: each policy, enabled with the spec's list entries, writes exactly its
        // plan group's operations.
        let loaded = policyc::spec::load_bytes("prop.yaml", spec.as_bytes()).unwrap();
        let validated = policyc::validate::validate(&loaded, catalog).0.unwrap();
        type W = (Hive, String, Option<String>, Option<policyc::reg::RegData>);
        let mut want: BTreeMap<String, BTreeSet<W>> = BTreeMap::new();
        let mut group_of: BTreeMap<String, String> = BTreeMap::new();
        for op in &plan.ops {
            let p = &op.provenance;
            // A value a vendor template defines is that template's, not the bundle's
            // (tests/catalog_vendor.rs reads those back through the vendor's ADMX).
            let (_, loc) = catalog.location(&p.setting, &p.location, &p.product).unwrap();
            if loc.vendor.iter().any(|v| v.products.contains(&p.product)) {
                continue;
            }
            let w = match &op.action {
                Action::ResetKey => (op.hive, op.key.to_lowercase(), None, None),
                Action::Set { name, data } => (op.hive, op.key.to_lowercase(), Some(name.clone()), Some(data.clone())),
                Action::Delete { .. } => unreachable!("catalog settings never delete a value"),
            };
            let policy = ids::policy_name(&p.setting, &p.product, &p.location, op.hive);
            want.entry(policy.clone()).or_default().insert(w);
            group_of.insert(policy, p.spec_path.clone());
        }
        let text = |suffix: &str| {
            let (_, b) = files.iter().find(|(p, _)| p.ends_with(suffix)).unwrap();
            reader::decode(b).unwrap()
        };
        let admx = reader::read_admx(&text("prop.admx")).unwrap();
        let adml = reader::read_adml(&text("en-US/prop.adml")).unwrap();
        prop_assert_eq!(admx.policies.len(), want.len());
        for pol in &admx.policies {
            let path = &group_of[&pol.name];
            let setting = validated.settings.iter().find(|s| &s.spec_path() == path).unwrap();
            let mut inputs = reader::Inputs::default();
            for e in pol.elements.iter().filter(|e| e.kind == "list") {
                let entries = match &setting.value {
                    Value::List(items) => items.iter().map(|i| (String::new(), i.clone())).collect(),
                    Value::ZoneMap(sites) => sites.iter().map(|(s, z)| (s.clone(), (*z as u32).to_string())).collect(),
                    other => panic!("{path}: a list element for {other:?}"),
                };
                inputs.lists.insert(e.id.clone(), entries);
            }
            let got: BTreeSet<W> = pol
                .enabled_writes(Some(&adml), &inputs)
                .unwrap()
                .into_iter()
                .map(|w| match w {
                    reader::Write::ClearKey { hive, key } => (hive, key.to_lowercase(), None, None),
                    reader::Write::Set { hive, key, name, data } => (hive, key.to_lowercase(), Some(name), Some(data)),
                    reader::Write::Delete { .. } => panic!("policyc's ADMX never deletes a value"),
                })
                .collect();
            prop_assert_eq!(&got, &want[&pol.name], "ADMX policy {}\n{}", pol.name, spec);
        }

        // The .reg files carry what each hive's own account can write: no per-user policy
        // (HKCU\Software\Policies), which the Registry.pol files carry.
        let mut reg_plan = plan.clone();
        reg_plan.ops.retain(policyc::reg::emit::in_reg_file);
        let reg_sets = reg_plan.ops.iter().filter(|o| matches!(o.action, Action::Set { .. })).count();
        for (p, bytes) in files.iter().filter(|(p, _)| p.ends_with(".reg")) {
            let text = policyc::reg::text::decode(bytes).unwrap().to_ascii_lowercase();
            prop_assert!(!text.contains("hkey_current_user\\software\\policies"), "{p}: per-user policy\n{spec}");
        }
        for (label, reg) in &readings {
            let (plan, sets) = if *label == "reg" { (&reg_plan, reg_sets) } else { (&plan, sets) };
            let report = verify(plan, reg, catalog);
            let bad: Vec<_> = report.checks.iter().filter(|c| c.status != Status::Ok).collect();
            prop_assert!(bad.is_empty(), "{label}: {bad:#?}\n{spec}");
            prop_assert_eq!(report.checks.len(), sets, "{}: every planned value is checked once", label);
        }

        // LGPO text, the PowerShell data sections and the Intune profiles (one bundle
        // build serves every check, to keep the test fast).
        check(lgpo_matches(&plan, &files), &spec)?;
        check(powershell_matches(&plan, &files), &spec)?;
        check(intune_matches(&plan, &files, catalog), &spec)?;
    }
}

// ---- controls: each check above fails on a broken output -------------------------------

fn example() -> (&'static Catalog, Plan, Files) {
    build(&example_text())
}

fn example_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/nhs-credential-management.yaml"
    );
    std::fs::read_to_string(path).unwrap()
}

/// The example with `intune_profile: custom`: every Intune value in the custom profile.
fn example_custom() -> (&'static Catalog, Plan, Files) {
    build(&format!("{}\nintune_profile: custom\n", example_text()))
}

/// `files` with `path` decoded, changed by `edit` (which must change it) and re-encoded.
fn edited(files: &Files, path: &str, edit: impl Fn(&str) -> String) -> Files {
    let bytes = &files[path];
    let (text, utf16) = match bytes.strip_prefix(&[0xFF, 0xFE]) {
        Some(_) => (policyc::lgpo::decode(bytes).unwrap(), true),
        None => (String::from_utf8(bytes.clone()).unwrap(), false),
    };
    let new = edit(&text);
    assert_ne!(new, text, "{path}: the edit changed nothing");
    let mut out = files.clone();
    out.insert(
        path.to_string(),
        if utf16 {
            let mut b = vec![0xFF, 0xFE];
            b.extend(new.encode_utf16().flat_map(u16::to_le_bytes));
            b
        } else {
            new.into_bytes()
        },
    );
    out
}

/// Replaces the first `from` (which must be there) with `to`.
fn once(from: &'static str, to: &'static str) -> impl Fn(&str) -> String {
    move |t: &str| {
        assert!(t.contains(from), "{from:?} not found");
        t.replacen(from, to, 1)
    }
}

#[test]
fn lgpo_check_catches_a_broken_file() {
    let (_, plan, files) = example();
    lgpo_matches(&plan, &files).unwrap();
    let m = "lgpo/machine.txt";
    let broken = [
        (
            "a DWORD changed",
            edited(&files, m, once("\nDWORD:1\r", "\nDWORD:0\r")),
        ),
        (
            "one character of a string",
            edited(
                &files,
                m,
                once("SZ:http://localhost", "SZ:http://localhosT"),
            ),
        ),
        (
            "a type",
            edited(
                &files,
                m,
                once("SZ:http://localhost", "EXSZ:http://localhost"),
            ),
        ),
        (
            "a reset dropped",
            edited(
                &files,
                m,
                once("*\r\nDELETEALLVALUES\r\n", "*\r\nCREATEKEY\r\n"),
            ),
        ),
        (
            "a record dropped",
            edited(&files, m, |t| {
                let start = t.find("Computer\r\n").unwrap();
                let end = start + t[start..].find("\r\n\r\n").unwrap() + 4;
                format!("{}{}", &t[..start], &t[end..])
            }),
        ),
        (
            "the hive",
            edited(&files, m, once("\r\nComputer\r\n", "\r\nUser\r\n")),
        ),
        ("the user file", {
            let mut f = files.clone();
            f.remove("lgpo/user.txt");
            f
        }),
        (
            "a key",
            edited(
                &files,
                m,
                once("SOFTWARE\\Policies\\NHS", "SOFTWARE\\Policies\\\\NHS"),
            ),
        ),
    ];
    for (what, f) in broken {
        assert!(lgpo_matches(&plan, &f).is_err(), "{what}: not caught");
    }
}

#[test]
fn powershell_check_catches_a_broken_script() {
    let (_, plan, files) = example();
    powershell_matches(&plan, &files).unwrap();
    let apply = Script::Apply.path();
    let broken = [
        (
            "a data value",
            edited(
                &files,
                apply,
                once("Data = 'http://localhost'", "Data = 'http://localhosT'"),
            ),
        ),
        (
            "a DWORD",
            edited(&files, apply, once("Data = 1;", "Data = 0;")),
        ),
        (
            "a kind",
            edited(
                &files,
                apply,
                once("Kind = 'String'", "Kind = 'ExpandString'"),
            ),
        ),
        (
            "a reset",
            edited(&files, apply, once("Op = 'ResetKey'", "Op = 'Set'")),
        ),
        (
            "a source",
            edited(
                &files,
                apply,
                once("Source = 'settings[1]'", "Source = 'settings[2]'"),
            ),
        ),
        (
            "an entry dropped",
            edited(&files, apply, |t| {
                let i = t.find("\r\n    @{ ").unwrap();
                let j = i + 2 + t[i + 2..].find("\r\n").unwrap();
                format!("{}{}", &t[..i], &t[j..])
            }),
        ),
        (
            "the bundle",
            edited(
                &files,
                apply,
                once("Version = '1.0.0'", "Version = '1.0.1'"),
            ),
        ),
        (
            "only detect.ps1",
            edited(
                &files,
                Script::Detect.path(),
                once("Data = 1;", "Data = 2;"),
            ),
        ),
        (
            "only diagnose.ps1",
            edited(
                &files,
                Script::Diagnose.path(),
                once("Hive = 'HKLM'", "Hive = 'HKCU'"),
            ),
        ),
    ];
    for (what, f) in broken {
        assert!(powershell_matches(&plan, &f).is_err(), "{what}: not caught");
    }
}

#[test]
fn intune_check_catches_broken_profiles() {
    let (catalog, plan, files) = example_custom();
    assert!(!files
        .keys()
        .any(|p| p.starts_with("intune/settings-catalog/")));
    intune_matches(&plan, &files, catalog).unwrap();
    let d = "intune/device.json";
    let drop_setting = |pick: &'static str| {
        move |t: &str| {
            let mut j: serde_json::Value = serde_json::from_str(t).unwrap();
            let s = j["omaSettings"].as_array_mut().unwrap();
            let i = s
                .iter()
                .position(|x| x["omaUri"].as_str().unwrap().contains(pick))
                .unwrap();
            s.remove(i);
            serde_json::to_string_pretty(&j).unwrap()
        }
    };
    let broken = [
        ("a list entry", edited(&files, d, once("&#xF000;https://api.service.nhs.uk", "&#xF000;https://api.service.nhs.uK"))),
        ("a zone", edited(&files, d, once("http://localhost&#xF000;1", "http://localhost&#xF000;2"))),
        ("a bool", edited(&files, d, once("IncludeAllLocalSites\",\n      \"value\": \"<enabled/>\"", "IncludeAllLocalSites\",\n      \"value\": \"<disabled/>\""))),
        ("a vendor string", edited(&files, d, once("value=\\\"http://localhost\\\"/>", "value=\\\"http://localhosT\\\"/>"))),
        ("a setting dropped", edited(&files, d, drop_setting("IncludeAllNetworkPaths"))),
        ("a vendor ADMX policy dropped", edited(&files, d, drop_setting("Chrome~Policy~googlechrome~ContentSettings/CookiesAllowedForUrls"))),
        ("an ADMX policy dropped", edited(&files, d, drop_setting("TrustedCertificateIssuersGroupPolicy_Machine"))),
        ("the wrong scope", edited(&files, d, once("./Device/Vendor/MSFT/Policy/Config/InternetExplorer", "./User/Vendor/MSFT/Policy/Config/InternetExplorer"))),
        ("an element id", edited(&files, d, once("data id=\\\"CookiesAllowedForUrlsDesc", "data id=\\\"CookiesAllowedForUrls"))),
        (
            "a key in the ingested ADMX",
            edited(&files, d, once("key=\\\"SOFTWARE\\\\Policies\\\\NHS\\\\SmartcardConnect\\\"", "key=\\\"SOFTWARE\\\\Policies\\\\NHS\\\\SmartcardConnectX\\\"")),
        ),
        (
            "a route-less setting added",
            edited(&files, d, once("\"omaUri\": \"./Device/Vendor/MSFT/Policy/Config/InternetExplorer/IncludeAllNetworkPaths\"", "\"omaUri\": \"./Device/Vendor/MSFT/Policy/Config/InternetExplorer/IntranetAutoDetect\"")),
        ),
    ];
    for (what, f) in broken {
        assert!(
            intune_matches(&plan, &f, catalog).is_err(),
            "{what}: not caught"
        );
    }
}

/// The Settings Catalog profile, decoded with Intune's definitions
/// (`common::settings_catalog`): each kind of break is caught, and so is a value set by
/// both profiles.
#[test]
fn intune_check_catches_broken_settings_catalog_profiles() {
    let (catalog, plan, files) = example();
    intune_matches(&plan, &files, catalog).unwrap();
    let sc = "intune/settings-catalog/device.json";
    let (_, custom_plan, custom) = example_custom();
    assert_eq!(custom_plan.ops, plan.ops);
    // The custom profile's IncludeAllLocalSites node, added to the default bundle's custom
    // profile: the value is then delivered by both profiles.
    let node = {
        let j: serde_json::Value = serde_json::from_slice(&custom["intune/device.json"]).unwrap();
        j["omaSettings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["omaUri"]
                    .as_str()
                    .unwrap()
                    .ends_with("/IncludeAllLocalSites")
            })
            .unwrap()
            .clone()
    };
    let twice = edited(&files, "intune/device.json", move |t: &str| {
        let mut j: serde_json::Value = serde_json::from_str(t).unwrap();
        j["omaSettings"].as_array_mut().unwrap().push(node.clone());
        serde_json::to_string_pretty(&j).unwrap()
    });
    let drop_instance = |pick: &'static str| {
        move |t: &str| {
            let mut j: serde_json::Value = serde_json::from_str(t).unwrap();
            let s = j["settings"].as_array_mut().unwrap();
            let i = s
                .iter()
                .position(|x| {
                    x["settingInstance"]["settingDefinitionId"]
                        .as_str()
                        .unwrap()
                        .contains(pick)
                })
                .unwrap();
            s.remove(i);
            serde_json::to_string_pretty(&j).unwrap()
        }
    };
    let broken = [
        (
            "a list entry",
            edited(
                &files,
                sc,
                once(
                    "\"value\": \"https://api.service.nhs.uk\"",
                    "\"value\": \"https://api.service.nhs.uK\"",
                ),
            ),
        ),
        (
            "a zone",
            edited(&files, sc, once("\"value\": \"1\"", "\"value\": \"2\"")),
        ),
        (
            "a bool",
            edited(
                &files,
                sc,
                once("includealllocalsites_1\"", "includealllocalsites_0\""),
            ),
        ),
        (
            "an option id",
            edited(
                &files,
                sc,
                once("includealllocalsites_1\"", "includealllocalsites_2\""),
            ),
        ),
        (
            "an instance type",
            edited(
                &files,
                sc,
                once("SimpleSettingCollectionInstance", "SimpleSettingInstance"),
            ),
        ),
        (
            "a definition id",
            edited(
                &files,
                sc,
                once("microsoft_edgev140~", "microsoft_edgev141~"),
            ),
        ),
        (
            "a string",
            edited(
                &files,
                sc,
                once(
                    "\"value\": \"http://localhost\"\n",
                    "\"value\": \"http://localhosT\"\n",
                ),
            ),
        ),
        (
            "a setting dropped",
            edited(&files, sc, drop_instance("includeallnetworkpaths")),
        ),
        ("delivered twice", twice),
    ];
    for (what, f) in broken {
        assert!(
            intune_matches(&plan, &f, catalog).is_err(),
            "{what}: not caught"
        );
    }
}

/// A group the catalog gives no Intune route must stay out of the profiles: here the
/// "(all users)" issuer list, whose policy the bundle's full ADMX has, is set through a
/// profile that ingests that full ADMX. Every setting decodes; the check still fails.
#[test]
fn intune_check_catches_a_route_less_group() {
    let spec = "policyc: 1\nbundle: {name: ctl, display_name: Ctl, version: '1.0.0', publisher: P}\nclients: {smartcard-connect: '3.13'}\nsettings:\n  - {id: smartcard-connect-trusted-certificate-issuers, form: both, value: ['CN=NHS A, OU=CA, O=nhs']}\n";
    let (catalog, plan, files) = build(spec);
    intune_matches(&plan, &files, catalog).unwrap();
    let all_users = ids::policy_name(
        "smartcard-connect-trusted-certificate-issuers",
        "smartcard-connect",
        "TrustedCertificateIssuers (all users)",
        Hive::Hklm,
    );
    let full_admx = reader::decode(&files["admx/ctl.admx"]).unwrap();
    assert!(full_admx.contains(&all_users));
    let mut j: serde_json::Value = serde_json::from_slice(&files["intune/device.json"]).unwrap();
    let settings = j["omaSettings"].as_array_mut().unwrap();
    assert_eq!(settings.len(), 2, "the ingestion and the Group Policy list");
    settings[0]["value"] = full_admx.into();
    let mut extra = settings[1].clone();
    let uri = extra["omaUri"].as_str().unwrap();
    let uri = format!("{}/{all_users}", uri.rsplit_once('/').unwrap().0);
    extra["omaUri"] = uri.into();
    settings.push(extra);
    let mut broken = files.clone();
    broken.insert(
        "intune/device.json".into(),
        serde_json::to_vec_pretty(&j).unwrap(),
    );
    let profiles: Vec<(String, Vec<u8>)> = vec![(
        "intune/device.json".into(),
        broken["intune/device.json"].clone(),
    )];
    let decoded = read_profiles(&profiles, catalog).unwrap();
    assert!(
        decoded.contains_key(&all_users),
        "the extra setting decodes"
    );
    let e = intune_matches(&plan, &broken, catalog).unwrap_err();
    assert!(e.contains(&format!("present for [\"{all_users}\"]")), "{e}");
}

// ---- `policyc convert` round trips ---------------------------------------------------

use policyc::convert::{self, Op};
use policyc::reg::RegData;

/// What a list of operations leaves in the registry: (hive, lower-case key) → lower-case
/// value name → data. `[-KEY]` removes the key and its subkeys.
fn replay_ops(ops: &[Op]) -> BTreeMap<(Hive, String), BTreeMap<String, RegData>> {
    let mut reg: BTreeMap<(Hive, String), BTreeMap<String, RegData>> = BTreeMap::new();
    for op in ops {
        match op {
            Op::DeleteKey { hive, key } => {
                let k = key.to_lowercase();
                let prefix = format!("{k}\\");
                reg.retain(|(h, p), _| !(h == hive && (*p == k || p.starts_with(&prefix))));
            }
            Op::DeleteValues { hive, key } => {
                if let Some(v) = reg.get_mut(&(*hive, key.to_lowercase())) {
                    v.clear();
                }
            }
            Op::DeleteValue { hive, key, name } => {
                if let Some(v) = reg.get_mut(&(*hive, key.to_lowercase())) {
                    v.remove(&name.to_lowercase());
                }
            }
            Op::CreateKey { hive, key } => {
                reg.entry((*hive, key.to_lowercase())).or_default();
            }
            Op::Set {
                hive,
                key,
                name,
                data,
            } => {
                reg.entry((*hive, key.to_lowercase()))
                    .or_default()
                    .insert(name.to_lowercase(), data.clone());
            }
        }
    }
    reg
}

fn data_strategy() -> impl Strategy<Value = RegData> {
    let text = "[^\u{0}]{0,12}";
    let item = "[^\u{0}]{1,8}";
    prop_oneof![
        text.prop_map(RegData::Sz),
        text.prop_map(RegData::ExpandSz),
        any::<u32>().prop_map(RegData::Dword),
        any::<u64>().prop_map(RegData::Qword),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(RegData::Binary),
        proptest::collection::vec(item, 0..4).prop_map(RegData::MultiSz),
        (
            prop_oneof![
                Just(0u32),
                Just(5),
                Just(6),
                Just(8),
                Just(0x100),
                Just(u32::MAX)
            ],
            proptest::collection::vec(any::<u8>(), 1..8)
        )
            .prop_map(|(code, bytes)| RegData::Raw { code, bytes }),
    ]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let hive = prop_oneof![Just(Hive::Hklm), Just(Hive::Hkcu)];
    let key = proptest::collection::vec("[A-Za-z][A-Za-z0-9 ]{0,3}", 1..3)
        .prop_map(|parts| format!("SOFTWARE\\Policies\\{}", parts.join("\\")));
    let name = "[A-Za-z0-9][A-Za-z0-9 .]{0,6}";
    prop_oneof![
        6 => (hive.clone(), key.clone(), name, data_strategy())
            .prop_map(|(hive, key, name, data)| Op::Set { hive, key, name, data }),
        1 => (hive.clone(), key.clone(), name).prop_map(|(hive, key, name)| Op::DeleteValue { hive, key, name }),
        1 => (hive.clone(), key.clone()).prop_map(|(hive, key)| Op::DeleteKey { hive, key }),
        1 => (hive, key).prop_map(|(hive, key)| Op::CreateKey { hive, key }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `.reg` → Registry.pol → `.reg` keeps every value, every deletion and every key:
    /// the registry each file leaves is the same, and nothing is reported lost.
    #[test]
    fn convert_reg_to_pol_to_reg_keeps_every_value(ops in proptest::collection::vec(op_strategy(), 1..16)) {
        let want = replay_ops(&with_key_headers(&ops));
        let (reg, lost) = convert::to_reg("a.reg", &ops).unwrap();
        prop_assert!(lost.is_empty(), "{lost:?}");
        let reg_bytes = policyc::emit::encoding::encode(&reg, policyc::emit::encoding::Encoding::Utf16LeBomCrlf);
        let (from_reg, skipped) = convert::from_reg("a.reg", &reg_bytes).unwrap();
        prop_assert!(skipped.is_empty(), "{skipped:?}\n{reg}");
        prop_assert_eq!(&replay_ops(&from_reg), &want, "{}", reg);
        let (pols, lost) = convert::to_pol("a.pol", &from_reg).unwrap();
        prop_assert!(lost.is_empty(), "{lost:?}");
        let mut from_pol = Vec::new();
        for (hive, bytes) in pols {
            let (o, w) = convert::from_pol_entries("a.pol", hive, policyc::pol::read(&bytes).unwrap());
            prop_assert!(w.is_empty(), "{w:?}");
            from_pol.extend(o);
        }
        // Machine's records come before User's; the hives are independent.
        prop_assert_eq!(&replay_ops(&from_pol), &want);
        let (reg2, lost) = convert::to_reg("b.reg", &from_pol).unwrap();
        prop_assert!(lost.is_empty(), "{lost:?}");
        let bytes2 = policyc::emit::encoding::encode(&reg2, policyc::emit::encoding::Encoding::Utf16LeBomCrlf);
        let (back, _) = convert::from_reg("b.reg", &bytes2).unwrap();
        prop_assert_eq!(&replay_ops(&back), &want, "{}", reg2);
    }
}

/// What a `.reg` file of `ops` leaves: a value is deleted under its key's header line, and
/// Windows' import creates the key at its header (Wine's import tests record it), so the
/// key exists afterwards even when nothing else creates it.
fn with_key_headers(ops: &[Op]) -> Vec<Op> {
    let mut out = Vec::new();
    for op in ops {
        if let Op::DeleteValue { hive, key, .. } = op {
            out.push(Op::CreateKey {
                hive: *hive,
                key: key.clone(),
            });
        }
        out.push(op.clone());
    }
    out
}

/// Control: the round-trip comparison sees a changed value.
#[test]
fn convert_round_trip_check_sees_a_change() {
    let ops = vec![Op::Set {
        hive: Hive::Hkcu,
        key: "SOFTWARE\\Policies\\A".into(),
        name: "v".into(),
        data: RegData::Dword(1),
    }];
    let (reg, _) = convert::to_reg("a.reg", &ops).unwrap();
    let changed = reg.replace("dword:00000001", "dword:00000002");
    let (back, _) = convert::from_reg("a.reg", changed.as_bytes()).unwrap();
    assert_ne!(replay_ops(&back), replay_ops(&ops));
}
