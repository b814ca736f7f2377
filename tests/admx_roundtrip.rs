//! The generated ADMX/ADML read back with policyc's reader:
//! - setting by setting, the registry writes the ADMX's Enabled state makes (derived from the
//!   parsed ADMX, with list entries taken from the validated spec as an admin or the Intune
//!   payload supplies them) equal the plan's operations, and all of them together equal what
//!   `machine.reg`/`user.reg` contain;
//! - every cross-reference resolves and no id is defined twice (and the check catches
//!   breakage);
//! - hostile spec strings come back unchanged, and strings XML cannot carry are spec errors;
//! - the Intune pre-flight names the blocked settings and the route that works;
//! - a real vendor template (UTF-8 and UTF-16LE) reads and checks clean.

use policyc::admx::reader::{self, Adml, Admx, Inputs, Write};
use policyc::admx::{check, ids};
use policyc::catalog::Catalog;
use policyc::diag::Severity;
use policyc::plan::{Action, Plan};
use policyc::reg::text::{self, Block};
use policyc::reg::{Hive, RegData};
use policyc::validate::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SPECS: [&str; 3] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
    "tests/fixtures/admx/hostile.yaml",
];

fn read(spec: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(spec)).unwrap()
}

fn compile_bytes(name: &str, bytes: &[u8]) -> policyc::Outcome {
    policyc::compile(name, bytes, Catalog::builtin().unwrap())
}

/// parse -> validate -> plan without the ADMX pre-flight, for specs the pre-flight refuses.
fn plan_without_preflight(bytes: &[u8]) -> Plan {
    let catalog = Catalog::builtin().unwrap();
    let loaded = policyc::spec::load_bytes("t.yaml", bytes).unwrap();
    let (spec, d) = policyc::validate::validate(&loaded, catalog);
    let spec = spec.unwrap_or_else(|| panic!("{d:#?}"));
    policyc::plan::build(&spec, catalog).unwrap()
}

fn plan_of(spec: &str) -> Plan {
    let out = compile_bytes(spec, &read(spec));
    out.plan
        .unwrap_or_else(|| panic!("{spec}: {:#?}", out.diagnostics))
}

struct Files {
    admx: Admx,
    admls: Vec<(String, Adml)>,
    admx_text: String,
    regs: Vec<(String, Vec<u8>)>,
}

fn files(plan: &Plan) -> Files {
    let mut admx = None;
    let mut admls = Vec::new();
    let mut regs = Vec::new();
    for (p, b) in policyc::bundle_files(plan).unwrap() {
        if p.ends_with(".admx") {
            let t = reader::decode(&b).unwrap();
            admx = Some((reader::read_admx(&t).unwrap(), t));
        } else if p.ends_with(".adml") {
            let culture = p.split('/').nth(1).unwrap().to_string();
            admls.push((
                culture,
                reader::read_adml(&reader::decode(&b).unwrap()).unwrap(),
            ));
        } else if p.ends_with(".reg") && !p.starts_with("undo/") {
            regs.push((p, b));
        }
    }
    let (admx, admx_text) = admx.expect("an ADMX in the bundle");
    admls.sort_by(|a, b| a.0.cmp(&b.0));
    Files {
        admx,
        admls,
        admx_text,
        regs,
    }
}

/// A write in comparable form: (hive, lower-case key, value name or "" for a key reset, data).
type W = (Hive, String, Option<String>, Option<RegData>);

fn norm(w: &Write) -> W {
    match w {
        Write::ClearKey { hive, key } => (*hive, key.to_lowercase(), None, None),
        Write::Set {
            hive,
            key,
            name,
            data,
        } => (
            *hive,
            key.to_lowercase(),
            Some(name.clone()),
            Some(data.clone()),
        ),
        Write::Delete { .. } => panic!("policyc's ADMX never deletes a value: {w:?}"),
    }
}

/// The list entries the spec gives a setting, as the list element receives them.
fn list_entries(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::List(items) => items.iter().map(|i| (String::new(), i.clone())).collect(),
        Value::ZoneMap(sites) => sites
            .iter()
            .map(|(s, z)| (s.clone(), (*z as u32).to_string()))
            .collect(),
        other => panic!("no list entries in {other:?}"),
    }
}

#[test]
fn admx_writes_equal_the_plan_and_the_reg_files_setting_by_setting() {
    for spec in SPECS {
        let bytes = read(spec);
        let plan = plan_of(spec);
        let loaded = policyc::spec::load_bytes(spec, &bytes).unwrap();
        let (validated, _) = policyc::validate::validate(&loaded, Catalog::builtin().unwrap());
        let validated = validated.unwrap();
        let f = files(&plan);
        let en_us = &f.admls.iter().find(|(c, _)| c == "en-US").unwrap().1;

        // Expected: the plan's operations, grouped by spec setting.
        let mut expected: BTreeMap<String, BTreeSet<W>> = BTreeMap::new();
        // The ADMX policy each provenance group must have, by the shared id function.
        let mut policy_of: BTreeMap<String, String> = BTreeMap::new();
        // Values a vendor template defines (catalog `vendor:`) are left to that template:
        // the bundle's ADMX must not define them (tests/catalog_vendor.rs reads them back
        // through the vendor's own ADMX).
        let mut vendor_writes: BTreeSet<W> = BTreeSet::new();
        for op in &plan.ops {
            let p = &op.provenance;
            let (_, loc) = Catalog::builtin()
                .unwrap()
                .location(&p.setting, &p.location, &p.product)
                .unwrap();
            if loc.vendor.iter().any(|v| v.products.contains(&p.product)) {
                vendor_writes.insert(match &op.action {
                    Action::ResetKey => (op.hive, op.key.to_lowercase(), None, None),
                    Action::Delete { name } => {
                        (op.hive, op.key.to_lowercase(), Some(name.clone()), None)
                    }
                    Action::Set { name, data } => (
                        op.hive,
                        op.key.to_lowercase(),
                        Some(name.clone()),
                        Some(data.clone()),
                    ),
                });
                continue;
            }
            let w = match &op.action {
                Action::ResetKey => (op.hive, op.key.to_lowercase(), None, None),
                Action::Delete { name } => {
                    (op.hive, op.key.to_lowercase(), Some(name.clone()), None)
                }
                Action::Set { name, data } => (
                    op.hive,
                    op.key.to_lowercase(),
                    Some(name.clone()),
                    Some(data.clone()),
                ),
            };
            expected.entry(p.spec_path.clone()).or_default().insert(w);
            policy_of.insert(
                ids::policy_name(&p.setting, &p.product, &p.location, op.hive),
                p.spec_path.clone(),
            );
        }
        assert_eq!(
            f.admx.policies.len(),
            policy_of.len(),
            "{spec}: one ADMX policy per (setting, product, location, hive)"
        );

        let mut actual: BTreeMap<String, BTreeSet<W>> = BTreeMap::new();
        for pol in &f.admx.policies {
            let spec_path = policy_of
                .get(&pol.name)
                .unwrap_or_else(|| panic!("{spec}: ADMX policy {} is for no plan group", pol.name));
            let setting = validated
                .settings
                .iter()
                .find(|s| &s.spec_path() == spec_path)
                .unwrap();
            let mut inputs = Inputs::default();
            for e in pol.elements.iter().filter(|e| e.kind == "list") {
                assert_eq!(e.id, ids::element_id(&pol.name, ids::Element::List));
                inputs
                    .lists
                    .insert(e.id.clone(), list_entries(&setting.value));
            }
            // Text elements take the en-US presentation default: no input is given here.
            for w in pol.enabled_writes(Some(en_us), &inputs).unwrap() {
                actual
                    .entry(spec_path.clone())
                    .or_default()
                    .insert(norm(&w));
            }
        }
        for (path, exp) in &expected {
            assert_eq!(
                actual.get(path),
                Some(exp),
                "{spec} {path}: the ADMX's writes differ from the plan's"
            );
        }
        assert_eq!(actual.len(), expected.len(), "{spec}");

        // And together they are exactly what the .reg files hold.
        let mut from_reg = BTreeSet::new();
        for (name, b) in &f.regs {
            let file = text::read(&text::decode(b).unwrap()).unwrap();
            for block in file.blocks {
                let split = |path: &str| {
                    let (h, k) = path.split_once('\\').unwrap();
                    (Hive::parse(h).unwrap(), k.to_lowercase())
                };
                match block {
                    Block::DeleteKey(path) => {
                        let (h, k) = split(&path);
                        from_reg.insert((h, k, None, None));
                    }
                    Block::Key { path, values, .. } => {
                        let (h, k) = split(&path);
                        for v in values {
                            from_reg.insert((h, k.clone(), v.name.clone(), v.data.clone()));
                        }
                    }
                }
            }
            assert!(!name.is_empty());
        }
        // The .reg files leave out per-user policy (HKCU\Software\Policies), which a
        // standard user cannot write; the ADMX's user policies write it (Group Policy).
        let all: BTreeSet<W> = actual.into_values().flatten().collect();
        assert!(
            all.is_disjoint(&vendor_writes),
            "{spec}: a vendor-defined value in the bundle ADMX"
        );
        let all: BTreeSet<W> = all
            .union(&vendor_writes)
            .filter(|w| !(w.0 == Hive::Hkcu && w.1.starts_with("software\\policies\\")))
            .cloned()
            .collect();
        assert_eq!(
            all, from_reg,
            "{spec}: ADMX writes (and the vendors') vs .reg"
        );
    }
}

#[test]
fn references_resolve_and_ids_are_unique() {
    for spec in SPECS {
        let f = files(&plan_of(spec));
        let admls: Vec<(&str, &Adml)> = f.admls.iter().map(|(c, a)| (c.as_str(), a)).collect();
        assert_eq!(
            admls.iter().map(|a| a.0).collect::<Vec<_>>(),
            ["en-GB", "en-US"]
        );
        assert_eq!(
            check::unresolved_references(&f.admx, &admls),
            Vec::<String>::new(),
            "{spec}"
        );
        assert_eq!(
            check::duplicate_ids(&f.admx, &admls),
            Vec::<String>::new(),
            "{spec}"
        );
        // revision = minRequiredRevision = both ADML revisions, from the bundle version.
        let rev = ids::revision(&plan_of(spec).bundle.version).unwrap();
        assert_eq!(f.admx.revision, rev);
        assert_eq!(f.admx.min_required_revision.as_deref(), Some(rev.as_str()));
        assert!(admls.iter().all(|(_, a)| a.revision == rev));
        assert_eq!(
            f.admx.xmlns.as_deref(),
            Some("http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions")
        );
        assert!(f.admx.using.is_empty(), "the bundle's ADMX stands alone");
        // en-US and en-GB hold the same strings (the catalog is English only).
        assert_eq!(f.admls[0].1.strings, f.admls[1].1.strings);
    }

    // Controls: the check sees each kind of break (on the spec whose bundle ADMX has a
    // policy with an element: the long issuer string's text box).
    let f = files(&plan_of(SPECS[2]));
    let (_, adml) = f.admls.iter().find(|(c, _)| c == "en-US").unwrap().clone();
    let pol = f
        .admx
        .policies
        .iter()
        .find(|p| !p.elements.is_empty())
        .unwrap()
        .clone();
    let expect = |admx: &Admx, adml: &Adml, needle: &str| {
        let found = check::unresolved_references(admx, &[("en-US", adml)]);
        assert!(
            found.iter().any(|m| m.contains(needle)),
            "{needle}: {found:?}"
        );
    };
    let mut a = adml.clone();
    a.strings.retain(|(id, _)| id != &pol.name);
    expect(&f.admx, &a, "absent from the en-US ADML");
    let mut a = adml.clone();
    a.presentations[0].controls[0].ref_id = Some("Nope".into());
    expect(&f.admx, &a, "names no element");
    let mut x = f.admx.clone();
    x.policies[0].parent_category = Some("Cat_Nope".into());
    expect(&x, &adml, "names nothing in this file");
    let mut x = f.admx.clone();
    x.policies[0].supported_on = Some("other:SUPPORTED_X".into());
    expect(&x, &adml, "neither the target nor a <using> prefix");
    let mut x = f.admx.clone();
    x.policies.push(x.policies[0].clone());
    assert!(check::duplicate_ids(&x, &[("en-US", &adml)])[0].contains("defined more than once"));
}

#[test]
fn hostile_strings_come_back_unchanged() {
    let spec = "tests/fixtures/admx/hostile.yaml";
    let plan = plan_of(spec);
    let f = files(&plan);
    let b = &plan.bundle;
    // `]]>` may not appear literally in XML text; the writer escapes `>`.
    assert!(!f.admx_text.contains("]]>"));
    for (culture, adml) in &f.admls {
        assert_eq!(adml.display_name, b.display_name, "{culture}");
        assert_eq!(Some(&adml.description), b.description.as_ref(), "{culture}");
        let [publisher, bundle] = ids::category_path(&b.publisher, &b.name);
        assert_eq!(adml.string(&publisher), Some(b.publisher.as_str()));
        assert_eq!(adml.string(&bundle), Some(b.display_name.as_str()));
    }
    // The joined issuer list is over 255 characters: a text box holding it, and the
    // pre-flight says so.
    let joined = plan
        .ops
        .iter()
        .find_map(|o| match &o.action {
            Action::Set {
                data: RegData::Sz(s),
                ..
            } if s.starts_with("CN=A <&>") => Some(s.clone()),
            _ => None,
        })
        .unwrap();
    assert!(joined.chars().count() > 255 && joined.contains("𝄞") && joined.contains("]]>"));
    let en_us = &f.admls.iter().find(|(c, _)| c == "en-US").unwrap().1;
    let defaults: Vec<&str> = en_us
        .presentations
        .iter()
        .flat_map(|p| &p.controls)
        .filter_map(|c| c.default_value.as_deref())
        .collect();
    assert_eq!(defaults, [joined.as_str(), joined.as_str()]);
    let d = policyc::admx::preflight(&plan, Catalog::builtin().unwrap());
    let long: Vec<_> = d.iter().filter(|d| d.code == "admx-long-string").collect();
    assert_eq!(long.len(), 2, "{d:#?}");
    assert!(long
        .iter()
        .all(|d| d.severity == Severity::Note && d.path.as_deref() == Some("settings[0]")));
}

#[test]
fn characters_xml_cannot_carry_are_spec_errors() {
    // U+FFFE is not an XML character: validation refuses it with its position...
    let spec = "policyc: 1\nbundle: {name: t, display_name: \"T \\uFFFE\", version: '1', publisher: P}\nproducts: [edge]\nsettings:\n  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n";
    let out = compile_bytes("t.yaml", spec.as_bytes());
    assert!(out.plan.is_none());
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.code == "control-character"
                && d.path.as_deref() == Some("bundle.display_name")),
        "{:#?}",
        out.diagnostics
    );
    // ...and the ADMX pre-flight and emitter refuse it too, should a plan ever carry one.
    let mut plan = plan_of("examples/nhs-credential-management.yaml");
    plan.bundle.display_name = "T \u{FFFE}".into();
    let d = policyc::admx::preflight(&plan, Catalog::builtin().unwrap());
    let unrepresentable: Vec<_> = d
        .iter()
        .filter(|d| d.code == "admx-unrepresentable")
        .collect();
    assert_eq!(unrepresentable.len(), 1, "{d:#?}");
    assert_eq!(unrepresentable[0].severity, Severity::Error);
    assert_eq!(
        unrepresentable[0].path.as_deref(),
        Some("bundle.display_name")
    );
    assert!(
        unrepresentable[0].message.contains("U+FFFE"),
        "{}",
        unrepresentable[0].message
    );
    let e = policyc::bundle_files(&plan).unwrap_err();
    assert!(e.to_string().contains("U+FFFE"), "{e}");

    // A control character is already refused by validation, with its position.
    let spec = "policyc: 1\nbundle: {name: t, display_name: \"T \\u0001\", version: '1', publisher: P}\nproducts: [edge]\nsettings:\n  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n";
    let out = compile_bytes("t.yaml", spec.as_bytes());
    assert!(out.plan.is_none());
    assert!(out
        .diagnostics
        .iter()
        .any(|d| d.code == "control-character"));

    // A version with no ADMX revision.
    let spec = "policyc: 1\nbundle: {name: t, display_name: T, version: '10000.1', publisher: P}\nproducts: [edge]\nsettings:\n  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n";
    let plan = plan_without_preflight(spec.as_bytes());
    let d = policyc::admx::preflight(&plan, Catalog::builtin().unwrap());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        (d[0].code, d[0].path.as_deref()),
        ("admx-unrepresentable", Some("bundle.version"))
    );
}

#[test]
fn nhs_bundle_admx_defines_no_vendor_policy() {
    let plan = plan_of(SPECS[0]);
    // Before vendor-defined values were left to the vendors' templates, the pre-flight
    // noted seven bundle policies Intune refuses to ingest (the Windows and Edge ones).
    let d = policyc::admx::preflight(&plan, Catalog::builtin().unwrap());
    assert!(d.is_empty(), "{d:#?}");
    let f = files(&plan);
    let names: Vec<&str> = f.admx.policies.iter().map(|p| p.name.as_str()).collect();
    // Only what no vendor template defines: the per-site ZoneMap preference, Smartcard
    // Connect's keys and Oberthur's value.
    for p in &f.admx.policies {
        let keys = policyc::admx::policy_keys(p);
        assert!(
            !keys.iter().any(|k| {
                let k = k.to_lowercase();
                k.starts_with(r"software\policies\google")
                    || k.starts_with(r"software\policies\microsoft")
            }),
            "{}: {keys:?}",
            p.name
        );
    }
    assert!(
        names.iter().any(|n| n.contains("ZoneMapDomains")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("SmartcardConnect")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.contains("Oberthur")), "{names:?}");
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn a_vendor_template_reads_in_utf8_and_utf16_and_checks_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vendor-admx");
    let admx_bytes = std::fs::read(dir.join("YubiKeyMinidriver.admx")).unwrap();
    let adml_bytes = std::fs::read(dir.join("en-US/YubiKeyMinidriver.adml")).unwrap();
    let admx = reader::read_admx(&reader::decode(&admx_bytes).unwrap()).unwrap();
    let adml = reader::read_adml(&reader::decode(&adml_bytes).unwrap()).unwrap();
    assert_eq!(admx.policies.len(), 12);
    assert_eq!(admx.using.len(), 1);
    assert!(admx.policies.iter().any(|p| p
        .elements
        .iter()
        .any(|e| e.kind == "enum" && !e.enum_items.is_empty())));
    assert!(adml
        .presentations
        .iter()
        .flat_map(|p| &p.controls)
        .any(|c| c.kind == "dropdownList"));
    assert_eq!(
        check::unresolved_references(&admx, &[("en-US", &adml)]),
        Vec::<String>::new()
    );
    assert_eq!(
        check::duplicate_ids(&admx, &[("en-US", &adml)]),
        Vec::<String>::new()
    );
    let d = policyc::admx::check_documents(&admx, &[("en-US", &adml)], &BTreeMap::new());
    assert_eq!(
        d.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["admx-using-not-shipped"],
        "{d:#?}"
    );

    // The same file as UTF-16LE with BOM, as Chrome and Edge ship theirs, reads the same.
    let text = reader::decode(&admx_bytes).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(
        reader::read_admx(&reader::decode(&utf16).unwrap()).unwrap(),
        admx
    );
}

#[test]
fn templates_are_byte_identical_across_builds_and_utf8_crlf() {
    let plan = plan_of(SPECS[0]);
    let pick = |files: policyc::bundle::Files| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(p, _)| p.starts_with("admx/"))
            .collect()
    };
    let a = pick(policyc::bundle_files(&plan).unwrap());
    let b = pick(policyc::bundle_files(&plan).unwrap());
    assert_eq!(a, b);
    let paths: Vec<&str> = a.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "admx/en-GB/nhs-credential-management.adml",
            "admx/en-US/nhs-credential-management.adml",
            "admx/nhs-credential-management.admx"
        ]
    );
    for (p, bytes) in &a {
        assert!(
            bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"),
            "{p}"
        );
        let lf = bytes.iter().filter(|&&c| c == b'\n').count();
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lf, crlf, "{p}: every line ends in CRLF");
    }
}
